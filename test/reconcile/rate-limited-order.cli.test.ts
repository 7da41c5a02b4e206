// An HTTP 429 on reconcile's order batch is the exchange refusing the request: nothing ran. A
// one-shot reconcile (cron) waits out the backoff and sends the same batch again — the same
// cloids, so an order can never be doubled — a bounded number of times, one line per wait; only
// when the exchange still refuses does it end (exit 1) with its hint. The real binary, through a
// proxy that answers 429 to the order batches it is told to.

import { describe, expect, it } from "vitest";
import { startFaultProxy } from "../exchange/proxy.js";
import { reconcileWorld } from "../helpers/reconcile-world.js";

const RECONCILE_HINT =
  "hint: what the exchange refused with 429 did not run: wait a minute, then run hlcopy reconcile again (it plans from the exchange's state)";

describe("reconcile meets an HTTP 429 on its orders", () => {
  it("waits, sends the same batch again (same cloids) and ends in sync", { timeout: 90_000 }, async ({
    onTestFinished,
  }) => {
    const w = await reconcileWorld({ seed: 131, onTestFinished });
    await w.trade("BTC", "buy", 1);
    await w.trade("ETH", "sell", 10);
    const proxy = await startFaultProxy(w.sim.httpUrl);
    onTestFinished(() => proxy.close());
    // The first two order batches are refused; every batch's cloids are kept.
    const batches: string[][] = [];
    const expiries: unknown[] = [];
    let refuse = 2;
    proxy.setRule((q) => {
      if (q.endpoint !== "exchange" || q.type !== "order") return null;
      const orders = (q.body.action as { orders: { c?: string }[] }).orders;
      batches.push(orders.map((o) => String(o.c)));
      expiries.push(q.body.expiresAfter);
      if (refuse <= 0) return null;
      refuse--;
      return { status: 429, body: "Too Many Requests" };
    });
    const r = await w.cli(["reconcile", w.leader, "--mode", "fixed-ratio", "--ratio", "0.1", "--yes"], {
      network: proxy.httpUrl,
    });
    expect(r.code, r.stderr).toBe(0);
    // Three sends of one batch: the same cloids each time.
    expect(batches).toHaveLength(3);
    expect(batches[0]?.length).toBe(2);
    expect(batches[1]).toEqual(batches[0]);
    expect(batches[2]).toEqual(batches[0]);
    // And the same expiry: a resend is no younger than the intent the journal holds for it.
    expect(new Set(expiries).size).toBe(1);
    // One line per wait, saying what is waited for and that nothing ran.
    const waits = r.stderr.split("\n").filter((l) => /HTTP 429/.test(l));
    expect(waits).toHaveLength(2);
    for (const [i, line] of waits.entries())
      expect(line).toMatch(
        new RegExp(
          `^warning: rate-limited by the exchange \\(HTTP 429\\) on placeOrders \\(2 orders\\); nothing ran — sending the same orders again in [\\d.]+s \\(attempt ${i + 2} of 3\\)$`,
        ),
      );
    expect(await w.positions()).toEqual({ BTC: 0.1, ETH: -1 });
  });

  it("ends with the hint when the exchange keeps refusing (nothing sent twice)", { timeout: 90_000 }, async ({
    onTestFinished,
  }) => {
    const w = await reconcileWorld({ seed: 132, onTestFinished });
    await w.trade("BTC", "buy", 1);
    const proxy = await startFaultProxy(w.sim.httpUrl);
    onTestFinished(() => proxy.close());
    let sends = 0;
    proxy.setRule((q) => {
      if (q.endpoint !== "exchange" || q.type !== "order") return null;
      sends++;
      return { status: 429, body: "Too Many Requests" };
    });
    const r = await w.cli(["reconcile", w.leader, "--mode", "fixed-ratio", "--ratio", "0.1", "--yes"], {
      network: proxy.httpUrl,
    });
    expect(r.code, r.stderr).toBe(1);
    expect(sends).toBe(3);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines.filter((l) => /sending the same orders again/.test(l))).toHaveLength(2);
    expect(lines.at(-2)).toMatch(
      /^error: rate-limited by the exchange \(HTTP 429\) on placeOrders \(buy 0\.1 BTC @ [\d.]+\) \(3 attempts\)$/,
    );
    expect(lines.at(-1)).toBe(RECONCILE_HINT);
    expect(await w.positions()).toEqual({});
  });
});
