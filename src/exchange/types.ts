// The adapter's result shapes are the domain's order types (src/core/orders.ts): the client
// satisfies the engine's ports structurally, and there is one definition to change.

export type { CloidLookup, OrderResult, OrderResultStatus, SendOptions } from "../core/orders.js";
