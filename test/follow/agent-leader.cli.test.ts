// Your own agent wallet as the leader is refused in every mode, with the live run's words:
// a dry run or a paper run loads no key, but the agent's address needs no secret — the
// keystore keeps it in clear, HLCOPY_AGENT_KEY gives it — so they refuse it too (exit 2, one
// error line and a hint), before any request and before anything is written. Another account's
// agent as the leader (its API wallet copied from an explorer instead of the account) never
// trades itself: refused naming the master to follow, --allow-empty-leader or not; our own
// sub-account that never traded is where to copy to, given as the leader instead of --account.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { privateKeyToAddress } from "viem/accounts";
import { afterEach, describe, expect, it } from "vitest";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { masterWithAgent } from "../exchange/helpers.js";
import { runCli, tempDir } from "../helpers/cli.js";

/** Nothing listens here: a run that made a request would fail with exit 1, not 2. */
const NETWORK = "http://127.0.0.1:9";
const ACCOUNT = "0x5e9ee1089755c3435139848e47e6635505d5a13a";
const AGENT_KEY = `0x${"7".repeat(63)}1` as const;

const refusal = (agent: string) =>
  new RegExp(
    `^error: the leader ${agent} is your agent wallet \\(the key hlcopy signs with\\)\\nhint: follow someone else's address; your agent trades for --account and holds no positions of its own\\n$`,
  );

const runs = (agent: string): string[][] => [
  ["--account", ACCOUNT, "reconcile", agent, "--dry-run"],
  ["--account", ACCOUNT, "follow", agent, "--dry-run", "--no-ui"],
  ["--account", ACCOUNT, "follow", agent, "--paper", "--no-ui"],
  // A paper run needs no account at all.
  ["follow", agent, "--paper", "--no-ui"],
];

describe("your own agent as the leader, without its key loaded", () => {
  it("the keystore's address: refused in a dry run and a paper run, nothing asked, sent or written", {
    timeout: 60_000,
  }, async () => {
    const dir = tempDir();
    const made = await runCli(["--network", NETWORK, "--account", ACCOUNT, "agent", "generate"], {
      env: { HLCOPY_CONFIG_DIR: dir, HLCOPY_PASSPHRASE: "a long enough passphrase 42" },
    });
    expect(made.code).toBe(0);
    const keystore = JSON.parse(readFileSync(join(dir, "agent-keystore.json"), "utf8")) as {
      address: string;
    };
    const agent = `0x${keystore.address}`;
    const before = readdirSync(dir).sort();
    for (const args of runs(agent)) {
      // No passphrase anywhere: the address is read in clear, the key never opened.
      const r = await runCli(["--network", NETWORK, ...args], { env: { HLCOPY_CONFIG_DIR: dir } });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toMatch(refusal(agent));
      expect(r.stdout).toBe("");
    }
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it("HLCOPY_AGENT_KEY's address: refused the same way", { timeout: 60_000 }, async () => {
    const dir = tempDir();
    const agent = privateKeyToAddress(AGENT_KEY).toLowerCase();
    for (const args of runs(agent)) {
      const r = await runCli(["--network", NETWORK, ...args], {
        env: { HLCOPY_CONFIG_DIR: dir, HLCOPY_AGENT_KEY: AGENT_KEY },
      });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toMatch(refusal(agent));
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it("your own account as the leader: refused in a dry run and a paper run as in a live one", async () => {
    const dir = tempDir();
    for (const args of runs(ACCOUNT).slice(0, 3)) {
      const r = await runCli(["--network", NETWORK, ...args], { env: { HLCOPY_CONFIG_DIR: dir } });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(
        new RegExp(
          `^error: the leader ${ACCOUNT} is your own account\\nhint: follow someone else's address; --account is the account that copies\\n$`,
        ),
      );
    }
  });
});

describe("another account's agent as the leader", () => {
  const sims: SimHandle[] = [];
  afterEach(async () => {
    await Promise.all(sims.splice(0).map((s) => s.close()));
  });

  it("is refused naming its master (exit 2, one error and a hint), with --allow-empty-leader too; nothing sent", {
    timeout: 60_000,
  }, async () => {
    const sim = await startSim({ seed: 5, tickMs: 0 });
    sims.push(sim);
    const leader = await masterWithAgent(sim, 50_000);
    const leaderAgent = privateKeyToAddress(leader.agentKey).toLowerCase();
    const me = await masterWithAgent(sim, 10_000);
    const refusal = new RegExp(
      `^error: the leader ${leaderAgent} is an API wallet \\(agent\\) of ${leader.master.address}: it signs that account's orders and never trades itself\\nhint: follow the account it trades for: give ${leader.master.address} as the leader instead\\n$`,
    );
    const base = ["--network", sim.httpUrl, "--account", me.master.address];
    for (const args of [
      ["reconcile", leaderAgent, "--dry-run"],
      ["reconcile", leaderAgent, "--yes", "--allow-empty-leader"],
      ["follow", leaderAgent, "--no-ui", "--yes", "--allow-empty-leader"],
    ]) {
      const r = await runCli([...base, ...args], {
        env: { HLCOPY_CONFIG_DIR: tempDir(), HLCOPY_AGENT_KEY: me.agentKey },
      });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toMatch(refusal);
    }
    // The two approvals made above, and nothing else: no order, no leverage set.
    expect(sim.control.stats().actionByType).toEqual({ approveAgent: 2 });
  });

  it("our own sub-account that never traded as the leader: refused as the place to copy into", {
    timeout: 60_000,
  }, async () => {
    const sim = await startSim({ seed: 6, tickMs: 0 });
    sims.push(sim);
    const me = await masterWithAgent(sim, 10_000);
    const created = await me.master.sdk.createSubAccount({ name: "copy" });
    const sub = String(created.response.data).toLowerCase();
    const r = await runCli(
      [
        "--network",
        sim.httpUrl,
        "--account",
        me.master.address,
        "reconcile",
        sub,
        "--yes",
        "--allow-empty-leader",
      ],
      { env: { HLCOPY_CONFIG_DIR: tempDir(), HLCOPY_AGENT_KEY: me.agentKey } },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `error: the leader ${sub} is a sub-account of your own account ${me.master.address}, one that never traded: a place to copy into, not a leader\nhint: to copy into it, give it as --account ${sub} (the agent approved for ${me.master.address} signs for it), and the trader you mean to copy as the leader\n`,
    );
    expect(sim.control.stats().actionByType).toEqual({ approveAgent: 1, createSubAccount: 1 });
  });
});
