// The recovery of orders whose outcome is unknown (src/engine/recovery.ts), through its port on
// the simulator: our real client looks the orders up, a real journal holds them. The clock is
// the port's, so an order's expiry window passes without waiting for it.

import { describe, expect, it } from "vitest";
import { NEVER_PLACED } from "../../src/core/orders.js";
import type { Fill } from "../../src/core/types.js";
import type { EngineEvent } from "../../src/engine/events.js";
import { OrderRecovery, type RecoveryPort } from "../../src/engine/recovery.js";
import { action } from "../exchange/helpers.js";
import { startFaultProxy } from "../exchange/proxy.js";
import { type SimFollow, startSimFollow } from "../helpers/sim-engine.js";

const SETTLE_MS = 17_000;

/** A recovery over our account on `t`'s simulator, at the clock `at.now`, and what it told. */
function recoveryOn(t: SimFollow, reader: RecoveryPort["reader"] = t.client) {
  const at = { now: Date.now() };
  const told = {
    warnings: [] as string[],
    fills: [] as { cloid: string; fill: Fill }[],
    requests: 0,
    /** What each start-up read was for. */
    startupReads: [] as string[],
    inFlight: new Set<string>(),
  };
  const recovery = new OrderRecovery({
    journal: t.journal,
    reader,
    account: t.account,
    settleMs: SETTLE_MS,
    now: () => at.now,
    emit: (e: EngineEvent) => {
      if (e.type === "warning") told.warnings.push(e.message);
    },
    startupRead: (what, read) => {
      told.startupReads.push(what);
      return read();
    },
    countRequest: () => {
      told.requests++;
    },
    inFlight: (cloid) => told.inFlight.has(cloid),
    recordOurFill: (fill, cloid) => told.fills.push({ cloid, fill }),
  });
  return { recovery, at, told };
}

/** Journal an order as a crashed or failed send left it: intent recorded, status "sent". */
function journaledSent(t: SimFollow, a: ReturnType<typeof action>, ts: number): void {
  t.journal.recordOrderIntent({ runId: null, ts, action: a });
  t.journal.updateOrder(a.cloid, { ts, status: "sent" });
}

describe("the look-up of unresolved orders before a sweep", () => {
  it("skips an order being sent, resolves a placed one with its fills, and closes a lost one only after its expiry", async () => {
    const t = await startSimFollow({ sim: { seed: 41 } });
    const markets = await t.client.getMarkets();
    const placed = action(markets, "ETH", "buy", 1);
    const sending = action(markets, "BTC", "buy", 0.1);
    const lost = action(markets, "SOL", "buy", 10);
    const { recovery, at, told } = recoveryOn(t);
    for (const a of [placed, sending, lost]) journaledSent(t, a, at.now);
    const results = await t.client.placeOrders([placed, sending], markets);
    expect(results.map((r) => r.status)).toEqual(["filled", "filled"]);
    told.inFlight.add(sending.cloid);

    // Inside the expiry window: nothing waits, the lost order is left for a later look.
    at.now += 1_000;
    await recovery.resolveUnresolved();
    expect(t.journal.getOrder(placed.cloid)).toMatchObject({ status: "filled", filledSize: 1 });
    // The order being sent keeps its status: its own result comes, though the exchange filled it.
    expect(t.journal.getOrder(sending.cloid)?.status).toBe("sent");
    expect(t.journal.getOrder(lost.cloid)?.status).toBe("sent");
    // The placed order's fills (and only its) are journaled, under the journal's cloid.
    expect(told.fills.length).toBeGreaterThan(0);
    expect(told.fills.every((f) => f.cloid === placed.cloid)).toBe(true);
    expect(told.fills.reduce((sum, f) => sum + f.fill.sz, 0)).toBeCloseTo(1, 9);
    // Two look-ups (placed, lost) and one read of the fills.
    expect(told.requests).toBe(3);
    expect(told.warnings).toEqual([]);
    // A sweep's look-ups are not start-up reads (they fail at once: the next sweep looks again).
    expect(told.startupReads).toEqual([]);

    // The send is over and the lost order's expiry has passed.
    told.inFlight.clear();
    at.now += SETTLE_MS;
    await recovery.resolveUnresolved();
    expect(t.journal.getOrder(sending.cloid)).toMatchObject({ status: "filled", filledSize: 0.1 });
    expect(t.journal.getOrder(lost.cloid)).toMatchObject({ status: "rejected", error: NEVER_PLACED });
    expect(t.journal.ordersInState(["pending", "sent", "uncertain"])).toEqual([]);
    expect(told.fills.filter((f) => f.cloid === sending.cloid).length).toBeGreaterThan(0);
  });

  it("leaves an order whose look-up fails for the next sweep, and says so", { timeout: 60_000 }, async () => {
    const t = await startSimFollow({ sim: { seed: 42 } });
    const proxy = await startFaultProxy(t.sim.httpUrl);
    t.defer(() => proxy.close());
    const markets = await t.client.getMarkets();
    const placed = action(markets, "ETH", "buy", 1);
    const { recovery, at, told } = recoveryOn(t, t.ourClient({ httpUrl: proxy.httpUrl }));
    journaledSent(t, placed, at.now);
    expect((await t.client.placeOrders([placed], markets))[0]?.status).toBe("filled");

    proxy.setRule(({ type }) => (type === "orderStatus" ? { status: 500, body: "down" } : null));
    at.now += SETTLE_MS;
    await recovery.resolveUnresolved();
    expect(t.journal.getOrder(placed.cloid)?.status).toBe("sent");
    expect(told.warnings).toHaveLength(1);
    expect(told.warnings[0]).toContain(placed.cloid);
    expect(told.warnings[0]).toContain("looked up again next sweep");

    proxy.setRule(null);
    await recovery.resolveUnresolved();
    expect(t.journal.getOrder(placed.cloid)).toMatchObject({ status: "filled", filledSize: 1 });
  });
});

describe("the start-up pass", () => {
  it("looks every unresolved order up through the start-up read and counts them", async () => {
    const t = await startSimFollow({ sim: { seed: 43 } });
    const markets = await t.client.getMarkets();
    const placed = action(markets, "ETH", "buy", 1);
    const { recovery, at, told } = recoveryOn(t);
    journaledSent(t, placed, at.now);
    expect((await t.client.placeOrders([placed], markets))[0]?.status).toBe("filled");
    expect(await recovery.recoverOrders()).toBe(1);
    expect(told.startupReads).toEqual([`the lookup of order ${placed.cloid} (ETH)`]);
    expect(t.journal.getOrder(placed.cloid)).toMatchObject({ status: "filled", filledSize: 1 });
    expect(told.warnings).toEqual(["1 order(s) left unresolved by an earlier run were looked up by cloid"]);
    // Nothing left: the next start looks nothing up.
    expect(await recovery.recoverOrders()).toBe(0);
  });
});
