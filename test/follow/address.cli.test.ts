// Addresses are checked like wallets check them, by one parser, wherever hlcopy reads one:
// all lower case, all upper case or a matching EIP-55 checksum; a checksum typo is exit 2.

import { readdirSync } from "node:fs";
import { getAddress } from "viem";
import { describe, expect, it } from "vitest";
import { addressProblem } from "../../src/core/address.js";
import { runCli, tempDir } from "../helpers/cli.js";

const LOWER = "0x5e9ee1089755c3435139848e47e6635505d5a13a";
const CHECKSUMMED = getAddress(LOWER);
/** The checksummed form with the case of its first letter flipped: a typo. */
const TYPO = (() => {
  const i = CHECKSUMMED.slice(2).search(/[a-fA-F]/) + 2;
  const c = CHECKSUMMED[i] ?? "";
  const flipped = c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase();
  return `${CHECKSUMMED.slice(0, i)}${flipped}${CHECKSUMMED.slice(i + 1)}`;
})();

describe("one address parser", () => {
  it("accepts lower, upper and checksummed; refuses a checksum typo and a bad format", () => {
    expect(CHECKSUMMED).not.toBe(LOWER);
    expect(addressProblem(LOWER)).toBeNull();
    expect(addressProblem(`0x${LOWER.slice(2).toUpperCase()}`)).toBeNull();
    expect(addressProblem(CHECKSUMMED)).toBeNull();
    expect(addressProblem(TYPO)).toBe("checksum");
    expect(addressProblem("0x123")).toBe("format");
  });

  it("a leader address with a checksum typo: exit 2, one error line and a hint, nothing written", async () => {
    const dir = tempDir();
    const r = await runCli(
      [
        "--network",
        "http://127.0.0.1:9",
        "--account",
        LOWER.replace("5e", "6e"),
        "follow",
        TYPO,
        "--dry-run",
      ],
      {
        env: { HLCOPY_CONFIG_DIR: dir },
      },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(
        `^error: invalid leader address "${TYPO}": its mixed-case checksum \\(EIP-55\\) does not match.*\\nhint: copy the leader's address from the explorer or leaderboard[^\\n]* — or, if you are sure of it, give it all in lower case\\n$`,
      ),
    );
    const reconcile = await runCli(
      [
        "--network",
        "http://127.0.0.1:9",
        "--account",
        LOWER.replace("5e", "6e"),
        "reconcile",
        TYPO,
        "--dry-run",
      ],
      {
        env: { HLCOPY_CONFIG_DIR: dir },
      },
    );
    expect(reconcile.code).toBe(2);
    expect(reconcile.stderr).toContain("checksum (EIP-55) does not match");
    expect(readdirSync(dir)).toEqual([]);
  });

  it("--account, HLCOPY_ACCOUNT and config set account refuse it too; the valid forms pass", async () => {
    const dir = tempDir();
    const flag = await runCli(["--account", TYPO, "status"], { env: { HLCOPY_CONFIG_DIR: dir } });
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/^error: invalid account address ".*": its mixed-case checksum/);
    expect(flag.stderr).toMatch(/\nhint: pass --account 0x…/);
    const env = await runCli(["status"], { env: { HLCOPY_CONFIG_DIR: dir, HLCOPY_ACCOUNT: TYPO } });
    expect(env.code).toBe(2);
    // The hint names where the address came from: the variable is what to correct.
    expect(env.stderr).toMatch(/\nhint: it comes from HLCOPY_ACCOUNT: /);
    const set = await runCli(["config", "set", "account", TYPO], { env: { HLCOPY_CONFIG_DIR: dir } });
    expect(set.code).toBe(2);
    expect(set.stderr).toMatch(/^error: .*account.*\nhint: /);
    for (const ok of [LOWER, CHECKSUMMED, `0x${LOWER.slice(2).toUpperCase()}`]) {
      const r = await runCli(["--account", ok, "status"], { env: { HLCOPY_CONFIG_DIR: dir } });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(LOWER);
    }
  });
});

// A new user's slips along the README's path: the 0x left off, a blank caught by the copy, the
// address typed in two groups (two arguments to the shell). Each is said with the address meant
// as the hint's next step — before, the hint was the generic "copy the leader's address from the
// explorer", and init's --account one sent the trader to `config set account`.
describe("an address with one slip: the hint gives the address meant", () => {
  const net = ["--network", "http://127.0.0.1:9"];
  const account = ["--account", LOWER.replace("5e", "6e")];
  const cases: { args: string[]; why: string }[] = [
    { args: ["reconcile", LOWER.slice(2), "--dry-run"], why: "an address starts with 0x" },
    { args: ["follow", `${LOWER} `, "--dry-run"], why: "without the spaces around it" },
    // Copied from JSON (or quoted twice in a script): the hint was the generic one.
    { args: ["follow", `"${LOWER}"`, "--dry-run"], why: "without the quotes" },
    {
      args: ["follow", LOWER.slice(0, 20), LOWER.slice(20), "--dry-run"],
      why: "one address typed with a space",
    },
    {
      args: ["reconcile", LOWER.slice(0, 41), LOWER.slice(41), "--dry-run"],
      why: "one address typed with a space",
    },
    { args: ["inspect", LOWER.slice(0, 30), LOWER.slice(30)], why: "one address typed with a space" },
    { args: ["scan", LOWER.slice(0, 10), LOWER.slice(10)], why: "one address typed with a space" },
  ];
  for (const { args, why } of cases) {
    it(`${args.join(" ")}: exit 2, hint "did you mean ${LOWER}?"`, async () => {
      const dir = tempDir();
      // scan refuses --account (it judges at --equity, never the account's value).
      const who = args[0] === "scan" ? [] : account;
      const r = await runCli([...net, ...who, ...args], { env: { HLCOPY_CONFIG_DIR: dir } });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^error: [^\n]+\nhint: [^\n]+\n$/);
      expect(r.stderr).toContain(`hint: did you mean ${LOWER}? (${why}`);
      expect(readdirSync(dir)).toEqual([]);
    });
  }

  it("two leaders in one argument (a comma list, or quoted together): the hint says to give each as its own", async () => {
    const other = LOWER.replace("5e", "7e");
    for (const one of [`${LOWER},${other}`, `${LOWER} ${other}`, `${LOWER}, ${other}`]) {
      const dir = tempDir();
      const r = await runCli([...net, ...account, "follow", one, "--dry-run"], {
        env: { HLCOPY_CONFIG_DIR: dir },
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        `error: invalid leader address "${one}": expected 0x followed by 40 hex digits\nhint: that is 2 addresses in one argument: give each as an argument of its own, separated by a space (${LOWER} ${other})\n`,
      );
      expect(readdirSync(dir)).toEqual([]);
    }
  });

  it("reconcile with two leaders (two arguments or one comma list): refused naming follow, which copies several", async () => {
    const other = LOWER.replace("5e", "7e");
    const hint = `several leaders are copied together by hlcopy follow ${LOWER} ${other} (--weights to share the account unevenly); a reconcile per leader would size the account to each alone and close the others' copies`;
    for (const leaders of [[LOWER, other], [`${LOWER},${other}`]]) {
      const dir = tempDir();
      const r = await runCli([...net, ...account, "reconcile", ...leaders, "--dry-run"], {
        env: { HLCOPY_CONFIG_DIR: dir },
      });
      expect(r.code, leaders.join(" ")).toBe(2);
      // Not "give each as an argument of its own" (then: too many arguments), nor commander's usage alone.
      expect(r.stderr).toBe(
        `error: reconcile copies one leader, and 2 are given (${LOWER} ${other})\nhint: ${hint}\n`,
      );
      expect(readdirSync(dir)).toEqual([]);
    }
    const twice = await runCli([...net, ...account, "reconcile", LOWER, LOWER, "--dry-run"], {
      env: { HLCOPY_CONFIG_DIR: tempDir() },
    });
    expect(twice.code).toBe(2);
    expect(twice.stderr).toBe("error: the same leader is given twice\nhint: list it once\n");
  });

  it("init --account without its 0x: the --account hint, nothing written", async () => {
    const dir = tempDir();
    const r = await runCli([...net, "--account", CHECKSUMMED.slice(2), "init"], {
      env: { HLCOPY_CONFIG_DIR: dir },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `error: invalid account address "${CHECKSUMMED.slice(2)}": expected 0x followed by 40 hex digits\nhint: did you mean ${CHECKSUMMED}? (an address starts with 0x)\n`,
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it("no fix is guessed where none gives an address (a digit missing)", async () => {
    const r = await runCli([...net, ...account, "reconcile", LOWER.slice(0, 41), "--dry-run"], {
      env: { HLCOPY_CONFIG_DIR: tempDir() },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("hint: copy the leader's address from the explorer or leaderboard");
  });
});
