// Read-only views of the engine in the SDK's response shapes: the bodies of /info replies and
// of websocket snapshots. Every function is typed by the SDK's own response type.

import {
  type Account,
  Engine,
  MAKER_FEE_RATE,
  type Market,
  REQUEST_BUFFER,
  TAKER_FEE_RATE,
  type Twap,
  type TwapRecord,
} from "./engine.js";
import { fmtAvgPx, fmtLots, fmtPx, usd, wire } from "./numbers.js";
import type {
  ActiveAssetCtxEvent,
  ActiveAssetDataResponse,
  AllMidsResponse,
  AllPerpMetasResponse,
  ApprovedBuildersResponse,
  AssetPosition,
  BboEvent,
  Candle,
  CandleInterval,
  ClearinghouseStateResponse,
  DelegationsResponse,
  DelegatorHistoryResponse,
  DelegatorRewardsResponse,
  DelegatorSummaryResponse,
  ExtraAgentsResponse,
  FrontendOpenOrdersResponse,
  FundingHistoryResponse,
  IsVipResponse,
  L2BookResponse,
  L2Level,
  LegalCheckResponse,
  LiquidatableResponse,
  MarginTableResponse,
  MaxMarketOrderNtlsResponse,
  MetaAndAssetCtxsResponse,
  MetaResponse,
  OpenOrdersResponse,
  OrderStatusResponse,
  PerpAssetCtx,
  PerpDexLimitsResponse,
  PerpDexStatusResponse,
  PerpDexsResponse,
  PerpsAtOpenInterestCapResponse,
  PortfolioResponse,
  PredictedFundingsResponse,
  ReferralResponse,
  SpotClearinghouseStateResponse,
  SpotMetaAndAssetCtxsResponse,
  SpotMetaResponse,
  SubAccounts2Response,
  SubAccountsResponse,
  TwapHistoryResponse,
  TwapState,
  UserAbstractionResponse,
  UserDexAbstractionResponse,
  UserFeesResponse,
  UserFill,
  UserFillsResponse,
  UserFundingResponse,
  UserNonFundingLedgerUpdatesResponse,
  UserRateLimitResponse,
  UserToMultiSigSignersResponse,
  UserTwapSliceFillsResponse,
  UserVaultEquitiesResponse,
  VaultDetailsResponse,
  WebData2Response,
  WebData3Event,
} from "./sdk-types.js";
import type { Hex } from "./types.js";

/** The exchange returns at most this many fills per request. */
const MAX_FILLS = 2000;
/**
 * Only a user's 10,000 most recent fills are available: `userFillsByTime` never reaches further
 * back, whatever its startTime (Hyperliquid API docs, info endpoint: "Only the 10000 most recent
 * fills are available"; QuickNode's userFillsByTime page says the same). `userFills` reads the
 * newest 2000 of them.
 */
export const FILL_HISTORY_LIMIT = 10_000;

/** The fills the exchange still serves of an account: its FILL_HISTORY_LIMIT most recent, oldest first. */
function availableFills(engine: Engine, user: Hex): UserFill[] {
  return (engine.account(user)?.fills ?? []).slice(-FILL_HISTORY_LIMIT);
}
const DAY_MS = 86_400_000;

export function meta(engine: Engine): MetaResponse {
  const tableIds = new Set<number>();
  const universe = engine.markets.map((m) => {
    tableIds.add(m.maxLeverage);
    const entry: MetaResponse["universe"][number] = {
      szDecimals: m.szDecimals,
      name: m.name,
      maxLeverage: m.maxLeverage,
      marginTableId: m.maxLeverage,
    };
    if (m.onlyIsolated) {
      entry.onlyIsolated = true;
      entry.marginMode = "strictIsolated";
    }
    return entry;
  });
  const marginTables: MetaResponse["marginTables"] = [...tableIds]
    .sort((a, b) => a - b)
    .map((id) => [id, { description: "", marginTiers: [{ lowerBound: "0.0", maxLeverage: id }] }]);
  return { universe, marginTables, collateralToken: 0 };
}

function assetCtx(engine: Engine, m: Market): PerpAssetCtx {
  const now = engine.now();
  let dayNtl = 0;
  let dayBase = 0;
  let prevDayPx = m.startPx;
  for (const c of m.candles) {
    if (c.t >= now - DAY_MS) {
      dayNtl += c.ntl;
      dayBase += c.v;
    } else {
      prevDayPx = c.c;
    }
  }
  const { bid, ask } = engine.bbo(m);
  const px = (n: number) => fmtPx(n, m.szDecimals);
  return {
    funding: wire(m.fundingRate, 8),
    openInterest: fmtLots(m.longLots, m.szDecimals),
    prevDayPx: px(prevDayPx),
    dayNtlVlm: usd(dayNtl),
    premium: wire(m.premium, 8),
    oraclePx: px(m.mid),
    markPx: px(m.mid),
    midPx: px(m.mid),
    impactPxs: bid !== undefined && ask !== undefined ? [px(bid), px(ask)] : null,
    dayBaseVlm: wire(dayBase, m.szDecimals),
  };
}

/** The websocket `activeAssetCtx` message of one coin: its context as metaAndAssetCtxs lists it. */
export function activeAssetCtx(engine: Engine, m: Market): ActiveAssetCtxEvent {
  return { coin: m.name, ctx: assetCtx(engine, m) };
}

/**
 * `activeAssetData` (info and websocket) of a user in one market: the leverage setting (the
 * position's, else the stored one, else the default), the mark, and what the account could
 * trade each way [buy, sell]. The simulator's own estimate, from the same withdrawable figure
 * its margin check uses: opening needs withdrawable × leverage of notional; the side that
 * closes the position may also trade the position away. Sizes round down to the lot.
 */
export function activeAssetData(engine: Engine, user: Hex, m: Market): ActiveAssetDataResponse {
  const acct = engine.account(user);
  const pos = acct?.positions.get(m.name);
  const lev = pos ? pos.leverage : engine.leverageOf(acct, m);
  const leverage: ActiveAssetDataResponse["leverage"] =
    lev.type === "isolated"
      ? {
          type: "isolated",
          value: lev.value,
          rawUsd: usd(pos ? pos.isolatedMargin - (pos.lots / m.scale) * pos.entryPx : 0),
        }
      : { type: "cross", value: lev.value };
  const open = acct ? engine.summary(acct).withdrawable * lev.value : 0;
  const posNtl = pos ? Math.abs(pos.lots / m.scale) * m.mid : 0;
  const buyUsd = open + (pos && pos.lots < 0 ? posNtl : 0);
  const sellUsd = open + (pos && pos.lots > 0 ? posNtl : 0);
  const lots = (ntl: number) => fmtLots(Math.floor((ntl / m.mid) * m.scale + 1e-9), m.szDecimals);
  return {
    user,
    coin: m.name,
    leverage,
    maxTradeSzs: [lots(buyUsd), lots(sellUsd)],
    availableToTrade: [usd(buyUsd), usd(sellUsd)],
    markPx: fmtPx(m.mid, m.szDecimals),
  };
}

export function metaAndAssetCtxs(engine: Engine): MetaAndAssetCtxsResponse {
  return [meta(engine), engine.markets.map((m) => assetCtx(engine, m))];
}

export function allMids(engine: Engine): AllMidsResponse {
  const mids: AllMidsResponse = {};
  for (const m of engine.markets) mids[m.name] = fmtPx(m.mid, m.szDecimals);
  return mids;
}

/** The exchange's l2Book shows at most this many levels a side. */
export const L2_LEVELS = 20;

/**
 * Round a level price to `nSigFigs` significant figures (in steps of `mantissa` × the last
 * figure when nSigFigs is 5), outward: bids down, asks up.
 */
function bucketPx(px: number, nSigFigs: number, mantissa: number, side: "bid" | "ask"): number {
  const step = mantissa * 10 ** (Math.floor(Math.log10(px)) + 1 - nSigFigs);
  const scaled = px / step;
  const r = side === "bid" ? Math.floor(scaled + 1e-9) : Math.ceil(scaled - 1e-9);
  return Number((r * step).toPrecision(12));
}

/**
 * The book as `l2Book` shows it: at most 20 levels a side, users' resting orders and the maker's
 * levels merged by price; with `nSigFigs` (2–5, optionally `mantissa` 1, 2 or 5 with 5) every
 * level is first rounded outward to that many significant figures and equal prices merged.
 */
export function l2Book(
  engine: Engine,
  coin: string,
  nSigFigs?: number | null,
  mantissa?: number | null,
): L2BookResponse {
  const m = engine.marketsByName.get(coin);
  if (!m) return null;
  const aggregate = typeof nSigFigs === "number";
  // Aggregation needs every level; the users' orders and the maker's 20 are all there is.
  const [bids, asks] = engine.levels(m, aggregate ? Number.POSITIVE_INFINITY : L2_LEVELS);
  const toLevels = (levels: { px: number; lots: number; n: number }[], side: "bid" | "ask"): L2Level[] => {
    let out = levels;
    if (aggregate) {
      out = [];
      for (const l of levels) {
        const px = bucketPx(l.px, nSigFigs, mantissa ?? 1, side);
        const last = out[out.length - 1];
        if (last && last.px === px) {
          last.lots += l.lots;
          last.n += l.n;
        } else {
          out.push({ px, lots: l.lots, n: l.n });
        }
      }
    }
    return out
      .slice(0, L2_LEVELS)
      .map((l) => ({ px: fmtPx(l.px, m.szDecimals), sz: fmtLots(l.lots, m.szDecimals), n: l.n }));
  };
  return { coin, time: engine.now(), levels: [toLevels(bids, "bid"), toLevels(asks, "ask")] };
}

export function bbo(engine: Engine, m: Market): BboEvent {
  const [bids, asks] = engine.levels(m, 1);
  const level = (l: { px: number; lots: number; n: number } | undefined) =>
    l ? { px: fmtPx(l.px, m.szDecimals), sz: fmtLots(l.lots, m.szDecimals), n: l.n } : null;
  return { coin: m.name, time: engine.now(), bbo: [level(bids[0]), level(asks[0])] };
}

function liquidationPx(size: number, mark: number, marginAvailable: number, mmr: number): string | null {
  if (size === 0) return null;
  const side = Math.sign(size);
  const px = mark - (side * marginAvailable) / Math.abs(size) / (1 - mmr * side);
  return Number.isFinite(px) && px > 0 ? wire(px, 8) : null;
}

export function clearinghouseState(engine: Engine, user: Hex): ClearinghouseStateResponse {
  const acct = engine.account(user);
  const time = engine.now();
  if (!acct) {
    const zero = { accountValue: "0.0", totalNtlPos: "0.0", totalRawUsd: "0.0", totalMarginUsed: "0.0" };
    return {
      marginSummary: { ...zero },
      crossMarginSummary: { ...zero },
      crossMaintenanceMarginUsed: "0.0",
      withdrawable: "0.0",
      assetPositions: [],
      time,
    };
  }
  const s = engine.summary(acct);
  const assetPositions: AssetPosition[] = [];
  let signedNtl = 0;
  let crossSignedNtl = 0;
  for (const m of engine.markets) {
    const pos = acct.positions.get(m.name);
    if (!pos) continue;
    const size = pos.lots / m.scale;
    const ntl = Math.abs(size) * m.mid;
    const upnl = size * (m.mid - pos.entryPx);
    const mmr = Engine.maintenanceRate(m);
    signedNtl += size * m.mid;
    const isolated = pos.leverage.type === "isolated";
    if (!isolated) crossSignedNtl += size * m.mid;
    const marginUsed = isolated ? pos.isolatedMargin + upnl : ntl / pos.leverage.value;
    const available = isolated
      ? pos.isolatedMargin + upnl - ntl * mmr
      : s.cross.accountValue - s.cross.maintenance;
    // Return on equity: a cross position's uPnL over its margin at the mark (ntl / leverage), as
    // every row of the recorded mainnet state has it (cassette clearinghouseState.json: BTC
    // -0.08007 / 10.582271 = -0.00756643, not / the entry's 10.578268). No isolated position was
    // recorded: it keeps the margin at entry.
    const initial = isolated ? (Math.abs(size) * pos.entryPx) / pos.leverage.value : ntl / pos.leverage.value;
    assetPositions.push({
      type: "oneWay",
      position: {
        coin: m.name,
        szi: fmtLots(pos.lots, m.szDecimals),
        leverage: isolated
          ? {
              type: "isolated",
              value: pos.leverage.value,
              rawUsd: usd(pos.isolatedMargin - size * pos.entryPx),
            }
          : { type: "cross", value: pos.leverage.value },
        entryPx: fmtAvgPx(pos.entryPx, m.szDecimals),
        positionValue: usd(ntl),
        unrealizedPnl: usd(upnl),
        returnOnEquity: wire(initial > 0 ? upnl / initial : 0, 8),
        liquidationPx: liquidationPx(size, m.mid, available, mmr),
        marginUsed: usd(marginUsed),
        maxLeverage: m.maxLeverage,
        cumFunding: {
          allTime: usd(pos.cumFunding.allTime),
          sinceOpen: usd(pos.cumFunding.sinceOpen),
          sinceChange: usd(pos.cumFunding.sinceChange),
        },
      },
    });
  }
  return {
    marginSummary: {
      accountValue: usd(s.accountValue),
      totalNtlPos: usd(s.ntl),
      totalRawUsd: usd(s.accountValue - signedNtl),
      totalMarginUsed: usd(s.marginUsed),
    },
    crossMarginSummary: {
      accountValue: usd(s.cross.accountValue),
      totalNtlPos: usd(s.cross.ntl),
      totalRawUsd: usd(s.cross.accountValue - crossSignedNtl),
      totalMarginUsed: usd(s.cross.marginUsed),
    },
    crossMaintenanceMarginUsed: usd(s.cross.maintenance),
    withdrawable: usd(s.withdrawable),
    assetPositions,
    time,
  };
}

/**
 * The account's open orders, newest first. A `normalTpsl` entry's TP/SL children waiting for it
 * to fill are open orders of their own too: mainnet lists them beside the entry as well as under
 * its `children` (cassette frontendOpenOrders.json: INJ entry 3184595905 with its stop 06 and
 * take-profit 07, all three at the top level, oids descending).
 */
function openList(acct: Account | undefined) {
  if (!acct) return [];
  const list = [...acct.open.values()].flatMap((o) => [o, ...o.children]);
  return list.sort((a, b) => b.oid - a.oid);
}

export function openOrders(engine: Engine, user: Hex): OpenOrdersResponse {
  return openList(engine.account(user)).map((o) => engine.openOrderView(o));
}

export function frontendOpenOrders(engine: Engine, user: Hex): FrontendOpenOrdersResponse {
  return openList(engine.account(user)).map((o) => engine.frontendOrderView(o));
}

export function orderStatus(engine: Engine, user: Hex, ref: number | Hex): OrderStatusResponse {
  const acct = engine.account(user);
  const o = typeof ref === "number" ? engine.orders.get(ref) : acct?.byCloid.get(ref.toLowerCase());
  if (!o || !acct || o.user !== acct.address) return { status: "unknownOid" };
  return {
    status: "order",
    order: { order: engine.frontendOrderView(o), status: o.status, statusTimestamp: o.statusTimestamp },
  };
}

/** Merge the partial fills one crossing order made at one time into one fill. */
function aggregateByTime(fills: UserFill[]): UserFill[] {
  const out: UserFill[] = [];
  const sums = new Map<UserFill, { sz: number; ntl: number; fee: number; pnl: number }>();
  for (const f of fills) {
    const last = out[out.length - 1];
    const sz = Number(f.sz);
    if (
      last &&
      last.oid === f.oid &&
      last.time === f.time &&
      last.hash === f.hash &&
      last.crossed &&
      f.crossed
    ) {
      const s = sums.get(last);
      if (s) {
        s.sz += sz;
        s.ntl += sz * Number(f.px);
        s.fee += Number(f.fee);
        s.pnl += Number(f.closedPnl);
        const decimals = (f.sz.split(".")[1] ?? "").length;
        last.sz = wire(s.sz, Math.max(decimals, 8));
        last.px = wire(s.ntl / s.sz, 8);
        last.fee = usd(s.fee);
        last.closedPnl = usd(s.pnl);
        last.dir = f.dir;
      }
      continue;
    }
    const copy = { ...f };
    sums.set(copy, { sz, ntl: sz * Number(f.px), fee: Number(f.fee), pnl: Number(f.closedPnl) });
    out.push(copy);
  }
  return out;
}

export function userFills(engine: Engine, user: Hex, aggregate = false): UserFillsResponse {
  const fills = availableFills(engine, user);
  const chosen = aggregate ? aggregateByTime(fills) : fills;
  return chosen.slice(-MAX_FILLS).reverse();
}

export function userFillsByTime(
  engine: Engine,
  user: Hex,
  startTime: number,
  endTime: number | null | undefined,
  aggregate = false,
  reversed = false,
): UserFillsResponse {
  const end = endTime ?? Number.MAX_SAFE_INTEGER;
  const fills = availableFills(engine, user).filter((f) => f.time >= startTime && f.time <= end);
  const chosen = (aggregate ? aggregateByTime(fills) : fills).slice(0, MAX_FILLS);
  return reversed ? chosen.reverse() : chosen;
}

export function extraAgents(engine: Engine, user: Hex): ExtraAgentsResponse {
  // Keys in the order of the recorded answer (cassette extraAgents.json, 2025).
  return (engine.account(user)?.agents ?? []).map((a) => ({
    name: a.name,
    address: a.address,
    validUntil: a.validUntil,
  }));
}

export function userRateLimit(engine: Engine, user: Hex): UserRateLimitResponse {
  const acct = engine.account(user);
  const cumVlm = acct?.cumVlm ?? 0;
  // One request per 1 USDC traded on top of an initial buffer of 10 000.
  return {
    cumVlm: usd(cumVlm),
    nRequestsUsed: acct?.nRequests ?? 0,
    nRequestsCap: acct ? engine.requestCap(acct) : REQUEST_BUFFER,
    nRequestsSurplus: 0,
  };
}

export function userFunding(
  engine: Engine,
  user: Hex,
  startTime: number | null | undefined,
  endTime: number | null | undefined,
): UserFundingResponse {
  const end = endTime ?? Number.MAX_SAFE_INTEGER;
  const all = engine.account(user)?.funding ?? [];
  if (startTime === null || startTime === undefined) {
    // Mainnet takes a request without startTime (the docs call it required; the SDK made it
    // optional after nktkas/hyperliquid#102 showed the live reply): the newest 2000 payments,
    // newest first — what the exchange's own UI reads.
    return all
      .filter((f) => f.time <= end)
      .slice(-2000)
      .reverse();
  }
  return all.filter((f) => f.time >= startTime && f.time <= end).slice(0, 500);
}

export function userNonFundingLedgerUpdates(
  engine: Engine,
  user: Hex,
  startTime: number | null | undefined,
  endTime: number | null | undefined,
): UserNonFundingLedgerUpdatesResponse {
  const start = startTime ?? 0;
  const end = endTime ?? Number.MAX_SAFE_INTEGER;
  // At most 500 a reply, oldest first: the docs' rule for replies over a time range (info
  // endpoint, "Pagination"). Readers page on from the newest time.
  return (engine.account(user)?.ledger ?? []).filter((f) => f.time >= start && f.time <= end).slice(0, 500);
}

/**
 * How many of a user's newest records the userFundings and userNonFundingLedgerUpdates
 * subscriptions' snapshots hold (oldest first). The docs say only that a subscription's first
 * message is "a snapshot of previous data for time series data" (its size is not documented); a
 * recorded mainnet userFundings snapshot lists days of recent payments, oldest first, and
 * userFunding without startTime — what the exchange's UI reads — answers the newest 2000. So a
 * snapshot is the recent history, never the whole: a client that started after more than this
 * many records since it last read must read the rest (the userFills snapshot's rule too).
 */
export const WS_HISTORY_SNAPSHOT = 2000;

/** userFundings' snapshot: the user's newest WS_HISTORY_SNAPSHOT payments, oldest first. */
export function userFundingsSnapshot(engine: Engine, user: Hex): UserFundingResponse {
  return (engine.account(user)?.funding ?? []).slice(-WS_HISTORY_SNAPSHOT);
}

/** userNonFundingLedgerUpdates' snapshot: the user's newest WS_HISTORY_SNAPSHOT updates, oldest first. */
export function ledgerSnapshot(engine: Engine, user: Hex): UserNonFundingLedgerUpdatesResponse {
  return (engine.account(user)?.ledger ?? []).slice(-WS_HISTORY_SNAPSHOT);
}

export function fundingHistory(
  engine: Engine,
  coin: string,
  startTime: number,
  endTime: number | null | undefined,
): FundingHistoryResponse {
  const m = engine.marketsByName.get(coin);
  if (!m) return [];
  const end = endTime ?? Number.MAX_SAFE_INTEGER;
  return m.fundingHistory
    .filter((f) => f.time >= startTime && f.time <= end)
    .slice(0, 500)
    .map((f) => ({ coin, fundingRate: f.fundingRate, premium: f.premium, time: f.time }));
}

const INTERVAL_MS: Record<CandleInterval, number> = {
  "1m": 60_000,
  "3m": 180_000,
  "5m": 300_000,
  "15m": 900_000,
  "30m": 1_800_000,
  "1h": 3_600_000,
  "2h": 7_200_000,
  "4h": 14_400_000,
  "8h": 28_800_000,
  "12h": 43_200_000,
  "1d": DAY_MS,
  "3d": 3 * DAY_MS,
  "1w": 7 * DAY_MS,
  "1M": 30 * DAY_MS,
};

export function isCandleInterval(value: unknown): value is CandleInterval {
  return typeof value === "string" && value in INTERVAL_MS;
}

/** Candles of the simulator's own price history (1-minute buckets aggregated to the interval). */
export function candleSnapshot(
  engine: Engine,
  coin: string,
  interval: CandleInterval,
  startTime: number,
  endTime: number | null | undefined,
): Candle[] {
  const m = engine.marketsByName.get(coin);
  if (!m) return [];
  const end = endTime ?? Number.MAX_SAFE_INTEGER;
  const bucketStart = (t: number): number => {
    if (interval === "1M") {
      const d = new Date(t);
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    }
    return t - (t % INTERVAL_MS[interval]);
  };
  const bucketEnd = (t: number): number => {
    if (interval === "1M") {
      const d = new Date(t);
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - 1;
    }
    return t + INTERVAL_MS[interval] - 1;
  };
  const out: Candle[] = [];
  const sums: { v: number }[] = [];
  // The seeded history before the start is hourly: served for intervals of an hour or more.
  const hourly = interval === "1M" || INTERVAL_MS[interval] >= 3_600_000;
  for (const c of hourly ? [...m.history, ...m.candles] : m.candles) {
    const t = bucketStart(c.t);
    if (bucketEnd(t) < startTime || t > end) continue;
    const last = out[out.length - 1];
    const lastSum = sums[sums.length - 1];
    if (last && last.t === t && lastSum) {
      last.h = fmtPx(Math.max(Number(last.h), c.h), m.szDecimals);
      last.l = fmtPx(Math.min(Number(last.l), c.l), m.szDecimals);
      last.c = fmtPx(c.c, m.szDecimals);
      lastSum.v += c.v;
      last.v = wire(lastSum.v, m.szDecimals);
      last.n += c.n;
    } else {
      out.push({
        t,
        T: bucketEnd(t),
        s: coin,
        i: interval,
        o: fmtPx(c.o, m.szDecimals),
        c: fmtPx(c.c, m.szDecimals),
        h: fmtPx(c.h, m.szDecimals),
        l: fmtPx(c.l, m.szDecimals),
        v: wire(c.v, m.szDecimals),
        n: c.n,
      });
      sums.push({ v: c.v });
    }
  }
  return out.slice(-5000);
}

export function portfolio(engine: Engine, user: Hex): PortfolioResponse {
  const acct = engine.account(user);
  const now = engine.now();
  const value = acct ? engine.summary(acct).accountValue : 0;
  const current: [number, number, number] = [now, value, acct ? value - acct.netDeposits : 0];
  const history = [...(acct?.history ?? []), current];
  const period = (sinceMs: number) => {
    const since = now - sinceMs;
    const points = history.filter(([t]) => t >= since);
    const base = points[0]?.[2] ?? 0;
    let vlm = 0;
    for (const f of acct?.fills ?? []) if (f.time >= since) vlm += Number(f.px) * Number(f.sz);
    return {
      accountValueHistory: points.map(([t, v]): [number, string] => [t, usd(v)]),
      pnlHistory: points.map(([t, , p]): [number, string] => [t, usd(p - base)]),
      vlm: usd(vlm),
    };
  };
  const day = period(DAY_MS);
  const week = period(7 * DAY_MS);
  const month = period(30 * DAY_MS);
  const all = period(now);
  return [
    ["day", day],
    ["week", week],
    ["month", month],
    ["allTime", all],
    ["perpDay", day],
    ["perpWeek", week],
    ["perpMonth", month],
    ["perpAllTime", all],
  ];
}

export function spotMeta(): SpotMetaResponse {
  return {
    universe: [],
    tokens: [
      {
        name: "USDC",
        szDecimals: 8,
        weiDecimals: 8,
        index: 0,
        tokenId: "0x6d1e7cde53ba9467b783cb7c530ce054",
        isCanonical: true,
        evmContract: null,
        fullName: null,
        deployerTradingFeeShare: "0.0",
      },
    ],
  };
}

/**
 * Spot balances: USDC only, listed once the account has moved some to spot (usdClassTransfer),
 * in the docs' key order (coin, token, hold, total, entryNtl); nothing is held by spot orders.
 */
export function spotClearinghouseState(engine: Engine, user: Hex): SpotClearinghouseStateResponse {
  const spot = engine.account(user)?.spotUsdc ?? null;
  if (spot === null) return { balances: [] };
  return { balances: [{ coin: "USDC", token: 0, hold: "0.0", total: usd(spot), entryNtl: "0.0" }] };
}

/** A master's sub-accounts with their state, or null when it has none (as the exchange answers). */
export function subAccounts(engine: Engine, user: Hex): SubAccountsResponse {
  const acct = engine.account(user);
  if (!acct || acct.subAccounts.length === 0) return null;
  return acct.subAccounts.map((address) => ({
    name: engine.account(address)?.name ?? "",
    subAccountUser: address,
    master: acct.address,
    clearinghouseState: clearinghouseState(engine, address),
    spotState: spotClearinghouseState(engine, address),
  }));
}

// ---------------------------------------------------------------------------------------------
// Info types clients call at start-up. The simulator lists perps only (no spot pairs beyond the
// USDC token, no builder-deployed perp dexes, no vaults, staking or TWAPs): those answer the
// exchange's empty shapes.
// ---------------------------------------------------------------------------------------------

/** Spot meta and contexts: the USDC token only, no pairs, so no contexts. */
export function spotMetaAndAssetCtxs(): SpotMetaAndAssetCtxsResponse {
  return [spotMeta(), []];
}

/** Perp dexes: `null` stands for the first (default) dex; no builder-deployed ones. */
export function perpDexs(): PerpDexsResponse {
  return [null];
}

export function userVaultEquities(): UserVaultEquitiesResponse {
  return [];
}

export function delegatorHistory(): DelegatorHistoryResponse {
  return [];
}

/** The user's TWAP slice fills (fills carrying a `twapId`), newest first, as `userFills` orders them. */
export function userTwapSliceFills(engine: Engine, user: Hex): UserTwapSliceFillsResponse {
  return sliceFills(engine.account(user)?.fills ?? [])
    .slice(-MAX_FILLS)
    .reverse();
}

/** Slice fills with `time` in [startTime, endTime], oldest first and at most 2000, as `userFillsByTime`. */
export function userTwapSliceFillsByTime(
  engine: Engine,
  user: Hex,
  startTime: number,
  endTime: number | null | undefined,
): UserTwapSliceFillsResponse {
  const end = endTime ?? Number.MAX_SAFE_INTEGER;
  return sliceFills(engine.account(user)?.fills ?? [])
    .filter((f) => f.fill.time >= startTime && f.fill.time <= end)
    .slice(0, MAX_FILLS);
}

/** `{fill, twapId}` for each fill of a TWAP slice: the fill exactly as `userFills` lists it. */
export function sliceFills(fills: readonly UserFill[]): UserTwapSliceFillsResponse {
  const out: UserTwapSliceFillsResponse = [];
  for (const fill of fills) if (fill.twapId !== null) out.push({ fill, twapId: fill.twapId });
  return out;
}

/**
 * A TWAP's state as `twapHistory`/`twapStates` show it: the fields in the order of the
 * exchange's status stream (QuickNode's TWAP dataset sample), then `stopPx` and `trigger` that
 * the SDK 0.33.3 type requires (null: the simulator takes no trigger or stop prices).
 */
export function twapState(t: Twap, executedLots = t.executedLots, executedNtl = t.executedNtl): TwapState {
  const m = t.market;
  return {
    coin: m.name,
    user: t.user,
    side: t.isBuy ? "B" : "A",
    sz: fmtLots(t.lots, m.szDecimals),
    executedSz: fmtLots(executedLots, m.szDecimals),
    executedNtl: wire(executedNtl, 6),
    minutes: t.minutes,
    reduceOnly: t.reduceOnly,
    randomize: t.randomize,
    timestamp: t.timestamp,
    stopPx: null,
    trigger: null,
  };
}

/** One twapHistory record: `time` in seconds (the SDK's type), the state as it stood then. */
export function twapHistoryRecord(r: TwapRecord): TwapHistoryResponse[number] {
  return {
    time: Math.floor(r.time / 1000),
    state: twapState(r.twap, r.executedLots, r.executedNtl),
    status:
      r.status === "error" ? { status: "error", description: r.description ?? "" } : { status: r.status },
    twapId: r.twap.id,
  };
}

/** Next funding of every market on Hyperliquid (no other venues are simulated). */
export function predictedFundings(engine: Engine): PredictedFundingsResponse {
  const hours = engine.fundingIntervalMs() / 3_600_000;
  return engine.markets.map((m) => [
    m.name,
    [
      [
        "HlPerp",
        {
          fundingRate: wire(m.fundingRate, 8),
          nextFundingTime: engine.nextFundingTime,
          ...(Number.isInteger(hours) && hours > 0 ? { fundingIntervalHours: hours } : {}),
        },
      ],
    ],
  ]);
}

/** Perp rates by 14-day volume tier (the base tier is what the simulator charges). */
const VIP_TIERS: [ntlCutoff: string, cross: string, add: string, spotCross: string, spotAdd: string][] = [
  ["5000000.0", "0.0004", "0.00012", "0.0006", "0.0003"],
  ["25000000.0", "0.00035", "0.00008", "0.0005", "0.0002"],
  ["100000000.0", "0.0003", "0.00004", "0.0004", "0.0001"],
  ["500000000.0", "0.00028", "0.0", "0.00035", "0.0"],
  ["2000000000.0", "0.00026", "0.0", "0.0003", "0.0"],
  ["7000000000.0", "0.00024", "0.0", "0.00025", "0.0"],
];
const SPOT_CROSS = "0.0007";
const SPOT_ADD = "0.0004";

/**
 * The fee schedule and the user's rates. `dailyUserVlm` lists the last 15 UTC days of the
 * user's taker (`userCross`) and maker (`userAdd`) notional and the whole simulated exchange's.
 * A sub-account shares its master's schedule; the simulator charges the base tier to everyone.
 */
export function userFees(engine: Engine, user: Hex): UserFeesResponse {
  const acct = engine.account(user);
  const day = (t: number) => new Date(t - (t % DAY_MS)).toISOString().slice(0, 10);
  const today = engine.now() - (engine.now() % DAY_MS);
  const days = new Map<string, { userCross: number; userAdd: number; exchange: number }>();
  for (let i = 14; i >= 0; i--) days.set(day(today - i * DAY_MS), { userCross: 0, userAdd: 0, exchange: 0 });
  for (const f of acct?.fills ?? []) {
    const d = days.get(day(f.time));
    if (!d) continue;
    const ntl = Number(f.px) * Number(f.sz);
    if (f.crossed) d.userCross += ntl;
    else d.userAdd += ntl;
  }
  for (const m of engine.markets) {
    for (const c of m.candles) {
      const d = days.get(day(c.t));
      if (d) d.exchange += c.ntl;
    }
  }
  const rate = (r: number) => wire(r, 8);
  return {
    dailyUserVlm: [...days].map(([date, v]) => ({
      date,
      userCross: usd(v.userCross),
      userAdd: usd(v.userAdd),
      exchange: usd(v.exchange),
    })),
    feeSchedule: {
      cross: rate(TAKER_FEE_RATE),
      add: rate(MAKER_FEE_RATE),
      spotCross: SPOT_CROSS,
      spotAdd: SPOT_ADD,
      tiers: {
        vip: VIP_TIERS.map(([ntlCutoff, cross, add, spotCross, spotAdd]) => ({
          ntlCutoff,
          cross,
          add,
          spotCross,
          spotAdd,
        })),
        mm: [
          { makerFractionCutoff: "0.005", add: "-0.00001" },
          { makerFractionCutoff: "0.015", add: "-0.00002" },
          { makerFractionCutoff: "0.03", add: "-0.00003" },
        ],
      },
      referralDiscount: "0.04",
      stakingDiscountTiers: [
        { bpsOfMaxSupply: "0.0", discount: "0.0" },
        { bpsOfMaxSupply: "0.0001", discount: "0.05" },
        { bpsOfMaxSupply: "0.001", discount: "0.1" },
        { bpsOfMaxSupply: "0.01", discount: "0.15" },
        { bpsOfMaxSupply: "0.1", discount: "0.2" },
        { bpsOfMaxSupply: "1.0", discount: "0.3" },
        { bpsOfMaxSupply: "5.0", discount: "0.4" },
      ],
    },
    userCrossRate: rate(TAKER_FEE_RATE),
    userAddRate: rate(MAKER_FEE_RATE),
    userSpotCrossRate: SPOT_CROSS,
    userSpotAddRate: SPOT_ADD,
    activeReferralDiscount: "0.0",
    trial: null,
    feeTrialEscrow: "0.0",
    nextTrialAvailableTimestamp: null,
    stakingLink: null,
    activeStakingDiscount: { bpsOfMaxSupply: "0.0", discount: "0.0" },
  };
}

// ---------------------------------------------------------------------------------------------
// Info types other clients (the official Python SDK, @nktkas/hyperliquid's InfoClient, bots)
// call. Answered as the simulator's world makes them: one default perp dex, no vaults, staking,
// TWAPs, multi-sig or open-interest caps, so most are the exchange's empty answers; the rest are
// read from the engine. Each shape is the SDK's response type; where it came from is in the README.
// ---------------------------------------------------------------------------------------------

/** `batchClearinghouseStates`: each user's `clearinghouseState`, in the order asked. */
export function batchClearinghouseStates(engine: Engine, users: Hex[]): ClearinghouseStateResponse[] {
  return users.map((user) => clearinghouseState(engine, user));
}

/** Every perp dex's meta: the default dex is the only one. */
export function allPerpMetas(engine: Engine): AllPerpMetasResponse {
  return [meta(engine)];
}

/** The exchange's table ids below this are one flat tier at that leverage, listed in meta or not. */
const FLAT_MARGIN_TABLE_MAX = 50;

/**
 * A margin table by id: the one meta lists, or for 1–50 the flat table at that leverage (mainnet
 * answers id 1, which no market uses, so). Null for any other id: the simulator's choice, as no
 * recorded answer says what the exchange sends for a table it does not have.
 */
export function marginTable(engine: Engine, id: number): MarginTableResponse | null {
  const listed = meta(engine).marginTables.find(([tableId]) => tableId === id);
  if (listed) return listed[1];
  if (id >= 1 && id <= FLAT_MARGIN_TABLE_MAX)
    return { description: "", marginTiers: [{ lowerBound: "0.0", maxLeverage: id }] };
  return null;
}

/**
 * The largest market order by a market's max leverage, as the docs' contract specifications
 * publish it: $4M at 50x and above, $1M for [20, 50), $500k for [10, 20), else $250k. One entry
 * per max leverage of the simulator's markets, highest first (the exchange's order). Advertised
 * only: the simulator's matching does not cap market orders.
 */
export function maxMarketOrderNtls(engine: Engine): MaxMarketOrderNtlsResponse {
  const cap = (lev: number) =>
    lev >= 50 ? 4_000_000 : lev >= 20 ? 1_000_000 : lev >= 10 ? 500_000 : 250_000;
  return [...new Set(engine.markets.map((m) => m.maxLeverage))]
    .sort((a, b) => b - a)
    .map((lev) => [lev, usd(cap(lev))]);
}

/** No market has an open-interest cap, so none is at one. */
export function perpsAtOpenInterestCap(): PerpsAtOpenInterestCapResponse {
  return [];
}

/**
 * Positions the liquidator could take now: none, as the engine liquidates an account the moment
 * a price move takes it below maintenance.
 */
export function liquidatable(): LiquidatableResponse {
  return [];
}

/** Builder-deployed dex limits: the default dex has none (null, as the exchange answers for it). */
export function perpDexLimits(): PerpDexLimitsResponse {
  return null;
}

/**
 * The dex's net deposits: every account's deposits less its withdrawals (transfers between
 * accounts net out). Floored at 0 (the field is unsigned): the synthetic maker can pay out more
 * profit than was ever deposited, which no exchange's bridge could.
 */
export function perpDexStatus(engine: Engine): PerpDexStatusResponse {
  let net = 0;
  for (const acct of engine.accounts.values()) net += acct.netDeposits;
  return { totalNetDeposit: usd(Math.max(0, net)) };
}

/** The builders a user has approved a fee for; a 0 % approval is a revocation, so not listed. */
export function approvedBuilders(engine: Engine, user: Hex): ApprovedBuildersResponse {
  const acct = engine.account(user);
  return acct ? [...acct.builderApprovals].filter(([, rate]) => rate > 0).map(([builder]) => builder) : [];
}

/**
 * `subAccounts2`: `subAccounts` with each sub-account's state per dex (only the default dex, `""`)
 * and no `abstraction` (the default state, which the exchange leaves out). Null without any.
 */
export function subAccounts2(engine: Engine, user: Hex): SubAccounts2Response {
  const acct = engine.account(user);
  if (!acct || acct.subAccounts.length === 0) return null;
  return acct.subAccounts.map((address) => ({
    name: engine.account(address)?.name ?? "",
    subAccountUser: address,
    master: acct.address,
    dexToClearinghouseState: [["", clearinghouseState(engine, address)]],
    spotState: spotClearinghouseState(engine, address),
  }));
}

export function delegations(): DelegationsResponse {
  return [];
}

export function delegatorSummary(): DelegatorSummaryResponse {
  return { delegated: "0.0", undelegated: "0.0", totalPendingWithdrawal: "0.0", nPendingWithdrawals: 0 };
}

export function delegatorRewards(): DelegatorRewardsResponse {
  return [];
}

/** Every status change of the user's TWAPs (placed, finished, cancelled, stopped), oldest first. */
export function twapHistory(engine: Engine, user: Hex): TwapHistoryResponse {
  const u = user.toLowerCase();
  return engine.twapRecords.filter((r) => r.twap.user === u).map(twapHistoryRecord);
}

/** The user's running TWAPs as `[twapId, state]` (webData2's `twapStates`, the `twapStates` stream). */
export function twapStates(engine: Engine, user: Hex): [number, TwapState][] {
  return engine.runningTwaps(user).map((t) => [t.id, twapState(t)]);
}

/** Not a multi-sig user: null, as the exchange answers for one. */
export function userToMultiSigSigners(): UserToMultiSigSignersResponse {
  return null;
}

/** Never set (the simulator has no action that sets it): null, as for any such account. */
export function userDexAbstraction(): UserDexAbstractionResponse {
  return null;
}

/** Never set: "default". */
export function userAbstraction(): UserAbstractionResponse {
  return "default";
}

/**
 * A vault that does not exist is null (nktkas/hyperliquid db80d59 checks it live); no vault
 * exists here. The SDK 0.33.3 type predates that null.
 */
export function vaultDetails(): VaultDetailsResponse | null {
  return null;
}

/** Volume an account must have traded before it may create a referral code (Docs, "Referrals"). */
export const REFERRER_MIN_VOLUME = 10_000;

/**
 * `referral`: the account's own volume and no rewards (nobody here is anyone's referrer, as the
 * simulator has no `registerReferrer`). `referredBy` is null even after `setReferrer`, which here
 * takes any code and so has no referrer address to name. Stage `needToTrade` (with the
 * docs' $10 000 threshold as `required`) until the account has traded that much, then
 * `needToCreateCode`.
 */
export function referral(engine: Engine, user: Hex): ReferralResponse {
  const cumVlm = engine.account(user)?.cumVlm ?? 0;
  return {
    referredBy: null,
    cumVlm: usd(cumVlm),
    unclaimedRewards: "0.0",
    claimedRewards: "0.0",
    builderRewards: "0.0",
    referrerState:
      cumVlm >= REFERRER_MIN_VOLUME
        ? { stage: "needToCreateCode" }
        : { stage: "needToTrade", data: { required: usd(REFERRER_MIN_VOLUME) } },
    rewardHistory: [],
    tokenToState: [],
  };
}

/** `isVip`: no account is a VIP here (a real ordinary account answers a boolean, never null). */
export function isVip(): IsVipResponse {
  return false;
}

/**
 * `legalCheck`: what the exchange answers for an address that never accepted the terms
 * (acceptedTerms and userAllowed false, nktkas/hyperliquid's live test for 0x…01) — terms are
 * accepted in the web app, which the simulator has none of — and no restriction (`"n"`): the
 * restriction follows the caller's jurisdiction, and the simulator's callers are local.
 */
export function legalCheck(): LegalCheckResponse {
  return { acceptedTerms: false, userAllowed: false, restrictions: "n" };
}

/**
 * `webData2` (info and websocket): the web app's account summary, built from the simulator's
 * own views — clearinghouseState, frontendOpenOrders, meta and contexts, spot state — with no
 * vaults, TWAPs or spot pairs. `agentAddress`/`agentValidUntil` name the unnamed agent (the one
 * the app approves), null without one; `cumLedger` is deposits less withdrawals (floored at 0,
 * as the field is unsigned). An unknown address gets the empty state, as on mainnet.
 */
export function webData2(engine: Engine, user: Hex): WebData2Response {
  const acct = engine.account(user);
  const agent = acct?.agents.find((a) => a.name === "");
  const [metaResponse, assetCtxs] = metaAndAssetCtxs(engine);
  return {
    clearinghouseState: clearinghouseState(engine, user),
    leadingVaults: [],
    totalVaultEquity: "0.0",
    openOrders: frontendOpenOrders(engine, user),
    agentAddress: agent?.address ?? null,
    agentValidUntil: agent?.validUntil ?? null,
    cumLedger: usd(Math.max(0, acct?.netDeposits ?? 0)),
    meta: metaResponse,
    assetCtxs,
    serverTime: engine.now(),
    isVault: false,
    user,
    twapStates: twapStates(engine, user),
    spotState: spotClearinghouseState(engine, user),
    spotAssetCtxs: [],
  };
}

/**
 * The websocket `webData3` message: webData2's account fields as `userState`, and one
 * `perpDexStates` entry for the one dex with no vault equity, no open-interest cap and no vaults
 * (the optional fields the exchange sends, as nktkas/hyperliquid's live test saw them, here
 * empty). No `dexAbstractionEnabled`/`abstraction`: never set here (`userAbstraction` answers
 * "default", which this field has no value for).
 */
export function webData3(engine: Engine, user: Hex): WebData3Event {
  const w = webData2(engine, user);
  return {
    userState: {
      agentAddress: w.agentAddress,
      agentValidUntil: w.agentValidUntil,
      cumLedger: w.cumLedger,
      serverTime: w.serverTime,
      isVault: w.isVault,
      user,
    },
    perpDexStates: [{ totalVaultEquity: "0.0", perpsAtOpenInterestCap: [], leadingVaults: [] }],
  };
}
