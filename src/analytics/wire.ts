// The exchange's info responses that analytics read (userFills, userFunding, portfolio,
// clearinghouseState, meta), parsed by schema into plain numeric data. Numbers arrive as
// decimal strings on the wire; numbers are accepted too (fixtures, other tools' exports).

import * as v from "valibot";
import { UsageError } from "../core/errors.js";

/** One fill of the leader, numeric (the API's userFills item). */
export interface Fill {
  coin: string;
  px: number;
  /** Unsigned size in coin units. */
  sz: number;
  /** "B" = buy (bid side), "A" = sell (ask side). */
  side: "B" | "A";
  time: number;
  /** Signed position before this fill, as the exchange reports it. */
  startPosition: number;
  /** "Open Long", "Close Short", "Long > Short", … ("" when absent). */
  dir: string;
  /** PnL realized by this fill, before fees. */
  closedPnl: number;
  /** Fee paid (negative = rebate). */
  fee: number;
  hash: string;
  oid: number;
  tid?: number;
  crossed?: boolean;
  liquidation?: boolean;
}

/** One hourly funding payment (userFunding item). `usdc` > 0 = received. */
export interface FundingPayment {
  time: number;
  coin: string;
  usdc: number;
  /** Signed position size funding was paid on. */
  szi: number;
  fundingRate: number;
}

export type PortfolioPeriod = "day" | "week" | "month" | "allTime" | string;

/** The portfolio response: per period, account value and PnL histories ([time, value]). */
export type Portfolio = Record<
  PortfolioPeriod,
  { accountValueHistory: [number, number][]; pnlHistory: [number, number][]; vlm: number }
>;

/** What analytics need from clearinghouseState. */
export interface AccountSnapshot {
  accountValue: number;
  totalNtlPos: number;
  positions: { coin: string; szi: number; entryPx: number; leverage: number | null; positionValue: number }[];
  time: number | null;
}

export interface MetaAsset {
  name: string;
  szDecimals: number;
  maxLeverage: number;
  assetId: number;
}

/** A decimal string as the exchange writes numbers (or a plain number). */
const NUMERIC = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

const DecimalSchema = v.pipe(
  v.union([v.number(), v.pipe(v.string(), v.regex(NUMERIC))]),
  v.transform(Number),
  v.finite(),
);
const positive = v.pipe(DecimalSchema, v.minValue(0));
const int = v.pipe(DecimalSchema, v.integer());

const FillSchema = v.pipe(
  v.looseObject({
    coin: v.pipe(v.string(), v.minLength(1)),
    px: v.pipe(DecimalSchema, v.gtValue(0)),
    sz: v.pipe(DecimalSchema, v.gtValue(0)),
    // "B"/"A" on the wire; "buy"/"sell" from the adapter's normalized fills.
    side: v.pipe(
      v.picklist(["B", "A", "buy", "sell"]),
      v.transform((x): "B" | "A" => (x === "B" || x === "buy" ? "B" : "A")),
    ),
    time: v.pipe(int, v.minValue(0)),
    startPosition: DecimalSchema,
    dir: v.optional(v.string(), ""),
    closedPnl: v.optional(DecimalSchema, 0),
    fee: v.optional(DecimalSchema, 0),
    hash: v.optional(v.string(), ""),
    oid: v.optional(int, 0),
    tid: v.optional(int),
    crossed: v.optional(v.boolean()),
    liquidation: v.optional(v.nullable(v.unknown())),
  }),
  v.transform((f): Fill => {
    const out: Fill = {
      coin: f.coin,
      px: f.px,
      sz: f.sz,
      side: f.side,
      time: f.time,
      startPosition: f.startPosition,
      dir: f.dir,
      closedPnl: f.closedPnl,
      fee: f.fee,
      hash: f.hash,
      oid: f.oid,
    };
    if (f.tid !== undefined) out.tid = f.tid;
    if (f.crossed !== undefined) out.crossed = f.crossed;
    if (f.liquidation !== undefined && f.liquidation !== null && f.liquidation !== false)
      out.liquidation = true;
    return out;
  }),
);

const FundingSchema = v.pipe(
  v.looseObject({
    time: int,
    delta: v.looseObject({
      coin: v.string(),
      usdc: DecimalSchema,
      szi: v.optional(DecimalSchema, 0),
      fundingRate: v.optional(DecimalSchema, 0),
    }),
  }),
  v.transform(
    (f): FundingPayment => ({
      time: f.time,
      coin: f.delta.coin,
      usdc: f.delta.usdc,
      szi: f.delta.szi,
      fundingRate: f.delta.fundingRate,
    }),
  ),
);

const Series = v.array(
  v.pipe(
    v.tuple([int, DecimalSchema]),
    v.transform((t): [number, number] => [t[0], t[1]]),
  ),
);
const PortfolioSchema = v.array(
  v.tuple([
    v.string(),
    v.looseObject({ accountValueHistory: Series, pnlHistory: Series, vlm: v.optional(DecimalSchema, 0) }),
  ]),
);

const ClearinghouseSchema = v.looseObject({
  marginSummary: v.looseObject({ accountValue: DecimalSchema, totalNtlPos: v.optional(DecimalSchema, 0) }),
  assetPositions: v.array(
    v.looseObject({
      position: v.looseObject({
        coin: v.string(),
        szi: DecimalSchema,
        entryPx: v.optional(v.nullable(DecimalSchema), null),
        positionValue: v.optional(DecimalSchema, 0),
        leverage: v.optional(v.looseObject({ value: DecimalSchema }), undefined),
      }),
    }),
  ),
  time: v.optional(int),
});

const MetaSchema = v.looseObject({
  universe: v.array(
    v.looseObject({
      name: v.string(),
      szDecimals: v.pipe(int, v.minValue(0), v.maxValue(12)),
      maxLeverage: v.optional(positive, 50),
    }),
  ),
});

/** A cassette (`{request, response}`) or a bare response. */
function unwrap(data: unknown): unknown {
  if (data !== null && typeof data === "object" && !Array.isArray(data) && "response" in data) {
    return (data as { response: unknown }).response;
  }
  return data;
}

function issueText(issues: readonly v.BaseIssue<unknown>[]): string {
  const first = issues[0];
  if (!first) return "invalid data";
  const path = (first.path ?? [])
    .map((p) => (typeof p.key === "number" ? `#${p.key}` : String(p.key)))
    .join(".");
  return path ? `${path}: ${first.message}` : first.message;
}

function fail(what: string, source: string, detail: string, hint: string): UsageError {
  return new UsageError(`${source} is not a valid ${what} file (${detail})`, { hint });
}

const FILLS_HINT =
  "expected a JSON array of fills in the API's userFills shape (coin, px, sz, side, time, startPosition, …), or a {response: [...]} cassette";

/**
 * Parse fills in the userFills shape: an array, or `{response: [...]}` as in the cassettes.
 * File order is kept (see sortFills for replay order).
 * @throws {UsageError} naming the first bad fill and field.
 */
export function parseFills(data: unknown, source = "input"): Fill[] {
  const list = unwrap(data);
  if (!Array.isArray(list)) throw fail("fills", source, "not an array of fills", FILLS_HINT);
  const out: Fill[] = new Array(list.length);
  for (let i = 0; i < list.length; i++) out[i] = toFill(list[i], i, source);
  return out;
}

/** A wire number (a number, or a decimal string the schema accepts), or NaN. */
function wireNum(x: unknown): number {
  if (typeof x === "number") return Number.isFinite(x) ? x : Number.NaN;
  if (typeof x === "string" && NUMERIC.test(x)) {
    const n = Number(x);
    return Number.isFinite(n) ? n : Number.NaN;
  }
  return Number.NaN;
}

/**
 * One fill item, checked field by field without the schema machinery (a million fills
 * would spend seconds in it); anything the fast path does not accept goes through
 * FillSchema for the same result or the same error as before.
 * @throws {UsageError} naming the fill (#index) and the field.
 */
export function toFill(item: unknown, index: number, source = "input"): Fill {
  if (item !== null && typeof item === "object" && !Array.isArray(item)) {
    const o = item as Record<string, unknown>;
    const coin = o.coin;
    const px = wireNum(o.px);
    const sz = wireNum(o.sz);
    const s = o.side;
    const time = wireNum(o.time);
    const startPosition = wireNum(o.startPosition);
    const closedPnl = o.closedPnl === undefined ? 0 : wireNum(o.closedPnl);
    const fee = o.fee === undefined ? 0 : wireNum(o.fee);
    const oid = o.oid === undefined ? 0 : wireNum(o.oid);
    const tid = o.tid === undefined ? undefined : wireNum(o.tid);
    const dir = o.dir === undefined ? "" : o.dir;
    const hash = o.hash === undefined ? "" : o.hash;
    const crossed = o.crossed;
    const liq = o.liquidation;
    if (
      typeof coin === "string" &&
      coin.length > 0 &&
      px > 0 &&
      sz > 0 &&
      (s === "B" || s === "A" || s === "buy" || s === "sell") &&
      Number.isInteger(time) &&
      time >= 0 &&
      !Number.isNaN(startPosition) &&
      !Number.isNaN(closedPnl) &&
      !Number.isNaN(fee) &&
      Number.isInteger(oid) &&
      (tid === undefined || Number.isInteger(tid)) &&
      typeof dir === "string" &&
      typeof hash === "string" &&
      (crossed === undefined || typeof crossed === "boolean")
    ) {
      const out: Fill = {
        coin,
        px,
        sz,
        side: s === "B" || s === "buy" ? "B" : "A",
        time,
        startPosition,
        dir,
        closedPnl,
        fee,
        hash,
        oid,
      };
      if (tid !== undefined) out.tid = tid;
      if (crossed !== undefined) out.crossed = crossed;
      if (liq !== undefined && liq !== null && liq !== false) out.liquidation = true;
      return out;
    }
  }
  const r = v.safeParse(FillSchema, item);
  if (r.success) return r.output;
  const path = issueText(r.issues);
  const detail = r.issues[0]?.path?.length ? `#${index}.${path}` : `#${index}: ${path}`;
  throw fail("fills", source, `fill ${detail}`, FILLS_HINT);
}

/**
 * Parse JSON text of fills (see parseFills).
 * @throws {UsageError} for text that is not JSON or not fills.
 */
export function parseFillsJson(text: string, source = "input"): Fill[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const why = error instanceof Error ? error.message.split("\n")[0] : "bad JSON";
    throw fail("fills", source, `not JSON: ${why}`, FILLS_HINT);
  }
  return parseFills(data, source);
}

/** @throws {UsageError} when the data is not a userFunding response. */
export function parseFunding(data: unknown, source = "userFunding"): FundingPayment[] {
  const r = v.safeParse(v.array(FundingSchema), unwrap(data));
  if (!r.success) {
    throw fail("userFunding", source, issueText(r.issues), "expected the API's userFunding response");
  }
  return r.output;
}

/** One funding rate of a coin (fundingHistory item): longs pay `rate` × notional when > 0. */
export interface FundingRate {
  coin: string;
  time: number;
  rate: number;
}

const FundingRateSchema = v.pipe(
  v.looseObject({
    coin: v.pipe(v.string(), v.minLength(1)),
    fundingRate: DecimalSchema,
    time: v.pipe(int, v.minValue(0)),
  }),
  v.transform((f): FundingRate => ({ coin: f.coin, time: f.time, rate: f.fundingRate })),
);

/**
 * Parse fundingHistory responses: one array, a cassette, or several (one per coin) merged.
 * @throws {UsageError} naming the first bad item.
 */
export function parseFundingHistory(data: unknown, source = "fundingHistory"): FundingRate[] {
  const list = unwrap(data);
  const r = v.safeParse(v.array(FundingRateSchema), list);
  if (!r.success) {
    throw fail(
      "fundingHistory",
      source,
      issueText(r.issues),
      "expected the API's fundingHistory response: [{coin, fundingRate, time}, …] (one coin or several)",
    );
  }
  return r.output.sort((a, b) => a.time - b.time);
}

/** An hourly candle's close (candleSnapshot item `{s, t, c, …}`): risk-parity's volatility. */
export interface CandleClose {
  coin: string;
  t: number;
  c: number;
}

const CandleSchema = v.pipe(
  v.looseObject({ s: v.pipe(v.string(), v.minLength(1)), t: v.pipe(int, v.minValue(0)), c: DecimalSchema }),
  v.transform((k): CandleClose => ({ coin: k.s, t: k.t, c: k.c })),
);

/**
 * Parse candleSnapshot responses: one array, a cassette, or several (one per coin: a list of
 * arrays or cassettes), oldest first per coin.
 * @throws {UsageError} naming the first bad item.
 */
export function parseCandles(data: unknown, source = "candleSnapshot"): CandleClose[] {
  const top = unwrap(data);
  const parts =
    Array.isArray(top) &&
    top.length > 0 &&
    top.every((x) => Array.isArray(x) || (typeof x === "object" && x !== null && "response" in x))
      ? top.map(unwrap)
      : [top];
  const out: CandleClose[] = [];
  for (const part of parts) {
    const r = v.safeParse(v.array(CandleSchema), part);
    if (!r.success) {
      throw fail(
        "candleSnapshot",
        source,
        issueText(r.issues),
        "expected the API's candleSnapshot response: [{s, t, c, …}, …] (one coin, or a list of them)",
      );
    }
    out.push(...r.output);
  }
  return out.sort((a, b) => (a.coin < b.coin ? -1 : a.coin > b.coin ? 1 : a.t - b.t));
}

/** @throws {UsageError} when the data is not a portfolio response. */
export function parsePortfolio(data: unknown, source = "portfolio"): Portfolio {
  const r = v.safeParse(PortfolioSchema, unwrap(data));
  if (!r.success) {
    throw fail("portfolio", source, issueText(r.issues), "expected the API's portfolio response");
  }
  const out: Portfolio = {};
  for (const [period, h] of r.output) {
    out[period] = { accountValueHistory: h.accountValueHistory, pnlHistory: h.pnlHistory, vlm: h.vlm };
  }
  return out;
}

/** @throws {UsageError} when the data is not a clearinghouseState response. */
export function parseClearinghouseState(data: unknown, source = "clearinghouseState"): AccountSnapshot {
  const r = v.safeParse(ClearinghouseSchema, unwrap(data));
  if (!r.success) {
    throw fail(
      "clearinghouseState",
      source,
      issueText(r.issues),
      "expected the API's clearinghouseState response",
    );
  }
  const s = r.output;
  return {
    accountValue: s.marginSummary.accountValue,
    totalNtlPos: s.marginSummary.totalNtlPos,
    positions: s.assetPositions
      .map(({ position: p }) => ({
        coin: p.coin,
        szi: p.szi,
        entryPx: p.entryPx ?? 0,
        leverage: p.leverage?.value ?? null,
        positionValue: p.positionValue,
      }))
      .filter((p) => p.szi !== 0),
    time: s.time ?? null,
  };
}

/** @throws {UsageError} when the data is not a meta response. */
export function parseMeta(data: unknown, source = "meta"): MetaAsset[] {
  const r = v.safeParse(MetaSchema, unwrap(data));
  if (!r.success) throw fail("meta", source, issueText(r.issues), "expected the API's meta response");
  return r.output.universe.map((a, assetId) => ({
    name: a.name,
    szDecimals: a.szDecimals,
    maxLeverage: a.maxLeverage,
    assetId,
  }));
}
