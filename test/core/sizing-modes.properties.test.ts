// Properties of issue 21's sizing modes and entry rules over random states, on the reference
// markets: caps always win, reductions are never blocked by the new gates, risk-parity never
// copies more than the leader's allocation of a coin more volatile than the target, kelly
// never more than its fraction of the equity ratio (nothing at a negative edge), risk-per-trade
// never risks more than riskPct at the stop, and passive entries are increases that never cross.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { coinLimit, portfolioLimit } from "../../src/core/caps.js";
import type { LeaderEdge } from "../../src/core/kelly.js";
import { type PlanParameters, planOrders } from "../../src/core/planner.js";
import { roundSizeToLot } from "../../src/core/rounding.js";
import { defaultSettings, type Settings, SIZING_MODES, type SizingMode } from "../../src/core/settings.js";
import type { Address, LeaderState, Markets, Plan, PlannedAction, Position } from "../../src/core/types.js";
import { fcRuns } from "../helpers/fast-check.js";
import { REFERENCE_MARKETS } from "./reference-markets.js";

const COINS = Object.keys(REFERENCE_MARKETS).slice(0, 8);
const RUNS = fcRuns(Number(process.env.PLANNER_PROPERTY_RUNS ?? 300));
const TOL = 1e-9;
const addr = (i: number): Address =>
  `0x${String(i + 1)
    .repeat(40)
    .slice(0, 40)}`;

const arbUsd = fc
  .oneof(fc.integer({ min: 1, max: 2_000 }), fc.integer({ min: 2_000, max: 400_000 }))
  .chain((usd) => fc.constantFrom(usd, -usd));
const arbPositions = fc.array(fc.tuple(fc.nat({ max: COINS.length - 1 }), arbUsd), { maxLength: 6 });
const arbEdge = fc.record({
  closingTrades: fc.integer({ min: 0, max: 200 }),
  winRate: fc.double({ min: 0, max: 1, noNaN: true }),
  payoff: fc.double({ min: 0.1, max: 5, noNaN: true }),
});

const arbWorld = fc.record({
  mode: fc.constantFrom(...(["risk-parity", "kelly", "risk-per-trade"] as SizingMode[]), ...SIZING_MODES),
  leaders: fc.array(
    fc.record({
      positions: arbPositions,
      equity: fc.integer({ min: 5_000, max: 5_000_000 }),
      weight: fc.double({ min: 0.1, max: 1, noNaN: true }),
      edge: fc.option(arbEdge, { freq: 6 }),
      fillFactor: fc.double({ min: 0.95, max: 1.05, noNaN: true }),
    }),
    { minLength: 1, maxLength: 3 },
  ),
  ours: arbPositions,
  ourEquity: fc.integer({ min: 200, max: 300_000 }),
  /** Per coin: annualised vol, or none known. */
  vols: fc.array(fc.option(fc.double({ min: 0.02, max: 3, noNaN: true }), { freq: 8 }), {
    minLength: COINS.length,
    maxLength: COINS.length,
  }),
  targetVolPct: fc.double({ min: 1, max: 200, noNaN: true }),
  kellyFraction: fc.double({ min: 0.05, max: 1, noNaN: true }),
  riskPct: fc.double({ min: 0.1, max: 10, noNaN: true }),
  stopLossPct: fc.double({ min: 0.5, max: 50, noNaN: true }),
  maxLeverage: fc.double({ min: 0.2, max: 20, noNaN: true }),
  maxNotionalPerCoin: fc.option(fc.double({ min: 10, max: 500_000, noNaN: true })),
  maxTotalNotional: fc.option(fc.double({ min: 10, max: 2_000_000, noNaN: true })),
  deadbandPct: fc.constantFrom(0, 2, 10),
  minOrderUsd: fc.constantFrom(10, 25, 500),
  passive: fc.boolean(),
  tradingHours: fc.constantFrom(null, "08-22", "22-06"),
  hour: fc.integer({ min: 0, max: 23 }),
  spreadBps: fc.option(fc.integer({ min: 1, max: 40 })),
  dailyLossHit: fc.boolean(),
  resting: fc.array(fc.nat({ max: COINS.length - 1 }), { maxLength: 2 }),
});
type World = typeof arbWorld extends fc.Arbitrary<infer W> ? W : never;

function build(w: World): PlanParameters {
  const markets: Markets = {};
  for (const coin of COINS) {
    const m = REFERENCE_MARKETS[coin];
    if (!m) continue;
    markets[coin] = {
      ...m,
      ...(w.spreadBps === null
        ? {}
        : { bestBid: m.mid * (1 - w.spreadBps / 2e4), bestAsk: m.mid * (1 + w.spreadBps / 2e4) }),
    };
  }
  const px = (coin: string) => markets[coin]?.mid ?? 1;
  const positions = (list: [number, number][], lots: boolean): Record<string, Position> => {
    const out: Record<string, Position> = {};
    for (const [i, usd] of list) {
      const coin = COINS[i] as string;
      const raw = usd / px(coin);
      const size = lots ? roundSizeToLot(raw, markets[coin]?.szDecimals ?? 2) : raw;
      if (size !== 0) out[coin] = { coin, size, entryPx: px(coin) };
    }
    return out;
  };
  const edges: Record<string, LeaderEdge> = {};
  const leaders: LeaderState[] = w.leaders.map((l, i) => {
    const address = addr(i);
    if (l.edge) {
      const { closingTrades, winRate, payoff } = l.edge;
      edges[address.toLowerCase()] = {
        closingTrades,
        winRate,
        payoff,
        kelly: winRate - (1 - winRate) / payoff,
      };
    }
    const pos = positions(l.positions, false);
    const lastFillPx: Record<string, number> = {};
    for (const coin of Object.keys(pos)) lastFillPx[coin] = px(coin) * l.fillFactor;
    return {
      address,
      accountValue: l.equity,
      positions: pos,
      openOrders: [],
      time: 0,
      weight: l.weight,
      lastFillPx,
    };
  });
  const volatility: Record<string, number> = {};
  COINS.forEach((coin, i) => {
    const v = w.vols[i];
    if (v !== null && v !== undefined) volatility[coin] = v;
  });
  const base = defaultSettings();
  const settings: Settings = {
    ...base,
    sizing: {
      ...base.sizing,
      mode: w.mode,
      targetVolPct: w.targetVolPct,
      kellyFraction: w.kellyFraction,
      riskPct: w.riskPct,
    },
    risk: {
      ...base.risk,
      maxLeverage: w.maxLeverage,
      maxNotionalPerCoin: w.maxNotionalPerCoin,
      maxTotalNotional: w.maxTotalNotional,
      stopLossPct: w.stopLossPct,
    },
    exec: {
      ...base.exec,
      deadbandPct: w.deadbandPct,
      minOrderUsd: w.minOrderUsd,
      entry: w.passive ? "passive" : "ioc",
      tradingHours: w.tradingHours,
      maxEntryDriftBps: 10_000,
    },
  };
  const ours = positions(w.ours, true);
  const restingEntries: NonNullable<PlanParameters["context"]["restingEntries"]> = {};
  for (const i of w.resting) {
    const coin = COINS[i] as string;
    restingEntries[coin] = {
      cloid: `0x${"cd".repeat(16)}`,
      side: (ours[coin]?.size ?? 1) >= 0 ? "buy" : "sell",
      size: 1,
      limitPx: px(coin),
    };
  }
  return {
    leaders,
    ours: { address: addr(8), accountValue: w.ourEquity, positions: ours, openOrders: [], time: 0 },
    markets,
    settings,
    sizingInputs: { volatility, edge: edges },
    context: {
      now: Date.UTC(2026, 0, 5, w.hour, 17),
      halted: false,
      dailyLossHit: w.dailyLossHit,
      restingEntries,
      cloidSeed: "props",
    },
  };
}

const signed = (a: PlannedAction) => (a.side === "buy" ? a.size : -a.size);
const increases = (plan: Plan) => plan.actions.filter((a) => !a.reduceOnly);
const reductions = (plan: Plan) => plan.actions.filter((a) => a.reduceOnly);
function post(p: PlanParameters, plan: Plan): Map<string, number> {
  const out = new Map<string, number>();
  for (const [coin, pos] of Object.entries(p.ours.positions)) out.set(coin, pos.size);
  for (const a of plan.actions) out.set(a.coin, (out.get(a.coin) ?? 0) + signed(a));
  return out;
}
const opts = { numRuns: RUNS };
/** A world where the only reduction is one made for room the gates then do not need. */
const ROOM_FOR_GATED_INCREASES: World = {
  mode: "fixed-ratio",
  leaders: [
    { positions: [[1, 196060]], equity: 5000, weight: 0.1, edge: null, fillFactor: 0.95 },
    { positions: [[0, -201240]], equity: 5000, weight: 0.7512785480023777, edge: null, fillFactor: 0.95 },
    {
      positions: [
        [2, 362462],
        [1, 197512],
      ],
      equity: 5000,
      weight: 0.1,
      edge: null,
      fillFactor: 0.95,
    },
  ],
  ours: [[0, -1663]],
  ourEquity: 410,
  vols: [null, null, null, null, null, null, null, null],
  targetVolPct: 1,
  kellyFraction: 0.05,
  riskPct: 0.1,
  stopLossPct: 0.5,
  maxLeverage: 5.531480365853622,
  maxNotionalPerCoin: null,
  maxTotalNotional: null,
  deadbandPct: 10,
  minOrderUsd: 10,
  passive: false,
  tradingHours: null,
  hour: 0,
  spreadBps: null,
  dailyLossHit: true,
  resting: [],
};

describe("sizing modes and entry rules: properties", () => {
  it("caps always win: no increase takes a coin or the gross notional over a cap", () => {
    fc.assert(
      fc.property(arbWorld, (w) => {
        const p = build(w);
        const plan = planOrders(p);
        const ups = increases(plan);
        if (ups.length === 0) return;
        const after = post(p, plan);
        let gross = 0;
        for (const [coin, size] of after) gross += Math.abs(size) * (p.markets[coin]?.mid ?? 0);
        for (const a of ups) {
          const m = p.markets[a.coin];
          if (!m) throw new Error("no market");
          const limit = coinLimit(m, p.ours.accountValue, p.settings).limit;
          expect(Math.abs(after.get(a.coin) ?? 0) * m.mid).toBeLessThanOrEqual(limit * (1 + TOL));
        }
        expect(gross).toBeLessThanOrEqual(portfolioLimit(p.ours.accountValue, p.settings).limit * (1 + TOL));
      }),
      opts,
    );
  });

  it("reductions are never blocked by trading hours, the minimum order, a resting entry or the daily loss", () => {
    fc.assert(
      fc.property(arbWorld, (w) => {
        const p = build(w);
        const gated = planOrders(p);
        const open = planOrders({
          ...p,
          settings: { ...p.settings, exec: { ...p.settings.exec, tradingHours: null, minOrderUsd: 10 } },
          context: { ...p.context, dailyLossHit: false, restingEntries: {} },
        });
        // A coin held above its target inside the deadband is brought down only to make room for
        // other coins' increases under a portfolio cap (portfolioCap.madeRoom): with those increases
        // gated there is no room to make — an optional reduction not needed, none blocked.
        const forRoom = new Set(open.portfolioCap?.madeRoom ?? []);
        const needed = (plan: Plan) => reductions(plan).filter((a) => !forRoom.has(a.coin));
        expect(needed(gated)).toEqual(needed(open));
        // A resting entry the plan does not keep waiting is cancelled, never left with a reduction.
        for (const a of reductions(gated)) {
          if (p.context.restingEntries?.[a.coin])
            expect(gated.cancels?.some((c) => c.coin === a.coin)).toBe(true);
        }
      }),
      {
        ...opts,
        // Found by a CI run (seed -1148370901): BTC held $151 above its target, inside the 10 %
        // deadband, brought down only to make room for ATOM and ETH openings the daily loss gates.
        examples: [[ROOM_FOR_GATED_INCREASES]],
      },
    );
  });

  it("risk-parity never copies more than the leader's allocation of a coin more volatile than the target", () => {
    fc.assert(
      fc.property(arbWorld, (w) => {
        const p = build({ ...w, mode: "risk-parity", leaders: (w.leaders as World["leaders"]).slice(0, 1) });
        const l = p.leaders[0] as LeaderState;
        l.weight = 1;
        const plan = planOrders(p);
        const after = post(p, plan);
        for (const t of plan.targets) {
          const vol = p.sizingInputs?.volatility?.[t.coin];
          const size = l.positions[t.coin]?.size ?? 0;
          if (vol === undefined || vol <= w.targetVolPct / 100 || size === 0) continue;
          const leaderAlloc = (Math.abs(size) * t.mid) / l.accountValue;
          const ourAlloc = (Math.abs(t.targetSize) * t.mid) / p.ours.accountValue;
          const held = (Math.abs(p.ours.positions[t.coin]?.size ?? 0) * t.mid) / p.ours.accountValue;
          // A target above the allocation can only be a position we hold and may not yet reduce.
          if (ourAlloc > leaderAlloc * (1 + TOL)) expect(ourAlloc).toBeLessThanOrEqual(held * (1 + TOL));
          if (increases(plan).some((x) => x.coin === t.coin)) {
            const usd = Math.abs(after.get(t.coin) ?? 0) * t.mid;
            expect(usd / p.ours.accountValue).toBeLessThanOrEqual(leaderAlloc * (1 + TOL));
          }
        }
      }),
      opts,
    );
  });

  it("kelly copies at most its fraction of the equity ratio, and nothing more of a leader with no positive edge", () => {
    fc.assert(
      fc.property(arbWorld, (w) => {
        const p = build({ ...w, mode: "kelly" });
        const plan = planOrders(p);
        for (const l of p.leaders) {
          const ratio = plan.leaderRatios?.[l.address] ?? 0;
          const equityRatio = (l.weight * p.ours.accountValue) / l.accountValue;
          expect(ratio).toBeLessThanOrEqual(equityRatio * w.kellyFraction * (1 + TOL));
          const edge = p.sizingInputs?.edge?.[l.address.toLowerCase()];
          if (!edge || !(edge.kelly !== null && edge.kelly > 0) || edge.closingTrades < 10)
            expect(ratio).toBe(0);
        }
        if (p.leaders.every((l) => (plan.leaderRatios?.[l.address] ?? 0) === 0))
          expect(increases(plan)).toEqual([]);
      }),
      opts,
    );
  });

  it("risk-per-trade: a position it opens or grows loses at most riskPct of equity at its stop", () => {
    fc.assert(
      fc.property(arbWorld, (w) => {
        const p = build({ ...w, mode: "risk-per-trade" });
        const plan = planOrders(p);
        const weights = p.leaders.reduce((s, l) => s + l.weight, 0);
        const budget = (w.riskPct / 100) * p.ours.accountValue * weights;
        const after = post(p, plan);
        for (const a of increases(plan)) {
          const size = Math.abs(after.get(a.coin) ?? 0);
          const px = p.markets[a.coin]?.mid ?? 0;
          expect(size * px * (w.stopLossPct / 100)).toBeLessThanOrEqual(budget * (1 + 1e-6));
        }
      }),
      opts,
    );
  });

  it("passive entries are increases whose post-only limit never crosses the book", () => {
    fc.assert(
      fc.property(arbWorld, (w) => {
        const p = build({ ...w, passive: true });
        const plan = planOrders(p);
        for (const a of plan.actions.filter((x) => x.passive)) {
          expect(a.reduceOnly).toBe(false);
          const m = p.markets[a.coin];
          if (!m) throw new Error("no market");
          if (a.side === "buy") expect(a.limitPx).toBeLessThan(m.bestAsk ?? Number.POSITIVE_INFINITY);
          else expect(a.limitPx).toBeGreaterThan(m.bestBid ?? 0);
          expect(a.size * a.limitPx).toBeGreaterThanOrEqual(10);
        }
      }),
      opts,
    );
  });
});
