// GET /ws through the SDK's WebSocketTransport and SubscriptionClient: every subscription acks
// and streams in the SDK's shapes, `post` carries info and actions, ping gets pong, idle
// sockets are closed, and after dropWs the SDK's own transport reconnects and resubscribes.

import {
  ExchangeClient,
  HttpTransport,
  InfoClient,
  SubscriptionClient,
  WebSocketTransport,
} from "@nktkas/hyperliquid";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { cloid, eventually, newTrader, rejected, statusesOf } from "./helpers.js";

let sim: SimHandle;
const transports: WebSocketTransport[] = [];

beforeAll(async () => {
  sim = await startSim({ tickMs: 0, seed: 5 });
});
afterEach(() => {
  for (const t of transports.splice(0)) t.close();
});
afterAll(() => sim.close());

function subscriptions(): { client: SubscriptionClient; transport: WebSocketTransport } {
  const transport = new WebSocketTransport({ url: sim.wsUrl });
  transports.push(transport);
  return { client: new SubscriptionClient({ transport }), transport };
}

/** Collects a subscription's events; `next` waits for the first one matching `pred`. */
function collector<T>() {
  const events: T[] = [];
  return {
    events,
    listener: (e: T) => {
      events.push(e);
    },
    next: (pred: (e: T) => boolean = () => true, ms = 3000) => eventually(() => events.find(pred), ms),
  };
}

describe("subscriptions", () => {
  it("allMids: a snapshot, then the new mids when a price moves", async () => {
    const { client } = subscriptions();
    const c = collector<{ mids: Record<string, string> }>();
    await client.allMids(c.listener);
    expect((await c.next()).mids.BTC).toBe("95000.0");
    sim.control.setMid("BTC", 96000);
    expect((await c.next((e) => e.mids.BTC === "96000.0")).mids.ETH).toBe("3400.0");
    sim.control.setMid("BTC", 95000);
  });

  it("l2Book and bbo: a snapshot, then updates when an order improves the top of the book", async () => {
    const { client } = subscriptions();
    const book = collector<{ coin: string; levels: [{ px: string }[], { px: string }[]] }>();
    const bbo = collector<{ coin: string; bbo: [{ px: string } | null, { px: string } | null] }>();
    await client.l2Book({ coin: "SOL" }, book.listener);
    await client.bbo({ coin: "SOL" }, bbo.listener);
    expect((await book.next()).levels[0][0]?.px).toBe("189.99");
    expect((await bbo.next()).bbo[1]?.px).toBe("190.01");
    const t = newTrader(sim);
    await t.exchange.order({
      orders: [{ a: 2, b: true, p: "190", s: "1", r: false, t: { limit: { tif: "Gtc" } } }],
      grouping: "na",
    });
    await book.next((e) => e.levels[0][0]?.px === "190.0");
    await bbo.next((e) => e.bbo[0]?.px === "190.0");
  });

  it("trades, userFills (snapshot first), orderUpdates and userEvents follow a user's order", async () => {
    const t = newTrader(sim);
    await t.exchange.order({
      orders: [{ a: 1, b: true, p: "3500", s: "0.1", r: false, t: { limit: { tif: "Ioc" } } }],
      grouping: "na",
    });
    const { client } = subscriptions();
    const trades = collector<{ coin: string; px: string }[]>();
    const fills = collector<{ user: string; fills: { coin: string; dir: string }[]; isSnapshot?: true }>();
    const updates = collector<{ order: { oid: number; cloid?: string }; status: string }[]>();
    const events = collector<Record<string, unknown>>();
    await client.trades({ coin: "ETH" }, trades.listener);
    await client.userFills({ user: t.address }, fills.listener);
    await client.orderUpdates({ user: t.address }, updates.listener);
    await client.userEvents({ user: t.address }, events.listener);

    const snapshot = await fills.next();
    expect(snapshot).toMatchObject({
      isSnapshot: true,
      user: t.address,
      fills: [{ coin: "ETH", dir: "Open Long" }],
    });

    await t.exchange.order({
      orders: [{ a: 1, b: false, p: "3300", s: "0.1", r: true, t: { limit: { tif: "Ioc" } }, c: cloid(7) }],
      grouping: "na",
    });
    const live = await fills.next((e) => !e.isSnapshot);
    expect(live).toEqual({
      user: t.address,
      fills: [expect.objectContaining({ coin: "ETH", dir: "Close Long" })],
    });
    expect(await updates.next()).toEqual([
      expect.objectContaining({ status: "filled", order: expect.objectContaining({ cloid: cloid(7) }) }),
    ]);
    expect(await events.next((e) => "fills" in e)).toMatchObject({
      fills: [{ coin: "ETH", dir: "Close Long" }],
    });
    expect((await trades.next((e) => e[0]?.px === "3399.9"))[0]).toMatchObject({ coin: "ETH", side: "A" });

    sim.control.runFunding(); // no position left: no funding event for this user
    await t.exchange.order({
      orders: [{ a: 1, b: true, p: "3000", s: "0.1", r: false, t: { limit: { tif: "Gtc" } } }],
      grouping: "na",
    });
    expect((await updates.next((u) => u[0]?.status === "open"))[0]?.order.oid).toBeGreaterThan(0);
  });

  it("userEvents carries funding; clearinghouseState streams the account after each change", async () => {
    const t = newTrader(sim, 5000);
    const { client } = subscriptions();
    const events = collector<Record<string, unknown>>();
    const states = collector<{
      dex: string;
      user: string;
      clearinghouseState: { assetPositions: unknown[] };
    }>();
    await client.userEvents({ user: t.address }, events.listener);
    await client.clearinghouseState({ user: t.address }, states.listener);
    expect(await states.next()).toMatchObject({
      dex: "",
      user: t.address,
      clearinghouseState: { assetPositions: [] },
    });
    await t.exchange.order({
      orders: [{ a: 0, b: true, p: "96000", s: "0.01", r: false, t: { limit: { tif: "Ioc" } } }],
      grouping: "na",
    });
    await states.next((e) => e.clearinghouseState.assetPositions.length === 1);
    sim.control.runFunding();
    expect(await events.next((e) => "funding" in e)).toMatchObject({
      funding: { coin: "BTC", szi: "0.01", nSamples: 1 },
    });
  });

  it("userFundings: a snapshot of past payments, then one message per funding run with each position's payment (same as userFunding)", async () => {
    const t = newTrader(sim, 50_000);
    await t.exchange.order({
      orders: [
        { a: 0, b: true, p: "96000", s: "0.01", r: false, t: { limit: { tif: "Ioc" } } },
        { a: 1, b: false, p: "3300", s: "1", r: false, t: { limit: { tif: "Ioc" } } },
      ],
      grouping: "na",
    });
    sim.control.runFunding();
    const { client } = subscriptions();
    const c = collector<{
      user: string;
      isSnapshot?: true;
      fundings: { time: number; coin: string; usdc: string; szi: string; fundingRate: string }[];
    }>();
    await client.userFundings({ user: t.address }, c.listener);
    const snapshot = await c.next((e) => e.isSnapshot === true);
    expect(snapshot.fundings.map((f) => [f.coin, f.szi]).sort()).toEqual([
      ["BTC", "0.01"],
      ["ETH", "-1.0"],
    ]);
    sim.control.runFunding();
    const live = await c.next((e) => e.isSnapshot !== true);
    expect(live.user).toBe(t.address);
    expect(live.fundings.map((f) => f.coin).sort()).toEqual(["BTC", "ETH"]);
    // The same payments as the REST record (userFunding), sign included: a long pays a positive rate.
    const info = new InfoClient({ transport: new HttpTransport({ apiUrl: sim.httpUrl }) });
    const rest = await info.userFunding({ user: t.address, startTime: 0 });
    const last = rest.filter((r) => r.time === live.fundings[0]?.time);
    expect(last.map((r) => [r.delta.coin, r.delta.usdc]).sort()).toEqual(
      live.fundings.map((f) => [f.coin, f.usdc]).sort(),
    );
    const btc = live.fundings.find((f) => f.coin === "BTC");
    expect(Math.sign(Number(btc?.usdc))).toBe(-Math.sign(Number(btc?.fundingRate)));
  });

  it("userNonFundingLedgerUpdates: a snapshot, then deposits and withdrawals as they happen", async () => {
    const t = newTrader(sim, 100);
    const { client } = subscriptions();
    const ledger = collector<{
      user: string;
      nonFundingLedgerUpdates: { delta: { type: string } }[];
      isSnapshot?: true;
    }>();
    await client.userNonFundingLedgerUpdates({ user: t.address }, ledger.listener);
    expect(await ledger.next()).toMatchObject({
      isSnapshot: true,
      nonFundingLedgerUpdates: [{ delta: { type: "deposit" } }],
    });
    sim.control.fund(t.address, -40);
    expect(await ledger.next((e) => !e.isSnapshot)).toMatchObject({
      user: t.address,
      nonFundingLedgerUpdates: [{ delta: { type: "withdraw", usdc: "40.0" } }],
    });
  });

  it("userFundings and userNonFundingLedgerUpdates snapshots: the newest 2,000 records, oldest first — not the whole history", async () => {
    const t = newTrader(sim, 100_000);
    await t.exchange.order({
      orders: [{ a: 0, b: true, p: "96000", s: "0.01", r: false, t: { limit: { tif: "Ioc" } } }],
      grouping: "na",
    });
    // 2,100 payments and 2,101 ledger updates (the first deposit among them).
    for (let i = 0; i < 2_100; i++) {
      sim.control.runFunding();
      sim.control.fund(t.address, 1);
    }
    const info = new InfoClient({ transport: new HttpTransport({ apiUrl: sim.httpUrl }) });
    const { client } = subscriptions();
    const fundings = collector<{ isSnapshot?: true; fundings: { time: number; usdc: string }[] }>();
    const ledger = collector<{
      isSnapshot?: true;
      nonFundingLedgerUpdates: { time: number; hash: string }[];
    }>();
    await client.userFundings({ user: t.address }, fundings.listener);
    await client.userNonFundingLedgerUpdates({ user: t.address }, ledger.listener);
    const f = (await fundings.next((e) => e.isSnapshot === true)).fundings;
    // The REST record, paged from the start: the snapshot is its newest 2,000, in its order.
    const paid = new Map<string, string>();
    for (let from = 0; ; ) {
      const page = await info.userFunding({ user: t.address, startTime: from });
      for (const p of page) paid.set(p.hash, p.delta.usdc);
      if (page.length < 500) break;
      from = page.at(-1)?.time ?? from;
    }
    expect(paid.size).toBe(2_100);
    expect(f).toHaveLength(2_000);
    expect(f.map((x) => x.usdc)).toEqual([...paid.values()].slice(-2_000));
    const l = (await ledger.next((e) => e.isSnapshot === true)).nonFundingLedgerUpdates;
    expect(l).toHaveLength(2_000);
    // Oldest first, the newest last: the one of the latest fund().
    for (let i = 1; i < l.length; i++) expect(l[i]?.time).toBeGreaterThanOrEqual(l[i - 1]?.time ?? 0);
    const newest = await info.userNonFundingLedgerUpdates({
      user: t.address,
      startTime: l.at(-1)?.time ?? 0,
    });
    expect(newest.at(-1)?.hash).toBe(l.at(-1)?.hash);
  });

  it("unsubscribe is acknowledged; an invalid subscription is refused", async () => {
    const { client } = subscriptions();
    const sub = await client.l2Book({ coin: "BTC" }, () => {});
    // The earlier tests' sockets are closed after each test, but the exchange side may see a
    // close only now: count once ours is the only connection left (a close that landed in
    // between read as a second unsubscribe, on a busy machine).
    await eventually(() => sim.control.stats().ws.connections === 1);
    const before = sim.control.stats().ws.subscriptions;
    await sub.unsubscribe();
    expect(sim.control.stats().ws.subscriptions).toBe(before - 1);
    await expect(client.l2Book({ coin: "NOPE" }, () => {})).rejects.toThrow(/Invalid subscription/);
  });
});

describe("the SDK's other subscriptions", () => {
  it('spotState and allDexsClearinghouseState follow the account; the one dex is ""', async () => {
    const { client } = subscriptions();
    const t = newTrader(sim, 2_000);
    const spot = collector<{ user: string; spotState: { balances: unknown[] } }>();
    const all = collector<{ user: string; clearinghouseStates: [string, { withdrawable: string }][] }>();
    await client.spotState({ user: t.address }, spot.listener);
    await client.allDexsClearinghouseState({ user: t.address }, all.listener);
    expect((await spot.next()).spotState).toEqual({ balances: [] });
    const first = await all.next();
    expect(first.clearinghouseStates.map(([dex]) => dex)).toEqual([""]);
    expect(first.clearinghouseStates[0]?.[1].withdrawable).toBe("2000.0");
    sim.control.fund(t.address, 500);
    await all.next((e) => e.clearinghouseStates[0]?.[1].withdrawable === "2500.0");
  });

  it("webData3: the account's userState and the one dex's state, again after a change", async () => {
    const { client } = subscriptions();
    const t = newTrader(sim, 1_000);
    const events = collector<{
      userState: { user: string; cumLedger: string; agentAddress: string | null; isVault: boolean };
      perpDexStates: unknown[];
    }>();
    await client.webData3({ user: t.address }, events.listener);
    const first = await events.next();
    expect(first.userState).toMatchObject({
      user: t.address,
      cumLedger: "1000.0",
      agentAddress: null,
      isVault: false,
    });
    expect(first.perpDexStates).toEqual([
      { totalVaultEquity: "0.0", perpsAtOpenInterestCap: [], leadingVaults: [] },
    ]);
    sim.control.fund(t.address, 250);
    await events.next((e) => e.userState.cumLedger === "1250.0");
    // Approving the unnamed agent (the web app's) shows in userState at once.
    const agent = newTrader(sim, 0).wallet.address;
    await t.exchange.approveAgent({ agentAddress: agent, agentName: null });
    await events.next((e) => e.userState.agentAddress === agent.toLowerCase());
  });

  it("assetCtxs, allDexsAssetCtxs and fastAssetCtxs carry every market's context, again when a price moves", async () => {
    const { client } = subscriptions();
    const info = new InfoClient({ transport: new HttpTransport({ apiUrl: sim.httpUrl }) });
    const [, ctxs] = await info.metaAndAssetCtxs();
    const one = collector<{ dex: string; ctxs: { markPx: string }[] }>();
    const all = collector<{ ctxs: [string, { markPx: string }[]][] }>();
    const fast = collector<Record<string, { markPx?: string; midPx?: string | null }>>();
    const spotCtxs = collector<unknown[]>();
    await client.assetCtxs(one.listener);
    await client.allDexsAssetCtxs(all.listener);
    await client.fastAssetCtxs(fast.listener);
    await client.spotAssetCtxs(spotCtxs.listener);
    await client.outcomeMetaUpdates(() => {});
    expect((await one.next()).ctxs.map((c) => c.markPx)).toEqual(ctxs.map((c) => c.markPx));
    expect((await all.next()).ctxs.map(([dex]) => dex)).toEqual([""]);
    expect((await fast.next()).BTC).toEqual({ markPx: ctxs[0]?.markPx, midPx: ctxs[0]?.midPx });
    expect(await spotCtxs.next()).toEqual([]);
    // LINK (asset 8): a market no other test of this shared simulator prices.
    sim.control.setMid("LINK", 21.5);
    await one.next((e) => e.ctxs[8]?.markPx === "21.5");
    await all.next((e) => e.ctxs[0]?.[1][8]?.markPx === "21.5");
    await fast.next((e) => e.LINK?.markPx === "21.5");
  });
});

describe("post requests", () => {
  it("info and actions over the websocket answer like HTTP and are counted as websocket posts", async () => {
    sim.control.reset();
    const transport = new WebSocketTransport({ url: sim.wsUrl });
    transports.push(transport);
    const info = new InfoClient({ transport });
    expect((await info.allMids()).BTC).toBe("95000.0");
    const t = newTrader(sim);
    const exchange = new ExchangeClient({ transport, wallet: t.wallet });
    const res = await exchange.order({
      orders: [{ a: 0, b: true, p: "96000", s: "0.001", r: false, t: { limit: { tif: "Ioc" } } }],
      grouping: "na",
    });
    expect(res.response.data.statuses[0]).toMatchObject({ filled: { totalSz: "0.001" } });
    const r = await rejected(() =>
      exchange.order({
        orders: [{ a: 0, b: true, p: "90000.5", s: "0.001", r: false, t: { limit: { tif: "Gtc" } } }],
        grouping: "na",
      }),
    );
    expect(statusesOf(r.response)).toEqual([{ error: "Price must be divisible by tick size. asset=0" }]);
    const stats = sim.control.stats();
    expect(stats.infoByType).toEqual({ allMids: 1 });
    expect(stats.http.info).toBe(0);
    expect(stats.ws).toMatchObject({ posts: 3, postsInfo: 1, postsAction: 2 });
    expect(stats.actionByType).toEqual({ order: 2 });
  });
});

describe("connection handling", () => {
  function rawSocket(): Promise<{ ws: WebSocket; messages: string[]; closed: Promise<void> }> {
    const ws = new WebSocket(sim.wsUrl);
    const messages: string[] = [];
    ws.on("message", (d) => messages.push(d.toString()));
    const closed = new Promise<void>((resolve) => ws.on("close", () => resolve()));
    return new Promise((resolve, reject) => {
      ws.on("open", () => resolve({ ws, messages, closed }));
      ws.on("error", reject);
    });
  }

  it("the exchange's greeting comes first; each subscription's data arrives on the exchange's channel name", async () => {
    const { ws, messages } = await rawSocket();
    await eventually(() => messages.length > 0);
    expect(messages[0]).toBe("Websocket connection established.");
    const t = newTrader(sim);
    const subs = [
      { type: "allMids" },
      { type: "l2Book", coin: "SOL" },
      { type: "trades", coin: "SOL" },
      { type: "bbo", coin: "SOL" },
      { type: "userEvents", user: t.address },
      { type: "userFills", user: t.address },
      { type: "orderUpdates", user: t.address },
      { type: "clearinghouseState", user: t.address },
      { type: "userNonFundingLedgerUpdates", user: t.address },
    ];
    for (const subscription of subs) ws.send(JSON.stringify({ method: "subscribe", subscription }));
    await eventually(
      () => messages.filter((m) => m.includes('"subscriptionResponse"')).length === subs.length,
    );
    await t.exchange.order({
      orders: [{ a: 2, b: true, p: "200", s: "1", r: false, t: { limit: { tif: "Ioc" } } }],
      grouping: "na",
    });
    sim.control.runFunding(); // a userEvents message (funding) for the new position
    const channels = () =>
      new Set(
        messages.filter((m) => m.startsWith("{")).map((m) => (JSON.parse(m) as { channel: string }).channel),
      );
    // userEvents data arrives on channel "user" (as the official SDKs expect); the rest on their type.
    const expected = [
      "allMids",
      "l2Book",
      "trades",
      "bbo",
      "user",
      "userFills",
      "orderUpdates",
      "clearinghouseState",
      "userNonFundingLedgerUpdates",
    ];
    await eventually(() => expected.every((c) => channels().has(c)));
    expect(channels().has("userEvents")).toBe(false);
    ws.close();
  });

  it("ping gets pong; unsubscribing twice is an error naming the subscription", async () => {
    const { ws, messages } = await rawSocket();
    ws.send('{"method":"ping"}');
    await eventually(() => messages.includes('{"channel":"pong"}'));
    ws.send('{"method":"subscribe","subscription":{"type":"bbo","coin":"ETH"}}');
    ws.send('{"method":"unsubscribe","subscription":{"type":"bbo","coin":"ETH"}}');
    ws.send('{"method":"unsubscribe","subscription":{"type":"bbo","coin":"ETH"}}');
    await eventually(() =>
      messages.includes(
        '{"channel":"error","data":"Already unsubscribed: {\\"type\\":\\"bbo\\",\\"coin\\":\\"ETH\\"}"}',
      ),
    );
    expect(messages).toContain(
      '{"channel":"subscriptionResponse","data":{"method":"subscribe","subscription":{"type":"bbo","coin":"ETH"}}}',
    );
    ws.close();
  });

  it("a message that is no request (null, a subscribe without its subscription) is the parse error, never 'undefined'", async () => {
    const { ws, messages } = await rawSocket();
    const sent = ["null", "5", '{"method":"subscribe"}', '{"method":"unsubscribe","subscription":null}'];
    for (const text of sent) ws.send(text);
    ws.send('{"method":"ping"}');
    await eventually(() => messages.includes('{"channel":"pong"}'));
    const errors = messages.filter((m) => m.startsWith('{"channel":"error"'));
    expect(errors).toEqual(
      sent.map((text) =>
        JSON.stringify({
          channel: "error",
          data: `Error parsing JSON into valid websocket request: ${text}`,
        }),
      ),
    );
    ws.close();
  });

  it("a connection that sends nothing for the idle period is closed; one that pings stays", async () => {
    // The simulator's clock moves by hand: which socket is idle depends on the messages each one
    // sent, never on how promptly a busy machine runs a pinger or the idle check.
    const clock = { t: Date.now() };
    const quick = await startSim({ tickMs: 0, wsIdleMs: 300, clock: () => clock.t });
    try {
      const connect = () =>
        new Promise<{ ws: WebSocket; pongs: () => number }>((resolve) => {
          const ws = new WebSocket(quick.wsUrl);
          let pongs = 0;
          ws.on("message", (d) => {
            if (d.toString() === '{"channel":"pong"}') pongs++;
          });
          ws.on("open", () => resolve({ ws, pongs: () => pongs }));
        });
      const silent = await connect();
      const chatty = await connect();
      const silentClosed = new Promise<void>((resolve) => silent.ws.on("close", () => resolve()));
      /** A ping, and its answer (or the socket closing): the simulator saw it at its clock's time. */
      const ping = async () => {
        const before = chatty.pongs();
        chatty.ws.send('{"method":"ping"}');
        await eventually(() => chatty.pongs() > before || chatty.ws.readyState !== WebSocket.OPEN);
      };
      clock.t += 200;
      await ping();
      clock.t += 200; // silent for 400 ms, chatty for 200
      await silentClosed;
      // The check that closed the silent socket looked at the chatty one at the same time, and
      // the clock has not moved since: it is open and still answers.
      await ping();
      expect(chatty.ws.readyState).toBe(WebSocket.OPEN);
      expect(chatty.pongs()).toBe(2);
      chatty.ws.close();
    } finally {
      await quick.close();
    }
  });

  it("after dropWs the SDK's transport reconnects and resubscribes by itself", async () => {
    const { client } = subscriptions();
    const mids = collector<{ mids: Record<string, string> }>();
    await client.allMids(mids.listener);
    await mids.next();
    const before = sim.control.stats().ws.connectionsTotal;
    sim.control.fault({ kind: "dropWs" });
    await eventually(
      () => sim.control.stats().ws.connectionsTotal > before && sim.control.stats().ws.subscriptions > 0,
    );
    sim.control.setMid("DOGE", 0.33);
    expect((await mids.next((e) => e.mids.DOGE === "0.33")).mids.BTC).toBeDefined();
    sim.control.setMid("DOGE", 0.32);
  });

  it("silenceWs sends nothing for a while, then the stream resumes", async () => {
    const { client } = subscriptions();
    const mids = collector<{ mids: Record<string, string> }>();
    await client.allMids(mids.listener);
    await mids.next();
    sim.control.fault({ kind: "silenceWs", ms: 600_000 });
    sim.control.setMid("ARB", 0.8);
    // The simulator sends mids on its next turn (setImmediate, first in line): once ours has
    // run, that message was silenced. Then the silence ends (not a wall-clock 300 ms that a
    // stalled turn could outlast, letting 0.8 through).
    await new Promise((resolve) => setImmediate(resolve));
    sim.control.fault({ kind: "silenceWs", ms: 0 });
    sim.control.setMid("ARB", 0.81);
    await mids.next((e) => e.mids.ARB === "0.81");
    expect(mids.events.some((e) => e.mids.ARB === "0.8")).toBe(false);
  });
});
