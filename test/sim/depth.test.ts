// A book with real depth: taker orders consume the synthetic maker's levels, consumed depth
// refills over time, so a large order walks the book, an IOC can fill partly and a burst pays
// more than a single order. Each test has its own simulator on a hand-driven clock.

import { SubscriptionClient, WebSocketTransport } from "@nktkas/hyperliquid";
import { afterEach, describe, expect, it } from "vitest";
import { type SimHandle, type SimOptions, startSim } from "../../src/sim/index.js";
import { eventually, infoClient, newTrader, type Trader } from "./helpers.js";

const SOL = 2;

const sims: SimHandle[] = [];
afterEach(async () => {
  for (const s of sims.splice(0)) await s.close();
});

/** A simulator with frozen prices and a clock the test moves by hand. */
async function simAt(opts: SimOptions = {}): Promise<{ sim: SimHandle; clock: { t: number } }> {
  const clock = { t: Date.now() };
  const sim = await startSim({ tickMs: 0, seed: 3, clock: () => clock.t, ...opts });
  sims.push(sim);
  sim.control.setMid("SOL", 100);
  return { sim, clock };
}

async function ioc(t: Trader, isBuy: boolean, px: string, sz: string) {
  const res = await t.exchange.order({
    orders: [{ a: SOL, b: isBuy, p: px, s: sz, r: false, t: { limit: { tif: "Ioc" } } }],
    grouping: "na",
  });
  return res.response.data.statuses[0] as { filled: { totalSz: string; avgPx: string } };
}

async function asks(sim: SimHandle): Promise<{ px: number; sz: number }[]> {
  const book = await infoClient(sim).l2Book({ coin: "SOL" });
  return (book?.levels[1] ?? []).map((l) => ({ px: Number(l.px), sz: Number(l.sz) }));
}

describe("the synthetic book depletes and refills", () => {
  it("defaults: 20 levels of $50 000 a side, 1 bp apart", async () => {
    const { sim } = await simAt();
    const levels = await asks(sim);
    expect(levels).toHaveLength(20);
    expect(levels[0]?.px).toBe(100.01);
    for (const l of levels) expect(l.px * l.sz).toBeGreaterThan(49_000);
    expect(levels[1]?.px).toBe(100.02);
  });

  it("a large IOC walks several levels and pays more than the first level", async () => {
    const { sim } = await simAt({ depthUsd: 200_000 }); // $10 000 a level
    const t = newTrader(sim, 1_000_000);
    const res = await ioc(t, true, "101", "350"); // $35 000: 3.5 levels
    expect(res.filled.totalSz).toBe("350.0");
    expect(Number(res.filled.avgPx)).toBeGreaterThan(100.01);
    const fills = await infoClient(sim).userFills({ user: t.address });
    expect(new Set(fills.map((f) => f.px)).size).toBe(4);
    // What it took is gone from the book: the best ask is now the 4th level, partly taken.
    const after = await asks(sim);
    expect(after[0]?.px).toBe(100.04);
    expect(after[0]?.sz).toBeLessThan(99.97);
  });

  it("an IOC larger than what is left within its limit fills partly; the rest is cancelled", async () => {
    const { sim } = await simAt({ depthUsd: 200_000 });
    const t = newTrader(sim, 1_000_000);
    // Limit 100.05 reaches 5 levels (≈ 499 SOL); ask for 800.
    const res = await ioc(t, true, "100.05", "800");
    const filled = Number(res.filled.totalSz);
    expect(filled).toBeGreaterThan(490);
    expect(filled).toBeLessThan(800);
    const history = sim.control.orderHistory(t.address);
    expect(history.at(-1)?.status).toBe("canceled");
    // Nothing is left within that limit now: the same IOC cannot match at all.
    await expect(ioc(t, true, "100.05", "10")).rejects.toThrow(/could not immediately match/);
  });

  it("a burst pays more than a single order; after the refill time the book is whole again", async () => {
    const { sim, clock } = await simAt({ depthUsd: 200_000, refillMs: 2_000 });
    const one = newTrader(sim, 1_000_000);
    const first = Number((await ioc(one, true, "101", "50")).filled.avgPx);
    let last = first;
    for (let i = 0; i < 5; i++) last = Number((await ioc(one, true, "101", "50")).filled.avgPx);
    expect(last).toBeGreaterThan(first);

    clock.t += 1_000; // half the refill time: part of it is back
    const half = await asks(sim);
    expect(half[0]?.px).toBeLessThan(100.03);
    clock.t += 1_000;
    const whole = await asks(sim);
    expect(whole[0]).toEqual({ px: 100.01, sz: Math.floor((10_000 / 100.01) * 100) / 100 });
    expect(Number((await ioc(one, true, "101", "50")).filled.avgPx)).toBe(first);
  });

  it("the refill is pushed to l2Book subscribers as it happens", async () => {
    const { sim, clock } = await simAt({ depthUsd: 200_000, refillMs: 2_000 });
    const transport = new WebSocketTransport({ url: sim.wsUrl });
    const books: string[] = [];
    try {
      await new SubscriptionClient({ transport }).l2Book({ coin: "SOL" }, (b) => {
        books.push(b.levels[1][0]?.px ?? "");
      });
      await eventually(() => books.length > 0);
      await ioc(newTrader(sim, 1_000_000), true, "101", "350");
      await eventually(() => books.at(-1) === "100.04");
      clock.t += 2_000; // nothing else happens on the book: the refill alone is pushed
      await eventually(() => books.at(-1) === "100.01");
    } finally {
      transport.close();
    }
  });

  it("refillMs 0 keeps the old behaviour: every order sees the full book", async () => {
    const { sim } = await simAt({ depthUsd: 200_000, refillMs: 0 });
    const t = newTrader(sim, 1_000_000);
    const a = await ioc(t, true, "101", "350");
    const b = await ioc(t, true, "101", "350");
    expect(b.filled.avgPx).toBe(a.filled.avgPx);
  });

  it("per-market depth and refill from the markets list", async () => {
    const { sim } = await simAt({
      markets: [
        { name: "BTC", szDecimals: 5, maxLeverage: 40, price: 95_000 },
        { name: "ETH", szDecimals: 4, maxLeverage: 25, price: 3_400 },
        { name: "SOL", szDecimals: 2, maxLeverage: 20, price: 100, depthUsd: 20_000, refillMs: 0 },
      ],
    });
    const levels = await asks(sim);
    expect(levels[0]?.sz).toBe(Math.floor((1_000 / 100.01) * 100) / 100);
  });

  it("is deterministic: the same seed and clock give the same fills", async () => {
    const run = async () => {
      const { sim } = await simAt({ depthUsd: 200_000 });
      const t = newTrader(sim, 1_000_000);
      const out: string[] = [];
      for (const sz of ["120", "300", "75"]) out.push((await ioc(t, true, "101", sz)).filled.avgPx);
      out.push((await ioc(t, false, "99", "400")).filled.avgPx);
      return out;
    };
    expect(await run()).toEqual(await run());
  });
});

describe("l2Book shows 20 levels a side, aggregated as the exchange does", () => {
  async function withUserBids() {
    const { sim } = await simAt({ depthUsd: 200_000 });
    const t = newTrader(sim, 1_000_000);
    // 30 resting bids below the maker's 20 levels (99.99 … 99.80), one every 0.1.
    const orders = Array.from({ length: 30 }, (_, i) => ({
      a: SOL,
      b: true,
      p: (99.5 - i * 0.1).toFixed(2),
      s: "1",
      r: false,
      t: { limit: { tif: "Gtc" as const } },
    }));
    await t.exchange.order({ orders, grouping: "na" });
    return sim;
  }

  it("full precision and nSigFigs 5: the best 20 a side, never more", async () => {
    const sim = await withUserBids();
    const full = await infoClient(sim).l2Book({ coin: "SOL" });
    const five = await infoClient(sim).l2Book({ coin: "SOL", nSigFigs: 5 });
    expect(full?.levels[0]).toHaveLength(20);
    expect(five?.levels[0]).toHaveLength(20);
    expect(five?.levels[0]).toEqual(full?.levels[0]);
    expect(five?.levels[1]).toHaveLength(20);
  });

  it("nSigFigs 2 rounds bids down and asks up to two figures and merges them", async () => {
    const sim = await withUserBids();
    const book = await infoClient(sim).l2Book({ coin: "SOL", nSigFigs: 2 });
    const [bids, asks] = book?.levels ?? [[], []];
    // 99.99 … 99.80 (maker) and 99.50 … 99.00 (users) → 99; then 98.9 … 97.0 → 98, 97; …
    expect(bids.map((l) => l.px)).toEqual(["99.0", "98.0", "97.0", "96.0"]);
    expect(bids[3]).toMatchObject({ sz: "4.0", n: 4 });
    const maker = Math.floor((10_000 / 99.99) * 100) / 100; // every maker level's size is close to this
    expect(bids[0]?.n).toBe(20 + 6);
    expect(Number(bids[0]?.sz)).toBeGreaterThan(20 * maker * 0.99 + 6);
    expect(bids[1]).toMatchObject({ px: "98.0", sz: "10.0", n: 10 });
    expect(asks).toEqual([{ px: "110.0", sz: expect.any(String), n: 20 }]); // 100.01 … 100.20 rounded up
  });

  it("mantissa 2 with nSigFigs 5 uses steps of two in the last figure; other combinations are refused", async () => {
    const sim = await withUserBids();
    const book = await infoClient(sim).l2Book({ coin: "SOL", nSigFigs: 5, mantissa: 2 });
    const asks = book?.levels[1] ?? [];
    expect(asks.slice(0, 3).map((l) => [l.px, l.n])).toEqual([
      ["100.02", 2],
      ["100.04", 2],
      ["100.06", 2],
    ]);
    expect(asks).toHaveLength(10);
    const res = await fetch(`${sim.httpUrl}/info`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ type: "l2Book", coin: "SOL", nSigFigs: 4, mantissa: 2 }),
    });
    expect(res.status).toBe(422);
  });
});
