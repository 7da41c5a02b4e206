// The pure parts of issue 21's entry styles and risk-parity's input: trading hours, the copy
// delay's held size and reversals, the passive limit price, and annualised volatility.

import { describe, expect, it } from "vitest";
import {
  extendPath,
  heldSize,
  insideTradingHours,
  nextDelayDue,
  passiveLimitPrice,
  reversalsBetween,
  type SizePoint,
} from "../../src/core/entry.js";
import { parseSettingInput, parseTradingHours } from "../../src/core/settings.js";
import { annualisedVolatility, hourlyVolatility, riskParityFactor } from "../../src/core/volatility.js";
import { market } from "./planner-fixtures.js";

describe("trading hours", () => {
  const at = (h: number, m = 0) => Date.UTC(2026, 4, 1, h, m);
  it("parses HH-HH and wraps midnight", () => {
    expect(parseTradingHours("08-22")).toEqual({ from: 8, to: 22 });
    expect(parseTradingHours("8-9")).toEqual({ from: 8, to: 9 });
    expect(parseTradingHours("00-24")).toEqual({ from: 0, to: 24 });
    for (const bad of ["8", "08-08", "25-02", "08-25", "a-b", "08:00-22:00"]) {
      expect(parseTradingHours(bad)).toBeNull();
    }
    expect(parseSettingInput("exec.tradingHours", "8-22")).toBe("08-22");
    expect(parseSettingInput("exec.tradingHours", "none")).toBeNull();
    expect(() => parseSettingInput("exec.tradingHours", "08-08")).toThrow(/exec.tradingHours/);
  });
  it("08:00 ≤ t < 22:00, and 22-06 across midnight", () => {
    expect(insideTradingHours("08-22", at(7, 59))).toBe(false);
    expect(insideTradingHours("08-22", at(8))).toBe(true);
    expect(insideTradingHours("08-22", at(21, 59))).toBe(true);
    expect(insideTradingHours("08-22", at(22))).toBe(false);
    expect(insideTradingHours("22-06", at(23))).toBe(true);
    expect(insideTradingHours("22-06", at(5, 59))).toBe(true);
    expect(insideTradingHours("22-06", at(6))).toBe(false);
    expect(insideTradingHours("00-24", at(13))).toBe(true);
    expect(insideTradingHours(null, at(3))).toBe(true);
  });
});

describe("copy delay", () => {
  const D = 50;
  it("an increase shows only once held for the delay; a reduction at once", () => {
    const open: SizePoint[] = [
      { time: 0, size: 0 },
      { time: 100, size: 1 },
    ];
    expect(heldSize(open, 120, D)).toBe(0);
    expect(heldSize(open, 150, D)).toBe(1);
    const add: SizePoint[] = [...open, { time: 200, size: 3 }];
    expect(heldSize(add, 220, D)).toBe(1);
    expect(heldSize(add, 250, D)).toBe(3);
    const cut: SizePoint[] = [...add, { time: 300, size: 2 }];
    expect(heldSize(cut, 300, D)).toBe(2);
    expect(heldSize(cut, 301, 0)).toBe(2);
  });
  it("a flip holds nothing until the new side was held for the delay", () => {
    const flip: SizePoint[] = [
      { time: 0, size: 1 },
      { time: 100, size: -1 },
    ];
    expect(heldSize(flip, 100, D)).toBe(0);
    expect(heldSize(flip, 149, D)).toBe(0);
    expect(heldSize(flip, 150, D)).toBe(-1);
  });
  it("the next re-check is the oldest change in the window + delay", () => {
    const p: SizePoint[] = [
      { time: 0, size: 0 },
      { time: 100, size: 1 },
      { time: 120, size: 2 },
    ];
    expect(nextDelayDue(p, 130, D)).toBe(150);
    expect(nextDelayDue(p, 155, D)).toBe(170);
    expect(nextDelayDue(p, 171, D)).toBeNull();
  });
  it("an increase exited before its delay ended is a reversal (fully or in part)", () => {
    const exited: SizePoint[] = [
      { time: 0, size: 0 },
      { time: 100, size: 1 },
      { time: 120, size: 0 },
    ];
    expect(reversalsBetween(exited, 140, 160, D)).toEqual([{ time: 100, due: 150, wanted: 1, held: 0 }]);
    expect(reversalsBetween(exited, 150, 160, D)).toEqual([]);
    const partly: SizePoint[] = [
      { time: 0, size: 0 },
      { time: 100, size: 2 },
      { time: 120, size: 1 },
    ];
    expect(reversalsBetween(partly, 0, 200, D)).toEqual([{ time: 100, due: 150, wanted: 2, held: 1 }]);
    const held: SizePoint[] = [
      { time: 0, size: 0 },
      { time: 100, size: 1 },
    ];
    expect(reversalsBetween(held, 0, 200, D)).toEqual([]);
  });
  it("paths keep only what the window needs", () => {
    let p: SizePoint[] = [];
    p = extendPath(p, 0, 1, -100);
    p = extendPath(p, 10, 1, -100); // no change: no point
    p = extendPath(p, 20, 2, -100);
    expect(p).toEqual([
      { time: 0, size: 1 },
      { time: 20, size: 2 },
    ]);
    p = extendPath(p, 300, 3, 250);
    expect(p).toEqual([
      { time: 20, size: 2 },
      { time: 300, size: 3 },
    ]);
  });
});

describe("passive limit price", () => {
  const m = market("BTC", 30_000, 5, { bestBid: 29_999, bestAsk: 30_001 });
  it("at the leader's price, or our side of the book when that is better for us", () => {
    expect(passiveLimitPrice(m, "buy", 29_990)).toBe(29_990);
    expect(passiveLimitPrice(m, "buy", 30_010)).toBe(29_999);
    expect(passiveLimitPrice(m, "sell", 30_010)).toBe(30_010);
    expect(passiveLimitPrice(m, "sell", 29_990)).toBe(30_001);
    expect(passiveLimitPrice(market("X", 1.234567, 0), "buy", 2)).toBe(1.2345);
    expect(passiveLimitPrice(m, "buy", 0)).toBeNull();
  });
});

describe("volatility", () => {
  it("annualises the stdev of log returns by √(year / interval)", () => {
    // Alternating ±1 % log returns: sample stdev = 0.01 × √(n / (n − 1)).
    const closes = [100];
    for (let i = 0; i < 48; i++)
      closes.push((closes.at(-1) as number) * Math.exp(i % 2 === 0 ? 0.01 : -0.01));
    const n = 48;
    const expected = 0.01 * Math.sqrt(n / (n - 1)) * Math.sqrt(8760);
    expect(annualisedVolatility(closes, 3_600_000)).toBeCloseTo(expected, 10);
    expect(annualisedVolatility(closes.slice(0, 10), 3_600_000)).toBeNull(); // too few
    expect(annualisedVolatility([1, 1, 1, 1], 3_600_000, 2)).toBeNull(); // no variance
  });
  it("hourly volatility reads the lookback and leaves out the candle still forming", () => {
    const H = 3_600_000;
    const candles = Array.from({ length: 60 }, (_, i) => ({
      t: i * H,
      c: 100 * Math.exp(i % 2 === 0 ? 0 : 0.02),
    }));
    const now = 60 * H - 1; // the last candle (59) is still forming
    const v = hourlyVolatility(candles, now, 30) as number;
    const closes = candles.filter((c) => c.t + H <= now).map((c) => c.c);
    expect(v).toBeCloseTo(annualisedVolatility(closes, H) as number, 12);
    expect(riskParityFactor(0.15, 0.6)).toBeCloseTo(0.25);
    expect(riskParityFactor(0.15, 0)).toBe(0);
  });
  it("the shortest lookback sizing.volLookbackDays accepts gives a volatility at any minute; one day never would", () => {
    const H = 3_600_000;
    const candles = Array.from({ length: 24 * 5 }, (_, i) => ({
      t: i * H,
      c: 100 * Math.exp(i % 2 === 0 ? 0 : 0.02),
    }));
    expect(() => parseSettingInput("sizing.volLookbackDays", "1")).toThrow(/≥ 2/);
    const shortest = parseSettingInput("sizing.volLookbackDays", "2") as number;
    for (let minute = 0; minute < 60; minute += 7) {
      const now = 4 * 24 * H + minute * 60_000;
      expect(hourlyVolatility(candles, now, shortest)).not.toBeNull();
      // One day holds 23 or 24 closed candles: fewer returns than a volatility takes.
      expect(hourlyVolatility(candles, now, 1)).toBeNull();
    }
  });
});
