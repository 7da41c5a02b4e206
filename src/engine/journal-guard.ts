// The journal's busy spells as the run lives them (store/journal.ts: another program holds the
// journal, a backup tool or a SQLite browser): said when one begins and when it ends, once each;
// the orders it kept from being sent counted and named; and a stop's wait for it to end. The
// journal keeps its records in memory meanwhile; this keeps what the run says about the spell.

import type { PlannedAction } from "../core/types.js";
import type { Journal, JournalBusyState } from "../store/journal.js";
import type { EngineEvent } from "./events.js";

export interface JournalGuardOptions {
  journal: Pick<Journal, "busySince">;
  emit: (event: EngineEvent) => void;
  now: () => number;
  /** stop() was called: the spell's end repairs nothing. */
  stopping: () => boolean;
  /** A spell ended while the run goes on: a sweep repairs the drift it left. */
  repair: () => void;
}

export class JournalGuard {
  readonly #o: JournalGuardOptions;
  /** Orders not sent during the journal's busy spell, and the first of them (#journalBusy). */
  #unsentWhileBusy = 0;
  #busyWhat: string | undefined;
  /** Waiters for the journal's busy spell to end (#journalFreed). */
  #busyWaiters: (() => void)[] = [];

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
      // Said after the write that met it: an order it stopped names itself (#execute).
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
}
