// The run's slippage budget watch: an event when the p95 of execution slippage crosses
// exec.slippageBudgetBps either way, computed over the same window the dashboard shows and
// equal to core's slippageBudget() on it, whatever the sequence.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { slippageBudget } from "../../src/core/slippage.js";
import type { EngineEvent } from "../../src/engine/events.js";
import { BUDGET_WINDOW, SlippageWatch } from "../../src/engine/figures.js";
import { fcRuns } from "../helpers/fast-check.js";

describe("SlippageWatch", () => {
  it("warns once when the p95 goes over the budget, and once when it is back under", () => {
    const events: EngineEvent[] = [];
    const w = new SlippageWatch(10, (e) => events.push(e));
    for (let i = 0; i < 20; i++) w.add(1, i);
    expect(events).toEqual([]);
    for (let i = 0; i < 3; i++) w.add(50, 100 + i);
    // After 20 × 1 and 2 × 50 the p95 (type 7) is 1 + 0.95 × 49 = 47.55: over 10, said once.
    expect(events).toMatchObject([{ type: "slippageBudget", exceeded: true, budgetBps: 10, n: 22 }]);
    expect(events[0]?.type === "slippageBudget" && events[0].p95Bps).toBeCloseTo(47.55, 6);
    for (let i = 0; i < 100; i++) w.add(0, 200 + i);
    expect(events.map((e) => (e.type === "slippageBudget" ? e.exceeded : null))).toEqual([true, false]);
  });

  it("no budget: nothing is watched", () => {
    const events: EngineEvent[] = [];
    const w = new SlippageWatch(null, (e) => events.push(e));
    for (let i = 0; i < 50; i++) w.add(100, i);
    expect(events).toEqual([]);
  });

  it("its p95 is core's slippageBudget() over the last BUDGET_WINDOW fills", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -20, max: 60, noNaN: true }), {
          minLength: 1,
          maxLength: BUDGET_WINDOW + 80,
        }),
        (xs) => {
          let last: boolean | null = null;
          const w = new SlippageWatch(15, (e) => {
            if (e.type === "slippageBudget") last = e.exceeded;
          });
          xs.forEach((x, i) => {
            w.add(x, i);
          });
          const expected = slippageBudget(xs.slice(-BUDGET_WINDOW), 15);
          expect(w.state.p95Bps).toBe(expected.p95Bps);
          // The last event says what core says now (no event at all = never over).
          expect(last ?? false).toBe(expected.exceeded);
        },
      ),
      { numRuns: fcRuns(200) },
    );
  });
});
