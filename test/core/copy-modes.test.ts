// Copy modes and limits on the one planner: sizing.direction inverse, copy.mode entry-only,
// risk.maxPositions and risk.maxCoinPctOfEquity — unit cases, then properties over random
// states on the reference markets (caps always win; reductions are never blocked).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { flagName, parseSettingInput } from "../../src/core/settings.js";
import type { Plan } from "../../src/core/types.js";
import { fcRuns } from "../helpers/fast-check.js";
import { account, leader, plan, REFERENCE_MARKETS, settingsWith } from "./planner-fixtures.js";

const ratio = (patch: Parameters<typeof settingsWith>[0] = {}) =>
  settingsWith({ ...patch, sizing: { mode: "fixed-ratio", ratio: 0.1, ...patch.sizing } });
const legs = (p: Plan) => p.actions.map((a) => [a.coin, a.side, a.size, a.reduceOnly, a.reason]);

describe("sizing.direction inverse", () => {
  it("takes the opposite side of every leader position, caps unchanged", () => {
    const p = plan({
      leader: leader({ BTC: 1, ETH: -10 }),
      settings: ratio({ sizing: { direction: "inverse" } }),
    });
    expect(legs(p)).toEqual([
      ["BTC", "sell", 0.1, false, "open"],
      ["ETH", "buy", 1, false, "open"],
    ]);
    const capped = plan({
      leader: leader({ ETH: -10 }),
      settings: ratio({ sizing: { direction: "inverse" }, risk: { maxNotionalPerCoin: 1000 } }),
    });
    const eth = REFERENCE_MARKETS.ETH?.mid ?? 0;
    expect(capped.actions[0]?.side).toBe("buy");
    expect((capped.actions[0]?.size ?? 0) * eth).toBeLessThanOrEqual(1000);
  });
});

describe("copy.mode entry-only", () => {
  const s = ratio({});
  const entryOnly = { ...s, copy: { mode: "entry-only" as const } };
  it("copies opens and adds", () => {
    expect(
      legs(plan({ leader: leader({ SOL: 100 }), ours: account({ SOL: 5 }), settings: entryOnly })),
    ).toEqual([["SOL", "buy", 5, false, "increase"]]);
  });
  it("does not copy the leader's reduction, close or flip, and says why (not drift)", () => {
    for (const leaderSol of [50, 0, -100]) {
      const p = plan({
        leader: leader(leaderSol === 0 ? { BTC: 1 } : { SOL: leaderSol }),
        ours: account({ SOL: 10 }),
        settings: entryOnly,
        coins: ["SOL"],
      });
      expect(p.actions).toEqual([]);
      expect(p.skipped.map((x) => x.reason)).toEqual(["entry-only"]);
      expect(p.inSync).toBe(true);
    }
  });
  it("still reduces for a cap, the kill switch and a leader liquidation", () => {
    const sol = REFERENCE_MARKETS.SOL?.mid ?? 0;
    const cap = plan({
      leader: leader({ SOL: 50 }),
      ours: account({ SOL: 10 }),
      settings: { ...entryOnly, risk: { ...entryOnly.risk, maxNotionalPerCoin: 5 * sol } },
    });
    expect(cap.actions.map((a) => [a.side, a.reduceOnly])).toEqual([["sell", true]]);
    const halted = plan({
      leader: leader({ SOL: 100 }),
      ours: account({ SOL: 10 }),
      settings: entryOnly,
      context: { halted: true },
    });
    expect(legs(halted)).toEqual([["SOL", "sell", 10, true, "kill-switch"]]);
    const liq = plan({
      leader: leader({}),
      ours: account({ SOL: 10 }),
      settings: entryOnly,
      context: { liquidatedCoins: ["SOL"] },
    });
    expect(legs(liq)).toEqual([["SOL", "sell", 10, true, "leader-liquidated"]]);
  });
  it("has its own flag, not sizing.mode's", () => {
    expect(flagName("copy.mode")).toBe("copy-mode");
    expect(flagName("sizing.mode")).toBe("mode");
    expect(parseSettingInput("copy.mode", "entry-only")).toBe("entry-only");
  });
});

describe("risk.maxPositions", () => {
  it("skips new coins beyond the limit, largest targets first, with a reason", () => {
    const p = plan({
      leader: leader({ BTC: 1, ETH: 10, SOL: 10, DOGE: 1000 }),
      ours: account({ SOL: 1 }),
      settings: ratio({ risk: { maxPositions: 2 } }),
    });
    // SOL is held (one place); BTC is the largest new target.
    expect(p.actions.map((a) => a.coin).sort()).toEqual(["BTC"]);
    expect(
      p.skipped
        .filter((x) => x.reason === "max-positions")
        .map((x) => x.coin)
        .sort(),
    ).toEqual(["DOGE", "ETH"]);
    // A standing decision, not drift: once BTC is open the copy is in sync.
    expect(p.skipped.every((x) => x.reason === "max-positions")).toBe(true);
  });
  it("never blocks a reduction or close of a held coin", () => {
    const p = plan({
      leader: leader({ BTC: 1 }),
      ours: account({ SOL: 1, ETH: 1, DOGE: 100 }),
      settings: ratio({ risk: { maxPositions: 1 } }),
    });
    expect(
      p.actions
        .filter((a) => a.reduceOnly)
        .map((a) => a.coin)
        .sort(),
    ).toEqual(["DOGE", "ETH", "SOL"]);
    expect(p.skipped.map((x) => [x.coin, x.reason])).toContainEqual(["BTC", "max-positions"]);
  });
});

describe("risk.maxCoinPctOfEquity", () => {
  it("caps a coin at that share of equity, beside the USD cap (the smaller wins)", () => {
    const btc = REFERENCE_MARKETS.BTC?.mid ?? 0;
    const p = plan({
      leader: leader({ BTC: 10 }),
      ours: account({}, 10_000),
      settings: ratio({ risk: { maxCoinPctOfEquity: 20, maxLeverage: 50 } }),
    });
    expect((p.actions[0]?.size ?? 0) * btc).toBeLessThanOrEqual(2_000 * (1 + 1e-9));
    expect(p.skipped.find((x) => x.coin === "BTC")?.detail).toMatch(/maxCoinPctOfEquity/);
  });
});

describe("properties (reference markets)", () => {
  const coins = ["BTC", "ETH", "SOL", "DOGE", "HYPE", "AVAX"].filter((c) => REFERENCE_MARKETS[c]);
  const arbBook = fc.dictionary(fc.constantFrom(...coins), fc.integer({ min: -2000, max: 2000 }), {
    maxKeys: 6,
  });
  const toSizes = (book: Record<string, number>, scale: number) =>
    Object.fromEntries(
      Object.entries(book)
        .filter(([, n]) => n !== 0)
        .map(([c, n]) => {
          const d = REFERENCE_MARKETS[c]?.szDecimals ?? 0;
          return [c, Number(((n * scale) / (REFERENCE_MARKETS[c]?.mid ?? 1)).toFixed(d)) || 0];
        })
        .filter(([, s]) => s !== 0),
    );

  it("caps always win, reductions are never blocked, inverse mirrors same, entry-only never reduces for the leader", () => {
    fc.assert(
      fc.property(
        arbBook,
        arbBook,
        fc.option(fc.integer({ min: 1, max: 6 }), { nil: null }),
        fc.option(fc.double({ min: 1, max: 100, noNaN: true }), { nil: null }),
        fc.boolean(),
        fc.constantFrom("mirror" as const, "entry-only" as const),
        (lb, ob, maxPositions, pct, inverse, mode) => {
          const leaderSizes = toSizes(lb, 100);
          const ourSizes = toSizes(ob, 1);
          const equity = 10_000;
          const base = ratio({
            sizing: { direction: inverse ? "inverse" : "same" },
            risk: { maxPositions, maxCoinPctOfEquity: pct, maxLeverage: 50 },
          });
          const settings = { ...base, copy: { mode } };
          const p = plan({ leader: leader(leaderSizes), ours: account(ourSizes, equity), settings });
          const after: Record<string, number> = { ...ourSizes };
          for (const a of p.actions)
            after[a.coin] = (after[a.coin] ?? 0) + (a.side === "buy" ? a.size : -a.size);
          const held = Object.values(ourSizes).filter((s) => s !== 0).length;
          const opened = Object.keys(after).filter(
            (c) => (after[c] ?? 0) !== 0 && !(ourSizes[c] ?? 0),
          ).length;
          if (maxPositions != null) expect(opened).toBeLessThanOrEqual(Math.max(0, maxPositions - held));
          for (const a of p.actions) {
            const before = ourSizes[a.coin] ?? 0;
            const now = after[a.coin] ?? 0;
            const grows = Math.abs(now) > Math.abs(before) + 1e-12 || Math.sign(now) * Math.sign(before) < 0;
            const mid = REFERENCE_MARKETS[a.coin]?.mid ?? 0;
            // Every growing position respects the per-coin cap in % of equity.
            if (grows && pct != null)
              expect(Math.abs(now) * mid).toBeLessThanOrEqual((pct / 100) * equity * (1 + 1e-9) + mid * 1e-9);
            // Increases go the copy's direction.
            if (grows && !a.reduceOnly) {
              const want = Math.sign(leaderSizes[a.coin] ?? 0) * (inverse ? -1 : 1);
              expect(Math.sign(now)).toBe(want);
            }
            // entry-only: a reduction only for a cap (never below what the cap allows).
            if (mode === "entry-only" && a.reduceOnly && pct != null) {
              expect(Math.abs(now) * mid).toBeGreaterThan(
                (pct / 100) * equity - 2 * mid * 10 ** -(REFERENCE_MARKETS[a.coin]?.szDecimals ?? 0) - 1e-6,
              );
            }
            if (mode === "entry-only" && a.reduceOnly && pct == null)
              throw new Error(`entry-only reduced ${a.coin} without a cap`);
          }
          // A held coin is never skipped for max-positions (its reduction is never blocked).
          for (const s of p.skipped) if (s.reason === "max-positions") expect(ourSizes[s.coin] ?? 0).toBe(0);
        },
      ),
      { numRuns: fcRuns(400) },
    );
  });
});
