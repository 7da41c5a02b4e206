// Requests shaped as other clients send them (issue 15, items 1–3): signatures whose r/s lost
// their leading zeros, `"vaultAddress": null` / `"expiresAfter": null` as the official Python
// SDK always sends them, and the info types clients call at start-up or otherwise (the Python
// and Rust SDKs, the SDK's InfoClient, bots), compared with the recorded mainnet answers in
// test/fixtures/reference/hl-cassettes where there are some.

import { readFileSync } from "node:fs";
import { InfoClient, WebSocketTransport } from "@nktkas/hyperliquid";
import { signL1Action } from "@nktkas/hyperliquid/signing";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Hex, type SimHandle, startSim } from "../../src/sim/index.js";
import { cloid, infoClient, newTrader, post, type Trader } from "./helpers.js";

interface L1Vector {
  id: string;
  privateKey: Hex;
  signerAddress: string;
  action: Record<string, unknown>;
  nonce: number;
  vaultAddress: Hex | null;
  expiresAfter: number | null;
  expected: { signature: { r: string; s: string; v: number } };
}

const vectors: L1Vector[] = JSON.parse(
  readFileSync(new URL("../fixtures/reference/signing-vectors.json", import.meta.url), "utf8"),
).vectors;
const vector = (id: string): L1Vector => {
  const v = vectors.find((x) => x.id === id);
  if (!v) throw new Error(`no vector ${id}`);
  return v;
};
const cassette = (name: string): unknown =>
  JSON.parse(
    readFileSync(new URL(`../fixtures/reference/hl-cassettes/${name}.json`, import.meta.url), "utf8"),
  ).response;

/** Leading zeros stripped, as some clients print r and s ("0x0b71…" → "0xb71…"). */
const strip = (h: string): string => `0x${h.slice(2).replace(/^0+/, "")}`;

/**
 * The type skeleton of a JSON value: objects by sorted keys, arrays by their first element,
 * leaves by type. Two answers with equal skeletons carry the same fields with the same types.
 */
function skeleton(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? [] : [skeleton(value[0])];
  if (value === null) return "null";
  if (typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value as object).sort())
      out[k] = skeleton((value as Record<string, unknown>)[k]);
    return out;
  }
  return typeof value;
}

describe("requests the official Python SDK signed (reference vectors, nonce 0)", () => {
  // The vectors were signed with nonce 0 by one key: each test gets a simulator whose clock
  // sits just after it (a nonce is used once per signer).
  let sim: SimHandle;
  beforeEach(async () => {
    sim = await startSim({
      tickMs: 0,
      seed: 2,
      clock: () => 1_000,
      // ETH at 100.5 so the vector's order (buy 100 ETH at 100, Gtc) is a valid resting bid.
      markets: [
        { name: "BTC", szDecimals: 5, maxLeverage: 40, price: 95_000 },
        { name: "ETH", szDecimals: 4, maxLeverage: 25, price: 100.5 },
      ],
    });
    sim.control.fund(vector("py/createSubAccount/mainnet").signerAddress.toLowerCase() as Hex, 10_000);
  });
  afterEach(() => sim.close());

  /** Exactly the body the Python SDK posts: both optional fields present as null. */
  const pythonBody = (v: L1Vector, signature: { r: string; s: string; v: number }) => ({
    action: v.action,
    nonce: v.nonce,
    signature,
    vaultAddress: null,
    expiresAfter: null,
  });

  it("createSubAccount with a 65-character s and null vaultAddress/expiresAfter is accepted", async () => {
    const v = vector("py/createSubAccount/mainnet");
    const sig = v.expected.signature;
    const s = strip(sig.s);
    expect([sig.s.length, s.length]).toEqual([66, 65]);
    const res = await post(sim, "/exchange", pythonBody(v, { ...sig, s }));
    expect(res).toEqual({
      status: 200,
      body: {
        status: "ok",
        response: { type: "createSubAccount", data: expect.stringMatching(/^0x[0-9a-f]{40}$/) },
      },
    });
    const list = await infoClient(sim).subAccounts({ user: v.signerAddress.toLowerCase() as Hex });
    expect(list?.map((x) => [x.name, x.master])).toEqual([["example", v.signerAddress.toLowerCase()]]);
  });

  it("an order with a 65-character r (cloid, Gtc) rests on the signer's account", async () => {
    const v = vector("py/order_with_cloid/mainnet");
    const sig = v.expected.signature;
    const r = strip(sig.r);
    expect(r.length).toBe(65);
    const res = await post(sim, "/exchange", pythonBody(v, { ...sig, r }));
    expect(res.body).toEqual({
      status: "ok",
      response: {
        type: "order",
        data: {
          statuses: [{ resting: { oid: expect.any(Number), cloid: "0x00000000000000000000000000000001" } }],
        },
      },
    });
    const orders = await infoClient(sim).openOrders({ user: v.signerAddress.toLowerCase() as Hex });
    expect(orders.map((o) => [o.coin, o.limitPx, o.sz])).toEqual([["ETH", "100.0", "100.0"]]);
  });
});

describe("signatures and null fields from any client", () => {
  let sim: SimHandle;
  let trader: Trader;
  beforeAll(async () => {
    sim = await startSim({ tickMs: 0, seed: 4 });
    trader = newTrader(sim, 50_000);
  });
  afterAll(() => sim.close());

  const order = (c: Hex) => ({
    type: "order",
    orders: [{ a: 1, b: true, p: "3500", s: "0.01", r: false, t: { limit: { tif: "Ioc" } }, c }],
    grouping: "na",
  });
  let nonce = Date.now();

  it("a fresh signature whose s starts with a zero nibble is accepted with the zero stripped", async () => {
    // Sign until s < 2^252 (one signature in 16), then send it as such clients do.
    for (let i = 0; i < 400; i++) {
      const action = order(cloid(100 + i));
      const n = ++nonce;
      const sig = await signL1Action({ wallet: trader.wallet, action, nonce: n });
      if (!sig.s.startsWith("0x0")) continue;
      const res = await post(sim, "/exchange", { action, nonce: n, signature: { ...sig, s: strip(sig.s) } });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: "ok", response: { type: "order" } });
      const fills = await infoClient(sim).userFills({ user: trader.address });
      expect(fills[0]?.cloid).toBe(cloid(100 + i));
      return;
    }
    throw new Error("no signature with a leading zero in 400 tries");
  });

  it("r or s longer than 32 bytes, or not hex, is undeserializable (422)", async () => {
    const action = order(cloid(1));
    const n = ++nonce;
    const sig = await signL1Action({ wallet: trader.wallet, action, nonce: n });
    for (const s of [`0x0${sig.s.slice(2)}`, "0xzz", "0x"]) {
      const res = await post(sim, "/exchange", { action, nonce: n, signature: { ...sig, s } });
      expect(res.status).toBe(422);
    }
  });

  it("null vaultAddress and expiresAfter are absent: a request signed without them verifies", async () => {
    const action = order(cloid(2));
    const n = ++nonce;
    const signature = await signL1Action({ wallet: trader.wallet, action, nonce: n });
    const res = await post(sim, "/exchange", {
      action,
      nonce: n,
      signature,
      vaultAddress: null,
      expiresAfter: null,
    });
    expect(res.body).toMatchObject({
      status: "ok",
      response: { data: { statuses: [{ filled: { totalSz: "0.01", cloid: cloid(2) } }] } },
    });
  });

  it("both stay part of the signed hash: signed with them, sent with null, recovers someone else", async () => {
    const sub = (await trader.exchange.createSubAccount({ name: "hash" })).response.data.toLowerCase() as Hex;
    await trader.exchange.subAccountTransfer({ subAccountUser: sub, isDeposit: true, usd: 1_000e6 });
    const before = (await infoClient(sim).userFills({ user: trader.address })).length;

    const withExpiry = order(cloid(3));
    const n1 = ++nonce;
    const expiresAfter = Date.now() + 60_000;
    const sig1 = await signL1Action({ wallet: trader.wallet, action: withExpiry, nonce: n1, expiresAfter });
    const r1 = await post(sim, "/exchange", {
      action: withExpiry,
      nonce: n1,
      signature: sig1,
      expiresAfter: null,
    });
    expect(r1.body).toMatchObject({
      status: "err",
      response: expect.stringMatching(/^User or API Wallet 0x[0-9a-f]{40} does not exist\.$/),
    });
    expect((r1.body as { response: string }).response).not.toContain(trader.address);
    // The same request with its expiry is the trader's.
    const ok1 = await post(sim, "/exchange", {
      action: withExpiry,
      nonce: n1,
      signature: sig1,
      expiresAfter,
      vaultAddress: null,
    });
    expect(ok1.body).toMatchObject({ status: "ok" });

    const forSub = order(cloid(4));
    const n2 = ++nonce;
    const sig2 = await signL1Action({ wallet: trader.wallet, action: forSub, nonce: n2, vaultAddress: sub });
    const r2 = await post(sim, "/exchange", {
      action: forSub,
      nonce: n2,
      signature: sig2,
      vaultAddress: null,
    });
    expect(r2.body).toMatchObject({ status: "err", response: expect.stringMatching(/does not exist\.$/) });
    const ok2 = await post(sim, "/exchange", {
      action: forSub,
      nonce: n2,
      signature: sig2,
      vaultAddress: sub,
      expiresAfter: null,
    });
    expect(ok2.body).toMatchObject({ status: "ok" });

    expect((await infoClient(sim).userFills({ user: trader.address })).length).toBe(before + 1);
    expect((await infoClient(sim).userFills({ user: sub })).map((f) => f.cloid)).toEqual([cloid(4)]);
  });

  it("the same rules hold for a websocket post", async () => {
    const { WebSocket } = await import("ws");
    const action = order(cloid(5));
    const n = ++nonce;
    const sig = await signL1Action({ wallet: trader.wallet, action, nonce: n });
    const ws = new WebSocket(sim.wsUrl);
    await new Promise((resolve) => ws.once("open", resolve));
    const reply = new Promise<unknown>((resolve) =>
      ws.on("message", (data) => {
        const text = String(data);
        if (!text.startsWith("{")) return; // the plain-text greeting
        const msg = JSON.parse(text);
        if (msg.channel === "post") resolve(msg.data);
      }),
    );
    const signature = sig.s.startsWith("0x0") ? { ...sig, s: strip(sig.s) } : sig;
    ws.send(
      JSON.stringify({
        method: "post",
        id: 1,
        request: {
          type: "action",
          payload: { action, nonce: n, signature, vaultAddress: null, expiresAfter: null },
        },
      }),
    );
    expect(await reply).toMatchObject({ id: 1, response: { type: "action", payload: { status: "ok" } } });
    ws.close();
  });

  it("setReferrer, scheduleCancel and noop answer the exchange's default reply", async () => {
    expect(await trader.exchange.setReferrer({ code: "HLCOPY" })).toEqual({
      status: "ok",
      response: { type: "default" },
    });
    expect(await trader.exchange.scheduleCancel({ time: Date.now() + 60_000 })).toEqual({
      status: "ok",
      response: { type: "default" },
    });
    expect(await trader.exchange.scheduleCancel()).toEqual({ status: "ok", response: { type: "default" } });
    expect(await trader.exchange.noop({ nonce: ++nonce })).toEqual({
      status: "ok",
      response: { type: "default" },
    });
    const again = await post(sim, "/exchange", {
      action: { type: "setReferrer", code: "OTHER" },
      nonce: ++nonce,
      signature: await signL1Action({
        wallet: trader.wallet,
        action: { type: "setReferrer", code: "OTHER" },
        nonce,
      }),
    });
    expect(again.body).toEqual({ status: "err", response: "Referrer already set." });
  });
});

describe("info types clients call at start-up", () => {
  let sim: SimHandle;
  let trader: Trader;
  beforeAll(async () => {
    sim = await startSim({ tickMs: 0, seed: 6 });
    trader = newTrader(sim, 20_000);
    await trader.exchange.order({
      orders: [{ a: 0, b: true, p: "96000", s: "0.01", r: false, t: { limit: { tif: "Ioc" } } }],
      grouping: "na",
    });
  });
  afterAll(() => sim.close());
  const info = () => infoClient(sim);

  it("spotMeta / spotMetaAndAssetCtxs: the USDC token exactly as mainnet lists it, no pairs", async () => {
    const recorded = cassette("spotMetaAndAssetCtxs") as [
      { tokens: unknown[]; universe: unknown[] },
      unknown[],
    ];
    const [meta, ctxs] = await info().spotMetaAndAssetCtxs();
    expect(Object.keys(meta).sort()).toEqual(Object.keys(recorded[0]).sort());
    expect(meta.tokens).toEqual([recorded[0].tokens[0]]);
    expect(meta.universe).toEqual([]);
    expect(ctxs).toEqual([]);
    expect(await info().spotMeta()).toEqual(meta);
    expect(await info().spotClearinghouseState({ user: trader.address })).toEqual({ balances: [] });
  });

  it("userVaultEquities, delegatorHistory, userTwapSliceFills: the recorded shapes, empty here", async () => {
    for (const [name, answer] of [
      ["userVaultEquities", await info().userVaultEquities({ user: trader.address })],
      ["delegatorHistory", await info().delegatorHistory({ user: trader.address })],
      ["userTwapSliceFills", await info().userTwapSliceFills({ user: trader.address })],
    ] as const) {
      expect(Array.isArray(cassette(name)), name).toBe(true);
      expect(answer, name).toEqual([]);
    }
    expect(await info().userTwapSliceFills({ user: trader.address })).toEqual(cassette("userTwapSliceFills"));
  });

  it("perpDexs: only the default dex (null)", async () => {
    expect(await info().perpDexs()).toEqual([null]);
  });

  it("predictedFundings: every market's next Hyperliquid funding, one hour out", async () => {
    const now = sim.control.now();
    const list = await info().predictedFundings();
    expect(list.map(([coin]) => coin)).toEqual((await info().meta()).universe.map((u) => u.name));
    const [, venues] = list[0] ?? ["", []];
    expect(venues).toEqual([
      [
        "HlPerp",
        {
          fundingRate: expect.stringMatching(/^-?\d+\.\d+$/),
          nextFundingTime: expect.any(Number),
          fundingIntervalHours: 1,
        },
      ],
    ]);
    const next = venues[0]?.[1]?.nextFundingTime ?? 0;
    expect(next).toBeGreaterThan(now - 1);
    expect(next).toBeLessThanOrEqual(now + 3_600_000);
    const fundedAt = sim.control.now();
    sim.control.runFunding();
    const after = (await info().predictedFundings())[0]?.[1][0]?.[1]?.nextFundingTime ?? 0;
    expect(after).toBeGreaterThanOrEqual(fundedAt + 3_600_000);
  });

  it("userFees: the base tier the simulator charges, and the user's volume of today", async () => {
    const fees = await info().userFees({ user: trader.address });
    expect(fees).toMatchObject({
      userCrossRate: "0.00045",
      userAddRate: "0.00015",
      feeSchedule: { cross: "0.00045", add: "0.00015" },
      trial: null,
      stakingLink: null,
    });
    expect(fees.dailyUserVlm).toHaveLength(15);
    const today = fees.dailyUserVlm.at(-1);
    expect(today?.date).toBe(new Date(sim.control.now()).toISOString().slice(0, 10));
    expect(Number(today?.userCross)).toBeCloseTo(950.01, 2); // 0.01 BTC bought at the ask
    expect(today?.userAdd).toBe("0.0");
    expect(Number(today?.exchange)).toBeGreaterThanOrEqual(Number(today?.userCross));
    // The fee actually charged matches the advertised rate.
    const [fill] = await info().userFills({ user: trader.address });
    expect(Number(fill?.fee)).toBeCloseTo(
      Number(fill?.px) * Number(fill?.sz) * Number(fees.userCrossRate),
      5,
    );
  });

  it("subAccounts is null without any; maxBuilderFee is 0 until approved", async () => {
    expect(await info().subAccounts({ user: trader.address })).toBeNull();
    expect(await info().maxBuilderFee({ user: trader.address, builder: `0x${"12".repeat(20)}` })).toBe(0);
  });

  it("every new type answers for a client posting raw JSON, and a bad user is 422", async () => {
    const user = trader.address;
    for (const body of [
      { type: "spotMeta" },
      { type: "spotMetaAndAssetCtxs" },
      { type: "spotClearinghouseState", user },
      { type: "perpDexs" },
      { type: "userFees", user },
      { type: "predictedFundings" },
      { type: "userVaultEquities", user },
      { type: "delegatorHistory", user },
      { type: "subAccounts", user },
      { type: "maxBuilderFee", user, builder: user },
      { type: "userTwapSliceFills", user },
      { type: "batchClearinghouseStates", users: [user] },
      { type: "batchClearinghouseStates", users: [user], dex: "" },
      { type: "allPerpMetas" },
      { type: "marginTable", id: 10 },
      { type: "maxMarketOrderNtls" },
      { type: "perpsAtOpenInterestCap" },
      { type: "perpsAtOpenInterestCap", dex: "" },
      { type: "liquidatable" },
      { type: "perpDexLimits", dex: "" },
      { type: "perpDexStatus", dex: "" },
      { type: "approvedBuilders", user },
      { type: "subAccounts2", user },
      { type: "delegations", user },
      { type: "delegatorSummary", user },
      { type: "delegatorRewards", user },
      { type: "twapHistory", user },
      { type: "userToMultiSigSigners", user },
      { type: "userDexAbstraction", user },
      { type: "userAbstraction", user },
      { type: "vaultDetails", vaultAddress: user },
      { type: "vaultDetails", vaultAddress: user, user },
    ]) {
      expect((await post(sim, "/info", body)).status, body.type).toBe(200);
      for (const key of ["user", "vaultAddress"] as const)
        if (key in body)
          expect((await post(sim, "/info", { ...body, [key]: "0x12" })).status, `${body.type} ${key}`).toBe(
            422,
          );
    }
    // The other fields are read as strictly as mainnet's deserializer reads them.
    for (const body of [
      { type: "batchClearinghouseStates" },
      { type: "batchClearinghouseStates", users: user },
      { type: "batchClearinghouseStates", users: [user, "0x12"] },
      { type: "batchClearinghouseStates", users: [user], dex: 0 },
      { type: "marginTable" },
      { type: "marginTable", id: "10" },
      { type: "marginTable", id: -1 },
      { type: "perpDexLimits" },
      { type: "perpDexStatus" },
      { type: "perpDexStatus", dex: null },
      { type: "perpsAtOpenInterestCap", dex: 1 },
      { type: "vaultDetails" },
    ]) {
      const res = await post(sim, "/info", body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(String(res.body), JSON.stringify(body)).toMatch(/^Failed to deserialize the JSON body/);
    }
  });

  it("the sub-account entry of subAccounts has the recorded clearinghouseState fields", async () => {
    const sub = (await trader.exchange.createSubAccount({ name: "s" })).response.data;
    const [entry] = (await info().subAccounts({ user: trader.address })) ?? [];
    const state = skeleton(entry?.clearinghouseState) as Record<string, unknown>;
    const recorded = skeleton(cassette("clearinghouseState")) as Record<string, unknown>;
    // The 2023 recording predates `time` and `crossMaintenanceMarginUsed` (see the README).
    const { time: _t, crossMaintenanceMarginUsed: _c, ...current } = state;
    expect({ ...current, assetPositions: [] }).toEqual({ ...recorded, assetPositions: [] });
    expect(entry?.subAccountUser).toBe(sub);
  });

  // The SDK has no batchClearinghouseStates (the official Rust SDK and bots send it raw). The
  // Python SDK's one recording of it is an HTTP 500 with `null`, so the shape compared here is
  // that of clearinghouseState, which the type answers once per user.
  it("batchClearinghouseStates: each user's clearinghouseState, in the order asked", async () => {
    const flat = newTrader(sim, 3_000);
    const nobody = `0x${"ab".repeat(20)}` as Hex;
    const res = await post(sim, "/info", {
      type: "batchClearinghouseStates",
      users: [flat.address, trader.address.toUpperCase().replace("0X", "0x"), nobody],
    });
    expect(res.status).toBe(200);
    const states = res.body as Record<string, unknown>[];
    const singles = await Promise.all(
      [flat.address, trader.address, nobody].map((user) => info().clearinghouseState({ user })),
    );
    const noTime = ({ time: _t, ...rest }: Record<string, unknown>) => rest;
    expect(states.map(noTime)).toEqual(singles.map(noTime));
    expect(states[0]).toMatchObject({ marginSummary: { accountValue: "3000.0" }, assetPositions: [] });
    expect(states[1]).toMatchObject({ assetPositions: [{ position: { coin: "BTC", szi: "0.01" } }] });
    expect(states[2]).toMatchObject({ marginSummary: { accountValue: "0.0" }, withdrawable: "0.0" });
    const recorded = skeleton(cassette("clearinghouseState")) as Record<string, unknown>;
    const {
      time: _t,
      crossMaintenanceMarginUsed: _c,
      ...current
    } = skeleton(states[1]) as Record<string, unknown>;
    expect({ ...current, assetPositions: [] }).toEqual({ ...recorded, assetPositions: [] });
    expect((await post(sim, "/info", { type: "batchClearinghouseStates", users: [] })).body).toEqual([]);
  });

  it("maxMarketOrderNtls: one entry per max leverage of the markets, highest first, at the published caps", async () => {
    const { universe } = await info().meta();
    const ntls = await info().maxMarketOrderNtls();
    const leverages = [...new Set(universe.map((u) => u.maxLeverage))].sort((a, b) => b - a);
    expect(ntls.map(([lev]) => lev)).toEqual(leverages);
    const capOf = new Map(ntls);
    // Docs, Contract specifications: $4M at 50x+, $1M for [20, 50), $500k for [10, 20), else $250k.
    expect(capOf.get(40)).toBe("1000000.0"); // BTC
    expect(capOf.get(25)).toBe("1000000.0"); // ETH
    expect(capOf.get(20)).toBe("1000000.0"); // SOL
    expect(capOf.get(10)).toBe("500000.0"); // HYPE and the rest
    for (const u of universe) expect(capOf.has(u.maxLeverage), u.name).toBe(true);
  });

  it("marginTable: the table each market's meta names; allPerpMetas: the one dex's meta", async () => {
    const meta = await info().meta();
    for (const u of meta.universe) {
      const table = await info().marginTable({ id: u.marginTableId });
      expect(table, u.name).toEqual(meta.marginTables.find(([id]) => id === u.marginTableId)?.[1]);
      expect(table.marginTiers[0]?.maxLeverage, u.name).toBe(u.maxLeverage);
    }
    // Ids up to 50 are flat tables on the exchange whether a market uses them or not.
    expect(await info().marginTable({ id: 1 })).toEqual({
      description: "",
      marginTiers: [{ lowerBound: "0.0", maxLeverage: 1 }],
    });
    expect((await post(sim, "/info", { type: "marginTable", id: 999 })).body).toBeNull();
    expect(await info().allPerpMetas()).toEqual([meta]);
  });

  it("perpDexStatus counts deposits less withdrawals; no dex limits, caps or liquidatable positions", async () => {
    const before = Number((await info().perpDexStatus({ dex: "" })).totalNetDeposit);
    expect(before).toBeGreaterThanOrEqual(20_000); // this block's trader at least
    const t = newTrader(sim, 5_000);
    expect(Number((await info().perpDexStatus({ dex: "" })).totalNetDeposit)).toBeCloseTo(before + 5_000, 6);
    sim.control.fund(t.address, -1_250);
    expect(Number((await info().perpDexStatus({ dex: "" })).totalNetDeposit)).toBeCloseTo(before + 3_750, 6);
    expect(await info().perpDexLimits({ dex: "" })).toBeNull();
    expect(await info().perpsAtOpenInterestCap()).toEqual([]);
    expect(await info().perpsAtOpenInterestCap({ dex: "" })).toEqual([]);
    expect(await info().liquidatable()).toEqual([]);
  });

  it("approvedBuilders: the builders approved a fee, not one revoked with 0 %", async () => {
    const t = newTrader(sim, 1_000);
    expect(await info().approvedBuilders({ user: t.address })).toEqual([]);
    const kept = `0x${"34".repeat(20)}` as Hex;
    const revoked = `0x${"56".repeat(20)}` as Hex;
    await t.exchange.approveBuilderFee({ maxFeeRate: "0.01%", builder: kept });
    await t.exchange.approveBuilderFee({ maxFeeRate: "0.02%", builder: revoked });
    expect(await info().approvedBuilders({ user: t.address })).toEqual([kept, revoked]);
    await t.exchange.approveBuilderFee({ maxFeeRate: "0%", builder: revoked });
    expect(await info().approvedBuilders({ user: t.address })).toEqual([kept]);
    expect(await info().maxBuilderFee({ user: t.address, builder: kept })).toBe(10);
  });

  it("subAccounts2: subAccounts with the state under the default dex, null without any", async () => {
    const t = newTrader(sim, 2_000);
    expect(await info().subAccounts2({ user: t.address })).toBeNull();
    const sub = (await t.exchange.createSubAccount({ name: "v2" })).response.data.toLowerCase() as Hex;
    await t.exchange.subAccountTransfer({ subAccountUser: sub, isDeposit: true, usd: 500_000_000 });
    const [v1] = (await info().subAccounts({ user: t.address })) ?? [];
    const [v2] = (await info().subAccounts2({ user: t.address })) ?? [];
    expect(v2).toBeDefined();
    const { clearinghouseState: state, ...rest } = v1 ?? ({} as NonNullable<typeof v1>);
    const { dexToClearinghouseState, ...rest2 } = v2 ?? ({} as NonNullable<typeof v2>);
    expect(rest2).toEqual(rest); // name, subAccountUser, master, spotState; no `abstraction`
    expect(rest2.subAccountUser).toBe(sub);
    expect(dexToClearinghouseState.map(([dex]) => dex)).toEqual([""]);
    const { time: _a, ...inV2 } = dexToClearinghouseState[0]?.[1] ?? state;
    const { time: _b, ...inV1 } = state;
    expect(inV2).toEqual(inV1);
    expect(inV1.marginSummary.accountValue).toBe("500.0");
  });

  it("a websocket post asks the same: the types answer there as over HTTP", async () => {
    const transport = new WebSocketTransport({ url: sim.wsUrl });
    try {
      const overWs = new InfoClient({ transport });
      expect(await overWs.maxMarketOrderNtls()).toEqual(await info().maxMarketOrderNtls());
      const subs = (await overWs.subAccounts2({ user: trader.address })) ?? [];
      expect(subs.map((e) => e.subAccountUser)).toEqual(
        ((await info().subAccounts({ user: trader.address })) ?? []).map((e) => e.subAccountUser),
      );
      const batch = (await transport.request("info", {
        type: "batchClearinghouseStates",
        users: [trader.address],
      })) as { marginSummary: unknown }[];
      expect(batch.map((s) => s.marginSummary)).toEqual([
        (await info().clearinghouseState({ user: trader.address })).marginSummary,
      ]);
    } finally {
      await transport.close();
    }
  });

  it("staking, TWAPs, multi-sig, abstraction, vaults: the exchange's answers for an account with none", async () => {
    const user = trader.address;
    expect(await info().delegations({ user })).toEqual([]);
    expect(await info().delegatorSummary({ user })).toEqual({
      delegated: "0.0",
      undelegated: "0.0",
      totalPendingWithdrawal: "0.0",
      nPendingWithdrawals: 0,
    });
    expect(await info().delegatorRewards({ user })).toEqual([]);
    expect(await info().twapHistory({ user })).toEqual([]);
    expect(await info().userToMultiSigSigners({ user })).toBeNull();
    expect(await info().userDexAbstraction({ user })).toBeNull();
    expect(await info().userAbstraction({ user })).toBe("default");
    // No vault exists; the exchange answers null for an address that is not one.
    expect(await info().vaultDetails({ vaultAddress: user })).toBeNull();
    expect(await info().vaultDetails({ vaultAddress: user, user })).toBeNull();
  });
});
