// Report times and compact tables shared by the inspect, backtest and scan reports
// (their numbers and money come from ui/format.ts).

import { formatDuration } from "../../analytics/metrics.js";
import { wrapLastWidths } from "../output.js";

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
  const colWidths = options.wrapLast ? wrapLastWidths(head, rows, options.width) : undefined;
  const table = new Table({
    ...(head ? { head } : {}),
    chars: COMPACT,
    style: { head: [], border: [], "padding-left": 1, "padding-right": 1 },
    ...(colWidths ? { colWidths, wordWrap: true } : {}),
  });
  for (const row of rows) table.push(row.map((c) => String(c)));
  return table.toString();
}
