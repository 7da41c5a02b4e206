import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.{ts,tsx}"],
    // A bound for a hang, not a speed check: CLI tests spawn several processes each, and a busy
    // 2-core machine can make one take many times its idle duration.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // vitest's default (cores − 1) runs the files one at a time on a 2-core machine, while
    // most of this suite waits on child processes, sockets and retry backoffs: three files at
    // once on 2 cores (207 s with two, 160 s with three, same machine and hour), one per core
    // beyond that.
    maxWorkers: Math.max(3, availableParallelism()),
  },
});
