// Orders per second the simulator sustains through the SDK over HTTP, and the order round trip
// (p50/p99). The simulator runs in a child process (as `hlcopy sim` would), the clients here:
// each client is its own wallet, because the SDK sends one wallet's requests one at a time.
// Imports the built dist/ (npm run bench builds first). Knobs: BENCH_SECONDS, BENCH_CLIENTS,
// BENCH_LATENCY_ORDERS.
import { spawn } from "node:child_process";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ExchangeClient, HttpTransport } from "@nktkas/hyperliquid";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const clientCounts = (process.env.BENCH_CLIENTS ?? "1,8,32").split(",").map(Number);
const latencyOrders = Number(process.env.BENCH_LATENCY_ORDERS ?? 500);

// --- the simulator, in its own process -------------------------------------------------------
const simModule = pathToFileURL(join(root, "dist/sim/index.js")).href;
const child = spawn(
  process.execPath,
  [
    "--input-type=module",
    "-e",
    `import { startSim } from ${JSON.stringify(simModule)};
     const sim = await startSim({ seed: 1, tickMs: 500 });
     process.stdout.write(JSON.stringify({ httpUrl: sim.httpUrl }) + "\\n");
     process.on("SIGTERM", () => sim.close().then(() => process.exit(0)));`,
  ],
  { stdio: ["ignore", "pipe", "inherit"] },
);
const { httpUrl } = await new Promise((resolve, reject) => {
  let buffer = "";
  child.stdout.on("data", (d) => {
    buffer += d;
    if (buffer.includes("\n")) resolve(JSON.parse(buffer.split("\n")[0]));
  });
  child.on("exit", (code) => reject(new Error(`simulator exited with ${code}`)));
});

async function control(body) {
  const res = await fetch(`${httpUrl}/control`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  return res.json();
}

async function newClient() {
  const wallet = privateKeyToAccount(generatePrivateKey());
  await control({ type: "fund", user: wallet.address, usd: 1_000_000 });
  return new ExchangeClient({ transport: new HttpTransport({ apiUrl: httpUrl }), wallet });
}

// Alternate small marketable IOC buys and sells of ETH (asset 1) so positions stay small.
let mid = 3400;
async function order(client, i) {
  const isBuy = i % 2 === 0;
  const res = await client.order({
    orders: [
      {
        a: 1,
        b: isBuy,
        p: (isBuy ? mid * 1.02 : mid * 0.98).toFixed(1),
        s: "0.01",
        r: false,
        t: { limit: { tif: "Ioc" } },
      },
    ],
    grouping: "na",
  });
  const px = Number(res.response.data.statuses[0]?.filled?.avgPx);
  if (px > 0) mid = px;
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** `n` clients send orders back to back for `ms`; returns orders/s and the round-trip times. */
async function load(n, ms) {
  const clients = await Promise.all(Array.from({ length: n }, newClient));
  for (const c of clients) for (let i = 0; i < 5; i++) await order(c, i); // warm-up
  const times = [];
  const until = performance.now() + ms;
  const started = performance.now();
  await Promise.all(
    clients.map(async (c) => {
      for (let i = 0; performance.now() < until; i++) {
        const t0 = performance.now();
        await order(c, i);
        times.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = performance.now() - started;
  times.sort((a, b) => a - b);
  return { rate: times.length / (elapsed / 1000), n: times.length, p50: pct(times, 50), p99: pct(times, 99) };
}

try {
  console.log(
    `sim bench (node ${process.versions.node}, ${availableParallelism()} cpus; simulator in a child process, tick 500 ms; clients sign with viem through the SDK)`,
  );
  // Round trip: one client, one order at a time.
  const one = await newClient();
  for (let i = 0; i < 20; i++) await order(one, i);
  const rt = [];
  for (let i = 0; i < latencyOrders; i++) {
    const t0 = performance.now();
    await order(one, i);
    rt.push(performance.now() - t0);
  }
  rt.sort((a, b) => a - b);
  console.log(
    `  order round trip, 1 client, n=${latencyOrders}:  p50 ${pct(rt, 50).toFixed(2)} ms   p99 ${pct(rt, 99).toFixed(2)} ms`,
  );
  for (const n of clientCounts) {
    const r = await load(n, seconds * 1000);
    console.log(
      `  sustained, ${String(n).padStart(2)} clients, ${seconds} s:  ${Math.round(r.rate)} orders/s   round trip p50 ${r.p50.toFixed(2)} ms   p99 ${r.p99.toFixed(2)} ms   (${r.n} orders)`,
    );
  }
  const stats = await control({ type: "stats" });
  console.log(`  simulator counted ${stats.ordersPlaced} orders placed, ${stats.ordersRejected} rejected`);
} finally {
  child.kill("SIGTERM");
}
