// An HLCOPY_* variable hlcopy does not read is refused before any command runs (the real binary):
// `HLCOPY_NETWORK=testnet hlcopy status` read mainnet's journal without a word, and a typo such
// as HLCOPY_ACOUNT left the command with no account, or another one from the config.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempDir } from "../helpers/cli.js";

const ACCOUNT = "0x1111111111111111111111111111111111111111";

describe("HLCOPY_* variables", () => {
  it("one hlcopy does not read is exit 2 with the one meant or what to give instead; nothing written", async () => {
    const cases: Array<[Record<string, string>, string[], string]> = [
      [
        { HLCOPY_NETWORK: "testnet" },
        ["--account", ACCOUNT, "status"],
        "hint: the network is --network (or hlcopy config set network testnet); then unset HLCOPY_NETWORK",
      ],
      [
        { HLCOPY_ACOUNT: ACCOUNT },
        ["status"],
        "hint: did you mean HLCOPY_ACCOUNT? (rename it: unset HLCOPY_ACOUNT)",
      ],
      [
        { HLCOPY_PASSPRASE: "a secret" },
        ["config", "set", "risk.maxLeverage", "3"],
        "hint: did you mean HLCOPY_PASSPHRASE? (rename it: unset HLCOPY_PASSPRASE)",
      ],
      [
        { HLCOPY_FOO: "1" },
        ["config", "path"],
        "hint: hlcopy reads HLCOPY_CONFIG_DIR, HLCOPY_ACCOUNT, HLCOPY_PASSPHRASE_FILE, HLCOPY_PASSPHRASE, HLCOPY_AGENT_KEY, HLCOPY_LOCK_DIR (hlcopy --help); unset HLCOPY_FOO",
      ],
    ];
    for (const [vars, args, hint] of cases) {
      const dir = tempDir();
      const name = Object.keys(vars)[0];
      const r = await runCli(args, { env: { HLCOPY_CONFIG_DIR: dir, ...vars } });
      expect(r.code, `${name}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toBe(
        `error: ${name} is set, but hlcopy reads no such variable: it would do nothing\n${hint}\n`,
      );
      // The value is never shown (a passphrase under a mistyped name).
      expect(r.stderr).not.toContain("a secret");
      expect(r.stdout).toBe("");
      expect(readdirSync(dir)).toEqual([]);
    }
  });

  it("those it reads are taken (HLCOPY_BIN too: the cron script's, in the environment hlcopy runs in)", async () => {
    const dir = tempDir();
    const r = await runCli(["config", "path"], { env: { HLCOPY_CONFIG_DIR: dir, HLCOPY_BIN: "hlcopy" } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`${dir}/config.json`);
  });
});

describe("a config directory that is a file", () => {
  // HLCOPY_CONFIG_DIR=…/config.json (the file meant) read as no config: every command ran on
  // the defaults, a cap the trader had set unread; config set ended on mkdir's EEXIST, exit 1.
  it("is exit 2 naming where it came from and the directory meant; the file is untouched", async () => {
    const dir = tempDir();
    const file = join(dir, "config.json");
    writeFileSync(file, JSON.stringify({ risk: { maxLeverage: 2 } }));
    const viaEnv = await runCli(["config", "get", "risk.maxLeverage"], { env: { HLCOPY_CONFIG_DIR: file } });
    expect(viaEnv.code, viaEnv.stdout).toBe(2);
    expect(viaEnv.stderr).toBe(
      `error: HLCOPY_CONFIG_DIR ${file} is a file, not a directory: the config directory holds config.json\n` +
        `hint: give the directory that holds it: HLCOPY_CONFIG_DIR=${dir}\n`,
    );
    const viaFlag = await runCli(["--config-dir", file, "config", "set", "risk.maxLeverage", "3"]);
    expect(viaFlag.code, viaFlag.stderr).toBe(2);
    expect(viaFlag.stderr).toBe(
      `error: --config-dir ${file} is a file, not a directory: the config directory holds config.json\n` +
        `hint: give the directory that holds it: --config-dir ${dir}\n`,
    );
    const other = join(dir, "notes.txt");
    writeFileSync(other, "x");
    const status = await runCli(["--account", ACCOUNT, "status"], { env: { HLCOPY_CONFIG_DIR: other } });
    expect(status.code).toBe(2);
    expect(status.stderr).toMatch(
      /\nhint: give a directory \(hlcopy creates it\), or unset HLCOPY_CONFIG_DIR to use ~\/\.config\/hlcopy\n$/,
    );
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({ risk: { maxLeverage: 2 } });
    expect(readdirSync(dir).sort()).toEqual(["config.json", "notes.txt"]);
    // The directory itself is the config directory, as always.
    const ok = await runCli(["config", "get", "risk.maxLeverage"], { env: { HLCOPY_CONFIG_DIR: dir } });
    expect(ok.stdout.trim()).toBe("2");
  });
});
