// exec.entry passive: an increase is placed as a post-only limit at the leader's price (the
// planner sets it: PlannedAction.passive) and rests on the book. This keeps our resting
// entries: their fills (applied to our position as they come), their timeout (then the entry
// is cancelled and its coin's next plan sends the usual IOC, which the entry-drift gate may
// drop — never before the run may send: one already due at its start is cancelled by its first
// plan, after the review and the key's unlock), the cancels a plan asks for (a reduction or a target that no longer wants the entry
// cancels it first), and a restart (entries are journaled like every order, and adopted from
// the journal and the open orders by cloid).
// A live run whose exec.entry is not passive keeps no entries: the ones an earlier run left
// resting are found by the same rule (core/flatten.ts leftEntries) and cancelled by its first
// sweep's plan (leftCancels), before its orders — left on the book they could fill at any
// time, an order the trader no longer asked for.

import { passiveTimedOutText } from "../core/entry.js";
import { toHlcopyError } from "../core/errors.js";
import { leftEntries, leftEntryCancelDetail, leftEntryCancelledText } from "../core/flatten.js";
import { detailNumber } from "../core/format.js";
import { refusedAsCrossing } from "../core/leader-trades.js";
import type { CancelResult, CancelStatus, CloidLookup, OrderResult, SendOptions } from "../core/orders.js";
import type { Address, Markets, OpenOrder, PlannedAction, PlannedCancel, Side } from "../core/types.js";
import type { Journal } from "../store/journal.js";
import type { EngineEvent } from "./events.js";

/** What the keeper sends through (HlClient satisfies it). */
export interface PassiveSender {
  cancelOrders(
    cancels: { coin: string; oid: number }[],
    markets: Markets,
    options?: SendOptions,
  ): Promise<CancelResult[]>;
  lookupOrderByCloid(user: Address, cloid: string): Promise<CloidLookup>;
}

/** A fill of ours as the keeper needs it. */
export interface PassiveFill {
  coin: string;
  px: number;
  sz: number;
  side: Side;
  tid: number;
  cloid: string | null;
}

export interface PassiveEntriesOptions {
  journal: Journal;
  sender: PassiveSender;
  /** Where our orders live (the sub-account when trading one). */
  account: Address;
  /**
   * exec.entry, as the run has it: "passive" keeps entries (places, adopts, times them out);
   * any other keeps none and cancels those an earlier run left resting (leftCancels).
   */
  entry: string;
  timeoutMs: number;
  now: () => number;
  emit: (event: EngineEvent) => void;
  countRequest: () => void;
  /** The entry of `coin` timed out at its due time: the engine expires it (on its queue) and re-plans. */
  onDue: (coin: string) => void;
  /**
   * The run may send (past its checks, the review's yes and the key's unlock). Before that an
   * entry past its timeout is not expired: the run's first plan cancels it (context: `due`).
   */
  acting: () => boolean;
  /** A fill of a passive entry our position does not show yet: apply it (size > 0). */
  applyFill: (fill: { coin: string; side: Side; size: number; px: number | null }) => void;
  signal?: () => AbortSignal | undefined;
}

interface Entry {
  cloid: `0x${string}`;
  reason: PlannedAction["reason"];
  coin: string;
  side: Side;
  size: number;
  limitPx: number;
  oid: number | null;
  placedAt: number;
  filled: number;
  tids: Set<number>;
  timer?: NodeJS.Timeout;
  /** An earlier run's, met by a run that keeps no entries: cancelled by its plan (leftCancels). */
  left?: boolean;
}

export class PassiveEntries {
  readonly #o: PassiveEntriesOptions;
  /** coin → our resting entry (one per coin: the planner never sends a second while one rests). */
  readonly #entries = new Map<string, Entry>();
  /** cloid → entry being sent (its fills may arrive before its reply). */
  readonly #sending = new Map<string, Entry>();
  /** Coins whose entry timed out or could not rest: the next increase is an IOC. */
  readonly #taker = new Set<string>();
  #adopted = false;

  constructor(options: PassiveEntriesOptions) {
    this.#o = options;
  }

  /** This run keeps entries (exec.entry passive). */
  get #keeps(): boolean {
    return this.#o.entry === "passive";
  }

  /**
   * A run that keeps no entries: the cancels of the entries an earlier run left resting, found
   * at its first sweep and still on the book — its sweeps' plans send them first (one that could
   * not be cancelled is tried again by the next sweep's).
   */
  leftCancels(): PlannedCancel[] {
    if (this.#keeps) return [];
    return [...this.#entries.values()]
      .filter((e) => e.left)
      .map((e) => ({
        coin: e.coin,
        cloid: e.cloid,
        reason: "passive-cancel" as const,
        detail: leftEntryCancelDetail(
          { coin: e.coin, side: e.side, size: Math.max(0, e.size - e.filled), limitPx: e.limitPx },
          this.#o.entry,
        ),
      }));
  }

  /** For the planner: our resting entries and the coins whose increases go as IOC. */
  context(): {
    restingEntries: Record<
      string,
      { cloid: `0x${string}`; side: Side; size: number; limitPx: number; due?: boolean }
    >;
    takerCoins: string[];
  } {
    const restingEntries: Record<
      string,
      { cloid: `0x${string}`; side: Side; size: number; limitPx: number; due?: boolean }
    > = {};
    const now = this.#o.now();
    for (const e of this.#entries.values()) {
      // A left entry is not waited for: the sweep's plan cancels it (leftCancels).
      if (e.left) continue;
      restingEntries[e.coin] = {
        cloid: e.cloid,
        side: e.side,
        size: e.size - e.filled,
        limitPx: e.limitPx,
        // Past its timeout: the plan cancels it (a run's first, made before it may send).
        ...(now >= e.placedAt + this.#o.timeoutMs ? { due: true } : {}),
      };
    }
    return { restingEntries, takerCoins: [...this.#taker].sort() };
  }

  /** Entries resting now (for status lines and tests). */
  get resting(): {
    coin: string;
    cloid: string;
    side: Side;
    size: number;
    filled: number;
    limitPx: number;
  }[] {
    return [...this.#entries.values()].map((e) => ({
      coin: e.coin,
      cloid: e.cloid,
      side: e.side,
      size: e.size,
      filled: e.filled,
      limitPx: e.limitPx,
    }));
  }

  /** A leader traded `coin`: its next increase may rest again. */
  leaderTraded(coin: string): void {
    this.#taker.delete(coin);
  }

  /** Before a batch is sent: its passive entries are known by cloid (an early fill finds them). */
  willSend(actions: readonly PlannedAction[]): void {
    for (const a of actions) {
      if (!a.passive) continue;
      this.#sending.set(a.cloid.toLowerCase(), {
        cloid: a.cloid,
        reason: a.reason,
        coin: a.coin,
        side: a.side,
        size: a.size,
        limitPx: a.limitPx,
        oid: null,
        placedAt: this.#o.now(),
        filled: 0,
        tids: new Set(),
      });
    }
  }

  /**
   * The results of a sent batch: a passive entry that rests is kept (with its timeout); one the
   * exchange refused because it would have crossed the book — our price is there now — makes
   * its coin a taker at once. Returns the coins to re-plan now.
   */
  fromResults(actions: readonly PlannedAction[], results: readonly OrderResult[]): string[] {
    const replan: string[] = [];
    actions.forEach((a, i) => {
      if (!a.passive) return;
      const key = a.cloid.toLowerCase();
      const e = this.#sending.get(key);
      this.#sending.delete(key);
      const r = results[i];
      if (!e || !r) return;
      if (r.oid !== undefined) e.oid = r.oid;
      e.filled = Math.max(e.filled, r.filledSize);
      if (r.status === "resting" || (r.status === "uncertain" && e.filled < e.size)) {
        if (e.filled < e.size - 1e-12) this.#keep(e);
      } else if (r.status === "rejected" && refusedAsCrossing(r.error)) {
        this.#taker.add(a.coin);
        replan.push(a.coin);
        this.#say(
          `${a.coin}: the passive entry would have crossed the book (our price is there now): sent as IOC`,
        );
      }
    });
    return replan;
  }

  /**
   * One of our fills (not a snapshot's: the sweep settles those): when it belongs to a resting
   * (or just sent) passive entry and is new, it is applied to our position and journaled.
   * Returns whether it was one.
   */
  onFill(f: PassiveFill): boolean {
    if (!f.cloid) return false;
    const key = f.cloid.toLowerCase();
    const e =
      this.#sending.get(key) ?? [...this.#entries.values()].find((x) => x.cloid.toLowerCase() === key);
    if (!e || e.tids.has(f.tid)) return false;
    e.tids.add(f.tid);
    const add = Math.min(f.sz, e.size - e.filled);
    e.filled += add;
    if (add > 0) this.#o.applyFill({ coin: e.coin, side: e.side, size: add, px: f.px });
    const done = e.filled >= e.size - 1e-12;
    if (this.#entries.get(e.coin) === e) {
      this.#o.journal.updateOrder(e.cloid, {
        ts: this.#o.now(),
        status: done ? "filled" : "resting",
        filledSize: e.filled,
      });
      if (done) this.#drop(e);
    }
    return true;
  }

  /**
   * Cancel the entries a plan no longer wants (before its other orders go). Returns the coins
   * whose entry was cancelled as timed out: their increase goes as IOC, re-planned now.
   */
  async cancel(cancels: readonly PlannedCancel[], markets: Markets): Promise<string[]> {
    const replan: string[] = [];
    for (const c of cancels) {
      const e = this.#entries.get(c.coin);
      if (!e || e.cloid.toLowerCase() !== c.cloid.toLowerCase()) continue;
      const due = !e.left && this.#o.now() >= e.placedAt + this.#o.timeoutMs;
      const gone = await this.#cancel(e, markets, c.detail);
      if (gone && due) {
        this.#taker.add(e.coin);
        replan.push(e.coin);
      }
      // A left entry: one line once cancelled, what was left of it and what of it had filled
      // (as its look-up found them); one found filled meanwhile is said by its order.
      const row = e.left ? this.#o.journal.getOrder(e.cloid) : null;
      if (row?.status === "cancelled")
        this.#say(
          leftEntryCancelledText(
            {
              coin: e.coin,
              side: e.side,
              size: Math.max(0, row.size - row.filledSize),
              limitPx: e.limitPx,
              filled: row.filledSize,
            },
            this.#o.entry,
          ),
        );
    }
    return replan;
  }

  /**
   * The entry of `coin` timed out: cancel it; its coin's next plan sends the IOC. Not before the
   * run may send: its first plan cancels it then.
   */
  async expire(coin: string, markets: Markets): Promise<void> {
    const e = this.#entries.get(coin);
    if (!e || this.#o.now() < e.placedAt + this.#o.timeoutMs || !this.#o.acting()) return;
    const gone = await this.#cancel(e, markets, passiveTimedOutText(this.#o.timeoutMs));
    if (gone) this.#taker.add(coin);
  }

  /** Every resting entry cancelled (flatten, on exit). */
  async cancelAll(markets: Markets, why: string): Promise<void> {
    for (const e of [...this.#entries.values()]) await this.#cancel(e, markets, why);
  }

  /**
   * A sweep read our open orders: entries no longer open are looked up by cloid (filled or
   * cancelled while we were not looking) and journaled; an entry still open has its filled
   * size from the book's remaining size. The first sweep of a run also adopts the entries an
   * earlier run left resting (core/flatten.ts leftEntries) — those past their timeout are
   * cancelled by the run's first plan, after its review and the key's unlock (context: `due`),
   * later ones expired at once —, or, in a run that keeps no entries, holds them for its plan to
   * cancel (leftCancels).
   */
  async fromSweep(openOrders: readonly OpenOrder[], markets: Markets): Promise<void> {
    const j = this.#o.journal;
    const open = new Map<string, OpenOrder>();
    for (const o of openOrders) if (o.cloid) open.set(o.cloid.toLowerCase(), o);
    if (!this.#adopted) {
      this.#adopted = true;
      for (const row of leftEntries(j.ordersInState(["resting"]))) {
        if (this.#entries.has(row.coin)) continue;
        const e: Entry = {
          cloid: row.cloid as `0x${string}`,
          reason: row.reason,
          coin: row.coin,
          side: row.side,
          size: row.size,
          limitPx: row.limitPx,
          oid: row.oid,
          placedAt: row.ts,
          filled: row.filledSize,
          tids: new Set(),
          ...(this.#keeps ? {} : { left: true }),
        };
        this.#entries.set(e.coin, e);
        if (e.left) continue;
        this.#say(
          `${e.coin}: adopted the passive entry ${e.side} ${detailNumber(e.size)} @ ${detailNumber(e.limitPx)} an earlier run left resting`,
        );
      }
    }
    for (const e of [...this.#entries.values()]) {
      const o = open.get(e.cloid.toLowerCase());
      if (o) {
        if (o.oid) e.oid = o.oid;
        const filled = Math.max(e.filled, e.size - o.size);
        if (filled > e.filled + 1e-12) {
          e.filled = filled;
          j.updateOrder(e.cloid, { ts: this.#o.now(), status: "resting", filledSize: filled });
        }
        if (e.left) continue;
        if (!e.timer) this.#arm(e);
        if (this.#o.now() >= e.placedAt + this.#o.timeoutMs) await this.expire(e.coin, markets);
        continue;
      }
      // Off the book before the read: the read positions hold its fills already.
      await this.#settle(e, undefined, false);
    }
  }

  /** Timers off (the run stops; the entries stay on the exchange and the journal). */
  close(): void {
    for (const e of this.#entries.values()) if (e.timer) clearTimeout(e.timer);
  }

  #keep(e: Entry): void {
    const old = this.#entries.get(e.coin);
    if (old && old !== e && old.timer) clearTimeout(old.timer);
    this.#entries.set(e.coin, e);
    this.#arm(e);
  }

  #arm(e: Entry): void {
    if (e.timer) clearTimeout(e.timer);
    const wait = Math.max(0, e.placedAt + this.#o.timeoutMs - this.#o.now());
    e.timer = setTimeout(() => this.#o.onDue(e.coin), wait + 5);
    e.timer.unref?.();
  }

  #drop(e: Entry): void {
    if (e.timer) clearTimeout(e.timer);
    if (this.#entries.get(e.coin) === e) this.#entries.delete(e.coin);
  }

  /** Cancel one entry; true once it is off the book (cancelled, or filled meanwhile). */
  async #cancel(e: Entry, markets: Markets, why: string): Promise<boolean> {
    if (e.oid === null) {
      // Never acknowledged with an oid: the lookup tells where it is.
      return this.#settle(e);
    }
    let status: CancelStatus = "uncertain";
    let error: string | undefined;
    try {
      this.#o.countRequest();
      const signal = this.#o.signal?.();
      const [r] = await this.#o.sender.cancelOrders(
        [{ coin: e.coin, oid: e.oid }],
        markets,
        signal ? { signal } : {},
      );
      status = r?.status ?? "uncertain";
      error = r?.error;
    } catch (err) {
      error = toHlcopyError(err).message;
    }
    // A stop kept the cancel from going out: the entry rests as it did, as every entry the stop
    // leaves (the next run adopts it by cloid) — nothing unknown, nothing to try again.
    if (status === "not-sent") return false;
    if (status === "uncertain") {
      this.#o.emit({
        type: "warning",
        ts: this.#o.now(),
        message: `${e.coin}: the passive entry ${e.cloid} could not be cancelled (${error ?? "no answer"}); tried again next sweep`,
      });
      return false;
    }
    // What filled before the cancel: the lookup is the truth (fills may still be on their way).
    const settled = await this.#settle(e, status === "cancelled" ? why : undefined);
    return settled;
  }

  /**
   * Look an entry up by cloid and journal where it ended; true once it is off the book.
   * `apply`: fills the stream has not brought are applied to our position (not when the
   * caller's positions were read after the entry left the book).
   */
  async #settle(e: Entry, why?: string, apply = true): Promise<boolean> {
    let lookup: CloidLookup;
    try {
      this.#o.countRequest();
      lookup = await this.#o.sender.lookupOrderByCloid(this.#o.account, e.cloid);
    } catch (error) {
      this.#o.emit({
        type: "warning",
        ts: this.#o.now(),
        message: `${e.coin}: the passive entry ${e.cloid} could not be looked up (${toHlcopyError(error).message}); tried again next sweep`,
      });
      return false;
    }
    const now = this.#o.now();
    if (lookup.found && (lookup.status === "open" || lookup.status === "triggered")) return false;
    const filled = lookup.found ? Math.max(e.filled, lookup.filledSize) : e.filled;
    const full = filled >= e.size - 1e-12;
    // Fills the stream has not brought yet: our position takes them now (the entry is dropped,
    // so their stream message, when it comes, is not applied twice).
    if (apply && filled > e.filled + 1e-12) {
      this.#o.applyFill({
        coin: e.coin,
        side: e.side,
        size: filled - e.filled,
        px: lookup.found ? lookup.avgPx : null,
      });
    }
    this.#o.journal.updateOrder(e.cloid, {
      ts: now,
      status: full ? "filled" : "cancelled",
      filledSize: filled,
      ...(lookup.found && lookup.avgPx !== null ? { avgPx: lookup.avgPx } : {}),
      ...(full ? {} : { error: why ?? (lookup.found ? lookup.status : "not on the exchange") }),
    });
    this.#o.emit({
      type: "order",
      ts: now,
      coin: e.coin,
      side: e.side,
      size: e.size,
      limitPx: e.limitPx,
      reduceOnly: false,
      cloid: e.cloid,
      reason: full ? e.reason : "passive-cancel",
      // An entry placed to copy a leader's increase (it rested instead of crossing).
      kind: "copy",
      status: full ? "filled" : "cancelled",
      filledSize: filled,
      avgPx: lookup.found ? lookup.avgPx : null,
      ...(full ? {} : { error: why ?? (lookup.found ? lookup.status : "not on the exchange") }),
    });
    e.filled = filled;
    this.#drop(e);
    return true;
  }

  #say(message: string): void {
    this.#o.emit({ type: "notice", ts: this.#o.now(), kind: "entry", message });
  }
}
