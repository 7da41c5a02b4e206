// A config directory given with a leading ~ the shell did not expand (`--config-dir=~/hlcopy`,
// a quoted or cron/systemd HLCOPY_CONFIG_DIR) is the home directory's, as the trader meant: hlcopy
// made a directory named "~" in the working directory, and a run started elsewhere found none of
// what init, config set or agent generate had written there.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, cleanEnv, tempDir } from "../helpers/cli.js";

function hlcopy(args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    env: cleanEnv(env),
    encoding: "utf8",
    input: "",
  });
}

describe("a config directory starting with ~", () => {
  for (const [how, args, env] of [
    ["--config-dir=~/…", ["--config-dir=~/hl", "config", "set", "risk.maxLeverage", "3"], {}],
    ["HLCOPY_CONFIG_DIR=~/…", ["config", "set", "risk.maxLeverage", "3"], { HLCOPY_CONFIG_DIR: "~/hl" }],
  ] as const) {
    it(`${how} is under the home directory, never ./~`, () => {
      const home = tempDir();
      const cwd = tempDir();
      const r = hlcopy([...args], cwd, { HOME: home, ...env });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      expect(existsSync(join(home, "hl", "config.json"))).toBe(true);
      expect(existsSync(join(cwd, "~"))).toBe(false);
      const path = hlcopy(["config", "path"], tempDir(), { HOME: home, HLCOPY_CONFIG_DIR: "~/hl" });
      expect(path.stdout.trim()).toBe(join(home, "hl", "config.json"));
    });
  }
});
