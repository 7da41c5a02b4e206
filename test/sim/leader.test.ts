// The scripted leader: a seeded account that trades through the SDK — opens, adds, partial
// closes, flips and closes across several coins — touching /info only at start.

import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { leaderKeyForSeed, startScriptedLeader } from "../../src/sim/leader.js";
import { infoClient } from "./helpers.js";

let sim: SimHandle;
beforeAll(async () => {
  sim = await startSim({ tickMs: 0, seed: 2 });
});
afterAll(() => sim.close());

describe("scripted leader", () => {
  it("trades a funded account across coins with opens, closes and flips, reading /info only at start", async () => {
    sim.control.reset();
    const leader = await startScriptedLeader({
      httpUrl: sim.httpUrl,
      seed: 7,
      ratePerSec: 500,
      maxTrades: 40,
    });
    await leader.done;
    expect(leader.trades()).toBe(40);
    expect(leader.address).toBe(privateKeyToAccount(leaderKeyForSeed(7)).address.toLowerCase());
    const stats = sim.control.stats();
    expect(stats.infoByType).toEqual({ meta: 1, allMids: 1 });
    expect(stats.requests.control).toBe(1); // its own funding
    const fills = await infoClient(sim).userFills({ user: leader.address });
    const dirs = new Set(fills.map((f) => f.dir));
    for (const d of ["Open Long", "Open Short"]) expect(dirs).toContain(d);
    expect([...dirs].some((d) => d.startsWith("Close"))).toBe(true);
    expect([...dirs].some((d) => d.includes(">"))).toBe(true);
    expect(new Set(fills.map((f) => f.coin)).size).toBeGreaterThanOrEqual(3);
  });

  it("the same seed makes the same decisions", async () => {
    const sizes = async () => {
      const s = await startSim({ tickMs: 0, seed: 2 });
      try {
        const leader = await startScriptedLeader({
          httpUrl: s.httpUrl,
          seed: 11,
          ratePerSec: 500,
          maxTrades: 10,
        });
        await leader.done;
        const fills = await infoClient(s).userFills({ user: leader.address });
        return fills.map((f) => [f.coin, f.side, f.sz, f.dir]);
      } finally {
        await s.close();
      }
    };
    expect(await sizes()).toEqual(await sizes());
  });

  it("traded resolves once it has a fill on record (what a follow's start check reads), or after ten beats that never fill", async () => {
    const a = await startScriptedLeader({ httpUrl: sim.httpUrl, seed: 21, ratePerSec: 50 });
    await a.traded;
    expect((await infoClient(sim).userFills({ user: a.address })).length).toBeGreaterThan(0);
    await a.stop();
    // Orders of a cent of BTC round to no lot: no beat fills, and the wait is bounded.
    const b = await startScriptedLeader({
      httpUrl: sim.httpUrl,
      seed: 22,
      ratePerSec: 200,
      coins: ["BTC"],
      notionalUsd: [0.01, 0.02],
    });
    await b.traded;
    expect(b.trades()).toBe(0);
    await b.stop();
  });

  it("stop() ends trading and resolves done", async () => {
    const leader = await startScriptedLeader({ httpUrl: sim.httpUrl, seed: 8, ratePerSec: 50 });
    await leader.stop();
    await leader.done;
    const n = leader.trades();
    await new Promise((r) => setTimeout(r, 60));
    expect(leader.trades()).toBe(n);
  });
});
