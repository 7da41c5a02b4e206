// The account's safety rules around the planner (design §6): the equity high-water mark and
// drawdown, the daily loss limit and the halts (kill switch, drawdown, manual flatten). Keeps
// what the journal holds (the HWM, the day's first equity, an active halt) in step with what the
// run sees, and tells the planner whether increases are blocked or everything must close.
// The rules themselves are pure (core/safety.ts evaluateSafety); this is their memory and I/O.
//
// Both rules measure trading results: our own cash flows (the account's ledger: deposits,
// withdrawals, transfers — streamed, and read at every sweep) are journaled with their factor
// (E + flow) / E and scale the high-water mark and the day's first equity by it (core/safety.ts
// flowFactor, markAt), so a cash flow alone never moves the drawdown % or the daily loss %. A
// change of the account's cash the ledger has not explained yet waits for it, up to
// CASH_FLOW_CONFIRM_MS, without halting and without increases (core/safety.ts CashTracker).
//
// A dry run computes the same figures as a live run would on the same account: it reads the
// journal's marks at the journal's cash-flow scale, and the cash flows the journal does not hold
// yet (made while no run watched) scale them in its memory — it writes nothing. Its equity is
// modeled from its first read on: from then on the account's real cash flows are not its.
// The daily loss limit, once hit, holds until the UTC day ends (DailyLossStop, journaled: a
// restart and status see it).
//
// A paper run trades a new paper account each run (run-mode.ts newAccountEachRun): what its
// journal holds from before the run — the high-water mark, the day's start, the daily loss stop,
// a halt — was an earlier paper account's. At its first reading the run sets them aside (the
// halt cleared, the mark reset to its starting equity, journaled; the day counted from its start)
// and says so once: a smaller paper account is never a drawdown of a bigger one. A halt the run
// itself raises holds for the rest of it, as in any run.

import { toHlcopyError } from "../core/errors.js";
import { fixed, fmtUsd, listed } from "../core/format.js";
import {
  CASH_FLOW_CONFIRM_MS,
  type CashTracker,
  type DailyLossStop,
  dailyLossReason,
  dailyStopOn,
  emptyCashTracker,
  evaluateSafety,
  explainCash,
  flowFactors,
  type HaltKind,
  type Mark,
  markAt,
  pendingAt,
  readCash,
  unconfirmedFactor,
  utcDay,
} from "../core/safety.js";
import type { Settings } from "../core/settings.js";
import type { CashFlowRow, Journal, RecordHaltParameters } from "../store/journal.js";
import type { EngineEvent, RunMode } from "./events.js";
import { runPolicy } from "./run-mode.js";

/** Each sweep reads our ledger again from this long before the last read that went through. */
const LEDGER_REREAD_MS = 10 * 60_000;

/**
 * Account updates between sweeps record equity at most this often — the reading after our fills
 * too, unless it is owed sooner (owe: the engine records it with its next state record, once per
 * group commit). The highest reading between records is carried into the next one's mark.
 */
const EQUITY_RECORD_EVERY_MS = 5_000;

/** Where the journal keeps the day's daily loss stop (core/safety.ts DailyLossStop; status reads it). */
export const DAILY_LOSS_STOP_KEY = "safety.dailyLossStop";

export interface SafetyWatchOptions {
  journal: Journal;
  settings: Settings;
  /** A dry run reads the journal but writes no equity and no halt. */
  mode: RunMode;
  emit: (event: EngineEvent) => void;
  now: () => number;
  /** The run's id, for the cash flows it journals. */
  runId?: () => number | null;
  /** How long an unexplained change of the cash waits for the ledger (core default: 5 min). */
  confirmMs?: number;
}

/** One reading of our account: its value and, when known, its cash and the exchange time. */
export interface AccountReading {
  accountValue: number;
  /** Account value − unrealised P&L (null: unknown, e.g. a paper account). */
  cash?: number | null;
  /** Exchange time of the snapshot (ms). */
  time?: number;
}

/** A reading as the journal's equity record takes it (Journal.recordEquity). */
interface EquityReading {
  ts: number;
  accountValue: number;
  /** The cash-flow scale a mark taken at it is at (the unconfirmed change's included). */
  scale: number;
  cash: number | null;
  pending: number;
}

export interface Halt {
  kind: HaltKind;
  reason: string;
}

export class SafetyWatch {
  readonly #o: SafetyWatchOptions;
  /**
   * The run writes the journal (run-mode.ts): a dry run does not — its equity, halts and cash
   * flows stay in memory, so it never leaves a halt that stops the trader's real runs.
   */
  readonly #journals: boolean;
  #halt: Halt | null = null;
  /** The halt is in the journal (read from it, or recorded): one cleared there is cleared here. */
  #haltJournaled = false;
  /** A halt this run raised that the journal could not take yet (#journalHalt): retried at each reading. */
  #haltToJournal: RecordHaltParameters | null = null;
  /** The day's loss stop could not be journaled yet (#saveDailyStop): retried at each reading. */
  #dailyStopUnsaved = false;
  /** A halted account with nothing left to close: only the regular sweeps run. */
  #flattened = false;
  #dailyLossHit = false;
  /** A limit would be hit if the cash change waiting for the ledger were a loss: increases wait. */
  #held = false;
  #hwm = 0;
  #drawdownPct = 0;
  #dailyLossPct = 0;
  /** The journal's high-water mark as last read or written, with the cash-flow scale it is at. */
  #journalHwm: Mark | null = null;
  /** A dry run's own high-water mark (it records none), with its scale. */
  #ownHwm: Mark | null = null;
  /** The UTC day's first recorded equity (and its cash-flow scale), as last read. */
  #day: { day: string; equity: Mark | null } | null = null;
  /** The daily loss stop of the current UTC day (journaled), or null. */
  #dailyStop: DailyLossStop | null = null;
  /** The scale of our journaled cash flows (read at sweeps, and with each one journaled). */
  #journalScale: number | null = null;
  /** A dry run's: the cash flows it took that the journal does not hold, and their scale. */
  #unjournaled: { flows: CashFlowRow[]; scale: number } = { flows: [], scale: 1 };
  /** The change of the cash the ledger has not explained yet. */
  #tracker: CashTracker = emptyCashTracker();
  /** The last reading, re-evaluated when a cash flow arrives. */
  #last: AccountReading | null = null;
  #lastEquityRecordAt = 0;
  /**
   * The last reading evaluated and not journaled (a live run), as it would be recorded: the
   * equity a close left is owed to the journal (#owed) at the next state record, and every such
   * reading at the run's end (recordLast).
   */
  #unrecorded: EquityReading | null = null;
  #owed = false;
  /**
   * The high-water mark as the readings since the last record left it, at its cash-flow scale (a
   * live run): the rules measure the drawdown from it between records, and the next record
   * carries it into the journal's mark — a peak between two records is never lost.
   */
  #peak: Mark | null = null;
  /** A manual halt (hlcopy flatten, the dashboard's f) this run recorded: the trader's word outlives a refused run. */
  #manual: RecordHaltParameters | null = null;

  /** When this watch began: a fresh journal's cash flows count from here. */
  readonly #startedAt: number;
  /**
   * A new account each run (paper): when it began. The journal's halts, marks and daily loss
   * stop from before it are an earlier account's. Null: the account is the journal's (live, dry run).
   */
  readonly #accountSince: number | null;
  /** The new account's start is yet to be journaled (its first reading does it). */
  #accountStartPending: boolean;

  constructor(options: SafetyWatchOptions) {
    this.#o = options;
    this.#journals = runPolicy(options.mode).journals;
    this.#startedAt = options.now();
    this.#accountSince = runPolicy(options.mode).newAccountEachRun ? this.#startedAt : null;
    this.#accountStartPending = this.#accountSince !== null;
  }

  /** Recorded before this run's account began: an earlier (paper) account's. */
  #earlierAccount(ts: number): boolean {
    return this.#accountSince !== null && ts < this.#accountSince;
  }

  /**
   * A halt from an earlier run that is still in force (read at the run's start), or null. An
   * earlier paper account's is not this one's: its first reading sets it aside (#startAccount).
   */
  loadHalt(): (Halt & { since: number }) | null {
    const halt = this.#o.journal.activeHalt();
    if (!halt || this.#earlierAccount(halt.ts)) return null;
    this.#halt = { kind: halt.kind, reason: halt.reason };
    this.#haltJournaled = true;
    return { ...this.#halt, since: halt.ts };
  }

  get halt(): Halt | null {
    return this.#halt;
  }
  /** Halted and not yet flat: sweeps come soon until everything is closed. */
  get closing(): boolean {
    return this.#halt !== null && !this.#flattened;
  }
  get dailyLossHit(): boolean {
    return this.#dailyLossHit;
  }
  /** Increases wait: a limit would be hit if the unconfirmed cash change were a loss. */
  get held(): boolean {
    return this.#held;
  }
  /** The unexplained change of the cash waiting for the ledger (+ in, − out; 0 when none). */
  get unconfirmedUsd(): number {
    return this.#tracker.pending;
  }
  get hwm(): number {
    return this.#hwm;
  }
  get drawdownPct(): number {
    return this.#drawdownPct;
  }
  /** The loss since the UTC day's first equity, % (trading results only), as of the last reading. */
  get dailyLossPct(): number {
    return this.#dailyLossPct;
  }
  /** The daily loss limit's stop in force today (hit earlier today, or now), or null. */
  get dailyStop(): DailyLossStop | null {
    return this.#dailyLossHit ? this.#dailyStop : null;
  }

  /** A halted sweep closed what it had to (or had nothing to close). */
  setFlattened(flat: boolean): void {
    this.#flattened = flat;
  }

  /**
   * Where our ledger is read from: after the last journaled cash flow, never before the
   * high-water mark's anchor (the first snapshot, or the last reset): what came before is in it.
   */
  ledgerSince(): number {
    const j = this.#o.journal;
    const read = Math.max(
      j.lastCashFlowTime() ?? Number.NEGATIVE_INFINITY,
      this.#anchor(),
      this.#readThrough,
    );
    // Entries not known read: the journal's newer ones (a stream's) do not move the read past them.
    return this.#unread === null ? read : Math.max(this.#anchor(), Math.min(read, this.#unread.from));
  }

  /**
   * A read of our ledger that began at `startedAt` (local ms) went through: the next one need
   * not go further back than a while before it (a margin for clock skew and the ledger's lag).
   * `through`: it stopped at its page cap at that entry's time instead — the entries after it
   * are not read, and the next read starts there whatever the stream journals meanwhile.
   */
  ledgerRead(startedAt: number, through: number | null = null): void {
    if (through !== null) {
      this.#readThrough = Math.max(this.#readThrough, through - LEDGER_REREAD_MS);
      this.#unread = { from: through, at: this.#o.now() };
      return;
    }
    this.#readThrough = Math.max(this.#readThrough, startedAt - LEDGER_REREAD_MS);
    // Begun (from no later than where the unread entries begin) once they were known unread.
    if (this.#unread !== null && startedAt > this.#unread.at) this.#unread = null;
  }
  #readThrough = Number.NEGATIVE_INFINITY;

  /**
   * Our ledger is not known read from `from` on (null: it is), since `at` (local ms): a stream's
   * snapshot did not reach back there (ledgerSnapshot), or a read stopped at its page cap there.
   * Reads begin no later than `from` until one begun after `at` goes through.
   */
  #unread: { from: number; at: number } | null = null;

  /**
   * The ledger stream's snapshot (on subscribe and each resubscribe), before its entries are
   * taken. It holds only the account's newest entries (the exchange does not say how many: the
   * simulator's 2,000): when all of them are newer than where our reads of the ledger got
   * (ledgerSince), the entries between — made while the stream was down and no read went through
   * — may be in neither, and the snapshot's newest, journaled, would move the next read's start
   * past them: a withdrawal among them, never read, would be a fall of the cash the ledger never
   * explains, counted as a trading loss once it waited CASH_FLOW_CONFIRM_MS. So the next read
   * begins where the reads got (no request of its own: the next sweep's read).
   */
  ledgerSnapshot(flows: readonly CashFlowRow[]): void {
    if (!this.#journals || flows.length === 0) return;
    let from: number;
    try {
      from = this.ledgerSince();
    } catch {
      return; // an unreadable journal: nothing to compare with (its writes warn on their own)
    }
    let oldest = Number.POSITIVE_INFINITY;
    for (const f of flows) if (f.time < oldest) oldest = f.time;
    if (oldest <= from) return;
    this.#unread = { from: Math.min(this.#unread?.from ?? from, from), at: this.#o.now() };
  }

  /** Cash flows before this are in the high-water mark already (its first snapshot or last reset). */
  #anchor(): number {
    return this.#o.journal.cashFlowAnchor() ?? this.#startedAt;
  }

  /**
   * Our own cash flows (from the ledger stream or a sweep's read): journaled once each with its
   * factor (E + flow) / E, then the marks scale by them at once (the last reading is evaluated
   * again, and recorded). E, the equity just before the flow: the account value of `reading` (a
   * sweep's, whose cash flows come with it) or of the last one, less the change of the cash in
   * it that the ledger had not explained yet — the flow itself when the account showed it first.
   * A dry run journals nothing: the flows the journal does not hold scale its marks in memory.
   */
  cashFlows(flows: readonly CashFlowRow[], reading?: AccountReading): void {
    const o = this.#o;
    const dry = !this.#journals;
    if (flows.length === 0) return;
    this.#seed();
    const fresh = this.#fresh(flows);
    if (fresh.length === 0) return;
    const at = reading ?? this.#last;
    const equityBefore = at ? at.accountValue - pendingAt(this.#tracker, at.cash) : this.#lastEquity();
    const factors =
      equityBefore === null
        ? fresh.map(() => 1)
        : flowFactors(
            equityBefore,
            fresh.map((f) => f.usd),
          );
    if (dry) {
      this.#unjournaled = {
        flows: [...this.#unjournaled.flows, ...fresh],
        scale: factors.reduce((s, f) => s * f, this.#unjournaled.scale),
      };
    } else {
      o.journal.recordCashFlows(
        fresh.map((f, i) => ({ ...f, factor: factors[i] ?? 1 })),
        o.runId?.() ?? null,
      );
      this.#journalScale = o.journal.cashFlowScale();
    }
    for (const f of fresh) this.#tracker = explainCash(this.#tracker, f.usd, f.time);
    const net = sum(fresh);
    o.emit({
      type: "notice",
      ts: o.now(),
      kind: "cash-flow",
      message: `your account ${net > 0 ? "received" : "sent out"} ${fmtUsd(Math.abs(net))} (${[...new Set(fresh.map((f) => f.kind))].join(", ")}): not a trading result — the high-water mark and the day's start scale with it, the drawdown and the daily loss stay as they were${dry ? " (dry run: not journaled)" : ""}`,
    });
    if (this.#last && !reading) this.#evaluate(this.#last, false, true);
  }

  /**
   * The flows not taken yet, oldest first: after the high-water mark's anchor, not journaled
   * (a dry run: not among those it took), each once.
   */
  #fresh(flows: readonly CashFlowRow[]): CashFlowRow[] {
    const o = this.#o;
    const dry = !this.#journals;
    const anchor = this.#anchor();
    const seen = new Set<string>();
    return flows
      .filter((f) => f.time > anchor && f.usd !== 0)
      .filter((f) => {
        const key = `${f.hash}|${f.kind}|${f.time}|${f.usd}`;
        if (seen.has(key) || o.journal.hasCashFlow(f)) return false;
        seen.add(key);
        return !(dry && this.#unjournaled.flows.some((u) => sameFlow(u, f)));
      })
      .sort((a, b) => a.time - b.time);
  }

  /**
   * The change of the cash a sweep's reading of our account (`cash`) would leave unexplained once
   * the fills and cash flows read with it were taken (fill, cashFlows, then check): 0 when they
   * explain it, or the cash is unknown. Nothing is changed (the engine asks before it applies a
   * sweep's reads whether its ledger read is worth taking again).
   */
  unexplainedAt(
    cash: number | null | undefined,
    flows: readonly CashFlowRow[],
    fills: readonly { closedPnl: number; fee: number; time: number }[] = [],
  ): number {
    let t = this.#seeded();
    for (const f of fills) t = explainCash(t, f.closedPnl - f.fee, f.time);
    for (const f of this.#fresh(flows)) t = explainCash(t, f.usd, f.time);
    return t.refCash === null ? 0 : pendingAt(t, cash);
  }

  /** The journal's last equity, when no reading is at hand (E of a cash flow). */
  #lastEquity(): number | null {
    return this.#o.journal.latestEquity()?.accountValue ?? null;
  }

  /**
   * A run's first look at the cash goes on from the journal's last snapshot (when it has the
   * cash): what changed while no run watched — a withdrawal whose ledger update has not come
   * yet — waits for the ledger as it would have in a run, and a change the last run was still
   * waiting for goes on waiting (its reference has no time: any cash flow the ledger brings
   * from here on explains it; those journaled already are never brought again). A dry run
   * starts from the same snapshot, so its figures are the live run's.
   */
  #seed(): void {
    this.#tracker = this.#seeded();
  }

  /** The tracker #seed leaves (nothing changed). */
  #seeded(): CashTracker {
    if (this.#tracker.refCash !== null) return this.#tracker;
    const last = this.#o.journal.latestEquity();
    if (last?.cash === null || last?.cash === undefined) return this.#tracker;
    return { ...emptyCashTracker(), refCash: last.cash - last.pending };
  }

  /**
   * One of our fills (fresh): its realised P&L less its fee explains a change of the cash. The
   * reference is taken first (the journal's last reading): fills read before the run's first
   * reading of the account — a reconcile's read of our fills, the fills stream's snapshot at a
   * follow's start: a trade by hand while no run watched — explain it too, instead of leaving
   * the change "unexplained" (increases held, and a one-sweep cron run never outwaits that).
   */
  fill(f: { closedPnl: number; fee: number; time: number }): void {
    this.#seed();
    this.#tracker = explainCash(this.#tracker, f.closedPnl - f.fee, f.time);
  }

  /**
   * An account value (from a sweep, or the account stream between sweeps) through the rules:
   * equity journaled (every sweep, else at most every EQUITY_RECORD_EVERY_MS), the daily loss
   * limit told when it is first hit, a new halt recorded. `recordNow`: journaled whatever the
   * pace (the first reading after our fills: the equity a close left).
   */
  check(reading: AccountReading, fromSweep: boolean, recordNow = false): void {
    // An outdated reading says nothing the newer one did not; taken as the last, it would be the
    // equity the run's end records (a kill switch's closes undone in status). A sweep still
    // re-reads the journal's marks and halts, on the newest reading.
    if (this.outdated(reading.time)) {
      if (!fromSweep && !recordNow) return;
      reading = this.#last ?? reading;
    }
    this.#evaluate(reading, fromSweep, recordNow);
  }

  /**
   * Whether a reading of the exchange time `time` is older than the newest the rules took in: a
   * frame the stream held, or had on its way as a newer one came, or a sweep's read sent before
   * a stream frame that arrived first.
   */
  outdated(time: number | undefined): boolean {
    const newest = this.#last?.time;
    return time !== undefined && newest !== undefined && time < newest;
  }

  /**
   * The last reading (the first after our fills: the equity a close left) is owed to the journal:
   * recordOwed writes it — the engine calls that with its state record, just before the journal's
   * group commits (another program sees nothing of the group before), so `status` shows it as
   * soon as it would have, and a leader trading ten times a second leaves one row a commit, not
   * one per reading (~4 a second).
   */
  owe(): void {
    if (this.#unrecorded) this.#owed = true;
  }

  /** Journal the reading owed to the journal (owe), if it is not recorded yet. */
  recordOwed(): void {
    if (this.#owed) this.recordLast();
  }

  /** Journal the last reading if it is not recorded yet, with the mark the readings before it left (the run's end). */
  recordLast(): void {
    const r = this.#unrecorded;
    this.#owed = false;
    if (!r || !this.#journals) return;
    this.#record(r, this.#o.now());
    const day = utcDay(r.ts);
    // The day's first equity may be this one (the rules read it at the next reading).
    if (this.#day?.day === day && this.#day.equity === null)
      this.#day = { day, equity: this.#o.journal.dayStartEquity(day, this.#accountSince ?? undefined) };
  }

  /** A reading journaled, the peak since the last record carried into its mark. */
  #record(r: EquityReading, now: number): void {
    const row = this.#o.journal.recordEquity(r.ts, r.accountValue, {
      scale: r.scale,
      cash: r.cash,
      pending: r.pending,
      ...(this.#peak ? { peak: this.#peak } : {}),
    });
    this.#journalHwm = { value: row.hwm, scale: row.scale };
    this.#lastEquityRecordAt = now;
    this.#peak = null;
    this.#unrecorded = null;
    this.#owed = false;
  }

  #evaluate(reading: AccountReading, fromSweep: boolean, recordNow: boolean): void {
    const o = this.#o;
    const { accountValue } = reading;
    // A dry run shows what the rules would do but writes no equity and no halt: it must
    // never leave a halt behind that stops the trader's real runs.
    const persist = this.#journals;
    if (!persist && accountValue <= 0) return;
    this.#last = reading;
    const now = o.now();
    // The journal's HWM, the day's first equity and its stop are read by sweeps and when the
    // UTC day turns; an account update in between (one per fill) uses what they left.
    const day = utcDay(now);
    if (persist && this.#accountStartPending) this.#startAccount(now, accountValue, day);
    const reread = fromSweep || this.#day?.day !== day;
    if (reread) {
      const last = o.journal.latestEquity();
      this.#journalHwm = last ? { value: last.hwm, scale: last.scale } : null;
      this.#journalScale = o.journal.cashFlowScale();
      // The day's stop as journaled (a dry run keeps one it found itself, recording nothing).
      const stop = o.journal.getCopyState<DailyLossStop>(DAILY_LOSS_STOP_KEY);
      if (stop?.day === day && !this.#earlierAccount(stop.since)) this.#dailyStop = stop;
      else if (this.#dailyStop?.day !== day) this.#dailyStop = null;
    }
    if (persist && fromSweep) this.#syncHalt(now);
    // The cash the ledger does not explain yet is taken as a cash flow for now (a reading of the
    // exchange's account has the cash); one that waited too long counts as a trading result.
    const cash = reading.cash;
    if (cash !== undefined && cash !== null && Number.isFinite(cash)) {
      this.#seed();
      const r = readCash(this.#tracker, cash, reading.time ?? now, now, o.confirmMs);
      this.#tracker = r.tracker;
      if (r.absorbed !== 0 && Math.abs(r.absorbed) >= 1) {
        o.emit({
          type: "warning",
          ts: now,
          message: `a ${r.absorbed > 0 ? "rise" : "fall"} of the account's cash of ${fmtUsd(Math.abs(r.absorbed))} was not explained by our fills or the ledger: counted as a trading result`,
        });
      }
    }
    const pending = this.#tracker.pending;
    // The confirmed cash flows' scale (the journal's, and a dry run's flows the journal lacks),
    // and the one a mark taken now is at (the change waiting for the ledger is in it).
    const scale = (this.#journalScale ?? 1) * this.#unjournaled.scale;
    const markScale = scale * unconfirmedFactor(accountValue, pending);
    let recorded = false;
    const asRecorded = { ts: now, accountValue, scale: markScale, cash: cash ?? null, pending };
    // The UTC day's first reading is its start (the daily loss limit's): recorded at once.
    const firstOfDay = this.#day?.day !== day || this.#day.equity === null;
    if (
      persist &&
      (fromSweep || recordNow || firstOfDay || now - this.#lastEquityRecordAt >= EQUITY_RECORD_EVERY_MS)
    ) {
      this.#record(asRecorded, now);
      recorded = true;
    }
    // The day's first equity may be the one just recorded; a dry run takes its first reading
    // of a day the journal has none of (a live run would have recorded it).
    if (reread || this.#day?.day !== day || (recorded && this.#day?.equity === null)) {
      const own = !persist && this.#day?.day === day ? this.#day.equity : null;
      this.#day = { day, equity: o.journal.dayStartEquity(day, this.#accountSince ?? undefined) ?? own };
    }
    if (!persist && this.#day?.equity === null)
      this.#day = { day, equity: { value: accountValue, scale: markScale } };
    let hwm = this.#journalHwm ? markAt(this.#journalHwm, scale) : 0;
    // A peak since the last record counts as if it had been recorded (the next record carries it).
    if (persist && this.#peak) hwm = Math.max(hwm, markAt(this.#peak, scale));
    // A dry run's modeled equity keeps its own high-water mark while it runs (nothing recorded).
    if (!persist && this.#ownHwm) hwm = Math.max(hwm, markAt(this.#ownHwm, scale));
    const verdict = evaluateSafety({
      accountValue,
      hwm,
      dayStartEquity: this.#day?.equity ? markAt(this.#day.equity, scale) : null,
      settings: o.settings,
      activeHalt: this.#halt,
      unconfirmedUsd: pending,
      dailyStop: dailyStopOn(this.#dailyStop, day, o.settings.risk.maxDailyLossPct),
    });
    if (!persist) this.#ownHwm = { value: verdict.hwm, scale: markScale };
    else if (!recorded) {
      this.#unrecorded = asRecorded;
      // Only a reading above the journal's mark is a peak to carry (never the mark itself: a
      // reset by hlcopy resume meanwhile is the journal's to keep).
      const journaled = this.#journalHwm ? markAt(this.#journalHwm, markScale) : 0;
      const before = this.#peak ? markAt(this.#peak, markScale) : 0;
      if (accountValue > journaled && accountValue > before)
        this.#peak = { value: accountValue, scale: markScale };
    }
    this.#hwm = verdict.hwm;
    this.#drawdownPct = verdict.drawdownPct;
    this.#dailyLossPct = verdict.dailyLossPct;
    if (verdict.dailyLossReached && this.#dailyStop?.day !== day) {
      this.#dailyStop = {
        day,
        lossPct: verdict.dailyLossPct,
        limitPct: o.settings.risk.maxDailyLossPct,
        since: now,
      };
      if (persist) this.#saveDailyStop(now);
    }
    if (verdict.dailyLossHit && !this.#dailyLossHit) {
      const stop = this.#dailyStop;
      // A stop an earlier run journaled today (read back at this run's start): it still holds,
      // told as standing since then — not a new one (no alert, not counted again).
      const standing = stop !== null && stop.since < this.#startedAt;
      o.emit({
        type: "halt",
        ts: now,
        kind: "daily-loss",
        reason: dailyLossReason(stop?.lossPct ?? verdict.dailyLossPct, o.settings.risk.maxDailyLossPct),
        ...(standing ? { since: stop.since } : {}),
      });
    }
    this.#dailyLossHit = verdict.dailyLossHit;
    if (verdict.held && !this.#held) {
      const waitS = Math.round((o.confirmMs ?? CASH_FLOW_CONFIRM_MS) / 1000);
      // A dry run models its own account from its first read: it never reads the real one's
      // cash or ledger again, so nothing confirms or outwaits the change. It holds increases
      // for the rest of the run, as a live run would until the ledger confirms it, and says so.
      const what =
        o.mode === "dry-run"
          ? `a live run takes it as a deposit/withdrawal and holds increases until the ledger confirms it (counted as a trading result if unconfirmed within ${waitS} s); this dry run models its own account from here and never sees the ledger confirm it, so it holds increases for the rest of the run`
          : `taken as a deposit/withdrawal while the ledger confirms it (increases wait; counted as a trading result if unconfirmed within ${waitS} s)`;
      // The ledger may be ahead of the account read instead: its deposit (withdrawal) is
      // explained, the cash has not risen (fallen) yet — the change waiting is the reverse of
      // the ledger's, and calling a deposit a fall of the cash says the opposite of what happened.
      const explained = this.#tracker.explained;
      const ledgerAhead =
        explained !== 0 &&
        Math.sign(pending) === -Math.sign(explained) &&
        Math.abs(pending) <= Math.abs(explained) + 0.01;
      o.emit({
        type: "warning",
        ts: now,
        message: ledgerAhead
          ? `the ledger's ${explained > 0 ? "deposit" : "withdrawal"} of ${fmtUsd(Math.abs(pending))} is not in the account's cash yet (the account read trails the ledger): increases wait until it is (counted as a trading result if it does not show within ${waitS} s)`
          : `the account's cash ${pending < 0 ? "fell" : "rose"} by ${fmtUsd(Math.abs(pending))} with no fill or ledger update to explain it yet: ${what}`,
      });
    }
    this.#held = verdict.held;
    if (verdict.newHalt) {
      // The reading that raised the halt is journaled with it.
      if (persist && !recorded) this.recordLast();
      this.haltNow(verdict.newHalt.kind, verdict.newHalt.reason);
    } else if (this.#haltToJournal && this.#halt) this.#journalHalt(this.#haltToJournal);
    if (this.#dailyStopUnsaved && persist) this.#saveDailyStop(now);
  }

  /**
   * A new account's first reading (paper): an earlier account's halt is cleared and its
   * high-water mark reset to this account's value, in the journal (so status, resume and the next
   * sweep's read agree); its day's start and daily loss stop are left behind by their time. Said
   * once when any of them would have counted against this account.
   */
  #startAccount(now: number, accountValue: number, day: string): void {
    const j = this.#o.journal;
    this.#accountStartPending = false;
    const since = this.#accountSince ?? now;
    const halt = j.activeHalt();
    const earlierHalt = halt && this.#earlierAccount(halt.ts) ? halt : null;
    if (earlierHalt) j.clearHalts(now);
    const last = j.latestEquity();
    const earlierMark = last && this.#earlierAccount(last.ts) ? last : null;
    if (earlierMark) j.resetHighWaterMark(now, accountValue);
    const stop = j.getCopyState<DailyLossStop>(DAILY_LOSS_STOP_KEY);
    const earlierStop = stop?.day === day && stop.since < since ? stop : null;
    const markMoved = earlierMark !== null && fixed(earlierMark.hwm) !== fixed(accountValue);
    if (!earlierHalt && !earlierStop && !markMoved) return;
    const parts = [
      ...(earlierHalt ? [`${earlierHalt.kind} halt (${earlierHalt.reason})`] : []),
      ...(earlierMark && markMoved ? [`high-water mark ${fmtUsd(earlierMark.hwm)}`] : []),
      ...(earlierStop ? [`daily loss stop (${fixed(earlierStop.lossPct)}%)`] : []),
    ];
    this.#o.emit({
      type: "notice",
      ts: now,
      kind: "paper-account",
      message: `new paper account of ${fmtUsd(accountValue)}: set aside the earlier paper account's ${listed(parts)} — drawdown and daily loss count from this account's start`,
    });
  }

  /**
   * The journal is where every process of the account writes its halts: one another process
   * wrote (hlcopy flatten that could not reach this run) is honoured from this sweep on — it
   * closes everything — and one another process cleared (hlcopy resume) is dropped, so what
   * status says of the halt is what this run does.
   */
  #syncHalt(now: number): void {
    const journaled = this.#o.journal.activeHalt();
    if (journaled && !this.#halt) {
      this.#halt = { kind: journaled.kind, reason: journaled.reason };
      this.#haltJournaled = true;
      this.#flattened = false;
      this.#o.emit({ type: "halt", ts: now, kind: journaled.kind, reason: journaled.reason });
    } else if (!journaled && this.#halt && this.#haltJournaled) {
      this.#halt = null;
      this.#haltJournaled = false;
      this.#flattened = false;
      this.#o.emit({ type: "resume", ts: now });
    }
  }

  /** Halt (journaled but in a dry run, and told): everything closes, nothing opens until `hlcopy resume`. */
  haltNow(kind: HaltKind, reason: string): void {
    const o = this.#o;
    const now = o.now();
    this.#halt = { kind, reason };
    this.#haltJournaled = false;
    this.#flattened = false;
    if (this.#journals) {
      const halt = { ts: now, kind, reason, details: { drawdownPct: this.#drawdownPct, hwm: this.#hwm } };
      if (kind === "manual") this.#manual = halt;
      this.#journalHalt(halt);
    }
    o.emit({
      type: "halt",
      ts: now,
      kind,
      reason,
      ...(this.#journals ? {} : { recorded: false as const }),
    });
  }

  /**
   * Journal a halt this run raised. One the journal cannot take yet (another program holds it:
   * a busy spell) holds all the same — in this run, which closes and sends nothing else — and is
   * said, then written at the next account reading (check) that finds the journal free: until
   * then `hlcopy status` and other processes do not see it.
   */
  #journalHalt(halt: RecordHaltParameters): void {
    try {
      this.#o.journal.recordHalt(halt);
      this.#haltJournaled = true;
      this.#haltToJournal = null;
    } catch (error) {
      if (this.#haltToJournal === null)
        this.#o.emit({
          type: "warning",
          ts: this.#o.now(),
          message: `the ${halt.kind} halt holds in this run, but the journal could not record it yet (${toHlcopyError(error).message}): it is written once the journal takes it — until then hlcopy status and other runs do not see it`,
        });
      this.#haltToJournal = halt;
    }
  }

  /** The day's loss stop, to the journal (later, at a reading that finds it free, if it is busy now). */
  #saveDailyStop(now: number): void {
    if (!this.#dailyStop) return;
    try {
      this.#o.journal.setCopyState(DAILY_LOSS_STOP_KEY, this.#dailyStop, now);
      this.#dailyStopUnsaved = false;
    } catch (error) {
      if (!this.#dailyStopUnsaved)
        this.#o.emit({
          type: "warning",
          ts: now,
          message: `the daily loss stop holds in this run, but the journal could not record it yet (${toHlcopyError(error).message}): it is written once the journal takes it`,
        });
      this.#dailyStopUnsaved = true;
    }
  }

  /**
   * The run was refused before it could send and what it held in the journal was dropped (the
   * equity and a halt its own rules found among it): a manual halt asked for meanwhile (hlcopy
   * flatten at the review) is the trader's, and is recorded again.
   */
  afterDrop(): void {
    if (this.#manual && !this.#o.journal.activeHalt()) this.#o.journal.recordHalt(this.#manual);
    this.#manual = null;
  }

  /** `hlcopy resume` cleared the halt in the journal: drop it here too. Whether it was dropped. */
  clearIfResumed(): boolean {
    if (!this.#halt || !this.#journals || this.#o.journal.activeHalt()) return false;
    // Resume reset the journal's mark: a peak from before it is not carried over it.
    this.#peak = null;
    this.#halt = null;
    this.#haltJournaled = false;
    this.#flattened = false;
    return true;
  }
}

const sum = (flows: readonly { usd: number }[]): number => flows.reduce((t, f) => t + f.usd, 0);

const sameFlow = (a: CashFlowRow, b: CashFlowRow): boolean =>
  a.hash === b.hash && a.kind === b.kind && a.time === b.time && a.usd === b.usd;
