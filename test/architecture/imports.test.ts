// The folder tree is the architecture: imports point one way, from the edges to the core.
//   core ← exchange, store ← engine, analytics ← ui, alerts, metrics ← cli
// The simulator stands apart: it imports nothing of the product, and only the demo and the
// `sim` command import it. A new import that goes the wrong way fails here, with the file
// and the line to move.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = resolve(import.meta.dirname, "../../src");

/** Rank of each top-level folder: a file may import only from its own rank or below. */
const LAYER: Record<string, number> = {
  core: 0,
  exchange: 1,
  store: 1,
  engine: 2,
  analytics: 2,
  ui: 3,
  alerts: 3,
  metrics: 3,
  cli: 4,
};

/** Files of the CLI allowed to load the simulator (lazily). */
const SIM_IMPORTERS = new Set(["cli/demo/run.ts", "cli/sim/run.ts"]);

/**
 * Wrong-way imports that exist today, each with the work that removes it. The test also
 * fails when an entry here no longer happens, so the list only shrinks.
 */
const KNOWN: Record<string, string> = {};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(e.name) && !e.name.endsWith(".d.ts") ? [path] : [];
  });
}

interface Import {
  from: string; // relative to src/
  to: string; // relative to src/, .ts
  line: number;
}

/** Static imports, re-exports and dynamic `import()` of relative paths. */
function importsOf(file: string): Import[] {
  const text = readFileSync(file, "utf8");
  const out: Import[] = [];
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["'](\.{1,2}\/[^"']+)["']/g;
  for (const m of text.matchAll(pattern)) {
    const target = resolve(dirname(file), m[1] ?? "").replace(/\.js$/, ".ts");
    const line = text.slice(0, m.index).split("\n").length;
    out.push({ from: relative(SRC, file), to: relative(SRC, target), line });
  }
  return out;
}

const top = (path: string) => path.split("/")[0] ?? "";

/** Whether an import from `from` to `to` (paths relative to src/) goes the wrong way. */
function wrongWay(from: string, to: string): boolean {
  const a = top(from);
  const b = top(to);
  if (a === b) return false;
  if (a === "sim") return true; // the simulator imports nothing of the product
  if (b === "sim") return !SIM_IMPORTERS.has(from);
  return (LAYER[b] ?? Number.POSITIVE_INFINITY) > (LAYER[a] ?? Number.NEGATIVE_INFINITY);
}

function violations(): Map<string, Import> {
  const found = new Map<string, Import>();
  for (const file of sourceFiles(SRC)) {
    for (const imp of importsOf(file)) {
      if (wrongWay(imp.from, imp.to)) found.set(`${imp.from} -> ${imp.to}`, imp);
    }
  }
  return found;
}

describe("imports point one way", () => {
  it("every top-level folder of src/ has a place in the layering", () => {
    const folders = readdirSync(SRC, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    expect(folders.filter((f) => f !== "sim" && LAYER[f] === undefined)).toEqual([]);
  });

  it("no import goes from a lower layer to a higher one, and the simulator stays apart", () => {
    const found = violations();
    const unexpected = [...found]
      .filter(([key]) => !(key in KNOWN))
      .map(([key, imp]) => `${key} (src/${imp.from}:${imp.line})`);
    expect(unexpected).toEqual([]);
  });

  it("the list of known wrong-way imports only shrinks: every entry still happens", () => {
    const found = violations();
    expect(Object.keys(KNOWN).filter((key) => !found.has(key))).toEqual([]);
  });

  it("the engine's parts sit below its scheduler: no file of src/engine but engine.ts imports engine.ts", () => {
    // Each part (start-checks.ts, sweep-reads.ts, state-view.ts, …) gets what it needs through its
    // options (a narrow port); importing the engine back would make the parts one knot again.
    const engine = join(SRC, "engine");
    const parts = sourceFiles(engine).filter((f) => relative(SRC, f) !== "engine/engine.ts");
    expect(parts.length).toBeGreaterThan(10);
    const offenders = parts.flatMap((f) =>
      importsOf(f)
        .filter((i) => i.to === "engine/engine.ts")
        .map((i) => `src/${i.from}:${i.line}`),
    );
    expect(offenders).toEqual([]);
  });

  it("the rule itself: down and sideways pass, up and into the simulator fail", () => {
    expect(wrongWay("engine/engine.ts", "core/planner.ts")).toBe(false);
    expect(wrongWay("exchange/client.ts", "store/journal.ts")).toBe(false);
    expect(wrongWay("cli/demo/run.ts", "sim/index.ts")).toBe(false);
    expect(wrongWay("core/planner.ts", "engine/engine.ts")).toBe(true);
    expect(wrongWay("ui/model.ts", "cli/output.ts")).toBe(true);
    expect(wrongWay("engine/engine.ts", "sim/index.ts")).toBe(true);
    expect(wrongWay("sim/exchange.ts", "core/types.ts")).toBe(true);
    // and the scan reads real imports, relative paths resolved from src/
    const planner = importsOf(join(SRC, "core", "planner.ts"));
    expect(planner.length).toBeGreaterThan(0);
    expect(planner.every((i) => top(i.to) === "core" && i.to.endsWith(".ts"))).toBe(true);
  });
});
