// agent approve asks the exchange what the account is before any secret is typed (the real binary
// against the simulator): an address with no deposit could never approve an agent — the
// exchange said "Must deposit before performing actions" after the passphrase and the master key
// — and a sub-account's agent is approved on its master.
import { ExchangeClient, HttpTransport } from "@nktkas/hyperliquid";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterEach, describe, expect, it } from "vitest";
import type { Address } from "../../src/core/types.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { runCli, tempDir } from "../helpers/cli.js";

const sims: SimHandle[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

async function world() {
  const sim = await startSim({ seed: 3, tickMs: 0 });
  sims.push(sim);
  const masterKey = generatePrivateKey();
  const master = privateKeyToAccount(masterKey).address.toLowerCase() as Address;
  const env = { HLCOPY_CONFIG_DIR: tempDir(), HLCOPY_AGENT_KEY: generatePrivateKey() };
  return { sim, masterKey, master, env };
}

describe("agent approve: the account as the exchange knows it, before the master key", () => {
  it("an address with no deposit is exit 2 saying so; the master key is not asked for", async () => {
    const w = await world();
    const r = await runCli(["--network", w.sim.httpUrl, "--account", w.master, "agent", "approve"], {
      env: w.env,
      input: `${w.masterKey}\n`,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `error: ${w.master} is not an account on ${w.sim.httpUrl} (no deposit yet): the exchange approves agents only for an account that has deposited\n` +
        "hint: deposit USDC to it first, or check --account (your master account, the one that holds the funds)\n",
    );
    expect(r.stderr).not.toContain("Master private key");
    // Funded, the same command approves.
    w.sim.control.fund(w.master, 1_000);
    const ok = await runCli(["--network", w.sim.httpUrl, "--account", w.master, "agent", "approve"], {
      env: w.env,
      input: `${w.masterKey}\n`,
    });
    expect(ok.code, ok.stderr).toBe(0);
  });

  it("a sub-account is exit 2 naming its master, where the agent is approved", async () => {
    const w = await world();
    w.sim.control.fund(w.master, 10_000);
    const sdk = new ExchangeClient({
      transport: new HttpTransport({ apiUrl: w.sim.httpUrl }),
      wallet: privateKeyToAccount(w.masterKey),
    });
    const sub = (await sdk.createSubAccount({ name: "copy" })).response.data.toLowerCase();
    await sdk.subAccountTransfer({ subAccountUser: sub, isDeposit: true, usd: 1_000 * 1e6 });
    const r = await runCli(["--network", w.sim.httpUrl, "--account", sub, "agent", "approve"], {
      env: w.env,
      input: `${w.masterKey}\n`,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `error: ${sub} is a sub-account of ${w.master}: agents are approved on the master, and trade the sub-account from there\n` +
        `hint: hlcopy --account ${w.master} agent approve, then copy with --account ${sub}\n`,
    );
  });
});
