// Deterministic client order ids: the exactly-once key of an order. The same intent with the
// same seed always gives the same cloid, so a retry after a timeout can look the order up
// instead of sending it twice; the engine makes the seed unique per attempt.

// @noble/hashes, not viem/utils: that barrel alone loads ~4 MiB of modules a follow keeps for life.
import { keccak_256 } from "@noble/hashes/sha3.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import type { ReasonCode, Side } from "./types.js";

export interface CloidIntent {
  coin: string;
  side: Side;
  /** Wire size string (already rounded to the lot), so 0.1 and 0.10000000000000001 agree. */
  size: string;
  reduceOnly: boolean;
  reason: ReasonCode;
}

/** `0x` + 32 hex digits: the first 16 bytes of keccak256(seed ‖ intent). Never throws. */
export function makeCloid(intent: CloidIntent, seed: string): `0x${string}` {
  const text = `hlcopy/1|${seed}|${intent.coin}|${intent.side}|${intent.size}|${intent.reduceOnly ? 1 : 0}|${intent.reason}`;
  return `0x${bytesToHex(keccak_256(utf8ToBytes(text)).subarray(0, 16))}`;
}

/**
 * Make `action.cloid` computed on first read, then kept (the same value every time): plans
 * are made far more often than their orders are sent (a backtest sends none), and a keccak
 * per planned order was most of a 50-coin plan's time. JSON, spreads and equality checks
 * read it like any field; its place among the keys stays where `action` declared it.
 */
export function lazyCloid<T extends { cloid: `0x${string}` }>(action: T, compute: () => `0x${string}`): T {
  let value: `0x${string}` | undefined;
  return Object.defineProperty(action, "cloid", {
    enumerable: true,
    configurable: true,
    get: () => {
      value ??= compute();
      return value;
    },
  });
}

const CLOID_RE = /^0x[0-9a-fA-F]{32}$/;

/**
 * THE cloid check: 0x + 32 hex digits, in either case as the exchange takes them (makeCloid
 * writes lower case; the adapter lower-cases before sending).
 */
export function isCloid(value: string): value is `0x${string}` {
  return CLOID_RE.test(value);
}
