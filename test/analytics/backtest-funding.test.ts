// Backtest item 4: funding in the friction model (hand-computed), the copy's own win rate,
// profit factor and Sharpe beside the leader's, and --compare of sizing modes.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ZERO_FRICTION } from "../../src/analytics/friction.js";
import { runBacktest, sharpeOf } from "../../src/analytics/replay.js";
import { SYNTHETIC_META, syntheticFills, toWireFill } from "../../src/analytics/synthetic.js";
import { parseFundingHistory } from "../../src/analytics/wire.js";
import { parseCompare, renderBacktest, runBacktestCommand } from "../../src/cli/backtest/run.js";
import { UsageError } from "../../src/core/errors.js";
import { defaultSettings, type Settings } from "../../src/core/settings.js";
import { tempDir } from "../helpers/cli.js";
import { cassette, cassetteSource, DAY, HOUR, sink, T0, trades } from "./helpers.js";

/** The text's lines whole: these tests read their words (its 80-column test pins the breaking). */
const WHOLE = Number.POSITIVE_INFINITY;

const ETH = [{ name: "ETH", szDecimals: 4, maxLeverage: 50, assetId: 1 }];

function ratio1(): Settings {
  const s = defaultSettings();
  s.sizing.mode = "fixed-ratio";
  s.sizing.ratio = 1;
  s.exec.deadbandPct = 0;
  s.risk.maxLeverage = 50;
  return s;
}

describe("funding in the replay", () => {
  it("a long held over two funding hours pays size × mark × rate each time; a short receives", () => {
    // Leader buys 2 ETH @100, holds 3 hours at 100, sells @100: price PnL 0.
    const fills = trades([
      ["ETH", 2, 100, T0],
      ["ETH", -2, 100, T0 + 3 * HOUR],
    ]);
    const funding = [
      { coin: "ETH", time: T0 + HOUR, rate: 0.0001 },
      { coin: "ETH", time: T0 + 2 * HOUR, rate: -0.00005 },
      { coin: "BTC", time: T0 + 2 * HOUR, rate: 0.01 }, // a coin nobody holds
    ];
    const r = runBacktest({
      fills,
      settings: ratio1(),
      equity: 10_000,
      friction: ZERO_FRICTION,
      meta: ETH,
      funding,
    });
    // Hour 1: pays 2 × 100 × 0.0001 = 0.02; hour 2: receives 2 × 100 × 0.00005 = 0.01.
    expect(r.targetState.funding).toBeCloseTo(-0.01, 12);
    expect(r.naive.funding).toBeCloseTo(-0.01, 12);
    expect(r.leader.funding).toBeCloseTo(-0.01, 12);
    expect(r.targetState.pnl).toBeCloseTo(-0.01, 12);
    expect(r.leader.scaledPnl).toBeCloseTo(-0.01, 12);

    const short = runBacktest({
      fills: trades([
        ["ETH", -2, 100, T0],
        ["ETH", 2, 100, T0 + 3 * HOUR],
      ]),
      settings: ratio1(),
      equity: 10_000,
      friction: ZERO_FRICTION,
      meta: ETH,
      funding,
    });
    expect(short.targetState.funding).toBeCloseTo(0.01, 12);
    // Without rates nothing changes.
    expect(
      runBacktest({ fills, settings: ratio1(), equity: 10_000, friction: ZERO_FRICTION, meta: ETH })
        .targetState.funding,
    ).toBe(0);
  });

  it("parses the exchange's fundingHistory (the cassette)", () => {
    const rates = parseFundingHistory(cassette("fundingHistory"));
    expect(rates.length).toBeGreaterThan(100);
    expect(rates[0]).toEqual({ coin: "BTC", time: 1683849600048, rate: -0.00061334 });
    expect(() => parseFundingHistory([{ coin: "BTC", time: 1 }])).toThrow(UsageError);
  });
});

describe("the copy's own trade statistics", () => {
  it("win rate and profit factor of the copy's closing trades, the leader's beside them", () => {
    // +10 on ETH, then −5: one win, one loss for the leader and (ratio 1, no friction) for us.
    const fills = trades([
      ["ETH", 1, 100, T0],
      ["ETH", -1, 110, T0 + HOUR],
      ["ETH", 1, 100, T0 + 2 * HOUR],
      ["ETH", -1, 95, T0 + 3 * HOUR],
    ]);
    const r = runBacktest({ fills, settings: ratio1(), equity: 10_000, friction: ZERO_FRICTION, meta: ETH });
    expect(r.targetState.stats).toMatchObject({ closingTrades: 2, winRate: 0.5 });
    expect(r.targetState.stats.profitFactor).toBeCloseTo(2, 9);
    expect(r.leader.stats).toMatchObject({ closingTrades: 2, winRate: 0.5 });
    expect(r.leader.stats.profitFactor).toBeCloseTo(2, 9);
    // Under 7 days: no Sharpe.
    expect(r.targetState.stats.sharpe).toBeNull();
  });

  it("Sharpe of daily returns", () => {
    expect(sharpeOf([0.01, 0.01, 0.01])).toBeNull();
    const d = [0.01, -0.005, 0.02, 0, 0.01, -0.01, 0.005];
    const mean = d.reduce((s, x) => s + x, 0) / d.length;
    const sd = Math.sqrt(d.reduce((s, x) => s + (x - mean) ** 2, 0) / (d.length - 1));
    expect(sharpeOf(d)).toBeCloseTo((mean / sd) * Math.sqrt(365), 12);
    // A 10-day synthetic replay has one.
    const long = runBacktest({
      fills: syntheticFills({ fills: 2000, seed: 2, meanGapMs: 20 * 60_000 }),
      settings: defaultSettings(),
      equity: 10_000,
      meta: SYNTHETIC_META,
    });
    expect(long.window.end - long.window.start).toBeGreaterThan(7 * DAY);
    expect(long.targetState.stats.sharpe).not.toBeNull();
    expect(long.leader.stats.sharpe).not.toBeNull();
  });
});

describe("backtest --compare and --funding", () => {
  const dir = tempDir("hlcopy-bt-compare-");
  const fillsFile = join(dir, "fills.json");
  const fills = syntheticFills({ fills: 600, seed: 5, coins: 2 });
  writeFileSync(fillsFile, JSON.stringify(fills.map(toWireFill)));
  const fundingFile = join(dir, "funding.json");
  const start = fills[0]?.time ?? 0;
  writeFileSync(
    fundingFile,
    JSON.stringify(
      Array.from({ length: 30 }, (_, i) => ({
        coin: "BTC",
        fundingRate: "0.0001",
        premium: "0",
        time: start + (i + 1) * HOUR,
      })),
    ),
  );

  it("runs the sizing modes side by side, with funding from the file", async () => {
    const out = sink();
    const report = await runBacktestCommand({
      width: WHOLE,
      fillsFile,
      fundingFile,
      compare: "modes",
      equity: "5000",
      settings: defaultSettings(),
      json: false,
      out,
      err: sink(),
    });
    // risk-per-trade needs a stop: without one it is left out, with a note.
    expect(report.compare?.map((c) => c.mode)).toEqual([
      "equity-ratio",
      "fixed-ratio",
      "fixed-notional",
      "risk-parity",
      "kelly",
    ]);
    expect(report.notes).toEqual([
      "risk-per-trade left out of --compare: it needs a stop (add --stop-loss-pct 5)",
    ]);
    expect(report.compare?.[0]?.result).toBe(report.result);
    expect(report.funding).toEqual({ rates: 30, source: "file" });
    const text = out.text();
    expect(text).toContain("Side by side (target-state copy)");
    expect(text).toMatch(/equity-ratio\s*│\s*fixed-ratio\s*│\s*fixed-notional\s*│\s*risk-parity\s*│\s*kelly/);
    expect(text).toContain("win rate (closing trades)");
    expect(text).toMatch(/Leader: win rate/);
  });

  it("on an 80-column terminal: its lines broken at their separators, the side-by-side table in tables that fit", async () => {
    const text = async (width: number) => {
      const out = sink();
      const err = sink();
      await runBacktestCommand({
        width,
        fillsFile,
        fundingFile,
        compare: "modes",
        equity: "5000",
        settings: defaultSettings(),
        json: false,
        out,
        err,
      });
      return out.text();
    };
    const whole = await text(WHOLE);
    // Five modes side by side made one table 121 wide, and the header's window line 100.
    expect(Math.max(...whole.split("\n").map((l) => [...l].length))).toBeGreaterThan(100);
    const narrow = await text(80);
    for (const line of narrow.split("\n")) expect([...line].length, line).toBeLessThanOrEqual(80);
    // Every mode is still there, each under the row names (a table per group of columns).
    for (const mode of ["equity-ratio", "fixed-ratio", "fixed-notional", "risk-parity", "kelly"])
      expect(narrow).toMatch(new RegExp(`│ +│ [^\\n]*${mode}`));
    expect(narrow.match(/│ skipped plans +│/g)?.length).toBeGreaterThan(1);
    // The lines around the tables (the charts drawn as they are): the same words, broken only at
    // a separator or a space.
    const text0 = (t: string) =>
      t
        .slice(0, t.indexOf("\nP&L, target-state copy"))
        .split("\n")
        .filter((l) => !/^[┌│├└]/.test(l));
    expect(
      text0(narrow)
        .join("\n")
        .replace(/\n {2}(?=\S)/g, " "),
    ).toBe(text0(whole).join("\n"));
  });

  it("fees + slippage is the sum of the fees and slippage rows as shown, and so is the saving said", async () => {
    const report = await runBacktestCommand({
      width: WHOLE,
      fillsFile,
      compare: "modes",
      equity: "5000",
      settings: defaultSettings(),
      json: true,
      out: sink(),
      err: sink(),
    });
    // One clone: the first --compare column stays the report's own result (the same object).
    const shown = structuredClone(report);
    const t = shown.result.targetState;
    const n = shown.result.naive;
    // Rows $1.01 and $2.01 (1.005, 2.005): their sum rounded once was $3.01. The naive rows
    // $5.00 and $5.00 (5.004 each): rounded once, $10.01 — a saving of $7.00 read as $6.98.
    t.fees = 1.005;
    t.slippage = 2.005;
    n.fees = 5.004;
    n.slippage = 5.004;
    shown.result.comparison.costSaved = n.fees + n.slippage - (t.fees + t.slippage);
    expect(shown.compare?.[0]?.result).toBe(shown.result);
    const text = await renderBacktest(shown);
    expect(text).toMatch(/│ fees\s+│ \$1\.01\s+│ \$5\.00\s+│/);
    expect(text).toMatch(/│ slippage\s+│ \$2\.01\s+│ \$5\.00\s+│/);
    expect(text).toMatch(/│ fees \+ slippage\s+│ \$3\.02\s+│/);
    expect(text).toContain("$6.98 saved in fees + slippage");
  });

  it("a P&L, its return and funding are written as status writes a P&L: signed (+$12.35, +1.23%), in its table and --compare's", async () => {
    const report = await runBacktestCommand({
      width: WHOLE,
      fillsFile,
      fundingFile,
      compare: "modes",
      equity: "5000",
      settings: defaultSettings(),
      json: true,
      out: sink(),
      err: sink(),
    });
    const shown = structuredClone(report);
    const r = shown.result;
    r.targetState.pnl = 12.345;
    r.targetState.returnPct = 1.2345;
    r.targetState.funding = 0.5;
    r.naive.pnl = 10;
    r.naive.returnPct = 1;
    r.naive.funding = 0.25;
    r.leader.scaledPnl = 15.5;
    r.leader.funding = 2;
    for (const c of shown.compare ?? []) {
      c.result.targetState.pnl = 12.345;
      c.result.targetState.returnPct = 1.2345;
    }
    const text = await renderBacktest(shown);
    // It read $12.35 and 1.23% — a gain written as status, report and the dashboard never write one.
    expect(text).toMatch(/│ P&L\s+│ \+\$12\.35\s+│ \+\$10\.00\s+│/);
    expect(text).toMatch(/│ ROI\s+│ \+1\.23%\s+│ \+1\.00%\s+│/);
    expect(text).toMatch(/│ leader P&L × ratio\s+│ \+\$15\.50\s+│ \+\$15\.50\s+│/);
    expect(text).toMatch(/│ funding\s+│ \+\$0\.50\s+│ \+\$0\.25\s+│/);
    expect(text).toContain("funding +$2.00");
    // The side-by-side table's P&L and return too.
    expect(text).toMatch(/│ P&L\s+│ \+\$12\.35\s+│ \+\$12\.35\s+│/);
    expect(text).toMatch(/│ ROI\s+│ \+1\.23%\s+│ \+1\.23%\s+│/);
  });

  it("funding not replayed is shown as unknown, not as $0.00; replayed with none in the window, as $0.00", async () => {
    const run = async (funding?: string) => {
      const out = sink();
      const report = await runBacktestCommand({
        width: WHOLE,
        fillsFile,
        ...(funding ? { fundingFile: funding } : {}),
        equity: "5000",
        settings: defaultSettings(),
        json: false,
        out,
        err: sink(),
      });
      return { report, text: out.text() };
    };
    const without = await run();
    expect(without.report.funding).toEqual({ rates: 0, source: "none" });
    expect(without.text).toMatch(/│ funding\s+│ -\s+│ -\s+│/);
    expect(without.text).toContain("funding - (not replayed: no funding rates; pass --funding FILE)");
    const none = join(dir, "no-funding.json");
    writeFileSync(none, "[]");
    const empty = await run(none);
    expect(empty.report.funding).toEqual({ rates: 0, source: "file" });
    expect(empty.text).toMatch(/│ funding\s+│ \$0\.00\s+│ \$0\.00\s+│/);
    expect(empty.text).toContain("funding $0.00 (no funding time in the window)");
    const withRates = await run(fundingFile);
    expect(withRates.text).not.toMatch(/│ funding\s+│ -/);
    expect(withRates.text).not.toContain("not replayed");
  });

  it("bad --compare or --funding: a usage error", async () => {
    const base = defaultSettings();
    expect(() => parseCompare("martingale", base)).toThrow(/invalid --compare column "martingale"/);
    expect(() => parseCompare("alert-format=slack", base)).toThrow(/invalid --compare column/);
    expect(() => parseCompare("copy-delay-minutes=-1", base)).toThrow(/exec.copyDelayMinutes/);
    expect(parseCompare("fixed-notional,equity-ratio", base).map((c) => c.label)).toEqual([
      "fixed-notional",
      "equity-ratio",
    ]);
    const [delayed, passiveKelly] = parseCompare("copy-delay-minutes=5,kelly+entry=passive", base);
    expect(delayed?.settings.exec.copyDelayMinutes).toBe(5);
    expect(delayed?.overrides).toEqual({ "exec.copyDelayMinutes": "5" });
    expect(passiveKelly?.settings.sizing.mode).toBe("kelly");
    expect(passiveKelly?.settings.exec.entry).toBe("passive");
    expect(base.exec.entry).toBe("ioc"); // the base is never changed
    // A sizing mode is a word, as --mode's value is: Kelly is kelly (labelled so); Modes is modes.
    const [kelly] = parseCompare("Kelly+entry=passive", base);
    expect(kelly?.settings.sizing.mode).toBe("kelly");
    expect(kelly?.label).toBe("kelly+entry=passive");
    expect(parseCompare("Modes", base).map((c) => c.label)).toEqual(
      parseCompare("modes", base).map((c) => c.label),
    );
    const bad = join(dir, "bad-funding.json");
    writeFileSync(bad, "[1,2]");
    await expect(
      runBacktestCommand({
        width: WHOLE,
        fillsFile,
        fundingFile: bad,
        settings: defaultSettings(),
        json: false,
        out: sink(),
        err: sink(),
      }),
    ).rejects.toThrow(UsageError);
  });
});

describe("backtest of an address: funding rates fetched from the exchange (simulator)", () => {
  it("asks fundingHistory for each coin traded and replays the rates", async () => {
    const { startSim } = await import("../../src/sim/index.js");
    const { startScriptedLeader } = await import("../../src/sim/leader.js");
    const { createLeaderSource } = await import("../../src/cli/analytics/source.js");
    const sim = await startSim({ seed: 41, tickMs: 0, fundingIntervalMs: 40 });
    try {
      const leader = await startScriptedLeader({
        httpUrl: sim.httpUrl,
        seed: 4101,
        ratePerSec: 20,
        maxTrades: 16,
        coins: ["BTC", "ETH"],
      });
      await leader.done;
      const before = sim.control.stats().infoByType.fundingHistory ?? 0;
      const report = await runBacktestCommand({
        width: WHOLE,
        address: leader.address,
        days: 1,
        equity: "5000",
        settings: defaultSettings(),
        json: true,
        source: createLeaderSource({ httpUrl: sim.httpUrl, wsUrl: sim.wsUrl, isTestnet: false }),
        out: sink(),
        err: sink(),
      });
      const traded = (await createLeaderSource({
        httpUrl: sim.httpUrl,
        wsUrl: sim.wsUrl,
        isTestnet: false,
      }).getFillsByTime(leader.address, 0)) as { coin: string }[];
      const coins = new Set(traded.map((f) => f.coin));
      expect(coins.size).toBeGreaterThan(0);
      expect(sim.control.stats().infoByType.fundingHistory).toBe(before + coins.size);
      expect(report.funding.source).toBe("exchange");
      expect(report.funding.rates).toBeGreaterThan(0);
    } finally {
      await sim.close();
    }
  }, 30_000);
});

describe("backtest of an address given a file the exchange would answer", () => {
  it("--funding FILE beside an address: the file's rates, none fetched, and said", async () => {
    const dir = tempDir("hlcopy-bt-funding-file-");
    const fundingFile = join(dir, "funding.json");
    writeFileSync(fundingFile, JSON.stringify(cassette("fundingHistory")));
    const base = cassetteSource();
    const fills = (await base.getFillsByTime("0x5e9ee1089755c3435139848e47e6635505d5a13a", 0)) as {
      time: number;
    }[];
    const fetched: string[] = [];
    const err = sink();
    const report = await runBacktestCommand({
      addresses: ["0x5e9ee1089755c3435139848e47e6635505d5a13a"],
      now: Math.max(...fills.map((f) => f.time)) + DAY,
      fundingFile,
      settings: defaultSettings(),
      source: cassetteSource({
        getFundingHistory: async (coin: string) => {
          fetched.push(coin);
          return [];
        },
      }),
      json: true,
      out: sink(),
      err,
    });
    expect(report.funding.source).toBe("file");
    expect(fetched).toEqual([]);
    expect(err.text()).toContain(`note: ${fundingFile} is used in place of the exchange's funding rates\n`);
  });
});
