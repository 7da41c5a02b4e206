// Journal cost on the hot path: recordDecision + recordOrderIntent + updateOrder for one
// copied order, on a real SQLite file (WAL) in a temp dir, in-process (no process start).
// Median and range over several rounds. Imports the built dist/ (`npm run bench journal`).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { summarize } from "../dist/core/stats.js";
import { openJournal } from "../dist/store/journal.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const N = Number(process.env.BENCH_RUNS ?? 2000);
const T0 = Date.UTC(2025, 0, 2, 12);

const action = (cloid) => ({
  coin: "BTC",
  side: "buy",
  size: 0.01,
  limitPx: 65_200,
  reduceOnly: false,
  cloid,
  reason: "open",
  refPx: 65_000,
});
const plan = {
  actions: [action("0x0000000000000000000000000000000a")],
  skipped: [],
  targets: [{ coin: "BTC", leaderSize: 1, targetSize: 0.01, ourSize: 0, driftUsd: 650, mid: 65_000 }],
  effectiveRatio: 0.01,
  portfolioScale: 1,
  inSync: false,
};

const dir = mkdtempSync(join(tmpdir(), "hlcopy-bench-journal-"));
const perSequenceMs = [];
try {
  const jr = openJournal(join(dir, "journal.sqlite"));
  let i = 0;
  const run = () => {
    const cloid = `0x${(i++).toString(16).padStart(32, "0")}`;
    jr.recordDecision({ runId: 1, ts: T0 + i, trigger: "fill", coins: ["BTC"], plan });
    jr.recordOrderIntent({ runId: 1, ts: T0 + i, action: action(cloid), request: { i } });
    jr.updateOrder(cloid, {
      ts: T0 + i,
      status: "filled",
      oid: i,
      filledSize: 0.01,
      avgPx: 65_000,
      reply: {},
    });
  };
  for (let k = 0; k < 200; k++) run(); // warm up
  for (let r = 0; r < ROUNDS; r++) {
    const start = performance.now();
    for (let k = 0; k < N; k++) run();
    perSequenceMs.push((performance.now() - start) / N);
  }
  jr.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const s = summarize(perSequenceMs);
console.log(
  `journal: decision + intent + update per copied order, in-process on a WAL file, ${ROUNDS} rounds × ${N}: ` +
    `median ${s.median.toFixed(3)} ms (range ${s.min.toFixed(3)}–${s.max.toFixed(3)} ms)`,
);
