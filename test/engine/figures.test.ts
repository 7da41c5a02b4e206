// The run's slippage budget watch: an event when the p95 of execution slippage crosses
// exec.slippageBudgetBps either way, computed over the same window the dashboard shows and
// equal to core's slippageBudget() on it, whatever the sequence. And the copy's P&L a run starts
// from.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { slippageBudget } from "../../src/core/slippage.js";
import type { EngineEvent, RunMode } from "../../src/engine/events.js";
import { BUDGET_WINDOW, PnlKeeper, SlippageWatch } from "../../src/engine/figures.js";
import { openJournal } from "../../src/store/journal.js";
import { fcHunting, fcRuns } from "../helpers/fast-check.js";
import { action } from "../store/fixtures.js";

describe("SlippageWatch", () => {
  it("warns once when the p95 goes over the budget, and once when it is back under", () => {
    const events: EngineEvent[] = [];
    const w = new SlippageWatch(10, (e) => events.push(e));
    for (let i = 0; i < 20; i++) w.add(1, i);
    expect(events).toEqual([]);
    for (let i = 0; i < 3; i++) w.add(50, 100 + i);
    // After 20 × 1 and 2 × 50 the p95 (type 7) is 1 + 0.95 × 49 = 47.55: over 10, said once.
    expect(events).toMatchObject([{ type: "slippageBudget", exceeded: true, budgetBps: 10, n: 22 }]);
    // The p95 as it is shown (to 0.1 bps; the double is 47.549999…), the figure the warning is decided on.
    expect(events[0]?.type === "slippageBudget" && events[0].p95Bps).toBe(47.5);
    for (let i = 0; i < 100; i++) w.add(0, 200 + i);
    expect(events.map((e) => (e.type === "slippageBudget" ? e.exceeded : null))).toEqual([true, false]);
  });

  it("a p95 shown as the budget is not over it: 10.04 bps reads 10.0, no warning at a budget of 10", () => {
    const events: EngineEvent[] = [];
    const w = new SlippageWatch(10, (e) => events.push(e));
    for (let i = 0; i < 30; i++) w.add(10.04, i);
    expect(events).toEqual([]);
    w.add(12, 30);
    w.add(12, 31);
    expect(events).toMatchObject([{ type: "slippageBudget", exceeded: true }]);
  });

  it("no budget: nothing is watched", () => {
    const events: EngineEvent[] = [];
    const w = new SlippageWatch(null, (e) => events.push(e));
    for (let i = 0; i < 50; i++) w.add(100, i);
    expect(events).toEqual([]);
  });

  it("its p95 is core's slippageBudget() over the last BUDGET_WINDOW fills", () => {
    // About one fill in twenty over the 15 bps budget, so the p95 crosses it back and forth as
    // the window slides. (Uniform values keep the p95 far above it: an event that never changes
    // cannot show a wrong window.)
    const bps = fc.oneof(
      { weight: 19, arbitrary: fc.double({ min: -20, max: 14, noNaN: true }) },
      { weight: 1, arbitrary: fc.double({ min: 16, max: 60, noNaN: true }) },
    );
    fc.assert(
      fc.property(
        // size "max": fast-check's default size keeps arrays to about ten values, which would
        // never fill the window, let alone slide it.
        fc.array(bps, { minLength: 1, maxLength: BUDGET_WINDOW + 300, size: "max" }),
        (xs) => {
          const events: { i: number; exceeded: boolean; p95Bps: number | null }[] = [];
          const w = new SlippageWatch(15, (e) => {
            if (e.type === "slippageBudget") events.push({ i: e.ts, exceeded: e.exceeded, p95Bps: e.p95Bps });
          });
          xs.forEach((x, i) => {
            w.add(x, i);
          });
          // Each event tells core's figure over the window as it stood at that fill (-0 and 0
          // are one p95: compared as numbers).
          for (const e of events) {
            const then = slippageBudget(xs.slice(Math.max(0, e.i + 1 - BUDGET_WINDOW), e.i + 1), 15);
            expect(e.exceeded).toBe(then.exceeded);
            expect(e.p95Bps === then.p95Bps).toBe(true);
          }
          const expected = slippageBudget(xs.slice(-BUDGET_WINDOW), 15);
          expect(w.state.p95Bps).toBe(expected.p95Bps);
          // The last event says what core says now (no event at all = never over).
          expect(events.at(-1)?.exceeded ?? false).toBe(expected.exceeded);
        },
      ),
      // A counterexample of hundreds of fills takes minutes to shrink: stop after 20 s and
      // report the smallest found, with its seed and path, inside the test's own timeout. (An
      // interrupt before any failure passes with the runs made: never a failure of its own.)
      { numRuns: fcRuns(200), ...(fcHunting ? {} : { interruptAfterTimeLimit: 20_000 }) },
    );
  });
});

describe("PnlKeeper at a run's start", () => {
  it("a live or paper run takes up the copy's P&L so far; a dry run's starts at nothing (its own, from its first read)", () => {
    const T0 = 1_700_000_000_000;
    const account = "0x00000000000000000000000000000000000000a1";
    const leaders = [{ address: "0x00000000000000000000000000000000000000b2" as const, weight: 1 }];
    const journal = openJournal(":memory:");
    const runId = journal.startRun({
      command: "follow",
      leaders,
      account,
      network: "mainnet",
      settings: {},
      startedAt: T0,
    });
    const ours = action({ coin: "ETH", cloid: "0x000000000000000000000000000000e1" });
    journal.recordOrderIntent({ runId, ts: T0 + 1, action: ours, kind: "copy" });
    journal.recordFill({
      tid: 1,
      ts: T0 + 2,
      coin: "ETH",
      side: "buy",
      px: 3000,
      sz: 0.01,
      fee: 0.5,
      cloid: ours.cloid,
    });
    const started = (mode: RunMode) => {
      const keeper = new PnlKeeper({
        journal,
        account,
        mode,
        leaders,
        managedAt: () => ({}),
        emit: () => {},
        now: () => T0 + 10,
        runId: () => null,
        countRequest: () => {},
      });
      keeper.begin();
      return keeper.report({}, {}, null);
    };
    expect(started("live")).toMatchObject({ since: T0, fills: 1 });
    expect(started("live").feesUsd).toBeCloseTo(0.5);
    expect(started("paper")).toMatchObject({ fills: 1 });
    expect(started("dry-run")).toMatchObject({ since: T0, fills: 0, feesUsd: 0 });
    journal.close();
  });
});
