// POST /info through the SDK's InfoClient: every endpoint the issue lists answers in the SDK's
// shape, and where the recorded mainnet responses (test/fixtures/reference/hl-cassettes) match
// today's API, the simulator's objects carry the same fields.

import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { cloid, infoClient, newTrader, post, type Trader } from "./helpers.js";

const cassette = (name: string): { request: unknown; response: unknown } =>
  JSON.parse(
    readFileSync(new URL(`../fixtures/reference/hl-cassettes/${name}.json`, import.meta.url), "utf8"),
  );

/** Keys of the first object of a response (or the object itself). */
function keysOf(value: unknown): string[] {
  const first = Array.isArray(value) ? value[0] : value;
  return Object.keys(first as object).sort();
}

let sim: SimHandle;
let trader: Trader;
const info = () => infoClient(sim);

beforeAll(async () => {
  sim = await startSim({ tickMs: 0, seed: 3 });
  trader = newTrader(sim, 50_000);
  // A little history: a long BTC, a short ETH, a resting SOL bid, a TP trigger, funding, a withdrawal.
  await trader.exchange.order({
    orders: [
      { a: 0, b: true, p: "96000", s: "0.02", r: false, t: { limit: { tif: "Ioc" } }, c: cloid(1) },
      { a: 1, b: false, p: "3300", s: "0.5", r: false, t: { limit: { tif: "Ioc" } } },
      { a: 2, b: true, p: "180", s: "2", r: false, t: { limit: { tif: "Gtc" } }, c: cloid(2) },
      {
        a: 0,
        b: false,
        p: "99000",
        s: "0.02",
        r: true,
        t: { trigger: { isMarket: true, triggerPx: "100000", tpsl: "tp" } },
        c: cloid(3),
      },
    ],
    grouping: "na",
  });
  sim.control.runFunding();
  sim.control.fund(trader.address, -1000);
});
afterAll(() => sim.close());

describe("market data", () => {
  it("meta lists the default markets with real szDecimals and maxLeverage", async () => {
    const meta = await info().meta();
    const row = (name: string) => meta.universe.find((u) => u.name === name);
    expect(meta.universe.slice(0, 2).map((u) => u.name)).toEqual(["BTC", "ETH"]);
    expect(row("BTC")).toEqual({ szDecimals: 5, name: "BTC", maxLeverage: 40, marginTableId: 40 });
    expect(row("ETH")).toMatchObject({ szDecimals: 4, maxLeverage: 25 });
    expect(row("SOL")).toMatchObject({ szDecimals: 2, maxLeverage: 20 });
    expect(row("HYPE")).toMatchObject({ szDecimals: 2, maxLeverage: 10 });
    expect(row("DOGE")).toMatchObject({ szDecimals: 0, maxLeverage: 10 });
    expect(row("kPEPE")).toMatchObject({ szDecimals: 0, maxLeverage: 10 });
    expect(meta.collateralToken).toBe(0);
    for (const u of meta.universe) {
      expect(meta.marginTables.some(([id]) => id === u.marginTableId)).toBe(true);
    }
    const recorded = cassette("meta").response as { universe: { name: string; szDecimals: number }[] };
    for (const name of ["BTC", "ETH", "SOL", "DOGE", "kPEPE"]) {
      expect(row(name)?.szDecimals).toBe(recorded.universe.find((u) => u.name === name)?.szDecimals);
    }
  });

  it("metaAndAssetCtxs gives one context per market, marked at the mid", async () => {
    const [meta, ctxs] = await info().metaAndAssetCtxs();
    expect(ctxs).toHaveLength(meta.universe.length);
    expect(ctxs[0]).toMatchObject({
      markPx: "95000.0",
      midPx: "95000.0",
      oraclePx: "95000.0",
      openInterest: "0.02",
    });
    expect(ctxs[0]?.impactPxs).toEqual(["94999.0", "95001.0"]);
    expect(Number(ctxs[0]?.dayNtlVlm)).toBeGreaterThan(1000);
  });

  it("allMids has a mid per coin, formatted like the exchange's", async () => {
    const mids = await info().allMids();
    expect(mids).toMatchObject({
      BTC: "95000.0",
      ETH: "3400.0",
      SOL: "190.0",
      DOGE: "0.32",
      kPEPE: "0.0185",
    });
  });

  it("l2Book has 20 levels a side of finite depth, users' orders included", async () => {
    const book = await info().l2Book({ coin: "SOL" });
    const [bids, asks] = book?.levels ?? [[], []];
    expect(bids).toHaveLength(20);
    expect(asks).toHaveLength(20);
    expect(bids[0]?.px).toBe("189.99");
    expect(asks[0]?.px).toBe("190.01");
    const pxs = bids.map((l) => Number(l.px));
    expect([...pxs].sort((a, b) => b - a)).toEqual(pxs);
    expect(keysOf(bids)).toEqual(keysOf((cassette("l2Book").response as { levels: unknown[][] }).levels[0]));
    // Coarser views aggregate levels.
    const coarse = await info().l2Book({ coin: "BTC", nSigFigs: 3 });
    expect(coarse?.levels[0][0]?.px).toBe("94900.0");
    expect(await info().l2Book({ coin: "NOPE" })).toBeNull();
  });

  it("recentTrades lists the public trades with both users", async () => {
    const trades = await info().recentTrades({ coin: "BTC" });
    expect(trades[0]).toMatchObject({
      coin: "BTC",
      side: "B",
      px: "95001.0",
      sz: "0.02",
      users: [trader.address, expect.any(String)],
    });
  });

  it("candleSnapshot builds candles from the simulator's own prices and trades", async () => {
    const candles = await info().candleSnapshot({
      coin: "BTC",
      interval: "1h",
      startTime: Date.now() - 7_200_000,
    });
    expect(candles.length).toBeGreaterThan(0);
    const last = candles[candles.length - 1];
    expect(last).toMatchObject({ s: "BTC", i: "1h", c: "95000.0", n: 1, v: "0.02" });
    expect((last?.T ?? 0) - (last?.t ?? 0)).toBe(3_599_999);
    expect(keysOf(candles)).toEqual(keysOf(cassette("candleSnapshot").response));
  });

  it("candleSnapshot serves 30 days of seeded hourly history before the start, at the market's volatility", async () => {
    const now = Date.now();
    const candles = await info().candleSnapshot({
      coin: "ETH",
      interval: "1h",
      startTime: now - 31 * 86_400_000,
    });
    // 720 history hours + the live hour(s) since the start.
    expect(candles.length).toBeGreaterThanOrEqual(721);
    expect(candles.length).toBeLessThanOrEqual(723);
    const hourly = candles.slice(0, 720);
    for (let i = 1; i < hourly.length; i++) expect(hourly[i]?.t).toBe((hourly[i - 1]?.t ?? 0) + 3_600_000);
    // The history ends where the live prices begin (the starting mid 3400).
    expect(Number(hourly[719]?.c)).toBeCloseTo(3400, 0);
    // ETH's history is drawn at 60 % a year: 720 hourly returns estimate it within a few %.
    const { hourlyVolatility } = await import("../../src/core/volatility.js");
    const vol = hourlyVolatility(
      candles.map((c) => ({ t: c.t, c: Number(c.c) })),
      now,
      30,
    );
    expect(vol).toBeGreaterThan(0.55);
    expect(vol).toBeLessThan(0.65);
    // Minute candles are the live ones only.
    const minutes = await info().candleSnapshot({ coin: "ETH", interval: "1m", startTime: 0 });
    expect(minutes.every((c) => c.t >= now - 3_600_000)).toBe(true);
  });

  it("fundingHistory has one entry per funding payment", async () => {
    const history = await info().fundingHistory({ coin: "BTC", startTime: 0 });
    expect(history).toHaveLength(1);
    expect(keysOf(history)).toEqual(keysOf(cassette("fundingHistory").response));
  });

  it("spotMeta and spotClearinghouseState are empty but well-formed", async () => {
    const spot = await info().spotMeta();
    expect(spot.universe).toEqual([]);
    expect(spot.tokens[0]).toMatchObject({ name: "USDC", index: 0 });
    expect(await info().spotClearinghouseState({ user: trader.address })).toEqual({ balances: [] });
  });
});

describe("account data", () => {
  it("clearinghouseState reports positions, margin and a consistent account value", async () => {
    const state = await info().clearinghouseState({ user: trader.address });
    expect(state.assetPositions.map((p) => [p.position.coin, p.position.szi])).toEqual([
      ["BTC", "0.02"],
      ["ETH", "-0.5"],
    ]);
    const fills = await info().userFills({ user: trader.address });
    const fees = fills.reduce((s, f) => s + Number(f.fee), 0);
    const funding = (await info().userFunding({ user: trader.address })).reduce(
      (s, f) => s + Number(f.delta.usdc),
      0,
    );
    const upnl = state.assetPositions.reduce((s, p) => s + Number(p.position.unrealizedPnl), 0);
    // deposits − withdrawals + realized (none) + unrealized − fees ± funding
    expect(Number(state.marginSummary.accountValue)).toBeCloseTo(50_000 - 1000 + upnl - fees + funding, 5);
    expect(state.assetPositions[0]?.position).toMatchObject({
      leverage: { type: "cross", value: 20 },
      positionValue: "1900.0",
      maxLeverage: 40,
    });
    expect(Number(state.withdrawable)).toBeGreaterThan(0);
    expect(state.time).toBeGreaterThan(0);
    const recorded = (cassette("clearinghouseState").response as { assetPositions: { position: object }[] })
      .assetPositions[0]?.position as object;
    const current = Object.keys(state.assetPositions[0]?.position ?? {});
    // The 2023 recording lacks maxLeverage/cumFunding and still has maxTradeSzs (removed since).
    expect(current).toEqual(expect.arrayContaining(Object.keys(recorded).filter((k) => k !== "maxTradeSzs")));
  });

  it("an unknown user has an empty, well-formed state", async () => {
    const state = await info().clearinghouseState({ user: "0x000000000000000000000000000000000000beef" });
    expect(state.marginSummary.accountValue).toBe("0.0");
    expect(state.assetPositions).toEqual([]);
  });

  it("openOrders and frontendOpenOrders list resting and trigger orders", async () => {
    const open = await info().openOrders({ user: trader.address });
    expect(open.map((o) => o.coin).sort()).toEqual(["BTC", "SOL"]);
    const front = await info().frontendOpenOrders({ user: trader.address });
    const tp = front.find((o) => o.isTrigger);
    expect(tp).toMatchObject({
      coin: "BTC",
      side: "A",
      orderType: "Take Profit Market",
      triggerPx: "100000.0",
      triggerCondition: "Price above 100000",
      reduceOnly: true,
      tif: null,
      cloid: cloid(3),
    });
    const recorded = Object.keys((cassette("frontendOpenOrders").response as object[])[0] as object);
    expect(Object.keys(tp ?? {})).toEqual(expect.arrayContaining(recorded));
  });

  it("userFills is newest first; userFillsByTime is oldest first unless reversed", async () => {
    const fills = await info().userFills({ user: trader.address });
    expect(fills.map((f) => f.coin)).toEqual(["ETH", "BTC"]);
    const byTime = await info().userFillsByTime({ user: trader.address, startTime: 0 });
    expect(byTime.map((f) => f.coin)).toEqual(["BTC", "ETH"]);
    const reversed = await info().userFillsByTime({ user: trader.address, startTime: 0, reversed: true });
    expect(reversed.map((f) => f.coin)).toEqual(["ETH", "BTC"]);
    expect(await info().userFillsByTime({ user: trader.address, startTime: Date.now() + 60_000 })).toEqual(
      [],
    );
    const recorded = Object.keys((cassette("userFills").response as object[])[0] as object);
    expect(Object.keys(fills[0] ?? {})).toEqual(expect.arrayContaining(recorded));
  });

  it("userFills with aggregateByTime merges the partial fills of one crossing order", async () => {
    const whale = newTrader(sim, 1_000_000);
    await whale.exchange.order({
      orders: [{ a: 2, b: true, p: "195", s: "400", r: false, t: { limit: { tif: "Ioc" } } }],
      grouping: "na",
    });
    const raw = await info().userFills({ user: whale.address });
    const merged = await info().userFills({ user: whale.address, aggregateByTime: true });
    expect(raw.length).toBeGreaterThan(1);
    expect(merged).toHaveLength(1);
    expect(Number(merged[0]?.sz)).toBeCloseTo(400, 6);
  });

  it("orderStatus finds an order by oid and by cloid, and says unknownOid otherwise", async () => {
    const byCloid = await info().orderStatus({ user: trader.address, oid: cloid(2) });
    expect(byCloid).toMatchObject({
      status: "order",
      order: { status: "open", order: { coin: "SOL", cloid: cloid(2) } },
    });
    const oid = byCloid.status === "order" ? byCloid.order.order.oid : -1;
    expect(await info().orderStatus({ user: trader.address, oid })).toEqual(byCloid);
    expect(await info().orderStatus({ user: trader.address, oid: 1 })).toEqual({ status: "unknownOid" });
    // Another user's order is unknown to you.
    const other = newTrader(sim, 100);
    expect(await info().orderStatus({ user: other.address, oid })).toEqual({ status: "unknownOid" });
  });

  it("historicalOrders lists every order with its status, newest first", async () => {
    const history = await info().historicalOrders({ user: trader.address });
    expect(history.map((h) => h.status)).toEqual(["open", "open", "filled", "filled"]);
  });

  it("userFunding lists funding payments; longs pay when the rate is positive", async () => {
    const funding = await info().userFunding({ user: trader.address });
    const btc = funding.find((f) => f.delta.coin === "BTC");
    const eth = funding.find((f) => f.delta.coin === "ETH");
    const rate = Number(btc?.delta.fundingRate);
    expect(Number(btc?.delta.usdc)).toBeCloseTo(-0.02 * 95000 * rate, 6);
    expect(btc?.delta).toMatchObject({ type: "funding", szi: "0.02", nSamples: 1 });
    expect(eth?.delta.szi).toBe("-0.5");
    expect(keysOf(funding.map((f) => f.delta))).toEqual(
      keysOf((cassette("userFunding").response as { delta: object }[]).map((f) => f.delta)),
    );
  });

  it("userNonFundingLedgerUpdates shows deposits and withdrawals", async () => {
    const ledger = await info().userNonFundingLedgerUpdates({ user: trader.address });
    expect(ledger.map((l) => l.delta)).toEqual([
      { type: "deposit", usdc: "50000.0" },
      { type: "withdraw", usdc: "1000.0", nonce: expect.any(Number), fee: "0.0" },
    ]);
    expect(keysOf(ledger)).toEqual(keysOf(cassette("userNonFundingLedgerUpdates").response));
  });

  it("extraAgents, userRateLimit and userRole describe the account", async () => {
    expect(await info().extraAgents({ user: trader.address })).toEqual([]);
    const limit = await info().userRateLimit({ user: trader.address });
    expect(limit.nRequestsUsed).toBe(1);
    expect(Number(limit.cumVlm)).toBeGreaterThan(3000);
    expect(limit.nRequestsCap).toBe(10_000 + Math.floor(Number(limit.cumVlm)));
    expect(keysOf(limit)).toEqual(expect.arrayContaining(keysOf(cassette("userRateLimit").response)));
    expect(await info().userRole({ user: trader.address })).toEqual({ role: "user" });
    expect(await info().userRole({ user: "0x000000000000000000000000000000000000beef" })).toEqual({
      role: "missing",
    });
  });

  it("portfolio has the eight periods with account value and PnL histories", async () => {
    const p = await info().portfolio({ user: trader.address });
    expect(p.map(([period]) => period)).toEqual([
      "day",
      "week",
      "month",
      "allTime",
      "perpDay",
      "perpWeek",
      "perpMonth",
      "perpAllTime",
    ]);
    const day = p[0][1];
    expect(day.accountValueHistory.length).toBeGreaterThan(1);
    expect(Number(day.vlm)).toBeGreaterThan(3000);
    expect(keysOf(day)).toEqual(keysOf((cassette("portfolio").response as [string, object][])[0]?.[1]));
  });
});

describe("malformed requests", () => {
  it("an unknown type or a bad field is HTTP 422, like the exchange's deserializer", async () => {
    const unknown = await post(sim, "/info", { type: "nope" });
    expect(unknown.status).toBe(422);
    expect(String(unknown.body)).toMatch(/^Failed to deserialize the JSON body into the target type/);
    expect((await post(sim, "/info", { type: "clearinghouseState", user: "0x12" })).status).toBe(422);
  });
});
