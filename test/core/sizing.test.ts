import { describe, expect, it } from "vitest";
import { leaderEquity, leaderGrossNotional, leaderRatio } from "../../src/core/sizing.js";
import { account, leader, market, settingsWith } from "./planner-fixtures.js";

const markets = { BTC: market("BTC", 30_000, 5), ETH: market("ETH", 2_000, 4) };
const ours = account({}, 10_000);

describe("leaderRatio", () => {
  it("equity-ratio: weight × our equity / leader equity × multiplier", () => {
    const s = settingsWith({ sizing: { mode: "equity-ratio", multiplier: 1.5 } });
    expect(leaderRatio(leader({}, 100_000, { weight: 0.5 }), ours, markets, s).ratio).toBeCloseTo(0.075);
  });

  it("equity-ratio uses the equity net of cash flows when given", () => {
    const s = settingsWith({});
    const l = leader({}, 150_000, { equityBase: 50_000 });
    expect(leaderEquity(l)).toBe(50_000);
    expect(leaderRatio(l, ours, markets, s).ratio).toBeCloseTo(0.2);
  });

  it("fixed-ratio: weight × ratio", () => {
    const s = settingsWith({ sizing: { mode: "fixed-ratio", ratio: 0.02 } });
    expect(leaderRatio(leader({}, 1, { weight: 0.25 }), ours, markets, s).ratio).toBeCloseTo(0.005);
  });

  it("fixed-notional: weight × notional / leader gross notional (valued at mid, else entry)", () => {
    const l = leader({ BTC: 1, ETH: -10, FOO: { size: 100, entryPx: 100 } });
    expect(leaderGrossNotional(l, markets)).toBe(30_000 + 20_000 + 10_000);
    const s = settingsWith({ sizing: { mode: "fixed-notional", notional: 6000 } });
    expect(leaderRatio(l, ours, markets, s).ratio).toBeCloseTo(0.1);
    expect(leaderRatio(leader({}), ours, markets, s).ratio).toBe(0);
  });

  it("a leader with equity ≤ 0 gets ratio 0 and a problem to report", () => {
    const r = leaderRatio(leader({ BTC: 1 }, 0), ours, markets, settingsWith({}));
    expect(r.ratio).toBe(0);
    expect(r.problem).toMatch(/account value is 0: nothing to size from/);
    const net = leaderRatio(leader({}, 1000, { equityBase: -5 }), ours, markets, settingsWith({}));
    expect(net.problem).toMatch(/equity net of cash flows is -5/);
  });
});
