// A journal another program holds (a backup tool's BEGIN EXCLUSIVE) through a stop: the real
// binary, against the simulator, its journal held by a second connection from this test and
// never let go. The run warns once and sends nothing meanwhile; SIGTERM ends it through its
// normal path — the stop line, one error and its hint for what could not be journaled, exit 1
// — never an uncaught exception or a Node stack trace.

import { DatabaseSync } from "node:sqlite";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Address } from "../../src/core/types.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { leaderKeyForSeed } from "../../src/sim/leader.js";
import { journalPath } from "../../src/store/journal.js";
import { eventually, masterWithAgent } from "../exchange/helpers.js";
import { tempDir } from "../helpers/cli.js";
import { leaderTrades, spawnFollow } from "./helpers.js";

let sim: SimHandle;
const leaderKey = leaderKeyForSeed(4343);
const leader = privateKeyToAccount(leaderKey).address.toLowerCase() as Address;

beforeAll(async () => {
  sim = await startSim({ seed: 45, tickMs: 0 });
  sim.control.fund(leader, 1_000_000);
});
afterAll(async () => {
  await sim.close();
});

describe("follow with its journal held by another program", () => {
  it("warns once, sends nothing meanwhile, and a SIGTERM ends it cleanly: one error and hint, no stack trace", {
    timeout: 120_000,
  }, async () => {
    const { master, agentKey } = await masterWithAgent(sim, 50_000);
    const configDir = tempDir();
    const run = spawnFollow({
      httpUrl: sim.httpUrl,
      account: master.address,
      leader,
      configDir,
      agentKey,
      json: false,
      // The leader, funded in beforeAll, makes its first trade once the run is on.
      extra: ["--allow-empty-leader", "--sweep-seconds", "3600"],
    });
    const text = () => run.lines.map((l) => String(l.text ?? ""));
    const holder = new DatabaseSync(journalPath(configDir, master.address, sim.httpUrl));
    try {
      await run.until(() => text().some((t) => / sweep /.test(t)));
      await eventually(() => {
        try {
          holder.exec("BEGIN EXCLUSIVE");
          return true;
        } catch {
          return false; // the run's group commit holds it for a moment
        }
      });
      await leaderTrades(sim, leaderKey, { seed: 77, trades: 4 });
      await run.until(() =>
        text().some((t) => / warning: journal busy \(held by another program\): /.test(t)),
      );
      const sent = sim.control.orderHistory(master.address).length;
      run.child.kill("SIGTERM");
      expect(await run.exit).toBe(1);
      const out = [...text(), ...run.stderr().split("\n")];
      expect(out.filter((t) => / warning: journal busy \(held by another program\)/.test(t))).toHaveLength(1);
      expect(out.some((t) => / stop: signal SIGTERM$/.test(t))).toBe(true);
      const errors = out.filter((t) => /^error: /.test(t));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(
        /is locked by another program: \d+ record\(s\) of this run could not be journaled$/,
      );
      expect(out.some((t) => /^hint: .*backup tool/.test(t))).toBe(true);
      // Never an uncaught exception: no stack frame, no Node banner.
      expect(out.filter((t) => /^\s+at |^Node\.js v|Error:|OperationalError/.test(t))).toEqual([]);
      expect(sim.control.orderHistory(master.address).length).toBe(sent);
    } finally {
      if (run.child.exitCode === null) run.child.kill("SIGKILL");
      try {
        holder.exec("ROLLBACK");
      } catch {
        // never took it
      }
      holder.close();
    }
  });
});
