import { describe, expect, it } from "vitest";
import { rebuildHistory, sortFills } from "../../src/analytics/fills.js";
import { classifyStyle, computeMetrics, formatDuration, maxDrawdown } from "../../src/analytics/metrics.js";
import { DAY, HOUR, loadTrace, T0, trades } from "./helpers.js";

// Three round trips: BTC +10 (1h), ETH −10 (3h), SOL +20 (1h).
const ROUND_TRIPS: [string, number, number, number][] = [
  ["BTC", 1, 100, T0],
  ["BTC", -1, 110, T0 + HOUR],
  ["ETH", -2, 50, T0 + 2 * HOUR],
  ["ETH", 2, 55, T0 + 5 * HOUR],
  ["SOL", 10, 10, T0 + 6 * HOUR],
  ["SOL", -10, 12, T0 + 7 * HOUR],
];
const WINDOW = { start: T0, end: T0 + DAY };

describe("metrics on hand-built fills", () => {
  it("PnL, volume, edge, win rate and profit factor", () => {
    const m = computeMetrics({ fills: trades(ROUND_TRIPS), window: WINDOW });
    expect(m.pnl).toEqual({ realized: 20, funding: 0, fees: 0, net: 20 });
    expect(m.volume).toBe(640);
    expect(m.edgeBps).toBeCloseTo((20 / 640) * 1e4, 9);
    expect(m.counts).toEqual({ fills: 6, trades: 6, closingTrades: 3, episodes: 3, closedEpisodes: 3 });
    expect(m.winRate).toBeCloseTo(2 / 3, 12);
    expect(m.profitFactor).toBeCloseTo(3, 12);
    expect(m.episodeWinRate).toBeCloseTo(2 / 3, 12);
    expect(m.tradesPerDay).toBe(6);
    // Orders (an order's fills once) per day over the window: a day of it, so a rate.
    expect(m.ordersPerDay).toBe(6);
  });

  it("fees count against every trade and episode", () => {
    const m = computeMetrics({ fills: trades(ROUND_TRIPS, 0.001), window: WINDOW });
    expect(m.pnl.fees).toBeCloseTo(0.64, 12);
    expect(m.pnl.net).toBeCloseTo(19.36, 12);
    // Closing trades net of their own fee: 9.89, −10.11, 19.88.
    expect(m.profitFactor).toBeCloseTo((9.89 + 19.88) / 10.11, 12);
    expect(m.winRate).toBeCloseTo(2 / 3, 12);
  });

  it("holding time per position episode, histogram and style", () => {
    const m = computeMetrics({ fills: trades(ROUND_TRIPS), window: WINDOW });
    expect(m.holding.medianMs).toBe(HOUR);
    expect(m.holding.meanMs).toBeCloseTo((5 / 3) * HOUR, 6);
    expect(m.holding.openAtStart).toBe(0);
    expect(m.holding.openAtEnd).toBe(0);
    expect(m.holding.histogram.find((b) => b.label === "1-4h")?.count).toBe(3);
    expect(m.style.style).toBe("intraday");
    expect(m.style.reason).toContain("median hold 1.0h");
  });

  it("max drawdown from the realized curve; in percent once equity is known", () => {
    const alone = computeMetrics({ fills: trades(ROUND_TRIPS), window: WINDOW });
    expect(alone.drawdown).toEqual({ maxUsd: 10, maxPct: null, source: "fills" });
    const withState = computeMetrics({
      fills: trades(ROUND_TRIPS),
      window: WINDOW,
      state: { accountValue: 1000, totalNtlPos: 0, positions: [], time: null },
    });
    // Peak at +10 when equity was 1000 − (20 − 10) = 990.
    expect(withState.drawdown.maxPct).toBeCloseTo((10 / 990) * 100, 9);
    expect(withState.equity).toBe(1000);
  });

  it("max drawdown from the portfolio over the window only, not the whole period it is read from", () => {
    // A 10-day window reads the portfolio's month: a $5,000 fall 20 days before the window,
    // then in the window a fall of $300 from a peak of $100,500 (equity $100,000 + P&L).
    const start = T0 + 20 * DAY;
    const points: [number, number][] = [
      [T0, 0],
      [T0 + 5 * DAY, 4_000],
      [T0 + 8 * DAY, -1_000], // the month's fall: 5,000, before the window
      [T0 + 19 * DAY, 0], // the last point before the window: its start
      [start + 2 * DAY, 500],
      [start + 4 * DAY, 200], // the window's fall: 300
      [start + 9 * DAY, 400],
    ];
    const month = {
      pnlHistory: points,
      accountValueHistory: points.map(([t, pnl]): [number, number] => [t, 100_000 + pnl]),
      vlm: 0,
    };
    const m = computeMetrics({
      fills: trades([
        ["ETH", 1, 100, start + DAY],
        ["ETH", -1, 101, start + 3 * DAY],
      ]),
      window: { start, end: start + 10 * DAY },
      portfolio: { month },
    });
    expect(m.drawdown.source).toBe("portfolio");
    expect(m.drawdown.maxUsd).toBe(300);
    expect(m.drawdown.maxPct).toBeCloseTo((300 / 100_500) * 100, 9);
  });

  it("leverage over the window from rebuilt positions and equity", () => {
    const m = computeMetrics({
      fills: trades(ROUND_TRIPS),
      window: WINDOW,
      state: { accountValue: 1000, totalNtlPos: 0, positions: [], time: null },
    });
    expect(m.leverage?.current).toBe(0);
    // Largest: $100 of BTC (or SOL) while equity was 980.
    expect(m.leverage?.max).toBeCloseTo(100 / 980, 9);
  });

  it("coin mix and long/short mix", () => {
    const m = computeMetrics({ fills: trades(ROUND_TRIPS), window: WINDOW });
    expect(m.coins.map((c) => [c.coin, c.volume, c.pnl])).toEqual([
      ["SOL", 220, 20],
      ["BTC", 210, 10],
      ["ETH", 210, -10],
    ]);
    expect(m.coins[0]?.share).toBeCloseTo(220 / 640, 12);
    expect(m.longShort).toEqual({ longVolume: 200, shortVolume: 100, longShare: 2 / 3 });
  });

  it("a flip splits: the close realizes, the rest opens the other side", () => {
    const fills = trades([
      ["ETH", 1, 100, T0],
      ["ETH", -3, 110, T0 + HOUR], // close 1 (+10), open short 2
      ["ETH", 2, 100, T0 + 3 * HOUR], // close short (+20)
    ]);
    const h = rebuildHistory(fills);
    expect(h.episodes.map((e) => [e.side, e.openTime, e.closeTime, e.pnl])).toEqual([
      ["long", T0, T0 + HOUR, 10],
      ["short", T0 + HOUR, T0 + 3 * HOUR, 20],
    ]);
    const m = computeMetrics({ fills, window: WINDOW });
    expect(m.longShort.longVolume).toBe(100);
    expect(m.longShort.shortVolume).toBe(220);
  });

  it("Sharpe-like ratio on daily PnL over 7+ days, quiet days and funding included", () => {
    const fills = trades([
      ["BTC", 1, 100, T0],
      ["BTC", -1, 110, T0 + HOUR], // day 0: +10
      ["ETH", 1, 100, T0 + DAY],
      ["ETH", -1, 95, T0 + DAY + HOUR], // day 1: −5
      ["SOL", 1, 100, T0 + 2 * DAY],
      ["SOL", -1, 120, T0 + 2 * DAY + HOUR], // day 2: +20
    ]);
    const window = { start: T0, end: T0 + 7 * DAY - 1 };
    const m = computeMetrics({ fills, window });
    expect(m.daily.map((d) => d.pnl)).toEqual([10, -5, 20, 0, 0, 0, 0]);
    const sharpe = (xs: number[]) => {
      const mu = xs.reduce((a, b) => a + b, 0) / xs.length;
      const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mu) ** 2, 0) / (xs.length - 1));
      return (mu / sd) * Math.sqrt(365);
    };
    expect(m.sharpe).toBeCloseTo(sharpe([10, -5, 20, 0, 0, 0, 0]), 9);
    const funded = computeMetrics({
      fills,
      window,
      funding: [
        { time: T0 + DAY + 2 * HOUR, coin: "ETH", usdc: 5, szi: 1, fundingRate: 0.0001 },
        { time: T0 - DAY, coin: "ETH", usdc: 99, szi: 1, fundingRate: 0.0001 }, // outside the window
      ],
    });
    expect(funded.pnl.funding).toBe(5);
    expect(funded.daily.map((d) => d.pnl).slice(0, 3)).toEqual([10, 0, 20]);
    expect(funded.coins.find((c) => c.coin === "ETH")?.pnl).toBe(0);
    // Returns on equity once the account value is known: day PnL / equity at the day's start.
    const withState = computeMetrics({
      fills,
      window,
      state: { accountValue: 1025, totalNtlPos: 0, positions: [], time: null },
    });
    expect(withState.sharpe).toBeCloseTo(sharpe([10 / 1000, -5 / 1010, 20 / 1005, 0, 0, 0, 0]), 9);
    expect(computeMetrics({ fills, window: { start: T0, end: T0 + 6 * DAY - 1 } }).sharpe).toBeNull();
  });

  it("no fills: zeros and nulls, no throw", () => {
    const m = computeMetrics({ fills: [], window: WINDOW });
    expect(m.counts.fills).toBe(0);
    expect(m.winRate).toBeNull();
    expect(m.profitFactor).toBeNull();
    expect(m.edgeBps).toBeNull();
    expect(m.style.style).toBe("unknown");
  });
});

describe("style classification thresholds", () => {
  const at = (medianHoldMs: number | null, tradesPerDay = 5, turnoverMs: number | null = null) =>
    classifyStyle({ medianHoldMs, turnoverMs, tradesPerDay }).style;
  it("by median holding time, then trades per day", () => {
    expect(at(14 * 60_000)).toBe("high-frequency");
    expect(at(15 * 60_000)).toBe("intraday");
    expect(at(DAY - 1)).toBe("intraday");
    expect(at(DAY)).toBe("swing");
    expect(at(7 * DAY - 1)).toBe("swing");
    expect(at(7 * DAY)).toBe("position");
    expect(at(30 * DAY, 100)).toBe("high-frequency");
    expect(at(null, 5, 2 * DAY)).toBe("swing"); // falls back to inventory turnover
    expect(at(null, 5, null)).toBe("unknown");
  });
  it("formats durations", () => {
    expect(formatDuration(1500)).toBe("1.5s");
    expect(formatDuration(90_000)).toBe("1.5m");
    expect(formatDuration(1.5 * HOUR)).toBe("1.5h");
    expect(formatDuration(2 * DAY)).toBe("2.0d");
  });
  it("max drawdown of a series", () => {
    expect(maxDrawdown([0, 5, 3, 8, 2, 4])).toEqual({ drop: 6, peak: 8, index: 4 });
    expect(maxDrawdown([1, 2, 3]).drop).toBe(0);
  });
});

describe("the real 500-fill trace (0xb7b6…17b2, 2023-05-05)", () => {
  const fills = loadTrace();
  const m = computeMetrics({ fills });

  it("replays in file order within a millisecond: one tracker mismatch, the cut-off pair", () => {
    const h = rebuildHistory(fills);
    expect(h.mismatches).toEqual([
      { coin: "SUI", time: 1683245556146, expected: -1734.8, reported: -1839.2 },
    ]);
    // Reversing ties (newest-first order kept) breaks the chain of ETH order 189324110.
    const eth = sortFills(fills).filter((f) => f.oid === 189324110);
    expect(eth.map((f) => f.startPosition)).toEqual([
      -11.7891, -11.7203, -9.3199, -6.7629, -4.6692, -3.1127, -0.9962,
    ]);
    expect(h.final.ETH).toBe(0);
    expect(h.initial).toMatchObject({ SUI: -1839.2, BTC: 0.07625, ETH: -12.0879 });
  });

  it("pins the figures", () => {
    expect(m.counts).toEqual({
      fills: 500,
      trades: 454,
      closingTrades: 243,
      episodes: 37,
      closedEpisodes: 37,
    });
    expect(m.pnl.realized).toBeCloseTo(-152.586132, 6);
    expect(m.pnl.fees).toBe(0);
    expect(m.volume).toBeCloseTo(229031.090328, 6);
    expect(m.edgeBps).toBeCloseTo(-6.66225, 4);
    expect(m.winRate).toBeCloseTo(115 / 243, 12);
    expect(m.profitFactor).toBeCloseTo(0.131376, 6);
    expect(m.drawdown.maxUsd).toBeCloseTo(166.408464, 6);
    expect(m.holding.medianMs).toBe(17649.5);
    expect(m.holding.meanMs).toBe(43983);
    expect(m.holding.openAtStart).toBe(15);
    expect(m.longShort.longShare).toBeCloseTo(0.478449, 6);
    expect(m.coins[0]).toMatchObject({ coin: "SUI", fills: 242, trades: 226 });
    expect(m.style.style).toBe("high-frequency");
    expect(m.tracker.mismatches).toBe(1);
  });
});
