// A coin's volatility for risk-parity sizing: the annualised standard deviation of its
// log returns from candle closes (hourly candles from the exchange's candleSnapshot in a live
// run; whatever interval a backtest has). Pure: closes in, a number out.

/** Milliseconds in a year of 365 days (crypto trades every hour of every day). */
export const YEAR_MS = 365 * 86_400_000;
export const HOUR_MS = 3_600_000;

/** Fewer returns than this give no volatility (a handful of hours is noise). */
export const MIN_VOL_RETURNS = 24;

export interface Candle {
  /** Open time (ms). */
  t: number;
  /** Close price. */
  c: number;
}

/**
 * Annualised volatility (a fraction: 0.48 = 48 %) of `closes`, one every `intervalMs`:
 * stdev of ln(c[i] / c[i−1]) (sample, n − 1) × √(year / interval). Non-positive or
 * non-finite closes are skipped. Null with fewer than `minReturns` returns, or no variance.
 */
export function annualisedVolatility(
  closes: readonly number[],
  intervalMs: number,
  minReturns = MIN_VOL_RETURNS,
): number | null {
  if (!(intervalMs > 0)) return null;
  const returns: number[] = [];
  let prev: number | null = null;
  for (const c of closes) {
    if (!(c > 0) || !Number.isFinite(c)) continue;
    if (prev !== null) returns.push(Math.log(c / prev));
    prev = c;
  }
  if (returns.length < Math.max(2, minReturns)) return null;
  const mean = returns.reduce((s, x) => s + x, 0) / returns.length;
  const variance = returns.reduce((s, x) => s + (x - mean) ** 2, 0) / (returns.length - 1);
  if (!(variance > 0)) return null;
  return Math.sqrt(variance) * Math.sqrt(YEAR_MS / intervalMs);
}

/**
 * The volatility of hourly candles over the `lookbackDays` before `now` (sorted by open time,
 * the last one — still forming — left out). Null when there are too few of them.
 */
export function hourlyVolatility(
  candles: readonly Candle[],
  now: number,
  lookbackDays: number,
): number | null {
  const from = now - lookbackDays * 86_400_000;
  const closes = [...candles]
    .filter((c) => c.t >= from && c.t + HOUR_MS <= now)
    .sort((a, b) => a.t - b.t)
    .map((c) => c.c);
  return annualisedVolatility(closes, HOUR_MS);
}

/**
 * risk-parity's factor for one coin: target volatility / the coin's volatility, both as
 * fractions. Below 1 when the coin is more volatile than the target (a smaller copy).
 */
export function riskParityFactor(targetVol: number, vol: number): number {
  return vol > 0 && Number.isFinite(vol) && targetVol > 0 ? targetVol / vol : 0;
}
