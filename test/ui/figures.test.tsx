// One figure, one meaning, wherever the dashboard and the closing lines show it: a % of a zero
// target is "-", the drawdown is of the equity and hwm beside it, a dry run's slippage is not
// "no fills yet", a halt's notice ends with the halt, the exit step is told after the stop, and
// closing lines break at their separators.

import { describe, expect, it } from "vitest";
import { closingSummary } from "../../src/cli/follow/run.js";
import { describeJournalEvent } from "../../src/cli/journal/format.js";
import { driftReport } from "../../src/core/drift.js";
import { lossPct } from "../../src/core/safety.js";
import { shownDrawdownPct, wrapAtSeparators, wrapToWidth } from "../../src/ui/format.js";
import { Header } from "../../src/ui/Header.js";
import { HELP_SECTIONS } from "../../src/ui/Help.js";
import { createLineWriter, formatLine } from "../../src/ui/lines.js";
import { reduceDashboard, runSummary } from "../../src/ui/model.js";
import { Positions } from "../../src/ui/Positions.js";
import { Slippage } from "../../src/ui/Slippage.js";
import { fillEvent, liveState, reduceAll, startEvent, stateEvent, T0, target } from "./fixtures.js";
import { render } from "./ink-render.js";
import { screenLines } from "./tty.js";

function frame(node: React.ReactElement): string {
  const r = render(node);
  const out = r.lastFrame() ?? "";
  r.unmount();
  return out;
}

describe("the dashboard's figures", () => {
  it("a halted row with target 0 and ours 0: $0.00 with no × and drift% '-', not 0.0%", () => {
    let s = reduceDashboard(liveState(), {
      ...stateEvent(T0 + 5000, [target("BTC", 0.5, 0.05, 0.05, 64000), target("HYPE", 12, 0, 0, 38)]),
      drift: {
        coins: [
          { coin: "BTC", driftUsd: 0, status: "in-sync", reason: null },
          { coin: "HYPE", driftUsd: 0, status: "blocked", reason: "halted" },
        ],
        driftUsd: 0,
        outsideUsd: 0,
        inSync: false,
      },
    });
    s = reduceDashboard(s, { type: "halt", ts: T0 + 5000, kind: "manual", reason: "halted by your flatten" });
    const lines = screenLines(frame(<Positions rows={s.positions} width={80} maxRows={10} loaded />));
    const header = lines[0] ?? "";
    const hype = lines.find((l) => l.startsWith("HYPE")) ?? "";
    expect(hype).not.toContain("×");
    expect(hype).not.toContain("0.0%");
    const at = header.indexOf("drift%");
    expect(hype.slice(at, at + 7).trim()).toBe("-");
  });

  it("dd is the drawdown of the equity and hwm shown beside it: $9,999.09 against $10,000.49 is 0.01%", () => {
    const s = reduceDashboard(
      liveState(),
      // The safety check's drawdown was of an earlier account update (0): the header's is of its figures.
      stateEvent(T0 + 5000, [target("BTC", 0.5, 0.05, 0.05, 64000)], {
        equity: 9_999.09,
        hwm: 10_000.49,
        drawdownPct: 0,
      }),
    );
    const out = frame(<Header state={s} width={120} />);
    expect(out).toContain("equity $9,999.09");
    expect(out).toContain("hwm $10,000.49");
    expect(out).toContain("dd 0.01%");
    expect(shownDrawdownPct(10_001, 10_000, 0)).toBe(0);
    expect(shownDrawdownPct(null, 10_000, 1.5)).toBe(1.5);
    // The kill switch's formula (core/safety.ts lossPct): a mark below a cent — an emptied
    // account's, scaled to a micro-dollar — measures nothing; it read "hwm $0.00 · dd 100.00%".
    expect(shownDrawdownPct(0, 0.000001, 0)).toBe(0);
    expect(shownDrawdownPct(0, 0.000001, 0)).toBe(lossPct(0.000001, 0));
  });

  it("a dry run's slippage line: its orders are modelled (with fees), not 'no fills yet'", () => {
    const dry = reduceAll([startEvent("dry-run"), { type: "connection", ts: T0 + 10, state: "open" }]);
    const out = frame(<Slippage state={dry} width={80} />);
    expect(out).toContain("slip exec bps -  dry run: orders are modelled, not sent");
    expect(out).not.toContain("no fills yet");
    const live = reduceAll([startEvent("live")]);
    expect(frame(<Slippage state={live} width={80} />)).toContain("slip exec bps no fills yet");
  });

  it("the ? help describes the wide terminal's slippage sparkline", () => {
    const slippage = HELP_SECTIONS.find((x) => x.title === "slippage");
    expect(slippage?.lines.join("\n")).toMatch(/wide: a sparkline of the fills' exec bps/);
    for (const line of slippage?.lines.filter((l) => /sparkline/.test(l)) ?? [])
      expect(line.length).toBeLessThanOrEqual(78);
  });

  it("a halted skip's warning ends with the halt: not shown at the bottom after resume", () => {
    let s = reduceDashboard(liveState(), {
      type: "halt",
      ts: T0 + 5000,
      kind: "manual",
      reason: "halted by your flatten",
    });
    s = reduceDashboard(s, {
      type: "decision",
      ts: T0 + 5100,
      trigger: "fill",
      coins: ["HYPE"],
      plan: {
        actions: [],
        skipped: [{ coin: "HYPE", reason: "halted", detail: "halted by your flatten" }],
        targets: [],
        effectiveRatio: 0.1,
        portfolioScale: 1,
        inSync: false,
      },
    });
    expect(s.problem?.text).toMatch(/skip halted/);
    s = reduceDashboard(s, { type: "resume", ts: T0 + 6000 });
    expect(s.problem).toBeNull();
    // Other warnings stay their 30 s.
    s = reduceDashboard(s, { type: "warning", ts: T0 + 6100, message: "funding records could not be read" });
    s = reduceDashboard(s, { type: "resume", ts: T0 + 6200 });
    expect(s.problem?.text).toContain("funding records");
  });

  it("the stop, its exit step, then its end: in the order and at the times they happened, in the dashboard's log and in event lines", () => {
    const events = [
      {
        type: "notice" as const,
        ts: T0 + 6990,
        kind: "stopping" as const,
        message: "stopping: quit — on-exit step: protect",
      },
      {
        type: "notice" as const,
        ts: T0 + 7000,
        kind: "on-exit" as const,
        message: "on exit: protect — stops resting",
      },
      { type: "stop" as const, ts: T0 + 7001, reason: "quit" },
    ];
    let s = liveState();
    for (const e of events) s = reduceDashboard(s, e);
    const said = ["stopping: quit — on-exit step: protect", "on exit: protect — stops resting", "stop: quit"];
    expect(s.log.slice(-3).map((e) => e.text)).toEqual(said);
    expect(s.log.slice(-3).map((e) => e.ts)).toEqual([T0 + 6990, T0 + 7000, T0 + 7001]);
    expect(s.onExit).toBe("on exit: protect — stops resting");
    let out = "";
    const write = createLineWriter({ json: false, out: { write: (t: string) => (out += t) } });
    for (const e of events) write(e);
    expect(out.split("\n").filter(Boolean)).toEqual([
      `12:00:06.990 ${said[0]}`,
      `12:00:07.000 ${said[1]}`,
      `12:00:07.001 ${said[2]}`,
    ]);
  });
});

describe("the header's drift is the sum of the rows' drift as shown", () => {
  it("three rows of $10.01 (10.005 each, 30.015 in all) beside a header of drift $30.03, not $30.02", () => {
    // Each target's drift is 1 × 10.005: a row rounds it to $10.01; the sum rounded was $30.02.
    const targets = ["BTC", "ETH", "SOL"].map((coin) => target(coin, 10, 1, 0, 10.005));
    const drift = driftReport({ targets, skipped: [], actionCoins: ["BTC", "ETH", "SOL"] });
    const s = reduceDashboard(liveState(), { ...stateEvent(T0 + 5000, targets), drift });
    const rows = frame(<Positions rows={s.positions} width={160} maxRows={10} loaded />);
    const shown = [...rows.matchAll(/\$10\.01/g)].length;
    expect(shown).toBe(3);
    const header = frame(<Header state={s} width={160} />);
    expect(header).toContain("drift $30.03 (BTC, ETH, SOL)");
  });
});

describe("one P&L, one form: the dashboard, the state line, the closing summary and the journal", () => {
  it("-$3.67 (-0.04%) wherever it is shown, never −3.67 USD (−0.04%)", () => {
    const pnl = {
      since: T0,
      startEquity: 10_000,
      realisedUsd: -1.2,
      unrealisedUsd: 0,
      feesUsd: 2.465,
      fundingUsd: 0,
      netUsd: -3.665,
      roiPct: -0.03665,
      fills: 2,
      volumeUsd: 1_000,
      byCoin: [],
      byLeader: [],
    };
    const event = { ...stateEvent(T0 + 5000, [target("BTC", 0.5, 0.05, 0.05, 64000)]), pnl };
    const s = reduceDashboard(liveState(), event);
    const header = frame(<Header state={s} width={160} />);
    expect(header).toContain("P&L -$3.67");
    expect(header).toContain("ROI -0.04%");
    expect(formatLine(event)).toContain(" P&L -$3.67 (-0.04%) ");
    expect(closingSummary({ ...runSummary(s), pnl }, { eventLines: false })).toContain(
      "copy P&L net -$3.67 (-0.04%)",
    );
    expect(describeJournalEvent("state", { pnl: { netUsd: pnl.netUsd, roiPct: pnl.roiPct } })).toContain(
      "P&L net -$3.67 (-0.04%)",
    );
  });
});

describe("one slippage, one form: the dashboard's panel, the closing summary and the event lines", () => {
  it("p95 1.9 wherever it is shown, never p95 +1.9 in one view and p95 1.9 in another", () => {
    // The panel wrote "p95 +1.9" (and the summary only "p50 0.5") for the run's execution p95
    // that status, report and the summary write "p95 1.9": ui/format.ts fmtSlippage for all.
    const s = liveState();
    const panel = screenLines(frame(<Slippage state={s} width={120} />))[0] ?? "";
    expect(panel).toContain("mean 0.8 p50 0.5 p95 1.9 n=3");
    expect(panel).toContain("vs leader p50 1.2 p95 3.7");
    const summary = closingSummary(runSummary(s), { eventLines: false });
    expect(summary).toContain(
      "execution slippage p50 0.5 · p95 1.9 bps, vs the leader p50 1.2 · p95 3.7 bps;",
    );
    // One fill's figures as the event line says them: a cost unsigned, a saving with its minus.
    expect(formatLine(fillEvent(T0, "BTC", { execSlippageBps: 2.1, slippageBps: -0.4 }))).toContain(
      "exec 2.1 bps vs leader -0.4 bps",
    );
    for (const text of [panel, summary]) expect(text).not.toMatch(/(p50|p95|mean) \+/);
  });
});

describe("closing lines at 80 columns break at their separators", () => {
  it("never inside a figure or between an operator and its term", () => {
    const pnl =
      "  copy P&L         net -$6.37 (-0.06%) = realized -$0.11 + unrealized $0.00 − fees $6.26 + funding $0.00";
    expect(wrapAtSeparators(pnl, 80, " ".repeat(19))).toBe(
      "  copy P&L         net -$6.37 (-0.06%) = realized -$0.11 + unrealized $0.00\n" +
        "                   − fees $6.26 + funding $0.00",
    );
    expect(wrapAtSeparators("short", 80)).toBe("short");
    expect(wrapAtSeparators(pnl, Number.POSITIVE_INFINITY)).toBe(pnl);
  });

  it("wrapToWidth: a piece with no separator left in it is cut at its spaces, under its line's indent", () => {
    const rejected = `  BTC: ${"Order could not immediately match against any resting orders ".repeat(2).trim()}`;
    const out = wrapToWidth(rejected, 40).split("\n");
    for (const l of out) expect(l.length, l).toBeLessThanOrEqual(40);
    expect(out[0]).toBe("  BTC: Order could not immediately match");
    expect(out.slice(1).every((l) => l.startsWith("    ") && l[4] !== " ")).toBe(true);
    expect(out.join(" ").split(/\s+/).join(" ")).toBe(rejected.split(/\s+/).join(" "));
    expect(wrapToWidth(rejected, Number.POSITIVE_INFINITY)).toBe(rejected);
  });

  it("wrapToWidth: the short end of a piece cut at its spaces takes the pieces after it (no line of one word)", () => {
    const line =
      "copy P&L since 2026-12-02 00:00 UTC: net -$23,456.78 (-234.57%) (as of 43h ago, last sweep) — hlcopy status has it per coin and per leader";
    expect(wrapToWidth(line, 80)).toBe(
      "copy P&L since 2026-12-02 00:00 UTC: net -$23,456.78 (-234.57%) (as of 43h ago,\n" +
        "  last sweep) — hlcopy status has it per coin and per leader",
    );
  });

  it("follow's closing summary on an 80-column terminal", () => {
    const s = {
      ...runSummary(liveState()),
      leaderTrades: 55,
      inLineTrades: 40,
      skippedTrades: 14,
      skipped: { "below-min-notional": 12, "entry-drift": 2 },
      pnl: {
        realisedUsd: -0.11,
        unrealisedUsd: 0,
        feesUsd: 6.26,
        fundingUsd: 0,
        netUsd: -6.37,
        roiPct: -0.0637,
      },
    };
    const text = closingSummary(s, { eventLines: false, width: 80 });
    for (const line of text.split("\n")) expect(line.length).toBeLessThanOrEqual(80);
    // Broken at separators only: no figure split from its words.
    expect(text).toMatch(/(; |\n {2})copy P&L net -\$6\.37 \(-0\.06%\);/);
    expect(text).toMatch(/(, |\n {2})skipped 14 \(below-min-notional 12, entry-drift 2\);/);
    // Without a terminal's width: one line, as scripts read it.
    expect(closingSummary(s, { eventLines: false }).split("\n")[0]).toMatch(
      /^1 order\(s\) filled; leader trades 55: copied 1, in line 40, skipped 14 .*; copy lag p50 5ms$/,
    );
  });
});
