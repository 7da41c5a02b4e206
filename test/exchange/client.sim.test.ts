// The exchange client against the in-process simulator, over real HTTP with real signatures.

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { OperationalError, RateLimitError, UncertainOutcomeError } from "../../src/core/errors.js";
import type { Markets } from "../../src/core/types.js";
import {
  type BudgetEvent,
  createExchangeClient,
  type HlClient,
  type OrderReplyInfo,
  RequestBudget,
} from "../../src/exchange/index.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { type Account, action, fundedAccount, masterWithAgent } from "./helpers.js";

let sim: SimHandle;

beforeAll(async () => {
  sim = await startSim({ seed: 7, tickMs: 0 });
});
afterAll(async () => {
  await sim.close();
});
afterEach(() => {
  sim.control.reset();
});

interface Setup {
  master: Account;
  client: HlClient;
  markets: Markets;
  events: BudgetEvent[];
}

async function setup(
  opts: {
    timeoutMs?: number;
    orderTtlMs?: number;
    unpaced?: boolean;
    onOrderReply?: (info: OrderReplyInfo) => void;
  } = {},
): Promise<Setup> {
  const { master, agentKey } = await masterWithAgent(sim);
  const events: BudgetEvent[] = [];
  const budget = new RequestBudget({
    // The simulator has no rate limit: `unpaced` lifts ours for bulk set-ups.
    ...(opts.unpaced ? { limitPerMinute: 1e9, burst: 1e6 } : {}),
    initialBackoffMs: 20,
    maxBackoffMs: 100,
    onEvent: (e) => events.push(e),
  });
  const client = createExchangeClient({
    httpUrl: sim.httpUrl,
    wsUrl: sim.wsUrl,
    isTestnet: false,
    agentKey,
    account: master.address,
    budget,
    timeoutMs: opts.timeoutMs ?? 5_000,
    orderTtlMs: opts.orderTtlMs ?? 1_000,
    clockSkewMs: 100,
    ...(opts.onOrderReply ? { onOrderReply: opts.onOrderReply } : {}),
  });
  const markets = await client.getMarkets();
  return { master, client, markets, events };
}

const ordersOf = (s: Setup, cloid: string) =>
  sim.control.orderHistory(s.master.address).filter((o) => o.cloid === cloid.toLowerCase());

describe("reads", () => {
  it("markets: asset ids from meta, mids from allMids, meta cached between calls", async () => {
    const s = await setup();
    expect(s.markets.BTC).toEqual({
      coin: "BTC",
      assetId: 0,
      szDecimals: 5,
      maxLeverage: 40,
      mid: sim.control.mid("BTC"),
    });
    expect(s.markets.ETH?.assetId).toBe(1);
    expect(s.markets.SUI?.assetId).toBe(10);
    sim.control.reset();
    sim.control.setMid("ETH", 3_000);
    const again = await s.client.getMarkets();
    expect(again.ETH?.mid).toBe(3_000);
    expect(sim.control.stats().infoByType).toEqual({ allMids: 1 });
    await s.client.getMarkets({ refreshMeta: true });
    expect(sim.control.stats().infoByType).toEqual({ allMids: 2, meta: 1 });
  });

  it("top of book from l2Book", async () => {
    const s = await setup();
    const top = await s.client.getTopOfBook("ETH");
    expect(top.bestBid).toBeLessThan(s.markets.ETH?.mid ?? 0);
    expect(top.bestAsk).toBeGreaterThan(s.markets.ETH?.mid ?? 0);
  });

  it("account state: signed sizes, entry, leverage, account value, open orders with cloid and reduce-only", async () => {
    const s = await setup();
    const [r1, r2] = await s.client.placeOrders(
      [action(s.markets, "ETH", "buy", 0.5), action(s.markets, "SOL", "sell", 10)],
      s.markets,
    );
    expect([r1?.status, r2?.status]).toEqual(["filled", "filled"]);
    // A resting reduce-only order with a cloid, placed with the SDK directly.
    const restingCloid = "0xf0000000000000000000000000000001";
    await s.master.sdk.order({
      orders: [
        { a: 1, b: false, p: "4000", s: "0.1", r: true, t: { limit: { tif: "Gtc" } }, c: restingCloid },
      ],
      grouping: "na",
    });
    const state = await s.client.getAccountState(s.master.address);
    expect(state.address).toBe(s.master.address);
    expect(state.positions.ETH).toMatchObject({ coin: "ETH", size: 0.5 });
    expect(state.positions.SOL).toMatchObject({ coin: "SOL", size: -10 });
    expect(state.positions.ETH?.entryPx).toBeCloseTo(r1?.avgPx ?? 0, 6);
    expect(state.positions.ETH?.leverage).toBeGreaterThan(0);
    expect(state.accountValue).toBeGreaterThan(99_000);
    expect(state.accountValue).toBeLessThan(100_000);
    expect(state.time).toBeGreaterThan(0);
    expect(state.openOrders).toEqual([
      {
        coin: "ETH",
        oid: expect.any(Number),
        cloid: restingCloid,
        side: "sell",
        size: 0.1,
        limitPx: 4000,
        reduceOnly: true,
      },
    ]);
  });

  it("ledger: deposits and withdrawals as plain cash flows", async () => {
    const s = await setup();
    const t0 = sim.control.now();
    sim.control.fund(s.master.address, 500);
    sim.control.fund(s.master.address, -200);
    const flows = await s.client.getLedgerUpdates(s.master.address, t0);
    expect(flows.map((f) => f.usd)).toEqual([500, -200]);
    const all = await s.client.getLedgerUpdates(s.master.address, 0);
    expect(all.map((f) => f.usd)).toEqual([100_000, 500, -200]);
  });

  it("fills by time, with cloids, oldest first", async () => {
    const s = await setup();
    const a = action(s.markets, "ETH", "buy", 0.2);
    const b = action(s.markets, "ETH", "sell", 0.2, { reduceOnly: true });
    await s.client.placeOrders([a], s.markets);
    await s.client.placeOrders([b], s.markets);
    const fills = await s.client.getFillsByTime(s.master.address, 0);
    expect(fills.map((f) => [f.cloid, f.side])).toEqual([
      [a.cloid, "buy"],
      [b.cloid, "sell"],
    ]);
    expect(fills[1]?.startPosition).toBe(0.2);
  });
});

describe("pagination", () => {
  it("fills beyond one page (2000) are fetched page by page, each once", async () => {
    const s = await setup({ unpaced: true });
    const batch = (n: number) =>
      Array.from({ length: n }, (_, i) => action(s.markets, "ETH", i % 2 ? "sell" : "buy", 0.01));
    for (let i = 0; i < 11; i++) {
      const results = await s.client.placeOrders(batch(200), s.markets);
      expect(results.every((r) => r.status === "filled")).toBe(true);
    }
    sim.control.reset();
    const fills = await s.client.getFillsByTime(s.master.address, 0);
    expect(fills).toHaveLength(2200);
    expect(new Set(fills.map((f) => f.tid)).size).toBe(2200);
    expect(sim.control.stats().infoByType.userFillsByTime).toBe(2);
  });
});

describe("placeOrders", () => {
  it("sends ONE order request and no /info request (the hot path), signed by the agent for the master", async () => {
    const s = await setup();
    sim.control.reset();
    const results = await s.client.placeOrders(
      [action(s.markets, "BTC", "buy", 0.01), action(s.markets, "ETH", "buy", 0.1)],
      s.markets,
    );
    expect(results.map((r) => r.status)).toEqual(["filled", "filled"]);
    const stats = sim.control.stats();
    expect(stats.requests).toMatchObject({ info: 0, exchange: 1 });
    expect(stats.actionByType).toEqual({ order: 1 });
    expect(sim.control.orderHistory(s.master.address).map((o) => o.tif)).toEqual(["Ioc", "Ioc"]);
  });

  it("a batch with one rejected and one filled order: the filled one is reported filled, not failed", async () => {
    const s = await setup();
    const tooSmall = action(s.markets, "ETH", "buy", 0.001); // ~$3.4 < $10
    const good = action(s.markets, "SOL", "buy", 1);
    const results = await s.client.placeOrders([tooSmall, good], s.markets);
    expect(results[0]).toMatchObject({
      cloid: tooSmall.cloid,
      status: "rejected",
      filledSize: 0,
      avgPx: null,
    });
    expect(results[0]?.error).toMatch(/^Order must have minimum value of \$10/);
    expect(results[1]).toMatchObject({ cloid: good.cloid, status: "filled", filledSize: 1 });
    expect(results[1]?.avgPx).toBeGreaterThan(0);
    const state = await s.client.getAccountState(s.master.address);
    expect(state.positions.SOL?.size).toBe(1);
  });

  it("an injected rejection keeps the exchange's message; the rest of the batch still fills", async () => {
    const s = await setup();
    sim.control.fault({ kind: "rejectOrders", count: 1, message: "Insufficient margin to place order." });
    const results = await s.client.placeOrders(
      [action(s.markets, "ETH", "buy", 0.1), action(s.markets, "BTC", "buy", 0.001)],
      s.markets,
    );
    expect(results.map((r) => [r.status, r.error])).toEqual([
      ["rejected", "Insufficient margin to place order."],
      ["filled", undefined],
    ]);
  });

  it("a partial IOC fill is 'partial' with the filled size", async () => {
    const s = await setup();
    sim.control.fault({ kind: "partialFill", count: 1, fraction: 0.4 });
    const [r] = await s.client.placeOrders([action(s.markets, "SOL", "buy", 5)], s.markets);
    expect(r).toMatchObject({ status: "partial", filledSize: 2 });
  });

  it("an action that cannot be sent is rejected locally; the others still go", async () => {
    const s = await setup();
    const unknown = { ...action(s.markets, "ETH", "buy", 0.1), coin: "NOPE" };
    const dust = action(s.markets, "ETH", "buy", 0.00001); // below one lot (4 decimals)
    const good = action(s.markets, "ETH", "buy", 0.1);
    const twin = { ...good, side: "sell" as const };
    const results = await s.client.placeOrders([unknown, dust, good, twin], s.markets);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected", "filled", "rejected"]);
    expect(results[3]?.error).toBe("not sent: duplicate cloid in the batch");
    expect(results[0]?.error).toBe("not sent: unknown market NOPE");
    expect(sim.control.orderHistory(s.master.address)).toHaveLength(1);
  });

  it("HTTP 500 after executing → 'uncertain', resolved by cloid to 'filled'; exactly one order exists", async () => {
    const s = await setup();
    const a = action(s.markets, "ETH", "buy", 0.3);
    sim.control.fault({ kind: "http500", count: 1, stage: "after", endpoint: "exchange" });
    const results = await s.client.placeOrders([a], s.markets);
    expect(results[0]).toMatchObject({ cloid: a.cloid, status: "uncertain" });
    const [resolved] = await s.client.resolveUncertain(results);
    expect(resolved).toMatchObject({ cloid: a.cloid, status: "filled", filledSize: 0.3 });
    expect(resolved?.avgPx).toBeGreaterThan(0);
    expect(resolved?.oid).toBeTypeOf("number");
    expect(ordersOf(s, a.cloid)).toHaveLength(1);
    expect(sim.control.stats().actionByType.order).toBe(1);
  });

  it("a timeout whose order lands later: still uncertain until found, never re-sent", async () => {
    const s = await setup({ timeoutMs: 150, orderTtlMs: 2_000 });
    const a = action(s.markets, "ETH", "sell", 0.2);
    sim.control.fault({ kind: "latency", ms: 400 });
    const results = await s.client.placeOrders([a], s.markets);
    sim.control.fault({ kind: "latency", ms: 0 });
    expect(results[0]?.status).toBe("uncertain");
    expect(results[0]?.error).toMatch(/timed out/);
    const [resolved] = await s.client.resolveUncertain(results);
    expect(resolved).toMatchObject({ status: "filled", filledSize: 0.2 });
    expect(ordersOf(s, a.cloid)).toHaveLength(1);
  });

  it("HTTP 500 before executing → uncertain, then 'rejected' (never placed) once its expiry has passed", async () => {
    const sent: OrderReplyInfo[] = [];
    const s = await setup({ orderTtlMs: 300, onOrderReply: (info) => sent.push(info) });
    const a = action(s.markets, "ETH", "buy", 0.1);
    sim.control.fault({ kind: "http500", count: 1, stage: "before", endpoint: "exchange" });
    const results = await s.client.placeOrders([a], s.markets);
    expect(results[0]?.status).toBe("uncertain");
    const [resolved] = await s.client.resolveUncertain(results);
    // Said never placed only once it could no longer be: past its expiry and the clock skew
    // allowed (100 ms). Judged by the order's own expiry: on a busy machine placeOrders alone
    // may take most of the 300 ms, and "250 ms after it returned" failed though nothing was wrong.
    expect(Date.now()).toBeGreaterThanOrEqual((sent[0]?.expiresAfter ?? Number.POSITIVE_INFINITY) + 100);
    expect(resolved).toMatchObject({ status: "rejected", filledSize: 0 });
    expect(resolved?.error).toMatch(/never reached the exchange/);
    expect(ordersOf(s, a.cloid)).toHaveLength(0);
  });

  it("lookups that keep failing: UncertainOutcomeError with what is known; later resolution still works", async () => {
    const s = await setup();
    const a = action(s.markets, "ETH", "buy", 0.1);
    const b = action(s.markets, "SOL", "buy", 1);
    const results = await s.client.placeOrders([a, b], s.markets);
    const mixed = [
      { ...results[0], status: "uncertain" as const, cloid: a.cloid, filledSize: 0, avgPx: null },
      results[1],
    ];
    sim.control.fault({ kind: "http500", count: 1_000, stage: "before", endpoint: "info" });
    const error = await s.client
      .resolveUncertain(
        mixed.filter((r) => r !== undefined),
        { maxFailures: 3, initialDelayMs: 5 },
      )
      .catch((e) => e);
    expect(error).toBeInstanceOf(UncertainOutcomeError);
    expect(error.details.uncertain).toEqual([a.cloid]);
    expect(error.details.results[1]).toMatchObject({ cloid: b.cloid, status: "filled" });
    sim.control.reset();
    const [resolved] = await s.client.resolveUncertain(mixed.filter((r) => r !== undefined));
    expect(resolved).toMatchObject({ cloid: a.cloid, status: "filled", filledSize: 0.1 });
    expect(ordersOf(s, a.cloid)).toHaveLength(1);
  });

  it("HTTP 429 → RateLimitError (nothing executed), and the budget backs off and says so", async () => {
    const s = await setup();
    sim.control.fault({ kind: "http429", count: 1, endpoint: "exchange" });
    const error = await s.client
      .placeOrders([action(s.markets, "ETH", "buy", 0.1)], s.markets)
      .catch((e) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.details.trade).toHaveLength(1);
    expect(sim.control.orderHistory(s.master.address)).toHaveLength(0);
    expect(s.events.filter((e) => e.type === "rateLimited")).toHaveLength(1);
    // The next order waits out the backoff, then goes.
    const [r] = await s.client.placeOrders([action(s.markets, "ETH", "buy", 0.1)], s.markets);
    expect(r?.status).toBe("filled");
    expect(s.events.map((e) => e.type)).toContain("recovered");
  });

  it("a batch still waiting out a 429 backoff when the run stops is not sent at all", async () => {
    const s = await setup();
    sim.control.reset();
    sim.control.fault({ kind: "http429", count: 1, endpoint: "exchange" });
    await s.client.placeOrders([action(s.markets, "ETH", "buy", 0.1)], s.markets).catch(() => {});
    // The budget now holds every request back; this batch waits behind it.
    const stop = new AbortController();
    const waiting = s.client.placeOrders([action(s.markets, "ETH", "buy", 0.1)], s.markets, {
      signal: stop.signal,
    });
    stop.abort();
    const [r] = await waiting;
    expect(r).toMatchObject({ status: "rejected", error: "not sent: the run is stopping" });
    expect(sim.control.orderHistory(s.master.address)).toHaveLength(0);
    expect(sim.control.stats().requests.exchange).toBe(1); // only the refused one
  });

  it("a cancel still waiting out a 429 backoff when the run stops is not sent: not-sent, not uncertain", async () => {
    // Until 2026-12-06 it was "uncertain" (with the error "not sent: the run is stopping"): a
    // cancel never sent is known not to have happened, as an order batch kept unsent is.
    const s = await setup();
    sim.control.reset();
    const [rest] = await s.client.placeOrders(
      [{ ...action(s.markets, "ETH", "buy", 0.1, { slipBps: -200 }), passive: true }],
      s.markets,
    );
    expect(rest?.status).toBe("resting");
    sim.control.fault({ kind: "http429", count: 1, endpoint: "exchange" });
    await s.client.placeOrders([action(s.markets, "ETH", "buy", 0.1)], s.markets).catch(() => {});
    const before = sim.control.stats().requests.exchange;
    const stop = new AbortController();
    const waiting = s.client.cancelOrders([{ coin: "ETH", oid: rest?.oid ?? 0 }], s.markets, {
      signal: stop.signal,
    });
    stop.abort();
    expect(await waiting).toEqual([
      { oid: rest?.oid, status: "not-sent", error: "not sent: the run is stopping" },
    ]);
    expect(sim.control.stats().requests.exchange).toBe(before);
    expect(sim.control.orderHistory(s.master.address).find((o) => o.oid === rest?.oid)?.status).toBe("open");
  });

  it("an /info 429 is retried after the backoff; the read succeeds", async () => {
    const s = await setup();
    sim.control.fault({ kind: "http429", count: 2, endpoint: "info" });
    const state = await s.client.getAccountState(s.master.address);
    expect(state.accountValue).toBe(100_000);
    expect(s.events.filter((e) => e.type === "rateLimited").length).toBeGreaterThanOrEqual(1);
  });

  it("concurrent batches get distinct, increasing nonces and all execute", async () => {
    const s = await setup();
    const batches = Array.from({ length: 8 }, (_, i) => [
      action(s.markets, "ETH", i % 2 ? "sell" : "buy", 0.05),
    ]);
    const all = await Promise.all(batches.map((b) => s.client.placeOrders(b, s.markets)));
    expect(all.flat().map((r) => r.status)).toEqual(Array(8).fill("filled"));
  });

  it("an agent the account never approved → OperationalError naming what to do", async () => {
    const master = fundedAccount(sim);
    const client = createExchangeClient({
      httpUrl: sim.httpUrl,
      wsUrl: sim.wsUrl,
      isTestnet: false,
      agentKey: `0x${"42".repeat(32)}`,
      account: master.address,
    });
    const markets = await client.getMarkets();
    const error = await client.placeOrders([action(markets, "ETH", "buy", 0.1)], markets).catch((e) => e);
    expect(error).toBeInstanceOf(OperationalError);
    expect(error.message).toMatch(/does not exist/);
    expect(error.hint).toMatch(/approve the agent/);
  });

  it("without an agent key the client only reads", async () => {
    const client = createExchangeClient({
      httpUrl: sim.httpUrl,
      wsUrl: sim.wsUrl,
      isTestnet: false,
      account: fundedAccount(sim).address,
    });
    const markets = await client.getMarkets();
    await expect(client.placeOrders([action(markets, "ETH", "buy", 0.1)], markets)).rejects.toBeInstanceOf(
      OperationalError,
    );
  });

  it("lookupOrderByCloid: not found, then found after the order", async () => {
    const s = await setup();
    const a = action(s.markets, "ETH", "buy", 0.1);
    expect(await s.client.lookupOrderByCloid(s.master.address, a.cloid)).toEqual({ found: false });
    await s.client.placeOrders([a], s.markets);
    const found = await s.client.lookupOrderByCloid(s.master.address, a.cloid);
    expect(found).toMatchObject({ found: true, status: "filled", filledSize: 0.1 });
  });
});
