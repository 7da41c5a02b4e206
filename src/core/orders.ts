// An order's life in plain data, shared by the adapter (what the exchange answered), the
// engine (what it does next), the journal (what it keeps) and the views: the statuses, the
// result of a send, a look-up by cloid and the one mapping of a look-up to a result (the
// slippage arithmetic is core/slippage.ts). Pure; imports nothing but core types.

import type { PlannedAction } from "./types.js";

export type OrderResultStatus = "filled" | "partial" | "resting" | "rejected" | "uncertain";

/** The outcome of one sent (or locally refused) order. */
export interface OrderResult {
  cloid: string;
  status: OrderResultStatus;
  /** Size filled in coin units (0 unless filled/partial, or resting after a partial match). */
  filledSize: number;
  avgPx: number | null;
  oid?: number;
  /** The exchange's own message for a rejection, or why a result is uncertain. */
  error?: string;
}

/**
 * The error of an order a stop kept from being sent: its batch was still waiting for its turn
 * (the request budget, the batch before it) when the run stopped, and nothing of it reached the
 * exchange. The adapter's word for it, journaled with the order (status "rejected"); the trades
 * it was for are skipped `stopping` — the trader stopped them —, not missed (core/leader-trades.ts).
 */
export const NOT_SENT_STOPPING = "not sent: the run is stopping";

/** An order's result when a stop kept it from being sent (NOT_SENT_STOPPING). */
export function notSentStopping(cloid: string): OrderResult {
  return { cloid, status: "rejected", filledSize: 0, avgPx: null, error: NOT_SENT_STOPPING };
}

/**
 * The outcome of one cancel: "cancelled"; "gone" (the exchange no longer had it open: filled,
 * triggered or cancelled already); "uncertain" (sent, its outcome not known); "not-sent" (a stop
 * kept it from going out, error NOT_SENT_STOPPING: known not to have happened — the order still
 * rests as it did, as an order batch a stop kept unsent is known not placed).
 */
export type CancelStatus = "cancelled" | "gone" | "uncertain" | "not-sent";

export interface CancelResult {
  oid: number;
  status: CancelStatus;
  error?: string;
}

/** A cancel's result when a stop kept it from being sent (NOT_SENT_STOPPING). */
export function cancelNotSent(oid: number): CancelResult {
  return { oid, status: "not-sent", error: NOT_SENT_STOPPING };
}

/** Whether an order (as told, or as journaled) is one a stop kept from being sent. */
export function keptByStop(status: string, error: string | null | undefined): boolean {
  return status === "rejected" && error === NOT_SENT_STOPPING;
}

/** How a batch is sent: a stop aborts `signal`, and a batch not yet on the wire stays unsent. */
export interface SendOptions {
  signal?: AbortSignal;
  /**
   * A batch the exchange refused with HTTP 429 (nothing ran) is sent again after the request
   * budget's backoff — the same orders, cloids and expiry, freshly signed — up to `attempts`
   * sends in all, each wait told first. Absent: a 429 ends the send at once (follow re-plans).
   */
  resendOnRateLimit?: RateLimitResend;
}

/** How often an order batch refused with HTTP 429 is sent again, and who is told of each wait. */
export interface RateLimitResend {
  /** Sends in all, the first included. */
  attempts: number;
  onWait(wait: RateLimitResendWait): void;
}

/** One wait before a batch refused with HTTP 429 is sent again. */
export interface RateLimitResendWait {
  /** The refusal, e.g. "rate-limited by the exchange (HTTP 429) on placeOrders (2 orders)". */
  message: string;
  /** The send about to be made (2 for the first resend). */
  attempt: number;
  attempts: number;
  waitMs: number;
}

/** An order looked up by cloid: not found, or its exchange status and filled size. */
export type CloidLookup =
  | { found: false }
  | { found: true; status: string; filledSize: number; avgPx: number | null; oid?: number };

/** Every status an order of ours is shown or journaled with. */
export type OrderStatus =
  | "sent"
  | "filled"
  | "partial"
  | "resting"
  | "rejected"
  | "uncertain"
  | "cancelled"
  | "paper";

/** An order's state in the journal: `pending` = intent recorded, not yet known to be sent. */
export type JournalOrderStatus = "pending" | OrderStatus;

/** Orders whose outcome is unknown: resolve each by cloid before anything is re-sent. */
export const UNRESOLVED_ORDER_STATUSES: readonly JournalOrderStatus[] = ["pending", "sent", "uncertain"];

/** Order statuses that mean the order is still live on the book. */
const LIVE = new Set(["open", "triggered"]);

/**
 * THE mapping of an order found by cloid to its result, used by the adapter (resolving an
 * uncertain send) and the engine (recovery, and the sweep's look-up of uncertain orders), so
 * one order never gets two statuses. "filled" → filled; live → resting; any cancel/reject
 * status → partial when something filled (an IOC remainder cancelled), else rejected with the
 * exchange's status as the error.
 */
export function resultFromLookup(cloid: string, lookup: Extract<CloidLookup, { found: true }>): OrderResult {
  const base = {
    cloid,
    filledSize: lookup.filledSize,
    avgPx: lookup.avgPx,
    ...(lookup.oid === undefined ? {} : { oid: lookup.oid }),
  };
  if (lookup.status === "filled") return { ...base, status: "filled" };
  if (LIVE.has(lookup.status)) return { ...base, status: "resting" };
  if (lookup.filledSize > 0) return { ...base, status: "partial", error: lookup.status };
  return { ...base, status: "rejected", error: lookup.status };
}

/**
 * How long after its journal time an order not found counts as never placed: it carries
 * expiresAfter = send + 15 s (the adapter's default TTL), plus 2 s for clock skew. Until then an
 * order not found may still arrive.
 */
export const ORDER_SETTLE_MS = 17_000;

/** Why an order looked up in vain once its expiry passed is closed as rejected. */
export const NEVER_PLACED = "not placed: the order never reached the exchange before it expired";

/**
 * THE reading of a look-up by cloid, wherever an order's outcome is unknown (the adapter right
 * after an uncertain send, engine/recovery.ts after a restart and before each sweep): found → its result
 * (resultFromLookup); not found → rejected as never placed once `settledAt` (the order's expiry
 * plus clock skew) has passed, else null: it may still arrive, look again (nothing is re-sent).
 */
export function resolveByLookup(
  cloid: string,
  lookup: CloidLookup,
  now: number,
  settledAt: number,
): OrderResult | null {
  if (lookup.found) return resultFromLookup(cloid, lookup);
  if (now < settledAt) return null;
  return { cloid, status: "rejected", filledSize: 0, avgPx: null, error: NEVER_PLACED };
}

/** What an order is, as events, reports and the journal's readers show it (reading the cloid fixes it). */
export function orderFields(
  a: PlannedAction,
): Pick<PlannedAction, "coin" | "side" | "size" | "limitPx" | "reduceOnly" | "cloid" | "reason"> {
  return {
    coin: a.coin,
    side: a.side,
    size: a.size,
    limitPx: a.limitPx,
    reduceOnly: a.reduceOnly,
    cloid: a.cloid,
    reason: a.reason,
  };
}
