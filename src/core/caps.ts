// The follower's risk caps as plain arithmetic. Every notional here is |size| × mid: caps
// bound the value of our positions as the exchange marks them, not the price a fill got.
// A per-coin cap clips only its coin; a portfolio cap scales every target by one factor so
// the copy keeps the leader's proportions. The margin cap is the exchange's own: Σ notional ÷
// each coin's exchange leverage may not pass the account value (cross margin) — increases that
// would take it there are cut, as the portfolio cap's headroom cuts them.

import { detailNumber } from "./format.js";
import { exchangeLeverage } from "./leverage.js";
import type { Settings } from "./settings.js";
import type { Market, Position } from "./types.js";

export type CoinCapReason = "notional-cap" | "leverage-cap";
export type PortfolioCapReason = "total-notional-cap" | "leverage-cap";

export interface CoinLimit {
  /** Largest |size| × mid allowed for this coin (Infinity = no limit). */
  limit: number;
  /** The cap that sets `limit`, null when there is none. */
  reason: CoinCapReason | null;
  /** One-line description of the binding cap. */
  describe: string;
}

/**
 * The per-coin notional limit: the smaller of `risk.maxNotionalPerCoin` and the market's
 * `maxLeverage` × our account value (ties go to the user's own notional cap).
 */
export function coinLimit(market: Market, accountValue: number, settings: Settings): CoinLimit {
  const equity = Math.max(0, accountValue);
  const byLeverage = market.maxLeverage > 0 ? market.maxLeverage * equity : Number.POSITIVE_INFINITY;
  const byUsd = settings.risk.maxNotionalPerCoin ?? Number.POSITIVE_INFINITY;
  const pct = settings.risk.maxCoinPctOfEquity;
  const byPct = pct != null ? (pct / 100) * equity : Number.POSITIVE_INFINITY;
  const byNotional = Math.min(byUsd, byPct);
  if (byNotional <= byLeverage && Number.isFinite(byNotional)) {
    return {
      limit: byNotional,
      reason: "notional-cap",
      describe:
        byPct < byUsd
          ? `risk.maxCoinPctOfEquity (${detailNumber(pct ?? 0)}% of equity)`
          : "risk.maxNotionalPerCoin",
    };
  }
  if (Number.isFinite(byLeverage)) {
    return {
      limit: byLeverage,
      reason: "leverage-cap",
      describe: `${market.coin} max leverage ${detailNumber(market.maxLeverage)}× our equity`,
    };
  }
  return { limit: Number.POSITIVE_INFINITY, reason: null, describe: "none" };
}

/** Clip a signed size so |size| × mid ≤ limit; the sign is kept, a smaller size is untouched. */
export function clipToNotional(size: number, mid: number, limit: number): number {
  if (!(mid > 0) || Math.abs(size) * mid <= limit) return size;
  return (Math.sign(size) * Math.max(0, limit)) / mid;
}

export interface PortfolioLimit {
  /** Largest gross notional Σ |size| × mid allowed (Infinity = no limit). */
  limit: number;
  reason: PortfolioCapReason | null;
  describe: string;
}

/**
 * The portfolio-wide limit on gross notional: the smaller of `risk.maxTotalNotional` and
 * `risk.maxLeverage` × our account value (ties go to the total-notional cap).
 */
export function portfolioLimit(accountValue: number, settings: Settings): PortfolioLimit {
  const equity = Math.max(0, accountValue);
  const byLeverage = settings.risk.maxLeverage * equity;
  const byNotional = settings.risk.maxTotalNotional ?? Number.POSITIVE_INFINITY;
  if (byNotional <= byLeverage && Number.isFinite(byNotional)) {
    return { limit: byNotional, reason: "total-notional-cap", describe: "risk.maxTotalNotional" };
  }
  if (Number.isFinite(byLeverage)) {
    return {
      limit: byLeverage,
      reason: "leverage-cap",
      describe: `risk.maxLeverage ${detailNumber(settings.risk.maxLeverage)}× equity`,
    };
  }
  return { limit: Number.POSITIVE_INFINITY, reason: null, describe: "none" };
}

/**
 * The one factor in [0, 1] that fits `fixed + factor × scalable` under `limit`: 1 when it
 * already fits, 0 when the fixed part alone fills (or exceeds) the limit. Used both for the
 * target scale (scalable = copied targets, fixed = positions we leave alone) and for the
 * growth headroom of increases (scalable = growth, fixed = everything else after the plan).
 */
export function fitFactor(scalable: number, fixed: number, limit: number): number {
  if (!(scalable > 0) || fixed + scalable <= limit) return 1;
  return Math.min(1, Math.max(0, (limit - fixed) / scalable));
}

/**
 * The exchange's taker fee on its base tier (bps of notional): what an IOC fill pays. The
 * margin cap keeps room for it; the paper account pays it (engine/executor.ts).
 */
export const TAKER_FEE_BPS = 4.5;

/**
 * The leverage the exchange margins a coin at when this plan does not increase it, as the margin
 * cap counts it: the setting hlcopy gives the coin (core/leverage.ts exchangeLeverage, the one
 * the engine sends before an increase — what an increased coin is counted at), or the lower
 * leverage an open position is known to carry (set before, by another config or by hand) — the
 * more margin of the two, so the cap never counts on margin the exchange does not give.
 */
export function marginLeverage(settings: Settings, market: Market, position: Position | undefined): number {
  const set = exchangeLeverage(settings, market).leverage;
  const held = position?.leverage;
  return held !== undefined && Number.isFinite(held) && held >= 1 && held < set ? held : set;
}

/**
 * The initial margin one increase of `size` needs from the account, as the exchange checks it
 * and then charges it: size × max(limit price, mid) ÷ leverage (the exchange values the order at
 * its limit), the taker fee on that notional, and the limit price's distance from the mid (a
 * fill there is marked at once at the mid: that much of the account value is gone).
 */
export function increaseMargin(size: number, limitPx: number, mid: number, leverage: number): number {
  const px = Math.max(limitPx, mid);
  return size * (px / leverage + (px * TAKER_FEE_BPS) / 1e4 + Math.abs(limitPx - mid));
}

/**
 * The initial margin a target of one unit needs when every lot of it is still to be bought at a
 * marketable limit (the most it can need: increaseMargin at the farthest limit price
 * `slippageBps` gives from the touch). Targets sized with it leave every later increase toward
 * them room for its fee and slippage.
 */
export function targetMarginPerUnit(market: Market, leverage: number, slippageBps: number): number {
  const mid = market.mid;
  const ask = market.bestAsk !== undefined && market.bestAsk > 0 ? market.bestAsk : mid;
  const bid = market.bestBid !== undefined && market.bestBid > 0 ? market.bestBid : mid;
  const away = Math.max(ask - mid, mid - bid, 0) + (Math.max(ask, mid) * slippageBps) / 1e4;
  return increaseMargin(1, mid + away, mid, leverage);
}
