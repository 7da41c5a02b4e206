// A sum shown beside its parts (status's and report's `net = realised + unrealised − fees +
// funding`, by coin and by leader): the parts as shown add up to the net as shown, the net is
// its true figure rounded, and no part moves more than a cent from its own.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { roundHalfAway, shownSum } from "../../src/core/format.js";
import { fcRuns } from "../helpers/fast-check.js";

const cents = (x: number) => Math.round(x * 100);

describe("core/format shownSum", () => {
  it("the walk's row: net −0.05 beside parts that, rounded alone, add to −0.04", () => {
    // realised −0.0044 + unrealised −0.0041 − fees 0.0435 + funding 0 = −0.052: −0.05 to the cent,
    // while its parts round to 0.00 + 0.00 − 0.04 + 0.00.
    const s = shownSum([-0.0044, -0.0041, -0.0435, 0], -0.052);
    expect(s.total).toBe(-0.05);
    // The missing cent goes to the part with the largest remainder that way (realised: −0.44¢).
    expect(s.parts).toEqual([-0.01, 0, -0.04, 0]);
  });

  it("parts that already add up are shown as they round", () => {
    expect(shownSum([1.25, -0.5, 0.25])).toEqual({ total: 1, parts: [1.25, -0.5, 0.25] });
    expect(shownSum([], 0)).toEqual({ total: 0, parts: [] });
  });

  it("for any parts: the shown parts add up to the shown net exactly, each within a cent of its true value", () => {
    const money = fc.double({ min: -1e7, max: 1e7, noNaN: true, noDefaultInfinity: true });
    fc.assert(
      fc.property(fc.array(money, { minLength: 1, maxLength: 8 }), fc.boolean(), (parts, givenTotal) => {
        const trueTotal = parts.reduce((a, b) => a + b, 0);
        const s = givenTotal ? shownSum(parts, trueTotal) : shownSum(parts);
        // The net stays the true figure rounded.
        expect(s.total).toBe(roundHalfAway(trueTotal, 2) || 0);
        // In cents, exactly.
        expect(s.parts.map(cents).reduce((a, b) => a + b, 0)).toBe(cents(s.total));
        for (const [i, shown] of s.parts.entries()) {
          // Whole cents, within one cent of the true part (a float's tail aside).
          expect(Number.isInteger(Math.round(shown * 100))).toBe(true);
          expect(Math.abs(shown - (parts[i] ?? 0))).toBeLessThanOrEqual(
            0.01 + 1e-9 * Math.max(1, Math.abs(shown)),
          );
        }
      }),
      { numRuns: fcRuns(2000) },
    );
  });
});
