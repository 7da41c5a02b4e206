// Issue 21's sizing modes (risk-parity, kelly, risk-per-trade) and entry rules (trading
// hours, minimum order, passive entries, copy-delay notes) in the one planner, on clean
// numbers: our equity 10 000, the leader's 100 000 (equity ratio 0.1).

import { describe, expect, it } from "vitest";
import { closingOutcomes, edgeOf, kellyHistoryRefusal, type LeaderEdge } from "../../src/core/kelly.js";
import { checkSizingSettings } from "../../src/core/sizing.js";
import type { Markets, Plan } from "../../src/core/types.js";
import { account, LEADER, leader, market, plan, settingsWith } from "./planner-fixtures.js";

const M: Markets = {
  BTC: market("BTC", 30_000, 5, { bestBid: 29_999, bestAsk: 30_001 }),
  ETH: market("ETH", 2_000, 4),
};
const skipOf = (p: Plan, coin: string) => p.skipped.filter((s) => s.coin === coin);
const summary = (p: Plan) =>
  p.actions.map((a) => `${a.coin} ${a.side} ${a.size} ${a.reason}${a.reduceOnly ? " ro" : ""}`);
const edge = (winRate: number, payoff: number, closingTrades = 40): LeaderEdge => ({
  closingTrades,
  winRate,
  payoff,
  kelly: winRate - (1 - winRate) / payoff,
});
const key = LEADER.toLowerCase();

describe("risk-parity", () => {
  const s = settingsWith({ sizing: { mode: "risk-parity", targetVolPct: 15 } });

  it("scales the leader's allocation by target / volatility: a volatile coin gets a smaller copy", () => {
    // Leader: BTC 1 × 30 000 = 30 % of its equity. BTC vol 60 % → ×0.25 → 7.5 % of ours = $750.
    const p = plan({
      markets: M,
      leader: leader({ BTC: 1, ETH: 5 }),
      settings: s,
      sizingInputs: { volatility: { BTC: 0.6, ETH: 0.1 } },
    });
    // ETH: 10 % of its equity, vol 10 % → ×1.5 → 15 % of ours = $1 500 = 0.75 ETH.
    expect(summary(p)).toEqual(["BTC buy 0.025 open", "ETH buy 0.75 open"]);
    // The leader's ratio is what its coins come to together: $2 250 of ours for its $40 000.
    expect(p.leaderRatios?.[LEADER]).toBeCloseTo(2_250 / 40_000, 12);
    const btc = p.targets.find((t) => t.coin === "BTC");
    expect(btc?.sizing?.mode).toBe("risk-parity");
    expect(btc?.sizing?.inputs.volPct).toBeCloseTo(60);
    expect(btc?.sizing?.inputs.factor).toBeCloseTo(0.25);
    expect(btc?.sizing?.inputs.leaderAllocPct).toBeCloseTo(30);
    expect(btc?.sizing?.detail).toMatch(
      /30% of its equity × 15% \/ 60% vol \(×0\.25\) → 7\.5% of our \$10,000\.00/,
    );
  });

  it("leaves a coin alone while its volatility is unknown, but follows the leader's close", () => {
    const unknown = plan({
      markets: M,
      leader: leader({ BTC: 1 }),
      ours: account({ BTC: 0.05 }),
      settings: s,
      sizingInputs: { volatility: {} },
    });
    expect(unknown.actions).toEqual([]);
    expect(skipOf(unknown, "BTC").map((x) => x.reason)).toEqual(["sizing-input-missing"]);
    expect(unknown.inSync).toBe(false);
    const closed = plan({ markets: M, leader: leader({}), ours: account({ BTC: 0.05 }), settings: s });
    expect(summary(closed)).toEqual(["BTC sell 0.05 close ro"]);
  });
});

describe("kelly", () => {
  const s = (fraction = 0.5) => settingsWith({ sizing: { mode: "kelly", kellyFraction: fraction } });

  it("copies the leader's allocation × fraction × (W − (1 − W) / R)", () => {
    // W 0.6, R 2 → K = 0.6 − 0.4 / 2 = 0.4; half-Kelly 0.2 of the equity ratio 0.1 → 0.02.
    const p = plan({
      markets: M,
      leader: leader({ BTC: 1 }),
      settings: s(),
      sizingInputs: { edge: { [key]: edge(0.6, 2) } },
    });
    expect(summary(p)).toEqual(["BTC buy 0.02 open"]);
    expect(p.leaderRatios?.[LEADER]).toBeCloseTo(0.02);
    const quarter = plan({
      markets: M,
      leader: leader({ BTC: 1 }),
      settings: s(0.25),
      sizingInputs: { edge: { [key]: edge(0.6, 2) } },
    });
    expect(summary(quarter)).toEqual(["BTC buy 0.01 open"]);
    expect(p.targets[0]?.sizing?.detail).toMatch(/W 60% R 2 over 40 closing trades → K 0\.4 × 0\.5 = 0\.2/);
  });

  it("does not copy a leader with a negative edge (negative-edge), and closes what it copied", () => {
    const negative = { edge: { [key]: edge(0.3, 1) } }; // K = 0.3 − 0.7 = −0.4
    const flat = plan({ markets: M, leader: leader({ BTC: 1 }), settings: s(), sizingInputs: negative });
    expect(flat.actions).toEqual([]);
    expect(skipOf(flat, "BTC")[0]?.reason).toBe("negative-edge");
    expect(skipOf(flat, "BTC")[0]?.detail).toMatch(/negative edge: Kelly -0\.400 ≤ 0/);
    expect(flat.inSync).toBe(true);
    const held = plan({
      markets: M,
      leader: leader({ BTC: 1 }),
      ours: account({ BTC: 0.02 }),
      settings: s(),
      sizingInputs: negative,
    });
    expect(summary(held)).toEqual(["BTC sell 0.02 negative-edge ro"]);
  });

  it("needs 10 closing trades before it trusts an edge, and the edge before it sizes at all", () => {
    const few = plan({
      markets: M,
      leader: leader({ BTC: 1 }),
      settings: s(),
      sizingInputs: { edge: { [key]: edge(0.9, 3, 4) } },
    });
    expect(skipOf(few, "BTC")[0]?.detail).toMatch(/edge unknown: 4 closing trade\(s\)/);
    const none = plan({ markets: M, leader: leader({ BTC: 1 }), settings: s() });
    expect(skipOf(none, "BTC")[0]?.reason).toBe("sizing-input-missing");
  });

  it("W and R come from closing orders as inspect counts them (fills of one oid are one trade)", () => {
    const f = (oid: number, closedPnl: number, fee = 0, time = oid) => ({
      coin: "BTC",
      oid,
      side: "A" as const,
      time,
      closedPnl,
      fee,
    });
    // Order 1: two fills (+30, +20 − fee 2) = one win of 48; order 2: −25; order 3: opening (no PnL).
    const outcomes = closingOutcomes([f(1, 30, 1, 1), f(1, 20, 1, 2), f(2, -25, 0, 3), f(3, 0, 1, 4)]);
    expect(outcomes).toEqual([48, -25]);
    const e = edgeOf([48, -25, 10, -5]);
    expect(e.winRate).toBe(0.5);
    expect(e.payoff).toBeCloseTo(29 / 15);
    expect(e.kelly).toBeCloseTo(0.5 - 0.5 / (29 / 15));
    expect(edgeOf([5, 5]).kelly).toBe(1); // no loss: K = W
    expect(edgeOf([-1]).kelly).toBe(-1);
  });

  it("the start refuses a leader with fewer than 10 closing trades: count, need and way forward", () => {
    const A = "0x00000000000000000000000000000000000000aa";
    const B = "0x00000000000000000000000000000000000000bb";
    expect(kellyHistoryRefusal([{ address: A, edge: edge(0.6, 2, 10) }], 30)).toBeNull();
    const one = kellyHistoryRefusal([{ address: A, edge: edgeOf([]) }], 30);
    expect(one?.exitCode).toBe(2);
    expect(one?.message).toBe(
      `sizing mode kelly sizes from at least 10 of the leader's closing trades, but ${A} has 0 closing trades in the last 30 days: it would copy nothing`,
    );
    expect(one?.hint).toBe(
      "choose another --mode (equity-ratio sizes by equity alone), look further back (--kelly-lookback-days, now 30), or wait until it has closed 10 trades",
    );
    // Two leaders, both short: both named; the longest lookback offers no further one.
    const both = kellyHistoryRefusal(
      [
        { address: A, edge: edge(1, 1, 1) },
        { address: B, edge: edge(0.5, 1, 9) },
      ],
      365,
    );
    expect(both?.message).toMatch(
      new RegExp(`but ${A} has 1 and ${B} has 9 in the last 365 days: nothing of them`),
    );
    expect(both?.hint).not.toMatch(/lookback/);
    expect(both?.hint).not.toMatch(/follow only/);
  });
});

describe("risk-per-trade", () => {
  const s = settingsWith({ sizing: { mode: "risk-per-trade", riskPct: 1 }, risk: { stopLossPct: 5 } });

  it("sizes each position so its stop loses riskPct % of equity, whatever the leader's size", () => {
    // 1 % of 10 000 = $100 at a 5 % stop → $2 000 → 0.06666 BTC at 30 000 (toward zero), 1 ETH.
    const p = plan({ markets: M, leader: leader({ BTC: 0.001, ETH: -400 }), settings: s });
    expect(summary(p)).toEqual(["BTC buy 0.06666 open", "ETH sell 1 open"]);
    expect(p.targets.find((t) => t.coin === "ETH")?.sizing?.inputs.riskUsd).toBeCloseTo(100);
  });

  it("values a held position at our entry, so the stop's loss stays the budget", () => {
    const p = plan({
      markets: M,
      leader: leader({ BTC: 3 }),
      ours: account({ BTC: { size: 0.08, entryPx: 25_000 } }),
      settings: s,
    });
    expect(p.actions).toEqual([]);
    expect(p.targets[0]?.targetSize).toBe(0.08);
  });

  it("is refused without a stop", () => {
    expect(() => checkSizingSettings(settingsWith({ sizing: { mode: "risk-per-trade" } }))).toThrow(
      /no stop is set/,
    );
    expect(() => checkSizingSettings(s)).not.toThrow();
    expect(() =>
      checkSizingSettings(settingsWith({ sizing: { mode: "risk-per-trade" }, risk: { trailingStopPct: 3 } })),
    ).not.toThrow();
    const p = plan({
      markets: M,
      leader: leader({ BTC: 1 }),
      settings: settingsWith({ sizing: { mode: "risk-per-trade" } }),
    });
    expect(p.actions).toEqual([]);
    expect(skipOf(p, "BTC")[0]?.reason).toBe("stale-leader");
  });
});

describe("entry rules", () => {
  const at = (hour: number) => Date.UTC(2026, 0, 5, hour, 30);

  it("exec.tradingHours: no increases outside the UTC window, reductions always", () => {
    const s = settingsWith({ exec: { tradingHours: "08-22" } });
    const night = plan({
      markets: M,
      leader: leader({ BTC: 1, ETH: 0 }),
      ours: account({ ETH: 1 }),
      settings: s,
      context: { now: at(3) },
    });
    expect(summary(night)).toEqual(["ETH sell 1 close ro"]);
    expect(skipOf(night, "BTC")[0]?.reason).toBe("outside-trading-hours");
    const day = plan({ markets: M, leader: leader({ BTC: 1 }), settings: s, context: { now: at(8) } });
    expect(summary(day)).toEqual(["BTC buy 0.1 open"]);
    const wrap = settingsWith({ exec: { tradingHours: "22-06" } });
    expect(
      plan({ markets: M, leader: leader({ BTC: 1 }), settings: wrap, context: { now: at(23) } }).actions,
    ).toHaveLength(1);
    expect(
      plan({ markets: M, leader: leader({ BTC: 1 }), settings: wrap, context: { now: at(12) } }).actions,
    ).toEqual([]);
  });

  it("exec.minOrderUsd: increases below it are skipped (below-min-order), reductions are not", () => {
    const s = settingsWith({ exec: { minOrderUsd: 50, deadbandPct: 0 } });
    // Target ETH 0.2 ($400) from 0.19: a $20 increase. BTC from 0.11 to 0.1: a $300 reduction.
    const p = plan({
      markets: M,
      leader: leader({ ETH: 2, BTC: 1 }),
      ours: account({ ETH: 0.19, BTC: 0.1001 }),
      settings: s,
    });
    expect(summary(p)).toEqual([]);
    expect(skipOf(p, "ETH")[0]?.reason).toBe("below-min-order");
    const r = plan({
      markets: M,
      leader: leader({ ETH: 2, BTC: 1 }),
      ours: account({ ETH: 0.19, BTC: 0.1011 }),
      settings: s,
    });
    expect(summary(r)).toEqual(["BTC sell 0.0011 reduce ro"]);
  });

  it("exec.entry passive: an increase rests post-only at the leader's price or our side of the book", () => {
    const s = settingsWith({ exec: { entry: "passive" } });
    const l = leader({ BTC: 1, ETH: -10 }, 100_000, { lastFillPx: { BTC: 30_010, ETH: 1_990 } });
    const p = plan({ markets: M, leader: l, settings: s });
    const btc = p.actions.find((a) => a.coin === "BTC");
    const eth = p.actions.find((a) => a.coin === "ETH");
    // BTC: the leader bought at 30 010, above our best bid 29 999: rest at the bid.
    expect(btc).toMatchObject({ passive: true, limitPx: 29_999, reduceOnly: false });
    // ETH (no book known): the leader sold at 1 990, below the mid 2 000: rest at the mid.
    expect(eth).toMatchObject({ passive: true, limitPx: 2_000 });
    // A passive entry that timed out: the usual IOC.
    const taker = plan({ markets: M, leader: l, settings: s, context: { takerCoins: ["BTC"] } });
    expect(taker.actions.find((a) => a.coin === "BTC")?.passive).toBeUndefined();
    expect(taker.actions.find((a) => a.coin === "BTC")?.limitPx).toBeGreaterThan(30_001);
    // Reductions are never passive.
    const close = plan({ markets: M, leader: leader({}), ours: account({ BTC: 0.1 }), settings: s });
    expect(close.actions[0]?.passive).toBeUndefined();
  });

  it("a resting passive entry holds its coin while still wanted, and is cancelled first otherwise", () => {
    const s = settingsWith({ exec: { entry: "passive" } });
    const resting = {
      BTC: { cloid: `0x${"ab".repeat(16)}` as const, side: "buy" as const, size: 0.1, limitPx: 29_999 },
    };
    const waiting = plan({
      markets: M,
      leader: leader({ BTC: 1 }),
      settings: s,
      context: { restingEntries: resting },
    });
    expect(waiting.actions).toEqual([]);
    expect(waiting.cancels).toBeUndefined();
    expect(skipOf(waiting, "BTC")[0]?.reason).toBe("passive-resting");
    expect(waiting.inSync).toBe(false);
    // The leader reduced below what we hold: cancel the entry first, then reduce.
    const reduced = plan({
      markets: M,
      leader: leader({ BTC: 0.5 }),
      ours: account({ BTC: 0.08 }),
      settings: s,
      context: { restingEntries: resting },
    });
    expect(reduced.cancels?.map((c) => [c.coin, c.cloid, c.reason])).toEqual([
      ["BTC", resting.BTC.cloid, "passive-cancel"],
    ]);
    expect(summary(reduced)).toEqual(["BTC sell 0.03 reduce ro"]);
    // Halted: cancelled too.
    const halted = plan({
      markets: M,
      leader: leader({ BTC: 1 }),
      settings: s,
      context: { restingEntries: resting, halted: true },
    });
    expect(halted.cancels).toHaveLength(1);
    // A coin nobody holds any more (the leader left before our entry filled) is decided too.
    const gone = plan({ markets: M, leader: leader({}), settings: s, context: { restingEntries: resting } });
    expect(gone.cancels?.map((c) => c.coin)).toEqual(["BTC"]);
    expect(gone.inSync).toBe(false);
  });

  it("copy-delay and reversed-after-delay notes from the engine are shown, and are not drift", () => {
    // BTC: the leader's 1 is not held long enough (held 0): the delay holds the whole target back.
    const p = plan({
      markets: M,
      leader: leader({ BTC: 1 }),
      context: {
        delayHeld: { [LEADER]: { BTC: 0 } },
        copyDelay: { BTC: "copy delay: waiting" },
        reversedAfterDelay: { ETH: "reversed" },
      },
      coins: ["BTC", "ETH"],
    });
    expect(p.actions).toEqual([]);
    expect(p.skipped.map((x) => [x.coin, x.reason])).toEqual([
      ["BTC", "copy-delay"],
      ["ETH", "reversed-after-delay"],
    ]);
    expect(p.skipped[0]?.detail).toBe(
      "copy delay: waiting; until then the target is 0 BTC, not 0.1 (we hold 0; only increases wait, reductions are copied at once)",
    );
    expect(p.inSync).toBe(true);
  });
});
