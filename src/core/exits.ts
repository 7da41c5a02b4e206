// Our own exits that are not resting orders: the time stop (risk.maxHoldHours). Pure: the hold
// clock (when each position opened, as hlcopy first saw it) is plain data the engine keeps in
// the journal; `now` is passed in.
//
// Decisions where the rules are silent:
// * A position's clock starts when hlcopy first sees it open (its own opening order's sweep or
//   fill) and runs while the position stays on the same side: adds and partial reductions do
//   not restart it; a close or a flip does (a new trade). Kept in the journal, so a restart
//   keeps counting from the first open, not from the restart.
// * Due means held ≥ maxHoldHours. The planner closes a due coin reduce-only (reason
//   "time-stop"); after the close the coin is not re-entered while the leaders keep the side
//   they had (like a coin our stop closed), so the time stop is not undone by the next plan.

import type { Positions } from "./types.js";

/** When the position in a coin opened (ms) and on which side. */
export interface HeldSince {
  dir: 1 | -1;
  since: number;
}
export type HoldClock = Record<string, HeldSince>;

/**
 * The clock after seeing `positions` at `now`: a new position (or a flip) starts at `now`, an
 * unchanged side keeps its start, a closed one drops out. Returns a new object; never throws.
 */
export function updateHoldClock(prev: HoldClock, positions: Positions, now: number): HoldClock {
  const out: HoldClock = {};
  for (const p of Object.values(positions)) {
    if (!p || p.size === 0 || !Number.isFinite(p.size)) continue;
    const dir: 1 | -1 = p.size > 0 ? 1 : -1;
    const old = prev[p.coin];
    out[p.coin] = old && old.dir === dir ? old : { dir, since: now };
  }
  return out;
}

/** A coin whose position is due for the time stop, and how long it has been held. */
export interface TimeStopDue {
  coin: string;
  heldMs: number;
  since: number;
}

/** Coins held at least `maxHoldHours` (none when it is null), by coin name. Pure. */
export function timeStopsDue(
  clock: HoldClock,
  positions: Positions,
  now: number,
  maxHoldHours: number | null | undefined,
): TimeStopDue[] {
  if (maxHoldHours == null || !(maxHoldHours > 0)) return [];
  const limitMs = maxHoldHours * 3_600_000;
  const out: TimeStopDue[] = [];
  for (const coin of Object.keys(clock).sort()) {
    const c = clock[coin];
    const size = positions[coin]?.size ?? 0;
    if (!c || size === 0 || Math.sign(size) !== c.dir) continue;
    const heldMs = now - c.since;
    if (heldMs >= limitMs) out.push({ coin, heldMs, since: c.since });
  }
  return out;
}
