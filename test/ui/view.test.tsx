import { describe, expect, it, vi } from "vitest";
import { demoSummary } from "../../src/cli/demo/run.js";
import { closingSummary } from "../../src/cli/follow/run.js";
import type { DriftReport } from "../../src/core/drift.js";
import { RunSample } from "../../src/core/stats.js";
import { EngineEvents } from "../../src/engine/events.js";
import { Header } from "../../src/ui/Header.js";
import { createLineWriter } from "../../src/ui/lines.js";
import {
  finalDriftText,
  initialDashboardState,
  reduceDashboard,
  runSummary,
  skippedText,
} from "../../src/ui/model.js";
import { shouldUseDashboard, startView } from "../../src/ui/view.js";
import { liveEvents, liveState, T0 } from "./fixtures.js";
import { render } from "./ink-render.js";
import { FakeStdin, FakeStdout } from "./tty.js";

const controls = () => ({ quit: vi.fn(), togglePause: vi.fn(), sweepNow: vi.fn(), flatten: vi.fn() });

describe("shouldUseDashboard", () => {
  const tty = { isTTY: true };
  const pipe = {};
  it("only on a terminal both ways, without --no-ui or --json", () => {
    expect(shouldUseDashboard({ noUi: false, json: false, stdout: tty, stdin: tty })).toBe(true);
    expect(shouldUseDashboard({ noUi: true, json: false, stdout: tty, stdin: tty })).toBe(false);
    expect(shouldUseDashboard({ noUi: false, json: true, stdout: tty, stdin: tty })).toBe(false);
    expect(shouldUseDashboard({ noUi: false, json: false, stdout: pipe, stdin: tty })).toBe(false);
    expect(shouldUseDashboard({ noUi: false, json: false, stdout: tty, stdin: pipe })).toBe(false);
  });
});

describe("the closing summaries on a narrow terminal", () => {
  const words = (text: string) => text.split(/\s+/).filter((w) => w !== "");
  const summary = () => ({
    ...runSummary(liveState()),
    leaderTrades: 59,
    copiedTrades: 58,
    skippedTrades: 1,
    skipped: { "below-min-notional": 1 },
  });

  it("the demo's: every line within the width, no word cut, the figures in one column and a continuation under them", () => {
    const wide = demoSummary(summary(), 60, Number.POSITIVE_INFINITY);
    for (const width of [80, 60, 50]) {
      const text = demoSummary(summary(), 60, width);
      for (const line of text.split("\n")) expect(line.length, line).toBeLessThanOrEqual(width);
      const lines = text.slice(0, text.indexOf("\nNext:")).split("\n");
      // The same words in the same order: a break only between words.
      expect(words(text)).toEqual(words(wide));
      const figures = lines.filter((l) => /^ {2}\S/.test(l));
      // A label, then spaces to the figures' column.
      for (const l of figures) expect(l.slice(0, 19), l).toMatch(/^ {2}[A-Za-z&]+( [A-Za-z&]+)* {2,}$/);
      for (const l of figures) expect(l[19], l).not.toBe(" ");
      const continued = lines.filter((l) => /^ {3}/.test(l));
      expect(continued.length).toBeGreaterThan(0);
      for (const l of continued) expect(l, l).toMatch(/^ {19}\S/);
    }
    expect(wide).toContain(
      "\n  leader trades    59 of the leader's 60 (the run sees those filled once its streams are open): ",
    );
    expect(wide).toContain("\n  at the end       ");
  });

  it("follow's: every line within the width, no word cut", () => {
    const s = summary();
    const wide = closingSummary(s, { eventLines: false });
    for (const width of [80, 50]) {
      const text = closingSummary(s, { eventLines: false, width });
      for (const line of text.split("\n")) expect(line.length, line).toBeLessThanOrEqual(width);
      expect(words(text)).toEqual(words(wide));
    }
  });
});

describe("the closing summary after a follow (the dashboard's and --no-ui's one text)", () => {
  it("tells the leader's trades in their buckets and the skips by reason, as the dashboard's header and the demo's summary do", () => {
    const s = {
      ...runSummary(liveState()),
      leaderTrades: 6,
      copiedTrades: 2,
      inLineTrades: 1,
      missedTrades: 1,
      skippedTrades: 2,
      skipped: { "below-min-notional": 2 },
    };
    const text = closingSummary(s, { eventLines: false });
    expect(text.split("\n")[0]).toMatch(
      /^1 order\(s\) filled; leader trades 6: copied 2, in line 1, missed 1, skipped 2 \(below-min-notional 2\); drift \$75\.00; /,
    );
    expect(skippedText({ "coin-denied": 2, "below-min-notional": 7, "inside-deadband": 0 })).toBe(
      "below-min-notional 7, coin-denied 2",
    );
    expect(closingSummary(runSummary(liveState()), { eventLines: false }).split("\n")[0]).toMatch(
      /^1 order\(s\) filled; leader trades 1: copied 1, skipped 0; drift /,
    );
  });

  it("says the copy lag as the dashboard's header does (one format: 5ms, not '5.0 ms')", () => {
    const s = runSummary(liveState());
    const r = render(<Header state={liveState()} width={80} />);
    const header = r.lastFrame() ?? "";
    r.unmount();
    expect(header).toContain("p50 5ms");
    expect(closingSummary(s, { eventLines: false }).split("\n")[0]).toMatch(/; copy lag p50 5ms$/);
  });

  it("says what the on-exit step did once: after the dashboard (its log is gone), not after event lines (its line is just above)", () => {
    const onExit = "on exit: hold — positions and resting orders left as they are";
    const s = { ...runSummary(liveState()), onExit };
    expect(closingSummary(s, { eventLines: false })).toContain(`\n${onExit}\nopen positions:\n`);
    expect(closingSummary(s, { eventLines: true })).not.toContain("on exit:");
  });
});

describe("the final drift (follow's closing line and the demo's summary: the header's words)", () => {
  const withDrift = (drift: DriftReport) => runSummary({ ...liveState(), drift, freshness: null });
  const line = (summary: ReturnType<typeof runSummary>) =>
    closingSummary(summary, { eventLines: true }).split("\n")[0];

  it("says the drift orders are planned for as the header does, not all drift with the tolerated part in it", () => {
    // SOL $30.02 to trade, BTC −$5.72 under the $10 minimum: the header said "drift $30.02 (SOL)".
    const s = withDrift({
      coins: [
        { coin: "SOL", driftUsd: 30.02, status: "drift", reason: null },
        { coin: "BTC", driftUsd: -5.72, status: "tolerated", reason: "below-min-notional" },
      ],
      driftUsd: 35.74,
      outsideUsd: 30.02,
      inSync: false,
    });
    expect(s.driftVerdict).toBe("drift $30.02 (SOL)");
    expect(s.finalDriftUsd).toBe(35.74); // --json keeps the sum of all drift (docs/events.md)
    expect(s.finalOutsideUsd).toBe(30.02); // and the header's figure beside it
    expect(line(s)).toContain("; drift $30.02 (SOL); ");
    expect(finalDriftText(s)).toBe("drift $30.02 (SOL)");
  });

  it("says in sync with what it tolerates, and a stale end as stale", () => {
    const tolerated = withDrift({
      coins: [{ coin: "HYPE", driftUsd: -3.37, status: "tolerated", reason: "below-min-notional" }],
      driftUsd: 3.37,
      outsideUsd: 0,
      inSync: true,
    });
    expect(line(tolerated)).toContain("; in sync · $3.37 tolerated under the exchange's $10 minimum order; ");
    const stale = runSummary({
      ...liveState(),
      drift: { coins: [], driftUsd: 0, outsideUsd: 0, inSync: true },
      freshness: { freshAt: T0, staleMs: 60_000, lastInSyncAt: T0 },
      now: T0 + 120_000,
    });
    expect(stale.inSync).toBe(false);
    expect(line(stale)).toContain("; stale 2m · last in sync 2m ago; ");
  });

  it("gives the header's figure alone when no verdict is known, never the total with the tolerated part", () => {
    const s = { ...runSummary(liveState()), driftVerdict: null, finalDriftUsd: 17.5, finalOutsideUsd: 12 };
    expect(line(s)).toContain("; drift $12.00; ");
    const failed = { ...s, driftCurrent: false };
    expect(finalDriftText(failed)).toBe(
      "drift $12.00 at the last reading, before the on-exit step failed (not current: no in-sync verdict)",
    );
  });
});

describe("the closing summary of follow --paper", () => {
  it("says paper: its fills and positions are simulated, never read as the real account's", () => {
    const s = {
      ...runSummary(liveState("paper")),
      positions: [{ coin: "BTC", size: 0.05, stopPx: null, takeProfitPx: null }],
    };
    const text = closingSummary(s, { eventLines: false, paper: true });
    expect(text.split("\n")[0]).toMatch(
      /^paper run: 1 paper order\(s\) filled; leader trades 1: copied 1, skipped 0;/,
    );
    expect(text).toContain("\nopen paper positions:\n  BTC +0.05 ");
    expect(closingSummary({ ...s, positions: [] }, { eventLines: false, paper: true })).toMatch(
      /\nopen paper positions: none\n$/,
    );
    expect(closingSummary(s, { eventLines: false })).not.toContain("paper");
  });
});

describe("the closing summary of follow --dry-run", () => {
  it("counts the orders it planned (nothing was sent) and lists the positions its model holds, without fills, slippage or stops", () => {
    const s = {
      ...runSummary(liveState()),
      leaderTrades: 4,
      copiedTrades: 0,
      plannedTrades: 2,
      inLineTrades: 1,
      skippedTrades: 1,
      planned: 4,
      skipped: { "below-min-notional": 1 },
      finalDriftUsd: 0,
      inSync: true,
      driftVerdict: "in sync",
      pnl: {
        realisedUsd: 0.4,
        unrealisedUsd: -1.1,
        feesUsd: 0.5,
        fundingUsd: 0,
        netUsd: -1.2,
        roiPct: -0.012,
      },
      positions: [
        { coin: "BTC", size: 0.05, stopPx: null, takeProfitPx: null },
        { coin: "ETH", size: -0.4, stopPx: null, takeProfitPx: null },
      ],
    };
    expect(closingSummary(s, { eventLines: true })).toBe(
      "dry run: 4 order(s) planned, none sent (each filled as paper fills it, on the book up to its limit, for the next plan); leader trades 4: planned 2, in line 1, skipped 1 (below-min-notional 1); in sync; modeled P&L net -$1.20 (-0.01%), fees included\n" +
        "positions a live run would hold now:\n  BTC +0.05\n  ETH -0.4\n",
    );
    expect(closingSummary({ ...s, positions: [] }, { eventLines: true })).toMatch(
      /\npositions a live run would hold now: none\n$/,
    );
  });
});

describe("runSummary", () => {
  it("has the demo's JSON shape", () => {
    const s = runSummary(liveState());
    expect(s).toEqual({
      ordersFilled: 1,
      // The leader's one trade (BTC), copied; ETH inside its deadband had no leader trade.
      leaderTrades: 1,
      copiedTrades: 1,
      inLineTrades: 0,
      skippedTrades: 0,
      missedTrades: 0,
      plannedTrades: 0,
      inFlightTrades: 0,
      unknownTrades: 0,
      planned: null,
      skipped: {},
      finalDriftUsd: 75,
      finalOutsideUsd: 75,
      inSync: null,
      driftCurrent: true,
      driftVerdict: null,
      // As shown: bps to 0.1, lag to the ms (1.633…, 3.72, 1.94 and 6.96 unrounded).
      slippageBps: { mean: 1.6, median: 1.2, p95: 3.7 },
      execSlippageBps: { mean: 0.8, median: 0.5, p95: 1.9 },
      copyLagMs: { p50: 5, p99: 7 },
      pnl: null,
      onExit: null,
      closesNotSent: null,
      positions: [
        { coin: "BTC", size: 0.05, stopPx: null, takeProfitPx: null },
        { coin: "ETH", size: -0.4, stopPx: null, takeProfitPx: null },
        { coin: "SOL", size: 2.5, stopPx: null, takeProfitPx: null },
      ],
    });
  });
  it("says what the on-exit step did, as its notice said it", () => {
    const message = "on exit: hold — positions and resting orders left as they are";
    const s = reduceDashboard(liveState(), { type: "notice", ts: T0 + 9000, kind: "on-exit", message });
    expect(runSummary(s).onExit).toBe(message);
  });
  it("a run that ends under the kill switch with positions open says their closes were not sent, and what to do", () => {
    const halted = reduceDashboard(liveState(), {
      type: "halt",
      ts: T0 + 9000,
      kind: "kill-switch",
      reason: "drawdown 25.10% from high-water mark 10000.00 reached the 25% limit",
    });
    // The daily loss limit's halt, told after it, does not hide the kill switch.
    const s = runSummary(
      reduceDashboard(halted, {
        type: "halt",
        ts: T0 + 9001,
        kind: "daily-loss",
        reason: "daily loss 25.10% …",
      }),
    );
    expect(s.closesNotSent).toEqual({ halt: "kill-switch", count: 3, coins: ["BTC", "ETH", "SOL"] });
    expect(closingSummary(s, { eventLines: true })).toContain(
      "\nkill switch active: 3 closes not sent (BTC, ETH, SOL) — hlcopy flatten sends them now, or the next follow or reconcile does at its first sweep; the halt stays until hlcopy resume\nopen positions:",
    );
    expect(runSummary(liveState()).closesNotSent).toBeNull();
    expect(closingSummary(runSummary(liveState()), { eventLines: true })).not.toContain("not sent");
  });
  it("nulls, not NaN, before any fill", () => {
    const s = runSummary({
      ...liveState(),
      slippage: { recent: [], samples: [] },
      runSamples: { lag: new RunSample(), exec: new RunSample(), copy: new RunSample() },
    });
    expect(s.slippageBps).toEqual({ mean: null, median: null, p95: null });
    expect(s.execSlippageBps).toEqual({ mean: null, median: null, p95: null });
    expect(JSON.parse(JSON.stringify(s)).copyLagMs).toEqual({ p50: null, p99: null });
  });
});

describe("startView", () => {
  it("lines: one line per event, a summary from the same model, done on stop", async () => {
    const events = new EngineEvents();
    let text = "";
    const view = await startView({
      events,
      controls: controls(),
      dashboard: false,
      json: true,
      out: { write: (s: string) => (text += s) },
    });
    expect(view.kind).toBe("lines");
    const told = [...liveEvents(), { type: "stop" as const, ts: T0 + 9000, reason: "done" }];
    for (const e of told) events.emit(e);
    await view.done;
    const lines = text.trim().split("\n");
    expect(lines).toHaveLength(11);
    expect(JSON.parse(lines.at(-1) ?? "")).toEqual({ ts: T0 + 9000, type: "stop", reason: "done" });
    expect(view.summary().copiedTrades).toBe(1);
    expect(view.summary().finalDriftUsd).toBe(75);
    // The lines are the run's log: the model behind them keeps none, and sums up the run as the
    // dashboard's model (log and all) does.
    let dashboard = initialDashboardState();
    for (const e of told) dashboard = reduceDashboard(dashboard, e);
    expect(dashboard.log.length).toBeGreaterThan(5);
    expect(view.state().log).toEqual([]);
    expect(view.summary()).toEqual(runSummary(dashboard));
    await view.close();
  });

  it("lines: the lines of one turn leave in one write, in order, at the turn's end; close sends what is left", async () => {
    const events = new EngineEvents();
    const writes: string[] = [];
    const view = await startView({
      events,
      controls: controls(),
      dashboard: false,
      json: true,
      out: { write: (s: string) => writes.push(s) },
    });
    const told = liveEvents();
    for (const e of told) events.emit(e);
    expect(writes).toEqual([]); // not yet: the turn goes on
    await Promise.resolve();
    expect(writes).toHaveLength(1);
    // The very lines a line-at-a-time writer gives for the same events.
    let oneByOne = 0;
    let expected = "";
    const reference = createLineWriter({
      json: true,
      out: {
        write: (s: string) => {
          oneByOne++;
          expected += s;
        },
      },
    });
    for (const e of told) reference(e);
    expect(oneByOne).toBeGreaterThan(3);
    expect(writes[0]).toBe(expected);
    // A later turn is a write of its own; close() sends a turn's lines without waiting for its end.
    events.emit({ type: "warning", ts: T0 + 8000, message: "late" });
    await view.close();
    expect(writes).toHaveLength(2);
    expect(JSON.parse(writes[1] ?? "")).toMatchObject({ type: "warning", message: "late" });
  });

  it("dashboard: mounts Ink lazily, draws, and ends after the stop event", async () => {
    const events = new EngineEvents();
    const stdout = new FakeStdout(80, 24);
    const view = await startView({
      events,
      controls: controls(),
      dashboard: true,
      json: false,
      terminal: {
        stdout: stdout as unknown as NodeJS.WriteStream,
        stdin: new FakeStdin() as unknown as NodeJS.ReadStream,
        stderr: new FakeStdout() as unknown as NodeJS.WriteStream,
        interactive: true,
        patchConsole: false,
      },
    });
    expect(view.kind).toBe("dashboard");
    for (const e of liveEvents()) events.emit(e);
    events.emit({ type: "stop", ts: T0 + 9000, reason: "done" });
    await view.done;
    expect(stdout.text()).toContain("$75.00!");
    expect(stdout.text()).toContain("stop: done");
    expect(view.summary().copiedTrades).toBe(1);
  });
});
