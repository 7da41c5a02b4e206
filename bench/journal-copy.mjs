// What a dry run pays to read the journal: openJournal(file, { writes: "memory" }) — one
// read-only snapshot of the file copied into memory (store/journal.ts JournalWrites) — on a
// journal of tens of MB (plans and state events of 20 coins), in-process. Median and range over
// several rounds, and how much the process grows while the copy is open. Imports the built dist/
// (`npm run bench journal-copy`).
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { summarize } from "../dist/core/stats.js";
import { openJournal } from "../dist/store/journal.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const RECORDS = Number(process.env.BENCH_RECORDS ?? 4000);

const targets = Array.from({ length: 20 }, (_, i) => ({
  coin: `C${i}`,
  leaderSize: 1,
  targetSize: 0.01,
  ourSize: 0.01,
  driftUsd: 0,
  mid: 100,
  deadbandUsd: 10,
}));
const plan = { actions: [], skipped: [], targets, effectiveRatio: 0.01, portfolioScale: 1, inSync: true };

const dir = mkdtempSync(join(tmpdir(), "hlcopy-bench-journal-copy-"));
try {
  const file = join(dir, "journal.sqlite");
  const live = openJournal(file);
  const run = live.startRun({
    command: "follow",
    leaders: [],
    account: "0x0",
    network: "x",
    settings: {},
    startedAt: 0,
  });
  live.batch(() => {
    for (let i = 0; i < RECORDS; i++) {
      live.recordDecision({ runId: run, ts: i, trigger: "sweep", coins: ["BTC"], plan });
      live.recordEvent({ ts: i, type: "state", runId: run, data: { targets } });
    }
  });
  live.close();
  const mb = statSync(file).size / 1e6;
  const ms = [];
  const held = [];
  for (let r = 0; r < ROUNDS; r++) {
    const rss = process.memoryUsage().rss;
    const start = performance.now();
    const dry = openJournal(file, { writes: "memory" });
    ms.push(performance.now() - start);
    held.push((process.memoryUsage().rss - rss) / 1e6);
    dry.close();
  }
  const t = summarize(ms);
  const m = summarize(held);
  console.log(
    `journal copy for a dry run: ${mb.toFixed(1)} MB journal, ${ROUNDS} rounds: median ${t.median.toFixed(1)} ms ` +
      `(range ${t.min.toFixed(1)}–${t.max.toFixed(1)} ms); rss growth while open (the image's buffer included until collected): median ${m.median.toFixed(0)} MB`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
