// The copy stays a scaled copy of the leaders inside the trader's limits (design §4): for one
// or two weighted leaders (netted, same or inverse direction), every portfolio and per-coin
// cap, coins whose lot is worth $6 000 or $0.0002, and what we hold now, a plan's orders are
// whole lots, reduce-only ones never cross zero, each coin moves toward its target, an
// increase never takes a coin or the book over its cap, risk.maxPositions holds, and (no
// other rule in play) the target is exactly the README's: Σ weight × our equity / leader
// equity × leader size, the per-coin clip, one factor for the portfolio cap or the account's
// margin (whichever is smaller), toward zero to lots.
import fc from "fast-check";
import { expect, it } from "vitest";
import { isValidSize, lotsToSize, sizeToLots } from "../../src/core/rounding.js";
import type { Markets } from "../../src/core/types.js";
import { fcRuns } from "../helpers/fast-check.js";
import { account, LEADER2, leader, market, plan, settingsWith } from "./planner-fixtures.js";

const COINS = ["A", "B", "C", "D"];
it("one or two leaders, every cap, big and tiny lots: whole-lot orders toward the target, no cap exceeded by an increase, and the target the README's formula gives", () => {
  fc.assert(
    fc.property(
      fc.record({
        mids: fc.array(fc.constantFrom(0.0002, 0.3, 35, 3400, 6000, 95000), { minLength: 4, maxLength: 4 }),
        sz: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 4, maxLength: 4 }),
        maxLev: fc.array(fc.constantFrom(3, 5, 10, 40), { minLength: 4, maxLength: 4 }),
        l1: fc.array(fc.integer({ min: -300_000, max: 300_000 }), { minLength: 4, maxLength: 4 }),
        l2: fc.array(fc.integer({ min: -300_000, max: 300_000 }), { minLength: 4, maxLength: 4 }),
        ours: fc.array(fc.integer({ min: -40_000, max: 40_000 }), { minLength: 4, maxLength: 4 }),
        eq1: fc.integer({ min: 1000, max: 1_000_000 }),
        eq2: fc.integer({ min: 1000, max: 1_000_000 }),
        ourEq: fc.integer({ min: 100, max: 50_000 }),
        two: fc.boolean(),
        w: fc.double({ min: 0.05, max: 0.95, noNaN: true }),
        maxLeverage: fc.constantFrom(0.5, 1, 3, 10),
        perCoin: fc.constantFrom(null, 10, 100, 5000, 20_000),
        total: fc.constantFrom(null, 10, 500, 10_000),
        pct: fc.constantFrom(null, 5, 50),
        deadband: fc.constantFrom(0, 2, 10),
        inverse: fc.boolean(),
        extra: fc.constantFrom("none", "entry", "maxpos", "minorder", "alloc", "kelly0"),
        hot: fc.option(fc.constantFrom(0, 1, 2, 3), { nil: undefined }),
      }),
      (w) => {
        const markets: Markets = {};
        COINS.forEach((c, i) => {
          markets[c] = market(c, w.mids[i] as number, w.sz[i] as number, {
            maxLeverage: w.maxLev[i] as number,
            assetId: i,
          });
        });
        const lots = (usd: number, i: number) => {
          const m = markets[COINS[i] as string] as Markets[string];
          const s = usd / m.mid;
          const f = 10 ** m.szDecimals;
          return Math.trunc(s * f) / f;
        };
        const p1: Record<string, number> = {};
        const p2: Record<string, number> = {};
        const po: Record<string, number> = {};
        COINS.forEach((c, i) => {
          const a = lots(w.l1[i] as number, i);
          if (a) p1[c] = a;
          const b = lots(w.l2[i] as number, i);
          if (b) p2[c] = b;
          const o = lots(w.ours[i] as number, i);
          if (o) po[c] = o;
        });
        const leaders = w.two
          ? [leader(p1, w.eq1, { weight: w.w }), leader(p2, w.eq2, { address: LEADER2, weight: 1 - w.w })]
          : [leader(p1, w.eq1)];
        const settings = settingsWith({
          sizing: { direction: w.inverse ? "inverse" : "same" },
          risk: {
            ...(w.extra === "maxpos" ? { maxPositions: 2 } : {}),
            ...(w.extra === "alloc" ? { maxAllocationPct: 50 } : {}),
            maxLeverage: w.maxLeverage,
            maxNotionalPerCoin: w.perCoin,
            maxTotalNotional: w.total,
            maxCoinPctOfEquity: w.pct,
          },
          exec: { deadbandPct: w.deadband, ...(w.extra === "minorder" ? { minOrderUsd: 500 } : {}) },
        });
        if (w.extra === "entry") settings.copy = { ...settings.copy, mode: "entry-only" };
        const ours = account(po, w.ourEq);
        const p = plan({
          leaders,
          ours,
          markets,
          settings,
          ...(w.hot === undefined ? {} : { coins: [COINS[w.hot] as string] }),
        });
        const post: Record<string, number> = { ...po };
        const seen = new Set<string>();
        for (const a of p.actions) {
          const m = markets[a.coin] as Markets[string];
          expect(a.size).toBeGreaterThan(0);
          expect(isValidSize(a.size, m.szDecimals)).toBe(true);
          expect(seen.has(a.cloid)).toBe(false);
          seen.add(a.cloid);
          const cur = post[a.coin] ?? 0;
          const next = cur + (a.side === "buy" ? a.size : -a.size);
          if (a.reduceOnly) {
            expect(cur).not.toBe(0);
            expect(Math.sign(next) * Math.sign(cur)).toBeGreaterThanOrEqual(0);
          }
          post[a.coin] = Math.round(next * 1e8) / 1e8;
        }
        for (const t of p.targets) {
          const pre = po[t.coin] ?? 0;
          const aft = post[t.coin] ?? 0;
          if (t.targetSize == null) continue;
          if (w.extra === "entry") continue;
          expect(
            Math.abs(aft - t.targetSize),
            `monotone ${t.coin} ${pre}->${aft} target ${t.targetSize}`,
          ).toBeLessThanOrEqual(Math.abs(pre - t.targetSize) + 1e-9);
        }
        {
          const ws = w.two ? [w.w, 1 - w.w] : [1];
          const eqs = w.two ? [w.eq1, w.eq2] : [w.eq1];
          const ps = w.two ? [p1, p2] : [p1];
          const sign = w.inverse ? -1 : 1;
          const clipped: Record<string, number> = {};
          let gross = 0;
          for (const c of COINS) {
            const m = markets[c] as Markets[string];
            let raw = 0;
            ps.forEach((pp, i) => {
              raw += (((ws[i] as number) * w.ourEq) / (eqs[i] as number)) * (pp[c] ?? 0);
            });
            raw *= sign;
            const lim = Math.min(
              w.perCoin ?? Infinity,
              w.pct != null ? (w.pct / 100) * w.ourEq : Infinity,
              m.maxLeverage * w.ourEq,
            );
            if (Math.abs(raw) * m.mid > lim) raw = (Math.sign(raw) * lim) / m.mid;
            clipped[c] = raw;
            gross += Math.abs(raw) * m.mid;
          }
          const plim = Math.min(w.total ?? Infinity, w.maxLeverage * w.ourEq);
          // The account's margin: Σ |target| × mid(1 + slippage) ÷ the coin's exchange leverage
          // (auto: ceil(risk.maxLeverage) + 1, at most the coin's max), plus the taker fee on it
          // and the slippage itself, may not pass our equity — one factor too.
          const slip = settings.exec.slippageBps / 1e4;
          let margin = 0;
          for (const c of COINS) {
            const m = markets[c] as Markets[string];
            const lev = Math.max(1, Math.min(Math.ceil(w.maxLeverage) + 1, Math.floor(m.maxLeverage)));
            const px = m.mid * (1 + slip);
            margin += Math.abs(clipped[c] as number) * (px / lev + px * 0.00045 + m.mid * slip);
          }
          const f = Math.min(gross > plim ? plim / gross : 1, margin > w.ourEq ? w.ourEq / margin : 1);
          for (const t of p.targets) {
            if (w.hot !== undefined || w.extra !== "none") break;
            const m = markets[t.coin] as Markets[string];
            const exp = lotsToSize(sizeToLots((clipped[t.coin] as number) * f, m.szDecimals), m.szDecimals);
            if (t.targetSize == null) continue;
            expect(
              Math.abs(t.targetSize - exp),
              `target ${t.coin} got ${t.targetSize} exp ${exp} f=${f}`,
            ).toBeLessThanOrEqual(10 ** -m.szDecimals * 1.0001);
          }
        }
        if (w.extra === "maxpos") {
          const n0 = COINS.filter((c) => (po[c] ?? 0) !== 0).length;
          const n1 = COINS.filter((c) => (post[c] ?? 0) !== 0).length;
          expect(n1, "maxpos").toBeLessThanOrEqual(Math.max(2, n0));
        }
        const eq = Math.max(0, w.ourEq);
        let grossPre = 0;
        let grossPost = 0;
        let grew = false;
        for (const c of COINS) {
          const m = markets[c] as Markets[string];
          const pre = Math.abs(po[c] ?? 0) * m.mid;
          const aft = Math.abs(post[c] ?? 0) * m.mid;
          grossPre += pre;
          grossPost += aft;
          const lim = Math.min(
            w.perCoin ?? Infinity,
            w.pct != null ? (w.pct / 100) * eq : Infinity,
            m.maxLeverage * eq,
          );
          if (aft > pre + 1e-9 || Math.sign(post[c] ?? 0) * Math.sign(po[c] ?? 0) < 0) {
            grew = true;
            expect(aft, `coin ${c} over per-coin limit ${lim}`).toBeLessThanOrEqual(lim * (1 + 1e-9) + 1e-9);
          }
        }
        const plim = Math.min(w.total ?? Infinity, w.maxLeverage * eq);
        if (grew)
          expect(grossPost, "portfolio").toBeLessThanOrEqual(Math.max(plim, grossPre) * (1 + 1e-9) + 1e-6);
      },
    ),
    { numRuns: fcRuns(1500) },
  );
});
