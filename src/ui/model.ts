// The dashboard's view model: one pure reducer folds engine events and UI actions into a
// plain state object that every view renders from (the Ink dashboard, the line output, the
// demo summary). Every list in it is a bounded ring, so memory stays flat however long a
// run lasts. Statistics (means, quantiles) are computed by selectors at render time, not
// per event, so a fill storm costs a few array pushes per fill.

import {
  type DriftReport,
  type DriftStatus,
  driftClosing,
  driftPct,
  driftReport,
  type Freshness,
  leadersHold,
  leaderValueUsd,
  MIN_ORDER_USD,
  shownDrift,
  shownTarget,
  syncVerdict,
} from "../core/drift.js";
import { roundHalfAway, roundOrNull, shownColumn } from "../core/format.js";
import { LeaderTradeTally, type TRADE_FIGURE_FIELDS, tradeFigures } from "../core/leader-trades.js";
import { leverageAt, positionNotional } from "../core/leverage.js";
import { type CopyPnl, type PnlFigures, unrealisedOf } from "../core/pnl.js";
import { type OrderKind, type SlippageBudget, slippageBudget } from "../core/slippage.js";
import { finiteOrNull, RunSample } from "../core/stats.js";
import type { Address, CoinTarget, Position, ReasonCode, Side } from "../core/types.js";
import type { EngineEvent, EngineEventType, LeaderCopyView, RunMode } from "../engine/events.js";
import { describeEvent, type LogLevel } from "./describe.js";
import { fmtUsd, shownDrawdownPct } from "./format.js";

export type ModeLabel = "LIVE" | "DRY-RUN" | "PAPER" | "HALTED" | "STOPPED";
export type ConnectionState = "unknown" | "connecting" | "open" | "reconnecting" | "closed";

/** What the keys and the clock change: one action per change. */
export type UiAction =
  | { type: "ui/tick"; now: number }
  /** ?: open the help, turn to its next page of `pages` (default 1), or close it after the last. */
  | { type: "ui/helpToggled"; pages?: number }
  /** Esc: close the help. */
  | { type: "ui/helpClosed" }
  | { type: "ui/flattenAsked" }
  | { type: "ui/flattenCancelled" }
  | { type: "ui/flattenConfirmed" }
  | { type: "ui/pauseToggled" }
  | { type: "ui/sweepRequested" }
  | { type: "ui/quitRequested" }
  /** A line for the status bar, e.g. a control callback that failed. */
  | { type: "ui/noticed"; text: string };

export type DashboardInput = EngineEvent | UiAction;

export interface LogEntry {
  /** Monotonic across the run (not reset when the ring drops old entries). */
  seq: number;
  ts: number;
  type: EngineEventType;
  level: LogLevel;
  coin: string | null;
  text: string;
}

export interface PositionRow {
  coin: string;
  /**
   * The leader's size (signed) — with several leaders their net position, the sum of their own
   * sizes (CoinTarget.leaderSize) — and its value at the mid of the state's moment (the mid our
   * uPnL is valued at; core/drift.ts leaderValueUsd): null when no leader holds the coin.
   */
  leaderSize: number;
  leaderNotional: number | null;
  /** With several leaders: each holder's own size (CoinTarget.byLeader); absent with one. */
  byLeader?: { leader: Address; size: number }[];
  /** Null when the coin has no copy target: none planned, or a position left alone (core/drift.ts shownTarget). */
  targetSize: number | null;
  ourSize: number;
  /** (target − ours) × mid, signed; null without a target. */
  driftUsd: number | null;
  /** Drift as a percentage of the target's notional (core/drift.ts driftPct); null when undefined. */
  driftPct: number | null;
  /** The target is 0 and we hold some: drift % is undefined, the row shows "closing". */
  closing: boolean;
  deadbandUsd: number;
  /** The planner would act on this drift: an order is planned (drift status `drift`). */
  outsideDeadband: boolean;
  /** The coin's drift status (core/drift.ts): in-sync, held, drift, blocked, left-alone. */
  status: DriftStatus;
  /** The skip behind held / blocked / left-alone. */
  statusReason: ReasonCode | null;
  /** Unrealized PnL of our position at the mid. */
  upnl: number | null;
  /**
   * The coin's net P&L since the copy began (realised + unrealised − fees + funding) as shown, to
   * the cent: the rows' add up to the header's P&L (core/format.ts shownSum; no row is off by more
   * than a cent); null without P&L.
   */
  netPnl: number | null;
  /**
   * Our position's notional at the mid ÷ our equity (core/leverage.ts positionNotional): its share
   * of the header's lev, so the rows add up to it. Not the exchange's per-coin leverage setting.
   */
  leverage: number | null;
  mid: number | null;
  /** Our resting stop / take-profit trigger prices; absent when resting protection is off. */
  stopPx?: number | null;
  /** The nearest resting take-profit. */
  takeProfitPx?: number | null;
  /** More take-profit tiers resting beyond the nearest one (0 or absent: none). */
  moreTakeProfits?: number;
  /** entry-only: the leader reduced or closed and we keep the position (our own exits). */
  held?: boolean;
  /**
   * A coin the copy traded and holds no more, with nothing to hold: listed for its P&L (realised,
   * fees, funding) so the rows add up to the header's P&L. No drift figure, no uPnL.
   */
  closed?: boolean;
  /** risk.maxHoldHours: ms left until the time stop closes it (absent when off). */
  timeStopInMs?: number | null;
}

export interface SlipRow {
  ts: number;
  coin: string;
  side: Side;
  sz: number;
  px: number;
  /** Execution slippage (against the touch at decision). */
  bps: number;
  kind: OrderKind | null;
  lagMs: number | null;
}

export interface Counters {
  /** Our orders that filled (fully or partly, or on paper), of every kind: copies, joins, repairs, safety and flatten closes. */
  ordersFilled: number;
  /**
   * The leader's trades the run saw (core/leader-trades.ts: one leader order's fills), each in
   * exactly one bucket: leaderTrades = copiedTrades + inLineTrades + skippedTrades + missedTrades
   * + plannedTrades + inFlightTrades + unknownTrades.
   */
  leaderTrades: number;
  /** Copied: an order of ours planned for it filled (fully, in part, on paper); a merged burst is copied together. */
  copiedTrades: number;
  /** In line already: no order was needed (at target, inside the deadband). */
  inLineTrades: number;
  /** Not copied, by reason: the sum of `skipped`. */
  skippedTrades: number;
  /** Our order for it did not fill (IOC missed, refused, not sent). */
  missedTrades: number;
  /** A dry run's: an order was planned (it sends nothing). 0 in live and paper runs. */
  plannedTrades: number;
  /** Decided on with its order's result not in yet, or not decided on yet. */
  inFlightTrades: number;
  /** Our order for it was left uncertain (outcome not known) and nothing has resolved it since. */
  unknownTrades: number;
  leaderFills: number;
  decisions: number;
  /**
   * Orders the planner decided and did not hold back (a pause holds them): what a dry run would
   * have sent. A dry run fills each as paper does for its next plan, so none is counted twice
   * (a part the book would not fill is planned again, as a live run would send it again).
   */
  plannedActions: number;
  /** Order events with status "sent". */
  orders: number;
  fills: number;
  rejections: number;
  reconnects: number;
  sweeps: number;
  rateLimitWaits: number;
  /**
   * The leader's trades skipped, by reason (core/leader-trades.ts coinOutcome: the skip of its
   * coin in the decision that first planned on it). It sums to `skippedTrades`. A cap's cut
   * beside its order is no skip; in-sync and inside-deadband are "in line", not skips.
   */
  skipped: Partial<Record<ReasonCode, number>>;
}

export interface Capacities {
  /**
   * Event log entries kept. 0: none, and no `problem` either — a model kept for its figures
   * alone (the line output prints each event itself and reads the model only for the run's
   * summary: ui/view.ts), which then spends nothing describing events no one reads.
   */
  log: number;
  /** Samples kept for sparklines and the slippage budget (the last fills, equity). */
  series: number;
  /** Recent fills shown with their slippage. */
  recent: number;
}

export interface DashboardState {
  /** Latest time seen (event timestamps and clock ticks), ms. */
  now: number;
  startedAt: number | null;
  runMode: RunMode;
  leaders: { address: Address; weight: number }[];
  account: Address | null;
  network: string;
  /** recorded false: a dry run's own halt (memory only, see the halt event). */
  halt: { kind: string; reason: string; ts: number; recorded?: false } | null;
  /** Whole days left of the agent's approval (live runs with an expiring approval), else null. */
  agentDaysLeft: number | null;
  /** Per leader (several leaders or a per-leader rule on): followed or not, its copy, its breakers. */
  leaderCopy: LeaderCopyView[];
  paused: boolean;
  stopped: { reason: string; ts: number } | null;
  /** What the clean stop's on-exit step did (follow --on-exit), in its own words; null before it. */
  onExit: string | null;
  /**
   * The on-exit step could not be taken (its `error`: the exchange did not answer as the run
   * stopped): the last reading is from before it, so the end's drift has no verdict.
   */
  onExitFailed: boolean;
  equity: number | null;
  /** Our gross notional ÷ equity at the last state (core/leverage.ts grossLeverage); null before one. */
  leverage: number | null;
  /** risk.maxLeverage, the cap of `leverage` (null when not told). */
  maxLeverage: number | null;
  hwm: number | null;
  drawdownPct: number | null;
  connection: {
    state: ConnectionState;
    detail: string | null;
    since: number | null;
    lastMessageAt: number | null;
  };
  lastLagMs: number | null;
  /**
   * Every sample of the run the figures are taken over — copy lag and copy slippage of hot-path
   * copies, execution slippage of every fill — however long it runs (`status` reads the same
   * values back from the journal): mean, median, p95/p99 and n of the run, not of its last fills.
   */
  runSamples: { lag: RunSample; exec: RunSample; copy: RunSample };
  /**
   * The leader's trades, each in one bucket (core/leader-trades.ts), fed by the leaderFill,
   * decision and order events; Counters carries its figures. Kept in place.
   */
  trades: LeaderTradeTally;
  positions: PositionRow[];
  /**
   * `samples`: execution slippage (against the touch at decision) of the last `series` fills —
   * the sparkline's, and the window the slippage budget is judged over (as the engine's
   * SlippageWatch); `recent`: the last fills.
   */
  slippage: { recent: SlipRow[]; samples: number[] };
  /** exec.slippageBudgetBps (null = none): the p95 of `samples` is checked against it. */
  slippageBudgetBps: number | null;
  /** The copy's P&L from the latest state event. */
  pnl: CopyPnl | null;
  /** Drift of every coin and "in sync", from the latest state event (core/drift.ts). */
  drift: DriftReport | null;
  /** How fresh the data behind `drift` is (core/drift.ts syncVerdict); null before a state says. */
  freshness: Freshness | null;
  equitySeries: number[];
  lastEquitySampleAt: number | null;
  equitySampleMs: number;
  log: LogEntry[];
  logSeq: number;
  counters: Counters;
  lastSweep: { ts: number; inSync: boolean; driftUsd: number; outsideUsd: number; durationMs: number } | null;
  rateLimit: { until: number; detail: string } | null;
  /** The latest warning or error, for the status line (the log may have scrolled away). */
  problem: {
    ts: number;
    level: LogLevel;
    text: string;
    type: EngineEvent["type"];
    /** It tells of the halt (the halt, or a skip it made): over when the halt ends. */
    ofHalt?: boolean;
  } | null;
  ui: {
    help: boolean;
    /** The help's page shown (0 while it is closed). */
    helpPage: number;
    confirmFlatten: boolean;
    /** A pause/resume asked for with p, until the engine confirms it with a paused event. */
    pendingPause: boolean | null;
    quitting: boolean;
    /**
     * A key's acknowledgement on the footer. `of: "pause"` ends when the run takes the pause up;
     * `of: "flatten"` when its closes are done — the sweep that decided them under the halt
     * (`closing`) has ended — or when a warning or error says what went wrong instead.
     */
    notice: { text: string; ts: number; of?: "pause" | "flatten"; closing?: true } | null;
  };
  capacity: Capacities;
}

export interface DashboardInit {
  mode?: RunMode;
  leaders?: { address: Address; weight: number }[];
  account?: Address;
  network?: string;
  now?: number;
  /** Minimum spacing of equity samples for the equity sparkline (default 1 s). */
  equitySampleMs?: number;
  /** exec.slippageBudgetBps (default none; a slippageBudget event also sets it). */
  slippageBudgetBps?: number | null;
  /** risk.maxLeverage: the header shows our leverage against it. */
  maxLeverage?: number | null;
  capacity?: Partial<Capacities>;
}

/** Notices from key presses fade after this long. */
export const NOTICE_MS = 5_000;
/** A warning or error stays in the status line this long. */
export const PROBLEM_MS = 30_000;
/** The trade counters of `tally` (Counters). */
function tradeCounters(tally: LeaderTradeTally): TradeFigures & Pick<Counters, "skipped"> {
  const t = tradeFigures(tally.counts());
  return { ...t, skipped: t.skipped as Partial<Record<ReasonCode, number>> };
}

export function initialDashboardState(init: DashboardInit = {}): DashboardState {
  return {
    now: init.now ?? 0,
    startedAt: null,
    runMode: init.mode ?? "live",
    leaders: init.leaders ?? [],
    account: init.account ?? null,
    network: init.network ?? "",
    halt: null,
    agentDaysLeft: null,
    leaderCopy: [],
    paused: false,
    stopped: null,
    onExit: null,
    onExitFailed: false,
    equity: null,
    leverage: null,
    maxLeverage: init.maxLeverage ?? null,
    hwm: null,
    drawdownPct: null,
    connection: { state: "unknown", detail: null, since: null, lastMessageAt: null },
    lastLagMs: null,
    runSamples: { lag: new RunSample(), exec: new RunSample(), copy: new RunSample() },
    trades: new LeaderTradeTally({ ordersHeard: (init.mode ?? "live") !== "dry-run" }),
    positions: [],
    slippage: { recent: [], samples: [] },
    slippageBudgetBps: init.slippageBudgetBps ?? null,
    pnl: null,
    drift: null,
    freshness: null,
    equitySeries: [],
    lastEquitySampleAt: null,
    equitySampleMs: init.equitySampleMs ?? 1_000,
    log: [],
    logSeq: 0,
    counters: {
      ordersFilled: 0,
      leaderTrades: 0,
      copiedTrades: 0,
      inLineTrades: 0,
      skippedTrades: 0,
      missedTrades: 0,
      plannedTrades: 0,
      inFlightTrades: 0,
      unknownTrades: 0,
      leaderFills: 0,
      decisions: 0,
      plannedActions: 0,
      orders: 0,
      fills: 0,
      rejections: 0,
      reconnects: 0,
      sweeps: 0,
      rateLimitWaits: 0,
      skipped: {},
    },
    lastSweep: null,
    rateLimit: null,
    problem: null,
    ui: {
      help: false,
      helpPage: 0,
      confirmFlatten: false,
      pendingPause: null,
      quitting: false,
      notice: null,
    },
    capacity: { log: 200, series: 500, recent: 8, ...init.capacity },
  };
}

/** Append to a bounded ring (a new array; the old one is untouched). */
function push<T>(ring: readonly T[], item: T, cap: number): T[] {
  const start = ring.length + 1 > cap ? ring.length + 1 - cap : 0;
  const out = ring.slice(start);
  out.push(item);
  return out;
}

function withLog(state: DashboardState, event: EngineEvent): DashboardState {
  if (state.capacity.log === 0) return state;
  const line = describeEvent(event);
  if (!line) return state;
  const seq = state.logSeq + 1;
  const entry: LogEntry = {
    seq,
    ts: event.ts,
    type: event.type,
    level: line.level,
    coin: line.coin,
    text: line.text,
  };
  const ofHalt =
    event.type === "halt" ||
    (event.type === "decision" && event.plan.skipped.some((s) => s.reason === "halted"));
  const problem =
    line.level === "warn" || line.level === "error"
      ? { ts: event.ts, level: line.level, text: line.text, type: event.type, ...(ofHalt ? { ofHalt } : {}) }
      : state.problem;
  // In the order the run lived them, each at its own time (a stop that takes an on-exit step
  // is told when it begins: "stopping: …", the step, then "stop: …").
  return { ...state, log: push(state.log, entry, state.capacity.log), logSeq: seq, problem };
}

function notice(state: DashboardState, text: string, of?: "pause" | "flatten"): DashboardState {
  return { ...state, ui: { ...state.ui, notice: { text, ts: state.now, ...(of ? { of } : {}) } } };
}

/**
 * "flatten requested: closing reduce-only" while the flatten is underway, not after: a decision
 * made under the halt plans its closes, the end of that sweep (`sweep`) has them sent and told
 * (filled, or refused: their order lines say so); a warning or error (a sweep that failed: the
 * exchange down) is shown in its place, as is the end of the halt or of the run.
 */
function flattenNotice(state: DashboardState, e: EngineEvent): DashboardState["ui"]["notice"] {
  const n = state.ui.notice;
  if (n?.of !== "flatten") return n;
  switch (e.type) {
    case "decision":
      return state.halt ? { ...n, closing: true } : n;
    case "sweep":
      return n.closing ? null : n;
    case "warning":
    case "error":
    case "resume":
    case "stop":
      return null;
    default:
      return n;
  }
}

/** Position rows from a state event: targets joined with our positions, biggest first. */
export function buildPositionRows(
  targets: readonly CoinTarget[],
  ours: readonly Position[],
  deadbandUsd: Readonly<Record<string, number>>,
  protection?: readonly {
    coin: string;
    stopPx: number | null;
    takeProfitPx: number | null;
    takeProfits?: readonly unknown[];
  }[],
  timeStops?: { at: number; dueAt: Readonly<Record<string, number>> },
  drift?: DriftReport,
  pnl?: CopyPnl,
  /** The mids of the state's moment (the engine's markets, what our uPnL is valued at). */
  mids?: Readonly<Record<string, number>>,
  /** Our equity at that moment: each row's lev is its notional ÷ this (null without it). */
  accountValue?: number,
): PositionRow[] {
  const guard = new Map((protection ?? []).map((p) => [p.coin, p]));
  // The planner's deadband of the target (an older event source: the state event's map).
  const bandOf = (t: CoinTarget) =>
    Number.isFinite(t.deadbandUsd) ? t.deadbandUsd : Math.max(MIN_ORDER_USD, deadbandUsd[t.coin] ?? 0);
  // The one drift meaning: the engine's report (core/drift.ts). Without one (an older event
  // source), a coin outside its deadband is taken as one the next plan trades.
  const report =
    drift ??
    driftReport({
      targets,
      skipped: [],
      actionCoins: targets
        .filter((t) => {
          const band = bandOf(t);
          const ours = t.ourSize;
          return t.driftUsd !== 0 && ((t.targetSize === 0 && ours !== 0) || Math.abs(t.driftUsd) >= band);
        })
        .map((t) => t.coin),
    });
  const statusOf = new Map(report.coins.map((c) => [c.coin, c]));
  const pnlOf = new Map((pnl?.byCoin ?? []).map((c) => [c.coin, c]));
  const byCoin = new Map<string, { target?: CoinTarget; pos?: Position }>();
  for (const t of targets) byCoin.set(t.coin, { target: t });
  for (const p of ours) byCoin.set(p.coin, { ...byCoin.get(p.coin), pos: p });
  const rows: PositionRow[] = [];
  const listed = new Set<string>();
  for (const [coin, { target, pos }] of byCoin) {
    const ourSize = pos?.size ?? target?.ourSize ?? 0;
    const mid = target && target.mid > 0 ? target.mid : null;
    if (ourSize === 0 && (!target || (target.targetSize === 0 && !leadersHold(target)))) continue;
    listed.add(coin);
    const deadband = target ? bandOf(target) : Math.max(MIN_ORDER_USD, deadbandUsd[coin] ?? 0);
    const judged = statusOf.get(coin);
    const status: DriftStatus = judged?.status ?? (target ? "in-sync" : "left-alone");
    // A position hlcopy does not size has no drift figure (core/drift.ts).
    const driftUsd = target ? shownDrift(target.driftUsd, judged ?? { status }) : null;

    const outside = status === "drift" || status === "blocked";
    const coinPnl = pnlOf.get(coin);
    rows.push({
      coin,
      leaderSize: target?.leaderSize ?? 0,
      // At the mid of the state's moment, as our uPnL (core/drift.ts leaderValueUsd): not the
      // mid of the coin's last plan, which may be a sweep old; "-" when the leader holds none.
      leaderNotional: target
        ? leaderValueUsd(target.leaderSize, mids?.[coin] ?? mid, leadersHold(target))
        : null,
      ...(target?.byLeader ? { byLeader: target.byLeader } : {}),
      targetSize: target ? shownTarget(target.targetSize, judged ?? { status }) : null,
      ourSize,
      driftUsd,
      driftPct: driftPct(driftUsd, target?.targetSize ?? null, mid),
      closing: driftClosing(driftUsd, target?.targetSize ?? null),
      deadbandUsd: deadband,
      outsideDeadband: outside,
      status,
      statusReason: judged?.reason ?? null,
      // The copy's unrealised P&L (its P&L's, beside it in the row): of a position partly held
      // by hand, hlcopy's part; of one none of which is hlcopy's, none ("-", as its P&L). Only an
      // event source with no P&L (an older one) shows the whole position's.
      upnl:
        !pos || pos.size === 0
          ? null
          : pnl
            ? (coinPnl?.unrealisedUsd ?? null)
            : mid !== null
              ? unrealisedOf({ coin, size: pos.size, entryPx: pos.entryPx, markPx: mid })
              : null,
      netPnl: coinPnl ? coinPnl.netUsd : null,
      leverage:
        pos && pos.size !== 0 && accountValue !== undefined && accountValue > 0
          ? positionNotional(pos, mids?.[coin] ?? mid) / accountValue
          : null,
      mid,
      ...(protection
        ? {
            stopPx: guard.get(coin)?.stopPx ?? null,
            takeProfitPx: guard.get(coin)?.takeProfitPx ?? null,
            ...((guard.get(coin)?.takeProfits?.length ?? 0) > 1
              ? { moreTakeProfits: (guard.get(coin)?.takeProfits?.length ?? 1) - 1 }
              : {}),
          }
        : {}),
      ...(target?.held ? { held: true } : {}),
      ...(timeStops
        ? {
            timeStopInMs:
              ourSize !== 0 && timeStops.dueAt[coin] !== undefined
                ? Math.max(0, (timeStops.dueAt[coin] ?? 0) - timeStops.at)
                : null,
          }
        : {}),
    });
  }
  // Coins with P&L since the copy began and no row (closed: nothing held, nothing to hold).
  for (const c of pnl?.byCoin ?? []) {
    if (!listed.has(c.coin)) rows.push(closedRow(c.coin, c.netUsd, Boolean(protection), Boolean(timeStops)));
  }
  // Every coin of the P&L has its row (above): the rows' P&L as shown add up to the header's as
  // shown, to the cent (core/format.ts shownColumn, as status's tables) — rounded one by
  // one, four rows of −10.334 read −46.02 beside a header of −46.03.
  if (pnl) {
    const withPnl = rows.filter((r) => r.netPnl !== null);
    const shown = shownColumn(
      withPnl.map((r) => r.netPnl),
      pnl.netUsd,
    );
    withPnl.forEach((r, i) => {
      r.netPnl = shown[i] ?? r.netPnl;
    });
  }
  const weight = (r: PositionRow) =>
    Math.max(Math.abs(r.targetSize ?? 0), Math.abs(r.ourSize)) * (r.mid ?? 0);
  // Open rows biggest first; closed ones after them, biggest P&L first.
  return rows.sort(
    (a, b) =>
      Number(a.closed ?? false) - Number(b.closed ?? false) ||
      weight(b) - weight(a) ||
      Math.abs(b.netPnl ?? 0) - Math.abs(a.netPnl ?? 0) ||
      a.coin.localeCompare(b.coin),
  );
}

/** The row of a closed coin: its P&L and nothing else to show. */
function closedRow(coin: string, netPnl: number, protection: boolean, timeStops: boolean): PositionRow {
  return {
    coin,
    leaderSize: 0,
    leaderNotional: null,
    targetSize: 0,
    ourSize: 0,
    driftUsd: null,
    driftPct: null,
    closing: false,
    deadbandUsd: MIN_ORDER_USD,
    outsideDeadband: false,
    status: "in-sync",
    statusReason: null,
    upnl: null,
    netPnl,
    leverage: null,
    mid: null,
    ...(protection ? { stopPx: null, takeProfitPx: null } : {}),
    ...(timeStops ? { timeStopInMs: null } : {}),
    closed: true,
  };
}

/**
 * The rows a table of `limit` lines shows: the first ones, and when they do not all fit, the
 * rest folded into one line that carries their P&L — so the lines shown always add up to the
 * header's P&L.
 */
export function foldRows(
  rows: readonly PositionRow[],
  limit: number,
): { shown: PositionRow[]; hidden: number; hiddenNetPnl: number | null } {
  const max = Math.max(1, limit);
  if (rows.length <= max) return { shown: [...rows], hidden: 0, hiddenNetPnl: null };
  const shown = rows.slice(0, max - 1);
  const rest = rows.slice(max - 1);
  const withPnl = rest.filter((r) => r.netPnl !== null);
  return {
    shown,
    hidden: rest.length,
    hiddenNetPnl: withPnl.length === 0 ? null : withPnl.reduce((sum, r) => sum + (r.netPnl ?? 0), 0),
  };
}

function reduceEngine(prev: DashboardState, e: EngineEvent): DashboardState {
  const state = e.ts > prev.now ? { ...prev, now: e.ts } : { ...prev };
  const c = state.counters;
  switch (e.type) {
    case "start":
      state.startedAt = e.ts;
      state.runMode = e.mode;
      state.leaders = e.leaders;
      state.account = e.account;
      state.network = e.network;
      state.stopped = null;
      // A dry run hears of no order: its trades with an order are "planned" (core/leader-trades.ts).
      if (c.leaderTrades === 0) state.trades = new LeaderTradeTally({ ordersHeard: e.mode !== "dry-run" });
      break;
    case "connection":
      state.connection = {
        ...state.connection,
        state: e.state,
        detail: e.detail ?? null,
        // Down since its last message when the socket was dropped as stale, not since the drop.
        since: e.downSince ?? e.ts,
        lastMessageAt: e.state === "open" ? e.ts : state.connection.lastMessageAt,
      };
      break;
    case "heartbeat":
      // The commonest event: touch one field, no log line.
      return { ...state, connection: { ...state.connection, lastMessageAt: e.ts } };
    case "reconnect":
      state.counters = { ...c, reconnects: c.reconnects + 1 };
      break;
    case "leaderFill":
      state.trades.leaderFill(e.leader, e.oid, e.coin);
      state.counters = { ...c, leaderFills: c.leaderFills + 1, ...tradeCounters(state.trades) };
      break;
    case "decision": {
      // The leader's trades it decided on land in their bucket (core/leader-trades.ts): a fill's
      // decision decides those of its coins, a sweep's full plan those of every coin. A decision
      // without `leaderSeen` (a re-plan of a few coins) decides none, but still tells that the
      // orders of the decisions before it that were never heard of were not sent.
      const seen = e.leaderSeen;
      state.trades.decision({
        coins: seen === undefined ? [] : e.trigger === "fill" ? e.coins : "all",
        seen: seen ?? 0,
        plan: e.plan,
        held: e.held ?? null,
        // A re-plan's coins: the trades of an entry refused as crossing wait for it.
        planned: e.coins,
      });
      state.counters = {
        ...c,
        decisions: c.decisions + 1,
        plannedActions: c.plannedActions + (e.held ? 0 : e.plan.actions.length),
        ...tradeCounters(state.trades),
      };
      break;
    }
    case "order": {
      // An order that filled at all, counted at its last word: an IOC's (filled, partial), a
      // paper fill's, and a resting entry's — filled, or cancelled after a partial fill
      // (engine/passive.ts), which report counted (a journaled order filled above 0) and this did not.
      const filled =
        (e.status === "filled" ||
          e.status === "partial" ||
          e.status === "paper" ||
          e.status === "cancelled") &&
        e.filledSize > 0;
      state.trades.order(e.cloid, e.status, e.filledSize, e.error);
      state.counters = {
        ...c,
        orders: e.status === "sent" ? c.orders + 1 : c.orders,
        rejections: e.status === "rejected" ? c.rejections + 1 : c.rejections,
        ordersFilled: filled ? c.ordersFilled + 1 : c.ordersFilled,
        ...tradeCounters(state.trades),
      };
      break;
    }
    case "fill": {
      // A fill of an order left uncertain settles its trades (copied) before recovery's look-up does.
      const settled = e.cloid !== null && state.trades.ourFill(e.cloid);
      state.counters = { ...c, fills: c.fills + 1, ...(settled ? tradeCounters(state.trades) : {}) };
      const cap = state.capacity;
      // Added in place: the run's samples grow with it (a copy per fill would cost their number).
      if (e.lagMs !== null) {
        state.lastLagMs = e.lagMs;
        state.runSamples.lag.add(e.lagMs);
      }
      const exec = e.execSlippageBps;
      if (exec !== null) state.runSamples.exec.add(exec);
      if (e.slippageBps !== null) state.runSamples.copy.add(e.slippageBps);
      if (exec !== null || e.slippageBps !== null) {
        const recent =
          exec === null
            ? state.slippage.recent
            : push(
                state.slippage.recent,
                {
                  ts: e.ts,
                  coin: e.coin,
                  side: e.side,
                  sz: e.sz,
                  px: e.px,
                  bps: exec,
                  kind: e.kind,
                  lagMs: e.lagMs,
                },
                cap.recent,
              );
        state.slippage = {
          recent,
          samples: exec === null ? state.slippage.samples : push(state.slippage.samples, exec, cap.series),
        };
      }
      break;
    }
    case "protection":
      // Our resting stop or take-profit that fired filled an order of ours (the journal has it
      // filled: report counts it), which comes as no order event.
      if (e.action === "fired" && e.size > 0) state.counters = { ...c, ordersFilled: c.ordersFilled + 1 };
      break;
    case "sweep":
      state.counters = { ...c, sweeps: c.sweeps + 1 };
      state.lastSweep = {
        ts: e.ts,
        inSync: e.inSync,
        driftUsd: e.driftUsd,
        outsideUsd: e.outsideUsd,
        durationMs: e.durationMs,
      };
      break;
    case "state": {
      state.equity = e.account.accountValue;
      state.hwm = e.hwm;
      // Of the equity and hwm shown beside it (ui/format.ts shownDrawdownPct), not of the
      // safety check's last account update.
      state.drawdownPct = shownDrawdownPct(e.account.accountValue, e.hwm, e.drawdownPct);
      state.positions = buildPositionRows(
        e.targets,
        e.account.positions,
        e.deadbandUsd,
        e.protection,
        e.timeStops ? { at: e.ts, dueAt: e.timeStops } : undefined,
        e.drift,
        e.pnl,
        e.mids,
        e.account.accountValue,
      );
      // Gross notional ÷ equity at the rows' mids (the rows' lev add up to it): what risk.maxLeverage caps.
      state.leverage = leverageAt(e);
      if (e.pnl) state.pnl = e.pnl;
      if (e.drift) state.drift = e.drift;
      // The daily loss limit's stop lifts by itself at 00:00 UTC (no resume event comes): its
      // banner goes with it, as /metrics' hlcopy_daily_loss_stop and status's dailyLoss do.
      if (e.dailyLossStop === false && state.halt?.kind === "daily-loss") state.halt = null;
      state.freshness = e.freshness ?? null;
      if (e.agent) state.agentDaysLeft = e.agent.daysLeft;
      if (e.leaderCopy) state.leaderCopy = e.leaderCopy;
      const last = state.lastEquitySampleAt;
      if (last === null || e.ts - last >= state.equitySampleMs) {
        state.equitySeries = push(state.equitySeries, e.account.accountValue, state.capacity.series);
        state.lastEquitySampleAt = e.ts;
      }
      return state;
    }
    case "halt":
      // A halt that closes everything (kill switch, flatten) is not hidden by the daily loss
      // limit's, which only stops increases.
      if (e.kind === "daily-loss" && state.halt && state.halt.kind !== "daily-loss") break;
      state.halt = {
        kind: e.kind,
        reason: e.reason,
        // When the halt happened: one standing from an earlier run keeps its own time.
        ts: e.since ?? e.ts,
        ...(e.recorded === false ? { recorded: false } : {}),
      };
      break;
    case "resume":
      state.halt = null;
      // "decision fill: HYPE skip halted (…)" must not outlive the halt on the status line.
      if (state.problem?.ofHalt) state.problem = null;
      break;
    case "slippageBudget":
      state.slippageBudgetBps = e.budgetBps;
      break;
    case "funding":
      break;
    case "paused":
      state.paused = e.paused;
      // "pause requested" must not stand beside PAUSED: the request is taken up.
      state.ui = {
        ...state.ui,
        pendingPause: null,
        notice: state.ui.notice?.of === "pause" ? null : state.ui.notice,
      };
      // "paused: the leader's trades are not copied until resumed" must not outlive the pause on the status line.
      if (!e.paused && state.problem?.type === "paused") state.problem = null;
      break;
    case "rateLimit":
      state.counters = { ...c, rateLimitWaits: c.rateLimitWaits + 1 };
      state.rateLimit = { until: e.ts + e.waitMs, detail: e.detail };
      break;
    case "notice":
      if (e.kind === "on-exit") state.onExit = e.message;
      break;
    case "warning":
      break;
    case "error":
      // The on-exit step that could not be taken (exit-step.ts): the summary says it in its place.
      if (e.message.startsWith("on exit: ")) {
        state.onExit = e.message;
        state.onExitFailed = true;
      }
      break;
    case "stop":
      state.stopped = { reason: e.reason, ts: e.ts };
      // No decision comes after the stop: the leader's trades it had not decided on (one that came
      // as the run stopped) are skipped `stopping` — counted, as report counts them.
      state.trades.stopped();
      state.counters = { ...state.counters, ...tradeCounters(state.trades) };
      state.connection = { ...state.connection, state: "closed", since: e.ts };
      // "stopping: waiting for in-flight orders" is over: the stop line says how it ended.
      if (state.ui.quitting) state.ui = { ...state.ui, notice: null };
      break;
  }
  return withLog(state, e);
}

function reduceUi(state: DashboardState, a: UiAction): DashboardState {
  switch (a.type) {
    case "ui/tick": {
      const now = Math.max(state.now, a.now);
      const ui =
        state.ui.notice && now - state.ui.notice.ts >= NOTICE_MS ? { ...state.ui, notice: null } : state.ui;
      const rateLimit = state.rateLimit && now >= state.rateLimit.until ? null : state.rateLimit;
      // A rate limit's line says a wait ("waiting 1.18s"): once it is over the line would say a
      // wait that is not, for up to PROBLEM_MS — it goes with the header's countdown.
      const waitOver = state.problem?.type === "rateLimit" && rateLimit === null;
      const problem =
        state.problem && (waitOver || now - state.problem.ts >= PROBLEM_MS) ? null : state.problem;
      return { ...state, now, ui, rateLimit, problem };
    }
    case "ui/helpToggled": {
      const next = state.ui.help ? state.ui.helpPage + 1 : 0;
      const open = next < Math.max(1, a.pages ?? 1);
      return { ...state, ui: { ...state.ui, help: open, helpPage: open ? next : 0 } };
    }
    case "ui/helpClosed":
      return { ...state, ui: { ...state.ui, help: false, helpPage: 0 } };
    case "ui/flattenAsked":
      return { ...state, ui: { ...state.ui, confirmFlatten: true } };
    case "ui/flattenCancelled":
      return notice({ ...state, ui: { ...state.ui, confirmFlatten: false } }, "flatten cancelled");
    case "ui/flattenConfirmed":
      return notice(
        { ...state, ui: { ...state.ui, confirmFlatten: false } },
        "flatten requested: closing reduce-only",
        "flatten",
      );
    case "ui/pauseToggled": {
      const target = !(state.ui.pendingPause ?? state.paused);
      return notice(
        { ...state, ui: { ...state.ui, pendingPause: target } },
        target ? "pause requested" : "resume requested",
        "pause",
      );
    }
    case "ui/sweepRequested":
      return notice(state, "sweep requested");
    case "ui/noticed":
      return notice(state, a.text);
    case "ui/quitRequested":
      return notice(
        { ...state, ui: { ...state.ui, quitting: true } },
        "stopping: waiting for in-flight orders",
      );
  }
}

function isUiAction(x: DashboardInput): x is UiAction {
  return x.type.startsWith("ui/");
}

/** The one reducer: pure, synchronous, O(ring size) per input at worst. */
export function reduceDashboard(state: DashboardState, input: DashboardInput): DashboardState {
  if (isUiAction(input)) return reduceUi(state, input);
  const next = reduceEngine(state, input);
  const n = flattenNotice(next, input);
  return n === next.ui.notice ? next : { ...next, ui: { ...next.ui, notice: n } };
}

// ── selectors: derived facts, computed when a view renders ──────────────────────────────

export function modeLabel(state: DashboardState): ModeLabel {
  // The last frame, left on the terminal after the run: it no longer trades, whatever it was.
  if (state.stopped) return "STOPPED";
  if (state.halt) return "HALTED";
  return state.runMode === "dry-run" ? "DRY-RUN" : state.runMode === "paper" ? "PAPER" : "LIVE";
}

/**
 * The header's mode badge: the label, and under STOPPED or HALTED a paper or dry run still says
 * which ("PAPER STOPPED") — the last frame stays on the terminal, never read as a live run's.
 */
export function modeBadge(state: DashboardState): string {
  const mode = modeLabel(state);
  if ((mode === "STOPPED" || mode === "HALTED") && state.runMode !== "live")
    return `${state.runMode === "paper" ? "PAPER" : "DRY-RUN"} ${mode}`;
  return mode;
}

/** Time since the last message on the exchange's stream, or null before the first one. */
export function connectionAgeMs(state: DashboardState): number | null {
  const last = state.connection.lastMessageAt;
  return last === null ? null : Math.max(0, state.now - last);
}

export interface SampleStats {
  n: number;
  mean: number;
  median: number;
  p95: number;
}

export function sampleStats(samples: RunSample): SampleStats {
  return { n: samples.n, mean: samples.mean, median: samples.quantile(0.5), p95: samples.quantile(0.95) };
}

/** Execution slippage of the run's fills (against the touch at decision). */
export function slippageStats(state: DashboardState): SampleStats {
  return sampleStats(state.runSamples.exec);
}

/** Copy slippage of the run's hot-path copies (against the leader's fill). */
export function copySlippageStats(state: DashboardState): SampleStats {
  return sampleStats(state.runSamples.copy);
}

/** The execution-slippage budget over the run's last fills, as the engine judges it (core/slippage.ts). */
export function budgetState(state: DashboardState): SlippageBudget {
  return slippageBudget(state.slippage.samples, state.slippageBudgetBps);
}

export function lagStats(state: DashboardState): {
  last: number | null;
  p50: number;
  p99: number;
  n: number;
} {
  const xs = state.runSamples.lag;
  return { last: state.lastLagMs, p50: xs.quantile(0.5), p99: xs.quantile(0.99), n: xs.n };
}

/** Skip counts, biggest first. */
export function skippedByReason(state: DashboardState): { reason: ReasonCode; count: number }[] {
  return (Object.entries(state.counters.skipped) as [ReasonCode, number][])
    .map(([reason, count]) => ({ reason, count }))
    .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}

/** The leader's trades and their buckets (Counters, RunSummary). */
export type TradeFigures = Pick<Counters, (typeof TRADE_FIGURE_FIELDS)[number]>;

/**
 * The buckets of the leader's trades in the words every view uses (dashboard header, follow's
 * summary line, the demo's summary): "copied 15, in line 2, missed 1, skipped 2". Copied (a dry
 * run: planned) and skipped always; in line, missed and in flight when not 0 — what is left out
 * is 0, so the figures said always add up to `leaderTrades`. `skippedDetail` follows the skipped
 * count (its reasons), which comes last for it.
 */
export function tradeBucketsText(
  t: TradeFigures,
  dryRun: boolean,
  skippedDetail = "",
  compact = false,
): string {
  return [
    dryRun ? `planned ${t.plannedTrades}` : `copied ${t.copiedTrades}`,
    // A dry run with a trade copied or a live run with one planned cannot be: said if it were.
    dryRun && t.copiedTrades > 0 ? `copied ${t.copiedTrades}` : "",
    !dryRun && t.plannedTrades > 0 ? `planned ${t.plannedTrades}` : "",
    t.inLineTrades > 0 ? `in line ${t.inLineTrades}` : "",
    t.missedTrades > 0 ? `missed ${t.missedTrades}` : "",
    t.inFlightTrades > 0 ? `in flight ${t.inFlightTrades}` : "",
    t.unknownTrades > 0 ? `outcome unknown ${t.unknownTrades}` : "",
    // Last, so its reasons follow it (the header's detail segment too). `compact` (a narrow
    // header): a skipped 0 goes as well — still nothing left out that is not 0.
    compact && t.skippedTrades === 0
      ? ""
      : `skipped ${t.skippedTrades}${skippedDetail ? ` (${skippedDetail})` : ""}`,
  ]
    .filter(Boolean)
    .join(", ");
}

/** A run summary's skips as words, biggest first: "below-min-notional 7, coin-denied 2"; "" when none. */
export function skippedText(skipped: Partial<Record<ReasonCode, number>>): string {
  return (Object.entries(skipped) as [ReasonCode, number][])
    .filter(([, n]) => n > 0)
    .sort(([ra, a], [rb, b]) => b - a || ra.localeCompare(rb))
    .map(([reason, n]) => `${reason} ${n}`)
    .join(", ");
}

/** Σ |drift| over the coins hlcopy sizes, USD (core/drift.ts; the rows' figures as shown, to the cent, without a report). */
export function totalDriftUsd(state: DashboardState): number {
  if (state.drift) return state.drift.driftUsd;
  return state.positions.reduce((sum, r) => sum + roundHalfAway(Math.abs(r.driftUsd ?? 0)), 0);
}

/**
 * The part of it the header's `drift $X` says (core/drift.ts outsideUsd): the coins orders are
 * planned for or a gate holds — the rows outside the deadband when no report came with the state.
 */
export function outsideDriftUsd(state: DashboardState): number {
  if (state.drift) return state.drift.outsideUsd;
  return state.positions.reduce(
    (sum, r) => sum + (r.outsideDeadband ? roundHalfAway(Math.abs(r.driftUsd ?? 0)) : 0),
    0,
  );
}

/**
 * The final drift as the closing line and the demo's summary say it: the dashboard header's last
 * words on it (`drift $30.02 (SOL)`, `in sync · $3.37 tolerated inside the deadband`) — the one
 * wording and figure, never the header's $30.02 beside a summary's 35.73 of all drift, tolerated
 * included —; `drift $12.00` when no verdict is known (no state was seen); a figure of a
 * reading that is not current (an on-exit step failed after it) is said as that. Either figure is
 * the header's (`finalOutsideUsd`), not the total.
 */
export function finalDriftText(
  summary: Pick<RunSummary, "finalOutsideUsd" | "driftVerdict"> & Partial<Pick<RunSummary, "driftCurrent">>,
): string {
  if (summary.driftCurrent === false)
    return `drift ${fmtUsd(summary.finalOutsideUsd)} at the last reading, before the on-exit step failed (not current: no in-sync verdict)`;
  return summary.driftVerdict ?? `drift ${fmtUsd(summary.finalOutsideUsd)}`;
}

/** The end-of-run summary (`hlcopy demo` prints it; with --json as its last line). */
export interface RunSummary {
  /** Our orders that filled, of every kind (copies, joins, repairs, safety and flatten closes). */
  ordersFilled: number;
  /**
   * The leader's trades the run saw (core/leader-trades.ts: one leader order's fills), each in
   * one bucket: copiedTrades + inLineTrades + skippedTrades + missedTrades + plannedTrades +
   * inFlightTrades = leaderTrades.
   */
  leaderTrades: number;
  /** Copied: an order of ours for it filled (Counters.copiedTrades). */
  copiedTrades: number;
  /** In line already: no order was needed (at target, inside the deadband). */
  inLineTrades: number;
  /** Not copied, by reason: the sum of `skipped`. */
  skippedTrades: number;
  /** Our order for it did not fill (IOC missed, refused, not sent). */
  missedTrades: number;
  /** A dry run's trades an order was planned for (0 in live and paper runs). */
  plannedTrades: number;
  /** Decided with no result yet, or not decided, when the run ended. */
  inFlightTrades: number;
  /** Our order for it was left uncertain and never resolved: whether it was copied is not known. */
  unknownTrades: number;
  /** A dry run: the orders it planned, which a live run would have sent (null in live and paper runs). */
  planned: number | null;
  /** The leader's trades skipped, by reason (sums to skippedTrades). */
  skipped: Partial<Record<ReasonCode, number>>;
  /**
   * Σ |drift| at the end over every coin hlcopy sizes, the part the deadband tolerates included
   * (a drift report's `driftUsd`); of the last reading before it when `driftCurrent` is false.
   */
  finalDriftUsd: number;
  /**
   * The part of finalDriftUsd in coins orders are planned for or a gate holds (a drift report's
   * `outsideUsd`): the figure of the header's `drift $X` and of the closing line.
   */
  finalOutsideUsd: number;
  /**
   * The copy is in sync at the end (core/drift.ts); null when that is not known: no state was
   * seen, or the on-exit step failed (`driftCurrent` false).
   */
  inSync: boolean | null;
  /**
   * False when the on-exit step could not be taken (the exchange did not answer as the run
   * stopped): `finalDriftUsd` is of the last reading before it — the positions it was to close or
   * protect are as they were then, or not — so no in-sync verdict is given (`inSync` null).
   */
  driftCurrent: boolean;
  /**
   * The final drift in the dashboard header's words — `drift $30.02 (SOL)` (the part orders are
   * planned for), `in sync · $3.37 tolerated inside the deadband`, `stale 1m · last in sync 34s
   * ago` — as status's `drift.verdict`; null when no state was seen or the on-exit step failed
   * (`driftCurrent` false). The closing line says these.
   */
  driftVerdict: string | null;
  /** Copy slippage: hot-path copies against the leader's fill. */
  slippageBps: { mean: number | null; median: number | null; p95: number | null };
  /** Execution slippage: every fill against the touch when its order was decided. */
  execSlippageBps: { mean: number | null; median: number | null; p95: number | null };
  copyLagMs: { p50: number | null; p99: number | null };
  /** The copy's P&L at the end (whole copy); null when none was computed. */
  pnl: PnlFigures | null;
  /** What the on-exit step did with open positions (follow --on-exit); null when it did not run. */
  onExit: string | null;
  /**
   * The run ended under a halt that closes everything (kill switch, flatten) with positions
   * still open: their closes were not sent (a stop came first, the exchange refused them). Null
   * when none (or a dry run: it sends nothing).
   */
  closesNotSent: { halt: string; count: number; coins: string[] } | null;
  /** Open positions at the end, with their resting stop / take-profit (null = none); held = kept under entry-only. */
  positions: {
    coin: string;
    size: number;
    stopPx: number | null;
    takeProfitPx: number | null;
    held?: boolean;
  }[];
}

/** A closing halt's closes not sent by the end of a live or paper run (RunSummary.closesNotSent). */
function closesNotSent(state: DashboardState): RunSummary["closesNotSent"] {
  const halt = state.halt;
  if (!halt || halt.kind === "daily-loss" || halt.kind === "agent-expired" || state.runMode === "dry-run")
    return null;
  const coins = state.positions.filter((r) => r.ourSize !== 0).map((r) => r.coin);
  return coins.length > 0 ? { halt: halt.kind, count: coins.length, coins } : null;
}

/**
 * The run's closing figures, as the summary line shows them and `--json` prints them: each
 * rounded as it is shown (drift to the cent, bps to 0.1, lag to the ms; core/format.ts), so the two
 * never disagree and scripts never see a float's tail (375.1199999999994).
 */
export function runSummary(state: DashboardState): RunSummary {
  const copy = copySlippageStats(state);
  const exec = slippageStats(state);
  const lag = lagStats(state);
  const p = state.pnl;
  const shown = (x: number, decimals: number): number | null => roundOrNull(finiteOrNull(x), decimals);
  // No verdict on a reading the failed on-exit step left behind (driftCurrent false).
  const verdict =
    state.drift && !state.onExitFailed ? syncVerdict(state.drift, state.now, state.freshness) : null;
  return {
    ordersFilled: state.counters.ordersFilled,
    leaderTrades: state.counters.leaderTrades,
    copiedTrades: state.counters.copiedTrades,
    inLineTrades: state.counters.inLineTrades,
    skippedTrades: state.counters.skippedTrades,
    missedTrades: state.counters.missedTrades,
    plannedTrades: state.counters.plannedTrades,
    inFlightTrades: state.counters.inFlightTrades,
    unknownTrades: state.counters.unknownTrades,
    planned: state.runMode === "dry-run" ? state.counters.plannedActions : null,
    skipped: { ...state.counters.skipped },
    finalDriftUsd: roundHalfAway(totalDriftUsd(state), 2),
    finalOutsideUsd: roundHalfAway(outsideDriftUsd(state), 2),
    // The one verdict (core/drift.ts): a run that ends on stale data does not end "in sync", nor
    // one whose on-exit step failed — its last reading is from before the exchange went away.
    inSync: verdict?.inSync ?? null,
    driftCurrent: !state.onExitFailed,
    driftVerdict: verdict?.text ?? null,
    slippageBps: { mean: shown(copy.mean, 1), median: shown(copy.median, 1), p95: shown(copy.p95, 1) },
    execSlippageBps: { mean: shown(exec.mean, 1), median: shown(exec.median, 1), p95: shown(exec.p95, 1) },
    copyLagMs: { p50: shown(lag.p50, 0), p99: shown(lag.p99, 0) },
    // The P&L as the engine, status and the journal carry it: to the micro-dollar (USDC's 6
    // decimals, core/pnl.ts round6), one figure everywhere.
    pnl: p
      ? {
          realisedUsd: p.realisedUsd,
          unrealisedUsd: p.unrealisedUsd,
          feesUsd: p.feesUsd,
          fundingUsd: p.fundingUsd,
          netUsd: p.netUsd,
          roiPct: p.roiPct,
        }
      : null,
    onExit: state.onExit,
    closesNotSent: closesNotSent(state),
    positions: state.positions
      .filter((r) => r.ourSize !== 0)
      .map((r) => ({
        coin: r.coin,
        size: r.ourSize,
        stopPx: r.stopPx ?? null,
        takeProfitPx: r.takeProfitPx ?? null,
        ...(r.held ? { held: true } : {}),
      })),
  };
}
