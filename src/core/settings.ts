// The one schema of every setting: type, default, range and a one-line description.
// The config file, `config set`, and the per-run flags (`--max-leverage 3`) are all derived
// from this table, so a setting exists in exactly one place.

import {
  addressProblem,
  hidePrivateKeys,
  isAddress,
  looksLikePrivateKey,
  privateKeyMessage,
} from "./address.js";
import { MIN_ORDER_USD } from "./drift.js";
import { UsageError, ValidationError } from "./errors.js";
import { plainDecimal } from "./format.js";
import type { Address } from "./types.js";

export type SizingMode =
  | "equity-ratio"
  | "fixed-ratio"
  | "fixed-notional"
  | "risk-parity"
  | "kelly"
  | "risk-per-trade";
/** Every sizing mode, in the order help and `backtest --compare modes` list them. */
export const SIZING_MODES: readonly SizingMode[] = [
  "equity-ratio",
  "fixed-ratio",
  "fixed-notional",
  "risk-parity",
  "kelly",
  "risk-per-trade",
];
/** How an increase is placed: a marketable IOC (taker), or a resting post-only limit first. */
export type EntryStyle = "ioc" | "passive";
export type JoinMode = "all" | "new-only";
export type MarginMode = "cross" | "isolated";
export type CopyMode = "mirror" | "entry-only";
export type Direction = "same" | "inverse";
/** One take-profit tier: close `fraction` of the position when the price is `pct` % beyond the entry. */
export interface TakeProfitTier {
  pct: number;
  fraction: number;
}
/** The body shape of an alert webhook: ours, or what each incoming-webhook API accepts. */
export type AlertFormat = "json" | "slack" | "discord" | "telegram";

/** The typed settings the planner and engine read. */
export interface Settings {
  sizing: {
    mode: SizingMode;
    multiplier: number;
    ratio: number;
    notional: number;
    /** inverse: copy the opposite side (every cap and rule unchanged). Absent = same. */
    direction?: Direction;
    // The modes of issue 21 (absent = the schema's default: see sizingParams in sizing.ts).
    /** risk-parity: the annualised volatility a copied coin is scaled to, in %. */
    targetVolPct?: number;
    /** risk-parity: days of hourly candles the volatility is measured over. */
    volLookbackDays?: number;
    /** kelly: days of the leader's fills its win rate and win/loss ratio come from. */
    kellyLookbackDays?: number;
    /** kelly: the share of the full Kelly fraction copied (0.5 = half-Kelly). */
    kellyFraction?: number;
    /** risk-per-trade: % of our equity a position loses if its stop-loss is hit. */
    riskPct?: number;
  };
  /** entry-only: copy the leaders' opens and adds; exits are ours (stops), never the leaders' reductions. Absent = mirror. */
  copy?: { mode: CopyMode };
  risk: {
    maxLeverage: number;
    /** USD cap per coin; null = no cap. */
    maxNotionalPerCoin: number | null;
    /** USD cap on gross notional; null = no cap. */
    maxTotalNotional: number | null;
    /** Empty = every coin allowed. */
    allowCoins: string[];
    denyCoins: string[];
    closeDenied: boolean;
    maxDrawdownPct: number;
    maxDailyLossPct: number;
    /** Resting stop-market this % from the entry price; null = off. */
    stopLossPct: number | null;
    /** Resting take-profit trigger this % from the entry price; null = off. */
    takeProfitPct: number | null;
    /** Resting stop trailing the best price since entry by this %; null = off. */
    trailingStopPct: number | null;
    /** A trailing stop moves only when it would move by at least this % of its price. */
    trailingStepPct: number;
    /** Most coins held at once: new coins beyond it are skipped "max-positions"; null = no limit. */
    maxPositions: number | null;
    /** Per-coin cap in % of our equity, beside the USD cap; null = none. */
    maxCoinPctOfEquity: number | null;
    /**
     * Resting take-profit tiers (pct beyond the entry → fraction of the position), nearest
     * first; fractions sum to at most 1. Null/absent = off. Not together with takeProfitPct.
     */
    takeProfitTiers?: TakeProfitTier[] | null;
    /** Time stop: a position held this many hours since it opened is closed reduce-only; null/absent = off. */
    maxHoldHours?: number | null;
    /** Each leader's share of the copy may use at most this % of our equity (gross notional); null/absent = no cap. */
    maxAllocationPct?: number | null;
    /** Stop following a leader whose copy fell this % from its own high-water mark; null/absent = off. */
    leaderMaxDrawdownPct?: number | null;
    /** No increases from a leader whose leverage (gross notional / equity) is above this; null/absent = off. */
    leaderMaxLeverage?: number | null;
    /** Skip a leader's open of a coin it has not traded in the 30 days before; absent = false. */
    skipLeaderNewCoins?: boolean;
    /** Stop following a liquidated leader for this many days; null/absent = off. */
    leaderLiquidationPauseDays?: number | null;
  };
  exec: {
    slippageBps: number;
    /** Warn when the p95 of execution slippage (against the touch at decision) exceeds this; null = no budget. */
    slippageBudgetBps: number | null;
    deadbandPct: number;
    maxEntryDriftBps: number;
    sweepSeconds: number;
    /** A live plan moving more than this % of equity is shown and must be confirmed. */
    confirmAbovePct: number;
    /** Exchange leverage set on a coin before its first increase; "auto" derives it from risk.maxLeverage. */
    leverage: number | "auto";
    marginMode: MarginMode;
    /** Start-up reads retry transient failures, and a run waits for a journal another program holds, this long before giving up (exit 1). */
    startupTimeoutSeconds: number;
    // Entry styles of issue 21 (absent = the schema's default: see entryParams in entry.ts).
    /** An increase is copied only once the leader has held it this many minutes (0 = at once). */
    copyDelayMinutes?: number;
    /** ioc: marketable IOC; passive: a resting post-only limit at the leader's price first. */
    entry?: EntryStyle;
    /** passive: a resting entry not filled after this many seconds becomes the IOC (or is dropped). */
    passiveTimeoutSeconds?: number;
    /** "08-22": new increases only from 08:00 to 22:00 UTC; null = any time. */
    tradingHours?: string | null;
    /** Increases worth less than this (USD) are skipped (at least the exchange's $10). */
    minOrderUsd?: number;
  };
  join: JoinMode;
  network: string;
  account: Address | null;
  alerts: {
    /** Webhook URLs an alert is posted to; empty = no alerts. */
    webhook: string[];
    format: AlertFormat;
    /** Telegram's sendMessage needs the chat to post in. */
    telegramChatId: string | null;
    /** Alert when drift stays outside the deadband this long. */
    driftMinutes: number;
    /** Alert when the websocket stays down this long. */
    wsDownSeconds: number;
  };
}

type Kind =
  | { type: "number"; min: number; max: number; minExclusive?: boolean; integer?: boolean }
  | {
      type: "usdOrNone";
      min: number;
      max: number;
      unit?: "pct" | "count" | "hours" | "days" | "leverage" | "bps";
    }
  | { type: "tiersOrNone" }
  | { type: "intOrAuto"; min: number; max: number }
  | { type: "enum"; values: readonly string[] }
  | { type: "boolean" }
  | { type: "coins" }
  | { type: "network" }
  | { type: "addressOrNone" }
  | { type: "urls" }
  | { type: "chatIdOrNone" }
  | { type: "hoursOrNone" };

export interface SettingSpec {
  key: SettingKey;
  kind: Kind;
  /** The per-run flag when the key's last part would clash with another's (`copy.mode` → copy-mode). */
  flag?: string;
  default: SettingValue;
  description: string;
}

export type SettingValue = number | string | boolean | string[] | null;

export const SETTING_KEYS = [
  "sizing.mode",
  "sizing.multiplier",
  "sizing.ratio",
  "sizing.notional",
  "sizing.direction",
  "sizing.targetVolPct",
  "sizing.volLookbackDays",
  "sizing.kellyLookbackDays",
  "sizing.kellyFraction",
  "sizing.riskPct",
  "copy.mode",
  "risk.maxLeverage",
  "risk.maxNotionalPerCoin",
  "risk.maxTotalNotional",
  "risk.allowCoins",
  "risk.denyCoins",
  "risk.closeDenied",
  "risk.maxDrawdownPct",
  "risk.maxDailyLossPct",
  "risk.stopLossPct",
  "risk.takeProfitPct",
  "risk.trailingStopPct",
  "risk.trailingStepPct",
  "risk.maxPositions",
  "risk.maxCoinPctOfEquity",
  "risk.takeProfitTiers",
  "risk.maxHoldHours",
  "risk.maxAllocationPct",
  "risk.leaderMaxDrawdownPct",
  "risk.leaderMaxLeverage",
  "risk.skipLeaderNewCoins",
  "risk.leaderLiquidationPauseDays",
  "exec.slippageBps",
  "exec.slippageBudgetBps",
  "exec.deadbandPct",
  "exec.maxEntryDriftBps",
  "exec.sweepSeconds",
  "exec.confirmAbovePct",
  "exec.leverage",
  "exec.marginMode",
  "exec.startupTimeoutSeconds",
  "exec.copyDelayMinutes",
  "exec.entry",
  "exec.passiveTimeoutSeconds",
  "exec.tradingHours",
  "exec.minOrderUsd",
  "join",
  "network",
  "account",
  "alerts.webhook",
  "alerts.format",
  "alerts.telegramChatId",
  "alerts.driftMinutes",
  "alerts.wsDownSeconds",
] as const;
export type SettingKey = (typeof SETTING_KEYS)[number];

const spec = (key: SettingKey, kind: Kind, def: SettingValue, description: string): SettingSpec => ({
  key,
  kind,
  default: def,
  description,
});

/** Every setting, in the order `config list` shows them. */
export const SETTINGS_SCHEMA: readonly SettingSpec[] = [
  spec(
    "sizing.mode",
    { type: "enum", values: SIZING_MODES },
    "equity-ratio",
    "how leader sizes map to ours: equity-ratio, fixed-ratio, fixed-notional, risk-parity (scaled to a target volatility), kelly (scaled by the leader's fractional Kelly) or risk-per-trade (each position risks riskPct % of equity at its stop)",
  ),
  spec(
    "sizing.multiplier",
    { type: "number", min: 0, max: 100, minExclusive: true },
    1,
    "equity-ratio: multiply (our equity / leader equity) by this",
  ),
  spec(
    "sizing.ratio",
    { type: "number", min: 0, max: 1000, minExclusive: true },
    0.01,
    "fixed-ratio: copy this fraction of every leader position (0.01 = 1%)",
  ),
  spec(
    "sizing.notional",
    { type: "number", min: MIN_ORDER_USD, max: 1e9 },
    1000,
    "fixed-notional: USD spread over the leader's positions by their share of its gross notional (at least the exchange's $10 minimum order)",
  ),
  spec(
    "sizing.direction",
    { type: "enum", values: ["same", "inverse"] },
    "same",
    "same: copy the leader's side; inverse: take the opposite side (every cap and rule unchanged)",
  ),
  spec(
    "sizing.targetVolPct",
    { type: "number", min: 0, max: 1000, minExclusive: true },
    15,
    "risk-parity: the leader's allocation to a coin × (this % / the coin's annualised volatility)",
  ),
  spec(
    "sizing.volLookbackDays",
    // At least 2: one day holds 23 closed hourly candles, fewer returns than a volatility takes
    // (core/volatility.ts MIN_VOL_RETURNS), so risk-parity would size nothing, ever.
    { type: "number", min: 2, max: 365, integer: true },
    30,
    "risk-parity: days of hourly candles the volatility is measured over (refreshed at most hourly)",
  ),
  spec(
    "sizing.kellyLookbackDays",
    { type: "number", min: 1, max: 365, integer: true },
    30,
    "kelly: days of the leader's closing trades its win rate W and win/loss ratio R come from",
  ),
  spec(
    "sizing.kellyFraction",
    { type: "number", min: 0, max: 1, minExclusive: true },
    0.5,
    "kelly: share of the full Kelly fraction W − (1 − W)/R copied (0.5 = half-Kelly, 0.25 = quarter)",
  ),
  spec(
    "sizing.riskPct",
    { type: "number", min: 0, max: 100, minExclusive: true },
    1,
    "risk-per-trade: % of equity each position loses if its stop (risk.stopLossPct) is hit",
  ),
  {
    ...spec(
      "copy.mode",
      { type: "enum", values: ["mirror", "entry-only"] },
      "mirror",
      "mirror: follow the leader in and out; entry-only: copy opens and adds, exit only on your own stops (the leader's reductions are not copied)",
    ),
    flag: "copy-mode",
  },
  spec(
    "risk.maxLeverage",
    { type: "number", min: 0, max: 50, minExclusive: true },
    3,
    "cap on our gross notional / equity; wins over the leader's leverage",
  ),
  spec(
    "risk.maxNotionalPerCoin",
    // At least the exchange's $10 minimum order: a cap of 0 (read by many tools as "no cap")
    // would hold nothing — close every position — and one below $10 could never be ordered.
    { type: "usdOrNone", min: 10, max: 1e12 },
    null,
    "USD cap on any one coin's position (none = no cap)",
  ),
  spec(
    "risk.maxTotalNotional",
    // At least the exchange's $10 minimum order: a cap of 0 (read by many tools as "no cap")
    // would hold nothing — close every position — and one below $10 could never be ordered.
    { type: "usdOrNone", min: 10, max: 1e12 },
    null,
    "USD cap on the sum of all our positions (none = no cap)",
  ),
  spec(
    "risk.allowCoins",
    { type: "coins" },
    [],
    "copy only these coins (comma list; empty = all; names match the exchange's case-insensitively)",
  ),
  spec(
    "risk.denyCoins",
    { type: "coins" },
    [],
    "never copy these coins (comma list; names match the exchange's case-insensitively)",
  ),
  spec(
    "risk.closeDenied",
    { type: "boolean" },
    false,
    "close positions we hold in denied coins, and outside risk.allowCoins when it is set (otherwise leave them alone)",
  ),
  spec(
    "risk.maxDrawdownPct",
    { type: "number", min: 0, max: 100, minExclusive: true },
    25,
    "kill switch: drawdown % from the high-water mark (our highest equity, scaled by our own deposits and withdrawals) that flattens and halts",
  ),
  spec(
    "risk.maxDailyLossPct",
    { type: "number", min: 0, max: 100, minExclusive: true },
    10,
    "no new increases for the rest of the UTC day once trading lost this % since its first equity (deposits/withdrawals excluded)",
  ),
  spec(
    "risk.stopLossPct",
    { type: "usdOrNone", min: 0.1, max: 99, unit: "pct" },
    null,
    "keep a reduce-only stop-market resting on the exchange this % from each position's entry (none = off)",
  ),
  spec(
    "risk.takeProfitPct",
    { type: "usdOrNone", min: 0.1, max: 10000, unit: "pct" },
    null,
    "keep a reduce-only take-profit trigger resting on the exchange this % from each position's entry (none = off)",
  ),
  spec(
    "risk.trailingStopPct",
    { type: "usdOrNone", min: 0.1, max: 99, unit: "pct" },
    null,
    "keep a resting stop this % behind the best price since entry; with stopLossPct the tighter stop rests (none = off)",
  ),
  spec(
    "risk.trailingStepPct",
    { type: "number", min: 0, max: 50, minExclusive: true },
    0.5,
    "a trailing stop is moved on the exchange only when it moves by at least this % (one request per step)",
  ),
  spec(
    "risk.maxPositions",
    { type: "usdOrNone", min: 1, max: 1000, unit: "count" },
    null,
    "most coins held at once: a new coin beyond it is skipped with max-positions (none = no limit)",
  ),
  spec(
    "risk.maxCoinPctOfEquity",
    { type: "usdOrNone", min: 0.1, max: 10000, unit: "pct" },
    null,
    "cap any one coin's position at this % of our equity, beside risk.maxNotionalPerCoin (none = no cap)",
  ),
  spec(
    "risk.takeProfitTiers",
    { type: "tiersOrNone" },
    null,
    'resting reduce-only take-profit tiers "pct:fraction,…": "3:0.5,6:0.5" closes half at +3 % from the entry and the rest at +6 % (fractions sum ≤ 1; instead of risk.takeProfitPct; none = off)',
  ),
  spec(
    "risk.maxHoldHours",
    { type: "usdOrNone", min: 0.1, max: 87600, unit: "hours" },
    null,
    "time stop: close a position reduce-only once it is held this many hours since it opened, not re-entered until the leader closes or flips it (none = off)",
  ),
  spec(
    "risk.maxAllocationPct",
    { type: "usdOrNone", min: 0.1, max: 10000, unit: "pct" },
    null,
    "each leader's share of the copy may use at most this % of our equity in gross notional; over it, that leader's targets are scaled by one factor (none = no cap)",
  ),
  spec(
    "risk.leaderMaxDrawdownPct",
    { type: "usdOrNone", min: 0.1, max: 100, unit: "pct" },
    null,
    "stop following a leader whose copy lost this % from its own high-water mark: its share is closed reduce-only, the others are still copied; hlcopy resume --leader clears it (none = off)",
  ),
  spec(
    "risk.leaderMaxLeverage",
    { type: "usdOrNone", min: 0.1, max: 1000, unit: "leverage" },
    null,
    "no increases from a leader while its leverage (gross notional / account value) is above this (none = off)",
  ),
  spec(
    "risk.skipLeaderNewCoins",
    { type: "boolean" },
    false,
    "skip a leader's position in a coin it had not traded in the 30 days before opening it (leader-new-coin)",
  ),
  spec(
    "risk.leaderLiquidationPauseDays",
    { type: "usdOrNone", min: 0.01, max: 3650, unit: "days" },
    null,
    "stop following a leader that was liquidated for this many days (its share closed reduce-only); hlcopy resume --leader clears it (none = off)",
  ),
  spec(
    "exec.slippageBps",
    { type: "number", min: 0, max: 1000, integer: true },
    30,
    "IOC limit price = best price ± this many basis points",
  ),
  spec(
    "exec.slippageBudgetBps",
    { type: "usdOrNone", min: 0, max: 1000, unit: "bps" },
    10,
    "warn (dashboard, status, a slippageBudget event) when the p95 of execution slippage — our fill against the best bid/ask when the order was decided — exceeds this many bps (none = no budget)",
  ),
  spec(
    "exec.deadbandPct",
    { type: "number", min: 0, max: 50 },
    2,
    "skip corrections smaller than this % of the target (the $10 minimum always applies)",
  ),
  spec(
    "exec.maxEntryDriftBps",
    { type: "number", min: 0, max: 10000, integer: true },
    100,
    "skip an increase when the price moved this many bps against us from the leader's price",
  ),
  spec(
    "exec.sweepSeconds",
    { type: "number", min: 1, max: 86400, integer: true },
    30,
    "follow: seconds between REST sweeps that repair drift",
  ),
  spec(
    "exec.confirmAbovePct",
    { type: "number", min: 0, max: 10000 },
    50,
    "a live plan moving more than this % of equity is shown and needs your yes (or --yes)",
  ),
  spec(
    "exec.leverage",
    { type: "intOrAuto", min: 1, max: 100 },
    "auto",
    "exchange leverage set on a coin before its first increase (once per coin per run), capped by the coin's maximum; auto = risk.maxLeverage rounded up, plus 1 so orders at the cap keep margin for fees and slippage",
  ),
  spec(
    "exec.marginMode",
    { type: "enum", values: ["cross", "isolated"] },
    "cross",
    "margin mode set with the leverage: cross (the account's equity backs every position) or isolated (each position has its own margin)",
  ),
  spec(
    "exec.startupTimeoutSeconds",
    { type: "number", min: 1, max: 3600, integer: true },
    120,
    "retry failing start-up requests (429, 5xx, timeouts), and wait for a journal another program holds, this long before giving up",
  ),
  spec(
    "exec.copyDelayMinutes",
    { type: "number", min: 0, max: 1440 },
    0,
    "copy an increase only once the leader has held it this many minutes (reductions never wait; 0 = at once)",
  ),
  spec(
    "exec.entry",
    { type: "enum", values: ["ioc", "passive"] },
    "ioc",
    "ioc: increases are marketable IOC orders; passive: a resting post-only limit at the leader's price first",
  ),
  spec(
    "exec.passiveTimeoutSeconds",
    { type: "number", min: 1, max: 3600, integer: true },
    30,
    "passive: a resting entry not filled after this many seconds becomes the IOC, or is dropped by the entry-drift gate",
  ),
  spec(
    "exec.tradingHours",
    { type: "hoursOrNone" },
    null,
    'no new increases outside these UTC hours, e.g. "08-22" (22-06 wraps midnight; none = any time); reductions always go',
  ),
  spec(
    "exec.minOrderUsd",
    { type: "number", min: 10, max: 1e9 },
    10,
    "skip increases worth less than this many USD (fee drag); the exchange's own minimum is $10",
  ),
  spec(
    "join",
    { type: "enum", values: ["all", "new-only"] },
    "all",
    "all: copy the leader's current positions; new-only: only positions opened after we start",
  ),
  spec("network", { type: "network" }, "mainnet", "mainnet, testnet, or the http URL of a compatible API"),
  spec("account", { type: "addressOrNone" }, null, "the follower's master account address (0x…)"),
  spec(
    "alerts.webhook",
    { type: "urls" },
    [],
    "alerts: webhook URL(s) to post to (comma list; empty = no alerts)",
  ),
  spec(
    "alerts.format",
    { type: "enum", values: ["json", "slack", "discord", "telegram"] },
    "json",
    "alerts: body format: json, slack, discord or telegram (bot API sendMessage)",
  ),
  spec(
    "alerts.telegramChatId",
    { type: "chatIdOrNone" },
    null,
    "alerts: the Telegram chat id (or @channel) for format telegram",
  ),
  spec(
    "alerts.driftMinutes",
    { type: "number", min: 1, max: 10080, integer: true },
    15,
    "alerts: tell when drift stays outside the deadband this many minutes",
  ),
  spec(
    "alerts.wsDownSeconds",
    { type: "number", min: 5, max: 86400, integer: true },
    120,
    "alerts: tell when the websocket stays down this many seconds",
  ),
];

const BY_KEY = new Map(SETTINGS_SCHEMA.map((s) => [s.key, s]));

/**
 * The settings an unknown key was probably meant to be (at most 3): another case, the name
 * without its group, a typo of either (closeMatches, as for a misspelt choice), or a setting
 * whose name holds the word typed (`slippage` → exec.slippageBps, exec.slippageBudgetBps).
 */
export function closeSettingKeys(key: string): SettingKey[] {
  const nameOf = (k: string) => (k.split(".").pop() ?? k).toLowerCase();
  const typed = key.toLowerCase();
  const exact = SETTING_KEYS.find((k) => k.toLowerCase() === typed || nameOf(k) === typed);
  if (exact) return [exact];
  const word = nameOf(typed);
  return [
    ...new Set([
      ...closeMatches(key, SETTING_KEYS),
      ...SETTING_KEYS.filter((k) => closeMatches(key, [nameOf(k)]).length > 0),
      ...(word.length >= 4 ? SETTING_KEYS.filter((k) => nameOf(k).includes(word)) : []),
    ]),
  ].slice(0, 3) as SettingKey[];
}

/** The groups of settings (`risk`, `exec`, …): the part before the dot. */
const SETTING_GROUPS = [...new Set(SETTING_KEYS.filter((k) => k.includes(".")).map((k) => k.split(".")[0]))];

/**
 * Look a key up. An unknown key is a usage error whose hint names, for a group, a setting of
 * it, else the nearest settings (closeSettingKeys), and points to `hlcopy config list`
 * (not the list itself: 55 names on one line help nobody find one).
 */
export function settingSpec(key: string): SettingSpec {
  const found = BY_KEY.get(key as SettingKey);
  if (!found) {
    const near = closeSettingKeys(key);
    const list = "hlcopy config list shows every setting and what it does";
    const group = SETTING_GROUPS.find((g) => g === key.toLowerCase().replace(/\.$/, ""));
    const example = group ? SETTING_KEYS.find((k) => k.startsWith(`${group}.`)) : undefined;
    const shown = hidePrivateKeys(key);
    throw new ValidationError(shown, `unknown setting "${shown}"`, {
      // The leader is the command's argument, never stored: a run names whom it copies.
      hint: /^leaders?$/i.test(key.trim())
        ? "the leader is not a setting: give it to the command that copies it, e.g. hlcopy follow 0xLEADER (from cron: hlcopy reconcile 0xLEADER --yes)"
        : example
          ? `${group} is a group of settings: name one of them, e.g. ${example} (${list})`
          : near.length > 0
            ? `did you mean ${near.join(" or ")}? (${list})`
            : `${list}; keys look like risk.maxLeverage`,
    });
  }
  return found;
}

/** `risk.maxLeverage` → `max-leverage`: the per-run flag of a setting (`alerts.format` → `alert-format`). */
export function flagName(key: SettingKey): string {
  const own = BY_KEY.get(key)?.flag;
  if (own) return own;
  const last = key.split(".").pop() ?? key;
  const flag = last.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  // "--format" or "--webhook" alone would not say they are about alerts.
  return key.startsWith("alerts.") ? `alert-${flag}` : flag;
}

/** Describe what a setting accepts, for errors and help. */
export function allowedText(s: SettingSpec): string {
  const k = s.kind;
  switch (k.type) {
    case "number":
      return `${k.integer ? "an integer" : "a number"} ${k.minExclusive ? ">" : "≥"} ${k.min} and ≤ ${k.max}`;
    case "usdOrNone":
      return `${UNIT_TEXT[k.unit ?? "usd"]} ≥ ${k.min} and ≤ ${k.max}, or "none"`;
    case "tiersOrNone":
      return `"pct:fraction" pairs, comma-separated (pct ≥ 0.1 and ≤ 10000, in whole percent: below 1 with its sign, "0.5%:1"; each fraction in (0, 1], fractions summing to at most 1, e.g. "3:0.5,6:0.5"), or "none"`;
    case "intOrAuto":
      return `an integer ≥ ${k.min} and ≤ ${k.max}, or "auto"`;
    case "enum":
      return `one of ${k.values.join(", ")}`;
    case "boolean":
      return "true or false";
    case "coins":
      return s.key === "risk.allowCoins"
        ? 'a comma-separated list of coin names (e.g. "BTC,ETH"), or "all" (or "") for every coin'
        : 'a comma-separated list of coin names (e.g. "BTC,ETH"), or "none" (or "")';
    case "network":
      return "mainnet, testnet, or an API's base URL http(s)://host[:port]";
    case "addressOrNone":
      return 'a 0x address of 40 hex digits, or "none"';
    case "urls":
      return 'a comma-separated list of http(s) URLs, or "none" (or "")';
    case "chatIdOrNone":
      return 'a Telegram chat id (digits, optionally negative) or @channel, or "none"';
    case "hoursOrNone":
      return 'UTC hours "HH-HH" (e.g. "08-22"; "22-06" wraps midnight), or "none"';
  }
}

const UNIT_TEXT = {
  usd: "a USD amount",
  pct: "a percentage",
  count: "a whole number",
  hours: "a number of hours",
  days: "a number of days",
  leverage: "a leverage",
  bps: "basis points",
} as const;

const COIN_RE = /^[A-Za-z0-9@:/_-]{1,32}$/;

/** The one address check (format and EIP-55 checksum): ./address.ts. */
export { isAddress } from "./address.js";

function invalid(s: SettingSpec, value: unknown): ValidationError {
  // A private key where an address belongs: said so, and never quoted (core/address.ts).
  if (s.kind.type === "addressOrNone" && typeof value === "string" && looksLikePrivateKey(value)) {
    return new ValidationError(s.key, privateKeyMessage(`value for ${s.key}`), {
      hint: `e.g. hlcopy config set ${s.key} ${exampleValue(s)}`,
    });
  }
  // 40 hex digits whose mixed case fails EIP-55: a typo (or a case edit), not a bad format.
  if (s.kind.type === "addressOrNone" && typeof value === "string" && addressProblem(value) === "checksum") {
    return new ValidationError(
      s.key,
      `invalid value "${value}" for ${s.key}: its mixed-case checksum (EIP-55) does not match — a typo in the address?`,
      {
        hint: `copy the address again, or if you are sure of it, give it all in lower case: hlcopy config set ${s.key} ${value.toLowerCase()}`,
      },
    );
  }
  // Under the $10 minimum the whole copy is smaller than one order could be: accepted, it
  // placed nothing, ever, and said "in sync" (fixed-notional spreads it over the leader's coins).
  const usd = typeof value === "number" ? value : typeof value === "string" ? parsePlainDecimal(value) : null;
  if (s.key === "sizing.notional" && usd !== null && usd > 0 && usd < MIN_ORDER_USD) {
    return new ValidationError(
      s.key,
      `invalid value ${plainDecimal(usd)} for ${s.key}: the whole copy would be $${plainDecimal(usd)}, under the exchange's $${MIN_ORDER_USD} minimum order — no order could ever be placed`,
      {
        hint: `e.g. hlcopy config set ${s.key} 1000 (spread over the leader's coins by their share: a coin's part under $${MIN_ORDER_USD} is not copied)`,
      },
    );
  }
  // A value is quoted back, unless it holds a private key (pasted at the wrong prompt).
  const shown =
    typeof value === "string"
      ? `"${hidePrivateKeys(value)}"`
      : typeof value === "number"
        ? plainDecimal(value)
        : JSON.stringify(value);
  // 0 as "no limit" is a common habit elsewhere; here it would be a limit of nothing.
  const zeroMeantNone = s.kind.type === "usdOrNone" && (value === 0 || value === "0");
  const urlMeant = s.kind.type === "network" && typeof value === "string" ? networkUrlMeant(value) : null;
  return new ValidationError(s.key, `invalid value ${shown} for ${s.key}: expected ${allowedText(s)}`, {
    hint: zeroMeantNone
      ? `"none" turns it off (0 does not), e.g. hlcopy config set ${s.key} none`
      : urlMeant
        ? `did you mean hlcopy config set ${s.key} ${urlMeant}?`
        : `e.g. hlcopy config set ${s.key} ${exampleValue(s, value)}`,
  });
}

/** A value the setting takes: for a choice, the one nearest what was typed (`invers` → inverse). */
function exampleValue(s: SettingSpec, given?: unknown): string {
  const k = s.kind;
  switch (k.type) {
    case "number":
      return String(s.default);
    case "usdOrNone":
      return { usd: "5000", pct: "8", count: "5", hours: "48", days: "7", leverage: "10", bps: "15" }[
        k.unit ?? "usd"
      ];
    case "tiersOrNone":
      return '"3:0.5,6:0.5"';
    case "intOrAuto":
      return "3";
    case "enum":
      return (
        (typeof given === "string" ? closeMatches(given, k.values, 1)[0] : undefined) ?? k.values[0] ?? ""
      );
    case "boolean":
      return "true";
    case "coins":
      return "BTC,ETH";
    case "network":
      return "testnet";
    case "addressOrNone":
      return "0x0000000000000000000000000000000000000001";
    case "urls":
      return "https://hooks.slack.com/services/T000/B000/XXXX";
    case "chatIdOrNone":
      return "-1001234567890";
    case "hoursOrNone":
      return "08-22";
  }
}

/** What a network URL is, for errors: the API's base, as `hlcopy sim` prints it. */
export const NETWORK_URL_RULE = "a network URL is the API's base, http(s)://host[:port]";

/**
 * What a network URL carries beyond http(s)://host[:port] (a trailing slash aside), or null:
 * the API's paths (/info, /exchange, /ws) hang off the host, so a path would send the requests
 * and the websocket to two places, and a query, fragment or credentials would be dropped.
 */
/** The error for an http(s) network URL that carries more than its host (networkUrlExtra), or null. */
function networkUrlError(s: SettingSpec, value: string): ValidationError | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  const extra = url.protocol === "http:" || url.protocol === "https:" ? networkUrlExtra(url) : null;
  if (!extra) return null;
  return new ValidationError(
    s.key,
    `invalid network "${networkUrlShown(url, value)}": ${NETWORK_URL_RULE}, without ${extra}`,
    { hint: `e.g. hlcopy config set network ${url.origin} (or mainnet, testnet)` },
  );
}

/**
 * The http(s) URL a network given without its scheme (`localhost:7072`, `api.hyperliquid.xyz`)
 * or as the websocket's (`ws://127.0.0.1:7072/ws`, as `hlcopy sim` prints it) was meant to be,
 * or null: http for this machine (a simulator), https elsewhere.
 */
export function networkUrlMeant(value: string): string | null {
  const v = value.trim();
  const ws = /^(wss?):\/\/([^/?#\s]+)/i.exec(v);
  if (ws) return `${ws[1]?.toLowerCase() === "wss" ? "https" : "http"}://${ws[2]}`;
  const bare = /^([a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:]+\])(:\d{1,5})?(?:\/\S*)?$/i.exec(v);
  const host = bare?.[1];
  if (!bare || host === undefined || (bare[2] === undefined && !host.includes("."))) return null;
  const local = /^(localhost|127\.|0\.0\.0\.0$|\[::1\])/i.test(host);
  return `${local ? "http" : "https"}://${host}${bare[2] ?? ""}`;
}

/** The URL as given, or without its credentials when it has some (they are never echoed). */
export function networkUrlShown(url: URL, given: string): string {
  return url.username !== "" || url.password !== "" ? `${url.protocol}//…@${url.host}${url.pathname}` : given;
}

export function networkUrlExtra(url: URL): string | null {
  const extra = [
    ...(/^\/*$/.test(url.pathname) ? [] : [`a path (${url.pathname})`]),
    ...(url.search === "" ? [] : [`a query string (${url.search})`]),
    ...(url.hash === "" ? [] : [`a fragment (${url.hash})`]),
    ...(url.username === "" && url.password === "" ? [] : ["a user name or password"]),
  ];
  return extra.length === 0 ? null : extra.join(" or ");
}

/**
 * Percentages people write whole (25 for 25 %), whose usual values are whole percents: a value
 * below 1 here is far more often a fraction typed for a percentage (0.25 for 25 %) than meant —
 * and it acts as the smaller: a kill switch at a 0.25 % drawdown. Below 1 is refused unless
 * written with its % sign ("0.25%"), and the config file keeps that sign. (sizing.riskPct,
 * risk.trailingStepPct and exec.deadbandPct are not here: below 1 is ordinary for them.)
 */
export const WHOLE_PCT_KEYS: ReadonlySet<SettingKey> = new Set<SettingKey>([
  "sizing.targetVolPct",
  "risk.maxDrawdownPct",
  "risk.maxDailyLossPct",
  "risk.stopLossPct",
  "risk.takeProfitPct",
  "risk.trailingStopPct",
  "risk.maxCoinPctOfEquity",
  "risk.maxAllocationPct",
  "risk.leaderMaxDrawdownPct",
  "exec.confirmAbovePct",
]);

/** A percentage setting (every key with Pct in its name): it takes a trailing % sign too ("25%"). */
export function isPctSetting(key: string): boolean {
  return key.includes("Pct") && (SETTING_KEYS as readonly string[]).includes(key);
}

/** "0.25%": a percentage written with its sign, the number it says; null for anything else. */
function explicitPct(value: unknown): number | null {
  if (typeof value !== "string") return null;
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*%\s*$/.exec(value);
  return m ? Number(m[1]) : null;
}

/**
 * What the config file keeps for a value typed as `raw`: a whole-percent setting below 1 keeps
 * its % sign ("0.25%"), so reading the file back takes it as meant (a bare 0.25 is refused as
 * a likely fraction); anything else is the value itself.
 */
export function storedForm(key: string, raw: string, value: SettingValue): SettingValue {
  if (typeof value !== "number" || !(value > 0 && value < 1) || !WHOLE_PCT_KEYS.has(key as SettingKey))
    return value;
  return explicitPct(raw) === null ? value : `${plainDecimal(value)}%`;
}

/** A fraction typed for a percentage (WHOLE_PCT_KEYS): said with both readings and both ways on. */
export class FractionPctError extends ValidationError {
  override name = "FractionPctError";
}

function fractionPct(s: SettingSpec, value: number): FractionPctError {
  const small = plainDecimal(value);
  const whole = plainDecimal(Math.round(value * 100 * 1e9) / 1e9);
  return new FractionPctError(
    s.key,
    `invalid value ${small} for ${s.key}: a percentage, written whole — ${small} would be ${small} %, not ${whole} %`,
    {
      hint: `for ${whole} %: hlcopy config set ${s.key} ${whole}; if ${small} % is meant, say so with its sign: hlcopy config set ${s.key} ${small}%`,
    },
  );
}

/** Check a typed value (from the config file) against its spec; returns it normalised. */
export function validateSetting(key: string, value: unknown): SettingValue {
  const s = settingSpec(key);
  // "0.25%" (a flag, config set, or the config file keeping it): the number, meant as written.
  const pct = isPctSetting(key) ? explicitPct(value) : null;
  if (pct !== null) return checkedValue(s, pct);
  const checked = checkedValue(s, value);
  if (typeof checked === "number" && checked > 0 && checked < 1 && WHOLE_PCT_KEYS.has(s.key)) {
    throw fractionPct(s, checked);
  }
  return checked;
}

function checkedValue(s: SettingSpec, value: unknown): SettingValue {
  const k = s.kind;
  switch (k.type) {
    case "number": {
      if (typeof value !== "number" || !Number.isFinite(value)) throw invalid(s, value);
      if (k.integer && !Number.isInteger(value)) throw invalid(s, value);
      if (k.minExclusive ? value <= k.min : value < k.min) throw invalid(s, value);
      if (value > k.max) throw invalid(s, value);
      return value;
    }
    case "usdOrNone": {
      if (value === null) return null;
      if (typeof value !== "number" || !Number.isFinite(value) || value < k.min || value > k.max) {
        throw invalid(s, value);
      }
      if (k.unit === "count" && !Number.isInteger(value)) throw invalid(s, value);
      return value;
    }
    case "intOrAuto": {
      if (value === "auto") return value;
      if (typeof value !== "number" || !Number.isInteger(value) || value < k.min || value > k.max) {
        throw invalid(s, value);
      }
      return value;
    }
    case "enum": {
      // A choice is a word, as true/yes/on are: "Kelly", "FIXED-RATIO" mean the value spelt
      // so, and it is stored and echoed in its canonical spelling (a flag, config set, the file).
      const meant = typeof value === "string" ? enumValue(k.values, value) : undefined;
      if (meant === undefined) throw invalid(s, value);
      return meant;
    }
    case "boolean":
      if (typeof value !== "boolean") throw invalid(s, value);
      return value;
    case "coins": {
      if (!Array.isArray(value)) throw invalid(s, value);
      const coins = value.map((c) => (typeof c === "string" ? c.trim() : ""));
      if (coins.some((c) => !COIN_RE.test(c))) throw invalid(s, value);
      // Coin names match the exchange's case-insensitively (resolveCoinSettings): "btc" and
      // "BTC" are one coin, kept once in the spelling given first.
      const seen = new Set<string>();
      return coins.filter((c) => {
        const key = c.toLowerCase();
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    }
    case "network": {
      if (typeof value !== "string") throw invalid(s, value);
      // A network's name is a word, as a choice is (enumValue): Testnet is testnet.
      const named = enumValue(["mainnet", "testnet"], value);
      if (named !== undefined) return named;
      try {
        const u = new URL(value);
        if (u.protocol !== "http:" && u.protocol !== "https:") throw invalid(s, value);
      } catch {
        throw invalid(s, value);
      }
      const extra = networkUrlError(s, value);
      if (extra) throw extra;
      return value.replace(/\/+$/, "");
    }
    case "addressOrNone":
      if (value === null) return null;
      if (typeof value !== "string" || !isAddress(value)) throw invalid(s, value);
      return value.toLowerCase();
    case "urls": {
      if (!Array.isArray(value)) throw invalid(s, value);
      const urls = value.map((u) => (typeof u === "string" ? u.trim() : ""));
      for (const u of urls) {
        let parsed: URL;
        try {
          parsed = new URL(u);
        } catch {
          throw invalid(s, value);
        }
        if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw invalid(s, value);
      }
      return [...new Set(urls)];
    }
    case "chatIdOrNone":
      if (value === null) return null;
      if (typeof value !== "string" || !CHAT_ID_RE.test(value.trim())) throw invalid(s, value);
      return value.trim();
    case "tiersOrNone": {
      if (value === null) return null;
      if (typeof value !== "string") throw invalid(s, value);
      // A tier's pct is a whole percent, as risk.takeProfitPct's (WHOLE_PCT_KEYS): "0.03:0.5" is
      // refused with both readings, before the range (0.03 % is below it, 3 % is not).
      const parts = tierParts(value);
      const fraction = parts?.some(bareFraction) ? fractionTiers(s, value, parts) : null;
      if (fraction) throw fraction;
      const tiers = parseTakeProfitTiers(value);
      if (!tiers) throw invalid(s, value);
      return tiersText(tiers);
    }
    case "hoursOrNone": {
      if (value === null) return null;
      if (typeof value !== "string") throw invalid(s, value);
      const hours = parseTradingHours(value);
      if (!hours) throw invalid(s, value);
      return `${pad2(hours.from)}-${pad2(hours.to)}`;
    }
  }
}

/**
 * The choice of the enum setting `key` that `text` names, in its canonical spelling (compared
 * as a word: case and surrounding spaces aside), or undefined when it names none — for a
 * command that reads a choice among other words (backtest --compare "Kelly+entry=passive").
 */
export function choiceOf(key: SettingKey, text: string): string | undefined {
  const k = settingSpec(key).kind;
  return k.type === "enum" ? enumValue(k.values, text) : undefined;
}

/**
 * The value of `values` that `text` names, compared as a word is (case, surrounding spaces
 * aside): a setting's choice, and a command option's (follow --on-exit Flatten is flatten).
 */
export function enumValue<T extends string>(values: readonly T[], text: string): T | undefined {
  const t = text.trim().toLowerCase();
  return values.find((v) => v.toLowerCase() === t);
}

/** The nearest a take-profit tier may be, in % from the entry (risk.takeProfitPct's floor). */
const MIN_TIER_PCT = 0.1;

/** Most take-profit tiers a position may have (each is one resting order). */
export const MAX_TAKE_PROFIT_TIERS = 10;

/**
 * `"3:0.5,6:0.5"` → tiers sorted by pct; null when malformed: a pct below 0.1 or over 10 000
 * (its % sign is optional: `0.5%:1`; validateSetting refuses a pct below 1 without it),
 * a fraction outside (0, 1], two tiers at one pct, fractions summing over 1, or more than
 * MAX_TAKE_PROFIT_TIERS tiers. Numbers are plain decimals. Pure; never throws.
 */
export function parseTakeProfitTiers(text: string): TakeProfitTier[] | null {
  const parts = tierParts(text);
  if (!parts) return null;
  const tiers: TakeProfitTier[] = [];
  for (const { pct, fraction } of parts) {
    // The range of risk.takeProfitPct: a single take-profit is the tier "pct:1".
    if (!(pct >= MIN_TIER_PCT) || pct > 10_000 || !(fraction > 0) || fraction > 1) return null;
    tiers.push({ pct, fraction });
  }
  tiers.sort((a, b) => a.pct - b.pct);
  for (let i = 1; i < tiers.length; i++) if (tiers[i]?.pct === tiers[i - 1]?.pct) return null;
  const sum = tiers.reduce((acc, t) => acc + t.fraction, 0);
  if (sum > 1 + 1e-9) return null;
  return tiers;
}

/** One tier as typed: its pct (with or without its % sign, "0.5%:1") and fraction. */
interface TierPart extends TakeProfitTier {
  /** The pct as typed, without its sign. */
  pctText: string;
  signed: boolean;
  /** The tier as typed, trimmed. */
  text: string;
}

/** `"3:0.5, 0.5%:0.5"` → its tiers as typed, in order; null when one is not `pct[%]:fraction`. */
function tierParts(text: string): TierPart[] | null {
  const parts = text.split(",").map((p) => p.trim());
  if (parts.length === 0 || parts.length > MAX_TAKE_PROFIT_TIERS) return null;
  const out: TierPart[] = [];
  for (const part of parts) {
    const m = /^(\d+(?:\.\d+)?|\.\d+)\s*(%?)\s*:\s*(\d+(?:\.\d+)?|\.\d+)$/.exec(part);
    if (!m) return null;
    const pctText = m[1] ?? "";
    out.push({ pct: Number(pctText), fraction: Number(m[3]), pctText, signed: m[2] === "%", text: part });
  }
  return out;
}

/** A tier whose pct is below 1 and written without its % sign (a fraction typed for a percentage?). */
function bareFraction(t: TierPart): boolean {
  return t.pct < 1 && !t.signed;
}

/**
 * Tiers with a pct below 1 written bare ("0.03:0.5"): a fraction typed for a percentage, as
 * `--take-profit-pct 0.03` is (fractionPct), said with both readings and both ways on.
 */
function fractionTiers(s: SettingSpec, value: string, parts: readonly TierPart[]): FractionPctError | null {
  const bare = parts.filter(bareFraction);
  const first = bare[0];
  if (!first) return null;
  const whole = (t: TierPart) => plainDecimal(Math.round(t.pct * 100 * 1e9) / 1e9);
  const each = (f: (t: TierPart) => string) =>
    parts.map((t) => (bareFraction(t) ? `${f(t)}:${plainDecimal(t.fraction)}` : t.text)).join(",");
  const asWhole = each(whole);
  const asSigned = each((t) => `${t.pctText}%`);
  // Only ways on that are taken: else the value's other fault is the one to tell.
  if (!parseTakeProfitTiers(asWhole)) return null;
  const list = (f: (t: TierPart) => string) => bare.map((t) => `${f(t)} %`).join(" and ");
  const meant = `${list((t) => t.pctText)} ${bare.length > 1 ? "are" : "is"} meant`;
  return new FractionPctError(
    s.key,
    `invalid value "${value}" for ${s.key}: a tier's pct is a percentage, written whole — ${first.pctText} would be ${first.pctText} %, not ${whole(first)} %`,
    {
      hint: `for ${list(whole)}: hlcopy config set ${s.key} ${asWhole}; ${
        parseTakeProfitTiers(asSigned)
          ? `if ${meant}, say so with its sign: hlcopy config set ${s.key} ${asSigned}`
          : `${list((t) => t.pctText)} is below a tier's floor of ${MIN_TIER_PCT} %`
      }`,
    },
  );
}

/**
 * Tiers back to their canonical text (`3:0.5,6:0.5`), as the config file keeps them and a flag
 * takes them: a pct below 1 keeps its % sign (`0.5%:1`), as a whole-percent setting's does.
 */
export function tiersText(tiers: readonly TakeProfitTier[]): string {
  return tiers
    .map((t) => `${plainDecimal(t.pct)}${t.pct < 1 ? "%" : ""}:${plainDecimal(t.fraction)}`)
    .join(",");
}

const HOURS_RE = /^(\d{1,2})-(\d{1,2})$/;
const pad2 = (n: number) => String(n).padStart(2, "0");

/**
 * "08-22" → {from: 8, to: 22}: increases from 08:00 up to 22:00 UTC. `from` > `to` wraps
 * midnight ("22-06"); "00-24" is all day. Null for anything else (equal hours, > 24).
 */
export function parseTradingHours(text: string): { from: number; to: number } | null {
  const m = HOURS_RE.exec(text.trim());
  if (!m) return null;
  const from = Number(m[1]);
  const to = Number(m[2]);
  if (from > 23 || to > 24 || from === to) return null;
  return { from, to };
}

const CHAT_ID_RE = /^(-?\d{1,20}|@[A-Za-z0-9_]{5,64})$/;

/** Parse a string from the command line (`config set`, a flag) into a typed, valid value. */
export function parseSettingInput(key: string, raw: string): SettingValue {
  const s = settingSpec(key);
  // Outside the try: this error already names what the user typed, and says why.
  const signed = isPctSetting(key) && explicitPct(raw) !== null;
  if (takesNumber(s, raw) && !signed && parsePlainDecimal(raw) === null) throw notDecimal(s, raw);
  const urlError = s.kind.type === "network" ? networkUrlError(s, raw.trim()) : null;
  if (urlError) throw urlError;
  try {
    return signed ? validateSetting(key, raw) : parseInput(s, key, raw);
  } catch (error) {
    // A fraction for a percentage says both readings (it quotes the number as typed).
    if (error instanceof FractionPctError || error instanceof AmbiguousListWordError) throw error;
    // Report what the user typed, not the number it was converted to.
    if (error instanceof ValidationError) throw invalid(s, raw);
    throw error;
  }
}

/**
 * A number as typed on the command line: plain decimal digits, an optional minus and fraction.
 * `Number()` alone would read "0x10" as 16, "1e3" as 1000, " 5" as 5 and "" as 0.
 */
const DECIMAL_RE = /^-?(\d+(\.\d+)?|\.\d+)$/;

/** What a number on the command line may be, as every refusal of one says it. */
export const PLAIN_DECIMAL_RULE =
  "numbers are plain decimals (digits and an optional fraction: no hex, exponent, spaces or units)";

/**
 * The one reading of a number typed as a setting or a flag: the number, or null when `text` is
 * not a plain decimal (DECIMAL_RE). Range checks are the caller's. Pure; never throws.
 */
export function parsePlainDecimal(text: string): number | null {
  return DECIMAL_RE.test(text) ? Number(text) : null;
}
const NONE_RE = /^(none|null|off)$/i;
const AUTO_RE = /^auto$/i;

/** True when `raw` must be read as a number for this setting (not "none"/"auto"). */
function takesNumber(s: SettingSpec, raw: string): boolean {
  const k = s.kind;
  if (k.type === "number") return true;
  if (k.type === "usdOrNone") return !NONE_RE.test(raw.trim());
  if (k.type === "intOrAuto") return !AUTO_RE.test(raw.trim());
  return false;
}

function notDecimal(s: SettingSpec, raw: string): ValidationError {
  const meant = numberMeant(s, raw);
  return new ValidationError(
    s.key,
    `invalid value "${hidePrivateKeys(raw)}" for ${s.key}: ${PLAIN_DECIMAL_RULE}; expected ${allowedText(s)}`,
    {
      hint: meant
        ? `did you mean hlcopy config set ${s.key} ${meant.value}? (${meant.why})`
        : `e.g. hlcopy config set ${s.key} ${exampleValue(s)}`,
    },
  );
}

/** The settings that are fractions, where a trader may type a percentage ("5%" for 0.05). */
const FRACTION_KEYS: ReadonlySet<string> = new Set([
  "sizing.ratio",
  "sizing.multiplier",
  "sizing.kellyFraction",
]);

/**
 * The plain number a value typed with a unit or a separator surely means for this setting, and
 * why, or null: "5%" for a fraction is 0.05, for a percentage 5, for basis points 500; "$1,000"
 * for dollars 1000; "3x" for leverage 3; "30s" / "5m" for seconds 30 / 300, "2h" for minutes 120.
 * Only a reading the setting takes (its range) is offered; it is a hint, never applied.
 */
function numberMeant(s: SettingSpec, raw: string): { value: string; why: string } | null {
  const text = raw.trim();
  const m = /^(\$?)\s*(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)\s*(%|x|usd|s|sec|m|min|h)?$/i.exec(
    text,
  );
  if (!m) return null;
  const [, dollar, digits = "", suffix = ""] = m;
  const n = Number(digits.replaceAll(",", ""));
  const unit = suffix.toLowerCase();
  const k = s.kind;
  const usd =
    s.key === "sizing.notional" ||
    s.key === "exec.minOrderUsd" ||
    (k.type === "usdOrNone" && k.unit === undefined);
  const leverage = s.key === "risk.maxLeverage" || (k.type === "usdOrNone" && k.unit === "leverage");
  const seconds = s.key.endsWith("Seconds");
  const minutes = s.key.endsWith("Minutes");
  const percent = s.key.endsWith("Pct") || (k.type === "usdOrNone" && k.unit === "pct");
  const bps = s.key.endsWith("Bps") || (k.type === "usdOrNone" && k.unit === "bps");
  let value: number | null = null;
  let why = "";
  if (dollar !== "" || unit === "usd") {
    if (usd && (unit === "" || unit === "usd")) [value, why] = [n, "dollars without the $ or USD"];
  } else if (unit === "%") {
    if (FRACTION_KEYS.has(s.key))
      [value, why] = [n / 100, `a fraction: ${digits}% is ${plainDecimal(n / 100)}`];
    else if (percent) [value, why] = [n, "the % is implied"];
    else if (bps) [value, why] = [n * 100, `in basis points: ${digits}% is ${plainDecimal(n * 100)} bps`];
  } else if (unit === "x") {
    if (leverage) [value, why] = [n, "leverage without the x"];
    else if (FRACTION_KEYS.has(s.key)) [value, why] = [n, "a multiple without the x"];
  } else if (unit === "s" || unit === "sec") {
    if (seconds) [value, why] = [n, "in seconds, without the s"];
  } else if (unit === "m" || unit === "min") {
    if (seconds) [value, why] = [n * 60, `in seconds: ${digits}m is ${plainDecimal(n * 60)}`];
    else if (minutes) [value, why] = [n, "in minutes, without the m"];
  } else if (unit === "h") {
    if (minutes) [value, why] = [n * 60, `in minutes: ${digits}h is ${plainDecimal(n * 60)}`];
  } else if (digits.includes(",")) {
    [value, why] = [n, "without the thousands separators"];
  }
  if (value === null) return null;
  const shown = plainDecimal(Number(value.toPrecision(12)));
  try {
    validateSetting(s.key, Number(shown));
  } catch {
    return null;
  }
  return { value: shown, why };
}

function parseInput(s: SettingSpec, key: string, raw: string): SettingValue {
  const text = raw.trim();
  const k = s.kind;
  switch (k.type) {
    case "number":
      return validateSetting(key, Number(text));
    case "usdOrNone":
      if (NONE_RE.test(text)) return null;
      return validateSetting(key, Number(text));
    case "intOrAuto":
      if (AUTO_RE.test(text)) return "auto";
      return validateSetting(key, Number(text));
    case "boolean": {
      const t = text.toLowerCase();
      if (["true", "yes", "on", "1"].includes(t)) return true;
      if (["false", "no", "off", "0"].includes(t)) return false;
      throw invalid(s, raw);
    }
    case "coins": {
      if (text === "") return [];
      // The words the table and `config list` say an empty list with (risk.allowCoins "all",
      // risk.denyCoins "none") are that list, not a coin: "none" was stored as the coin "none",
      // echoed "= none", and every trading run then refused it as no market.
      const word = listWord(key);
      if (text.toLowerCase() === word || (word === "none" && NONE_RE.test(text))) return [];
      if (word === "all" && NONE_RE.test(text)) throw ambiguousNoCoins(s, raw);
      return validateSetting(
        key,
        text.split(",").map((c) => c.trim()),
      );
    }
    case "addressOrNone":
      if (/^(none|null)$/i.test(text)) return null;
      return validateSetting(key, text);
    case "urls":
      if (text === "" || NONE_RE.test(text)) return [];
      return validateSetting(
        key,
        text.split(",").map((u) => u.trim()),
      );
    case "chatIdOrNone":
    case "hoursOrNone":
      if (NONE_RE.test(text)) return null;
      return validateSetting(key, text);
    case "tiersOrNone":
      if (NONE_RE.test(text)) return null;
      return validateSetting(key, text);
    default:
      return validateSetting(key, text);
  }
}

/**
 * The word an empty list is said with, and typed as: risk.allowCoins empty copies every coin
 * ("all"); risk.denyCoins empty denies none, alerts.webhook empty posts to none ("none").
 */
export function listWord(key: string): "all" | "none" {
  return settingSpec(key).key === "risk.allowCoins" ? "all" : "none";
}

/** A list setting's value for people: an empty list as its word (listWord), else comma-joined. */
export function listText(key: string, value: readonly unknown[]): string {
  return value.length === 0 ? listWord(key) : value.join(",");
}

/**
 * A setting's value for people, as it is typed (`config get/set/list`, `--help`'s defaults):
 * null as "none", plain decimals (1e-7 is 0.0000001), an empty list as its word (listText).
 */
export function settingText(key: string, value: unknown): string {
  if (value === null) return "none";
  if (Array.isArray(value)) return listText(key, value);
  if (typeof value === "number") return plainDecimal(value);
  return String(value);
}

/** "none" for the allow list: an empty allow list copies every coin, so it reads both ways. */
export class AmbiguousListWordError extends ValidationError {
  override name = "AmbiguousListWordError";
}

function ambiguousNoCoins(s: SettingSpec, raw: string): AmbiguousListWordError {
  return new AmbiguousListWordError(
    s.key,
    `invalid value "${raw.trim()}" for ${s.key}: an empty allow list copies every coin, so "${raw.trim()}" could mean every coin or no coin`,
    {
      hint: `to copy every coin: hlcopy config set ${s.key} all; to copy only some, name them: hlcopy config set ${s.key} BTC,ETH`,
    },
  );
}

/** A flat map of key → value, as stored in the config file. */
export type FlatSettings = Partial<Record<SettingKey, SettingValue>>;

export function defaultFlatSettings(): Record<SettingKey, SettingValue> {
  return Object.fromEntries(SETTINGS_SCHEMA.map((s) => [s.key, structuredClone(s.default)])) as Record<
    SettingKey,
    SettingValue
  >;
}

/** Build the typed Settings object from a complete flat map (already validated). */
export function toSettings(flat: Record<SettingKey, SettingValue>): Settings {
  const n = (k: SettingKey) => flat[k] as number;
  return {
    sizing: {
      mode: flat["sizing.mode"] as SizingMode,
      multiplier: n("sizing.multiplier"),
      ratio: n("sizing.ratio"),
      notional: n("sizing.notional"),
      direction: flat["sizing.direction"] as Direction,
      targetVolPct: n("sizing.targetVolPct"),
      volLookbackDays: n("sizing.volLookbackDays"),
      kellyLookbackDays: n("sizing.kellyLookbackDays"),
      kellyFraction: n("sizing.kellyFraction"),
      riskPct: n("sizing.riskPct"),
    },
    copy: { mode: flat["copy.mode"] as CopyMode },
    risk: {
      maxLeverage: n("risk.maxLeverage"),
      maxNotionalPerCoin: flat["risk.maxNotionalPerCoin"] as number | null,
      maxTotalNotional: flat["risk.maxTotalNotional"] as number | null,
      allowCoins: flat["risk.allowCoins"] as string[],
      denyCoins: flat["risk.denyCoins"] as string[],
      closeDenied: flat["risk.closeDenied"] as boolean,
      maxDrawdownPct: n("risk.maxDrawdownPct"),
      maxDailyLossPct: n("risk.maxDailyLossPct"),
      stopLossPct: flat["risk.stopLossPct"] as number | null,
      takeProfitPct: flat["risk.takeProfitPct"] as number | null,
      trailingStopPct: flat["risk.trailingStopPct"] as number | null,
      trailingStepPct: n("risk.trailingStepPct"),
      maxPositions: flat["risk.maxPositions"] as number | null,
      maxCoinPctOfEquity: flat["risk.maxCoinPctOfEquity"] as number | null,
      takeProfitTiers:
        flat["risk.takeProfitTiers"] == null
          ? null
          : parseTakeProfitTiers(flat["risk.takeProfitTiers"] as string),
      maxHoldHours: flat["risk.maxHoldHours"] as number | null,
      maxAllocationPct: flat["risk.maxAllocationPct"] as number | null,
      leaderMaxDrawdownPct: flat["risk.leaderMaxDrawdownPct"] as number | null,
      leaderMaxLeverage: flat["risk.leaderMaxLeverage"] as number | null,
      skipLeaderNewCoins: flat["risk.skipLeaderNewCoins"] as boolean,
      leaderLiquidationPauseDays: flat["risk.leaderLiquidationPauseDays"] as number | null,
    },
    exec: {
      slippageBps: n("exec.slippageBps"),
      slippageBudgetBps: flat["exec.slippageBudgetBps"] as number | null,
      deadbandPct: n("exec.deadbandPct"),
      maxEntryDriftBps: n("exec.maxEntryDriftBps"),
      sweepSeconds: n("exec.sweepSeconds"),
      confirmAbovePct: n("exec.confirmAbovePct"),
      leverage: flat["exec.leverage"] as number | "auto",
      marginMode: flat["exec.marginMode"] as MarginMode,
      startupTimeoutSeconds: n("exec.startupTimeoutSeconds"),
      copyDelayMinutes: n("exec.copyDelayMinutes"),
      entry: flat["exec.entry"] as EntryStyle,
      passiveTimeoutSeconds: n("exec.passiveTimeoutSeconds"),
      tradingHours: flat["exec.tradingHours"] as string | null,
      minOrderUsd: n("exec.minOrderUsd"),
    },
    join: flat.join as JoinMode,
    network: flat.network as string,
    account: flat.account as Address | null,
    alerts: {
      webhook: flat["alerts.webhook"] as string[],
      format: flat["alerts.format"] as AlertFormat,
      telegramChatId: flat["alerts.telegramChatId"] as string | null,
      driftMinutes: n("alerts.driftMinutes"),
      wsDownSeconds: n("alerts.wsDownSeconds"),
    },
  };
}

export type SettingSource = "flag" | "config" | "default";

export interface ResolvedSettings {
  settings: Settings;
  flat: Record<SettingKey, SettingValue>;
  source: Record<SettingKey, SettingSource>;
}

/**
 * THE precedence rule, in one place: a per-run flag beats the stored value, which beats the
 * default. `stored` must already be validated (the store does that on read); `flags` holds
 * only the flags the user actually passed, as raw strings.
 */
export function resolveSettings(
  stored: FlatSettings,
  flags: Partial<Record<SettingKey, string>>,
  run?: RunContext,
): ResolvedSettings {
  const flat = defaultFlatSettings();
  const source = Object.fromEntries(SETTING_KEYS.map((k) => [k, "default"])) as Record<
    SettingKey,
    SettingSource
  >;
  for (const key of SETTING_KEYS) {
    const storedValue = stored[key];
    if (storedValue !== undefined) {
      flat[key] = storedValue;
      source[key] = "config";
    }
    const flagValue = flags[key];
    if (flagValue !== undefined) {
      flat[key] = parseSettingInput(key, flagValue);
      source[key] = "flag";
    }
  }
  // A sizing flag for this run that the run's mode ignores would silently do nothing.
  const mode = flat["sizing.mode"] as SizingMode;
  for (const key of SIZING_KEYS) {
    if (flags[key] === undefined || SIZING_KEY_MODE[key] === mode) continue;
    const flag = `--${flagName(key)}`;
    const uses = SIZING_KEY_MODE[key];
    throw new UsageError(
      `${flag} is used only by sizing mode ${uses}, but this run's sizing mode is ${mode}${source["sizing.mode"] === "config" ? " (from the config file)" : ""}`,
      { hint: `add --mode ${uses} to size this run by ${flag}, or drop ${flag}` },
    );
  }
  // A flag for a setting this command or run mode never reads (a sweep interval in reconcile).
  if (run) refuseUnusedByRun(run, flat, flags);
  // A flag for a setting that acts only beside another one, which this run does not have.
  for (const d of DEPENDENT_SETTINGS) {
    if (flags[d.key] === undefined || d.acts(flat)) continue;
    const flag = `--${flagName(d.key)}`;
    const fromConfig = d.on.some((k) => source[k] === "config") ? " (from the config file)" : "";
    throw new UsageError(`${flag} acts only ${d.when}, and this run has ${d.has(flat)}${fromConfig}`, {
      hint: `${d.hint}, or drop ${flag}`,
    });
  }
  // entry-only leaves every exit to the run's own: a run with none of them would never close.
  if (run) refuseEntryOnlyWithoutExits(flat, source, run.mode);
  // Settings that exclude each other (EXCLUSIVE_SETTINGS): config set refuses storing the pair.
  for (const x of EXCLUSIVE_SETTINGS) {
    const [a, b] = x.keys;
    if (flat[a] == null || flat[b] == null) continue;
    const from = (k: SettingKey) => (source[k] === "flag" ? `--${flagName(k)}` : `${k} (config file)`);
    throw new UsageError(`${a} and ${b} are both set: ${from(a)} and ${from(b)}`, {
      hint: `use one: ${x.instead(flat)} (hlcopy config unset ${a}, or --${flagName(a)} none)`,
    });
  }
  return { settings: toSettings(flat), flat, source };
}

// ---------------------------------------------------------------------------------------
// Settings that cannot stand together

/**
 * Pairs of settings that exclude each other: a run refuses both set (resolveSettings), and
 * `config set` refuses storing one while the other is stored (storedConflict) — a setting that
 * is accepted must act. Each clearable (`none`), so either can be set back to off.
 */
const EXCLUSIVE_SETTINGS: readonly {
  keys: readonly [SettingKey, SettingKey];
  /** Why not both, in words. */
  why: string;
  /** How the one kept can do what both meant (both set in `flat`). */
  instead: (flat: FlatSettings) => string;
}[] = [
  {
    keys: ["risk.takeProfitPct", "risk.takeProfitTiers"],
    why: "one take-profit rule: a single take-profit and tiers would rest two orders for one exit",
    instead: (flat) =>
      `a single take-profit is the tier "${tiersText([{ pct: flat["risk.takeProfitPct"] as number, fraction: 1 }])}"`,
  },
];

/**
 * The coins in both lists, as spelt in `allow` (names compared as the exchange matches them:
 * case-insensitively). Such a coin is never copied — the deny list wins —, so a run refuses it
 * (resolveCoinSettings) and `config set` refuses storing it (storedConflict).
 */
export function coinsInBoth(allow: readonly string[], deny: readonly string[]): string[] {
  const denied = new Set(deny.map((c) => c.toLowerCase()));
  return allow.filter(
    (c, i) =>
      denied.has(c.toLowerCase()) && allow.findIndex((x) => x.toLowerCase() === c.toLowerCase()) === i,
  );
}

/** What a coin in both lists means, in one sentence (the run's error and config set's). */
export function inBothListsText(both: readonly string[]): string {
  const names = both.join(", ");
  return `${names} ${both.length > 1 ? "are" : "is"} in both risk.allowCoins and risk.denyCoins: the deny list would win and ${both.length > 1 ? "they are" : "it is"} never copied`;
}

/**
 * `config set key value` against the settings stored: the error when the value cannot stand
 * beside one stored (EXCLUSIVE_SETTINGS, a coin in both lists) — a run would refuse the pair,
 * so nothing is stored —, else null. `stored` holds the value being set under `key` already.
 */
export function storedConflict(key: SettingKey, stored: FlatSettings): UsageError | null {
  const show = (k: SettingKey) => {
    const v = stored[k];
    return Array.isArray(v) ? v.join(",") : String(v);
  };
  for (const x of EXCLUSIVE_SETTINGS) {
    const other = x.keys[0] === key ? x.keys[1] : x.keys[1] === key ? x.keys[0] : null;
    if (other === null || stored[key] == null || stored[other] == null) continue;
    return new UsageError(`${key} cannot be stored while ${other} is stored (${show(other)}): ${x.why}`, {
      hint: `to switch: hlcopy config unset ${other}, then set ${key} again; or keep ${other} (${x.instead(stored)})`,
      details: { key, conflictsWith: other },
    });
  }
  if (key === "risk.allowCoins" || key === "risk.denyCoins") {
    const both = coinsInBoth(
      (stored["risk.allowCoins"] as string[] | undefined) ?? [],
      (stored["risk.denyCoins"] as string[] | undefined) ?? [],
    );
    const other: SettingKey = key === "risk.allowCoins" ? "risk.denyCoins" : "risk.allowCoins";
    if (both.length > 0)
      return new UsageError(inBothListsText(both), {
        hint: `keep ${both.join(", ")} in one list: set ${key} without ${both.length > 1 ? "them" : "it"}, or change the stored ${other} (${show(other)}) first — hlcopy config set ${other} …, or hlcopy config unset ${other}`,
        details: { key, conflictsWith: other, both },
      });
  }
  return null;
}

/**
 * entry-only's exits are ours alone, and each acts in only some runs: the resting stop,
 * trailing stop and take-profits in live runs (a dry run previews the live run, so a stored one
 * counts there too), the time stop (risk.maxHoldHours) in every run but a backtest, which
 * replays none of them.
 */
const OWN_EXITS: { key: SettingKey; actsIn: readonly EntryOnlyRun[] }[] = [
  { key: "risk.stopLossPct", actsIn: ["live", "dry-run"] },
  { key: "risk.trailingStopPct", actsIn: ["live", "dry-run"] },
  { key: "risk.takeProfitPct", actsIn: ["live", "dry-run"] },
  { key: "risk.takeProfitTiers", actsIn: ["live", "dry-run"] },
  { key: "risk.maxHoldHours", actsIn: ["live", "dry-run", "paper"] },
];

/** The runs entry-only's exits are judged for: a trading run's mode, or a backtest. */
export type EntryOnlyRun = RunModeName | "backtest";

/**
 * entry-only never copies the leaders' reductions, closes or flips: the position closes only by
 * an exit of our own (OWN_EXITS). A run where none of them acts would hold every position it
 * opens until a cap or the kill switch — refused before anything is sent, whether entry-only
 * is a flag or stored (`config set copy.mode entry-only`).
 * @throws {UsageError} (exit 2) naming what the run lacks and the exit it can take.
 */
export function refuseEntryOnlyWithoutExits(
  flat: FlatSettings,
  source: Partial<Record<SettingKey, SettingSource>>,
  run: EntryOnlyRun,
): void {
  if (flat["copy.mode"] !== "entry-only") return;
  const set = OWN_EXITS.filter((e) => flat[e.key] != null);
  if (set.some((e) => e.actsIn.includes(run))) return;
  const stored = source["copy.mode"] !== "flag";
  const where = stored ? " (copy.mode entry-only from the config file)" : "";
  const drop = stored ? "or --copy-mode mirror for this run" : "or drop --copy-mode entry-only";
  if (run === "backtest") {
    throw new UsageError(
      `entry-only never copies the leader's exits and a backtest replays none of your own (no stop, take-profit or time stop)${where}`,
      {
        hint: "hlcopy config set copy.mode mirror to backtest the copy in and out (a backtest reads copy.mode from the config file)",
      },
    );
  }
  // Set, but not acting in this run: a paper run simulates no resting stop or take-profit.
  const idle =
    set.length > 0
      ? `: ${set.map((e) => e.key).join(", ")} ${set.length > 1 ? "act" : "acts"} in live runs only (a --paper run simulates no resting stop or take-profit)`
      : "";
  throw new UsageError(
    `entry-only never copies the leader's exits and this run sets none of its own${idle}${where}`,
    {
      hint:
        run === "live"
          ? `add --stop-loss-pct 5 (or --max-hold-hours 48, --take-profit-pct …), ${drop}`
          : run === "paper"
            ? `add --max-hold-hours 48 (the time stop is the exit a paper run simulates), ${drop}`
            : `add --max-hold-hours 48, or store the live run's stop (hlcopy config set risk.stopLossPct 5), ${drop}`,
    },
  );
}

const noWebhook = (f: FlatSettings): boolean =>
  ((f["alerts.webhook"] as string[] | undefined)?.length ?? 0) === 0;

/**
 * Settings that act only beside another setting (a sizing amount and its mode: SIZING_KEY_MODE).
 * Given as a flag when that other setting is not there, they would be accepted and do nothing.
 */
const DEPENDENT_SETTINGS: {
  key: SettingKey;
  /** The settings it depends on (a "from the config file" note names where they came from). */
  on: SettingKey[];
  acts: (flat: FlatSettings) => boolean;
  when: string;
  has: (flat: FlatSettings) => string;
  hint: string;
  /** What makes it act when it is stored (config set's warning): the config set to run. */
  configSet: string;
}[] = [
  {
    key: "risk.trailingStepPct",
    on: ["risk.trailingStopPct"],
    acts: (f) => f["risk.trailingStopPct"] != null,
    when: "on a trailing stop (risk.trailingStopPct)",
    has: () => "none",
    hint: "add --trailing-stop-pct 3 for a trailing stop 3 % behind the best price",
    configSet: "hlcopy config set risk.trailingStopPct 3",
  },
  {
    key: "exec.passiveTimeoutSeconds",
    on: ["exec.entry"],
    acts: (f) => f["exec.entry"] === "passive",
    when: "on passive entries (exec.entry passive)",
    has: (f) => `exec.entry ${String(f["exec.entry"])}`,
    hint: "add --entry passive to rest each increase at the leader's price first",
    configSet: "hlcopy config set exec.entry passive",
  },
  {
    // The planner closes a coin denied or outside the allow list: with neither list, nothing.
    key: "risk.closeDenied",
    on: ["risk.denyCoins", "risk.allowCoins"],
    acts: (f) =>
      f["risk.closeDenied"] !== true ||
      ((f["risk.denyCoins"] as string[] | undefined)?.length ?? 0) > 0 ||
      ((f["risk.allowCoins"] as string[] | undefined)?.length ?? 0) > 0,
    when: "on coins risk.denyCoins names or risk.allowCoins leaves out",
    has: () => "neither list",
    hint: "add --deny-coins DOGE (our DOGE position is closed) or --allow-coins BTC,ETH (positions in other coins are)",
    configSet: "hlcopy config set risk.denyCoins DOGE (or risk.allowCoins BTC,ETH)",
  },
  ...(["alerts.format", "alerts.driftMinutes", "alerts.wsDownSeconds"] as const).map((key) => ({
    key,
    on: ["alerts.webhook"] as SettingKey[],
    acts: (f: FlatSettings) => !noWebhook(f),
    when: "when alerts go to a webhook (alerts.webhook)",
    has: () => "no webhook",
    hint: "add --alert-webhook <url> (or hlcopy config set alerts.webhook <url>)",
    configSet: "hlcopy config set alerts.webhook https://…",
  })),
  {
    key: "alerts.telegramChatId",
    on: ["alerts.webhook", "alerts.format"],
    acts: (f) => !noWebhook(f) && f["alerts.format"] === "telegram",
    when: "for alerts in Telegram's format (alerts.format telegram, with a webhook)",
    has: (f) => (noWebhook(f) ? "no webhook" : `alerts.format ${String(f["alerts.format"])}`),
    hint: "add --alert-format telegram and the bot's sendMessage URL as --alert-webhook",
    configSet: "hlcopy config set alerts.format telegram (and the bot's sendMessage URL as alerts.webhook)",
  },
];

/**
 * The stored settings a change of `changed` leaves doing nothing (DEPENDENT_SETTINGS, and a
 * sizing mode's amounts: they acted before it and do not after — `exec.entry ioc` idles a
 * stored passive timeout, `sizing.mode equity-ratio` a stored fixed-ratio ratio): one warning
 * each, naming what would make it act again.
 * @param stored the config's own values after the change (only a stored setting is said).
 */
export function idledBy(
  changed: SettingKey,
  before: FlatSettings,
  after: FlatSettings,
  stored: FlatSettings,
): string[] {
  const out: string[] = [];
  // A sizing mode switched away from leaves its stored amounts unread (fixed-ratio → equity-ratio
  // idles a stored sizing.ratio): as deliberate as the switch is, the amount is forgotten, not
  // gone — a switch back sizes by it again.
  if (changed === "sizing.mode") {
    const was = before["sizing.mode"] as SizingMode;
    const now = after["sizing.mode"] as SizingMode;
    for (const key of SIZING_KEYS) {
      if (stored[key] === undefined || SIZING_KEY_MODE[key] !== was || was === now) continue;
      out.push(
        `${key} (stored: ${settingText(key, after[key] as SettingValue)}) now does nothing: it is used only by sizing mode ${was}, and the config's mode is ${now} — hlcopy config set sizing.mode ${was} makes it act again, hlcopy config unset ${key} drops it`,
      );
    }
  }
  for (const d of DEPENDENT_SETTINGS) {
    if (!d.on.includes(changed) || stored[d.key] === undefined || !d.acts(before) || d.acts(after)) continue;
    out.push(
      `${d.key} (stored: ${settingText(d.key, after[d.key] as SettingValue)}) now does nothing: it acts only ${d.when}, and the config has ${d.has(after)} — ${d.configSet} makes it act again, hlcopy config unset ${d.key} drops it`,
    );
  }
  return out;
}

/**
 * A stored setting that acts only beside another one the config does not have
 * (DEPENDENT_SETTINGS): config set's warning, naming what makes it act; else null. Stored all
 * the same — the other setting may come next — as a run's flag for it is refused.
 * @param flat the settings as the config will hold them (defaults filled in).
 */
export function storedIdle(key: SettingKey, flat: FlatSettings): string | null {
  const d = DEPENDENT_SETTINGS.find((x) => x.key === key);
  if (!d || d.acts(flat)) return null;
  return `${key} acts only ${d.when}, and the config has ${d.has(flat)}: it does nothing until: ${d.configSet}`;
}

/** The trading commands whose runs take every setting as a flag. */
export type RunCommand = "follow" | "reconcile";
/** How a run trades: live (signs and sends), paper (fills locally), dry-run (sends nothing). */
export type RunModeName = "live" | "paper" | "dry-run";
/** What a run is, as far as which settings it reads goes. */
export interface RunContext {
  command: RunCommand;
  mode: RunModeName;
  /** --yes: every plan that needs review is confirmed without asking. */
  yes: boolean;
}

/** Reconcile sends no alerts (RUN_SETTINGS' alert keys). */
const alertsOfReconcile = {
  why: "reconcile sends no alerts",
  hint: "from cron, act on reconcile's exit code (3 drift remains, 4 halted)",
};

/** The alert settings that act only with a webhook to post to (alerts.webhook). */
export const ALERT_KEYS_BESIDE_WEBHOOK: readonly SettingKey[] = [
  "alerts.format",
  "alerts.telegramChatId",
  "alerts.driftMinutes",
  "alerts.wsDownSeconds",
];

/** No webhook to post to: the alert settings beside it do nothing. */
export function alertsOff(flat: FlatSettings): boolean {
  const webhook = flat["alerts.webhook"];
  return !Array.isArray(webhook) || webhook.length === 0;
}

const modeFlag = (run: RunContext): string => (run.mode === "paper" ? "--paper" : "--dry-run");
const liveRun = (run: RunContext): string => `give it to the live run (without ${modeFlag(run)})`;

/**
 * Settings that some commands or run modes never read (the one table of them; README's
 * Settings section lists the refusals). Given as a flag to such a run, they would be
 * accepted and do nothing, so they are refused: `${flag} ${does}, but ${why}` / `${hint}, or drop
 * ${flag}`. Values from the config file are never refused (the file is shared by every command),
 * nor a flag that switches its setting off (none, an empty list): it cannot promise an effect.
 */
const RUN_SETTINGS: {
  keys: readonly SettingKey[];
  /** What the setting does, after the flag. */
  does: string;
  /** Per command: which of its runs read it ("live runs only", shown in --help), or null when none does (hidden). */
  help: Partial<Record<RunCommand, string | null>>;
  /** Why this run would not read it, and the way forward; null when it acts. */
  unused: (run: RunContext, flat: FlatSettings) => { why: string; hint: string } | null;
}[] = [
  {
    keys: ["exec.sweepSeconds"],
    does: "sets how often hlcopy follow re-reads both accounts",
    help: { reconcile: null },
    unused: (run) =>
      run.command === "reconcile"
        ? { why: "reconcile is a single sweep", hint: "repeat reconcile from cron (*/5 * * * *)" }
        : null,
  },
  {
    keys: ["alerts.webhook"],
    does: "sets the alerts hlcopy follow sends",
    help: { reconcile: null },
    unused: (run) => (run.command === "reconcile" ? alertsOfReconcile : null),
  },
  {
    keys: ALERT_KEYS_BESIDE_WEBHOOK,
    does: "sets the alerts hlcopy follow sends",
    help: { reconcile: null, follow: "with an alert webhook set" },
    unused: (run, flat) =>
      run.command === "reconcile"
        ? alertsOfReconcile
        : alertsOff(flat)
          ? {
              why: "no alert webhook is set (alerts.webhook): this run sends no alert",
              hint: "give one with --alert-webhook https://…, or keep one: hlcopy config set alerts.webhook https://…",
            }
          : null,
  },
  {
    keys: ["exec.confirmAbovePct"],
    does: "sets when a live plan needs your yes",
    help: { follow: "only live runs without --yes", reconcile: "only live runs without --yes" },
    unused: (run) =>
      run.mode !== "live"
        ? { why: `this run is ${modeFlag(run)}: it asks for no yes`, hint: liveRun(run) }
        : run.yes
          ? {
              why: "--yes confirms every plan",
              hint: "drop --yes to be asked for a plan above it (with no terminal to ask, such a plan is refused: exit 2)",
            }
          : null,
  },
  {
    keys: ["exec.leverage", "exec.marginMode"],
    does: "is set on the exchange before a live increase",
    help: { follow: "live runs only", reconcile: "live runs only" },
    unused: (run) =>
      run.mode !== "live"
        ? { why: `this run is ${modeFlag(run)}: it sets nothing on the exchange`, hint: liveRun(run) }
        : null,
  },
  ...(["risk.stopLossPct", "risk.trailingStopPct"] as const).map((key) => ({
    keys: [key],
    does: "rests a reduce-only stop on the exchange (a live run's)",
    help: {
      follow: "rests in live runs only (sizes risk-per-trade in every run)",
      reconcile: "rests in live runs only (sizes risk-per-trade in every run)",
    },
    unused: (run: RunContext, flat: FlatSettings) =>
      run.mode !== "live" && flat["sizing.mode"] !== "risk-per-trade"
        ? {
            why: `this run is ${modeFlag(run)}: it rests no stops and does not simulate them`,
            hint: `${liveRun(run)}; in this run it would only size --mode risk-per-trade`,
          }
        : null,
  })),
  ...(
    [
      ["risk.takeProfitPct", "rests a reduce-only take-profit on the exchange (a live run's)"],
      ["risk.takeProfitTiers", "rests reduce-only take-profits on the exchange (a live run's)"],
      ["risk.trailingStepPct", "sets how a trailing stop resting on the exchange moves (a live run's)"],
    ] as const
  ).map(([key, does]) => ({
    keys: [key],
    does,
    help: { follow: "live runs only", reconcile: "live runs only" },
    unused: (run: RunContext) =>
      run.mode !== "live"
        ? {
            why: `this run is ${modeFlag(run)}: it rests no triggers and does not simulate them`,
            hint: liveRun(run),
          }
        : null,
  })),
  {
    keys: ["exec.entry"],
    does: "passive rests each increase on the book first",
    help: { follow: "passive: live and dry runs only (--paper fills as IOC)" },
    unused: (run, flat) =>
      run.mode === "paper" && flat["exec.entry"] === "passive"
        ? {
            why: "this run is --paper: it fills locally and rests nothing (its entries go as IOC)",
            hint: liveRun(run),
          }
        : null,
  },
  {
    keys: ["exec.passiveTimeoutSeconds"],
    does: "sets how long a passive entry rests on the book",
    // A dry run reads it too: whether an entry an earlier run left resting is past it, which its
    // live run cancels first (engine/entry-styles.ts) — it was refused there as idle.
    help: { follow: "live and dry runs only", reconcile: "live and dry runs" },
    unused: (run) =>
      run.mode === "paper"
        ? { why: "this run is --paper: it fills locally and nothing rests", hint: liveRun(run) }
        : null,
  },
  {
    keys: ["exec.slippageBudgetBps"],
    does: "is checked against this run's fills",
    help: { follow: "live and paper runs only", reconcile: "live runs only" },
    unused: (run) =>
      run.mode === "dry-run"
        ? {
            why: "this run is --dry-run: nothing fills",
            hint: "give it to a live or --paper run",
          }
        : null,
  },
];

/** A flag that switches its setting off (none, an empty list) promises no effect. */
const switchesOff = (value: SettingValue | undefined): boolean =>
  value === null || (Array.isArray(value) && value.length === 0);

/** @throws {UsageError} (exit 2) for the first setting flag this run would not read. */
function refuseUnusedByRun(
  run: RunContext,
  flat: FlatSettings,
  flags: Partial<Record<SettingKey, string>>,
): void {
  for (const r of RUN_SETTINGS) {
    for (const key of r.keys) {
      if (flags[key] === undefined || switchesOff(flat[key])) continue;
      const unused = r.unused(run, flat);
      if (!unused) continue;
      const flag = `--${flagName(key)}`;
      throw new UsageError(`${flag} ${r.does}, but ${unused.why}`, {
        hint: `${unused.hint}, or drop ${flag}`,
      });
    }
  }
}

/**
 * Which runs of `command` read `key`, for its --help line: undefined = every run, a phrase =
 * only those runs, null = none (the flag is hidden, and refused when given).
 */
export function settingRunsOf(key: SettingKey, command: RunCommand): string | null | undefined {
  const r = RUN_SETTINGS.find((x) => x.keys.includes(key));
  return r?.help[command];
}

/** The sizing settings, and the one sizing mode that reads each. */
export const SIZING_KEY_MODE = {
  "sizing.multiplier": "equity-ratio",
  "sizing.ratio": "fixed-ratio",
  "sizing.notional": "fixed-notional",
  "sizing.targetVolPct": "risk-parity",
  "sizing.volLookbackDays": "risk-parity",
  "sizing.kellyLookbackDays": "kelly",
  "sizing.kellyFraction": "kelly",
  "sizing.riskPct": "risk-per-trade",
} as const satisfies Partial<Record<SettingKey, SizingMode>>;
const SIZING_KEYS = Object.keys(SIZING_KEY_MODE) as (keyof typeof SIZING_KEY_MODE)[];

/**
 * The sizing mode that reads `key`, when `mode` does not (so a value given for it would do
 * nothing); null when the mode uses it or the key is not a sizing amount.
 */
export function sizingKeyUnusedBy(key: string, mode: SizingMode): SizingMode | null {
  const uses = (SIZING_KEY_MODE as Record<string, SizingMode>)[key];
  return uses !== undefined && uses !== mode ? uses : null;
}

/**
 * How a run sizes the copy, in words ("fixed-ratio ratio 0.05"; the side and copy mode when
 * not the defaults): two runs of one account and leaders that size differently — a follow
 * started with flags, then a cron reconcile without them — each trade the other's positions
 * back to their own size. Reads a journaled run's settings (plain JSON) as well; null when
 * they hold no sizing mode.
 */
export function sizingText(settings: unknown): string | null {
  const get = (path: string): unknown =>
    path
      .split(".")
      .reduce<unknown>(
        (o, k) => (typeof o === "object" && o !== null ? (o as Record<string, unknown>)[k] : undefined),
        settings,
      );
  const mode = get("sizing.mode");
  if (typeof mode !== "string") return null;
  const parts = [mode];
  for (const key of SIZING_KEYS) {
    if (SIZING_KEY_MODE[key] === mode) parts.push(`${key.slice("sizing.".length)} ${String(get(key))}`);
  }
  if (get("sizing.direction") === "inverse") parts.push("inverse");
  if (get("copy.mode") === "entry-only") parts.push("entry-only");
  return parts.join(" ");
}

// ---------------------------------------------------------------------------------------
// Coin lists against the exchange's markets

/**
 * Check `risk.allowCoins` / `risk.denyCoins` against the exchange's market names (its `meta`)
 * and return the settings with every coin in the exchange's own spelling ("btc" → "BTC",
 * "KPEPE" → "kPEPE"). Pure; call it where a run first has the markets, before any order.
 * @throws {ValidationError} (exit 2) naming every unknown coin, with close matches as the hint.
 */
export function resolveCoinSettings(settings: Settings, marketNames: readonly string[]): Settings {
  const byLower = new Map<string, string>();
  for (const name of marketNames) byLower.set(name.toLowerCase(), name);
  const unknown: { key: SettingKey; coin: string }[] = [];
  const canonical = (key: SettingKey, coins: string[]): string[] => {
    const out: string[] = [];
    for (const coin of coins) {
      const name = byLower.get(coin.toLowerCase());
      if (name === undefined) unknown.push({ key, coin });
      else if (!out.includes(name)) out.push(name);
    }
    return out;
  };
  const allowCoins = canonical("risk.allowCoins", settings.risk.allowCoins);
  const denyCoins = canonical("risk.denyCoins", settings.risk.denyCoins);
  const first = unknown[0];
  if (first) {
    const names = unknown.map((u) => `"${u.coin}" (${u.key})`).join(", ");
    const hintFor = (coin: string): string => {
      const kind = otherMarketHint(coin, byLower);
      if (kind !== null) return kind;
      const near = closeMatches(coin, marketNames);
      return near.length > 0 ? `${coin}: did you mean ${near.join(" or ")}?` : `${coin}: no close match`;
    };
    // Each list that holds an unknown coin is named with its own coins: unknown coins in both
    // lists must not be sent to --allow-coins alone.
    const keys = [...new Set(unknown.map((u) => u.key))];
    const hint = keys
      .map((key) => {
        const hints = unknown.filter((u) => u.key === key).map((u) => hintFor(u.coin));
        return `${hints.join("; ")} — fix it with --${flagName(key)} or hlcopy config set ${key} …`;
      })
      .join("; ");
    throw new ValidationError(
      first.key,
      `unknown coin${unknown.length > 1 ? "s" : ""} ${names}: not a market on this exchange`,
      {
        hint,
        details: { unknown: unknown.map((u) => u.coin) },
      },
    );
  }
  // A coin in both lists is never copied (the deny list wins): either list then says something
  // the run will not do, and an allow list wholly denied copies nothing while reporting "in sync".
  const both = coinsInBoth(allowCoins, denyCoins);
  if (both.length > 0) {
    const names = both.join(", ");
    throw new ValidationError("risk.denyCoins", inBothListsText(both), {
      hint: `keep ${names} in one list: --allow-coins to copy only those coins, or --deny-coins to copy all but those (hlcopy config get risk.allowCoins shows the stored list)`,
      details: { both },
    });
  }
  return { ...settings, risk: { ...settings.risk, allowCoins, denyCoins } };
}

/**
 * A name of a market hlcopy does not copy, said as what it is: a spot pair (`PURR/USDC`), a spot
 * id (`@107`) or another perp dex's market (HIP-3, `xyz:BTC`), with the main dex's perp when there
 * is one; another exchange's ticker (`BTC-PERP`, `ETHUSDT`) when its coin is a perp here. Null
 * for any other name (a typo: closeMatches).
 */
function otherMarketHint(coin: string, byLower: ReadonlyMap<string, string>): string | null {
  if (coin.startsWith("@"))
    return `${coin} is a spot market's id: hlcopy copies perpetuals, by the perp's name`;
  const spot = coin.indexOf("/");
  if (spot > 0) {
    const base = coin.slice(0, spot);
    const perp = byLower.get(base.toLowerCase());
    return `${coin} is a spot pair: hlcopy copies perpetuals, and ${perp !== undefined ? `the perp is ${perp}` : `${base} has none here`}`;
  }
  const dex = coin.indexOf(":");
  if (dex > 0) {
    const name = coin.slice(dex + 1);
    const perp = byLower.get(name.toLowerCase());
    return `${coin} is a market of another perp dex (HIP-3): hlcopy copies the main dex's perpetuals${perp !== undefined ? `, where it is ${perp}` : `, and ${name} is not one of them`}`;
  }
  // Another exchange's ticker (BTC-PERP, ETHUSDT, sol-usd): Hyperliquid names a perp by its coin.
  const base = coin.replace(/([-_]?(perps?|usdt|usdc|usd))+$/i, "");
  const perp = base !== coin && base !== "" ? byLower.get(base.toLowerCase()) : undefined;
  if (perp !== undefined)
    return `${coin}: did you mean ${perp}? (Hyperliquid names a perp by its coin alone)`;
  return null;
}

/** Up to three names within a small edit distance of `coin` (case-insensitive), closest first. */
export function closeMatches(coin: string, names: readonly string[], max = 3): string[] {
  const target = coin.toLowerCase();
  const limit = Math.max(1, Math.floor(target.length / 3));
  return names
    .map((name) => ({ name, d: editDistance(target, name.toLowerCase()) }))
    .filter((x) => x.d <= limit)
    .sort((a, b) => a.d - b.d || a.name.localeCompare(b.name))
    .slice(0, max)
    .map((x) => x.name);
}

/** Levenshtein distance (insert, delete, substitute), two rows. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/** Default settings, typed: handy for tests and the planner's callers. */
export function defaultSettings(): Settings {
  return toSettings(defaultFlatSettings());
}
