// The exchange client: reads (markets, account state, ledger, fills) and the order sender with
// exactly-once semantics, over ONE shared budgeted HTTP transport (no per-order re-creation). The
// order path never calls /info: markets are passed in. Every SDK error is translated in
// ./errors.ts. The SDK's functions are called one by one (`infoApi.meta(config)`), not through
// its InfoClient and ExchangeClient: a client class carries every method's schemas (~160), and
// the bundle of a command loaded all of them (~380 kB) to use 20.

import { ApiRequestError } from "@nktkas/hyperliquid";
import * as exchangeApi from "@nktkas/hyperliquid/api/exchange";
import type { MetaResponse } from "@nktkas/hyperliquid/api/info";
import * as infoApi from "@nktkas/hyperliquid/api/info";
import { isHexAddress } from "../core/address.js";
import { isCloid } from "../core/cloid.js";
import {
  OperationalError,
  RateLimitError,
  SkipError,
  UncertainOutcomeError,
  UsageError,
} from "../core/errors.js";
import { type FillHistory, fillHistoryCut, type LedgerHistory } from "../core/history.js";
import {
  type CancelResult,
  cancelNotSent,
  NOT_SENT_STOPPING,
  notSentStopping,
  type RateLimitResend,
  resolveByLookup,
} from "../core/orders.js";
import type { AccountRole, AccountState, Address, Markets, PlannedAction } from "../core/types.js";
import { exchangeWeight, RequestBudget } from "./budget.js";
import {
  type ErrorContext,
  isOutcomeUnknown,
  isRateLimited,
  type TradeContext,
  translateError,
} from "./errors.js";
import { createNonceSource, type NonceSource } from "./nonce.js";
import {
  type CashFlow,
  type Fill,
  type FundingPayment,
  type TopOfBook,
  toAccountState,
  toCashFlows,
  toFill,
  toFundingPayments,
  toMarkets,
  toTopOfBook,
} from "./normalize.js";
import { orderRequest } from "./order-request.js";
import {
  type CloidLookup,
  type OrderResult,
  readOrderReply,
  readOrderStatus,
  type SentOrder,
  uncertainResults,
} from "./results.js";
import { type AgentWallet, agentWallet } from "./signer.js";
import { roleFrom } from "./subaccounts.js";
import { BudgetedTransport } from "./transport.js";
import type { SendOptions } from "./types.js";
import { type OrderWire, parseDecimal, toOrderWire } from "./wire.js";

export interface ExchangeClientOptions {
  /** HTTP base of the API (`https://api.hyperliquid.xyz`, or a simulator's URL). */
  httpUrl: string;
  /** Websocket URL; kept for callers that open streams with the same settings. */
  wsUrl: string;
  /** Testnet signing (L1 source "b"). */
  isTestnet: boolean;
  /** The agent (API wallet) private key that signs orders; without it the client only reads. */
  agentKey?: `0x${string}`;
  /** The trading account (the master address); orders signed by the agent act for it. */
  account: Address;
  /**
   * A sub-account of the master that approved the agent: every order (and any other L1 action)
   * carries it as `vaultAddress`, so it trades the sub-account, and cloid lookups read it.
   * Normally equal to `account` (see `findSubAccount`).
   */
  vaultAddress?: Address;
  /** HTTP timeout per request. Default 10 000 ms. */
  timeoutMs?: number;
  /** Shared REST budget. Default: a new one under the exchange's 1200 weight/min. */
  budget?: RequestBudget;
  /**
   * Every order carries `expiresAfter = send time + orderTtlMs`: the exchange refuses it after
   * that, so a cloid still unknown then was never placed. Default timeoutMs + 5 000.
   */
  orderTtlMs?: number;
  /** Allowance for our clock against the exchange's when deciding "never placed". Default 2 000. */
  clockSkewMs?: number;
  /** How long `meta` (asset ids, szDecimals) is reused before a refresh. Default 10 min. */
  metaTtlMs?: number;
  /** Told the raw reply (or the error) of every order request, for the journal. Must not throw. */
  onOrderReply?: (info: OrderReplyInfo) => void;
  /** Clock and sleep (tests). */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface OrderReplyInfo {
  orders: OrderWire[];
  /** The exchange's reply as received (also when the SDK threw ApiRequestError for it). */
  reply?: unknown;
  /** What was thrown instead of a reply (timeout, HTTP error). */
  error?: unknown;
  expiresAfter: number;
  sentAt: number;
  receivedAt: number;
}

export interface ResolveOptions {
  /** Lookups that may fail (network, 5xx) before giving up. Default 6. */
  maxFailures?: number;
  /** First retry delay; doubles up to `maxDelayMs`. Defaults 100 / 2 000 ms. */
  initialDelayMs?: number;
  maxDelayMs?: number;
}

/** The adapter's client: structurally the engine's EngineReader (engine.ts) and the senders of its executor, protection and passive entries, plus the reads the commands need. */
export interface HlClient {
  readonly account: Address;
  /** The sub-account orders carry as `vaultAddress`, when trading one. */
  readonly vaultAddress: Address | undefined;
  /** Address of the signing agent, once a key was given. */
  readonly signer: Address | undefined;
  /**
   * Give the agent key now (a client made without one reads but cannot sign): the key is
   * decrypted only once the read-only start checks have passed.
   * @throws {UsageError} for a malformed key; {OperationalError} when a key was given before.
   */
  unlock(agentKey: `0x${string}`): void;
  readonly budget: RequestBudget;
  readonly isTestnet: boolean;
  readonly wsUrl: string;

  /**
   * Perp markets with mids (meta cached for `metaTtlMs`; mids fresh each call). Asset id =
   * index in meta.universe; delisted coins and coins without a mid are left out.
   * @throws {RetryableError | RateLimitError | OperationalError} translated request failures.
   */
  getMarkets(options?: { refreshMeta?: boolean }): Promise<Markets>;
  /** Best bid/ask of one coin from l2Book, with its levels. @throws as getMarkets. */
  getTopOfBook(coin: string): Promise<TopOfBook>;
  /**
   * clearinghouseState + frontendOpenOrders → signed positions, entry, leverage, account value
   * (marginSummary), open orders with cloid/reduceOnly, exchange time. @throws as getMarkets.
   */
  getAccountState(user: Address, options?: { openOrders?: boolean }): Promise<AccountState>;
  /** Deposits (+) and withdrawals (−) of the perp account since `startTime`. @throws as getMarkets. */
  getLedgerUpdates(user: Address, startTime: number, endTime?: number): Promise<CashFlow[]>;
  /**
   * getLedgerUpdates with how far it read: `through` when it stopped at its page cap (500 per
   * page, at most 10 pages: every entry up to `through` read, the newer ones not), else null.
   * @throws as getMarkets.
   */
  getLedgerHistory(user: Address, startTime: number, endTime?: number): Promise<LedgerHistory<CashFlow>>;
  /**
   * Fills in [startTime, endTime], paginated (2000 per page, at most `maxPages`: 10 unless
   * told, analytics ask for more), oldest first. @throws as getMarkets.
   */
  getFillsByTime(
    user: Address,
    startTime: number,
    endTime?: number,
    options?: { maxPages?: number },
  ): Promise<Fill[]>;
  /**
   * getFillsByTime with what it covers: `cut` says when the read did not reach the span asked
   * (core/history.ts fillHistoryCut — the exchange's 10,000 most recent fills, or the page cap),
   * and the span it did cover; null when it covers [startTime, endTime ?? now]. @throws as getMarkets.
   */
  getFillHistory(
    user: Address,
    startTime: number,
    endTime?: number,
    options?: {
      maxPages?: number;
      /** After each full page (more follow): the fills read so far — a busy leader's read is long. */
      onPage?: (fills: number) => void;
    },
  ): Promise<FillHistory>;
  /**
   * Reads for analytics (inspect, scan, backtest): replies as the SDK validated them, left for
   * `src/analytics/wire.ts` to shape. Time ranges are paginated (500 per page) and deduplicated.
   * @throws as getMarkets.
   */
  getClearinghouseState(user: Address): Promise<unknown>;
  getMeta(): Promise<unknown>;
  getPortfolio(user: Address): Promise<unknown>;
  getUserFunding(user: Address, startTime: number, endTime?: number): Promise<unknown[]>;
  getFundingHistory(coin: string, startTime: number, endTime?: number): Promise<unknown[]>;
  /**
   * Funding paid (−) or received (+) on the user's positions since `startTime` (userFunding,
   * 500 per page), oldest first. @throws as getMarkets.
   */
  getFunding(user: Address, startTime: number, endTime?: number): Promise<FundingPayment[]>;
  /** Whether the user has any fill on record (one `userFills` read). */
  hasTraded(user: Address): Promise<boolean>;
  /** The user's latest fills (one `userFills` read: at most 2000, the newest), oldest first. */
  getLatestFills(user: Address): Promise<Fill[]>;
  /** What the address is on the exchange (one `userRole` read, weight 60). */
  accountRole(user: Address): Promise<AccountRole>;
  /**
   * Hourly candles of a coin (`candleSnapshot`, one request) from `startTime`, oldest first, as
   * open time and close price; candles whose close does not parse are left out. @throws as getMarkets.
   */
  getHourlyCandles(coin: string, startTime: number, endTime?: number): Promise<{ t: number; c: number }[]>;
  /**
   * Send the actions as ONE signed `order` action (grouping "na", IOC limits, reduce-only
   * flags, cloids). Returns one result per action, in order: rebuilt from the reply even when
   * the SDK throws for the batch. Timeout / network / HTTP 5xx after sending → "uncertain"
   * (resolve with `resolveUncertain`, never re-send). An action with an unknown coin, an
   * invalid size/price/cloid or a cloid already in the batch is "rejected" locally ("not sent:
   * …") and left out. Never calls /info. One request at a time per client.
   * @throws {OperationalError} without an agent key, or when the exchange refuses the signer
   *   (agent not approved, account not funded).
   * @throws {RateLimitError} on HTTP 429 (nothing was executed); with `resendOnRateLimit`, only
   *   once its attempts are spent (the same batch — cloids, expiry — sent again after each
   *   backoff while it can still run before its expiry).
   * @throws {RetryableError} when the whole request was refused for its nonce/expiry (nothing ran).
   * @throws {OrderRejectedError} when the whole request was refused otherwise (nothing ran).
   * `signal` aborted before the request leaves (a stop while it waited for the budget or
   * the previous batch) → every action "rejected" locally ("not sent: …"), nothing sent.
   */
  placeOrders(actions: PlannedAction[], markets: Markets, options?: SendOptions): Promise<OrderResult[]>;
  /**
   * Look an order up by cloid (orderStatus; plus the fills for its average price when
   * something filled and `withAvgPx` is not false).
   * @throws {UsageError} for a malformed cloid; otherwise as getMarkets.
   */
  lookupOrderByCloid(user: Address, cloid: string, options?: { withAvgPx?: boolean }): Promise<CloidLookup>;
  /**
   * Turn every "uncertain" result into a definite one by cloid lookup, retrying failed lookups
   * with backoff. A cloid not found is "rejected" (never placed) only once its order's expiry
   * has passed (plus clock skew); until then it is looked up again. Never re-sends an order.
   * @throws {UncertainOutcomeError} when a cloid's lookups fail `maxFailures` times; its
   *   `details.results` holds every result known (the others resolved), `details.uncertain`
   *   the cloids still unknown.
   */
  resolveUncertain(results: OrderResult[], options?: ResolveOptions): Promise<OrderResult[]>;
  /**
   * Set the account's leverage and margin mode for one coin (`updateLeverage`, one signed
   * request; idempotent, so safe to send again after an unknown outcome). Resolves when the
   * exchange answered ok — its acknowledgement is the verification.
   * @throws {OperationalError} without an agent key, or when the exchange refuses the signer.
   * @throws {OrderRejectedError} when the exchange refuses the setting (its own message, e.g.
   *   "Cannot switch leverage type with open position.").
   * @throws {RetryableError | RateLimitError} when it did not run or its outcome is unknown.
   * @throws {SkipError} ("not sent: the run is stopping") when `signal` aborted before it left (a stop while it waited for
   *   the budget or the previous request): nothing was sent.
   */
  updateLeverage(params: UpdateLeverageParameters, options?: SendOptions): Promise<void>;
  /**
   * Replace resting orders (by oid) with new ones in ONE signed `batchModify`: each new order
   * gets a new oid and its own cloid, results read as placeOrders' (resting / rejected /
   * uncertain → look the new cloid up). @throws as placeOrders.
   */
  modifyOrders(
    modifies: { oid: number; action: PlannedAction }[],
    markets: Markets,
    options?: SendOptions,
  ): Promise<OrderResult[]>;
  /**
   * Cancel resting orders by oid in ONE signed `cancel`. Per order: "cancelled", "gone" (the
   * exchange no longer has it open: filled, triggered or cancelled already), "uncertain", or
   * "not-sent" (`signal` aborted before it left — a stop while it waited for its turn: nothing
   * was sent, error NOT_SENT_STOPPING).
   * @throws {OperationalError | RateLimitError | RetryableError | OrderRejectedError} as placeOrders.
   */
  cancelOrders(
    cancels: { coin: string; oid: number }[],
    markets: Markets,
    options?: SendOptions,
  ): Promise<CancelResult[]>;
}

/** The outcome of one cancel (core/orders.ts). */
export type { CancelResult };

export interface UpdateLeverageParameters {
  coin: string;
  /** Index in meta.universe (Market.assetId). */
  assetId: number;
  /** An integer ≥ 1, at most the coin's maxLeverage. */
  leverage: number;
  isCross: boolean;
}

const PAGE = 2000;
const MAX_PAGES = 10;
/** userFunding and fundingHistory answer at most 500 items per request. */
const FUNDING_PAGE = 500;
/**
 * userNonFundingLedgerUpdates: the docs say a reply over a time range holds at most 500 items
 * (info endpoint, "Pagination"); other clients page it by 2000. A page of 500 or more is read on
 * from its newest time: right for either (one more request when a page holds 500–1999). It was
 * paged by 2000: a reply of 500 read as the last, and the newer entries were never read.
 */
const LEDGER_PAGE = 500;
/** Analytics read weeks of a busy leader: up to 100 pages, paced by the request budget. */
const ANALYTICS_MAX_PAGES = 100;
const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Build the client. Cheap: no request is made until a method is called.
 * @throws {UsageError} for a malformed agent key or account address.
 */
export function createExchangeClient(options: ExchangeClientOptions): HlClient {
  return new Client(options);
}

class Client implements HlClient {
  readonly account: Address;
  readonly vaultAddress: Address | undefined;
  signer: Address | undefined;
  readonly budget: RequestBudget;
  readonly isTestnet: boolean;
  readonly wsUrl: string;
  readonly #info: infoApi.InfoConfig;
  readonly #httpUrl: string;
  readonly #transport: BudgetedTransport;
  #exchange: exchangeApi.ExchangeConfig | undefined;
  #wallet: AgentWallet | undefined;
  #nonces: NonceSource | undefined;
  readonly #orderTtlMs: number;
  readonly #clockSkewMs: number;
  readonly #metaTtlMs: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #onOrderReply: ((info: OrderReplyInfo) => void) | undefined;
  #meta: { value: MetaResponse; fetchedAt: number } | undefined;
  /** Expiry of every order this client sent whose outcome was uncertain, by cloid. */
  readonly #expiry = new Map<string, number>();
  /** Orders go out one request at a time (the SDK serialises per signer anyway). */
  #orderQueue: Promise<unknown> = Promise.resolve();

  /** `send` after every signed request queued before it (one failing does not stop the next). */
  #inTurn<T>(send: () => Promise<T>): Promise<T> {
    const run = this.#orderQueue.then(send);
    this.#orderQueue = run.catch(() => {});
    return run;
  }

  constructor(o: ExchangeClientOptions) {
    if (!isHexAddress(o.account)) {
      throw new UsageError(`invalid account address ${JSON.stringify(o.account)}`, {
        hint: "give the master account's 0x address (40 hex digits)",
      });
    }
    this.account = o.account.toLowerCase() as Address;
    if (o.vaultAddress !== undefined && !isHexAddress(o.vaultAddress)) {
      throw new UsageError(`invalid sub-account address ${JSON.stringify(o.vaultAddress)}`, {
        hint: "give the sub-account's 0x address (40 hex digits)",
      });
    }
    this.vaultAddress = o.vaultAddress?.toLowerCase() as Address | undefined;
    this.isTestnet = o.isTestnet;
    this.wsUrl = o.wsUrl;
    const timeoutMs = o.timeoutMs ?? 10_000;
    this.#orderTtlMs = o.orderTtlMs ?? timeoutMs + 5_000;
    this.#clockSkewMs = o.clockSkewMs ?? 2_000;
    this.#metaTtlMs = o.metaTtlMs ?? 600_000;
    this.#now = o.now ?? Date.now;
    this.#sleep = o.sleep ?? realSleep;
    this.#onOrderReply = o.onOrderReply;
    this.budget = o.budget ?? new RequestBudget();
    this.#httpUrl = o.httpUrl;
    this.#transport = new BudgetedTransport({
      httpUrl: o.httpUrl,
      isTestnet: o.isTestnet,
      timeoutMs,
      budget: this.budget,
    });
    this.#info = { transport: this.#transport };
    if (o.agentKey !== undefined) this.unlock(o.agentKey);
  }

  unlock(agentKey: `0x${string}`): void {
    if (this.#wallet !== undefined) {
      throw new OperationalError("the agent key was given twice", { exitCode: 2 });
    }
    if (!/^0x[0-9a-fA-F]{64}$/.test(agentKey)) {
      // Never echo the value: it is a secret.
      throw new UsageError("invalid agent key: expected 0x + 64 hex digits", {
        hint: "check HLCOPY_AGENT_KEY or re-import the key into the keystore",
      });
    }
    // Two nonces prepared ahead take the nonce point off each order's path (~0.4 ms of CPU).
    const wallet = agentWallet(agentKey, { presign: 2 });
    this.signer = wallet.address.toLowerCase() as Address;
    this.#wallet = wallet;
    // One nonce source for the SDK's actions and our orders (#order): one strictly rising sequence.
    this.#nonces = createNonceSource(this.#now);
    this.#exchange = {
      transport: this.#transport,
      wallet,
      nonceManager: this.#nonces,
      // Orders (and cancels) for a sub-account are signed by the master's agent with it.
      ...(this.vaultAddress ? { defaultVaultAddress: this.vaultAddress } : {}),
    };
  }

  async #read<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw translateError(error, { operation, endpoint: this.#httpUrl });
    }
  }

  async getMarkets(options: { refreshMeta?: boolean } = {}): Promise<Markets> {
    const now = this.#now();
    const cached = this.#meta;
    const fresh = cached !== undefined && !options.refreshMeta && now - cached.fetchedAt < this.#metaTtlMs;
    const [meta, mids] = await this.#read("meta/allMids", () =>
      Promise.all([
        fresh ? Promise.resolve(cached.value) : infoApi.meta(this.#info),
        infoApi.allMids(this.#info),
      ]),
    );
    if (!fresh) this.#meta = { value: meta, fetchedAt: now };
    return toMarkets(meta, mids);
  }

  async getTopOfBook(coin: string): Promise<TopOfBook> {
    const book = await this.#read("l2Book", () => infoApi.l2Book(this.#info, { coin }));
    return toTopOfBook(coin, book, true);
  }

  async getAccountState(user: Address, options: { openOrders?: boolean } = {}): Promise<AccountState> {
    if (options.openOrders === false) {
      const state = await this.#read("clearinghouseState", () =>
        infoApi.clearinghouseState(this.#info, { user }),
      );
      return toAccountState(user.toLowerCase() as Address, state, [], this.#now());
    }
    const [state, orders] = await this.#read("clearinghouseState/frontendOpenOrders", () =>
      Promise.all([
        infoApi.clearinghouseState(this.#info, { user }),
        infoApi.frontendOpenOrders(this.#info, { user }),
      ]),
    );
    return toAccountState(user.toLowerCase() as Address, state, orders, this.#now());
  }

  async getLedgerUpdates(user: Address, startTime: number, endTime?: number): Promise<CashFlow[]> {
    return (await this.getLedgerHistory(user, startTime, endTime)).flows;
  }

  async getLedgerHistory(
    user: Address,
    startTime: number,
    endTime?: number,
  ): Promise<LedgerHistory<CashFlow>> {
    const { items, capped } = await this.#paginatePages(
      "userNonFundingLedgerUpdates",
      startTime,
      (start) =>
        infoApi.userNonFundingLedgerUpdates(this.#info, { user, startTime: start, endTime: endTime ?? null }),
      (u) => `${u.time}:${u.hash}:${u.delta.type}`,
      { pageSize: LEDGER_PAGE },
    );
    let through: number | null = null;
    if (capped) for (const u of items) if (through === null || u.time > through) through = u.time;
    return { flows: toCashFlows(user, items), through };
  }

  async getFunding(user: Address, startTime: number, endTime?: number): Promise<FundingPayment[]> {
    const all = await this.#userFunding(user, startTime, endTime);
    return toFundingPayments(all).sort((a, b) => a.time - b.time || (a.coin < b.coin ? -1 : 1));
  }

  /** The one userFunding paginator: the engine's normalised payments and analytics' raw records. */
  #userFunding(user: Address, startTime: number, endTime?: number, maxPages?: number) {
    return this.#paginate(
      "userFunding",
      startTime,
      (start) => infoApi.userFunding(this.#info, { user, startTime: start, endTime: endTime ?? null }),
      (u) => `${u.time}:${u.hash}:${u.delta.coin}`,
      { pageSize: FUNDING_PAGE, ...(maxPages === undefined ? {} : { maxPages }) },
    );
  }

  async accountRole(user: Address): Promise<AccountRole> {
    return roleFrom(await this.#read("userRole", () => infoApi.userRole(this.#info, { user })));
  }

  async getLatestFills(user: Address): Promise<Fill[]> {
    const fills = await this.#read("userFills", () => infoApi.userFills(this.#info, { user }));
    return fills.map((f) => toFill(f, user)).sort((a, b) => a.time - b.time || a.tid - b.tid);
  }

  async hasTraded(user: Address): Promise<boolean> {
    const fills = await this.#read("userFills", () => infoApi.userFills(this.#info, { user }));
    return fills.length > 0;
  }

  async getHourlyCandles(
    coin: string,
    startTime: number,
    endTime?: number,
  ): Promise<{ t: number; c: number }[]> {
    const candles = await this.#read("candleSnapshot", () =>
      infoApi.candleSnapshot(this.#info, { coin, interval: "1h", startTime, endTime: endTime ?? null }),
    );
    const out: { t: number; c: number }[] = [];
    for (const k of candles) {
      const c = parseDecimal(k.c, Number.NaN);
      if (Number.isFinite(k.t) && c > 0) out.push({ t: k.t, c });
    }
    return out.sort((a, b) => a.t - b.t);
  }

  async getFillsByTime(
    user: Address,
    startTime: number,
    endTime?: number,
    options: { maxPages?: number } = {},
  ): Promise<Fill[]> {
    return (await this.getFillHistory(user, startTime, endTime, options)).fills;
  }

  async getFillHistory(
    user: Address,
    startTime: number,
    endTime?: number,
    options: { maxPages?: number; onPage?: (fills: number) => void } = {},
  ): Promise<FillHistory> {
    // The span asked ends now when no end is given: the exchange's limit counts back from now.
    const askedEnd = endTime ?? this.#now();
    const { items: all, capped } = await this.#paginatePages(
      "userFillsByTime",
      startTime,
      (start) =>
        infoApi.userFillsByTime(this.#info, {
          user,
          startTime: start,
          endTime: endTime ?? null,
          aggregateByTime: false,
        }),
      (f) => `${f.tid}:${f.hash}`,
      { maxPages: options.maxPages ?? MAX_PAGES, ...(options.onPage ? { onPage: options.onPage } : {}) },
    );
    const fills = all.map((f) => toFill(f, user)).sort((a, b) => a.time - b.time || a.tid - b.tid);
    return { fills, cut: fillHistoryCut({ startTime, endTime: askedEnd, fills, pageCapped: capped }) };
  }

  getClearinghouseState(user: Address): Promise<unknown> {
    return this.#read("clearinghouseState", () => infoApi.clearinghouseState(this.#info, { user }));
  }

  async getMeta(): Promise<unknown> {
    const meta = await this.#read("meta", () => infoApi.meta(this.#info));
    this.#meta = { value: meta, fetchedAt: this.#now() };
    return meta;
  }

  getPortfolio(user: Address): Promise<unknown> {
    return this.#read("portfolio", () => infoApi.portfolio(this.#info, { user }));
  }

  getUserFunding(user: Address, startTime: number, endTime?: number): Promise<unknown[]> {
    return this.#userFunding(user, startTime, endTime, ANALYTICS_MAX_PAGES);
  }

  getFundingHistory(coin: string, startTime: number, endTime?: number): Promise<unknown[]> {
    return this.#paginate(
      "fundingHistory",
      startTime,
      (start) => infoApi.fundingHistory(this.#info, { coin, startTime: start, endTime: endTime ?? null }),
      (r) => `${r.coin}:${r.time}`,
      { pageSize: FUNDING_PAGE, maxPages: ANALYTICS_MAX_PAGES },
    );
  }

  /**
   * Time-paginated reads: a full page means more may follow from its newest time on; items at
   * that boundary time come again and are deduplicated by key.
   */
  async #paginate<T extends { time: number }>(
    operation: string,
    startTime: number,
    page: (start: number) => Promise<T[]>,
    key: (item: T) => string,
    options: { pageSize?: number; maxPages?: number } = {},
  ): Promise<T[]> {
    return (await this.#paginatePages(operation, startTime, page, key, options)).items;
  }

  /**
   * #paginate, saying whether it stopped at its page cap with a full page last (more may follow);
   * `onPage`: the items so far after each full page.
   */
  async #paginatePages<T extends { time: number }>(
    operation: string,
    startTime: number,
    page: (start: number) => Promise<T[]>,
    key: (item: T) => string,
    options: { pageSize?: number; maxPages?: number; onPage?: (items: number) => void } = {},
  ): Promise<{ items: T[]; capped: boolean }> {
    const pageSize = options.pageSize ?? PAGE;
    const seen = new Set<string>();
    const out: T[] = [];
    let start = startTime;
    for (let i = 0; i < (options.maxPages ?? MAX_PAGES); i++) {
      const items = await this.#read(operation, () => page(start));
      for (const item of items) {
        const k = key(item);
        if (seen.has(k)) continue;
        seen.add(k);
        out.push(item);
      }
      if (items.length < pageSize) return { items: out, capped: false };
      options.onPage?.(out.length);
      const newest = Math.max(...items.map((x) => x.time));
      start = newest > start ? newest : start + 1;
    }
    return { items: out, capped: true };
  }

  placeOrders(actions: PlannedAction[], markets: Markets, options: SendOptions = {}): Promise<OrderResult[]> {
    return this.#inTurn(() =>
      this.#placeOrders(actions, markets, options.signal, undefined, options.resendOnRateLimit),
    );
  }

  modifyOrders(
    modifies: { oid: number; action: PlannedAction }[],
    markets: Markets,
    options: SendOptions = {},
  ): Promise<OrderResult[]> {
    const oids = modifies.map((m) => m.oid);
    return this.#inTurn(() =>
      this.#placeOrders(
        modifies.map((m) => m.action),
        markets,
        options.signal,
        oids,
      ),
    );
  }

  cancelOrders(
    cancels: { coin: string; oid: number }[],
    markets: Markets,
    options: SendOptions = {},
  ): Promise<CancelResult[]> {
    return this.#inTurn(() => this.#cancelOrders(cancels, markets, options.signal));
  }

  async #cancelOrders(
    cancels: { coin: string; oid: number }[],
    markets: Markets,
    signal: AbortSignal | undefined,
  ): Promise<CancelResult[]> {
    const exchange = this.#exchange;
    if (!exchange) {
      throw new OperationalError("no agent key configured: this client can only read", {
        hint: "set HLCOPY_AGENT_KEY or import an agent key (hlcopy agent)",
      });
    }
    const known = cancels.filter((c) => markets[c.coin] !== undefined);
    if (known.length === 0)
      return cancels.map((c) => ({ oid: c.oid, status: "gone", error: "unknown market" }));
    await this.budget.acquire(exchangeWeight(known.length), "order", signal);
    // A stop that came while it waited: nothing went out, the orders rest as they did.
    if (signal?.aborted) return cancels.map((c) => cancelNotSent(c.oid));
    let reply: unknown;
    let thrown: unknown;
    try {
      reply = await exchangeApi.cancel(exchange, {
        cancels: known.map((c) => ({ a: (markets[c.coin] as { assetId: number }).assetId, o: c.oid })),
      });
    } catch (error) {
      thrown = error;
      if (error instanceof ApiRequestError) reply = error.response;
    }
    const context: ErrorContext = { operation: "cancel", action: true };
    const statuses = (reply as { response?: { data?: { statuses?: unknown[] } } } | undefined)?.response?.data
      ?.statuses;
    if (!Array.isArray(statuses)) {
      if (reply === undefined && !isOutcomeUnknown(thrown)) throw translateError(thrown, context);
      const why = thrown === undefined ? "unreadable reply" : translateError(thrown, context).message;
      return cancels.map((c) => ({ oid: c.oid, status: "uncertain", error: why }));
    }
    return cancels.map((c) => {
      const k = known.indexOf(c);
      if (k < 0) return { oid: c.oid, status: "gone", error: "unknown market" };
      const st = statuses[k];
      if (st === "success") return { oid: c.oid, status: "cancelled" };
      const error =
        typeof st === "object" && st !== null ? String((st as { error?: unknown }).error) : String(st);
      return { oid: c.oid, status: "gone", error };
    });
  }

  async #placeOrders(
    actions: PlannedAction[],
    markets: Markets,
    signal: AbortSignal | undefined,
    /** Modify these resting orders (one per action) instead of placing new ones. */
    modifyOids?: number[],
    resend?: RateLimitResend,
  ): Promise<OrderResult[]> {
    if (actions.length === 0) return [];
    const exchange = this.#exchange;
    if (!exchange) {
      throw new OperationalError("no agent key configured: this client can only read", {
        hint: "set HLCOPY_AGENT_KEY or import an agent key (hlcopy agent)",
      });
    }
    // Build wires; an action that cannot be sent is rejected here and left out of the batch.
    const results: (OrderResult | undefined)[] = new Array(actions.length);
    const wires: OrderWire[] = [];
    const sentIndex: number[] = [];
    const cloids = new Set<string>();
    actions.forEach((a, i) => {
      const market = markets[a.coin];
      if (!market) {
        results[i] = local(a.cloid, `unknown market ${a.coin}`);
        return;
      }
      // Results and lookups are keyed by cloid: one cloid, one order.
      const key = a.cloid.toLowerCase();
      if (cloids.has(key)) {
        results[i] = local(a.cloid, "duplicate cloid in the batch");
        return;
      }
      cloids.add(key);
      try {
        wires.push(toOrderWire(a, market));
        sentIndex.push(i);
      } catch (e) {
        results[i] = local(a.cloid, e instanceof Error ? e.message : String(e));
      }
    });
    if (wires.length === 0) return results as OrderResult[];

    const sent: SentOrder[] = wires.map((w) => ({ cloid: w.c, size: w.s }));
    const trade: TradeContext[] = sentIndex.map((i) => tradeOf(actions[i] as PlannedAction));
    const context: ErrorContext = { operation: "placeOrders", action: true, trade };

    const weight = exchangeWeight(wires.length);
    await this.budget.acquire(weight, "order", signal);
    // The last point before the wire: a stop that came while this batch waited sends nothing.
    const stopping = () => {
      for (const i of sentIndex) results[i] = notSentStopping((actions[i] as PlannedAction).cloid);
      return results as OrderResult[];
    };
    if (signal?.aborted) return stopping();
    const sentAt = this.#now();
    // A resend after a 429 keeps this expiry: the order is no younger than its journaled intent
    // says (a run that stops mid-wait is recovered by cloid within the same window).
    const expiresAfter = sentAt + this.#orderTtlMs;
    let reply: unknown;
    let thrown: unknown;
    for (let attempt = 1; ; attempt++) {
      reply = undefined;
      thrown = undefined;
      const attemptAt = attempt === 1 ? sentAt : this.#now();
      try {
        reply = modifyOids
          ? await exchangeApi.batchModify(
              exchange,
              {
                modifies: wires.map((order, k) => ({
                  oid: modifyOids[sentIndex[k] as number] as number,
                  order,
                })),
              },
              { expiresAfter },
            )
          : await this.#order(wires, expiresAfter);
      } catch (error) {
        thrown = error;
        // The batch "failed" only because some order did: its reply is still the truth.
        if (error instanceof ApiRequestError) reply = error.response;
      }
      this.#report({
        orders: wires,
        reply,
        error: thrown,
        expiresAfter,
        sentAt: attemptAt,
        receivedAt: this.#now(),
      });
      // HTTP 429: the exchange refused the request before it ran — nothing of it exists, so
      // sending the same orders (same cloids: one cloid, one order) again cannot double one.
      if (!resend || reply !== undefined || !isRateLimited(thrown)) break;
      const waitMs = this.budget.waitTime(weight, "order");
      // Sent again only while it can still run: before its expiry, with a second to spare.
      if (attempt >= resend.attempts || this.#now() + waitMs + 1_000 >= expiresAfter) {
        const e = translateError(thrown, context);
        throw new RateLimitError(`${e.message} (${attempt} attempt${attempt === 1 ? "" : "s"})`, {
          cause: e,
          details: { ...e.details, attempts: attempt },
          ...(e.hint ? { hint: e.hint } : {}),
        });
      }
      try {
        resend.onWait({
          message: translateError(thrown, context).message,
          attempt: attempt + 1,
          attempts: resend.attempts,
          waitMs,
        });
      } catch {
        // a broken listener must not stop the send
      }
      await this.budget.acquire(weight, "order", signal);
      if (signal?.aborted) return stopping();
    }

    let batch: OrderResult[];
    if (reply !== undefined) {
      const reading = readOrderReply(reply, sent);
      if (reading.kind === "refused") throw translateError(thrown ?? new ApiRequestError(reply), context);
      batch =
        reading.kind === "statuses"
          ? reading.results
          : uncertainResults(sent, "unreadable reply from the exchange");
    } else if (isOutcomeUnknown(thrown)) {
      batch = uncertainResults(sent, translateError(thrown, context).message);
    } else {
      // 429, 4xx, a malformed request: nothing ran.
      throw translateError(thrown, context);
    }
    batch.forEach((r, k) => {
      if (r.status === "uncertain") this.#expiry.set(r.cloid.toLowerCase(), expiresAfter);
      const i = sentIndex[k];
      // Report the cloid as the caller gave it.
      if (i !== undefined) results[i] = { ...r, cloid: (actions[i] as PlannedAction).cloid };
    });
    return results as OrderResult[];
  }

  updateLeverage(params: UpdateLeverageParameters, options: SendOptions = {}): Promise<void> {
    return this.#inTurn(() => this.#updateLeverage(params, options.signal));
  }

  async #updateLeverage(p: UpdateLeverageParameters, signal: AbortSignal | undefined): Promise<void> {
    const exchange = this.#exchange;
    if (!exchange) {
      throw new OperationalError("no agent key configured: this client can only read", {
        hint: "set HLCOPY_AGENT_KEY or import an agent key (hlcopy agent)",
      });
    }
    await this.budget.acquire(exchangeWeight(1), "order", signal);
    if (signal?.aborted) throw new SkipError(NOT_SENT_STOPPING);
    try {
      await exchangeApi.updateLeverage(exchange, {
        asset: p.assetId,
        isCross: p.isCross,
        leverage: p.leverage,
      });
    } catch (error) {
      throw translateError(error, {
        operation: `updateLeverage (${p.coin} ${p.leverage}x ${p.isCross ? "cross" : "isolated"})`,
        action: true,
      });
    }
  }

  /**
   * An `order` action, signed and posted here rather than by the SDK's order(): our wires are
   * built in signing order (wire.ts), so its schema parse and canonical re-ordering — ~0.1 ms
   * between the leader's fill and our order — have nothing to do. Signed with the SDK's own L1
   * signing on the client's one nonce source, posted as the SDK posts it (the request is the
   * same bytes: test/exchange/order-request.test.ts). Resolves with the reply, an error reply
   * included (the SDK throws those as ApiRequestError; the caller reads the reply either way).
   */
  async #order(wires: OrderWire[], expiresAfter: number): Promise<unknown> {
    const wallet = this.#wallet as AgentWallet;
    const nonce = (this.#nonces as NonceSource)(wallet.address);
    const request = await orderRequest({
      wallet,
      orders: wires,
      nonce,
      isTestnet: this.isTestnet,
      vaultAddress: this.vaultAddress,
      expiresAfter,
    });
    return this.#transport.request<unknown>("exchange", request);
  }

  #report(info: OrderReplyInfo): void {
    try {
      this.#onOrderReply?.(info);
    } catch {
      // The journal's hook must never break the order path.
    }
  }

  async lookupOrderByCloid(
    user: Address,
    cloid: string,
    options: { withAvgPx?: boolean } = {},
  ): Promise<CloidLookup> {
    if (!isCloid(cloid)) throw new UsageError(`invalid cloid ${JSON.stringify(cloid)}`);
    // Straight through the transport: the SDK's orderStatus schema tries "integer" before
    // "cloid", so a cloid below 2^53 would be sent as an oid.
    const reply = await this.#read("orderStatus", () =>
      this.#transport.request<unknown>("info", { type: "orderStatus", user, oid: cloid.toLowerCase() }),
    );
    const lookup = readOrderStatus(reply);
    if (!lookup.found || lookup.filledSize <= 0 || options.withAvgPx === false || lookup.oid === undefined) {
      return lookup;
    }
    const placedAt = placedTime(reply) ?? this.#now() - 86_400_000;
    const fills = await this.getFillsByTime(user, Math.max(placedAt - 1_000, 0));
    let sz = 0;
    let ntl = 0;
    for (const f of fills) {
      if (f.oid !== lookup.oid) continue;
      sz += f.sz;
      ntl += f.sz * f.px;
    }
    return sz > 0 ? { ...lookup, avgPx: ntl / sz } : lookup;
  }

  async resolveUncertain(results: OrderResult[], options: ResolveOptions = {}): Promise<OrderResult[]> {
    const settled = await Promise.allSettled(
      results.map((r) => (r.status === "uncertain" ? this.#resolveOne(r, options) : Promise.resolve(r))),
    );
    const out = settled.map((s, i) => (s.status === "fulfilled" ? s.value : (results[i] as OrderResult)));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (!failed) return out;
    const stillUncertain = out.filter((r) => r.status === "uncertain").map((r) => r.cloid);
    throw new UncertainOutcomeError(
      `${stillUncertain.length} order(s) still uncertain after repeated lookups: ${stillUncertain.join(", ")}`,
      {
        cause: failed.reason,
        // What is known, so the caller can apply the resolved ones and hold the rest.
        details: { results: out, uncertain: stillUncertain },
        hint: "nothing is re-sent for them; the next sweep looks them up again",
      },
    );
  }

  async #resolveOne(result: OrderResult, options: ResolveOptions): Promise<OrderResult> {
    const maxFailures = options.maxFailures ?? 6;
    const initialDelay = options.initialDelayMs ?? 100;
    const maxDelay = options.maxDelayMs ?? 2_000;
    const key = result.cloid.toLowerCase();
    // An order sent by another process (or before a restart) is treated as just sent.
    const expiry = this.#expiry.get(key) ?? this.#now() + this.#orderTtlMs;
    const settledAt = expiry + this.#clockSkewMs;
    let failures = 0;
    let delay = initialDelay;
    for (;;) {
      try {
        // The orders live on the sub-account when trading one.
        const lookup = await this.lookupOrderByCloid(this.vaultAddress ?? this.account, result.cloid);
        const now = this.#now();
        const resolved = resolveByLookup(result.cloid, lookup, now, settledAt);
        if (resolved) {
          this.#expiry.delete(key);
          return resolved;
        }
        await this.#sleep(Math.min(delay, settledAt - now));
      } catch (error) {
        failures++;
        if (failures >= maxFailures) throw error;
        await this.#sleep(delay);
      }
      delay = Math.min(delay * 2, maxDelay);
    }
  }
}

function local(cloid: string, error: string): OrderResult {
  return { cloid, status: "rejected", filledSize: 0, avgPx: null, error: `not sent: ${error}` };
}

function tradeOf(a: PlannedAction): TradeContext {
  return { coin: a.coin, side: a.side, size: a.size, px: a.limitPx, cloid: a.cloid };
}

function placedTime(reply: unknown): number | undefined {
  if (typeof reply !== "object" || reply === null) return undefined;
  const order = (reply as { order?: { order?: { timestamp?: unknown } } }).order?.order;
  return typeof order?.timestamp === "number" ? order.timestamp : undefined;
}
