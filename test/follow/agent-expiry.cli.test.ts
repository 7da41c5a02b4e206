// An agent approval that ends during a run: the exchange refuses every order ("User or API
// Wallet … does not exist."). follow halts (increases and reductions alike), says so, journals
// it and exits 4 with the command that approves the agent again — or, with
// --wait-for-approval, keeps running and resumes once the exchange accepts orders again.

import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Address } from "../../src/core/types.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { leaderKeyForSeed, type ScriptedLeader, startScriptedLeader } from "../../src/sim/leader.js";
import { journalPath, openJournal } from "../../src/store/journal.js";
import { type Account, eventually, fundedAccount } from "../exchange/helpers.js";
import { tempDir } from "../helpers/cli.js";
import { spawnFollow } from "./helpers.js";

let sim: SimHandle;
beforeAll(async () => {
  sim = await startSim({ seed: 45, tickMs: 0 });
});
afterAll(async () => {
  await sim.close();
});

let seed = 7_000;
function newLeader(): { key: `0x${string}`; address: Address } {
  const key = leaderKeyForSeed(seed++);
  const address = privateKeyToAccount(key).address.toLowerCase() as Address;
  sim.control.fund(address, 1_000_000);
  return { key, address };
}

function trade(leaderKey: `0x${string}`, n: number, rate = 10): Promise<ScriptedLeader> {
  return startScriptedLeader({
    httpUrl: sim.httpUrl,
    seed: seed++,
    privateKey: leaderKey,
    ratePerSec: rate,
    coins: ["BTC", "ETH"],
    maxTrades: n,
    fundUsd: 0,
  });
}

/** Approve `agentKey` for `master` until `validUntil` (the exchange's ` valid_until` name form). */
async function approve(master: Account, agentKey: `0x${string}`, validUntil: number): Promise<void> {
  await master.sdk.approveAgent({
    agentAddress: privateKeyToAccount(agentKey).address,
    agentName: `hlcopy valid_until ${validUntil}`,
  });
}

/**
 * End the approval now: the same agent approved again (same name: it replaces the first) with
 * a time already past. Waiting out a short approval made each test a race between that window
 * and how long a busy machine takes to start follow (beside two CPU-bound processes, follow
 * started after the 5 s approval had ended).
 */
const endApproval = (master: Account, agentKey: `0x${string}`) => approve(master, agentKey, Date.now() - 1);

describe("an agent approval that ends during follow", () => {
  it("halts and exits 4 with the re-approve command; nothing is sent after", {
    timeout: 90_000,
  }, async () => {
    const leader = newLeader();
    const master = fundedAccount(sim, 50_000);
    const agentKey = generatePrivateKey();
    await approve(master, agentKey, Date.now() + 3_600_000);
    const dir = tempDir();
    const run = spawnFollow({
      httpUrl: sim.httpUrl,
      account: master.address,
      leader: leader.address,
      configDir: dir,
      agentKey,
      json: false,
      // A new leader: it makes its first trade once the run is on (the start must not race it).
      extra: ["--allow-empty-leader", "--no-ui", "--sweep-seconds", "3600"],
    });
    const copied = () => sim.control.orderHistory(master.address).length;
    try {
      // It copies while the approval holds …
      const before = await trade(leader.key, 4, 20);
      await before.done;
      await eventually(() => copied() >= 2, 10_000);
      // … and once it has ended, the next copy is refused.
      await endApproval(master, agentKey);
      const sentBefore = copied();
      const after = await trade(leader.key, 1_000, 10);
      const code = await run.exit;
      await after.stop();
      expect(code).toBe(4);
      expect(copied()).toBe(sentBefore);
      const stdout = run.lines.map((l) => String(l.text ?? "")).join("\n");
      expect(stdout).toMatch(/HALT.*agent-expired|agent-expired/i);
      expect(run.stderr()).toMatch(
        new RegExp(
          `error: the exchange no longer accepts the agent's orders .*does not exist.*\\nhint: approve it again: hlcopy --network ${sim.httpUrl.replace(/[.:/]/g, "\\$&")} --account ${master.address} agent approve\\n$`,
        ),
      );
    } finally {
      run.child.kill("SIGTERM");
    }
    const journal = openJournal(journalPath(dir, master.address, sim.httpUrl));
    try {
      const halts = journal
        .listEntries({ table: "events" })
        .filter((e) => e.table === "events" && e.type === "halt");
      expect(halts).toHaveLength(1);
      expect(halts[0]).toMatchObject({ data: { kind: "agent-expired" } });
      expect(journal.lastRun()).toMatchObject({ exitCode: 4 });
      // Not a persistent halt: approving again is the fix, no `hlcopy resume` needed.
      expect(journal.activeHalt()).toBeNull();
    } finally {
      journal.close();
    }
  });

  it("--wait-for-approval keeps running with a warning and resumes once approved again", {
    timeout: 90_000,
  }, async () => {
    const leader = newLeader();
    const master = fundedAccount(sim, 50_000);
    const agentKey = generatePrivateKey();
    await approve(master, agentKey, Date.now() + 3_600_000);
    const run = spawnFollow({
      httpUrl: sim.httpUrl,
      account: master.address,
      leader: leader.address,
      configDir: tempDir(),
      agentKey,
      // A new leader: it makes its first trade once the run is on.
      extra: ["--allow-empty-leader", "--wait-for-approval", "--sweep-seconds", "1"],
    });
    const copied = () => sim.control.orderHistory(master.address).length;
    try {
      await eventually(() => run.lines.some((l) => l.type === "sweep"), 10_000);
      await endApproval(master, agentKey);
      const l = await trade(leader.key, 6, 20);
      await l.done;
      await eventually(() => run.lines.some((x) => x.type === "halt" && x.kind === "agent-expired"), 10_000);
      expect(run.lines).toContainEqual(
        expect.objectContaining({
          type: "warning",
          message: expect.stringMatching(/approved again .*agent approve/),
        }),
      );
      const whileHalted = copied();
      // Approve again (same name: replaces it); the next sweep's orders go through.
      await approve(master, agentKey, Date.now() + 86_400_000);
      await eventually(() => run.lines.some((x) => x.type === "resume"), 10_000);
      await eventually(() => copied() > whileHalted, 10_000);
      expect(run.child.exitCode).toBeNull();
    } finally {
      run.child.kill("SIGTERM");
    }
    expect(await run.exit).toBe(0);
    expect(run.stderr()).toBe("");
  });
});
