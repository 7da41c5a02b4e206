// Matching, fills and accounts: big orders walk a book of finite depth, resting orders fill when
// the market crosses them, fills carry the exchange's fields through opens, flips and closes,
// TP/SL fire on the mark, funding moves money, and accounts below maintenance are liquidated.
// Same seed, same prices and fills.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { cloid, eventually, infoClient, newTrader, type Trader } from "./helpers.js";

const BTC = 0;
const ETH = 1;
const SOL = 2;

let sim: SimHandle;
beforeAll(async () => {
  // Small synthetic levels ($1 000 each) so modest orders walk the book; depth that never
  // depletes (refillMs 0) so the tests sharing this simulator see the same book
  // (depletion and refill: test/sim/depth.test.ts).
  sim = await startSim({ tickMs: 0, seed: 11, levelSizeUsd: 1000, refillMs: 0 });
});
afterAll(() => sim.close());

async function ioc(t: Trader, a: number, isBuy: boolean, px: string, sz: string, reduceOnly = false) {
  return t.exchange.order({
    orders: [{ a, b: isBuy, p: px, s: sz, r: reduceOnly, t: { limit: { tif: "Ioc" } } }],
    grouping: "na",
  });
}

describe("the book", () => {
  it("a big order walks the levels and pays slippage: one fill per level, one hash", async () => {
    sim.control.setMid("SOL", 190);
    const t = newTrader(sim, 100_000);
    const res = await ioc(t, SOL, true, "195", "30"); // $5 700 against $1 000 levels
    const filled = res.response.data.statuses[0] as { filled: { totalSz: string; avgPx: string } };
    expect(filled.filled.totalSz).toBe("30.0");
    expect(Number(filled.filled.avgPx)).toBeGreaterThan(190.01);
    const fills = (await infoClient(sim).userFills({ user: t.address })).reverse();
    expect(fills.length).toBeGreaterThanOrEqual(6);
    expect(new Set(fills.map((f) => f.hash)).size).toBe(1);
    const pxs = fills.map((f) => Number(f.px));
    expect([...pxs].sort((a, b) => a - b)).toEqual(pxs);
    expect(fills[0]?.px).toBe("190.01");
  });

  it("an IOC bigger than the book fills what there is and cancels the rest", async () => {
    const t = newTrader(sim, 1_000_000);
    const res = await ioc(t, SOL, false, "100", "500"); // far more than 20 levels of $1 000
    const filled = res.response.data.statuses[0] as { filled: { totalSz: string; oid: number } };
    expect(Number(filled.filled.totalSz)).toBeLessThan(500);
    const status = await infoClient(sim).orderStatus({ user: t.address, oid: filled.filled.oid });
    expect(status).toMatchObject({ order: { status: "canceled", order: { origSz: "500.0" } } });
  });

  it("a resting order fills as maker when the market moves through it", async () => {
    sim.control.setMid("ETH", 3400);
    const t = newTrader(sim);
    await t.exchange.order({
      orders: [{ a: ETH, b: true, p: "3350", s: "0.2", r: false, t: { limit: { tif: "Gtc" } }, c: cloid(1) }],
      grouping: "na",
    });
    sim.control.setMid("ETH", 3340);
    const fills = await infoClient(sim).userFills({ user: t.address });
    expect(fills).toEqual([
      expect.objectContaining({
        px: "3350.0",
        sz: "0.2",
        side: "B",
        crossed: false,
        dir: "Open Long",
        fee: "0.1005", // maker 0.015 % of 670
        cloid: cloid(1),
      }),
    ]);
    expect(await infoClient(sim).openOrders({ user: t.address })).toEqual([]);
  });

  it("one user's IOC fills against another user's resting order: taker and maker fills, one trade", async () => {
    sim.control.setMid("BTC", 95000);
    const maker = newTrader(sim);
    const taker = newTrader(sim);
    await maker.exchange.order({
      orders: [{ a: BTC, b: true, p: "95000", s: "0.01", r: false, t: { limit: { tif: "Gtc" } } }],
      grouping: "na",
    });
    await ioc(taker, BTC, false, "94000", "0.01");
    const [m] = await infoClient(sim).userFills({ user: maker.address });
    const [t] = await infoClient(sim).userFills({ user: taker.address });
    expect(m).toMatchObject({ px: "95000.0", side: "B", crossed: false, fee: "0.1425" });
    expect(t).toMatchObject({ px: "95000.0", side: "A", crossed: true, fee: "0.4275", dir: "Open Short" });
    expect(m?.tid).toBe(t?.tid);
    expect(m?.hash).toBe(t?.hash);
    const trades = await infoClient(sim).recentTrades({ coin: "BTC" });
    expect(trades[0]).toMatchObject({ side: "A", users: [maker.address, taker.address] });
  });

  it("crossing your own resting order cancels it instead of trading with yourself", async () => {
    const t = newTrader(sim);
    const placed = await t.exchange.order({
      orders: [{ a: BTC, b: true, p: "95000", s: "0.01", r: false, t: { limit: { tif: "Gtc" } } }],
      grouping: "na",
    });
    const oid = (placed.response.data.statuses[0] as { resting: { oid: number } }).resting.oid;
    await ioc(t, BTC, false, "94990", "0.01");
    expect(await infoClient(sim).orderStatus({ user: t.address, oid })).toMatchObject({
      order: { status: "selfTradeCanceled" },
    });
    const fills = await infoClient(sim).userFills({ user: t.address });
    expect(fills.every((f) => f.crossed)).toBe(true);
  });
});

describe("fills through a position's life", () => {
  it("open, add, partial close, flip and close carry startPosition, dir and closedPnl", async () => {
    sim.control.setMid("SOL", 100);
    const t = newTrader(sim, 100_000);
    await ioc(t, SOL, true, "101", "1"); // open long @100.01
    sim.control.setMid("SOL", 110);
    await ioc(t, SOL, true, "111", "1"); // add @110.01 → entry 105.01
    sim.control.setMid("SOL", 120);
    await ioc(t, SOL, false, "119", "0.5", true); // partial close @119.99
    await ioc(t, SOL, false, "119", "3"); // 1.5 long → 1.5 short @119.99
    sim.control.setMid("SOL", 100);
    await ioc(t, SOL, true, "101", "1.5", true); // close the short @100.01
    const fills = (await infoClient(sim).userFills({ user: t.address })).reverse();
    expect(fills.map((f) => [f.dir, f.startPosition, f.sz, f.px, f.closedPnl])).toEqual([
      ["Open Long", "0.0", "1.0", "100.01", "0.0"],
      ["Open Long", "1.0", "1.0", "110.01", "0.0"],
      ["Close Long", "2.0", "0.5", "119.99", "7.49"], // (119.99 − 105.01) × 0.5
      ["Long > Short", "1.5", "3.0", "119.99", "22.47"], // (119.99 − 105.01) × 1.5
      ["Close Short", "-1.5", "1.5", "100.01", "29.97"], // (119.99 − 100.01) × 1.5
    ]);
    const state = await infoClient(sim).clearinghouseState({ user: t.address });
    expect(state.assetPositions).toEqual([]);
    const fees = fills.reduce((s, f) => s + Number(f.fee), 0);
    const realized = fills.reduce((s, f) => s + Number(f.closedPnl), 0);
    expect(Number(state.marginSummary.accountValue)).toBeCloseTo(100_000 + realized - fees, 6);
  });

  it("a resting reduce-only order is cancelled when the position it reduces is gone", async () => {
    sim.control.setMid("ETH", 3400);
    const t = newTrader(sim);
    await ioc(t, ETH, true, "3500", "0.1");
    const placed = await t.exchange.order({
      orders: [{ a: ETH, b: false, p: "3600", s: "0.1", r: true, t: { limit: { tif: "Gtc" } } }],
      grouping: "na",
    });
    const oid = (placed.response.data.statuses[0] as { resting: { oid: number } }).resting.oid;
    await ioc(t, ETH, false, "3300", "0.1", true);
    expect(await infoClient(sim).orderStatus({ user: t.address, oid })).toMatchObject({
      order: { status: "reduceOnlyCanceled" },
    });
  });
});

describe("TP/SL triggers", () => {
  it("a stop-loss fires on the mark and closes the position at market", async () => {
    sim.control.setMid("ETH", 3400);
    const t = newTrader(sim);
    await ioc(t, ETH, true, "3500", "0.5");
    const placed = await t.exchange.order({
      orders: [
        {
          a: ETH,
          b: false,
          p: "3000",
          s: "0.5",
          r: true,
          t: { trigger: { isMarket: true, triggerPx: "3300", tpsl: "sl" } },
          c: cloid(40),
        },
      ],
      grouping: "na",
    });
    expect(placed.response.data.statuses[0]).toEqual({
      resting: { oid: expect.any(Number), cloid: cloid(40) },
    });
    sim.control.setMid("ETH", 3310);
    expect(await infoClient(sim).openOrders({ user: t.address })).toHaveLength(1);
    sim.control.setMid("ETH", 3290);
    expect(await infoClient(sim).openOrders({ user: t.address })).toEqual([]);
    const closing = (await infoClient(sim).userFills({ user: t.address })).filter(
      (f) => f.cloid === cloid(40),
    );
    expect(closing.reverse()[0]).toMatchObject({ dir: "Close Long", px: "3289.9", crossed: true });
    expect(closing.reduce((sum, f) => sum + Number(f.sz), 0)).toBeCloseTo(0.5, 8);
    expect(await infoClient(sim).orderStatus({ user: t.address, oid: cloid(40) })).toMatchObject({
      order: { status: "filled" },
    });
  });

  it("a take-profit on a short fires when the mark falls to it", async () => {
    sim.control.setMid("SOL", 190);
    const t = newTrader(sim);
    await ioc(t, SOL, false, "180", "1");
    await t.exchange.order({
      orders: [
        {
          a: SOL,
          b: true,
          p: "200",
          s: "1",
          r: true,
          t: { trigger: { isMarket: true, triggerPx: "180", tpsl: "tp" } },
        },
      ],
      grouping: "na",
    });
    sim.control.setMid("SOL", 179);
    expect((await infoClient(sim).clearinghouseState({ user: t.address })).assetPositions).toEqual([]);
  });
});

describe("funding and liquidation", () => {
  it("funding moves USDC from longs to shorts at the published rate", async () => {
    sim.control.setMid("BTC", 95000);
    const long = newTrader(sim);
    const short = newTrader(sim);
    await ioc(long, BTC, true, "96000", "0.01");
    await ioc(short, BTC, false, "94000", "0.01");
    sim.control.runFunding();
    const [lf] = (await infoClient(sim).userFunding({ user: long.address })).slice(-1);
    const [sf] = (await infoClient(sim).userFunding({ user: short.address })).slice(-1);
    expect(Number(lf?.delta.usdc)).toBeCloseTo(-Number(sf?.delta.usdc), 6);
    const rate = Number(lf?.delta.fundingRate);
    expect(Number(lf?.delta.usdc)).toBeCloseTo(-0.01 * 95000 * rate, 6);
    const pos = (await infoClient(sim).clearinghouseState({ user: long.address })).assetPositions[0]
      ?.position;
    expect(Number(pos?.cumFunding.allTime)).toBeCloseTo(0.01 * 95000 * rate, 6);
  });

  it("a cross account below maintenance margin is liquidated with liquidation fills", async () => {
    sim.control.setMid("BTC", 95000);
    const t = newTrader(sim, 100);
    await ioc(t, BTC, true, "96000", "0.02"); // $1 900 at 20x with $100
    const state = await infoClient(sim).clearinghouseState({ user: t.address });
    const liqPx = Number(state.assetPositions[0]?.position.liquidationPx);
    expect(liqPx).toBeGreaterThan(90_000);
    expect(liqPx).toBeLessThan(95_000);
    sim.control.setMid("BTC", Math.floor(liqPx) - 50);
    const after = await infoClient(sim).clearinghouseState({ user: t.address });
    expect(after.assetPositions).toEqual([]);
    const [fill] = await infoClient(sim).userFills({ user: t.address });
    expect(fill).toMatchObject({
      dir: "Close Long",
      liquidation: { liquidatedUser: t.address, markPx: expect.any(String), method: "market" },
    });
    const ledger = await infoClient(sim).userNonFundingLedgerUpdates({ user: t.address });
    expect(ledger[ledger.length - 1]?.delta).toMatchObject({
      type: "liquidation",
      leverageType: "Cross",
      liquidatedPositions: [{ coin: "BTC", szi: "0.02" }],
    });
  });

  it("an isolated position is liquidated on its own margin, leaving the rest of the account", async () => {
    sim.control.setMid("SOL", 190);
    sim.control.setMid("ETH", 3400);
    const t = newTrader(sim, 10_000);
    await t.exchange.updateLeverage({ asset: SOL, isCross: false, leverage: 20 });
    await ioc(t, SOL, false, "180", "10"); // short $1 900, $95 margin
    await ioc(t, ETH, true, "3500", "0.1"); // cross long
    sim.control.setMid("SOL", 200);
    const state = await infoClient(sim).clearinghouseState({ user: t.address });
    expect(state.assetPositions.map((p) => p.position.coin)).toEqual(["ETH"]);
    const [fill] = await infoClient(sim).userFills({ user: t.address });
    expect(fill).toMatchObject({ coin: "SOL", dir: "Close Short", liquidation: { method: "market" } });
    expect(Number(state.marginSummary.accountValue)).toBeGreaterThan(9800);
  });
});

describe("the clock", () => {
  it("prices move every tick unless tickMs is 0, and funding is paid every fundingIntervalMs", async () => {
    const live = await startSim({ seed: 4, tickMs: 20, fundingIntervalMs: 100 });
    try {
      const t = newTrader(live);
      await ioc(t, BTC, true, "99000", "0.01");
      const before = live.control.mid("BTC");
      await eventually(() => live.control.mid("BTC") !== before);
      await eventually(async () => (await infoClient(live).userFunding({ user: t.address })).length >= 2);
    } finally {
      await live.close();
    }
  });
});

describe("determinism", () => {
  it("the same seed and clock give the same prices and, for the same orders, the same fills", async () => {
    const t0 = Date.now();
    const run = async (seed: number) => {
      const s = await startSim({ tickMs: 0, seed, clock: () => t0 });
      try {
        s.control.tick(200);
        const mids = await infoClient(s).allMids();
        const t = newTrader(s, 50_000, { key: `0x${"7".repeat(64)}` });
        await ioc(t, BTC, true, String(Math.round(Number(mids.BTC) * 1.01)), "0.1");
        await ioc(t, ETH, false, String(Math.round(Number(mids.ETH) * 0.99)), "3");
        s.control.tick(50);
        await ioc(t, BTC, false, String(Math.round(Number(s.control.mid("BTC")) * 0.99)), "0.1", true);
        const fills = (await infoClient(s).userFills({ user: t.address })).map(
          ({ time: _t, ...rest }) => rest,
        );
        return { mids, fills };
      } finally {
        await s.close();
      }
    };
    const a = await run(42);
    const b = await run(42);
    const c = await run(43);
    expect(b).toEqual(a);
    expect(a.mids.BTC).not.toBe("95000.0");
    expect(c.mids).not.toEqual(a.mids);
  });
});

describe("ids across restarts", () => {
  it("a simulator started again later never repeats an order or trade id the earlier one gave out", async () => {
    // hlcopy's journal knows a fill by its trade id: a restarted simulator (same port, same
    // seed) that counted ids from the same start again made new fills look like old ones.
    const key = `0x${"8".repeat(64)}` as const;
    const run = async (clock: () => number) => {
      const s = await startSim({ tickMs: 0, seed: 5, clock });
      try {
        const t = newTrader(s, 50_000, { key });
        const mid = Number(s.control.mid("BTC"));
        await ioc(t, BTC, true, String(Math.round(mid * 1.01)), "0.3");
        await ioc(t, BTC, false, String(Math.round(mid * 0.99)), "0.3", true);
        return await infoClient(s).userFills({ user: t.address });
      } finally {
        await s.close();
      }
    };
    const t0 = Date.now();
    const first = await run(() => t0);
    const second = await run(() => t0 + 1);
    expect(first.length).toBeGreaterThan(1);
    expect(second.length).toBe(first.length);
    const tids = new Set(first.map((f) => f.tid));
    const oids = new Set(first.map((f) => f.oid));
    expect(second.filter((f) => tids.has(f.tid))).toEqual([]);
    expect(second.filter((f) => oids.has(f.oid))).toEqual([]);
    // The later start's ids are above every id the earlier one gave out.
    expect(Math.min(...second.map((f) => f.tid))).toBeGreaterThan(Math.max(...first.map((f) => f.tid)));
    expect(Math.min(...second.map((f) => f.oid))).toBeGreaterThan(Math.max(...first.map((f) => f.oid)));
  });
});
