// What a dry run pays to read the journal: openJournal(file, { writes: "memory" }) — one
// snapshot of the file copied into memory (store/journal.ts copyJournal) — on a journal of tens
// of MB (plans and state events of 20 coins), in-process. Median and range over several rounds,
// and how much the process grows at the first copy. Imports the built dist/
// (`npm run bench journal-copy`). BENCH_SMALL=N adds N equity snapshots and N sweep events — the
// small rows a long follow keeps (they are never pruned); the copy's cost grows with rows too.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { summarize } from "../dist/core/stats.js";
import { openJournal } from "../dist/store/journal.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const RECORDS = Number(process.env.BENCH_RECORDS ?? 4000);
const SMALL = Number(process.env.BENCH_SMALL ?? 0);

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
    for (let i = 0; i < SMALL; i++) {
      live.recordEquity(i, 10_000 + i / 100);
      live.recordEvent({ ts: i, type: "sweep", runId: run, data: { inSync: true, driftUsd: 0 } });
    }
  });
  live.close();
  const mb = statSync(file).size / 1e6;
  const ms = [];
  let grew = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const rss = process.memoryUsage().rss;
    const start = performance.now();
    const dry = openJournal(file, { writes: "memory" });
    ms.push(performance.now() - start);
    // The first copy only: later ones reuse what the allocator kept from the copies closed before.
    if (r === 0) grew = (process.memoryUsage().rss - rss) / 1e6;
    dry.close();
  }
  const t = summarize(ms);
  const rows = RECORDS * 2 + SMALL * 2;
  console.log(
    `journal copy for a dry run (Node ${process.versions.node}): ${mb.toFixed(1)} MB journal, ${rows} rows, ${ROUNDS} rounds: ` +
      `median ${t.median.toFixed(1)} ms (range ${t.min.toFixed(1)}–${t.max.toFixed(1)} ms); rss growth at the first copy: ${grew.toFixed(0)} MB`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
