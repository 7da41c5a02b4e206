// `hlcopy status` shows the protection resting now — the dashboard's view of the journal's
// resting triggers — never one that fired, was cancelled, or whose position is gone or flipped
// (the exchange cancels a reduce-only order with its position), and no stop / take-profit
// columns once nothing of ours rests and the last run kept no protection.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runStatus, type StatusReport } from "../../src/cli/status/run.js";
import { deadbandUsd } from "../../src/core/drift.js";
import type { Address, CoinTarget, Side } from "../../src/core/types.js";
import type { JournalOrderStatus } from "../../src/store/journal.js";
import { journalPath, openJournal } from "../../src/store/journal.js";

const account = "0x00000000000000000000000000000000000000a1" as Address;
const leader = "0x00000000000000000000000000000000000000b2" as Address;
const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);

const target = (coin: string, size: number, mid: number): CoinTarget => ({
  coin,
  leaderSize: size * 10,
  targetSize: size,
  ourSize: size,
  driftUsd: 0,
  mid,
  deadbandUsd: deadbandUsd(size, mid, 0),
});

interface Trigger {
  coin: string;
  reason: "stop-loss" | "take-profit";
  side: Side;
  size: number;
  triggerPx: number;
  status: JournalOrderStatus;
}

/** A journal whose last sweep holds `targets`, with `triggers` journaled as the keeper does. */
function journal(p: {
  settings: unknown;
  targets: CoinTarget[];
  triggers: Trigger[];
  best?: boolean;
  /** Fills after the sweep's record (exchange time), as a running follow journals them. */
  fillsAfter?: { coin: string; side: Side; sz: number; ts: number }[];
  endedAt?: number;
}): string {
  const dir = mkdtempSync(join(tmpdir(), "hlcopy-status-protection-"));
  const j = openJournal(journalPath(dir, account));
  const runId = j.startRun({
    command: "reconcile",
    leaders: [{ address: leader, weight: 1 }],
    account,
    network: "mainnet",
    settings: p.settings,
    startedAt: NOW - 60_000,
  });
  p.triggers.forEach((t, i) => {
    const cloid = `0x${String(i + 1).padStart(32, "0")}` as const;
    const trigger = {
      triggerPx: t.triggerPx,
      tpsl: t.reason === "stop-loss" ? "sl" : "tp",
      isMarket: true,
    } as const;
    j.recordOrderIntent({
      runId,
      ts: NOW - 50_000,
      action: {
        coin: t.coin,
        side: t.side,
        size: t.size,
        limitPx: t.triggerPx,
        reduceOnly: true,
        cloid,
        reason: t.reason,
        refPx: Number.NaN,
        trigger,
      },
      request: { trigger },
    });
    j.updateOrder(cloid, { ts: NOW - 50_000, status: t.status, oid: 100 + i });
  });
  if (p.best) j.setCopyState("protection:best", { BTC: { dir: 1, best: 95_000 } }, NOW - 50_000);
  j.recordEvent({
    ts: NOW - 12_000,
    type: "sweep",
    runId,
    data: { inSync: true, driftUsd: 0, durationMs: 40, requests: 1, targets: p.targets },
  });
  (p.fillsAfter ?? []).forEach((f, i) => {
    j.recordFill({ runId, tid: 900 + i, ts: f.ts, coin: f.coin, side: f.side, px: 1, sz: f.sz, fee: 0 });
  });
  if (p.endedAt !== undefined) j.endRun(runId, { endedAt: p.endedAt, exitCode: 0 });
  j.close();
  return dir;
}

async function status(dir: string, json: boolean): Promise<{ text: string; report: StatusReport }> {
  let text = "";
  const report = (await runStatus({
    configDir: dir,
    account,
    json,
    out: { write: (t: string) => (text += t) },
    now: NOW,
  })) as StatusReport;
  return { text, report };
}

const ON = { risk: { stopLossPct: 5, takeProfitPct: null, trailingStopPct: null, takeProfitTiers: null } };
const OFF = {
  risk: { stopLossPct: null, takeProfitPct: null, trailingStopPct: null, takeProfitTiers: null },
};

describe("status shows the protection resting now", () => {
  it("not a trigger whose position flipped or is gone, nor one that fired or was cancelled", async () => {
    const dir = journal({
      settings: ON,
      targets: [target("BTC", 0.02, 95_000), target("ETH", 0.2, 3400), target("SOL", -0.8, 190)],
      triggers: [
        // BTC long: its sell stop rests.
        { coin: "BTC", reason: "stop-loss", side: "sell", size: 0.02, triggerPx: 90_250, status: "resting" },
        // ETH flipped long since its buy stop was journaled: the exchange cancelled it.
        { coin: "ETH", reason: "stop-loss", side: "buy", size: 0.2, triggerPx: 3608.7, status: "resting" },
        // HYPE is gone (no row at all): its stop is not shown anywhere.
        { coin: "HYPE", reason: "stop-loss", side: "sell", size: 10, triggerPx: 36.405, status: "resting" },
        // SOL: one stop fired, one take-profit was cancelled; only the resting stop shows.
        { coin: "SOL", reason: "stop-loss", side: "buy", size: 1, triggerPx: 199.5, status: "filled" },
        { coin: "SOL", reason: "take-profit", side: "buy", size: 1, triggerPx: 180, status: "cancelled" },
        { coin: "SOL", reason: "stop-loss", side: "buy", size: 0.8, triggerPx: 199.4, status: "resting" },
      ],
    });
    const { report } = await status(dir, true);
    expect(report.positions.map((p) => [p.coin, p.stopPx, p.takeProfitPx])).toEqual([
      ["BTC", 90_250, null],
      ["ETH", null, null],
      ["SOL", 199.4, null],
    ]);
    const { text } = await status(dir, false);
    expect(text).not.toMatch(/3608\.7|36\.405/);
    // Every table fits 80 columns (piped), the stop / take-profit columns too.
    const tableLines = text.split("\n").filter((line) => /^[┌│├└]/.test(line));
    expect(tableLines.some((line) => line.includes("take-profit"))).toBe(true);
    expect(Math.max(...tableLines.map((line) => line.length))).toBeLessThanOrEqual(80);
  });

  it("no stop / take-profit columns once nothing of ours rests and the last run kept no protection", async () => {
    const dir = journal({
      settings: OFF,
      best: true,
      targets: [target("BTC", 0.02, 95_000)],
      triggers: [
        {
          coin: "BTC",
          reason: "stop-loss",
          side: "sell",
          size: 0.02,
          triggerPx: 90_250,
          status: "cancelled",
        },
      ],
    });
    const { report } = await status(dir, true);
    expect(report.positions).toHaveLength(1);
    expect(report.positions[0]).not.toHaveProperty("stopPx");
    expect(report.positions[0]).not.toHaveProperty("takeProfitPx");
    const { text } = await status(dir, false);
    expect(text).not.toMatch(/take-profit/);
  });

  it("with protection on and nothing resting yet, the columns say none", async () => {
    const dir = journal({ settings: ON, targets: [target("BTC", 0.02, 95_000)], triggers: [] });
    const { report } = await status(dir, true);
    const { text } = await status(dir, false);
    expect(report.positions.map((p) => [p.coin, p.stopPx, p.takeProfitPx])).toEqual([["BTC", null, null]]);
    expect(text).toMatch(/take-profit/);
  });

  it("of now, not of the last sweep: a stop placed for a position opened since shows, one whose position closed since does not", async () => {
    const flat = (coin: string, leaderSize: number, mid: number): CoinTarget => ({
      ...target(coin, 0, mid),
      leaderSize,
    });
    const dir = journal({
      settings: ON,
      // The sweep read BTC and HYPE flat (their copies filled after it), SOL long.
      targets: [flat("BTC", 0.2, 95_000), flat("HYPE", 100, 38), target("SOL", 0.8, 190)],
      triggers: [
        { coin: "BTC", reason: "stop-loss", side: "sell", size: 0.02, triggerPx: 90_250, status: "resting" },
        { coin: "HYPE", reason: "stop-loss", side: "sell", size: 10, triggerPx: 36.1, status: "resting" },
        { coin: "HYPE", reason: "take-profit", side: "sell", size: 5, triggerPx: 39.14, status: "resting" },
        { coin: "HYPE", reason: "take-profit", side: "sell", size: 5, triggerPx: 40.28, status: "resting" },
        { coin: "SOL", reason: "stop-loss", side: "sell", size: 0.8, triggerPx: 180.5, status: "resting" },
        // ETH was opened and its stop placed after the sweep too (no row in the sweep's record).
        { coin: "ETH", reason: "stop-loss", side: "sell", size: 0.1, triggerPx: 3230, status: "resting" },
      ],
      fillsAfter: [
        { coin: "BTC", side: "buy", sz: 0.02, ts: NOW - 11_000 },
        { coin: "HYPE", side: "buy", sz: 10, ts: NOW - 11_000 },
        { coin: "ETH", side: "buy", sz: 0.1, ts: NOW - 10_000 },
        // SOL closed since: the exchange cancelled its stop with it.
        { coin: "SOL", side: "sell", sz: 0.8, ts: NOW - 9_000 },
      ],
      endedAt: NOW - 5_000,
    });
    const { report } = await status(dir, true);
    expect(report.positions.map((p) => [p.coin, p.stopPx, p.takeProfitPx])).toEqual([
      ["BTC", 90_250, null],
      ["HYPE", 36.1, 39.14],
      ["SOL", null, null],
    ]);
    expect(report.protection?.asOf).toBe(NOW - 5_000);
    expect(report.protection?.coins.map((c) => [c.coin, c.stopPx])).toEqual([
      ["BTC", 90_250],
      ["HYPE", 36.1],
      ["SOL", null],
      ["ETH", 3230],
    ]);
    const { text } = await status(dir, false);
    // The rows are the sweep's (12s ago); the protection says its own moment.
    expect(text).toContain("resting protection (as of 5.0s ago, run end):");
    expect(text).toMatch(/│ BTC +│ 90250 +│ none +│/);
    expect(text).toMatch(/│ HYPE +│ 36\.1 +│ 39\.14×5 40\.28×5 *│/);
    expect(text).toMatch(/│ SOL +│ none +│ none +│/);
    expect(text).toMatch(/│ ETH +│ 3230 +│ none +│/);
  });
});
