// The settings store: one JSON file in the config directory, written through `conf`.
// Everything read from it is validated against the settings schema; a hand-broken file is a
// ConfigError naming the file, and the file is never rewritten or "repaired" behind the user.

import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { ConfigError, ValidationError } from "../core/errors.js";
import {
  closeSettingKeys,
  type FlatSettings,
  FractionPctError,
  SETTING_KEYS,
  type SettingKey,
  type SettingValue,
  settingSpec,
  validateSetting,
} from "../core/settings.js";
import { storeError } from "./disk-errors.js";
import { duplicateKey, withoutBom } from "./duplicate-keys.js";

export const CONFIG_FILE = "config.json";

/** The config directory: --config-dir, else HLCOPY_CONFIG_DIR, else ~/.config/hlcopy (XDG aware). */
export function defaultConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HLCOPY_CONFIG_DIR) return env.HLCOPY_CONFIG_DIR;
  const base = env.XDG_CONFIG_HOME || join(homedir(), ".config");
  return join(base, "hlcopy");
}

export function configPath(configDir: string): string {
  return join(configDir, CONFIG_FILE);
}

/**
 * Flatten `{risk: {maxLeverage: 3}}` to `{"risk.maxLeverage": 3}`; leaves are non-plain-objects.
 * `dotted` collects the keys spelt with a dot inside one name (`{"risk.maxLeverage": 3}`).
 */
function flatten(
  value: Record<string, unknown>,
  prefix = "",
  out: Record<string, unknown> = {},
  dotted: Set<string> = new Set(),
  inDotted = false,
) {
  for (const [k, v] of Object.entries(value)) {
    const key = prefix ? `${prefix}.${k}` : k;
    const spelt = inDotted || k.includes(".");
    if (v !== null && typeof v === "object" && !Array.isArray(v))
      flatten(v as Record<string, unknown>, key, out, dotted, spelt);
    else {
      out[key] = v;
      if (spelt) dotted.add(key);
    }
  }
  return out;
}

/** `{"risk": {"maxLeverage": …}}`: how config set writes `risk.maxLeverage`. */
function nestedForm(key: string): string {
  const parts = key.split(".");
  return `${parts.map((p) => `{"${p}": `).join("")}…${"}".repeat(parts.length)}`;
}

/** ` (line 3, column 5)` for a JSON.parse error at a position, ` (the file is empty)`, or "". */
function jsonErrorAt(text: string, error: unknown): string {
  if (text.trim() === "") return " (the file is empty)";
  const at = /at position (\d+)/.exec(error instanceof Error ? error.message : "");
  if (!at) return /end of JSON input/.test(String(error)) ? ' (it ends too soon: a } or " missing?)' : "";
  const before = text.slice(0, Number(at[1])).split("\n");
  return ` (line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1})`;
}

/**
 * Read and validate the stored settings without touching the file.
 * @throws {ConfigError} when the file is not JSON, has a key twice, is not an object, has an unknown
 *   key or a bad value.
 */
export function readStoredSettings(
  configDir: string,
  options: {
    replacing?: string;
    /**
     * false: no value is checked (what is returned is unchecked), the file's shape only — JSON,
     * known keys, each once: for unsetSetting's look at the value it removes.
     */
    checkValues?: boolean;
  } = {},
): FlatSettings {
  const file = configPath(configDir);
  if (!existsSync(file)) return {};
  let text: string;
  try {
    // (A byte-order mark is no error: conf reads past it too.)
    text = withoutBom(readFileSync(file, "utf8"));
  } catch (error) {
    throw storeError(error, { file, what: "config file", operation: "read" });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // Where, so a hand edit can be fixed (a trailing comma, a comment); never the parser's
    // message, which quotes the text (a webhook URL may hold a token).
    throw new ConfigError(`config file ${file} is not valid JSON${jsonErrorAt(text, error)}`, {
      hint: `fix it by hand, or move it aside (mv ${file} ${file}.bak) to start from defaults`,
      cause: error,
    });
  }
  // JSON.parse keeps the last of two equal keys: the first (a cap the user wrote) would be
  // dropped without a word, and `config set` would write the file back without it.
  const twice = duplicateKey(text);
  if (twice !== null) {
    throw new ConfigError(`config file ${file} has "${twice}" twice`, { hint: "keep one of them" });
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${file} must hold a JSON object`, {
      hint: `fix it by hand, or move it aside (mv ${file} ${file}.bak) to start from defaults`,
    });
  }
  const dotted = new Set<string>();
  const flat = flatten(parsed as Record<string, unknown>, "", {}, dotted);
  const out: FlatSettings = {};
  for (const [key, value] of Object.entries(flat)) {
    if (!(SETTING_KEYS as readonly string[]).includes(key)) {
      // (Not "see hlcopy config list": it reads this same file and stops here too.)
      const near = closeSettingKeys(key);
      throw new ConfigError(`config file ${file} has an unknown setting "${key}"`, {
        hint:
          near.length > 0
            ? `did you mean ${near.join(" or ")}? rename it in the file, or remove it`
            : "remove it from the file (the README's Settings table lists every setting)",
      });
    }
    // `{"risk.maxLeverage": 7}` reads as the setting, but config set and unset change the nested
    // key: unset would leave 7 in force, set would add a second copy (and one of two would win).
    if (dotted.has(key)) {
      throw new ConfigError(`config file ${file} has the key "${key}" with dots in one name`, {
        hint: `write it nested, as config set does: ${nestedForm(key)} (or remove it and run hlcopy config set ${key} …)`,
      });
    }
    // The setting being set or unset: its stored value goes, whatever it is (the way out the
    // hint below gives for a bad one).
    if (key === options.replacing) continue;
    if (options.checkValues === false) {
      out[key as SettingKey] = value as SettingValue;
      continue;
    }
    try {
      out[key as SettingKey] = validateSetting(key, value);
    } catch (error) {
      const why = error instanceof ValidationError ? error.message : String(error);
      throw new ConfigError(`config file ${file}: ${why}`, {
        // A fraction for a percentage (an older hlcopy took it): both readings, both ways on.
        hint:
          error instanceof FractionPctError && error.hint
            ? error.hint
            : `fix the value by hand, or run: hlcopy config unset ${key}`,
        cause: error,
      });
    }
  }
  return out;
}

/**
 * Why other users could change what a run of hlcopy does through the config directory `dir`
 * (it is writable by its group or by anyone: they could replace config.json — the leader, the
 * caps — or the journal beside it, whatever the files' own modes), or null when they cannot, it
 * does not exist, or on Windows (no such mode bits). hlcopy creates it 0700; the keystore's
 * own mode is checked apart (keystoreExposure). Never throws.
 */
export function configDirExposure(dir: string): { message: string; hint: string } | null {
  if (process.platform === "win32") return null;
  let mode: number;
  try {
    const s = statSync(dir);
    if (!s.isDirectory()) return null;
    mode = s.mode & 0o7777;
  } catch {
    return null; // not created yet (hlcopy makes it 0700), or not ours to read: said where it is used
  }
  if ((mode & 0o022) === 0) return null;
  const who = (mode & 0o002) !== 0 ? "anyone" : "its group";
  return {
    message: `config directory ${dir} can be written by ${who} (mode ${(mode & 0o777).toString(8).padStart(4, "0")}): another user could replace config.json (the leader, the caps) or the journal`,
    hint: `make it yours alone, then run again: chmod 700 ${dir}`,
  };
}

type ConfStore = {
  set(key: string, value: unknown): void;
  delete(key: string): void;
  readonly path: string;
};

async function openConf(configDir: string): Promise<ConfStore> {
  const { default: Conf } = await import("conf");
  mkdirSync(configDir, { recursive: true, mode: 0o700 });
  return new Conf({ cwd: configDir, configName: "config", clearInvalidConfig: false, configFileMode: 0o600 });
}

/**
 * Change the config file through `conf` (write-temp-then-rename: the temp is removed on failure).
 * @throws {OperationalError} naming the file for a full disk, a read-only or foreign directory, …
 */
async function changeConf(configDir: string, change: (conf: ConfStore) => void): Promise<void> {
  try {
    change(await openConf(configDir));
  } catch (error) {
    throw storeError(error, { file: configPath(configDir), what: "config file", operation: "write" });
  }
}

/**
 * Validate then store one setting. The existing file is validated first, so a broken file is
 * reported (and left untouched) instead of being overwritten.
 * @throws {ValidationError} for a bad value; {ConfigError} for a broken file.
 */
export async function writeSetting(configDir: string, key: string, value: SettingValue): Promise<void> {
  settingSpec(key);
  const checked = validateSetting(key, value);
  readStoredSettings(configDir, { replacing: key });
  // A percentage below 1 written with its sign keeps it ("0.25%": core/settings.ts storedForm).
  const kept = typeof value === "string" && typeof checked === "number" ? value : checked;
  await changeConf(configDir, (conf) => conf.set(key, kept));
}

/** Whether the file holds a value for `key` that does not validate (its shape otherwise sound). */
function storedValueIsBad(configDir: string, key: string): boolean {
  let raw: FlatSettings;
  try {
    raw = readStoredSettings(configDir, { checkValues: false });
  } catch {
    return false;
  }
  const value = raw[settingSpec(key).key];
  if (value === undefined) return false;
  try {
    validateSetting(key, value);
    return false;
  } catch {
    return true;
  }
}

/**
 * Remove a stored setting so its default applies again. A broken file is reported and left
 * untouched — except that a bad value's own unset (the way out its hint gives) works beside
 * another bad value: checking the others made two bad values a loop, each one's `config unset`
 * refused for the other's.
 */
export async function unsetSetting(configDir: string, key: string): Promise<void> {
  settingSpec(key);
  try {
    readStoredSettings(configDir, { replacing: key });
  } catch (error) {
    if (!storedValueIsBad(configDir, key)) throw error;
  }
  if (!existsSync(configPath(configDir))) return;
  await changeConf(configDir, (conf) => {
    conf.delete(key);
    // Drop the emptied parent object so the file stays tidy for hand edits.
    const parent = key.includes(".") ? key.split(".")[0] : undefined;
    if (parent) {
      const stored = JSON.parse(readFileSync(configPath(configDir), "utf8")) as Record<string, unknown>;
      const group = stored[parent];
      if (group && typeof group === "object" && Object.keys(group).length === 0) conf.delete(parent);
    }
  });
}
