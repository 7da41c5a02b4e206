// inspect on a leader whose history is shorter than --days: the figures use the real span of
// the fills (4 minutes is not "30.0 days"), while a leader already holding positions when the
// window opened keeps the whole window.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { observedWindow } from "../../src/analytics/assess.js";
import { runInspectCommand } from "../../src/cli/inspect/run.js";
import { runScanCommand } from "../../src/cli/scan/run.js";
import { defaultSettings } from "../../src/core/settings.js";
import { unwrapped } from "../helpers/cli.js";
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
    // 4 orders in 4 minutes is no daily rate (null), and not 0.13 a day either; the style still
    // reads the extrapolated 1,440 (the deprecated tradesPerDay).
    expect(report.metrics.ordersPerDay).toBeNull();
    expect(report.metrics.tradesPerDay).toBeCloseTo(1440, 0);
    const head = unwrapped(out.text()).split("\n")[0];
    expect(head).toContain("(4 minutes of history");
    expect(head).not.toContain("30.0 days");
    // The report's lines fit 80 columns (piped): the first one, address and span, ran ~150.
    for (const line of out.text().split("\n")) expect(line.length, line).toBeLessThanOrEqual(80);
    // Counts grouped as the dollar sums beside them.
    expect(unwrapped(out.text())).toContain("1,440 orders/day ≥ 100");
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
      width: 1000, // a wide terminal: each row on one line, as read below
    });
    const text = out.text();
    expect(text.split("\n")[0]).toContain("(1 minute of history");
    const rate = text.split("\n").find((l) => l.includes("orders / day")) ?? "";
    expect(rate).toMatch(
      /-\s+\(4 orders, 4 fills in 1 minute: 4\.0 \/ minute; under a day of history, no daily rate\)/,
    );
    expect(rate).not.toMatch(/5,?760/);
    // The style's orders/day threshold says what it was extrapolated from.
    const style = text.split("\n").find((l) => l.includes("style")) ?? "";
    expect(style).toMatch(/orders\/day ≥ \d+, extrapolated from 1 minute of history/);
    expect(text).not.toMatch(/trades ?\/ ?day/);
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
        .find((l) => l.includes("orders / day")) ?? "";
    // What is counted (orders, beside the fills) and over which span, as the first line says it.
    expect(rate).toMatch(/orders \/ day\s*│\s*1\.0\s+\(2 orders, 2 fills in 2\.0 days\)/);
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

  it("one figure, one name: orders per day in inspect, scan's table, --json and CSV — '-' under a day of history in each", async () => {
    const DAY = 86_400_000;
    const cases = [
      // 4 orders in 4 minutes: no daily rate anywhere.
      {
        fills: trades([
          ["BTC", 0.01, 60_000, NOW - 4 * MIN],
          ["BTC", -0.01, 60_100, NOW - 3 * MIN],
          ["ETH", 0.5, 3_000, NOW - 2 * MIN],
          ["ETH", -0.5, 3_010, NOW - MIN],
        ]),
        shown: "-",
        json: null,
      },
      // 2 orders over 2 days: 1.0 a day everywhere.
      {
        fills: trades([
          ["BTC", 0.01, 60_000, NOW - 2 * DAY],
          ["BTC", -0.01, 60_100, NOW - DAY],
        ]),
        shown: "1.0",
        json: 1,
      },
    ];
    for (const c of cases) {
      const out = sink();
      const inspect = await runInspectCommand({
        address: LEADER,
        days: 30,
        equity: 1000,
        settings: defaultSettings(),
        json: false,
        source: source(c.fills),
        now: NOW,
        out,
        err: sink(),
      });
      expect(inspect.metrics.ordersPerDay).toBe(c.json);
      const rate =
        out
          .text()
          .split("\n")
          .find((l) => l.includes("orders / day")) ?? "";
      expect(rate.split("│")[2]?.trim().split(/\s+/)[0]).toBe(c.shown);
      const scan = (json: boolean, csv: boolean) => {
        const o = sink();
        return runScanCommand({
          addresses: [LEADER],
          json,
          csv,
          settings: defaultSettings(),
          source: source(c.fills),
          configDir: mkdtempSync(join(tmpdir(), "hlcopy-scan-rate-")),
          now: NOW,
          out: o,
          err: sink(),
        }).then((report) => ({ report, text: o.text() }));
      };
      const table = (await scan(false, false)).text.split("\n");
      // The row of the table whose head names orders/d (at 80 columns the ranking is split).
      const at = table.findIndex((l) => l.includes("orders/d"));
      const head = (table[at] ?? "").split("│").map((x) => x.trim());
      const row = (table.slice(at).find((l) => l.startsWith("│ 1 ")) ?? "").split("│").map((x) => x.trim());
      expect(row[head.indexOf("orders/d")]).toBe(c.shown);
      expect((await scan(true, false)).report.leaders[0]?.ordersPerDay).toBe(c.json);
      const csv = (await scan(false, true)).text.trim().split("\n");
      const cols = csv[0]?.split(",") ?? [];
      expect(csv[1]?.split(",")[cols.indexOf("orders_per_day")]).toBe(c.json === null ? "" : String(c.json));
    }
  });
});
