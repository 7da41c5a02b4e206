// What mainnet answers and the simulator did not (an audit's findings), checked the way any
// client meets them: hand-built HTTP bodies signed over the action as sent, and raw websocket
// frames — no SDK client or schema in between.

import { readFileSync } from "node:fs";
import { signL1Action } from "@nktkas/hyperliquid/signing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { readOrderReply } from "../../src/exchange/results.js";
import { type Hex, type SimHandle, startSim } from "../../src/sim/index.js";
import { cloid, eventually, infoClient, newTrader, post, type Trader } from "./helpers.js";

/** A recorded mainnet response (test/fixtures/reference/hl-cassettes). */
const recording = (name: string): unknown =>
  JSON.parse(
    readFileSync(new URL(`../fixtures/reference/hl-cassettes/${name}.json`, import.meta.url), "utf8"),
  ).response;

let lastNonce = Date.now();
const nextNonce = () => ++lastNonce;

/** POST an L1 action signed over exactly what is sent; the reply body. */
async function send(sim: SimHandle, trader: Trader, action: Record<string, unknown>) {
  const nonce = nextNonce();
  const signature = await signL1Action({ wallet: trader.wallet, action, nonce });
  const res = await post(sim, "/exchange", { action, nonce, signature, vaultAddress: null });
  expect(res.status).toBe(200);
  return res.body as { status: string; response: { data: { statuses: unknown[] } } };
}

const limit = (b: boolean, p: string, s: string, tif: string, c?: Hex) => ({
  a: 0,
  b,
  p,
  s,
  r: false,
  t: { limit: { tif } },
  ...(c ? { c } : {}),
});
const trigger = (b: boolean, p: string, s: string, triggerPx: string, tpsl: "tp" | "sl", c?: Hex) => ({
  a: 0,
  b,
  p,
  s,
  r: true,
  t: { trigger: { isMarket: true, triggerPx, tpsl } },
  ...(c ? { c } : {}),
});

describe("userFunding, nSamples", () => {
  let sim: SimHandle;
  beforeAll(async () => {
    sim = await startSim({ tickMs: 0, seed: 23 });
  });
  afterAll(() => sim.close());

  it("nSamples is a number, as mainnet's records carry it (1: each record is one payment)", async () => {
    const t = newTrader(sim, 50_000);
    await send(sim, t, { type: "order", orders: [limit(true, "96000", "0.01", "Ioc")], grouping: "na" });
    sim.control.runFunding();
    const res = await post(sim, "/info", { type: "userFunding", user: t.address, startTime: 0 });
    const rows = res.body as { delta: { nSamples: unknown } }[];
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.delta.nSamples).toBe(1);
  });

  it("without startTime mainnet answers (nktkas/hyperliquid#102): the newest payments first", async () => {
    const t = newTrader(sim, 50_000);
    await send(sim, t, { type: "order", orders: [limit(true, "96000", "0.01", "Ioc")], grouping: "na" });
    sim.control.runFunding();
    sim.control.runFunding();
    const withStart = await post(sim, "/info", { type: "userFunding", user: t.address, startTime: 0 });
    const without = await post(sim, "/info", { type: "userFunding", user: t.address });
    expect(without.status).toBe(200);
    const asc = withStart.body as { hash: string }[];
    expect(asc).toHaveLength(2);
    expect((without.body as { hash: string }[]).map((r) => r.hash)).toEqual(asc.map((r) => r.hash).reverse());
    // fundingHistory's startTime stays required.
    const history = await post(sim, "/info", { type: "fundingHistory", coin: "BTC" });
    expect(history).toEqual({
      status: 422,
      body: "Failed to deserialize the JSON body into the target type: missing field `startTime`",
    });
  });
});

describe("clearinghouseState's returnOnEquity", () => {
  let sim: SimHandle;
  beforeAll(async () => {
    sim = await startSim({ tickMs: 0, seed: 29 });
  });
  afterAll(() => sim.close());

  interface Row {
    coin: string;
    leverage: { type: string };
    unrealizedPnl: string;
    marginUsed: string;
    returnOnEquity: string;
  }
  const rows = (state: unknown): Row[] =>
    (state as { assetPositions: { position: Row }[] }).assetPositions.map((p) => p.position);

  it("is a cross position's uPnL over its margin at the mark, as every recorded mainnet row has it", async () => {
    // The recording (12 cross positions, all moved off their entry): ROE = uPnL / marginUsed.
    const recorded = recording("clearinghouseState");
    expect(rows(recorded)).toHaveLength(12);
    for (const r of rows(recorded)) {
      expect(r.leverage.type).toBe("cross");
      expect(Number(r.returnOnEquity)).toBeCloseTo(Number(r.unrealizedPnl) / Number(r.marginUsed), 7);
    }

    const t = newTrader(sim, 50_000);
    await send(sim, t, { type: "order", orders: [limit(true, "96000", "0.1", "Ioc")], grouping: "na" });
    // 10 % up from the entry: over the margin at entry the ROE would read ~10 % more.
    sim.control.setMid("BTC", 105_000);
    const state = (await post(sim, "/info", { type: "clearinghouseState", user: t.address })).body;
    const [btc] = rows(state);
    expect(btc?.coin).toBe("BTC");
    expect(Number(btc?.unrealizedPnl)).toBeGreaterThan(900);
    expect(Number(btc?.returnOnEquity)).toBeCloseTo(Number(btc?.unrealizedPnl) / Number(btc?.marginUsed), 6);
  });
});

type Frame = { channel?: string; data?: unknown };

/** A raw websocket client of the simulator (no SDK), open, and every JSON frame it has received. */
async function rawSocket(wsUrl: string): Promise<{ ws: WebSocket; frames: Frame[] }> {
  const ws = new WebSocket(wsUrl);
  const frames: Frame[] = [];
  ws.on("message", (data) => {
    try {
      frames.push(JSON.parse(String(data)) as Frame);
    } catch {
      // the plain-text greeting
    }
  });
  await new Promise((resolve) => ws.once("open", resolve));
  return { ws, frames };
}

describe("websocket limits are per IP, across connections", () => {
  let sim: SimHandle;
  beforeAll(async () => {
    sim = await startSim({ tickMs: 0, seed: 43 });
  });
  afterAll(() => sim.close());

  async function connect() {
    const { ws, frames } = await rawSocket(sim.wsUrl);
    /** Subscribe to a user's fills; the ack's or error's channel. */
    const track = async (user: string): Promise<string> => {
      const from = frames.length;
      ws.send(JSON.stringify({ method: "subscribe", subscription: { type: "userFills", user } }));
      const answer = await eventually(() =>
        frames.slice(from).find((f) => f.channel === "subscriptionResponse" || f.channel === "error"),
      );
      return answer.channel === "error" ? String(answer.data) : "ok";
    };
    return { ws, track };
  }
  const user = (n: number) => `0x${n.toString(16).padStart(40, "0")}`;

  it("an 11th user on a second connection of the same IP is refused; a user already tracked is not new", async () => {
    const a = await connect();
    const b = await connect();
    try {
      for (let i = 1; i <= 6; i++) expect(await a.track(user(i))).toBe("ok");
      for (let i = 7; i <= 10; i++) expect(await b.track(user(i))).toBe("ok");
      expect(await b.track(user(11))).toBe("Cannot track more than 10 total users.");
      expect(await b.track(user(1))).toBe("ok"); // tracked on the other connection already
      // Once the first connection is gone its users are free again.
      a.ws.close();
      await eventually(async () => (await b.track(user(11))) === "ok");
    } finally {
      a.ws.close();
      b.ws.close();
    }
  });
});

describe("keys in the order the 2025 recordings have them", () => {
  let sim: SimHandle;
  beforeAll(async () => {
    sim = await startSim({ tickMs: 0, seed: 47 });
  });
  afterAll(() => sim.close());

  const keys = (x: unknown) => Object.keys(x as object);

  it("historicalOrders' order (and so frontendOpenOrders, orderStatus) and extraAgents", async () => {
    const t = newTrader(sim, 10_000);
    await send(sim, t, { type: "order", orders: [limit(true, "90000", "0.001", "Ioc")], grouping: "na" });
    const history = (await post(sim, "/info", { type: "historicalOrders", user: t.address })).body as {
      order: unknown;
    }[];
    const recorded = recording("historicalOrders") as { order: unknown }[];
    expect(keys(history[0])).toEqual(keys(recorded[0]));
    expect(keys(history[0]?.order)).toEqual(keys(recorded[0]?.order));

    await t.exchange.approveAgent({
      agentAddress: "0x00000000000000000000000000000000000000a1",
      agentName: "ok",
    });
    const agents = (await post(sim, "/info", { type: "extraAgents", user: t.address })).body as unknown[];
    expect(agents).toHaveLength(1);
    expect(keys(agents[0])).toEqual(keys((recording("extraAgents") as unknown[])[0]));
  });
});

describe("an asset id the exchange does not list", () => {
  let sim: SimHandle;
  beforeAll(async () => {
    sim = await startSim({ tickMs: 0, seed: 41 });
  });
  afterAll(() => sim.close());

  it("updateLeverage answers the live text (ccxt/ccxt#28004: a HIP-3 id sent as 91000000)", async () => {
    const t = newTrader(sim, 10_000);
    const res = await send(sim, t, { type: "updateLeverage", asset: 91000000, isCross: true, leverage: 5 });
    expect(res).toEqual({ status: "err", response: "Asset 91000000 is out of range." });
  });

  it("an order naming one is refused in its status with the same text, the others placed", async () => {
    const t = newTrader(sim, 10_000);
    const res = await send(sim, t, {
      type: "order",
      orders: [{ ...limit(true, "90000", "0.001", "Gtc"), a: 10000 }, limit(true, "90000", "0.001", "Gtc")],
      grouping: "na",
    });
    expect(res.response.data.statuses[0]).toEqual({ error: "Asset 10000 is out of range." });
    expect(res.response.data.statuses[1]).toMatchObject({ resting: {} });
  });
});

describe("one action, one time", () => {
  it("the orders of one batch share their timestamp and status time, as the recorded historicalOrders' batch does", async () => {
    const recorded = (
      recording("historicalOrders") as {
        order: { timestamp: number };
        status: string;
        statusTimestamp: number;
      }[]
    ).slice(0, 3);
    expect(recorded.map((o) => [o.status, o.order.timestamp, o.statusTimestamp])).toEqual([
      ["iocCancelRejected", 1755863118217, 1755863118217],
      ["iocCancelRejected", 1755863118217, 1755863118217],
      ["iocCancelRejected", 1755863118217, 1755863118217],
    ]);
    // A clock that moves on at every reading: only one time per action keeps them equal.
    let ms = Date.now();
    const sim = await startSim({ tickMs: 0, seed: 31, clock: () => ms++ });
    try {
      const t = newTrader(sim, 50_000);
      const ioc = limit(true, "90000", "0.01", "Ioc"); // below the ask: no match
      const res = await send(sim, t, { type: "order", orders: [ioc, ioc, ioc], grouping: "na" });
      expect(res.response.data.statuses).toHaveLength(3);
      const history = (await post(sim, "/info", { type: "historicalOrders", user: t.address })).body as {
        order: { timestamp: number };
        status: string;
        statusTimestamp: number;
      }[];
      expect(history.map((o) => o.status)).toEqual([
        "iocCancelRejected",
        "iocCancelRejected",
        "iocCancelRejected",
      ]);
      const times = new Set(history.flatMap((o) => [o.order.timestamp, o.statusTimestamp]));
      expect(times.size).toBe(1);
    } finally {
      await sim.close();
    }
  });

  it("the orders one cancel takes off share their status time, as the recorded two Alo cancels do", async () => {
    const recorded = (
      recording("historicalOrders") as { order: { tif: string }; status: string; statusTimestamp: number }[]
    ).slice(3);
    expect(recorded.map((o) => [o.order.tif, o.status, o.statusTimestamp])).toEqual([
      ["Alo", "canceled", 1755863118217],
      ["Alo", "canceled", 1755863118217],
    ]);
    let ms = Date.now();
    const sim = await startSim({ tickMs: 0, seed: 37, clock: () => ms++ });
    try {
      const t = newTrader(sim, 50_000);
      const alo = limit(true, "90000", "0.01", "Alo");
      const placed = await send(sim, t, { type: "order", orders: [alo, alo], grouping: "na" });
      const oids = (placed.response.data.statuses as { resting: { oid: number } }[]).map(
        (s) => s.resting.oid,
      );
      await send(sim, t, { type: "cancel", cancels: oids.map((o) => ({ a: 0, o })) });
      const history = (await post(sim, "/info", { type: "historicalOrders", user: t.address })).body as {
        status: string;
        statusTimestamp: number;
      }[];
      expect(history.map((o) => o.status)).toEqual(["canceled", "canceled"]);
      expect(new Set(history.map((o) => o.statusTimestamp)).size).toBe(1);
    } finally {
      await sim.close();
    }
  });
});

describe("a body that is not JSON", () => {
  let sim: SimHandle;
  beforeAll(async () => {
    sim = await startSim({ tickMs: 0, seed: 24 });
  });
  afterAll(() => sim.close());

  it("is axum's 400 `Failed to parse the request body as JSON: …` on /info and /exchange", async () => {
    expect(await post(sim, "/info", '{"type":')).toEqual({
      status: 400,
      body: "Failed to parse the request body as JSON: EOF while parsing a value at line 1 column 8",
    });
    const garbage = await post(sim, "/exchange", "{not json");
    expect(garbage.status).toBe(400);
    expect(garbage.body).toMatch(/^Failed to parse the request body as JSON: .* at line 1 column 2$/);
    expect((await post(sim, "/info", "")).status).toBe(400);
  });

  it("while well-formed JSON of the wrong shape stays the 422", async () => {
    for (const body of ["[]", "5", '{"type":"nope"}']) {
      const res = await post(sim, "/info", body);
      expect(res.status, body).toBe(422);
      expect(res.body).toMatch(/^Failed to deserialize the JSON body into the target type/);
    }
  });
});

describe("Invalid TP/SL price.", () => {
  let sim: SimHandle;
  beforeAll(async () => {
    sim = await startSim({ tickMs: 0, seed: 22 });
  });
  afterAll(() => sim.close());

  it("a sell stop whose limit is above its trigger is refused; below (or at) it rests", async () => {
    sim.control.setMid("BTC", 95_000);
    const t = newTrader(sim, 50_000);
    await send(sim, t, { type: "order", orders: [limit(true, "96000", "0.01", "Ioc")], grouping: "na" });
    const bad = await send(sim, t, {
      type: "order",
      orders: [trigger(false, "94500", "0.01", "90000", "sl")],
      grouping: "na",
    });
    expect(bad.response.data.statuses).toEqual([{ error: "Invalid TP/SL price. asset=0" }]);
    const good = await send(sim, t, {
      type: "order",
      orders: [
        trigger(false, "81000", "0.01", "90000", "sl"),
        trigger(false, "90000", "0.01", "90000", "sl"),
      ],
      grouping: "na",
    });
    expect(good.response.data.statuses).toEqual([
      { resting: { oid: expect.any(Number) } },
      { resting: { oid: expect.any(Number) } },
    ]);
  });
});

describe("documented websocket subscriptions", () => {
  let sim: SimHandle;
  beforeAll(async () => {
    sim = await startSim({ tickMs: 0, seed: 25 });
  });
  afterAll(() => sim.close());

  async function socket() {
    const { ws, frames } = await rawSocket(sim.wsUrl);
    const subscribe = async (subscription: Record<string, unknown>) => {
      ws.send(JSON.stringify({ method: "subscribe", subscription }));
      await eventually(() =>
        frames.some(
          (f) =>
            f.channel === "error" ||
            (f.channel === "subscriptionResponse" &&
              JSON.stringify((f.data as { subscription: unknown }).subscription) ===
                JSON.stringify(subscription)),
        ),
      );
    };
    const on = (channel: string) => frames.filter((f) => f.channel === channel).map((f) => f.data);
    return { ws, frames, subscribe, on };
  }

  it("every documented type is acked, never an error frame", async () => {
    const t = newTrader(sim, 1_000);
    const s = await socket();
    try {
      for (const subscription of [
        { type: "notification", user: t.address },
        { type: "activeAssetCtx", coin: "BTC" },
        { type: "activeAssetData", user: t.address, coin: "BTC" },
        { type: "userTwapSliceFills", user: t.address },
        { type: "webData3", user: t.address },
        { type: "webData2", user: t.address },
        { type: "openOrders", user: t.address },
        { type: "twapStates", user: t.address },
        { type: "userTwapHistory", user: t.address },
        { type: "userHistoricalOrders", user: t.address },
      ]) {
        await s.subscribe(subscription);
      }
      expect(s.frames.filter((f) => f.channel === "error")).toEqual([]);
      expect(s.on("subscriptionResponse")).toHaveLength(10);
      // An unknown coin is still an invalid subscription.
      await s.subscribe({ type: "activeAssetCtx", coin: "NOPE" });
      expect(s.on("error")).toEqual(['Invalid subscription {"type":"activeAssetCtx","coin":"NOPE"}']);
    } finally {
      s.ws.close();
    }
  });

  it("activeAssetCtx: the market's context, again when the price moves", async () => {
    sim.control.setMid("ETH", 3400);
    const s = await socket();
    try {
      await s.subscribe({ type: "activeAssetCtx", coin: "ETH" });
      const first = (await eventually(() => s.on("activeAssetCtx")[0])) as { coin: string; ctx: object };
      expect(first.coin).toBe("ETH");
      expect(first.ctx).toMatchObject({ markPx: "3400.0", midPx: "3400.0", oraclePx: "3400.0" });
      const [, ctxs] = await infoClient(sim).metaAndAssetCtxs();
      expect(Object.keys(first.ctx).sort()).toEqual(Object.keys(ctxs[1] ?? {}).sort());
      sim.control.setMid("ETH", 3450);
      await eventually(() =>
        s.on("activeAssetCtx").some((d) => (d as { ctx: { markPx: string } }).ctx.markPx === "3450.0"),
      );
    } finally {
      s.ws.close();
    }
  });

  it("activeAssetData: the user's leverage and mark, again after a trade changes what is available", async () => {
    sim.control.setMid("ETH", 3400);
    const t = newTrader(sim, 10_000);
    const s = await socket();
    try {
      await s.subscribe({ type: "activeAssetData", user: t.address, coin: "ETH" });
      const first = (await eventually(() => s.on("activeAssetData")[0])) as Record<string, unknown>;
      expect(first).toMatchObject({
        user: t.address,
        coin: "ETH",
        leverage: { type: "cross", value: 20 },
        markPx: "3400.0",
      });
      expect(first.maxTradeSzs).toEqual([
        expect.stringMatching(/^\d+(\.\d+)?$/),
        expect.stringMatching(/^\d/),
      ]);
      const http = await post(sim, "/info", { type: "activeAssetData", user: t.address, coin: "ETH" });
      expect(http).toEqual({ status: 200, body: first });
      await send(sim, t, {
        type: "order",
        orders: [{ ...limit(true, "3500", "1", "Ioc"), a: 1 }],
        grouping: "na",
      });
      await eventually(() => s.on("activeAssetData").length >= 2);
      const later = s.on("activeAssetData").at(-1) as { availableToTrade: [string, string] };
      const earlier = first.availableToTrade as [string, string];
      expect(Number(later.availableToTrade[0])).toBeLessThan(Number(earlier[0]));
    } finally {
      s.ws.close();
    }
  });

  it("openOrders: the user's open orders (frontendOpenOrders' shape), again after each change; userTwapSliceFills: an empty snapshot", async () => {
    sim.control.setMid("BTC", 95_000);
    const t = newTrader(sim, 50_000);
    const s = await socket();
    try {
      await s.subscribe({ type: "openOrders", user: t.address });
      await s.subscribe({ type: "userTwapSliceFills", user: t.address });
      expect(await eventually(() => s.on("openOrders")[0])).toEqual({ dex: "", user: t.address, orders: [] });
      expect(await eventually(() => s.on("userTwapSliceFills")[0])).toEqual({
        isSnapshot: true,
        user: t.address,
        twapSliceFills: [],
      });
      await send(sim, t, {
        type: "order",
        orders: [limit(true, "90000", "0.001", "Gtc", cloid(0x79))],
        grouping: "na",
      });
      const placed = (await eventually(() =>
        s.on("openOrders").find((d) => (d as { orders: unknown[] }).orders.length === 1),
      )) as { orders: unknown[] };
      expect(placed.orders).toEqual(await infoClient(sim).frontendOpenOrders({ user: t.address }));
    } finally {
      s.ws.close();
    }
  });
});
describe("normalTpsl: an entry with its take-profit and stop-loss", () => {
  let sim: SimHandle;
  beforeAll(async () => {
    sim = await startSim({ tickMs: 0, seed: 21 });
  });
  afterAll(() => sim.close());
  const open = async (t: Trader) => infoClient(sim).frontendOpenOrders({ user: t.address });

  it("an entry that fills answers the children with the bare string waitingForTrigger; they are live reduce-only triggers", async () => {
    sim.control.setMid("BTC", 95_000);
    const t = newTrader(sim, 50_000);
    const res = await send(sim, t, {
      type: "order",
      orders: [
        limit(true, "96000", "0.01", "Ioc"),
        trigger(false, "99000", "0.01", "100000", "tp", cloid(0x71)),
        trigger(false, "85000", "0.01", "90000", "sl", cloid(0x72)),
      ],
      grouping: "normalTpsl",
    });
    const statuses = res.response.data.statuses;
    expect(statuses[0]).toMatchObject({ filled: { totalSz: "0.01" } });
    expect(statuses.slice(1)).toEqual(["waitingForTrigger", "waitingForTrigger"]);
    const orders = await open(t);
    expect(orders.map((o) => [o.cloid, o.orderType, o.reduceOnly, o.sz]).sort()).toEqual([
      [cloid(0x71), "Take Profit Market", true, "0.01"],
      [cloid(0x72), "Stop Market", true, "0.01"],
    ]);
    // The stop fires on the mark and closes the position.
    sim.control.setMid("BTC", 89_000);
    expect((await infoClient(sim).clearinghouseState({ user: t.address })).assetPositions).toEqual([]);
  });

  it("a resting entry answers waitingForFill; its children go live only when it has filled, sized as sent", async () => {
    sim.control.setMid("BTC", 95_000);
    const t = newTrader(sim, 50_000);
    const entry = cloid(0x73);
    const res = await send(sim, t, {
      type: "order",
      orders: [
        limit(true, "94000", "0.01", "Gtc", entry),
        trigger(false, "99000", "0.01", "100000", "tp", cloid(0x74)),
        trigger(false, "85000", "0.01", "90000", "sl", cloid(0x75)),
      ],
      grouping: "normalTpsl",
    });
    const statuses = res.response.data.statuses;
    expect(statuses[0]).toMatchObject({ resting: { cloid: entry } });
    expect(statuses.slice(1)).toEqual(["waitingForFill", "waitingForFill"]);
    // Waiting, not yet live, but listed as mainnet lists them (cassette frontendOpenOrders.json):
    // each child beside the entry, newest first, and again under the entry's children.
    const recorded = recording("frontendOpenOrders") as { oid: number; children: { oid: number }[] }[];
    const withChildren = recorded.find((o) => o.children.length > 0);
    expect(withChildren?.children.map((c) => c.oid)).toEqual([3184595906, 3184595907]);
    expect(recorded.map((o) => o.oid)).toEqual([3184595907, 3184595906, 3184595905]);
    const before = await open(t);
    expect(before.map((o) => o.cloid)).toEqual([cloid(0x75), cloid(0x74), entry]);
    expect(before.slice(0, 2).map((o) => [o.isTrigger, o.reduceOnly, o.tif])).toEqual([
      [true, true, null],
      [true, true, null],
    ]);
    expect(before[2]?.children.map((c) => c.cloid)).toEqual([cloid(0x74), cloid(0x75)]);
    expect(before[2]?.children).toEqual([before[1], before[0]]);
    // openOrders is the same list in fewer fields.
    const lean = await infoClient(sim).openOrders({ user: t.address });
    expect(lean.map((o) => o.cloid)).toEqual([cloid(0x75), cloid(0x74), entry]);

    sim.control.setMid("BTC", 93_500); // the book crosses the entry: it fills as maker
    await eventually(async () => !(await open(t)).some((o) => o.cloid === entry));
    const after = await open(t);
    expect(after.map((o) => [o.cloid, o.isTrigger, o.reduceOnly, o.sz]).sort()).toEqual([
      [cloid(0x74), true, true, "0.01"],
      [cloid(0x75), true, true, "0.01"],
    ]);
  });

  it("a waiting child, listed as an open order, is cancelled on its own: the entry and the other child stay", async () => {
    sim.control.setMid("BTC", 95_000);
    const t = newTrader(sim, 50_000);
    const entry = cloid(0x90);
    await send(sim, t, {
      type: "order",
      orders: [
        limit(true, "94000", "0.01", "Gtc", entry),
        trigger(false, "99000", "0.01", "100000", "tp", cloid(0x91)),
        trigger(false, "85000", "0.01", "90000", "sl", cloid(0x92)),
      ],
      grouping: "normalTpsl",
    });
    const tp = (await open(t)).find((o) => o.cloid === cloid(0x91));
    const cancel = await send(sim, t, { type: "cancel", cancels: [{ a: 0, o: tp?.oid ?? 0 }] });
    expect(cancel.response.data.statuses).toEqual(["success"]);
    const after = await open(t);
    expect(after.map((o) => o.cloid)).toEqual([cloid(0x92), entry]);
    expect(after[1]?.children.map((c) => c.cloid)).toEqual([cloid(0x92)]);
    expect(await infoClient(sim).orderStatus({ user: t.address, oid: cloid(0x91) })).toMatchObject({
      order: { status: "canceled" },
    });
    // The entry fills: only the stop goes live.
    sim.control.setMid("BTC", 93_500);
    await eventually(async () => !(await open(t)).some((o) => o.cloid === entry));
    expect((await open(t)).map((o) => [o.cloid, o.isTrigger])).toEqual([[cloid(0x92), true]]);
  });

  it("children are cancelled with an entry cancelled before it filled", async () => {
    sim.control.setMid("BTC", 95_000);
    const t = newTrader(sim, 50_000);
    const res = await send(sim, t, {
      type: "order",
      orders: [
        limit(true, "94000", "0.01", "Gtc"),
        trigger(false, "99000", "0.01", "100000", "tp", cloid(0x76)),
      ],
      grouping: "normalTpsl",
    });
    const oid = (res.response.data.statuses[0] as { resting: { oid: number } }).resting.oid;
    const cancel = await send(sim, t, { type: "cancel", cancels: [{ a: 0, o: oid }] });
    expect(cancel.response.data.statuses).toEqual(["success"]);
    sim.control.setMid("BTC", 93_500);
    expect(await open(t)).toEqual([]);
    expect(await infoClient(sim).orderStatus({ user: t.address, oid: cloid(0x76) })).toMatchObject({
      order: { status: "canceled" },
    });
    expect((await infoClient(sim).clearinghouseState({ user: t.address })).assetPositions).toEqual([]);
  });

  it("an IOC entry that fills partly gets children sized to what filled; a rejected entry's children carry its error", async () => {
    sim.control.setMid("BTC", 95_000);
    const t = newTrader(sim, 50_000);
    sim.control.fault({ kind: "partialFill", count: 1, fraction: 0.5 });
    const partly = await send(sim, t, {
      type: "order",
      orders: [
        limit(true, "96000", "0.02", "Ioc"),
        trigger(false, "85000", "0.02", "90000", "sl", cloid(0x7a)),
      ],
      grouping: "normalTpsl",
    });
    expect(partly.response.data.statuses).toEqual([
      { filled: expect.objectContaining({ totalSz: "0.01" }) },
      "waitingForTrigger",
    ]);
    expect((await open(t)).map((o) => [o.cloid, o.sz])).toEqual([[cloid(0x7a), "0.01"]]);

    const rejected = await send(sim, t, {
      type: "order",
      orders: [limit(true, "90000", "0.0001", "Gtc"), trigger(false, "85000", "0.0001", "90000", "sl")],
      grouping: "normalTpsl",
    });
    expect(rejected.response.data.statuses).toEqual([
      { error: "Order must have minimum value of $10. asset=0" },
      { error: "Order must have minimum value of $10. asset=0" },
    ]);
  });

  it("hlcopy's reply reader maps the bare strings to an uncertain result (only a cloid lookup can tell)", async () => {
    sim.control.setMid("BTC", 95_000);
    const t = newTrader(sim, 50_000);
    const sent = [
      { cloid: cloid(0x77), size: "0.01" },
      { cloid: cloid(0x78), size: "0.01" },
    ];
    const res = await send(sim, t, {
      type: "order",
      orders: [
        limit(true, "94000", "0.01", "Gtc", cloid(0x77)),
        trigger(false, "85000", "0.01", "90000", "sl", cloid(0x78)),
      ],
      grouping: "normalTpsl",
    });
    const reading = readOrderReply(res, sent);
    expect(reading).toMatchObject({
      kind: "statuses",
      results: [
        { cloid: cloid(0x77), status: "resting" },
        { cloid: cloid(0x78), status: "uncertain", filledSize: 0, error: "waitingForFill" },
      ],
    });
  });

  it('"na" keeps placing each order on its own (a reduce-only trigger with no position is refused)', async () => {
    const t = newTrader(sim, 50_000);
    const res = await send(sim, t, {
      type: "order",
      orders: [limit(true, "94000", "0.01", "Gtc"), trigger(false, "85000", "0.01", "90000", "sl")],
      grouping: "na",
    });
    expect(res.response.data.statuses[1]).toEqual({
      error: "Reduce only order would increase position. asset=0",
    });
  });
});
