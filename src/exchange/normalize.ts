// SDK responses → our plain domain types. Wire decimals become numbers here and nowhere
// else; sides become "buy"/"sell"; sizes are signed (long > 0). Pure functions, no I/O.

import type {
  AllMidsResponse,
  ClearinghouseStateResponse,
  FrontendOpenOrdersResponse,
  L2BookResponse,
  MetaResponse,
  OpenOrdersResponse,
  UserFillsResponse,
  UserFundingResponse,
  UserNonFundingLedgerUpdatesResponse,
} from "@nktkas/hyperliquid/api/info";
import type { AccountState, Address, Fill, Markets, OpenOrder, Position, Side } from "../core/types.js";
import { parseDecimal } from "./wire.js";

/** One fill (ours or a leader's): the domain's one Fill type. */
export type { Fill } from "../core/types.js";

/** A deposit (usd > 0) or withdrawal (usd < 0) of the perp account: a cash flow, not a trade. */
export interface CashFlow {
  time: number;
  usd: number;
  /** The ledger delta type it came from ("deposit", "withdraw", "accountClassTransfer", …). */
  kind: string;
  hash: string;
}

/** A funding payment on one of our positions (userFunding record or userFundings message). */
export interface FundingPayment {
  /** Exchange time (ms); with `coin`, the payment's key (the stream carries no hash). */
  time: number;
  coin: string;
  /** USD received (+) or paid (−). */
  usdc: number;
  /** Signed position size it was paid on. */
  szi: number;
  fundingRate: number;
  hash: string | null;
}

export interface TopOfBook {
  coin: string;
  bestBid?: number;
  bestAsk?: number;
  /** Exchange time of the book (ms). */
  time: number;
  /** Every level the exchange sent (best first), for walking the book (paper fills). */
  levels?: { bids: { px: number; sz: number }[]; asks: { px: number; sz: number }[] };
}

export const toSide = (s: "B" | "A" | string): Side => (s === "B" ? "buy" : "sell");

/**
 * meta + mids → Markets. Asset ids are universe indexes (delisted coins keep their index but
 * are left out); a coin without a mid is left out (nothing can be priced against it).
 */
export function toMarkets(meta: MetaResponse, mids: AllMidsResponse): Markets {
  const markets: Markets = {};
  meta.universe.forEach((u, assetId) => {
    if (u.isDelisted) return;
    const mid = parseDecimal(mids[u.name], Number.NaN);
    if (!(mid > 0)) return;
    markets[u.name] = {
      coin: u.name,
      assetId,
      szDecimals: u.szDecimals,
      maxLeverage: u.maxLeverage,
      mid,
      ...(u.onlyIsolated === true || u.marginMode === "strictIsolated" || u.marginMode === "noCross"
        ? { onlyIsolated: true }
        : {}),
    };
  });
  return markets;
}

/** mids as numbers, dropping anything unparsable. */
export function toMids(mids: AllMidsResponse): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [coin, px] of Object.entries(mids)) {
    const n = parseDecimal(px, Number.NaN);
    if (n > 0) out[coin] = n;
  }
  return out;
}

/** Positions from a clearinghouseState (zero sizes dropped). */
export function toPositions(state: ClearinghouseStateResponse): Record<string, Position> {
  const positions: Record<string, Position> = {};
  for (const ap of state.assetPositions) {
    const p = ap.position;
    const size = parseDecimal(p.szi);
    if (size === 0) continue;
    positions[p.coin] = {
      coin: p.coin,
      size,
      entryPx: parseDecimal(p.entryPx),
      ...(typeof p.leverage?.value === "number" ? { leverage: p.leverage.value } : {}),
      ...(p.leverage?.type === "cross" || p.leverage?.type === "isolated"
        ? { marginMode: p.leverage.type }
        : {}),
    };
  }
  return positions;
}

export function toOpenOrder(o: FrontendOpenOrdersResponse[number] | OpenOrdersResponse[number]): OpenOrder {
  return {
    coin: o.coin,
    oid: o.oid,
    ...(o.cloid ? { cloid: o.cloid } : {}),
    side: toSide(o.side),
    size: parseDecimal(o.sz),
    limitPx: parseDecimal(o.limitPx),
    reduceOnly: o.reduceOnly === true,
    ...triggerOf(o),
  };
}

/** A trigger order's price and kind (frontendOpenOrders: isTrigger, orderType "Stop …"/"Take Profit …"). */
function triggerOf(
  o: FrontendOpenOrdersResponse[number] | OpenOrdersResponse[number],
): Pick<OpenOrder, "trigger"> {
  if (!("isTrigger" in o) || o.isTrigger !== true) return {};
  const triggerPx = parseDecimal(o.triggerPx, Number.NaN);
  if (!(triggerPx > 0)) return {};
  return { trigger: { triggerPx, tpsl: /^take profit/i.test(o.orderType) ? "tp" : "sl" } };
}

/**
 * clearinghouseState (+ open orders) → AccountState. `fallbackTime` is used when the reply
 * carries no `time` (older recorded replies).
 */
export function toAccountState(
  address: Address,
  state: ClearinghouseStateResponse,
  orders: FrontendOpenOrdersResponse | OpenOrdersResponse = [],
  fallbackTime = Date.now(),
): AccountState {
  const accountValue = parseDecimal(state.marginSummary.accountValue);
  let unrealized = 0;
  for (const ap of state.assetPositions) unrealized += parseDecimal(ap.position.unrealizedPnl, 0);
  return {
    address,
    accountValue,
    positions: toPositions(state),
    openOrders: orders.map(toOpenOrder),
    time: typeof state.time === "number" ? state.time : fallbackTime,
    cash: accountValue - unrealized,
  };
}

/**
 * A userFills entry → Fill. `user` (whose fills these are) tells a liquidation of that user
 * from a liquidator's fill, which also carries `liquidation`.
 */
export function toFill(f: UserFillsResponse[number], user?: string): Fill {
  const liquidatedUser = f.liquidation?.liquidatedUser;
  return {
    coin: f.coin,
    px: parseDecimal(f.px),
    sz: parseDecimal(f.sz),
    side: toSide(f.side),
    startPosition: parseDecimal(f.startPosition),
    time: f.time,
    tid: f.tid,
    hash: f.hash,
    oid: f.oid,
    cloid: f.cloid ?? null,
    fee: parseDecimal(f.fee),
    feeToken: f.feeToken,
    closedPnl: parseDecimal(f.closedPnl),
    dir: f.dir,
    crossed: f.crossed,
    liquidation:
      f.liquidation !== undefined &&
      (liquidatedUser === undefined || user === undefined || same(liquidatedUser, user)),
  };
}

/** userFunding records → funding payments (other delta types are not funding). */
export function toFundingPayments(records: UserFundingResponse): FundingPayment[] {
  const out: FundingPayment[] = [];
  for (const r of records) {
    const d = r.delta as { type?: string; coin: string; usdc: string; szi: string; fundingRate: string };
    if (d.type !== undefined && d.type !== "funding") continue;
    out.push({
      time: r.time,
      coin: d.coin,
      usdc: parseDecimal(d.usdc),
      szi: parseDecimal(d.szi),
      fundingRate: parseDecimal(d.fundingRate),
      hash: r.hash,
    });
  }
  return out;
}

/** A userFundings stream entry → a funding payment. */
export function toStreamFunding(f: {
  time: number;
  coin: string;
  usdc: string;
  szi: string;
  fundingRate: string;
}): FundingPayment {
  return {
    time: f.time,
    coin: f.coin,
    usdc: parseDecimal(f.usdc),
    szi: parseDecimal(f.szi),
    fundingRate: parseDecimal(f.fundingRate),
    hash: null,
  };
}

const same = (a: string | undefined, b: string) => a !== undefined && a.toLowerCase() === b.toLowerCase();

/**
 * Ledger updates → cash flows of `user`'s perp account (deposits > 0, withdrawals < 0).
 * Transfers between the user's own spot and perp accounts count (they change perp equity);
 * liquidations, rewards and spot-only movements do not.
 */
export function toCashFlows(user: Address, updates: UserNonFundingLedgerUpdatesResponse): CashFlow[] {
  const flows: CashFlow[] = [];
  for (const u of updates) {
    const usd = cashFlowUsd(user, u.delta);
    if (usd !== 0) flows.push({ time: u.time, usd, kind: u.delta.type, hash: u.hash });
  }
  return flows;
}

function cashFlowUsd(user: Address, d: UserNonFundingLedgerUpdatesResponse[number]["delta"]): number {
  switch (d.type) {
    case "deposit":
      return parseDecimal(d.usdc);
    case "withdraw":
      return -(parseDecimal(d.usdc) + parseDecimal(d.fee));
    case "accountClassTransfer":
      return d.toPerp ? parseDecimal(d.usdc) : -parseDecimal(d.usdc);
    case "internalTransfer":
      if (same(d.user, user)) return -(parseDecimal(d.usdc) + parseDecimal(d.fee));
      return same(d.destination, user) ? parseDecimal(d.usdc) : 0;
    case "subAccountTransfer":
      if (same(d.user, user)) return -parseDecimal(d.usdc);
      return same(d.destination, user) ? parseDecimal(d.usdc) : 0;
    case "send": {
      // Only the perp dex ("") moves perp equity; USDC only.
      if (d.token !== "USDC") return 0;
      if (same(d.user, user) && d.sourceDex === "") return -(parseDecimal(d.usdcValue) + parseDecimal(d.fee));
      return same(d.destination, user) && d.destinationDex === "" ? parseDecimal(d.usdcValue) : 0;
    }
    case "vaultDeposit":
    case "vaultCreate":
      return -parseDecimal(d.usdc);
    case "vaultWithdraw":
      return same(d.user, user) ? parseDecimal(d.netWithdrawnUsd) : 0;
    case "vaultDistribution":
      return parseDecimal(d.usdc);
    default:
      return 0;
  }
}

/** Best bid/ask of a book; `withLevels` keeps every level too (for walking it). */
/** A `bbo` stream message (best bid and ask only; null when that side is empty) as a TopOfBook. */
export function bboToTopOfBook(data: {
  coin: string;
  time: number;
  bbo: readonly ({ px: string } | null | undefined)[];
}): TopOfBook {
  const bid = data.bbo[0] ? parseDecimal(data.bbo[0].px, Number.NaN) : Number.NaN;
  const ask = data.bbo[1] ? parseDecimal(data.bbo[1].px, Number.NaN) : Number.NaN;
  return {
    coin: data.coin,
    ...(bid > 0 ? { bestBid: bid } : {}),
    ...(ask > 0 ? { bestAsk: ask } : {}),
    time: data.time,
  };
}

export function toTopOfBook(coin: string, book: L2BookResponse, withLevels = false): TopOfBook {
  if (!book) return { coin, time: Date.now() };
  const [bids, asks] = book.levels;
  const bid = bids[0] ? parseDecimal(bids[0].px, Number.NaN) : Number.NaN;
  const ask = asks[0] ? parseDecimal(asks[0].px, Number.NaN) : Number.NaN;
  const side = (levels: { px: string; sz: string }[]) =>
    levels
      .map((l) => ({ px: parseDecimal(l.px, Number.NaN), sz: parseDecimal(l.sz, Number.NaN) }))
      .filter((l) => l.px > 0 && l.sz > 0);
  return {
    coin: book.coin,
    ...(bid > 0 ? { bestBid: bid } : {}),
    ...(ask > 0 ? { bestAsk: ask } : {}),
    time: book.time,
    ...(withLevels ? { levels: { bids: side(bids), asks: side(asks) } } : {}),
  };
}
