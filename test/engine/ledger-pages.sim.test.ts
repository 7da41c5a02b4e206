// Our ledger (deposits, withdrawals, transfers) is what tells the kill switch and the daily loss
// limit a change of the cash is not a trading result. The exchange's docs say a reply over a
// time range holds at most 500 items; the adapter paged the ledger by 2000, so a reply of 500
// read as the last: a run after more than 500 ledger entries journaled the oldest 500 and never
// read the rest — a withdrawal among them left unexplained, later counted as a loss. The
// simulator now answers 500 a reply, as the docs say; the adapter reads on, and a read that
// stops at its page cap says where, and the sweep goes on from there.

import { describe, expect, it } from "vitest";
import { liveExecutor } from "../../src/engine/executor.js";
import { copySettings, startSimFollow, trade } from "../helpers/sim-engine.js";

describe("a run after many ledger entries", () => {
  it("5,200 deposits and withdrawals made while no run watched: the reconcile journals every one; one read stops at its page cap and says how far it read", async () => {
    let bump = 0;
    const t = await startSimFollow({ sim: { seed: 43, clock: () => Date.now() + bump } });
    await trade(t.leaderClient, "BTC", "buy", 1);
    const settings = copySettings((s) => {
      s.exec.sweepSeconds = 3600;
    });
    /** One reconcile (a sweep of its own process): its events. */
    const reconcile = async () => {
      const reader = t.ourClient();
      const f = t.follow({ settings, command: "reconcile", reader, executor: liveExecutor(reader) });
      f.engine.begin();
      await f.engine.sweep("sweep", true);
      await f.engine.stop("test over");
      return f.events;
    };
    await reconcile();
    const from = t.sim.control.now();
    // Each a millisecond apart (the ledger is paged by time).
    for (let i = 0; i < 5_200; i++) {
      bump += 1;
      t.sim.control.fund(t.account, i % 2 === 0 ? 10 : -10);
    }
    bump += 1;
    // One read of the adapter: 10 pages of 500 at most, then it says where it stopped.
    const one = await t.client.getLedgerHistory(t.account, from);
    expect(one.flows.length).toBeGreaterThan(4_900);
    expect(one.flows.length).toBeLessThanOrEqual(5_000);
    expect(one.through).toBe(one.flows.at(-1)?.time);
    const rest = await t.client.getLedgerHistory(t.account, one.through ?? 0);
    expect(rest.through).toBeNull();
    expect(new Set([...one.flows, ...rest.flows].map((f) => f.hash)).size).toBe(5_200);
    const events = await reconcile();
    expect(t.journal.cashFlowsSince(from)).toHaveLength(5_200);
    expect(t.journal.cashFlowTotal()).toBeCloseTo(0, 6);
    expect(events.filter((e) => e.type === "warning")).toEqual([]);
    expect(events.filter((e) => e.type === "halt")).toEqual([]);
  }, 60_000);
});
