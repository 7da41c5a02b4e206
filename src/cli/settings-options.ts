// Per-run setting flags, generated from the settings schema: `risk.maxLeverage` becomes
// `--max-leverage <value>`. Values stay raw strings here; the schema parses them.

import type { Command } from "commander";
import { allowedText, flagName, SETTINGS_SCHEMA, type SettingKey } from "../core/settings.js";

const FLAG_SPECS = SETTINGS_SCHEMA.filter((s) => s.key !== "network" && s.key !== "account");

function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Add one `--<flag> <value>` option per setting to a command. */
export function addSettingOptions(cmd: Command): Command {
  for (const s of FLAG_SPECS) {
    cmd.option(`--${flagName(s.key)} <value>`, `${s.description} [${s.key}; ${allowedText(s)}]`);
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
