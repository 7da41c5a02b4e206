// Safety rules as pure functions: the kill switch (drawdown from the high-water mark) and
// the daily loss limit. The engine feeds them equity facts and acts on the verdict.

import { fixed } from "./format.js";
import type { Settings } from "./settings.js";

export type HaltKind = "kill-switch" | "daily-loss" | "manual";

export interface SafetyInput {
  accountValue: number;
  /** Highest account value seen (including this one, if higher). */
  hwm: number;
  /** Account value at the start of the current UTC day, if known. */
  dayStartEquity: number | null;
  settings: Settings;
  /** A halt already in force (persisted): it stays until `hlcopy resume`. */
  activeHalt: { kind: HaltKind; reason: string } | null;
}

export interface SafetyVerdict {
  /** Trading halted: flatten reduce-only, no increases. */
  halted: boolean;
  /** Set when this evaluation trips the kill switch (record it once). */
  newHalt: { kind: "kill-switch"; reason: string } | null;
  /** Increases blocked until the next UTC day; reductions still go. */
  dailyLossHit: boolean;
  drawdownPct: number;
  dailyLossPct: number;
}

export function evaluateSafety(input: SafetyInput): SafetyVerdict {
  const { accountValue, settings } = input;
  const hwm = Math.max(input.hwm, accountValue);
  const drawdownPct = hwm > 0 ? Math.max(0, ((hwm - accountValue) / hwm) * 100) : 0;
  const dayStart = input.dayStartEquity;
  const dailyLossPct =
    dayStart && dayStart > 0 ? Math.max(0, ((dayStart - accountValue) / dayStart) * 100) : 0;
  const dailyLossHit = dailyLossPct >= settings.risk.maxDailyLossPct;
  if (input.activeHalt) {
    return { halted: true, newHalt: null, dailyLossHit, drawdownPct, dailyLossPct };
  }
  if (hwm > 0 && drawdownPct >= settings.risk.maxDrawdownPct) {
    const reason = `drawdown ${fixed(drawdownPct)}% from high-water mark ${fixed(hwm)} reached the ${settings.risk.maxDrawdownPct}% limit`;
    return {
      halted: true,
      newHalt: { kind: "kill-switch", reason },
      dailyLossHit,
      drawdownPct,
      dailyLossPct,
    };
  }
  return { halted: false, newHalt: null, dailyLossHit, drawdownPct, dailyLossPct };
}

/** The UTC day of a timestamp as "YYYY-MM-DD" (the daily loss limit resets at 00:00 UTC). */
export function utcDay(ts: number): string {
  return new Date(ts).toISOString().slice(0, 10);
}
