// Plain-data shapes of the trading domain, shared by the planner, the engine, the exchange
// adapter and the UI. Numbers are JS numbers (sizes and prices are converted from the wire's
// decimal strings at the adapter); signed sizes: long > 0, short < 0.

export type Address = `0x${string}`;
export type Side = "buy" | "sell";

/** One fill (ours or a leader's), from the userFills stream or REST: the one Fill type everywhere. */
export interface Fill {
  coin: string;
  px: number;
  /** Unsigned size. */
  sz: number;
  side: Side;
  /** Signed position before this fill. */
  startPosition: number;
  /** Exchange time (ms). */
  time: number;
  tid: number;
  hash: string;
  oid: number;
  cloid: string | null;
  /** Fee paid (negative = rebate), in `feeToken`. */
  fee: number;
  feeToken: string;
  closedPnl: number;
  /** e.g. "Open Long", "Close Short", "Long > Short". */
  dir: string;
  /** True when the fill took liquidity. */
  crossed: boolean;
  /** True when the fill is a liquidation of this user. */
  liquidation: boolean;
}

/** What the planner needs to know about one perp market. */
export interface Market {
  coin: string;
  /** Index in meta.universe: the `a` field of an order. */
  assetId: number;
  szDecimals: number;
  maxLeverage: number;
  /** The exchange allows only isolated margin on this coin (meta `onlyIsolated` / `marginMode`). */
  onlyIsolated?: boolean;
  mid: number;
  /** Best bid / ask when a book is known; the planner falls back to mid. */
  bestBid?: number;
  bestAsk?: number;
}
export type Markets = Record<string, Market>;

export interface Position {
  coin: string;
  /** Signed size in coin units: long > 0, short < 0. */
  size: number;
  entryPx: number;
  /** Leverage set on the position, when known. */
  leverage?: number;
  /** Margin mode of the position, when known. */
  marginMode?: "cross" | "isolated";
}
export type Positions = Record<string, Position>;

export interface OpenOrder {
  coin: string;
  oid: number;
  cloid?: string;
  side: Side;
  size: number;
  limitPx: number;
  reduceOnly: boolean;
  /** A trigger order (stop / take-profit): its trigger price and kind. */
  trigger?: { triggerPx: number; tpsl: "tp" | "sl" };
}

/**
 * What an address is on the exchange (userRole): a trading account (user), an API wallet
 * (agent) of a master, a sub-account of a master, a vault, or nothing the exchange knows.
 */
export type AccountRole =
  | { role: "user" }
  | { role: "agent"; master: Address }
  | { role: "subAccount"; master: Address }
  | { role: "vault" }
  | { role: "missing" };

/** One account as the models see it. */
export interface AccountState {
  address: Address;
  accountValue: number;
  positions: Positions;
  openOrders: OpenOrder[];
  /** Exchange time (ms) of the snapshot the state comes from. */
  time: number;
  /**
   * The account's cash: account value less the positions' unrealised P&L (the exchange's
   * figures), when known. Only realised P&L, fees, funding and cash flows move it: the safety
   * rules tell a deposit or withdrawal from a price move by it.
   */
  cash?: number;
}

/** A leader as the planner sees it. */
export interface LeaderState extends AccountState {
  /** Weight of this leader in a multi-leader follow (weights sum to 1). */
  weight: number;
  /**
   * The leader's account value net of deposits/withdrawals since the copy ratio was set.
   * Equity-ratio sizing divides by this, so a leader's cash flow never looks like a trade.
   * Defaults to accountValue when absent.
   */
  equityBase?: number;
  /** Price of the leader's latest fill per coin: the entry-drift gate's reference. */
  lastFillPx?: Record<string, number>;
  /**
   * No longer followed (its own drawdown limit, or a liquidation pause): it contributes
   * nothing to any target; its share of our positions is closed (PlanContext.shed).
   */
  unfollowed?: boolean;
}

/** Every reason an action is taken or skipped; shown in the dashboard, journal and --json. */
export type ReasonCode =
  // actions
  | "open"
  | "increase"
  | "reduce"
  | "close"
  | "flip"
  | "leader-liquidated"
  | "kill-switch"
  // a manual halt (hlcopy flatten, the dashboard's f) closes everything
  | "flatten"
  // our own time stop (risk.maxHoldHours) closes the position
  | "time-stop"
  // the share of a leader we stopped following is closed
  | "leader-unfollowed"
  // resting protection (trigger orders on the exchange)
  | "stop-loss"
  | "take-profit"
  // skips
  | "in-sync"
  | "below-min-notional"
  | "inside-deadband"
  | "coin-denied"
  | "coin-not-allowed"
  | "leverage-cap"
  | "notional-cap"
  | "total-notional-cap"
  // the account's initial margin (Σ notional ÷ each coin's exchange leverage) cannot back more
  | "margin-cap"
  // a portfolio cap (or the account's margin) left no room for this increase: the target is not reached (not in sync)
  | "cap-no-room"
  | "entry-drift"
  | "stale-leader"
  // nothing to size from: the leader's equity (net of cash flows) is ≤ 0, or ours is
  | "leader-no-equity"
  | "no-equity"
  | "halted"
  | "daily-loss"
  | "not-joined"
  | "not-ours"
  | "unknown-market"
  | "leverage-not-set"
  | "backoff"
  | "order-pending"
  | "order-unknown"
  | "stopped-out"
  | "max-positions"
  | "entry-only"
  | "allocation-cap"
  | "leader-leverage"
  | "leader-new-coin"
  // sizing modes and entry styles (issue 21)
  | "negative-edge"
  | "sizing-input-missing"
  | "copy-delay"
  | "reversed-after-delay"
  | "outside-trading-hours"
  | "below-min-order"
  | "passive-resting"
  | "passive-cancel"
  // counted, never planned: a leader's trade whose copy a pause held back (core/leader-trades.ts coinOutcome)
  | "paused"
  // counted, never planned: a leader's trade the run saw as it stopped, not decided on (LeaderTradeTally.stopped)
  | "stopping";

export interface PlannedAction {
  coin: string;
  side: Side;
  /** Positive size in coin units, a multiple of the lot. */
  size: number;
  /** Marketable IOC limit price: best ± slippage, a valid tick. */
  limitPx: number;
  reduceOnly: boolean;
  /** 0x + 32 hex: deterministic from the intent, the exactly-once key. */
  cloid: `0x${string}`;
  reason: ReasonCode;
  /** Reference price the slippage is measured against (leader fill or mid). */
  refPx: number;
  /**
   * A resting trigger order (protection), not an IOC: `limitPx` is its limit once triggered
   * (market triggers: the slippage bound), `triggerPx` the mark price that fires it.
   */
  trigger?: { triggerPx: number; tpsl: "tp" | "sl"; isMarket: boolean };
  /**
   * A passive entry (exec.entry passive): a post-only (ALO) limit resting at `limitPx` (the
   * leader's price or better) instead of an IOC; the engine converts it after its timeout.
   */
  passive?: true;
}

/** A resting order of ours the plan cancels before its other orders (a passive entry no longer wanted). */
export interface PlannedCancel {
  coin: string;
  cloid: `0x${string}`;
  reason: ReasonCode;
  detail: string;
}

/** How a coin's target was sized: the mode, the numbers behind it and one line. */
export interface TargetSizing {
  mode: string;
  /** Of the leader that contributes most to the coin (several: see `detail`). */
  inputs: Record<string, number | null>;
  detail: string;
}

export interface SkippedAction {
  coin: string;
  reason: ReasonCode;
  detail: string;
}

export interface CoinTarget {
  coin: string;
  /**
   * The followed leaders' net position in the coin: the sum of their own sizes, no weight (one
   * leader: its position). Views show it as "leader" (one leader) or "leaders" (several).
   */
  leaderSize: number;
  /**
   * With several leaders: each followed leader holding the coin and its own size (leader order;
   * empty when none holds it). Absent with one leader.
   */
  byLeader?: { leader: Address; size: number }[];
  /** Our target after ratio, caps and rounding. */
  targetSize: number;
  ourSize: number;
  /** (target − ours) × mid, signed. */
  driftUsd: number;
  mid: number;
  /** The drift the planner tolerates for this coin (core/drift.ts deadbandUsd): the one figure views show. */
  deadbandUsd: number;
  /** entry-only: the leaders reduced, closed or flipped and the target keeps our position. */
  held?: boolean;
  /** Which sizing mode sized the target, and its inputs (absent when no leader holds the coin). */
  sizing?: TargetSizing;
}

export interface Plan {
  /** Reductions first (they free margin), then increases; each group in coin order. */
  actions: PlannedAction[];
  /**
   * Every coin that gets no action, with why. A coin may also carry a skip next to its
   * action: a cap that cut its target, or the blocked opening half of a flip.
   */
  skipped: SkippedAction[];
  targets: CoinTarget[];
  /**
   * Copy ratio after any portfolio-wide cap scaled it down: Σ over leaders of their ratio
   * (weight included) × portfolioScale. 0 when halted.
   */
  effectiveRatio: number;
  /** The one factor in [0, 1] a portfolio-wide cap (total notional, max leverage) applied to every target. */
  portfolioScale: number;
  /** The portfolio-wide cap that bound (portfolioScale < 1 or increases trimmed), if any. */
  portfolioCap?: PortfolioCap;
  /** The account's initial margin bound this plan's increases (absent: it did not). */
  marginCap?: MarginCap;
  /**
   * Copy ratio per leader address before the portfolio scale (weight included). For
   * risk-parity and risk-per-trade, which size each coin apart: our notional over the
   * leader's across the coins it sized.
   */
  leaderRatios?: Record<string, number>;
  /** Resting passive entries to cancel before `actions` are sent (exec.entry passive). */
  cancels?: PlannedCancel[];
  /** Leaders whose share risk.maxAllocationPct scaled down (one factor each). */
  allocation?: { leader: Address; scale: number; grossUsd: number; limitUsd: number }[];
  /** True when no action is planned and no skip leaves drift a later run should fix. */
  inSync: boolean;
}

/**
 * The exchange's initial margin as a cap (core/caps.ts): Σ over coins of notional ÷ the coin's
 * exchange leverage — each increase at its limit price, with the taker fee and the limit's
 * distance from the mid — may not pass our account value (cross margin; isolated positions are
 * counted the same way). It scales every copied target by one factor when the targets would
 * not fit, and cuts increases (as the portfolio cap's headroom does) when positions staying
 * where they are leave less room.
 */
export interface MarginCap {
  /** Our account value: what the required margin may not pass. */
  accountValueUsd: number;
  /** The margin the plan would need without the cut (the targets, or positions staying + every increase). */
  requiredUsd: number;
  /** The factor every copied target was scaled by to fit (1 = the portfolio cap or nothing bound first). */
  targetScale: number;
  /** The factor every increase's growth was cut by (1 = none: room was made). */
  increaseScale: number;
  /** Coins held above their target inside the deadband brought down to make room (absent: none). */
  madeRoom?: string[];
  detail: string;
}

export interface PortfolioCap {
  reason: "total-notional-cap" | "leverage-cap";
  /** The gross notional limit in USD. */
  limitUsd: number;
  /**
   * The factor every increase's growth was cut by so that positions staying where they are
   * (a reduction skipped or in flight, a coin not planned) keep gross under the limit; 1 = no cut.
   */
  increaseScale: number;
  /**
   * Coins held above their target inside the deadband that this plan brings down to their
   * targets because their excess was the room other coins' increases needed (absent: none).
   */
  madeRoom?: string[];
  detail: string;
}
