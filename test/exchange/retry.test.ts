// retryTransient: what it retries, how long, what it tells, and when it gives up.

import { describe, expect, it } from "vitest";
import { OperationalError, RateLimitError, RetryableError } from "../../src/core/errors.js";
import {
  type Alarm,
  attemptSignal,
  describeWait,
  RetryRounds,
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

/** Virtual time for RetryRounds and retryTransient: alarms fire as `advance` passes them. */
function virtualTime() {
  let t = 0;
  const due: { at: number; fn: () => void; gone: boolean }[] = [];
  const alarm: Alarm = (fn, ms) => {
    const a = { at: t + ms, fn, gone: false };
    due.push(a);
    return () => {
      a.gone = true;
    };
  };
  /** Promise callbacks and set-immediates (a round's late tell) run out. */
  const settle = async () => {
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  };
  const advance = async (to: number) => {
    for (;;) {
      await settle();
      const next = due.filter((a) => !a.gone && a.at <= to).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      t = next.at;
      next.gone = true;
      next.fn();
    }
    t = to;
    await settle();
  };
  return { now: () => t, alarm, advance, settle };
}

/** Reads whose every attempt waits for the test to fail or answer it. */
function scriptedReads(now: () => number) {
  const pending = new Map<string, { fail: (e: Error) => void; answer: (v: string) => void }>();
  const tries: Record<string, number[]> = {};
  return {
    tries,
    read: (name: string) => () =>
      new Promise<string>((answer, fail) => {
        tries[name] = [...(tries[name] ?? []), now()];
        pending.set(name, { fail, answer });
      }),
    fail: (...names: string[]) => {
      for (const name of names) {
        const request = name === "the markets" ? "meta" : "clearinghouseState";
        pending.get(name)?.fail(new RetryableError(`cannot reach http://x for ${request}: ECONNREFUSED`));
        pending.delete(name);
      }
    },
    answer: (name: string) => {
      pending.get(name)?.answer(name);
      pending.delete(name);
    },
  };
}

describe("RetryRounds: reads made together, retried together, one line per retry", () => {
  const THREE = ["the markets", "the leader's account", "your account"];
  function start(names = THREE, options: Partial<Record<string, { initialDelayMs: number }>> = {}) {
    const vt = virtualTime();
    const told: string[] = [];
    const rounds = new RetryRounds((line) => told.push(line), vt.alarm);
    const reads = scriptedReads(vt.now);
    const results = names.map((what) =>
      rounds
        .retry(reads.read(what), { what, timeoutMs: 60_000, now: vt.now, ...options[what] })
        .catch((e: unknown) => e),
    );
    return { vt, told, reads, results };
  }
  const retryLine = (line: string) => Number(/; retry (\d+) in /.exec(line)?.[1]);

  it("failures that come together are one line at once: every read named in one order, the shared reason once; they retry together", async () => {
    const { vt, told, reads, results } = start();
    await vt.settle();
    reads.fail("your account", "the markets", "the leader's account");
    await vt.settle();
    // Told before any time passed: every read in flight had failed.
    expect(told).toEqual([
      "waiting for the markets, the leader's account and your account: cannot reach http://x: ECONNREFUSED; retry 2 in 0.5s (giving up in 1m00s)",
    ]);
    await vt.advance(500);
    expect(reads.tries).toEqual({
      "the markets": [0, 500],
      "the leader's account": [0, 500],
      "your account": [0, 500],
    });
    // The next retry: failures arrive in another order, the line names them in the same one.
    reads.fail("the leader's account", "your account", "the markets");
    await vt.settle();
    expect(told[1]).toBe(
      "waiting for the markets, the leader's account and your account: cannot reach http://x: ECONNREFUSED; retry 3 in 1s (giving up in 1m00s)",
    );
    await vt.advance(1_500);
    for (const name of THREE) reads.answer(name);
    expect(await Promise.all(results)).toEqual(THREE);
    expect(told).toHaveLength(2);
  });

  it("a read that fails late (a busy machine, a slow reply) retries with the round already told and is named in the next: no retry is told twice", async () => {
    // Each read on its own clock, grouped by a 250 ms window, said "retry 2" for the markets and
    // the leader's account, then "retry 2" again for your account.
    const { vt, told, reads } = start();
    await vt.settle();
    reads.fail("the markets", "the leader's account");
    await vt.advance(250); // half the 0.5 s wait: your account's read is taken as hung
    expect(told).toEqual([
      "waiting for the markets and the leader's account: cannot reach http://x: ECONNREFUSED; retry 2 in 0.5s (giving up in 1m00s)",
    ]);
    await vt.advance(300);
    reads.fail("your account");
    await vt.advance(499);
    expect(told).toHaveLength(1);
    await vt.advance(500);
    // All three retried at the round's wake: your account sooner than its own backoff.
    expect(reads.tries).toEqual({
      "the markets": [0, 500],
      "the leader's account": [0, 500],
      "your account": [0, 500],
    });
    // Your account fails 300 ms after the others again: within half this round's 1 s wait.
    reads.fail("the markets", "the leader's account");
    await vt.advance(800);
    expect(told).toHaveLength(1);
    reads.fail("your account");
    await vt.settle();
    expect(told).toHaveLength(2);
    expect(told[1]).toMatch(
      /^waiting for the markets, the leader's account and your account: .*; retry 3 in 1s/,
    );
    expect(told.map(retryLine)).toEqual([2, 3]);
  });

  it("a read that answers is no longer waited for: the others' line is told at once", async () => {
    const { vt, told, reads } = start();
    await vt.settle();
    reads.fail("the markets", "your account");
    await vt.settle();
    expect(told).toEqual([]);
    reads.answer("the leader's account");
    await vt.settle();
    expect(told).toEqual([
      "waiting for the markets and your account: cannot reach http://x: ECONNREFUSED; retry 2 in 0.5s (giving up in 1m00s)",
    ]);
  });

  it("the round wakes when the first of its reads' backoffs ends: none waits longer than its own", async () => {
    const { vt, reads } = start(["the markets", "your account"], {
      "the markets": { initialDelayMs: 2_000 },
      "your account": { initialDelayMs: 200 },
    });
    await vt.settle();
    reads.fail("the markets", "your account");
    await vt.advance(200);
    expect(reads.tries).toEqual({ "the markets": [0, 200], "your account": [0, 200] });
  });

  it("counts the retries of one outage: once no read is in flight, a later outage starts again at retry 2", async () => {
    const vt = virtualTime();
    const told: string[] = [];
    const rounds = new RetryRounds((line) => told.push(line), vt.alarm);
    const reads = scriptedReads(vt.now);
    const markets = rounds.retry(reads.read("the markets"), {
      what: "the markets",
      timeoutMs: 60_000,
      now: vt.now,
    });
    await vt.settle();
    reads.fail("the markets");
    await vt.advance(500);
    reads.fail("the markets");
    await vt.advance(1_500);
    reads.answer("the markets");
    expect(await markets).toBe("the markets");
    const account = rounds.retry(reads.read("your account"), {
      what: "your account",
      timeoutMs: 60_000,
      now: vt.now,
    });
    await vt.settle();
    reads.fail("your account");
    await vt.advance(2_000);
    reads.answer("your account");
    expect(await account).toBe("your account");
    expect(told.map(retryLine)).toEqual([2, 3, 2]);
  });

  it("one wait alone reads as it always did", async () => {
    const { vt, told, reads } = start(["the markets"]);
    await vt.settle();
    reads.fail("the markets");
    await vt.settle();
    expect(told).toEqual([
      describeWait({
        what: "the markets",
        attempt: 1,
        waitMs: 500,
        remainingMs: 60_000,
        error: new RetryableError("cannot reach http://x for meta: ECONNREFUSED"),
      }),
    ]);
  });

  it("a stop during the wait ends it with the last error", async () => {
    const vt = virtualTime();
    const rounds = new RetryRounds(() => {}, vt.alarm);
    const reads = scriptedReads(vt.now);
    const abort = new AbortController();
    const pending = rounds
      .retry(reads.read("the markets"), {
        what: "the markets",
        timeoutMs: 60_000,
        now: vt.now,
        signal: abort.signal,
      })
      .catch((e: unknown) => e);
    await vt.settle();
    reads.fail("the markets");
    await vt.settle();
    abort.abort();
    expect(await pending).toMatchObject({ message: "cannot reach http://x for meta: ECONNREFUSED" });
    expect(reads.tries["the markets"]).toEqual([0]);
  });
});
