// The copy engine against the in-process simulator: real signatures, real HTTP, real
// websockets. Sweeps bring us to the scaled target; leader fills are copied on the hot path
// with no /info request; nothing is sent twice.

import { describe, expect, it } from "vitest";
import { OperationalError, RetryableError } from "../../src/core/errors.js";
import type { Settings } from "../../src/core/settings.js";
import type { Address } from "../../src/core/types.js";
import type { EngineEvent } from "../../src/engine/events.js";
import { liveExecutor } from "../../src/engine/executor.js";
import type { EngineReader } from "../../src/engine/ports.js";
import type { HlClient } from "../../src/exchange/index.js";
import { openStreams } from "../../src/exchange/streams.js";
import { initialDashboardState, reduceDashboard, runSummary } from "../../src/ui/model.js";
import { action, eventually, fundedAccount } from "../exchange/helpers.js";
import { startFaultProxy } from "../exchange/proxy.js";
import { startFreezingProxy } from "../helpers/freezing-proxy.js";
import { copySettings as settings, startSimFollow, trade } from "../helpers/sim-engine.js";

async function setup(s: Settings = settings()) {
  const t = await startSimFollow({ sim: { seed: 11 } });
  const { engine, events, run } = t.follow({ settings: s });
  return { ...t, journal: t.journal, engine, events, run };
}

async function positions(c: HlClient, user: Address): Promise<Record<string, number>> {
  const s = await c.getAccountState(user);
  return Object.fromEntries(Object.values(s.positions).map((p) => [p.coin, p.size]));
}

describe("a sweep", () => {
  it("brings our account to 10% of the leader and a second sweep sends nothing", async () => {
    const t = await setup();
    await trade(t.leaderClient, "BTC", "buy", 1);
    await trade(t.leaderClient, "ETH", "sell", 10);
    t.engine.begin();
    const first = await t.engine.sweep("start");
    expect(first.results.map((r) => [r.coin, r.side, r.size, r.status])).toEqual([
      ["BTC", "buy", 0.1, "filled"],
      ["ETH", "sell", 1, "filled"],
    ]);
    expect(await positions(t.client, t.master.address)).toEqual({ BTC: 0.1, ETH: -1 });
    const second = await t.engine.sweep();
    expect(second.results).toEqual([]);
    expect(second.plan.inSync).toBe(true);
    await t.engine.stop("done");
  });
});

describe("following", () => {
  it("copies leader fills from the stream with no /info request between sweeps, and stops cleanly", async () => {
    const s = settings((x) => {
      x.exec.sweepSeconds = 3600;
    });
    const t = await setup(s);
    const running = t.run();
    await eventually(() => t.events.some((e) => e.type === "sweep"));
    const markets = await t.leaderClient.getMarkets();
    const infoBefore = t.sim.control.stats().requests.info;
    const [opened] = await t.leaderClient.placeOrders([action(markets, "SOL", "buy", 50)], markets);
    expect(opened?.status).toBe("filled");
    await eventually(() =>
      t.events.some((e) => e.type === "order" && e.coin === "SOL" && e.status === "filled"),
    );
    // Between the leader's fill and our filled order: not one /info request.
    expect(t.sim.control.stats().requests.info - infoBefore).toBe(0);
    expect(await positions(t.client, t.master.address)).toEqual({ SOL: 5 });
    await trade(t.leaderClient, "SOL", "sell", 50, true);
    await eventually(async () => (await positions(t.client, t.master.address)).SOL === undefined);
    const code = await t.engine.stop("test over");
    expect(code).toBe(0);
    expect(await running).toBe(0);
    expect(t.events.at(-1)?.type).toBe("stop");
    const cloids = t.sim.control.orderHistory(t.master.address).map((o) => o.cloid);
    expect(new Set(cloids).size).toBe(cloids.length);
    expect(t.events.some((e) => e.type === "fill" && e.lagMs !== null)).toBe(true);
  });
  it("after a copy, the next state shows the drift that remains (none), its coins in the planner's order", async () => {
    const t = await setup(settings((x) => (x.exec.sweepSeconds = 3600)));
    await trade(t.leaderClient, "kPEPE", "buy", 2_000_000);
    await trade(t.leaderClient, "BTC", "buy", 1);
    const running = t.run();
    await eventually(() => t.events.some((e) => e.type === "sweep"));
    // A hot-path copy of a third coin: after kPEPE in a locale's order, before it in the planner's.
    await trade(t.leaderClient, "SOL", "buy", 50);
    const filled = await eventually(
      () => t.events.findIndex((e) => e.type === "order" && e.coin === "SOL" && e.status === "filled") + 1,
    );
    // The first state after our fill: the drift it shows is after that fill (in sync), not
    // the 5 SOL the plan traded away; coins listed as a sweep lists them.
    const state = await eventually(() =>
      t.events.slice(filled).find((e): e is Extract<EngineEvent, { type: "state" }> => e.type === "state"),
    );
    expect(state.targets.map((x) => x.coin)).toEqual(["BTC", "SOL", "kPEPE"]);
    expect(state.drift?.coins.find((c) => c.coin === "SOL")?.driftUsd).toBe(0);
    expect(state.drift?.inSync).toBe(true);
    await t.engine.stop("test over");
    await running;
  });

  it("builds no state event between copies when its only view wants one a minute (event lines), and the final one at the stop", async () => {
    const t = await setup(settings((x) => (x.exec.sweepSeconds = 3600)));
    t.engine.events.wantState(60_000);
    const running = t.run();
    await eventually(() => t.events.some((e) => e.type === "sweep"));
    const sweepState = t.events.findLast((e) => e.type === "state");
    expect(sweepState).toBeDefined();
    // Past the dashboard's pace: a copy now would have told the state at once.
    await eventually(() => Date.now() - (sweepState?.ts ?? 0) > 300);
    const before = t.events.length;
    await trade(t.leaderClient, "SOL", "buy", 50);
    await trade(t.leaderClient, "ETH", "buy", 10);
    // Plans run one at a time: the second copy filled, the first plan had ended.
    await eventually(() =>
      t.events.some((e) => e.type === "order" && e.coin === "ETH" && e.status === "filled"),
    );
    expect(t.events.slice(before).filter((e) => e.type === "state")).toEqual([]);
    await t.engine.stop("test over");
    await running;
    const final = t.events.findLast((e) => e.type === "state");
    expect(final?.ts).toBeGreaterThan(sweepState?.ts ?? 0);
    expect(final?.type === "state" && final.account.positions.map((p) => p.coin).sort()).toEqual([
      "ETH",
      "SOL",
    ]);
  });

  it("a leader fill during a slow sweep is copied while the sweep reads, and the sweep's stale read sends nothing twice", async () => {
    const s = settings((x) => {
      x.exec.sweepSeconds = 3600;
    });
    const t = await setup(s);
    const running = t.run();
    await eventually(() => t.events.some((e) => e.type === "sweep"));
    const markets = await t.leaderClient.getMarkets();
    // Every /info reply now takes 2 s and tells the state as it was when the read arrived.
    t.sim.control.fault({ kind: "latency", ms: 2_000, endpoint: "info" });
    const infoBefore = t.sim.control.stats().requests.info;
    const seen = t.events.length;
    t.engine.sweepNow();
    // The sweep's reads (markets, leader, us) have reached the exchange...
    await eventually(() => t.sim.control.stats().requests.info - infoBefore >= 3);
    // ...and while they are out, the leader trades.
    const [opened] = await t.leaderClient.placeOrders([action(markets, "SOL", "buy", 50)], markets);
    expect(opened?.status).toBe("filled");
    const since = () => t.events.slice(seen);
    await eventually(() => since().some((e) => e.type === "sweep"), 10_000);
    const decisions = since().filter((e) => e.type === "decision");
    // Copied from the stream (a "fill" decision) before the sweep's reads came back...
    expect(
      decisions.map((d) => [d.trigger, d.plan.actions.map((a) => `${a.coin} ${a.side} ${a.size}`)]),
    ).toEqual([
      ["fill", ["SOL buy 5"]],
      // ...and the sweep, which read our account before our order filled, still sees the copy
      // made meanwhile: nothing sent twice, nothing undone.
      ["manual", []],
    ]);
    t.sim.control.fault({ kind: "latency", ms: 0, endpoint: "info" });
    expect(await positions(t.client, t.master.address)).toEqual({ SOL: 5 });
    expect(t.sim.control.orderHistory(t.master.address).filter((o) => o.coin === "SOL")).toHaveLength(1);
    await t.engine.stop("test over");
    expect(await running).toBe(0);
  });
});

describe("a fill delivered twice", () => {
  it("is planned once: the same leader fill on a second channel, at once and after the first plan, makes one plan and one order", async () => {
    const t = await setup(
      settings((x) => {
        x.exec.sweepSeconds = 3600;
      }),
    );
    const opener = t.streams();
    // Every leader fill arrives three times: as userFills, again in the same turn, and once
    // more after the first copy was sent (as a userEvents subscription would deliver it).
    let late = 0;
    const running = t.run((onEvent) =>
      opener((e) => {
        onEvent(e);
        if (e.type !== "leaderFill" || e.isSnapshot) return;
        onEvent({ ...e, fills: e.fills.map((f) => ({ ...f })) });
        void eventually(() => t.events.some((x) => x.type === "order" && x.coin === "SOL")).then(() => {
          onEvent({ ...e, at: Date.now(), fills: e.fills.map((f) => ({ ...f })) });
          late++;
        });
      }),
    );
    await eventually(() => t.events.some((e) => e.type === "sweep"));
    const seen = t.events.length;
    const markets = await t.leaderClient.getMarkets();
    const [opened] = await t.leaderClient.placeOrders([action(markets, "SOL", "buy", 50)], markets);
    expect(opened?.status).toBe("filled");
    await eventually(() =>
      t.events.some((e) => e.type === "order" && e.coin === "SOL" && e.status === "filled"),
    );
    await eventually(() => late > 0);
    // A plan the late copy caused would be queued before this sweep's step: it has run by now.
    await t.engine.sweep("manual");
    const since = t.events.slice(seen);
    expect(since.filter((e) => e.type === "leaderFill")).toHaveLength(1);
    expect(since.filter((e) => e.type === "decision" && e.trigger === "fill")).toHaveLength(1);
    expect(t.sim.control.orderHistory(t.master.address).filter((o) => o.coin === "SOL")).toHaveLength(1);
    expect(await positions(t.client, t.master.address)).toEqual({ SOL: 5 });
    await t.engine.stop("test over");
    expect(await running).toBe(0);
  });
});

describe("a sweep that fails mid-run", () => {
  it("goes on when the error says retry, and stops (exit 1, said) when it says stop", async () => {
    const t = await setup(
      settings((x) => {
        x.exec.sweepSeconds = 3600;
      }),
    );
    // The exchange's replies, then one failure of the kind chosen, on the markets read.
    let fail: Error | null = null;
    const c = t.client;
    const reader: EngineReader = {
      getMarkets: async () => {
        if (fail) {
          const e = fail;
          fail = null;
          throw e;
        }
        return c.getMarkets();
      },
      getAccountState: (user, options) => c.getAccountState(user, options),
      lookupOrderByCloid: (user, cloid) => c.lookupOrderByCloid(user, cloid),
    };
    const { engine, events, run } = t.follow({
      reader,
      executor: liveExecutor(t.client),
      settings: settings((x) => {
        x.exec.sweepSeconds = 3600;
      }),
    });
    const running = run();
    await eventually(() => events.some((e) => e.type === "sweep"));
    fail = new RetryableError("the markets read failed: socket hang up");
    engine.sweepNow();
    // A failure the run outlives is a warning that says so, never an error line.
    await eventually(() =>
      events.some(
        (e) =>
          e.type === "warning" &&
          e.message === "the markets read failed: socket hang up (retrying; the run goes on)",
      ),
    );
    expect(events.filter((e) => e.type === "error")).toEqual([]);
    expect(engine.isStopping).toBe(false);
    fail = new OperationalError("the exchange refused the markets read: 422", { hint: "check --network" });
    engine.sweepNow();
    expect(await running).toBe(1);
    // What went wrong is the error (fatal: the run stops on it); how the run ended, the stop.
    expect(events.filter((e) => e.type === "error" && e.fatal)).toEqual([
      expect.objectContaining({
        message: "the exchange refused the markets read: 422",
        hint: "check --network",
      }),
    ]);
    expect(events.at(-1)).toMatchObject({ type: "stop", reason: "stopped on an error" });
  });

  // An exchange away for an hour was a warning at every sweep (120 lines at 30 s), burying
  // everything else on the dashboard; its return said nothing.
  it("an outage is said once per reason and its end once, however many sweeps fail", async () => {
    const t = await setup(
      settings((x) => {
        x.exec.sweepSeconds = 3600;
      }),
    );
    let fail: Error | null = null;
    let reads = 0;
    let failedReads = 0;
    const c = t.client;
    const reader: EngineReader = {
      getMarkets: async () => {
        reads++;
        if (fail) {
          failedReads++;
          throw fail;
        }
        return c.getMarkets();
      },
      getAccountState: (user, options) => c.getAccountState(user, options),
      lookupOrderByCloid: (user, cloid) => c.lookupOrderByCloid(user, cloid),
    };
    const { engine, events, run } = t.follow({
      reader,
      executor: liveExecutor(t.client),
      settings: settings((x) => {
        x.exec.sweepSeconds = 3600;
      }),
    });
    const running = run();
    await eventually(() => events.some((e) => e.type === "sweep"));
    const warnings = () => events.filter((e) => e.type === "warning").map((e) => e.message);
    const sweeps = () => events.filter((e) => e.type === "sweep").length;
    /** Sweep now, and wait until its markets read has failed and the failure was reported. */
    const failingSweep = async () => {
      const n = failedReads;
      engine.sweepNow();
      await eventually(() => failedReads > n);
      await engine.sweep("manual").catch(() => {});
    };
    fail = new RetryableError("cannot reach the exchange for meta: connect ECONNREFUSED");
    for (let i = 0; i < 3; i++) await failingSweep();
    expect(warnings()).toEqual([
      "cannot reach the exchange for meta: connect ECONNREFUSED (retrying; the run goes on)",
    ]);
    // Another reason is said.
    fail = new RetryableError("meta failed: 502 Bad Gateway");
    await failingSweep();
    expect(warnings()).toHaveLength(2);
    // The exchange answers: said once, and a later outage is said again.
    fail = null;
    const before = sweeps();
    engine.sweepNow();
    await eventually(() => sweeps() > before);
    const back = events.filter((e) => e.type === "notice" && e.kind === "sweeps");
    expect(back).toHaveLength(1);
    expect(back[0]).toMatchObject({
      message: expect.stringMatching(
        /^the exchange answers again: a sweep went through after \d+s of failures/,
      ),
    });
    fail = new RetryableError("meta failed: 502 Bad Gateway");
    await failingSweep();
    expect(warnings()).toHaveLength(3);
    expect(reads).toBeGreaterThan(failedReads);
    await engine.stop("test over");
    expect(await running).toBe(0);
  });
});

describe("a frozen exchange", () => {
  it("its silent websocket is a warning and the dashboard's connection state within the pong timeout, then open again", async () => {
    const t = await setup(
      settings((x) => {
        x.exec.sweepSeconds = 3600;
      }),
    );
    const proxy = await startFreezingProxy(Number(new URL(t.sim.wsUrl).port));
    try {
      const running = t.run((onEvent) =>
        openStreams({
          wsUrl: proxy.url(t.sim.wsUrl),
          isTestnet: false,
          users: { leaders: [t.leader.address], us: t.master.address },
          onEvent,
          pingIntervalMs: 100,
          pongTimeoutMs: 300,
        }),
      );
      // The dashboard's connection after the first `n` events.
      const connection = (n: number) => {
        let model = initialDashboardState({ mode: "live" });
        for (const e of t.events.slice(0, n)) model = reduceDashboard(model, e);
        return model.connection;
      };
      await eventually(() => t.events.some((e) => e.type === "sweep"));
      // Frozen while open: on a busy machine a pong can outlast the 300 ms before the freeze (a
      // stale warning and a reconnect of their own), and a reconnect the freeze caught half-way
      // never opens. The warning and the states asserted are the frozen connection's.
      await eventually(() => connection(t.events.length).state === "open");
      const frozenAt = t.events.length;
      proxy.freeze();
      const staleAt = await eventually(() => {
        const i = t.events.findIndex(
          (e, i) => i >= frozenAt && e.type === "warning" && /^websocket stale: /.test(e.message),
        );
        return i === -1 ? null : i + 1;
      }, 5_000);
      expect(t.events[staleAt - 1]).toMatchObject({
        message: expect.stringMatching(/has not answered a ping .*; reconnecting \(the run goes on\)$/),
      });
      expect(connection(staleAt)).toMatchObject({
        state: "reconnecting",
        detail: expect.stringMatching(/has not answered a ping/),
      });
      proxy.thaw();
      // Open again at the reconnect (a slow pong after it would be a stale warning of its own).
      const backAt = await eventually(() => {
        const i = t.events.findIndex((e, i) => i >= staleAt && e.type === "reconnect");
        return i === -1 ? null : i + 2;
      }, 10_000);
      expect(connection(backAt).state).toBe("open");
      expect(t.events.filter((e) => e.type === "error")).toEqual([]);
      await t.engine.stop("done");
      expect(await running).toBe(0);
    } finally {
      await proxy.close();
    }
  });
});

describe("a half-open websocket", () => {
  it("is replaced at once: the leader's fills are copied from the stream again while the dead connection is still held", async () => {
    // Sweeps an hour apart: after the reconnect's own sweep, only the stream can copy.
    const t = await setup(settings((x) => (x.exec.sweepSeconds = 3600)));
    const proxy = await startFreezingProxy(Number(new URL(t.sim.wsUrl).port));
    try {
      const running = t.run((onEvent) =>
        openStreams({
          wsUrl: proxy.url(t.sim.wsUrl),
          isTestnet: false,
          users: { leaders: [t.leader.address], us: t.master.address },
          onEvent,
          // A second unanswered: a busy machine's stall is not taken for the black hole often,
          // and the black hole is still found within a second or two.
          pingIntervalMs: 100,
          pongTimeoutMs: 1_000,
        }),
      );
      await eventually(() => t.events.some((e) => e.type === "sweep"));
      const total = t.sim.control.stats().ws.connectionsTotal;
      // A router drops the websocket's connection (nothing passes, not even a close); a new
      // connection would pass, as the REST requests do.
      expect(proxy.blackHole()).toBe(1);
      await eventually(() =>
        t.events.find((e) => e.type === "warning" && /^websocket stale: /.test(e.message)),
      );
      const reconnected = await eventually(() => t.events.findIndex((e) => e.type === "reconnect") + 1);
      expect(t.sim.control.stats().ws.connectionsTotal).toBeGreaterThan(total);
      // The reconnect's sweep (data may have been missed) has run.
      await eventually(() => t.events.slice(reconnected).some((e) => e.type === "sweep"));
      await trade(t.leaderClient, "SOL", "buy", 50);
      const copied = await eventually(() =>
        t.events.find((e) => e.type === "order" && e.coin === "SOL" && e.status === "filled"),
      );
      expect(copied).toMatchObject({ kind: "copy", size: 5 });
      expect(t.events.find((e) => e.type === "decision" && e.coins.includes("SOL"))).toMatchObject({
        trigger: "fill",
      });
      // The dead connection is still held open (it and the new one).
      expect(proxy.open()).toBeGreaterThanOrEqual(2);
      // Each reconnect is one a stale socket's drop began — the dead connection's late close adds
      // none. (On a machine too busy to answer a ping within the timeout, the new socket can be
      // taken for stale too: that is another drop, said as one, and replaced the same way.)
      const stale = t.events.filter((e) => e.type === "warning" && /^websocket stale: /.test(e.message));
      expect(t.events.filter((e) => e.type === "reconnect")).toHaveLength(stale.length);
      expect(
        t.events.filter(
          (e) =>
            e.type === "connection" &&
            e.state === "reconnecting" &&
            !e.detail?.startsWith("the exchange has not answered"),
        ),
      ).toEqual([]);
      await t.engine.stop("done");
      expect(await running).toBe(0);
    } finally {
      await proxy.close();
    }
  });
});

describe("books while the websocket is down", () => {
  it("are said not streamed once, naming the websocket, though every sweep retries; once more when streamed again", async () => {
    const t = await setup(settings((x) => (x.exec.sweepSeconds = 1)));
    await trade(t.leaderClient, "BTC", "buy", 1);
    // The websocket through a proxy that can refuse it; REST straight to the simulator.
    const proxy = await startFaultProxy(t.sim.httpUrl);
    try {
      const running = t.run((onEvent) =>
        openStreams({
          wsUrl: t.sim.wsUrl.replace(new URL(t.sim.httpUrl).host, new URL(proxy.httpUrl).host),
          isTestnet: false,
          users: { leaders: [t.leader.address], us: t.master.address },
          onEvent,
        }),
      );
      await eventually(() => t.sim.control.stats().ws.subscriptionsByType.bbo === 1);
      proxy.blockWebsockets(true);
      t.sim.control.fault({ kind: "dropWs" });
      await eventually(() => t.events.some((e) => e.type === "connection" && e.state === "reconnecting"));
      // A new coin: its book cannot be streamed while the websocket is down.
      await trade(t.leaderClient, "SOL", "buy", 50);
      const books = () =>
        t.events.filter(
          (e) => (e.type === "warning" || e.type === "notice") && e.message.startsWith("books:"),
        );
      await eventually(() => books().length > 0);
      // Three more sweeps: each tried the SOL book again, and said nothing.
      const after = t.events.length;
      await eventually(() => t.events.slice(after).filter((e) => e.type === "sweep").length >= 3);
      expect(books()).toEqual([
        expect.objectContaining({
          type: "warning",
          message:
            "books: the websocket is down: the best bid/ask is not streamed, so order prices start from the mid the sweeps read, until it is back (the run goes on)",
        }),
      ]);
      proxy.blockWebsockets(false);
      await eventually(() => t.sim.control.stats().ws.subscriptionsByType.bbo === 2);
      await eventually(() => books().length === 2);
      expect(books()[1]).toMatchObject({
        type: "notice",
        kind: "books",
        message: "books: the best bid/ask is streamed again",
      });
      await t.engine.stop("done");
      expect(await running).toBe(0);
      expect(books()).toHaveLength(2);
    } finally {
      await proxy.close();
    }
  });
});

describe("a dry run", () => {
  it("shows what the kill switch would do but leaves no halt and no equity in the journal", async () => {
    const t = await setup(
      settings((x) => {
        x.risk.maxDrawdownPct = 5;
      }),
    );
    await trade(t.leaderClient, "BTC", "buy", 1);
    // An earlier run saw $200 000: today's $100 000 is a 50% drawdown.
    t.journal.recordEquity(1, 200_000);
    const { engine: dry } = t.follow({
      executor: null,
      settings: settings((x) => {
        x.risk.maxDrawdownPct = 5;
      }),
      mode: "dry-run",
      command: "dry-run",
    });
    const halts: EngineEvent[] = [];
    dry.events.on((e) => {
      if (e.type === "halt") halts.push(e);
    });
    dry.begin();
    const r = await dry.sweep("sweep");
    expect(r.halted).toBe(true);
    expect(halts).toEqual([expect.objectContaining({ type: "halt", kind: "kill-switch", recorded: false })]);
    expect(r.results).toEqual([]);
    expect(t.journal.activeHalt()).toBeNull();
    expect(t.journal.latestEquity()?.accountValue).toBe(200_000);
    await dry.stop("done");
  });
});

describe("follow --dry-run models what a live run would have done", () => {
  it("each planned order is taken as filled (on the book, as paper): the next plan starts from there, nothing is sent, and each order is counted once", async () => {
    const t = await setup();
    await trade(t.leaderClient, "BTC", "buy", 1);
    const {
      engine: dry,
      events,
      run,
    } = t.follow({
      executor: null,
      settings: settings((x) => {
        x.exec.sweepSeconds = 3600;
      }),
      mode: "dry-run",
      command: "dry-run",
    });
    const decided = () =>
      events.flatMap((e) =>
        e.type === "decision" ? e.plan.actions.map((a) => [a.coin, a.side, a.size, a.reduceOnly]) : [],
      );
    const sweeps = () => events.filter((e) => e.type === "sweep");
    const running = run();
    await eventually(() => sweeps().length === 1);
    // The start: what a live run would send first.
    expect(decided()).toEqual([["BTC", "buy", 0.1, false]]);
    // The leader did nothing since: a live run would be in sync, and so is the dry run.
    dry.sweepNow();
    await eventually(() => sweeps().length === 2);
    expect(decided()).toHaveLength(1);
    expect(sweeps().at(-1)).toMatchObject({ inSync: true });
    // The leader adds 1 BTC: the plan adds our 0.1 to the 0.1 the dry run holds, not 0.2 again.
    await trade(t.leaderClient, "BTC", "buy", 1);
    await eventually(() => decided().length === 2);
    expect(decided()[1]).toEqual(["BTC", "buy", 0.1, false]);
    // It closes: the dry run closes the 0.2 it holds (a live run's reduce-only close).
    await trade(t.leaderClient, "BTC", "sell", 2, true);
    await eventually(() => decided().length === 3);
    expect(decided()[2]).toEqual(["BTC", "sell", 0.2, true]);
    const states = events.filter((e) => e.type === "state");
    expect(states.at(-1)).toMatchObject({ account: { positions: {} } });
    // The model's equity paid the taker fee and the book's spread on 0.4 BTC traded.
    const last = states.at(-1);
    const equity = last?.type === "state" ? last.account.accountValue : 0;
    expect(equity).toBeLessThan(100_000);
    expect(equity).toBeGreaterThan(99_000);
    await dry.stop("done");
    expect(await running).toBe(0);
    // Nothing was sent; the real account never moved.
    expect(t.sim.control.orderHistory(t.master.address)).toEqual([]);
    expect(await positions(t.client, t.master.address)).toEqual({});
    // The dashboard's "planned" and the closing summary count each order once.
    let model = initialDashboardState({ mode: "dry-run" });
    for (const e of events) model = reduceDashboard(model, e);
    expect(runSummary(model)).toMatchObject({ planned: 3, copiedTrades: 0, positions: [] });
  });
});

describe("recovery after a crash", () => {
  it("looks every unresolved order up by cloid: a placed one takes its real outcome, a lost one is waited out, then closed", async () => {
    const t = await setup();
    const markets = await t.client.getMarkets();
    const placed = action(markets, "ETH", "buy", 1);
    const lost = action(markets, "SOL", "buy", 10);
    // The crashed run journaled both intents and sent only the first.
    t.journal.recordOrderIntent({ runId: null, ts: Date.now(), action: placed });
    t.journal.recordOrderIntent({ runId: null, ts: Date.now(), action: lost });
    t.journal.updateOrder(placed.cloid, { ts: Date.now(), status: "sent" });
    t.journal.updateOrder(lost.cloid, { ts: Date.now(), status: "sent" });
    const [r] = await t.client.placeOrders([placed], markets);
    expect(r?.status).toBe("filled");
    const { engine } = t.follow({
      settings: settings(),
      orderSettleMs: 1_500, // longer than the placed order's look-up takes on a busy machine
    });
    const warnings: string[] = [];
    engine.events.on((e) => {
      if (e.type === "warning") warnings.push(e.message);
    });
    expect(await engine.recoverOrders()).toBe(2);
    expect(t.journal.getOrder(placed.cloid)).toMatchObject({ status: "filled", filledSize: 1 });
    expect(t.journal.getOrder(lost.cloid)?.status).toBe("rejected");
    // The lost one was waited out: closed no sooner than its settle window after its intent
    // (the engine's own clock in the journal, not the test's wall time).
    const lostRow = t.journal.getOrder(lost.cloid);
    expect((lostRow?.updatedAt ?? 0) - (lostRow?.ts ?? 0)).toBeGreaterThanOrEqual(1_500);
    expect(t.journal.getOrder(lost.cloid)?.error).toContain("never reached the exchange");
    expect(warnings.some((w) => w.includes(lost.cloid))).toBe(true);
    expect(t.journal.ordersInState(["pending", "sent", "uncertain"])).toEqual([]);
  });
});

describe("several leaders", () => {
  it("nets their weighted targets per coin: 0.1 × (0.5 × 1 BTC − 0.5 × 0.4 BTC) = 0.03 BTC", async () => {
    const t = await setup();
    const second = fundedAccount(t.sim, 1_000_000);
    const secondClient = t.clientOf(second);
    await trade(t.leaderClient, "BTC", "buy", 1);
    await trade(secondClient, "BTC", "sell", 0.4);
    await trade(secondClient, "ETH", "buy", 10);
    const { engine } = t.follow({
      settings: settings(),
      leaders: [
        { address: t.leader.address, weight: 0.5 },
        { address: second.address, weight: 0.5 },
      ],
    });
    engine.begin();
    await engine.sweep("start");
    expect(await positions(t.client, t.master.address)).toEqual({ BTC: 0.03, ETH: 0.5 });
    await engine.stop("done");
  });
});

describe("leader cash flows", () => {
  it("a leader's withdrawal is not a trade: equity-ratio targets stay where they were", async () => {
    const t = await setup(
      settings((x) => {
        x.sizing.mode = "equity-ratio";
        x.sizing.multiplier = 1;
      }),
    );
    await trade(t.leaderClient, "BTC", "buy", 1);
    t.engine.begin();
    const first = await t.engine.sweep("start");
    const btc = (await positions(t.client, t.master.address)).BTC ?? 0;
    expect(first.results.map((r) => r.coin)).toEqual(["BTC"]);
    expect(btc).toBeGreaterThan(0);
    // The leader takes half its account out. Its equity halves; its position does not.
    t.sim.control.fund(t.leader.address, -400_000);
    const after = await t.engine.sweep();
    expect(after.results).toEqual([]);
    expect((await positions(t.client, t.master.address)).BTC).toBe(btc);
    await t.engine.stop("done");
  });
});

describe("the daily loss limit", () => {
  it("blocks increases for the rest of the UTC day but still lets reductions through", async () => {
    const t = await setup(
      settings((x) => {
        x.risk.maxDailyLossPct = 5;
        x.risk.maxDrawdownPct = 90;
      }),
    );
    await trade(t.leaderClient, "ETH", "buy", 10);
    t.engine.begin();
    await t.engine.sweep("start");
    expect((await positions(t.client, t.master.address)).ETH).toBe(1);
    // Earlier today the account was worth $120 000: now ~$100 000 is a 17% daily loss.
    const today = new Date();
    today.setUTCHours(0, 0, 1, 0);
    t.journal.recordEquity(today.getTime(), 120_000);
    await trade(t.leaderClient, "BTC", "buy", 1); // an increase: blocked
    await trade(t.leaderClient, "ETH", "sell", 5, true); // a reduction: goes
    const r = await t.engine.sweep();
    expect(r.results.map((x) => [x.coin, x.side, x.reduceOnly])).toEqual([["ETH", "sell", true]]);
    expect(r.plan.skipped.find((s) => s.coin === "BTC")?.reason).toBe("daily-loss");
    expect(await positions(t.client, t.master.address)).toEqual({ ETH: 0.5 });
    await t.engine.stop("done");
  });
});
