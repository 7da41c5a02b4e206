// Properties of the planner over random leader/follower states and settings, on the 28
// reference markets (real szDecimals) plus one coin without a market. Float tolerance: 1e-9
// relative on notionals, which is far below a lot or a tick.

import { formatPrice, formatSize } from "@nktkas/hyperliquid/utils";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { coinLimit, portfolioLimit, TAKER_FEE_BPS } from "../../src/core/caps.js";
import { isCloid } from "../../src/core/cloid.js";
import { exchangeLeverage } from "../../src/core/leverage.js";
import { type PlanParameters, planOrders } from "../../src/core/planner.js";
import { keepsDrift } from "../../src/core/reasons.js";
import {
  isValidPrice,
  isValidSize,
  lotsToSize,
  roundSizeToLot,
  sizeToWire,
} from "../../src/core/rounding.js";
import { sentWhilePaused } from "../../src/core/safety.js";
import { defaultSettings, type Settings } from "../../src/core/settings.js";
import type { Address, LeaderState, Markets, Plan, PlannedAction, Position } from "../../src/core/types.js";
import { fcRuns } from "../helpers/fast-check.js";
import { REFERENCE_MARKETS } from "./reference-markets.js";

const COINS = [...Object.keys(REFERENCE_MARKETS), "FOO"]; // FOO: a coin with no market
const N = COINS.length;
const TOL = 1e-9;
const RUNS = fcRuns(Number(process.env.PLANNER_PROPERTY_RUNS ?? 400));

const coinAt = (i: number) => COINS[i % N] as string;
const addr = (i: number): Address =>
  `0x${String(i + 1)
    .repeat(40)
    .slice(0, 40)}`;

// ---------------------------------------------------------------------------------------
// Arbitraries

/** A USD amount spread over magnitudes (fc.double alone piles up near zero on a ± range). */
const arbUsd = (max: number) =>
  fc
    .oneof(fc.integer({ min: 1, max: 2_000 }), fc.integer({ min: 2_000, max }))
    .chain((usd) => fc.constantFrom(usd, -usd));
const arbFlag = fc.oneof(
  { weight: 4, arbitrary: fc.constant(false) },
  { weight: 1, arbitrary: fc.constant(true) },
);

/** Coin indexes favour the first few coins, so leaders and we often hold the same ones. */
const arbCoinIndex = fc.oneof(
  { weight: 3, arbitrary: fc.nat({ max: 5 }) },
  { weight: 1, arbitrary: fc.nat({ max: N - 1 }) },
);

const arbPositions = (maxUsd: number) => fc.array(fc.tuple(arbCoinIndex, arbUsd(maxUsd)), { maxLength: 10 });

const arbLeader = fc.record({
  positions: arbPositions(500_000),
  accountValue: fc.oneof(
    { weight: 9, arbitrary: fc.integer({ min: 1_000, max: 5_000_000 }) },
    { weight: 1, arbitrary: fc.constantFrom(0, -100) },
  ),
  equityBase: fc.option(fc.integer({ min: -1_000, max: 5_000_000 }), { freq: 4 }),
  weight: fc.double({ min: 0.05, max: 1, noNaN: true }),
  /** coin index → price factor vs mid for lastFillPx / entryPx */
  fills: fc.array(fc.tuple(arbCoinIndex, fc.double({ min: 0.9, max: 1.1, noNaN: true })), {
    maxLength: 6,
  }),
  entryFactor: fc.double({ min: 0.8, max: 1.2, noNaN: true }),
});

const arbSubset = fc
  .array(fc.nat({ max: N - 1 }), { maxLength: 4 })
  .map((ix) => [...new Set(ix.map(coinAt))]);
const arbRareSubset = fc.oneof(
  { weight: 3, arbitrary: fc.constant([] as string[]) },
  { weight: 1, arbitrary: arbSubset },
);

const arbSettings = fc.record({
  mode: fc.constantFrom("equity-ratio", "fixed-ratio", "fixed-notional" as const),
  multiplier: fc.double({ min: 0.1, max: 5, noNaN: true }),
  ratio: fc.double({ min: 0.0001, max: 1, noNaN: true }),
  notional: fc.double({ min: 10, max: 1_000_000, noNaN: true }),
  maxLeverage: fc.double({ min: 0.1, max: 20, noNaN: true }),
  maxNotionalPerCoin: fc.option(fc.double({ min: 10, max: 1_000_000, noNaN: true })),
  maxTotalNotional: fc.option(fc.double({ min: 10, max: 5_000_000, noNaN: true })),
  allowCoins: fc.oneof(
    { weight: 4, arbitrary: fc.constant([] as string[]) },
    { weight: 1, arbitrary: arbSubset },
  ),
  denyCoins: arbRareSubset,
  closeDenied: fc.boolean(),
  slippageBps: fc.integer({ min: 0, max: 200 }),
  deadbandPct: fc.oneof(fc.constant(0), fc.constant(2), fc.double({ min: 0, max: 20, noNaN: true })),
  maxEntryDriftBps: fc.integer({ min: 0, max: 1000 }),
  /** exec.leverage: auto (mostly) or a fixed setting, capped by each coin's maximum. */
  leverage: fc.oneof(
    { weight: 3, arbitrary: fc.constant("auto" as const) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 50 }) },
  ),
});

const arbContext = fc.record({
  halted: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  dailyLossHit: arbFlag,
  staleLeader: arbFlag,
  notJoined: arbRareSubset,
  liquidatedCoins: arbRareSubset,
  backoff: arbRareSubset,
  increaseBackoff: arbRareSubset,
  backoffActive: fc.boolean(),
  pendingCoins: arbRareSubset,
  cloidSeed: fc.string({ maxLength: 12 }),
});

const arbWorld = fc.record({
  midFactors: fc.array(fc.double({ min: 0.5, max: 2, noNaN: true }), { minLength: N, maxLength: N }),
  spreadsBps: fc.array(fc.option(fc.integer({ min: 0, max: 60 })), { minLength: N, maxLength: N }),
  maxLeverages: fc.array(fc.constantFrom(3, 5, 10, 20, 40, 50), { minLength: N, maxLength: N }),
  leaders: fc.array(arbLeader, { minLength: 1, maxLength: 3 }),
  ours: fc.record({
    positions: arbPositions(60_000),
    accountValue: fc.oneof(
      { weight: 9, arbitrary: fc.integer({ min: 100, max: 500_000 }) },
      { weight: 1, arbitrary: fc.constant(0) },
    ),
    /** The leverage our positions carry on the exchange (an earlier setting), when known. */
    leverage: fc.option(fc.integer({ min: 1, max: 50 }), { freq: 3 }),
  }),
  settings: arbSettings,
  context: arbContext,
});

type World = typeof arbWorld extends fc.Arbitrary<infer W> ? W : never;

function build(w: World): PlanParameters {
  const markets: Markets = {};
  Object.values(REFERENCE_MARKETS).forEach((m, i) => {
    const mid = Number((m.mid * (w.midFactors[i] ?? 1)).toPrecision(6));
    const spread = w.spreadsBps[i];
    markets[m.coin] = {
      ...m,
      mid,
      maxLeverage: w.maxLeverages[i] ?? 50,
      ...(spread === null || spread === undefined
        ? {}
        : { bestBid: mid * (1 - spread / 2e4), bestAsk: mid * (1 + spread / 2e4) }),
    };
  });
  const px = (coin: string) => markets[coin]?.mid ?? 10;
  const positions = (
    list: [number, number][],
    lotAligned: boolean,
    entryFactor = 1,
  ): Record<string, Position> => {
    const out: Record<string, Position> = {};
    for (const [i, usd] of list) {
      const coin = coinAt(i);
      const raw = usd / px(coin);
      const size = lotAligned ? roundSizeToLot(raw, markets[coin]?.szDecimals ?? 2) : raw;
      if (size !== 0) out[coin] = { coin, size, entryPx: px(coin) * entryFactor };
    }
    return out;
  };
  const leaders: LeaderState[] = w.leaders.map((l, i) => {
    const lastFillPx: Record<string, number> = {};
    for (const [ci, f] of l.fills) lastFillPx[coinAt(ci)] = px(coinAt(ci)) * f;
    return {
      address: addr(i),
      accountValue: l.accountValue,
      positions: positions(l.positions, false, l.entryFactor),
      openOrders: [],
      time: 0,
      weight: l.weight,
      ...(l.equityBase === null ? {} : { equityBase: l.equityBase }),
      lastFillPx,
    };
  });
  const base = defaultSettings();
  const s = w.settings;
  const settings: Settings = {
    ...base,
    sizing: { mode: s.mode, multiplier: s.multiplier, ratio: s.ratio, notional: s.notional },
    risk: {
      ...base.risk,
      maxLeverage: s.maxLeverage,
      maxNotionalPerCoin: s.maxNotionalPerCoin,
      maxTotalNotional: s.maxTotalNotional,
      allowCoins: s.allowCoins,
      denyCoins: s.denyCoins,
      closeDenied: s.closeDenied,
    },
    exec: {
      ...base.exec,
      slippageBps: s.slippageBps,
      deadbandPct: s.deadbandPct,
      maxEntryDriftBps: s.maxEntryDriftBps,
      leverage: s.leverage,
    },
  };
  const now = 1_000_000;
  const c = w.context;
  return {
    leaders,
    ours: {
      address: addr(8),
      accountValue: w.ours.accountValue,
      positions: withLeverage(positions(w.ours.positions, true), w.ours.leverage),
      openOrders: [],
      time: 0,
    },
    markets,
    settings,
    context: {
      now,
      halted: c.halted,
      dailyLossHit: c.dailyLossHit,
      staleLeader: c.staleLeader,
      notJoined: c.notJoined,
      liquidatedCoins: c.liquidatedCoins,
      backoffUntil: Object.fromEntries(c.backoff.map((coin) => [coin, c.backoffActive ? now + 5000 : now])),
      increaseBackoffUntil: Object.fromEntries(
        c.increaseBackoff.map((coin) => [coin, c.backoffActive ? now + 5000 : now]),
      ),
      pendingCoins: c.pendingCoins,
      cloidSeed: c.cloidSeed,
    },
  };
}

function withLeverage(
  positions: Record<string, Position>,
  leverage: number | null,
): Record<string, Position> {
  if (leverage === null) return positions;
  const out: Record<string, Position> = {};
  for (const [coin, p] of Object.entries(positions)) out[coin] = { ...p, leverage, marginMode: "cross" };
  return out;
}

/** A world with no flags at all: not halted, no gates, nothing pending. */
function calm(p: PlanParameters): PlanParameters {
  return {
    ...p,
    context: { now: p.context.now, halted: false, cloidSeed: p.context.cloidSeed },
  };
}

// ---------------------------------------------------------------------------------------
// Helpers

const signed = (a: PlannedAction) => (a.side === "buy" ? a.size : -a.size);
const ourSize = (p: PlanParameters, coin: string) => p.ours.positions[coin]?.size ?? 0;

/** Our size per coin after every action fills (reductions first, as the plan orders them). */
function postPositions(p: PlanParameters, plan: Plan): Map<string, number> {
  const post = new Map<string, number>();
  for (const [coin, pos] of Object.entries(p.ours.positions)) post.set(coin, pos.size);
  for (const a of plan.actions) post.set(a.coin, (post.get(a.coin) ?? 0) + signed(a));
  return post;
}

/**
 * Our positions once every action of `plan` filled, as the exchange holds them: a coin only
 * reduced keeps the leverage it had; a coin increased carries the settings' leverage (the engine
 * sets it before an increase).
 */
function filled(p: PlanParameters, plan: Plan): Record<string, Position> {
  const increased = new Set(plan.actions.filter((a) => !a.reduceOnly).map((a) => a.coin));
  const positions: Record<string, Position> = {};
  for (const [coin, size] of postPositions(p, plan)) {
    const m = p.markets[coin];
    const clean = Number(size.toFixed(m?.szDecimals ?? 8));
    if (clean === 0) continue;
    const held = p.ours.positions[coin];
    const leverage =
      increased.has(coin) && m
        ? exchangeLeverage(p.settings, m)
        : held?.leverage !== undefined
          ? { leverage: held.leverage, marginMode: held.marginMode ?? ("cross" as const) }
          : {};
    positions[coin] = { coin, size: clean, entryPx: 1, ...leverage };
  }
  return positions;
}

function grossNotional(p: PlanParameters, post: Map<string, number>): number {
  let gross = 0;
  for (const [coin, size] of post) {
    const m = p.markets[coin];
    if (m) gross += Math.abs(size) * m.mid;
  }
  return gross;
}

/** Σ ratio × leader size: the target before caps, from the ratios the plan reports. */
function rawTarget(p: PlanParameters, plan: Plan, coin: string): number {
  let raw = 0;
  for (const l of p.leaders) raw += (plan.leaderRatios?.[l.address] ?? 0) * (l.positions[coin]?.size ?? 0);
  return raw;
}

const increases = (plan: Plan) => plan.actions.filter((a) => !a.reduceOnly);
const reductions = (plan: Plan) => plan.actions.filter((a) => a.reduceOnly);
const opts = { numRuns: RUNS };

// ---------------------------------------------------------------------------------------

describe("planner properties", () => {
  it("sizes are whole lots and limit prices valid ticks for every reference market (SDK agrees)", () => {
    fc.assert(
      fc.property(arbWorld, (w) => {
        const p = build(w);
        const plan = planOrders(p);
        const slip = p.settings.exec.slippageBps / 1e4;
        for (const a of plan.actions) {
          const m = p.markets[a.coin];
          if (!m) throw new Error(`action for a coin without a market: ${a.coin}`);
          const d = m.szDecimals;
          expect(isValidSize(a.size, d)).toBe(true);
          expect(sizeToWire(a.size, d)).toBe(String(a.size)); // no float dust on the wire
          expect(formatSize(a.size, d)).toBe(String(a.size));
          expect(isValidPrice(a.limitPx, d)).toBe(true);
          expect(formatPrice(a.limitPx, d)).toBe(String(a.limitPx));
          // Rounded on the side that never exceeds the slippage bound.
          if (a.side === "buy")
            expect(a.limitPx).toBeLessThanOrEqual((m.bestAsk ?? m.mid) * (1 + slip) * (1 + 1e-12));
          else expect(a.limitPx).toBeGreaterThanOrEqual((m.bestBid ?? m.mid) * (1 - slip) * (1 - 1e-12));
          expect(isCloid(a.cloid)).toBe(true);
          expect(a.refPx).toBeGreaterThan(0);
        }
        expect(new Set(plan.actions.map((a) => a.cloid)).size).toBe(plan.actions.length);
      }),
      opts,
    );
  });

  it("increases never take a coin or the gross notional over a cap", () => {
    fc.assert(
      fc.property(arbWorld, (w) => {
        const p = build(w);
        const plan = planOrders(p);
        const ups = increases(plan);
        if (ups.length === 0) return;
        const post = postPositions(p, plan);
        for (const a of ups) {
          const m = p.markets[a.coin];
          if (!m) throw new Error("no market");
          const limit = coinLimit(m, p.ours.accountValue, p.settings).limit;
          expect(Math.abs(post.get(a.coin) ?? 0) * m.mid).toBeLessThanOrEqual(limit * (1 + TOL));
        }
        const limit = portfolioLimit(p.ours.accountValue, p.settings).limit;
        expect(grossNotional(p, post)).toBeLessThanOrEqual(limit * (1 + TOL));
      }),
      opts,
    );
  });

  it("increases never break a cap even when positions we keep (pending, left alone) fill the room", () => {
    fc.assert(
      fc.property(
        arbWorld,
        fc.array(fc.double({ min: 0, max: 2.5, noNaN: true }), { minLength: N, maxLength: N }),
        fc.array(fc.boolean(), { minLength: N, maxLength: N }),
        (w, factors, pendingMask) => {
          // Sit at a random multiple of each target, with random coins' orders in flight.
          const base = calm(build(w));
          const first = planOrders(base);
          const positions: Record<string, Position> = {};
          const pendingCoins: string[] = [];
          first.targets.forEach((t, i) => {
            const m = base.markets[t.coin];
            if (!m) return;
            const size = roundSizeToLot(t.targetSize * (factors[i] ?? 1), m.szDecimals);
            if (size !== 0) positions[t.coin] = { coin: t.coin, size, entryPx: m.mid };
            if (pendingMask[i]) pendingCoins.push(t.coin);
          });
          const p = {
            ...base,
            ours: { ...base.ours, positions },
            context: { ...base.context, pendingCoins },
          };
          const plan = planOrders(p);
          const ups = increases(plan);
          if (ups.length === 0) return;
          const post = postPositions(p, plan);
          for (const a of ups) {
            const m = p.markets[a.coin];
            if (!m) throw new Error("no market");
            const limit = coinLimit(m, p.ours.accountValue, p.settings).limit;
            expect(Math.abs(post.get(a.coin) ?? 0) * m.mid).toBeLessThanOrEqual(limit * (1 + TOL));
          }
          const limit = portfolioLimit(p.ours.accountValue, p.settings).limit;
          expect(grossNotional(p, post)).toBeLessThanOrEqual(limit * (1 + TOL));
        },
      ),
      opts,
    );
  });

  it("rounding never grows a position: no target or increase goes beyond the scaled leader size", () => {
    fc.assert(
      fc.property(arbWorld, (w) => {
        const p = build(w);
        const plan = planOrders(p);
        for (const t of plan.targets) {
          if (t.targetSize === t.ourSize) continue; // on target, or left alone
          const raw = rawTarget(p, plan, t.coin);
          expect(Math.abs(t.targetSize)).toBeLessThanOrEqual(Math.abs(raw) * (1 + 1e-12));
          expect(t.targetSize === 0 || Math.sign(t.targetSize) === Math.sign(raw)).toBe(true);
        }
        const post = postPositions(p, plan);
        for (const a of increases(plan)) {
          const raw = rawTarget(p, plan, a.coin);
          expect(Math.abs(post.get(a.coin) ?? 0)).toBeLessThanOrEqual(Math.abs(raw) * (1 + 1e-12));
        }
      }),
      opts,
    );
  });

  it("reduceOnly is set exactly on actions that shrink |position| without crossing zero", () => {
    fc.assert(
      fc.property(arbWorld, (w) => {
        const p = build(w);
        const plan = planOrders(p);
        const pos = new Map<string, number>();
        for (const a of [...reductions(plan), ...increases(plan)]) {
          const before = pos.get(a.coin) ?? ourSize(p, a.coin);
          const after = before + signed(a);
          if (a.reduceOnly) {
            expect(before).not.toBe(0);
            expect(Math.sign(signed(a))).toBe(-Math.sign(before));
            expect(a.size).toBeLessThanOrEqual(Math.abs(before) * (1 + 1e-12));
          } else {
            expect(before === 0 || Math.sign(signed(a)) === Math.sign(before)).toBe(true);
            expect(Math.abs(after)).toBeGreaterThan(Math.abs(before));
          }
          pos.set(a.coin, after);
        }
      }),
      opts,
    );
  });

  it("reductions are never blocked: not by daily loss, a stale leader, the entry gate or an increase's backoff", () => {
    fc.assert(
      fc.property(arbWorld, (w) => {
        const p = build(w);
        const c = p.context;
        if (c.halted) return;
        const gated = planOrders(p);
        const open = planOrders({
          ...p,
          settings: { ...p.settings, exec: { ...p.settings.exec, maxEntryDriftBps: 1e9 } },
          context: { ...c, dailyLossHit: false, staleLeader: false, increaseBackoffUntil: {} },
        });
        // A backoff rejected increases earned holds the coin's increases, and only them.
        for (const a of increases(gated)) {
          const until = c.increaseBackoffUntil?.[a.coin];
          expect(until !== undefined && c.now < until, `${a.coin} increase under its backoff`).toBe(false);
        }
        // A reduction made only to make room for another coin's increase under a portfolio cap
        // (a coin held above its target inside the deadband: Plan.portfolioCap.madeRoom) is the
        // increase's, not the coin's: with that increase held back by the gate, no room is
        // needed and it is rightly not sent (seed -417230450: BTC $0.98 over its cap, inside a
        // 20 % deadband, brought down only in the ungated plan). Every other reduction is the same.
        const own = (plan: Plan) => {
          // (the margin cap makes room the same way: Plan.marginCap.madeRoom)
          const madeRoom = new Set([
            ...(plan.portfolioCap?.madeRoom ?? []),
            ...(plan.marginCap?.madeRoom ?? []),
          ]);
          return reductions(plan).filter((a) => !madeRoom.has(a.coin));
        };
        expect(own(gated)).toEqual(own(open));
      }),
      opts,
    );
  });

  it("reductions are never blocked by a cap: a capped plan reduces at least as much as an uncapped one", () => {
    fc.assert(
      fc.property(arbWorld, (w) => {
        const p = build(w);
        const capped = planOrders(p);
        const markets: Markets = {};
        for (const [coin, m] of Object.entries(p.markets)) markets[coin] = { ...m, maxLeverage: 1e9 };
        const uncapped = planOrders({
          ...p,
          markets,
          settings: {
            ...p.settings,
            risk: { ...p.settings.risk, maxLeverage: 1e9, maxNotionalPerCoin: null, maxTotalNotional: null },
          },
        });
        // Even at 1e9× the account's margin keeps room for the fee and the slippage of buying the
        // targets: with notional over ~60× equity that binds the "uncapped" plan too, by its own
        // factor (one lot's rounding apart from the capped plan's): not a plan without caps.
        if ((uncapped.marginCap?.targetScale ?? 1) < 1) return;
        for (const u of reductions(uncapped)) {
          const total = reductions(capped)
            .filter((a) => a.coin === u.coin && a.side === u.side)
            .reduce((sum, a) => sum + a.size, 0);
          expect(total).toBeGreaterThanOrEqual(u.size * (1 - 1e-12));
        }
      }),
      opts,
    );
  });

  it("a plan never takes the required initial margin over the account value by increases", () => {
    fc.assert(
      fc.property(arbWorld, (w) => {
        const p = build(w);
        const plan = planOrders(p);
        const ups = increases(plan);
        if (ups.length === 0) return;
        // Initial margin after every action fills: Σ notional ÷ the coin's exchange leverage (the
        // engine's setting, or a lower one a position not increased carries), each increase at max(limit, mid)
        // with the taker fee and the limit's distance from the mid (what the exchange checks
        // and then charges), and every position staying where it is at the mid.
        const post = postPositions(p, plan);
        const grown = new Map<string, number>();
        for (const a of ups) grown.set(a.coin, (grown.get(a.coin) ?? 0) + a.size);
        let required = 0;
        for (const [coin, size] of post) {
          const m = p.markets[coin];
          if (!m) continue;
          // A coin the plan increases is set to the settings' leverage first (the engine does);
          // any other keeps what it carries (counted at the lower of that and the setting).
          const set = exchangeLeverage(p.settings, m).leverage;
          const held = p.ours.positions[coin]?.leverage;
          const lev = !grown.has(coin) && held !== undefined && held >= 1 && held < set ? held : set;
          required += ((Math.abs(size) - (grown.get(coin) ?? 0)) * m.mid) / lev;
          for (const a of ups.filter((x) => x.coin === coin)) {
            const px = Math.max(a.limitPx, m.mid);
            required += a.size * (px / lev + (px * TAKER_FEE_BPS) / 1e4 + Math.abs(a.limitPx - m.mid));
          }
        }
        expect(required).toBeLessThanOrEqual(p.ours.accountValue * (1 + TOL));
      }),
      opts,
    );
  });

  it("reductions are never blocked by the margin cap: with every held position's margin at 1× a plan reduces at least as much", () => {
    fc.assert(
      fc.property(arbWorld, (w) => {
        const p = build(w);
        const free = planOrders(p);
        // Positions known at 1× hold their whole notional as margin: most increases find no room.
        const positions: Record<string, Position> = {};
        for (const [coin, pos] of Object.entries(p.ours.positions)) positions[coin] = { ...pos, leverage: 1 };
        const tight = planOrders({ ...p, ours: { ...p.ours, positions } });
        for (const u of reductions(free)) {
          const total = reductions(tight)
            .filter((a) => a.coin === u.coin && a.side === u.side)
            .reduce((sum, a) => sum + a.size, 0);
          expect(total).toBeGreaterThanOrEqual(u.size * (1 - 1e-12));
        }
      }),
      opts,
    );
  });

  it("the kill switch closes every position it can price, reduce-only, and opens nothing", () => {
    fc.assert(
      fc.property(arbWorld, (w) => {
        const p = build({ ...w, context: { ...w.context, halted: true } });
        const plan = planOrders(p);
        expect(increases(plan)).toEqual([]);
        const pending = new Set(p.context.pendingCoins);
        for (const [coin, pos] of Object.entries(p.ours.positions)) {
          const until = p.context.backoffUntil?.[coin];
          const waiting = pending.has(coin) || (until !== undefined && p.context.now < until);
          const mine = plan.actions.filter((a) => a.coin === coin);
          if (!p.markets[coin] || waiting) {
            expect(mine).toEqual([]);
            continue;
          }
          expect(mine).toHaveLength(1);
          expect(mine[0]).toMatchObject({
            reduceOnly: true,
            reason: "kill-switch",
            size: Math.abs(pos.size),
          });
          expect(mine[0]?.side).toBe(pos.size > 0 ? "sell" : "buy");
        }
        expect(plan.effectiveRatio).toBe(0);
        // A pause holds none of it: every close goes (core/safety.ts sentWhilePaused).
        expect(sentWhilePaused(plan.actions, true)).toEqual(plan.actions);
      }),
      opts,
    );
  });

  it("a position inside the deadband produces no action", () => {
    fc.assert(
      fc.property(
        arbWorld,
        fc.array(fc.double({ min: -0.999, max: 0.999, noNaN: true }), { minLength: N, maxLength: N }),
        (w, nudges) => {
          // Plan once from flat to learn the targets, then sit somewhere inside each band.
          const flat = calm(build({ ...w, ours: { ...w.ours, positions: [] } }));
          const first = planOrders(flat);
          const positions: Record<string, Position> = {};
          const nudged = new Set<string>();
          first.targets.forEach((t, i) => {
            const m = flat.markets[t.coin];
            if (!m || t.targetSize === 0) return;
            const band = Math.max(
              10,
              (flat.settings.exec.deadbandPct / 100) * Math.abs(t.targetSize) * m.mid,
            );
            const lot = lotsToSize(1, m.szDecimals);
            let maxLots = Math.max(0, Math.ceil(band / (lot * m.mid)) - 1);
            if (maxLots * lot * m.mid >= band) maxLots--;
            const lots = Math.trunc((nudges[i] ?? 0) * maxLots);
            const size = Number((t.targetSize + lots * lot).toFixed(m.szDecimals));
            if (Math.sign(size) !== Math.sign(t.targetSize)) return;
            positions[t.coin] = { coin: t.coin, size, entryPx: m.mid };
            nudged.add(t.coin);
          });
          const p = { ...flat, ours: { ...flat.ours, positions } };
          const plan = planOrders(p);
          for (const t of plan.targets) {
            const m = p.markets[t.coin];
            if (!m || !nudged.has(t.coin) || t.targetSize === 0) continue;
            const drift = Math.abs(t.targetSize - t.ourSize) * m.mid;
            const band = Math.max(10, (p.settings.exec.deadbandPct / 100) * Math.abs(t.targetSize) * m.mid);
            if (Math.sign(t.ourSize) !== Math.sign(t.targetSize) || drift >= band) continue;
            expect(plan.actions.filter((a) => a.coin === t.coin)).toEqual([]);
            if (t.targetSize !== t.ourSize) {
              const reasons = plan.skipped.filter((s) => s.coin === t.coin).map((s) => s.reason);
              expect(reasons.some((r) => r === "inside-deadband" || r === "below-min-notional")).toBe(true);
            }
          }
        },
      ),
      opts,
    );
  });

  it("once every action fills, the next plan has nothing to do (or, after the margin's first cut, the one after)", () => {
    fc.assert(
      fc.property(arbWorld, (w) => {
        const p = calm(build(w));
        const first = planOrders(p);
        const afterFirst = { ...p, ours: { ...p.ours, positions: filled(p, first) } };
        const second = planOrders(afterFirst);
        // Except the margin cap's allowance for the fee and the limit's slippage: here no fill
        // paid them (the account value is the same), so a coin the margin cut may take that
        // room now — an increase, never a refusal's loop. The margin cuts a coin by a skip of
        // its own, or by scaling every target (noted under the coin's own cap when it has one):
        // a position held at a leverage below the setting is margined at it while only reduced,
        // and at the setting once an increase sets it (seed -1526313633: ATOM held at 1× is cut
        // to 20.58 at 1×, then grows to 22.73 at the setting's 3×).
        const marginScaled = (first.marginCap?.targetScale ?? 1) < 1;
        const marginCut = new Set(first.skipped.filter((s) => s.reason === "margin-cap").map((s) => s.coin));
        const madeRoom = new Set(second.marginCap?.madeRoom ?? []);
        for (const a of second.actions) {
          if (a.reduceOnly) expect(madeRoom.has(a.coin), `${a.coin} reduced again`).toBe(true);
          else expect(marginScaled || marginCut.has(a.coin), `${a.coin} increased again`).toBe(true);
        }
        // Either way it settles: once those fill, nothing is left to do.
        if (second.actions.length === 0) return;
        const third = planOrders({
          ...afterFirst,
          ours: { ...afterFirst.ours, positions: filled(afterFirst, second) },
        });
        expect(third.actions, "a third round of orders").toEqual([]);
      }),
      opts,
    );
  });

  it("is deterministic and leaves its input untouched; inSync matches actions and drift skips", () => {
    fc.assert(
      fc.property(arbWorld, (w) => {
        const p = build(w);
        const before = structuredClone(p);
        const a = planOrders(p);
        expect(p).toEqual(before);
        expect(planOrders(structuredClone(p))).toEqual(a);
        expect(a.inSync).toBe(a.actions.length === 0 && a.skipped.every((s) => !keepsDrift(s.reason)));
        expect(a.portfolioScale).toBeGreaterThanOrEqual(0);
        expect(a.portfolioScale).toBeLessThanOrEqual(1);
        // Every coin with a position somewhere and no action is explained by a skip.
        for (const t of a.targets) {
          const acted = a.actions.some((x) => x.coin === t.coin);
          const explained = a.skipped.some((s) => s.coin === t.coin);
          if (!acted && t.targetSize !== t.ourSize) expect(explained).toBe(true);
        }
      }),
      opts,
    );
  });

  it("a coin someone holds that has no market is never in sync and never traded (issue 12.8)", () => {
    fc.assert(
      fc.property(arbWorld, (w) => {
        const p = build(w);
        const plan = planOrders(p);
        const held = (coin: string) =>
          (p.ours.positions[coin]?.size ?? 0) !== 0 ||
          p.leaders.some((l) => (l.positions[coin]?.size ?? 0) !== 0);
        const unlisted = COINS.filter((coin) => !p.markets[coin] && held(coin));
        for (const coin of unlisted) {
          expect(plan.actions.some((a) => a.coin === coin)).toBe(false);
          expect(plan.skipped.some((s) => s.coin === coin && s.reason === "unknown-market")).toBe(true);
        }
        if (unlisted.length > 0) expect(plan.inSync).toBe(false);
      }),
      opts,
    );
  });

  it("hot path: planning one coin decides it exactly as the full plan does", () => {
    fc.assert(
      fc.property(arbWorld, fc.nat(), (w, pick) => {
        const p = build(w);
        const full = planOrders(p);
        const coins = full.targets.map((t) => t.coin);
        if (coins.length === 0) return;
        const coin = coins[pick % coins.length] as string;
        const hot = planOrders({ ...p, coins: [coin] });
        expect(hot.portfolioScale).toBe(full.portfolioScale);
        // A headroom cut depends on what else the plan reduces and grows: the hot path cannot
        // count a reduction of a coin it does not plan, so it is (rightly) more cautious.
        // So does bringing a coin held above its target down to make room (madeRoom). The same
        // holds for the account's margin: the full plan's reduction of another coin frees the
        // margin its increase uses (seed 13403: BTC held at 1× is closed; ATOM's buy fits only then).
        const cut = (x: Plan) =>
          [x.portfolioCap, x.marginCap].some(
            (c) => (c?.increaseScale ?? 1) < 1 || (c?.madeRoom?.length ?? 0) > 0,
          );
        if (cut(full) || cut(hot)) return;
        expect(hot.targets).toEqual(full.targets.filter((t) => t.coin === coin));
        expect(hot.actions).toEqual(full.actions.filter((a) => a.coin === coin));
        expect(hot.skipped).toEqual(full.skipped.filter((s) => s.coin === coin));
      }),
      opts,
    );
  });
});
