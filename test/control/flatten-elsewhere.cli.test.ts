// hlcopy flatten with no follow running, from a config directory that has no journal of the
// account (a shell without the HLCOPY_CONFIG_DIR the service or cron trades with): the halt it
// journals here does not hold the runs that trade the account, whose journal is elsewhere. Until
// 2026-12-06 it said "halted (manual) until hlcopy resume" and the next reconcile from the
// trading directory copied the leader straight back. Now it records the pause too, which every
// run reads wherever its journal is: that reconcile sends nothing (exit 4) until hlcopy resume.
// The real binaries against the simulator.

import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Address } from "../../src/core/types.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { leaderKeyForSeed, startScriptedLeader } from "../../src/sim/leader.js";
import { masterWithAgent } from "../exchange/helpers.js";
import { liftPauseAfter, runCli, tempDir } from "../helpers/cli.js";

let sim: SimHandle;
const leaderKey = leaderKeyForSeed(2020);
const leader = privateKeyToAccount(leaderKey).address.toLowerCase() as Address;

beforeAll(async () => {
  sim = await startSim({ seed: 2020, tickMs: 0 });
  sim.control.fund(leader, 1_000_000);
  const l = await startScriptedLeader({
    httpUrl: sim.httpUrl,
    seed: 20_200,
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

async function positions(user: Address): Promise<number> {
  const res = await fetch(`${sim.httpUrl}/info`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ type: "clearinghouseState", user }),
  });
  const chs = (await res.json()) as { assetPositions: { position: { szi: string } }[] };
  return chs.assetPositions.filter((p) => Number(p.position.szi) !== 0).length;
}

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
    expect(await positions(master.address)).toBeGreaterThan(0);

    const flat = await cli(shell, ["flatten", "--yes"]);
    expect(flat.code, flat.stderr).toBe(0);
    expect(flat.stdout).toMatch(
      /no position left; halted \(manual\) until hlcopy resume — and paused: this config directory \(.*\) had no journal of the account/,
    );
    expect(await positions(master.address)).toBe(0);
    const sent = sim.control.orderHistory(master.address).length;

    // The trading directory's next run: held, nothing sent.
    const held = await cli(trading, ["--json", ...copy]);
    expect(held.code).toBe(4);
    expect(sim.control.orderHistory(master.address).length).toBe(sent);
    expect(await positions(master.address)).toBe(0);

    // resume lifts it: the copy goes on.
    expect((await cli(shell, ["resume", "--yes"])).code).toBe(0);
    const again = await cli(trading, copy);
    expect(again.code, again.stderr).toBe(0);
    expect(await positions(master.address)).toBeGreaterThan(0);
  });
});
