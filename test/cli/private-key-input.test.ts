// A private key pasted where hlcopy wants an address (or anywhere else on its command line) is
// never printed back: not in the `error:` / `hint:` lines, not in the --json error document
// (scripts append stdout to logs), not with --debug. Where an address is parsed it is named as
// a key: "never paste a key here". The real binary, each with its own config and lock dirs.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runInit } from "../../src/cli/init/run.js";
import { addressProblem, hidePrivateKeys, looksLikePrivateKey } from "../../src/core/address.js";
import { eventually } from "../exchange/helpers.js";
import { runCli, tempDir } from "../helpers/cli.js";
import { Capture, FakeTty } from "../keys/io.js";

// A made-up key (never a funded wallet's): 64 hex digits, mixed case as some wallets export.
const HEX = "2e2c7A4f9b1d3e5c7a9b0d2f4e6a8c1b3d5f7e9a0c2e4b6d8f1a3c5e7b9d8434";
const KEY = `0x${HEX}`;
const LEADER = "0x1111111111111111111111111111111111111111";
const ACCOUNT = "0x2222222222222222222222222222222222222222";

function env() {
  return { HLCOPY_CONFIG_DIR: tempDir(), HLCOPY_LOCK_DIR: tempDir("hlcopy-locks-") };
}

/** Neither stream holds the key's digits, in any case. */
function expectNoKey(text: string): void {
  const lower = text.toLowerCase();
  expect(lower).not.toContain(HEX.toLowerCase());
  // Not a long piece of it either (a key cut short in a message is still most of a key).
  expect(lower).not.toContain(HEX.toLowerCase().slice(8, 40));
}

describe("a private key given as an address is named as one, never shown", () => {
  const NOT_AN_ADDRESS = "looks like a private key, not an address: never paste a key here";
  const cases: [string, string[], Record<string, string>?][] = [
    ["reconcile's leader, --json", ["--json", "reconcile", KEY, "--dry-run"]],
    ["reconcile's leader without 0x", ["reconcile", HEX, "--dry-run"]],
    [
      "follow's second leader",
      ["--network", "testnet", "--account", ACCOUNT, "follow", LEADER, KEY, "--dry-run"],
    ],
    ["inspect's leader", ["inspect", KEY]],
    ["--account", ["--account", KEY, "status"]],
    ["--account, --json", ["--json", "--account", KEY, "status"]],
    ["HLCOPY_ACCOUNT", ["status"], { HLCOPY_ACCOUNT: KEY }],
    ["config set account", ["config", "set", "account", KEY]],
    ["config set account, --json", ["--json", "config", "set", "account", KEY]],
    ["init --account", ["--network", "testnet", "--account", KEY, "init"]],
    ["init --account, --json", ["--json", "--network", "testnet", "--account", KEY, "init"]],
  ];
  for (const [name, args, extra] of cases) {
    it(name, async () => {
      const r = await runCli(args, { env: { ...env(), ...extra }, timeoutMs: 45_000 });
      expect(r.code).toBe(2);
      expect(r.stdout + r.stderr).toContain(NOT_AN_ADDRESS);
      expectNoKey(r.stdout + r.stderr);
    });
  }

  it("an account in the config file that is a key: the same, and with --debug", async () => {
    const e = env();
    mkdirSync(e.HLCOPY_CONFIG_DIR, { recursive: true });
    writeFileSync(join(e.HLCOPY_CONFIG_DIR, "config.json"), JSON.stringify({ account: KEY }));
    const r = await runCli(["--debug", "status"], { env: e, timeoutMs: 45_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(NOT_AN_ADDRESS);
    expectNoKey(r.stdout + r.stderr);
  });
});

describe("a private key anywhere else on the command line is not quoted back", () => {
  const cases: [string, string[]][] = [
    ["as a command", [KEY]],
    ["as a command, --json", ["--json", HEX]],
    ["as an extra argument", ["reconcile", LEADER, KEY, "--dry-run"]],
    ["as an option", ["reconcile", `--${HEX}`]],
    ["as a setting's name", ["config", "set", KEY, "3"]],
    ["as a setting's name, --debug", ["--debug", "config", "get", KEY]],
    ["as a number setting's value", ["config", "set", "risk.maxLeverage", KEY]],
    ["as a coin list", ["config", "set", "risk.allowCoins", KEY]],
    ["as a network", ["--network", KEY, "status"]],
    [
      "as follow's weights",
      ["--account", ACCOUNT, "follow", LEADER, ACCOUNT.replace("2", "3"), "--weights", KEY, "--dry-run"],
    ],
  ];
  for (const [name, args] of cases) {
    it(name, async () => {
      const r = await runCli(args, { env: env(), timeoutMs: 45_000 });
      expect(r.code).toBe(2);
      expect(r.stdout + r.stderr).toMatch(/error|"type":"error"/);
      expectNoKey(r.stdout + r.stderr);
    });
  }
});

describe("the address question of init at a terminal", () => {
  it("a key typed there is never echoed (echo off from its first byte), is named as a key, and the question asked again", async () => {
    const dir = tempDir();
    const tty = new FakeTty();
    const err = Object.assign(new Capture(), { isTTY: true, columns: 80 });
    const out = new Capture();
    const done = runInit({ configDir: dir }, { input: tty, out, err });
    await eventually(() => err.text.includes("Network"));
    tty.write("testnet\r");
    await eventually(() => err.text.includes("master account"));
    // The terminal's echo is off before the first byte of the answer can arrive.
    expect(tty.rawMode).toBe(true);
    tty.write(`${KEY}\r`);
    await eventually(() => err.text.includes("never paste a key here"));
    expect(err.text).toMatch(/ {2}this looks like a private key, not an address/);
    expectNoKey(err.text);
    await eventually(() => err.text.split("master account").length === 3);
    tty.write(`${LEADER}\r`);
    await done;
    expect(out.text).toContain(`account  ${LEADER}`);
    expectNoKey(err.text + out.text);
  });
});

describe("the key shape (core/address.ts)", () => {
  it("64 hex digits, 0x or not, is a key; 40 is an address; 128 (a signature) is neither", () => {
    expect(looksLikePrivateKey(KEY)).toBe(true);
    expect(looksLikePrivateKey(HEX)).toBe(true);
    expect(looksLikePrivateKey(` ${KEY.toUpperCase().replace("0X", "0x")} `)).toBe(true);
    expect(addressProblem(KEY)).toBe("private-key");
    expect(addressProblem(LEADER)).toBeNull();
    expect(looksLikePrivateKey(`${KEY}${HEX}`)).toBe(false);
    expect(hidePrivateKeys(`got '${KEY}', '${HEX}' and --${HEX}`)).not.toContain(HEX.slice(8));
    const signature = `0x${HEX}${HEX}`;
    expect(hidePrivateKeys(signature)).toBe(signature);
    expect(hidePrivateKeys(LEADER)).toBe(LEADER);
  });
});
