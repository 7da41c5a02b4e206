// One home per command: `src/cli/<command>/command.ts` registers it, its run module sits
// beside it. The command table is what every `hlcopy …` loads before it knows the command,
// so what it imports statically must stay cheap: `hlcopy --help` never loads Ink, React, the
// SDK, the engine, the journal or the simulator (run modules come in by `await import()`).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = resolve(import.meta.dirname, "../../src");

/** The static, non-type imports of a file: what loading it loads. */
function staticImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const pattern = /^\s*(?:import|export)\s+(?!type\b)(?:[^"';]*?\bfrom\s*)?["']([^"']+)["']/gm;
  return [...text.matchAll(pattern)].map((m) => m[1] ?? "");
}

/** Every source file and package that loading `entry` loads, following static imports. */
function loadedBy(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const walk = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of staticImports(file)) {
      if (!spec.startsWith(".")) {
        packages.add(spec);
        continue;
      }
      const ts = resolve(dirname(file), spec).replace(/\.js$/, ".ts");
      walk(existsSync(ts) ? ts : `${ts}x`);
    }
  };
  walk(entry);
  return { files: [...files].map((f) => relative(SRC, f)), packages: [...packages] };
}

const COMMAND_DIRS = readdirSync(join(SRC, "cli"), { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(join(SRC, "cli", e.name, "command.ts")))
  .map((e) => e.name);

describe("one home per command", () => {
  it("every command the table registers comes from its own folder's command.ts", () => {
    const table = staticImports(join(SRC, "cli", "commands.ts")).filter((s) => s.startsWith("."));
    expect(table.every((s) => /^\.\/[a-z-]+\/command\.js$/.test(s))).toBe(true);
    expect(table.map((s) => s.split("/")[1]).sort()).toEqual([...COMMAND_DIRS].sort());
  });

  it("the CLI's entry loads only the command table, commander and core: nothing heavy", () => {
    const { files, packages } = loadedBy(join(SRC, "cli", "cli.ts"));
    // Sanity: the walk does reach the registrations.
    expect(files).toContain("cli/follow/command.ts");
    const heavy = files.filter(
      (f) => !(f.startsWith("core/") || (f.startsWith("cli/") && !/\/(run|serve|listen)\.ts$/.test(f))),
    );
    expect(heavy).toEqual([]);
    const allowed = /^(commander|node:.*|@noble\/hashes\/.*)$/;
    expect(packages.filter((p) => !allowed.test(p))).toEqual([]);
  });

  it("no command.ts imports a run module statically", () => {
    const offenders = COMMAND_DIRS.flatMap((dir) =>
      staticImports(join(SRC, "cli", dir, "command.ts"))
        .filter((s) => s.startsWith(".") && !/^\.\.\/(help|settings-options)\.js$/.test(s))
        .filter((s) => !s.startsWith("../../core/"))
        .map((s) => `cli/${dir}/command.ts -> ${s}`),
    );
    expect(offenders).toEqual([]);
  });
});
