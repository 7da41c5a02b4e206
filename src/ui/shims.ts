// Stand-ins for src/core/reasons.ts (one line of text per ReasonCode) and src/core/stats.ts
// (mean / median / quantile) until the planner branch lands them on main. Same names and
// shapes as planned there: when they land, re-export from core here (or switch the imports)
// and delete the bodies.

import type { ReasonCode } from "../core/types.js";

/** One line of plain text per reason code, as the dashboard, the log lines and --json show it. */
const REASON_TEXT: Record<ReasonCode, string> = {
  open: "open a new position",
  increase: "increase toward the target",
  reduce: "reduce toward the target",
  close: "close the position",
  flip: "flip to the other side",
  "leader-liquidated": "the leader was liquidated: close",
  "kill-switch": "kill switch: flatten reduce-only",
  "in-sync": "in sync",
  "below-min-notional": "below the exchange's $10 minimum order",
  "inside-deadband": "drift inside the deadband",
  "coin-denied": "coin is on the deny list",
  "coin-not-allowed": "coin is not on the allow list",
  "leverage-cap": "capped by max leverage",
  "notional-cap": "capped by max notional per coin",
  "total-notional-cap": "capped by max total notional",
  "entry-drift": "price moved too far from the leader's entry",
  "stale-leader": "leader data is stale: increases blocked",
  halted: "halted: increases blocked",
  "daily-loss": "daily loss limit hit: increases blocked",
  "not-joined": "opened before we joined (new-only)",
  "unknown-market": "unknown market",
  backoff: "backing off after rejections",
  "order-pending": "an order for this coin is in flight",
};

export function reasonText(code: ReasonCode): string {
  return REASON_TEXT[code] ?? code;
}

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  let sum = 0;
  for (const x of xs) sum += x;
  return sum / xs.length;
}

/** Linear-interpolated quantile (q in [0, 1]); NaN for an empty sample. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const pos = Math.min(1, Math.max(0, q)) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] ?? Number.NaN;
  const b = sorted[hi] ?? Number.NaN;
  return a + (b - a) * (pos - lo);
}

export function median(xs: readonly number[]): number {
  return quantile(xs, 0.5);
}
