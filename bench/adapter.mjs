// The adapter's hot path on the simulator: placeOrders round trip (p50/p99, one IOC order,
// signed by an agent), and the copy lag from a leader's fill to ours on the simulator's clock
// when our order is sent straight from the leaderFill stream event (no /info in between).
// The simulator runs in a child process. Imports the built dist/ (npm run bench builds first).
// Knobs: BENCH_ORDERS (round trips, default 300), BENCH_COPIES (copy-lag samples, default 200).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ExchangeClient, HttpTransport } from "@nktkas/hyperliquid";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const orders = Number(process.env.BENCH_ORDERS ?? 300);
const copies = Number(process.env.BENCH_COPIES ?? 200);
const { createExchangeClient, openStreams, RequestBudget } = await import(
  pathToFileURL(join(root, "dist/exchange/index.js")).href
);

const simModule = pathToFileURL(join(root, "dist/sim/index.js")).href;
const child = spawn(
  process.execPath,
  [
    "--input-type=module",
    "-e",
    `import { startSim } from ${JSON.stringify(simModule)};
     const sim = await startSim({ seed: 1, tickMs: 0 });
     process.stdout.write(JSON.stringify({ httpUrl: sim.httpUrl, wsUrl: sim.wsUrl }) + "\\n");
     process.on("SIGTERM", () => sim.close().then(() => process.exit(0)));`,
  ],
  { stdio: ["ignore", "pipe", "inherit"] },
);
const { httpUrl, wsUrl } = await new Promise((resolve, reject) => {
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

async function funded() {
  const key = generatePrivateKey();
  const wallet = privateKeyToAccount(key);
  await control({ type: "fund", user: wallet.address, usd: 10_000_000 });
  return {
    key,
    address: wallet.address.toLowerCase(),
    sdk: new ExchangeClient({ transport: new HttpTransport({ apiUrl: httpUrl }), wallet }),
  };
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const cloid = () => `0x${randomBytes(16).toString("hex")}`;
const fmt = (xs) => {
  xs.sort((a, b) => a - b);
  return `p50 ${pct(xs, 50).toFixed(2)} ms   p99 ${pct(xs, 99).toFixed(2)} ms   (n=${xs.length})`;
};

try {
  const master = await funded();
  const agentKey = generatePrivateKey();
  await master.sdk.approveAgent({ agentAddress: privateKeyToAccount(agentKey).address, agentName: "bench" });
  // The simulator has no rate limit; the default budget would (rightly) pace this bench to the
  // exchange's 1200 weight/min: a burst of 200, then ≈ 16 single orders/s.
  const budget = new RequestBudget({ limitPerMinute: 1e9, burst: 1e6 });
  const client = createExchangeClient({
    httpUrl,
    wsUrl,
    isTestnet: false,
    agentKey,
    account: master.address,
    budget,
  });
  const markets = await client.getMarkets();
  const eth = markets.ETH;
  const act = (side) => ({
    coin: "ETH",
    side,
    size: 0.01,
    limitPx: Number((side === "buy" ? eth.mid * 1.01 : eth.mid * 0.99).toPrecision(5)),
    reduceOnly: false,
    cloid: cloid(),
    reason: "open",
    refPx: eth.mid,
  });
  console.log(`adapter bench (node ${process.versions.node}; simulator in a child process, frozen prices)`);

  // 1. placeOrders round trip.
  for (let i = 0; i < 20; i++) await client.placeOrders([act(i % 2 ? "sell" : "buy")], markets);
  const rt = [];
  for (let i = 0; i < orders; i++) {
    const t0 = performance.now();
    const [r] = await client.placeOrders([act(i % 2 ? "sell" : "buy")], markets);
    rt.push(performance.now() - t0);
    if (r.status !== "filled") throw new Error(`order ${r.status}: ${r.error}`);
  }
  console.log(`  placeOrders round trip (1 IOC, agent-signed):   ${fmt(rt)}`);

  // 2. Copy lag: leader fill → our fill, exchange clock; the order goes out from the stream event.
  const leader = await funded();
  const ourFillTime = new Map();
  let pending;
  const lags = [];
  const streams = await openStreams({
    wsUrl,
    isTestnet: false,
    users: { leaders: [leader.address], us: master.address },
    onEvent: (e) => {
      if (e.type === "leaderFill" && !e.isSnapshot && pending) {
        const { resolve, side } = pending;
        pending = undefined;
        const leaderTime = e.fills[0].time;
        const a = act(side);
        const tEvent = performance.now();
        client.placeOrders([a], markets).then(([r]) =>
          resolve({
            leaderTime,
            cloid: a.cloid,
            status: r.status,
            decideToAck: performance.now() - tEvent,
          }),
        );
      }
      if (e.type === "ourFill" && !e.isSnapshot)
        for (const f of e.fills) if (f.cloid) ourFillTime.set(f.cloid, f.time);
    },
  });
  const acks = [];
  const before = await control({ type: "stats" });
  for (let i = 0; i < copies; i++) {
    const side = i % 2 ? "sell" : "buy";
    const done = new Promise((resolve) => {
      pending = { resolve, side };
    });
    await leader.sdk.order({
      orders: [
        {
          a: eth.assetId,
          b: side === "buy",
          p: (side === "buy" ? eth.mid * 1.01 : eth.mid * 0.99).toPrecision(5),
          s: "0.01",
          r: false,
          t: { limit: { tif: "Ioc" } },
        },
      ],
      grouping: "na",
    });
    const r = await done;
    if (r.status !== "filled") throw new Error(`copy ${r.status}`);
    acks.push(r.decideToAck);
    const until = Date.now() + 2000;
    while (!ourFillTime.has(r.cloid) && Date.now() < until) await new Promise((x) => setTimeout(x, 1));
    lags.push(ourFillTime.get(r.cloid) - r.leaderTime);
  }
  const after = await control({ type: "stats" });
  await streams.close();
  console.log(`  copy lag, leader fill → our fill (sim clock):   ${fmt(lags)}`);
  console.log(`  stream event → order acknowledged (local):      ${fmt(acks)}`);
  console.log(
    `  requests per copied trade: ${(after.requests.exchange - before.requests.exchange - copies) / copies} order, ${(after.requests.info - before.requests.info) / copies} info`,
  );
} finally {
  child.kill("SIGTERM");
}
