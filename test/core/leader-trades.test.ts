import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  coinOutcome,
  LeaderTradeTally,
  type TradeOrderStatus,
  tradesAddUp,
} from "../../src/core/leader-trades.js";
import { NOT_SENT_STOPPING } from "../../src/core/orders.js";
import type { ReasonCode } from "../../src/core/types.js";
import { fcRuns } from "../helpers/fast-check.js";

const LEADER = "0x00000000000000000000000000000000000000aa";
const act = (coin: string, cloid: string, reason: ReasonCode = "open", reduceOnly = false) => ({
  coin,
  cloid,
  reason,
  reduceOnly,
});

describe("coinOutcome: what a decision did about one coin", () => {
  it("orders, a held order (paused), a skip, or in line (inside the deadband, at target)", () => {
    const plan = {
      actions: [act("BTC", "0x1"), act("ETH", "0x2"), act("SOL", "0x3", "kill-switch", true)],
      skipped: [
        { coin: "HYPE", reason: "inside-deadband" },
        { coin: "DOGE", reason: "below-min-notional" },
        { coin: "BTC", reason: "leverage-cap" },
        { coin: "AVAX", reason: "in-sync" },
        { coin: "XRP", reason: "cap-no-room" },
      ],
    };
    expect(coinOutcome(plan, "BTC")).toEqual({ kind: "orders", cloids: ["0x1"] });
    expect(coinOutcome(plan, "HYPE")).toEqual({ kind: "in-line" });
    expect(coinOutcome(plan, "AVAX")).toEqual({ kind: "in-line" });
    expect(coinOutcome(plan, "LINK")).toEqual({ kind: "in-line" });
    expect(coinOutcome(plan, "DOGE")).toEqual({ kind: "skipped", reason: "below-min-notional" });
    expect(coinOutcome(plan, "XRP")).toEqual({ kind: "skipped", reason: "cap-no-room" });
    // A pause holds the copy; a halt's close still goes.
    expect(coinOutcome(plan, "ETH", "paused")).toEqual({ kind: "skipped", reason: "paused" });
    expect(coinOutcome(plan, "SOL", "paused")).toEqual({ kind: "orders", cloids: ["0x3"] });
  });
});

describe("LeaderTradeTally: every leader trade in exactly one bucket", () => {
  it("a merged burst is copied together, an in-line trade is no skip, a missed IOC is missed", () => {
    const t = new LeaderTradeTally();
    // Three leader orders of BTC (one crossing two levels: two fills, one trade) merged in one plan.
    t.leaderFill(LEADER, 1, "BTC");
    t.leaderFill(LEADER, 1, "BTC");
    t.leaderFill(LEADER, 2, "BTC");
    t.leaderFill(LEADER, 3, "BTC");
    t.decision({ coins: ["BTC"], seen: 4, plan: { actions: [act("BTC", "0xa")], skipped: [] } });
    expect(t.counts()).toMatchObject({ leaderTrades: 3, inFlight: 3, copied: 0 });
    t.order("0xa", "filled", 0.5);
    expect(t.counts()).toMatchObject({ leaderTrades: 3, copied: 3, inFlight: 0 });
    // One inside the deadband.
    t.leaderFill(LEADER, 4, "ETH");
    t.decision({
      coins: ["ETH"],
      seen: 5,
      plan: { actions: [], skipped: [{ coin: "ETH", reason: "inside-deadband" }] },
    });
    // One whose IOC found nothing.
    t.leaderFill(LEADER, 5, "SOL");
    t.decision({ coins: ["SOL"], seen: 6, plan: { actions: [act("SOL", "0xb")], skipped: [] } });
    t.order("0xb", "rejected", 0);
    // One skipped.
    t.leaderFill(LEADER, 6, "HYPE");
    t.decision({
      coins: ["HYPE"],
      seen: 7,
      plan: { actions: [], skipped: [{ coin: "HYPE", reason: "below-min-notional" }] },
    });
    // One a later fill decision has not planned on yet (told before the plan it waits for).
    t.leaderFill(LEADER, 7, "BTC");
    expect(t.counts()).toEqual({
      leaderTrades: 7,
      copied: 3,
      inLine: 1,
      skipped: 1,
      missed: 1,
      planned: 0,
      inFlight: 1,
      unknown: 0,
      skippedBy: { "below-min-notional": 1 },
    });
  });

  it("a trade told after the plan was made waits for the next decision; a full sweep decides every coin", () => {
    const t = new LeaderTradeTally();
    t.leaderFill(LEADER, 1, "BTC");
    t.leaderFill(LEADER, 2, "BTC");
    // The plan saw only the first fill.
    t.decision({ coins: ["BTC"], seen: 1, plan: { actions: [], skipped: [] } });
    expect(t.counts()).toMatchObject({ inLine: 1, inFlight: 1 });
    t.decision({
      coins: "all",
      seen: 2,
      plan: { actions: [], skipped: [{ coin: "BTC", reason: "entry-drift" }] },
    });
    expect(t.counts()).toMatchObject({ inLine: 1, skipped: 1, inFlight: 0, skippedBy: { "entry-drift": 1 } });
  });

  it("an order never heard of (not sent) leaves its trades missed at the next decision; a dry run's are planned", () => {
    const t = new LeaderTradeTally();
    t.leaderFill(LEADER, 1, "BTC");
    t.decision({ coins: ["BTC"], seen: 1, plan: { actions: [act("BTC", "0xa")], skipped: [] } });
    t.decision({ coins: [], seen: 1, plan: { actions: [], skipped: [] } });
    expect(t.counts()).toMatchObject({ missed: 1, inFlight: 0 });
    const dry = new LeaderTradeTally({ ordersHeard: false });
    dry.leaderFill(LEADER, 1, "BTC");
    dry.decision({ coins: ["BTC"], seen: 1, plan: { actions: [act("BTC", "0xa")], skipped: [] } });
    expect(dry.counts()).toMatchObject({ leaderTrades: 1, planned: 1, inFlight: 0 });
  });

  it("a post-only entry refused as crossing is copied by the IOC its coin's re-plan sends (not missed)", () => {
    const crossed = "Post only order would have immediately matched, bbo was 99@100. asset=0";
    const t = new LeaderTradeTally();
    t.leaderFill(LEADER, 1, "BTC");
    t.decision({ coins: ["BTC"], seen: 1, plan: { actions: [act("BTC", "0xalo")], skipped: [] } });
    t.order("0xalo", "rejected", 0, crossed);
    // Waiting for the re-plan, not missed; a decision of another coin does not decide it.
    expect(t.counts()).toMatchObject({ missed: 0, inFlight: 1 });
    t.decision({ coins: [], seen: 1, plan: { actions: [], skipped: [] }, planned: ["ETH"] });
    expect(t.counts()).toMatchObject({ missed: 0, inFlight: 1 });
    // The re-plan (a fill's decision with no new trade, or a sweep's re-plan of the coin).
    t.decision({ coins: ["BTC"], seen: 1, plan: { actions: [act("BTC", "0xioc")], skipped: [] } });
    t.order("0xioc", "filled", 0.1);
    expect(t.counts()).toMatchObject({ leaderTrades: 1, copied: 1, missed: 0, inFlight: 0 });
    // A refusal of another kind is missed at once; a re-plan that skips the coin skips the trade.
    t.leaderFill(LEADER, 2, "ETH");
    t.decision({ coins: ["ETH"], seen: 2, plan: { actions: [act("ETH", "0xe")], skipped: [] } });
    t.order("0xe", "rejected", 0, "Insufficient margin to place order. asset=1");
    t.leaderFill(LEADER, 3, "SOL");
    t.decision({ coins: ["SOL"], seen: 3, plan: { actions: [act("SOL", "0xs")], skipped: [] } });
    t.order("0xs", "rejected", 0, crossed);
    t.decision({
      coins: [],
      seen: 3,
      plan: { actions: [], skipped: [{ coin: "SOL", reason: "below-min-notional" }] },
      planned: ["SOL"],
    });
    expect(t.counts()).toMatchObject({ copied: 1, missed: 1, skipped: 1, inFlight: 0 });
  });

  it("the stop: trades not decided on, or waiting for their re-plan, are skipped 'stopping'; one whose order is still out is unknown", () => {
    const t = new LeaderTradeTally();
    // A trade copied; one whose order is out (a stop awaits it); one refused as crossing (its
    // IOC re-plan never comes); one told as the run stopped; one whose plan the stop held.
    t.leaderFill(LEADER, 1, "BTC");
    t.leaderFill(LEADER, 2, "ETH");
    t.leaderFill(LEADER, 3, "SOL");
    t.decision({
      coins: ["BTC", "ETH", "SOL"],
      seen: 3,
      plan: { actions: [act("BTC", "0xb"), act("ETH", "0xe"), act("SOL", "0xs")], skipped: [] },
    });
    t.order("0xb", "filled", 0.1);
    t.order("0xe", "sent", 0);
    t.order("0xs", "rejected", 0, "Post only order would have immediately matched, bbo was 9@10");
    t.leaderFill(LEADER, 4, "HYPE");
    t.leaderFill(LEADER, 5, "DOGE");
    t.decision({
      coins: ["DOGE"],
      seen: 5,
      plan: { actions: [act("DOGE", "0xd")], skipped: [] },
      held: "stopping",
    });
    t.stopped();
    expect(t.counts()).toMatchObject({
      leaderTrades: 5,
      copied: 1,
      inFlight: 0,
      unknown: 1,
      skipped: 3,
      skippedBy: { stopping: 3 },
    });
    expect(t.undecided()).toBe(false);
    // Its fill, told late all the same (report: a later run's recovery), copies it.
    t.order("0xe", "filled", 0.2);
    expect(t.counts()).toMatchObject({ copied: 2, inFlight: 0, unknown: 0, skipped: 3 });
    expect(
      coinOutcome({ actions: [act("SOL", "0x3", "kill-switch", true)], skipped: [] }, "SOL", "stopping"),
    ).toEqual({
      kind: "skipped",
      reason: "stopping",
    });
  });

  it("the stop leaves no trade in flight: one whose order was never sent is missed, one resting on the exchange unknown", () => {
    // Seen in a follow's summary: the journal held by another program (its intent not journaled,
    // so not sent), or a request refused whole (no result told) — then the stop: "in flight" for
    // ever. A passive entry left resting at the stop: the same.
    const t = new LeaderTradeTally();
    t.leaderFill(LEADER, 1, "BTC");
    t.leaderFill(LEADER, 2, "ETH");
    t.leaderFill(LEADER, 3, "SOL");
    t.leaderFill(LEADER, 4, "HYPE");
    t.decision({
      coins: ["BTC", "ETH", "SOL", "HYPE"],
      seen: 4,
      plan: {
        actions: [
          act("BTC", "0xb"),
          act("ETH", "0xe"),
          act("SOL", "0xs"),
          act("HYPE", "0xh1"),
          act("HYPE", "0xh2"),
        ],
        skipped: [],
      },
    });
    // BTC: never sent (nothing told). ETH: resting. SOL: filled. HYPE: one refused, one never sent.
    t.order("0xe", "resting", 0);
    t.order("0xs", "filled", 0.1);
    t.order("0xh1", "rejected", 0, "Insufficient margin to place order. asset=1");
    expect(t.counts()).toMatchObject({ inFlight: 3 });
    t.stopped();
    expect(t.counts()).toMatchObject({
      leaderTrades: 4,
      copied: 1,
      missed: 2,
      unknown: 1,
      inFlight: 0,
      skipped: 0,
    });
  });

  it("an order the stop kept from being sent (its batch waiting for its turn) leaves its trades skipped 'stopping', not missed", () => {
    // Seen in a follow's summary: a batch still waiting out a 429 backoff as the run stopped was
    // refused "not sent: the run is stopping", and its trade counted missed — a failure — though
    // the trader stopped it, as a trade that comes as the run stops is skipped `stopping`.
    const t = new LeaderTradeTally();
    t.leaderFill(LEADER, 1, "BTC");
    t.leaderFill(LEADER, 2, "ETH");
    t.decision({
      coins: ["BTC", "ETH"],
      seen: 2,
      plan: { actions: [act("BTC", "0xb"), act("ETH", "0xe1"), act("ETH", "0xe2")], skipped: [] },
    });
    t.order("0xb", "rejected", 0, NOT_SENT_STOPPING);
    // One of ETH's orders refused by the exchange, the other kept by the stop: a miss all the same.
    t.order("0xe1", "rejected", 0, "Insufficient margin to place order. asset=1");
    t.order("0xe2", "rejected", 0, NOT_SENT_STOPPING);
    t.stopped();
    expect(t.counts()).toMatchObject({
      leaderTrades: 2,
      missed: 1,
      skipped: 1,
      skippedBy: { stopping: 1 },
      inFlight: 0,
    });
  });

  it("an order left uncertain: its trades are 'unknown' until recovery or a fill resolves it", () => {
    const t = new LeaderTradeTally();
    t.leaderFill(LEADER, 1, "BTC");
    t.leaderFill(LEADER, 2, "ETH");
    t.leaderFill(LEADER, 3, "SOL");
    const plan = { actions: [act("BTC", "0xb"), act("ETH", "0xe"), act("SOL", "0xs")], skipped: [] };
    t.decision({ coins: ["BTC", "ETH", "SOL"], seen: 3, plan });
    for (const c of ["0xb", "0xe", "0xs"]) t.order(c, "uncertain", 0);
    expect(t.counts()).toMatchObject({ unknown: 3, inFlight: 0 });
    // A later decision does not make them missed: they were sent.
    t.decision({ coins: "all", seen: 3, plan: { actions: [], skipped: [] } });
    expect(t.counts()).toMatchObject({ unknown: 3, missed: 0 });
    // Recovery's look-up: filled; never placed (rejected); and a fill of the third.
    t.order("0xb", "filled", 0.1);
    t.order("0xe", "rejected", 0, "not placed: the order never reached the exchange before it expired");
    expect(t.ourFill("0xs")).toBe(true);
    expect(t.ourFill("0xs")).toBe(false);
    expect(t.counts()).toMatchObject({ leaderTrades: 3, copied: 2, missed: 1, unknown: 0, inFlight: 0 });
  });

  it("keyed: the buckets by each trade's key add up to the whole, bucket by bucket", () => {
    const t = new LeaderTradeTally({ ordersHeard: true, keyed: true });
    t.leaderFill(LEADER, 1, "BTC", "day1");
    t.leaderFill(LEADER, 2, "BTC", "day2");
    t.decision({ coins: ["BTC"], seen: 2, plan: { actions: [act("BTC", "0xa")], skipped: [] } });
    t.order("0xa", "filled", 1);
    t.leaderFill(LEADER, 3, "ETH", "day2", 10);
    t.decision({ coins: ["ETH"], seen: 9, plan: { actions: [], skipped: [] } });
    expect(t.counts()).toMatchObject({ leaderTrades: 3, copied: 2, inFlight: 1 });
    t.decision({
      coins: ["ETH"],
      seen: 10,
      plan: { actions: [], skipped: [{ coin: "ETH", reason: "coin-denied" }] },
    });
    const by = t.countsBy();
    expect(by.get("day1")).toMatchObject({ leaderTrades: 1, copied: 1 });
    expect(by.get("day2")).toMatchObject({
      leaderTrades: 2,
      copied: 1,
      skipped: 1,
      skippedBy: { "coin-denied": 1 },
    });
  });

  // Arbitrary interleavings of leader fills (orders crossing levels, repeated oids), decisions of
  // any coverage over any plan (orders, skips, pauses) and order results in any status, in any
  // order: the buckets always add up to the leader's trades, none goes negative, and the count
  // of trades is the number of distinct leader orders.
  const COINS = ["BTC", "ETH", "SOL"];
  const coin = fc.constantFrom(...COINS);
  const cloid = fc.constantFrom("0x1", "0x2", "0x3", "0x4", "0x5");
  const status = fc.constantFrom<TradeOrderStatus>(
    "sent",
    "filled",
    "partial",
    "resting",
    "rejected",
    "uncertain",
    "cancelled",
    "paper",
  );
  const step = fc.oneof(
    fc.record({
      t: fc.constant("fill" as const),
      leader: fc.constantFrom(LEADER, "0xbb"),
      oid: fc.integer({ min: 1, max: 12 }),
      coin,
      day: fc.constantFrom("d1", "d2"),
    }),
    fc.record({
      t: fc.constant("decision" as const),
      all: fc.boolean(),
      coins: fc.subarray(COINS),
      back: fc.integer({ min: 0, max: 3 }),
      actions: fc.array(
        fc.record({
          coin,
          cloid,
          reason: fc.constantFrom<ReasonCode>("open", "kill-switch"),
          reduceOnly: fc.boolean(),
        }),
        { maxLength: 3 },
      ),
      skipped: fc.array(
        fc.record({
          coin,
          reason: fc.constantFrom(
            "inside-deadband",
            "in-sync",
            "below-min-notional",
            "leverage-cap",
            "entry-drift",
          ),
        }),
        { maxLength: 3 },
      ),
      held: fc.boolean(),
      planned: fc.subarray(COINS),
    }),
    fc.record({
      t: fc.constant("order" as const),
      cloid,
      status,
      filled: fc.constantFrom(0, 0.5),
      error: fc.constantFrom(null, "Post only order would have immediately matched", NOT_SENT_STOPPING),
    }),
    fc.record({ t: fc.constant("ourFill" as const), cloid }),
  );

  it("the buckets always add up to the leader's trades", () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(step, { maxLength: 60 }), (ordersHeard, steps) => {
        const t = new LeaderTradeTally({ ordersHeard, keyed: true });
        let fills = 0;
        const orders = new Set<string>();
        for (const s of steps) {
          if (s.t === "fill") {
            fills++;
            orders.add(`${s.leader}:${s.oid}`);
            t.leaderFill(s.leader, s.oid, s.coin, s.day);
          } else if (s.t === "decision") {
            t.decision({
              coins: s.all ? "all" : s.coins,
              seen: Math.max(0, fills - s.back),
              plan: { actions: s.actions, skipped: s.skipped },
              held: s.held ? "paused" : null,
              planned: s.planned,
            });
          } else if (s.t === "order") t.order(s.cloid, s.status, s.filled, s.error);
          else t.ourFill(s.cloid);
          const c = t.counts();
          expect(tradesAddUp(c)).toBe(true);
          for (const v of [c.copied, c.inLine, c.skipped, c.missed, c.planned, c.inFlight, c.unknown])
            expect(v).toBeGreaterThanOrEqual(0);
          // Only an order left uncertain makes a trade's outcome unknown.
          if (!steps.some((x) => x.t === "order" && x.status === "uncertain")) expect(c.unknown).toBe(0);
          // The buckets by key add up, bucket by bucket, to the whole.
          const by = [...t.countsBy().values()];
          for (const k of [
            "leaderTrades",
            "copied",
            "inLine",
            "skipped",
            "missed",
            "planned",
            "inFlight",
            "unknown",
          ] as const)
            expect(by.reduce((n, x) => n + x[k], 0)).toBe(c[k]);
          for (const x of by) expect(tradesAddUp(x)).toBe(true);
          expect(c.leaderTrades).toBe(orders.size);
          if (ordersHeard) expect(c.planned).toBe(0);
        }
        // The stop: nothing is left to decide, what waited for a decision is skipped `stopping`,
        // and the buckets still add up (by key too).
        const before = t.counts();
        t.stopped();
        const after = t.counts();
        expect(t.undecided()).toBe(false);
        expect(tradesAddUp(after)).toBe(true);
        for (const x of t.countsBy().values()) expect(tradesAddUp(x)).toBe(true);
        expect(after.leaderTrades).toBe(before.leaderTrades);
        const stopping = (after.skippedBy.stopping ?? 0) - (before.skippedBy.stopping ?? 0);
        expect(after.skipped - before.skipped).toBe(stopping);
        // Nothing is in flight after the stop: what waited is skipped `stopping` (not decided
        // on), missed (its order never told: not sent) or unknown (its order still out).
        expect(after.inFlight).toBe(0);
        expect(before.inFlight).toBe(
          stopping + (after.missed - before.missed) + (after.unknown - before.unknown),
        );
        expect([after.copied, after.inLine, after.planned]).toEqual([
          before.copied,
          before.inLine,
          before.planned,
        ]);
        for (const x of t.countsBy().values()) expect(x.inFlight).toBe(0);
      }),
      { numRuns: fcRuns(500) },
    );
  });
});
