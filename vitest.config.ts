import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.{ts,tsx}"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // vitest's default (cores − 1) runs the files one at a time on a 2-core machine, while
    // most of this suite waits on child processes and sockets: two files at once.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
