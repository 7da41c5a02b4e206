// `hlcopy inspect`: fetch a leader's fills, state, portfolio and funding; compute the
// analytics and the copyability at the follower's equity; print tables, small charts and a
// verdict line, or one JSON document. Progress goes to stderr, never to stdout.

import { assessLeader } from "../../analytics/assess.js";
import { type Copyability, judgedSizingNote } from "../../analytics/copyability.js";
import { fetchLeaderData, type LeaderData, type LeaderDataSource } from "../../analytics/fetch.js";
import type { FrictionModel } from "../../analytics/friction.js";
import { DEFAULT_FRICTION } from "../../analytics/friction.js";
import { type LeaderMetrics, MIN_SHARPE_DAYS } from "../../analytics/metrics.js";
import { type ActivityProfile, activityProfile, type ScanRow, WEEKDAYS } from "../../analytics/scan.js";
import { UsageError } from "../../core/errors.js";
import { shownSum, shownTotal, utcSecond, windowText } from "../../core/format.js";
import { type HistoryCut, historyCutText } from "../../core/history.js";
import { resolveCoinSettings, type Settings } from "../../core/settings.js";
import type { Address } from "../../core/types.js";
import { equityCurve, histogram, sparkline } from "../../ui/charts.js";
import {
  fmtFixed,
  fmtPct,
  fmtShare,
  fmtUsd,
  fmtUsdSigned,
  wrapReportLines,
  wrapToWidth,
} from "../../ui/format.js";
import { refuseUnknownCoinsFirst } from "../analytics/coins.js";
import { compactTable, formatDuration } from "../analytics/format.js";
import { parseLeaderAddress } from "../context.js";
import { parseNumberFlag } from "../numbers.js";
import { outputWidth, printDocument, type Writer } from "../output.js";

export interface InspectRunOptions {
  address: string;
  days?: string | number;
  /** Follower equity for copyability; else the follower account's value; else $1,000. */
  equity?: string | number;
  /** The follower's master account (its value stands in for --equity). */
  account?: Address | null;
  settings: Settings;
  json: boolean;
  source: LeaderDataSource;
  friction?: FrictionModel;
  now?: number;
  out?: Writer;
  err?: Writer;
  /** Columns the key/value tables wrap to (default: the terminal's, else 80). */
  width?: number;
}

export interface InspectReport {
  leader: Address;
  /** The span the leader was observed over (see observedWindow); `days` is its real length. */
  window: { start: number; end: number; days: number };
  /** The --days asked for (the window is shorter when the leader's history is). */
  requestedDays: number;
  /**
   * The exchange served less than the window asked (it keeps a user's 10,000 most recent fills)
   * or the read hit its page cap: every figure is over `window` = the span covered
   * (historyCut.start–end), not over `requestedDays`. Null when the whole window was read.
   */
  historyCut: HistoryCut | null;
  metrics: Omit<LeaderMetrics, "equityCurve"> & { equityCurve: [number, number][] };
  copyability: Copyability | null;
  equitySource: "flag" | "account" | "default";
  leaderEquitySource: "portfolio-or-state" | "estimated";
  /** Risk ratios, win/loss sizes, liquidations and the cost of copying at `equity` (as `scan` shows). */
  extra: Pick<
    ScanRow,
    | "sortino"
    | "calmar"
    | "longestLosingStreak"
    | "avgWin"
    | "avgLoss"
    | "largestWin"
    | "largestLoss"
    | "liquidations"
    | "roiPct"
    | "copy"
  >;
  /** Orders per UTC hour of day and day of week (Monday first). */
  activity: ActivityProfile;
  warnings: string[];
}

/** Equity used when neither --equity nor a follower account is known. */
export const DEFAULT_INSPECT_EQUITY = 1000;

/**
 * Inspect a leader and print the report.
 * @throws {UsageError} for a bad address, --days or --equity, an account with no equity, or a
 *   leader with no fill in the window;
 *   source errors pass through.
 */
export async function runInspectCommand(opts: InspectRunOptions): Promise<InspectReport> {
  const out = opts.out ?? process.stdout;
  const err = opts.err ?? process.stderr;
  const leader = parseLeaderAddress(opts.address);
  const days = parseNumberFlag(opts.days ?? 30, "--days", { min: 0, exclusive: true, example: "30" });
  let equity =
    opts.equity === undefined
      ? undefined
      : parseNumberFlag(opts.equity, "--equity", { min: 0, exclusive: true, example: "1000" });
  const now = opts.now ?? Date.now();
  // Within the terminal's width (80 when piped), as backtest's: "fetching fills of 0x… for the
  // last 30 days…" ran past 80.
  const progress = (m: string) => err.write(`${wrapToWidth(m, outputWidth())}\n`);

  // A coin list naming no market, refused before any long read (the markets first).
  const source = await refuseUnknownCoinsFirst(opts.source, [opts.settings]);
  let equitySource: InspectReport["equitySource"] = "flag";
  // Before the leader's history (the long part): an account with nothing in it is refused at once.
  if (equity === undefined && opts.account) {
    equity = await followerEquity(source, opts.account, progress);
    equitySource = "account";
    // An empty account (the wrong --account or network, or not funded yet) judges no copy: it
    // ended on "equity and leaderEquity must be positive", exit 1, a bug report asked for.
    if (equity !== undefined && !(equity > 0)) {
      throw new UsageError(
        `your account ${opts.account} has no equity here (account value ${fmtUsd(equity)}): inspect judges the copy at your account's value`,
        {
          hint: "give the equity to judge at (--equity 1000), or fund the account; check that --account and --network name the account you will copy with",
        },
      );
    }
  }
  const data: LeaderData = await fetchLeaderData(source, leader, {
    days,
    now,
    onProgress: progress,
    fillsRequired: true,
  });
  // No fill in the window (an address that never traded, a typo of one, a leader idle for
  // longer): nothing to judge. Refused as backtest refuses it — it printed a header, "nothing to
  // analyse" and exit 0, and --json a document of zeros a script would rank.
  if (data.fills.length === 0) {
    for (const w of data.warnings) progress(`note: ${w}`);
    throw new UsageError(
      `no fills of ${leader} in the last ${windowText(days * 86_400_000, "words")}: nothing to analyse`,
      { hint: "check the address; for a leader idle longer than that, a longer window, e.g. --since 90d" },
    );
  }
  // A coin list naming no market judged a copy of nothing: refused as a trading run refuses it.
  if (data.meta)
    resolveCoinSettings(
      opts.settings,
      data.meta.map((m) => m.name),
    );
  if (equity === undefined) {
    equity = DEFAULT_INSPECT_EQUITY;
    equitySource = "default";
  }

  const { metrics, leaderEquitySource, copyability, row } = assessLeader(data, {
    address: leader,
    equity,
    settings: opts.settings,
    friction: opts.friction ?? DEFAULT_FRICTION,
  });
  const report: InspectReport = {
    leader,
    window: metrics.window,
    requestedDays: days,
    historyCut: data.cut,
    metrics,
    copyability,
    equitySource,
    leaderEquitySource,
    extra: {
      sortino: row.sortino,
      calmar: row.calmar,
      longestLosingStreak: row.longestLosingStreak,
      avgWin: row.avgWin,
      avgLoss: row.avgLoss,
      largestWin: row.largestWin,
      largestLoss: row.largestLoss,
      liquidations: row.liquidations,
      roiPct: row.roiPct,
      copy: row.copy,
    },
    activity: activityProfile(data.fills),
    warnings: [...data.warnings, ...[judgedSizingNote(opts.settings.sizing.mode)].filter((n) => n !== null)],
  };
  if (opts.json) printDocument("inspect", report, out, now);
  else out.write(`${await renderInspect(report, opts.width)}\n`);
  return report;
}

/** 1 minute, 4 minutes, 5.5 hours, 12.3 days. */
function spanText(ms: number): string {
  if (ms < 3_600_000) {
    const n = Math.max(1, Math.round(ms / 60_000));
    return `${n} ${n === 1 ? "minute" : "minutes"}`;
  }
  if (ms < 86_400_000) return `${(ms / 3_600_000).toFixed(1)} hours`;
  return `${(ms / 86_400_000).toFixed(1)} days`;
}

/**
 * Orders per day (an order's fills counted once) over the history the report covers (its
 * first line's span), with the counts and that span — from a day of history or more. A
 * shorter history is no daily rate (4 orders in a minute are not 5,760 a day): a rate per hour
 * (or per minute, under an hour) that says what it was measured on.
 */
function orderRate(m: InspectReport["metrics"]): string {
  const ms = m.window.end - m.window.start;
  const counts = `${m.counts.trades} orders, ${m.counts.fills} fills in ${spanText(ms)}`;
  if (m.ordersPerDay !== null) return `${fmtFixed(m.ordersPerDay, 1)}  (${counts})`;
  const rate =
    ms >= 3_600_000
      ? `${fmtFixed(m.counts.trades / (ms / 3_600_000), 1)} / hour`
      : `${fmtFixed(m.counts.trades / Math.max(1, ms / 60_000), 1)} / minute`;
  return `-  (${counts}: ${rate}; under a day of history, no daily rate)`;
}

async function followerEquity(
  source: LeaderDataSource,
  account: Address,
  progress: (m: string) => void,
): Promise<number | undefined> {
  progress(`fetching your account value (${account})…`);
  try {
    if (source.getAccountState) return (await source.getAccountState(account)).accountValue;
    if (source.getClearinghouseState) {
      const { parseClearinghouseState } = await import("../../analytics/wire.js");
      return parseClearinghouseState(await source.getClearinghouseState(account)).accountValue;
    }
  } catch (error) {
    progress(
      `note: your account value is unavailable (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  return undefined;
}

/** The human report. */
export async function renderInspect(report: InspectReport, width?: number): Promise<string> {
  const m = report.metrics;
  const x = report.extra;
  const lines: string[] = [];
  lines.push(
    `Leader ${report.leader}: ${utcSecond(m.window.start)} → ${utcSecond(m.window.end)} (${
      report.historyCut
        ? historyCutText(report.historyCut)
        : `${spanText(m.window.end - m.window.start)}${
            m.window.days < report.requestedDays * 0.99
              ? ` of history: the leader's first fill in the last ${windowText(report.requestedDays * 86_400_000, "words")}`
              : ""
          }`
    })`,
  );
  const lev = m.leverage;
  const hold =
    m.holding.medianMs !== null
      ? `${formatDuration(m.holding.medianMs)} median, ${formatDuration(m.holding.meanMs ?? 0)} mean (${m.counts.closedEpisodes} closed positions)`
      : m.holding.turnoverMs !== null
        ? `~${formatDuration(m.holding.turnoverMs)} (inventory turnover; no position opened and closed)`
        : "-";
  // The P&L and its parts as status and report write a P&L (fmtUsdSigned; fees a cost, taken
  // away: "− fees $69.45", never "fees -$69.45"), the parts as shown adding up to the net shown.
  const pnl = shownSum([m.pnl.realized, -m.pnl.fees, m.pnl.funding], m.pnl.net);
  const [realized = 0, minusFees = 0, funding = 0] = pnl.parts;
  const perf = await compactTable(
    null,
    [
      [
        "net realized P&L",
        `${fmtUsdSigned(pnl.total)} = realized ${fmtUsdSigned(realized)} − fees ${fmtUsd(-minusFees)} + funding ${fmtUsdSigned(funding)}`,
      ],
      [
        "volume / edge",
        `${fmtUsd(m.volume, 0)} traded, ${m.edgeBps === null ? "-" : `${fmtFixed(m.edgeBps, 1)} bps`} realized per $ traded`,
      ],
      [
        "win rate",
        `${fmtShare(m.winRate)} of ${m.counts.closingTrades} closing trades; ${fmtShare(m.episodeWinRate)} of closed positions`,
      ],
      [
        "profit factor",
        m.profitFactor === null ? (m.winRate === null ? "-" : "no losing trade") : fmtFixed(m.profitFactor),
      ],
      [
        "max drawdown",
        `${fmtUsd(m.drawdown.maxUsd)}${m.drawdown.maxPct === null ? "" : ` (${fmtPct(m.drawdown.maxPct)})`} from ${m.drawdown.source}`,
      ],
      ["Sharpe (daily)", m.sharpe === null ? `- (needs ${MIN_SHARPE_DAYS}+ days)` : fmtFixed(m.sharpe)],
      [
        "Sortino / Calmar",
        `${x.sortino === null ? `- (needs ${MIN_SHARPE_DAYS}+ days and a losing day)` : fmtFixed(x.sortino)} / ${x.calmar === null ? (m.window.days < MIN_SHARPE_DAYS ? `- (needs ${MIN_SHARPE_DAYS}+ days)` : "- (no drawdown)") : fmtFixed(x.calmar)}`,
      ],
      [
        "wins / losses",
        `avg ${fmtUsdSigned(x.avgWin)} / ${fmtUsdSigned(x.avgLoss)}, largest ${fmtUsdSigned(x.largestWin)} / ${fmtUsdSigned(x.largestLoss)}; longest losing streak ${x.longestLosingStreak}`,
      ],
      ["liquidations", String(x.liquidations)],
      ["orders / day", orderRate(m)],
      ["holding time", hold],
      [
        "leverage",
        lev
          ? `${fmtFixed(lev.current)}x now, ${fmtFixed(lev.mean)}x mean, ${fmtFixed(lev.max)}x max`
          : "- (account state unknown)",
      ],
      [
        "long / short",
        m.longShort.longShare === null
          ? "-"
          : `${fmtShare(m.longShort.longShare, 0)} long / ${fmtShare(1 - m.longShort.longShare, 0)} short (opening volume)`,
      ],
      [
        "style",
        `${m.style.style} (${m.style.reason}${
          m.ordersPerDay === null && m.style.reason.includes("orders/day")
            ? `, extrapolated from ${spanText(m.window.end - m.window.start)} of history`
            : ""
        })`,
      ],
    ],
    { wrapLast: true, ...(width === undefined ? {} : { width }) },
  );
  lines.push(perf);
  const coins = m.coins.slice(0, 10);
  lines.push(
    await compactTable(
      ["coin", "orders", "volume", "share", "net realized"],
      coins.map((c) => [c.coin, c.trades, fmtUsd(c.volume, 0), fmtShare(c.share), fmtUsdSigned(c.pnl)]),
    ),
  );
  if (m.coins.length > coins.length) lines.push(`(+${m.coins.length - coins.length} more coins)`);
  lines.push("");
  lines.push("Cumulative net realized P&L (realized − fees + funding):");
  lines.push(
    equityCurve(
      m.equityCurve.map((p) => p[1]),
      // Its axis a P&L as every P&L is written (fmtUsdSigned: -$54.74, +$12.50), not -54.74.
      { width: 60, height: 6, format: (v) => fmtUsdSigned(v) },
    ),
  );
  lines.push("");
  lines.push("When the leader trades (orders, UTC):");
  lines.push(
    `  hour 00–23  ${sparkline(report.activity.hourOfDay, 24)}  busiest ${busiest(report.activity.hourOfDay, (i) => `${String(i).padStart(2, "0")}:00`)}`,
  );
  lines.push(
    histogram(
      WEEKDAYS.map((label, i) => ({ label, count: report.activity.dayOfWeek[i] ?? 0 })),
      30,
    ),
  );
  if (m.counts.closedEpisodes > 0) {
    lines.push("");
    lines.push("Holding time of closed positions:");
    lines.push(
      histogram(
        m.holding.histogram.filter((_, i, all) => i <= lastNonZero(all)),
        30,
      ),
    );
  }
  const c = report.copyability;
  if (c) {
    lines.push("");
    const eqNote =
      report.equitySource === "default"
        ? " (default; pass --equity or --account)"
        : report.equitySource === "account"
          ? " (your account value)"
          : "";
    lines.push(
      `Copyability at ${fmtUsd(c.equity, 0)}${eqNote}, leader equity ${fmtUsd(c.leaderEquity, 0)}${report.leaderEquitySource === "estimated" ? " (estimated)" : ""}:`,
    );
    lines.push(
      await compactTable(
        null,
        [
          ["copy ratio", fmtPct(c.ratio * 100, 3)],
          ["median trade", `${fmtUsd(c.medianTradeUsd)} → ${fmtUsd(c.medianScaledTradeUsd)} for you`],
          ["below the $10 minimum", fmtShare(c.belowMinShare)],
          ["inside the deadband", fmtShare(c.insideDeadbandShare)],
          ["copied", fmtShare(c.copiedShare)],
          [
            "your cost per trade",
            // The total is the sum of its parts as shown (shownTotal), as the verdict line says it.
            `${fmtFixed(shownTotal([c.cost.feeBps, c.cost.slippageBps], 1), 1)} bps (fee ${fmtFixed(c.cost.feeBps, 1)} + slippage ${fmtFixed(c.cost.slippageBps, 1)})`,
          ],
          ["leader's edge", c.edgeBps === null ? "-" : `${fmtFixed(c.edgeBps, 1)} bps per $ traded`],
          ["cost / edge", fmtShare(c.costShareOfEdge, 0)],
          [
            "copying this window",
            `fees ${fmtUsd(x.copy.feesUsd)}, slippage ${fmtUsd(x.copy.slippageUsd)}, funding ${fmtUsdSigned(x.copy.fundingUsd)}; copy net ${fmtUsdSigned(x.copy.netUsd)}`,
          ],
        ],
        { wrapLast: true, ...(width === undefined ? {} : { width }) },
      ),
    );
    lines.push(`Verdict: ${c.verdict.text}`);
  }
  if (m.tracker.mismatches > 0) {
    lines.push(`Note: ${m.tracker.mismatches} fill(s) disagreed with the rebuilt position (missing fills).`);
  }
  for (const w of report.warnings) lines.push(`note: ${w}`);
  // Lines of words within the terminal's width (80 piped), as status's and backtest's: the first
  // line (the address and the span) ran ~150 wide. Tables as drawn (already within it).
  return wrapReportLines(lines, width ?? outputWidth()).join("\n");
}

function lastNonZero(rows: { count: number }[]): number {
  let last = 0;
  rows.forEach((r, i) => {
    if (r.count > 0) last = i;
  });
  return last;
}

/** The label of the largest count ("-" when all are 0). */
function busiest(counts: readonly number[], label: (i: number) => string): string {
  let best = -1;
  counts.forEach((c, i) => {
    if (c > 0 && (best < 0 || c > (counts[best] ?? 0))) best = i;
  });
  return best < 0 ? "-" : label(best);
}
