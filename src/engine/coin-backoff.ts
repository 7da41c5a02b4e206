// Each coin's backoff after an order the exchange rejected (or a request that failed): the
// planner skips the coin until it ends ("backoff"), the wait doubling up to MAX_BACKOFF_MS while
// it keeps failing, and the coin is planned again when it ends (fresh prices by then) rather
// than left to the next sweep. A fill ends a coin's backoff.
// A backoff only rejected increases earned holds the coin's increases only (the planner's
// `increaseBackoffUntil`): a reduction — a close, a flatten — is another order, and waits for
// no increase's backoff (the request budget still paces it after a 429). One a rejected
// reduction earned holds everything (`backoffUntil`), as a loop of refused closes must not spin
// — but not one an HTTP 429 refused (the engine passes it as an increase's): the budget paces it.

const MAX_BACKOFF_MS = 300_000;

export interface CoinBackoffOptions {
  /** The first wait (EngineOptions.backoffMs, default 2 s). */
  backoffMs: number | undefined;
  /** Whether a coin can be planned again from the streams (a run without them waits for its next sweep). */
  replans: () => boolean;
  /** Plan `coin` now (a hot-path plan). */
  replan: (coin: string) => void;
  now: () => number;
}

export class CoinBackoff {
  readonly #o: CoinBackoffOptions;
  readonly #backoff = new Map<string, { until: number; ms: number; reductions: boolean }>();

  constructor(options: CoinBackoffOptions) {
    this.#o = options;
  }

  /**
   * The planner's `backoffUntil` (every order of the coin waits) and `increaseBackoffUntil` (its
   * increases wait): coin → when its backoff ends, for the coins still backed off at `now`.
   */
  until(now: number): { backoffUntil: Record<string, number>; increaseBackoffUntil: Record<string, number> } {
    const backoffUntil: Record<string, number> = {};
    const increaseBackoffUntil: Record<string, number> = {};
    for (const [coin, b] of this.#backoff) {
      if (b.until <= now) continue;
      if (b.reductions) backoffUntil[coin] = b.until;
      else increaseBackoffUntil[coin] = b.until;
    }
    return { backoffUntil, increaseBackoffUntil };
  }

  /** The coin traded (or goes another way): its backoff ends. */
  delete(coin: string): void {
    this.#backoff.delete(coin);
  }

  /**
   * The coin's order failed: it waits, longer each time, then is planned again. `reduceOnly`: the
   * failed order was a reduction — then every order of the coin waits, not only its increases
   * (so while a backoff a reduction earned is in force).
   */
  backOff(coin: string, reduceOnly: boolean): void {
    const base = this.#o.backoffMs ?? 2_000;
    const now = this.#o.now();
    const prev = this.#backoff.get(coin);
    const ms = prev ? Math.min(prev.ms * 2, MAX_BACKOFF_MS) : base;
    const reductions = reduceOnly || (prev?.reductions === true && prev.until > now);
    this.#backoff.set(coin, { until: now + ms, ms, reductions });
    // Re-plan the coin when the backoff ends (fresh prices by then), rather than leaving the
    // drift to the next sweep: a close rejected in a fast market must not wait 30 s.
    const timer = setTimeout(() => {
      if (!this.#o.replans()) return;
      this.#o.replan(coin);
    }, ms + 1);
    timer.unref?.();
  }
}
