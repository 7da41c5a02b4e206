import { describe, expect, it } from "vitest";
import {
  ACTION_REASONS,
  countedSkips,
  DRIFT_REASONS,
  keepsDrift,
  REASON_TEXT,
  reasonText,
} from "../../src/core/reasons.js";
import type { ReasonCode } from "../../src/core/types.js";

describe("reasons", () => {
  it("every reason code has one line of text", () => {
    for (const [code, text] of Object.entries(REASON_TEXT)) {
      expect(text.length, code).toBeGreaterThan(3);
      expect(text).not.toContain("\n");
    }
    expect(reasonText("below-min-notional")).toBe("below the exchange's $10 minimum order");
  });

  it("gates that will lift, unmanaged coins and unset leverage keep drift; standing decisions count as in sync", () => {
    expect([...DRIFT_REASONS].sort()).toEqual(
      [
        "backoff",
        "daily-loss",
        "entry-drift",
        "halted",
        "not-ours",
        "order-pending",
        "stale-leader",
        // nothing to size from (the leader's equity net of cash flows ≤ 0): no target, not in sync
        "leader-no-equity",
        // nothing to copy with (our account value $0)
        "no-equity",
        // a portfolio cap left no room for an increase: the target is not reached
        "cap-no-room",
        // a delisted / unpriced coin someone holds sits unmanaged: never "in sync" (issue 12.8)
        "unknown-market",
        "leverage-not-set",
        // issue 21: a sizing input still to be read, a passive entry still resting
        "sizing-input-missing",
        "passive-resting",
      ].sort(),
    );
    const standing: ReasonCode[] = [
      "in-sync",
      "inside-deadband",
      "below-min-notional",
      "coin-denied",
      "coin-not-allowed",
      "not-joined",
      "notional-cap",
      "leverage-cap",
      "total-notional-cap",
      // issue 21: the trader's own entry rules and a leader kelly does not copy
      "negative-edge",
      "copy-delay",
      "reversed-after-delay",
      "outside-trading-hours",
      "below-min-order",
    ];
    for (const code of standing) expect(keepsDrift(code), code).toBe(false);
  });

  it("action reasons and drift reasons do not overlap", () => {
    for (const code of ACTION_REASONS) expect(DRIFT_REASONS.has(code)).toBe(false);
  });
});

describe("countedSkips: the leader's trades a run did not copy", () => {
  const buy = (coin: string, reason: ReasonCode = "open", reduceOnly = false) => ({
    coin,
    reduceOnly,
    reason,
  });
  it("a trade the pause held is skipped `paused`, once per coin (a flip's two orders are one trade)", () => {
    const plan = {
      actions: [buy("BTC", "flip", true), buy("BTC", "open"), buy("ETH", "increase")],
      skipped: [{ coin: "SOL", reason: "below-min-notional" }],
    };
    expect(countedSkips("fill", plan)).toEqual(["below-min-notional"]);
    expect(countedSkips("fill", plan, "paused").sort()).toEqual(["below-min-notional", "paused", "paused"]);
    // A sweep's plan is never counted, held or not.
    expect(countedSkips("sweep", plan, "paused")).toEqual([]);
  });

  it("a halt's close, which a pause still sends, is no paused skip; a cap beside a held order is no second skip", () => {
    const plan = {
      actions: [buy("BTC", "kill-switch", true), buy("ETH", "increase")],
      skipped: [{ coin: "ETH", reason: "leverage-cap" }],
    };
    expect(countedSkips("fill", plan, "paused")).toEqual(["paused"]);
    expect(
      countedSkips("fill", { ...plan, actions: [plan.actions[0] as (typeof plan.actions)[0]] }, "paused"),
    ).toEqual(["leverage-cap"]);
    expect(reasonText("paused")).toContain("paused");
  });
});
