import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CASH_FLOW_CONFIRM_MS,
  dailyStopOn,
  emptyCashTracker,
  evaluateSafety,
  explainCash,
  flowFactor,
  flowFactors,
  type Mark,
  markAt,
  pendingAt,
  readCash,
  type SafetyVerdict,
  sentWhilePaused,
  utcDay,
  utcDayEnd,
} from "../../src/core/safety.js";
import { defaultSettings } from "../../src/core/settings.js";

import "../helpers/fast-check.js";

const settings = defaultSettings(); // maxDrawdownPct 25, maxDailyLossPct 10

describe("kill switch", () => {
  it("halts when drawdown from the high-water mark reaches the limit", () => {
    const v = evaluateSafety({
      accountValue: 750,
      hwm: 1000,
      dayStartEquity: null,
      settings,
      activeHalt: null,
    });
    expect(v.halted).toBe(true);
    expect(v.newHalt?.kind).toBe("kill-switch");
    expect(v.newHalt?.reason).toContain("25.00%");
    expect(v.drawdownPct).toBeCloseTo(25);
  });

  it("does not halt just under the limit", () => {
    const v = evaluateSafety({
      accountValue: 751,
      hwm: 1000,
      dayStartEquity: null,
      settings,
      activeHalt: null,
    });
    expect(v.halted).toBe(false);
    expect(v.newHalt).toBeNull();
  });

  it("a new high raises the mark instead of counting as drawdown", () => {
    const v = evaluateSafety({
      accountValue: 1200,
      hwm: 1000,
      dayStartEquity: null,
      settings,
      activeHalt: null,
    });
    expect(v.drawdownPct).toBe(0);
  });

  it("a persisted halt stays in force even after equity recovers, without re-recording", () => {
    const v = evaluateSafety({
      accountValue: 1000,
      hwm: 1000,
      dayStartEquity: null,
      settings,
      activeHalt: { kind: "kill-switch", reason: "earlier" },
    });
    expect(v.halted).toBe(true);
    expect(v.newHalt).toBeNull();
  });
});

describe("daily loss limit", () => {
  it("blocks increases after losing the limit since the UTC day started, without halting", () => {
    const v = evaluateSafety({
      accountValue: 890,
      hwm: 1000,
      dayStartEquity: 990,
      settings,
      activeHalt: null,
    });
    expect(v.dailyLossHit).toBe(true);
    expect(v.halted).toBe(false);
    expect(v.dailyLossPct).toBeCloseTo(10.1, 1);
  });

  it("is not hit without a day-start figure or below the limit", () => {
    expect(
      evaluateSafety({ accountValue: 500, hwm: 0, dayStartEquity: null, settings, activeHalt: null })
        .dailyLossHit,
    ).toBe(false);
    expect(
      evaluateSafety({ accountValue: 950, hwm: 1000, dayStartEquity: 1000, settings, activeHalt: null })
        .dailyLossHit,
    ).toBe(false);
  });

  it("days are UTC", () => {
    expect(utcDay(Date.UTC(2026, 10, 23, 23, 59, 59))).toBe("2026-11-23");
    expect(utcDay(Date.UTC(2026, 10, 24, 0, 0, 0))).toBe("2026-11-24");
  });
});

describe("cash flows are not trading results: they scale the marks by (E + flow) / E", () => {
  // The engine's order (safety-watch.ts): marks read at the confirmed cash flows' scale, then evaluated.
  const limits = (() => {
    const s = defaultSettings();
    s.risk.maxDrawdownPct = 30;
    s.risk.maxDailyLossPct = 20;
    return s;
  })();
  const verdict = (accountValue: number, hwm: Mark, day: Mark | null, scale: number, unconfirmedUsd = 0) =>
    evaluateSafety({
      accountValue,
      hwm: markAt(hwm, scale),
      dayStartEquity: day ? markAt(day, scale) : null,
      settings: limits,
      activeHalt: null,
      unconfirmedUsd,
    });
  const at = (value: number): Mark => ({ value, scale: 1 });

  it("flowFactor is (E + flow) / E, deposits and withdrawals alike", () => {
    expect(flowFactor(1_000, -400)).toBeCloseTo(0.6, 12);
    expect(flowFactor(1_000, 1_000)).toBe(2);
    expect(flowFactors(1_000, [-500, 500])).toEqual([0.5, 2]);
  });

  it("a withdrawal of 30% scales the mark and the day's start by 0.7: no halt, no daily loss", () => {
    const v = verdict(7_000, at(10_000), at(10_000), flowFactor(10_000, -3_000));
    expect(v).toMatchObject({ halted: false, dailyLossHit: false, held: false });
    expect(v.drawdownPct).toBeCloseTo(0, 9);
    expect(v.dailyLossPct).toBeCloseTo(0, 9);
  });

  it("the repro: a $400 withdrawal from a $1 000 account in a 15.54% drawdown leaves it at 15.54% (moving the mark by $400 made it 25.84%: kill switch)", () => {
    const s = defaultSettings(); // kill switch 25 %
    const before = 1_000 * (1 - 0.1554);
    const v = evaluateSafety({
      accountValue: before - 400,
      hwm: markAt(at(1_000), flowFactor(before, -400)),
      dayStartEquity: markAt(at(1_000), flowFactor(before, -400)),
      settings: s,
      activeHalt: null,
    });
    expect(v.drawdownPct).toBeCloseTo(15.54, 9);
    expect(v.dailyLossPct).toBeCloseTo(15.54, 9);
    expect(v.halted).toBe(false);
    // The old rule, for the record: the dollar gap over the smaller base.
    expect(((1_000 - 400 - (before - 400)) / (1_000 - 400)) * 100).toBeGreaterThan(25);
  });

  it("a withdrawal of 90% at a 0.02% drawdown under a 0.1% kill switch: still 0.02%", () => {
    const s = defaultSettings();
    s.risk.maxDrawdownPct = 0.1;
    const v = evaluateSafety({
      accountValue: 9_998 - 9_000,
      hwm: markAt(at(10_000), flowFactor(9_998, -9_000)),
      dayStartEquity: null,
      settings: s,
      activeHalt: null,
    });
    expect(v.drawdownPct).toBeCloseTo(0.02, 9);
    expect(v.halted).toBe(false);
  });

  it("a trading loss of 30% still halts", () => {
    const v = verdict(7_000, at(10_000), at(10_000), 1);
    expect(v.halted).toBe(true);
    expect(v.newHalt?.kind).toBe("kill-switch");
    expect(v.dailyLossHit).toBe(true);
  });

  it("a deposit scales the mark up: a loss after it is measured from there, in %", () => {
    // 10 000 at a mark of 12 500 (20 % down) → deposit 10 000 (×2) → the mark 25 000, still 20 % down;
    // then a loss of 2 000 more (10 % of the 20 000): 28 % down.
    const scale = flowFactor(10_000, 10_000);
    expect(verdict(20_000, at(12_500), null, scale).drawdownPct).toBeCloseTo(20, 9);
    expect(verdict(18_000, at(12_500), null, scale).drawdownPct).toBeCloseTo(28, 9);
  });

  it("an account emptied by a withdrawal is not in a drawdown; funded again, it is back where it was", () => {
    const s = defaultSettings();
    const empty = flowFactor(850, -850);
    const v = evaluateSafety({
      accountValue: 0,
      hwm: markAt(at(1_000), empty),
      dayStartEquity: markAt(at(1_000), empty),
      settings: s,
      activeHalt: null,
    });
    expect(v).toMatchObject({ halted: false, dailyLossHit: false, drawdownPct: 0, dailyLossPct: 0 });
    const refunded = empty * flowFactor(0, 2_000);
    expect(Number.isFinite(refunded)).toBe(true);
    expect(verdict(2_000, at(1_000), null, refunded).drawdownPct).toBeCloseTo(15, 6);
  });

  it("a cash change waiting for the ledger scales the marks for now: no halt, and increases wait", () => {
    // The account value shows the withdrawal; the ledger has not told of it yet (pending −3 000).
    const v = verdict(7_000, at(10_000), at(10_000), 1, -3_000);
    expect(v).toMatchObject({ halted: false, newHalt: null, held: true });
    expect(v.drawdownPct).toBeCloseTo(0, 9);
    expect(v.unconfirmedScale).toBeCloseTo(0.7, 12);
  });

  it("markAt scales by the ratio of the scales only", () => {
    expect(markAt({ value: 100, scale: 0.5 }, 0.5)).toBe(100);
    expect(markAt({ value: 100, scale: 0.5 }, 0.25)).toBe(50);
    expect(markAt({ value: 100, scale: 2 }, 3)).toBe(150);
  });

  it("the daily loss limit, once hit, holds for the day (unless the limit is raised above it)", () => {
    const hit = {
      accountValue: 10_000,
      hwm: 10_000,
      dayStartEquity: 10_000,
      settings: limits,
      activeHalt: null,
    };
    expect(evaluateSafety({ ...hit, dailyStop: { lossPct: 21 } })).toMatchObject({
      dailyLossHit: true,
      dailyLossReached: false,
    });
    const raised = defaultSettings();
    raised.risk.maxDailyLossPct = 25;
    expect(evaluateSafety({ ...hit, settings: raised, dailyStop: { lossPct: 21 } }).dailyLossHit).toBe(false);
    const stop = { day: "2026-01-05", lossPct: 21, limitPct: 20, since: 0 };
    expect(dailyStopOn(stop, "2026-01-05", 20)).toBe(stop);
    expect(dailyStopOn(stop, "2026-01-06", 20)).toBeNull();
    expect(dailyStopOn(stop, "2026-01-05", 25)).toBeNull();
    expect(utcDayEnd(Date.UTC(2026, 0, 5, 13, 2))).toBe(Date.UTC(2026, 0, 6));
  });
});

describe("CashTracker: the account's cash the ledger has not explained yet", () => {
  const T = 1_000_000;
  const start = readCash(emptyCashTracker(), 10_000, T, T).tracker;

  it("a price move does not touch the cash: nothing pending", () => {
    expect(readCash(start, 10_000, T + 1, T + 1).tracker.pending).toBe(0);
  });

  it("a withdrawal seen before its ledger update is pending until the update explains it", () => {
    const seen = readCash(start, 7_000, T + 10, T + 10).tracker;
    expect(seen.pending).toBe(-3_000);
    const explained = explainCash(seen, -3_000, T + 5);
    expect(explained.pending).toBe(0);
    expect(readCash(explained, 7_000, T + 20, T + 20).tracker).toMatchObject({ pending: 0, waiting: null });
  });

  it("a ledger update before the account value shows it: pending the other way until it does", () => {
    const told = explainCash(start, -3_000, T + 5);
    expect(readCash(told, 10_000, T + 4, T + 6).tracker.pending).toBe(3_000);
    expect(readCash(told, 7_000, T + 6, T + 7).tracker.pending).toBe(0);
  });

  it("a cash flow at or before the reference reading is in it already", () => {
    expect(explainCash(start, -3_000, T)).toBe(start);
  });

  it("our fills explain realised P&L and fees", () => {
    const filled = explainCash(start, -2_500 - 5, T + 3);
    expect(readCash(filled, 7_495, T + 4, T + 4).tracker.pending).toBe(0);
  });

  it("a change unexplained for CASH_FLOW_CONFIRM_MS counts as a trading result", () => {
    const seen = readCash(start, 7_000, T + 10, T + 10).tracker;
    const still = readCash(seen, 7_000, T + 20, T + 10 + CASH_FLOW_CONFIRM_MS - 1);
    expect(still).toMatchObject({ absorbed: 0, tracker: { pending: -3_000 } });
    const late = readCash(seen, 7_000, T + 30, T + 10 + CASH_FLOW_CONFIRM_MS);
    expect(late.absorbed).toBe(-3_000);
    expect(late.tracker.pending).toBe(0);
  });

  it("a new unexplained change waits its own window, not the remainder of an earlier one", () => {
    const small = readCash(start, 9_990, T + 10, T + 10).tracker; // $10: a late funding payment, say
    const big = readCash(small, 6_990, T + 20, T + 10 + CASH_FLOW_CONFIRM_MS - 5).tracker;
    expect(readCash(big, 6_990, T + 30, T + 10 + CASH_FLOW_CONFIRM_MS + 5).absorbed).toBe(0);
  });
});

describe("property: a cash flow alone never moves the drawdown % nor the daily loss %; a halt only follows a trading loss", () => {
  const s = defaultSettings();
  s.risk.maxDrawdownPct = 25;
  s.risk.maxDailyLossPct = 100; // the kill switch alone here; the daily limit below

  type Step =
    | { kind: "trade"; pct: number }
    | { kind: "flow"; pct: number; ledgerFirst: boolean }
    /** A trading loss of 30 % from the day's start and the high-water mark (both scaled by the cash flows). */
    | { kind: "crash" };
  const trade = (min: number, max: number): fc.Arbitrary<Step> =>
    fc.record({ kind: fc.constant("trade" as const), pct: fc.double({ min, max, noNaN: true }) });
  const flow: fc.Arbitrary<Step> = fc.record({
    kind: fc.constant("flow" as const),
    // A deposit, or a withdrawal of up to 95 % of what the account is worth.
    pct: fc.double({ min: -0.95, max: 3, noNaN: true }),
    ledgerFirst: fc.boolean(),
  });
  // Trading results small enough never to reach the limit on their own (runs), or any (paths).
  const step = fc.oneof(trade(-0.02, 0.05), flow);
  const anyStep = fc.oneof(trade(-0.3, 0.3), flow);

  const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

  /**
   * The engine's rules (safety-watch.ts, core functions only) on a sequence of readings (value,
   * cash) and ledger updates that come before or after the value shows them — beside the rule
   * as the README states it, applied at the instant each thing happens (the oracle): each cash
   * flow scales the high-water mark and the day's start by (E + flow) / E. `after` is told of
   * every verdict of a flow step with the verdict just before the flow; `halts` of each new halt
   * or daily stop, with the kind of step it came in.
   */
  function run(
    steps: Step[],
    settings = s,
    check: {
      after?: (v: SafetyVerdict, before: SafetyVerdict) => void;
      halts?: (step: Step["kind"], v: SafetyVerdict, previous: SafetyVerdict) => void;
    } = {},
  ) {
    let t = 0;
    // The account value is its cash plus the positions' unrealised P&L.
    let cash = 10_000;
    let upnl = 0;
    let scale = 1; // the product of the journaled cash flows' factors
    let tracker = emptyCashTracker();
    let hwm: Mark | null = null;
    let day: Mark | null = null;
    let activeHalt: { kind: "kill-switch"; reason: string } | null = null;
    let dailyStop: { lossPct: number } | null = null;
    let halted = false;
    let last: SafetyVerdict | null = null;
    const oracle = { hwm: 10_000, day: 10_000, worstDrawdown: 0, worstDaily: 0 };
    const reading = (kind: Step["kind"] | "start") => {
      t += 1_000;
      const value = cash + upnl;
      tracker = readCash(tracker, cash, t, t).tracker;
      const v = evaluateSafety({
        accountValue: value,
        hwm: hwm ? markAt(hwm, scale) : 0,
        dayStartEquity: day ? markAt(day, scale) : null,
        settings,
        activeHalt,
        unconfirmedUsd: tracker.pending,
        dailyStop,
      });
      const markScale = scale * v.unconfirmedScale;
      hwm = { value: v.hwm, scale: markScale };
      day ??= { value, scale: markScale };
      if (last && kind !== "start" && (v.newHalt || (v.dailyLossReached && !dailyStop)))
        check.halts?.(kind, v, last);
      if (v.newHalt) activeHalt = v.newHalt;
      if (v.dailyLossReached) dailyStop ??= { lossPct: v.dailyLossPct };
      if (v.halted || v.dailyLossHit) halted = true;
      last = v;
      return v;
    };
    /** A ledger update, as SafetyWatch.cashFlows takes it: E from the last reading, then that reading again. */
    const ledger = (usd: number) => {
      t += 1;
      scale *= flowFactor(cash + upnl - pendingAt(tracker, cash), usd);
      tracker = explainCash(tracker, usd, t);
    };
    const observe = () => {
      const value = cash + upnl;
      oracle.hwm = Math.max(oracle.hwm, value);
      oracle.worstDrawdown = Math.max(oracle.worstDrawdown, (oracle.hwm - value) / oracle.hwm);
      oracle.worstDaily = Math.max(oracle.worstDaily, (oracle.day - value) / oracle.day);
    };
    reading("start");
    for (const x of steps) {
      if (x.kind === "trade" || x.kind === "crash") {
        // Positions move (unrealised P&L): the value moves, the cash does not.
        const value = cash + upnl;
        upnl += x.kind === "trade" ? value * x.pct : 0.7 * Math.min(oracle.hwm, oracle.day) - value;
        observe();
        reading(x.kind);
      } else {
        const before = last as unknown as SafetyVerdict;
        const value = cash + upnl;
        const usd = value * x.pct;
        // A change of the cash within max($1, 0.01 %) is noise to the cash tracker (a late funding
        // payment), not a cash flow it can tell from the value before its ledger update: left out.
        if (Math.abs(usd) <= 2 * Math.max(1, Math.abs(cash) * 1e-4, Math.abs(cash + usd) * 1e-4)) continue;
        const k = (value + usd) / value;
        if (x.ledgerFirst) {
          ledger(usd);
          check.after?.(reading("flow"), before);
        }
        cash += usd;
        oracle.hwm *= k;
        oracle.day *= k;
        observe();
        check.after?.(reading("flow"), before);
        if (!x.ledgerFirst) {
          ledger(usd);
          check.after?.(reading("flow"), before);
        }
      }
    }
    return { halted, worstTrading: Math.max(oracle.worstDrawdown, oracle.worstDaily) };
  }

  it("for any equity path and any cash flows (the ledger before or after the value), the drawdown % and the daily loss % right after a flow are those right before", () => {
    const daily = defaultSettings();
    daily.risk.maxDrawdownPct = 100;
    daily.risk.maxDailyLossPct = 100;
    fc.assert(
      fc.property(fc.array(anyStep, { maxLength: 30 }), (steps) => {
        run(steps, daily, {
          after: (v, before) => {
            expect(close(v.drawdownPct, before.drawdownPct)).toBe(true);
            expect(close(v.dailyLossPct, before.dailyLossPct)).toBe(true);
          },
        });
      }),
    );
  });

  it("a halt or a daily stop only ever comes with a trading loss: at a reading after prices moved, never after a cash flow", () => {
    const both = defaultSettings();
    both.risk.maxDrawdownPct = 20;
    both.risk.maxDailyLossPct = 10;
    fc.assert(
      fc.property(fc.array(anyStep, { maxLength: 30 }), (steps) => {
        run(steps, both, {
          halts: (kind, v, previous) => {
            expect(kind).not.toBe("flow");
            expect(v.drawdownPct > previous.drawdownPct || v.dailyLossPct > previous.dailyLossPct).toBe(true);
          },
        });
      }),
    );
  });

  it("for any sequence of readings and cash flows, no halt unless trading lost the limit", () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        const r = run(steps);
        if (r.worstTrading < 0.24) expect(r.halted).toBe(false);
      }),
    );
  });

  it("the same sequences with a trading loss of the limit's size at the end halt", () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        expect(run([...steps, { kind: "crash" }]).halted).toBe(true);
      }),
    );
  });

  it("the daily loss limit the same way", () => {
    const daily = defaultSettings();
    daily.risk.maxDrawdownPct = 100;
    daily.risk.maxDailyLossPct = 25;
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        const r = run(steps, daily);
        if (r.worstTrading < 0.24) expect(r.halted).toBe(false);
        expect(run([...steps, { kind: "crash" }], daily).halted).toBe(true);
      }),
    );
  });
});

describe("a pause holds everything but a halt's closes", () => {
  const reasons = [
    "kill-switch",
    "flatten",
    "open",
    "increase",
    "reduce",
    "close",
    "leader-liquidated",
    "time-stop",
  ] as const;
  const action = fc.record({ reduceOnly: fc.boolean(), reason: fc.constantFrom(...reasons), n: fc.nat() });

  it("property: paused under a halt, exactly its reduce-only closes go (kill-switch, flatten); without a halt, nothing", () => {
    fc.assert(
      fc.property(fc.array(action, { maxLength: 12 }), fc.boolean(), (actions, halted) => {
        const sent = sentWhilePaused(actions, halted);
        if (!halted) expect(sent).toEqual([]);
        else
          expect(sent).toEqual(
            actions.filter((a) => a.reduceOnly && (a.reason === "kill-switch" || a.reason === "flatten")),
          );
      }),
    );
  });

  it("the kill switch's close of a position goes; a copy's increase waits", () => {
    const close = { reduceOnly: true, reason: "kill-switch" as const };
    const copy = { reduceOnly: false, reason: "increase" as const };
    expect(sentWhilePaused([close, copy], true)).toEqual([close]);
    expect(sentWhilePaused([close], false)).toEqual([]);
  });
});
