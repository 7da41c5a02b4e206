// The planner's rules, one behaviour per test (design.md §4/§5 and issue 6).

import { describe, expect, it } from "vitest";
import { driftReport, driftText, shownDrift, shownTarget } from "../../src/core/drift.js";
import { limitPrice } from "../../src/core/planner.js";
import type { Markets, Plan } from "../../src/core/types.js";
import {
  account,
  applyPlan,
  LEADER,
  LEADER2,
  leader,
  market,
  plan,
  settingsWith,
} from "./planner-fixtures.js";

// Clean numbers: ratio 0.1 (our 10k / leader 100k) unless a test says otherwise.
const M: Markets = {
  BTC: market("BTC", 30_000, 5),
  ETH: market("ETH", 2_000, 4),
  SOL: market("SOL", 20, 2),
  DOGE: market("DOGE", 0.1, 0),
};

const skipOf = (p: Plan, coin: string) => p.skipped.find((s) => s.coin === coin);
const summary = (p: Plan) =>
  p.actions.map((a) => `${a.coin} ${a.side} ${a.size} ${a.reason}${a.reduceOnly ? " ro" : ""}`);

describe("sizing", () => {
  it("equity-ratio: leader size × our equity / leader equity × multiplier", () => {
    const p = plan({ markets: M, leader: leader({ BTC: 1, ETH: -10 }), ours: account({}) });
    expect(summary(p)).toEqual(["BTC buy 0.1 open", "ETH sell 1 open"]);
    expect(p.effectiveRatio).toBeCloseTo(0.1);
    expect(p.portfolioScale).toBe(1);
    expect(p.leaderRatios).toEqual({ [LEADER]: 0.1 });

    const doubled = plan({
      markets: M,
      leader: leader({ BTC: 1 }),
      settings: settingsWith({ sizing: { multiplier: 2 } }),
    });
    expect(summary(doubled)).toEqual(["BTC buy 0.2 open"]);
  });

  it("equity-ratio divides by the leader's equity net of cash flows, not its account value", () => {
    // The leader deposited 100k: account value 200k, but the ratio still uses 100k.
    const p = plan({ markets: M, leader: leader({ BTC: 1 }, 200_000, { equityBase: 100_000 }) });
    expect(summary(p)).toEqual(["BTC buy 0.1 open"]);
  });

  it("fixed-ratio: leader size × sizing.ratio, whatever the equities", () => {
    const p = plan({
      markets: M,
      leader: leader({ ETH: 50 }, 5_000_000),
      settings: settingsWith({ sizing: { mode: "fixed-ratio", ratio: 0.01 } }),
    });
    expect(summary(p)).toEqual(["ETH buy 0.5 open"]);
  });

  it("fixed-notional: sizing.notional spread by each position's share of the leader's gross notional", () => {
    // Gross = 1 × 30000 + 10 × 2000 = 50000: BTC 60% of 1000 USD, ETH 40%.
    const p = plan({
      markets: M,
      leader: leader({ BTC: 1, ETH: -10 }),
      settings: settingsWith({ sizing: { mode: "fixed-notional", notional: 1000 } }),
    });
    expect(summary(p)).toEqual(["BTC buy 0.02 open", "ETH sell 0.2 open"]);
  });

  it("several leaders: weighted targets are summed (netted) per coin", () => {
    const a = leader({ BTC: 1 }, 100_000, { weight: 0.5 });
    const b = leader({ BTC: -0.5, ETH: 4 }, 100_000, { weight: 0.5, address: LEADER2 });
    const p = plan({
      markets: M,
      leaders: [a, b],
      settings: settingsWith({ sizing: { mode: "fixed-ratio", ratio: 0.1 } }),
    });
    // BTC: 0.5 × 0.1 × 1 − 0.5 × 0.1 × 0.5 = 0.025; ETH: 0.5 × 0.1 × 4 = 0.2
    expect(summary(p)).toEqual(["BTC buy 0.025 open", "ETH buy 0.2 open"]);
    // Shown as the leaders' net position (1 − 0.5), with each one's own size: not Σ weight × size.
    expect(p.targets.find((t) => t.coin === "BTC")?.leaderSize).toBeCloseTo(0.5);
    expect(p.targets.find((t) => t.coin === "BTC")?.byLeader).toEqual([
      { leader: a.address, size: 1 },
      { leader: LEADER2, size: -0.5 },
    ]);
    expect(p.effectiveRatio).toBeCloseTo(0.1);
  });

  it("several leaders: a coin's leader figure is their net position whatever the weights; one leader's is its own", () => {
    // A long 1 BTC, B short 1 at 0.6/0.4: the weighted Σ 0.2 was no leader's position.
    const a = leader({ BTC: 1 }, 100_000, { weight: 0.6 });
    const b = leader({ BTC: -1, ETH: 2 }, 100_000, { weight: 0.4, address: LEADER2 });
    const p = plan({
      markets: M,
      leaders: [a, b],
      settings: settingsWith({ sizing: { mode: "fixed-ratio", ratio: 0.1 } }),
    });
    const btc = p.targets.find((t) => t.coin === "BTC");
    expect(btc?.leaderSize).toBe(0);
    expect(btc?.byLeader).toEqual([
      { leader: a.address, size: 1 },
      { leader: LEADER2, size: -1 },
    ]);
    expect(p.targets.find((t) => t.coin === "ETH")).toMatchObject({
      leaderSize: 2,
      byLeader: [{ leader: LEADER2, size: 2 }],
    });
    // The planner's decisions are unchanged: 0.6 × 0.1 × 1 − 0.4 × 0.1 × 1 = 0.02 BTC.
    expect(summary(p)).toEqual(["BTC buy 0.02 open", "ETH buy 0.08 open"]);
    const one = plan({
      markets: M,
      leader: leader({ BTC: 1 }),
      settings: settingsWith({ sizing: { mode: "fixed-ratio", ratio: 0.1 } }),
    });
    expect(one.targets.find((t) => t.coin === "BTC")?.leaderSize).toBe(1);
    expect(one.targets.find((t) => t.coin === "BTC")).not.toHaveProperty("byLeader");
    // Their net is the decimal it is, never the float sum's tail (status showed 10.659999999999997).
    const tail = plan({
      markets: M,
      leaders: [
        leader({ ETH: 0.1 }, 100_000, { weight: 0.5 }),
        leader({ ETH: 0.2 }, 100_000, { weight: 0.5, address: LEADER2 }),
      ],
      settings: settingsWith({ sizing: { mode: "fixed-ratio", ratio: 0.1 } }),
    });
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(tail.targets.find((t) => t.coin === "ETH")?.leaderSize).toBe(0.3);
  });

  it("several leaders whose sizes net to 0 still hold the coin: a denied or unlisted coin says why it is not copied", () => {
    // A +1 BTC, B −1 BTC at equal weights: Σ weight × size is 0, yet both hold BTC. The planner
    // read "no leader holds it" off that sum and said nothing of the coin it left out.
    const a = leader({ BTC: 1, FOO: 5 }, 100_000, { weight: 0.5 });
    const b = leader({ BTC: -1, FOO: -5 }, 100_000, { weight: 0.5, address: LEADER2 });
    const denied = plan({
      markets: M,
      leaders: [a, b],
      settings: settingsWith({ sizing: { mode: "fixed-ratio", ratio: 0.1 }, risk: { denyCoins: ["BTC"] } }),
    });
    expect(denied.actions).toEqual([]);
    expect(denied.skipped.map((s) => [s.coin, s.reason])).toEqual(
      expect.arrayContaining([
        ["BTC", "coin-denied"],
        ["FOO", "unknown-market"],
      ]),
    );
    // A coin with no market that the leaders hold is never in sync (issue 12.8).
    expect(denied.inSync).toBe(false);
  });

  it("no leader at all is no target: our positions are left alone, not flattened", () => {
    const p = plan({ markets: M, leaders: [], ours: account({ BTC: 0.5 }) });
    expect(p.actions).toEqual([]);
    expect(skipOf(p, "BTC")?.reason).toBe("stale-leader");
    const halted = plan({ markets: M, leaders: [], ours: account({ BTC: 0.5 }), context: { halted: true } });
    expect(summary(halted)).toEqual(["BTC sell 0.5 kill-switch ro"]);
  });

  it("a manual halt's closes are said as the trader's flatten, not as the kill switch", () => {
    const closes = (haltKind: "kill-switch" | "manual") =>
      summary(
        plan({
          markets: M,
          leader: leader({ BTC: 1 }),
          ours: account({ BTC: 0.5 }),
          context: { halted: true, haltKind },
        }),
      );
    expect(closes("manual")).toEqual(["BTC sell 0.5 flatten ro"]);
    expect(closes("kill-switch")).toEqual(["BTC sell 0.5 kill-switch ro"]);
  });

  it("a halted flat coin the leader holds says which halt holds it: the kill switch, the daily loss limit or the trader's flatten", () => {
    const says = (haltKind?: "kill-switch" | "daily-loss" | "manual") =>
      skipOf(
        plan({
          markets: M,
          leader: leader({ BTC: 1 }),
          ours: account({}),
          context: { halted: true, ...(haltKind ? { haltKind } : {}) },
        }),
        "BTC",
      );
    expect(says()).toEqual({
      coin: "BTC",
      reason: "halted",
      detail: "kill switch active: nothing is opened",
    });
    expect(says("kill-switch")?.detail).toBe("kill switch active: nothing is opened");
    expect(says("daily-loss")?.detail).toBe("halted by the daily loss limit: nothing is opened");
    expect(says("manual")?.detail).toBe("halted by your flatten: nothing is opened");
  });

  it("a leader with equity ≤ 0 yields no targets: its coins are skipped and ours left alone", () => {
    const p = plan({ markets: M, leader: leader({ BTC: 1 }, 0), ours: account({ BTC: 0.5 }) });
    expect(p.actions).toEqual([]);
    // Its own reason: the stream is fine, there is nothing to size from.
    expect(skipOf(p, "BTC")).toMatchObject({ reason: "leader-no-equity" });
    expect(skipOf(p, "BTC")?.detail).toContain("nothing to size from");
    expect(p.inSync).toBe(false);
  });

  it("our equity $0: nothing to copy with — every leader coin is skipped no-equity (no target), never in sync; a held position is still closed by the caps", () => {
    for (const settings of [
      settingsWith({}),
      settingsWith({ sizing: { mode: "fixed-ratio", ratio: 0.01 } }),
      settingsWith({ sizing: { mode: "fixed-notional", notional: 1_000 } }),
    ]) {
      const p = plan({ markets: M, leader: leader({ BTC: 1, ETH: 10 }), ours: account({}, 0), settings });
      expect(p.actions).toEqual([]);
      expect(p.skipped.map((s) => [s.coin, s.reason])).toEqual([
        ["BTC", "no-equity"],
        ["ETH", "no-equity"],
      ]);
      expect(p.inSync).toBe(false);
      const r = driftReport({ targets: p.targets, skipped: p.skipped, actionCoins: [] });
      expect(r.coins.map((c) => [c.coin, c.status, c.driftUsd])).toEqual([
        ["BTC", "blocked", null],
        ["ETH", "blocked", null],
      ]);
      expect(driftText(r)).toBe("not in sync · blocked: BTC no-equity, ETH no-equity");
    }
    // Reducing is always allowed: a position held at $0 equity is closed (the caps' room is 0).
    const held = plan({ markets: M, leader: leader({ BTC: 1 }), ours: account({ BTC: 0.1 }, 0) });
    expect(summary(held)).toEqual(["BTC sell 0.1 close ro"]);
  });

  it("nothing to size from: no target and no drift figure (not ours against the leader's side, not $0), never in sync", () => {
    // The leader long BTC with equity net of cash flows ≤ 0; we are short.
    const p = plan({
      markets: M,
      leader: leader({ BTC: 1 }, 50_000, { equityBase: -10_000 }),
      ours: account({ BTC: -0.5 }),
    });
    expect(p.actions).toEqual([]);
    expect(skipOf(p, "BTC")?.reason).toBe("leader-no-equity");
    expect(skipOf(p, "BTC")?.detail).toContain("equity net of cash flows is -10000");
    const r = driftReport({ targets: p.targets, skipped: p.skipped, actionCoins: [] });
    const btc = r.coins.find((c) => c.coin === "BTC");
    expect(btc).toEqual({ coin: "BTC", driftUsd: null, status: "blocked", reason: "leader-no-equity" });
    const t = p.targets.find((x) => x.coin === "BTC");
    expect(shownTarget(t?.targetSize ?? 0, btc)).toBeNull();
    expect(shownDrift(t?.driftUsd ?? 0, btc)).toBeNull();
    expect(r.inSync).toBe(false);
    expect(driftText(r)).toBe("not in sync · blocked: BTC leader-no-equity");
    // Flat on our side, the leader's coin is still not in sync.
    const flat = plan({ markets: M, leader: leader({ BTC: 1 }, 0), ours: account({}) });
    expect(skipOf(flat, "BTC")?.reason).toBe("leader-no-equity");
    expect(flat.inSync).toBe(false);
  });
});

describe("coins", () => {
  it("a denied coin is skipped and our position left alone (out of the drift)", () => {
    const p = plan({
      markets: M,
      leader: leader({ BTC: 1, ETH: 10 }),
      ours: account({ BTC: 0.1, ETH: 0.3 }),
      settings: settingsWith({ risk: { denyCoins: ["ETH"] } }),
    });
    expect(p.actions).toEqual([]);
    expect(skipOf(p, "ETH")).toMatchObject({ reason: "coin-denied" });
    expect(p.targets.find((t) => t.coin === "ETH")).toMatchObject({ targetSize: 0.3, driftUsd: 0 });
    expect(p.inSync).toBe(true);
  });

  it("risk.closeDenied closes a denied coin reduce-only", () => {
    const p = plan({
      markets: M,
      leader: leader({ ETH: 10 }),
      ours: account({ ETH: 0.3 }),
      settings: settingsWith({ risk: { denyCoins: ["ETH"], closeDenied: true } }),
    });
    expect(summary(p)).toEqual(["ETH sell 0.3 coin-denied ro"]);
  });

  it("a coin outside a non-empty allow list is skipped as not allowed", () => {
    const p = plan({
      markets: M,
      leader: leader({ BTC: 1, SOL: 100 }),
      settings: settingsWith({ risk: { allowCoins: ["BTC"] } }),
    });
    expect(summary(p)).toEqual(["BTC buy 0.1 open"]);
    expect(skipOf(p, "SOL")).toMatchObject({ reason: "coin-not-allowed" });
    expect(p.inSync).toBe(false); // the BTC order is still to go
  });

  it("a coin without a market (or without a mid) is skipped as unknown", () => {
    const p = plan({
      markets: { ...M, SOL: market("SOL", 0, 2) },
      leader: leader({ FOO: 5, SOL: 10 }),
      ours: account({}),
    });
    expect(p.actions).toEqual([]);
    expect(skipOf(p, "FOO")).toMatchObject({ reason: "unknown-market" });
    expect(skipOf(p, "SOL")).toMatchObject({ reason: "unknown-market" });
    expect(p.inSync).toBe(false);
  });

  it("deny and allow lists match coin names case-insensitively", () => {
    const denied = plan({
      markets: M,
      leader: leader({ BTC: 1, ETH: 10 }),
      settings: settingsWith({ risk: { denyCoins: ["btc"] } }),
    });
    expect(summary(denied)).toEqual(["ETH buy 1 open"]);
    expect(skipOf(denied, "BTC")).toMatchObject({ reason: "coin-denied" });
    const allowed = plan({
      markets: M,
      leader: leader({ BTC: 1, ETH: 10 }),
      settings: settingsWith({ risk: { allowCoins: ["eTh"] } }),
    });
    expect(summary(allowed)).toEqual(["ETH buy 1 open"]);
    expect(skipOf(allowed, "BTC")).toMatchObject({ reason: "coin-not-allowed" });
  });
});

describe("delisted or unknown coins (issue 12.8)", () => {
  it("a position we hold in a coin the exchange no longer lists is drift, never in sync", () => {
    const p = plan({
      markets: M,
      leader: leader({ BTC: 1 }),
      ours: account({ BTC: 0.1, LUNA: { size: -200, entryPx: 5 } }),
    });
    expect(p.actions).toEqual([]);
    expect(skipOf(p, "LUNA")).toMatchObject({ reason: "unknown-market" });
    expect(skipOf(p, "LUNA")?.detail).toContain("not a market on the exchange");
    expect(p.inSync).toBe(false);
    // The target says what the copy wants (nothing: no leader holds it), the drift is valued
    // at our entry since there is no mid.
    expect(p.targets.find((t) => t.coin === "LUNA")).toEqual({
      coin: "LUNA",
      leaderSize: 0,
      targetSize: 0,
      ourSize: -200,
      driftUsd: 1000,
      mid: 0,
      deadbandUsd: 10,
    });
  });

  it("a leader position in an unlisted coin is drift too, and the rest of the plan still goes", () => {
    const p = plan({
      markets: M,
      leader: leader({ BTC: 1, LUNA: { size: 50, entryPx: 2 } }),
      ours: account({}),
    });
    expect(summary(p)).toEqual(["BTC buy 0.1 open"]);
    expect(skipOf(p, "LUNA")).toMatchObject({ reason: "unknown-market" });
    const t = p.targets.find((x) => x.coin === "LUNA");
    expect(t?.targetSize).toBeCloseTo(5); // 50 × 0.1
    expect(t?.driftUsd).toBeCloseTo(10); // valued at the leader's entry
    // Once BTC is copied, LUNA alone still keeps the copy out of sync.
    const after = plan({ markets: M, leader: leader({ BTC: 1, LUNA: 50 }), ours: account({ BTC: 0.1 }) });
    expect(after.actions).toEqual([]);
    expect(after.inSync).toBe(false);
  });
});

describe("exchange leverage not set (issue 12.4)", () => {
  it("blocks increases in that coin with leverage-not-set; reductions and other coins still go", () => {
    const p = plan({
      markets: M,
      leader: leader({ BTC: 1, ETH: 5 }),
      ours: account({ ETH: 1 }),
      context: { leverageNotSet: { BTC: "updateLeverage refused: Invalid leverage value" } },
    });
    expect(summary(p)).toEqual(["ETH sell 0.5 reduce ro"]);
    expect(skipOf(p, "BTC")).toMatchObject({ reason: "leverage-not-set" });
    expect(skipOf(p, "BTC")?.detail).toContain("Invalid leverage value");
    expect(p.inSync).toBe(false);
    // A coin we only reduce is not held back by it.
    const reduce = plan({
      markets: M,
      leader: leader({ ETH: 5 }),
      ours: account({ ETH: 1 }),
      context: { leverageNotSet: { ETH: "refused" } },
    });
    expect(summary(reduce)).toEqual(["ETH sell 0.5 reduce ro"]);
  });

  it("join new-only: a coin the leader held before we started is not copied and ours is left alone", () => {
    const p = plan({
      markets: M,
      leader: leader({ BTC: 1, ETH: 10 }),
      context: { notJoined: ["BTC"] },
    });
    expect(summary(p)).toEqual(["ETH buy 1 open"]);
    expect(skipOf(p, "BTC")).toMatchObject({ reason: "not-joined" });
  });
});

describe("caps", () => {
  it("risk.maxNotionalPerCoin clips only its coin", () => {
    const p = plan({
      markets: M,
      leader: leader({ BTC: 1, ETH: 10 }),
      settings: settingsWith({ risk: { maxNotionalPerCoin: 1500 } }),
    });
    // BTC target 0.1 ($3000) → $1500 = 0.05; ETH 1 ($2000) → $1500 = 0.75.
    expect(summary(p)).toEqual(["BTC buy 0.05 open", "ETH buy 0.75 open"]);
    expect(p.skipped.map((s) => `${s.coin} ${s.reason}`)).toEqual(["BTC notional-cap", "ETH notional-cap"]);
    expect(p.portfolioScale).toBe(1);

    const one = plan({
      markets: M,
      leader: leader({ BTC: 1, ETH: 10 }),
      settings: settingsWith({ risk: { maxNotionalPerCoin: 2500 } }),
    });
    expect(summary(one)).toEqual(["BTC buy 0.08333 open", "ETH buy 1 open"]);
  });

  it("risk.maxLeverage scales every target by one factor, keeping the leader's proportions", () => {
    // Leader 10x: targets $60k + $40k gross on our $10k equity; cap 3x = $30k → ×0.3.
    const p = plan({ markets: M, leader: leader({ BTC: 20, ETH: -200 }) });
    expect(summary(p)).toEqual(["BTC buy 0.6 open", "ETH sell 6 open"]);
    expect(p.portfolioScale).toBeCloseTo(0.3);
    expect(p.effectiveRatio).toBeCloseTo(0.03);
    expect(p.portfolioCap).toMatchObject({ reason: "leverage-cap", limitUsd: 30_000 });
    expect(p.skipped.map((s) => `${s.coin} ${s.reason}`)).toEqual(["BTC leverage-cap", "ETH leverage-cap"]);
  });

  it("risk.maxTotalNotional binds when it is lower than the leverage cap", () => {
    const p = plan({
      markets: M,
      leader: leader({ BTC: 1, ETH: 10 }),
      settings: settingsWith({ risk: { maxTotalNotional: 2500 } }),
    });
    // $5000 gross → ×0.5
    expect(summary(p)).toEqual(["BTC buy 0.05 open", "ETH buy 0.5 open"]);
    expect(p.portfolioCap?.reason).toBe("total-notional-cap");
    expect(p.skipped.every((s) => s.reason === "total-notional-cap")).toBe(true);
    expect(p.inSync).toBe(false);
  });

  it("a coin is clipped to the market's max leverage × our equity", () => {
    const p = plan({
      markets: { ...M, SOL: market("SOL", 20, 2, { maxLeverage: 2 }) },
      leader: leader({ SOL: 20_000 }),
      settings: settingsWith({ risk: { maxLeverage: 20 } }),
    });
    // target 2000 SOL = $40k; SOL max leverage 2 × $10k = $20k → 1000 SOL, whose margin at 2×
    // is all $10k with nothing left for the fee and the limit's slippage: the exchange would
    // refuse the last of it, so the account's margin takes it to 990.19.
    expect(p.targets.find((t) => t.coin === "SOL")?.targetSize).toBe(990.19);
    expect(summary(p)).toEqual(["SOL buy 990.19 open"]);
    expect(skipOf(p, "SOL")).toMatchObject({ reason: "leverage-cap" });
    expect(skipOf(p, "SOL")?.detail).toMatch(/\(\$20,000\.00\), then ×0\.99\d* for the account's margin$/);
  });

  it("caps only block growth: above the cap we reduce toward it, reduce-only", () => {
    const p = plan({
      markets: M,
      leader: leader({ BTC: 2 }),
      ours: account({ BTC: 0.2 }),
      settings: settingsWith({ risk: { maxNotionalPerCoin: 3000 } }),
    });
    expect(summary(p)).toEqual(["BTC sell 0.1 reduce ro"]);
  });

  it("increases are cut so positions we keep (a reduction still pending) cannot carry gross over the cap", () => {
    // ETH should shrink from 6 to 1 but an order is in flight: it still holds $12k.
    // Cap $30k: BTC may grow only to the $18k left, not to its $27k target.
    const p = plan({
      markets: M,
      leader: leader({ BTC: 9, ETH: 10 }),
      ours: account({ ETH: 6 }),
      context: { pendingCoins: ["ETH"] },
    });
    expect(summary(p)).toEqual(["BTC buy 0.6 open"]);
    expect(p.skipped.map((s) => `${s.coin} ${s.reason}`)).toEqual(["BTC leverage-cap", "ETH order-pending"]);
    // The target stays the copy's (0.9: the leader's proportion); the cut order leaves drift.
    expect(p.targets.find((t) => t.coin === "BTC")?.targetSize).toBe(0.9);
    expect(p.portfolioCap?.detail).toContain("increases cut");
  });

  it("a coin held above its target inside the deadband does not take the room another coin's target needs: it is brought down first (issue M5)", () => {
    // risk.maxLeverage 1 × our $10k. Ours: BTC 0.299 ($8970), at the copy of the leader's BTC 3.
    // The leader buys LINK 1000: gross $105k → every target ×0.952 (BTC 0.28571, LINK 95.2).
    // BTC is now $399 above its target, inside its 5 % deadband ($428.6): alone, no order — but
    // that excess is the room LINK's target needs.
    const markets: Markets = { BTC: market("BTC", 30_000, 5), LINK: market("LINK", 15, 1) };
    const settings = settingsWith({ risk: { maxLeverage: 1 }, exec: { deadbandPct: 5 } });
    const before = plan({ markets, leader: leader({ BTC: 3 }), ours: account({ BTC: 0.299 }), settings });
    expect(before.actions).toEqual([]);
    const p = plan({
      markets,
      leader: leader({ BTC: 3, LINK: 1000 }),
      ours: account({ BTC: 0.299 }),
      settings,
    });
    const t = Object.fromEntries(p.targets.map((x) => [x.coin, x.targetSize]));
    expect(t).toEqual({ BTC: 0.28571, LINK: 95.2 });
    expect(summary(p)).toEqual(["BTC sell 0.01329 reduce ro", "LINK buy 95.2 open"]);
    expect(p.portfolioCap?.madeRoom).toEqual(["BTC"]);
    expect(p.portfolioCap?.detail).toContain("; BTC brought down to its target to make room");
    expect(p.inSync).toBe(false);
    // Gross after the plan within the cap.
    expect(0.28571 * 30_000 + 95.2 * 15).toBeLessThanOrEqual(10_000);
  });

  it("an increase the cap holds back keeps its target and its drift: never target 0 / drift 0, never in sync (cap-no-room)", () => {
    // ETH's reduction is in flight (it holds $12k of the $30k room): BTC's open gets no room.
    const p = plan({
      markets: M,
      leader: leader({ BTC: 9, ETH: 10 }),
      ours: account({ ETH: 12 }),
      context: { pendingCoins: ["ETH"] },
      settings: settingsWith({ risk: { maxLeverage: 2.4 } }),
    });
    expect(p.actions).toEqual([]);
    expect(skipOf(p, "BTC")?.reason).toBe("cap-no-room");
    const btc = p.targets.find((x) => x.coin === "BTC");
    expect(btc?.targetSize).toBeGreaterThan(0);
    expect(btc?.driftUsd).toBeGreaterThan(0);
    expect(p.inSync).toBe(false);
    const r = driftReport({ targets: p.targets, skipped: p.skipped, actionCoins: [] });
    expect(r.coins.find((c) => c.coin === "BTC")).toMatchObject({ status: "blocked", reason: "cap-no-room" });
    expect(r.inSync).toBe(false);
  });
});

describe("margin cap: increases never need more initial margin than the account value", () => {
  // The exchange margins each coin at its leverage setting: exec.leverage, auto = ceil(risk.maxLeverage)
  // + 1, capped by the coin's own maximum (core/leverage.ts exchangeLeverage). Required initial
  // margin = Σ notional ÷ that leverage; an increase counts at its limit price, with its fee and
  // the limit's distance from the mid.
  const HM: Markets = {
    BTC: market("BTC", 95_000, 5, { maxLeverage: 40 }),
    HYPE: market("HYPE", 38, 2, { maxLeverage: 10 }),
  };
  /** Initial margin after the plan fills (reductions first): Σ |size| × mid ÷ leverage. */
  const marginAfter = (p: Plan, levs: Record<string, number>, ours: Record<string, number> = {}) => {
    const post: Record<string, number> = { ...ours };
    for (const a of p.actions) post[a.coin] = (post[a.coin] ?? 0) + (a.side === "buy" ? a.size : -a.size);
    return Object.entries(post).reduce(
      (sum, [coin, size]) => sum + (Math.abs(size) * (HM[coin]?.mid ?? 0)) / (levs[coin] ?? 1),
      0,
    );
  };

  it("max-leverage 15: HYPE 10× (its max) and BTC 5× would need $13.1k of margin on $10k — every target is scaled by one factor, said as margin-cap, and the copy is in sync once filled", () => {
    const settings = settingsWith({ risk: { maxLeverage: 15 } });
    // The leader (equity $100k): HYPE $1M (10×), BTC $500k (5×); ratio 0.1.
    const leaderState = leader({ HYPE: 1_000_000 / 38, BTC: 500_000 / 95_000 });
    const p = plan({ markets: HM, leader: leaderState, settings });
    // Before: targets HYPE $100k at 10× ($10k margin) + BTC $50k at 16× ($3125) — both sent,
    // the second refused ("Insufficient margin to place order.") again every run.
    const targets = Object.fromEntries(p.targets.map((t) => [t.coin, t.targetSize]));
    expect(targets).toEqual({ BTC: 0.38467, HYPE: 1923.37 });
    // One factor: the leader's proportions are kept (within a lot).
    expect(1923.37 / 2631.57).toBeCloseTo(0.38467 / 0.52631, 4);
    expect(summary(p)).toEqual(["BTC buy 0.38467 open", "HYPE buy 1923.37 open"]);
    expect(marginAfter(p, { HYPE: 10, BTC: 16 })).toBeLessThanOrEqual(10_000);
    // With the fee and the limit's slippage it still fits: what the exchange checks.
    const needed = p.actions.reduce((sum, a) => {
      const m = HM[a.coin];
      if (!m) return sum;
      const lev = a.coin === "HYPE" ? 10 : 16;
      return sum + a.size * (a.limitPx / lev + a.limitPx * 0.00045 + (a.limitPx - m.mid));
    }, 0);
    expect(needed).toBeLessThanOrEqual(10_000);
    expect(p.skipped.map((s) => `${s.coin} ${s.reason}`)).toEqual(["BTC margin-cap", "HYPE margin-cap"]);
    expect(skipOf(p, "HYPE")?.detail).toMatch(
      /^target 2631.57 HYPE → 1923.37: every target ×0.73\d* for the account's margin/,
    );
    expect(p.marginCap?.targetScale).toBeCloseTo(0.7309, 3);
    expect(p.marginCap?.detail).toContain("targets scaled ×0.73");
    // $13 125 at the mid, plus the fee and the 30 bps slippage allowance.
    expect(p.marginCap?.requiredUsd).toBeGreaterThan(13_125);
    expect(p.marginCap?.requiredUsd).toBeLessThan(13_125 * 1.05);
    // The portfolio cap (15 × $10k, just met by the unscaled targets) is not what scaled them.
    expect(p.portfolioCap?.increaseScale ?? 1).toBe(1);
    expect(p.effectiveRatio).toBeCloseTo(0.1 * (p.marginCap?.targetScale ?? 0), 6);
    // A cap is a standing decision: once the orders fill, nothing more to do, in sync.
    const next = plan({ markets: HM, leader: leaderState, ours: applyPlan(account({}), p), settings });
    expect(next.actions).toEqual([]);
    expect(next.inSync).toBe(true);
  });

  it("the same leader under a cap the margin backs (max-leverage 5, auto 6×): no margin cut", () => {
    const p = plan({
      markets: HM,
      leader: leader({ HYPE: 100_000 / 38, BTC: 200_000 / 95_000 }),
      settings: settingsWith({ risk: { maxLeverage: 5 } }),
    });
    // $10k HYPE at 6× + $20k BTC at 6× = $5k of margin.
    expect(p.marginCap).toBeUndefined();
    expect(p.skipped).toEqual([]);
    expect(summary(p)).toEqual(["BTC buy 0.21052 open", "HYPE buy 263.15 open"]);
  });

  it("reductions are never cut: a reduction goes in full and the margin it frees is room for the increase", () => {
    const settings = settingsWith({ risk: { maxLeverage: 15 } });
    // We hold HYPE $100k (all the margin at 10×). The leader halves HYPE and opens BTC $30k.
    const ours = account({ HYPE: 2631.57 });
    const p = plan({
      markets: HM,
      leader: leader({ HYPE: 500_000 / 38, BTC: 300_000 / 95_000 }),
      ours,
      settings,
    });
    expect(summary(p)).toEqual(["HYPE sell 1315.79 reduce ro", "BTC buy 0.31578 open"]);
    expect(p.marginCap).toBeUndefined();
    // With our HYPE leverage known at 10× nothing changes; with the reduction in flight (its
    // margin still held) the BTC open has no room at all — and the reduction is never held back.
    const pending = plan({
      markets: HM,
      leader: leader({ HYPE: 500_000 / 38, BTC: 600_000 / 95_000 }),
      ours: account({ HYPE: { size: 2631.57, leverage: 10, marginMode: "cross" } }),
      settings,
      context: { pendingCoins: ["HYPE"] },
    });
    expect(pending.actions).toEqual([]);
    expect(pending.skipped.map((s) => `${s.coin} ${s.reason}`)).toEqual([
      "BTC cap-no-room",
      "HYPE order-pending",
    ]);
    expect(skipOf(pending, "BTC")?.detail).toContain("no room under the account's margin");
    expect(pending.inSync).toBe(false);
    expect(pending.targets.find((t) => t.coin === "BTC")?.targetSize).toBeGreaterThan(0);
  });

  it("the leverage the exchange holds: a position known at a lower leverage than the setting is counted at it", () => {
    const settings = settingsWith({ risk: { maxLeverage: 15 } });
    const leaderState = leader({ HYPE: 200_000 / 38, BTC: 1_000_000 / 95_000 });
    // Ours: HYPE $20k. At auto's 10× it holds $2k of margin and BTC's $100k at 16× fits in the
    // $8k left; known at 2× it holds all $10k: nothing left.
    const atSetting = plan({ markets: HM, leader: leaderState, ours: account({ HYPE: 526.31 }), settings });
    expect(summary(atSetting)).toEqual(["BTC buy 1.05263 open"]);
    const atTwo = plan({
      markets: HM,
      leader: leaderState,
      ours: account({ HYPE: { size: 526.31, leverage: 2, marginMode: "cross" } }),
      settings,
    });
    // HYPE at 2× ($10k) + BTC at 16× ($6.25k) do not fit: every target ×~0.6, HYPE brought down
    // (a reduction: at 2× it is what holds the margin) and BTC opened at the same fraction.
    expect(atTwo.actions.map((a) => `${a.coin} ${a.side}${a.reduceOnly ? " ro" : ""}`)).toEqual([
      "HYPE sell ro",
      "BTC buy",
    ]);
    const hypeT = atTwo.targets.find((t) => t.coin === "HYPE")?.targetSize ?? 0;
    const btcT = atTwo.targets.find((t) => t.coin === "BTC")?.targetSize ?? 0;
    expect(hypeT / 526.31).toBeCloseTo(btcT / 1.05263, 3);
    expect(marginAfter(atTwo, { HYPE: 2, BTC: 16 }, { HYPE: 526.31 })).toBeLessThanOrEqual(10_000);
    // exec.leverage fixed at 3 (above risk.maxLeverage 2): every coin at 3×.
    const fixed = plan({
      markets: HM,
      leader: leader({ HYPE: 100_000 / 38, BTC: 100_000 / 95_000 }),
      ours: account({}, 10_000),
      settings: settingsWith({ risk: { maxLeverage: 2 }, exec: { leverage: 3 } }),
    });
    // $20k at 3× = $6.7k: fits.
    expect(fixed.marginCap).toBeUndefined();
    expect(fixed.actions).toHaveLength(2);
  });

  it("a position held at a lower leverage that the plan increases is counted at the setting: the engine sets it before the increase", () => {
    // risk.maxLeverage 2 → auto 3×. Ours: BTC $9.5k still at 2× (an earlier run's --max-leverage 1).
    // The target, BTC $20k, at 2× would need all $10k and more; at 3×, $6.7k.
    const p = plan({
      markets: HM,
      leader: leader({ BTC: 200_000 / 95_000 }),
      ours: account({ BTC: { size: 0.1, leverage: 2, marginMode: "cross" } }),
      settings: settingsWith({ risk: { maxLeverage: 2 } }),
    });
    expect(summary(p)).toEqual(["BTC buy 0.11052 increase"]);
    expect(p.marginCap).toBeUndefined();
    expect(p.skipped).toEqual([]);
  });

  it("our resting orders that can open hold margin too; a reduce-only or trigger order does not", () => {
    const settings = settingsWith({ risk: { maxLeverage: 15 } });
    const leaderState = leader({ BTC: 500_000 / 95_000 });
    const open = (reduceOnly: boolean) => ({
      ...account({}),
      openOrders: [{ coin: "HYPE", oid: 1, side: "buy" as const, size: 2000, limitPx: 38, reduceOnly }],
    });
    // BTC $50k at 16× = $3125: fits alone; a resting HYPE buy $76k at 10× holds $7.6k of the $10k.
    expect(plan({ markets: HM, leader: leaderState, ours: open(true), settings }).marginCap).toBeUndefined();
    const p = plan({ markets: HM, leader: leaderState, ours: open(false), settings });
    expect(skipOf(p, "BTC")?.reason).toBe("margin-cap");
    expect(marginAfter(p, { BTC: 16 }) + 7600).toBeLessThanOrEqual(10_000);
  });
});

describe("rounding", () => {
  it("targets round toward zero to the lot (long and short)", () => {
    const p = plan({
      markets: M,
      leader: leader({ BTC: 1.23456789, SOL: -1234.5678 }),
      settings: settingsWith({ sizing: { mode: "fixed-ratio", ratio: 0.1 } }),
    });
    expect(summary(p)).toEqual(["BTC buy 0.12345 open", "SOL sell 123.45 open"]);
  });

  it("limit prices: best price ± slippage, rounded to a valid tick on the side that keeps inside the bound", () => {
    const eth = { coin: "ETH", assetId: 1, szDecimals: 4, maxLeverage: 50, mid: 1903.95 };
    expect(limitPrice(eth, "buy", 30)).toBe(1909.6); // 1909.66185 rounded down
    expect(limitPrice(eth, "sell", 30)).toBe(1898.3); // 1898.23815 rounded up
    expect(limitPrice({ ...eth, bestAsk: 1904, bestBid: 1903.9 }, "buy", 30)).toBe(1909.7); // 1909.712
    expect(limitPrice({ ...eth, bestAsk: 1904, bestBid: 1903.9 }, "sell", 30)).toBe(1898.2); // 1898.1883
    const kpepe = { coin: "kPEPE", assetId: 15, szDecimals: 0, maxLeverage: 50, mid: 0.001565 };
    // 6 − 0 decimals bind before 5 significant figures here
    expect(limitPrice(kpepe, "buy", 30)).toBe(0.001569); // 0.001569695
    expect(limitPrice(kpepe, "sell", 30)).toBe(0.001561); // 0.001560305
  });
});

describe("deadband and the $10 minimum", () => {
  it("a drift inside deadbandPct of the target is skipped as inside-deadband", () => {
    // target 100 SOL ($2000), ours 99: drift $20 > $10 but < 2% × $2000 = $40
    const p = plan({ markets: M, leader: leader({ SOL: 1000 }), ours: account({ SOL: 99 }) });
    expect(p.actions).toEqual([]);
    expect(skipOf(p, "SOL")).toMatchObject({ reason: "inside-deadband" });
    expect(p.inSync).toBe(true);
  });

  it("skip reasons show their dollar figures to the cent, as every view does (no $9.97199)", () => {
    const inside = plan({ markets: M, leader: leader({ SOL: 1000 }), ours: account({ SOL: 99 }) });
    expect(skipOf(inside, "SOL")?.detail).toBe("drift 1 SOL ($20.00) is inside the 2% deadband ($40.00)");
    // 0.5001 ETH sold at its 30 bps limit 19.94: $9.971994.
    const eth = { ETH: market("ETH", 20, 4) };
    const below = plan({ markets: eth, leader: leader({ ETH: -5.001 }) });
    expect(skipOf(below, "ETH")?.detail).toBe("order 0.5001 ETH ($9.97) is below the $10 minimum");
    // 0.5013 ETH at 19.94 = $9.995922: to the cent it would read "$10.00 is below the $10
    // minimum"; it reads a cent under instead.
    const edge = plan({ markets: eth, leader: leader({ ETH: -5.013 }) });
    expect(skipOf(edge, "ETH")?.detail).toBe("order 0.5013 ETH ($9.99) is below the $10 minimum");
  });

  it("a drift under $10 is skipped as below-min-notional when the $10 term binds", () => {
    const p = plan({ markets: M, leader: leader({ SOL: 100 }), ours: account({ SOL: 9.6 }) });
    expect(p.actions).toEqual([]);
    expect(skipOf(p, "SOL")).toMatchObject({ reason: "below-min-notional" });
  });

  it("a new position whose whole target is below $10 is skipped", () => {
    const p = plan({ markets: M, leader: leader({ SOL: 4 }) });
    expect(p.actions).toEqual([]);
    expect(skipOf(p, "SOL")?.reason).toBe("below-min-notional");
    expect(p.inSync).toBe(true);
  });

  it("a target below one lot is reported, not silently dropped", () => {
    const p = plan({ markets: M, leader: leader({ DOGE: 5 }) }); // 0.5 DOGE, lot 1
    expect(skipOf(p, "DOGE")?.detail).toContain("below one lot");
  });

  it("a full close is never skipped for the deadband or the $10 minimum", () => {
    const p = plan({ markets: M, leader: leader({}), ours: account({ SOL: 0.2 }) }); // $4
    expect(summary(p)).toEqual(["SOL sell 0.2 close ro"]);
  });

  it("a partial reduction under $10 waits (below-min-notional)", () => {
    const p = plan({ markets: M, leader: leader({ SOL: 100 }), ours: account({ SOL: 10.3 }) });
    expect(p.actions).toEqual([]);
    expect(skipOf(p, "SOL")?.reason).toBe("below-min-notional");
  });

  it("the $10 test values a sell at its limit price (the exchange does)", () => {
    // 0.5001 ETH: $10.002 at mid, $9.97 at the 30 bps sell limit.
    const eth = { ETH: market("ETH", 20, 4) };
    const p = plan({ markets: eth, leader: leader({ ETH: -5.001 }) });
    expect(skipOf(p, "ETH")?.reason).toBe("below-min-notional");
    const buy = plan({ markets: eth, leader: leader({ ETH: 5.001 }) });
    expect(summary(buy)).toEqual(["ETH buy 0.5001 open"]);
  });
});

describe("entry gate", () => {
  it("skips a buy when mid is more than maxEntryDriftBps above the leader's fill price", () => {
    const l = leader({ BTC: 1 }, 100_000, { lastFillPx: { BTC: 29_600 } }); // +135 bps
    const p = plan({ markets: M, leader: l });
    expect(p.actions).toEqual([]);
    expect(skipOf(p, "BTC")).toMatchObject({ reason: "entry-drift" });
    expect(p.inSync).toBe(false);
    const ok = plan({ markets: M, leader: leader({ BTC: 1 }, 100_000, { lastFillPx: { BTC: 29_800 } }) });
    expect(summary(ok)).toEqual(["BTC buy 0.1 open"]);
    expect(ok.actions[0]?.refPx).toBe(29_800);
  });

  it("skips a sell when mid is more than the limit below, using the entry price without a fill price", () => {
    const p = plan({ markets: M, leader: leader({ ETH: { size: -10, entryPx: 2050 } }) }); // −244 bps
    expect(skipOf(p, "ETH")?.reason).toBe("entry-drift");
    // A move in our favour is fine.
    const fine = plan({ markets: M, leader: leader({ ETH: { size: -10, entryPx: 1900 } }) });
    expect(summary(fine)).toEqual(["ETH sell 1 open"]);
  });

  it("never gates a reduction", () => {
    const p = plan({
      markets: M,
      leader: leader({ BTC: 0.5 }, 100_000, { lastFillPx: { BTC: 20_000 } }),
      ours: account({ BTC: 0.1 }),
    });
    expect(summary(p)).toEqual(["BTC sell 0.05 reduce ro"]);
    expect(p.actions[0]?.refPx).toBe(20_000);
  });
});

describe("flips", () => {
  it("long → short: a reduce-only close of ours plus a separate opening order", () => {
    const p = plan({ markets: M, leader: leader({ ETH: -5 }), ours: account({ ETH: 1 }) });
    expect(summary(p)).toEqual(["ETH sell 1 flip ro", "ETH sell 0.5 open"]);
    expect(p.actions[0]?.cloid).not.toBe(p.actions[1]?.cloid);
  });

  it("if the opening half is blocked the close still goes", () => {
    const p = plan({
      markets: M,
      leader: leader({ ETH: -5 }),
      ours: account({ ETH: 1 }),
      context: { dailyLossHit: true },
    });
    expect(summary(p)).toEqual(["ETH sell 1 flip ro"]);
    expect(skipOf(p, "ETH")?.reason).toBe("daily-loss");

    const tiny = plan({ markets: M, leader: leader({ ETH: -0.04 }), ours: account({ ETH: 1 }) });
    expect(summary(tiny)).toEqual(["ETH sell 1 flip ro"]);
    expect(skipOf(tiny, "ETH")?.reason).toBe("below-min-notional");
  });

  it("short → long under a cap: the open is capped, the close is whole", () => {
    const p = plan({
      markets: M,
      leader: leader({ BTC: 10 }),
      ours: account({ BTC: -0.5 }),
      settings: settingsWith({ risk: { maxNotionalPerCoin: 6000 } }),
    });
    expect(summary(p)).toEqual(["BTC buy 0.5 flip ro", "BTC buy 0.2 open"]);
  });
});

describe("run context", () => {
  it("kill switch: every position closes reduce-only, nothing opens", () => {
    const p = plan({
      markets: M,
      leader: leader({ BTC: 1, ETH: 10, SOL: 100 }),
      ours: account({ BTC: 0.1, ETH: -0.2, DOGE: 5 }),
      context: { halted: true },
    });
    expect(summary(p)).toEqual([
      "BTC sell 0.1 kill-switch ro",
      "DOGE sell 5 kill-switch ro",
      "ETH buy 0.2 kill-switch ro",
    ]);
    expect(skipOf(p, "SOL")?.reason).toBe("halted");
    expect(p.effectiveRatio).toBe(0);
  });

  it("daily loss and a stale leader block increases but not reductions", () => {
    for (const context of [{ dailyLossHit: true }, { staleLeader: true }]) {
      const p = plan({
        markets: M,
        leader: leader({ BTC: 1, ETH: 5 }),
        ours: account({ BTC: 0.05, ETH: 1 }),
        context,
      });
      expect(summary(p)).toEqual(["ETH sell 0.5 reduce ro"]);
      expect(skipOf(p, "BTC")?.reason).toBe(context.dailyLossHit ? "daily-loss" : "stale-leader");
      expect(p.inSync).toBe(false);
    }
  });

  it("a leader liquidation closes the coin with reason leader-liquidated", () => {
    const p = plan({
      markets: M,
      leader: leader({ BTC: 1 }),
      ours: account({ BTC: 0.1 }),
      context: { liquidatedCoins: ["BTC"] },
    });
    expect(summary(p)).toEqual(["BTC sell 0.1 leader-liquidated ro"]);
  });

  it("backoff skips a coin until its time; an order in flight skips it too", () => {
    const input = { markets: M, leader: leader({ BTC: 1 }) };
    const backing = plan({ ...input, context: { now: 1000, backoffUntil: { BTC: 5000 } } });
    expect(skipOf(backing, "BTC")).toMatchObject({ reason: "backoff" });
    expect(skipOf(backing, "BTC")?.detail).toContain("4s");
    expect(backing.inSync).toBe(false);
    const after = plan({ ...input, context: { now: 5000, backoffUntil: { BTC: 5000 } } });
    expect(summary(after)).toEqual(["BTC buy 0.1 open"]);
    const pending = plan({ ...input, context: { pendingCoins: ["BTC"] } });
    expect(skipOf(pending, "BTC")?.reason).toBe("order-pending");
  });

  it("a coin whose last order's outcome is unknown is held whole — increases and reductions — and is not in sync", () => {
    // Our model may or may not hold that order's fill: a close answered 500 may have closed
    // the 0.3 BTC this plan would otherwise reduce (or flip) on, and the open would come on top.
    const input = { markets: M, leader: leader({ BTC: -1 }), ours: account({ BTC: 0.3 }) };
    expect(summary(plan(input))).toEqual(["BTC sell 0.3 flip ro", "BTC sell 0.1 open"]);
    const held = plan({ ...input, context: { unknownCoins: ["BTC"] } });
    expect(summary(held)).toEqual([]);
    expect(skipOf(held, "BTC")).toMatchObject({ reason: "order-unknown" });
    expect(skipOf(held, "BTC")?.detail).toMatch(
      /not known yet, its reply lost: held until it is looked up by cloid/,
    );
    expect(held.inSync).toBe(false);
    // Other coins plan on.
    const other = plan({
      ...input,
      leader: leader({ BTC: -1, ETH: 10 }),
      context: { unknownCoins: ["BTC"] },
    });
    expect(summary(other)).toEqual(["ETH buy 1 open"]);
  });

  it("a backoff only rejected increases earned holds increases: a reduction, a flip's close and a flatten go", () => {
    const backoff = { now: 1000, increaseBackoffUntil: { BTC: 5000 } };
    const opening = plan({ markets: M, leader: leader({ BTC: 1 }), context: backoff });
    expect(summary(opening)).toEqual([]);
    expect(skipOf(opening, "BTC")).toMatchObject({
      reason: "backoff",
      detail: "backing off after a rejected increase: retry in 4s",
    });
    const held = { markets: M, ours: account({ BTC: 0.3 }) };
    expect(summary(plan({ ...held, leader: leader({ BTC: 1 }), context: backoff }))).toEqual([
      "BTC sell 0.2 reduce ro",
    ]);
    const flip = plan({ ...held, leader: leader({ BTC: -1 }), context: backoff });
    expect(summary(flip)).toEqual(["BTC sell 0.3 flip ro"]);
    expect(skipOf(flip, "BTC")?.detail).toBe(
      "flip: backing off after a rejected increase: retry in 4s; the close still goes",
    );
    const flatten = plan({
      ...held,
      leader: leader({ BTC: 3 }),
      context: { ...backoff, halted: true, haltKind: "manual" },
    });
    expect(summary(flatten)).toEqual(["BTC sell 0.3 flatten ro"]);
    // A backoff a rejected reduction earned still holds every order of the coin.
    const refused = plan({
      ...held,
      leader: leader({ BTC: 1 }),
      context: { now: 1000, backoffUntil: { BTC: 5000 } },
    });
    expect(summary(refused)).toEqual([]);
  });
});

describe("plan shape", () => {
  it("targets: one per coin with leader size, target, ours, signed drift in USD, mid and the deadband it tolerates", () => {
    const p = plan({ markets: M, leader: leader({ BTC: 1 }), ours: account({ BTC: 0.04, SOL: 1 }) });
    expect(p.targets).toEqual([
      {
        coin: "BTC",
        leaderSize: 1,
        targetSize: 0.1,
        ourSize: 0.04,
        driftUsd: expect.closeTo(1800),
        mid: 30_000,
        // max($10, deadbandPct 2 % × 0.1 × $30 000): what views show, never recomputed there
        deadbandUsd: 60,
        // which sizing mode sized it, with its inputs (reconcile --dry-run shows it)
        sizing: {
          mode: "equity-ratio",
          inputs: { weight: 1, ourEquity: 10_000, leaderEquity: 100_000, multiplier: 1, ratio: 0.1 },
          detail: "equity-ratio: our $10,000.00 / leader $100,000.00 × 1 = ratio 0.1",
        },
      },
      { coin: "SOL", leaderSize: 0, targetSize: 0, ourSize: 1, driftUsd: -20, mid: 20, deadbandUsd: 10 },
    ]);
  });

  it("reductions come first, then increases; reduceOnly exactly on the reductions", () => {
    const p = plan({ markets: M, leader: leader({ BTC: 1, SOL: 100 }), ours: account({ ETH: 1 }) });
    expect(summary(p)).toEqual(["ETH sell 1 close ro", "BTC buy 0.1 open", "SOL buy 10 open"]);
  });

  it("is idempotent: once the actions fill, the next plan does nothing and is in sync", () => {
    const input = {
      markets: M,
      leader: leader({ BTC: 1.234, ETH: -7.77, SOL: 55 }),
      ours: account({ DOGE: 500 }),
    };
    const first = plan(input);
    expect(first.inSync).toBe(false);
    const second = plan({ ...input, ours: applyPlan(input.ours, first) });
    expect(second.actions).toEqual([]);
    expect(second.inSync).toBe(true);
  });

  it("is deterministic, and cloids are 0x + 32 hex that change with the seed", () => {
    const input = { markets: M, leader: leader({ BTC: 1, ETH: -3 }) };
    const a = plan(input);
    expect(plan(input)).toEqual(a);
    for (const x of a.actions) expect(x.cloid).toMatch(/^0x[0-9a-f]{32}$/);
    const b = plan({ ...input, context: { cloidSeed: "other" } });
    expect(b.actions.map((x) => x.cloid)).not.toEqual(a.actions.map((x) => x.cloid));
  });

  it("hot path: `coins` plans only those coins, with the same decision as a full plan", () => {
    const input = { markets: M, leader: leader({ BTC: 1, ETH: -3, SOL: 40 }), ours: account({ DOGE: 400 }) };
    const full = plan(input);
    const hot = plan({ ...input, coins: ["ETH"] });
    expect(hot.actions).toEqual(full.actions.filter((a) => a.coin === "ETH"));
    expect(hot.targets.map((t) => t.coin)).toEqual(["ETH"]);
    expect(hot.portfolioScale).toBe(full.portfolioScale);
  });

  it("a coin already on target gets no skip entry; the plan is in sync", () => {
    const p = plan({ markets: M, leader: leader({ BTC: 1 }), ours: account({ BTC: 0.1 }) });
    expect(p.actions).toEqual([]);
    expect(p.skipped).toEqual([]);
    expect(p.inSync).toBe(true);
  });
});
