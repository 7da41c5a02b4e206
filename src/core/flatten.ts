// What a flatten does with a plan made under its halt (every target 0): the reduce-only closes
// it sends and the positions it leaves. `hlcopy flatten` reports its outcome with it and
// `hlcopy flatten --dry-run` shows it before anything is sent, from the same plan, so the
// preview cannot say other than what the flatten does. Before it plans, a flatten looks up our
// orders of unknown outcome and cancels our resting passive entries: the rules of both are here,
// so the dry run lists what the flatten then does.

import { detailNumber } from "./format.js";
import type { OrderResult } from "./orders.js";
import { limitPrice } from "./planner.js";
import { protectionKind } from "./protection.js";
import type { Markets, Plan, ReasonCode, Side } from "./types.js";

/** One close a flatten sends: an IOC, reduce-only, at the plan's price bound. */
export interface FlattenClose {
  coin: string;
  side: "buy" | "sell";
  size: number;
  /** The IOC's limit: the worst price the close may fill at (best ± exec.slippageBps). */
  limitPx: number;
  /** size × the coin's mid: what the close takes off, in USD (est.: it fills at the book). */
  notionalUsd: number;
  reduceOnly: boolean;
  /** "flatten" under the flatten's own halt; "kill-switch" when that halt stood already. */
  reason: ReasonCode;
}

/** A position the flatten's plan does not close, and why (its skip). */
export interface FlattenLeft {
  coin: string;
  size: number;
  reason: ReasonCode | null;
  detail: string;
}

/** A resting passive entry a flatten cancels before its closes go. */
export interface FlattenCancel {
  coin: string;
  cloid: string;
  side: Side;
  /** What is left of it on the book. */
  size: number;
  limitPx: number;
  detail: string;
}

export interface FlattenPreview {
  closes: FlattenClose[];
  left: FlattenLeft[];
  /** Resting passive entries cancelled first. */
  cancels: FlattenCancel[];
}

/** An order of ours as the journal keeps it: what the rules below read of it. */
export interface JournaledOrder {
  ts: number;
  cloid: string;
  coin: string;
  side: Side;
  size: number;
  limitPx: number;
  reduceOnly: boolean;
  reason: string;
  status: string;
  filledSize: number;
}

/**
 * THE rule for the passive entries an earlier run left resting, one for every run that meets
 * them: the orders journaled resting that are entries (not a stop or take-profit, not
 * reduce-only), one a coin — the first journaled (`rows` in journal order). A live run with
 * exec.entry passive adopts them, one without cancels them at its first sweep (engine/passive.ts
 * fromSweep), a flatten cancels them (restingEntriesToCancel), and their dry runs list them so.
 */
export function leftEntries<T extends Pick<JournaledOrder, "coin" | "status" | "reason" | "reduceOnly">>(
  rows: readonly T[],
): T[] {
  const adopted = new Map<string, T>();
  for (const r of rows) {
    if (r.status !== "resting" || protectionKind(r.reason) || r.reduceOnly || adopted.has(r.coin)) continue;
    adopted.set(r.coin, r);
  }
  return [...adopted.values()];
}

/** A left entry (leftEntries) as said: what is left of it on the book. */
export interface LeftEntry {
  coin: string;
  side: Side;
  /** What is left of it on the book. */
  size: number;
  limitPx: number;
}

/**
 * Why a live run whose exec.entry is not passive (`entry`: its setting) cancels a passive entry
 * an earlier run left resting — the plan's cancel (journaled as the cancel's reason), and its dry
 * run's "would cancel".
 */
export function leftEntryCancelDetail(e: LeftEntry, entry: string): string {
  return `cancel the passive entry ${e.side} ${detailNumber(e.size)} ${e.coin} @ ${detailNumber(e.limitPx)} an earlier run left resting: exec.entry is ${entry} now`;
}

/** The line a live run says once it cancelled a left entry (`filled`: what of it had filled, part of our position). */
export function leftEntryCancelledText(e: LeftEntry & { filled: number }, entry: string): string {
  return `${e.coin}: cancelled the passive entry ${e.side} ${detailNumber(e.size)} @ ${detailNumber(e.limitPx)} an earlier run left resting (exec.entry is ${entry} now)${
    e.filled > 1e-12 ? `; ${detailNumber(e.filled)} of it had filled: part of our position` : ""
  }`;
}

/** A dry run's line for a left entry its live run would cancel. */
export function leftEntryWouldCancelText(e: LeftEntry, entry: string): string {
  return `${e.coin}: a live run would cancel the passive entry ${e.side} ${detailNumber(e.size)} @ ${detailNumber(e.limitPx)} an earlier run left resting (exec.entry is ${entry})`;
}

/**
 * The entries an earlier run left (leftEntries) still on the book, each with what is left of it
 * there (`openOrders`: ours, as the exchange lists them — fills while no run watched make one
 * smaller than the journal knows). One off the book is only looked up (filled or cancelled
 * meanwhile): not among them.
 */
export function leftEntriesOnBook<T extends JournaledOrder>(
  rows: readonly T[],
  openOrders: readonly { cloid?: string; size: number }[],
): { row: T; size: number }[] {
  const open = new Map(openOrders.flatMap((o) => (o.cloid ? [[o.cloid.toLowerCase(), o.size]] : [])));
  return leftEntries(rows).flatMap((row) => {
    const onBook = open.get(row.cloid.toLowerCase());
    return onBook === undefined
      ? []
      : [{ row, size: Math.min(onBook, Math.max(0, row.size - row.filledSize)) }];
  });
}

/** The resting passive entries a flatten cancels: those an earlier run left still on the book (leftEntriesOnBook). */
export function restingEntriesToCancel(
  rows: readonly JournaledOrder[],
  openOrders: readonly { cloid?: string; size: number }[],
): FlattenCancel[] {
  return leftEntriesOnBook(rows, openOrders).map(({ row: r, size }) => ({
    coin: r.coin,
    cloid: r.cloid,
    side: r.side,
    size,
    limitPx: r.limitPx,
    detail: `our passive entry ${r.side} ${detailNumber(size)} ${r.coin} @ ${detailNumber(r.limitPx)} rests on the book`,
  }));
}

/**
 * An order of ours whose outcome the journal does not know (sent, no reply journaled), as the
 * flatten's look-up by cloid finds it before it plans (engine/recovery.ts, one reading:
 * core/orders.ts resolveByLookup).
 */
export interface FlattenUnknown {
  cloid: string;
  coin: string;
  side: Side;
  size: number;
  /**
   * filled, partial, resting, cancelled, rejected: its outcome, which the flatten journals;
   * "not-yet": not on the exchange, its expiry not passed (the flatten waits for it first);
   * "lookup-failed": the look-up did not answer here (the flatten tries again).
   */
  outcome: OrderResult["status"] | "not-yet" | "lookup-failed";
  filledSize: number;
  /** What the flatten makes of it. */
  detail: string;
}

/**
 * What a flatten makes of an order of unknown outcome once looked up (`result`: resolveByLookup's;
 * null: not on the exchange, inside its expiry window, which ends at `settledAt`). `resting`:
 * what becomes of a resting one — among the entries cancelled, among those left resting (a
 * follow that keeps none), or not an entry at all. `by`: who flattens — this command looks its
 * orders up before it plans, a running follow at each of its sweeps.
 */
export function unknownOrderOutcome(
  row: JournaledOrder,
  result: OrderResult | null,
  p: {
    now: number;
    settledAt: number;
    resting: "cancelled" | "left-entry" | "left";
    by: "here" | "follow";
    error?: string;
  },
): FlattenUnknown {
  const base = { cloid: row.cloid, coin: row.coin, side: row.side, size: row.size };
  const what = `${row.coin} ${row.side} ${detailNumber(row.size)}`;
  if (p.error !== undefined)
    return {
      ...base,
      outcome: "lookup-failed",
      filledSize: row.filledSize,
      detail: `${what}: its look-up failed here (${p.error}); ${p.by === "follow" ? "the follow looks it up at each sweep" : "the flatten looks it up before it plans, retrying"}`,
    };
  if (result === null)
    return {
      ...base,
      outcome: "not-yet",
      filledSize: 0,
      detail:
        p.by === "follow"
          ? `${what}: not on the exchange yet — the follow looks it up at each sweep; should it arrive, what it fills is closed at the follow's next sweep (its halt closes everything)`
          : `${what}: not on the exchange yet — the flatten waits up to ${Math.max(1, Math.ceil((p.settledAt - p.now) / 1000))}s for its expiry before it plans, then counts it as never placed (should it arrive, what it fills is closed with the rest)`,
    };
  const filled = result.filledSize;
  const part = `filled ${detailNumber(filled)}: part of the ${row.coin} position, closed with it`;
  const detail =
    result.status === "resting"
      ? `resting on the book${filled > 0 ? ` (filled ${detailNumber(filled)} so far: closed with the position)` : ""}: ${
          p.resting === "cancelled"
            ? "cancelled first, as a resting entry"
            : p.resting === "left-entry"
              ? "left resting, as the entries below"
              : "left resting (not an entry of ours: reduce-only, or a second one of its coin)"
        }`
      : filled > 0
        ? part
        : `not filled (${result.error ?? result.status}): nothing to close`;
  return { ...base, outcome: result.status, filledSize: filled, detail: `${what}: ${detail}` };
}

/**
 * The closes and what remains of a plan made under a flatten's halt (pure); `cancels`: the
 * resting entries it cancels first (restingEntriesToCancel).
 */
export function flattenPreview(plan: Plan, cancels: FlattenCancel[] = []): FlattenPreview {
  const mid = new Map(plan.targets.map((t) => [t.coin, t.mid]));
  const closes = plan.actions.map(
    (a): FlattenClose => ({
      coin: a.coin,
      side: a.side,
      size: a.size,
      limitPx: a.limitPx,
      notionalUsd: a.size * (mid.get(a.coin) || a.limitPx),
      reduceOnly: a.reduceOnly,
      reason: a.reason,
    }),
  );
  const closing = new Set(closes.map((c) => c.coin));
  const left = positionsLeft(plan)
    .filter((p) => !closing.has(p.coin))
    .map((p): FlattenLeft => {
      const skip = plan.skipped.find((s) => s.coin === p.coin);
      return {
        ...p,
        reason: skip?.reason ?? null,
        detail: skip?.detail ?? "no close planned",
      };
    });
  return {
    closes,
    left,
    cancels,
  };
}

/** The account's positions as the plan read them (a flatten's "left" once its closes are back). */
export function positionsLeft(plan: Plan): { coin: string; size: number }[] {
  return plan.targets.filter((t) => t.ourSize !== 0).map((t) => ({ coin: t.coin, size: t.ourSize }));
}

/**
 * The closes priced as a run with book streams (a follow) prices them: `slippageBps` through
 * the touch — the best ask for a buy, the best bid for a sell (planner limitPrice, the one rule)
 * — where a run without streams (a flatten from here, its dry run) has only the mid. A coin with
 * no book read keeps its price.
 */
export function closesAtTouch(
  closes: readonly FlattenClose[],
  markets: Markets,
  books: Readonly<Record<string, { bestBid?: number; bestAsk?: number }>>,
  slippageBps: number,
): FlattenClose[] {
  return closes.map((c) => {
    const market = markets[c.coin];
    const book = books[c.coin];
    if (!market || !book) return c;
    const px = limitPrice({ ...market, ...book }, c.side, slippageBps);
    return px > 0 ? { ...c, limitPx: px } : c;
  });
}
