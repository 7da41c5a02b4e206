// A flatten right after a rejected increase closes the coin in the flatten's own sweep. The coin's
// backoff (engine/coin-backoff.ts) guards against re-sending the refused increase in a loop; it
// held the close too, so the trader's emergency action (the dashboard's f, hlcopy flatten, the
// kill switch) waited it out — up to minutes after a 429 storm. A reduction is another order:
// only a backoff a rejected reduction earned holds it. After a 429 the close is still paced by
// the request budget (it goes at the next permitted request slot, src/exchange/budget.ts).

import { describe, expect, it } from "vitest";
import type { EngineEvent } from "../../src/engine/events.js";
import type { SimFault } from "../../src/sim/index.js";
import { eventually } from "../exchange/helpers.js";
import { copySettings, orderTold, startSimFollow, trade } from "../helpers/sim-engine.js";

type OrderEvent = Extract<EngineEvent, { type: "order" }>;
type DecisionEvent = Extract<EngineEvent, { type: "decision" }>;

/** Long enough that a close held by it could never pass for a prompt one. */
const BACKOFF_MS = 600_000;

async function flattenAfterRejectedIncrease(fault: SimFault) {
  const t = await startSimFollow({ sim: { seed: 47, fundingIntervalMs: 0 } });
  t.sim.control.setMid("ETH", 3_000);
  const f = t.follow({
    settings: copySettings((s) => (s.exec.sweepSeconds = 3600)),
    backoffMs: BACKOFF_MS,
  });
  const running = f.run();
  await eventually(() => f.events.some((e) => e.type === "sweep"));
  // The copy holds 1 ETH…
  await trade(t.leaderClient, "ETH", "buy", 10);
  await orderTold(f.events, "ETH", "filled", 10_000);
  // …and its next increase is refused (no margin, or the exchange's 429): the coin backs off.
  // (Paused while the leader trades: the fault is the exchange's, and must meet our order only.)
  f.engine.togglePause();
  const paused = f.events.length;
  await trade(t.leaderClient, "ETH", "buy", 10);
  await eventually(() => f.events.slice(paused).some((e) => e.type === "leaderFill"));
  t.sim.control.fault(fault);
  f.engine.togglePause(); // its catch-up sweep sends the increase
  const during = await eventually(async () => {
    const s = await f.engine.sweep("manual").catch(() => null);
    return s?.plan.skipped.some((x) => x.coin === "ETH" && x.reason === "backoff") ? s : null;
  });
  expect(during.results).toEqual([]);
  expect(during.plan.skipped.find((s) => s.coin === "ETH")).toMatchObject({
    reason: "backoff",
    detail: expect.stringMatching(/^backing off after a rejected increase: retry in \d+s$/),
  });

  // The trader flattens: the flatten's own sweep closes ETH, though the backoff is in force.
  const flattenAt = f.events.length;
  f.engine.flatten();
  const decision = (await eventually(() =>
    f.events.slice(flattenAt).find((e): e is DecisionEvent => e.type === "decision"),
  )) as DecisionEvent;
  expect(decision.plan.skipped.filter((s) => s.coin === "ETH")).toEqual([]);
  expect(decision.plan.actions.filter((a) => a.coin === "ETH")).toMatchObject([
    { side: "sell", size: 1, reduceOnly: true, reason: "flatten" },
  ]);
  const close = (await eventually(() =>
    f.events
      .slice(flattenAt)
      .find((e): e is OrderEvent => e.type === "order" && e.coin === "ETH" && e.reason === "flatten"),
  )) as OrderEvent;
  expect(close.status).toBe("filled");
  // Sent from that one plan: no other decision came between it and the close.
  const between = f.events.slice(f.events.indexOf(decision) + 1, f.events.indexOf(close));
  expect(between.filter((e) => e.type === "decision")).toEqual([]);
  expect((await t.client.getAccountState(t.account)).positions).toEqual({});
  await f.engine.stop("test");
  await running;
}

describe("flatten after a rejected increase", () => {
  it("closes the coin in the flatten's sweep, not after the increase's backoff (margin refused)", {
    timeout: 60_000,
  }, async () => {
    await flattenAfterRejectedIncrease({
      kind: "rejectOrders",
      count: 1,
      message: "Insufficient margin to place order.",
    });
  });

  it("closes it at the request budget's next slot after a 429, not after the coin's backoff", {
    timeout: 60_000,
  }, async () => {
    await flattenAfterRejectedIncrease({ kind: "http429", count: 1, endpoint: "exchange" });
  });

  it("a close the exchange refused with a 429 goes again in the next plan, at the request budget's slot", {
    timeout: 60_000,
  }, async () => {
    const t = await startSimFollow({ sim: { seed: 53, fundingIntervalMs: 0 } });
    t.sim.control.setMid("ETH", 3_000);
    const f = t.follow({
      settings: copySettings((s) => (s.exec.sweepSeconds = 3600)),
      backoffMs: BACKOFF_MS,
    });
    const running = f.run();
    await eventually(() => f.events.some((e) => e.type === "sweep"));
    await trade(t.leaderClient, "ETH", "buy", 10);
    await orderTold(f.events, "ETH", "filled", 10_000);
    // The flatten's close meets a 429: nothing ran, the request budget backs off.
    t.sim.control.fault({ kind: "http429", count: 1, endpoint: "exchange" });
    const flattenAt = f.events.length;
    f.engine.flatten();
    const first = (await eventually(() =>
      f.events.slice(flattenAt).find((e): e is DecisionEvent => e.type === "decision"),
    )) as DecisionEvent;
    const cloid = first.plan.actions.find((a) => a.coin === "ETH")?.cloid ?? "";
    await eventually(() => t.journal.getOrder(cloid)?.status === "rejected");
    // The next plan sends the close again (not held by a backoff of the coin), and it fills.
    const refusedAt = f.events.length;
    await f.engine.sweep("manual").catch(() => null);
    const next = f.events
      .slice(refusedAt)
      .find(
        (e): e is DecisionEvent =>
          e.type === "decision" &&
          (e.plan.actions.some((a) => a.coin === "ETH") || e.plan.skipped.some((x) => x.coin === "ETH")),
      );
    expect(next?.plan.skipped.filter((x) => x.coin === "ETH")).toEqual([]);
    expect(next?.plan.actions.filter((a) => a.coin === "ETH")).toMatchObject([
      { side: "sell", size: 1, reduceOnly: true, reason: "flatten" },
    ]);
    await eventually(() =>
      f.events.some(
        (e) => e.type === "order" && e.coin === "ETH" && e.reason === "flatten" && e.status === "filled",
      ),
    );
    expect((await t.client.getAccountState(t.account)).positions).toEqual({});
    await f.engine.stop("test");
    await running;
  });
});
