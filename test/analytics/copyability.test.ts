import { describe, expect, it } from "vitest";
import { assessCopyability, type Copyability, verdictOf } from "../../src/analytics/copyability.js";
import { computeMetrics } from "../../src/analytics/metrics.js";
import { estimateLeaderEquity } from "../../src/analytics/replay.js";
import { defaultSettings } from "../../src/core/settings.js";
import { loadMeta, loadTrace, T0, trades } from "./helpers.js";

const ETH = [{ name: "ETH", szDecimals: 4, maxLeverage: 50, assetId: 1 }];

describe("copyability through the planner", () => {
  // Leader $100k, us $1k: ratio 1%. Trades of $5000, $500, $2000, $7500 (close).
  const fills = trades([
    ["ETH", 50, 100, T0],
    ["ETH", 5, 100, T0 + 60_000],
    ["ETH", 20, 100, T0 + 120_000],
    ["ETH", -75, 100, T0 + 180_000],
  ]);

  it("a trade that scales below $10 is skipped; a close never is", () => {
    const c = assessCopyability({
      fills,
      equity: 1000,
      leaderEquity: 100_000,
      settings: defaultSettings(),
      edgeBps: 20,
      meta: ETH,
    });
    expect(c.ratio).toBeCloseTo(0.01, 12);
    expect(c.trades).toBe(4);
    expect(c.belowMinShare).toBe(0.25);
    expect(c.insideDeadbandShare).toBe(0);
    expect(c.copiedShare).toBe(0.75);
    expect(c.outcomes["below-min-notional"]).toBe(1);
    expect(c.medianTradeUsd).toBe(3500);
    expect(c.medianScaledTradeUsd).toBeCloseTo(35, 9);
    expect(c.equityForMedianTrade).toBeCloseTo((1000 * 10) / 35, 6);
    expect(c.cost.feeBps).toBeCloseTo(4.5, 12);
    expect(c.cost.slippageBps).toBeGreaterThan(1);
    expect(c.cost.slippageBps).toBeLessThan(1.01);
    expect(c.costShareOfEdge).toBeCloseTo(c.cost.totalBps / 20, 12);
    expect(c.verdict.level).toBe("marginal"); // 25% of trades skipped
  });

  it("a wide deadband skips small corrections of a big position", () => {
    const settings = defaultSettings();
    settings.exec.deadbandPct = 20;
    const c = assessCopyability({
      fills: trades([
        ["ETH", 50, 100, T0],
        ["ETH", 12, 100, T0 + 60_000], // $12 for us, under 20% of the $62 target
      ]),
      equity: 1000,
      leaderEquity: 100_000,
      settings,
      edgeBps: 20,
      meta: ETH,
    });
    expect(c.insideDeadbandShare).toBe(0.5);
    expect(c.belowMinShare).toBe(0);
  });

  it("more equity, fewer skips", () => {
    const c = assessCopyability({
      fills,
      equity: 100_000,
      leaderEquity: 100_000,
      settings: defaultSettings(),
      edgeBps: 20,
      meta: ETH,
    });
    expect(c.belowMinShare).toBe(0);
    expect(c.copiedShare).toBe(1);
    expect(c.verdict.level).toBe("copyable");
    expect(() =>
      assessCopyability({ fills, equity: 0, leaderEquity: 1, settings: defaultSettings(), edgeBps: 1 }),
    ).toThrow(RangeError);
  });

  it("on the real trace: most trades are too small at $1,000, few at $100,000", () => {
    const trace = loadTrace();
    const m = computeMetrics({ fills: trace });
    const at = (equity: number) =>
      assessCopyability({
        fills: trace,
        equity,
        leaderEquity: estimateLeaderEquity(trace),
        settings: defaultSettings(),
        edgeBps: m.edgeBps,
        meta: loadMeta(),
      });
    const small = at(1000);
    expect(small.trades).toBe(454);
    expect(small.belowMinShare).toBeGreaterThan(0.8);
    expect(small.equityForMedianTrade).toBeCloseTo(5150.63, 1);
    expect(small.verdict).toEqual({
      level: "avoid",
      text: "avoid: the leader lost money in the window (edge -6.7 bps per $ traded)",
    });
    expect(at(100_000).belowMinShare).toBeLessThan(0.05);
  });
});

describe("verdict line", () => {
  const base: Omit<Copyability, "verdict"> = {
    equity: 1000,
    leaderEquity: 100_000,
    ratio: 0.01,
    trades: 100,
    belowMinShare: 0,
    insideDeadbandShare: 0,
    copiedShare: 1,
    outcomes: {},
    medianTradeUsd: 5000,
    medianScaledTradeUsd: 50,
    equityForMedianTrade: 200,
    cost: { feeBps: 4.5, slippageBps: 1, totalBps: 5.5 },
    edgeBps: 30,
    costShareOfEdge: 5.5 / 30,
  };
  it("copyable / marginal / poor / avoid by the thresholds", () => {
    expect(verdictOf(base)).toEqual({
      level: "copyable",
      text: "copyable at $1,000: costs take 18% of the leader's edge; 100% of trades copied",
    });
    expect(verdictOf({ ...base, costShareOfEdge: 0.6 }).level).toBe("marginal");
    expect(verdictOf({ ...base, belowMinShare: 0.3, copiedShare: 0.7 }).level).toBe("marginal");
    expect(verdictOf({ ...base, belowMinShare: 0.6, copiedShare: 0.4, equityForMedianTrade: 4000 })).toEqual({
      level: "poor",
      text: "poor fit at $1,000: 60% of the leader's trades are too small to copy; about $4,000 would lift the median trade to $10",
    });
    expect(verdictOf({ ...base, costShareOfEdge: 1.2, edgeBps: 4.6 }).text).toBe(
      "avoid at $1,000: our costs (~5.5 bps per trade) exceed the leader's edge (4.6 bps)",
    );
    // fee 4.25 + slippage 1.25 = 5.5 reads as the parts inspect shows, 4.3 + 1.3 = 5.6 (not 5.5).
    const cost = { feeBps: 4.25, slippageBps: 1.25, totalBps: 5.5 };
    expect(verdictOf({ ...base, cost, costShareOfEdge: 1.2, edgeBps: 4.6 }).text).toContain(
      "(~5.6 bps per trade)",
    );
    expect(verdictOf({ ...base, edgeBps: -2, costShareOfEdge: null }).level).toBe("avoid");
    expect(verdictOf({ ...base, trades: 0 }).level).toBe("avoid");
  });
});
