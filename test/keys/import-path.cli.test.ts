// `agent import --keystore <path>` as a new user types it: geth's keystore *folder* was said as a
// permissions problem ("cannot read keystore … (EISDIR)", hint: ls -l), and `--keystore=~/…`
// (a ~ the shell leaves as it is after "=") was "no such keystore file" for a file that exists.

import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generatePrivateKey } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { agentKeystorePath, encryptKeystore } from "../../src/store/keystore.js";
import { runCli, tempDir } from "../helpers/cli.js";

const PASS = "fixture pass phrase";

describe("agent import --keystore, the path", () => {
  it("a directory is said as one, with the file to give: exit 2, nothing written", async () => {
    const dir = tempDir();
    const folder = tempDir();
    const r = await runCli(["--config-dir", dir, "agent", "import", "--keystore", folder], {
      env: { HLCOPY_PASSPHRASE: PASS },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `error: keystore ${folder} is a directory, not a key file\nhint: give the key file in it: ls ${folder} (geth names them UTC--…)\n`,
    );
    expect(existsSync(agentKeystorePath(dir))).toBe(false);
  });

  it("--keystore=~/… is the home directory's file", async () => {
    const dir = tempDir();
    const home = tempDir();
    mkdirSync(join(home, "keys"));
    const file = JSON.stringify(await encryptKeystore(generatePrivateKey(), PASS, { scryptN: 1024 }));
    writeFileSync(join(home, "keys", "agent.json"), file, { mode: 0o600 });
    const r = await runCli(["--config-dir", dir, "agent", "import", "--keystore=~/keys/agent.json"], {
      env: { HLCOPY_PASSPHRASE: PASS, HOME: home },
      timeoutMs: 60_000,
    });
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    expect(existsSync(agentKeystorePath(dir))).toBe(true);
  });

  it("a directory where the agent keystore belongs is said as one by a run, not as a mode to chmod", async () => {
    const dir = tempDir();
    mkdirSync(agentKeystorePath(dir));
    const r = await runCli(
      [
        "--config-dir",
        dir,
        "--network",
        "http://127.0.0.1:9",
        "--account",
        `0x${"1".repeat(40)}`,
        "reconcile",
        `0x${"2".repeat(40)}`,
      ],
      { env: { HLCOPY_PASSPHRASE: PASS } },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error: keystore .* is a directory, not a key file\nhint: move that directory out of the way/,
    );
    expect(r.stderr).not.toContain("chmod");
  });
});
