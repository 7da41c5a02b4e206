// What the engine needs from an exchange, as an interface: the adapter (src/exchange)
// implements it over the SDK; the paper and dry-run executors stand in for order sending.

import type { AccountState, Address, Markets, PlannedAction } from "../core/types.js";

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

/** How a batch is sent: a stop aborts `signal`, and a batch not yet on the wire stays unsent. */
export interface SendOptions {
  signal?: AbortSignal;
}

/** An order looked up by cloid: not found, or its exchange status and filled size. */
export type CloidLookup =
  | { found: false }
  | { found: true; status: string; filledSize: number; avgPx: number | null; oid?: number };

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

export interface ExchangeReader {
  getMarkets(): Promise<Markets>;
  getAccountState(user: Address): Promise<AccountState>;
}

export interface ExchangePort extends ExchangeReader {
  placeOrders(actions: PlannedAction[], markets: Markets, options?: SendOptions): Promise<OrderResult[]>;
  lookupOrderByCloid(user: Address, cloid: string): Promise<CloidLookup>;
}
