// The one home of display formatting (dashboard, line output, every command's text): a missing
// figure (null, undefined, NaN) always reads "-".
import { describe, expect, it } from "vitest";
import {
  fmtExact,
  fmtFixed,
  fmtGrouped,
  fmtNum,
  fmtPct,
  fmtPctShort,
  fmtPlusMinus,
  fmtShare,
  fmtUsd,
  fmtUsdShort,
} from "../../src/ui/format.js";

describe("ui/format", () => {
  it("a missing figure reads -", () => {
    for (const missing of [null, undefined, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(fmtFixed(missing)).toBe("-");
      expect(fmtExact(missing)).toBe("-");
      expect(fmtGrouped(missing)).toBe("-");
      expect(fmtUsd(missing)).toBe("-");
      expect(fmtPct(missing)).toBe("-");
      expect(fmtPctShort(missing)).toBe("-");
      expect(fmtShare(missing)).toBe("-");
    }
    expect(fmtNum(null)).toBe("-");
    expect(fmtUsdShort(null)).toBe("-");
  });

  it("a percentage fits a 7-character cell whole, never cut inside its digits", () => {
    expect(fmtPctShort(12.34)).toBe("12.3%");
    expect(fmtPctShort(-138.94)).toBe("-138.9%");
    // A tenth would make it 8 characters: whole percent (the dashboard cut it to "-1541.…").
    expect(fmtPctShort(-1541.5)).toBe("-1542%");
    expect(fmtPctShort(9999.4)).toBe("9999.4%");
    expect(fmtPctShort(-9999.4)).toBe("-9999%");
    // Past four digits only the bound: a target nearly closed against a full position.
    expect(fmtPctShort(123_456)).toBe(">9999%");
    expect(fmtPctShort(-10_000)).toBe("<-9999%");
    for (const x of [0.04, -0.04, 99.99, -999.95, 5_000, -9_999.4, 1e9, -1e9])
      expect([...fmtPctShort(x)].length).toBeLessThanOrEqual(7);
  });

  it("fixed decimals, every digit, and a true minus sign", () => {
    expect(fmtFixed(1.5)).toBe("1.50");
    expect(fmtFixed(-2.345, 1)).toBe("-2.3");
    expect(fmtExact(0.1234567)).toBe("0.1234567");
    expect(fmtPlusMinus(1.234)).toBe("+1.23");
    expect(fmtPlusMinus(-4.5)).toBe("−4.50");
    expect(fmtPlusMinus(0)).toBe("0.00");
    expect(fmtPlusMinus(-0.1234, 3)).toBe("−0.123");
  });

  it("money with thousands separators, never -$0.00", () => {
    expect(fmtUsd(10_234.123)).toBe("$10,234.12");
    expect(fmtUsd(-5)).toBe("-$5.00");
    expect(fmtUsd(-0.001)).toBe("$0.00");
    expect(fmtUsd(1_234_567.8, 0)).toBe("$1,234,568");
    expect(fmtGrouped(1234.5)).toBe("1,234.50");
    expect(fmtGrouped(-3.1)).toBe("-3.10");
  });

  it("percent values and 0..1 shares", () => {
    expect(fmtPct(12.345)).toBe("12.35%");
    expect(fmtShare(0.4732)).toBe("47.3%");
  });
});
