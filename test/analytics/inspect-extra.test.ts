// inspect's extra figures: the scan metrics, the activity profile (hour of day, day of
// week) and its charts, on a small hand-made history.

import { describe, expect, it } from "vitest";
import { activityProfile } from "../../src/analytics/scan.js";
import { runInspectCommand } from "../../src/cli/inspect/run.js";
import { defaultSettings } from "../../src/core/settings.js";
import { DAY, HOUR, sink, T0, trades } from "./helpers.js";

const LEADER = "0xb7b6f3cea3f66bf525f5d8f965f6dbf6d9b017b2";
// T0 = Monday 2024-01-01 00:00 UTC.
const fills = trades([
  ["ETH", 1, 100, T0 + 9 * HOUR], // Mon 09:00
  ["ETH", -1, 110, T0 + 14 * HOUR], // Mon 14:00, +10
  ["ETH", 1, 100, T0 + 2 * DAY + 9 * HOUR], // Wed 09:00
  ["ETH", -1, 95, T0 + 2 * DAY + 10 * HOUR], // Wed 10:00, -5
  ["BTC", 0.1, 1000, T0 + 6 * DAY + 9 * HOUR], // Sun 09:00
  ["BTC", -0.1, 990, T0 + 6 * DAY + 23 * HOUR], // Sun 23:00, -1
]);

describe("activity profile", () => {
  it("counts orders by UTC hour and weekday (Monday first)", () => {
    const p = activityProfile(fills);
    expect(p.hourOfDay[9]).toBe(3);
    expect(p.hourOfDay[14]).toBe(1);
    expect(p.hourOfDay[10]).toBe(1);
    expect(p.hourOfDay[23]).toBe(1);
    expect(p.hourOfDay.reduce((s, x) => s + x, 0)).toBe(6);
    expect(p.dayOfWeek).toEqual([2, 0, 2, 0, 0, 0, 2]);
  });
});

describe("inspect shows the scan metrics and the charts", () => {
  it("report fields and the human lines", async () => {
    const out = sink();
    const report = await runInspectCommand({
      address: LEADER,
      days: 7,
      equity: 1000,
      settings: defaultSettings(),
      json: false,
      source: { getFillsByTime: async () => fills },
      now: T0 + 7 * DAY,
      out,
      err: sink(),
      width: 1000, // a wide terminal: each row on one line, as read below
    });
    expect(report.extra.longestLosingStreak).toBe(2);
    expect(report.extra.avgWin).toBe(10);
    expect(report.extra.avgLoss).toBe(-3);
    expect(report.extra.largestLoss).toBe(-5);
    expect(report.extra.liquidations).toBe(0);
    expect(report.activity.dayOfWeek).toEqual([2, 0, 2, 0, 0, 0, 2]);
    const text = out.text();
    expect(text).toContain("longest losing streak 2");
    expect(text).toContain("Sortino / Calmar");
    expect(text).toContain("When the leader trades (orders, UTC):");
    expect(text).toContain("busiest 09:00");
    expect(text).toMatch(/Mon\s.*2/);
    expect(text).toContain("Cumulative net realized P&L");
    // The P&L and its parts as status and report write them: signed, fees a cost taken away (it
    // read "$4.00  (realized $4.00, funding $0.00, fees $0.00)", a loss's fees as "fees -$69.45").
    expect(text).toMatch(
      /│ net realized P&L +│ \+\$4\.00 = realized \+\$4\.00 − fees \$0\.00 \+ funding \$0\.00 +│/,
    );
    expect(text).toContain("avg +$10.00 / -$3.00, largest +$10.00 / -$5.00");
    expect(text).toMatch(/│ ETH +│ 4 +│ \$405 +│ 67\.1% +│ \+\$5\.00 +│/);
    expect(text).toMatch(/│ BTC +│ 2 +│ \$199 +│ 32\.9% +│ -\$1\.00 +│/);
    expect(text).toMatch(/funding \$0\.00; copy net \+\$\d+\.\d\d/);
    // The chart's axis a P&L as every P&L is written (fmtUsdSigned), not 10.00 / 0.00.
    const chart = text.slice(
      text.indexOf("Cumulative net realized P&L"),
      text.indexOf("When the leader trades"),
    );
    expect(chart.split("\n").flatMap((l) => /^ *(\S+) ┤/.exec(l)?.[1] ?? [])).toEqual(["+$10.00", "$0.00"]);
  });
});
