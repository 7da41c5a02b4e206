// `join: new-only`: positions a leader already held when the copy began are not copied.
// The baseline (coin → the leader's signed size then) is taken once and journaled, so a
// restart or the next cron run keeps it. A coin leaves the baseline for good once the leader
// has been flat in it or flipped it: a later open is new and is copied, adds included.

import { signedSizes } from "./ownership.js";
import type { Positions, Side } from "./types.js";

/** coin → the leader's signed size when the copy began (only coins still held since). */
export type JoinBaseline = Record<string, number>;

/** The baseline of a leader seen for the first time: everything it holds now. */
export function initialJoinBaseline(positions: Positions): JoinBaseline {
  return signedSizes(positions);
}

/** Drop the coins the leader now holds flat or on the other side. */
export function keepHeldSince(baseline: JoinBaseline, positions: Positions): JoinBaseline {
  const out: JoinBaseline = {};
  for (const [coin, size] of Object.entries(baseline)) {
    const now = positions[coin]?.size ?? 0;
    if (now !== 0 && Math.sign(now) === Math.sign(size)) out[coin] = size;
  }
  return out;
}

/**
 * Drop the coins a leader fill closed or flipped (between two cron runs the leader may close
 * and re-open: the snapshot alone would not show it).
 */
export function dropClosedByFills(
  baseline: JoinBaseline,
  fills: readonly { coin: string; side: Side; sz: number; startPosition: number }[],
): JoinBaseline {
  const out: JoinBaseline = { ...baseline };
  for (const f of fills) {
    const before = out[f.coin];
    if (before === undefined) continue;
    const after = f.startPosition + (f.side === "buy" ? f.sz : -f.sz);
    // Flat, float error aside, or on the other side: the held position ended.
    if (Math.abs(after) < 1e-9 || Math.sign(after) !== Math.sign(before)) delete out[f.coin];
  }
  return out;
}
