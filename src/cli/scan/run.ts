// `hlcopy scan`: rank several leaders by how well they copy at the follower's equity. Each
// leader's fills come through the on-disk cache (only new fills are fetched), paced by the
// request budget of the source; one progress line per step on stderr. The first Ctrl-C stops
// after the leader in flight and prints what was scanned; the cache keeps what was fetched.

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { assessLeader } from "../../analytics/assess.js";
import { fetchLeaderData, type LeaderDataSource } from "../../analytics/fetch.js";
import { cachedFillsSource } from "../../analytics/fill-cache.js";
import { DEFAULT_FRICTION, type FrictionModel } from "../../analytics/friction.js";
import type { TradingStyle } from "../../analytics/metrics.js";
import {
  addressesFromText,
  type ConsensusEntry,
  consensus,
  filterOut,
  NO_TRADES,
  rankRows,
  type ScanFilters,
  type ScanRow,
} from "../../analytics/scan.js";
import type { AccountSnapshot, MetaAsset } from "../../analytics/wire.js";
import { ExitCode, OperationalError, UsageError } from "../../core/errors.js";
import { shortAddress, windowText } from "../../core/format.js";
import { historyCutText } from "../../core/history.js";
import { resolveCoinSettings, type Settings } from "../../core/settings.js";
import type { Address } from "../../core/types.js";
import {
  fmtFixed,
  fmtLev,
  fmtPct,
  fmtPctSigned,
  fmtShare,
  fmtUsd,
  fmtUsdSigned,
  wrapReportLines,
} from "../../ui/format.js";
import { refuseUnknownCoinsFirst } from "../analytics/coins.js";
import { compactTable, formatDuration } from "../analytics/format.js";
import { parseLeaderAddresses } from "../context.js";
import { parseNumberFlag } from "../numbers.js";
import { outputWidth, printDocument, type Writer } from "../output.js";
import { endedByRateLimit, rateLimitHint } from "../rate-limit.js";

const STYLES: readonly TradingStyle[] = ["high-frequency", "intraday", "swing", "position"];

export interface ScanRunOptions {
  addresses: string[];
  file?: string;
  equity?: string | number;
  days?: string | number;
  minTrades?: string;
  winRate?: string;
  maxLeverage?: string;
  style?: string;
  excludeLiquidated?: boolean;
  consensus?: boolean;
  json: boolean;
  csv?: boolean;
  settings: Settings;
  source: LeaderDataSource;
  /** The config directory; fills are cached under <configDir>/cache/fills. */
  configDir: string;
  friction?: FrictionModel;
  now?: number;
  out?: Writer;
  err?: Writer;
  /** Stop early (Ctrl-C): checked between leaders. */
  signal?: AbortSignal;
  /** Columns the text report fits (default: the terminal's, else 80); --json and --csv are whole. */
  width?: number;
}

export interface ScanReport {
  equity: number;
  requestedDays: number;
  leaders: ScanRow[];
  excluded: { address: string; reason: string }[];
  /** Addresses with no fill in the window: nothing to copy, not ranked. */
  noTrades: string[];
  failed: { address: string; error: string }[];
  consensus: ConsensusEntry[] | null;
  interrupted: boolean;
  cache: { hits: number; cachedFills: number; fetchedFills: number };
}

/** Validated filters. @throws {UsageError} naming the flag. */
export function parseFilters(
  o: Pick<ScanRunOptions, "minTrades" | "winRate" | "maxLeverage" | "style" | "excludeLiquidated">,
): ScanFilters {
  const f: ScanFilters = {};
  if (o.minTrades !== undefined)
    f.minTrades = parseNumberFlag(o.minTrades, "--min-trades", { min: 0, integer: true, example: "20" });
  if (o.winRate !== undefined) {
    const m = /^\s*(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)\s*$/.exec(o.winRate);
    const lo = Number(m?.[1]);
    const hi = Number(m?.[2]);
    if (!m || lo > hi || hi > 100)
      throw new UsageError(
        `invalid --win-rate "${o.winRate}": expected a percent range LOW-HIGH within 0-100`,
        {
          hint: "e.g. --win-rate 35-85",
        },
      );
    // 0.35-0.85 meant as 35-85 %: a range topping out at 1 % keeps only leaders that lose
    // (nearly) every trade, so every real leader would be excluded without a word of why.
    if (hi > 0 && hi <= 1)
      throw new UsageError(
        `--win-rate "${o.winRate}" looks like fractions: it is a percent range, and ${lo}-${hi} keeps only leaders winning at most ${hi} % of their trades`,
        {
          hint: `e.g. --win-rate ${Math.round(lo * 100)}-${Math.round(hi * 100)} for ${Math.round(lo * 100)} % to ${Math.round(hi * 100)} %`,
        },
      );
    f.winRate = [lo, hi];
  }
  if (o.maxLeverage !== undefined)
    f.maxLeverage = parseNumberFlag(o.maxLeverage, "--max-leverage", {
      min: 0,
      exclusive: true,
      example: "5",
    });
  if (o.style !== undefined) {
    const styles = o.style
      .split(",")
      .map((s) => s.trim().toLowerCase())
      .filter((s) => s !== "");
    const bad = styles.find((s) => !STYLES.includes(s as TradingStyle));
    if (bad !== undefined || styles.length === 0)
      throw new UsageError(`invalid --style "${o.style}": expected one or more of ${STYLES.join(", ")}`, {
        hint: "e.g. --style swing,position",
      });
    f.styles = styles as TradingStyle[];
  }
  if (o.excludeLiquidated) f.excludeLiquidated = true;
  return f;
}

/** The leaders to scan, each once, and those listed more than once (lower case → times listed). */
async function readAddresses(
  opts: ScanRunOptions,
): Promise<{ addresses: Address[]; repeated: Map<string, number> }> {
  const raw = [...opts.addresses];
  // `scan … --csv out.csv`, as report --csv takes a file: scan's CSV goes to stdout, so the file
  // name was read as a leader address ("copy the leader's address from the explorer").
  const file = opts.csv ? raw.find((a) => !/^0x/i.test(a) && /\.(csv|txt|tsv)$/i.test(a)) : undefined;
  if (file !== undefined) {
    throw new UsageError(
      `scan --csv prints the CSV on stdout and takes no file name: "${file}" is not a leader address`,
      {
        hint: `redirect it: hlcopy scan ${raw.filter((a) => a !== file).join(" ") || "--file leaders.txt"} --csv > ${file}`,
      },
    );
  }
  if (opts.file) {
    let text: string;
    try {
      text = await readFile(opts.file, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new UsageError(
        // In words, as backtest says it of its files ("EISDIR" told a trader nothing).
        `cannot read address file ${opts.file}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : code === "EACCES" ? "permission denied" : (code ?? "unreadable")}`,
        {
          hint: "pass a file with one address per line, or a JSON leaderboard export",
          cause: error,
        },
      );
    }
    let fromFile: string[];
    try {
      fromFile = addressesFromText(text);
    } catch (error) {
      throw new UsageError(`${opts.file} is not valid JSON`, {
        hint: "pass one address per line, or a JSON array of objects with an address field such as ethAddress",
        cause: error,
      });
    }
    // A file that names nobody (empty, or a JSON export without an address field) was told
    // "give leader addresses or --file FILE", beside the --file it had been given.
    if (fromFile.length === 0) {
      throw new UsageError(`no leader addresses in ${opts.file}`, {
        hint: "pass one address per line, or a JSON array of objects with an address field such as ethAddress",
      });
    }
    // A bad entry is named with the file it is in: "invalid leader address "not"" alone read as
    // an argument of the command line.
    try {
      parseLeaderAddresses(fromFile);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      throw new UsageError(`${opts.file}: ${error.message}`, {
        hint: "pass one address per line (a # starts a comment), or a JSON array of objects with an address field such as ethAddress",
        cause: error,
      });
    }
    raw.push(...fromFile);
  }
  if (raw.length === 0) {
    throw new UsageError("nothing to scan: give leader addresses or --file FILE", {
      hint: "e.g. hlcopy scan 0x5e9ee1089755c3435139848e47e6635505d5a13a 0xb7b6f3cea3f66bf525f5d8f965f6dbf6d9b017b2",
    });
  }
  const seen = new Map<string, number>();
  const out: Address[] = [];
  for (const addr of parseLeaderAddresses(raw)) {
    const key = addr.toLowerCase();
    seen.set(key, (seen.get(key) ?? 0) + 1);
    if (seen.get(key) === 1) out.push(addr);
  }
  return { addresses: out, repeated: new Map([...seen].filter(([, n]) => n > 1)) };
}

/**
 * Scan, rank and print.
 * @throws {UsageError} for bad flags, addresses or an unreadable file (before any request), or
 *   when not one leader has a fill in the window; {OperationalError} (exit 1) when every leader failed, after their lines on `err`. When only
 *   some failed, the report is printed, then an error and a hint line on `err` (exit 1: scanExitCode).
 */
export async function runScanCommand(opts: ScanRunOptions): Promise<ScanReport> {
  const out = opts.out ?? process.stdout;
  const err = opts.err ?? process.stderr;
  if (opts.json && opts.csv)
    throw new UsageError("--json and --csv both choose the output: give one", {
      hint: "e.g. hlcopy scan --file leaders.txt --csv",
    });
  const equity = parseNumberFlag(opts.equity ?? 2000, "--equity", {
    min: 0,
    exclusive: true,
    example: "2000",
  });
  const days = parseNumberFlag(opts.days ?? 30, "--days", { min: 0, exclusive: true, example: "30" });
  const filters = parseFilters(opts);
  const { addresses, repeated } = await readAddresses(opts);
  // A leaderboard export names a leader twice, or an address is given again on the command line:
  // scanned once, and said — the ranking's count of leaders is not the list's.
  if (repeated.size > 0)
    err.write(
      `note: ${repeated.size} leader(s) listed more than once, scanned once each: ${[...repeated]
        .map(([a, n]) => `${shortAddress(a)} ×${n}`)
        .join(", ")}\n`,
    );
  const friction = opts.friction ?? DEFAULT_FRICTION;
  const now = opts.now ?? Date.now();
  // A coin list naming no market, refused before the first leader's history is read.
  const source = cachedFillsSource(
    await refuseUnknownCoinsFirst(opts.source, [opts.settings]),
    join(opts.configDir, "cache", "fills"),
  );

  const rows: ScanRow[] = [];
  const excluded: ScanReport["excluded"] = [];
  const noTrades: string[] = [];
  const failed: ScanReport["failed"] = [];
  const states: { address: string; state: AccountSnapshot }[] = [];
  let meta: MetaAsset[] | undefined;
  let interrupted = false;
  // A read that gave up on the exchange's 429s: waiting, not the network, is the remedy.
  let rateLimited = false;
  const total = addresses.length;
  for (const [i, address] of addresses.entries()) {
    if (opts.signal?.aborted) {
      interrupted = true;
      break;
    }
    const step = `scan ${i + 1}/${total} ${shortAddress(address, 8)}`;
    err.write(`${step}: fetching…\n`);
    try {
      // Meta once for all leaders (it is the same market).
      const s: LeaderDataSource = meta ? { ...source, getMeta: undefined, getMarkets: undefined } : source;
      const data = await fetchLeaderData(s, address, { days, now });
      // A coin list naming no market judged every leader on a copy of nothing: refused (exit 2)
      // as a trading run refuses it, once the markets are known.
      if (!meta && data.meta)
        resolveCoinSettings(
          opts.settings,
          data.meta.map((m) => m.name),
        );
      meta ??= data.meta;
      if (meta && !data.meta) data.meta = meta;
      if (data.state) states.push({ address, state: data.state });
      const { row } = assessLeader(data, { address, equity, settings: opts.settings, friction });
      const why = row.fills === 0 ? null : filterOut(row, filters);
      if (row.fills === 0) noTrades.push(address);
      else if (why) excluded.push({ address, reason: why });
      else rows.push(row);
      err.write(
        `${step}: ${row.fills === 0 ? "no trades" : `${data.fills.length.toLocaleString("en-US")} fills, ${row.verdict}`}\n`,
      );
    } catch (error) {
      if (error instanceof UsageError) throw error;
      const message = error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
      failed.push({ address, error: message });
      if (endedByRateLimit(error)) rateLimited = true;
      err.write(`${step}: failed: ${message}\n`);
    }
  }
  if (interrupted)
    err.write(
      `note: interrupted: ${rows.length + excluded.length + noTrades.length + failed.length} of ${total} leaders scanned; fetched fills are cached\n`,
    );
  // Not one leader could be read: an empty table and exit 0 would read as "nothing worth
  // copying". A runtime error (exit 1) instead; the lines above say why for each leader.
  if (failed.length > 0 && failed.length === total) {
    throw new OperationalError(
      `no leader could be scanned (${total} of ${total} failed): ${failed[0]?.error}`,
      {
        hint:
          (rateLimited ? rateLimitHint("scan") : undefined) ??
          "the lines above say why for each; check --network and the exchange's status, then run it again",
      },
    );
  }
  // Not one leader traded in the window (an address that never traded, a typo of one): nothing to
  // rank, refused as inspect and backtest refuse it — it printed "No leader passed the filters."
  // (with no filter given) and exit 0.
  if (!interrupted && total > 0 && noTrades.length === total) {
    const window = windowText(days * 86_400_000, "words");
    throw new UsageError(
      total === 1
        ? `no fills of ${noTrades[0]} in the last ${window}: nothing to rank`
        : `none of the ${total} leaders has a fill in the last ${window}: nothing to rank`,
      {
        hint: `check the address${total === 1 ? "" : "es"}; for ${total === 1 ? "a leader" : "leaders"} idle longer than that, a longer window, e.g. --since 90d`,
      },
    );
  }

  const report: ScanReport = {
    equity,
    requestedDays: days,
    leaders: rankRows(rows),
    excluded,
    noTrades,
    failed,
    consensus: opts.consensus ? consensus(states) : null,
    interrupted,
    cache: { ...source.stats },
  };
  if (opts.json) printDocument("scan", report, out, now);
  else if (opts.csv) out.write(renderCsv(report));
  else out.write(`${await renderScan(report, opts.width ?? outputWidth())}\n`);
  // Some leaders could not be read: the ranking is of the others. Said last, as the contract's
  // two lines, and exit 1 (scanExitCode): `hlcopy scan … && pick-the-best` must not take a
  // ranking with leaders missing for a complete one (--json's document lists them in `failed`).
  if (failed.length > 0) {
    err.write(
      `error: ${failed.length} of ${total} leader(s) could not be scanned and are not ranked: ${failed.map((f) => shortAddress(f.address, 8)).join(", ")} (${failed[0]?.error})\n`,
    );
    err.write(
      `hint: ${(rateLimited ? rateLimitHint("scan") : undefined) ?? "the failed: lines above say why for each; scan them again (fills already fetched are cached)"}\n`,
    );
  }
  return report;
}

/**
 * The scan's exit code: 1 (a runtime error, design §8) when a leader could not be read — the
 * ranking printed is of the others, not of every leader asked for —, else 0. (Every leader
 * failing throws before anything is printed: runScanCommand.)
 */
export function scanExitCode(report: Pick<ScanReport, "failed" | "interrupted">): ExitCode {
  if (report.failed.length > 0) return ExitCode.runtime;
  // Stopped by Ctrl-C before every leader was read: the ranking is of those scanned, not the
  // one asked for — 130 (interrupted), never the 0 of a complete scan a script would act on.
  return report.interrupted ? ExitCode.interrupted : ExitCode.ok;
}

const CSV_HEAD = [
  "rank",
  "address",
  "verdict",
  "net_pnl",
  "roi_pct",
  "max_drawdown_pct",
  "sharpe",
  "sortino",
  "calmar",
  "win_rate",
  "avg_win",
  "avg_loss",
  "largest_win",
  "largest_loss",
  "longest_losing_streak",
  "orders",
  "orders_per_day",
  "median_hold_ms",
  "style",
  "leverage_typical",
  "leverage_peak",
  "liquidations",
  "coins",
  "below_min_share",
  "copy_fees",
  "copy_slippage",
  "copy_funding",
  "copy_net",
  "reason",
  // Empty when the whole window was read; else where the history the exchange served begins (ms).
  "history_cut_since",
];

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return "";
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function renderCsv(report: ScanReport): string {
  const lines = [CSV_HEAD.join(",")];
  for (const r of report.leaders) {
    lines.push(
      [
        r.rank,
        r.address,
        r.verdict,
        r.netPnl,
        r.roiPct,
        r.maxDrawdownPct,
        r.sharpe,
        r.sortino,
        r.calmar,
        r.winRate,
        r.avgWin,
        r.avgLoss,
        r.largestWin,
        r.largestLoss,
        r.longestLosingStreak,
        r.orders,
        r.ordersPerDay,
        r.medianHoldMs,
        r.style,
        r.leverage.typical,
        r.leverage.peak,
        r.liquidations,
        r.coins,
        r.copy.belowMinShare,
        r.copy.feesUsd,
        r.copy.slippageUsd,
        r.copy.fundingUsd,
        r.copy.netUsd,
        r.reason,
        r.historyCut?.start,
      ]
        .map(csvCell)
        .join(","),
    );
  }
  return `${lines.join("\n")}\n`;
}

/** "avoid: the leader lost money …", the verdict said once: most reasons already open with it. */
function verdictLine(r: ScanRow): string {
  const word = r.verdict === "poor" ? "poor fit" : r.verdict;
  return r.reason.startsWith(word) ? r.reason : `${r.verdict}: ${r.reason}`;
}

/** A column of the ranking: its name (inspect's and --csv's words where they have one) and its cell. */
interface ScanColumn {
  head: string;
  cell: (r: ScanRow) => string;
}

/**
 * The ranking's figures in groups, most telling first: what a leader is worth copying (the
 * verdict, then what it made and what the copy would have kept — the order of the ranking), its
 * risk and return, how it trades, and what copying it costs at this size. Every figure of the
 * one 21-column table this was (~210 wide), under the same names, and the copy's funding.
 */
const SCAN_GROUPS: readonly (readonly ScanColumn[])[] = [
  [
    { head: "verdict", cell: (r) => r.verdict },
    // As inspect shows the same figures (net realized P&L to the cent, ROI and drawdown to
    // 0.01 %, core/format.ts FIGURE_DECIMALS): a leader's 12.35 % in one read 12.3 % here.
    { head: "net realized", cell: (r) => fmtUsdSigned(r.netPnl) },
    { head: "ROI", cell: (r) => fmtPctSigned(r.roiPct) },
    { head: "copy net", cell: (r) => fmtUsdSigned(r.copy.netUsd) },
  ],
  [
    { head: "max DD", cell: (r) => fmtPct(r.maxDrawdownPct) },
    // Win rate and the share below $10 to 0.1 %, leverage to 0.01x: as inspect and backtest
    // show the same figures (a leader's 17.6 % and 0.05x/0.11x read 18 % and 0.0x/0.1x here).
    { head: "win", cell: (r) => fmtShare(r.winRate) },
    { head: "lose streak", cell: (r) => String(r.longestLosingStreak) },
    { head: "Sharpe", cell: (r) => fmtFixed(r.sharpe) },
    { head: "Sortino", cell: (r) => fmtFixed(r.sortino) },
    { head: "Calmar", cell: (r) => fmtFixed(r.calmar) },
  ],
  [
    { head: "style", cell: (r) => r.style },
    { head: "orders/d", cell: (r) => (r.ordersPerDay === null ? "-" : fmtFixed(r.ordersPerDay, 1)) },
    { head: "hold", cell: (r) => (r.medianHoldMs === null ? "-" : formatDuration(r.medianHoldMs)) },
    { head: "lev mean/max", cell: (r) => `${fmtLev(r.leverage.typical)}/${fmtLev(r.leverage.peak)}` },
    { head: "liq", cell: (r) => String(r.liquidations) },
    { head: "coins", cell: (r) => String(r.coins) },
  ],
  [
    { head: "< $10", cell: (r) => fmtShare(r.copy.belowMinShare) },
    { head: "copy fees", cell: (r) => fmtUsd(r.copy.feesUsd) },
    { head: "slippage", cell: (r) => fmtUsd(r.copy.slippageUsd) },
    // The leader's funding at our ratio (+ received), which `copy net` holds with its realized
    // P&L: the one part of what copying costs or pays that the table left to --csv and --json.
    { head: "copy funding", cell: (r) => fmtUsdSigned(r.copy.fundingUsd) },
  ],
];

/** A column's width as compactTable draws it: its widest text, a space each side, its border. */
function columnWidth(head: string, cells: readonly string[]): number {
  return Math.max([...head].length, ...cells.map((c) => [...c].length)) + 3;
}

/**
 * The groups laid out in tables of at most `width` columns: a group goes beside the one before
 * while the table fits, else it starts the next table; a group too wide for a table of its own
 * is split between its columns (a column wider than the line alone goes alone). `firstKey` and
 * `restKey` are the widths of the key columns each table starts with.
 */
function layOut(
  groups: readonly (readonly ScanColumn[])[],
  widthOf: (c: ScanColumn) => number,
  width: number,
  firstKey: number,
  restKey: number,
): ScanColumn[][] {
  const tables: ScanColumn[][] = [];
  let table: ScanColumn[] = [];
  let used = 1 + firstKey;
  const next = () => {
    tables.push(table);
    table = [];
    used = 1 + restKey;
  };
  for (const group of groups) {
    const whole = group.reduce((a, c) => a + widthOf(c), 0);
    if (table.length > 0 && used + whole > width) next();
    for (const c of group) {
      if (table.length > 0 && used + widthOf(c) > width) next();
      table.push(c);
      used += widthOf(c);
    }
  }
  if (table.length > 0) tables.push(table);
  return tables;
}

/**
 * The ranking within `width`: one table when it fits (the rank, the leader, then every figure),
 * else the ranking table — rank, leader, verdict, net realized, ROI, copy net — and under it
 * the rest in tables keyed by the rank (and the leader, when that costs no extra table), as
 * backtest's --compare tables are split.
 */
async function rankingTables(leaders: readonly ScanRow[], width: number): Promise<string[]> {
  const cells = new Map<ScanColumn, string[]>(
    SCAN_GROUPS.flat().map((c) => [c, leaders.map((r) => c.cell(r))] as const),
  );
  const widthOf = (c: ScanColumn) => columnWidth(c.head, cells.get(c) ?? []);
  const ranks = leaders.map((r) => String(r.rank));
  const who = leaders.map((r) => shortAddress(r.address, 8));
  const rankWidth = columnWidth("#", ranks);
  const keyWidth = rankWidth + columnWidth("leader", who);
  const withLeader = layOut(SCAN_GROUPS, widthOf, width, keyWidth, keyWidth);
  const byRank = layOut(SCAN_GROUPS, widthOf, width, keyWidth, rankWidth);
  const tables = withLeader.length <= byRank.length ? withLeader : byRank;
  const out: string[] = [];
  for (const [i, columns] of tables.entries()) {
    const leaderToo = i === 0 || tables === withLeader;
    out.push(
      await compactTable(
        [...(leaderToo ? ["#", "leader"] : ["#"]), ...columns.map((c) => c.head)],
        leaders.map((r, j) => [
          r.rank,
          ...(leaderToo ? [who[j] ?? ""] : []),
          ...columns.map((c) => cells.get(c)?.[j] ?? ""),
        ]),
      ),
    );
  }
  return out;
}

/**
 * The human report within `width` columns (default: as it is): the ranking (in several tables
 * when one is too wide: rankingTables), one reason line per leader, exclusions, consensus. Its
 * lines of words are broken at their separators to the width; the tables are drawn to fit it.
 */
export async function renderScan(report: ScanReport, width = Number.POSITIVE_INFINITY): Promise<string> {
  // "Scan of 1 leaders": the count said as a count.
  const scanned =
    report.leaders.length + report.excluded.length + report.noTrades.length + report.failed.length;
  const lines: string[] = [];
  lines.push(
    `Scan of ${scanned} leader${scanned === 1 ? "" : "s"} over the last ${windowText(report.requestedDays * 86_400_000, "words")}, copying with ${fmtUsd(report.equity, 0)}`,
  );
  if (report.leaders.length > 0) {
    const [ranking, ...details] = await rankingTables(report.leaders, width);
    if (ranking !== undefined) lines.push(ranking);
    for (const r of report.leaders) lines.push(`${r.rank}. ${shortAddress(r.address, 8)} ${verdictLine(r)}`);
    // A leader whose history the exchange cut is ranked on the span it covers: said, per leader.
    for (const r of report.leaders)
      if (r.historyCut)
        lines.push(
          `${shortAddress(r.address, 8)}: ${historyCutText(r.historyCut)}; its row is over that span`,
        );
    if (details.length > 0) {
      lines.push("By rank, the rest of each leader's figures:");
      lines.push(...details);
    }
    lines.push("--csv and --json add orders, average and largest win and loss.");
  } else lines.push(report.excluded.length > 0 ? "No leader passed the filters." : "No leader to rank.");
  for (const a of report.noTrades) lines.push(`${shortAddress(a, 8)} ${NO_TRADES} (not ranked)`);
  for (const x of report.excluded) lines.push(`filtered out ${shortAddress(x.address, 8)}: ${x.reason}`);
  for (const x of report.failed) lines.push(`failed ${shortAddress(x.address, 8)}: ${x.error}`);
  if (report.consensus) {
    if (report.consensus.length === 0)
      lines.push("Consensus: no coin and side is held by two or more of these leaders now.");
    else {
      lines.push("Consensus (held now by two or more scanned leaders):");
      lines.push(
        await compactTable(
          ["coin", "side", "leaders", "notional", "weight"],
          report.consensus.map((e) => [
            e.coin,
            e.side,
            e.leaders.length,
            fmtUsd(e.notionalUsd, 0),
            fmtShare(e.weight, 1),
          ]),
        ),
      );
    }
  }
  if (report.interrupted)
    lines.push("Interrupted: the ranking shows the leaders scanned before it was stopped.");
  return wrapReportLines(lines, width).join("\n");
}
