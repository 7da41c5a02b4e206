// The per-day report against hand-computed days: each day's P&L is its realised − fees +
// funding + the change of unrealised P&L, and the days add up to the window.

import { describe, expect, it } from "vitest";
import type { LeaderTradeCounts } from "../../src/core/leader-trades.js";
import { csvCell, dailyReport, toCsv } from "../../src/core/report.js";

const D0 = Date.parse("2026-03-01T00:00:00Z");
const H = 3_600_000;

/** A tally's counts (core/leader-trades.ts), zeros but for `c`. */
const counts = (c: Partial<LeaderTradeCounts>): LeaderTradeCounts => ({
  leaderTrades: 0,
  copied: 0,
  inLine: 0,
  skipped: 0,
  missed: 0,
  planned: 0,
  inFlight: 0,
  unknown: 0,
  skippedBy: {},
  ...c,
});

describe("dailyReport", () => {
  it("two days by hand", () => {
    const r = dailyReport({
      since: D0 + 10 * H,
      until: D0 + 24 * H + 20 * H,
      equity: [
        { ts: D0 + 11 * H, accountValue: 10_000, hwm: 10_000 },
        { ts: D0 + 23 * H, accountValue: 10_050, hwm: 10_050 },
        { ts: D0 + 24 * H + 5 * H, accountValue: 9_900, hwm: 10_050 },
        { ts: D0 + 24 * H + 19 * H, accountValue: 9_950, hwm: 10_050 },
      ],
      fills: [
        {
          ts: D0 + 12 * H,
          sz: 1,
          copySz: null,
          fee: 2,
          closedPnl: 0,
          kind: "join",
          execSlippageBps: 1,
          slippageBps: null,
        },
        {
          ts: D0 + 14 * H,
          sz: 1,
          copySz: null,
          fee: 1,
          closedPnl: 30,
          kind: "copy",
          execSlippageBps: 3,
          slippageBps: 5,
        },
        {
          ts: D0 + 24 * H + 2 * H,
          sz: 1,
          copySz: null,
          fee: 1.5,
          closedPnl: -80,
          kind: "repair",
          execSlippageBps: 2,
          slippageBps: null,
        },
        // Before the window: not counted.
        {
          ts: D0 + 9 * H,
          sz: 1,
          copySz: null,
          fee: 100,
          closedPnl: 100,
          kind: "copy",
          execSlippageBps: 50,
          slippageBps: 50,
        },
      ],
      funding: [
        { ts: D0 + 13 * H, usdc: -0.5, copyUsdc: null },
        { ts: D0 + 24 * H + 13 * H, usdc: 0.25, copyUsdc: null },
      ],
      orders: [
        { ts: D0 + 12 * H, filledSize: 1 },
        { ts: D0 + 14 * H, filledSize: 0.5 },
        { ts: D0 + 15 * H, filledSize: 0 },
        { ts: D0 + 24 * H + 2 * H, filledSize: 1 },
      ],
      trades: {
        // As report's replay of the runs gives them (cli/report/leader-trades.ts), by day.
        byDay: new Map([
          [
            "2026-03-01",
            counts({ leaderTrades: 3, copied: 2, skipped: 1, skippedBy: { "below-min-notional": 1 } }),
          ],
          ["2026-03-02", counts({ leaderTrades: 3, copied: 1, skipped: 2, skippedBy: { "entry-drift": 2 } })],
        ]),
        knownDays: new Set(["2026-03-01", "2026-03-02"]),
        notKnownByDay: new Map(),
        notKnownRuns: [],
      },
      snapshots: [
        // The opening snapshot (before the window): unrealised 10.
        { ts: D0 + 8 * H, unrealisedUsd: 10, driftUsd: 0 },
        { ts: D0 + 16 * H, unrealisedUsd: 40, driftUsd: 12 },
        { ts: D0 + 23 * H, unrealisedUsd: 25, driftUsd: 3, outsideUsd: 0 },
        // An older record: no outside figure kept.
        { ts: D0 + 24 * H + 18 * H, unrealisedUsd: -5, driftUsd: 7 },
      ],
    });
    expect(r.days.map((d) => d.day)).toEqual(["2026-03-01", "2026-03-02"]);
    const [a, b] = r.days;
    // Day 1: realised 30 − fees 3 + funding −0.5 + (25 − 10) = 41.5.
    expect(a).toMatchObject({
      equity: 10_050,
      drawdownPct: 0,
      realisedUsd: 30,
      feesUsd: 3,
      fundingUsd: -0.5,
      unrealisedChangeUsd: 15,
      pnlUsd: 41.5,
      ordersFilled: 2,
      trades: 2,
      fills: 2,
      leaderTrades: 3,
      copiedTrades: 2,
      skippedTrades: 1,
      skipped: { "below-min-notional": 1 },
      driftUsd: 3,
      maxDriftUsd: 12,
      // The header's figure of the day's last record: its 3 all tolerated.
      outsideUsd: 0,
    });
    expect(a?.slippageBps).toEqual({ median: 5, p95: 5, n: 1 });
    // Day 2: realised −80 − fees 1.5 + funding 0.25 + (−5 − 25) = −111.25.
    expect(b).toMatchObject({
      pnlUsd: -111.25,
      trades: 1,
      skipped: { "entry-drift": 2 },
      driftUsd: 7,
      outsideUsd: null,
    });
    expect(b?.drawdownPct).toBeCloseTo(((10_050 - 9_950) / 10_050) * 100, 6);
    // The days add up: 41.5 − 111.25.
    expect(r.totals.pnlUsd).toBe(-69.75);
    // The leader's trades add up over the days, under follow --json's names.
    expect(r.totals).toMatchObject({
      leaderTrades: 6,
      copiedTrades: 3,
      skippedTrades: 3,
      inFlightTrades: 0,
      skipped: { "below-min-notional": 1, "entry-drift": 2 },
      tradesNotKnown: null,
    });
    expect(r.totals.unrealisedChangeUsd).toBe(-15);
    expect(r.totals.execSlippageBps.n).toBe(3);
    expect(r.maxDrawdownPct).toBeCloseTo(((10_050 - 9_900) / 10_050) * 100, 6);
    expect(r.equity).toHaveLength(4);
  });

  it("an empty window is days of zeros, not errors", () => {
    const r = dailyReport({
      since: D0,
      until: D0 + 2 * H,
      equity: [],
      fills: [],
      funding: [],
      orders: [],
      snapshots: [],
    });
    expect(r.days).toHaveLength(1);
    expect(r.days[0]).toMatchObject({ pnlUsd: 0, equity: null, driftUsd: null });
    expect(r.maxDrawdownPct).toBeNull();
  });

  it("a mark below a cent measures no drawdown, as the kill switch and status have it (not 100 %)", () => {
    // An emptied account's mark scaled to a micro-dollar (core/safety.ts EMPTY_USD).
    const r = dailyReport({
      since: D0,
      until: D0 + 2 * H,
      equity: [{ ts: D0 + H, accountValue: 0, hwm: 0.000001 }],
      fills: [],
      funding: [],
      orders: [],
      snapshots: [],
    });
    expect(r.days[0]?.drawdownPct).toBe(0);
    expect(r.maxDrawdownPct).toBe(0);
  });
});

describe("dailyReport: the leader's trades of runs journaled before they were kept", () => {
  it("are not known on their days (null, never 0); the totals leave those days out and say which", () => {
    const r = dailyReport({
      since: D0,
      until: D0 + 24 * H + 12 * H,
      equity: [],
      fills: [],
      funding: [],
      orders: [],
      trades: {
        byDay: new Map([["2026-03-02", counts({ leaderTrades: 2, inLine: 2 })]]),
        knownDays: new Set(["2026-03-02"]),
        notKnownByDay: new Map([["2026-03-01", [4]]]),
        notKnownRuns: [4],
      },
      snapshots: [],
    });
    expect(r.days[0]).toMatchObject({
      day: "2026-03-01",
      leaderTrades: null,
      skippedTrades: null,
      skipped: null,
    });
    expect(r.days[1]).toMatchObject({ day: "2026-03-02", leaderTrades: 2, inLineTrades: 2 });
    expect(r.totals).toMatchObject({
      leaderTrades: 2,
      tradesNotKnown: { days: ["2026-03-01"], runs: [4] },
    });
    // Every day not known: no figure at all.
    const old = dailyReport({
      since: D0,
      until: D0 + 12 * H,
      equity: [],
      fills: [],
      funding: [],
      orders: [],
      trades: {
        byDay: new Map(),
        knownDays: new Set(),
        notKnownByDay: new Map([["2026-03-01", [4]]]),
        notKnownRuns: [4],
      },
      snapshots: [],
    });
    expect(old.totals).toMatchObject({ leaderTrades: null, copiedTrades: null, skipped: null });
  });

  // A day an older run and a newer one share was all "not known": the newer run's trades, known,
  // were shown nowhere, in the day or in the totals.
  it("on a day shared with runs whose are known: those runs' trades are counted, the others named", () => {
    const r = dailyReport({
      since: D0,
      until: D0 + 24 * H + 12 * H,
      equity: [],
      fills: [],
      funding: [],
      orders: [],
      trades: {
        byDay: new Map([
          ["2026-03-01", counts({ leaderTrades: 3, copied: 2, skipped: 1, skippedBy: { "entry-drift": 1 } })],
          ["2026-03-02", counts({ leaderTrades: 1, copied: 1 })],
        ]),
        knownDays: new Set(["2026-03-01", "2026-03-02"]),
        notKnownByDay: new Map([["2026-03-01", [4, 5]]]),
        notKnownRuns: [4, 5],
      },
      snapshots: [],
    });
    expect(r.days[0]).toMatchObject({
      day: "2026-03-01",
      leaderTrades: 3,
      copiedTrades: 2,
      skippedTrades: 1,
      skipped: { "entry-drift": 1 },
      tradesNotKnown: { runs: [4, 5] },
    });
    expect(r.days[1]).toMatchObject({ day: "2026-03-02", leaderTrades: 1, tradesNotKnown: null });
    // The totals are the known runs' (every day's known part), and say which are not.
    expect(r.totals).toMatchObject({
      leaderTrades: 4,
      copiedTrades: 3,
      skippedTrades: 1,
      tradesNotKnown: { days: ["2026-03-01"], runs: [4, 5] },
    });
    // A known run's day with no trade is a known 0 beside the unknown run, not "not known".
    const quiet = dailyReport({
      since: D0,
      until: D0 + 12 * H,
      equity: [],
      fills: [],
      funding: [],
      orders: [],
      trades: {
        byDay: new Map(),
        knownDays: new Set(["2026-03-01"]),
        notKnownByDay: new Map([["2026-03-01", [4]]]),
        notKnownRuns: [4],
      },
      snapshots: [],
    });
    expect(quiet.days[0]).toMatchObject({ leaderTrades: 0, skipped: {}, tradesNotKnown: { runs: [4] } });
    expect(quiet.totals).toMatchObject({
      leaderTrades: 0,
      tradesNotKnown: { days: ["2026-03-01"], runs: [4] },
    });
  });
});

describe("dailyReport over a long, busy window", () => {
  it("a week of a follow's equity records and a day of its state records (~200 000 each): figures, not a stack overflow", () => {
    // Equity every 5 s for a week is ~120 000 rows, with sweeps more; a busy follow journals its
    // state a few times a second. Math.max(...rows) passed each as an argument: RangeError.
    const n = 200_000;
    const step = Math.floor((24 * H) / n);
    const equity = Array.from({ length: n }, (_, i) => ({
      ts: D0 + i * step,
      accountValue: i === 123_456 ? 9_000 : 10_000,
      hwm: 10_000,
    }));
    const snapshots = Array.from({ length: n }, (_, i) => ({
      ts: D0 + i * step,
      unrealisedUsd: 0,
      driftUsd: i === 150_001 ? 42.5 : i % 7,
    }));
    const r = dailyReport({
      since: D0,
      until: D0 + 24 * H - 1,
      equity,
      fills: [],
      funding: [],
      orders: [],
      snapshots,
    });
    expect(r.maxDrawdownPct).toBe(10);
    expect(r.days).toHaveLength(1);
    expect(r.days[0]?.maxDriftUsd).toBe(42.5);
    expect(r.equity).toHaveLength(n);
  });
});

describe("dailyReport: a day's drift", () => {
  it("max drift counts the highest drift a state record stood for (its minute of replaced changes), last drift its own", () => {
    const r = dailyReport({
      since: D0,
      until: D0 + 10 * H,
      equity: [],
      fills: [],
      funding: [],
      orders: [],
      snapshots: [
        { ts: D0 + H, unrealisedUsd: 0, driftUsd: 3 },
        // A minute of changes in one record: 250 at some change, 4 at its last.
        { ts: D0 + 2 * H, unrealisedUsd: 0, driftUsd: 4, driftMaxUsd: 250 },
        { ts: D0 + 3 * H, unrealisedUsd: 0, driftUsd: 7, driftMaxUsd: null },
      ],
    });
    expect(r.days[0]).toMatchObject({ driftUsd: 7, maxDriftUsd: 250 });
  });
});

describe("dailyReport: the copy's figures, as every P&L view counts them", () => {
  it("a liquidation's part of hlcopy's position is in the day's realised and fees; funding only on hlcopy's share", () => {
    const fill = { execSlippageBps: null, slippageBps: null } as const;
    const r = dailyReport({
      since: D0,
      until: D0 + 10 * H,
      equity: [],
      fills: [
        { ...fill, ts: D0 + H, sz: 0.1, copySz: 0.1, fee: 2.7, closedPnl: 0, kind: "copy" },
        // The liquidation closes 0.15: hlcopy's 0.1 and the trader's 0.05 (2/3 of it is the copy's).
        { ...fill, ts: D0 + 2 * H, sz: 0.15, copySz: 0.1, fee: 3, closedPnl: -900, kind: null },
        // A hand trade: none of it.
        { ...fill, ts: D0 + 3 * H, sz: 1, copySz: 0, fee: 1, closedPnl: 50, kind: null },
      ],
      funding: [
        { ts: D0 + H + 1, usdc: -0.9, copyUsdc: -0.6 },
        { ts: D0 + 3 * H + 1, usdc: 0.4, copyUsdc: 0 },
      ],
      orders: [],
      snapshots: [],
    });
    expect(r.totals.realisedUsd).toBeCloseTo(-600, 9);
    expect(r.totals.feesUsd).toBeCloseTo(4.7, 9);
    expect(r.totals.fundingUsd).toBeCloseTo(-0.6, 9);
    expect(r.totals.pnlUsd).toBeCloseTo(-600 - 4.7 - 0.6, 9);
    expect(r.totals.fills).toBe(2);
  });
});

describe("CSV", () => {
  it("quotes what needs quoting and neutralises text a spreadsheet would run as a formula", () => {
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(csvCell("-5.2")).toBe("-5.2");
    expect(csvCell(-5.2)).toBe("-5.2");
    expect(csvCell(null)).toBe("");
    expect(toCsv(["a", "b"], [[1, "x"]])).toBe("a,b\n1,x\n");
  });
});

describe("dailyReport: each figure rounded as its table shows it", () => {
  it("drift to the cent, slippage to 0.1 bps: no float tails in --json (maxDriftUsd 278.83234999999996)", () => {
    const r = dailyReport({
      since: D0,
      until: D0 + 10 * H,
      equity: [],
      fills: [
        {
          ts: D0 + H,
          sz: 1,
          copySz: null,
          fee: 0,
          closedPnl: 0,
          kind: "copy",
          execSlippageBps: 0.1 + 0.2,
          slippageBps: 1.25,
        },
        {
          ts: D0 + 2 * H,
          sz: 1,
          copySz: null,
          fee: 0,
          closedPnl: 0,
          kind: "copy",
          execSlippageBps: 2.66666,
          slippageBps: 0.04,
        },
      ],
      funding: [],
      orders: [],
      snapshots: [
        { ts: D0 + 3 * H, unrealisedUsd: 0, driftUsd: 278.83234999999996 },
        { ts: D0 + 4 * H, unrealisedUsd: 0, driftUsd: -75.67999999999999 },
      ],
    });
    const day = r.days[0];
    expect(day?.maxDriftUsd).toBe(278.83);
    expect(day?.driftUsd).toBe(-75.68);
    expect(day?.execSlippageBps).toEqual({ median: 1.5, p95: 2.5, n: 2 });
    expect(r.totals.slippageBps.p95).toBe(1.2);
  });
});
