// Errors when the exchange cannot be reached, or the simulator's port is taken: the hint says
// what to do and promises nothing that does not happen (no "hlcopy retries" from a process
// that is about to exit), and a taken port is named, with how to pick another.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deadUrl as deadNetwork, ROOT, runCli, tempDir } from "../helpers/cli.js";

const LEADER = "0x5e9ee1089755c3435139848e47e6635505d5a13a";
const ACCOUNT = "0x1111111111111111111111111111111111111111";
const PROMISE = /hlcopy (retries|backs off)|retries with|report it/i;

let deadUrl: string;
beforeAll(async () => {
  // A URL where nothing listens (not a closed simulator's port: the next one started could get it).
  deadUrl = await deadNetwork();
});

describe("offline", () => {
  for (const args of [
    ["reconcile", LEADER, "--dry-run"],
    ["follow", LEADER, "--dry-run", "--no-ui"],
  ]) {
    it(`hlcopy ${args[0]}: exit 1, and the hint promises no retry`, async () => {
      // Start-up waits for an exchange that does not answer (retried): a second, not two minutes.
      const r = await runCli(
        ["--network", deadUrl, "--account", ACCOUNT, ...args, "--startup-timeout-seconds", "1"],
        { env: { HLCOPY_CONFIG_DIR: tempDir() } },
      );
      expect(r.code).toBe(1);
      const hint = r.stderr.split("\n").find((l) => l.startsWith("hint: "));
      expect(hint).toMatch(/--network/);
      expect(hint).not.toMatch(PROMISE);
    });
  }

  it("an exchange that does not answer: one warning per retry, naming every read it waits for", async () => {
    // The markets, the leader's account and yours are read together: all three fail at once.
    const r = await runCli(
      [
        "--network",
        deadUrl,
        "--account",
        ACCOUNT,
        "reconcile",
        LEADER,
        "--dry-run",
        "--startup-timeout-seconds",
        "2",
      ],
      { env: { HLCOPY_CONFIG_DIR: tempDir() } },
    );
    expect(r.code).toBe(1);
    const waits = r.stderr.split("\n").filter((l) => l.startsWith("warning: waiting for "));
    expect(waits.length).toBeGreaterThan(0);
    // Every retry said once, in order (the reads are retried together: their retries are one).
    const retries = waits.map((l) => Number(/; retry (\d+) in /.exec(l)?.[1]));
    expect(retries).toEqual(retries.map((_, i) => i + 2));
    expect(waits[0]).toMatch(
      /^warning: waiting for the markets \(meta, allMids\), the leader's account \(0x[0-9a-f]{40}\) and your account: cannot reach http:\/\/127\.0\.0\.1:\d+: .*; retry 2 in /,
    );
  });

  it("no hint in the source promises a retry hlcopy may not make", () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith(".ts"))
          for (const m of readFileSync(p, "utf8").matchAll(/hint:\s*[`"]([^`"]*)[`"]/g))
            if (/hlcopy (retries|backs off)|retries with/i.test(m[1] ?? "")) offenders.push(`${p}: ${m[1]}`);
      }
    };
    walk(join(ROOT, "src"));
    expect(offenders).toEqual([]);
  });
});

describe("hlcopy sim on a port in use", () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("names the port and says how to pick another (exit 2, no 'report it')", async () => {
    const r = await runCli(["sim", "--port", String(port)]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^error: port ${port} is already in use on 127\\.0\\.0\\.1`));
    expect(lines[1]).toMatch(/^hint: .*--port 0/);
    expect(r.stderr).not.toMatch(/EADDRINUSE|report it/);
  });
});
