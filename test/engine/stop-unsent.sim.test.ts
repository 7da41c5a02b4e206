// A stop that keeps a cancel or a modify of a resting order from going out (it waited for its
// turn: a 429's backoff): nothing was sent, and that is known — the order rests as it did. Until
// 2026-12-06 the adapter called such a cancel "uncertain" (a passive entry's warned "could not be
// cancelled …; tried again next sweep", of a run that was ending), and a protection modify kept
// unsent journaled the old trigger cancelled "replaced" while it still rested on the exchange,
// and was told as a failure (`failed`, said as an error).

import { describe, expect, it } from "vitest";
import type { Settings } from "../../src/core/settings.js";
import type { Address, OpenOrder } from "../../src/core/types.js";
import { type HlClient, RequestBudget } from "../../src/exchange/index.js";
import { eventually } from "../exchange/helpers.js";
import { copySettings, startSimFollow, trade } from "../helpers/sim-engine.js";

const WAIT = 15_000;

/** A request budget on the test's clock: a 429's backoff holds every request until the test wakes it. */
function heldBudget() {
  let clock = Date.now();
  const wakers = new Set<() => void>();
  const budget = new RequestBudget({
    limitPerMinute: 1e9,
    burst: 1e6,
    now: () => clock,
    sleep: () => new Promise<void>((resolve) => wakers.add(resolve)),
  });
  return {
    budget,
    waiting: () => wakers.size > 0,
    /** The backoff over: whatever still waits gets its turn. */
    release() {
      clock += 3_600_000;
      for (const wake of wakers) wake();
      wakers.clear();
    },
  };
}

async function triggers(c: HlClient, user: Address): Promise<OpenOrder[]> {
  const s = await c.getAccountState(user);
  return s.openOrders.filter((o) => o.trigger !== undefined).sort((a, b) => a.oid - b.oid);
}

describe("a stop that keeps a resting order's cancel or modify from going out", () => {
  it("a protection move not sent: the old trigger stays, journaled resting; told not-sent, no failure", async (ctx) => {
    const held = heldBudget();
    const t = await startSimFollow({
      sim: { seed: 21 },
      client: { budget: held.budget },
      onTestFinished: ctx.onTestFinished,
    });
    const settings: Settings = copySettings((s) => {
      s.exec.sweepSeconds = 3600;
      s.risk.stopLossPct = 5;
    });
    await trade(t.leaderClient, "ETH", "sell", 10);
    const f = t.follow({ settings, protection: t.client });
    f.engine.begin();
    await f.engine.sweep("start");
    const reader = t.ourClient();
    const before = await triggers(reader, t.master.address);
    expect(before.map((o) => [o.side, o.size])).toEqual([["buy", 1]]);
    const [stop] = before;
    // The leader adds: our copy fills, then the exchange answers 429 — the stop's move waits.
    await trade(t.leaderClient, "ETH", "sell", 10);
    const off = f.engine.events.on((e) => {
      if (e.type === "order" && e.coin === "ETH" && e.status === "filled") held.budget.rateLimited("test");
    });
    const sweeping = f.engine.sweep().catch(() => null);
    await eventually(held.waiting, WAIT);
    const stopped = f.engine.stop("quit");
    held.release();
    await sweeping;
    await stopped;
    off();
    // Nothing of the move went out: the trigger rests as it was, sized to the first copy.
    expect((await triggers(reader, t.master.address)).map((o) => [o.oid, o.size])).toEqual([[stop?.oid, 1]]);
    expect(t.journal.getOrder(stop?.cloid ?? "")?.status).toBe("resting");
    const told = f.events.filter((e) => e.type === "protection" && e.coin === "ETH");
    expect(told.map((e) => e.type === "protection" && e.action)).toEqual(["placed", "not-sent"]);
    expect(told.at(-1)).toMatchObject({
      detail: expect.stringMatching(
        /^stop-loss for ETH not moved: not sent: the run is stopping \(the one for 1 at [\d.]+ stays\)$/,
      ),
    });
  });

  it("a passive entry's cancel not sent: no 'could not be cancelled' warning; the entry rests, journaled so", async (ctx) => {
    const held = heldBudget();
    const t = await startSimFollow({
      sim: { seed: 21, refillMs: 0 },
      client: { budget: held.budget },
      onTestFinished: ctx.onTestFinished,
    });
    const settings: Settings = copySettings((s) => {
      s.exec.sweepSeconds = 3600;
      s.exec.entry = "passive";
      s.exec.passiveTimeoutSeconds = 600;
    });
    await trade(t.leaderClient, "BTC", "buy", 1);
    const f = t.follow({ settings, passive: t.client });
    const running = f.run();
    const rest = await eventually(
      () => f.events.find((e) => e.type === "order" && e.coin === "BTC" && e.status === "resting"),
      WAIT,
    );
    if (rest.type !== "order") throw new Error("not an order");
    // The market moves up, away from our bid (the leader's sell below does not fill it)…
    t.sim.control.setMid("BTC", rest.limitPx + 50);
    // …the exchange answers 429; then the leader closes: the entry's cancel waits for its turn.
    held.budget.rateLimited("test");
    await trade(t.leaderClient, "BTC", "sell", 1, true);
    await eventually(held.waiting, WAIT);
    const stopped = f.engine.stop("quit");
    held.release();
    await stopped;
    await running;
    expect(
      f.events.filter((e) => e.type === "warning" && e.message.includes("could not be cancelled")),
    ).toEqual([]);
    const order = t.sim.control.orderHistory(t.master.address).find((o) => o.cloid === rest.cloid);
    expect(order?.status).toBe("open");
    expect(t.journal.getOrder(rest.cloid)?.status).toBe("resting");
  });
});
