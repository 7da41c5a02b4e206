// Copy P&L against hand-computed values: realised (closed P&L), unrealised at the mark, fees,
// funding, net and ROI, per coin and per leader; folding order never changes a figure.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  addFill,
  addFunding,
  closedCopySize,
  closedPnlOf,
  closesBeyondCopy,
  copyFill,
  copyFunding,
  copyFundingShare,
  copyPnl,
  copyPositions,
  copyShareOfFill,
  copySizeOfFill,
  foldPnl,
  forcedCloseKind,
  isCopyPnl,
  leaderShares,
  mergeShares,
  type PnlFill,
  type PnlFunding,
  type PnlTotals,
} from "../../src/core/pnl.js";
import type { Address } from "../../src/core/types.js";
import "../helpers/fast-check.js";

const L1 = "0x1111111111111111111111111111111111111111" as Address;
const L2 = "0x2222222222222222222222222222222222222222" as Address;

describe("copyPnl", () => {
  // Scenario (by hand):
  //  BTC buy 0.1 @ 60 000, fee 2.70 (0.045 % of 6 000); sell 0.05 @ 62 000, closed P&L
  //  (62 000 − 60 000) × 0.05 = 100, fee 1.395; funding paid −0.75; still long 0.05, mark 61 000
  //  → unrealised (61 000 − 60 000) × 0.05 = 50.
  //  ETH sell 1 @ 3 000, fee 1.35; funding received +0.30; short 1 at mark 3 100 → unrealised −100.
  //  realised 100, unrealised −50, fees 5.445, funding −0.45 → net 100 − 50 − 5.445 − 0.45 = 44.105.
  //  Start equity 10 000 → ROI 0.44105 %.
  const fills: PnlFill[] = [
    { coin: "BTC", px: 60_000, sz: 0.1, fee: 2.7, closedPnl: 0 },
    { coin: "BTC", px: 62_000, sz: 0.05, fee: 1.395, closedPnl: 100 },
    { coin: "ETH", px: 3_000, sz: 1, fee: 1.35, closedPnl: 0 },
  ];
  const funding: PnlFunding[] = [
    { coin: "BTC", usdc: -0.75 },
    { coin: "ETH", usdc: 0.3 },
  ];
  const positions = [
    { coin: "BTC", size: 0.05, entryPx: 60_000, markPx: 61_000 },
    { coin: "ETH", size: -1, entryPx: 3_000, markPx: 3_100 },
  ];
  /** These fills, funding and positions copied from one leader on 10 000 USD. */
  const oneLeaderPnl = () =>
    copyPnl({
      totals: foldPnl(fills, funding),
      positions,
      since: 1,
      startEquity: 10_000,
      leaders: [{ address: L1, weight: 1 }],
      shares: {},
    });

  it("whole copy and per coin match the hand-computed figures", () => {
    const pnl = oneLeaderPnl();
    expect(pnl).toMatchObject({
      realisedUsd: 100,
      unrealisedUsd: -50,
      feesUsd: 5.445,
      fundingUsd: -0.45,
      netUsd: 44.105,
      roiPct: 0.44105,
      fills: 3,
      volumeUsd: 6_000 + 3_100 + 3_000,
    });
    expect(pnl.byCoin).toEqual([
      {
        coin: "BTC",
        realisedUsd: 100,
        unrealisedUsd: 50,
        feesUsd: 4.095,
        fundingUsd: -0.75,
        netUsd: 145.155,
        roiPct: 1.45155,
        fills: 2,
        volumeUsd: 9_100,
      },
      {
        coin: "ETH",
        realisedUsd: 0,
        unrealisedUsd: -100,
        feesUsd: 1.35,
        fundingUsd: 0.3,
        netUsd: -101.05,
        roiPct: -1.0105,
        fills: 1,
        volumeUsd: 3_000,
      },
    ]);
    // One leader: everything is its own.
    expect(pnl.byLeader).toEqual([
      {
        leader: L1,
        realisedUsd: 100,
        unrealisedUsd: -50,
        feesUsd: 5.445,
        fundingUsd: -0.45,
        netUsd: 44.105,
        roiPct: 0.44105,
      },
    ]);
  });

  it("two leaders: each coin split by its shares; a coin without shares by the weights; the parts add up", () => {
    const pnl = copyPnl({
      totals: foldPnl(fills, funding),
      positions,
      since: 1,
      startEquity: 10_000,
      leaders: [
        { address: L1, weight: 0.75 },
        { address: L2, weight: 0.25 },
      ],
      // BTC: L1 40 %, L2 60 %; ETH: no shares → weights 75/25.
      shares: { BTC: { [L1]: 0.4, [L2]: 0.6 } },
    });
    const [a, b] = pnl.byLeader;
    // L1: BTC 145.155 × 0.4 = 58.062; ETH −101.05 × 0.75 = −75.7875 → −17.7255.
    expect(a?.netUsd).toBeCloseTo(-17.7255, 6);
    // L2: BTC 145.155 × 0.6 = 87.093; ETH −101.05 × 0.25 = −25.2625 → 61.8305.
    expect(b?.netUsd).toBeCloseTo(61.8305, 6);
    expect((a?.netUsd ?? 0) + (b?.netUsd ?? 0)).toBeCloseTo(pnl.netUsd, 6);
    expect((a?.roiPct ?? 0) + (b?.roiPct ?? 0)).toBeCloseTo(pnl.roiPct ?? 0, 6);
  });

  it("isCopyPnl: what copyPnl makes is whole, through JSON too; without a figure, its start or its coins it is not", () => {
    const pnl = oneLeaderPnl();
    expect(isCopyPnl(pnl)).toBe(true);
    expect(isCopyPnl(JSON.parse(JSON.stringify(pnl)))).toBe(true);
    expect(isCopyPnl({ ...pnl, since: null, startEquity: null })).toBe(true);
    const { since: _, ...noSince } = pnl;
    expect(isCopyPnl(noSince)).toBe(false);
    expect(isCopyPnl({ ...pnl, byCoin: undefined })).toBe(false);
    expect(isCopyPnl({ ...pnl, netUsd: "1" })).toBe(false);
    expect(isCopyPnl({ ...pnl, byCoin: [{ ...pnl.byCoin[0], fills: null }] })).toBe(false);
    expect(isCopyPnl({ ...pnl, byLeader: [{}] })).toBe(false);
    expect(isCopyPnl(null)).toBe(false);
  });

  it("no start equity yet: ROI is null, the dollar figures stand", () => {
    const pnl = copyPnl({
      totals: {},
      positions: [],
      since: null,
      startEquity: null,
      leaders: [{ address: L1, weight: 1 }],
      shares: {},
    });
    expect(pnl).toMatchObject({ netUsd: 0, roiPct: null, byCoin: [] });
  });

  it("a position without a mark is valued at its entry (no unrealised P&L)", () => {
    const pnl = copyPnl({
      totals: {},
      positions: [{ coin: "SOL", size: 3, entryPx: 150, markPx: null }],
      since: 1,
      startEquity: 1_000,
      leaders: [{ address: L1, weight: 1 }],
      shares: {},
    });
    expect(pnl.unrealisedUsd).toBe(0);
    expect(pnl.byCoin.map((c) => c.coin)).toEqual(["SOL"]);
  });

  it("folding one at a time or all at once gives the same totals, in any grouping", () => {
    const arb = fc.array(
      fc.oneof(
        fc.record({
          kind: fc.constant("fill" as const),
          coin: fc.constantFrom("BTC", "ETH", "SOL"),
          px: fc.double({ min: 1, max: 1e5, noNaN: true }),
          sz: fc.double({ min: 0.001, max: 100, noNaN: true }),
          fee: fc.double({ min: -1, max: 50, noNaN: true }),
          closedPnl: fc.double({ min: -1e4, max: 1e4, noNaN: true }),
        }),
        fc.record({
          kind: fc.constant("funding" as const),
          coin: fc.constantFrom("BTC", "ETH", "SOL"),
          usdc: fc.double({ min: -100, max: 100, noNaN: true }),
        }),
      ),
      { maxLength: 60 },
    );
    fc.assert(
      fc.property(arb, (items) => {
        let t: PnlTotals = {};
        for (const x of items) t = x.kind === "fill" ? addFill(t, x) : addFunding(t, x);
        const fills = items.filter((x) => x.kind === "fill");
        const fundings = items.filter((x) => x.kind === "funding");
        const all = foldPnl(fills, fundings);
        const args = {
          positions: [],
          since: 1,
          startEquity: 1_000,
          leaders: [{ address: L1, weight: 1 }],
          shares: {},
        };
        const a = copyPnl({ ...args, totals: t });
        const b = copyPnl({ ...args, totals: all });
        expect(a.netUsd).toBeCloseTo(b.netUsd, 5);
        expect(a.fills).toBe(b.fills);
        // net = realised + unrealised − fees + funding, always.
        expect(a.netUsd).toBeCloseTo(a.realisedUsd + a.unrealisedUsd - a.feesUsd + a.fundingUsd, 5);
      }),
    );
  });
});

describe("leader shares", () => {
  it("each leader's |size × ratio| over the coin's sum; coins no leader holds keep their last shares", () => {
    const shares = leaderShares(
      [
        { address: L1, positions: { BTC: { size: 1 }, ETH: { size: -10 } } },
        { address: L2, positions: { BTC: { size: -3 } } },
      ],
      { [L1]: 0.03, [L2]: 0.01 },
    );
    // BTC: L1 0.03, L2 0.03 → 50/50 (opposite sides still count gross); ETH: L1 only.
    expect(shares).toEqual({ BTC: { [L1]: 0.5, [L2]: 0.5 }, ETH: { [L1]: 1 } });
    const later = leaderShares([{ address: L1, positions: { BTC: { size: 1 } } }], { [L1]: 0.03 });
    expect(mergeShares(shares, later)).toEqual({ BTC: { [L1]: 1 }, ETH: { [L1]: 1 } });
  });
});

describe("closedPnlOf (paper fills)", () => {
  it("the reducing part at (px − entry), signed by the position; opening or adding closes nothing", () => {
    expect(closedPnlOf({ size: 2, entryPx: 100 }, "sell", 0.5, 110)).toBeCloseTo(5);
    expect(closedPnlOf({ size: -2, entryPx: 100 }, "buy", 1, 90)).toBeCloseTo(10);
    // A flip closes only the old size.
    expect(closedPnlOf({ size: 1, entryPx: 100 }, "sell", 3, 95)).toBeCloseTo(-5);
    expect(closedPnlOf({ size: 1, entryPx: 100 }, "buy", 1, 120)).toBe(0);
    expect(closedPnlOf(undefined, "sell", 1, 120)).toBe(0);
  });
});

describe("whose P&L: hlcopy's own fills and the part of each position it manages", () => {
  it("a fill counts whole when hlcopy placed it (it has a kind); a hand trade not at all", () => {
    expect(copyShareOfFill({ kind: "copy", sz: 1, copySz: 1 })).toBe(1);
    expect(copyShareOfFill({ kind: "safety", sz: 1, copySz: 1 })).toBe(1);
    expect(copyShareOfFill({ kind: null, sz: 1, copySz: 0 })).toBe(0);
    // Journaled before hlcopy kept parts: by its kind, as it was counted then.
    expect(copyShareOfFill({ kind: "repair", sz: 1, copySz: null })).toBe(1);
    expect(copyShareOfFill({ kind: null, sz: 1, copySz: null })).toBe(0);
  });

  it("a safety close of hlcopy's (flatten, kill switch) counts only hlcopy's part of the position it closed", () => {
    // The trader bought 100 DOGE by hand; hlcopy manages none of it. The flatten sells all 100:
    // hlcopy placed it, yet none of it is the copy's.
    const doge = { side: "sell", sz: 100, startPosition: 100 } as const;
    expect(copySizeOfFill(0, doge, true)).toBe(0);
    // hlcopy holds 1 SOL, the trader added 0.5 by hand: the flatten's 1.5 is the copy's 1.
    expect(copySizeOfFill(1, { side: "sell", sz: 1.5, startPosition: 1.5 }, true)).toBe(1);
    // Two partial fills: the part held by hand goes first (as a liquidation's), 0.4 then 1.1 → 0, 1.
    expect(copySizeOfFill(1, { side: "sell", sz: 0.4, startPosition: 1.5 }, true)).toBe(0);
    expect(copySizeOfFill(1, { side: "sell", sz: 1.1, startPosition: 1.1 }, true)).toBe(1);
    // A short: the same.
    expect(copySizeOfFill(-2, { side: "buy", sz: 3, startPosition: -3 }, true)).toBe(2);
    // A position all hlcopy's: the whole close, as always.
    expect(copySizeOfFill(0.1, { side: "sell", sz: 0.1, startPosition: 0.1 }, true)).toBe(0.1);
    // What hlcopy's order opens or adds is hlcopy's: all of an open, and past zero of a flip.
    expect(copySizeOfFill(0, { side: "buy", sz: 2, startPosition: 0 }, true)).toBe(2);
    expect(copySizeOfFill(0.5, { side: "buy", sz: 1, startPosition: 0.8 }, true)).toBe(1);
    expect(copySizeOfFill(1, { side: "sell", sz: 3, startPosition: 1.5 }, true)).toBe(2.5);
    // Not placed by hlcopy: only what it closed of hlcopy's part (closedCopySize), never an open.
    expect(copySizeOfFill(1, { side: "sell", sz: 1.5, startPosition: 1.5 }, false)).toBe(1);
    expect(copySizeOfFill(0, { side: "buy", sz: 2, startPosition: 0 }, false)).toBe(0);
    // The journal keeps that part, and every view counts it: the DOGE close is none of the copy's.
    expect(copyShareOfFill({ kind: "safety", sz: 100, copySz: 0 })).toBe(0);
    expect(copyShareOfFill({ kind: "safety", sz: 1.5, copySz: 1 })).toBeCloseTo(2 / 3, 12);
    expect(
      copyFill({ coin: "DOGE", px: 0.2, sz: 100, fee: 0.01, closedPnl: 3, kind: "safety", copySz: 0 }),
    ).toBeNull();
  });

  it("which of hlcopy's orders may close what it did not open: safety closes and closeDenied's", () => {
    expect(closesBeyondCopy("flatten", "flatten")).toBe(true);
    expect(closesBeyondCopy("safety", "kill-switch")).toBe(true);
    expect(closesBeyondCopy("flatten", "close")).toBe(true); // --on-exit flatten
    expect(closesBeyondCopy("repair", "coin-denied")).toBe(true);
    expect(closesBeyondCopy("repair", "coin-not-allowed")).toBe(true);
    expect(closesBeyondCopy("copy", "open")).toBe(false);
    expect(closesBeyondCopy("repair", "close")).toBe(false);
    expect(closesBeyondCopy("join", "open")).toBe(false);
  });

  it("a liquidation or ADL is a forced close; a fill by hand (no cloid of ours either) is not", () => {
    // As the exchange marks them: a liquidation fill carries `liquidation` (toFill: of this
    // user), its dir may read "Liquidated …"; an auto-deleveraging fill's dir is "Auto-Deleveraging".
    expect(forcedCloseKind({ liquidation: true, dir: "Close Long" })).toBe("liquidation");
    expect(forcedCloseKind({ liquidation: false, dir: "Liquidated Cross Long" })).toBe("liquidation");
    expect(forcedCloseKind({ liquidation: false, dir: "Liquidated Isolated Short" })).toBe("liquidation");
    expect(forcedCloseKind({ liquidation: false, dir: "Auto-Deleveraging" })).toBe("adl");
    expect(forcedCloseKind({ liquidation: false, dir: "Close Long" })).toBeNull();
    expect(forcedCloseKind({ liquidation: false, dir: "Open Short" })).toBeNull();
  });

  it("a liquidation of a position hlcopy opened is the copy's: its loss and fee are in the copy P&L", () => {
    // hlcopy bought 0.1 BTC at 60 000 (fee 2.70); the account is liquidated at 54 000 by two
    // fills walking the book, as the exchange does (0.04 then 0.06, each closed P&L at its price).
    const liq1 = { side: "sell", sz: 0.04, startPosition: 0.1 } as const;
    const liq2 = { side: "sell", sz: 0.06, startPosition: 0.06 } as const;
    expect(closedCopySize(0.1, liq1)).toBeCloseTo(0.04, 12);
    expect(closedCopySize(0.1, liq2)).toBeCloseTo(0.06, 12);
    const fills = [
      { coin: "BTC", px: 60_000, sz: 0.1, fee: 2.7, closedPnl: 0, kind: "copy" as const, copySz: 0.1 },
      { coin: "BTC", px: 54_100, sz: 0.04, fee: 0.97, closedPnl: -236, kind: null, copySz: 0.04 },
      { coin: "BTC", px: 53_900, sz: 0.06, fee: 1.46, closedPnl: -366, kind: null, copySz: 0.06 },
    ];
    const pnl = copyPnl({
      totals: foldPnl(
        fills.flatMap((f) => copyFill(f) ?? []),
        [],
      ),
      positions: [],
      since: 0,
      startEquity: 10_000,
      leaders: [{ address: L1, weight: 1 }],
      shares: {},
    });
    // realised −236 − 366 = −602; fees 2.70 + 0.97 + 1.46 = 5.13; net −607.13 — what the account lost.
    expect(pnl.realisedUsd).toBeCloseTo(-602, 6);
    expect(pnl.feesUsd).toBeCloseTo(5.13, 6);
    expect(pnl.netUsd).toBeCloseTo(-607.13, 6);
    expect(pnl.fills).toBe(3);
  });

  it("of a liquidation of a position the trader added to by hand, the copy's part is hlcopy's", () => {
    // hlcopy manages 0.1 of a 0.15 long (0.05 bought by hand). The liquidation closes it all in
    // two fills; as everywhere (keptManaged) the hand part goes first: the first 0.04 is all the
    // trader's, the second fill (0.11) closes the trader's last 0.01 and hlcopy's 0.1.
    const first = { side: "sell", sz: 0.04, startPosition: 0.15 } as const;
    const second = { side: "sell", sz: 0.11, startPosition: 0.11 } as const;
    expect(closedCopySize(0.1, first)).toBe(0);
    expect(closedCopySize(0.1, second)).toBeCloseTo(0.1, 12);
    // Its P&L is that share of the fill's: closed P&L −660 and fee 2.2 on 0.11 → −600 and 2.
    const part = copyFill({
      coin: "BTC",
      px: 54_000,
      sz: 0.11,
      fee: 2.2,
      closedPnl: -660,
      kind: null,
      copySz: 0.1,
    });
    expect(part?.sz).toBeCloseTo(0.1, 12);
    expect(part?.closedPnl).toBeCloseTo(-600, 9);
    expect(part?.fee).toBeCloseTo(2, 9);
    // A short liquidated (buys) the same way; a partial liquidation leaving more than hlcopy's part
    // takes nothing of it; and none of a position hlcopy holds no part of.
    expect(closedCopySize(-2, { side: "buy", sz: 3, startPosition: -3 })).toBe(2);
    expect(closedCopySize(0.1, { side: "sell", sz: 0.05, startPosition: 0.3 })).toBe(0);
    expect(closedCopySize(0, { side: "sell", sz: 0.1, startPosition: 0.1 })).toBe(0);
    expect(
      copyFill({ coin: "BTC", px: 54_000, sz: 0.1, fee: 2, closedPnl: -600, kind: null, copySz: 0 }),
    ).toBeNull();
  });

  it("a trade by hand: what it closes of hlcopy's position is the copy's, what it opens or adds is not", () => {
    // hlcopy manages a 1 ETH long. The trader sells 0.4 by hand, then the last 0.6 and 0.5 more
    // (a flip to short): 0.4 and 0.6 of those are hlcopy's position closing; the short is theirs.
    expect(closedCopySize(1, { side: "sell", sz: 0.4, startPosition: 1 })).toBeCloseTo(0.4, 12);
    expect(closedCopySize(0.6, { side: "sell", sz: 1.1, startPosition: 0.6 })).toBeCloseTo(0.6, 12);
    // Buying more by hand closes nothing of it; nor does a trade on a coin hlcopy holds none of.
    expect(closedCopySize(1, { side: "buy", sz: 0.5, startPosition: 1 })).toBe(0);
    expect(closedCopySize(0, { side: "buy", sz: 0.5, startPosition: 0 })).toBe(0);
  });

  it("funding counts pro rata to hlcopy's share of the position it was paid on", () => {
    // The exchange pays a coin's whole position, size × price × rate: every unit alike.
    expect(copyFundingShare(2, 3)).toBeCloseTo(2 / 3, 12); // the trader added 1 ETH to hlcopy's 2
    expect(copyFundingShare(-2, -2)).toBe(1); // all hlcopy's
    // Summed from fills, a rounding error off the position: still all of it.
    expect(copyFundingShare(0.3 - 0.1, 0.2)).toBe(1); // 0.19999999999999998 of 0.2
    expect(copyFundingShare(-(0.7 - 0.1 - 0.1), -0.5)).toBe(1);
    expect(copyFundingShare(0.5 - 1e-6, 0.5)).toBeLessThan(1); // a real part stays a part
    expect(copyFundingShare(0, 4)).toBe(0); // bought by hand on a coin hlcopy leaves alone
    expect(copyFundingShare(-1, 4)).toBe(0); // hlcopy's short, flipped long by hand
    expect(copyFundingShare(3, 2)).toBe(1); // the trader closed part of it: what is left is hlcopy's
    // Journaled with its part; one journaled before parts counts whole, as it was counted then.
    expect(copyFunding({ coin: "ETH", usdc: -0.9, copyUsdc: -0.6 })).toEqual({
      coin: "ETH",
      usdc: -0.6,
      copyUsdc: -0.6,
    });
    expect(copyFunding({ coin: "ETH", usdc: -0.9, copyUsdc: null })).toEqual({
      coin: "ETH",
      usdc: -0.9,
      copyUsdc: null,
    });
    // None of it the copy's: no funding row for a coin the copy has no part in.
    expect(copyFunding({ coin: "AVAX", usdc: 0.4, copyUsdc: 0 })).toBeNull();
    const pnl = copyPnl({
      totals: foldPnl(
        [],
        [
          { coin: "ETH", usdc: -0.9, copyUsdc: -0.6 },
          { coin: "AVAX", usdc: 0.4, copyUsdc: 0 },
        ].flatMap((f) => copyFunding(f) ?? []),
      ),
      positions: [],
      since: 0,
      startEquity: 10_000,
      leaders: [{ address: L1, weight: 1 }],
      shares: {},
    });
    expect(pnl.fundingUsd).toBeCloseTo(-0.6, 9);
    expect(pnl.byCoin.map((c) => c.coin)).toEqual(["ETH"]);
  });

  it("values only what hlcopy manages of each position", () => {
    const at = (coin: string, size: number) => ({ coin, size, entryPx: 10, markPx: 12 });
    const positions = [at("AVAX", 10), at("BTC", -2), at("ETH", 3), at("SOL", 4)];
    // AVAX bought by hand (none managed); BTC all hlcopy's; ETH: the trader added 1 to hlcopy's 2;
    // SOL: hlcopy's short, which the trader flipped long by hand (no part of it is hlcopy's now).
    const managed = { BTC: -2, ETH: 2, SOL: -1 };
    expect(copyPositions(positions, managed)).toEqual([at("BTC", -2), at("ETH", 2)]);
  });
});
