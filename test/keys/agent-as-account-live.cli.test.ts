// A live start (reconcile, follow) with --account given the agent's own address: the key's
// address is the account, which offline reads as "the account's own master key" too. The start
// asks the exchange (userRole) and says it as `agent show` and the dry run's checks do — the
// account is an API wallet of its master, and the --account to give (engine/start-checks.ts
// agentAsAccountRefusal) —, exit 2, nothing sent. A real master key given as its own account is
// still refused as the master key. The real binary against its own simulator.

import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { startSim } from "../../src/sim/index.js";
import { agentKeystorePath, encryptKeystore, writeKeystore } from "../../src/store/keystore.js";
import { masterWithAgent } from "../exchange/helpers.js";
import { runCli, tempDir } from "../helpers/cli.js";

const LEADER = privateKeyToAddress(generatePrivateKey()).toLowerCase();
const PASS = "fixture pass phrase";

describe("a live start with --account given the agent's own address", () => {
  it("is said as an API wallet of its master with the --account to give (as agent show says it), not as the master key; exit 2, nothing sent", {
    timeout: 90_000,
  }, async () => {
    const sim = await startSim({ seed: 99, tickMs: 0 });
    try {
      const { master, agentKey } = await masterWithAgent(sim, 10_000);
      const agent = privateKeyToAddress(agentKey).toLowerCase() as `0x${string}`;
      const m = master.address.toLowerCase();
      // The key from HLCOPY_AGENT_KEY; from a keystore with its address field (read before the
      // passphrase); from one without it (opened first, with HLCOPY_PASSPHRASE).
      const withField = tempDir();
      await writeKeystore(
        agentKeystorePath(withField),
        await encryptKeystore(agentKey, PASS, { scryptN: 1024 }),
      );
      const withoutField = tempDir();
      const { address: _field, ...bare } = await encryptKeystore(agentKey, PASS, { scryptN: 1024 });
      await writeKeystore(agentKeystorePath(withoutField), bare);
      const envs = [
        { HLCOPY_CONFIG_DIR: tempDir(), HLCOPY_AGENT_KEY: agentKey },
        { HLCOPY_CONFIG_DIR: withField, HLCOPY_PASSPHRASE: PASS },
        { HLCOPY_CONFIG_DIR: withoutField, HLCOPY_PASSPHRASE: PASS },
      ];
      const commands = [
        ["reconcile", LEADER, "--mode", "fixed-ratio", "--ratio", "0.1", "--yes"],
        ["follow", LEADER, "--no-ui", "--yes", "--mode", "fixed-ratio", "--ratio", "0.1"],
      ];
      for (const env of envs) {
        for (const command of commands) {
          const r = await runCli(["--network", sim.httpUrl, "--account", agent, ...command], {
            env: { HLCOPY_LOCK_DIR: tempDir(), ...env },
          });
          const what = `${command[0]} with ${Object.keys(env).join(", ")}`;
          expect(r.code, `${what}: ${r.stderr}`).toBe(2);
          expect(r.stderr, what).toBe(
            `error: ${agent} is an API wallet (agent) of ${m}, not a trading account\n` +
              `hint: --account takes the master account the agent trades for: --account ${m} (or hlcopy config set account ${m})\n`,
          );
          expect(`${r.stdout}${r.stderr}`).not.toContain(agentKey.slice(2));
        }
      }
      expect(sim.control.orderHistory(agent)).toEqual([]);
      expect(sim.control.orderHistory(master.address)).toEqual([]);
    } finally {
      await sim.close();
    }
  });

  it("a master key given as its own account is still refused as the master key (the exchange knows it as a user)", {
    timeout: 60_000,
  }, async () => {
    const sim = await startSim({ seed: 100, tickMs: 0 });
    try {
      const { master } = await masterWithAgent(sim, 10_000);
      const r = await runCli(
        ["--network", sim.httpUrl, "--account", master.address, "reconcile", LEADER, "--yes"],
        { env: { HLCOPY_CONFIG_DIR: tempDir(), HLCOPY_LOCK_DIR: tempDir(), HLCOPY_AGENT_KEY: master.key } },
      );
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(
        /^error: refusing this key: its address is the account you trade, 0x[0-9a-fA-F]{40}: /,
      );
      expect(r.stderr).not.toContain(master.key.slice(2));
    } finally {
      await sim.close();
    }
  });
});
