// Fills as hlcopy takes them in, from any source (the userFills stream and its replays after a
// reconnect, a second channel carrying the same fills, REST reads): ONE de-duplication, by the
// fill's identity, so a fill delivered twice is applied — and planned on — once.

import { RecentKeys } from "./recent.js";

/** What identifies a fill: its trade id and its order (both sides of a self-trade share the tid). */
export interface FillIdentity {
  tid: number;
  oid: number;
}

/**
 * A userFills snapshot (sent on every (re)subscribe) holds the account's latest fills: at most
 * 2000, as the exchange's userFills request returns. Remembering 5000 identities per user
 * covers a snapshot and the fills of the gap before it with room to spare (20 000 kept ~4 MiB
 * of key strings alive per user in a long follow). An older replay is harmless anyway: it never
 * triggers orders, the journal ignores a fill it has, and the leader model skips a fill older
 * than the newest it applied to the coin.
 */
export const FILL_DEDUPE_LIMIT = 5_000;

/** Remembers fill identities per user (bounded: core/recent.ts, the oldest forgotten first). */
export class FillDeduper {
  readonly #seen = new Map<string, RecentKeys<string>>();
  readonly #limit: number;

  constructor(limit = FILL_DEDUPE_LIMIT) {
    this.#limit = limit;
  }

  /** The fills not seen before for this user, in their order (marking them seen). */
  fresh<T extends FillIdentity>(user: string, fills: readonly T[]): T[] {
    let seen = this.#seen.get(user);
    if (!seen) {
      seen = new RecentKeys(this.#limit);
      this.#seen.set(user, seen);
    }
    return fills.filter((f) => seen.add(`${f.tid}:${f.oid}`));
  }
}

/** One coin's position rebuilt fill by fill (mutated by applyFillStep). */
export interface TrackedPosition {
  /** Signed size. */
  size: number;
  entryPx: number;
  /** Time of the last fill applied, and the positions before each fill of that millisecond. */
  lastTime: number;
  startsAtTime: number[];
}

export interface FillStep {
  before: number;
  after: number;
  /** The fill's startPosition contradicted the tracked position and was taken instead. */
  resynced: boolean;
}

/**
 * A position moved by a fill, `size + delta`, without float dust: a closed position reads
 * exactly 0 and a sum of fills is the very number the exchange prints for the position — which
 * the engine compares with `!==` (a leader position that changed with no fill). Rounded to 9
 * decimals, and past a million units to the 15 significant digits a double holds of the larger
 * of the two: multiplying by 1e9 stops being exact there (4320696.11 came back
 * 4320696.110000001, a meme coin's position), and a near-cancelling sum keeps only the digits
 * its operands had.
 */
export function addSize(size: number, delta: number): number {
  const x = size + delta;
  const larger = Math.max(Math.abs(size), Math.abs(delta));
  if (larger < 1e6) {
    const r = Math.round(x * 1e9) / 1e9;
    return r === 0 ? 0 : r;
  }
  // Its integer digits − 1 (log10 rounds up just below a power of ten: 99999999999999.8 → 14).
  let e = Math.floor(Math.log10(larger));
  if (10 ** e > larger) e--;
  const r = Number(x.toFixed(Math.max(0, 14 - e)));
  return r === 0 ? 0 : r;
}

/**
 * THE leader-position applier (the engine's leader model and the analytics' replay both use
 * it). A fill moves the tracked position by its signed size. Its `startPosition` is checked:
 * it must equal the tracked position, or the position before an earlier fill of the same
 * millisecond (both fills of a self-cross report the position before the pair). Anything else
 * means fills were missed: the exchange's figure wins (`resynced`). The entry price averages
 * in on an increase, stays on a reduction, restarts at the fill price on an open or a flip.
 */
export function applyFillStep(
  pos: TrackedPosition,
  fill: { px: number; delta: number; startPosition: number; time: number },
): FillStep {
  if (pos.lastTime !== fill.time) {
    pos.lastTime = fill.time;
    pos.startsAtTime.length = 0;
  }
  let resynced = false;
  const reported = fill.startPosition;
  if (!near(pos.size, reported) && !pos.startsAtTime.some((s) => near(s, reported))) {
    pos.size = reported;
    resynced = true;
  }
  const before = pos.size;
  pos.startsAtTime.push(before);
  const after = addSize(before, fill.delta);
  if (after === 0 || before === 0 || Math.sign(before) !== Math.sign(after)) pos.entryPx = fill.px;
  else if (Math.abs(after) > Math.abs(before)) {
    pos.entryPx = (pos.entryPx * Math.abs(before) + fill.px * Math.abs(fill.delta)) / Math.abs(after);
  }
  pos.size = after;
  return { before, after, resynced };
}

function near(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

/** The most fills one userFillsByTime response holds (the exchange's page). */
export const FILLS_PAGE = 2_000;

/**
 * Whether the exchange has forgotten the account's history the journal holds: `fills` is what it
 * returns of the account from the time of the journal's newest fill (`last`) on. The exchange
 * keeps an account's fills (its 10 000 most recent), so that fill is among them — unless the
 * account made more than that many since, and then the reply is a full page. A reply that is not
 * full and does not hold it means the exchange's record of the account is not the one the
 * journal was kept against: a simulator restarted without its state, a reset testnet. A full
 * page says nothing (false).
 */
export function historyForgotten(
  last: { tid: number; ts: number },
  fills: readonly { tid: number; time: number }[],
): boolean {
  if (fills.length >= FILLS_PAGE) return false;
  return !fills.some((f) => f.tid === last.tid && f.time === last.ts);
}

/**
 * A record of the account that the exchange held when a journal began keeping figures for it
 * (its high-water mark, the day's start, the kill switch's baseline): the account's newest fill
 * or its newest cash flow (the deposit or transfer that funded it). While the journal holds no fill of its own this is what says the exchange is still the one
 * the figures were taken on: a simulator restarted without its state, a reset testnet or another
 * exchange at the same URL does not hold it.
 */
export type AccountAnchor =
  | { kind: "fill"; tid: number; time: number; coin: string; side: "buy" | "sell"; sz: number }
  | { kind: "cash-flow"; hash: string; time: number; type: string; usd: number };

/**
 * The anchor to keep from what the exchange holds of the account now: its newest fill (`fills`:
 * the account's latest, as userFills returns them), else its newest cash flow; null when it holds
 * neither (nothing to anchor to: the next run tries again).
 */
export function pickAnchor(
  fills: readonly { tid: number; time: number; coin: string; side: "buy" | "sell"; sz: number }[],
  flows: readonly { hash: string; time: number; kind: string; usd: number }[],
): AccountAnchor | null {
  let fill: (typeof fills)[number] | undefined;
  for (const f of fills)
    if (!fill || f.time > fill.time || (f.time === fill.time && f.tid > fill.tid)) fill = f;
  if (fill)
    return { kind: "fill", tid: fill.tid, time: fill.time, coin: fill.coin, side: fill.side, sz: fill.sz };
  let flow: (typeof flows)[number] | undefined;
  for (const c of flows) if (!flow || c.time >= flow.time) flow = c;
  if (flow) return { kind: "cash-flow", hash: flow.hash, time: flow.time, type: flow.kind, usd: flow.usd };
  return null;
}

/**
 * Whether the exchange has forgotten a cash-flow anchor: `flows` is what it returns of the
 * account's ledger at the anchor's time (a ledger is not pruned as fills are: missing is missing).
 * A fill anchor is judged by historyForgotten.
 */
export function cashFlowForgotten(
  anchor: { hash: string; time: number },
  flows: readonly { hash: string; time: number }[],
): boolean {
  return !flows.some((f) => f.hash === anchor.hash && f.time === anchor.time);
}
