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

export interface ExchangeReader {
  getMarkets(): Promise<Markets>;
  getAccountState(user: Address): Promise<AccountState>;
}

export interface ExchangePort extends ExchangeReader {
  placeOrders(actions: PlannedAction[], markets: Markets, options?: SendOptions): Promise<OrderResult[]>;
  lookupOrderByCloid(user: Address, cloid: string): Promise<CloidLookup>;
}
