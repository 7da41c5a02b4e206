// POST /exchange through the SDK's own ExchangeClient: every supported action, the exchange's
// authorization rules (signatures, agents, nonces) and each validation error, with the exact
// strings the live exchange returns.

import { ExchangeClient, HttpTransport } from "@nktkas/hyperliquid";
import { signL1Action } from "@nktkas/hyperliquid/signing";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { cloid, eventually, infoClient, newTrader, post, rejected, statusesOf } from "./helpers.js";

const BTC = 0;
const ETH = 1;
const SOL = 2;

let sim: SimHandle;
let clockOffset = 0;

beforeAll(async () => {
  sim = await startSim({ tickMs: 0, seed: 1, clock: () => Date.now() + clockOffset });
});
afterAll(() => sim.close());

describe("order", () => {
  it("a marketable IOC buy fills at the best ask and opens a long", async () => {
    const t = newTrader(sim);
    const res = await t.exchange.order({
      orders: [
        { a: BTC, b: true, p: "96000", s: "0.01", r: false, t: { limit: { tif: "Ioc" } }, c: cloid(1) },
      ],
      grouping: "na",
    });
    expect(res.response.data.statuses).toEqual([
      { filled: { totalSz: "0.01", avgPx: "95001.0", oid: expect.any(Number), cloid: cloid(1) } },
    ]);
    const fills = await infoClient(sim).userFills({ user: t.address });
    expect(fills).toEqual([
      {
        coin: "BTC",
        px: "95001.0",
        sz: "0.01",
        side: "B",
        time: expect.any(Number),
        startPosition: "0.0",
        dir: "Open Long",
        closedPnl: "0.0",
        hash: expect.stringMatching(/^0x[0-9a-f]{64}$/),
        oid: expect.any(Number),
        crossed: true,
        fee: "0.427505", // 0.045 % of 950.01
        tid: expect.any(Number),
        cloid: cloid(1),
        feeToken: "USDC",
        twapId: null,
      },
    ]);
    const state = await infoClient(sim).clearinghouseState({ user: t.address });
    expect(state.assetPositions[0]?.position).toMatchObject({ coin: "BTC", szi: "0.01", entryPx: "95001.0" });
  });

  it("a GTC below the market rests, is listed, and cancel takes it off", async () => {
    const t = newTrader(sim);
    const info = infoClient(sim);
    const res = await t.exchange.order({
      orders: [
        { a: ETH, b: true, p: "3399.7", s: "0.5", r: false, t: { limit: { tif: "Gtc" } }, c: cloid(2) },
      ],
      grouping: "na",
    });
    const status = res.response.data.statuses[0];
    expect(status).toEqual({ resting: { oid: expect.any(Number), cloid: cloid(2) } });
    const oid = (status as { resting: { oid: number } }).resting.oid;
    expect(await info.openOrders({ user: t.address })).toEqual([
      {
        coin: "ETH",
        side: "B",
        limitPx: "3399.7",
        sz: "0.5",
        oid,
        timestamp: expect.any(Number),
        origSz: "0.5",
        cloid: cloid(2),
      },
    ]);
    expect((await info.frontendOpenOrders({ user: t.address }))[0]).toMatchObject({
      oid,
      orderType: "Limit",
      tif: "Gtc",
      isTrigger: false,
      triggerCondition: "N/A",
      triggerPx: "0.0",
      reduceOnly: false,
      cloid: cloid(2),
    });
    const book = await info.l2Book({ coin: "ETH" });
    expect(book?.levels[0]).toContainEqual({ px: "3399.7", sz: "0.5", n: 1 });

    expect((await t.exchange.cancel({ cancels: [{ a: ETH, o: oid }] })).response.data.statuses).toEqual([
      "success",
    ]);
    expect(await info.openOrders({ user: t.address })).toEqual([]);
    const again = await rejected(() => t.exchange.cancel({ cancels: [{ a: ETH, o: oid }] }));
    expect(statusesOf(again.response)).toEqual([
      { error: "Order was never placed, already canceled, or filled. asset=1" },
    ]);
    expect(await info.orderStatus({ user: t.address, oid })).toMatchObject({
      status: "order",
      order: { status: "canceled" },
    });
  });

  it("cancelByCloid cancels the order carrying that cloid", async () => {
    const t = newTrader(sim);
    await t.exchange.order({
      orders: [{ a: SOL, b: false, p: "200", s: "1", r: false, t: { limit: { tif: "Gtc" } }, c: cloid(3) }],
      grouping: "na",
    });
    const res = await t.exchange.cancelByCloid({ cancels: [{ asset: SOL, cloid: cloid(3) }] });
    expect(res.response.data.statuses).toEqual(["success"]);
    const status = await infoClient(sim).orderStatus({ user: t.address, oid: cloid(3) });
    expect(status).toMatchObject({
      status: "order",
      order: { status: "canceled", order: { cloid: cloid(3) } },
    });
  });

  it("an ALO that would cross is rejected with the bbo it saw", async () => {
    const t = newTrader(sim);
    const r = await rejected(() =>
      t.exchange.order({
        orders: [{ a: BTC, b: true, p: "95001", s: "0.001", r: false, t: { limit: { tif: "Alo" } } }],
        grouping: "na",
      }),
    );
    expect(statusesOf(r.response)).toEqual([
      { error: "Post only order would have immediately matched, bbo was 94999@95001. asset=0" },
    ]);
    expect(r.message).toBe(
      "order 0: Post only order would have immediately matched, bbo was 94999@95001. asset=0",
    );
  });

  it("an ALO that does not cross rests", async () => {
    const t = newTrader(sim);
    const res = await t.exchange.order({
      orders: [{ a: BTC, b: true, p: "94000", s: "0.001", r: false, t: { limit: { tif: "Alo" } } }],
      grouping: "na",
    });
    expect(res.response.data.statuses[0]).toHaveProperty("resting");
  });

  it("an IOC that cannot match is rejected", async () => {
    const t = newTrader(sim);
    const r = await rejected(() =>
      t.exchange.order({
        orders: [{ a: BTC, b: true, p: "94000", s: "0.001", r: false, t: { limit: { tif: "Ioc" } } }],
        grouping: "na",
      }),
    );
    expect(statusesOf(r.response)).toEqual([
      { error: "Order could not immediately match against any resting orders. asset=0" },
    ]);
  });

  it("a reduce-only order that would increase the position is rejected", async () => {
    const t = newTrader(sim);
    const r = await rejected(() =>
      t.exchange.order({
        orders: [{ a: ETH, b: false, p: "3000", s: "0.1", r: true, t: { limit: { tif: "Ioc" } } }],
        grouping: "na",
      }),
    );
    expect(statusesOf(r.response)).toEqual([{ error: "Reduce only order would increase position. asset=1" }]);
  });

  it("prices must have at most 5 significant figures and 6 − szDecimals decimals", async () => {
    const t = newTrader(sim);
    const place = (a: number, p: string, s: string) =>
      rejected(() =>
        t.exchange.order({
          orders: [{ a, b: true, p, s, r: false, t: { limit: { tif: "Gtc" } } }],
          grouping: "na",
        }),
      );
    // 6 significant figures (BTC, szDecimals 5)
    expect(statusesOf((await place(BTC, "90000.5", "0.001")).response)).toEqual([
      { error: "Price must be divisible by tick size. asset=0" },
    ]);
    // 3 decimals where ETH (szDecimals 4) allows 2
    expect(statusesOf((await place(ETH, "3.123", "5")).response)).toEqual([
      { error: "Price must be divisible by tick size. asset=1" },
    ]);
    // An integer price is always valid, whatever its significant figures.
    const ok = await t.exchange.order({
      orders: [{ a: BTC, b: true, p: "90001", s: "0.001", r: false, t: { limit: { tif: "Gtc" } } }],
      grouping: "na",
    });
    expect(ok.response.data.statuses[0]).toHaveProperty("resting");
  });

  it("sizes must have at most szDecimals decimals, and not be zero", async () => {
    const t = newTrader(sim);
    const place = (s: string) =>
      rejected(() =>
        t.exchange.order({
          orders: [{ a: SOL, b: true, p: "150", s, r: false, t: { limit: { tif: "Gtc" } } }],
          grouping: "na",
        }),
      );
    expect(statusesOf((await place("1.001")).response)).toEqual([{ error: "Order has invalid size." }]);
    expect(statusesOf((await place("0")).response)).toEqual([{ error: "Order has zero size." }]);
  });

  it("orders below $10 are rejected, reduce-only closes of a small position are not", async () => {
    const t = newTrader(sim);
    const r = await rejected(() =>
      t.exchange.order({
        orders: [{ a: SOL, b: true, p: "191", s: "0.05", r: false, t: { limit: { tif: "Ioc" } } }],
        grouping: "na",
      }),
    );
    expect(statusesOf(r.response)).toEqual([{ error: "Order must have minimum value of $10. asset=2" }]);
    await t.exchange.order({
      orders: [{ a: SOL, b: true, p: "191", s: "0.06", r: false, t: { limit: { tif: "Ioc" } } }],
      grouping: "na",
    });
    const close = await t.exchange.order({
      orders: [{ a: SOL, b: false, p: "180", s: "0.06", r: true, t: { limit: { tif: "Ioc" } } }],
      grouping: "na",
    });
    expect(close.response.data.statuses[0]).toMatchObject({ filled: { totalSz: "0.06" } });
  });

  it("an order needing more margin than the account has is rejected", async () => {
    const t = newTrader(sim, 100);
    // 0.1 BTC ≈ $9 500 at 20x needs ≈ $475 of margin.
    const r = await rejected(() =>
      t.exchange.order({
        orders: [{ a: BTC, b: true, p: "96000", s: "0.1", r: false, t: { limit: { tif: "Ioc" } } }],
        grouping: "na",
      }),
    );
    expect(statusesOf(r.response)).toEqual([{ error: "Insufficient margin to place order. asset=0" }]);
  });

  it("per-order errors sit inside statuses[]: the filled order in a failing batch is still reported", async () => {
    const t = newTrader(sim);
    const r = await rejected(() =>
      t.exchange.order({
        orders: [
          { a: ETH, b: true, p: "3500", s: "0.01", r: false, t: { limit: { tif: "Ioc" } } },
          { a: ETH, b: true, p: "3500.05", s: "0.01", r: false, t: { limit: { tif: "Ioc" } } },
        ],
        grouping: "na",
      }),
    );
    expect(r.response).toMatchObject({ status: "ok", response: { type: "order" } });
    expect(statusesOf(r.response)).toEqual([
      { filled: { totalSz: "0.01", avgPx: "3400.1", oid: expect.any(Number) } },
      { error: "Price must be divisible by tick size. asset=1" },
    ]);
    expect(r.message).toBe("order 1: Price must be divisible by tick size. asset=1");
  });

  it("a price more than 80% away from the reference price is rejected", async () => {
    const t = newTrader(sim);
    const r = await rejected(() =>
      t.exchange.order({
        orders: [{ a: SOL, b: true, p: "350", s: "1", r: false, t: { limit: { tif: "Gtc" } } }],
        grouping: "na",
      }),
    );
    expect(statusesOf(r.response)).toEqual([
      { error: "Order price cannot be more than 80% away from the reference price" },
    ]);
  });

  it("an unknown asset id is rejected for that order only", async () => {
    const t = newTrader(sim);
    const r = await rejected(() =>
      t.exchange.order({
        orders: [{ a: 999, b: true, p: "1", s: "1", r: false, t: { limit: { tif: "Gtc" } } }],
        grouping: "na",
      }),
    );
    expect(statusesOf(r.response)).toEqual([{ error: "Asset 999 is out of range." }]);
  });
});

describe("modify and batchModify", () => {
  it("modify replaces a resting order under a new oid; modifying a dead order is an error", async () => {
    const t = newTrader(sim);
    const info = infoClient(sim);
    const placed = await t.exchange.order({
      orders: [{ a: SOL, b: true, p: "150", s: "1", r: false, t: { limit: { tif: "Gtc" } }, c: cloid(10) }],
      grouping: "na",
    });
    const oid = (placed.response.data.statuses[0] as { resting: { oid: number } }).resting.oid;
    await t.exchange.modify({
      oid,
      order: { a: SOL, b: true, p: "155", s: "2", r: false, t: { limit: { tif: "Gtc" } }, c: cloid(11) },
    });
    const open = await info.openOrders({ user: t.address });
    expect(open).toEqual([expect.objectContaining({ limitPx: "155.0", sz: "2.0", cloid: cloid(11) })]);
    expect(open[0]?.oid).not.toBe(oid);
    const r = await rejected(() =>
      t.exchange.modify({
        oid,
        order: { a: SOL, b: true, p: "156", s: "2", r: false, t: { limit: { tif: "Gtc" } } },
      }),
    );
    expect(r.response).toEqual({ status: "err", response: "Cannot modify canceled or filled order" });
  });

  it("batchModify answers one status per modification, addressed by oid or cloid", async () => {
    const t = newTrader(sim);
    await t.exchange.order({
      orders: [
        { a: SOL, b: true, p: "150", s: "1", r: false, t: { limit: { tif: "Gtc" } }, c: cloid(20) },
        { a: SOL, b: false, p: "230", s: "1", r: false, t: { limit: { tif: "Gtc" } }, c: cloid(21) },
      ],
      grouping: "na",
    });
    const res = await t.exchange.batchModify({
      modifies: [
        {
          oid: cloid(20),
          order: { a: SOL, b: true, p: "151", s: "1", r: false, t: { limit: { tif: "Gtc" } } },
        },
        {
          oid: cloid(21),
          order: { a: SOL, b: false, p: "229", s: "1", r: false, t: { limit: { tif: "Gtc" } } },
        },
      ],
    });
    expect(res.response.data.statuses).toEqual([
      { resting: { oid: expect.any(Number) } },
      { resting: { oid: expect.any(Number) } },
    ]);
    const prices = (await infoClient(sim).openOrders({ user: t.address })).map((o) => o.limitPx).sort();
    expect(prices).toEqual(["151.0", "229.0"]);
  });
});

describe("leverage and margin", () => {
  it("updateLeverage sets cross or isolated leverage up to the asset's maximum", async () => {
    const t = newTrader(sim);
    await t.exchange.updateLeverage({ asset: ETH, isCross: true, leverage: 25 });
    const r = await rejected(() => t.exchange.updateLeverage({ asset: ETH, isCross: true, leverage: 26 }));
    expect(r.response).toEqual({ status: "err", response: "Invalid leverage value" });
    await t.exchange.updateLeverage({ asset: ETH, isCross: false, leverage: 5 });
    await t.exchange.order({
      orders: [{ a: ETH, b: true, p: "3500", s: "1", r: false, t: { limit: { tif: "Ioc" } } }],
      grouping: "na",
    });
    const pos = (await infoClient(sim).clearinghouseState({ user: t.address })).assetPositions[0]?.position;
    expect(pos?.leverage).toEqual({ type: "isolated", value: 5, rawUsd: "-2720.08" }); // 680.02 margin − 3400.1
    expect(pos?.marginUsed).toBe("679.92"); // margin + unrealized PnL (mid 3400)
    const sw = await rejected(() => t.exchange.updateLeverage({ asset: ETH, isCross: true, leverage: 5 }));
    expect(sw.response).toEqual({
      status: "err",
      response: "Cannot switch leverage type with open position.",
    });
  });

  it("updateIsolatedMargin moves USDC into and out of an isolated position", async () => {
    const t = newTrader(sim);
    await t.exchange.updateLeverage({ asset: SOL, isCross: false, leverage: 10 });
    await t.exchange.order({
      orders: [{ a: SOL, b: false, p: "180", s: "10", r: false, t: { limit: { tif: "Ioc" } } }],
      grouping: "na",
    });
    const margin = async () =>
      (await infoClient(sim).clearinghouseState({ user: t.address })).assetPositions[0]?.position.leverage;
    expect(await margin()).toMatchObject({ type: "isolated", rawUsd: "2089.89" }); // margin 189.99 + 1899.9 of short proceeds
    await t.exchange.updateIsolatedMargin({ asset: SOL, isBuy: false, ntli: 100 * 1e6 });
    expect(await margin()).toMatchObject({ rawUsd: "2189.89" });
    await t.exchange.updateIsolatedMargin({ asset: SOL, isBuy: false, ntli: -50 * 1e6 });
    expect(await margin()).toMatchObject({ rawUsd: "2139.89" });
    const none = await rejected(() =>
      t.exchange.updateIsolatedMargin({ asset: BTC, isBuy: true, ntli: 1e6 }),
    );
    expect(none.response).toEqual({ status: "err", response: "Cannot update margin for empty position." });
  });
});

describe("agents", () => {
  it("an approved agent trades for its master: the position lands on the master", async () => {
    const master = newTrader(sim);
    const agentWallet = privateKeyToAccount(generatePrivateKey());
    await master.exchange.approveAgent({ agentAddress: agentWallet.address, agentName: "bot" });
    const agent = new ExchangeClient({
      transport: new HttpTransport({ apiUrl: sim.httpUrl }),
      wallet: agentWallet,
    });
    await agent.order({
      orders: [{ a: SOL, b: true, p: "200", s: "1", r: false, t: { limit: { tif: "Ioc" } } }],
      grouping: "na",
    });
    const info = infoClient(sim);
    expect((await info.clearinghouseState({ user: master.address })).assetPositions[0]?.position.szi).toBe(
      "1.0",
    );
    expect((await info.clearinghouseState({ user: agentWallet.address })).assetPositions).toEqual([]);
    expect(await info.extraAgents({ user: master.address })).toEqual([
      { address: agentWallet.address.toLowerCase(), name: "bot", validUntil: null },
    ]);
    expect(await info.userRole({ user: agentWallet.address })).toEqual({
      role: "agent",
      data: { user: master.address },
    });
  });

  it("approving a new agent under the same name replaces the old one, which can no longer trade", async () => {
    const master = newTrader(sim);
    const first = privateKeyToAccount(generatePrivateKey());
    const second = privateKeyToAccount(generatePrivateKey());
    await master.exchange.approveAgent({ agentAddress: first.address, agentName: "bot" });
    await master.exchange.approveAgent({ agentAddress: second.address, agentName: "bot" });
    const old = new ExchangeClient({ transport: new HttpTransport({ apiUrl: sim.httpUrl }), wallet: first });
    const r = await rejected(() => old.scheduleCancel());
    expect(r.response).toEqual({
      status: "err",
      response: `User or API Wallet ${first.address.toLowerCase()} does not exist.`,
    });
  });

  it("an agent cannot sign user-signed actions", async () => {
    const master = newTrader(sim);
    const agentWallet = privateKeyToAccount(generatePrivateKey());
    await master.exchange.approveAgent({ agentAddress: agentWallet.address });
    const agent = new ExchangeClient({
      transport: new HttpTransport({ apiUrl: sim.httpUrl }),
      wallet: agentWallet,
    });
    const r = await rejected(() =>
      agent.approveAgent({ agentAddress: privateKeyToAccount(generatePrivateKey()).address }),
    );
    expect(r.response).toEqual({
      status: "err",
      response: `Must deposit before performing actions. User: ${agentWallet.address.toLowerCase()}`,
    });
  });

  it("an unknown signer (or an agent nobody approved) is rejected with the exchange's message", async () => {
    const stranger = newTrader(sim, 0);
    const r = await rejected(() =>
      stranger.exchange.order({
        orders: [{ a: SOL, b: true, p: "200", s: "1", r: false, t: { limit: { tif: "Ioc" } } }],
        grouping: "na",
      }),
    );
    expect(r.response).toEqual({
      status: "err",
      response: `User or API Wallet ${stranger.address} does not exist.`,
    });
  });

  it("a testnet signature sent to a mainnet exchange recovers to someone else", async () => {
    const t = newTrader(sim, 1000, { isTestnet: true });
    const r = await rejected(() => t.exchange.scheduleCancel());
    expect(r.message).toMatch(/^User or API Wallet 0x[0-9a-f]{40} does not exist\.$/);
    expect(r.message).not.toContain(t.address);
  });
});

describe("signatures and nonces", () => {
  async function signedNoop(
    key: `0x${string}`,
    nonce: number,
    tamper?: (s: { r: string; s: string; v: number }) => void,
  ) {
    const wallet = privateKeyToAccount(key);
    const action = { type: "noop" };
    const signature = await signL1Action({ wallet, action, nonce });
    tamper?.(signature);
    return post(sim, "/exchange", { action, nonce, signature });
  }

  it("a tampered signature recovers to another address, which does not exist", async () => {
    const key = generatePrivateKey();
    sim.control.fund(privateKeyToAccount(key).address, 100);
    const res = await signedNoop(key, Date.now(), (s) => {
      s.s = `0x${(BigInt(s.s) - 1n).toString(16).padStart(64, "0")}`;
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: "err",
      response: expect.stringMatching(/^User or API Wallet 0x[0-9a-f]{40} does not exist\.$/),
    });
  });

  it("a signature that cannot be recovered at all is refused", async () => {
    const res = await signedNoop(generatePrivateKey(), Date.now(), (s) => {
      s.r = `0x${"0".repeat(64)}`;
    });
    expect(res.body).toEqual({ status: "err", response: "Unable to recover signer." });
  });

  it("a nonce is used once: the same nonce again is a duplicate", async () => {
    const t = newTrader(sim);
    const nonce = Date.now() + 5;
    await t.exchange.noop({ nonce });
    const r = await rejected(() => t.exchange.noop({ nonce }));
    expect(r.response).toEqual({ status: "err", response: `Invalid nonce: duplicate nonce ${nonce}` });
  });

  it("a nonce more than two days old, or a day ahead, is refused", async () => {
    const t = newTrader(sim);
    const old = Date.now() - 3 * 86_400_000;
    const r = await rejected(() => t.exchange.noop({ nonce: old }));
    expect(r.message).toMatch(new RegExp(`^Invalid nonce: nonce too low ${old} < \\d+$`));
    const ahead = Date.now() + 2 * 86_400_000;
    const h = await rejected(() => t.exchange.noop({ nonce: ahead }));
    expect(h.message).toMatch(new RegExp(`^Invalid nonce: nonce too high ${ahead} > \\d+$`));
  });

  it("once 20 nonces are stored, a nonce below all of them is too low", async () => {
    const t = newTrader(sim);
    const base = Date.now();
    for (let i = 1; i <= 20; i++) await t.exchange.noop({ nonce: base + i * 10 });
    const r = await rejected(() => t.exchange.noop({ nonce: base }));
    expect(r.response).toEqual({
      status: "err",
      response: `Invalid nonce: nonce too low ${base} < ${base + 10}`,
    });
    // Between stored nonces is still fine: the set is not a counter.
    await t.exchange.noop({ nonce: base + 15 });
  });

  it("an action past its expiresAfter is refused", async () => {
    const t = newTrader(sim);
    const r = await rejected(() =>
      t.exchange.noop({ nonce: Date.now() }, { expiresAfter: Date.now() - 1000 }),
    );
    expect(r.response).toEqual({ status: "err", response: "Action already expired" });
  });

  it("a body the exchange cannot deserialize is HTTP 422 (not JSON at all: axum's 400)", async () => {
    const res = await post(sim, "/exchange", { action: { type: "order", orders: "nope" }, nonce: 1 });
    expect(res.status).toBe(422);
    expect(String(res.body)).toMatch(/^Failed to deserialize the JSON body into the target type/);
    expect((await post(sim, "/exchange", "{not json")).status).toBe(400);
  });
});

describe("builders and the dead man's switch", () => {
  it("orders with a builder need the user's approval; the fee shows on the fill", async () => {
    const t = newTrader(sim);
    const builder = privateKeyToAccount(generatePrivateKey()).address.toLowerCase() as `0x${string}`;
    const order = () =>
      t.exchange.order({
        orders: [{ a: ETH, b: true, p: "3500", s: "0.1", r: false, t: { limit: { tif: "Ioc" } } }],
        grouping: "na",
        builder: { b: builder, f: 10 },
      });
    const r = await rejected(order);
    expect(r.response).toEqual({ status: "err", response: "Builder fee has not been approved." });
    await t.exchange.approveBuilderFee({ builder, maxFeeRate: "0.01%" });
    expect(await infoClient(sim).maxBuilderFee({ user: t.address, builder })).toBe(10);
    await order();
    const fill = (await infoClient(sim).userFills({ user: t.address }))[0];
    expect(fill?.builderFee).toBe("0.034001"); // 1 bp of 340.01
  });

  it("scheduleCancel cancels every open order at the time (at least 5 s ahead)", async () => {
    const t = newTrader(sim);
    const early = await rejected(() => t.exchange.scheduleCancel({ time: Date.now() + 1000 }));
    expect(early.response).toEqual({
      status: "err",
      response: "Scheduled cancel time too early, must be at least 5 seconds from now.",
    });
    await t.exchange.order({
      orders: [{ a: SOL, b: true, p: "150", s: "1", r: false, t: { limit: { tif: "Gtc" } }, c: cloid(30) }],
      grouping: "na",
    });
    await t.exchange.scheduleCancel({ time: sim.control.now() + 6000 });
    clockOffset += 7000;
    try {
      await eventually(async () => (await infoClient(sim).openOrders({ user: t.address })).length === 0);
    } finally {
      clockOffset -= 7000;
    }
    const status = await infoClient(sim).orderStatus({ user: t.address, oid: cloid(30) });
    expect(status).toMatchObject({ order: { status: "scheduledCancel" } });
  });

  it("noop only consumes the nonce", async () => {
    const t = newTrader(sim);
    expect(await t.exchange.noop({ nonce: Date.now() })).toEqual({
      status: "ok",
      response: { type: "default" },
    });
  });
});

describe("testnet signing", () => {
  it("a simulator started with testnetSigning accepts the SDK's testnet signatures and rejects mainnet ones", async () => {
    const testnet = await startSim({ tickMs: 0, testnetSigning: true });
    try {
      const ok = newTrader(testnet, 1000, { isTestnet: true });
      await ok.exchange.approveAgent({ agentAddress: privateKeyToAccount(generatePrivateKey()).address });
      await ok.exchange.scheduleCancel();
      const mainnet = newTrader(testnet, 1000);
      const r = await rejected(() => mainnet.exchange.approveAgent({ agentAddress: mainnet.address }));
      expect(r.response).toEqual({ status: "err", response: "Invalid hyperliquidChain: expected Testnet" });
    } finally {
      await testnet.close();
    }
  });
});
