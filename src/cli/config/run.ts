// Implementations of the `config` subcommands.

import { resolve } from "node:path";
import { redactWebhook } from "../../core/alerts.js";
import {
  ALERT_KEYS_BESIDE_WEBHOOK,
  alertsOff,
  defaultFlatSettings,
  type FlatSettings,
  idledBy,
  parseSettingInput,
  SETTINGS_SCHEMA,
  type SettingKey,
  type SizingMode,
  settingSpec,
  settingText,
  sizingKeyUnusedBy,
  storedConflict,
  storedForm,
  storedIdle,
} from "../../core/settings.js";
import { configPath, readStoredSettings, unsetSetting, writeSetting } from "../../store/config.js";
import { findLockHolders, type LockHolder } from "../../store/lock.js";
import {
  configDirOf,
  ENV_ACCOUNT_HINT,
  type GlobalOptions,
  overridingAccount,
  refuseAgentAsAccount,
  resolveContext,
  settingFromEnv,
} from "../context.js";
import { printDocument, printJson, type Writer } from "../output.js";

function dirOf(g: GlobalOptions): string {
  return configDirOf(g);
}

/**
 * Store a setting. A sizing amount the configured sizing mode does not read (`sizing.ratio`
 * while the mode is equity-ratio) is stored, with a warning naming the mode that uses it:
 * refusing would force one order of `config set` calls (mode first), and the value does act
 * as soon as the mode is switched. A per-run flag the mode ignores is refused instead
 * (resolveSettings), since for one run nothing could make it act.
 */
export async function runConfigSet(
  g: GlobalOptions,
  key: string,
  raw: string,
  out: Writer = process.stdout,
  err: Writer = process.stderr,
) {
  const value = parseSettingInput(key, raw);
  const spec = settingSpec(key);
  const dir = dirOf(g);
  const stored = readStoredSettings(dir, { replacing: key });
  // A value a run would refuse beside one stored (take-profit and tiers, a coin in both lists)
  // is not stored: a setting that is accepted must act.
  const conflict = storedConflict(spec.key, { ...stored, [spec.key]: value });
  if (conflict) throw conflict;
  if (spec.key === "account") {
    await refuseAgentAsAccount(dir, process.env, value, "hlcopy config set account 0xYourMaster…");
  }
  const running = runsOnConfig(g, dir);
  const was = storedValueOf(dir, spec.key);
  await writeSetting(dir, key, storedForm(key, raw, value));
  const mode = (stored["sizing.mode"] ?? settingSpec("sizing.mode").default) as SizingMode;
  const uses = sizingKeyUnusedBy(key, mode);
  // An alert setting with no webhook to post to: stored (the webhook may come next), said.
  const noWebhook = ALERT_KEYS_BESIDE_WEBHOOK.includes(spec.key) && alertsOff(stored);
  // An account HLCOPY_ACCOUNT overrides in every run does not act: stored (the variable may be
  // unset next), said with the fix.
  const overridden = spec.key === "account" ? overridingAccount(process.env, value) : null;
  const before = { ...defaultFlatSettings(), ...stored, ...was };
  const after = { ...before, [spec.key]: value };
  // Settings stored earlier that this value leaves doing nothing (exec.entry ioc beside a
  // passive timeout): said, the way back named.
  const idled = idledBy(spec.key, before, after, stored);
  const warning = overridden
    ? overridden
    : uses
      ? `${key} is used only by sizing mode ${uses}; the configured mode is ${mode}, so it does nothing until: hlcopy config set sizing.mode ${uses}`
      : noWebhook
        ? `${key} acts on the alerts hlcopy follow posts, and no alert webhook is set (alerts.webhook): it does nothing until: hlcopy config set alerts.webhook https://…`
        : // Any other setting that acts only beside one the config lacks (a trailing step
          // without a trailing stop): said as a run's flag for it is refused.
          storedIdle(spec.key, after);
  if (g.json)
    printDocument(
      "config",
      {
        key,
        value,
        source: "config",
        ...(warning ? { warning } : {}),
        ...(idled.length > 0 ? { idled } : {}),
        ...runningDocument(running),
      },
      out,
    );
  else out.write(`${key} = ${shownInPassing(value, key)}\n`);
  for (const w of [...(warning ? [warning] : []), ...idled]) err.write(`warning: ${w}\n`);
  warnRunning(running, `${key} = ${shownInPassing(value, key)}`, err);
}

/** idledBy for unsetting `key`: [] when the rest of the file does not read (a bad value there). */
function idledByUnset(dir: string, key: SettingKey): string[] {
  try {
    const left = readStoredSettings(dir, { replacing: key });
    const defaults = defaultFlatSettings();
    return idledBy(key, { ...defaults, ...left, ...storedValueOf(dir, key) }, { ...defaults, ...left }, left);
  } catch {
    return [];
  }
}

/** The value stored for `key` (unchecked: the one being replaced or unset), as a one-key object; {} when none. */
function storedValueOf(dir: string, key: SettingKey): FlatSettings {
  const value = readStoredSettings(dir, { checkValues: false })[key];
  return value === undefined ? {} : { [key]: value };
}

/**
 * The runs (a follow, a reconcile under way) that hold this config's account and were started
 * on this config directory: they read their settings once, at start, so a change written now
 * acts only from their next start. Never throws (a config that cannot be resolved has no run).
 */
function runsOnConfig(g: GlobalOptions, dir: string): LockHolder[] {
  try {
    const ctx = resolveContext({ ...g, configDir: dir });
    if (!ctx.account) return [];
    const own = resolve(dir);
    return findLockHolders(ctx.network, ctx.account, ctx.env).filter(
      (h) => h.info.configDir === "?" || resolve(h.info.configDir) === own,
    );
  } catch {
    return [];
  }
}

function runningDocument(running: LockHolder[]): Record<string, unknown> {
  if (running.length === 0) return {};
  return {
    notYetInEffect: running.map((h) => ({ pid: h.info.pid, command: h.info.command })),
  };
}

/** A setting changed under a running follow is said to wait for its restart: nothing else would say so. */
function warnRunning(running: LockHolder[], change: string, err: Writer): void {
  for (const h of running) {
    const stop = h.info.command === "follow" ? "hlcopy stop, then start it again" : "run it again";
    err.write(
      `warning: hlcopy ${h.info.command} (pid ${h.info.pid}) runs on this config with the settings it started with: ${change} acts from its next start\n` +
        `hint: to apply it now: ${stop}\n`,
    );
  }
}

/** Where a setting's value comes from in a run: its environment variable, the config file, or the default. */
type Source = "env" | "config" | "default";

interface EffectiveSetting {
  value: unknown;
  source: Source;
  /** source "env": the variable. */
  variable?: string;
  /** source "env": what the config file holds, which the variable overrides (null: none). */
  configValue?: unknown;
  /** source "env": the variable's value is refused by every run (why). */
  warning?: string;
}

/**
 * A setting's value as a run takes it without flags: its environment variable (HLCOPY_ACCOUNT),
 * else the config file, else the default — what `config get` and `list` show.
 */
function effectiveSetting(
  key: string,
  stored: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  fallback: unknown,
): EffectiveSetting {
  const inFile = stored[key] !== undefined;
  const fromEnv = settingFromEnv(key, env);
  if (fromEnv) {
    return {
      value: fromEnv.value,
      source: "env",
      variable: fromEnv.variable,
      configValue: inFile ? stored[key] : null,
      ...(fromEnv.refused ? { warning: fromEnv.refused } : {}),
    };
  }
  return { value: inFile ? stored[key] : fallback, source: inFile ? "config" : "default" };
}

/**
 * A setting's value as an echo or a listing shows it, in passing: a webhook URL as its scheme and
 * host (Slack, Discord and Telegram URLs carry their secret in the path, and every other place
 * hlcopy names a webhook redacts it so; `config list` on a shared screen showed it whole).
 * `config get` of the key prints it whole: it was asked for (and $(hlcopy config get …) reads it).
 */
function shownInPassing(value: unknown, key: string): string {
  if (key === "alerts.webhook" && Array.isArray(value) && value.length > 0)
    return value.map((url) => redactWebhook(String(url))).join(",");
  return settingText(key, value);
}

/** Where a value from the environment comes from, for people: `HLCOPY_ACCOUNT, over the config file's 0x…`. */
function envOrigin(e: EffectiveSetting, key: string): string {
  const file =
    e.configValue === null || e.configValue === undefined ? "none" : settingText(key, e.configValue);
  return `${e.variable}, which beats the config file's ${file} in every run`;
}

export async function runConfigGet(
  g: GlobalOptions,
  key: string,
  out: Writer = process.stdout,
  err: Writer = process.stderr,
  env: NodeJS.ProcessEnv = process.env,
) {
  const spec = settingSpec(key);
  const stored = readStoredSettings(dirOf(g));
  const e = effectiveSetting(spec.key, stored, env, spec.default);
  if (g.json) {
    printDocument("config", { key, ...e }, out);
    return;
  }
  // The value alone on stdout (a script's $(hlcopy config get account)); where it comes from,
  // when not the file or the default, beside it on stderr.
  out.write(`${settingText(spec.key, e.value)}\n`);
  if (e.source === "env") err.write(`note: from ${envOrigin(e, spec.key)}\n`);
  if (e.warning) err.write(`warning: ${e.warning}\nhint: ${ENV_ACCOUNT_HINT}\n`);
}

export async function runConfigUnset(
  g: GlobalOptions,
  key: string,
  out: Writer = process.stdout,
  err: Writer = process.stderr,
  env: NodeJS.ProcessEnv = process.env,
) {
  const spec = settingSpec(key);
  const dir = dirOf(g);
  const running = runsOnConfig(g, dir);
  // Settings stored beside it that act no more without it (a trailing step without its stop),
  // read before it goes. Unset is also the way out of a bad value in the file (another bad
  // one beside it must not stop it): then nothing is said of them.
  const idled = idledByUnset(dir, spec.key);
  await unsetSetting(dir, key);
  // What a run takes now: the default, or the variable's (HLCOPY_ACCOUNT) where one is set.
  const e = effectiveSetting(spec.key, {}, env, spec.default);
  if (g.json)
    printDocument(
      "config",
      { key, ...e, ...(idled.length > 0 ? { idled } : {}), ...runningDocument(running) },
      out,
    );
  else out.write(`${key} unset (default: ${settingText(spec.key, spec.default)})\n`);
  if (!g.json && e.source === "env")
    err.write(`note: runs take ${settingText(spec.key, e.value)} from ${e.variable}\n`);
  for (const w of idled) err.write(`warning: ${w}\n`);
  warnRunning(running, `${key} unset (${settingText(spec.key, spec.default)})`, err);
}

export async function runConfigList(
  g: GlobalOptions,
  out: Writer = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
) {
  const stored = readStoredSettings(dirOf(g));
  const defaults = defaultFlatSettings();
  const rows = SETTINGS_SCHEMA.map((s) => {
    const { value, ...from } = effectiveSetting(s.key, stored, env, defaults[s.key]);
    return { key: s.key, value, default: s.default, ...from, description: s.description };
  });
  if (g.json) {
    // An array (jq '.[]' walks it), each entry a `config` document as config get prints one
    // (ts and type first, as every JSON document), with its default and description.
    const ts = Date.now();
    printJson(
      rows.map((r) => ({ ts, type: "config", ...r })),
      out,
    );
    return;
  }
  out.write(settingsListing(rows, process.stdout.columns || 100));
}

/**
 * Each setting as `key = value` with where the value comes from, its description indented
 * under it, sections apart: readable at any width (a five-column table at 80 columns wrapped
 * every description one word per line, 400 lines for 55 settings).
 */
export function settingsListing(
  rows: ({ key: string; value: unknown; default: unknown; description: string } & Omit<
    EffectiveSetting,
    "value"
  >)[],
  width: number,
): string {
  const lines: string[] = [];
  let section = "";
  for (const r of rows) {
    const at = r.key.split(".")[0] ?? "";
    if (lines.length > 0 && at !== section) lines.push("");
    section = at;
    const origin =
      r.source === "env"
        ? `${envOrigin(r, r.key)}; default ${settingText(r.key, r.default)}`
        : r.source === "config"
          ? `config file; default ${settingText(r.key, r.default)}`
          : "default";
    lines.push(`${r.key} = ${shownInPassing(r.value, r.key)}   (${origin})`);
    if (r.warning) lines.push(`    warning: ${r.warning}`);
    for (const line of wrapWords(r.description, Math.max(30, width - 4))) lines.push(`    ${line}`);
  }
  return `${lines.join("\n")}\n`;
}

function wrapWords(text: string, width: number): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}

export async function runConfigPath(g: GlobalOptions, out: Writer = process.stdout) {
  const file = configPath(dirOf(g));
  if (g.json) printDocument("configPath", { path: file }, out);
  else out.write(`${file}\n`);
}
