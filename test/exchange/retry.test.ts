// retryTransient: what it retries, how long, what it tells, and when it gives up.

import { describe, expect, it } from "vitest";
import { OperationalError, RateLimitError, RetryableError } from "../../src/core/errors.js";
import {
  attemptSignal,
  describeWait,
  groupWaits,
  type RetryWait,
  retryTransient,
  StartupTimeoutError,
} from "../../src/exchange/retry.js";

/** A fake clock whose sleep advances it. */
function clock() {
  let t = 0;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
  };
}

describe("retryTransient", () => {
  it("an attempt's requests are bound to it while it runs (attemptSignal), not after it answered", async () => {
    let during: AbortSignal | undefined;
    let later: Promise<AbortSignal | undefined> = Promise.resolve(undefined);
    await retryTransient(
      async () => {
        during = attemptSignal();
        // What the attempt sets up runs in its context later (a websocket's handlers).
        later = new Promise((resolve) => setTimeout(() => resolve(attemptSignal()), 10));
        return 1;
      },
      { what: "a read", timeoutMs: 60_000 },
    );
    expect(during).toBeInstanceOf(AbortSignal);
    expect(during?.aborted).toBe(false);
    expect(await later).toBeUndefined();
  });

  it("retries 5xx-like and 429 errors with doubling waits, then returns", async () => {
    const c = clock();
    const waits: RetryWait[] = [];
    let calls = 0;
    const value = await retryTransient(
      async () => {
        calls++;
        if (calls === 1) throw new RetryableError("meta failed: 500");
        if (calls === 2) throw new RateLimitError("rate-limited (HTTP 429)");
        return 42;
      },
      { what: "the markets", timeoutMs: 60_000, onWait: (w) => waits.push(w), ...c },
    );
    expect(value).toBe(42);
    expect(waits.map((w) => w.waitMs)).toEqual([500, 1_000]);
    expect(describeWait(waits[0] as RetryWait)).toBe(
      "waiting for the markets: meta failed: 500; retry 2 in 0.5s (giving up in 1m00s)",
    );
  });

  it("does not retry what retrying cannot fix", async () => {
    const c = clock();
    let calls = 0;
    const refused = new OperationalError("agent is not approved", { exitCode: 2 });
    await expect(
      retryTransient(
        async () => {
          calls++;
          throw refused;
        },
        { what: "x", timeoutMs: 60_000, ...c },
      ),
    ).rejects.toBe(refused);
    expect(calls).toBe(1);
  });

  it("gives up after the timeout with exit 1, naming what it waited for and the last error", async () => {
    const c = clock();
    const error = await retryTransient(
      async () => {
        throw new RetryableError("extraAgents failed: 500 Internal Server Error");
      },
      { what: "the agent approval check", timeoutMs: 5_000, ...c },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartupTimeoutError);
    expect((error as StartupTimeoutError).exitCode).toBe(1);
    expect((error as Error).message).toBe(
      "gave up after 5s waiting for the agent approval check: extraAgents failed: 500 Internal Server Error",
    );
    expect(c.now()).toBe(5_000);
  });

  it("an abort (a stop during start-up) ends the wait with the last error", async () => {
    const abort = new AbortController();
    const last = new RetryableError("down");
    const pending = retryTransient(
      async () => {
        throw last;
      },
      { what: "x", timeoutMs: 600_000, initialDelayMs: 60_000, signal: abort.signal },
    );
    setTimeout(() => abort.abort(), 10);
    await expect(pending).rejects.toBe(last);
  });

  it("an attempt that never answers is given up at the deadline, not left to its own timeout", async () => {
    // An exchange that accepts the connection and never replies: the run's --startup-timeout-
    // seconds is what the trader set, so that is when hlcopy gives up (exit 1, naming what).
    const hung = retryTransient(() => new Promise<number>(() => {}), { what: "the markets", timeoutMs: 50 });
    await expect(hung).rejects.toBeInstanceOf(StartupTimeoutError);
    await expect(hung).rejects.toThrow(/gave up after .+ waiting for the markets: no answer within/);
  });

  it("what an attempt produced after it was given up on is handed back to be released", async () => {
    let answer: (v: { close: () => void }) => void = () => {};
    let closed = 0;
    const late = retryTransient(
      () =>
        new Promise<{ close: () => void }>((resolve) => {
          answer = resolve;
        }),
      { what: "the exchange's websocket", timeoutMs: 20, discard: (s) => s.close() },
    );
    await expect(late).rejects.toBeInstanceOf(StartupTimeoutError);
    answer({ close: () => closed++ });
    await Promise.resolve();
    expect(closed).toBe(1);
  });
});

describe("groupWaits: reads made together, one line per retry", () => {
  const wait = (what: string, attempt: number, request: string): RetryWait => ({
    what,
    attempt,
    waitMs: 500 * attempt,
    remainingMs: 6000 - 500 * attempt,
    error: new RetryableError(`cannot reach http://x for ${request}: ECONNREFUSED`),
  });

  it("waits that come together are one line: every read named in one order, the shared reason once", () => {
    const told: string[] = [];
    const due: (() => void)[] = [];
    const tell = groupWaits(
      (line) => told.push(line),
      (fn, ms) => {
        expect(ms).toBe(250); // told before its retry (half the 500 ms wait)
        due.push(fn);
      },
    );
    tell(wait("the markets", 1, "meta"));
    tell(wait("the leader's account", 1, "clearinghouseState"));
    tell(wait("your account", 1, "clearinghouseState/frontendOpenOrders"));
    expect(told).toEqual([]);
    due.shift()?.();
    // The next retry: failures arrive in another order, the line names them in the same one.
    tell(wait("your account", 2, "clearinghouseState"));
    tell(wait("the markets", 2, "meta"));
    due.shift()?.();
    expect(told).toEqual([
      "waiting for the markets, the leader's account and your account: cannot reach http://x: ECONNREFUSED; retry 2 in 0.5s (giving up in 5.5s)",
      "waiting for the markets and your account: cannot reach http://x: ECONNREFUSED; retry 3 in 1s (giving up in 5s)",
    ]);
  });

  it("one wait alone reads as it always did", () => {
    const told: string[] = [];
    const tell = groupWaits(
      (line) => told.push(line),
      (fn) => fn(),
    );
    const w = wait("the markets", 1, "meta");
    tell(w);
    expect(told).toEqual([describeWait(w)]);
  });
});
