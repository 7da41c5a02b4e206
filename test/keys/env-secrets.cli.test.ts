// Secrets from the environment, through the real binary: no environment variable lowers the
// scrypt cost of a keystore the CLI writes (HLCOPY_SCRYPT_N is gone, and refused), and a secret variable
// that is set but empty is an error (exit 2, one error line, one hint), never a silent
// fall-back to the keystore or a prompt. Keystores these tests need are fixtures written with
// a low cost by the test itself: reading any cost is fine, the CLI writing below 2^18 is not.

import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { describe, expect, it } from "vitest";
import {
  agentKeystorePath,
  DEFAULT_SCRYPT_N,
  encryptKeystore,
  writeKeystore,
} from "../../src/store/keystore.js";
import { runCli, tempDir } from "../helpers/cli.js";

const PASS = "fixture pass phrase";
const ACCOUNT = privateKeyToAddress(generatePrivateKey()).toLowerCase();
const LEADER = privateKeyToAddress(generatePrivateKey()).toLowerCase();
/** Nothing listens there: a run that got as far as the network would fail with exit 1. */
const DEAD = "http://127.0.0.1:9";

/** A keystore fixture, fast to write and to open (scrypt n = 1024). */
async function fixtureKeystore(dir: string): Promise<void> {
  await writeKeystore(
    agentKeystorePath(dir),
    await encryptKeystore(generatePrivateKey(), PASS, { scryptN: 1024 }),
  );
}

function expectErrorAndHint(stderr: string, error: string, hint: RegExp): void {
  const lines = stderr.trim().split("\n");
  expect(lines).toHaveLength(2);
  expect(lines[0]).toBe(`error: ${error}`);
  expect(lines[1]).toMatch(hint);
}

describe("no environment variable weakens a keystore", () => {
  it("HLCOPY_SCRYPT_N=2 hlcopy agent generate is refused (no variable sets the cost); the CLI writes n = 262144", {
    timeout: 60_000,
  }, async () => {
    const dir = tempDir();
    const refused = await runCli(["--json", "--account", ACCOUNT, "agent", "generate"], {
      env: { HLCOPY_CONFIG_DIR: dir, HLCOPY_PASSPHRASE: PASS, HLCOPY_SCRYPT_N: "2" },
    });
    // A variable hlcopy does not read is refused (cli/env.ts), never taken and ignored.
    expect(refused.code).toBe(2);
    expect(JSON.parse(refused.stdout)).toMatchObject({
      type: "error",
      message: "HLCOPY_SCRYPT_N is set, but hlcopy reads no such variable: it would do nothing",
    });
    expect(existsSync(agentKeystorePath(dir))).toBe(false);
    const r = await runCli(["--json", "--account", ACCOUNT, "agent", "generate"], {
      env: { HLCOPY_CONFIG_DIR: dir, HLCOPY_PASSPHRASE: PASS },
      timeoutMs: 50_000,
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const written = JSON.parse(readFileSync(agentKeystorePath(dir), "utf8")) as {
      crypto: { kdf: string; kdfparams: { n: number; r: number; p: number; dklen: number } };
    };
    expect(written.crypto.kdf).toBe("scrypt");
    expect(written.crypto.kdfparams).toMatchObject({ n: DEFAULT_SCRYPT_N, r: 8, p: 1, dklen: 32 });
    expect(DEFAULT_SCRYPT_N).toBe(262_144);
  });
});

describe("a secret variable set but empty is an error", () => {
  it("HLCOPY_AGENT_KEY='' on a live reconcile: exit 2, no prompt, no keystore fall-back, nothing written", async () => {
    const dir = tempDir();
    await fixtureKeystore(dir);
    const before = readdirSync(dir).sort();
    // The passphrase is on stdin: falling back to the keystore would open it and go on.
    const r = await runCli(["--network", DEAD, "--account", ACCOUNT, "reconcile", LEADER], {
      env: { HLCOPY_CONFIG_DIR: dir, HLCOPY_AGENT_KEY: "" },
      input: `${PASS}\n`,
    });
    expect(r.code).toBe(2);
    expectErrorAndHint(r.stderr, "HLCOPY_AGENT_KEY is set but empty", /^hint: .*unset HLCOPY_AGENT_KEY/);
    expect(r.stdout).toBe("");
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it("HLCOPY_AGENT_KEY='' on agent show: exit 2 instead of reading the keystore", async () => {
    const dir = tempDir();
    await fixtureKeystore(dir);
    const r = await runCli(["--network", DEAD, "--account", ACCOUNT, "agent", "show"], {
      env: { HLCOPY_CONFIG_DIR: dir, HLCOPY_AGENT_KEY: "" },
    });
    expect(r.code).toBe(2);
    expectErrorAndHint(r.stderr, "HLCOPY_AGENT_KEY is set but empty", /^hint: /);
  });

  it("HLCOPY_PASSPHRASE='' on a live reconcile: exit 2, the keystore is not opened with a prompt", async () => {
    const dir = tempDir();
    await fixtureKeystore(dir);
    const r = await runCli(["--network", DEAD, "--account", ACCOUNT, "reconcile", LEADER], {
      env: { HLCOPY_CONFIG_DIR: dir, HLCOPY_PASSPHRASE: "" },
      input: `${PASS}\n`,
    });
    expect(r.code).toBe(2);
    expectErrorAndHint(r.stderr, "HLCOPY_PASSPHRASE is set but empty", /^hint: .*unset HLCOPY_PASSPHRASE/);
  });

  it("HLCOPY_PASSPHRASE='' on agent generate: exit 2 and no keystore written", async () => {
    const dir = tempDir();
    const r = await runCli(["--account", ACCOUNT, "agent", "generate"], {
      env: { HLCOPY_CONFIG_DIR: dir, HLCOPY_PASSPHRASE: "" },
      input: `${PASS}\n`,
    });
    expect(r.code).toBe(2);
    expectErrorAndHint(r.stderr, "HLCOPY_PASSPHRASE is set but empty", /^hint: /);
    expect(existsSync(agentKeystorePath(dir))).toBe(false);
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });
});

describe("HLCOPY_PASSPHRASE_FILE through the real binary", () => {
  it("an empty file (or one holding a newline) is named with HLCOPY_PASSPHRASE_FILE, not blamed on HLCOPY_PASSPHRASE", async () => {
    const dir = tempDir();
    await fixtureKeystore(dir);
    for (const content of ["", "\n"]) {
      const file = join(tempDir(), "pf");
      writeFileSync(file, content, { mode: 0o600 });
      const r = await runCli(["--network", DEAD, "--account", ACCOUNT, "reconcile", LEADER, "--yes"], {
        env: { HLCOPY_CONFIG_DIR: dir, HLCOPY_PASSPHRASE_FILE: file },
        input: `${PASS}\n`,
      });
      expect(r.code).toBe(2);
      expectErrorAndHint(
        r.stderr,
        `the passphrase file ${file} (HLCOPY_PASSPHRASE_FILE) is empty`,
        /^hint: write the keystore passphrase into .*, or unset HLCOPY_PASSPHRASE_FILE/,
      );
      expect(r.stderr).not.toContain("HLCOPY_PASSPHRASE ");
    }
  });

  it("both HLCOPY_PASSPHRASE and HLCOPY_PASSPHRASE_FILE set: exit 2 saying which to unset, the secret never printed", async () => {
    const dir = tempDir();
    await fixtureKeystore(dir);
    const file = join(tempDir(), "pf");
    writeFileSync(file, `${PASS}\n`, { mode: 0o600 });
    for (const [path, args] of [
      [file, ["reconcile", LEADER, "--yes"]],
      // A file that does not exist: the variable used to win over it without a word.
      [join(tempDir(), "missing"), ["reconcile", LEADER, "--yes"]],
      [file, ["agent", "generate", "--force"]],
    ] as const) {
      const before = readFileSync(agentKeystorePath(dir), "utf8");
      const r = await runCli(["--network", DEAD, "--account", ACCOUNT, ...args], {
        env: { HLCOPY_CONFIG_DIR: dir, HLCOPY_PASSPHRASE_FILE: path, HLCOPY_PASSPHRASE: PASS },
      });
      expect(r.code, args.join(" ")).toBe(2);
      expectErrorAndHint(
        r.stderr,
        "both HLCOPY_PASSPHRASE and HLCOPY_PASSPHRASE_FILE are set: hlcopy uses one",
        /^hint: unset the one you do not mean: unset HLCOPY_PASSPHRASE to read the file, or unset HLCOPY_PASSPHRASE_FILE to use the variable$/,
      );
      expect(`${r.stdout}${r.stderr}`).not.toContain(PASS);
      expect(readFileSync(agentKeystorePath(dir), "utf8")).toBe(before);
    }
  });
});

describe("a new keystore's passphrase is one a prompt can type", () => {
  it("HLCOPY_PASSPHRASE ending in \\r (a .env with Windows line endings): agent generate and import are exit 2, nothing written, the passphrase never shown", async () => {
    const dir = tempDir();
    const file = join(tempDir(), "pf");
    // One trailing newline is the file's own; what is left is a line break no prompt types.
    writeFileSync(file, `${PASS}\n\n`, { mode: 0o600 });
    for (const [env, from, what] of [
      [{ HLCOPY_PASSPHRASE: `${PASS}\r` }, "HLCOPY_PASSPHRASE", "ends in a carriage return (\\r)"],
      [
        { HLCOPY_PASSPHRASE_FILE: file },
        `the file ${file} (HLCOPY_PASSPHRASE_FILE)`,
        "ends in a line break (\\n)",
      ],
    ] as const) {
      for (const args of [
        ["agent", "generate"],
        ["agent", "import"],
      ]) {
        const r = await runCli(["--account", ACCOUNT, ...args], {
          env: { HLCOPY_CONFIG_DIR: dir, ...env },
          input: `${generatePrivateKey()}\n`,
        });
        expect(r.code, `${args.join(" ")} ${from}`).toBe(2);
        expectErrorAndHint(
          r.stderr,
          `the new passphrase from ${from} ${what}, which no passphrase prompt can type: the keystore would open only from there; nothing was written`,
          /^hint: remove it from .* \(a file saved with Windows line endings\?\), then run again$/,
        );
        expect(`${r.stdout}${r.stderr}`).not.toContain(PASS);
        expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
      }
    }
  });
});
