// inspect on a leader whose history is shorter than --days: the figures use the real span of
// the fills (4 minutes is not "30.0 days"), while a leader already holding positions when the
// window opened keeps the whole window.

import { describe, expect, it } from "vitest";
import { observedWindow } from "../../src/analytics/assess.js";
import { runInspectCommand } from "../../src/cli/inspect/run.js";
import { defaultSettings } from "../../src/core/settings.js";
import { sink, trades } from "./helpers.js";

const LEADER = "0xb7b6f3cea3f66bf525f5d8f965f6dbf6d9b017b2";
const NOW = Date.UTC(2026, 0, 10, 12, 0, 0);
const MIN = 60_000;

function source(fills: ReturnType<typeof trades>) {
  return { getFillsByTime: async () => fills };
}

describe("inspect's span", () => {
  it("a leader with 4 minutes of history: the window is 4 minutes, not 30 days", async () => {
    const fills = trades([
      ["BTC", 0.01, 60_000, NOW - 4 * MIN],
      ["BTC", -0.01, 60_100, NOW - 3 * MIN],
      ["ETH", 0.5, 3_000, NOW - 2 * MIN],
      ["ETH", -0.5, 3_010, NOW - 1 * MIN],
    ]);
    const out = sink();
    const report = await runInspectCommand({
      address: LEADER,
      days: 30,
      equity: 1000,
      settings: defaultSettings(),
      json: false,
      source: source(fills),
      now: NOW,
      out,
      err: sink(),
    });
    expect(report.window.start).toBe(NOW - 4 * MIN);
    expect(report.window.end).toBe(NOW);
    expect(report.window.days).toBeCloseTo(4 / 1440, 6);
    expect(report.requestedDays).toBe(30);
    // 4 trades in 4 minutes is 1,440 a day, not 0.13.
    expect(report.metrics.tradesPerDay).toBeCloseTo(1440, 0);
    const head = out.text().split("\n")[0];
    expect(head).toContain("(4 minutes of history");
    expect(head).not.toContain("30.0 days");
  });

  it("one minute of history: '1 minute', and no daily rate extrapolated from it", async () => {
    const fills = trades([
      ["BTC", 0.01, 60_000, NOW - MIN],
      ["BTC", -0.01, 60_100, NOW - 40_000],
      ["ETH", 0.5, 3_000, NOW - 20_000],
      ["ETH", -0.5, 3_010, NOW - 10_000],
    ]);
    const out = sink();
    await runInspectCommand({
      address: LEADER,
      days: 30,
      equity: 1000,
      settings: defaultSettings(),
      json: false,
      source: source(fills),
      now: NOW,
      out,
      err: sink(),
    });
    const text = out.text();
    expect(text.split("\n")[0]).toContain("(1 minute of history");
    const rate = text.split("\n").find((l) => l.includes("trades / day")) ?? "";
    expect(rate).toMatch(
      /-\s+\(4 orders, 4 fills in 1 minute: 4\.0 \/ minute; under a day of history, no daily rate\)/,
    );
    expect(rate).not.toMatch(/5,?760/);
    // The style's trades/day threshold says what it was extrapolated from.
    const style = text.split("\n").find((l) => l.includes("style")) ?? "";
    expect(style).toMatch(/trades\/day ≥ \d+, extrapolated from 1 minute of history/);
  });

  it("a day of history or more gives the daily rate as before", async () => {
    const DAY = 86_400_000;
    const fills = trades([
      ["BTC", 0.01, 60_000, NOW - 2 * DAY],
      ["BTC", -0.01, 60_100, NOW - DAY],
    ]);
    const out = sink();
    await runInspectCommand({
      address: LEADER,
      days: 30,
      equity: 1000,
      settings: defaultSettings(),
      json: false,
      source: source(fills),
      now: NOW,
      out,
      err: sink(),
    });
    const rate =
      out
        .text()
        .split("\n")
        .find((l) => l.includes("trades / day")) ?? "";
    expect(rate).toMatch(/1\.0\s+\(2 orders, 2 fills\)/);
  });

  it("a leader holding a position when the window opened keeps the whole window", () => {
    const fills = trades([
      ["BTC", 0.01, 60_000, NOW - 4 * MIN],
      ["BTC", -0.01, 60_100, NOW - 3 * MIN],
    ]).map((f) => ({ ...f, startPosition: f.startPosition + 0.05 }));
    const window = { start: NOW - 30 * 86_400_000, end: NOW };
    expect(observedWindow({ window, fills })).toEqual(window);
  });

  it("funding paid before the first fill means older history: the whole window", () => {
    const fills = trades([["BTC", 0.01, 60_000, NOW - 4 * MIN]]);
    const window = { start: NOW - 30 * 86_400_000, end: NOW };
    const funding = [{ time: NOW - 86_400_000, coin: "BTC", usdc: -1, szi: 0.05, fundingRate: 0.0001 }];
    expect(observedWindow({ window, fills, funding } as Parameters<typeof observedWindow>[0])).toEqual(
      window,
    );
  });
});
