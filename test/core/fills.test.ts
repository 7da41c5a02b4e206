import { describe, expect, it } from "vitest";
import { FillDeduper } from "../../src/core/fills.js";

const fill = (tid: number, oid = 1) => ({ tid, oid, coin: "ETH" });

describe("FillDeduper", () => {
  it("passes each fill once per user and stays bounded", () => {
    const d = new FillDeduper(3);
    expect(d.fresh("a", [fill(1), fill(2)]).map((f) => f.tid)).toEqual([1, 2]);
    expect(d.fresh("a", [fill(1), fill(2), fill(3)]).map((f) => f.tid)).toEqual([3]);
    expect(d.fresh("b", [fill(1)]).map((f) => f.tid)).toEqual([1]);
    d.fresh("a", [fill(4), fill(5)]); // evicts the oldest keys of "a"
    expect(d.fresh("a", [fill(5)])).toEqual([]);
    expect(d.fresh("a", [fill(1)]).map((f) => f.tid)).toEqual([1]);
  });

  it("keeps both sides of a self-trade (one tid, two orders) and drops a fill repeated in one batch", () => {
    const d = new FillDeduper();
    expect(d.fresh("a", [fill(9, 100), fill(9, 101), fill(9, 100)]).map((f) => f.oid)).toEqual([100, 101]);
  });
});
