// The one home of address, detail-number and UTC-time formatting (planner reasons, engine
// messages, dashboard, commands): the outputs every caller relies on.
import { describe, expect, it } from "vitest";
import {
  detailNumber,
  fixed,
  fmtMs,
  fmtUsd,
  fmtUsdBelow,
  fmtUsdSigned,
  plainDecimal,
  roundFigure,
  roundHalfAway,
  roundStats,
  shortAddress,
  utcMinute,
  utcSecond,
  windowText,
} from "../../src/core/format.js";

const ADDRESS = "0xb7b6f3cea3f66bf525f5d8f965f6dbf6d9b017b2";

describe("core/format", () => {
  it("fmtMs: one format for a duration (copy lag) everywhere — whole ms under a second, then seconds", () => {
    expect(fmtMs(39)).toBe("39ms");
    expect(fmtMs(12.5)).toBe("13ms"); // half away from zero, as every figure
    expect(fmtMs(0)).toBe("0ms");
    expect(fmtMs(999.6)).toBe("1.00s"); // never "1000ms"
    expect(fmtMs(1234.5)).toBe("1.23s");
    expect(fmtMs(12_345)).toBe("12.3s");
    expect(fmtMs(null)).toBe("-");
    expect(fmtMs(Number.NaN)).toBe("-");
  });

  it("plainDecimal: a number's own digits with the point moved, never exponent notation", () => {
    expect(String(1e-7)).toBe("1e-7"); // what a setting showed before
    expect(plainDecimal(1e-7)).toBe("0.0000001");
    expect(plainDecimal(1.5e-7)).toBe("0.00000015");
    expect(plainDecimal(-2.25e-8)).toBe("-0.0000000225");
    expect(plainDecimal(1.5e21)).toBe("1500000000000000000000");
    expect(plainDecimal(1.2345e21)).toBe("1234500000000000000000");
    for (const x of [0, 3, 0.5, 123.456, -7, 1e-6, 0.000001]) expect(plainDecimal(x)).toBe(String(x));
    for (const x of [1e-7, 1.5e-7, 3.14159e-12, 1.5e21]) expect(Number(plainDecimal(x))).toBe(x);
    expect(plainDecimal(Number.POSITIVE_INFINITY)).toBe("Infinity");
  });

  it("shortAddress keeps 4 hex digits each side, or as many as asked", () => {
    expect(shortAddress(ADDRESS)).toBe("0xb7b6…17b2");
    expect(shortAddress(ADDRESS, 8)).toBe("0xb7b6f3ce…d9b017b2");
    expect(shortAddress("0x1234")).toBe("0x1234"); // too short to cut
    expect(shortAddress("0x1234567890")).toBe("0x1234567890"); // cutting would not shorten it
    expect(shortAddress("0x1234567890a")).toBe("0x1234…890a");
  });

  it("roundHalfAway: one rounding rule for every shown figure — half away from zero, on the number as written", () => {
    // toFixed rounds the binary value (94.705 is 94.7049999…) and Math.round(x * 100) / 100 the
    // other way: the same figure would read 94.70 in one place and 94.71 in another.
    expect((94.705).toFixed(2)).toBe("94.70");
    expect(Math.round(94.705 * 100) / 100).toBe(94.71);
    expect(roundHalfAway(94.705)).toBe(94.71);
    expect(fixed(94.705)).toBe("94.71");
    expect(fmtUsd(94.705)).toBe("$94.71");
    expect(fixed(1.005)).toBe("1.01");
    expect(fixed(-0.125)).toBe("-0.13");
    expect(fixed(2.675)).toBe("2.68");
    expect(fixed(16.65, 1)).toBe("16.7");
    expect(fixed(94.704999)).toBe("94.70");
    // Never −0.
    expect(fixed(-0.004)).toBe("0.00");
    expect(Object.is(roundHalfAway(-0.004), -0)).toBe(false);
    expect(fmtUsd(-0.004)).toBe("$0.00");
    // Large, tiny and whole.
    expect(roundHalfAway(1.5e21, 2)).toBe(1.5e21);
    expect(roundHalfAway(1e-7)).toBe(0);
    expect(fixed(64_000, 0)).toBe("64000");
    expect(fixed(-855.43, 0)).toBe("-855");
  });

  it("fmtUsdSigned: the one form of a signed dollar figure (P&L), fmtUsd with a + for a gain", () => {
    expect(fmtUsdSigned(-3.665)).toBe("-$3.67");
    expect(fmtUsdSigned(3.67)).toBe("+$3.67");
    expect(fmtUsdSigned(-23456.78)).toBe("-$23,456.78");
    expect(fmtUsdSigned(0.004)).toBe("$0.00");
    expect(fmtUsdSigned(-0.004)).toBe("$0.00");
    expect(fmtUsdSigned(null)).toBe("-");
  });

  it("fmtUsdBelow: a figure below a limit never reads as the limit", () => {
    expect(fmtUsdBelow(9.971994, 10)).toEqual({ value: "$9.97", limit: "$10.00" });
    expect(fmtUsdBelow(9.995922, 10)).toEqual({ value: "$9.99", limit: "$10.00" });
    expect(fmtUsdBelow(42.851, 42.854)).toEqual({ value: "$42.85", limit: "$42.86" });
    expect(fmtUsdBelow(20, 40)).toEqual({ value: "$20.00", limit: "$40.00" });
  });

  it("detailNumber keeps details short", () => {
    expect(detailNumber(0.950386119)).toBe("0.950386");
    expect(detailNumber(30_000)).toBe("30000");
    expect(detailNumber(1_234_567)).toBe("1234570");
    expect(detailNumber(0)).toBe("0");
    expect(detailNumber(1e-12)).toBe("1.000e-12");
    expect(detailNumber(Number.NaN)).toBe("NaN");
  });

  it("UTC times to the minute and to the second", () => {
    const ts = Date.UTC(2025, 0, 2, 15, 4, 5, 678);
    expect(utcMinute(ts)).toBe("2025-01-02 15:04 UTC");
    expect(utcSecond(ts)).toBe("2025-01-02 15:04:05 UTC");
  });
});

describe("roundFigure / roundStats: one rounding per kind of figure", () => {
  it("drift to the cent, drift % to 0.1, slippage to 0.1 bps, lag to the ms, P&L to the micro-dollar", () => {
    expect(roundFigure("usd", -75.67999999999999)).toBe(-75.68);
    expect(roundFigure("driftPct", 66.66666)).toBe(66.7);
    expect(roundFigure("pct", 0.0139)).toBe(0.01);
    expect(roundFigure("bps", 0.1 + 0.2)).toBe(0.3);
    expect(roundFigure("ms", 247.44000000000005)).toBe(247);
    expect(roundFigure("pnl", 0.1 + 0.2)).toBe(0.3);
    expect(roundFigure("usd", null)).toBeNull();
  });

  it("rounds every statistic but the count", () => {
    expect(
      roundStats("ms", {
        count: 3,
        mean: 93.6036866359447,
        median: 46,
        p95: 355,
        p99: 459.84000000000003,
        max: null,
      }),
    ).toEqual({ count: 3, mean: 94, median: 46, p95: 355, p99: 460, max: null });
  });
});

describe("windowText: a window as the flags spell it", () => {
  it("keeps whole units as typed and never prints a float's tail", () => {
    expect(windowText(3_600_000)).toBe("1h");
    expect(windowText(60_000)).toBe("1m");
    expect(windowText(24 * 3_600_000)).toBe("24h");
    expect(windowText(36 * 3_600_000)).toBe("36h");
    expect(windowText(7 * 86_400_000)).toBe("7d");
    expect(windowText(90 * 60_000)).toBe("90m");
    expect(windowText(1_500)).toBe("1.5s");
  });
  it("spells the unit in a sentence", () => {
    expect(windowText(86_400_000 / 24, "words")).toBe("1 hour");
    expect(windowText(30 * 86_400_000, "words")).toBe("30 days");
    expect(windowText(3650 * 86_400_000, "words")).toBe("3650 days");
    expect(windowText(45 * 60_000, "words")).toBe("45 minutes");
  });
});
