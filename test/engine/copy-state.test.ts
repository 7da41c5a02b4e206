// What hlcopy managed at a past moment (CopyState.managedAt): the copy's part of a liquidation's
// fill or of a funding payment is split by it, whenever the record arrives — also after a sweep
// saved the position the liquidation left, or after the copy traded since the payment.

import { afterEach, describe, expect, it } from "vitest";
import { CopyState } from "../../src/engine/copy-state.js";
import { type Journal, openJournal } from "../../src/store/journal.js";

const T0 = Date.UTC(2026, 2, 1, 12, 0, 0);
const S = 1_000;

let journal: Journal | null = null;
afterEach(() => {
  journal?.close();
  journal = null;
});

/** A live copy's state on a journal of its own, and a way to journal hlcopy's fills. */
function copy() {
  const j = openJournal(":memory:");
  journal = j;
  const state = new CopyState(j, true);
  let tid = 0;
  const fill = (ts: number, coin: string, side: "buy" | "sell", sz: number, kind: "copy" | null = "copy") =>
    j.recordFill({ tid: ++tid, ts, coin, side, px: 100, sz, fee: 0, oid: tid, kind });
  return { j, state, fill };
}

describe("what hlcopy managed at a past moment", () => {
  it("is the last snapshot before it plus hlcopy's own fills since, not what a later sweep saved", () => {
    const { state, fill } = copy();
    state.setManaged({}, T0); // the first live run owns the account from its start
    fill(T0 + 1 * S, "BTC", "buy", 0.1); // hlcopy copies the leader
    state.setManaged({ BTC: 0.1 }, T0 + 2 * S); // the sweep after it
    fill(T0 + 3 * S, "BTC", "buy", 0.05); // and adds
    // The exchange liquidates the position at T0 + 4 s; the next sweep reads it flat and saves
    // that before the liquidation's fill is journaled (a late stream, a run started later).
    state.setManaged({}, T0 + 5 * S);
    expect(state.managed()).toEqual({});
    expect(state.managedAt(T0 + 4 * S).BTC).toBeCloseTo(0.15, 12);
    expect(state.managedAt(T0 + 2.5 * S)).toEqual({ BTC: 0.1 });
    expect(state.managedAt(T0 + 500)).toEqual({});
    expect(state.managedAt(T0 + 6 * S)).toEqual({});
  });

  it("a hand trade is not hlcopy's: what it managed stays its own part", () => {
    const { state, fill } = copy();
    state.setManaged({}, T0);
    fill(T0 + 1 * S, "ETH", "buy", 2);
    state.setManaged({ ETH: 2 }, T0 + 2 * S);
    fill(T0 + 3 * S, "ETH", "buy", 1, null); // the trader adds 1 by hand (no kind: not hlcopy's)
    expect(state.managedAt(T0 + 4 * S)).toEqual({ ETH: 2 });
  });

  it("the history grows only when a snapshot says what hlcopy's fills do not", () => {
    const { j, state, fill } = copy();
    state.setManaged({}, T0);
    fill(T0 + 1 * S, "BTC", "buy", 0.1);
    state.setManaged({ BTC: 0.1 }, T0 + 2 * S); // its fill said it: no row
    state.setManaged({ BTC: 0.1 }, T0 + 3 * S); // nothing changed: no row
    expect(j.managedSnapshotAt(T0 + 3 * S)).toEqual({ ts: T0, positions: {} });
    state.setManaged({ BTC: 0.04 }, T0 + 4 * S); // the exchange took 0.06 (a partial liquidation)
    expect(j.managedSnapshotAt(T0 + 4 * S)).toEqual({ ts: T0 + 4 * S, positions: { BTC: 0.04 } });
    expect(state.managedAt(T0 + 3.5 * S).BTC).toBeCloseTo(0.1, 12);
    expect(state.managedAt(T0 + 4.5 * S)).toEqual({ BTC: 0.04 });
  });

  it("the history gets a row at least every 10 minutes: what managedAt sums (hlcopy's fills since its last row) stays short", () => {
    const { j, state, fill } = copy();
    const M = 60 * S;
    state.setManaged({}, T0);
    fill(T0 + 1 * M, "BTC", "buy", 0.1);
    state.setManaged({ BTC: 0.1 }, T0 + 9 * M); // said by its fill, and the last row is 9 min old: none
    expect(j.managedSnapshotAt(T0 + 9 * M)?.ts).toBe(T0);
    state.setManaged({ BTC: 0.1 }, T0 + 10 * M); // 10 min: a row, though nothing changed
    expect(j.managedSnapshotAt(T0 + 10 * M)).toEqual({ ts: T0 + 10 * M, positions: { BTC: 0.1 } });
    expect(state.managedAt(T0 + 5 * M)).toEqual({ BTC: 0.1 });
  });
});
