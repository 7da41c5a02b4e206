// Wire formatting: our numbers → the exchange's decimal strings, and planned actions → order
// wires. Signed bytes depend on the exact strings, so trailing zeros are always stripped.
// TODO(rounding): `sizeToWire`/`priceToWire` move to src/core/rounding.ts when the planner
// lands; these local copies only strip float dust (the planner already rounds to lot/tick).

import { UsageError } from "../core/errors.js";
import type { Market, PlannedAction } from "../core/types.js";

/** One order as the `order` action carries it (keys in signing order: a, b, p, s, r, t, c). */
export interface OrderWire {
  a: number;
  b: boolean;
  p: string;
  s: string;
  r: boolean;
  t: { limit: { tif: "Ioc" } };
  c: `0x${string}`;
}

const CLOID = /^0x[0-9a-fA-F]{32}$/;
/** A float within this many lots of a lot multiple is that multiple (float dust, not intent). */
const DUST = 1e-6;

/** "1.500" → "1.5", "2.000" → "2", "100" → "100". */
export function stripZeros(s: string): string {
  return s.includes(".") ? s.replace(/\.?0+$/, "") : s;
}

/**
 * Size in coin units → wire string with at most `szDecimals` decimals. Float dust snaps to the
 * nearest lot; anything else rounds toward zero (never grows an order).
 * @throws {UsageError} when the size is not a positive finite number or rounds to zero.
 */
export function sizeToWire(size: number, szDecimals: number): string {
  if (!Number.isFinite(size) || size <= 0) throw new UsageError(`invalid order size ${size}`);
  const scale = 10 ** szDecimals;
  const lots = size * scale;
  const nearest = Math.round(lots);
  const whole = Math.abs(lots - nearest) < DUST ? nearest : Math.floor(lots);
  if (whole <= 0) throw new UsageError(`order size ${size} is below one lot (${szDecimals} decimals)`);
  return stripZeros((whole / scale).toFixed(szDecimals));
}

/**
 * Price → wire string: at most 5 significant figures and at most `6 − szDecimals` decimals
 * (perps); integers are always valid. Rounds to the nearest valid price.
 * @throws {UsageError} when the price is not a positive finite number or rounds to zero.
 */
export function priceToWire(px: number, szDecimals: number): string {
  if (!Number.isFinite(px) || px <= 0) throw new UsageError(`invalid order price ${px}`);
  const maxDecimals = Math.max(6 - szDecimals, 0);
  const snapped = Number(px.toFixed(maxDecimals));
  let out: string;
  if (Number.isInteger(snapped) || snapped >= 100_000) {
    out = String(Math.round(snapped));
  } else {
    const fiveSig = Number(snapped.toPrecision(5));
    out = stripZeros(fiveSig.toFixed(maxDecimals));
  }
  if (Number(out) <= 0)
    throw new UsageError(`order price ${px} rounds to zero (${szDecimals} size decimals)`);
  return out;
}

/**
 * A planned action → its marketable IOC limit order wire.
 * @throws {UsageError} for a malformed cloid, size or price.
 */
export function toOrderWire(action: PlannedAction, market: Market): OrderWire {
  if (!CLOID.test(action.cloid)) {
    throw new UsageError(`invalid cloid ${JSON.stringify(action.cloid)}: expected 0x + 32 hex digits`);
  }
  return {
    a: market.assetId,
    b: action.side === "buy",
    p: priceToWire(action.limitPx, market.szDecimals),
    s: sizeToWire(action.size, market.szDecimals),
    r: action.reduceOnly,
    t: { limit: { tif: "Ioc" } },
    c: action.cloid.toLowerCase() as `0x${string}`,
  };
}

/** A decimal string (or number) from the exchange → number; NaN-safe (returns `fallback`). */
export function num(value: unknown, fallback = 0): number {
  if (typeof value === "number") return Number.isFinite(value) ? value : fallback;
  if (typeof value !== "string" || value.trim() === "") return fallback;
  const n = Number(value);
  return Number.isFinite(n) ? n : fallback;
}
