// Issue 14's own exits and per-leader limits against the in-process simulator (one per test):
// take-profit tiers and the time stop in entry-only mode, one leader's drawdown unfollowing it
// while the other is still copied (and `resume --leader`), and each leader-behaviour breaker.

import { afterEach, describe, expect, it } from "vitest";
import { runResumeLeader } from "../../src/cli/resume/run.js";
import { engineClient, streamsOpener } from "../../src/cli/wiring.js";
import { RetryableError } from "../../src/core/errors.js";
import { defaultSettings, parseTakeProfitTiers, type Settings } from "../../src/core/settings.js";
import type { Address, OpenOrder } from "../../src/core/types.js";
import { CopyEngine } from "../../src/engine/engine.js";
import type { EngineEvent } from "../../src/engine/events.js";
import { liveExecutor } from "../../src/engine/executor.js";
import { type HlClient, RequestBudget } from "../../src/exchange/index.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { type Journal, journalPath, openJournal } from "../../src/store/journal.js";
import { action, eventually, fundedAccount, masterWithAgent } from "../exchange/helpers.js";
import { tempDir } from "../helpers/cli.js";

let sim: SimHandle | null = null;
afterEach(async () => {
  await sim?.close();
  sim = null;
});

function settings(patch: (s: Settings) => void = () => {}): Settings {
  const s = defaultSettings();
  s.sizing.mode = "fixed-ratio";
  s.sizing.ratio = 0.1;
  patch(s);
  return s;
}

/** A simulator, `n` funded leaders with their own clients, and a follower with an agent. */
async function setup(n = 1, opts: { leaderUsd?: number; ourUsd?: number } = {}) {
  const s = await startSim({ seed: 77, tickMs: 0 });
  sim = s;
  const leaders = Array.from({ length: n }, () => {
    const acct = fundedAccount(s, opts.leaderUsd ?? 1_000_000);
    const client = engineClient({
      httpUrl: s.httpUrl,
      wsUrl: s.wsUrl,
      isTestnet: false,
      account: acct.address,
      agentKey: acct.key,
    });
    return { address: acct.address, client };
  });
  const { master, agentKey } = await masterWithAgent(s, opts.ourUsd ?? 100_000);
  const client = engineClient({
    httpUrl: s.httpUrl,
    wsUrl: s.wsUrl,
    isTestnet: false,
    account: master.address,
    agentKey,
    // The simulator has no rate limit: back-to-back test sweeps are not paced.
    budget: new RequestBudget({ limitPerMinute: 1e9, burst: 1e6, initialBackoffMs: 50, maxBackoffMs: 200 }),
  });
  const make = (st: Settings, journal: Journal, now?: () => number, reader: HlClient = client) => {
    const events: EngineEvent[] = [];
    const engine = new CopyEngine({
      reader,
      startupRetryDelayMs: 10,
      executor: liveExecutor(client),
      journal,
      settings: st,
      leaders: leaders.map((l) => ({ address: l.address, weight: 1 / n })),
      account: master.address,
      network: s.httpUrl,
      mode: "live",
      command: "follow",
      protection: client,
      ...(now ? { now } : {}),
    });
    engine.events.on((e) => events.push(e));
    engine.begin();
    return { engine, events };
  };
  return { sim: s, leaders, master: master.address, client, make };
}

async function trade(c: HlClient, coin: string, side: "buy" | "sell", size: number, reduceOnly = false) {
  const markets = await c.getMarkets();
  const [r] = await c.placeOrders([action(markets, coin, side, size, { reduceOnly })], markets);
  expect(r?.status).toBe("filled");
}

async function triggers(c: HlClient, user: Address): Promise<OpenOrder[]> {
  const s = await c.getAccountState(user);
  return s.openOrders.filter((o) => o.trigger !== undefined).sort((a, b) => a.oid - b.oid);
}

async function size(c: HlClient, user: Address, coin: string): Promise<number> {
  return (await c.getAccountState(user)).positions[coin]?.size ?? 0;
}

const events = (j: Journal, type: string) =>
  j
    .listEntries({ table: "events", limit: Number.POSITIVE_INFINITY })
    .filter((e) => e.table === "events" && e.type === type);

describe("entry-only exits of our own", () => {
  it('take-profit tiers "3:0.5,6:0.5": both rest after the copy, the leader\'s close is not copied, each tier fires on the exchange and is not placed again', async () => {
    const t = await setup();
    const [leader] = t.leaders;
    if (!leader) throw new Error("no leader");
    const s = settings((x) => {
      x.copy = { mode: "entry-only" };
      x.risk.stopLossPct = 5;
      x.risk.takeProfitTiers = parseTakeProfitTiers("3:0.5,6:0.5");
    });
    const journal = openJournal(":memory:");
    await trade(leader.client, "SOL", "buy", 100);
    const first = t.make(s, journal);
    await first.engine.sweep("start");
    expect(await size(t.client, t.master, "SOL")).toBe(10);
    const entry = (await t.client.getAccountState(t.master)).positions.SOL?.entryPx ?? 0;
    const placed = await triggers(t.client, t.master);
    expect(placed.map((o) => [o.side, o.size, o.reduceOnly, o.trigger?.tpsl])).toEqual([
      ["sell", 10, true, "sl"],
      ["sell", 5, true, "tp"],
      ["sell", 5, true, "tp"],
    ]);
    const [, tp1, tp2] = placed;
    expect(tp1?.trigger?.triggerPx).toBeCloseTo(entry * 1.03, 0);
    expect(tp2?.trigger?.triggerPx).toBeCloseTo(entry * 1.06, 0);
    // The leader closes: entry-only keeps ours, the dashboard's targets say it is held.
    await trade(leader.client, "SOL", "sell", 100, true);
    const kept = await first.engine.sweep();
    expect(kept.results).toEqual([]);
    expect(kept.plan.targets.find((x) => x.coin === "SOL")?.held).toBe(true);
    await first.engine.stop("restart");

    // A restart finds the three triggers by cloid (tiers included) and sends nothing.
    const second = t.make(s, journal);
    const before = t.sim.control.stats().requests.exchange;
    await second.engine.sweep("start");
    expect(t.sim.control.stats().requests.exchange).toBe(before);
    expect(second.engine.protection).toEqual([
      {
        coin: "SOL",
        stopPx: placed[0]?.trigger?.triggerPx,
        takeProfitPx: tp1?.trigger?.triggerPx,
        takeProfits: [
          { px: tp1?.trigger?.triggerPx, size: 5 },
          { px: tp2?.trigger?.triggerPx, size: 5 },
        ],
      },
    ]);

    // +4 %: the first tier fires on the exchange, half is closed.
    t.sim.control.setMid("SOL", entry * 1.04);
    await eventually(async () => (await size(t.client, t.master, "SOL")) === 5);
    await second.engine.sweep();
    const afterFirst = await triggers(t.client, t.master);
    // The stop follows the smaller position; the second tier stays; the first is not placed again.
    expect(afterFirst.map((o) => [o.size, o.trigger?.tpsl, o.trigger?.triggerPx])).toEqual([
      [5, "tp", tp2?.trigger?.triggerPx],
      [5, "sl", placed[0]?.trigger?.triggerPx],
    ]);
    const quiet = t.sim.control.stats().requests.exchange;
    await second.engine.sweep();
    expect(t.sim.control.stats().requests.exchange).toBe(quiet);

    // +7 %: the second tier closes the rest; the stop goes with the position.
    t.sim.control.setMid("SOL", entry * 1.07);
    await eventually(async () => (await size(t.client, t.master, "SOL")) === 0);
    await second.engine.sweep();
    expect(await triggers(t.client, t.master)).toEqual([]);
    const fired = events(journal, "protectionFired").map((e) => (e.table === "events" ? e.data : null));
    expect(fired).toEqual([
      expect.objectContaining({ kind: "take-profit", tier: 0, size: 5 }),
      expect.objectContaining({ kind: "take-profit", tier: 1, size: 5 }),
    ]);
    await second.engine.stop("done");
  });

  it("the time stop closes a position held maxHoldHours reduce-only, journals it with its reason, survives a restart and does not buy back", async () => {
    const t = await setup();
    const [leader] = t.leaders;
    if (!leader) throw new Error("no leader");
    const s = settings((x) => {
      x.copy = { mode: "entry-only" };
      x.risk.maxHoldHours = 2;
    });
    const dir = tempDir();
    const path = journalPath(dir, t.master, t.sim.httpUrl);
    let now = Date.now();
    const clock = () => now;
    await trade(leader.client, "ETH", "buy", 10);
    const j1 = openJournal(path);
    const first = t.make(s, j1, clock);
    await first.engine.sweep("start");
    expect(await size(t.client, t.master, "ETH")).toBe(1);
    now += 90 * 60_000; // 1.5 h: not yet
    expect((await first.engine.sweep()).results).toEqual([]);
    await first.engine.stop("restart");
    j1.close();

    // A new process, 2.5 h after the open: the clock came from the journal.
    now += 60 * 60_000;
    const j2 = openJournal(path);
    const second = t.make(s, j2, clock);
    const closed = await second.engine.sweep("start");
    expect(closed.results.map((r) => [r.coin, r.side, r.size, r.reduceOnly, r.reason, r.status])).toEqual([
      ["ETH", "sell", 1, true, "time-stop", "filled"],
    ]);
    expect(await size(t.client, t.master, "ETH")).toBe(0);
    const [logged] = events(j2, "timeStop");
    expect(logged?.table === "events" && logged.data).toMatchObject({ size: 1, maxHoldHours: 2 });
    expect(logged?.table === "events" && (logged.data as { heldHours: number }).heldHours).toBeCloseTo(
      2.5,
      5,
    );
    expect(second.events.some((e) => e.type === "notice" && e.kind === "time-stop")).toBe(true);
    // The leader still holds ETH and adds: not bought back (stopped-out) until it closes or flips.
    await trade(leader.client, "ETH", "buy", 10);
    const again = await second.engine.sweep();
    expect(again.results).toEqual([]);
    expect(again.plan.skipped.map((x) => [x.coin, x.reason])).toContainEqual(["ETH", "stopped-out"]);
    await second.engine.stop("done");
    j2.close();
  });
});

describe("per-leader limits", () => {
  it("one leader's drawdown unfollows it (its share closed reduce-only, journaled, shown) while the other is still copied; resume --leader follows it again", async () => {
    const t = await setup(2, { ourUsd: 10_000 });
    const [a, b] = t.leaders;
    if (!a || !b) throw new Error("no leaders");
    const s = settings((x) => {
      x.risk.leaderMaxDrawdownPct = 10;
      x.risk.maxLeverage = 10;
    });
    const dir = tempDir();
    const journal = openJournal(journalPath(dir, t.master, t.sim.httpUrl));
    // Weights 0.5 each: ratio 0.05. A: 1000 SOL → our 50 SOL (~$9 500); B: 10 ETH → our 0.5 ETH.
    await trade(a.client, "SOL", "buy", 1000);
    await trade(b.client, "ETH", "buy", 10);
    const { engine, events: seen } = t.make(s, journal);
    await engine.sweep("start");
    expect(await size(t.client, t.master, "SOL")).toBe(50);
    expect(await size(t.client, t.master, "ETH")).toBe(0.5);

    // SOL −10 %: A's copy (base 0.5 × $10 000) loses ~$950, about 19 % from its high-water mark.
    const sol = (await t.client.getMarkets()).SOL?.mid ?? 0;
    t.sim.control.setMid("SOL", sol * 0.9);
    const r = await engine.sweep();
    expect(r.results.map((x) => [x.coin, x.side, x.size, x.reduceOnly, x.reason, x.status])).toEqual([
      ["SOL", "sell", 50, true, "leader-unfollowed", "filled"],
    ]);
    expect(await size(t.client, t.master, "SOL")).toBe(0);
    expect(await size(t.client, t.master, "ETH")).toBe(0.5);
    const unfollowed = seen.find((e) => e.type === "leader" && e.action === "unfollowed");
    expect(unfollowed).toMatchObject({ leader: a.address, kind: "drawdown", until: null });
    expect(events(journal, "leaderUnfollowed")).toHaveLength(1);
    const state = seen.filter((e) => e.type === "state").at(-1);
    expect(state?.type === "state" && state.leaderCopy?.map((l) => [l.address, l.following])).toEqual([
      [a.address, false],
      [b.address, true],
    ]);

    // B is still copied; A's adds are not.
    await trade(b.client, "ETH", "buy", 10);
    await trade(a.client, "SOL", "buy", 500);
    const next = await engine.sweep();
    expect(next.results.map((x) => [x.coin, x.side, x.size, x.reason])).toEqual([
      ["ETH", "buy", 0.5, "increase"],
    ]);
    expect(await size(t.client, t.master, "SOL")).toBe(0);

    // `hlcopy resume --leader`: the running engine takes it up at its next sweep and copies A again.
    // `hlcopy resume` is another process: while it waits for the journal's lock, the follow's
    // group commit (250 ms timer) lets it go. In this one thread its synchronous busy wait would
    // block that timer for the whole busy timeout ("database is locked" once, under load): the
    // engine's open group is committed first, as the follow's timer would.
    journal.checkpoint();
    await runResumeLeader({
      configDir: dir,
      account: t.master,
      network: t.sim.httpUrl,
      leader: a.address,
      json: false,
      yes: true,
      out: { write: () => true },
    });
    const back = await engine.sweep();
    expect(seen.some((e) => e.type === "leader" && e.action === "resumed" && e.leader === a.address)).toBe(
      true,
    );
    expect(back.results.map((x) => [x.coin, x.side, x.size, x.reason])).toEqual([["SOL", "buy", 75, "open"]]);
    await engine.stop("done");
    journal.close();
  });
});

describe("leader-behaviour breakers", () => {
  it("leader leverage above N: its increases are not copied until it is back under; its reductions are", async () => {
    const t = await setup(1, { leaderUsd: 100_000 });
    const [leader] = t.leaders;
    if (!leader) throw new Error("no leader");
    const s = settings((x) => {
      x.risk.leaderMaxLeverage = 1;
    });
    const journal = openJournal(":memory:");
    // 0.5 BTC ≈ $47 500 on $100 000: 0.475x — copied.
    await trade(leader.client, "BTC", "buy", 0.5);
    const { engine, events: seen } = t.make(s, journal);
    await engine.sweep("start");
    expect(await size(t.client, t.master, "BTC")).toBe(0.05);
    // Adds to 1.5 BTC ≈ 1.4x: the add is not copied.
    await trade(leader.client, "BTC", "buy", 1);
    const gated = await engine.sweep();
    expect(gated.results).toEqual([]);
    expect(gated.plan.skipped.map((x) => [x.coin, x.reason])).toEqual([["BTC", "leader-leverage"]]);
    expect(seen.some((e) => e.type === "leader" && e.action === "gated" && e.kind === "leverage")).toBe(true);
    // Reduces to 0.3 BTC ≈ 0.29x: back under, and its target (0.03) below ours: reduced.
    await trade(leader.client, "BTC", "sell", 1.2, true);
    const reduced = await engine.sweep();
    expect(reduced.results.map((x) => [x.coin, x.side, x.size, x.reduceOnly])).toEqual([
      ["BTC", "sell", 0.02, true],
    ]);
    expect(seen.some((e) => e.type === "leader" && e.action === "ungated" && e.kind === "leverage")).toBe(
      true,
    );
    // Back under: its adds are copied again.
    await trade(leader.client, "BTC", "buy", 0.2);
    const added = await engine.sweep();
    expect(added.results.map((x) => [x.coin, x.side, x.size])).toEqual([["BTC", "buy", 0.02]]);
    await engine.stop("done");
  });

  it("a coin the leader had not traded in 30 days is skipped with leader-new-coin; one it traded is copied", async () => {
    const t = await setup();
    const [leader] = t.leaders;
    if (!leader) throw new Error("no leader");
    const s = settings((x) => {
      x.risk.skipLeaderNewCoins = true;
    });
    // BTC: traded, closed, re-opened (known); ETH: opened for the first time (new).
    await trade(leader.client, "BTC", "buy", 0.5);
    await trade(leader.client, "BTC", "sell", 0.5, true);
    await trade(leader.client, "BTC", "buy", 1);
    await trade(leader.client, "ETH", "buy", 10);
    const journal = openJournal(":memory:");
    const { engine, events: seen } = t.make(s, journal);
    const first = await engine.sweep("start");
    expect(first.results.map((x) => [x.coin, x.size])).toEqual([["BTC", 0.1]]);
    expect(first.plan.skipped.map((x) => [x.coin, x.reason])).toEqual([["ETH", "leader-new-coin"]]);
    expect(seen.find((e) => e.type === "leader" && e.action === "gated")).toMatchObject({
      kind: "new-coin",
      coins: ["ETH"],
    });
    // A coin it opens during the run (seen at the sweep): DOGE is new, skipped too.
    await trade(leader.client, "DOGE", "buy", 10_000);
    const second = await engine.sweep();
    expect(second.results).toEqual([]);
    expect(second.plan.skipped.map((x) => [x.coin, x.reason])).toEqual([
      ["DOGE", "leader-new-coin"],
      ["ETH", "leader-new-coin"],
    ]);
    // Once it closes ETH the gate lifts; its next open of ETH (traded within 30 days) is copied.
    await trade(leader.client, "ETH", "sell", 10, true);
    await engine.sweep();
    expect(seen.some((e) => e.type === "leader" && e.action === "ungated" && e.coins?.includes("ETH"))).toBe(
      true,
    );
    await trade(leader.client, "ETH", "buy", 10);
    const third = await engine.sweep();
    expect(third.results.map((x) => [x.coin, x.size])).toEqual([["ETH", 1]]);
    await engine.stop("done");
  });

  it("the leader's history failing once at the start (a 502) is retried: the first plan still holds back the new coin", async () => {
    const t = await setup();
    const [leader] = t.leaders;
    if (!leader) throw new Error("no leader");
    const s = settings((x) => {
      x.risk.skipLeaderNewCoins = true;
    });
    await trade(leader.client, "ETH", "buy", 10); // opened for the first time: new
    // The exchange answers the first read of the leader's fills with a 502, then as usual (our
    // own fills, read for the P&L, are not touched).
    let failures = 1;
    const reader = new Proxy(t.client, {
      get(target, prop) {
        if (prop === "getFillHistory") {
          return (user: Address, startTime: number, endTime?: number) =>
            user === leader.address && failures-- > 0
              ? Promise.reject(new RetryableError("userFillsByTime failed: 502 Bad Gateway"))
              : target.getFillHistory(user, startTime, endTime);
        }
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const journal = openJournal(":memory:");
    const { engine } = t.make(s, journal, undefined, reader);
    const first = await engine.sweep("start");
    // Before: the failed read was only told, and the start's plan bought the coin it holds back.
    expect(first.results).toEqual([]);
    expect(first.plan.skipped.map((x) => [x.coin, x.reason])).toEqual([["ETH", "leader-new-coin"]]);
    expect(await size(t.client, t.master, "ETH")).toBe(0);
    // Read twice: the 502, then the retry the plan was made on.
    expect(failures).toBe(-1);
    await engine.stop("done");
  });

  it("a liquidated leader is not followed for N days (its share closed, journaled); the other leader is still copied; resume --leader clears it", async () => {
    const t = await setup(1);
    const [steady] = t.leaders;
    if (!steady) throw new Error("no leader");
    // A thin leader: $1 000 holding ~$15 000 of BTC (15x), liquidated by a 10 % drop.
    const thin = fundedAccount(t.sim, 1_000);
    const thinClient = engineClient({
      httpUrl: t.sim.httpUrl,
      wsUrl: t.sim.wsUrl,
      isTestnet: false,
      account: thin.address,
      agentKey: thin.key,
    });
    const s = settings((x) => {
      x.risk.leaderLiquidationPauseDays = 7;
      x.exec.sweepSeconds = 3600;
    });
    const dir = tempDir();
    const journal = openJournal(journalPath(dir, t.master, t.sim.httpUrl));
    const leaders = [
      { address: thin.address, weight: 0.5 },
      { address: steady.address, weight: 0.5 },
    ];
    const engine = new CopyEngine({
      reader: t.client,
      executor: liveExecutor(t.client),
      journal,
      settings: s,
      leaders,
      account: t.master,
      network: t.sim.httpUrl,
      mode: "live",
      command: "follow",
      // The thin leader, funded a moment ago, makes its first trade once the run is under way.
      allowEmptyLeader: true,
    });
    const seen: EngineEvent[] = [];
    engine.events.on((e) => seen.push(e));
    await trade(steady.client, "ETH", "buy", 10);
    const done = engine.run(
      streamsOpener({
        wsUrl: t.sim.wsUrl,
        isTestnet: false,
        leaders: leaders.map((l) => l.address),
        account: t.master,
      }),
    );
    await eventually(() => seen.some((e) => e.type === "sweep"));
    expect(await size(t.client, t.master, "ETH")).toBe(0.5);
    const btc = (await thinClient.getMarkets()).BTC?.mid ?? 0;
    await trade(thinClient, "BTC", "buy", Number((15_000 / btc).toFixed(5)));
    await eventually(async () => (await size(t.client, t.master, "BTC")) > 0);

    t.sim.control.setMid("BTC", btc * 0.9);
    const unfollowed = await eventually(() =>
      seen.find((e) => e.type === "leader" && e.action === "unfollowed" && e.leader === thin.address),
    );
    expect(unfollowed).toMatchObject({ kind: "liquidated" });
    const until = unfollowed.type === "leader" ? (unfollowed.until ?? 0) : 0;
    expect(until - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    await eventually(async () => (await size(t.client, t.master, "BTC")) === 0);
    const closes = seen.filter((e) => e.type === "order" && e.coin === "BTC" && e.reduceOnly);
    expect(closes.length).toBeGreaterThan(0);
    expect(events(journal, "leaderUnfollowed")).toHaveLength(1);

    // The steady leader is still copied, live.
    await trade(steady.client, "ETH", "buy", 10);
    await eventually(async () => (await size(t.client, t.master, "ETH")) === 1);
    // The thin leader (refunded) opens again: not copied while it is not followed.
    t.sim.control.fund(thin.address, 100_000);
    await trade(thinClient, "SOL", "buy", 10);
    const r = await engine.sweep();
    expect(r.results.filter((x) => x.coin === "SOL")).toEqual([]);
    expect(await size(t.client, t.master, "SOL")).toBe(0);

    // `hlcopy resume` is another process: while it waits for the journal's lock, the follow's
    // group commit (250 ms timer) lets it go. In this one thread its synchronous busy wait would
    // block that timer for the whole busy timeout ("database is locked" once, under load): the
    // engine's open group is committed first, as the follow's timer would.
    journal.checkpoint();
    const mark = seen.length;
    await runResumeLeader({
      configDir: dir,
      account: t.master,
      network: t.sim.httpUrl,
      leader: thin.address,
      json: false,
      yes: true,
      out: { write: () => true },
    });
    await engine.sweep();
    // Copied again: by this sweep, or by one the engine ran itself a moment earlier — the thin
    // leader's refunding is a cash flow its stream shows, for which it reads the ledger at once
    // (which of the two sends it is the machine's timing).
    await eventually(async () => (await size(t.client, t.master, "SOL")) === 0.5);
    const sol = seen.slice(mark).filter((e) => e.type === "order" && e.coin === "SOL");
    expect(sol.map((e) => (e.type === "order" ? [e.coin, e.size, e.reason] : []))).toEqual([
      ["SOL", 0.5, "open"],
    ]);
    expect(seen.some((e) => e.type === "leader" && e.action === "resumed" && e.leader === thin.address)).toBe(
      true,
    );
    await engine.stop("done");
    expect(await done).toBe(0);
    journal.close();
  });
});
