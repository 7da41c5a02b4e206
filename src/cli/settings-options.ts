// Per-run setting flags, generated from the settings schema: `risk.maxLeverage` becomes
// `--max-leverage <value>`. Values stay raw strings here; the schema parses them.

import { type Command, Option } from "commander";
import { plainDecimal } from "../core/format.js";
import {
  allowedText,
  flagName,
  type RunCommand,
  SETTINGS_SCHEMA,
  type SettingKey,
  type SettingValue,
  settingRunsOf,
} from "../core/settings.js";

const FLAG_SPECS = SETTINGS_SCHEMA.filter((s) => s.key !== "network" && s.key !== "account");

/**
 * The settings the planner reads when it replays a leader without a live run (inspect's
 * copyability): sizing, caps, coin lists and execution prices. Sweeps, review prompts, exchange
 * leverage and margin mode belong to live runs, so inspect does not offer them.
 */
export const PLANNER_SETTING_KEYS: readonly SettingKey[] = [
  "sizing.mode",
  "sizing.multiplier",
  "sizing.ratio",
  "sizing.notional",
  "risk.maxLeverage",
  "risk.maxNotionalPerCoin",
  "risk.maxTotalNotional",
  "risk.allowCoins",
  "risk.denyCoins",
  "risk.closeDenied",
  "exec.slippageBps",
  "exec.deadbandPct",
  "exec.maxEntryDriftBps",
];

/**
 * backtest replays the planner with the safety rules and the join policy too, and issue 21's
 * sizing inputs and entry styles (the stop settings only size risk-per-trade: a backtest does
 * not simulate resting stops).
 */
export const BACKTEST_SETTING_KEYS: readonly SettingKey[] = [
  ...PLANNER_SETTING_KEYS,
  "sizing.targetVolPct",
  "sizing.volLookbackDays",
  "sizing.kellyLookbackDays",
  "sizing.kellyFraction",
  "sizing.riskPct",
  "risk.stopLossPct",
  "risk.trailingStopPct",
  "risk.maxDrawdownPct",
  "risk.maxDailyLossPct",
  "exec.copyDelayMinutes",
  "exec.entry",
  "exec.passiveTimeoutSeconds",
  "exec.tradingHours",
  "exec.minOrderUsd",
  "join",
];

function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Add one `--<flag> <value>` option per setting to a command (help: key, what it accepts,
 * default): every setting, or only `keys` — the ones the command really uses (any other is an
 * unknown option, exit 2). For a trading `run` command, help says which of its runs read a
 * setting some runs do not (core/settings.ts RUN_SETTINGS), and hides one that none of its runs
 * reads (still parsed, so giving it is refused with the reason and a hint, not "unknown option").
 */
export function addSettingOptions(cmd: Command, keys?: readonly SettingKey[], run?: RunCommand): Command {
  for (const s of FLAG_SPECS) {
    if (keys && !keys.includes(s.key)) continue;
    const runs = run ? settingRunsOf(s.key, run) : undefined;
    const option = new Option(
      `--${flagName(s.key)} <value>`,
      `${runs ? `${runs}: ` : ""}${s.description} [${s.key}; ${allowedText(s)}; default ${defaultText(s.default)}]`,
    );
    cmd.addOption(runs === null ? option.hideHelp() : option);
  }
  cmd.addHelpText(
    "after",
    `
Setting flags that would do nothing are refused (exit 2, nothing sent):
  --max-leverage 0x10       numbers are plain decimals (no hex, exponent, spaces: 1e3, " 5")
  --ratio 0.05 --ratio 0.5  a flag given twice (an alias adding one): the last would silently win
  --allow-coins BTCC        trading runs check coin names against the exchange's markets:
                            unknown coin "BTCC" … did you mean BTC? (btc = BTC: case-insensitive)
  --ratio 0.5               with sizing mode equity-ratio: --ratio needs --mode fixed-ratio
  --trailing-step-pct 1     without --trailing-stop-pct: it acts only on a trailing stop${
    run
      ? `
  --leverage 5 --dry-run    a flag marked "live runs only" in a run that sends nothing${run === "reconcile" ? "\n  --sweep-seconds 5         follow's settings (sweep interval, alerts): reconcile is one sweep" : ""}`
      : ""
  }`,
  );
  return cmd;
}

function defaultText(value: SettingValue): string {
  if (value === null) return "none";
  if (Array.isArray(value)) return value.length === 0 ? '""' : value.join(",");
  return typeof value === "number" ? plainDecimal(value) : String(value);
}

/** Pick the setting flags the user actually passed, keyed by setting key. */
export function flagsFromOptions(options: Record<string, unknown>): Partial<Record<SettingKey, string>> {
  const out: Partial<Record<SettingKey, string>> = {};
  for (const s of FLAG_SPECS) {
    const value = options[camel(flagName(s.key))];
    if (typeof value === "string") out[s.key] = value;
  }
  return out;
}
