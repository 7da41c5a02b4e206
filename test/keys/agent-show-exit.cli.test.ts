// `hlcopy agent show` exits as follow and reconcile refuse to start: 2 for every state that is
// not "approved" — the master key given as the agent key, an agent never approved — with the
// document (`approved: false`, and why in `refusal`) on stdout and, in text, one error line and
// a hint on stderr.
// The real binary against its own simulator.

import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { startSim } from "../../src/sim/index.js";
import { agentKeystorePath, encryptKeystore, writeKeystore } from "../../src/store/keystore.js";
import { masterWithAgent } from "../exchange/helpers.js";
import { runCli, tempDir } from "../helpers/cli.js";

describe("agent show's exit code", () => {
  it("is 2 for the master key (REFUSED), as for an agent never approved; 0 for an approved one", {
    timeout: 60_000,
  }, async () => {
    const sim = await startSim({ seed: 97, tickMs: 0 });
    try {
      const { master, agentKey } = await masterWithAgent(sim, 10_000);
      const show = (key: string, json = false) =>
        runCli(
          [
            "--network",
            sim.httpUrl,
            "--account",
            master.address,
            ...(json ? ["--json"] : []),
            "agent",
            "show",
          ],
          {
            env: { HLCOPY_CONFIG_DIR: tempDir(), HLCOPY_LOCK_DIR: tempDir(), HLCOPY_AGENT_KEY: key },
          },
        );

      const text = await show(master.key);
      expect(text.code).toBe(2);
      expect(text.stdout).toContain("approved     REFUSED: this is your master key, not an agent\n");
      // What follow and reconcile say of it: one error line, one hint, never the key.
      const said = text.stderr.split("\n").filter(Boolean);
      expect(said).toHaveLength(2);
      expect(said[0]).toMatch(
        /^error: refusing this key: its address is the account you trade, 0x[0-9a-f]{40}: /,
      );
      expect(said[1]).toMatch(/^hint: .*hlcopy agent generate, then hlcopy agent approve$/);
      expect(`${text.stdout}${text.stderr}`).not.toContain(master.key.slice(2));

      const json = await show(master.key, true);
      expect(json.code).toBe(2);
      expect(json.stderr).toBe("");
      // Why, as the text's error and hint: "approved: false" alone read as an approval to give.
      const doc = JSON.parse(json.stdout);
      expect(doc).toMatchObject({ type: "agent", approved: false });
      expect(doc.refusal).toEqual({
        reason: said[0]?.slice("error: ".length),
        hint: said[1]?.slice("hint: ".length),
      });
      expect(json.stdout).not.toContain(master.key.slice(2));

      // The other states that are not "approved" exit 2 as well; an approved agent exits 0.
      const never = await show(generatePrivateKey());
      expect(never.code).toBe(2);
      expect(never.stdout).toContain("approved     no\n");
      const neverJson = JSON.parse((await show(generatePrivateKey(), true)).stdout);
      expect(neverJson.refusal).toMatchObject({
        reason: expect.stringMatching(/^agent 0x[0-9a-f]{40} is not approved for 0x[0-9a-f]{40}: /),
        hint: expect.stringMatching(/^approve it: hlcopy .*agent approve/),
      });
      const approved = await show(agentKey);
      expect(approved.code, approved.stderr).toBe(0);
      expect(approved.stdout).toContain("approved     yes\n");
      expect(JSON.parse((await show(agentKey, true)).stdout)).toMatchObject({
        approved: true,
        refusal: null,
      });
    } finally {
      await sim.close();
    }
  });
  it("--account given the agent's own address is named as the agent of its master, not as the master key; the hint gives the master", {
    timeout: 60_000,
  }, async () => {
    const sim = await startSim({ seed: 98, tickMs: 0 });
    try {
      const { master, agentKey } = await masterWithAgent(sim, 10_000);
      const agent = privateKeyToAddress(agentKey).toLowerCase();
      // The key from HLCOPY_AGENT_KEY, and from a keystore in the config directory (as the
      // tester had it: agent show reads the keystore's address field, no passphrase).
      const withKeystore = tempDir();
      await writeKeystore(
        agentKeystorePath(withKeystore),
        await encryptKeystore(agentKey, "fixture pass phrase", { scryptN: 1024 }),
      );
      for (const env of [
        { HLCOPY_CONFIG_DIR: tempDir(), HLCOPY_AGENT_KEY: agentKey },
        { HLCOPY_CONFIG_DIR: withKeystore },
      ]) {
        const show = (json = false) =>
          runCli(
            ["--network", sim.httpUrl, "--account", agent, ...(json ? ["--json"] : []), "agent", "show"],
            {
              env: { HLCOPY_LOCK_DIR: tempDir(), ...env },
            },
          );
        const text = await show();
        expect(text.code, text.stderr).toBe(2);
        expect(text.stdout).toContain(
          `approved     REFUSED: the account is this agent's own address (an API wallet of ${master.address.toLowerCase()}), not a trading account\n`,
        );
        expect(text.stdout).not.toContain("master key");
        // Word for word what reconcile and follow say of it (engine/start-checks.ts).
        expect(text.stderr).toBe(
          `error: ${agent} is an API wallet (agent) of ${master.address.toLowerCase()}, not a trading account\n` +
            `hint: --account takes the master account the agent trades for: --account ${master.address.toLowerCase()} (or hlcopy config set account ${master.address.toLowerCase()})\n`,
        );
        expect(`${text.stdout}${text.stderr}`).not.toContain(agentKey.slice(2));
        const json = await show(true);
        expect(json.code).toBe(2);
        expect(json.stderr).toBe("");
        expect(JSON.parse(json.stdout)).toMatchObject({
          type: "agent",
          approved: false,
          refusal: {
            reason: `${agent} is an API wallet (agent) of ${master.address.toLowerCase()}, not a trading account`,
            hint: `--account takes the master account the agent trades for: --account ${master.address.toLowerCase()} (or hlcopy config set account ${master.address.toLowerCase()})`,
          },
        });
      }
    } finally {
      await sim.close();
    }
  });
});
