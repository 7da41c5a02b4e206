import { describe, expect, it } from "vitest";
import { evaluateSafety, utcDay } from "../../src/core/safety.js";
import { defaultSettings } from "../../src/core/settings.js";

const settings = defaultSettings(); // maxDrawdownPct 25, maxDailyLossPct 10

describe("kill switch", () => {
  it("halts when drawdown from the high-water mark reaches the limit", () => {
    const v = evaluateSafety({
      accountValue: 750,
      hwm: 1000,
      dayStartEquity: null,
      settings,
      activeHalt: null,
    });
    expect(v.halted).toBe(true);
    expect(v.newHalt?.kind).toBe("kill-switch");
    expect(v.newHalt?.reason).toContain("25.00%");
    expect(v.drawdownPct).toBeCloseTo(25);
  });

  it("does not halt just under the limit", () => {
    const v = evaluateSafety({
      accountValue: 751,
      hwm: 1000,
      dayStartEquity: null,
      settings,
      activeHalt: null,
    });
    expect(v.halted).toBe(false);
    expect(v.newHalt).toBeNull();
  });

  it("a new high raises the mark instead of counting as drawdown", () => {
    const v = evaluateSafety({
      accountValue: 1200,
      hwm: 1000,
      dayStartEquity: null,
      settings,
      activeHalt: null,
    });
    expect(v.drawdownPct).toBe(0);
  });

  it("a persisted halt stays in force even after equity recovers, without re-recording", () => {
    const v = evaluateSafety({
      accountValue: 1000,
      hwm: 1000,
      dayStartEquity: null,
      settings,
      activeHalt: { kind: "kill-switch", reason: "earlier" },
    });
    expect(v.halted).toBe(true);
    expect(v.newHalt).toBeNull();
  });
});

describe("daily loss limit", () => {
  it("blocks increases after losing the limit since the UTC day started, without halting", () => {
    const v = evaluateSafety({
      accountValue: 890,
      hwm: 1000,
      dayStartEquity: 990,
      settings,
      activeHalt: null,
    });
    expect(v.dailyLossHit).toBe(true);
    expect(v.halted).toBe(false);
    expect(v.dailyLossPct).toBeCloseTo(10.1, 1);
  });

  it("is not hit without a day-start figure or below the limit", () => {
    expect(
      evaluateSafety({ accountValue: 500, hwm: 0, dayStartEquity: null, settings, activeHalt: null })
        .dailyLossHit,
    ).toBe(false);
    expect(
      evaluateSafety({ accountValue: 950, hwm: 1000, dayStartEquity: 1000, settings, activeHalt: null })
        .dailyLossHit,
    ).toBe(false);
  });

  it("days are UTC", () => {
    expect(utcDay(Date.UTC(2026, 10, 23, 23, 59, 59))).toBe("2026-11-23");
    expect(utcDay(Date.UTC(2026, 10, 24, 0, 0, 0))).toBe("2026-11-24");
  });
});
