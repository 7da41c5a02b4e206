// `hlcopy scan`: one row per leader (the inspect metrics, the extra risk ratios and the
// cost of copying at the follower's size), filters, a ranking, and the consensus of what
// several leaders hold now. Plain data in, plain data out.

import { fixed } from "../core/format.js";
import type { HistoryCut } from "../core/history.js";
import { maxOf, minOf } from "../core/stats.js";
import type { Copyability, VerdictLevel } from "./copyability.js";
import { rebuildHistory } from "./fills.js";
import { type LeaderMetrics, MIN_SHARPE_DAYS, type TradingStyle } from "./metrics.js";
import type { AccountSnapshot, Fill } from "./wire.js";

export interface ExtraMetrics {
  /** mean / downside deviation of daily returns × √365 (null: under MIN_SHARPE_DAYS days, or no losing day). */
  sortino: number | null;
  /** Annualized return / max drawdown (both on the leader's equity); null without a drawdown or under MIN_SHARPE_DAYS days of history. */
  calmar: number | null;
  /** Most closing trades in a row that lost money after fees. */
  longestLosingStreak: number;
  /** Fills that were liquidations. */
  liquidations: number;
}

/**
 * Sortino, Calmar, losing streak and liquidations, on `equity` (the leader's; daily PnL /
 * equity are the daily returns).
 */
export function extraMetrics(fills: readonly Fill[], metrics: LeaderMetrics, equity: number): ExtraMetrics {
  const history = rebuildHistory(fills);
  let streak = 0;
  let longest = 0;
  for (const t of history.trades) {
    if (t.closedPnl === 0) continue;
    if (t.closedPnl - t.fee < 0) {
      streak++;
      if (streak > longest) longest = streak;
    } else streak = 0;
  }
  let liquidations = 0;
  for (const f of fills) if (f.liquidation) liquidations++;

  let sortino: number | null = null;
  if (equity > 0 && metrics.daily.length >= MIN_SHARPE_DAYS) {
    const r = metrics.daily.map((d) => d.pnl / equity);
    const mean = r.reduce((s, x) => s + x, 0) / r.length;
    const down = Math.sqrt(r.reduce((s, x) => s + Math.min(0, x) ** 2, 0) / r.length);
    if (down > 0) sortino = (mean / down) * Math.sqrt(365);
  }
  let calmar: number | null = null;
  const ddFraction =
    metrics.drawdown.maxPct !== null
      ? metrics.drawdown.maxPct / 100
      : equity > 0
        ? metrics.drawdown.maxUsd / equity
        : 0;
  // Annualised like the Sharpe and Sortino, so held to the same history: a minute's P&L × 365 days
  // over its drawdown is a figure that means nothing.
  if (equity > 0 && ddFraction > 0 && metrics.window.days >= MIN_SHARPE_DAYS) {
    const annual = (metrics.pnl.net / equity) * (365 / metrics.window.days);
    calmar = annual / ddFraction;
  }
  return { sortino, calmar, longestLosingStreak: longest, liquidations };
}

export interface ScanRow {
  address: string;
  rank: number;
  verdict: VerdictLevel;
  reason: string;
  fills: number;
  /** The leader's orders in the window (one order = its fills, counted once). */
  orders: number;
  /** Deprecated: `orders` (its name before 2026-12-03). */
  trades: number;
  netPnl: number;
  /** Net PnL / leader equity, percent. */
  roiPct: number | null;
  maxDrawdownPct: number | null;
  sharpe: number | null;
  sortino: number | null;
  calmar: number | null;
  winRate: number | null;
  avgWin: number | null;
  avgLoss: number | null;
  largestWin: number | null;
  largestLoss: number | null;
  longestLosingStreak: number;
  /**
   * The exchange served less of the leader's history than the window asked (its 10,000 most
   * recent fills; core/history.ts): every figure of the row is over historyCut.start–end. Null
   * when the whole window was read.
   */
  historyCut: HistoryCut | null;
  /** Orders per day over the leader's history in the window; null under a day of it (LeaderMetrics.ordersPerDay). */
  ordersPerDay: number | null;
  /** Deprecated: the same rate extrapolated from any span; say `ordersPerDay`. */
  tradesPerDay: number;
  medianHoldMs: number | null;
  style: TradingStyle;
  leverage: { typical: number | null; peak: number | null };
  liquidations: number;
  coins: number;
  leaderEquity: number;
  /** What copying would have cost at the follower's size over the window. */
  copy: {
    equity: number;
    ratio: number;
    /** Share of the leader's trades that scale below the $10 minimum. */
    belowMinShare: number;
    feesUsd: number;
    slippageUsd: number;
    fundingUsd: number;
    /**
     * The leader's P&L before its fees (realized + funding) × ratio on the trades we could copy,
     * − our fees and slippage: what the copy would have kept (the copy pays its own fees, not the
     * leader's).
     */
    netUsd: number;
  };
}

/** The reason of a leader with no fill in the window: nothing to copy, so never ranked. */
export const NO_TRADES = "no trades: nothing to copy";

export interface RowInput {
  address: string;
  fills: readonly Fill[];
  metrics: LeaderMetrics;
  copyability: Copyability | null;
  leaderEquity: number;
  equity: number;
  takerFee: number;
  /** The span the fills cover when the read was cut (LeaderData.cut). */
  historyCut?: HistoryCut | null;
}

/** A leader's row (rank 0 until rankRows). */
export function scanRow(input: RowInput): ScanRow {
  const { metrics: m, copyability: c } = input;
  const extra = extraMetrics(input.fills, m, input.leaderEquity);
  const outcomes = rebuildHistory(input.fills)
    .trades.filter((t) => t.closedPnl !== 0)
    .map((t) => t.closedPnl - t.fee);
  const wins = outcomes.filter((x) => x > 0);
  const losses = outcomes.filter((x) => x <= 0);
  const avg = (xs: number[]) => (xs.length > 0 ? xs.reduce((s, x) => s + x, 0) / xs.length : null);
  const ratio = c?.ratio ?? 0;
  const copiedVolume = m.volume * ratio * (c ? 1 - c.belowMinShare : 0);
  const feesUsd = copiedVolume * input.takerFee;
  const slippageUsd = copiedVolume * ((c?.cost.slippageBps ?? 0) / 1e4);
  const fundingUsd = m.pnl.funding * ratio;
  const verdict: VerdictLevel = c ? c.verdict.level : "avoid";
  return {
    address: input.address,
    rank: 0,
    verdict,
    reason: c && m.counts.fills > 0 ? c.verdict.text : NO_TRADES,
    fills: m.counts.fills,
    orders: m.counts.trades,
    trades: m.counts.trades,
    netPnl: m.pnl.net,
    roiPct: input.leaderEquity > 0 ? (m.pnl.net / input.leaderEquity) * 100 : null,
    maxDrawdownPct:
      m.drawdown.maxPct ?? (input.leaderEquity > 0 ? (m.drawdown.maxUsd / input.leaderEquity) * 100 : null),
    sharpe: m.sharpe,
    sortino: extra.sortino,
    calmar: extra.calmar,
    winRate: m.winRate,
    avgWin: avg(wins),
    avgLoss: avg(losses),
    largestWin: wins.length > 0 ? maxOf(wins) : null,
    largestLoss: losses.length > 0 ? minOf(losses) : null,
    longestLosingStreak: extra.longestLosingStreak,
    historyCut: input.historyCut ?? null,
    ordersPerDay: m.ordersPerDay,
    tradesPerDay: m.tradesPerDay,
    medianHoldMs: m.holding.medianMs,
    style: m.style.style,
    leverage: { typical: m.leverage?.mean ?? null, peak: m.leverage?.max ?? null },
    liquidations: extra.liquidations,
    coins: m.coins.length,
    leaderEquity: input.leaderEquity,
    copy: {
      equity: input.equity,
      ratio,
      belowMinShare: c?.belowMinShare ?? 1,
      feesUsd,
      slippageUsd,
      fundingUsd,
      // The leader's P&L before its fees (realized + funding) scaled, less OUR fees and slippage:
      // its net P&L scaled took its fees off once more beside ours — "kept -$45.37" where
      // backtest's replay of the same window made -$23.95 (the leader's fees × ratio ≈ ours).
      netUsd:
        (m.pnl.realized + m.pnl.funding) * ratio * (c ? 1 - c.belowMinShare : 0) - feesUsd - slippageUsd,
    },
  };
}

export interface ScanFilters {
  minTrades?: number;
  /** Win rate bounds in percent, inclusive. */
  winRate?: [number, number];
  maxLeverage?: number;
  styles?: TradingStyle[];
  excludeLiquidated?: boolean;
}

/** Why a row fails the filters, or null when it passes. */
export function filterOut(row: ScanRow, f: ScanFilters): string | null {
  if (f.minTrades !== undefined && row.orders < f.minTrades) return `${row.orders} orders < ${f.minTrades}`;
  if (f.winRate) {
    const w = row.winRate === null ? null : row.winRate * 100;
    if (w === null || w < f.winRate[0] || w > f.winRate[1])
      return `win rate ${w === null ? "unknown" : `${fixed(w, 1)}%`} outside ${f.winRate[0]}-${f.winRate[1]}%`;
  }
  if (f.maxLeverage !== undefined) {
    const peak = row.leverage.peak;
    if (peak === null || peak > f.maxLeverage)
      return `peak leverage ${peak === null ? "unknown" : `${fixed(peak, 2)}x`} above ${f.maxLeverage}x`;
  }
  if (f.styles && !f.styles.includes(row.style)) return `style ${row.style} not in ${f.styles.join(",")}`;
  if (f.excludeLiquidated && row.liquidations > 0) return `${row.liquidations} liquidation fill(s)`;
  return null;
}

const LEVEL_ORDER: Record<VerdictLevel, number> = { copyable: 0, marginal: 1, poor: 2, avoid: 3 };

/**
 * Rank: by verdict (copyable first), then by what the copy would have kept at this size,
 * then by address (a stable order); a leader with no fill last whatever it would have "kept"
 * ($0 beats a loss, but there is nothing to copy). Returns new rows with `rank` set from 1.
 */
export function rankRows(rows: readonly ScanRow[]): ScanRow[] {
  const untraded = (r: ScanRow) => (r.fills === 0 ? 1 : 0);
  return [...rows]
    .sort(
      (a, b) =>
        untraded(a) - untraded(b) ||
        LEVEL_ORDER[a.verdict] - LEVEL_ORDER[b.verdict] ||
        b.copy.netUsd - a.copy.netUsd ||
        a.address.localeCompare(b.address),
    )
    .map((r, i) => ({ ...r, rank: i + 1 }));
}

export interface ConsensusEntry {
  coin: string;
  side: "long" | "short";
  /** Leaders holding it. */
  leaders: string[];
  /** Σ position value over the holders (USD). */
  notionalUsd: number;
  /** Σ (position value / account value) over the holders ÷ leaders scanned: the average exposure. */
  weight: number;
}

/** Coins and sides held now by at least `minLeaders` of the scanned leaders, heaviest first. */
export function consensus(
  states: readonly { address: string; state: AccountSnapshot }[],
  minLeaders = 2,
): ConsensusEntry[] {
  const by = new Map<string, ConsensusEntry>();
  const n = states.length;
  for (const { address, state } of states) {
    for (const p of state.positions) {
      if (p.szi === 0) continue;
      const side = p.szi > 0 ? "long" : "short";
      const key = `${p.coin}|${side}`;
      let e = by.get(key);
      if (!e) {
        e = { coin: p.coin, side, leaders: [], notionalUsd: 0, weight: 0 };
        by.set(key, e);
      }
      const value = Math.abs(p.positionValue || p.szi * (p.entryPx ?? 0));
      e.leaders.push(address);
      e.notionalUsd += value;
      if (state.accountValue > 0 && n > 0) e.weight += value / state.accountValue / n;
    }
  }
  return [...by.values()]
    .filter((e) => e.leaders.length >= minLeaders)
    .sort(
      (a, b) => b.leaders.length - a.leaders.length || b.weight - a.weight || a.coin.localeCompare(b.coin),
    );
}

/**
 * Addresses from a file: one per line (blank lines and # comments skipped), or a JSON
 * leaderboard export — an array of objects with an address field (ethAddress, address,
 * user, …) or of strings, possibly under a top-level key such as leaderboardRows.
 * Returns the raw strings (validated by the caller) in file order, a repeated one each time it
 * is listed: the caller scans it once and says so (cli/scan/run.ts readAddresses).
 */
export function addressesFromText(text: string): string[] {
  const trimmed = text.trim();
  let list: string[] = [];
  if (trimmed.startsWith("[") || trimmed.startsWith("{")) {
    const data: unknown = JSON.parse(trimmed);
    const arr = Array.isArray(data)
      ? data
      : data !== null && typeof data === "object"
        ? (Object.values(data).find(Array.isArray) ?? [])
        : [];
    for (const item of arr as unknown[]) {
      if (typeof item === "string") list.push(item);
      else if (item !== null && typeof item === "object") {
        const o = item as Record<string, unknown>;
        const a = o.ethAddress ?? o.address ?? o.user ?? o.wallet ?? o.account;
        if (typeof a === "string") list.push(a);
      }
    }
  } else {
    list = trimmed
      .split(/\r?\n/)
      .map((l) => (l.split("#")[0] ?? "").split(/[,\s]/)[0]?.trim() ?? "")
      .filter((l) => l !== "");
  }
  return list;
}

export interface ActivityProfile {
  /** Leader orders by UTC hour of day (0–23) of their first fill. */
  hourOfDay: number[];
  /** Leader orders by UTC day of week, Monday first. */
  dayOfWeek: number[];
}

export const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;

/** When the leader trades: orders per UTC hour of day and per day of week. */
export function activityProfile(fills: readonly Fill[]): ActivityProfile {
  const hourOfDay = new Array<number>(24).fill(0);
  const dayOfWeek = new Array<number>(7).fill(0);
  for (const t of rebuildHistory(fills).trades) {
    const d = new Date(t.time);
    hourOfDay[d.getUTCHours()] = (hourOfDay[d.getUTCHours()] ?? 0) + 1;
    const dow = (d.getUTCDay() + 6) % 7; // Monday = 0
    dayOfWeek[dow] = (dayOfWeek[dow] ?? 0) + 1;
  }
  return { hourOfDay, dayOfWeek };
}
