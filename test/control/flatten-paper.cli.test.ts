// hlcopy flatten while a follow --paper runs for the account: the trader means the account's real
// positions, which the paper run neither holds nor closes (and its lock keeps flatten from closing
// them itself). Until 2026-12-06 the paper run took the flatten, closed its paper positions and
// the command said done, exit 0, with the real positions still open. Now: refused before anything
// is sent (exit 2, --json: one error document), the real positions and the paper run untouched;
// flatten --paper is what flattens the paper run. The real binaries against the simulator.

import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Address } from "../../src/core/types.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { leaderKeyForSeed, startScriptedLeader } from "../../src/sim/leader.js";
import { eventually, masterWithAgent } from "../exchange/helpers.js";
import { spawnFollow } from "../follow/helpers.js";
import { jsonError, runCli, tempDir } from "../helpers/cli.js";

let sim: SimHandle;
const leaderKey = leaderKeyForSeed(1919);
const leader = privateKeyToAccount(leaderKey).address.toLowerCase() as Address;

beforeAll(async () => {
  sim = await startSim({ seed: 1919, tickMs: 0 });
  sim.control.fund(leader, 1_000_000);
  const l = await startScriptedLeader({
    httpUrl: sim.httpUrl,
    seed: 19_190,
    privateKey: leaderKey,
    ratePerSec: 20,
    coins: ["BTC", "ETH"],
    maxTrades: 4,
    fundUsd: 0,
  });
  await l.done;
});
afterAll(async () => {
  await sim.close();
});

async function positions(user: Address): Promise<string[]> {
  const res = await fetch(`${sim.httpUrl}/info`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ type: "clearinghouseState", user }),
  });
  const chs = (await res.json()) as { assetPositions: { position: { coin: string; szi: string } }[] };
  return chs.assetPositions
    .map((p) => p.position)
    .filter((p) => Number(p.szi) !== 0)
    .map((p) => `${p.coin} ${p.szi}`);
}

describe("hlcopy flatten beside a running follow --paper", () => {
  it("is refused, nothing done (the real positions stay, the paper run goes on); flatten --paper flattens the paper run", {
    timeout: 120_000,
  }, async () => {
    const { master, agentKey } = await masterWithAgent(sim, 50_000);
    const configDir = tempDir();
    const env = { HLCOPY_CONFIG_DIR: configDir, HLCOPY_AGENT_KEY: agentKey };
    const cli = (args: string[]) =>
      runCli(["--network", sim.httpUrl, "--account", master.address, ...args], { env, timeoutMs: 30_000 });
    // Real positions first: a live reconcile copies the leader into the account.
    const live = await cli(["reconcile", leader, "--mode", "fixed-ratio", "--ratio", "0.2", "--yes"]);
    expect(live.code, live.stderr).toBe(0);
    const held = await positions(master.address);
    expect(held.length).toBeGreaterThan(0);

    const paper = spawnFollow({
      httpUrl: sim.httpUrl,
      account: master.address,
      leader,
      configDir,
      agentKey,
      extra: ["--paper", "--sweep-seconds", "3600"],
    });
    try {
      await eventually(() => paper.lines.some((l) => l.type === "sweep"), 15_000);
      const orders = sim.control.orderHistory(master.address).length;

      const refused = await cli(["--json", "flatten", "--yes"]);
      expect(refused.code).toBe(2);
      expect(jsonError(refused.stdout)).toMatch(
        /^error: the follow running for 0x[0-9a-f]{40} on .* \(pid \d+\) is a paper run: it holds none of your positions and closes none of them, so nothing was done\nhint: to close the account's positions stop it first \(hlcopy stop\), then run hlcopy flatten again; hlcopy flatten --paper flattens the paper run's account\n$/,
      );
      // Nothing was done: not the paper run's flatten, nor any real order.
      expect(paper.lines.some((l) => l.type === "halt")).toBe(false);
      expect(await positions(master.address)).toEqual(held);
      expect(sim.control.orderHistory(master.address).length).toBe(orders);

      const flattened = await cli(["flatten", "--paper", "--yes"]);
      expect(flattened.code, flattened.stderr).toBe(0);
      expect(flattened.stdout).toMatch(/^the running paper follow halted \(manual\)/);
      await eventually(() => paper.lines.some((l) => l.type === "halt"), 15_000);
      expect(await positions(master.address)).toEqual(held);

      expect((await cli(["stop"])).code).toBe(0);
      expect(await paper.exit).toBe(0);
    } finally {
      paper.child.kill("SIGKILL");
    }
    // With the paper run ended, flatten closes the account's positions here.
    const done = await cli(["flatten", "--yes"]);
    expect(done.code, done.stderr).toBe(0);
    expect(await positions(master.address)).toEqual([]);
  });
});
