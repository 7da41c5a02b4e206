// `hlcopy report` during a run: every figure of one moment — the last sweep (its unrealised P&L
// is the newest there is), the fills, funding and equity cut there too, the fills since counted
// and said. Fills to now beside a sweep's unrealised read as one moment: a day's P&L of −1.13
// beside an equity that fell 1.24.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { runReport } from "../../src/cli/report/run.js";
import { runStatus } from "../../src/cli/status/run.js";
import type { CopyPnl } from "../../src/core/pnl.js";
import type { Address } from "../../src/core/types.js";
import { journalPath, openJournal } from "../../src/store/journal.js";

const account = "0x00000000000000000000000000000000000000a1" as Address;
const leader = "0x00000000000000000000000000000000000000b2" as Address;
const NOW = Date.UTC(2026, 11, 3, 12, 3, 20);
const SWEEP = NOW - 16_000; // 12:03:04

const pnl = (realisedUsd: number, unrealisedUsd: number, feesUsd: number): CopyPnl => ({
  since: NOW - 3_600_000,
  startEquity: 10_000,
  realisedUsd,
  unrealisedUsd,
  feesUsd,
  fundingUsd: 0,
  netUsd: realisedUsd + unrealisedUsd - feesUsd,
  roiPct: null,
  fills: 1,
  volumeUsd: 0,
  byCoin: [],
  byLeader: [],
});

/** A journal of a follow that began an hour ago on 10 000 USD. */
function followingForAnHour(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const j = openJournal(journalPath(dir, account));
  const runId = j.startRun({
    command: "follow",
    leaders: [{ address: leader, weight: 1 }],
    account,
    network: "mainnet",
    settings: {},
    startedAt: NOW - 3_600_000,
  });
  j.recordEquity(NOW - 3_600_000, 10_000);
  return { dir, j, runId };
}

describe("hlcopy report while a follow runs", () => {
  it("the day's P&L, its equity and the window's line are all of the last sweep; the fills since are said", async () => {
    const { dir, j, runId } = followingForAnHour("hlcopy-report-moment-");
    j.recordFill({
      runId,
      tid: 1,
      ts: NOW - 600_000,
      coin: "BTC",
      side: "buy",
      px: 100,
      sz: 1,
      fee: 0.5,
      kind: "copy",
      closedPnl: 0,
    });
    // The sweep: its equity read (10 000 − 0.5 fees − 0.63 unrealised), then its P&L snapshot.
    j.recordEquity(SWEEP - 50, 9_998.87);
    j.recordEvent({
      ts: SWEEP,
      type: "sweep",
      runId,
      data: { inSync: true, driftUsd: 0, pnl: pnl(0, -0.63, 0.5) },
    });
    // After the sweep: a fill (fee 0.11) and equity records — in no figure of this report.
    j.recordFill({
      runId,
      tid: 2,
      ts: SWEEP + 2_000,
      coin: "BTC",
      side: "sell",
      px: 99.5,
      sz: 0.5,
      fee: 0.11,
      closedPnl: -0.25,
      kind: "copy",
    });
    j.recordEquity(SWEEP + 5_000, 9_998.76);
    j.close();

    const doc = await runReport({
      configDir: dir,
      account,
      json: true,
      since: 0,
      out: { write: () => true },
      now: NOW,
    });
    expect(doc?.until).toBe(SWEEP);
    expect(doc?.unrealisedAsOf).toBe(SWEEP);
    expect(doc?.fillsAfter).toBe(1);
    const today = doc?.days.at(-1);
    // The day's P&L is what the equity did, to the same moment: −0.5 − 0.63 = −1.13 = 9 998.87 − 10 000.
    expect(today?.pnlUsd).toBeCloseTo(-1.13, 6);
    expect(today?.equity).toBe(9_998.87);
    expect(today?.feesUsd).toBe(0.5);
    expect(doc?.totals.fills).toBe(1);

    let text = "";
    await runReport({
      configDir: dir,
      account,
      json: false,
      since: 0,
      out: { write: (t: string) => (text += t) },
      now: NOW,
      width: 200,
    });
    const flat = text;
    expect(flat).toContain("P&L by day (as of 16s ago, last sweep 12:03:04 UTC; 1 fill since):");
    expect(flat).toMatch(
      /window: P&L -\$1\.13 = .* \(as of 16s ago, last sweep 12:03:04 UTC; 1 fill since\); /,
    );
  });

  it("a window begun after the last sweep or run end runs to now: its moment is never before its start", async () => {
    const { dir, j, runId } = followingForAnHour("hlcopy-report-after-end-");
    j.recordEvent({
      ts: SWEEP,
      type: "sweep",
      runId,
      data: { inSync: true, driftUsd: 0, pnl: pnl(0, -0.63, 0.5) },
    });
    j.close();
    const since = SWEEP + 6_000; // `--since 10s`: after the sweep
    const doc = await runReport({
      configDir: dir,
      account,
      json: true,
      since,
      out: { write: () => true },
      now: NOW,
    });
    // It read "12:03 → 12:03" with until (the sweep) before since, and "(as of 16s ago, last sweep 12:03:04)".
    expect(doc?.since).toBe(since);
    expect(doc?.until).toBe(NOW);
    expect(doc?.unrealisedAsOf).toBeNull();
    let text = "";
    await runReport({
      configDir: dir,
      account,
      json: false,
      since,
      out: { write: (t: string) => (text += t) },
      now: NOW,
      width: 200,
    });
    expect(text).toContain("P&L by day (to 2026-12-03 12:03:20 UTC, now; no unrealized P&L journaled):");
    expect(text).not.toContain("last sweep 12:03:04 UTC");
  });

  // A follow writing while the report reads: the first line's "N fills since" and the last
  // line's were read at two moments (fills, then the P&L), so one output said 1 and 2.
  it("one output, one figure: a fill journaled while it reads is in none of its counts", async () => {
    const { dir, j, runId } = followingForAnHour("hlcopy-report-one-read-");
    j.recordEvent({
      ts: SWEEP,
      type: "sweep",
      runId,
      data: { inSync: true, driftUsd: 0, pnl: pnl(0, -0.63, 0.5) },
    });
    const fill = (tid: number, ts: number) =>
      ({
        runId,
        tid,
        ts,
        coin: "BTC",
        side: "buy",
        px: 100,
        sz: 0.1,
        fee: 0.01,
        kind: "copy",
        closedPnl: 0,
      }) as const;
    j.recordFill(fill(1, SWEEP + 1_000));
    j.close();
    // The follow's next fill lands once the report has read its fills, before it reads its P&L.
    const reader = openJournal(journalPath(dir, account));
    const proto = Object.getPrototypeOf(reader) as { fundingSince: (since: number) => unknown };
    reader.close();
    const original = proto.fundingSince;
    let written = false;
    const spy = vi.spyOn(proto, "fundingSince").mockImplementation(function (this: unknown, since: number) {
      if (!written) {
        written = true;
        const follow = openJournal(journalPath(dir, account));
        follow.recordFill(fill(2, SWEEP + 2_000));
        follow.close();
      }
      return original.call(this, since);
    });
    try {
      let text = "";
      await runReport({
        configDir: dir,
        account,
        json: false,
        since: 0,
        out: { write: (t: string) => (text += t) },
        now: NOW,
        width: 200,
      });
      expect(written).toBe(true);
      const counts = [...text.matchAll(/; (\d+) fills? since\)/g)].map((m) => m[1]);
      expect(counts.length).toBeGreaterThanOrEqual(2);
      expect(new Set(counts)).toEqual(new Set(["1"]));
    } finally {
      spy.mockRestore();
    }
  });

  it("status too: its fill count and its P&L's fills since are of one moment", async () => {
    const { dir, j, runId } = followingForAnHour("hlcopy-status-one-read-");
    j.recordEvent({
      ts: SWEEP,
      type: "sweep",
      runId,
      data: { inSync: true, driftUsd: 0, pnl: pnl(0, -0.63, 0.5) },
    });
    const fill = (tid: number, ts: number) =>
      ({
        runId,
        tid,
        ts,
        coin: "BTC",
        side: "buy",
        px: 100,
        sz: 0.1,
        fee: 0.01,
        kind: "copy",
        closedPnl: 0,
      }) as const;
    j.recordFill(fill(1, SWEEP + 1_000));
    j.close();
    // The follow's next fill lands after the P&L's fills were read, before the fills are counted.
    const reader = openJournal(journalPath(dir, account));
    const proto = Object.getPrototypeOf(reader) as { fillCounts: (since: number) => unknown };
    reader.close();
    const original = proto.fillCounts;
    let written = false;
    const spy = vi.spyOn(proto, "fillCounts").mockImplementation(function (this: unknown, since: number) {
      if (!written) {
        written = true;
        const follow = openJournal(journalPath(dir, account));
        follow.recordFill(fill(2, SWEEP + 2_000));
        follow.close();
      }
      return original.call(this, since);
    });
    try {
      const status = await runStatus({
        configDir: dir,
        account,
        json: true,
        out: { write: () => true },
        now: NOW,
      });
      expect(written).toBe(true);
      expect(status?.pnl?.fillsAfter).toBe(1);
      expect(status?.fills.total).toBe(1);
    } finally {
      spy.mockRestore();
    }
  });

  it("a sweep whose P&L is not whole (a damaged record) is passed over: report and status read the one before", async () => {
    const { dir, j, runId } = followingForAnHour("hlcopy-report-damaged-");
    j.recordEvent({
      ts: SWEEP - 30_000,
      type: "sweep",
      runId,
      data: { inSync: true, driftUsd: 0, pnl: pnl(0, -0.63, 0.5) },
    });
    // Valid JSON, but a P&L without its start or its coins: read as one, it failed the whole read.
    const { since: _, byCoin: __, ...damaged } = pnl(0, -9, 9);
    j.recordEvent({ ts: SWEEP, type: "sweep", runId, data: { inSync: true, driftUsd: 0, pnl: damaged } });
    j.close();

    const doc = await runReport({
      configDir: dir,
      account,
      json: true,
      since: 0,
      out: { write: () => true },
      now: NOW,
    });
    expect(doc?.pnl).toMatchObject({ asOf: SWEEP - 30_000, unrealisedUsd: -0.63, feesUsd: 0.5 });
    const status = await runStatus({
      configDir: dir,
      account,
      json: true,
      out: { write: () => true },
      now: NOW,
    });
    expect(status?.pnl).toMatchObject({ asOf: SWEEP - 30_000, unrealisedUsd: -0.63, feesUsd: 0.5 });
  });
});
