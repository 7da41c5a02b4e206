// HLCOPY_ACCOUNT is --account's variable for init as for every command: init read only the flag,
// so with the variable set it refused "init needs --account" (or asked again at a terminal) and
// saved an account the variable then overrode in every run, without a word. Saving or storing an
// account the variable overrides is said (a setting that is accepted must act).

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempDir } from "../helpers/cli.js";

const MASTER = "0xfd8c70b5a5d11ab9d250ae5e89369f6727af35dd";
const OTHER = "0xf33c679cf8415eb05d0663abf19b0a2ef7fb7fb8";

function savedAccount(dir: string): unknown {
  return (JSON.parse(readFileSync(join(dir, "config.json"), "utf8")) as { account?: unknown }).account;
}

describe("init and HLCOPY_ACCOUNT", () => {
  it("takes the account from HLCOPY_ACCOUNT when --account is not given", async () => {
    const dir = tempDir();
    const r = await runCli(["--config-dir", dir, "--network", "testnet", "init"], {
      env: { HLCOPY_ACCOUNT: MASTER },
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(savedAccount(dir)).toBe(MASTER);
  });

  it("a bad HLCOPY_ACCOUNT is exit 2 naming the variable, and nothing is written", async () => {
    const dir = tempDir();
    const r = await runCli(["--config-dir", dir, "--network", "testnet", "init"], {
      env: { HLCOPY_ACCOUNT: "0x12" },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: invalid account address "0x12".*\nhint: it comes from HLCOPY_ACCOUNT/);
    expect(() => readFileSync(join(dir, "config.json"))).toThrow();
  });

  it("--account beats the variable, and saving an account the variable overrides is said", async () => {
    const dir = tempDir();
    const r = await runCli(["--config-dir", dir, "--network", "testnet", "--account", MASTER, "init"], {
      env: { HLCOPY_ACCOUNT: OTHER },
    });
    expect(r.code).toBe(0);
    expect(savedAccount(dir)).toBe(MASTER);
    expect(r.stderr).toMatch(/^warning: HLCOPY_ACCOUNT is set .* instead of the saved account 0xfd8c/);
  });

  it("config set account while HLCOPY_ACCOUNT holds another says it does not act", async () => {
    const dir = tempDir();
    const r = await runCli(["--config-dir", dir, "config", "set", "account", MASTER], {
      env: { HLCOPY_ACCOUNT: OTHER },
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^warning: HLCOPY_ACCOUNT is set .*unset HLCOPY_ACCOUNT/);
    const same = await runCli(["--config-dir", dir, "config", "set", "account", MASTER], {
      env: { HLCOPY_ACCOUNT: MASTER },
    });
    expect(same.stderr).toBe("");
  });
});
