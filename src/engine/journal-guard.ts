// The journal's busy spells as the run lives them (store/journal.ts: another program holds the
// journal, a backup tool or a SQLite browser): said when one begins and when it ends, once each;
// the orders it kept from being sent counted and named; and a stop's wait for it to end. The
// journal keeps its records in memory meanwhile; this keeps what the run says about the spell.

import type { PlannedAction } from "../core/types.js";
import type { Journal, JournalBusyState } from "../store/journal.js";
import type { PartBase } from "./ports.js";

/** How often a run that goes on prunes the journal past its retention (at a sweep). */
const PRUNE_EVERY_MS = 86_400_000;
/** The rows of each table one sweep prunes at most while a run goes on (~10 ms of plans). */
const PRUNE_SLICE_ROWS = 5_000;

export interface JournalGuardOptions extends Pick<PartBase, "emit" | "now"> {
  journal: Pick<Journal, "busySince" | "pruneBefore" | "goneFromPath" | "path">;
  /** EngineOptions.journalRetentionDays (default 30). */
  retentionDays: number | undefined;
  /** stop() was called: the spell's end repairs nothing. */
  stopping: () => boolean;
  /** A spell ended while the run goes on: a sweep repairs the drift it left. */
  repair: () => void;
}

export class JournalGuard {
  readonly #o: JournalGuardOptions;
  /** Orders not sent during the journal's busy spell, and the first of them (onBusy). */
  #unsentWhileBusy = 0;
  #busyWhat: string | undefined;
  /** Waiters for the journal's busy spell to end (freed). */
  #busyWaiters: (() => void)[] = [];
  /** When the journal was last pruned past its retention (PRUNE_EVERY_MS). */
  #prunedAt = 0;
  /** A prune under way, a slice a sweep: what is older than this goes. */
  #pruneTo: number | null = null;
  /** The journal's file was found gone from its path (said once). */
  #goneSaid = false;

  constructor(options: JournalGuardOptions) {
    this.#o = options;
  }

  /** Orders not sent in this busy spell (the last one, once it ended). */
  get unsent(): number {
    return this.#unsentWhileBusy;
  }

  /** An order not sent: its intent could not be journaled during the spell. */
  notSent(a: PlannedAction): void {
    this.#unsentWhileBusy++;
    this.#busyWhat ??= `${a.coin} ${a.side} ${a.size} not sent`;
  }

  /**
   * A busy spell of the journal (another program holds it: store/journal.ts): said when it
   * begins and when it ends, once each. Meanwhile the run goes on; an order whose intent cannot
   * be journaled is not sent, and the sweep after the spell repairs the drift it left.
   */
  onBusy(state: JournalBusyState): void {
    if (state.busy) {
      this.#unsentWhileBusy = 0;
      this.#busyWhat = undefined;
      // Said after the write that met it: an order it stopped names itself (notSent, from the engine's #execute).
      queueMicrotask(() =>
        this.#o.emit({
          type: "warning",
          ts: this.#o.now(),
          message: `journal busy (held by another program): ${this.#busyWhat ?? "this run's records wait in memory"}; no order is sent until its intent can be journaled; retrying — the run goes on`,
        }),
      );
      return;
    }
    const seconds = Math.max(0, Math.round((Date.now() - state.since) / 1000));
    const unsent = this.#unsentWhileBusy;
    this.#o.emit({
      type: "notice",
      ts: this.#o.now(),
      kind: "journal",
      message: `journal free again after ${seconds}s: ${state.kept} record(s) kept in memory written, ${unsent} order(s) not sent meanwhile${this.#o.stopping() ? "" : "; a sweep repairs the drift"}`,
    });
    for (const resolve of this.#busyWaiters.splice(0)) resolve();
    if (!this.#o.stopping()) this.#o.repair();
  }

  /** Resolves when the journal is not busy, or after `ms` at most. */
  async freed(ms: number): Promise<void> {
    if (this.#o.journal.busySince() === null) return;
    this.#o.emit({
      type: "notice",
      ts: this.#o.now(),
      kind: "journal",
      message: `waiting up to ${Math.round(ms / 1000)}s for the journal to free (another program holds it) to journal the run's end`,
    });
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.#busyWaiters.push(resolve);
      timer = setTimeout(resolve, ms);
    });
    clearTimeout(timer);
  }

  /**
   * At each sweep: the journal's file deleted or moved while the run writes it is said, once.
   * The run goes on (SQLite keeps writing the file it opened, and the run's orders stay exactly
   * once), but what it journals is lost to every later run: the high-water mark and a halt the
   * kill switch keeps, the positions hlcopy opened, status, report. Silent before: the next run
   * found "no runs yet".
   */
  checkPath(): void {
    if (this.#goneSaid || !this.#o.journal.goneFromPath()) return;
    this.#goneSaid = true;
    this.#o.emit({
      type: "warning",
      ts: this.#o.now(),
      message: `journal ${this.#o.journal.path} was deleted or moved while this run writes it: what the run journals from now on (orders, fills, the high-water mark, a halt) goes to the file it opened, not where the next run, status or report look — stop the run and put the journal back (or start afresh knowing its history is gone); the run goes on`,
    });
  }

  /**
   * At a good sweep's apply: the journal pruned past its retention — everything before the run
   * began less the retention once the start checks pass (`checked` false), then a slice a sweep.
   */
  prune(startedAt: number, checked: boolean): void {
    // Keep the journal bounded: plans and the event log older than the retention go — once the
    // start checks passed (a refused run leaves the journal as it was), then at the first sweep
    // of each day a run goes on for (a follow left running for weeks grew without bound).
    // While it runs, a slice at each sweep until done: a day of a leader trading ten times a
    // second is ~860 000 plans, a second's stall pruned at once.
    const sweptAt = this.#o.now();
    const retentionMs = (this.#o.retentionDays ?? 30) * 86_400_000;
    if (!checked) {
      this.#o.journal.pruneBefore(startedAt - retentionMs);
      this.#prunedAt = sweptAt;
    } else if (this.#pruneTo !== null || sweptAt - this.#prunedAt >= PRUNE_EVERY_MS) {
      if (this.#pruneTo === null) {
        this.#pruneTo = sweptAt - retentionMs;
        this.#prunedAt = sweptAt;
      }
      const pruned = this.#o.journal.pruneBefore(this.#pruneTo, PRUNE_SLICE_ROWS);
      if (pruned.decisions < PRUNE_SLICE_ROWS && pruned.events < PRUNE_SLICE_ROWS) this.#pruneTo = null;
    }
  }
}
