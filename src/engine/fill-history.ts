// A leader's fill history as the engine reads it over a window (kelly's lookback,
// risk.skipLeaderNewCoins): the adapter's getFillHistory, which says the span the fills cover,
// else getFillsByTime judged by its count (core/history.ts fillHistoryCut).

import { type FillHistory, fillHistoryCut } from "../core/history.js";
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
