import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/core/errors.js";
import type { Market, PlannedAction } from "../../src/core/types.js";
import { priceToWire, sizeToWire, toOrderWire } from "../../src/exchange/wire.js";
import { DEFAULT_MARKETS } from "../../src/sim/markets.js";
import meta from "../fixtures/reference/hl-cassettes/meta.json" with { type: "json" };
import { fcRuns } from "../helpers/fast-check.js";

/** The tick/lot rule of the fact sheet, written independently of the code under test. */
function validPrice(wire: string, szDecimals: number): boolean {
  if (!/^[0-9]+(\.[0-9]+)?$/.test(wire) || wire.endsWith(".") || (wire.includes(".") && wire.endsWith("0")))
    return false;
  if (!wire.includes(".")) return true; // integers always valid
  const decimals = wire.split(".")[1]?.length ?? 0;
  const sig = wire.replace(".", "").replace(/^0+/, "").length;
  return decimals <= Math.max(6 - szDecimals, 0) && sig <= 5;
}

const szDecimalsSet = [
  ...new Set([
    ...meta.response.universe.map((u) => u.szDecimals),
    ...DEFAULT_MARKETS.map((m) => m.szDecimals),
  ]),
];

describe("wire formatting", () => {
  it("strips trailing zeros (they change the signed bytes) but never integer zeros", () => {
    expect(sizeToWire(2, 3)).toBe("2");
    expect(sizeToWire(0.1, 4)).toBe("0.1");
    expect(priceToWire(3400.0, 4)).toBe("3400");
    expect(priceToWire(0.0185, 0)).toBe("0.0185");
  });

  it("snaps float dust to the lot and otherwise rounds sizes toward zero", () => {
    expect(sizeToWire(0.7 * 3, 2)).toBe("2.1"); // 2.0999999999999996
    expect(sizeToWire(0.1 + 0.2, 1)).toBe("0.3"); // 0.30000000000000004
    expect(sizeToWire(1.239, 2)).toBe("1.23");
    expect(sizeToWire(123456, 0)).toBe("123456");
    expect(() => sizeToWire(0.004, 2)).toThrow(UsageError);
    expect(() => sizeToWire(-1, 2)).toThrow(UsageError);
    expect(() => sizeToWire(Number.NaN, 2)).toThrow(UsageError);
  });

  it("prices keep ≤ 5 significant figures and ≤ 6 − szDecimals decimals; integers always pass", () => {
    expect(priceToWire(95123.4, 5)).toBe("95123");
    expect(priceToWire(123456.7, 0)).toBe("123457");
    expect(priceToWire(1.234567, 2)).toBe("1.2346");
    expect(priceToWire(0.000012345678, 0)).toBe("0.000012");
    expect(priceToWire(3400.12, 4)).toBe("3400.1");
    expect(() => priceToWire(0, 2)).toThrow(UsageError);
    expect(() => priceToWire(0.0000001, 0)).toThrow(UsageError);
  });

  it("every price it writes is a valid tick for every szDecimals in the reference meta", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...szDecimalsSet),
        fc.double({ min: 1e-4, max: 2e6, noNaN: true, noDefaultInfinity: true }),
        (d, px) => {
          let wire: string;
          try {
            wire = priceToWire(px, d);
          } catch {
            return true; // too small for this market: refused, never a bad wire
          }
          return validPrice(wire, d) && Math.abs(Number(wire) - px) / px < 1e-4 + 10 ** -(6 - d) / px;
        },
      ),
      { numRuns: fcRuns(2000) },
    );
  });

  it("a size on the wire is a lot multiple and never larger than asked (beyond float dust)", () => {
    fc.assert(
      fc.property(fc.constantFrom(...szDecimalsSet), fc.integer({ min: 1, max: 10_000_000 }), (d, lots) => {
        const size = lots / 10 ** d;
        const wire = sizeToWire(size, d);
        const decimals = wire.includes(".") ? (wire.split(".")[1]?.length ?? 0) : 0;
        return decimals <= d && Number(wire) === Number(size.toFixed(d)) && !wire.endsWith(".");
      }),
    );
  });

  it("turns a planned action into an IOC limit wire with cloid and reduce-only", () => {
    const market: Market = { coin: "ETH", assetId: 1, szDecimals: 4, maxLeverage: 25, mid: 3400 };
    const action: PlannedAction = {
      coin: "ETH",
      side: "sell",
      size: 0.25,
      limitPx: 3389.8,
      reduceOnly: true,
      cloid: "0xABCDEF0123456789ABCDEF0123456789",
      reason: "reduce",
      refPx: 3400,
    };
    expect(toOrderWire(action, market)).toEqual({
      a: 1,
      b: false,
      p: "3389.8",
      s: "0.25",
      r: true,
      t: { limit: { tif: "Ioc" } },
      c: "0xabcdef0123456789abcdef0123456789",
    });
    expect(() => toOrderWire({ ...action, cloid: "0x1234" }, market)).toThrow(/invalid cloid/);
  });
});
