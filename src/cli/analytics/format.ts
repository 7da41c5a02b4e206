// Flag parsing, report times and compact tables shared by the inspect, backtest and scan reports
// (their numbers and money come from ui/format.ts).

import { formatDuration } from "../../analytics/metrics.js";
import { UsageError } from "../../core/errors.js";

export { formatDuration };

/**
 * Parse a number given on the command line.
 * @throws {UsageError} naming the flag when it is not a finite number ≥ min (> min if `exclusive`).
 */
export function parseNumberFlag(
  raw: string | number,
  flag: string,
  options: { min: number; exclusive?: boolean; integer?: boolean; example: string },
): number {
  const text = String(raw).trim();
  const n = text === "" ? Number.NaN : Number(text);
  const low = options.exclusive ? n <= options.min : n < options.min;
  if (!Number.isFinite(n) || low || (options.integer && !Number.isInteger(n))) {
    const what = `${options.integer ? "an integer" : "a number"} ${options.exclusive ? ">" : "≥"} ${options.min}`;
    throw new UsageError(`invalid ${flag} "${raw}": expected ${what}`, {
      hint: `e.g. ${flag} ${options.example}`,
    });
  }
  return n;
}

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
