import { describe, expect, it, vi } from "vitest";
import { FillColumns } from "../../src/analytics/columns.js";
import { sortFills } from "../../src/analytics/fills.js";
import { DEFAULT_FRICTION, ZERO_FRICTION } from "../../src/analytics/friction.js";
import { estimateLeaderEquity, runBacktest } from "../../src/analytics/replay.js";
import { SYNTHETIC_META, syntheticFills } from "../../src/analytics/synthetic.js";
import type { Fill } from "../../src/analytics/wire.js";
import * as planner from "../../src/core/planner.js";
import { defaultSettings, type Settings } from "../../src/core/settings.js";
import { loadMeta, loadTrace, T0, trades } from "./helpers.js";

// Count what the planner returns: the backtest must size every order through it.
vi.mock("../../src/core/planner.js", async (importOriginal) => {
  const mod = await importOriginal<typeof import("../../src/core/planner.js")>();
  return { ...mod, planOrders: vi.fn(mod.planOrders) };
});

function settingsWith(patch: (s: Settings) => void): Settings {
  const s = defaultSettings();
  patch(s);
  return s;
}

const fixedRatio = (ratio: number) =>
  settingsWith((s) => {
    s.sizing.mode = "fixed-ratio";
    s.sizing.ratio = ratio;
    s.exec.deadbandPct = 0;
    s.risk.maxLeverage = 50;
  });

/** PnL error that lot rounding and the $10 minimum can cause: Σ (lot + $10/px) × |Δpx| per coin. */
function roundingBound(fills: Fill[], szDecimals: Record<string, number>): number {
  const last = new Map<string, number>();
  let bound = 0;
  for (const f of sortFills(fills)) {
    const prev = last.get(f.coin);
    if (prev !== undefined) bound += (10 ** -(szDecimals[f.coin] ?? 0) + 10 / f.px) * Math.abs(f.px - prev);
    last.set(f.coin, f.px);
  }
  return bound;
}

const DECIMALS = Object.fromEntries(SYNTHETIC_META.map((m) => [m.name, m.szDecimals]));

describe("zero-friction backtest tracks the scaled leader", () => {
  // One fill per order: an order that walks the book fills the leader at several prices,
  // but a copy (placed after it) pays the last one; that cost is real, not rounding.
  it("fixed ratio 1: both copies equal the leader's PnL, no drift left", () => {
    const fills = syntheticFills({ fills: 3000, seed: 11, orderUsd: 20_000, maxFillsPerOrder: 1 });
    const r = runBacktest({
      fills,
      settings: fixedRatio(1),
      equity: 1e8,
      friction: ZERO_FRICTION,
      meta: SYNTHETIC_META,
    });
    const tol = 1e-7 * r.targetState.volume;
    expect(Math.abs(r.leader.scaledPnl - r.leader.pnl)).toBeLessThan(tol);
    expect(r.leader.ratio).toEqual({ first: 1, last: 1 });
    expect(Math.abs(r.targetState.pnl - r.leader.scaledPnl)).toBeLessThan(tol);
    expect(Math.abs(r.naive.pnl - r.leader.scaledPnl)).toBeLessThan(tol);
    expect(r.targetState.fees).toBe(0);
    expect(r.targetState.drift.finalUsd).toBeLessThan(1e-6);
    expect(r.naive.drift.finalUsd).toBeLessThan(1e-6);
    expect(r.targetState.trackingErrorUsd).toBeLessThan(tol);
    expect(r.tracker.mismatches).toBe(0);
  });

  it("fixed ratio 0.1: within the rounding bound of the scaled PnL", () => {
    const fills = syntheticFills({ fills: 3000, seed: 12, maxFillsPerOrder: 1 });
    const r = runBacktest({
      fills,
      settings: fixedRatio(0.1),
      equity: 1e8,
      friction: ZERO_FRICTION,
      meta: SYNTHETIC_META,
    });
    const bound = roundingBound(fills, DECIMALS);
    expect(Math.abs(r.targetState.pnl - r.leader.scaledPnl)).toBeLessThanOrEqual(bound);
    expect(bound).toBeLessThan(0.05 * Math.abs(r.leader.scaledPnl) + 50); // the bound itself is small
  });
});

describe("target-state vs naive fill-by-fill", () => {
  const fills = syntheticFills({ fills: 5000, seed: 5 });
  const r = runBacktest({
    fills,
    settings: defaultSettings(),
    equity: 1000,
    friction: DEFAULT_FRICTION,
    meta: SYNTHETIC_META,
  });

  it("at a small equity target-state sends fewer orders and stays far closer to the leader", () => {
    expect(r.targetState.orders).toBeGreaterThan(0);
    expect(r.targetState.orders).toBeLessThan(r.naive.orders);
    expect(r.comparison.ordersSaved).toBe(r.naive.orders - r.targetState.orders);
    // Naive drops every leader fill worth < $10 at our size and never catches up.
    expect(r.naive.skippedFills).toBeGreaterThan(r.fills / 3);
    expect(r.targetState.drift.meanUsd * 10).toBeLessThan(r.naive.drift.meanUsd);
    expect(r.comparison.driftReductionPct).toBeGreaterThan(90);
    expect(r.leader.equitySource).toBe("estimated");
    expect(r.curves.time.length).toBeLessThanOrEqual(120);
  });

  it("a leader scaling out in pieces below $10: naive never sells, target-state ends flat", () => {
    const pieces: [string, number, number, number][] = Array.from({ length: 20 }, (_, i) => [
      "ETH",
      -5,
      100,
      T0 + (i + 1) * 60_000,
    ]);
    const fills = trades([["ETH", 100, 100, T0], ...pieces]);
    // Leader equity $10,000, ours $100: ratio 1%, each $500 piece is $5 for us.
    const s = runBacktest({
      fills,
      settings: defaultSettings(),
      equity: 100,
      leaderEquity: 10_000,
      friction: ZERO_FRICTION,
      meta: [{ name: "ETH", szDecimals: 4, maxLeverage: 50, assetId: 1 }],
    });
    expect(s.naive.positions).toEqual({ ETH: 1 });
    expect(s.naive.drift.finalUsd).toBeCloseTo(100, 9);
    expect(s.naive.skippedFills).toBe(20);
    expect(s.targetState.positions).toEqual({});
    expect(s.targetState.drift.finalUsd).toBe(0);
    expect(s.targetState.drift.meanUsd).toBeLessThan(s.naive.drift.meanUsd);
    expect(s.targetState.skipped["below-min-notional"]).toBeGreaterThan(0);
  });

  it("at a size where naive misses nothing, target-state still saves orders and fees", () => {
    const big = runBacktest({ fills, settings: defaultSettings(), equity: 100_000, meta: SYNTHETIC_META });
    expect(big.naive.skippedFills).toBeLessThan(5);
    expect(big.targetState.orders).toBeLessThan(big.naive.orders * 0.5);
    expect(big.comparison.feesSaved).toBeGreaterThan(0);
    expect(big.comparison.costSaved).toBeGreaterThan(0);
  });

  it("fees are the taker rate on volume; slippage is positive", () => {
    expect(r.targetState.fees).toBeCloseTo(r.targetState.volume * 0.00045, 6);
    expect(r.targetState.slippage).toBeGreaterThan(0);
  });
});

describe("the planner is the only sizing path", () => {
  it("every order the backtest fills is an action planOrders returned", () => {
    const spy = vi.mocked(planner.planOrders);
    spy.mockClear();
    const fills = syntheticFills({ fills: 1500, seed: 3 });
    const r = runBacktest({ fills, settings: defaultSettings(), equity: 5000, meta: SYNTHETIC_META });
    expect(spy).toHaveBeenCalledTimes(r.plans);
    const actions = spy.mock.results.reduce(
      (n, x) => n + (x.type === "return" ? x.value.actions.length : 0),
      0,
    );
    expect(actions).toBe(r.targetState.orders);
    // Each plan is for one coin: the one the leader just traded.
    expect(spy.mock.calls.every(([p]) => p.coins?.length === 1)).toBe(true);
  });

  it("settings reach the backtest through planOrders: denying a coin stops copying it", () => {
    const fills = syntheticFills({ fills: 1500, seed: 3 });
    const base = runBacktest({ fills, settings: defaultSettings(), equity: 5000, meta: SYNTHETIC_META });
    const denied = runBacktest({
      fills,
      settings: settingsWith((s) => {
        s.risk.denyCoins = ["BTC", "ETH"];
      }),
      equity: 5000,
      meta: SYNTHETIC_META,
    });
    expect(base.targetState.byCoin.BTC?.orders ?? 0).toBeGreaterThan(0);
    expect(denied.targetState.byCoin.BTC).toBeUndefined();
    expect(denied.targetState.byCoin.ETH).toBeUndefined();
    expect(denied.targetState.skipped["coin-denied"]).toBeGreaterThan(0);
    expect(denied.targetState.pnl).not.toBeCloseTo(base.targetState.pnl, 6);
  });
});

describe("replay mechanics", () => {
  it("a burst inside the copy delay coalesces into one plan and one order", () => {
    const fills = trades([
      ["ETH", 1, 100, T0],
      ["ETH", 1, 100, T0 + 100],
      ["ETH", 1, 100, T0 + 200],
    ]);
    const settings = fixedRatio(1);
    const slow = runBacktest({ fills, settings, equity: 1e6, friction: { ...ZERO_FRICTION, delayMs: 500 } });
    expect(slow.plans).toBe(1);
    expect(slow.targetState.orders).toBe(1);
    expect(slow.targetState.positions).toEqual({ ETH: 3 });
    expect(slow.naive.orders).toBe(3);
    const fast = runBacktest({ fills, settings, equity: 1e6, friction: ZERO_FRICTION });
    expect(fast.plans).toBe(3);
    expect(fast.targetState.orders).toBe(3);
  });

  it("copies positions the leader held before the window at the coin's first fill", () => {
    const [f] = trades([["ETH", 1, 100, T0]]);
    const held = { ...(f as Fill), startPosition: 4 }; // the leader already held 4 ETH
    const r = runBacktest({ fills: [held], settings: fixedRatio(1), equity: 1e6, friction: ZERO_FRICTION });
    expect(r.targetState.positions).toEqual({ ETH: 5 });
    expect(r.naive.positions).toEqual({ ETH: 5 });
    const newOnly = runBacktest({
      fills: [held],
      settings: settingsWith((s) => {
        Object.assign(s, fixedRatio(1));
        s.join = "new-only";
      }),
      equity: 1e6,
      friction: ZERO_FRICTION,
    });
    expect(newOnly.targetState.positions.ETH ?? 0).not.toBe(5);
  });

  it("extra marks (candle closes) move prices between fills without planning", () => {
    const fills = trades([
      ["ETH", 1, 100, T0],
      ["ETH", -1, 100, T0 + 10_000],
    ]);
    const prices = [{ coin: "ETH", time: T0 + 5000, px: 90 }];
    const r = runBacktest({ fills, settings: fixedRatio(1), equity: 1e6, friction: ZERO_FRICTION, prices });
    expect(r.plans).toBe(2);
    expect(r.targetState.maxDrawdownUsd).toBeCloseTo(10, 9);
    expect(r.targetState.pnl).toBeCloseTo(0, 9);
  });

  it("the kill switch halts and flattens", () => {
    const fills = trades([
      ["ETH", 10, 100, T0],
      ["BTC", 1, 100, T0 + 1000],
      ["ETH", 0.5, 80, T0 + 2000], // −20% on $1000 of ETH with $2000 equity: −10%
      ["ETH", 0.5, 79, T0 + 3000],
    ]);
    const settings = settingsWith((s) => {
      Object.assign(s, fixedRatio(1));
      s.risk.maxDrawdownPct = 8;
    });
    const r = runBacktest({ fills, settings, equity: 2000, friction: ZERO_FRICTION });
    expect(r.targetState.halted?.time).toBe(T0 + 2000);
    expect(r.targetState.halted?.reason).toContain("drawdown");
    expect(r.targetState.positions).toEqual({});
  });

  it("leader equity: given, or its peak gross notional", () => {
    const fills = trades([
      ["ETH", 10, 100, T0],
      ["BTC", 2, 1000, T0 + 1],
      ["ETH", -10, 100, T0 + 2],
    ]);
    expect(estimateLeaderEquity(fills)).toBe(3000);
    const r = runBacktest({ fills, settings: defaultSettings(), equity: 300, leaderEquity: 3000 });
    expect(r.leader.equitySource).toBe("given");
    expect(r.leader.ratio.first).toBeCloseTo(0.1, 12);
    expect(() => runBacktest({ fills, settings: defaultSettings(), equity: 0 })).toThrow(RangeError);
  });
});

describe("the real trace", () => {
  it("replays deterministically with the reference meta (pinned figures)", () => {
    const r = runBacktest({
      fills: loadTrace(),
      settings: defaultSettings(),
      equity: 1000,
      meta: loadMeta(),
    });
    expect(r.fills).toBe(500);
    expect(r.tracker.mismatches).toBe(1);
    expect(r.leader.equity).toBeCloseTo(76032.147, 3);
    expect(r.leader.pnl).toBeCloseTo(-154.814534, 5);
    expect(r.targetState.orders).toBeLessThan(r.naive.orders);
    expect(r.targetState.drift.meanUsd).toBeLessThan(r.naive.drift.meanUsd);
    expect(r.targetState.skipped["below-min-notional"]).toBeGreaterThan(0);
  });
});

describe("long histories (speed and memory are measured in bench/backtest.mjs)", () => {
  it("columns and fill objects replay to the same result, whatever the input order", () => {
    const fills = syntheticFills({ fills: 4000, seed: 9 });
    const base = { settings: defaultSettings(), equity: 10_000, meta: SYNTHETIC_META };
    const a = runBacktest({ ...base, fills });
    // Newest first, as the API lists them.
    const b = runBacktest({ ...base, fills: FillColumns.from([...fills].reverse()) });
    expect(b.fills).toBe(a.fills);
    expect(b.plans).toBe(a.plans);
    expect(b.targetState.orders).toBe(a.targetState.orders);
    expect(b.naive.orders).toBe(a.naive.orders);
    expect(b.targetState.pnl).toBeCloseTo(a.targetState.pnl, 6);
    expect(b.curves).toEqual(a.curves);
  });

  it("equity kept incrementally agrees with the positions marked afresh", () => {
    const fills = syntheticFills({ fills: 6000, seed: 4 });
    const r = runBacktest({ fills, settings: defaultSettings(), equity: 10_000, meta: SYNTHETIC_META });
    // The last curve point is the running figure; pnl is summed from the positions at the end.
    expect(r.curves.targetState.at(-1)).toBeCloseTo(r.targetState.pnl, 6);
    expect(r.curves.naive.at(-1)).toBeCloseTo(r.naive.pnl, 6);
  });

  it("curves are down-sampled as they grow: few points, in time order, ending at the last event", () => {
    const fills = syntheticFills({ fills: 30_000, seed: 8 });
    const r = runBacktest({
      fills,
      settings: defaultSettings(),
      equity: 10_000,
      meta: SYNTHETIC_META,
      curvePoints: 50,
    });
    expect(r.curves.time).toHaveLength(50);
    expect(r.curves.time.at(-1)).toBe(r.window.end);
    expect(r.curves.time[0]).toBeGreaterThanOrEqual(r.window.start);
    for (let i = 1; i < r.curves.time.length; i++)
      expect(r.curves.time[i] as number).toBeGreaterThanOrEqual(r.curves.time[i - 1] as number);
  });
});
