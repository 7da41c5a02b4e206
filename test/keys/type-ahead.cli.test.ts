// A live run asks for the keystore passphrase only after its start checks (seconds on a real
// network). What the trader types meanwhile — a passphrase typed ahead — must not show in clear
// on the terminal: from the moment the run knows it will ask, echo is off; what was typed is
// discarded (the question says so) and the passphrase is typed at the question. Ctrl-C still
// stops the run meanwhile. The real binary on util-linux `script`'s pseudo-terminal, against a
// simulator whose replies are held back so the checks take as long as the test needs.

import { afterEach, describe, expect, it } from "vitest";
import { engineClient } from "../../src/cli/wiring.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { agentKeystorePath, encryptKeystore, writeKeystore } from "../../src/store/keystore.js";
import { action, eventually, fundedAccount, masterWithAgent } from "../exchange/helpers.js";
import { tempDir } from "../helpers/cli.js";
import { hasScript, onTerminal } from "../helpers/terminal.js";

const sims: SimHandle[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

const PASS = "lantern-quarry-58-ember";
const TYPED_AHEAD = "typedahead-secret-71";

async function world() {
  const sim = await startSim({ seed: 29, tickMs: 0 });
  sims.push(sim);
  const f = await masterWithAgent(sim, 10_000);
  const leader = fundedAccount(sim, 1_000_000);
  // The leader holds ETH: the first run's plan has an order, so its review asks.
  const c = engineClient({
    httpUrl: sim.httpUrl,
    wsUrl: sim.wsUrl,
    isTestnet: false,
    account: leader.address,
    agentKey: leader.key,
  });
  const markets = await c.getMarkets();
  const [r] = await c.placeOrders([action(markets, "ETH", "buy", 10)], markets);
  expect(r?.status).toBe("filled");
  const configDir = tempDir();
  await writeKeystore(
    agentKeystorePath(configDir),
    await encryptKeystore(f.agentKey, PASS, { scryptN: 1024 }),
  );
  const env = { HLCOPY_CONFIG_DIR: configDir, HLCOPY_LOCK_DIR: tempDir("hlcopy-locks-") };
  const args = [
    "--network",
    sim.httpUrl,
    "--account",
    f.master.address,
    "follow",
    leader.address,
    "--mode",
    "fixed-ratio",
    "--ratio",
    "0.01",
    "--no-ui",
  ];
  return { sim, env, args, ordersSent: () => sim.control.orderHistory(f.master.address).length };
}

describe("keys typed before the passphrase question", () => {
  it.skipIf(!hasScript)(
    "are not echoed while the start checks run, and are discarded with a note; the passphrase typed at the question opens the key",
    { timeout: 90_000 },
    async () => {
      const w = await world();
      // Every request held back a few seconds: the start checks are still running when the
      // test types (right after the run's start line), as on a slow network.
      w.sim.control.fault({ kind: "latency", ms: 4_000 });
      const t = onTerminal(w.args, w.env);
      // The run has begun (its start line), and waits on the exchange: type ahead now.
      await eventually(() => t.screen().includes("start LIVE"), 30_000);
      t.type(`${TYPED_AHEAD}\r`);
      w.sim.control.fault({ kind: "latency", ms: 0 });
      await eventually(() => /Passphrase for .*: $/.test(t.screen()), 60_000);
      // A terminal in its usual mode would have echoed it at once, long before the question.
      expect(t.screen()).not.toContain(TYPED_AHEAD);
      expect(t.screen()).toContain(
        `(what was typed before this question — ${TYPED_AHEAD.length + 1} characters — was not shown and is discarded: type the passphrase now)`,
      );
      t.type(`${PASS}\r`);
      // The key opened (no "wrong passphrase"): the first run's review asks; no sends nothing.
      await eventually(() => t.screen().includes("[y/N]"), 30_000);
      t.type("n\r");
      expect(await t.exit).toBe(2); // a follow declined at its review did not start
      expect(t.screen()).not.toContain("wrong passphrase");
      expect(t.screen()).not.toContain(PASS);
      expect(t.screen()).toContain("not confirmed: nothing was sent");
      expect(w.ordersSent()).toBe(0);
    },
  );

  it.skipIf(!hasScript)(
    "Ctrl-C during the start checks still stops the run, nothing sent",
    { timeout: 90_000 },
    async () => {
      const w = await world();
      w.sim.control.fault({ kind: "latency", ms: 4_000 });
      const t = onTerminal(w.args, w.env);
      await eventually(() => t.screen().includes("start LIVE"), 30_000);
      t.type("abc\u0003");
      const code = await t.exit;
      // The exit code first: a process killed by a signal from outside (script: 128 + its
      // number) says so, where its cut-short screen would not.
      expect([0, 130], t.screen()).toContain(code);
      expect(t.screen()).toMatch(/stopped by SIGINT|interrupted/);
      expect(t.screen()).not.toContain("Passphrase for");
      expect(w.ordersSent()).toBe(0);
    },
  );
});
