// Start-up reads that must not fail on one bad reply: retry what retrying can fix (429, 5xx,
// timeouts, refused connections, unreadable or unexpected replies — every RetryableError) with
// exponential backoff until a deadline; give up at once on what it cannot (bad key, unapproved
// agent, bad address: everything else). No SDK import: the engine uses it too.

import { AsyncLocalStorage } from "node:async_hooks";
import {
  ExitCode,
  type HlcopyError,
  OperationalError,
  RetryableError,
  toHlcopyError,
} from "../core/errors.js";
import { listed } from "../core/format.js";

/** Told before each wait, so the user sees what hlcopy is waiting for. */
export interface RetryWait {
  /** What is being read, e.g. "the agent approval check (extraAgents)". */
  what: string;
  /** Failed attempts so far (1 on the first wait). */
  attempt: number;
  waitMs: number;
  /** Time left before giving up (ms). */
  remainingMs: number;
  error: HlcopyError;
}

export interface RetryTransientOptions<T = unknown> {
  what: string;
  /** Give up once this long has passed since the first attempt. */
  timeoutMs: number;
  onWait?: (wait: RetryWait) => void;
  /** First wait; doubles per attempt up to `maxDelayMs`. Defaults 500 / 10 000 ms. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Aborted (a stop during start-up): the wait ends and the last error is thrown. */
  signal?: AbortSignal;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Of the RetryableErrors, those to retry (default all): the others are thrown as they are. */
  retryIf?: (error: RetryableError) => boolean;
  /** The hint of the error thrown at the deadline (default: start-up's, naming exec.startupTimeoutSeconds). */
  hint?: string;
  /**
   * A value `fn` produced after its attempt was given up on (the deadline came first): release
   * it (a websocket that connected too late is closed). Without it the value is dropped.
   */
  discard?: (late: T) => void;
}

/** Retrying did not help before the deadline: exit 1 with the last reason. */
export class StartupTimeoutError extends OperationalError {
  override name = "StartupTimeoutError";
}

/** "1m58s", "45s", "0.5s". */
export function formatSeconds(ms: number): string {
  if (ms > 0 && ms < 10_000) return `${Number((ms / 1000).toFixed(1))}s`;
  const s = Math.max(0, Math.ceil(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

/** One line for the user: what failed, when the next try is, when hlcopy gives up. */
export function describeWait(w: RetryWait): string {
  return `waiting for ${w.what}: ${w.error.message}; retry ${w.attempt + 1} in ${formatSeconds(w.waitMs)} (giving up in ${formatSeconds(w.remainingMs)})`;
}

/**
 * A one-shot command's waits (inspect, scan, backtest) said once per outage: the first wait's
 * line — what failed, the next try, when hlcopy gives up — and nothing more while the reads go
 * on failing for the same reason (a network down for two minutes was 17 identical lines); a new
 * reason is a new line, and a read that succeeds ends the outage (`ok`): the next one is told
 * again. What the waiting came to is the command's own end: its result, or one error and hint.
 */
export function tellWaitsOnce(tell: (line: string) => void): {
  onWait: (wait: RetryWait) => void;
  ok: () => void;
} {
  let told: string | null = null;
  return {
    onWait: (wait) => {
      const reason = sharedReason(wait.error.message);
      if (reason === told) return;
      told = reason;
      tell(`${describeWait(wait)}; the retries after it (with backoff) are not shown`);
    },
    ok: () => {
      told = null;
    },
  };
}

/** "cannot reach <host> for meta/allMids: …" and "… for clearinghouseState: …" are one reason. */
const sharedReason = (message: string): string => message.replace(/^(cannot reach \S+) for [^:]+:/, "$1:");

/**
 * The waits of reads made together (the markets, the leader's account and yours at start-up)
 * said as one line per retry: an unreachable exchange fails them all at once, and three lines
 * per retry buried what was going on. Waits that come within a moment of the first (half its
 * wait, at most 250 ms: always told before its retry) are one line: each read named, the reason
 * once when they share it ("cannot reach <host>: …" without the request's name), the soonest
 * retry and deadline.
 */
export function groupWaits(
  tell: (line: string) => void,
  schedule: (fn: () => void, ms: number) => void = (fn, ms) => setTimeout(fn, ms).unref?.(),
): (wait: RetryWait) => void {
  let pending: RetryWait[] = [];
  // The reads named in the order first seen, the same on every line (failures arrive in any order).
  const seen: string[] = [];
  const rank = (what: string) => seen.indexOf(what);
  const flush = () => {
    const waits = pending.sort((a, b) => rank(a.what) - rank(b.what));
    pending = [];
    if (waits.length > 0) tell(describeWaits(waits));
  };
  return (wait) => {
    if (!seen.includes(wait.what)) seen.push(wait.what);
    pending.push(wait);
    if (pending.length === 1) schedule(flush, Math.min(wait.waitMs / 2, 250));
  };
}

/** Several waits of one moment as one line (describeWait's, for one). */
export function describeWaits(waits: readonly RetryWait[]): string {
  const [first] = waits;
  if (!first) return "";
  if (waits.length === 1) return describeWait(first);
  const whats = [...new Set(waits.map((w) => w.what))];
  const named = listed(whats);
  // "cannot reach <host> for meta/allMids: …" and "… for clearinghouseState: …" are one reason.
  const reasons = [...new Set(waits.map((w) => sharedReason(w.error.message)))];
  const attempt = Math.max(...waits.map((w) => w.attempt));
  const waitMs = Math.min(...waits.map((w) => w.waitMs));
  const remainingMs = Math.min(...waits.map((w) => w.remainingMs));
  return `waiting for ${named}: ${reasons.join("; ")}; retry ${attempt + 1} in ${formatSeconds(waitMs)} (giving up in ${formatSeconds(remainingMs)})`;
}

/** Wait `ms`, or less: an abort ends the wait (the caller checks `signal.aborted`). */
export const abortableSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });

/** The attempt (of retryTransient) the code runs in: its signal aborts when the attempt is given up on. */
const attempts = new AsyncLocalStorage<{ signal: AbortSignal; over: boolean }>();

/**
 * The signal of the retryTransient attempt this request is made in, or undefined: aborted when
 * the attempt's time is up (the deadline), so the request ends then too. The HTTP layers
 * (exchange/http.ts, the SDK's requests) abort on it: a request that hangs no longer outlives
 * the deadline by its own 10 s timeout (a 15 s exec.startupTimeoutSeconds ended at 21 s). Once
 * the attempt is over it is undefined again: the later requests of what the attempt set up (a
 * websocket's handlers run in its context) are not bound to it.
 */
export function attemptSignal(): AbortSignal | undefined {
  const attempt = attempts.getStore();
  return attempt && !attempt.over ? attempt.signal : undefined;
}

/**
 * Run `fn`, retrying RetryableErrors with backoff until `timeoutMs` has passed.
 * @throws the first non-retryable error as it is (translated to an HlcopyError);
 *   {StartupTimeoutError} (exit 1) naming `what` and the last error once the time is up;
 *   the last error when `signal` is aborted.
 */
export async function retryTransient<T>(fn: () => Promise<T>, options: RetryTransientOptions<T>): Promise<T> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;
  const started = now();
  let delay = options.initialDelayMs ?? 500;
  const maxDelay = options.maxDelayMs ?? 10_000;
  for (let attempt = 1; ; attempt++) {
    try {
      // An attempt that hangs (an exchange that accepts the connection and never answers) is
      // given up on at the deadline, not when its own 10 s timeout ends it: the setting acts.
      // The last attempt, made as the deadline comes, still gets a second to answer.
      const attemptMs = Math.max(options.timeoutMs - (now() - started), LAST_ATTEMPT_MS);
      // The attempt's requests end with it (attemptSignal): bounded by the time left too.
      const attempt = new AbortController();
      const outer = attemptSignal();
      const store = {
        signal: outer ? AbortSignal.any([outer, attempt.signal]) : attempt.signal,
        over: false,
      };
      try {
        return await withDeadline(attempts.run(store, fn), attemptMs, options.discard, (reason) =>
          attempt.abort(reason),
        );
      } finally {
        store.over = true;
      }
    } catch (error) {
      const e = toHlcopyError(error);
      if (!(e instanceof RetryableError) || (options.retryIf && !options.retryIf(e))) throw e;
      if (options.signal?.aborted) throw e;
      const remainingMs = options.timeoutMs - (now() - started);
      if (remainingMs <= 0) {
        throw new StartupTimeoutError(
          `gave up after ${formatSeconds(options.timeoutMs)} waiting for ${options.what}: ${e.message}`,
          {
            exitCode: ExitCode.runtime,
            hint:
              options.hint ??
              "check the network connection, the exchange's status and the --network setting; raise exec.startupTimeoutSeconds (--startup-timeout-seconds) to wait longer",
            cause: e,
            details: { ...e.details, attempts: attempt },
          },
        );
      }
      const waitMs = Math.min(delay, remainingMs);
      delay = Math.min(delay * 2, maxDelay);
      try {
        options.onWait?.({ what: options.what, attempt, waitMs, remainingMs, error: e });
      } catch {
        // a broken listener must not end the start-up
      }
      await sleep(waitMs, options.signal);
      if (options.signal?.aborted) throw e;
    }
  }
}

const LAST_ATTEMPT_MS = 1_000;

/**
 * `p`, or a RetryableError once `ms` has passed (told to `expired` too, which ends the attempt's
 * requests); a value that comes later goes to `discard`.
 */
function withDeadline<T>(
  p: Promise<T>,
  ms: number,
  discard?: (late: T) => void,
  expired?: (reason: RetryableError) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let late = false;
    const timer = setTimeout(
      () => {
        late = true;
        const reason = new RetryableError(`no answer within ${formatSeconds(ms)}`);
        reject(reason);
        expired?.(reason);
      },
      Math.max(0, ms),
    );
    timer.unref?.();
    p.then(
      (value) => {
        if (late) return discard?.(value);
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        if (late) return;
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
