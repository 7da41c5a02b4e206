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
