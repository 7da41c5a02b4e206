// Safety rules as pure functions: the kill switch (drawdown from the high-water mark) and
// the daily loss limit. The engine feeds them equity facts and acts on the verdict.
//
// Both rules measure TRADING RESULTS only. The trader's own cash flows (deposits,
// withdrawals, transfers in/out, sub-account and spot↔perp transfers: the ledger's
// non-funding updates) are not gains or losses. Each one is treated as a fund treats a
// subscription or a redemption: the high-water mark and the day-start equity scale by
// (E + flow) / E, E the equity just before the flow (flowFactor). Why a factor and not the
// amount: the rules are percentages of a base, and only scaling the base with the equity keeps
// them where they were. Moving the marks by the dollar amount kept the dollar gap to the mark
// while the base shrank — a $100 loss on $1 000 is 10 %, the same $100 after withdrawing $400
// became 16.7 % of $600 — so a withdrawal made in a drawdown tripped the kill switch and
// flattened the account (and a deposit hid part of a loss). With the factor a cash flow alone
// never changes the drawdown % nor the daily loss %, deposits and withdrawals alike; a halt
// only ever follows a trading loss. Funding, fees and realised P&L are trading results and
// scale nothing.
//
// A mark is kept with the cash-flow scale it was recorded at (Mark.scale: the product of the
// factors of every cash flow journaled before it); read at a newer scale it is scaled by the
// ratio (markAt). Every place that derives the high-water mark or the day's start from a
// recorded one — the run's watch (live and dry run), the journal carrying its mark forward,
// status, report, a restart — reads it through markAt. The account value stream can show a
// cash flow before the ledger tells of it (or the reverse); CashTracker covers that window
// (below), and evaluateSafety scales the marks by the change waiting for the ledger too.

import { fixed, fmtUsd } from "./format.js";
import type { Settings } from "./settings.js";
import type { PlannedAction } from "./types.js";

export type HaltKind = "kill-switch" | "daily-loss" | "manual";

/**
 * An equity at or below this is taken as this in flowFactor: an account emptied by a withdrawal,
 * or funded from nothing, keeps every scale finite and above 0 (a micro-dollar: no real balance).
 */
const EMPTY_USD = 1e-6;

/**
 * A mark below this measures nothing (no drawdown, no daily loss): an account emptied by a
 * withdrawal has its marks scaled to a fraction of a cent, and 0 of nothing is not a loss.
 */
const MIN_MARK_USD = 0.01;

/**
 * The factor a cash flow scales the high-water mark and the day's start by: (E + usd) / E, E the
 * account's equity just before it (a withdrawal of 40 % → 0.6, a deposit doubling it → 2).
 */
export function flowFactor(equityBefore: number, usd: number): number {
  return Math.max(equityBefore + usd, EMPTY_USD) / Math.max(equityBefore, EMPTY_USD);
}

export interface SafetyInput {
  accountValue: number;
  /**
   * Highest account value seen, read at the confirmed cash flows' scale (markAt); 0 when none.
   * The change waiting for the ledger (`unconfirmedUsd`) is applied here, not by the caller.
   */
  hwm: number;
  /** Account value at the start of the current UTC day, if known, read at the confirmed cash flows' scale. */
  dayStartEquity: number | null;
  settings: Settings;
  /** A halt already in force (persisted): it stays until `hlcopy resume`. */
  activeHalt: { kind: HaltKind; reason: string } | null;
  /**
   * A change of the account's cash the ledger does not explain yet (CashTracker.pending): taken
   * as a cash flow for now — the marks are scaled by it (unconfirmedFactor). Default 0.
   */
  unconfirmedUsd?: number;
  /**
   * The daily loss limit was hit earlier this UTC day at this loss (journaled, DailyLossStop): it
   * holds until the day ends — unless the limit is now above that loss. Null when not hit today.
   */
  dailyStop?: { lossPct: number } | null;
}

export interface SafetyVerdict {
  /** Trading halted: flatten reduce-only, no increases. */
  halted: boolean;
  /** Set when this evaluation trips the kill switch (record it once). */
  newHalt: { kind: "kill-switch"; reason: string } | null;
  /** Increases blocked until the next UTC day; reductions still go. */
  dailyLossHit: boolean;
  /** The daily loss reached the limit at this reading (not only earlier today): a stop to record. */
  dailyLossReached: boolean;
  /**
   * A limit would be hit if the unconfirmed cash change were a loss: no halt (it is waiting
   * for the ledger), but no increases either until it is confirmed or counted.
   */
  held: boolean;
  drawdownPct: number;
  dailyLossPct: number;
  /** The high-water mark measured from (the unconfirmed change applied; this value if higher). */
  hwm: number;
  /** The day's start measured from (the unconfirmed change applied), or null. */
  dayStartEquity: number | null;
  /** The factor the unconfirmed change scaled the marks by (1 when none): a mark recorded now is at the confirmed scale × this. */
  unconfirmedScale: number;
}

/** The loss from `from` to `to`, % of `from` (0 for a gain, or when `from` is below a cent). */
export function lossPct(from: number, to: number): number {
  return from >= MIN_MARK_USD ? Math.max(0, ((from - to) / from) * 100) : 0;
}

/**
 * The drawdown every view shows beside the equity and high-water mark it shows — the dashboard's
 * header, the state line, `follow --json`'s state record, /metrics: lossPct of those two figures
 * (the kill switch's formula). A run's state carries the safety check's drawdown of its last
 * account update while its equity may be valued later (a paper account at the mids now): that
 * one beside them read `equity $99,978 · hwm $100,000 · dd 0.00%`. `given` without an hwm.
 */
export function drawdownOfShown(
  equity: number | null,
  hwm: number | null,
  given: number | null,
): number | null {
  if (equity === null || hwm === null || !Number.isFinite(equity) || !(hwm > 0)) return given;
  return lossPct(hwm, equity);
}

/**
 * The factor a change of the cash waiting for the ledger scales the marks by, read at the current
 * account value (it is in it, or — when the ledger came first — it is the part not in it yet).
 */
export function unconfirmedFactor(accountValue: number, unconfirmedUsd: number): number {
  return unconfirmedUsd === 0 ? 1 : flowFactor(accountValue - unconfirmedUsd, unconfirmedUsd);
}

export function evaluateSafety(input: SafetyInput): SafetyVerdict {
  const { accountValue, settings } = input;
  const u = input.unconfirmedUsd ?? 0;
  const k = unconfirmedFactor(accountValue, u);
  const hwm = Math.max(input.hwm * k, accountValue);
  const drawdownPct = lossPct(hwm, accountValue);
  const dayStart = input.dayStartEquity === null ? null : input.dayStartEquity * k;
  const dailyLossPct = dayStart === null ? 0 : lossPct(dayStart, accountValue);
  const limit = settings.risk.maxDailyLossPct;
  const dailyLossReached = dailyLossPct >= limit;
  const dailyLossHit = dailyLossReached || (input.dailyStop ? input.dailyStop.lossPct >= limit : false);
  // The same figures with the unconfirmed change counted as a trading result (marks unscaled).
  const held =
    u !== 0 &&
    !dailyLossHit &&
    (lossPct(Math.max(input.hwm, accountValue), accountValue) >= settings.risk.maxDrawdownPct ||
      (input.dayStartEquity !== null && lossPct(input.dayStartEquity, accountValue) >= limit));
  const base = {
    dailyLossHit,
    dailyLossReached,
    held,
    drawdownPct,
    dailyLossPct,
    hwm,
    dayStartEquity: dayStart,
    unconfirmedScale: k,
  };
  if (input.activeHalt) return { halted: true, newHalt: null, ...base };
  if (hwm >= MIN_MARK_USD && drawdownPct >= settings.risk.maxDrawdownPct) {
    const reason = `drawdown ${fixed(drawdownPct)}% from high-water mark ${fmtUsd(hwm)} reached the ${settings.risk.maxDrawdownPct}% limit`;
    return { halted: true, newHalt: { kind: "kill-switch", reason }, ...base, held: false };
  }
  return { halted: false, newHalt: null, ...base };
}

/**
 * The factors of cash flows taken one after another from the equity `equityBefore` (each one's
 * E is the one before's E + its flow), in the order given.
 */
export function flowFactors(equityBefore: number, flows: readonly number[]): number[] {
  let e = equityBefore;
  return flows.map((usd) => {
    const f = flowFactor(e, usd);
    e += usd;
    return f;
  });
}

/**
 * A mark (the high-water mark, the day's first equity) as recorded: its value and the cash-flow
 * scale it was recorded at (the product of the factors of the cash flows before it; only ratios
 * matter).
 */
export interface Mark {
  value: number;
  scale: number;
}

/**
 * A mark at a newer cash-flow scale: scaled by the cash flows since it was recorded — each one's
 * (E + flow) / E (flowFactor). The one way the marks are read.
 */
export function markAt(mark: Mark, scale: number): number {
  return mark.value * (scale / mark.scale);
}

/**
 * The daily loss limit hit during a UTC day, as the run journals it (status reads it back): the
 * loss and the limit it reached, and when. It stops increases until that day ends.
 */
export interface DailyLossStop {
  day: string;
  lossPct: number;
  limitPct: number;
  since: number;
}

/** The stop in force on `day` under `limitPct` (a limit raised above its loss lifts it), or null. */
export function dailyStopOn(stop: DailyLossStop | null, day: string, limitPct: number): DailyLossStop | null {
  return stop && stop.day === day && stop.lossPct >= limitPct ? stop : null;
}

/** When the UTC day of `ts` ends (00:00 UTC of the next day): the daily loss limit lifts then. */
export function utcDayEnd(ts: number): number {
  return (Math.floor(ts / 86_400_000) + 1) * 86_400_000;
}

/**
 * A halt's close (the planner's, under the kill switch or a flatten): reduce-only, its reason
 * "kill-switch" or "flatten".
 */
export function isHaltClose(a: Pick<PlannedAction, "reduceOnly" | "reason">): boolean {
  return a.reduceOnly && (a.reason === "kill-switch" || a.reason === "flatten");
}

/**
 * What a paused run still sends: under a halt, the halt's closes — the kill switch (or a flatten)
 * is the trader's standing instruction to close, and reducing risk is always allowed (design
 * §1.4) — and nothing else: the pause holds the rest. Without a halt, nothing.
 */
export function sentWhilePaused<A extends Pick<PlannedAction, "reduceOnly" | "reason">>(
  actions: readonly A[],
  halted: boolean,
): A[] {
  return halted ? actions.filter(isHaltClose) : [];
}

/**
 * "kill switch active: 2 closes not sent (BTC, ETH) — …": a halt that closes everything (the kill
 * switch, a flatten) with positions still open, and what to do. The follow's closing summary and
 * status say it alike.
 */
export function closesNotSentText(haltKind: string, coins: readonly string[]): string {
  const name = haltKind === "manual" ? "flatten" : haltKind === "kill-switch" ? "kill switch" : haltKind;
  return `${name} active: ${coins.length} close${coins.length === 1 ? "" : "s"} not sent (${coins.join(", ")}) — hlcopy flatten sends them now, or the next follow or reconcile does at its first sweep; the halt stays until hlcopy resume`;
}

/** What the run says when the daily loss limit is hit (the halt event's reason; status says it too). */
export function dailyLossReason(lossPct: number, limitPct: number): string {
  return `daily loss ${fixed(lossPct)}% reached the ${limitPct}% limit: no increases until 00:00 UTC`;
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
 * The unexplained change a reading of `cash` would show (readCash's pending; nothing is
 * changed): the tracker's own when the cash or the reference is unknown.
 */
export function pendingAt(t: CashTracker, cash: number | null | undefined): number {
  if (t.refCash === null || cash === null || cash === undefined || !Number.isFinite(cash)) return t.pending;
  const pending = cash - t.refCash - t.explained;
  return Math.abs(pending) <= noise(cash) ? 0 : pending;
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
