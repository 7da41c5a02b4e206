// Test hooks: every fault kind, the request counters, and POST /control speaking the same
// language as the in-process control object.

import { HttpRequestError } from "@nktkas/hyperliquid";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { cloid, infoClient, newTrader, post, rejected, statusesOf, type Trader } from "./helpers.js";

let sim: SimHandle;
let t: Trader;

beforeAll(async () => {
  sim = await startSim({ tickMs: 0, seed: 9 });
  t = newTrader(sim, 100_000);
});
beforeEach(() => sim.control.reset());
afterAll(() => sim.close());

const buy = (c: number, tif: "Ioc" | "Gtc" = "Ioc", sz = "1") =>
  t.exchange.order({
    orders: [
      {
        a: 2,
        b: true,
        p: tif === "Ioc" ? "195" : "150",
        s: sz,
        r: false,
        t: { limit: { tif } },
        c: cloid(c),
      },
    ],
    grouping: "na",
  });

async function httpStatus(fn: () => Promise<unknown>): Promise<number | undefined> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof HttpRequestError) return e.response?.status;
    throw e;
  }
  return 200;
}

describe("faults", () => {
  it("rejectOrders rejects the next N orders inside statuses[], with the given message", async () => {
    sim.control.fault({
      kind: "rejectOrders",
      count: 2,
      message: "Insufficient margin to place order. asset=2",
    });
    for (const c of [1, 2]) {
      const r = await rejected(() => buy(c));
      expect(statusesOf(r.response)).toEqual([{ error: "Insufficient margin to place order. asset=2" }]);
    }
    expect((await buy(3)).response.data.statuses[0]).toHaveProperty("filled");
    expect(sim.control.stats()).toMatchObject({ ordersRejected: 2, ordersPlaced: 1 });
  });

  it("partialFill fills only a fraction of the next taker orders", async () => {
    sim.control.fault({ kind: "partialFill", count: 1, fraction: 0.25 });
    expect((await buy(4, "Ioc", "4")).response.data.statuses[0]).toMatchObject({
      filled: { totalSz: "1.0" },
    });
    expect((await buy(5, "Ioc", "4")).response.data.statuses[0]).toMatchObject({
      filled: { totalSz: "4.0" },
    });
  });

  it("http429 answers 429 to the next N requests and executes nothing", async () => {
    sim.control.fault({ kind: "http429", count: 1, endpoint: "exchange" });
    expect(await httpStatus(() => buy(6))).toBe(429);
    expect(sim.control.orderHistory(t.address).some((o) => o.cloid === cloid(6))).toBe(false);
    expect(await httpStatus(() => infoClient(sim).allMids())).toBe(200);
  });

  it("http500 after: the order executes, the client only sees a 500 — the uncertain outcome", async () => {
    sim.control.fault({ kind: "http500", count: 1 });
    expect(await httpStatus(() => buy(7))).toBe(500);
    const status = await infoClient(sim).orderStatus({ user: t.address, oid: cloid(7) });
    expect(status).toMatchObject({ status: "order", order: { status: "filled" } });
  });

  it("http500 before: nothing executes", async () => {
    sim.control.fault({ kind: "http500", count: 1, stage: "before" });
    expect(await httpStatus(() => buy(8))).toBe(500);
    expect(await infoClient(sim).orderStatus({ user: t.address, oid: cloid(8) })).toEqual({
      status: "unknownOid",
    });
  });

  it("http500 without an endpoint hits /info too", async () => {
    sim.control.fault({ kind: "http500", count: 1 });
    expect(await httpStatus(() => infoClient(sim).meta())).toBe(500);
    expect(await httpStatus(() => infoClient(sim).meta())).toBe(200);
  });

  it("latency delays every reply until cleared", async () => {
    sim.control.fault({ kind: "latency", ms: 120 });
    const started = performance.now();
    await infoClient(sim).allMids();
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
    // Cleared: a latency that would outlast the test's timeout is lifted before the request.
    sim.control.fault({ kind: "latency", ms: 600_000 });
    sim.control.fault({ kind: "latency", ms: 0 });
    expect(Object.keys(await infoClient(sim).allMids()).length).toBeGreaterThan(0);
  });

  it("latency on one endpoint delays only its replies, which tell the state as it was on arrival", async () => {
    // The order's reply must come back while the read's is held. A busy machine may take longer
    // than the hold to sign and send the order, so the hold doubles until it has (were the
    // exchange's replies held too, the order's would never come first: the bound fails).
    for (let holdMs = 400; ; holdMs *= 2) {
      expect(holdMs).toBeLessThan(30_000);
      sim.control.fault({ kind: "latency", ms: holdMs, endpoint: "info" });
      const order: string[] = [];
      const infoBefore = sim.control.stats().requests.info;
      const read = infoClient(sim)
        .clearinghouseState({ user: t.address })
        .then((r) => {
          order.push("info");
          return r;
        });
      // The read has arrived (counted) before the order is sent.
      while (sim.control.stats().requests.info === infoBefore) await new Promise((r) => setTimeout(r, 5));
      await buy(1).then(() => order.push("exchange"));
      const state = await read;
      sim.control.fault({ kind: "latency", ms: 0, endpoint: "info" });
      // Either way, the read tells the account as it was when the read arrived, before the buy.
      const sol = state.assetPositions.find((p) => p.position.coin === "SOL");
      const held = Number(sol?.position.szi ?? 0);
      const now = await infoClient(sim).clearinghouseState({ user: t.address });
      const after = Number(now.assetPositions.find((p) => p.position.coin === "SOL")?.position.szi ?? 0);
      expect(after).toBeCloseTo(held + 1, 10);
      if (order[0] === "exchange") {
        expect(order).toEqual(["exchange", "info"]);
        return;
      }
    }
  });

  it("a malformed fault is refused with the field at fault", () => {
    expect(() => sim.control.fault({ kind: "partialFill", count: 1, fraction: 2 })).toThrow(/fraction/);
  });
});

describe("stats and history", () => {
  it("counts requests by endpoint, info type and action type; reset clears them", async () => {
    await infoClient(sim).allMids();
    await infoClient(sim).clearinghouseState({ user: t.address });
    await buy(9);
    expect(sim.control.stats()).toMatchObject({
      requests: { info: 2, exchange: 1, control: 0 },
      http: { info: 2, exchange: 1 },
      infoByType: { allMids: 1, clearinghouseState: 1 },
      actionByType: { order: 1 },
      ordersPlaced: 1,
    });
    sim.control.reset();
    expect(sim.control.stats()).toMatchObject({
      requests: { info: 0, exchange: 0 },
      infoByType: {},
      ordersPlaced: 0,
    });
  });

  it("orderHistory lists every order the exchange gave an oid, with its status now", async () => {
    const trader = newTrader(sim);
    await trader.exchange.order({
      orders: [
        { a: 2, b: true, p: "195", s: "1", r: false, t: { limit: { tif: "Ioc" } }, c: cloid(100) },
        { a: 2, b: true, p: "150", s: "1", r: false, t: { limit: { tif: "Gtc" } }, c: cloid(101) },
      ],
      grouping: "na",
    });
    expect(sim.control.orderHistory(trader.address)).toEqual([
      expect.objectContaining({
        cloid: cloid(100),
        coin: "SOL",
        side: "B",
        sz: "1.0",
        tif: "Ioc",
        status: "filled",
      }),
      expect.objectContaining({
        cloid: cloid(101),
        px: "150.0",
        tif: "Gtc",
        status: "open",
        reduceOnly: false,
      }),
    ]);
  });
});

describe("POST /control", () => {
  it("speaks the same commands as the in-process control", async () => {
    const user = "0x00000000000000000000000000000000000000aa";
    expect(await post(sim, "/control", { type: "fund", user, usd: 250 })).toEqual({
      status: 200,
      body: { status: "ok" },
    });
    expect((await infoClient(sim).clearinghouseState({ user })).marginSummary.accountValue).toBe("250.0");
    await post(sim, "/control", { type: "setMid", coin: "HYPE", px: 40 });
    expect((await infoClient(sim).allMids()).HYPE).toBe("40.0");
    await post(sim, "/control", { type: "fault", kind: "http429", count: 1 });
    expect(await httpStatus(() => infoClient(sim).allMids())).toBe(429);
    const stats = await post(sim, "/control", { type: "stats" }); // counted too: the 4th
    expect(stats.body).toMatchObject({
      requests: { control: 4 },
      infoByType: { clearinghouseState: 1, allMids: 2 },
    });
    expect((await post(sim, "/control", { type: "orderHistory", user })).body).toEqual([]);
    expect((await post(sim, "/control", { type: "reset" })).body).toEqual({ status: "ok" });
    expect(sim.control.stats().requests.control).toBe(0);
  });

  it("refuses unknown commands and bad values with HTTP 400 and the reason", async () => {
    expect(await post(sim, "/control", { type: "explode" })).toEqual({
      status: 400,
      body: { status: "err", response: 'unknown control type "explode"' },
    });
    const bad = await post(sim, "/control", { type: "fund", user: "0x12", usd: 1 });
    expect(bad.status).toBe(400);
    const withdraw = await post(sim, "/control", { type: "fund", user: t.address, usd: -1e9 });
    expect(withdraw.body).toMatchObject({
      status: "err",
      response: expect.stringMatching(/exceeds withdrawable/),
    });
  });
});
