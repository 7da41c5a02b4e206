// The one home of address, detail-number and UTC-time formatting (planner reasons, engine
// messages, dashboard, commands): the outputs every caller relies on.
import { describe, expect, it } from "vitest";
import { detailNumber, shortAddress, utcMinute, utcSecond } from "../../src/core/format.js";

const ADDRESS = "0xb7b6f3cea3f66bf525f5d8f965f6dbf6d9b017b2";

describe("core/format", () => {
  it("shortAddress keeps 4 hex digits each side, or as many as asked", () => {
    expect(shortAddress(ADDRESS)).toBe("0xb7b6…17b2");
    expect(shortAddress(ADDRESS, 8)).toBe("0xb7b6f3ce…d9b017b2");
    expect(shortAddress("0x1234")).toBe("0x1234"); // too short to cut
    expect(shortAddress("0x1234567890")).toBe("0x1234567890"); // cutting would not shorten it
    expect(shortAddress("0x1234567890a")).toBe("0x1234…890a");
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
