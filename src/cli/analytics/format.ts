// Report times and compact tables shared by the inspect, backtest and scan reports
// (their numbers and money come from ui/format.ts).

import { formatDuration } from "../../analytics/metrics.js";

export { formatDuration };

const COMPACT = { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" };

/**
 * A compact cli-table3 table (no line between rows); `head` null for a key/value table.
 * cli-table3 is loaded on first use.
 */
export async function compactTable(head: string[] | null, rows: (string | number)[][]): Promise<string> {
  const { default: Table } = await import("cli-table3");
  const table = new Table({
    ...(head ? { head } : {}),
    chars: COMPACT,
    style: { head: [], border: [], "padding-left": 1, "padding-right": 1 },
  });
  for (const row of rows) table.push(row.map((c) => String(c)));
  return table.toString();
}
