// Engine events: the one stream the engine emits and every view subscribes to (the Ink
// dashboard, the line/JSON-lines output, the journal's event log, the demo summary).
// Plain data only, so a view can never slow the engine down or reach into it.

import type { DriftReport, Freshness } from "../core/drift.js";
import type { HeldBy } from "../core/leader-trades.js";
import type { OrderStatus } from "../core/orders.js";
import type { CopyPnl } from "../core/pnl.js";
import type { OrderKind } from "../core/slippage.js";
import type { Address, CoinTarget, Plan, Position, ReasonCode, Side } from "../core/types.js";

export type RunMode = "live" | "dry-run" | "paper";

export type { OrderStatus } from "../core/orders.js";

/** Why a leader is not followed: its own drawdown limit, or a liquidation pause. */
export type LeaderStopKind = "drawdown" | "liquidated";
/** What happened to a leader's copy. */
export type LeaderAction = "unfollowed" | "resumed" | "gated" | "ungated";

/** One leader's copy as the state event carries it (see engine/leader-guard.ts). */
export interface LeaderCopyView {
  address: Address;
  following: boolean;
  stop: { kind: LeaderStopKind; since: number; until: number | null; reason: string } | null;
  copyValueUsd: number | null;
  copyPnlUsd: number | null;
  drawdownPct: number | null;
  gated: { leverage: boolean; coins: string[] };
}

export interface AccountView {
  address: Address;
  accountValue: number;
  positions: Position[];
}

export type EngineEvent =
  | {
      type: "start";
      ts: number;
      mode: RunMode;
      leaders: { address: Address; weight: number }[];
      account: Address;
      network: string;
    }
  | {
      type: "connection";
      ts: number;
      state: "connecting" | "open" | "reconnecting" | "closed";
      detail?: string;
      /**
       * "reconnecting": since when the stream has been down — for a socket dropped as stale, when
       * it went silent (its last message), up to a minute before the drop that says so.
       */
      downSince?: number;
    }
  /** Any message from the exchange's stream: lets views show "last message 2s ago". */
  | { type: "heartbeat"; ts: number }
  | { type: "reconnect"; ts: number }
  | {
      type: "leaderFill";
      ts: number;
      leader: Address;
      coin: string;
      side: Side;
      px: number;
      sz: number;
      dir: string;
      /** Exchange time of the fill (ms). */
      time: number;
      liquidation: boolean;
      /** The leader's order it is a fill of: its fills are one leader trade (core/leader-trades.ts). */
      oid: number;
    }
  | {
      type: "decision";
      ts: number;
      trigger: "fill" | "sweep" | "start" | "manual";
      coins: string[];
      plan: Plan;
      /** Time the planner took for this decision (ms, sub-millisecond resolution). */
      durationMs?: number;
      /** Its orders are not sent: the run is paused (p, or hlcopy pause), or stopping. */
      held?: HeldBy;
      /**
       * The leaderFill events told before its plan was made (the run's count): the leader's
       * trades it decided on are among them (core/leader-trades.ts). Set on the decisions that
       * decide the leader's trades — a fill's, and a sweep's full plan (it plans every coin);
       * absent on a re-plan of a few coins within a sweep.
       */
      leaderSeen?: number;
    }
  | {
      type: "order";
      ts: number;
      coin: string;
      side: Side;
      size: number;
      limitPx: number;
      reduceOnly: boolean;
      cloid: string;
      reason: ReasonCode;
      /** Why it was sent: a hot-path copy, a sweep repair, the run's join, a safety close. */
      kind: OrderKind;
      status: OrderStatus;
      filledSize: number;
      avgPx: number | null;
      error?: string;
    }
  | {
      type: "fill";
      ts: number;
      coin: string;
      side: Side;
      px: number;
      sz: number;
      fee: number;
      cloid: string | null;
      /** The order's kind; null for a fill hlcopy did not place (manual, liquidation). */
      kind: OrderKind | null;
      /**
       * The part of it the copy P&L counts (core/pnl.ts copySizeOfFill): all of a fill hlcopy
       * placed, but of a safety close (flatten, kill switch) or a closeDenied close only what it
       * closed of hlcopy's part of the position (core/pnl.ts closesBeyondCopy); of one it did not place, what it closed of hlcopy's position (a
       * liquidation, an ADL, a close by hand), else 0; null: not journaled.
       */
      copySz: number | null;
      /** Execution slippage: against the touch when the order was decided; positive = worse for us. */
      execSlippageBps: number | null;
      /** Copy slippage: against the leader's fill price, hot-path copies only; positive = worse for us. */
      slippageBps: number | null;
      /** Leader fill → our fill, on the exchange's clock (hot-path copies only). */
      lagMs: number | null;
    }
  /** A funding payment on one of our positions (the exchange's record): received (+) or paid (−). */
  | {
      type: "funding";
      ts: number;
      coin: string;
      /** The account's payment, as the exchange made it (received +, paid −). */
      usdc: number;
      /** Its part on hlcopy's share of the position then: what the copy P&L counts (core/pnl.ts copyFundingShare). */
      copyUsdc: number;
      /** Signed position size it was paid on. */
      szi: number;
      fundingRate: number;
      /** The exchange's time of the payment. */
      time: number;
    }
  /** The p95 of this run's execution slippage crossed exec.slippageBudgetBps (up or back down). */
  | {
      type: "slippageBudget";
      ts: number;
      exceeded: boolean;
      p95Bps: number;
      budgetBps: number;
      /** Fills the p95 is over. */
      n: number;
    }
  | {
      type: "sweep";
      ts: number;
      durationMs: number;
      inSync: boolean;
      driftUsd: number;
      /** The part of driftUsd in coins orders are planned for or a gate holds: the header's "drift $X". */
      outsideUsd: number;
      requests: number;
    }
  | {
      type: "state";
      ts: number;
      account: AccountView;
      hwm: number;
      drawdownPct: number;
      leaders: AccountView[];
      targets: CoinTarget[];
      deadbandUsd: Record<string, number>;
      /**
       * The mid of every coin of the rows (targets, our positions) at this moment: what our
       * uPnL and the leader's `leader $` are valued at (a target's own `mid` is its last plan's).
       */
      mids?: Record<string, number>;
      /** The signing agent's approval, when known (live runs): ends at, whole days left. */
      agent?: { validUntil: number | null; daysLeft: number | null };
      /** Our resting stop / take-profit per coin (present only with resting protection on). */
      protection?: {
        coin: string;
        stopPx: number | null;
        takeProfitPx: number | null;
        takeProfits?: { px: number; size: number }[];
      }[];
      /** Per leader: followed or not, its copy's value and drawdown, its breakers (multi-leader or a per-leader rule on). */
      leaderCopy?: LeaderCopyView[];
      /** risk.maxHoldHours: when each position's time stop is due (ms), by coin. */
      timeStops?: Record<string, number>;
      /** The copy's P&L since it began (whole copy, per coin, per leader). */
      pnl?: CopyPnl;
      /** Every coin's drift status, the total and whether the copy is in sync (core/drift.ts). */
      drift?: DriftReport;
      /**
       * The daily loss limit's stop holds increases now (until 00:00 UTC; reductions still go):
       * not a halt. Its start is the `halt` event of kind daily-loss; its end is only here.
       */
      dailyLossStop?: boolean;
      /**
       * How fresh the data behind `drift` is (core/drift.ts syncVerdict: beyond its window the
       * verdict is "stale", never "in sync"); absent before the first sweep.
       */
      freshness?: Freshness;
    }
  | {
      type: "halt";
      ts: number;
      /** agent-expired: the exchange no longer knows the agent; nothing can be signed. */
      kind: "kill-switch" | "daily-loss" | "manual" | "agent-expired";
      reason: string;
      /**
       * false: a dry run's own halt, held in that run's memory and never journaled — `hlcopy
       * resume` does not see it (nor does anything reach a dry run: it has no control channel);
       * it ends with the dry run. Absent: a halt the journal holds (`hlcopy resume` clears it).
       */
      recorded?: false;
      /**
       * Present: not a new halt — one recorded at `since` (ms) before this run began (an earlier
       * run's kill switch or flatten, read back from the journal at the start; the day's daily
       * loss stop an earlier run journaled) that still stands. Told so the run shows it, never
       * alerted or counted (hlcopy_halts_total) again: a halt is one event, not one per restart.
       */
      since?: number;
    }
  | { type: "resume"; ts: number }
  | { type: "paused"; ts: number; paused: boolean }
  | { type: "rateLimit"; ts: number; waitMs: number; detail: string }
  | { type: "warning"; ts: number; message: string }
  /** Something the trader should know that is not a problem (a netted cash flow, adopted positions). */
  | {
      type: "notice";
      ts: number;
      kind:
        | "cash-flow"
        | "adopted"
        | "join-baseline"
        | "stopping"
        | "on-exit"
        | "protection"
        | "time-stop"
        | "sizing"
        | "entry"
        | "paused-closes"
        | "paper-account"
        | "fills-stream"
        | "books"
        | "journal"
        | "sweeps"
        | "unneeded-flag"
        | "foreign-orders";
      message: string;
    }
  /**
   * Something failed. `fatal`: the run stops on it (a `stop` follows); the CLI prints it once,
   * as its `error:` / `hint:` lines when the run has ended, so event lines leave it out.
   */
  | { type: "error"; ts: number; message: string; hint?: string; fatal?: true }
  /** Resting protection (a stop / take-profit trigger of ours) placed, moved, cancelled, fired or failed. */
  | {
      type: "protection";
      ts: number;
      coin: string;
      kind: "stop-loss" | "take-profit";
      action: "placed" | "moved" | "cancelled" | "fired" | "failed" | "not-sent";
      size: number;
      triggerPx: number | null;
      detail: string;
    }
  /**
   * A leader's copy changed: unfollowed (its drawdown limit, a liquidation pause: its share is
   * closed), resumed, or a breaker gated / ungated its increases (leverage, a new coin).
   */
  | {
      type: "leader";
      ts: number;
      leader: Address;
      action: LeaderAction;
      kind: LeaderStopKind | "leverage" | "new-coin";
      detail: string;
      /** The coins a new-coin gate is about. */
      coins?: string[];
      /** An unfollow: when following starts again by itself (null = until `hlcopy resume --leader`). */
      until?: number | null;
    }
  | {
      type: "stop";
      ts: number;
      reason: string;
      /** Only a follow stopped before its run began (cli/signals.ts stoppedBeforeRun): its one line. */
      began?: false;
      signal?: NodeJS.Signals | null;
      ordersSent?: 0;
    };

export type EngineEventType = EngineEvent["type"];

export type EngineListener = (event: EngineEvent) => void;

/** How often the engine tells its state when no view asked for a pace (ms): the dashboard's. */
export const STATE_EVERY_MS = 250;

/** A tiny synchronous event bus; listeners must not throw (their errors are contained). */
export class EngineEvents {
  readonly #listeners = new Set<EngineListener>();
  readonly #stateDemands = new Map<symbol, number>();
  readonly #demandTo: EngineEvents | null;

  /** `demandTo`: a bus fed from another one passes its views' state demands on to it. */
  constructor(options: { demandTo?: EngineEvents } = {}) {
    this.#demandTo = options.demandTo ?? null;
  }

  on(listener: EngineListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * A view asks for the run's state at most every `everyMs` (the dashboard 4×/s, event lines
   * once a minute). The engine builds its state event — the re-plan of what traded, the figures,
   * the event itself — at the fastest pace asked for, at STATE_EVERY_MS when none was: a
   * headless run spends nothing on a state nobody reads between its lines. Returns the release.
   */
  wantState(everyMs: number): () => void {
    if (this.#demandTo) return this.#demandTo.wantState(everyMs);
    const key = Symbol("state demand");
    this.#stateDemands.set(key, Math.max(0, everyMs));
    return () => this.#stateDemands.delete(key);
  }

  /** The pace the state event is wanted at (ms): the fastest demand, STATE_EVERY_MS without any. */
  get stateEveryMs(): number {
    if (this.#demandTo) return this.#demandTo.stateEveryMs;
    let every = Number.POSITIVE_INFINITY;
    for (const ms of this.#stateDemands.values()) every = Math.min(every, ms);
    return Number.isFinite(every) ? every : STATE_EVERY_MS;
  }

  emit(event: EngineEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A broken view must never stop the engine.
      }
    }
  }
}
