// Slippage and order kinds: what each of our orders is measured against, and which figure it
// belongs to. One meaning everywhere (engine, journal, dashboard, status, report, metrics):
// * execution slippage — our fill against the touch when the order was decided (best ask for a
//   buy, best bid for a sell; the mid when no book is known). Every order has one.
// * copy slippage — our fill against the leader's fill price. Only hot-path copies have one
//   (an order sent because a leader fill just came in): a sweep repair, a join or a safety
//   close is not a copy of any one leader trade, so its distance to the leader's last price
//   says nothing about execution (a run showed 278 bps "slippage" that way).
// * copy lag — leader fill → our fill, also for hot-path copies only.
// Positive bps = worse for us.

import { roundFigure } from "./format.js";
import { quantile } from "./stats.js";
import type { Market, ReasonCode, Side } from "./types.js";

/**
 * Why an order was sent, for the figures: `copy` a hot-path copy of a leader fill, `repair` a
 * sweep (or reconcile) bringing a coin back to its target, `join` the run's first sweep taking
 * up what the leaders already held, `safety` a close a safety rule made (kill switch, leader
 * liquidated, our stop or take-profit), `flatten` a close the trader asked for (`hlcopy
 * flatten`, the dashboard's `f`, the closes of the halt it leaves, and `--on-exit flatten`, the
 * trader's standing instruction for the end of a run): the trader's own request, not a rule
 * that tripped — whoever opened the position. A status showing `safety` closes after a run
 * that ended as asked would say a rule tripped when none did.
 */
export type OrderKind = "copy" | "repair" | "join" | "safety" | "flatten";
export const ORDER_KINDS: readonly OrderKind[] = ["copy", "repair", "join", "safety", "flatten"];

/** What made the engine plan: a leader fill (hot path), a sweep, the run's first sweep, a manual request, the on-exit step (its flatten). */
export type OrderTrigger = "fill" | "sweep" | "start" | "manual" | "exit";

const SAFETY_REASONS: ReadonlySet<ReasonCode> = new Set<ReasonCode>([
  "kill-switch",
  "leader-liquidated",
  "stop-loss",
  "take-profit",
]);

/**
 * The kind of an order. `leaderFill`: the hot-path plan was triggered by a leader fill in this
 * coin (a re-plan after a backoff, or a position change seen without a fill, is a repair).
 */
export function orderKind(trigger: OrderTrigger, reason: ReasonCode, leaderFill: boolean): OrderKind {
  if (trigger === "exit" || reason === "flatten") return "flatten";
  if (SAFETY_REASONS.has(reason)) return "safety";
  if (trigger === "fill") return leaderFill ? "copy" : "repair";
  if (trigger === "start") return "join";
  return "repair";
}

/** The kind an order's reason alone tells (for orders journaled without one): safety, flatten or unknown. */
export function kindOfReason(reason: string): OrderKind | null {
  if (reason === "flatten") return "flatten";
  return SAFETY_REASONS.has(reason as ReasonCode) ? "safety" : null;
}

/** The touch an order of `side` crosses: best ask for a buy, best bid for a sell, else the mid. */
export function touchPrice(market: Pick<Market, "mid" | "bestBid" | "bestAsk">, side: Side): number {
  const touch = side === "buy" ? market.bestAsk : market.bestBid;
  return touch !== undefined && Number.isFinite(touch) && touch > 0 ? touch : market.mid;
}

/** Slippage in bps of our price against a reference, signed so positive = worse for us. */
export function slippageBps(side: Side, px: number, refPx: number | null | undefined): number | null {
  if (refPx === null || refPx === undefined || !(refPx > 0) || !Number.isFinite(px)) return null;
  const diff = side === "buy" ? px - refPx : refPx - px;
  return (diff / refPx) * 10_000;
}

/** Execution slippage's budget check over a sample. */
export interface SlippageBudget {
  /** exec.slippageBudgetBps; null = no budget. */
  budgetBps: number | null;
  /** p95 of the sample (bps) as it is shown (to 0.1 bps), null when it has fewer than `minSamples` values. */
  p95Bps: number | null;
  n: number;
  /** The p95 as shown above the budget. */
  exceeded: boolean;
}

/** A p95 of fewer fills than this is no basis for a warning. */
export const BUDGET_MIN_SAMPLES = 5;

/**
 * The budget's verdict on a p95: the p95 as every view shows it (core/format.ts FIGURE_DECIMALS,
 * 0.1 bps), and whether that figure is over the budget. Decided on the shown figure, never on the
 * unrounded one: a p95 of 10.04 over a budget of 10 was "p95 10.0 bps … exceeds 10".
 */
export function budgetVerdict(
  p95: number | null,
  budgetBps: number | null,
): Pick<SlippageBudget, "p95Bps" | "exceeded"> {
  const shown = roundFigure("bps", p95);
  return { p95Bps: shown, exceeded: budgetBps !== null && shown !== null && shown > budgetBps };
}

/**
 * Is the p95 of execution slippage over the budget? The same function decides the engine's
 * event, the dashboard's warning and status's line; each says which fills it looked at.
 */
export function slippageBudget(
  samples: readonly number[],
  budgetBps: number | null,
  minSamples = BUDGET_MIN_SAMPLES,
): SlippageBudget {
  const n = samples.length;
  const p95 = n >= minSamples ? quantile(samples, 0.95) : null;
  return { budgetBps, n, ...budgetVerdict(p95, budgetBps) };
}
