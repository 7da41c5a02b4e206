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
    // most of this suite waits on child processes and sockets: two files at once.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
