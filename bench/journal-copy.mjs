// What a dry run pays to read the journal: openJournal(file, { writes: "memory" }) — one
// snapshot of the file copied into memory (store/journal.ts copyJournal: every row a run reads
// back, not the plans and events it never reads) — in-process, on the journal a follow at its
// defaults leaves after BENCH_DAYS days (default 30, the plans' and events' retention): a sweep
// every 30 s (its plan, its event, an equity snapshot), a state record a minute, and
// BENCH_ORDERS_PER_DAY copied orders a day (default 1 000: the plan, the order, its fill), 11
// coins, record bodies of the engine's size. Median and range over BENCH_ROUNDS copies, and how
// much the process grows at the first; then the real commands that read that journal, against
// the simulator, process start included: `hlcopy reconcile <leader> --dry-run --json`, `status`
// and `report`, their wall time and peak RSS (/usr/bin/time; BENCH_COMMAND=0 leaves them out).
// Imports the built dist/ (`npm run bench journal-copy`).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { summarize } from "../dist/core/stats.js";
import { journalPath, openJournal } from "../dist/store/journal.js";
import { startSimChild } from "./lib/sim-process.mjs";
import { fundedTrader } from "./lib/trader.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const command = process.env.BENCH_COMMAND !== "0" && existsSync("/usr/bin/time");

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const DAYS = Number(process.env.BENCH_DAYS ?? 30);
const ORDERS_PER_DAY = Number(process.env.BENCH_ORDERS_PER_DAY ?? 1000);
const DAY_MS = 86_400_000;
const SWEEP_MS = 30_000;
/** The month ends now (report's window is the last 7 days), on a minute: a state record a minute. */
const T0 = Math.floor((Date.now() - DAYS * DAY_MS) / 60_000) * 60_000;

const COINS = ["BTC", "ETH", "SOL", "HYPE", "DOGE", "AVAX", "LINK", "ARB", "OP", "SUI", "XRP"];
// As the engine journals them: each coin's target with how it was sized.
const targets = COINS.map((coin, i) => ({
  coin,
  leaderSize: 0.4885 * (i + 1),
  targetSize: 0.0244 * (i + 1),
  ourSize: 0.0244 * (i + 1),
  driftUsd: 0,
  mid: 3413.4 + i,
  deadbandUsd: 10,
  sizing: {
    mode: "fixed-ratio",
    inputs: { weight: 1, ratio: 0.05 },
    detail: "fixed-ratio: 0.05 = ratio 0.05",
  },
}));
// Each sweep and state record carries the copy's P&L (what report and status read of them).
const pnl = {
  since: T0,
  startEquity: 10_000,
  realisedUsd: 12.5,
  unrealisedUsd: -3.25,
  feesUsd: 4.1,
  fundingUsd: -0.2,
  netUsd: 4.95,
  roiPct: 0.0495,
  fills: 100,
  volumeUsd: 8_000,
  byCoin: [],
  byLeader: [],
};
const sweepPlan = {
  actions: [],
  skipped: [],
  targets: targets.slice(0, 4),
  effectiveRatio: 0.05,
  inSync: true,
};
const action = (i) => ({
  coin: COINS[i % COINS.length],
  side: i % 2 ? "sell" : "buy",
  size: 0.0244,
  limitPx: 3420.5,
  reduceOnly: false,
  cloid: `0x${i.toString(16).padStart(32, "0")}`,
  reason: "open",
  refPx: 3413.4,
});

const dir = mkdtempSync(join(tmpdir(), "hlcopy-bench-journal-copy-"));
const started = command ? startSimChild({ leaders: 1, rate: 2, coins: 11, tickMs: 0 }) : null;
try {
  const sim = started ? await started.ready : null;
  const { account } = sim ? await fundedTrader(sim.httpUrl, 100_000) : { account: "0x0" };
  const network = sim?.httpUrl ?? "x";
  const file = journalPath(dir, account, network);
  const live = openJournal(file, { groupCommitMs: 0 });
  const run = live.startRun({
    command: "follow",
    leaders: [],
    account,
    network,
    settings: {},
    startedAt: T0,
  });
  let rows = 0;
  let order = 0;
  for (let day = 0; day < DAYS; day++) {
    live.batch(() => {
      const t0 = T0 + day * DAY_MS;
      for (let ts = t0; ts < t0 + DAY_MS; ts += SWEEP_MS) {
        live.recordDecision({ runId: run, ts, trigger: "sweep", coins: [], plan: sweepPlan });
        live.recordEvent({
          ts,
          type: "sweep",
          runId: run,
          data: { durationMs: 180, requests: 6, trigger: "sweep", inSync: true, driftUsd: 0, targets, pnl },
        });
        live.recordEquity(ts, 10_000 + (ts % 1000) / 100);
        rows += 3;
        if (ts % 60_000 === 0) {
          live.recordEvent({
            ts,
            type: "state",
            runId: run,
            data: { moment: "change", targets, driftMaxUsd: 0, pnl },
          });
          rows++;
        }
      }
      for (let i = 0; i < ORDERS_PER_DAY; i++, order++) {
        const ts = t0 + Math.floor((i * DAY_MS) / ORDERS_PER_DAY) + 1;
        const a = action(order);
        live.recordDecision({
          runId: run,
          ts,
          trigger: "fill",
          coins: [a.coin],
          plan: { ...sweepPlan, actions: [a] },
        });
        live.recordOrderIntent({ runId: run, ts, action: a, kind: "copy", touchPx: 3413.5 });
        live.updateOrder(a.cloid, { ts: ts + 1, status: "filled", filledSize: a.size, avgPx: 3414 });
        live.recordFill({
          tid: order,
          ts: ts + 1,
          coin: a.coin,
          side: a.side,
          px: 3414,
          sz: a.size,
          fee: 0.04,
          cloid: a.cloid,
        });
        rows += 3;
      }
    });
  }
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
  console.log(
    `journal copy for a dry run (Node ${process.versions.node}): ${DAYS} days of a follow (${ORDERS_PER_DAY} orders a day), ` +
      `${mb.toFixed(1)} MB journal, ${rows} rows, ${ROUNDS} rounds: ` +
      `median ${t.median.toFixed(1)} ms (range ${t.min.toFixed(1)}–${t.max.toFixed(1)} ms); rss growth at the first copy: ${grew.toFixed(0)} MB`,
  );
  if (sim) {
    const leader = sim.leaders[0];
    const sizing = ["--mode", "fixed-ratio", "--ratio", "0.05"];
    // Exit 3: the dry run found orders to send (the fresh account holds none of the leader's positions).
    await timed("reconcile --dry-run", ["reconcile", leader, "--dry-run", "--json", ...sizing], [0, 3]);
    await timed("status", ["status"], [0]);
    await timed("report", ["report"], [0]);
  }

  /** The real command against the simulator on that journal, ROUNDS times: wall time and peak RSS. */
  async function timed(name, args, okExits) {
    const wall = [];
    const peak = [];
    for (let r = 0; r < ROUNDS; r++) {
      // /usr/bin/time writes "<seconds> <max RSS KiB>" last on stderr; the output goes nowhere.
      const out = spawnSync(
        "/usr/bin/time",
        [
          "-f",
          "%e %M",
          process.execPath,
          join(root, "bin/hlcopy.js"),
          "--network",
          network,
          "--account",
          account,
          ...args,
        ],
        {
          env: { ...process.env, HLCOPY_CONFIG_DIR: dir, HLCOPY_LOCK_DIR: join(dir, "locks") },
          stdio: ["ignore", "ignore", "pipe"],
        },
      );
      const err = out.stderr.toString().trim();
      if (!okExits.includes(out.status)) throw new Error(`hlcopy ${name} failed:\n${err}`);
      const [s, kib] = err.split("\n").at(-1).split(" ").map(Number);
      wall.push(s * 1000);
      peak.push(kib / 1024);
    }
    const w = summarize(wall);
    const p = summarize(peak);
    console.log(
      `hlcopy ${name} on it (the real command, process start included), ${ROUNDS} runs: ` +
        `median ${w.median.toFixed(0)} ms (range ${w.min.toFixed(0)}–${w.max.toFixed(0)} ms); peak RSS median ${p.median.toFixed(0)} MiB (range ${p.min.toFixed(0)}–${p.max.toFixed(0)})`,
    );
  }
} finally {
  started?.sim.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
}
