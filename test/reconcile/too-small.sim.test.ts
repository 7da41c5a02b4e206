// A copy too small to hold any of the leader's positions — each target under the exchange's $10
// minimum order — and an account holding none of them read "in sync: nothing to do" (exit 0),
// run after run, while the leader held thousands. It is refused before a key is opened or an
// order sent (exit 2), with the size that copies; at that size the run copies. The real binary
// against a simulator.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { fundedAccount, masterWithAgent } from "../exchange/helpers.js";
import { jsonError, runCli, tempDir } from "../helpers/cli.js";

let sim: SimHandle;
let leader: string;
let follower: string;
let agentKey: string;

beforeAll(async () => {
  sim = await startSim({ seed: 29, tickMs: 0 });
  const l = fundedAccount(sim, 100_000);
  leader = l.address;
  // The leader buys 1 ETH (~$3 500): at ratio 0.001 the copy's target is ~$3.50.
  await l.sdk.order({
    orders: [{ a: 1, b: true, p: "3600", s: "1", r: false, t: { limit: { tif: "Ioc" } } }],
    grouping: "na",
  });
  const f = await masterWithAgent(sim, 10_000);
  follower = f.master.address;
  agentKey = f.agentKey;
});
afterAll(async () => {
  await sim.close();
});

const orders = () => sim.control.stats().actionByType.order ?? 0;

function run(command: "reconcile" | "follow", ratio: string, args: string[] = []) {
  return runCli(
    [
      "--network",
      sim.httpUrl,
      "--account",
      follower,
      "--json",
      command,
      leader,
      "--mode",
      "fixed-ratio",
      "--ratio",
      ratio,
      ...args,
    ],
    { env: { HLCOPY_CONFIG_DIR: tempDir(), HLCOPY_AGENT_KEY: agentKey } },
  );
}

const REFUSAL =
  /^error: at fixed-ratio ratio 0\.001, every position the leader holds is under the exchange's \$10 minimum order \(targets ETH \$3\.\d\d\), and the account holds none of them: the copy would hold nothing\nhint: size the copy about [\d.]+× larger \(--ratio 0\.00\d+\), or copy a leader whose positions are larger\n$/;

describe("a copy too small to hold anything", () => {
  it("is refused before any order — live, dry run and follow alike — and the ratio it names copies", async () => {
    const before = orders();
    const live = await run("reconcile", "0.001", ["--yes"]);
    expect(live.code).toBe(2);
    expect(jsonError(live.stdout)).toMatch(REFUSAL);
    const dry = await run("reconcile", "0.001", ["--dry-run"]);
    expect(dry.code).toBe(2);
    expect(jsonError(dry.stdout)).toMatch(REFUSAL);
    const follow = await run("follow", "0.001", ["--no-ui", "--yes"]);
    expect(follow.code).toBe(2);
    expect(jsonError(follow.stdout)).toMatch(REFUSAL);
    expect(orders()).toBe(before);

    const ratio = jsonError(live.stdout).match(/--ratio ([\d.]+)\)/)?.[1] ?? "";
    const copied = await run("reconcile", ratio, ["--yes"]);
    expect(copied.code).toBe(0);
    expect(orders()).toBe(before + 1);
  });
});
