// A follow so early in its start that its control socket is not up yet (its start checks wait on
// the exchange) and it holds nothing of the journal: what pause and resume do meanwhile, and
// say (the real binaries against the simulator). resume clears the halt and the pause recorded
// for it — it reads both once its checks pass — and says so, exit 0; pause is recorded for it —
// it takes it as its socket comes up — so it starts paused, and both say so.

import { existsSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { engineClient } from "../../src/cli/wiring.js";
import type { Address } from "../../src/core/types.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { pendingPausePath } from "../../src/store/control.js";
import { action, eventually, fundedAccount, masterWithAgent } from "../exchange/helpers.js";
import { spawnFollow } from "../follow/helpers.js";
import { runCli, tempDir } from "../helpers/cli.js";

const sims: SimHandle[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

/** A leader holding ETH, and a follower whose agent is approved. */
async function world() {
  const sim = await startSim({ seed: 41, tickMs: 0 });
  sims.push(sim);
  const { master, agentKey } = await masterWithAgent(sim, 10_000);
  const leader = fundedAccount(sim, 1_000_000);
  const c = engineClient({
    httpUrl: sim.httpUrl,
    wsUrl: sim.wsUrl,
    isTestnet: false,
    account: leader.address,
    agentKey: leader.key as `0x${string}`,
  });
  const markets = await c.getMarkets();
  const eth = markets.ETH;
  if (!eth) throw new Error("ETH");
  const [r] = await c.placeOrders(
    [action(markets, "ETH", "buy", Number((50_000 / eth.mid).toFixed(eth.szDecimals)))],
    markets,
  );
  expect(r?.status).toBe("filled");
  const configDir = tempDir();
  const lockDir = tempDir("hlcopy-locks-");
  const env = { HLCOPY_CONFIG_DIR: configDir, HLCOPY_LOCK_DIR: lockDir, HLCOPY_AGENT_KEY: agentKey };
  const follower = master.address;
  const cli = (args: string[]) =>
    runCli(["--network", sim.httpUrl, "--account", follower, ...args], { env, timeoutMs: 30_000 });
  const net = { name: sim.httpUrl, httpUrl: sim.httpUrl };
  return { sim, follower, leader: leader.address as Address, configDir, lockDir, env, cli, net, agentKey };
}

describe("a follow whose control socket is not up yet (its start checks wait on the exchange)", () => {
  it("resume clears the halt and the recorded pause and says what it did (exit 0); pause is recorded: it starts paused and says so", {
    timeout: 120_000,
  }, async () => {
    const w = await world();
    // A halt in the journal (flatten with no follow running) and a pause recorded for the next follow.
    expect((await w.cli(["flatten", "--yes"])).code).toBe(0);
    expect((await w.cli(["pause"])).code).toBe(0);
    const marker = pendingPausePath(w.lockDir, w.net, w.follower);
    expect(existsSync(marker)).toBe(true);

    // Every info request answers 429: the follow's agent check retries, its socket not up yet.
    w.sim.control.fault({ kind: "http429", count: 1_000_000, endpoint: "info" });
    const run = spawnFollow({
      httpUrl: w.sim.httpUrl,
      account: w.follower,
      leader: w.leader,
      configDir: w.configDir,
      agentKey: w.agentKey,
      env: { HLCOPY_LOCK_DIR: w.lockDir },
      extra: ["--sweep-seconds", "3600"],
    });
    try {
      const pid = await eventually(async () => {
        const s = JSON.parse((await w.cli(["--json", "status"])).stdout) as {
          starting: { pid: number } | null;
        };
        return s.starting?.pid;
      }, 20_000);
      expect(pid).toBe(run.child.pid);

      // resume: the halt cleared in the journal, the pause the follow would take dropped.
      const resumed = await w.cli(["resume", "--yes"]);
      expect(resumed.stderr).toBe("");
      expect(resumed.code).toBe(0);
      expect(resumed.stdout).toMatch(
        new RegExp(
          `^the follow \\(pid ${pid}\\) is still starting \\(its control socket is not up yet\\): it reads the journal once its checks pass, so it starts without the halt; cleared the pause it would have started with\\n` +
            "resumed: cleared 1 halt\\(s\\) \\(manual: flatten requested \\(hlcopy flatten\\)\\); high-water mark reset to \\$[0-9,.]+, the equity recorded \\S+ ago \\(the next run measures drawdown from it\\)\\n$",
        ),
      );
      expect(existsSync(marker)).toBe(false);
      let json = JSON.parse((await w.cli(["--json", "status"])).stdout) as Record<string, unknown>;
      expect(json).toMatchObject({ halt: null, paused: null, starting: { pid } });

      // pause: recorded where the follow takes it as its socket comes up, and said so (exit 0).
      const paused = await w.cli(["pause"]);
      expect(paused).toEqual({
        code: 0,
        stdout: `the follow (pid ${pid}) is still starting (its control socket is not up yet): recorded, it starts paused and says so: no leader trade copied until hlcopy resume (should it not start, the next follow does)\n`,
        stderr: "",
      });
      expect(existsSync(marker)).toBe(true);
      json = JSON.parse((await w.cli(["--json", "status"])).stdout) as Record<string, unknown>;
      expect(json).toMatchObject({ halt: null, paused: { running: false }, starting: { pid } });
      const asJson = JSON.parse((await w.cli(["--json", "pause"])).stdout) as Record<string, unknown>;
      expect(asJson).toMatchObject({ type: "pause", running: true, did: "recorded", pid });

      // The exchange answers again: the follow starts paused, says so, and sends nothing …
      w.sim.control.fault({ kind: "http429", count: 0, endpoint: "info" });
      await eventually(() => run.lines.some((l) => l.type === "sweep"), 60_000);
      expect(run.lines.filter((l) => l.type === "halt")).toEqual([]);
      expect(run.lines.some((l) => l.type === "warning" && /^started paused/.test(String(l.message)))).toBe(
        true,
      );
      expect(w.sim.control.orderHistory(w.follower)).toEqual([]);
      // … until resume, which reaches it now through its socket.
      const lifted = await w.cli(["resume"]);
      expect(lifted.code).toBe(0);
      expect(lifted.stdout).toMatch(/^resumed the running follow/);
      await eventually(() => w.sim.control.orderHistory(w.follower).length > 0, 20_000);
    } finally {
      run.child.kill("SIGTERM");
      await run.exit;
    }
  });
});
