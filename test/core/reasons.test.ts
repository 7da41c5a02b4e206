import { describe, expect, it } from "vitest";
import {
  ACTION_REASONS,
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
        // our last order's outcome is not known: held until looked up and our position read again
        "order-unknown",
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
      // the account's margin cut an increase (the order goes, smaller: "capped")
      "margin-cap",
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
