import type {
  AllMidsResponse,
  ClearinghouseStateResponse,
  FrontendOpenOrdersResponse,
  L2BookResponse,
  MetaResponse,
  UserFillsResponse,
  UserFundingResponse,
  UserNonFundingLedgerUpdatesResponse,
} from "@nktkas/hyperliquid/api/info";
import { describe, expect, it } from "vitest";
import type { Address } from "../../src/core/types.js";
import { createNonceSource } from "../../src/exchange/nonce.js";
import {
  toAccountState,
  toCashFlows,
  toFill,
  toFundingPayments,
  toMarkets,
  toTopOfBook,
} from "../../src/exchange/normalize.js";
import allMids from "../fixtures/reference/hl-cassettes/allMids.json" with { type: "json" };
import clearinghouse from "../fixtures/reference/hl-cassettes/clearinghouseState.json" with { type: "json" };
import frontendOpenOrders from "../fixtures/reference/hl-cassettes/frontendOpenOrders.json" with {
  type: "json",
};
import l2Book from "../fixtures/reference/hl-cassettes/l2Book.json" with { type: "json" };
import meta from "../fixtures/reference/hl-cassettes/meta.json" with { type: "json" };
import userFills from "../fixtures/reference/hl-cassettes/userFills.json" with { type: "json" };
import userFunding from "../fixtures/reference/hl-cassettes/userFunding.json" with { type: "json" };
import ledger from "../fixtures/reference/hl-cassettes/userNonFundingLedgerUpdates.json" with {
  type: "json",
};

// Recorded mainnet replies (older than the SDK's types: some newer fields are absent).
const metaReply = meta.response as unknown as MetaResponse;
const midsReply = allMids.response as AllMidsResponse;

describe("normalising recorded exchange replies", () => {
  it("meta + allMids → markets keyed by coin, asset id = universe index", () => {
    const markets = toMarkets(metaReply, midsReply);
    expect(Object.keys(markets)).toHaveLength(metaReply.universe.length);
    expect(markets.BTC).toEqual({
      coin: "BTC",
      assetId: 0,
      szDecimals: 5,
      maxLeverage: 50,
      mid: Number(midsReply.BTC),
    });
    expect(markets.ETH?.assetId).toBe(1);
    metaReply.universe.forEach((u, i) => {
      expect(markets[u.name]?.assetId).toBe(i);
    });
  });

  it("skips delisted coins without renumbering the others, and coins without a mid", () => {
    const universe = [
      { name: "AAA", szDecimals: 1, maxLeverage: 3, marginTableId: 3 },
      { name: "OLD", szDecimals: 1, maxLeverage: 3, marginTableId: 3, isDelisted: true as const },
      { name: "BBB", szDecimals: 2, maxLeverage: 5, marginTableId: 5 },
      { name: "CCC", szDecimals: 2, maxLeverage: 5, marginTableId: 5 },
    ];
    const markets = toMarkets(
      { universe, marginTables: [], collateralToken: 0 },
      { AAA: "1", OLD: "2", BBB: "3" },
    );
    expect(Object.keys(markets)).toEqual(["AAA", "BBB"]);
    expect(markets.BBB?.assetId).toBe(2);
  });

  it("clearinghouseState + frontendOpenOrders → signed positions, entry, leverage, account value, orders", () => {
    const user = clearinghouse.request.user as Address;
    const state = toAccountState(
      user,
      clearinghouse.response as unknown as ClearinghouseStateResponse,
      frontendOpenOrders.response as unknown as FrontendOpenOrdersResponse,
      123,
    );
    expect(state.accountValue).toBe(1182.312496);
    expect(state.time).toBe(123); // the old recording has no `time`
    expect(state.positions.BTC).toEqual({
      coin: "BTC",
      size: -0.00785,
      entryPx: 26951,
      leverage: 20,
      marginMode: "cross",
    });
    expect(state.positions.ETH).toEqual({
      coin: "ETH",
      size: 0.1334,
      entryPx: 1705.82,
      leverage: 20,
      marginMode: "cross",
    });
    expect(Object.keys(state.positions)).toHaveLength(clearinghouse.response.assetPositions.length);
    expect(state.openOrders[0]).toEqual({
      coin: "INJ",
      oid: 3184595907,
      side: "sell",
      size: 12.5,
      limitPx: 9.2037,
      reduceOnly: true,
      // A recorded "Take Profit Market" trigger order: its kind and trigger price.
      trigger: { tpsl: "tp", triggerPx: 10.004 },
    });
    expect(state.openOrders.find((o) => o.oid === 3184595906)?.trigger).toEqual({
      tpsl: "sl",
      triggerPx: 9.995,
    });
  });

  it("fills: sides, numbers, liquidation only when it is the user's own", () => {
    const raw = (userFills.response as unknown as UserFillsResponse)[0];
    if (!raw) throw new Error("empty cassette");
    const f = toFill(raw);
    expect(f).toMatchObject({
      coin: "SUI",
      side: "sell",
      px: 1.3189,
      sz: 142.7,
      startPosition: 4623.5,
      dir: "Close Long",
    });
    expect(f.liquidation).toBe(false);
    const user = "0x00000000000000000000000000000000000000aa";
    const liq = {
      ...raw,
      liquidation: { liquidatedUser: user as Address, markPx: "1.3", method: "market" as const },
    };
    expect(toFill(liq, user).liquidation).toBe(true);
    expect(toFill(liq, "0x00000000000000000000000000000000000000bb").liquidation).toBe(false);
  });

  it("ledger updates → perp cash flows: deposits +, transfers out of perp −, spot-only ignored", () => {
    const user = ledger.request.user as Address;
    const flows = toCashFlows(user, ledger.response as unknown as UserNonFundingLedgerUpdatesResponse);
    const kinds = flows.map((f) => f.kind);
    expect(kinds).not.toContain("spotTransfer");
    expect(flows[0]).toMatchObject({ kind: "deposit", usd: 2703997.4500000002 });
    expect(flows[1]).toMatchObject({ kind: "accountClassTransfer", usd: -12 });
    const synthetic: UserNonFundingLedgerUpdatesResponse = [
      { time: 1, hash: "0x01", delta: { type: "withdraw", usdc: "100", nonce: 1, fee: "1" } },
      {
        time: 2,
        hash: "0x02",
        delta: {
          type: "internalTransfer",
          usdc: "50",
          user: "0x00000000000000000000000000000000000000cc",
          destination: user,
          fee: "0",
        },
      },
      {
        time: 3,
        hash: "0x03",
        delta: {
          type: "liquidation",
          liquidatedNtlPos: "1",
          accountValue: "1",
          leverageType: "Cross",
          liquidatedPositions: [],
        },
      },
    ];
    expect(toCashFlows(user, synthetic).map((f) => f.usd)).toEqual([-101, 50]);
  });

  it("userFunding → funding payments, signed as the exchange records them (+ received, − paid)", () => {
    const payments = toFundingPayments(userFunding.response as unknown as UserFundingResponse);
    expect(payments).toHaveLength(userFunding.response.length);
    // A long with a negative rate is paid; a short with a positive rate is paid; a long with a
    // positive rate pays.
    expect(payments[0]).toMatchObject({
      coin: "APE",
      szi: 40.13333333,
      usdc: 0.145796,
      fundingRate: -0.00029319,
    });
    expect(payments[1]).toMatchObject({ coin: "ARB", szi: -6091.03333333, usdc: 2.694388 });
    expect(payments[3]).toMatchObject({ coin: "AVAX", usdc: -0.572915 });
    for (const p of payments) expect(typeof p.hash).toBe("string");
  });

  it("l2Book → best bid and ask", () => {
    const top = toTopOfBook("DYDX", l2Book.response as unknown as L2BookResponse);
    expect(top).toMatchObject({ coin: "DYDX", bestBid: 2.111, bestAsk: 2.1124 });
    expect(toTopOfBook("X", null)).toMatchObject({ coin: "X" });
  });
});

describe("nonces", () => {
  it("strictly increase per signer even within one millisecond, and follow the clock", () => {
    let t = 1_700_000_000_000;
    const next = createNonceSource(() => t);
    const a = "0x00000000000000000000000000000000000000Aa";
    const n = [next(a), next(a.toLowerCase()), next(a)];
    expect(n).toEqual([t, t + 1, t + 2]);
    expect(next("0x00000000000000000000000000000000000000bb")).toBe(t); // independent per signer
    t += 10;
    expect(next(a)).toBe(t);
    t -= 5_000; // the clock stepping back never reuses a nonce
    expect(next(a)).toBe(t + 5_001);
  });
});
