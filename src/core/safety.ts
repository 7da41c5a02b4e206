// Safety rules as pure functions: the kill switch (drawdown from the high-water mark) and
// the daily loss limit. The engine feeds them equity facts and acts on the verdict.
//
// Both rules measure TRADING RESULTS only. The trader's own cash flows (deposits,
// withdrawals, transfers in/out, sub-account and spot↔perp transfers: the ledger's
// non-funding updates) are not gains or losses: each one shifts the high-water mark and the
// day-start equity by its amount (a withdrawal of X lowers both by X), so a withdrawal never
// looks like a drawdown and a deposit never lifts the mark. Funding, fees and realised P&L
// are trading results and shift nothing.
//
// A mark is kept with the cash-flow total it was recorded at (Mark.flows): read at a newer
// total it is shifted by the difference (markAt). The account value stream can show a cash flow
// before the ledger tells of it (or the reverse); CashTracker covers that window (below).

import { fixed } from "./format.js";
import type { Settings } from "./settings.js";

export type HaltKind = "kill-switch" | "daily-loss" | "manual";

export interface SafetyInput {
  accountValue: number;
  /** Highest account value seen (including this one, if higher), shifted by the cash flows since. */
  hwm: number;
  /** Account value at the start of the current UTC day, if known, shifted by the cash flows since. */
  dayStartEquity: number | null;
  settings: Settings;
  /** A halt already in force (persisted): it stays until `hlcopy resume`. */
  activeHalt: { kind: HaltKind; reason: string } | null;
  /**
   * A change of the account's cash the ledger does not explain yet (CashTracker.pending): taken
   * as a cash flow for now — `hwm` and `dayStartEquity` already include it. Default 0.
   */
  unconfirmedUsd?: number;
}

export interface SafetyVerdict {
  /** Trading halted: flatten reduce-only, no increases. */
  halted: boolean;
  /** Set when this evaluation trips the kill switch (record it once). */
  newHalt: { kind: "kill-switch"; reason: string } | null;
  /** Increases blocked until the next UTC day; reductions still go. */
  dailyLossHit: boolean;
  /**
   * A limit would be hit if the unconfirmed cash change were a loss: no halt (it is waiting
   * for the ledger), but no increases either until it is confirmed or counted.
   */
  held: boolean;
  drawdownPct: number;
  dailyLossPct: number;
}

const lossPct = (from: number, to: number): number =>
  from > 0 ? Math.max(0, ((from - to) / from) * 100) : 0;

export function evaluateSafety(input: SafetyInput): SafetyVerdict {
  const { accountValue, settings } = input;
  const hwm = Math.max(input.hwm, accountValue);
  const drawdownPct = hwm > 0 ? lossPct(hwm, accountValue) : 0;
  const dayStart = input.dayStartEquity;
  const dailyLossPct = dayStart && dayStart > 0 ? lossPct(dayStart, accountValue) : 0;
  const dailyLossHit = dailyLossPct >= settings.risk.maxDailyLossPct;
  // The same figures with the unconfirmed change counted as a trading result.
  const u = input.unconfirmedUsd ?? 0;
  const rawHwm = Math.max(input.hwm - u, accountValue);
  const held =
    u !== 0 &&
    !dailyLossHit &&
    ((rawHwm > 0 && lossPct(rawHwm, accountValue) >= settings.risk.maxDrawdownPct) ||
      (dayStart !== null &&
        dayStart - u > 0 &&
        lossPct(dayStart - u, accountValue) >= settings.risk.maxDailyLossPct));
  const base = { dailyLossHit, held, drawdownPct, dailyLossPct };
  if (input.activeHalt) return { halted: true, newHalt: null, ...base };
  if (hwm > 0 && drawdownPct >= settings.risk.maxDrawdownPct) {
    const reason = `drawdown ${fixed(drawdownPct)}% from high-water mark ${fixed(hwm)} reached the ${settings.risk.maxDrawdownPct}% limit`;
    return { halted: true, newHalt: { kind: "kill-switch", reason }, ...base, held: false };
  }
  return { halted: false, newHalt: null, ...base };
}

/**
 * A mark (the high-water mark, the day's first equity) as recorded: its value and the net
 * cash-flow total it was recorded at (any origin: only differences matter).
 */
export interface Mark {
  value: number;
  flows: number;
}

/**
 * A mark at a newer cash-flow total: shifted by the cash that came in (+) or went out (−)
 * since it was recorded — a withdrawal of X lowers it by X, a deposit raises it by X.
 */
export function markAt(mark: Mark, flows: number): number {
  return mark.value + (flows - mark.flows);
}

// --- the window between the account value and the ledger ------------------------------------
//
// The account's cash (account value − unrealised P&L) moves only by realised P&L and fees of
// our fills, funding, and cash flows. A fall of the account value the marks explain (prices
// moved against our positions) is a trading loss: it counts at once, so a real crash halts
// promptly. A change of the cash that neither our fills nor the ledger explain yet is taken
// as a cash flow whose ledger update is on its way (the streams are separate; a bridge
// withdrawal's ledger row can lag) — the safety rules neither halt on it nor let it lift the
// high-water mark — for at most CASH_FLOW_CONFIRM_MS. If the ledger has not explained it by
// then, it is counted as a trading result (the halt it brings comes then): an unexplained loss
// is never ignored for long, and while it waits no increase is sent (SafetyVerdict.held).
// Funding is not explained here: a payment is small, and waits the window like any other.

/** How long an unexplained change of the account's cash waits for its ledger update. */
export const CASH_FLOW_CONFIRM_MS = 5 * 60_000;

export interface CashTracker {
  /** The account's cash at the reference reading (null: no reading yet). */
  refCash: number | null;
  /** Exchange time of the reference reading: cash flows at or before it are in refCash already. */
  refTime: number;
  /** Changes of the cash since the reference that are explained: fills (P&L − fee), cash flows. */
  explained: number;
  /** The unexplained change as of the last reading (+ in, − out). */
  pending: number;
  /** When the pending amount (as it was then: `amount`) started waiting, or null when none. */
  waiting: { since: number; amount: number } | null;
}

export const emptyCashTracker = (): CashTracker => ({
  refCash: null,
  refTime: Number.NEGATIVE_INFINITY,
  explained: 0,
  pending: 0,
  waiting: null,
});

/** Below this an unexplained change is noise (rounding, a late funding payment): max($1, 0.01 %). */
function noise(cash: number): number {
  return Math.max(1, Math.abs(cash) * 1e-4);
}

/**
 * A change of the cash that is explained: a fill's realised P&L less its fee, or a cash flow
 * from the ledger at exchange time `time` (one at or before the reference is in it already).
 */
export function explainCash(t: CashTracker, usd: number, time?: number): CashTracker {
  if (t.refCash === null || (time !== undefined && time <= t.refTime)) return t;
  return { ...t, explained: t.explained + usd, pending: t.pending - usd };
}

/**
 * A reading of the account's cash at exchange time `time`, local time `now`. The unexplained
 * change since the reference is pending; one that waited CASH_FLOW_CONFIRM_MS is counted as a
 * trading result (`absorbed`: the reference moves to this reading).
 */
export function readCash(
  t: CashTracker,
  cash: number,
  time: number,
  now: number,
  confirmMs = CASH_FLOW_CONFIRM_MS,
): { tracker: CashTracker; absorbed: number } {
  if (t.refCash === null) {
    return { tracker: { ...emptyCashTracker(), refCash: cash, refTime: time }, absorbed: 0 };
  }
  const pending = cash - t.refCash - t.explained;
  const eps = noise(cash);
  let waiting = t.waiting;
  if (Math.abs(pending) <= eps) waiting = null;
  // A new unexplained change starts its own wait.
  else if (!waiting || Math.abs(pending - waiting.amount) > eps) waiting = { since: now, amount: pending };
  if (waiting && now - waiting.since >= confirmMs) {
    return {
      tracker: { refCash: cash, refTime: time, explained: 0, pending: 0, waiting: null },
      absorbed: pending,
    };
  }
  // Nothing pending: the reference moves up to here (what came before is settled).
  if (waiting === null) {
    return {
      tracker: { refCash: cash, refTime: Math.max(t.refTime, time), explained: 0, pending: 0, waiting: null },
      absorbed: 0,
    };
  }
  return { tracker: { ...t, pending, waiting }, absorbed: 0 };
}

/** The UTC day of a timestamp as "YYYY-MM-DD" (the daily loss limit resets at 00:00 UTC). */
export function utcDay(ts: number): string {
  return new Date(ts).toISOString().slice(0, 10);
}
