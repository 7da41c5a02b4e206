import { availableParallelism } from "node:os";
import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // A bound for a hang, not a speed check: CLI tests spawn several processes each, and a busy
    // 2-core machine can make one take many times its idle duration.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // vitest's default (cores − 1) runs the files one at a time on a 2-core machine, while
    // most of this suite waits on child processes, sockets and retry backoffs: three files at
    // once on 2 cores (207 s with two, 160 s with three, same machine and hour), one per core
    // beyond that.
    maxWorkers: Math.max(3, availableParallelism()),
    projects: [
      {
        extends: true,
        test: {
          // The pure planner/figures tests (src/core: no I/O, no module state, no globals, no
          // vi.mock, no environment): one worker runs them one after another instead of a fresh
          // process per file (~1.5-2 s of start-up each on 2 busy cores).
          name: "core",
          include: ["test/core/**/*.test.{ts,tsx}"],
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: "rest",
          include: ["test/**/*.test.{ts,tsx}"],
          exclude: [...configDefaults.exclude, "test/core/**"],
        },
      },
    ],
  },
});
