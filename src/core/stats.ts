// THE descriptive statistics for slippage and lag figures (dashboard, journal, status, report,
// bench). One convention for an empty sample: the maths here gives NaN, a missing figure that
// propagates and is never a fake zero; where a figure leaves as data (the journal's summaries,
// the run summary, the report) it becomes null through `finiteOrNull`, and JSON shows null.

/** A figure as data: null where it is missing (NaN, or ±∞), the number otherwise. */
export function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** Arithmetic mean; NaN for an empty sample. */
export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  let sum = 0;
  for (const x of xs) sum += x;
  return sum / xs.length;
}

/**
 * The largest value; NaN for an empty sample. A loop, never `Math.max(...xs)`: spreading an array
 * passes each value as an argument on the stack, and ~130 000 of them (a week of a follow's
 * equity records) overflow it — `hlcopy report` ended in "Maximum call stack size exceeded".
 */
export function maxOf(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  let max = Number.NEGATIVE_INFINITY;
  for (const x of xs) if (x > max || Number.isNaN(x)) max = x;
  return max;
}

/** The smallest value; NaN for an empty sample (a loop: see maxOf). */
export function minOf(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  let min = Number.POSITIVE_INFINITY;
  for (const x of xs) if (x < min || Number.isNaN(x)) min = x;
  return min;
}

/**
 * Quantile with linear interpolation between order statistics (q in [0, 1], clamped; the
 * "type 7" definition of R and NumPy's default). NaN for an empty sample.
 */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return quantileSorted(sorted, q);
}

/** `quantile` on an already ascending sample (no copy, no sort). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = Math.min(1, Math.max(0, Number.isNaN(q) ? 0 : q)) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] ?? Number.NaN;
  const b = sorted[hi] ?? Number.NaN;
  return lo === hi ? a : a + (b - a) * (pos - lo);
}

/** First index whose value is ≥ x in an ascending sample. */
export function lowerBound(sorted: ArrayLike<number>, x: number, length = sorted.length): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Every value of a run, kept ascending as it comes: its mean and quantiles are over all of them
 * whenever they are read (a run's summary and dashboard figures are the run's, however long it
 * ran — the same values `status` reads back from the journal), each read without a sort, each
 * value placed by a binary search and a move of the larger ones (8 bytes each).
 */
export class RunSample {
  #sorted = new Float64Array(256);
  #n = 0;
  #sum = 0;

  /** A value that is not a finite number is not a sample. */
  add(x: number): void {
    if (!Number.isFinite(x)) return;
    if (this.#n === this.#sorted.length) {
      const grown = new Float64Array(this.#sorted.length * 2);
      grown.set(this.#sorted);
      this.#sorted = grown;
    }
    const at = lowerBound(this.#sorted, x, this.#n);
    this.#sorted.copyWithin(at + 1, at, this.#n);
    this.#sorted[at] = x;
    this.#n++;
    this.#sum += x;
  }

  get n(): number {
    return this.#n;
  }

  /** NaN before the first value, as `mean` of none. */
  get mean(): number {
    return this.#n === 0 ? Number.NaN : this.#sum / this.#n;
  }

  /** As `quantile` over every value added (NaN before the first). */
  quantile(q: number): number {
    return quantileSorted(this.#sorted.subarray(0, this.#n), q);
  }
}

export function median(xs: readonly number[]): number {
  return quantile(xs, 0.5);
}
export function p95(xs: readonly number[]): number {
  return quantile(xs, 0.95);
}
export function p99(xs: readonly number[]): number {
  return quantile(xs, 0.99);
}

export interface Summary {
  count: number;
  mean: number;
  min: number;
  median: number;
  p95: number;
  p99: number;
  max: number;
}

/** Count, mean, min, median, p95, p99 and max in one sort; NaN figures for an empty sample. */
export function summarize(xs: readonly number[]): Summary {
  const sorted = [...xs].sort((a, b) => a - b);
  return {
    count: sorted.length,
    mean: mean(sorted),
    min: sorted[0] ?? Number.NaN,
    median: quantileSorted(sorted, 0.5),
    p95: quantileSorted(sorted, 0.95),
    p99: quantileSorted(sorted, 0.99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

/** Wins (outcomes > 0), their total gain and the total loss (what the others lost, ≥ 0). */
export interface OutcomeSums {
  n: number;
  wins: number;
  gain: number;
  loss: number;
}

/** Sums of trade outcomes, the base of win rate, payoff, profit factor and Kelly. */
export function outcomeSums(outcomes: readonly number[]): OutcomeSums {
  let wins = 0;
  let gain = 0;
  let loss = 0;
  for (const x of outcomes) {
    if (x > 0) {
      wins++;
      gain += x;
    } else loss -= x;
  }
  return { n: outcomes.length, wins, gain, loss };
}
