// The exchange leverage and margin mode a coin should carry (issue 12.4): pure decisions.

import { describe, expect, it } from "vitest";
import {
  exchangeLeverage,
  grossLeverage,
  leverageMatches,
  positionNotional,
} from "../../src/core/leverage.js";
import { market, settingsWith } from "./planner-fixtures.js";

const BTC = market("BTC", 95_000, 5, { maxLeverage: 40 });
const HYPE = market("HYPE", 38, 2, { maxLeverage: 10 });

describe("grossLeverage: the one meaning of leverage (what risk.maxLeverage caps and the views show)", () => {
  const mids: Record<string, number> = { BTC: 100_000, ETH: 4_000 };
  const midOf = (coin: string) => mids[coin];

  it("is every position's |size| at its mid ÷ the account value: shorts count as much as longs", () => {
    const positions = [
      { coin: "BTC", size: 0.1, entryPx: 90_000 },
      { coin: "ETH", size: -2.5, entryPx: 4_400 },
    ];
    // $10 000 + $10 000 of notional on $8 000
    expect(grossLeverage(positions, 8_000, midOf)).toBeCloseTo(2.5, 12);
  });

  it("values a position without a mid at its entry price, and one with neither at nothing", () => {
    expect(positionNotional({ size: -3, entryPx: 20 }, undefined)).toBe(60);
    expect(positionNotional({ size: -3, entryPx: 20 }, 0)).toBe(60);
    expect(positionNotional({ size: 2, entryPx: 0 }, null)).toBe(0);
    expect(grossLeverage([{ coin: "DOGE", size: 1_000, entryPx: 0.2 }], 100, midOf)).toBeCloseTo(2, 12);
  });

  it("is null for an account with no value (no leverage to speak of), 0 for one with no position", () => {
    expect(grossLeverage([{ coin: "BTC", size: 1, entryPx: 1 }], 0, midOf)).toBeNull();
    expect(grossLeverage([{ coin: "BTC", size: 1, entryPx: 1 }], -5, midOf)).toBeNull();
    expect(grossLeverage([{ coin: "BTC", size: 1, entryPx: 1 }], Number.NaN, midOf)).toBeNull();
    expect(grossLeverage([], 1_000, midOf)).toBe(0);
  });

  it("is not the exchange's leverage setting: auto sits one above the cap it measures against", () => {
    const s = settingsWith({}); // risk.maxLeverage 3
    const atCap = grossLeverage([{ coin: "BTC", size: 0.3, entryPx: 95_000 }], 10_000, midOf);
    expect(atCap).toBeCloseTo(s.risk.maxLeverage, 12);
    expect(exchangeLeverage(s, BTC).leverage).toBe(4);
  });
});

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
