import { describe, expect, it } from "vitest";
import { roundHalfAway } from "../../src/core/format.js";
import { dailyReport } from "../../src/core/report.js";
import { quantile } from "../../src/core/stats.js";
import type { PlannedAction } from "../../src/core/types.js";
import { fmtUsdShort } from "../../src/ui/format.js";
import { HELP_SECTIONS } from "../../src/ui/Help.js";
import {
  budgetState,
  buildPositionRows,
  connectionAgeMs,
  copySlippageStats,
  foldRows,
  initialDashboardState,
  lagStats,
  modeLabel,
  NOTICE_MS,
  reduceDashboard,
  runSummary,
  skippedByReason,
  slippageStats,
} from "../../src/ui/model.js";
import {
  decisionEvent,
  fillEvent,
  LIVE_TARGETS,
  leaderFillEvent,
  liveState,
  plan,
  reduceAll,
  startEvent,
  stateEvent,
  T0,
  target,
} from "./fixtures.js";

describe("reduceDashboard: engine events", () => {
  it("a start event fills the header facts", () => {
    const s = reduceAll([startEvent("paper")]);
    expect(s.runMode).toBe("paper");
    expect(s.account).toMatch(/^0x2222/);
    expect(s.leaders).toHaveLength(1);
    expect(s.network).toBe("testnet");
    expect(modeLabel(s)).toBe("PAPER");
    expect(s.log.at(-1)?.text).toContain("start PAPER testnet");
  });

  it("is pure: the previous state is left untouched", () => {
    const before = liveState();
    const snapshot = JSON.stringify(before);
    reduceDashboard(before, fillEvent(T0 + 9000));
    reduceDashboard(before, { type: "halt", ts: T0 + 9000, kind: "manual", reason: "test" });
    reduceDashboard(before, { type: "ui/helpToggled" });
    expect(JSON.stringify(before)).toBe(snapshot);
  });

  it("mode: halt → HALTED, resume → back to the run mode; paused is its own flag", () => {
    let s = liveState("dry-run");
    expect(modeLabel(s)).toBe("DRY-RUN");
    s = reduceDashboard(s, {
      type: "halt",
      ts: T0 + 5000,
      kind: "kill-switch",
      reason: "drawdown 12.1% ≥ 10%",
    });
    expect(modeLabel(s)).toBe("HALTED");
    expect(s.halt?.reason).toContain("drawdown");
    expect(s.problem?.level).toBe("error");
    s = reduceDashboard(s, { type: "resume", ts: T0 + 6000 });
    expect(modeLabel(s)).toBe("DRY-RUN");
    s = reduceDashboard(s, { type: "ui/pauseToggled" });
    expect(s.ui.pendingPause).toBe(true);
    expect(s.paused).toBe(false);
    s = reduceDashboard(s, { type: "paused", ts: T0 + 7000, paused: true });
    expect(s.paused).toBe(true);
    expect(s.ui.pendingPause).toBeNull();
    expect(modeLabel(s)).toBe("DRY-RUN");
  });

  it("the footer's 'pause requested' goes once the run is paused; another key's notice stays", () => {
    let s = reduceDashboard(liveState(), { type: "ui/pauseToggled" });
    expect(s.ui.notice?.text).toBe("pause requested");
    s = reduceDashboard(s, { type: "paused", ts: T0 + 100, paused: true });
    expect(s.ui.notice).toBeNull();
    s = reduceDashboard(s, { type: "ui/pauseToggled" });
    expect(s.ui.notice?.text).toBe("resume requested");
    s = reduceDashboard(s, { type: "ui/sweepRequested" });
    s = reduceDashboard(s, { type: "paused", ts: T0 + 200, paused: false });
    expect(s.paused).toBe(false);
    expect(s.ui.notice?.text).toBe("sweep requested");
  });

  it("the footer's 'flatten requested' stays while its closes are pending and goes once they are done", () => {
    const sweep = (ts: number) =>
      ({ type: "sweep", ts, durationMs: 5, inSync: true, driftUsd: 0, outsideUsd: 0, requests: 3 }) as const;
    let s = reduceDashboard(liveState(), { type: "ui/flattenConfirmed" });
    const pending = "flatten requested: closing reduce-only";
    expect(s.ui.notice?.text).toBe(pending);
    // A sweep that was under way before the halt: not the flatten's.
    s = reduceDashboard(s, sweep(T0 + 50));
    expect(s.ui.notice?.text).toBe(pending);
    // What engine.flatten() tells, in its order (seen against the simulator).
    s = reduceDashboard(s, {
      type: "halt",
      ts: T0 + 100,
      kind: "manual",
      reason: "flatten requested from the dashboard",
    });
    expect(s.ui.notice?.text).toBe(pending);
    const close: PlannedAction = {
      coin: "BTC",
      side: "sell",
      size: 0.01,
      limitPx: 41_000,
      reduceOnly: true,
      cloid: "0x01",
      reason: "close",
      refPx: 42_000,
    };
    s = reduceDashboard(s, { ...decisionEvent(T0 + 110, plan({ actions: [close] })), trigger: "manual" });
    expect(s.ui.notice?.text).toBe(pending);
    s = reduceDashboard(s, fillEvent(T0 + 120, "BTC", { side: "sell", sz: 0.01, kind: "flatten" }));
    expect(s.ui.notice?.text).toBe(pending);
    s = reduceDashboard(s, sweep(T0 + 130));
    expect(s.ui.notice).toBeNull();
    expect(modeLabel(s)).toBe("HALTED");
  });

  it("a flatten whose sweep fails: the footer gives way to the warning; another key's notice outlives a sweep", () => {
    let s = reduceDashboard(liveState(), { type: "ui/flattenConfirmed" });
    s = reduceDashboard(s, {
      type: "halt",
      ts: T0 + 100,
      kind: "manual",
      reason: "flatten requested from the dashboard",
    });
    s = reduceDashboard(s, {
      type: "warning",
      ts: T0 + 200,
      message: "exchange unreachable: connect ECONNREFUSED (retrying; the run goes on)",
    });
    expect(s.ui.notice).toBeNull();
    expect(s.problem?.text).toContain("exchange unreachable");
    s = reduceDashboard(s, { type: "ui/sweepRequested" });
    s = reduceDashboard(s, { ...decisionEvent(T0 + 300, plan()), trigger: "manual" });
    s = reduceDashboard(s, {
      type: "sweep",
      ts: T0 + 310,
      durationMs: 5,
      inSync: true,
      driftUsd: 0,
      outsideUsd: 0,
      requests: 3,
    });
    expect(s.ui.notice?.text).toBe("sweep requested");
  });

  it("the daily loss limit's banner goes when its stop lifts at 00:00 UTC; a kill switch's stays (leftovers 4)", () => {
    let s = reduceDashboard(liveState(), {
      type: "halt",
      ts: T0 + 1000,
      kind: "daily-loss",
      reason: "daily loss 5.2% …",
    });
    s = reduceDashboard(s, { ...stateEvent(T0 + 2000, LIVE_TARGETS), dailyLossStop: true });
    expect(s.halt?.kind).toBe("daily-loss");
    s = reduceDashboard(s, { ...stateEvent(T0 + 3000, LIVE_TARGETS), dailyLossStop: false });
    expect(s.halt).toBeNull();
    s = reduceDashboard(s, {
      type: "halt",
      ts: T0 + 4000,
      kind: "kill-switch",
      reason: "drawdown 12.1% ≥ 10%",
    });
    s = reduceDashboard(s, { ...stateEvent(T0 + 5000, LIVE_TARGETS), dailyLossStop: false });
    expect(s.halt?.kind).toBe("kill-switch");
  });

  it("the status line's 'paused' warning goes when the run is unpaused; another warning stays", () => {
    let s = reduceDashboard(liveState(), { type: "paused", ts: T0 + 7000, paused: true });
    expect(s.problem?.text).toBe("paused: the leader's trades are not copied until resumed");
    s = reduceDashboard(s, { type: "paused", ts: T0 + 8000, paused: false });
    expect(s.problem).toBeNull();
    s = reduceDashboard(s, { type: "paused", ts: T0 + 9000, paused: true });
    s = reduceDashboard(s, { type: "warning", ts: T0 + 9500, message: "stream quiet" });
    s = reduceDashboard(s, { type: "paused", ts: T0 + 10_000, paused: false });
    expect(s.problem?.text).toBe("warning: stream quiet");
  });

  it("connection age follows heartbeats and the clock", () => {
    let s = reduceAll([startEvent(), { type: "connection", ts: T0 + 100, state: "open" }]);
    expect(connectionAgeMs(s)).toBe(0);
    s = reduceDashboard(s, { type: "ui/tick", now: T0 + 2100 });
    expect(connectionAgeMs(s)).toBe(2000);
    s = reduceDashboard(s, { type: "heartbeat", ts: T0 + 2500 });
    s = reduceDashboard(s, { type: "ui/tick", now: T0 + 3000 });
    expect(connectionAgeMs(s)).toBe(500);
    s = reduceDashboard(s, {
      type: "connection",
      ts: T0 + 3100,
      state: "reconnecting",
      detail: "socket closed",
    });
    expect(s.connection.state).toBe("reconnecting");
    expect(s.connection.detail).toBe("socket closed");
    // a tick older than the latest event never moves the clock back
    s = reduceDashboard(s, { type: "ui/tick", now: T0 });
    expect(s.now).toBe(T0 + 3100);
  });

  it("heartbeats do not touch the log", () => {
    const s = reduceAll([startEvent(), { type: "heartbeat", ts: T0 + 1 }, { type: "heartbeat", ts: T0 + 2 }]);
    expect(s.log).toHaveLength(1);
  });

  it("keeps the log bounded however many events arrive, with seq counting all of them", () => {
    let s = initialDashboardState({ capacity: { log: 50, series: 100, recent: 4 } });
    for (let i = 0; i < 10_000; i++)
      s = reduceDashboard(s, fillEvent(T0 + i, "BTC", { slippageBps: i % 10, lagMs: i % 7 }));
    expect(s.log).toHaveLength(50);
    expect(s.logSeq).toBe(10_000);
    expect(s.log[0]?.seq).toBe(9_951);
    expect(s.slippage.samples).toHaveLength(100);
    expect(s.slippage.recent).toHaveLength(4);
    // The figures are the run's: every fill counts, not the last `series` of them.
    expect(lagStats(s).n).toBe(10_000);
    expect(slippageStats(s).n).toBe(10_000);
    expect(s.counters.fills).toBe(10_000);
  });

  it("the run's lag and slippage figures are over all of its fills, however many, as status reads them back", () => {
    // 600 copies: the first 100 slow (1 s, 20 bps), the last 500 fast (10 ms, 0 bps) — a summary
    // of the last 500 alone would say p99 10 ms and p95 0 bps.
    let s = initialDashboardState({ capacity: { log: 0, series: 500, recent: 8 } });
    const lags: number[] = [];
    const slips: number[] = [];
    for (let i = 0; i < 600; i++) {
      const slow = i < 100;
      lags.push(slow ? 1_000 : 10);
      slips.push(slow ? 20 : 0);
      s = reduceDashboard(
        s,
        fillEvent(T0 + i, "BTC", {
          lagMs: lags[i] ?? 0,
          slippageBps: slips[i] ?? 0,
          execSlippageBps: slips[i] ?? 0,
        }),
      );
    }
    expect(lagStats(s)).toMatchObject({ n: 600, p50: quantile(lags, 0.5), p99: quantile(lags, 0.99) });
    expect(lagStats(s).p99).toBe(1_000);
    expect(copySlippageStats(s)).toMatchObject({ n: 600, p95: quantile(slips, 0.95) });
    expect(slippageStats(s).mean).toBeCloseTo(2000 / 600, 10);
    const summary = runSummary(s);
    expect(summary.copyLagMs.p99).toBe(1_000);
    expect(summary.slippageBps.p95).toBe(20);
    // The slippage budget stays a window of the last fills, as the engine judges it.
    expect(budgetState(s)).toMatchObject({ n: 500, p95Bps: 0 });
  });

  it("slippage and lag statistics of the run: execution for every fill, copy slippage and lag for copies", () => {
    let s = initialDashboardState({ slippageBudgetBps: 10 });
    const bps = [1, 2, 3, 4, 100];
    bps.forEach((b, i) => {
      s = reduceDashboard(
        s,
        fillEvent(T0 + i, "ETH", { execSlippageBps: b, slippageBps: b / 2, lagMs: (i + 1) * 2 }),
      );
    });
    // A sweep repair: execution slippage only (no leader to compare with, no lag).
    s = reduceDashboard(
      s,
      fillEvent(T0 + 10, "ETH", { kind: "repair", execSlippageBps: 0, slippageBps: null, lagMs: null }),
    );
    const st = slippageStats(s);
    expect(st.n).toBe(6);
    expect(st.mean).toBeCloseTo(110 / 6, 10);
    expect(st.median).toBe(2.5);
    expect(st.p95).toBeCloseTo(quantile([...bps, 0], 0.95));
    const copy = copySlippageStats(s);
    expect(copy.n).toBe(5);
    expect(copy.median).toBe(1.5);
    const lag = lagStats(s);
    expect(lag.last).toBe(10);
    expect(lag.p50).toBe(6);
    expect(lag.n).toBe(5);
    expect(s.slippage.recent.map((r) => [r.bps, r.kind])).toEqual([
      ...bps.map((b) => [b, "copy"]),
      [0, "repair"],
    ]);
    // p95 of [0, 1, 2, 3, 4, 100] is 75.5 > 10: over budget, the same function the engine uses.
    expect(budgetState(s)).toMatchObject({ exceeded: true, budgetBps: 10, n: 6 });
  });

  it("each leader trade (one leader order's fills) lands in one bucket; orders filled counts every order of ours", () => {
    const act = (coin: string, cloid: `0x${string}`, reason: "open" | "flip" = "open") => ({
      coin,
      side: "buy" as const,
      size: 0.01,
      limitPx: 64000,
      reduceOnly: reason === "flip",
      cloid,
      reason,
      refPx: 64000,
    });
    const order = (
      coin: string,
      cloid: string,
      kind: "copy" | "join" | "repair" | "safety",
      status: "filled" | "partial" | "sent" | "rejected",
      filledSize: number,
    ) => ({
      type: "order" as const,
      ts: T0,
      coin,
      side: "buy" as const,
      size: 0.01,
      limitPx: 64000,
      reduceOnly: false,
      cloid,
      reason: "open" as const,
      kind,
      status,
      filledSize,
      avgPx: null,
    });
    const s = reduceAll([
      order("BTC", "0xj", "join", "filled", 0.01),
      // A flip: its close and its open, two orders filled, one leader trade (its order filled
      // at two price levels: two fills) copied.
      leaderFillEvent(T0, "BTC", 1),
      leaderFillEvent(T0, "BTC", 1),
      decisionEvent(T0, plan({ actions: [act("BTC", "0xa", "flip"), act("BTC", "0xb")] })),
      order("BTC", "0xa", "copy", "filled", 0.01),
      order("BTC", "0xb", "copy", "filled", 0.01),
      // A burst merged into one plan: three leader trades (two ETH, one SOL), all copied; ETH's
      // order filled in part.
      leaderFillEvent(T0, "ETH", 2),
      leaderFillEvent(T0, "ETH", 3),
      leaderFillEvent(T0, "SOL", 4),
      decisionEvent(T0, plan({ actions: [act("ETH", "0xc"), act("SOL", "0xd")] }), ["ETH", "SOL"]),
      order("ETH", "0xc", "copy", "partial", 0.004),
      order("SOL", "0xd", "copy", "sent", 0),
      order("SOL", "0xd", "copy", "filled", 0.01),
      // Refused: missed (our order did not fill), no skip.
      leaderFillEvent(T0, "HYPE", 5),
      decisionEvent(T0, plan({ actions: [act("HYPE", "0xe")] }), ["HYPE"]),
      order("HYPE", "0xe", "copy", "rejected", 0),
      // A late report of an order already counted counts nothing again.
      order("BTC", "0xb", "copy", "filled", 0.01),
      order("BTC", "0xr", "repair", "filled", 0.01),
      order("BTC", "0xs", "safety", "filled", 0.01),
    ]);
    expect(s.counters).toMatchObject({
      leaderTrades: 5,
      copiedTrades: 4,
      missedTrades: 1,
      skippedTrades: 0,
      inLineTrades: 0,
      inFlightTrades: 0,
      ordersFilled: 8,
      rejections: 1,
    });
    expect(runSummary(s)).toMatchObject({
      leaderTrades: 5,
      copiedTrades: 4,
      missedTrades: 1,
      ordersFilled: 8,
      skipped: {},
    });
  });

  it("a leader's trade that came while the run was paused is skipped `paused`, never copied", () => {
    const act = (coin: string, cloid: `0x${string}`) => ({
      coin,
      side: "buy" as const,
      size: 0.01,
      limitPx: 64000,
      reduceOnly: false,
      cloid,
      reason: "open" as const,
      refPx: 64000,
    });
    const s = reduceAll([
      { type: "paused", ts: T0, paused: true },
      leaderFillEvent(T0, "BTC", 1),
      leaderFillEvent(T0, "ETH", 2),
      leaderFillEvent(T0, "SOL", 3),
      {
        ...decisionEvent(
          T0,
          plan({
            actions: [act("BTC", "0xa"), act("ETH", "0xb")],
            skipped: [{ coin: "SOL", reason: "below-min-notional", detail: "" }],
          }),
          ["BTC", "ETH", "SOL"],
        ),
        held: "paused",
      },
      // The resume's sweep repairs the drift: a repair, no copy of the trade.
      { type: "paused", ts: T0 + 1, paused: false },
      {
        type: "order",
        ts: T0 + 2,
        coin: "BTC",
        side: "buy",
        size: 0.01,
        limitPx: 64000,
        reduceOnly: false,
        cloid: "0xa2",
        reason: "open",
        kind: "repair",
        status: "filled",
        filledSize: 0.01,
        avgPx: null,
      },
    ]);
    expect(s.counters.skipped).toEqual({ paused: 2, "below-min-notional": 1 });
    expect(s.counters.skippedTrades).toBe(3);
    expect(s.counters).toMatchObject({ leaderTrades: 3, skippedTrades: 3, copiedTrades: 0, ordersFilled: 1 });
    expect(runSummary(s).skipped).toEqual({ paused: 2, "below-min-notional": 1 });
  });

  it("orders filled: an order that filled at all, once — a resting entry cancelled after a partial fill and a stop that fired too, as report counts them", () => {
    const order = (
      cloid: string,
      status: "resting" | "filled" | "partial" | "cancelled" | "rejected",
      filledSize: number,
    ) => ({
      type: "order" as const,
      ts: T0 + 1,
      coin: "BTC",
      side: "buy" as const,
      size: 0.02,
      limitPx: 64000,
      reduceOnly: false,
      cloid,
      reason: "open" as const,
      kind: "copy" as const,
      status,
      filledSize,
      avgPx: filledSize > 0 ? 64000 : null,
    });
    const events = [
      order("0xb1", "filled", 0.02), // an IOC filled
      order("0xb2", "partial", 0.01), // an IOC filled in part
      order("0xb3", "rejected", 0), // an IOC that met no book
      order("0xb4", "resting", 0), // a passive entry rests…
      order("0xb4", "cancelled", 0.005), // …fills 0.005 and is cancelled (engine/passive.ts)
      order("0xb5", "resting", 0),
      order("0xb5", "cancelled", 0), // cancelled unfilled
    ];
    // Our resting stop fired: filled on the exchange, journaled filled, said as a protection event.
    const fired = {
      type: "protection" as const,
      ts: T0 + 2,
      coin: "BTC",
      kind: "stop-loss" as const,
      action: "fired" as const,
      size: 0.02,
      triggerPx: 63000,
      detail: "stop-loss fired: 0.02 BTC closed at 63000",
    };
    const s = reduceAll([startEvent(), ...events, fired]);
    // report's rule (core/report.ts: a journaled order whose filled size is above 0), each order's last word.
    const last = new Map(events.map((e) => [e.cloid, e]));
    const byReport = dailyReport({
      since: T0,
      until: T0 + 10,
      equity: [],
      fills: [],
      funding: [],
      orders: [
        ...[...last.values()].map((e) => ({ ts: e.ts, filledSize: e.filledSize })),
        { ts: fired.ts, filledSize: fired.size },
      ],
      snapshots: [],
    }).totals.ordersFilled;
    expect(byReport).toBe(4);
    expect(s.counters.ordersFilled).toBe(byReport);
    expect(runSummary(s).ordersFilled).toBe(4);
  });

  it("counts copied, in line and skipped trades by reason (inside the deadband and in-sync are in line, no skip)", () => {
    const order = (status: "filled" | "rejected" | "sent", filledSize: number) => ({
      type: "order" as const,
      ts: T0,
      coin: "BTC",
      side: "buy" as const,
      size: 0.01,
      limitPx: 64000,
      reduceOnly: false,
      cloid: "0x1",
      reason: "open" as const,
      kind: "copy" as const,
      status,
      filledSize,
      avgPx: null,
    });
    const s = reduceAll([
      leaderFillEvent(T0, "BTC", 1),
      decisionEvent(
        T0,
        plan({
          actions: [
            {
              coin: "BTC",
              side: "buy",
              size: 0.01,
              limitPx: 64000,
              reduceOnly: false,
              cloid: "0x1",
              reason: "open",
              refPx: 64000,
            },
          ],
        }),
      ),
      order("sent", 0),
      order("filled", 0.01),
      order("sent", 0),
      { ...order("rejected", 0), error: "Insufficient margin" },
      leaderFillEvent(T0, "BTC", 2),
      decisionEvent(T0, plan({ skipped: [{ coin: "BTC", reason: "inside-deadband", detail: "" }] })),
      leaderFillEvent(T0, "BTC", 3),
      leaderFillEvent(T0, "ETH", 4),
      leaderFillEvent(T0, "SOL", 5),
      decisionEvent(
        T0,
        plan({
          skipped: [
            { coin: "BTC", reason: "inside-deadband", detail: "" },
            { coin: "ETH", reason: "entry-drift", detail: "" },
            { coin: "SOL", reason: "in-sync", detail: "" },
          ],
        }),
        ["BTC", "ETH", "SOL"],
      ),
    ]);
    expect(s.counters).toMatchObject({
      leaderTrades: 5,
      copiedTrades: 1,
      inLineTrades: 3,
      skippedTrades: 1,
      ordersFilled: 1,
      orders: 2,
      rejections: 1,
      decisions: 3,
    });
    expect(skippedByReason(s)).toEqual([{ reason: "entry-drift", count: 1 }]);
    expect(s.counters.skippedTrades).toBe(1);
  });

  it("a sweep's full plan decides the trades told before it; with none pending it counts nothing; planned actions are counted", () => {
    const skip = plan({ skipped: [{ coin: "BTC", reason: "entry-drift", detail: "" }] });
    const act = plan({
      actions: [
        {
          coin: "BTC",
          side: "buy",
          size: 1,
          limitPx: 1,
          reduceOnly: false,
          cloid: "0x1",
          reason: "open",
          refPx: 1,
        },
      ],
    });
    const s = reduceAll([
      // The sweep's plan was made before the fill was told: it decides nothing.
      { ...decisionEvent(T0, skip, [], 0), trigger: "sweep" },
      leaderFillEvent(T0, "BTC", 1),
      { ...decisionEvent(T0, skip, []), trigger: "sweep" },
      { ...decisionEvent(T0, skip), trigger: "fill" },
      decisionEvent(T0, act),
    ]);
    expect(s.counters.skipped).toEqual({ "entry-drift": 1 });
    expect(s.counters).toMatchObject({ leaderTrades: 1, skippedTrades: 1 });
    expect(s.counters.plannedActions).toBe(1);
    expect(s.counters.decisions).toBe(4);
    // A decision held back by a pause sends nothing: not planned (a dry run plans it again later).
    const held = reduceAll([decisionEvent(T0, act), { ...decisionEvent(T0, act), held: "paused" }]);
    expect(held.counters.plannedActions).toBe(1);
  });

  it("skipped counts exactly what its help says: the leader's trades not copied, by reason — no cap's cut (M4)", () => {
    const skip = plan({ skipped: [{ coin: "ETH", reason: "entry-drift", detail: "" }] });
    const order = {
      coin: "BTC",
      side: "buy" as const,
      size: 1,
      limitPx: 1,
      reduceOnly: false,
      cloid: "0x1" as const,
      reason: "open" as const,
      refPx: 1,
    };
    // A cap's note beside its coin's order: the order went, cut — no skip.
    const capped = plan({
      actions: [order],
      skipped: [{ coin: "BTC", reason: "leverage-cap", detail: "" }],
    });
    const s = reduceAll([
      // Decisions with no leader trade to decide count nothing.
      { ...decisionEvent(T0, skip), trigger: "manual" },
      { ...decisionEvent(T0, skip), trigger: "start" },
      { ...decisionEvent(T0, skip), trigger: "sweep" },
      leaderFillEvent(T0, "BTC", 1),
      decisionEvent(T0, capped),
      leaderFillEvent(T0, "ETH", 2),
      decisionEvent(T0, skip, ["ETH"]),
    ]);
    expect(s.counters.skipped).toEqual({ "entry-drift": 1 });
    expect(s.counters.skippedTrades).toBe(1);
    expect(runSummary(s).skipped).toEqual({ "entry-drift": 1 });
    // The capped order was never heard of by the next decision: not sent, missed.
    expect(runSummary(s)).toMatchObject({
      leaderTrades: 2,
      skippedTrades: 1,
      missedTrades: 1,
      inFlightTrades: 0,
    });
    // The help says so, in the README's words too (test/ui/panels.test.tsx).
    const help = HELP_SECTIONS.flatMap((x) => x.lines).join("\n");
    expect(help).toContain("skipped = not copied, by reason · missed = our order did not fill");
  });

  it("samples equity at most once per equitySampleMs", () => {
    let s = initialDashboardState({ equitySampleMs: 1000 });
    for (let i = 0; i < 50; i++) s = reduceDashboard(s, stateEvent(T0 + i * 100, [], { equity: 10_000 + i }));
    expect(s.equitySeries).toEqual([10_000, 10_010, 10_020, 10_030, 10_040]);
    expect(s.equity).toBe(10_049);
  });

  it("rate-limit waits and notices expire on the clock", () => {
    let s = reduceAll([{ type: "rateLimit", ts: T0, waitMs: 1200, detail: "429 from /exchange" }]);
    expect(s.rateLimit?.until).toBe(T0 + 1200);
    s = reduceDashboard(s, { type: "ui/sweepRequested" });
    expect(s.ui.notice?.text).toBe("sweep requested");
    expect(s.problem?.text).toBe("rate limit: waiting 1.20s (429 from /exchange)");
    s = reduceDashboard(s, { type: "ui/tick", now: T0 + 1100 });
    expect(s.problem).not.toBeNull();
    s = reduceDashboard(s, { type: "ui/tick", now: T0 + 1300 });
    expect(s.rateLimit).toBeNull();
    // The problem line said the wait: it is over, so the line goes with it (not 30 s later).
    expect(s.problem).toBeNull();
    expect(s.ui.notice).not.toBeNull();
    s = reduceDashboard(s, { type: "ui/tick", now: T0 + NOTICE_MS + 1 });
    expect(s.ui.notice).toBeNull();
  });

  it("UI actions: help toggles, flatten asks then confirms or cancels, quit marks stopping", () => {
    let s = initialDashboardState();
    s = reduceDashboard(s, { type: "ui/helpToggled" });
    expect(s.ui.help).toBe(true);
    s = reduceDashboard(s, { type: "ui/helpToggled" });
    expect(s.ui.help).toBe(false);
    // Two pages: ? opens the first, turns to the second, then closes; Esc closes at once.
    s = reduceDashboard(s, { type: "ui/helpToggled", pages: 2 });
    expect([s.ui.help, s.ui.helpPage]).toEqual([true, 0]);
    s = reduceDashboard(s, { type: "ui/helpToggled", pages: 2 });
    expect([s.ui.help, s.ui.helpPage]).toEqual([true, 1]);
    s = reduceDashboard(s, { type: "ui/helpToggled", pages: 2 });
    expect([s.ui.help, s.ui.helpPage]).toEqual([false, 0]);
    s = reduceDashboard(reduceDashboard(s, { type: "ui/helpToggled", pages: 2 }), { type: "ui/helpClosed" });
    expect([s.ui.help, s.ui.helpPage]).toEqual([false, 0]);
    s = reduceDashboard(s, { type: "ui/flattenAsked" });
    expect(s.ui.confirmFlatten).toBe(true);
    s = reduceDashboard(s, { type: "ui/flattenCancelled" });
    expect(s.ui.confirmFlatten).toBe(false);
    expect(s.ui.notice?.text).toBe("flatten cancelled");
    s = reduceDashboard(s, { type: "ui/quitRequested" });
    expect(s.ui.quitting).toBe(true);
  });

  it("a stop event closes the connection and records the reason", () => {
    const s = reduceAll([
      startEvent(),
      { type: "connection", ts: T0, state: "open" },
      { type: "stop", ts: T0 + 5, reason: "SIGINT" },
    ]);
    expect(s.stopped).toEqual({ reason: "SIGINT", ts: T0 + 5 });
    expect(s.connection.state).toBe("closed");
  });
});

describe("lev: our notional ÷ equity, per row and in the header", () => {
  it("each row is its position's notional at the state's mid ÷ equity, and the rows add up to the header's", () => {
    const s = reduceAll([
      startEvent(),
      // BTC 0.05 × 64 000 + ETH 0.4 × 3 200 + SOL 2.5 × 150 = $4 855 on $9 710: 0.5x
      stateEvent(T0 + 1, LIVE_TARGETS, { equity: 9_710 }),
    ]);
    const lev = Object.fromEntries(s.positions.map((r) => [r.coin, r.leverage]));
    expect(lev.BTC).toBeCloseTo(3_200 / 9_710, 12);
    expect(lev.ETH).toBeCloseTo(1_280 / 9_710, 12); // a short counts by its size
    expect(lev.SOL).toBeCloseTo(375 / 9_710, 12);
    expect(s.leverage).toBeCloseTo(0.5, 12);
    const sum = s.positions.reduce((acc, r) => acc + (r.leverage ?? 0), 0);
    expect(sum).toBeCloseTo(s.leverage ?? Number.NaN, 12);
  });

  it("moves with the state's mids, not the exchange's leverage setting the positions carry", () => {
    const ev = stateEvent(T0 + 1, [target("BTC", 0.5, 0.05, 0.05, 64_000)], { equity: 3_200 });
    expect(ev.account.positions[0]?.leverage).toBe(3); // the exchange's setting
    const at = (mids?: Record<string, number>) =>
      reduceAll([startEvent(), { ...ev, ...(mids ? { mids } : {}) }]);
    expect(at().leverage).toBeCloseTo(1, 12);
    expect(at({ BTC: 96_000 }).leverage).toBeCloseTo(1.5, 12);
    expect(at({ BTC: 96_000 }).positions[0]?.leverage).toBeCloseTo(1.5, 12);
  });

  it("is unknown (null) on an account with no value, and before the first state", () => {
    expect(reduceAll([startEvent()]).leverage).toBeNull();
    const s = reduceAll([startEvent(), stateEvent(T0 + 1, LIVE_TARGETS, { equity: 0 })]);
    expect(s.leverage).toBeNull();
    expect(s.positions.every((r) => r.leverage === null)).toBe(true);
  });

  it("the cap beside it is risk.maxLeverage, as the run was started with", () => {
    expect(initialDashboardState({ maxLeverage: 2.5 }).maxLeverage).toBe(2.5);
    expect(initialDashboardState().maxLeverage).toBeNull();
  });
});

describe("buildPositionRows", () => {
  it("joins targets with our positions, flags drift outside the deadband, biggest first", () => {
    const rows = buildPositionRows(
      [
        { ...target("SOL", 30, 3, 2.5, 150), deadbandUsd: 20 },
        target("BTC", 0.5, 0.05, 0.05, 64000),
        target("ETH", -4, -0.4, -0.399, 3200),
      ],
      [
        { coin: "BTC", size: 0.05, entryPx: 63000, leverage: 3 },
        { coin: "SOL", size: 2.5, entryPx: 140 },
        { coin: "ETH", size: -0.399, entryPx: 3300 },
      ],
      { BTC: 10, SOL: 20, ETH: 10 },
    );
    expect(rows.map((r) => r.coin)).toEqual(["BTC", "ETH", "SOL"]);
    const [btc, eth, sol] = rows;
    expect(btc?.outsideDeadband).toBe(false);
    expect(btc?.upnl).toBeCloseTo(50);
    // Without our equity, no row has a leverage (the exchange's setting, 3 here, is not it).
    expect(btc?.leverage).toBeNull();
    expect(btc?.leaderNotional).toBe(32_000);
    expect(eth?.driftUsd).toBeCloseTo(-3.2);
    expect(eth?.outsideDeadband).toBe(false);
    expect(sol?.driftUsd).toBe(75);
    expect(sol?.driftPct).toBeCloseTo(16.67, 1);
    expect(sol?.outsideDeadband).toBe(true);
    expect(sol?.deadbandUsd).toBe(20);
  });

  it("a full close is outside the deadband however small; the deadband shown is the target's own (the planner's)", () => {
    const rows = buildPositionRows(
      [target("BTC", 0, 0, 0.0001, 64000), target("ETH", 1, 0.1, 0.098, 3200)],
      [
        { coin: "BTC", size: 0.0001, entryPx: 64000 },
        { coin: "ETH", size: 0.098, entryPx: 3200 },
      ],
      { BTC: 10, ETH: 1 },
    );
    const btc = rows.find((r) => r.coin === "BTC");
    const eth = rows.find((r) => r.coin === "ETH");
    expect(btc?.outsideDeadband).toBe(true);
    // A % of a 0 target is undefined (core/drift.ts driftPct): "closing", not -100 %.
    expect(btc?.driftPct).toBeNull();
    expect(btc?.closing).toBe(true);
    expect(eth?.deadbandUsd).toBe(10);
    expect(eth?.outsideDeadband).toBe(false); // $6.40 < $10
  });

  it("drops coins with nothing on either side and keeps a position with no target", () => {
    const rows = buildPositionRows(
      [target("BTC", 0, 0, 0, 64000)],
      [{ coin: "DOGE", size: 100, entryPx: 0.1 }],
      {},
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ coin: "DOGE", targetSize: null, driftUsd: null, outsideDeadband: false });
  });

  it("keeps a coin closed during the copy when it has P&L (a closed row, last), so the rows add up to the P&L", () => {
    const coin = (c: string, netUsd: number) => ({
      coin: c,
      realisedUsd: netUsd,
      unrealisedUsd: 0,
      feesUsd: 0,
      fundingUsd: 0,
      netUsd,
      roiPct: null,
      fills: 2,
      volumeUsd: 100,
    });
    const pnl = {
      since: 0,
      startEquity: null,
      realisedUsd: -6.14,
      unrealisedUsd: 0,
      feesUsd: 0,
      fundingUsd: 0,
      netUsd: -6.14,
      roiPct: null,
      fills: 8,
      volumeUsd: 400,
      byCoin: [coin("BTC", -2.56), coin("SOL", -1.7), coin("ETH", -1.66), coin("HYPE", -0.22)],
      byLeader: [],
    };
    // BTC flat everywhere now (still a target row of 0), SOL gone from the targets entirely.
    const rows = buildPositionRows(
      [
        target("BTC", 0, 0, 0, 64000),
        target("ETH", 0.428, 0.0214, 0.0214, 3394),
        target("HYPE", 31, 1.55, 1.55, 37),
      ],
      [
        { coin: "ETH", size: 0.0214, entryPx: 3390 },
        { coin: "HYPE", size: 1.55, entryPx: 37 },
      ],
      {},
      undefined,
      undefined,
      undefined,
      pnl,
    );
    expect(rows.map((r) => [r.coin, r.closed ?? false])).toEqual([
      ["ETH", false],
      ["HYPE", false],
      ["BTC", true],
      ["SOL", true],
    ]);
    expect(rows.reduce((sum, r) => sum + (r.netPnl ?? 0), 0)).toBeCloseTo(pnl.netUsd, 9);
    expect(rows.find((r) => r.coin === "SOL")).toMatchObject({ ourSize: 0, upnl: null, netPnl: -1.7 });
    // Folded into "+N more", the hidden rows' P&L is carried by the fold line.
    const folded = foldRows(rows, 3);
    expect(folded.shown.map((r) => r.coin)).toEqual(["ETH", "HYPE"]);
    expect(folded.hidden).toBe(2);
    expect(folded.hiddenNetPnl).toBeCloseTo(-4.26, 9);
  });

  it("the rows' P&L as shown add up to the header's as shown, to the cent (shownSum), each within a cent of its own", () => {
    const coin = (c: string, netUsd: number) => ({
      coin: c,
      realisedUsd: netUsd,
      unrealisedUsd: 0,
      feesUsd: 0,
      fundingUsd: 0,
      netUsd,
      roiPct: null,
      fills: 1,
      volumeUsd: 100,
    });
    // The auditor's run: −10.334 − 9.874 − 12.384 − 13.4384 = −46.0304, shown −46.03; rounded
    // one by one the rows read −10.33 − 9.87 − 12.38 − 13.44 = −46.02.
    const byCoin = [coin("HYPE", -13.4384), coin("SOL", -12.384), coin("ETH", -10.334), coin("BTC", -9.874)];
    const netUsd = byCoin.reduce((s, c) => s + c.netUsd, 0);
    const pnl = {
      since: 0,
      startEquity: null,
      realisedUsd: netUsd,
      unrealisedUsd: 0,
      feesUsd: 0,
      fundingUsd: 0,
      netUsd,
      roiPct: null,
      fills: 4,
      volumeUsd: 400,
      byCoin,
      byLeader: [],
    };
    const rows = buildPositionRows([], [], {}, undefined, undefined, undefined, pnl);
    const cents = rows.reduce((s, r) => s + Math.round((r.netPnl ?? 0) * 100), 0);
    expect(cents).toBe(Math.round(roundHalfAway(netUsd, 2) * 100));
    expect(fmtUsdShort(netUsd)).toBe("-$46.03");
    for (const r of rows) {
      const own = byCoin.find((c) => c.coin === r.coin)?.netUsd ?? 0;
      expect(Math.abs((r.netPnl ?? 0) - own)).toBeLessThanOrEqual(0.01);
    }
    expect(rows.map((r) => fmtUsdShort(r.netPnl)).sort()).toEqual([
      "-$10.33",
      "-$12.39",
      "-$13.44",
      "-$9.87",
    ]);
  });
});
