// `--since` on the command line, one grammar everywhere: a span back from now (`30s|15m|1h|2d|1w`)
// or a date or time in UTC (`2026-12-01`, `2026-12-01T09:30`).

import { UsageError } from "../core/errors.js";
import { utcMinute, windowText } from "../core/format.js";
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
 * A span like `1h` or `7d`, in ms, at most MAX_SPAN_DAYS. A bare number is refused: it read as
 * hours in status and as days in report, inspect, scan and backtest (and was refused by the
 * journal) — one figure, two meanings.
 * @throws {UsageError} naming the flag and showing the spelling and the range.
 */
export function parseSpanMs(value: string, flag: string, options: { example: string }): number {
  const v = value.trim();
  // Months and years are no unit (their length varies), and a capital M is the month of many
  // tools: `--since 1M` read as one minute, said only by the window's label ("last 1m").
  // (A capital M alone: in any case it would be m, minutes.)
  const long =
    /^(\d+(?:\.\d+)?)\s*(M)$/.exec(v) ??
    /^(\d+(?:\.\d+)?)\s*(mo|mos|mon|mons|months?|y|yr|yrs|years?)$/i.exec(v);
  if (long) {
    const n = Number(long[1]);
    const years = /^y/i.test(long[2] ?? "");
    const days = Math.round(n * (years ? 365 : 30));
    throw new UsageError(
      `invalid ${flag} "${value}": ${long[2] === "M" ? "M is no unit (m is minutes)" : "months and years are no unit"}`,
      {
        hint: `give it in days: ${flag} ${days}d for ${n} ${years ? "year" : "month"}${n === 1 ? "" : "s"}, e.g. ${options.example}`,
      },
    );
  }
  const m = /^(\d+(?:\.\d+)?)\s*([smhdw])$/i.exec(v);
  const ms = Number(m?.[1]) * (UNIT_MS[m?.[2]?.toLowerCase() ?? ""] ?? Number.NaN);
  if (m && ms > MAX_SPAN_DAYS * DAY_MS) throw tooLong(value, flag, options.example);
  if (m && ms > 0) return ms;
  throw badSince(value, flag, options.example);
}

/** `--since`, read: the start of the window, its length back from now, and how it is named. */
export interface Since {
  /** The window's start (ms). */
  from: number;
  /** now − from (ms). */
  spanMs: number;
  /** "last 24h" for a span, "since 2026-12-01 00:00 UTC" for a time. */
  label: string;
}

/**
 * `--since` of every command (journal, status, report, inspect, scan, backtest), one grammar:
 * a span back from `now` (30s, 15m, 1h, 2d, 1w; at most MAX_SPAN_DAYS), or a date or time —
 * 2026-12-01, 2026-12-01T09:30, 2026-12-01 09:30:15 — in UTC unless a zone is given (Z,
 * +02:00), as hlcopy shows every time. Refused, with `example` in the hint: a bare number (no
 * unit), a day the calendar lacks (2026-02-30: Date.parse rolled it into March), a time in the
 * future, one more than MAX_SPAN_DAYS back, anything else.
 * @throws {UsageError}
 */
export function parseSince(value: string, now: number, example: string): Since {
  const v = value.trim();
  if (/^\d+(?:\.\d+)?$/.test(v)) {
    throw new UsageError(`invalid --since "${value}": a bare number has no unit`, {
      hint: `say ${v}h or ${v}d (or give a date such as 2026-12-01), e.g. ${example}`,
    });
  }
  if (/^\d+(?:\.\d+)?\s*[a-z]+$/i.test(v)) {
    const spanMs = parseSpanMs(value, "--since", { example });
    return { from: now - spanMs, spanMs, label: `last ${windowText(spanMs)}` };
  }
  const iso = /^(\d{4})-(\d{2})-(\d{2})([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(v);
  if (iso) {
    // A time without a zone is UTC, as every time hlcopy shows (Date.parse took it as the
    // machine's local time: hours off on a machine that is not on UTC).
    const ts = Date.parse(iso[4] !== undefined && iso[7] === undefined ? `${v.replace(" ", "T")}Z` : v);
    const [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
    const day = new Date(Date.UTC(y, m - 1, d));
    const real = day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
    if (Number.isFinite(ts) && real) {
      if (ts >= now) {
        throw new UsageError(`invalid --since "${value}": in the future (now is ${utcMinute(now)})`, {
          hint: `give a time before now, or a span back from now, e.g. ${example}`,
        });
      }
      if (now - ts > MAX_SPAN_DAYS * DAY_MS) throw tooLong(value, "--since", example);
      return { from: ts, spanMs: now - ts, label: `since ${utcMinute(ts)}` };
    }
  }
  throw badSince(value, "--since", example);
}

function tooLong(value: string, flag: string, example: string): UsageError {
  return new UsageError(`invalid ${flag} "${value}": longer than ${MAX_SPAN_DAYS}d (10 years)`, {
    hint: `give a span up to ${MAX_SPAN_DAYS}d (that reaches all of the exchange's history), e.g. ${example}`,
  });
}

function badSince(value: string, flag: string, example: string): UsageError {
  return new UsageError(
    `invalid ${flag} "${value}": expected a span back from now (30s, 15m, 1h, 2d, 1w) or a date or time in UTC (2026-12-01, 2026-12-01T09:30)`,
    { hint: `e.g. ${example}, or ${flag} 2026-12-01` },
  );
}

/**
 * inspect/scan/backtest history: `--since 7d` or `--since 2026-12-01` (parseSince; or the older
 * `--days 7`), in days back from `now`; undefined = the
 * command's default.
 * @throws {UsageError} for a bad span, or both flags at once.
 */
export function historyDays(
  flags: { since?: string; days?: string },
  example: string,
  now: number = Date.now(),
): number | undefined {
  if (flags.since !== undefined && flags.days !== undefined) {
    throw new UsageError("--since and --days both set the history span: give one", {
      hint: `e.g. ${example}`,
    });
  }
  if (flags.since !== undefined) return parseSince(flags.since, now, example).spanMs / DAY_MS;
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
