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
