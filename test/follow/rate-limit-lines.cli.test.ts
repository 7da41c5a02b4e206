// An HTTP 429 during follow, as a trader reads it (the real binary, --no-ui lines): one
// `rate limit:` line per 429, naming the request that was refused and how long every request
// waits — not that line and then the same error twice more as "waiting 0ms". The 429s come from
// a proxy in front of the simulator that refuses only this follow's requests (the simulator's own
// http429 fault would as often hit the scripted leader's).
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Address } from "../../src/core/types.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { leaderKeyForSeed, startScriptedLeader } from "../../src/sim/leader.js";
import { eventually, masterWithAgent } from "../exchange/helpers.js";
import { type FaultProxy, startFaultProxy } from "../exchange/proxy.js";
import { tempDir } from "../helpers/cli.js";
import { spawnFollow } from "./helpers.js";

let sim: SimHandle;
let proxy: FaultProxy;
beforeAll(async () => {
  sim = await startSim({ seed: 47, tickMs: 0 });
  proxy = await startFaultProxy(sim.httpUrl);
});
afterAll(async () => {
  await proxy.close();
  await sim.close();
});

describe("follow meets an HTTP 429", () => {
  it("one line per 429, naming the action (updateLeverage, order) and the wait", {
    timeout: 90_000,
  }, async () => {
    const leaderKey = leaderKeyForSeed(4_701);
    const leader = privateKeyToAccount(leaderKey).address.toLowerCase() as Address;
    sim.control.fund(leader, 1_000_000);
    const { master, agentKey } = await masterWithAgent(sim, 50_000);
    // The first leverage update and the first order batch this follow sends are refused with 429.
    const left: Record<string, number> = { updateLeverage: 1, order: 1 };
    proxy.setRule((q) => {
      if (q.endpoint !== "exchange" || !(left[q.type] ?? 0)) return null;
      left[q.type] = (left[q.type] ?? 0) - 1;
      return { status: 429, body: "Too Many Requests" };
    });
    const run = spawnFollow({
      httpUrl: proxy.httpUrl,
      account: master.address,
      leader,
      configDir: tempDir(),
      agentKey,
      json: false,
      // The leader, funded a moment ago, makes its first trade once the run is on.
      extra: ["--allow-empty-leader", "--no-ui", "--sweep-seconds", "3"],
    });
    const text = () => run.lines.map((l) => String(l.text ?? "")).filter((t) => t !== "");
    const filled = () => text().some((t) => / order .* filled/.test(t));
    try {
      await eventually(() => run.running() && text().some((t) => / sweep /.test(t)), 20_000);
      const trades = await startScriptedLeader({
        httpUrl: sim.httpUrl,
        seed: 4_702,
        privateKey: leaderKey,
        ratePerSec: 10,
        coins: ["BTC", "ETH", "SOL"],
        maxTrades: 6,
        fundUsd: 0,
      });
      await trades.done;
      // Both 429s were met, and copying went on past them.
      await eventually(
        () => run.running() && left.updateLeverage === 0 && left.order === 0 && filled(),
        30_000,
      );
    } finally {
      run.child.kill("SIGTERM");
    }
    expect(await run.exit).toBe(0);
    // (The budget's own pacing after a 429 spent its tokens is a line of another kind.)
    const limits = text().filter(
      (t) => / rate limit: /.test(t) && !t.endsWith("(request budget: pacing requests)"),
    );
    expect(limits).toEqual([
      expect.stringMatching(
        / rate limit: waiting \d\.\d\ds \(updateLeverage answered HTTP 429; every request waits\)$/,
      ),
      expect.stringMatching(
        / rate limit: waiting \d\.\d\ds \(order answered HTTP 429; every request waits\)$/,
      ),
    ]);
    expect(text().join("\n")).not.toContain("waiting 0ms");
  });
});
