// A portfolio-wide cap scales every target by ONE factor, so the copy keeps the leader's
// proportions (design §4) — whatever we hold now. Positions held above their targets inside
// the deadband, or reductions still in flight, must not change a coin's target: a coin the
// cap's room holds back keeps its target and its drift and is never "in sync" (issue M5).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { driftReport } from "../../src/core/drift.js";
import { lotsToSize, sizeToLots } from "../../src/core/rounding.js";
import type { Markets } from "../../src/core/types.js";
import { fcRuns } from "../helpers/fast-check.js";
import { account, leader, plan, REFERENCE_MARKETS, settingsWith } from "./planner-fixtures.js";

const COINS = Object.keys(REFERENCE_MARKETS).slice(0, 6);
// No per-coin clip in this world (50× our equity is far above any portfolio cap here): the
// portfolio factor is the only cut, so every target is that one fraction of the leader's copy.
const MARKETS: Markets = Object.fromEntries(
  COINS.map((c) => [c, { ...(REFERENCE_MARKETS[c] as Markets[string]), maxLeverage: 50 }]),
);
const EQUITY = 10_000;
const LEADER_EQUITY = 1_000_000;

const arbWorld = fc.record({
  // The leader's positions (USD notional, signed) per coin; 0 = not held.
  leader: fc.array(
    fc.oneof(
      fc.constant(0),
      fc.integer({ min: 20_000, max: 2_000_000 }).chain((u) => fc.constantFrom(u, -u)),
    ),
    { minLength: COINS.length, maxLength: COINS.length },
  ),
  // Ours per coin as a multiple of its (capped) target: 0 = none, ≈1 around it (inside or
  // outside the deadband), above or below.
  ours: fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0.8, max: 1.2, noNaN: true })), {
    minLength: COINS.length,
    maxLength: COINS.length,
  }),
  maxLeverage: fc.constantFrom(0.5, 1, 2, 3),
  deadbandPct: fc.constantFrom(0, 2, 5, 10),
  // A reduction in flight holds its coin where it is.
  pending: fc.array(fc.boolean(), { minLength: COINS.length, maxLength: COINS.length }),
});

describe("a binding portfolio cap", () => {
  it("every coin's target is the same fraction of its uncapped target; a coin held back is never in sync", () => {
    fc.assert(
      fc.property(arbWorld, (w) => {
        const ratio = EQUITY / LEADER_EQUITY;
        const lp: Record<string, number> = {};
        const gross = w.leader.reduce((sum, usd) => sum + Math.abs(usd) * ratio, 0);
        const scale = Math.min(1, (w.maxLeverage * EQUITY) / Math.max(gross, 1e-9));
        const ours: Record<string, number> = {};
        const pending: string[] = [];
        COINS.forEach((c, i) => {
          const m = MARKETS[c] as Markets[string];
          const usd = w.leader[i] ?? 0;
          if (usd !== 0) lp[c] = usd / m.mid;
          const near = (usd * ratio * scale * (w.ours[i] ?? 0)) / m.mid;
          const size = lotsToSize(sizeToLots(near, m.szDecimals), m.szDecimals);
          if (size !== 0) ours[c] = size;
          if (w.pending[i] && size !== 0) pending.push(c);
        });
        const p = plan({
          markets: MARKETS,
          leader: leader(lp, LEADER_EQUITY),
          ours: account(ours, EQUITY),
          settings: settingsWith({
            risk: { maxLeverage: w.maxLeverage },
            exec: { deadbandPct: w.deadbandPct },
          }),
          context: { pendingCoins: pending },
        });
        const f = p.portfolioScale;
        for (const t of p.targets) {
          const m = MARKETS[t.coin] as Markets[string];
          const uncapped = t.leaderSize * ratio;
          // Rounded toward zero to whole lots: within one lot below the one factor's size.
          const exact = Math.abs(uncapped * f);
          const lot = 10 ** -m.szDecimals;
          expect(Math.sign(t.targetSize) * Math.sign(uncapped)).toBeGreaterThanOrEqual(0);
          expect(Math.abs(t.targetSize)).toBeLessThanOrEqual(exact * (1 + 1e-9) + 1e-12);
          expect(exact - Math.abs(t.targetSize)).toBeLessThan(lot * (1 + 1e-9));
        }
        // A coin the cap's room held back keeps its drift and the copy is not in sync.
        const r = driftReport({
          targets: p.targets,
          skipped: p.skipped,
          actionCoins: p.actions.map((a) => a.coin),
        });
        for (const s of p.skipped.filter((x) => x.reason === "cap-no-room")) {
          const c = r.coins.find((x) => x.coin === s.coin);
          expect(c?.status).toBe("blocked");
          expect(Math.abs(c?.driftUsd ?? 0)).toBeGreaterThan(0);
          expect(p.inSync).toBe(false);
        }
        // Outside its deadband and no order for it: never in sync.
        const acting = new Set(p.actions.map((a) => a.coin));
        for (const t of p.targets) {
          if (!acting.has(t.coin) && Math.abs(t.driftUsd) > t.deadbandUsd * (1 + 1e-9))
            expect(p.inSync).toBe(false);
        }
      }),
      { numRuns: fcRuns(400) },
    );
  });
});
