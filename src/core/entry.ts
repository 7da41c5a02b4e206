// Entry styles (issue 21), the pure parts: the UTC trading window, the copy delay (a leader's
// increase is copied only once held for N minutes; it never makes us reduce), and the price of
// a passive (post-only) entry. The engine keeps the leader's size history and the resting
// orders; these functions decide from plain data.

import { detailNumber } from "./format.js";
import { roundPriceToTick } from "./rounding.js";
import { parseTradingHours, type Settings } from "./settings.js";
import type { Market, Side } from "./types.js";

export interface EntryParams {
  copyDelayMs: number;
  passive: boolean;
  passiveTimeoutMs: number;
  tradingHours: string | null;
  minOrderUsd: number;
}

/** One reading per settings object: the planner asks for every increase. */
const ENTRY_PARAMS = new WeakMap<Settings["exec"], EntryParams>();

/** The entry settings with the schema's defaults filled in (they are optional in Settings). */
export function entryParams(settings: Settings): EntryParams {
  const e = settings.exec;
  let p = ENTRY_PARAMS.get(e);
  if (!p) {
    p = readEntryParams(e);
    ENTRY_PARAMS.set(e, p);
  }
  return p;
}

function readEntryParams(e: Settings["exec"]): EntryParams {
  return {
    copyDelayMs: Math.max(0, (e.copyDelayMinutes ?? 0) * 60_000),
    passive: e.entry === "passive",
    passiveTimeoutMs: Math.max(1, e.passiveTimeoutSeconds ?? 30) * 1000,
    tradingHours: e.tradingHours ?? null,
    minOrderUsd: Math.max(10, e.minOrderUsd ?? 10),
  };
}

export const PASSIVE_TIMED_OUT = "not filled within exec.passiveTimeoutSeconds";

/** Why a passive entry past its timeout is cancelled (its plan's cancel, its order's line). */
export function passiveTimedOutText(timeoutMs: number): string {
  return `${PASSIVE_TIMED_OUT} (${detailNumber(timeoutMs / 1000)} s): the rest goes as IOC, unless the price ran past the entry-drift gate`;
}

// ---------------------------------------------------------------------------------------
// Trading hours

/**
 * Whether `now` (ms) is inside the UTC window ("08-22": 08:00 ≤ t < 22:00; "22-06" wraps
 * midnight). No window (null, or one that does not parse) = always.
 */
export function insideTradingHours(hours: string | null | undefined, now: number): boolean {
  if (!hours) return true;
  const w = parseTradingHours(hours);
  if (!w) return true;
  const h = new Date(now).getUTCHours();
  return w.from < w.to ? h >= w.from && h < w.to : h >= w.from || h < w.to;
}

// ---------------------------------------------------------------------------------------
// Copy delay

/** The leader's signed size in a coin from `time` on (a path is sorted by time). */
export interface SizePoint {
  time: number;
  size: number;
}

/** The signed size of a path at `t` (0 before its first point). */
export function sizeAt(path: readonly SizePoint[], t: number): number {
  let size = 0;
  for (const p of path) {
    if (p.time > t) break;
    size = p.size;
  }
  return size;
}

/**
 * The part of the leader's position held without interruption for the `delayMs` up to `now`:
 * the smallest |size| over the window on the side it holds now, 0 if at any moment in the
 * window it held nothing or the other side. Reductions show at once (now is in the window);
 * an increase shows only `delayMs` after it. Signed like the position.
 */
export function heldSize(path: readonly SizePoint[], now: number, delayMs: number): number {
  const current = sizeAt(path, now);
  if (current === 0 || delayMs <= 0) return current;
  const from = now - delayMs;
  const sign = Math.sign(current);
  let held = Math.abs(sizeAt(path, from));
  if (Math.sign(sizeAt(path, from)) !== sign) return 0;
  for (const p of path) {
    if (p.time <= from) continue;
    if (p.time > now) break;
    if (Math.sign(p.size) !== sign) return 0;
    held = Math.min(held, Math.abs(p.size));
  }
  return sign * held;
}

/**
 * What of a leader's position the copy delay lets the copy grow to: the size held for the
 * delay (heldSize), on the side the leader holds `current` now and never more than it (the
 * leader model may be fresher than the history); 0 when it changed sides within the delay.
 * The planner holds back only increases with it (planner.ts limitGrowth): our position is never
 * brought below what we hold because of it.
 */
export function copiedUnderDelay(
  path: readonly SizePoint[],
  now: number,
  delayMs: number,
  current: number,
): number {
  const held = heldSize(path, now, delayMs);
  if (current === 0 || Math.sign(held) !== Math.sign(current)) return 0;
  return Math.sign(current) * Math.min(Math.abs(held), Math.abs(current));
}

/** When the held size may next change without a new leader trade: the oldest change in the window + delay. */
export function nextDelayDue(path: readonly SizePoint[], now: number, delayMs: number): number | null {
  if (delayMs <= 0) return null;
  for (const p of path) {
    if (p.time > now - delayMs && p.time <= now) return p.time + delayMs;
  }
  return null;
}

/** A leader increase that was not held for the delay: not copied (reason reversed-after-delay). */
export interface Reversal {
  /** When the leader made the increase, and when it would have been copied. */
  time: number;
  due: number;
  /** The size it increased to, and what of it was held at the due time (signed). */
  wanted: number;
  held: number;
}

/**
 * Increases (a point growing |size| on its side, or opening one) whose due time falls in
 * (from, to] and of which less than all was still held then.
 */
export function reversalsBetween(
  path: readonly SizePoint[],
  from: number,
  to: number,
  delayMs: number,
): Reversal[] {
  if (delayMs <= 0) return [];
  const out: Reversal[] = [];
  let prev = 0;
  for (const p of path) {
    const grows =
      p.size !== 0 && (Math.sign(p.size) !== Math.sign(prev) || Math.abs(p.size) > Math.abs(prev));
    const due = p.time + delayMs;
    if (grows && due > from && due <= to) {
      const held = heldSize(
        path.filter((q) => q.time <= due),
        due,
        delayMs,
      );
      const heldSameSide = Math.sign(held) === Math.sign(p.size) ? Math.abs(held) : 0;
      if (heldSameSide < Math.abs(p.size) - 1e-12) out.push({ time: p.time, due, wanted: p.size, held });
    }
    prev = p.size;
  }
  return out;
}

/** A path with a point appended when the size changed (same time: replaced), oldest points pruned. */
export function extendPath(path: SizePoint[], time: number, size: number, keepFrom: number): SizePoint[] {
  const last = path[path.length - 1];
  if (last && last.size === size) return prune(path, keepFrom);
  const out =
    last && last.time >= time
      ? [...path.filter((p) => p.time < time), { time, size }]
      : [...path, { time, size }];
  return prune(out, keepFrom);
}

/** Drop points older than `keepFrom`, keeping the one in force at `keepFrom`. */
function prune(path: SizePoint[], keepFrom: number): SizePoint[] {
  let i = 0;
  while (i + 1 < path.length && (path[i + 1] as SizePoint).time <= keepFrom) i++;
  return i === 0 ? path : path.slice(i);
}

/**
 * One line for a waiting increase: "copy delay: the leader's +0.5 BTC is copied at 12:05:00 UTC if
 * it still holds it". `who` names the leader when a run follows several ("leader 0x5e9e…a13a").
 */
export function delayDetail(
  coin: string,
  current: number,
  held: number,
  due: number | null,
  who = "the leader",
): string {
  const waiting = current - held;
  const at = due === null ? "" : ` at ${new Date(due).toISOString().slice(11, 19)} UTC`;
  return `copy delay: ${who}'s ${waiting > 0 ? "+" : ""}${detailNumber(waiting)} ${coin} is copied${at} if it still holds it`;
}

// ---------------------------------------------------------------------------------------
// Passive entries

/**
 * The post-only limit of a passive entry: the leader's fill price, or the best price on our
 * own side of the book when that is better for us (a buy never above the best bid, a sell
 * never below the best ask; the mid when the book is unknown), on the tick grid, rounded
 * away from crossing. Null when no such price exists (it would cross the other side).
 */
export function passiveLimitPrice(market: Market, side: Side, leaderPx: number): number | null {
  if (!(leaderPx > 0) || !Number.isFinite(leaderPx)) return null;
  if (side === "buy") {
    const own = market.bestBid !== undefined && market.bestBid > 0 ? market.bestBid : market.mid;
    const px = roundPriceToTick(Math.min(leaderPx, own), market.szDecimals, "down");
    const ask = market.bestAsk;
    if (!(px > 0) || (ask !== undefined && ask > 0 && px >= ask)) return null;
    return px;
  }
  const own = market.bestAsk !== undefined && market.bestAsk > 0 ? market.bestAsk : market.mid;
  const px = roundPriceToTick(Math.max(leaderPx, own), market.szDecimals, "up");
  const bid = market.bestBid;
  if (!(px > 0) || (bid !== undefined && bid > 0 && px <= bid)) return null;
  return px;
}
