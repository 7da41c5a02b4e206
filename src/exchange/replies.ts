// Every /info reply hlcopy relies on is checked against a schema (valibot, as the SDK checks its
// requests) before anything reads it: a reply of the wrong shape becomes one clear, retryable
// UnexpectedReplyError naming the request, never a TypeError deep in normalize.ts. The schemas
// hold only what hlcopy reads and let everything else through (loose objects): a field the
// exchange adds tomorrow is no error. The SDK exports request schemas only, so these are ours.

import * as v from "valibot";
import { RetryableError } from "../core/errors.js";

/** The exchange answered 200 with something of the wrong shape. Retried like a 5xx. */
export class UnexpectedReplyError extends RetryableError {
  override name = "UnexpectedReplyError";
}

/** A decimal as the exchange writes it: a string that parses to a finite number. */
const Decimal = v.pipe(
  v.string(),
  v.check((s) => s.trim() !== "" && Number.isFinite(Number(s)), "expected a decimal string"),
);
const Int = v.pipe(v.number(), v.integer());

const MetaReply = v.looseObject({
  universe: v.array(
    v.looseObject({
      name: v.string(),
      szDecimals: Int,
      maxLeverage: v.number(),
      isDelisted: v.optional(v.boolean()),
    }),
  ),
});

const AllMidsReply = v.record(v.string(), v.string());

const ClearinghouseStateReply = v.looseObject({
  marginSummary: v.looseObject({ accountValue: Decimal }),
  assetPositions: v.array(
    v.looseObject({
      position: v.looseObject({
        coin: v.string(),
        szi: Decimal,
        entryPx: v.nullish(Decimal),
        leverage: v.optional(v.looseObject({ value: v.number() })),
      }),
    }),
  ),
  time: v.optional(v.number()),
});

const OpenOrdersReply = v.array(
  v.looseObject({
    coin: v.string(),
    oid: Int,
    side: v.picklist(["A", "B"]),
    sz: Decimal,
    limitPx: Decimal,
    cloid: v.nullish(v.string()),
    reduceOnly: v.optional(v.boolean()),
  }),
);

const OrderStatusReply = v.variant("status", [
  v.looseObject({
    status: v.literal("order"),
    order: v.looseObject({
      order: v.looseObject({ oid: Int, origSz: Decimal, sz: Decimal, timestamp: v.optional(v.number()) }),
      status: v.string(),
    }),
  }),
  v.looseObject({ status: v.literal("unknownOid") }),
]);

const FillsReply = v.array(
  v.looseObject({
    coin: v.string(),
    px: Decimal,
    sz: Decimal,
    side: v.picklist(["A", "B"]),
    startPosition: Decimal,
    time: Int,
    tid: v.optional(Int),
    hash: v.string(),
    oid: Int,
    fee: Decimal,
    closedPnl: Decimal,
    dir: v.string(),
    cloid: v.nullish(v.string()),
  }),
);

const LedgerReply = v.array(
  v.looseObject({ time: Int, hash: v.string(), delta: v.looseObject({ type: v.string() }) }),
);

const FundingReply = v.array(
  v.looseObject({
    time: Int,
    hash: v.string(),
    delta: v.looseObject({ coin: v.string(), usdc: Decimal, szi: Decimal, fundingRate: Decimal }),
  }),
);

const ExtraAgentsReply = v.array(
  v.looseObject({ address: v.string(), name: v.string(), validUntil: v.nullish(v.number()) }),
);

const Level = v.looseObject({ px: Decimal, sz: Decimal });
const L2BookReply = v.nullable(
  v.looseObject({ coin: v.string(), time: v.number(), levels: v.tuple([v.array(Level), v.array(Level)]) }),
);

/** The /info request types whose replies are checked, by `type`. */
const SCHEMAS: Record<string, v.GenericSchema> = {
  meta: MetaReply,
  allMids: AllMidsReply,
  clearinghouseState: ClearinghouseStateReply,
  openOrders: OpenOrdersReply,
  frontendOpenOrders: OpenOrdersReply,
  orderStatus: OrderStatusReply,
  userFills: FillsReply,
  userFillsByTime: FillsReply,
  userNonFundingLedgerUpdates: LedgerReply,
  userFunding: FundingReply,
  extraAgents: ExtraAgentsReply,
  l2Book: L2BookReply,
};

/** True when replies to this /info type are checked. */
export function isCheckedInfoType(type: string): boolean {
  return type in SCHEMAS;
}

/**
 * Check the reply to an /info request of `type` (types without a schema pass as they are).
 * @returns the reply itself, unchanged.
 * @throws {UnexpectedReplyError} naming the request and where the shape is wrong.
 */
export function checkInfoReply<T>(type: string, reply: T): T {
  const schema = SCHEMAS[type];
  if (!schema) return reply;
  const result = v.safeParse(schema, reply);
  if (result.success) return reply;
  const issue = result.issues[0];
  const path = issue?.path?.map((p) => String(p.key)).join(".") ?? "";
  const where = path ? ` at ${path}` : "";
  throw new UnexpectedReplyError(
    `the exchange answered something unexpected to ${type}${where}: ${issue?.message ?? "invalid shape"}`,
    {
      hint: "a later read asks again; if it persists, check --network points at a Hyperliquid API",
      details: { operation: type, received: preview(reply) },
    },
  );
}

/** A short, safe preview of what came back (for --debug and the journal). */
function preview(reply: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(reply) ?? String(reply);
  } catch {
    text = String(reply);
  }
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
