// hlcopy flatten while a follow --paper runs for the account: the trader means the account's real
// positions, which the paper run neither holds nor closes (and its lock keeps flatten from closing
// them itself). Until 2026-12-06 the paper run took the flatten, closed its paper positions and
// the command said done, exit 0, with the real positions still open. Now: refused before anything
// is sent (exit 2, --json: one error document), the real positions and the paper run untouched;
// flatten --paper is what flattens the paper run. The real binaries against the simulator.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Address } from "../../src/core/types.js";
import type { SimHandle } from "../../src/sim/index.js";
import { eventually, masterWithAgent } from "../exchange/helpers.js";
import { spawnFollow } from "../follow/helpers.js";
import { jsonError, runCli, tempDir } from "../helpers/cli.js";
import { type LeaderWorld, leaderWorld } from "./leader-world.js";

let world: LeaderWorld;
let sim: SimHandle;
let leader: Address;

beforeAll(async () => {
  world = await leaderWorld(1919);
  ({ sim, leader } = world);
});
afterAll(async () => {
  await sim.close();
});

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
    const held = await world.positions(master.address);
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
      expect(await world.positions(master.address)).toEqual(held);
      expect(sim.control.orderHistory(master.address).length).toBe(orders);

      const flattened = await cli(["flatten", "--paper", "--yes"]);
      expect(flattened.code, flattened.stderr).toBe(0);
      expect(flattened.stdout).toMatch(/^the running paper follow halted \(manual\)/);
      await eventually(() => paper.lines.some((l) => l.type === "halt"), 15_000);
      expect(await world.positions(master.address)).toEqual(held);

      expect((await cli(["stop"])).code).toBe(0);
      expect(await paper.exit).toBe(0);
    } finally {
      paper.child.kill("SIGKILL");
    }
    // With the paper run ended, flatten closes the account's positions here.
    const done = await cli(["flatten", "--yes"]);
    expect(done.code, done.stderr).toBe(0);
    expect(await world.positions(master.address)).toEqual([]);
  });
});
