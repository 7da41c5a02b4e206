// How much of a user's fill history one read really covers. The exchange serves only a user's
// 10,000 most recent fills, and the adapter reads a bounded number of pages: a read that ran
// into either covers less than it asked, and every figure made from it covers the span it
// reached, not the one asked. Pure: counts and times in, the span covered out.

import { utcMinute, windowText } from "./format.js";
import type { Fill } from "./types.js";

/**
 * Only a user's 10,000 most recent fills are available: userFillsByTime never reaches further
 * back, whatever its startTime (Hyperliquid API docs, info endpoint — QuickNode's
 * userFillsByTime page: "Only the 10000 most recent fills are available").
 */
export const FILL_HISTORY_LIMIT = 10_000;

/** A fill read that does not cover the span asked, and the span it does cover. */
export interface HistoryCut {
  /**
   * "exchange-limit": the read reached the user's FILL_HISTORY_LIMIT most recent fills, so the
   * history begins at its first fill, not at the start asked. "page-cap": the adapter stopped
   * at its page cap, so the history ends at its last fill, not at the end asked.
   */
  reason: "exchange-limit" | "page-cap";
  /** The span the fills cover (ms): every fill of the user in [start, end] was read. */
  start: number;
  end: number;
  /** The span asked for. */
  askedStart: number;
  askedEnd: number;
  /** Fills read. */
  fills: number;
}

export interface FillHistoryCutParameters {
  /** The span asked for; `endTime` is now (the exchange's limit counts back from the newest fill). */
  startTime: number;
  endTime: number;
  /** The distinct fills read, any order. */
  fills: readonly { time: number }[];
  /** The reader stopped at its page cap with more pages to read. */
  pageCapped?: boolean;
}

/**
 * Whether a read of a user's fills over [startTime, endTime] (endTime: now) is cut, and the
 * span it covers; null when it covers the span asked. Cut only when the count reached the
 * exchange's FILL_HISTORY_LIMIT or the reader hit its page cap: a leader with no fill early in
 * the window simply did not trade then, and is not cut. A read of exactly FILL_HISTORY_LIMIT
 * fills counts as cut: the exchange cannot say whether an older one exists.
 */
export function fillHistoryCut(p: FillHistoryCutParameters): HistoryCut | null {
  const limited = p.fills.length >= FILL_HISTORY_LIMIT;
  if (!limited && !p.pageCapped) return null;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const f of p.fills) {
    if (f.time < first) first = f.time;
    if (f.time > last) last = f.time;
  }
  if (p.fills.length === 0) return null;
  return {
    reason: p.pageCapped ? "page-cap" : "exchange-limit",
    start: limited ? Math.max(p.startTime, first) : p.startTime,
    end: p.pageCapped ? Math.min(p.endTime, last) : p.endTime,
    askedStart: p.startTime,
    askedEnd: p.endTime,
    fills: p.fills.length,
  };
}

/** Why a history is cut, in words: "the exchange keeps a user's 10,000 most recent fills". */
export function historyCutWhy(cut: HistoryCut): string {
  return cut.reason === "exchange-limit"
    ? `the exchange keeps a user's ${FILL_HISTORY_LIMIT.toLocaleString("en-US")} most recent fills`
    : `the read stopped at its page cap, ${cut.fills.toLocaleString("en-US")} fills`;
}

/** A span as a length: "3.2 days", "5.5 hours", "40 minutes". */
export function spanWords(ms: number): string {
  if (ms >= 86_400_000) return `${(ms / 86_400_000).toFixed(1)} days`;
  if (ms >= 3_600_000) return `${(ms / 3_600_000).toFixed(1)} hours`;
  const n = Math.max(1, Math.round(ms / 60_000));
  return `${n} minute${n === 1 ? "" : "s"}`;
}

/**
 * The one sentence a cut history is said in, everywhere it is shown: "history since
 * 2026-11-28 14:02 UTC (the exchange keeps a user's 10,000 most recent fills): 3.2 days of the
 * 30 days asked". A page cap: "history until …".
 */
export function historyCutText(cut: HistoryCut): string {
  const edge =
    cut.reason === "exchange-limit" ? `since ${utcMinute(cut.start)}` : `until ${utcMinute(cut.end)}`;
  return `history ${edge} (${historyCutWhy(cut)}): ${spanWords(cut.end - cut.start)} of the ${windowText(
    cut.askedEnd - cut.askedStart,
    "words",
  )} asked`;
}

/** Fills read over a span, with what they cover (cut: null when the whole span asked). */
export interface FillHistory<F = Fill> {
  fills: F[];
  cut: HistoryCut | null;
}

/**
 * What a cut read of OUR OWN account's fills missed, in words, for a warning: "your account's
 * fills from 2026-11-28 14:02 UTC to 2026-12-01 09:30 UTC could not all be read (the exchange
 * keeps a user's 10,000 most recent fills)". The exchange's limit loses the oldest of the span
 * asked for good; a page cap leaves the newest for the next read.
 */
export function ownFillsCutText(cut: HistoryCut): string {
  const [from, to] = cut.reason === "exchange-limit" ? [cut.askedStart, cut.start] : [cut.end, cut.askedEnd];
  return `your account's fills from ${utcMinute(from)} to ${utcMinute(to)} could not all be read (${historyCutWhy(cut)})`;
}

/**
 * Cash flows (ledger entries) read from a time on: `through` (ms) when the read stopped at its
 * page cap — every entry up to it was read, the newer ones were not —, null when it read all.
 */
export interface LedgerHistory<C> {
  flows: C[];
  through: number | null;
}
