// Per-run setting flags, generated from the settings schema: `risk.maxLeverage` becomes
// `--max-leverage <value>`. Values stay raw strings here; the schema parses them.

import { type Command, Option } from "commander";
import { UsageError } from "../core/errors.js";
import {
  allowedText,
  flagName,
  parseSettingInput,
  type RunCommand,
  SETTINGS_SCHEMA,
  type SettingKey,
  settingRunsOf,
  settingSpec,
  settingText,
} from "../core/settings.js";

const FLAG_SPECS = SETTINGS_SCHEMA.filter((s) => s.key !== "network" && s.key !== "account");

/**
 * The settings the planner reads when it judges a leader's trades one by one (inspect's and
 * scan's copyability): sizing, caps, coin lists and the deadband. Sweeps, review prompts,
 * exchange leverage and margin mode belong to live runs, so inspect does not offer them; the ones
 * it takes but cannot act on are COPYABILITY_IDLE_SETTINGS.
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
  "exec.deadbandPct",
];

/**
 * A setting flag a command takes (a trader carries it over from reconcile) but could not act on:
 * refused with why, and where it acts (refuseIdleSettingFlags).
 */
export interface IdleSetting {
  key: SettingKey;
  /** What the flag does, then why this command never sees it: "`--flag` {does}, but {why}". */
  does: string;
  why: string;
  /** Where it acts; ", or drop --flag" is added. */
  hint: string;
}

const NOTHING_HELD = {
  key: "risk.closeDenied",
  does: "closes positions you hold in denied coins",
} as const;

/**
 * inspect and scan judge each leader trade at its own price (the mid is the fill's) from nothing
 * held: an IOC limit never binds, the price never drifts from the leader's, and a denied coin is
 * never held to be closed.
 */
export function copyabilityIdleSettings(command: "inspect" | "scan"): IdleSetting[] {
  const at = `${command} judges each leader trade at the leader's own price`;
  return [
    {
      key: "exec.slippageBps",
      does: "sets the IOC limit of a copy order",
      why: `${at}, where that limit never binds (its cost comes from the book-depth model)`,
      hint: "hlcopy backtest 0x… --slippage-bps 50 replays orders at their limit",
    },
    {
      key: "exec.maxEntryDriftBps",
      does: "skips an increase once the price has moved from the leader's",
      why: `${at}, so it never moves from it`,
      hint: "it acts live, where the price moves from the leader's fill: hlcopy reconcile 0x… --dry-run --max-entry-drift-bps 50 shows what it would skip now",
    },
    {
      ...NOTHING_HELD,
      why: `${command} starts from nothing held and never holds a denied coin`,
      hint: "give it to reconcile or follow, which close what your account holds in denied coins",
    },
  ];
}

/** backtest replays from nothing held and never opens a denied coin. */
export const BACKTEST_IDLE_SETTINGS: readonly IdleSetting[] = [
  {
    ...NOTHING_HELD,
    why: "a backtest starts from nothing held and never opens a denied coin",
    hint: "give it to reconcile or follow, which close what your account holds in denied coins",
  },
];

/** alerts test posts one message: the thresholds of a running follow's alerts are not used. */
export const ALERTS_TEST_IDLE_SETTINGS: readonly IdleSetting[] = (
  [
    ["alerts.driftMinutes", "sets when a running follow alerts on lasting drift"],
    ["alerts.wsDownSeconds", "sets when a running follow alerts on a websocket down"],
  ] as const
).map(([key, does]) => ({
  key,
  does,
  why: "alerts test only posts one test message",
  hint: `give it to hlcopy follow, or store it (hlcopy config set ${key} …)`,
}));

/** Add the idle settings' flags, hidden (parsed only to be refused with the reason). */
export function addIdleSettingOptions(cmd: Command, idle: readonly IdleSetting[]): Command {
  for (const s of idle) cmd.addOption(new Option(`--${flagName(s.key)} <value>`).hideHelp());
  return cmd;
}

/**
 * @throws {UsageError} (exit 2) for the first idle setting given as a flag; `--close-denied false`
 *   (the default, which promises no effect) passes.
 */
export function refuseIdleSettingFlags(options: Record<string, unknown>, idle: readonly IdleSetting[]): void {
  for (const s of idle) {
    const value = options[camel(flagName(s.key))];
    if (typeof value !== "string") continue;
    const boolean = typeof settingSpec(s.key).default === "boolean";
    if (boolean && parseSettingInput(s.key, value) === false) continue;
    const flag = `--${flagName(s.key)}`;
    throw new UsageError(`${flag} ${s.does}, but ${s.why}`, { hint: `${s.hint}, or drop ${flag}` });
  }
}

/**
 * backtest replays the planner with the execution prices, the safety rules and the join policy
 * too, and issue 21's sizing inputs and entry styles (the stop settings only size
 * risk-per-trade: a backtest does not simulate resting stops).
 */
export const BACKTEST_SETTING_KEYS: readonly SettingKey[] = [
  ...PLANNER_SETTING_KEYS,
  "exec.slippageBps",
  "exec.maxEntryDriftBps",
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
      `${runs ? `${runs}: ` : ""}${s.description} [${s.key}; ${allowedText(s)}; default ${settingText(s.key, s.default)}]`,
    );
    cmd.addOption(runs === null ? option.hideHelp() : option);
  }
  // Each example only where its flag is offered (alerts test has none of them: no footer).
  const has = (key: SettingKey) => !keys || keys.includes(key);
  const lines = (
    [
      [
        "risk.maxLeverage",
        `--max-leverage 0x10       numbers are plain decimals (no hex, exponent, spaces: 1e3, " 5")`,
      ],
      [
        "risk.maxDrawdownPct",
        "--max-drawdown-pct 0.25   a fraction for a percentage: 25 is 25 % (0.25% if 0.25 % is meant)",
      ],
      [
        "sizing.ratio",
        "--ratio 0.05 --ratio 0.5  a flag given twice (an alias adding one): the last would silently win",
      ],
      [
        "risk.allowCoins",
        `--allow-coins BTCC        trading runs check coin names against the exchange's markets:
                            unknown coin "BTCC" … did you mean BTC? (btc = BTC: case-insensitive)`,
      ],
      [
        "sizing.ratio",
        "--ratio 0.5               with sizing mode equity-ratio: --ratio needs --mode fixed-ratio",
      ],
      [
        "risk.trailingStepPct",
        "--trailing-step-pct 1     without --trailing-stop-pct: it acts only on a trailing stop",
      ],
    ] as const
  )
    .filter(([key]) => has(key))
    .map(([, line]) => `  ${line}`);
  if (run) {
    lines.push(`  --leverage 5 --dry-run    a flag marked "live runs only" in a run that sends nothing`);
    if (run === "reconcile")
      lines.push(
        "  --sweep-seconds 5         follow's settings (sweep interval, alerts): reconcile is one sweep",
      );
  }
  if (lines.length > 0) {
    cmd.addHelpText(
      "after",
      `\nSetting flags that would do nothing are refused (exit 2, nothing sent):\n${lines.join("\n")}`,
    );
  }
  return cmd;
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
