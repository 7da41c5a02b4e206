import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RecentKeys } from "../../src/core/recent.js";
import "../helpers/fast-check.js";

describe("RecentKeys", () => {
  it("reports a duplicate once and forgets the oldest key first", () => {
    const r = new RecentKeys<number>(3);
    expect([1, 2, 3].map((k) => r.add(k))).toEqual([true, true, true]);
    expect(r.add(2)).toBe(false);
    expect(r.add(4)).toBe(true); // 1 is forgotten
    expect(r.has(1)).toBe(false);
    expect([2, 3, 4].every((k) => r.has(k))).toBe(true);
    expect(r.add(1)).toBe(true);
  });

  it("stays at its limit after 200 000 keys", () => {
    const r = new RecentKeys<string>(5_000);
    for (let i = 0; i < 200_000; i++) r.add(`${i}:0xabc`);
    expect(r.size).toBe(5_000);
    expect(r.has("199999:0xabc")).toBe(true);
    expect(r.has("195000:0xabc")).toBe(true);
    expect(r.has("194999:0xabc")).toBe(false);
  });

  it("refuses a limit below 1", () => {
    expect(() => new RecentKeys(0)).toThrow(RangeError);
    expect(() => new RecentKeys(1.5)).toThrow(RangeError);
  });

  it("never holds more than its limit and always remembers the newest distinct keys", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.integer({ min: 0, max: 30 })),
        (limit, keys) => {
          const r = new RecentKeys<number>(limit);
          const added: number[] = []; // every key add() took as new, in order
          for (const k of keys) {
            const fresh = r.add(k);
            expect(r.size).toBeLessThanOrEqual(limit);
            // A key is a duplicate exactly when it is among the last `limit` keys taken as new.
            const window = added.slice(-limit);
            expect(fresh).toBe(!window.includes(k));
            if (fresh) added.push(k);
          }
        },
      ),
    );
  });
});
