// Backtest: replay a leader's fills in time order through THE planner (planOrders, the one
// `follow` uses), simulate our fills with a friction model, and run the naive fill-by-fill
// copy (each leader fill scaled into its own order) beside it for comparison.
//
// Per leader fill the coin is re-planned after the copy delay on the latest leader state (a
// burst inside the delay coalesces into one plan), only for that coin (`coins`), so a
// 100k-fill trace stays fast. Sizing, caps, rounding, the deadband and the gates all live
// in the planner; this module only moves simulated money.

import { planOrders } from "../core/planner.js";
import { evaluateSafety, utcDay } from "../core/safety.js";
import type { Settings } from "../core/settings.js";
import type { AccountState, Address, LeaderState, Positions, ReasonCode, Side } from "../core/types.js";
import { emptyFill, FillColumns } from "./columns.js";
import { PositionTracker } from "./fills.js";
import { bookFor, DEFAULT_FRICTION, type FrictionModel, fillAgainstBook } from "./friction.js";
import { inferOne, MarketTable } from "./markets.js";
import type { Fill, FundingRate, MetaAsset } from "./wire.js";

/** Exchange minimum order value; the naive copy cannot place anything smaller. */
export const MIN_ORDER_USD = 10;

export interface PricePoint {
  coin: string;
  time: number;
  px: number;
}

export interface BacktestParameters {
  /** Leader fills in the userFills shape, any order (columns for very long histories). */
  fills: readonly Fill[] | FillColumns;
  settings: Settings;
  /** Our starting equity (USD). */
  equity: number;
  /** The leader's equity at the first fill; estimated from the fills when absent. */
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

const LEADER: Address = "0x0000000000000000000000000000000000000001";
const OURS: Address = "0x0000000000000000000000000000000000000002";

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
}

/**
 * Replay the fills and return both copies' outcomes.
 * @throws {RangeError} when equity is not positive (callers validate user input first).
 */
export function runBacktest(params: BacktestParameters): BacktestResult {
  if (!(params.equity > 0)) throw new RangeError("equity must be positive");
  const friction = params.friction ?? DEFAULT_FRICTION;
  const settings = params.settings;
  const cols = params.fills instanceof FillColumns ? params.fills : FillColumns.from(params.fills);
  const order = cols.sortedOrder();
  const count = order.length;
  const timeAt = (k: number) => cols.time[order[k] as number] as number;
  const leaderEquityGiven = params.leaderEquity !== undefined && params.leaderEquity > 0;
  const leaderEquity0 = leaderEquityGiven
    ? (params.leaderEquity as number)
    : estimateLeaderEquity(cols, order) || 1;

  // Markets: static facts from meta (or inferred), mids moved by every price we see.
  const table = new MarketTable(() => {
    const out: Record<string, number> = {};
    for (let k = 0; k < count; k++) {
      const i = order[k] as number;
      inferOne(out, cols.coins[cols.coin[i] as number] as string, cols.px[i] as number, cols.sz[i] as number);
    }
    return out;
  }, params.meta);
  const markets = table.markets;
  const marks = new Map<string, number>();

  // Leader.
  const tracker = new PositionTracker();
  const leaderPositions: Positions = {};
  const lastFillPx: Record<string, number> = {};
  let leaderPnl = 0;
  let leaderFees = 0;
  let leaderFunding = 0;
  // The leader's closing orders (consecutive fills of one oid per coin) and its days.
  const leaderBook = new Book(leaderEquity0);
  const openOrder = new Map<string, { oid: number; side: string; pnl: number; fee: number }>();
  const closeOrder = (o: { pnl: number; fee: number }) => {
    if (o.pnl === 0) return;
    const x = o.pnl - o.fee;
    leaderBook.closing++;
    if (x > 0) {
      leaderBook.wins++;
      leaderBook.gain += x;
    } else leaderBook.loss -= x;
  };
  const leader: LeaderState = {
    address: LEADER,
    accountValue: leaderEquity0,
    equityBase: leaderEquity0,
    positions: leaderPositions,
    openOrders: [],
    time: 0,
    weight: 1,
    lastFillPx,
  };
  const notJoined = new Set<string>();

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
  let scaledPnl = 0;
  let halt: { kind: "kill-switch"; reason: string } | null = null;
  let haltAt: { time: number; reason: string } | null = null;
  let hwm = params.equity;
  let day = "";
  let dayEnd = Number.NEGATIVE_INFINITY;
  let dayStart = params.equity;
  const liquidated = new Set<string>();

  const queue: Pending[] = [];
  let qHead = 0;
  const pending = new Set<string>();
  const naiveQueue: NaiveOrder[] = [];
  let nHead = 0;

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

  const start = count > 0 ? timeAt(0) : 0;
  let clock = start;

  /** Move a coin's price: the leader's PnL accrues on its position at the ratio in force. */
  const setPrice = (coin: string, px: number) => {
    const old = marks.get(coin);
    if (old !== undefined) {
      const d = (leaderPositions[coin]?.size ?? 0) * (px - old);
      leaderPnl += d;
      if (Number.isFinite(ratio)) scaledPnl += d * ratio;
      ts.remark(coin, old, px);
      nv.remark(coin, old, px);
    }
    marks.set(coin, px);
    table.setMid(coin, px, bookFor(friction, coin).halfSpreadBps);
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
    // Drift over every coin either side holds or the leader holds.
    let dTs = 0;
    let dNv = 0;
    const r = Number.isFinite(ratio) ? ratio : 0;
    for (const [coin, px] of marks) {
      const ideal = (leaderPositions[coin]?.size ?? 0) * r;
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
    leaderBook.day(t, leaderEquity0 + leaderPnl - leaderFees + leaderFunding);
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

  const decide = (coin: string | null, t: number) => {
    const value = ts.quickValue();
    ours.accountValue = value;
    ours.time = t;
    leader.accountValue = leaderEquity0 + leaderPnl - leaderFees;
    leader.equityBase = leader.accountValue;
    leader.time = t;
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
    const plan = planOrders({
      leaders: [leader],
      ours,
      markets,
      settings,
      context: {
        now: t,
        halted: verdict.halted,
        dailyLossHit: verdict.dailyLossHit,
        cloidSeed: "backtest",
        ...(notJoined.size > 0 ? { notJoined: [...notJoined] } : {}),
        ...(liquidated.size > 0 ? { liquidatedCoins: [...liquidated] } : {}),
      },
      ...(coins ? { coins } : {}),
    });
    plans++;
    if (Number.isFinite(plan.effectiveRatio)) {
      ratio = plan.effectiveRatio;
      if (Number.isNaN(firstRatio)) firstRatio = ratio;
    }
    for (const s of plan.skipped) skipped[s.reason] = (skipped[s.reason] ?? 0) + 1;
    for (const a of plan.actions) execute(ts, a.coin, a.side, a.size, a.limitPx);
    liquidated.clear();
  };

  const executeNaive = (o: NaiveOrder) => {
    const m = markets[o.coin];
    const mid = marks.get(o.coin);
    if (!m || mid === undefined || !Number.isFinite(ratio)) {
      naiveSkipped++;
      return;
    }
    const size = floorTo(o.sz * ratio, m.szDecimals);
    if (!(size > 0) || size * mid < MIN_ORDER_USD) {
      naiveSkipped++;
      return;
    }
    const dir = o.side === "buy" ? 1 : -1;
    execute(nv, o.coin, o.side, size, mid * (1 + (dir * settings.exec.slippageBps) / 1e4));
  };

  /** Run every decision and naive order due strictly before `t` (all of them for Infinity). */
  const runDue = (t: number) => {
    for (;;) {
      const d = queue[qHead];
      const n = naiveQueue[nHead];
      const dueD = d && d.due < t ? d.due : Number.POSITIVE_INFINITY;
      const dueN = n && n.due < t ? n.due : Number.POSITIVE_INFINITY;
      if (dueD === Number.POSITIVE_INFINITY && dueN === Number.POSITIVE_INFINITY) break;
      if (dueN < dueD) {
        nHead++;
        advance(dueN);
        executeNaive(n as NaiveOrder);
        sample(dueN);
      } else {
        qHead++;
        const coin = (d as Pending).coin;
        pending.delete(coin);
        advance(dueD);
        decide(coin, dueD);
        sample(dueD);
      }
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
    const lead = -(leaderPositions[r.coin]?.size ?? 0) * mark * r.rate;
    leaderFunding += lead;
    if (Number.isFinite(ratio)) scaledPnl += lead * ratio;
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
  for (let k = 0; k < count; k++) {
    cols.row(order[k] as number, f);
    // Drop what the queues have run (they would otherwise hold every event).
    if (qHead > 4096 && qHead * 2 > queue.length) {
      queue.splice(0, qHead);
      qHead = 0;
    }
    if (nHead > 4096 && nHead * 2 > naiveQueue.length) {
      naiveQueue.splice(0, nHead);
      nHead = 0;
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
    // The fill: price first (the leader's old position is marked to it), then the position.
    setPrice(f.coin, f.px);
    const firstOfCoin = !(f.coin in lastFillPx);
    const tracked = tracker.apply(f);
    // join "new-only": a position the leader held before the window is not ours to copy
    // until the leader closes or flips it.
    if (firstOfCoin && tracked.before !== 0 && settings.join === "new-only") notJoined.add(f.coin);
    if (tracked.after === 0 || Math.sign(tracked.after) !== Math.sign(tracked.before))
      notJoined.delete(f.coin);
    if (tracked.after === 0) delete leaderPositions[f.coin];
    else leaderPositions[f.coin] = { coin: f.coin, size: tracked.after, entryPx: tracker.entryPx(f.coin) };
    lastFillPx[f.coin] = f.px;
    leaderFees += f.fee;
    const oo = openOrder.get(f.coin);
    if (oo && f.oid !== 0 && oo.oid === f.oid && oo.side === f.side) {
      oo.pnl += f.closedPnl;
      oo.fee += f.fee;
    } else {
      if (oo) closeOrder(oo);
      openOrder.set(f.coin, { oid: f.oid, side: f.side, pnl: f.closedPnl, fee: f.fee });
    }
    if (f.liquidation) liquidated.add(f.coin);

    // The naive copy joins a position the leader already held like target-state copying
    // does (join "all"): one order for it, at the coin's first fill.
    if (firstOfCoin && tracked.before !== 0 && settings.join === "all") {
      naiveQueue.push({
        coin: f.coin,
        side: tracked.before > 0 ? "buy" : "sell",
        sz: Math.abs(tracked.before),
        due: f.time + friction.delayMs,
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
      due: f.time + friction.delayMs,
    });
  }
  const lastFill = count > 0 ? timeAt(count - 1) : start;
  runFunding(lastFill + 1);
  runDue(Number.POSITIVE_INFINITY);
  for (const o of openOrder.values()) closeOrder(o);
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
  leaderBook.day(end + 86_400_000, leaderEquity0 + leaderPnl - leaderFees + leaderFunding);
  const leaderStats = leaderBook.stats();
  const points = params.curvePoints ?? 120;
  const pick = downsampleIndex(cTime.length, points);
  return {
    window: { start, end },
    fills: count,
    plans,
    leader: {
      equity: leaderEquity0,
      equitySource: leaderEquityGiven ? "given" : "estimated",
      pnl: leaderPnl,
      fees: leaderFees,
      funding: leaderFunding,
      stats: leaderStats,
      scaledPnl,
      ratio: { first: Number.isNaN(firstRatio) ? 0 : firstRatio, last: Number.isNaN(ratio) ? 0 : ratio },
    },
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
    tracker: { mismatches: tracker.mismatches.length },
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
