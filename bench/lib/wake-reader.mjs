// The wake-up probe of bench/transport-floor.mjs: this process does nothing but read a 300-byte
// message that a writer child sends `rate` times a second over a local TCP socket (no parsing),
// so its CPU per message is what one wake-up of an otherwise idle Node process costs on this
// machine. Prints one JSON line: {messages, cpuUs}. argv: rate warmupS windowS
import { spawn } from "node:child_process";
import { createServer } from "node:net";

const [rate, warmupS, windowS] = process.argv.slice(2).map(Number);
let messages = 0;
const server = createServer((socket) => socket.on("data", () => messages++));
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const writer = spawn(
  process.execPath,
  [
    "-e",
    `const s = require("node:net").connect(${server.address().port}, "127.0.0.1", () => {
       const m = Buffer.alloc(300, 97);
       setInterval(() => s.write(m), ${1000 / rate});
     });
     s.on("error", () => process.exit(0));`,
  ],
  { stdio: "ignore" },
);
await new Promise((r) => setTimeout(r, warmupS * 1000));
const m0 = messages;
const cpu0 = process.cpuUsage();
await new Promise((r) => setTimeout(r, windowS * 1000));
const cpu = process.cpuUsage(cpu0);
const n = messages - m0;
process.stdout.write(`${JSON.stringify({ messages: n, cpuUs: (cpu.user + cpu.system) / Math.max(1, n) })}\n`);
writer.kill();
process.exit(0);
