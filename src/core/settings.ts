// The one schema of every setting: type, default, range and a one-line description.
// The config file, `config set`, and the per-run flags (`--max-leverage 3`) are all derived
// from this table, so a setting exists in exactly one place.

import { isAddress } from "./address.js";
import { ValidationError } from "./errors.js";
import type { Address } from "./types.js";

export type SizingMode = "equity-ratio" | "fixed-ratio" | "fixed-notional";
export type JoinMode = "all" | "new-only";

/** The typed settings the planner and engine read. */
export interface Settings {
  sizing: { mode: SizingMode; multiplier: number; ratio: number; notional: number };
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
  };
  exec: {
    slippageBps: number;
    deadbandPct: number;
    maxEntryDriftBps: number;
    sweepSeconds: number;
    /** Start-up reads retry transient failures this long before giving up (exit 1). */
    startupTimeoutSeconds: number;
  };
  join: JoinMode;
  network: string;
  account: Address | null;
}

type Kind =
  | { type: "number"; min: number; max: number; minExclusive?: boolean; integer?: boolean }
  | { type: "usdOrNone"; min: number; max: number }
  | { type: "enum"; values: readonly string[] }
  | { type: "boolean" }
  | { type: "coins" }
  | { type: "network" }
  | { type: "addressOrNone" };

export interface SettingSpec {
  key: SettingKey;
  kind: Kind;
  default: SettingValue;
  description: string;
}

export type SettingValue = number | string | boolean | string[] | null;

export const SETTING_KEYS = [
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
  "risk.maxDrawdownPct",
  "risk.maxDailyLossPct",
  "exec.slippageBps",
  "exec.deadbandPct",
  "exec.maxEntryDriftBps",
  "exec.sweepSeconds",
  "exec.startupTimeoutSeconds",
  "join",
  "network",
  "account",
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
    { type: "enum", values: ["equity-ratio", "fixed-ratio", "fixed-notional"] },
    "equity-ratio",
    "how leader sizes map to ours: equity-ratio, fixed-ratio or fixed-notional",
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
    { type: "number", min: 0, max: 1e9, minExclusive: true },
    1000,
    "fixed-notional: USD spread over the leader's positions by their share of its gross notional",
  ),
  spec(
    "risk.maxLeverage",
    { type: "number", min: 0, max: 50, minExclusive: true },
    3,
    "cap on our gross notional / equity; wins over the leader's leverage",
  ),
  spec(
    "risk.maxNotionalPerCoin",
    { type: "usdOrNone", min: 0, max: 1e12 },
    null,
    "USD cap on any one coin's position (none = no cap)",
  ),
  spec(
    "risk.maxTotalNotional",
    { type: "usdOrNone", min: 0, max: 1e12 },
    null,
    "USD cap on the sum of all our positions (none = no cap)",
  ),
  spec("risk.allowCoins", { type: "coins" }, [], "copy only these coins (comma list; empty = all)"),
  spec("risk.denyCoins", { type: "coins" }, [], "never copy these coins (comma list)"),
  spec(
    "risk.closeDenied",
    { type: "boolean" },
    false,
    "close positions we hold in denied coins (otherwise leave them alone)",
  ),
  spec(
    "risk.maxDrawdownPct",
    { type: "number", min: 0, max: 100, minExclusive: true },
    25,
    "kill switch: drawdown % from the high-water mark that flattens and halts",
  ),
  spec(
    "risk.maxDailyLossPct",
    { type: "number", min: 0, max: 100, minExclusive: true },
    10,
    "no new increases after losing this % of equity in a UTC day",
  ),
  spec(
    "exec.slippageBps",
    { type: "number", min: 0, max: 1000, integer: true },
    30,
    "IOC limit price = best price ± this many basis points",
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
    "exec.startupTimeoutSeconds",
    { type: "number", min: 1, max: 3600, integer: true },
    120,
    "retry failing start-up requests (429, 5xx, timeouts) this long before giving up",
  ),
  spec(
    "join",
    { type: "enum", values: ["all", "new-only"] },
    "all",
    "all: copy the leader's current positions; new-only: only positions opened after we start",
  ),
  spec("network", { type: "network" }, "mainnet", "mainnet, testnet, or the http URL of a compatible API"),
  spec("account", { type: "addressOrNone" }, null, "the follower's master account address (0x…)"),
];

const BY_KEY = new Map(SETTINGS_SCHEMA.map((s) => [s.key, s]));

/** Look a key up; unknown keys are a usage error listing what exists. */
export function settingSpec(key: string): SettingSpec {
  const found = BY_KEY.get(key as SettingKey);
  if (!found) {
    const near = SETTING_KEYS.find(
      (k) => k.toLowerCase() === key.toLowerCase() || k.split(".").pop()?.toLowerCase() === key.toLowerCase(),
    );
    throw new ValidationError(key, `unknown setting "${key}"`, {
      hint: near ? `did you mean ${near}?` : `known settings: ${SETTING_KEYS.join(", ")}`,
    });
  }
  return found;
}

/** `risk.maxLeverage` → `max-leverage`: the per-run flag of a setting. */
export function flagName(key: SettingKey): string {
  const last = key.split(".").pop() ?? key;
  return last.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Describe what a setting accepts, for errors and help. */
export function allowedText(s: SettingSpec): string {
  const k = s.kind;
  switch (k.type) {
    case "number":
      return `${k.integer ? "an integer" : "a number"} ${k.minExclusive ? ">" : "≥"} ${k.min} and ≤ ${k.max}`;
    case "usdOrNone":
      return `a USD amount ≥ ${k.min}, or "none"`;
    case "enum":
      return `one of ${k.values.join(", ")}`;
    case "boolean":
      return "true or false";
    case "coins":
      return 'a comma-separated list of coin names (e.g. "BTC,ETH"), or "" for none';
    case "network":
      return "mainnet, testnet, or an http(s) URL";
    case "addressOrNone":
      return 'a 0x address of 40 hex digits, or "none"';
  }
}

const COIN_RE = /^[A-Za-z0-9@:/_-]{1,32}$/;

/** The one address check (format and EIP-55 checksum): ./address.ts. */
export { isAddress } from "./address.js";

function invalid(s: SettingSpec, value: unknown): ValidationError {
  const shown = typeof value === "string" ? `"${value}"` : JSON.stringify(value);
  return new ValidationError(s.key, `invalid value ${shown} for ${s.key}: expected ${allowedText(s)}`, {
    hint: `e.g. hlcopy config set ${s.key} ${exampleValue(s)}`,
  });
}

function exampleValue(s: SettingSpec): string {
  const k = s.kind;
  switch (k.type) {
    case "number":
      return String(s.default);
    case "usdOrNone":
      return "5000";
    case "enum":
      return k.values[0] ?? "";
    case "boolean":
      return "true";
    case "coins":
      return "BTC,ETH";
    case "network":
      return "testnet";
    case "addressOrNone":
      return "0x0000000000000000000000000000000000000001";
  }
}

/** Check a typed value (from the config file) against its spec; returns it normalised. */
export function validateSetting(key: string, value: unknown): SettingValue {
  const s = settingSpec(key);
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
      return value;
    }
    case "enum":
      if (typeof value !== "string" || !k.values.includes(value)) throw invalid(s, value);
      return value;
    case "boolean":
      if (typeof value !== "boolean") throw invalid(s, value);
      return value;
    case "coins": {
      if (!Array.isArray(value)) throw invalid(s, value);
      const coins = value.map((c) => (typeof c === "string" ? c.trim() : ""));
      if (coins.some((c) => !COIN_RE.test(c))) throw invalid(s, value);
      return [...new Set(coins)];
    }
    case "network": {
      if (typeof value !== "string") throw invalid(s, value);
      if (value === "mainnet" || value === "testnet") return value;
      try {
        const u = new URL(value);
        if (u.protocol !== "http:" && u.protocol !== "https:") throw invalid(s, value);
      } catch {
        throw invalid(s, value);
      }
      return value.replace(/\/+$/, "");
    }
    case "addressOrNone":
      if (value === null) return null;
      if (typeof value !== "string" || !isAddress(value)) throw invalid(s, value);
      return value.toLowerCase();
  }
}

/** Parse a string from the command line (`config set`, a flag) into a typed, valid value. */
export function parseSettingInput(key: string, raw: string): SettingValue {
  const s = settingSpec(key);
  try {
    return parseInput(s, key, raw);
  } catch (error) {
    // Report what the user typed, not the number it was converted to.
    if (error instanceof ValidationError) throw invalid(s, raw);
    throw error;
  }
}

function parseInput(s: SettingSpec, key: string, raw: string): SettingValue {
  const text = raw.trim();
  const k = s.kind;
  switch (k.type) {
    case "number":
      return validateSetting(key, text === "" ? Number.NaN : Number(text));
    case "usdOrNone":
      if (/^(none|null|off)$/i.test(text)) return null;
      return validateSetting(key, text === "" ? Number.NaN : Number(text));
    case "boolean": {
      const t = text.toLowerCase();
      if (["true", "yes", "on", "1"].includes(t)) return true;
      if (["false", "no", "off", "0"].includes(t)) return false;
      throw invalid(s, raw);
    }
    case "coins":
      if (text === "") return [];
      return validateSetting(
        key,
        text.split(",").map((c) => c.trim()),
      );
    case "addressOrNone":
      if (/^(none|null)$/i.test(text)) return null;
      return validateSetting(key, text);
    default:
      return validateSetting(key, text);
  }
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
    },
    risk: {
      maxLeverage: n("risk.maxLeverage"),
      maxNotionalPerCoin: flat["risk.maxNotionalPerCoin"] as number | null,
      maxTotalNotional: flat["risk.maxTotalNotional"] as number | null,
      allowCoins: flat["risk.allowCoins"] as string[],
      denyCoins: flat["risk.denyCoins"] as string[],
      closeDenied: flat["risk.closeDenied"] as boolean,
      maxDrawdownPct: n("risk.maxDrawdownPct"),
      maxDailyLossPct: n("risk.maxDailyLossPct"),
    },
    exec: {
      slippageBps: n("exec.slippageBps"),
      deadbandPct: n("exec.deadbandPct"),
      maxEntryDriftBps: n("exec.maxEntryDriftBps"),
      sweepSeconds: n("exec.sweepSeconds"),
      startupTimeoutSeconds: n("exec.startupTimeoutSeconds"),
    },
    join: flat.join as JoinMode,
    network: flat.network as string,
    account: flat.account as Address | null,
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
  return { settings: toSettings(flat), flat, source };
}

/** Default settings, typed: handy for tests and the planner's callers. */
export function defaultSettings(): Settings {
  return toSettings(defaultFlatSettings());
}
