// Implementations of the `config` subcommands.

import { plainDecimal } from "../../core/format.js";
import {
  defaultFlatSettings,
  parseSettingInput,
  SETTINGS_SCHEMA,
  type SizingMode,
  settingSpec,
  sizingKeyUnusedBy,
} from "../../core/settings.js";
import {
  configPath,
  defaultConfigDir,
  readStoredSettings,
  unsetSetting,
  writeSetting,
} from "../../store/config.js";
import type { GlobalOptions } from "../context.js";
import { printDocument, printJson, type Writer } from "../output.js";

function dirOf(g: GlobalOptions): string {
  return g.configDir || defaultConfigDir();
}

/** A setting's value for people: plain decimals (1e-7 is shown 0.0000001, as it is typed). */
function show(value: unknown): string {
  if (value === null) return "none";
  if (Array.isArray(value)) return value.join(",");
  if (typeof value === "number") return plainDecimal(value);
  return String(value);
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
  const dir = dirOf(g);
  const stored = readStoredSettings(dir, { replacing: key });
  await writeSetting(dir, key, value);
  const mode = (stored["sizing.mode"] ?? settingSpec("sizing.mode").default) as SizingMode;
  const uses = sizingKeyUnusedBy(key, mode);
  const warning = uses
    ? `${key} is used only by sizing mode ${uses}; the configured mode is ${mode}, so it does nothing until: hlcopy config set sizing.mode ${uses}`
    : null;
  if (g.json) printDocument("config", { key, value, ...(warning ? { warning } : {}) }, out);
  else out.write(`${key} = ${show(value)}\n`);
  if (warning) err.write(`warning: ${warning}\n`);
}

export async function runConfigGet(g: GlobalOptions, key: string, out: Writer = process.stdout) {
  const spec = settingSpec(key);
  const stored = readStoredSettings(dirOf(g));
  const value = stored[spec.key] !== undefined ? stored[spec.key] : spec.default;
  if (g.json)
    printDocument(
      "config",
      { key, value, source: stored[spec.key] !== undefined ? "config" : "default" },
      out,
    );
  else out.write(`${show(value)}\n`);
}

export async function runConfigUnset(g: GlobalOptions, key: string, out: Writer = process.stdout) {
  const spec = settingSpec(key);
  await unsetSetting(dirOf(g), key);
  if (g.json) printDocument("config", { key, value: spec.default, source: "default" }, out);
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
  rows: { key: string; value: unknown; default: unknown; source: string; description: string }[],
  width: number,
): string {
  const lines: string[] = [];
  let section = "";
  for (const r of rows) {
    const at = r.key.split(".")[0] ?? "";
    if (lines.length > 0 && at !== section) lines.push("");
    section = at;
    const origin = r.source === "config" ? `config file; default ${show(r.default)}` : "default";
    lines.push(`${r.key} = ${show(r.value)}   (${origin})`);
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
