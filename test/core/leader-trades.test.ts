import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  coinOutcome,
  decisionSkips,
  LeaderTradeTally,
  type TradeOrderStatus,
  tradesAddUp,
} from "../../src/core/leader-trades.js";
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

describe("decisionSkips: report's skips of a decision a leader's fill triggered, by the tally's rule", () => {
  it("one per coin: a paused trade is `paused` (a flip's two orders are one), a halt's close is none, in line is none", () => {
    const plan = {
      actions: [act("BTC", "0x1", "flip", true), act("BTC", "0x2"), act("ETH", "0x3", "increase")],
      skipped: [
        { coin: "SOL", reason: "below-min-notional" },
        { coin: "HYPE", reason: "inside-deadband" },
        { coin: "ETH", reason: "leverage-cap" },
      ],
    };
    const coins = ["BTC", "ETH", "SOL", "HYPE"];
    expect(decisionSkips("fill", coins, plan)).toEqual(["below-min-notional"]);
    // A cap beside a held order is no second skip.
    expect(decisionSkips("fill", coins, plan, "paused")).toEqual(["paused", "paused", "below-min-notional"]);
    // A sweep's plan decides no trade the journal knows of.
    expect(decisionSkips("sweep", coins, plan, "paused")).toEqual([]);
    const halt = {
      actions: [act("BTC", "0x1", "kill-switch", true)],
      skipped: [{ coin: "ETH", reason: "leverage-cap" }],
    };
    expect(decisionSkips("fill", ["BTC", "ETH"], halt, "paused")).toEqual(["leverage-cap"]);
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
    }),
    fc.record({ t: fc.constant("order" as const), cloid, status, filled: fc.constantFrom(0, 0.5) }),
  );

  it("the buckets always add up to the leader's trades", () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(step, { maxLength: 60 }), (ordersHeard, steps) => {
        const t = new LeaderTradeTally({ ordersHeard });
        let fills = 0;
        const orders = new Set<string>();
        for (const s of steps) {
          if (s.t === "fill") {
            fills++;
            orders.add(`${s.leader}:${s.oid}`);
            t.leaderFill(s.leader, s.oid, s.coin);
          } else if (s.t === "decision") {
            t.decision({
              coins: s.all ? "all" : s.coins,
              seen: Math.max(0, fills - s.back),
              plan: { actions: s.actions, skipped: s.skipped },
              held: s.held ? "paused" : null,
            });
          } else t.order(s.cloid, s.status, s.filled);
          const c = t.counts();
          expect(tradesAddUp(c)).toBe(true);
          for (const v of [c.copied, c.inLine, c.skipped, c.missed, c.planned, c.inFlight])
            expect(v).toBeGreaterThanOrEqual(0);
          expect(c.leaderTrades).toBe(orders.size);
          if (ordersHeard) expect(c.planned).toBe(0);
        }
      }),
      { numRuns: fcRuns(500) },
    );
  });
});
