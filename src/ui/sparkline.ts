// A one-line chart of the last values in eight block heights (▁▂▃▄▅▆▇█). Kept here until
// src/ui/charts.ts lands from the analytics branch; same idea, no dependencies.

const BLOCKS = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"] as const;

/**
 * The last `width` finite values scaled between their own min and max; a flat series draws
 * a flat middle line. Returns "" for no values or a non-positive width.
 */
export function sparkline(values: readonly number[], width: number): string {
  if (width <= 0) return "";
  const tail = values.filter((v) => Number.isFinite(v)).slice(-width);
  if (tail.length === 0) return "";
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of tail) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const span = max - min;
  let out = "";
  for (const v of tail) {
    const i = span === 0 ? 3 : Math.round(((v - min) / span) * (BLOCKS.length - 1));
    out += BLOCKS[i];
  }
  return out;
}
