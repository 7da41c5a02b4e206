// `hlcopy alerts test` and a follow's alerts, through the real binary and a real webhook receiver.

import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Address } from "../../src/core/types.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { leaderKeyForSeed, startScriptedLeader } from "../../src/sim/leader.js";
import { journalPath, openJournal } from "../../src/store/journal.js";
import { eventually, fundedAccount, masterWithAgent } from "../exchange/helpers.js";
import { spawnFollow } from "../follow/helpers.js";
import { runCli, tempDir, unwrapped } from "../helpers/cli.js";
import { type Receiver, startReceiver } from "./receiver.js";

let receiver: Receiver;
afterEach(async () => {
  await receiver?.close();
});

describe("hlcopy alerts test", () => {
  it("posts a test message in the configured format and says it was sent", async () => {
    receiver = await startReceiver("/bot123:SECRET/sendMessage");
    const dir = tempDir();
    const env = { HLCOPY_CONFIG_DIR: dir };
    for (const [k, v] of [
      ["alerts.webhook", receiver.url],
      ["alerts.format", "telegram"],
      ["alerts.telegramChatId", "-42"],
    ] as const) {
      expect((await runCli(["config", "set", k, v], { env })).code).toBe(0);
    }
    const r = await runCli(["alerts", "test"], { env });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^sent: http:\/\/127\.0\.0\.1:\d+\/… \(telegram\)\n$/);
    // The bot token in the URL is never printed.
    expect(r.stdout).not.toContain("SECRET");
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]?.path).toBe("/bot123:SECRET/sendMessage");
    expect(receiver.received[0]?.body).toMatchObject({
      chat_id: "-42",
      text: expect.stringMatching(/test alert/),
    });
  });

  it("retries a 500, and exits 1 with error and hint when the webhook keeps failing", async () => {
    receiver = await startReceiver();
    const env = { HLCOPY_CONFIG_DIR: tempDir() };
    receiver.statuses.push(500);
    const ok = await runCli(["--json", "alerts", "test", "--alert-webhook", receiver.url], { env });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({
      type: "alertsTest",
      format: "json",
      results: [{ ok: true, attempts: 2 }],
    });
    receiver.statuses.push(500, 500);
    const bad = await runCli(["alerts", "test", "--alert-webhook", receiver.url], { env });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /^error: 1 of 1 webhook\(s\) did not take the test alert\nhint: check the URL/,
    );
  });

  it("with no webhook configured: exit 2, error and hint, nothing sent", async () => {
    const r = await runCli(["alerts", "test"], { env: { HLCOPY_CONFIG_DIR: tempDir() } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: no alert webhook configured\nhint: hlcopy config set alerts\.webhook/);
  });
});

describe("follow's alerts", () => {
  let sim: SimHandle;
  beforeAll(async () => {
    sim = await startSim({ seed: 18, tickMs: 0 });
  });
  afterAll(async () => {
    await sim.close();
  });

  it("tell the agent expiring soon, the agent-expired halt and the run stopping, in Slack's shape", {
    timeout: 60_000,
  }, async () => {
    receiver = await startReceiver();
    const leaderKey = leaderKeyForSeed(18_000);
    const leader = privateKeyToAccount(leaderKey).address.toLowerCase() as Address;
    sim.control.fund(leader, 1_000_000);
    const master = fundedAccount(sim, 50_000);
    const agentKey = generatePrivateKey();
    // Ends in 2 days: the "expiring soon" alert goes out at start. No race with the clock: the
    // approval then ends because the master replaces the agent (same name), as a real
    // re-approval elsewhere would, and the next order is refused.
    await master.sdk.approveAgent({
      agentAddress: privateKeyToAccount(agentKey).address,
      agentName: `hlcopy valid_until ${Date.now() + 2 * 86_400_000}`,
    });
    const run = spawnFollow({
      httpUrl: sim.httpUrl,
      account: master.address,
      leader,
      configDir: tempDir(),
      agentKey,
      // The leader, funded a moment ago, trades only once the run is on: it has not traded yet.
      extra: [
        "--allow-empty-leader",
        "--no-ui",
        "--sweep-seconds",
        "3600",
        "--alert-webhook",
        receiver.url,
        "--alert-format",
        "slack",
      ],
    });
    const texts = () => receiver.received.map((r) => String(r.body.text));
    try {
      await eventually(() => texts().some((t) => /agent approval ends in [12] day/.test(t)), 30_000);
      await master.sdk.approveAgent({
        agentAddress: privateKeyToAccount(generatePrivateKey()).address,
        agentName: `hlcopy valid_until ${Date.now() + 90 * 86_400_000}`,
      });
      const l = await startScriptedLeader({
        httpUrl: sim.httpUrl,
        seed: 18_001,
        privateKey: leaderKey,
        ratePerSec: 10,
        coins: ["BTC", "ETH"],
        maxTrades: 1_000,
        fundUsd: 0,
      });
      const code = await run.exit;
      await l.stop();
      expect(code).toBe(4);
      // The stopped alert is flushed before the process exits.
      expect(texts().some((t) => /hlcopy halted: agent approval expired/.test(t))).toBe(true);
      expect(texts().at(-1)).toMatch(/hlcopy stopped/);
      expect(receiver.received.every((r) => Array.isArray(r.body.blocks))).toBe(true);
    } finally {
      run.child.kill("SIGTERM");
    }
  });

  it("a webhook that keeps failing is shown as a warning and in status, and the copy goes on", {
    timeout: 60_000,
  }, async () => {
    receiver = await startReceiver();
    receiver.statuses.push(...Array(40).fill(500)); // every attempt of the first alerts fails
    const leaderKey = leaderKeyForSeed(18_100);
    const leader = privateKeyToAccount(leaderKey).address.toLowerCase() as Address;
    sim.control.fund(leader, 1_000_000);
    const master = fundedAccount(sim, 50_000);
    const agentKey = generatePrivateKey();
    // Expiring in 2 days: the "agent approval ends soon" alert is raised at start.
    await master.sdk.approveAgent({
      agentAddress: privateKeyToAccount(agentKey).address,
      agentName: `hlcopy valid_until ${Date.now() + 2 * 86_400_000}`,
    });
    const configDir = tempDir();
    const run = spawnFollow({
      httpUrl: sim.httpUrl,
      account: master.address,
      leader,
      configDir,
      agentKey,
      // The leader, funded a moment ago, never trades here: the alerts are the agent's.
      extra: ["--allow-empty-leader", "--no-ui", "--sweep-seconds", "3600", "--alert-webhook", receiver.url],
    });
    try {
      const failed = await eventually(
        () =>
          run.lines.find(
            (l) =>
              l.type === "warning" &&
              /alert "agent-expiring" to .* failed after 4 attempt/.test(String(l.message)),
          ),
        40_000,
      );
      expect(String(failed.message)).toContain("HTTP 500");
      const status = async () => {
        const r = await runCli(["--network", sim.httpUrl, "--json", "--account", master.address, "status"], {
          env: { HLCOPY_CONFIG_DIR: configDir },
        });
        expect(r.code).toBe(0);
        return JSON.parse(r.stdout) as {
          alerts: { failing: boolean; lastFailure: { kind: string; message: string } };
        };
      };
      const doc = await eventually(async () => {
        const d = await status();
        return d.alerts?.failing ? d : null;
      }, 10_000);
      expect(doc.alerts.lastFailure.kind).toBe("agent-expiring");
      expect(doc.alerts.lastFailure.message).toMatch(/HTTP 500/);
      const text = await runCli(["--network", sim.httpUrl, "--account", master.address, "status"], {
        env: { HLCOPY_CONFIG_DIR: configDir },
      });
      expect(unwrapped(text.stdout)).toMatch(/alerts: FAILING since .*HTTP 500.*hlcopy alerts test/);
      // Never fatal: the run is still up and answers SIGTERM with exit 0.
      run.child.kill("SIGTERM");
      expect(await run.exit).toBe(0);
    } finally {
      run.child.kill("SIGTERM");
    }
  });

  it("a restart under a standing halt is not a new halt: the line says since when, no alert, not counted", {
    timeout: 60_000,
  }, async () => {
    receiver = await startReceiver();
    const leaderKey = leaderKeyForSeed(18_200);
    const leader = privateKeyToAccount(leaderKey).address.toLowerCase() as Address;
    sim.control.fund(leader, 1_000_000);
    const { master, agentKey } = await masterWithAgent(sim, 50_000);
    const configDir = tempDir();
    // An earlier run's kill switch, an hour ago, never resumed.
    const since = Date.now() - 3_600_000;
    const journal = openJournal(journalPath(configDir, master.address, sim.httpUrl));
    journal.recordHalt({
      ts: since,
      kind: "kill-switch",
      reason: "drawdown 30.00% from high-water mark 71428.57",
    });
    journal.close();
    const run = spawnFollow({
      httpUrl: sim.httpUrl,
      account: master.address,
      leader,
      configDir,
      agentKey,
      extra: [
        "--allow-empty-leader",
        "--no-ui",
        "--sweep-seconds",
        "3600",
        "--listen",
        "127.0.0.1:0",
        "--alert-webhook",
        receiver.url,
      ],
    });
    try {
      const url = await run.until(
        () => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(run.stderr())?.[1],
        15_000,
      );
      await run.until(() => run.lines.some((l) => l.type === "sweep"), 15_000);
      // Told as standing since it was recorded, not as a halt that just happened.
      expect(run.lines.filter((l) => l.type === "halt")).toEqual([
        expect.objectContaining({ kind: "kill-switch", since }),
      ]);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toMatch(/^hlcopy_halted 1$/m);
      expect(metrics).not.toMatch(/^hlcopy_halts_total\{/m);
      run.child.kill("SIGTERM");
      await run.exit;
      // The stopped alert is the only one: the halt was alerted when it happened.
      expect(receiver.received.map((r) => r.body.kind)).toEqual(["stopped"]);
    } finally {
      run.child.kill("SIGTERM");
    }
  });

  it("a stopped alert the webhook does not take before the exit is said on stderr and as a --json warning, not dropped silently", {
    timeout: 60_000,
  }, async () => {
    receiver = await startReceiver();
    receiver.statuses.push(...Array(40).fill(500)); // every attempt fails
    const leaderKey = leaderKeyForSeed(18_300);
    const leader = privateKeyToAccount(leaderKey).address.toLowerCase() as Address;
    sim.control.fund(leader, 1_000_000);
    const { master, agentKey } = await masterWithAgent(sim, 50_000);
    const run = spawnFollow({
      httpUrl: sim.httpUrl,
      account: master.address,
      leader,
      configDir: tempDir(),
      agentKey,
      extra: ["--allow-empty-leader", "--no-ui", "--sweep-seconds", "3600", "--alert-webhook", receiver.url],
    });
    try {
      await run.until(() => run.lines.some((l) => l.type === "sweep"), 15_000);
      run.child.kill("SIGTERM");
      expect(await run.exit).toBe(0);
      expect(receiver.received.some((r) => r.body.kind === "stopped")).toBe(true);
      const host = new URL(receiver.url).host;
      const said = run
        .stderr()
        .split("\n")
        .filter((l) => l.includes('alert "stopped"'));
      expect(said).toEqual([
        expect.stringMatching(
          new RegExp(
            `^warning: alert "stopped" \\(hlcopy stopped: signal SIGTERM\\) not delivered to http://${host}/… before the exit: HTTP 500 server error \\(\\d attempt\\(s\\)(, the next one unanswered)?; the exit waited 5 s, no retry after it\\) — hint: check the webhook with hlcopy alerts test`,
          ),
        ),
      ]);
      // The URL's path (where a Slack or Telegram secret lives) is never printed.
      expect(run.stderr()).not.toContain("/hook");
      const summaryAt = run.lines.findIndex((l) => l.type === "summary");
      const warningAt = run.lines.findIndex(
        (l) => l.type === "warning" && (l.alert as { kind?: string } | undefined)?.kind === "stopped",
      );
      expect(warningAt).toBeGreaterThanOrEqual(0);
      expect(warningAt).toBeLessThan(summaryAt);
      expect(run.lines[warningAt]).toMatchObject({
        message: expect.stringMatching(/^alert "stopped" .* not delivered to .*: HTTP 500/),
        hint: expect.stringContaining("hlcopy alerts test"),
        alert: { kind: "stopped", to: `http://${host}/…`, why: expect.stringMatching(/^HTTP 500/) },
      });
    } finally {
      run.child.kill("SIGTERM");
    }
  });
});
