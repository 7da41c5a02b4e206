// Alert delivery off the hot path: enqueue() only pushes to a queue; one worker posts each
// alert to every webhook with retries and backoff, de-duplicated and rate-limited. A webhook
// that fails is reported through onFailure (a warning event) and never stops anything.

import { type Alert, alertBody, redactWebhook } from "../core/alerts.js";
import type { AlertFormat } from "../core/settings.js";

export interface AlertSenderOptions {
  urls: readonly string[];
  format: AlertFormat;
  telegramChatId?: string | null;
  /** A webhook gave up after its retries (message names the host only, never the URL's secret). */
  onFailure?: (message: string) => void;
  /** Every alert's outcome once its deliveries are done (for `status`: is the webhook failing?). */
  onOutcome?: (outcome: AlertOutcome) => void;
  /** Attempts per webhook (first try included). */
  attempts?: number;
  /** First retry delay; doubles each time, capped at maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** The same alert key is not sent again within this window. */
  dedupeMs?: number;
  /** At most this many alerts per minute; more are dropped (and counted). */
  perMinute?: number;
  timeoutMs?: number;
  now?: () => number;
}

export interface AlertOutcome {
  kind: string;
  ts: number;
  /** Taken by at least one webhook. */
  ok: boolean;
  /** The last failure's message when a webhook gave up (no URL secret), else null. */
  error: string | null;
}

export interface AlertSenderStats {
  /** Alerts delivered to at least one webhook. */
  sent: number;
  /** Webhook deliveries that gave up. */
  failed: number;
  deduplicated: number;
  rateLimited: number;
  lastError: string | null;
}

export interface DeliveryResult {
  url: string;
  ok: boolean;
  attempts: number;
  error?: string;
}

/**
 * An alert a run's end could not deliver to one webhook (close() gave up waiting, or its delivery
 * failed once the run had stopped listening): said by the caller, never dropped silently.
 */
export interface UndeliveredAlert {
  kind: string;
  text: string;
  /** The webhook, its secret-bearing path redacted (core/alerts.ts redactWebhook). */
  to: string;
  /** Why it did not get through: the webhook's last answer, no answer in time, or never sent. */
  why: string;
}

/** One line for an undelivered alert: which, to where, why, and what to do. */
export function undeliveredText(u: UndeliveredAlert): { message: string; hint: string } {
  return {
    message: `alert "${u.kind}" (${u.text}) not delivered to ${u.to} before the exit: ${u.why}`,
    hint: "check the webhook with hlcopy alerts test; hlcopy status and hlcopy journal show what happened",
  };
}

export class AlertSender {
  readonly #o: Required<Omit<AlertSenderOptions, "telegramChatId" | "onFailure" | "onOutcome">> &
    Pick<AlertSenderOptions, "telegramChatId" | "onFailure" | "onOutcome">;
  readonly #queue: Alert[] = [];
  readonly #lastSent = new Map<string, number>();
  #recent: number[] = [];
  #working: Promise<void> | null = null;
  #closed = false;
  /** How long close() waits for the queue (said in an undelivered alert's why). */
  #closeWaitMs = 0;
  /** Deliveries that failed once close() began: nobody hears onFailure then, close() returns them. */
  readonly #undelivered: UndeliveredAlert[] = [];
  /** Aborted when close() gave up waiting: no retry or request outlives the run. */
  readonly #abort = new AbortController();
  readonly stats: AlertSenderStats = { sent: 0, failed: 0, deduplicated: 0, rateLimited: 0, lastError: null };

  constructor(options: AlertSenderOptions) {
    this.#o = {
      attempts: 4,
      baseDelayMs: 1000,
      maxDelayMs: 30_000,
      dedupeMs: 10 * 60_000,
      perMinute: 20,
      timeoutMs: 10_000,
      now: Date.now,
      ...options,
    };
  }

  /** Queue an alert; returns at once. False when de-duplicated, rate-limited or closed. */
  enqueue(alert: Alert): boolean {
    if (this.#closed || this.#o.urls.length === 0) return false;
    const now = this.#o.now();
    const last = this.#lastSent.get(alert.key);
    if (last !== undefined && now - last < this.#o.dedupeMs) {
      this.stats.deduplicated++;
      return false;
    }
    this.#recent = this.#recent.filter((t) => now - t < 60_000);
    if (this.#recent.length >= this.#o.perMinute) {
      this.stats.rateLimited++;
      return false;
    }
    this.#recent.push(now);
    this.#lastSent.set(alert.key, now);
    this.#queue.push(alert);
    this.#working ??= this.#drain().finally(() => {
      this.#working = null;
    });
    return true;
  }

  /**
   * Wait until the queue is empty (or timeoutMs passed), then accept nothing more. What is still
   * queued or retrying then is dropped — a dead webhook must not keep the process up — and
   * returned, with every delivery that failed meanwhile, for the caller to say (nothing is
   * listening for onFailure any more: the run is over).
   */
  async close(timeoutMs = 5000): Promise<UndeliveredAlert[]> {
    this.#closed = true;
    this.#closeWaitMs = timeoutMs;
    await this.flush(timeoutMs);
    const queued = this.#queue.splice(0).flatMap((alert) =>
      this.#o.urls.map((url) => ({
        kind: alert.kind,
        text: alert.text,
        to: redactWebhook(url),
        why: `not sent: still queued when the exit came (it waited ${waitText(timeoutMs)} for the queue)`,
      })),
    );
    this.#abort.abort();
    await this.#working;
    return [...this.#undelivered, ...queued];
  }

  /** Wait until the queue is empty, at most timeoutMs. */
  async flush(timeoutMs = 5000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((done) => {
      timer = setTimeout(done, timeoutMs);
    });
    const drained = (async () => {
      while (this.#working) await this.#working;
    })();
    await Promise.race([drained, timeout]);
    clearTimeout(timer);
  }

  /** Post one alert to every webhook now, with retries; resolves with each webhook's outcome. */
  async deliver(alert: Alert): Promise<DeliveryResult[]> {
    const body = JSON.stringify(
      alertBody(alert, this.#o.format, { telegramChatId: this.#o.telegramChatId ?? null }),
    );
    const results = await Promise.all(this.#o.urls.map((url) => this.#post(url, body)));
    if (results.some((r) => r.ok)) this.stats.sent++;
    let error: string | null = null;
    for (const r of results) {
      if (r.ok) continue;
      this.stats.failed++;
      const message = `alert "${alert.kind}" to ${redactWebhook(r.url)} failed after ${r.attempts} attempt(s): ${r.error ?? "unknown error"}`;
      this.stats.lastError = message;
      error = message;
      // Once close() began the run is over: its warning events reach no one, close() returns it.
      if (this.#closed)
        this.#undelivered.push({
          kind: alert.kind,
          text: alert.text,
          to: redactWebhook(r.url),
          why: r.error ?? "unknown error",
        });
      else this.#o.onFailure?.(message);
    }
    if (!this.#abort.signal.aborted) {
      this.#o.onOutcome?.({ kind: alert.kind, ts: this.#o.now(), ok: results.some((r) => r.ok), error });
    }
    return results;
  }

  async #drain(): Promise<void> {
    // Let the emitting call stack (the engine) finish before any work.
    await new Promise((done) => setImmediate(done));
    for (let alert = this.#queue.shift(); alert; alert = this.#queue.shift()) {
      try {
        await this.deliver(alert);
      } catch (error) {
        this.stats.lastError = String(error);
        this.#o.onFailure?.(`alert "${alert.kind}" could not be sent: ${String(error)}`);
      }
    }
  }

  async #post(url: string, body: string): Promise<DeliveryResult> {
    let error = "";
    for (let attempt = 1; attempt <= this.#o.attempts; attempt++) {
      if (this.#abort.signal.aborted)
        return { url, ok: false, attempts: attempt - 1, error: this.#atExit(error, attempt - 1) };
      let retryAfterMs: number | null = null;
      try {
        const res = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", "user-agent": "hlcopy-alerts" },
          body,
          signal: AbortSignal.any([AbortSignal.timeout(this.#o.timeoutMs), this.#abort.signal]),
        });
        // Drain the body so the connection can be reused or closed.
        const text = await res.text().catch(() => "");
        if (res.ok) return { url, ok: true, attempts: attempt };
        error = `HTTP ${res.status}${text ? ` ${text.slice(0, 120).replace(/\s+/g, " ")}` : ""}`;
        // A 4xx other than 408/429 will not get better by asking again (bad URL, bad chat id).
        if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
          return { url, ok: false, attempts: attempt, error };
        }
        const ra = Number(res.headers.get("retry-after"));
        if (Number.isFinite(ra) && ra > 0) retryAfterMs = ra * 1000;
      } catch (e) {
        // The exit's abort cut this request short: it had not answered in the wait.
        if (this.#abort.signal.aborted)
          return { url, ok: false, attempts: attempt, error: this.#atExit(error, attempt - 1, true) };
        error = e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e);
      }
      if (attempt < this.#o.attempts) {
        const backoff = Math.min(this.#o.maxDelayMs, this.#o.baseDelayMs * 2 ** (attempt - 1));
        await sleep(Math.min(this.#o.maxDelayMs, retryAfterMs ?? backoff), this.#abort.signal);
      }
    }
    return { url, ok: false, attempts: this.#o.attempts, error };
  }

  /** Why a delivery the exit cut short did not get through: the last answer, or none in the wait. */
  #atExit(lastError: string, failedAttempts: number, inFlight = false): string {
    const waited = `the exit waited ${waitText(this.#closeWaitMs)}`;
    if (failedAttempts > 0 && lastError)
      return `${lastError} (${failedAttempts} attempt(s)${inFlight ? ", the next one unanswered" : ""}; ${waited}, no retry after it)`;
    return inFlight ? `no answer (${waited})` : `not sent (${waited})`;
  }
}

/** "5 s", "200 ms": how long the exit waited. */
function waitText(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}

/** Resolves after ms, or at once when the signal aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((done) => {
    if (signal.aborted) return done();
    const timer = setTimeout(finish, ms);
    function finish() {
      clearTimeout(timer);
      signal.removeEventListener("abort", finish);
      done();
    }
    signal.addEventListener("abort", finish);
  });
}
