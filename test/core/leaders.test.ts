// Per-leader rules, pure: the allocation cap (one factor per leader), the breakers' gates
// (leverage, a coin new to the leader) that drop only a gated leader's increases, a leader
// no longer followed (its share closed, the others copied), the per-leader book — then
// properties: gates and unfollowing never block a reduction and never grow a target.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  attribute,
  bookDrawdownPct,
  bookValue,
  contributions,
  copyRatios,
  isNewCoin,
  type LeaderGate,
  leaderLeverage,
  leaderSides,
  leverageGates,
  markBook,
  NEW_COIN_WINDOW_MS,
  newBook,
  newCoinGates,
  newCoinsFromHistory,
  opensPosition,
  remainingShed,
} from "../../src/core/leaders.js";
import { sizeToLots } from "../../src/core/rounding.js";
import type { Plan } from "../../src/core/types.js";
import { fcRuns } from "../helpers/fast-check.js";
import {
  account,
  LEADER,
  LEADER2,
  leader,
  plan,
  REFERENCE_MARKETS,
  settingsWith,
} from "./planner-fixtures.js";

const ratio = (patch: Parameters<typeof settingsWith>[0] = {}) =>
  settingsWith({ ...patch, sizing: { mode: "fixed-ratio", ratio: 0.1, ...patch.sizing } });
const legs = (p: Plan) => p.actions.map((a) => [a.coin, a.side, a.size, a.reduceOnly, a.reason]);
const mid = (coin: string) => REFERENCE_MARKETS[coin]?.mid ?? 0;
const second = (positions: Parameters<typeof leader>[0], extra = {}) =>
  leader(positions, 100_000, { address: LEADER2, ...extra });

describe("risk.maxAllocationPct", () => {
  it("scales only the leader whose share is over the cap, by one factor across its coins", () => {
    // Leader 1: 1 BTC + 10 ETH at ratio 0.1 → 0.1 BTC + 1 ETH; leader 2: a small SOL position.
    const s = ratio({ risk: { maxAllocationPct: 30, maxLeverage: 50 } });
    const ours = account({}, 10_000);
    const gross = 0.1 * mid("BTC") + 1 * mid("ETH");
    const limit = 3_000;
    const r = copyRatios([leader({ BTC: 1, ETH: 10 }), second({ SOL: 10 })], ours, REFERENCE_MARKETS, s);
    expect(gross).toBeGreaterThan(limit);
    expect(r.allocation.map((a) => [a.leader, a.limitUsd])).toEqual([[LEADER, limit]]);
    expect(r.ratios[0]?.ratio).toBeCloseTo((0.1 * limit) / gross, 12);
    expect(r.ratios[1]?.ratio).toBe(0.1);
    const p = plan({ leaders: [leader({ BTC: 1, ETH: 10 }), second({ SOL: 10 })], ours, settings: s });
    let used = 0;
    for (const a of p.actions) if (a.coin !== "SOL") used += a.size * mid(a.coin);
    expect(used).toBeLessThanOrEqual(limit);
    // Proportions kept: BTC and ETH cut by the same factor (to whole lots).
    const btc = p.actions.find((a) => a.coin === "BTC")?.size ?? 0;
    const eth = p.actions.find((a) => a.coin === "ETH")?.size ?? 0;
    expect(btc / 0.1).toBeCloseTo(eth / 1, 1);
    expect(p.actions.find((a) => a.coin === "SOL")?.size).toBe(1);
    expect(p.skipped.filter((x) => x.reason === "allocation-cap").map((x) => x.coin)).toEqual(["BTC", "ETH"]);
    expect(p.allocation?.[0]?.leader).toBe(LEADER);
    expect(p.inSync).toBe(false);
  });

  it("off (none) changes nothing", () => {
    const r = copyRatios([leader({ BTC: 10 })], account({}), REFERENCE_MARKETS, ratio());
    expect(r.allocation).toEqual([]);
    expect(r.ratios[0]?.ratio).toBe(0.1);
  });
});

describe("leader breakers: gates", () => {
  it("leverage: a leader above the limit is gated on every coin, back under it is not", () => {
    const l = leader({ BTC: 1 }, 10_000);
    const lev = leaderLeverage(l, REFERENCE_MARKETS) ?? 0;
    expect(lev).toBeCloseTo(mid("BTC") / 10_000, 9);
    expect(
      leverageGates([l], REFERENCE_MARKETS, lev - 0.5).map((g) => [g.leader, g.coins, g.reason]),
    ).toEqual([[LEADER, null, "leader-leverage"]]);
    expect(leverageGates([l], REFERENCE_MARKETS, lev + 0.5)).toEqual([]);
    expect(leverageGates([l], REFERENCE_MARKETS, null)).toEqual([]);
  });

  const gate = (leader_: typeof LEADER, coins: string[] | null = null): LeaderGate => ({
    leader: leader_,
    coins,
    reason: coins ? "leader-new-coin" : "leader-leverage",
    detail: "gated",
  });

  it("drops the increase only the gated leader asks for; the other leader's part and every reduction go", () => {
    const s = ratio();
    // Both leaders long SOL: leader 1 (gated) 100, leader 2 50 → 15 wanted; ours 2.
    const both = plan({
      leaders: [leader({ SOL: 100 }), second({ SOL: 50 })],
      ours: account({ SOL: 2 }),
      settings: s,
      context: { leaderGates: [gate(LEADER)] },
    });
    expect(legs(both)).toEqual([["SOL", "buy", 3, false, "increase"]]);
    expect(both.skipped.map((x) => [x.coin, x.reason])).toEqual([["SOL", "leader-leverage"]]);
    // Only the gated leader holds it: nothing opened, and it is a standing decision (in sync).
    const alone = plan({
      leader: leader({ ETH: 10 }),
      ours: account({}),
      settings: s,
      context: { leaderGates: [gate(LEADER, ["ETH"])] },
    });
    expect(alone.actions).toEqual([]);
    expect(alone.skipped.map((x) => x.reason)).toEqual(["leader-new-coin"]);
    expect(alone.inSync).toBe(true);
    // A gate on another coin does not touch this one.
    expect(
      legs(
        plan({
          leader: leader({ ETH: 10 }),
          ours: account({}),
          settings: s,
          context: { leaderGates: [gate(LEADER, ["BTC"])] },
        }),
      ),
    ).toEqual([["ETH", "buy", 1, false, "open"]]);
    // The gated leader reduces: copied.
    const reduce = plan({
      leader: leader({ SOL: 20 }),
      ours: account({ SOL: 10 }),
      settings: s,
      context: { leaderGates: [gate(LEADER)] },
    });
    expect(legs(reduce)).toEqual([["SOL", "sell", 8, true, "reduce"]]);
    // The gated leader flips: ours closes, the new side is not opened.
    const flip = plan({
      leader: leader({ SOL: -20 }),
      ours: account({ SOL: 10 }),
      settings: s,
      context: { leaderGates: [gate(LEADER)] },
    });
    expect(legs(flip)).toEqual([["SOL", "sell", 10, true, "close"]]);
  });

  it("new coin: an open is new when the leader's last earlier fill in the coin is over 30 days old", () => {
    const day = 86_400_000;
    expect(isNewCoin(null, 100 * day)).toBe(true);
    expect(isNewCoin(60 * day, 100 * day)).toBe(true);
    expect(isNewCoin(75 * day, 100 * day)).toBe(false);
    expect(opensPosition({ side: "buy", sz: 1, startPosition: 0 })).toBe(true);
    expect(opensPosition({ side: "buy", sz: 3, startPosition: -1 })).toBe(true);
    expect(opensPosition({ side: "buy", sz: 1, startPosition: 1 })).toBe(false);
    expect(opensPosition({ side: "sell", sz: 1, startPosition: 1 })).toBe(false);
    const fill = (coin: string, time: number, side: "buy" | "sell", sz: number, startPosition: number) => ({
      coin,
      time,
      side,
      sz,
      startPosition,
    });
    const history = [
      fill("BTC", 1 * day, "buy", 1, 0), // BTC traded…
      fill("BTC", 2 * day, "sell", 1, 1),
      fill("BTC", 20 * day, "buy", 1, 0), // …and re-opened within 30 days: not new
      fill("ETH", 50 * day, "buy", 1, 0), // ETH opened with no earlier fill: new
      fill("SOL", 3 * day, "buy", 1, 0),
      fill("SOL", 4 * day, "sell", 1, 1),
      fill("SOL", 50 * day, "sell", 2, 0), // SOL last traded 46 days before: new
    ];
    expect(newCoinsFromHistory(history, ["BTC", "ETH", "SOL", "DOGE"], NEW_COIN_WINDOW_MS)).toEqual([
      "ETH",
      "SOL",
    ]);
    expect(newCoinGates({ [LEADER]: ["SOL", "ETH"], [LEADER2]: [] })).toMatchObject([
      { leader: LEADER, coins: ["ETH", "SOL"], reason: "leader-new-coin" },
    ]);
  });
});

describe("a leader no longer followed", () => {
  it("mirror: its contribution goes, the other leader's stays; the reduction carries leader-unfollowed", () => {
    const p = plan({
      leaders: [leader({ SOL: 100 }, 100_000, { unfollowed: true }), second({ SOL: 50, ETH: 10 })],
      ours: account({ SOL: 15, ETH: 1 }),
      settings: ratio(),
      context: { shed: { SOL: 10 } },
    });
    expect(legs(p)).toEqual([["SOL", "sell", 10, true, "leader-unfollowed"]]);
    expect(p.targets.find((t) => t.coin === "SOL")?.leaderSize).toBe(50);
    expect(p.leaderRatios?.[LEADER]).toBe(0);
  });

  it("entry-only: its share is closed, the rest is still held; with every leader unfollowed the shed closes all", () => {
    const s = { ...ratio(), copy: { mode: "entry-only" as const } };
    const p = plan({
      leaders: [leader({}, 100_000, { unfollowed: true }), second({})],
      ours: account({ SOL: 15 }),
      settings: s,
      context: { shed: { SOL: 10 } },
    });
    expect(legs(p)).toEqual([["SOL", "sell", 10, true, "leader-unfollowed"]]);
    const all = plan({
      leaders: [leader({ BTC: 1 }, 100_000, { unfollowed: true })],
      ours: account({ BTC: 0.1 }),
      settings: s,
      context: { shed: { BTC: 0.1 } },
    });
    expect(legs(all)).toEqual([["BTC", "sell", 0.1, true, "leader-unfollowed"]]);
    // Nothing left to shed: held as before.
    const held = plan({
      leaders: [leader({}, 100_000, { unfollowed: true }), second({})],
      ours: account({ SOL: 5 }),
      settings: s,
    });
    expect(held.actions).toEqual([]);
    expect(held.targets[0]?.held).toBe(true);
  });

  it("remainingShed: what is left once our position shrank by the share", () => {
    expect(remainingShed(10, 15, 15)).toBe(10);
    expect(remainingShed(10, 15, 11)).toBe(6);
    expect(remainingShed(10, 15, 5)).toBe(0);
    expect(remainingShed(10, 15, 20)).toBe(10); // grew (another leader added): still all of it
    expect(remainingShed(-4, -6, -6)).toBe(-4);
    expect(remainingShed(10, 15, 0)).toBe(0);
    expect(remainingShed(10, 15, -3)).toBe(0);
  });
});

describe("the per-leader book", () => {
  const s = ratio();
  it("attributes our position by contribution on our side, keeps the last shares when none contributes", () => {
    const leaders = [leader({ SOL: 100 }), second({ SOL: 50 })];
    const c = contributions(leaders, copyRatios(leaders, account({}), REFERENCE_MARKETS, s).ratios, s);
    const a = attribute(c, account({ SOL: 15 }).positions, {});
    expect(a.sizes[LEADER]?.SOL).toBeCloseTo(10, 12);
    expect(a.sizes[LEADER2]?.SOL).toBeCloseTo(5, 12);
    // Both leaders closed (entry-only holds ours): the shares stay.
    const held = attribute({}, account({ SOL: 15 }).positions, a.shares);
    expect(held.sizes[LEADER]?.SOL).toBeCloseTo(10, 12);
    // Without an excluded leader, the others take the whole.
    const rest = attribute({}, account({ SOL: 15 }).positions, a.shares, new Set([LEADER]));
    expect(rest.sizes[LEADER2]?.SOL).toBeCloseTo(15, 12);
    expect(rest.sizes[LEADER]).toBeUndefined();
  });

  it("marks to market: P&L of the attributed size between marks, high-water mark, drawdown", () => {
    let b = newBook(10_000, 0);
    b = markBook(b, { SOL: 10 }, { SOL: 100 });
    expect(bookValue(b)).toBe(10_000);
    b = markBook(b, { SOL: 10 }, { SOL: 120 });
    expect([b.pnl, b.hwm]).toEqual([200, 10_200]);
    b = markBook(b, { SOL: -5 }, { SOL: 20 });
    expect(b.pnl).toBe(200 - 1000);
    expect(bookDrawdownPct(b)).toBeCloseTo((1000 / 10_200) * 100, 9);
    // A coin new to the book is valued from our entry, not from this mark.
    expect(markBook(newBook(1000, 0), { ETH: 2 }, { ETH: 110 }, { ETH: 100 }).pnl).toBe(20);
    // The short gains as the price falls.
    b = markBook(b, {}, { SOL: 10 });
    expect(b.pnl).toBe(-800 + 50);
    expect(b.sizes).toEqual({});
  });
});

describe("properties: gates and unfollowing never block a reduction nor grow a target", () => {
  const coins = ["BTC", "ETH", "SOL", "DOGE"];
  const arbSizes = fc.dictionary(
    fc.constantFrom(...coins),
    fc.integer({ min: -50, max: 50 }).map((n) => n / 10),
  );
  it("against the same plan without them", () => {
    fc.assert(
      fc.property(
        arbSizes,
        arbSizes,
        arbSizes,
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom("mirror", "entry-only"),
        (l1, l2, ours, gated, unfollow, mode) => {
          const s = {
            ...ratio({ risk: { maxLeverage: 50 } }),
            copy: { mode: mode as "mirror" | "entry-only" },
          };
          const ourAcct = account(
            Object.fromEntries(Object.entries(ours).filter(([, v]) => v !== 0)),
            100_000,
          );
          // The same plan without the gate, and (when unfollowing) without the first leader.
          const base = plan({
            leaders: unfollow ? [second(l2)] : [leader(l1), second(l2)],
            ours: ourAcct,
            settings: s,
          });
          const shed: Record<string, number> = {};
          if (unfollow) for (const [c, v] of Object.entries(ours)) if (v !== 0) shed[c] = v / 2;
          const p = plan({
            leaders: [leader(l1, 100_000, { unfollowed: unfollow }), second(l2)],
            ours: ourAcct,
            settings: s,
            context: {
              leaderGates: gated
                ? [{ leader: LEADER, coins: null, reason: "leader-leverage", detail: "x" }]
                : [],
              ...(unfollow ? { shed } : {}),
            },
          });
          for (const t of p.targets) {
            const m = REFERENCE_MARKETS[t.coin];
            if (!m) continue;
            const b = base.targets.find((x) => x.coin === t.coin);
            // Never grows beyond max(ours, the target without the gate/unfollow) on either side.
            const cap = Math.max(Math.abs(t.ourSize), Math.abs(b?.targetSize ?? 0));
            expect(Math.abs(sizeToLots(t.targetSize, m.szDecimals))).toBeLessThanOrEqual(
              Math.abs(sizeToLots(cap, m.szDecimals)),
            );
          }
          // Every reduction the base plan sends is still sent (same coin, at least as much).
          for (const a of base.actions.filter((x) => x.reduceOnly)) {
            const same = p.actions.filter((x) => x.coin === a.coin && x.reduceOnly);
            expect(same.reduce((acc, x) => acc + x.size, 0)).toBeGreaterThanOrEqual(a.size - 1e-9);
          }
          for (const a of p.actions) if (a.reason === "leader-unfollowed") expect(a.reduceOnly).toBe(true);
        },
      ),
      { numRuns: fcRuns(300) },
    );
  });
});

describe("leaderSides: the leaders' side of a coin, as the copy weighs them (the stops' re-entry rule)", () => {
  const eq = settingsWith({ sizing: { mode: "equity-ratio", multiplier: 1 } });
  const ours = account({}, 100_000);
  // A ($1M) short 10 SOL, B ($100k) long 2 SOL, 0.5/0.5: the copy is A −0.5 + B +1 = long 0.5.
  const a = leader({ SOL: -10 }, 1_000_000, { weight: 0.5 });
  const b = leader({ SOL: 2 }, 100_000, { address: LEADER2, weight: 0.5 });

  it("is Σ ratio × size: long where the copy is long, though Σ weight × size (−4) reads short", () => {
    const { ratios } = copyRatios([a, b], ours, REFERENCE_MARKETS, eq);
    expect(leaderSides([a, b], ratios).SOL).toBeCloseTo(0.5);
  });

  it("a leader no longer followed counts for nothing", () => {
    const views = [{ ...a, unfollowed: true as const }, b];
    const { ratios } = copyRatios(views, ours, REFERENCE_MARKETS, eq);
    expect(leaderSides(views, ratios).SOL).toBeCloseTo(1);
  });

  it("with a ratio not known (an input missing) the weights stand in for every leader", () => {
    const { ratios } = copyRatios([a, b], ours, REFERENCE_MARKETS, eq);
    const unknown = ratios.map((r, i) =>
      i === 1 ? { ...r, ratio: 0, missing: "kelly: edge not read yet" } : r,
    );
    expect(leaderSides([a, b], unknown).SOL).toBeCloseTo(-4);
  });

  it("one leader: its own sizes × its weight, as before", () => {
    expect(leaderSides([leader({ BTC: 1, ETH: -2 })], [])).toEqual({ BTC: 1, ETH: -2 });
  });
});
