// Fills in replay order, the leader's positions rebuilt from them, and the two groupings the
// analytics count: trades (one leader order = the fills of one oid) and position episodes
// (flat → open → flat, per coin).

import { applyFillStep, type FillStep, type TrackedPosition } from "../core/fills.js";
import type { Fill } from "./wire.js";

/**
 * Replay order: ascending time; fills with the same time keep their file order (or go by
 * tid when both have one). The API lists fills newest first, but the fills of one
 * millisecond in their real order: an order that walks the book (e.g. ETH oid 189324110 in
 * the reference trace) chains `startPosition` only in file order.
 */
export function sortFills(fills: readonly Fill[]): Fill[] {
  const indexed = fills.map((f, i) => ({ f, i }));
  indexed.sort((a, b) => {
    if (a.f.time !== b.f.time) return a.f.time - b.f.time;
    if (a.f.tid !== undefined && b.f.tid !== undefined && a.f.tid !== b.f.tid) return a.f.tid - b.f.tid;
    return a.i - b.i;
  });
  return indexed.map((x) => x.f);
}

export function signedSize(f: Pick<Fill, "side" | "sz">): number {
  return f.side === "B" ? f.sz : -f.sz;
}

/** A replayed fill with the tracked position around it (core's FillStep). */
export type TrackedFill = FillStep;

export interface TrackerMismatch {
  coin: string;
  time: number;
  expected: number;
  reported: number;
}

/**
 * Leader positions rebuilt fill by fill. The position is the running sum of signed sizes,
 * seeded with a coin's first `startPosition`. Each fill's `startPosition` is checked: it
 * must equal the running position, or the position before an earlier fill of the same
 * millisecond (both fills of a self-cross report the position before the pair). Anything
 * else means fills are missing (e.g. the 500-fill cut-off split a pair): the exchange's
 * figure wins and the mismatch is recorded.
 */
export class PositionTracker {
  readonly #coins = new Map<string, TrackedPosition>();
  readonly mismatches: TrackerMismatch[] = [];
  /** Positions held before the first fill of each coin (the window's opening state). */
  readonly initial: Record<string, number> = {};

  size(coin: string): number {
    return this.#coins.get(coin)?.size ?? 0;
  }

  entryPx(coin: string): number {
    return this.#coins.get(coin)?.entryPx ?? 0;
  }

  coins(): string[] {
    return [...this.#coins.keys()];
  }

  apply(f: Fill): TrackedFill {
    let book = this.#coins.get(f.coin);
    if (!book) {
      book = { size: f.startPosition, entryPx: f.px, lastTime: -1, startsAtTime: [] };
      this.#coins.set(f.coin, book);
      this.initial[f.coin] = f.startPosition;
    }
    const expected = book.size;
    const step = applyFillStep(book, {
      px: f.px,
      delta: signedSize(f),
      startPosition: f.startPosition,
      time: f.time,
    });
    if (step.resynced)
      this.mismatches.push({ coin: f.coin, time: f.time, expected, reported: f.startPosition });
    return step;
  }
}

/** One leader order: the fills of one (coin, oid), in replay order. */
export interface Trade {
  coin: string;
  oid: number;
  time: number;
  endTime: number;
  side: "B" | "A";
  /** Unsigned size and USD notional of all its fills. */
  sz: number;
  notional: number;
  closedPnl: number;
  fee: number;
  /** Leader position before the first and after the last fill. */
  before: number;
  after: number;
  fills: number;
}

/** A position held from flat (or a flip) to flat (or the next flip). */
export interface Episode {
  coin: string;
  side: "long" | "short";
  /** Null when the position was already open before the first fill we have. */
  openTime: number | null;
  /** Null while still open at the end of the fills. */
  closeTime: number | null;
  /** Realized PnL of the fills that reduced it, net of all its fills' fees. */
  pnl: number;
  /** Largest |size| × entry price reached. */
  peakNotional: number;
}

export interface RebuiltHistory {
  /** Fills in replay order with the tracked position around each. */
  fills: Fill[];
  positions: TrackedFill[];
  trades: Trade[];
  episodes: Episode[];
  mismatches: TrackerMismatch[];
  initial: Record<string, number>;
  /** Leader positions after the last fill. */
  final: Record<string, number>;
}

/** Rebuild positions, trades and episodes from fills (any order; sorted here). */
export function rebuildHistory(input: readonly Fill[]): RebuiltHistory {
  const fills = sortFills(input);
  const tracker = new PositionTracker();
  const positions: TrackedFill[] = [];
  const trades: Trade[] = [];
  const openTrade = new Map<string, Trade>();
  const episodes: Episode[] = [];
  const openEpisode = new Map<string, Episode>();

  for (const f of fills) {
    const t = tracker.apply(f);
    positions.push(t);
    const notional = f.sz * f.px;

    // Trades: consecutive fills of one order (oid 0 = unknown: each fill alone).
    const last = openTrade.get(f.coin);
    if (last && f.oid !== 0 && last.oid === f.oid && last.side === f.side) {
      last.sz += f.sz;
      last.notional += notional;
      last.closedPnl += f.closedPnl;
      last.fee += f.fee;
      last.after = t.after;
      last.endTime = f.time;
      last.fills++;
    } else {
      const trade: Trade = {
        coin: f.coin,
        oid: f.oid,
        time: f.time,
        endTime: f.time,
        side: f.side,
        sz: f.sz,
        notional,
        closedPnl: f.closedPnl,
        fee: f.fee,
        before: t.before,
        after: t.after,
        fills: 1,
      };
      trades.push(trade);
      openTrade.set(f.coin, trade);
    }

    // Episodes.
    let ep = openEpisode.get(f.coin);
    if (!ep && t.before !== 0) {
      ep = {
        coin: f.coin,
        side: t.before > 0 ? "long" : "short",
        openTime: null,
        closeTime: null,
        pnl: 0,
        peakNotional: Math.abs(t.before) * f.px,
      };
      episodes.push(ep);
      openEpisode.set(f.coin, ep);
    }
    const flips = t.before !== 0 && t.after !== 0 && Math.sign(t.before) !== Math.sign(t.after);
    if (ep) {
      // The fill that closes or flips realizes this episode's PnL; its fee is split by size.
      const closingPart = flips ? Math.abs(t.before) / f.sz : 1;
      ep.pnl += f.closedPnl - f.fee * closingPart;
      if (!flips) ep.peakNotional = Math.max(ep.peakNotional, Math.abs(t.after) * f.px);
      if (t.after === 0 || flips) {
        ep.closeTime = f.time;
        openEpisode.delete(f.coin);
        ep = undefined;
      }
    }
    if (!ep && t.after !== 0) {
      const opened: Episode = {
        coin: f.coin,
        side: t.after > 0 ? "long" : "short",
        openTime: f.time,
        closeTime: null,
        pnl: flips ? -f.fee * (1 - Math.abs(t.before) / f.sz) : -f.fee,
        peakNotional: Math.abs(t.after) * f.px,
      };
      episodes.push(opened);
      openEpisode.set(f.coin, opened);
    }
  }
  const final: Record<string, number> = {};
  for (const coin of tracker.coins()) final[coin] = tracker.size(coin);
  return {
    fills,
    positions,
    trades,
    episodes,
    mismatches: tracker.mismatches,
    initial: tracker.initial,
    final,
  };
}
