// A simulator whose scripted leader has traded BTC and ETH and holds them, for the control
// commands' tests that copy it once and then flatten, stop or pause (one per test file: a seed of
// its own, so no two files share a world).

import { privateKeyToAccount } from "viem/accounts";
import type { Address } from "../../src/core/types.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { leaderKeyForSeed, startScriptedLeader } from "../../src/sim/leader.js";

export interface LeaderWorld {
  sim: SimHandle;
  leader: Address;
  /** The account's open positions on the simulator, as "COIN size", in the exchange's order. */
  positions(user: Address): Promise<string[]>;
}

/** Start the simulator, fund the leader and let it make its 4 trades; close it with `sim.close()`. */
export async function leaderWorld(seed: number): Promise<LeaderWorld> {
  const leaderKey = leaderKeyForSeed(seed);
  const leader = privateKeyToAccount(leaderKey).address.toLowerCase() as Address;
  const sim = await startSim({ seed, tickMs: 0 });
  sim.control.fund(leader, 1_000_000);
  const scripted = await startScriptedLeader({
    httpUrl: sim.httpUrl,
    seed: seed * 10,
    privateKey: leaderKey,
    ratePerSec: 20,
    coins: ["BTC", "ETH"],
    maxTrades: 4,
    fundUsd: 0,
  });
  await scripted.done;
  return {
    sim,
    leader,
    async positions(user) {
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
    },
  };
}
