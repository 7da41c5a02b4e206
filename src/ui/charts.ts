// Tiny text charts for terminal output: a sparkline, a horizontal histogram and a
// multi-line equity curve. Pure string functions (no colours, no terminal queries), so the
// dashboard and the analytics commands can share them and tests can pin their output.

const TICKS = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"] as const;

/**
 * Reduce a series to at most `width` points: each output point is the last value of its
 * slice (a curve's level at the end of each interval).
 */
export function resample(values: readonly number[], width: number): number[] {
  const w = Math.max(1, Math.floor(width));
  if (values.length <= w) return [...values];
  const out: number[] = [];
  for (let i = 0; i < w; i++) {
    const end = Math.floor(((i + 1) * values.length) / w) - 1;
    out.push(values[Math.max(0, end)] as number);
  }
  return out;
}

/** One line of block characters, lowest value ▁, highest █; "" for no data. */
export function sparkline(values: readonly number[], width = 40): string {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return "";
  const pts = resample(finite, width);
  const lo = Math.min(...pts);
  const hi = Math.max(...pts);
  const span = hi - lo;
  return pts
    .map(
      (v) => TICKS[span > 0 ? Math.min(TICKS.length - 1, Math.floor(((v - lo) / span) * TICKS.length)) : 3],
    )
    .join("");
}

export interface HistogramRow {
  label: string;
  count: number;
}

/** Horizontal bars scaled to the largest count: `label │████▌ 12`. */
export function histogram(rows: readonly HistogramRow[], width = 30): string {
  if (rows.length === 0) return "";
  const max = Math.max(...rows.map((r) => r.count));
  const labelWidth = Math.max(...rows.map((r) => r.label.length));
  const partial = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
  return rows
    .map((r) => {
      const eighths = max > 0 ? Math.round((r.count / max) * width * 8) : 0;
      const bar = "█".repeat(Math.floor(eighths / 8)) + partial[eighths % 8];
      return `${r.label.padStart(labelWidth)} │${bar} ${r.count}`;
    })
    .join("\n");
}

export interface CurveOptions {
  width?: number;
  height?: number;
  /** Formats the axis labels (top = max, bottom = min). */
  format?: (v: number) => string;
}

/**
 * A filled area chart of a curve, `height` rows tall, axis labels on the left:
 * ```
 *  12.50 ┤      ▄█
 *        │  ▂▄▆███
 *  -3.10 ┤▆████████
 * ```
 * Returns "" for no data.
 */
export function equityCurve(values: readonly number[], options: CurveOptions = {}): string {
  const width = options.width ?? 60;
  const height = Math.max(1, options.height ?? 6);
  const format = options.format ?? ((v: number) => v.toFixed(2));
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return "";
  const pts = resample(finite, width);
  const lo = Math.min(...pts);
  const hi = Math.max(...pts);
  const span = hi - lo;
  // Each column's height in eighths of a row (at least one eighth so the curve is visible).
  const levels = pts.map((v) => (span > 0 ? Math.max(1, Math.round(((v - lo) / span) * height * 8)) : 4));
  const top = format(hi);
  const bottom = format(lo);
  const labelWidth = Math.max(top.length, bottom.length);
  const lines: string[] = [];
  for (let row = height - 1; row >= 0; row--) {
    let line = "";
    for (const level of levels) {
      const inRow = level - row * 8;
      line += inRow >= 8 ? "█" : inRow <= 0 ? " " : TICKS[inRow - 1];
    }
    const label = row === height - 1 ? top : row === 0 ? bottom : "";
    const axis = row === height - 1 || row === 0 ? "┤" : "│";
    lines.push(`${label.padStart(labelWidth)} ${axis}${line.trimEnd()}`);
  }
  return lines.join("\n");
}
