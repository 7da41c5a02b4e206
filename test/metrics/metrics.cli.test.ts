// follow --listen: GET /metrics is Prometheus text whose counters move as the copy runs,
// GET /status is the `status --json` document; nothing writes; public addresses need a token.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStatusServer } from "../../src/cli/follow/serve.js";
import type { Address } from "../../src/core/types.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { leaderKeyForSeed } from "../../src/sim/leader.js";
import { eventually, masterWithAgent } from "../exchange/helpers.js";
import { leaderTrades, spawnFollow } from "../follow/helpers.js";
import { runCli, tempDir } from "../helpers/cli.js";

interface Family {
  type: string;
  samples: { name: string; labels: Record<string, string>; value: number }[];
}

/** A strict reader of the Prometheus text format (0.0.4): throws on any line it does not know. */
function parsePrometheus(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  expect(text.endsWith("\n")).toBe(true);
  for (const line of text.slice(0, -1).split("\n")) {
    if (line.startsWith("# HELP ")) continue;
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      expect(families.has(type[1] as string)).toBe(false);
      families.set(type[1] as string, { type: type[2] as string, samples: [] });
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$/.exec(line);
    if (!m) throw new Error(`not Prometheus text: ${JSON.stringify(line)}`);
    const name = m[1] as string;
    const labels: Record<string, string> = {};
    for (const l of (m[3] ?? "").split(",").filter(Boolean)) {
      const lm = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"$/.exec(l);
      if (!lm) throw new Error(`bad label ${l}`);
      labels[lm[1] as string] = lm[2] as string;
    }
    const family = families.get(name) ?? families.get(name.replace(/_(bucket|sum|count)$/, ""));
    if (!family) throw new Error(`sample ${name} without # TYPE`);
    family.samples.push({ name, labels, value: Number(m[4]) });
  }
  for (const [name, f] of families) {
    if (f.type !== "histogram") continue;
    const buckets = f.samples.filter((s) => s.name === `${name}_bucket`);
    for (let i = 1; i < buckets.length; i++) {
      expect(buckets[i]?.value).toBeGreaterThanOrEqual(buckets[i - 1]?.value ?? 0);
    }
    expect(buckets.at(-1)?.labels.le).toBe("+Inf");
    expect(buckets.at(-1)?.value).toBe(f.samples.find((s) => s.name === `${name}_count`)?.value);
  }
  return families;
}

const value = (f: Map<string, Family>, name: string, labels: Record<string, string> = {}) =>
  f
    .get(name.replace(/_(count|sum)$/, ""))
    ?.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    ?.value ?? 0;

describe("follow --listen", () => {
  let sim: SimHandle;
  beforeAll(async () => {
    sim = await startSim({ seed: 9464, tickMs: 0 });
  });
  afterAll(async () => {
    await sim.close();
  });

  it("serves /metrics as Prometheus text whose counters move, and /status as status --json", {
    timeout: 60_000,
  }, async () => {
    const leaderKey = leaderKeyForSeed(9464);
    const leader = privateKeyToAccount(leaderKey).address.toLowerCase() as Address;
    sim.control.fund(leader, 1_000_000);
    const { master, agentKey } = await masterWithAgent(sim, 50_000);
    const configDir = tempDir();
    const run = spawnFollow({
      httpUrl: sim.httpUrl,
      account: master.address,
      leader,
      configDir,
      agentKey,
      // The leader, funded a moment ago, makes its first trade once the run is on.
      extra: ["--allow-empty-leader", "--sweep-seconds", "3600", "--listen", "127.0.0.1:0"],
    });
    try {
      const url = await eventually(
        () => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(run.stderr())?.[1],
        15_000,
      );
      await eventually(() => run.lines.some((l) => l.type === "sweep"), 15_000);
      const scrape = async () => {
        const res = await fetch(`${url}/metrics`);
        expect(res.status).toBe(200);
        expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
        return parsePrometheus(await res.text());
      };
      const before = await scrape();
      expect(before.get("hlcopy_copy_lag_ms")?.type).toBe("histogram");
      expect(before.get("hlcopy_slippage_bps")?.type).toBe("histogram");
      expect(value(before, "hlcopy_websocket_up")).toBe(1);
      expect(value(before, "hlcopy_requests_total", { endpoint: "info" })).toBeGreaterThan(0);
      // The process's own memory (bench/soak.mjs reads the heap from here).
      expect(before.get("process_resident_memory_bytes")?.type).toBe("gauge");
      expect(value(before, "process_resident_memory_bytes")).toBeGreaterThan(
        value(before, "nodejs_heap_size_used_bytes"),
      );
      expect(value(before, "nodejs_heap_size_used_bytes")).toBeGreaterThan(1_000_000);
      expect(value(before, "nodejs_heap_size_total_bytes")).toBeGreaterThanOrEqual(
        value(before, "nodejs_heap_size_used_bytes"),
      );

      await leaderTrades(sim, leaderKey, { seed: 9465, trades: 6 });
      await eventually(() => run.lines.filter((x) => x.type === "fill").length >= 2, 15_000);
      // The drift gauges come from the state event, sent at most every 250 ms after a change:
      // wait for the one that has every coin the leader traded.
      const after = await eventually(async () => {
        const f = await scrape();
        // The P&L gauges follow the state the engine sends after the fills (throttled).
        const coins = f.get("hlcopy_drift_usd")?.samples.map((s) => s.labels.coin) ?? [];
        return value(f, "hlcopy_copy_lag_ms_count") >= 2 &&
          coins.includes("BTC") &&
          value(f, "hlcopy_copy_pnl_usd", { part: "fees" }) > 0
          ? f
          : null;
      }, 10_000);
      expect(value(after, "hlcopy_leader_fills_total")).toBeGreaterThan(
        value(before, "hlcopy_leader_fills_total"),
      );
      expect(value(after, "hlcopy_fills_total")).toBeGreaterThanOrEqual(2);
      expect(value(after, "hlcopy_requests_total", { endpoint: "exchange" })).toBeGreaterThan(
        value(before, "hlcopy_requests_total", { endpoint: "exchange" }),
      );
      expect(value(after, "hlcopy_slippage_bps_count")).toBeGreaterThanOrEqual(2);
      // Execution slippage counts every fill; copy slippage and lag only hot-path copies.
      expect(value(after, "hlcopy_exec_slippage_bps_count")).toBeGreaterThanOrEqual(
        value(after, "hlcopy_slippage_bps_count"),
      );
      expect(value(after, "hlcopy_equity_usd")).toBeGreaterThan(0);
      // The copy's P&L: net = realised + unrealised − fees + funding.
      const part = (p: string) => value(after, "hlcopy_copy_pnl_usd", { part: p });
      expect(part("fees")).toBeGreaterThan(0);
      expect(part("net")).toBeCloseTo(
        part("realised") + part("unrealised") - part("fees") + part("funding"),
        5,
      );
      expect(after.get("hlcopy_drift_usd")?.samples.map((s) => s.labels.coin)).toEqual(
        expect.arrayContaining(["BTC"]),
      );

      // /status is the document `hlcopy status --json` prints.
      const status = (await (await fetch(`${url}/status`)).json()) as Record<string, unknown>;
      const cli = await runCli(["--network", sim.httpUrl, "--account", master.address, "--json", "status"], {
        env: { HLCOPY_CONFIG_DIR: configDir },
      });
      const { ts: _a, ...fromServer } = status;
      const { ts: _b, ...fromCli } = JSON.parse(cli.stdout) as Record<string, unknown>;
      expect(fromServer).toMatchObject({ type: "status", account: master.address });
      expect(Object.keys(fromServer).sort()).toEqual(Object.keys(fromCli).sort());
      // Read-only.
      const post = await fetch(`${url}/metrics`, { method: "POST", body: "x" });
      expect(post.status).toBe(405);
      expect((await fetch(`${url}/flatten`)).status).toBe(404);
    } finally {
      run.child.kill("SIGTERM");
      await run.exit;
    }
  });

  it("refuses a non-loopback address without --listen-public (exit 2, nothing started)", async () => {
    const dir = tempDir();
    const leader = privateKeyToAccount(leaderKeyForSeed(1)).address;
    const args = ["--network", sim.httpUrl, "--account", leader, "follow", leader];
    const r = await runCli([...args, "--dry-run", "--listen", "0.0.0.0:9464"], {
      env: { HLCOPY_CONFIG_DIR: dir },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error: --listen 0\.0\.0\.0:9464 is not a loopback address.*\nhint: use --listen 127\.0\.0\.1:9464, or add --listen-public --listen-token-file/,
    );
    const noToken = await runCli([...args, "--dry-run", "--listen", "0.0.0.0:9464", "--listen-public"], {
      env: { HLCOPY_CONFIG_DIR: dir },
    });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/^error: --listen-public needs --listen-token-file/);
  });

  // /status is `status --json` of the run's journal. A dry run writes none, so it would serve the
  // live copy's last run as this one's (it did, until 2026-12-05: an earlier live follow,
  // "running" with a dead pid); a paper run's is its own journal (`status --paper`), not the live one.
  it("refuses --listen in a --dry-run (exit 2, nothing served)", async () => {
    const dir = tempDir();
    const leader = privateKeyToAccount(leaderKeyForSeed(1)).address;
    const args = ["--network", sim.httpUrl, "--account", leader, "follow", leader, "--listen", "127.0.0.1:0"];
    const r = await runCli([...args, "--dry-run"], { env: { HLCOPY_CONFIG_DIR: dir }, timeoutMs: 20_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error: --listen serves the run's journal as \/status .*but this run is --dry-run: it journals nothing.*\nhint: drop --listen/,
    );
    expect(r.stderr).not.toMatch(/listening on/);
  });

  it("a --paper run's /status is the paper journal's (status --paper --json), not the live one's", {
    timeout: 60_000,
  }, async () => {
    const leaderKey = leaderKeyForSeed(9464);
    const leader = privateKeyToAccount(leaderKey).address.toLowerCase() as Address;
    sim.control.fund(leader, 1_000_000);
    const { master } = await masterWithAgent(sim, 50_000);
    const configDir = tempDir();
    const run = spawnFollow({
      httpUrl: sim.httpUrl,
      account: master.address,
      leader,
      configDir,
      // The file's leader may not have traded yet (this test run alone): --allow-empty-leader.
      extra: ["--paper", "--allow-empty-leader", "--sweep-seconds", "3600", "--listen", "127.0.0.1:0"],
    });
    try {
      const url = await eventually(
        () => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(run.stderr())?.[1],
        15_000,
      );
      await eventually(() => run.lines.some((l) => l.type === "sweep"), 15_000);
      const status = (await (await fetch(`${url}/status`)).json()) as Record<string, unknown>;
      expect(status).toMatchObject({ type: "status", account: master.address, paper: true });
      expect(String(status.journal)).toMatch(/\.paper\.sqlite$/);
      expect(status.lastRun).toMatchObject({ command: "paper", running: true });
    } finally {
      run.child.kill("SIGTERM");
      await run.exit;
    }
  });
});

describe("the status server with a token", () => {
  it("answers only requests carrying the bearer token", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "token"), "0123456789abcdef0123456789abcdef\n");
    const server = await startStatusServer(
      { host: "127.0.0.1", port: 0, token: "0123456789abcdef0123456789abcdef" },
      { metrics: () => "hlcopy_up 1\n", status: async () => ({ type: "status" }) },
    );
    try {
      expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
      const wrong = await fetch(`${server.url}/metrics`, { headers: { authorization: "Bearer nope" } });
      expect(wrong.status).toBe(401);
      const ok = await fetch(`${server.url}/metrics`, {
        headers: { authorization: "Bearer 0123456789abcdef0123456789abcdef" },
      });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toBe("hlcopy_up 1\n");
    } finally {
      await server.close();
    }
  });
});
