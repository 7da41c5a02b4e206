// `join: new-only`: positions a leader already held when the copy began are not copied.
// The baseline (coin → the leader's signed size then) is taken once and journaled, so a
// restart or the next cron run keeps it. A coin leaves the baseline for good once the leader
// has been flat in it or flipped it: a later open is new and is copied, adds included. Nor
// is a coin the copy already holds (hlcopy's own position, opened by an earlier run of this
// copy — one with join all, say): the copy joined it then, and leaving it alone would abandon
// hlcopy's own position, the leader's later flips and closes uncopied.

import { type ManagedPositions, signedSizes } from "./ownership.js";
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

/**
 * Split off the coins the copy already holds a position in (`managed`: hlcopy's own, signed):
 * they were joined when hlcopy opened them, so they leave the baseline for good and are copied.
 * `joined`: those coins, with hlcopy's size in each, for the run to say why.
 */
export function withoutJoinedByCopy(
  baseline: JoinBaseline,
  managed: ManagedPositions,
): { baseline: JoinBaseline; joined: { coin: string; size: number }[] } {
  const out: JoinBaseline = {};
  const joined: { coin: string; size: number }[] = [];
  for (const [coin, size] of Object.entries(baseline)) {
    const ours = managed[coin] ?? 0;
    // Float dust from summed fills is not a position.
    if (Math.abs(ours) > 1e-9) joined.push({ coin, size: ours });
    else out[coin] = size;
  }
  return { baseline: out, joined };
}
