// Report times and compact tables shared by the inspect, backtest and scan reports
// (their numbers and money come from ui/format.ts).

import { formatDuration } from "../../analytics/metrics.js";
import { TABLE_WIDTH } from "../output.js";

export { formatDuration };

const COMPACT = { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" };

/**
 * A compact cli-table3 table (no line between rows); `head` null for a key/value table.
 * cli-table3 is loaded on first use. With `wrapLast` the last column takes at most what is left
 * of `width` (default: the terminal's, else 80 columns) and wraps there at words, as
 * renderTable's does: inspect's key/value tables ran to 120 columns and more (a long
 * `orders / day` or `style` cell), which an 80-column terminal broke inside each row.
 */
export async function compactTable(
  head: string[] | null,
  rows: (string | number)[][],
  options: { wrapLast?: boolean; width?: number } = {},
): Promise<string> {
  const { default: Table } = await import("cli-table3");
  let colWidths: number[] | undefined;
  const columns = Math.max(head?.length ?? 0, ...rows.map((r) => r.length));
  if (options.wrapLast && columns > 0) {
    const width = options.width ?? (process.stdout.columns || TABLE_WIDTH);
    const widths = Array.from(
      { length: columns },
      (_, i) =>
        Math.max([...(head?.[i] ?? "")].length, ...rows.map((r) => [...String(r[i] ?? "")].length)) + 2,
    );
    const used = widths.slice(0, -1).reduce((a, b) => a + b, 0) + columns + 1;
    const natural = widths[widths.length - 1] ?? 0;
    // What is left, but never under 20 (a column of words wrapped narrower is unreadable).
    widths[widths.length - 1] = Math.min(natural, Math.max(20, width - used));
    colWidths = widths;
  }
  const table = new Table({
    ...(head ? { head } : {}),
    chars: COMPACT,
    style: { head: [], border: [], "padding-left": 1, "padding-right": 1 },
    ...(colWidths ? { colWidths, wordWrap: true } : {}),
  });
  for (const row of rows) table.push(row.map((c) => String(c)));
  return table.toString();
}
