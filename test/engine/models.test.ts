import { describe, expect, it } from "vitest";
import type { AccountState, Address } from "../../src/core/types.js";
import { type FillFact, LeaderModel, MarketModel, OurModel } from "../../src/engine/models.js";

const LEADER = "0x1111111111111111111111111111111111111111" as Address;

function snapshot(time: number, positions: Record<string, number>, accountValue = 10_000): AccountState {
  return {
    address: LEADER,
    accountValue,
    time,
    openOrders: [],
    positions: Object.fromEntries(
      Object.entries(positions).map(([coin, size]) => [coin, { coin, size, entryPx: 100 }]),
    ),
  };
}

function fill(partial: Partial<FillFact> & Pick<FillFact, "tid" | "time">): FillFact {
  return { coin: "BTC", px: 100, sz: 1, side: "buy", startPosition: 0, ...partial };
}

describe("LeaderModel", () => {
  it("a fill sets the position from startPosition + signed size (absolute, not cumulative)", () => {
    const m = new LeaderModel(LEADER, 1);
    m.applySnapshot(snapshot(1000, {}), 1);
    expect(m.applyFill(fill({ tid: 1, time: 1100, startPosition: 0, sz: 2 }), 2)).toBe(true);
    expect(m.state.positions.BTC?.size).toBe(2);
    expect(m.applyFill(fill({ tid: 2, time: 1200, startPosition: 2, sz: 5, side: "sell" }), 3)).toBe(true);
    expect(m.state.positions.BTC?.size).toBe(-3);
    expect(m.lastFillPx.BTC).toBe(100);
  });

  it("a self-cross (two fills, same time, same startPosition) nets both sides", () => {
    // Real trace: the leader's buy and sell matched each other; both fills report the
    // position before the pair. The position after both is start + buy − sell.
    const m = new LeaderModel(LEADER, 1);
    m.applySnapshot(snapshot(1000, { BTC: 3 }), 1);
    m.applyFill(fill({ tid: 10, time: 1100, startPosition: 3, sz: 2, side: "buy" }), 2);
    m.applyFill(fill({ tid: 11, time: 1100, startPosition: 3, sz: 0.5, side: "sell" }), 2);
    expect(m.state.positions.BTC?.size).toBe(4.5);
    // The next trade reports the true start again.
    m.applyFill(fill({ tid: 12, time: 1200, startPosition: 4.5, sz: 4.5, side: "sell" }), 3);
    expect(m.state.positions.BTC).toBeUndefined();
  });

  it("ignores a fill older than the newest one it applied to the coin", () => {
    const m = new LeaderModel(LEADER, 1);
    m.applyFill(fill({ tid: 7, time: 1000, sz: 1 }), 1);
    expect(m.applyFill(fill({ tid: 6, time: 900, sz: 5 }), 2)).toBe(false);
    expect(m.state.positions.BTC?.size).toBe(1);
  });

  it("a snapshot older than the newest fill does not roll the coin back", () => {
    const m = new LeaderModel(LEADER, 1);
    m.applyFill(fill({ tid: 1, time: 2000, startPosition: 0, sz: 3 }), 1);
    m.applySnapshot(snapshot(1500, { BTC: 1, ETH: 4 }), 2);
    expect(m.state.positions.BTC?.size).toBe(3);
    expect(m.state.positions.ETH?.size).toBe(4);
    m.applySnapshot(snapshot(2500, { BTC: 2 }), 3);
    expect(m.state.positions.BTC?.size).toBe(2);
    expect(m.state.positions.ETH).toBeUndefined();
  });

  it("a full close removes the coin exactly, without float dust", () => {
    const m = new LeaderModel(LEADER, 1);
    m.applyFill(fill({ tid: 1, time: 1, startPosition: 0.3, sz: 0.1 + 0.2, side: "sell" }), 1);
    expect(m.state.positions.BTC).toBeUndefined();
  });

  it("equity for sizing is net of the leader's cash flows", () => {
    const m = new LeaderModel(LEADER, 0.5);
    m.applySnapshot(snapshot(1, {}, 5_000), 1);
    m.netCashFlow = -5_000; // withdrew 5k since the ratio was set
    expect(m.view().equityBase).toBe(10_000);
    expect(m.view().weight).toBe(0.5);
  });
});

describe("OurModel", () => {
  it("applies our confirmed fills at once so the next plan cannot order them again", () => {
    const m = new OurModel(LEADER);
    m.applySnapshot(snapshot(1, { BTC: 1 }));
    m.applyOwnFill({ coin: "BTC", side: "buy" }, 0.5, 101);
    expect(m.state.positions.BTC?.size).toBe(1.5);
    m.applyOwnFill({ coin: "BTC", side: "sell" }, 1.5, 99);
    expect(m.state.positions.BTC).toBeUndefined();
    m.applyOwnFill({ coin: "ETH", side: "sell" }, 0, null);
    expect(m.state.positions.ETH).toBeUndefined();
  });

  it("a coin our fill opens holds the leverage set for it; a position that says its own keeps it", () => {
    const m = new OurModel(LEADER);
    m.applySnapshot({
      ...snapshot(1, {}),
      positions: { BTC: { coin: "BTC", size: 1, entryPx: 100, leverage: 3, marginMode: "cross" } },
    });
    const set = { leverage: 5, marginMode: "isolated" as const };
    m.applyOwnFill({ coin: "SOL", side: "sell" }, 2, 20, set);
    expect(m.state.positions.SOL).toMatchObject({ size: -2, leverage: 5, marginMode: "isolated" });
    m.applyOwnFill({ coin: "BTC", side: "buy" }, 1, 110, set);
    expect(m.state.positions.BTC).toMatchObject({ size: 2, leverage: 3, marginMode: "cross" });
    // Unknown stays unknown (no "-x" guessed).
    m.applyOwnFill({ coin: "ETH", side: "buy" }, 1, 10);
    expect(m.state.positions.ETH?.leverage).toBeUndefined();
  });

  it("a read sent before our own fill never undoes it; one sent after it is taken whole", () => {
    const m = new OurModel(LEADER);
    m.applySnapshot(snapshot(1, { BTC: 1, ETH: 2 }));
    const before = m.mark(); // a sweep sends its read of our account...
    m.applyOwnFill({ coin: "BTC", side: "buy" }, 0.5, 101); // ...our order fills meanwhile...
    m.applyOwnFill({ coin: "SOL", side: "sell" }, 3, 20);
    // ...and the read comes back without it (ETH changed outside: the read is right there).
    m.applySnapshot(snapshot(2, { BTC: 1, ETH: 2.5 }), before);
    expect(m.state.positions.BTC?.size).toBe(1.5);
    expect(m.state.positions.SOL?.size).toBe(-3);
    expect(m.state.positions.ETH?.size).toBe(2.5);
    // A later read (sent after the fills) is the truth for every coin.
    const after = m.mark();
    m.applySnapshot(snapshot(3, { BTC: 1.4 }), after);
    expect(m.state.positions).toEqual({ BTC: { coin: "BTC", size: 1.4, entryPx: 100 } });
  });
});

describe("MarketModel", () => {
  it("a trade printed outside the book becomes the mid (a crash moves faster than allMids); the side it swept is gone, the other stays", () => {
    const m = new MarketModel();
    const btc = {
      coin: "BTC",
      assetId: 0,
      szDecimals: 5,
      maxLeverage: 40,
      mid: 100,
      bestBid: 99,
      bestAsk: 101,
    };
    m.setMarkets({ BTC: { ...btc } });
    m.applyTradePrice("BTC", 100.5); // inside the book: nothing new
    expect(m.markets.BTC).toMatchObject({ mid: 100, bestBid: 99, bestAsk: 101 });
    // A sell through the bids: no bid is known any more; the ask it never touched stays.
    m.applyTradePrice("BTC", 90);
    expect(m.markets.BTC?.mid).toBe(90);
    expect(m.markets.BTC?.bestBid).toBeUndefined();
    expect(m.markets.BTC?.bestAsk).toBe(101);
    // A buy sweeping the asks: the bid stays (a passive buy rests there, not at the sweep's price).
    m.setMarkets({ BTC: { ...btc } });
    m.applyTradePrice("BTC", 103);
    expect(m.markets.BTC).toMatchObject({ mid: 103, bestBid: 99 });
    expect(m.markets.BTC?.bestAsk).toBeUndefined();
    // ...and its next level higher still: the bid is still untouched.
    m.applyTradePrice("BTC", 104);
    expect(m.markets.BTC).toMatchObject({ mid: 104, bestBid: 99 });
    // With no book known, a trade is just the mid.
    m.setMarkets({ BTC: { ...btc, bestBid: undefined, bestAsk: undefined } });
    m.applyTradePrice("BTC", 105);
    expect(m.markets.BTC?.mid).toBe(105);
  });

  it("drops a top of book the mid has moved out of", () => {
    const mm = new MarketModel();
    mm.setMarkets({ BTC: { coin: "BTC", assetId: 0, szDecimals: 5, maxLeverage: 40, mid: 100 } });
    mm.applyBook("BTC", 99.5, 100.5);
    expect(mm.markets.BTC?.mid).toBe(100);
    mm.applyMids({ BTC: 100.2, UNKNOWN: 5 });
    expect(mm.markets.BTC?.bestAsk).toBe(100.5);
    mm.applyMids({ BTC: 101 });
    expect(mm.markets.BTC?.bestAsk).toBeUndefined();
    expect(mm.markets.BTC?.mid).toBe(101);
  });

  it("a read of the markets sent before a streamed price keeps the streamed one", () => {
    const mm = new MarketModel();
    const meta = { assetId: 0, szDecimals: 5, maxLeverage: 40 };
    mm.setMarkets({ BTC: { coin: "BTC", ...meta, mid: 100 }, ETH: { coin: "ETH", ...meta, mid: 10 } });
    const mark = mm.mark();
    mm.applyBook("BTC", 104.5, 105.5);
    mm.setMarkets({ BTC: { coin: "BTC", ...meta, mid: 101 }, ETH: { coin: "ETH", ...meta, mid: 11 } }, mark);
    expect(mm.markets.BTC).toMatchObject({ mid: 105, bestBid: 104.5, bestAsk: 105.5 });
    expect(mm.markets.ETH?.mid).toBe(11);
    // A read sent after it is taken as it is.
    mm.setMarkets({ BTC: { coin: "BTC", ...meta, mid: 106 } }, mm.mark());
    expect(mm.markets.BTC?.mid).toBe(106);
  });
});

describe("LeaderModel: cash flows its stream shows before a sweep nets them", () => {
  const withCash = (time: number, accountValue: number, cash: number): AccountState => ({
    ...snapshot(time, { BTC: 1 }, accountValue),
    cash,
  });

  it("a cash change no fill explains is held out of the equity until a sweep's read; a fill's closed P&L and fee are not one, whichever came first", () => {
    const m = new LeaderModel(LEADER, 1);
    m.applySnapshot(withCash(1000, 10_000, 9_000), 1, true);
    // A withdrawal of 4 000: held out (equity stays 10 000), the engine is told to sweep.
    expect(m.applySnapshot(withCash(1100, 6_000, 5_000), 2)).toBe(true);
    expect(m.view().equityBase).toBe(10_000);
    // A close with $300 P&L and a $1 fee, its fill before the snapshot holding it: a trade.
    m.applyFill(
      fill({
        tid: 1,
        time: 1200,
        startPosition: 1,
        side: "sell",
        sz: 1,
        closedPnl: 300,
        fee: 1,
        feeToken: "USDC",
      }),
      3,
    );
    expect(m.applySnapshot({ ...withCash(1300, 5_299, 5_299), positions: {} }, 4)).toBe(false);
    expect(m.view().equityBase).toBe(9_299);
    // The same, the fill arriving after the snapshot that holds it: said for a moment, then undone.
    m.applySnapshot(withCash(1400, 5_299, 5_299), 5);
    expect(m.applySnapshot(withCash(1600, 5_598, 5_598), 6)).toBe(true);
    m.applyFill(
      fill({
        tid: 2,
        time: 1500,
        startPosition: 1,
        side: "sell",
        sz: 1,
        closedPnl: 300,
        fee: 1,
        feeToken: "USDC",
      }),
      7,
    );
    expect(m.view().equityBase).toBeCloseTo(9_598, 6);
    // A sweep's read, its ledger netted by the engine: nothing pending any more.
    m.netCashFlow = -4_000;
    m.applySnapshot(withCash(1700, 5_598, 5_598), 8, true);
    expect(m.pendingCashFlow).toBe(0);
    expect(m.view().equityBase).toBe(9_598);
    // A (re)subscription's history of fills, older than the stream's snapshot: no cash flow.
    m.applySnapshot(withCash(1750, 5_598, 5_598), 9);
    m.applyFill(
      fill({
        tid: 3,
        time: 1720,
        startPosition: 1,
        side: "sell",
        sz: 1,
        closedPnl: 500,
        fee: 1,
        feeToken: "USDC",
      }),
      9,
      false,
    );
    expect(m.pendingCashFlow).toBe(0);
    // A funding payment of $3: held out too, but not worth a ledger read before the next sweep.
    expect(m.applySnapshot(withCash(1800, 5_595, 5_595), 9)).toBe(false);
    expect(m.view().equityBase).toBe(9_598);
  });

  it("a sweep's read older than a stream snapshot already taken in: the newer stays the reference (the closed P&L between them is no cash flow), and a flow seen after the read stays pending", () => {
    const m = new LeaderModel(LEADER, 1);
    m.applySnapshot(withCash(1000, 10_000, 10_000), 1, true);
    // A withdrawal of 2 000 the stream shows at 1100: pending.
    expect(m.applySnapshot(withCash(1100, 8_000, 8_000), 2)).toBe(true);
    // A close with $500 P&L at 1200, then the stream's snapshot holding it at 1300.
    m.applyFill(fill({ tid: 1, time: 1200, startPosition: 1, side: "sell", sz: 1, closedPnl: 500 }), 3);
    expect(m.applySnapshot(withCash(1300, 8_500, 8_500), 4)).toBe(false);
    // Another withdrawal of 1 000 the stream shows at 1400, after the sweep's read below was taken.
    expect(m.applySnapshot(withCash(1400, 7_500, 7_500), 5)).toBe(true);
    expect(m.pendingCashFlow).toBe(-3_000);
    // The sweep read the account at 1150 (after the first withdrawal, before the close) and its
    // ledger to then: the first withdrawal is netted, the second is still pending.
    m.netCashFlow = -2_000;
    m.applySnapshot(withCash(1150, 8_000, 8_000), 6, true);
    expect(m.pendingCashFlow).toBe(-1_000);
    expect(m.view().equityBase).toBe(10_500);
    // The stream's next snapshot, nothing new: no cash flow (against 1400's cash, not 1150's).
    expect(m.applySnapshot(withCash(1500, 7_500, 7_500), 7)).toBe(false);
    expect(m.pendingCashFlow).toBe(-1_000);
    expect(m.view().equityBase).toBe(10_500);
  });
});
