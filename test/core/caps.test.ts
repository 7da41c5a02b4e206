import { describe, expect, it } from "vitest";
import { clipToNotional, coinLimit, fitFactor, portfolioLimit } from "../../src/core/caps.js";
import { market, settingsWith } from "./planner-fixtures.js";

describe("caps", () => {
  it("coinLimit: the smaller of the per-coin notional cap and the market's max leverage × equity", () => {
    const btc = market("BTC", 30_000, 5, { maxLeverage: 40 });
    expect(coinLimit(btc, 10_000, settingsWith({}))).toMatchObject({
      limit: 400_000,
      reason: "leverage-cap",
    });
    expect(coinLimit(btc, 10_000, settingsWith({ risk: { maxNotionalPerCoin: 5000 } }))).toMatchObject({
      limit: 5000,
      reason: "notional-cap",
    });
    expect(coinLimit(btc, -50, settingsWith({}))).toMatchObject({ limit: 0, reason: "leverage-cap" });
  });

  it("clipToNotional keeps the sign and leaves smaller sizes alone", () => {
    expect(clipToNotional(2, 100, 150)).toBe(1.5);
    expect(clipToNotional(-2, 100, 150)).toBe(-1.5);
    expect(clipToNotional(1, 100, 150)).toBe(1);
    expect(clipToNotional(1, 100, Number.POSITIVE_INFINITY)).toBe(1);
  });

  it("portfolioLimit: the smaller of the total notional cap and max leverage × equity", () => {
    expect(portfolioLimit(10_000, settingsWith({}))).toMatchObject({ limit: 30_000, reason: "leverage-cap" });
    expect(portfolioLimit(10_000, settingsWith({ risk: { maxTotalNotional: 20_000 } }))).toMatchObject({
      limit: 20_000,
      reason: "total-notional-cap",
    });
  });

  it("fitFactor: one factor that fits the scalable part beside the fixed part", () => {
    expect(fitFactor(100, 0, 200)).toBe(1);
    expect(fitFactor(100, 50, 100)).toBe(0.5);
    expect(fitFactor(100, 150, 100)).toBe(0);
    expect(fitFactor(0, 150, 100)).toBe(1);
  });
});
