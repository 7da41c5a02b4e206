// The exchange adapter: the only code (with the simulator and agents.ts) that imports
// @nktkas/hyperliquid. Commands load it lazily: `await import("../exchange/index.js")`.

export {
  type BudgetEvent,
  EXCHANGE_WEIGHT_PER_MINUTE,
  exchangeWeight,
  infoItemWeight,
  infoWeight,
  ONE_SHOT_BURST,
  RequestBudget,
  type RequestBudgetOptions,
  type RequestKind,
} from "./budget.js";
export {
  createExchangeClient,
  type ExchangeClientOptions,
  type HlClient,
  type OrderReplyInfo,
  type ResolveOptions,
} from "./client.js";
export { type ErrorContext, type TradeContext, translateError } from "./errors.js";
export { MAX_LEADERS, WS_LIMITS } from "./limits.js";
export { createNonceSource, type NonceSource } from "./nonce.js";
export type { CashFlow, Fill, FundingPayment, TopOfBook } from "./normalize.js";
export { readOrderReply, readOrderStatus, resultFromLookup } from "./results.js";
export {
  type OpenStreamsOptions,
  openStreams,
  planSubscriptions,
  type StreamEvent,
  type StreamHealth,
  type Streams,
  type SubscriptionPlan,
} from "./streams.js";
export {
  type FindSubAccountParameters,
  findSubAccount,
  findSubAccountMaster,
  masterFromRole,
  type SubAccount,
  subAccountFrom,
} from "./subaccounts.js";
export type { CloidLookup, OrderResult, OrderResultStatus } from "./types.js";
export { type OrderWire, priceToWire, sizeToWire, toOrderWire } from "./wire.js";
