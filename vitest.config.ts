import { availableParallelism } from "node:os";
import { configDefaults, defineConfig } from "vitest/config";

// Files that change what the process shares — module mocks, stubbed globals or environment, fake
// timers, signals delivered to the process itself — each run in a process of their own. The
// rest share their worker's modules: a fresh process per file imported the engine, simulator and
// SDK anew (~1.5 s of CPU on 2 cores, 200 times); sharing cut the suite 377 → 313 s and its CPU
// 648 → 500 s (same machine and hour).
const ISOLATED = [
  "test/analytics/replay.test.ts",
  "test/keys/agent-commands.test.ts",
  "test/ui/colors.test.tsx",
  "test/cli/run-engine.test.ts",
];

export default defineConfig({
  test: {
    // A bound for a hang, not a speed check: CLI tests spawn several processes each, and a busy
    // 2-core machine can make one take many times its idle duration.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One temporary directory for the whole run, removed at its end (test/global-setup.ts).
    globalSetup: ["test/global-setup.ts"],
    // The built CLI that test/helpers/in-process.ts runs: loaded by Node as the binary loads it.
    server: { deps: { external: [/\/dist\/cli\//] } },
    // vitest's default (cores − 1) runs the files one at a time on a 2-core machine, while
    // much of this suite waits on child processes, sockets and retry backoffs: four files at
    // once on 2 cores (207 s with two, 160 s with three when the suite was smaller; 389 s with
    // three, 363 s with four on 2026-12-06, its CPU 1.54 → 1.72 cores of 2), one per core
    // beyond that.
    maxWorkers: Math.max(4, availableParallelism()),
    projects: [
      {
        extends: true,
        test: {
          name: "shared",
          include: ["test/**/*.test.{ts,tsx}"],
          exclude: [...configDefaults.exclude, ...ISOLATED],
          isolate: false,
        },
      },
      {
        extends: true,
        test: { name: "isolated", include: ISOLATED },
      },
    ],
  },
});
