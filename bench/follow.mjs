// The follow engine end to end on the simulator, one leader at BENCH_RATE trades/s (default
// 10) over the simulator's 11 coins, no sweeps in the window (everything is the hot path).
// Figures, as the median and [range] over BENCH_RUNS runs (default 3) of BENCH_SECONDS each
// (default 30: a p99 of 300 copies is their 4th slowest; of 150 it was the 2nd): added latency
// inside the process (leader-fill frame in → signed order request's bytes handed to the
// socket; also the p99 of every run's copies pooled), copy lag on the simulator's clock, CPU
// of the process per copied order and how long its main thread waited for a core, planner
// time per leader event, requests per copied trade. The simulator and its leader run in a
// child process (BENCH_PIN=1: on a core of their own, lib/cores.mjs); the engine runs here
// with a journal on disk, as `hlcopy follow` does.
// Imports the built dist/ (npm run bench builds first). BENCH_CPU_PROF=<dir> writes a CPU
// profile of each run's measured window there (BENCH_CPU_PROF_US: sampling interval, µs), and
// BENCH_HEAP_PROF=<dir> a sampling profile of what it allocated (BENCH_HEAP_PROMOTED=1: of what
// outlived the young generation);
// BENCH_PATH_CPU=1 adds the CPU spent between each leader frame and its order (costly probes);
// BENCH_WARMUP_SECONDS (default 90): copying before the window opens. A follow runs for days:
// its figures are those after V8 has compiled the copy path, which takes about a minute and a
// half at 10 trades/s (the first minute, BENCH_WARMUP_SECONDS=3, reads ~35 % more CPU per
// order and a ~1.5× p99 here: bench/HISTORY.md 2026-12-04 21:00).
import { pinningNote } from "./lib/cores.mjs";
import { followRun, pathCpuProbe, quantile, summary } from "./lib/follow-harness.mjs";

const runs = Number(process.env.BENCH_RUNS ?? 3);
const seconds = Number(process.env.BENCH_SECONDS ?? 30);
const rate = Number(process.env.BENCH_RATE ?? 10);
const warmupMs = Number(process.env.BENCH_WARMUP_SECONDS ?? 90) * 1000;
// BENCH_PROTECT=1: a resting stop-loss 5 % and take-profit 10 % on every position (what protection
// costs); BENCH_TIERS=1 with it: take-profit tiers "3:0.5,6:0.5" instead of the single 10 %.
const protect = process.env.BENCH_PROTECT === "1";
const tiers = protect && process.env.BENCH_TIERS === "1";

const results = [];
for (let i = 0; i < runs; i++) {
  results.push(
    await followRun({
      leaders: 1,
      rate,
      coins: 11,
      tickMs: 0,
      sweepSeconds: 3600,
      seconds,
      warmupMs,
      protect,
      tiers,
    }),
  );
}
const per = (f) => results.map(f);
console.log(
  `follow bench (node ${process.versions.node}; 1 leader at ${rate} trades/s, 11 coins; ${runs} runs × ${seconds} s after ${warmupMs / 1000} s; journal on disk; ${pinningNote}; resting protection ${protect ? `on: stop 5 %, ${tiers ? "take-profit tiers 3:0.5,6:0.5" : "take-profit 10 %"}` : "off"}; median [range] over runs)`,
);
console.log(
  `  added latency in the process, leader-fill frame in → signed order's write to the socket:  p50 ${summary(
    per((r) => quantile(r.added, 0.5)),
    2,
  )} ms   p99 ${summary(
    per((r) => quantile(r.added, 0.99)),
    2,
  )} ms   (target p99 < 2); all ${results.reduce((n, r) => n + r.added.length, 0)} copies pooled: p99 ${quantile(
    results.flatMap((r) => r.added),
    0.99,
  ).toFixed(2)} ms`,
);
console.log(
  `    … until that write call returned (includes the simulator run on our core by the write): p50 ${summary(
    per((r) => quantile(r.addedWritten, 0.5)),
    2,
  )} ms   p99 ${summary(
    per((r) => quantile(r.addedWritten, 0.99)),
    2,
  )} ms`,
);
console.log(
  `    frames that found no order of ours in flight (${summary(
    per((r) => 100 * (1 - r.waited)),
    0,
  )} %): p50 ${summary(
    per((r) => quantile(r.addedFree, 0.5)),
    2,
  )} ms   p99 ${summary(
    per((r) => quantile(r.addedFree, 0.99)),
    2,
  )} ms${
    pathCpuProbe
      ? `; CPU spent on that path p50 ${summary(
          per((r) => quantile(r.pathCpu, 0.5)),
          2,
        )} ms   p99 ${summary(
          per((r) => quantile(r.pathCpu, 0.99)),
          2,
        )} ms (BENCH_PATH_CPU=1: its probes add ~0.2 ms to every figure here)`
      : ""
  }`,
);
// What the collector adds to the tail: the free frames a GC pause fell inside, and the others.
const gcShare = (r, key) => (100 * r.pathGc[key]) / Math.max(1, r.addedFree.length);
console.log(
  `      of those, a GC pause fell inside the path of ${summary(
    per((r) => gcShare(r, "young")),
    0,
  )} % (young generation) and ${summary(
    per((r) => gcShare(r, "full")),
    1,
  )} % (full); the others: p50 ${summary(
    per((r) => quantile(r.pathGc.clear, 0.5)),
    2,
  )} ms   p99 ${summary(
    per((r) => quantile(r.pathGc.clear, 0.99)),
    2,
  )} ms`,
);
console.log(
  `  copy lag, leader fill → our fill (simulator clock):                     p50 ${summary(per((r) => quantile(r.lags, 0.5)))} ms   p99 ${summary(per((r) => quantile(r.lags, 0.99)))} ms   (targets p50 < 10, p99 < 30)`,
);
console.log(
  `  CPU of the process per copied order:                                    ${summary(
    per((r) => r.cpuMsPerCopy),
    2,
  )} ms   (${summary(per((r) => r.cpuMsPerSecond))} ms/s; target < 1.5 ms); main thread ${summary(
    per((r) => r.mainCpuMsPerCopy),
    2,
  )} ms, ${summary(
    per((r) => 100 * r.mainSystemShare),
    0,
  )} % of it in the kernel; it waited for a core ${summary(per((r) => r.waitMsPerSecond))} ms/s (runnable, not running)`,
);
console.log(
  `  planner time per leader event:                                          p50 ${summary(
    per((r) => quantile(r.planMs, 0.5) * 1000),
    0,
  )} µs   p99 ${summary(
    per((r) => quantile(r.planMs, 0.99) * 1000),
    0,
  )} µs`,
);
console.log(
  `  /exchange requests per copied trade: ${summary(
    per((r) => r.exchangePerDecision),
    2,
  )} (target exactly 1); /info requests in the window: ${summary(
    per((r) => r.infoRequests),
    0,
  )} (target 0); copied orders per run: ${summary(
    per((r) => r.copied),
    0,
  )}`,
);
