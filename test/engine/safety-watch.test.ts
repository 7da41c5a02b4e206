// The safety rules' memory (SafetyWatch) in the window between the account value and the
// ledger: a withdrawal the account stream shows before its ledger update (or after it) never
// halts; an unexplained fall of the cash that the ledger never confirms counts after the wait;
// a fall of prices halts at once.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CASH_FLOW_CONFIRM_MS } from "../../src/core/safety.js";
import { defaultSettings, type Settings } from "../../src/core/settings.js";
import type { EngineEvent, RunMode } from "../../src/engine/events.js";
import { DAILY_LOSS_STOP_KEY, SafetyWatch } from "../../src/engine/safety-watch.js";
import { type Journal, openJournal } from "../../src/store/journal.js";
import { JOURNAL_APPLICATION_ID, MIGRATIONS } from "../../src/store/migrations.js";

import { fcRuns } from "../helpers/fast-check.js";

const T0 = Date.UTC(2026, 0, 5, 12);

function watch(
  journal = openJournal(":memory:"),
  settings: Settings = defaultSettings(),
  mode: RunMode = "live",
  /** When the watch (its run) begins, ms after T0. */
  startMs = 0,
) {
  let now = T0 + startMs;
  const events: EngineEvent[] = [];
  const w = new SafetyWatch({
    journal,
    settings, // kill switch 25 %, daily loss 10 % (the defaults)
    mode,
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

  it("a deposit the ledger tells before the account value shows it is said as the ledger's deposit, not as a fall of the cash", () => {
    const s = watch();
    s.w.check({ accountValue: 10_000, cash: 9_000, time: T0 }, true);
    s.at(1_000);
    s.w.cashFlows([{ time: T0 + 500, usd: 2_000, kind: "deposit", hash: "0xd1" }]);
    s.at(1_100);
    s.w.check({ accountValue: 10_000, cash: 9_000, time: T0 + 400 }, false); // a state from before it
    const said = s.events.filter((e) => e.type === "warning").map((e) => (e as { message: string }).message);
    expect(said).toEqual([
      "the ledger's deposit of $2,000.00 is not in the account's cash yet (the account read trails the ledger): increases wait until it is (counted as a trading result if it does not show within 300 s)",
    ]);
    expect(s.w.halt).toBeNull();
    s.at(1_200);
    s.w.check({ accountValue: 12_000, cash: 11_000, time: T0 + 600 }, false);
    expect(s.w.held).toBe(false);
    expect(s.w.halt).toBeNull();
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

  it("a loss by hand while no run watched, its fills read before the first reading (a reconcile, the fills stream's snapshot): a loss, not a cash flow waiting for the ledger", () => {
    const s = watch();
    s.journal.recordEquity(T0 - 60_000, 10_000, { cash: 10_000 });
    // The trader lost $1 200 by hand (closed P&L −1 190, fee 10): read before any account reading.
    s.w.fill({ closedPnl: -1_190, fee: 10, time: T0 - 30_000 });
    s.w.check({ accountValue: 8_800, cash: 8_800, time: T0 }, true);
    expect(s.w.held).toBe(false);
    expect(s.w.unconfirmedUsd).toBe(0);
    expect(s.w.dailyLossHit).toBe(true); // 12 % ≥ 10 %: the loss counts at once
    expect(s.events.filter((e) => e.type === "warning")).toEqual([]);
  });

  it("a dry run holds what no fill or ledger explains, and says it holds it for the rest of the run (it never reads the real account's cash or ledger again)", () => {
    const live = watch();
    live.w.check({ accountValue: 10_000, cash: 10_000, time: T0 }, true);
    const dry = watch(live.journal, defaultSettings(), "dry-run");
    dry.at(60_000);
    dry.w.check({ accountValue: 8_800, cash: 8_800, time: T0 + 59_000 }, true);
    expect(dry.w.held).toBe(true);
    const warning = dry.events.find((e) => e.type === "warning");
    expect(warning?.type === "warning" && warning.message).toMatch(
      /^the account's cash fell by \$1,?200\.00 with no fill or ledger update to explain it yet: a live run takes it as a deposit\/withdrawal and holds increases until the ledger confirms it \(counted as a trading result if unconfirmed within 300 s\); this dry run models its own account from here and never sees the ledger confirm it, so it holds increases for the rest of the run$/,
    );
    // Its later readings are of its own modeled account (no cash): the hold stays, as said.
    dry.at(60_000 + 600_000);
    dry.w.check({ accountValue: 8_800 }, true);
    expect(dry.w.held).toBe(true);
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

describe("SafetyWatch: what a sweep's reads would leave unexplained, asked before they are applied", () => {
  it("property: unexplainedAt(cash, flows, fills) is the change the same fills, flows and reading then leave waiting for the ledger — and asking changes nothing", () => {
    const flow = fc.record({
      dt: fc.integer({ min: -120_000, max: 0 }),
      usd: fc.integer({ min: -5_000, max: 5_000 }).filter((u) => u !== 0),
      id: fc.nat(1_000),
    });
    const fill = fc.record({
      dt: fc.integer({ min: -120_000, max: 0 }),
      closedPnl: fc.integer({ min: -2_000, max: 2_000 }),
      fee: fc.integer({ min: 0, max: 20 }),
    });
    fc.assert(
      fc.property(
        fc.constantFrom<RunMode>("live", "dry-run"),
        fc.option(
          fc.record({
            cash: fc.integer({ min: 1_000, max: 50_000 }),
            pending: fc.integer({ min: -3_000, max: 3_000 }),
          }),
        ),
        fc.array(flow, { maxLength: 5 }),
        fc.array(fill, { maxLength: 3 }),
        fc.integer({ min: 0, max: 60_000 }),
        (mode, last, flows, fills, cash) => {
          /** A run's start on a journal its last run left (`last`: its reading of the cash, if any). */
          const start = () => {
            const journal = openJournal(":memory:");
            if (last)
              journal.recordEquity(T0 - 60_000, last.cash, { cash: last.cash, pending: last.pending });
            const s = watch(journal, defaultSettings(), mode);
            s.at(1_000);
            return s;
          };
          const rows = flows.map((f) => ({
            time: T0 + f.dt,
            usd: f.usd,
            kind: "deposit",
            hash: `0x${f.id}`,
          }));
          const ours = fills.map((f) => ({ closedPnl: f.closedPnl, fee: f.fee, time: T0 + f.dt }));
          const reading = { accountValue: cash + 500, cash, time: T0 + 900 };
          const apply = (s: ReturnType<typeof start>) => {
            for (const f of ours) s.w.fill(f);
            s.w.cashFlows(rows, reading);
            s.w.check(reading, true);
          };
          const asked = start();
          const said = asked.w.unexplainedAt(cash, rows, ours);
          expect(asked.w.unexplainedAt(cash, rows, ours)).toBe(said);
          apply(asked);
          const plain = start();
          apply(plain);
          expect(asked.w.unconfirmedUsd).toBe(said);
          expect(plain.w.unconfirmedUsd).toBe(said);
          expect(asked.w.held).toBe(plain.w.held);
          expect(asked.events).toEqual(plain.events);
        },
      ),
    );
  });
});

describe("SafetyWatch: a cash flow scales the marks by (E + flow) / E — the drawdown % and the daily loss % stay", () => {
  // The repro: $1 000, prices fall (ETH −10 %, BTC −7 %) to a 15.54 % drawdown, then $400 is
  // withdrawn. Moving the mark by $400 made it 25.84 % from a mark of 600: kill switch, flattened.
  const before = 1_000 * (1 - 0.1554);
  for (const order of ["the account value first", "the ledger first"] as const) {
    it(`a $400 withdrawal in a 15.54 % drawdown (${order}): still 15.54 %, no halt, no daily loss`, () => {
      const s = watch();
      s.w.check({ accountValue: 1_000, cash: 1_000, time: T0 }, true);
      s.at(1_000);
      s.w.check({ accountValue: before, cash: 1_000, time: T0 + 900 }, true); // prices fell
      expect(s.w.drawdownPct).toBeCloseTo(15.54, 9);
      s.at(2_000);
      if (order === "the ledger first") {
        s.w.cashFlows([withdrawal(1_500, 400)]);
        s.w.check({ accountValue: before, cash: 1_000, time: T0 + 1_400 }, false); // a state from before it
        expect(s.w.drawdownPct).toBeCloseTo(15.54, 9);
        s.at(2_500);
        s.w.check({ accountValue: before - 400, cash: 600, time: T0 + 1_600 }, true);
      } else {
        s.w.check({ accountValue: before - 400, cash: 600, time: T0 + 1_600 }, false);
        expect(s.w.drawdownPct).toBeCloseTo(15.54, 9);
        s.at(2_500);
        s.w.cashFlows([withdrawal(1_500, 400)]);
      }
      expect(s.w.drawdownPct).toBeCloseTo(15.54, 9);
      expect(s.w.dailyLossPct).toBeCloseTo(15.54, 9);
      expect(s.w.halt).toBeNull();
      // The fall of prices hit the daily loss limit (10 %), before the withdrawal; nothing since.
      expect(s.events.filter((e) => e.type === "halt").map((e) => e.ts)).toEqual([T0 + 1_000]);
      expect(s.journal.activeHalt()).toBeNull();
      // The journal's mark scaled with it (status and report read it): 1 000 × (444.6 / 844.6).
      const eq = s.journal.latestEquity();
      expect(eq?.hwm).toBeCloseTo((1_000 * (before - 400)) / before, 6);
      // A restart reads the same from the journal.
      const next = watch(s.journal);
      next.at(3_000);
      next.w.check({ accountValue: before - 400, cash: 600, time: T0 + 2_900 }, true);
      expect(next.w.drawdownPct).toBeCloseTo(15.54, 9);
      expect(next.w.dailyLossPct).toBeCloseTo(15.54, 9);
      expect(next.w.halt).toBeNull();
    });
  }

  it("--max-drawdown-pct 0.1 at a 0.02 % drawdown, $9 000 of $9 998 withdrawn: still 0.02 %, no halt", () => {
    const settings = defaultSettings();
    settings.risk.maxDrawdownPct = 0.1;
    const s = watch(openJournal(":memory:"), settings);
    s.w.check({ accountValue: 10_000, cash: 10_000, time: T0 }, true);
    s.at(1_000);
    s.w.check({ accountValue: 9_998, cash: 10_000, time: T0 + 900 }, true);
    s.at(2_000);
    s.w.check({ accountValue: 998, cash: 1_000, time: T0 + 1_900 }, false);
    s.w.cashFlows([withdrawal(1_500, 9_000)]);
    expect(s.w.drawdownPct).toBeCloseTo(0.02, 9);
    expect(s.w.halt).toBeNull();
  });

  it("then a trading loss to the limit still halts, measured in % of what is left", () => {
    const s = watch();
    s.w.check({ accountValue: 1_000, cash: 1_000, time: T0 }, true);
    s.at(1_000);
    s.w.check({ accountValue: 600, cash: 600, time: T0 + 900 }, false);
    s.w.cashFlows([withdrawal(500, 400)]);
    expect(s.w.halt).toBeNull();
    s.at(2_000);
    s.w.check({ accountValue: 450, cash: 600, time: T0 + 1_900 }, false); // 25 % of 600
    expect(s.w.halt?.kind).toBe("kill-switch");
  });

  type Step = { kind: "trade"; pct: number } | { kind: "flow"; pct: number; ledgerFirst: boolean };
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({ kind: fc.constant("trade" as const), pct: fc.double({ min: -0.3, max: 0.3, noNaN: true }) }),
    fc.record({
      kind: fc.constant("flow" as const),
      pct: fc.double({ min: -0.95, max: 3, noNaN: true }),
      ledgerFirst: fc.boolean(),
    }),
  );
  const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));

  it("property: for any path of prices and cash flows (either order) through the watch and its journal, the drawdown % and the daily loss % right after a flow are those right before — and a restart reads them back", () => {
    const settings = defaultSettings();
    settings.risk.maxDrawdownPct = 100;
    settings.risk.maxDailyLossPct = 100;
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 20 }), (steps) => {
        const s = watch(openJournal(":memory:"), settings);
        let ms = 0;
        let cash = 10_000;
        let upnl = 0;
        let n = 0;
        const reading = (fromSweep: boolean) => {
          ms += 1_000;
          s.at(ms);
          s.w.check({ accountValue: cash + upnl, cash, time: T0 + ms - 100 }, fromSweep);
        };
        reading(true);
        for (const x of steps) {
          if (x.kind === "trade") {
            upnl += (cash + upnl) * x.pct;
            reading(n++ % 3 === 0);
            continue;
          }
          const usd = (cash + upnl) * x.pct;
          if (Math.abs(usd) <= 2 * Math.max(1, Math.abs(cash) * 1e-4, Math.abs(cash + usd) * 1e-4)) continue;
          const before = { dd: s.w.drawdownPct, daily: s.w.dailyLossPct };
          const same = () => {
            expect(close(s.w.drawdownPct, before.dd)).toBe(true);
            expect(close(s.w.dailyLossPct, before.daily)).toBe(true);
          };
          const flow = { time: T0 + ms + 50, usd, kind: usd > 0 ? "deposit" : "withdraw", hash: `0x${++n}` };
          if (x.ledgerFirst) {
            ms += 100;
            s.at(ms);
            s.w.cashFlows([flow]);
            same();
            cash += usd;
            reading(false);
          } else {
            cash += usd;
            reading(false);
            same();
            s.w.cashFlows([flow]);
          }
          same();
        }
        expect(s.events.filter((e) => e.type === "warning")).toEqual([]);
        // A restart from the journal: the same figures at the same account value.
        const dd = s.w.drawdownPct;
        const daily = s.w.dailyLossPct;
        reading(true);
        const next = watch(s.journal, settings);
        next.at(ms);
        next.w.check({ accountValue: cash + upnl, cash, time: T0 + ms }, true);
        expect(close(next.w.drawdownPct, dd)).toBe(true);
        expect(close(next.w.dailyLossPct, daily)).toBe(true);
      }),
      { numRuns: fcRuns(60) },
    );
  });
});

describe("SafetyWatch: a dry run computes what a live run computes", () => {
  /** A live run's account: $10 000, then a 20 % fall of prices, all journaled. */
  function journaled() {
    const live = watch();
    live.w.check({ accountValue: 10_000, cash: 10_000, time: T0 }, true);
    live.at(1_000);
    live.w.check({ accountValue: 8_000, cash: 10_000, time: T0 + 900 }, true);
    return live;
  }
  const dryWatch = (journal: Journal, at: number) => {
    const d = watch(journal, defaultSettings(), "dry-run");
    d.at(at);
    return d;
  };

  it("after a withdrawal a live run journaled: the same high-water mark, drawdown and verdict (it used to see the mark + the withdrawal: HALT kill-switch)", () => {
    const live = journaled();
    live.at(2_000);
    live.w.check({ accountValue: 1_000, cash: 3_000, time: T0 + 1_900 }, false);
    live.w.cashFlows([withdrawal(1_500, 7_000)]);
    expect(live.w.halt).toBeNull();
    const dry = dryWatch(live.journal, 3_000);
    dry.w.check({ accountValue: 1_000, cash: 3_000, time: T0 + 2_900 }, true);
    live.at(3_000);
    live.w.check({ accountValue: 1_000, cash: 3_000, time: T0 + 2_900 }, true);
    for (const s of [dry, live]) {
      expect(s.w.halt).toBeNull();
      expect(s.w.drawdownPct).toBeCloseTo(20, 9);
      expect(s.w.dailyLossPct).toBeCloseTo(20, 9);
    }
    expect(dry.w.hwm).toBeCloseTo(live.w.hwm, 9);
    // The fall of prices hit the daily loss limit (10 %) for both; the kill switch (25 %) neither.
    expect(dry.w.dailyLossHit).toBe(live.w.dailyLossHit);
    expect(dry.events.filter((e) => e.type === "halt").map((e) => e.kind)).toEqual(["daily-loss"]);
    // After hlcopy resume resets the mark to the account value, the dry run starts there too.
    live.journal.resetHighWaterMark(T0 + 3_500, 1_000);
    const again = dryWatch(live.journal, 4_000);
    again.w.check({ accountValue: 1_000, cash: 3_000, time: T0 + 3_900 }, true);
    expect(again.w.hwm).toBe(1_000);
    expect(again.w.drawdownPct).toBe(0);
  });

  it("a withdrawal no run journaled yet: the dry run takes it in its memory (writes nothing) and agrees with the live run that then journals it", () => {
    const live = journaled();
    const rows = live.journal.equitySince(0).length;
    const flow = withdrawal(1_500, 7_000);
    const dry = dryWatch(live.journal, 3_000);
    const reading = { accountValue: 1_000, cash: 3_000, time: T0 + 2_900 };
    dry.w.cashFlows([flow], reading);
    dry.w.check(reading, true);
    expect(live.journal.cashFlowTotal()).toBe(0);
    expect(live.journal.equitySince(0)).toHaveLength(rows);
    const next = watch(live.journal);
    next.at(3_000);
    next.w.cashFlows([flow], reading);
    next.w.check(reading, true);
    for (const s of [dry, next]) {
      expect(s.w.halt).toBeNull();
      expect(s.w.drawdownPct).toBeCloseTo(20, 9);
      expect(s.w.dailyLossPct).toBeCloseTo(20, 9);
    }
    expect(dry.w.hwm).toBeCloseTo(next.w.hwm, 9);
  });

  it("a real loss: both halt, only the live run records it", () => {
    const live = journaled();
    const dry = dryWatch(live.journal, 2_000);
    dry.w.check({ accountValue: 7_000, cash: 10_000, time: T0 + 1_900 }, true);
    expect(dry.w.halt?.kind).toBe("kill-switch");
    expect(live.journal.activeHalt()).toBeNull();
    live.at(2_000);
    live.w.check({ accountValue: 7_000, cash: 10_000, time: T0 + 1_900 }, true);
    expect(live.w.halt?.kind).toBe("kill-switch");
    expect(live.journal.activeHalt()?.kind).toBe("kill-switch");
  });
});

describe("SafetyWatch: the daily loss limit holds until the UTC day ends", () => {
  it("hit once, it stays hit when the loss recovers and across a restart (journaled, as status reads it); it lifts at 00:00 UTC", () => {
    const s = watch();
    s.w.check({ accountValue: 10_000, cash: 10_000, time: T0 }, true);
    s.at(1_000);
    s.w.check({ accountValue: 8_927, cash: 10_000, time: T0 + 900 }, false);
    expect(s.w.dailyLossHit).toBe(true);
    const halt = s.events.find((e) => e.type === "halt");
    expect(halt).toMatchObject({ kind: "daily-loss", reason: expect.stringContaining("daily loss 10.73%") });
    expect(s.journal.getCopyState(DAILY_LOSS_STOP_KEY)).toMatchObject({
      day: "2026-01-05",
      lossPct: expect.closeTo(10.73, 9),
      limitPct: 10,
      since: T0 + 1_000,
    });
    s.at(2_000);
    s.w.check({ accountValue: 9_500, cash: 10_000, time: T0 + 1_900 }, true);
    expect(s.w.dailyLossHit).toBe(true);
    const next = watch(s.journal);
    next.at(3_000);
    next.w.check({ accountValue: 9_500, cash: 10_000, time: T0 + 2_900 }, true);
    expect(next.w.dailyLossHit).toBe(true);
    expect(next.events.find((e) => e.type === "halt")).toMatchObject({
      kind: "daily-loss",
      reason: halt?.reason,
    });
    next.at(12 * 3_600_000); // 00:00 UTC of the next day
    next.w.check({ accountValue: 9_500, cash: 10_000, time: T0 + 12 * 3_600_000 }, true);
    expect(next.w.dailyLossHit).toBe(false);
  });

  it("a restart under the day's stop tells it as standing since it was hit (not a new halt); the run that hit it does not", () => {
    const s = watch();
    s.w.check({ accountValue: 10_000, cash: 10_000, time: T0 }, true);
    s.at(1_000);
    s.w.check({ accountValue: 8_927, cash: 10_000, time: T0 + 900 }, false);
    const hit = s.events.filter((e) => e.type === "halt");
    expect(hit).toHaveLength(1);
    expect(hit[0]).not.toHaveProperty("since");
    for (const mode of ["live", "dry-run"] as const) {
      const next = watch(s.journal, defaultSettings(), mode, 60_000);
      next.w.check({ accountValue: 9_500, cash: 10_000, time: T0 + 59_900 }, true);
      expect(next.events.filter((e) => e.type === "halt")).toEqual([
        expect.objectContaining({ kind: "daily-loss", ts: T0 + 60_000, since: T0 + 1_000 }),
      ]);
    }
  });

  it("a dry run keeps a stop it finds in its memory: nothing recorded", () => {
    const s = watch(openJournal(":memory:"), defaultSettings(), "dry-run");
    s.w.check({ accountValue: 10_000, cash: 10_000, time: T0 }, true);
    s.at(1_000);
    s.w.check({ accountValue: 8_000, cash: 10_000, time: T0 + 900 }, false);
    expect(s.w.dailyLossHit).toBe(true);
    expect(s.journal.getCopyState(DAILY_LOSS_STOP_KEY)).toBeNull();
  });
});

describe("SafetyWatch on the day of the upgrade to the factors (leftovers 6)", () => {
  it("a withdrawal journaled that day before the upgrade is no daily loss: the day's start scales with it", () => {
    const file = join(mkdtempSync(join(tmpdir(), "hlcopy-upgrade-day-")), "journal.sqlite");
    const db = new DatabaseSync(file);
    for (const m of MIGRATIONS.filter((m) => m.version <= 7)) {
      db.exec(m.sql);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, 0)").run(
        m.version,
        m.name,
      );
    }
    db.exec(`PRAGMA user_version = 7; PRAGMA application_id = ${JOURNAL_APPLICATION_ID}`);
    // As an hlcopy before the factors journaled it: $10 000 at 12:00, $4 000 withdrawn at 12:30.
    db.exec(
      `INSERT INTO equity (ts, account_value, hwm, flows, cash) VALUES (${T0}, 10000, 10000, 0, 10000)`,
    );
    db.exec(
      `INSERT INTO cash_flows (ts, usd, kind, hash) VALUES (${T0 + 1_800_000}, -4000, 'withdraw', '0x01')`,
    );
    db.exec(
      `INSERT INTO equity (ts, account_value, hwm, flows, cash) VALUES (${T0 + 1_860_000}, 6000, 6000, -4000, 6000)`,
    );
    db.close();
    // Upgraded at 13:00; the run reads $6 000 — no trade, no loss.
    const s = watch(openJournal(file, { now: () => T0 + 3_600_000 }));
    s.at(3_600_000);
    s.w.check({ accountValue: 6_000, cash: 6_000, time: T0 + 3_600_000 }, true);
    expect(s.w.dailyLossPct).toBeCloseTo(0, 9);
    expect(s.w.dailyLossHit).toBe(false);
    expect(s.events.filter((e) => e.type === "halt")).toEqual([]);
    s.journal.close();
  });
});

describe("SafetyWatch: a paper run's safety figures are its own paper account's", () => {
  /** A journal an earlier paper run of $10 000 left: its mark, its day, and a halt it raised. */
  function earlierPaperRun() {
    const s = watch(openJournal(":memory:"), defaultSettings(), "paper");
    s.w.check({ accountValue: 10_000 }, true);
    s.at(60_000);
    s.w.check({ accountValue: 7_000 }, true); // 30 % down: kill switch and daily loss
    expect(s.w.halt?.kind).toBe("kill-switch");
    expect(s.journal.activeHalt()?.kind).toBe("kill-switch");
    return s.journal;
  }

  it("a new paper account of $1 000 is no drawdown of the earlier $10 000 one, and the earlier one's halt is set aside (said once)", () => {
    const journal = earlierPaperRun();
    let now = T0 + 120_000;
    const events: EngineEvent[] = [];
    const w = new SafetyWatch({
      journal,
      settings: defaultSettings(),
      mode: "paper",
      emit: (e) => events.push(e),
      now: () => now,
    });
    expect(w.loadHalt()).toBeNull();
    w.check({ accountValue: 1_000 }, true);
    expect(w.halt).toBeNull();
    expect(w.hwm).toBe(1_000);
    expect(w.drawdownPct).toBe(0);
    expect(w.dailyLossPct).toBe(0);
    expect(w.dailyLossHit).toBe(false);
    expect(journal.activeHalt()).toBeNull();
    expect(events.filter((e) => e.type === "halt")).toEqual([]);
    const notices = events.filter((e) => e.type === "notice" && e.kind === "paper-account");
    expect(notices.map((e) => (e as { message: string }).message)).toEqual([
      "new paper account of $1,000.00: set aside the earlier paper account's kill-switch halt (drawdown 30.00% from high-water mark $10,000.00 reached the 25% limit), high-water mark $10,000.00 and daily loss stop (30.00%) — drawdown and daily loss count from this account's start",
    ]);
    // A loss of this account's own counts from its start, and its halt holds for the rest of the run.
    now += 60_000;
    w.check({ accountValue: 700 }, true);
    expect(w.halt?.kind).toBe("kill-switch");
    now += 60_000;
    w.check({ accountValue: 1_000 }, true);
    expect(w.halt?.kind).toBe("kill-switch");
    expect(journal.activeHalt()?.kind).toBe("kill-switch");
    expect(events.filter((e) => e.type === "notice" && e.kind === "paper-account")).toHaveLength(1);
    journal.close();
  });

  it("a live run on a journal with a halt and a higher mark keeps both (only a paper account is new each run)", () => {
    const s = watch(openJournal(":memory:"), defaultSettings(), "live");
    s.w.check({ accountValue: 10_000 }, true);
    s.at(60_000);
    s.w.check({ accountValue: 7_000 }, true);
    expect(s.w.halt?.kind).toBe("kill-switch");
    let now = T0 + 120_000;
    const events: EngineEvent[] = [];
    const w = new SafetyWatch({
      journal: s.journal,
      settings: defaultSettings(),
      mode: "live",
      emit: (e) => events.push(e),
      now: () => now,
    });
    expect(w.loadHalt()?.kind).toBe("kill-switch");
    now += 1_000;
    w.check({ accountValue: 7_000 }, true);
    expect(w.halt?.kind).toBe("kill-switch");
    expect(w.hwm).toBe(10_000);
    expect(w.drawdownPct).toBeCloseTo(30, 9);
    expect(events.filter((e) => e.type === "notice")).toEqual([]);
    s.journal.close();
  });
});

describe("SafetyWatch: the equity record's pace and the high-water mark between records", () => {
  const rows = (j: Journal) => j.equitySince(0).length;

  it("a peak between two records reaches the journal's mark with the next record, and a restart reads it", () => {
    const s = watch();
    s.w.check({ accountValue: 10_000, cash: 10_000, time: T0 }, true);
    s.at(1_000);
    s.w.check({ accountValue: 11_000, cash: 10_000, time: T0 + 900 }, false); // a peak, within the pace: not recorded
    s.at(2_000);
    s.w.check({ accountValue: 10_500, cash: 10_000, time: T0 + 1_900 }, false);
    expect(rows(s.journal)).toBe(1);
    expect(s.w.hwm).toBe(11_000);
    s.at(6_000); // the pace's next record, below the peak
    s.w.check({ accountValue: 10_450, cash: 10_000, time: T0 + 5_900 }, false);
    expect(rows(s.journal)).toBe(2);
    expect(s.journal.latestEquity()).toMatchObject({ accountValue: 10_450, hwm: 11_000 });
    const next = watch(s.journal);
    next.at(7_000);
    next.w.check({ accountValue: 10_450, cash: 10_000, time: T0 + 6_900 }, true);
    expect(next.w.hwm).toBe(11_000);
    expect(next.w.drawdownPct).toBeCloseTo(5, 9);
  });

  it("a run's end records the last reading not recorded yet, with the peak before it: a restart reads the peak", () => {
    const s = watch();
    s.w.check({ accountValue: 10_000, cash: 10_000, time: T0 }, true);
    s.at(1_000);
    s.w.check({ accountValue: 12_000, cash: 10_000, time: T0 + 900 }, false);
    s.at(1_500);
    s.w.check({ accountValue: 11_400, cash: 10_000, time: T0 + 1_400 }, false);
    s.w.recordLast();
    expect(s.journal.latestEquity()).toMatchObject({ ts: T0 + 1_500, accountValue: 11_400, hwm: 12_000 });
    s.w.recordLast(); // nothing new since: nothing more
    expect(rows(s.journal)).toBe(2);
    const next = watch(s.journal);
    next.at(2_000);
    next.w.check({ accountValue: 11_400, cash: 10_000, time: T0 + 1_900 }, true);
    expect(next.w.hwm).toBe(12_000);
  });

  it("the reading after our fills is owed to the journal: recorded when the record is due (recordOwed), once; one not owed waits for the pace", () => {
    const s = watch();
    s.w.check({ accountValue: 10_000, cash: 10_000, time: T0 }, true);
    s.at(100);
    s.w.check({ accountValue: 9_990, cash: 10_000, time: T0 + 90 }, false);
    s.w.recordOwed(); // nothing owed: no record
    expect(rows(s.journal)).toBe(1);
    s.w.owe(); // the reading after our fills (a close)
    s.at(200);
    s.w.check({ accountValue: 9_980, cash: 10_000, time: T0 + 190 }, false);
    s.w.owe();
    expect(rows(s.journal)).toBe(1);
    s.at(300);
    s.w.recordOwed();
    // The newest reading, at its own moment, with the mark as it stood.
    expect(s.journal.latestEquity()).toMatchObject({
      ts: T0 + 200,
      accountValue: 9_980,
      hwm: 10_000,
      cash: 10_000,
    });
    s.w.recordOwed();
    expect(rows(s.journal)).toBe(2);
  });

  it("a reading older than one already taken in (a frame the stream held) is not the last: the run's end records the newer one, and a sweep's outdated read keeps it too", () => {
    const s = watch();
    s.w.check({ accountValue: 10_000, cash: 10_000, time: T0 }, true);
    s.at(1_000);
    s.w.check({ accountValue: 9_980, cash: 9_980, time: T0 + 900 }, false); // after a close's fees
    s.at(1_100);
    expect(s.w.outdated(T0 + 400)).toBe(true);
    s.w.check({ accountValue: 10_000, cash: 10_000, time: T0 + 400 }, false); // from before the close
    s.w.recordLast();
    expect(s.journal.latestEquity()).toMatchObject({ accountValue: 9_980 });
    s.at(2_000);
    s.w.check({ accountValue: 10_000, cash: 10_000, time: T0 + 500 }, true);
    s.w.recordLast();
    expect(s.journal.latestEquity()).toMatchObject({ accountValue: 9_980 });
    expect(s.w.outdated(T0 + 900)).toBe(false);
    expect(s.w.outdated(undefined)).toBe(false);
  });

  it("a new halt records the reading that raised it at once", () => {
    const s = watch();
    s.w.check({ accountValue: 10_000, cash: 10_000, time: T0 }, true);
    s.at(500);
    s.w.check({ accountValue: 10_400, cash: 10_000, time: T0 + 400 }, false);
    s.at(1_000);
    s.w.check({ accountValue: 7_700, cash: 10_000, time: T0 + 900 }, false); // 25.96 % below the peak
    expect(s.w.halt?.kind).toBe("kill-switch");
    expect(s.journal.latestEquity()).toMatchObject({ ts: T0 + 1_000, accountValue: 7_700, hwm: 10_400 });
    expect(s.journal.activeHalt()?.reason).toContain("high-water mark $10,400.00");
  });

  it("property: readings after our fills owed to the journal and recorded now and then halt at the same reading, with the same mark and drawdown at each, as readings each recorded at once — and a restart reads the same mark", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            move: fc.integer({ min: -900, max: 900 }),
            commit: fc.boolean(),
            fills: fc.boolean(),
          }),
          { minLength: 1, maxLength: 60 },
        ),
        (steps) => {
          const every = watch();
          const paced = watch();
          for (const s of [every, paced]) s.w.check({ accountValue: 10_000, cash: 10_000, time: T0 }, true);
          let value = 10_000;
          let firstHalt: [number | null, number | null] = [null, null];
          for (const [i, step] of steps.entries()) {
            value = Math.max(100, value + step.move);
            const reading = { accountValue: value, cash: 10_000, time: T0 + (i + 1) * 250 - 10 };
            for (const s of [every, paced]) s.at((i + 1) * 250);
            every.w.check(reading, false, true);
            paced.w.check(reading, false);
            if (step.fills) paced.w.owe();
            if (step.commit) paced.w.recordOwed();
            expect(paced.w.hwm).toBeCloseTo(every.w.hwm, 6);
            expect(paced.w.drawdownPct).toBeCloseTo(every.w.drawdownPct, 6);
            expect(paced.w.halt?.kind ?? null).toBe(every.w.halt?.kind ?? null);
            firstHalt = [
              firstHalt[0] ?? (every.w.halt ? i : null),
              firstHalt[1] ?? (paced.w.halt ? i : null),
            ];
          }
          expect(firstHalt[1]).toBe(firstHalt[0]);
          paced.w.recordLast();
          expect(rows(paced.journal)).toBeLessThanOrEqual(rows(every.journal));
          const end = steps.length * 250 + 1_000;
          const [a, b] = [watch(every.journal), watch(paced.journal)];
          for (const s of [a, b]) {
            s.at(end);
            s.w.check({ accountValue: value, cash: 10_000, time: T0 + end }, true);
          }
          expect(b.w.hwm).toBeCloseTo(a.w.hwm, 6);
          expect(b.w.halt?.kind ?? null).toBe(a.w.halt?.kind ?? null);
        },
      ),
    );
  });
});

describe("SafetyWatch: the UTC day's first reading", () => {
  it("is recorded at once, within the equity record's pace: the day's start the daily loss limit measures from", () => {
    const s = watch();
    s.at(12 * 3_600_000 - 1_000);
    s.w.check({ accountValue: 10_000, cash: 10_000, time: T0 + 12 * 3_600_000 - 1_100 }, true);
    s.at(12 * 3_600_000 + 500); // 00:00:00.5 UTC, 1.5 s after the last record
    s.w.check({ accountValue: 9_950, cash: 10_000, time: T0 + 12 * 3_600_000 + 400 }, false);
    expect(s.journal.dayStartEquity("2026-01-06")).toMatchObject({ value: 9_950 });
    s.at(12 * 3_600_000 + 1_000);
    s.w.check({ accountValue: 8_900, cash: 10_000, time: T0 + 12 * 3_600_000 + 900 }, false);
    // 10.55 % below the day's start: the limit (10 %) is hit at this reading.
    expect(s.w.dailyLossPct).toBeCloseTo(10.553, 2);
    expect(s.w.dailyLossHit).toBe(true);
  });
});
