// The copy as the run shows it and journals it: the plans' view merged per coin (targets, drift;
// re-planned on read for coins our orders traded since), the figures every view reads (drift and
// P&L at one set of mids), the state event at the views' pace (held while an order is out), the
// journaled state records `status` reads (coalesced off the hot path, one per minute's span), and
// how fresh the data is (the stale verdict, watched while the run goes on).

import {
  type DriftReport,
  driftReport,
  emptyPlanView,
  type Freshness,
  mergePlanView,
  type PlanView,
  valueTargetsAt,
} from "../core/drift.js";
import type { HeldBy } from "../core/leader-trades.js";
import type { Settings } from "../core/settings.js";
import type { Plan } from "../core/types.js";
import { approvalDaysLeft } from "../exchange/agents.js";
import type { Journal } from "../store/journal.js";
import { type EngineEvents, STATE_EVERY_MS } from "./events.js";
import type { OwnAccount } from "./executor.js";
import type { PnlKeeper } from "./figures.js";
import type { LeaderGuard } from "./leader-guard.js";
import type { LeaderModel, MarketModel, OurModel } from "./models.js";
import type { OwnershipWatch } from "./ownership-watch.js";
import type { EngineStreams, PartBase } from "./ports.js";
import type { ProtectionKeeper } from "./protection.js";
import type { SafetyWatch } from "./safety-watch.js";
import type { TimeStop } from "./time-stop.js";

/** How often the run checks whether its data has gone stale (or fresh again). */
const STALE_WATCH_MS = 1_000;
/**
 * How soon after a change `status` shows (our fills, a copy's decision) the run journals its
 * state: `status` and `report` in another terminal read the journal, and a record only as new as
 * the last sweep missed a position the follow had already opened. Coalesced: a burst of fills is
 * one record, written from a timer — never between a leader's fill and our order leaving.
 */
const JOURNAL_STATE_MS = 200;
/**
 * When the journal's open group commits later than JOURNAL_STATE_MS from now, the record waits
 * until this long before that commit instead (journalSoon): `status` sees nothing of a group
 * before its commit, so a record written twice in one group (a leader trading every 100 ms
 * wrote ~2.4 a second into groups committed once a second) was built — a plan, the P&L, a SUM
 * over the orders since the last sweep — and written once for nothing.
 */
const BEFORE_COMMIT_MS = 25;
/**
 * The span of the run one state-change record stands for: the changes within a minute of the
 * clock replace each other in place (Journal.recordStateChange), the record keeping the newest
 * figures and, as `driftMaxUsd`, the highest drift among them (report's "max drift" of a day;
 * `outsideMaxUsd` the highest of the header's `drift $X`, which the journal's line says).
 * A busy leader's run then keeps one 4.5 KB record a minute, not five a second. A divisor of a
 * day, so a record never spans two of report's days.
 */
const CHANGE_SPAN_MS = 60_000;

export interface StateViewOptions extends Pick<PartBase, "emit" | "now" | "runId"> {
  journal: Pick<Journal, "recordEvent" | "recordStateChange" | "msToCommit">;
  events: Pick<EngineEvents, "stateEveryMs">;
  /** EngineOptions.staleMs: data older than this is stale. */
  staleMs: number | undefined;
  /** EngineOptions.agentValidUntil: the approval's end, shown (undefined: not known). */
  agentValidUntil: number | null | undefined;
  /** The run's settings as it plans with them (coin lists resolved once markets were read). */
  settings: () => Settings;
  leaders: readonly LeaderModel[];
  ours: Pick<OurModel, "state">;
  market: Pick<MarketModel, "markets">;
  pnl: Pick<PnlKeeper, "report" | "updateShares">;
  ownership: Pick<OwnershipWatch, "managedNow">;
  safety: Pick<SafetyWatch, "hwm" | "drawdownPct" | "dailyLossHit" | "recordOwed">;
  guard: Pick<LeaderGuard, "shown" | "view">;
  protection: Pick<ProtectionKeeper, "shown" | "view"> | null;
  timeStop: Pick<TimeStop, "dueAt"> | null;
  /** Cloids of our orders on their way: while any is, a state waits for their results. */
  inFlight: ReadonlySet<string>;
  /** A plan of `coins` (pure, nothing sent): the view merges it (planned). */
  plan: (coins: string[]) => void;
  ownAccount: () => OwnAccount | null;
  streams: () => EngineStreams | null;
  /** When a sweep last succeeded (0: none yet). */
  lastSweepOkAt: () => number;
  stopping: () => boolean;
  checked: () => boolean;
  /** A copy is waiting or on its way (the state record follows it). */
  busy: () => boolean;
  reportError: (error: unknown) => void;
}

export class StateView {
  readonly #o: StateViewOptions;
  /** A state event was asked for while an order was in flight: it goes out after the results. */
  #stateHeld = false;
  #stateTimer: NodeJS.Timeout | undefined;
  /** A state record is due (JOURNAL_STATE_MS after a change status shows). */
  #journalTimer: NodeJS.Timeout | undefined;
  /** The span (CHANGE_SPAN_MS) of the last state-change record, and the highest drift in it. */
  #changeSpan: { span: number; driftMaxUsd: number | null; outsideMaxUsd: number | null } | undefined;
  #lastStateAt = 0;
  /**
   * The plans' view per coin (targets, skips, orders), merged over hot-path plans
   * (core/drift.ts mergePlanView): drift reads it, and its targets are the figures' targets.
   */
  #view: PlanView = emptyPlanView();
  /** Copy ratio per leader of the last plan (P&L attribution). */
  #leaderRatios: Record<string, number> = {};
  /**
   * Coins our hot-path orders traded since they were last planned: their drift in #view is from
   * before those fills. Re-planned (pure, nothing sent) when a view reads the figures — once per
   * state event (at the pace the views asked for), not once per copied fill.
   */
  readonly #viewStale = new Set<string>();
  /** When the copy was last in sync on fresh data (a state event's verdict), null: not yet. */
  #lastInSyncAt: number | null = null;
  /** Watches for the data going stale (and fresh again): a state event says each change. */
  #staleWatch: ReturnType<typeof setInterval> | undefined;
  #wasStale = false;

  constructor(options: StateViewOptions) {
    this.#o = options;
  }

  /** A plan was made (of `coins`; every coin: undefined): the view merges it. */
  planned(plan: Plan, coins: string[] | undefined): void {
    this.#view = mergePlanView(this.#view, plan, coins);
    if (coins) for (const c of coins) this.#viewStale.delete(c);
    else this.#viewStale.clear();
    if (plan.leaderRatios) this.#leaderRatios = plan.leaderRatios;
  }

  /** Our order in `coin` traded: its drift in the view predates the fill (re-planned when next read). */
  traded(coin: string): void {
    this.#viewStale.add(coin);
  }

  /** No order is in flight any more: a state held meanwhile goes out once the results are taken. */
  release(): void {
    if (this.#stateHeld) {
      this.#stateHeld = false;
      queueMicrotask(() => this.emitState(false));
    }
  }

  /** The data going stale (and fresh again) is watched from now on (a run with streams). */
  watchStale(): void {
    this.#staleWatch = setInterval(() => {
      const stale = this.#freshness(this.#o.now())?.stale ?? false;
      if (stale !== this.#wasStale) {
        this.#wasStale = stale;
        this.emitState(true);
        // `status` reads the journal: the turn is recorded, so it says "stale" as the views do.
        const fresh = this.#journaledFreshness(this.#o.now());
        try {
          if (this.#o.runId() !== null && fresh)
            this.#o.journal.recordEvent({
              ts: this.#o.now(),
              type: "freshness",
              runId: this.#o.runId(),
              data: { stale, ...fresh },
            });
        } catch (error) {
          this.#o.reportError(error); // a timer: nothing may throw out of it
        }
      }
    }, STALE_WATCH_MS);
    this.#staleWatch.unref?.();
  }

  /** The run stops: no state or record is due any more. */
  close(): void {
    if (this.#stateTimer) clearTimeout(this.#stateTimer);
    if (this.#journalTimer) clearTimeout(this.#journalTimer);
    this.#journalTimer = undefined;
    if (this.#staleWatch) clearInterval(this.#staleWatch);
  }

  /**
   * A sweep ended: said (its `sweep` event) and journaled with what it found — its plan's drift
   * before its orders (`found`) — and did (`orders` sent, or `held` by a pause).
   */
  sweepDone(p: {
    trigger: "sweep" | "start" | "manual";
    durationMs: number;
    requests: number;
    plan: Plan;
    found: DriftReport;
    orders: number;
    held: { held?: HeldBy };
  }): void {
    const { trigger, durationMs, requests, plan, found, orders, held } = p;
    const figures = this.figures();
    const { inSync, driftUsd, outsideUsd } = figures.drift;
    this.#o.emit({ type: "sweep", ts: this.#o.now(), durationMs, inSync, driftUsd, outsideUsd, requests });
    // The journal's sweep says what it found and did: the drift its plan saw before its orders
    // and how many it sent (`orders`) — never "in sync" for a sweep that had to send —, or that a
    // pause held them (`held`). `after`: the copy as its fills left it on the models (what status
    // reads as the last sweep); a re-read may differ (reconcile's next sweep journals that one).
    const view =
      orders > 0
        ? {
            inSync: found.inSync,
            driftUsd: found.driftUsd,
            targets: plan.targets,
            drift: found,
            pnl: figures.pnl,
            orders,
            after: { inSync, driftUsd, targets: figures.targets, drift: figures.drift },
          }
        : { inSync, driftUsd, ...figures, ...held };
    this.#o.journal.recordEvent({
      ts: this.#o.now(),
      type: "sweep",
      runId: this.#o.runId(),
      data: {
        durationMs,
        requests,
        trigger,
        ...this.journaledView({
          ...view,
          ...this.freshnessField(this.#o.now()),
          mids: figures.mids,
        }),
      },
    });
  }

  /**
   * What a sweep or run end journals of the copy's view. A run with no leader (a flatten) never
   * read one: its targets and drift (leader 0, target 0, "in sync") would be made up, so it keeps
   * only its P&L and says so (`leaderView: false`; status then says the drift is unknown).
   */
  journaledView<T extends { pnl: unknown }>(view: T): T | { leaderView: false; pnl: T["pnl"] } {
    return this.#o.leaders.length > 0 ? view : { leaderView: false, pnl: view.pnl };
  }

  /** Re-plan the coins in #viewStale, so the drift the views read is after our fills. */
  #refreshView(): void {
    if (this.#viewStale.size === 0) return;
    this.#o.plan([...this.#viewStale].sort());
  }

  /**
   * Drift and P&L now, from the plans' view and our positions (one function each, core), with
   * the targets and the mids they are valued at: one price snapshot — the markets now — for
   * every figure of the set (drift $, leader $, uPnL), never a plan's older mid beside it.
   */
  figures() {
    this.#refreshView();
    const ours = this.#o.ours.state;
    const mids = this.#mids();
    const targets = valueTargetsAt(this.#view.targets, mids, this.#o.settings().exec.deadbandPct);
    return {
      targets,
      mids,
      drift: driftReport({ ...this.#view, targets }),
      pnl: this.#o.pnl.report(ours.positions, this.#o.market.markets, this.#o.ownership.managedNow()),
    };
  }

  /** Each leader's share of our positions as they stand (the P&L attribution follows them). */
  updateShares(): void {
    this.#o.pnl.updateShares(
      this.#o.leaders.map((l) => ({ address: l.address, positions: l.state.positions })),
      this.#leaderRatios,
    );
  }

  /**
   * A change `status` shows: the run's state is journaled JOURNAL_STATE_MS from now, or just
   * before the journal's open group commits when that is later (one record for every change
   * until then, committed as soon as either way), off the hot path — from a timer, after any
   * plan waiting.
   */
  journalSoon(): void {
    if (this.#journalTimer || this.#o.stopping() || this.#o.runId() === null || !this.#o.checked()) return;
    const toCommit = this.#o.journal.msToCommit();
    const delay =
      toCommit !== null && toCommit - BEFORE_COMMIT_MS > JOURNAL_STATE_MS
        ? toCommit - BEFORE_COMMIT_MS
        : JOURNAL_STATE_MS;
    this.#journalTimer = setTimeout(() => {
      this.#journalTimer = undefined;
      // A copy waiting or on its way goes first: the record follows it.
      if (this.#o.busy()) this.journalSoon();
      else this.#journalState();
    }, delay);
    this.#journalTimer.unref?.();
  }

  /** The copy as it stands — targets, drift, P&L — journaled as a state of `moment` "change". */
  #journalState(): void {
    const runId = this.#o.runId();
    if (this.#o.stopping() || runId === null) return;
    try {
      // The equity a close left rides in the same group (SafetyWatch.owe).
      this.#o.safety.recordOwed();
      const record = this.stateRecord(runId, "change");
      const span = Math.floor(record.ts / CHANGE_SPAN_MS);
      const same = this.#changeSpan?.span === span;
      const report = "drift" in record.data ? record.data.drift : null;
      const highest = (before: number | null | undefined, now: number | null): number | null => {
        const b = same ? (before ?? null) : null;
        return b === null ? now : now === null ? b : Math.max(b, now);
      };
      // The minute's highest of both figures: the total (report's maxDriftUsd) and the header's
      // (`drift $X`, which the journal's line for the record says its peak in).
      const driftMaxUsd = highest(this.#changeSpan?.driftMaxUsd, report?.driftUsd ?? null);
      const outsideMaxUsd = highest(this.#changeSpan?.outsideMaxUsd, report?.outsideUsd ?? null);
      this.#changeSpan = { span, driftMaxUsd, outsideMaxUsd };
      this.#o.journal.recordStateChange(
        { ...record, data: { ...record.data, driftMaxUsd, outsideMaxUsd } },
        same,
      );
    } catch (error) {
      this.#o.reportError(error);
    }
  }

  /** The journal's `state` record of the copy now (a run's end; `moment` "change" while it runs). */
  stateRecord(runId: number, moment?: "change") {
    const now = this.#o.now();
    // The figures first: they bring the view up to date, and with it the targets recorded.
    const figures = this.figures();
    return {
      ts: now,
      type: "state" as const,
      runId,
      data: this.journaledView({
        ...figures,
        ...this.freshnessField(now),
        ...(moment ? { moment } : {}),
      }),
    };
  }

  /** The mid of every coin the copy's rows show (targets and our positions): what a row is valued at. */
  #mids(): Record<string, number> {
    const out: Record<string, number> = {};
    const coins = new Set([
      ...this.#view.targets.map((t) => t.coin),
      ...Object.keys(this.#o.ours.state.positions),
    ]);
    for (const c of [...coins].sort()) {
      const mid = this.#o.market.markets[c]?.mid;
      if (mid !== undefined && Number.isFinite(mid) && mid > 0) out[c] = mid;
    }
    return out;
  }

  /** The state event, at the views' pace (`force`: now); held while an order of ours is out. */
  emitState(force: boolean): void {
    // An order of ours on its way is not drift, nor is it done: the exchange may have filled it
    // (the account stream says so first) while our position model waits for its result. A state
    // built now would count the order as drift (a close in flight as a whole position to sell):
    // it waits for the results, and goes out once they are taken (release, after the engine's #execute).
    if (this.#o.inFlight.size > 0) {
      this.#stateHeld = true;
      return;
    }
    const now = this.#o.now();
    // At the pace the views asked for (EngineEvents.wantState), never faster than the dashboard's.
    const every = Math.max(STATE_EVERY_MS, this.#o.events.stateEveryMs);
    if (!force && now - this.#lastStateAt < every) {
      // Throttled, not dropped: the latest state goes out when the window ends.
      if (!this.#stateTimer && !this.#o.stopping()) {
        this.#stateTimer = setTimeout(
          () => {
            this.#stateTimer = undefined;
            if (!this.#o.stopping()) this.emitState(true);
          },
          every - (now - this.#lastStateAt),
        );
        this.#stateTimer.unref?.();
      }
      return;
    }
    if (this.#stateTimer) {
      clearTimeout(this.#stateTimer);
      this.#stateTimer = undefined;
    }
    this.#lastStateAt = now;
    const figures = this.figures();
    const fresh = this.#freshness(now);
    if (fresh && !fresh.stale && figures.drift.inSync) this.#lastInSyncAt = now;
    // The planner's own deadband of each target (never recomputed here).
    const deadband: Record<string, number> = {};
    for (const t of figures.targets) deadband[t.coin] = t.deadbandUsd;
    const ours = this.#o.ours.state;
    this.updateShares();
    this.#o.emit({
      type: "state",
      ts: now,
      account: {
        address: ours.address,
        // A live run's equity is the exchange's account value as of its last update (its mark,
        // its moment), the figure status, the journal and the safety rules read; the P&L below
        // is valued at this frame's mids. Re-marking the equity to the mids would make it a
        // figure of the dashboard's alone, and valuing the P&L at the update's marks would take
        // the rows' uPnL off the mid their drift $ is at: the two are left apart (README, Drift).
        accountValue:
          this.#o.ownAccount()?.value(ours.positions, this.#o.market.markets) ?? ours.accountValue,
        positions: Object.values(ours.positions),
      },
      hwm: this.#o.safety.hwm,
      drawdownPct: this.#o.safety.drawdownPct,
      dailyLossStop: this.#o.safety.dailyLossHit,
      leaders: this.#o.leaders.map((l) => ({
        address: l.address,
        accountValue: l.state.accountValue,
        positions: Object.values(l.state.positions),
      })),
      deadbandUsd: deadband,
      ...figures,
      ...(fresh
        ? { freshness: { freshAt: fresh.freshAt, staleMs: fresh.staleMs, lastInSyncAt: this.#lastInSyncAt } }
        : {}),
      ...(this.#o.agentValidUntil === undefined
        ? {}
        : {
            agent: {
              validUntil: this.#o.agentValidUntil,
              daysLeft:
                this.#o.agentValidUntil === null ? null : approvalDaysLeft(this.#o.agentValidUntil, now),
            },
          }),
      ...(this.#o.protection?.shown ? { protection: this.#o.protection.view() } : {}),
      ...(this.#o.guard.shown
        ? {
            leaderCopy: this.#o.guard.view(
              this.#o.leaders.map((l) => l.view()),
              this.#o.market.markets,
            ),
          }
        : {}),
      ...(this.#o.timeStop ? { timeStops: this.#o.timeStop.dueAt() } : {}),
    });
  }

  /**
   * How fresh our picture of the exchange is (core/drift.ts Freshness): the last stream message
   * or good sweep, and the staleness window #isLeaderStale uses. Undefined before the first sweep.
   */
  #freshness(now: number): (Freshness & { stale: boolean }) | undefined {
    const lastSweepOkAt = this.#o.lastSweepOkAt();
    if (lastSweepOkAt === 0) return undefined;
    const staleMs = this.#o.staleMs ?? 60_000;
    const freshAt = Math.max(lastSweepOkAt, this.#o.streams()?.health().lastSocketMessageAt ?? 0);
    return { freshAt, staleMs, lastInSyncAt: this.#lastInSyncAt, stale: now - freshAt > staleMs };
  }

  /** The freshness a journaled record carries (core/drift.ts Freshness), so `status` judges it as the views do. */
  #journaledFreshness(now: number): Freshness | undefined {
    const f = this.#freshness(now);
    return f ? { freshAt: f.freshAt, staleMs: f.staleMs, lastInSyncAt: this.#lastInSyncAt } : undefined;
  }

  /** The freshness field of a journaled record (none before the first sweep). */
  freshnessField(now: number): { freshness?: Freshness } {
    const freshness = this.#journaledFreshness(now);
    return freshness ? { freshness } : {};
  }

  /** The leaders' data is older than the staleness window (the planner's `staleLeader`). */
  isLeaderStale(now: number): boolean {
    const staleMs = this.#o.staleMs ?? 60_000;
    const streams = this.#o.streams();
    const lastSweepOkAt = this.#o.lastSweepOkAt();
    if (!streams) return now - lastSweepOkAt > staleMs && lastSweepOkAt > 0;
    const socketAge = now - streams.health().lastSocketMessageAt;
    return socketAge > staleMs && now - lastSweepOkAt > staleMs;
  }
}
