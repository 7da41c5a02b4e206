import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type BudgetEvent,
  exchangeWeight,
  infoItemWeight,
  infoWeight,
  ONE_SHOT_BURST,
  RequestBudget,
} from "../../src/exchange/budget.js";
import { fcRuns } from "../helpers/fast-check.js";

/** A fake clock whose sleep advances time instantly. */
function fakeClock(start = 1_000_000) {
  let t = start;
  const sleeps: number[] = [];
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    sleeps,
  };
}

describe("request weights (fact sheet)", () => {
  it("charges /info by type and per item, /exchange by batch length", () => {
    expect(infoWeight("l2Book")).toBe(2);
    expect(infoWeight("clearinghouseState")).toBe(2);
    expect(infoWeight("orderStatus")).toBe(2);
    expect(infoWeight("meta")).toBe(20);
    expect(infoWeight("frontendOpenOrders")).toBe(20);
    expect(infoWeight("userRole")).toBe(60);
    expect(infoItemWeight("userFillsByTime", 2000)).toBe(100);
    expect(infoItemWeight("meta", 2000)).toBe(0);
    expect(infoItemWeight("candleSnapshot", 120)).toBe(2);
    expect(exchangeWeight(1)).toBe(1);
    expect(exchangeWeight(39)).toBe(1);
    expect(exchangeWeight(40)).toBe(2);
    expect(exchangeWeight(80)).toBe(3);
  });
});

describe("RequestBudget", () => {
  it("lets a burst through up to the bucket, then delays instead of exceeding", async () => {
    const clock = fakeClock();
    const events: BudgetEvent[] = [];
    const b = new RequestBudget({
      limitPerMinute: 1200,
      burst: 600,
      orderReserve: 0,
      now: clock.now,
      sleep: clock.sleep,
      onEvent: (e) => events.push(e),
    });
    for (let i = 0; i < 30; i++) await b.acquire(20);
    expect(clock.sleeps).toEqual([]);
    expect(b.available()).toBe(0);
    const before = clock.now();
    await b.acquire(20);
    // 600/min = 10 per second: 20 weight needs 2 s.
    expect(clock.now() - before).toBe(2000);
    expect(events).toEqual([{ type: "delayed", waitMs: 2000, weight: 20, kind: "info" }]);
  });

  it("requests queued together say their pacing wait once; a later wait is said again", async () => {
    let t = 1_000_000;
    const wakers: (() => void)[] = [];
    const events: BudgetEvent[] = [];
    const b = new RequestBudget({
      limitPerMinute: 1200,
      burst: 600,
      orderReserve: 0,
      now: () => t,
      sleep: (ms) =>
        new Promise<void>((resolve) =>
          wakers.push(() => {
            t = Math.max(t, 1_000_000 + ms);
            resolve();
          }),
        ),
      onEvent: (e) => events.push(e),
    });
    for (let i = 0; i < 30; i++) await b.acquire(20);
    const queued = [b.acquire(20), b.acquire(20), b.acquire(20)];
    expect(wakers).toHaveLength(3);
    expect(events.filter((e) => e.type === "delayed")).toHaveLength(1);
    // Let them through (the fake clock moves past the told wait), then a new wait is told again.
    t += 60_000;
    for (const wake of wakers.splice(0)) wake();
    await Promise.all(queued);
    for (let i = 0; i < 40; i++) if (b.available() >= 20) await b.acquire(20);
    const later = b.acquire(20);
    expect(events.filter((e) => e.type === "delayed")).toHaveLength(2);
    t += 60_000;
    for (const wake of wakers.splice(0)) wake();
    await later;
  });

  it("no 60-second window, however aligned, carries more than 1200 weight", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            gap: fc.integer({ min: 0, max: 5_000 }),
            weight: fc.constantFrom(1, 2, 20, 22, 60),
            kind: fc.constantFrom("info" as const, "order" as const),
          }),
          // size "max": fast-check's default size keeps arrays to about ten requests, too few
          // to come near 1200 weight in a minute.
          { minLength: 1, maxLength: 400, size: "max" },
        ),
        // A long run's default burst and a one-shot run's larger one alike.
        fc.constantFrom(undefined, ONE_SHOT_BURST),
        async (requests, burst) => {
          const clock = fakeClock();
          const b = new RequestBudget({ now: clock.now, sleep: clock.sleep, ...(burst ? { burst } : {}) });
          const sent: { t: number; w: number }[] = [];
          for (const r of requests) {
            clock.advance(r.gap);
            await b.acquire(r.weight, r.kind);
            sent.push({ t: clock.now(), w: r.weight });
          }
          for (const first of sent) {
            let sum = 0;
            for (const s of sent) if (s.t >= first.t && s.t < first.t + 60_000) sum += s.w;
            if (sum > 1200) return false;
          }
          return true;
        },
      ),
      { numRuns: fcRuns(200) },
    );
  });

  it("a one-shot run's burst holds a trading reconcile's reads: the start's, its orders, the check after them", async () => {
    // What `hlcopy reconcile` sends when it trades (seen on the simulator): the anchor's and the
    // safety rules' ledger, the markets, both accounts, open orders, fills and funding since the
    // last run; two orders; then the check after them.
    const start = [
      "userNonFundingLedgerUpdates",
      "meta",
      "allMids",
      "clearinghouseState",
      "clearinghouseState",
    ];
    const startRest = ["frontendOpenOrders", "userFillsByTime", "userFunding"];
    const after = [
      "allMids",
      "clearinghouseState",
      "clearinghouseState",
      "frontendOpenOrders",
      "userFillsByTime",
    ];
    const run = async (burst?: number) => {
      const clock = fakeClock();
      const b = new RequestBudget({ now: clock.now, sleep: clock.sleep, ...(burst ? { burst } : {}) });
      for (const type of [...start, ...startRest]) await b.acquire(infoWeight(type));
      await b.acquire(exchangeWeight(1), "order");
      await b.acquire(exchangeWeight(1), "order");
      for (const type of [...after, "userNonFundingLedgerUpdates"]) await b.acquire(infoWeight(type));
      return clock.sleeps.reduce((sum, ms) => sum + ms, 0);
    };
    expect(await run(ONE_SHOT_BURST)).toBe(0);
    // The default burst (a follow's) made the same run wait for refill at its end (~0.8 s).
    expect(await run()).toBeGreaterThan(500);
  });

  it("keeps a reserve only orders may use", async () => {
    const clock = fakeClock();
    const b = new RequestBudget({ burst: 600, orderReserve: 100, now: clock.now, sleep: clock.sleep });
    for (let i = 0; i < 25; i++) await b.acquire(20); // 500 used, 100 left = the reserve
    expect(b.waitTime(2, "info")).toBeGreaterThan(0);
    expect(b.waitTime(1, "order")).toBe(0);
    await b.acquire(1, "order");
    expect(clock.sleeps).toEqual([]);
  });

  it("backs off exponentially with a cap after 429s, says so, and recovers", async () => {
    const clock = fakeClock();
    const events: BudgetEvent[] = [];
    const b = new RequestBudget({
      initialBackoffMs: 1000,
      maxBackoffMs: 5000,
      now: clock.now,
      sleep: clock.sleep,
      onEvent: (e) => events.push(e),
    });
    expect(b.rateLimited("info l2Book answered HTTP 429")).toBe(1000);
    expect(b.isBackingOff()).toBe(true);
    expect(b.available()).toBe(b.orderReserve); // only the orders' reserve is left
    expect(b.rateLimited("again")).toBe(2000);
    expect(b.rateLimited("again")).toBe(4000);
    expect(b.rateLimited("again")).toBe(5000);
    const t0 = clock.now();
    await b.acquire(1, "order");
    expect(clock.now() - t0).toBeGreaterThanOrEqual(5000);
    b.succeeded();
    expect(events.map((e) => e.type)).toEqual([
      "rateLimited",
      "rateLimited",
      "rateLimited",
      "rateLimited",
      "recovered",
    ]);
    expect(events[0]).toEqual({
      type: "rateLimited",
      waitMs: 1000,
      attempt: 1,
      detail: "info l2Book answered HTTP 429",
    });
    // The next 429 starts again from the initial backoff.
    expect(b.rateLimited("new")).toBe(1000);
  });

  it("a stop (the signal) ends a wait at once, mid-backoff, and takes nothing", async () => {
    // The sleep ends only when the clock is moved past it (as time would): never, here.
    let t = 1_000_000;
    const sleeping: number[] = [];
    const b = new RequestBudget({
      initialBackoffMs: 30_000,
      now: () => t,
      sleep: (ms) => {
        sleeping.push(ms);
        return new Promise<void>(() => {});
      },
    });
    b.rateLimited("order answered HTTP 429");
    const before = b.available();
    const stop = new AbortController();
    let done: boolean | undefined;
    const waiting = b.acquire(1, "order", stop.signal).then((taken) => {
      done = taken;
    });
    await new Promise((r) => setImmediate(r));
    expect(sleeping).toEqual([30_000]); // it waits out the backoff …
    expect(done).toBeUndefined();
    stop.abort();
    await waiting; // … until the stop: the clock has not moved
    expect(done).toBe(false);
    expect(b.isBackingOff()).toBe(true);
    expect(b.available()).toBe(before);
    // Already stopped: no wait, nothing taken, even when the weight fits.
    t += 60_000;
    const full = b.available();
    expect(await b.acquire(1, "order", stop.signal)).toBe(false);
    expect(b.available()).toBe(full);
    expect(await b.acquire(1, "order")).toBe(true);
  });

  it("charges weight learnt from the reply, even below zero", () => {
    const clock = fakeClock();
    const b = new RequestBudget({ burst: 600, now: clock.now, sleep: clock.sleep });
    b.charge(700);
    expect(b.available()).toBe(-100);
    clock.advance(10_000);
    expect(b.available()).toBe(0);
  });

  it("a listener that throws does not break a request", async () => {
    const clock = fakeClock();
    const b = new RequestBudget({
      limitPerMinute: 120,
      burst: 60,
      orderReserve: 0,
      now: clock.now,
      sleep: clock.sleep,
      onEvent: () => {
        throw new Error("view crashed");
      },
    });
    await b.acquire(60);
    await expect(b.acquire(1)).resolves.toBe(true);
  });
});
