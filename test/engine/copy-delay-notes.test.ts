// The copy delay's notes say what happened. "reversed-after-delay" means the leader undid an
// increase that the delay held back, so it was not copied: it is not said of an increase the copy
// already held (an earlier run copied it; the delay never cuts us) that the leader then closed.
// With several leaders each "copy-delay" note names its leader, and a coin's notes of each stay.

import { describe, expect, it } from "vitest";
import { CopyDelay } from "../../src/engine/copy-delay.js";
import { LEADER, LEADER2, leader } from "../core/planner-fixtures.js";

const MIN = 60_000;
const T0 = Date.UTC(2026, 11, 4, 12, 0, 0);

function delay(delayMs = 5 * MIN) {
  return new CopyDelay({
    delayMs,
    now: () => T0,
    emit: () => {},
    countRequest: () => {},
    schedule: () => {},
  });
}

describe("reversed-after-delay: only of an increase the delay held back", () => {
  it("a restart within the delay: the leader's SOL, copied by the earlier run, closed — no reversal note", () => {
    const d = delay();
    // Start-up at T0: the leader opened 50 SOL 1 minute ago (the earlier run copied it at once),
    // and holds it now. This run's plans hold nothing back: we hold the copy already.
    d.init(
      LEADER,
      leader({ SOL: 50 }).positions,
      [{ coin: "SOL", sz: 50, side: "buy", startPosition: 0, time: T0 - MIN }],
      T0,
    );
    // The leader closes 30 s later; our copy is closed at once (a reduction).
    d.record(LEADER, "SOL", 0, T0 + 30_000);
    // Its due time (T0 + 4 min) comes: the leader no longer holds it — nothing was held back.
    for (const at of [T0 + 4 * MIN, T0 + 4 * MIN + 30_000]) {
      expect(d.apply([leader({})], at).reversed).toEqual({});
    }
  });

  it("an increase a plan held back, undone before its delay ended: the note says it was not copied", () => {
    const d = delay();
    d.init(LEADER, leader({}).positions, [], T0);
    d.record(LEADER, "SOL", 50, T0 + 1_000);
    expect(d.apply([leader({ SOL: 50 })], T0 + 1_000).copyDelay.SOL).toBe(
      "copy delay: the leader's +50 SOL is copied at 12:05:01 UTC if it still holds it",
    );
    d.heldBack(["SOL"], T0 + 1_000);
    d.record(LEADER, "SOL", 0, T0 + 2 * MIN);
    expect(d.apply([leader({})], T0 + 5 * MIN + 1_000).reversed).toEqual({
      SOL: "copy delay: the leader's SOL 50 of 12:00:01 UTC was not held for 5 minutes (0 still held at 12:05:01): not copied",
    });
  });
});

describe("copy-delay notes with several leaders", () => {
  it("name each leader whose increase waits, not only the last one", () => {
    const d = delay();
    const one = leader({}, 100_000);
    const two = leader({}, 100_000, { address: LEADER2 });
    d.init(LEADER, one.positions, [], T0);
    d.init(LEADER2, two.positions, [], T0);
    d.record(LEADER, "ETH", 1, T0 + 1_000);
    d.record(LEADER2, "ETH", 2, T0 + 2_000);
    const notes = d.apply(
      [leader({ ETH: 1 }), leader({ ETH: 2 }, 100_000, { address: LEADER2 })],
      T0 + 3_000,
    );
    expect(notes.copyDelay.ETH).toBe(
      "copy delay: leader 0x1111…1111's +1 ETH is copied at 12:05:01 UTC if it still holds it; leader 0x2222…2222's +2 ETH is copied at 12:05:02 UTC if it still holds it",
    );
  });
});
