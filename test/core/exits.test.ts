// The time stop (risk.maxHoldHours), pure: the hold clock and which coins are due, then the
// planner closing a due coin reduce-only with "time-stop" — only coins the copy manages.

import { describe, expect, it } from "vitest";
import { timeStopsDue, updateHoldClock } from "../../src/core/exits.js";
import type { Positions } from "../../src/core/types.js";
import { account, leader, plan, settingsWith } from "./planner-fixtures.js";

const H = 3_600_000;
const pos = (entries: Record<string, number>): Positions =>
  Object.fromEntries(Object.entries(entries).map(([coin, size]) => [coin, { coin, size, entryPx: 1 }]));

describe("the hold clock", () => {
  it("starts when a position first shows, keeps running through adds and reductions, restarts on a flip, drops on a close", () => {
    let c = updateHoldClock({}, pos({ BTC: 1 }), 0);
    expect(c).toEqual({ BTC: { dir: 1, since: 0 } });
    c = updateHoldClock(c, pos({ BTC: 2, ETH: -1 }), 5 * H);
    expect(c).toEqual({ BTC: { dir: 1, since: 0 }, ETH: { dir: -1, since: 5 * H } });
    c = updateHoldClock(c, pos({ BTC: 0.5, ETH: 1 }), 6 * H);
    expect(c).toEqual({ BTC: { dir: 1, since: 0 }, ETH: { dir: 1, since: 6 * H } });
    expect(updateHoldClock(c, pos({ ETH: 1 }), 7 * H)).toEqual({ ETH: { dir: 1, since: 6 * H } });
  });

  it("a coin is due once held maxHoldHours; off (null) nothing is", () => {
    const c = { BTC: { dir: 1 as const, since: 0 }, ETH: { dir: -1 as const, since: 10 * H } };
    const p = pos({ BTC: 1, ETH: -2 });
    expect(timeStopsDue(c, p, 24 * H, null)).toEqual([]);
    expect(timeStopsDue(c, p, 24 * H - 1, 24)).toEqual([]);
    expect(timeStopsDue(c, p, 24 * H, 24)).toEqual([{ coin: "BTC", heldMs: 24 * H, since: 0 }]);
    expect(timeStopsDue(c, p, 40 * H, 24).map((d) => d.coin)).toEqual(["BTC", "ETH"]);
    // A position that flipped since is not the clock's.
    expect(timeStopsDue(c, pos({ BTC: -1 }), 40 * H, 24)).toEqual([]);
  });
});

describe("the planner's time stop", () => {
  const s = settingsWith({ sizing: { mode: "fixed-ratio", ratio: 0.1 } });
  const entryOnly = { ...s, copy: { mode: "entry-only" as const } };

  it("closes a due coin reduce-only with time-stop, whatever the leader holds, in mirror and entry-only", () => {
    for (const settings of [s, entryOnly]) {
      const p = plan({
        leader: leader({ SOL: 100, BTC: 1 }),
        ours: account({ SOL: 10, BTC: 0.1 }),
        settings,
        context: { timeStopped: ["SOL"] },
      });
      expect(p.actions.map((a) => [a.coin, a.side, a.size, a.reduceOnly, a.reason])).toEqual([
        ["SOL", "sell", 10, true, "time-stop"],
      ]);
    }
  });

  it("leaves positions the copy does not manage alone (foreign, denied) and opens nothing", () => {
    const foreign = plan({
      leader: leader({ SOL: 100 }),
      ours: account({ SOL: 10 }),
      settings: s,
      context: { timeStopped: ["SOL"], foreignPositions: [{ coin: "SOL", size: 10, managed: 0 }] },
    });
    expect(foreign.actions).toEqual([]);
    const denied = plan({
      leader: leader({ SOL: 100 }),
      ours: account({ SOL: 10 }),
      settings: settingsWith({ sizing: { mode: "fixed-ratio", ratio: 0.1 }, risk: { denyCoins: ["SOL"] } }),
      context: { timeStopped: ["SOL"] },
    });
    expect(denied.actions).toEqual([]);
    const flat = plan({
      leader: leader({ SOL: 100 }),
      ours: account({}),
      settings: s,
      context: { timeStopped: ["SOL"] },
    });
    expect(flat.actions.map((a) => a.reason)).toEqual(["open"]);
  });
});
