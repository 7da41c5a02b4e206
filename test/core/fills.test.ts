import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  addSize,
  applyFillStep,
  cashFlowForgotten,
  FILLS_PAGE,
  FillDeduper,
  historyForgotten,
  pickAnchor,
} from "../../src/core/fills.js";
import { fcRuns } from "../helpers/fast-check.js";

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

describe("addSize: a position from fills is the number the exchange prints", () => {
  it("closes float dust to exactly 0, and keeps a meme coin's millions as printed", () => {
    expect(addSize(0.1 + 0.2, -0.3)).toBe(0);
    expect(Object.is(addSize(-0.3, 0.1 + 0.2), 0)).toBe(true);
    expect(addSize(0.1, 0.2)).toBe(0.3);
    // Past 2^52 / 1e9 a multiply by 1e9 is no longer exact: 4320696.110000001 came back.
    expect(addSize(4_320_696.11, 0)).toBe(4_320_696.11);
    expect(addSize(4_000_000.1, 320_696.01)).toBe(4_320_696.11);
    expect(addSize(-123_456_789.12345, 0)).toBe(-123_456_789.12345);
    expect(addSize(-62_524_067_553_810.8, 65_901_296_984_988.2)).toBe(3_377_229_431_177.4);
  });

  it("a sum of fills in one coin equals the exchange's printed total, at any size", () => {
    // A coin's sizes all have its szDecimals (0–5; up to 8 here), and a position the exchange
    // prints fits a double's 15 significant digits. The total is summed in decimal, exactly,
    // then parsed as the stream parses it; the fills are applied one by one, as the models do.
    const text = (n: bigint, d: number) => {
      const neg = n < 0n;
      const digits = (neg ? -n : n).toString().padStart(d + 1, "0");
      const int = d > 0 ? digits.slice(0, -d) : digits;
      return `${neg ? "-" : ""}${int}${d > 0 ? `.${digits.slice(-d)}` : ""}`;
    };
    const LIMIT = 10n ** 15n;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 8 }),
        fc.array(fc.bigInt({ min: -(LIMIT - 1n), max: LIMIT - 1n }), { minLength: 1, maxLength: 6 }),
        (decimals, fills) => {
          let total = 0n;
          let position = 0;
          for (const units of fills) {
            total += units;
            fc.pre(total > -LIMIT && total < LIMIT);
            position = addSize(position, Number(text(units, decimals)));
            expect(position).toBe(Number(text(total, decimals)));
          }
        },
      ),
      { numRuns: fcRuns(3000) },
    );
  });
});

describe("historyForgotten: the exchange no longer holds the journal's newest fill", () => {
  const last = { tid: 42, ts: 1_000 };
  it("held (alone, or with later ones): the exchange's account is the journal's", () => {
    expect(historyForgotten(last, [{ tid: 42, time: 1_000 }])).toBe(false);
    expect(
      historyForgotten(last, [
        { tid: 42, time: 1_000 },
        { tid: 43, time: 2_000 },
      ]),
    ).toBe(false);
  });
  it("missing from a reply that is not full: forgotten (a restarted simulator, a reset testnet)", () => {
    expect(historyForgotten(last, [])).toBe(true);
    // A new account's own fills since (the trader set up again), or a trade id handed out again.
    expect(historyForgotten(last, [{ tid: 1, time: 5_000 }])).toBe(true);
    expect(historyForgotten(last, [{ tid: 42, time: 5_000 }])).toBe(true);
  });
  it("a full page says nothing: the fill may have left the exchange's 10 000 most recent", () => {
    const page = Array.from({ length: FILLS_PAGE }, (_, i) => ({ tid: 100 + i, time: 2_000 + i }));
    expect(historyForgotten(last, page)).toBe(false);
  });
});

describe("the account's anchor: what says the exchange is the one a journal's figures were taken on", () => {
  const buy = (tid: number, time: number) => ({ tid, time, coin: "ETH", side: "buy" as const, sz: 1 });
  const deposit = (hash: string, time: number, usd = 100) => ({ hash, time, kind: "deposit", usd });

  it("is the newest fill, else the newest cash flow, else none", () => {
    expect(pickAnchor([buy(1, 10), buy(3, 30), buy(2, 20)], [deposit("0xa", 40)])).toEqual({
      kind: "fill",
      tid: 3,
      time: 30,
      coin: "ETH",
      side: "buy",
      sz: 1,
    });
    expect(pickAnchor([], [deposit("0xa", 10), deposit("0xb", 20, 50)])).toEqual({
      kind: "cash-flow",
      hash: "0xb",
      time: 20,
      type: "deposit",
      usd: 50,
    });
    expect(pickAnchor([], [])).toBeNull();
  });

  it("a cash flow is forgotten when the ledger at its time does not hold it (same hash and time)", () => {
    const anchor = { hash: "0xb", time: 20 };
    expect(cashFlowForgotten(anchor, [{ hash: "0xb", time: 20 }])).toBe(false);
    expect(cashFlowForgotten(anchor, [])).toBe(true);
    // A restarted simulator with the same seed hands out the same hashes, at other times.
    expect(cashFlowForgotten(anchor, [{ hash: "0xb", time: 25 }])).toBe(true);
  });
});
