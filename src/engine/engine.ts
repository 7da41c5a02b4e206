// The copy engine: models fed by streams and sweeps → the planner → an executor, with the
// journal and the safety rules around every step. `follow` runs it continuously;
// `reconcile` uses one recover + sweep; `demo` runs it against the in-process simulator.
//
// Invariants this file keeps:
// * One plan-and-send at a time (a promise chain): a plan always sees the fills of the
//   previous one and no coin has two orders in flight. A sweep's REST reads run outside that
//   chain (a leader fill is planned and sent while a sweep reads); only the sweep's apply, plan
//   and send step is queued, on the models as the streams left them, merged with the reads
//   (what changed after a read was sent keeps the newer view: see OurModel.applySnapshot).
// * Every order's intent is journaled (by cloid) before it is sent; a cloid the journal
//   already holds is never sent again. Unresolved orders from an earlier process are looked
//   up by cloid before anything is planned.
// * Stream snapshots update the models but never trigger orders; fills do (coalesced per coin).
// * Once `stop()` is called nothing new is sent; the job in flight finishes first.

import { driftReport, emptyPlanView, mergePlanView } from "../core/drift.js";
import { AgentNotApprovedError, JournalBusyError, RateLimitError, toHlcopyError } from "../core/errors.js";
import { FillDeduper } from "../core/fills.js";
import { listed } from "../core/format.js";
import { copyRatios, leaderSides } from "../core/leaders.js";
import { ORDER_SETTLE_MS, type OrderResult, type OrderStatus, orderFields } from "../core/orders.js";
import { type PlanContext, planOrders } from "../core/planner.js";
import { protectionOn } from "../core/protection.js";
import { type HaltKind, sentWhilePaused } from "../core/safety.js";
import { resolveCoinSettings, type Settings } from "../core/settings.js";
import { type OrderTrigger, orderKind, slippageBps, touchPrice } from "../core/slippage.js";
import type { Address, Plan, PlannedAction } from "../core/types.js";
import { boundTo, cutByStop, withoutBackoffWait } from "../exchange/retry.js";
import { AgentWatch } from "./agent-watch.js";
import { BookWatch } from "./book-watch.js";
import { CoinBackoff } from "./coin-backoff.js";
import { CopyState } from "./copy-state.js";
import { EntryStyles } from "./entry-styles.js";
import { ErrorReport } from "./error-report.js";
import { type EngineEvent, EngineEvents, type RunMode } from "./events.js";
import { bookReaderOf, dryRunExecutor, type Executor, type OwnAccount } from "./executor.js";
import { ExitStep } from "./exit-step.js";
import { PnlKeeper } from "./figures.js";
import { fillHistoryRead } from "./fill-history.js";
import { FillsSilence } from "./fills-silence.js";
import { InFlight } from "./in-flight.js";
import { JournalGuard } from "./journal-guard.js";
import { LeaderGuard } from "./leader-guard.js";
import { LeverageKeeper } from "./leverage-keeper.js";
import { LeaderModel, MarketModel, OurModel } from "./models.js";
import { OurFills } from "./our-fills.js";
import { OwnershipWatch } from "./ownership-watch.js";
import { Pause } from "./pause.js";
import { PlanReview } from "./plan-review.js";
import type {
  EngineOptions,
  EngineStreamEvent,
  EngineStreams,
  ExecutedAction,
  OnExit,
  OpenEngineStreams,
  SweepResult,
} from "./ports.js";
import { type CoinProtection, ownTriggersMayRest, ProtectionKeeper } from "./protection.js";
import { OrderRecovery } from "./recovery.js";
import { type RunPolicy, runPolicy } from "./run-mode.js";
import { SafetyWatch } from "./safety-watch.js";
import { StartChecks, tooSmallRefusal } from "./start-checks.js";
import { StartupWaits } from "./startup-waits.js";
import { StateView } from "./state-view.js";
import { SweepReader, type SweepReads } from "./sweep-reads.js";
import { TimeStop } from "./time-stop.js";
import { WarningLog } from "./warning-log.js";
import { WsOutage } from "./ws-outage.js";

/** How soon a sweep follows an order left uncertain (its position may have changed). */
const UNCERTAIN_SWEEP_MS = 1_000;
/** While an order's look-up keeps failing, the sweeps that try it again back off up to this. */
const MAX_UNKNOWN_RETRY_MS = 30_000;
/** A hot-path plan whose coin a portfolio cap left no room asks for a sweep at most this often. */
const CAP_SWEEP_MS = 5_000;
/** A halt whose closing sweep failed retries after this (doubling up to the maximum). */
const HALT_RETRY_MS = 1_000;
const MAX_HALT_RETRY_MS = 30_000;
/** How long a stop waits on a sweep's reads before it says so (as in-flight.ts does for an order). */
const STOP_WAIT_SAY_MS = 1_000;

/** How long a stop waits for a journal another program holds before it ends without it. */
const STOP_JOURNAL_WAIT_MS = 10_000;

export class CopyEngine {
  readonly events: EngineEvents;
  readonly #o: EngineOptions;
  /** What the run's mode lets it do (run-mode.ts): the engine tests these, not the mode. */
  readonly #can: RunPolicy;
  readonly #now: () => number;
  readonly #leaders: LeaderModel[];
  readonly #ours: OurModel;
  readonly #market = new MarketModel();
  #runId: number | null = null;
  #queue: Promise<void> = Promise.resolve();
  /** Jobs queued and not yet finished (0: the next one starts at once). */
  #queued = 0;
  /** Sweeps run one after another (their reads outside #queue, their plan-and-send on it). */
  #sweepChain: Promise<void> = Promise.resolve();
  /** A sweep waiting for the one in progress: a further request joins it. */
  #sweepWaiting: Promise<SweepResult> | null = null;
  /** Our order request on its way: its cloids, said when late or when a stop waits on it (in-flight.ts). */
  readonly #inFlight: InFlight;
  /** A leader's fills stream gone quiet while its account stream moves (fills-silence.ts). */
  readonly #silence: FillsSilence;
  /** The websocket down long enough to say what copying rests on meanwhile (ws-outage.ts). */
  readonly #wsOutage: WsOutage;
  /** Views and journal work held back off the hot path (see #later). */
  #deferred: (() => void)[] = [];
  #deferredScheduled = false;
  #dirty = new Set<string>();
  /**
   * Coins to re-plan within the current sweep of a run without streams (reconcile): a passive
   * entry the exchange refused as crossing goes as IOC in the same run, as follow's re-plan does.
   */
  readonly #replanInSweep = new Set<string>();
  #planScheduled = false;
  #stopping = false;
  /** When the sweep now reading began (its reads out, ms), null when none reads. */
  #sweepReadingSince: number | null = null;
  readonly #stopSignal = new AbortController();
  /**
   * Aborted when the run sends no more (its stop, or endSends: a reconcile's stop signal once its
   * orders may be out — it still awaits them, reads again and reports): an order batch waiting
   * for the request budget or a 429's resend, a leverage update or trigger not begun, are not sent.
   */
  readonly #sendsEnd = new AbortController();
  #unlocked: Promise<void> | null = null;
  /** The run reached the point where it may send (its run, or a sweep that executes). */
  #acted = false;
  /** The pause, and what it holds (pause.ts). */
  readonly #pause: Pause;
  #sweepTimer: NodeJS.Timeout | undefined;
  /** When #sweepTimer fires (performance.now() ms). */
  #sweepDueAt = Number.POSITIVE_INFINITY;
  /**
   * The exchange time of our latest fill with no account reading of a moment at or after it, or
   * null: the next such reading is journaled at once (post-fill equity), and the run's end reads
   * the equity the fills left (a kill switch's closes) when one stands.
   */
  #equityAfterFill: number | null = null;
  /**
   * When (our clock) a fill the run did not send changed our account — a trade by hand, a
   * resting trigger that fired — with no read of the account begun since, or null. Its sweep is
   * due at once; a stop before that sweep read it reads the account itself, so the on-exit step,
   * the final state and status name the positions as they are.
   */
  #accountUnreadSince: number | null = null;
  /** The books streamed (follow) or read (reconcile's passive entries): book-watch.ts. */
  readonly #books: BookWatch;
  #streams: EngineStreams | null = null;
  #startedAt = 0;
  #seq = 0;
  #requests = 0;
  #lastSweepOkAt = 0;
  /** A sweep's reads, outside the queue (sweep-reads.ts). */
  readonly #sweepReader: SweepReader;
  /** The copy as shown and journaled: the plans' view, figures, state events and records (state-view.ts). */
  readonly #stateView: StateView;
  /** Reads retried until the first good sweep, and begin() while the journal is held (startup-waits.ts). */
  readonly #waits: StartupWaits;
  /** How errors are told (error-report.ts). */
  readonly #errors: ErrorReport;
  /** The journal's busy spells: said, the orders they kept counted, a stop's wait (journal-guard.ts). */
  readonly #journalGuard: JournalGuard;
  /** The run's warnings, journaled: status and journal say them after the run (warning-log.ts). */
  readonly #warningLog: WarningLog;
  /** The equity rules and halts (high-water mark, drawdown, daily loss, kill switch, flatten). */
  readonly #safety: SafetyWatch;
  /** The exchange refusing our signer, and the approval's end (agent-watch.ts). */
  readonly #agent: AgentWatch;
  /** run() was called: the engine stops itself on a fatal condition (a one-shot caller decides). */
  #continuous = false;
  /** An order ended uncertain: the next sweep comes after UNCERTAIN_SWEEP_MS. */
  #sweepSoon = false;
  /**
   * This run's orders whose result came back uncertain (cloid → coin), not looked up yet. Our
   * model of the coin may or may not hold the order's fill: the coin is planned on neither (skip
   * "order-unknown") until it is looked up and our account read again — an order planned on a
   * position the exchange no longer holds bought what a close had already closed, and a sweep
   * reading meanwhile could keep the model's figure (OurModel.applySnapshot).
   */
  readonly #uncertain = new Map<string, string>();
  /** Coins whose uncertain order was looked up, → #resolutions then: held until a read of our account sent after it is applied. */
  readonly #unknownUntilRead = new Map<string, number>();
  /** Counts the look-ups that resolved one of #uncertain (the mark a sweep's read takes: SweepReads.resolvedMark). */
  #resolutions = 0;
  /** While coins are held so, the sweep that looks their orders up again comes after this (doubling). */
  #unknownRetryMs = 0;
  /** The current wait before a halted, not yet flat account is swept again (0: not retrying). */
  #closeRetryMs = 0;
  /** The one de-duplication of fills (leaders' and ours), whatever delivered them. */
  readonly #fills = new FillDeduper();
  readonly #liquidated = new Set<string>();
  /** Each coin's backoff after a rejected order (coin-backoff.ts). */
  readonly #backoff: CoinBackoff;
  /** Our fills, journaled against what each order was sent at (our-fills.ts). */
  readonly #ourFills: OurFills;
  /** Our orders whose outcome is unknown, looked up by cloid (live runs: start-up and each sweep). */
  readonly #recovery: OrderRecovery;
  /** The copy's P&L (since it began) and the execution-slippage budget. */
  readonly #pnl: PnlKeeper;
  /** The executor the run uses: the one given, or a dry run's own (dryRunExecutor). */
  readonly #executor: Executor | null;
  /**
   * leaderFill events made so far: a decision carries the count its plan was made after
   * (`leaderSeen`), so the views know which of the leader's trades it decided on.
   */
  #leaderFillsTold = 0;
  /** Coins a leader fill made dirty (their orders are copies, not repairs). */
  readonly #dirtyByFill = new Set<string>();
  /** Latest leader fill time per coin (the lag reference). */
  readonly #leaderFillTime = new Map<string, number>();
  readonly #copyState: CopyState;
  /** The run-start checks (leaders, ownership) passed. */
  #checked = false;
  /**
   * The run's warnings and notices told before its start checks passed (its own and the
   * command's set-up's, `warn`): said once they pass, in order, and never when they refuse the
   * run — a refused run says its refusal, not warnings about a run that does not happen. A review that can only
   * refuse (ReviewPlan.refuses: no terminal, no --yes) is one of those checks. null once said.
   * Lines that say why the start is taking time (a retried read, a held journal, an earlier
   * order awaited) are no warnings about the run: said at once (#emitNow).
   */
  #heldWarnings: EngineEvent[] | null = [];
  /**
   * Warnings said before the run was journaled (no run id yet: the set-up's start-up waits,
   * saidAtSetUp, and a journal another program held at begin): journaled as the run's own once
   * it begins, each at the time it was said.
   */
  #unjournaled: { message: string; ts: number }[] = [];
  /** The run-start checks (start-checks.ts): history, anchor, empty leaders and account. */
  readonly #checks: StartChecks;
  /** The trader's review of the plan, and the warnings around it (plan-review.ts). */
  readonly #review: PlanReview;
  /** The run's first plan was checked for a copy too small to hold anything (#refuseTooSmall). */
  #sizeChecked = false;
  /** Positions hlcopy did not open (refused, adopted or left alone) and join new-only. */
  readonly #ownership: OwnershipWatch;
  #exitCode = 0;
  /** The run's settings with coin lists in the exchange's spelling, once markets were read. */
  #settings: Settings;
  #coinsResolved = false;
  /** Our leverage and margin mode per coin on the exchange (live sending runs). */
  readonly #leverage: LeverageKeeper | null;
  #resolveStopped: (code: number) => void = () => {};
  readonly stopped: Promise<number>;
  /** Resting protection (live runs with a stop / take-profit setting on, or triggers of ours left to cancel). */
  readonly #protection: ProtectionKeeper | null;
  #protectScheduled = false;
  /** The clean stop's on-exit step and its last reading of our account (exit-step.ts). */
  readonly #exitStep: ExitStep;
  /** risk.maxHoldHours (issue 14): the hold clock and the coins it closed. */
  readonly #timeStop: TimeStop | null;
  /** Per-leader limits and breakers (issue 14): unfollowed leaders, gates, the copy per leader. */
  readonly #guard: LeaderGuard;
  /** Issue 21: sizing inputs (volatility, leader edge), the copy delay, passive entries. */
  readonly #styles: EntryStyles;

  constructor(options: EngineOptions) {
    this.#o = options;
    const can = runPolicy(options.mode);
    this.#can = can;
    this.#now = options.now ?? Date.now;
    this.events = options.events ?? new EngineEvents();
    this.#leaders = options.leaders.map((l) => new LeaderModel(l.address, l.weight));
    this.#ours = new OurModel(options.account);
    this.#copyState = new CopyState(options.journal, can.journals);
    // Every part's requests count in the run's one figure.
    const countRead = () => {
      this.#requests++;
    };
    // What every part is given: the journal, how to tell, the clock, the run's id, the count.
    const base = {
      journal: options.journal,
      emit: (e: EngineEvent) => this.#emit(e),
      now: this.#now,
      runId: () => this.#runId,
      countRequest: countRead,
    };
    this.#errors = new ErrorReport({
      ...base,
      agentHalted: () => this.#agent.halted !== null,
    });
    // Its lines say why the start is taking time: told as they happen, not held with the warnings.
    const now = { ...base, emit: (e: EngineEvent) => this.#emitNow(e) };
    this.#waits = new StartupWaits({
      ...now,
      settings: options.settings,
      startupRetryDelayMs: options.startupRetryDelayMs,
      signal: this.#stopSignal.signal,
      swept: () => this.#lastSweepOkAt > 0,
    });
    this.#agent = new AgentWatch({
      ...base,
      approveHint: options.approveHint,
      waitForApproval: options.waitForApproval,
      agentValidUntil: options.agentValidUntil,
      fatal: (e) => this.#errors.fatal(e),
      continuous: () => this.#continuous,
      stop: (reason, exitCode) => void this.stop(reason, exitCode),
    });
    this.#journalGuard = new JournalGuard({
      ...base,
      retentionDays: options.journalRetentionDays,
      stopping: () => this.#stopping,
      repair: () => {
        if (this.#streams) this.sweepNow();
      },
    });
    options.journal.onBusy((state) => this.#journalGuard.onBusy(state));
    this.#warningLog = new WarningLog({
      record: (p) => {
        try {
          options.journal.recordWarning(p);
        } catch {
          // The warning was said; a journal that cannot take it fails its other writes too, and
          // they say so (a warning about this one would only be journaled again, and fail).
        }
      },
    });
    this.#ownership = new OwnershipWatch({
      ...base,
      journaledElsewhere: (message) => this.#warningLog.journaledElsewhere(message),
      copyState: this.#copyState,
      account: options.account,
      mode: options.mode,
      adopt: options.adopt === true,
      sayUnneeded: options.sayUnneededPermits === true,
      leaveForeign: options.leaveForeign === true,
      join: options.settings.join,
    });
    this.#checks = new StartChecks({
      ...base,
      reader: options.reader,
      account: options.account,
      network: options.network,
      mode: options.mode,
      leaders: options.leaders.map((l) => l.address),
      allowEmptyLeader: options.allowEmptyLeader === true,
      sayUnneeded: options.sayUnneededPermits === true,
      startupRead: (what, read) => this.#waits.read(what, read),
      ownAccount: () => this.#ownAccount() !== null,
      ledgerSince: () => this.#safety.ledgerSince(),
    });
    // A dry run fills on a model of our account, its own executor (nothing is sent).
    this.#executor = can.previewsLive
      ? dryRunExecutor(bookReaderOf(options.reader, countRead))
      : options.executor;
    this.#settings = options.settings;
    const update = options.reader.updateLeverage?.bind(options.reader);
    this.#leverage =
      update && can.sendsOrders && options.executor
        ? new LeverageKeeper({
            ...base,
            update,
            retryAfterMs: options.backoffMs ?? 2_000,
            signal: () => (this.#exitStep.running ? undefined : this.#sendsEnd.signal),
          })
        : null;
    this.#safety = new SafetyWatch({ ...base, settings: options.settings, mode: options.mode });
    this.#pause = new Pause({
      ...base,
      journals: can.journals,
      safety: this.#safety,
      // A plan made once sends have ended is held as a stop's is: journaled as not sent.
      stopping: () => this.#sendsOver,
    });
    this.#pnl = new PnlKeeper({
      ...base,
      account: options.account,
      mode: options.mode,
      leaders: options.leaders,
      ...(options.reader.getFunding ? { getFunding: options.reader.getFunding.bind(options.reader) } : {}),
      managedAt: (ts) => this.#copyState.managedAt(ts),
    });
    this.#inFlight = new InFlight({ ...base, orderLateMs: options.orderLateMs });
    this.#ourFills = new OurFills({
      ...base,
      reader: options.reader,
      account: options.account,
      modelsAccount: can.modelsAccount,
      copyState: this.#copyState,
      safety: this.#safety,
      pnl: this.#pnl,
      slippageBudgetBps: options.settings.exec.slippageBudgetBps ?? null,
      streaming: () => this.#streams !== null,
      ownAccount: () => this.#ownAccount() !== null,
      recorded: (time) => {
        this.#equityAfterFill = Math.max(this.#equityAfterFill ?? time, time);
        this.#stateView.journalSoon();
      },
    });
    this.#recovery = new OrderRecovery({
      ...now,
      reader: options.reader,
      account: options.account,
      settleMs: options.orderSettleMs ?? ORDER_SETTLE_MS,
      startupRead: (what, read) => this.#waits.read(what, read),
      inFlight: (cloid) => this.#inFlight.cloids.has(cloid),
      recordOurFill: (f, cloid) => this.#ourFills.record(f, this.#ourFills.ref(cloid)),
      resolved: (cloid) => {
        const coin = this.#uncertain.get(cloid);
        if (coin === undefined) return;
        this.#uncertain.delete(cloid);
        this.#unknownUntilRead.set(coin, ++this.#resolutions);
      },
    });
    // Without a protection setting a live run still clears the triggers an earlier run left.
    this.#protection =
      options.protection &&
      can.restsOrders &&
      (protectionOn(options.settings) || ownTriggersMayRest(options.journal))
        ? new ProtectionKeeper({
            ...base,
            sender: options.protection,
            account: options.account,
            settings: options.settings,
            signal: () => (this.#exitStep.running ? undefined : this.#sendsEnd.signal),
          })
        : null;
    const hours = options.settings.risk.maxHoldHours;
    const persist = can.journals;
    this.#timeStop = hours != null ? new TimeStop({ ...base, persist, maxHoldHours: hours }) : null;
    this.#guard = new LeaderGuard({ ...base, persist, settings: options.settings, leaders: options.leaders });
    this.stopped = new Promise((resolve) => {
      this.#resolveStopped = resolve;
    });
    this.#styles = new EntryStyles({
      ...base,
      settings: options.settings,
      mode: options.mode,
      reader: options.reader,
      account: options.account,
      ...(options.passive && options.executor ? { passive: options.passive } : {}),
      enqueue: (job) => {
        this.#enqueue(job).catch((error: unknown) => this.#errors.report(error));
      },
      replan: (coins) => {
        if (this.#stopping || !this.#streams) return;
        for (const c of coins) this.#dirty.add(c);
        this.#schedulePlan();
      },
      acting: () => this.#maySend,
      markets: () => this.#market.markets,
      applyOwnFill: (f) => this.#ours.applyOwnFill({ coin: f.coin, side: f.side }, f.size, f.px),
      signal: () => (this.#exitStep.running ? undefined : this.#sendsEnd.signal),
    });
    this.#settings = this.#styles.settings;
    const replan = (coin: string) => {
      this.#dirty.add(coin);
      this.#schedulePlan();
    };
    this.#backoff = new CoinBackoff({
      ...base,
      backoffMs: options.backoffMs,
      replans: () => !this.#stopping && this.#streams !== null,
      replan,
    });
    this.#wsOutage = new WsOutage({ ...base, sweepSeconds: options.settings.exec.sweepSeconds });
    this.#silence = new FillsSilence({
      ...base,
      leaderFillTime: this.#leaderFillTime,
      stopping: () => this.#stopping,
      streaming: () => this.#streams !== null,
      replan,
    });
    this.#exitStep = new ExitStep({
      ...base,
      settings: options.settings,
      reader: options.reader,
      account: options.account,
      ours: this.#ours,
      market: this.#market,
      protection: this.#protection,
      styles: this.#styles,
      safety: this.#safety,
      readState: () => this.#readState(),
      leaderSizes: () => this.#leaderSizes(),
      seed: () => `${options.account}|${options.journal.id}|${this.#runId ?? 0}|${++this.#seq}`,
      execute: (plan) => this.#execute(plan, true, true, "exit"),
      protect: () => this.#protect(),
      ownAccount: () => this.#ownAccount() !== null,
      readingAccount: () => {
        this.#equityAfterFill = null;
      },
    });
    this.#stateView = new StateView({
      ...base,
      events: this.events,
      staleMs: options.staleMs,
      agentValidUntil: options.agentValidUntil,
      settings: () => this.#settings,
      leaders: this.#leaders,
      ours: this.#ours,
      market: this.#market,
      pnl: this.#pnl,
      ownership: this.#ownership,
      safety: this.#safety,
      guard: this.#guard,
      protection: this.#protection,
      timeStop: this.#timeStop,
      inFlight: this.#inFlight.cloids,
      plan: (coins) => {
        this.#plan(coins);
      },
      ownAccount: () => this.#ownAccount(),
      streams: () => this.#streams,
      lastSweepOkAt: () => this.#lastSweepOkAt,
      stopping: () => this.#stopping,
      checked: () => this.#checked,
      busy: () => this.#planScheduled || this.#queued > 0,
      reportError: (error) => this.#errors.report(error),
    });
    this.#books = new BookWatch({
      ...base,
      reader: options.reader,
      streams: () => this.#streams,
      stopping: () => this.#stopping,
      market: this.#market,
      ours: this.#ours,
      leaders: this.#leaders,
    });
    this.#review = new PlanReview({
      ...base,
      review: options.review,
      settings: options.settings,
      leaders: options.leaders,
      models: this.#leaders,
      ours: this.#ours,
      copyState: this.#copyState,
      ownership: this.#ownership,
      keepsProtection: this.#protection !== null,
      signal: this.#stopSignal.signal,
      replan: async () => {
        await this.#applyReads(await this.#sweepReader.read(false));
        return this.#plan(undefined);
      },
    });
    this.#sweepReader = new SweepReader({
      ...base,
      reader: options.reader,
      account: options.account,
      settings: options.settings,
      leaderCashFlows: options.leaderCashFlows,
      can,
      leaders: this.#leaders,
      market: this.#market,
      ours: this.#ours,
      protection: this.#protection,
      recovery: this.#recovery,
      checks: this.#checks,
      safety: this.#safety,
      pnl: this.#pnl,
      copyState: this.#copyState,
      ownership: this.#ownership,
      ourFills: this.#ourFills,
      startupRead: (what, read) => this.#waits.read(what, read),
      swept: () => this.#lastSweepOkAt > 0,
      checked: () => this.#checked,
      streaming: () => this.#streams !== null,
      ownAccount: () => this.#ownAccount() !== null,
      readingAccount: () => {
        this.#equityAfterFill = null;
      },
      resolutionMark: () => this.#resolutions,
    });
  }

  /** stop() was called (a signal, q, a refusal): nothing new is sent. */
  get isStopping(): boolean {
    return this.#stopping;
  }

  /**
   * Send nothing more from now on, without stopping yet (a reconcile's stop signal once it may
   * have sent: the order request out is awaited, the account read again and reported). A plan
   * made after it is journaled held `stopping` (its orders not sent); the signal is journaled, so
   * the journal says what was sent and that the rest was not, and why.
   */
  endSends(reason: string): void {
    if (this.#sendsOver) return;
    this.#sendsEnd.abort();
    const o = this.#o;
    if (!this.#can.journals || this.#runId === null) return;
    try {
      o.journal.recordEvent({ ts: this.#now(), type: "stopping", runId: this.#runId, data: { reason } });
    } catch (error) {
      this.#errors.report(error);
    }
  }

  /** Nothing more is sent: the run stops, or its sends ended (endSends). */
  get #sendsOver(): boolean {
    return this.#sendsEnd.signal.aborted;
  }

  /** Past its checks and its review: from then on the run may have sent something. */
  get hasActed(): boolean {
    return this.#acted;
  }

  /**
   * The send path's own gate: the run acted and, when it sends real orders, its plan was
   * reviewed (preflight's, or its first sweep's after the key's unlock). run() acts up front,
   * so a run() with no preflight whose first sweep skipped the review (it started paused) had
   * acted unreviewed: a leader fill once the pause lifted sent on the hot path, before any
   * sweep asked the review or opened the key. Until then plans are held; a sweep reviews.
   */
  get #maySend(): boolean {
    return this.#acted && (!this.#can.sendsOrders || this.#review.reviewed);
  }

  /** The halt that holds this run (journaled, or a dry run's own in memory), or null. */
  get halt(): { kind: HaltKind; reason: string } | null {
    const halt = this.#safety.halt;
    return halt ? { kind: halt.kind, reason: halt.reason } : null;
  }

  get mode(): RunMode {
    return this.#o.mode;
  }

  get runId(): number | null {
    return this.#runId;
  }

  /** Requests made to the exchange by this engine (reads and order batches). */
  get requests(): number {
    return this.#requests;
  }

  // ---- lifecycle ---------------------------------------------------------------------

  /**
   * begin(), a journal another program holds (a backup tool) waited for like a start-up read
   * (startup-waits.ts); reconcile and flatten begin so too.
   */
  async beginWhenFree(): Promise<void> {
    await this.#waits.beginWhenFree(() => this.begin());
  }

  /** Journal the run and announce it. */
  begin(): void {
    const o = this.#o;
    this.#startedAt = this.#now();
    // The sizing the positions are at: the last run that traded at its own (not a paused one).
    const before = o.journal.lastRun({ trading: true, sizedBy: true });
    // Until the run may send (#act), what it records is held: a refused run keeps none of it.
    if (!this.#acted) o.journal.hold();
    this.#runId = o.journal.startRun({
      command: o.command,
      leaders: o.leaders,
      account: o.account,
      network: o.network,
      settings: o.settings,
      startedAt: this.#startedAt,
    });
    this.#pnl.begin();
    // What the run's start-up said before this (its waits) is the run's too: status and the
    // journal say it (held with the run: a refused run keeps none of it).
    const runId = this.#runId;
    for (const w of this.#unjournaled.splice(0)) this.#warningLog.said(runId, w.message, w.ts);
    // A paper run's account is new: the copy state an earlier paper account left is set aside.
    const setAside = this.#can.newAccountEachRun ? this.#setAsideEarlierAccount() : [];
    const halt = this.#safety.loadHalt();
    // Inside the 7-day window already: the pre-trade check warned; warn only on crossing it.
    this.#agent.begin(this.#startedAt);
    this.#emit({
      type: "start",
      ts: this.#startedAt,
      mode: o.mode,
      leaders: o.leaders,
      account: o.account,
      network: o.network,
    });
    this.#review.warnSizingChanged(before);
    if (setAside.length > 0) {
      this.#emit({
        type: "notice",
        ts: this.#startedAt,
        kind: "paper-account",
        message: `new paper account: set aside the earlier paper account's ${listed(setAside)} — this account's copy starts from none of them`,
      });
    }
    if (protectionOn(o.settings) && !this.#can.restsOrders) {
      this.#emit({
        type: "notice",
        ts: this.#startedAt,
        kind: "protection",
        message: `resting stops / take-profits are placed by live runs only: this ${o.mode === "dry-run" ? "dry run" : "paper run"} does not simulate them`,
      });
    }
    // A halt from an earlier run is still in force: say so before anything else happens — as
    // standing since it was recorded, not as a new halt (no alert, not counted again).
    if (halt)
      this.#emit({
        type: "halt",
        ts: this.#startedAt,
        kind: halt.kind,
        reason: halt.reason,
        since: halt.since,
      });
  }

  /**
   * A new account each run (paper): the per-leader breakers and copy books, the time stop's
   * clocks and stopped-out coins, and each leader's copy baseline (its cash flows' start, join
   * new-only's coins) in the journal were an earlier paper account's. Cleared (in the journal
   * too, held with the run's start: a run refused before it acts leaves them as they were) and
   * journaled; returns what was set
   * aside that would have acted on this account, to be said once. (The high-water mark, the day's
   * start and a halt: SafetyWatch, at the first reading. What hlcopy manages of an account is not
   * kept for an account of the run's own.)
   */
  #setAsideEarlierAccount(): string[] {
    const o = this.#o;
    const now = this.#startedAt;
    const parts = [
      ...this.#guard.newAccount(now),
      ...(this.#timeStop?.newAccount(now) ?? []),
      ...this.#copyState.newAccount(
        o.leaders.map((l) => l.address),
        now,
      ),
    ];
    if (parts.length > 0)
      o.journal.recordEvent({ ts: now, type: "paperAccount", runId: this.#runId, data: { setAside: parts } });
    return parts;
  }

  /**
   * Run continuously: recover, open streams, sweep, then react to fills and sweep every
   * `exec.sweepSeconds` until `stop()`. Resolves with the exit code.
   */
  async run(openStreams: OpenEngineStreams): Promise<number> {
    // Stopped before it ran (a signal during the caller's set-up): nothing to begin.
    if (this.#stopping) return this.stopped;
    this.#continuous = true;
    if (this.#runId === null) await this.beginWhenFree();
    this.#act();
    this.#emit({ type: "connection", ts: this.#now(), state: "connecting" });
    try {
      await this.#enqueue(() => this.recoverOrders());
      // Streams first, so no fill between the sweep's read and the subscription is lost.
      // Retried like a start-up read even after the preflight's sweep: it is the run's start.
      this.#streams = await this.#waits.read(
        "the exchange's websocket",
        () => openStreams((e) => this.#onStream(e)),
        true,
        // Connected after the start-up deadline gave up on it: nobody will use it.
        (late) => void late.close().catch(() => {}),
      );
      this.#emit({ type: "connection", ts: this.#now(), state: "open" });
      if (this.#stopping) await this.#streams.close();
    } catch (error) {
      // A stop (signal) during a start-up wait ends the wait: that is no failure.
      if (this.#stopping) return this.stopped;
      const e = toHlcopyError(error);
      this.#errors.fatal(e);
      await this.stop("could not start", e.exitCode === 0 ? 1 : e.exitCode);
      return this.stopped;
    }
    this.#scheduleSweep("start", 0);
    // Data that goes stale (the exchange unreachable: no message, no sweep within the window)
    // brings no event of its own: a state event says so when it happens, and when it ends.
    this.#stateView.watchStale();
    return this.stopped;
  }

  /** Stop: nothing new is sent, the job in flight finishes, streams close, the run is journaled. */
  async stop(reason: string, exitCode = this.#exitCode): Promise<number> {
    if (this.#stopping) return this.stopped;
    this.#stopping = true;
    // Stopped while the agent cannot sign (--wait-for-approval): the run did not end in order.
    if (this.#agent.halted && exitCode === 0) exitCode = 4;
    // A batch still waiting (for the budget, or the previous batch) is not sent after this.
    this.#stopSignal.abort();
    this.#sendsEnd.abort();
    this.#exitCode = exitCode;
    // Only a run that could send (past its checks, passphrase and review): a run declined at
    // the review or stopped at a prompt sent nothing, and its exit takes no step either.
    const exitStep =
      this.#o.onExit && exitCode === 0 && this.#can.sendsOrders && this.#checked && this.#acted
        ? (this.#o.onExit as OnExit)
        : null;
    // The stop comes before the step it causes, in every view and at its own time: said now,
    // when it begins (the `stop` event ends the run, after the step's orders and its notice).
    if (exitStep)
      this.#emit({
        type: "notice",
        ts: this.#now(),
        kind: "stopping",
        message: `stopping: ${reason} — on-exit step: ${exitStep}`,
      });
    // An order request on its way is awaited (its outcome must be known and journaled): a stop
    // that waits on a slow one says so, not seconds of silence.
    const waiting = this.#inFlight.sayWhileStopping();
    // So is a sweep whose reads the exchange has not answered (its step must not run after the
    // run's end is journaled): seconds of a slow exchange after a Ctrl-C, said, not silent.
    const reading = setTimeout(() => {
      const since = this.#sweepReadingSince;
      if (since !== null)
        this.#emit({
          type: "notice",
          ts: this.#now(),
          kind: "stopping",
          message: `stopping: awaiting the sweep's reads the exchange has not answered (begun ${((this.#now() - since) / 1000).toFixed(0)}s ago) — nothing new is sent`,
        });
    }, STOP_WAIT_SAY_MS);
    reading.unref?.();
    if (this.#sweepTimer) clearTimeout(this.#sweepTimer);
    this.#stateView.close();
    this.#styles.close();
    await this.#sweepChain;
    await this.#queue;
    clearTimeout(waiting);
    clearTimeout(reading);
    this.#flushLater();
    // A journal another program holds (a backup tool): the stop waits a little for it, so the
    // on-exit step can send (an order goes only with its intent journaled) and what waits in
    // memory and the run's end are journaled; past that, said and not fatal.
    await this.#journalGuard.freed(STOP_JOURNAL_WAIT_MS);
    // A trade by hand (or a trigger that fired) just before the stop: the sweep it asked for
    // was cancelled, or aborted in its reads, by the stop. Read the account once (nothing is
    // sent) so the on-exit step names, and the final state and status show, the positions as
    // they are — unless the step reads it itself.
    if (
      this.#accountUnreadSince !== null &&
      this.#checked &&
      !(exitStep && this.#exitStep.readsAccount(exitStep))
    )
      await this.#readAtStop();
    if (exitStep) {
      const unsent = this.#journalGuard.unsent;
      try {
        await this.#exitStep.run(exitStep);
      } catch (error) {
        this.#errors.report(error);
        // The step asked for was not taken: the run did not end as asked (exit-step.ts says why).
        if (this.#exitCode === 0) this.#exitCode = 1;
      }
      if (this.#journalGuard.unsent > unsent)
        this.#emit({
          type: "warning",
          ts: this.#now(),
          message: `on exit: ${exitStep}: ${this.#journalGuard.unsent - unsent} order(s) not sent: the journal is held by another program (their intents could not be journaled)`,
        });
    }
    try {
      await this.#streams?.close();
    } catch {
      // closing a dead socket is not an error worth reporting at exit
    }
    // What the streams brought as the run stopped (a leader's fill) is told and journaled now,
    // before the final state and the `stop` event that ends the views' count.
    this.#flushLater();
    // A fill the stream had not delivered yet (the last order's) is read back, so the run's
    // final P&L — and `status` right after — counts it. One read; a failure only warns.
    // Not waiting out a 429's backoff (up to 30 s): the stop is prompt; missed, it only warns.
    // One of them of no order of ours (a trade by hand whose frame came as the run stopped,
    // when the streams no longer take our fills in), or a resting stop of ours that fired then:
    // the account is read once more, so the final state and status show the position it left.
    if (
      !this.#can.modelsAccount &&
      this.#checked &&
      this.#streams &&
      (await withoutBackoffWait(() => this.#ourFills.readOwnFills(true)))
    )
      await this.#readAtStop();
    // A follow's fills with no account reading after them (a kill switch's closes, then the stop
    // it asks for): the equity they left is read once and journaled, so status shows the
    // post-close one. (A run without streams — reconcile — has its sweeps' readings only.)
    if (!this.#can.modelsAccount && this.#checked && this.#streams && this.#equityAfterFill !== null)
      await this.#exitStep.readFinalEquity();
    // The last reading the equity record's pace left unrecorded (and the peak before it): the
    // next run's high-water mark and status's equity are the ones this run saw last — a paper
    // account's as its fills and the mids leave it now, not its last sweep's.
    else if (this.#checked) {
      this.#paperReading(true);
      this.#safety.recordLast();
    }
    const o = this.#o;
    // Only once the start checks passed: a run refused at start has no figures to show (its
    // account was never read; a state of $0.00 would be a figure that means nothing). Nor one
    // that never began to act — stopped or interrupted at its review or passphrase prompt, a no
    // there: it is dropped from the journal below, and its views show no state of a run that
    // never ran (a dry run, which journals nothing, shows its own).
    if (
      this.#runId !== null &&
      this.#checked &&
      (this.#acted || !this.#can.journals) &&
      Object.keys(this.#market.markets).length > 0
    ) {
      // The targets as they stand after the last fills (a pure re-plan, nothing sent), so the
      // final state — and the run's summary — shows the drift that really remains.
      this.#plan(undefined);
      this.#stateView.emitState(true);
      // `hlcopy status` shows the targets, drift and P&L as the run left them.
      const runId = this.#runId;
      this.#atStop("the run's final state", () => {
        o.journal.recordEvent(this.#stateView.stateRecord(runId));
        this.#pnl.persist();
      });
    }
    // Ended before it could act — refused (bad input, a start check, a no at the review),
    // interrupted at a prompt, stopped by a signal during the checks: nothing was changed, and
    // what the run held is dropped — the journal is left as it was, no copy baseline, equity or
    // ownership snapshot of a copy that never began (status still shows the last run that could
    // trade). Any run that reached its run or its sweep is journaled (an order kept it too).
    const runId = this.#runId;
    const refused = this.#atStop("", () => !this.#acted && runId !== null && o.journal.dropHeld()) === true;
    if (refused) this.#safety.afterDrop();
    if (runId !== null && !refused)
      this.#atStop("the run's end", () =>
        o.journal.endRun(runId, { endedAt: this.#now(), exitCode: this.#exitCode }),
      );
    this.#atStop("", () => o.journal.checkpoint());
    this.#emit({ type: "stop", ts: this.#now(), reason });
    this.#resolveStopped(this.#exitCode);
    return this.#exitCode;
  }

  /**
   * The stop's read of an account changed outside the run: a failure only warns, and a 429's
   * backoff is not waited out (the stop is prompt).
   */
  async #readAtStop(): Promise<void> {
    try {
      await withoutBackoffWait(() => this.#readState());
    } catch (error) {
      this.#emit({
        type: "warning",
        ts: this.#now(),
        message: `the account changed outside hlcopy just before the stop and could not be read (the positions shown are the run's last view): ${toHlcopyError(error).message}`,
      });
    }
  }

  /**
   * A journal write of the stop: a failure (the journal busy, the disk) is said — `what` could
   * not be journaled — and the stop goes on; nothing throws out of stop().
   */
  #atStop<T>(what: string, work: () => T): T | undefined {
    try {
      return work();
    } catch (error) {
      const e = toHlcopyError(error);
      this.#emit({
        type: "warning",
        ts: this.#now(),
        message: what ? `${what} could not be journaled: ${e.message}` : e.message,
      });
      return undefined;
    }
  }

  // ---- controls (dashboard keys, signals) ------------------------------------------------

  togglePause(): void {
    this.#pause.toggle();
    // Once the run acts, every turn is journaled: a run paused from its start to its end never
    // traded at its sizing, and the next run must not take it for the reference (#act).
    if (this.#acted) this.#pause.journal(false);
    // Resuming catches up at once with what the leader did meanwhile.
    if (!this.#pause.paused && this.#streams) this.sweepNow();
  }

  sweepNow(): void {
    this.#scheduleSweep("manual", 0);
  }

  /**
   * `hlcopy resume` reached this run: a pause lifts, and a halt the journal no longer holds
   * (resume cleared it there) is dropped here too, so trading — and the dashboard's banners —
   * resume together. Either way a sweep catches up at once.
   */
  resume(): { unpaused: boolean; haltCleared: boolean } {
    const haltCleared = this.#safety.clearIfResumed();
    if (haltCleared) this.#emit({ type: "resume", ts: this.#now() });
    const unpaused = this.#pause.paused;
    if (unpaused) this.togglePause();
    else if (haltCleared && this.#streams) this.sweepNow();
    return { unpaused, haltCleared };
  }

  /**
   * Manual halt: close everything reduce-only and stay halted until `hlcopy resume`; `reason`
   * says where it was asked for (the dashboard's f, hlcopy flatten). Never
   * throws and never ends the run: with the exchange down the halt stands (no increase is
   * sent) and the closing sweep is retried until it goes through.
   */
  /**
   * Whether the run may send: past its start checks, the passphrase and the trader's review.
   * Before that a flatten halts at once but its closes wait for the review's yes (a no sends
   * nothing; the halt stays) — what `hlcopy flatten` tells the trader.
   */
  get acting(): boolean {
    return this.#acted;
  }

  flatten(reason = "flatten requested from the dashboard"): void {
    if (this.#stopping) return;
    try {
      this.haltManual(reason);
    } catch (error) {
      this.#errors.report(error);
    }
    this.#scheduleSweep("manual", 0);
  }

  /**
   * The manual halt alone (a halt that stands already is kept), with no sweep of its own: a
   * one-shot run's next sweep plans under it. Journaled as every halt, but in a dry run: there
   * it holds this run only (`hlcopy flatten --dry-run` plans the flatten's closes under it).
   */
  haltManual(reason: string): void {
    if (!this.#safety.halt) this.#safety.haltNow("manual", reason);
  }

  // ---- one-shot use (reconcile) ----------------------------------------------------------

  /**
   * Look up every order an earlier run left unresolved (pending, sent, uncertain) by cloid
   * and journal its real outcome, so the next plan sees it and nothing is sent twice.
   * An order not found once its expiry window has passed was never placed. Live runs only;
   * the look-ups are OrderRecovery's (recovery.ts).
   */
  async recoverOrders(): Promise<number> {
    // The first thing a run asks the exchange: whether it still knows the journal's account.
    if (!this.#checks.historyChecked) await this.#checks.checkHistory();
    if (!this.#can.recoversOrders) return 0;
    return this.#recovery.recoverOrders();
  }

  /**
   * One full sweep over REST: markets, leaders and our account → safety → plan every coin →
   * execute (unless `execute` is false, dry-run or paused). The reads run outside the engine's
   * queue (fills are copied meanwhile); the plan-and-send step runs on it.
   */
  sweep(trigger: "sweep" | "start" | "manual" = "sweep", execute = true): Promise<SweepResult> {
    return this.#runSweep(trigger, execute);
  }

  // ---- internals -------------------------------------------------------------------------

  /**
   * Run `job` after the ones queued before it. With none queued it starts now, in the caller's
   * turn: a leader fill's plan is signed and sent before the next websocket message of the
   * same read is even parsed.
   */
  #enqueue<T>(job: () => Promise<T>): Promise<T> {
    const idle = this.#queued === 0;
    this.#queued++;
    const start = (): Promise<T> => {
      let running: Promise<T>;
      try {
        running = job();
      } catch (error) {
        running = Promise.reject(error);
      }
      return running.finally(() => {
        this.#queued--;
      });
    };
    const run = idle ? start() : this.#queue.then(start);
    this.#queue = run.then(
      () => {},
      () => {},
    );
    return run;
  }

  #emit(event: EngineEvent): void {
    // Notices too (join new-only's coins, a dry run's "does not simulate stops"): a run they
    // refuse copies nothing. A stop's own notices are said at once (a stop during start-up).
    const held =
      event.type === "warning" ||
      (event.type === "notice" && event.kind !== "stopping" && event.kind !== "on-exit");
    if (held && this.#heldWarnings !== null) {
      if (!(event.type === "warning" && cutByStop())) this.#heldWarnings.push(event);
      return;
    }
    this.#emitNow(event);
  }

  /** An event told at once, a warning too (#heldWarnings: a wait's line). */
  #emitNow(event: EngineEvent): void {
    // A read the stop cut short (a sweep's, boundTo) failed because of the stop: not told.
    if ((event.type === "warning" || event.type === "error") && cutByStop()) return;
    this.events.emit(event);
    if (event.type === "warning") this.#journalWarning(event.message, event.ts);
  }

  /**
   * A warning said is journaled (a dry run journals nothing): off the hot path while the run
   * goes on (#later: a warning said between a leader's fill and our order waits for the order to
   * leave), at once once it stops (the journal is closed after stop()).
   */
  #journalWarning(message: string, ts: number): void {
    const runId = this.#runId;
    if (!this.#can.journals) return;
    if (runId === null) {
      // Before begin(): a start-up wait (a journal held by another program). begin() journals it.
      this.#unjournaled.push({ message, ts });
      return;
    }
    if (this.#stopping) this.#warningLog.said(runId, message, ts);
    else this.#later(() => this.#warningLog.said(runId, message, ts));
  }

  /**
   * The warnings the review's prompt said as its reasons instead of as warnings (the sizing
   * change): for a document listing the run's warnings (reconcile --json), which no prompt reached.
   */
  get toldAtReview(): string[] {
    const told = this.#review.toldAtReview;
    return told === null ? [] : [told];
  }

  /**
   * A warning of the command's own (its set-up's: a dry run's "a live run would be refused now",
   * a config directory others may write, a pause that stands): told as the engine's are —
   * held until the start checks pass, then said before the key is asked for and the plan
   * reviewed; never said when the checks refuse the run.
   */
  warn(message: string): void {
    this.#emit({ type: "warning", ts: this.#now(), message });
  }

  /**
   * A warning the command said before this engine existed — a start-up wait of its set-up (the
   * agent approval check retried, a journal another program held): shown already, so not told
   * again, but journaled as this run's warning at `ts`, when it was said, once the run begins
   * (as the engine's own start-up waits are) — status and `journal --type warnings` say it.
   */
  saidAtSetUp(message: string, ts: number): void {
    this.#journalWarning(message, ts);
  }

  /**
   * The run's warnings are still held (#heldWarnings: its start checks have not passed): a
   * warning told meanwhile says why the start waits (a retried read, an earlier order awaited) —
   * a view that keeps the run's lines until the checks pass (--json) tells it at once.
   */
  get holdsWarnings(): boolean {
    return this.#heldWarnings !== null;
  }

  /** The start checks passed: the warnings held until then are said, in order. */
  #sayHeldWarnings(): void {
    const held = this.#heldWarnings;
    this.#heldWarnings = null;
    // Stamped when said: a view's lines stay in time order (the run's start line came between).
    const now = this.#now();
    for (const e of held ?? []) this.#emitNow({ ...e, ts: now });
  }

  /**
   * Work that must not sit between a leader's fill and our order leaving (telling the views,
   * journaling the decision): run after the current turn — by then the hot path has signed
   * and written its request — or at once by `#flushLater` when something must follow it.
   */
  #later(work: () => void): void {
    this.#deferred.push(work);
    if (this.#deferredScheduled) return;
    this.#deferredScheduled = true;
    setImmediate(() => this.#flushLater());
  }

  #flushLater(): void {
    this.#deferredScheduled = false;
    const work = this.#deferred.splice(0);
    for (const w of work) {
      try {
        w();
      } catch (error) {
        this.#errors.report(error);
      }
    }
  }

  /** When a hot-path plan last asked for a sweep because a cap left a coin no room (ms). */
  #capSweepAt = Number.NEGATIVE_INFINITY;

  /**
   * The next sweep in `delayMs`, unless one is already due sooner: a request never postpones
   * it. A sweep that ends re-arms the regular one, and a sweep asked for while it ran (a trade
   * by hand whose fill landed as its last read came back, faster than any timer) must still
   * run, on a fresh read — not one interval later.
   */
  #scheduleSweep(trigger: "sweep" | "start" | "manual", delayMs: number): void {
    if (this.#stopping) return;
    const due = performance.now() + delayMs;
    if (this.#sweepTimer) {
      if (this.#sweepDueAt <= due) return;
      clearTimeout(this.#sweepTimer);
    }
    this.#sweepDueAt = due;
    this.#sweepTimer = setTimeout(() => {
      this.#sweepTimer = undefined;
      void (async () => {
        const begunAt = this.#now();
        try {
          await this.#runSweep(trigger, true);
        } catch (error) {
          if (this.#stopping) return;
          const e = toHlcopyError(error);
          // What to do is the error's own group (core/errors.ts): "retry" and "skip" are told
          // and the next sweep tries again. "stop" needs a human: a start check refused the run
          // (a never-traded leader, positions hlcopy did not open, an unconfirmed plan, a coin
          // the exchange does not list), the exchange refused a read, the disk failed. So does
          // a first sweep that failed after its retries: without markets and positions the run
          // cannot copy anything. Say why and stop. (An agent the exchange no longer knows has
          // its own halt: AgentWatch.refused.)
          const first = this.#lastSweepOkAt === 0;
          if (first || (e.action === "stop" && !this.#agent.halted)) {
            this.#errors.fatal(e);
            const why = first ? "could not start" : "stopped on an error";
            queueMicrotask(() => void this.stop(why, e.exitCode === 0 ? 1 : e.exitCode));
            return;
          }
          // The outage is counted from when this sweep began (its reads' timeouts and retries
          // come before the report).
          this.#errors.report(e, begunAt);
        }
      })().finally(() => {
        // A sweep that left an order uncertain asks for the next one soon, not in sweepSeconds;
        // so does a halt not yet flattened (a flatten whose sweep failed: the exchange is down),
        // backing off while it keeps failing.
        // So does a coin held while its order's outcome is unknown (its look-up failed, or its
        // account read did): looked up again soon, backing off while the look-ups keep failing.
        const held = this.#unknownCoins() !== null;
        this.#unknownRetryMs = held
          ? Math.min(this.#unknownRetryMs * 2 || UNCERTAIN_SWEEP_MS, MAX_UNKNOWN_RETRY_MS)
          : 0;
        const soon = this.#sweepSoon;
        this.#sweepSoon = false;
        const closing = this.#safety.closing;
        this.#closeRetryMs = closing
          ? Math.min(this.#closeRetryMs * 2 || HALT_RETRY_MS, MAX_HALT_RETRY_MS)
          : 0;
        this.#scheduleSweep(
          "sweep",
          Math.min(
            this.#o.settings.exec.sweepSeconds * 1000,
            soon ? UNCERTAIN_SWEEP_MS : closing ? this.#closeRetryMs : Number.POSITIVE_INFINITY,
            held ? this.#unknownRetryMs : Number.POSITIVE_INFINITY,
          ),
        );
      });
    }, delayMs);
    this.#sweepTimer.unref?.();
  }

  /**
   * Before a continuous run: recover, read everything, run the start checks (leaders,
   * ownership) and the trader's review of the first plan. Sends nothing.
   * @throws {UsageError} when a check refuses the run or the plan is not confirmed (exit 2).
   */
  async preflight(): Promise<Plan> {
    if (this.#runId === null) await this.beginWhenFree();
    await this.#enqueue(() => this.recoverOrders());
    const reads = await this.#sweepReader.read(false);
    return this.#enqueue(async () => {
      await this.#applyReads(reads); // the start checks: refused here, before any secret
      this.#refuseTooSmall();
      if (!this.#can.sendsOrders) return this.#plan(undefined);
      // The key before the review: the yes is the last question, and the first sweep follows
      // it at once (asked after it, a passphrase typed ahead landed in a second review, shown).
      const asked = this.#now();
      await this.#unlock();
      if (this.#now() - asked > 1_000) await this.#applyReads(await this.#sweepReader.read(false));
      const confirmed = await this.#review.review(this.#plan(undefined));
      this.#sayHeldWarnings();
      if (!confirmed) return this.#plan(undefined);
      // The answer may have taken a while (the leader trades meanwhile): the run's first sweep
      // follows at once on fresh reads, so hold a fresh plan to what the trader said yes to,
      // here — before the dashboard takes the terminal.
      await this.#applyReads(await this.#sweepReader.read(false));
      return this.#review.confirmAgain(confirmed, this.#plan(undefined));
    });
  }

  /**
   * The run's first plan, once, before a key is opened or an order sent: a copy whose every
   * target is under the minimum order, holding nothing, is refused (core/too-small.ts) — it
   * read "in sync" while copying nothing.
   * @throws {UsageError} (exit 2) when the copy is too small to hold anything.
   */
  #refuseTooSmall(): void {
    if (this.#sizeChecked) return;
    this.#sizeChecked = true;
    const refusal = tooSmallRefusal(
      // The copy's own plan: an earlier run's entry to cancel makes no copy big enough.
      this.#plan(undefined, false),
      this.#o.settings,
      this.#market.markets,
      this.#o.mode === "paper",
    );
    if (refusal) throw refusal;
    this.#sayCheckedWarnings();
  }

  /** The start checks passed: their held warnings are said — unless a review that can only refuse is still ahead. */
  #sayCheckedWarnings(): void {
    if (!this.#o.review?.refuses) this.#sayHeldWarnings();
  }

  /**
   * A sweep: its reads now (outside the queue), then its plan-and-send step on the queue.
   * Sweeps never overlap; a request while one waits for its turn joins that one.
   */
  #runSweep(trigger: "sweep" | "start" | "manual", execute: boolean): Promise<SweepResult> {
    if (this.#sweepWaiting && execute) return this.#sweepWaiting;
    const run = this.#sweepChain.then(async () => {
      if (this.#sweepWaiting === run) this.#sweepWaiting = null;
      const t0 = this.#now();
      const before = this.#requests;
      this.#wsOutage.atSweep();
      this.#journalGuard.checkPath();
      this.#sweepReadingSince = t0;
      let reads: SweepReads;
      try {
        // Bound to the run's stop: a stop aborts the reads in flight and any wait between them
        // (the request budget, a retry's backoff) and the sweep ends there, planning and sending
        // nothing — a stop no longer awaits a slow or failing exchange's answers.
        reads = await boundTo(this.#stopSignal.signal, () => this.#sweepReader.read());
      } finally {
        this.#sweepReadingSince = null;
      }
      return this.#enqueue(() => this.#sweepStep(trigger, execute, reads, t0, before));
    });
    if (execute) this.#sweepWaiting = run;
    this.#sweepChain = run.then(
      () => {},
      () => {},
    );
    return run;
  }

  async #sweepStep(
    trigger: "sweep" | "start" | "manual",
    execute: boolean,
    reads: SweepReads,
    t0: number,
    before: number,
  ): Promise<SweepResult> {
    const o = this.#o;
    await this.#applyReads(reads);
    this.#accountRead(t0);
    this.#refuseTooSmall();
    // A paused run sends nothing but a halt's closes, so it opens no key for this sweep unless a
    // halt stands (a paused reconcile never asks otherwise).
    const sends = !this.#pause.paused || this.#pause.closing();
    if (execute && this.#can.sendsOrders && sends) await this.#unlock();
    if (execute && this.#protection)
      await this.#protection.fromSweep(
        this.#ours.state.openOrders,
        this.#leaderSizes(),
        reads.protectionMark,
      );
    let leaderSeen = this.#leaderFillsTold;
    let planned = this.#plan(undefined);
    // Without book streams (reconcile) the markets have mids only: the passive entries are priced
    // again on their coins' best bid and ask, read now — one rule (core/entry.ts
    // passiveLimitPrice) for follow and reconcile, so a post-only entry does not cross the book.
    if (await this.#books.readPassiveBooks(planned)) {
      leaderSeen = this.#leaderFillsTold;
      planned = this.#plan(undefined);
    }
    // A no at the review (preflight's) ends the run: a sweep queued behind it asks nothing again.
    const declined = this.#review.declined;
    if (execute && this.#can.sendsOrders && !this.#review.reviewed && sends && !this.#stopping && !declined) {
      await this.#review.review(planned);
    }
    // No review (paused, stopping): what it would have said of the sizing is a warning.
    this.#review.sayPendingSizing();
    this.#sayHeldWarnings();
    if (this.#can.previewsLive && !this.#review.previewed) this.#review.previewLeftovers(planned);
    // Past the checks and the review: from here the sweep may send.
    // Stopped before it could act (a signal during its reads, at its review): it sends nothing
    // and keeps nothing — what the run held is dropped at its stop, as a refused run's is (a
    // reconcile stopped so was journaled as a run that ended 0, though it had not sent).
    const acts = execute && !(this.#stopping && !this.#acted) && !declined;
    if (acts) this.#act();
    const plan = acts ? await this.#ensureLeverage(planned, undefined) : planned;
    // A sweep that plans without sending in a run that sends (reconcile's re-read after its
    // orders): its actions are what the run leaves, never sent — journaled so, not as a decision
    // that acted.
    const held =
      !execute && this.#acted && this.#can.sendsOrders && plan.actions.length > 0
        ? { held: "stopping" as const }
        : this.#pause.heldBy(plan, acts);
    this.#emit({
      type: "decision",
      ts: this.#now(),
      trigger,
      coins: plan.targets.map((t) => t.coin),
      plan,
      ...held,
      leaderSeen,
    });
    o.journal.recordDecision({
      runId: this.#runId,
      ts: this.#now(),
      trigger,
      coins: [],
      plan,
      ...held,
      leaderSeen,
    });
    // What the sweep found, before its orders: its plan's drift (one read, one moment).
    const found = driftReport(mergePlanView(emptyPlanView(), plan));
    const results = acts ? await this.#execute(plan, true, false, trigger) : [];
    // A passive entry refused as crossing (the book moved since it was read): without streams
    // there is no later re-plan, so its coin goes as IOC now, in this sweep (as follow does).
    if (acts && this.#replanInSweep.size > 0 && !this.#sendsOver) {
      const coins = [...this.#replanInSweep].sort();
      this.#replanInSweep.clear();
      const again = this.#plan(coins);
      const heldAgain = this.#pause.heldBy(again, true);
      this.#emit({
        type: "decision",
        ts: this.#now(),
        trigger,
        coins,
        plan: again,
        ...heldAgain,
      });
      o.journal.recordDecision({
        runId: this.#runId,
        ts: this.#now(),
        trigger,
        coins,
        plan: again,
        ...heldAgain,
      });
      results.push(...(await this.#execute(again, true, false, trigger)));
    }
    this.#replanInSweep.clear();
    if (acts) await this.#protect();
    // What the sweep left: a pure re-plan on the models our fills already updated.
    const after = results.length > 0 ? this.#plan(undefined) : plan;
    const durationMs = this.#now() - t0;
    const requests = this.#requests - before;
    this.#stateView.sweepDone({
      trigger,
      durationMs,
      requests,
      plan,
      found,
      orders: results.length,
      held,
    });
    this.#pnl.persist();
    this.#stateView.emitState(true);
    if (this.#checked) this.#ownership.save(this.#ours.state.positions, this.#settings);
    this.#agent.warnEnding();
    this.#books.watch();
    const halt = this.#safety.halt;
    if (halt) {
      // Flat once a halted sweep has nothing left to close (or closed it all): from then on
      // only the regular sweeps run, not one per account update.
      const flat = after.actions.length === 0 || (acts && results.every((r) => r.status === "filled"));
      this.#safety.setFlattened(flat);
      // Exit 4 says a halt stands in the journal: a run that journals nothing holds none.
      if (flat && o.exitOnHalt && !this.#stopping && this.#can.journals) {
        queueMicrotask(() => void this.stop(`halted: ${halt.reason}`, 4));
      }
    }
    return {
      plan,
      results,
      requests,
      halted: halt !== null,
      halt: halt ? { kind: halt.kind, reason: halt.reason } : null,
    };
  }

  /**
   * The reads applied, on the queue: coin lists resolved, markets, leaders, the start checks,
   * cash flows, join baselines, our account (paper: the paper account), ownership, safety.
   * @throws {UsageError} when a start check refuses the run.
   */
  async #applyReads(r: SweepReads): Promise<void> {
    const o = this.#o;
    const markets = r.markets;
    if (!this.#coinsResolved) {
      // Coin lists against the exchange's own names, once per run and before any order:
      // "btc" becomes BTC, a typo is exit 2 with close matches (issue 12.7).
      this.#settings = resolveCoinSettings(this.#styles.settings, Object.keys(markets));
      this.#coinsResolved = true;
    }
    // Keep the books we stream: a sweep's mids are no fresher than the stream's top of book.
    for (const [coin, m] of Object.entries(markets)) {
      const old = this.#market.markets[coin];
      if (
        old?.bestBid !== undefined &&
        old.bestAsk !== undefined &&
        old.bestBid <= m.mid &&
        m.mid <= old.bestAsk
      ) {
        m.bestBid = old.bestBid;
        m.bestAsk = old.bestAsk;
      }
    }
    this.#market.setMarkets(markets, r.marketsMark);
    r.leaders.forEach((s, i) => {
      this.#leaders[i]?.applySnapshot(s, r.receivedAt, true);
    });
    if (!this.#checked) this.#checks.checkAccounts(r.traded, r.ourRole, r.ours, r.leaders);
    // The sizing inputs (risk-parity's candles, kelly's fills): the start's are start-up reads,
    // and kelly refuses a leader it cannot size there (entry-styles.ts, sizing-inputs.ts). Bound
    // to the run's stop as the sweep's reads are: a busy leader's history is ~30 s of pages, and
    // a stop waited them all out before it said a word.
    await boundTo(this.#stopSignal.signal, () =>
      this.#styles.afterLeaderRead(
        this.#leaders.map((l) => ({ address: l.address, positions: l.state.positions })),
        Object.keys(this.#ours.state.positions),
        this.#waits.reads(),
      ),
    );
    this.#sweepReader.netLeaderCashFlows(r.flows);
    this.#checks.noticeEmptyLeaders(
      this.#leaders.map((l) => ({ address: l.address, accountValue: l.state.accountValue })),
    );
    // risk.skipLeaderNewCoins's history of each leader: as long a read, bound to the stop too.
    await boundTo(this.#stopSignal.signal, () =>
      this.#guard.readHistory(
        this.#leaders.map((l) => l.view()),
        fillHistoryRead(o.reader, this.#now),
        () => {
          this.#requests++;
        },
        this.#waits.reads(),
      ),
    );
    this.#ownership.updateJoinBaselines(
      this.#leaders.map((l) => ({ address: l.address, positions: l.state.positions })),
      r.receivedAt,
      r.joinFills,
    );
    const own = this.#ownAccount();
    if (own) {
      // An account of its own (paper, a seeded dry run): it tells what the account is worth.
      const value = own.value(this.#ours.state.positions, this.#market.markets);
      this.#ours.applySnapshot({ ...this.#ours.state, accountValue: value, time: r.receivedAt });
    } else if (r.ours) {
      this.#ours.applySnapshot(r.ours, r.oursMark);
      // A coin held since its order's outcome was unknown: this read was sent after the order
      // was looked up (and no order of the coin went meanwhile): the model holds the exchange's.
      for (const [coin, at] of this.#unknownUntilRead)
        if (at <= r.resolvedMark) this.#unknownUntilRead.delete(coin);
    }
    // Our resting passive entries against the open orders (fills while we were away) first:
    // the ownership check counts their fills as ours.
    await this.#styles.afterOurRead(this.#ours.state.openOrders);
    if (!own) this.#ownership.check(this.#ours.state, this.#market.markets, this.#settings, !this.#checked);
    // An account that starts as the real one was at its first read, checks passed (a dry run's).
    const start = this.#executor?.account;
    if (start?.seed && !start.seeded && r.ours) {
      this.#ours.applySnapshot(start.seed(this.#ours.state, this.#market.markets));
      this.#pnl.startModel(r.receivedAt, this.#ours.state.accountValue);
    }
    // Keep the journal bounded (journal-guard.ts): at the start checks, then a slice a sweep.
    this.#journalGuard.prune(this.#startedAt, this.#checked);
    this.#checked = true;
    // The copy's size on the first plan is a check too (#refuseTooSmall), and a review that can
    // only refuse (no terminal, no --yes) is the last one: they wait for both.
    if (this.#sizeChecked) this.#sayCheckedWarnings();
    this.#lastSweepOkAt = this.#now();
    this.#errors.sweepsOk();
    // Our cash flows first, so the marks have scaled with them — each at the equity this read
    // brought, less what of it the ledger has not explained yet (SafetyWatch.cashFlows) —; then
    // the account value (with its cash, when the model holds the value this read brought).
    const value = this.#ours.state.accountValue;
    const same = !own && r.ours !== null && r.ours.accountValue === value;
    const reading = {
      accountValue: value,
      ...(same && r.ours ? { cash: r.ours.cash ?? null, time: r.ours.time } : {}),
    };
    // A dry run's fills of the account (its first read) explain the cash as a live run's do.
    for (const f of r.ourFills ?? []) this.#safety.fill(f);
    if (r.ourFlows) this.#safety.cashFlows(r.ourFlows, reading);
    this.#safety.check(reading, true);
    this.#guard.update(
      this.#leaders.map((l) => l.view()),
      this.#ours.state,
      this.#market.markets,
    );
  }

  /**
   * Reads and applies at once: only where nothing else runs (the on-exit step of a stop, which
   * reads our fills itself afterwards: no P&L inputs here).
   */
  async #readState(): Promise<void> {
    const begunAt = this.#now();
    await this.#applyReads(await this.#sweepReader.read(false));
    this.#accountRead(begunAt);
  }

  /** A read of our account begun at `begunAt` was taken in: a change before it is read. */
  #accountRead(begunAt: number): void {
    // Strictly before: a change in the read's own millisecond may have come after it.
    if (this.#accountUnreadSince !== null && this.#accountUnreadSince < begunAt)
      this.#accountUnreadSince = null;
  }

  /** The leaders' cash flows netted out of their equity in this run (0 when none). */
  get leaderCashFlows(): { leader: Address; usd: number; since: number }[] {
    return this.#leaders.map((l) => ({
      leader: l.address,
      usd: l.netCashFlow,
      since: this.#copyState.leader(l.address, this.#now()).since,
    }));
  }

  /** The run may send from here: what it held in the journal since begin() is kept (the one commit point). */
  #act(): void {
    const first = !this.#acted;
    this.#acted = true;
    this.#o.journal.keepHeld();
    this.#ownership.kept();
    if (first && this.#pause.paused) this.#pause.journal(true);
  }

  /**
   * Coins whose increase goes as IOC now (a passive entry refused as crossing, or cancelled as
   * timed out) — no backoff (the IOC is another order) —, re-planned on the hot path with
   * streams, or within this sweep without them (reconcile).
   */
  #replanNow(coins: readonly string[]): void {
    for (const coin of coins) {
      this.#backoff.delete(coin);
      if (this.#streams) this.#dirty.add(coin);
      else this.#replanInSweep.add(coin);
    }
    if (coins.length > 0 && this.#streams && !this.#stopping) this.#schedulePlan();
  }

  /** The signing key, opened once (see EngineOptions.unlock). */
  #unlock(): Promise<void> {
    this.#unlocked ??= this.#o.unlock?.(this.#stopSignal.signal) ?? Promise.resolve();
    return this.#unlocked;
  }

  /** The coins held while an order's outcome is unknown (#uncertain, #unknownUntilRead), or null for none. */
  #unknownCoins(): string[] | null {
    if (this.#uncertain.size + this.#unknownUntilRead.size === 0) return null;
    return [...new Set([...this.#uncertain.values(), ...this.#unknownUntilRead.keys()])];
  }

  #plan(coins: string[] | undefined, withLeft = true): Plan {
    const o = this.#o;
    const now = this.#now();
    const { backoffUntil, increaseBackoffUntil } = this.#backoff.until(now);
    const leverageNotSet = this.#leverage?.notSet(now) ?? {};
    const per = this.#guard.planInputs(
      this.#leaders.map((l) => l.view()),
      this.#ours.state,
      this.#market.markets,
    );
    const timeStopped = this.#timeStop?.due(this.#ours.state.positions) ?? [];
    const unknownCoins = this.#unknownCoins();
    const context: PlanContext = {
      now,
      halted: this.#safety.halt !== null,
      ...(this.#safety.halt ? { haltKind: this.#safety.halt.kind } : {}),
      // A cash change waiting for the ledger that would hit a limit as a loss holds increases too.
      dailyLossHit: this.#safety.dailyLossHit || this.#safety.held,
      ...(this.#safety.held && !this.#safety.dailyLossHit
        ? {
            dailyLossDetail:
              "an unexplained change of the account's cash waits for the ledger (a deposit or withdrawal?)",
          }
        : {}),
      staleLeader: this.#stateView.isLeaderStale(now),
      liquidatedCoins: [...this.#liquidated],
      notJoined: this.#ownership.notJoined(this.#leaders.map((l) => l.address)),
      foreignPositions: this.#ownership.foreignPositions,
      backoffUntil,
      increaseBackoffUntil,
      leverageNotSet,
      ...(unknownCoins ? { unknownCoins } : {}),
      ...(this.#protection || this.#timeStop ? { stoppedOut: this.#stoppedOut() } : {}),
      ...(per.gates.length > 0 ? { leaderGates: per.gates } : {}),
      ...(Object.keys(per.shed).length > 0 ? { shed: per.shed } : {}),
      ...(timeStopped.length > 0 ? { timeStopped } : {}),
      cloidSeed: `${o.account}|${o.journal.id}|${this.#runId ?? 0}|${++this.#seq}`,
    };
    // The copy delay's view of the leaders, resting passive entries, sizing inputs (issue 21).
    const styled = this.#styles.planInput(per.leaders, now, coins);
    const plan = planOrders({
      leaders: styled.leaders,
      ours: this.#ours.state,
      markets: this.#market.markets,
      settings: this.#settings,
      context: { ...context, ...styled.context },
      ...(styled.sizingInputs ? { sizingInputs: styled.sizingInputs } : {}),
      ...(coins ? { coins } : {}),
      // Sweeps say how each target was sized (journal, reconcile); the hot path saves the text.
      explainSizing: coins === undefined,
    });
    // A sweep's plan in a run that keeps no passive entries cancels first those an earlier run
    // left resting (a dry run: its live run would): left, they fill at any time.
    const left = coins === undefined && withLeft ? this.#styles.leftCancels() : [];
    if (left.length > 0) plan.cancels = [...left, ...(plan.cancels ?? [])];
    this.#styles.planned(plan, now);
    this.#stateView.planned(plan, coins);
    return plan;
  }

  /**
   * Before the first increase in a coin this run, make the exchange's leverage and margin
   * mode the settings' (design §6): nothing to send when our position already carries them,
   * else one `updateLeverage`, whose acknowledgement is the verification. At most one request
   * per coin per run (a transient failure is retried after a pause); a coin the exchange
   * refuses keeps its increases skipped "leverage-not-set" for the run, reductions still go.
   * Returns the plan, re-planned when a coin could not be set. Live sending runs only.
   */
  async #ensureLeverage(plan: Plan, coins: string[] | undefined): Promise<Plan> {
    const o = this.#o;
    if (!this.#leverage || this.#pause.paused || this.#sendsOver || !this.#maySend) return plan;
    try {
      const failed = await this.#leverage.ensure(
        plan.actions,
        this.#market.markets,
        this.#settings,
        this.#ours.state.positions,
      );
      return failed ? this.#plan(coins) : plan;
    } catch (error) {
      if (!(error instanceof AgentNotApprovedError)) throw error;
      // The agent cannot sign anything: the halt handles it, not a per-coin skip.
      this.#agent.refused(error);
      if (o.waitForApproval && this.#continuous) return { ...plan, actions: [] };
      throw error;
    }
  }

  /** Coins our own trigger or time stop closed, still held by the leaders as then. */
  #stoppedOut(): string[] {
    const keeper = this.#protection;
    const sizes = this.#leaderSizes();
    keeper?.updateStopped(sizes);
    const coins = new Set([...(keeper?.stoppedOut ?? []), ...(this.#timeStop?.stoppedOut(sizes) ?? [])]);
    return [...coins].sort();
  }

  /** The leaders' side per coin, weighed as the copy weighs them (the stops' re-entry rule). */
  #leaderSizes(): Record<string, number> {
    // The leaders' side of each coin as the copy weighs them (core/leaders.ts leaderSides): the
    // stops' "not re-entered while the leaders hold the side it was stopped on".
    const leaders = this.#leaders.map((l) => l.view());
    if (leaders.length === 1) return leaderSides(leaders, []);
    const views = this.#guard.followedViews(leaders);
    const { ratios } = copyRatios(
      views,
      this.#ours.state,
      this.#market.markets,
      this.#settings,
      this.#styles.sizingInputs,
    );
    return leaderSides(views, ratios);
  }

  /** Each coin's resting stop / take-profit (empty without resting protection). */
  get protection(): CoinProtection[] {
    return this.#protection?.view() ?? [];
  }

  /** The account hlcopy keeps itself, when it is not the exchange's: paper's, a dry run's once seeded. */
  /**
   * A paper account's value, as its fills and the mids leave it, through the safety rules. A live
   * run's account stream brings the exchange's account to them (~4 readings a second); a paper
   * account has no stream, and with its sweeps' readings alone (every exec.sweepSeconds) its kill
   * switch and daily loss limit acted up to a sweep late, and `status` showed the last sweep's
   * equity beside the P&L of the run's end. Taken after each of its fills and at the run's end
   * (`recordNow`: journaled). A dry run journals nothing and trades no money: left to its sweeps.
   */
  #paperReading(recordNow: boolean): void {
    const own = this.#ownAccount();
    if (this.#o.mode !== "paper" || !this.#checked || !own) return;
    const value = own.value(this.#ours.state.positions, this.#market.markets);
    this.#ours.state = { ...this.#ours.state, accountValue: value };
    const held = this.#safety.held;
    this.#safety.check({ accountValue: value }, false, recordNow);
    // A halt this reading raised closes at once, as the account stream's do (#onOurState).
    if (this.#safety.closing || (this.#safety.held && !held)) this.#scheduleSweep("sweep", 0);
  }

  #ownAccount(): OwnAccount | null {
    const account = this.#executor?.account;
    return account && account.seeded !== false ? account : null;
  }

  /**
   * An executor that sends nothing (a dry run's): its modeled fills move our position model and
   * the P&L, so the next plan — and the figures — start from what a live run would hold by then.
   * Nothing is journaled (no order was sent) and nothing is told but the decision. What the book
   * would not fill backs the coin off, as a live rejection does; it is planned again after.
   */
  async #executeModeled(executor: Executor, actions: PlannedAction[]): Promise<ExecutedAction[]> {
    const results = await executor.execute(actions, this.#market.markets);
    const out: ExecutedAction[] = [];
    actions.forEach((a, i) => {
      const r = results[i];
      if (!r) return;
      if (r.filledSize > 0) this.#ours.applyOwnFill(a, r.filledSize, r.avgPx);
      if (r.status === "rejected") this.#backoff.backOff(a.coin, a.reduceOnly);
      else if (r.filledSize > 0) this.#backoff.delete(a.coin);
      out.push({
        ...a,
        status: r.status,
        filledSize: r.filledSize,
        avgPx: r.avgPx,
        slippageBps: null,
        error: r.error ?? null,
      });
    });
    // A modelled fill is of the run's own order.
    for (const f of executor.account?.takeFills() ?? []) this.#pnl.onFill(f, "repair", null);
    return out;
  }

  /** Keep our resting triggers in step with our positions (sends only what changed). */
  async #protect(): Promise<void> {
    const keeper = this.#protection;
    if (!keeper || ((this.#pause.paused || this.#sendsOver || !this.#maySend) && !this.#exitStep.running))
      return;
    const marks: Record<string, number> = {};
    for (const [coin, m] of Object.entries(this.#market.markets)) marks[coin] = m.mid;
    this.#requests += await keeper.sync({
      positions: this.#ours.state.positions,
      markets: this.#market.markets,
      marks,
      leaderSizes: this.#leaderSizes(),
      seed: `${this.#o.account}|${this.#o.journal.id}|${this.#runId ?? 0}|${++this.#seq}`,
    });
  }

  #scheduleProtect(): void {
    if (this.#protectScheduled || this.#stopping) return;
    this.#protectScheduled = true;
    this.#enqueue(async () => {
      this.#protectScheduled = false;
      try {
        await this.#protect();
      } catch (error) {
        this.#errors.report(error);
      }
    });
  }

  /**
   * `probe`: a sweep's plan, sent even while the agent is refused, to learn it is back.
   * `exiting`: the on-exit step of a clean stop (sent although the run is stopping).
   * `trigger` and `fillCoins` (coins a leader fill made dirty) give each order its kind.
   */
  async #execute(
    plan: Plan,
    probe = true,
    exiting = false,
    trigger: OrderTrigger = "sweep",
    fillCoins?: ReadonlySet<string>,
  ): Promise<ExecutedAction[]> {
    const o = this.#o;
    const executor = this.#executor;
    // Nothing is sent (orders, cancels) before the run may send (#maySend).
    if (!this.#maySend && !exiting) return [];
    const held = (this.#pause.paused || this.#sendsOver) && !exiting;
    // A halt's closes go through a pause (never past a stop): the kill switch — or a flatten —
    // is the trader's standing instruction to close, and reducing risk is always allowed
    // (design §1.4). The pause holds everything else (nothing else is planned under a halt;
    // leverage and protection wait), and says so (Pause.sayClosing).
    const closing = this.#pause.closing();
    const actions = held ? sentWhilePaused(plan.actions, closing) : plan.actions;
    // Resting passive entries the plan no longer wants go first (a reduction cancels them; under
    // a halt every one is cancelled: it would reopen what the halt closes).
    if (plan.cancels && executor && (!held || closing)) {
      // A timed-out entry off the book: its coin's IOC now (re-planned on what of it filled).
      const expired = await this.#styles.cancel(plan.cancels);
      this.#replanNow(expired);
    }
    if (actions.length === 0 || !executor) return [];
    if (held) this.#pause.sayClosing(actions);
    // A run that journals nothing (a dry run: the engine's own executor) only moves its model.
    if (!this.#can.journals) return this.#executeModeled(executor, actions);
    if (this.#agent.halted && !probe) return [];
    const now = this.#now();
    const toSend: PlannedAction[] = [];
    for (const a of actions) {
      const kind = orderKind(trigger, a.reason, fillCoins?.has(a.coin) === true);
      const market = this.#market.markets[a.coin];
      const touchPx = market ? touchPrice(market, a.side) : a.refPx;
      // The journal is the exactly-once ledger: an intent it already holds is never re-sent.
      let journaled: boolean;
      try {
        journaled = o.journal.recordOrderIntent({ runId: this.#runId, ts: now, action: a, kind, touchPx });
      } catch (error) {
        // Held by another program: not sent (its intent is not journaled); the sweep after the
        // spell repairs the drift it leaves (journal-guard.ts).
        if (!(error instanceof JournalBusyError) || o.journal.busySince() === null) throw error;
        this.#journalGuard.notSent(a);
        continue;
      }
      if (!journaled) continue;
      toSend.push(a);
      const copy = kind === "copy";
      this.#ourFills.remember(a.cloid, {
        kind,
        reason: a.reason,
        touchPx,
        leaderPx: copy ? a.refPx : null,
        leaderTime: copy ? (this.#leaderFillTime.get(a.coin) ?? null) : null,
      });
    }
    if (toSend.length === 0) return [];
    // No "sent" write here: a journaled intent ("pending") is looked up the same way after a
    // crash, and one write fewer stands between the leader's fill and the order.
    this.#styles.willSend(toSend);
    let results: OrderResult[];
    // In flight until answered; said when it is late (in-flight.ts).
    const sending = this.#inFlight.sent(toSend);
    try {
      this.#requests++;
      results = await executor.execute(
        toSend,
        this.#market.markets,
        // A batch waiting for the budget (or a 429's resend) is not sent once sends have ended.
        exiting ? {} : { signal: this.#sendsEnd.signal },
      );
    } catch (error) {
      const e = toHlcopyError(error);
      const agentRefused = e instanceof AgentNotApprovedError;
      // Nothing ran (429, refused request): the intents are closed as rejected so the
      // recovery pass does not wait on them; the coin backs off and the next plan retries.
      // (An unknown agent is no coin's fault: no backoff, the halt handles it.) An HTTP 429 judged
      // no order: the request budget holds every request until its own backoff ends, so a
      // reduction refused so goes again at the budget's next slot — a close in a 429 storm is not
      // left to its coin's backoff, doubling to minutes; increases back off as usual.
      const paced = e instanceof RateLimitError && e.details.httpStatus === 429;
      for (const a of toSend) {
        o.journal.updateOrder(a.cloid, { ts: this.#now(), status: "rejected", error: e.message });
        if (!agentRefused) this.#backoff.backOff(a.coin, a.reduceOnly && !paced);
      }
      // A 429 is told once, where it is met (the request budget's line, with its wait); the
      // error goes on to the caller, which reports what else there is to say (#reportError).
      if (agentRefused) {
        this.#agent.refused(e);
        if (o.waitForApproval && this.#continuous) return [];
      }
      throw e;
    } finally {
      // A state held while the orders were out goes once their results are taken (below, in
      // this same turn), at the views' pace — or, when the send threw, on what it left.
      if (this.#inFlight.done(sending, toSend)) this.#stateView.release();
      // What was held back (the decision, the leader's fill) is told before the outcome.
      this.#flushLater();
    }
    if (this.#agent.halted) this.#agent.back();
    const out: ExecutedAction[] = [];
    toSend.forEach((a, i) => {
      const r = results[i] ?? {
        cloid: a.cloid,
        status: "uncertain" as const,
        filledSize: 0,
        avgPx: null,
        error: "no result",
      };
      const status: OrderStatus = executor.mode === "paper" && r.status === "filled" ? "paper" : r.status;
      o.journal.updateOrder(a.cloid, {
        ts: this.#now(),
        status: r.status,
        filledSize: r.filledSize,
        avgPx: r.avgPx,
        ...(r.oid === undefined ? {} : { oid: r.oid }),
        ...(r.error ? { error: r.error } : {}),
      });
      if (r.filledSize > 0) {
        // A coin opened here holds the leverage this run set for it on the exchange (the lev
        // column then shows it at once, not after the next sweep's read).
        this.#ours.applyOwnFill(a, r.filledSize, r.avgPx, this.#leverage?.setFor(a.coin));
        // The plan's drift predates this fill: re-planned when a view next reads it (figures),
        // so no state — not one built while the protection that follows is sent — shows drift
        // already traded away.
        this.#stateView.traded(a.coin);
      }
      if (r.status === "rejected") this.#backoff.backOff(a.coin, a.reduceOnly);
      else if (r.filledSize > 0) this.#backoff.delete(a.coin);
      if (r.status === "uncertain") this.#uncertain.set(a.cloid, a.coin);
      const ref = this.#ourFills.ref(a.cloid);
      const slippage = r.avgPx !== null ? slippageBps(a.side, r.avgPx, ref?.touchPx) : null;
      this.#emit({
        type: "order",
        ts: this.#now(),
        ...orderFields(a),
        kind: ref?.kind ?? orderKind(trigger, a.reason, false),
        status,
        filledSize: r.filledSize,
        avgPx: r.avgPx,
        ...(r.error ? { error: r.error } : {}),
      });
      out.push({
        ...a,
        status: r.status,
        filledSize: r.filledSize,
        avgPx: r.avgPx,
        slippageBps: slippage,
        error: r.error ?? null,
      });
    });
    this.#timeStop?.afterExecute(out, this.#leaderSizes());
    // A passive entry refused as crossing (our price is there now): its coin goes as IOC at once.
    this.#replanNow(this.#styles.fromResults(toSend, results));
    // An executor with its own account (paper) made these fills: journaled as streamed ones are.
    const ownFills = executor.account?.takeFills() ?? [];
    for (const f of ownFills) this.#ourFills.record(f, this.#ourFills.ref(f.cloid ?? ""));
    if (ownFills.length > 0) this.#paperReading(false);
    // An order still uncertain may have filled: our position model cannot know. Sweep now (it
    // looks the order up first and reads positions from the exchange) rather than let the hot
    // path plan that coin on a position that may be stale until the next regular sweep.
    if (out.some((r) => r.status === "uncertain") && this.#streams) {
      this.#sweepSoon = true;
      this.#scheduleSweep("sweep", UNCERTAIN_SWEEP_MS);
    }
    return out;
  }

  // ---- streams -----------------------------------------------------------------------------

  /**
   * Every stream event, to its handler. Once the run is stopping nothing is taken in but the
   * leaders' fills: a trade the leader made as the run stopped moves its model (the final state's
   * drift shows it) and is told and journaled, so every view — and report — counts it (skipped
   * `stopping`: core/leader-trades.ts); nothing is planned on it.
   */
  #onStream(e: EngineStreamEvent): void {
    if (this.#stopping && e.type !== "leaderFill") return;
    switch (e.type) {
      case "leaderFill":
        this.#onLeaderFill(e);
        return;
      case "leaderState":
        this.#onLeaderState(e);
        return;
      case "ourState":
        this.#onOurState(e);
        return;
      case "ourFill":
        this.#onOurFill(e);
        return;
      case "ourFunding":
        // A snapshot that does not reach back to the journal's last payment: those between are read back.
        if (e.isSnapshot) this.#pnl.fundingSnapshot(e.fundings);
        this.#pnl.onFunding(e.fundings);
        return;
      case "ourLedger":
        if (this.#ownAccount()) return;
        // A snapshot that does not reach back to where our ledger was read: the entries between are read back.
        if (e.isSnapshot) this.#safety.ledgerSnapshot(e.flows);
        this.#safety.cashFlows(e.flows);
        return;
      case "mids":
        this.#onMids(e);
        return;
      case "book":
        this.#onBook(e);
        return;
      case "reconnect":
        this.#onReconnect(e);
        return;
      case "disconnect":
        this.#onDisconnect(e);
        return;
      case "streamError":
        this.#onStreamError(e);
        return;
    }
  }

  /**
   * A leader's fills: de-duplicated, applied oldest first, told after the copy left, planned
   * (coalesced per coin). A snapshot only updates the model.
   */
  #onLeaderFill(e: Extract<EngineStreamEvent, { type: "leaderFill" }>): void {
    const now = this.#now();
    // As the run stops: the model and the count only — no entry style, sweep or plan follows it.
    const stopping = this.#stopping;
    const leader = this.#leaders.find((l) => l.address === e.leader.toLowerCase() || l.address === e.leader);
    if (!leader) return;
    this.#wsOutage.heard();
    // Views hear of it after the copy left (see #later).
    this.#later(() => this.#emit({ type: "heartbeat", ts: now }));
    // Oldest first: the running position must end at the newest fill's view.
    const fills = this.#fills.fresh(leader.address, e.fills).sort((a, b) => a.time - b.time || a.tid - b.tid);
    if (!e.isSnapshot && fills.length > 0 && this.#silence.fillsCame(leader.address, now))
      this.#later(() =>
        this.#emit({
          type: "notice",
          ts: now,
          kind: "fills-stream",
          message: `leader ${leader.address}'s fills stream is back: copying from its fills again`,
        }),
      );
    for (const f of fills) {
      const applied = leader.applyFill(f, e.at, !e.isSnapshot);
      if (!applied || e.isSnapshot) continue;
      this.#ownership.onLeaderFill(leader.address, f);
      if (!stopping)
        this.#styles.leaderFill(leader.address, f.coin, leader.state.positions[f.coin]?.size ?? 0);
      this.#leaderFillTime.set(f.coin, f.time);
      this.#market.applyTradePrice(f.coin, f.px);
      if (f.liquidation) {
        this.#liquidated.add(f.coin);
        this.#o.journal.recordEvent({
          ts: now,
          type: "leaderLiquidated",
          runId: this.#runId,
          coin: f.coin,
          data: f,
        });
      } else if (this.#liquidated.has(f.coin) && f.startPosition === 0) {
        this.#liquidated.delete(f.coin); // the leader opened the coin again
      }
      const endPosition = f.startPosition + (f.side === "buy" ? f.sz : -f.sz);
      this.#protection?.leaderTraded(f.coin, f.startPosition, endPosition);
      this.#timeStop?.leaderTraded(f.coin, f.startPosition, endPosition);
      if (this.#guard.watchesFills && !stopping) {
        const views = this.#leaders.map((l) => l.view());
        const me = views.find((v) => v.address === leader.address);
        if (me && this.#guard.onLeaderFill(me, f, views, this.#ours.state, this.#market.markets))
          this.#scheduleSweep("sweep", 0);
      }
      const event: EngineEvent = {
        type: "leaderFill",
        ts: now,
        leader: leader.address,
        coin: f.coin,
        side: f.side,
        px: f.px,
        sz: f.sz,
        dir: f.dir,
        time: f.time,
        liquidation: f.liquidation,
        oid: f.oid,
      };
      const seq = ++this.#leaderFillsTold;
      // Journaled as it is told, after the copy left: report replays the run's leader trades from
      // these, its decisions' leaderSeen and its orders (core/leader-trades.ts).
      this.#later(() => {
        this.#emit(event);
        const runId = this.#runId;
        if (runId === null) return;
        this.#o.journal.recordLeaderFill({
          runId,
          seq,
          ts: now,
          leader: leader.address,
          oid: f.oid,
          coin: f.coin,
        });
      });
      if (stopping) continue;
      this.#dirty.add(f.coin);
      this.#dirtyByFill.add(f.coin);
    }
    if (!e.isSnapshot && this.#dirty.size > 0 && !stopping) this.#schedulePlan();
  }

  /**
   * A leader's account from its stream: the model takes it; a position change no fill explains is
   * watched.
   */
  #onLeaderState(e: Extract<EngineStreamEvent, { type: "leaderState" }>): void {
    const now = this.#now();
    const leader = this.#leaders.find((l) => l.address === e.leader.toLowerCase() || l.address === e.leader);
    const before = leader?.snapshotLoaded ? leader.state.positions : undefined;
    const unexplainedCash = leader?.applySnapshot(e.state, e.at) ?? false;
    // A deposit or withdrawal of the leader's (its cash moved, its fills do not say why): its
    // equity is held where it was (LeaderModel.pendingCashFlow) and a sweep reads its ledger now.
    if (unexplainedCash && !this.isStopping) this.#scheduleSweep("sweep", 0);
    if (leader) this.#styles.leaderSnapshot(leader.address, leader.state.positions);
    this.#wsOutage.heard();
    this.#emit({ type: "heartbeat", ts: now });
    if (leader && before) this.#silence.watch(leader.address, before, leader.state.positions);
  }

  /**
   * Our account from its stream: the account value for the safety rules. Positions come from our
   * order results and sweeps, never rolled back by an older snapshot.
   */
  #onOurState(e: Extract<EngineStreamEvent, { type: "ourState" }>): void {
    if (this.#ownAccount()) return;
    // A frame older than a reading already taken in (the stream held it) changes nothing.
    if (this.#safety.outdated(e.state.time)) return;
    this.#ours.state = { ...this.#ours.state, accountValue: e.state.accountValue };
    const held = this.#safety.held;
    // A reading of a moment before our latest fill (a frame the stream held or had on its way
    // when the order's reply came) is not the equity the fill left: still owed, and still read
    // at the run's end (a reading's time is the exchange's; our clock's only where it gives none,
    // and then at worst the end reads once more).
    const fillAt = this.#equityAfterFill;
    const afterFill = fillAt !== null && e.state.time >= fillAt;
    if (afterFill) this.#equityAfterFill = null;
    this.#safety.check(
      { accountValue: e.state.accountValue, cash: e.state.cash ?? null, time: e.state.time },
      false,
    );
    // The first reading after our fills is owed to the journal (not left to the equity record's
    // pace): the state record, just before the group commits, writes it — the equity status
    // shows after a close is the one the close left, and one row a commit, not one a reading.
    if (afterFill) {
      this.#safety.owe();
      this.#stateView.journalSoon();
    }
    // A cash change waiting for the ledger: a sweep reads the ledger now (the stream may lag).
    // The safety rules ask for it, nobody pressed s: journaled and shown as a sweep.
    if (this.#safety.closing || (this.#safety.held && !held)) this.#scheduleSweep("sweep", 0);
    this.#stateView.emitState(false);
  }

  /**
   * Our fills: journaled with slippage and lag; one that is a resting trigger of ours means it
   * fired; one of an order hlcopy never sent means the account changed outside hlcopy.
   */
  #onOurFill(e: Extract<EngineStreamEvent, { type: "ourFill" }>): void {
    // A run with an account of its own: our account's fills are not its fills.
    if (this.#can.modelsAccount) return;
    // A snapshot that does not reach the journal's last fill: the fills between are read back.
    if (e.isSnapshot) this.#ourFills.snapshot(e.fills);
    let fired = false;
    let outside = false;
    for (const f of this.#fills.fresh(this.#o.account, e.fills)) {
      const ref = f.cloid ? this.#ourFills.ref(f.cloid) : undefined;
      this.#ourFills.record(f, ref);
      if (e.isSnapshot) continue;
      this.#styles.ourFill(f);
      if (this.#protection?.onFill(f, this.#leaderSizes())) fired = true;
      else if (!ref && !this.#ourFills.sentByUs(f.cloid)) outside = true;
    }
    // Our stop or take-profit closed a position: read it back and settle the other trigger.
    // A trade by hand (or by another bot) on this account: until a sweep reads the account, our
    // model of that position is wrong and the next copy would trade on it (a reduce-only order
    // refused, a close of the trader's own position). Read it now: the sweep leaves the coin
    // alone as "not-ours" (OwnershipWatch) and says so.
    if (fired || outside) {
      this.#accountUnreadSince ??= this.#now();
      this.#scheduleSweep("sweep", 0);
    }
  }

  /** Mid prices for the market model (and a trailing stop's best price). */
  #onMids(e: Extract<EngineStreamEvent, { type: "mids" }>): void {
    this.#market.applyMids(e.mids);
    // A trailing stop follows the best price: checked per tick, sent once per step.
    if (this.#protection && this.#o.settings.risk.trailingStopPct != null) this.#scheduleProtect();
  }

  /** The best bid/ask of a watched coin. */
  #onBook(e: Extract<EngineStreamEvent, { type: "book" }>): void {
    this.#market.applyBook(e.book.coin, e.book.bestBid, e.book.bestAsk);
  }

  /** The stream (or one subscription) came back: data may have been missed. */
  #onReconnect(e: Extract<EngineStreamEvent, { type: "reconnect" }>): void {
    const now = this.#now();
    this.#emit({ type: "reconnect", ts: now });
    this.#emit({ type: "connection", ts: now, state: "open" });
    this.#o.journal.recordEvent({
      ts: now,
      type: "reconnect",
      runId: this.#runId,
      data: { stream: e.stream ?? null },
    });
    // Data may have been missed: repair now with a sweep (it reads the funding records too).
    this.#pnl.reconnected();
    this.#scheduleSweep("sweep", 0);
  }

  /** The connection dropped: the transport is reconnecting. */
  #onDisconnect(e: Extract<EngineStreamEvent, { type: "disconnect" }>): void {
    const now = this.#now();
    // A stale socket was down from its last message, not from the drop that found it so: the
    // outage's "down for Ns" and the ws-down alert count from there.
    const downSince = now - (e.silentMs ?? 0);
    this.#books.disconnected();
    this.#wsOutage.dropped(e.reason, downSince);
    this.#emit({ type: "connection", ts: now, state: "reconnecting", detail: e.reason, downSince });
    // A socket that went quiet is no closed one: nothing else would say so until TCP gives up.
    if (e.stale)
      this.#emit({
        type: "warning",
        ts: now,
        message: `websocket stale: ${e.reason}; reconnecting (the run goes on)`,
      });
  }

  /** One subscription failed for good (it is re-subscribed with backoff). */
  #onStreamError(e: Extract<EngineStreamEvent, { type: "streamError" }>): void {
    const now = this.#now();
    this.#emit({ type: "warning", ts: now, message: `${e.stream}: ${e.error.message}` });
  }

  #schedulePlan(): void {
    if (this.#planScheduled) return;
    this.#planScheduled = true;
    this.#enqueue(async () => {
      this.#planScheduled = false;
      const coins = [...this.#dirty].sort();
      this.#dirty.clear();
      const fillCoins = new Set(coins.filter((c) => this.#dirtyByFill.has(c)));
      for (const c of coins) this.#dirtyByFill.delete(c);
      if (coins.length === 0 || this.#stopping) return;
      // Before the run's first sweep there are no markets (nor our account) to plan on: a leader
      // fill that came while the streams opened would be skipped "unknown-market". The first
      // sweep plans every coin anyway (the demo's start-up race).
      if (this.#lastSweepOkAt === 0) return;
      // Not reviewed yet (see #maySend): nothing is planned or sent on the hot path; the sweep
      // that reviews plans every coin.
      if (!this.#maySend) return;
      try {
        const t0 = performance.now();
        const leaderSeen = this.#leaderFillsTold;
        const planned = this.#plan(coins);
        const durationMs = performance.now() - t0;
        const plan = await this.#ensureLeverage(planned, coins);
        const ts = this.#now();
        // Whether the pause holds its orders, as #execute (next, in this turn) finds it — not as
        // it stands when the decision is told: the leader's trade is counted copied or `paused`
        // by it (core/leader-trades.ts coinOutcome).
        const held = this.#pause.heldBy(plan, true);
        // The decision is told and journaled once its order has left (the intent, journaled
        // before the send, is the exactly-once record).
        this.#later(() => {
          this.#emit({ type: "decision", ts, trigger: "fill", coins, plan, durationMs, ...held, leaderSeen });
          this.#o.journal.recordDecision({
            runId: this.#runId,
            ts,
            trigger: "fill",
            coins,
            plan,
            ...held,
            leaderSeen,
          });
        });
        const results = await this.#execute(plan, false, false, "fill", fillCoins);
        if (results.some((r) => r.filledSize > 0)) await this.#protect();
        // A portfolio cap left this coin no room: the hot path cannot bring other coins held
        // above their targets down to make it (only a full plan sees them), so sweep now — at
        // most once per CAP_SWEEP_MS, so a burst of fills never becomes a burst of REST reads.
        if (plan.skipped.some((s) => s.reason === "cap-no-room") && ts - this.#capSweepAt >= CAP_SWEEP_MS) {
          this.#capSweepAt = ts;
          this.#scheduleSweep("sweep", 0);
        }
        // The targets' drift predates the fills just taken: re-planned when a view next reads
        // it (#figures), so no view shows drift already traded away.
        if (results.length > 0) for (const c of coins) this.#stateView.traded(c);
        // The shares follow every copied fill, whatever the pace of the state event.
        this.#stateView.updateShares();
        this.#stateView.emitState(false);
        // The leader changed: status shows the copy as it stands now, not as of the last sweep.
        this.#stateView.journalSoon();
      } catch (error) {
        this.#errors.report(error);
      }
    });
  }
}
