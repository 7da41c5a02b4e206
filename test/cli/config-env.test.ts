// `hlcopy config get account` and `config list` with HLCOPY_ACCOUNT set: every run uses the
// variable's account (it beats the config file), and both showed the file's as if it acted.
// They show the value a run takes and where it comes from, in text and --json.
import { describe, expect, it } from "vitest";
import { runCli, tempDir } from "../helpers/cli.js";

const SAVED = "0x1111111111111111111111111111111111111111";
const VARIABLE = "0x2222222222222222222222222222222222222222";

describe("config get and list with an environment variable over the file", () => {
  it("show HLCOPY_ACCOUNT's account, source env, beside the file's", async () => {
    const dir = tempDir();
    const cli = (args: string[], env: NodeJS.ProcessEnv = { HLCOPY_ACCOUNT: VARIABLE }) =>
      runCli(["--config-dir", dir, ...args], { env });
    expect((await cli(["config", "set", "account", SAVED], {})).code).toBe(0);

    const get = await cli(["--json", "config", "get", "account"]);
    expect(get.code).toBe(0);
    expect(JSON.parse(get.stdout)).toMatchObject({
      type: "config",
      key: "account",
      value: VARIABLE,
      source: "env",
      variable: "HLCOPY_ACCOUNT",
      configValue: SAVED,
    });
    // Text: the value alone on stdout (scripts read it), where it comes from on stderr.
    const text = await cli(["config", "get", "account"]);
    expect(text.stdout).toBe(`${VARIABLE}\n`);
    expect(text.stderr).toBe(
      `note: from HLCOPY_ACCOUNT, which beats the config file's ${SAVED} in every run\n`,
    );

    const list = await cli(["--json", "config", "list"]);
    const rows = JSON.parse(list.stdout) as Record<string, unknown>[];
    expect(rows.find((r) => r.key === "account")).toMatchObject({
      value: VARIABLE,
      source: "env",
      variable: "HLCOPY_ACCOUNT",
      configValue: SAVED,
    });
    const listed = (await cli(["config", "list"])).stdout.split("\n").find((l) => l.startsWith("account ="));
    expect(listed).toBe(
      `account = ${VARIABLE}   (HLCOPY_ACCOUNT, which beats the config file's ${SAVED} in every run; default none)`,
    );

    // Without the variable: the file's, as before (checked before unset takes it away).
    expect(JSON.parse((await cli(["--json", "config", "get", "account"], {})).stdout)).toMatchObject({
      value: SAVED,
      source: "config",
    });
    // unset: what runs take now is still the variable's, not the default.
    expect(JSON.parse((await cli(["--json", "config", "unset", "account"])).stdout)).toMatchObject({
      value: VARIABLE,
      source: "env",
      configValue: null,
    });
  });

  it("a variable every run refuses is shown as set, with why (a private key never shown)", async () => {
    const dir = tempDir();
    const key = `0x${"ab".repeat(32)}`;
    const r = await runCli(["--config-dir", dir, "--json", "config", "get", "account"], {
      env: { HLCOPY_ACCOUNT: key },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("abab");
    expect(JSON.parse(r.stdout)).toMatchObject({
      source: "env",
      configValue: null,
      warning: expect.stringMatching(/^every run refuses HLCOPY_ACCOUNT: /),
    });
    const bad = await runCli(["--config-dir", dir, "config", "get", "account"], {
      env: { HLCOPY_ACCOUNT: "0x12" },
    });
    expect(bad.stdout).toBe("0x12\n");
    expect(bad.stderr).toMatch(/^warning: every run refuses HLCOPY_ACCOUNT: invalid account address "0x12"/m);
    expect(bad.stderr).toMatch(/^hint: it comes from HLCOPY_ACCOUNT/m);
  });
});
