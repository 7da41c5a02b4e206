// The follow engine end to end on the simulator: copy lag from the leader's fill to ours on
// the simulator's clock, planner time per leader event, and requests per copied trade.
// The simulator and its scripted leader run in a child process (`hlcopy sim --leader`); the
// engine runs here with a journal on disk, as `hlcopy follow` does. Imports the built dist/.
// Knobs: BENCH_SECONDS (default 20), BENCH_RATE (leader trades/s, default 10), BENCH_PROTECT=1
// (resting stop-loss 5 % and take-profit 10 % on every position: what protection costs),
// BENCH_TIERS=1 (with BENCH_PROTECT: take-profit tiers "3:0.5,6:0.5" instead of the single 10 %).
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ExchangeClient, HttpTransport } from "@nktkas/hyperliquid";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const rate = Number(process.env.BENCH_RATE ?? 10);
const protect = process.env.BENCH_PROTECT === "1";
const tiers = protect && process.env.BENCH_TIERS === "1";
const load = (p) => import(pathToFileURL(join(root, "dist", p)).href);
const { CopyEngine } = await load("engine/engine.js");
const { liveExecutor } = await load("engine/executor.js");
const { engineClient, streamsOpener } = await load("engine/wiring.js");
const { RequestBudget } = await load("exchange/index.js");
const { openJournal } = await load("store/journal.js");
const { defaultSettings, parseTakeProfitTiers } = await load("core/settings.js");

const child = spawn(
  process.execPath,
  [join(root, "bin/hlcopy.js"), "sim", "--tick-ms", "0", "--leader", "random", "--leader-rate", `${rate}/s`],
  { stdio: ["ignore", "pipe", "ignore"] },
);
const ready = await new Promise((resolve, reject) => {
  let buffer = "";
  child.stdout.on("data", (d) => {
    buffer += d;
    if (buffer.includes("\n")) resolve(JSON.parse(buffer.split("\n")[0]));
  });
  child.on("exit", (code) => reject(new Error(`simulator exited with ${code}`)));
});
const control = async (body) =>
  (await fetch(`${ready.httpUrl}/control`, { method: "POST", body: JSON.stringify(body) })).json();

const masterKey = generatePrivateKey();
const master = privateKeyToAccount(masterKey);
const account = master.address.toLowerCase();
await control({ type: "fund", user: account, usd: 100_000 });
const agentKey = generatePrivateKey();
await new ExchangeClient({
  transport: new HttpTransport({ apiUrl: ready.httpUrl }),
  wallet: master,
}).approveAgent({
  agentAddress: privateKeyToAccount(agentKey).address,
  agentName: "hlcopy",
});

const settings = defaultSettings();
settings.sizing.mode = "fixed-ratio";
settings.sizing.ratio = 0.2;
settings.exec.sweepSeconds = 3600; // one start sweep; everything after is the hot path
if (protect) {
  settings.risk.stopLossPct = 5;
  if (tiers) settings.risk.takeProfitTiers = parseTakeProfitTiers("3:0.5,6:0.5");
  else settings.risk.takeProfitPct = 10;
}
const client = engineClient({
  httpUrl: ready.httpUrl,
  wsUrl: ready.wsUrl,
  isTestnet: false,
  account,
  agentKey,
  budget: new RequestBudget(),
});
const journal = openJournal(join(mkdtempSync(join(tmpdir(), "hlcopy-bench-")), "journal.sqlite"));
const engine = new CopyEngine({
  reader: client,
  executor: liveExecutor(client),
  journal,
  settings,
  leaders: [{ address: ready.leader, weight: 1 }],
  account,
  network: ready.httpUrl,
  mode: "live",
  command: "follow",
  ...(protect ? { protection: client } : {}),
});
const lags = [];
const decisions = [];
let copied = 0;
let started = false;
engine.events.on((e) => {
  if (!started) return;
  if (e.type === "fill" && e.lagMs !== null) lags.push(e.lagMs);
  if (e.type === "decision" && e.trigger === "fill" && e.durationMs !== undefined)
    decisions.push(e.durationMs);
  if (e.type === "order" && e.filledSize > 0) copied++;
});
const running = engine.run(
  streamsOpener({ wsUrl: ready.wsUrl, isTestnet: false, leaders: [ready.leader], account }),
);
await new Promise((r) => setTimeout(r, 1_500)); // the start sweep and a few trades
const before = await control({ type: "stats" });
const t0 = (await control({ type: "now" })).now;
started = true;
await new Promise((r) => setTimeout(r, seconds * 1_000));
started = false;
const after = await control({ type: "stats" });
const t1 = (await control({ type: "now" })).now;
const inWindow = (orders) => orders.filter((o) => o.time >= t0 && o.time <= t1);
const leaderOrders = inWindow(await control({ type: "orderHistory", user: ready.leader })).length;
const ourOrders = inWindow(await control({ type: "orderHistory", user: account })).length;
// Every leader order is one request of its own; the rest of /exchange traffic is ours.
const ourRequests = after.http.exchange - before.http.exchange - leaderOrders;
const infoRequests = after.http.info - before.http.info;
await engine.stop("bench over");
await running;
journal.close();
child.kill("SIGTERM");

const q = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * p;
  const lo = Math.floor(pos);
  return s[lo] + (s[Math.ceil(pos)] - s[lo]) * (pos - lo);
};
console.log(
  `follow bench (node ${process.versions.node}; simulator + leader at ${rate} trades/s in a child process; ${seconds} s; journal on disk; resting protection ${protect ? `on: stop 5 %, ${tiers ? "take-profit tiers 3:0.5,6:0.5" : "take-profit 10 %"}` : "off"})`,
);
console.log(
  `  copy lag, leader fill → our fill (sim clock):  p50 ${q(lags, 0.5).toFixed(1)} ms   p99 ${q(lags, 0.99).toFixed(1)} ms   (n=${lags.length}; target p50 < 10, p99 < 30)`,
);
console.log(
  `  planner time per leader event:                p50 ${(q(decisions, 0.5) * 1000).toFixed(0)} µs   p99 ${(q(decisions, 0.99) * 1000).toFixed(0)} µs   (n=${decisions.length}; target p99 < 1 ms)`,
);
console.log(
  `  requests per copied trade:                    ${(ourRequests / Math.max(1, decisions.length)).toFixed(2)} /exchange request per leader event (${ourRequests} requests, ${ourOrders} orders, ${decisions.length} events); ${infoRequests} /info requests in ${seconds} s (target: exactly 1 and 0)`,
);
const mem = process.memoryUsage();
console.log(
  `  copied ${copied} orders over ${seconds} s; process heap ${(mem.heapUsed / 2 ** 20).toFixed(1)} MiB, rss ${(mem.rss / 2 ** 20).toFixed(1)} MiB (engine + SDK + journal)`,
);
