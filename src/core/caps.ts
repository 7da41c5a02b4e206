// The follower's risk caps as plain arithmetic. Every notional here is |size| × mid: caps
// bound the value of our positions as the exchange marks them, not the price a fill got.
// A per-coin cap clips only its coin; a portfolio cap scales every target by one factor so
// the copy keeps the leader's proportions.

import { detailNumber } from "./format.js";
import type { Settings } from "./settings.js";
import type { Market } from "./types.js";

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
