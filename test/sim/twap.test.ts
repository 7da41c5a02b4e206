// TWAP orders as any client sends them: the official Python SDK's signed `twapOrder` and
// `twapCancel` (reference vectors), a raw L1 signature, and the SDK's ExchangeClient. The
// simulator's clock is a variable each test moves on by the exchange's 30 s slice interval; the
// slices run on the simulator's housekeeping, so tests wait for the condition, never a time.

import { readFileSync } from "node:fs";
import { SubscriptionClient, WebSocketTransport } from "@nktkas/hyperliquid";
import type {
  TwapStatesEvent,
  UserTwapHistoryEvent,
  UserTwapSliceFillsEvent,
} from "@nktkas/hyperliquid/api/subscription";
import { signL1Action } from "@nktkas/hyperliquid/signing";
import { privateKeyToAccount } from "viem/accounts";
import { afterEach, describe, expect, it } from "vitest";
import { type Hex, type SimHandle, startSim } from "../../src/sim/index.js";
import { eventually, infoClient, newTrader, post, type Trader } from "./helpers.js";

interface L1Vector {
  id: string;
  signerAddress: string;
  action: Record<string, unknown>;
  nonce: number;
  expected: { signature: { r: string; s: string; v: number } };
}

const vector = (id: string): L1Vector => {
  const all: L1Vector[] = JSON.parse(
    readFileSync(new URL("../fixtures/reference/signing-vectors.json", import.meta.url), "utf8"),
  ).vectors;
  const v = all.find((x) => x.id === id);
  if (!v) throw new Error(`no vector ${id}`);
  return v;
};

const SLICE_MS = 30_000;
const MARKETS = [
  { name: "BTC", szDecimals: 5, maxLeverage: 40, price: 95_000 },
  { name: "ETH", szDecimals: 4, maxLeverage: 25, price: 3_500 },
];

let sim: SimHandle | undefined;
let clock = 0;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** A simulator on a clock only the test moves (frozen prices). */
async function simAt(start: number, seed = 7): Promise<SimHandle> {
  clock = start;
  sim = await startSim({ tickMs: 0, seed, clock: () => clock, markets: MARKETS });
  return sim;
}

const twapOk = {
  status: "ok",
  response: { type: "twapOrder", data: { status: { running: { twapId: expect.any(Number) } } } },
};
const twapError = (error: string) => ({
  status: "ok",
  response: { type: "twapOrder", data: { status: { error } } },
});
const twapIdOf = (body: unknown): number =>
  (body as { response: { data: { status: { running: { twapId: number } } } } }).response.data.status.running
    .twapId;

describe("twapOrder / twapCancel signed as the official Python SDK signs them", () => {
  it("the Python SDK's twapOrder (nonce 0, null vault/expiry) runs: a slice every 30 s of the clock, fills carry the twapId", async () => {
    const s = await simAt(1_000);
    const v = vector("py/twapOrder/mainnet");
    const user = v.signerAddress.toLowerCase() as Hex;
    s.control.fund(user, 20_000);
    const res = await post(s, "/exchange", {
      action: v.action,
      nonce: v.nonce,
      signature: v.expected.signature,
      vaultAddress: null,
      expiresAfter: null,
    });
    expect(res).toEqual({ status: 200, body: twapOk });
    const twapId = twapIdOf(res.body);
    const info = infoClient(s);
    // Placed, nothing executed before the first interval has passed.
    expect(await info.userFills({ user })).toEqual([]);
    const [placed] = await info.twapHistory({ user });
    expect(placed).toEqual({
      time: 1,
      state: {
        coin: "BTC",
        user,
        side: "B",
        sz: "1.5",
        executedSz: "0.0",
        executedNtl: "0.0",
        minutes: 10,
        reduceOnly: false,
        randomize: false,
        timestamp: 1_000,
        stopPx: null,
        trigger: null,
      },
      status: { status: "activated" },
      twapId,
    });

    clock += SLICE_MS;
    const first = await eventually(async () => (await info.userFills({ user }))[0]);
    // 10 minutes = 20 slices of 1.5 / 20, each an IOC against the book.
    expect(first).toMatchObject({ coin: "BTC", side: "B", sz: "0.075", twapId, dir: "Open Long" });
    expect(await info.userTwapSliceFills({ user })).toEqual([{ fill: first, twapId }]);

    clock += 10 * 60_000;
    const history = await eventually(async () => {
      const h = await info.twapHistory({ user });
      return h.length === 2 ? h : undefined;
    });
    expect(history[1]?.status).toEqual({ status: "finished" });
    expect(history[1]?.state.executedSz).toBe("1.5");
    const fills = await info.userFills({ user });
    // 20 slices (a slice that walks two levels of the book is two fills), all of the TWAP.
    expect(new Set(fills.map((f) => f.hash)).size).toBe(20);
    expect(fills.every((f) => f.twapId === twapId)).toBe(true);
    expect(fills.reduce((sum, f) => sum + Math.round(Number(f.sz) * 1e5), 0)).toBe(150_000);
    const state = await info.clearinghouseState({ user });
    expect(state.assetPositions.map((p) => [p.position.coin, p.position.szi])).toEqual([["BTC", "1.5"]]);
    // Finished: nothing left to cancel.
    const again = await post(s, "/exchange", {
      action: { type: "twapCancel", a: 0, t: twapId },
      nonce: 2,
      signature: await signL1Action({
        wallet: privateKeyToAccount("0x0123456789012345678901234567890123456789012345678901234567890123"),
        action: { type: "twapCancel", a: 0, t: twapId },
        nonce: 2,
      }),
    });
    expect(again.body).toEqual({
      status: "ok",
      response: {
        type: "twapCancel",
        data: { status: { error: "TWAP was never placed, already canceled, or filled." } },
      },
    });
  });

  it("the Python SDK's twapCancel verifies: an unknown TWAP answers the documented error", async () => {
    const s = await simAt(1_000);
    const v = vector("py/twapCancel/mainnet");
    s.control.fund(v.signerAddress.toLowerCase() as Hex, 1_000);
    const res = await post(s, "/exchange", {
      action: v.action,
      nonce: v.nonce,
      signature: v.expected.signature,
      vaultAddress: null,
      expiresAfter: null,
    });
    expect(res).toEqual({
      status: 200,
      body: {
        status: "ok",
        response: {
          type: "twapCancel",
          data: { status: { error: "TWAP was never placed, already canceled, or filled." } },
        },
      },
    });
  });

  it("the hash follows the wire key order a, b, s, r, m, t: a client that signs another order recovers another signer", async () => {
    const s = await simAt(Date.now());
    const t = newTrader(s, 10_000);
    const nonce = clock;
    const twap = { a: 1, b: true, s: "0.1", r: false, m: 5, t: false };
    const reordered = { a: 1, b: true, r: false, s: "0.1", t: false, m: 5 };
    const action = { type: "twapOrder", twap };
    const bad = await signL1Action({
      wallet: t.wallet,
      action: { type: "twapOrder", twap: reordered },
      nonce,
    });
    const refused = await post(s, "/exchange", { action, nonce, signature: bad });
    expect(refused.body).toMatchObject({
      status: "err",
      response: expect.stringMatching(/^User or API Wallet 0x[0-9a-f]{40} does not exist\.$/),
    });
    // The same body signed in the wire order is the trader's: accepted, in any JSON key order.
    const good = await signL1Action({ wallet: t.wallet, action, nonce: nonce + 1 });
    const ok = await post(s, "/exchange", {
      nonce: nonce + 1,
      signature: good,
      action: { twap: reordered, type: "twapOrder" },
    });
    expect(ok.body).toEqual(twapOk);
  });
});

describe("twapOrder through the SDK's ExchangeClient", () => {
  it("slices fill over the TWAP's time, the info endpoints report it, twapCancel stops it", async () => {
    const s = await simAt(Date.now());
    const t = newTrader(s, 10_000);
    const info = infoClient(s);
    const placed = await t.exchange.twapOrder({ twap: { a: 1, b: false, s: "1", r: false, m: 5, t: false } });
    const twapId = placed.response.data.status.running.twapId;
    const start = clock;

    // 5 minutes = 10 slices of 0.1 ETH: three intervals, three sells.
    clock += 3 * SLICE_MS;
    const fills = await eventually(async () => {
      const f = await info.userFills({ user: t.address });
      return f.length === 3 ? f : undefined;
    });
    expect(fills.map((f) => [f.coin, f.side, f.sz, f.twapId])).toEqual([
      ["ETH", "A", "0.1", twapId],
      ["ETH", "A", "0.1", twapId],
      ["ETH", "A", "0.1", twapId],
    ]);
    const slices = await info.userTwapSliceFills({ user: t.address });
    expect(slices.map((x) => x.twapId)).toEqual([twapId, twapId, twapId]);
    expect(slices.map((x) => x.fill)).toEqual(fills);
    const byTime = await info.userTwapSliceFillsByTime({ user: t.address, startTime: start });
    expect(byTime.map((x) => x.fill)).toEqual([...fills].reverse());
    expect(await info.userTwapSliceFillsByTime({ user: t.address, startTime: clock + 1 })).toEqual([]);
    const web = await info.webData2({ user: t.address });
    expect(web.twapStates).toEqual([
      [twapId, expect.objectContaining({ coin: "ETH", side: "A", sz: "1.0", executedSz: "0.3" })],
    ]);

    const cancelled = await t.exchange.twapCancel({ a: 1, t: twapId });
    expect(cancelled).toEqual({
      status: "ok",
      response: { type: "twapCancel", data: { status: "success" } },
    });
    const history = await info.twapHistory({ user: t.address });
    expect(history.map((h) => [h.twapId, h.status, h.state.executedSz])).toEqual([
      [twapId, { status: "activated" }, "0.0"],
      [twapId, { status: "terminated" }, "0.3"],
    ]);
    expect((await info.webData2({ user: t.address })).twapStates).toEqual([]);

    // The rest of its time passes: no slice runs. A fresh order after it shows housekeeping ran.
    clock += 10 * SLICE_MS;
    const next = await t.exchange.twapOrder({ twap: { a: 1, b: true, s: "0.1", r: true, m: 5, t: false } });
    clock += SLICE_MS;
    await eventually(async () => (await info.userFills({ user: t.address })).length === 4);
    const after = await info.userFills({ user: t.address });
    expect(after[0]).toMatchObject({
      side: "B",
      sz: "0.01",
      twapId: next.response.data.status.running.twapId,
      dir: "Close Short",
    });
    const position = (await info.clearinghouseState({ user: t.address })).assetPositions[0]?.position.szi;
    expect(position).toBe("-0.29");

    // Cancelled (or another asset's id): the documented error, inside an "ok" reply.
    const twice = await post(s, "/exchange", await signed(t, { type: "twapCancel", a: 1, t: twapId }));
    expect(twice.body).toEqual({
      status: "ok",
      response: {
        type: "twapCancel",
        data: { status: { error: "TWAP was never placed, already canceled, or filled." } },
      },
    });
  });

  it("a sub-account's TWAP (vaultAddress), signed by its master: the slices trade the sub-account", async () => {
    const s = await simAt(Date.now());
    const master = newTrader(s, 10_000);
    const info = infoClient(s);
    const sub = (await master.exchange.createSubAccount({ name: "twap" })).response.data;
    await master.exchange.subAccountTransfer({ subAccountUser: sub, isDeposit: true, usd: 2_000 * 1e6 });
    const placed = await master.exchange.twapOrder(
      { twap: { a: 1, b: true, s: "0.2", r: false, m: 5, t: false } },
      { vaultAddress: sub },
    );
    const twapId = placed.response.data.status.running.twapId;
    clock += SLICE_MS;
    const [fill] = await eventually(async () => {
      const f = await info.userFills({ user: sub });
      return f.length > 0 ? f : undefined;
    });
    expect(fill).toMatchObject({ coin: "ETH", side: "B", sz: "0.02", twapId });
    expect(await info.userFills({ user: master.address })).toEqual([]);
    expect((await info.twapHistory({ user: sub })).map((h) => h.state.user)).toEqual([sub]);
    const cancelled = await master.exchange.twapCancel({ a: 1, t: twapId }, { vaultAddress: sub });
    expect(cancelled.response.data.status).toBe("success");
  });

  it("the websocket streams: userTwapSliceFills, userTwapHistory and twapStates, snapshot then live", async () => {
    const s = await simAt(Date.now());
    const t = newTrader(s, 10_000);
    const transport = new WebSocketTransport({ url: s.wsUrl });
    const slices: UserTwapSliceFillsEvent[] = [];
    const history: UserTwapHistoryEvent[] = [];
    const states: TwapStatesEvent[] = [];
    try {
      const subs = new SubscriptionClient({ transport });
      await subs.userTwapSliceFills({ user: t.address }, (e) => slices.push(e));
      await subs.userTwapHistory({ user: t.address }, (e) => history.push(e));
      await subs.twapStates({ user: t.address }, (e) => states.push(e));
      await eventually(() => slices.length === 1 && history.length === 1 && states.length === 1);
      expect(states[0]).toEqual({ dex: "", user: t.address, states: [] });
      expect(slices[0]).toEqual({ isSnapshot: true, user: t.address, twapSliceFills: [] });
      expect(history[0]).toEqual({ isSnapshot: true, user: t.address, history: [] });

      const placed = await t.exchange.twapOrder({
        twap: { a: 0, b: true, s: "0.01", r: false, m: 5, t: false },
      });
      const twapId = placed.response.data.status.running.twapId;
      await eventually(() => history.length === 2);
      expect(history[1]?.history.map((h) => [h.twapId, h.status])).toEqual([
        [twapId, { status: "activated" }],
      ]);
      clock += SLICE_MS;
      await eventually(() => slices.length === 2);
      expect(slices[1]?.twapSliceFills).toEqual([
        { fill: expect.objectContaining({ coin: "BTC", sz: "0.001", twapId }), twapId },
      ]);
    } finally {
      await transport.close();
    }
  });
});

/** A raw L1-signed body, as a client without the SDK's schema (no client-side bounds) sends it. */
async function signed(t: Trader, action: Record<string, unknown>): Promise<Record<string, unknown>> {
  lastNonce = Math.max(lastNonce + 1, clock);
  const nonce = lastNonce;
  return { action, nonce, signature: await signL1Action({ wallet: t.wallet, action, nonce }) };
}
let lastNonce = 0;

describe("twapOrder errors, in the reply's status as the exchange sends them", () => {
  const twap = (over: Record<string, unknown>) => ({
    type: "twapOrder",
    twap: { a: 1, b: true, s: "0.1", r: false, m: 5, t: false, ...over },
  });

  it("unknown asset, duration out of range, bad size, value under the minimum, reduce-only with nothing to reduce", async () => {
    const s = await simAt(Date.now());
    const t = newTrader(s, 10_000);
    const cases: [Record<string, unknown>, string][] = [
      [twap({ a: 99 }), "Asset 99 is out of range."],
      [twap({ m: 1 }), "Invalid TWAP duration: 1 min(s)"],
      [twap({ m: 1441 }), "Invalid TWAP duration: 1441 min(s)"],
      [twap({ s: "0.00001" }), "Order has invalid size."],
      [twap({ s: "0" }), "Order has zero size."],
      // 0.02 ETH ≈ $70 over 5 minutes: the $100 floor.
      [twap({ s: "0.02" }), "TWAP order value too small. Min is $100."],
      // 0.2 ETH ≈ $700 over 2 hours: $10 a minute.
      [twap({ s: "0.2", m: 120 }), "TWAP order value too small. Min is $1200, which is $10 per minute."],
      [twap({ r: true }), "Reduce-only TWAP order would increase position."],
      [
        { ...twap({}), details: { t: { p: "3000", a: false }, s: null } },
        "TWAP trigger and stop prices are not supported by the simulator.",
      ],
    ];
    for (const [action, error] of cases) {
      const res = await post(s, "/exchange", await signed(t, action));
      expect([action, res]).toEqual([action, { status: 200, body: twapError(error) }]);
    }
    // None of them became a TWAP.
    expect(await infoClient(s).twapHistory({ user: t.address })).toEqual([]);
    // A duration that is not an integer is undeserializable, as any integer field.
    const res = await post(s, "/exchange", await signed(t, twap({ m: "5" })));
    expect(res.status).toBe(422);
  });

  it("a slice the account cannot margin stops the TWAP with that error in twapHistory", async () => {
    const s = await simAt(Date.now());
    const t = newTrader(s, 200);
    const info = infoClient(s);
    // 40 ETH ≈ $140 000 over 5 minutes: 4 ETH a slice, more than $200 carries at any leverage here.
    const placed = await t.exchange.twapOrder({ twap: { a: 1, b: true, s: "40", r: false, m: 5, t: false } });
    const twapId = placed.response.data.status.running.twapId;
    clock += SLICE_MS;
    const history = await eventually(async () => {
      const h = await info.twapHistory({ user: t.address });
      return h.length === 2 ? h : undefined;
    });
    expect(history[1]).toMatchObject({
      twapId,
      status: { status: "error", description: "Insufficient margin to place order." },
    });
    expect(await info.userFills({ user: t.address })).toEqual([]);
  });
});

describe("randomize", () => {
  /** The slice sizes of a randomized 5-minute TWAP of 1 ETH under `seed`. */
  async function sizes(seed: number, start: number): Promise<string[]> {
    const s = await simAt(start, seed);
    const t = newTrader(s, 10_000);
    await t.exchange.twapOrder({ twap: { a: 1, b: true, s: "1", r: false, m: 5, t: true } });
    clock += 5 * 60_000;
    await eventually(async () => (await infoClient(s).twapHistory({ user: t.address })).length === 2);
    const fills = await infoClient(s).userFills({ user: t.address });
    await s.close();
    return fills.map((f) => f.sz).reverse();
  }

  it("spreads the size unevenly, the same way under the same seed (any start time), and still executes all of it", async () => {
    const start = Date.now();
    const a = await sizes(11, start);
    const b = await sizes(11, start + 3_600_000);
    expect(a).toEqual(b);
    expect(new Set(a).size).toBeGreaterThan(1);
    expect(a.reduce((sum, x) => sum + Math.round(Number(x) * 1e4), 0)).toBe(1e4);
  });
});
