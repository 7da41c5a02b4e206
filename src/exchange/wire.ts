// Wire formatting: our numbers → the exchange's decimal strings, and planned actions → order
// wires. Signed bytes depend on the exact strings, so trailing zeros are always stripped.
// The rounding itself is core/rounding.ts's (one definition for the planner and the wire);
// this file adds the refusals an order must never get past.

import { isCloid } from "../core/cloid.js";
import { UsageError } from "../core/errors.js";
import {
  priceToWire as corePriceToWire,
  sizeToWire as coreSizeToWire,
  roundPriceToTick,
} from "../core/rounding.js";
import type { Market, PlannedAction } from "../core/types.js";

/** One order as the `order` action carries it (keys in signing order: a, b, p, s, r, t, c). */
export interface OrderWire {
  a: number;
  b: boolean;
  p: string;
  s: string;
  r: boolean;
  t:
    | { limit: { tif: "Ioc" | "Alo" } }
    | { trigger: { isMarket: boolean; triggerPx: string; tpsl: "tp" | "sl" } };
  c: `0x${string}`;
}

/**
 * Size in coin units → wire string with at most `szDecimals` decimals, rounded toward zero to
 * the lot (float dust snaps to the lot: core/rounding.ts, the planner's own rounding).
 * @throws {UsageError} when the size is not a positive finite number or rounds to zero.
 */
export function sizeToWire(size: number, szDecimals: number): string {
  if (!Number.isFinite(size) || size <= 0) throw new UsageError(`invalid order size ${size}`);
  const wire = coreSizeToWire(size, szDecimals);
  if (Number(wire) <= 0) throw new UsageError(`order size ${size} is below one lot (${szDecimals} decimals)`);
  return wire;
}

/**
 * Price → wire string: at most 5 significant figures and at most `6 − szDecimals` decimals
 * (perps); integers are always valid. Rounds to the nearest valid price (the planner's
 * prices are valid already; this only strips float dust).
 * @throws {UsageError} when the price is not a positive finite number or rounds to zero.
 */
export function priceToWire(px: number, szDecimals: number): string {
  if (!Number.isFinite(px) || px <= 0) throw new UsageError(`invalid order price ${px}`);
  const wire = corePriceToWire(roundPriceToTick(px, szDecimals, "nearest"), szDecimals);
  if (Number(wire) <= 0)
    throw new UsageError(`order price ${px} rounds to zero (${szDecimals} size decimals)`);
  return wire;
}

/**
 * A planned action → its marketable IOC limit order wire, its post-only (Alo) limit when it is
 * a passive entry, or its trigger order wire (a resting stop / take-profit, keys in signing
 * order: isMarket, triggerPx, tpsl).
 * @throws {UsageError} for a malformed cloid, size or price.
 */
export function toOrderWire(action: PlannedAction, market: Market): OrderWire {
  if (!isCloid(action.cloid)) {
    throw new UsageError(`invalid cloid ${JSON.stringify(action.cloid)}: expected 0x + 32 hex digits`);
  }
  return {
    a: market.assetId,
    b: action.side === "buy",
    p: priceToWire(action.limitPx, market.szDecimals),
    s: sizeToWire(action.size, market.szDecimals),
    r: action.reduceOnly,
    t: action.trigger
      ? {
          trigger: {
            isMarket: action.trigger.isMarket,
            triggerPx: priceToWire(action.trigger.triggerPx, market.szDecimals),
            tpsl: action.trigger.tpsl,
          },
        }
      : { limit: { tif: action.passive ? "Alo" : "Ioc" } },
    c: action.cloid.toLowerCase() as `0x${string}`,
  };
}

/** A decimal string (or number) from the exchange → number; NaN-safe (returns `fallback`). */
export function parseDecimal(value: unknown, fallback = 0): number {
  if (typeof value === "number") return Number.isFinite(value) ? value : fallback;
  if (typeof value !== "string" || value.trim() === "") return fallback;
  const n = Number(value);
  return Number.isFinite(n) ? n : fallback;
}
