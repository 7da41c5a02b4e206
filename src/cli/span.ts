// Time spans on the command line, one spelling everywhere: `--since 30s|15m|1h|2d|1w`.

import { UsageError } from "../core/errors.js";
import { parseNumberFlag } from "./numbers.js";

const DAY_MS = 86_400_000;
const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: DAY_MS, w: 7 * DAY_MS };

/**
 * The longest span: 10 years, more than the exchange's whole history, so every record there is
 * can be asked for, while a typo such as 99999d (before 1970) is refused, not sent to the
 * exchange (which refuses a negative start time) or reported as a window nobody meant.
 */
export const MAX_SPAN_DAYS = 3650;

/**
 * A span like `1h` or `7d`, in ms, at most MAX_SPAN_DAYS. `bareUnit` says what a plain number
 * means (status took hours before spans, so `--since 6` still works there).
 * @throws {UsageError} naming the flag and showing the spelling and the range.
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
  const ms = n * (UNIT_MS[unit ?? ""] ?? Number.NaN);
  if (m && ms > MAX_SPAN_DAYS * DAY_MS) {
    throw new UsageError(`invalid ${flag} "${value}": longer than ${MAX_SPAN_DAYS}d (10 years)`, {
      hint: `give a span up to ${MAX_SPAN_DAYS}d (that reaches all of the exchange's history), e.g. ${options.example}`,
    });
  }
  if (m && ms > 0) return ms;
  throw new UsageError(`invalid ${flag} "${value}": expected a time span such as 30m, 1h, 2d or 1w`, {
    hint: `e.g. ${options.example}`,
  });
}

/**
 * inspect/backtest history: `--since 7d` (or the older `--days 7`), in days; undefined = the
 * command's default.
 * @throws {UsageError} for a bad span, or both flags at once.
 */
export function historyDays(flags: { since?: string; days?: string }, example: string): number | undefined {
  if (flags.since !== undefined && flags.days !== undefined) {
    throw new UsageError("--since and --days both set the history span: give one", {
      hint: `e.g. ${example}`,
    });
  }
  if (flags.since !== undefined)
    return parseSpanMs(flags.since, "--since", { bareUnit: "d", example }) / DAY_MS;
  // The older spelling has the same bound: --days 99999 is the same typo.
  if (flags.days !== undefined)
    return parseNumberFlag(flags.days, "--days", {
      min: 0,
      exclusive: true,
      max: MAX_SPAN_DAYS,
      example: "30",
    });
  return undefined;
}
