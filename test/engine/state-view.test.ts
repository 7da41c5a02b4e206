// The state record `status` reads (StateView.journalSoon): another process sees nothing of the
// journal's open group before it commits, so a change's record waits until just before that
// commit when it is later than JOURNAL_STATE_MS — one record per group, as fresh as the commit.

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { defaultSettings } from "../../src/core/settings.js";
import type { EngineEvent } from "../../src/engine/events.js";
import { StateView, type StateViewOptions } from "../../src/engine/state-view.js";
import type { RecordEventParameters } from "../../src/store/journal.js";

const T0 = Date.UTC(2026, 0, 5, 12);

/** A StateView with no leader, no position and a journal whose open group commits in `toCommit` ms (null: none open). */
function view(toCommit: () => number | null) {
  const records: RecordEventParameters[] = [];
  /** What was journaled, in order: the owed equity ("equity") and the state records ("state"). */
  const order: string[] = [];
  const events: EngineEvent[] = [];
  const settings = defaultSettings();
  const options: StateViewOptions = {
    emit: (e) => events.push(e),
    now: () => T0,
    runId: () => 1,
    journal: {
      recordEvent: () => {},
      recordStateChange: (p) => {
        records.push(p);
        order.push("state");
      },
      msToCommit: toCommit,
    },
    events: { stateEveryMs: 60_000 },
    staleMs: undefined,
    agentValidUntil: undefined,
    settings: () => settings,
    leaders: [],
    ours: { state: { address: "0x0", accountValue: 1_000, positions: {}, openOrders: [], time: T0 } },
    market: { markets: {} },
    pnl: {
      report: () => ({}) as ReturnType<StateViewOptions["pnl"]["report"]>,
      updateShares: () => {},
    },
    ownership: { managedNow: () => ({}) },
    safety: { hwm: 1_000, drawdownPct: 0, dailyLossHit: false, recordOwed: () => order.push("equity") },
    guard: { shown: () => [], view: () => [] } as unknown as StateViewOptions["guard"],
    protection: null,
    timeStop: null,
    inFlight: new Set(),
    plan: () => {},
    ownAccount: () => null,
    streams: () => null,
    lastSweepOkAt: () => 0,
    stopping: () => false,
    checked: () => true,
    busy: () => false,
    reportError: (error) => {
      throw error;
    },
  };
  return { view: new StateView(options), records, order };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("StateView.journalSoon: the state record lands in the group commit it waits for", () => {
  it("with the open group committing in 800 ms, the changes until then are one record, written just before the commit", () => {
    const s = view(() => 800);
    s.view.journalSoon();
    vi.advanceTimersByTime(200);
    // Not at JOURNAL_STATE_MS: a record now would be replaced in the same group before anyone saw it.
    expect(s.records).toHaveLength(0);
    s.view.journalSoon(); // a later change in the same group: the same record
    vi.advanceTimersByTime(575);
    expect(s.records).toHaveLength(1);
    expect(s.records[0]?.type).toBe("state");
    // The equity a close left (SafetyWatch.owe) is journaled with it, in the same group.
    expect(s.order).toEqual(["equity", "state"]);
    vi.advanceTimersByTime(5_000);
    expect(s.records).toHaveLength(1);
  });

  it("with no group open (the record opens one) it is written JOURNAL_STATE_MS after the change, as before", () => {
    const s = view(() => null);
    s.view.journalSoon();
    vi.advanceTimersByTime(199);
    expect(s.records).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(s.records).toHaveLength(1);
  });

  it("with the open group about to commit it waits JOURNAL_STATE_MS (the next group takes it)", () => {
    const s = view(() => 30);
    s.view.journalSoon();
    vi.advanceTimersByTime(199);
    expect(s.records).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(s.records).toHaveLength(1);
  });
});
