// `agent approve` when the exchange is slow to answer (the real binary, through a proxy that
// holds the approval before it reaches the simulator): a late answer is said on one line — what
// it waits for, and what Ctrl-C does — instead of ten silent seconds. A stop while the approval
// is out waits for its outcome: the reply (approved, exit 0), or, with none, the account's agents
// (not listed: interrupted, exit 130, nothing approved).
import { type ChildProcess, spawn } from "node:child_process";
import type { Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterEach, describe, expect, it } from "vitest";
import type { Address } from "../../src/core/types.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { eventually } from "../exchange/helpers.js";
import { type FaultProxy, startFaultProxy } from "../exchange/proxy.js";
import { BIN, cleanEnv, runCli, tempDir } from "../helpers/cli.js";

const sims: SimHandle[] = [];
const proxies: FaultProxy[] = [];
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill("SIGKILL");
  await Promise.all(proxies.splice(0).map((p) => p.close()));
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

const LATE =
  "warning: no answer from the exchange to the approval after 3s; waiting up to 10s, then reading the account's agents (extraAgents) to learn whether it ran — Ctrl-C stops once that is known; a second Ctrl-C quits at once, leaving it unknown (hlcopy agent show then tells)";
const STOPPING =
  "stopping once the approval's outcome is known: it was sent and the exchange has not answered yet (a second Ctrl-C quits at once; hlcopy agent show then tells whether it was approved)";

/** A funded master with an agent key, its config pointing at a proxy that holds the next approval. */
async function setup() {
  const sim = await startSim({ seed: 12, tickMs: 0 });
  sims.push(sim);
  const proxy = await startFaultProxy(sim.httpUrl);
  proxies.push(proxy);
  const masterKey: Hex = generatePrivateKey();
  const master = privateKeyToAccount(masterKey).address.toLowerCase() as Address;
  sim.control.fund(master, 10_000);
  const env = { HLCOPY_CONFIG_DIR: tempDir(), HLCOPY_AGENT_KEY: generatePrivateKey() };
  const init = await runCli(["--network", proxy.httpUrl, "--account", master, "init"], { env });
  expect(init.code).toBe(0);
  const held = proxy.holdNext((q) => q.type === "approveAgent");
  const child = spawn(process.execPath, [BIN, "agent", "approve"], {
    env: cleanEnv(env),
    stdio: ["pipe", "pipe", "pipe"],
  });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d) => {
    stdout += d;
  });
  child.stderr?.on("data", (d) => {
    stderr += d;
  });
  child.stdin?.end(`${masterKey}\n`);
  const exit = new Promise<number | null>((resolve) => child.on("close", resolve));
  const lines = () => stderr.split("\n").filter((l) => l !== "");
  const approvals = () => sim.control.stats().actionByType.approveAgent ?? 0;
  return { child, exit, held, lines, stdout: () => stdout, approvals };
}

describe("agent approve with a slow answer", () => {
  it("says once that the answer is late, then approves when it comes: exit 0", {
    timeout: 60_000,
  }, async () => {
    const w = await setup();
    await w.held.held;
    await eventually(() => w.lines().includes(LATE), 20_000);
    w.held.release();
    expect(await w.exit).toBe(0);
    expect(w.lines()).toEqual([LATE]);
    expect(w.stdout()).toMatch(/^Approved agent /);
    expect(w.approvals()).toBe(1);
  });

  it("Ctrl-C while the approval is out waits for its outcome: the answer comes, approved, exit 0", {
    timeout: 60_000,
  }, async () => {
    const w = await setup();
    await eventually(() => w.lines().includes(LATE), 20_000);
    w.child.kill("SIGINT");
    await eventually(() => w.lines().includes(STOPPING), 20_000);
    w.held.release();
    expect(await w.exit).toBe(0);
    expect(w.lines()).toEqual([LATE, STOPPING]);
    expect(w.stdout()).toMatch(/^Approved agent /);
    expect(w.approvals()).toBe(1);
  });

  it("Ctrl-C and no answer: after the request's timeout the agents list says it did not run — interrupted, exit 130, nothing sent again", {
    timeout: 60_000,
  }, async () => {
    const w = await setup();
    await eventually(() => w.lines().includes(LATE), 20_000);
    w.child.kill("SIGINT");
    expect(await w.exit).toBe(130);
    expect(w.lines()).toEqual([LATE, STOPPING, "error: interrupted", "hint: nothing was changed"]);
    expect(w.approvals()).toBe(0);
  });
});
