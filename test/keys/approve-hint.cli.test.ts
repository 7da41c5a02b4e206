// The `agent approve` command follow and reconcile give when the agent is not approved (the real
// binary against the simulator): only the flags the config does not give, and --testnet-signing
// when the run signed for testnet on a network given by URL (approve without it would sign for
// mainnet and be refused). agent show says the same, exit 2.
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterEach, describe, expect, it } from "vitest";
import type { Address } from "../../src/core/types.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { runCli, tempDir } from "../helpers/cli.js";

const sims: SimHandle[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

const LEADER = "0x1880bbbea43fb92572279b9131130cc0f56e5fb4";

/** A config directory with the simulator's network and a master account (hlcopy init), and an agent key never approved. */
async function configured(testnetSigning: boolean) {
  const sim = await startSim({ seed: 5, tickMs: 0, ...(testnetSigning ? { testnetSigning: true } : {}) });
  sims.push(sim);
  const master = privateKeyToAccount(generatePrivateKey()).address.toLowerCase() as Address;
  sim.control.fund(master, 10_000);
  const env = {
    HLCOPY_CONFIG_DIR: tempDir(),
    HLCOPY_LOCK_DIR: tempDir("hlcopy-locks-"),
    HLCOPY_AGENT_KEY: generatePrivateKey(),
  };
  const init = await runCli(["--network", sim.httpUrl, "--account", master, "init"], { env });
  expect(init.code).toBe(0);
  return { sim, master, env };
}

// On a simulator (any URL) the hint never points to Hyperliquid's web app: it cannot approve there.
const refusal = (fix: string) => `hint: approve it: ${fix}\n`;

describe("the approve command in the refusal of an agent that is not approved", () => {
  it("network and account from the config: neither is repeated (reconcile and follow)", {
    timeout: 120_000,
  }, async () => {
    const { env } = await configured(false);
    const reconcile = await runCli(
      ["reconcile", LEADER, "--mode", "fixed-ratio", "--ratio", "0.1", "--yes"],
      {
        env,
      },
    );
    expect(reconcile.code).toBe(2);
    expect(reconcile.stderr).toMatch(/^error: agent 0x[0-9a-f]{40} is not approved for /);
    expect(reconcile.stderr.endsWith(refusal("hlcopy agent approve"))).toBe(true);
    const follow = await runCli(
      ["follow", LEADER, "--mode", "fixed-ratio", "--ratio", "0.1", "--no-ui", "--yes"],
      {
        env,
      },
    );
    expect(follow.code).toBe(2);
    expect(follow.stderr.endsWith(refusal("hlcopy agent approve"))).toBe(true);
  });

  it("agent show of an agent never approved: the same command, exit 2 (--json: approved false); another --account is repeated", {
    timeout: 120_000,
  }, async () => {
    const { master, env } = await configured(false);
    // agent show: the same state, the same command, exit 2.
    const show = await runCli(["agent", "show"], { env });
    expect(show.code).toBe(2);
    expect(show.stdout).toContain("approved     no\n");
    expect(show.stderr).toMatch(
      /^error: agent 0x[0-9a-f]{40} is not approved for .*: hlcopy cannot trade with it\n/,
    );
    expect(show.stderr.endsWith(refusal("hlcopy agent approve"))).toBe(true);
    const json = await runCli(["--json", "agent", "show"], { env });
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ type: "agent", approved: false, expired: false });
    // An account the config does not name: repeated.
    const other = privateKeyToAccount(generatePrivateKey()).address.toLowerCase();
    const elsewhere = await runCli(
      ["--account", other, "reconcile", LEADER, "--mode", "fixed-ratio", "--ratio", "0.1", "--yes"],
      { env },
    );
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr.endsWith(refusal(`hlcopy --account ${other} agent approve`))).toBe(true);
    expect(master).not.toBe(other);
  });

  it("a run that signs for testnet on a URL: --testnet-signing is in the command", {
    timeout: 120_000,
  }, async () => {
    const { env } = await configured(true);
    const reconcile = await runCli(
      ["--testnet-signing", "reconcile", LEADER, "--mode", "fixed-ratio", "--ratio", "0.1", "--yes"],
      { env },
    );
    expect(reconcile.code).toBe(2);
    expect(reconcile.stderr.endsWith(refusal("hlcopy --testnet-signing agent approve"))).toBe(true);
    const show = await runCli(["--testnet-signing", "agent", "show"], { env });
    expect(show.code).toBe(2);
    expect(show.stderr.endsWith(refusal("hlcopy --testnet-signing agent approve"))).toBe(true);
  });
});
