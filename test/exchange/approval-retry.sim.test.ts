// The approval check at start-up against a slow exchange (the simulator's latency fault): a
// request that times out is waited out and retried, told through onWait; one that keeps
// timing out gives up with exit 1 naming the check.

import { HttpTransport } from "@nktkas/hyperliquid";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Address } from "../../src/core/types.js";
import { ensureAgentApproved } from "../../src/exchange/agents.js";
import { StartupTimeoutError } from "../../src/exchange/retry.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { masterWithAgent } from "./helpers.js";

let sim: SimHandle;
beforeAll(async () => {
  sim = await startSim({ seed: 14, tickMs: 0 });
});
afterAll(async () => {
  await sim.close();
});

describe("the approval check against a slow exchange", () => {
  it("a timeout is retried: it waits, says so, and passes once the exchange answers in time", async () => {
    const { master, agentKey } = await masterWithAgent(sim, 1_000);
    const agentAddress = privateKeyToAccount(agentKey).address.toLowerCase() as Address;
    sim.control.fault({ kind: "latency", ms: 500 });
    const waits: string[] = [];
    // A client that gives up after 100 ms: the 500 ms latency is a timeout to it (its timer
    // always runs out first: it started before the exchange's).
    const transport = new HttpTransport({ apiUrl: sim.httpUrl, timeout: 100 });
    const status = await ensureAgentApproved({
      httpUrl: sim.httpUrl,
      isTestnet: false,
      transport,
      account: master.address,
      agentAddress,
      retry: { initialDelayMs: 50 },
      onWait: (line) => {
        waits.push(line);
        // The exchange answers in time again — and the retry has the SDK's default 10 s to get
        // it: 100 ms is a threshold a busy machine can miss, which would be a second wait.
        sim.control.fault({ kind: "latency", ms: 0 });
        transport.timeout = 10_000;
      },
    });
    expect(status.approved).toBe(true);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toMatch(
      /^warning: waiting for the agent approval check \(extraAgents\): cannot reach .*; retry 2 in/,
    );
  });

  it("a timeout that lasts gives up after startupTimeoutMs with exit 1", async () => {
    const { master, agentKey } = await masterWithAgent(sim, 1_000);
    sim.control.fault({ kind: "latency", ms: 400 });
    try {
      const error = await ensureAgentApproved({
        httpUrl: sim.httpUrl,
        isTestnet: false,
        transport: new HttpTransport({ apiUrl: sim.httpUrl, timeout: 100 }),
        account: master.address,
        agentAddress: privateKeyToAccount(agentKey).address.toLowerCase() as Address,
        startupTimeoutMs: 600,
        retry: { initialDelayMs: 50 },
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StartupTimeoutError);
      expect((error as StartupTimeoutError).exitCode).toBe(1);
      expect((error as Error).message).toMatch(/^gave up after 0\.6s waiting for the agent approval check/);
    } finally {
      sim.control.fault({ kind: "latency", ms: 0 });
    }
  });
});
