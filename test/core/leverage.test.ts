// The exchange leverage and margin mode a coin should carry (issue 12.4): pure decisions.

import { describe, expect, it } from "vitest";
import { exchangeLeverage, leverageMatches } from "../../src/core/leverage.js";
import { market, settingsWith } from "./planner-fixtures.js";

const BTC = market("BTC", 95_000, 5, { maxLeverage: 40 });
const HYPE = market("HYPE", 38, 2, { maxLeverage: 10 });

describe("exchangeLeverage", () => {
  it("auto: one above risk.maxLeverage rounded up, so orders at the cap keep margin for fees", () => {
    expect(exchangeLeverage(settingsWith({}), BTC)).toEqual({ leverage: 4, marginMode: "cross" }); // default cap 3
    expect(exchangeLeverage(settingsWith({ risk: { maxLeverage: 2.5 } }), BTC).leverage).toBe(4);
    expect(exchangeLeverage(settingsWith({ risk: { maxLeverage: 1 } }), BTC).leverage).toBe(2);
  });

  it("an explicit exec.leverage wins, capped by the coin's maximum; never below 1", () => {
    const s = settingsWith({ exec: { leverage: 25, marginMode: "isolated" } });
    expect(exchangeLeverage(s, BTC)).toEqual({ leverage: 25, marginMode: "isolated" });
    expect(exchangeLeverage(s, HYPE)).toEqual({ leverage: 10, marginMode: "isolated" });
    expect(exchangeLeverage(settingsWith({ risk: { maxLeverage: 50 } }), HYPE).leverage).toBe(10);
    expect(
      exchangeLeverage(settingsWith({ exec: { leverage: 3 } }), { ...BTC, maxLeverage: 0 }).leverage,
    ).toBe(1);
  });

  it("an isolated-only coin gets isolated whatever exec.marginMode says", () => {
    const iso = { ...HYPE, onlyIsolated: true };
    expect(exchangeLeverage(settingsWith({}), iso)).toEqual({ leverage: 4, marginMode: "isolated" });
  });
});

describe("leverageMatches", () => {
  const want = { leverage: 4, marginMode: "cross" as const };
  it("only an open position carrying both the value and the mode is a match", () => {
    expect(
      leverageMatches({ coin: "BTC", size: 0.1, entryPx: 1, leverage: 4, marginMode: "cross" }, want),
    ).toBe(true);
    expect(
      leverageMatches({ coin: "BTC", size: -0.1, entryPx: 1, leverage: 20, marginMode: "cross" }, want),
    ).toBe(false);
    expect(
      leverageMatches({ coin: "BTC", size: 0.1, entryPx: 1, leverage: 4, marginMode: "isolated" }, want),
    ).toBe(false);
    // Unknown: no position, or a position without the fields (the exchange's value is not known).
    expect(leverageMatches(undefined, want)).toBe(false);
    expect(leverageMatches({ coin: "BTC", size: 0.1, entryPx: 1 }, want)).toBe(false);
  });
});
