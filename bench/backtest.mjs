// Backtest throughput (issue 9 target: 100,000 fills in under 3 s on this machine).
// Deterministic synthetic fills (seeded), written as the API's userFills JSON (decimal
// strings), then parsed and replayed through the planner with the default friction model.
// Run: npm run build && node bench/backtest.mjs [fills]   (or: npm run bench -- backtest)
import { availableParallelism, cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = (p) => import(join(root, "dist", p));
const { syntheticFills, toWireFill, SYNTHETIC_META } = await dist("analytics/synthetic.js");
const { parseFillsJson } = await dist("analytics/wire.js");
const { runBacktest } = await dist("analytics/replay.js");
const { defaultSettings } = await dist("core/settings.js");

const n = Number(process.argv[2] ?? 100_000);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const text = JSON.stringify(syntheticFills({ fills: n, seed: 42 }).map(toWireFill));

const settings = defaultSettings();
const results = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const fills = parseFillsJson(text, "bench");
  const t1 = performance.now();
  const r = runBacktest({ fills, settings, equity: 10_000, meta: SYNTHETIC_META });
  const t2 = performance.now();
  results.push({ parse: t1 - t0, replay: t2 - t1, total: t2 - t0, r });
}
results.sort((a, b) => a.total - b.total);
const med = results[Math.floor(results.length / 2)];
const { r } = med;
console.log(
  `backtest (${n.toLocaleString("en-US")} fills, median of ${runs}, node ${process.versions.node}, ${availableParallelism()} cores, ${cpus()[0]?.model ?? "?"})`,
);
console.log(`  parse JSON + schema   ${med.parse.toFixed(0)} ms  (${(text.length / 1e6).toFixed(1)} MB)`);
console.log(
  `  replay                ${med.replay.toFixed(0)} ms  (${r.plans.toLocaleString("en-US")} plans, ${r.targetState.orders.toLocaleString("en-US")} target-state orders, ${r.naive.orders.toLocaleString("en-US")} naive orders)`,
);
console.log(
  `  total                 ${med.total.toFixed(0)} ms  (target < 3000 ms: ${med.total < 3000 ? "ok" : "MISSED"})`,
);
console.log(`  throughput            ${Math.round(n / (med.total / 1000)).toLocaleString("en-US")} fills/s`);
