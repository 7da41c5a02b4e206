// exec.copyDelayMinutes: the planner gets each leader's positions as held for the delay
// (core/entry.ts copiedUnderDelay) beside its current ones, so an increase is copied only once
// the leader has kept it that long — and re-checked then: a leader that reduced or left
// meanwhile is not copied ("reversed-after-delay"). Reductions are the current sizes', at once,
// and the delay never brings us below what we hold (planner.ts limitGrowth). This keeps each
// leader's size history per coin (from its fills and the sweeps), rebuilt from its fills of the
// window at the start so a restart or a cron run waits no longer than the leader's own history
// says, and asks the engine to re-plan a coin when its delay ends.

import {
  copiedUnderDelay,
  delayDetail,
  extendPath,
  nextDelayDue,
  reversalsBetween,
  type SizePoint,
  sizeAt,
} from "../core/entry.js";
import { toHlcopyError } from "../core/errors.js";
import { detailNumber, shortAddress } from "../core/format.js";
import type { Address, LeaderState, Positions, Side } from "../core/types.js";
import type { EngineEvent } from "./events.js";

/** The fills the history is rebuilt from (the adapter's Fill satisfies it). */
export interface DelayFill {
  coin: string;
  sz: number;
  side: Side;
  startPosition: number;
  time: number;
}

export interface CopyDelayOptions {
  delayMs: number;
  now: () => number;
  emit: (event: EngineEvent) => void;
  countRequest: () => void;
  /** Re-plan `coin` at `at` (ms): its delay ends then. */
  schedule: (coin: string, at: number) => void;
}

/** How long a reversal stays in the plans' notes after its due time. */
const REVERSAL_NOTE_MS = 60_000;

export class CopyDelay {
  readonly #o: CopyDelayOptions;
  /** leader → coin → size history. */
  readonly #paths = new Map<string, Map<string, SizePoint[]>>();
  readonly #scheduled = new Map<string, number>();
  /** coin → when a plan last held back an increase of it (a "copy-delay" skip). */
  readonly #heldBack = new Map<string, number>();

  constructor(options: CopyDelayOptions) {
    this.#o = options;
  }

  get delayMs(): number {
    return this.#o.delayMs;
  }

  /** Whether a leader's history was built (the first sweep builds it). */
  has(leader: Address): boolean {
    return this.#paths.has(leader.toLowerCase());
  }

  /**
   * Build a leader's history from its current positions and its fills of the last delay
   * (`fills`: null when they could not be read — then every position counts as seen now).
   */
  init(leader: Address, positions: Positions, fills: DelayFill[] | null, now: number): void {
    const from = now - this.#o.delayMs;
    const byCoin = new Map<string, SizePoint[]>();
    const sorted = [...(fills ?? [])].filter((f) => f.time > from).sort((a, b) => a.time - b.time);
    for (const f of sorted) {
      let path = byCoin.get(f.coin);
      if (!path) {
        path = [{ time: from, size: f.startPosition }];
        byCoin.set(f.coin, path);
      }
      const after = f.startPosition + (f.side === "buy" ? f.sz : -f.sz);
      byCoin.set(f.coin, extendPath(path, f.time, clean(after), from));
    }
    for (const [coin, p] of Object.entries(positions)) {
      if (byCoin.has(coin)) continue;
      // No fill in the window: held all along, or (fills unknown) seen from now on.
      byCoin.set(coin, fills ? [{ time: from, size: p.size }] : [{ time: now, size: p.size }]);
    }
    this.#paths.set(leader.toLowerCase(), byCoin);
    if (!fills) {
      this.#o.emit({
        type: "warning",
        ts: now,
        message: `copy delay: leader ${shortAddress(leader)}'s recent fills could not be read: its positions count as opened now and wait the full ${detailNumber(this.#o.delayMs / 60_000)} minutes`,
      });
    }
  }

  /** The leader's size in `coin` is now `size` (a fill, or a sweep that saw it). */
  record(leader: Address, coin: string, size: number, at: number): void {
    const byCoin = this.#paths.get(leader.toLowerCase());
    if (!byCoin) return;
    const path = byCoin.get(coin) ?? [];
    const keepFrom = at - 2 * this.#o.delayMs - REVERSAL_NOTE_MS;
    byCoin.set(coin, extendPath(path, at, clean(size), keepFrom));
  }

  /** A sweep's view of the leader: every coin's size now (coins it no longer holds are 0). */
  recordSnapshot(leader: Address, positions: Positions, at: number): void {
    const byCoin = this.#paths.get(leader.toLowerCase());
    if (!byCoin) return;
    const coins = new Set([...byCoin.keys(), ...Object.keys(positions)]);
    for (const coin of coins) {
      const size = positions[coin]?.size ?? 0;
      const path = byCoin.get(coin) ?? [];
      if (sizeAt(path, at) !== size) this.record(leader, coin, size, at);
    }
  }

  /**
   * A plan at `at` held back an increase of these coins ("copy-delay"): what was not copied then
   * is what a later reversal note speaks of. An increase the copy already held (an earlier run
   * copied it, the planner never cuts us for the delay) was never held back: its reversal is no
   * note.
   */
  heldBack(coins: readonly string[], at: number): void {
    for (const coin of coins) this.#heldBack.set(coin, at);
  }

  /**
   * What the planner needs under the delay: each leader's sizes held long enough where they are
   * less than what it holds now (`held`: the planner holds back only the growth above them,
   * never reducing us because of them), the notes for coins still waiting or reversed, and a
   * re-plan scheduled for each coin whose delay ends later.
   */
  apply(
    leaders: LeaderState[],
    now: number,
  ): {
    held: Record<string, Record<string, number>>;
    copyDelay: Record<string, string>;
    reversed: Record<string, string>;
  } {
    const delay = this.#o.delayMs;
    const held: Record<string, Record<string, number>> = {};
    const copyDelay: Record<string, string> = {};
    const reversed: Record<string, string> = {};
    // Several leaders: each note names its leader, and a coin's notes of each are kept.
    const who = (l: LeaderState) => (leaders.length > 1 ? `leader ${shortAddress(l.address)}` : "the leader");
    const add = (notes: Record<string, string>, coin: string, note: string) => {
      const before = notes[coin];
      notes[coin] = before === undefined ? note : `${before}; ${note.replace(/^copy delay: /, "")}`;
    };
    for (const l of leaders) {
      const byCoin = this.#paths.get(l.address.toLowerCase());
      if (!byCoin) continue;
      const mine: Record<string, number> = {};
      for (const [coin, path] of byCoin) {
        const current = l.positions[coin]?.size ?? 0;
        const copied = copiedUnderDelay(path, now, delay, current);
        const due = nextDelayDue(path, now, delay);
        if (Math.abs(copied) < Math.abs(current)) {
          mine[coin] = copied;
          add(copyDelay, coin, delayDetail(coin, current, copied, due, who(l)));
        }
        if (due !== null) this.#schedule(coin, due);
        for (const r of reversalsBetween(path, now - REVERSAL_NOTE_MS, now, delay)) {
          // Only an increase a plan held back since it was made was not copied.
          if ((this.#heldBack.get(coin) ?? Number.NEGATIVE_INFINITY) < r.time) continue;
          add(
            reversed,
            coin,
            `copy delay: ${who(l)}'s ${coin} ${detailNumber(r.wanted)} of ${new Date(r.time).toISOString().slice(11, 19)} UTC was not held for ${detailNumber(delay / 60_000)} minutes (${detailNumber(r.held)} still held at ${new Date(r.due).toISOString().slice(11, 19)}): not copied`,
          );
        }
      }
      if (Object.keys(mine).length > 0) held[l.address] = mine;
    }
    return { held, copyDelay, reversed };
  }

  #schedule(coin: string, at: number): void {
    const known = this.#scheduled.get(coin);
    const now = this.#o.now();
    if (known !== undefined && known > now && known <= at) return;
    this.#scheduled.set(coin, at);
    this.#o.schedule(coin, at);
  }
}

/** Round away float dust so a closed position reads exactly 0. */
function clean(x: number): number {
  const r = Math.round(x * 1e10) / 1e10;
  return Object.is(r, -0) ? 0 : r;
}

/** Read the fills a history is rebuilt from; null (and a warning by the caller) when the read fails. */
export async function readDelayFills(
  read: ((user: Address, startTime: number) => Promise<DelayFill[]>) | undefined,
  leader: Address,
  since: number,
  onError: (message: string) => void,
): Promise<DelayFill[] | null> {
  if (!read) return null;
  try {
    return await read(leader, since);
  } catch (error) {
    onError(toHlcopyError(error).message);
    return null;
  }
}
