// Plain-data fixtures shared by the store tests.
import type { Plan, PlannedAction } from "../../src/core/types.js";

export function action(over: Partial<PlannedAction> = {}): PlannedAction {
  return {
    coin: "BTC",
    side: "buy",
    size: 0.01,
    limitPx: 65_200,
    reduceOnly: false,
    cloid: "0x0000000000000000000000000000000a",
    reason: "open",
    refPx: 65_000,
    ...over,
  };
}

export function plan(over: Partial<Plan> = {}): Plan {
  return {
    actions: [action()],
    skipped: [{ coin: "DOGE", reason: "coin-denied", detail: "DOGE is in risk.denyCoins" }],
    targets: [
      {
        coin: "BTC",
        leaderSize: 1,
        targetSize: 0.01,
        ourSize: 0,
        driftUsd: 650,
        mid: 65_000,
        deadbandUsd: 10,
      },
    ],
    effectiveRatio: 0.01,
    portfolioScale: 1,
    inSync: false,
    ...over,
  };
}
