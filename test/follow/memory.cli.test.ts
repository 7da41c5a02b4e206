// A long run keeps V8's young generation small (bench/soak.mjs measures what it saves): the
// launcher re-executes a long-running command once with --max-semi-space-size, keeping its
// pid (signals and kill -9 reach the run itself).

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { eventually } from "../exchange/helpers.js";
import { BIN, cleanEnv, tempDir } from "../helpers/cli.js";

let sim: SimHandle;
beforeAll(async () => {
  sim = await startSim({ seed: 5, tickMs: 0 });
});
afterAll(async () => {
  await sim.close();
});

const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");

describe("the launcher", () => {
  it.skipIf(process.platform !== "linux")(
    "runs follow with a small young generation, under the pid it was started with",
    async () => {
      const leader = `0x${"12".repeat(20)}`;
      sim.control.fund(leader as `0x${string}`, 1_000);
      const child = spawn(
        process.execPath,
        [
          BIN,
          "--network",
          sim.httpUrl,
          "--account",
          `0x${"34".repeat(20)}`,
          "--json",
          "follow",
          leader,
          "--dry-run",
        ],
        { env: cleanEnv({ HLCOPY_CONFIG_DIR: tempDir() }), stdio: ["ignore", "pipe", "pipe"] },
      );
      let out = "";
      child.stdout?.on("data", (d) => {
        out += d;
      });
      const exit = new Promise<number | null>((resolve) => child.on("close", resolve));
      await eventually(() => out.includes('"type":"sweep"'), 15_000);
      const argv = cmdline(child.pid ?? 0);
      child.kill("SIGTERM");
      expect(argv).toContain("--max-semi-space-size=2");
      expect(argv).toContain("follow");
      expect(await exit).toBe(0);
    },
  );
});
