// The account's safety rules around the planner (design §6): the equity high-water mark and
// drawdown, the daily loss limit and the halts (kill switch, drawdown, manual flatten). Keeps
// what the journal holds (the HWM, the day's first equity, an active halt) in step with what the
// run sees, and tells the planner whether increases are blocked or everything must close.
// The rules themselves are pure (core/safety.ts evaluateSafety); this is their memory and I/O.

import { fixed } from "../core/format.js";
import { evaluateSafety, type HaltKind, utcDay } from "../core/safety.js";
import type { Settings } from "../core/settings.js";
import type { Journal, RecordHaltParameters } from "../store/journal.js";
import type { EngineEvent, RunMode } from "./events.js";

/** Account updates between sweeps record equity at most this often. */
const EQUITY_RECORD_EVERY_MS = 5_000;

export interface SafetyWatchOptions {
  journal: Journal;
  settings: Settings;
  /** A dry run reads the journal but writes no equity and no halt. */
  mode: RunMode;
  emit: (event: EngineEvent) => void;
  now: () => number;
}

export interface Halt {
  kind: HaltKind;
  reason: string;
}

export class SafetyWatch {
  readonly #o: SafetyWatchOptions;
  #halt: Halt | null = null;
  /** The halt is in the journal (read from it, or recorded): one cleared there is cleared here. */
  #haltJournaled = false;
  /** A halted account with nothing left to close: only the regular sweeps run. */
  #flattened = false;
  #dailyLossHit = false;
  #hwm = 0;
  #drawdownPct = 0;
  /** The journal's high-water mark as last read or written. */
  #journalHwm: number | null = null;
  /** The UTC day's first recorded equity, as last read. */
  #day: { day: string; equity: number | null } | null = null;
  #lastEquityRecordAt = 0;
  /** A manual halt (hlcopy flatten, the dashboard's f) this run recorded: the trader's word outlives a refused run. */
  #manual: RecordHaltParameters | null = null;

  constructor(options: SafetyWatchOptions) {
    this.#o = options;
  }

  /** A halt from an earlier run that is still in force (read at the run's start), or null. */
  loadHalt(): Halt | null {
    const halt = this.#o.journal.activeHalt();
    if (halt) {
      this.#halt = { kind: halt.kind, reason: halt.reason };
      this.#haltJournaled = true;
    }
    return this.#halt;
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
  get hwm(): number {
    return this.#hwm;
  }
  get drawdownPct(): number {
    return this.#drawdownPct;
  }

  /** A halted sweep closed what it had to (or had nothing to close). */
  setFlattened(flat: boolean): void {
    this.#flattened = flat;
  }

  /**
   * An account value (from a sweep, or the account stream between sweeps) through the rules:
   * equity journaled (every sweep, else at most every EQUITY_RECORD_EVERY_MS), the daily loss
   * limit told when it is first hit, a new halt recorded.
   */
  check(accountValue: number, fromSweep: boolean): void {
    const o = this.#o;
    // A dry run shows what the rules would do but writes no equity and no halt: it must
    // never leave a halt behind that stops the trader's real runs.
    const persist = o.mode !== "dry-run";
    if (!persist && accountValue <= 0) return;
    const now = o.now();
    // The journal's HWM and the day's first equity are read by sweeps and when the UTC day
    // turns; an account update in between (one per fill) uses what they left.
    const day = utcDay(now);
    const reread = fromSweep || this.#day?.day !== day;
    if (reread) this.#journalHwm = o.journal.highWaterMark();
    if (persist && fromSweep) this.#syncHalt(now);
    let hwm = this.#journalHwm ?? accountValue;
    // A dry run's modeled equity keeps its own high-water mark while it runs (nothing recorded).
    if (!persist) hwm = Math.max(hwm, this.#hwm);
    let recorded = false;
    if (persist && (fromSweep || now - this.#lastEquityRecordAt >= EQUITY_RECORD_EVERY_MS)) {
      hwm = o.journal.recordEquity(now, accountValue).hwm;
      this.#journalHwm = hwm;
      this.#lastEquityRecordAt = now;
      recorded = true;
    }
    // The day's first equity may be the one just recorded.
    if (reread || (recorded && this.#day?.equity === null)) {
      this.#day = { day, equity: o.journal.dayStartEquity(day) };
    }
    const verdict = evaluateSafety({
      accountValue,
      hwm,
      dayStartEquity: this.#day?.equity ?? null,
      settings: o.settings,
      activeHalt: this.#halt,
    });
    this.#hwm = Math.max(hwm, accountValue);
    this.#drawdownPct = verdict.drawdownPct;
    if (verdict.dailyLossHit && !this.#dailyLossHit) {
      o.emit({
        type: "halt",
        ts: now,
        kind: "daily-loss",
        reason: `daily loss ${fixed(verdict.dailyLossPct)}% reached the ${o.settings.risk.maxDailyLossPct}% limit: no increases until 00:00 UTC`,
      });
    }
    this.#dailyLossHit = verdict.dailyLossHit;
    if (verdict.newHalt) this.haltNow(verdict.newHalt.kind, verdict.newHalt.reason);
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
    if (o.mode !== "dry-run") {
      const halt = { ts: now, kind, reason, details: { drawdownPct: this.#drawdownPct, hwm: this.#hwm } };
      o.journal.recordHalt(halt);
      this.#haltJournaled = true;
      if (kind === "manual") this.#manual = halt;
    }
    o.emit({
      type: "halt",
      ts: now,
      kind,
      reason,
      ...(o.mode === "dry-run" ? { recorded: false as const } : {}),
    });
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
    if (!this.#halt || this.#o.mode === "dry-run" || this.#o.journal.activeHalt()) return false;
    this.#halt = null;
    this.#haltJournaled = false;
    this.#flattened = false;
    return true;
  }
}
