// Our order request on its way: the cloids in it (a sweep's look-up of unresolved orders skips
// them, a state waits for their results), what it is and since when — said when no answer came
// within ORDER_LATE_MS (copying waits for its outcome, and a trader watching should know why
// nothing moves), and by a stop that waits on it. Orders go one request at a time.

import type { PlannedAction } from "../core/types.js";
import type { PartBase } from "./ports.js";

/**
 * An order request with no answer this long is said (a reply normally takes well under a
 * second): copying waits for its outcome, and a trader watching should know why nothing moves.
 */
const ORDER_LATE_MS = 5_000;
/** A stop that is still awaiting an order this long after it came says what it waits for. */
const STOP_WAIT_SAY_MS = 1_000;

export interface InFlightOptions extends Pick<PartBase, "emit" | "now"> {
  /** How long an order request may go unanswered before it is said (EngineOptions.orderLateMs). */
  orderLateMs: number | undefined;
}

/** One order request on its way (InFlight.sent). */
export interface Sending {
  since: number;
  what: string;
  late: NodeJS.Timeout;
}

export class InFlight {
  readonly #o: InFlightOptions;
  /** Cloids of orders being sent right now (the sweep's look-up of unresolved orders skips them). */
  readonly #cloids = new Set<string>();
  /** How long an order request may go unanswered before it is said (EngineOptions.orderLateMs). */
  readonly #orderLateMs: number;
  /** The order request on its way, for what a slow answer or a stop waiting on it says. */
  #sending: { since: number; what: string } | null = null;

  constructor(options: InFlightOptions) {
    this.#o = options;
    this.#orderLateMs = options.orderLateMs ?? ORDER_LATE_MS;
  }

  /** Cloids of orders being sent right now (the sweep's look-up of unresolved orders skips them). */
  get cloids(): ReadonlySet<string> {
    return this.#cloids;
  }

  /** `toSend` goes out now, in one request: in flight until `done`. */
  sent(toSend: readonly PlannedAction[]): Sending {
    for (const a of toSend) this.#cloids.add(a.cloid);
    const since = this.#o.now();
    const what = toSend.map((a) => `${a.coin} ${a.side} ${a.size}`).join(", ");
    // Orders go one request at a time (the next waits for this one's outcome): a request the
    // exchange does not answer holds every coin's copy until its reply, or until the order has
    // expired and its cloid is looked up. Said once, when it is late.
    const late = setTimeout(() => {
      this.#o.emit({
        type: "warning",
        ts: this.#o.now(),
        message: `no answer from the exchange for ${(this.#orderLateMs / 1000).toFixed(0)}s to the order request ${what}: copying waits for its outcome — its reply, or a look-up by cloid once the order has expired (the run goes on)`,
      });
    }, this.#orderLateMs);
    late.unref?.();
    const sending = { since, what, late };
    this.#sending = sending;
    return sending;
  }

  /** The request `sending` of `toSend` was answered (or failed). Returns whether nothing is in flight now. */
  done(sending: Sending, toSend: readonly PlannedAction[]): boolean {
    clearTimeout(sending.late);
    if (this.#sending === sending) this.#sending = null;
    for (const a of toSend) this.#cloids.delete(a.cloid);
    return this.#cloids.size === 0;
  }

  /**
   * A stop begins: an order request on its way is awaited (its outcome must be known and
   * journaled); a stop that waits on a slow one says so, not seconds of silence. Returns the
   * timer (cleared once the stop's wait is over).
   */
  sayWhileStopping(): NodeJS.Timeout {
    const waiting = setTimeout(
      () => {
        const sending = this.#sending;
        if (sending)
          this.#o.emit({
            type: "notice",
            ts: this.#o.now(),
            kind: "stopping",
            message: `stopping: awaiting the outcome of the order request in flight (${sending.what}, sent ${((this.#o.now() - sending.since) / 1000).toFixed(0)}s ago) — nothing new is sent`,
          });
      },
      Math.min(STOP_WAIT_SAY_MS, this.#orderLateMs),
    );
    waiting.unref?.();
    return waiting;
  }
}
