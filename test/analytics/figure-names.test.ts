// One figure, one name, in inspect, scan and backtest: the same quantity is said in the same
// words in each command's text (README, "Figures": every figure means one thing everywhere).
//  * What copying the leader would have kept at your size, after our fees and slippage: scan's
//    `copy net` column; inspect said it as "kept".
//  * The leader's P&L from its fills (realized − fees + funding; no open position's unrealized
//    P&L in it): `net realized P&L` in inspect, `net realized` in scan. Both said "net PnL", a
//    name status gives the copy's net with its unrealized P&L in it; and "PnL" beside "P&L".
//  * The count a win rate is over: the closing trades (orders that realized P&L), said so in
//    inspect's table and backtest's; backtest's leader line said "closing orders".
import { describe, expect, it } from "vitest";
import { runBacktestCommand } from "../../src/cli/backtest/run.js";
import { runInspectCommand } from "../../src/cli/inspect/run.js";
import { runScanCommand } from "../../src/cli/scan/run.js";
import { defaultSettings } from "../../src/core/settings.js";
import { tempDir } from "../helpers/cli.js";
import { cassetteSource, sink } from "./helpers.js";

/** The text's lines whole: these tests read their words (status.test.ts and backtest-funding.test.ts pin the breaking at 80 columns). */
const WHOLE = Number.POSITIVE_INFINITY;

const LEADER = "0xb7b6f3cea3f66bf525f5d8f965f6dbf6d9b017b2";
const NOW = 1683245884863 + 60_000;

/** inspect's text for the fixture leader at `equity`, on a wide terminal (each row on one line). */
async function inspect(equity: string): Promise<string> {
  const out = sink();
  await runInspectCommand({
    address: LEADER,
    days: 1,
    equity,
    settings: defaultSettings(),
    json: false,
    source: cassetteSource(),
    now: NOW,
    out,
    err: sink(),
    width: 1000,
  });
  return out.text();
}

describe("inspect, scan and backtest name a figure the same way", () => {
  it("what the copy would have kept is `copy net` in inspect as in scan, and the same figure", async () => {
    const inspectText = await inspect("2000");
    const line = inspectText.split("\n").find((l) => l.includes("copying this window"));
    expect(line).toBeDefined();
    expect(line).not.toMatch(/\bkept\b/);
    const inspected = /copy net ([+-]?\$[\d,.]+)/.exec(line ?? "")?.[1];
    expect(inspected).toBeDefined();

    const scanOut = sink();
    await runScanCommand({
      addresses: [LEADER],
      days: 1,
      equity: "2000",
      json: false,
      settings: defaultSettings(),
      source: cassetteSource(),
      configDir: tempDir("hlcopy-names-scan-"),
      now: NOW,
      out: scanOut,
      err: sink(),
    });
    const rows = scanOut
      .text()
      .split("\n")
      .filter((l) => l.startsWith("│"))
      .map((l) =>
        l
          .split("│")
          .slice(1, -1)
          .map((c) => c.trim()),
      );
    const [head, row] = rows;
    const at = head?.indexOf("copy net") ?? -1;
    expect(at).toBeGreaterThan(0);
    expect(row?.[at]).toBe(inspected);

    // The leader's net realized P&L: one name in both, the same figure, never "net PnL".
    const leaderNet = /│ net realized P&L +│ ([+-]?\$[\d,.]+) = realized /.exec(inspectText)?.[1];
    expect(leaderNet).toBeDefined();
    const netAt = head?.indexOf("net realized") ?? -1;
    expect(netAt).toBeGreaterThan(0);
    expect(row?.[netAt]).toBe(leaderNet);
    expect(inspectText).toContain("Cumulative net realized P&L (realized − fees + funding):");
    for (const text of [inspectText, scanOut.text()]) expect(text).not.toMatch(/PnL/);
  });

  it("a win rate is over closing trades, and the Sharpe is 'Sharpe (daily)', in inspect and in backtest's table and leader line", async () => {
    const inspectText = await inspect("1000");
    expect(inspectText).toMatch(/of \d+ closing trades/);
    // The same ratio (mean ÷ stdev of daily returns × √365) under one name in both.
    expect(inspectText).toMatch(/│ Sharpe \(daily\) +│/);
    expect(inspectText).not.toContain("Sharpe-like");

    const out = sink();
    await runBacktestCommand({
      width: WHOLE,
      address: LEADER,
      days: "1",
      now: NOW,
      equity: "1000",
      settings: defaultSettings(),
      json: false,
      source: cassetteSource(),
      out,
      err: sink(),
    });
    const text = out.text();
    expect(text).toContain("win rate (closing trades)");
    expect(text).toMatch(
      /^Leader: win rate [\d.]+% of \d+ closing trades, profit factor \S+, Sharpe \(daily\) /m,
    );
    expect(text).toMatch(/^│ Sharpe \(daily\) +│/m);
    expect(text).not.toContain("closing orders");
    // Its P&L is the copy's net, written P&L as status and report write it; that P&L over the
    // equity it began with is the ROI, as status, the dashboard and scan name it (it read "return").
    expect(text).toMatch(/^│ P&L +│/m);
    expect(text).toMatch(/^│ ROI +│ [+-]?\d+\.\d\d% +│/m);
    expect(text).not.toMatch(/^│ return +│/m);
    expect(text).toContain("P&L, target-state copy (USD):");
    expect(text).not.toMatch(/PnL/);
  });
});
