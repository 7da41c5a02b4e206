// The websocket down for a while mid-run (a proxy that stops upgrading, a firewall): its drop
// was one `ws reconnecting` line, then the sweeps' "in sync" lines as if nothing were amiss while
// the leader's trades were copied only at each sweep. The real binary behind a proxy that
// refuses the upgrade: one warning naming the outage and what copying rests on, once.

import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Address } from "../../src/core/types.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { leaderKeyForSeed } from "../../src/sim/leader.js";
import { masterWithAgent } from "../exchange/helpers.js";
import { type FaultProxy, startFaultProxy } from "../exchange/proxy.js";
import { tempDir } from "../helpers/cli.js";
import { leaderTrades, spawnFollow } from "./helpers.js";

let sim: SimHandle;
let proxy: FaultProxy;
const leaderKey = leaderKeyForSeed(4343);
const leader = privateKeyToAccount(leaderKey).address.toLowerCase() as Address;

beforeAll(async () => {
  sim = await startSim({ seed: 45, tickMs: 0 });
  proxy = await startFaultProxy(sim.httpUrl);
  sim.control.fund(leader, 1_000_000);
  await leaderTrades(sim, leaderKey, { seed: 77, trades: 2 });
});
afterAll(async () => {
  await proxy.close();
  await sim.close();
});

const wsDownWarnings = (lines: Record<string, unknown>[]) =>
  lines.filter((l) => l.type === "warning" && /^websocket down for \d+s /.test(String(l.message)));

describe("follow with its websocket refused mid-run", () => {
  it("says once that it is down and that trades are copied at each sweep; the run goes on", {
    timeout: 90_000,
  }, async () => {
    const { master, agentKey } = await masterWithAgent(sim, 50_000);
    const run = spawnFollow({
      httpUrl: proxy.httpUrl,
      account: master.address,
      leader,
      configDir: tempDir(),
      agentKey,
      extra: ["--sweep-seconds", "1"],
    });
    try {
      await run.until(() => run.sweeps() > 0);
      proxy.blockWebsockets(true);
      sim.control.fault({ kind: "dropWs" });
      await run.until(() => wsDownWarnings(run.lines).length > 0, 40_000);
      expect(String(wsDownWarnings(run.lines)[0]?.message)).toMatch(
        /^websocket down for \d+s \(.+\): the leaders' trades are copied only at each sweep \(every 1s\) until it is back/,
      );
      // Sweeps go on meanwhile, and the outage is not said again at each one.
      const sweeps = run.sweeps();
      await run.until(() => run.sweeps() >= sweeps + 3, 20_000);
      expect(wsDownWarnings(run.lines)).toHaveLength(1);
      proxy.blockWebsockets(false);
      await run.until(() => run.lines.some((l) => l.type === "reconnect"), 40_000);
    } finally {
      proxy.blockWebsockets(false);
      run.child.kill("SIGTERM");
    }
    expect(await run.exit).toBe(0);
  });
});
