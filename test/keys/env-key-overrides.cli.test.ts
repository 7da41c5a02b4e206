// `agent generate` / `agent import` with HLCOPY_AGENT_KEY set wrote a keystore no command then
// used — follow, reconcile, agent show and agent approve all take the variable's key — and said
// nothing: the "Next, approve it" step approved the variable's agent instead. Said now, with the fix.

import { existsSync } from "node:fs";
import { generatePrivateKey } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { agentKeystorePath } from "../../src/store/keystore.js";
import { runCli, tempDir } from "../helpers/cli.js";

const WARNING =
  /^warning: HLCOPY_AGENT_KEY is set, and every command .* uses its key instead of .*agent-keystore\.json: unset HLCOPY_AGENT_KEY for this keystore to act$/m;

describe("a keystore written while HLCOPY_AGENT_KEY is set", () => {
  it("agent generate says the variable overrides it (text and --json), and never prints the key", async () => {
    const dir = tempDir();
    const key = generatePrivateKey();
    const env = { HLCOPY_AGENT_KEY: key, HLCOPY_PASSPHRASE: "fixture pass phrase" };
    const r = await runCli(["--config-dir", dir, "agent", "generate"], { env, timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    expect(existsSync(agentKeystorePath(dir))).toBe(true);
    expect(r.stderr).toMatch(WARNING);
    expect(r.stdout + r.stderr).not.toContain(key.slice(2));
    const json = await runCli(["--json", "--config-dir", dir, "agent", "generate", "--force"], {
      env,
      timeoutMs: 60_000,
    });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).warning).toMatch(/^HLCOPY_AGENT_KEY is set/);
  });

  it("without the variable, nothing is said", async () => {
    const dir = tempDir();
    const r = await runCli(["--config-dir", dir, "agent", "generate"], {
      env: { HLCOPY_PASSPHRASE: "fixture pass phrase" },
      timeoutMs: 60_000,
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
  });
});
