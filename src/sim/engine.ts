// The simulated exchange itself: markets with a seeded mid process and a synthetic book of
// finite depth, users' resting and trigger orders, matching, fills with the exchange's fields,
// cross/isolated margin, funding and liquidation. Synchronous and timer-free: the server drives
// the clock (ticks, funding, housekeeping) and turns the batched events into websocket messages.

import type { OrderRequest } from "@nktkas/hyperliquid/api/exchange";
import { encodePacked, keccak256 } from "viem";
import {
  fmtAvgPx,
  fmtLots,
  fmtPx,
  isValidPrice,
  pxDecimals,
  toLots,
  toPriceGrid,
  usd,
  wire,
} from "./numbers.js";
import { Rng } from "./rng.js";
import type {
  CancelStatusEntry,
  FrontendOpenOrder,
  FundingUpdate,
  LedgerUpdate,
  OpenOrder,
  OrderProcessingStatus,
  OrderStatusEntry,
  OrderUpdatesEvent,
  RecentTrade,
  UserEventsEvent,
  UserFill,
} from "./sdk-types.js";
import type { Hex, SimMarketConfig, SimOrderRecord } from "./types.js";

export type OrderWire = OrderRequest["action"]["orders"][number];
export type Tif = "Gtc" | "Ioc" | "Alo" | "FrontendMarket";

export const TAKER_FEE_RATE = 0.00045;
export const MAKER_FEE_RATE = 0.00015;
/** The exchange's minimum order value for perps. */
export const MIN_ORDER_USD = 10;
/** Interest component of funding: 0.01 % per 8 h, paid hourly. */
const FUNDING_INTEREST = 0.0000125;
/** Counterparty of the synthetic book (never a real account). */
export const SYNTHETIC_MAKER: Hex = "0x0000000000000000000000000000000000000000";
/** Who takes over liquidated positions (stands in for the exchange's liquidator vault). */
export const LIQUIDATOR: Hex = "0x000000000000000000000000000000000000dead";
/** How far from the reference (mark) price an order's limit price may be. */
const MAX_PRICE_DEVIATION = 0.8;
/** The bridge's withdrawal fee (USD), taken out of the amount withdrawn. */
const WITHDRAW_FEE_USD = 1;
/** Slippage a triggered market order may take from the mark, as the exchange allows. */
const TRIGGER_MARKET_SLIPPAGE = 0.1;

/** The exchange's rejection texts (order-level errors carry the asset id, as the live API does). */
export const ERR = {
  tick: (a: number) => `Price must be divisible by tick size. asset=${a}`,
  minValue: (a: number) => `Order must have minimum value of $10. asset=${a}`,
  margin: (a: number) => `Insufficient margin to place order. asset=${a}`,
  reduceOnly: (a: number) => `Reduce only order would increase position. asset=${a}`,
  alo: (bbo: string, a: number) =>
    `Post only order would have immediately matched, bbo was ${bbo}. asset=${a}`,
  ioc: (a: number) => `Order could not immediately match against any resting orders. asset=${a}`,
  badTriggerPx: (a: number) => `Invalid TP/SL price. asset=${a}`,
  cancelMissing: (a: number) => `Order was never placed, already canceled, or filled. asset=${a}`,
  priceBand: "Order price cannot be more than 80% away from the reference price",
  invalidSize: "Order has invalid size.",
  zeroSize: "Order has zero size.",
  /**
   * An asset id the exchange does not list. The live text for updateLeverage, as a public report
   * quotes it (ccxt/ccxt#28004: `{"status":"err","response":"Asset 91000000 is out of range."}`);
   * assumed the same where an order, a TWAP or updateIsolatedMargin names such an asset.
   */
  unknownAsset: (a: number) => `Asset ${a} is out of range.`,
  /**
   * Simulator wording and an assumption (no public source says what mainnet answers): a cloid an
   * accepted order of the account already carries is refused, so a double send never places twice.
   */
  duplicateCloid: (cloid: string, oid: number, a: number) =>
    `Duplicate cloid ${cloid}: already used by order ${oid}. asset=${a}`,
  modifyMissing: "Cannot modify canceled or filled order",
  leverage: "Invalid leverage value",
  switchLeverageType: "Cannot switch leverage type with open position.",
  /** Simulator wording (no live capture available). */
  isolatedMarginNoPosition: "Cannot update margin for empty position.",
  isolatedMarginInsufficient: "Insufficient margin to update isolated margin.",
  onlyIsolated: "Cross margin is not allowed for this asset.",
  scheduleTooEarly: "Scheduled cancel time too early, must be at least 5 seconds from now.",
  builderNotApproved: "Builder fee has not been approved.",
  /** Simulator wording for sub-account rules (no live capture available). */
  subAccountOfSubAccount: "Sub-accounts cannot create sub-accounts.",
  subAccountName: "Sub-account name already in use.",
  subAccountUnknown: (sub: string) => `Sub-account ${sub} does not belong to this user.`,
  transferInsufficient: "Insufficient balance for sub-account transfer.",
  /** Simulator wording (no live capture available). */
  sendInsufficient: "Insufficient balance for usd send.",
  withdrawInsufficient: "Insufficient balance for withdrawal.",
  classTransferInsufficient: "Insufficient balance for usd class transfer.",
  referrerSet: "Referrer already set.",
  postOnlyAfterUpgrade: "Only post-only orders allowed immediately after a network upgrade",
  /** The docs' example reply (Exchange endpoint, "Place a TWAP order"). */
  twapDuration: (minutes: number) => `Invalid TWAP duration: ${minutes} min(s)`,
  /**
   * The live texts client code quotes: "Min is $100." for a 5-minute TWAP (measured) and
   * "Min is $1200, which is $10 per minute." (a 2-hour one): read as max($100, $10 × minutes).
   */
  twapTooSmall: (min: number, perMinute: boolean) =>
    `TWAP order value too small. Min is $${min}${perMinute ? `, which is $${TWAP_USD_PER_MINUTE} per minute` : ""}.`,
  twapReduceOnly: "Reduce-only TWAP order would increase position.",
  /** The docs' example reply (Exchange endpoint, "Cancel a TWAP order"). */
  twapCancelMissing: "TWAP was never placed, already canceled, or filled.",
  /** Simulator wording: the SDK's optional trigger/stop `details` have no model here. */
  twapDetails: "TWAP trigger and stop prices are not supported by the simulator.",
} as const;

/** TWAP (docs, Order types): a slice every 30 s, each at most 3 % from the mid, catching up to 3× its size. */
export const TWAP_SLICE_MS = 30_000;
const TWAP_SLIPPAGE = 0.03;
const TWAP_CATCH_UP = 3;
/** Shortest and longest TWAP in minutes (the SDK's schema and the docs' error example). */
export const TWAP_MIN_MINUTES = 5;
export const TWAP_MAX_MINUTES = 1440;
/** Least TWAP value: $100, and $10 per minute of its duration (see ERR.twapTooSmall). */
const TWAP_MIN_USD = 100;
const TWAP_USD_PER_MINUTE = 10;

// ---------------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------------

const HOUR_MS = 3_600_000;
/** Default history volatility (annualised %) of a market whose config sets none. */
const HISTORY_VOL_PCT = 60;

/**
 * Seeded hourly candles for the `days` before `now` (whole hours, the last one closing when the
 * current hour began) whose log returns have the market's `historyVolPct` annualised volatility
 * and that end at the starting mid: what mainnet's candleSnapshot would have served. A seed of
 * its own, so the price process is the same with or without history.
 */
export function candleHistory(
  cfg: SimMarketConfig,
  startPx: number,
  now: number,
  days: number,
  seed: number,
): Candle1m[] {
  const n = Math.max(0, Math.floor(days * 24));
  if (n === 0) return [];
  const rng = new Rng(seed);
  const sigma = ((cfg.historyVolPct ?? HISTORY_VOL_PCT) / 100) * Math.sqrt(HOUR_MS / (365 * 86_400_000));
  const returns = Array.from({ length: n }, () => sigma * rng.normal());
  const firstOpen = now - (now % HOUR_MS) - n * HOUR_MS;
  const out: Candle1m[] = new Array(n);
  let close = startPx;
  for (let i = n - 1; i >= 0; i--) {
    const open = close / Math.exp(returns[i] as number);
    const wick = 1 + Math.abs(sigma * rng.normal()) / 2;
    out[i] = {
      t: firstOpen + i * HOUR_MS,
      o: open,
      c: close,
      h: Math.max(open, close) * wick,
      l: Math.min(open, close) / wick,
      v: 0,
      n: 0,
      ntl: 0,
    };
    close = open;
  }
  return out;
}

interface Candle1m {
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
  /** Base volume and trade count. */
  v: number;
  n: number;
  /** Notional volume (for dayNtlVlm). */
  ntl: number;
}

export interface Market {
  index: number;
  name: string;
  szDecimals: number;
  maxLeverage: number;
  onlyIsolated: boolean;
  /** 10^szDecimals: lots per coin. */
  scale: number;
  /** The unrounded process value; `mid` is it on the price grid. */
  rawMid: number;
  mid: number;
  vol: number;
  baseFunding: number;
  fundingRate: number;
  premium: number;
  /** Users' resting limit orders: bids best (highest) first, asks best (lowest) first, then time. */
  bids: Order[];
  asks: Order[];
  triggers: Order[];
  /** Long open interest in lots. */
  longLots: number;
  trades: RecentTrade[];
  candles: Candle1m[];
  /** Seeded hourly candles before the start (open time on the hour; oldest first). */
  history: Candle1m[];
  fundingHistory: { time: number; fundingRate: string; premium: string }[];
  startPx: number;
  /** The maker's full ladder at `mid` (cached until the mid moves). */
  synth: { mid: number; bids: Level[]; asks: Level[] } | null;
  /** Notional of the maker's ladder per side (USD). */
  depthUsd: number;
  /** A side emptied completely comes back in this many ms (0: depth never depletes). */
  refillMs: number;
  /** Lots taken from the top of each side of the ladder that have not come back yet. */
  eaten: { bids: number; asks: number };
  /** When `eaten` was last brought up to date (ms). */
  eatenAt: number;
}

interface Level {
  px: number;
  lots: number;
}

export interface Order {
  oid: number;
  user: Hex;
  market: Market;
  isBuy: boolean;
  limitPx: number;
  origLots: number;
  /** Remaining size. */
  lots: number;
  reduceOnly: boolean;
  tif: Tif | null;
  cloid: Hex | null;
  timestamp: number;
  /** The request (transaction) that placed it: the orders of one batch share it. */
  txHash: Hex;
  /** That request's nonce (its signer's clock when it signed); null for the exchange's own. */
  nonce: number | null;
  trigger: { isMarket: boolean; triggerPx: number; tpsl: "tp" | "sl" } | null;
  status: OrderProcessingStatus;
  statusTimestamp: number;
  builder: { b: Hex; f: number } | null;
  /**
   * TP/SL orders placed with this one under `normalTpsl` while it rests: they wait, off the
   * book and the trigger list, until it has filled completely.
   */
  children: Order[];
  /** The TWAP this order is a slice of (its fills carry the id), or null. */
  twapId: number | null;
}

export type TwapStatus = "activated" | "finished" | "terminated" | "error";

/** A TWAP order: `lots` over `slices` IOC slices, one every TWAP_SLICE_MS from `timestamp`. */
export interface Twap {
  id: number;
  user: Hex;
  market: Market;
  isBuy: boolean;
  lots: number;
  reduceOnly: boolean;
  minutes: number;
  randomize: boolean;
  /** When it was placed (ms). */
  timestamp: number;
  executedLots: number;
  /** USD notional executed. */
  executedNtl: number;
  /** Slices planned (one per 30 s of the duration) and run so far. */
  slices: number;
  done: number;
  status: TwapStatus;
  /** Why it stopped, for status `error`. */
  description: string | null;
  /** Seeded slice-size jitter when `randomize` is set (deterministic under the simulator's seed). */
  rng: Rng | null;
}

/** One status change of a TWAP, with the TWAP as it stood then (twapHistory's records). */
export interface TwapRecord {
  time: number;
  twap: Twap;
  executedLots: number;
  executedNtl: number;
  status: TwapStatus;
  description: string | null;
}

export interface Position {
  lots: number;
  entryPx: number;
  leverage: { type: "cross" | "isolated"; value: number };
  /** USD held by an isolated position (its margin, before unrealized PnL). */
  isolatedMargin: number;
  /** Funding paid (positive) or received (negative), as clearinghouseState reports it. */
  cumFunding: { allTime: number; sinceOpen: number; sinceChange: number };
}

export interface Agent {
  address: Hex;
  master: Hex;
  name: string;
  validUntil: number | null;
}

export interface Account {
  address: Hex;
  /** Cross USDC: deposits + realized PnL − fees ± funding − margin moved into isolated positions. */
  balance: number;
  netDeposits: number;
  positions: Map<string, Position>;
  leverage: Map<string, { type: "cross" | "isolated"; value: number }>;
  orders: Order[];
  open: Map<number, Order>;
  byCloid: Map<string, Order>;
  fills: UserFill[];
  funding: FundingUpdate[];
  ledger: LedgerUpdate[];
  agents: Agent[];
  builderApprovals: Map<Hex, number>;
  /** The master of a sub-account (null for a master or a plain account). */
  master: Hex | null;
  /** Sub-account name (empty for a master). */
  name: string;
  /** A master's sub-accounts, oldest first. */
  subAccounts: Hex[];
  /** Referral code set with `setReferrer`, if any. */
  referrer: string | null;
  /** USDC on the spot side (usdClassTransfer); null until the account first moved any there. */
  spotUsdc: number | null;
  scheduledCancel: number | null;
  cumVlm: number;
  nRequests: number;
  /** Past the action cap one request per this many ms is let through (the exchange's 10 s). */
  limitedIntervalMs: number;
  /** When the last request past the cap was let through (ms). */
  limitedAt: number;
  fundingAllTime: number;
  /** [time, accountValue, pnl] samples for `portfolio`. */
  history: [number, number, number][];
}

export interface CrossSummary {
  accountValue: number;
  ntl: number;
  marginUsed: number;
  maintenance: number;
}

export interface AccountSummary {
  cross: CrossSummary;
  accountValue: number;
  ntl: number;
  marginUsed: number;
  openOrderMargin: number;
  withdrawable: number;
}

/** What the engine tells the websocket hub, batched per operation. */
export interface EngineListener {
  fills(user: Hex, fills: UserFill[]): void;
  orderUpdates(user: Hex, updates: OrderUpdatesEvent): void;
  userEvent(user: Hex, event: UserEventsEvent): void;
  ledger(user: Hex, updates: LedgerUpdate[]): void;
  trades(coin: string, trades: RecentTrade[]): void;
  book(coin: string): void;
  mids(): void;
  account(user: Hex): void;
  /** TWAP status changes (placed, finished, cancelled, stopped by an error) and slice progress. */
  twaps?(user: Hex, records: TwapRecord[]): void;
}

export interface EngineOptions {
  seed: number;
  markets: readonly SimMarketConfig[];
  bookLevels: number;
  /** Default notional of the maker's ladder per side (USD); markets may set their own. */
  depthUsd: number;
  /** Default time for an emptied side to refill (ms; 0 = never depletes); markets may set their own. */
  refillMs: number;
  /** Seconds one price step represents (the tick period). */
  stepSeconds: number;
  /** Funding period in ms (0 = only when asked); tells `predictedFundings` the next time. Default 1 h. */
  fundingIntervalMs?: number;
  /** Days of seeded hourly candle history before the start (default 30; 0 = none). */
  candleHistoryDays?: number;
  now: () => number;
}

/**
 * Where order, trade and liquidation ids start for an engine started at `startMs`: the start
 * time scaled up, so a simulator started again later never repeats an id the earlier one handed
 * out (unless that one made over 100 orders or 1000 trades per ms of its life), and a test's
 * clock keeps them the same run to run. Trade ids stay below 2^53 until the year 2255.
 */
export function idBases(startMs: number): { oid: number; tid: number; lid: number; twap: number } {
  const ms = Math.max(0, Math.floor(startMs));
  // TWAP ids count up from the start time in seconds: below 2^32 until 2106, as mainnet's are small.
  return {
    oid: 10_000_000 + ms * 100,
    tid: 500_000_000 + ms * 1000,
    lid: 1 + ms,
    twap: Math.floor(ms / 1000),
  };
}

export interface EngineFaults {
  rejectOrders: { count: number; message: string | undefined };
  partialFill: { count: number; fraction: number };
  /** Until this time (ms) only post-only orders are accepted (the postOnly fault). */
  postOnlyUntil: number;
}

/** Initial per-address action budget on top of 1 request per USD traded (`userRateLimit`). */
export const REQUEST_BUFFER = 10_000;

interface TxContext {
  hash: Hex;
  time: number;
  /** The nonce of the signed request being run (its signer's clock when it signed), if any. */
  nonce?: number;
}

type Batch = {
  fills: Map<Hex, UserFill[]>;
  updates: Map<Hex, OrderUpdatesEvent>;
  events: [Hex, UserEventsEvent][];
  ledger: Map<Hex, LedgerUpdate[]>;
  trades: Map<string, RecentTrade[]>;
  books: Set<string>;
  accounts: Set<Hex>;
  mids: boolean;
  twaps: Map<Hex, TwapRecord[]>;
};

function emptyBatch(): Batch {
  return {
    fills: new Map(),
    updates: new Map(),
    events: [],
    ledger: new Map(),
    trades: new Map(),
    books: new Set(),
    accounts: new Set(),
    mids: false,
    twaps: new Map(),
  };
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

const round6 = (n: number): number => Math.round(n * 1e6) / 1e6;
/** An order status that means the order was never accepted (`rejected`, `tickRejected`, …). */
const isRejection = (status: OrderProcessingStatus): boolean =>
  status === "rejected" || status.endsWith("Rejected");
/** A price in the short form the exchange uses inside messages ("64990@64991"). */
const plainPx = (px: number, szDecimals: number): string => fmtPx(px, szDecimals).replace(/\.0$/, "");

// ---------------------------------------------------------------------------------------------
// Engine
// ---------------------------------------------------------------------------------------------

export class Engine {
  readonly markets: Market[];
  readonly marketsByName = new Map<string, Market>();
  readonly accounts = new Map<Hex, Account>();
  readonly agents = new Map<Hex, Agent>();
  readonly orders = new Map<number, Order>();
  /** Every TWAP by id, and each one's status changes in order (twapHistory). */
  readonly twaps = new Map<number, Twap>();
  readonly twapRecords: TwapRecord[] = [];
  readonly faults: EngineFaults = {
    rejectOrders: { count: 0, message: undefined },
    partialFill: { count: 0, fraction: 1 },
    postOnlyUntil: 0,
  };
  /** Counters the server reports in stats. */
  readonly counters = { ordersPlaced: 0, ordersRejected: 0, fills: 0 };
  listener: EngineListener | null = null;

  private readonly opts: EngineOptions;
  private readonly priceRng: Rng;
  private readonly fundingRng: Rng;
  private readonly hashRng: Rng;
  // Set from the start time (see idBases): a simulator restarted on the same port never hands
  // out an id the previous one did, which a client's journal (keyed by trade id) would take for
  // a fill it already has.
  private nextOid: number;
  private nextTid: number;
  private nextLid: number;
  private nextTwapId: number;
  private batch: Batch = emptyBatch();
  /** Markets whose trigger orders must be checked before the operation ends (children just activated). */
  private readonly triggersDue = new Set<Market>();
  /** When the next funding payment is due (ms), for predictedFundings. */
  nextFundingTime: number;
  private depth = 0;
  /** When the operation being run started (see `now`); null between operations. */
  private runTime: number | null = null;

  constructor(opts: EngineOptions) {
    this.opts = opts;
    this.priceRng = new Rng(opts.seed);
    this.fundingRng = new Rng(opts.seed + 0x5eed);
    this.hashRng = new Rng(opts.seed + 0xba5e);
    const now = opts.now();
    const ids = idBases(now);
    this.nextOid = ids.oid;
    this.nextTid = ids.tid;
    this.nextLid = ids.lid;
    this.nextTwapId = ids.twap;
    this.markets = opts.markets.map((cfg, index): Market => {
      const mid = toPriceGrid(cfg.price, cfg.szDecimals, "round");
      const baseFunding = cfg.fundingRate ?? FUNDING_INTEREST;
      return {
        index,
        name: cfg.name,
        szDecimals: cfg.szDecimals,
        maxLeverage: cfg.maxLeverage,
        onlyIsolated: cfg.onlyIsolated ?? false,
        scale: 10 ** cfg.szDecimals,
        rawMid: cfg.price,
        mid,
        vol: cfg.vol ?? 0.0005,
        baseFunding,
        fundingRate: baseFunding,
        premium: baseFunding - FUNDING_INTEREST,
        bids: [],
        asks: [],
        triggers: [],
        longLots: 0,
        trades: [],
        candles: [],
        history: candleHistory(cfg, mid, now, opts.candleHistoryDays ?? 30, opts.seed + 0xc0ffee + index),
        fundingHistory: [],
        startPx: mid,
        synth: null,
        depthUsd: cfg.depthUsd ?? opts.depthUsd,
        refillMs: cfg.refillMs ?? opts.refillMs,
        eaten: { bids: 0, asks: 0 },
        eatenAt: now,
      };
    });
    this.nextFundingTime = now + this.fundingIntervalMs();
    for (const m of this.markets) {
      this.marketsByName.set(m.name, m);
      this.recordCandle(m, now, 0, 0);
    }
  }

  /**
   * The time now; inside an operation (`run`), the time it started. The exchange applies an
   * action at one block time: the orders of one batch carry one `timestamp` and their statuses
   * one `statusTimestamp` (cassette historicalOrders.json: three IOCs of one batch, all at
   * 1755863118217; frontendOpenOrders.json: an entry and its TP/SL children at one time).
   */
  now(): number {
    return this.runTime ?? this.opts.now();
  }

  /** The funding period (the exchange's is one hour). */
  fundingIntervalMs(): number {
    return this.opts.fundingIntervalMs || 3_600_000;
  }

  // -------------------------------------------------------------------------------------------
  // Events: every public operation runs inside `run`, which flushes one batch at the end.
  // -------------------------------------------------------------------------------------------

  run<T>(fn: () => T): T {
    if (this.depth === 0) this.runTime = this.opts.now();
    this.depth++;
    try {
      const out = fn();
      if (this.depth === 1) {
        // TP/SL children a fill activated fire now if their trigger is already crossed.
        for (const m of this.triggersDue) {
          this.triggersDue.delete(m);
          this.fireTriggers(m);
        }
      }
      return out;
    } finally {
      this.depth--;
      if (this.depth === 0) {
        this.runTime = null;
        this.flush();
      }
    }
  }

  private flush(): void {
    const b = this.batch;
    this.batch = emptyBatch();
    const l = this.listener;
    if (!l) return;
    for (const [user, fills] of b.fills) l.fills(user, fills);
    for (const [user, updates] of b.updates) l.orderUpdates(user, updates);
    for (const [user, event] of b.events) l.userEvent(user, event);
    for (const [user, updates] of b.ledger) l.ledger(user, updates);
    for (const [coin, trades] of b.trades) l.trades(coin, trades);
    if (l.twaps) for (const [user, records] of b.twaps) l.twaps(user, records);
    for (const coin of b.books) l.book(coin);
    if (b.mids) l.mids();
    for (const user of b.accounts) l.account(user);
  }

  // -------------------------------------------------------------------------------------------
  // Accounts
  // -------------------------------------------------------------------------------------------

  account(address: Hex): Account | undefined {
    return this.accounts.get(address.toLowerCase() as Hex);
  }

  private ensureAccount(address: Hex): Account {
    const key = address.toLowerCase() as Hex;
    let acct = this.accounts.get(key);
    if (!acct) {
      acct = {
        address: key,
        balance: 0,
        netDeposits: 0,
        positions: new Map(),
        leverage: new Map(),
        orders: [],
        open: new Map(),
        byCloid: new Map(),
        fills: [],
        funding: [],
        ledger: [],
        agents: [],
        builderApprovals: new Map(),
        master: null,
        name: "",
        subAccounts: [],
        referrer: null,
        spotUsdc: null,
        scheduledCancel: null,
        cumVlm: 0,
        nRequests: 0,
        limitedIntervalMs: 10_000,
        limitedAt: 0,
        fundingAllTime: 0,
        history: [],
      };
      this.accounts.set(key, acct);
    }
    return acct;
  }

  /**
   * Deposit (usd > 0) or withdraw (usd < 0) USDC, recorded as a ledger update.
   * @throws {Error} when a withdrawal exceeds what is withdrawable.
   */
  fund(address: Hex, amount: number): void {
    if (!Number.isFinite(amount) || amount === 0) throw new Error("usd must be a non-zero number");
    if (amount < 0 && !this.account(address))
      throw new Error(`withdrawal of ${-amount} exceeds withdrawable 0.0`);
    this.run(() => {
      const acct = this.ensureAccount(address);
      const time = this.now();
      const hash = this.hashRng.hex32();
      if (amount > 0) {
        acct.balance += amount;
        acct.netDeposits += amount;
        this.pushLedger(acct, { time, hash, delta: { type: "deposit", usdc: usd(amount) } });
      } else {
        const withdrawable = this.summary(acct).withdrawable;
        if (-amount > withdrawable + 1e-9) {
          throw new Error(`withdrawal of ${-amount} exceeds withdrawable ${usd(withdrawable)}`);
        }
        acct.balance += amount;
        acct.netDeposits += amount;
        this.pushLedger(acct, {
          time,
          hash,
          delta: { type: "withdraw", usdc: usd(-amount), nonce: time, fee: "0.0" },
        });
      }
      this.sample(acct);
      this.batch.accounts.add(acct.address);
    });
  }

  private pushLedger(acct: Account, update: LedgerUpdate): void {
    acct.ledger.push(update);
    pushTo(this.batch.ledger, acct.address, update);
  }

  /** Leverage setting for a coin: the stored one, else cross at min(20, max). */
  leverageOf(acct: Account | undefined, m: Market): { type: "cross" | "isolated"; value: number } {
    const stored = acct?.leverage.get(m.name);
    if (stored) return stored;
    return { type: m.onlyIsolated ? "isolated" : "cross", value: Math.min(20, m.maxLeverage) };
  }

  /** Maintenance margin rate: half the initial margin at maximum leverage. */
  static maintenanceRate(m: Market): number {
    return 1 / (2 * m.maxLeverage);
  }

  summary(acct: Account): AccountSummary {
    let crossUpnl = 0;
    let crossNtl = 0;
    let crossMargin = 0;
    let crossMaint = 0;
    let isoValue = 0;
    let isoNtl = 0;
    let isoMargin = 0;
    for (const [coin, pos] of acct.positions) {
      const m = this.marketsByName.get(coin);
      if (!m) continue;
      const size = pos.lots / m.scale;
      const ntl = Math.abs(size) * m.mid;
      const upnl = size * (m.mid - pos.entryPx);
      if (pos.leverage.type === "cross") {
        crossUpnl += upnl;
        crossNtl += ntl;
        crossMargin += ntl / pos.leverage.value;
        crossMaint += ntl * Engine.maintenanceRate(m);
      } else {
        isoValue += pos.isolatedMargin + upnl;
        isoNtl += ntl;
        isoMargin += pos.isolatedMargin + upnl;
      }
    }
    let openOrderMargin = 0;
    for (const o of acct.open.values()) {
      if (o.reduceOnly || o.trigger) continue;
      const lev = this.leverageOf(acct, o.market).value;
      openOrderMargin += ((o.lots / o.market.scale) * o.limitPx) / lev;
    }
    const crossValue = acct.balance + crossUpnl;
    return {
      cross: { accountValue: crossValue, ntl: crossNtl, marginUsed: crossMargin, maintenance: crossMaint },
      accountValue: crossValue + isoValue,
      ntl: crossNtl + isoNtl,
      marginUsed: crossMargin + isoMargin,
      openOrderMargin,
      withdrawable: Math.max(0, crossValue - crossMargin - openOrderMargin),
    };
  }

  private sample(acct: Account): void {
    const value = this.summary(acct).accountValue;
    acct.history.push([this.now(), value, value - acct.netDeposits]);
    if (acct.history.length > 5000) acct.history.splice(0, acct.history.length - 5000);
  }

  // -------------------------------------------------------------------------------------------
  // Agents, builders, leverage
  // -------------------------------------------------------------------------------------------

  /** Is there an account (it was funded) at this address? */
  isUser(address: Hex): boolean {
    return this.accounts.has(address);
  }

  /** The master an agent acts for, unless the agent is unknown or expired. */
  agentMaster(agent: Hex): Hex | undefined {
    const a = this.agents.get(agent);
    if (!a) return undefined;
    if (a.validUntil !== null && a.validUntil < this.now()) return undefined;
    return a.master;
  }

  /**
   * Register an agent for a master: an unnamed agent replaces the previous unnamed one, a name
   * replaces the agent of that name. `name` may carry " valid_until <ms>".
   */
  approveAgent(master: Hex, agent: Hex, rawName: string): string | null {
    const acct = this.account(master);
    if (!acct) return "User does not exist.";
    const agentAddress = agent.toLowerCase() as Hex;
    if (agentAddress === acct.address) return "Cannot approve self as agent.";
    if (this.accounts.has(agentAddress)) return "Agent address is already a user.";
    const m = /^(.*?)\s*valid_until\s+(\d+)$/.exec(rawName);
    const name = m ? (m[1] ?? "") : rawName;
    const validUntil = m ? Number(m[2]) : null;
    const replaced = acct.agents.filter((a) => a.name === name);
    if (name !== "" && replaced.length === 0 && acct.agents.filter((a) => a.name !== "").length >= 3) {
      return "Too many named agents.";
    }
    for (const old of replaced) this.agents.delete(old.address);
    acct.agents = acct.agents.filter((a) => a.name !== name && a.address !== agentAddress);
    const other = this.agents.get(agentAddress);
    if (other && other.master !== acct.address) {
      const prev = this.account(other.master);
      if (prev) prev.agents = prev.agents.filter((a) => a.address !== agentAddress);
    }
    const record: Agent = { address: agentAddress, master: acct.address, name, validUntil };
    acct.agents.push(record);
    this.agents.set(agentAddress, record);
    // The account's agent is part of what webData2/webData3 stream: tell the listeners.
    this.run(() => this.batch.accounts.add(acct.address));
    return null;
  }

  approveBuilderFee(user: Hex, builder: Hex, maxFeeRate: string): string | null {
    const acct = this.account(user);
    if (!acct) return "User does not exist.";
    const rate = Number(maxFeeRate.replace("%", "")) / 100;
    if (!Number.isFinite(rate) || rate < 0 || rate > 0.001) return "Invalid builder fee.";
    acct.builderApprovals.set(builder.toLowerCase() as Hex, rate);
    return null;
  }

  // -------------------------------------------------------------------------------------------
  // Sub-accounts: accounts of their own (positions, margin, fills, ledger) that only the master
  // (or an agent the master approved) trades, by sending `vaultAddress: <sub-account>`.
  // -------------------------------------------------------------------------------------------

  /** The master of a sub-account, or undefined when the address is not a sub-account. */
  subAccountMaster(address: Hex): Hex | undefined {
    return this.account(address)?.master ?? undefined;
  }

  /**
   * Create a sub-account for `master`; its address is derived from the master, the name and
   * the count (deterministic, never a key anyone holds). Returns the address or the error.
   */
  createSubAccount(master: Hex, name: string): { address: Hex } | { error: string } {
    const acct = this.account(master);
    if (!acct) return { error: "User does not exist." };
    if (acct.master) return { error: ERR.subAccountOfSubAccount };
    if (acct.subAccounts.some((a) => this.account(a)?.name === name)) return { error: ERR.subAccountName };
    const hash = keccak256(
      encodePacked(["address", "string", "uint32"], [acct.address, name, acct.subAccounts.length]),
    );
    const address = `0x${hash.slice(-40)}` as Hex;
    return this.run(() => {
      const sub = this.ensureAccount(address);
      sub.master = acct.address;
      sub.name = name;
      acct.subAccounts.push(sub.address);
      return { address: sub.address };
    });
  }

  /**
   * Move USDC between a master and one of its sub-accounts (`usdMicro` = USD × 1e6, as the
   * action carries it). Both sides get a `subAccountTransfer` ledger update with one hash.
   */
  subAccountTransfer(master: Hex, subAccount: Hex, isDeposit: boolean, usdMicro: number): string | null {
    const acct = this.account(master);
    const sub = this.account(subAccount);
    if (!acct) return "User does not exist.";
    if (!sub || sub.master !== acct.address) return ERR.subAccountUnknown(subAccount.toLowerCase());
    const amount = usdMicro / 1e6;
    const from = isDeposit ? acct : sub;
    const to = isDeposit ? sub : acct;
    return this.run(() => {
      if (amount > this.summary(from).withdrawable + 1e-9) return ERR.transferInsufficient;
      const time = this.now();
      const hash = this.hashRng.hex32();
      from.balance -= amount;
      from.netDeposits -= amount;
      to.balance += amount;
      to.netDeposits += amount;
      for (const side of [from, to]) {
        this.pushLedger(side, {
          time,
          hash,
          delta: {
            type: "subAccountTransfer",
            usdc: usd(amount),
            user: from.address,
            destination: to.address,
          },
        });
        this.sample(side);
        this.batch.accounts.add(side.address);
      }
      return null;
    });
  }

  /**
   * usdSend: move perp USDC to another address (which need not exist yet). Both sides get one
   * `internalTransfer` ledger update with one hash. No fee (mainnet's is not modelled).
   */
  usdSend(user: Hex, destination: Hex, amount: number): string | null {
    const from = this.account(user);
    if (!from) return "User does not exist.";
    return this.run(() => {
      if (!(amount > 0) || amount > this.summary(from).withdrawable + 1e-9) return ERR.sendInsufficient;
      const to = this.ensureAccount(destination.toLowerCase() as Hex);
      const time = this.now();
      const hash = this.hashRng.hex32();
      from.balance -= amount;
      from.netDeposits -= amount;
      to.balance += amount;
      to.netDeposits += amount;
      for (const side of from === to ? [from] : [from, to]) {
        this.pushLedger(side, {
          time,
          hash,
          delta: {
            type: "internalTransfer",
            usdc: usd(amount),
            user: from.address,
            destination: to.address,
            fee: "0.0",
          },
        });
        this.sample(side);
        this.batch.accounts.add(side.address);
      }
      return null;
    });
  }

  /**
   * withdraw3: `amount` leaves the account; the bridge keeps mainnet's $1 fee and pays out the
   * rest. The `withdraw` ledger update says it as mainnet does: `usdc` is what is paid out,
   * `fee` the fee beside it (a withdrawal of 5 reads {usdc: "4.0", fee: "1.0"}; the account is
   * out usdc + fee).
   */
  withdraw(user: Hex, amount: number, nonce: number): string | null {
    const acct = this.account(user);
    if (!acct) return "User does not exist.";
    return this.run(() => {
      if (!(amount > WITHDRAW_FEE_USD) || amount > this.summary(acct).withdrawable + 1e-9)
        return ERR.withdrawInsufficient;
      acct.balance -= amount;
      acct.netDeposits -= amount;
      this.pushLedger(acct, {
        time: this.now(),
        hash: this.hashRng.hex32(),
        delta: { type: "withdraw", usdc: usd(amount - WITHDRAW_FEE_USD), nonce, fee: usd(WITHDRAW_FEE_USD) },
      });
      this.sample(acct);
      this.batch.accounts.add(acct.address);
      return null;
    });
  }

  /**
   * usdClassTransfer: move USDC between the account's perp side (withdrawable) and its spot side
   * (a USDC balance, the only spot token here). One `accountClassTransfer` ledger update; the
   * perp side's net deposits follow the money, as a withdrawal's do.
   */
  usdClassTransfer(user: Hex, amount: number, toPerp: boolean): string | null {
    const acct = this.account(user);
    if (!acct) return "User does not exist.";
    return this.run(() => {
      const available = toPerp ? (acct.spotUsdc ?? 0) : this.summary(acct).withdrawable;
      if (!(amount > 0) || amount > available + 1e-9) return ERR.classTransferInsufficient;
      const sign = toPerp ? 1 : -1;
      acct.balance += sign * amount;
      acct.netDeposits += sign * amount;
      acct.spotUsdc = Math.max(0, (acct.spotUsdc ?? 0) - sign * amount);
      this.pushLedger(acct, {
        time: this.now(),
        hash: this.hashRng.hex32(),
        delta: { type: "accountClassTransfer", usdc: usd(amount), toPerp },
      });
      this.sample(acct);
      this.batch.accounts.add(acct.address);
      return null;
    });
  }

  /** Record a referral code once per account. */
  setReferrer(user: Hex, code: string): string | null {
    const acct = this.account(user);
    if (!acct) return "User does not exist.";
    if (acct.referrer !== null) return ERR.referrerSet;
    acct.referrer = code;
    return null;
  }

  updateLeverage(user: Hex, asset: number, isCross: boolean, leverage: number): string | null {
    const m = this.markets[asset];
    const acct = this.account(user);
    if (!m || !acct) return ERR.unknownAsset(asset);
    if (!Number.isInteger(leverage) || leverage < 1 || leverage > m.maxLeverage) return ERR.leverage;
    if (isCross && m.onlyIsolated) return ERR.onlyIsolated;
    const type = isCross ? "cross" : "isolated";
    return this.run(() => {
      const pos = acct.positions.get(m.name);
      if (pos && pos.leverage.type !== type) return ERR.switchLeverageType;
      acct.leverage.set(m.name, { type, value: leverage });
      if (pos) pos.leverage = { type, value: leverage };
      this.batch.accounts.add(acct.address);
      return null;
    });
  }

  /** Move margin into (ntli > 0) or out of an isolated position; ntli is USD × 1e6. */
  updateIsolatedMargin(user: Hex, asset: number, ntli: number): string | null {
    const m = this.markets[asset];
    const acct = this.account(user);
    if (!m || !acct) return ERR.unknownAsset(asset);
    const pos = acct.positions.get(m.name);
    if (pos?.leverage.type !== "isolated") return ERR.isolatedMarginNoPosition;
    const amount = ntli / 1e6;
    return this.run(() => {
      if (amount > 0) {
        if (amount > this.summary(acct).withdrawable + 1e-9) return ERR.isolatedMarginInsufficient;
      } else {
        const size = Math.abs(pos.lots / m.scale);
        const upnl = (pos.lots / m.scale) * (m.mid - pos.entryPx);
        const minMargin = (size * m.mid) / pos.leverage.value;
        if (pos.isolatedMargin + upnl + amount < minMargin - 1e-9) return ERR.isolatedMarginInsufficient;
      }
      pos.isolatedMargin += amount;
      acct.balance -= amount;
      this.batch.accounts.add(acct.address);
      return null;
    });
  }

  scheduleCancel(user: Hex, time: number | undefined): string | null {
    const acct = this.account(user);
    if (!acct) return "User does not exist.";
    if (time === undefined) {
      acct.scheduledCancel = null;
      return null;
    }
    if (time < this.now() + 5000) return ERR.scheduleTooEarly;
    acct.scheduledCancel = time;
    return null;
  }

  /** Cancel the orders of every account whose scheduled-cancel time has passed. */
  housekeeping(): void {
    const now = this.now();
    this.run(() => {
      for (const acct of this.accounts.values()) {
        if (acct.scheduledCancel === null || acct.scheduledCancel > now) continue;
        acct.scheduledCancel = null;
        for (const o of [...acct.open.values()]) this.removeOrder(o, "scheduledCancel");
      }
      this.runTwaps(now);
      // Depth coming back is a book change: l2Book/bbo subscribers see the refill as it happens.
      for (const m of this.markets) if (m.eaten.bids > 0 || m.eaten.asks > 0) this.refill(m, this.ladder(m));
    });
  }

  // -------------------------------------------------------------------------------------------
  // TWAP orders
  // -------------------------------------------------------------------------------------------

  /**
   * Place a TWAP (`twapOrder`): refused with the exchange's texts for an unknown asset, a bad
   * size, a duration outside 5–1440 minutes, a reduce-only TWAP with no position to reduce, or
   * a value under max($100, $10 × minutes) at the mid. Its slices run from `runTwaps`.
   */
  placeTwap(
    user: Hex,
    w: { a: number; b: boolean; s: string; r: boolean; m: number; t: boolean },
    withDetails: boolean,
  ): { running: { twapId: number } } | { error: string } {
    return this.run(() => {
      const m = this.markets[w.a];
      if (!m) return { error: ERR.unknownAsset(w.a) };
      if (withDetails) return { error: ERR.twapDetails };
      if (!Number.isInteger(w.m) || w.m < TWAP_MIN_MINUTES || w.m > TWAP_MAX_MINUTES)
        return { error: ERR.twapDuration(w.m) };
      const lots = toLots(w.s, m.szDecimals);
      if (lots === null) return { error: ERR.invalidSize };
      if (lots === 0) return { error: ERR.zeroSize };
      const u = user.toLowerCase() as Hex;
      const acct = this.ensureAccount(u);
      const posLots = acct.positions.get(m.name)?.lots ?? 0;
      if (w.r && (posLots === 0 || Math.sign(posLots) === (w.b ? 1 : -1)))
        return { error: ERR.twapReduceOnly };
      const least = Math.max(TWAP_MIN_USD, TWAP_USD_PER_MINUTE * w.m);
      if (!w.r && (lots / m.scale) * m.mid < least)
        return { error: ERR.twapTooSmall(least, least > TWAP_MIN_USD) };
      const id = this.nextTwapId++;
      const twap: Twap = {
        id,
        user: u,
        market: m,
        isBuy: w.b,
        lots,
        reduceOnly: w.r,
        minutes: w.m,
        randomize: w.t,
        timestamp: this.now(),
        executedLots: 0,
        executedNtl: 0,
        slices: Math.max(1, Math.round((w.m * 60_000) / TWAP_SLICE_MS)),
        done: 0,
        status: "activated",
        description: null,
        // Seeded by the TWAP's place in order, not its id (which follows the start time).
        rng: w.t ? new Rng(this.opts.seed + 0x7a9 + this.twaps.size) : null,
      };
      this.twaps.set(id, twap);
      this.recordTwap(twap);
      return { running: { twapId: id } };
    });
  }

  /** Cancel a running TWAP of `user` on asset `a` (`twapCancel`); its fills so far stay. */
  cancelTwap(user: Hex, a: number, twapId: number): "success" | { error: string } {
    return this.run(() => {
      const twap = this.twaps.get(twapId);
      if (!twap || twap.user !== user.toLowerCase() || twap.market.index !== a || twap.status !== "activated")
        return { error: ERR.twapCancelMissing };
      this.endTwap(twap, "terminated", null);
      return "success";
    });
  }

  /** The TWAPs of `user` still running, oldest first. */
  runningTwaps(user: Hex): Twap[] {
    const u = user.toLowerCase();
    return [...this.twaps.values()].filter((t) => t.user === u && t.status === "activated");
  }

  /** Run every TWAP slice due by `now`, in order (a clock moved on by minutes runs each one). */
  private runTwaps(now: number): void {
    for (const twap of this.twaps.values()) {
      while (twap.status === "activated" && twap.timestamp + (twap.done + 1) * TWAP_SLICE_MS <= now) {
        this.runSlice(twap);
      }
    }
  }

  /**
   * One slice: what the schedule says should have executed by now less what has, at most 3×
   * the even slice (catching up after slices that filled little), as an IOC limited 3 % from
   * the mid. `randomize` scales each slice but the last by a seeded factor in [0.5, 1.5).
   * During a post-only period no slice is sent (later ones catch up); a slice the account
   * lacks margin for stops the TWAP with that error, as mainnet's twapHistory shows it.
   */
  private runSlice(twap: Twap): void {
    twap.done++;
    const m = twap.market;
    const last = twap.done >= twap.slices;
    const even = twap.lots / twap.slices;
    let due = Math.round((twap.lots * twap.done) / twap.slices) - twap.executedLots;
    if (twap.rng && !last) due = Math.round(due * (0.5 + twap.rng.next()));
    const lots = Math.min(due, Math.max(1, Math.floor(even * TWAP_CATCH_UP)), twap.lots - twap.executedLots);
    if (lots > 0 && this.now() >= this.faults.postOnlyUntil) {
      const px = toPriceGrid(
        m.mid * (twap.isBuy ? 1 + TWAP_SLIPPAGE : 1 - TWAP_SLIPPAGE),
        m.szDecimals,
        twap.isBuy ? "floor" : "ceil",
      );
      const tx: TxContext = { hash: this.hashRng.hex32(), time: this.now() };
      const w: OrderWire = {
        a: m.index,
        b: twap.isBuy,
        p: fmtPx(px, m.szDecimals).replace(/\.0$/, ""),
        s: fmtLots(lots, m.szDecimals),
        r: twap.reduceOnly,
        t: { limit: { tif: "Ioc" } },
      };
      const status = this.placeOrder(twap.user, w, tx, undefined, undefined, undefined, twap);
      if (typeof status === "object" && "filled" in status) {
        const sz = Number(status.filled.totalSz);
        twap.executedLots += Math.round(sz * m.scale);
        twap.executedNtl += sz * Number(status.filled.avgPx);
      } else if (typeof status === "object" && "error" in status && status.error === ERR.margin(m.index)) {
        this.endTwap(twap, "error", status.error.replace(/ asset=\d+$/, ""));
        return;
      }
    }
    if (last || twap.executedLots >= twap.lots) this.endTwap(twap, "finished", null);
    else this.batch.twaps.set(twap.user, this.batch.twaps.get(twap.user) ?? []);
  }

  private endTwap(twap: Twap, status: TwapStatus, description: string | null): void {
    twap.status = status;
    twap.description = description;
    this.recordTwap(twap);
  }

  private recordTwap(twap: Twap): void {
    const record: TwapRecord = {
      time: this.now(),
      twap,
      executedLots: twap.executedLots,
      executedNtl: twap.executedNtl,
      status: twap.status,
      description: twap.description,
    };
    this.twapRecords.push(record);
    pushTo(this.batch.twaps, twap.user, record);
  }

  /** The address's action cap (`userRateLimit.nRequestsCap`): the buffer plus 1 per USD traded. */
  requestCap(acct: Account): number {
    return REQUEST_BUFFER + Math.floor(acct.cumVlm);
  }

  /** Whether an action of this account may run now; past the cap, one per interval. */
  allowRequest(acct: Account): boolean {
    if (acct.nRequests < this.requestCap(acct)) return true;
    const now = this.now();
    if (now - acct.limitedAt < acct.limitedIntervalMs) return false;
    acct.limitedAt = now;
    return true;
  }

  /** The userRateLimit fault: leave `user` only `remaining` actions under its cap. */
  limitRequests(user: Hex, remaining: number, intervalMs: number): void {
    const acct = this.ensureAccount(user);
    acct.nRequests = Math.max(0, this.requestCap(acct) - remaining);
    acct.limitedIntervalMs = intervalMs;
    acct.limitedAt = this.now();
  }

  // -------------------------------------------------------------------------------------------
  // Prices and the book
  // -------------------------------------------------------------------------------------------

  /** Advance every market's mid by `n` seeded steps (geometric random walk). */
  tick(n = 1): void {
    this.run(() => {
      const dt = this.opts.stepSeconds;
      for (let i = 0; i < n; i++) {
        for (const m of this.markets) {
          const z = this.priceRng.normal();
          const sigma = m.vol * Math.sqrt(dt);
          m.rawMid = Math.max(m.rawMid * Math.exp(sigma * z - 0.5 * sigma * sigma), 1e-9);
        }
      }
      for (const m of this.markets) this.moveMid(m, toPriceGrid(m.rawMid, m.szDecimals, "round"));
    });
  }

  /** Put the mid of a coin at a price (rounded to the price grid) now. */
  setMid(coin: string, px: number): void {
    const m = this.marketsByName.get(coin);
    if (!m) throw new Error(`unknown coin ${coin}`);
    if (!Number.isFinite(px) || px <= 0) throw new Error("px must be a positive number");
    this.run(() => {
      m.rawMid = px;
      this.moveMid(m, toPriceGrid(px, m.szDecimals, "round"));
    });
  }

  private moveMid(m: Market, mid: number): void {
    if (mid <= 0) mid = toPriceGrid(m.rawMid, m.szDecimals, "ceil");
    const changed = mid !== m.mid;
    m.mid = mid;
    this.recordCandle(m, this.now(), 0, 0);
    if (!changed) return;
    m.synth = null;
    this.batch.mids = true;
    this.batch.books.add(m.name);
    this.crossRestingOrders(m);
    this.fireTriggers(m);
    this.checkLiquidations(m);
    for (const acct of this.accounts.values()) {
      if (acct.positions.has(m.name)) this.batch.accounts.add(acct.address);
    }
  }

  private recordCandle(m: Market, time: number, lots: number, ntl: number): void {
    const t = time - (time % 60_000);
    const last = m.candles[m.candles.length - 1];
    const px = m.mid;
    if (!last || last.t !== t) {
      const open = last ? last.c : px;
      m.candles.push({ t, o: open, h: Math.max(open, px), l: Math.min(open, px), c: px, v: 0, n: 0, ntl: 0 });
      if (m.candles.length > 10_000) m.candles.splice(0, m.candles.length - 10_000);
    }
    const c = m.candles[m.candles.length - 1];
    if (!c) return;
    c.h = Math.max(c.h, px);
    c.l = Math.min(c.l, px);
    c.c = px;
    if (lots > 0) {
      c.v += lots / m.scale;
      c.n += 1;
      c.ntl += ntl;
    }
  }

  /** The synthetic market maker's full ladder around the mid (cached until the mid moves). */
  private ladder(m: Market): { bids: Level[]; asks: Level[] } {
    if (m.synth && m.synth.mid === m.mid) return m.synth;
    const { bookLevels } = this.opts;
    const levelSizeUsd = m.depthUsd / bookLevels;
    const d = m.szDecimals;
    const tick = 10 ** -pxDecimals(m.mid, d);
    const bestBid = toPriceGrid(m.mid - tick, d, "floor");
    const bestAsk = toPriceGrid(m.mid + tick, d, "ceil");
    const step = Math.max(m.mid * 0.0001, tick);
    const bids: Level[] = [];
    const asks: Level[] = [];
    let prevBid = Number.POSITIVE_INFINITY;
    let prevAsk = 0;
    for (let i = 0; i < bookLevels; i++) {
      let bid = toPriceGrid(bestBid - i * step, d, "floor");
      if (bid >= prevBid) bid = toPriceGrid(prevBid - 10 ** -pxDecimals(prevBid, d), d, "floor");
      let ask = toPriceGrid(bestAsk + i * step, d, "ceil");
      if (ask <= prevAsk) ask = toPriceGrid(prevAsk + 10 ** -pxDecimals(prevAsk, d), d, "ceil");
      if (bid > 0) bids.push({ px: bid, lots: Math.max(1, Math.floor((levelSizeUsd / bid) * m.scale)) });
      asks.push({ px: ask, lots: Math.max(1, Math.floor((levelSizeUsd / ask) * m.scale)) });
      prevBid = bid;
      prevAsk = ask;
    }
    m.synth = { mid: m.mid, bids, asks };
    return m.synth;
  }

  /**
   * Bring the depth takers consumed back up to now: each side refills linearly, a whole side's
   * lots per `refillMs`.
   */
  private refill(m: Market, full: { bids: Level[]; asks: Level[] }): void {
    const now = this.now();
    const dt = now - m.eatenAt;
    if (dt <= 0) return;
    m.eatenAt = now;
    if (m.eaten.bids === 0 && m.eaten.asks === 0) return;
    if (m.refillMs <= 0) {
      m.eaten = { bids: 0, asks: 0 };
      return;
    }
    for (const side of ["bids", "asks"] as const) {
      const total = full[side].reduce((sum, l) => sum + l.lots, 0);
      m.eaten[side] = Math.max(0, m.eaten[side] - (total * dt) / m.refillMs);
    }
    this.batch.books.add(m.name);
  }

  /** A taker consumed `lots` of the maker's ladder on one side (the levels nearest the mid go first). */
  private eat(m: Market, side: "bids" | "asks", lots: number): void {
    if (m.refillMs <= 0) return;
    const full = this.ladder(m);
    this.refill(m, full);
    const total = full[side].reduce((sum, l) => sum + l.lots, 0);
    m.eaten[side] = Math.min(total, m.eaten[side] + lots);
    this.batch.books.add(m.name);
  }

  /**
   * The synthetic market maker's levels around the mid as they stand now: the full ladder less
   * what takers consumed and has not refilled yet, taken from the levels nearest the mid.
   */
  synthetic(m: Market): { bids: Level[]; asks: Level[] } {
    const full = this.ladder(m);
    this.refill(m, full);
    const deplete = (levels: Level[], eaten: number): Level[] => {
      let left = Math.round(eaten);
      if (left <= 0) return levels;
      const out: Level[] = [];
      for (const l of levels) {
        if (left >= l.lots) {
          left -= l.lots;
          continue;
        }
        out.push(left > 0 ? { px: l.px, lots: l.lots - left } : l);
        left = 0;
      }
      return out;
    };
    return { bids: deplete(full.bids, m.eaten.bids), asks: deplete(full.asks, m.eaten.asks) };
  }

  /** Best bid and ask of the whole book (users' orders and the synthetic levels). */
  bbo(m: Market): { bid: number | undefined; ask: number | undefined } {
    const s = this.synthetic(m);
    const ub = m.bids[0]?.limitPx;
    const ua = m.asks[0]?.limitPx;
    const sb = s.bids[0]?.px;
    const sa = s.asks[0]?.px;
    return {
      bid: ub === undefined ? sb : sb === undefined ? ub : Math.max(ub, sb),
      ask: ua === undefined ? sa : sa === undefined ? ua : Math.min(ua, sa),
    };
  }

  /** Aggregated book levels [bids, asks] (price, size, order count), best first. */
  levels(
    m: Market,
    depth: number,
  ): [{ px: number; lots: number; n: number }[], { px: number; lots: number; n: number }[]] {
    const s = this.synthetic(m);
    const merge = (users: Order[], synth: Level[], better: (a: number, b: number) => boolean) => {
      const out: { px: number; lots: number; n: number }[] = [];
      let i = 0;
      let j = 0;
      while (out.length < depth && (i < users.length || j < synth.length)) {
        const u = users[i];
        const sl = synth[j];
        let px: number;
        if (u && (!sl || better(u.limitPx, sl.px) || u.limitPx === sl.px)) px = u.limitPx;
        else if (sl) px = sl.px;
        else break;
        let lots = 0;
        let n = 0;
        while (users[i] && users[i]?.limitPx === px) {
          lots += users[i]?.lots ?? 0;
          n++;
          i++;
        }
        if (synth[j] && synth[j]?.px === px) {
          lots += synth[j]?.lots ?? 0;
          n++;
          j++;
        }
        out.push({ px, lots, n });
      }
      return out;
    };
    return [merge(m.bids, s.bids, (a, b) => a > b), merge(m.asks, s.asks, (a, b) => a < b)];
  }

  // -------------------------------------------------------------------------------------------
  // Orders
  // -------------------------------------------------------------------------------------------

  private newOrder(user: Hex, m: Market, w: OrderWire, lots: number, px: number, tx: TxContext): Order {
    const now = this.now();
    const trig =
      "trigger" in w.t
        ? { isMarket: w.t.trigger.isMarket, triggerPx: Number(w.t.trigger.triggerPx), tpsl: w.t.trigger.tpsl }
        : null;
    const order: Order = {
      oid: this.nextOid++,
      user,
      market: m,
      isBuy: w.b,
      limitPx: px,
      origLots: lots,
      lots,
      reduceOnly: w.r,
      tif: "limit" in w.t ? w.t.limit.tif : null,
      cloid: w.c ? (w.c.toLowerCase() as Hex) : null,
      timestamp: now,
      txHash: tx.hash,
      nonce: tx.nonce ?? null,
      trigger: trig,
      status: "open",
      statusTimestamp: now,
      builder: null,
      children: [],
      twapId: null,
    };
    this.orders.set(order.oid, order);
    const acct = this.ensureAccount(user);
    acct.orders.push(order);
    if (order.cloid) acct.byCloid.set(order.cloid, order);
    return order;
  }

  private setStatus(o: Order, status: OrderProcessingStatus, notify = true): void {
    o.status = status;
    o.statusTimestamp = this.now();
    if (notify) {
      const list = this.batch.updates.get(o.user);
      const update = { order: this.openOrderView(o), status, statusTimestamp: o.statusTimestamp };
      if (list) list.push(update);
      else this.batch.updates.set(o.user, [update]);
    }
  }

  private reject(o: Order, status: OrderProcessingStatus, error: string): OrderStatusEntry {
    this.counters.ordersRejected++;
    this.setStatus(o, status);
    return { error };
  }

  /**
   * Place the orders of one `order` action for `user`, in order. Each gets its own status;
   * a failure never stops the others (grouping "na", "positionTpsl", and anything that is not
   * an entry followed by TP/SL orders).
   *
   * `normalTpsl` with an entry first: the trigger orders after it are its TP/SL children and
   * answer as mainnet does, with the bare strings `"waitingForFill"` (the entry rests) or
   * `"waitingForTrigger"` (the entry filled; a recorded mainnet reply to [market, tp, sl] is
   * `[{filled}, "waitingForTrigger", "waitingForTrigger"]`, nktkas/hyperliquid#96). What they
   * do follows the docs' TP/SL page: they become live reduce-only trigger orders once the entry
   * has filled completely, and are cancelled with it when it is cancelled (or removed any other
   * way) before that. Two choices of the simulator's own, where no source says: an IOC entry
   * that fills only partly (the exchange, not the user, cancels the rest) activates its
   * children sized to what filled — the docs' rule for a partly filled entry the exchange
   * cancelled for margin; and when the entry is rejected its children are not placed and
   * carry the entry's error.
   */
  placeOrders(
    user: Hex,
    orders: OrderWire[],
    builder: { b: Hex; f: number } | undefined,
    grouping: unknown = "na",
    nonce?: number,
  ): OrderStatusEntry[] {
    return this.run(() => {
      const tx: TxContext = { hash: this.hashRng.hex32(), time: this.now(), nonce };
      const u = user.toLowerCase() as Hex;
      const [entry, ...rest] = orders;
      if (grouping !== "normalTpsl" || !entry || "trigger" in entry.t || rest.length === 0) {
        return orders.map((w) => this.placeOrder(u, w, tx, builder));
      }
      const firstOid = this.nextOid;
      const entryStatus = this.placeOrder(u, entry, tx, builder);
      const last = this.account(u)?.orders.at(-1);
      const parent = last && last.oid >= firstOid ? last : undefined;
      const statuses: OrderStatusEntry[] = [entryStatus];
      for (const w of rest) {
        if (!("trigger" in w.t)) statuses.push(this.placeOrder(u, w, tx, builder));
        else statuses.push(this.placeChild(u, w, tx, builder, entryStatus, parent));
      }
      return statuses;
    });
  }

  /** One TP/SL child of a `normalTpsl` entry (see placeOrders). */
  private placeChild(
    user: Hex,
    w: OrderWire,
    tx: TxContext,
    builder: { b: Hex; f: number } | undefined,
    entryStatus: OrderStatusEntry,
    parent: Order | undefined,
  ): OrderStatusEntry {
    if (typeof entryStatus === "object" && "error" in entryStatus) {
      this.counters.ordersRejected++;
      return { error: entryStatus.error };
    }
    if (!parent) return this.placeOrder(user, w, tx, builder);
    const filledLots = parent.origLots - parent.lots;
    if (parent.status === "open") {
      const held = this.placeOrder(user, w, tx, builder, undefined, parent);
      return typeof held === "object" && "resting" in held ? "waitingForFill" : held;
    }
    let wire = w;
    if (parent.status !== "filled") {
      // An IOC entry that filled partly: its children cover what it filled.
      const lots = toLots(w.s, parent.market.szDecimals);
      if (lots !== null && lots > filledLots)
        wire = { ...w, s: fmtLots(filledLots, parent.market.szDecimals) };
    }
    const placed = this.placeOrder(user, wire, tx, builder);
    return typeof placed === "object" && "resting" in placed ? "waitingForTrigger" : placed;
  }

  /** A child whose entry has filled: a live trigger order now (checked before the operation ends). */
  private activate(child: Order): void {
    const m = child.market;
    const acct = this.ensureAccount(child.user);
    m.triggers.push(child);
    acct.open.set(child.oid, child);
    this.setStatus(child, "open");
    this.batch.accounts.add(acct.address);
    this.triggersDue.add(m);
  }

  /**
   * @param replacing the order a modify just cancelled: the new order may keep its cloid.
   * @param heldBy a resting `normalTpsl` entry: a trigger order is checked, then held as its
   *   child (no position to reduce yet) instead of going live.
   */
  private placeOrder(
    user: Hex,
    w: OrderWire,
    tx: TxContext,
    builder: { b: Hex; f: number } | undefined,
    replacing?: Order,
    heldBy?: Order,
    twap?: Twap,
  ): OrderStatusEntry {
    const m = this.markets[w.a];
    if (!m) {
      this.counters.ordersRejected++;
      return { error: ERR.unknownAsset(w.a) };
    }
    if (w.c) {
      // A cloid belongs to the first accepted order that carried it (resting, filled, cancelled
      // later: all the same); only a rejected order leaves it free. The duplicate is refused
      // before it becomes an order, so the cloid keeps naming the original.
      const prior = this.account(user)?.byCloid.get(w.c.toLowerCase());
      if (prior && prior !== replacing && !isRejection(prior.status)) {
        this.counters.ordersRejected++;
        return { error: ERR.duplicateCloid(w.c.toLowerCase(), prior.oid, w.a) };
      }
    }
    const lots = toLots(w.s, m.szDecimals);
    if (lots === null) {
      this.counters.ordersRejected++;
      return { error: ERR.invalidSize };
    }
    if (lots === 0) {
      this.counters.ordersRejected++;
      return { error: ERR.zeroSize };
    }
    const px = Number(w.p);
    const order = this.newOrder(user, m, w, lots, px, tx);
    if (twap) order.twapId = twap.id;
    if (builder) order.builder = { b: builder.b.toLowerCase() as Hex, f: builder.f };
    const a = m.index;
    if (!isValidPrice(w.p, m.szDecimals)) return this.reject(order, "tickRejected", ERR.tick(a));
    if ("trigger" in w.t && !isValidPrice(w.t.trigger.triggerPx, m.szDecimals)) {
      return this.reject(order, "tickRejected", ERR.tick(a));
    }
    // A sell stop whose limit is above its trigger: mainnet's "Invalid TP/SL price."
    // (recorded in nautilus_trader#3611: SL sell, isMarket, limit above triggerPx → rejected;
    // docs' Error responses list the text). Only that recorded case is checked: the mirror
    // (a buy stop limited below its trigger) and take-profits have no public record.
    const trig = order.trigger;
    if (trig && trig.tpsl === "sl" && !order.isBuy && px > trig.triggerPx) {
      return this.reject(order, "badTriggerPxRejected", ERR.badTriggerPx(a));
    }
    if (Math.abs(px - m.mid) > m.mid * MAX_PRICE_DEVIATION)
      return this.reject(order, "oracleRejected", ERR.priceBand);
    if (this.now() < this.faults.postOnlyUntil && order.tif !== "Alo") {
      return this.reject(order, "rejected", ERR.postOnlyAfterUpgrade);
    }
    const fault = this.faults.rejectOrders;
    if (fault.count > 0) {
      fault.count--;
      return this.reject(order, "rejected", fault.message ?? `Order rejected by simulator fault. asset=${a}`);
    }
    const acct = this.ensureAccount(user);
    const posLots = acct.positions.get(m.name)?.lots ?? 0;
    const dir = order.isBuy ? 1 : -1;
    if (order.reduceOnly && !heldBy && (posLots === 0 || Math.sign(posLots) === dir)) {
      return this.reject(order, "reduceOnlyRejected", ERR.reduceOnly(a));
    }
    // A TWAP's slices are below $10 as a rule ($10 a minute is two slices): the TWAP's own minimum applies.
    if (!order.reduceOnly && !twap && (lots / m.scale) * px < MIN_ORDER_USD) {
      return this.reject(order, "minTradeNtlRejected", ERR.minValue(a));
    }
    if (!order.reduceOnly) {
      const increase = Math.sign(posLots) === -dir ? Math.max(0, lots - Math.abs(posLots)) : lots;
      if (increase > 0) {
        const lev = this.leverageOf(acct, m).value;
        const required = ((increase / m.scale) * Math.max(px, m.mid)) / lev;
        if (required > this.summary(acct).withdrawable + 1e-9) {
          return this.reject(order, "perpMarginRejected", ERR.margin(a));
        }
      }
    }

    if (order.trigger && heldBy) {
      this.counters.ordersPlaced++;
      heldBy.children.push(order);
      return { resting: order.cloid ? { oid: order.oid, cloid: order.cloid } : { oid: order.oid } };
    }
    if (order.trigger) {
      this.counters.ordersPlaced++;
      m.triggers.push(order);
      acct.open.set(order.oid, order);
      this.setStatus(order, "open");
      this.batch.accounts.add(acct.address);
      this.fireTriggers(m);
      return { resting: order.cloid ? { oid: order.oid, cloid: order.cloid } : { oid: order.oid } };
    }

    const tif = order.tif ?? "Gtc";
    const { bid, ask } = this.bbo(m);
    const crosses = order.isBuy ? ask !== undefined && px >= ask : bid !== undefined && px <= bid;
    if (tif === "Alo" && crosses) {
      const bboText = `${bid === undefined ? "None" : plainPx(bid, m.szDecimals)}@${ask === undefined ? "None" : plainPx(ask, m.szDecimals)}`;
      return this.reject(order, "badAloPxRejected", ERR.alo(bboText, a));
    }

    let cap = lots;
    if (order.reduceOnly) cap = Math.min(cap, Math.abs(posLots));
    if (crosses) {
      const pf = this.faults.partialFill;
      if (pf.count > 0) {
        pf.count--;
        cap = Math.min(cap, Math.floor(lots * pf.fraction));
      }
    }
    const { filled, notional } = crosses && cap > 0 ? this.take(order, cap, tx) : { filled: 0, notional: 0 };
    const avgPx = filled > 0 ? notional / (filled / m.scale) : 0;
    const filledStatus = (): OrderStatusEntry => {
      const body = {
        totalSz: fmtLots(filled, m.szDecimals),
        avgPx: fmtAvgPx(avgPx, m.szDecimals),
        oid: order.oid,
      };
      return { filled: order.cloid ? { ...body, cloid: order.cloid } : body };
    };

    if (tif === "Ioc" || tif === "FrontendMarket") {
      if (filled === 0) return this.reject(order, "iocCancelRejected", ERR.ioc(a));
      this.counters.ordersPlaced++;
      if (order.lots > 0) {
        // The unfilled remainder of an IOC is cancelled at once.
        this.setStatus(order, "canceled");
      }
      this.afterFills(order.user, m);
      return filledStatus();
    }

    this.counters.ordersPlaced++;
    if (order.lots === 0) {
      this.afterFills(order.user, m);
      return filledStatus();
    }
    if (order.reduceOnly && filled > 0 && Math.abs(acct.positions.get(m.name)?.lots ?? 0) === 0) {
      this.setStatus(order, "reduceOnlyCanceled");
      this.afterFills(order.user, m);
      return filledStatus();
    }
    this.rest(order);
    this.setStatus(order, "open");
    if (filled > 0) this.afterFills(order.user, m);
    this.batch.accounts.add(acct.address);
    return { resting: order.cloid ? { oid: order.oid, cloid: order.cloid } : { oid: order.oid } };
  }

  private rest(o: Order): void {
    const m = o.market;
    const side = o.isBuy ? m.bids : m.asks;
    // Price priority, then time: insert after every order at an equal or better price.
    let lo = 0;
    let hi = side.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const other = side[mid];
      if (!other) break;
      const before = o.isBuy ? other.limitPx >= o.limitPx : other.limitPx <= o.limitPx;
      if (before) lo = mid + 1;
      else hi = mid;
    }
    side.splice(lo, 0, o);
    this.ensureAccount(o.user).open.set(o.oid, o);
    this.batch.books.add(m.name);
  }

  /** Take an order off the book (or the trigger list) with a final status. */
  private removeOrder(o: Order, status: OrderProcessingStatus, nonUser = false): void {
    const m = o.market;
    const list = o.trigger && !o.tif ? m.triggers : o.isBuy ? m.bids : m.asks;
    const i = list.indexOf(o);
    if (i >= 0) list.splice(i, 1);
    if (!o.trigger || o.tif) this.batch.books.add(m.name);
    const acct = this.account(o.user);
    acct?.open.delete(o.oid);
    this.setStatus(o, status);
    if (nonUser) this.batch.events.push([o.user, { nonUserCancel: [{ coin: m.name, oid: o.oid }] }]);
    if (acct) this.batch.accounts.add(acct.address);
    // normalTpsl children: live once their entry filled completely, cancelled with it otherwise.
    for (const child of o.children.splice(0)) {
      if (status === "filled") this.activate(child);
      else this.setStatus(child, "canceled");
    }
  }

  /**
   * Walk the opposite side for `taker` up to its limit and `cap` lots: users' resting orders
   * first at a price, then the synthetic level. Self-trades cancel the resting order.
   */
  private take(taker: Order, cap: number, tx: TxContext): { filled: number; notional: number } {
    const m = taker.market;
    const makers = taker.isBuy ? m.asks : m.bids;
    const synth = taker.isBuy ? this.synthetic(m).asks : this.synthetic(m).bids;
    const limit = taker.limitPx;
    const crossesPx = (px: number) => (taker.isBuy ? px <= limit + 1e-12 : px >= limit - 1e-12);
    const better = (a: number, b: number) => (taker.isBuy ? a < b : a > b);
    let remaining = cap;
    let notional = 0;
    let j = 0;
    while (remaining > 0) {
      const maker = makers[0];
      const level = synth[j];
      if (maker && (!level || better(maker.limitPx, level.px) || maker.limitPx === level.px)) {
        if (!crossesPx(maker.limitPx)) break;
        if (maker.user === taker.user) {
          this.removeOrder(maker, "selfTradeCanceled");
          continue;
        }
        let lots = Math.min(remaining, maker.lots);
        if (maker.reduceOnly) {
          lots = Math.min(lots, Math.abs(this.account(maker.user)?.positions.get(m.name)?.lots ?? 0));
          if (lots === 0) {
            this.removeOrder(maker, "reduceOnlyCanceled", true);
            continue;
          }
        }
        this.trade(m, taker, maker, maker.limitPx, lots, tx);
        remaining -= lots;
        notional += (lots / m.scale) * maker.limitPx;
        maker.lots -= lots;
        if (maker.lots === 0) this.removeOrder(maker, "filled");
        else this.batch.books.add(m.name);
        this.afterFills(maker.user, m);
        continue;
      }
      if (!level || !crossesPx(level.px)) break;
      const lots = Math.min(remaining, level.lots);
      this.trade(m, taker, null, level.px, lots, tx);
      this.eat(m, taker.isBuy ? "asks" : "bids", lots);
      remaining -= lots;
      notional += (lots / m.scale) * level.px;
      j++;
    }
    const filled = cap - remaining;
    taker.lots -= filled;
    if (taker.lots === 0) this.setStatus(taker, "filled");
    return { filled, notional };
  }

  /** One match: fills for the user side(s), a public trade, volume and candles. */
  private trade(
    m: Market,
    taker: Order | null,
    maker: Order | null,
    px: number,
    lots: number,
    tx: TxContext,
    liq?: LiquidationTag,
  ): void {
    const tid = this.nextTid++;
    const takerIsBuy = taker ? taker.isBuy : liq ? liq.isBuy : !(maker?.isBuy ?? false);
    const takerUser = taker ? taker.user : (liq?.user ?? SYNTHETIC_MAKER);
    if (taker) this.applyFill(taker.user, m, taker.isBuy, lots, px, true, taker, tx, tid, liq);
    else if (liq) this.applyFill(liq.user, m, takerIsBuy, lots, px, true, null, tx, tid, liq);
    if (maker) this.applyFill(maker.user, m, maker.isBuy, lots, px, false, maker, tx, tid);
    const makerUser = maker ? maker.user : SYNTHETIC_MAKER;
    const buyer = takerIsBuy ? takerUser : makerUser;
    const seller = takerIsBuy ? makerUser : takerUser;
    const trade: RecentTrade = {
      coin: m.name,
      side: takerIsBuy ? "B" : "A",
      px: fmtPx(px, m.szDecimals),
      sz: fmtLots(lots, m.szDecimals),
      time: tx.time,
      hash: tx.hash,
      tid,
      users: [buyer, seller],
    };
    m.trades.push(trade);
    if (m.trades.length > 200) m.trades.splice(0, m.trades.length - 200);
    pushTo(this.batch.trades, m.name, trade);
    this.recordCandle(m, tx.time, lots, (lots / m.scale) * px);
  }

  private applyFill(
    user: Hex,
    m: Market,
    isBuy: boolean,
    lots: number,
    px: number,
    crossed: boolean,
    order: Order | null,
    tx: TxContext,
    tid: number,
    liq?: LiquidationTag,
  ): void {
    const acct = this.ensureAccount(user);
    let pos = acct.positions.get(m.name);
    if (!pos) {
      const lev = this.leverageOf(acct, m);
      pos = {
        lots: 0,
        entryPx: 0,
        leverage: { ...lev },
        isolatedMargin: 0,
        cumFunding: { allTime: 0, sinceOpen: 0, sinceChange: 0 },
      };
      acct.positions.set(m.name, pos);
    }
    const start = pos.lots;
    const delta = isBuy ? lots : -lots;
    const next = start + delta;
    const closed = start !== 0 && Math.sign(start) !== Math.sign(delta) ? Math.min(Math.abs(start), lots) : 0;
    const opened = lots - closed;
    const closedPnl = closed > 0 ? (closed / m.scale) * (px - pos.entryPx) * Math.sign(start) : 0;
    const notional = (lots / m.scale) * px;
    const fee = round6(notional * (crossed ? TAKER_FEE_RATE : MAKER_FEE_RATE));
    const builderFee = order?.builder ? round6((notional * order.builder.f) / 100_000) : 0;

    if (pos.leverage.type === "isolated") {
      if (closed > 0) {
        const release =
          closed === Math.abs(start) ? pos.isolatedMargin : (pos.isolatedMargin * closed) / Math.abs(start);
        pos.isolatedMargin -= release;
        acct.balance += release;
      }
      if (opened > 0) {
        const add = ((opened / m.scale) * px) / pos.leverage.value;
        pos.isolatedMargin += add;
        acct.balance -= add;
      }
    }
    acct.balance += closedPnl - fee - builderFee;

    let dir: string;
    if (start === 0) dir = isBuy ? "Open Long" : "Open Short";
    else if (start > 0) dir = isBuy ? "Open Long" : next >= 0 ? "Close Long" : "Long > Short";
    else dir = !isBuy ? "Open Short" : next <= 0 ? "Close Short" : "Short > Long";

    if (next === 0) pos.entryPx = 0;
    else if (start === 0 || Math.sign(start) === Math.sign(delta)) {
      pos.entryPx = (Math.abs(start) * pos.entryPx + lots * px) / Math.abs(next);
    } else if (Math.sign(next) !== Math.sign(start)) pos.entryPx = px;
    if (start === 0 || Math.sign(next) !== Math.sign(start)) pos.cumFunding.sinceOpen = 0;
    pos.cumFunding.sinceChange = 0;
    pos.lots = next;
    m.longLots += Math.max(next, 0) - Math.max(start, 0);
    if (next === 0) acct.positions.delete(m.name);

    acct.cumVlm += notional;
    const fill: UserFill = {
      coin: m.name,
      px: fmtPx(px, m.szDecimals),
      sz: fmtLots(lots, m.szDecimals),
      side: isBuy ? "B" : "A",
      time: tx.time,
      startPosition: fmtLots(start, m.szDecimals),
      dir,
      closedPnl: usd(closedPnl),
      hash: tx.hash,
      oid: order?.oid ?? this.nextOid++,
      crossed,
      fee: usd(fee),
      tid,
      ...(order?.cloid ? { cloid: order.cloid } : {}),
      ...(liq
        ? {
            liquidation: {
              liquidatedUser: liq.user,
              markPx: fmtAvgPx(liq.markPx, m.szDecimals),
              method: liq.method,
            },
          }
        : {}),
      feeToken: "USDC",
      ...(builderFee > 0 ? { builderFee: usd(builderFee) } : {}),
      twapId: order?.twapId ?? null,
    };
    acct.fills.push(fill);
    this.counters.fills++;
    pushTo(this.batch.fills, acct.address, fill);
    this.batch.accounts.add(acct.address);
    this.sample(acct);
  }

  /** After a user's position on a coin changed: cancel reduce-only orders that would now increase it. */
  private afterFills(user: Hex, m: Market): void {
    const acct = this.account(user);
    if (!acct) return;
    const posLots = acct.positions.get(m.name)?.lots ?? 0;
    for (const o of [...acct.open.values()]) {
      if (o.market !== m || !o.reduceOnly) continue;
      const dir = o.isBuy ? 1 : -1;
      if (posLots === 0 || Math.sign(posLots) === dir) this.removeOrder(o, "reduceOnlyCanceled", true);
    }
  }

  /** After the mid moved: users' resting orders the synthetic book now crosses fill as makers. */
  private crossRestingOrders(m: Market): void {
    const s = this.synthetic(m);
    const bestAsk = s.asks[0]?.px;
    const bestBid = s.bids[0]?.px;
    const crossed: Order[] = [];
    if (bestAsk !== undefined) for (const o of m.bids) if (o.limitPx >= bestAsk) crossed.push(o);
    if (bestBid !== undefined) for (const o of m.asks) if (o.limitPx <= bestBid) crossed.push(o);
    for (const o of crossed) {
      if (o.lots === 0 || !this.orders.has(o.oid)) continue;
      const acct = this.account(o.user);
      let lots = o.lots;
      if (o.reduceOnly) {
        const posLots = acct?.positions.get(m.name)?.lots ?? 0;
        lots = Math.min(lots, Math.abs(posLots));
        if (lots === 0) continue;
      }
      const tx: TxContext = { hash: this.hashRng.hex32(), time: this.now() };
      this.trade(m, null, o, o.limitPx, lots, tx);
      o.lots -= lots;
      if (o.lots === 0) this.removeOrder(o, "filled");
      else this.batch.books.add(m.name);
      this.afterFills(o.user, m);
    }
  }

  private triggerHit(o: Order, mark: number): boolean {
    if (!o.trigger) return false;
    const { tpsl, triggerPx } = o.trigger;
    // A sell closes a long: take profit above, stop below. A buy closes a short: the reverse.
    const above = o.isBuy ? tpsl === "sl" : tpsl === "tp";
    return above ? mark >= triggerPx : mark <= triggerPx;
  }

  private fireTriggers(m: Market): void {
    const due = m.triggers.filter((o) => this.triggerHit(o, m.mid));
    for (const o of due) {
      const i = m.triggers.indexOf(o);
      if (i >= 0) m.triggers.splice(i, 1);
      this.setStatus(o, "triggered");
      const acct = this.ensureAccount(o.user);
      // Off the open list while it executes (rest() puts a triggered limit order back).
      acct.open.delete(o.oid);
      const posLots = acct.positions.get(m.name)?.lots ?? 0;
      const dir = o.isBuy ? 1 : -1;
      let cap = o.lots;
      if (o.reduceOnly) {
        if (posLots === 0 || Math.sign(posLots) === dir) {
          this.setStatus(o, "reduceOnlyCanceled");
          this.batch.events.push([o.user, { nonUserCancel: [{ coin: m.name, oid: o.oid }] }]);
          continue;
        }
        cap = Math.min(cap, Math.abs(posLots));
      }
      const trig = o.trigger;
      if (trig?.isMarket) {
        // A triggered market order is an IOC within the allowed slippage of the mark.
        const bound = o.isBuy ? m.mid * (1 + TRIGGER_MARKET_SLIPPAGE) : m.mid * (1 - TRIGGER_MARKET_SLIPPAGE);
        o.limitPx = o.isBuy ? Math.max(o.limitPx, bound) : Math.min(o.limitPx, bound);
      }
      const tx: TxContext = { hash: this.hashRng.hex32(), time: this.now() };
      const { bid, ask } = this.bbo(m);
      const crosses = o.isBuy ? ask !== undefined && o.limitPx >= ask : bid !== undefined && o.limitPx <= bid;
      const filled = crosses ? this.take(o, cap, tx).filled : 0;
      if (filled > 0) this.afterFills(o.user, m);
      if (o.lots === 0) continue;
      if (trig?.isMarket) {
        this.setStatus(o, "canceled");
        continue;
      }
      o.tif = "Gtc";
      this.rest(o);
      this.setStatus(o, "open");
    }
  }

  /** Cancel by oid: "success" or the exchange's error. */
  cancel(user: Hex, asset: number, oid: number): CancelStatusEntry {
    return this.run(() => {
      const o = this.orders.get(oid);
      const acct = this.account(user);
      if (!o || o.user !== acct?.address || o.market.index !== asset)
        return { error: ERR.cancelMissing(asset) };
      if (!acct.open.has(oid)) {
        // A normalTpsl child waiting for its entry is listed as an open order of its own (as
        // mainnet lists it), so it is cancelled on its own too; the entry stays.
        const entry = [...acct.open.values()].find((p) => p.children.includes(o));
        if (!entry) return { error: ERR.cancelMissing(asset) };
        entry.children.splice(entry.children.indexOf(o), 1);
        this.setStatus(o, "canceled");
        this.batch.accounts.add(acct.address);
        return "success";
      }
      this.removeOrder(o, "canceled");
      return "success";
    });
  }

  cancelByCloid(user: Hex, asset: number, cloid: Hex): CancelStatusEntry {
    const o = this.account(user)?.byCloid.get(cloid.toLowerCase());
    if (!o) return { error: ERR.cancelMissing(asset) };
    return this.cancel(user, asset, o.oid);
  }

  /** The open order an oid or cloid names for this user, if it is still open. */
  findOpen(user: Hex, ref: number | Hex): Order | undefined {
    const acct = this.account(user);
    if (!acct) return undefined;
    const o = typeof ref === "number" ? this.orders.get(ref) : acct.byCloid.get(ref.toLowerCase());
    return o && o.user === acct.address && acct.open.has(o.oid) ? o : undefined;
  }

  /**
   * Modify = cancel the open order and place the new one (which gets a new oid, as on the
   * exchange). Returns the new order's status, or the error that left the old order alone.
   */
  modify(user: Hex, ref: number | Hex, w: OrderWire, nonce?: number): OrderStatusEntry {
    return this.run(() => {
      const o = this.findOpen(user, ref);
      if (!o) return { error: ERR.modifyMissing };
      this.removeOrder(o, "canceled");
      const tx: TxContext = { hash: this.hashRng.hex32(), time: this.now(), nonce };
      return this.placeOrder(o.user, w, tx, undefined, o);
    });
  }

  // -------------------------------------------------------------------------------------------
  // Funding and liquidation
  // -------------------------------------------------------------------------------------------

  /** Pay one funding period: longs pay shorts when the rate is positive. */
  runFunding(): void {
    this.run(() => {
      const time = this.now();
      this.nextFundingTime = time + this.fundingIntervalMs();
      for (const m of this.markets) {
        const noise = this.fundingRng.normal() * Math.max(Math.abs(m.baseFunding), FUNDING_INTEREST) * 0.5;
        // Rates are published with 8 decimals; pay exactly the published rate.
        m.fundingRate = Number(Math.max(-0.04, Math.min(0.04, m.baseFunding + noise)).toFixed(8));
        m.premium = m.fundingRate - FUNDING_INTEREST;
        const rate = wire(m.fundingRate, 8);
        m.fundingHistory.push({ time, fundingRate: rate, premium: wire(m.premium, 8) });
        if (m.fundingHistory.length > 5000) m.fundingHistory.splice(0, m.fundingHistory.length - 5000);
        for (const acct of this.accounts.values()) {
          const pos = acct.positions.get(m.name);
          if (!pos) continue;
          const size = pos.lots / m.scale;
          const payment = round6(-size * m.mid * m.fundingRate);
          if (pos.leverage.type === "isolated") pos.isolatedMargin += payment;
          else acct.balance += payment;
          pos.cumFunding.allTime -= payment;
          pos.cumFunding.sinceOpen -= payment;
          pos.cumFunding.sinceChange -= payment;
          acct.fundingAllTime -= payment;
          const szi = fmtLots(pos.lots, m.szDecimals);
          const hash = this.hashRng.hex32();
          acct.funding.push({
            time,
            hash,
            delta: {
              type: "funding",
              coin: m.name,
              usdc: usd(payment),
              szi,
              fundingRate: rate,
              // How many payments the record folds together: mainnet's daily-aggregated
              // records say 3 (1 for a day in progress, cassette userFunding.json); each of
              // the simulator's records is one payment.
              nSamples: 1,
            },
          });
          this.batch.events.push([
            acct.address,
            { funding: { time, coin: m.name, usdc: usd(payment), szi, fundingRate: rate, nSamples: 1 } },
          ]);
          this.batch.accounts.add(acct.address);
          this.sample(acct);
        }
      }
      for (const m of this.markets) this.checkLiquidations(m);
    });
  }

  /** Liquidate accounts holding `m` whose equity fell below maintenance margin. */
  private checkLiquidations(m: Market): void {
    for (const acct of [...this.accounts.values()]) {
      const pos = acct.positions.get(m.name);
      if (!pos) continue;
      if (pos.leverage.type === "isolated") {
        const upnl = (pos.lots / m.scale) * (m.mid - pos.entryPx);
        const maint = Math.abs(pos.lots / m.scale) * m.mid * Engine.maintenanceRate(m);
        if (pos.isolatedMargin + upnl < maint) this.liquidate(acct, [m], "Isolated");
      } else {
        const s = this.summary(acct);
        if (s.cross.accountValue < s.cross.maintenance) {
          const coins: Market[] = [];
          for (const [coin, p] of acct.positions) {
            const mk = this.marketsByName.get(coin);
            if (mk && p.leverage.type === "cross") coins.push(mk);
          }
          this.liquidate(acct, coins, "Cross");
        }
      }
    }
  }

  private liquidate(acct: Account, markets: Market[], leverageType: "Cross" | "Isolated"): void {
    const summary = this.summary(acct);
    const accountValue = leverageType === "Cross" ? summary.cross.accountValue : summary.accountValue;
    const positions: { coin: string; szi: string }[] = [];
    let ntl = 0;
    for (const o of [...acct.open.values()]) {
      if (leverageType === "Cross" || markets.includes(o.market))
        this.removeOrder(o, "liquidatedCanceled", true);
    }
    for (const m of markets) {
      const pos = acct.positions.get(m.name);
      if (!pos) continue;
      positions.push({ coin: m.name, szi: fmtLots(pos.lots, m.szDecimals) });
      ntl += Math.abs(pos.lots / m.scale) * m.mid;
      const isBuy = pos.lots < 0;
      let remaining = Math.abs(pos.lots);
      const tx: TxContext = { hash: this.hashRng.hex32(), time: this.now() };
      const levels = isBuy ? this.synthetic(m).asks : this.synthetic(m).bids;
      for (const level of levels) {
        if (remaining === 0) break;
        const lots = Math.min(remaining, level.lots);
        this.trade(m, null, null, level.px, lots, tx, {
          user: acct.address,
          markPx: m.mid,
          method: "market",
          isBuy,
        });
        this.eat(m, isBuy ? "asks" : "bids", lots);
        remaining -= lots;
      }
      if (remaining > 0) {
        // Beyond the book's depth the backstop takes the rest at the mark.
        this.trade(m, null, null, m.mid, remaining, tx, {
          user: acct.address,
          markPx: m.mid,
          method: "backstop",
          isBuy,
        });
      }
    }
    if (this.summary(acct).accountValue < 0) acct.balance -= this.summary(acct).accountValue;
    const lid = this.nextLid++;
    this.pushLedger(acct, {
      time: this.now(),
      hash: this.hashRng.hex32(),
      delta: {
        type: "liquidation",
        liquidatedNtlPos: usd(ntl),
        accountValue: usd(accountValue),
        leverageType,
        liquidatedPositions: positions,
      },
    });
    this.batch.events.push([
      acct.address,
      {
        liquidation: {
          lid,
          liquidator: LIQUIDATOR,
          liquidated_user: acct.address,
          liquidated_ntl_pos: usd(ntl),
          liquidated_account_value: usd(accountValue),
        },
      },
    ]);
    this.batch.accounts.add(acct.address);
  }

  // -------------------------------------------------------------------------------------------
  // Views of orders
  // -------------------------------------------------------------------------------------------

  openOrderView(o: Order): OpenOrder {
    const d = o.market.szDecimals;
    const view: OpenOrder = {
      coin: o.market.name,
      side: o.isBuy ? "B" : "A",
      limitPx: fmtPx(o.limitPx, d),
      sz: fmtLots(o.lots, d),
      oid: o.oid,
      timestamp: o.timestamp,
      origSz: fmtLots(o.origLots, d),
    };
    if (o.cloid) view.cloid = o.cloid;
    if (o.reduceOnly) view.reduceOnly = true;
    return view;
  }

  frontendOrderView(o: Order): FrontendOpenOrder {
    const d = o.market.szDecimals;
    const t = o.trigger;
    const triggerPx = t ? fmtPx(t.triggerPx, d) : "0.0";
    let orderType: FrontendOpenOrder["orderType"] = "Limit";
    if (t) {
      orderType =
        t.tpsl === "tp"
          ? t.isMarket
            ? "Take Profit Market"
            : "Take Profit Limit"
          : t.isMarket
            ? "Stop Market"
            : "Stop Limit";
    }
    const above = t ? (o.isBuy ? t.tpsl === "sl" : t.tpsl === "tp") : false;
    // Keys in the order mainnet sends them (cassette historicalOrders.json, 2025: origSz after
    // orderType); the 2023 recordings are older and sorted.
    return {
      coin: o.market.name,
      side: o.isBuy ? "B" : "A",
      limitPx: fmtPx(o.limitPx, d),
      sz: fmtLots(o.lots, d),
      oid: o.oid,
      timestamp: o.timestamp,
      triggerCondition: t ? `Price ${above ? "above" : "below"} ${triggerPx.replace(/\.0$/, "")}` : "N/A",
      isTrigger: t !== null,
      triggerPx,
      children: o.children.map((c) => this.frontendOrderView(c)),
      isPositionTpsl: false,
      reduceOnly: o.reduceOnly,
      orderType,
      origSz: fmtLots(o.origLots, d),
      tif: o.tif,
      cloid: o.cloid,
    };
  }

  orderRecord(o: Order): SimOrderRecord {
    const d = o.market.szDecimals;
    return {
      oid: o.oid,
      cloid: o.cloid,
      coin: o.market.name,
      side: o.isBuy ? "B" : "A",
      sz: fmtLots(o.origLots, d),
      px: fmtPx(o.limitPx, d),
      tif: o.trigger ? "Trigger" : (o.tif ?? "Gtc"),
      reduceOnly: o.reduceOnly,
      status: o.status,
      time: o.timestamp,
      txHash: o.txHash,
      nonce: o.nonce,
    };
  }
}

interface LiquidationTag {
  user: Hex;
  markPx: number;
  method: "market" | "backstop";
  isBuy: boolean;
}
