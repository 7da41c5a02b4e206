// What mainnet answers and the simulator did not (an audit's findings), checked the way any
// client meets them: hand-built HTTP bodies signed over the action as sent, and raw websocket
// frames — no SDK client or schema in between.

import { signL1Action } from "@nktkas/hyperliquid/signing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Hex, type SimHandle, startSim } from "../../src/sim/index.js";
import { newTrader, post, type Trader } from "./helpers.js";

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
