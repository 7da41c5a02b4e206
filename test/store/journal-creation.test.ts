// No journal litter. A dry run never creates a journal (nor writes one: journal-dry-run.test.ts);
// any other run creates it at its first record worth keeping, so a run whose first request
// fails leaves nothing behind — and a journal that already exists is opened as it is. Unit tests on the store, then the real
// binary against the simulator.

import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generatePrivateKey } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { engineClient } from "../../src/cli/wiring.js";
import { OperationalError } from "../../src/core/errors.js";
import type { Address } from "../../src/core/types.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { journalPath, openJournal, type StartRunParameters } from "../../src/store/journal.js";
import { action, fundedAccount, masterWithAgent } from "../exchange/helpers.js";
import { runCli, tempDir } from "../helpers/cli.js";
import { plan } from "./fixtures.js";

const ACCOUNT = "0xabcdef0000000000000000000000000000000003" as Address;
const T0 = Date.UTC(2025, 0, 2, 12, 0, 0);
const RUN: StartRunParameters = {
  command: "reconcile",
  leaders: [{ address: "0x00000000000000000000000000000000000000aa", weight: 1 }],
  account: ACCOUNT,
  network: "testnet",
  settings: {},
  startedAt: T0,
};

describe("openJournal({ create })", () => {
  it('"on-record": reads, a run row and its end create nothing — not even the directory', () => {
    const dir = join(tempDir(), "cfg");
    const file = journalPath(dir, ACCOUNT);
    const j = openJournal(file, { create: "on-record" });
    const run = j.startRun(RUN);
    expect(j.activeHalt()).toBeNull();
    expect(j.ordersInState(["pending", "sent", "uncertain"])).toEqual([]);
    j.pruneBefore(T0);
    expect(j.lastRun()?.id).toBe(run);
    j.endRun(run, { endedAt: T0 + 1, exitCode: 1 });
    j.checkpoint();
    j.close();
    expect(existsSync(dir)).toBe(false);
  });

  it('"on-record" held (a run not yet confirmed): records create nothing; kept, they create the file; dropped, nothing', () => {
    const dir = join(tempDir(), "cfg");
    const file = journalPath(dir, ACCOUNT);
    const held = openJournal(file, { create: "on-record" });
    held.hold();
    const run = held.startRun(RUN);
    held.recordDecision({ runId: run, ts: T0, trigger: "sweep", coins: [], plan: plan() });
    held.setCopyState("leader:0xaa", { since: T0 }, T0);
    held.recordEquity(T0, 1_000);
    expect(held.getCopyState("leader:0xaa")).toEqual({ since: T0 });
    expect(existsSync(dir)).toBe(false);
    expect(held.dropHeld()).toBe(true);
    held.close();
    expect(existsSync(dir)).toBe(false);

    const kept = openJournal(file, { create: "on-record" });
    kept.hold();
    const id = kept.startRun(RUN);
    kept.setCopyState("leader:0xaa", { since: T0 }, T0);
    expect(existsSync(file)).toBe(false);
    kept.keepHeld();
    expect(existsSync(file)).toBe(true);
    kept.endRun(id, { endedAt: T0 + 1, exitCode: 0 });
    kept.close();
    const again = openJournal(file);
    expect(again.lastRun()).toMatchObject({ id, exitCode: 0 });
    expect(again.getCopyState("leader:0xaa")).toEqual({ since: T0 });
    again.close();
  });

  it('"on-record": the first record writes the file (0600) with everything so far, identity included', () => {
    const dir = join(tempDir(), "cfg");
    const file = journalPath(dir, ACCOUNT);
    const j = openJournal(file, { create: "on-record" });
    const id = j.id;
    const run = j.startRun(RUN);
    expect(existsSync(file)).toBe(false);
    j.recordDecision({ runId: run, ts: T0, trigger: "sweep", coins: [], plan: plan() });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    j.recordEvent({ ts: T0 + 1, type: "after" }); // goes straight to the file now
    j.endRun(run, { endedAt: T0 + 2, exitCode: 0 });
    j.close();
    const again = openJournal(file);
    expect(again.id).toBe(id);
    expect(again.lastRun()).toMatchObject({ id: run, endedAt: T0 + 2, exitCode: 0 });
    expect(again.listEntries().map((e) => e.table)).toEqual(["runs", "decisions", "events"]);
    again.close();
  });

  it('writes: "memory" (dry runs): everything stays in memory, nothing is created', () => {
    const dir = join(tempDir(), "cfg");
    const j = openJournal(journalPath(dir, ACCOUNT), { writes: "memory" });
    const run = j.startRun(RUN);
    j.recordDecision({ runId: run, ts: T0, trigger: "sweep", coins: [], plan: plan() });
    j.recordEquity(T0, 1000);
    expect(j.highWaterMark()).toBe(1000);
    j.close();
    expect(existsSync(dir)).toBe(false);
  });

  it("an existing journal is opened as it is, whatever `create` says", () => {
    const file = journalPath(tempDir(), ACCOUNT);
    const first = openJournal(file);
    first.recordHalt({ ts: T0, kind: "manual", reason: "test" });
    first.close();
    for (const create of ["now", "on-record"] as const) {
      const j = openJournal(file, { create });
      expect(j.activeHalt()?.reason).toBe("test");
      j.recordEvent({ ts: T0, type: create });
      j.close();
    }
    const check = openJournal(file);
    expect(check.listEntries({ table: "events" }).map((e) => e.table === "events" && e.type)).toEqual([
      "now",
      "on-record",
    ]);
    check.close();
  });

  it("a journal another process created meanwhile is never overwritten", () => {
    const file = journalPath(tempDir(), ACCOUNT);
    const late = openJournal(file, { create: "on-record" });
    const other = openJournal(file);
    other.recordEvent({ ts: T0, type: "theirs" });
    other.close();
    expect(() => late.recordEvent({ ts: T0, type: "ours" })).toThrow(OperationalError);
    late.close();
    const check = openJournal(file);
    expect(check.listEntries().map((e) => e.table === "events" && e.type)).toEqual(["theirs"]);
    check.close();
  });

  it("a journal that could not be created is said when it is opened (a run asks nothing first), creating nothing", () => {
    const parent = join(tempDir(), "not-a-dir");
    writeFileSync(parent, "a regular file where the config directory should be");
    const file = journalPath(join(parent, "cfg"), ACCOUNT);
    expect(() => openJournal(file, { create: "on-record" })).toThrow(
      `cannot create journal ${file}: a part of its path is a file, not a directory`,
    );
    expect(statSync(parent).isFile()).toBe(true);
  });
});

describe("the CLI leaves no journal it did not need", () => {
  let sim: SimHandle;
  let leader: Address;
  let follower: Address;
  let agentKey: `0x${string}`;
  beforeAll(async () => {
    sim = await startSim({ seed: 29, tickMs: 0 });
    const l = fundedAccount(sim, 1_000_000);
    leader = l.address;
    const client = engineClient({
      httpUrl: sim.httpUrl,
      wsUrl: sim.wsUrl,
      isTestnet: false,
      account: l.address,
      agentKey: l.key,
    });
    const markets = await client.getMarkets();
    const [r] = await client.placeOrders([action(markets, "ETH", "buy", 10)], markets);
    expect(r?.status).toBe("filled");
    const f = await masterWithAgent(sim, 20_000);
    follower = f.master.address;
    agentKey = f.agentKey;
  });
  afterAll(async () => {
    await sim.close();
  });

  const reconcile = (configDir: string, extra: string[], env: Record<string, string>) =>
    runCli(
      [
        "--network",
        sim.httpUrl,
        "--account",
        follower,
        "--json",
        "reconcile",
        leader,
        "--mode",
        "fixed-ratio",
        "--ratio",
        "0.01",
        ...extra,
        ...(extra.includes("--dry-run") ? [] : ["--yes"]),
      ],
      { env: { HLCOPY_CONFIG_DIR: configDir, HLCOPY_LOCK_DIR: tempDir("hlcopy-locks-"), ...env } },
    );

  it("reconcile --dry-run in a fresh config dir plans, and creates no journal (nor the dir)", async () => {
    const dir = join(tempDir(), "cfg");
    const r = await reconcile(dir, ["--dry-run"], {});
    expect(r.stderr).toBe("");
    expect(r.code).toBe(3); // drift to fix: it did plan
    expect(existsSync(dir)).toBe(false);
  });

  it("a live run whose agent check fails (agent not approved) leaves no journal", async () => {
    const dir = tempDir();
    const r = await reconcile(dir, [], { HLCOPY_AGENT_KEY: generatePrivateKey() });
    expect(r.code).toBe(2);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("a live run whose first request fails (HTTP 500) leaves no journal", async () => {
    const dir = tempDir();
    sim.control.fault({ kind: "http500", count: 50, endpoint: "info", stage: "before" });
    try {
      // Start-up retries a 500; give up after a second instead of two minutes.
      const r = await reconcile(dir, ["--startup-timeout-seconds", "1"], { HLCOPY_AGENT_KEY: agentKey });
      expect(r.code).toBe(1);
    } finally {
      sim.control.reset();
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it("a live run that does its work still journals it", async () => {
    const dir = tempDir();
    const r = await reconcile(dir, [], { HLCOPY_AGENT_KEY: agentKey });
    expect(r.code).toBe(0);
    const file = journalPath(dir, follower, sim.httpUrl);
    const j = openJournal(file);
    expect(j.lastRun()).toMatchObject({ command: "reconcile", exitCode: 0 });
    expect(j.ordersInState(["filled"]).length).toBeGreaterThan(0);
    j.close();
  });
});
