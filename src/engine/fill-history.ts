// A leader's fill history as the engine reads it over a window (kelly's lookback,
// risk.skipLeaderNewCoins): the adapter's getFillHistory, which says the span the fills cover,
// else getFillsByTime judged by its count (core/history.ts fillHistoryCut).

import { type FillHistory, fillHistoryCut, type LedgerHistory } from "../core/history.js";
import type { Address } from "../core/types.js";

export interface FillHistoryReader<F extends { time: number }> {
  getFillsByTime?(user: Address, startTime: number): Promise<F[]>;
  getFillHistory?(user: Address, startTime: number, endTime?: number): Promise<FillHistory<F>>;
}

/**
 * A read of `user`'s fills from `startTime` to `now()` with the span they cover; undefined when
 * the reader reads no fills. `openEnd`: the read asks for no end (every fill up to the
 * exchange's now, whatever our clock says — our own fills read back, where one newer than our
 * clock is still ours to journal); the span is judged up to `now()`.
 */
export function fillHistoryRead<F extends { time: number }>(
  reader: FillHistoryReader<F>,
  now: () => number,
  openEnd = false,
): ((user: Address, startTime: number) => Promise<FillHistory<F>>) | undefined {
  const history = reader.getFillHistory?.bind(reader);
  if (history)
    return (user, startTime) => (openEnd ? history(user, startTime) : history(user, startTime, now()));
  const byTime = reader.getFillsByTime?.bind(reader);
  if (!byTime) return undefined;
  return async (user, startTime) => {
    const fills = await byTime(user, startTime);
    return { fills, cut: fillHistoryCut({ startTime, endTime: now(), fills }) };
  };
}

/** What reads an account's ledger: the adapter's getLedgerHistory, else getLedgerUpdates. */
export interface LedgerHistoryReader<C> {
  getLedgerUpdates?(user: Address, startTime: number): Promise<C[]>;
  getLedgerHistory?(user: Address, startTime: number): Promise<LedgerHistory<C>>;
}

/**
 * A read of `user`'s ledger from `startTime` with how far it read (`through`: it stopped at its
 * page cap there; null: it read all — a reader without getLedgerHistory is taken at its word);
 * undefined when the reader reads no ledger.
 */
export function ledgerHistoryRead<C>(
  reader: LedgerHistoryReader<C>,
): ((user: Address, startTime: number) => Promise<LedgerHistory<C>>) | undefined {
  const history = reader.getLedgerHistory?.bind(reader);
  if (history) return (user, startTime) => history(user, startTime);
  const updates = reader.getLedgerUpdates?.bind(reader);
  if (!updates) return undefined;
  return async (user, startTime) => ({ flows: await updates(user, startTime), through: null });
}
