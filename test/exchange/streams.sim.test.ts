// The websocket streams against the in-process simulator: leader and own fills, states,
// orders, mids and books as plain events; reconnects announced; no fill delivered twice.

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "../../src/core/errors.js";
import type { Address, Markets } from "../../src/core/types.js";
import {
  createExchangeClient,
  type HlClient,
  openStreams,
  type StreamEvent,
  type Streams,
} from "../../src/exchange/index.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { startFreezingProxy } from "../helpers/freezing-proxy.js";
import { type Account, action, eventually, fundedAccount, masterWithAgent } from "./helpers.js";

let sim: SimHandle;
const open: Streams[] = [];

beforeAll(async () => {
  // A short idle window: a connection that sends nothing for 600 ms is closed, as the
  // exchange does after 60 s.
  sim = await startSim({ seed: 11, tickMs: 0, wsIdleMs: 600 });
});
afterAll(async () => {
  await sim.close();
});
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  sim.control.reset();
});

interface Setup {
  leader: Account;
  master: Account;
  client: HlClient;
  markets: Markets;
  events: StreamEvent[];
  streams: Streams;
}

async function setup(
  opts: {
    coins?: string[];
    pingIntervalMs?: number;
    pongTimeoutMs?: number;
    connectTimeoutMs?: number;
    resubscribeDelayMs?: number;
    stateCoalesceMs?: number;
    wsUrl?: string;
    /** Another simulator than the file's. */
    sim?: SimHandle;
  } = {},
): Promise<Setup> {
  const x = opts.sim ?? sim;
  const leader = fundedAccount(x);
  const { master, agentKey } = await masterWithAgent(x);
  const client = createExchangeClient({
    httpUrl: x.httpUrl,
    wsUrl: x.wsUrl,
    isTestnet: false,
    agentKey,
    account: master.address,
  });
  const markets = await client.getMarkets();
  const events: StreamEvent[] = [];
  const streams = await openStreams({
    wsUrl: opts.wsUrl ?? x.wsUrl,
    isTestnet: false,
    users: { leaders: [leader.address], us: master.address },
    coins: opts.coins ?? [],
    onEvent: (e) => events.push(e),
    pingIntervalMs: opts.pingIntervalMs ?? 200,
    pongTimeoutMs: opts.pongTimeoutMs ?? 1_000,
    ...(opts.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: opts.connectTimeoutMs }),
    ...(opts.resubscribeDelayMs === undefined ? {} : { resubscribeDelayMs: opts.resubscribeDelayMs }),
    ...(opts.stateCoalesceMs === undefined ? {} : { stateCoalesceMs: opts.stateCoalesceMs }),
  });
  open.push(streams);
  return { leader, master, client, markets, events, streams };
}

/** The leader trades with the SDK directly, as any account on the exchange would. */
async function leaderTrades(s: Setup, coin: string, isBuy: boolean, size: string): Promise<void> {
  const m = s.markets[coin];
  if (!m) throw new Error(coin);
  const px = (isBuy ? m.mid * 1.01 : m.mid * 0.99).toPrecision(5);
  await s.leader.sdk.order({
    orders: [{ a: m.assetId, b: isBuy, p: px, s: size, r: false, t: { limit: { tif: "Ioc" } } }],
    grouping: "na",
  });
}

const ofType = <T extends StreamEvent["type"]>(events: StreamEvent[], type: T) =>
  events.filter((e): e is Extract<StreamEvent, { type: T }> => e.type === type);

describe("openStreams", () => {
  it("delivers snapshots first, then a leader fill, the leader's state, our fill and state", async () => {
    const s = await setup();
    await eventually(() => ofType(s.events, "leaderState").length > 0 && ofType(s.events, "mids").length > 0);
    const initial = ofType(s.events, "ourState")[0];
    expect(initial?.state.accountValue).toBe(100_000);
    expect(ofType(s.events, "mids")[0]?.mids.ETH).toBe(sim.control.mid("ETH"));

    await leaderTrades(s, "ETH", true, "0.5");
    const lf = await eventually(() => ofType(s.events, "leaderFill").find((e) => !e.isSnapshot));
    expect(lf.leader).toBe(s.leader.address);
    expect(lf.fills[0]).toMatchObject({ coin: "ETH", side: "buy", startPosition: 0, liquidation: false });
    expect(lf.fills.reduce((a, f) => a + f.sz, 0)).toBeCloseTo(0.5, 10);
    await eventually(() => ofType(s.events, "leaderState").some((e) => e.state.positions.ETH?.size === 0.5));

    const a = action(s.markets, "ETH", "buy", 0.05);
    await s.client.placeOrders([a], s.markets);
    const of = await eventually(() => ofType(s.events, "ourFill").find((e) => !e.isSnapshot));
    expect(of.fills[0]).toMatchObject({ coin: "ETH", side: "buy", cloid: a.cloid });
    await eventually(() => ofType(s.events, "ourState").some((e) => e.state.positions.ETH?.size === 0.05));

    // Funding on our position comes on userFundings, as the exchange's record has it.
    sim.control.runFunding();
    const fu = await eventually(() => ofType(s.events, "ourFunding").find((e) => !e.isSnapshot));
    expect(fu.fundings).toHaveLength(1);
    expect(fu.fundings[0]).toMatchObject({ coin: "ETH", szi: 0.05, hash: null });
    const rest = await s.client.getFunding(s.master.address, 0);
    expect(rest.map((f) => [f.time, f.coin, f.usdc])).toEqual(
      fu.fundings.map((f) => [f.time, f.coin, f.usdc]),
    );

    const health = s.streams.health();
    expect(health.connected).toBe(true);
    expect(Object.keys(health.lastMessageAt)).toEqual(
      expect.arrayContaining([
        `userFills:${s.leader.address}`,
        `clearinghouseState:${s.leader.address}`,
        `userFills:${s.master.address}`,
        `clearinghouseState:${s.master.address}`,
        `userFundings:${s.master.address}`,
        `userNonFundingLedgerUpdates:${s.master.address}`,
        "allMids",
      ]),
    );
    // Leader fills + state, our fills + state + funding + ledger, mids (no orderUpdates: nothing reads them).
    expect(s.streams.subscriptionCount()).toBe(7);
    expect(sim.control.stats().ws.subscriptions).toBe(7);
  });

  it("reads an account's state at most once per window: every fill, but only the newest of a burst of states", async () => {
    // A window far longer than the burst takes, so the burst's states all fall inside it.
    const s = await setup({ stateCoalesceMs: 5_000 });
    await eventually(() => ofType(s.events, "leaderState").length > 0);
    const before = ofType(s.events, "leaderState").length;
    for (let i = 0; i < 5; i++) await leaderTrades(s, "ETH", true, "0.1");
    // Every fill comes as it happens (the fills stream is never held back)…
    await eventually(
      () =>
        ofType(s.events, "leaderFill")
          .filter((e) => !e.isSnapshot)
          .flatMap((e) => e.fills).length >= 5,
    );
    // …and of the five states the burst made, the newest is read when the window ends.
    const last = await eventually(() =>
      ofType(s.events, "leaderState").find((e) => Math.abs((e.state.positions.ETH?.size ?? 0) - 0.5) < 1e-9),
    );
    const read = ofType(s.events, "leaderState").slice(before);
    expect(read.length).toBeLessThanOrEqual(2);
    expect(read.at(-1)).toBe(last);
  });

  it("the leader's earlier fills arrive once as a snapshot (never a trade trigger)", async () => {
    const leader = fundedAccount(sim);
    const markets = await createExchangeClient({
      httpUrl: sim.httpUrl,
      wsUrl: sim.wsUrl,
      isTestnet: false,
      account: leader.address,
    }).getMarkets();
    await leader.sdk.order({
      orders: [
        {
          a: 1,
          b: true,
          p: ((markets.ETH?.mid ?? 0) * 1.01).toPrecision(5),
          s: "0.1",
          r: false,
          t: { limit: { tif: "Ioc" } },
        },
      ],
      grouping: "na",
    });
    const events: StreamEvent[] = [];
    const streams = await openStreams({
      wsUrl: sim.wsUrl,
      isTestnet: false,
      users: { leaders: [leader.address], us: fundedAccount(sim).address },
      onEvent: (e) => events.push(e),
    });
    open.push(streams);
    const snap = await eventually(() => ofType(events, "leaderFill")[0]);
    expect(snap.isSnapshot).toBe(true);
    expect(snap.fills).toHaveLength(1);
  });

  it("after dropWs: a disconnect, then a reconnect event, the replayed snapshot flagged as such, live fills again", async () => {
    const s = await setup();
    await leaderTrades(s, "SOL", true, "2");
    await s.client.placeOrders([action(s.markets, "SOL", "buy", 1)], s.markets);
    await eventually(
      () => ofType(s.events, "leaderFill").length === 1 && ofType(s.events, "ourFill").length === 1,
    );

    sim.control.fault({ kind: "dropWs" });
    await eventually(() => ofType(s.events, "reconnect").length === 1);
    expect(ofType(s.events, "disconnect")).toHaveLength(1);
    const reconnectAt = s.events.findIndex((e) => e.type === "reconnect");
    const disconnectAt = s.events.findIndex((e) => e.type === "disconnect");
    expect(disconnectAt).toBeLessThan(reconnectAt);
    // The subscriptions are replayed: fresh states arrive after the reconnect...
    await eventually(() => s.events.slice(reconnectAt).some((e) => e.type === "leaderState"));
    // ...and the fills seen before come again as a snapshot: never a trade trigger (the
    // engine's one de-duplication drops them, core/fills.ts).
    const replayed = await eventually(() => ofType(s.events, "leaderFill")[1]);
    expect(replayed.isSnapshot).toBe(true);
    expect(replayed.fills.map((f) => f.tid)).toEqual(
      ofType(s.events, "leaderFill")[0]?.fills.map((f) => f.tid),
    );
    await eventually(() => ofType(s.events, "ourFill").length === 2);
    expect(ofType(s.events, "ourFill")[1]?.isSnapshot).toBe(true);

    await leaderTrades(s, "SOL", false, "2");
    const live = await eventually(() => ofType(s.events, "leaderFill")[2]);
    expect(live.isSnapshot).toBe(false);
    expect(live.fills[0]?.side).toBe("sell");
    expect(s.streams.health().reconnects).toBe(1);
  });

  it("each data frame is read once, at the connection's own dispatch (not copied into a second event), also after a reconnect", async () => {
    // The SDK's reconnecting wrapper copies every frame of its WebSocket into a new event: ours
    // are taken before that. Counted here: data frames that reached the WebSocket's own
    // dispatch (where the wrapper listens), per connection.
    const reachedWrapper: number[] = [];
    const Native = globalThis.WebSocket;
    class Counting extends Native {
      readonly #index = reachedWrapper.push(0) - 1;
      override dispatchEvent(event: Event): boolean {
        const data: unknown = (event as MessageEvent).data;
        if (event.type === "message" && typeof data === "string" && data.startsWith('{"channel":"userFills"'))
          reachedWrapper[this.#index] = (reachedWrapper[this.#index] ?? 0) + 1;
        return super.dispatchEvent(event);
      }
    }
    globalThis.WebSocket = Counting;
    try {
      const s = await setup();
      await leaderTrades(s, "SOL", true, "2");
      await eventually(() => ofType(s.events, "leaderFill").some((e) => !e.isSnapshot));
      sim.control.fault({ kind: "dropWs" });
      await eventually(() => ofType(s.events, "reconnect").length === 1);
      await leaderTrades(s, "SOL", false, "2");
      await eventually(() => ofType(s.events, "leaderFill").filter((e) => !e.isSnapshot).length === 2);
      expect(reachedWrapper).toEqual([0, 0]);
    } finally {
      globalThis.WebSocket = Native;
    }
  });

  it("fills made while disconnected arrive with the replayed snapshot, flagged as such", async () => {
    const s = await setup();
    await eventually(() => ofType(s.events, "leaderState").length > 0);
    sim.control.fault({ kind: "dropWs" });
    await leaderTrades(s, "ETH", false, "0.2"); // over HTTP while the socket is down
    expect(ofType(s.events, "reconnect")).toHaveLength(0);
    const missed = await eventually(() => ofType(s.events, "leaderFill")[0]);
    expect(missed.isSnapshot).toBe(true);
    expect(missed.fills[0]?.side).toBe("sell");
    expect(ofType(s.events, "reconnect")).toHaveLength(1);
  });

  it("a subscription whose confirmation is lost is reported and re-subscribed on a fresh socket", async () => {
    const s = await setup({ connectTimeoutMs: 300, resubscribeDelayMs: 50 });
    await eventually(() => ofType(s.events, "leaderState").length > 0);
    // The socket drops; its replacement's re-subscriptions go unanswered until they time out.
    // The exchange stays silent until one has: a 350 ms silence could end before a busy
    // machine's reconnect had even subscribed, and then every confirmation would come.
    sim.control.fault({ kind: "silenceWs", ms: 600_000 });
    sim.control.fault({ kind: "dropWs" });
    const failed = await eventually(() => ofType(s.events, "streamError")[0]);
    sim.control.fault({ kind: "silenceWs", ms: 0 });
    expect(failed.error.action).toBe("retry");
    expect(failed.error.message).toMatch(/timed out/);
    // The failure forces a fresh socket: the other re-subscriptions are replayed there by the
    // SDK, and the failed one is added again by us and announced (sweep now).
    await eventually(() => ofType(s.events, "reconnect").some((e) => e.stream === failed.stream));
    await eventually(() => sim.control.stats().ws.subscriptions === 7);
    await leaderTrades(s, "ETH", true, "0.1");
    const live = await eventually(() => ofType(s.events, "leaderFill").find((e) => !e.isSnapshot));
    expect(live.fills[0]?.side).toBe("buy");
    expect(s.streams.subscriptionCount()).toBe(7);
  });

  it("our cash flows: the ledger's history first, then each deposit/withdrawal as it happens; the account's cash moves with them, not with prices", async () => {
    const s = await setup({ stateCoalesceMs: 0 });
    const snap = await eventually(() => ofType(s.events, "ourLedger").find((e) => e.isSnapshot));
    expect(snap.flows.map((f) => [f.kind, f.usd])).toEqual([["deposit", 100_000]]);
    await s.client.placeOrders([action(s.markets, "ETH", "buy", 1)], s.markets);
    await eventually(() => ofType(s.events, "ourState").some((e) => e.state.positions.ETH?.size === 1));
    const before = ofType(s.events, "ourState").at(-1)?.state.cash ?? Number.NaN;
    // A price move changes the account value, not its cash.
    sim.control.setMid("ETH", (s.markets.ETH?.mid ?? 0) * 0.9);
    const moved = await eventually(() =>
      ofType(s.events, "ourState").find((e) => e.state.accountValue < before - 100),
    );
    expect(moved.state.cash).toBeCloseTo(before, 6);
    // A withdrawal changes both, and comes on the ledger stream.
    sim.control.fund(s.master.address, -3_000);
    const out = await eventually(() => ofType(s.events, "ourLedger").find((e) => !e.isSnapshot));
    expect(out.flows).toEqual([expect.objectContaining({ kind: "withdraw", usd: -3_000 })]);
    const after = await eventually(() =>
      ofType(s.events, "ourState").find((e) => (e.state.cash ?? 0) < before - 2_999),
    );
    expect(after.state.cash).toBeCloseTo(before - 3_000, 6);
  });

  it("a quiet leader does not look dead: pings keep the socket alive past the idle window", async () => {
    // The simulator's clock is the test's: the idle window passes in steps, each shorter than
    // the window, and the next step waits until the client's ping of this step reached the
    // simulator. On the wall clock, a busy machine could delay a 150 ms ping past a 600 ms window
    // and the simulator rightly closed the socket.
    let simNow = Date.now();
    const own = await startSim({ seed: 11, tickMs: 0, wsIdleMs: 600, clock: () => simNow });
    try {
      // The client's own pong watch (on the wall clock) is not what this test is about: it
      // waits long, so a busy machine's late pong cannot end the connection from this side.
      const s = await setup({ sim: own, pingIntervalMs: 150, pongTimeoutMs: 60_000 });
      await eventually(() => ofType(s.events, "leaderState").length > 0);
      const leaderKey = `userFills:${s.leader.address}`;
      const before = s.streams.health().lastMessageAt[leaderKey];
      // 2.4 s of the simulator's time (4 × its idle window), the leader silent all along.
      for (let step = 0; step < 6; step++) {
        simNow += 400;
        const heard = own.control.stats().ws.messages;
        await eventually(() => {
          const closed = ofType(s.events, "disconnect")[0];
          if (closed) throw new Error(`the socket was closed: ${closed.reason}`);
          return own.control.stats().ws.messages > heard;
        });
      }
      const h = s.streams.health();
      expect(ofType(s.events, "disconnect")).toHaveLength(0);
      expect(h.connected).toBe(true);
      expect(own.control.stats().ws.connectionsTotal).toBe(1);
      expect(h.lastMessageAt[leaderKey]).toBe(before); // the leader's stream itself was quiet
    } finally {
      for (const st of open.splice(0)) await st.close();
      await own.close();
    }
  });

  it("a silent socket (no pong) is replaced: a reconnect event follows", async () => {
    const s = await setup({ pingIntervalMs: 100, pongTimeoutMs: 200 });
    await eventually(() => ofType(s.events, "leaderState").length > 0);
    // Silent until the socket was replaced (a 500 ms silence could end before a busy machine's
    // next ping, whose pong would then come).
    sim.control.fault({ kind: "silenceWs", ms: 600_000 });
    await eventually(() => ofType(s.events, "reconnect").length > 0, 5_000);
    sim.control.fault({ kind: "silenceWs", ms: 0 });
  });

  it("a frozen exchange (nothing passes, not even the close) is said stale within the pong timeout; thawed, it reconnects", async () => {
    const proxy = await startFreezingProxy(Number(new URL(sim.wsUrl).port));
    try {
      const s = await setup({ pingIntervalMs: 100, pongTimeoutMs: 300, wsUrl: proxy.url(sim.wsUrl) });
      await eventually(() => ofType(s.events, "leaderState").length > 0);
      const frozeAt = Date.now();
      proxy.freeze();
      // The SDK's keepalive drops the socket when the pong is late, but the close is never
      // answered either: no close event. The staleness watch says so meanwhile.
      const stale = await eventually(() => ofType(s.events, "disconnect").find((e) => e.stale), 5_000);
      // How long it had been silent: the outage began at its last message, before the freeze.
      expect(stale.at - (stale.silentMs ?? Number.NaN)).toBeLessThanOrEqual(frozeAt);
      expect(stale.reason).toMatch(
        /^the exchange has not answered a ping for 0\.3 s \(nothing received for /,
      );
      expect(s.streams.health().connected).toBe(false);
      expect(ofType(s.events, "reconnect")).toHaveLength(0);
      proxy.thaw();
      await eventually(() => ofType(s.events, "reconnect").length > 0, 10_000);
      await eventually(() => s.streams.health().connected);
      // One disconnect for the whole outage: the late close adds none.
      expect(ofType(s.events, "disconnect")).toHaveLength(1);
    } finally {
      await proxy.close();
    }
  });

  it("a half-open connection is dropped without waiting for its close: a new one carries live fills while the old one is still dead; its late frames and close change nothing", async () => {
    // The exchange's own idle window (60 s): the old connection stays open on its side, and
    // what it sends there is held in the black hole until lifted.
    const own = await startSim({ seed: 12, tickMs: 0 });
    const proxy = await startFreezingProxy(Number(new URL(own.wsUrl).port));
    try {
      const s = await setup({
        sim: own,
        // A second unanswered: a busy machine's stall is rarely taken for the black hole, and
        // the black hole is still found within a second or two.
        pingIntervalMs: 100,
        pongTimeoutMs: 1_000,
        wsUrl: proxy.url(own.wsUrl),
      });
      await eventually(() => ofType(s.events, "leaderState").length > 0);
      const total = own.control.stats().ws.connectionsTotal;
      // A router drops the connection: nothing passes on it, not even a close, either way; a new
      // connection would pass (as the REST requests do).
      expect(proxy.blackHole()).toBe(1);
      // A fill the exchange sends on the dead connection: it never arrives there in time.
      await leaderTrades(s, "ETH", true, "0.1");
      await eventually(() => ofType(s.events, "disconnect").find((e) => e.stale), 5_000);
      // A new connection at once, not when TCP gives up on the old one; its snapshot has the fill.
      await eventually(() => own.control.stats().ws.connectionsTotal > total, 5_000);
      await eventually(() => ofType(s.events, "reconnect").length > 0 && s.streams.health().connected);
      const snapshot = await eventually(() => ofType(s.events, "leaderFill").find((e) => e.isSnapshot));
      const missed = snapshot.fills.map((f) => f.tid);
      expect(missed).toHaveLength(1);
      await leaderTrades(s, "ETH", false, "0.1");
      const live = await eventually(() => ofType(s.events, "leaderFill").find((e) => !e.isSnapshot));
      expect(live.fills[0]?.side).toBe("sell");
      // The old connection is still held open and dead (2: it and the new one).
      expect(proxy.open()).toBe(2);
      // Every drop was a stale one, each followed by one reconnect (a machine too busy to answer
      // a ping in time can take the new socket for stale too: another drop, said as one).
      const drops = ofType(s.events, "disconnect");
      expect(drops.every((e) => e.stale)).toBe(true);
      expect(ofType(s.events, "reconnect")).toHaveLength(drops.length);
      expect(s.streams.health().reconnects).toBe(drops.length);

      // The network comes back: the old connection's held frames (the first fill, live there)
      // and then its close arrive, late. They are not read: nothing of that fill comes again
      // as a live one, and the old connection's end is no disconnect.
      proxy.lift();
      await eventually(() => proxy.open() === 1);
      await leaderTrades(s, "ETH", false, "0.1");
      // The new trade comes (live — or in a snapshot, had a busy machine's stall dropped the new
      // socket meanwhile): after the old connection's held frames, which came first.
      await eventually(
        () =>
          new Set(
            ofType(s.events, "leaderFill").flatMap((e) =>
              e.fills.filter((f) => f.side === "sell").map((f) => f.tid),
            ),
          ).size >= 2,
      );
      const liveTids = ofType(s.events, "leaderFill")
        .filter((e) => !e.isSnapshot)
        .flatMap((e) => e.fills.map((f) => f.tid));
      expect(liveTids.filter((tid) => missed.includes(tid))).toEqual([]);
      // The old connection's late close is no drop and brings no reconnect.
      expect(ofType(s.events, "disconnect").filter((e) => !e.stale)).toEqual([]);
      expect(ofType(s.events, "reconnect")).toHaveLength(ofType(s.events, "disconnect").length);
      expect(s.streams.health()).toMatchObject({
        connected: true,
        reconnects: ofType(s.events, "disconnect").length,
      });
    } finally {
      for (const st of open.splice(0)) await st.close();
      await proxy.close();
      await own.close();
    }
  });

  it("books: top of book for watched coins, changed with watchBooks", async () => {
    const s = await setup({ coins: ["BTC"] });
    const btc = await eventually(() => ofType(s.events, "book").find((e) => e.book.coin === "BTC"));
    expect(btc.book.bestBid).toBeLessThan(btc.book.bestAsk ?? 0);
    await s.streams.watchBooks(["ETH"]);
    await eventually(() => ofType(s.events, "book").find((e) => e.book.coin === "ETH"));
    expect(s.streams.subscriptionCount()).toBe(8);
    expect(sim.control.stats().ws.subscriptionsByType).toMatchObject({ bbo: 1 });
    expect(sim.control.stats().ws.subscriptionsByType.l2Book).toBeUndefined();
  });

  it("one listener per channel: the book of every market (11 coins), no MaxListenersExceededWarning", async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on("warning", onWarning);
    try {
      const all = Object.keys(
        await createExchangeClient({
          httpUrl: sim.httpUrl,
          wsUrl: sim.wsUrl,
          isTestnet: false,
          account: fundedAccount(sim).address,
        }).getMarkets(),
      );
      expect(all.length).toBeGreaterThanOrEqual(11);
      const s = await setup({ coins: all });
      const booked = () => new Set(ofType(s.events, "book").map((e) => e.book.coin));
      await eventually(() => booked().size === all.length);
      // Dropping books leaves the ones still watched streaming, and only those.
      const kept = all.slice(0, 3);
      await s.streams.watchBooks(kept);
      expect(sim.control.stats().ws.subscriptionsByType.bbo).toBe(3);
      const seen = s.events.length;
      for (const coin of [all[1], all[5]] as string[])
        sim.control.setMid(coin, (sim.control.mid(coin) ?? 1) * 1.01);
      await eventually(() => s.events.slice(seen).some((e) => e.type === "book" && e.book.coin === all[1]));
      // A later book of a kept coin: anything the dropped coin's subscription still sent came
      // before it on the same socket.
      const marker = s.events.length;
      sim.control.setMid(all[0] as string, (sim.control.mid(all[0] as string) ?? 1) * 1.01);
      await eventually(() => s.events.slice(marker).some((e) => e.type === "book" && e.book.coin === all[0]));
      expect(s.events.slice(seen).filter((e) => e.type === "book" && !kept.includes(e.book.coin))).toEqual(
        [],
      );
      expect(warnings.filter((w) => w.name === "MaxListenersExceededWarning")).toEqual([]);
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("hot path: leader fill event → our order with zero /info requests in between", async () => {
    const s = await setup();
    await eventually(() => ofType(s.events, "leaderState").length > 0);
    sim.control.reset();
    let sent: Promise<unknown> | undefined;
    const seen = s.events.length;
    const watcher = setInterval(() => {
      if (sent) return;
      const fill = s.events.slice(seen).find((e) => e.type === "leaderFill" && !e.isSnapshot);
      if (fill) sent = s.client.placeOrders([action(s.markets, "ETH", "buy", 0.05)], s.markets);
    }, 1);
    try {
      await leaderTrades(s, "ETH", true, "0.5");
      await eventually(() => sent);
      await sent;
    } finally {
      clearInterval(watcher);
    }
    const stats = sim.control.stats();
    expect(stats.requests.info).toBe(0);
    expect(stats.actionByType).toEqual({ order: 2 }); // the leader's and ours
  });

  it("refuses a configuration beyond the per-IP limits before connecting", async () => {
    const before = sim.control.stats().ws.connectionsTotal;
    const leaders = Array.from(
      { length: 10 },
      (_, i) => `0x${(i + 1).toString(16).padStart(40, "0")}` as Address,
    );
    await expect(
      openStreams({
        wsUrl: sim.wsUrl,
        isTestnet: false,
        users: { leaders, us: fundedAccount(sim).address },
        onEvent: () => {},
      }),
    ).rejects.toBeInstanceOf(UsageError);
    expect(sim.control.stats().ws.connectionsTotal).toBe(before);
  });
});
