// The safety rules' memory (SafetyWatch) in the window between the account value and the
// ledger: a withdrawal the account stream shows before its ledger update (or after it) never
// halts; an unexplained fall of the cash that the ledger never confirms counts after the wait;
// a fall of prices halts at once.

import { describe, expect, it } from "vitest";
import { CASH_FLOW_CONFIRM_MS } from "../../src/core/safety.js";
import { defaultSettings } from "../../src/core/settings.js";
import type { EngineEvent } from "../../src/engine/events.js";
import { SafetyWatch } from "../../src/engine/safety-watch.js";
import { openJournal } from "../../src/store/journal.js";

const T0 = Date.UTC(2026, 0, 5, 12);

function watch(journal = openJournal(":memory:")) {
  let now = T0;
  const events: EngineEvent[] = [];
  const w = new SafetyWatch({
    journal,
    settings: defaultSettings(), // kill switch 25 %, daily loss 10 %
    mode: "live",
    emit: (e) => events.push(e),
    now: () => now,
  });
  const at = (ms: number) => {
    now = T0 + ms;
  };
  return { w, journal, events, at };
}
const withdrawal = (time: number, usd: number) => ({
  time: T0 + time,
  usd: -usd,
  kind: "withdraw",
  hash: `0x${time}`,
});

describe("SafetyWatch: our cash flows against the account value", () => {
  it("the account value shows a withdrawal of 30 % before its ledger update: no halt, increases held; then the update moves the marks", () => {
    const s = watch();
    s.w.check({ accountValue: 10_000, cash: 9_000, time: T0 }, true);
    s.at(1_000);
    s.w.check({ accountValue: 7_000, cash: 6_000, time: T0 + 900 }, false);
    expect(s.w.halt).toBeNull();
    expect(s.w.held).toBe(true);
    expect(s.w.dailyLossHit).toBe(false);
    expect(s.w.drawdownPct).toBe(0);
    expect(s.events.filter((e) => e.type === "halt")).toEqual([]);
    s.at(2_000);
    s.w.cashFlows([withdrawal(800, 3_000)]);
    expect(s.w.held).toBe(false);
    expect(s.w.hwm).toBe(7_000);
    expect(s.journal.latestEquity()).toMatchObject({ accountValue: 7_000, hwm: 7_000 });
    // A later trading loss is measured from the moved marks: 25 % of 7 000 halts.
    s.at(3_000);
    s.w.check({ accountValue: 5_250, cash: 6_000, time: T0 + 2_900 }, false);
    expect(s.w.halt?.kind).toBe("kill-switch");
  });

  it("the ledger update comes first: no halt when the account value follows", () => {
    const s = watch();
    s.w.check({ accountValue: 10_000, cash: 9_000, time: T0 }, true);
    s.at(1_000);
    s.w.cashFlows([withdrawal(500, 3_000)]);
    s.at(1_100);
    s.w.check({ accountValue: 10_000, cash: 9_000, time: T0 + 400 }, false); // a state from before it
    s.at(1_200);
    s.w.check({ accountValue: 7_000, cash: 6_000, time: T0 + 600 }, false);
    expect(s.w.halt).toBeNull();
    expect(s.w.held).toBe(false);
    expect(s.w.dailyLossHit).toBe(false);
    expect(s.w.drawdownPct).toBe(0);
  });

  it("a fall of the cash the ledger never explains counts as a loss after the wait: then it halts", () => {
    const s = watch();
    s.w.check({ accountValue: 10_000, cash: 9_000, time: T0 }, true);
    s.at(1_000);
    s.w.check({ accountValue: 7_000, cash: 6_000, time: T0 + 900 }, false);
    expect(s.w.halt).toBeNull();
    s.at(1_000 + CASH_FLOW_CONFIRM_MS);
    s.w.check({ accountValue: 7_000, cash: 6_000, time: T0 + CASH_FLOW_CONFIRM_MS }, true);
    expect(s.w.halt?.kind).toBe("kill-switch");
  });

  it("a fall of prices (the cash unchanged) halts at once", () => {
    const s = watch();
    s.w.check({ accountValue: 10_000, cash: 9_000, time: T0 }, true);
    s.at(1_000);
    s.w.check({ accountValue: 7_000, cash: 9_000, time: T0 + 900 }, false);
    expect(s.w.halt?.kind).toBe("kill-switch");
  });

  it("a withdrawal while no run watched (the next run's first sweep reads it from the ledger): no halt", () => {
    const s = watch();
    s.journal.recordEquity(T0 - 60_000, 10_000, { cash: 9_000 });
    s.w.cashFlows([withdrawal(-30_000, 3_000)]);
    s.w.check({ accountValue: 7_000, cash: 6_000, time: T0 }, true);
    expect(s.w.halt).toBeNull();
    expect(s.w.dailyLossHit).toBe(false);
    expect(s.w.drawdownPct).toBe(0);
    // Cash flows before the mark began are in it: never taken again.
    s.w.cashFlows([withdrawal(-120_000, 500)]);
    expect(s.journal.cashFlowTotal()).toBe(-3_000);
  });

  it("a run stopped while a withdrawal waited for its ledger update: the next run goes on waiting (no halt), and the update settles it", () => {
    const first = watch();
    first.w.check({ accountValue: 10_000, cash: 9_000, time: T0 }, true);
    first.at(1_000);
    first.w.check({ accountValue: 7_000, cash: 6_000, time: T0 + 900 }, true);
    expect(first.w.halt).toBeNull();
    const next = watch(first.journal);
    next.at(60_000);
    next.w.check({ accountValue: 7_000, cash: 6_000, time: T0 + 59_000 }, true);
    expect(next.w.halt).toBeNull();
    next.at(61_000);
    next.w.cashFlows([withdrawal(800, 3_000)]);
    next.w.check({ accountValue: 7_000, cash: 6_000, time: T0 + 60_000 }, true);
    expect(next.w.held).toBe(false);
    expect(next.w.unconfirmedUsd).toBe(0);
    expect(next.journal.latestEquity()).toMatchObject({ accountValue: 7_000, hwm: 7_000, pending: 0 });
  });
});
