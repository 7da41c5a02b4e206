// When a live run must be reviewed by the trader before it sends anything: the first live
// run for an (account, leader set), a plan that closes positions hlcopy did not open, a plan
// that moves more than `exec.confirmAbovePct` % of equity, or a sizing that grows the copy more
// than SIZING_REVIEW_FACTOR× since the last run of these leaders (sizingChange). Pure: the CLI
// asks on a TTY, --yes confirms, and without either the run is refused.

import { detailNumber, fmtUsd, utcMinute } from "./format.js";
import { type ForeignPosition, foreignText } from "./ownership.js";
import { type SIZING_KEY_MODE, sizingText } from "./settings.js";
import type { Address, Plan } from "./types.js";

export interface ReviewInput {
  plan: Plan;
  accountValue: number;
  /** No live run has been reviewed for this account and leader set. */
  firstRun: boolean;
  /**
   * The positions hlcopy adopted in this run (it did not open them, in whole or in part), with
   * hlcopy's part of each as found at the start: a review that closes one says whose part is whose.
   */
  adopted: readonly ForeignPosition[];
  confirmAbovePct: number;
  /** How this run's sizing differs from the last run's of these leaders (sizingChange), if it does. */
  sizing?: SizingChange | null;
}

/**
 * The adopted positions `plan` reduces or closes, in coin order. Each is said as every message
 * about a position hlcopy did not open says it (core/ownership.ts foreignText): the part made
 * outside hlcopy and, when hlcopy opened some of it, hlcopy's part — "ETH +0.5 (of +2; hlcopy's
 * +1.5)": the close touches both.
 */
function adoptedClosed(plan: Plan, adopted: readonly ForeignPosition[]): ForeignPosition[] {
  const coins = new Set(plan.actions.filter((a) => a.reduceOnly).map((a) => a.coin));
  return adopted.filter((f) => coins.has(f.coin)).sort((a, b) => a.coin.localeCompare(b.coin));
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
  const closing = adoptedClosed(plan, input.adopted);
  if (closing.length > 0) {
    reasons.push(
      `it reduces or closes positions hlcopy did not open: ${closing.map(foreignText).join(", ")}`,
    );
  }
  if (input.sizing?.review) reasons.push(input.sizing.reason);
  const moved = planNotionalUsd(plan);
  const pct = input.accountValue > 0 ? (moved / input.accountValue) * 100 : Number.POSITIVE_INFINITY;
  if (pct > input.confirmAbovePct) {
    reasons.push(
      `it moves ${fmtUsd(moved)}, ${Number.isFinite(pct) ? `${detailNumber(Math.round(pct))}%` : "all"} of equity (more than exec.confirmAbovePct ${detailNumber(input.confirmAbovePct)}%)`,
    );
  }
  return reasons;
}

/**
 * How much larger the copy may grow from one run to the next by its sizing alone (the mode's
 * amount: ratio, multiplier, notional, …) before the trader reviews the plan: above 2×, a
 * sizing typed for another account or a slip of a digit (0.05 → 1) would trade every position
 * up at once. A smaller sizing is not asked about: it reduces exposure, always allowed.
 */
export const SIZING_REVIEW_FACTOR = 2;

/** The setting that scales the copy in each sizing mode (its amount, compared between runs). */
export const SCALE_KEY: Record<string, keyof typeof SIZING_KEY_MODE> = {
  "equity-ratio": "sizing.multiplier",
  "fixed-ratio": "sizing.ratio",
  "fixed-notional": "sizing.notional",
  "risk-parity": "sizing.targetVolPct",
  kelly: "sizing.kellyFraction",
  "risk-per-trade": "sizing.riskPct",
};

/** The last run of these leaders, as journaled: what it was and how it sized. */
export interface LastRunSizing {
  command: string;
  startedAt: number;
  /** Its settings (the journal's JSON). */
  settings: unknown;
}

export interface SizingChange {
  /** The last run's sizing and this run's, in words (sizingText). */
  last: string;
  now: string;
  /** now ÷ then of the mode's amount (same mode and direction), else null: not comparable. */
  factor: number | null;
  /** The change is a reason to review the plan: a mode or direction change, or factor > SIZING_REVIEW_FACTOR. */
  review: boolean;
  /** One line for the review, naming the last run, both sizings and the factor. */
  reason: string;
}

const valueAt = (settings: unknown, path: string): unknown =>
  path
    .split(".")
    .reduce<unknown>(
      (o, k) => (typeof o === "object" && o !== null ? (o as Record<string, unknown>)[k] : undefined),
      settings,
    );

/**
 * This run's sizing against the last run's of the same leaders: null when they size alike (or
 * either's sizing is unknown). A review is asked when the sizing mode or direction changed (the
 * scale of two modes cannot be compared without the market; inverse flips every position), or
 * the mode's amount grew more than SIZING_REVIEW_FACTOR×. The one place that decides it: the
 * engine's start warning and the review read it.
 */
export function sizingChange(last: LastRunSizing, now: unknown): SizingChange | null {
  const thenText = sizingText(last.settings);
  const nowText = sizingText(now);
  if (thenText === null || nowText === null || thenText === nowText) return null;
  const mode = valueAt(now, "sizing.mode");
  const sameMode = valueAt(last.settings, "sizing.mode") === mode;
  const direction = (s: unknown) => (valueAt(s, "sizing.direction") === "inverse" ? "inverse" : "same");
  const sameDirection = direction(last.settings) === direction(now);
  const key = typeof mode === "string" ? SCALE_KEY[mode] : undefined;
  const [was, is] = key ? [valueAt(last.settings, key), valueAt(now, key)] : [undefined, undefined];
  const factor =
    sameMode && sameDirection && typeof was === "number" && typeof is === "number" && was > 0 && is > 0
      ? is / was
      : null;
  const review = !sameMode || !sameDirection || (factor !== null && factor > SIZING_REVIEW_FACTOR);
  const what =
    factor !== null
      ? `${detailNumber(Number(factor.toPrecision(3)))}× the size`
      : !sameMode
        ? "another sizing mode"
        : !sameDirection
          ? "the other direction: every position flips side"
          : "another size";
  return {
    last: thenText,
    now: nowText,
    factor,
    review,
    reason: `its sizing changed since the last ${last.command} of these leaders (started ${utcMinute(last.startedAt)}): ${thenText} → ${nowText}, ${what} — positions are traded to the new size`,
  };
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

const usd = (x: number): string => fmtUsd(x);

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
  adopted: readonly ForeignPosition[] = [],
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
  const closedThen = new Set(adoptedClosed(confirmed, adopted).map((f) => f.coin));
  const newlyClosed = adoptedClosed(fresh, adopted).filter((f) => !closedThen.has(f.coin));
  if (newlyClosed.length > 0)
    changes.push(
      `it now reduces or closes positions hlcopy did not open: ${newlyClosed.map(foreignText).join(", ")}`,
    );
  return changes;
}
