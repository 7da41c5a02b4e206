// `hlcopy report`: the copy day by day (UTC) from the journal's records — equity, P&L, fees,
// funding, trades, skips by reason, slippage, drift — and the equity and drawdown series the
// chart draws. Pure: plain rows in, plain rows out; the CLI reads the journal and prints.
//
// A day's P&L is the copy P&L's change over the day (src/core/pnl.ts): the day's realised P&L
// − fees + funding (from its fills and funding records) + the change of unrealised P&L (the
// journaled P&L snapshot at the day's end against the one at the previous day's end). The days
// add up to the copy's net P&L change over the window. Drawdown is the kill switch's: from the
// journaled high-water mark.

import { roundFigure } from "./format.js";
import { type LeaderTradeCounts, TRADE_FIGURE_FIELDS, tradeFigures } from "./leader-trades.js";
import { copyFill, copyFunding } from "./pnl.js";
import { lossPct } from "./safety.js";
import type { OrderKind } from "./slippage.js";
import { finiteOrNull, maxOf, median, quantile } from "./stats.js";

export interface ReportFill {
  ts: number;
  sz: number;
  fee: number;
  closedPnl: number | null;
  kind: OrderKind | null;
  /** The part that is the copy's, as journaled (core/pnl.ts copyShareOfFill). */
  copySz: number | null;
  execSlippageBps: number | null;
  /** Copy slippage (hot-path copies only). */
  slippageBps: number | null;
}

export interface ReportInputs {
  /** Window [since, until] (ms); days are UTC days that overlap it. */
  since: number;
  until: number;
  /** Equity snapshots with the high-water mark, oldest first. */
  equity: readonly { ts: number; accountValue: number; hwm: number }[];
  fills: readonly ReportFill[];
  /** The journal's funding payments; `copyUsdc` their copy's part (core/pnl.ts copyFunding). */
  funding: readonly { ts: number; usdc: number; copyUsdc: number | null }[];
  /** Our orders: a trade is an order that filled (fully or partly). */
  orders: readonly { ts: number; filledSize: number }[];
  /**
   * The leader's trades of the window, by the UTC day of their first fill (the runs' journals
   * replayed through follow's tally: core/leader-trades.ts), the days a run whose trades are
   * known overlaps, and each day's runs whose leader trades are not known (journaled before
   * hlcopy kept them: schema 13). Absent: every run's known.
   */
  trades?: {
    byDay: ReadonlyMap<string, LeaderTradeCounts>;
    knownDays: ReadonlySet<string>;
    notKnownByDay: ReadonlyMap<string, readonly number[]>;
    notKnownRuns: readonly number[];
  };
  /**
   * The journaled snapshots (sweeps, run ends), oldest first, including the newest one before
   * `since` (the opening unrealised P&L): unrealised P&L and drift at that time.
   */
  snapshots: readonly {
    ts: number;
    unrealisedUsd: number | null;
    driftUsd: number | null;
    /** The part of driftUsd the header's `drift $X` says (orders planned, gates holding); null when not recorded. */
    outsideUsd?: number | null;
    /** The highest drift the record stands for (a state-change record's minute); its drift if absent. */
    driftMaxUsd?: number | null;
  }[];
}

export interface SlipFigures {
  median: number | null;
  p95: number | null;
  n: number;
}

/**
 * The leader's trades in their buckets, under follow --json's names (its summary's
 * leaderTrades, copiedTrades, …, skipped); null where they are not known.
 */
export interface TradeBuckets {
  leaderTrades: number | null;
  copiedTrades: number | null;
  inLineTrades: number | null;
  skippedTrades: number | null;
  missedTrades: number | null;
  plannedTrades: number | null;
  inFlightTrades: number | null;
  unknownTrades: number | null;
  /** The leader's trades skipped, by reason (sums to skippedTrades). */
  skipped: Record<string, number> | null;
}

export interface DayRow extends TradeBuckets {
  /** YYYY-MM-DD (UTC). */
  day: string;
  /**
   * The day's runs whose leader trades are not known (journaled before hlcopy kept the leader's
   * fills): the day's trade figures are the other runs' — null when it had no other. Null: none.
   */
  tradesNotKnown: { runs: number[] } | null;
  /** The last equity snapshot of the day (null: none that day). */
  equity: number | null;
  /** Drawdown from the high-water mark at that snapshot (%). */
  drawdownPct: number | null;
  pnlUsd: number;
  realisedUsd: number;
  unrealisedChangeUsd: number;
  feesUsd: number;
  fundingUsd: number;
  /** Our orders that filled, of every kind (a flip is two): the closing summary's `ordersFilled`. */
  ordersFilled: number;
  /** `ordersFilled` under its old name, deprecated: "trades" read as the leader's trades. */
  trades: number;
  fills: number;
  execSlippageBps: SlipFigures;
  slippageBps: SlipFigures;
  /** Σ|drift| at the day's last snapshot, and the largest of the day (USD), the tolerated part included. */
  driftUsd: number | null;
  maxDriftUsd: number | null;
  /**
   * The part of the day's last driftUsd in coins orders were planned for or a gate held: the
   * header's and status's `drift $X`, the text's `drift $` column (null: that record did not say).
   */
  outsideUsd: number | null;
}

export interface Report {
  days: DayRow[];
  totals: TradeBuckets & {
    /**
     * The runs whose leader trades are not known — journaled before hlcopy kept the leader's
     * fills — and the days they overlap: the trade figures count the other runs only (null
     * where no other run is). Null: none.
     */
    tradesNotKnown: { days: string[]; runs: number[] } | null;
    pnlUsd: number;
    realisedUsd: number;
    unrealisedChangeUsd: number;
    feesUsd: number;
    fundingUsd: number;
    ordersFilled: number;
    /** `ordersFilled`, deprecated. */
    trades: number;
    fills: number;
    execSlippageBps: SlipFigures;
    slippageBps: SlipFigures;
  };
  /** Equity and drawdown (%) per snapshot in the window, for the charts. */
  equity: { ts: number; equity: number; drawdownPct: number }[];
  maxDrawdownPct: number | null;
}

const DAY_MS = 86_400_000;

/** "YYYY-MM-DD" of a time (UTC). */
export function dayOf(ts: number): string {
  return new Date(ts).toISOString().slice(0, 10);
}

function slip(values: number[]): SlipFigures {
  return {
    // As the tables show them (core/format.ts FIGURE_DECIMALS): to 0.1 bps.
    median: roundFigure("bps", finiteOrNull(median(values))),
    p95: roundFigure("bps", finiteOrNull(quantile(values, 0.95))),
    n: values.length,
  };
}

// The kill switch's own drawdown (core/safety.ts lossPct): a mark below a cent measures nothing.
const ddOf = (v: number, hwm: number): number => lossPct(hwm, v);
const round6 = (x: number): number => {
  const r = Math.round(x * 1e6) / 1e6;
  return Object.is(r, -0) ? 0 : r;
};

/** The last snapshot's unrealised P&L at or before `ts` (0 before any: no position yet). */
function unrealisedAt(snapshots: ReportInputs["snapshots"], ts: number): number {
  let u = 0;
  for (const s of snapshots) {
    if (s.ts > ts) break;
    if (s.unrealisedUsd !== null) u = s.unrealisedUsd;
  }
  return u;
}

export function dailyReport(inputs: ReportInputs): Report {
  const { since, until } = inputs;
  const first = Math.floor(since / DAY_MS) * DAY_MS;
  const days: DayRow[] = [];
  const inWindow = <T extends { ts: number }>(xs: readonly T[]) =>
    xs.filter((x) => x.ts >= since && x.ts <= until);
  // The copy's parts of fills and funding (core/pnl.ts copyFill, copyFunding), as every P&L view
  // counts them: a hand trade is not the copy's P&L, nor funding on a position held by hand.
  const fills = inWindow(inputs.fills).flatMap((f) => copyFill(f) ?? []);
  const funding = inWindow(inputs.funding).flatMap((f) => copyFunding(f) ?? []);
  const orders = inWindow(inputs.orders);
  const equity = inWindow(inputs.equity);
  const snapshots = inWindow(inputs.snapshots);
  let openU = unrealisedAt(inputs.snapshots, since - 1);
  for (let start = first; start <= until; start += DAY_MS) {
    const end = start + DAY_MS - 1;
    const inDay = <T extends { ts: number }>(xs: readonly T[]) =>
      xs.filter((x) => x.ts >= start && x.ts <= end);
    const f = inDay(fills);
    const realised = f.reduce((s, x) => s + (x.closedPnl ?? 0), 0);
    const fees = f.reduce((s, x) => s + x.fee, 0);
    const fund = inDay(funding).reduce((s, x) => s + x.usdc, 0);
    const closeU = unrealisedAt(inputs.snapshots, Math.min(end, until));
    const dayKey = dayOf(start);
    // The runs whose trades are known are counted; a day of only unknown ones has no figure.
    const notKnownRuns = inputs.trades?.notKnownByDay.get(dayKey) ?? [];
    const buckets =
      notKnownRuns.length > 0 && !inputs.trades?.knownDays.has(dayKey)
        ? NOT_KNOWN
        : bucketsOf(inputs.trades?.byDay.get(dayKey) ?? null);
    const ordersFilled = inDay(orders).filter((o) => o.filledSize > 0).length;
    const eq = inDay(equity);
    const lastEq = eq.at(-1);
    const snaps = inDay(snapshots).filter((s) => s.driftUsd !== null);
    const drifts = snaps.map((s) => s.driftUsd as number);
    const highs = snaps.map((s) => s.driftMaxUsd ?? (s.driftUsd as number));
    days.push({
      day: dayOf(start),
      tradesNotKnown: notKnownRuns.length > 0 ? { runs: [...notKnownRuns] } : null,
      equity: lastEq?.accountValue ?? null,
      drawdownPct: lastEq ? round6(ddOf(lastEq.accountValue, lastEq.hwm)) : null,
      pnlUsd: round6(realised - fees + fund + (closeU - openU)),
      realisedUsd: round6(realised),
      unrealisedChangeUsd: round6(closeU - openU),
      feesUsd: round6(fees),
      fundingUsd: round6(fund),
      ordersFilled,
      trades: ordersFilled,
      fills: f.length,
      ...buckets,
      execSlippageBps: slip(f.map((x) => x.execSlippageBps).filter((x): x is number => x !== null)),
      slippageBps: slip(
        f.filter((x) => x.kind === "copy" && x.slippageBps !== null).map((x) => x.slippageBps as number),
      ),
      // To the cent, as every drift figure (core/format.ts FIGURE_DECIMALS).
      driftUsd: drifts.length > 0 ? roundFigure("usd", drifts.at(-1) as number) : null,
      maxDriftUsd: highs.length > 0 ? roundFigure("usd", maxOf(highs)) : null,
      outsideUsd: roundFigure("usd", snaps.at(-1)?.outsideUsd ?? null),
    });
    openU = closeU;
  }
  const sum = (k: "pnlUsd" | "realisedUsd" | "unrealisedChangeUsd" | "feesUsd" | "fundingUsd") =>
    round6(days.reduce((s, d) => s + d[k], 0));
  // The known runs' trades added up; null only when no day has any known figure.
  const known = days.filter((d) => d.leaderTrades !== null);
  const notKnown = days.filter((d) => d.tradesNotKnown !== null).map((d) => d.day);
  const tradeTotals: TradeBuckets = known.length === 0 && notKnown.length > 0 ? NOT_KNOWN : sumBuckets(known);
  const series = equity.map((e) => ({
    ts: e.ts,
    equity: e.accountValue,
    drawdownPct: round6(ddOf(e.accountValue, e.hwm)),
  }));
  return {
    days,
    totals: {
      pnlUsd: sum("pnlUsd"),
      realisedUsd: sum("realisedUsd"),
      unrealisedChangeUsd: sum("unrealisedChangeUsd"),
      feesUsd: sum("feesUsd"),
      fundingUsd: sum("fundingUsd"),
      ordersFilled: days.reduce((s, d) => s + d.ordersFilled, 0),
      trades: days.reduce((s, d) => s + d.ordersFilled, 0),
      fills: fills.length,
      ...tradeTotals,
      tradesNotKnown:
        notKnown.length > 0 ? { days: notKnown, runs: [...(inputs.trades?.notKnownRuns ?? [])] } : null,
      execSlippageBps: slip(fills.map((x) => x.execSlippageBps).filter((x): x is number => x !== null)),
      slippageBps: slip(
        fills.filter((x) => x.kind === "copy" && x.slippageBps !== null).map((x) => x.slippageBps as number),
      ),
    },
    equity: series,
    maxDrawdownPct: series.length > 0 ? maxOf(series.map((s) => s.drawdownPct)) : null,
  };
}

const NOT_KNOWN: TradeBuckets = {
  leaderTrades: null,
  copiedTrades: null,
  inLineTrades: null,
  skippedTrades: null,
  missedTrades: null,
  plannedTrades: null,
  inFlightTrades: null,
  unknownTrades: null,
  skipped: null,
};

/** A tally's counts under follow --json's names (tradeFigures); none (no trade that day): zeros. */
function bucketsOf(c: LeaderTradeCounts | null): TradeBuckets {
  if (c) return tradeFigures(c);
  const zeros = Object.fromEntries(TRADE_FIGURE_FIELDS.map((k) => [k, 0])) as Record<
    (typeof TRADE_FIGURE_FIELDS)[number],
    number
  >;
  return { ...zeros, skipped: {} };
}

/** The days' buckets added up (the days with a figure). */
function sumBuckets(days: readonly TradeBuckets[]): TradeBuckets {
  const out = bucketsOf(null);
  const skipped: Record<string, number> = {};
  for (const d of days) {
    for (const k of TRADE_FIGURE_FIELDS) out[k] = (out[k] ?? 0) + (d[k] ?? 0);
    for (const [r, n] of Object.entries(d.skipped ?? {})) skipped[r] = (skipped[r] ?? 0) + n;
  }
  return { ...out, skipped };
}

/** One CSV cell: quoted when needed; text a spreadsheet would run as a formula is neutralised. */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return "";
  let s = String(v);
  if (typeof v === "string" && /^[=+\-@\t\r]/.test(s) && !/^[+-]?\d/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A CSV document: a header line and one line per row. */
export function toCsv(head: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return `${[head.map(csvCell).join(","), ...rows.map((r) => r.map(csvCell).join(","))].join("\n")}\n`;
}
