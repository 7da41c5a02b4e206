// Each coin's backoff after an order the exchange rejected (or a request that failed): the
// planner skips the coin until it ends ("backoff"), the wait doubling up to MAX_BACKOFF_MS while
// it keeps failing, and the coin is planned again when it ends (fresh prices by then) rather
// than left to the next sweep. A fill ends a coin's backoff.

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
  readonly #backoff = new Map<string, { until: number; ms: number }>();

  constructor(options: CoinBackoffOptions) {
    this.#o = options;
  }

  /** The planner's `backoffUntil`: coin → when its backoff ends, for the coins still backed off at `now`. */
  until(now: number): Record<string, number> {
    const backoffUntil: Record<string, number> = {};
    for (const [coin, b] of this.#backoff) if (b.until > now) backoffUntil[coin] = b.until;
    return backoffUntil;
  }

  /** The coin traded (or goes another way): its backoff ends. */
  delete(coin: string): void {
    this.#backoff.delete(coin);
  }

  /** The coin's order failed: it waits, longer each time, then is planned again. */
  backOff(coin: string): void {
    const base = this.#o.backoffMs ?? 2_000;
    const prev = this.#backoff.get(coin);
    const ms = prev ? Math.min(prev.ms * 2, MAX_BACKOFF_MS) : base;
    this.#backoff.set(coin, { until: this.#o.now() + ms, ms });
    // Re-plan the coin when the backoff ends (fresh prices by then), rather than leaving the
    // drift to the next sweep: a close rejected in a fast market must not wait 30 s.
    const timer = setTimeout(() => {
      if (!this.#o.replans()) return;
      this.#o.replan(coin);
    }, ms + 1);
    timer.unref?.();
  }
}
