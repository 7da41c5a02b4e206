// Most CLI tests run a command in the test's own process (test/helpers/in-process.ts: dist/cli/,
// tsc's output). A user runs bin/hlcopy.js, which loads dist/bundle/: the same modules linked
// into chunks, each command's run module a chunk loaded when it runs. Here every command that
// talks to the exchange or the journal runs both ways on one world, and says the same: the
// bundle is what the tests test, and the in-process harness is the process a user gets.
import { describe, expect, it } from "vitest";
import { cleanEnv, ROOT, type RunResult, spawnCli } from "../helpers/cli.js";
import { runInProcess } from "../helpers/in-process.js";
import { reconcileWorld } from "../helpers/reconcile-world.js";

/**
 * What may differ between two runs a moment apart — clock times, epoch milliseconds, ages and
 * durations — taken out; then the spaces and table rules, whose widths follow those texts' lengths
 * (a table's column is as wide as its widest cell): the words, in order.
 */
function steady(text: string): string {
  return text
    .replace(/\b1\d{12}\b/g, "<epoch ms>")
    .replace(/~[\d.]+(s|m|h|d)\b/g, "~<duration>")
    .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, "<time>")
    .replace(/\b\d\d:\d\d:\d\d(\.\d+)?\b/g, "<clock>")
    .replace(/\b\d+(\.\d+)?\s?(ms|s|m|h) ago\b/g, "<ago>")
    .replace(/[\s─│┌┐└┘├┤┬┴┼]+/g, " ");
}

describe("the shipped bundle and the in-process harness", () => {
  it("every command that reads the exchange or the journal says the same, with the same exit code, either way", async () => {
    const w = await reconcileWorld({ seed: 7 });
    await w.trade("BTC", "buy", 1);
    const both = async (args: string[]): Promise<[RunResult, RunResult]> => {
      const full = ["--network", w.sim.httpUrl, "--account", w.account, ...args];
      const spawned = await spawnCli(full, { env: w.env });
      const inProcess = await runInProcess(ROOT, full, cleanEnv(w.env), "", 30_000);
      return [spawned, inProcess];
    };
    const same = ([spawned, inProcess]: [RunResult, RunResult]) => {
      expect(inProcess.code).toBe(spawned.code);
      expect(steady(inProcess.stdout)).toBe(steady(spawned.stdout));
      expect(steady(inProcess.stderr)).toBe(steady(spawned.stderr));
    };
    const sizing = ["--mode", "fixed-ratio", "--ratio", "0.1"];
    // Before any run: a dry run plans the copy (exit 3: orders to send), status has no runs.
    const dry = await both(["reconcile", "--dry-run", w.leader, ...sizing]);
    expect(dry[0].code).toBe(3);
    expect(dry[0].stdout).toMatch(/BTC/);
    same(dry);
    same(await both(["status"]));
    // One live run, spawned: then every reader has a journal to read.
    const live = await spawnCli(
      ["--network", w.sim.httpUrl, "--account", w.account, "reconcile", w.leader, ...sizing, "--yes"],
      {
        env: w.env,
      },
    );
    expect(live.code).toBe(0);
    expect((await w.positions()).BTC).toBeCloseTo(0.1, 8);
    for (const args of [
      ["reconcile", "--dry-run", w.leader, ...sizing],
      ["status"],
      ["--json", "status"],
      ["report"],
      ["journal"],
      ["inspect", w.leader],
      ["config", "list"],
      ["flatten", "--dry-run"],
    ]) {
      const pair = await both(args);
      expect(pair[0].stderr, args.join(" ")).not.toMatch(/Cannot find|ERR_MODULE|at .*\.js:\d+/);
      same(pair);
    }
  });
});
