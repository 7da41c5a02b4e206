// entry-only never copies the leader's reductions, closes or flips: its positions close only by
// an exit of our own. A run where none acts would hold every position it opens, so it is refused
// before anything is sent (exit 2) — follow (live, paper, dry run), reconcile (live, dry run) and
// backtest, with entry-only as a flag or stored with `config set` — naming the exit each run can
// take: the resting stops and take-profits act live (a dry run previews that), the time stop in
// every trading run, none of them in a backtest's replay.

import { existsSync, readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Address } from "../../src/core/types.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { fundedAccount, masterWithAgent } from "../exchange/helpers.js";
import { runCli, tempDir } from "../helpers/cli.js";
import { roundTrip } from "../helpers/sim-engine.js";

let sim: SimHandle;
let leader: Address;

beforeAll(async () => {
  sim = await startSim({ seed: 78, tickMs: 0 });
  const l = fundedAccount(sim, 1_000_000);
  leader = l.address;
  // A leader that traded before (flat again): a funded address with no fill is refused as a typo,
  // and the run that goes ahead here must get past that check to plan.
  await roundTrip(sim, l.key);
});
afterAll(async () => {
  await sim.close();
});

const exchangeActions = () => ({ ...sim.control.stats().actionByType });

/** A funded account with an approved agent, and its own config directory. */
async function trader() {
  const f = await masterWithAgent(sim, 20_000);
  const dir = tempDir();
  const env = { HLCOPY_CONFIG_DIR: dir, HLCOPY_AGENT_KEY: f.agentKey };
  const run = (args: string[]) =>
    // backtest refuses --account (it replays at --equity, never the account's value).
    runCli(
      ["--network", sim.httpUrl, ...(args[0] === "backtest" ? [] : ["--account", f.master.address]), ...args],
      {
        env,
      },
    );
  return { dir, run };
}

const NONE = "error: entry-only never copies the leader's exits and this run sets none of its own";
const LIVE_HINT =
  "hint: add --stop-loss-pct 5 (or --max-hold-hours 48, --take-profit-pct …), or drop --copy-mode entry-only\n";

describe("entry-only with no exit of its own is refused before anything is sent", () => {
  it("follow and reconcile, live: exit 2, the one refusal, nothing sent and no journal", async () => {
    const t = await trader();
    const before = exchangeActions();
    for (const args of [
      ["follow", leader, "--copy-mode", "entry-only", "--yes", "--no-ui"],
      ["reconcile", leader, "--copy-mode", "entry-only", "--yes"],
    ]) {
      const r = await t.run(args);
      expect(r.code, args[0]).toBe(2);
      expect(r.stderr, args[0]).toBe(`${NONE}\n${LIVE_HINT}`);
    }
    expect(exchangeActions()).toEqual(before);
    expect(readdirSync(t.dir).filter((f) => f.endsWith(".sqlite"))).toEqual([]);
  });

  it("a paper run and a dry run are told the exit they can take: the time stop (a stored stop is the live run's)", async () => {
    const t = await trader();
    const paper = await t.run(["follow", leader, "--copy-mode", "entry-only", "--paper", "--no-ui"]);
    expect(paper.code).toBe(2);
    expect(paper.stderr).toBe(
      `${NONE}\nhint: add --max-hold-hours 48 (the time stop is the exit a paper run simulates), or drop --copy-mode entry-only\n`,
    );
    const dryHint =
      "hint: add --max-hold-hours 48, or store the live run's stop (hlcopy config set risk.stopLossPct 5), or drop --copy-mode entry-only\n";
    for (const args of [
      ["follow", leader, "--copy-mode", "entry-only", "--dry-run", "--no-ui"],
      ["reconcile", leader, "--copy-mode", "entry-only", "--dry-run"],
    ]) {
      const r = await t.run(args);
      expect(r.code, args[0]).toBe(2);
      expect(r.stderr, args[0]).toBe(`${NONE}\n${dryHint}`);
    }
    expect(readdirSync(t.dir).filter((f) => f.endsWith(".sqlite"))).toEqual([]);
  });

  it("copy.mode stored with config set is refused the same way at run time, and says where it came from", async () => {
    const t = await trader();
    expect((await t.run(["config", "set", "copy.mode", "entry-only"])).code).toBe(0);
    const before = exchangeActions();
    const r = await t.run(["reconcile", leader, "--yes"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `${NONE} (copy.mode entry-only from the config file)\nhint: add --stop-loss-pct 5 (or --max-hold-hours 48, --take-profit-pct …), or --copy-mode mirror for this run\n`,
    );
    // A stored stop is an exit of the live run's, which a dry run previews; a paper run simulates none.
    expect((await t.run(["config", "set", "risk.stopLossPct", "5"])).code).toBe(0);
    const dry = await t.run(["reconcile", leader, "--dry-run"]);
    expect(dry.stderr).not.toContain("entry-only never copies");
    expect([0, 3]).toContain(dry.code);
    const paper = await t.run(["follow", leader, "--paper", "--no-ui"]);
    expect(paper.code).toBe(2);
    expect(paper.stderr).toBe(
      `${NONE}: risk.stopLossPct acts in live runs only (a --paper run simulates no resting stop or take-profit) (copy.mode entry-only from the config file)\nhint: add --max-hold-hours 48 (the time stop is the exit a paper run simulates), or --copy-mode mirror for this run\n`,
    );
    expect(exchangeActions()).toEqual(before);
  });

  it("with a time stop the run goes ahead (a dry reconcile plans)", async () => {
    const t = await trader();
    const r = await t.run([
      "reconcile",
      leader,
      "--copy-mode",
      "entry-only",
      "--max-hold-hours",
      "48",
      "--dry-run",
    ]);
    expect(r.stderr).not.toContain("entry-only never copies");
    expect([0, 3]).toContain(r.code);
  });

  it("backtest replays none of entry-only's exits: a stored entry-only is refused, the file not even read", async () => {
    const t = await trader();
    await t.run(["config", "set", "copy.mode", "entry-only"]);
    await t.run(["config", "set", "risk.maxHoldHours", "48"]);
    const missing = `${t.dir}/no-such-fills.json`;
    const r = await t.run(["backtest", "--fills", missing, "--equity", "1000"]);
    expect(existsSync(missing)).toBe(false);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "error: entry-only never copies the leader's exits and a backtest replays none of your own (no stop, take-profit or time stop) (copy.mode entry-only from the config file)\n" +
        "hint: hlcopy config set copy.mode mirror to backtest the copy in and out (a backtest reads copy.mode from the config file)\n",
    );
  });
});
