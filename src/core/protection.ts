// Resting protection: the reduce-only trigger orders (stop-market, take-profit) hlcopy keeps
// on the exchange for every position it holds, so a stop still works when hlcopy does not run.
// Exits are targets too: `desiredProtection` is the target (pure, from our positions, the
// settings and the best price since entry), `diffProtection` the orders that bring the
// exchange's resting triggers to it. No I/O, no clock: the engine reads, journals and sends.
//
// Decisions where the rules are silent:
// * One stop and at most one take-profit per coin. With both a fixed stop (stopLossPct) and a
//   trailing stop, the tighter of the two rests (one order, one request per change).
// * Each trigger covers the whole position (|size|): the exchange clips a reduce-only order
//   to the position when it fires, and cancels it when the position is gone or flipped.
// * Take-profit tiers (takeProfitTiers, instead of takeProfitPct): one trigger per tier not yet
//   fired for this position, each at its pct from the entry. The tiers left share the current
//   position in their proportions (fraction / what is left of 1), rounded down to whole lots;
//   when the fractions sum to 1 the farthest tier takes the rest, so the last one closes it
//   all. A tier that fired stays fired until the position closes or flips (tiersFired), so a
//   smaller position never gets the fired tier again. A tier under one lot is not placed.
// * Stops are market triggers bounded at 10 % slippage from the trigger price (as the
//   exchange's own UI sends them); take-profits too, so a fast market still closes.
// * A trailing stop moves only when it would move by at least trailingStepPct % of its
//   price (tighter, never looser): at most one request per step, never one per tick.
// * Requests happen only when a trigger must change: a position that opens, grows, shrinks,
//   flips or closes, an entry price that moves, a trailing step. Equal orders are kept.

import { lazyCloid, makeCloid } from "./cloid.js";
import { limitPrice } from "./planner.js";
import { lotsToSize, positionToLots, roundPriceToTick, sizeToWire } from "./rounding.js";
import type { Settings } from "./settings.js";
import type { Markets, Plan, PlannedAction, Positions, Side } from "./types.js";

export type ProtectionKind = "stop-loss" | "take-profit";

/** Slippage bound of a triggered market order, as the exchange's UI sends it. */
export const TRIGGER_SLIPPAGE = 0.1;

/** The best mark since a position was opened (for the trailing stop). */
export interface BestPrice {
  /** +1 long, −1 short: a flip starts a new record. */
  dir: 1 | -1;
  best: number;
}
export type BestPrices = Record<string, BestPrice>;

/** Take-profit tiers that fired for a coin's current position (by index into takeProfitTiers). */
export interface TiersFiredFor {
  /** +1 long, −1 short: the position the tiers fired on. */
  dir: 1 | -1;
  fired: number[];
}
export type TiersFired = Record<string, TiersFiredFor>;

/** One trigger order as it should rest on the exchange. */
export interface DesiredTrigger {
  coin: string;
  kind: ProtectionKind;
  /** The closing side: sell for a long, buy for a short. */
  side: Side;
  /** |position|, in coin units. */
  size: number;
  triggerPx: number;
  /** Limit once triggered: the slippage bound of the market order. */
  limitPx: number;
  /** Trailing stop (moved in steps), rather than a fixed one. */
  trailing: boolean;
  /** Take-profit tiers: the tier's index in risk.takeProfitTiers (absent for a single take-profit). */
  tier?: number;
}

/** One of our trigger orders resting on the exchange (its cloid is in our journal). */
export interface RestingTrigger {
  coin: string;
  kind: ProtectionKind;
  oid: number;
  cloid: string;
  side: Side;
  size: number;
  triggerPx: number;
  /** The take-profit tier it rests for (absent for a stop or a single take-profit). */
  tier?: number;
}

export interface ProtectionDiff {
  place: DesiredTrigger[];
  /** Replace a resting order by a new one (one `batchModify`: new order, new cloid). */
  modify: { from: RestingTrigger; to: DesiredTrigger }[];
  /** No position (or a duplicate): cancel. */
  cancel: RestingTrigger[];
  keep: RestingTrigger[];
}

/** True when any resting protection setting is on. */
export function protectionOn(settings: Settings): boolean {
  const r = settings.risk;
  return (
    r.stopLossPct != null ||
    r.takeProfitPct != null ||
    r.trailingStopPct != null ||
    (r.takeProfitTiers?.length ?? 0) > 0
  );
}

/**
 * Keep the fired tiers of positions still open on the same side; a closed or flipped position
 * starts with every tier again. Returns a new object; never throws.
 */
export function updateTiersFired(prev: TiersFired, positions: Positions): TiersFired {
  const out: TiersFired = {};
  for (const [coin, f] of Object.entries(prev)) {
    const size = positions[coin]?.size ?? 0;
    if (size !== 0 && Math.sign(size) === f.dir && f.fired.length > 0) out[coin] = f;
  }
  return out;
}

/** Mark tier `tier` of the `dir` position in `coin` fired. Returns a new object. */
export function markTierFired(prev: TiersFired, coin: string, dir: 1 | -1, tier: number): TiersFired {
  const old = prev[coin];
  const fired = old && old.dir === dir ? old.fired : [];
  if (fired.includes(tier)) return prev;
  return { ...prev, [coin]: { dir, fired: [...fired, tier].sort((a, b) => a - b) } };
}

/**
 * The best price since entry per coin, updated with the marks seen: a new position (or a
 * flip) starts from its entry price; a closed one drops out. Returns a new object; never throws.
 */
export function updateBestPrices(
  prev: BestPrices,
  positions: Positions,
  marks: Record<string, number>,
): BestPrices {
  const out: BestPrices = {};
  for (const p of Object.values(positions)) {
    if (p.size === 0) continue;
    const dir: 1 | -1 = p.size > 0 ? 1 : -1;
    const old = prev[p.coin];
    let best = old && old.dir === dir ? old.best : p.entryPx;
    const mark = marks[p.coin];
    if (mark !== undefined && Number.isFinite(mark) && mark > 0) {
      best = dir > 0 ? Math.max(best, mark) : Math.min(best, mark);
    }
    out[p.coin] = { dir, best };
  }
  return out;
}

export interface DesiredProtectionParameters {
  positions: Positions;
  markets: Markets;
  settings: Settings;
  best: BestPrices;
  /** Take-profit tiers that already fired per coin (none by default). */
  tiersFired?: TiersFired;
}

/** The trigger orders every position should have resting (none when protection is off). */
export function desiredProtection(p: DesiredProtectionParameters): DesiredTrigger[] {
  const r = p.settings.risk;
  const out: DesiredTrigger[] = [];
  const coins = Object.keys(p.positions).sort();
  for (const coin of coins) {
    const pos = p.positions[coin];
    const market = p.markets[coin];
    if (!pos || !market || pos.size === 0 || !(pos.entryPx > 0)) continue;
    const dir = pos.size > 0 ? 1 : -1;
    const side: Side = dir > 0 ? "sell" : "buy";
    const size = Math.abs(pos.size);
    const d = market.szDecimals;
    const trigger = (
      kind: ProtectionKind,
      px: number,
      trailing: boolean,
      sz = size,
      tier?: number,
    ): DesiredTrigger | null => {
      // A stop rounds toward the position (never looser), a take-profit away from the entry
      // (never through it, even on a coarse tick): for a long both round up, for a short down.
      const triggerPx = roundPriceToTick(px, d, dir > 0 ? "up" : "down");
      if (!(triggerPx > 0)) return null;
      const bound = side === "sell" ? triggerPx * (1 - TRIGGER_SLIPPAGE) : triggerPx * (1 + TRIGGER_SLIPPAGE);
      const limitPx = roundPriceToTick(bound, d, side === "sell" ? "up" : "down");
      if (!(limitPx > 0)) return null;
      return {
        coin,
        kind,
        side,
        size: sz,
        triggerPx,
        limitPx,
        trailing,
        ...(tier === undefined ? {} : { tier }),
      };
    };
    // The stop: the tighter of the fixed stop and the trailing stop.
    let stop: { px: number; trailing: boolean } | null = null;
    if (r.stopLossPct != null)
      stop = { px: pos.entryPx * (1 - (dir * r.stopLossPct) / 100), trailing: false };
    if (r.trailingStopPct != null) {
      const b = p.best[coin];
      const from = b && b.dir === dir ? b.best : pos.entryPx;
      const px = from * (1 - (dir * r.trailingStopPct) / 100);
      if (!stop || (dir > 0 ? px > stop.px : px < stop.px)) stop = { px, trailing: true };
    }
    if (stop) {
      const t = trigger("stop-loss", stop.px, stop.trailing);
      if (t) out.push(t);
    }
    const tiers = r.takeProfitTiers ?? [];
    if (tiers.length > 0) {
      for (const s of tierSizes(tiers, positionToLots(size, d), p.tiersFired?.[coin], dir)) {
        const tier = tiers[s.tier];
        if (!tier) continue;
        const px = pos.entryPx * (1 + (dir * tier.pct) / 100);
        const t = trigger("take-profit", px, false, lotsToSize(s.lots, d), s.tier);
        if (t) out.push(t);
      }
    } else if (r.takeProfitPct != null) {
      const t = trigger("take-profit", pos.entryPx * (1 + (dir * r.takeProfitPct) / 100), false);
      if (t) out.push(t);
    }
  }
  return out;
}

/**
 * Lots per take-profit tier not yet fired for a position of `lots` lots: the tiers left share
 * it in their proportions (fraction / the part of 1 not fired), rounded down; when every
 * fraction together makes 1 the farthest tier left takes the remainder, so the tiers close
 * the whole position. Never more than `lots` in total; a tier of 0 lots is left out.
 */
export function tierSizes(
  tiers: readonly { pct: number; fraction: number }[],
  lots: number,
  fired: TiersFiredFor | undefined,
  dir: 1 | -1,
): { tier: number; lots: number }[] {
  const done = new Set(fired && fired.dir === dir ? fired.fired : []);
  const left = tiers.map((_, i) => i).filter((i) => !done.has(i));
  if (left.length === 0 || lots <= 0) return [];
  const total = tiers.reduce((acc, t) => acc + t.fraction, 0);
  const closesAll = total >= 1 - 1e-9;
  const remaining = left.reduce((acc, i) => acc + (tiers[i]?.fraction ?? 0), 0) + (closesAll ? 0 : 1 - total);
  const out: { tier: number; lots: number }[] = [];
  let used = 0;
  left.forEach((i, k) => {
    const fraction = tiers[i]?.fraction ?? 0;
    const last = k === left.length - 1;
    let n =
      last && closesAll ? lots - used : Math.floor((lots * fraction) / Math.max(remaining, 1e-12) + 1e-9);
    n = Math.min(n, lots - used);
    if (n <= 0) return;
    used += n;
    out.push({ tier: i, lots: n });
  });
  return out;
}

/**
 * What to send so that the resting triggers become the desired ones: keep equal orders
 * (and a trailing stop whose move would be under one step, or looser), replace changed ones,
 * place missing ones, cancel those without a position and duplicates.
 */
export function diffProtection(
  desired: readonly DesiredTrigger[],
  resting: readonly RestingTrigger[],
  markets: Markets,
  settings: Settings,
): ProtectionDiff {
  const diff: ProtectionDiff = { place: [], modify: [], cancel: [], keep: [] };
  const byKey = new Map<string, RestingTrigger[]>();
  for (const r of [...resting].sort((a, b) => a.oid - b.oid)) {
    const key = `${r.coin}|${r.kind}|${r.tier ?? ""}`;
    const list = byKey.get(key);
    if (list) list.push(r);
    else byKey.set(key, [r]);
  }
  for (const want of desired) {
    const key = `${want.coin}|${want.kind}|${want.tier ?? ""}`;
    const list = byKey.get(key) ?? [];
    byKey.delete(key);
    const d = markets[want.coin]?.szDecimals ?? 8;
    // The one that already matches is kept; the others are duplicates.
    const same = list.find((r) => matches(r, want, d, settings));
    const from = same ?? list[0];
    for (const r of list) if (r !== from) diff.cancel.push(r);
    if (!from) diff.place.push(want);
    else if (same) diff.keep.push(same);
    else diff.modify.push({ from, to: want });
  }
  for (const list of byKey.values()) diff.cancel.push(...list);
  return diff;
}

function matches(r: RestingTrigger, want: DesiredTrigger, szDecimals: number, settings: Settings): boolean {
  if (r.side !== want.side) return false;
  if (sizeToWire(r.size, szDecimals) !== sizeToWire(want.size, szDecimals)) return false;
  if (samePx(r.triggerPx, want.triggerPx)) return true;
  if (!want.trailing) return false;
  // A trailing stop: keep it while the move is under one step, or would loosen it.
  const tighter = want.side === "sell" ? want.triggerPx > r.triggerPx : want.triggerPx < r.triggerPx;
  if (!tighter) return true;
  return Math.abs(want.triggerPx - r.triggerPx) < (settings.risk.trailingStepPct / 100) * r.triggerPx;
}

function samePx(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

/**
 * A desired trigger as an order action with its deterministic cloid (the exactly-once key;
 * the seed makes it unique per attempt, like every order's).
 */
export function triggerAction(t: DesiredTrigger, szDecimals: number, seed: string): PlannedAction {
  const size = sizeToWire(t.size, szDecimals);
  return lazyCloid(
    {
      coin: t.coin,
      side: t.side,
      size: Number(size),
      limitPx: t.limitPx,
      reduceOnly: true,
      cloid: "0x",
      reason: t.kind,
      // Not a copy of a leader's trade: its fill is not counted in the copy's slippage.
      refPx: Number.NaN,
      trigger: { triggerPx: t.triggerPx, tpsl: t.kind === "stop-loss" ? "sl" : "tp", isMarket: true },
    },
    () =>
      makeCloid(
        { coin: t.coin, side: t.side, size, reduceOnly: true, reason: t.kind },
        `${seed}|${t.triggerPx}${t.tier === undefined ? "" : `|t${t.tier}`}`,
      ),
  );
}

/**
 * The triggers an earlier run placed that a run with no protection settings cancels, as every
 * line that tells of them names them (the dry run's preview, the live run's review and its
 * notice, the journal): "6 resting stop/take-profit orders an earlier run placed (BTC, SOL)".
 */
export function leftoverTriggersText(n: number, coins: readonly string[]): string {
  const on = coins.length > 0 ? ` (${[...new Set(coins)].sort().join(", ")})` : "";
  return `${n} resting stop/take-profit order${n === 1 ? "" : "s"} an earlier run placed${on}`;
}

/**
 * Whether a reduce-only trigger on `side` closes something of a position of signed `size` (a
 * sell closes a long, a buy a short). One that does not — its position is flat or flipped —
 * is cancelled by the exchange itself.
 */
export function triggerCloses(side: Side, size: number): boolean {
  return size !== 0 && (side === "sell") === size > 0;
}

/**
 * Our signed size per coin once `actions` (a plan's IOC orders) fill in full: what a run's
 * resting triggers will face after its orders. A resting order (a passive entry, a trigger)
 * moves nothing until it fills, so it is left out.
 */
export function sizesAfter(positions: Positions, actions: readonly PlannedAction[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [coin, p] of Object.entries(positions)) out[coin] = p.size;
  for (const a of actions) {
    if (a.passive || a.trigger) continue;
    const next = (out[a.coin] ?? 0) + (a.side === "buy" ? a.size : -a.size);
    // Sizes are whole lots (at most 8 decimals): no float residue makes a closed coin look open.
    out[a.coin] = Number(next.toFixed(8));
  }
  return out;
}

/** The kind of a trigger from its reason code (journal rows), or null for any other order. */
export function protectionKind(reason: string): ProtectionKind | null {
  return reason === "stop-loss" || reason === "take-profit" ? reason : null;
}

/**
 * Coins our own stop or take-profit closed: no re-entry while the leaders keep the position
 * they had then. A coin leaves the list once the leaders' combined size changed sign (a
 * close, or a flip): the next open is a new trade. Pure.
 */
export function keepStoppedOut(
  stopped: Record<string, number>,
  leaderSizes: Record<string, number>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [coin, sign] of Object.entries(stopped)) {
    if (Math.sign(leaderSizes[coin] ?? 0) === sign && sign !== 0) out[coin] = sign;
  }
  return out;
}

/**
 * `follow --on-exit flatten`: a reduce-only marketable IOC close of every position (reason
 * "close"), priced like the planner's orders. Pure.
 */
export function flattenActions(p: {
  positions: Positions;
  markets: Markets;
  slippageBps: number;
  seed: string;
}): PlannedAction[] {
  const out: PlannedAction[] = [];
  for (const coin of Object.keys(p.positions).sort()) {
    const pos = p.positions[coin];
    const market = p.markets[coin];
    if (!pos || !market || pos.size === 0) continue;
    const side: Side = pos.size > 0 ? "sell" : "buy";
    const size = sizeToWire(Math.abs(pos.size), market.szDecimals);
    if (Number(size) <= 0) continue;
    out.push({
      coin,
      side,
      size: Number(size),
      limitPx: limitPrice(market, side, p.slippageBps),
      reduceOnly: true,
      cloid: makeCloid({ coin, side, size, reduceOnly: true, reason: "close" }, p.seed),
      reason: "close",
      refPx: market.mid,
    });
  }
  return out;
}

/** A plan with nothing in it (the shape the engine's executor path takes). */
export function emptyPlan(): Plan {
  return { actions: [], skipped: [], targets: [], effectiveRatio: 0, portfolioScale: 1, inSync: true };
}
