import { describe, expect, it } from "vitest";
import { PositionTracker, rebuildHistory, sortFills } from "../../src/analytics/fills.js";
import {
  DEFAULT_FRICTION,
  expectedSlippageBps,
  fillAgainstBook,
  ZERO_FRICTION,
} from "../../src/analytics/friction.js";
import { inferSzDecimals } from "../../src/analytics/markets.js";
import { SYNTHETIC_META, syntheticFills, toWireFill } from "../../src/analytics/synthetic.js";
import {
  parseClearinghouseState,
  parseFills,
  parseFillsJson,
  parseFunding,
  parseMeta,
  parsePortfolio,
} from "../../src/analytics/wire.js";
import { UsageError } from "../../src/core/errors.js";
import { cassette, loadTrace, T0, trades } from "./helpers.js";

describe("parsing the info responses", () => {
  it("reads the cassettes: fills, funding, portfolio, clearinghouseState, meta", () => {
    const fills = loadTrace();
    expect(fills).toHaveLength(500);
    expect(fills[0]).toEqual({
      coin: "SUI",
      px: 1.3189,
      sz: 142.7,
      side: "A",
      time: 1683245884863,
      startPosition: 4623.5,
      dir: "Close Long",
      closedPnl: -0.25686,
      fee: 0,
      hash: "0x3d4770d0527317ef77c404017559cb0103000b34010cc95e97b437cbc3b6087a",
      oid: 189324432,
      crossed: true,
    });
    expect(parseFills(cassette("userFillsByTime"))).toEqual(fills);
    const funding = parseFunding(cassette("userFunding"));
    expect(funding[0]).toEqual({
      time: 1681948800000,
      coin: "APE",
      usdc: 0.145796,
      szi: 40.13333333,
      fundingRate: -0.00029319,
    });
    const portfolio = parsePortfolio(cassette("portfolio"));
    expect(Object.keys(portfolio)).toContain("allTime");
    expect(portfolio.day?.accountValueHistory[0]).toEqual([1755772320063, Number("160794563.9261809886")]);
    const state = parseClearinghouseState(cassette("clearinghouseState"));
    expect(state.accountValue).toBeCloseTo(1182.312496, 6);
    expect(state.positions).toHaveLength(12);
    expect(state.positions[0]).toMatchObject({ coin: "BTC", szi: -0.00785, entryPx: 26951, leverage: 20 });
    const meta = parseMeta(cassette("meta"));
    expect(meta[0]).toEqual({ name: "BTC", szDecimals: 5, maxLeverage: 50, assetId: 0 });
  });

  it("accepts the adapter's normalized fills (numbers, side buy/sell)", () => {
    const [f] = parseFills([
      {
        coin: "ETH",
        px: 2000,
        sz: 1.5,
        side: "sell",
        time: 5,
        startPosition: 0,
        tid: 9,
        liquidation: false,
        cloid: null,
      },
    ]);
    expect(f).toMatchObject({ side: "A", tid: 9, dir: "", closedPnl: 0, fee: 0 });
    expect(f?.liquidation).toBeUndefined();
  });

  it("garbage is a UsageError naming the fill and field, with a hint", () => {
    const bad = (text: string) => {
      try {
        parseFillsJson(text, "f.json");
      } catch (error) {
        expect(error).toBeInstanceOf(UsageError);
        return `${(error as UsageError).message} | ${(error as UsageError).hint}`;
      }
      throw new Error("no error");
    };
    expect(bad("{not json")).toMatch(
      /^f\.json is not a valid fills file \(not JSON: .*\) \| expected a JSON array/,
    );
    expect(bad('{"a": 1}')).toContain("(not an array of fills)");
    expect(bad('[{"coin":"BTC","px":"abc","sz":"1","side":"B","time":1,"startPosition":"0"}]')).toContain(
      "fill #0.px",
    );
    expect(bad('[{"coin":"BTC","px":"1","sz":"1","side":"X","time":1,"startPosition":"0"}]')).toContain(
      "fill #0.side",
    );
  });
});

describe("replay order and the position tracker", () => {
  it("sorts by time, keeping file order (or tid) within a millisecond", () => {
    const a = { ...trades([["BTC", 1, 100, 2]])[0], hash: "a" } as ReturnType<typeof trades>[number];
    const b = { ...a, time: 1, hash: "b" };
    const c = { ...a, time: 2, hash: "c" };
    expect(sortFills([a, b, c]).map((f) => f.hash)).toEqual(["b", "a", "c"]);
    expect(
      sortFills([
        { ...a, tid: 7 },
        { ...c, tid: 3 },
      ]).map((f) => f.hash),
    ).toEqual(["c", "a"]);
  });

  it("a self-cross (both fills report the position before the pair) is not a mismatch", () => {
    const t = new PositionTracker();
    const base = { coin: "SUI", px: 1, time: 10, dir: "", closedPnl: 0, fee: 0, hash: "h", oid: 1 };
    t.apply({ ...base, side: "A", sz: 5, startPosition: -10, time: 9 });
    expect(t.apply({ ...base, side: "B", sz: 2, startPosition: -15 }).after).toBe(-13);
    expect(t.apply({ ...base, side: "A", sz: 2, startPosition: -15 }).after).toBe(-15);
    expect(t.apply({ ...base, side: "B", sz: 1, startPosition: -15 }).after).toBe(-14);
    expect(t.mismatches).toEqual([]);
    // A missing fill: the exchange's startPosition wins and the mismatch is recorded.
    const r = t.apply({ ...base, time: 11, side: "B", sz: 1, startPosition: -20 });
    expect(r).toEqual({ before: -20, after: -19, resynced: true });
    expect(t.mismatches).toHaveLength(1);
  });

  it("groups one order's fills into a trade", () => {
    const base = {
      coin: "ETH",
      side: "B" as const,
      time: T0,
      dir: "",
      closedPnl: 0,
      fee: 0.1,
      hash: "h",
      oid: 42,
    };
    const h = rebuildHistory([
      { ...base, px: 100, sz: 1, startPosition: 0 },
      { ...base, px: 101, sz: 2, startPosition: 1 },
      { ...base, oid: 43, side: "A", px: 102, sz: 1, startPosition: 3, time: T0 + 1 },
    ]);
    expect(h.trades.map((t) => [t.oid, t.sz, t.notional, t.before, t.after, t.fills])).toEqual([
      [42, 3, 302, 0, 3, 2],
      [43, 1, 102, 3, 2, 1],
    ]);
  });
});

describe("friction model", () => {
  it("slippage grows with size against a linear book; the IOC limit caps the fill", () => {
    expect(expectedSlippageBps(DEFAULT_FRICTION, "BTC", 0)).toBe(1);
    expect(expectedSlippageBps(DEFAULT_FRICTION, "BTC", 100_000)).toBe(2);
    const f = fillAgainstBook(DEFAULT_FRICTION, "BTC", "buy", 1, 100_000, 100_300); // $100k, 30 bps limit
    expect(f.size).toBe(1);
    expect(f.avgPx).toBeCloseTo(100_000 * (1 + 2 / 1e4), 6);
    // $3M would walk 61 bps; the 30 bps limit stops it at (30 − 1) × $50k = $1.45M.
    const big = fillAgainstBook(DEFAULT_FRICTION, "BTC", "sell", 30, 100_000, 99_700);
    expect(big.size).toBeCloseTo(14.5, 9);
    expect(big.avgPx).toBeCloseTo(100_000 * (1 - (1 + 14.5) / 1e4), 6);
    expect(fillAgainstBook(ZERO_FRICTION, "BTC", "buy", 3, 100, 100)).toEqual({ size: 3, avgPx: 100 });
    expect(fillAgainstBook(DEFAULT_FRICTION, "BTC", "buy", 3, 100, 100).size).toBe(0); // limit inside the spread
    const perCoin = { ...DEFAULT_FRICTION, perCoin: { DOGE: { halfSpreadBps: 5 } } };
    expect(expectedSlippageBps(perCoin, "DOGE", 0)).toBe(5);
  });
});

describe("synthetic fills", () => {
  it("are deterministic, consistent with startPosition, and round-trip the wire shape", () => {
    const a = syntheticFills({ fills: 3000, seed: 7 });
    expect(syntheticFills({ fills: 3000, seed: 7 })).toEqual(a);
    expect(a).toHaveLength(3000);
    expect(rebuildHistory(a).mismatches).toEqual([]);
    expect(parseFills(a.map(toWireFill))).toEqual(a);
    const decimals = inferSzDecimals(a);
    for (const m of SYNTHETIC_META)
      if (decimals[m.name] !== undefined) expect(decimals[m.name]).toBeGreaterThanOrEqual(m.szDecimals);
  });
});

describe("szDecimals without a meta", () => {
  it("matches the exchange's lots on the real trace; round sizes still get a lot worth ≤ ~$1", () => {
    const inferred = inferSzDecimals(loadTrace());
    const meta = new Map(parseMeta(cassette("meta")).map((m) => [m.name, m.szDecimals]));
    expect(Object.entries(inferred).filter(([coin, d]) => meta.get(coin) !== d)).toEqual([]);
    expect(
      inferSzDecimals(
        trades([
          ["ETH", 100, 1850, T0],
          ["DOGE", 1000, 0.08, T0],
        ]),
      ),
    ).toEqual({ ETH: 4, DOGE: 0 });
  });
});
