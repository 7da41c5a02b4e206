// Drift is what the copy still has to do on the positions it knows: an order of ours on its way
// (sent, its result not back yet — the exchange may already have filled it) is not drift. No
// state event — the dashboard's frame, the --json line — is built between an order leaving and
// its result being taken, nor from a plan whose orders have since filled.

import { describe, expect, it } from "vitest";
import type { EngineEvent } from "../../src/engine/events.js";
import { eventually } from "../exchange/helpers.js";
import { copySettings, orderTold, startSimFollow, trade } from "../helpers/sim-engine.js";

const drifting = (e: EngineEvent) =>
  e.type === "state" && (e.drift?.coins ?? []).some((c) => c.coin === "ETH" && c.status !== "in-sync");

describe("an order in flight", () => {
  it("is not drift: while the copy's close of ETH is on its way and filling (replies slow, the account stream fast), no state shows ETH drifting", {
    timeout: 60_000,
  }, async () => {
    const t = await startSimFollow({ sim: { seed: 43 } });
    const f = t.follow({
      settings: copySettings((s) => {
        s.exec.sweepSeconds = 3600;
        s.risk.stopLossPct = 10; // a resting stop: the close cancels it too (more requests after the fill)
      }),
      protection: t.client,
    });
    const running = f.run();
    await eventually(() => f.events.some((e) => e.type === "sweep"));
    await trade(t.leaderClient, "ETH", "buy", 10);
    await orderTold(f.events, "ETH");
    await eventually(() => {
      const last = f.events.findLast((e) => e.type === "state");
      return last !== undefined && !drifting(last);
    });
    // Every /exchange reply now takes 400 ms; the order runs when it arrives, and the account
    // stream tells its fill (and the account's new value) at once.
    t.sim.control.fault({ kind: "latency", ms: 400, endpoint: "exchange" });
    const seen = f.events.length;
    await trade(t.leaderClient, "ETH", "sell", 10, true);
    const since = () => f.events.slice(seen);
    await eventually(
      () => since().some((e) => e.type === "order" && e.coin === "ETH" && e.status === "filled"),
      10_000,
    );
    // The close filled on the exchange while its reply was on its way: the stream told that first.
    const order = since().findIndex((e) => e.type === "order" && e.coin === "ETH" && e.status === "filled");
    expect(since().findIndex((e) => e.type === "fill" && e.coin === "ETH")).toBeLessThan(order);
    // Wait until the run is quiet again (protection settled, a state after it).
    t.sim.control.fault({ kind: "latency", ms: 0, endpoint: "exchange" });
    f.engine.sweepNow();
    await eventually(() => since().some((e) => e.type === "sweep"), 10_000);
    // Until the copy's close left (its decision), the copy was behind the leader: drift, rightly.
    // From then on, none: the close was on its way, then done.
    const sent = since().findIndex((e) => e.type === "decision" && e.trigger === "fill");
    expect(sent).toBeGreaterThanOrEqual(0);
    const states = since()
      .slice(sent)
      .filter((e) => e.type === "state");
    expect(states.length).toBeGreaterThan(0);
    expect(states.filter(drifting).map((e) => e.type === "state" && e.drift?.coins)).toEqual([]);
    expect((await t.client.getAccountState(t.account)).positions.ETH).toBeUndefined();
    await f.engine.stop("test over");
    expect(await running).toBe(0);
  });
});
