// The simulator must take what mainnet takes from any client, and refuse what it refuses: these
// tests send hand-built HTTP and websocket bodies (signatures made with viem's EIP-712 signer and
// the L1 action hash, no SDK client or schema in between), the way the official Python SDK and
// hand-written clients send them.

import { signL1Action } from "@nktkas/hyperliquid/signing";
import { getAddress } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { type Hex, type SimHandle, startSim } from "../../src/sim/index.js";
import { cloid, eventually, infoClient, newTrader, post, type Trader } from "./helpers.js";

const APPROVE_AGENT_FIELDS = [
  { name: "hyperliquidChain", type: "string" },
  { name: "agentAddress", type: "address" },
  { name: "agentName", type: "string" },
  { name: "nonce", type: "uint64" },
] as const;

let lastNonce = Date.now();
const nextNonce = () => ++lastNonce;

/** An L1 action body as a raw client posts it (signed over `action` exactly as given). */
async function l1Body(
  trader: Trader,
  action: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  const nonce = nextNonce();
  const expiresAfter = typeof extra.expiresAfter === "number" ? extra.expiresAfter : undefined;
  const signature = await signL1Action({
    wallet: trader.wallet,
    action,
    nonce,
    ...(expiresAfter ? { expiresAfter } : {}),
  });
  return { action, nonce, signature, ...extra };
}

/** A user-signed transfer (usdSend, withdraw3) as the Python SDK signs it: `time` is the nonce. */
async function transferBody(
  trader: Trader,
  type: "usdSend" | "withdraw3",
  destination: string,
  amount: string,
): Promise<Record<string, unknown>> {
  const time = nextNonce();
  const primaryType =
    type === "usdSend" ? "HyperliquidTransaction:UsdSend" : "HyperliquidTransaction:Withdraw";
  const fields = [
    { name: "hyperliquidChain", type: "string" },
    { name: "destination", type: "string" },
    { name: "amount", type: "string" },
    { name: "time", type: "uint64" },
  ] as const;
  const message = { hyperliquidChain: "Mainnet", destination, amount, time };
  const sig = await trader.wallet.signTypedData({
    domain: {
      name: "HyperliquidSignTransaction",
      version: "1",
      chainId: 0x66eee,
      verifyingContract: "0x0000000000000000000000000000000000000000",
    },
    types: { [primaryType]: fields },
    primaryType,
    message: { ...message, time: BigInt(time) },
  });
  return {
    action: { type, signatureChainId: "0x66eee", ...message },
    nonce: time,
    signature: {
      r: sig.slice(0, 66),
      s: `0x${sig.slice(66, 130)}`,
      v: Number.parseInt(sig.slice(130, 132), 16),
    },
    vaultAddress: null,
  };
}

/** A usdClassTransfer the way the official Python SDK sends it (`amount` is `str(amount)`). */
async function classTransferBody(
  trader: Trader,
  amount: string,
  toPerp: boolean,
): Promise<Record<string, unknown>> {
  const nonce = nextNonce();
  const message = { hyperliquidChain: "Mainnet", amount, toPerp, nonce };
  const sig = await trader.wallet.signTypedData({
    domain: {
      name: "HyperliquidSignTransaction",
      version: "1",
      chainId: 0x66eee,
      verifyingContract: "0x0000000000000000000000000000000000000000",
    },
    types: {
      "HyperliquidTransaction:UsdClassTransfer": [
        { name: "hyperliquidChain", type: "string" },
        { name: "amount", type: "string" },
        { name: "toPerp", type: "bool" },
        { name: "nonce", type: "uint64" },
      ],
    },
    primaryType: "HyperliquidTransaction:UsdClassTransfer",
    message: { ...message, nonce: BigInt(nonce) },
  });
  return {
    action: {
      type: "usdClassTransfer",
      amount,
      toPerp,
      nonce,
      signatureChainId: "0x66eee",
      hyperliquidChain: "Mainnet",
    },
    nonce,
    signature: {
      r: sig.slice(0, 66),
      s: `0x${sig.slice(66, 130)}`,
      v: Number.parseInt(sig.slice(130, 132), 16),
    },
    vaultAddress: null,
    expiresAfter: null,
  };
}

/** An approveAgent the way the official Python SDK sends it: signed with agentName "", key deleted. */
async function pythonApproveAgent(trader: Trader, agent: Hex): Promise<Record<string, unknown>> {
  const nonce = nextNonce();
  const message = { hyperliquidChain: "Mainnet", agentAddress: getAddress(agent), agentName: "", nonce };
  const sig = await trader.wallet.signTypedData({
    domain: {
      name: "HyperliquidSignTransaction",
      version: "1",
      chainId: 0x66eee,
      verifyingContract: "0x0000000000000000000000000000000000000000",
    },
    types: { "HyperliquidTransaction:ApproveAgent": APPROVE_AGENT_FIELDS },
    primaryType: "HyperliquidTransaction:ApproveAgent",
    message: { ...message, nonce: BigInt(nonce) },
  });
  const { agentName: _deleted, ...sent } = message;
  return {
    action: { type: "approveAgent", signatureChainId: "0x66eee", ...sent },
    nonce,
    signature: {
      r: sig.slice(0, 66),
      s: `0x${sig.slice(66, 130)}`,
      v: Number.parseInt(sig.slice(130, 132), 16),
    },
    vaultAddress: null,
  };
}

describe("approveAgent as the official Python SDK sends it", () => {
  let sim: SimHandle;
  let master: Trader;
  beforeAll(async () => {
    sim = await startSim({ tickMs: 0, seed: 11 });
    master = newTrader(sim, 20_000);
  });
  afterAll(() => sim.close());

  it('an absent agentName is read as the unnamed agent\'s "": the agent is approved and trades', async () => {
    const agentKey = generatePrivateKey();
    const agent = privateKeyToAccount(agentKey).address.toLowerCase() as Hex;
    const res = await post(sim, "/exchange", await pythonApproveAgent(master, agent));
    expect(res).toEqual({ status: 200, body: { status: "ok", response: { type: "default" } } });
    expect(await infoClient(sim).userRole({ user: agent })).toEqual({
      role: "agent",
      data: { user: master.address },
    });

    const asAgent: Trader = { ...master, wallet: privateKeyToAccount(agentKey) };
    const order = {
      type: "order",
      orders: [{ a: 0, b: true, p: "90000", s: "0.001", r: false, t: { limit: { tif: "Gtc" } } }],
      grouping: "na",
    };
    const placed = await post(sim, "/exchange", await l1Body(asAgent, order));
    expect(placed.body).toMatchObject({ status: "ok", response: { data: { statuses: [{ resting: {} }] } } });
    expect(await infoClient(sim).openOrders({ user: master.address })).toHaveLength(1);
  });

  it("agentName null is the same unnamed agent", async () => {
    const agent = privateKeyToAccount(generatePrivateKey()).address.toLowerCase() as Hex;
    const body = await pythonApproveAgent(master, agent);
    (body.action as Record<string, unknown>).agentName = null;
    const res = await post(sim, "/exchange", body);
    expect(res.body).toEqual({ status: "ok", response: { type: "default" } });
  });
});

describe("a cloid names one order (a double send is refused)", () => {
  let sim: SimHandle;
  let trader: Trader;
  beforeAll(async () => {
    sim = await startSim({ tickMs: 0, seed: 12 });
    trader = newTrader(sim, 50_000);
  });
  afterAll(() => sim.close());

  const gtc = (c: Hex, p = "90000") => ({
    type: "order",
    orders: [{ a: 0, b: true, p, s: "0.001", r: false, t: { limit: { tif: "Gtc" } }, c }],
    grouping: "na",
  });
  const send = async (action: Record<string, unknown>) =>
    (await post(sim, "/exchange", await l1Body(trader, action))).body as {
      status: string;
      response: { data: { statuses: Record<string, unknown>[] } };
    };

  it("a second order with a resting order's cloid is refused; cancelByCloid and orderStatus keep naming the first", async () => {
    const c = cloid(0xd1);
    const first = await send(gtc(c));
    const oid = (first.response.data.statuses[0] as { resting: { oid: number } }).resting.oid;

    const again = await send(gtc(c, "89000"));
    expect(again.response.data.statuses).toEqual([
      { error: `Duplicate cloid ${c}: already used by order ${oid}. asset=0` },
    ]);
    const info = infoClient(sim);
    expect((await info.openOrders({ user: trader.address })).map((o) => o.oid)).toEqual([oid]);
    expect(await info.orderStatus({ user: trader.address, oid: c })).toMatchObject({
      status: "order",
      order: { order: { oid, limitPx: "90000.0" }, status: "open" },
    });

    const cancel = await send({ type: "cancelByCloid", cancels: [{ asset: 0, cloid: c }] });
    expect(cancel.response.data.statuses).toEqual(["success"]);
    expect(await info.openOrders({ user: trader.address })).toEqual([]);
  });

  it("an IOC that filled keeps its cloid: resending it places nothing", async () => {
    const c = cloid(0xd2);
    const ioc = {
      type: "order",
      orders: [{ a: 0, b: true, p: "96000", s: "0.001", r: false, t: { limit: { tif: "Ioc" } }, c }],
      grouping: "na",
    };
    expect((await send(ioc)).response.data.statuses[0]).toHaveProperty("filled");
    const again = await send(ioc);
    expect(again.response.data.statuses[0]).toEqual({ error: expect.stringMatching(/^Duplicate cloid /) });
    const fills = await infoClient(sim).userFills({ user: trader.address });
    expect(fills.filter((f) => f.cloid === c).reduce((sz, f) => sz + Number(f.sz), 0)).toBeCloseTo(0.001, 9);
  });

  it("two orders with one cloid in one batch: the first rests, the second is refused", async () => {
    const c = cloid(0xd3);
    const o = { a: 0, b: true, p: "88000", s: "0.001", r: false, t: { limit: { tif: "Gtc" } }, c };
    const res = await send({ type: "order", orders: [o, { ...o, p: "87000" }], grouping: "na" });
    expect(res.response.data.statuses[0]).toHaveProperty("resting");
    expect(res.response.data.statuses[1]).toEqual({
      error: expect.stringMatching(/^Duplicate cloid .* asset=0$/),
    });
  });

  it("a rejected order does not take its cloid, and modify may keep the cloid of the order it replaces", async () => {
    const c = cloid(0xd4);
    const tooSmall = { ...gtc(c), orders: [{ ...gtc(c).orders[0], s: "0.00001" }] };
    expect((await send(tooSmall)).response.data.statuses[0]).toHaveProperty("error");
    const placed = await send(gtc(c, "86000"));
    expect(placed.response.data.statuses[0]).toHaveProperty("resting");
    const order = { a: 0, b: true, p: "85000", s: "0.001", r: false, t: { limit: { tif: "Gtc" } }, c };
    const modified = await post(sim, "/exchange", await l1Body(trader, { type: "modify", oid: c, order }));
    expect(modified.body).toEqual({ status: "ok", response: { type: "default" } });
    expect(await infoClient(sim).orderStatus({ user: trader.address, oid: c })).toMatchObject({
      order: { order: { limitPx: "85000.0" }, status: "open" },
    });
  });

  it("the simulator's record of an order keeps the nonce of the request that placed it (its signer's clock), a modify's its own", async () => {
    const c = cloid(0xd5);
    const placed = await l1Body(trader, gtc(c, "84000"));
    await post(sim, "/exchange", placed);
    const record = () => sim.control.orderHistory(trader.address).filter((o) => o.cloid === c);
    expect(record().map((o) => o.nonce)).toEqual([placed.nonce]);
    const order = { a: 0, b: true, p: "83000", s: "0.001", r: false, t: { limit: { tif: "Gtc" } }, c };
    const modify = await l1Body(trader, { type: "modify", oid: c, order });
    await post(sim, "/exchange", modify);
    expect(record().map((o) => [o.status, o.nonce])).toEqual([
      ["canceled", placed.nonce],
      ["open", modify.nonce],
    ]);
  });
});

describe("bodies typed as mainnet's strict deserializer wants them", () => {
  let sim: SimHandle;
  let trader: Trader;
  beforeAll(async () => {
    sim = await startSim({ tickMs: 0, seed: 13 });
    trader = newTrader(sim, 50_000);
  });
  afterAll(() => sim.close());

  const wire = (patch: Record<string, unknown>) => ({
    a: 0,
    b: true,
    p: "90000",
    s: "0.001",
    r: false,
    t: { limit: { tif: "Gtc" } },
    ...patch,
  });
  const order = (patch: Record<string, unknown>) => ({
    type: "order",
    orders: [wire(patch)],
    grouping: "na",
  });
  const refused = async (action: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const res = await post(sim, "/exchange", await l1Body(trader, action, extra));
    expect(res.status).toBe(422);
    return res.body as string;
  };

  it("an integer sent as a string, or a decimal sent as a number, is a 422 naming the field", async () => {
    expect(await refused(order({ a: "0" }))).toBe(
      'Failed to deserialize the JSON body into the target type: action.orders[0].a: invalid type: string "0", expected an integer',
    );
    expect(await refused(order({ p: 90000 }))).toBe(
      "Failed to deserialize the JSON body into the target type: action.orders[0].p: invalid type: integer `90000`, expected a string",
    );
    expect(await refused(order({ s: 0.001 }))).toMatch(
      /action\.orders\[0\]\.s: invalid type: floating point `0.001`/,
    );
    expect(await refused({ type: "updateLeverage", asset: "0", isCross: true, leverage: 5 })).toMatch(
      /: action\.asset: invalid type: string "0"/,
    );
    expect(await refused({ type: "updateLeverage", asset: 0, isCross: true, leverage: "5" })).toMatch(
      /: action\.leverage: invalid type: string "5"/,
    );
    expect(await refused({ type: "cancel", cancels: [{ a: 0, o: "123" }] })).toMatch(
      /action\.cancels\[0\]\.o: /,
    );
    expect(await infoClient(sim).openOrders({ user: trader.address })).toEqual([]);
  });

  it('a signature\'s v sent as the string "27" is a string where an integer goes, not an unknown variant', async () => {
    const body = await l1Body(trader, { type: "noop" });
    const signature = { ...(body.signature as Record<string, unknown>) };
    const res = await post(sim, "/exchange", {
      ...body,
      signature: { ...signature, v: String(signature.v) },
    });
    expect(res).toEqual({
      status: 422,
      body: `Failed to deserialize the JSON body into the target type: signature.v: invalid type: string "${signature.v}", expected an integer`,
    });
  });

  it("a string that is not a plain decimal is a 422 in the same path form", async () => {
    for (const p of ["+90000", " 90000", "9e4", "-1"]) {
      expect(await refused(order({ p }))).toMatch(
        /^Failed to deserialize the JSON body into the target type: action\.orders\[0\]\.p: /,
      );
    }
  });

  it("nonce and expiresAfter must be numbers", async () => {
    const action = order({});
    const n = nextNonce();
    const signature = await signL1Action({ wallet: trader.wallet, action, nonce: n });
    const asString = await post(sim, "/exchange", { action, nonce: String(n), signature });
    expect(asString.status).toBe(422);
    expect(asString.body).toMatch(/: nonce: invalid type: string/);
    const expiresAfter = Date.now() + 60_000;
    const m = nextNonce();
    const signed = await signL1Action({ wallet: trader.wallet, action, nonce: m, expiresAfter });
    const res = await post(sim, "/exchange", {
      action,
      nonce: m,
      signature: signed,
      expiresAfter: String(expiresAfter),
    });
    expect(res.status).toBe(422);
    expect(res.body).toMatch(/: expiresAfter: invalid type: string/);
  });

  it("a required field left out is serde's `missing field`, named at the object that lacks it", async () => {
    const { r: _r, ...noReduceOnly } = wire({});
    expect(await refused({ type: "order", orders: [noReduceOnly], grouping: "na" })).toBe(
      "Failed to deserialize the JSON body into the target type: action.orders[0]: missing field `r`",
    );
    const body = await l1Body(trader, order({}));
    const { signature, nonce: _n, ...noNonce } = body;
    const { v: _v, ...noV } = signature as Record<string, unknown>;
    expect(await post(sim, "/exchange", noNonce)).toEqual({
      status: 422,
      body: "Failed to deserialize the JSON body into the target type: missing field `nonce`",
    });
    expect(await post(sim, "/exchange", { ...body, signature: noV })).toEqual({
      status: 422,
      body: "Failed to deserialize the JSON body into the target type: signature: missing field `v`",
    });
    // The same on /info: a user-keyed or coin-keyed type without its key.
    expect(await post(sim, "/info", { type: "openOrders" })).toEqual({
      status: 422,
      body: "Failed to deserialize the JSON body into the target type: missing field `user`",
    });
    expect(await post(sim, "/info", { type: "l2Book" })).toEqual({
      status: 422,
      body: "Failed to deserialize the JSON body into the target type: missing field `coin`",
    });
  });

  it("an unknown time-in-force names the variants", async () => {
    expect(await refused(order({ t: { limit: { tif: "gtc" } } }))).toBe(
      "Failed to deserialize the JSON body into the target type: action.orders[0].t.limit.tif: unknown variant `gtc`, expected one of `Gtc`, `Ioc`, `Alo`, `FrontendMarket`",
    );
  });

  it("what mainnet accepts still goes through: trailing zeros, JSON key order, null vault/expiry, expiresAfter", async () => {
    const ok = async (action: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
      const res = await post(sim, "/exchange", await l1Body(trader, action, extra));
      expect(res.body).toMatchObject({ status: "ok", response: { data: { statuses: [{ resting: {} }] } } });
    };
    // Trailing zeros sent are read as the number they write: what was signed is that number.
    const plain = await l1Body(trader, order({ p: "90000", s: "0.001" }));
    const zeros = await post(sim, "/exchange", { ...plain, action: order({ p: "90000.0", s: "0.0010" }) });
    expect(zeros.body).toMatchObject({ status: "ok", response: { data: { statuses: [{ resting: {} }] } } });
    // Signed in the canonical key order (the exchange hashes what it deserialized), sent in another.
    const signed = await l1Body(trader, order({ p: "89000" }));
    const reordered = {
      grouping: "na",
      orders: [{ t: { limit: { tif: "Gtc" } }, r: false, s: "0.001", p: "89000", b: true, a: 0 }],
      type: "order",
    };
    const res = await post(sim, "/exchange", {
      signature: signed.signature,
      nonce: signed.nonce,
      action: reordered,
    });
    expect(res.body).toMatchObject({ status: "ok", response: { data: { statuses: [{ resting: {} }] } } });
    await ok(order({ p: "88000" }), { vaultAddress: null, expiresAfter: null });
    await ok(order({ p: "87000", c: cloid(0xe1) }), { expiresAfter: Date.now() + 60_000 });
  });

  it("what is signed is the action as the exchange reads it: signing trailing zeros or an upper-case cloid recovers another wallet", async () => {
    const wrongSigner = async (action: Record<string, unknown>) => {
      const res = await post(sim, "/exchange", await l1Body(trader, action));
      expect(res.status).toBe(200);
      const answer = res.body as { status: string; response: string };
      expect(answer.status).toBe("err");
      expect(answer.response).toMatch(/^User or API Wallet 0x[0-9a-f]{40} does not exist\.$/);
      expect(answer.response).not.toContain(trader.address.toLowerCase());
    };
    // Docs, Signing: "issues with trailing zeroes on numbers", "upper case characters in address fields".
    await wrongSigner(order({ p: "86000.0" }));
    await wrongSigner(order({ p: "86000", s: "0.0010" }));
    await wrongSigner(order({ p: "86000", c: cloid(0xe2).toUpperCase().replace("0X", "0x") }));
    const open = await infoClient(sim).openOrders({ user: trader.address });
    expect(open.filter((o) => Number(o.limitPx) === 86_000)).toEqual([]);
  });

  it("modify names its order by oid (a number) or cloid (a string), a cloid with leading zeros too", async () => {
    // A cloid whose value fits a JavaScript number ("0x000…01" is 1) must not be read as oid 1.
    const low = "0x00000000000000000000000000000001";
    const placed = await post(sim, "/exchange", await l1Body(trader, order({ p: "85500", c: low })));
    const oid = (placed.body as { response: { data: { statuses: { resting: { oid: number } }[] } } }).response
      .data.statuses[0]?.resting.oid;
    expect(oid).toBeGreaterThan(1);
    const moved = { a: 0, b: true, p: "85400", s: "0.001", r: false, t: { limit: { tif: "Gtc" } }, c: low };
    const res = await post(
      sim,
      "/exchange",
      await l1Body(trader, { type: "modify", oid: low, order: moved }),
    );
    expect(res.body).toEqual({ status: "ok", response: { type: "default" } });
    const open = await infoClient(sim).openOrders({ user: trader.address });
    expect(open.filter((o) => o.cloid === low).map((o) => Number(o.limitPx))).toEqual([85_400]);
    // A cloid no order carries, whose value is an order's oid, changes nothing.
    const other = `0x${(open.find((o) => o.cloid === low)?.oid ?? 0).toString(16).padStart(32, "0")}`;
    const batch = await post(
      sim,
      "/exchange",
      await l1Body(trader, {
        type: "batchModify",
        modifies: [{ oid: other, order: { ...moved, p: "85300" } }],
      }),
    );
    expect(batch.body).toMatchObject({
      status: "ok",
      response: { data: { statuses: [{ error: "Cannot modify canceled or filled order" }] } },
    });
    const after = await infoClient(sim).openOrders({ user: trader.address });
    expect(after.filter((o) => o.cloid === low).map((o) => Number(o.limitPx))).toEqual([85_400]);
  });

  it("candleSnapshot times are numbers; a string startTime is a 422", async () => {
    const now = Date.now();
    const good = await post(sim, "/info", {
      type: "candleSnapshot",
      req: { coin: "BTC", interval: "1h", startTime: now - 3 * 3_600_000, endTime: now },
    });
    expect(good.status).toBe(200);
    const bad = await post(sim, "/info", {
      type: "candleSnapshot",
      req: { coin: "BTC", interval: "1h", startTime: String(now - 3 * 3_600_000) },
    });
    expect(bad.status).toBe(422);
    expect(bad.body).toMatch(
      /^Failed to deserialize the JSON body into the target type: startTime: invalid type/,
    );
  });
});

describe("Content-Type", () => {
  let sim: SimHandle;
  beforeAll(async () => {
    sim = await startSim({ tickMs: 0, seed: 14 });
  });
  afterAll(() => sim.close());

  const postAs = async (path: string, contentType: string | undefined) => {
    const res = await fetch(`${sim.httpUrl}${path}`, {
      method: "POST",
      ...(contentType === undefined ? {} : { headers: { "Content-Type": contentType } }),
      body: new TextEncoder().encode(JSON.stringify({ type: "allMids" })),
    });
    return { status: res.status, text: await res.text() };
  };

  it("/info and /exchange want application/json (415 otherwise, as mainnet's axum answers)", async () => {
    for (const path of ["/info", "/exchange"]) {
      for (const type of [undefined, "text/plain;charset=UTF-8", "application/x-www-form-urlencoded"]) {
        expect(await postAs(path, type)).toEqual({
          status: 415,
          text: "Expected request with `Content-Type: application/json`",
        });
      }
    }
    expect((await postAs("/info", "application/json; charset=utf-8")).status).toBe(200);
    expect((await postAs("/info", "Application/JSON")).status).toBe(200);
  });

  it("a browser may call it: mainnet's CORS headers on every reply, and a preflight is allowed", async () => {
    const recorded = {
      "access-control-allow-origin": "*",
      "access-control-expose-headers": "*",
      vary: "origin, access-control-request-method, access-control-request-headers",
    };
    const headersOf = (res: Response, names: string[]) =>
      Object.fromEntries(names.map((n) => [n, res.headers.get(n)]));
    const names = Object.keys(recorded);
    const ok = await fetch(`${sim.httpUrl}/info`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: "http://localhost:5173" },
      body: JSON.stringify({ type: "exchangeStatus" }),
    });
    expect(ok.status).toBe(200);
    expect(headersOf(ok, names)).toEqual(recorded);
    // An error reply carries them too (the browser could not read the 422's text otherwise).
    const bad = await fetch(`${sim.httpUrl}/info`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: "http://localhost:5173" },
      body: JSON.stringify({ type: "nope" }),
    });
    expect(bad.status).toBe(422);
    expect(headersOf(bad, names)).toEqual(recorded);
    for (const path of ["/info", "/exchange"]) {
      const preflight = await fetch(`${sim.httpUrl}${path}`, {
        method: "OPTIONS",
        headers: {
          Origin: "http://localhost:5173",
          "Access-Control-Request-Method": "POST",
          "Access-Control-Request-Headers": "content-type",
        },
      });
      expect(preflight.status).toBe(200);
      expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
      expect(preflight.headers.get("access-control-allow-methods")).toBe("*");
      expect(preflight.headers.get("access-control-allow-headers")).toBe("*");
    }
  });

  it("/control is the simulator's own and takes any", async () => {
    const res = await fetch(`${sim.httpUrl}/control`, {
      method: "POST",
      body: JSON.stringify({ type: "now" }),
    });
    expect(res.status).toBe(200);
  });
});

describe("what any client asks for at start-up", () => {
  let sim: SimHandle;
  beforeAll(async () => {
    sim = await startSim({ tickMs: 0, seed: 15 });
  });
  afterAll(() => sim.close());

  it("exchangeStatus answers the server time and no special status", async () => {
    const before = Date.now();
    const res = await post(sim, "/info", { type: "exchangeStatus" });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ time: expect.any(Number), specialStatuses: null });
    expect((res.body as { time: number }).time).toBeGreaterThanOrEqual(before);
  });

  it("a websocket candle subscription is acked, sends the current candle, then each change of it", async () => {
    const ws = new WebSocket(sim.wsUrl);
    const frames: unknown[] = [];
    ws.on("message", (data) => {
      try {
        frames.push(JSON.parse(String(data)));
      } catch {
        // the plain-text greeting
      }
    });
    await new Promise((resolve) => ws.once("open", resolve));
    try {
      const subscription = { type: "candle", coin: "ETH", interval: "1m" };
      ws.send(JSON.stringify({ method: "subscribe", subscription }));
      const candles = () =>
        frames.filter((f): f is { channel: "candle"; data: Record<string, unknown> } => {
          return (f as { channel?: string }).channel === "candle";
        });
      await eventually(() =>
        frames.some((f) => (f as { channel?: string }).channel === "subscriptionResponse"),
      );
      expect(frames).toContainEqual({
        channel: "subscriptionResponse",
        data: { method: "subscribe", subscription },
      });
      const first = (await eventually(() => candles()[0])).data;
      expect(first).toMatchObject({ s: "ETH", i: "1m", c: "3400.0" });
      expect((first.T as number) - (first.t as number)).toBe(59_999);

      sim.control.setMid("ETH", 3450);
      const moved = await eventually(() => candles().find((c) => c.data.c === "3450.0"));
      expect(moved.data).toMatchObject({ s: "ETH", i: "1m", h: "3450.0" });

      ws.send(
        JSON.stringify({
          method: "subscribe",
          subscription: { type: "candle", coin: "ETH", interval: "7m" },
        }),
      );
      await eventually(() => frames.some((f) => (f as { channel?: string }).channel === "error"));
      expect(frames).toContainEqual({
        channel: "error",
        data: expect.stringMatching(/^Invalid subscription .*7m/),
      });
    } finally {
      ws.close();
    }
  });
});

describe("usdSend and withdraw3, signed by the account's own key", () => {
  let sim: SimHandle;
  beforeAll(async () => {
    sim = await startSim({ tickMs: 0, seed: 16 });
  });
  afterAll(() => sim.close());

  it("usdSend moves perp USDC to another address, checksummed destination and all; both ledgers show it", async () => {
    const from = newTrader(sim, 1_000);
    const to = privateKeyToAccount(generatePrivateKey()).address;
    const res = await post(sim, "/exchange", await transferBody(from, "usdSend", to, "250.5"));
    expect(res.body).toEqual({ status: "ok", response: { type: "default" } });
    const info = infoClient(sim);
    expect((await info.clearinghouseState({ user: from.address })).withdrawable).toBe("749.5");
    expect((await info.clearinghouseState({ user: to })).withdrawable).toBe("250.5");
    const delta = {
      type: "internalTransfer",
      usdc: "250.5",
      user: from.address,
      destination: to.toLowerCase(),
      fee: "0.0",
    };
    expect((await info.userNonFundingLedgerUpdates({ user: from.address })).at(-1)?.delta).toEqual(delta);
    expect((await info.userNonFundingLedgerUpdates({ user: to })).at(-1)?.delta).toEqual(delta);

    const tooMuch = await post(sim, "/exchange", await transferBody(from, "usdSend", to, "5000"));
    expect(tooMuch.body).toEqual({ status: "err", response: "Insufficient balance for usd send." });
  });

  it("withdraw3 takes the amount off the account; the ledger says what is paid out and the $1 fee beside it, as mainnet", async () => {
    const t = newTrader(sim, 1_000);
    const body = await transferBody(t, "withdraw3", t.address, "100");
    const res = await post(sim, "/exchange", body);
    expect(res.body).toEqual({ status: "ok", response: { type: "default" } });
    const info = infoClient(sim);
    expect((await info.clearinghouseState({ user: t.address })).withdrawable).toBe("900.0");
    expect((await info.userNonFundingLedgerUpdates({ user: t.address })).at(-1)?.delta).toEqual({
      type: "withdraw",
      usdc: "99.0",
      nonce: body.nonce,
      fee: "1.0",
    });
  });

  it("usdClassTransfer as the Python SDK sends it moves USDC to spot and back, a sub-account's too", async () => {
    const t = newTrader(sim, 1_000);
    const info = infoClient(sim);
    expect(await info.spotClearinghouseState({ user: t.address })).toEqual({ balances: [] });
    // The Python SDK sends str(100.0), "100.0": the amount string is signed and read as sent.
    const toSpot = await post(sim, "/exchange", await classTransferBody(t, "100.0", false));
    expect(toSpot.body).toEqual({ status: "ok", response: { type: "default" } });
    expect((await info.clearinghouseState({ user: t.address })).withdrawable).toBe("900.0");
    expect(await info.spotClearinghouseState({ user: t.address })).toEqual({
      balances: [{ coin: "USDC", token: 0, hold: "0.0", total: "100.0", entryNtl: "0.0" }],
    });
    expect((await info.userNonFundingLedgerUpdates({ user: t.address })).at(-1)?.delta).toEqual({
      type: "accountClassTransfer",
      usdc: "100.0",
      toPerp: false,
    });
    const back = await post(sim, "/exchange", await classTransferBody(t, "40", true));
    expect(back.body).toEqual({ status: "ok", response: { type: "default" } });
    expect((await info.clearinghouseState({ user: t.address })).withdrawable).toBe("940.0");
    expect((await info.spotClearinghouseState({ user: t.address })).balances[0]?.total).toBe("60.0");
    const tooMuch = await post(sim, "/exchange", await classTransferBody(t, "61", true));
    expect(tooMuch.body).toEqual({ status: "err", response: "Insufficient balance for usd class transfer." });

    // A sub-account's: "<amount> subaccount:<address>", signed by the master.
    const created = await t.exchange.createSubAccount({ name: "spot" });
    const sub = created.response.data;
    await t.exchange.subAccountTransfer({ subAccountUser: sub, isDeposit: true, usd: 200_000_000 });
    const subToSpot = await post(
      sim,
      "/exchange",
      await classTransferBody(t, `50.0 subaccount:${sub}`, false),
    );
    expect(subToSpot.body).toEqual({ status: "ok", response: { type: "default" } });
    expect((await info.spotClearinghouseState({ user: sub })).balances[0]?.total).toBe("50.0");
    expect((await info.clearinghouseState({ user: sub })).withdrawable).toBe("150.0");
    const other = newTrader(sim, 1_000);
    const notYours = await post(
      sim,
      "/exchange",
      await classTransferBody(other, `1 subaccount:${sub}`, false),
    );
    expect(notYours.body).toEqual({ status: "err", response: `Vault not registered: ${sub}` });
  });

  it("an agent cannot move money: the recovered signer must be the account itself", async () => {
    const master = newTrader(sim, 1_000);
    const agentKey = generatePrivateKey();
    await post(
      sim,
      "/exchange",
      await pythonApproveAgent(master, privateKeyToAccount(agentKey).address as Hex),
    );
    const asAgent: Trader = { ...master, wallet: privateKeyToAccount(agentKey) };
    const res = await post(sim, "/exchange", await transferBody(asAgent, "withdraw3", master.address, "10"));
    expect(res.body).toEqual({
      status: "err",
      response: `Must deposit before performing actions. User: ${privateKeyToAccount(agentKey).address.toLowerCase()}`,
    });
  });
});
