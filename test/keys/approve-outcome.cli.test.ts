// `agent approve` when the exchange's answer is not a plain yes or no (the real binary against the
// simulator): a reply lost after the approval ran (HTTP 500 after it ran, a cut connection) is
// made known by reading the account's agents — approved, exit 0, saying the reply was lost; a
// request that did not run (a 500 before it ran, a 429) is sent again after a wait said on
// stderr, so the master key is typed once; one that never runs ends in one error whose hint says
// nothing was approved.
import type { Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterEach, describe, expect, it } from "vitest";
import type { Address } from "../../src/core/types.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { type FaultProxy, type ProxyAnswer, startFaultProxy } from "../exchange/proxy.js";
import { runCli, tempDir } from "../helpers/cli.js";

const sims: SimHandle[] = [];
const proxies: FaultProxy[] = [];
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.close()));
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

/** A simulator (no scripted leader: every request is ours), a funded master, a config dir with an agent key. */
async function setup(through?: (sim: SimHandle) => Promise<string>) {
  const sim = await startSim({ seed: 11, tickMs: 0 });
  sims.push(sim);
  const masterKey: Hex = generatePrivateKey();
  const master = privateKeyToAccount(masterKey).address.toLowerCase() as Address;
  sim.control.fund(master, 10_000);
  const agentKey = generatePrivateKey();
  const agent = privateKeyToAccount(agentKey).address.toLowerCase();
  const url = through ? await through(sim) : sim.httpUrl;
  const env = { HLCOPY_CONFIG_DIR: tempDir(), HLCOPY_AGENT_KEY: agentKey };
  const init = await runCli(["--network", url, "--account", master, "init"], { env });
  expect(init.code).toBe(0);
  const approve = (global: string[] = []) =>
    runCli([...global, "agent", "approve"], { env, input: `${masterKey}\n` });
  const approvals = () => sim.control.stats().actionByType.approveAgent ?? 0;
  const listed = async () => {
    const show = await runCli(["--json", "agent", "show"], { env });
    return JSON.parse(show.stdout) as { approved: boolean; validUntil: number | null };
  };
  return { sim, env, agent, approve, approvals, listed };
}

/** A fault proxy in front of the simulator that answers the first approveAgent with `answer`. */
const firstApprovalAnswered = (answer: ProxyAnswer) => async (sim: SimHandle) => {
  const proxy = await startFaultProxy(sim.httpUrl);
  proxies.push(proxy);
  let left = 1;
  proxy.setRule((q) => (q.type === "approveAgent" && left-- > 0 ? answer : null));
  return proxy.httpUrl;
};

describe("agent approve with a lost or refused reply", () => {
  it("the approval ran but its reply was a 500: approved, exit 0, the lost reply said; sent once", {
    timeout: 60_000,
  }, async () => {
    const w = await setup();
    w.sim.control.fault({ kind: "http500", count: 1, stage: "after", endpoint: "exchange" });
    const r = await w.approve();
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Approved agent ${w.agent} for `));
    expect(r.stdout).toMatch(
      /\(the exchange's reply was lost: 500 .*; its list of agents shows this approval\)\n/,
    );
    expect(r.stdout).toMatch(/ {2}valid until {2}\d{4}-\d\d-\d\d \d\d:\d\d UTC \(90 days left\)\n/);
    expect(w.approvals()).toBe(1);
    expect((await w.listed()).approved).toBe(true);
  });

  it("the connection was cut after it ran: approved, exit 0 (--json says replyLost)", {
    timeout: 60_000,
  }, async () => {
    const w = await setup(firstApprovalAnswered({ status: 0, body: "", after: true, cut: true }));
    const r = await w.approve(["--json"]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { approved: boolean; validUntil: number; replyLost: string };
    expect(doc).toMatchObject({ type: "agent", approved: true, replyLost: expect.any(String) });
    expect(w.approvals()).toBe(1);
    // As the exchange lists it: the approval just signed, not an earlier one.
    expect(await w.listed()).toMatchObject({ approved: true, validUntil: doc.validUntil });
  });

  it("a 500 before it ran: not listed, so it is sent again after a wait said on stderr; approved, exit 0", {
    timeout: 60_000,
  }, async () => {
    const w = await setup();
    w.sim.control.fault({ kind: "http500", count: 1, stage: "before", endpoint: "exchange" });
    const r = await w.approve();
    expect(r.stderr).toMatch(
      /^warning: approveAgent: its reply was lost \(500 [^)]*\) and the exchange does not list the approval; sending it again in 1s unless it is listed by then \(attempt 2 of 4\)\n$/,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Approved agent /);
    expect(r.stdout).not.toContain("reply was lost");
    expect(w.approvals()).toBe(2);
    expect((await w.listed()).approved).toBe(true);
  });

  it("a 500 answered before the approval ran, which then lands: found listed before any resend; approved, exit 0", {
    timeout: 60_000,
  }, async () => {
    // The exchange answers 500 at once and runs the request 300 ms later (a slow node).
    const w = await setup(firstApprovalAnswered({ status: 500, body: "busy", late: 300 }));
    const r = await w.approve();
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("the exchange's reply was lost");
    // One approval: the first, found listed after the wait, was not sent again.
    expect(w.approvals()).toBe(1);
  });

  it("a 429: said, waited, sent again; approved, exit 0", { timeout: 60_000 }, async () => {
    const w = await setup();
    w.sim.control.fault({ kind: "http429", count: 1, endpoint: "exchange" });
    const r = await w.approve();
    expect(r.stderr).toBe(
      "warning: rate-limited by the exchange (HTTP 429) on approveAgent; nothing was approved — sending it again in 1s (attempt 2 of 4)\n",
    );
    expect(r.code).toBe(0);
    expect((await w.listed()).approved).toBe(true);
  });

  it("a request that never runs: one error after its retries, the hint says nothing was approved", {
    timeout: 90_000,
  }, async () => {
    const w = await setup();
    w.sim.control.fault({ kind: "http500", count: 10, stage: "before", endpoint: "exchange" });
    const r = await w.approve();
    expect(r.code).toBe(1);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines.filter((l) => l.startsWith("warning: "))).toHaveLength(3);
    expect(lines.slice(-2)).toEqual([
      expect.stringMatching(
        /^error: approveAgent did not run: its reply was lost \(500 .*\) and the exchange does not list the approval \(4 attempts\)$/,
      ),
      "hint: nothing was approved: wait a minute, then run hlcopy agent approve again",
    ]);
    expect(w.approvals()).toBe(4);
    expect((await w.listed()).approved).toBe(false);
  });
});
