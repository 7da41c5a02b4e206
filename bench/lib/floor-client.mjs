// The floor client of bench/transport-floor.mjs: what ANY program pays in this process to take
// the frames `hlcopy follow` takes and send one request per leader trade — none of hlcopy's own
// work (no planning, signing, journal, models or event lines). One websocket (Node's own, which
// the SDK's transport wraps) subscribed to the streams follow subscribes to (src/exchange/
// streams.ts: the leader's userFills and clearinghouseState; ours — an account that never
// trades here, so its frames do not come — allMids and the bbo of every coin), the leader's fill
// frames parsed, and per leader fill one small POST /info through hlcopy's own HTTP client (as
// small as an order and its reply; nothing to sign). Prints one JSON line per window:
// {fills, frames, cpuMs}. argv: httpUrl wsUrl leader coinsCsv warmupS windowS
import { pathToFileURL } from "node:url";

const [httpUrl, wsUrl, leader, coinsCsv, warmupS, windowS] = process.argv.slice(2);
const root = new URL("../../", import.meta.url);
const { jsonPoster } = await import(pathToFileURL(new URL("dist/exchange/http.js", root).pathname).href);

const us = "0x000000000000000000000000000000000000f100";
const subscriptions = [
  { type: "userFills", user: leader },
  { type: "clearinghouseState", user: leader },
  { type: "userFills", user: us },
  { type: "clearinghouseState", user: us },
  { type: "userFundings", user: us },
  { type: "userNonFundingLedgerUpdates", user: us },
  { type: "allMids" },
  ...coinsCsv.split(",").map((coin) => ({ type: "bbo", coin })),
];
const poster = jsonPoster(httpUrl, 10_000);
const leaderLower = leader.toLowerCase();
let fills = 0;
let frames = 0;
const ws = new WebSocket(wsUrl);
ws.addEventListener("message", (event) => {
  frames++;
  const text = event.data;
  if (typeof text !== "string" || !text.startsWith('{"channel":"userFills"')) return;
  const msg = JSON.parse(text);
  if (msg.data.isSnapshot || msg.data.user.toLowerCase() !== leaderLower) return;
  fills += msg.data.fills.length;
  poster.post("info", { type: "openOrders", user: us }).catch(() => {});
});
await new Promise((resolve, reject) => {
  ws.addEventListener("open", resolve, { once: true });
  ws.addEventListener("error", reject, { once: true });
});
for (const subscription of subscriptions) ws.send(JSON.stringify({ method: "subscribe", subscription }));
// The exchange closes a connection that sends nothing for a minute: ping as follow's transport does.
setInterval(() => ws.send(JSON.stringify({ method: "ping" })), 30_000).unref();
let closed = false;
ws.addEventListener("close", () => {
  closed = true;
});
await new Promise((r) => setTimeout(r, Number(warmupS) * 1000));
const fills0 = fills;
const frames0 = frames;
const cpu0 = process.cpuUsage();
await new Promise((r) => setTimeout(r, Number(windowS) * 1000));
const cpu = process.cpuUsage(cpu0);
if (closed || fills === fills0) {
  process.stderr.write(
    `floor client: the websocket ${closed ? "closed" : "brought no leader fill"} in the window\n`,
  );
  process.exit(1);
}
process.stdout.write(
  `${JSON.stringify({ fills: fills - fills0, frames: frames - frames0, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`,
);
ws.close();
process.exit(0);
