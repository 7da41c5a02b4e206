// A copy too small to hold anything: every position the leaders hold is under the minimum
// order at the run's size, and the account holds none of them. It read "in sync: nothing to do"
// run after run; now it is found (and the engine refuses the run), with a size that copies.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MIN_ORDER_USD } from "../../src/core/drift.js";
import { tooSmallCopy, tooSmallText } from "../../src/core/too-small.js";
import type { Plan } from "../../src/core/types.js";
import { fcRuns } from "../helpers/fast-check.js";
import {
  account,
  LEADER2,
  leader,
  plan,
  REFERENCE_COINS,
  REFERENCE_MARKETS,
  settingsWith,
} from "./planner-fixtures.js";

const mid = (coin: string) => REFERENCE_MARKETS[coin]?.mid ?? Number.NaN;
/** A leader position worth `usd` in `coin`, in whole lots. */
const worth = (coin: string, usd: number) => {
  const d = REFERENCE_MARKETS[coin]?.szDecimals ?? 0;
  return Number((usd / mid(coin)).toFixed(d));
};
const fixed = (ratio: number, exec = {}) => settingsWith({ sizing: { mode: "fixed-ratio", ratio }, exec });
/** The `--flag value` the hint suggests. */
const suggested = (hint: string, flag: string): number => {
  const m = hint.match(new RegExp(`--${flag} ([0-9.e-]+)\\)`));
  return m ? Number(m[1]) : Number.NaN;
};

describe("a copy too small to hold anything", () => {
  it("is found when every target is under $10 and the account holds none; the ratio it suggests copies", () => {
    const lead = leader({ ETH: worth("ETH", 2_000), SOL: worth("SOL", 1_500) });
    const settings = fixed(0.002);
    const p = plan({ leader: lead, settings });
    expect(p.actions).toEqual([]);
    expect(p.inSync).toBe(true); // what every view said: "in sync"
    const found = tooSmallCopy(p, settings, REFERENCE_MARKETS);
    expect(found?.coins.map((c) => c.coin)).toEqual(["ETH", "SOL"]);
    expect(found?.coins[0]?.targetUsd).toBeCloseTo(4, 0);
    const { message, hint } = tooSmallText(found as NonNullable<typeof found>, settings);
    expect(message).toMatch(
      /^at fixed-ratio ratio 0\.002, every position the leader holds is under the exchange's \$10 minimum order \(targets ETH \$4\.\d\d, SOL \$[23]\.\d\d\), and the account holds none of them: the copy would hold nothing$/,
    );
    expect(hint).toMatch(
      /^size the copy about [\d.]+× larger \(--ratio [\d.]+\), or copy a leader whose positions are larger$/,
    );
    // fixed-ratio does not grow with the account: funding it is no way forward.
    expect(hint).not.toMatch(/fund/);
    const ratio = suggested(hint, "ratio");
    expect(plan({ leader: lead, settings: fixed(ratio) }).actions.length).toBeGreaterThan(0);
  });

  it("equity-ratio: the multiplier or the account's equity are the ways forward", () => {
    const lead = leader({ ETH: worth("ETH", 50_000) }, 10_000_000);
    const settings = settingsWith({ sizing: { mode: "equity-ratio", multiplier: 1 } });
    const p = plan({ leader: lead, ours: account({}, 1_000), settings });
    const found = tooSmallCopy(p, settings, REFERENCE_MARKETS);
    const { hint } = tooSmallText(found as NonNullable<typeof found>, settings);
    expect(hint).toMatch(
      /^size the copy about 2\.?\d*× larger \(--multiplier 2\.?\d*\), or fund the account \(about 2\.?\d*× its equity\), or copy a leader whose positions are larger$/,
    );
    // A paper account is funded by its flag.
    expect(tooSmallText(found as NonNullable<typeof found>, settings, true).hint).toMatch(
      /, or a larger --paper-equity \(about 2\.?\d*× this one\), or copy/,
    );
    const multiplier = suggested(hint, "multiplier");
    const bigger = settingsWith({ sizing: { mode: "equity-ratio", multiplier } });
    expect(plan({ leader: lead, ours: account({}, 1_000), settings: bigger }).actions.length).toBe(1);
  });

  it("exec.minOrderUsd above $10 is named, and lowering it is a way forward", () => {
    const lead = leader({ ETH: worth("ETH", 3_000) });
    const settings = fixed(0.01, { minOrderUsd: 50 });
    const found = tooSmallCopy(plan({ leader: lead, settings }), settings, REFERENCE_MARKETS);
    expect(found?.minOrderUsd).toBe(50);
    const { message, hint } = tooSmallText(found as NonNullable<typeof found>, settings);
    expect(message).toMatch(/is under exec\.minOrderUsd \(\$50\) \(targets ETH \$(29|30)\.\d\d\)/);
    expect(hint).toContain("or lower --min-order-usd,");
  });

  it("several leaders: said of the leaders", () => {
    const leaders = [
      leader({ ETH: worth("ETH", 1_000) }, 100_000, { weight: 0.5 }),
      leader({ SOL: worth("SOL", 1_000) }, 100_000, { address: LEADER2, weight: 0.5 }),
    ];
    const settings = fixed(0.002);
    const found = tooSmallCopy(plan({ leaders, settings }), settings, REFERENCE_MARKETS);
    expect(found?.leaders).toBe(2);
    expect(tooSmallText(found as NonNullable<typeof found>, settings).message).toContain(
      "every position the leaders hold is under",
    );
  });

  it("is not found when the copy holds something, opens something, or is stopped by something else", () => {
    const lead = leader({ ETH: worth("ETH", 2_000), SOL: worth("SOL", 1_500) });
    const settings = fixed(0.002);
    const none = (p: Plan) => tooSmallCopy(p, settings, REFERENCE_MARKETS);
    // We hold a position of the copy's coins: the run manages it.
    expect(none(plan({ leader: lead, ours: account({ ETH: 0.01 }), settings }))).toBeNull();
    // A coin the copy can open.
    expect(
      none(plan({ leader: leader({ ETH: worth("ETH", 2_000), BTC: worth("BTC", 20_000) }), settings })),
    ).toBeNull();
    // Halted: nothing is opened, for its own reason.
    expect(none(plan({ leader: lead, settings, context: { halted: true } }))).toBeNull();
    // The leader holds only dust (worth less than $10 itself): copied as flat at any size.
    expect(none(plan({ leader: leader({ SOL: worth("SOL", 6) }), settings: fixed(1) }))).toBeNull();
    // The leader holds nothing.
    expect(none(plan({ leader: leader({}), settings }))).toBeNull();
  });

  it("a coin the settings leave out is not the copy's: the rest are still too small", () => {
    const lead = leader({ ETH: worth("ETH", 2_000), BTC: worth("BTC", 50_000) });
    const settings = settingsWith({
      sizing: { mode: "fixed-ratio", ratio: 0.002 },
      risk: { denyCoins: ["BTC"] },
    });
    const found = tooSmallCopy(plan({ leader: lead, settings }), settings, REFERENCE_MARKETS);
    expect(found?.coins.map((c) => c.coin)).toEqual(["ETH"]);
  });

  it("property: found exactly when the flat copy opens nothing of a position worth $10 — and its suggestion opens one", () => {
    const coins = REFERENCE_COINS.filter((c) => Number.isFinite(mid(c)) && mid(c) > 0);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom(...coins), { minLength: 1, maxLength: 4 }),
        fc.array(fc.double({ min: 1, max: 200_000, noNaN: true }), { minLength: 4, maxLength: 4 }),
        fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
        fc.double({ min: 1e-5, max: 0.05, noNaN: true }),
        (picked, values, shorts, ratio) => {
          const positions: Record<string, number> = {};
          picked.forEach((coin, i) => {
            const size = worth(coin, values[i] ?? 0) * (shorts[i] ? -1 : 1);
            if (size !== 0) positions[coin] = size;
          });
          const lead = leader(positions, 10_000_000);
          const settings = fixed(ratio);
          const p = plan({ leader: lead, ours: account({}, 1_000_000), settings });
          const found = tooSmallCopy(p, settings, REFERENCE_MARKETS);
          const copyable = Object.entries(positions).some(([c, s]) => Math.abs(s) * mid(c) >= MIN_ORDER_USD);
          expect(found !== null).toBe(p.actions.length === 0 && copyable);
          if (!found) return;
          const next = suggested(tooSmallText(found, settings).hint, "ratio");
          if (!(next <= 1000)) return; // beyond the setting's range: not suggested
          const bigger = plan({ leader: lead, ours: account({}, 1_000_000), settings: fixed(next) });
          expect(bigger.actions.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: fcRuns(300) },
    );
  });
});
