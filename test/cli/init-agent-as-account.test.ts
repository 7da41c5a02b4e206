// The agent's address given as the account (the two addresses mixed up, the commonest first-run
// slip) was saved by init and config set without a word, and found only when a run refused the
// key. The agent hlcopy already holds is known offline, without the passphrase: refused at once,
// exit 2, nothing written.

import { chmodSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { agentKeystorePath, encryptKeystore, writeKeystore } from "../../src/store/keystore.js";
import { runCli, tempDir } from "../helpers/cli.js";

const MASTER = privateKeyToAddress(generatePrivateKey()).toLowerCase();

async function withKeystore(): Promise<{ dir: string; agent: string }> {
  const dir = tempDir();
  const key = generatePrivateKey();
  await writeKeystore(
    agentKeystorePath(dir),
    await encryptKeystore(key, "fixture pass phrase", { scryptN: 1024 }),
  );
  return { dir, agent: privateKeyToAddress(key).toLowerCase() };
}

describe("the agent's address given as the account", () => {
  it("init refuses the keystore's agent: exit 2, no config written", async () => {
    const { dir, agent } = await withKeystore();
    const r = await runCli(["--config-dir", dir, "--network", "testnet", "--account", agent, "init"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `error: ${agent} is your agent's address (the key in the keystore), not your master account\nhint: give the master address that holds the funds, which the agent trades for: hlcopy --account 0xYourMaster… init\n`,
    );
    expect(existsSync(join(dir, "config.json"))).toBe(false);
  });

  it("init refuses HLCOPY_AGENT_KEY's agent; config set account refuses the keystore's", async () => {
    const key = generatePrivateKey();
    const agent = privateKeyToAddress(key).toLowerCase();
    const dir = tempDir();
    const r = await runCli(["--config-dir", dir, "--network", "testnet", "--account", agent, "init"], {
      env: { HLCOPY_AGENT_KEY: key },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is your agent's address \(HLCOPY_AGENT_KEY's key\)/);
    expect(r.stderr).not.toContain(key.slice(2));
    const held = await withKeystore();
    const set = await runCli(["--config-dir", held.dir, "config", "set", "account", held.agent]);
    expect(set.code).toBe(2);
    expect(set.stderr).toMatch(
      /^error: .* is your agent's address .*\nhint: .*hlcopy config set account 0xYourMaster…\n$/,
    );
    expect(existsSync(join(held.dir, "config.json"))).toBe(false);
  });

  it("still refused where a run would refuse the keystore before opening it (other users may read it, HLCOPY_PASSPHRASE set but empty): the address is a plain field", async () => {
    // Through the run's own read of the agent's address those read as "no agent": exit 0, the
    // agent's address saved as the account.
    for (const [mode, env] of [
      [0o644, {}],
      [0o600, { HLCOPY_PASSPHRASE: "" }],
    ] as const) {
      const { dir, agent } = await withKeystore();
      chmodSync(agentKeystorePath(dir), mode);
      const set = await runCli(["--config-dir", dir, "config", "set", "account", agent], { env });
      expect(set.code, set.stderr).toBe(2);
      expect(set.stderr).toMatch(
        /^error: 0x[0-9a-f]{40} is your agent's address \(the key in the keystore\), not your master account\n/,
      );
      const init = await runCli(["--config-dir", dir, "--network", "testnet", "--account", agent, "init"], {
        env,
      });
      expect(init.code, init.stderr).toBe(2);
      expect(existsSync(join(dir, "config.json"))).toBe(false);
    }
  });

  it("the master address is saved as before", async () => {
    const { dir } = await withKeystore();
    const r = await runCli(["--config-dir", dir, "--network", "testnet", "--account", MASTER, "init"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "config.json"), "utf8")).account).toBe(MASTER);
  });
});
