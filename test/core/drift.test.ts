// One meaning of drift: every coin's status, the total, "in sync" — and the planner's inSync
// is the same answer on any plan.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  deadbandUsd,
  driftClosing,
  driftPct,
  driftReport,
  driftText,
  driftTextShort,
  leftAloneShort,
  mergePlanView,
  shownDrift,
  syncVerdict,
} from "../../src/core/drift.js";
import { planOrders } from "../../src/core/planner.js";
import { defaultSettings } from "../../src/core/settings.js";
import type { CoinTarget, Plan } from "../../src/core/types.js";
import { fcRuns } from "../helpers/fast-check.js";

const target = (coin: string, targetSize: number, ourSize: number, mid = 100): CoinTarget => ({
  coin,
  leaderSize: targetSize * 10,
  targetSize,
  ourSize,
  driftUsd: (targetSize - ourSize) * mid,
  mid,
  deadbandUsd: deadbandUsd(targetSize, mid, 0),
});

describe("driftReport", () => {
  it("a row inside the deadband is held: the copy is in sync and says how much it holds", () => {
    const r = driftReport({
      targets: [target("BTC", 50, 50.7377), target("ETH", 1, 1)],
      skipped: [{ coin: "BTC", reason: "inside-deadband" }],
      actionCoins: [],
    });
    expect(r.coins.map((c) => [c.coin, c.status])).toEqual([
      ["BTC", "tolerated"],
      ["ETH", "in-sync"],
    ]);
    expect(r.inSync).toBe(true);
    expect(r.driftUsd).toBeCloseTo(73.77, 2);
    expect(r.outsideUsd).toBe(0);
    // Never a bare "in sync" next to a row at −$73.77.
    expect(driftText(r)).toBe("in sync · $73.77 tolerated inside the deadband");
  });

  it("says why the drift is tolerated: each cause once — never 'inside the deadband' for an order under the minimum", () => {
    const text = (skipped: { coin: string; reason: Plan["skipped"][number]["reason"] }[]) =>
      driftText(
        driftReport({
          targets: [target("BTC", 1, 1.05), target("ETH", 0.5, 0.45), target("SOL", 2, 2.05)],
          skipped,
          actionCoins: [],
        }),
      );
    // A small copy's usual case: the orders that would close it are under $10.
    expect(
      text([
        { coin: "ETH", reason: "below-min-notional" },
        { coin: "BTC", reason: "below-min-notional" },
        { coin: "SOL", reason: "below-min-notional" },
      ]),
    ).toBe("in sync · $15.00 tolerated under the exchange's $10 minimum order");
    expect(
      text([
        { coin: "SOL", reason: "leverage-cap" },
        { coin: "ETH", reason: "below-min-notional" },
        { coin: "BTC", reason: "inside-deadband" },
      ]),
    ).toBe(
      "in sync · $15.00 tolerated inside the deadband, under the exchange's $10 minimum order and cut by a cap",
    );
    expect(
      text([
        { coin: "BTC", reason: "stopped-out" },
        { coin: "ETH", reason: "copy-delay" },
        { coin: "SOL", reason: "inside-deadband" },
      ]),
    ).toBe("in sync · $15.00 tolerated inside the deadband, stopped out and waiting out the copy delay");
  });

  it("an order planned is drift; a gate is blocked; both are out of sync with the figure that is out", () => {
    const r = driftReport({
      targets: [target("BTC", 1, 0), target("ETH", -2, 0), target("SOL", 3, 3)],
      skipped: [{ coin: "ETH", reason: "entry-drift" }],
      actionCoins: ["BTC"],
    });
    expect(r.coins.map((c) => [c.coin, c.status, c.reason])).toEqual([
      ["BTC", "drift", null],
      ["ETH", "blocked", "entry-drift"],
      ["SOL", "in-sync", null],
    ]);
    expect(r.inSync).toBe(false);
    expect(r.outsideUsd).toBe(300);
    expect(driftText(r)).toBe("drift $300.00 (BTC) · blocked: ETH entry-drift");
  });

  it("a halt that keeps flat coins flat is said as the halt, never 'drift $0.00' beside 'blocked'", () => {
    // After a flatten: every target 0, nothing held, the leader still holds BTC and ETH. The
    // header read "drift $0.00 · 2 blocked" — a drift of nothing held by a gate.
    const r = driftReport({
      targets: [target("BTC", 0, 0), target("ETH", 0, 0)],
      skipped: [
        { coin: "BTC", reason: "halted" },
        { coin: "ETH", reason: "halted" },
      ],
      actionCoins: [],
    });
    expect(r.coins.map((c) => c.status)).toEqual(["blocked", "blocked"]);
    expect(r.inSync).toBe(false);
    expect(driftText(r)).toBe("halted · not opened: BTC, ETH");
    expect(driftTextShort(r)).toBe("halted · 2 not opened");
    // A halt still closing a position: its drift is said, and the flat coin beside it.
    const closing = driftReport({
      targets: [target("BTC", 0, 0), target("SOL", 0, 2, 150)],
      skipped: [{ coin: "BTC", reason: "halted" }],
      actionCoins: ["SOL"],
    });
    expect(driftText(closing)).toBe("drift $300.00 (SOL) · halted · not opened: BTC");
    expect(driftTextShort(closing)).toBe("drift $300.00 (1 coin) · halted · 1 not opened");
    // Another gate at $0.00 holds nothing either: "not in sync", as the sweep's figure says it.
    const backoff = driftReport({
      targets: [target("ETH", 1, 1)],
      skipped: [{ coin: "ETH", reason: "backoff" }],
      actionCoins: [],
    });
    expect(driftText(backoff)).toBe("not in sync · blocked: ETH backoff");
    expect(driftTextShort(backoff)).toBe("not in sync · 1 blocked");
  });

  it("left alone: not counted in the drift total; denied coins are in sync, a not-ours position is not", () => {
    const denied = driftReport({
      targets: [target("BTC", 0.5, 0.5), target("ETH", 1, 1)],
      skipped: [{ coin: "BTC", reason: "coin-denied" }],
      actionCoins: [],
    });
    expect(denied.coins[0]).toMatchObject({ coin: "BTC", status: "left-alone", reason: "coin-denied" });
    // No target, so no drift figure: null, not 0 (0 reads "in sync").
    expect(denied.coins[0]?.driftUsd).toBeNull();
    expect(shownDrift(0, { status: "left-alone" })).toBeNull();
    expect(shownDrift(-12.5, { status: "tolerated" })).toBe(-12.5);
    expect(denied.inSync).toBe(true);
    const foreign = driftReport({
      targets: [target("DOGE", 300, 300, 0.1)],
      skipped: [{ coin: "DOGE", reason: "not-ours" }],
      actionCoins: [],
    });
    expect(foreign.inSync).toBe(false);
    expect(foreign.driftUsd).toBe(0);
    expect(driftText(foreign)).toBe("not in sync · left alone: DOGE not-ours");
  });

  it("'left alone' is every position the rows show left alone, named or counted: never a part of them", () => {
    // A position changed by hand (not-ours: not in sync) beside a denied coin (in sync by itself).
    const r = driftReport({
      targets: [target("DOGE", 300, 300, 0.1), target("ETH", 0, 0, 3400), target("BTC", 0.1, 0.1)],
      skipped: [
        { coin: "DOGE", reason: "not-ours" },
        { coin: "ETH", reason: "coin-denied" },
      ],
      actionCoins: [],
    });
    const rows = r.coins.filter((c) => c.status === "left-alone");
    expect(rows.map((c) => c.coin)).toEqual(["DOGE", "ETH"]);
    expect(r.inSync).toBe(false);
    expect(driftText(r)).toBe("not in sync · left alone: DOGE not-ours, ETH coin-denied");
    expect(driftTextShort(r)).toBe(`not in sync · ${rows.length} left alone`);
    expect(leftAloneShort(r)).toBe("2 left alone");
  });

  it("drift %: of the target's notional; undefined at a target of 0 (closing), never ±100 %", () => {
    expect(driftPct(75, 3, 150)).toBeCloseTo(16.667, 3);
    expect(driftPct(-160, -0.4, 3200)).toBeCloseTo(-12.5, 6);
    // Nothing held of a target: all of it is drift.
    expect(driftPct(64, 0.00067, 95_522)).toBeCloseTo(100, 1);
    // We hold what the leader closed: a % of a 0 target is undefined; the USD drift says how much.
    expect(driftPct(-58.39, 0, 37.67)).toBeNull();
    expect(driftClosing(-58.39, 0)).toBe(true);
    // Flat against a 0 target: in sync.
    // Flat on both sides: still a % of nothing, "-" (0.0 % read as a measured figure).
    expect(driftPct(0, 0, 37.67)).toBeNull();
    expect(driftClosing(0, 0)).toBe(false);
    // No figure: left alone (no drift, no target), or no mid.
    expect(driftPct(null, null, 100)).toBeNull();
    expect(driftClosing(null, null)).toBe(false);
    expect(driftPct(10, 1, null)).toBeNull();
  });

  it("figures in its words are rounded as every view rounds them (half away from zero, as written)", () => {
    const r = driftReport({
      targets: [{ ...target("ETH", 1, 0), driftUsd: 94.705 }],
      skipped: [],
      actionCoins: ["ETH"],
    });
    // (94.705).toFixed(2) is "94.70" (the binary value is 94.70499…); status's table says 94.71.
    expect(driftText(r)).toBe("drift $94.71 (ETH)");
  });

  it("deadband: max($10, pct of the target's notional)", () => {
    expect(deadbandUsd(1, 100, 2)).toBe(10);
    expect(deadbandUsd(10, 1000, 2)).toBe(200);
  });

  it("a hot-path plan replaces only its coins in the merged view", () => {
    const full = {
      targets: [target("BTC", 1, 1), target("ETH", 1, 0)],
      skipped: [],
      actions: [{ coin: "ETH" }],
    };
    const v1 = mergePlanView({ targets: [], skipped: [], actionCoins: [] }, full);
    const hot = { targets: [target("ETH", 1, 1)], skipped: [], actions: [] };
    const v2 = mergePlanView(v1, hot, ["ETH"]);
    expect(v2.targets.map((t) => [t.coin, t.ourSize])).toEqual([
      ["BTC", 1],
      ["ETH", 1],
    ]);
    expect(v2.actionCoins).toEqual([]);
    expect(driftReport(v2).inSync).toBe(true);
  });
});

describe("the planner's inSync is driftReport's", () => {
  it("on random leader/follower states", () => {
    const coins = ["BTC", "ETH", "SOL", "DOGE"];
    const markets = Object.fromEntries(
      coins.map((coin, i) => [
        coin,
        {
          coin,
          assetId: i,
          szDecimals: [5, 4, 2, 0][i] ?? 2,
          maxLeverage: 20,
          mid: [60_000, 3_000, 150, 0.1][i] ?? 1,
        },
      ]),
    );
    const sizes = fc.dictionary(fc.constantFrom(...coins), fc.double({ min: -50, max: 50, noNaN: true }));
    fc.assert(
      fc.property(
        sizes,
        sizes,
        fc.subarray(coins),
        fc.subarray(coins),
        fc.boolean(),
        fc.boolean(),
        (leaderSizes, ourSizes, deny, foreign, halted, stale) => {
          const settings = defaultSettings();
          settings.sizing.mode = "fixed-ratio";
          settings.sizing.ratio = 0.1;
          settings.risk.denyCoins = deny;
          settings.risk.maxLeverage = 50;
          const pos = (s: Record<string, number>) =>
            Object.fromEntries(
              Object.entries(s)
                .filter(([, v]) => Math.abs(v) > 1e-6)
                .map(([coin, size]) => [
                  coin,
                  { coin, size: Number(size.toFixed(2)), entryPx: markets[coin]?.mid ?? 1 },
                ]),
            );
          const plan: Plan = planOrders({
            leaders: [
              {
                address: "0x1111111111111111111111111111111111111111",
                accountValue: 1e6,
                positions: pos(leaderSizes),
                openOrders: [],
                time: 0,
                weight: 1,
              },
            ],
            ours: {
              address: "0x2222222222222222222222222222222222222222",
              accountValue: 1e5,
              positions: pos(ourSizes),
              openOrders: [],
              time: 0,
            },
            markets,
            settings,
            context: {
              now: 0,
              halted,
              staleLeader: stale,
              // Each left alone with none of it hlcopy's: the whole position by hand.
              foreignPositions: foreign.map((coin) => ({ coin, size: ourSizes[coin] ?? 0, managed: 0 })),
              cloidSeed: "x",
            },
          });
          const r = driftReport({
            targets: plan.targets,
            skipped: plan.skipped,
            actionCoins: plan.actions.map((a) => a.coin),
          });
          expect(r.inSync).toBe(plan.inSync);
        },
      ),
      { numRuns: fcRuns(300) },
    );
  });
});

describe("syncVerdict: the one verdict every view says", () => {
  const r = driftReport({ targets: [target("ETH", 1, 1)], skipped: [], actionCoins: [] });
  it("is the drift's on fresh data, and 'stale' (not in sync) beyond the engine's window", () => {
    const f = { freshAt: 1_000, staleMs: 60_000, lastInSyncAt: 900 };
    expect(syncVerdict(r, 61_000, f)).toEqual({ inSync: true, text: "in sync", short: "in sync" });
    expect(syncVerdict(r, 95_000, f)).toEqual({
      inSync: false,
      text: "stale 94s · last in sync 94s ago",
      short: "stale 94s · last in sync 94s ago",
    });
    expect(syncVerdict(r, 95_000, { ...f, lastInSyncAt: null }).text).toBe(
      "stale 94s · not in sync at the last read",
    );
    // No freshness known (an older event, before the first sweep): the drift's.
    expect(syncVerdict(r, 95_000).inSync).toBe(true);
  });
});
