// A copy too small to hold any of the leader's positions — each target under the exchange's $10
// minimum order — and an account holding none of them read "in sync: nothing to do" (exit 0),
// run after run, while the leader held thousands. It is refused before a key is opened or an
// order sent (exit 2), with the size that copies; at that size the run copies. The real binary
// against a simulator.

import { generatePrivateKey } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { jsonError } from "../helpers/cli.js";
import { reconcileWorld } from "../helpers/reconcile-world.js";

const REFUSAL =
  /^error: at fixed-ratio ratio 0\.001, every position the leader holds is under the exchange's \$10 minimum order \(targets ETH \$3\.\d\d\), and the account holds none of them: the copy would hold nothing\nhint: size the copy about [\d.]+× larger \(--ratio 0\.00\d+\), or copy a leader whose positions are larger\n$/;

describe("a copy too small to hold anything", () => {
  it("is refused before any order — live, dry run and follow alike — and the ratio it names copies", async () => {
    const w = await reconcileWorld({ seed: 29 });
    // The leader buys 1 ETH (~$3 400): at ratio 0.001 the copy's target is ~$3.40.
    await w.trade("ETH", "buy", 1);
    const run = (command: "reconcile" | "follow", ratio: string, args: string[]) =>
      w.cli(["--json", command, w.leader, "--mode", "fixed-ratio", "--ratio", ratio, ...args]);
    const before = w.actionsSent();
    const live = await run("reconcile", "0.001", ["--yes"]);
    expect(live.code).toBe(2);
    expect(jsonError(live.stdout)).toMatch(REFUSAL);
    const dry = await run("reconcile", "0.001", ["--dry-run"]);
    expect(dry.code).toBe(2);
    expect(jsonError(dry.stdout)).toMatch(REFUSAL);
    const follow = await run("follow", "0.001", ["--no-ui", "--yes"]);
    expect(follow.code).toBe(2);
    expect(jsonError(follow.stdout)).toMatch(REFUSAL);
    // A start check as the others: the warnings of the run that does not happen are not said
    // before it (an agent a live run would refuse: "a live run would be refused now").
    const alone = await w.cli(
      ["reconcile", w.leader, "--mode", "fixed-ratio", "--ratio", "0.001", "--dry-run"],
      { env: { HLCOPY_AGENT_KEY: generatePrivateKey() } },
    );
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(REFUSAL);
    expect(w.actionsSent()).toBe(before);

    const ratio = jsonError(live.stdout).match(/--ratio ([\d.]+)\)/)?.[1] ?? "";
    const copied = await run("reconcile", ratio, ["--yes"]);
    expect(copied.code).toBe(0);
    expect(Object.keys(await w.positions())).toEqual(["ETH"]);
  });
});
