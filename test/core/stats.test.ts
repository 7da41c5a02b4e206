import { describe, expect, it } from "vitest";
import { maxOf, mean, median, minOf, p95, p99, quantile, summarize } from "../../src/core/stats.js";

describe("stats", () => {
  it("mean and median", () => {
    expect(mean([1, 2, 3, 10])).toBe(4);
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("quantiles interpolate linearly between order statistics (R type 7 / NumPy default)", () => {
    const xs = Array.from({ length: 101 }, (_, i) => i); // 0..100
    expect(p95(xs)).toBe(95);
    expect(p99(xs)).toBe(99);
    expect(quantile([10, 20], 0.25)).toBe(12.5);
    expect(quantile([3, 1, 2], 0)).toBe(1);
    expect(quantile([3, 1, 2], 1)).toBe(3);
    expect(quantile([3, 1, 2], 7)).toBe(3); // q is clamped
  });

  it("does not reorder the caller's array", () => {
    const xs = [3, 1, 2];
    median(xs);
    expect(xs).toEqual([3, 1, 2]);
  });

  it("an empty sample gives NaN, never a fake zero", () => {
    expect(mean([])).toBeNaN();
    expect(median([])).toBeNaN();
    expect(p99([])).toBeNaN();
    expect(summarize([])).toMatchObject({ count: 0, min: Number.NaN, max: Number.NaN });
  });

  it("summarize gives every figure from one sort", () => {
    expect(summarize([4, 1, 3, 2])).toEqual({
      count: 4,
      mean: 2.5,
      min: 1,
      median: 2.5,
      p95: expect.closeTo(3.85),
      p99: expect.closeTo(3.97),
      max: 4,
    });
  });
});

describe("maxOf / minOf", () => {
  it("the largest and smallest value of a sample of any length; NaN for none or with a NaN in it, as Math.max/min", () => {
    expect(maxOf([3, -1, 7, 2])).toBe(7);
    expect(minOf([3, -1, 7, 2])).toBe(-1);
    expect(maxOf([])).toBeNaN();
    expect(minOf([])).toBeNaN();
    expect(maxOf([1, Number.NaN, 5])).toBeNaN();
    expect(minOf([1, Number.NaN, -5])).toBeNaN();
    expect(maxOf([Number.NEGATIVE_INFINITY])).toBe(Number.NEGATIVE_INFINITY);
    // Far past what a spread into Math.max takes (~130 000 arguments overflow the stack).
    const many = Array.from({ length: 500_000 }, (_, i) => (i * 7919) % 500_000);
    expect(maxOf(many)).toBe(499_999);
    expect(minOf(many)).toBe(0);
  });
});
