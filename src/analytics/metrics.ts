// Leader analytics from fills (plus funding, portfolio and account state when known): PnL,
// win rate, profit factor, drawdown, a Sharpe-like ratio, activity, holding time, leverage,
// coin and long/short mix, and a trading-style label. Plain data in, plain data out.

import { mean, median, outcomeSums } from "../core/stats.js";
import { type Episode, type RebuiltHistory, rebuildHistory, type Trade } from "./fills.js";
import type { AccountSnapshot, Fill, FundingPayment, Portfolio } from "./wire.js";

export const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/**
 * Style thresholds, on the median holding time of closed position episodes (or, when fewer
 * than `minEpisodes` closed, the inventory-turnover estimate), checked in this order:
 * high-frequency when the median hold is under 15 minutes or the leader places 100+ orders a
 * day; intraday under 24 hours; swing under 7 days; position otherwise.
 */
export const STYLE_THRESHOLDS = {
  highFrequencyHoldMs: 15 * MINUTE_MS,
  highFrequencyTradesPerDay: 100,
  intradayHoldMs: DAY_MS,
  swingHoldMs: 7 * DAY_MS,
  minEpisodes: 3,
} as const;

/** Fewer UTC days than this give no Sharpe-like ratio (a handful of days is noise). */
export const MIN_SHARPE_DAYS = 7;

/** Less history than this (days) gives no orders-per-day rate: 4 orders in a minute are not 5,760 a day. */
export const MIN_RATE_DAYS = 1;

export type TradingStyle = "high-frequency" | "intraday" | "swing" | "position" | "unknown";

/** Holding-time histogram buckets (upper bounds, ms); the last bucket is open-ended. */
export const HOLD_BUCKETS: readonly { label: string; maxMs: number }[] = [
  { label: "<1m", maxMs: MINUTE_MS },
  { label: "1-10m", maxMs: 10 * MINUTE_MS },
  { label: "10m-1h", maxMs: HOUR_MS },
  { label: "1-4h", maxMs: 4 * HOUR_MS },
  { label: "4-24h", maxMs: DAY_MS },
  { label: "1-3d", maxMs: 3 * DAY_MS },
  { label: "3-7d", maxMs: 7 * DAY_MS },
  { label: "7-30d", maxMs: 30 * DAY_MS },
  { label: ">30d", maxMs: Number.POSITIVE_INFINITY },
];

export interface MetricsParameters {
  fills: readonly Fill[];
  funding?: readonly FundingPayment[];
  portfolio?: Portfolio;
  /** The leader's current account state (clearinghouseState). */
  state?: AccountSnapshot;
  /** Analysis window (ms); defaults to the span of the fills. Funding outside it is ignored. */
  window?: { start: number; end: number };
}

export interface CoinMix {
  coin: string;
  trades: number;
  fills: number;
  /** USD notional traded. */
  volume: number;
  /** Share of the leader's total volume (0..1). */
  share: number;
  /** Realized PnL − fees + funding of this coin. */
  pnl: number;
}

export interface LeaderMetrics {
  window: { start: number; end: number; days: number };
  counts: { fills: number; trades: number; closingTrades: number; episodes: number; closedEpisodes: number };
  pnl: { realized: number; funding: number; fees: number; net: number };
  /** USD notional traded. */
  volume: number;
  /** Realized PnL (before fees) per dollar traded, in bps: the leader's gross edge. */
  edgeBps: number | null;
  /** Share of closing trades (orders that realized PnL) that were profitable after fees. */
  winRate: number | null;
  /** Gross profit / gross loss over closing trades, after fees; null when there is no loss. */
  profitFactor: number | null;
  /** Share of closed position episodes that were profitable after fees. */
  episodeWinRate: number | null;
  drawdown: { maxUsd: number; maxPct: number | null; source: "portfolio" | "fills" };
  /** mean / stdev of daily returns × √365 (daily PnL / equity when equity is known). */
  sharpe: number | null;
  daily: { day: string; pnl: number }[];
  /**
   * The leader's orders per day (one order = its fills, counted once: `counts.trades`) over
   * `window` — the history the figures cover; null under MIN_RATE_DAYS of it. inspect's
   * "orders / day", scan's "orders/d" and `orders_per_day`.
   */
  ordersPerDay: number | null;
  /**
   * The same count over the same window, extrapolated from any span (the style reads it).
   * Deprecated in --json: `ordersPerDay` (the name before 2026-12-03).
   */
  tradesPerDay: number;
  holding: {
    /** Over closed episodes whose opening we saw (ms). */
    meanMs: number | null;
    medianMs: number | null;
    /** Time-weighted gross notional / (volume / 2) per unit time: how long inventory lasts. */
    turnoverMs: number | null;
    histogram: { label: string; count: number }[];
    openAtStart: number;
    openAtEnd: number;
  };
  /** Gross notional / equity; null when the leader's equity is unknown. */
  leverage: { current: number | null; max: number | null; mean: number | null } | null;
  coins: CoinMix[];
  longShort: { longVolume: number; shortVolume: number; longShare: number | null };
  style: { style: TradingStyle; reason: string };
  /** Cumulative net PnL (realized − fees + funding) after each event: [time, pnl]. */
  equityCurve: [number, number][];
  /** Leader equity the percentages used (null = unknown). */
  equity: number | null;
  tracker: { mismatches: number };
}

interface PnlEvent {
  time: number;
  pnl: number;
}

/** Compute every metric. Works on fills alone; funding, portfolio and state refine it. */
export function computeMetrics(params: MetricsParameters): LeaderMetrics {
  const history = rebuildHistory(params.fills);
  const { fills, trades, episodes } = history;
  const first = fills[0]?.time ?? 0;
  const last = fills[fills.length - 1]?.time ?? first;
  const window = params.window ?? { start: first, end: Math.max(last, first + MINUTE_MS) };
  const days = Math.max(window.end - window.start, MINUTE_MS) / DAY_MS;
  const funding = (params.funding ?? []).filter((p) => p.time >= window.start && p.time <= window.end);

  // PnL.
  let realized = 0;
  let fees = 0;
  let volume = 0;
  for (const f of fills) {
    realized += f.closedPnl;
    fees += f.fee;
    volume += f.sz * f.px;
  }
  const fundingTotal = funding.reduce((s, p) => s + p.usdc, 0);
  const net = realized - fees + fundingTotal;

  // Net PnL events → equity curve.
  const events: PnlEvent[] = fills.map((f) => ({ time: f.time, pnl: f.closedPnl - f.fee }));
  for (const p of funding) events.push({ time: p.time, pnl: p.usdc });
  events.sort((a, b) => a.time - b.time);
  const equityCurve: [number, number][] = [];
  let cum = 0;
  for (const e of events) {
    cum += e.pnl;
    equityCurve.push([e.time, cum]);
  }

  const equityNow = params.state?.accountValue ?? latest(params.portfolio?.allTime?.accountValueHistory);
  const equity = equityNow ?? null;
  // Equity at a time, when known: today's value minus the PnL made since.
  const equityAt = (cumAtT: number): number | null => (equity === null ? null : equity - (net - cumAtT));

  // Win rate and profit factor over closing trades.
  const closing = trades.filter((t) => t.closedPnl !== 0);
  const outcomes = closing.map((t) => t.closedPnl - t.fee);
  const { winRate, profitFactor } = winsAndFactor(outcomes);
  const closedEpisodes = episodes.filter((e) => e.closeTime !== null);
  const episodeWinRate = winsAndFactor(closedEpisodes.map((e) => e.pnl)).winRate;

  const drawdown = computeDrawdown(equityCurve, equityAt, params.portfolio, window, days);
  const daily = dailyPnl(events, window);
  const sharpe = sharpeRatio(daily, equityAt, equityCurve);
  const holding = holdingStats(history, episodes, volume, window);
  const leverage = leverageStats(history, params.state, equityAt);
  const tradesPerDay = trades.length / days;
  const style = classifyStyle({
    medianHoldMs: holding.closedCount >= STYLE_THRESHOLDS.minEpisodes ? holding.medianMs : null,
    turnoverMs: holding.turnoverMs,
    tradesPerDay,
  });

  return {
    window: { start: window.start, end: window.end, days },
    counts: {
      fills: fills.length,
      trades: trades.length,
      closingTrades: closing.length,
      episodes: episodes.length,
      closedEpisodes: closedEpisodes.length,
    },
    pnl: { realized, funding: fundingTotal, fees, net },
    volume,
    edgeBps: volume > 0 ? (realized / volume) * 1e4 : null,
    winRate,
    profitFactor,
    episodeWinRate,
    drawdown,
    sharpe,
    daily,
    ordersPerDay: days >= MIN_RATE_DAYS ? tradesPerDay : null,
    tradesPerDay,
    holding: {
      meanMs: holding.meanMs,
      medianMs: holding.medianMs,
      turnoverMs: holding.turnoverMs,
      histogram: holding.histogram,
      openAtStart: holding.openAtStart,
      openAtEnd: holding.openAtEnd,
    },
    leverage,
    coins: coinMix(trades, fills, funding, volume),
    longShort: longShortMix(history),
    style,
    equityCurve,
    equity,
    tracker: { mismatches: history.mismatches.length },
  };
}

function latest(series: [number, number][] | undefined): number | undefined {
  return series && series.length > 0 ? series[series.length - 1]?.[1] : undefined;
}

function winsAndFactor(outcomes: number[]): { winRate: number | null; profitFactor: number | null } {
  if (outcomes.length === 0) return { winRate: null, profitFactor: null };
  const { n, wins, gain, loss } = outcomeSums(outcomes);
  return { winRate: wins / n, profitFactor: loss > 0 ? gain / loss : null };
}

/** Largest peak-to-trough fall of a series, in its own units, with the peak it fell from. */
export function maxDrawdown(values: readonly number[]): { drop: number; peak: number; index: number } {
  let peak = Number.NEGATIVE_INFINITY;
  let best = { drop: 0, peak: 0, index: -1 };
  for (let i = 0; i < values.length; i++) {
    const x = values[i] as number;
    if (x > peak) peak = x;
    if (peak - x > best.drop) best = { drop: peak - x, peak, index: i };
  }
  return best;
}

function computeDrawdown(
  curve: [number, number][],
  equityAt: (cum: number) => number | null,
  portfolio: Portfolio | undefined,
  window: { start: number; end: number },
  days: number,
): LeaderMetrics["drawdown"] {
  const period = days <= 1 ? "day" : days <= 7 ? "week" : days <= 30 ? "month" : "allTime";
  const p = portfolio?.[period];
  // The window's part of the period, from its last point at or before the window's start: a
  // 10-day window read the month's drawdown (a fall 20 days before it, beside its own figures).
  const from = Math.max(0, p?.pnlHistory.findLastIndex(([t]) => t <= window.start) ?? 0);
  const pnlHistory = p?.pnlHistory.slice(from) ?? [];
  const valueHistory =
    p && p.accountValueHistory.length === p.pnlHistory.length ? p.accountValueHistory.slice(from) : null;
  if (p && pnlHistory.length > 1) {
    // The portfolio's PnL history includes unrealized PnL and excludes deposits: use it.
    const pnl = pnlHistory.map((x) => x[1]);
    const dd = maxDrawdown(pnl);
    let pct: number | null = null;
    if (dd.index >= 0 && valueHistory) {
      // Percent of the account value at the peak that preceded the trough.
      const peakIdx = pnl.indexOf(dd.peak);
      const peakValue = valueHistory[peakIdx]?.[1];
      pct = peakValue && peakValue > 0 ? (dd.drop / peakValue) * 100 : null;
    }
    return { maxUsd: dd.drop, maxPct: pct, source: "portfolio" };
  }
  // Fills only: realized PnL (plus funding), starting from 0 before the first fill.
  const dd = maxDrawdown([0, ...curve.map((c) => c[1])]);
  const peakEquity = equityAt(dd.peak);
  const pct = dd.drop > 0 && peakEquity !== null && peakEquity > 0 ? (dd.drop / peakEquity) * 100 : null;
  return { maxUsd: dd.drop, maxPct: dd.drop === 0 ? 0 : pct, source: "fills" };
}

function dayKey(t: number): string {
  return new Date(Math.floor(t / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
}

/** Net PnL per UTC day from the window's first day to its last, quiet days included. */
function dailyPnl(
  events: PnlEvent[],
  window: { start: number; end: number },
): { day: string; pnl: number }[] {
  const firstDay = Math.floor(window.start / DAY_MS);
  const lastDay = Math.floor(window.end / DAY_MS);
  const out: { day: string; pnl: number }[] = [];
  for (let d = firstDay; d <= lastDay && out.length < 10_000; d++)
    out.push({ day: dayKey(d * DAY_MS), pnl: 0 });
  for (const e of events) {
    const slot = out[Math.floor(e.time / DAY_MS) - firstDay];
    if (slot) slot.pnl += e.pnl;
  }
  return out;
}

function sharpeRatio(
  daily: { day: string; pnl: number }[],
  equityAt: (cum: number) => number | null,
  curve: [number, number][],
): number | null {
  if (daily.length < MIN_SHARPE_DAYS) return null;
  // Returns on the equity at each day's start when equity is known; otherwise raw PnL
  // (the ratio is the same when equity is roughly constant).
  let cum = 0;
  let ci = 0;
  const returns: number[] = [];
  for (const d of daily) {
    const dayStart = Date.parse(`${d.day}T00:00:00Z`);
    while (ci < curve.length && (curve[ci]?.[0] ?? 0) < dayStart) cum = curve[ci++]?.[1] ?? cum;
    const eq = equityAt(cum);
    returns.push(eq !== null && eq > 0 ? d.pnl / eq : d.pnl);
  }
  const m = mean(returns);
  const sd = Math.sqrt(returns.reduce((s, r) => s + (r - m) ** 2, 0) / (returns.length - 1));
  if (!(sd > 0)) return null;
  return (m / sd) * Math.sqrt(365);
}

function holdingStats(
  history: RebuiltHistory,
  episodes: Episode[],
  volume: number,
  window: { start: number; end: number },
) {
  const durations: number[] = [];
  let openAtStart = 0;
  let openAtEnd = 0;
  for (const e of episodes) {
    if (e.openTime === null) openAtStart++;
    if (e.closeTime === null) openAtEnd++;
    if (e.openTime !== null && e.closeTime !== null) durations.push(e.closeTime - e.openTime);
  }
  const histogram = HOLD_BUCKETS.map((b) => ({ label: b.label, count: 0 }));
  for (const d of durations) {
    const i = HOLD_BUCKETS.findIndex((b) => d < b.maxMs);
    const slot = histogram[i];
    if (slot) slot.count++;
  }
  // Inventory turnover: time-weighted gross notional ÷ one-way volume per ms.
  const span = Math.max(1, window.end - window.start);
  const gross = timeWeightedGross(history, window.end);
  const turnoverMs = volume > 0 && gross > 0 ? gross / (volume / 2 / span) : null;
  return {
    meanMs: durations.length ? mean(durations) : null,
    medianMs: durations.length ? median(durations) : null,
    closedCount: durations.length,
    turnoverMs,
    histogram,
    openAtStart,
    openAtEnd,
  };
}

/** Mean gross notional (Σ|size| × last price) over the fills' span, weighted by time. */
function timeWeightedGross(history: RebuiltHistory, end: number): number {
  const { fills, positions } = history;
  const notional = new Map<string, number>();
  let gross = 0;
  let area = 0;
  let prevT = fills[0]?.time ?? 0;
  for (let i = 0; i < fills.length; i++) {
    const f = fills[i] as Fill;
    area += gross * (f.time - prevT);
    prevT = f.time;
    const n = Math.abs((positions[i] as { after: number }).after) * f.px;
    gross += n - (notional.get(f.coin) ?? 0);
    notional.set(f.coin, n);
  }
  const tEnd = Math.max(end, prevT);
  area += gross * (tEnd - prevT);
  const span = tEnd - (fills[0]?.time ?? tEnd);
  return span > 0 ? area / span : gross;
}

function leverageStats(
  history: RebuiltHistory,
  state: AccountSnapshot | undefined,
  equityAt: (cum: number) => number | null,
): LeaderMetrics["leverage"] {
  if (!state || !(state.accountValue > 0)) return null;
  const current =
    state.positions.reduce((s, p) => s + Math.abs(p.positionValue || p.szi * p.entryPx), 0) /
    state.accountValue;
  // Over the window: positions rebuilt from fills, coins never traded held as they are now.
  const traded = new Set(history.fills.map((f) => f.coin));
  let untraded = 0;
  for (const p of state.positions) if (!traded.has(p.coin)) untraded += Math.abs(p.positionValue);
  const notional = new Map<string, number>();
  let gross = untraded;
  let cum = 0;
  let max = current;
  let sum = 0;
  let n = 0;
  for (let i = 0; i < history.fills.length; i++) {
    const f = history.fills[i] as Fill;
    cum += f.closedPnl - f.fee;
    const v = Math.abs((history.positions[i] as { after: number }).after) * f.px;
    gross += v - (notional.get(f.coin) ?? 0);
    notional.set(f.coin, v);
    const eq = equityAt(cum);
    if (eq !== null && eq > 0) {
      const lev = gross / eq;
      max = Math.max(max, lev);
      sum += lev;
      n++;
    }
  }
  return { current, max, mean: n > 0 ? sum / n : current };
}

function coinMix(
  trades: Trade[],
  fills: Fill[],
  funding: readonly FundingPayment[],
  volume: number,
): CoinMix[] {
  const by = new Map<string, CoinMix>();
  const get = (coin: string): CoinMix => {
    let c = by.get(coin);
    if (!c) {
      c = { coin, trades: 0, fills: 0, volume: 0, share: 0, pnl: 0 };
      by.set(coin, c);
    }
    return c;
  };
  for (const t of trades) get(t.coin).trades++;
  for (const f of fills) {
    const c = get(f.coin);
    c.fills++;
    c.volume += f.sz * f.px;
    c.pnl += f.closedPnl - f.fee;
  }
  for (const p of funding) if (by.has(p.coin)) get(p.coin).pnl += p.usdc;
  const out = [...by.values()];
  for (const c of out) c.share = volume > 0 ? c.volume / volume : 0;
  return out.sort((a, b) => b.volume - a.volume);
}

/** Volume that opened or grew longs vs shorts (a flip's size splits at zero). */
function longShortMix(history: RebuiltHistory): LeaderMetrics["longShort"] {
  let longVolume = 0;
  let shortVolume = 0;
  for (let i = 0; i < history.fills.length; i++) {
    const f = history.fills[i] as Fill;
    const { before, after } = history.positions[i] as { before: number; after: number };
    // The part of the move beyond zero, on the side it ends on, is opening volume.
    const opened =
      Math.sign(before) === Math.sign(after) || before === 0
        ? Math.max(0, Math.abs(after) - Math.abs(before))
        : Math.abs(after);
    if (after > 0) longVolume += opened * f.px;
    else if (after < 0) shortVolume += opened * f.px;
  }
  const total = longVolume + shortVolume;
  return { longVolume, shortVolume, longShare: total > 0 ? longVolume / total : null };
}

/** Label a trading style by the thresholds in STYLE_THRESHOLDS. */
export function classifyStyle(input: {
  medianHoldMs: number | null;
  turnoverMs: number | null;
  tradesPerDay: number;
}): { style: TradingStyle; reason: string } {
  const T = STYLE_THRESHOLDS;
  const hold = input.medianHoldMs ?? input.turnoverMs;
  const basis = input.medianHoldMs !== null ? "median hold" : "inventory turnover";
  if (input.tradesPerDay >= T.highFrequencyTradesPerDay) {
    return {
      style: "high-frequency",
      // Grouped as every other count and sum hlcopy shows ("170,689", as "$890,808" beside it).
      reason: `${Math.round(input.tradesPerDay).toLocaleString("en-US")} orders/day ≥ ${T.highFrequencyTradesPerDay}`,
    };
  }
  if (hold === null) return { style: "unknown", reason: "no closed positions and no inventory to measure" };
  const shown = `${basis} ${formatDuration(hold)}`;
  if (hold < T.highFrequencyHoldMs) return { style: "high-frequency", reason: `${shown} < 15m` };
  if (hold < T.intradayHoldMs) return { style: "intraday", reason: `${shown} < 24h` };
  if (hold < T.swingHoldMs) return { style: "swing", reason: `${shown} < 7d` };
  return { style: "position", reason: `${shown} ≥ 7d` };
}

/** 90s → "1.5m", 5400000 → "1.5h". */
export function formatDuration(ms: number): string {
  const a = Math.abs(ms);
  if (a < MINUTE_MS) return `${(ms / 1000).toFixed(a < 10_000 ? 1 : 0)}s`;
  if (a < HOUR_MS) return `${(ms / MINUTE_MS).toFixed(1)}m`;
  if (a < DAY_MS) return `${(ms / HOUR_MS).toFixed(1)}h`;
  return `${(ms / DAY_MS).toFixed(1)}d`;
}
