// Ctrl-C while the leader trades: what the run told — its orders and their outcomes, our fills,
// the leader's fills — is in the journal once the process has ended, though the journal commits
// such records in groups (store/journal.ts: up to ~250 ms behind): the stop's last writes commit
// the group, nothing told is lost. The real binary against the simulator.

import { DatabaseSync } from "node:sqlite";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Address } from "../../src/core/types.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { leaderKeyForSeed, startScriptedLeader } from "../../src/sim/leader.js";
import { journalPath } from "../../src/store/journal.js";
import { masterWithAgent } from "../exchange/helpers.js";
import { tempDir } from "../helpers/cli.js";
import { spawnFollow } from "./helpers.js";

let sim: SimHandle;
const leaderKey = leaderKeyForSeed(4243);
const leader = privateKeyToAccount(leaderKey).address.toLowerCase() as Address;
beforeAll(async () => {
  sim = await startSim({ seed: 44, tickMs: 0 });
  sim.control.fund(leader, 1_000_000);
});
afterAll(async () => {
  await sim.close();
});

describe("Ctrl-C while the leader trades", () => {
  it("everything the run told is journaled: orders with their outcome, our fills, the leader's fills; the run ended 0", {
    timeout: 60_000,
  }, async () => {
    const f = await masterWithAgent(sim, 50_000);
    const dir = tempDir();
    const run = spawnFollow({
      httpUrl: sim.httpUrl,
      account: f.master.address,
      leader,
      configDir: dir,
      agentKey: f.agentKey,
      extra: ["--allow-empty-leader"],
    });
    const l = await startScriptedLeader({
      httpUrl: sim.httpUrl,
      seed: 9,
      privateKey: leaderKey,
      ratePerSec: 50,
      coins: ["BTC", "ETH"],
      maxTrades: 200,
      fundUsd: 0,
    });
    try {
      // Mid-burst: copies are being told as the signal comes.
      await run.until(() => run.lines.filter((x) => x.type === "order" && x.status === "filled").length >= 3);
      run.child.kill("SIGINT");
      expect(await run.exit).toBe(0);
    } finally {
      run.child.kill("SIGKILL");
      await l.stop();
    }
    expect(run.lines.map((x) => x.type).slice(-2)).toEqual(["stop", "summary"]);
    const db = new DatabaseSync(journalPath(dir, f.master.address, sim.httpUrl));
    try {
      const all = (sql: string) => db.prepare(sql).all() as Record<string, unknown>[];
      // Each order with the last outcome told for it.
      const told = new Map<string, unknown>();
      for (const x of run.lines) if (x.type === "order") told.set(String(x.cloid), x.status);
      expect(told.size).toBeGreaterThanOrEqual(3);
      const journaled = new Map(
        all("SELECT cloid, status FROM orders").map((r) => [String(r.cloid), r.status]),
      );
      expect(journaled).toEqual(told);
      // Our fills (the stop reads back any the stream had not delivered: journaled, maybe untold).
      const fills = run.lines.filter((x) => x.type === "fill").length;
      expect(fills).toBeGreaterThanOrEqual(3);
      expect(all("SELECT count(*) AS n FROM fills")[0]?.n).toBeGreaterThanOrEqual(fills);
      // The leader's fills the run told (report replays its trades from them).
      const leaderFills = run.lines.filter((x) => x.type === "leaderFill").length;
      expect(all("SELECT count(*) AS n FROM leader_fills")[0]?.n).toBe(leaderFills);
      expect(all("SELECT exit_code, ended_at IS NOT NULL AS ended FROM runs")).toEqual([
        { exit_code: 0, ended: 1 },
      ]);
    } finally {
      db.close();
    }
  });
});
