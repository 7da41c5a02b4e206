// A paper run trades a new paper account each run (run-mode.ts newAccountEachRun): the copy state
// an earlier paper run left in the paper journal was that account's — a leader it stopped
// following, its leaders' copy books, its time stop's clocks and stopped-out coins, each leader's
// copy baseline (join new-only's coins). The new account starts from none of them, says so once
// and clears them in the journal; a dry run (like a live run) on the same journal keeps them.
// Each kind of state is seeded as an earlier paper run leaves it, against the simulator.

import { describe, expect, it } from "vitest";
import type { Settings } from "../../src/core/settings.js";
import type { Address } from "../../src/core/types.js";
import type { EngineEvent } from "../../src/engine/events.js";
import { bookReaderOf, paperExecutor } from "../../src/engine/executor.js";
import { SHARES_KEY } from "../../src/engine/figures.js";
import { leaderStopKey } from "../../src/engine/leader-guard.js";
import { copySettings, lastState, type SimFollow, startSimFollow, trade } from "../helpers/sim-engine.js";

const EARLIER = Date.now() - 3_600_000;

/** One sweep of a paper run and of a dry run on the journal as seeded: what each would send. */
async function paperAndDry(t: SimFollow, settings: Settings) {
  const dry = t.follow({ mode: "dry-run", command: "dry-run", settings });
  dry.engine.begin();
  const dryPlan = (await dry.engine.sweep("start")).plan;
  await dry.engine.stop("done");
  const paper = t.follow({
    mode: "paper",
    command: "paper",
    executor: paperExecutor(bookReaderOf(t.client), { equity: 100_000 }),
    settings,
  });
  paper.engine.begin();
  const paperPlan = (await paper.engine.sweep("start")).plan;
  await paper.engine.stop("done");
  return { dryPlan, paperPlan, paperEvents: paper.events, dryEvents: dry.events };
}

const coins = (plan: { actions: { coin: string }[] }) => plan.actions.map((a) => a.coin).sort();
const skip = (plan: { skipped: { coin: string; reason: string }[] }, coin: string) =>
  plan.skipped.filter((s) => s.coin === coin).map((s) => s.reason);
const setAsideNotices = (events: readonly EngineEvent[]) =>
  events.flatMap((e) =>
    e.type === "notice" && e.kind === "paper-account" && e.message.startsWith("new paper account: ")
      ? [e.message]
      : [],
  );

describe("a paper run's new account starts from none of an earlier paper account's copy state", () => {
  it("a leader the earlier paper account stopped following (and its copy book) is followed again; a dry run keeps the unfollow", async () => {
    const t = await startSimFollow({ sim: { seed: 41 } });
    await trade(t.leaderClient, "BTC", "buy", 1);
    const leader = t.leader.address;
    const key = leader.toLowerCase();
    t.journal.setCopyState(
      leaderStopKey(leader),
      { kind: "drawdown", since: EARLIER, until: null, reason: "its copy lost 30%", shed: {} },
      EARLIER,
    );
    t.journal.setCopyState(
      "leaders:books",
      {
        books: { [key]: { base: 10_000, pnl: -3_000, hwm: 10_000, sizes: {}, marks: {}, since: EARLIER } },
        shares: {},
      },
      EARLIER,
    );
    const s = copySettings((x) => {
      x.risk.leaderMaxDrawdownPct = 25;
    });
    const { dryPlan, paperPlan, paperEvents, dryEvents } = await paperAndDry(t, s);
    expect(coins(dryPlan)).toEqual([]);
    expect(coins(paperPlan)).toEqual(["BTC"]);
    expect(setAsideNotices(paperEvents)).toEqual([
      `new paper account: set aside the earlier paper account's unfollow of leader ${shortOf(leader)} (drawdown) and leader ${shortOf(leader)}'s copy drawdown 30% — this account's copy starts from none of them`,
    ]);
    expect(setAsideNotices(dryEvents)).toEqual([]);
    // Cleared in the journal (status reads it) and journaled once.
    expect(t.journal.getCopyState(leaderStopKey(leader))).toBeNull();
    const books = t.journal.getCopyState<{ books: Record<string, { hwm: number }> }>("leaders:books");
    // A new copy book at this account's start (100 000 × weight 1), not the earlier one's.
    expect(books?.books[key]?.hwm).toBe(100_000);
    expect(
      t.journal
        .listEntries({ table: "events", limit: Number.POSITIVE_INFINITY })
        .filter((e) => e.table === "events" && e.type === "paperAccount"),
    ).toHaveLength(1);
  });

  it("a coin the earlier paper account's time stop closed is entered; its hold clocks are gone; a dry run keeps it stopped out", async () => {
    const t = await startSimFollow({ sim: { seed: 42 } });
    await trade(t.leaderClient, "BTC", "buy", 1);
    t.journal.setCopyState("exits:stopped", { BTC: 1 }, EARLIER);
    t.journal.setCopyState("exits:held", { ETH: { dir: 1, since: EARLIER } }, EARLIER);
    const s = copySettings((x) => {
      x.risk.maxHoldHours = 48;
    });
    const { dryPlan, paperPlan, paperEvents } = await paperAndDry(t, s);
    expect(skip(dryPlan, "BTC")).toContain("stopped-out");
    expect(coins(paperPlan)).toEqual(["BTC"]);
    expect(skip(paperPlan, "BTC")).toEqual([]);
    expect(setAsideNotices(paperEvents)).toEqual([
      "new paper account: set aside the earlier paper account's hold clock of ETH and time stop of BTC (not re-entered while the leader held it) — this account's copy starts from none of them",
    ]);
    expect(t.journal.getCopyState("exits:stopped")).toEqual({});
    expect(t.journal.getCopyState<Record<string, unknown>>("exits:held")?.ETH).toBeUndefined();
  });

  it("join new-only: what the leader holds when the new paper account starts is not joined, though the earlier account's copy began before the leader opened it; a dry run keeps the earlier baseline", async () => {
    const t = await startSimFollow({ sim: { seed: 43 } });
    await trade(t.leaderClient, "BTC", "buy", 1);
    // The earlier paper account's copy began when the leader held nothing: BTC was new to it.
    t.journal.setCopyState(`leader:${t.leader.address.toLowerCase()}`, { since: EARLIER, join: {} }, EARLIER);
    const s = copySettings((x) => {
      x.join = "new-only";
    });
    const { dryPlan, paperPlan, paperEvents } = await paperAndDry(t, s);
    expect(coins(dryPlan)).toEqual(["BTC"]);
    expect(coins(paperPlan)).toEqual([]);
    expect(skip(paperPlan, "BTC")).toContain("not-joined");
    expect(setAsideNotices(paperEvents)).toEqual([
      `new paper account: set aside the earlier paper account's join new-only baseline of leader ${shortOf(t.leader.address)} (no coin) — this account's copy starts from none of them`,
    ]);
    const b = t.journal.getCopyState<{ since: number; join: Record<string, unknown> }>(
      `leader:${t.leader.address.toLowerCase()}`,
    );
    expect(b?.since).toBeGreaterThan(EARLIER);
    expect(Object.keys(b?.join ?? {})).toEqual(["BTC"]);
  });

  it("a paper run on a paper journal with nothing of an earlier account says nothing of it", async () => {
    const t = await startSimFollow({ sim: { seed: 44 } });
    await trade(t.leaderClient, "BTC", "buy", 1);
    const { paperPlan, paperEvents } = await paperAndDry(
      t,
      copySettings((x) => {
        x.risk.maxHoldHours = 48;
        x.risk.leaderMaxDrawdownPct = 25;
      }),
    );
    expect(coins(paperPlan)).toEqual(["BTC"]);
    expect(setAsideNotices(paperEvents)).toEqual([]);
  });
});

describe("a paper run's new account has a P&L of its own", () => {
  it("its copy's P&L and the leaders' shares of it start with the account: none of an earlier paper account's fills or shares; a dry run keeps the journal's shares", async () => {
    const t = await startSimFollow({ sim: { seed: 46 } });
    await trade(t.leaderClient, "BTC", "buy", 1);
    const paperRun = async (equity: number) => {
      const run = t.follow({
        mode: "paper",
        command: "paper",
        executor: paperExecutor(bookReaderOf(t.client), { equity }),
        settings: copySettings(),
      });
      run.engine.begin();
      // The shares the earlier paper account left are set aside at the start (status reads them).
      const sharesAtStart = t.journal.getCopyState(SHARES_KEY);
      await run.engine.sweep("start");
      await run.engine.stop("done");
      const pnl = lastState(run.events, (e) => (e.pnl?.feesUsd ?? 0) > 0)?.pnl;
      // The fees of this run's own fills (the book the paper fills walk may differ run to run).
      const fees = run.events.reduce((sum, e) => sum + (e.type === "fill" ? e.fee : 0), 0);
      return { pnl, fees, sharesAtStart, start: run.events.find((e) => e.type === "start")?.ts ?? 0 };
    };
    // The earlier paper account copies BTC: its fees are its P&L; it leaves the leader's share.
    const first = await paperRun(100_000);
    expect(first.pnl?.feesUsd).toBeGreaterThan(0);
    expect(t.journal.getCopyState(SHARES_KEY)).toEqual({ BTC: { [t.leader.address.toLowerCase()]: 1 } });
    // A dry run (as a live one) keeps them.
    const dry = t.follow({ mode: "dry-run", command: "dry-run", settings: copySettings() });
    dry.engine.begin();
    await dry.engine.stop("done");
    expect(t.journal.getCopyState(SHARES_KEY)).not.toBeNull();
    // The next paper account copies the same BTC (the same size: fixed ratio): its P&L is its
    // own fills' fees, from its start, not the earlier account's added to them.
    const second = await paperRun(50_000);
    expect(second.sharesAtStart).toBeNull();
    expect(second.pnl?.since).toBe(second.start);
    expect(first.pnl?.feesUsd).toBeCloseTo(first.fees, 6);
    expect(second.fees).toBeGreaterThan(0);
    expect(second.pnl?.feesUsd).toBeCloseTo(second.fees, 6);
    expect(second.pnl?.startEquity).toBe(50_000);
    expect(t.journal.copyStart()?.since).toBe(second.start);
  });
});

function shortOf(address: Address): string {
  return `${address.slice(0, 6)}…${address.slice(-4)}`;
}
