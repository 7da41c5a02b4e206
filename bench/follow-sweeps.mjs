// Copying while sweeping: 5 leaders × 50 coins at BENCH_RATE trades/s each (default 2, so 10
// a second in all), a sweep every BENCH_SWEEP_SECONDS (default 2), prices moving (500 ms
// ticks). A sweep's REST reads run beside the hot path, so a leader's fill never waits for
// one: copy lag stays that of a quiet run. Median and [range] over BENCH_RUNS runs (default
// 3) of BENCH_SECONDS each (default 20). Imports the built dist/.
import { followRun, quantile, summary } from "./lib/follow-harness.mjs";

const runs = Number(process.env.BENCH_RUNS ?? 3);
const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const rate = Number(process.env.BENCH_RATE ?? 2);
const sweepSeconds = Number(process.env.BENCH_SWEEP_SECONDS ?? 2);

const results = [];
for (let i = 0; i < runs; i++) {
  results.push(
    await followRun({ leaders: 5, rate, coins: 50, tickMs: 500, sweepSeconds, seconds, warmupMs: 5_000 }),
  );
}
const per = (f) => results.map(f);
console.log(
  `follow-sweeps bench (node ${process.versions.node}; 5 leaders × 50 coins at ${rate} trades/s each, a sweep every ${sweepSeconds} s; ${runs} runs × ${seconds} s; median [range] over runs)`,
);
console.log(
  `  copy lag, leader fill → our fill (simulator clock):   p50 ${summary(per((r) => quantile(r.lags, 0.5)))} ms   p99 ${summary(per((r) => quantile(r.lags, 0.99)))} ms   max ${summary(per((r) => Math.max(...r.lags)))} ms   (target p99 < 50)`,
);
console.log(
  `  added latency in the process, frame in → order out:   p50 ${summary(
    per((r) => quantile(r.added, 0.5)),
    2,
  )} ms   p99 ${summary(
    per((r) => quantile(r.added, 0.99)),
    2,
  )} ms (a leader fill that needed no order of its own is paired with the next order out, a sweep's too, so the tail is an upper bound; the copy lag above is per copied order)`,
);
console.log(
  `  sweeps: ${summary(
    per((r) => r.sweeps),
    0,
  )} per run, each p50 ${summary(
    per((r) => quantile(r.sweepMs, 0.5)),
    0,
  )} ms, max ${summary(
    per((r) => Math.max(...r.sweepMs)),
    0,
  )} ms (reads outside the queue); /info requests per sweep ${summary(per((r) => r.infoRequests / Math.max(1, r.sweeps)))}`,
);
console.log(
  `  leverage set in the window (first increase of a coin this run, one request each, on the queue): ${summary(
    per((r) => r.leverageUpdates),
    0,
  )}`,
);
console.log(
  `  CPU of the process per copied order: ${summary(
    per((r) => r.cpuMsPerCopy),
    2,
  )} ms (${summary(per((r) => r.cpuMsPerSecond))} ms/s); copied orders per run: ${summary(
    per((r) => r.copied),
    0,
  )}`,
);
