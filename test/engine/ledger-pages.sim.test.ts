// Our ledger (deposits, withdrawals, transfers) is what tells the kill switch and the daily loss
// limit a change of the cash is not a trading result. The exchange's docs say a reply over a
// time range holds at most 500 items; the adapter paged the ledger by 2000, so a reply of 500
// read as the last: a run after more than 500 ledger entries journaled the oldest 500 and never
// read the rest — a withdrawal among them left unexplained, later counted as a loss. The
// simulator now answers 500 a reply, as the docs say; the adapter reads on, and a read that
// stops at its page cap says where, and the sweep goes on from there.

import { describe, expect, it } from "vitest";
import type { Address } from "../../src/core/types.js";
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

describe("a sweep whose reads of our ledger keep stopping at the page cap", () => {
  it("says how far it read, and its next sweep reads on from there — not from its own start, past the entries it never read", async () => {
    const HOUR = 3_600_000;
    let bump = 0;
    const t = await startSimFollow({ sim: { seed: 47, clock: () => Date.now() + bump } });
    await trade(t.leaderClient, "BTC", "buy", 1);
    const settings = copySettings((s) => {
      s.exec.sweepSeconds = 3600;
    });
    /** The engine's clock: moved an hour on before the capped sweep (the entries older than its re-read margin). */
    let ahead = 0;
    const reader = t.ourClient();
    /** While `capping`: each read of our ledger returns its first two entries only, as stopped at its page cap there. */
    let capping = false;
    const starts: number[] = [];
    const capped = new Proxy(reader, {
      get(target, prop) {
        const value: unknown = Reflect.get(target, prop, target);
        if (typeof value !== "function") return value;
        if (prop !== "getLedgerHistory") return value.bind(target);
        return async (user: Address, startTime: number) => {
          starts.push(startTime);
          const read = await reader.getLedgerHistory(user, startTime);
          const second = read.flows[1];
          if (!capping || !second) return read;
          return { flows: read.flows.filter((f) => f.time <= second.time), through: second.time };
        };
      },
    });
    const f = t.follow({
      settings,
      command: "reconcile",
      reader: capped,
      executor: liveExecutor(reader),
      now: () => Date.now() + ahead,
    });
    f.engine.begin();
    await f.engine.sweep("sweep", true);
    const from = t.sim.control.now();
    for (let i = 0; i < 12; i++) {
      bump += 1;
      t.sim.control.fund(t.account, 10);
    }
    bump += 1;
    ahead = HOUR;
    capping = true;
    starts.length = 0;
    await f.engine.sweep("sweep", true);
    // Five reads, each on from where the last stopped (its last entry again, then one more): six
    // of the 12 deposits.
    expect(starts).toHaveLength(5);
    expect(t.journal.cashFlowsSince(from)).toHaveLength(6);
    const warnings = f.events
      .filter((e) => e.type === "warning")
      .map((e) => (e.type === "warning" ? e.message : ""));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^your account's ledger after \d{4}-\d\d-\d\d \d\d:\d\d UTC could not be read at once \(the read stopped at its page cap, 6 entries\): deposits and withdrawals after then are read at the next sweep/,
    );
    capping = false;
    starts.length = 0;
    await f.engine.sweep("sweep", true);
    // From the last entry read (the journal's last cash flow), an hour before the sweep began:
    // had the capped sweep counted as read to its start, it would begin 10 minutes before that.
    expect(starts[0]).toBeLessThan(Date.now() + ahead - HOUR / 2);
    expect(t.journal.cashFlowsSince(from)).toHaveLength(12);
    expect(f.events.filter((e) => e.type === "halt")).toEqual([]);
    await f.engine.stop("test over");
  }, 60_000);
});
