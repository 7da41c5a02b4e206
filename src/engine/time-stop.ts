// The time stop (risk.maxHoldHours) around the planner: keeps the hold clock of our positions
// in the journal (so a restart keeps counting from the first open), tells the planner which
// coins are due (it closes them reduce-only, reason "time-stop"), journals each close that
// filled, and keeps such a coin from being bought back while the leaders keep their side —
// the same rule as a coin our own stop closed (core/protection.ts keepStoppedOut).

import { type HoldClock, timeStopsDue, updateHoldClock } from "../core/exits.js";
import { detailNumber } from "../core/format.js";
import { keepStoppedOut } from "../core/protection.js";
import type { Positions } from "../core/types.js";
import type { Journal } from "../store/journal.js";
import type { EngineEvent } from "./events.js";

export interface TimeStopOptions {
  journal: Journal;
  maxHoldHours: number;
  /** False in a dry run: it reads the journal but never writes it. */
  persist: boolean;
  emit: (event: EngineEvent) => void;
  now: () => number;
  runId: () => number | null;
}

/** An executed order as the time stop needs it. */
export interface ExecutedFill {
  coin: string;
  reason: string;
  filledSize: number;
  avgPx: number | null;
}

const CLOCK_KEY = "exits:held";
const STOPPED_KEY = "exits:stopped";

export class TimeStop {
  readonly #o: TimeStopOptions;
  #clock: HoldClock;
  /** coin → the leaders' sign when the time stop closed it. */
  #stopped: Record<string, number>;

  constructor(options: TimeStopOptions) {
    this.#o = options;
    this.#clock = options.journal.getCopyState<HoldClock>(CLOCK_KEY) ?? {};
    this.#stopped = options.journal.getCopyState<Record<string, number>>(STOPPED_KEY) ?? {};
  }

  /**
   * A new account (a paper run's, each run: run-mode.ts newAccountEachRun): the hold clocks and
   * the coins the time stop closed that the journal holds were an earlier account's positions —
   * this one holds none of them, and may enter a coin the earlier one was stopped out of.
   * Cleared here and in the journal; returns what was set aside (said once by the caller).
   */
  newAccount(now: number): string[] {
    const held = Object.keys(this.#clock).sort();
    const stopped = Object.keys(this.#stopped).sort();
    const parts: string[] = [];
    if (held.length > 0) {
      this.#clock = {};
      if (this.#o.persist) this.#o.journal.setCopyState(CLOCK_KEY, {}, now);
      parts.push(`hold clock${held.length > 1 ? "s" : ""} of ${held.join(", ")}`);
    }
    if (stopped.length > 0) {
      this.#setStopped({});
      parts.push(
        `time stop${stopped.length > 1 ? "s" : ""} of ${stopped.join(", ")} (not re-entered while the leader held ${stopped.length > 1 ? "them" : "it"})`,
      );
    }
    return parts;
  }

  /** Update the clock from our positions; returns the coins due for the time stop. */
  due(positions: Positions): string[] {
    const now = this.#o.now();
    const next = updateHoldClock(this.#clock, positions, now);
    if (JSON.stringify(next) !== JSON.stringify(this.#clock)) {
      this.#clock = next;
      if (this.#o.persist) this.#o.journal.setCopyState(CLOCK_KEY, next, now);
    }
    return timeStopsDue(this.#clock, positions, now, this.#o.maxHoldHours).map((d) => d.coin);
  }

  /** When each position's time stop is due (ms), by coin. */
  dueAt(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [coin, c] of Object.entries(this.#clock))
      out[coin] = c.since + this.#o.maxHoldHours * 3_600_000;
    return out;
  }

  /** Coins the time stop closed that the leaders still hold on the same side: not re-entered. */
  stoppedOut(leaderSizes: Record<string, number>): string[] {
    const next = keepStoppedOut(this.#stopped, leaderSizes);
    if (Object.keys(next).length !== Object.keys(this.#stopped).length) this.#setStopped(next);
    return Object.keys(this.#stopped).sort();
  }

  /** A leader fill that opens the coin from flat or crosses zero: the next open is a new trade. */
  leaderTraded(coin: string, startPosition: number, endPosition: number): void {
    if (this.#stopped[coin] === undefined) return;
    if (startPosition !== 0 && Math.sign(startPosition) === Math.sign(endPosition)) return;
    const { [coin]: _gone, ...rest } = this.#stopped;
    this.#setStopped(rest);
  }

  /** Orders just executed: each time-stop close that filled is journaled and said. */
  afterExecute(results: readonly ExecutedFill[], leaderSizes: Record<string, number>): void {
    for (const r of results) {
      if (r.reason !== "time-stop" || !(r.filledSize > 0)) continue;
      const now = this.#o.now();
      const since = this.#clock[r.coin]?.since ?? null;
      const heldHours = since === null ? null : (now - since) / 3_600_000;
      const sign = Math.sign(leaderSizes[r.coin] ?? 0);
      if (sign !== 0) this.#setStopped({ ...this.#stopped, [r.coin]: sign });
      if (this.#o.persist) {
        this.#o.journal.recordEvent({
          ts: now,
          type: "timeStop",
          runId: this.#o.runId(),
          coin: r.coin,
          data: { size: r.filledSize, px: r.avgPx, since, heldHours, maxHoldHours: this.#o.maxHoldHours },
        });
      }
      this.#o.emit({
        type: "notice",
        ts: now,
        kind: "time-stop",
        message: `time stop: ${r.coin} held ${heldHours === null ? "too long" : `${detailNumber(Number(heldHours.toFixed(1)))}h`} (risk.maxHoldHours ${detailNumber(this.#o.maxHoldHours)}): closed ${detailNumber(r.filledSize)} reduce-only${sign !== 0 ? "; not re-entered until the leader closes or flips it" : ""}`,
      });
    }
  }

  #setStopped(next: Record<string, number>): void {
    this.#stopped = next;
    if (this.#o.persist) this.#o.journal.setCopyState(STOPPED_KEY, next, this.#o.now());
  }
}
