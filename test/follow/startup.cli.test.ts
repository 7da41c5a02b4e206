// One failed request at start-up is not fatal: the approval check, the markets and the first
// account reads retry what retrying can fix (429, 5xx) and say what they wait for; a failure
// that lasts ends with exit 1 and the reason after exec.startupTimeoutSeconds. The real
// binary, against the simulator (its own faults), or behind a proxy that fails one request type.

import { readdirSync } from "node:fs";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Address } from "../../src/core/types.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { leaderKeyForSeed, type ScriptedLeader, startScriptedLeader } from "../../src/sim/leader.js";
import { eventually, masterWithAgent } from "../exchange/helpers.js";
import { type FaultProxy, type ProxyRule, startFaultProxy } from "../exchange/proxy.js";
import { laterPort, runCli, tempDir } from "../helpers/cli.js";
import { spawnFollow } from "./helpers.js";

let sim: SimHandle;
let proxy: FaultProxy;
let account: Address;
let agentKey: `0x${string}`;
const leaderKey = leaderKeyForSeed(4242);
const leader = privateKeyToAccount(leaderKey).address.toLowerCase() as Address;

beforeAll(async () => {
  sim = await startSim({ seed: 44, tickMs: 0 });
  proxy = await startFaultProxy(sim.httpUrl);
  // Funded, it trades only once a test's run is on: the follows that copy it say
  // --allow-empty-leader (a leader with no position and no fill is refused otherwise).
  sim.control.fund(leader, 1_000_000);
});
// An account per test: what one test's run opened, another's fresh journal did not.
beforeEach(async () => {
  const f = await masterWithAgent(sim, 50_000);
  account = f.master.address;
  agentKey = f.agentKey;
});
afterAll(async () => {
  await proxy.close();
  await sim.close();
});

let leaderSeed = 2_100;
function trade(n: number, rate = 20): Promise<ScriptedLeader> {
  return startScriptedLeader({
    httpUrl: sim.httpUrl,
    seed: leaderSeed++,
    privateKey: leaderKey,
    ratePerSec: rate,
    coins: ["BTC", "ETH"],
    maxTrades: n,
    fundUsd: 0,
  });
}

/** The first `count` requests of `type` answer HTTP `status`, in turn. */
function failFirst(plan: Record<string, number[]>): ProxyRule {
  const left = Object.fromEntries(Object.entries(plan).map(([t, statuses]) => [t, [...statuses]]));
  return ({ type }) => {
    const status = left[type]?.shift();
    return status === undefined ? null : { status, body: status === 429 ? "rate limited" : "internal error" };
  };
}

const ordersFilled = (lines: Record<string, unknown>[]) =>
  lines.filter((l) => l.type === "order" && l.status === "filled").length;

describe("start-up survives transient failures", () => {
  it("follow: a 500 and a 429 on the approval check and on meta, then it copies", {
    timeout: 90_000,
  }, async () => {
    // The simulator's own faults hit the first /info requests: the approval check (extraAgents).
    sim.control.fault({ kind: "http500", count: 1, endpoint: "info", stage: "before" });
    sim.control.fault({ kind: "http429", count: 1, endpoint: "info" });
    // Once through, meta answers 500, then 429 (the proxy picks the request type).
    proxy.setRule(failFirst({ meta: [500, 429] }));
    const run = spawnFollow({
      httpUrl: proxy.httpUrl,
      account,
      leader,
      configDir: tempDir(),
      agentKey,
      extra: ["--allow-empty-leader", "--sweep-seconds", "3600"],
    });
    try {
      await eventually(() => run.lines.some((l) => l.type === "sweep"), 30_000);
      const warnings = run.lines.filter((l) => l.type === "warning").map((l) => String(l.message));
      expect(
        warnings.some((w) => /^waiting for the agent approval check \(extraAgents\): .*HTTP/.test(w)),
      ).toBe(true);
      expect(warnings.some((w) => /^waiting for the markets \(meta, allMids\): .*500/.test(w))).toBe(true);
      expect(run.lines.some((l) => l.type === "error")).toBe(false);
      const l = await trade(200);
      await eventually(() => ordersFilled(run.lines) >= 2, 15_000);
      await l.stop();
    } finally {
      run.child.kill("SIGTERM");
    }
    expect(await run.exit).toBe(0);
    expect(run.stderr()).toBe("");
    sim.control.reset();
    proxy.setRule(null);
  });

  it("follow: an exchange not reachable yet (connection refused) is waited for", {
    timeout: 90_000,
  }, async () => {
    // A port nothing listens on yet, and no other test's simulator can be given meanwhile.
    const port = await laterPort();
    const run = spawnFollow({
      httpUrl: `http://127.0.0.1:${port}`,
      account,
      leader,
      configDir: tempDir(),
      agentKey,
      extra: ["--allow-empty-leader", "--sweep-seconds", "3600"],
    });
    let late: FaultProxy | null = null;
    try {
      await eventually(
        () =>
          run.lines.some(
            (l) =>
              l.type === "warning" &&
              /^waiting for the agent approval check.*cannot reach/.test(String(l.message)),
          ),
        10_000,
      );
      late = await startFaultProxy(sim.httpUrl, port);
      await eventually(() => run.lines.some((l) => l.type === "sweep"), 20_000);
      const l = await trade(200);
      await eventually(() => ordersFilled(run.lines) >= 2, 15_000);
      await l.stop();
    } finally {
      run.child.kill("SIGTERM");
    }
    expect(await run.exit).toBe(0);
    await late?.close();
  });

  it("follow: a websocket that cannot connect at start is retried, then it copies", {
    timeout: 90_000,
  }, async () => {
    proxy.blockWebsockets(true);
    const run = spawnFollow({
      httpUrl: proxy.httpUrl,
      account,
      leader,
      configDir: tempDir(),
      agentKey,
      extra: ["--allow-empty-leader", "--sweep-seconds", "3600"],
    });
    try {
      await eventually(
        () =>
          run.lines.some(
            (l) => l.type === "warning" && /^waiting for the exchange's websocket: /.test(String(l.message)),
          ),
        20_000,
      );
      proxy.blockWebsockets(false);
      await eventually(() => run.lines.some((l) => l.type === "sweep"), 20_000);
      const l = await trade(200);
      await eventually(() => ordersFilled(run.lines) >= 2, 15_000);
      await l.stop();
    } finally {
      proxy.blockWebsockets(false);
      run.child.kill("SIGTERM");
    }
    expect(await run.exit).toBe(0);
  });

  it("reconcile: a 500 and a 429 on the approval check and on meta, then it copies", {
    timeout: 90_000,
  }, async () => {
    const l = await trade(3);
    await l.done;
    sim.control.fault({ kind: "http500", count: 1, endpoint: "info", stage: "before" });
    sim.control.fault({ kind: "http429", count: 1, endpoint: "info" });
    proxy.setRule(failFirst({ meta: [500, 429] }));
    const r = await runCli(
      [
        "--network",
        proxy.httpUrl,
        "--account",
        account,
        "--json",
        "reconcile",
        leader,
        "--mode",
        "fixed-ratio",
        "--ratio",
        "0.2",
        "--yes",
      ],
      { env: { HLCOPY_CONFIG_DIR: tempDir(), HLCOPY_AGENT_KEY: agentKey }, timeoutMs: 30_000 },
    );
    sim.control.reset();
    proxy.setRule(null);
    // Every wait is told on stderr (stdout is the report): the approval check's and the markets'.
    expect(r.stderr).toMatch(
      /^(warning: waiting for (the agent approval check \(extraAgents\)|the markets \(meta, allMids\)): .*\n)+$/,
    );
    expect(r.stderr).toContain("waiting for the markets");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout.trim().split("\n").at(-1) ?? "{}") as { inSync: boolean };
    expect(report.inSync).toBe(true);
  });
});

describe("start-up gives up on a failure that lasts", () => {
  it("an approval check that keeps failing: exit 1 after the timeout, one error line and a hint", {
    timeout: 90_000,
  }, async () => {
    sim.control.fault({ kind: "http500", count: 100_000, endpoint: "info", stage: "before" });
    const orders = sim.control.stats().actionByType.order ?? 0;
    const r = await runCli(
      [
        "--network",
        sim.httpUrl,
        "--account",
        account,
        "follow",
        leader,
        "--no-ui",
        "--startup-timeout-seconds",
        "2",
      ],
      { env: { HLCOPY_CONFIG_DIR: tempDir(), HLCOPY_AGENT_KEY: agentKey }, timeoutMs: 20_000 },
    );
    sim.control.reset();
    expect(r.code).toBe(1);
    // A wait line per retry that fits in the 2 s (none when a busy machine spends them on the
    // first attempt, as beside two CPU-bound processes), then one error line and a hint.
    const lines = r.stderr.trim().split("\n");
    expect(
      lines.slice(0, -2).every((x) => x.startsWith("warning: waiting for the agent approval check")),
    ).toBe(true);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.at(-2)).toMatch(
      /^error: gave up after 2s waiting for the agent approval check \(extraAgents\): .*500/,
    );
    expect(lines.at(-1)).toMatch(/^hint: .*startup-timeout-seconds/);
    expect(sim.control.stats().actionByType.order ?? 0).toBe(orders);
  });

  it("a stop signal during the wait ends it at once: exit 0, the lock released", {
    timeout: 90_000,
  }, async () => {
    sim.control.fault({ kind: "http500", count: 100_000, endpoint: "info", stage: "before" });
    const dir = tempDir();
    const run = spawnFollow({
      httpUrl: sim.httpUrl,
      account,
      leader,
      configDir: dir,
      agentKey,
      json: false,
      extra: ["--no-ui", "--startup-timeout-seconds", "600"],
    });
    try {
      await eventually(() => run.stderr().includes("warning: waiting for the agent approval check"), 10_000);
      run.child.kill("SIGTERM");
      expect(await run.exit).toBe(0);
    } finally {
      run.child.kill("SIGKILL");
      sim.control.reset();
    }
    expect(readdirSync(dir).filter((f) => /lock/.test(f))).toEqual([]);
  });

  it("markets that keep failing: exit 1 after the timeout with the reason", { timeout: 90_000 }, async () => {
    proxy.setRule(({ type }) => (type === "meta" ? { status: 502, body: "bad gateway" } : null));
    const r = await runCli(
      [
        "--network",
        proxy.httpUrl,
        "--account",
        account,
        "follow",
        leader,
        "--no-ui",
        "--startup-timeout-seconds",
        "2",
      ],
      { env: { HLCOPY_CONFIG_DIR: tempDir(), HLCOPY_AGENT_KEY: agentKey }, timeoutMs: 20_000 },
    );
    proxy.setRule(null);
    expect(r.code).toBe(1);
    // Each wait it told (none when a busy machine spends the 2 s on the first attempt) was for the markets.
    const waits = r.stdout.split("\n").filter((l) => l.includes("waiting for"));
    expect(waits.every((l) => /waiting for the markets \(meta, allMids\)/.test(l))).toBe(true);
    expect(r.stderr).toMatch(
      /^error: gave up after 2s waiting for the markets \(meta, allMids\): .*502.*\nhint: /,
    );
  });
});

describe("--json says why the start waits as it waits", () => {
  const WAIT = /^waiting for the markets \(meta, allMids\): .*500.*; retry \d+ in /;
  const waits = (lines: Record<string, unknown>[]) =>
    lines.filter((l) => l.type === "warning" && WAIT.test(String(l.message))).map((l) => String(l.message));

  it("the engine's retried reads are printed while they fail, before the start checks pass, each once", {
    timeout: 90_000,
  }, async () => {
    // Past the set-up's approval check, the engine's first reads (meta) fail until told otherwise.
    proxy.setRule(({ type }) => (type === "meta" ? { status: 500, body: "internal error" } : null));
    const run = spawnFollow({
      httpUrl: proxy.httpUrl,
      account,
      leader,
      configDir: tempDir(),
      agentKey,
      extra: ["--allow-empty-leader", "--sweep-seconds", "3600", "--startup-timeout-seconds", "60"],
    });
    try {
      // Said while the exchange still fails: --json kept them until the checks passed.
      await run.until(() => waits(run.lines).length >= 1);
      expect(run.lines.filter((l) => l.type === "start" || l.type === "sweep")).toEqual([]);
      proxy.setRule(null);
      await run.until(() => run.lines.some((l) => l.type === "sweep"));
      // Told once each: not again when the kept lines are shown once the checks passed.
      const said = waits(run.lines);
      expect(new Set(said).size).toBe(said.length);
      expect(run.lines.some((l) => l.type === "error")).toBe(false);
    } finally {
      proxy.setRule(null);
      run.child.kill("SIGTERM");
    }
    expect(await run.exit).toBe(0);
    expect(run.stderr()).toBe("");
  });

  it("a start that gives up prints what it waited for, then the error that names it", {
    timeout: 90_000,
  }, async () => {
    proxy.setRule(({ type }) => (type === "meta" ? { status: 500, body: "internal error" } : null));
    const run = spawnFollow({
      httpUrl: proxy.httpUrl,
      account,
      leader,
      configDir: tempDir(),
      agentKey,
      extra: ["--allow-empty-leader", "--startup-timeout-seconds", "5"],
    });
    const code = await run.exit.finally(() => proxy.setRule(null));
    expect(code).toBe(1);
    const types = run.lines.map((l) => l.type);
    // The waits, then the one error document (it ends the output): nothing of a run that did not start.
    expect(types.at(-1)).toBe("error");
    expect(types.slice(0, -1).every((t) => t === "warning")).toBe(true);
    expect(waits(run.lines).length).toBe(types.length - 1);
    expect(waits(run.lines).length).toBeGreaterThanOrEqual(1);
    expect(run.lines.at(-1)).toMatchObject({
      message: expect.stringMatching(/^gave up after 5s waiting for the markets \(meta, allMids\): .*500/),
      hint: expect.any(String),
    });
    expect(run.stderr()).not.toMatch(/error:/);
  });
});

describe("an error that ends the run is said once", () => {
  // The websocket is opened once the start checks have passed: failing it for good ends the run
  // from inside the engine (an error event, then the stop), not from the checks.
  const ws = (json: boolean) =>
    runCli(
      [
        "--network",
        proxy.httpUrl,
        "--account",
        account,
        ...(json ? ["--json"] : []),
        "follow",
        leader,
        "--no-ui",
        "--yes",
        "--startup-timeout-seconds",
        "2",
      ],
      { env: { HLCOPY_CONFIG_DIR: tempDir(), HLCOPY_AGENT_KEY: agentKey }, timeoutMs: 30_000 },
    );
  const GAVE_UP = "gave up after 2s waiting for the exchange's websocket";
  const times = (text: string) => text.split(GAVE_UP).length - 1;

  it("--no-ui: the stop line says how it ended, stderr says why — one error line and its hint", {
    timeout: 90_000,
  }, async () => {
    proxy.blockWebsockets(true);
    const r = await ws(false).finally(() => proxy.blockWebsockets(false));
    expect(r.code).toBe(1);
    expect(times(`${r.stdout}${r.stderr}`)).toBe(1);
    expect(r.stdout).toMatch(/ stop: could not start\n/);
    expect(r.stderr).toMatch(
      /^error: gave up after 2s waiting for the exchange's websocket: .*\nhint: .*\n$/,
    );
  });

  it("--json: one error line (fatal), nothing about it on stderr", { timeout: 90_000 }, async () => {
    proxy.blockWebsockets(true);
    const r = await ws(true).finally(() => proxy.blockWebsockets(false));
    expect(r.code).toBe(1);
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const errors = lines.filter((l) => l.type === "error");
    expect(errors).toEqual([
      expect.objectContaining({
        message: expect.stringContaining(GAVE_UP),
        hint: expect.any(String),
        fatal: true,
      }),
    ]);
    expect(lines.filter((l) => l.type === "stop")).toEqual([
      expect.objectContaining({ reason: "could not start" }),
    ]);
    expect(times(r.stdout)).toBe(1);
    expect(r.stderr).not.toMatch(/error:/);
  });
});

describe("garbage replies are refused by schema, retried like a 5xx, never a TypeError", () => {
  it("follow: meta answering garbage at start is waited out, then it copies", {
    timeout: 90_000,
  }, async () => {
    let left = 2;
    proxy.setRule(({ type }) =>
      type === "meta" && left-- > 0 ? { status: 200, body: { universe: 5 } } : null,
    );
    const run = spawnFollow({
      httpUrl: proxy.httpUrl,
      account,
      leader,
      configDir: tempDir(),
      agentKey,
      extra: ["--allow-empty-leader", "--sweep-seconds", "3600"],
    });
    try {
      await eventually(() => run.lines.some((l) => l.type === "sweep"), 30_000);
      const warnings = run.lines.filter((l) => l.type === "warning").map((l) => String(l.message));
      expect(warnings).toContainEqual(
        expect.stringMatching(
          /^waiting for the markets \(meta, allMids\): the exchange answered something unexpected to meta at universe: /,
        ),
      );
      const l = await trade(200);
      await eventually(() => ordersFilled(run.lines) >= 2, 15_000);
      await l.stop();
    } finally {
      run.child.kill("SIGTERM");
    }
    expect(await run.exit).toBe(0);
    expect(run.stderr()).toBe("");
    proxy.setRule(null);
  });

  it("reconcile: an account read that stays garbage ends with exit 1 naming the request", {
    timeout: 90_000,
  }, async () => {
    proxy.setRule(({ type }) =>
      type === "clearinghouseState"
        ? { status: 200, body: { marginSummary: "n/a", assetPositions: {} } }
        : null,
    );
    const orders = sim.control.stats().actionByType.order ?? 0;
    const r = await runCli(
      [
        "--network",
        proxy.httpUrl,
        "--account",
        account,
        "reconcile",
        leader,
        // Long enough for the start's other reads on a busy machine: the garbage read is the one
        // still failing when the run gives up (1 s once ran out during the approval check).
        "--startup-timeout-seconds",
        "5",
      ],
      { env: { HLCOPY_CONFIG_DIR: tempDir(), HLCOPY_AGENT_KEY: agentKey }, timeoutMs: 40_000 },
    );
    proxy.setRule(null);
    expect(r.code).toBe(1);
    // The waits are told first (warning lines), then one error line and its hint.
    expect(r.stderr).toMatch(
      /^(warning: waiting for .*\n)*error: gave up after 5s waiting for .*: the exchange answered something unexpected to clearinghouseState at \w+: .*\nhint: [^\n]+\n$/,
    );
    expect(r.stderr).not.toMatch(/TypeError|is not a function/);
    expect(sim.control.stats().actionByType.order ?? 0).toBe(orders);
  });
});
