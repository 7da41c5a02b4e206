// A journal another program holds mid-run (a backup tool's or a SQLite browser's BEGIN
// EXCLUSIVE): the run outlives it. The engine follows a scripted leader against the in-process
// simulator with a real journal file, held by a second connection from this test. What must
// hold: one warning for the spell, no order sent whose intent the journal did not take, what
// waited written and the drift repaired once it frees; a stop during the spell ends through its
// normal path (never a rejection) and journals the run's end once the journal frees; a journal
// busy at the start is waited for.

import { DatabaseSync } from "node:sqlite";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { replayLeaderTrades } from "../../src/cli/report/leader-trades.js";
import { engineClient, streamsOpener } from "../../src/cli/wiring.js";
import { RateLimitError } from "../../src/core/errors.js";
import { type LeaderTradeCounts, TRADE_FIGURE_FIELDS, tradeFigures } from "../../src/core/leader-trades.js";
import { defaultSettings } from "../../src/core/settings.js";
import type { Address } from "../../src/core/types.js";
import { CopyEngine } from "../../src/engine/engine.js";
import type { EngineEvent } from "../../src/engine/events.js";
import { liveExecutor } from "../../src/engine/executor.js";
import { RequestBudget } from "../../src/exchange/index.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { leaderKeyForSeed, startScriptedLeader } from "../../src/sim/leader.js";
import { journalPath, openJournal, RUN_BUSY_TIMEOUT_MS } from "../../src/store/journal.js";
import { eventually, masterWithAgent } from "../exchange/helpers.js";
import { tempDir } from "../helpers/cli.js";
import { lineView } from "../helpers/sim-engine.js";

let sim: SimHandle;
let seed = 900;
const holders: DatabaseSync[] = [];
const closers: (() => unknown)[] = [];
beforeAll(async () => {
  sim = await startSim({ seed: 43, tickMs: 0 });
});
afterAll(async () => {
  await sim.close();
});
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  for (const h of holders.splice(0)) {
    try {
      h.exec("ROLLBACK");
    } catch {
      // not holding it
    }
    h.close();
  }
  sim.control.reset();
});

async function setUp() {
  const { master, agentKey } = await masterWithAgent(sim, 100_000);
  const leaderKey = leaderKeyForSeed(seed++);
  const leader = privateKeyToAccount(leaderKey).address.toLowerCase() as Address;
  sim.control.fund(leader, 1_000_000);
  const s = defaultSettings();
  s.sizing.mode = "fixed-ratio";
  s.sizing.ratio = 0.2;
  s.exec.sweepSeconds = 3600; // sweeps only when the test (or the spell's end) asks
  const client = engineClient({
    httpUrl: sim.httpUrl,
    wsUrl: sim.wsUrl,
    isTestnet: false,
    account: master.address,
    agentKey,
    budget: new RequestBudget({ limitPerMinute: 1e9, burst: 1e6, initialBackoffMs: 50, maxBackoffMs: 200 }),
  });
  // As follow opens it (cli/trading.ts): the lock holder's intent log, its short busy wait.
  const file = journalPath(tempDir("hlcopy-busy-"), master.address, sim.httpUrl);
  const journal = openJournal(file, { intentLog: true, busyTimeoutMs: RUN_BUSY_TIMEOUT_MS });
  const engine = new CopyEngine({
    reader: client,
    executor: liveExecutor(client),
    journal,
    settings: s,
    leaders: [{ address: leader, weight: 1 }],
    account: master.address,
    network: sim.httpUrl,
    mode: "live",
    command: "follow",
    // Its leader, funded a moment ago, trades in the bursts the tests start once the run is on.
    allowEmptyLeader: true,
    backoffMs: 50,
    startupRetryDelayMs: 20,
  });
  const events: EngineEvent[] = [];
  engine.events.on((e) => events.push(e));
  const start = () =>
    engine.run(
      streamsOpener({ wsUrl: sim.wsUrl, isTestnet: false, leaders: [leader], account: master.address }),
    );
  let leaderSeed = seed * 7;
  const burst = (n: number) =>
    startScriptedLeader({
      httpUrl: sim.httpUrl,
      seed: leaderSeed++,
      privateKey: leaderKey,
      ratePerSec: 30,
      coins: ["BTC", "ETH", "SOL", "HYPE"],
      maxTrades: n,
      fundUsd: 0,
    });
  /** Another program takes the journal (BEGIN EXCLUSIVE), once the run is between commits. */
  const hold = async () => {
    const holder = new DatabaseSync(file);
    holders.push(holder);
    await eventually(() => {
      try {
        holder.exec("BEGIN EXCLUSIVE");
        return true;
      } catch {
        return false; // the run's group commit holds it for a moment
      }
    });
    return () => holder.exec("ROLLBACK");
  };
  /** What the journal holds, read as another program would. */
  const read = <T>(sql: string) => {
    const db = new DatabaseSync(file, { readOnly: true });
    try {
      return db.prepare(sql).all() as T[];
    } finally {
      db.close();
    }
  };
  return { master: master.address, engine, journal, events, start, burst, hold, read };
}

const messages = (events: EngineEvent[], type: "warning" | "notice", re: RegExp) =>
  events.flatMap((e) => ((e.type === type && re.test(e.message)) || false ? [e] : []));
const BUSY = /^journal busy \(held by another program\)/;
const FREE = /^journal free again/;

describe("a journal held by another program", () => {
  it("mid-run: one warning, nothing sent that was not journaled, then written and repaired; the run goes on", async () => {
    const t = await setUp();
    const done = t.start();
    await eventually(() => t.events.some((e) => e.type === "sweep"));
    const first = await t.burst(3);
    await first.done;
    await eventually(() => t.events.some((e) => e.type === "order"));
    const release = await t.hold();
    const l = await t.burst(8);
    await l.done;
    // The leader's trades came during the spell and their copies were tried.
    await eventually(() => messages(t.events, "warning", BUSY).length > 0);
    // The spell is named by the write that met it first: a copy's intent (its order not sent) or,
    // when a record of the first burst (our late fill, a group commit) came first under load, the
    // records waiting in memory. Either way no order goes unjournaled; the orders not sent are
    // counted in the notice once it frees (below).
    expect(messages(t.events, "warning", BUSY)[0]?.message).toMatch(
      /: (\S+ (buy|sell) \S+ not sent|this run's records wait in memory); no order is sent until its intent can be journaled; retrying — the run goes on$/,
    );
    // Nothing sent while it is held (the copies it could not journal).
    const sentDuring = sim.control.orderHistory(t.master).length;
    await t.engine.sweep("manual").catch(() => undefined); // a sweep in the spell sends nothing either
    expect(sim.control.orderHistory(t.master).length).toBe(sentDuring);
    release();
    await eventually(() => messages(t.events, "notice", FREE).length > 0);
    expect(messages(t.events, "notice", FREE)[0]?.message).toMatch(/[1-9]\d* order\(s\) not sent meanwhile/);
    // Once per spell, however many writes it refused.
    expect(messages(t.events, "warning", BUSY)).toHaveLength(1);
    expect(t.events.some((e) => e.type === "error")).toBe(false);
    // Repaired: in sync, no cloid sent twice, every order sent is in the journal.
    await eventually(async () => {
      try {
        const sweep = await t.engine.sweep("manual");
        return sweep.plan.skipped.every((x) => x.reason !== "backoff");
      } catch (e) {
        if (e instanceof RateLimitError) return false;
        throw e;
      }
    }, 15_000);
    const check = await t.engine.sweep("manual");
    expect(check.plan.inSync).toBe(true);
    expect(await t.engine.stop("test")).toBe(0);
    expect(await done).toBe(0);
    const sent = sim.control.orderHistory(t.master).map((o) => o.cloid);
    expect(sim.control.orderHistory(t.master).length).toBeGreaterThan(sentDuring); // the repair
    expect(new Set(sent).size).toBe(sent.length);
    const journaled = new Set(t.read<{ cloid: string }>("SELECT cloid FROM orders").map((r) => r.cloid));
    for (const c of sent) expect(journaled.has(c as string)).toBe(true);
    // What waited in memory was written: the run's end too.
    expect(t.read<{ ended_at: number | null }>("SELECT ended_at FROM runs")[0]?.ended_at).not.toBeNull();
  });

  it("a stop during the spell ends through its normal path and journals the run's end once it frees", async () => {
    const t = await setUp();
    const done = t.start();
    await eventually(() => t.events.some((e) => e.type === "sweep"));
    const release = await t.hold();
    const l = await t.burst(4);
    await l.done;
    await eventually(() => messages(t.events, "warning", BUSY).length > 0);
    const stopped = t.engine.stop("test");
    await eventually(
      () => messages(t.events, "notice", /^waiting up to \d+s for the journal to free/).length > 0,
    );
    release();
    expect(await stopped).toBe(0);
    expect(await done).toBe(0);
    expect(t.events.at(-1)?.type).toBe("stop");
    expect(t.events.some((e) => e.type === "error")).toBe(false);
    expect(t.read<{ ended_at: number | null }>("SELECT ended_at FROM runs")[0]?.ended_at).not.toBeNull();
  });

  it("a stop during the spell: the copies not sent are missed, none left in flight — in the summary and in report alike", async () => {
    // Seen in a stopped run's summary: the copies of the leader's trades the spell kept from
    // being sent (their intents not journaled) stayed "in flight" for ever (inFlightTrades > 0).
    const t = await setUp();
    const view = await lineView({ defer: (c) => closers.push(c) }, t.engine.events);
    const done = t.start();
    await eventually(() => t.events.some((e) => e.type === "sweep"));
    const release = await t.hold();
    const l = await t.burst(4);
    await l.done;
    await eventually(() => messages(t.events, "warning", BUSY).length > 0);
    // The burst's four trades told and decided on (their copies not sent) before the stop: the
    // last decision's are left with no later decision to settle them.
    await eventually(() => {
      const told = t.events.filter((e) => e.type === "leaderFill");
      return (
        new Set(told.map((e) => e.oid)).size === 4 &&
        t.events.some((e) => e.type === "decision" && e.leaderSeen === told.length)
      );
    }, 10_000);
    const stopped = t.engine.stop("test");
    await eventually(
      () => messages(t.events, "notice", /^waiting up to \d+s for the journal to free/).length > 0,
    );
    release();
    expect(await stopped).toBe(0);
    expect(await done).toBe(0);
    const summary = view.summary();
    expect(summary.leaderTrades).toBeGreaterThan(0);
    expect(summary.inFlightTrades).toBe(0);
    expect(summary.missedTrades).toBeGreaterThan(0);
    // Nothing was sent, nothing copied: every trade missed (or skipped `stopping`, or in line).
    expect(sim.control.orderHistory(t.master)).toEqual([]);
    expect(summary.copiedTrades + summary.unknownTrades).toBe(0);
    // report replays the journal through the same tally: the same figures.
    let total: LeaderTradeCounts | undefined;
    for (const c of replayLeaderTrades(t.journal, 0, Date.now() + 60_000).byDay.values()) {
      if (!total) total = c;
      else
        for (const k of Object.keys(c) as (keyof LeaderTradeCounts)[])
          if (k !== "skippedBy") total[k] += c[k];
    }
    expect(total).toBeDefined();
    const figures = tradeFigures(total as LeaderTradeCounts);
    for (const k of TRADE_FIGURE_FIELDS) expect([k, figures[k]]).toEqual([k, summary[k]]);
  });

  it("a halt during the spell (f): shown at once and said not journaled yet, journaled once it frees, the closes sent then", async () => {
    const t = await setUp();
    const done = t.start();
    await eventually(() => t.events.some((e) => e.type === "sweep"));
    const l = await t.burst(3);
    await l.done;
    await eventually(() => t.events.some((e) => e.type === "order" && e.status === "filled"));
    const release = await t.hold();
    const sentBefore = sim.control.orderHistory(t.master).length;
    t.engine.flatten("flatten requested by the test");
    // The halt holds in the run and is shown, though the journal could not take it.
    await eventually(() => t.events.some((e) => e.type === "halt" && e.kind === "manual"));
    await eventually(
      () =>
        messages(
          t.events,
          "warning",
          /^the manual halt holds in this run, but the journal could not record it yet/,
        ).length > 0,
    );
    expect(t.read<{ kind: string }>("SELECT kind FROM halts WHERE cleared_at IS NULL")).toEqual([]);
    release();
    // Journaled at the next account reading; the closes the halt asks for go once intents can be.
    await eventually(
      () => t.read<{ kind: string }>("SELECT kind FROM halts WHERE cleared_at IS NULL").length === 1,
      10_000,
    );
    expect(t.read<{ kind: string }>("SELECT kind FROM halts WHERE cleared_at IS NULL")[0]?.kind).toBe(
      "manual",
    );
    await eventually(
      () =>
        sim.control
          .orderHistory(t.master)
          .slice(sentBefore)
          .some((o) => o.reduceOnly),
      10_000,
    );
    await t.engine.stop("test");
    await done;
    expect(t.events.some((e) => e.type === "error")).toBe(false);
  });

  it("at the start: waited for, said once, then the run begins", async () => {
    const t = await setUp();
    const release = await t.hold();
    const done = t.start();
    await eventually(
      () =>
        messages(t.events, "warning", /^journal busy \(held by another program\): the run cannot begin/)
          .length > 0,
    );
    expect(t.events.some((e) => e.type === "sweep")).toBe(false);
    release();
    await eventually(() => t.events.some((e) => e.type === "sweep"), 10_000);
    expect(messages(t.events, "warning", BUSY)).toHaveLength(1);
    expect(await t.engine.stop("test")).toBe(0);
    expect(await done).toBe(0);
    // Said before the run had a row to journal it with: journaled as the run's once it began, at
    // the time it was said (before the run's start), so status and journal say it after the run.
    const [said] = messages(t.events, "warning", BUSY);
    const start = t.events.find((e) => e.type === "start");
    const runId = t.engine.runId;
    if (!said || !start || runId === null) throw new Error("no warning, start or run");
    expect(said.ts).toBeLessThan(start.ts);
    const w = t.journal.runWarnings(runId, start.ts, 5);
    expect(w.newest.map((r) => [r.ts, (r.data as { message: string }).message])).toEqual([
      [said.ts, said.message],
    ]);
  });
});
