// core/flatten.ts: what hlcopy flatten --dry-run shows and what hlcopy flatten reports, read off
// one plan made under the flatten's halt.

import { describe, expect, it } from "vitest";
import {
  closesAtTouch,
  flattenPreview,
  type JournaledOrder,
  leftEntries,
  leftEntryCancelDetail,
  leftEntryCancelledText,
  leftEntryWouldCancelText,
  positionsLeft,
  restingEntriesToCancel,
  unknownOrderOutcome,
} from "../../src/core/flatten.js";
import { NEVER_PLACED } from "../../src/core/orders.js";
import type { CoinTarget, Markets, Plan } from "../../src/core/types.js";

const target = (coin: string, ourSize: number, mid: number): CoinTarget => ({
  coin,
  leaderSize: 0,
  targetSize: 0,
  ourSize,
  driftUsd: -ourSize * mid,
  mid,
  deadbandUsd: 10,
});

const plan: Plan = {
  actions: [
    {
      coin: "BTC",
      side: "sell",
      size: 0.01,
      limitPx: 99_000,
      reduceOnly: true,
      cloid: `0x${"1".repeat(32)}`,
      reason: "flatten",
      refPx: 100_000,
    },
    {
      coin: "ETH",
      side: "buy",
      size: 2,
      limitPx: 3_030,
      reduceOnly: true,
      cloid: `0x${"2".repeat(32)}`,
      reason: "flatten",
      refPx: 3_000,
    },
  ],
  skipped: [
    { coin: "OLD", reason: "unknown-market", detail: "OLD is not a market on the exchange (delisted?)" },
    { coin: "SOL", reason: "order-pending", detail: "an order for SOL is in flight: wait for its result" },
  ],
  targets: [
    target("BTC", 0.01, 100_000),
    target("ETH", -2, 3_000),
    target("OLD", 5, 1),
    target("SOL", 1, 180),
  ],
  effectiveRatio: 0,
  portfolioScale: 1,
  inSync: false,
};

describe("flattenPreview", () => {
  it("lists each close with its price bound and its notional at the mid, and each position left with its skip", () => {
    const p = flattenPreview(plan);
    expect(p.closes).toEqual([
      {
        coin: "BTC",
        side: "sell",
        size: 0.01,
        limitPx: 99_000,
        notionalUsd: 1_000,
        reduceOnly: true,
        reason: "flatten",
      },
      {
        coin: "ETH",
        side: "buy",
        size: 2,
        limitPx: 3_030,
        notionalUsd: 6_000,
        reduceOnly: true,
        reason: "flatten",
      },
    ]);
    expect(p.left).toEqual([
      {
        coin: "OLD",
        size: 5,
        reason: "unknown-market",
        detail: "OLD is not a market on the exchange (delisted?)",
      },
      {
        coin: "SOL",
        size: 1,
        reason: "order-pending",
        detail: "an order for SOL is in flight: wait for its result",
      },
    ]);
    expect(p.cancels).toEqual([]);
  });

  it("a flat account: nothing to close, nothing left", () => {
    const flat = { ...plan, actions: [], skipped: [], targets: [target("BTC", 0, 100_000)] };
    expect(flattenPreview(flat)).toEqual({ closes: [], left: [], cancels: [] });
    expect(positionsLeft(flat)).toEqual([]);
  });

  it("positionsLeft: every position the plan read, closed or not (a flatten's left once its closes are back)", () => {
    expect(positionsLeft(plan)).toEqual([
      { coin: "BTC", size: 0.01 },
      { coin: "ETH", size: -2 },
      { coin: "OLD", size: 5 },
      { coin: "SOL", size: 1 },
    ]);
  });
});

const order = (o: Partial<JournaledOrder> & { cloid: string; coin: string }): JournaledOrder => ({
  ts: 1_000,
  side: "buy",
  size: 10,
  limitPx: 150,
  reduceOnly: false,
  reason: "open",
  status: "resting",
  filledSize: 0,
  ...o,
});

describe("restingEntriesToCancel", () => {
  it("cancels the entries still on the book, one a coin as a run adopts them, what is left of each", () => {
    const rows = [
      order({ cloid: "0xA1", coin: "SOL", filledSize: 4 }),
      // A second of its coin is not adopted (a run keeps one entry a coin): not cancelled.
      order({ cloid: "0xa2", coin: "SOL" }),
      // A stop, a reduce-only order, an order no longer resting, one off the book: none.
      order({ cloid: "0xa3", coin: "ETH", reason: "stop-loss", reduceOnly: true }),
      order({ cloid: "0xa4", coin: "BTC", reduceOnly: true }),
      order({ cloid: "0xa5", coin: "XRP", status: "filled" }),
      order({ cloid: "0xa6", coin: "LINK" }),
    ];
    // On the book: what is left of each (SOL's first: 5, one more filled while no run watched).
    const open = ["0xa1", "0xa2", "0xa3", "0xa4", "0xa5"].map((c) => ({
      cloid: c,
      size: c === "0xa1" ? 5 : 10,
    }));
    expect(restingEntriesToCancel(rows, open)).toEqual([
      {
        coin: "SOL",
        cloid: "0xA1",
        side: "buy",
        size: 5,
        limitPx: 150,
        detail: "our passive entry buy 5 SOL @ 150 rests on the book",
      },
    ]);
  });
});

describe("leftEntries: the passive entries an earlier run left, one rule for every run", () => {
  it("takes the entries journaled resting — not a stop, not reduce-only — the first of each coin", () => {
    const rows = [
      order({ cloid: "0xa1", coin: "SOL" }),
      order({ cloid: "0xa2", coin: "SOL" }),
      order({ cloid: "0xa3", coin: "ETH", reason: "take-profit", reduceOnly: true }),
      order({ cloid: "0xa4", coin: "BTC", reduceOnly: true }),
      order({ cloid: "0xa5", coin: "XRP", status: "sent" }),
      order({ cloid: "0xa6", coin: "LINK" }),
    ];
    expect(leftEntries(rows).map((r) => r.cloid)).toEqual(["0xa1", "0xa6"]);
  });

  it("says each the same way in the plan's cancel, the live run's line and the dry run's", () => {
    const e = { coin: "BTC", side: "buy" as const, size: 0.01, limitPx: 94000 };
    expect(leftEntryCancelDetail(e, "ioc")).toBe(
      "cancel the passive entry buy 0.01 BTC @ 94000 an earlier run left resting: exec.entry is ioc now",
    );
    expect(leftEntryCancelledText({ ...e, filled: 0 }, "ioc")).toBe(
      "BTC: cancelled the passive entry buy 0.01 @ 94000 an earlier run left resting (exec.entry is ioc now)",
    );
    expect(leftEntryCancelledText({ ...e, filled: 0.004 }, "ioc")).toBe(
      "BTC: cancelled the passive entry buy 0.01 @ 94000 an earlier run left resting (exec.entry is ioc now); 0.004 of it had filled: part of our position",
    );
    expect(leftEntryWouldCancelText(e, "ioc")).toBe(
      "BTC: a live run would cancel the passive entry buy 0.01 @ 94000 an earlier run left resting (exec.entry is ioc)",
    );
  });
});

describe("unknownOrderOutcome", () => {
  const row = order({ cloid: "0xb1", coin: "ETH", status: "sent", size: 2 });
  const at = { now: 10_000, settledAt: 18_000, resting: "left" as const, by: "here" as const };
  it("says what the flatten makes of each look-up", () => {
    const found = (
      status: "filled" | "partial" | "resting" | "rejected",
      filledSize: number,
      error?: string,
    ) =>
      unknownOrderOutcome(
        row,
        { cloid: row.cloid, status, filledSize, avgPx: null, ...(error ? { error } : {}) },
        at,
      );
    expect(found("filled", 2)).toMatchObject({
      outcome: "filled",
      filledSize: 2,
      detail: "ETH buy 2: filled 2: part of the ETH position, closed with it",
    });
    expect(found("partial", 1, "canceled").detail).toBe(
      "ETH buy 2: filled 1: part of the ETH position, closed with it",
    );
    expect(found("rejected", 0, NEVER_PLACED).detail).toBe(
      `ETH buy 2: not filled (${NEVER_PLACED}): nothing to close`,
    );
    expect(
      unknownOrderOutcome(
        row,
        { cloid: row.cloid, status: "resting", filledSize: 0, avgPx: null },
        { ...at, resting: "cancelled" },
      ).detail,
    ).toBe("ETH buy 2: resting on the book: cancelled first, as a resting entry");
    // A running follow looks it up at its sweeps, and waits for nothing.
    expect(unknownOrderOutcome(row, null, { ...at, by: "follow" }).detail).toMatch(
      /^ETH buy 2: not on the exchange yet — the follow looks it up at each sweep; should it arrive/,
    );
    // Not on the exchange yet: the flatten waits out its expiry (8 s here) before it plans.
    expect(unknownOrderOutcome(row, null, at)).toMatchObject({ outcome: "not-yet", filledSize: 0 });
    expect(unknownOrderOutcome(row, null, at).detail).toMatch(
      /^ETH buy 2: not on the exchange yet — the flatten waits up to 8s /,
    );
    expect(unknownOrderOutcome(row, null, { ...at, error: "HTTP 502" })).toMatchObject({
      outcome: "lookup-failed",
      detail:
        "ETH buy 2: its look-up failed here (HTTP 502); the flatten looks it up before it plans, retrying",
    });
  });
});

describe("closesAtTouch", () => {
  it("prices each close through the touch as a follow does, a coin with no book at its own price", () => {
    const markets = {
      BTC: { name: "BTC", szDecimals: 5, maxLeverage: 40, mid: 100_000 },
      ETH: { name: "ETH", szDecimals: 4, maxLeverage: 25, mid: 3_000 },
    } as unknown as Markets;
    const [btc, eth] = flattenPreview(plan).closes;
    if (!btc || !eth) throw new Error("two closes");
    // A sell at the bid less 100 bps; the ETH buy has no book read: its price stays.
    expect(closesAtTouch([btc, eth], markets, { BTC: { bestBid: 99_990, bestAsk: 100_010 } }, 100)).toEqual([
      { ...btc, limitPx: 98_991 },
      eth,
    ]);
  });
});
