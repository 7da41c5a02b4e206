// The control commands a trader needs in an emergency — stop, pause, resume, flatten — are not
// refused over a config file they cannot read when the network and the account are given on the
// command line: they act on those, saying the file was not read. Until 2026-12-06 every one of
// them was exit 2 over the file, an emergency flatten included. Without both, the file's error
// stands and nothing is done, its hint naming the way out. The real binary against the simulator.

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Address } from "../../src/core/types.js";
import type { SimHandle } from "../../src/sim/index.js";
import { masterWithAgent } from "../exchange/helpers.js";
import { liftPauseAfter, runCli, tempDir } from "../helpers/cli.js";
import { type LeaderWorld, leaderWorld } from "./leader-world.js";

let world: LeaderWorld;
let sim: SimHandle;
let leader: Address;

beforeAll(async () => {
  world = await leaderWorld(2031);
  ({ sim, leader } = world);
});
afterAll(async () => {
  await sim.close();
});

describe("a config file that cannot be read", () => {
  it("flatten and stop act on --network and --account, saying so; without them the file's error stands and nothing is done", {
    timeout: 120_000,
  }, async () => {
    const { master, agentKey } = await masterWithAgent(sim, 50_000);
    liftPauseAfter(sim.httpUrl, master.address);
    const dir = tempDir();
    const env = { HLCOPY_CONFIG_DIR: dir, HLCOPY_AGENT_KEY: agentKey };
    const given = ["--network", sim.httpUrl, "--account", master.address];
    const copied = await runCli(
      [...given, "reconcile", leader, "--mode", "fixed-ratio", "--ratio", "0.2", "--yes"],
      { env, timeoutMs: 30_000 },
    );
    expect(copied.code, copied.stderr).toBe(0);
    expect((await world.positions(master.address)).length).toBeGreaterThan(0);
    // A hand edit gone wrong: a trailing comma.
    const config = join(dir, "config.json");
    const broken = `{"network": "${sim.httpUrl}", "account": "${master.address}", "risk": {"maxLeverage": 3,}}\n`;
    writeFileSync(config, broken);
    const sent = sim.control.orderHistory(master.address).length;

    // The network and the account only in the file: refused, the way out in the hint.
    const refused = await runCli(["flatten", "--yes"], { env, timeoutMs: 30_000 });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      new RegExp(
        `^error: config file ${config.replaceAll(".", "\\.")} is not valid JSON \\(line 1, column \\d+\\)\\nhint: fix it by hand, .*; or flatten without it, naming the network and the account: hlcopy --network <network> --account 0x… flatten\\n$`,
      ),
    );
    expect(sim.control.orderHistory(master.address).length).toBe(sent);

    // Given: said, then done.
    const flat = await runCli([...given, "flatten", "--yes"], { env, timeoutMs: 30_000 });
    expect(flat.code, flat.stderr).toBe(0);
    expect(flat.stderr).toMatch(
      /^warning: config file .* is not valid JSON .*: not read — flatten acts on --network http:\/\/127\.0\.0\.1:\d+ and the account given \(with no follow running, its closes use the default settings\)\n/,
    );
    expect(flat.stdout).toMatch(/no position left; halted \(manual\) until hlcopy resume/);
    expect((await world.positions(master.address)).length).toBe(0);

    const stop = await runCli([...given, "stop"], { env, timeoutMs: 30_000 });
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stderr).toMatch(/^warning: config file .*: not read — stop acts on --network /);
    expect(stop.stdout).toMatch(/no follow is running/);
    // The file is left as it was, for the trader to fix.
    expect(readFileSync(config, "utf8")).toBe(broken);
  });
});
