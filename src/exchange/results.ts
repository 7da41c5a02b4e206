// Per-order results, rebuilt from the exchange's reply whatever the SDK did with it. The SDK
// throws ApiRequestError for a WHOLE batch when any order in it failed, but the reply it
// carries (`error.response`) still holds one status per order: filled orders in a "failed"
// batch are filled, and must never be reported failed (and re-sent). Pure functions.

import { topLevelErrorText } from "./errors.js";
import type { CloidLookup, OrderResult } from "./types.js";
import { parseDecimal } from "./wire.js";

export type { CloidLookup, OrderResult, OrderResultStatus } from "./types.js";

/** What one sent order was: enough to read its status. */
export interface SentOrder {
  cloid: string;
  /** Wire size sent. */
  size: string;
}

export type ReplyReading =
  /** One result per sent order. */
  | { kind: "statuses"; results: OrderResult[] }
  /** The whole request was refused (`{"status":"err","response": text}`): nothing ran. */
  | { kind: "refused"; message: string }
  /** Not a reply we understand: the outcome of every order is unknown. */
  | { kind: "unreadable" };

/** Relative tolerance when comparing a filled size with the size sent. */
const SIZE_EPS = 1e-9;

/**
 * Read an /exchange reply to an `order` action (a success or the `response` of the SDK's
 * ApiRequestError — the same shape) into one result per sent order, positionally.
 */
export function readOrderReply(reply: unknown, sent: readonly SentOrder[]): ReplyReading {
  const refused = topLevelErrorText(reply);
  if (refused !== undefined) return { kind: "refused", message: refused };
  const statuses = statusesOf(reply);
  if (!statuses) return { kind: "unreadable" };
  return { kind: "statuses", results: sent.map((o, i) => readStatus(statuses[i], o)) };
}

function statusesOf(reply: unknown): unknown[] | undefined {
  if (typeof reply !== "object" || reply === null) return undefined;
  const response = (reply as { response?: unknown }).response;
  if (typeof response !== "object" || response === null) return undefined;
  const data = (response as { data?: unknown }).data;
  if (typeof data !== "object" || data === null) return undefined;
  const statuses = (data as { statuses?: unknown }).statuses;
  return Array.isArray(statuses) ? statuses : undefined;
}

function field(o: unknown, key: string): unknown {
  return typeof o === "object" && o !== null ? (o as Record<string, unknown>)[key] : undefined;
}

/** One entry of `statuses[]` → a result. Anything unexpected is "uncertain", never "rejected". */
export function readStatus(status: unknown, sent: SentOrder): OrderResult {
  const { cloid } = sent;
  const filled = field(status, "filled");
  if (filled !== undefined) {
    const filledSize = parseDecimal(field(filled, "totalSz"));
    const avgPx = parseDecimal(field(filled, "avgPx"), Number.NaN);
    const oid = field(filled, "oid");
    const wanted = parseDecimal(sent.size);
    return {
      cloid,
      status: filledSize >= wanted * (1 - SIZE_EPS) ? "filled" : "partial",
      filledSize,
      avgPx: Number.isFinite(avgPx) ? avgPx : null,
      ...(typeof oid === "number" ? { oid } : {}),
    };
  }
  const resting = field(status, "resting");
  if (resting !== undefined) {
    const oid = field(resting, "oid");
    return {
      cloid,
      status: "resting",
      filledSize: 0,
      avgPx: null,
      ...(typeof oid === "number" ? { oid } : {}),
    };
  }
  const error = field(status, "error");
  if (typeof error === "string") {
    return { cloid, status: "rejected", filledSize: 0, avgPx: null, error };
  }
  // "waitingForFill" / "waitingForTrigger", a missing entry, or a shape we do not know: the
  // order may exist; only a lookup by cloid can tell.
  const what =
    typeof status === "string" ? status : status === undefined ? "no status returned" : "unknown status";
  return { cloid, status: "uncertain", filledSize: 0, avgPx: null, error: what };
}

/** Every order of a batch whose outcome is unknown (timeout, 5xx, unreadable reply). */
export function uncertainResults(sent: readonly SentOrder[], reason: string): OrderResult[] {
  return sent.map((o) => ({
    cloid: o.cloid,
    status: "uncertain",
    filledSize: 0,
    avgPx: null,
    error: reason,
  }));
}

/** A definite lookup → the result the order finally had: the one mapping (core/orders.ts). */
export { resultFromLookup } from "../core/orders.js";

/** An orderStatus reply → found or not, with the filled size (original − remaining). */
export function readOrderStatus(reply: unknown): CloidLookup {
  if (field(reply, "status") !== "order") return { found: false };
  const wrapper = field(reply, "order");
  const order = field(wrapper, "order");
  const status = field(wrapper, "status");
  const origSz = parseDecimal(field(order, "origSz"));
  const remaining = parseDecimal(field(order, "sz"));
  const oid = field(order, "oid");
  const filledSize = Math.max(origSz - remaining, 0);
  return {
    found: true,
    status: typeof status === "string" ? status : "unknown",
    filledSize: Number(filledSize.toPrecision(12)),
    avgPx: null,
    ...(typeof oid === "number" ? { oid } : {}),
  };
}
