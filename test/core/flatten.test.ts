// core/flatten.ts: what hlcopy flatten --dry-run shows and what hlcopy flatten reports, read off
// one plan made under the flatten's halt.

import { describe, expect, it } from "vitest";
import { flattenPreview, positionsLeft } from "../../src/core/flatten.js";
import type { CoinTarget, Plan } from "../../src/core/types.js";

const target = (coin: string, ourSize: number, mid: number): CoinTarget => ({
  coin,
  leaderSize: 0,
  targetSize: 0,
  ourSize,
  driftUsd: -ourSize * mid,
  mid,
  deadbandUsd: 10,
});

const plan: Plan = {
  actions: [
    {
      coin: "BTC",
      side: "sell",
      size: 0.01,
      limitPx: 99_000,
      reduceOnly: true,
      cloid: `0x${"1".repeat(32)}`,
      reason: "flatten",
      refPx: 100_000,
    },
    {
      coin: "ETH",
      side: "buy",
      size: 2,
      limitPx: 3_030,
      reduceOnly: true,
      cloid: `0x${"2".repeat(32)}`,
      reason: "flatten",
      refPx: 3_000,
    },
  ],
  skipped: [
    { coin: "OLD", reason: "unknown-market", detail: "OLD is not a market on the exchange (delisted?)" },
    { coin: "SOL", reason: "order-pending", detail: "an order for SOL is in flight: wait for its result" },
  ],
  targets: [
    target("BTC", 0.01, 100_000),
    target("ETH", -2, 3_000),
    target("OLD", 5, 1),
    target("SOL", 1, 180),
  ],
  effectiveRatio: 0,
  portfolioScale: 1,
  inSync: false,
};

describe("flattenPreview", () => {
  it("lists each close with its price bound and its notional at the mid, and each position left with its skip", () => {
    const p = flattenPreview(plan);
    expect(p.closes).toEqual([
      {
        coin: "BTC",
        side: "sell",
        size: 0.01,
        limitPx: 99_000,
        notionalUsd: 1_000,
        reduceOnly: true,
        reason: "flatten",
      },
      {
        coin: "ETH",
        side: "buy",
        size: 2,
        limitPx: 3_030,
        notionalUsd: 6_000,
        reduceOnly: true,
        reason: "flatten",
      },
    ]);
    expect(p.left).toEqual([
      {
        coin: "OLD",
        size: 5,
        reason: "unknown-market",
        detail: "OLD is not a market on the exchange (delisted?)",
      },
      {
        coin: "SOL",
        size: 1,
        reason: "order-pending",
        detail: "an order for SOL is in flight: wait for its result",
      },
    ]);
    expect(p.cancels).toEqual([]);
  });

  it("a flat account: nothing to close, nothing left", () => {
    const flat = { ...plan, actions: [], skipped: [], targets: [target("BTC", 0, 100_000)] };
    expect(flattenPreview(flat)).toEqual({ closes: [], left: [], cancels: [] });
    expect(positionsLeft(flat)).toEqual([]);
  });

  it("positionsLeft: every position the plan read, closed or not (a flatten's left once its closes are back)", () => {
    expect(positionsLeft(plan)).toEqual([
      { coin: "BTC", size: 0.01 },
      { coin: "ETH", size: -2 },
      { coin: "OLD", size: 5 },
      { coin: "SOL", size: 1 },
    ]);
  });
});
