// The friction model of a replay: taker fee, a linear order book (half spread plus depth per
// basis point) that makes bigger orders pay more slippage, and the copy delay. Pure.

import type { Side } from "../core/types.js";

export interface BookModel {
  /** Distance from mid to the best bid/ask, in bps. */
  halfSpreadBps: number;
  /** USD resting per bp of price, on each side (null = unlimited: no impact). */
  depthUsdPerBps: number | null;
}

export interface FrictionModel {
  /** Taker fee as a fraction of notional (0.00045 = 0.045%, the base tier). */
  takerFee: number;
  /** Maker fee (a passive entry's fill): DEFAULT_MAKER_FEE when absent. */
  makerFee?: number;
  book: BookModel;
  /** Per-coin books (thin alts, deep majors); missing fields fall back to `book`. */
  perCoin?: Record<string, Partial<BookModel>>;
  /** Time from a leader fill to our order reaching the book (ms). */
  delayMs: number;
}

/** The base tier's maker fee (0.015 %): what a resting passive entry pays when it fills. */
export const DEFAULT_MAKER_FEE = 0.00015;

/** Base-tier taker fee, a 1 bp half spread, $50k per bp of depth, 500 ms delay. */
export const DEFAULT_FRICTION: FrictionModel = {
  takerFee: 0.00045,
  book: { halfSpreadBps: 1, depthUsdPerBps: 50_000 },
  delayMs: 500,
};

/** No fees, no spread, infinite depth, no delay: a replay that should track the leader exactly. */
export const ZERO_FRICTION: FrictionModel = {
  takerFee: 0,
  book: { halfSpreadBps: 0, depthUsdPerBps: null },
  delayMs: 0,
};

export function bookFor(model: FrictionModel, coin: string): BookModel {
  const c = model.perCoin?.[coin];
  return c ? { ...model.book, ...c } : model.book;
}

/** Average slippage (bps from mid) of a market order of `notional` USD against the book. */
export function expectedSlippageBps(model: FrictionModel, coin: string, notional: number): number {
  const b = bookFor(model, coin);
  const impact = b.depthUsdPerBps === null ? 0 : notional / (2 * b.depthUsdPerBps);
  return b.halfSpreadBps + impact;
}

export interface BookFill {
  /** Filled size (≤ the order's size; less when the IOC limit stops the walk). */
  size: number;
  /** Average fill price (0 when nothing filled). */
  avgPx: number;
}

/**
 * Fill an IOC order of `size` at `limitPx` against a linear book around `mid`: level prices
 * move away from mid by halfSpread + (notional so far / depth) bps, and the walk stops at
 * the limit. The unfilled rest is left (the next plan re-plans it).
 */
export function fillAgainstBook(
  model: FrictionModel,
  coin: string,
  side: Side,
  size: number,
  mid: number,
  limitPx: number,
): BookFill {
  const b = bookFor(model, coin);
  const dir = side === "buy" ? 1 : -1;
  const limitBps = ((limitPx - mid) / mid) * 1e4 * dir;
  if (limitBps < b.halfSpreadBps - 1e-9) return { size: 0, avgPx: 0 };
  const notional = size * mid;
  const depth = b.depthUsdPerBps;
  const filledNotional = depth === null ? notional : Math.min(notional, (limitBps - b.halfSpreadBps) * depth);
  if (!(filledNotional > 0)) return { size: 0, avgPx: 0 };
  const filled = filledNotional >= notional ? size : size * (filledNotional / notional);
  const slip = b.halfSpreadBps + (depth === null ? 0 : filledNotional / (2 * depth));
  return { size: filled, avgPx: mid * (1 + (dir * slip) / 1e4) };
}
