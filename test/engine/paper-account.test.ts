// The paper executor keeps the paper account: cash, the taker fee, and each fill's realised P&L
// against the paper position it closes (what the exchange reports as closedPnl on a real fill).

import { describe, expect, it } from "vitest";
import type { AccountState, Markets, PlannedAction } from "../../src/core/types.js";
import { dryRunExecutor, paperExecutor } from "../../src/engine/executor.js";

const market = (mid: number): Markets => ({
  SOL: { coin: "SOL", assetId: 5, szDecimals: 2, maxLeverage: 20, mid },
});
const order = (side: "buy" | "sell", size: number, limitPx: number, n: number): PlannedAction => ({
  coin: "SOL",
  side,
  size,
  limitPx,
  reduceOnly: side === "sell",
  cloid: `0x${n.toString(16).padStart(32, "0")}`,
  reason: side === "buy" ? "open" : "reduce",
  refPx: limitPx,
});

describe("the paper account", () => {
  it("a close realises (exit − entry) × size on the paper position; opening realises nothing", async () => {
    const paper = paperExecutor(undefined, { equity: 1_000 });
    await paper.execute([order("buy", 2, 101, 1)], market(100));
    await paper.execute([order("buy", 2, 121, 2)], market(120));
    // Entry averages to 110; selling 3 at 130 closes 3 × 20.
    await paper.execute([order("sell", 3, 129, 3)], market(130));
    const fills = paper.account?.takeFills() ?? [];
    expect(fills.map((f) => f.closedPnl)).toEqual([0, 0, 60]);
    expect(paper.account?.takeFills()).toEqual([]);
  });
});

describe("a dry run's account", () => {
  it("fills nothing until seeded; then starts as the real account, its positions valued from the mids of that read", async () => {
    const dry = dryRunExecutor();
    expect(await dry.execute([order("sell", 2, 99, 1)], market(100))).toEqual([]);
    expect(dry.account?.seeded).toBe(false);
    const real: AccountState = {
      address: "0x1111111111111111111111111111111111111111",
      accountValue: 1_000,
      positions: { SOL: { coin: "SOL", size: 2, entryPx: 90 } },
      openOrders: [],
      time: 0,
    };
    const seeded = dry.account?.seed?.(real, market(100));
    expect(seeded?.positions.SOL?.entryPx).toBe(100);
    expect(dry.account?.value(seeded?.positions ?? {}, market(100))).toBeCloseTo(1_000, 9);
    // Closing at 105 realises 2 × (105 − 100): the run's own P&L, not the real entry's history.
    const [r] = await dry.execute([order("sell", 2, 104, 2)], market(105));
    expect(r).toMatchObject({ status: "filled", filledSize: 2, avgPx: 105 });
    expect(dry.account?.takeFills().map((f) => f.closedPnl)).toEqual([10]);
  });
});
