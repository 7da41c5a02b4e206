// The engine's start: a stop that comes before run() (a signal during the command's set-up)
// means run() begins nothing — no run row, no request — and resolves with the stop's code.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { engineClient, streamsOpener } from "../../src/cli/wiring.js";
import { defaultSettings } from "../../src/core/settings.js";
import { CopyEngine } from "../../src/engine/engine.js";
import { liveExecutor } from "../../src/engine/executor.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { openJournal } from "../../src/store/journal.js";
import { fundedAccount, masterWithAgent } from "../exchange/helpers.js";

let sim: SimHandle;
beforeAll(async () => {
  sim = await startSim({ seed: 13, tickMs: 0 });
});
afterAll(async () => {
  await sim.close();
});

describe("a stop before run()", () => {
  it("begins nothing: exit 0, no run journaled, no request made", async () => {
    const leader = fundedAccount(sim, 1_000);
    const { master, agentKey } = await masterWithAgent(sim, 1_000);
    const client = engineClient({
      httpUrl: sim.httpUrl,
      wsUrl: sim.wsUrl,
      isTestnet: false,
      account: master.address,
      agentKey,
    });
    const journal = openJournal(":memory:");
    const engine = new CopyEngine({
      reader: client,
      executor: liveExecutor(client),
      journal,
      settings: defaultSettings(),
      leaders: [{ address: leader.address, weight: 1 }],
      account: master.address,
      network: sim.httpUrl,
      mode: "live",
      command: "follow",
    });
    const requests = sim.control.stats().requests.info;
    expect(await engine.stop("signal during start-up")).toBe(0);
    const code = await engine.run(
      streamsOpener({
        wsUrl: sim.wsUrl,
        isTestnet: false,
        leaders: [leader.address],
        account: master.address,
      }),
    );
    expect(code).toBe(0);
    expect(journal.lastRun()).toBeNull();
    expect(sim.control.stats().requests.info).toBe(requests);
    journal.close();
  });
});
