// agent show and agent approve ride out a failing read as every other command's start does: one
// 502 from a proxy ended `agent show` with exit 1, and `agent approve` skipped its account check
// on any failure — an exchange that could not be reached was found out only after the passphrase
// and the master key, as "outcome unknown". The real binary behind a proxy that fails the read.
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Address } from "../../src/core/types.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { masterWithAgent } from "../exchange/helpers.js";
import { type FaultProxy, failNext, startFaultProxy } from "../exchange/proxy.js";
import { runCli, tempDir } from "../helpers/cli.js";

let sim: SimHandle;
let proxy: FaultProxy;
beforeAll(async () => {
  sim = await startSim({ seed: 8, tickMs: 0 });
  proxy = await startFaultProxy(sim.httpUrl);
});
afterAll(async () => {
  await proxy.close();
  await sim.close();
});

/** A gateway's answer while the exchange behind it is away. */
const BAD_GATEWAY = {
  status: 502,
  body: "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body><center><h1>502 Bad Gateway</h1></center></body>\r\n</html>\r\n",
};

describe("agent commands wait out a failing read", () => {
  it("agent show: a 502 on extraAgents is said once and read again; exit 0", async () => {
    const { master, agentKey } = await masterWithAgent(sim, 1_000);
    proxy.setRule(failNext("extraAgents", 2, BAD_GATEWAY));
    const r = await runCli(["--network", proxy.httpUrl, "--account", master.address, "agent", "show"], {
      env: { HLCOPY_CONFIG_DIR: tempDir(), HLCOPY_AGENT_KEY: agentKey },
    });
    proxy.setRule(null);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^approved\s+yes$/m);
    expect(r.stderr).toMatch(
      /^warning: waiting for the account's agents \(extraAgents\): extraAgents failed: 502 Bad Gateway \(an HTML page: .*\); retry 2 in .*the retries after it \(with backoff\) are not shown\n$/,
    );
  });

  it("agent approve: a 502 on the account check is waited for before the master key; then it approves", async () => {
    const masterKey = generatePrivateKey();
    const master = privateKeyToAccount(masterKey).address.toLowerCase() as Address;
    sim.control.fund(master, 1_000);
    proxy.setRule(failNext("userRole", 2, BAD_GATEWAY));
    const r = await runCli(["--network", proxy.httpUrl, "--account", master, "agent", "approve"], {
      env: { HLCOPY_CONFIG_DIR: tempDir(), HLCOPY_AGENT_KEY: generatePrivateKey() },
      input: `${masterKey}\n`,
    });
    proxy.setRule(null);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Approved agent 0x[0-9a-f]{40} for /);
    // Said before the master key was asked for (the prompt goes to stderr after it).
    expect(r.stderr).toMatch(/^warning: waiting for the account's role \(userRole\): .*502 Bad Gateway/);
  });
});
