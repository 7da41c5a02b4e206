// Implementations of the `config` subcommands.

import { defaultFlatSettings, parseSettingInput, SETTINGS_SCHEMA, settingSpec } from "../../core/settings.js";
import {
  configPath,
  defaultConfigDir,
  readStoredSettings,
  unsetSetting,
  writeSetting,
} from "../../store/config.js";
import type { GlobalOptions } from "../context.js";
import { printJson, renderTable, type Writer } from "../output.js";

function dirOf(g: GlobalOptions): string {
  return g.configDir || defaultConfigDir();
}

function show(value: unknown): string {
  if (value === null) return "none";
  if (Array.isArray(value)) return value.join(",");
  return String(value);
}

export async function runConfigSet(g: GlobalOptions, key: string, raw: string, out: Writer = process.stdout) {
  const value = parseSettingInput(key, raw);
  const dir = dirOf(g);
  await writeSetting(dir, key, value);
  if (g.json) printJson({ key, value }, out);
  else out.write(`${key} = ${show(value)}\n`);
}

export async function runConfigGet(g: GlobalOptions, key: string, out: Writer = process.stdout) {
  const spec = settingSpec(key);
  const stored = readStoredSettings(dirOf(g));
  const value = stored[spec.key] !== undefined ? stored[spec.key] : spec.default;
  if (g.json) printJson({ key, value, source: stored[spec.key] !== undefined ? "config" : "default" }, out);
  else out.write(`${show(value)}\n`);
}

export async function runConfigUnset(g: GlobalOptions, key: string, out: Writer = process.stdout) {
  const spec = settingSpec(key);
  await unsetSetting(dirOf(g), key);
  if (g.json) printJson({ key, value: spec.default, source: "default" }, out);
  else out.write(`${key} unset (default: ${show(spec.default)})\n`);
}

export async function runConfigList(g: GlobalOptions, out: Writer = process.stdout) {
  const stored = readStoredSettings(dirOf(g));
  const defaults = defaultFlatSettings();
  const rows = SETTINGS_SCHEMA.map((s) => {
    const isStored = stored[s.key] !== undefined;
    return {
      key: s.key,
      value: isStored ? stored[s.key] : defaults[s.key],
      default: s.default,
      source: isStored ? "config" : "default",
      description: s.description,
    };
  });
  if (g.json) {
    printJson(rows, out);
    return;
  }
  const table = await renderTable(
    ["key", "value", "default", "source", "description"],
    rows.map((r) => [r.key, show(r.value), show(r.default), r.source, r.description]),
    { wrapLast: true },
  );
  out.write(`${table}\n`);
}

export async function runConfigPath(g: GlobalOptions, out: Writer = process.stdout) {
  const file = configPath(dirOf(g));
  if (g.json) printJson({ path: file }, out);
  else out.write(`${file}\n`);
}
