// The info types the web app (and the official Python SDK's `query_referral_state`, its
// `webData2` websocket example) asks for: `referral`, `isVip`, `legalCheck`, `webData2`, over
// HTTP, websocket `post` and the `webData2` subscription. Shapes are the SDK 0.33.3 response
// types; the values are what the exchange answers for an account like the simulator's.

import { WebSocketTransport } from "@nktkas/hyperliquid";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { type Hex, type SimHandle, startSim } from "../../src/sim/index.js";
import { eventually, infoClient, newTrader, post, type Trader } from "./helpers.js";

describe("referral, isVip, legalCheck and webData2", () => {
  let sim: SimHandle;
  let trader: Trader;
  beforeAll(async () => {
    sim = await startSim({ tickMs: 0, seed: 11 });
    trader = newTrader(sim, 20_000);
    await trader.exchange.order({
      orders: [{ a: 0, b: true, p: "96000", s: "0.01", r: false, t: { limit: { tif: "Ioc" } } }],
      grouping: "na",
    });
  });
  afterAll(() => sim.close());
  const info = () => infoClient(sim);

  it("referral: the account's volume, no rewards, and the docs' $10 000 to trade before a code", async () => {
    const { cumVlm } = await info().userRateLimit({ user: trader.address });
    expect(Number(cumVlm)).toBeGreaterThan(0);
    expect(await info().referral({ user: trader.address })).toEqual({
      referredBy: null,
      cumVlm,
      unclaimedRewards: "0.0",
      claimedRewards: "0.0",
      builderRewards: "0.0",
      referrerState: { stage: "needToTrade", data: { required: "10000.0" } },
      rewardHistory: [],
      tokenToState: [],
    });
    // Past $10 000 of volume the account may create a code.
    const big = newTrader(sim, 50_000);
    await big.exchange.order({
      orders: [{ a: 0, b: true, p: "96000", s: "0.11", r: false, t: { limit: { tif: "Ioc" } } }],
      grouping: "na",
    });
    expect((await info().referral({ user: big.address })).referrerState).toEqual({
      stage: "needToCreateCode",
    });
  });

  it("isVip and legalCheck: no VIP, terms never accepted (no web app here), no restriction", async () => {
    expect(await info().isVip({ user: trader.address })).toBe(false);
    expect(await info().legalCheck({ user: trader.address })).toEqual({
      acceptedTerms: false,
      userAllowed: false,
      restrictions: "n",
    });
  });

  it("webData2: the account, its open orders, meta and contexts, as the other info types give them", async () => {
    await trader.exchange.order({
      orders: [{ a: 0, b: true, p: "80000", s: "0.001", r: false, t: { limit: { tif: "Gtc" } } }],
      grouping: "na",
    });
    const agent = privateKeyToAccount(generatePrivateKey());
    await trader.exchange.approveAgent({ agentAddress: agent.address, agentName: null });
    const data = await info().webData2({ user: trader.address });
    const { time: _a, ...state } = data.clearinghouseState;
    const { time: _b, ...expected } = await info().clearinghouseState({ user: trader.address });
    expect(state).toEqual(expected);
    expect(data.openOrders).toEqual(await info().frontendOpenOrders({ user: trader.address }));
    expect(data.openOrders).toHaveLength(1);
    const [meta, ctxs] = await info().metaAndAssetCtxs();
    expect(data.meta).toEqual(meta);
    expect(data.assetCtxs).toEqual(ctxs);
    expect(data).toMatchObject({
      user: trader.address,
      agentAddress: agent.address.toLowerCase(),
      agentValidUntil: null,
      cumLedger: "20000.0",
      leadingVaults: [],
      totalVaultEquity: "0.0",
      isVault: false,
      twapStates: [],
      spotState: { balances: [] },
      spotAssetCtxs: [],
    });
    expect(typeof data.serverTime).toBe("number");
    // An address the exchange never saw: the empty state, no agent.
    const nobody = await info().webData2({ user: "0x0000000000000000000000000000000000000001" });
    expect(nobody.clearinghouseState.marginSummary.accountValue).toBe("0.0");
    expect(nobody).toMatchObject({ openOrders: [], agentAddress: null, cumLedger: "0.0" });
  });

  it("raw JSON and websocket post answer the same; a bad user is 422", async () => {
    const user = trader.address;
    for (const type of ["referral", "isVip", "legalCheck", "webData2"]) {
      expect((await post(sim, "/info", { type, user })).status).toBe(200);
      expect(await post(sim, "/info", { type, user: "0x12" })).toEqual({
        status: 422,
        body: "Failed to deserialize the JSON body into the target type: user: invalid address",
      });
    }
    const transport = new WebSocketTransport({ url: sim.wsUrl });
    try {
      expect(await transport.request("info", { type: "legalCheck", user })).toEqual(
        await info().legalCheck({ user }),
      );
      expect(await transport.request("info", { type: "referral", user })).toEqual(
        await info().referral({ user }),
      );
    } finally {
      await transport.close();
    }
  });

  it("vaults, TWAP slices by time and borrow interest: the SDK's InfoClient gets the empty lists", async () => {
    const user = trader.address;
    expect(await info().leadingVaults({ user })).toEqual([]);
    expect(await info().vaultSummaries()).toEqual([]);
    expect(await info().userTwapSliceFillsByTime({ user, startTime: 0 })).toEqual([]);
    expect(await info().userBorrowLendInterest({ user, startTime: 0, endTime: null })).toEqual([]);
    expect(await post(sim, "/info", { type: "userTwapSliceFillsByTime", user })).toEqual({
      status: 422,
      body: "Failed to deserialize the JSON body into the target type: missing field `startTime`",
    });
  });

  it("the webData2 subscription sends the account's webData2 on channel webData2, again after a change", async () => {
    const t = newTrader(sim, 5_000);
    const ws = new WebSocket(sim.wsUrl);
    const frames: { channel: string; data: unknown }[] = [];
    ws.on("message", (raw) => {
      try {
        frames.push(JSON.parse(String(raw)));
      } catch {
        // the plain-text greeting
      }
    });
    await new Promise((resolve) => ws.once("open", resolve));
    try {
      // The Python SDK's basic_ws example: {"type": "webData2", "user": address}, checksummed.
      ws.send(
        JSON.stringify({ method: "subscribe", subscription: { type: "webData2", user: t.wallet.address } }),
      );
      type WebData2 = { user: Hex; openOrders: unknown[]; clearinghouseState: unknown };
      const on = () => frames.filter((f) => f.channel === "webData2").map((f) => f.data as WebData2);
      const first = await eventually(() => on()[0]);
      expect(first.user).toBe(t.address);
      expect(first).toEqual(expect.objectContaining({ openOrders: [] }));
      expect(Object.keys(first).sort()).toEqual(
        Object.keys(await info().webData2({ user: t.address })).sort(),
      );
      await t.exchange.order({
        orders: [{ a: 0, b: true, p: "80000", s: "0.001", r: false, t: { limit: { tif: "Gtc" } } }],
        grouping: "na",
      });
      await eventually(() => on().some((d) => d.openOrders.length === 1));
      expect(frames.filter((f) => f.channel === "error")).toEqual([]);
    } finally {
      ws.close();
    }
  });
});
