// `hlcopy status`: read the journal's view of the copy. No key and no network: a trader can
// look at a halted account safely. The figures are the engine's own, as journaled with its
// last sweep, its last change (a running follow journals the copy with each of its fills and
// copy decisions, so status is as current as the dashboard) or run end: drift (core/drift.ts)
// and the copy's P&L (core/pnl.ts) are read back, never recomputed another way.
//
// Two moments, each said the same way at the end of its line ("(as of 12s ago, last sweep)"):
// the equity, high-water mark and drawdown of the latest equity record (a running follow writes
// one every 5 s and right after its fills), and the copy — drift, positions, P&L — as its last
// record left it. A record no running follow keeps current is "in sync" only within the
// staleness window (recordVerdict).
// A line or table never mixes the two. The resting protection is of a third, newer one: the
// journal's triggers as the run keeps them (now, while it runs), its table says so.

import { existsSync, realpathSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { ALERT_DELIVERY_KEY, type AlertDeliveryState } from "../../core/alerts.js";
import {
  type DriftReport,
  driftClosing,
  driftFigureText,
  driftPct,
  type Freshness,
  leadersHold,
  leaderValueUsd,
  leftAloneText,
  type SyncVerdict,
  shownDrift,
  shownTarget,
  syncVerdict,
} from "../../core/drift.js";
import { UsageError } from "../../core/errors.js";
import {
  detailNumber,
  fmtMs,
  fmtUsd,
  fmtUsdSigned,
  type PnlParts,
  roundFigure,
  roundHalfAway,
  roundOrNull,
  roundStats,
  shortAddress,
  shownColumn,
  shownPnlTables,
  utcMinute,
  windowText,
} from "../../core/format.js";
import {
  type CopyPnl,
  copyFills,
  copyFunding,
  isCopyPnl,
  type LeaderShares,
  restatePnl,
} from "../../core/pnl.js";
import { protectionKind } from "../../core/protection.js";
import {
  closesNotSentText,
  type DailyLossStop,
  dailyLossReason,
  dailyStopOn,
  lossPct,
  utcDay,
  utcDayEnd,
} from "../../core/safety.js";
import { ORDER_KINDS, type OrderKind, type SlippageBudget, slippageBudget } from "../../core/slippage.js";
import type { Address, CoinTarget, Plan } from "../../core/types.js";
import { SHARES_KEY } from "../../engine/figures.js";
import { type LeaderStop, leaderStopKey } from "../../engine/leader-guard.js";
import { type CoinProtection, protectionFlags, protectionView } from "../../engine/protection.js";
import { DAILY_LOSS_STOP_KEY } from "../../engine/safety-watch.js";
import { readPendingPause } from "../../store/control.js";
import {
  type DistributionStats,
  distribution,
  type FillCounts,
  foreignNetworkRuns,
  type Journal,
  journalNetworks,
  journalPath,
  noFills,
  openJournal,
  otherJournals,
  paperJournalPath,
  type RunRow,
  type SweepInfo,
  unmovedJournal,
} from "../../store/journal.js";
import { isAlive, runAlive } from "../../store/lock.js";
import { isMainnet, sameNetwork } from "../../store/network-key.js";
import { type RefusalRecord, readRefusal } from "../../store/refusal.js";
import {
  fmtAge,
  fmtFixed,
  fmtPct,
  fmtPctSigned,
  fmtSlippage,
  wrapReportLines,
  wrapToWidth,
} from "../../ui/format.js";
import { describeJournalEvent } from "../journal/format.js";
import { outputWidth, printDocument, renderTable, shellWord, type Writer } from "../output.js";

/** How many of the newest warnings status says in words. */
const WARNINGS_SHOWN = 2;

/** A run's warnings, as status says them. */
export interface StatusWarnings {
  /** How many times the run warned (the same words said three times count 3). */
  count: number;
  /** How many different warnings (one journal row each). */
  distinct: number;
  /** The newest (by when last said), newest first, at most WARNINGS_SHOWN. */
  newest: { ts: number; first: number; count: number; message: string }[];
  /** The command that lists them all. */
  see: string;
}

/** Run `run`'s warnings from the journal (WARNING_EVENT_TYPES), its newest in words. */
function runWarningsOf(journal: Journal, run: RunRow, paper: boolean): StatusWarnings {
  const w = journal.runWarnings(run.id, run.startedAt, WARNINGS_SHOWN);
  // `journal --since` takes a UTC minute: the one the run started in, or the one its first
  // warning was said in when earlier (a start-up's waits are said before the run starts).
  const since = new Date(Math.min(run.startedAt, w.oldest ?? run.startedAt)).toISOString().slice(0, 16);
  return {
    count: w.count,
    distinct: w.rows,
    newest: w.newest.map((r) => {
      const d = r.data !== null && typeof r.data === "object" ? (r.data as Record<string, unknown>) : {};
      const message = typeof d.message === "string" ? d.message : describeJournalEvent(r.type, r.data, r.ts);
      return { ts: r.last, first: r.ts, count: r.count, message };
    }),
    see: `hlcopy journal --type warnings --since ${since}${paper ? " --paper" : ""}`,
  };
}

/** Status's lines of the last run's warnings (none when it warned of nothing). */
function warningLines(w: StatusWarnings, now: number): string[] {
  if (w.count === 0) return [];
  const times = w.count === 1 ? "once" : `${w.count} times`;
  const kinds = w.distinct > 1 && w.distinct !== w.count ? ` (${w.distinct} different warnings)` : "";
  const which = w.newest.length > 1 ? `the newest ${w.newest.length}` : w.count > 1 ? "the newest" : "";
  return [
    `warnings: the run warned ${times}${kinds}${which ? ` — ${which}:` : ":"}`,
    ...w.newest.map(
      (x) =>
        `  ${ago(x.ts, now)}${x.count > 1 ? ` (×${x.count} since ${ago(x.first, now)})` : ""}: ${x.message}`,
    ),
    `  all of them: ${w.see}`,
  ];
}

/** A leader of the last run no longer followed, as the journal keeps its stop. */
export interface UnfollowedLeader {
  address: Address;
  kind: string;
  since: number;
  until: number | null;
  reason: string;
}

export interface StatusReport {
  account: Address;
  journal: string;
  /** The paper account's (`status --paper`: follow --paper runs' own journal), not the real one's. */
  paper: boolean;
  /**
   * The last run that could trade; null before any (a dry run only shows a plan and is not
   * journaled; one an older hlcopy journaled is not counted). `running`: not ended and its
   * process is alive (false: it was killed or crashed); null once ended.
   */
  lastRun: {
    command: string;
    startedAt: number;
    endedAt: number | null;
    exitCode: number | null;
    pid: number | null;
    running: boolean | null;
    /** What the run warned about (journaled as it said it: engine/warning-log.ts). */
    warnings: StatusWarnings;
  } | null;
  equity: number | null;
  /** When that equity was recorded (a running follow records it every 5 s and at each sweep). */
  equityAsOf: number | null;
  hwm: number | null;
  drawdownPct: number | null;
  /**
   * A halt that stands until `hlcopy resume` (kill switch, flatten): everything closes, exit 4.
   * `closesNotSent`: the positions it closes still held as of the copy's record (`drift.asOf`) —
   * their closes not sent (yet) — or null when none or unknown.
   */
  halt: {
    kind: string;
    reason: string;
    since: number;
    closesNotSent?: { count: number; coins: string[]; asOf: number } | null;
  } | null;
  /**
   * The daily loss limit's stop in force: no increases until `until` (00:00 UTC), reductions
   * still go; it lifts by itself. `lossPct` is the loss that hit `limitPct` at `since` — the
   * figure the run said ("HALT daily-loss: daily loss 10.73% …"). Null when none.
   */
  dailyLoss: { lossPct: number; limitPct: number; since: number; until: number; reason: string } | null;
  /**
   * The pause that stands (hlcopy pause, p on the dashboard) until hlcopy resume; null when none.
   * `running`: the follow of `pid` is running paused (it copies no leader trade); false: no follow runs
   * paused, the next follow starts paused. `since`: when it was paused (null when unknown).
   */
  paused: { since: number | null; running: boolean; pid: number | null } | null;
  /**
   * An hlcopy that holds the account's lock on this network but has no run in the journal yet:
   * one starting, or waiting at its review or passphrase prompt (a run records nothing until it
   * may send). Null when none.
   */
  starting: { pid: number; command: string } | null;
  /**
   * An hlcopy that holds the account's lock on this network with another config directory: its
   * journal (runs, halts, P&L) is there, not in the one read here. Null when none.
   */
  elsewhere: LockHolderView | null;
  /**
   * The account's last live run, when it was refused at its start (after `lastRun`, or with no
   * run journaled): a refused run leaves the journal as it was (store/refusal.ts keeps this).
   * `reason` and `hint` are its error and hint lines. Null when the last run was not refused.
   */
  lastRefusal: RefusalRecord | null;
  /** The last sweep as the journal keeps it (its duration aside). */
  lastSweep: Omit<SweepInfo, "durationMs"> | null;
  /**
   * When the newest record is a flatten's (`hlcopy flatten` with no follow running): it reads no
   * leader, so `drift`, `lastSweep` and `positions` are null/empty — unknown, not "in sync".
   */
  flattenedAt: number | null;
  /**
   * Drift of every coin as of the last sweep or run end (null in journals from before it), and
   * the verdict the dashboard says on it (core/drift.ts syncVerdict): `verdict` its words,
   * `inSync` false while the data behind it is stale ("stale 1m · last in sync 34s ago").
   */
  drift: (DriftReport & { asOf: number; verdict: string }) | null;
  /** Every coin the leader or we hold or the copy targets, as of `drift.asOf` (the same record). */
  positions: {
    coin: string;
    /** The leaders' net position: the sum of their own sizes (one leader: its position). */
    leaderSize: number;
    /** With several leaders: each one holding the coin, with its own size. Absent with one. */
    byLeader?: { leader: Address; size: number }[];
    /**
     * The leader's position in USD, to the cent: its size at the record's mid (the mid the row's
     * P&L is valued at; core/drift.ts leaderValueUsd, the dashboard's `leader $`). Null when the
     * leader holds none (the text's "-") or no mid is known.
     */
    leaderUsd: number | null;
    /** The copy target; null for a position left alone (hlcopy has no target for it). */
    targetSize: number | null;
    ourSize: number;
    /** (target − ours) × mid, to the cent; null for a position left alone (no target, no drift). */
    driftUsd: number | null;
    /**
     * Drift over the target's notional, % (core/drift.ts driftPct): null at a target of 0 while
     * we hold some (the text's "closing"), 0 when neither holds any; null without a figure.
     */
    driftPct: number | null;
    /** in-sync, tolerated, drift, blocked, left-alone (core/drift.ts); null in older journals. */
    status: string | null;
    reason: string | null;
    /**
     * The coin's copy P&L as the table's P&L column shows it: to the cent, and with `closed`'s,
     * adding up to `pnl.netUsd` rounded to the cent (core/format.ts shownColumn: a cent rounding
     * each alone would lose goes to the row with the largest remainder). Null when the copy holds
     * no P&L in the coin, or the P&L is of another record than the rows (`pnl.byCoin` has every
     * coin's figure unrounded).
     */
    netUsd: number | null;
    /**
     * Our resting stop / take-profit trigger price (present when hlcopy keeps protection): of
     * `protection.asOf`, as `protection.coins` says it, not of this row's moment.
     */
    stopPx?: number | null;
    /** The nearest resting take-profit; `takeProfits` lists every tier when several rest. */
    takeProfitPx?: number | null;
    takeProfits?: { px: number; size: number }[];
    /** entry-only: the leader reduced or closed, we keep it (our own exits). */
    held?: boolean;
  }[];
  /**
   * Our stops and take-profits resting as of `asOf` (null when nothing of ours rests and the last
   * run kept no protection): the journal's record of every trigger placed, fired or cancelled,
   * which a running follow keeps as it goes — newer than the sweep's record the rows are of —
   * on the positions as of then (the record's, moved by the fills journaled after it).
   * `asOf`: now while the follow runs, else its end (the newest entry of a run that never ended).
   */
  protection: { asOf: number; coins: CoinProtection[] } | null;
  /**
   * Coins traded and closed during the copy (in the P&L, in no position row), with their net P&L
   * as the table shows it (`positions[].netUsd`): with the rows', they add up to the copy's net
   * rounded to the cent, exactly. As of `drift.asOf`; empty when the P&L is of another record
   * than the positions (older journals).
   */
  closed: { coin: string; netUsd: number }[];
  /** Leaders of the last run that are not followed (their drawdown limit, a liquidation pause). */
  unfollowed: UnfollowedLeader[];
  /**
   * Deprecated: `unfollowed` under its first name, the same entries, kept for scripts written
   * before 2026-12-07. It never listed the leaders followed — read `unfollowed`.
   */
  leaders: UnfollowedLeader[];
  /**
   * The copy's P&L as of `pnl.asOf` (the last sweep or run end), every fill made by then in it
   * (pnlAsOf); `fillsAfter`: the fills journaled since, in none of its figures. Null before any.
   */
  pnl: MomentPnl | null;
  /**
   * Our fills in the window: all, by the kind of hlcopy's order, and those it did not place by
   * where they came from — `liquidation`, `adl` (the exchange's), `outside` (by hand, another
   * bot); `other` is all of these (deprecated, store/journal.ts FillCounts).
   */
  fills: FillCounts;
  /** Copy slippage: hot-path copies against the leader's fill. */
  slippageBps: DistributionStats;
  /** Execution slippage: every fill against the touch when its order was decided. */
  execSlippageBps: { all: DistributionStats; byKind: Record<OrderKind, DistributionStats> };
  /** The window's execution slippage against exec.slippageBudgetBps (the last run's setting). */
  slippageBudget: SlippageBudget;
  /** Copy lag of hot-path copies. */
  copyLagMs: DistributionStats;
  /** The alert webhooks as the last alert found them; null when no alert was ever sent. */
  alerts: AlertDeliveryState | null;
  /** The window of the fill figures (hours). */
  windowHours: number;
}

/**
 * A journal file with something in it (or in its write-ahead log, not yet checkpointed). An empty
 * (0-byte) file holds no run: read as no journal, and left as it is — opening it made it a
 * journal (160 kB of schema written by a command that only reads), and report then showed a
 * week of $0.00 days where no run ever was.
 */
export function journalOnDisk(path: string): boolean {
  const size = (f: string) => (existsSync(f) ? statSync(f).size : 0);
  return existsSync(path) && (size(path) > 0 || size(`${path}-wal`) > 0);
}

/**
 * The account's journal on `network` (a name or API URL; default mainnet), or null when it has
 * none yet (nothing ran for it there).
 * @throws {ConfigError} for a journal an older hlcopy shared with another network (named, left alone).
 */
export function openExisting(
  configDir: string,
  account: Address,
  network = "mainnet",
  options: { paper?: boolean } = {},
): { journal: Journal; path: string } | null {
  const path = options.paper
    ? paperJournalPath(configDir, account, network)
    : journalPath(configDir, account, network);
  if (!journalOnDisk(path)) {
    // This network's runs still in the file an older hlcopy shared: said, not read as "no runs".
    // (A paper journal never was in a shared file: paper runs kept their own.)
    const unmoved = options.paper ? null : unmovedJournal(configDir, account, network);
    if (unmoved) throw unmoved;
    return null;
  }
  const journal = openJournal(path);
  const mixed = foreignNetworkRuns(journal, network, account);
  if (mixed) {
    journal.close();
    throw mixed;
  }
  return { journal, path };
}

/**
 * "No runs yet" for the account on `network` (said by name, mainnet too), naming the other
 * networks it has journals for (a --network forgotten, or given to the wrong command, reads as
 * that and not as an empty copy).
 */
export function noRunsLine(
  configDir: string,
  account: Address,
  network = "mainnet",
  options: { paper?: boolean; command?: string } = {},
): string {
  if (options.paper)
    return `no paper runs yet for ${account} on ${networkName(network)}: hlcopy follow --paper starts them (looked for ${paperJournalPath(configDir, account, network)})`;
  // A trader trying hlcopy on paper first reads "no runs" here otherwise, and thinks nothing ran.
  const paperRuns = existsSync(paperJournalPath(configDir, account, network))
    ? `; its paper runs: hlcopy ${options.command ?? "status"} --paper`
    : "";
  return `no runs yet for ${account} on ${networkName(network)}: hlcopy reconcile or hlcopy follow start the journal${otherNetworksClause(configDir, account, network)}${paperRuns}`;
}

/**
 * "; it has journals for other networks: testnet, http://… (--network chooses the network)",
 * naming them as --network takes them; "" when the account has none.
 */
export function otherNetworksClause(configDir: string, account: Address, network: string): string {
  const others = otherJournalNetworks(configDir, account, network);
  return others.length === 0
    ? ""
    : `; it has journals for other networks: ${others.join(", ")} (--network chooses the network)`;
}

/** A network as --network takes it: mainnet and testnet by name, any other by its URL. */
export function networkName(network: string): string {
  if (isMainnet(network)) return "mainnet";
  return sameNetwork(network, "testnet") ? "testnet" : network;
}

/**
 * The networks of the account's other journals, as --network takes them: mainnet and testnet
 * by the file's name, another by the network its runs recorded (read without writing the file,
 * store/journal.ts journalNetworks), the file name only when that cannot be read.
 */
function otherJournalNetworks(configDir: string, account: Address, network: string): string[] {
  const byFile = new Map(
    ["mainnet", "testnet"].map((n) => [basename(journalPath(configDir, account, n)), n] as const),
  );
  const names = otherJournals(configDir, account, network).flatMap((file) => {
    const known = byFile.get(file);
    if (known) return [known];
    try {
      const recorded = journalNetworks(join(configDir, file)).map(networkName);
      return recorded.length > 0 ? recorded : [file];
    } catch {
      return [file];
    }
  });
  return [...new Set(names)].filter((n) => !sameNetwork(n, network));
}

/**
 * What a run was, as the trader called it. `hlcopy flatten` with no follow running is journaled
 * as a reconcile (the journal's run kinds) to no leader — which no `reconcile` is.
 */
function runLabel(run: Pick<RunRow, "command" | "leaders">): string {
  return run.command === "reconcile" && run.leaders.length === 0 ? "flatten" : run.command;
}

/** The budget the account's last run used (its resolved settings are journaled), else the default. */
function budgetOf(settings: unknown): number | null {
  const v = (settings as { exec?: { slippageBudgetBps?: unknown } } | null)?.exec?.slippageBudgetBps;
  return typeof v === "number" ? v : v === null ? null : 10;
}

/** A sample of nothing, as the journal reports an empty one: every figure but the count null. */
const NO_SAMPLE: DistributionStats = distribution([]);

/**
 * `status --json` for an account with no journal yet on this network: every field the document
 * has (docs/events.md: a field not marked optional is always there), null or empty where there
 * is nothing yet, so that a script reads `.drift`, `.equity` or `.fills.total` the same way before
 * the first run as after it (until 2026-12-06 it printed only the first ten fields).
 */
function noJournalReport(p: {
  account: Address;
  paper: boolean;
  paused: StatusReport["paused"];
  starting: StatusReport["starting"];
  elsewhere: StatusReport["elsewhere"];
  refusal: RefusalRecord | null;
  hours: number;
}): Omit<StatusReport, "journal"> & { journal: null } {
  return {
    account: p.account,
    journal: null,
    paper: p.paper,
    lastRun: null,
    equity: null,
    equityAsOf: null,
    hwm: null,
    drawdownPct: null,
    halt: null,
    dailyLoss: null,
    paused: p.paused,
    starting: p.starting,
    lastRefusal: p.refusal,
    elsewhere: p.elsewhere,
    lastSweep: null,
    flattenedAt: null,
    drift: null,
    positions: [],
    protection: null,
    closed: [],
    unfollowed: [],
    leaders: [],
    pnl: null,
    fills: noFills(),
    slippageBps: NO_SAMPLE,
    execSlippageBps: {
      all: NO_SAMPLE,
      byKind: Object.fromEntries(ORDER_KINDS.map((k) => [k, NO_SAMPLE])) as Record<
        OrderKind,
        DistributionStats
      >,
    },
    slippageBudget: slippageBudget([], budgetOf(null)),
    copyLagMs: NO_SAMPLE,
    alerts: null,
    windowHours: p.hours,
  };
}

/** @throws {ConfigError} for a corrupt journal (named, left alone); {UsageError} for a bad --since. */
export async function runStatus(p: {
  configDir: string;
  account: Address;
  /** The network asked about (a name or API URL; default mainnet): its journal is read. */
  network?: string;
  /** `--paper`: the paper journal (follow --paper runs' own account) instead of the live one. */
  paper?: boolean;
  json: boolean;
  sinceHours?: string;
  /** How the window is named ("last 24h", "since 2026-12-01 00:00 UTC"; cli/span.ts parseSince). */
  sinceLabel?: string;
  /** The pause marker of the account on this network (cli/control/run.ts pauseMarkerPath). */
  pauseMarker?: string;
  /** The processes holding the account's lock on this network (store/lock.ts findLockHolders). */
  lockHolders?: readonly LockHolderView[];
  out?: Writer;
  now?: number;
  /** Columns the text's lines are broken to (default: the terminal's, else 80); --json is whole. */
  width?: number;
}): Promise<StatusReport | null> {
  const out = p.out ?? process.stdout;
  const width = p.width ?? outputWidth();
  const within = (line: string) => wrapToWidth(line, width);
  const hours = Number(p.sinceHours ?? 24);
  if (!Number.isFinite(hours) || hours <= 0) {
    throw new UsageError(`invalid --since "${p.sinceHours}": expected a number of hours > 0`, {
      hint: "e.g. --since 6h",
    });
  }
  // A holder of another config directory has its run in its own journal: named, never read as
  // one of this journal at its start.
  const { ours, elsewhere } = holdersByConfigDir(p.lockHolders, p.configDir);
  const paper = p.paper === true;
  const opened = openExisting(p.configDir, p.account, p.network, { paper });
  // A refusal is kept beside the live journal only: paper runs keep none (cli/refusal.ts).
  const kept = paper ? null : readRefusal(journalPath(p.configDir, p.account, p.network));
  if (!opened) {
    const refusal = kept;
    const paused = standingPause(p.pauseMarker);
    const starting = ours[0] ?? null;
    if (p.json)
      printDocument(
        "status",
        noJournalReport({ account: p.account, paper, paused, starting, elsewhere, refusal, hours }),
        out,
      );
    else {
      out.write(`${within(noRunsLine(p.configDir, p.account, p.network, { paper }))}\n`);
      if (refusal)
        out.write(
          refusalLines(refusal, p.now ?? Date.now())
            .map((l) => `${within(l)}\n`)
            .join(""),
        );
      if (starting) out.write(`${within(startingLine(starting, paper))}\n`);
      if (elsewhere) out.write(`${within(elsewhereLine(elsewhere, "status"))}\n`);
      if (paused) out.write(`${within(pausedLine(paused, p.now ?? Date.now(), paper))}\n`);
    }
    return null;
  }
  const { journal, path } = opened;
  try {
    const now = p.now ?? Date.now();
    // Every figure of one snapshot: a follow writing beside it made one output read two moments.
    const { report, last, lag } = journal.read(() => {
      const since = now - hours * 3_600_000;
      const run = currentRun(journal);
      const equity = journal.latestEquity();
      const halt = journal.activeHalt();
      const sweep = journal.lastSweep();
      const last = lastRecord(journal);
      const guard = shownProtection(journal, run, last, now);
      const statusOf = new Map((last.drift?.coins ?? []).map((c) => [c.coin, c]));
      // Every figure as the text shows it (core/format.ts FIGURE_DECIMALS): bps to 0.1, lag to the ms.
      const byKind = Object.fromEntries(
        ORDER_KINDS.map((k) => [k, roundStats("bps", journal.execSlippageStats(since, k))]),
      ) as Record<OrderKind, DistributionStats>;
      // The text says the lag in fmtMs's form (1.23s) from the figure itself, not from its whole ms.
      const lag = journal.lagStats(since);
      const budget = slippageBudget(journal.execSlippageSamples(since), budgetOf(run?.settings ?? null));
      const unfollowed = unfollowedLeaders(journal, run?.leaders ?? []);
      const report: StatusReport = {
        account: p.account,
        journal: path,
        paper,
        lastRun: run
          ? {
              command: runLabel(run),
              startedAt: run.startedAt,
              endedAt: run.endedAt,
              exitCode: run.exitCode,
              pid: run.pid,
              running: run.endedAt === null ? run.pid !== null && runAlive(run.pid, run.startedAt) : null,
              warnings: runWarningsOf(journal, run, paper),
            }
          : null,
        equity: roundFigure("usd", equity?.accountValue ?? null),
        equityAsOf: equity?.ts ?? null,
        hwm: roundFigure("usd", equity?.hwm ?? null),
        // Each figure as the text shows it (core/format.ts): the same in both, no float's tail.
        drawdownPct:
          equity && equity.hwm > 0 ? roundFigure("pct", lossPct(equity.hwm, equity.accountValue)) : null,
        halt: halt ? { kind: halt.kind, reason: halt.reason, since: halt.ts } : null,
        dailyLoss: dailyLossStop(journal, run?.settings ?? null, now),
        paused: standingPause(p.pauseMarker),
        starting: startingHolder(ours, run),
        // A refusal older than the last run's start was followed by a run: old news.
        lastRefusal: kept && (run === null || kept.at > run.startedAt) ? kept : null,
        elsewhere,
        // After a flatten the last copy sweep's drift is not the copy's now: unknown (flattenedAt).
        lastSweep:
          sweep && last.flattenAt === null
            ? { ts: sweep.ts, inSync: sweep.inSync, driftUsd: sweep.driftUsd, outsideUsd: sweep.outsideUsd }
            : null,
        flattenedAt: last.flattenAt,
        drift:
          last.drift && last.ts !== null
            ? (() => {
                const verdict = recordVerdict(last, run, now);
                return {
                  ...roundedDrift(last.drift),
                  inSync: verdict.inSync,
                  verdict: verdict.text,
                  asOf: last.ts,
                };
              })()
            : null,
        // The dashboard's rows: a coin anyone holds or the copy targets.
        positions: last.targets
          .filter((t) => t.targetSize !== 0 || t.ourSize !== 0 || leadersHold(t))
          .map((t) => {
            const shown = shownDrift(t.driftUsd, statusOf.get(t.coin));
            // To the cent, and the % of that figure: "closing" (null) exactly when the USD drift
            // shown at a target of 0 is not 0.00.
            const driftUsd = roundOrNull(shown, 2);
            const targetSize = shownTarget(t.targetSize, statusOf.get(t.coin));
            return {
              coin: t.coin,
              // The leaders' net position (one leader: its position) and, with several, each one's.
              leaderSize: t.leaderSize,
              ...(t.byLeader ? { byLeader: t.byLeader } : {}),
              leaderUsd: roundOrNull(
                leaderValueUsd(
                  t.leaderSize,
                  last.mids?.[t.coin] ?? (t.mid > 0 ? t.mid : null),
                  leadersHold(t),
                ),
                2,
              ),
              targetSize,
              ourSize: t.ourSize,
              driftUsd,
              driftPct: roundOrNull(driftPct(driftUsd, targetSize, t.mid > 0 ? t.mid : null), 1),
              ...(t.held ? { held: true } : {}),
              status: statusOf.get(t.coin)?.status ?? null,
              reason: statusOf.get(t.coin)?.reason ?? null,
              // The table's P&L, below: once the P&L is known to be of this record.
              netUsd: null as number | null,
              ...(guard
                ? {
                    stopPx: guard.byCoin.get(t.coin)?.stopPx ?? null,
                    takeProfitPx: guard.byCoin.get(t.coin)?.takeProfitPx ?? null,
                    ...((guard.byCoin.get(t.coin)?.takeProfits?.length ?? 0) > 1
                      ? { takeProfits: guard.byCoin.get(t.coin)?.takeProfits ?? [] }
                      : {}),
                  }
                : {}),
            };
          }),
        protection: guard
          ? {
              asOf: guard.asOf,
              // Every coin of the rows (`none` where nothing rests), and one opened since the record.
              coins: [
                ...new Set([
                  ...last.targets
                    .filter((t) => t.targetSize !== 0 || t.ourSize !== 0 || leadersHold(t))
                    .map((t) => t.coin),
                  ...guard.byCoin.keys(),
                ]),
              ].map((coin) => guard.byCoin.get(coin) ?? { coin, stopPx: null, takeProfitPx: null }),
            }
          : null,
        closed: [],
        unfollowed,
        leaders: unfollowed,
        pnl:
          last.pnl && last.pnlTs !== null ? pnlAsOf(journal, last.pnl, last.pnlTs, run?.leaders ?? []) : null,
        fills: journal.fillCounts(since),
        slippageBps: roundStats("bps", journal.slippageStats(since)),
        execSlippageBps: { all: roundStats("bps", journal.execSlippageStats(since)), byKind },
        slippageBudget: budget,
        copyLagMs: roundStats("ms", lag),
        alerts: journal.getCopyState<AlertDeliveryState>(ALERT_DELIVERY_KEY),
        windowHours: hours,
      };
      return { report, last, lag };
    });
    if (report.halt && (report.halt.kind === "kill-switch" || report.halt.kind === "manual")) {
      // The closes a halt sends, not sent as of the copy's last record (a stop came first, the
      // exchange refused them): said with what to do (core/safety.ts closesNotSentText).
      const coins = report.positions.filter((x) => x.ourSize !== 0).map((x) => x.coin);
      report.halt.closesNotSent =
        coins.length > 0 && report.drift ? { count: coins.length, coins, asOf: report.drift.asOf } : null;
    }
    // The coins' P&L beside the rows only when it is of the same record (one moment).
    // The rows' P&L as the table shows it, open and closed: to the cent, adding up to the net
    // rounded (shownColumn) — each coin rounded alone, three closed coins of 0.005 read 0.03
    // beside a net of 0.02 (--json's rows did until 2026-12-05; the text's already added up).
    if (report.pnl && last.pnlTs !== null && last.pnlTs === last.ts && last.flattenAt === null) {
      const coins = report.pnl.byCoin;
      const nets = shownColumn(
        coins.map((c) => c.netUsd),
        report.pnl.netUsd,
      );
      const netOf = new Map(coins.map((c, i) => [c.coin, roundHalfAway(nets[i] ?? c.netUsd, 2) || 0]));
      for (const x of report.positions) x.netUsd = netOf.get(x.coin) ?? null;
      report.closed = coins
        .filter((c) => !report.positions.some((x) => x.coin === c.coin))
        .map((c) => ({ coin: c.coin, netUsd: netOf.get(c.coin) ?? 0 }));
    }
    if (p.json) printDocument("status", report, out, now);
    else
      out.write(
        await render(report, p.sinceLabel ?? `last ${windowText(hours * 3_600_000)}`, now, {
          copy: last.source,
          pnl: last.pnlSource,
          samePnl: last.pnlTs !== null && last.pnlTs === last.ts,
          lag,
          width,
        }),
      );
    return report;
  } finally {
    journal.close();
  }
}

/**
 * The daily loss limit's stop as the run journaled it (engine/safety-watch.ts), when it holds
 * now: of today (UTC) and not lifted by a limit the last run raised above its loss.
 */
function dailyLossStop(journal: Journal, settings: unknown, now: number): StatusReport["dailyLoss"] {
  const stop = journal.getCopyState<DailyLossStop>(DAILY_LOSS_STOP_KEY);
  const limit = (settings as { risk?: { maxDailyLossPct?: unknown } } | null)?.risk?.maxDailyLossPct;
  const limitPct = typeof limit === "number" ? limit : (stop?.limitPct ?? 0);
  const active = dailyStopOn(stop, utcDay(now), limitPct);
  if (!active) return null;
  return {
    lossPct: roundFigure("pct", active.lossPct) ?? active.lossPct,
    limitPct,
    since: active.since,
    until: utcDayEnd(active.since),
    reason: dailyLossReason(active.lossPct, limitPct),
  };
}

/** A journaled P&L at its moment, and how many fills the journal has after it. */
export type MomentPnl = CopyPnl & { asOf: number; fillsAfter: number };

/**
 * The P&L journaled at `asOf` with every fill made by then (core/pnl.ts restatePnl: the first
 * sweep's snapshot could miss the join's fills, whose reports came in after it), and the count
 * of fills journaled since — in none of its figures, said beside it: the output's fill count,
 * equity and P&L are then not read as one moment.
 */
export function pnlAsOf(
  journal: Journal,
  snapshot: CopyPnl,
  asOf: number,
  leaders: readonly { address: Address; weight: number }[],
): MomentPnl {
  if (snapshot.since === null) return { ...snapshot, asOf, fillsAfter: 0 };
  // The copy's parts of the journal's fills and funding (core/pnl.ts copyFill, copyFunding), as
  // the engine folded them into the snapshot.
  const fills = copyFills(journal.pnlFillsSince(snapshot.since));
  const { pnl, fillsAfter } = restatePnl({
    snapshot,
    asOf,
    fills,
    funding: journal.fundingSince(snapshot.since).flatMap((f) => copyFunding(f) ?? []),
    leaders,
    shares: journal.getCopyState<LeaderShares>(SHARES_KEY) ?? {},
  });
  return { ...pnl, asOf, fillsAfter };
}

/** A drift report's USD figures to the cent, as every view shows them. */
function roundedDrift(d: DriftReport): DriftReport {
  return {
    ...d,
    driftUsd: roundHalfAway(d.driftUsd, 2),
    outsideUsd: roundHalfAway(d.outsideUsd, 2),
    coins: d.coins.map((c) => ({ ...c, driftUsd: roundOrNull(c.driftUsd, 2) })),
  };
}

/** The pause that stands, as its marker says: a running follow's (its pid lives) or the next one's. */
function standingPause(marker: string | undefined): StatusReport["paused"] {
  const standing = marker ? readPendingPause(marker) : null;
  if (!standing) return null;
  const running = standing.pid !== null && isAlive(standing.pid);
  return { since: standing.pausedAt, running, pid: running ? standing.pid : null };
}

/**
 * Our resting stops / take-profits as the journal knows them now: our orders with a protection
 * reason still "resting" (a running follow journals each trigger it places, sees fire or
 * cancels as it goes; every live run settles the ones it finds gone), shown the dashboard's way
 * (one view, engine/protection.ts). A trigger that closes no position of that moment — the coin
 * is flat or flipped, so the exchange cancelled it — is not shown: the positions are the last
 * record's moved by every fill journaled after it, not the record's alone (up to a sweep old:
 * a stop placed for a position opened since read as "none"). Null (no table) when nothing rests
 * and the last run kept no protection.
 */
function shownProtection(
  journal: Journal,
  run: RunRow | null,
  last: LastRecord,
  now: number,
): { byCoin: Map<string, CoinProtection>; asOf: number } | null {
  const protective = journal.ordersInState(["resting"]).flatMap((o) => {
    const kind = protectionKind(o.reason);
    const t = (o.request as { trigger?: { triggerPx?: unknown } } | null)?.trigger?.triggerPx;
    if (!kind || typeof t !== "number") return [];
    return [{ coin: o.coin, kind, side: o.side, size: o.size, triggerPx: t, updatedAt: o.updatedAt }];
  });
  if (protective.length === 0 && protectionFlags(run?.settings ?? null).length === 0) return null;
  const ours: Record<string, number> = Object.fromEntries(last.targets.map((t) => [t.coin, t.ourSize]));
  const after = last.ts === null ? [] : journal.fillsSince(last.ts).filter((f) => f.ts > (last.ts ?? 0));
  for (const f of after) {
    // To the lot's precision at most (8 decimals): a float's tail is no position left to close.
    ours[f.coin] = roundHalfAway((ours[f.coin] ?? 0) + (f.side === "buy" ? f.sz : -f.sz), 8);
  }
  const running =
    run !== null && run.endedAt === null && run.pid !== null && runAlive(run.pid, run.startedAt);
  const asOf = running
    ? now
    : (run?.endedAt ??
      Math.max(last.ts ?? 0, ...after.map((f) => f.ts), ...protective.map((o) => o.updatedAt)));
  return { byCoin: new Map(protectionView(protective, ours).map((p) => [p.coin, p])), asOf };
}

/** The leaders of the last run that are not followed, as the journal keeps them. */
function unfollowedLeaders(journal: Journal, leaders: readonly { address: Address }[]): UnfollowedLeader[] {
  const out: UnfollowedLeader[] = [];
  for (const l of leaders) {
    const stop = journal.getCopyState<LeaderStop>(leaderStopKey(l.address));
    if (stop)
      out.push({
        address: l.address,
        kind: stop.kind,
        since: stop.since,
        until: stop.until,
        reason: stop.reason,
      });
  }
  return out;
}

/**
 * What a journaled moment of the copy was: a sweep, a running follow's record of a change (its
 * fills, a copy's decision: journaled as they happen, not at the sweep's pace), a run's end, a
 * decision (older journals).
 */
type Moment = "last sweep" | "last change" | "run end" | "last decision";

interface LastRecord {
  ts: number | null;
  source: Moment | null;
  targets: CoinTarget[];
  /** The mids of the record's moment (null in journals from before they were journaled). */
  mids: Record<string, number> | null;
  drift: DriftReport | null;
  /** The P&L of the same record; an older journal's record may have none (then the newest one before). */
  pnl: CopyPnl | null;
  pnlTs: number | null;
  pnlSource: Moment | null;
  /** The newest record is a flatten's (it reads no leader): when; its drift and targets are unknown. */
  flattenAt: number | null;
  /** How fresh the record's data was when it was made (null in journals from before it). */
  freshness: Freshness | null;
  /** The run's data went stale after the record (and has not been fresh since): when, and how fresh it was. */
  staleAfter: { ts: number; freshness: Freshness } | null;
}

/**
 * The verdict on the record's drift, as the dashboard says it (core/drift.ts syncVerdict): of
 * the record's own moment — "in sync", or "stale 2m · …" for a run that ended on stale data —
 * unless the run's data went stale after it; then, while that run goes on, as of now (the
 * dashboard's "stale 3m · last in sync 3m ago"), else as of when it went stale.
 */
function recordVerdict(last: LastRecord, run: RunRow | null, now: number): SyncVerdict {
  const drift = last.drift as DriftReport;
  const stale = last.staleAfter;
  const running =
    run !== null && run.endedAt === null && run.pid !== null && runAlive(run.pid, run.startedAt);
  if (stale) return syncVerdict(drift, running ? now : stale.ts, stale.freshness);
  // A running follow journals every change as it happens (and its data going stale): its last
  // record is the copy now. Once no run keeps it (ended, killed), the record is only of its own
  // moment: older than the staleness window, it is judged now — "stale 3h · last in sync 3h ago",
  // never "in sync" from data that old (the exchange has moved on since).
  const freshness: Freshness = last.freshness ?? {
    freshAt: last.ts ?? now,
    staleMs: STALE_MS,
    lastInSyncAt: null,
  };
  if (!running && last.ts !== null && now - last.ts > freshness.staleMs) {
    // In sync at the record when its own verdict was (its data fresh then).
    const atRecord = syncVerdict(drift, last.ts, last.freshness);
    return syncVerdict(drift, now, {
      ...freshness,
      lastInSyncAt: atRecord.inSync ? last.ts : freshness.lastInSyncAt,
    });
  }
  return syncVerdict(drift, last.ts ?? now, last.freshness);
}

/** The engine's staleness window (engine/state-view.ts #freshness), for a record from before it was journaled. */
const STALE_MS = 60_000;

/** Which journaled moment a record was: a sweep, a running follow's record of a change, a run's end (report says it the same way). */
export const momentOf = (type: string, data: unknown): "last sweep" | "last change" | "run end" =>
  type === "sweep"
    ? "last sweep"
    : (data as { moment?: unknown } | null)?.moment === "change"
      ? "last change"
      : "run end";

/**
 * What the newest sweep or run end left (journaled with its event): targets, drift report and
 * P&L, all of one record; without such an event, the newest decision's targets. Never a dry
 * run's (an older hlcopy journaled them): its drift is against the leader it tried, not the copy.
 */
function lastRecord(journal: Journal): LastRecord {
  const events = journal.listEntries({ table: "events", limit: 200, trading: true });
  const found: LastRecord = {
    ts: null,
    source: null,
    targets: [],
    mids: null,
    drift: null,
    pnl: null,
    pnlTs: null,
    pnlSource: null,
    flattenAt: null,
    freshness: null,
    staleAfter: null,
  };
  /** The newest turn of the data's freshness after the record, if any: stale or fresh again. */
  let turn: { ts: number; stale: boolean; freshness: Freshness } | null | undefined;
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e?.table === "events" && e.type === "freshness" && found.ts === null && turn === undefined) {
      const d = e.data as ({ stale?: boolean } & Partial<Freshness>) | null;
      turn =
        d && typeof d.freshAt === "number" && typeof d.staleMs === "number"
          ? {
              ts: e.ts,
              stale: d.stale === true,
              freshness: { freshAt: d.freshAt, staleMs: d.staleMs, lastInSyncAt: d.lastInSyncAt ?? null },
            }
          : null;
      continue;
    }
    if (e?.table !== "events" || (e.type !== "sweep" && e.type !== "state")) continue;
    type Recorded = {
      targets?: CoinTarget[];
      drift?: DriftReport;
      pnl?: CopyPnl;
      leaderView?: boolean;
      freshness?: Freshness;
      mids?: Record<string, number>;
    };
    const raw = e.data as (Recorded & { after?: Recorded }) | null;
    // A sweep that sent orders journals the drift it found before them, and the copy its fills
    // left as `after`: the copy as of the last sweep is that.
    const data: Recorded | null = raw?.after ? { ...raw, ...raw.after } : raw;
    // A flatten read no leader: an older copy run's targets would be read as the copy now.
    if (found.ts === null && data?.leaderView === false) {
      found.ts = e.ts;
      found.source = momentOf(e.type, e.data);
      found.flattenAt = e.ts;
    }
    if (found.ts === null && Array.isArray(data?.targets)) {
      found.ts = e.ts;
      found.source = momentOf(e.type, e.data);
      found.targets = data.targets;
      found.mids = data.mids ?? null;
      found.drift = data.drift ?? null;
      found.freshness = data.freshness ?? null;
      found.staleAfter = turn?.stale ? { ts: turn.ts, freshness: turn.freshness } : null;
    }
    // A P&L that is not whole (a damaged record) is passed over: an earlier one is the last known.
    if (found.pnlTs === null && isCopyPnl(data?.pnl)) {
      found.pnl = data.pnl;
      found.pnlTs = e.ts;
      found.pnlSource = momentOf(e.type, e.data);
    }
    if (found.ts !== null && found.pnlTs !== null) return found;
  }
  if (found.ts !== null) return found;
  const decisions = journal.listEntries({ table: "decisions", limit: 1, trading: true });
  const d = decisions.at(-1);
  if (d?.table === "decisions") {
    found.ts = d.ts;
    found.source = "last decision";
    found.targets = (d.plan as Plan).targets ?? [];
  }
  return found;
}

/** The run to tell: one still going (a follow), though a later one-shot run ended since; else the last that could trade. */
export function currentRun(journal: Journal): RunRow | null {
  return (
    journal.unfinishedRuns().find((r) => r.pid !== null && runAlive(r.pid, r.startedAt)) ??
    journal.lastRun({ trading: true })
  );
}

/**
 * The lock holder whose run the journal does not show (yet): an hlcopy at its start — its
 * checks, or waiting at its review or passphrase prompt. A run records nothing until it may
 * send, and holds the journal's write lock meanwhile (Journal.hold). `run`: {@link currentRun}.
 */
export function startingHolder<H extends { pid: number }>(
  holders: readonly H[] | undefined,
  run: RunRow | null,
): H | null {
  return holders?.find((h) => h.pid !== run?.pid || run?.endedAt !== null) ?? null;
}

/** An hlcopy holding the account with no run journaled yet: said, so "last run" is not read as now. */
function startingLine(s: { pid: number; command: string }, paper = false): string {
  const paperHolder = s.command.endsWith(" --paper");
  // A paper run journals in its own journal, never this one: it is not "starting".
  if (paperHolder && !paper)
    return `a ${s.command} (pid ${s.pid}) holds the account: a paper run, which sends nothing (its journal is the paper one: hlcopy status --paper)`;
  // Nor is a live run beside the paper journal: it was said "starting" however long it had run.
  if (!paperHolder && paper)
    return `a ${s.command} (pid ${s.pid}) holds the account: a live run, not a paper one (its journal is the live one: hlcopy status)`;
  return `a ${s.command} (pid ${s.pid}) holds the account: starting, or waiting at its review or passphrase prompt (its run is journaled once it may send)`;
}

/** A process holding the account's run lock on this network (store/lock.ts findLockHolders). */
export interface LockHolderView {
  pid: number;
  command: string;
  /** Its config directory, as its lock names it ("?" in a lock written by an older hlcopy). */
  configDir: string;
}

/** A lock file's holder as status tells it: a paper run's as the command it is (it journals in the paper journal). */
export function lockHolderView(info: {
  pid: number;
  command: string;
  configDir: string;
  paper?: true;
}): LockHolderView {
  return {
    pid: info.pid,
    command: info.paper ? `${info.command} --paper` : info.command,
    configDir: info.configDir,
  };
}

/** Whether two config directories are one (as typed, resolved, or through a symlink). */
function sameDir(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

/**
 * The lock holders whose journal is the one in `configDir` (an older lock, naming none, counts
 * as one of them), and the first whose journal is in another config directory.
 */
export function holdersByConfigDir<H extends LockHolderView>(
  holders: readonly H[] | undefined,
  configDir: string,
): { ours: H[]; elsewhere: H | null } {
  const ours: H[] = [];
  let elsewhere: H | null = null;
  for (const h of holders ?? []) {
    if (h.configDir === "?" || sameDir(h.configDir, configDir)) ours.push(h);
    else elsewhere ??= h;
  }
  return { ours, elsewhere };
}

/**
 * An hlcopy running for the account with another config directory: its journal is there, and
 * `command` (status, resume …) reads that one when run with it.
 */
export function elsewhereLine(h: LockHolderView, command: string): string {
  return `a ${h.command} (pid ${h.pid}) is running for this account with config directory ${h.configDir}: its journal is there — ${againWithConfigDir(h.configDir, command)}`;
}

/** `HLCOPY_CONFIG_DIR=<dir> hlcopy <command>`, the directory quoted for a shell when it needs it. */
export function againWithConfigDir(configDir: string, command: string): string {
  return `HLCOPY_CONFIG_DIR=${shellWord(configDir)} hlcopy ${command}`;
}

/** The standing pause, said with since when: the running follow's, or the next one's. */
function pausedLine(paused: NonNullable<StatusReport["paused"]>, now: number, paper = false): string {
  const since = paused.since === null ? "" : ` since ${utcMinute(paused.since)} (${ago(paused.since, now)})`;
  // Paper runs keep their own pause (store/control.ts pendingPausePath): status --paper reads it.
  if (paper)
    return paused.running
      ? `PAUSED${since}: the running paper follow (pid ${paused.pid}) copies no leader trade — copy again with: hlcopy resume`
      : `PAUSED${since}: no paper follow is running; the next follow --paper starts paused (live runs are not held by it) — lift it with: hlcopy resume --paper`;
  return paused.running
    ? `PAUSED${since}: the running follow (pid ${paused.pid}) copies no leader trade — copy again with: hlcopy resume`
    : `PAUSED${since}: no follow is running; the next follow starts paused and reconcile copies nothing — lift it with: hlcopy resume`;
}

/**
 * The fills hlcopy did not place, each origin apart: the exchange's forced closes (their part of
 * hlcopy's position is in the copy P&L) and trades outside hlcopy (not in it); fills journaled
 * before hlcopy told them apart are said as such. Empty when there are none.
 */
function notPlacedText(f: FillCounts): string {
  const k = f.byKind;
  const untold = k.other - k.liquidation - k.adl - k.outside;
  const parts = [
    k.liquidation > 0 ? `liquidation ${k.liquidation}` : "",
    k.adl > 0 ? `ADL ${k.adl}` : "",
  ].filter(Boolean);
  const forced =
    parts.length > 0
      ? ` · ${parts.join(" · ")} (the exchange's: their part of hlcopy's position is in the copy P&L)`
      : "";
  const outside =
    k.outside > 0
      ? ` · outside hlcopy ${k.outside} (by hand or another bot: not in the copy P&L but for what closed hlcopy's position)`
      : "";
  const old =
    untold > 0
      ? ` · not placed by hlcopy ${untold} (journaled before liquidations were told apart: in the copy P&L only for a liquidation's part of hlcopy's position)`
      : "";
  return `${forced}${outside}${old}`;
}

/** "daily loss 10.73% reached the 10% limit 2h ago": the run's words and figure (to 0.01 %, as every %). */
const dailyLossText = (d: NonNullable<StatusReport["dailyLoss"]>, now: number): string =>
  `daily loss ${fmtFixed(d.lossPct)}% reached the ${d.limitPct}% limit ${ago(d.since, now)}`;

/** How long ago, as the dashboard says it (ui/format.ts fmtAge). */
const ago = (ts: number, now: number): string => `${fmtAge(now - ts)} ago`;

/** The moment a line's figures are from, said the same way at the end of every such line. */
const asOf = (ts: number, now: number, what: string): string => `(as of ${ago(ts, now)}, ${what})`;

/**
 * The P&L's moment, and the fills journaled after it (in the fill count below, not in these
 * figures; the next sweep takes them in): "(as of 25s ago, last sweep; 12 fills since)".
 */
function pnlMoment(p: MomentPnl, now: number, moment: Moment | null): string {
  const since = p.fillsAfter > 0 ? `; ${p.fillsAfter} fill${p.fillsAfter === 1 ? "" : "s"} since` : "";
  return `(as of ${ago(p.asOf, now)}, ${moment ?? "last sweep"}${since})`;
}

/**
 * The protection's moment: "(as of now, the running follow's journal)" while the follow runs
 * (it journals each trigger as it goes), else the run's end, or its last entry (killed).
 */
function protectionMoment(ts: number, now: number, run: StatusReport["lastRun"]): string {
  if (run?.running) return `(as of now, the running ${run.command}'s journal)`;
  return asOf(ts, now, run?.endedAt !== null && run?.endedAt !== undefined ? "run end" : "last journaled");
}

/** Where each journaled moment came from (not in the JSON: its `asOf` fields are the moments). */
interface Moments {
  copy: Moment | null;
  pnl: Moment | null;
  /** The P&L is of the same record as the positions (journals before 2026-12-03 may differ). */
  samePnl: boolean;
  /** The copy lag as measured (the text's fmtMs rounds it once; --json has it to the ms). */
  lag: DistributionStats;
  /** Columns the text fits: its lines broken there at their separators, its tables within it. */
  width: number;
}

async function render(r: StatusReport, window: string, now: number, m: Moments): Promise<string> {
  // A paper account's figures are not the real account's: said on the first line.
  const lines = [`account ${r.account}${r.paper ? " — the paper account (follow --paper runs)" : ""}`];
  lines.push(
    r.halt
      ? `HALTED (${r.halt.kind}) ${ago(r.halt.since, now)}: ${r.halt.reason} — clear with: hlcopy resume`
      : r.dailyLoss
        ? `trading: no increases until 00:00 UTC (in ${fmtAge(r.dailyLoss.until - now)}) — ${dailyLossText(r.dailyLoss, now)}; reductions still go, and it lifts by itself (or raise risk.maxDailyLossPct)`
        : "trading: not halted",
  );
  const unsent = r.halt?.closesNotSent;
  if (r.halt && unsent)
    lines.push(
      `${closesNotSentText(r.halt.kind, unsent.coins)} ${asOf(unsent.asOf, now, m.copy ?? "last sweep")}`,
    );
  // Under a halt the daily loss stop is said too: it still holds once the halt is cleared.
  if (r.halt && r.dailyLoss)
    lines.push(
      `daily loss limit: no increases until 00:00 UTC (in ${fmtAge(r.dailyLoss.until - now)}) — ${dailyLossText(r.dailyLoss, now)}`,
    );
  if (r.starting) lines.push(startingLine(r.starting, r.paper));
  if (r.elsewhere) lines.push(elsewhereLine(r.elsewhere, "status"));
  if (r.paused) lines.push(pausedLine(r.paused, now, r.paper));
  lines.push(
    // Each line's figures are of one moment, said at its end: the equity record's (a running
    // follow writes one every 5 s) is not the P&L's (its last sweep); read without their moments
    // they would seem to disagree.
    `equity ${fmtUsd(r.equity)} · high-water mark ${fmtUsd(r.hwm)} · drawdown ${fmtPct(r.drawdownPct)}${r.equityAsOf === null ? "" : ` ${asOf(r.equityAsOf, now, "equity record")}`}`,
  );
  const p = r.pnl;
  // The copy's line and its tables by coin and by leader, chosen together: each column of a
  // table adds up to the line's part (core/format.ts shownPnlTables).
  const shownP = p ? shownPnlTables(p, p.byCoin, p.byLeader) : null;
  if (p && shownP) {
    const roi = p.roiPct === null ? "" : ` (${fmtPctSigned(p.roiPct)})`;
    const start =
      p.since === null
        ? ""
        : ` since ${utcMinute(p.since)}${p.startEquity === null ? "" : ` on ${fmtUsd(p.startEquity)}`}`;
    // The parts as shown add up to the net as shown, and the tables below to them (shownPnlTables).
    const s = shownP.line;
    lines.push(
      `copy P&L${start}: net ${fmtUsdSigned(s.netUsd)}${roi} = realized ${fmtUsdSigned(s.realisedUsd)} + unrealized ${fmtUsdSigned(s.unrealisedUsd)} − fees ${fmtUsd(s.feesUsd)} + funding ${fmtUsdSigned(s.fundingUsd)} ${pnlMoment(p, now, m.pnl)}`,
    );
  }
  if (r.lastRefusal) lines.push(...refusalLines(r.lastRefusal, now));
  if (r.lastRun) {
    lines.push(
      `last run: ${r.lastRun.command} started ${ago(r.lastRun.startedAt, now)}${
        r.lastRun.endedAt !== null
          ? `, exit ${r.lastRun.exitCode}`
          : r.lastRun.running
            ? `, running (pid ${r.lastRun.pid})`
            : `, never ended: killed or crashed${r.lastRun.pid === null ? "" : ` (pid ${r.lastRun.pid} is gone)`}`
      }`,
    );
    lines.push(...warningLines(r.lastRun.warnings, now));
  }
  if (r.drift) {
    // The dashboard's verdict on this record: "stale 1m · last in sync 34s ago" on stale data.
    const alone = leftAloneText(r.drift);
    lines.push(
      `${r.drift.verdict}${alone && r.drift.inSync ? ` · ${alone}` : ""} ${asOf(r.drift.asOf, now, m.copy ?? "last sweep")}`,
    );
  } else if (r.flattenedAt !== null) {
    lines.push(
      `drift: unknown — the last run was a flatten ${ago(r.flattenedAt, now)}, which reads no leader (see the copy now with: hlcopy reconcile <leader> --dry-run)`,
    );
  } else if (r.lastSweep) {
    const { inSync, driftUsd, outsideUsd } = r.lastSweep;
    // In the header's words and figure (core/drift.ts driftFigureText); a sweep journaled before
    // its outside figure was kept has only the total, said as that.
    const said =
      inSync !== null && driftUsd !== null && outsideUsd !== null
        ? driftFigureText({ inSync, driftUsd, outsideUsd })
        : `${inSync ? "in sync" : "drift remained"} (|drift| ${fmtUsd(driftUsd)}, the tolerated part included)`;
    lines.push(`${said} ${asOf(r.lastSweep.ts, now, "last sweep")}`);
  }
  for (const l of r.unfollowed) {
    lines.push(
      `NOT FOLLOWED: leader ${l.address} (${l.kind}) ${ago(l.since, now)}: ${l.reason}${
        l.until === null ? "" : ` — until ${utcMinute(l.until)}`
      } — follow it again with: hlcopy resume --leader ${l.address}`,
    );
  }
  // The coins' P&L beside them only when it is of the same record as the rows (one moment): the
  // report's row figures (runStatus), which --json gives: the rows (open and closed: every coin
  // of the P&L) add up to the net above as shown, to the cent.
  // Coins traded and closed during the copy stay listed with their P&L: the rows add up to the net.
  const closed = r.closed;
  if (r.positions.length > 0 || closed.length > 0) {
    const guarded = (r.protection?.coins.length ?? 0) > 0;
    const held = r.positions.some((x) => x.held);
    const several = r.positions.some((x) => x.byLeader !== undefined);
    const px = (x: number | null | undefined) => (x == null ? "none" : x);
    const tps = (x: CoinProtection) =>
      x.takeProfits && x.takeProfits.length > 1
        ? x.takeProfits.map((t) => `${t.px}×${t.size}`).join(" ")
        : px(x.takeProfitPx);
    const extra = held ? 1 : 0;
    lines.push(
      await renderTable(
        [
          "coin",
          // Several leaders: their net position (the sum of their own sizes), as the dashboard's.
          several ? "leaders" : "leader",
          "target",
          "ours",
          // The dashboard's names for its columns (drift $, drift%, P&L): one name per figure,
          // and a table that fits 80 columns. The coin's state (in-sync, drift, blocked …: --json's
          // `status`) is "status": headed "drift" it read as a third drift figure beside two.
          "drift $",
          "drift%",
          "status",
          "P&L",
          ...(held ? ["held"] : []),
        ],
        [
          ...r.positions.map((x) => [
            x.coin,
            // "-" when the leader holds none, as the dashboard's leader and leader $ say it.
            leadersHold(x) ? x.leaderSize : "-",
            x.targetSize ?? "-",
            x.ourSize,
            fmtUsd(x.driftUsd),
            // The dashboard's drift%: undefined at a target of 0 (core/drift.ts driftPct).
            driftClosing(x.driftUsd, x.targetSize) ? "closing" : fmtPct(x.driftPct, 1),
            // The reason is said under the table: in the cell it made the table 103 wide.
            x.status ?? "-",
            fmtUsdSigned(x.netUsd),
            ...(held ? [x.held ? "entry-only" : ""] : []),
          ]),
          ...closed.map((c) => [
            c.coin,
            "-",
            0,
            0,
            "-",
            "-",
            "closed",
            fmtUsdSigned(c.netUsd),
            ...Array(extra).fill(""),
          ]),
        ],
      ),
    );
    // The reason behind each row's status (tolerated, blocked, left alone), one line under the
    // table: why its drift stands now — not the leader's trades skipped, which the dashboard's
    // and the summary's `skipped` count (it said "skipped:" until 2026-12-05).
    const why = r.positions
      .filter((x) => x.reason && x.status !== null && x.status !== "in-sync")
      .map((x) => `${x.coin} ${x.reason}`);
    if (why.length > 0) lines.push(`reasons: ${why.join(" · ")}`);
    // Several leaders on both sides of a coin: their net ("leaders", the dashboard's figure) is
    // 0, or of the other sign than the target, which weighs each one by its own ratio — "leaders 0,
    // target 0.02, ours 0.02" read as a copy of nothing holding something. Each one's size is
    // said under the table, with the sum the column shows (--json: byLeader).
    const split = r.positions
      .filter((x) => x.byLeader?.some((b) => b.size > 0) && x.byLeader.some((b) => b.size < 0))
      .map(
        (x) =>
          `${x.coin} ${(x.byLeader ?? []).map((b) => `${shortAddress(b.leader)} ${detailNumber(b.size)}`).join(" + ")} = ${detailNumber(x.leaderSize)}`,
      );
    if (split.length > 0)
      lines.push(
        `leaders on both sides (leaders: the sum of their own sizes; the target weighs each by its ratio): ${split.join(" · ")}`,
      );
    // The resting protection in a table of its own: as two more columns it made the positions'
    // 101 wide. Take-profit tiers wrap into what is left of the width.
    // Of its own moment: the journal's triggers as a running follow keeps them (now), on the
    // positions moved by the fills since the rows' record.
    if (guarded && r.protection) {
      lines.push(
        `resting protection ${protectionMoment(r.protection.asOf, now, r.lastRun)}:`,
        await renderTable(
          ["coin", "stop", "take-profit"],
          r.protection.coins.map((x) => [x.coin, px(x.stopPx), tps(x)]),
          { wrapLast: true, width: m.width },
        ),
      );
    }
  }
  const coinRois = p
    ? shownColumn(
        p.byCoin.map((c) => c.roiPct),
        p.roiPct,
      )
    : [];
  if (p && p.byCoin.length > 0) {
    lines.push(
      `copy P&L by coin ${pnlMoment(p, now, m.pnl)}:`,
      await renderTable(
        ["coin", "net", "realized", "unrealized", "fees", "funding", "ROI", "fills"],
        // The rows' net and ROI add up to the copy's line above as shown (shownColumn); each row's
        // parts to its net, and each column of parts to the line's (shownPnlTables: realised read
        // −0.18 −0.03 −0.13 +0.11 = −0.23 under the line's −0.22). ROI to 2 decimals, as every view shows it.
        (shownP?.tables[0] ?? []).map((s, i) => {
          const c = p.byCoin[i] as (typeof p.byCoin)[number];
          const roi = coinRois[i] ?? c.roiPct;
          return [c.coin, ...pnlCells(s), fmtPctSigned(roi), c.fills];
        }),
      ),
    );
  }
  const leaderRois = p
    ? shownColumn(
        p.byLeader.map((l) => l.roiPct),
        p.roiPct,
      )
    : [];
  if (p && p.byLeader.length > 0) {
    lines.push(
      `copy P&L by leader ${pnlMoment(p, now, m.pnl)}:`,
      await renderTable(
        ["leader", "net", "realized", "unrealized", "fees", "funding", "ROI"],
        // The leader as the dashboard and the header say it (0x1880…5fb4): the full address
        // made this table 106 columns wide (the NOT FOLLOWED line and --json keep it whole).
        (shownP?.tables[1] ?? []).map((s, i) => {
          const l = p.byLeader[i] as (typeof p.byLeader)[number];
          const roi = leaderRois[i] ?? l.roiPct;
          return [shortAddress(l.leader), ...pnlCells(s), fmtPctSigned(roi)];
        }),
      ),
    );
  }
  const f = r.fills;
  const e = r.execSlippageBps;
  const s = r.slippageBps;
  const l = m.lag;
  const kinds = ORDER_KINDS.filter((k) => e.byKind[k].count > 0)
    .map((k) => `${k} ${fmtSlippage(e.byKind[k].median)}/${fmtSlippage(e.byKind[k].p95)}`)
    .join(" · ");
  lines.push(
    `fills (${window}): ${f.total} — copy ${f.byKind.copy} · repair ${f.byKind.repair} · join ${f.byKind.join} · safety ${f.byKind.safety} · flatten ${f.byKind.flatten}${notPlacedText(f)}`,
    `execution slippage vs the best bid/ask at decision (${window}, ${e.all.count} fills): mean ${fmtSlippage(e.all.mean)} · p50 ${fmtSlippage(e.all.median)} · p95 ${fmtSlippage(e.all.p95)} bps${kinds ? ` (p50/p95 by kind: ${kinds})` : ""}`,
  );
  const b = r.slippageBudget;
  if (b.exceeded) {
    lines.push(
      `warning: execution slippage p95 ${fmtSlippage(b.p95Bps)} bps exceeds exec.slippageBudgetBps ${b.budgetBps} (${window}, ${b.n} fills)`,
    );
  }
  lines.push(
    `copy slippage vs the leader's fill (hot-path copies, ${window}, ${s.count} fills): mean ${fmtSlippage(s.mean)} · p50 ${fmtSlippage(s.median)} · p95 ${fmtSlippage(s.p95)} bps`,
    `copy lag (hot-path copies, ${window}): p50 ${fmtMs(l.median)} · p99 ${fmtMs(l.p99)}`,
  );
  if (r.alerts?.failing && r.alerts.lastFailure) {
    lines.push(
      `alerts: FAILING since ${ago(r.alerts.lastFailure.ts, now)}: ${r.alerts.lastFailure.message} — check alerts.webhook, then: hlcopy alerts test`,
    );
  } else if (r.alerts?.lastSentAt) {
    lines.push(`alerts: delivered (last ${ago(r.alerts.lastSentAt, now)})`);
  }
  // Every line within the width, broken at its separators (the copy P&L line, the slippage lines
  // were 190 columns wide: an 80-column terminal broke them inside a figure); a table is within
  // it already, and left as it is.
  return `${wrapReportLines(lines, m.width).join("\n")}\n`;
}

/** The last run's refusal, as its error and hint lines said it (status's text): the run before it is `last run`. */
function refusalLines(r: RefusalRecord, now: number): string[] {
  return [
    `last attempt: ${r.command} refused at its start ${ago(r.at, now)}, exit ${r.exitCode}, nothing sent: ${r.reason}`,
    ...(r.hint ? [`  hint: ${r.hint}`] : []),
  ];
}

/** A P&L row's parts as every view writes them: net, realised, unrealised (signed), fees, funding. */
function pnlCells(s: PnlParts): string[] {
  return [
    fmtUsdSigned(s.netUsd),
    fmtUsdSigned(s.realisedUsd),
    fmtUsdSigned(s.unrealisedUsd),
    fmtUsd(s.feesUsd),
    fmtUsdSigned(s.fundingUsd),
  ];
}
