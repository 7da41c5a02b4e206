// The copy delay (exec.copyDelayMinutes) holds back increases only: the planner gets the
// leaders' current sizes and, beside them, the sizes each has held for the delay
// (context.delayHeld). Reductions follow the current sizes at once; the delay never sizes us
// below what we hold. Fixed ratio 1 on ETH (lot 0.0001, $2 000), an equity no cap reaches.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { copiedUnderDelay, type SizePoint } from "../../src/core/entry.js";
import { limitGrowth } from "../../src/core/planner.js";
import type { Markets, Plan } from "../../src/core/types.js";
import { fcRuns } from "../helpers/fast-check.js";
import {
  account,
  applyPlan,
  LEADER,
  LEADER2,
  leader,
  market,
  plan,
  settingsWith,
} from "./planner-fixtures.js";

const M: Markets = { ETH: market("ETH", 2_000, 4, { bestBid: 1_999.9, bestAsk: 2_000.1 }) };
const S = settingsWith({ sizing: { mode: "fixed-ratio", ratio: 1 } });
const EQUITY = 100_000_000;

/** A plan for ETH: the leader holds `current` now and has held `held` for the delay; we hold `ours`. */
function delayed(current: number, held: number, ours: number, note = "copy delay: waiting"): Plan {
  return plan({
    markets: M,
    settings: S,
    leader: leader({ ETH: current }, EQUITY),
    ours: account(ours === 0 ? {} : { ETH: ours }, EQUITY),
    context: { delayHeld: { [LEADER]: { ETH: held } }, copyDelay: { ETH: note } },
  });
}
const orders = (p: Plan) =>
  p.actions.map((a) => `${a.side} ${a.size}${a.reduceOnly ? " ro" : ""} ${a.reason}`);
const reasons = (p: Plan) => p.skipped.map((s) => s.reason);
const ourAfter = (p: Plan, ours: number) =>
  applyPlan(account(ours === 0 ? {} : { ETH: ours }, EQUITY), p).positions.ETH?.size ?? 0;

describe("copy delay: increases wait, reductions go at once, never below what we hold", () => {
  it("the walk's repro: a position we copied earlier is kept while the leader's is younger than the delay", () => {
    // Leader opened 1 within the delay (held 0); an earlier run copied it: nothing to do.
    const p = delayed(1, 0, 1);
    expect(p.actions).toEqual([]);
    expect(reasons(p)).toEqual([]);
    expect(p.targets[0]?.targetSize).toBe(1);
    expect(p.inSync).toBe(true);
  });

  it("nothing held yet: the increase waits, the note says until when and what the target is meanwhile", () => {
    const p = delayed(
      1,
      0,
      0,
      "copy delay: the leader's +1 ETH is copied at 12:05:00 UTC if it still holds it",
    );
    expect(p.actions).toEqual([]);
    expect(p.skipped).toEqual([
      {
        coin: "ETH",
        reason: "copy-delay",
        detail:
          "copy delay: the leader's +1 ETH is copied at 12:05:00 UTC if it still holds it; until then the target is 0 ETH, not 1 (we hold 0; only increases wait, reductions are copied at once)",
      },
    ]);
    expect(p.targets[0]).toMatchObject({ leaderSize: 1, targetSize: 0, ourSize: 0 });
  });

  it("leader opened 1, added to 2 within the delay: we hold 1 → hold 1; we hold 2 → hold 2; none → buy 1", () => {
    const one = delayed(2, 1, 1);
    expect(one.actions).toEqual([]);
    expect(reasons(one)).toEqual(["copy-delay"]);
    const two = delayed(2, 1, 2);
    expect(two.actions).toEqual([]);
    expect(reasons(two)).toEqual([]);
    expect(orders(delayed(2, 1, 0))).toEqual(["buy 1 open"]);
    // Between the two: kept where it is.
    expect(delayed(2, 1, 1.5).actions).toEqual([]);
  });

  it("leader reduced 2 → 1: we hold 2 → reduce to 1 at once (the current size, not the history)", () => {
    expect(orders(delayed(1, 1, 2))).toEqual(["sell 1 ro reduce"]);
    // Reduced and added back within the delay (held 1, now 2): ours stays at 2.
    expect(delayed(2, 1, 2).actions).toEqual([]);
    // Reduced further than we hold: to the current size, never below it.
    expect(ourAfter(delayed(0.5, 0.5, 2), 2)).toBe(0.5);
    // Closed: closed at once.
    expect(orders(delayed(0, 0, 2))).toEqual(["sell 2 ro close"]);
  });

  it("leader flipped long → short within the delay: our long is closed at once, the short waits", () => {
    const p = delayed(-1, 0, 1);
    expect(p.actions).toHaveLength(1);
    expect(p.actions[0]).toMatchObject({ side: "sell", size: 1, reduceOnly: true });
    expect(reasons(p)).toContain("copy-delay");
    expect(ourAfter(p, 1)).toBe(0);
    // Once the short has been held for the delay, it is opened.
    expect(orders(delayed(-1, -1, 0))).toEqual(["sell 1 open"]);
  });

  it("an increase the leader undid before its delay ended is not copied (only what it kept)", () => {
    // Leader 1 held long, added to 3, cut to 2 before the due time: held 1, now 2 → 1 still waits.
    expect(delayed(2, 1, 1).actions).toEqual([]);
    // It went 0 → 1 → 0.5 within the delay: held 0 until 0.5 has been held for the delay.
    expect(delayed(0.5, 0, 0).actions).toEqual([]);
    expect(orders(delayed(0.5, 0.5, 0))).toEqual(["buy 0.5 open"]);
  });

  it("two leaders: the delay holds back the sum's growth only; one leader's reduction is copied at once", () => {
    const two = (a: number, aHeld: number, b: number, bHeld: number, ours: number) =>
      plan({
        markets: M,
        settings: S,
        leaders: [leader({ ETH: a }, EQUITY), leader({ ETH: b }, EQUITY, { address: LEADER2 })],
        ours: account(ours === 0 ? {} : { ETH: ours }, EQUITY),
        context: { delayHeld: { [LEADER]: { ETH: aHeld }, [LEADER2]: { ETH: bHeld } } },
      });
    // A holds 1 (old), B opened a short of 0.5 within the delay: the net falls to 0.5 → we reduce.
    expect(ourAfter(two(1, 1, -0.5, 0, 1), 1)).toBe(0.5);
    // A added 1 within the delay (held 1), B holds 1 (old): the held sum is 2 of the current 3, so
    // we grow to 2 and no further; holding 2 we keep it.
    expect(ourAfter(two(2, 1, 1, 1, 2), 2)).toBe(2);
    expect(ourAfter(two(2, 1, 1, 1, 1), 1)).toBe(2);
  });
});

describe("copy delay under fixed-notional: a position not copied yet does not shrink the others' share", () => {
  it("the leader opens ETH within the delay: our BTC stays at its whole share until ETH is copied", () => {
    const markets: Markets = { ...M, BTC: market("BTC", 50_000, 5) };
    const s = settingsWith({ sizing: { mode: "fixed-notional", notional: 10_000 } });
    const leaders = [leader({ BTC: 1, ETH: 25 }, EQUITY)];
    const ours = account({ BTC: 0.2 }, EQUITY);
    // Held: BTC all along, ETH not yet. Our $10 000 is all BTC's (0.2 at 50 000) until then.
    const p = plan({ markets, settings: s, leaders, ours, context: { delayHeld: { [LEADER]: { ETH: 0 } } } });
    expect(p.actions).toEqual([]);
    expect(p.targets.map((t) => [t.coin, t.targetSize])).toEqual([
      ["BTC", 0.2],
      ["ETH", 0],
    ]);
    // Once held: half each ($50 000 of the leader's $100 000 gross).
    const later = plan({ markets, settings: s, leaders, ours });
    expect(orders(later)).toEqual(["sell 0.1 ro reduce", "buy 2.5 open"]);
  });
});

describe("limitGrowth (the leader breakers' and the copy delay's one rule)", () => {
  it("keeps reductions, cuts growth to what `free` allows, never below what we hold", () => {
    expect(limitGrowth(2, 1, 1)).toBe(1);
    expect(limitGrowth(2, 1, 2)).toBe(2);
    expect(limitGrowth(2, 1, 0)).toBe(1);
    expect(limitGrowth(1, 1, 2)).toBe(1);
    expect(limitGrowth(2, 0, 1.5)).toBe(1.5);
    expect(Math.abs(limitGrowth(-1, 0, 1))).toBe(0);
    expect(limitGrowth(-1, -1, 1)).toBe(-1);
    expect(limitGrowth(0, 0, 1)).toBe(0);
  });
});

describe("copiedUnderDelay", () => {
  const D = 100;
  it("is the size held for the delay, on the current side, never more than now", () => {
    const path: SizePoint[] = [
      { time: 0, size: 1 },
      { time: 150, size: 2 },
    ];
    expect(copiedUnderDelay(path, 200, D, 2)).toBe(1);
    expect(copiedUnderDelay(path, 250, D, 2)).toBe(2);
    // The model is fresher than the history: never more than the leader holds now.
    expect(copiedUnderDelay(path, 250, D, 0.5)).toBe(0.5);
    // Flipped since: nothing held on the new side.
    expect(copiedUnderDelay(path, 250, D, -1)).toBe(0);
    expect(copiedUnderDelay(path, 250, D, 0)).toBe(0);
  });
});

// The invariant, precisely. One coin, one leader, fixed ratio 1, no cap binding. C = the leader's
// current size × ratio, H = what it has held for the delay × ratio (0, or C's side with |H| ≤ |C|
// — copiedUnderDelay's range), P = our position, N = our position after every planned order fills.
//   (1) Away from zero: N is 0 or on C's side, and |N| ≤ max(|P| if P is on C's side, |H|):
//       no order makes our position grow beyond what the leader has held for the delay, so
//       never beyond what it holds now (|H| ≤ |C|).
//   (2) Toward zero: when P is on C's side, |N| ≥ min(|P|, |C|): nothing reduces us below what we
//       hold because of the delay — only the leader's current size reduces us.
//   (3) Without anything waiting (H = C) the plan is the plan without a delay.
describe("property: with a copy delay no order grows us past the held size or cuts us below min(current, ours)", () => {
  const tenths = (max: number) => fc.integer({ min: -max, max }).map((k) => k / 10);
  const world = fc
    .record({ c: tenths(500), heldShare: fc.integer({ min: 0, max: 10 }), p: tenths(500) })
    .map(({ c, heldShare, p }) => ({ c, h: Math.trunc(c * heldShare) / 10, p }));

  it("holds for every leader size, held size and position", () => {
    fc.assert(
      fc.property(world, ({ c, h, p }) => {
        const plan1 = delayed(c, h, p);
        const n = ourAfter(plan1, p);
        const sameSide = (x: number) => x === 0 || Math.sign(x) === Math.sign(c);
        const pOnSide = p !== 0 && Math.sign(p) === Math.sign(c) ? Math.abs(p) : 0;
        // (1)
        expect(sameSide(n)).toBe(true);
        expect(Math.abs(n)).toBeLessThanOrEqual(Math.max(pOnSide, Math.abs(h)) + 1e-9);
        expect(Math.abs(n)).toBeLessThanOrEqual(Math.max(pOnSide, Math.abs(c)) + 1e-9);
        // (2)
        if (pOnSide > 0) expect(Math.abs(n)).toBeGreaterThanOrEqual(Math.min(pOnSide, Math.abs(c)) - 1e-9);
        // (3)
        if (h === c) {
          const plain = plan({
            markets: M,
            settings: S,
            leader: leader(c === 0 ? {} : { ETH: c }, EQUITY),
            ours: account(p === 0 ? {} : { ETH: p }, EQUITY),
          });
          expect(orders(plan1)).toEqual(orders(plain));
        }
      }),
      { numRuns: fcRuns(500) },
    );
  });
});
