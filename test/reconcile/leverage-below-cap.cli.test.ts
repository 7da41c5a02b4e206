// An exchange leverage below the leverage cap (--leverage 1 --max-leverage 5) is refused before a
// single order: margin at 1x backs at most 1x equity of positions, so a copy the cap lets grow
// past it has its orders refused by the exchange ("Insufficient margin") run after run. Exit 2,
// the error and its hint (--json: one error document), nothing sent, no journal written. A
// leverage at the cap is refused too (no margin left for fees and slippage); auto and a leverage
// above the cap trade, and a dry run (which sets no leverage) still plans, saying the live run
// would be refused.
// The real binary against a simulator.

import { readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { fundedAccount, masterWithAgent } from "../exchange/helpers.js";
import { jsonError, runCli, tempDir } from "../helpers/cli.js";

let sim: SimHandle;
let leader: string;
let follower: string;
let agentKey: string;

beforeAll(async () => {
  sim = await startSim({ seed: 17, tickMs: 0 });
  const l = fundedAccount(sim, 100_000);
  leader = l.address;
  // The leader at ~2.9x: ETH and SOL longs worth $290 000 on $100 000.
  for (const [a, sz, px] of [
    [1, "40", "3500"],
    [2, "800", "200"],
  ] as const) {
    await l.sdk.order({
      orders: [{ a, b: true, p: px, s: sz, r: false, t: { limit: { tif: "Ioc" } } }],
      grouping: "na",
    });
  }
  const f = await masterWithAgent(sim, 10_000);
  follower = f.master.address;
  agentKey = f.agentKey;
});
afterAll(async () => {
  await sim.close();
});

async function run(command: string, args: string[], dir = tempDir()) {
  const r = await runCli(
    ["--network", sim.httpUrl, "--account", follower, "--json", command, leader, ...args],
    { env: { HLCOPY_CONFIG_DIR: dir, HLCOPY_AGENT_KEY: agentKey } },
  );
  return { ...r, dir };
}

const orders = () => sim.control.stats().actionByType.order ?? 0;

describe("an exchange leverage below risk.maxLeverage", () => {
  it("reconcile --leverage 1 --max-leverage 5 is refused before any order (exit 2, JSON error, nothing on disk)", async () => {
    const before = orders();
    const r = await run("reconcile", ["--leverage", "1", "--max-leverage", "5", "--yes"]);
    expect(r.code).toBe(2);
    const error = jsonError(r.stdout);
    expect(error).toMatch(/^error: exec\.leverage 1x is below risk\.maxLeverage 5x/);
    expect(error).toMatch(/hint: raise --leverage to 6 .*or lower --max-leverage below 1, e\.g\. 0\.9 /);
    expect(orders()).toBe(before);
    expect(readdirSync(r.dir)).toEqual([]);
  });

  it("follow --leverage 2 (the cap's default 3x) is refused before it starts", async () => {
    const before = orders();
    const r = await run("follow", ["--leverage", "2", "--yes", "--no-ui"]);
    expect(r.code).toBe(2);
    expect(jsonError(r.stdout)).toMatch(/exec\.leverage 2x is below risk\.maxLeverage 3x/);
    expect(orders()).toBe(before);
  });

  it("a stored leverage below the cap is refused too, and a dry run (which sets none) still plans, saying a live run would be refused", async () => {
    const dir = tempDir();
    const set = await runCli(["config", "set", "exec.leverage", "2"], { env: { HLCOPY_CONFIG_DIR: dir } });
    expect(set.code).toBe(0);
    const live = await run("reconcile", ["--yes"], dir);
    expect(live.code).toBe(2);
    expect(jsonError(live.stdout)).toMatch(/exec\.leverage 2x is below risk\.maxLeverage 3x/);
    const dry = await run("reconcile", ["--dry-run"], dir);
    expect(dry.code).toBe(3);
    // "What would a live run do now?": be refused, so said (stderr, and the report's warnings).
    const said = "a live run would be refused now: exec.leverage 2x is below risk.maxLeverage 3x";
    expect(dry.stderr).toContain(`warning: ${said}`);
    const report = JSON.parse(dry.stdout) as { warnings: string[] };
    expect(report.warnings.some((w) => w.startsWith(said))).toBe(true);
  });

  // At the cap the copy filled to it needs all the margin the leverage gives, checked at the
  // order's limit price after fees: against the simulator (--leverage 3 --max-leverage 3, a copy
  // the cap binds) its last order was refused "Insufficient margin", as drift that never closes.
  it("a leverage at the cap is refused too: no margin left for fees and slippage", async () => {
    const before = orders();
    const r = await run("reconcile", ["--leverage", "3", "--max-leverage", "3", "--yes"]);
    expect(r.code).toBe(2);
    const error = jsonError(r.stdout);
    expect(error).toMatch(/^error: exec\.leverage 3x is at risk\.maxLeverage 3x: .*insufficient margin/);
    expect(error).toMatch(/hint: raise --leverage to 4 .*or lower --max-leverage below 3, e\.g\. 2\.7 /);
    expect(orders()).toBe(before);
  });

  it("a leverage above the cap trades: the copy is brought in sync", async () => {
    const r = await run("reconcile", ["--leverage", "4", "--yes"]);
    expect(r.code).toBe(0);
  });
});
