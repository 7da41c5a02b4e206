// The backtest of issue 19's missing piece — several leaders with weights, as `follow L1 L2
// --weights` copies them — against a hand-computed case, and issue 21's sizing modes and entry
// styles replayed point in time (risk-parity from candles, kelly from the leader's closing
// trades so far, the copy delay, passive entries, trading hours), with zero friction so every
// figure can be checked by hand.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ZERO_FRICTION } from "../../src/analytics/friction.js";
import { type CandleClose, runBacktest } from "../../src/analytics/replay.js";
import { parseCandles } from "../../src/analytics/wire.js";
import { runBacktestCommand } from "../../src/cli/backtest/run.js";
import { UsageError } from "../../src/core/errors.js";
import { defaultSettings, type Settings } from "../../src/core/settings.js";
import { tempDir } from "../helpers/cli.js";
import { cassette, HOUR, loadMeta, loadTrace, sink, T0, trades } from "./helpers.js";

/** The text's lines whole: these tests read their words (backtest-funding.test.ts pins the breaking at 80 columns). */
const WHOLE = Number.POSITIVE_INFINITY;

function settingsWith(patch: (s: Settings) => void): Settings {
  const s = defaultSettings();
  s.exec.deadbandPct = 0;
  s.risk.maxLeverage = 10;
  patch(s);
  return s;
}
const S = 1000;
const META = [
  { name: "BTC", szDecimals: 5, maxLeverage: 50, assetId: 0 },
  { name: "ETH", szDecimals: 4, maxLeverage: 50, assetId: 1 },
];

// Leader 1 (weight 3) is long BTC; leader 2 (weight 1) short ETH and, for a while, short BTC.
const L1 = trades([
  ["BTC", 2, 30_000, T0 + 1 * S],
  ["BTC", -2, 31_000, T0 + 5 * S],
]);
const L2 = trades([
  ["ETH", -10, 2_000, T0 + 2 * S],
  ["BTC", -4, 30_500, T0 + 3 * S],
  ["ETH", 4, 1_900, T0 + 6 * S],
  ["BTC", 4, 30_000, T0 + 7 * S],
]);

describe("multi-leader backtest with weights (hand-computed)", () => {
  // fixed-ratio 0.1 × weights 0.75 / 0.25: our ratios are 0.075 (L1) and 0.025 (L2).
  //  1s  BTC target 2×0.075 = 0.15            buy 0.15 @ 30 000
  //  2s  ETH target −10×0.025 = −0.25         sell 0.25 @ 2 000
  //  3s  BTC 0.15 − 4×0.025 = 0.05            sell 0.1 @ 30 500   +50
  //  5s  BTC 0 − 0.1 = −0.1 (flip)            sell 0.05 @ 31 000  +50, sell 0.1 (open)
  //  6s  ETH −6×0.025 = −0.15                 buy 0.1 @ 1 900     +10
  //  7s  BTC 0                                buy 0.1 @ 30 000    +100
  //  end ETH −0.15 marked at 1 900                                +15   → PnL 225, 7 orders
  // The leaders' PnL × their ratios agrees: 0.075 × 2 000 + 0.025 × (2 000 + 1 000) = 225.
  const settings = settingsWith((s) => {
    s.sizing.mode = "fixed-ratio";
    s.sizing.ratio = 0.1;
  });

  it("copies each leader at its weight and nets their coins", () => {
    const r = runBacktest({
      leaders: [
        { fills: L1, weight: 3, leaderEquity: 100_000 },
        { fills: L2, weight: 1, leaderEquity: 50_000 },
      ],
      settings,
      equity: 10_000,
      friction: ZERO_FRICTION,
      meta: META,
    });
    expect(r.fills).toBe(6);
    expect(r.targetState.pnl).toBeCloseTo(225, 9);
    expect(r.targetState.orders).toBe(7);
    expect(r.targetState.positions).toEqual({ ETH: -0.15 });
    expect(r.leader.scaledPnl).toBeCloseTo(225, 9);
    expect(r.leader.pnl).toBeCloseTo(5_000, 9);
    expect(r.leaders.map((l) => [l.weight, l.pnl])).toEqual([
      [0.75, 2_000],
      [0.25, 3_000],
    ]);
    expect(r.leaders[0]?.ratio.last).toBeCloseTo(0.075, 12);
    expect(r.leaders[1]?.ratio.last).toBeCloseTo(0.025, 12);
    expect(r.leader.equity).toBe(150_000);
    // The naive copy scales each leader's fills by its own ratio: the same trades here.
    expect(r.naive.pnl).toBeCloseTo(225, 9);
    expect(r.targetState.drift.finalUsd).toBeCloseTo(0, 9);
  });

  it("one leader split into two halves (weights 0.5 / 0.5) replays exactly like the leader alone", () => {
    const fills = loadTrace();
    const meta = loadMeta();
    const s = defaultSettings();
    const one = runBacktest({ fills, settings: s, equity: 10_000, meta });
    const halves = runBacktest({
      leaders: [
        { fills, weight: 0.5 },
        { fills, weight: 0.5 },
      ],
      settings: s,
      equity: 10_000,
      meta,
    });
    expect(halves.targetState.pnl).toBeCloseTo(one.targetState.pnl, 9);
    expect(halves.targetState.orders).toBe(one.targetState.orders);
    expect(halves.leader.scaledPnl).toBeCloseTo(one.leader.scaledPnl, 9);
    expect(halves.targetState.positions).toEqual(one.targetState.positions);
  });

  it("through the command: --fills a --fills b --weights 3,1 --leader-equity 100000,50000", async () => {
    const dir = tempDir();
    const a = join(dir, "l1.json");
    const b = join(dir, "l2.json");
    writeFileSync(a, JSON.stringify(L1));
    writeFileSync(b, JSON.stringify(L2));
    const meta = join(dir, "meta.json");
    writeFileSync(meta, JSON.stringify({ universe: META.map(({ assetId: _, ...m }) => m) }));
    const out = sink();
    const report = await runBacktestCommand({
      width: WHOLE,
      fillsFiles: [a, b],
      weights: "3,1",
      leaderEquity: "100000,50000",
      equity: "10000",
      delayMs: "0",
      feeBps: "0",
      spreadBps: "0",
      depthUsd: "none",
      metaFile: meta,
      settings,
      json: false,
      out,
      err: sink(),
    });
    expect(report.leaders.map((l) => [l.label, l.weight])).toEqual([
      [a, 0.75],
      [b, 0.25],
    ]);
    expect(report.result.targetState.pnl).toBeCloseTo(225, 9);
    expect(out.text()).toMatch(/Backtest of 2 leaders \(.*l1\.json ×0\.75, .*l2\.json ×0\.25\)/);
    await expect(
      runBacktestCommand({
        width: WHOLE,
        fillsFiles: [a, b],
        weights: "1",
        settings,
        json: false,
        out: sink(),
        err: sink(),
      }),
    ).rejects.toThrow(/invalid --weights "1": expected 2 positive numbers/);
  });

  it("--weights with one leader is refused as follow refuses it: it was normalised to 1 and did nothing", async () => {
    const dir = tempDir();
    const a = join(dir, "l1.json");
    writeFileSync(a, JSON.stringify(L1));
    for (const weights of ["0.5", "1"]) {
      const refused = runBacktestCommand({
        width: WHOLE,
        fillsFiles: [a],
        weights,
        settings,
        json: false,
        out: sink(),
        err: sink(),
      });
      await expect(refused).rejects.toThrow(UsageError);
      await expect(refused).rejects.toThrow(
        "--weights shares the copy between several leaders, and this backtest replays one",
      );
    }
  });
});

describe("backtest input a follow would refuse or a flag that would do nothing", () => {
  const settings = settingsWith(() => {});
  it("the same leader or --fills file twice is refused: its fills were replayed twice, as two half-weight leaders", async () => {
    const dir = tempDir();
    const a = join(dir, "l1.json");
    writeFileSync(a, JSON.stringify(L1));
    const twice = runBacktestCommand({
      width: WHOLE,
      fillsFiles: [a, join(dir, ".", "l1.json")],
      settings,
      json: false,
      out: sink(),
      err: sink(),
    });
    await expect(twice).rejects.toThrow(UsageError);
    await expect(twice).rejects.toThrow("the same --fills file is given twice");
    const leader = "0x1880bbbea43fb92572279b9131130cc0f56e5fb4";
    // Refused before any request: no source is given, and none is needed to say so.
    await expect(
      runBacktestCommand({
        width: WHOLE,
        addresses: [leader, leader],
        settings,
        json: false,
        out: sink(),
        err: sink(),
      }),
    ).rejects.toThrow("the same leader is given twice");
  });

  it("the comparison line says what target-state copying cost more as '$X extra', never '-$X extra'", async () => {
    const dir = tempDir();
    const a = join(dir, "l2.json");
    // Flips: target-state sends each as a close and an open, naive as one order.
    writeFileSync(a, JSON.stringify(L2));
    const out = sink();
    const report = await runBacktestCommand({
      width: WHOLE,
      fillsFiles: [a],
      leaderEquity: "100000",
      equity: "10000",
      depthUsd: "100",
      settings,
      json: false,
      out,
      err: sink(),
    });
    const saved = report.result.comparison.costSaved;
    expect(saved).toBeLessThan(0); // the case the line got wrong: target-state cost more
    const line =
      out
        .text()
        .split("\n")
        .find((l) => l.startsWith("Target-state copying vs naive:")) ?? "";
    expect(line).not.toMatch(/-\$[\d.,]+ (extra|saved)/);
    expect(line).toContain(
      saved >= 0 ? `$${Math.abs(saved).toFixed(2)} saved` : `$${Math.abs(saved).toFixed(2)} extra`,
    );
  });

  it("--since with --fills is refused: the file is replayed whole, the window asked for was not", async () => {
    const dir = tempDir();
    const a = join(dir, "l1.json");
    writeFileSync(a, JSON.stringify(L1));
    const refused = runBacktestCommand({
      width: WHOLE,
      fillsFiles: [a],
      days: 7,
      settings,
      json: false,
      out: sink(),
      err: sink(),
    });
    await expect(refused).rejects.toThrow(UsageError);
    await expect(refused).rejects.toThrow(
      "--since sets how much history to fetch for a leader address: a --fills file is replayed whole",
    );
  });
});

describe("--candles FILE", () => {
  it("reads the recorded candleSnapshot (kPEPE 1h), alone or several coins in a list", () => {
    const recorded = cassette("candleSnapshot") as { response: { t: number; c: string }[] };
    const one = parseCandles(recorded);
    expect(one).toHaveLength(recorded.response.length);
    expect(one[0]).toEqual({ coin: "kPEPE", t: recorded.response[0]?.t, c: Number(recorded.response[0]?.c) });
    const renamed = { response: recorded.response.map((k) => ({ ...k, s: "DOGE" })) };
    const both = parseCandles([recorded, renamed]);
    expect(new Set(both.map((k) => k.coin))).toEqual(new Set(["DOGE", "kPEPE"]));
    expect(() => parseCandles([{ t: 1 }], "x.json")).toThrow(/x\.json/);
  });
});

describe("sizing modes replayed point in time", () => {
  it("risk-parity scales the leader's allocation by target / volatility from hourly candles", () => {
    // Hourly closes alternating ±2 % log returns for 30 days before the fill.
    const candles: CandleClose[] = [];
    let c = 30_000;
    for (let h = 720; h >= 1; h--) {
      c *= Math.exp(h % 2 === 0 ? 0.02 : -0.02);
      candles.push({ coin: "BTC", t: T0 - h * HOUR, c });
    }
    const vol = 0.02 * Math.sqrt(719 / 718) * Math.sqrt(8760);
    const fills = trades([["BTC", 1, 30_000, T0 + S]]);
    const r = runBacktest({
      fills,
      leaderEquity: 100_000,
      settings: settingsWith((s) => {
        s.sizing.mode = "risk-parity";
        s.sizing.targetVolPct = 15;
      }),
      equity: 10_000,
      friction: ZERO_FRICTION,
      meta: META,
      candles,
    });
    // Our notional = 10 000 × 30 % × 0.15 / vol, rounded down to the lot.
    const expected = Math.floor(((10_000 * 0.3 * (0.15 / vol)) / 30_000) * 1e5) / 1e5;
    expect(r.targetState.positions).toEqual({ BTC: expected });
    expect(r.sizing).toEqual({ mode: "risk-parity", volatility: "candles" });
  });

  it("kelly sizes from the leader's closing trades so far, and copies nothing at a negative edge", () => {
    // Ten round trips: eight win $200, two lose $100 (R = 2, W = 0.8 → K = 0.7), then a BTC open.
    const list: [string, number, number, number][] = [];
    for (let i = 0; i < 10; i++) {
      list.push(["ETH", 1, 2_000, T0 + (2 * i + 1) * S]);
      list.push(["ETH", -1, i < 8 ? 2_200 : 1_900, T0 + (2 * i + 2) * S]);
    }
    // (A closing order is counted once the next order of its coin shows it complete.)
    list.push(["ETH", 1, 2_000, T0 + 21 * S]);
    list.push(["BTC", 1, 30_000, T0 + 30 * S]);
    const kelly = settingsWith((s) => {
      s.sizing.mode = "kelly";
      s.sizing.kellyFraction = 0.5;
    });
    const r = runBacktest({
      fills: trades(list),
      leaderEquity: 100_000,
      settings: kelly,
      equity: 10_000,
      friction: ZERO_FRICTION,
      meta: META,
    });
    // Equity ratio (our 10 000 / the leader's 101 400 after its +1 400) × 0.5 × 0.7, rounded
    // down to the lot. (Before its tenth closing trade nothing was copied: negative-edge.)
    expect(r.targetState.positions.BTC).toBe(Math.floor((10_000 / 101_400) * 0.35 * 1e5) / 1e5);
    expect(r.targetState.skipped["negative-edge"]).toBeGreaterThan(0);
    // The same leader losing: W 0.2, R 0.5 → K < 0: not copied.
    const losing = list.map(([coin, d, px, t], i): [string, number, number, number] =>
      coin === "ETH" && d < 0 ? [coin, d, i < 16 ? 1_900 : 2_050, t] : [coin, d, px, t],
    );
    const l = runBacktest({
      fills: trades(losing),
      leaderEquity: 100_000,
      settings: kelly,
      equity: 10_000,
      friction: ZERO_FRICTION,
      meta: META,
    });
    expect(l.targetState.positions.BTC).toBeUndefined();
  });

  it("risk-per-trade: each position is sized so its stop loses riskPct of equity", () => {
    const fills = trades([["BTC", 7, 30_000, T0 + S]]);
    const r = runBacktest({
      fills,
      leaderEquity: 1_000_000,
      settings: settingsWith((s) => {
        s.sizing.mode = "risk-per-trade";
        s.sizing.riskPct = 1;
        s.risk.stopLossPct = 5;
      }),
      equity: 10_000,
      friction: ZERO_FRICTION,
      meta: META,
    });
    // $100 at a 5 % stop → $2 000 → 0.06666 BTC, whatever the leader's 7.
    expect(r.targetState.positions).toEqual({ BTC: 0.06666 });
  });
});

describe("entry styles replayed", () => {
  const ratio = (patch: (s: Settings) => void = () => {}) =>
    settingsWith((s) => {
      s.sizing.mode = "fixed-ratio";
      s.sizing.ratio = 0.1;
      patch(s);
    });

  it("copy delay: an increase held for the delay is copied then; one reversed before is not", () => {
    const held = trades([
      ["BTC", 1, 30_000, T0],
      ["ETH", 1, 2_000, T0 + 120 * S],
    ]);
    const delayed = ratio((s) => (s.exec.copyDelayMinutes = 1));
    const r = runBacktest({
      fills: held,
      settings: delayed,
      equity: 100_000,
      friction: ZERO_FRICTION,
      meta: META,
    });
    // BTC was held for the minute: copied then. (ETH, bought at the end, is copied a minute
    // later, when the replay settles what is still due.)
    expect(r.targetState.positions).toEqual({ BTC: 0.1, ETH: 0.1 });
    expect(r.targetState.orders).toBe(2);
    expect(r.targetState.skipped["copy-delay"]).toBeGreaterThan(0);
    const reversed = trades([
      ["BTC", 1, 30_000, T0],
      ["BTC", -1, 30_100, T0 + 30 * S],
    ]);
    const x = runBacktest({
      fills: reversed,
      settings: delayed,
      equity: 100_000,
      friction: ZERO_FRICTION,
      meta: META,
    });
    expect(x.targetState.orders).toBe(0);
    expect(x.targetState.skipped["reversed-after-delay"]).toBe(1);
  });

  it("passive: an entry a later price trades through fills at its limit as maker; one that does not converts after the timeout", () => {
    const passive = ratio((s) => {
      s.exec.entry = "passive";
      s.exec.passiveTimeoutSeconds = 30;
    });
    const friction = { ...ZERO_FRICTION, book: { halfSpreadBps: 1, depthUsdPerBps: null }, makerFee: 0.0001 };
    // The leader buys at 30 000; ten seconds later BTC trades at 29 990, through our bid.
    const through = trades([
      ["BTC", 1, 30_000, T0],
      ["BTC", 0.00001, 29_990, T0 + 10 * S],
    ]);
    const r = runBacktest({ fills: through, settings: passive, equity: 100_000, friction, meta: META });
    // Our bid: the leader's 30 000 or our side of the book (1 bp under), on the tick grid.
    expect(r.entries).toEqual({
      passivePlaced: 1,
      passiveFilled: 1,
      passiveConverted: 0,
      passiveCancelled: 0,
    });
    expect(r.targetState.positions).toEqual({ BTC: 0.1 });
    expect(r.targetState.fees).toBeCloseTo(0.1 * 29_997 * 0.0001, 6);
    // No price through it within 30 s: cancelled and sent as IOC at the timeout.
    const quiet = trades([
      ["BTC", 1, 30_000, T0],
      ["ETH", 1, 2_000, T0 + 60 * S],
    ]);
    const q = runBacktest({ fills: quiet, settings: passive, equity: 100_000, friction, meta: META });
    // (The ETH entry at the end, with no later price, times out too.)
    expect(q.entries).toEqual({
      passivePlaced: 2,
      passiveFilled: 0,
      passiveConverted: 2,
      passiveCancelled: 0,
    });
    expect(q.targetState.positions).toEqual({ BTC: 0.1, ETH: 0.1 });
  });

  it("trading hours: no increase outside the UTC window, the close inside it", () => {
    const night = trades([
      ["BTC", 1, 30_000, T0 + 3 * HOUR],
      ["BTC", 1, 30_000, T0 + 9 * HOUR],
    ]);
    const r = runBacktest({
      fills: night,
      settings: ratio((s) => (s.exec.tradingHours = "08-22")),
      equity: 100_000,
      friction: ZERO_FRICTION,
      meta: META,
    });
    expect(r.targetState.skipped["outside-trading-hours"]).toBe(1);
    expect(r.targetState.positions).toEqual({ BTC: 0.2 });
    expect(r.targetState.orders).toBe(1);
  });
});
