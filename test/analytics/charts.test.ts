import { describe, expect, it } from "vitest";
import { equityCurve, histogram, resample, sparkline } from "../../src/ui/charts.js";

describe("text charts", () => {
  it("sparkline: lowest ▁, highest █, resampled to the width", () => {
    expect(sparkline([1, 2, 3, 4, 5, 6, 7, 8])).toBe("▁▂▃▄▅▆▇█");
    expect(sparkline([5, 5, 5])).toBe("▄▄▄");
    expect(sparkline([])).toBe("");
    expect(
      sparkline(
        Array.from({ length: 1000 }, (_, i) => i),
        10,
      ),
    ).toHaveLength(10);
    expect(resample([1, 2, 3, 4, 5, 6], 3)).toEqual([2, 4, 6]);
  });

  it("histogram: bars scaled to the largest count, labels aligned", () => {
    expect(
      histogram(
        [
          { label: "<1m", count: 4 },
          { label: "1-10m", count: 2 },
          { label: "10m-1h", count: 0 },
        ],
        8,
      ),
    ).toBe(["   <1m │████████ 4", " 1-10m │████ 2", "10m-1h │ 0"].join("\n"));
  });

  it("equity curve: rows of blocks with min/max labels", () => {
    const chart = equityCurve([0, 1, 2, 3, 4, 3, 2], { width: 7, height: 2, format: (v) => v.toFixed(0) });
    expect(chart).toBe(["4 ┤   ▄█▄", "0 ┤▁▄█████"].join("\n"));
    expect(equityCurve([])).toBe("");
    expect(equityCurve([3, 3], { height: 3 }).split("\n")).toHaveLength(3);
  });
});
