// The journal: one SQLite file per follower account recording what hlcopy decided and did —
// runs, plans with their reasons, orders (written BEFORE they are sent, the exactly-once
// recovery reads them back), our fills with slippage, equity and the high-water mark, halts
// and an event log. node:sqlite is synchronous: every write is one small prepared statement
// in WAL mode with synchronous=NORMAL, so the hot path never waits on disk; what is recorded
// after the fact is committed in groups (SqliteJournal), an order's intent at once — or, in the
// run that holds the lock and sends, appended to the intent log first (store/intent-log.ts).

import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  rmSync,
  statSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { DatabaseSync, type SQLInputValue, type SQLOutputValue, type StatementSync } from "node:sqlite";
import { driftReport } from "../core/drift.js";
import { ConfigError, type HlcopyError, JournalBusyError, OperationalError } from "../core/errors.js";
import type { HeldBy } from "../core/leader-trades.js";
import { type JournalOrderStatus, UNRESOLVED_ORDER_STATUSES } from "../core/orders.js";
import type { FillOrigin, ForcedCloseKind } from "../core/pnl.js";
import { flowFactor, type HaltKind, type Mark, markAt } from "../core/safety.js";
import { kindOfReason, type OrderKind, slippageBps } from "../core/slippage.js";
import { finiteOrNull, summarize } from "../core/stats.js";
import type { Address, Plan, PlannedAction, ReasonCode, Side } from "../core/types.js";
import { type StoreOperation, storeError, storeErrorKind } from "./disk-errors.js";
import { IntentLog, type IntentRow, intentLogPath, readIntentLog } from "./intent-log.js";
import { JOURNAL_APPLICATION_ID, LATEST_SCHEMA_VERSION, MIGRATIONS } from "./migrations.js";
import { isMainnet, networkKey, sameNetwork } from "./network-key.js";

/** A UTC day (ms): what report's days are. */
const DAY_MS = 86_400_000;

// ─── Types ──────────────────────────────────────────────────────────────────────────────

export type RunCommand = "reconcile" | "follow" | "paper" | "dry-run" | "demo";
export type DecisionTrigger = "sweep" | "fill" | "start" | "manual";
// The order statuses are the domain's (core/orders.ts); re-exported for the journal's readers.
export { type JournalOrderStatus, UNRESOLVED_ORDER_STATUSES };

export interface StartRunParameters {
  command: RunCommand;
  leaders: { address: Address; weight: number }[];
  account: Address;
  network: string;
  /** The resolved settings of the run (stored as JSON). */
  settings: unknown;
  startedAt: number;
}
export interface RunRow {
  id: number;
  command: RunCommand;
  leaders: { address: Address; weight: number }[];
  account: Address;
  network: string;
  startedAt: number;
  endedAt: number | null;
  exitCode: number | null;
  settings: unknown;
  pid: number | null;
}

export interface RecordDecisionParameters {
  runId: number | null;
  ts: number;
  trigger: DecisionTrigger;
  coins: string[];
  plan: Plan;
  /**
   * "paused": a pause kept the plan's orders from being sent (the decision event's `held`); its
   * leader trade is then skipped `paused` (core/leader-trades.ts coinOutcome); "stopping": the
   * run's stop did. Absent on decisions journaled before schema 12: not known.
   */
  held?: HeldBy;
  /**
   * The leader fills told before its plan was made (the decision event's `leaderSeen`): the
   * leader's trades it decided are among them. Absent: it decides none (a re-plan of a few
   * coins), or journaled before schema 13.
   */
  leaderSeen?: number;
}

/** One leader fill a run was told (schema 13): `report` replays the run's leader trades from them. */
export interface LeaderFillRow {
  runId: number;
  /** Its number among the fills the run was told: 1, 2, … (a decision's leaderSeen counts them). */
  seq: number;
  ts: number;
  leader: string;
  oid: number;
  coin: string;
}

/** A decision as the replay of the leader's trades reads it: no plan (planOf reads it when needed). */
export interface TradeDecisionRow {
  id: number;
  ts: number;
  trigger: DecisionTrigger;
  coins: string[];
  held: HeldBy | null;
  leaderSeen: number | null;
}
export interface DecisionRow extends RecordDecisionParameters {
  id: number;
  inSync: boolean;
  nActions: number;
  nSkipped: number;
}

export interface RecordOrderIntentParameters {
  runId: number | null;
  ts: number;
  action: PlannedAction;
  /** What is (about to be) sent, for the record. */
  request?: unknown;
  /** Why it is sent (copy, repair, join, safety); absent: from its reason (safety) or unknown. */
  kind?: OrderKind;
  /** The touch when it was decided (best ask for a buy, bid for a sell): execution slippage's reference. */
  touchPx?: number | null;
}
/** A journaled moment of the copy as `report` reads it (Journal.copyMoments). */
export interface CopyMoment {
  ts: number;
  type: "sweep" | "state";
  /** The record's `moment` ("change" while a run goes on), null when it has none. */
  moment: string | null;
  /** Its P&L's unrealised part; null without a P&L. */
  unrealisedUsd: number | null;
  /** The drift it left (a sweep that sent orders: what they left), null when it has none. */
  driftUsd: number | null;
  /**
   * The part of it in coins orders were planned for or a gate held (the header's `drift $X`);
   * null when the record does not say it.
   */
  outsideUsd: number | null;
  /**
   * The highest drift it stands for: a state-change record's `driftMaxUsd` (the highest of the
   * changes it replaced in its minute), else its drift.
   */
  driftMaxUsd: number | null;
}
export interface OrderUpdate {
  ts: number;
  status: JournalOrderStatus;
  oid?: number | null;
  filledSize?: number;
  avgPx?: number | null;
  /** The exchange's reply (JSON). */
  reply?: unknown;
  /** The exchange's own message for a rejection. */
  error?: string | null;
}
export interface OrderRow {
  id: number;
  runId: number | null;
  ts: number;
  cloid: string;
  coin: string;
  side: Side;
  size: number;
  limitPx: number;
  reduceOnly: boolean;
  reason: ReasonCode;
  request: unknown;
  status: JournalOrderStatus;
  oid: number | null;
  filledSize: number;
  avgPx: number | null;
  reply: unknown;
  error: string | null;
  /** The leader's fill price: copy slippage's reference (hot-path copies only). */
  leaderPx: number | null;
  /** copy, repair, join or safety; null for orders journaled before kinds (or unknown). */
  kind: OrderKind | null;
  /** The touch when it was decided: execution slippage's reference. */
  touchPx: number | null;
  updatedAt: number;
}

export interface RecordFillParameters {
  runId?: number | null;
  /**
   * Exchange trade id. A fill is known by (tid, oid, ts): seen twice (stream and sweep, a
   * reconnect's replay) it is kept once.
   */
  tid: number | null;
  /** Exchange time of the fill. */
  ts: number;
  coin: string;
  side: Side;
  px: number;
  sz: number;
  fee: number;
  cloid?: string | null;
  oid?: number | null;
  closedPnl?: number | null;
  /**
   * The leader's fill price (copy slippage's reference; hot-path copies only). Omitted: taken
   * from the journaled order with the same cloid.
   */
  leaderPx?: number | null;
  /** The touch when the order was decided. Omitted: from the journaled order. */
  touchPx?: number | null;
  /** The order's kind. Omitted: from the journaled order (or its reason). */
  kind?: OrderKind | null;
  /** Leader fill → our fill on the exchange's clock (hot-path copies only). */
  lagMs?: number | null;
  /**
   * The part of the fill that is the copy's (core/pnl.ts copySizeOfFill): of a fill hlcopy did
   * not place, what it closed of hlcopy's position (a liquidation, an ADL, a close by hand); of
   * one of hlcopy's safety closes, less than the whole when it closed what hlcopy did not open
   * (a flatten of a position held by hand). Omitted: all of a fill of hlcopy's orders, none of
   * any other.
   */
  copySz?: number | null;
  /**
   * The exchange forced the fill: a liquidation of the account or an auto-deleveraging
   * (core/pnl.ts forcedCloseKind). Of a fill hlcopy did not place, null or omitted: a trade
   * outside hlcopy (by hand, another bot). Kept as the fill's `origin`.
   */
  forced?: ForcedCloseKind | null;
}
/** What recordFill did with a fill. */
export interface RecordFillResult {
  /** Journaled now; false: this same fill was journaled before (a replay), or see `conflict`. */
  recorded: boolean;
  /**
   * A different fill journaled earlier under the same trade id — another time, coin or oid that
   * is not the trade's other side, or the same time and oid with other figures (then this one
   * could not be recorded). The exchange handed the id out twice (a restarted simulator does
   * that); null when there is none.
   */
  conflict: FillRow | null;
  /** The kind the fill is journaled with (null: hlcopy did not place it). */
  kind: OrderKind | null;
  /** The part of it journaled as the copy's (core/pnl.ts copyShareOfFill); a replay: the first's. */
  copySz: number | null;
}

/** What the copy's P&L folds of a fill (Journal.pnlFillsSince). */
export type PnlFillRow = Pick<FillRow, "ts" | "coin" | "px" | "sz" | "fee" | "closedPnl" | "kind" | "copySz">;

export interface FillRow {
  id: number;
  runId: number | null;
  tid: number | null;
  ts: number;
  coin: string;
  side: Side;
  px: number;
  sz: number;
  fee: number;
  cloid: string | null;
  oid: number | null;
  closedPnl: number | null;
  leaderPx: number | null;
  /** Copy slippage: against the leader's fill price (hot-path copies only); positive = worse for us. */
  slippageBps: number | null;
  /** Execution slippage: against the touch when the order was decided; positive = worse. */
  execSlippageBps: number | null;
  /** The order's kind (copy, repair, join, safety); null for a fill hlcopy did not place. */
  kind: OrderKind | null;
  lagMs: number | null;
  /**
   * The part of the fill that is the copy's (core/pnl.ts copyShareOfFill); null: journaled by an
   * hlcopy from before parts (the fill is the copy's when it has a kind).
   */
  copySz: number | null;
  /**
   * Of a fill hlcopy did not place (`kind` null): a liquidation of the account, an ADL, or a
   * trade outside hlcopy; null for hlcopy's own fills, and for fills journaled by an hlcopy that
   * did not keep which (before journal schema 9).
   */
  origin: FillOrigin | null;
}

/** Our fills in a window, by what placed them (status's `fills`). */
export interface FillCounts {
  total: number;
  /**
   * hlcopy's orders by kind; the exchange's forced closes (`liquidation`, `adl`); trades
   * outside hlcopy (`outside`); `other`: every fill hlcopy did not place — those three and the
   * ones journaled before they were told apart (deprecated: its meaning before they were).
   */
  byKind: Record<OrderKind | FillOrigin | "other", number>;
}

/** No fills at all: every kind counted at 0 (a journal's window without any, or no journal yet). */
export function noFills(): FillCounts {
  return {
    total: 0,
    byKind: {
      copy: 0,
      repair: 0,
      join: 0,
      safety: 0,
      flatten: 0,
      liquidation: 0,
      adl: 0,
      outside: 0,
      other: 0,
    },
  };
}

export interface RecordFundingParameters {
  runId?: number | null;
  /** Exchange time of the payment. */
  ts: number;
  coin: string;
  /** Received (+) or paid (−), USD. */
  usdc: number;
  szi?: number | null;
  rate?: number | null;
  hash?: string | null;
  /** The part of `usdc` on hlcopy's share of the position (core/pnl.ts copyFundingShare). */
  copyUsdc?: number | null;
}
export interface FundingRow {
  id: number;
  runId: number | null;
  ts: number;
  coin: string;
  usdc: number;
  szi: number | null;
  rate: number | null;
  hash: string | null;
  /**
   * The part of `usdc` that is the copy's (on hlcopy's share of the position then); null:
   * journaled by an hlcopy from before parts (counted whole, as it counted it).
   */
  copyUsdc: number | null;
}

/** When the copy began: the account's first trading run in this journal and its first equity. */
export interface CopyStart {
  since: number;
  /** The first equity snapshot at or after `since` (null until one is taken). */
  startEquity: number | null;
}

export interface EquityRow {
  ts: number;
  accountValue: number;
  /**
   * High-water mark including this snapshot, of trading results: every cash flow of ours
   * since the mark was set scaled it by (E + flow) / E (a withdrawal of 40 % lowers it by 40 %),
   * so (hwm − accountValue) / hwm is the kill switch's drawdown.
   */
  hwm: number;
  /**
   * The cash-flow scale the snapshot's hwm is at (core/safety.ts Mark): the journaled flows'
   * (cashFlowScale) times that of a change of the cash not yet confirmed (`pending`).
   */
  scale: number;
  /** The account's cash (account value − unrealised P&L), when known. */
  cash: number | null;
  /** A change of the cash the ledger had not confirmed yet, taken as a cash flow in `scale`. */
  pending: number;
}

/** One of our own deposits, withdrawals or transfers, from the account's ledger. */
export interface CashFlowRow {
  /** Exchange time of the ledger update. */
  time: number;
  /** Into the perp account (+) or out of it (−). */
  usd: number;
  kind: string;
  hash: string;
}

export interface RecordHaltParameters {
  ts: number;
  kind: HaltKind;
  reason: string;
  details?: Record<string, unknown>;
}
export interface HaltRow {
  id: number;
  ts: number;
  kind: HaltKind;
  reason: string;
  details: Record<string, unknown> | null;
  clearedAt: number | null;
}

export interface RecordEventParameters {
  ts: number;
  /** Free-form: "reconnect", "rateLimit", "sweep", "warning", … (the engine event type). */
  type: string;
  runId?: number | null;
  coin?: string | null;
  data?: unknown;
}
export interface EventRow {
  id: number;
  ts: number;
  runId: number | null;
  type: string;
  coin: string | null;
  data: unknown;
}

/**
 * One warning a run said, as journaled (Journal.recordWarning): the same words said again in
 * the run are the same row, counted, with the first and the last time.
 */
export interface RecordWarningParameters {
  runId: number;
  message: string;
  /** When it was first said in the run (ms): the row's time. */
  first: number;
  /** When it was last said (ms). */
  last: number;
  /** How many times the run said it (1: a new row). */
  count: number;
}

/**
 * The event types that are a run's warnings: "warning" (every warning a run says, its words
 * counted), and those journaled as their own event with their details — a position changed
 * outside hlcopy ("foreign"), an order placed outside it ("foreignOrders") — said as a warning too.
 */
export const WARNING_EVENT_TYPES: readonly string[] = ["warning", "foreign", "foreignOrders"];

/** A run's warnings (Journal.runWarnings). */
export interface RunWarnings {
  /** Every time the run warned (a warning said three times counts 3). */
  count: number;
  /** Its journaled rows (each distinct warning once). */
  rows: number;
  /** The newest rows, newest first (by the last time each was said). */
  newest: (EventRow & { last: number; count: number })[];
  /** When the run first warned (null: never) — a start-up's waits come before its start. */
  oldest: number | null;
}

export interface SweepInfo {
  ts: number;
  inSync: boolean | null;
  /** Σ |drift|, the part the deadband tolerates included (core/drift.ts DriftReport.driftUsd). */
  driftUsd: number | null;
  /** The part in coins orders were planned for or a gate held: the header's `drift $X` (null: a record from before it was kept). */
  outsideUsd: number | null;
  durationMs: number | null;
}

/** Summary of a sample; every figure is null when the sample is empty. */
export interface DistributionStats {
  count: number;
  mean: number | null;
  median: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

export type JournalTable = "runs" | "decisions" | "orders" | "fills" | "funding" | "halts" | "events";
export const JOURNAL_TABLES: readonly JournalTable[] = [
  "runs",
  "decisions",
  "orders",
  "fills",
  "funding",
  "halts",
  "events",
];
/** One line of `hlcopy journal`: the row, tagged with its table and a time (a run's start). */
export type JournalEntry =
  | ({ table: "runs"; ts: number } & RunRow)
  | ({ table: "decisions" } & DecisionRow)
  | ({ table: "orders" } & OrderRow)
  | ({ table: "fills" } & FillRow)
  | ({ table: "funding" } & FundingRow)
  | ({ table: "halts" } & HaltRow)
  | ({ table: "events" } & EventRow);

export interface ListEntriesParameters {
  /** Only entries at or after this time (ms). */
  since?: number;
  /** One table, or all of them merged by time. */
  table?: JournalTable;
  /** The newest N entries (default 100, Infinity = all); they are returned oldest first. */
  limit?: number;
  /**
   * Leave out dry runs and what they recorded. Dry runs no longer write the journal (they work
   * on a copy: JournalWrites), but a journal an older hlcopy wrote may still hold some.
   */
  trading?: boolean;
  /** Of the events, only these types (`hlcopy journal --type warnings`: WARNING_EVENT_TYPES). */
  eventTypes?: readonly string[];
}

export interface Journal {
  readonly path: string;
  /**
   * The journal's identity: 32 hex digits, random, created with the journal and never changed.
   * Cloids are seeded with it, so two journals (a fresh one, another config directory) never
   * produce the same cloid for one account.
   */
  readonly id: string;
  startRun(params: StartRunParameters): number;
  endRun(runId: number, result: { endedAt: number; exitCode: number }): void;
  /**
   * Hold everything recorded from here — the run, its plans and events, copy state, equity and
   * the high-water mark, halts, fills — in one transaction until `keepHeld()` commits it or
   * `dropHeld()` rolls it back: a run that is refused before it could send (a start check, a
   * wrong passphrase, the trader's no, a stop at a prompt) leaves the journal as it was, and a
   * journal that did not exist ("on-record") is not created. Nothing commits it on the way (the
   * group commit, a batch, a checkpoint, a write that commits at once). An order's intent keeps
   * what is held first (an order about to be sent is never held); `close()` drops it. An
   * existing file's write lock is taken at once and held until then: another process that
   * writes the journal meanwhile (hlcopy resume) waits `busyTimeoutMs` for it, then fails.
   * Holding again while held changes nothing.
   */
  hold(): void;
  /** Commit what is held (and create an "on-record" file that it holds a record for). No-op when nothing is held. */
  keepHeld(): void;
  /** Roll back what is held; whether anything was held (false once an order's intent kept it). */
  dropHeld(): boolean;
  /**
   * Whether another connection holds the journal's write lock right now, so that a write would
   * wait `busyTimeoutMs` for it — a run waiting at its review or passphrase prompt holds it until
   * its answer (hold). Asked without waiting and let go at once: changes nothing. False for a
   * journal in memory, a dry run's copy, or while this connection has a transaction open.
   * @throws {OperationalError} naming the file when the journal cannot be read (disk, corrupt).
   */
  writeLockedElsewhere(): boolean;
  /** The networks its runs were on, as each recorded it ("mainnet", "testnet" or a URL), in order of first use. */
  networks(): string[];
  /**
   * The newest run; with `trading`, the newest that could trade (a dry run only shows a plan);
   * with `sizedBy` too, the newest that traded at its own sizing — not one paused from the
   * moment it could act to its end (engine/pause.ts journal: a paused reconcile, a follow paused
   * throughout), which sent nothing at its sizing: the sizing reference of the next run.
   */
  lastRun(options?: { trading?: boolean; sizedBy?: boolean }): RunRow | null;
  /** Every leader a run of this journal copied (lower case), first followed first. */
  followedLeaders(): Address[];
  /** Runs that may trade and have not ended (running, or killed), newest first. */
  unfinishedRuns(): RunRow[];
  recordDecision(params: RecordDecisionParameters): number;
  /** One leader fill the run was told (after the copy left): what report's leader trades replay. */
  recordLeaderFill(params: LeaderFillRow): void;
  /**
   * The runs that could trade and overlap [since, until], oldest first, each with whether it
   * journaled its leader trades (schema 13 on): `report` replays those, and says the others'
   * are not known.
   */
  tradeRuns(since: number, until: number): (RunRow & { leaderTradesKept: boolean })[];
  /** A run's leader fills, in the order it was told them. */
  leaderFillsOf(runId: number): LeaderFillRow[];
  /** A run's decisions, oldest first, without their plans. */
  tradeDecisionsOf(runId: number): TradeDecisionRow[];
  /** A decision's plan (null when it is gone: pruned, or not JSON). */
  planOf(decisionId: number): Plan | null;
  /** Our order's journaled outcome by cloid, its journaled fills counted (null: never journaled, so never sent). */
  orderOutcome(
    cloid: string,
  ): { status: JournalOrderStatus; filledSize: number; error: string | null } | null;
  /**
   * Record an order BEFORE it is sent (status `pending`). Returns false, and changes nothing,
   * when the cloid is already journaled: that order may exist, so resolve it before sending.
   */
  recordOrderIntent(params: RecordOrderIntentParameters): boolean;
  /**
   * Record what became of an order. A resolved order (filled, rejected, cancelled, paper) is
   * never set back to pending/sent/uncertain by a late report. Returns false if nothing changed.
   */
  updateOrder(cloid: string, update: OrderUpdate): boolean;
  getOrder(cloid: string): OrderRow | null;
  /** Orders in the given states, oldest first (start-up recovery: UNRESOLVED_ORDER_STATUSES). */
  ordersInState(statuses: readonly JournalOrderStatus[]): OrderRow[];
  /**
   * Journal one of our fills, once: the same fill again (same tid, oid and time) is not
   * recorded twice. A different fill under a trade id the journal already holds is recorded all
   * the same and named in `conflict`, for the caller to warn about.
   */
  recordFill(params: RecordFillParameters): RecordFillResult;
  /** Returns false when the payment (ts, coin) is already journaled. */
  recordFunding(params: RecordFundingParameters): boolean;
  /** Our fills at or after `sinceMs`, in journal order. */
  fillsSince(sinceMs: number): FillRow[];
  /**
   * Our fills at or after `sinceMs`, in journal order, with only what the copy's P&L folds, read
   * a row at a time as they are iterated: the copy's whole history — every fill since it began,
   * folded at each start and by status — is never held in memory (a month of 1 000 orders a day,
   * in a fresh process: 65 ms and 61 MB, against 520 ms and 160 MB as FillRows).
   */
  pnlFillsSince(sinceMs: number): Iterable<PnlFillRow>;
  /** Funding payments at or after `sinceMs`, in journal order. */
  fundingSince(sinceMs: number): FundingRow[];
  /** The newest fill's / funding payment's exchange time, or null. */
  lastFillTime(): number | null;
  lastFundingTime(): number | null;
  /**
   * When the copy began (null before the first trading run): the first run that could trade —
   * in a paper journal the newest paper run, whose paper account is new (each paper run trades
   * one of its own: run-mode.ts newAccountEachRun), so its P&L is none of an earlier one's.
   */
  copyStart(): CopyStart | null;
  /** Equity snapshots in [fromMs, toMs], oldest first. */
  equitySince(fromMs: number, toMs?: number): EquityRow[];
  /** Orders recorded at or after `sinceMs`, oldest first. */
  ordersSince(sinceMs: number): OrderRow[];
  /**
   * Store a snapshot; the high-water mark is carried forward (the last snapshot's, scaled by the
   * cash flows since: core/safety.ts markAt at `scale`) and raised. `scale` defaults to the
   * journaled cash flows' (cashFlowScale).
   */
  /**
   * An equity snapshot; its high-water mark is the highest of its value, the last snapshot's
   * mark and `at.peak` (a higher reading since the last snapshot that was not recorded), each
   * at this snapshot's scale.
   */
  recordEquity(
    ts: number,
    accountValue: number,
    at?: { scale?: number; cash?: number | null; pending?: number; peak?: Mark },
  ): EquityRow;
  /** Start the high-water mark again from this value (e.g. on `resume` after a kill switch). */
  resetHighWaterMark(ts: number, accountValue: number): EquityRow;
  highWaterMark(): number | null;
  latestEquity(): EquityRow | null;
  /**
   * The first snapshot taken on that UTC day ("YYYY-MM-DD") and the cash-flow scale it is at
   * (read it with core/safety.ts markAt), or null if none. `sinceMs`: the first taken at or after
   * it that day (a paper account's day begins with its run).
   */
  dayStartEquity(utcDay: string, sinceMs?: number): Mark | null;
  /**
   * Journal our own cash flows (deduplicated as the ledger keys them), each with its factor
   * (core/safety.ts flowFactor; 1 when not given); returns the new ones.
   */
  recordCashFlows(
    flows: readonly (CashFlowRow & { factor?: number })[],
    runId?: number | null,
  ): CashFlowRow[];
  /** Whether this cash flow is journaled already (as the ledger keys it). */
  hasCashFlow(flow: CashFlowRow): boolean;
  /** Our cash flows at or after `sinceMs` (exchange time), oldest first. */
  cashFlowsSince(sinceMs: number): CashFlowRow[];
  /** The net of every journaled cash flow of ours. */
  cashFlowTotal(): number;
  /** The product of every journaled cash flow's factor: the scale a mark recorded now is at (core/safety.ts Mark). */
  cashFlowScale(): number;
  /** The newest journaled cash flow's exchange time, or null. */
  lastCashFlowTime(): number | null;
  /**
   * Where the high-water mark begins (its last reset, else the first snapshot), or null: our
   * cash flows before it are in it already.
   */
  cashFlowAnchor(): number | null;
  recordHalt(params: RecordHaltParameters): HaltRow;
  /** The newest halt not yet cleared. */
  activeHalt(): HaltRow | null;
  /** Clear every active halt (`hlcopy resume`); returns how many were cleared. */
  clearHalts(ts: number): number;
  recordEvent(params: RecordEventParameters): void;
  /**
   * A warning the run said (an event "warning": `{message, count, last}`): `count` 1 inserts its
   * row (at `first`), a higher one updates the row of the same run, words and first time (the
   * caller keeps the count: engine/warning-log.ts) — a warning said every sweep is one row.
   */
  recordWarning(params: RecordWarningParameters): void;
  /**
   * The warnings of run `runId` (WARNING_EVENT_TYPES; recorded at or after `since`, its start,
   * or before it since the run before started: its start-up's waits, said before the run began):
   * how many, and its `newest` rows, newest first.
   */
  runWarnings(runId: number, since: number, newest: number): RunWarnings;
  /**
   * A running follow's state record (`type` "state", `moment` "change": status's "last change").
   * `replace`: in place of the run's previous one, time and all (every reader orders the log by
   * time: the record moves past any event journaled since) — so a busy leader's run keeps one
   * such record per span (engine.ts CHANGE_SPAN_MS), not one per change (4.5 KB each, up to
   * five a second: a day of a leader trading ten times a second was a 1.1 GB journal).
   * Otherwise (or when there is none to replace) a new record.
   */
  recordStateChange(params: RecordEventParameters, replace: boolean): void;
  /**
   * How many ms until the records written now are committed with the open group (null: no
   * group is open — the next write opens one, or commits at once). Another program (status)
   * sees nothing of a group before then: a record written twice in one group is seen once.
   */
  msToCommit(): number | null;
  /** A piece of copy state that outlives runs (baselines, ownership), or null if never set. */
  getCopyState<T>(key: string): T | null;
  setCopyState(key: string, value: unknown, ts: number): void;
  /** The id of the newest journaled order (0 when none): a mark to sum fills from. */
  lastOrderId(): number;
  /** coin → signed size our live orders with an id above `orderId` filled. */
  filledSince(orderId: number): Record<string, number>;
  /**
   * Keep what hlcopy manages from `ts` on (coin → signed size) in its history (engine/copy-state.ts
   * managedAt reads it back).
   */
  recordManaged(ts: number, positions: Record<string, number>): void;
  /**
   * The newest managed snapshot of the history taken at or before `ts`; before the first one,
   * the first (the earliest the journal knows); null when there is none.
   */
  managedSnapshotAt(ts: number): { ts: number; positions: Record<string, number> } | null;
  /**
   * coin → signed size of hlcopy's own fills (those with a kind) with `after` < exchange time <
   * `before` — their parts that are the copy's (a flatten's close of a position held by hand is
   * not hlcopy's to take off what it manages).
   */
  ownFillsBetween(after: number, before: number): Record<string, number>;
  /**
   * The copy's journaled moments (sweeps and state records, never a dry run's) from `since` on,
   * oldest first, and before them the newest earlier one that has an unrealised P&L: each as
   * the figures `report` takes from it, read by SQLite from the record's JSON. A state record is
   * ~4.5 KB and a busy follow writes one or two a second: read whole, a month of them was GBs.
   */
  copyMoments(since: number): CopyMoment[];
  /** The newest sweep of a run that could trade (a dry run an older hlcopy journaled is no sweep of the copy). */
  lastSweep(): SweepInfo | null;
  /** Copy slippage (against the leader's fill) of hot-path copies since `sinceMs`. */
  slippageStats(sinceMs: number): DistributionStats;
  /** Execution slippage (against the touch at decision) since `sinceMs`, of one kind or all. */
  execSlippageStats(sinceMs: number, kind?: OrderKind): DistributionStats;
  /** The execution slippages themselves (the budget's p95), oldest first. */
  execSlippageSamples(sinceMs: number): number[];
  /** Copy lag of hot-path copies since `sinceMs`. */
  lagStats(sinceMs: number): DistributionStats;
  /** Our fills since `sinceMs`: all, and by kind (`other` = fills hlcopy did not place). */
  fillCounts(sinceMs: number): FillCounts;
  listEntries(params?: ListEntriesParameters): JournalEntry[];
  /** Run `fn` in one transaction (one commit for many writes); nested calls join the outer one. */
  batch<T>(fn: () => T): T;
  /**
   * Run `fn`'s reads in one read transaction: every read sees the journal as of the first, so
   * one output has one figure while a follow writes beside it (a report's "N fills since" in its
   * first line and its last were read at two moments). A writer is never kept waiting (WAL: a
   * reader holds no lock it needs). Inside a transaction already, `fn` just runs in it.
   * @throws {OperationalError} naming the file when the journal cannot be read.
   */
  read<T>(fn: () => T): T;
  /**
   * A dry run's copy (openJournal `writes: "memory"`): take up what the file's running writer
   * committed since the copy was taken — the copy state (the managed snapshot) and the orders
   * with what they filled — so a check made now sees the trades a follow beside it made
   * meanwhile: whose positions are hlcopy's, against an account read just before, is then
   * never answered from an older record than the account. The follow's order intents it has
   * logged but not yet committed (store/intent-log.ts: up to a group commit, ~250 ms, behind
   * the exchange) are taken up too, as pending orders: a position its latest copy moved is
   * never "not opened by hlcopy". What this run recorded itself is kept (once it journaled an
   * order of its own, the orders are left as they are). A journal on disk reads the file
   * already: nothing to do.
   */
  refresh(): void;
  /**
   * Delete decisions and events older than `ts` — of the sweeps, all but each run's last of a
   * UTC day — and the managed history before the last snapshot older than it (orders, fills,
   * equity, halts, runs stay). `limit`: at most that many rows of each table, oldest first (a
   * running follow prunes a day of a busy leader's plans a slice at a time: ~2 ms per 1 000
   * plans, and nothing else runs meanwhile).
   */
  pruneBefore(ts: number, limit?: number): { decisions: number; events: number };
  /**
   * Copy the WAL into the main file (passive: never waits for readers). Runs by itself every
   * `checkpointIntervalMs`; call it at a quiet moment (after a sweep) to choose when.
   */
  checkpoint(): void;
  /**
   * Told when a write finds the journal held by another program (a busy spell begins: what is
   * told after the fact waits in memory, retried every BUSY_RETRY_MS) and when what waited is
   * committed (it ends). One listener; a later call replaces it.
   */
  onBusy(listener: (state: JournalBusyState) => void): void;
  /** Since when the journal has been busy (ms), null when it is not. */
  busySince(): number | null;
  /**
   * The file this connection writes is no longer at `path` (deleted, or moved aside): what it
   * records from now on is not where the next run, `status` or `report` look. False for a
   * journal not on disk (in memory, not written out yet, a dry run's copy).
   */
  goneFromPath(): boolean;
  /** Checkpoint the WAL and close. Safe to call twice. */
  close(): void;
}

/** A busy spell's change (Journal.onBusy). `kept`: records waiting in memory (ended: written). */
export interface JournalBusyState {
  busy: boolean;
  since: number;
  kept: number;
}

// ─── Paths and pure helpers ─────────────────────────────────────────────────────────────

/**
 * Where the journal of one follower account on one network lives: one per (network, account),
 * as the run lock (store/lock.ts) — mainnet and testnet share addresses, and two simulators on
 * two ports are two exchanges, so no run ever reads another network's high-water mark, halts or
 * positions. Mainnet keeps the name it always had, `<configDir>/journal-<account>.sqlite` (a
 * trader's history stays where it is); any other network is
 * `<configDir>/journal-<network key>-<account>.sqlite` (store/network-key.ts).
 * `network`: "mainnet", "testnet" or the API URL; default mainnet.
 */
export function journalPath(configDir: string, account: string, network = "mainnet"): string {
  const who = account.toLowerCase();
  const name = isMainnet(network) ? `journal-${who}.sqlite` : `journal-${networkKey(network)}-${who}.sqlite`;
  return join(configDir, name);
}

/**
 * The paper journal of `account` on `network`: `follow --paper` runs keep theirs beside the live
 * one (`….paper.sqlite`), so nothing of a paper account is ever read as the real account's.
 */
export function paperJournalPath(configDir: string, account: string, network = "mainnet"): string {
  return journalPath(configDir, account, network).replace(/\.sqlite$/, ".paper.sqlite");
}

/**
 * The journal files of `account` in `configDir` for other networks than `network` (file names,
 * sorted): what `status`, `report` and `journal` name when the network asked about has none.
 */
export function otherJournals(configDir: string, account: string, network: string): string[] {
  const own = basename(journalPath(configDir, account, network));
  const who = account.toLowerCase();
  try {
    return readdirSync(configDir)
      .filter(
        (f) =>
          f !== own &&
          (f === `journal-${who}.sqlite` || (f.startsWith("journal-") && f.endsWith(`-${who}.sqlite`))),
      )
      .sort();
  } catch {
    return [];
  }
}

/**
 * A journal that holds runs of another network than `network`, as the one clear error to show,
 * or null. Journals are per (network, account) now, but an older hlcopy kept one per account for
 * every network — `journal-<account>.sqlite`, the name mainnet keeps — so such a file may carry
 * another network's high-water mark, day-start equity, halts, copy state and managed positions:
 * trading on it would halt on the other network's drawdown or refuse (or manage) positions by
 * the other network's record. It is never split or used silently; the hint says how to move it.
 * `account`: the journal's account (for the file name the other network's journal has now).
 */
export function foreignNetworkRuns(journal: Journal, network: string, account: string): ConfigError | null {
  const recorded = journal.networks();
  const others = recorded.filter((n) => !sameNetwork(n, network));
  if (others.length === 0) return null;
  const file = journal.path;
  const paper = file.endsWith(".paper.sqlite");
  const own = recorded.length > others.length;
  const older = "an older hlcopy kept one journal per account for every network";
  const only = others.length === 1 && !own ? others[0] : undefined;
  const theirs =
    only === undefined
      ? undefined
      : journalPath(dirname(file), account, only).replace(/\.sqlite$/, paper ? ".paper.sqlite" : ".sqlite");
  const message = own
    ? `journal ${file} also holds runs on ${others.join(", ")} (${older}): its high-water mark, halts and positions may be another network's`
    : `journal ${file} holds the runs of ${others.join(", ")}, not of ${network} (${older})`;
  const hint =
    theirs !== undefined && !existsSync(theirs)
      ? `with no hlcopy running for this account, move it where hlcopy now looks for ${only}'s journal: ${moveCommand(file, theirs)}`
      : `with no hlcopy running for this account, move it aside (${moveCommand(file, `${file}.shared`)}) and ${network} starts a new journal — which forgets its halt, high-water mark and which positions hlcopy opened (--adopt takes them back)`;
  return new ConfigError(message, { hint, details: { file, network, networks: recorded } });
}

/**
 * A sample's figures as the journal reports them (core/stats.ts computes them): every figure but
 * the count is null when the sample is empty.
 */
export function distribution(values: readonly number[]): DistributionStats {
  const s = summarize(values);
  return {
    count: s.count,
    mean: finiteOrNull(s.mean),
    median: finiteOrNull(s.median),
    p95: finiteOrNull(s.p95),
    p99: finiteOrNull(s.p99),
    max: finiteOrNull(s.max),
  };
}

/**
 * For a network other than mainnet whose journal does not exist yet: when the file an older
 * hlcopy shared between networks (`journal-<account>.sqlite`, mainnet's name) holds only this
 * network's runs, the one clear error saying to move it to this network's name (its halt,
 * high-water mark and the positions hlcopy opened are there), else null. A shared file that
 * also holds other networks' runs cannot be split: this network starts a journal of its own
 * (mainnet refuses that file until it is moved aside: foreignNetworkRuns).
 */
export function unmovedJournal(configDir: string, account: string, network: string): ConfigError | null {
  if (isMainnet(network)) return null;
  const own = journalPath(configDir, account, network);
  const shared = journalPath(configDir, account);
  if (existsSync(own) || !existsSync(shared)) return null;
  // Read as a dry run's copy reads: never writing the file or leaving a -wal beside it.
  const networks = journalNetworks(shared);
  if (networks.length === 0 || !networks.every((n) => sameNetwork(n, network))) return null;
  return new ConfigError(
    `the journal of ${network} for ${account.toLowerCase()} is still in ${shared}, where an older hlcopy kept one journal per account for every network`,
    {
      hint: `with no hlcopy running for this account, move it where hlcopy now looks for it: ${moveCommand(shared, own)}`,
      details: { file: shared, expected: own, network },
    },
  );
}

// ─── Opening: validate, never reset ─────────────────────────────────────────────────────

const SQLITE_HEADER = "SQLite format 3\0";

/**
 * The command that moves a journal together with what lies beside it: its -wal holds commits
 * not yet folded into the file (a halt a killed run recorded last, say), its -intents orders
 * not yet in either, its -shm indexes the -wal. Moved without them, those records are lost —
 * or, left under the old name, a new journal there would take in another file's -wal.
 */
export function moveCommand(from: string, to: string): string {
  const beside = ["-wal", "-shm", "-intents"];
  if (!beside.some((b) => existsSync(`${from}${b}`))) return `mv ${from} ${to}`;
  // Each file only if it is still there when the trader runs it: SQLite folds the -wal into the
  // file and removes it when the last connection closes — the one that printed this hint, say.
  return `mv ${from} ${to} && for x in ${beside.join(" ")}; do [ ! -e ${from}$x ] || mv ${from}$x ${to}$x; done`;
}

function moveAsideHint(file: string): string {
  return `move it aside (${moveCommand(file, `${file}.bak`)}) and hlcopy starts a new journal — which also forgets any halt and the high-water mark`;
}

function notAJournal(file: string, why: string, cause?: unknown): ConfigError {
  return new ConfigError(`journal ${file} ${why}`, {
    hint: moveAsideHint(file),
    details: { file },
    cause,
  });
}

/** The first `bytes` bytes of a file (fewer when it is shorter). */
function readHead(file: string, bytes: number): Buffer {
  const buf = Buffer.alloc(bytes);
  const fd = openSync(file, "r");
  try {
    return buf.subarray(0, readSync(fd, buf, 0, bytes, 0));
  } finally {
    closeSync(fd);
  }
}

/** Reject a file that is not SQLite at all before SQLite touches it. */
function checkHeader(file: string): void {
  if (!existsSync(file)) return;
  const size = statSync(file).size;
  if (size === 0) return; // an empty file is an empty database
  const buf = readHead(file, 16);
  if (buf.length < 16 || buf.toString("latin1") !== SQLITE_HEADER) {
    throw notAJournal(file, "is not a SQLite database (corrupt or not a journal)");
  }
}

/** Disk and database errors on the journal, as the user should read them (disk-errors.ts). */
function journalError(file: string, operation: StoreOperation, error: unknown): HlcopyError {
  const e = storeError(error, { file, what: "journal", operation, corruptHint: moveAsideHint(file) });
  // The long transaction is most often hlcopy's own: a run holds what it records until it may
  // send (Journal.hold), its write lock too, while it waits for an answer.
  if (e !== error && storeErrorKind(error) === "busy") {
    return new JournalBusyError(e.message, {
      hint: "another process holds it in a long transaction: a follow or reconcile waiting at its review or passphrase prompt (answer it there), or a SQLite browser or backup tool (close it); then run again",
      details: e.details,
      cause: error,
    });
  }
  return e;
}

function pragmaNumber(db: DatabaseSync, name: string): number {
  const row = db.prepare(`PRAGMA ${name}`).get();
  const value = row ? Object.values(row)[0] : undefined;
  return typeof value === "number" ? value : Number(value ?? 0);
}

function newerSchema(file: string, version: number): ConfigError {
  return new ConfigError(
    `journal ${file} has schema version ${version}, newer than this hlcopy understands (${LATEST_SCHEMA_VERSION})`,
    {
      hint: "upgrade hlcopy (npm install -g hlcopy@latest) — an older version never rewrites a newer journal",
      details: { file, version, supported: LATEST_SCHEMA_VERSION },
    },
  );
}

/**
 * The schema version a file holds (`schema`: the connection's main database, or one attached to
 * it), or an error if it is not ours to touch. Reads only.
 * @throws {ConfigError} for another application's database or a newer schema.
 */
function inspectSchema(db: DatabaseSync, file: string, schema = "main"): number {
  const appId = pragmaNumber(db, `${schema}.application_id`);
  const version = pragmaNumber(db, `${schema}.user_version`);
  if (appId === JOURNAL_APPLICATION_ID) {
    if (version > LATEST_SCHEMA_VERSION) throw newerSchema(file, version);
    return version;
  }
  const objects = db.prepare(`SELECT count(*) AS n FROM ${schema}.sqlite_master`).get();
  if (appId === 0 && version === 0 && objects?.n === 0) return 0; // a brand-new, empty file
  throw notAJournal(file, "is a SQLite database but not an hlcopy journal");
}

/**
 * inspectSchema for a file at rest, from its 100-byte header alone (no connection: nothing is
 * created beside it): the application id (offset 68) and user version (offset 60), big-endian.
 * An id of 0 with no table — one page, the empty schema — is a brand-new file.
 */
function inspectHeader(file: string): void {
  const header = readHead(file, 100);
  if (header.length < 100) throw notAJournal(file, "is not a SQLite database (corrupt or not a journal)");
  const appId = header.readInt32BE(68);
  const version = header.readInt32BE(60);
  if (appId === JOURNAL_APPLICATION_ID) {
    if (version > LATEST_SCHEMA_VERSION) throw newerSchema(file, version);
    return;
  }
  const raw = header.readUInt16BE(16);
  const pageSize = raw === 1 ? 65_536 : raw;
  if (appId === 0 && version === 0 && pageSize > 0 && statSync(file).size <= pageSize) return;
  throw notAJournal(file, "is a SQLite database but not an hlcopy journal");
}

function migrate(db: DatabaseSync, file: string, now: number): void {
  // BEGIN IMMEDIATE takes the write lock first, so two processes opening a new journal at the
  // same moment migrate it once; the version is re-read under the lock.
  db.exec("BEGIN IMMEDIATE");
  try {
    const from = inspectSchema(db, file);
    for (const m of MIGRATIONS) {
      if (m.version <= from) continue;
      db.exec(m.sql);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(
        m.version,
        m.name,
        now,
      );
      db.exec(`PRAGMA user_version = ${m.version}`);
    }
    if (from === 0) db.exec(`PRAGMA application_id = ${JOURNAL_APPLICATION_ID}`);
    db.exec("COMMIT");
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
}

/**
 * What to do when the journal file does not exist yet (a journal whose writes go to disk):
 * * `"now"`: create it at once (the default).
 * * `"on-record"`: keep the run in memory and create the file, with everything so far, at the
 *   first record worth keeping (a decision, order, fill, equity snapshot, halt or event). A
 *   run that ends before that — its first request failed — leaves no file behind.
 * An existing file is opened as it is, whatever this says.
 */
export type JournalCreation = "now" | "on-record";

/**
 * Where what the run records goes:
 * * `"disk"`: into the file (the default; created as `create` says).
 * * `"memory"`: nowhere on disk — a dry run's journal. A dry run answers "what would you do
 *   now?" and must not change what `status`, `report` or `journal` show about live trading, yet
 *   it needs what the file knows (the positions hlcopy opened, halts, copy state, the high-water
 *   mark). So an existing file is read once into memory — one consistent snapshot, what a
 *   running follow committed to the -wal included (copyJournal), without the plans and events
 *   no run reads back — and the run works on that
 *   copy; nothing it records outlives it. The file and its -wal are never written, and a
 *   journal at rest is left as it was: no -wal or -shm appears beside it (copyJournal). What a
 *   live run records after the snapshot is not seen, but for what Journal#refresh takes up (the
 *   start's ownership check). A missing file stays missing; an older
 *   schema is upgraded in the copy only.
 */
export type JournalWrites = "disk" | "memory";

export interface OpenJournalOptions {
  /** Clock for `schema_migrations.applied_at` (tests). */
  now?: () => number;
  /** When a missing file is created. Default "now". */
  create?: JournalCreation;
  /** Where records go. Default "disk". */
  writes?: JournalWrites;
  /** How long a write waits for another connection's lock before failing (default 5000 ms). */
  busyTimeoutMs?: number;
  /** How often the WAL is checkpointed off the hot path (default 10 000 ms; 0 = only on close). */
  checkpointIntervalMs?: number;
  /**
   * How long a record told after the fact (a decision, an order's result, a fill, an event) may
   * wait for its commit (default GROUP_COMMIT_MS; 0 = every write commits at once). See SqliteJournal.
   */
  groupCommitMs?: number;
  /**
   * This process holds the account's run lock and sends orders: it logs its order intents in an
   * append-only file beside the journal (store/intent-log.ts: one write call on the hot path
   * instead of a commit) and takes in the intents a run that died left there. Only the lock's
   * holder may: the log is the sender's alone. Default false (every intent committed at once).
   */
  intentLog?: boolean;
}

/**
 * Open (creating if needed) the journal at `path`, or ":memory:" for a throwaway one; with
 * `writes: "memory"`, an in-memory copy of it that is never written back (dry runs).
 * The directory is created with mode 0700 and the file with 0600; migrations are applied.
 * A file that is not an hlcopy journal, or has a newer schema, is left byte-for-byte alone.
 * @throws {ConfigError} naming the file when it is corrupt, foreign or from a newer hlcopy.
 * @throws {OperationalError} when it cannot be opened or created (permissions, disk, busy).
 */
export function openJournal(path: string, options: OpenJournalOptions = {}): Journal {
  const memory = path === ":memory:";
  const create = options.create ?? "now";
  const now = options.now ?? Date.now;
  const busy = options.busyTimeoutMs ?? 5000;
  const groupMs = options.groupCommitMs ?? GROUP_COMMIT_MS;
  let db: DatabaseSync | undefined;
  /** The file this call created: removed again if opening fails (no 0-byte journal litter). */
  let created = false;
  try {
    if (!memory && options.writes === "memory") {
      // A copy of the file as it is now (or an empty journal), never written back (JournalWrites).
      db = new DatabaseSync(":memory:");
      copyJournal(path, db, busy);
      const version = configure(db, true, busy, path);
      if (version < LATEST_SCHEMA_VERSION) migrate(db, path, now());
      return new SqliteJournal(db, path, 0, busy, groupMs, { copyOf: path });
    }
    if (!memory && create === "on-record" && !existsSync(path)) {
      // Nothing on disk until there is something worth keeping (see JournalCreation) — and that
      // may be only once the run is confirmed (hold): a file that could not be created is said
      // now, before the run asks anything.
      checkCreatable(path);
      db = new DatabaseSync(":memory:");
      configure(db, true, busy);
      migrate(db, path, now());
      return new SqliteJournal(db, path, options.checkpointIntervalMs ?? 10_000, busy, groupMs, {
        deferred: create,
        intentLog: options.intentLog === true,
      });
    }
    if (!memory) {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      checkHeader(path);
      // Create it ourselves so it is 0600 (SQLite gives its -wal/-shm files the same mode).
      if (!existsSync(path)) {
        closeSync(openSync(path, "a", 0o600));
        created = true;
      }
    }
    db = new DatabaseSync(path);
    const version = configure(db, memory, busy, path);
    // Only a journal that needs it takes the write lock: a reader (`hlcopy journal`) opening
    // it while `follow` trades must not stall follow's writes.
    if (version < LATEST_SCHEMA_VERSION) migrate(db, path, now());
    if (!memory && options.intentLog) takeInIntents(db, path);
    return new SqliteJournal(db, path, memory ? 0 : (options.checkpointIntervalMs ?? 10_000), busy, groupMs, {
      intentLog: !memory && options.intentLog === true,
    });
  } catch (error) {
    try {
      db?.close();
    } catch {
      // already failing: the first error is the one to report
    }
    if (created) for (const f of [path, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true });
    throw journalError(path, "open", error);
  }
}

/**
 * That `file` could be created, creating nothing: its nearest existing ancestor is a directory
 * this process may write.
 * @throws {OperationalError} what creating it would meet (a part of its path is a file, permission denied, a read-only file system).
 */
function checkCreatable(file: string): void {
  let dir = dirname(file);
  try {
    for (;;) {
      let isDirectory: boolean;
      try {
        isDirectory = statSync(dir).isDirectory();
      } catch (error) {
        const up = dirname(dir);
        if ((error as NodeJS.ErrnoException).code !== "ENOENT" || up === dir) throw error;
        dir = up;
        continue;
      }
      if (!isDirectory)
        throw Object.assign(new Error(`ENOTDIR: not a directory, ${dir}`), { code: "ENOTDIR" });
      accessSync(dir, constants.W_OK | constants.X_OK);
      return;
    }
  } catch (error) {
    throw journalError(file, "create", error);
  }
}

/** An order's intent (status pending); a cloid the journal holds already is left as it is. */
const INSERT_INTENT = `INSERT INTO orders (run_id, ts, cloid, coin, side, size, limit_px, reduce_only, reason, request,
                                         status, leader_px, updated_at, kind, touch_px)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?)
                       ON CONFLICT (cloid) DO NOTHING`;

/** The intent's row as INSERT_INTENT binds it (and the intent log holds it). */
function intentRow(p: RecordOrderIntentParameters): IntentRow {
  const a = p.action;
  return [
    p.runId,
    p.ts,
    a.cloid,
    a.coin,
    a.side,
    a.size,
    a.limitPx,
    a.reduceOnly ? 1 : 0,
    a.reason,
    toJson(p.request),
    // The leader's price is copy slippage's reference: hot-path copies only.
    (p.kind === undefined || p.kind === "copy") && Number.isFinite(a.refPx) ? a.refPx : null,
    p.ts,
    p.kind ?? kindOfReason(a.reason),
    p.touchPx !== undefined && p.touchPx !== null && Number.isFinite(p.touchPx) ? p.touchPx : null,
  ];
}
/** Where the cloid sits in an IntentRow. */
const INTENT_CLOID = 2;

/**
 * The intents a run that died left in its log (store/intent-log.ts), committed into the journal
 * before anything reads it — the recovery pass then looks each one up by its cloid like any
 * other pending order — and the log removed. Only the lock's holder calls this.
 * @throws {ConfigError} naming the log when a finished line in it is not an intent.
 */
function takeInIntents(db: DatabaseSync, path: string): void {
  const log = intentLogPath(path);
  let rows: IntentRow[];
  try {
    rows = readIntentLog(log);
  } catch (error) {
    throw new ConfigError(`the order intents log ${log} is damaged: ${(error as Error).message}`, {
      hint: "move it aside and run again; orders it named are found on the exchange by the next sweep",
      details: { file: log },
    });
  }
  if (rows.length > 0) {
    const insert = db.prepare(INSERT_INTENT);
    db.exec("BEGIN IMMEDIATE");
    try {
      for (const row of rows) insert.run(...row);
      db.exec("COMMIT");
    } catch (error) {
      db.exec("ROLLBACK");
      throw error;
    }
  }
  rmSync(log, { force: true });
}

/**
 * Set a fresh connection up; returns the schema version it holds.
 * @throws {ConfigError} (from inspectSchema) for a foreign or newer file, before any write.
 */
function configure(db: DatabaseSync, memory: boolean, busyTimeoutMs: number, file = ":memory:"): number {
  db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
  // Before anything writes: a foreign or newer file must stay untouched.
  const version = inspectSchema(db, file);
  if (!memory) db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = NORMAL");
  // SQLite's automatic checkpoint runs inside whichever write crosses 1000 pages: a 5 ms
  // stall on a random order. We checkpoint from a timer instead, between events.
  db.exec("PRAGMA wal_autocheckpoint = 0");
  return version;
}

/**
 * Copy the journal at `file` into `copy`, a fresh in-memory database: its schema, schema version
 * and application id, and its rows but for the plans and events no run reads back (RUN_READS:
 * a dry run's copy grows with the trader's orders and fills, not with sweeps or the leader's
 * pace), as one consistent snapshot that includes what a running follow
 * committed to the -wal — without writing to the file or its -wal, and without waiting for (or
 * stalling) that follow; a journal at rest is left without a -wal or -shm, as it was. No file,
 * or an empty one, copies nothing.
 *
 * One way on every Node hlcopy supports: DatabaseSync#serialize() (Node 24.21+) is missing on
 * Node 22, and so are URI filenames (`?mode=ro`) in ATTACH. The file is ATTACHed to `copy` and
 * read in ONE transaction — one snapshot — with INSERT … SELECT, which SQLite copies record by
 * record without decoding them (its transfer optimisation: tables and their indexes exist but
 * are empty, triggers come after the rows; the events it keeps are found by their index). Its
 * cost follows the rows it copies, not bytes (400 000 small rows: ~0.2 s; README Figures).
 * Exported for its test; openJournal(file, { writes: "memory" }) is the way to use it.
 * @throws {ConfigError} for a file that is not an hlcopy journal or has a newer schema, before
 *   anything is attached or copied.
 */
export function copyJournal(file: string, copy: DatabaseSync, busyTimeoutMs: number): void {
  if (journalToRead(file)) readAttached(file, copy, busyTimeoutMs, () => copySchemaAndRows(copy, file));
}

/**
 * Whether `file` holds a journal to read: false when it does not exist or is empty.
 * @throws {ConfigError} for a file that is not an hlcopy journal (its header).
 */
function journalToRead(file: string): boolean {
  if (!existsSync(file)) return false;
  checkHeader(file);
  return statSync(file).size > 0;
}

/**
 * The networks the journal at `file` has runs for, oldest first (Journal.networks), read as a
 * dry run's copy reads the file — never writing it, nor leaving a -wal beside it — without
 * copying the rest: a status naming another network's journal read a busy account's whole
 * journal into memory for one column.
 * @throws {ConfigError} naming the file when it is corrupt, foreign or from a newer hlcopy.
 * @throws {OperationalError} when it cannot be read.
 */
export function journalNetworks(file: string, busyTimeoutMs = 5000): string[] {
  const db = new DatabaseSync(":memory:");
  try {
    if (!journalToRead(file)) return [];
    let networks: string[] = [];
    readAttached(file, db, busyTimeoutMs, () => {
      inspectSchema(db, file, "source");
      networks = db
        .prepare("SELECT network FROM source.runs GROUP BY network ORDER BY MIN(id)")
        .all()
        .map((r) => str(r.network));
    });
    return networks;
  } catch (error) {
    throw journalError(file, "open", error);
  } finally {
    db.close();
  }
}

/**
 * Run `read` with the journal at `file` ATTACHed to `db` as `source`, in one read transaction
 * (one snapshot, what a running follow committed included), writing neither the file nor its
 * -wal, nor leaving a -wal or -shm beside a journal at rest. What `read` writes goes to `db`'s
 * main database, committed with it.
 */
function readAttached(file: string, db: DatabaseSync, busyTimeoutMs: number, read: () => void): void {
  const timeout = `PRAGMA busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`;
  // The ATTACHed file is opened read-write, and the last connection to close a WAL database
  // checkpoints its -wal into the file and removes the -wal and -shm. With a -wal that holds
  // commits (a running follow's, or one a crashed follow left) that checkpoint would write the
  // file, so a read-only guard connection checks the file first and keeps a read transaction —
  // a shared lock — open until the copy is detached: the attached connection is never the last
  // and only ever reads. The guard is not used for a journal at rest (no -wal, or an empty one):
  // a read-only connection creates the -wal and -shm it reads through but, never allowed to
  // remove them, leaves them behind. There the attached connection is the last to close, its
  // checkpoint has nothing to write, and it removes the -wal and -shm it created (a follow that
  // opens the file meanwhile keeps them: then the attached connection is not the last).
  // (Not the DatabaseSync `timeout` option: Node 22.13 ignores it.)
  const walInUse = existsSync(`${file}-wal`) && statSync(`${file}-wal`).size > 0;
  const guard = walInUse ? new DatabaseSync(file, { readOnly: true }) : null;
  try {
    guard?.exec(timeout);
    guard?.exec("BEGIN");
    // A foreign or newer file is never attached: checked by the guard, or (the file holding
    // everything: no -wal to read) in its header.
    if (guard) inspectSchema(guard, file);
    else inspectHeader(file);
    db.exec(timeout);
    db.prepare("ATTACH DATABASE ? AS source").run(file);
    try {
      db.exec("BEGIN");
      try {
        read();
        db.exec("COMMIT");
      } catch (error) {
        db.exec("ROLLBACK");
        throw error;
      }
    } finally {
      db.exec("DETACH DATABASE source");
    }
    guard?.exec("COMMIT");
  } finally {
    guard?.close();
  }
}

/** SQL for a quoted identifier. */
function sqlName(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * The rows of the file a run reads back, for the two tables it does not read whole: a dry run's
 * copy takes only these (a SQL condition each); every other table is copied whole. The plans and
 * the event log are the bulk of a journal — a sweep every 30 s journals ~1 KB of plan and 2–5 KB
 * of event, ~0.3–0.5 GB in the 30 days they are kept, whatever the leader does — and a run reads
 * none of the file's but the pauses `lastRun({ sizedBy })` looks for. What reads the rest (status,
 * report, journal) reads the file, never a copy (SqliteJournal#fileRows).
 */
const RUN_READS: Readonly<Record<string, string>> = {
  decisions: "0",
  events: "type = 'paused'",
  leader_fills: "0",
};

/** The body of copyJournal, inside its transaction: `source` (attached) into main. */
function copySchemaAndRows(db: DatabaseSync, file: string): void {
  // Checked again in the snapshot that is copied: a newer hlcopy may have migrated it meanwhile.
  const version = inspectSchema(db, file, "source");
  const appId = pragmaNumber(db, "source.application_id");
  // In creation order; SQLite's own objects (autoindexes, sqlite_sequence) come with the tables.
  const objects = db
    .prepare(
      "SELECT type, name, sql FROM source.sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid",
    )
    .all()
    .map((r) => ({ type: str(r.type), name: str(r.name), sql: str(r.sql) }));
  const tables = objects.filter((o) => o.type === "table");
  // The stored SQL carries no schema name: it creates the object in main. Indexes before the
  // rows (the transfer copies them too, faster than building them after), triggers after (a
  // table with a trigger is copied row by row, and firing them is not copying).
  for (const o of tables) db.exec(o.sql);
  for (const o of objects) if (o.type === "index") db.exec(o.sql);
  for (const o of tables) {
    const rows = RUN_READS[o.name];
    db.exec(
      `INSERT INTO main.${sqlName(o.name)} SELECT * FROM source.${sqlName(o.name)}${rows === undefined ? "" : ` WHERE ${rows}`}`,
    );
  }
  if (db.prepare("SELECT 1 FROM source.sqlite_master WHERE name = 'sqlite_sequence'").get()) {
    db.exec("INSERT INTO main.sqlite_sequence SELECT * FROM source.sqlite_sequence"); // AUTOINCREMENT's counters
  }
  for (const o of objects) if (o.type !== "table" && o.type !== "index") db.exec(o.sql);
  db.exec(`PRAGMA main.user_version = ${version}`);
  db.exec(`PRAGMA main.application_id = ${appId}`);
}

/** The inode of `file`, null when it cannot be read (goneFromPath then says nothing). */
function inodeOf(file: string): number | null {
  try {
    return statSync(file).ino;
  } catch {
    return null;
  }
}

/**
 * Write an in-memory journal to `file` (which must not exist, or be empty) and open it there.
 * On failure nothing is left behind: a file this call created is removed.
 * @throws {OperationalError} when another process created the file meanwhile; the fs/SQLite
 *   error when it cannot be written.
 */
function writeOut(memoryDb: DatabaseSync, file: string, busyTimeoutMs: number): DatabaseSync {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  let created = false;
  try {
    closeSync(openSync(file, "wx", 0o600));
    created = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    if (statSync(file).size > 0) {
      throw new OperationalError(
        `journal ${file} was created by another process while this run was starting`,
        {
          hint: "make sure only one hlcopy writes this account's journal, then run again",
          details: { file },
        },
      );
    }
  }
  let disk: DatabaseSync | undefined;
  try {
    // VACUUM INTO fills the empty 0600 file with a copy of everything, identity included.
    memoryDb.prepare("VACUUM INTO ?").run(file);
    disk = new DatabaseSync(file);
    configure(disk, false, busyTimeoutMs, file);
    return disk;
  } catch (error) {
    try {
      disk?.close();
    } catch {
      // already failing
    }
    if (created) for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
    throw error;
  }
}

// ─── Row decoding ───────────────────────────────────────────────────────────────────────

type Row = Record<string, SQLOutputValue>;

function sqlNumber(v: SQLOutputValue | undefined): number {
  return typeof v === "bigint" ? Number(v) : typeof v === "number" ? v : Number(v ?? Number.NaN);
}
function sqlNumberOrNull(v: SQLOutputValue | undefined): number | null {
  return v === null || v === undefined ? null : sqlNumber(v);
}
function str(v: SQLOutputValue | undefined): string {
  return typeof v === "string" ? v : String(v ?? "");
}
function strOrNull(v: SQLOutputValue | undefined): string | null {
  return v === null || v === undefined ? null : str(v);
}
function parseJson(v: SQLOutputValue | undefined): unknown {
  return typeof v === "string" ? JSON.parse(v) : null;
}
function toJson(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

function runRow(r: Row): RunRow {
  return {
    id: sqlNumber(r.id),
    command: str(r.command) as RunCommand,
    leaders: parseJson(r.leaders) as RunRow["leaders"],
    account: str(r.account) as Address,
    network: str(r.network),
    startedAt: sqlNumber(r.started_at),
    endedAt: sqlNumberOrNull(r.ended_at),
    exitCode: sqlNumberOrNull(r.exit_code),
    settings: parseJson(r.settings),
    pid: sqlNumberOrNull(r.pid),
  };
}
function decisionRow(r: Row): DecisionRow {
  return {
    id: sqlNumber(r.id),
    runId: sqlNumberOrNull(r.run_id),
    ts: sqlNumber(r.ts),
    trigger: str(r.trigger) as DecisionTrigger,
    coins: parseJson(r.coins) as string[],
    plan: parseJson(r.plan) as Plan,
    inSync: sqlNumber(r.in_sync) === 1,
    nActions: sqlNumber(r.n_actions),
    nSkipped: sqlNumber(r.n_skipped),
    ...(r.held === "paused" || r.held === "stopping" ? { held: r.held } : {}),
    ...(typeof r.leader_seen === "number" ? { leaderSeen: r.leader_seen } : {}),
  };
}
function orderRow(r: Row): OrderRow {
  return {
    id: sqlNumber(r.id),
    runId: sqlNumberOrNull(r.run_id),
    ts: sqlNumber(r.ts),
    cloid: str(r.cloid),
    coin: str(r.coin),
    side: str(r.side) as Side,
    size: sqlNumber(r.size),
    limitPx: sqlNumber(r.limit_px),
    reduceOnly: sqlNumber(r.reduce_only) === 1,
    reason: str(r.reason) as ReasonCode,
    request: parseJson(r.request),
    status: str(r.status) as JournalOrderStatus,
    oid: sqlNumberOrNull(r.oid),
    filledSize: sqlNumber(r.filled_size),
    avgPx: sqlNumberOrNull(r.avg_px),
    reply: parseJson(r.reply),
    error: strOrNull(r.error),
    leaderPx: sqlNumberOrNull(r.leader_px),
    kind: (strOrNull(r.kind) as OrderKind | null) ?? null,
    touchPx: sqlNumberOrNull(r.touch_px),
    updatedAt: sqlNumber(r.updated_at),
  };
}
function fillRow(r: Row): FillRow {
  return {
    id: sqlNumber(r.id),
    runId: sqlNumberOrNull(r.run_id),
    tid: sqlNumberOrNull(r.tid),
    ts: sqlNumber(r.ts),
    coin: str(r.coin),
    side: str(r.side) as Side,
    px: sqlNumber(r.px),
    sz: sqlNumber(r.sz),
    fee: sqlNumber(r.fee),
    cloid: strOrNull(r.cloid),
    oid: sqlNumberOrNull(r.oid),
    closedPnl: sqlNumberOrNull(r.closed_pnl),
    leaderPx: sqlNumberOrNull(r.leader_px),
    slippageBps: sqlNumberOrNull(r.slippage_bps),
    execSlippageBps: sqlNumberOrNull(r.exec_slippage_bps),
    kind: (strOrNull(r.kind) as OrderKind | null) ?? null,
    lagMs: sqlNumberOrNull(r.lag_ms),
    copySz: sqlNumberOrNull(r.copy_sz),
    origin: (strOrNull(r.origin) as FillOrigin | null) ?? null,
  };
}
function fundingRow(r: Row): FundingRow {
  return {
    id: sqlNumber(r.id),
    runId: sqlNumberOrNull(r.run_id),
    ts: sqlNumber(r.ts),
    coin: str(r.coin),
    usdc: sqlNumber(r.usdc),
    szi: sqlNumberOrNull(r.szi),
    rate: sqlNumberOrNull(r.rate),
    hash: strOrNull(r.hash),
    copyUsdc: sqlNumberOrNull(r.copy_usdc),
  };
}
function equityRow(r: Row): EquityRow {
  return {
    ts: sqlNumber(r.ts),
    accountValue: sqlNumber(r.account_value),
    hwm: sqlNumber(r.hwm),
    scale: sqlNumberOrNull(r.scale) ?? 1,
    cash: sqlNumberOrNull(r.cash),
    pending: sqlNumberOrNull(r.pending) ?? 0,
  };
}

function cashFlowRow(r: Row): CashFlowRow {
  return { time: sqlNumber(r.ts), usd: sqlNumber(r.usd), kind: str(r.kind), hash: str(r.hash) };
}
function haltRow(r: Row): HaltRow {
  return {
    id: sqlNumber(r.id),
    ts: sqlNumber(r.ts),
    kind: str(r.kind) as HaltKind,
    reason: str(r.reason),
    details: parseJson(r.details) as Record<string, unknown> | null,
    clearedAt: sqlNumberOrNull(r.cleared_at),
  };
}
function eventRow(r: Row): EventRow {
  return {
    id: sqlNumber(r.id),
    ts: sqlNumber(r.ts),
    runId: sqlNumberOrNull(r.run_id),
    type: str(r.type),
    coin: strOrNull(r.coin),
    data: parseJson(r.data),
  };
}

// ─── The journal ────────────────────────────────────────────────────────────────────────

const RESOLVED = "('filled', 'rejected', 'cancelled', 'paper')";
const UNRESOLVED = "('pending', 'sent', 'uncertain')";

/** The statuses of an order still open (migration 10 indexes them): its outcome unknown, or resting. */
const OPEN_ORDER_STATUSES: readonly JournalOrderStatus[] = [...UNRESOLVED_ORDER_STATUSES, "resting"];
/** The partial index orders_open's condition, as SQLite must see it to use it (in its order). */
const OPEN_ORDERS = `status IN (${OPEN_ORDER_STATUSES.map((s) => `'${s}'`).join(", ")})`;

/**
 * Journal.ordersInState's query (its one parameter: the statuses as a JSON array). For open
 * statuses only (every caller's) it repeats the partial index's condition word for word, which
 * is how SQLite knows it may use it (migration 10) instead of reading every order the account
 * ever sent. Exported for its test of the query plan.
 */
export function ordersInStateSql(statuses: readonly JournalOrderStatus[]): string {
  const open = statuses.every((s) => OPEN_ORDER_STATUSES.includes(s));
  return `SELECT * FROM orders WHERE ${open ? `${OPEN_ORDERS} AND ` : ""}status IN (SELECT value FROM json_each(?))
          ORDER BY ts, id`;
}

/**
 * Rows not recorded by a dry run (one an older hlcopy journaled), per table: the run itself, and
 * what carries its id. Halts carry no run (a dry run never recorded one).
 */
const NOT_DRY_RUN: Record<JournalTable, string> = {
  runs: "command <> 'dry-run'",
  decisions: "(run_id IS NULL OR run_id NOT IN (SELECT id FROM runs WHERE command = 'dry-run'))",
  orders: "(run_id IS NULL OR run_id NOT IN (SELECT id FROM runs WHERE command = 'dry-run'))",
  fills: "(run_id IS NULL OR run_id NOT IN (SELECT id FROM runs WHERE command = 'dry-run'))",
  funding: "(run_id IS NULL OR run_id NOT IN (SELECT id FROM runs WHERE command = 'dry-run'))",
  halts: "1",
  events: "(run_id IS NULL OR run_id NOT IN (SELECT id FROM runs WHERE command = 'dry-run'))",
};

/** The time column `--since` and the ordering use, per table. */
const TIME_COLUMN: Record<JournalTable, string> = {
  runs: "started_at",
  decisions: "ts",
  orders: "ts",
  fills: "ts",
  funding: "ts",
  halts: "ts",
  events: "ts",
};

/**
 * How long a record told after the fact waits for its commit (ms). Since intents go to the
 * intent log, no commit is on the path from a leader's fill to our order: a longer window only
 * makes commits fewer, and what another process or a crash misses longer (never an intent: a
 * restart looks the order up and reads our fills back). 20 → 250 ms: −7 % CPU per copied order
 * at 10 copies/s. 250 → 1 000 ms (one commit per ~11 orders at 10 a second): in 8 alternating
 * pairs each, CPU per copied order lower in 6 (in-process, medians 5.03 vs 5.34 ms) and 5
 * (the real command, 4.80 vs 5.40), and the frame → order p99 lower in 7 (3.03 vs 4.31 ms: fewer
 * commits on the main thread for a leader's frame to wait behind). bench/HISTORY.md 2026-12-04.
 */
export const GROUP_COMMIT_MS = 1_000;
/**
 * How long a sending run's journal waits for a lock another process holds before the write
 * counts as busy (OpenJournalOptions.busyTimeoutMs; other commands wait 5 s). Every statement
 * runs on the event loop: a wait blocks the run — its streams, its other coins — for as long.
 * hlcopy's own writers (resume, status closing) hold it for milliseconds; anything longer is
 * a busy spell the run outlives (SqliteJournal #busyHit).
 */
export const RUN_BUSY_TIMEOUT_MS = 200;
/** How often a busy journal (another program holds it) is tried again while records wait. */
export const BUSY_RETRY_MS = 1_000;

/**
 * Group commit. A commit costs more than the row it carries (~85 µs of the ~120 µs an insert
 * took between orders here, with cold caches: it writes the WAL frame and the shared index), and
 * an order used to pay four of them. Records told after the fact — a decision, an order's
 * result, a fill, an event, funding, equity — are written at once (this connection reads them
 * back at once) but committed together: with the next write that must be on disk before it
 * returns (an order's intent, which the send waits for; a halt; a run's start or end; a copy
 * state), before a batch, a checkpoint or close, and at most `groupCommitMs` after the first.
 * With `intentLog` (the run that sends) an intent is not committed on the hot path either: it
 * is appended to the intent log (on disk as surely as a commit here: synchronous=NORMAL reaches
 * the OS, not the platter), inserted after the send or before any statement that could read it,
 * and committed with the group; each commit empties the log.
 * Other processes (`hlcopy status`, `hlcopy journal`) see them that much later; a crash loses
 * at most that window of after-the-fact records — never an intent: an order's result left
 * behind is looked up by its cloid on the next start, a fill comes back in the fills replayed on
 * (re)subscribe. A commit that fails on the timer is reported by the next write.
 */
class SqliteJournal implements Journal {
  readonly path: string;
  readonly id: string;
  #db: DatabaseSync;
  /** In memory while the file does not exist yet: "on-record" writes it out at the first record. */
  #deferred: "on-record" | null;
  readonly #busyTimeoutMs: number;
  readonly #statements = new Map<string, StatementSync>();
  #open = true;
  #batchDepth = 0;
  /** Written since the last checkpoint. */
  #dirty = false;
  /** Written at all: a connection that only read skips the checkpoint on close. */
  #wrote = false;
  #timer: NodeJS.Timeout | undefined;
  readonly #groupMs: number;
  /** While records wait for their commit: the transaction is open and this commits it. */
  #group: NodeJS.Timeout | undefined;
  /** When (performance.now()) the open group's timer commits it. */
  #groupDueAt = 0;
  /** A group commit that failed on its timer, for the next write to report. */
  #groupError: unknown;
  /** Whether intents go to the log (OpenJournalOptions.intentLog) once the file is on disk. */
  readonly #logIntents: boolean;
  /** The intent log, opened when the first intent is logged. */
  #intentLog: IntentLog | null = null;
  /** Logged, not yet inserted: inserted before any other statement runs, or right after the send. */
  #pendingIntents: IntentRow[] = [];
  /** Their cloids: an intent the journal holds, even only in the log, is never recorded twice. */
  readonly #pendingCloids = new Set<string>();
  /** Inserted in the open group, not yet committed: the log keeps them until the commit. */
  #uncommittedIntents: IntentRow[] = [];
  #flushScheduled = false;
  /** A dry run's copy: the file it copies (refresh reads it again); null for any other journal. */
  readonly #copyOf: string | null;
  /** The copy journaled an order of its own (refresh then keeps its orders). */
  #ownOrders = false;
  /** The run's newest state-change record (recordStateChange). */
  #lastChange: { id: number; runId: number | null } | undefined;
  /** What is recorded is held in one transaction (hold): kept or dropped as a whole. */
  #held = false;
  /** A record worth keeping came while held: an "on-record" journal goes to disk when it is kept. */
  #keepWanted = false;
  /**
   * Since when another program has held the journal (a write found it busy), null when not.
   * Meanwhile writes wait for no lock (busy_timeout 0: nothing blocks for seconds) and records
   * told after the fact wait in #backlog; #busyRetry tries again until one commit goes through.
   */
  #busySince: number | null = null;
  /** Records told after the fact that found the journal busy, in order: written once it frees. */
  #backlog: [sql: string, params: SQLInputValue[]][] = [];
  #busyRetry: NodeJS.Timeout | undefined;
  #busyListener: ((state: JournalBusyState) => void) | undefined;
  /** The inode of the file at `path` this connection opened (goneFromPath); null when not on disk. */
  #inode: number | null = null;

  constructor(
    db: DatabaseSync,
    path: string,
    checkpointIntervalMs: number,
    busyTimeoutMs: number,
    groupCommitMs: number,
    options: { deferred?: "on-record"; intentLog?: boolean; copyOf?: string } = {},
  ) {
    this.#copyOf = options.copyOf ?? null;
    this.#groupMs = groupCommitMs;
    this.#db = db;
    this.path = path;
    this.#deferred = options.deferred ?? null;
    this.#logIntents = options.intentLog === true;
    this.#busyTimeoutMs = busyTimeoutMs;
    this.id = str(db.prepare("SELECT value FROM meta WHERE key = 'journal_id'").get()?.value);
    if (path !== ":memory:" && this.#deferred === null && this.#copyOf === null) this.#inode = inodeOf(path);
    if (!/^[0-9a-f]{32}$/.test(this.id)) throw notAJournal(path, "has no valid identity (meta.journal_id)");
    if (checkpointIntervalMs > 0) {
      this.#timer = setInterval(() => this.checkpoint(), checkpointIntervalMs);
      this.#timer.unref(); // never keeps the process alive
    }
  }

  /**
   * A record worth keeping is about to be written: a journal still in memory ("on-record")
   * goes to disk now, with everything recorded so far. Outside any transaction by design.
   */
  #keep(): void {
    if (this.#deferred !== "on-record") return;
    if (this.#held) {
      this.#keepWanted = true; // written out if what is held is kept (keepHeld)
      return;
    }
    this.#settle(); // VACUUM INTO cannot run inside a transaction
    let disk: DatabaseSync;
    try {
      disk = writeOut(this.#db, this.path, this.#busyTimeoutMs);
    } catch (error) {
      throw journalError(this.path, "create", error);
    }
    this.#statements.clear();
    this.#db.close();
    this.#db = disk;
    this.#deferred = null;
    this.#inode = inodeOf(this.path);
  }

  /** Prepared once per SQL text and reused: the hot path never re-parses SQL. */
  #stmt(sql: string): StatementSync {
    let s = this.#statements.get(sql);
    if (!s) {
      s = this.#db.prepare(sql);
      this.#statements.set(sql, s);
    }
    return s;
  }

  // Every statement goes through these four: a disk or database error (full, read-only,
  // locked by another program, corrupt page) leaves as the one clear error naming the file.

  /** A write, committed (with any records waiting) before it returns; the number of rows changed. */
  #run(sql: string, ...params: SQLInputValue[]): number {
    const changes = this.#later(false, sql, params, true) as number;
    this.#settle();
    return changes;
  }
  /** A write with RETURNING, committed before it returns. */
  #write(sql: string, ...params: SQLInputValue[]): Row | undefined {
    const row = this.#later(true, sql, params, true) as Row | undefined;
    this.#settle();
    return row;
  }
  /**
   * A record told after the fact: written now, committed with the group (see the class). With
   * the journal busy it waits in memory (#backlog) and counts as written (1 row): what the
   * caller reads back of it is its own. `now`: a write that must commit before it returns
   * (#run) throws the busy error instead.
   */
  #runLater(sql: string, ...params: SQLInputValue[]): number {
    return this.#later(false, sql, params) as number;
  }
  /** The same with RETURNING (undefined when it waits in memory). */
  #writeLater(sql: string, ...params: SQLInputValue[]): Row | undefined {
    return this.#later(true, sql, params) as Row | undefined;
  }
  #later(returning: boolean, sql: string, params: SQLInputValue[], now = false): number | Row | undefined {
    this.#dirty = true;
    this.#wrote = true;
    if (!this.#openGroup()) {
      if (now) throw this.#busyError();
      this.#backlog.push([sql, params]);
      return returning ? undefined : 1;
    }
    try {
      return returning ? this.#stmt(sql).get(...params) : Number(this.#stmt(sql).run(...params).changes);
    } catch (error) {
      if (this.#busyHit(error) && !now) {
        this.#backlog.push([sql, params]);
        return returning ? undefined : 1;
      }
      throw journalError(this.path, "write", error);
    }
  }
  /**
   * The group open (a transaction the timer commits), the logged intents and what waited in
   * memory inserted into it. False while the journal is busy (nothing inserted: they wait);
   * only #busyRetry tries the lock during a spell, so a spell costs the hot path nothing.
   */
  #openGroup(retry = false): boolean {
    this.#reportGroupError();
    if (this.#busySince !== null && !retry && this.#spellMayWait()) return false;
    if (!this.#beginGroup()) return false;
    try {
      this.#insertIntents();
    } catch (error) {
      if (this.#busyHit(error)) return false;
      throw error;
    }
    while (this.#backlog.length > 0) {
      const [sql, params] = this.#backlog[0] as [string, SQLInputValue[]];
      try {
        this.#stmt(sql).run(...params);
      } catch (error) {
        if (this.#busyHit(error)) return false;
        this.#backlog.shift(); // a record the journal refuses for another reason is not tried forever
        throw journalError(this.path, "write", error);
      }
      this.#backlog.shift();
    }
    return true;
  }
  /**
   * The group's transaction begun, unless one is open (or a batch is): BEGIN IMMEDIATE takes
   * the write lock at once — what the group's first write would take anyway — so an open
   * group is ours to write and commit, and a busy journal is met here, before anything is
   * written (false: the spell begun, see #busyHit).
   */
  #beginGroup(): boolean {
    if (this.#group !== undefined || this.#groupMs <= 0 || this.#batchDepth > 0) return true;
    try {
      this.#db.exec("BEGIN IMMEDIATE");
    } catch (error) {
      if (this.#busyHit(error)) return false;
      throw journalError(this.path, "write", error);
    }
    this.#groupDueAt = performance.now() + this.#groupMs;
    this.#group = setTimeout(() => {
      try {
        this.#settle();
      } catch (error) {
        this.#groupError = error;
      }
    }, this.#groupMs);
    this.#group.unref(); // close() commits what is left
    return true;
  }
  /** Only group writes wait out a spell; a batch (hold, batch()) is one transaction, all or nothing. */
  #spellMayWait(): boolean {
    return this.#groupMs > 0 && this.#batchDepth === 0;
  }
  /**
   * A statement of the group found the journal busy: a spell begins (said once, to the
   * listener). The group is rolled back: nothing of ours is in it (a write of ours would hold
   * the write lock, and no other program could have taken it), and a transaction that read
   * cannot take the lock after another's commit (SQLITE_BUSY_SNAPSHOT) until it ends.
   * False (nothing done) for any other error, or a write that cannot wait (a batch).
   */
  #busyHit(error: unknown): boolean {
    const raw = error instanceof Error && "exitCode" in error ? (error as { cause?: unknown }).cause : error;
    if (storeErrorKind(raw) !== "busy" || !this.#spellMayWait()) return false;
    if (this.#group !== undefined) {
      clearTimeout(this.#group);
      this.#group = undefined;
      try {
        this.#db.exec("ROLLBACK");
      } catch {
        // no transaction left
      }
      this.#rolledBack();
    }
    if (this.#busySince === null) {
      this.#busySince = Date.now();
      this.#busyTimeout(0);
      this.#busyListener?.({ busy: true, since: this.#busySince, kept: this.#kept() });
    }
    if (this.#busyRetry === undefined && this.#open) {
      this.#busyRetry = setInterval(() => this.#retryBusy(), BUSY_RETRY_MS);
      this.#busyRetry.unref();
    }
    return true;
  }
  /** A spell's retry: what waits is committed, or (nothing waits) the write lock taken and given back. */
  #retryBusy(): void {
    if (!this.#open || this.#busySince === null) return;
    try {
      if (this.#kept() > 0) {
        this.#settle(true);
        return;
      }
      if (this.#group !== undefined || this.#batchDepth > 0) return;
      this.#db.exec("BEGIN IMMEDIATE");
      this.#db.exec("ROLLBACK");
      this.#busyOver(0);
    } catch (error) {
      if (error instanceof JournalBusyError || storeErrorKind(error) === "busy") return; // still held
      this.#groupError = error; // told by the next write
    }
  }
  /** What waits for the journal to free: intents logged, records in memory. */
  #kept(): number {
    return this.#pendingIntents.length + this.#backlog.length;
  }
  #busyError(): JournalBusyError {
    return new JournalBusyError(`journal ${this.path} is locked by another program`, {
      hint: "another process holds it in a long transaction: a follow or reconcile waiting at its review or passphrase prompt (answer it there), or a SQLite browser or backup tool (close it)",
      details: { file: this.path, busySince: this.#busySince },
    });
  }
  #busyTimeout(ms: number): void {
    try {
      this.#db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(ms))}`);
    } catch {
      // a closed connection: nothing waits on it
    }
  }
  /** A commit went through during a spell: it ends (said once), writes wait for locks again. */
  #busyOver(written: number): void {
    if (this.#busySince === null) return;
    const since = this.#busySince;
    this.#busySince = null;
    clearInterval(this.#busyRetry);
    this.#busyRetry = undefined;
    this.#busyTimeout(this.#busyTimeoutMs);
    this.#busyListener?.({ busy: false, since, kept: written });
  }

  onBusy(listener: (state: JournalBusyState) => void): void {
    this.#busyListener = listener;
  }

  busySince(): number | null {
    return this.#busySince;
  }

  goneFromPath(): boolean {
    if (this.#inode === null || !this.#open) return false;
    try {
      return statSync(this.path).ino !== this.#inode;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === "ENOENT";
    }
  }
  #reportGroupError(): void {
    if (this.#groupError === undefined) return;
    const error = this.#groupError;
    this.#groupError = undefined;
    throw error;
  }
  /** The logged intents into the open group (or batch): every statement after them sees them. */
  #insertIntents(): void {
    const rows = this.#pendingIntents;
    if (rows.length === 0) return;
    this.#pendingIntents = [];
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as IntentRow;
      try {
        this.#stmt(INSERT_INTENT).run(...row);
      } catch (error) {
        this.#pendingIntents = rows.slice(i); // still logged: tried again, or taken in next run
        throw journalError(this.path, "write", error);
      }
      this.#uncommittedIntents.push(row);
      this.#pendingCloids.delete(row[INTENT_CLOID] as string);
    }
  }
  /** A commit went through: what it held of the log is in the journal. */
  #committed(): void {
    this.#uncommittedIntents = [];
    if (this.#pendingIntents.length === 0) this.#intentLog?.clear();
  }
  /** A commit failed or was rolled back: its intents are still logged, to be inserted again. */
  #rolledBack(): void {
    if (this.#uncommittedIntents.length === 0) return;
    for (const row of this.#uncommittedIntents) this.#pendingCloids.add(row[INTENT_CLOID] as string);
    this.#pendingIntents = [...this.#uncommittedIntents, ...this.#pendingIntents];
    this.#uncommittedIntents = [];
  }
  /**
   * Commit the records waiting, if any. @throws {OperationalError} naming the file when it fails
   * (they are lost); {JournalBusyError} while another program holds it (they wait in memory).
   */
  #settle(retry = false): void {
    if (this.#kept() > 0) {
      const kept = this.#kept();
      if (!this.#openGroup(retry)) throw this.#busyError();
      if (this.#group === undefined) return;
      clearTimeout(this.#group);
      this.#group = undefined;
      this.#commit();
      this.#busyOver(kept);
      return;
    }
    if (this.#group === undefined) return;
    clearTimeout(this.#group);
    this.#group = undefined;
    this.#commit();
  }
  /**
   * COMMIT the open transaction. When that fails it is rolled back (a failed COMMIT may leave it
   * open; not `isTransaction`: Node 22.13 lacks it), its intents wait to be inserted again (the
   * log still holds them), and the error names the file.
   */
  #commit(): void {
    try {
      this.#db.exec("COMMIT");
    } catch (error) {
      try {
        this.#db.exec("ROLLBACK");
      } catch {
        // already failing (or no transaction is left): the first error is the one to report
      }
      this.#rolledBack();
      throw journalError(this.path, "write", error);
    }
    this.#committed();
  }
  #get(sql: string, ...params: SQLInputValue[]): Row | undefined {
    if (this.#pendingIntents.length > 0) this.#openGroup();
    try {
      return this.#stmt(sql).get(...params);
    } catch (error) {
      throw journalError(this.path, "read", error);
    }
  }
  #all(sql: string, ...params: SQLInputValue[]): Row[] {
    if (this.#pendingIntents.length > 0) this.#openGroup();
    try {
      return this.#stmt(sql).all(...params);
    } catch (error) {
      throw journalError(this.path, "read", error);
    }
  }
  /** #all's rows one at a time, as they are iterated: a long history never held in memory at once. */
  *#each(sql: string, ...params: SQLInputValue[]): Generator<Row> {
    if (this.#pendingIntents.length > 0) this.#openGroup();
    // Its own statement: a cached one would be reset under an iteration left half-way.
    let rows: Iterator<Row>;
    try {
      rows = this.#db.prepare(sql).iterate(...params);
    } catch (error) {
      throw journalError(this.path, "read", error);
    }
    for (;;) {
      let next: IteratorResult<Row>;
      try {
        next = rows.next();
      } catch (error) {
        throw journalError(this.path, "read", error);
      }
      if (next.done) return;
      yield next.value;
    }
  }
  #exec(sql: string): void {
    try {
      this.#db.exec(sql);
    } catch (error) {
      throw journalError(this.path, "write", error);
    }
  }

  startRun(p: StartRunParameters): number {
    // leader_trades = 1: its leader fills and decisions' leaderSeen are journaled (schema 13).
    const row = this.#write(
      `INSERT INTO runs (command, leaders, account, network, started_at, settings, pid, leader_trades)
       VALUES (?, ?, ?, ?, ?, ?, ?, 1) RETURNING id`,
      p.command,
      JSON.stringify(p.leaders),
      p.account.toLowerCase(),
      p.network,
      p.startedAt,
      toJson(p.settings ?? null),
      process.pid,
    );
    return sqlNumber(row?.id);
  }

  endRun(runId: number, result: { endedAt: number; exitCode: number }): void {
    this.#run(
      "UPDATE runs SET ended_at = ?, exit_code = ? WHERE id = ?",
      result.endedAt,
      result.exitCode,
      runId,
    );
  }

  hold(): void {
    // A dry run's copy is never written back: nothing to hold (and its refresh must ATTACH).
    if (this.#held || this.#copyOf !== null) return;
    if (this.#batchDepth > 0) throw new Error("journal.hold() inside a batch");
    this.#settle(); // what waits for its commit is not part of what is held
    this.#exec("BEGIN IMMEDIATE");
    // The hold is the outermost batch: records join it, nothing commits them on the way.
    this.#batchDepth++;
    this.#held = true;
  }

  keepHeld(): void {
    if (!this.#held) return;
    this.#held = false;
    this.#batchDepth--;
    const keep = this.#keepWanted;
    this.#keepWanted = false;
    this.#commit();
    if (keep) this.#keep();
  }

  dropHeld(): boolean {
    if (!this.#held) return false;
    this.#held = false;
    this.#batchDepth--;
    this.#keepWanted = false;
    try {
      this.#db.exec("ROLLBACK");
    } catch {
      // no transaction left (a failed statement ended it): nothing of it was committed either
    }
    this.#rolledBack();
    return true;
  }

  writeLockedElsewhere(): boolean {
    if (this.#copyOf !== null || this.#deferred !== null || this.path === ":memory:") return false;
    if (this.#batchDepth > 0 || this.#group !== undefined) return false;
    try {
      this.#db.exec("PRAGMA busy_timeout = 0");
      try {
        // Taken and given back with nothing written: no page of the file or its -wal changes.
        this.#db.exec("BEGIN IMMEDIATE");
        this.#db.exec("ROLLBACK");
        return false;
      } catch (error) {
        if (storeErrorKind(error) === "busy") return true;
        throw journalError(this.path, "read", error);
      }
    } finally {
      this.#db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(this.#busyTimeoutMs))}`);
    }
  }

  networks(): string[] {
    return this.#all("SELECT network FROM runs GROUP BY network ORDER BY MIN(id)").map((r) => str(r.network));
  }

  lastRun(options: { trading?: boolean; sizedBy?: boolean } = {}): RunRow | null {
    // Paused throughout: it journaled a pause when it began to act and never an unpause.
    const pausedThroughout = `EXISTS (SELECT 1 FROM events e WHERE e.run_id = runs.id AND e.type = 'paused'
                                  AND json_extract(e.data, '$.atStart') = 1)
      AND NOT EXISTS (SELECT 1 FROM events e WHERE e.run_id = runs.id AND e.type = 'paused'
                      AND json_extract(e.data, '$.paused') = 0)`;
    const r = options.trading
      ? this.#get(
          `SELECT * FROM runs WHERE command != 'dry-run'${options.sizedBy ? ` AND NOT (${pausedThroughout})` : ""}
           ORDER BY id DESC LIMIT 1`,
        )
      : this.#get("SELECT * FROM runs ORDER BY id DESC LIMIT 1");
    return r ? runRow(r) : null;
  }

  followedLeaders(): Address[] {
    return this.#all(
      `SELECT lower(json_extract(l.value, '$.address')) AS address FROM runs, json_each(runs.leaders) AS l
       GROUP BY 1 ORDER BY MIN(runs.id)`,
    ).map((r) => str(r.address) as Address);
  }

  unfinishedRuns(): RunRow[] {
    return this.#all(
      "SELECT * FROM runs WHERE ended_at IS NULL AND command <> 'dry-run' ORDER BY id DESC LIMIT 20",
    ).map(runRow);
  }

  recordDecision(p: RecordDecisionParameters): number {
    this.#keep();
    const row = this.#writeLater(
      `INSERT INTO decisions (run_id, ts, trigger, coins, plan, in_sync, n_actions, n_skipped, held, leader_seen)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      p.runId,
      p.ts,
      p.trigger,
      JSON.stringify(p.coins),
      JSON.stringify(p.plan),
      p.plan.inSync ? 1 : 0,
      p.plan.actions.length,
      p.plan.skipped.length,
      p.held ?? null,
      p.leaderSeen ?? null,
    );
    return sqlNumber(row?.id);
  }

  recordLeaderFill(p: LeaderFillRow): void {
    this.#runLater(
      "INSERT INTO leader_fills (run_id, seq, ts, leader, oid, coin) VALUES (?, ?, ?, ?, ?, ?)",
      p.runId,
      p.seq,
      p.ts,
      p.leader.toLowerCase(),
      p.oid,
      p.coin,
    );
  }

  tradeRuns(since: number, until: number): (RunRow & { leaderTradesKept: boolean })[] {
    return this.#all(
      `SELECT * FROM runs WHERE ${NOT_DRY_RUN.runs} AND started_at <= ? AND (ended_at IS NULL OR ended_at >= ?)
       ORDER BY id`,
      until,
      since,
    ).map((r) => ({ ...runRow(r), leaderTradesKept: sqlNumber(r.leader_trades) === 1 }));
  }

  leaderFillsOf(runId: number): LeaderFillRow[] {
    this.#fileRows("leaderFillsOf");
    return this.#all(
      "SELECT run_id, seq, ts, leader, oid, coin FROM leader_fills WHERE run_id = ? ORDER BY seq, id",
      runId,
    ).map((r) => ({
      runId: sqlNumber(r.run_id),
      seq: sqlNumber(r.seq),
      ts: sqlNumber(r.ts),
      leader: str(r.leader),
      oid: sqlNumber(r.oid),
      coin: str(r.coin),
    }));
  }

  tradeDecisionsOf(runId: number): TradeDecisionRow[] {
    this.#fileRows("tradeDecisionsOf");
    return this.#all(
      "SELECT id, ts, trigger, coins, held, leader_seen FROM decisions WHERE run_id = ? ORDER BY id",
      runId,
    ).map((r) => ({
      id: sqlNumber(r.id),
      ts: sqlNumber(r.ts),
      trigger: str(r.trigger) as DecisionTrigger,
      coins: parseJson(r.coins) as string[],
      held: r.held === "paused" || r.held === "stopping" ? r.held : null,
      leaderSeen: sqlNumberOrNull(r.leader_seen),
    }));
  }

  planOf(decisionId: number): Plan | null {
    this.#fileRows("planOf");
    const r = this.#get("SELECT plan FROM decisions WHERE id = ?", decisionId);
    if (!r) return null;
    try {
      return parseJson(r.plan) as Plan;
    } catch {
      return null;
    }
  }

  orderOutcome(
    cloid: string,
  ): { status: JournalOrderStatus; filledSize: number; error: string | null } | null {
    // Its fills journaled by cloid count too: a fill of an order left uncertain settles it (as the
    // views' tally takes it) though the order's row was never resolved.
    const r = this.#get(
      `SELECT status, error, max(filled_size, coalesce((SELECT sum(sz) FROM fills WHERE cloid = orders.cloid), 0)) AS filled
       FROM orders WHERE cloid = ?`,
      cloid,
    );
    if (!r) return null;
    return {
      status: str(r.status) as JournalOrderStatus,
      filledSize: sqlNumber(r.filled),
      error: typeof r.error === "string" ? r.error : null,
    };
  }

  recordOrderIntent(p: RecordOrderIntentParameters): boolean {
    // An order about to be sent: the run acts, and what it held is kept first — an intent is
    // never held (the exactly-once recovery reads it back after a crash).
    this.keepHeld();
    this.#keep();
    this.#ownOrders = true;
    const row = intentRow(p);
    // The run that sends: logged (one write call), inserted after the send (see IntentLog).
    if (this.#logIntents && this.#groupMs > 0 && this.#batchDepth === 0 && this.#deferred === null) {
      this.#reportGroupError();
      const cloid = p.action.cloid;
      if (this.#pendingCloids.has(cloid) || this.#holdsOrder(cloid)) return false;
      // The write lock is taken before the order leaves (the group the intent goes into after
      // the send): an intent the journal cannot take now — another program holds it — is not
      // logged, and its order is not sent (the run's reads of the journal would miss it).
      if ((this.#busySince !== null && this.#spellMayWait()) || !this.#beginGroup()) throw this.#busyError();
      this.#intentLog ??= new IntentLog(this.path);
      try {
        this.#intentLog.append(row);
      } catch (error) {
        throw journalError(this.path, "write", error);
      }
      this.#pendingIntents.push(row);
      this.#pendingCloids.add(cloid);
      this.#wrote = true;
      this.#dirty = true;
      // After this turn — by then the order has been signed and written — unless a statement
      // needs them first.
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        setImmediate(() => {
          this.#flushScheduled = false;
          if (!this.#open || this.#pendingIntents.length === 0) return;
          try {
            this.#openGroup();
          } catch (error) {
            this.#groupError = error;
          }
        });
      }
      return true;
    }
    return this.#run(INSERT_INTENT, ...row) === 1;
  }

  /** Whether the journal holds an order with this cloid, without inserting the logged intents. */
  #holdsOrder(cloid: string): boolean {
    try {
      return this.#stmt("SELECT 1 AS one FROM orders WHERE cloid = ?").get(cloid) !== undefined;
    } catch (error) {
      throw journalError(this.path, "read", error);
    }
  }

  updateOrder(cloid: string, u: OrderUpdate): boolean {
    this.#keep();
    return (
      this.#runLater(
        // Plain `?`, the status given twice: Node 22.13 cannot bind numbered parameters (?1).
        `UPDATE orders SET
           status = ?,
           oid = coalesce(?, oid),
           filled_size = coalesce(?, filled_size),
           avg_px = coalesce(?, avg_px),
           reply = coalesce(?, reply),
           error = coalesce(?, error),
           updated_at = ?
         WHERE cloid = ? AND NOT (status IN ${RESOLVED} AND ? IN ${UNRESOLVED})`,
        u.status,
        u.oid ?? null,
        u.filledSize ?? null,
        u.avgPx ?? null,
        toJson(u.reply),
        u.error ?? null,
        u.ts,
        cloid,
        u.status,
      ) === 1
    );
  }

  getOrder(cloid: string): OrderRow | null {
    const r = this.#get("SELECT * FROM orders WHERE cloid = ?", cloid);
    return r ? orderRow(r) : null;
  }

  ordersInState(statuses: readonly JournalOrderStatus[]): OrderRow[] {
    return this.#all(ordersInStateSql(statuses), JSON.stringify(statuses)).map(orderRow);
  }

  recordFill(p: RecordFillParameters): RecordFillResult {
    this.#keep();
    const oid = p.oid ?? null;
    let conflict: FillRow | null = null;
    if (p.tid !== null) {
      for (const row of this.#all("SELECT * FROM fills WHERE tid = ? ORDER BY id", p.tid).map(fillRow)) {
        if (row.oid === oid && row.ts === p.ts) {
          // This fill's identity: a replay when the figures agree, else a clash it cannot record.
          const same = row.coin === p.coin && row.side === p.side && row.px === p.px && row.sz === p.sz;
          return { recorded: false, conflict: same ? null : row, kind: row.kind, copySz: row.copySz };
        }
        // The trade's other side (a self-trade: same time and coin, the other order) is no clash.
        const otherSide = row.ts === p.ts && row.coin === p.coin && row.oid !== oid;
        if (!otherSide) conflict ??= row;
      }
    }
    // What the caller does not know comes from the order with the same cloid.
    const order =
      p.cloid && (p.leaderPx === undefined || p.touchPx === undefined || p.kind === undefined)
        ? this.#get("SELECT leader_px, touch_px, kind, reason FROM orders WHERE cloid = ?", p.cloid)
        : undefined;
    const leaderPx = p.leaderPx !== undefined ? p.leaderPx : sqlNumberOrNull(order?.leader_px);
    const touchPx = p.touchPx !== undefined ? p.touchPx : sqlNumberOrNull(order?.touch_px);
    const kind =
      p.kind !== undefined
        ? p.kind
        : ((strOrNull(order?.kind) as OrderKind | null) ?? (order ? kindOfReason(str(order.reason)) : null));
    // What the caller says is the copy's (core/pnl.ts copySizeOfFill); not said: all of a fill of
    // hlcopy's orders, none of anything else.
    const copySz =
      p.copySz !== undefined && p.copySz !== null
        ? Math.max(0, Math.min(p.sz, p.copySz))
        : kind !== null
          ? p.sz
          : 0;
    // Of a fill hlcopy did not place (its cloid names no order of ours), where it came from.
    const ours = kind !== null || (order !== undefined && order !== null);
    const origin: FillOrigin | null = ours ? null : (p.forced ?? "outside");
    const recorded =
      this.#runLater(
        `INSERT INTO fills (run_id, tid, ts, coin, side, px, sz, fee, cloid, oid, closed_pnl, leader_px,
                            slippage_bps, lag_ms, kind, exec_slippage_bps, copy_sz, origin)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT DO NOTHING`,
        p.runId ?? null,
        p.tid,
        p.ts,
        p.coin,
        p.side,
        p.px,
        p.sz,
        p.fee,
        p.cloid ?? null,
        oid,
        p.closedPnl ?? null,
        leaderPx,
        slippageBps(p.side, p.px, leaderPx),
        p.lagMs ?? null,
        kind,
        slippageBps(p.side, p.px, touchPx),
        copySz,
        origin,
      ) === 1;
    return { recorded, conflict, kind, copySz };
  }

  recordFunding(p: RecordFundingParameters): boolean {
    this.#keep();
    return (
      this.#runLater(
        `INSERT INTO funding (run_id, ts, coin, usdc, szi, rate, hash, copy_usdc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (ts, coin) DO NOTHING`,
        p.runId ?? null,
        p.ts,
        p.coin,
        p.usdc,
        p.szi ?? null,
        p.rate ?? null,
        p.hash ?? null,
        p.copyUsdc ?? null,
      ) === 1
    );
  }

  fillsSince(sinceMs: number): FillRow[] {
    return this.#all("SELECT * FROM fills WHERE ts >= ? ORDER BY id", sinceMs).map(fillRow);
  }

  *pnlFillsSince(sinceMs: number): Generator<PnlFillRow> {
    const rows = this.#each(
      "SELECT ts, coin, px, sz, fee, closed_pnl, kind, copy_sz FROM fills WHERE ts >= ? ORDER BY id",
      sinceMs,
    );
    for (const r of rows) {
      yield {
        ts: sqlNumber(r.ts),
        coin: str(r.coin),
        px: sqlNumber(r.px),
        sz: sqlNumber(r.sz),
        fee: sqlNumber(r.fee),
        closedPnl: sqlNumberOrNull(r.closed_pnl),
        kind: (strOrNull(r.kind) as OrderKind | null) ?? null,
        copySz: sqlNumberOrNull(r.copy_sz),
      };
    }
  }

  fundingSince(sinceMs: number): FundingRow[] {
    return this.#all("SELECT * FROM funding WHERE ts >= ? ORDER BY id", sinceMs).map(fundingRow);
  }

  lastFillTime(): number | null {
    return sqlNumberOrNull(this.#get("SELECT MAX(ts) AS ts FROM fills")?.ts);
  }

  lastFundingTime(): number | null {
    return sqlNumberOrNull(this.#get("SELECT MAX(ts) AS ts FROM funding")?.ts);
  }

  copyStart(): CopyStart | null {
    const run = this.#get(
      `SELECT coalesce((SELECT MAX(started_at) FROM runs WHERE command = 'paper'),
                       (SELECT MIN(started_at) FROM runs WHERE command <> 'dry-run')) AS since`,
    );
    const since = sqlNumberOrNull(run?.since);
    if (since === null) return null;
    const eq = this.#get("SELECT account_value FROM equity WHERE ts >= ? ORDER BY ts, id LIMIT 1", since);
    return { since, startEquity: sqlNumberOrNull(eq?.account_value) };
  }

  equitySince(fromMs: number, toMs = Number.MAX_SAFE_INTEGER): EquityRow[] {
    return this.#all(
      "SELECT ts, account_value, hwm, scale, cash, pending FROM equity WHERE ts >= ? AND ts <= ? ORDER BY ts, id",
      fromMs,
      toMs,
    ).map(equityRow);
  }

  ordersSince(sinceMs: number): OrderRow[] {
    return this.#all("SELECT * FROM orders WHERE ts >= ? ORDER BY ts, id", sinceMs).map(orderRow);
  }

  recordEquity(
    ts: number,
    accountValue: number,
    at: { scale?: number; cash?: number | null; pending?: number; peak?: Mark } = {},
  ): EquityRow {
    this.#keep();
    const scale = at.scale ?? this.cashFlowScale();
    // The last mark, scaled by the cash flows since it was recorded (core/safety.ts markAt).
    const last = this.#get("SELECT hwm, scale FROM equity ORDER BY id DESC LIMIT 1");
    const carried = last
      ? markAt({ value: sqlNumber(last.hwm), scale: sqlNumberOrNull(last.scale) ?? 1 }, scale)
      : 0;
    const row = {
      ts,
      account_value: accountValue,
      hwm: Math.max(accountValue, carried, at.peak ? markAt(at.peak, scale) : 0),
      scale,
      cash: at.cash ?? null,
      pending: at.pending ?? 0,
    };
    const r = this.#writeLater(
      `INSERT INTO equity (ts, account_value, hwm, scale, cash, pending) VALUES (?, ?, ?, ?, ?, ?)
       RETURNING ts, account_value, hwm, scale, cash, pending`,
      row.ts,
      row.account_value,
      row.hwm,
      row.scale,
      row.cash,
      row.pending,
    );
    // Waiting in memory (the journal busy): the row it will be.
    return equityRow(r ?? row);
  }

  resetHighWaterMark(ts: number, accountValue: number): EquityRow {
    this.#keep();
    const r = this.#write(
      "INSERT INTO equity (ts, account_value, hwm, scale, reset) VALUES (?, ?, ?, ?, 1) RETURNING ts, account_value, hwm, scale, cash, pending",
      ts,
      accountValue,
      accountValue,
      this.cashFlowScale(),
    );
    return equityRow(r ?? {});
  }

  recordCashFlows(
    flows: readonly (CashFlowRow & { factor?: number })[],
    runId: number | null = null,
  ): CashFlowRow[] {
    const fresh: CashFlowRow[] = [];
    for (const f of flows) {
      this.#keep();
      const added = this.#runLater(
        `INSERT INTO cash_flows (run_id, ts, usd, kind, hash, factor) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (hash, kind, ts, usd) DO NOTHING`,
        runId,
        f.time,
        f.usd,
        f.kind,
        f.hash,
        f.factor ?? 1,
      );
      if (added === 1) fresh.push({ time: f.time, usd: f.usd, kind: f.kind, hash: f.hash });
    }
    return fresh;
  }

  hasCashFlow(f: CashFlowRow): boolean {
    return (
      this.#get(
        "SELECT 1 AS found FROM cash_flows WHERE hash = ? AND kind = ? AND ts = ? AND usd = ?",
        f.hash,
        f.kind,
        f.time,
        f.usd,
      ) !== undefined
    );
  }

  cashFlowScale(): number {
    // A product over the rows (a handful: one per deposit or withdrawal), in JS: SQLite's math
    // functions (exp, ln) are not in every Node's build.
    return this.#all("SELECT factor FROM cash_flows ORDER BY id").reduce(
      (scale, r) => scale * (sqlNumberOrNull(r.factor) ?? 1),
      1,
    );
  }

  cashFlowsSince(sinceMs: number): CashFlowRow[] {
    return this.#all("SELECT * FROM cash_flows WHERE ts >= ? ORDER BY ts, id", sinceMs).map(cashFlowRow);
  }

  cashFlowTotal(): number {
    return sqlNumberOrNull(this.#get("SELECT SUM(usd) AS total FROM cash_flows")?.total) ?? 0;
  }

  lastCashFlowTime(): number | null {
    return sqlNumberOrNull(this.#get("SELECT MAX(ts) AS ts FROM cash_flows")?.ts);
  }

  cashFlowAnchor(): number | null {
    const reset = this.#get("SELECT ts FROM equity WHERE reset = 1 ORDER BY id DESC LIMIT 1");
    return sqlNumberOrNull(reset?.ts) ?? sqlNumberOrNull(this.#get("SELECT MIN(ts) AS ts FROM equity")?.ts);
  }

  highWaterMark(): number | null {
    return this.latestEquity()?.hwm ?? null;
  }

  latestEquity(): EquityRow | null {
    const r = this.#get(
      "SELECT ts, account_value, hwm, scale, cash, pending FROM equity ORDER BY id DESC LIMIT 1",
    );
    return r ? equityRow(r) : null;
  }

  dayStartEquity(utcDay: string, sinceMs?: number): Mark | null {
    const start = /^\d{4}-\d{2}-\d{2}$/.test(utcDay) ? Date.parse(`${utcDay}T00:00:00Z`) : Number.NaN;
    if (!Number.isFinite(start)) throw new RangeError(`utcDay must be YYYY-MM-DD, got "${utcDay}"`);
    const end = start + 86_400_000;
    const r = this.#get(
      "SELECT ts, account_value, scale FROM equity WHERE ts >= ? AND ts < ? ORDER BY ts, id LIMIT 1",
      Math.max(start, sinceMs ?? start),
      end,
    );
    if (!r) return null;
    const mark = { value: sqlNumber(r.account_value), scale: sqlNumberOrNull(r.scale) ?? 1 };
    return { ...mark, scale: mark.scale / this.#unscaledFlowsAfter(sqlNumber(r.ts), end) };
  }

  /**
   * The day of the upgrade to the factors (migration 8): its first snapshot was taken before it,
   * and the cash flows journaled after that snapshot but before the upgrade have no factor
   * (factor 1: an older hlcopy moved the marks by their amount, which the day's first snapshot
   * never was — it was moved when read). Their factors, worked out now as the run would have
   * (core/safety.ts flowFactors: E the equity of the last snapshot before each, less the cash
   * change it was still waiting for), so that day's start is scaled by every cash flow since it
   * as every later day's is. 1 for any snapshot taken after the upgrade.
   */
  #unscaledFlowsAfter(ts: number, end: number): number {
    const upgraded = sqlNumberOrNull(
      this.#get("SELECT applied_at FROM schema_migrations WHERE version = 8")?.applied_at,
    );
    if (upgraded === null || ts >= upgraded) return 1;
    const flows = this.#all(
      "SELECT ts, usd FROM cash_flows WHERE factor = 1 AND usd <> 0 AND ts > ? AND ts < ? ORDER BY ts, id",
      ts,
      Math.min(end, upgraded),
    );
    let product = 1;
    let since: { ts: number; equity: number } | null = null;
    for (const f of flows) {
      const at = sqlNumber(f.ts);
      const usd = sqlNumber(f.usd);
      const row = this.#get(
        "SELECT ts, account_value, pending FROM equity WHERE ts <= ? ORDER BY ts DESC, id DESC LIMIT 1",
        at,
      );
      if (!row) continue;
      // Flows after the same snapshot follow one another: each one's E has the ones before it.
      const rowTs = sqlNumber(row.ts);
      const equity: number =
        since !== null && since.ts === rowTs
          ? since.equity
          : sqlNumber(row.account_value) - (sqlNumberOrNull(row.pending) ?? 0);
      product *= flowFactor(equity, usd);
      since = { ts: rowTs, equity: equity + usd };
    }
    return product;
  }

  recordHalt(p: RecordHaltParameters): HaltRow {
    this.#keep();
    const r = this.#write(
      "INSERT INTO halts (ts, kind, reason, details) VALUES (?, ?, ?, ?) RETURNING *",
      p.ts,
      p.kind,
      p.reason,
      toJson(p.details),
    );
    return haltRow(r ?? {});
  }

  activeHalt(): HaltRow | null {
    const r = this.#get("SELECT * FROM halts WHERE cleared_at IS NULL ORDER BY ts DESC, id DESC LIMIT 1");
    return r ? haltRow(r) : null;
  }

  clearHalts(ts: number): number {
    return this.#run("UPDATE halts SET cleared_at = ? WHERE cleared_at IS NULL", ts);
  }

  recordEvent(p: RecordEventParameters): void {
    this.#keep();
    this.#runLater(
      "INSERT INTO events (ts, run_id, type, coin, data) VALUES (?, ?, ?, ?, ?)",
      p.ts,
      p.runId ?? null,
      p.type,
      p.coin ?? null,
      toJson(p.data),
    );
  }

  recordWarning(p: RecordWarningParameters): void {
    this.#keep();
    const data = toJson({ message: p.message, count: p.count, last: p.last });
    if (p.count <= 1) {
      this.#runLater(
        "INSERT INTO events (ts, run_id, type, coin, data) VALUES (?, ?, 'warning', NULL, ?)",
        p.first,
        p.runId,
        data,
      );
      return;
    }
    // Found by the (type, ts) index: the row keeps its first time.
    this.#runLater(
      `UPDATE events SET data = ? WHERE type = 'warning' AND ts = ? AND run_id = ?
         AND json_extract(data, '$.message') = ?`,
      data,
      p.first,
      p.runId,
      p.message,
    );
  }

  runWarnings(runId: number, since: number, newest: number): RunWarnings {
    this.#fileRows("runWarnings");
    const types = WARNING_EVENT_TYPES.map(() => "?").join(", ");
    // The run's start-up said its waits before its start (journaled at their own times: engine
    // saidAtSetUp), with the account's lock held: after the run before it started. Found by the
    // (type, ts) index from there.
    const before = sqlNumberOrNull(this.#get("SELECT MAX(started_at) AS t FROM runs WHERE id < ?", runId)?.t);
    const from = Math.min(since, before ?? 0);
    const rows = this.#all(
      `SELECT * FROM events WHERE type IN (${types}) AND ts >= ? AND run_id = ?`,
      ...WARNING_EVENT_TYPES,
      from,
      runId,
    ).map((r) => {
      const e = eventRow(r);
      const d = e.data !== null && typeof e.data === "object" ? (e.data as Record<string, unknown>) : {};
      const count = typeof d.count === "number" && d.count >= 1 ? d.count : 1;
      const last = typeof d.last === "number" ? d.last : e.ts;
      return { ...e, count, last };
    });
    rows.sort((a, b) => b.last - a.last || b.id - a.id);
    return {
      count: rows.reduce((n, r) => n + r.count, 0),
      rows: rows.length,
      newest: rows.slice(0, Math.max(0, newest)),
      oldest: rows.reduce<number | null>((t, r) => (t === null || r.ts < t ? r.ts : t), null),
    };
  }

  msToCommit(): number | null {
    return this.#group === undefined ? null : Math.max(0, this.#groupDueAt - performance.now());
  }

  recordStateChange(p: RecordEventParameters, replace: boolean): void {
    this.#keep();
    const runId = p.runId ?? null;
    const last = this.#lastChange;
    if (replace && last !== undefined && last.runId === runId) {
      const changed = this.#runLater(
        "UPDATE events SET ts = ?, data = ? WHERE id = ? AND type = ? AND run_id IS ?",
        p.ts,
        toJson(p.data),
        last.id,
        p.type,
        runId,
      );
      if (changed === 1) return;
    }
    const row = this.#writeLater(
      "INSERT INTO events (ts, run_id, type, coin, data) VALUES (?, ?, ?, ?, ?) RETURNING id",
      p.ts,
      runId,
      p.type,
      p.coin ?? null,
      toJson(p.data),
    );
    this.#lastChange = row ? { id: sqlNumber(row.id), runId } : undefined;
  }

  lastOrderId(): number {
    return sqlNumber(this.#get("SELECT COALESCE(MAX(id), 0) AS id FROM orders")?.id);
  }

  filledSince(orderId: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.#all(
      `SELECT coin, SUM(CASE side WHEN 'buy' THEN filled_size ELSE -filled_size END) AS size
       FROM orders WHERE id > ? AND filled_size > 0 GROUP BY coin`,
      orderId,
    )) {
      out[String(r.coin)] = Number(r.size);
    }
    return out;
  }

  recordManaged(ts: number, positions: Record<string, number>): void {
    this.#keep();
    this.#run("INSERT INTO managed_history (ts, positions) VALUES (?, ?)", ts, JSON.stringify(positions));
  }

  managedSnapshotAt(ts: number): { ts: number; positions: Record<string, number> } | null {
    const r =
      this.#get(
        "SELECT ts, positions FROM managed_history WHERE ts <= ? ORDER BY ts DESC, id DESC LIMIT 1",
        ts,
      ) ?? this.#get("SELECT ts, positions FROM managed_history ORDER BY ts, id LIMIT 1");
    return r
      ? { ts: sqlNumber(r.ts), positions: JSON.parse(str(r.positions)) as Record<string, number> }
      : null;
  }

  ownFillsBetween(after: number, before: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.#all(
      `SELECT coin, SUM(CASE side WHEN 'buy' THEN COALESCE(copy_sz, sz) ELSE -COALESCE(copy_sz, sz) END) AS size
       FROM fills WHERE kind IS NOT NULL AND ts > ? AND ts < ? GROUP BY coin`,
      after,
      before,
    )) {
      out[String(r.coin)] = Number(r.size);
    }
    return out;
  }

  getCopyState<T>(key: string): T | null {
    const r = this.#get("SELECT value FROM copy_state WHERE key = ?", key);
    return r ? (JSON.parse(String(r.value)) as T) : null;
  }

  setCopyState(key: string, value: unknown, ts: number): void {
    this.#keep();
    this.#run(
      `INSERT INTO copy_state (key, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      key,
      JSON.stringify(value),
      ts,
    );
  }

  copyMoments(since: number): CopyMoment[] {
    this.#fileRows("copyMoments");
    // The record as report read it whole: `after` (a sweep that sent orders) in place of the
    // record for the drift; a record that is not JSON (damaged) has no figures.
    const fields = `ts, type,
      CASE WHEN json_valid(data) THEN json_extract(data, '$.moment') END AS moment,
      CASE WHEN json_valid(data) THEN json_extract(data, '$.pnl.unrealisedUsd') END AS unrealised,
      CASE WHEN NOT json_valid(data) THEN NULL
           WHEN json_type(data, '$.after') IS NOT NULL AND json_type(data, '$.after') <> 'null'
             THEN coalesce(json_extract(data, '$.after.drift.driftUsd'), json_extract(data, '$.after.driftUsd'))
           ELSE coalesce(json_extract(data, '$.drift.driftUsd'), json_extract(data, '$.driftUsd')) END AS drift,
      CASE WHEN NOT json_valid(data) THEN NULL
           WHEN json_type(data, '$.after') IS NOT NULL AND json_type(data, '$.after') <> 'null'
             THEN coalesce(json_extract(data, '$.after.drift.outsideUsd'), json_extract(data, '$.after.outsideUsd'))
           ELSE coalesce(json_extract(data, '$.drift.outsideUsd'), json_extract(data, '$.outsideUsd')) END AS outside,
      CASE WHEN json_valid(data) THEN json_extract(data, '$.driftMaxUsd') END AS drift_max`;
    const copy = `type IN ('sweep', 'state') AND ${NOT_DRY_RUN.events}`;
    const before = this.#get(
      `SELECT ${fields} FROM events WHERE ${copy} AND ts < ?
         AND json_valid(data) AND json_type(data, '$.pnl.unrealisedUsd') IN ('integer', 'real')
       ORDER BY ts DESC, id DESC LIMIT 1`,
      since,
    );
    const rows = this.#all(`SELECT ${fields} FROM events WHERE ${copy} AND ts >= ? ORDER BY ts, id`, since);
    const num = (v: SQLOutputValue | undefined): number | null => (typeof v === "number" ? v : null);
    return (before ? [before, ...rows] : rows).map((r) => ({
      ts: sqlNumber(r.ts),
      type: str(r.type) === "sweep" ? "sweep" : "state",
      moment: typeof r.moment === "string" ? r.moment : null,
      unrealisedUsd: num(r.unrealised),
      driftUsd: num(r.drift),
      outsideUsd: num(r.outside),
      driftMaxUsd: num(r.drift_max) ?? num(r.drift),
    }));
  }

  lastSweep(): SweepInfo | null {
    this.#fileRows("lastSweep");
    // A sweep is journaled as a "sweep" event (engine) and/or a decision triggered by it.
    const ev = this.#get(
      `SELECT ts, data FROM events WHERE type = 'sweep' AND ${NOT_DRY_RUN.events}
       ORDER BY ts DESC, id DESC LIMIT 1`,
    );
    // Only a plan after that event can be the last sweep: the bound lets the ts index skip the
    // month of sweep plans before it (the whole table was read: ~0.2 s on a month's journal).
    const dec = this.#get(
      `SELECT ts, in_sync, plan FROM decisions WHERE trigger = 'sweep' AND ${NOT_DRY_RUN.decisions} AND ts >= ?
       ORDER BY ts DESC, id DESC LIMIT 1`,
      ev ? sqlNumber(ev.ts) : Number.MIN_SAFE_INTEGER,
    );
    if (ev && (!dec || sqlNumber(ev.ts) >= sqlNumber(dec.ts))) {
      const data = parseJson(ev.data);
      const raw = data && typeof data === "object" ? (data as Record<string, unknown>) : {};
      // A sweep that sent orders journals the drift it found before them, and as `after` what
      // they left: the latter is what remained.
      const after = raw.after;
      const d = after && typeof after === "object" ? { ...raw, ...(after as Record<string, unknown>) } : raw;
      // A follow's sweep keeps the header's figure in its drift report (`drift.outsideUsd`, as
      // copyMoments reads it); read only at the top, it was null for every sweep a run journaled.
      const report = d.drift && typeof d.drift === "object" ? (d.drift as Record<string, unknown>) : {};
      const outside = typeof d.outsideUsd === "number" ? d.outsideUsd : report.outsideUsd;
      return {
        ts: sqlNumber(ev.ts),
        inSync: typeof d.inSync === "boolean" ? d.inSync : null,
        driftUsd: typeof d.driftUsd === "number" ? d.driftUsd : null,
        outsideUsd: typeof outside === "number" ? outside : null,
        durationMs: typeof d.durationMs === "number" ? d.durationMs : null,
      };
    }
    if (dec) {
      const plan = parseJson(dec.plan) as Plan;
      // The plan's drift as every view judges it (core/drift.ts), so its figure is the header's.
      const drift = driftReport({
        targets: plan.targets ?? [],
        skipped: plan.skipped ?? [],
        actionCoins: (plan.actions ?? []).map((a) => a.coin),
      });
      return {
        ts: sqlNumber(dec.ts),
        inSync: sqlNumber(dec.in_sync) === 1,
        driftUsd: drift.driftUsd,
        outsideUsd: drift.outsideUsd,
        durationMs: null,
      };
    }
    return null;
  }

  slippageStats(sinceMs: number): DistributionStats {
    return this.#sample("slippage_bps", sinceMs, "copy");
  }

  execSlippageStats(sinceMs: number, kind?: OrderKind): DistributionStats {
    return this.#sample("exec_slippage_bps", sinceMs, kind);
  }

  execSlippageSamples(sinceMs: number): number[] {
    return this.#all(
      "SELECT exec_slippage_bps AS v FROM fills WHERE ts >= ? AND exec_slippage_bps IS NOT NULL ORDER BY ts, id",
      sinceMs,
    ).map((r) => sqlNumber(r.v));
  }

  lagStats(sinceMs: number): DistributionStats {
    return this.#sample("lag_ms", sinceMs, "copy");
  }

  fillCounts(sinceMs: number): FillCounts {
    const { byKind } = noFills();
    let total = 0;
    for (const r of this.#all(
      "SELECT kind, origin, COUNT(*) AS n FROM fills WHERE ts >= ? GROUP BY kind, origin",
      sinceMs,
    )) {
      const k = strOrNull(r.kind);
      const origin = strOrNull(r.origin);
      const n = sqlNumber(r.n);
      total += n;
      if (k === "copy" || k === "repair" || k === "join" || k === "safety" || k === "flatten") {
        byKind[k] += n;
        continue;
      }
      byKind.other += n;
      if (origin === "liquidation" || origin === "adl" || origin === "outside") byKind[origin] += n;
    }
    return { total, byKind };
  }

  #sample(
    column: "slippage_bps" | "exec_slippage_bps" | "lag_ms",
    sinceMs: number,
    kind?: OrderKind,
  ): DistributionStats {
    const rows = kind
      ? this.#all(
          `SELECT ${column} AS v FROM fills WHERE ts >= ? AND kind = ? AND ${column} IS NOT NULL`,
          sinceMs,
          kind,
        )
      : this.#all(`SELECT ${column} AS v FROM fills WHERE ts >= ? AND ${column} IS NOT NULL`, sinceMs);
    return distribution(rows.map((r) => sqlNumber(r.v)));
  }

  listEntries(params: ListEntriesParameters = {}): JournalEntry[] {
    const since = params.since ?? 0;
    const limit = params.limit === undefined ? 100 : Number.isFinite(params.limit) ? params.limit : -1;
    const tables = params.table ? [params.table] : JOURNAL_TABLES;
    if (tables.some((t) => RUN_READS[t] !== undefined)) this.#fileRows("listEntries");
    const entries: JournalEntry[] = [];
    for (const table of tables) {
      const ts = TIME_COLUMN[table];
      const types = table === "events" ? params.eventTypes : undefined;
      // A warning said again is its first time's row (recordWarning): one first said before
      // `since` and said again since is of the window too (each part found by its index).
      const span =
        table === "events" && since > 0
          ? {
              from: `(SELECT * FROM events WHERE ts >= ? UNION ALL SELECT * FROM events
                 WHERE type = 'warning' AND ts < ? AND json_extract(data, '$.last') >= ?) AS events`,
              where: "1",
              params: [since, since, since],
            }
          : { from: table, where: `${ts} >= ?`, params: [since] };
      const rows = this.#all(
        `SELECT * FROM ${span.from} WHERE ${span.where}${params.trading ? ` AND ${NOT_DRY_RUN[table]}` : ""}${
          types ? ` AND type IN (${types.map(() => "?").join(", ")})` : ""
        }
         ORDER BY ${ts} DESC, id DESC LIMIT ?`,
        ...span.params,
        ...(types ?? []),
        limit,
      );
      for (const r of rows) entries.push(toEntry(table, r));
    }
    // Newest `limit` across the tables, then oldest first so it reads like a log.
    const order = (e: JournalEntry) => JOURNAL_TABLES.indexOf(e.table);
    entries.sort((a, b) => b.ts - a.ts || order(b) - order(a) || b.id - a.id);
    return (limit < 0 ? entries : entries.slice(0, limit)).reverse();
  }

  read<T>(fn: () => T): T {
    if (this.#batchDepth > 0 || this.#held || this.#copyOf !== null) return fn();
    this.#settle(); // what waits is committed first: its own transaction
    try {
      this.#db.exec("BEGIN"); // deferred: the first read takes the snapshot, no write lock
    } catch (error) {
      throw journalError(this.path, "read", error);
    }
    this.#batchDepth++; // a batch inside joins it (and #settle waits for its end)
    try {
      return fn();
    } finally {
      this.#batchDepth--;
      try {
        this.#db.exec("COMMIT");
      } catch {
        // a read transaction has nothing to lose: the reads are done
      }
    }
  }

  batch<T>(fn: () => T): T {
    if (this.#batchDepth > 0) return fn();
    this.#keep(); // a batch is for records; the file cannot be written out inside one
    this.#settle(); // its own transaction: what waits is committed first
    this.#exec("BEGIN IMMEDIATE");
    this.#batchDepth++;
    try {
      const result = fn();
      this.#exec("COMMIT");
      this.#committed();
      return result;
    } catch (error) {
      try {
        this.#db.exec("ROLLBACK");
      } catch {
        // the transaction is already gone (a failed COMMIT): the first error is the one to report
      }
      this.#rolledBack();
      throw error;
    } finally {
      this.#batchDepth--;
    }
  }

  /**
   * A dry run's copy holds the file's plans and event log only as far as a run reads them back
   * (RUN_READS): a reader of the rest on a copy would see a journal that looks empty — a bug,
   * said at once rather than answered wrongly.
   */
  #fileRows(reader: string): void {
    if (this.#copyOf !== null) {
      throw new Error(`Journal.${reader} reads plans or events a dry run's copy leaves out: read the file`);
    }
  }

  refresh(): void {
    const file = this.#copyOf;
    if (file === null || this.#batchDepth > 0 || !existsSync(file) || statSync(file).size === 0) return;
    this.#settle(); // ATTACH cannot run inside a transaction
    const db = this.#db;
    try {
      // The running follow's intents not yet committed, read before its journal: one it commits
      // meanwhile (and takes off the log) is then in the file, never in neither. A log that
      // cannot be read is passed over: the check reads the file's orders alone, as it did.
      let logged: IntentRow[] = [];
      try {
        if (!this.#ownOrders) logged = readIntentLog(intentLogPath(file));
      } catch {
        // passed over (above)
      }
      readAttached(file, db, this.#busyTimeoutMs, () => {
        // A file another hlcopy migrated meanwhile (or the copy upgraded): its rows do not line up.
        if (pragmaNumber(db, "source.user_version") !== pragmaNumber(db, "main.user_version")) return;
        db.exec("INSERT OR REPLACE INTO main.copy_state SELECT * FROM source.copy_state");
        if (this.#ownOrders) return;
        // The file's orders as they are now, ids included: the managed snapshot counts the
        // fills of orders above the id it names.
        db.exec("DELETE FROM main.orders");
        db.exec("INSERT INTO main.orders SELECT * FROM source.orders");
        if (logged.length > 0) {
          const insert = db.prepare(INSERT_INTENT);
          for (const row of logged) insert.run(...row);
        }
      });
    } catch (error) {
      throw journalError(file, "read", error);
    }
  }

  pruneBefore(ts: number, limit?: number): { decisions: number; events: number } {
    // Orders, fills, equity, halts and runs are the trader's records and stay; the bulky
    // per-plan JSON and the event log are what grows without bound.
    // `where` with every `?` a `ts`.
    const old = (table: string, where: string): number => {
      const times = Array<number>(where.split("?").length - 1).fill(ts);
      return limit === undefined
        ? this.#run(`DELETE FROM ${table} WHERE ${where}`, ...times)
        : this.#run(
            `DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE ${where} ORDER BY ts LIMIT ?)`,
            ...times,
            limit,
          );
    };
    const decisions = old("decisions", "ts < ?");
    // The leader fills go with the plans that decided them (report replays both: core/leader-trades.ts).
    old("leader_fills", "ts < ?");
    // Sweeps are report's daily figures (the unrealised P&L a day ended on): past the retention,
    // each run keeps the last of each UTC day (a sweep every 30 s was ~14 MB a day, for ever).
    const thinned = `(type <> 'sweep' OR id IN (
        SELECT id FROM (
          SELECT id, ROW_NUMBER() OVER (
            PARTITION BY run_id, CAST(ts AS INTEGER) / ${DAY_MS} ORDER BY ts DESC, id DESC) AS nth
          FROM events WHERE type = 'sweep' AND ts < ?)
        WHERE nth > 1))`;
    // A warning is kept while it is still said (its row keeps its first time; a run going on for
    // longer than the retention counts its repeats there: recordWarning).
    const stillSaid = `NOT (type = 'warning' AND COALESCE(json_extract(data, '$.last'), 0) >= ?)`;
    const events = old("events", `ts < ? AND ${thinned} AND ${stillSaid}`);
    // What hlcopy managed then: the newest snapshot before `ts` stays (with the fills after it,
    // it says what hlcopy managed at any moment since).
    this.#run(
      `DELETE FROM managed_history WHERE ts < ?
         AND id <> (SELECT id FROM managed_history WHERE ts < ? ORDER BY ts DESC, id DESC LIMIT 1)`,
      ts,
      ts,
    );
    return { decisions, events };
  }

  checkpoint(): void {
    // During a busy spell what waits is committed by the spell's retry, not here.
    if (!this.#open || !this.#dirty || this.#batchDepth > 0 || this.#busySince !== null) return;
    try {
      this.#settle(); // a checkpoint cannot run inside a transaction
    } catch (error) {
      this.#groupError = error;
      return;
    }
    this.#dirty = false;
    try {
      this.#db.exec("PRAGMA wal_checkpoint(PASSIVE)");
    } catch {
      this.#dirty = true; // busy: try again next time
    }
  }

  close(): void {
    if (!this.#open) return;
    // A run that ends without keeping what it held was never confirmed: none of it stays.
    this.dropHeld();
    let lost: unknown;
    // Still busy at the end: one last try, waiting busyTimeoutMs for the lock (not on the hot
    // path any more); what still waits after it is lost, but for the logged intents (below).
    if (this.#busySince !== null) this.#busyTimeout(this.#busyTimeoutMs);
    try {
      this.#settle(true);
    } catch (error) {
      lost =
        error instanceof JournalBusyError && this.#backlog.length > 0
          ? new JournalBusyError(
              `${error.message}: ${this.#backlog.length} record(s) of this run could not be journaled`,
              { hint: error.hint, details: { ...error.details, lost: this.#backlog.length } },
            )
          : error;
    }
    this.#open = false;
    clearInterval(this.#busyRetry);
    this.#busyRetry = undefined;
    clearInterval(this.#timer);
    // Emptied by the last commit and removed; what it still holds (that commit failed) stays
    // for the next run to take in.
    this.#intentLog?.close();
    this.#statements.clear();
    if (this.#wrote) {
      try {
        // Fold the WAL back into the main file so a copied journal is self-contained; never
        // wait for another process using it to do so.
        this.#db.exec("PRAGMA busy_timeout = 0");
        this.#db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
      } catch {
        // Another process still uses it: the WAL is folded in by whoever closes last.
      }
    }
    this.#db.close();
    // The last records could not be committed: said, not swallowed (the file is closed anyway).
    if (lost !== undefined) throw lost;
  }
}

function toEntry(table: JournalTable, r: Row): JournalEntry {
  switch (table) {
    case "runs": {
      const run = runRow(r);
      return { table, ts: run.startedAt, ...run };
    }
    case "decisions":
      return { table, ...decisionRow(r) };
    case "orders":
      return { table, ...orderRow(r) };
    case "fills":
      return { table, ...fillRow(r) };
    case "funding":
      return { table, ...fundingRow(r) };
    case "halts":
      return { table, ...haltRow(r) };
    case "events":
      return { table, ...eventRow(r) };
  }
}
