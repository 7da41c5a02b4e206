// The run's warnings, journaled (an event "warning" each: store/journal.ts recordWarning), so
// `hlcopy status` and `hlcopy journal` say what a run warned about to a trader who was not
// watching its terminal. The same words said again in the run are one row, counted, with the
// first and the last time; past MAX_WARNING_ROWS distinct ones a run's further warnings are
// counted in one row of their own — a run that warns without end never bloats the journal.

import type { RecordWarningParameters } from "../store/journal.js";

/** The distinct warnings a run journals a row each. */
export const MAX_WARNING_ROWS = 200;

/** The row a run's warnings past MAX_WARNING_ROWS distinct ones are counted in. */
export const OVERFLOW_WARNING = `more than ${MAX_WARNING_ROWS} different warnings in this run: the rest are counted here, their words not kept (the run's output had them)`;

export interface WarningLogOptions {
  /** Journals a warning's row (count 1: a new row; more: the row updated). */
  record: (p: RecordWarningParameters) => void;
}

export class WarningLog {
  readonly #o: WarningLogOptions;
  /** Each warning of the run: its first time and how many times it was said. */
  readonly #seen = new Map<string, { first: number; count: number }>();
  /** The run the rows are of: another run's (a dropped one's id taken again) starts afresh. */
  #runId: number | null = null;
  /** Warnings journaled as an event of their own (journaledElsewhere): said once, no row. */
  readonly #elsewhere = new Map<string, number>();

  constructor(options: WarningLogOptions) {
    this.#o = options;
  }

  /**
   * The next warning of these words is journaled as an event of its own, with its details
   * ("foreignOrders"): it gets no "warning" row (status counts those events as warnings too).
   */
  journaledElsewhere(message: string): void {
    this.#elsewhere.set(message, (this.#elsewhere.get(message) ?? 0) + 1);
  }

  /** A warning the run said at `ts`: journaled, or its row's count and last time moved on. */
  said(runId: number, message: string, ts: number): void {
    const elsewhere = this.#elsewhere.get(message);
    if (elsewhere !== undefined) {
      if (elsewhere <= 1) this.#elsewhere.delete(message);
      else this.#elsewhere.set(message, elsewhere - 1);
      return;
    }
    if (this.#runId !== runId) {
      this.#seen.clear();
      this.#runId = runId;
    }
    const known = this.#seen.get(message);
    const key = known !== undefined || this.#seen.size < MAX_WARNING_ROWS ? message : OVERFLOW_WARNING;
    const entry = this.#seen.get(key) ?? { first: ts, count: 0 };
    entry.count++;
    this.#seen.set(key, entry);
    this.#o.record({ runId, message: key, first: entry.first, last: ts, count: entry.count });
  }
}
