// `hlcopy agent approve` asks two secrets — the keystore's passphrase, then the master key — with
// seconds of work before and between them (the account's role read on a slow network, the
// passphrase's key derivation). A master key pasted before its question is asked must never
// show in clear on the terminal: echo stays off from the command's start to its last question,
// and what was typed ahead is discarded unseen (the question says so). The real binary on
// util-linux `script`'s pseudo-terminal, against the simulator.

import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterEach, describe, expect, it } from "vitest";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { agentKeystorePath, encryptKeystore, writeKeystore } from "../../src/store/keystore.js";
import { eventually, fundedAccount } from "../exchange/helpers.js";
import { tempDir } from "../helpers/cli.js";
import { hasScript, onTerminal } from "../helpers/terminal.js";

const sims: SimHandle[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

const PASS = "lantern-quarry-58-ember";

/** A funded master, an agent key in a keystore not yet approved: `agent approve`'s arguments. */
async function world(scryptN: number) {
  const sim = await startSim({ seed: 31, tickMs: 0 });
  sims.push(sim);
  const master = fundedAccount(sim, 10_000);
  const agentKey = generatePrivateKey();
  const configDir = tempDir();
  await writeKeystore(agentKeystorePath(configDir), await encryptKeystore(agentKey, PASS, { scryptN }));
  const env = { HLCOPY_CONFIG_DIR: configDir, HLCOPY_LOCK_DIR: tempDir("hlcopy-locks-") };
  const args = ["--network", sim.httpUrl, "--account", master.address, "agent", "approve"];
  const agent = privateKeyToAccount(agentKey).address.toLowerCase();
  return { sim, env, args, masterKey: master.key, agent };
}

const MASTER_QUESTION = /Master private key of .*: $/;

describe("agent approve on a terminal: the master key typed ahead", () => {
  it.skipIf(!hasScript)(
    "while the account is read: not echoed, discarded with a note; typed at its question it approves",
    { timeout: 90_000 },
    async () => {
      const w = await world(1024);
      // Every request held back: the role read is still waiting when the key is pasted.
      w.sim.control.fault({ kind: "latency", ms: 4_000 });
      const t = onTerminal(w.args, { ...w.env, HLCOPY_PASSPHRASE: PASS });
      // The command is reading the account's role (the latency holds the request): paste now.
      await eventually(() => (w.sim.control.stats().infoByType.userRole ?? 0) > 0, 30_000);
      t.type(`${w.masterKey}\r`);
      w.sim.control.fault({ kind: "latency", ms: 0 });
      await eventually(() => MASTER_QUESTION.test(t.screen()), 60_000);
      // A terminal echoing as usual shows a paste at once, long before the question.
      expect(t.screen()).not.toContain(w.masterKey.slice(2));
      expect(t.screen()).toContain(
        `(what was typed before this question — ${w.masterKey.length + 1} characters — was not shown and is discarded: type the master private key now)`,
      );
      t.type(`${w.masterKey}\r`);
      expect(await t.exit, t.screen()).toBe(0);
      expect(t.screen()).toContain(`Approved agent ${w.agent}`);
      expect(t.screen()).not.toContain(w.masterKey.slice(2));
    },
  );

  it.skipIf(!hasScript)(
    "while the passphrase's key is derived: not echoed; the master key is asked for again",
    { timeout: 120_000 },
    async () => {
      // A slow key derivation (as a real keystore's on a slow machine): the key is pasted
      // right after the passphrase, while it runs.
      const w = await world(2 ** 18);
      const t = onTerminal(w.args, w.env);
      await eventually(() => /Passphrase for .*: $/.test(t.screen()), 60_000);
      t.type(`${PASS}\r`);
      t.type(`${w.masterKey}\r`);
      await eventually(() => MASTER_QUESTION.test(t.screen()), 90_000);
      expect(t.screen()).not.toContain(w.masterKey.slice(2));
      // Pasted during the derivation (the usual case) — or in one chunk with the passphrase — it
      // was discarded and the question says so; pasted after the question showed, it is the
      // answer: either way never echoed.
      if (t.screen().includes("was not shown and is discarded")) t.type(`${w.masterKey}\r`);
      expect(await t.exit, t.screen()).toBe(0);
      expect(t.screen()).toContain(`Approved agent ${w.agent}`);
      expect(t.screen()).not.toContain(w.masterKey.slice(2));
    },
  );
});
