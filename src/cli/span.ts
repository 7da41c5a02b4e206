// Time spans on the command line, one spelling everywhere: `--since 30s|15m|1h|2d|1w`.

import { UsageError } from "../core/errors.js";

const DAY_MS = 86_400_000;
const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: DAY_MS, w: 7 * DAY_MS };

/**
 * A span like `1h` or `7d`, in ms. `bareUnit` says what a plain number means (status took
 * hours before spans, so `--since 6` still works there).
 * @throws {UsageError} naming the flag and showing the spelling.
 */
export function parseSpanMs(
  value: string,
  flag: string,
  options: { bareUnit?: "h" | "d"; example: string },
): number {
  const v = value.trim();
  const m = /^(\d+(?:\.\d+)?)\s*([smhdw])?$/i.exec(v);
  const unit = m?.[2]?.toLowerCase() ?? options.bareUnit;
  const n = Number(m?.[1]);
  if (m && unit !== undefined && n > 0) return n * (UNIT_MS[unit] as number);
  throw new UsageError(`invalid ${flag} "${value}": expected a time span such as 30m, 1h, 2d or 1w`, {
    hint: `e.g. ${options.example}`,
  });
}

/**
 * inspect/backtest history: `--since 7d` (or the older `--days 7`), in days; undefined = the
 * command's default.
 * @throws {UsageError} for a bad span, or both flags at once.
 */
export function historyDays(
  flags: { since?: string; days?: string },
  example: string,
): number | string | undefined {
  if (flags.since !== undefined && flags.days !== undefined) {
    throw new UsageError("--since and --days both set the history span: give one", {
      hint: `e.g. ${example}`,
    });
  }
  if (flags.since !== undefined)
    return parseSpanMs(flags.since, "--since", { bareUnit: "d", example }) / DAY_MS;
  return flags.days;
}
