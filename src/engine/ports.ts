// What the engine needs from an exchange, as an interface: the adapter (src/exchange)
// implements it over the SDK; the paper and dry-run executors stand in for order sending.
// The order shapes themselves live in core (core/orders.ts): the adapter and the journal use
// them without importing the engine.

import type { CloidLookup, OrderResult, SendOptions } from "../core/orders.js";
import type { AccountState, Address, Markets, PlannedAction } from "../core/types.js";

export type { CloidLookup, OrderResult, OrderResultStatus, SendOptions } from "../core/orders.js";
export { resultFromLookup } from "../core/orders.js";

export interface ExchangeReader {
  getMarkets(): Promise<Markets>;
  getAccountState(user: Address): Promise<AccountState>;
}

export interface ExchangePort extends ExchangeReader {
  placeOrders(actions: PlannedAction[], markets: Markets, options?: SendOptions): Promise<OrderResult[]>;
  lookupOrderByCloid(user: Address, cloid: string): Promise<CloidLookup>;
}
