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

/** Calls `fn` after `ms`; the function returned cancels it. RetryRounds' timers (tests drive them). */
export type Alarm = (fn: () => void, ms: number) => () => void;

const timerAlarm: Alarm = (fn, ms) => {
  const timer = setTimeout(fn, ms);
  return () => clearTimeout(timer);
};

/** The round being gathered: the waits told in it, and the reads asleep until it wakes. */
interface Round {
  number: number;
  waits: RetryWait[];
  told: boolean;
  sleepers: Set<Sleeper>;
  cancelTell: () => void;
}

interface Sleeper {
  wake: () => void;
  cancel: () => void;
}

/**
 * The reads made together (the markets, the leader's account and yours at start-up), retried
 * together and said as one line per retry. An unreachable exchange fails them all at once: three
 * lines per retry buried what was going on. Each read's own retry loop on its own clock, grouped
 * by a moment's window, drifted apart on a busy machine until one retry was said twice ("retry
 * 4" for the markets, then "retry 4" for the accounts). So the retries go in rounds: a read that
 * fails joins the round being gathered and sleeps until it wakes — when the first of its reads'
 * backoffs ends, so no read waits longer than its own backoff (nor past its deadline) — and they
 * retry at once. A round is told once, as soon as every read still in flight has joined it: each
 * read named (in the order they were made), the reason once when they share it, the round's
 * number. A read that has not failed by then (a hung one is given up on only at the deadline) is
 * not waited for past half the round's first wait (the line comes before the retry), and after
 * the I/O already in is handled: one that joins a round already told retries with it and is named
 * in the next. Rounds are counted while any read is in flight, so the numbers only increase; a
 * later outage starts again at "retry 2".
 */
export class RetryRounds {
  readonly #tell: (line: string) => void;
  readonly #alarm: Alarm;
  #inFlight = 0;
  #rounds = 0;
  #open: Round | null = null;
  /** The reads named in the order they were made, the same on every line (failures arrive in any order). */
  readonly #seen: string[] = [];

  constructor(tell: (line: string) => void, alarm: Alarm = timerAlarm) {
    this.#tell = tell;
    this.#alarm = alarm;
  }

  /** retryTransient(fn) as one of the reads made together: its waits are the rounds'. */
  async retry<T>(
    fn: () => Promise<T>,
    options: Omit<RetryTransientOptions<T>, "onWait" | "sleep">,
  ): Promise<T> {
    this.#inFlight++;
    if (!this.#seen.includes(options.what)) this.#seen.push(options.what);
    try {
      return await retryTransient(fn, {
        ...options,
        onWait: (wait) => this.#join(wait),
        sleep: (ms, signal) => this.#sleep(ms, signal),
      });
    } finally {
      this.#inFlight--;
      if (this.#inFlight === 0) {
        this.#open?.cancelTell();
        this.#open = null;
        this.#rounds = 0;
      }
      // One read fewer to wait for: the others may all be in the round now.
      else if (this.#open) this.#tellIfAllIn(this.#open);
    }
  }

  /** retryTransient's onWait: `wait` joins the round being gathered (a new one if none is). */
  #join(wait: RetryWait): void {
    let round = this.#open;
    if (!round) {
      const opened: Round = {
        number: ++this.#rounds,
        waits: [],
        told: false,
        sleepers: new Set(),
        cancelTell: () => {},
      };
      // A read still out then is taken as hung; the I/O already in (a stalled process sees its
      // timers before its sockets) is handled first.
      opened.cancelTell = this.#alarm(() => setImmediate(() => this.#tellRound(opened)), wait.waitMs / 2);
      this.#open = opened;
      round = opened;
    }
    // One that joins a round already told retries with it; it is named in the next.
    if (!round.told) round.waits.push(wait);
    this.#tellIfAllIn(round);
  }

  /** retryTransient's sleep, called right after its onWait: until the round wakes. */
  #sleep(ms: number, signal?: AbortSignal): Promise<void> {
    const open = this.#open;
    if (!open) return abortableSleep(ms, signal);
    const round: Round = open;
    return new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const sleeper: Sleeper = {
        wake: () => {
          sleeper.cancel();
          signal?.removeEventListener("abort", aborted);
          resolve();
        },
        // This read's own backoff ended: the round wakes (no read waits longer than its own).
        cancel: this.#alarm(() => this.#wake(round), ms),
      };
      function aborted() {
        round.sleepers.delete(sleeper);
        sleeper.wake();
      }
      signal?.addEventListener("abort", aborted, { once: true });
      round.sleepers.add(sleeper);
    });
  }

  #wake(round: Round): void {
    if (this.#open === round) this.#open = null;
    this.#tellRound(round);
    for (const sleeper of round.sleepers) sleeper.wake();
    round.sleepers.clear();
  }

  #tellIfAllIn(round: Round): void {
    if (round.waits.length >= this.#inFlight) this.#tellRound(round);
  }

  #tellRound(round: Round): void {
    if (round.told) return;
    round.told = true;
    round.cancelTell();
    const rank = (what: string) => this.#seen.indexOf(what);
    const waits = round.waits
      .sort((a, b) => rank(a.what) - rank(b.what))
      .map((w) => ({ ...w, attempt: round.number }));
    if (waits.length > 0) this.#tell(describeWaits(waits));
  }
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

/**
 * The attempt (of retryTransient) the code runs in: its signal aborts when the attempt is given
 * up on — or the run's reads bound to its stop (`boundTo`). `noBackoffWait`: a read made while
 * a 429's backoff is in force fails at once instead of waiting it out (`withoutBackoffWait`).
 */
interface Scope {
  signal?: AbortSignal;
  over: boolean;
  noBackoffWait?: boolean;
  /** The run's stop these requests are bound to (boundTo). */
  stop?: AbortSignal;
}
const attempts = new AsyncLocalStorage<Scope>();

/** The scope the code runs in, while it is live (undefined once the work it ran has settled). */
function liveScope(): Scope | undefined {
  const scope = attempts.getStore();
  return scope && !scope.over ? scope : undefined;
}

/**
 * A scope nested in the live one: its signal the outer one's joined with `signal` (either alone
 * when the other is absent), the outer one's `noBackoffWait` and `stop` carried over, then
 * `extra`. The caller runs its work in it and marks it over once that work has settled.
 */
function nestedScope(
  signal: AbortSignal | undefined,
  extra: Pick<Scope, "noBackoffWait" | "stop"> = {},
): Scope {
  const outer = liveScope();
  const joined =
    outer?.signal && signal ? AbortSignal.any([outer.signal, signal]) : (signal ?? outer?.signal);
  return {
    ...(joined ? { signal: joined } : {}),
    over: false,
    ...(outer?.noBackoffWait ? { noBackoffWait: true } : {}),
    ...(outer?.stop ? { stop: outer.stop } : {}),
    ...extra,
  };
}

/**
 * Whether the code runs in reads the run's stop cut short (boundTo's signal aborted): what they
 * failed with is the stop, not the exchange — not a warning or an error to tell.
 */
export function cutByStop(): boolean {
  return liveScope()?.stop?.aborted === true;
}

/**
 * Run `fn` with the requests it makes bound to `signal` (attemptSignal returns it inside, with
 * any signal it was already bound to): an abort ends the HTTP request in flight, a wait for the
 * request budget and a retryTransient backoff between attempts — the run's stop cuts a sweep's
 * reads short. Requests made after `fn` settled (a websocket's handlers it set up) are not bound.
 */
export async function boundTo<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
  const store = nestedScope(signal, { stop: signal });
  try {
    return await attempts.run(store, fn);
  } finally {
    store.over = true;
  }
}

/**
 * Run `fn` with its reads failing at once, not waiting, while a 429's backoff is in force (a
 * stop's last best-effort read must not keep the stop up to 30 s).
 */
export async function withoutBackoffWait<T>(fn: () => Promise<T>): Promise<T> {
  const store = nestedScope(undefined, { noBackoffWait: true });
  try {
    return await attempts.run(store, fn);
  } finally {
    store.over = true;
  }
}

/** Whether a read made here is to fail rather than wait out a 429's backoff (withoutBackoffWait). */
export function noBackoffWait(): boolean {
  return liveScope()?.noBackoffWait === true;
}

/**
 * The signal of the retryTransient attempt this request is made in, or undefined: aborted when
 * the attempt's time is up (the deadline), so the request ends then too. The HTTP layers
 * (exchange/http.ts, the SDK's requests) abort on it: a request that hangs no longer outlives
 * the deadline by its own 10 s timeout (a 15 s exec.startupTimeoutSeconds ended at 21 s). Once
 * the attempt is over it is undefined again: the later requests of what the attempt set up (a
 * websocket's handlers run in its context) are not bound to it.
 */
export function attemptSignal(): AbortSignal | undefined {
  return liveScope()?.signal;
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
  // Bound to a run's stop (boundTo): its abort ends a wait between attempts too.
  const bound = attemptSignal();
  const signal =
    bound && options.signal ? AbortSignal.any([bound, options.signal]) : (options.signal ?? bound);
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
      const store = nestedScope(attempt.signal);
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
      if (signal?.aborted) throw e;
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
      await sleep(waitMs, signal);
      if (signal?.aborted) throw e;
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
