// Backtest: replay one or several leaders' fills in time order through THE planner
// (planOrders, the one `follow` uses), simulate our fills with a friction model, and run the
// naive fill-by-fill copy (each leader fill scaled into its own order) beside it for comparison.
//
// Per leader fill the coin is re-planned after the copy delay on the latest leader state (a
// burst inside the delay coalesces into one plan), only for that coin (`coins`), so a
// 100k-fill trace stays fast. Sizing, caps, rounding, the deadband and the gates all live
// in the planner; this module only moves simulated money. Issue 21's inputs are replayed
// point in time: risk-parity's volatility from hourly candles before the decision (or, without
// candles, realized from the fill prices so far), kelly's edge from the leader's closing trades
// inside the lookback so far; the copy delay from each leader's size history; passive entries
// rest until a later price trades through them (a maker fill at their limit) or their timeout.
// Resting stops are not simulated (risk-per-trade sizes by the stop distance all the same).

import {
  copiedUnderDelay,
  entryParams,
  extendPath,
  reversalsBetween,
  type SizePoint,
} from "../core/entry.js";
import { detailNumber } from "../core/format.js";
import { edgeFromSums, type LeaderEdge } from "../core/kelly.js";
import { type PlanContext, planOrders } from "../core/planner.js";
import { evaluateSafety, utcDay } from "../core/safety.js";
import type { Settings } from "../core/settings.js";
import { type SizingInputs, sizingParams, stopDistance } from "../core/sizing.js";
import type { AccountState, Address, LeaderState, Positions, ReasonCode, Side } from "../core/types.js";
import { HOUR_MS, hourlyVolatility, MIN_VOL_RETURNS, riskParityFactor, YEAR_MS } from "../core/volatility.js";
import { emptyFill, FillColumns } from "./columns.js";
import { PositionTracker } from "./fills.js";
import {
  bookFor,
  DEFAULT_FRICTION,
  DEFAULT_MAKER_FEE,
  type FrictionModel,
  fillAgainstBook,
} from "./friction.js";
import { inferOne, MarketTable } from "./markets.js";
import type { Fill, FundingRate, MetaAsset } from "./wire.js";

/** Exchange minimum order value; the naive copy cannot place anything smaller. */
export const MIN_ORDER_USD = 10;

export interface PricePoint {
  coin: string;
  time: number;
  px: number;
}

/** One leader of a backtest: its fills, weight and equity. */
export interface BacktestLeader {
  fills: readonly Fill[] | FillColumns;
  /** Its weight in the copy (normalised with the others' to sum 1). Default 1. */
  weight?: number;
  /** Its equity at its first fill; estimated from its fills when absent. */
  leaderEquity?: number;
  /** An address or a file name, for the report. */
  label?: string;
}

/** An hourly candle close of a coin (candleSnapshot): risk-parity's volatility. */
export interface CandleClose {
  coin: string;
  /** Open time (ms). */
  t: number;
  c: number;
}

export interface BacktestParameters {
  /** One leader's fills in the userFills shape, any order (columns for very long histories)… */
  fills?: readonly Fill[] | FillColumns;
  /** …or several leaders, each with its weight (as `follow L1 L2 --weights`). */
  leaders?: readonly BacktestLeader[];
  settings: Settings;
  /** Our starting equity (USD). */
  equity: number;
  /** With `fills`: the leader's equity at the first fill; estimated from the fills when absent. */
  leaderEquity?: number;
  friction?: FrictionModel;
  /** szDecimals / maxLeverage / asset ids; inferred from the fills when absent. */
  meta?: readonly MetaAsset[];
  /** Extra marks between fills (e.g. candle closes); they move prices but trigger no plan. */
  prices?: readonly PricePoint[];
  /** Points kept per curve in the result (default 120). */
  curvePoints?: number;
  /** Funding rates over the window (fundingHistory): each book pays size × mark × rate. */
  funding?: readonly FundingRate[];
  /** Hourly candles (risk-parity's volatility); without them it is realized from the fills. */
  candles?: readonly CandleClose[];
}

/** Win rate, profit factor and a daily Sharpe of a series of closing trades and days. */
export interface TradeStats {
  /** Trades that realized PnL (after fees). */
  closingTrades: number;
  winRate: number | null;
  /** Gross profit / gross loss; null without a loss. */
  profitFactor: number | null;
  /** mean / stdev of daily returns × √365 (null under MIN_STATS_DAYS days). */
  sharpe: number | null;
}

/** Fewer UTC days than this give no Sharpe (as inspect's MIN_SHARPE_DAYS). */
export const MIN_STATS_DAYS = 7;

export interface CopyOutcome {
  pnl: number;
  /** Our PnL in percent of starting equity. */
  returnPct: number;
  fees: number;
  /** Funding received (negative: paid), included in pnl. */
  funding: number;
  stats: TradeStats;
  /** USD paid to spread and book impact against the mid. */
  slippage: number;
  orders: number;
  /** Orders the book filled only in part (the IOC limit stopped the walk). */
  partialFills: number;
  /** USD notional traded. */
  volume: number;
  maxDrawdownUsd: number;
  maxDrawdownPct: number;
  finalEquity: number;
  /** |our position − leader position × ratio| × price, summed over coins. */
  drift: { meanUsd: number; maxUsd: number; finalUsd: number };
  /** Time-weighted RMS of (our PnL − the leader's scaled PnL), USD. */
  trackingErrorUsd: number;
  /** Orders, volume and fees per coin. */
  byCoin: Record<string, { orders: number; volume: number; fees: number }>;
  /** Positions held at the end (coin → signed size). */
  positions: Record<string, number>;
}

export interface BacktestResult {
  window: { start: number; end: number };
  fills: number;
  /** Plans made (one per coalesced leader event). */
  plans: number;
  leader: {
    equity: number;
    equitySource: "given" | "estimated";
    /** Price PnL of the leader's positions over the window (before its fees and funding). */
    pnl: number;
    fees: number;
    /** Funding the leader received (negative: paid) at the given rates. */
    funding: number;
    /** From its fills: closing orders (closedPnl − fee), and daily PnL on its equity. */
    stats: TradeStats;
    /** Σ ratio in force × the leader's PnL: a frictionless, uncapped, unrounded copy. */
    scaledPnl: number;
    /** Copy ratio of the first and last plan. */
    ratio: { first: number; last: number };
  };
  /** Each leader (one entry for a single leader). `leader` above sums them. */
  leaders: LeaderOutcome[];
  /** The sizing mode, and where risk-parity's volatility came from (null for other modes). */
  sizing: { mode: string; volatility: "candles" | "fills" | null };
  /** exec.entry passive: entries placed, filled at their limit, converted after the timeout, cancelled. */
  entries: {
    passivePlaced: number;
    passiveFilled: number;
    passiveConverted: number;
    passiveCancelled: number;
  } | null;
  targetState: CopyOutcome & {
    /** Plans that left a coin alone, by reason. */
    skipped: Partial<Record<ReasonCode, number>>;
    halted: { time: number; reason: string } | null;
  };
  naive: CopyOutcome & {
    /** Leader fills the naive copy could not place (scaled below the $10 minimum, or 0 after rounding). */
    skippedFills: number;
  };
  comparison: {
    ordersSaved: number;
    ordersSavedPct: number | null;
    feesSaved: number;
    /** Fees + slippage saved by target-state copying. */
    costSaved: number;
    driftReductionPct: number | null;
  };
  curves: { time: number[]; scaledLeader: number[]; targetState: number[]; naive: number[] };
  tracker: { mismatches: number };
  friction: FrictionModel;
}

const OURS: Address = "0x000000000000000000000000000000000000ffff";

/** Per-side bookkeeping of a simulated copy. */
class Book {
  cash: number;
  /** Σ size × mark over the positions, kept as prices and positions move. */
  exposure = 0;
  readonly positions: Positions = {};
  fees = 0;
  slippage = 0;
  orders = 0;
  partialFills = 0;
  volume = 0;
  peak: number;
  maxDd = 0;
  maxDdPct = 0;
  driftArea = 0;
  driftMax = 0;
  driftNow = 0;
  teArea = 0;
  funding = 0;
  /** Closing trades: count, wins, gross profit and loss (after the fee). */
  closing = 0;
  wins = 0;
  gain = 0;
  loss = 0;
  /** Daily returns (PnL of a UTC day / equity at its start). */
  readonly dailyReturns: number[] = [];
  dayIndex = Number.NaN;
  dayStartValue = 0;
  readonly byCoin: Record<string, { orders: number; volume: number; fees: number }> = {};
  constructor(readonly start: number) {
    this.cash = start;
    this.peak = start;
  }

  size(coin: string): number {
    return this.positions[coin]?.size ?? 0;
  }

  /** Apply a fill of signed `delta` at `px`, paying `fee`. */
  trade(coin: string, delta: number, px: number, mid: number, feeRate: number, szDecimals: number): void {
    const before = this.size(coin);
    const after = roundTo(before + delta, szDecimals);
    const notional = Math.abs(delta) * px;
    const fee = notional * feeRate;
    this.cash -= delta * px + fee;
    this.exposure += (after - before) * mid;
    this.fees += fee;
    this.slippage += Math.abs(delta) * Math.abs(px - mid);
    this.volume += notional;
    const c = this.coin(coin);
    c.volume += notional;
    c.fees += fee;
    const p0 = this.positions[coin];
    if (p0 && before !== 0 && Math.sign(delta) !== Math.sign(before)) {
      const closed = Math.min(Math.abs(delta), Math.abs(before));
      const pnl = closed * (px - p0.entryPx) * Math.sign(before) - fee;
      this.closing++;
      if (pnl > 0) {
        this.wins++;
        this.gain += pnl;
      } else this.loss -= pnl;
    }
    if (after === 0) delete this.positions[coin];
    else {
      const p = this.positions[coin];
      const grows = before === 0 || Math.sign(before) !== Math.sign(after);
      const entryPx = grows
        ? px
        : Math.abs(after) > Math.abs(before) && p
          ? (p.entryPx * Math.abs(before) + px * Math.abs(delta)) / Math.abs(after)
          : (p?.entryPx ?? px);
      this.positions[coin] = { coin, size: after, entryPx };
    }
  }

  /** A closing order of a leader (PnL and fee of its fills) into the stats. */
  closeOf(o: { pnl: number; fee: number }): void {
    if (o.pnl === 0) return;
    const x = o.pnl - o.fee;
    this.closing++;
    if (x > 0) {
      this.wins++;
      this.gain += x;
    } else this.loss -= x;
  }

  coin(coin: string): { orders: number; volume: number; fees: number } {
    let c = this.byCoin[coin];
    if (!c) {
      c = { orders: 0, volume: 0, fees: 0 };
      this.byCoin[coin] = c;
    }
    return c;
  }

  /** Equity at the marks, summed afresh (the end figures). */
  value(marks: Map<string, number>): number {
    let v = this.cash;
    for (const p of Object.values(this.positions)) v += p.size * (marks.get(p.coin) ?? p.entryPx);
    return v;
  }

  /** Equity at the marks, kept incrementally (every event). */
  quickValue(): number {
    return this.cash + this.exposure;
  }

  /** Close the UTC day if `t` is in a later one (its return goes to dailyReturns). */
  day(t: number, value: number): void {
    const d = Math.floor(t / 86_400_000);
    if (d === this.dayIndex) return;
    if (!Number.isNaN(this.dayIndex) && this.dayStartValue > 0) {
      this.dailyReturns.push((value - this.dayStartValue) / this.dayStartValue);
      // Days without an event in between: flat.
      for (let k = this.dayIndex + 1; k < d && this.dailyReturns.length < 100_000; k++)
        this.dailyReturns.push(0);
    }
    this.dayIndex = d;
    this.dayStartValue = value;
  }

  stats(): TradeStats {
    return {
      closingTrades: this.closing,
      winRate: this.closing > 0 ? this.wins / this.closing : null,
      profitFactor: this.loss > 0 ? this.gain / this.loss : null,
      sharpe: sharpeOf(this.dailyReturns),
    };
  }

  /** A coin's mark moved from `old` to `px`. */
  remark(coin: string, old: number, px: number): void {
    const p = this.positions[coin];
    if (p) this.exposure += p.size * (px - old);
  }

  mark(value: number): void {
    if (value > this.peak) this.peak = value;
    const dd = this.peak - value;
    if (dd > this.maxDd) this.maxDd = dd;
    if (this.peak > 0 && dd / this.peak > this.maxDdPct) this.maxDdPct = dd / this.peak;
  }
}

/** mean / stdev × √365 of daily returns; null under MIN_STATS_DAYS days or no variance. */
export function sharpeOf(daily: readonly number[]): number | null {
  if (daily.length < MIN_STATS_DAYS) return null;
  const mean = daily.reduce((s, x) => s + x, 0) / daily.length;
  const sd = Math.sqrt(daily.reduce((s, x) => s + (x - mean) ** 2, 0) / (daily.length - 1));
  return sd > 0 ? (mean / sd) * Math.sqrt(365) : null;
}

function roundTo(x: number, decimals: number): number {
  const f = 10 ** decimals;
  const r = Math.round(x * f) / f;
  return r === 0 ? 0 : r;
}

function floorTo(x: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.floor(x * f + 1e-9) / f;
}

/**
 * Estimate the leader's equity when it is not given: its peak gross notional over the
 * window, i.e. the leader assumed at 1x leverage at its busiest. Conservative for the
 * copy: our exposure then peaks at about our equity (before caps).
 */
export function estimateLeaderEquity(fills: readonly Fill[] | FillColumns, order?: Uint32Array): number {
  const cols = fills instanceof FillColumns ? fills : FillColumns.from(fills);
  const idx = order ?? cols.sortedOrder();
  const tracker = new PositionTracker();
  const notional = new Map<string, number>();
  let gross = 0;
  let peak = 0;
  const f = emptyFill();
  for (let k = 0; k < idx.length; k++) {
    cols.row(idx[k] as number, f);
    const t = tracker.apply(f);
    const n = Math.abs(t.after) * f.px;
    // A coin's opening position counts from its first fill.
    gross += n - (notional.get(f.coin) ?? 0);
    notional.set(f.coin, n);
    peak = Math.max(peak, gross, Math.abs(t.before) * f.px);
  }
  return peak;
}

interface Pending {
  coin: string;
  due: number;
}

interface NaiveOrder {
  coin: string;
  side: Side;
  /** Leader fill size (coin units), scaled at execution. */
  sz: number;
  due: number;
  /** Index of the leader whose fill it copies. */
  leader: number;
}

/** A simulated passive entry resting in the replay's book (exec.entry passive). */
interface RestingEntry {
  cloid: `0x${string}`;
  side: Side;
  size: number;
  limitPx: number;
  placedAt: number;
}

/** One leader's side of a replay. */
class LeaderRun {
  readonly address: Address;
  readonly cols: FillColumns;
  readonly order: Uint32Array;
  readonly count: number;
  k = 0;
  readonly weight: number;
  readonly equity0: number;
  readonly equityGiven: boolean;
  readonly label: string;
  readonly tracker = new PositionTracker();
  readonly positions: Positions = {};
  readonly lastFillPx: Record<string, number> = {};
  pnl = 0;
  fees = 0;
  funding = 0;
  /** Closing orders and daily returns, for its stats. */
  readonly book: Book;
  readonly openOrder = new Map<string, { oid: number; side: string; pnl: number; fee: number }>();
  readonly notJoined = new Set<string>();
  readonly state: LeaderState;
  /** Its ratio in force (weight and portfolio scale included), and the first plan's. */
  ratio = Number.NaN;
  firstRatio = Number.NaN;
  /** Copy delay: its size history per coin, and when reversals were last looked for. */
  readonly paths = new Map<string, SizePoint[]>();
  readonly reversalCheck = new Map<string, number>();
  /** Kelly: its closing trades inside the lookback, with running sums. */
  readonly closes: { time: number; x: number }[] = [];
  closesHead = 0;
  wins = 0;
  gain = 0;
  loss = 0;

  constructor(index: number, leader: BacktestLeader, weight: number) {
    this.address = `0x${(index + 1).toString(16).padStart(40, "0")}` as Address;
    this.cols = leader.fills instanceof FillColumns ? leader.fills : FillColumns.from(leader.fills);
    this.order = this.cols.sortedOrder();
    this.count = this.order.length;
    this.weight = weight;
    this.equityGiven = leader.leaderEquity !== undefined && leader.leaderEquity > 0;
    this.equity0 = this.equityGiven
      ? (leader.leaderEquity as number)
      : estimateLeaderEquity(this.cols, this.order) || 1;
    this.label = leader.label ?? (index === 0 ? "leader" : `leader ${index + 1}`);
    this.book = new Book(this.equity0);
    this.state = {
      address: this.address,
      accountValue: this.equity0,
      equityBase: this.equity0,
      positions: this.positions,
      openOrders: [],
      time: 0,
      weight,
      lastFillPx: this.lastFillPx,
    };
  }

  nextTime(): number {
    return this.k < this.count
      ? (this.cols.time[this.order[this.k] as number] as number)
      : Number.POSITIVE_INFINITY;
  }

  value(): number {
    return this.equity0 + this.pnl - this.fees + this.funding;
  }

  /** A closing order ended: its stats, and kelly's window. */
  closeOrder(o: { pnl: number; fee: number }, time: number): void {
    if (o.pnl === 0) return;
    const x = o.pnl - o.fee;
    this.book.closing++;
    if (x > 0) {
      this.book.wins++;
      this.book.gain += x;
      this.wins++;
      this.gain += x;
    } else {
      this.book.loss -= x;
      this.loss -= x;
    }
    this.closes.push({ time, x });
  }

  /** Its edge over the `lookbackMs` before `t` (kelly), from the running sums. */
  edge(t: number, lookbackMs: number): LeaderEdge {
    while (
      this.closesHead < this.closes.length &&
      (this.closes[this.closesHead] as { time: number }).time < t - lookbackMs
    ) {
      const old = this.closes[this.closesHead++] as { time: number; x: number };
      if (old.x > 0) {
        this.wins--;
        this.gain -= old.x;
      } else this.loss += old.x;
    }
    if (this.closesHead > 4096 && this.closesHead * 2 > this.closes.length) {
      this.closes.splice(0, this.closesHead);
      this.closesHead = 0;
    }
    return edgeFromSums(this.closes.length - this.closesHead, this.wins, this.gain, this.loss);
  }
}

/** Per leader of a backtest. */
export interface LeaderOutcome {
  label: string;
  /** Its weight in the copy (the weights sum to 1). */
  weight: number;
  equity: number;
  equitySource: "given" | "estimated";
  fills: number;
  pnl: number;
  fees: number;
  funding: number;
  stats: TradeStats;
  ratio: { first: number; last: number };
}

/**
 * Replay the fills and return both copies' outcomes.
 * @throws {RangeError} when equity is not positive, or no leader is given (callers validate
 *   user input first).
 */
export function runBacktest(params: BacktestParameters): BacktestResult {
  if (!(params.equity > 0)) throw new RangeError("equity must be positive");
  const friction = params.friction ?? DEFAULT_FRICTION;
  const settings = params.settings;
  const mode = settings.sizing.mode;
  const given: readonly BacktestLeader[] =
    params.leaders ??
    (params.fills
      ? [
          {
            fills: params.fills,
            ...(params.leaderEquity !== undefined ? { leaderEquity: params.leaderEquity } : {}),
          },
        ]
      : []);
  if (given.length === 0) throw new RangeError("no leader to replay");
  const weightSum = given.reduce((s, l) => s + (l.weight !== undefined && l.weight > 0 ? l.weight : 1), 0);
  const runs = given.map(
    (l, i) => new LeaderRun(i, l, (l.weight !== undefined && l.weight > 0 ? l.weight : 1) / weightSum),
  );
  const count = runs.reduce((s, r) => s + r.count, 0);
  const sp = sizingParams(settings);
  const entry = entryParams(settings);
  const stop = stopDistance(settings);

  // Markets: static facts from meta (or inferred from every leader's fills), mids moved by every price.
  const table = new MarketTable(() => {
    const out: Record<string, number> = {};
    for (const r of runs) {
      for (let k = 0; k < r.count; k++) {
        const i = r.order[k] as number;
        inferOne(
          out,
          r.cols.coins[r.cols.coin[i] as number] as string,
          r.cols.px[i] as number,
          r.cols.sz[i] as number,
        );
      }
    }
    return out;
  }, params.meta);
  const markets = table.markets;
  const marks = new Map<string, number>();

  // Our two copies.
  const ts = new Book(params.equity);
  const nv = new Book(params.equity);
  const ours: AccountState = {
    address: OURS,
    accountValue: params.equity,
    positions: ts.positions,
    openOrders: [],
    time: 0,
  };
  const skipped: Partial<Record<ReasonCode, number>> = {};
  let naiveSkipped = 0;
  let plans = 0;
  let ratio = Number.NaN;
  let firstRatio = Number.NaN;
  let scale = 1;
  let scaledPnl = 0;
  let halt: { kind: "kill-switch"; reason: string } | null = null;
  let haltAt: { time: number; reason: string } | null = null;
  let hwm = params.equity;
  let day = "";
  let dayEnd = Number.NEGATIVE_INFINITY;
  let dayStart = params.equity;
  const liquidated = new Set<string>();
  // Every leader's closing orders and their summed equity: the aggregate's stats.
  const leaderAll = new Book(runs.reduce((s, r) => s + r.equity0, 0));

  // risk-parity: each coin's volatility from hourly candles (point in time), else realized
  // from the fill prices so far (fill-to-fill log returns over the time they span).
  const candlesByCoin = new Map<string, { t: number; c: number }[]>();
  for (const c of params.candles ?? []) {
    let list = candlesByCoin.get(c.coin);
    if (!list) {
      list = [];
      candlesByCoin.set(c.coin, list);
    }
    list.push({ t: c.t, c: c.c });
  }
  for (const list of candlesByCoin.values()) list.sort((a, b) => a.t - b.t);
  const volCache = new Map<string, { hour: number; vol: number | null }>();
  const realized = new Map<string, { px: number; t: number; r2: number; dt: number; n: number }>();
  let volFromFills = false;
  let volFromCandles = false;
  const volatilityOf = (coin: string, t: number): number | null => {
    const candles = candlesByCoin.get(coin);
    if (candles) {
      const hour = Math.floor(t / HOUR_MS);
      const cached = volCache.get(coin);
      if (cached && cached.hour === hour) return cached.vol;
      const vol = hourlyVolatility(candles, t, sp.volLookbackDays);
      volCache.set(coin, { hour, vol });
      if (vol !== null) volFromCandles = true;
      return vol;
    }
    const r = realized.get(coin);
    if (!r || r.n < MIN_VOL_RETURNS || !(r.dt > 0) || !(r.r2 > 0)) return null;
    volFromFills = true;
    return Math.sqrt((r.r2 / r.dt) * YEAR_MS);
  };
  const trackRealized = (coin: string, px: number, t: number) => {
    if (mode !== "risk-parity" || candlesByCoin.has(coin) || !(px > 0)) return;
    const r = realized.get(coin);
    if (!r) {
      realized.set(coin, { px, t, r2: 0, dt: 0, n: 0 });
      return;
    }
    const x = Math.log(px / r.px);
    r.r2 += x * x;
    r.dt += Math.max(0, t - r.t);
    r.n++;
    r.px = px;
    r.t = t;
  };

  /** Leader i's ratio in `coin`: what the naive copy, the ideal copy and the drift scale its size by. */
  const coinRatioOf = (i: number, coin: string): number => {
    const run = runs[i] as LeaderRun;
    const base = Number.isFinite(run.ratio) ? run.ratio : 0;
    if (mode === "risk-parity") {
      // The equity ratio × the coin's factor (the plan's ratio is the coins' together).
      const vol = volatilityOf(coin, clock);
      const equity = run.state.equityBase ?? run.state.accountValue;
      if (vol === null || !(equity > 0)) return 0;
      const equityRatio = (run.weight * Math.max(0, ours.accountValue)) / equity;
      return equityRatio * scale * riskParityFactor(sp.targetVol, vol);
    }
    if (mode === "risk-per-trade") {
      const size = Math.abs(run.positions[coin]?.size ?? 0);
      const px = marks.get(coin) ?? 0;
      if (stop === null || !(size > 0) || !(px > 0)) return 0;
      const notional = (run.weight * Math.max(0, ours.accountValue) * (sp.riskPct / 100)) / stop;
      return ((notional / px) * scale) / size;
    }
    return base;
  };

  // Passive entries resting in the replay (exec.entry passive), and what became of them.
  const resting = new Map<string, RestingEntry>();
  const takerCoins = new Set<string>();
  const entries = { passivePlaced: 0, passiveFilled: 0, passiveConverted: 0, passiveCancelled: 0 };
  const makerFee = friction.makerFee ?? DEFAULT_MAKER_FEE;

  const queue: Pending[] = [];
  let qHead = 0;
  const pending = new Set<string>();
  const naiveQueue: NaiveOrder[] = [];
  let nHead = 0;
  // Copy delay: a re-plan when each leader change has been held long enough.
  const delayQueue: Pending[] = [];
  let dHead = 0;
  // Passive entries: their timeouts.
  const expiryQueue: Pending[] = [];
  let eHead = 0;

  // Curves: every `stride`-th event, the stride doubling (and every other point dropped)
  // whenever the buffer fills, so memory stays flat however long the history; the result
  // picks `curvePoints` of them at the end.
  const cTime: number[] = [];
  const cLead: number[] = [];
  const cTs: number[] = [];
  const cNv: number[] = [];
  const curveCap = Math.max(4096, 8 * (params.curvePoints ?? 120));
  let stride = 1;
  let events = 0;

  const first = Math.min(...runs.map((r) => r.nextTime()));
  const start = Number.isFinite(first) ? first : 0;
  let clock = start;

  const execute = (book: Book, coin: string, side: Side, size: number, limitPx: number): void => {
    const m = markets[coin];
    const mid = marks.get(coin);
    if (!m || mid === undefined || !(size > 0)) return;
    const fill = fillAgainstBook(friction, coin, side, size, mid, limitPx);
    book.orders++;
    book.coin(coin).orders++;
    let filled = fill.size;
    if (filled < size) {
      filled = floorTo(filled, m.szDecimals);
      book.partialFills++;
    }
    if (!(filled > 0)) return;
    book.trade(coin, side === "buy" ? filled : -filled, fill.avgPx, mid, friction.takerFee, m.szDecimals);
  };

  /** Move a coin's price: the leaders' PnL accrues at the ratios in force; a resting entry it trades through fills. */
  const setPrice = (coin: string, px: number) => {
    const old = marks.get(coin);
    if (old !== undefined) {
      for (let i = 0; i < runs.length; i++) {
        const run = runs[i] as LeaderRun;
        const size = run.positions[coin]?.size ?? 0;
        if (size === 0) continue;
        const d = size * (px - old);
        run.pnl += d;
        scaledPnl += d * coinRatioOf(i, coin);
      }
      ts.remark(coin, old, px);
      nv.remark(coin, old, px);
    }
    marks.set(coin, px);
    table.setMid(coin, px, bookFor(friction, coin).halfSpreadBps);
    const r = resting.get(coin);
    if (r && (r.side === "buy" ? px < r.limitPx : px > r.limitPx)) {
      // Traded through our limit: a maker fill at our price.
      resting.delete(coin);
      const m = markets[coin];
      if (m) {
        ts.trade(coin, r.side === "buy" ? r.size : -r.size, r.limitPx, r.limitPx, makerFee, m.szDecimals);
        entries.passiveFilled++;
      }
    }
  };

  /** Advance the clock: time-weighted drift and tracking error accrue on the state so far. */
  const advance = (t: number) => {
    const dt = t - clock;
    if (dt > 0) {
      ts.driftArea += ts.driftNow * dt;
      nv.driftArea += nv.driftNow * dt;
      const lead = scaledPnl;
      ts.teArea += (ts.quickValue() - ts.start - lead) ** 2 * dt;
      nv.teArea += (nv.quickValue() - nv.start - lead) ** 2 * dt;
      clock = t;
    }
  };

  const sample = (t: number, keep = false) => {
    // Drift over every coin either side holds or the leaders hold.
    let dTs = 0;
    let dNv = 0;
    for (const [coin, px] of marks) {
      let ideal = 0;
      for (let i = 0; i < runs.length; i++) {
        const size = (runs[i] as LeaderRun).positions[coin]?.size ?? 0;
        if (size !== 0) ideal += size * coinRatioOf(i, coin);
      }
      dTs += Math.abs(ts.size(coin) - ideal) * px;
      dNv += Math.abs(nv.size(coin) - ideal) * px;
    }
    ts.driftNow = dTs;
    nv.driftNow = dNv;
    ts.driftMax = Math.max(ts.driftMax, dTs);
    nv.driftMax = Math.max(nv.driftMax, dNv);
    const vTs = ts.quickValue();
    const vNv = nv.quickValue();
    ts.mark(vTs);
    nv.mark(vNv);
    ts.day(t, vTs);
    nv.day(t, vNv);
    let all = 0;
    for (const run of runs) {
      const v = run.value();
      all += v;
      if (runs.length > 1) run.book.day(t, v);
    }
    leaderAll.day(t, all);
    if (events++ % stride !== 0 && !keep) return;
    if (cTime.length >= curveCap) {
      for (const c of [cTime, cLead, cTs, cNv]) {
        let w = 0;
        for (let r = 0; r < c.length; r += 2) c[w++] = c[r] as number;
        c.length = w;
      }
      stride *= 2;
      if ((events - 1) % stride !== 0 && !keep) return;
    }
    cTime.push(t);
    cLead.push(scaledPnl);
    cTs.push(vTs - ts.start);
    cNv.push(vNv - nv.start);
  };

  /**
   * The leaders for the planner, and under a copy delay the sizes each has held long enough
   * (`context.delayHeld`: only increases wait for them) with the notes of the coin decided.
   */
  const states = runs.map((r) => r.state);
  const leaderViews = (t: number, coin: string | null, context: PlanContext): LeaderState[] => {
    if (!(entry.copyDelayMs > 0)) return states;
    const waiting: Record<string, string> = {};
    const reversed: Record<string, string> = {};
    const held: Record<string, Record<string, number>> = {};
    for (const r of runs) {
      const mine: Record<string, number> = {};
      for (const [c, path] of r.paths) {
        const current = r.positions[c]?.size ?? 0;
        const copied = copiedUnderDelay(path, t, entry.copyDelayMs, current);
        if (Math.abs(copied) < Math.abs(current)) mine[c] = copied;
        if (c === coin) {
          if (Math.abs(copied) < Math.abs(current))
            waiting[c] = `copy delay: ${detailNumber(current - copied)} ${c} not held long enough yet`;
          const from = r.reversalCheck.get(c) ?? Number.NEGATIVE_INFINITY;
          if (reversalsBetween(path, from, t, entry.copyDelayMs).length > 0)
            reversed[c] = `copy delay: the leader's ${c} increase was reversed before the delay ended`;
          r.reversalCheck.set(c, t);
        }
      }
      if (Object.keys(mine).length > 0) held[r.state.address] = mine;
    }
    if (Object.keys(held).length > 0) context.delayHeld = held;
    if (Object.keys(waiting).length > 0) context.copyDelay = waiting;
    if (Object.keys(reversed).length > 0) context.reversedAfterDelay = reversed;
    return states;
  };

  const decide = (coin: string | null, t: number) => {
    const value = ts.quickValue();
    ours.accountValue = value;
    ours.time = t;
    for (const r of runs) {
      r.state.accountValue = r.equity0 + r.pnl - r.fees;
      r.state.equityBase = r.state.accountValue;
      r.state.time = t;
    }
    if (t >= dayEnd) {
      const today = utcDay(t);
      if (today !== day) {
        day = today;
        dayStart = value;
      }
      dayEnd = (Math.floor(t / 86_400_000) + 1) * 86_400_000;
    }
    hwm = Math.max(hwm, value);
    const verdict = evaluateSafety({
      accountValue: value,
      hwm,
      dayStartEquity: dayStart,
      settings,
      activeHalt: halt,
    });
    let coins: string[] | undefined = coin === null ? undefined : [coin];
    if (verdict.newHalt && !halt) {
      halt = verdict.newHalt;
      haltAt = { time: t, reason: verdict.newHalt.reason };
      coins = undefined; // flatten everything at once
    }
    let notJoined: Set<string> | undefined;
    for (const r of runs) {
      if (r.notJoined.size === 0) continue;
      notJoined ??= new Set<string>();
      for (const c of r.notJoined) notJoined.add(c);
    }
    const context: PlanContext = {
      now: t,
      halted: verdict.halted,
      dailyLossHit: verdict.dailyLossHit,
      cloidSeed: "backtest",
      ...(notJoined ? { notJoined: [...notJoined] } : {}),
      ...(liquidated.size > 0 ? { liquidatedCoins: [...liquidated] } : {}),
    };
    if (resting.size > 0) {
      context.restingEntries = {};
      for (const [c, r] of resting) {
        context.restingEntries[c] = { cloid: r.cloid, side: r.side, size: r.size, limitPx: r.limitPx };
      }
    }
    if (takerCoins.size > 0) context.takerCoins = [...takerCoins];
    const leaders = leaderViews(t, coins ? (coins[0] as string) : null, context);
    let sizingInputs: SizingInputs | undefined;
    if (mode === "risk-parity") {
      const volatility: Record<string, number> = {};
      const wanted = new Set<string>(coins ?? []);
      if (!coins) {
        for (const r of runs) for (const c of Object.keys(r.positions)) wanted.add(c);
        for (const c of Object.keys(ts.positions)) wanted.add(c);
      }
      for (const c of wanted) {
        const v = volatilityOf(c, t);
        if (v !== null) volatility[c] = v;
      }
      sizingInputs = { volatility };
    } else if (mode === "kelly") {
      const edge: Record<string, LeaderEdge> = {};
      for (const r of runs) edge[r.address] = r.edge(t, sp.kellyLookbackDays * 86_400_000);
      sizingInputs = { edge };
    }
    const plan = planOrders({
      leaders,
      ours,
      markets,
      settings,
      context,
      ...(sizingInputs ? { sizingInputs } : {}),
      ...(coins ? { coins } : {}),
      explainSizing: false,
    });
    plans++;
    scale = plan.portfolioScale;
    for (const r of runs) {
      const x = (plan.leaderRatios?.[r.address] ?? 0) * plan.portfolioScale;
      if (Number.isFinite(x)) {
        r.ratio = x;
        if (Number.isNaN(r.firstRatio)) r.firstRatio = x;
      }
    }
    if (Number.isFinite(plan.effectiveRatio)) {
      ratio = plan.effectiveRatio;
      if (Number.isNaN(firstRatio)) firstRatio = ratio;
    }
    for (const s of plan.skipped) skipped[s.reason] = (skipped[s.reason] ?? 0) + 1;
    for (const c of plan.cancels ?? []) {
      if (resting.delete(c.coin)) entries.passiveCancelled++;
    }
    for (const a of plan.actions) {
      if (a.passive) {
        // A post-only limit rests: it fills when a later price trades through it.
        resting.set(a.coin, { cloid: a.cloid, side: a.side, size: a.size, limitPx: a.limitPx, placedAt: t });
        ts.orders++;
        ts.coin(a.coin).orders++;
        entries.passivePlaced++;
        expiryQueue.push({ coin: a.coin, due: t + entry.passiveTimeoutMs });
      } else execute(ts, a.coin, a.side, a.size, a.limitPx);
    }
    liquidated.clear();
  };

  const executeNaive = (o: NaiveOrder) => {
    const m = markets[o.coin];
    const mid = marks.get(o.coin);
    const r = coinRatioOf(o.leader, o.coin);
    if (!m || mid === undefined || !(r > 0)) {
      naiveSkipped++;
      return;
    }
    const size = floorTo(o.sz * r, m.szDecimals);
    if (!(size > 0) || size * mid < MIN_ORDER_USD) {
      naiveSkipped++;
      return;
    }
    const dir = o.side === "buy" ? 1 : -1;
    execute(nv, o.coin, o.side, size, mid * (1 + (dir * settings.exec.slippageBps) / 1e4));
  };

  /** A resting entry's timeout: still resting → cancelled, its coin re-planned as a taker. */
  const expire = (p: Pending) => {
    const r = resting.get(p.coin);
    if (!r || r.placedAt + entry.passiveTimeoutMs > p.due) return;
    resting.delete(p.coin);
    takerCoins.add(p.coin);
    entries.passiveConverted++;
    decide(p.coin, p.due);
  };

  /** Run every decision, naive order, delayed re-plan and timeout due strictly before `t`. */
  const runDue = (t: number) => {
    for (;;) {
      const d = queue[qHead];
      const n = naiveQueue[nHead];
      const l = delayQueue[dHead];
      const e = expiryQueue[eHead];
      const dueD = d && d.due < t ? d.due : Number.POSITIVE_INFINITY;
      const dueN = n && n.due < t ? n.due : Number.POSITIVE_INFINITY;
      const dueL = l && l.due < t ? l.due : Number.POSITIVE_INFINITY;
      const dueE = e && e.due < t ? e.due : Number.POSITIVE_INFINITY;
      const next = Math.min(dueD, dueN, dueL, dueE);
      if (next === Number.POSITIVE_INFINITY) break;
      advance(next);
      // Ties: the decision first (it sets the ratio the naive order is scaled by).
      if (dueD === next) {
        qHead++;
        const coin = (d as Pending).coin;
        pending.delete(coin);
        decide(coin, next);
      } else if (dueN === next) {
        nHead++;
        executeNaive(n as NaiveOrder);
      } else if (dueE === next) {
        eHead++;
        expire(e as Pending);
      } else {
        dHead++;
        decide((l as Pending).coin, next);
      }
      sample(next);
    }
  };

  // Extra marks, merged by time (they never trigger a plan).
  const prices = [...(params.prices ?? [])].sort((a, b) => a.time - b.time);
  let pHead = 0;
  // Funding, merged by time: each side pays (or receives) its position × mark × rate.
  const funding = [...(params.funding ?? [])].sort((a, b) => a.time - b.time);
  let fHead = 0;
  const payFunding = (r: FundingRate) => {
    const mark = marks.get(r.coin);
    if (mark === undefined) return;
    for (const b of [ts, nv]) {
      const pay = b.size(r.coin) * mark * r.rate;
      if (pay === 0) continue;
      b.cash -= pay;
      b.funding -= pay;
    }
    for (let i = 0; i < runs.length; i++) {
      const run = runs[i] as LeaderRun;
      const lead = -(run.positions[r.coin]?.size ?? 0) * mark * r.rate;
      if (lead === 0) continue;
      run.funding += lead;
      scaledPnl += lead * coinRatioOf(i, r.coin);
    }
  };
  const runFunding = (before: number) => {
    while (fHead < funding.length && (funding[fHead] as FundingRate).time < before) {
      const r = funding[fHead++] as FundingRate;
      runDue(r.time);
      advance(r.time);
      payFunding(r);
      sample(r.time);
    }
  };

  const f = emptyFill();
  let lastFill = clock;
  for (;;) {
    // The next fill of all leaders, oldest first (ties: the first leader).
    let li = -1;
    let tNext = Number.POSITIVE_INFINITY;
    for (let i = 0; i < runs.length; i++) {
      const t = (runs[i] as LeaderRun).nextTime();
      if (t < tNext) {
        tNext = t;
        li = i;
      }
    }
    if (li < 0) break;
    const run = runs[li] as LeaderRun;
    run.cols.row(run.order[run.k++] as number, f);
    lastFill = f.time;
    // Drop what the queues have run (they would otherwise hold every event).
    if (qHead > 4096 && qHead * 2 > queue.length) {
      queue.splice(0, qHead);
      qHead = 0;
    }
    if (nHead > 4096 && nHead * 2 > naiveQueue.length) {
      naiveQueue.splice(0, nHead);
      nHead = 0;
    }
    if (dHead > 4096 && dHead * 2 > delayQueue.length) {
      delayQueue.splice(0, dHead);
      dHead = 0;
    }
    if (eHead > 4096 && eHead * 2 > expiryQueue.length) {
      expiryQueue.splice(0, eHead);
      eHead = 0;
    }
    while (pHead < prices.length && (prices[pHead] as PricePoint).time < f.time) {
      const p = prices[pHead++] as PricePoint;
      runDue(p.time + 1);
      advance(p.time);
      if (marks.has(p.coin)) {
        setPrice(p.coin, p.px);
        sample(p.time);
      }
    }
    runFunding(f.time);
    runDue(f.time);
    advance(f.time);
    // The fill: price first (the leaders' old positions are marked to it), then the position.
    setPrice(f.coin, f.px);
    trackRealized(f.coin, f.px, f.time);
    const firstOfCoin = !(f.coin in run.lastFillPx);
    const tracked = run.tracker.apply(f);
    // join "new-only": a position the leader held before the window is not ours to copy
    // until the leader closes or flips it.
    if (firstOfCoin && tracked.before !== 0 && settings.join === "new-only") run.notJoined.add(f.coin);
    if (tracked.after === 0 || Math.sign(tracked.after) !== Math.sign(tracked.before))
      run.notJoined.delete(f.coin);
    if (tracked.after === 0) delete run.positions[f.coin];
    else run.positions[f.coin] = { coin: f.coin, size: tracked.after, entryPx: run.tracker.entryPx(f.coin) };
    run.lastFillPx[f.coin] = f.px;
    run.fees += f.fee;
    const oo = run.openOrder.get(f.coin);
    if (oo && f.oid !== 0 && oo.oid === f.oid && oo.side === f.side) {
      oo.pnl += f.closedPnl;
      oo.fee += f.fee;
    } else {
      if (oo) {
        run.closeOrder(oo, f.time);
        leaderAll.closeOf(oo);
      }
      run.openOrder.set(f.coin, { oid: f.oid, side: f.side, pnl: f.closedPnl, fee: f.fee });
    }
    if (f.liquidation) liquidated.add(f.coin);
    // The leader traded the coin: its next increase may rest again (exec.entry passive).
    takerCoins.delete(f.coin);
    if (entry.copyDelayMs > 0) {
      // Its size history; the position it held before the window counts as held long ago.
      const keepFrom = f.time - 2 * entry.copyDelayMs;
      const path = run.paths.get(f.coin) ?? [{ time: Number.NEGATIVE_INFINITY, size: tracked.before }];
      run.paths.set(f.coin, extendPath(path, f.time, tracked.after, keepFrom));
      delayQueue.push({ coin: f.coin, due: f.time + entry.copyDelayMs + friction.delayMs });
    }

    // The naive copy joins a position the leader already held like target-state copying
    // does (join "all"): one order for it, at the coin's first fill.
    if (firstOfCoin && tracked.before !== 0 && settings.join === "all") {
      naiveQueue.push({
        coin: f.coin,
        side: tracked.before > 0 ? "buy" : "sell",
        sz: Math.abs(tracked.before),
        due: f.time + friction.delayMs,
        leader: li,
      });
    }
    if (!pending.has(f.coin)) {
      pending.add(f.coin);
      queue.push({ coin: f.coin, due: f.time + friction.delayMs });
    }
    naiveQueue.push({
      coin: f.coin,
      side: f.side === "B" ? "buy" : "sell",
      sz: f.sz,
      due: f.time + friction.delayMs + (entry.copyDelayMs > 0 ? entry.copyDelayMs : 0),
      leader: li,
    });
  }
  runFunding(lastFill + 1);
  runDue(Number.POSITIVE_INFINITY);
  for (const run of runs) {
    for (const o of run.openOrder.values()) {
      run.closeOrder(o, lastFill);
      leaderAll.closeOf(o);
    }
  }
  const end = Math.max(clock, lastFill);
  advance(end);
  sample(end, true);

  const span = end - start;
  const outcome = (b: Book): CopyOutcome => {
    const finalEquity = b.value(marks);
    const pnl = finalEquity - b.start;
    b.day(end + 86_400_000, finalEquity);
    return {
      pnl,
      returnPct: (pnl / b.start) * 100,
      fees: b.fees,
      funding: b.funding,
      stats: b.stats(),
      slippage: b.slippage,
      orders: b.orders,
      partialFills: b.partialFills,
      volume: b.volume,
      maxDrawdownUsd: b.maxDd,
      maxDrawdownPct: b.maxDdPct * 100,
      finalEquity,
      drift: {
        meanUsd: span > 0 ? b.driftArea / span : b.driftNow,
        maxUsd: b.driftMax,
        finalUsd: b.driftNow,
      },
      trackingErrorUsd: span > 0 ? Math.sqrt(b.teArea / span) : Math.abs(pnl - scaledPnl),
      byCoin: b.byCoin,
      positions: Object.fromEntries(Object.values(b.positions).map((p) => [p.coin, p.size])),
    };
  };
  const t = outcome(ts);
  const n = outcome(nv);
  let all = 0;
  for (const run of runs) all += run.value();
  leaderAll.day(end + 86_400_000, all);
  const leaders: LeaderOutcome[] = runs.map((run) => {
    if (runs.length > 1) run.book.day(end + 86_400_000, run.value());
    return {
      label: run.label,
      weight: run.weight,
      equity: run.equity0,
      equitySource: run.equityGiven ? "given" : "estimated",
      fills: run.count,
      pnl: run.pnl,
      fees: run.fees,
      funding: run.funding,
      // One leader: its days are the aggregate's.
      stats: runs.length > 1 ? run.book.stats() : leaderAll.stats(),
      ratio: {
        first: Number.isNaN(run.firstRatio) ? 0 : run.firstRatio,
        last: Number.isNaN(run.ratio) ? 0 : run.ratio,
      },
    };
  });
  const points = params.curvePoints ?? 120;
  const pick = downsampleIndex(cTime.length, points);
  return {
    window: { start, end },
    fills: count,
    plans,
    leader: {
      equity: runs.reduce((s, r) => s + r.equity0, 0),
      equitySource: runs.every((r) => r.equityGiven) ? "given" : "estimated",
      pnl: runs.reduce((s, r) => s + r.pnl, 0),
      fees: runs.reduce((s, r) => s + r.fees, 0),
      funding: runs.reduce((s, r) => s + r.funding, 0),
      stats: leaderAll.stats(),
      scaledPnl,
      ratio: { first: Number.isNaN(firstRatio) ? 0 : firstRatio, last: Number.isNaN(ratio) ? 0 : ratio },
    },
    leaders,
    sizing: {
      mode,
      volatility: mode !== "risk-parity" ? null : volFromCandles ? "candles" : volFromFills ? "fills" : null,
    },
    entries: entries.passivePlaced > 0 || entry.passive ? entries : null,
    targetState: { ...t, skipped, halted: haltAt },
    naive: { ...n, skippedFills: naiveSkipped },
    comparison: {
      ordersSaved: n.orders - t.orders,
      ordersSavedPct: n.orders > 0 ? ((n.orders - t.orders) / n.orders) * 100 : null,
      feesSaved: n.fees - t.fees,
      costSaved: n.fees + n.slippage - (t.fees + t.slippage),
      driftReductionPct:
        n.drift.meanUsd > 0 ? ((n.drift.meanUsd - t.drift.meanUsd) / n.drift.meanUsd) * 100 : null,
    },
    curves: {
      time: pick.map((i) => cTime[i] as number),
      scaledLeader: pick.map((i) => cLead[i] as number),
      targetState: pick.map((i) => cTs[i] as number),
      naive: pick.map((i) => cNv[i] as number),
    },
    tracker: { mismatches: runs.reduce((s, r) => s + r.tracker.mismatches.length, 0) },
    friction,
  };
}

/** Indices of at most `points` samples spread over `length`, always keeping the last. */
function downsampleIndex(length: number, points: number): number[] {
  if (length === 0) return [];
  const k = Math.max(2, points);
  if (length <= k) return Array.from({ length }, (_, i) => i);
  const out: number[] = [];
  for (let i = 0; i < k; i++) out.push(Math.round((i * (length - 1)) / (k - 1)));
  return out;
}
