// The REST request budget: a token bucket of request weight sized so that NO 60-second window
// (however aligned) carries more than the exchange's per-IP limit of 1200 weight: a burst of
// `burst` plus a refill of (limit − burst) per minute. It delays a request rather than exceed
// the limit, keeps a
// reserve that only orders may use (a sweep never starves the hot path), and after an HTTP 429
// blocks everything for an exponential backoff and says so through `onEvent`.
// Pure apart from the injected clock and sleep, so tests drive it with a fake clock.

import { abortableSleep } from "./retry.js";

/** The exchange's published REST limit per IP. */
export const EXCHANGE_WEIGHT_PER_MINUTE = 1200;

/**
 * The burst of a one-shot run (reconcile, flatten): all of its reads in one go — the start's
 * (~110 weight, 170 with the account's role), its orders, the check after them (~70). With the
 * default 200 that check waited ~0.8 s for refill (1.9 s while a start read the ledger twice):
 * most of a trading reconcile's wall time, in a run that then ends. Any burst keeps the limit
 * (burst + refill per minute = limitPerMinute); a larger one gives up steady rate (800 a minute
 * instead of 1000), which only a long run (follow) lives long enough to use.
 */
export const ONE_SHOT_BURST = 400;

/** Weight of an /info request by type (fact sheet: 2 for the light ones, 60 userRole, else 20). */
const LIGHT_INFO = new Set([
  "l2Book",
  "allMids",
  "clearinghouseState",
  "orderStatus",
  "spotClearinghouseState",
  "exchangeStatus",
]);
/** Info types charged one extra weight per 20 items returned. */
const PER_ITEM_INFO = new Set([
  "userFills",
  "userFillsByTime",
  "historicalOrders",
  "fundingHistory",
  "userFunding",
  "recentTrades",
  "userTwapSliceFills",
  "userNonFundingLedgerUpdates",
]);

/** Weight charged before an /info request of this type is sent. */
export function infoWeight(type: string): number {
  if (LIGHT_INFO.has(type)) return 2;
  if (type === "userRole") return 60;
  return 20;
}

/** Extra weight charged after the reply, from the number of items returned. */
export function infoItemWeight(type: string, items: number): number {
  if (type === "candleSnapshot") return Math.floor(items / 60);
  return PER_ITEM_INFO.has(type) ? Math.floor(items / 20) : 0;
}

/** Weight of an /exchange request carrying `batchLength` orders or cancels. */
export function exchangeWeight(batchLength: number): number {
  return 1 + Math.floor(Math.max(batchLength, 0) / 40);
}

export type BudgetEvent =
  /** A request waits for weight to refill (the budget delays rather than exceed). */
  | { type: "delayed"; waitMs: number; weight: number; kind: RequestKind }
  /** The exchange answered 429: everything waits `waitMs` (attempt counts consecutive 429s). */
  | { type: "rateLimited"; waitMs: number; attempt: number; detail: string }
  /** A request succeeded after a 429: the backoff is over. */
  | { type: "recovered" };

/** Orders may use the reserve; info requests may not. */
export type RequestKind = "order" | "info";

export interface RequestBudgetOptions {
  /** Weight no 60-second window may exceed. Default: the exchange's 1200. */
  limitPerMinute?: number;
  /** Bucket size (the largest burst); the refill is `limitPerMinute − burst` per minute. Default 200. */
  burst?: number;
  /** Weight only orders may use. Default a fifth of the burst. */
  orderReserve?: number;
  /** First backoff after a 429, doubled per consecutive 429, capped at `maxBackoffMs`. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  now?: () => number;
  /** Wait `ms`, or less when `signal` aborts (the budget ends its wait on the abort either way). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Told about delays, 429 backoffs and recovery (the UI "says so"). Must not throw. */
  onEvent?: (event: BudgetEvent) => void;
}

/** Resolves when `signal` aborts (never without one); `off` drops the listener. */
function onAbort(signal: AbortSignal | undefined): { aborted: Promise<void>; off: () => void } {
  if (!signal) return { aborted: new Promise<void>(() => {}), off: () => {} };
  let listener = () => {};
  const aborted = new Promise<void>((resolve) => {
    listener = () => resolve();
    if (signal.aborted) return resolve();
    signal.addEventListener("abort", listener, { once: true });
  });
  return { aborted, off: () => signal.removeEventListener("abort", listener) };
}

export class RequestBudget {
  /** Bucket size: the largest burst. */
  readonly capacity: number;
  /** Steady refill rate: limit − burst. */
  readonly weightPerMinute: number;
  readonly orderReserve: number;
  readonly #refillPerMs: number;
  readonly #initialBackoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  #onEvent: ((event: BudgetEvent) => void) | undefined;
  #tokens: number;
  #updatedAt: number;
  #blockedUntil = 0;
  /** The end of the last pacing delay told: a delay starting before it is part of it. */
  #delayToldUntil = Number.NEGATIVE_INFINITY;
  #consecutive429 = 0;

  constructor(options: RequestBudgetOptions = {}) {
    const limit = options.limitPerMinute ?? EXCHANGE_WEIGHT_PER_MINUTE;
    this.capacity = options.burst ?? Math.min(200, Math.floor(limit / 2));
    this.weightPerMinute = limit - this.capacity;
    if (!(this.capacity > 0 && this.weightPerMinute > 0)) {
      throw new RangeError("need 0 < burst < limitPerMinute");
    }
    this.orderReserve = Math.min(options.orderReserve ?? Math.floor(this.capacity / 5), this.capacity - 1);
    this.#refillPerMs = this.weightPerMinute / 60_000;
    this.#initialBackoffMs = options.initialBackoffMs ?? 1_000;
    this.#maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? abortableSleep;
    this.#onEvent = options.onEvent;
    this.#tokens = this.capacity;
    this.#updatedAt = this.#now();
  }

  /** Replace the event listener (the engine attaches its own after the client is built). */
  set onEvent(listener: ((event: BudgetEvent) => void) | undefined) {
    this.#onEvent = listener;
  }

  /** Weight available now (may be negative after post-hoc charges). */
  available(): number {
    this.#refill();
    return this.#tokens;
  }

  /** True while a 429 backoff is in force. */
  isBackingOff(): boolean {
    return this.#now() < this.#blockedUntil;
  }

  /**
   * How long a request of `weight` must wait now (0 = it may go). Pure apart from refilling.
   */
  waitTime(weight: number, kind: RequestKind = "info"): number {
    this.#refill();
    const now = this.#now();
    const blocked = Math.max(this.#blockedUntil - now, 0);
    const floor = kind === "order" ? 0 : this.orderReserve;
    // A request heavier than the bucket goes when the bucket is full (then runs it negative).
    const need = Math.min(weight, this.capacity - floor);
    const missing = need + floor - this.#tokens;
    const refillWait = missing > 0 ? Math.ceil(missing / this.#refillPerMs) : 0;
    return Math.max(blocked, refillWait);
  }

  /** HTTP requests sent through this budget (every attempt, /info and /exchange). */
  sent = 0;

  /**
   * Wait until `weight` fits, then take it. Orders may dip into the reserve. `signal` aborted (a
   * stop) ends the wait at once and takes nothing: the caller sees `signal.aborted` and sends
   * nothing — a stop during a 429 backoff no longer waits it out (up to 30 s).
   * @returns whether the weight was taken (false: aborted).
   * Never throws (a `sleep` that rejects propagates).
   */
  async acquire(weight: number, kind: RequestKind = "info", signal?: AbortSignal): Promise<boolean> {
    let told = false;
    for (;;) {
      if (signal?.aborted) return false;
      const wait = this.waitTime(weight, kind);
      if (wait <= 0) {
        this.#tokens -= weight;
        return true;
      }
      if (!told && !this.isBackingOff()) {
        told = true;
        // Requests queued together (the start-up reads) wait out one refill: the first wait is
        // said, the others are inside it — one line, not one per request in the same millisecond.
        const now = this.#now();
        if (now >= this.#delayToldUntil) {
          this.#delayToldUntil = now + wait;
          this.#emit({ type: "delayed", waitMs: wait, weight, kind });
        }
      }
      if (!signal) {
        await this.#sleep(wait);
        continue;
      }
      // An injected sleep may not heed the signal: the abort ends the wait all the same.
      const abort = onAbort(signal);
      try {
        await Promise.race([this.#sleep(wait, signal), abort.aborted]);
      } finally {
        abort.off();
      }
    }
  }

  /** Charge weight learnt only from the reply (items returned); the bucket may go negative. */
  charge(weight: number): void {
    if (weight <= 0) return;
    this.#refill();
    this.#tokens -= weight;
  }

  /**
   * Record an HTTP 429: spend everything but the orders' reserve and block every request for
   * an exponential backoff (doubling per consecutive 429, capped).
   * @returns the backoff in ms.
   */
  rateLimited(detail: string): number {
    this.#refill();
    const attempt = ++this.#consecutive429;
    const waitMs = Math.min(this.#initialBackoffMs * 2 ** (attempt - 1), this.#maxBackoffMs);
    this.#tokens = Math.min(this.#tokens, this.orderReserve);
    this.#blockedUntil = Math.max(this.#blockedUntil, this.#now() + waitMs);
    this.#emit({ type: "rateLimited", waitMs, attempt, detail });
    return waitMs;
  }

  /** Record a request that went through: a backoff in progress is over. */
  succeeded(): void {
    if (this.#consecutive429 === 0) return;
    this.#consecutive429 = 0;
    this.#emit({ type: "recovered" });
  }

  #refill(): void {
    const now = this.#now();
    const elapsed = now - this.#updatedAt;
    if (elapsed > 0) {
      this.#tokens = Math.min(this.capacity, this.#tokens + elapsed * this.#refillPerMs);
      this.#updatedAt = now;
    }
  }

  #emit(event: BudgetEvent): void {
    try {
      this.#onEvent?.(event);
    } catch {
      // A broken listener must never stop a request.
    }
  }
}
