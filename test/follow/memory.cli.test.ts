// A long run keeps its memory small (bench/soak.mjs measures what it saves): the launcher
// re-executes a long-running command once with a small young generation, and follow also with
// --optimize-for-size and MALLOC_ARENA_MAX=2 (unless the trader set it), keeping its pid
// (signals and kill -9 reach the run itself).

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

const environ = (pid: number) => readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");

/** Start a dry-run follow, wait for its first sweep, and read its command line and environment. */
async function followArgvEnv(extra: NodeJS.ProcessEnv) {
  const env = cleanEnv({ HLCOPY_CONFIG_DIR: tempDir(), ...extra });
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const leader = `0x${"12".repeat(20)}`;
  sim.control.fund(leader as `0x${string}`, 1_000);
  // An account with nothing to copy with is refused at the start, dry runs too: fund ours.
  sim.control.fund(`0x${"34".repeat(20)}`, 1_000);
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
      // A stand-in leader, funded, that never trades: what is checked is how the run is launched.
      "--allow-empty-leader",
    ],
    { env, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  let err = "";
  child.stdout?.on("data", (d) => {
    out += d;
  });
  child.stderr?.on("data", (d) => {
    err += d;
  });
  const exit = new Promise<number | null>((resolve) => child.on("close", resolve));
  await eventually(() => out.includes('"type":"sweep"'), 15_000);
  const argv = cmdline(child.pid ?? 0);
  const envs = environ(child.pid ?? 0);
  child.kill("SIGTERM");
  return { argv, envs, code: await exit, stderr: err, stdout: out };
}

// process.execve arrived in Node 22.15: the oldest Node hlcopy supports (22.13) lacks it.
const reexecs = typeof process.execve === "function";

describe("the launcher", () => {
  it.skipIf(process.platform !== "linux" || !reexecs)(
    "runs follow with a small young generation, a lean old one and two malloc arenas, under the pid it was started with",
    async () => {
      const { argv, envs, code } = await followArgvEnv({ MALLOC_ARENA_MAX: undefined });
      expect(argv).toContain("--max-semi-space-size=2");
      expect(argv).toContain("--optimize-for-size");
      expect(argv).toContain("follow");
      expect(envs).toContain("MALLOC_ARENA_MAX=2");
      expect(code).toBe(0);
    },
  );

  it.skipIf(process.platform !== "linux" || reexecs)(
    "where Node cannot re-execute itself (before 22.15), a follow runs as started and warns what that costs",
    async () => {
      const { argv, envs, code, stdout } = await followArgvEnv({ MALLOC_ARENA_MAX: undefined });
      expect(argv).not.toContain("--max-semi-space-size=2");
      expect(envs).not.toContain("MALLOC_ARENA_MAX=2");
      const warning = stdout
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { type: string; message?: string })
        .find(
          (e) =>
            e.type === "warning" && e.message?.includes("cannot restart follow with its memory settings"),
        );
      expect(warning?.message).toContain("Node 24 keeps it small");
      expect(code).toBe(0);
    },
  );

  it.skipIf(process.platform !== "linux" || !reexecs)("keeps a MALLOC_ARENA_MAX the trader set", async () => {
    const { envs, code } = await followArgvEnv({ MALLOC_ARENA_MAX: "4" });
    expect(envs).toContain("MALLOC_ARENA_MAX=4");
    expect(envs).not.toContain("MALLOC_ARENA_MAX=2");
    expect(code).toBe(0);
  });
});
