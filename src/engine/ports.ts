// The copy engine's contracts with the rest of hlcopy: what it reads from the exchange, the
// streams it consumes, the options a command composes it with, and what a sweep returns. The
// adapter (HlClient, the streams), the executors and the CLI satisfy these; engine.ts holds
// the behaviour behind them.

import type { HlcopyError } from "../core/errors.js";
import type { FillHistory, LedgerHistory } from "../core/history.js";
import type { CloidLookup, OrderStatus } from "../core/orders.js";
import type { HaltKind } from "../core/safety.js";
import type { Settings } from "../core/settings.js";
import type {
  AccountRole,
  AccountState,
  Address,
  Fill,
  Markets,
  Plan,
  PlannedAction,
} from "../core/types.js";
import type { Journal, RunCommand } from "../store/journal.js";
import type { EngineEvent, EngineEvents, RunMode } from "./events.js";
import type { Executor, PaperBook } from "./executor.js";
import type { FundingFact } from "./figures.js";
import type { PassiveSender } from "./passive.js";
import type { ProtectionSender } from "./protection.js";

/**
 * What the engine gives every part (engine.ts `base`): how to tell the views, the clock, the
 * run's id in the journal, and the count of requests to the exchange. A part's options pick
 * what it uses.
 */
export interface PartBase {
  emit: (event: EngineEvent) => void;
  now: () => number;
  runId: () => number | null;
  countRequest: () => void;
}

/** What the engine reads from the exchange (HlClient satisfies it). */
export interface EngineReader {
  getMarkets(): Promise<Markets>;
  /** `openOrders: false` skips the open-orders read (a leader's orders are never used). */
  getAccountState(user: Address, options?: { openOrders?: boolean }): Promise<AccountState>;
  /**
   * An account's cash flows since `startTime` (ledger updates: deposits +, withdrawals and
   * transfers out −): a leader's are netted out of its equity, ours out of the safety rules'.
   */
  getLedgerUpdates?(
    user: Address,
    startTime: number,
    endTime?: number,
  ): Promise<{ time: number; usd: number; kind: string; hash: string }[]>;
  /**
   * getLedgerUpdates with how far it read (core/history.ts LedgerHistory): `through` when it
   * stopped at its page cap — our ledger's reads then go on from there, not from now. HlClient
   * implements it.
   */
  getLedgerHistory?(
    user: Address,
    startTime: number,
    endTime?: number,
  ): Promise<LedgerHistory<{ time: number; usd: number; kind: string; hash: string }>>;
  lookupOrderByCloid(user: Address, cloid: string): Promise<CloidLookup>;
  /** Whether the user has any fill on record (the never-traded leader check). */
  hasTraded?(user: Address): Promise<boolean>;
  /** What the address is on the exchange (the empty-account check: an agent's address, a typo). */
  accountRole?(user: Address): Promise<AccountRole>;
  /**
   * Fills since `startTime`, oldest first: a leader's (new-only: did it close a held coin
   * between runs?) or ours (an order resolved by lookup gets its fills journaled).
   */
  getFillsByTime?(user: Address, startTime: number): Promise<Fill[]>;
  /**
   * getFillsByTime with the span the fills cover (core/history.ts): a leader's history read
   * over a window (kelly's lookback, risk.skipLeaderNewCoins) says when the exchange's 10,000
   * most recent fills end short of it. HlClient implements it.
   */
  getFillHistory?(user: Address, startTime: number, endTime?: number): Promise<FillHistory>;
  /** The user's latest fills (userFills): the account's anchor on the exchange (core/fills.ts pickAnchor). */
  getLatestFills?(user: Address): Promise<Fill[]>;
  /**
   * A coin's book (`l2Book`): a dry run's orders walk it as paper's do, and a run without book
   * streams (reconcile) prices its passive entries on its best bid and ask (HlClient implements it).
   */
  getTopOfBook?(coin: string): Promise<{ bestBid?: number; bestAsk?: number; levels?: PaperBook }>;
  /** Funding paid (−) / received (+) on the user's positions since `startTime` (the copy's P&L). */
  getFunding?(user: Address, startTime: number): Promise<FundingFact[]>;
  /** Hourly candles of a coin since `startTime` (risk-parity's volatility; HlClient implements it). */
  getHourlyCandles?(coin: string, startTime: number, endTime?: number): Promise<{ t: number; c: number }[]>;
  /**
   * Set our leverage and margin mode for a coin (live runs only, before its first increase;
   * HlClient implements it). Resolves once the exchange acknowledged it; `signal` aborted before
   * it was sent (a stop while it waited for the request budget): rejects, nothing sent.
   */
  updateLeverage?(
    params: {
      coin: string;
      assetId: number;
      leverage: number;
      isCross: boolean;
    },
    options?: { signal?: AbortSignal },
  ): Promise<void>;
}

/**
 * A live plan that needs the trader's yes: shown, then answered (false = not confirmed).
 * `signal` aborts when the run is stopped (a SIGTERM while the question waits): the answer is
 * then abandoned (reject), nothing is sent. `also`: what else the yes lets the run do that is
 * no order of the plan (the stops / take-profits an earlier run placed that it will cancel).
 */
export type ReviewPlan = ((
  plan: Plan,
  reasons: string[],
  signal?: AbortSignal,
  also?: readonly string[],
) => Promise<boolean>) & {
  /**
   * It confirms without showing the reasons (--yes): a reason that is also a warning (the
   * sizing change) is then said as that warning, as it is where no review is asked.
   */
  readonly unseen?: boolean;
  /**
   * It refuses every plan that needs a review (no terminal to ask on, no --yes): the run's
   * warnings wait for the review — a run it refuses says its refusal alone.
   */
  readonly refuses?: boolean;
};

/** The stream events the engine consumes (the adapter's StreamEvent is assignable). */
export type EngineStreamEvent =
  | { type: "leaderFill"; at: number; leader: Address; fills: Fill[]; isSnapshot: boolean }
  | { type: "leaderState"; at: number; leader: Address; state: AccountState }
  | { type: "ourFill"; at: number; fills: Fill[]; isSnapshot: boolean }
  | { type: "ourState"; at: number; state: AccountState }
  | { type: "ourFunding"; at: number; fundings: FundingFact[]; isSnapshot: boolean }
  /** Our ledger's cash flows (deposits, withdrawals, transfers). `isSnapshot`: the history, on (re)subscribe. */
  | {
      type: "ourLedger";
      at: number;
      flows: { time: number; usd: number; kind: string; hash: string }[];
      isSnapshot: boolean;
    }
  | { type: "mids"; at: number; mids: Record<string, number> }
  | { type: "book"; at: number; book: { coin: string; bestBid?: number; bestAsk?: number } }
  | { type: "reconnect"; at: number; reconnects: number; stream?: string }
  | { type: "disconnect"; at: number; reason: string; stale?: true; silentMs?: number }
  | { type: "streamError"; at: number; stream: string; error: HlcopyError };

export interface EngineStreams {
  health(): { connected: boolean; lastSocketMessageAt: number };
  watchBooks?(coins: string[]): Promise<void>;
  close(): Promise<void>;
}

export type OpenEngineStreams = (onEvent: (event: EngineStreamEvent) => void) => Promise<EngineStreams>;

export interface EngineOptions {
  reader: EngineReader;
  /**
   * Live or paper. A dry run's is the engine's own (dryRunExecutor on the reader's book): what
   * is given here is not used then, and nothing is ever sent.
   */
  executor: Executor | null;
  journal: Journal;
  settings: Settings;
  leaders: { address: Address; weight: number }[];
  account: Address;
  network: string;
  mode: RunMode;
  command: RunCommand;
  events?: EngineEvents;
  /** A stream silent this long with the last sweep older than it marks the leader stale. Default 60 s. */
  staleMs?: number;
  /** First per-coin backoff after a rejection (doubles up to 5 min). Default 2 s. */
  backoffMs?: number;
  /**
   * Net the leaders' deposits/withdrawals since the run started out of their equity (one
   * ledger read per leader per sweep). Default true; a one-shot reconcile sets the ratio
   * now and needs none.
   */
  leaderCashFlows?: boolean;
  /** Decisions and events older than this are pruned when a run begins, and daily while it goes on. Default 30 days. */
  journalRetentionDays?: number;
  /** How long after its journal time an unresolved order not found counts as never placed. Default 17 s. */
  orderSettleMs?: number;
  /**
   * An order request unanswered this long is said (a warning), and a stop still awaiting one
   * after min(this, 1 s) says what it waits for. Default 5 s.
   */
  orderLateMs?: number;
  /** Stop (exit 4) once a halt has flattened the account. */
  exitOnHalt?: boolean;
  /** First wait before a failed start-up read is retried (doubles). Default 500 ms. */
  startupRetryDelayMs?: number;
  /**
   * When the exchange stops knowing the agent (approval expired or removed) during `run()`:
   * false (default) stops with exit 4; true keeps running, sends nothing until a sweep's
   * orders are accepted again, and says so.
   */
  waitForApproval?: boolean;
  /** The command that approves the agent again, for the halt's reason and hint. */
  approveHint?: string;
  /** When the agent's approval ends (ms), if known: the state event carries the days left. */
  agentValidUntil?: number | null;
  /** Follow a leader with no account value, no positions and no fills (refused otherwise). */
  allowEmptyLeader?: boolean;
  /** Manage the account's positions hlcopy did not open (refused otherwise). */
  adopt?: boolean;
  /**
   * `adopt` and `allowEmptyLeader` are the trader's flags (follow, reconcile): one the start
   * finds nothing for — no position hlcopy did not open, every leader holding positions — is
   * said once (a notice, kind `unneeded-flag`). They permit, they do not act: refusing them would
   * break a cron script that always passes them. Absent: permitted silently (demo, flatten).
   */
  sayUnneededPermits?: boolean;
  /**
   * Positions hlcopy did not open are neither refused nor adopted: not the copy's, left alone —
   * or closed under a halt (`hlcopy flatten` with no follow running), outside the copy P&L.
   */
  leaveForeign?: boolean;
  /**
   * Asked before a live plan that needs review (first run for the leader set, closing adopted
   * positions, more than exec.confirmAbovePct % of equity); it may also throw to refuse.
   * Absent: no review (the CLI always gives one).
   */
  review?: ReviewPlan;
  /**
   * Opens the signing key (the keystore's passphrase, scrypt): awaited once, when the start
   * checks have passed (in preflight before the review, or before a sweep's first signed
   * request) — so a mistyped leader or a coin that does not exist is refused before a secret
   * is asked.
   * `signal` aborts on a stop (a waiting prompt ends). Absent: the key was given up front.
   */
  unlock?: (signal: AbortSignal) => Promise<void>;
  /**
   * Live runs with a stop / take-profit setting on: keeps them resting on the exchange
   * (HlClient satisfies it). Absent: no resting protection.
   */
  protection?: ProtectionSender;
  /**
   * Live runs with exec.entry passive: cancels and looks up our resting entries (HlClient
   * satisfies it). Absent: passive entries are placed as IOC.
   */
  passive?: PassiveSender;
  /**
   * On a clean stop of a live run: "protect" makes sure every position has its resting stop
   * (when a stop setting is on), "flatten" closes everything reduce-only, "hold" leaves it all
   * as it is. Each says what it did. Absent: nothing (reconcile, tests).
   */
  onExit?: OnExit;
  now?: () => number;
}

export type OnExit = "protect" | "hold" | "flatten";

export interface SweepResult {
  /** The plan the sweep acted on (or only showed, when not executing). */
  plan: Plan;
  /** One entry per action sent (or, in dry-run, none). */
  results: ExecutedAction[];
  requests: number;
  halted: boolean;
  /** The halt that stands after the sweep (the kill switch, the daily loss limit, a flatten), or null. */
  halt: { kind: HaltKind; reason: string } | null;
}

export interface ExecutedAction extends PlannedAction {
  status: OrderStatus;
  filledSize: number;
  avgPx: number | null;
  /** Execution slippage: against the touch when it was decided; positive = worse for us. */
  slippageBps: number | null;
  error: string | null;
}
