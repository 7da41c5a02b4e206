import { formatPrice, formatSize } from "@nktkas/hyperliquid/utils";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  isValidPrice,
  isValidSize,
  lotsToSize,
  priceDecimals,
  priceToWire,
  roundPriceToTick,
  roundSizeToLot,
  sizeToLots,
  sizeToWire,
} from "../../src/core/rounding.js";
import { fcRuns } from "../helpers/fast-check.js";
import { REFERENCE_MARKETS } from "./reference-markets.js";

/** Every szDecimals the reference meta uses (0…5), and the coins with each. */
const SZ_DECIMALS = [...new Set(Object.values(REFERENCE_MARKETS).map((m) => m.szDecimals))].sort();

/** The shortest decimal text of a number, without exponent notation ("7e-7" → "0.0000007"). */
function plainDecimal(x: number): string {
  const s = String(x);
  const m = /^(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const digits = (m[1] ?? "") + (m[2] ?? "");
  const exp = Number(m[3]);
  if (exp < 0) return `0.${"0".repeat(-exp - 1)}${digits}`;
  return digits.padEnd(exp + 1, "0");
}

/** An independent validity check from the decimal text (no shared code with rounding.ts). */
function validByText(px: number, szDecimals: number): boolean {
  if (!(px > 0)) return false;
  if (Number.isInteger(px)) return true;
  const text = plainDecimal(px);
  const [int = "", frac = ""] = text.split(".");
  if (frac.length > Math.max(6 - szDecimals, 0)) return false;
  const digits = (int === "0" ? "" : int) + frac;
  const sig = digits.replace(/^0+/, "");
  return sig.length <= 5;
}

describe("sizes", () => {
  it("round toward zero to whole lots", () => {
    expect(roundSizeToLot(0.123456789, 5)).toBe(0.12345);
    expect(roundSizeToLot(-0.129, 2)).toBe(-0.12);
    expect(roundSizeToLot(1.9999, 0)).toBe(1);
    expect(roundSizeToLot(0.0000099, 5)).toBe(0);
  });

  it("absorb float noise instead of losing a lot (0.29 × 100 = 28.999999999999996)", () => {
    expect(sizeToLots(0.29, 2)).toBe(29);
    expect(sizeToLots(0.1 + 0.2, 1)).toBe(3);
    expect(roundSizeToLot(0.07 * 3, 2)).toBe(0.21);
  });

  it("print wire strings without trailing zeros or float dust", () => {
    expect(sizeToWire(0.5, 4)).toBe("0.5");
    expect(sizeToWire(12, 2)).toBe("12");
    expect(sizeToWire(0.1 + 0.2, 5)).toBe("0.3");
    expect(sizeToWire(0.00001, 5)).toBe("0.00001");
    expect(sizeToWire(1234567, 0)).toBe("1234567");
    expect(sizeToWire(-0.25, 2)).toBe("-0.25");
    expect(sizeToWire(0.000001, 5)).toBe("0");
  });

  it("are valid only as positive whole lots", () => {
    expect(isValidSize(1.001, 3)).toBe(true);
    expect(isValidSize(1.0001, 3)).toBe(false);
    expect(isValidSize(0, 3)).toBe(false);
    expect(isValidSize(-1, 3)).toBe(false);
    expect(isValidSize(Number.NaN, 3)).toBe(false);
  });

  it("property: rounding never grows a size, loses less than one lot, keeps the sign", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e7, max: 1e7, noNaN: true }),
        fc.constantFrom(...SZ_DECIMALS),
        (x, d) => {
          const r = roundSizeToLot(x, d);
          expect(Math.abs(r)).toBeLessThanOrEqual(Math.abs(x) * (1 + 1e-14));
          expect(Math.abs(x) - Math.abs(r)).toBeLessThan(10 ** -d * (1 + 1e-9));
          expect(r === 0 || Math.sign(r) === Math.sign(x)).toBe(true);
          if (r !== 0) expect(isValidSize(Math.abs(r), d)).toBe(true);
        },
      ),
      { numRuns: fcRuns(2000) },
    );
  });

  it("property: agree with the SDK's formatSize for every reference szDecimals", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.double({ min: 1e-6, max: 1e7, noNaN: true }),
          // decimal inputs such as 0.29 or 123.4567, where float noise bites
          fc
            .tuple(fc.integer({ min: 1, max: 10_000_000 }), fc.integer({ min: 0, max: 7 }))
            .map(([n, k]) => n / 10 ** k),
        ),
        fc.constantFrom(...SZ_DECIMALS),
        (x, d) => {
          const ours = sizeToWire(x, d);
          let sdk: string;
          try {
            sdk = formatSize(x, d);
          } catch {
            sdk = "0"; // the SDK throws when the size truncates to 0
          }
          if (ours !== sdk) {
            // Only inside the 1e-14 snap window just below a lot boundary may we differ, by one lot
            // (counted exactly from the decimal strings: × 10^d in floats is off by ~1e-4 at 1e11 lots).
            const lots = (w: string) => {
              const [int = "0", frac = ""] = w.split(".");
              return BigInt(int + frac.padEnd(d, "0"));
            };
            expect(lots(ours) - lots(sdk)).toBe(1n);
            expect(Number(ours)).toBeLessThanOrEqual(x * (1 + 1e-14));
          }
        },
      ),
      { numRuns: fcRuns(3000) },
    );
  });
});

describe("prices", () => {
  it("keep at most 5 significant figures and 6 − szDecimals decimals", () => {
    expect(priceDecimals(30135, 5)).toBe(0);
    expect(priceDecimals(1903.95, 4)).toBe(1);
    expect(priceDecimals(26.516, 2)).toBe(3);
    expect(priceDecimals(0.069277, 0)).toBe(6);
    expect(priceDecimals(0.001565, 0)).toBe(6);
    expect(priceDecimals(0.77389, 1)).toBe(5);
    expect(priceDecimals(1.23456789, 5)).toBe(1);
  });

  it("round in the direction asked, landing on a valid price", () => {
    expect(roundPriceToTick(1909.66185, 4, "down")).toBe(1909.6);
    expect(roundPriceToTick(1898.23815, 4, "up")).toBe(1898.3);
    expect(roundPriceToTick(30225.405, 5, "down")).toBe(30225);
    expect(roundPriceToTick(30225.405, 5, "up")).toBe(30226);
    expect(roundPriceToTick(123456.7, 0, "down")).toBe(123456);
    expect(roundPriceToTick(9.99996, 0, "up")).toBe(10);
    expect(roundPriceToTick(10.00004, 0, "down")).toBe(10);
    expect(roundPriceToTick(0.0694848, 0, "down")).toBe(0.069484);
    expect(roundPriceToTick(0.0000001, 0, "down")).toBe(0);
    expect(roundPriceToTick(0.0000001, 0, "up")).toBe(0.000001);
    expect(roundPriceToTick(1.23456789, 5, "nearest")).toBe(1.2);
  });

  it("leave an already valid price alone in either direction", () => {
    for (const [px, d] of [
      [0.77389, 1],
      [1903.9, 4],
      [26.516, 2],
      [0.001565, 0],
      [30135, 5],
    ] as const) {
      expect(roundPriceToTick(px, d, "down")).toBe(px);
      expect(roundPriceToTick(px, d, "up")).toBe(px);
      expect(isValidPrice(px, d)).toBe(true);
    }
  });

  it("accept every integer, reject too many figures or decimals", () => {
    expect(isValidPrice(123456, 5)).toBe(true);
    expect(isValidPrice(12345.6, 0)).toBe(false);
    expect(isValidPrice(1.23456, 0)).toBe(false); // 6 sig figs
    expect(isValidPrice(0.123456, 1)).toBe(false); // 6 decimals > 5
    expect(isValidPrice(0.12345, 1)).toBe(true);
    expect(isValidPrice(0, 1)).toBe(false);
  });

  it("print wire strings like the SDK: no trailing zeros", () => {
    expect(priceToWire(1903.9, 4)).toBe("1903.9");
    expect(priceToWire(30135, 5)).toBe("30135");
    expect(priceToWire(0.0694, 0)).toBe("0.0694");
    expect(priceToWire(97123.456789, 0)).toBe("97123");
    expect(priceToWire(1.23456789, 5)).toBe("1.2");
  });

  it("property: for every reference market, rounding down/up brackets the price with valid ticks", () => {
    const coins = Object.values(REFERENCE_MARKETS);
    fc.assert(
      fc.property(fc.constantFrom(...coins), fc.double({ min: 0.2, max: 5, noNaN: true }), (m, factor) => {
        const px = m.mid * factor;
        const down = roundPriceToTick(px, m.szDecimals, "down");
        const up = roundPriceToTick(px, m.szDecimals, "up");
        expect(down).toBeLessThanOrEqual(px * (1 + 1e-12));
        expect(up).toBeGreaterThanOrEqual(px * (1 - 1e-12));
        for (const v of [down, up]) {
          expect(isValidPrice(v, m.szDecimals)).toBe(true);
          expect(validByText(v, m.szDecimals)).toBe(true);
          expect(formatPrice(v, m.szDecimals)).toBe(String(v));
        }
        // Less than one tick away: the finest valid grid at this price was used.
        const tick = 10 ** -priceDecimals(px, m.szDecimals);
        expect(px - down).toBeLessThan(tick * (1 + 1e-9));
        expect(up - px).toBeLessThan(tick * (1 + 1e-9));
      }),
      { numRuns: fcRuns(3000) },
    );
  });

  it("property: priceToWire equals the SDK's formatPrice below 100 000, and is valid and no coarser above", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-6, max: 2e6, noNaN: true }),
        fc.constantFrom(...SZ_DECIMALS),
        (px, d) => {
          const ours = priceToWire(px, d);
          let sdk = "0";
          try {
            sdk = formatPrice(px, d);
          } catch {
            // truncated to zero
          }
          if (px < 1e5) {
            if (ours !== sdk) {
              // only a value within float noise of the next tick may differ, by one tick
              expect(Math.abs(Number(ours) - Number(sdk))).toBeLessThanOrEqual(
                10 ** -priceDecimals(px, d) * (1 + 1e-9),
              );
              expect(Number(ours)).toBeLessThanOrEqual(px * (1 + 1e-14));
            }
          } else {
            expect(Number(ours)).toBeGreaterThanOrEqual(Number(sdk));
            expect(Number(ours)).toBeLessThanOrEqual(px * (1 + 1e-14));
          }
          if (ours !== "0") expect(validByText(Number(ours), d)).toBe(true);
        },
      ),
      { numRuns: fcRuns(3000) },
    );
  });

  it("lotsToSize is exact for whole lots", () => {
    expect(lotsToSize(12345, 5)).toBe(0.12345);
    expect(String(lotsToSize(3, 1))).toBe("0.3");
  });
});
