// THE planner: one pure function that turns the leaders' state and ours into the orders
// that bring us to the scaled target, inside the follower's limits, and says why for every
// coin it leaves alone. follow, reconcile, --dry-run, --paper and backtest all call it.
// No I/O, no clock (`context.now`), no randomness: same input, same plan, same cloids.
//
// Pipeline, per coin: leader sizes × per-leader ratio (sizing.ts) → coin rules (halt,
// deny/allow, not joined, liquidation) → per-coin cap (clip) → portfolio cap (one factor
// for every target) → round toward zero to whole lots → the difference with our position
// becomes at most two legs (a flip is a reduce-only close plus an open) → gates and the
// deadband drop increases, never reductions → increases are trimmed by one factor if the
// positions left where they are would otherwise carry gross notional over the cap.
// Sizes are handled as integer lots throughout; notionals are |size| × mid.
//
// Decisions where the rules are silent:
// * A coin exactly on target gets no skip entry (no "in-sync" noise); `targets` shows it.
// * Cap notes: a coin whose target a cap cut by ≥ 1 lot gets a skip entry with the cap's
//   reason next to its action (if any); the blocked opening half of a flip too.
// * Caps clip targets, so a position above a cap (the price rose, equity fell) is reduced
//   toward it: reducing risk is always allowed. Caps value notional at mid.
// * Positions left alone (denied, not joined, unusable leader) count toward portfolio caps.
// * The headroom check assumes this plan's reductions fill; the hot path (`coins`) cannot
//   see other coins' reductions, so it is more cautious than a full sweep.
// * order-pending and backoff hold every order of their coin, reductions included: they
//   guard exactly-once and rejection loops (an order whose outcome is unknown holds its coin
//   until it is looked up and our position read again: the model may or may not hold its fill), and the coin is re-planned next cycle. A backoff
//   only rejected increases earned (`increaseBackoffUntil`) holds increases only: a reduction
//   is another order, not the refused one again, and a close (a flatten, the kill switch) must
//   not wait out an increase's backoff — up to minutes under a 429 storm. Pacing requests is
//   the request budget's (src/exchange/budget.ts): the close goes at its next permitted slot.
// * A liquidated coin's target is 0 even if other leaders hold it (design §6: close it).
// * The $10 test values an order at the lower of mid and its limit price.
// * No leader state at all: our position is left alone ("stale-leader"), never flattened. A
//   leader with equity (net of cash flows) ≤ 0 holding the coin: nothing to size from
//   ("leader-no-equity"), ours left alone, no target shown (core/drift.ts NO_TARGET_REASONS).
//   Our own equity ≤ 0 with none of the coin held: nothing to copy with ("no-equity"), no
//   target either — never "in sync" at targets of 0. The kill switch still closes everything.
// * Action reasons: a flip is "flip" (the reduce-only close) + "open"; a closeDenied close
//   carries "coin-denied"/"coin-not-allowed".
// * Coin lists match case-insensitively ("btc" denies BTC); runs canonicalise them first
//   (resolveCoinSettings), this only keeps the planner safe for callers that do not.
// * A coin someone holds that is not among the markets (delisted, or no usable price) is
//   never "in sync": it is skipped "unknown-market" (a drift reason) and its target shows
//   what the copy would want (0 when no leader holds it), with the drift valued at the best
//   price known (mid, else our entry, else the leader's).
// * Exchange leverage not set for a coin (`leverageNotSet`, from the engine): increases are
//   skipped "leverage-not-set"; reductions still go.
// * Per leader (core/leaders.ts): risk.maxAllocationPct scales one leader's ratio by one factor
//   (skip note "allocation-cap" on a coin it cut by a lot). A gated leader (its leverage above
//   risk.leaderMaxLeverage, or a coin new to it) cannot make a target grow: the part of an
//   increase only it asks for is dropped ("leader-leverage" / "leader-new-coin"); what the
//   other leaders ask for, and every reduction, still goes. An unfollowed leader contributes
//   nothing; its share (`shed`) is closed reduce-only with reason "leader-unfollowed" — in
//   entry-only too, where the rest of the position is still held.
// * Time stop (`timeStopped`, from the engine): the coin's target is 0, the close carries
//   "time-stop". It applies to coins the copy manages (not denied, foreign or not-joined ones).
// * Sizing modes and entry styles (issue 21): a coin whose sizing input is missing (risk-parity
//   without its volatility, kelly without the leader's edge) is left alone
//   ("sizing-input-missing") unless no leader holds it (then its target is 0 whatever the
//   input); a coin held only by leaders kelly does not copy has target 0 ("negative-edge").
//   Outside exec.tradingHours and below exec.minOrderUsd only increases are skipped. The copy
//   delay holds back increases only (`delayHeld`, from the engine's size histories): the target
//   grows no further than the leaders have held for the delay, and never goes below our
//   position because of it — the leaders' current sizes decide reductions, at once (a flip's
//   close goes at once, its open waits); "copy-delay" says what it held back. A passive entry
//   is an increase leg sent as a post-only limit; while one rests, its coin's further
//   increases wait ("passive-resting") and anything else cancels it first.

import {
  type CoinLimit,
  clipToNotional,
  coinLimit,
  fitFactor,
  increaseMargin,
  marginLeverage,
  portfolioLimit,
  targetMarginPerUnit,
} from "./caps.js";
import { lazyCloid, makeCloid } from "./cloid.js";
import { deadbandUsd, MIN_ORDER_USD } from "./drift.js";
import {
  entryParams,
  insideTradingHours,
  PASSIVE_TIMED_OUT,
  passiveLimitPrice,
  passiveTimedOutText,
} from "./entry.js";
import { detailNumber, fmtUsd, fmtUsdBelow, shortAddress } from "./format.js";
import { copyRatios, type LeaderGate } from "./leaders.js";
import { exchangeLeverage } from "./leverage.js";
import { type ForeignPosition, notOursDetail } from "./ownership.js";
import { keepsDrift } from "./reasons.js";
import { lotsToSize, positionToLots, roundPriceToTick, sizeToLots, sizeToWire } from "./rounding.js";
import type { HaltKind } from "./safety.js";
import type { Settings } from "./settings.js";
import { coinRatio, type LeaderRatio, leaderRatio, type SizingInputs } from "./sizing.js";
import type {
  AccountState,
  Address,
  CoinTarget,
  LeaderState,
  MarginCap,
  Market,
  Markets,
  Plan,
  PlannedAction,
  PlannedCancel,
  ReasonCode,
  Side,
  SkippedAction,
  TargetSizing,
} from "./types.js";

export interface PlanContext {
  now: number;
  /** A halt is active: every target is 0 → reduce-only closes, reason "kill-switch" ("flatten" for a manual halt). */
  halted: boolean;
  /** Which halt (its skip text says which): the kill switch unless told. */
  haltKind?: HaltKind;
  /** Blocks increases (skip "daily-loss"); reductions still go. */
  dailyLossHit?: boolean;
  /** Why increases are blocked under dailyLossHit when it is not the day's loss itself. */
  dailyLossDetail?: string;
  /** Leader model stale: blocks increases (skip "stale-leader"); reductions still go. */
  staleLeader?: boolean;
  /** Join new-only: coins the leader held before we started; skip "not-joined", ours left alone. */
  notJoined?: string[];
  /**
   * Positions changed outside hlcopy, in whole or in part (seen mid-run), with their sizes and
   * hlcopy's part of each: skip "not-ours", left alone; the skip's detail says whose part is
   * whose (notOursDetail).
   */
  foreignPositions?: readonly ForeignPosition[];
  /** The leader was liquidated in these coins: target 0, the close carries "leader-liquidated". */
  liquidatedCoins?: string[];
  /** coin → ms: skip "backoff" while now < until (after a rejected reduction): every order waits. */
  backoffUntil?: Record<string, number>;
  /**
   * coin → ms: increases skip "backoff" while now < until (after rejected increases only);
   * reductions still go.
   */
  increaseBackoffUntil?: Record<string, number>;
  /** An order of ours is in flight for these coins: skip "order-pending". */
  pendingCoins?: string[];
  /**
   * The outcome of an order of ours for these coins is not known (its reply was lost, its
   * look-up failed), or it is and our position has not been read since.
   * The position held may or may not include that order's fill: skip "order-unknown".
   */
  unknownCoins?: string[];
  /**
   * coin → why: the exchange's leverage / margin mode could not be set to the settings' for
   * these coins; increases are skipped "leverage-not-set", reductions still go.
   */
  leverageNotSet?: Record<string, string>;
  /**
   * Our own resting stop or take-profit closed these coins: increases are skipped
   * "stopped-out" (no re-entry) until the engine drops the coin (the leaders closed or flipped it).
   */
  stoppedOut?: string[];
  /** risk.maxHoldHours: these coins were held too long; target 0, the close carries "time-stop". */
  timeStopped?: string[];
  /**
   * Leader breakers: increases only these leaders ask for (in these coins, or all) are not
   * copied ("leader-leverage", "leader-new-coin"); reductions still go.
   */
  leaderGates?: LeaderGate[];
  /**
   * coin → signed size (our side) still to close for leaders no longer followed: entry-only
   * holds our position less this; reductions of such a coin carry "leader-unfollowed".
   */
  shed?: Record<string, number>;
  /**
   * Our passive entries resting on the book, by coin (exec.entry passive): while the target
   * still wants that increase the coin waits ("passive-resting"); otherwise the plan cancels it.
   * `due`: past exec.passiveTimeoutSeconds — the plan cancels it, and the coin's increase goes as
   * IOC once it is off the book (its coin re-planned then; the entry's fills may change it).
   */
  restingEntries?: Record<
    string,
    { cloid: `0x${string}`; side: Side; size: number; limitPx: number; due?: boolean }
  >;
  /** Coins whose passive entry timed out: their increases go as the usual IOC. */
  takerCoins?: string[];
  /**
   * Copy delay (exec.copyDelayMinutes): leader address → coin → the signed size that leader has
   * held without interruption for the delay (core/entry.ts copiedUnderDelay), for the coins where
   * it is less than what it holds now. The leaders' current sizes still decide every reduction;
   * these only hold back the target's growth beyond our position (limitGrowth): the delay never
   * sizes us below what we hold.
   */
  delayHeld?: Record<string, Record<string, number>>;
  /**
   * Copy delay: coin → when the leader's increase not yet held long enough is copied (the
   * "copy-delay" note's text, said when the delay holds back at least a lot of the target).
   */
  copyDelay?: Record<string, string>;
  /** Copy delay: coin → a leader increase reversed before its delay ended ("reversed-after-delay" note). */
  reversedAfterDelay?: Record<string, string>;
  /** Mixed into every cloid (the engine makes it unique per attempt). */
  cloidSeed: string;
}

export interface PlanParameters {
  leaders: LeaderState[];
  ours: AccountState;
  markets: Markets;
  settings: Settings;
  context: PlanContext;
  /** Inputs the sizing mode needs beyond the state (volatility per coin, each leader's edge). */
  sizingInputs?: SizingInputs;
  /**
   * Say how each reported target was sized (`CoinTarget.sizing`, one line of text per coin).
   * Default true; a backtest's thousands of plans leave it out.
   */
  explainSizing?: boolean;
  /**
   * Plan only these coins (the hot path after a leader fill). Portfolio caps still see
   * every coin, so a coin's plan is the same whether it is planned alone or in a sweep.
   * Default: the union of the leaders' and our coins.
   */
  coins?: string[];
}

/** Marketable IOC limit: buy at (ask ?? mid) × (1 + slip) rounded down, sell at (bid ?? mid) × (1 − slip) rounded up. */
export function limitPrice(market: Market, side: Side, slippageBps: number): number {
  const slip = slippageBps / 1e4;
  if (side === "buy") {
    const ask = positive(market.bestAsk) ?? market.mid;
    return roundPriceToTick(ask * (1 + slip), market.szDecimals, "down");
  }
  const bid = positive(market.bestBid) ?? market.mid;
  return roundPriceToTick(bid * (1 - slip), market.szDecimals, "up");
}

// ---------------------------------------------------------------------------------------

/** How a coin's target is decided. */
type Rule =
  | { kind: "copy" }
  | { kind: "zero"; reason: ReasonCode }
  | { kind: "leave"; reason: ReasonCode; detail: string }
  | { kind: "unknown"; detail: string };

interface CoinWork {
  coin: string;
  market: Market | null;
  mid: number;
  szDecimals: number;
  /**
   * The followed leaders' net position: Σ of their own sizes, no weight (CoinTarget.leaderSize,
   * what every view shows as "leader" / "leaders").
   */
  leadersNet: number;
  /**
   * Each followed leader holding the coin, with its own size (in leader order): whether a leader
   * holds it (their sizes, weighted or not, can net to 0: A +1, B −1).
   */
  holding: { leader: Address; size: number }[];
  /** Σ ratio × leader size: the target before caps. */
  raw: number;
  ourSize: number;
  oursLots: number;
  rule: Rule;
  /** The per-coin cap when it clipped this coin's target. */
  clippedBy: CoinLimit | null;
  /** Target after the per-coin cap, before the portfolio scale. */
  clipped: number;
  /** Target in lots after the caps and rounding (signed), before any headroom trim. */
  cappedLots: number;
  /** The target reported in `targets`: cappedLots, or less after a headroom trim. */
  targetLots: number;
  /** An increase of this coin was cut (or dropped) for headroom under the portfolio cap. */
  trimmed: boolean;
  /** The reduction to its target the deadband skipped (the coin is held above its target). */
  heldAbove: Leg | undefined;
  /** entry-only: the leaders reduced, closed or flipped; the target holds our position. */
  held?: boolean;
  /** The copy delay held back the target's growth by at least a lot: what it did, in words. */
  delayed?: string | null;
  /** A gated leader's increase was dropped from the target: the gate's reason and detail. */
  gated?: { reason: ReasonCode; detail: string } | null;
  /** The allocation cap cut this coin's target (before other caps): the uncapped raw. */
  allocRaw?: number | null;
  /** Limit prices, computed when the coin trades (0 = no valid price). */
  buyPx: number;
  sellPx: number;
  // (Always present, undefined when they do not apply: one object shape keeps the planner fast.)
  /** risk-parity, risk-per-trade: the leaders whose ratio sized the target, with their share (|ratio × size|). */
  parts: { share: number; leader: number }[] | undefined;
  /** The other modes: the leaders holding the coin sized it at their one ratio. */
  uniform: boolean;
  /** Why no leader sized it (kelly not copying, an input missing, an unusable leader). */
  sizingNote: string | undefined;
  /** Leaders holding the coin that the sizing mode does not copy (kelly ≤ 0), said in a note. */
  notCopied: string | undefined;
}

interface Leg {
  w: CoinWork;
  side: Side;
  /** Order size in lots (> 0). */
  lots: number;
  reduceOnly: boolean;
  reason: ReasonCode;
  /** |position| in lots before this leg's growth (increases only). */
  fromAbsLots: number;
  /** The opening half of a flip. */
  flipOpen: boolean;
}

/**
 * Plan the orders that bring our account to the scaled copy of the leaders.
 * Pure and total: it never throws for well-typed input; an unusable input (a coin without a
 * market or mid, a leader with equity ≤ 0) becomes a skip with its reason.
 */
export function planOrders(params: PlanParameters): Plan {
  const { leaders, ours, markets, settings, context } = params;
  const halted = context.halted;
  // Under a copy delay the ratios are those of the leaders as held for the delay (a
  // fixed-notional share or an allocation cap is not moved by a position not copied yet).
  const { ratios, allocation } = copyRatios(
    context.delayHeld ? heldView(leaders, context.delayHeld) : leaders,
    ours,
    markets,
    settings,
    params.sizingInputs,
  );
  const allocScale = new Map(allocation.map((a) => [a.leader, a.scale]));

  // Universe: every coin anyone holds (for the caps), plus the coins asked for.
  const universeSet = new Set<string>();
  for (const l of leaders)
    for (const coin in l.positions) if (nonZero(l.positions[coin]?.size)) universeSet.add(coin);
  for (const coin in ours.positions) if (nonZero(ours.positions[coin]?.size)) universeSet.add(coin);
  if (params.coins) for (const coin of params.coins) universeSet.add(coin);
  // A coin with a resting passive entry is decided too (a halt or a leader's exit cancels it).
  for (const coin in context.restingEntries ?? {}) universeSet.add(coin);
  const universe = [...universeSet].sort();
  const requested = params.coins ? [...new Set(params.coins)].sort() : universe;

  const lower = (coins: string[]) => new Set(coins.map((c) => c.toLowerCase()));
  const sets = {
    deny: lower(settings.risk.denyCoins),
    allow: lower(settings.risk.allowCoins),
    notJoined: new Set(context.notJoined ?? []),
    foreign: new Map((context.foreignPositions ?? []).map((f) => [f.coin, f])),
    liquidated: new Set(context.liquidatedCoins ?? []),
  };

  const work = new Map<string, CoinWork>();
  for (const coin of universe) work.set(coin, coinWork(coin, params, ratios, sets, allocScale));
  if (!halted) limitPositions(work, settings);

  // Per-coin caps clip their coin; then one portfolio factor for every copied target.
  const pLimit = portfolioLimit(ours.accountValue, settings);
  // The leverage the exchange margins a coin at: before an increase the engine sets the
  // settings' (exchangeLeverage: `set`); a coin not increased keeps what it carries, counted as
  // the lower of that and the setting (marginLeverage: `held`). Made once per coin.
  const setLevs = new Map<string, number>();
  const heldLevs = new Map<string, number>();
  const levOf = (coin: string, market: Market, growing: boolean): number => {
    const cache = growing ? setLevs : heldLevs;
    let lev = cache.get(coin);
    if (lev === undefined) {
      lev = growing
        ? exchangeLeverage(settings, market).leverage
        : marginLeverage(settings, market, ours.positions[coin]);
      cache.set(coin, lev);
    }
    return lev;
  };
  let scalable = 0;
  let fixed = 0;
  for (const w of work.values()) {
    if (w.rule.kind === "copy") {
      const limit = coinLimit(w.market as Market, ours.accountValue, settings);
      w.clipped = clipToNotional(w.raw, w.mid, limit.limit);
      if (w.clipped !== w.raw) w.clippedBy = limit;
      scalable += Math.abs(w.clipped) * w.mid;
    } else if (w.rule.kind === "leave") {
      fixed += Math.abs(w.ourSize) * w.mid;
    }
  }
  const capScale = halted ? 1 : fitFactor(scalable, fixed, pLimit.limit);
  // The same for the account's initial margin: each copied target as if all of it were still to
  // be bought (its fee and slippage too), the positions left alone at the mid.
  let marginScalable = 0;
  let marginFixed = 0;
  if (!halted) {
    for (const w of work.values()) {
      if (!w.market) continue;
      if (w.rule.kind === "copy" && w.clipped !== 0) {
        // Growing: a target (in whole lots) beyond what we hold on its side.
        const t = sizeToLots(w.clipped * capScale, w.szDecimals);
        const growing = !(Math.sign(t) === Math.sign(w.oursLots) && Math.abs(t) <= Math.abs(w.oursLots));
        marginScalable +=
          Math.abs(w.clipped) *
          targetMarginPerUnit(w.market, levOf(w.coin, w.market, growing), settings.exec.slippageBps);
      } else if (w.rule.kind === "leave" && w.ourSize !== 0) {
        marginFixed += (Math.abs(w.ourSize) * w.mid) / levOf(w.coin, w.market, false);
      }
    }
  }
  const marginScale = halted ? 1 : fitFactor(marginScalable, marginFixed, ours.accountValue);
  const scale = Math.min(capScale, marginScale);
  const marginScaled = marginScale < capScale;
  for (const w of work.values()) {
    if (w.rule.kind === "copy") w.cappedLots = sizeToLots(w.clipped * scale, w.szDecimals);
    else if (w.rule.kind === "zero") w.cappedLots = 0;
    else w.cappedLots = w.oursLots;
    w.targetLots = w.cappedLots;
  }
  /** What scaled the targets, for the cap notes: the portfolio cap, or the account's margin. */
  const scaledBy = marginScaled
    ? {
        reason: "margin-cap" as const,
        describe: "the account's margin",
        limit: `${fmtUsd(ours.accountValue)} account value ÷ each coin's exchange leverage`,
      }
    : pLimit.reason
      ? { reason: pLimit.reason, describe: pLimit.describe, limit: `${fmtUsd(pLimit.limit)} gross` }
      : null;

  // Decide legs for the requested coins.
  const skipped: SkippedAction[] = [];
  const reductions: Leg[] = [];
  let increases: Leg[] = [];
  const cancels: PlannedCancel[] = [];
  for (const coin of requested) {
    const w = work.get(coin);
    if (!w) continue;
    if (restingEntry(w, params, skipped, cancels)) continue;
    decideCoin(w, params, ratios, reductions, increases, skipped);
  }
  // Copy-delay notes (the engine applied the delay to the leaders' state), and leaders kelly
  // does not copy in a coin others are copied in.
  for (const coin of requested) {
    const w = work.get(coin);
    if (w?.notCopied && w.rule.kind === "copy")
      skipped.push({ coin, reason: "negative-edge", detail: w.notCopied });
    if (w?.delayed && w.rule.kind === "copy") {
      const waiting =
        context.copyDelay?.[coin] ?? "copy delay: the leader's increase is not held long enough yet";
      skipped.push({ coin, reason: "copy-delay", detail: `${waiting}; ${w.delayed}` });
    }
    const reversed = context.reversedAfterDelay?.[coin];
    if (reversed) skipped.push({ coin, reason: "reversed-after-delay", detail: reversed });
  }

  // Headroom: increases may not take gross notional over the portfolio limit, counting
  // every position that stays where it is (skipped reductions, unplanned coins, coins left
  // alone). If they would, every increase's growth is cut by the same factor.
  // Positions held above their target inside the deadband do not take the room the cap's one
  // factor gave the other coins: when the increases would not fit, those coins are brought
  // down to their targets first (a reduction, always allowed), so every coin's target stays
  // the same fraction of the leader's. Whatever still does not fit is cut, and a coin the cut
  // holds back keeps its target and its drift ("cap-no-room": not in sync).
  // Margin: the exchange refuses an increase its initial margin cannot back (cross: Σ notional ÷
  // each coin's leverage ≤ account value), and a coin's leverage can be at or below
  // risk.maxLeverage (its own maximum), so the portfolio cap alone does not keep the copy
  // inside it. Increases are held to it the same way: coins held above their targets are
  // brought down first, then every increase's growth is cut by one factor — the exchange
  // refusing the last orders again and again is drift that never closes.
  let trimFactor = 1;
  const madeRoom: string[] = [];
  let madeRoomForCap = false;
  let marginCap: MarginCap | undefined;
  if (increases.length > 0) {
    const equity = ours.accountValue;
    const capFinite = Number.isFinite(pLimit.limit);
    // Our resting orders that may still open (not reduce-only, not triggers, not cancelled by
    // this plan) hold margin on the exchange too, in any coin (one not planned as well).
    let resting = 0;
    const cancelled = new Set<string>(cancels.map((c) => c.cloid));
    for (const o of ours.openOrders) {
      const m = markets[o.coin];
      if (o.reduceOnly || o.trigger || !m || !(m.mid > 0) || (o.cloid && cancelled.has(o.cloid))) continue;
      resting += (Math.abs(o.size) * Math.max(o.limitPx, m.mid)) / levOf(o.coin, m, false);
    }
    /** Coins this plan increases: the engine sets their leverage to the settings' first. */
    const growingCoins = new Set(increases.map((leg) => leg.w.coin));
    let baseline = 0;
    let marginBase = 0;
    const baselineOf = () => {
      const post = new Map<string, number>();
      for (const w of work.values()) post.set(w.coin, Math.abs(w.oursLots));
      for (const leg of reductions) {
        const prev = post.get(leg.w.coin) ?? 0;
        post.set(leg.w.coin, Math.max(0, prev - leg.lots));
      }
      baseline = 0;
      marginBase = resting;
      for (const w of work.values()) {
        if (!w.market) continue;
        const lots = post.get(w.coin) ?? 0;
        if (lots === 0) continue;
        const usd = lotsToSize(lots, w.szDecimals) * w.mid;
        baseline += usd;
        marginBase += usd / levOf(w.coin, w.market, growingCoins.has(w.coin));
      }
    };
    baselineOf();
    let growth = 0;
    let marginGrowth = 0;
    for (const leg of increases) {
      const w = leg.w;
      const size = lotsToSize(leg.lots, w.szDecimals);
      growth += size * w.mid;
      marginGrowth += increaseMargin(
        size,
        leg.side === "buy" ? w.buyPx : w.sellPx,
        w.mid,
        levOf(w.coin, w.market as Market, true),
      );
    }
    const overCap = () => capFinite && baseline + growth > pLimit.limit * (1 + 1e-9);
    const overMargin = () => marginBase + marginGrowth > equity;
    const marginWanted = marginBase + marginGrowth;
    const marginBound = overMargin();
    if (overCap() || marginBound) {
      madeRoomForCap = overCap();
      const released = new Set<string>();
      for (const coin of requested) {
        const held = work.get(coin)?.heldAbove;
        if (!held) continue;
        reductions.push(held);
        released.add(coin);
        madeRoom.push(coin);
      }
      if (released.size > 0) {
        for (let i = skipped.length - 1; i >= 0; i--) {
          const s = skipped[i] as SkippedAction;
          if (released.has(s.coin) && s.reason === "inside-deadband") skipped.splice(i, 1);
        }
        baselineOf();
      }
    }
    const capFactor = overCap() ? fitFactor(growth, baseline, pLimit.limit) : 1;
    const marginFactor = overMargin() ? fitFactor(marginGrowth, marginBase, equity) : 1;
    if (capFactor < 1 && capFactor <= marginFactor) {
      trimFactor = capFactor;
      const room = `${pLimit.describe} (${fmtUsd(pLimit.limit)} gross)`;
      increases = trimIncreases(
        increases,
        capFactor,
        pLimit.reason ?? "leverage-cap",
        () => room,
        settings,
        skipped,
      );
    } else if (marginFactor < 1) {
      const room = (w: CoinWork) =>
        `the account's margin (${fmtUsd(equity)} account value; ${w.coin} at ${detailNumber(levOf(w.coin, w.market as Market, true))}× exchange leverage, with fees and slippage)`;
      increases = trimIncreases(increases, marginFactor, "margin-cap", room, settings, skipped);
    }
    if (marginBound) {
      const scaleBy = capFactor < 1 && capFactor <= marginFactor ? capFactor : marginFactor;
      const released = madeRoomForCap ? [] : madeRoom;
      marginCap = {
        accountValueUsd: equity,
        requiredUsd: marginWanted,
        targetScale: marginScaled ? marginScale : 1,
        increaseScale: scaleBy,
        ...(released.length > 0 ? { madeRoom: released } : {}),
        detail:
          (marginScaled ? `targets scaled ×${detailNumber(marginScale)} to fit the account's margin; ` : "") +
          `the plan needs ${fmtUsd(marginWanted)} of initial margin (notional ÷ each coin's exchange leverage, with fees and slippage) and the account value is ${fmtUsd(equity)}` +
          (marginFactor < 1 && scaleBy === marginFactor
            ? `: increases cut ×${detailNumber(marginFactor)}`
            : "") +
          (released.length > 0
            ? `; ${released.join(", ")} brought down to ${released.length === 1 ? "its target" : "their targets"} to make room`
            : ""),
      };
    }
  }
  if (!marginCap && marginScaled) {
    marginCap = {
      accountValueUsd: ours.accountValue,
      requiredUsd: marginScalable + marginFixed,
      targetScale: marginScale,
      increaseScale: 1,
      detail: `targets scaled ×${detailNumber(marginScale)} to fit the account's margin: at each coin's exchange leverage, with fees and slippage, they need ${fmtUsd(marginScalable + marginFixed)} and the account value is ${fmtUsd(ours.accountValue)}`,
    };
  }

  // Cap notes: a coin whose target a cap cut by at least one lot says so.
  if (!halted) {
    for (const coin of requested) {
      const w = work.get(coin);
      if (w?.rule.kind !== "copy") continue;
      if (w.gated && !w.held) skipped.push({ coin, reason: w.gated.reason, detail: w.gated.detail });
      if (w.allocRaw != null && !w.held && !w.gated) {
        const uncut = sizeToLots(w.allocRaw, w.szDecimals);
        if (Math.abs(w.cappedLots) < Math.abs(uncut)) {
          const who = allocation
            .filter((a) => leaders.some((l) => l.address === a.leader && nonZero(l.positions[coin]?.size)))
            .map((a) => `${shortAddress(a.leader)} ×${detailNumber(Number(a.scale.toFixed(4)))}`)
            .join(", ");
          skipped.push({
            coin,
            reason: "allocation-cap",
            detail: `target ${detailNumber(lotsToSize(uncut, w.szDecimals))} ${coin} → ${detailNumber(lotsToSize(w.cappedLots, w.szDecimals))}: leader share scaled (${who}) to fit risk.maxAllocationPct (${detailNumber(settings.risk.maxAllocationPct ?? 0)}% of equity each)`,
          });
        }
      }
      if (w.trimmed) continue;
      const uncapped = sizeToLots(w.raw, w.szDecimals);
      if (Math.abs(w.cappedLots) >= Math.abs(uncapped)) continue;
      const note = capNote(w, uncapped, scale, scaledBy);
      if (note) skipped.push(note);
    }
  }

  // entry-only: say why a position the leaders reduced is kept (a standing decision, not drift).
  for (const coin of requested) {
    const w = work.get(coin);
    if (w?.held && w.targetLots === w.oursLots) {
      skipped.push({
        coin,
        reason: "entry-only",
        detail: `the leader ${w.holding.length === 0 ? "closed" : "reduced or flipped"} ${coin}: entry-only keeps our ${detailNumber(w.ourSize)} (exits are our own stops)`,
      });
    }
  }

  // One reading order: by coin (a coin's own entries keep the order they were decided in).
  skipped.sort((a, b) => (a.coin < b.coin ? -1 : a.coin > b.coin ? 1 : 0));

  const actions: PlannedAction[] = [];
  for (const leg of [...reductions, ...increases]) actions.push(toAction(leg, params, ratios));

  const targets: CoinTarget[] = [];
  /** Each leader's ratio with its text, made once per plan (only for the coins reported). */
  const explained = new Map<number, LeaderRatio>();
  for (const coin of requested) {
    const w = work.get(coin);
    if (!w || (!w.market && w.ourSize === 0 && w.holding.length === 0)) continue;
    if (w.rule.kind === "unknown") {
      targets.push(unknownTarget(w, params));
      continue;
    }
    const targetSize = lotsToSize(w.targetLots, w.szDecimals);
    targets.push({
      coin,
      ...shownLeaders(w, params),
      targetSize,
      ourSize: w.ourSize,
      driftUsd: (targetSize - w.ourSize) * w.mid,
      mid: w.mid,
      deadbandUsd: deadbandUsd(targetSize, w.mid, params.settings.exec.deadbandPct),
      ...(w.held && w.targetLots === w.oursLots && w.oursLots !== 0 ? { held: true } : {}),
      // A coin the lists keep out is not sized by the mode at all: no line says how it was.
      sizing:
        params.explainSizing === false || listedOut(w.rule)
          ? undefined
          : sizingOf(w, params, ratios, explained),
    });
  }

  // risk-parity and risk-per-trade size each coin apart: a leader's ratio is then what its
  // coins come to together, our notional over its own across the coins it sized.
  const perCoin = settings.sizing.mode === "risk-parity" || settings.sizing.mode === "risk-per-trade";
  const numerator = ratios.map(() => 0);
  const den = ratios.map(() => 0);
  if (perCoin) {
    for (const w of work.values()) {
      for (const p of w.parts ?? []) {
        numerator[p.leader] = (numerator[p.leader] ?? 0) + p.share * w.mid;
        const size = leaders[p.leader]?.positions[w.coin]?.size ?? 0;
        den[p.leader] = (den[p.leader] ?? 0) + Math.abs(size) * w.mid;
      }
    }
  }
  let ratioSum = 0;
  const leaderRatios: Record<string, number> = {};
  ratios.forEach((r, i) => {
    const d = den[i] ?? 0;
    const ratio = perCoin ? (d > 0 ? (numerator[i] ?? 0) / d : 0) : r.ratio;
    ratioSum += ratio;
    leaderRatios[r.address] = ratio;
  });
  const bound = capScale < 1 || trimFactor < 1 || madeRoomForCap;
  const plan: Plan = {
    actions,
    skipped,
    targets,
    effectiveRatio: halted ? 0 : ratioSum * scale,
    portfolioScale: scale,
    leaderRatios,
    ...(allocation.length > 0 ? { allocation } : {}),
    inSync: actions.length === 0 && cancels.length === 0 && skipped.every((s) => !keepsDrift(s.reason)),
  };
  if (cancels.length > 0) plan.cancels = cancels;
  if (marginCap) plan.marginCap = marginCap;
  // Coins brought down to make room for the portfolio cap (not for the margin alone).
  const capRoom = madeRoomForCap ? madeRoom : [];
  if (bound && pLimit.reason) {
    plan.portfolioCap = {
      reason: pLimit.reason,
      limitUsd: pLimit.limit,
      increaseScale: trimFactor,
      ...(capRoom.length > 0 ? { madeRoom: capRoom } : {}),
      detail:
        (capScale < 1
          ? `targets scaled ×${detailNumber(capScale)} to fit ${pLimit.describe} (${fmtUsd(pLimit.limit)} gross)${trimFactor < 1 ? `; increases cut ×${detailNumber(trimFactor)}` : ""}`
          : trimFactor < 1
            ? `increases cut ×${detailNumber(trimFactor)} to fit ${pLimit.describe} (${fmtUsd(pLimit.limit)} gross)`
            : `within ${pLimit.describe} (${fmtUsd(pLimit.limit)} gross)`) +
        (capRoom.length > 0
          ? `; ${capRoom.join(", ")} brought down to ${capRoom.length === 1 ? "its target" : "their targets"} to make room`
          : ""),
    };
  }
  return plan;
}

/**
 * How a reported target was sized: the mode, the inputs of the leader contributing most, and
 * one line per contributing leader (or why none did). Built only for the coins a plan reports.
 */
/** A coin risk.allowCoins or risk.denyCoins keeps out of the copy. */
function listedOut(rule: Rule): boolean {
  return (
    rule.kind !== "copy" &&
    rule.kind !== "unknown" &&
    (rule.reason === "coin-denied" || rule.reason === "coin-not-allowed")
  );
}

function sizingOf(
  w: CoinWork,
  params: PlanParameters,
  ratios: LeaderRatio[],
  explained: Map<number, LeaderRatio>,
): TargetSizing | undefined {
  const { leaders, ours, markets, settings } = params;
  const mode = settings.sizing.mode;
  let parts = w.parts;
  if (w.uniform) {
    parts = [];
    leaders.forEach((l, i) => {
      const r = ratios[i] as LeaderRatio;
      const size = finiteOr0(l.positions[w.coin]?.size);
      if (size !== 0 && !r.problem && !r.missing && !r.notCopied)
        parts?.push({ share: Math.abs(r.ratio * size), leader: i });
    });
  }
  if (!parts || parts.length === 0)
    return w.sizingNote ? { mode, inputs: {}, detail: w.sizingNote } : undefined;
  const lines: string[] = [];
  let inputs: Record<string, number | null> = {};
  [...parts]
    .sort((a, b) => b.share - a.share)
    .forEach((p, k) => {
      const l = leaders[p.leader] as LeaderState;
      // Explained again (with its text) only here, for the coins the plan reports.
      let r = explained.get(p.leader);
      if (!r) {
        r = leaderRatio(l, ours, markets, settings, params.sizingInputs, true);
        explained.set(p.leader, r);
      }
      const c = perCoinMode(settings)
        ? coinRatio(r, l, w.coin, ours, markets, settings, params.sizingInputs, true)
        : { ratio: r.ratio };
      const how = "missing" in c ? { inputs: r.inputs, detail: r.detail } : c;
      if (k === 0) inputs = how.inputs ?? r.inputs;
      lines.push(`${leaders.length > 1 ? `${shortAddress(l.address)}: ` : ""}${how.detail ?? r.detail}`);
    });
  return { mode, inputs, detail: lines.join("; ") };
}

/** Modes that size each coin apart (a ratio per leader and coin). */
function perCoinMode(settings: Settings): boolean {
  return settings.sizing.mode === "risk-parity" || settings.sizing.mode === "risk-per-trade";
}

/**
 * What the views show of the leaders in a coin: their net position (Σ of their own sizes — with
 * one leader, its position), and with several leaders each holder's own size. Not the planner's
 * weighted Σ: a weight means a share of the copy, whose size per unit differs by sizing mode, so
 * 0.6 × A's +1 + 0.4 × B's −1 = "+0.2" was no leader's position and not what the copy sized.
 */
function shownLeaders(w: CoinWork, params: PlanParameters): Pick<CoinTarget, "leaderSize" | "byLeader"> {
  return {
    leaderSize: w.leadersNet,
    ...(params.leaders.length > 1 ? { byLeader: w.holding } : {}),
  };
}

/**
 * The target of a coin we cannot trade (no market, or no usable price): what the copy would
 * want — the scaled leader size, rounded toward zero when the lot is known — so the drift
 * is visible, valued at the best price known.
 */
function unknownTarget(w: CoinWork, params: PlanParameters): CoinTarget {
  const targetSize = w.market ? lotsToSize(sizeToLots(w.raw, w.szDecimals), w.szDecimals) : w.raw;
  let px = positive(w.mid) ?? positive(params.ours.positions[w.coin]?.entryPx);
  for (const l of params.leaders) px ??= positive(l.positions[w.coin]?.entryPx);
  return {
    coin: w.coin,
    ...shownLeaders(w, params),
    targetSize,
    ourSize: w.ourSize,
    driftUsd: (targetSize - w.ourSize) * (px ?? 0),
    mid: w.mid,
    deadbandUsd: deadbandUsd(targetSize, px ?? 0, params.settings.exec.deadbandPct),
  };
}

// ---------------------------------------------------------------------------------------
// Per-coin facts

function coinWork(
  coin: string,
  params: PlanParameters,
  ratios: LeaderRatio[],
  sets: {
    deny: Set<string>;
    allow: Set<string>;
    notJoined: Set<string>;
    /** coin → the position changed outside hlcopy, with hlcopy's part of it. */
    foreign: ReadonlyMap<string, ForeignPosition>;
    liquidated: Set<string>;
  },
  allocScale: ReadonlyMap<string, number> = new Map(),
): CoinWork {
  const { leaders, ours, markets, settings, context } = params;
  const m = markets[coin];
  const market =
    m && positive(m.mid) !== undefined && Number.isInteger(m.szDecimals) && m.szDecimals >= 0 ? m : null;
  const szDecimals = market?.szDecimals ?? 0;
  const ourSize = finiteOr0(ours.positions[coin]?.size);
  let leadersNet = 0;
  const holding: { leader: Address; size: number }[] = [];
  let raw = 0;
  /** raw at the sizes the leaders held for the copy delay: what the delay lets the target grow to. */
  let rawHeld = 0;
  const delayHeld = context.delayHeld;
  /** raw without the contributions of gated leaders (breakers): what may make the target grow. */
  let rawFree = 0;
  /** raw without the allocation cap's scale (for its note). */
  let rawUncut = 0;
  let gate: LeaderGate | null = null;
  let unsizable: string | null = null;
  /** The unsizable leader's problem is its equity ≤ 0 (leader-no-equity, not a stale stream). */
  let noEquity = false;
  let missing: string | null = null;
  let holders = 0;
  const notCopied: string[] = [];
  const parts: { share: number; leader: number }[] = [];
  for (let i = 0; i < leaders.length; i++) {
    const l = leaders[i] as LeaderState;
    if (l.unfollowed) continue;
    const size = finiteOr0(l.positions[coin]?.size);
    if (size === 0) continue;
    holders++;
    leadersNet += size;
    holding.push({ leader: l.address, size });
    const r = ratios[i] as LeaderRatio;
    if (r.problem) {
      if (unsizable === null) noEquity = r.noEquity === true;
      unsizable ??= r.problem;
    } else if (r.missing) missing ??= r.missing;
    else if (r.notCopied) notCopied.push(r.notCopied);
    else {
      // r.ratio carries the allocation cap's scale (copyRatios); a per-coin mode scales it per coin.
      let ratio = r.ratio;
      if (perCoinMode(settings)) {
        const c = coinRatio(r, l, coin, ours, markets, settings, params.sizingInputs);
        if ("missing" in c) {
          missing ??= c.missing;
          continue;
        }
        ratio = c.ratio;
        parts.push({ share: Math.abs(c.ratio * size), leader: i });
      }
      raw += ratio * size;
      if (delayHeld) rawHeld += ratio * finiteOr0(delayHeld[l.address]?.[coin] ?? size);
      const scale = allocScale.get(l.address);
      rawUncut += (scale && scale > 0 ? ratio / scale : ratio) * size;
      const g = context.leaderGates?.find(
        (x) => x.leader === l.address && (x.coins === null || x.coins.includes(coin)),
      );
      if (g) gate ??= g;
      else rawFree += ratio * size;
    }
  }
  const why = notCopied[0] ?? missing ?? unsizable;

  const foreign = sets.foreign.get(coin);
  let rule: Rule;
  if (!market) {
    rule = {
      kind: "unknown",
      detail: m
        ? `${coin} has no usable mid price`
        : `${coin} is not a market on the exchange (delisted?): the position is unmanaged`,
    };
  } else if (context.halted) {
    // Said as the halt it is: a manual flatten's closes are not the kill switch's.
    rule = { kind: "zero", reason: context.haltKind === "manual" ? "flatten" : "kill-switch" };
  } else if (
    sets.deny.has(coin.toLowerCase()) ||
    (sets.allow.size > 0 && !sets.allow.has(coin.toLowerCase()))
  ) {
    const reason: ReasonCode = sets.deny.has(coin.toLowerCase()) ? "coin-denied" : "coin-not-allowed";
    const list = reason === "coin-denied" ? "in risk.denyCoins" : "not in risk.allowCoins";
    rule = settings.risk.closeDenied
      ? { kind: "zero", reason }
      : { kind: "leave", reason, detail: `${coin} is ${list}: our position is left alone` };
  } else if (foreign) {
    // The part made outside hlcopy, not the whole position: "by +0.5 (of +1.5; hlcopy's +1)".
    rule = { kind: "leave", reason: "not-ours", detail: notOursDetail(foreign) };
  } else if (sets.notJoined.has(coin)) {
    rule = {
      kind: "leave",
      reason: "not-joined",
      detail: `leader held ${coin} before we started (join new-only): not copied until it closes or flips it`,
    };
  } else if (sets.liquidated.has(coin)) {
    rule = { kind: "zero", reason: "leader-liquidated" };
  } else if (!(ours.accountValue > 0) && ourSize === 0 && (holders > 0 || raw !== 0)) {
    // Nothing to copy with: every target would be 0 (the ratio or the caps scale by our equity)
    // and "in sync" would hide that the leader's coins are not copied. No target, not in sync.
    // A position we still hold is sized as usual (its caps close it: reducing is always allowed).
    rule = {
      kind: "leave",
      reason: "no-equity",
      detail: `our account value is ${fmtUsd(ours.accountValue)}: nothing to copy ${coin} with (fund the account or check --account)`,
    };
  } else if (leaders.length === 0) {
    rule = { kind: "leave", reason: "stale-leader", detail: `no leader state: our ${coin} is left alone` };
  } else if (unsizable) {
    // A leader with nothing to size from (equity net of cash flows ≤ 0) is not a stale stream.
    rule = {
      kind: "leave",
      reason: noEquity ? "leader-no-equity" : "stale-leader",
      detail: `${unsizable}; our ${coin} is left alone`,
    };
  } else if (missing) {
    rule = { kind: "leave", reason: "sizing-input-missing", detail: `${missing}; our ${coin} is left alone` };
  } else if (holders > 0 && notCopied.length === holders) {
    rule = { kind: "zero", reason: "negative-edge" };
  } else {
    rule = { kind: "copy" };
  }
  // risk.maxHoldHours: our own exit, for a coin the copy manages (or leaves to a stale leader).
  const manages =
    rule.kind === "copy" ||
    (rule.kind === "leave" && (rule.reason === "stale-leader" || rule.reason === "leader-no-equity"));
  if (manages && market && ourSize !== 0 && context.timeStopped?.includes(coin)) {
    rule = { kind: "zero", reason: "time-stop" };
  }

  // sizing.direction inverse: the opposite side, before any cap or rule (they apply unchanged).
  if (settings.sizing.direction === "inverse") {
    raw = raw === 0 ? 0 : -raw;
    rawFree = rawFree === 0 ? 0 : -rawFree;
    rawUncut = rawUncut === 0 ? 0 : -rawUncut;
    rawHeld = rawHeld === 0 ? 0 : -rawHeld;
  }
  const allocCut = allocScale.size > 0 && market !== null && rawUncut !== raw ? rawUncut : null;
  // Leader breakers: the growth of the target on its side comes only from ungated leaders.
  let gated: { reason: ReasonCode; detail: string } | null = null;
  if (gate && rule.kind === "copy") {
    const limited = limitGrowth(raw, rawFree, ourSize);
    if (market && sizeToLots(limited, szDecimals) !== sizeToLots(raw, szDecimals)) {
      gated = {
        reason: gate.reason,
        detail: `${gate.detail}; target ${detailNumber(raw)} ${coin} → ${detailNumber(limited)}`,
      };
    }
    raw = limited;
  }
  // Copy delay: an increase of the target is copied only as far as the leaders have held it for
  // the delay; the target never goes below what we hold because of it (the leaders' current
  // sizes decide reductions, at once), and a flip closes at once but opens only the held part.
  let delayed: string | null = null;
  if (delayHeld && rule.kind === "copy") {
    const limited = limitGrowth(raw, rawHeld, ourSize);
    if (market && sizeToLots(limited, szDecimals) !== sizeToLots(raw, szDecimals)) {
      const to = lotsToSize(sizeToLots(limited, szDecimals), szDecimals);
      const from = lotsToSize(sizeToLots(raw, szDecimals), szDecimals);
      delayed = `until then the target is ${detailNumber(to)} ${coin}, not ${detailNumber(from)} (we hold ${detailNumber(ourSize)}; only increases wait, reductions are copied at once)`;
    }
    raw = limited;
  }
  // copy.mode entry-only: the leaders' opens and adds are copied, their reductions, closes and
  // flips are not — the target holds our position (our own stops exit it). Caps still clip it.
  // The share of a leader no longer followed is not held: it is closed.
  let held = false;
  const shed = finiteOr0(context.shed?.[coin]);
  if (rule.kind === "copy" && settings.copy?.mode === "entry-only" && ourSize !== 0) {
    const keep =
      Math.sign(shed) === Math.sign(ourSize)
        ? ourSize - Math.sign(ourSize) * Math.min(Math.abs(shed), Math.abs(ourSize))
        : ourSize;
    if (Math.sign(raw) !== Math.sign(ourSize) || Math.abs(raw) < Math.abs(ourSize)) {
      if (!(Math.sign(raw) === Math.sign(ourSize) && Math.abs(raw) > Math.abs(keep))) raw = keep;
      held = raw === ourSize;
    }
  }

  return {
    coin,
    held,
    gated,
    delayed,
    allocRaw: allocCut,
    parts: parts.length > 0 ? parts : undefined,
    uniform: holders > notCopied.length && !missing && !unsizable && !perCoinMode(settings),
    sizingNote: why ?? undefined,
    notCopied: notCopied.length > 0 ? notCopied.join("; ") : undefined,
    market,
    mid: market?.mid ?? 0,
    szDecimals,
    // Several leaders' sizes are whole lots, but their float sum is not (0.01757 + … read
    // 0.017570000000000002 in status): the sum as the lots it is.
    leadersNet:
      holders > 1 && market ? lotsToSize(positionToLots(leadersNet, szDecimals), szDecimals) : leadersNet,
    holding,
    raw,
    ourSize,
    oursLots: market ? positionToLots(ourSize, szDecimals) : 0,
    rule,
    clippedBy: null,
    clipped: raw,
    cappedLots: 0,
    targetLots: 0,
    trimmed: false,
    heldAbove: undefined,
    buyPx: 0,
    sellPx: 0,
  };
}

// ---------------------------------------------------------------------------------------
// Decisions

/** What a skip "halted" says of each halt (the flatten key and `hlcopy flatten` halt too). */
const HALT_TEXT: Record<HaltKind, string> = {
  "kill-switch": "kill switch active",
  "daily-loss": "halted by the daily loss limit",
  manual: "halted by your flatten",
};

function decideCoin(
  w: CoinWork,
  params: PlanParameters,
  ratios: LeaderRatio[],
  reductions: Leg[],
  increases: Leg[],
  skipped: SkippedAction[],
): void {
  const { context, settings } = params;
  const coin = w.coin;
  const skip = (reason: ReasonCode, detail: string) => skipped.push({ coin, reason, detail });

  if (w.rule.kind === "unknown") {
    if (w.ourSize !== 0 || w.raw !== 0 || w.holding.length > 0)
      skip("unknown-market", `${w.rule.detail}: not traded`);
    return;
  }
  if (w.rule.kind === "leave") {
    if (w.ourSize !== 0 || w.holding.length > 0) skip(w.rule.reason, w.rule.detail);
    return;
  }

  const O = w.oursLots;
  const T = w.targetLots;
  if (T === O) {
    // Exactly on target: no entry, unless the leader holds something we do not copy.
    if (O !== 0 || w.holding.length === 0) return;
    if (w.rule.kind === "zero") {
      const r = w.rule.reason;
      if (r === "kill-switch" || r === "flatten")
        skip("halted", `${HALT_TEXT[context.haltKind ?? "kill-switch"]}: nothing is opened`);
      else if (r === "negative-edge") skip(r, w.notCopied ?? "the sizing mode does not copy this leader");
      else if (r === "coin-denied" || r === "coin-not-allowed") {
        skip(
          r,
          `${coin} is ${r === "coin-denied" ? "in risk.denyCoins" : "not in risk.allowCoins"}: not copied`,
        );
      }
    } else if (w.raw !== 0 && sizeToLots(w.raw, w.szDecimals) === 0) {
      // (A target that only a cap cut to zero is explained by its cap note.)
      skip(
        "below-min-notional",
        `target ${detailNumber(w.raw)} ${coin} is below one lot (${detailNumber(lotsToSize(1, w.szDecimals))}): nothing to open`,
      );
    }
    return;
  }
  if (context.pendingCoins?.includes(coin)) {
    skip("order-pending", `an order for ${coin} is in flight: wait for its result`);
    return;
  }
  if (context.unknownCoins?.includes(coin)) {
    skip(
      "order-unknown",
      `the outcome of our last order for ${coin} is not known yet, its reply lost: held until it is looked up by cloid and our position read again`,
    );
    return;
  }
  const until = context.backoffUntil?.[coin];
  if (until !== undefined && context.now < until) {
    skip("backoff", `backing off after a rejection: retry in ${Math.ceil((until - context.now) / 1000)}s`);
    return;
  }

  const market = w.market as Market;
  w.buyPx = limitPrice(market, "buy", settings.exec.slippageBps);
  w.sellPx = limitPrice(market, "sell", settings.exec.slippageBps);
  if (w.buyPx === 0 || w.sellPx === 0) {
    skip("unknown-market", `${coin} mid ${detailNumber(w.mid)} rounds to no valid limit price: not traded`);
    return;
  }

  const forced = w.rule.kind === "zero" ? w.rule.reason : null;
  const crossing = O !== 0 && T !== 0 && Math.sign(T) !== Math.sign(O);
  if (crossing) {
    // Flip: close all of ours reduce-only (never blocked), then open the new side as an
    // increase from zero that faces every gate on its own.
    const closeSide: Side = O > 0 ? "sell" : "buy";
    reductions.push(leg(w, closeSide, Math.abs(O), true, "flip", 0, false));
    const blocked = increaseBlock(w, params, ratios, 0, Math.abs(T));
    if (blocked) skip(blocked.reason, `flip: ${blocked.detail}; the close still goes`);
    else increases.push(leg(w, T > 0 ? "buy" : "sell", Math.abs(T), false, "open", 0, true));
    return;
  }

  if (Math.abs(T) < Math.abs(O)) {
    // Reduction toward (or to) zero: no cap, gate, halt or flag blocks it.
    const side: Side = O > 0 ? "sell" : "buy";
    const lots = Math.abs(O) - Math.abs(T);
    const unfollowed = finiteOr0(context.shed?.[coin]) !== 0;
    const reason: ReasonCode = forced ?? (unfollowed ? "leader-unfollowed" : T === 0 ? "close" : "reduce");
    if (T !== 0) {
      const db = deadband(w, lots, T, side, settings);
      if (db) {
        skip(db.reason, db.detail);
        // Held above its target inside the deadband: sent after all if the room it takes under
        // a portfolio cap is what other coins' increases need (see the headroom step).
        if (db.reason === "inside-deadband")
          w.heldAbove = leg(w, side, lots, true, reason, Math.abs(O), false);
        return;
      }
    }
    reductions.push(leg(w, side, lots, true, reason, Math.abs(O), false));
    return;
  }

  // Increase (or open) on the same side.
  const blocked = increaseBlock(w, params, ratios, Math.abs(O), Math.abs(T));
  if (blocked) {
    skip(blocked.reason, blocked.detail);
    return;
  }
  const side: Side = T > 0 ? "buy" : "sell";
  increases.push(
    leg(w, side, Math.abs(T) - Math.abs(O), false, O === 0 ? "open" : "increase", Math.abs(O), false),
  );
}

function leg(
  w: CoinWork,
  side: Side,
  lots: number,
  reduceOnly: boolean,
  reason: ReasonCode,
  fromAbsLots: number,
  flipOpen: boolean,
): Leg {
  return { w, side, lots, reduceOnly, reason, fromAbsLots, flipOpen };
}

/** Why an increase from |from| to |to| lots (same side) is not sent, or null when it goes. */
function increaseBlock(
  w: CoinWork,
  params: PlanParameters,
  ratios: LeaderRatio[],
  fromAbs: number,
  toAbs: number,
): { reason: ReasonCode; detail: string } | null {
  const { context, settings } = params;
  const until = context.increaseBackoffUntil?.[w.coin];
  if (until !== undefined && context.now < until) {
    return {
      reason: "backoff",
      detail: `backing off after a rejected increase: retry in ${Math.ceil((until - context.now) / 1000)}s`,
    };
  }
  const side: Side = w.targetLots > 0 ? "buy" : "sell";
  const lots = toAbs - fromAbs;
  const db = deadband(w, lots, toAbs, side, settings) ?? minOrder(w, lots, side, settings);
  if (db) return db;
  const what = `${side} ${detailNumber(lotsToSize(lots, w.szDecimals))} ${w.coin} (${fmtUsd(lotsToSize(lots, w.szDecimals) * w.mid)})`;
  const hours = entryParams(settings).tradingHours;
  if (!insideTradingHours(hours, context.now)) {
    return {
      reason: "outside-trading-hours",
      detail: `outside exec.tradingHours ${hours} UTC: ${what} waits for the window`,
    };
  }
  if (context.staleLeader) return { reason: "stale-leader", detail: `leader data is stale: ${what} blocked` };
  if (context.dailyLossHit) {
    return {
      reason: "daily-loss",
      detail: context.dailyLossDetail
        ? `${context.dailyLossDetail}: ${what} blocked`
        : `daily loss limit hit: ${what} blocked until 00:00 UTC`,
    };
  }
  if (context.stoppedOut?.includes(w.coin)) {
    return {
      reason: "stopped-out",
      detail: `our stop or take-profit closed ${w.coin}: ${what} skipped until the leader closes or flips it`,
    };
  }
  const leverage = context.leverageNotSet?.[w.coin];
  if (leverage !== undefined) {
    return { reason: "leverage-not-set", detail: `${leverage}: ${what} blocked` };
  }
  const ref = referenceLeader(w.coin, Math.sign(w.targetLots), params.leaders, ratios);
  const refPx = ref
    ? (positive(ref.lastFillPx?.[w.coin]) ?? positive(ref.positions[w.coin]?.entryPx))
    : undefined;
  if (refPx !== undefined) {
    const bps = settings.exec.maxEntryDriftBps;
    const moved = ((w.mid - refPx) / refPx) * 1e4;
    const against = side === "buy" ? w.mid > refPx * (1 + bps / 1e4) : w.mid < refPx * (1 - bps / 1e4);
    if (against) {
      return {
        reason: "entry-drift",
        detail: `mid ${detailNumber(w.mid)} is ${detailNumber(Math.abs(moved))} bps ${side === "buy" ? "above" : "below"} the leader's ${detailNumber(refPx)} (limit ${bps} bps): ${what} skipped`,
      };
    }
  }
  return null;
}

/**
 * The deadband and the $10 minimum for an order of `lots` toward target `target` (lots):
 * skip when order × mid < max($10, deadbandPct% × |target| × mid). The $10 test values the
 * order at the lower of mid and its limit price, as the exchange values it at the limit.
 */
function deadband(
  w: CoinWork,
  lots: number,
  target: number,
  side: Side,
  settings: Settings,
): { reason: ReasonCode; detail: string } | null {
  const size = lotsToSize(lots, w.szDecimals);
  const usd = size * w.mid;
  // The one deadband formula (core/drift.ts, the figure every target carries); at its $10
  // floor the minimum-order test below decides instead.
  const band = deadbandUsd(lotsToSize(target, w.szDecimals), w.mid, settings.exec.deadbandPct);
  if (band > MIN_ORDER_USD && usd < band) {
    const shownBelow = fmtUsdBelow(usd, band);
    return {
      reason: "inside-deadband",
      detail: `drift ${detailNumber(size)} ${w.coin} (${shownBelow.value}) is inside the ${settings.exec.deadbandPct}% deadband (${shownBelow.limit})`,
    };
  }
  const px = Math.min(w.mid, side === "buy" ? w.buyPx : w.sellPx);
  if (size * px < MIN_ORDER_USD) {
    return {
      reason: "below-min-notional",
      detail: `order ${detailNumber(size)} ${w.coin} (${fmtUsdBelow(size * px, MIN_ORDER_USD).value}) is below the $${MIN_ORDER_USD} minimum`,
    };
  }
  return null;
}

/** exec.minOrderUsd (above the exchange's $10): an increase worth less is skipped (fee drag). */
function minOrder(
  w: CoinWork,
  lots: number,
  side: Side,
  settings: Settings,
): { reason: ReasonCode; detail: string } | null {
  const min = entryParams(settings).minOrderUsd;
  if (!(min > MIN_ORDER_USD)) return null;
  const size = lotsToSize(lots, w.szDecimals);
  const usd = size * Math.min(w.mid, side === "buy" ? w.buyPx || w.mid : w.sellPx || w.mid);
  if (usd >= min) return null;
  return {
    reason: "below-min-order",
    detail: `order ${detailNumber(size)} ${w.coin} (${fmtUsdBelow(usd, min).value}) is below exec.minOrderUsd $${detailNumber(min)}`,
  };
}

/**
 * A passive entry resting for this coin: while the target still wants an increase on its side
 * (and no gate closed) the coin waits for it — true, nothing else is planned. Otherwise the plan
 * cancels it first and the coin is decided as usual (a reduction, nothing, the other side).
 */
function restingEntry(
  w: CoinWork,
  params: PlanParameters,
  skipped: SkippedAction[],
  cancels: PlannedCancel[],
): boolean {
  const { context, settings } = params;
  const r = context.restingEntries?.[w.coin];
  if (!r) return false;
  const sign = r.side === "buy" ? 1 : -1;
  const T = w.targetLots;
  const O = w.oursLots;
  const stillWanted =
    w.rule.kind === "copy" &&
    Math.sign(T) === sign &&
    (O === 0 || Math.sign(O) === sign) &&
    Math.abs(T) > Math.abs(O);
  const gate = context.halted
    ? "the kill switch is active"
    : context.dailyLossHit
      ? "the daily loss limit is hit"
      : !insideTradingHours(entryParams(settings).tradingHours, context.now)
        ? `outside exec.tradingHours ${entryParams(settings).tradingHours} UTC`
        : context.stoppedOut?.includes(w.coin)
          ? `our stop closed ${w.coin}`
          : null;
  const what = `${r.side} ${detailNumber(r.size)} ${w.coin} @ ${detailNumber(r.limitPx)}`;
  if (stillWanted && !gate && r.due) {
    // Timed out: cancelled first; the coin waits for that, then its IOC (re-planned on what filled).
    const why = passiveTimedOutText(entryParams(settings).passiveTimeoutMs);
    skipped.push({
      coin: w.coin,
      reason: "passive-resting",
      detail: `passive entry ${what} ${PASSIVE_TIMED_OUT} (${detailNumber(entryParams(settings).passiveTimeoutMs / 1000)} s): cancelled first, then the rest goes as IOC`,
    });
    cancels.push({ coin: w.coin, cloid: r.cloid, reason: "passive-cancel", detail: why });
    return true;
  }
  if (stillWanted && !gate) {
    skipped.push({
      coin: w.coin,
      reason: "passive-resting",
      detail: `passive entry ${what} rests: waiting for its fill or its timeout`,
    });
    return true;
  }
  cancels.push({
    coin: w.coin,
    cloid: r.cloid,
    reason: "passive-cancel",
    detail: `cancel the passive entry ${what}: ${gate ?? "the target no longer wants it"}`,
  });
  return false;
}

/**
 * Cut every increase's growth by `factor` (whole lots, down). A cut order that would now be
 * skipped by the deadband or the $10 minimum (against its cut target) is dropped.
 */
function trimIncreases(
  legs: Leg[],
  factor: number,
  reason: ReasonCode,
  roomOf: (w: CoinWork) => string,
  settings: Settings,
  skipped: SkippedAction[],
): Leg[] {
  const kept: Leg[] = [];
  for (const leg of legs) {
    const w = leg.w;
    const room = roomOf(w);
    const lots = Math.floor(leg.lots * factor);
    const size = lotsToSize(lots, w.szDecimals);
    const wanted = `${leg.side} ${detailNumber(lotsToSize(leg.lots, w.szDecimals))} ${w.coin}`;
    w.trimmed = true;
    if (
      lots === 0 ||
      deadband(w, lots, leg.fromAbsLots + lots, leg.side, settings) ||
      minOrder(w, lots, leg.side, settings)
    ) {
      // Nothing worth sending is left: the coin stays where it is (a flip's close still goes).
      // Its target is still the cap's one factor of the leader's — shown with its drift, never
      // as 0 / $0 — and the copy is not in sync ("cap-no-room": it could not reach the target).
      skipped.push({
        coin: w.coin,
        reason: "cap-no-room",
        detail: `no room under ${room}: ${wanted} not sent (capped: the target is not reached)`,
      });
      continue;
    }
    skipped.push({
      coin: w.coin,
      reason,
      detail: `cut to ${detailNumber(size)} to fit ${room}: ${wanted} wanted`,
    });
    kept.push({ ...leg, lots });
  }
  return kept;
}

function capNote(
  w: CoinWork,
  uncappedLots: number,
  scale: number,
  scaledBy: { reason: ReasonCode; describe: string; limit: string } | null,
): SkippedAction | null {
  const from = `${detailNumber(lotsToSize(uncappedLots, w.szDecimals))} ${w.coin}`;
  const to = detailNumber(lotsToSize(w.targetLots, w.szDecimals));
  if (w.clippedBy?.reason) {
    const extra = scale < 1 && scaledBy ? `, then ×${detailNumber(scale)} for ${scaledBy.describe}` : "";
    return {
      coin: w.coin,
      reason: w.clippedBy.reason,
      detail: `target ${from} → ${to}: ${w.clippedBy.describe} (${fmtUsd(w.clippedBy.limit)})${extra}`,
    };
  }
  if (scale < 1 && scaledBy) {
    return {
      coin: w.coin,
      reason: scaledBy.reason,
      detail: `target ${from} → ${to}: every target ×${detailNumber(scale)} for ${scaledBy.describe} (${scaledBy.limit})`,
    };
  }
  return null;
}

// ---------------------------------------------------------------------------------------
// Actions

function toAction(leg: Leg, params: PlanParameters, ratios: LeaderRatio[]): PlannedAction {
  const { w } = leg;
  const size = lotsToSize(leg.lots, w.szDecimals);
  let limitPx = leg.side === "buy" ? w.buyPx : w.sellPx;
  const wanted = leg.reduceOnly ? 0 : leg.side === "buy" ? 1 : -1;
  const ref = referenceLeader(w.coin, wanted, params.leaders, ratios);
  const refPx = positive(ref?.lastFillPx?.[w.coin]) ?? w.mid;
  // exec.entry passive: an increase rests as a post-only limit at the leader's price (or
  // better), unless its coin's last passive entry timed out, or no such price is worth $10.
  let passive = false;
  if (
    !leg.reduceOnly &&
    w.market &&
    entryParams(params.settings).passive &&
    !params.context.takerCoins?.includes(w.coin)
  ) {
    const leaderPx = positive(ref?.lastFillPx?.[w.coin]) ?? positive(ref?.positions[w.coin]?.entryPx);
    const px = leaderPx === undefined ? null : passiveLimitPrice(w.market, leg.side, leaderPx);
    if (px !== null && size * px >= MIN_ORDER_USD) {
      passive = true;
      limitPx = px;
    }
  }
  const seed = passive ? `${params.context.cloidSeed}|passive` : params.context.cloidSeed;
  const action: PlannedAction = {
    coin: w.coin,
    side: leg.side,
    size,
    limitPx,
    reduceOnly: leg.reduceOnly,
    cloid: NO_CLOID,
    reason: leg.reason,
    refPx,
    ...(passive ? { passive: true as const } : {}),
  };
  // Computed when first read (the order is sent, shown or journaled), never for a plan only looked at.
  return lazyCloid(action, () =>
    makeCloid(
      {
        coin: action.coin,
        side: action.side,
        size: sizeToWire(size, w.szDecimals),
        reduceOnly: action.reduceOnly,
        reason: action.reason,
      },
      seed,
    ),
  );
}

/** Placeholder a lazy cloid replaces at once (keeps the field's place among the keys). */
const NO_CLOID = "0x" as `0x${string}`;

/**
 * The leader whose price a trade in `coin` is measured against: the largest contributor on
 * the side we trade toward (`sign` ±1), or for reductions (`sign` 0) the largest
 * contributor with a recorded fill price in the coin.
 */
function referenceLeader(
  coin: string,
  sign: number,
  leaders: LeaderState[],
  ratios: LeaderRatio[],
): LeaderState | undefined {
  let best: LeaderState | undefined;
  let bestScore = -1;
  for (let i = 0; i < leaders.length; i++) {
    const l = leaders[i] as LeaderState;
    const size = finiteOr0(l.positions[coin]?.size);
    const hasFill = positive(l.lastFillPx?.[coin]) !== undefined;
    if (l.unfollowed || (sign !== 0 ? Math.sign(size) !== sign : !hasFill)) continue;
    const score = Math.abs(size) * ((ratios[i] as LeaderRatio).ratio || l.weight || 0);
    if (score > bestScore) {
      best = l;
      bestScore = score;
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------

/** The leaders with each position replaced by the size held for the copy delay (0: none). */
function heldView(
  leaders: readonly LeaderState[],
  held: Readonly<Record<string, Record<string, number>>>,
): LeaderState[] {
  return leaders.map((l) => {
    const mine = held[l.address];
    if (!mine) return l;
    const positions: LeaderState["positions"] = {};
    for (const [coin, p] of Object.entries(l.positions)) {
      const size = mine[coin] ?? p.size;
      if (size !== 0) positions[coin] = { ...p, size };
    }
    return { ...l, positions };
  });
}

function positive(x: number | undefined): number | undefined {
  return x !== undefined && x > 0 && Number.isFinite(x) ? x : undefined;
}
function finiteOr0(x: number | undefined): number {
  return x !== undefined && Number.isFinite(x) ? x : 0;
}
function nonZero(x: number | undefined): boolean {
  return finiteOr0(x) !== 0;
}

/**
 * A target `raw` whose growth on its side may come only from `free` (the ungated leaders' part
 * for the leader breakers; the leaders' sizes held for the copy delay): a reduction (or an
 * equal target) is kept; an increase over what we hold on that side is cut to what `free` asks
 * for, never below what we hold. A flip closes ours and opens only `free`'s part.
 * The result is 0 or on raw's side, with min(|ours on that side|, |raw|) ≤ |result| ≤ |raw|.
 */
export function limitGrowth(raw: number, free: number, ours: number): number {
  if (raw === 0) return 0;
  const dir = Math.sign(raw);
  const base = Math.sign(ours) === dir ? Math.abs(ours) : 0;
  if (Math.abs(raw) <= base) return raw;
  const allowed = Math.sign(free) === dir ? Math.abs(free) : 0;
  return dir * Math.max(base, Math.min(Math.abs(raw), allowed));
}

/**
 * risk.maxPositions: the coins we hold (whatever their rule) use places first; new coins
 * (none held, a target of at least a lot) take the rest by target notional, largest first,
 * then by name; the others are left at zero with "max-positions". Never touches a held coin,
 * so a reduction or close is never blocked.
 */
function limitPositions(work: Map<string, CoinWork>, settings: Settings): void {
  const max = settings.risk.maxPositions;
  if (max == null) return;
  let held = 0;
  const fresh: CoinWork[] = [];
  for (const w of work.values()) {
    if (w.oursLots !== 0) held++;
    else if (w.rule.kind === "copy" && w.market && sizeToLots(w.raw, w.szDecimals) !== 0) fresh.push(w);
  }
  fresh.sort((a, b) => Math.abs(b.raw) * b.mid - Math.abs(a.raw) * a.mid || (a.coin < b.coin ? -1 : 1));
  let room = Math.max(0, max - held);
  for (const w of fresh) {
    if (room > 0) {
      room--;
      continue;
    }
    w.rule = {
      kind: "leave",
      reason: "max-positions",
      detail: `${held} coin(s) held and risk.maxPositions is ${max}: ${w.coin} not opened`,
    };
  }
}
