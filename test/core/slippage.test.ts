import { describe, expect, it } from "vitest";
import { kindOfReason, orderKind, slippageBps, slippageBudget, touchPrice } from "../../src/core/slippage.js";

describe("order kinds", () => {
  it("only a hot-path plan triggered by a leader fill is a copy; sweeps repair, the first sweep joins, safety closes are apart", () => {
    expect(orderKind("fill", "open", true)).toBe("copy");
    expect(orderKind("fill", "reduce", true)).toBe("copy");
    // A re-plan after a backoff or an account-stream change has no leader fill behind it.
    expect(orderKind("fill", "open", false)).toBe("repair");
    expect(orderKind("sweep", "increase", false)).toBe("repair");
    expect(orderKind("manual", "close", false)).toBe("repair");
    expect(orderKind("start", "open", false)).toBe("join");
    for (const reason of ["kill-switch", "leader-liquidated", "stop-loss", "take-profit"] as const) {
      expect(orderKind("fill", reason, true)).toBe("safety");
      expect(orderKind("sweep", reason, false)).toBe("safety");
    }
  });

  it("a close the trader asked for (flatten, and the halt it leaves) is a flatten, not a safety rule's", () => {
    for (const trigger of ["manual", "sweep", "fill", "start"] as const) {
      expect(orderKind(trigger, "flatten", trigger === "fill")).toBe("flatten");
    }
    // --on-exit flatten: the trader's standing instruction for the end of the run, not a rule
    // that tripped — its closes count with the flatten's, never as safety closes.
    expect(orderKind("exit", "close", false)).toBe("flatten");
    expect(kindOfReason("flatten")).toBe("flatten");
    expect(kindOfReason("kill-switch")).toBe("safety");
  });
});

describe("execution slippage", () => {
  it("is measured against the touch the order crosses (ask for a buy, bid for a sell), else the mid", () => {
    const m = { mid: 100, bestBid: 99.9, bestAsk: 100.1 };
    expect(touchPrice(m, "buy")).toBe(100.1);
    expect(touchPrice(m, "sell")).toBe(99.9);
    expect(touchPrice({ mid: 100 }, "buy")).toBe(100);
    // A buy filled at 100.2 against the ask 100.1: 10 bps worse (rounded), positive.
    expect(slippageBps("buy", 100.2, touchPrice(m, "buy"))).toBeCloseTo(9.99, 2);
    expect(slippageBps("sell", 99.9, touchPrice(m, "sell"))).toBe(0);
  });

  it("the budget warns on the p95, not on a single fill", () => {
    expect(slippageBudget([50], 10)).toEqual({ budgetBps: 10, p95Bps: null, n: 1, exceeded: false });
    const calm = slippageBudget([0, 1, 2, 1, 0, 3, 2, 1, 0, 40], 10);
    // p95 of 10 samples (type 7): 3 + 0.55 × (40 − 3) = 23.35 > 10.
    // As every bps figure is shown: to 0.1 (the double is 23.349999…: 23.3, in every view).
    expect(calm.p95Bps).toBe(23.3);
    expect(calm.exceeded).toBe(true);
    expect(slippageBudget([0, 1, 2, 1, 0, 3], 10).exceeded).toBe(false);
    expect(slippageBudget([30, 30, 30, 30, 30], null).exceeded).toBe(false);
  });

  it("the budget is decided on the p95 as shown: 10.04 is p95 10.0, within a budget of 10", () => {
    expect(slippageBudget([10.04, 10.04, 10.04, 10.04, 10.04], 10)).toEqual({
      budgetBps: 10,
      p95Bps: 10,
      n: 5,
      exceeded: false,
    });
    expect(slippageBudget([10.05, 10.05, 10.05, 10.05, 10.05], 10)).toMatchObject({
      p95Bps: 10.1,
      exceeded: true,
    });
  });
});
