import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CASH_FLOW_CONFIRM_MS,
  emptyCashTracker,
  evaluateSafety,
  explainCash,
  type Mark,
  markAt,
  readCash,
  utcDay,
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

describe("cash flows are not trading results", () => {
  // The engine's order (safety-watch.ts): marks shifted to the cash-flow total, then evaluated.
  const limits = (() => {
    const s = defaultSettings();
    s.risk.maxDrawdownPct = 30;
    s.risk.maxDailyLossPct = 20;
    return s;
  })();
  const verdict = (accountValue: number, hwm: Mark, day: Mark | null, flows: number, unconfirmedUsd = 0) =>
    evaluateSafety({
      accountValue,
      hwm: markAt(hwm, flows),
      dayStartEquity: day ? markAt(day, flows) : null,
      settings: limits,
      activeHalt: null,
      unconfirmedUsd,
    });

  it("a withdrawal of 30% lowers the mark and the day's start by as much: no halt, no daily loss", () => {
    const v = verdict(7_000, { value: 10_000, flows: 0 }, { value: 10_000, flows: 0 }, -3_000);
    expect(v).toMatchObject({
      halted: false,
      dailyLossHit: false,
      held: false,
      drawdownPct: 0,
      dailyLossPct: 0,
    });
  });

  it("a trading loss of the same size still halts", () => {
    const v = verdict(7_000, { value: 10_000, flows: 0 }, { value: 10_000, flows: 0 }, 0);
    expect(v.halted).toBe(true);
    expect(v.newHalt?.kind).toBe("kill-switch");
    expect(v.dailyLossHit).toBe(true);
  });

  it("a deposit raises the mark: a loss after it is measured from there", () => {
    // 10 000 → deposit 5 000 → 15 000 → a loss of 4 500 (30% of 15 000).
    const v = verdict(10_500, { value: 10_000, flows: 0 }, null, 5_000);
    expect(v.drawdownPct).toBeCloseTo(30);
    expect(v.halted).toBe(true);
  });

  it("a cash change waiting for the ledger neither halts nor lets increases through", () => {
    // The account value shows the withdrawal; the ledger has not told of it yet (pending −3 000).
    const v = verdict(7_000, { value: 10_000, flows: 0 }, { value: 10_000, flows: 0 }, -3_000, -3_000);
    expect(v).toMatchObject({ halted: false, newHalt: null, held: true, drawdownPct: 0 });
  });

  it("markAt shifts by the difference of the totals only", () => {
    expect(markAt({ value: 100, flows: 40 }, 40)).toBe(100);
    expect(markAt({ value: 100, flows: 40 }, 10)).toBe(70);
    expect(markAt({ value: 100, flows: -5 }, 20)).toBe(125);
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

describe("property: a cash flow alone never halts; a trading loss of the same size does", () => {
  const s = defaultSettings();
  s.risk.maxDrawdownPct = 25;
  s.risk.maxDailyLossPct = 100; // the kill switch alone here; the daily limit below

  type Step =
    | { kind: "trade"; pct: number }
    | { kind: "flow"; pct: number; ledgerFirst: boolean }
    /** A trading loss of 30 % from the day's start and the high-water mark (both shifted by the cash flows). */
    | { kind: "crash" };
  const step: fc.Arbitrary<Step> = fc.oneof(
    // Trading results small enough never to reach the limit on their own.
    fc.record({
      kind: fc.constant("trade" as const),
      pct: fc.double({ min: -0.02, max: 0.05, noNaN: true }),
    }),
    fc.record({
      kind: fc.constant("flow" as const),
      pct: fc.double({ min: -0.9, max: 2, noNaN: true }),
      ledgerFirst: fc.boolean(),
    }),
  );

  /** The engine's rules on a sequence: readings (value, cash) and ledger updates, in either order. */
  /**
   * The engine's rules on a sequence of readings (value, cash) and ledger updates that come
   * before or after the value shows them — beside the rule as the README states it, applied
   * at the instant each thing happens (the oracle): each cash flow moves the high-water mark and
   * the day's start by its amount; the worst trading drawdown / daily loss it saw is returned.
   */
  function run(steps: Step[], settings = s) {
    let t = 0;
    // The account value is its cash plus the positions' unrealised P&L.
    let cash = 10_000;
    let upnl = 0;
    let confirmed = 0;
    let tracker = emptyCashTracker();
    let hwm: Mark | null = null;
    let day: Mark | null = null;
    let halted = false;
    const oracle = { hwm: 10_000, day: 10_000, worstDrawdown: 0, worstDaily: 0 };
    const reading = () => {
      t += 1_000;
      const value = cash + upnl;
      tracker = readCash(tracker, cash, t, t).tracker;
      const flows = confirmed + tracker.pending;
      const v = evaluateSafety({
        accountValue: value,
        hwm: hwm ? markAt(hwm, flows) : value,
        dayStartEquity: day ? markAt(day, flows) : null,
        settings,
        activeHalt: null,
        unconfirmedUsd: tracker.pending,
      });
      hwm = { value: Math.max(hwm ? markAt(hwm, flows) : value, value), flows };
      day ??= { value, flows };
      if (v.halted || v.dailyLossHit) halted = true;
    };
    const ledger = (usd: number) => {
      t += 1;
      confirmed += usd;
      tracker = explainCash(tracker, usd, t);
    };
    const observe = () => {
      const value = cash + upnl;
      oracle.hwm = Math.max(oracle.hwm, value);
      oracle.worstDrawdown = Math.max(oracle.worstDrawdown, (oracle.hwm - value) / oracle.hwm);
      oracle.worstDaily = Math.max(oracle.worstDaily, (oracle.day - value) / oracle.day);
    };
    reading();
    for (const x of steps) {
      if (x.kind === "trade" || x.kind === "crash") {
        // Positions move (unrealised P&L): the value moves, the cash does not.
        const value = cash + upnl;
        upnl += x.kind === "trade" ? value * x.pct : 0.7 * Math.min(oracle.hwm, oracle.day) - value;
        observe();
        reading();
      } else {
        // A deposit, or a withdrawal of up to 90 % of what the account is worth.
        const usd = (cash + upnl) * x.pct;
        if (x.ledgerFirst) ledger(usd);
        cash += usd;
        oracle.hwm += usd;
        oracle.day += usd;
        observe();
        reading();
        if (!x.ledgerFirst) ledger(usd);
        reading();
      }
    }
    return { halted, worstTrading: Math.max(oracle.worstDrawdown, oracle.worstDaily) };
  }

  it("for any sequence of readings and cash flows (the ledger before or after the value), no halt unless trading lost the limit", () => {
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
