// Public shapes of the simulator: its options, the in-process control surface tests drive,
// the faults it can inject and the counters it keeps. Plain data only; no runtime imports.

export type Hex = `0x${string}`;

/** One perp market the simulator lists (an entry of `meta.universe` plus its price process). */
export interface SimMarketConfig {
  /** Coin name as in meta, e.g. "BTC" or "kPEPE". */
  name: string;
  szDecimals: number;
  maxLeverage: number;
  /** Starting mid price. */
  price: number;
  /** Volatility of the mid process per √second (0.0004 ≈ 0.3 % a minute). */
  vol?: number;
  /** Hourly funding rate around which the simulated rate moves (default 0.0000125). */
  fundingRate?: number;
  /** Listed as isolated-only (meta `onlyIsolated`/`marginMode`). */
  onlyIsolated?: boolean;
  /** Notional of the synthetic maker's book per side in USD (default: the simulator's `depthUsd`). */
  depthUsd?: number;
  /** Ms for a side takers emptied to refill completely (default: the simulator's `refillMs`; 0 = never depletes). */
  refillMs?: number;
  /**
   * Annualised volatility (%) of the seeded hourly candle history before the simulator
   * started (candleSnapshot; risk-parity sizing reads it). Default: a per-coin figure for the
   * default markets, 60 for others.
   */
  historyVolPct?: number;
}

export interface SimOptions {
  host?: string;
  /** 0 = a random free port. */
  port?: number;
  seed?: number;
  /** Milliseconds between price steps; 0 freezes prices (deterministic tests). Default 500. */
  tickMs?: number;
  markets?: SimMarketConfig[];
  /** Sign as testnet: L1 `source` "b" and user-signed `hyperliquidChain` "Testnet". */
  testnetSigning?: boolean;
  /** Funding period in ms (the exchange's is one hour); shorten it to scale time in tests. */
  fundingIntervalMs?: number;
  /** Synthetic book levels per side. Default 20. */
  bookLevels?: number;
  /**
   * Notional of the synthetic maker's book per side in USD, spread evenly over its levels.
   * Default 1 000 000 (20 levels of $50 000, 1 bp apart). Markets may set their own.
   */
  depthUsd?: number;
  /**
   * Taker orders consume the synthetic levels; a side emptied completely refills linearly over
   * this many ms (part of it in proportion). 0 = depth never depletes. Default 1000.
   */
  refillMs?: number;
  /** Notional of each synthetic level in USD (older spelling: depthUsd = levelSizeUsd × bookLevels). */
  levelSizeUsd?: number;
  /** A websocket that sent nothing for this long is closed, as the exchange does. Default 60 000. */
  wsIdleMs?: number;
  /** The simulator's clock in ms (default Date.now); tests may shift it to skip time. */
  clock?: () => number;
  /** Where log lines go (default: nowhere). */
  log?: (line: string) => void;
  /**
   * Days of seeded hourly candles before the start (candleSnapshot serves them for intervals
   * of an hour or more, as mainnet serves history). Default 30; 0 = none.
   */
  candleHistoryDays?: number;
}

export type SimFault =
  /** Close every websocket connection now. */
  | { kind: "dropWs" }
  /** Send nothing on any websocket (data, acks, pongs, post replies) for `ms`; sockets stay open. */
  | { kind: "silenceWs"; ms: number }
  /** The next `count` orders are rejected with `message` inside statuses[]. */
  | { kind: "rejectOrders"; count: number; message?: string }
  /** The next `count` orders that would take liquidity fill only `fraction` of their size. */
  | { kind: "partialFill"; count: number; fraction: number }
  /** The next `count` HTTP requests (to `endpoint`, default /info and /exchange) answer 429. */
  | { kind: "http429"; count: number; endpoint?: "info" | "exchange" }
  /**
   * The next `count` HTTP requests answer 500. `stage: "after"` (the default for /exchange)
   * executes the action first: the uncertain-outcome case.
   */
  | { kind: "http500"; count: number; stage?: "before" | "after"; endpoint?: "info" | "exchange" }
  /**
   * Delay every /info, /exchange and websocket post reply by `ms` (0 clears it). With
   * `endpoint`, only that endpoint's HTTP replies, and the answer is made when the request
   * arrives: a slow reply that tells the state as it was then (a sweep's read on a slow link).
   */
  | { kind: "latency"; ms: number; endpoint?: "info" | "exchange" }
  /**
   * For `ms` from now only post-only (Alo) orders are accepted, as right after a network
   * upgrade: any other order is rejected inside statuses[] with
   * "Only post-only orders allowed immediately after a network upgrade". Cancels still work.
   */
  | { kind: "postOnly"; ms: number }
  /**
   * Put `user` (an account, not an agent) `remaining` actions short of its `userRateLimit` cap
   * (10 000 + 1 per USD traded). Past the cap its /exchange requests answer HTTP 429 except one
   * every `intervalMs` (default 10 000, as the exchange allows); trading volume raises the cap.
   */
  | { kind: "userRateLimit"; user: Hex; remaining: number; intervalMs?: number }
  /**
   * The next `count` signed /exchange requests (acting for `user` only, when given: an account,
   * its agents' requests included) are refused as if their nonce had already been used (another
   * process on the same key): `{"status":"err","response":"Invalid nonce: duplicate nonce N"}`.
   */
  | { kind: "nonce"; count: number; user?: Hex }
  /** One websocket channel ("userFills", "l2Book", "user", …) sends nothing for `ms`; the rest flow. */
  | { kind: "muteChannel"; channel: string; ms: number };

export interface SimStats {
  /** All requests by kind; info and exchange count HTTP and websocket `post` alike. */
  requests: { info: number; exchange: number; control: number };
  /** HTTP requests only. */
  http: { info: number; exchange: number; control: number };
  /** Info requests by `type`, HTTP and websocket `post` alike. */
  infoByType: Record<string, number>;
  /** Exchange actions by `action.type`, HTTP and websocket `post` alike. */
  actionByType: Record<string, number>;
  ws: {
    /** Open connections now. */
    connections: number;
    /** Connections accepted since start/reset. */
    connectionsTotal: number;
    /** Active subscriptions now. */
    subscriptions: number;
    subscriptionsByType: Record<string, number>;
    /**
     * Frames received from clients (subscriptions, posts, pings): each keeps its connection
     * from the idle close.
     */
    messages: number;
    /** `post` requests received (info and action). */
    posts: number;
    postsInfo: number;
    postsAction: number;
  };
  /** Orders accepted (resting, filled or waiting for a trigger). */
  ordersPlaced: number;
  /** Orders rejected inside statuses[] (validation, faults). */
  ordersRejected: number;
  /** Fills produced (every side of every match, synthetic counterparties excluded). */
  fills: number;
}

export interface SimOrderRecord {
  oid: number;
  cloid: string | null;
  coin: string;
  side: "B" | "A";
  /** Original size. */
  sz: string;
  px: string;
  /** "Gtc" | "Ioc" | "Alo" | "FrontendMarket" | "Trigger". */
  tif: string;
  reduceOnly: boolean;
  /** The exchange's order status now ("open", "filled", "canceled", "iocCancelRejected", …). */
  status: string;
  time: number;
  /** Hash of the exchange request that placed it: the orders sent in one batch share it. */
  txHash: Hex;
  /**
   * The nonce of the signed request that placed it: its signer's clock (ms) when it signed,
   * however late the request arrived. Null for an order placed any other way.
   */
  nonce: number | null;
}

export interface SimControl {
  /** Credit (or, negative, debit) USDC; both appear as ledger updates. Throws when a withdrawal exceeds what is withdrawable. */
  fund(user: Hex, usd: number): void;
  /** Move the mid (and the synthetic book) now; may fill resting orders, fire TP/SL, liquidate. */
  setMid(coin: string, px: number): void;
  fault(f: SimFault): void;
  stats(): SimStats;
  /** Clear faults and counters; accounts, orders and prices stay. */
  reset(): void;
  /** Every order the exchange assigned an oid for that user, oldest first, with its status now. */
  orderHistory(user: Hex): SimOrderRecord[];
  /** The simulator's clock (ms). */
  now(): number;
  /** Step the price process `n` times now (works with tickMs 0): deterministic price moves. */
  tick(n?: number): void;
  /** Run one funding payment now instead of waiting for the interval. */
  runFunding(): void;
  /** The current mid of a coin (a valid price), or undefined for an unknown coin. */
  mid(coin: string): number | undefined;
}

export interface SimHandle {
  httpUrl: string;
  wsUrl: string;
  control: SimControl;
  close(): Promise<void>;
}
