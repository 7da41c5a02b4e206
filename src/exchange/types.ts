// The adapter's result shapes are the engine's port types (src/engine/ports.ts): the
// client satisfies ExchangePort structurally, and there is one definition to change.

export type { CloidLookup, OrderResult, OrderResultStatus, SendOptions } from "../engine/ports.js";
