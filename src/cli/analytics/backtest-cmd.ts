// `hlcopy backtest`: load a leader's fills (a userFills JSON file, or fetched by address),
// replay them through the planner with the friction model, and print the report (tables
// and small charts) or one JSON document. Progress goes to stderr, never to stdout.

import { readFile } from "node:fs/promises";
import { type FillColumns, readFillsFile } from "../../analytics/columns.js";
import type { LeaderDataSource } from "../../analytics/fetch.js";
import { DEFAULT_FRICTION, type FrictionModel } from "../../analytics/friction.js";
import { type BacktestResult, runBacktest as replay } from "../../analytics/replay.js";
import {
  type Fill,
  type FundingRate,
  type MetaAsset,
  parseFundingHistory,
  parseMeta,
} from "../../analytics/wire.js";
import { UsageError } from "../../core/errors.js";
import type { Settings } from "../../core/settings.js";
import type { Address, ReasonCode } from "../../core/types.js";
import { equityCurve, sparkline } from "../../ui/charts.js";
import { parseLeaderAddress } from "../context.js";
import { printDocument, type Writer } from "../output.js";
import {
  compactTable,
  formatDuration,
  money,
  parseNumberFlag,
  percent,
  share,
  shortAddress,
  usd,
  when,
} from "./format.js";

export interface BacktestRunOptions {
  /** Leader address (fetched through `source`), or… */
  address?: string;
  /** …a file of fills in the userFills shape. */
  fillsFile?: string;
  /** Raw flag values (validated here). */
  equity?: string | number;
  leaderEquity?: string;
  delayMs?: string;
  feeBps?: string;
  spreadBps?: string;
  /** USD per bp of book depth, or "none" for unlimited depth. */
  depthUsd?: string;
  /** A meta JSON file (szDecimals per coin) for --fills runs. */
  metaFile?: string;
  /** A fundingHistory JSON file (one coin's or several merged) for --fills runs. */
  fundingFile?: string;
  /** Sizing modes to run side by side ("modes" = all three), comma-separated. */
  compare?: string;
  days?: string | number;
  /** Settings for this run (flags > config > defaults), resolved by the caller. */
  settings: Settings;
  json: boolean;
  /** Where address-mode fills come from (the exchange adapter, or infoHttpSource). */
  source?: LeaderDataSource;
  now?: number;
  out?: Writer;
  err?: Writer;
}

export interface BacktestReport {
  leader: Address | null;
  source: string;
  result: BacktestResult;
  /** Funding rates replayed: how many, and where from ("none" when not known). */
  funding: { rates: number; source: "file" | "exchange" | "none" };
  /** --compare: the same replay per sizing mode. */
  compare?: { mode: SizingMode; result: BacktestResult }[];
}

const SIZING_MODES = ["equity-ratio", "fixed-ratio", "fixed-notional"] as const;
type SizingMode = (typeof SIZING_MODES)[number];

/** @throws {UsageError} for an unknown mode. */
export function parseCompare(raw: string): SizingMode[] {
  const list =
    raw.trim() === "" || raw.trim() === "modes" ? [...SIZING_MODES] : raw.split(",").map((x) => x.trim());
  for (const m of list) {
    if (!SIZING_MODES.includes(m as SizingMode)) {
      throw new UsageError(
        `invalid --compare "${raw}": expected "modes" or sizing modes from ${SIZING_MODES.join(", ")}`,
        {
          hint: "e.g. --compare modes, or --compare equity-ratio,fixed-notional --notional 500",
        },
      );
    }
  }
  return [...new Set(list)] as SizingMode[];
}

function unreadable(error: unknown, file: string, what: string, hint: string): UsageError {
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : (code ?? "unreadable");
  return new UsageError(`cannot read ${what} ${file}: ${why}`, { hint, cause: error });
}

async function readText(file: string, what: string, hint: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    throw unreadable(error, file, what, hint);
  }
}

/** Build the friction model from the flags (defaults: DEFAULT_FRICTION). */
export function frictionFromFlags(
  o: Pick<BacktestRunOptions, "delayMs" | "feeBps" | "spreadBps" | "depthUsd">,
): FrictionModel {
  const d = DEFAULT_FRICTION;
  const depthRaw = o.depthUsd?.trim();
  return {
    takerFee:
      o.feeBps === undefined
        ? d.takerFee
        : parseNumberFlag(o.feeBps, "--fee-bps", { min: 0, example: "4.5" }) / 1e4,
    book: {
      halfSpreadBps:
        o.spreadBps === undefined
          ? d.book.halfSpreadBps
          : parseNumberFlag(o.spreadBps, "--spread-bps", { min: 0, example: "1" }),
      depthUsdPerBps:
        depthRaw === undefined
          ? d.book.depthUsdPerBps
          : /^(none|inf|infinite|unlimited)$/i.test(depthRaw)
            ? null
            : parseNumberFlag(depthRaw, "--depth-usd", { min: 0, exclusive: true, example: "50000" }),
    },
    delayMs:
      o.delayMs === undefined
        ? d.delayMs
        : parseNumberFlag(o.delayMs, "--delay-ms", { min: 0, integer: true, example: "500" }),
  };
}

/**
 * Run a backtest and print it.
 * @throws {UsageError} for missing/garbage input (no address and no file, unreadable or
 *   malformed fills, a bad address, a non-positive equity); source errors pass through.
 */
export async function runBacktestCommand(opts: BacktestRunOptions): Promise<BacktestReport> {
  const out = opts.out ?? process.stdout;
  const err = opts.err ?? process.stderr;
  if (opts.address && opts.fillsFile) {
    throw new UsageError("give either a leader address or --fills FILE, not both", {
      hint: "hlcopy backtest --fills fills.json, or hlcopy backtest 0x…",
    });
  }
  if (!opts.address && !opts.fillsFile) {
    throw new UsageError("nothing to replay: give a leader address or --fills FILE", {
      hint: "e.g. hlcopy backtest --fills fills.json --equity 1000, or hlcopy backtest 0x5e9ee1089755c3435139848e47e6635505d5a13a --since 30d",
    });
  }
  const equity = parseNumberFlag(opts.equity ?? 1000, "--equity", {
    min: 0,
    exclusive: true,
    example: "1000",
  });
  const friction = frictionFromFlags(opts);
  let leaderEquity =
    opts.leaderEquity === undefined
      ? undefined
      : parseNumberFlag(opts.leaderEquity, "--leader-equity", { min: 0, exclusive: true, example: "250000" });
  let meta: MetaAsset[] | undefined;
  if (opts.metaFile) {
    const text = await readText(
      opts.metaFile,
      "meta file",
      'pass the JSON of an info {type: "meta"} response',
    );
    try {
      meta = parseMeta(JSON.parse(text), opts.metaFile);
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(`${opts.metaFile} is not JSON`, {
        hint: "pass the JSON of an info meta response",
      });
    }
  }

  const compare = opts.compare === undefined ? undefined : parseCompare(opts.compare);
  let funding: FundingRate[] = [];
  let fundingSource: BacktestReport["funding"]["source"] = "none";
  if (opts.fundingFile) {
    const text = await readText(
      opts.fundingFile,
      "funding file",
      'pass the JSON of info {type: "fundingHistory"} responses',
    );
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      throw new UsageError(`${opts.fundingFile} is not JSON`, {
        hint: "pass the JSON of fundingHistory responses",
      });
    }
    funding = parseFundingHistory(data, opts.fundingFile);
    fundingSource = "file";
  }
  let fills: Fill[] | FillColumns;
  let leader: Address | null = null;
  let sourceName: string;
  if (opts.fillsFile) {
    // Read in chunks into columns: a million fills never sit in memory as text or objects.
    try {
      fills = readFillsFile(opts.fillsFile);
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw unreadable(
        error,
        opts.fillsFile,
        "fills file",
        "pass a JSON file of fills in the userFills shape, e.g. the response of an info userFills request",
      );
    }
    sourceName = opts.fillsFile;
  } else {
    leader = parseLeaderAddress(opts.address as string);
    if (!opts.source)
      throw new UsageError("no exchange connection to fetch fills from", { hint: "use --fills FILE" });
    const days = parseNumberFlag(opts.days ?? 30, "--days", { min: 0, exclusive: true, example: "30" });
    const { fetchLeaderData, leaderEquityAt } = await import("../../analytics/fetch.js");
    const progress = (m: string) => err.write(`${m}\n`);
    const data = await fetchLeaderData(opts.source, leader, {
      days,
      now: opts.now ?? Date.now(),
      onProgress: progress,
      fillsOnly: true,
    });
    for (const w of data.warnings) err.write(`note: ${w}\n`);
    fills = data.fills;
    meta ??= data.meta;
    if (!opts.fundingFile && opts.source.getFundingHistory && fills.length > 0) {
      const start = fills[0]?.time ?? data.window.start;
      const end = fills[fills.length - 1]?.time ?? data.window.end;
      try {
        for (const coin of new Set(fills.map((f) => f.coin))) {
          progress(`fetching ${coin} funding rates…`);
          funding.push(...parseFundingHistory(await opts.source.getFundingHistory(coin, start, end)));
        }
        funding.sort((a, b) => a.time - b.time);
        fundingSource = "exchange";
      } catch (error) {
        funding = [];
        err.write(
          `note: funding rates unavailable, replayed without funding (${error instanceof Error ? error.message.split("\n")[0] : String(error)})\n`,
        );
      }
    }
    const first = fills[0]?.time ?? data.window.start;
    leaderEquity ??= leaderEquityAt(data, first) ?? undefined;
    sourceName = `${leader} (last ${days} days)`;
  }
  if (fills.length === 0) {
    throw new UsageError(`no fills to replay in ${sourceName}`, {
      hint: leader ? "try a longer window (--since 90d) or another leader" : "the file holds an empty list",
    });
  }

  const run = (settings: Settings) =>
    replay({
      fills,
      settings,
      equity,
      friction,
      ...(leaderEquity !== undefined ? { leaderEquity } : {}),
      ...(meta ? { meta } : {}),
      ...(funding.length > 0 ? { funding } : {}),
    });
  const result = run(opts.settings);
  const report: BacktestReport = {
    leader,
    source: sourceName,
    result,
    funding: { rates: funding.length, source: fundingSource },
  };
  if (compare) {
    report.compare = compare.map((mode) => ({
      mode,
      result:
        mode === opts.settings.sizing.mode
          ? result
          : run({ ...opts.settings, sizing: { ...opts.settings.sizing, mode } }),
    }));
  }
  if (opts.json) printDocument("backtest", report, out);
  else out.write(`${await renderBacktest(report)}\n`);
  return report;
}

const REASON_ORDER: ReasonCode[] = [
  "below-min-notional",
  "inside-deadband",
  "entry-drift",
  "coin-denied",
  "coin-not-allowed",
  "leverage-cap",
  "notional-cap",
  "total-notional-cap",
  "daily-loss",
  "halted",
  "not-joined",
];

/** The human report: header, side-by-side table, skips, savings line and charts. */
export async function renderBacktest(report: BacktestReport): Promise<string> {
  const r = report.result;
  const { targetState: t, naive: n, leader: l, friction: f } = r;
  const lines: string[] = [];
  lines.push(
    `Backtest of ${report.leader ? shortAddress(report.leader) : report.source}: ${r.fills.toLocaleString("en-US")} fills, ${when(r.window.start)} → ${when(r.window.end)} (${formatDuration(r.window.end - r.window.start)})`,
  );
  lines.push(
    `Leader equity ${usd(l.equity, 0)} (${l.equitySource === "given" ? "known" : "estimated as its peak gross notional; pass --leader-equity"}), copy ratio ${percent(l.ratio.first * 100, 3)} → ${percent(l.ratio.last * 100, 3)}`,
  );
  lines.push(
    `Friction: taker fee ${(f.takerFee * 1e4).toFixed(2)} bps, half spread ${f.book.halfSpreadBps} bps, depth ${f.book.depthUsdPerBps === null ? "unlimited" : `${usd(f.book.depthUsdPerBps, 0)}/bp`}, copy delay ${f.delayMs} ms`,
  );
  const row = (label: string, a: string, b: string) => [label, a, b];
  const table = await compactTable(
    ["", "target-state (hlcopy)", "naive fill-by-fill"],
    [
      row("PnL", usd(t.pnl), usd(n.pnl)),
      row("return", percent(t.returnPct), percent(n.returnPct)),
      row("leader PnL × ratio", usd(l.scaledPnl), usd(l.scaledPnl)),
      row("tracking error (RMS)", usd(t.trackingErrorUsd), usd(n.trackingErrorUsd)),
      row("orders", t.orders.toLocaleString("en-US"), n.orders.toLocaleString("en-US")),
      row("fees", usd(t.fees), usd(n.fees)),
      row("slippage", usd(t.slippage), usd(n.slippage)),
      row("funding", usd(t.funding), usd(n.funding)),
      row(
        "win rate (closing trades)",
        `${share(t.stats.winRate)} of ${t.stats.closingTrades}`,
        `${share(n.stats.winRate)} of ${n.stats.closingTrades}`,
      ),
      row("profit factor", factor(t.stats.profitFactor), factor(n.stats.profitFactor)),
      row("Sharpe (daily)", ratioText(t.stats.sharpe), ratioText(n.stats.sharpe)),
      row("volume", usd(t.volume, 0), usd(n.volume, 0)),
      row(
        "drift: mean / max",
        `${usd(t.drift.meanUsd)} / ${usd(t.drift.maxUsd)}`,
        `${usd(n.drift.meanUsd)} / ${usd(n.drift.maxUsd)}`,
      ),
      row("drift at the end", usd(t.drift.finalUsd), usd(n.drift.finalUsd)),
      row(
        "max drawdown",
        `${usd(t.maxDrawdownUsd)} (${percent(t.maxDrawdownPct)})`,
        `${usd(n.maxDrawdownUsd)} (${percent(n.maxDrawdownPct)})`,
      ),
      row(
        "skipped",
        `${sumValues(t.skipped).toLocaleString("en-US")} plans`,
        `${n.skippedFills.toLocaleString("en-US")} fills`,
      ),
    ],
  );
  lines.push(table);
  lines.push(
    `Leader: win rate ${share(l.stats.winRate)} of ${l.stats.closingTrades} closing orders, profit factor ${factor(l.stats.profitFactor)}, Sharpe ${ratioText(l.stats.sharpe)}; funding ${report.funding.rates > 0 ? usd(l.funding) : "- (no funding rates: pass --funding FILE)"}`,
  );
  if (report.compare) {
    lines.push("Sizing modes side by side (target-state copy):");
    const cs = report.compare;
    const cell = (f: (r: BacktestResult) => string) => cs.map((c) => f(c.result));
    lines.push(
      await compactTable(
        ["", ...cs.map((c) => c.mode)],
        [
          ["PnL", ...cell((r) => usd(r.targetState.pnl))],
          ["return", ...cell((r) => percent(r.targetState.returnPct))],
          [
            "copy ratio (first → last)",
            ...cell(
              (r) => `${percent(r.leader.ratio.first * 100, 3)} → ${percent(r.leader.ratio.last * 100, 3)}`,
            ),
          ],
          ["orders", ...cell((r) => r.targetState.orders.toLocaleString("en-US"))],
          ["fees + slippage", ...cell((r) => usd(r.targetState.fees + r.targetState.slippage))],
          ["funding", ...cell((r) => usd(r.targetState.funding))],
          ["mean drift", ...cell((r) => usd(r.targetState.drift.meanUsd))],
          ["tracking error", ...cell((r) => usd(r.targetState.trackingErrorUsd))],
          ["max drawdown", ...cell((r) => percent(r.targetState.maxDrawdownPct))],
          ["win rate", ...cell((r) => share(r.targetState.stats.winRate))],
          ["profit factor", ...cell((r) => factor(r.targetState.stats.profitFactor))],
          ["Sharpe", ...cell((r) => ratioText(r.targetState.stats.sharpe))],
          ["skipped plans", ...cell((r) => sumValues(r.targetState.skipped).toLocaleString("en-US"))],
        ],
      ),
    );
  }
  const skips = Object.entries(t.skipped)
    .sort((a, b) => orderOf(a[0] as ReasonCode) - orderOf(b[0] as ReasonCode) || b[1] - a[1])
    .map(([reason, count]) => `${reason} ${count}`);
  if (skips.length > 0) lines.push(`Skipped by the planner: ${skips.join(", ")}`);
  if (t.halted) lines.push(`Kill switch at ${when(t.halted.time)}: ${t.halted.reason}`);
  const c = r.comparison;
  const drift =
    c.driftReductionPct === null
      ? ""
      : `, ${Math.abs(c.driftReductionPct).toFixed(0)}% ${c.driftReductionPct >= 0 ? "less" : "more"} mean drift`;
  lines.push(
    `Target-state copying vs naive: ${c.ordersSaved >= 0 ? `${c.ordersSaved.toLocaleString("en-US")} fewer` : `${(-c.ordersSaved).toLocaleString("en-US")} more`} orders${c.ordersSavedPct === null ? "" : ` (${Math.abs(c.ordersSavedPct).toFixed(0)}%)`}, ${usd(c.costSaved)} ${c.costSaved >= 0 ? "saved" : "extra"} in fees + slippage${drift}.`,
  );
  if (r.tracker.mismatches > 0) {
    lines.push(
      `Note: ${r.tracker.mismatches} fill(s) disagreed with the rebuilt leader position (missing fills); the exchange's startPosition was trusted.`,
    );
  }
  lines.push("");
  lines.push("PnL, target-state copy (USD):");
  lines.push(equityCurve(r.curves.targetState, { width: 60, height: 6, format: (v) => money(v) }));
  lines.push(`  leader × ratio  ${sparkline(r.curves.scaledLeader, 60)}`);
  lines.push(`  naive copy      ${sparkline(r.curves.naive, 60)}`);
  return lines.join("\n");
}

function orderOf(reason: ReasonCode): number {
  const i = REASON_ORDER.indexOf(reason);
  return i < 0 ? REASON_ORDER.length : i;
}

function sumValues(o: Partial<Record<string, number>>): number {
  let s = 0;
  for (const v of Object.values(o)) s += v ?? 0;
  return s;
}

function factor(x: number | null): string {
  return x === null ? "-" : x.toFixed(2);
}

function ratioText(x: number | null): string {
  return x === null ? "-" : x.toFixed(2);
}
