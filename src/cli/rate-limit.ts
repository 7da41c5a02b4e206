// The hint of an HTTP 429 (rate-limited by the exchange) that ended a command. What to do about
// it depends on the command: follow's hint (follow fewer leaders, sweep less often — the one the
// adapter's error carries, exchange/errors.ts) means nothing to an approve, a reconcile or an
// inspect. Cheap: no SDK (loaded by cli.ts for every command).

import { APPROVE_AGAIN_HINT, HlcopyError, RATE_LIMIT_FOLLOW_HINT, RateLimitError } from "../core/errors.js";
import type { RateLimitResend } from "../core/orders.js";
import { formatSeconds, StartupTimeoutError } from "../exchange/retry.js";

/** Reads that only read: running them again later is all there is to do. */
const READS = "the exchange limits how often one address (IP) may read";

/** By command path without `hlcopy` (`agent approve`, `reconcile`, …). */
const HINTS: Readonly<Record<string, string>> = {
  follow: RATE_LIMIT_FOLLOW_HINT,
  // The adapter's own for an approval that did not run (core/errors.ts): one message either way.
  "agent approve": APPROVE_AGAIN_HINT,
  "agent show": "wait a minute, then run hlcopy agent show again (it only reads)",
  reconcile:
    "what the exchange refused with 429 did not run: wait a minute, then run hlcopy reconcile again (it plans from the exchange's state)",
  flatten:
    "what the exchange refused with 429 did not run: wait a minute, then run hlcopy flatten again (the halt stays until then)",
  inspect: `${READS}: wait a minute, then run hlcopy inspect again`,
  scan: `${READS}: wait a minute, then scan again, fewer addresses at a time (fills already fetched are cached)`,
  backtest: `${READS}: wait a minute, then run hlcopy backtest again`,
};

/**
 * Whether a command ended on a rate limit: the exchange's 429, or a wait for a read that gave up
 * with a 429 as its last answer.
 */
export function endedByRateLimit(error: unknown): boolean {
  if (error instanceof RateLimitError) return true;
  return error instanceof StartupTimeoutError && error.cause instanceof RateLimitError;
}

/**
 * The hint for `error` as `command` ended on it: for a rate limit the command's own (a plain
 * "wait, run it again" for a command without one), else the error's.
 */
export function hintFor(error: unknown, command: string | null): string | undefined {
  const own = error instanceof HlcopyError ? error.hint : undefined;
  if (command === null || !endedByRateLimit(error)) return own;
  // The adapter's error carries follow's: another command never shows it.
  return HINTS[command] ?? "the exchange refused too many requests: wait a minute, then run it again";
}

/** The command's hint for a rate limit, if it has its own. */
export function rateLimitHint(command: string): string | undefined {
  return HINTS[command];
}

/**
 * Sends in all of a one-shot command's order batch (reconcile, flatten) that the exchange
 * refuses with HTTP 429. The waits between them are the request budget's backoff (1 s, then 2 s):
 * short of the 5 s after which an unanswered order request is said to be late, and well inside
 * the order's expiry, which every resend keeps (exchange/client.ts).
 */
export const ONE_SHOT_ORDER_ATTEMPTS = 3;

/**
 * A one-shot command's resend of an order batch refused with HTTP 429: one line per wait on
 * `tell` — what was refused, that nothing ran, when it goes again. What it came to is the
 * command's own end (its report, or the error and this command's hint).
 */
export function resendOnRateLimit(tell: (line: string) => void): RateLimitResend {
  return {
    attempts: ONE_SHOT_ORDER_ATTEMPTS,
    onWait: (w) =>
      tell(
        `warning: ${w.message}; nothing ran — sending the same orders again in ${formatSeconds(w.waitMs)} (attempt ${w.attempt} of ${w.attempts})`,
      ),
  };
}
