// /metrics from the engine's events: what each gauge counts (leftovers 4: a daily loss limit's
// stop is not a halt).
import { describe, expect, it } from "vitest";
import type { EngineEvent } from "../../src/engine/events.js";
import { RunMetrics } from "../../src/metrics/registry.js";

const T0 = Date.UTC(2026, 11, 3, 12);
const sample = (text: string, name: string, labels = ""): number | undefined => {
  const line = text.split("\n").find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
};
const state = (ts: number, dailyLossStop: boolean): EngineEvent => ({
  type: "state",
  ts,
  account: { address: `0x${"2".repeat(40)}`, accountValue: 1000, positions: [] },
  hwm: 1100,
  drawdownPct: 9.09,
  dailyLossStop,
  leaders: [],
  targets: [],
  deadbandUsd: {},
});

describe("RunMetrics: halts and the daily loss limit's stop", () => {
  it("a daily-loss stop is hlcopy_daily_loss_stop, not hlcopy_halted, and lifts with the run's state", () => {
    const m = new RunMetrics();
    m.observe({ type: "halt", ts: T0, kind: "daily-loss", reason: "daily loss 5.20% reached the 5% limit" });
    let text = m.render({}, T0);
    expect(sample(text, "hlcopy_halted")).toBe(0);
    expect(sample(text, "hlcopy_daily_loss_stop")).toBe(1);
    expect(sample(text, "hlcopy_halts_total", '{kind="daily-loss"}')).toBe(1);
    m.observe(state(T0 + 1000, true));
    expect(sample(m.render({}, T0), "hlcopy_daily_loss_stop")).toBe(1);
    // 00:00 UTC: the run's state says the stop is gone; no resume event comes for it.
    m.observe(state(T0 + 2000, false));
    text = m.render({}, T0);
    expect(sample(text, "hlcopy_daily_loss_stop")).toBe(0);
    expect(sample(text, "hlcopy_halted")).toBe(0);
  });

  it("a kill switch is a halt until resume, whatever the daily loss limit does", () => {
    const m = new RunMetrics();
    m.observe({ type: "halt", ts: T0, kind: "kill-switch", reason: "drawdown 12% reached the 10% limit" });
    m.observe({ type: "halt", ts: T0 + 1, kind: "daily-loss", reason: "daily loss 6% reached the 5% limit" });
    m.observe(state(T0 + 2, false));
    let text = m.render({}, T0);
    expect(sample(text, "hlcopy_halted")).toBe(1);
    expect(sample(text, "hlcopy_daily_loss_stop")).toBe(0);
    m.observe({ type: "resume", ts: T0 + 3 });
    text = m.render({}, T0);
    expect(sample(text, "hlcopy_halted")).toBe(0);
  });

  it("a halt standing from an earlier run (since) is halted, not counted again: a restart is not a halt", () => {
    const m = new RunMetrics();
    m.observe({ type: "halt", ts: T0, kind: "kill-switch", reason: "drawdown 30%", since: T0 - 3_600_000 });
    m.observe({ type: "halt", ts: T0 + 1, kind: "daily-loss", reason: "daily loss 6%", since: T0 - 60_000 });
    const text = m.render({}, T0);
    expect(sample(text, "hlcopy_halted")).toBe(1);
    expect(sample(text, "hlcopy_daily_loss_stop")).toBe(1);
    expect(sample(text, "hlcopy_halts_total", '{kind="kill-switch"}')).toBeUndefined();
    expect(sample(text, "hlcopy_halts_total", '{kind="daily-loss"}')).toBeUndefined();
  });
});

describe("RunMetrics: hlcopy_leverage", () => {
  it("is our gross notional at the state's mids ÷ equity, as the dashboard's lev; absent before a state", () => {
    const m = new RunMetrics();
    expect(sample(m.render({}, T0), "hlcopy_leverage")).toBeUndefined();
    m.observe({
      ...(state(T0, false) as Extract<EngineEvent, { type: "state" }>),
      account: {
        address: `0x${"2".repeat(40)}`,
        accountValue: 1000,
        // The exchange's leverage setting (4) is not the figure.
        positions: [
          { coin: "BTC", size: 0.01, entryPx: 90_000, leverage: 4 },
          { coin: "ETH", size: -0.2, entryPx: 3_000, leverage: 4 },
        ],
      },
      mids: { BTC: 100_000, ETH: 4_000 },
    });
    // $1 000 + $800 of notional on $1 000
    expect(sample(m.render({}, T0), "hlcopy_leverage")).toBeCloseTo(1.8, 12);
  });
});

describe("RunMetrics: hlcopy_run_pnl_usd", () => {
  const withPnl = (
    ts: number,
    accountValue: number,
    netUsd: number,
    since = T0 - 86_400_000,
  ): EngineEvent => ({
    ...(state(ts, false) as Extract<EngineEvent, { type: "state" }>),
    account: { address: `0x${"2".repeat(40)}`, accountValue, positions: [] },
    pnl: {
      since,
      startEquity: 10_000,
      realisedUsd: netUsd,
      unrealisedUsd: 0,
      feesUsd: 0,
      fundingUsd: 0,
      netUsd,
      roiPct: netUsd / 100,
      fills: 1,
      volumeUsd: 100,
      byCoin: [],
      byLeader: [],
    },
  });

  it("is the copy's P&L made this run: a deposit or a withdrawal is no P&L (the equity gauge has them)", () => {
    const m = new RunMetrics();
    expect(sample(m.render({}, T0), "hlcopy_run_pnl_usd")).toBeUndefined();
    // The run starts with the copy at −12.50 (earlier runs' P&L is not this run's).
    m.observe(withPnl(T0, 10_000, -12.5));
    expect(sample(m.render({}, T0), "hlcopy_run_pnl_usd")).toBe(0);
    // A $2000 deposit and −4.30 of trading: equity +1995.70, P&L −4.30.
    m.observe(withPnl(T0 + 1_000, 11_995.7, -16.8));
    let text = m.render({}, T0);
    expect(sample(text, "hlcopy_equity_usd")).toBe(11_995.7);
    expect(sample(text, "hlcopy_run_pnl_usd")).toBeCloseTo(-4.3, 9);
    // A $1500 withdrawal and +1.00: still P&L only.
    m.observe(withPnl(T0 + 2_000, 10_496.7, -15.8));
    expect(sample(m.render({}, T0), "hlcopy_run_pnl_usd")).toBeCloseTo(-3.3, 9);
    // The copy begins again (hlcopy resume): what the old one made this run is kept.
    m.observe(withPnl(T0 + 3_000, 10_496.7, 2, T0 + 2_500));
    text = m.render({}, T0);
    expect(sample(text, "hlcopy_run_pnl_usd")).toBeCloseTo(-1.3, 9);
    expect(text).toContain("deposits and withdrawals are not P&L");
  });
});
