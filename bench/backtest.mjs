// Backtest speed and memory through the real command (issue 19 targets: 100,000 fills
// < 2 s and 1,000,000 fills < 20 s with process start included, peak RSS < 500 MB at 1M).
// Deterministic synthetic fills (seeded) are written once as the API's userFills JSON
// (decimal strings) plus a meta file, then `hlcopy backtest --fills … --json` is spawned
// BENCH_RUNS times per size; wall time and the child's peak RSS (getrusage maxrss of the
// waited child, via /usr/bin/time when present) are reported as median and range.
// Run: npm run build && node bench/backtest.mjs [fills…]   (default: 100000 1000000)
import { spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = (p) => import(join(root, "dist", p));
const { syntheticFills, toWireFill, SYNTHETIC_META } = await dist("analytics/synthetic.js");

const sizes = process.argv.slice(2).map(Number);
if (sizes.length === 0) sizes.push(100_000, 1_000_000);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const dir = mkdtempSync(join(tmpdir(), "hlcopy-bench-bt-"));
const bin = join(root, "bin", "hlcopy.js");
const timeBin = existsSync("/usr/bin/time") ? "/usr/bin/time" : null;
const meta = join(dir, "meta.json");
writeFileSync(
  meta,
  JSON.stringify({
    universe: SYNTHETIC_META.map((m) => ({
      name: m.name,
      szDecimals: m.szDecimals,
      maxLeverage: m.maxLeverage,
    })),
  }),
);

/** Write n fills as a JSON array, in chunks (1M fills as one string would skew nothing but the bench's own memory). */
async function writeFills(n, file) {
  const fills = syntheticFills({ fills: n, seed: 42 });
  const out = createWriteStream(file);
  const write = (s) => (out.write(s) ? null : new Promise((r) => out.once("drain", r)));
  await write("[");
  for (let i = 0; i < fills.length; i += 10_000) {
    const part = fills.slice(i, i + 10_000).map((f) => JSON.stringify(toWireFill(f)));
    await write((i > 0 ? "," : "") + part.join(","));
  }
  await write("]");
  await new Promise((r) => out.end(r));
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const targets = { 100000: 2000, 1000000: 20000 };
console.log(
  `backtest through the CLI (median and range of ${runs} runs, node ${process.versions.node}, ${availableParallelism()} cores, ${cpus()[0]?.model ?? "?"})`,
);
let missed = 0;
try {
  for (const n of sizes) {
    const file = join(dir, `fills-${n}.json`);
    await writeFills(n, file);
    const times = [];
    const rss = [];
    let doc = null;
    for (let i = 0; i < runs; i++) {
      const args = [bin, "backtest", "--fills", file, "--meta", meta, "--equity", "10000", "--json"];
      const t0 = performance.now();
      const r = timeBin
        ? spawnSync(timeBin, ["-f", "%M", process.execPath, ...args], {
            encoding: "utf8",
            maxBuffer: 1 << 26,
          })
        : spawnSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 26 });
      times.push(performance.now() - t0);
      if (r.status !== 0) throw new Error(`backtest exited ${r.status}: ${r.stderr}`);
      if (timeBin) rss.push(Number(r.stderr.trim().split("\n").at(-1)) / 1024);
      doc ??= JSON.parse(r.stdout);
    }
    const res = doc.result ?? doc.data?.result ?? doc;
    const t = median(times);
    const target = targets[n];
    const ok =
      target === undefined
        ? ""
        : t < target
          ? ` (target < ${target} ms: ok)`
          : ` (target < ${target} ms: MISSED)`;
    if (target !== undefined && t >= target) missed++;
    console.log(
      `  ${n.toLocaleString("en-US").padStart(9)} fills  ${t.toFixed(0)} ms  [${Math.min(...times).toFixed(0)}–${Math.max(...times).toFixed(0)}]${ok}`,
    );
    if (rss.length > 0) {
      const m = median(rss);
      const rssOk = n >= 1_000_000 ? (m < 500 ? " (target < 500 MB: ok)" : " (target < 500 MB: MISSED)") : "";
      if (n >= 1_000_000 && m >= 500) missed++;
      console.log(
        `  ${"".padStart(15)}  peak RSS ${m.toFixed(0)} MB  [${Math.min(...rss).toFixed(0)}–${Math.max(...rss).toFixed(0)}]${rssOk}`,
      );
    }
    if (res?.plans !== undefined)
      console.log(
        `  ${"".padStart(15)}  ${res.plans.toLocaleString("en-US")} plans, ${res.targetState.orders.toLocaleString("en-US")} target-state orders, ${res.naive.orders.toLocaleString("en-US")} naive orders`,
      );
    rmSync(file, { force: true });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exitCode = missed ? 1 : 0;
