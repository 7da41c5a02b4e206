import { describe, expect, it } from "vitest";
import { applyFillStep, FillDeduper } from "../../src/core/fills.js";

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

describe("applyFillStep: the one leader-position applier", () => {
  const start = () => ({ size: 0, entryPx: 0, lastTime: -1, startsAtTime: [] as number[] });

  it("moves the position by each fill and averages the entry on an increase only", () => {
    const p = start();
    expect(applyFillStep(p, { px: 100, delta: 2, startPosition: 0, time: 1 })).toEqual({
      before: 0,
      after: 2,
      resynced: false,
    });
    applyFillStep(p, { px: 130, delta: 1, startPosition: 2, time: 2 });
    expect(p).toMatchObject({ size: 3, entryPx: 110 });
    applyFillStep(p, { px: 90, delta: -1, startPosition: 3, time: 3 });
    expect(p).toMatchObject({ size: 2, entryPx: 110 });
    applyFillStep(p, { px: 95, delta: -5, startPosition: 2, time: 4 }); // a flip
    expect(p).toMatchObject({ size: -3, entryPx: 95 });
  });

  it("builds on a self-cross (both fills report the position before the pair) and resyncs after a missed fill", () => {
    const p = start();
    applyFillStep(p, { px: 100, delta: 3, startPosition: 0, time: 1 });
    applyFillStep(p, { px: 100, delta: 2, startPosition: 3, time: 5 });
    expect(applyFillStep(p, { px: 100, delta: -0.5, startPosition: 3, time: 5 })).toMatchObject({
      before: 5,
      after: 4.5,
      resynced: false,
    });
    // A fill was missed: the exchange's startPosition wins.
    expect(applyFillStep(p, { px: 100, delta: 1, startPosition: 7, time: 6 })).toEqual({
      before: 7,
      after: 8,
      resynced: true,
    });
  });
});
