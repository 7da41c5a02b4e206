// hlcopy flatten with no follow running, from a config directory that has no journal of the
// account (a shell without the HLCOPY_CONFIG_DIR the service or cron trades with): the halt it
// journals here does not hold the runs that trade the account, whose journal is elsewhere. Until
// 2026-12-06 it said "halted (manual) until hlcopy resume" and the next reconcile from the
// trading directory copied the leader straight back. Now it records the pause too, which every
// run reads wherever its journal is: that reconcile sends nothing (exit 4) until hlcopy resume.
// The real binaries against the simulator.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Address } from "../../src/core/types.js";
import type { SimHandle } from "../../src/sim/index.js";
import { masterWithAgent } from "../exchange/helpers.js";
import { liftPauseAfter, runCli, tempDir } from "../helpers/cli.js";
import { type LeaderWorld, leaderWorld } from "./leader-world.js";

let world: LeaderWorld;
let sim: SimHandle;
let leader: Address;

beforeAll(async () => {
  world = await leaderWorld(2020);
  ({ sim, leader } = world);
});
afterAll(async () => {
  await sim.close();
});

describe("hlcopy flatten from another config directory", () => {
  it("holds the runs of the directory that trades the account: their next reconcile sends nothing until resume", {
    timeout: 120_000,
  }, async () => {
    const { master, agentKey } = await masterWithAgent(sim, 50_000);
    liftPauseAfter(sim.httpUrl, master.address);
    const trading = tempDir();
    const shell = tempDir();
    const cli = (dir: string, args: string[]) =>
      runCli(["--network", sim.httpUrl, "--account", master.address, ...args], {
        env: { HLCOPY_CONFIG_DIR: dir, HLCOPY_AGENT_KEY: agentKey },
        timeoutMs: 30_000,
      });
    const copy = ["reconcile", leader, "--mode", "fixed-ratio", "--ratio", "0.2", "--yes"];
    const first = await cli(trading, copy);
    expect(first.code, first.stderr).toBe(0);
    expect((await world.positions(master.address)).length).toBeGreaterThan(0);

    const flat = await cli(shell, ["flatten", "--yes"]);
    expect(flat.code, flat.stderr).toBe(0);
    expect(flat.stdout).toMatch(
      /no position left; halted \(manual\) until hlcopy resume — and paused: this config directory \(.*\) had no journal of the account/,
    );
    expect((await world.positions(master.address)).length).toBe(0);
    const sent = sim.control.orderHistory(master.address).length;

    // The trading directory's next run: held, nothing sent.
    const held = await cli(trading, ["--json", ...copy]);
    expect(held.code).toBe(4);
    expect(sim.control.orderHistory(master.address).length).toBe(sent);
    expect((await world.positions(master.address)).length).toBe(0);

    // resume lifts it: the copy goes on.
    expect((await cli(shell, ["resume", "--yes"])).code).toBe(0);
    const again = await cli(trading, copy);
    expect(again.code, again.stderr).toBe(0);
    expect((await world.positions(master.address)).length).toBeGreaterThan(0);
  });
});
