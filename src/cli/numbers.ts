// Numbers given as flags outside the settings (--equity, --paper-equity, --delay-ms, --speed …):
// read by the settings' own parser (core/settings.ts parsePlainDecimal), refused in its words.

import { UsageError } from "../core/errors.js";
import { PLAIN_DECIMAL_RULE, parsePlainDecimal } from "../core/settings.js";

export interface NumberFlagOptions {
  min: number;
  /** `min` itself is refused too (> min instead of ≥ min). */
  exclusive?: boolean;
  max?: number;
  integer?: boolean;
  /** The value the hint shows (`e.g. --equity 1000`). */
  example: string;
  /** A hint of the flag's own instead of the example. */
  hint?: string;
}

/**
 * Parse a number given on the command line: a plain decimal as typed (no hex, exponent or
 * spaces: "0x10" is not 16), within the range. A default may be passed as a number.
 * @throws {UsageError} naming the flag, what was typed and what it accepts.
 */
export function parseNumberFlag(raw: string | number, flag: string, options: NumberFlagOptions): number {
  const text = String(raw);
  const n = typeof raw === "number" ? raw : parsePlainDecimal(text);
  const what = `${options.integer ? "an integer" : "a number"} ${options.exclusive ? ">" : "≥"} ${options.min}${options.max === undefined ? "" : ` and ≤ ${options.max}`}`;
  const hint = options.hint ?? `e.g. ${flag} ${options.example}`;
  if (n === null) {
    throw new UsageError(`invalid ${flag} "${text}": ${PLAIN_DECIMAL_RULE}; expected ${what}`, { hint });
  }
  const low = options.exclusive ? n <= options.min : n < options.min;
  const high = options.max !== undefined && n > options.max;
  if (!Number.isFinite(n) || low || high || (options.integer && !Number.isInteger(n))) {
    throw new UsageError(`invalid ${flag} "${text}": expected ${what}`, { hint });
  }
  return n;
}

/**
 * --weights for `n` leaders (follow, backtest): one positive plain decimal per leader, in order,
 * as given (not normalised).
 * @throws {UsageError} for one leader (it takes the whole copy), a wrong count or a weight that is
 *   not a positive number.
 */
export function parseWeightsFlag(raw: string, n: number, one = "this run follows one"): number[] {
  // One leader takes the whole copy: any weight would be normalised to 1 and do nothing.
  if (n === 1) {
    throw new UsageError(`--weights shares the copy between several leaders, and ${one}`, {
      hint: "drop --weights (one leader takes the whole copy), or list one leader per weight",
    });
  }
  const weights = raw.split(",").map((w) => parsePlainDecimal(w.trim()) ?? Number.NaN);
  if (weights.length !== n || weights.some((w) => !Number.isFinite(w) || w <= 0)) {
    throw new UsageError(`invalid --weights "${raw}": expected ${n} positive number${n > 1 ? "s" : ""}`, {
      hint: "one weight per leader, in the same order, e.g. --weights 0.6,0.4",
    });
  }
  return weights;
}
