// When a read of fills is cut (core/history.ts): only at the exchange's 10,000 most recent fills
// or the reader's page cap — never because a leader did not trade early in the window.
import { describe, expect, it } from "vitest";
import {
  FILL_HISTORY_LIMIT,
  fillHistoryCut,
  historyCutText,
  ownFillsCutText,
} from "../../src/core/history.js";

const DAY = 86_400_000;
const END = Date.UTC(2026, 11, 1, 12, 0);
const START = END - 30 * DAY;
/** `n` fills one minute apart, the last at `last`. */
const fills = (n: number, last = END - 60_000) =>
  Array.from({ length: n }, (_, i) => ({ time: last - (n - 1 - i) * 60_000 }));

describe("fillHistoryCut", () => {
  it("is null below the limit, however late in the window the first fill is", () => {
    expect(
      fillHistoryCut({ startTime: START, endTime: END, fills: fills(FILL_HISTORY_LIMIT - 1) }),
    ).toBeNull();
    expect(fillHistoryCut({ startTime: START, endTime: END, fills: fills(3) })).toBeNull();
    expect(fillHistoryCut({ startTime: START, endTime: END, fills: [] })).toBeNull();
  });

  it("at the limit the history begins at the first fill read and ends at the end asked", () => {
    const read = fills(FILL_HISTORY_LIMIT);
    expect(fillHistoryCut({ startTime: START, endTime: END, fills: read })).toEqual({
      reason: "exchange-limit",
      start: read[0]?.time,
      end: END,
      askedStart: START,
      askedEnd: END,
      fills: FILL_HISTORY_LIMIT,
    });
  });

  it("in any order", () => {
    const read = fills(FILL_HISTORY_LIMIT).reverse();
    expect(fillHistoryCut({ startTime: START, endTime: END, fills: read })?.start).toBe(read.at(-1)?.time);
  });

  it("at the page cap the history ends at the last fill read, from the start asked", () => {
    const read = fills(4000, END - 5 * DAY);
    expect(fillHistoryCut({ startTime: START, endTime: END, fills: read, pageCapped: true })).toEqual({
      reason: "page-cap",
      start: START,
      end: END - 5 * DAY,
      askedStart: START,
      askedEnd: END,
      fills: 4000,
    });
  });
});

describe("historyCutText", () => {
  it("says where the history begins, why, and how much of the span asked it is", () => {
    const cut = fillHistoryCut({ startTime: START, endTime: END, fills: fills(FILL_HISTORY_LIMIT, END) });
    expect(cut && historyCutText(cut)).toBe(
      "history since 2026-11-24 13:21 UTC (the exchange keeps a user's 10,000 most recent fills): 6.9 days of the 30 days asked",
    );
  });

  it("a page cap says where it ends", () => {
    const cut = fillHistoryCut({
      startTime: START,
      endTime: END,
      fills: fills(4000, END - 10 * DAY),
      pageCapped: true,
    });
    expect(cut && historyCutText(cut)).toBe(
      "history until 2026-11-21 12:00 UTC (the read stopped at its page cap, 4,000 fills): 20.0 days of the 30 days asked",
    );
  });
});

describe("ownFillsCutText", () => {
  it("names the span of our fills a read missed: the oldest at the exchange's limit, the newest at a page cap", () => {
    const first = END - 2 * DAY;
    const base = { askedStart: START, askedEnd: END, fills: FILL_HISTORY_LIMIT };
    expect(ownFillsCutText({ ...base, reason: "exchange-limit", start: first, end: END })).toBe(
      "your account's fills from 2026-11-01 12:00 UTC to 2026-11-29 12:00 UTC could not all be read (the exchange keeps a user's 10,000 most recent fills)",
    );
    expect(ownFillsCutText({ ...base, reason: "page-cap", start: START, end: first })).toBe(
      "your account's fills from 2026-11-29 12:00 UTC to 2026-12-01 12:00 UTC could not all be read (the read stopped at its page cap, 10,000 fills)",
    );
  });
});
