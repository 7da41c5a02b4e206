// The pure guardrail decisions: which positions are hlcopy's own, the new-only join baseline,
// and when a live plan needs the trader's review.

import { PassThrough } from "node:stream";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { planReviewer, ReviewDeclined } from "../../src/cli/review.js";
import {
  dropClosedByFills,
  initialJoinBaseline,
  keepHeldSince,
  withoutJoinedByCopy,
} from "../../src/core/join.js";
import {
  type ForeignPosition,
  foreignPositions,
  foreignText,
  isCoinLeftAlone,
  leaveOutFlags,
  managedNow,
} from "../../src/core/ownership.js";
import {
  planChanges,
  planNotionalUsd,
  reviewKey,
  reviewReasons,
  SIZING_REVIEW_FACTOR,
  sizingChange,
} from "../../src/core/review.js";
import type { Settings } from "../../src/core/settings.js";
import { fcRuns } from "../helpers/fast-check.js";
import { account, LEADER, LEADER2, leader, plan, settingsWith } from "./planner-fixtures.js";

describe("positions hlcopy did not open", () => {
  const markets = { BTC: { coin: "BTC", assetId: 0, szDecimals: 5, maxLeverage: 40, mid: 100_000 } };
  const none = settingsWith({});

  it("before any live run every position is foreign", () => {
    expect(foreignPositions(account({ BTC: 0.1 }), null, markets, none)).toEqual([
      { coin: "BTC", size: 0.1, managed: 0 },
    ]);
  });

  it("more than managed on the same side, or the other side, is foreign; less is not (a liquidation, a stop)", () => {
    const managed = { BTC: 0.1 };
    expect(foreignPositions(account({ BTC: 0.1 }), managed, markets, none)).toEqual([]);
    expect(foreignPositions(account({ BTC: 0.05 }), managed, markets, none)).toEqual([]);
    expect(foreignPositions(account({ BTC: 0.10001 }), managed, markets, none)).toHaveLength(1);
    expect(foreignPositions(account({ BTC: -0.05 }), managed, markets, none)).toHaveLength(1);
  });

  it("what hlcopy's orders of unknown outcome may have filled is not foreign, and no more than that", () => {
    // Managed 0.1 BTC long, a 0.2 BTC sell timed out (it may have flipped us to −0.1).
    const managed = { BTC: 0.1 };
    const unresolved = { BTC: -0.2 };
    expect(foreignPositions(account({ BTC: -0.1 }), managed, markets, none, unresolved)).toEqual([]);
    expect(foreignPositions(account({ BTC: 0.1 }), managed, markets, none, unresolved)).toEqual([]);
    expect(foreignPositions(account({ BTC: -0.15 }), managed, markets, none, unresolved)).toHaveLength(1);
    expect(foreignPositions(account({ BTC: 0.2 }), managed, markets, none, unresolved)).toHaveLength(1);
    // A first buy that timed out: the account may hold up to its size.
    expect(foreignPositions(account({ BTC: 0.05 }), {}, markets, none, { BTC: 0.05 })).toEqual([]);
    expect(foreignPositions(account({ BTC: 0.05 }), {}, markets, none, {})).toHaveLength(1);
  });

  it("coins the settings leave alone are not checked; closing denied coins checks them", () => {
    const denied = settingsWith({ risk: { denyCoins: ["BTC"] } });
    expect(foreignPositions(account({ BTC: 1 }), null, markets, denied)).toEqual([]);
    const closing = settingsWith({ risk: { denyCoins: ["BTC"], closeDenied: true } });
    expect(foreignPositions(account({ BTC: 1 }), null, markets, closing)).toHaveLength(1);
  });

  it("the refusal's way to leave them out: the whole coin lists the run needs, which leave them out and nothing else in", () => {
    expect(leaveOutFlags(["BTC"], none)).toBe("--deny-coins BTC");
    // A deny list in effect (stored, or a flag) is kept: the flag replaces it for the run.
    expect(leaveOutFlags(["BTC"], settingsWith({ risk: { denyCoins: ["SOL"] } }))).toBe(
      "--deny-coins SOL,BTC",
    );
    // With an allow list they come out of it (a deny list naming them too would be refused).
    expect(leaveOutFlags(["BTC"], settingsWith({ risk: { allowCoins: ["ETH", "BTC"] } }))).toBe(
      "--allow-coins ETH",
    );
    // An allow list of those coins alone: no list leaves them out (an empty one copies every coin).
    expect(leaveOutFlags(["BTC"], settingsWith({ risk: { allowCoins: ["BTC"] } }))).toBeNull();
    // Closing denied coins would close them, not leave them alone: it goes off too.
    expect(leaveOutFlags(["BTC"], settingsWith({ risk: { denyCoins: ["SOL"], closeDenied: true } }))).toBe(
      "--deny-coins SOL,BTC --close-denied false",
    );

    // Whatever the lists, the settings the flags give leave the refused coins out (not foreign,
    // left alone) and every coin the run left alone before still alone.
    const COINS = ["BTC", "ETH", "SOL", "DOGE"];
    const apply = (flags: string, base: Settings): Settings => {
      const words = flags.split(" ");
      const value = (flag: string) => words[words.indexOf(flag) + 1];
      const risk = { ...base.risk };
      if (words.includes("--deny-coins")) risk.denyCoins = (value("--deny-coins") ?? "").split(",");
      if (words.includes("--allow-coins")) risk.allowCoins = (value("--allow-coins") ?? "").split(",");
      if (words.includes("--close-denied")) risk.closeDenied = value("--close-denied") === "true";
      return { ...base, risk };
    };
    const subset = fc.subarray(COINS);
    fc.assert(
      fc.property(subset, subset, fc.boolean(), subset, (allowCoins, denyCoins, closeDenied, held) => {
        const settings = settingsWith({
          risk: { allowCoins, denyCoins: denyCoins.filter((c) => !allowCoins.includes(c)), closeDenied },
        });
        const positions = Object.fromEntries(held.map((c) => [c, 1]));
        const marketsAll = Object.fromEntries(
          COINS.map((coin, assetId) => [coin, { coin, assetId, szDecimals: 2, maxLeverage: 20, mid: 10 }]),
        );
        const foreign = foreignPositions(account(positions), null, marketsAll, settings).map((f) => f.coin);
        if (foreign.length === 0) return;
        const flags = leaveOutFlags(foreign, settings);
        if (flags === null) {
          // Only an allow list holding nothing but refused coins: leaving them out copies nothing.
          expect(allowCoins.length > 0 && allowCoins.every((c) => foreign.includes(c))).toBe(true);
          return;
        }
        const after = apply(flags, settings);
        expect(foreignPositions(account(positions), null, marketsAll, after)).toEqual([]);
        for (const c of COINS)
          if (isCoinLeftAlone(c, settings)) expect(isCoinLeftAlone(c, after), c).toBe(true);
        // No coin is in both lists (a run would refuse the pair).
        expect(after.risk.allowCoins.filter((c) => after.risk.denyCoins.includes(c))).toEqual([]);
      }),
      { numRuns: fcRuns(300) },
    );
  });

  it("what hlcopy manages is its last snapshot plus its own fills since", () => {
    expect(managedNow({ BTC: 0.1, ETH: -1 }, { BTC: 0.05, SOL: 2 })).toEqual({
      BTC: 0.15000000000000002,
      ETH: -1,
      SOL: 2,
    });
  });

  it("a position changed outside hlcopy during a run is left alone by the planner, with its reason", () => {
    const p = plan({
      leader: leader({ BTC: 1 }),
      ours: account({ BTC: 0.5 }),
      context: { foreignPositions: [{ coin: "BTC", size: 0.5, managed: 0 }] },
    });
    expect(p.actions).toEqual([]);
    expect(p.skipped.map((s) => s.reason)).toContain("not-ours");
    expect(p.inSync).toBe(false);
  });

  it("what changed outside hlcopy is said as the part made by hand, not the whole position", () => {
    // hlcopy holds 1 SOL, the trader buys 0.5 more: the 0.5 by hand, beside hlcopy's 1.
    expect(foreignText({ coin: "SOL", size: 1.5, managed: 1 })).toBe("SOL +0.5 (of +1.5; hlcopy's +1)");
    // None of it hlcopy's: the whole position is by hand.
    expect(foreignText({ coin: "DOGE", size: 100, managed: 0 })).toBe("DOGE +100");
    // Flipped by hand: sold 1.5 of hlcopy's long 1; a short added to; no float dust.
    expect(foreignText({ coin: "ETH", size: -0.5, managed: 1 })).toBe("ETH -1.5 (of -0.5; hlcopy's +1)");
    expect(foreignText({ coin: "BTC", size: -0.3, managed: -0.1 })).toBe("BTC -0.2 (of -0.3; hlcopy's -0.1)");
    // What hlcopy opened and closed again sums to dust, not to 0 (0.0307 − 0.0214 − 0.0093): none of it hlcopy's.
    expect(foreignText({ coin: "ETH", size: 0.0214, managed: 0.0307 - 0.0214 - 0.0093 })).toBe("ETH +0.0214");
    // The planner's skip says it too.
    const p = plan({
      leader: leader({ BTC: 1 }),
      ours: account({ BTC: 0.5 }),
      context: { foreignPositions: [{ coin: "BTC", size: 0.5, managed: 0.1 }] },
    });
    expect(p.skipped.find((s) => s.reason === "not-ours")?.detail).toBe(
      "our BTC position changed outside hlcopy by +0.4 (of +0.5; hlcopy's +0.1): left alone (restart with --adopt to manage it)",
    );
  });
});

describe("join new-only baseline", () => {
  const pos = (size: number) => ({ coin: "BTC", size, entryPx: 1 });

  it("holds what the leader held at the start and keeps it while it is held on the same side", () => {
    const base = initialJoinBaseline({ BTC: pos(2), ETH: { coin: "ETH", size: 0, entryPx: 1 } });
    expect(base).toEqual({ BTC: 2 });
    expect(keepHeldSince(base, { BTC: pos(5) })).toEqual({ BTC: 2 }); // an add keeps it
    expect(keepHeldSince(base, {})).toEqual({}); // closed
    expect(keepHeldSince(base, { BTC: pos(-1) })).toEqual({}); // flipped
  });

  it("a fill that closed or flipped the coin between two runs ends it (a re-open is new)", () => {
    const base = { BTC: 2 };
    expect(dropClosedByFills(base, [{ coin: "BTC", side: "sell", sz: 1, startPosition: 2 }])).toEqual(base);
    expect(dropClosedByFills(base, [{ coin: "BTC", side: "sell", sz: 2, startPosition: 2 }])).toEqual({});
    expect(dropClosedByFills(base, [{ coin: "BTC", side: "sell", sz: 3, startPosition: 2 }])).toEqual({});
    expect(dropClosedByFills(base, [{ coin: "ETH", side: "sell", sz: 3, startPosition: 0 }])).toEqual(base);
  });

  it("a coin hlcopy already holds (an earlier run of the copy opened it) is joined: never left out", () => {
    // The copy opened ETH long under join all; the leader flipped short; new-only now applies.
    const base = initialJoinBaseline({ ETH: { coin: "ETH", size: -58, entryPx: 1 }, BTC: pos(2) });
    expect(withoutJoinedByCopy(base, { ETH: 0.58 })).toEqual({
      baseline: { BTC: 2 },
      joined: [{ coin: "ETH", size: 0.58 }],
    });
    // Float dust of summed fills is no position: the coin stays out.
    expect(withoutJoinedByCopy(base, { BTC: 1e-12 }).baseline).toEqual(base);
  });

  it("property: the baseline keeps exactly the coins hlcopy holds nothing of, and says each it dropped", () => {
    const coin = fc.constantFrom("BTC", "ETH", "SOL", "DOGE");
    const size = fc.oneof(fc.constant(0), fc.double({ min: -100, max: 100, noNaN: true }));
    fc.assert(
      fc.property(fc.dictionary(coin, size), fc.dictionary(coin, size), (baseline, managed) => {
        const { baseline: kept, joined } = withoutJoinedByCopy(baseline, managed);
        for (const [c, s] of Object.entries(baseline)) {
          const held = Math.abs(managed[c] ?? 0) > 1e-9;
          expect(kept[c]).toBe(held ? undefined : s);
          expect(joined.some((j) => j.coin === c)).toBe(held);
        }
        for (const c of Object.keys(kept)) expect(baseline[c]).toBeDefined();
        for (const j of joined) expect(j.size).toBe(managed[j.coin]);
      }),
      { numRuns: fcRuns(300) },
    );
  });
});

describe("review of a live plan", () => {
  const p = plan({
    leader: leader({ ETH: 10 }, 100_000),
    settings: settingsWith({ sizing: { mode: "fixed-ratio", ratio: 0.1 }, risk: { maxLeverage: 50 } }),
  });
  const input = {
    plan: p,
    accountValue: 10_000,
    firstRun: false,
    adopted: [] as ForeignPosition[],
    confirmAbovePct: 50,
  };

  it("an empty plan never needs one", () => {
    expect(reviewReasons({ ...input, plan: { ...p, actions: [] }, firstRun: true })).toEqual([]);
  });

  it("the first run, closing adopted positions, or a move above the threshold each need one", () => {
    const moved = planNotionalUsd(p);
    expect(moved).toBeGreaterThan(0);
    const pct = (moved / 10_000) * 100;
    expect(reviewReasons({ ...input, confirmAbovePct: pct + 1 })).toEqual([]);
    expect(reviewReasons({ ...input, confirmAbovePct: pct + 1, firstRun: true })[0]).toMatch(
      /first live run/,
    );
    expect(reviewReasons({ ...input, confirmAbovePct: pct - 1 })[0]).toMatch(
      /of equity \(more than exec\.confirmAbovePct/,
    );
  });

  it("closing adopted positions says which part of each is hlcopy's and which the trader's", () => {
    const eth = p.actions[0];
    if (!eth) throw new Error("ETH");
    const close = (coin: string) => ({
      ...eth,
      coin,
      side: "sell" as const,
      reduceOnly: true,
      size: 1,
      limitPx: 1,
    });
    const closing = { ...p, actions: [eth, close("SOL"), close("BTC"), close("SOL")] };
    // hlcopy opened 1.5 SOL, the trader added 0.5; all of BTC is the trader's; DOGE is adopted, not closed.
    const adopted: ForeignPosition[] = [
      { coin: "SOL", size: 2, managed: 1.5 },
      { coin: "DOGE", size: -50, managed: 0 },
      { coin: "BTC", size: 0.01, managed: 0 },
    ];
    expect(reviewReasons({ ...input, plan: closing, adopted, confirmAbovePct: 1e9 })).toEqual([
      "it reduces or closes positions hlcopy did not open: BTC +0.01, SOL +0.5 (of +2; hlcopy's +1.5)",
    ]);
    // Adopted but only increased: not a close, no reason of its own.
    expect(reviewReasons({ ...input, adopted, confirmAbovePct: 1e9 })).toEqual([]);
  });

  it("a sizing grown more than 2× since the last run of these leaders (or another mode or direction) needs one; a smaller one does not", () => {
    const last = (sizing: Parameters<typeof settingsWith>[0]["sizing"]) => ({
      command: "follow",
      startedAt: Date.UTC(2026, 11, 3, 14, 49, 25),
      // As journaled: plain JSON.
      settings: JSON.parse(JSON.stringify(settingsWith({ sizing }))) as unknown,
    });
    const now = (sizing: Parameters<typeof settingsWith>[0]["sizing"]) => settingsWith({ sizing });
    const ratio = (r: number) => ({ mode: "fixed-ratio" as const, ratio: r });
    expect(SIZING_REVIEW_FACTOR).toBe(2);
    expect(sizingChange(last(ratio(0.05)), now(ratio(0.05)))).toBeNull();
    const up = sizingChange(last(ratio(0.05)), now(ratio(1)));
    expect(up).toMatchObject({ factor: 20, review: true });
    expect(up?.reason).toBe(
      "its sizing changed since the last follow of these leaders (started 2026-12-03 14:49 UTC): fixed-ratio ratio 0.05 → fixed-ratio ratio 1, 20× the size — positions are traded to the new size",
    );
    // At most 2×: warned about (the engine's warning), not asked.
    expect(sizingChange(last(ratio(0.05)), now(ratio(0.1)))).toMatchObject({ factor: 2, review: false });
    // Smaller: exposure goes down, always allowed.
    expect(sizingChange(last(ratio(1)), now(ratio(0.05)))).toMatchObject({ review: false });
    // Every mode's own amount is compared.
    const multiplier = (m: number) => ({ mode: "equity-ratio" as const, multiplier: m });
    expect(sizingChange(last(multiplier(1)), now(multiplier(3)))).toMatchObject({ factor: 3, review: true });
    const notional = (n: number) => ({ mode: "fixed-notional" as const, notional: n });
    expect(sizingChange(last(notional(1000)), now(notional(1500)))?.review).toBe(false);
    // Another mode, or the other direction: not comparable, asked.
    const mode = sizingChange(last(ratio(0.05)), now(multiplier(1)));
    expect(mode).toMatchObject({ factor: null, review: true });
    expect(mode?.reason).toContain("another sizing mode");
    const flip = sizingChange(last(ratio(0.05)), now({ ...ratio(0.05), direction: "inverse" }));
    expect(flip).toMatchObject({ factor: null, review: true });
    expect(flip?.reason).toContain("every position flips side");
    // The reason joins the review's, after the first-run one, for a plan with orders only.
    const reasons = reviewReasons({ ...input, confirmAbovePct: 1e9, sizing: up });
    expect(reasons).toEqual([up?.reason]);
    expect(reviewReasons({ ...input, plan: { ...p, actions: [] }, sizing: up })).toEqual([]);
  });

  it("a fresh plan is covered by the yes unless it moves more, has a larger order, or closes positions hlcopy did not open", () => {
    const eth = p.actions[0];
    expect(eth?.coin).toBe("ETH");
    if (!eth) return;
    const withActions = (...actions: (typeof eth)[]) => ({ ...p, actions });
    const usd = Math.abs(eth.size * eth.limitPx);
    expect(usd).toBeGreaterThan(1_000);
    expect(planChanges(p, p)).toEqual([]);
    // Prices and the leader move while the trader reads: the same scale, or less, needs no new yes.
    expect(planChanges(p, withActions({ ...eth, size: eth.size * 1.05 }))).toEqual([]);
    expect(
      planChanges(
        p,
        withActions({ ...eth, size: eth.size / 2 }, { ...eth, coin: "BTC", size: eth.size / 2 }),
      ),
    ).toEqual([]);
    expect(planChanges(p, withActions({ ...eth, side: "sell" }))).toEqual([]);
    expect(planChanges(p, withActions())).toEqual([]);
    // More in all, or a larger single order: asked again, saying what grew.
    const doubled = planChanges(p, withActions({ ...eth, size: eth.size * 2 }));
    expect(doubled).toHaveLength(2);
    expect(doubled[0]).toMatch(/^it now moves \$[\d,]+\.\d\d, you confirmed \$[\d,]+\.\d\d$/);
    expect(doubled[1]).toMatch(
      /^its largest order is now \$[\d,]+\.\d\d \(ETH buy\), the largest you confirmed \$[\d,]+\.\d\d$/,
    );
    const spread = planChanges(p, withActions(eth, { ...eth, coin: "BTC" }));
    expect(spread).toHaveLength(1);
    expect(spread[0]).toMatch(/^it now moves /);
    // Closing a position hlcopy did not open is its own reason, however small.
    const small = { ...eth, coin: "DOGE", size: 1, limitPx: 0.2, reduceOnly: true, side: "sell" as const };
    // Said as every message about such a position: the part by hand, hlcopy's part beside it.
    const doge: ForeignPosition[] = [{ coin: "DOGE", size: 100, managed: 60 }];
    expect(planChanges(p, withActions(eth, small), doge)).toEqual([
      "it now reduces or closes positions hlcopy did not open: DOGE +40 (of +100; hlcopy's +60)",
    ]);
    expect(planChanges(withActions(eth, small), withActions(eth, small), doge)).toEqual([]);
  });

  it("growth within what a run moves without asking (exec.confirmAbovePct of equity) needs no new yes; beyond it, it does", () => {
    const eth = p.actions[0];
    if (!eth) throw new Error("ETH");
    const withActions = (...actions: (typeof eth)[]) => ({ ...p, actions });
    const confirmed = planNotionalUsd(p);
    // A leader building positions while the trader read: the plan grew by $300 (and its one
    // order with it), on $10 000 of equity with the default 50 %: a run copies that unasked.
    const grown = withActions({ ...eth, size: eth.size * ((confirmed + 300) / confirmed) });
    expect(planChanges(p, grown)).toHaveLength(2);
    expect(planChanges(p, grown, [], 5_000)).toEqual([]);
    // Beyond the slack it is asked again, saying what grew.
    const far = withActions({ ...eth, size: eth.size * ((confirmed + 5_100) / confirmed) });
    expect(planChanges(p, far, [], 5_000)[0]).toMatch(
      /^it now moves \$[\d,]+\.\d\d, you confirmed \$[\d,]+\.\d\d$/,
    );
    // Positions hlcopy did not open are asked for however much slack there is.
    const small = { ...eth, coin: "DOGE", size: 1, limitPx: 0.2, reduceOnly: true, side: "sell" as const };
    expect(planChanges(p, withActions(eth, small), [{ coin: "DOGE", size: 100, managed: 0 }], 5_000)).toEqual(
      ["it now reduces or closes positions hlcopy did not open: DOGE +100"],
    );
  });

  it("one key per leader set, whatever the order or case", () => {
    expect(reviewKey([LEADER2, LEADER])).toBe(reviewKey([LEADER, LEADER2.toUpperCase() as typeof LEADER2]));
  });

  it("on a terminal it asks; y confirms, anything else does not; without a terminal it refuses", async () => {
    const ask = async (answer: string) => {
      const input = Object.assign(new PassThrough(), { isTTY: true });
      const err = Object.assign(new PassThrough(), { isTTY: true });
      let shown = "";
      err.on("data", (d) => {
        shown += d;
      });
      const review = planReviewer(false, { input, err });
      const pending = review(p, ["this is the first live run"]).catch((e: unknown) => e);
      input.write(`${answer}\n`);
      const ok = await pending;
      return { ok, shown };
    };
    const yes = await ask("y");
    expect(yes.ok).toBe(true);
    expect(yes.shown).toContain("this is the first live run");
    expect(yes.shown).toMatch(/BUY .* ETH/);
    // Anything else is a no: the trader's decision (exit 0, one plain line), not an error.
    for (const answer of ["", "no"]) {
      const no = (await ask(answer)).ok;
      expect(no).toBeInstanceOf(ReviewDeclined);
      expect(no).toMatchObject({ message: "not confirmed: nothing was sent", exitCode: 2 });
    }
    const piped = planReviewer(false, { input: new PassThrough(), err: new PassThrough() });
    await expect(piped(p, ["big"])).rejects.toThrow(/needs your review before it trades: big/);
    expect(await planReviewer(true)(p, ["big"])).toBe(true);
  });
});
