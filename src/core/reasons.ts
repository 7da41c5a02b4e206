// One line of plain text per reason code (dashboard, log lines, --json help), and which
// skips mean "drift remains" (reconcile exits 3) versus "the copy working as intended".

import { NOT_OURS_TEXT } from "./ownership.js";
import type { ReasonCode } from "./types.js";

export const REASON_TEXT: Readonly<Record<ReasonCode, string>> = {
  open: "open a new position",
  increase: "increase toward the target",
  reduce: "reduce toward the target",
  close: "close the position",
  flip: "close to flip to the other side",
  "leader-liquidated": "the leader was liquidated: close",
  "kill-switch": "kill switch: flatten reduce-only",
  flatten: "your flatten (manual halt): close reduce-only",
  "time-stop": "time stop: held risk.maxHoldHours, closed reduce-only",
  "leader-unfollowed": "a leader no longer followed: its share is closed reduce-only",
  "in-sync": "in sync",
  "below-min-notional": "below the exchange's $10 minimum order",
  "inside-deadband": "drift inside the deadband",
  "coin-denied": "coin is on the deny list",
  "coin-not-allowed": "coin is not on the allow list",
  "leverage-cap": "capped by max leverage",
  "notional-cap": "capped by max notional per coin",
  "total-notional-cap": "capped by max total notional",
  "margin-cap":
    "capped by the account's margin: Σ notional ÷ each coin's exchange leverage (with fees and slippage) may not pass the account value",
  "cap-no-room":
    "capped: no room left under the portfolio cap (or the account's margin) for this increase — the target is not reached (not in sync)",
  "entry-drift": "price moved too far from the leader's price: increase skipped",
  "stale-leader": "leader data is stale or unusable: increases blocked",
  "leader-no-equity":
    "the leader's equity net of cash flows is ≤ 0: nothing to size from, no target (ours left alone)",
  "no-equity":
    "our account value is $0: nothing to copy with, no target (fund the account or check --account)",
  halted: "halted: increases blocked",
  "daily-loss": "daily loss limit hit: increases blocked",
  "not-joined": "opened before we joined (new-only): not copied",
  // core/ownership.ts words whose a position is (the one place for it).
  "not-ours": NOT_OURS_TEXT,
  "unknown-market": "not a market on the exchange (delisted?) or no usable price: unmanaged",
  "leverage-not-set": "the exchange's leverage or margin mode could not be set: increases blocked",
  backoff: "backing off after a rejection",
  "order-pending": "an order for this coin is in flight",
  "order-unknown":
    "the outcome of our last order for this coin is not known, its reply lost: held until it is looked up by cloid and our position read again",
  "stop-loss": "resting stop-loss (reduce-only trigger on the exchange)",
  "take-profit": "resting take-profit (reduce-only trigger on the exchange)",
  "stopped-out":
    "our own exit (stop, take-profit or time stop) closed this copy: no re-entry until the leader closes or flips the coin",
  "max-positions": "risk.maxPositions coins are held already: this new coin is not opened",
  "entry-only": "entry-only: the leader reduced or closed, ours is kept (exits are our own stops)",
  "allocation-cap": "capped by the leader's allocation (risk.maxAllocationPct of equity)",
  "leader-leverage": "the leader's leverage is above risk.leaderMaxLeverage: no increases from it",
  "leader-new-coin": "the leader opened a coin it had not traded in 30 days: not copied",
  "negative-edge": "kelly: the leader's edge is negative or unknown: not copied",
  "sizing-input-missing":
    "the sizing mode's input (a coin's volatility, the leader's edge) is not known — not read yet, or too few candles for one: left alone",
  "copy-delay": "copy delay: the leader's increase is copied once it has held it long enough",
  "reversed-after-delay": "copy delay: the leader reduced or exited before the delay ended: not copied",
  "outside-trading-hours": "outside exec.tradingHours (UTC): increases wait for the window",
  "below-min-order": "below exec.minOrderUsd: too small to be worth its fees",
  "passive-resting": "a passive entry rests on the book for this coin: waiting for its fill or timeout",
  "passive-cancel": "cancel the resting passive entry: the target no longer wants it",
  paused: "the run was paused (p or hlcopy pause) when the leader traded: not copied",
  stopping:
    "the run was stopping when the leader traded (or before its copy was planned): not copied — nothing is sent after a stop",
};

/** The one-line text of a reason code. */
export function reasonText(code: ReasonCode): string {
  return REASON_TEXT[code] ?? code;
}

/** Reason codes an action can carry. */
export const ACTION_REASONS: ReadonlySet<ReasonCode> = new Set<ReasonCode>([
  "open",
  "increase",
  "reduce",
  "close",
  "flip",
  "leader-liquidated",
  "kill-switch",
  "flatten",
  "time-stop",
  "leader-unfollowed",
  // a close of a coin we no longer copy (risk.closeDenied)
  "coin-denied",
  "coin-not-allowed",
  // a close of a leader's coin kelly no longer copies
  "negative-edge",
]);

/**
 * Skips after which drift remains that a later run should fix, or a human must look at: a
 * gate that will lift (stale leader, daily loss, entry drift, backoff, an order in flight),
 * a halt, a coin the exchange does not list (a delisted position sits unmanaged), or leverage
 * that could not be set. Every other skip is a standing decision (deadband, $10 minimum,
 * deny/allow lists, not joined, caps) and counts as in sync.
 */
export const DRIFT_REASONS: ReadonlySet<ReasonCode> = new Set<ReasonCode>([
  "entry-drift",
  "stale-leader",
  "leader-no-equity",
  "no-equity",
  "cap-no-room",
  "daily-loss",
  "backoff",
  "order-pending",
  "order-unknown",
  "halted",
  "not-ours",
  "unknown-market",
  "leverage-not-set",
  "sizing-input-missing",
  "passive-resting",
]);

/**
 * Skips that say a cap cut the coin's target or its order. Beside an order for the coin they
 * are not a skip at all — the order goes, smaller: views say "buy 8.8 (capped)", never
 * "planned; skipped: leverage-cap".
 */
export const CAP_REASONS: ReadonlySet<ReasonCode> = new Set<ReasonCode>([
  "leverage-cap",
  "notional-cap",
  "total-notional-cap",
  "margin-cap",
  "allocation-cap",
]);

/**
 * A cap's note beside an order for its coin: no skip — the order goes, cut. Every view lists it
 * as `capped`, never under `skipped` (reconcile's lists, follow's event lines, the journal, and
 * `capped: true` on the entry in --json). A cap with no order for its coin is a skip.
 * @param actionCoins the coins the plan has an order for.
 */
export function isCappedOrder(
  skip: { coin: string; reason: string },
  actionCoins: ReadonlySet<string>,
): boolean {
  return actionCoins.has(skip.coin) && CAP_REASONS.has(skip.reason as ReasonCode);
}

/** True when a skip with this reason leaves drift a later run should fix. */
export function keepsDrift(code: ReasonCode): boolean {
  return DRIFT_REASONS.has(code);
}
