// When a live run must be reviewed by the trader before it sends anything: the first live
// run for an (account, leader set), a plan that closes positions hlcopy did not open, or a
// plan that moves more than `exec.confirmAbovePct` % of equity. Pure: the CLI asks on a TTY
// and refuses without one.

import { detailNumber } from "./format.js";
import type { Address, Plan } from "./types.js";

export interface ReviewInput {
  plan: Plan;
  accountValue: number;
  /** No live run has been reviewed for this account and leader set. */
  firstRun: boolean;
  /** Coins whose positions hlcopy adopted in this run (it did not open them). */
  adopted: readonly string[];
  confirmAbovePct: number;
}

/** Σ |size| × limit price of the plan's orders (USD it would move). */
export function planNotionalUsd(plan: Plan): number {
  return plan.actions.reduce((s, a) => s + Math.abs(a.size * a.limitPx), 0);
}

/** Why this plan needs the trader's review (empty: it does not). */
export function reviewReasons(input: ReviewInput): string[] {
  const { plan } = input;
  if (plan.actions.length === 0) return [];
  const reasons: string[] = [];
  if (input.firstRun) reasons.push("this is the first live run copying these leaders into this account");
  const closing = plan.actions
    .filter((a) => a.reduceOnly && input.adopted.includes(a.coin))
    .map((a) => a.coin);
  if (closing.length > 0) {
    reasons.push(`it reduces or closes positions hlcopy did not open: ${[...new Set(closing)].join(", ")}`);
  }
  const moved = planNotionalUsd(plan);
  const pct = input.accountValue > 0 ? (moved / input.accountValue) * 100 : Number.POSITIVE_INFINITY;
  if (pct > input.confirmAbovePct) {
    reasons.push(
      `it moves $${detailNumber(Math.round(moved))}, ${Number.isFinite(pct) ? `${detailNumber(Math.round(pct))}%` : "all"} of equity (more than exec.confirmAbovePct ${detailNumber(input.confirmAbovePct)}%)`,
    );
  }
  return reasons;
}

/** The journal key under which a reviewed (account, leader set) is remembered. */
export function reviewKey(leaders: readonly Address[]): string {
  return `reviewed:${[...leaders]
    .map((l) => l.toLowerCase())
    .sort()
    .join(",")}`;
}

/** What a plan orders per coin, side and kind ("HYPE buy", "ETH sell reduce-only"), summed. */
function orderedSizes(plan: Plan): Map<string, number> {
  const out = new Map<string, number>();
  for (const a of plan.actions) {
    const key = `${a.coin} ${a.side}${a.reduceOnly ? " reduce-only" : ""}`;
    out.set(key, (out.get(key) ?? 0) + Math.abs(a.size));
  }
  return out;
}

/**
 * What a fresh plan orders that the trader did not confirm: a coin, side or kind the confirmed
 * plan did not have, or more than `tolerance` (10 %: prices move while the trader reads; a
 * target in USD is a few % more or fewer coins) above the confirmed size. Fewer or smaller
 * orders need no new answer. Empty: the confirmation covers the fresh plan.
 */
export function planChanges(confirmed: Plan, fresh: Plan, tolerance = 0.1): string[] {
  const before = orderedSizes(confirmed);
  const changes: string[] = [];
  for (const [key, size] of orderedSizes(fresh)) {
    const was = before.get(key);
    if (was === undefined) changes.push(`${key} ${detailNumber(size)} (not in the plan you confirmed)`);
    else if (size > was * (1 + tolerance))
      changes.push(`${key} ${detailNumber(size)} (you confirmed ${detailNumber(was)})`);
  }
  return changes;
}
