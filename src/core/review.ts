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

/** The largest order of a plan, in USD at its limit, and which it is. */
function largestOrder(plan: Plan): { usd: number; what: string } {
  let best = { usd: 0, what: "" };
  for (const a of plan.actions) {
    const usd = Math.abs(a.size * a.limitPx);
    if (usd > best.usd) best = { usd, what: `${a.coin} ${a.side}` };
  }
  return best;
}

const usd = (x: number): string => `$${detailNumber(Math.round(x))}`;

/**
 * What a fresh plan asks of the trader beyond the plan they said yes to (prices and the leader
 * move while they read, so the orders themselves differ; what the yes covered is its scale):
 * more USD in all or a larger single order, beyond what a run moves without asking — `slackUsd`,
 * exec.confirmAbovePct of equity: once running, a leader's trade of that size is copied without
 * a question too (and never less than `tolerance`, 10 %, and $10) — or positions hlcopy did not
 * open that the confirmed plan left alone, however small. Empty: the yes covers the fresh plan.
 * (A leader building positions while the trader read moved every fresh plan 10 % further: the
 * question came back at every answer and a trader could not get started.)
 */
export function planChanges(
  confirmed: Plan,
  fresh: Plan,
  adopted: readonly string[] = [],
  slackUsd = 0,
  tolerance = 0.1,
): string[] {
  const more = (now: number, was: number) => now > Math.max(was * (1 + tolerance) + 10, was + slackUsd);
  const changes: string[] = [];
  const [movedNow, movedThen] = [planNotionalUsd(fresh), planNotionalUsd(confirmed)];
  if (more(movedNow, movedThen))
    changes.push(`it now moves ${usd(movedNow)}, you confirmed ${usd(movedThen)}`);
  const [largestNow, largestThen] = [largestOrder(fresh), largestOrder(confirmed)];
  if (more(largestNow.usd, largestThen.usd))
    changes.push(
      `its largest order is now ${usd(largestNow.usd)} (${largestNow.what}), the largest you confirmed ${usd(largestThen.usd)}`,
    );
  const closing = (plan: Plan) =>
    new Set(plan.actions.filter((a) => a.reduceOnly && adopted.includes(a.coin)).map((a) => a.coin));
  const closedThen = closing(confirmed);
  const newlyClosed = [...closing(fresh)].filter((c) => !closedThen.has(c));
  if (newlyClosed.length > 0)
    changes.push(`it now reduces or closes positions hlcopy did not open: ${newlyClosed.join(", ")}`);
  return changes;
}
