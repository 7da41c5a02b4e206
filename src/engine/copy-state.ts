// The copy's state that outlives a run, kept in the journal: per leader, when the copy ratio
// was set (cash flows since then are netted out of its equity) and the new-only join
// baseline; the positions hlcopy manages, and what it managed at any past moment; the leader
// sets the trader has reviewed. A dry run reads it and works on a copy, but never writes it.

import { leftEntries } from "../core/flatten.js";
import { shortAddress } from "../core/format.js";
import type { JoinBaseline } from "../core/join.js";
import { UNRESOLVED_ORDER_STATUSES } from "../core/orders.js";
import { type ManagedPositions, managedNow } from "../core/ownership.js";
import type { Address } from "../core/types.js";
import type { Journal } from "../store/journal.js";

export interface LeaderBaseline {
  /** When this leader's copy began: its cash flows since then are not trades. */
  since: number;
  /** join new-only: the coins it held then and has held since. */
  join?: JoinBaseline;
  /** Leader fills up to this time were checked against `join`. */
  joinCheckedAt?: number;
}

interface ManagedSnapshot {
  positions: ManagedPositions;
  /** The newest journaled order when the snapshot was taken: later fills add to it. */
  orderId: number;
  ts: number;
  /**
   * Orders still open when the snapshot was taken — resting (a passive entry, a stop) or
   * unresolved (sent, or uncertain after a timeout): cloid → filled size then. What they fill
   * later, or turn out to have filled, is hlcopy's too, though their id is not above
   * `orderId`. (An uncertain copy that had filled was lost here before: its coin read as
   * changed outside hlcopy for the rest of the run and the next start refused the account.)
   */
  resting?: Record<string, number>;
}

export class CopyState {
  readonly #journal: Journal;
  readonly #persist: boolean;
  readonly #leaders = new Map<string, LeaderBaseline>();

  constructor(journal: Journal, persist: boolean) {
    this.#journal = journal;
    this.#persist = persist;
  }

  /** The leader's baseline; the first time it is seen, one starting now. */
  leader(address: Address, now: number): LeaderBaseline {
    const key = address.toLowerCase();
    let b = this.#leaders.get(key);
    if (!b) {
      b = this.#journal.getCopyState<LeaderBaseline>(`leader:${key}`) ?? { since: now };
      this.setLeader(address, b, now);
    }
    return b;
  }

  /**
   * A new account (a paper run's, each run: run-mode.ts newAccountEachRun): each leader's copy
   * begins with it — its cash flows count from now, and join new-only's baseline is what the
   * leader holds now, not what it held when an earlier account's copy began. The journal's
   * baselines of these leaders are cleared; returns the join baselines set aside (said once by
   * the caller).
   */
  newAccount(leaders: readonly Address[], now: number): string[] {
    const parts: string[] = [];
    for (const address of leaders) {
      const key = address.toLowerCase();
      this.#leaders.delete(key);
      const b = this.#journal.getCopyState<LeaderBaseline>(`leader:${key}`);
      if (!b) continue;
      if (this.#persist) this.#journal.setCopyState(`leader:${key}`, null, now);
      if (b.join === undefined) continue;
      const coins = Object.keys(b.join).sort();
      parts.push(
        `join new-only baseline of leader ${shortAddress(address)} (${coins.length > 0 ? coins.join(", ") : "no coin"})`,
      );
    }
    return parts;
  }

  setLeader(address: Address, baseline: LeaderBaseline, now: number): void {
    const key = address.toLowerCase();
    this.#leaders.set(key, baseline);
    if (this.#persist) this.#journal.setCopyState(`leader:${key}`, baseline, now);
  }

  /** What hlcopy manages now (its last snapshot plus its fills since), or null if it never ran live. */
  managed(): ManagedPositions | null {
    const s = this.#journal.getCopyState<ManagedSnapshot>("managed");
    if (!s) return null;
    const since = this.#journal.filledSince(s.orderId);
    for (const [cloid, filledThen] of Object.entries(s.resting ?? {})) {
      const row = this.#journal.getOrder(cloid);
      const d = row ? row.filledSize - filledThen : 0;
      if (row && d > 0) since[row.coin] = (since[row.coin] ?? 0) + (row.side === "buy" ? d : -d);
    }
    return managedNow(s.positions, since);
  }

  /**
   * coin → signed size that orders of unknown outcome (sent, uncertain) may still have filled
   * beyond what the journal knows: the account may hold that much more without any of it
   * being foreign.
   */
  unresolvedRemainder(): ManagedPositions {
    const out: ManagedPositions = {};
    const rows = this.#journal.ordersInState(UNRESOLVED_ORDER_STATUSES);
    // A run that journals nothing (a dry run) looks up none of the passive entries an earlier run
    // left resting, which its live run looks up and journals before this check (passive.ts
    // fromSweep): what they filled while no run watched is no more foreign to it than an
    // unknown order's fill (it refused the copy for a fill the live run counts as ours).
    if (!this.#persist) rows.push(...leftEntries(this.#journal.ordersInState(["resting"])));
    for (const row of rows) {
      const left = Math.max(0, row.size - row.filledSize);
      if (left > 0) out[row.coin] = (out[row.coin] ?? 0) + (row.side === "buy" ? left : -left);
    }
    return out;
  }

  /**
   * What hlcopy managed at `ts` (coin → signed size): the history's last snapshot by then plus
   * hlcopy's own fills after it and before `ts`. The copy's part of a liquidation's fill or a
   * funding payment is split by it — not by what it manages when the record arrives, which
   * may be after a sweep already saved the position the liquidation left (or, for a payment
   * read an hour late, after the copy traded). Before any snapshot, the earliest one (an older
   * journal's, or none: nothing managed).
   */
  managedAt(ts: number): ManagedPositions {
    const s = this.#journal.managedSnapshotAt(ts);
    if (!s) return {};
    return managedNow(s.positions, s.ts < ts ? this.#journal.ownFillsBetween(s.ts, ts) : {});
  }

  setManaged(positions: ManagedPositions, now: number): void {
    if (!this.#persist) return;
    // The history gets a row when the snapshot says something its last row and hlcopy's fills
    // since do not (the exchange or the trader changed a position, an adoption) — and, so that
    // what managedAt sums (hlcopy's fills since the last row: ~6 000 an hour at 10 trades/s,
    // read on every sweep) stays short, when its last row is older than HISTORY_EVERY_MS.
    const last = this.#journal.managedSnapshotAt(now);
    if (
      last === null ||
      now - last.ts >= HISTORY_EVERY_MS ||
      !samePositions(this.managedAt(now + 1), positions)
    )
      this.#journal.recordManaged(now, positions);
    const resting: Record<string, number> = {};
    for (const row of this.#journal.ordersInState(["resting", ...UNRESOLVED_ORDER_STATUSES]))
      resting[row.cloid] = row.filledSize;
    const snapshot: ManagedSnapshot = {
      positions,
      orderId: this.#journal.lastOrderId(),
      ts: now,
      ...(Object.keys(resting).length > 0 ? { resting } : {}),
    };
    this.#journal.setCopyState("managed", snapshot, now);
  }

  isReviewed(key: string): boolean {
    return this.#journal.getCopyState<number>(key) !== null;
  }

  markReviewed(key: string, now: number): void {
    if (this.#persist) this.#journal.setCopyState(key, now, now);
  }
}

/** The managed history's longest gap between rows (see setManaged). */
const HISTORY_EVERY_MS = 10 * 60_000;

/** Two managed snapshots hold the same sizes (to a billionth: float sums of fills are not exact). */
function samePositions(a: ManagedPositions, b: ManagedPositions): boolean {
  for (const coin of new Set([...Object.keys(a), ...Object.keys(b)]))
    if (Math.abs((a[coin] ?? 0) - (b[coin] ?? 0)) > 1e-9) return false;
  return true;
}
