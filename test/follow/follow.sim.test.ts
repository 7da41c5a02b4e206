// The follow loop against the in-process simulator, fault by fault: a scripted leader trades,
// the engine copies it over real websockets and HTTP, the simulator injects the fault, and
// at the end the account is in sync with no cloid sent twice.

import { privateKeyToAccount } from "viem/accounts";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { planReviewer } from "../../src/cli/review.js";
import { runEngineWithView } from "../../src/cli/run-engine.js";
import { engineClient, streamsOpener } from "../../src/cli/wiring.js";
import { defaultSettings, type Settings } from "../../src/core/settings.js";
import type { Address } from "../../src/core/types.js";
import { CopyEngine } from "../../src/engine/engine.js";
import type { EngineEvent } from "../../src/engine/events.js";
import { liveExecutor } from "../../src/engine/executor.js";
import type { ReviewPlan } from "../../src/engine/ports.js";
import { RequestBudget } from "../../src/exchange/index.js";
import { type SimFault, type SimHandle, startSim } from "../../src/sim/index.js";
import { leaderKeyForSeed, startScriptedLeader } from "../../src/sim/leader.js";
import { openJournal } from "../../src/store/journal.js";
import { createPrompt } from "../../src/store/secrets.js";
import { describeEvent, eventRecord } from "../../src/ui/describe.js";
import { eventually, masterWithAgent } from "../exchange/helpers.js";
import { Capture, FakeTty, terminalScreen } from "../keys/io.js";

// One simulator per test: a fault or a timeout in one test cannot leak into the next.
let sim: SimHandle;
let seed = 100;
beforeEach(async () => {
  sim = await startSim({ seed: 31, tickMs: 0 });
});
afterEach(async () => {
  await sim.close();
});

function settings(patch: (s: Settings) => void = () => {}): Settings {
  const s = defaultSettings();
  s.sizing.mode = "fixed-ratio";
  s.sizing.ratio = 0.2; // the leader's $200–2000 trades become $40–400: above the $10 minimum
  s.exec.sweepSeconds = 3600; // sweeps only when a test (or a reconnect) asks
  patch(s);
  return s;
}

async function follow(
  s: Settings = settings(),
  options: { staleMs?: number; exitOnHalt?: boolean; backoffMs?: number } = {},
) {
  const { master, agentKey } = await masterWithAgent(sim, 100_000);
  const leaderKey = leaderKeyForSeed(seed++);
  const leader = { address: privateKeyToAccount(leaderKey).address.toLowerCase() as Address };
  sim.control.fund(leader.address, 1_000_000);
  // The simulator has no rate limit: lift ours so back-to-back test sweeps are not paced
  // (a 429 from the simulator still puts the budget into backoff).
  const budget = new RequestBudget({
    limitPerMinute: 1e9,
    burst: 1e6,
    initialBackoffMs: 50,
    maxBackoffMs: 200,
  });
  const client = engineClient({
    httpUrl: sim.httpUrl,
    wsUrl: sim.wsUrl,
    isTestnet: false,
    account: master.address,
    agentKey,
    budget,
  });
  const journal = openJournal(":memory:");
  const engine = new CopyEngine({
    reader: client,
    executor: liveExecutor(client),
    journal,
    settings: s,
    leaders: [{ address: leader.address, weight: 1 }],
    account: master.address,
    network: sim.httpUrl,
    mode: "live",
    command: "follow",
    // The leader, funded a moment ago, trades in the bursts the tests start once the run is on.
    allowEmptyLeader: true,
    backoffMs: 50,
    ...options,
  });
  const events: EngineEvent[] = [];
  engine.events.on((e) => events.push(e));
  const done = engine.run(
    streamsOpener({ wsUrl: sim.wsUrl, isTestnet: false, leaders: [leader.address], account: master.address }),
  );
  await eventually(() => events.some((e) => e.type === "sweep"));
  let leaderSeed = seed * 7;
  /** The leader makes `n` more trades (the same account, a new script). */
  const burst = async (n: number, rate = 25) => {
    const l = await startScriptedLeader({
      httpUrl: sim.httpUrl,
      seed: leaderSeed++,
      privateKey: leaderKey,
      ratePerSec: rate,
      coins: ["BTC", "ETH", "SOL", "HYPE"],
      maxTrades: n,
      fundUsd: 0,
    });
    return l;
  };
  return {
    master: master.address,
    leader: leader.address,
    engine,
    events,
    journal,
    done,
    burst,
    client,
    budget,
  };
}

/**
 * After a fault: sweep until neither the request budget (a 429) nor any coin (a rejection)
 * is still backing off, so the check that follows sees the copy, not the fault's cool-down.
 */
async function untilBackoffsLapse(t: Awaited<ReturnType<typeof follow>>) {
  await eventually(async () => {
    const s = await t.engine.sweep("manual");
    return !t.budget.isBackingOff() && !s.plan.skipped.some((x) => x.reason === "backoff");
  }, 15_000);
}

/** After the leader stops: one sweep repairs what the stream missed, the next finds nothing. */
async function expectInSync(t: Awaited<ReturnType<typeof follow>>) {
  await t.engine.sweep("manual");
  const check = await t.engine.sweep("manual");
  expect(check.results).toEqual([]);
  expect(
    check.plan.skipped
      .filter((s) => s.reason !== "below-min-notional")
      .map((s) => `${s.coin} ${s.reason} ${s.detail}`),
  ).toEqual([]);
  expect(check.plan.inSync).toBe(true);
  const cloids = sim.control.orderHistory(t.master).map((o) => o.cloid);
  expect(cloids.length).toBeGreaterThan(0);
  expect(new Set(cloids).size).toBe(cloids.length);
}

describe("hlcopy follow against the simulator", () => {
  it("copies a 50-trade leader across four coins with no /info request between sweeps, then is in sync", async () => {
    const t = await follow();
    const l = await t.burst(50, 40);
    const infoAtStart = sim.control.stats().requests.info; // after the leader's own start reads
    await l.done;
    const leaderTrades = l.trades();
    expect(leaderTrades).toBeGreaterThanOrEqual(45);
    // Every leader trade reached us as a fill event and was planned on the hot path.
    await eventually(() => t.events.filter((e) => e.type === "leaderFill").length >= leaderTrades);
    await t.engine.sweep("manual").then(() => undefined); // flush the queue (one sweep)
    const infoDuringBurst = sim.control.stats().requests.info - infoAtStart;
    // The one flush sweep reads markets (allMids), the leader, us (+ open orders) and the
    // leader's ledger: 5. Nothing else touched /info while 50 trades were copied.
    expect(infoDuringBurst).toBeLessThanOrEqual(5);
    // Books of the coins in play are streamed, so limit prices start from the real top of book.
    await eventually(() => (sim.control.stats().ws.subscriptionsByType.bbo ?? 0) >= 1);
    const hotOrders = t.events.filter((e) => e.type === "decision" && e.trigger === "fill").length;
    expect(hotOrders).toBeGreaterThan(10);
    await expectInSync(t);
    expect(await t.engine.stop("test")).toBe(0);
  });

  const faults: [string, SimFault][] = [
    ["dropWs during a burst", { kind: "dropWs" }],
    ["partialFill", { kind: "partialFill", count: 4, fraction: 0.5 }],
    ["http429", { kind: "http429", count: 2, endpoint: "exchange" }],
    ["http500 after execution", { kind: "http500", count: 2, endpoint: "exchange", stage: "after" }],
    ["latency 500", { kind: "latency", ms: 500 }],
  ];
  for (const [name, fault] of faults) {
    it(`${name}: ends in sync with no duplicate cloid`, async () => {
      const t = await follow();
      // Every leader order waits too under added latency: a shorter burst keeps the test quick.
      const l = await t.burst(fault.kind === "latency" ? 4 : 12, 30);
      await eventually(() => t.events.some((e) => e.type === "order"), 5_000);
      sim.control.fault(fault);
      await l.done;
      if (fault.kind === "dropWs")
        await eventually(() => t.events.some((e) => e.type === "reconnect"), 5_000);
      sim.control.fault({ kind: "latency", ms: 0 });
      await untilBackoffsLapse(t);
      await expectInSync(t);
      expect(await t.engine.stop("test")).toBe(0);
    });
  }

  it("rejectOrders: rejected orders are journaled, the coin backs off, and a later sweep gets in sync", async () => {
    const t = await follow(settings(), { backoffMs: 600 });
    t.engine.togglePause(); // build up drift while the leader trades…
    const l = await t.burst(8, 30);
    await l.done;
    await t.engine.sweep("manual"); // …(paused: planned, not sent)
    // …and the decision says so, in its line and its JSON (a paused "sell …" read as sent).
    const held = t.events.filter((e) => e.type === "decision" && e.plan.actions.length > 0).at(-1);
    expect(held?.type === "decision" && held.held).toBe("paused");
    if (held) {
      expect(describeEvent(held)?.text).toMatch(/^decision manual: .+ \(paused: not sent\)$/);
      expect(eventRecord(held)).toMatchObject({ held: "paused" });
    }
    // The leader's trades that came meanwhile: held, and journaled so — report counts them
    // skipped `paused`, replaying the tally the dashboard counts them with (core/leader-trades.ts).
    const heldTrades = t.events.filter(
      (e) => e.type === "decision" && e.trigger === "fill" && e.held === "paused",
    );
    expect(heldTrades.length).toBeGreaterThan(0);
    const journaled = t.journal
      .tradeDecisionsOf(t.engine.runId ?? -1)
      .filter((d) => d.trigger === "fill" && d.held === "paused");
    expect(journaled.map((d) => d.ts)).toEqual(heldTrades.map((e) => e.ts));
    t.engine.togglePause();
    sim.control.fault({ kind: "rejectOrders", count: 2, message: "Insufficient margin to place order." });
    const first = await t.engine.sweep("manual");
    const rejected = first.results.filter((r) => r.status === "rejected");
    expect(rejected.length).toBe(Math.min(2, first.results.length));
    expect(rejected[0]?.error).toContain("Insufficient margin");
    expect(t.journal.getOrder(rejected[0]?.cloid ?? "")?.status).toBe("rejected");
    // While the coin backs off its plan says so instead of retrying in a tight loop.
    const during = await t.engine.sweep("manual");
    expect(during.plan.skipped.some((s) => s.reason === "backoff")).toBe(true);
    // When the backoff ends the coin is re-planned by itself, without waiting for a sweep.
    const coin = rejected[0]?.coin ?? "";
    const sweepsBefore = t.events.filter((e) => e.type === "sweep").length;
    const from = t.events.length;
    await eventually(
      () =>
        t.events
          .slice(from)
          .some((e) => e.type === "order" && e.coin === coin && e.status === "filled" && e.reason === "open"),
      3_000,
    );
    expect(t.events.filter((e) => e.type === "sweep").length).toBe(sweepsBefore);
    await expectInSync(t);
    expect(await t.engine.stop("test")).toBe(0);
  });

  it("silenceWs past the stale window blocks increases only, and the copy catches up", async () => {
    const t = await follow(settings(), { staleMs: 200 });
    const silenceEnds = Date.now() + 1_500; // the simulator's clock is the wall clock here
    sim.control.fault({ kind: "silenceWs", ms: 1_500 });
    const l = await t.burst(8, 20);
    await l.done;
    // The check is about catching up once the stream speaks again: wait for the fault's end.
    await eventually(() => Date.now() > silenceEnds, 15_000);
    await expectInSync(t);
    expect(await t.engine.stop("test")).toBe(0);
  });

  it("the kill switch flattens reduce-only, persists the halt and exits 4 with --exit-on-halt", async () => {
    const s = settings((x) => {
      x.risk.maxDrawdownPct = 1;
      x.sizing.ratio = 10; // big positions so a price move is a real drawdown
    });
    const t = await follow(s, { exitOnHalt: true });
    const l = await t.burst(6, 20);
    await l.done;
    await t.engine.sweep("manual");
    const positions = (await t.client.getAccountState(t.master)).positions;
    expect(Object.keys(positions).length).toBeGreaterThan(0);
    // Move every held coin 20% against us.
    for (const p of Object.values(positions)) {
      const mid = sim.control.mid(p.coin) ?? 0;
      sim.control.setMid(p.coin, p.size > 0 ? mid * 0.8 : mid * 1.2);
    }
    t.engine.sweepNow(); // the stream's account value or this sweep sees the drawdown, whichever is first
    const code = await t.done;
    expect(code).toBe(4);
    expect(t.events.some((e) => e.type === "halt" && e.kind === "kill-switch")).toBe(true);
    const closes = t.events.filter((e) => e.type === "order" && e.reason === "kill-switch");
    expect(closes.length).toBeGreaterThan(0);
    for (const c of closes) if (c.type === "order") expect(c.reduceOnly).toBe(true);
    expect((await t.client.getAccountState(t.master)).positions).toEqual({});
    expect(t.journal.activeHalt()?.kind).toBe("kill-switch");
  });

  it("a leader liquidation closes that coin on our side, reduce-only, and journals it", async () => {
    const t = await follow();
    // A second, thin leader account: $1 000 holding ~$15 000 of BTC.
    const { generatePrivateKey } = await import("viem/accounts");
    const thinKey = generatePrivateKey();
    const thin = privateKeyToAccount(thinKey).address.toLowerCase() as Address;
    sim.control.fund(thin, 1_000);
    const thinClient = engineClient({
      httpUrl: sim.httpUrl,
      wsUrl: sim.wsUrl,
      isTestnet: false,
      account: thin,
      agentKey: thinKey,
    });
    const journal = openJournal(":memory:");
    const engine = new CopyEngine({
      reader: t.client,
      executor: liveExecutor(t.client),
      journal,
      settings: settings(),
      leaders: [{ address: thin, weight: 1 }],
      account: t.master,
      network: sim.httpUrl,
      mode: "live",
      command: "follow",
      // The thin leader, funded a moment ago, makes its first trade once the run is under way.
      allowEmptyLeader: true,
    });
    await t.engine.stop("only the thin leader now");
    const events: EngineEvent[] = [];
    engine.events.on((e) => events.push(e));
    const done = engine.run(
      streamsOpener({ wsUrl: sim.wsUrl, isTestnet: false, leaders: [thin], account: t.master }),
    );
    await eventually(() => events.some((e) => e.type === "sweep"));
    const markets = await thinClient.getMarkets();
    const btc = markets.BTC;
    if (!btc) throw new Error("no BTC");
    const size = Number((15_000 / btc.mid).toFixed(btc.szDecimals));
    const [opened] = await thinClient.placeOrders(
      [
        {
          coin: "BTC",
          side: "buy",
          size,
          limitPx: Math.round(btc.mid * 1.01),
          reduceOnly: false,
          cloid: `0x${"ab".repeat(16)}`,
          reason: "open",
          refPx: btc.mid,
        },
      ],
      markets,
    );
    expect(opened?.status).toBe("filled");
    await eventually(() =>
      events.some((e) => e.type === "order" && e.coin === "BTC" && e.status === "filled"),
    );
    sim.control.setMid("BTC", btc.mid * 0.9); // −10% on 15× leverage: the leader is liquidated
    await eventually(() => events.some((e) => e.type === "leaderFill" && e.liquidation), 5_000);
    await eventually(() => events.some((e) => e.type === "order" && e.reason === "leader-liquidated"), 5_000);
    const close = events.find((e) => e.type === "order" && e.reason === "leader-liquidated");
    // Priced from the liquidation's own print, not the stale mid: it fills the first time.
    expect(close?.type === "order" && close.status).toBe("filled");
    expect(close?.type === "order" && close.reduceOnly).toBe(true);
    await eventually(
      async () => (await t.client.getAccountState(t.master)).positions.BTC === undefined,
      5_000,
    );
    expect(
      journal
        .listEntries({ table: "events" })
        .some((e) => e.table === "events" && e.type === "leaderLiquidated"),
    ).toBe(true);
    await engine.stop("test");
    expect(await done).toBe(0);
  });

  it("a position the trader opens in the account during a run is left alone (not-ours), said once, never closed", async () => {
    const t = await follow();
    const l = await t.burst(6, 20);
    await l.done;
    await t.engine.sweep("manual");
    // The trader buys DOGE by hand, with the same agent, while follow runs.
    const markets = await t.client.getMarkets();
    const { action } = await import("../exchange/helpers.js");
    const [manual] = await t.client.placeOrders([action(markets, "DOGE", "buy", 300)], markets);
    expect(manual?.status).toBe("filled");
    const first = await t.engine.sweep("manual");
    const second = await t.engine.sweep("manual");
    for (const sweep of [first, second]) {
      expect(sweep.plan.actions.filter((a) => a.coin === "DOGE")).toEqual([]);
      expect(sweep.plan.skipped.find((s) => s.coin === "DOGE")?.reason).toBe("not-ours");
    }
    const warnings = t.events.filter(
      (e) => e.type === "warning" && e.message.includes("changed outside hlcopy"),
    );
    expect(warnings).toHaveLength(1);
    expect((await t.client.getAccountState(t.master)).positions.DOGE?.size).toBe(300);
    await t.engine.stop("test");
  });

  it("a trade by hand during a run is noticed from its fill, before any sweep is due: the coin is left alone from then on", async () => {
    const t = await follow();
    const l = await t.burst(6, 20);
    await l.done;
    await t.engine.sweep("manual");
    const sweepsBefore = t.events.filter((e) => e.type === "decision" && e.trigger !== "fill").length;
    // Sweeps are an hour apart here: only the fill of an order hlcopy never sent can start one.
    const markets = await t.client.getMarkets();
    const { action } = await import("../exchange/helpers.js");
    const [manual] = await t.client.placeOrders([action(markets, "DOGE", "buy", 300)], markets);
    expect(manual?.status).toBe("filled");
    await eventually(() =>
      t.events.some((e) => e.type === "warning" && e.message.includes("changed outside hlcopy: DOGE")),
    );
    expect(t.events.filter((e) => e.type === "decision" && e.trigger !== "fill").length).toBeGreaterThan(
      sweepsBefore,
    );
    const next = await t.engine.sweep("manual");
    expect(next.plan.skipped.find((s) => s.coin === "DOGE")?.reason).toBe("not-ours");
    expect((await t.client.getAccountState(t.master)).positions.DOGE?.size).toBe(300);
    await t.engine.stop("test");
  });

  it("our own orders' fills start no sweep (the copy path reads nothing between sweeps)", async () => {
    const t = await follow();
    await t.engine.sweep("manual");
    const sweepsBefore = t.events.filter((e) => e.type === "decision" && e.trigger !== "fill").length;
    const l = await t.burst(6, 20);
    await l.done;
    await eventually(() => t.events.filter((e) => e.type === "order" && e.status === "filled").length >= 6);
    expect(t.events.filter((e) => e.type === "decision" && e.trigger !== "fill").length).toBe(sweepsBefore);
    await t.engine.stop("test");
  });

  describe("a plan the trader confirmed at the start, and the leader trading while the trader decided", () => {
    /**
     * A leader holding BTC, a follower and its engine, not started. `answers`: the trader's
     * yes/no in turn; "wait": never answers (until the run is stopped). `ask`: the review as
     * `hlcopy follow` asks it instead.
     */
    async function reviewedEngine(
      answers: (boolean | "wait")[],
      ask?: ReviewPlan,
      unlock?: (signal: AbortSignal) => Promise<void>,
      confirmAbovePct = 5,
    ) {
      const { master, agentKey } = await masterWithAgent(sim, 100_000);
      const leaderAcct = await masterWithAgent(sim, 1_000_000);
      const connect = (account: Address, key: `0x${string}`) =>
        engineClient({ httpUrl: sim.httpUrl, wsUrl: sim.wsUrl, isTestnet: false, account, agentKey: key });
      const leaderClient = connect(leaderAcct.master.address, leaderAcct.agentKey);
      const client = connect(master.address, agentKey);
      const { action } = await import("../exchange/helpers.js");
      const trade = async (coin: string, size: number) => {
        const m = await leaderClient.getMarkets();
        const [r] = await leaderClient.placeOrders([action(m, coin, "buy", size)], m);
        expect(r?.status).toBe("filled");
      };
      await trade("BTC", 1);
      const reviews: { coins: string[]; reasons: string[] }[] = [];
      const journal = openJournal(":memory:");
      const engine = new CopyEngine({
        reader: client,
        executor: liveExecutor(client),
        journal,
        // A re-ask needs growth beyond what a run moves unasked: 5 % of $100 000 here, below the
        // ETH the leader opens while the trader reads (2 ETH at the 0.2 ratio, ~$6 800).
        settings: settings((s) => {
          s.exec.confirmAbovePct = confirmAbovePct;
        }),
        leaders: [{ address: leaderAcct.master.address, weight: 1 }],
        account: master.address,
        network: sim.httpUrl,
        mode: "live",
        command: "follow",
        backoffMs: 50,
        // As `hlcopy follow` runs live: its default step on a clean stop.
        onExit: "protect",
        ...(unlock ? { unlock } : {}),
        review: async (plan, reasons, signal) => {
          reviews.push({ coins: [...new Set(plan.actions.map((a) => a.coin))].sort(), reasons });
          if (ask) return ask(plan, reasons, signal);
          const answer = answers[reviews.length - 1] ?? false;
          if (answer === "wait") {
            return new Promise<boolean>((_, reject) =>
              signal?.addEventListener("abort", () => reject(new Error("the question was abandoned"))),
            );
          }
          // While the trader reads the first plan, the leader opens ETH.
          if (reviews.length === 1) await trade("ETH", 10);
          return answer;
        },
      });
      const sentCoins = () =>
        [...new Set(sim.control.orderHistory(master.address).map((o) => o.coin))].sort();
      const streams = streamsOpener({
        wsUrl: sim.wsUrl,
        isTestnet: false,
        leaders: [leaderAcct.master.address],
        account: master.address,
      });
      return { engine, reviews, sentCoins, streams, leader: leaderAcct.master.address, master, journal };
    }

    async function reviewedStart(answers: (boolean | "wait")[]) {
      const { engine, reviews, sentCoins, streams } = await reviewedEngine(answers);
      // As `hlcopy follow` runs it: the checks and the review (at the terminal, before the
      // dashboard), then the run.
      if (answers.includes("wait")) return { engine, preflight: engine.preflight(), reviews, sentCoins };
      const refused = await engine.preflight().then(
        () => null,
        (e: unknown) => e as Error & { exitCode?: number },
      );
      if (refused)
        return { engine, done: engine.stop("refused", refused.exitCode), reviews, sentCoins, refused };
      const done = engine.run(streams);
      return { engine, done, reviews, sentCoins, refused };
    }

    it("is asked for again with what changed; what is sent is what was confirmed last", async () => {
      const t = await reviewedStart([true, true]);
      await eventually(() => t.sentCoins().length === 2);
      expect(t.reviews.map((r) => r.coins)).toEqual([["BTC"], ["BTC", "ETH"]]);
      expect(t.reviews[1]?.reasons).toHaveLength(1);
      expect(t.reviews[1]?.reasons[0]).toMatch(
        /^the plan changed while you were deciding: it now moves \$[\d,]+\.\d\d, you confirmed \$[\d,]+\.\d\d$/,
      );
      expect(t.sentCoins()).toEqual(["BTC", "ETH"]);
      await t.engine.stop("test");
      expect(await t.done).toBe(0);
    });

    it("a stop (SIGTERM) while the question waits abandons it: the stop completes, nothing is sent", async () => {
      const t = await reviewedStart(["wait"]);
      const outcome = t.preflight?.then(
        () => "answered",
        (e: unknown) => (e as Error).message,
      );
      await eventually(() => t.reviews.length === 1);
      expect(await t.engine.stop("signal SIGTERM")).toBe(0);
      expect(await outcome).toBe("the question was abandoned");
      expect(t.sentCoins()).toEqual([]);
    });

    /** The engine as `hlcopy follow` runs it: checks and review at the terminal, then the run. */
    function runAsFollowDoes(t: Awaited<ReturnType<typeof reviewedEngine>>, started?: () => void) {
      return runEngineWithView({
        json: false,
        noUi: true,
        setUp: async () => ({
          engine: t.engine,
          events: t.engine.events,
          initial: {
            mode: "live",
            leaders: [{ address: t.leader, weight: 1 }],
            account: t.master.address,
            network: sim.httpUrl,
          },
          streams: t.streams,
          preflight: true,
          ...(started ? { started } : {}),
          close: async () => {},
        }),
      });
    }

    it("a SIGTERM after the yes, before the run began (the view opening): one line says so and that nothing was sent, no summary, exit 0", async () => {
      const t = await reviewedEngine([true, true]);
      const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
      const stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
      try {
        // Right after the checks and the review passed: the signal comes while the view opens.
        const result = runAsFollowDoes(t, () => process.emit("SIGTERM", "SIGTERM"));
        // It printed the summary of a run that never ran (its trades, drift, "open positions: none").
        expect(await result).toEqual({ code: 0, summary: null, dashboard: false });
        expect(stderr.mock.calls.map((c) => String(c[0])).join("")).toBe(
          "stopped by SIGTERM before the run began: nothing was sent\n",
        );
        // Nothing was changed, the journal included: a run that never began is not journaled.
        expect(t.journal.lastRun()).toBeNull();
      } finally {
        stderr.mockRestore();
        stdout.mockRestore();
      }
      expect(t.sentCoins()).toEqual([]);
    });

    it("a SIGTERM at the question, as `follow` runs it: one line says so and that nothing was sent, exit 0", async () => {
      const tty = new FakeTty();
      const err = Object.assign(new Capture(), { isTTY: true });
      const t = await reviewedEngine(["wait"], planReviewer(false, { input: tty, err }));
      const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
      const stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
      try {
        const result = runAsFollowDoes(t);
        await eventually(() => err.text.includes("[y/N]"));
        // Another terminal: kill <pid>. Delivered to the run's handler, not to the test process.
        process.emit("SIGTERM", "SIGTERM");
        expect(await result).toEqual({ code: 0, summary: null, dashboard: false });
        expect(stderr.mock.calls.map((c) => String(c[0])).join("")).toBe(
          "stopped by SIGTERM at the review: nothing was sent\n",
        );
        // Nothing was changed, the journal included: status still shows the last run that traded.
        expect(t.journal.lastRun()).toBeNull();
      } finally {
        stderr.mockRestore();
        stdout.mockRestore();
      }
      expect(t.sentCoins()).toEqual([]);
    });

    it("a no at the question, as `follow` runs it: one plain line, nothing sent, exit 2 (it did not start, as without a terminal) — no fatal error", async () => {
      const tty = new FakeTty();
      const err = Object.assign(new Capture(), { isTTY: true });
      const t = await reviewedEngine(["wait"], planReviewer(false, { input: tty, err }));
      const fatal: unknown[] = [];
      t.engine.events.on((e) => {
        if (e.type === "error") fatal.push(e);
      });
      const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
      const stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
      try {
        const result = runAsFollowDoes(t);
        await eventually(() => err.text.includes("[y/N]"));
        tty.write("n\r");
        // Not 0 (success): `hlcopy follow … && …` must not read a declined start as a run.
        expect(await result).toEqual({ code: 2, summary: null, dashboard: false });
        expect(stderr.mock.calls.map((c) => String(c[0])).join("")).toBe("not confirmed: nothing was sent\n");
        // Nor an on-exit step it never took ("on exit: protect — …" after a no read as if it had).
        expect(stdout.mock.calls.map((c) => String(c[0])).join("")).not.toContain("on exit");
        // The trader's decision: no fatal error (alerts hear none), and the journal is as it was.
        expect(fatal).toEqual([]);
        expect(t.journal.lastRun()).toBeNull();
      } finally {
        stderr.mockRestore();
        stdout.mockRestore();
      }
      expect(t.sentCoins()).toEqual([]);
    });

    it("an event line while the question waits (hlcopy pause from another terminal) goes above it, as `follow` runs it", async () => {
      const tty = new FakeTty();
      // One terminal: the event lines (stdout) and the question (stderr) land on the same screen.
      const screen = Object.assign(new Capture(), { isTTY: true });
      const t = await reviewedEngine(["wait"], planReviewer(false, { input: tty, err: screen }));
      const stderr = vi.spyOn(process.stderr, "write").mockImplementation((c) => screen.write(String(c)));
      const stdout = vi.spyOn(process.stdout, "write").mockImplementation((c) => screen.write(String(c)));
      const question = /^Send \d+ order\(s\)\? \[y\/N\]$/; // (rows are read without trailing spaces)
      try {
        const result = runAsFollowDoes(t);
        await eventually(() => question.test(terminalScreen(screen.text).at(-1) ?? ""));
        t.engine.togglePause();
        await eventually(() =>
          screen.text.includes("paused: the leader's trades are not copied until resumed"),
        );
        await eventually(() => question.test(terminalScreen(screen.text).at(-1) ?? ""));
        const rows = terminalScreen(screen.text);
        expect(rows.at(-2)).toMatch(
          /^\d\d:\d\d:\d\d\.\d{3} paused: the leader's trades are not copied until resumed$/,
        );
        tty.write("n\r");
        expect(await result).toEqual({ code: 2, summary: null, dashboard: false }); // a declined start
      } finally {
        stderr.mockRestore();
        stdout.mockRestore();
      }
      expect(t.sentCoins()).toEqual([]);
    });

    it("a SIGTERM at the passphrase prompt (before the review): one line names the prompt, nothing was sent, exit 0", async () => {
      const tty = new FakeTty();
      const err = new Capture();
      // The key is opened once the start checks passed and before the review (the yes is the
      // last question), as `hlcopy follow` opens its keystore: the prompt gets the run's stop signal.
      const unlock = async (signal: AbortSignal) => {
        await createPrompt({ input: tty, output: err, signal }).secret(
          "Passphrase: ",
          "the keystore passphrase",
        );
      };
      const t = await reviewedEngine([true], async () => true, unlock);
      const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
      const stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
      try {
        const result = runAsFollowDoes(t);
        await eventually(() => err.text.includes("Passphrase: "));
        expect(t.reviews).toHaveLength(0); // the review comes after the key
        process.emit("SIGTERM", "SIGTERM");
        expect(await result).toEqual({ code: 0, summary: null, dashboard: false });
        expect(stderr.mock.calls.map((c) => String(c[0])).join("")).toBe(
          "stopped by SIGTERM at the prompt for the keystore passphrase: nothing was sent\n",
        );
        expect(t.journal.lastRun()).toBeNull();
        expect(tty.rawModeCalls).toEqual([true, false]);
      } finally {
        stderr.mockRestore();
        stdout.mockRestore();
      }
      expect(t.sentCoins()).toEqual([]);
    });

    it("what the leader traded while the trader read, below what a run moves unasked, is not asked again: it is copied", async () => {
      // The default 50 % of $100 000: the ~$6 800 of ETH opened meanwhile is what copying means.
      const t = await reviewedEngine([true], undefined, undefined, 50);
      await t.engine.preflight();
      const done = t.engine.run(t.streams);
      await eventually(() => t.sentCoins().length === 2);
      expect(t.reviews.map((r) => r.coins)).toEqual([["BTC"]]);
      expect(t.sentCoins()).toEqual(["BTC", "ETH"]);
      await t.engine.stop("test");
      expect(await done).toBe(0);
    });

    it("a refused start leaves the journal as it was, but a flatten asked for at the review (hlcopy flatten) stays", async () => {
      let engine: CopyEngine | null = null;
      const t = await reviewedEngine([], async () => {
        engine?.flatten("flatten requested (hlcopy flatten)");
        return false;
      });
      engine = t.engine;
      const refused = await t.engine.preflight().then(
        () => null,
        (e: unknown) => e as Error & { exitCode?: number },
      );
      expect(refused?.message).toBe("not confirmed: nothing was sent");
      expect(await t.engine.stop("refused", refused?.exitCode)).toBe(2);
      expect(t.sentCoins()).toEqual([]);
      // No run, no equity, no baseline of the leader's copy: only the trader's halt.
      expect(t.journal.lastRun()).toBeNull();
      expect(t.journal.latestEquity()).toBeNull();
      expect(t.journal.getCopyState(`leader:${t.leader.toLowerCase()}`)).toBeNull();
      expect(t.journal.activeHalt()).toMatchObject({
        kind: "manual",
        reason: "flatten requested (hlcopy flatten)",
      });
    });

    it("a no to the changed plan sends nothing: exit 2", async () => {
      const t = await reviewedStart([true, false]);
      expect(t.refused?.message).toBe("not confirmed: nothing was sent");
      expect(await t.done).toBe(2);
      expect(t.reviews).toHaveLength(2);
      expect(t.sentCoins()).toEqual([]);
    });
  });

  it("join new-only survives a restart: the baseline is journaled, new positions are copied", async () => {
    const { master, agentKey } = await masterWithAgent(sim, 100_000);
    const leaderAcct = await masterWithAgent(sim, 1_000_000);
    const leaderClient = engineClient({
      httpUrl: sim.httpUrl,
      wsUrl: sim.wsUrl,
      isTestnet: false,
      account: leaderAcct.master.address,
      agentKey: leaderAcct.agentKey,
    });
    const client = engineClient({
      httpUrl: sim.httpUrl,
      wsUrl: sim.wsUrl,
      isTestnet: false,
      account: master.address,
      agentKey,
    });
    const { action } = await import("../exchange/helpers.js");
    const trade = async (coin: string, size: number) => {
      const m = await leaderClient.getMarkets();
      const [r] = await leaderClient.placeOrders([action(m, coin, "buy", size)], m);
      expect(r?.status).toBe("filled");
    };
    await trade("BTC", 1); // held before the copy begins
    const { tempDir } = await import("../helpers/cli.js");
    const file = `${tempDir()}/journal.sqlite`;
    const run = (journal: ReturnType<typeof openJournal>) =>
      new CopyEngine({
        reader: client,
        executor: liveExecutor(client),
        journal,
        settings: settings((x) => {
          x.join = "new-only";
          x.risk.maxLeverage = 10;
        }),
        leaders: [{ address: leaderAcct.master.address, weight: 1 }],
        account: master.address,
        network: sim.httpUrl,
        mode: "live",
        command: "follow",
      });
    const j1 = openJournal(file);
    const first = run(j1);
    first.begin();
    const s1 = await first.sweep("manual");
    expect(s1.results).toEqual([]);
    expect(s1.plan.skipped.find((x) => x.coin === "BTC")?.reason).toBe("not-joined");
    await first.stop("restart");
    j1.close();

    await trade("ETH", 5); // opened after the copy began
    const j2 = openJournal(file);
    const second = run(j2);
    second.begin();
    const s2 = await second.sweep("manual");
    expect(s2.results.map((r) => [r.coin, r.status])).toEqual([["ETH", "filled"]]);
    expect(s2.plan.skipped.find((x) => x.coin === "BTC")?.reason).toBe("not-joined");
    await second.stop("done");
    j2.close();
  });
});
