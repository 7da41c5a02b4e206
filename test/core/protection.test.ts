// Resting protection, the pure part: which triggers each position should have, what to send
// to get there, the trailing stop's ratchet and step, and the stopped-out gate in the planner.
// Property tests on the reference markets: always reduce-only, never beyond the position,
// valid prices and sizes, and a diff that is empty once applied.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isCloid } from "../../src/core/cloid.js";
import {
  type DesiredTrigger,
  desiredProtection,
  diffProtection,
  keepStoppedOut,
  markTierFired,
  protectionOn,
  type RestingTrigger,
  sizesAfter,
  tierSizes,
  triggerAction,
  triggerCloses,
  updateBestPrices,
  updateTiersFired,
} from "../../src/core/protection.js";
import { isValidPrice, isValidSize, sizeToWire } from "../../src/core/rounding.js";
import { parseTakeProfitTiers } from "../../src/core/settings.js";
import type { Position, Positions } from "../../src/core/types.js";
import { fcRuns } from "../helpers/fast-check.js";
import { account, leader, plan, REFERENCE_MARKETS, settingsWith } from "./planner-fixtures.js";

const pos = (coin: string, size: number, entryPx: number): Positions => ({ [coin]: { coin, size, entryPx } });

function resting(ts: DesiredTrigger[], oid0 = 1): RestingTrigger[] {
  return ts.map((t, i) => ({
    coin: t.coin,
    kind: t.kind,
    oid: oid0 + i,
    cloid: `0x${String(oid0 + i).padStart(32, "0")}`,
    side: t.side,
    size: t.size,
    triggerPx: t.triggerPx,
  }));
}

describe("desiredProtection", () => {
  it("is off by default", () => {
    const s = settingsWith({});
    expect(protectionOn(s)).toBe(false);
    expect(
      desiredProtection({
        positions: pos("BTC", 1, 100_000),
        markets: REFERENCE_MARKETS,
        settings: s,
        best: {},
      }),
    ).toEqual([]);
  });

  it("a long gets a sell stop below and a sell take-profit above its entry, sized to the whole position", () => {
    const s = settingsWith({ risk: { stopLossPct: 8, takeProfitPct: 20 } });
    const d = desiredProtection({
      positions: pos("BTC", 0.25, 100_000),
      markets: REFERENCE_MARKETS,
      settings: s,
      best: {},
    });
    expect(d.map((t) => [t.kind, t.side, t.size, t.triggerPx])).toEqual([
      ["stop-loss", "sell", 0.25, 92_000],
      ["take-profit", "sell", 0.25, 120_000],
    ]);
    // Market triggers bounded 10 % beyond the trigger price.
    expect(d[0]?.limitPx).toBe(82_800);
  });

  it("a short gets buy triggers mirrored", () => {
    const s = settingsWith({ risk: { stopLossPct: 5, takeProfitPct: 10 } });
    const d = desiredProtection({
      positions: pos("ETH", -2, 3000),
      markets: REFERENCE_MARKETS,
      settings: s,
      best: {},
    });
    expect(d.map((t) => [t.kind, t.side, t.size, t.triggerPx])).toEqual([
      ["stop-loss", "buy", 2, 3150],
      ["take-profit", "buy", 2, 2700],
    ]);
  });

  it("a trailing stop follows the best price since entry and the tighter stop wins", () => {
    const s = settingsWith({ risk: { stopLossPct: 5, trailingStopPct: 3 } });
    const positions = pos("ETH", 1, 3000);
    let best = updateBestPrices({}, positions, { ETH: 2950 });
    expect(best.ETH).toEqual({ dir: 1, best: 3000 });
    // Trailing from 3000: 2910, tighter than the fixed 2850.
    expect(
      desiredProtection({ positions, markets: REFERENCE_MARKETS, settings: s, best })[0]?.triggerPx,
    ).toBe(2910);
    best = updateBestPrices(best, positions, { ETH: 3300 });
    best = updateBestPrices(best, positions, { ETH: 3100 });
    expect(best.ETH?.best).toBe(3300);
    const [stop] = desiredProtection({ positions, markets: REFERENCE_MARKETS, settings: s, best });
    expect([stop?.triggerPx, stop?.trailing]).toEqual([3201, true]);
    // A flip starts a new record from the new entry.
    expect(updateBestPrices(best, pos("ETH", -1, 3100), { ETH: 3150 }).ETH).toEqual({ dir: -1, best: 3100 });
  });
});

describe("diffProtection", () => {
  const s = settingsWith({ risk: { stopLossPct: 5, takeProfitPct: 10, trailingStepPct: 1 } });
  const desired = (size: number, entry: number) =>
    desiredProtection({
      positions: pos("SOL", size, entry),
      markets: REFERENCE_MARKETS,
      settings: s,
      best: {},
    });

  it("places what is missing, keeps what matches, modifies what changed, cancels what has no position", () => {
    const want = desired(10, 150);
    expect(diffProtection(want, [], REFERENCE_MARKETS, s).place).toEqual(want);
    const now = resting(want);
    const same = diffProtection(want, now, REFERENCE_MARKETS, s);
    expect([same.place, same.modify, same.cancel]).toEqual([[], [], []]);
    const grown = diffProtection(desired(20, 150), now, REFERENCE_MARKETS, s);
    expect(grown.modify.map((m) => [m.from.oid, m.to.size])).toEqual([
      [1, 20],
      [2, 20],
    ]);
    expect(diffProtection([], now, REFERENCE_MARKETS, s).cancel).toEqual(now);
  });

  it("cancels duplicates of one coin and kind, keeping the matching one", () => {
    const want = desired(10, 150);
    const dup = [...resting(want, 1), ...resting(want, 10)];
    const d = diffProtection(want, dup, REFERENCE_MARKETS, s);
    expect(d.keep.map((r) => r.oid)).toEqual([1, 2]);
    expect(d.cancel.map((r) => r.oid)).toEqual([10, 11]);
  });

  it("moves a trailing stop only by a full step, and never looser", () => {
    const t = settingsWith({ risk: { trailingStopPct: 5, trailingStepPct: 1 } });
    const positions = pos("SOL", 10, 100);
    const at = (bestPx: number) =>
      desiredProtection({
        positions,
        markets: REFERENCE_MARKETS,
        settings: t,
        best: { SOL: { dir: 1, best: bestPx } },
      });
    const now = resting(at(100));
    expect(now[0]?.triggerPx).toBe(95);
    // Best 100.5: the stop would move 0.5 % — under one step, kept.
    expect(diffProtection(at(100.5), now, REFERENCE_MARKETS, t).modify).toEqual([]);
    // Best 101.5: 1.5 % — moved.
    expect(diffProtection(at(101.5), now, REFERENCE_MARKETS, t).modify.map((m) => m.to.triggerPx)).toEqual([
      96.425,
    ]);
  });
});

describe("triggerAction", () => {
  it("is a reduce-only market trigger with a deterministic cloid per seed", () => {
    const [stop] = desiredProtection({
      positions: pos("BTC", 0.5, 100_000),
      markets: REFERENCE_MARKETS,
      settings: settingsWith({ risk: { stopLossPct: 10 } }),
      best: {},
    });
    if (!stop) throw new Error("no stop");
    const a = triggerAction(stop, 5, "seed-1");
    expect(a).toMatchObject({
      coin: "BTC",
      side: "sell",
      size: 0.5,
      reduceOnly: true,
      reason: "stop-loss",
      trigger: { triggerPx: 90_000, tpsl: "sl", isMarket: true },
    });
    expect(isCloid(a.cloid)).toBe(true);
    expect(triggerAction(stop, 5, "seed-1").cloid).toBe(a.cloid);
    expect(triggerAction(stop, 5, "seed-2").cloid).not.toBe(a.cloid);
  });
});

describe("stopped-out", () => {
  it("stays while the leaders keep their side, leaves on a close or a flip", () => {
    expect(keepStoppedOut({ BTC: 1, ETH: -1, SOL: 1 }, { BTC: 2, ETH: 1 })).toEqual({ BTC: 1 });
  });

  it("blocks the planner's re-entry but never a reduction", () => {
    const s = settingsWith({ sizing: { mode: "fixed-ratio", ratio: 0.1 } });
    const blocked = plan({
      leader: leader({ BTC: 1 }),
      ours: account({}),
      settings: s,
      context: { stoppedOut: ["BTC"] },
    });
    expect(blocked.actions).toEqual([]);
    expect(blocked.skipped.map((x) => x.reason)).toEqual(["stopped-out"]);
    expect(blocked.inSync).toBe(true);
    const reduce = plan({
      leader: leader({ BTC: 1 }),
      ours: account({ BTC: 0.5 }),
      settings: s,
      context: { stoppedOut: ["BTC"] },
    });
    expect(reduce.actions.map((a) => [a.side, a.size, a.reduceOnly])).toEqual([["sell", 0.4, true]]);
  });
});

describe("properties (reference markets)", () => {
  const coins = Object.keys(REFERENCE_MARKETS);
  const arbPosition = fc.record({
    coin: fc.constantFrom(...coins),
    lots: fc.integer({ min: -1_000_000, max: 1_000_000 }).filter((n) => n !== 0),
    entryFactor: fc.double({ min: 0.2, max: 5, noNaN: true }),
  });
  const arbSettings = fc.record({
    stopLossPct: fc.option(fc.double({ min: 0.1, max: 99, noNaN: true }), { nil: null }),
    takeProfitPct: fc.option(fc.double({ min: 0.1, max: 500, noNaN: true }), { nil: null }),
    trailingStopPct: fc.option(fc.double({ min: 0.1, max: 99, noNaN: true }), { nil: null }),
    bestFactor: fc.double({ min: 0.5, max: 2, noNaN: true }),
  });

  it("every trigger is reduce-only, on the closing side, never beyond the position, with valid price and size; applying the diff leaves nothing to send", () => {
    fc.assert(
      fc.property(fc.array(arbPosition, { maxLength: 6 }), arbSettings, (raw, r) => {
        const positions: Positions = {};
        for (const p of raw) {
          const m = REFERENCE_MARKETS[p.coin];
          if (!m) continue;
          const size =
            Number(sizeToWire(Math.abs(p.lots) / 10 ** m.szDecimals, m.szDecimals)) * Math.sign(p.lots);
          if (size === 0) continue;
          positions[p.coin] = { coin: p.coin, size, entryPx: m.mid * p.entryFactor } satisfies Position;
        }
        const settings = settingsWith({
          risk: {
            stopLossPct: r.stopLossPct,
            takeProfitPct: r.takeProfitPct,
            trailingStopPct: r.trailingStopPct,
          },
        });
        const marks = Object.fromEntries(
          Object.keys(positions).map((c) => [c, (REFERENCE_MARKETS[c]?.mid ?? 1) * r.bestFactor]),
        );
        const best = updateBestPrices({}, positions, marks);
        const want = desiredProtection({ positions, markets: REFERENCE_MARKETS, settings, best });
        for (const t of want) {
          const p = positions[t.coin] as Position;
          const m = REFERENCE_MARKETS[t.coin];
          if (!m) throw new Error("market");
          expect(t.side).toBe(p.size > 0 ? "sell" : "buy");
          expect(t.size).toBeLessThanOrEqual(Math.abs(p.size));
          const a = triggerAction(t, m.szDecimals, "p");
          expect(a.reduceOnly).toBe(true);
          expect(a.size).toBeLessThanOrEqual(Math.abs(p.size));
          expect(isValidSize(a.size, m.szDecimals)).toBe(true);
          expect(isValidPrice(t.triggerPx, m.szDecimals)).toBe(true);
          expect(isValidPrice(t.limitPx, m.szDecimals)).toBe(true);
          // A stop closes on the losing side of the entry or the trail; a take-profit beyond the entry.
          if (t.kind === "take-profit")
            expect(p.size > 0 ? t.triggerPx > p.entryPx * 0.999 : t.triggerPx < p.entryPx * 1.001).toBe(true);
        }
        const perCoin = new Map<string, number>();
        for (const t of want)
          perCoin.set(`${t.coin}|${t.kind}`, (perCoin.get(`${t.coin}|${t.kind}`) ?? 0) + 1);
        expect([...perCoin.values()].every((n) => n === 1)).toBe(true);
        const d = diffProtection(want, resting(want), REFERENCE_MARKETS, settings);
        expect([d.place, d.modify, d.cancel]).toEqual([[], [], []]);
      }),
      { numRuns: fcRuns(300) },
    );
  });
});

describe("take-profit tiers", () => {
  const tiers = (text: string) =>
    settingsWith({ risk: { takeProfitTiers: parseTakeProfitTiers(text), stopLossPct: 5 } });

  it('"3:0.5,6:0.5" rests half at +3 % and the rest at +6 %, beside the stop; all reduce-only', () => {
    const s = tiers("3:0.5,6:0.5");
    expect(protectionOn(tiers("3:0.5"))).toBe(true);
    const d = desiredProtection({
      positions: pos("BTC", 0.25, 100_000),
      markets: REFERENCE_MARKETS,
      settings: s,
      best: {},
    });
    expect(d.map((t) => [t.kind, t.side, t.size, t.triggerPx, t.tier])).toEqual([
      ["stop-loss", "sell", 0.25, 95_000, undefined],
      ["take-profit", "sell", 0.125, 103_000, 0],
      ["take-profit", "sell", 0.125, 106_000, 1],
    ]);
    // Distinct, deterministic cloids per tier.
    const [a, b] = d.slice(1).map((t) => triggerAction(t, 5, "seed").cloid);
    expect(a).not.toBe(b);
    expect(triggerAction(d[1] as DesiredTrigger, 5, "seed").cloid).toBe(a);
  });

  it("a fired tier is not placed again; the tiers left share the smaller position", () => {
    const s = tiers("3:0.3,6:0.3");
    const fired = markTierFired({}, "ETH", -1, 0);
    const before = desiredProtection({
      positions: pos("ETH", -10, 3000),
      markets: REFERENCE_MARKETS,
      settings: s,
      best: {},
    }).filter((t) => t.kind === "take-profit");
    expect(before.map((t) => [t.side, t.size, t.triggerPx, t.tier])).toEqual([
      ["buy", 3, 2910, 0],
      ["buy", 3, 2820, 1],
    ]);
    // Tier 0 fired: 7 left, tier 1 is still 0.3 of the original 10.
    const after = desiredProtection({
      positions: pos("ETH", -7, 3000),
      markets: REFERENCE_MARKETS,
      settings: s,
      best: {},
      tiersFired: fired,
    }).filter((t) => t.kind === "take-profit");
    expect(after.map((t) => [t.size, t.tier])).toEqual([[3, 1]]);
    // The fired record lasts while the position stays short; a close or a flip resets it.
    expect(updateTiersFired(fired, pos("ETH", -7, 3000))).toEqual(fired);
    expect(updateTiersFired(fired, pos("ETH", 7, 3000))).toEqual({});
    expect(updateTiersFired(fired, {})).toEqual({});
  });

  it("with fractions summing to 1 the last tier closes the whole rest (no dust lot)", () => {
    expect(tierSizes(parseTakeProfitTiers("3:0.5,6:0.5") ?? [], 7, undefined, 1)).toEqual([
      { tier: 0, lots: 3 },
      { tier: 1, lots: 4 },
    ]);
    expect(tierSizes(parseTakeProfitTiers("1:0.34,2:0.33,3:0.33") ?? [], 10, undefined, 1)).toEqual([
      { tier: 0, lots: 3 },
      { tier: 1, lots: 3 },
      { tier: 2, lots: 4 },
    ]);
    // A tier under one lot is left out.
    expect(tierSizes(parseTakeProfitTiers("3:0.1,6:0.2") ?? [], 5, undefined, 1)).toEqual([
      { tier: 1, lots: 1 },
    ]);
  });

  it("the diff keys each tier apart: a resized position moves both, a fired one is cancelled only if resting", () => {
    const s = tiers("3:0.5,6:0.5");
    const want = (size: number) =>
      desiredProtection({
        positions: pos("SOL", size, 150),
        markets: REFERENCE_MARKETS,
        settings: s,
        best: {},
      });
    const now = resting(want(10)).map((r, i) => ({ ...r, ...(i > 0 ? { tier: i - 1 } : {}) }));
    expect(diffProtection(want(10), now, REFERENCE_MARKETS, s).keep).toHaveLength(3);
    const grown = diffProtection(want(20), now, REFERENCE_MARKETS, s);
    expect(grown.modify.map((m) => [m.to.kind, m.to.tier, m.to.size])).toEqual([
      ["stop-loss", undefined, 20],
      ["take-profit", 0, 10],
      ["take-profit", 1, 10],
    ]);
  });
});

describe("properties: take-profit tiers (reference markets)", () => {
  const coins = Object.keys(REFERENCE_MARKETS);
  const arbTiers = fc
    .array(
      fc.record({ pct: fc.integer({ min: 1, max: 5000 }), fraction: fc.integer({ min: 1, max: 100 }) }),
      { minLength: 1, maxLength: 5 },
    )
    .map((xs) => {
      const seen = new Set<number>();
      const uniq = xs.filter((x) => !seen.has(x.pct) && seen.add(x.pct));
      const total = uniq.reduce((a, x) => a + x.fraction, 0);
      const scale = Math.max(total, 100);
      return uniq
        .map((x) => `${x.pct / 10}:${Math.floor((x.fraction / scale) * 1000) / 1000 || 0.001}`)
        .join(",");
    });

  it("tiers are reduce-only, on the closing side, together never beyond the position, beyond the entry; fired tiers stay off", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...coins),
        fc.integer({ min: -1_000_000, max: 1_000_000 }).filter((n) => n !== 0),
        fc.double({ min: 0.2, max: 5, noNaN: true }),
        arbTiers,
        fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
        (coin, lots, entryFactor, text, firedIdx) => {
          const m = REFERENCE_MARKETS[coin];
          const parsed = parseTakeProfitTiers(text);
          if (!m || !parsed) return;
          const size =
            Number(sizeToWire(Math.abs(lots) / 10 ** m.szDecimals, m.szDecimals)) * Math.sign(lots);
          if (size === 0) return;
          const positions = pos(coin, size, m.mid * entryFactor);
          const dir = size > 0 ? 1 : -1;
          let tiersFired = {};
          for (const i of firedIdx)
            if (i < parsed.length) tiersFired = markTierFired(tiersFired, coin, dir, i);
          const settings = settingsWith({ risk: { takeProfitTiers: parsed } });
          const want = desiredProtection({
            positions,
            markets: REFERENCE_MARKETS,
            settings,
            best: {},
            tiersFired,
          });
          let total = 0;
          const fired = new Set(firedIdx);
          for (const t of want) {
            expect(t.kind).toBe("take-profit");
            expect(t.side).toBe(dir > 0 ? "sell" : "buy");
            expect(fired.has(t.tier ?? -1)).toBe(false);
            const a = triggerAction(t, m.szDecimals, "p");
            expect(a.reduceOnly).toBe(true);
            expect(isValidSize(a.size, m.szDecimals)).toBe(true);
            expect(isValidPrice(t.triggerPx, m.szDecimals)).toBe(true);
            expect(dir > 0 ? t.triggerPx >= m.mid * entryFactor : t.triggerPx <= m.mid * entryFactor).toBe(
              true,
            );
            total += a.size;
          }
          expect(total).toBeLessThanOrEqual(Math.abs(size) * (1 + 1e-12));
          const sum = parsed.reduce((acc, t) => acc + t.fraction, 0);
          // (A short's tier at 100 % or more has no price: it cannot rest.)
          const priced = dir > 0 || parsed.every((t) => t.pct < 90);
          if (sum >= 1 - 1e-9 && firedIdx.length === 0 && want.length > 0 && priced)
            expect(total).toBeCloseTo(Math.abs(size), 9);
          const d = diffProtection(
            want,
            want.map((t, i) => ({ ...resting([t], i + 1)[0], tier: t.tier }) as RestingTrigger),
            REFERENCE_MARKETS,
            settings,
          );
          expect([d.place, d.modify, d.cancel]).toEqual([[], [], []]);
        },
      ),
      { numRuns: fcRuns(300) },
    );
  });
});

describe("what a plan leaves for resting triggers", () => {
  const act = (coin: string, side: "buy" | "sell", size: number, extra: object = {}) =>
    ({
      coin,
      side,
      size,
      limitPx: 1,
      reduceOnly: false,
      cloid: "0x0",
      reason: "copy",
      refPx: 1,
      ...extra,
    }) as never;
  it("sizesAfter: each IOC order moves its coin; resting ones (passive, triggers) move nothing", () => {
    const positions: Positions = {
      SOL: { coin: "SOL", size: -10, entryPx: 100 },
      ETH: { coin: "ETH", size: -0.3, entryPx: 2000 },
      HYPE: { coin: "HYPE", size: 10, entryPx: 30 },
    };
    expect(
      sizesAfter(positions, [
        act("SOL", "buy", 6),
        act("ETH", "buy", 0.1),
        act("ETH", "buy", 0.2),
        act("ETH", "buy", 0.1),
        act("HYPE", "sell", 10),
        act("BTC", "buy", 0.01, { passive: true }),
        act("SOL", "buy", 4, { trigger: { triggerPx: 1, tpsl: "sl", isMarket: true } }),
      ]),
    ).toEqual({ SOL: -4, ETH: 0.1, HYPE: 0 });
  });
  it("triggerCloses: a sell closes a long, a buy a short; nothing closes a flat coin", () => {
    expect([triggerCloses("sell", 1), triggerCloses("buy", -1)]).toEqual([true, true]);
    expect([triggerCloses("buy", 1), triggerCloses("sell", -1), triggerCloses("sell", 0)]).toEqual([
      false,
      false,
      false,
    ]);
  });
});
