// The one home of display formatting (dashboard, line output, every command's text): a missing
// figure (null, undefined, NaN) always reads "-".
import { describe, expect, it } from "vitest";
import { logLineText } from "../../src/ui/EventLog.js";
import {
  fmtExact,
  fmtFixed,
  fmtNum,
  fmtPct,
  fmtPctShort,
  fmtPctSigned,
  fmtShare,
  fmtUsd,
  fmtUsdShort,
  truncate,
} from "../../src/ui/format.js";

describe("ui/format", () => {
  it("a missing figure reads -", () => {
    for (const missing of [null, undefined, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(fmtFixed(missing)).toBe("-");
      expect(fmtExact(missing)).toBe("-");
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

  it("a line cut to the width is never cut inside a figure", () => {
    // The event log at 60 columns cut a fill's size: "filled 1…" read as 1 (it was 1.07).
    const line = logLineText(
      {
        seq: 1,
        ts: Date.UTC(2026, 0, 1, 13, 28, 29, 575),
        type: "order",
        level: "info",
        coin: "SOL",
        text: "order SOL sell 1.07 @ 189.38 close ro filled 1.07 avg 189.94",
      },
      60,
    );
    expect(line).toBe("13:28:29.575 order SOL sell 1.07 @ 189.38 close ro filled…");
    expect(line.length).toBeLessThanOrEqual(60);
    // A halt reason: the cut goes back to the space before the figure.
    expect(truncate("HALTED drawdown: drawdown 25.31% ≥ 25%", 29)).toBe("HALTED drawdown: drawdown…");
    // Words without a digit are cut as before; a fitting line is left alone.
    expect(truncate("vs leader med", 8)).toBe("vs lead…");
    expect(truncate("p95 +0.3", 8)).toBe("p95 +0.3");
    // A figure alone that does not fit goes whole.
    expect(truncate("12345.67", 5)).toBe("…");
    expect(truncate("", 3)).toBe("");
  });

  it("fixed decimals, every digit, and a signed percentage", () => {
    expect(fmtFixed(1.5)).toBe("1.50");
    expect(fmtFixed(-2.345, 1)).toBe("-2.3");
    expect(fmtExact(0.1234567)).toBe("0.1234567");
    // The ROI's one form (the dashboard's, status's, the journal's): an ASCII minus, + for a gain.
    expect(fmtPctSigned(1.234)).toBe("+1.23%");
    expect(fmtPctSigned(-4.5)).toBe("-4.50%");
    expect(fmtPctSigned(0)).toBe("0.00%");
    expect(fmtPctSigned(-0.004)).toBe("0.00%");
    expect(fmtPctSigned(-0.1234, 3)).toBe("-0.123%");
    expect(fmtPctSigned(null)).toBe("-");
  });

  it("money with thousands separators, never -$0.00", () => {
    expect(fmtUsd(10_234.123)).toBe("$10,234.12");
    expect(fmtUsd(-5)).toBe("-$5.00");
    expect(fmtUsd(-0.001)).toBe("$0.00");
    expect(fmtUsd(1_234_567.8, 0)).toBe("$1,234,568");
  });

  it("percent values and 0..1 shares", () => {
    expect(fmtPct(12.345)).toBe("12.35%");
    expect(fmtShare(0.4732)).toBe("47.3%");
  });
});
