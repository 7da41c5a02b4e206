// A dry run answers "what would you do now?" and must never change what the trader sees about
// live trading. It reads the account's journal (which positions hlcopy opened, halts, copy
// state) and writes nothing to it: the file and its -wal stay byte for byte as they were, so
// `status`, `report` and `journal` show live runs only. Journals an older hlcopy wrote still
// hold dry runs: their records are not counted either. The store first, then the real binary
// against a simulator.

import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, describe, expect, it } from "vitest";
import type { ReconcileReport } from "../../src/cli/reconcile/run.js";
import { engineClient } from "../../src/cli/wiring.js";
import type { DriftReport } from "../../src/core/drift.js";
import { ConfigError } from "../../src/core/errors.js";
import type { Address, CoinTarget } from "../../src/core/types.js";
import type { HlClient } from "../../src/exchange/index.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { intentLogPath } from "../../src/store/intent-log.js";
import {
  copyJournal,
  JOURNAL_TABLES,
  journalPath,
  openJournal,
  type StartRunParameters,
} from "../../src/store/journal.js";
import { JOURNAL_APPLICATION_ID, LATEST_SCHEMA_VERSION, MIGRATIONS } from "../../src/store/migrations.js";
import { eventually, action as exchangeAction, fundedAccount, masterWithAgent } from "../exchange/helpers.js";
import { BIN, cleanEnv, runCli, tempDir } from "../helpers/cli.js";
import { action, plan } from "./fixtures.js";

const ACCOUNT = "0xabcdef0000000000000000000000000000000007" as Address;
const LEADER_A = "0x00000000000000000000000000000000000000aa" as Address;
const LEADER_B = "0x00000000000000000000000000000000000000bb" as Address;
const T0 = Date.UTC(2025, 0, 2, 12, 0, 0);
const run = (
  command: StartRunParameters["command"],
  leader: Address,
  startedAt: number,
): StartRunParameters => ({
  command,
  leaders: [{ address: leader, weight: 1 }],
  account: ACCOUNT,
  network: "testnet",
  settings: {},
  startedAt,
});

/**
 * What is on disk: the file's and its -wal's bytes and mtime (absent files too), whether a -shm
 * is there (its bytes are SQLite's shared index: a reader may update it), and every table's row
 * count.
 */
function fingerprint(file: string) {
  const files = Object.fromEntries(
    [file, `${file}-wal`].map((f) => [
      f.slice(file.length) || "main",
      existsSync(f)
        ? {
            sha256: createHash("sha256").update(readFileSync(f)).digest("hex"),
            size: statSync(f).size,
            mtimeMs: statSync(f).mtimeMs,
          }
        : null,
    ]),
  );
  return { files, shm: existsSync(`${file}-shm`), rows: rowCounts(file) };
}
/** Counted on a copy of the files: any connection to the journal itself may leave a -wal or -shm. */
function rowCounts(journal: string): Record<string, number> {
  const file = join(tempDir(), "count.sqlite");
  for (const suffix of ["", "-wal", "-shm"])
    if (existsSync(`${journal}${suffix}`)) copyFileSync(`${journal}${suffix}`, `${file}${suffix}`);
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return Object.fromEntries(
      [...JOURNAL_TABLES, "equity", "copy_state"].map((t) => [
        t,
        Number(db.prepare(`SELECT count(*) AS n FROM ${t}`).get()?.n),
      ]),
    );
  } finally {
    db.close();
  }
}

describe("a dry run's journal (openJournal with writes: 'memory')", () => {
  it("reads everything a live run left, records in memory only, and leaves the file and its -wal byte for byte as they were", () => {
    const file = journalPath(tempDir(), ACCOUNT);
    // A live follow, still running: what it wrote last is in the -wal, not yet in the file.
    const live = openJournal(file, { checkpointIntervalMs: 0, groupCommitMs: 0 });
    const liveRun = live.startRun(run("follow", LEADER_A, T0));
    const ours = action({ coin: "ETH", cloid: "0x000000000000000000000000000000e1" });
    live.recordOrderIntent({ runId: liveRun, ts: T0 + 1, action: ours });
    live.updateOrder(ours.cloid, { ts: T0 + 2, status: "filled", filledSize: ours.size, avgPx: 3000 });
    live.setCopyState("managed", { ETH: 1 }, T0 + 3);
    live.recordEquity(T0 + 4, 10_000);
    live.recordHalt({ ts: T0 + 5, kind: "manual", reason: "paused by the trader" });
    live.recordEvent({ ts: T0 + 6, type: "sweep", runId: liveRun, data: { inSync: true, driftUsd: 0 } });
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(0);
    const before = fingerprint(file);

    const dry = openJournal(file, { writes: "memory" });
    // It sees what the live run knows: the order it placed, ownership, the halt, the HWM.
    expect(dry.id).toBe(live.id);
    expect(dry.getOrder(ours.cloid)).toMatchObject({ coin: "ETH", status: "filled" });
    expect(dry.getCopyState("managed")).toEqual({ ETH: 1 });
    expect(dry.activeHalt()?.reason).toBe("paused by the trader");
    expect(dry.highWaterMark()).toBe(10_000);
    expect(dry.lastRun()).toMatchObject({ command: "follow", id: liveRun });
    // What it records, it reads back…
    const dryRun = dry.startRun(run("dry-run", LEADER_B, T0 + 10));
    dry.recordDecision({ runId: dryRun, ts: T0 + 11, trigger: "sweep", coins: ["BTC"], plan: plan() });
    dry.recordEvent({ ts: T0 + 12, type: "state", runId: dryRun, data: { targets: [] } });
    dry.recordEquity(T0 + 13, 20_000);
    dry.setCopyState("managed", {}, T0 + 14);
    dry.clearHalts(T0 + 15);
    dry.pruneBefore(T0 + 100);
    dry.batch(() => dry.recordEvent({ ts: T0 + 16, type: "warning", runId: dryRun }));
    dry.endRun(dryRun, { endedAt: T0 + 17, exitCode: 3 });
    expect(dry.lastRun()).toMatchObject({ command: "dry-run", id: dryRun, exitCode: 3 });
    expect(dry.highWaterMark()).toBe(20_000);
    expect(dry.activeHalt()).toBeNull();
    dry.checkpoint();
    dry.close();

    // …and none of it reaches the disk, nor does the live run see it.
    expect(fingerprint(file)).toEqual(before);
    expect(live.activeHalt()?.reason).toBe("paused by the trader");
    expect(live.lastRun()?.id).toBe(liveRun);
    expect(live.getCopyState("managed")).toEqual({ ETH: 1 });
    live.close();
  });

  it("refresh takes up what the live run committed since the copy — the managed snapshot, its orders — and writes nothing", () => {
    const file = journalPath(tempDir(), ACCOUNT);
    const live = openJournal(file, { checkpointIntervalMs: 0, groupCommitMs: 0 });
    const liveRun = live.startRun(run("follow", LEADER_A, T0));
    const eth = action({ coin: "ETH", cloid: "0x000000000000000000000000000000e1" });
    live.recordOrderIntent({ runId: liveRun, ts: T0 + 1, action: eth });
    live.updateOrder(eth.cloid, { ts: T0 + 2, status: "filled", filledSize: eth.size, avgPx: 3000 });
    live.setCopyState(
      "managed",
      { positions: { ETH: eth.size }, orderId: live.lastOrderId(), ts: T0 + 3 },
      T0 + 3,
    );

    // The dry run copies the journal, starts its run…
    const dry = openJournal(file, { writes: "memory" });
    const dryRun = dry.startRun(run("dry-run", LEADER_A, T0 + 10));
    // …and the follow trades meanwhile: a copy sent, one filled, a new snapshot.
    const sol = action({ coin: "SOL", cloid: "0x000000000000000000000000000000e2" });
    const btc = action({ coin: "BTC", cloid: "0x000000000000000000000000000000e3" });
    live.recordOrderIntent({ runId: liveRun, ts: T0 + 11, action: sol });
    live.updateOrder(sol.cloid, { ts: T0 + 12, status: "filled", filledSize: sol.size, avgPx: 150 });
    live.recordOrderIntent({ runId: liveRun, ts: T0 + 13, action: btc });
    live.setCopyState("reviewed:x", T0 + 14, T0 + 14);
    expect(dry.getOrder(sol.cloid)).toBeNull();
    const before = fingerprint(file);

    dry.refresh();
    expect(dry.getOrder(sol.cloid)).toMatchObject({ status: "filled", filledSize: sol.size });
    expect(dry.ordersInState(["pending"]).map((o) => o.cloid)).toEqual([btc.cloid]);
    // Counted from the snapshot as the engine counts them: the SOL fill is hlcopy's.
    expect(dry.filledSince(1)).toEqual({ SOL: sol.size });
    expect(dry.getCopyState("reviewed:x")).toBe(T0 + 14);
    // What the dry run recorded stays; the file and its -wal are as they were.
    expect(dry.lastRun()).toMatchObject({ id: dryRun, command: "dry-run" });
    expect(fingerprint(file)).toEqual(before);

    // Once the dry run journaled an order of its own, its orders are left as they are.
    dry.recordOrderIntent({ runId: dryRun, ts: T0 + 20, action: action({ coin: "XRP" }) });
    live.updateOrder(btc.cloid, { ts: T0 + 21, status: "filled", filledSize: btc.size, avgPx: 90_000 });
    dry.refresh();
    expect(dry.getOrder(btc.cloid)?.status).toBe("pending");
    expect(dry.ordersSince(0).map((o) => o.coin)).toContain("XRP");
    dry.close();
    live.close();
  });

  it("refresh takes up the follow's intents logged but not yet committed, as pending orders: the latest copy is hlcopy's", () => {
    const file = journalPath(tempDir(), ACCOUNT);
    // The lock's holder: its intents go to the log at once, into SQLite with its next group.
    const live = openJournal(file, { checkpointIntervalMs: 0, groupCommitMs: 60_000, intentLog: true });
    const liveRun = live.startRun(run("follow", LEADER_A, T0));
    live.batch(() =>
      live.setCopyState("managed", { positions: {}, orderId: live.lastOrderId(), ts: T0 }, T0),
    );
    const dry = openJournal(file, { writes: "memory" });
    const sol = action({ coin: "SOL", side: "sell", size: 0.5, cloid: "0x000000000000000000000000000000e4" });
    live.recordOrderIntent({ runId: liveRun, ts: T0 + 11, action: sol, kind: "copy" });
    expect(readFileSync(intentLogPath(file), "utf8")).toContain(sol.cloid);
    const before = fingerprint(file);

    dry.refresh();
    expect(dry.ordersInState(["pending"])).toEqual([
      expect.objectContaining({ cloid: sol.cloid, coin: "SOL", side: "sell", size: 0.5, filledSize: 0 }),
    ]);
    expect(fingerprint(file)).toEqual(before);
    expect(readFileSync(intentLogPath(file), "utf8")).toContain(sol.cloid);
    // Committed meanwhile (the log emptied): the file's row, once.
    live.batch(() =>
      live.updateOrder(sol.cloid, { ts: T0 + 12, status: "filled", filledSize: 0.5, avgPx: 150 }),
    );
    dry.refresh();
    expect(dry.ordersSince(0).filter((o) => o.cloid === sol.cloid)).toEqual([
      expect.objectContaining({ status: "filled", filledSize: 0.5 }),
    ]);
    // A log that cannot be read is passed over: the file's orders alone.
    writeFileSync(intentLogPath(file), "not an intent\n");
    dry.refresh();
    expect(dry.ordersSince(0).map((o) => o.cloid)).toEqual([sol.cloid]);
    dry.close();
    live.close();
  });

  it("refresh of a journal on disk, or of a dry run with no file, changes nothing", () => {
    const dir = tempDir();
    const none = openJournal(journalPath(dir, ACCOUNT), { writes: "memory" });
    none.refresh();
    expect(none.lastRun()).toBeNull();
    none.close();
    expect(readdirSync(dir)).toEqual([]);
    const disk = openJournal(journalPath(dir, ACCOUNT));
    disk.startRun(run("follow", LEADER_A, T0));
    disk.refresh();
    expect(disk.lastRun()?.command).toBe("follow");
    disk.close();
  });

  it("a journal at rest (no process has it open): the file is untouched and no -wal or -shm appears beside it", () => {
    const dir = tempDir();
    const file = journalPath(dir, ACCOUNT);
    const live = openJournal(file);
    live.startRun(run("follow", LEADER_A, T0));
    live.recordHalt({ ts: T0 + 1, kind: "manual", reason: "paused by the trader" });
    live.close();
    const before = fingerprint(file);
    const names = readdirSync(dir).sort();
    expect(names).toEqual([basename(file)]);
    const dry = openJournal(file, { writes: "memory" });
    expect(dry.activeHalt()?.reason).toBe("paused by the trader");
    dry.recordEvent({ ts: T0 + 2, type: "sweep", runId: dry.startRun(run("dry-run", LEADER_B, T0 + 2)) });
    dry.close();
    expect(fingerprint(file)).toEqual(before);
    expect(readdirSync(dir).sort()).toEqual(names);
  });

  it("no journal yet: nothing is created, neither the file nor a -wal or -shm", () => {
    const dir = tempDir();
    const file = journalPath(dir, ACCOUNT);
    const dry = openJournal(file, { writes: "memory" });
    expect(dry.lastRun()).toBeNull();
    dry.recordEvent({ ts: T0, type: "sweep", runId: dry.startRun(run("dry-run", LEADER_B, T0)) });
    dry.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  it("a follow that crashed (its -wal still holds commits, no process has the file open): they are read, and nothing is written", () => {
    const dir = tempDir();
    const file = journalPath(dir, ACCOUNT);
    const live = openJournal(join(dir, "live.sqlite"), { checkpointIntervalMs: 0, groupCommitMs: 0 });
    const liveRun = live.startRun(run("follow", LEADER_A, T0));
    live.recordHalt({ ts: T0 + 1, kind: "manual", reason: "only in the -wal" });
    // The file and -wal as a killed follow leaves them: whoever opens the file next — and,
    // read-write, closes it last — folds the -wal into it. A dry run must not be that one.
    copyFileSync(join(dir, "live.sqlite"), file);
    copyFileSync(join(dir, "live.sqlite-wal"), `${file}-wal`);
    copyFileSync(join(dir, "live.sqlite-shm"), `${file}-shm`);
    live.close();
    const before = fingerprint(file);
    expect(before.files["-wal"]?.size).toBeGreaterThan(0);

    const dry = openJournal(file, { writes: "memory" });
    expect(dry.activeHalt()?.reason).toBe("only in the -wal");
    expect(dry.lastRun()?.id).toBe(liveRun);
    dry.recordEvent({ ts: T0 + 2, type: "sweep", runId: dry.startRun(run("dry-run", LEADER_B, T0 + 2)) });
    dry.close();
    expect(fingerprint(file)).toEqual(before);
  });

  it("the copy is the file but for the plans and events no run reads back: every table, index and trigger, the schema version, the identity, every other row", () => {
    const file = journalPath(tempDir(), ACCOUNT);
    const live = openJournal(file, { checkpointIntervalMs: 0, groupCommitMs: 0 });
    const liveRun = live.startRun(run("follow", LEADER_A, T0));
    const ours = action({ coin: "ETH", cloid: "0x000000000000000000000000000000e2" });
    live.recordOrderIntent({ runId: liveRun, ts: T0 + 1, action: ours, kind: "copy", touchPx: 2999.5 });
    live.recordFill({
      tid: 7,
      ts: T0 + 2,
      coin: "ETH",
      side: "buy",
      px: 3000.1,
      sz: 0.1,
      fee: 0.01,
      cloid: ours.cloid,
    });
    live.recordFunding({ ts: T0 + 3, coin: "ETH", usdc: -0.125, szi: 0.1, rate: 0.0000125 });
    live.recordDecision({ runId: liveRun, ts: T0 + 4, trigger: "sweep", coins: ["ETH"], plan: plan() });
    live.setCopyState("managed", { ETH: 0.1 }, T0 + 5);
    live.recordEquity(T0 + 6, 10_000.5);
    live.recordHalt({ ts: T0 + 7, kind: "manual", reason: "paused" });
    live.recordEvent({ ts: T0 + 8, type: "sweep", runId: liveRun, data: { inSync: true } });
    live.recordEvent({ ts: T0 + 9, type: "state", runId: liveRun, data: { targets: [] } });
    // A run paused from its start to its end: lastRun({ sizedBy }) passes over it (these rows a run reads).
    const pausedRun = live.startRun(run("follow", LEADER_A, T0 + 10));
    live.recordEvent({
      ts: T0 + 11,
      type: "paused",
      runId: pausedRun,
      data: { paused: true, atStart: true },
    });
    live.endRun(pausedRun, { endedAt: T0 + 12, exitCode: 0 });

    const copy = new DatabaseSync(":memory:");
    copyJournal(file, copy, 1000);
    const source = new DatabaseSync(file, { readOnly: true });
    const dump = (db: DatabaseSync) => ({
      schema: db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").all(),
      userVersion: db.prepare("PRAGMA user_version").get(),
      applicationId: db.prepare("PRAGMA application_id").get(),
      rows: Object.fromEntries(
        db
          .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
          .all()
          .map(({ name }) => [name, db.prepare(`SELECT * FROM "${String(name)}" ORDER BY 1`).all()]),
      ),
    });
    const copied = dump(copy);
    const original = dump(source);
    expect(copied.schema.map((o) => o.type)).toEqual(expect.arrayContaining(["table", "index", "trigger"]));
    expect(copied.rows.fills).toHaveLength(1);
    expect(original.rows.decisions).toHaveLength(1);
    expect(original.rows.events).toHaveLength(3);
    expect(copied).toEqual({
      ...original,
      rows: {
        ...original.rows,
        decisions: [],
        events: original.rows.events?.filter((e: { type?: unknown }) => e.type === "paused"),
      },
    });
    expect(copied.rows.events).toHaveLength(1);
    source.close();
    copy.close();
    // The run's reads on the copy answer as on the file; the readers of the rest refuse it.
    const dry = openJournal(file, { writes: "memory" });
    expect(dry.lastRun({ trading: true, sizedBy: true })?.id).toBe(liveRun);
    expect(live.lastRun({ trading: true, sizedBy: true })?.id).toBe(liveRun);
    expect(dry.lastRun()?.id).toBe(pausedRun);
    expect(() => dry.lastSweep()).toThrow(/a dry run's copy leaves out/);
    expect(() => dry.copyMoments(0)).toThrow(/a dry run's copy leaves out/);
    expect(() => dry.tradeDecisionsOf(liveRun)).toThrow(/a dry run's copy leaves out/);
    expect(() => dry.leaderFillsOf(liveRun)).toThrow(/a dry run's copy leaves out/);
    expect(() => dry.listEntries({ table: "events" })).toThrow(/a dry run's copy leaves out/);
    expect(dry.listEntries({ table: "fills" })).toHaveLength(1);
    dry.close();
    live.close();
  });

  it("a journal from an older hlcopy is upgraded in memory, never on disk", () => {
    const file = journalPath(tempDir(), ACCOUNT);
    const db = new DatabaseSync(file);
    const v1 = MIGRATIONS[0];
    if (!v1) throw new Error("no migration 1");
    db.exec(v1.sql);
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (1, ?, 0)").run(v1.name);
    db.exec(`PRAGMA user_version = 1; PRAGMA application_id = ${JOURNAL_APPLICATION_ID}`);
    db.exec("INSERT INTO halts (ts, kind, reason) VALUES (1, 'manual', 'old halt')");
    db.close();
    const bytes = readFileSync(file);
    const dry = openJournal(file, { writes: "memory" });
    expect(dry.id).toMatch(/^[0-9a-f]{32}$/); // the newest schema, in memory
    expect(dry.activeHalt()?.reason).toBe("old halt");
    dry.recordEvent({ ts: T0, type: "sweep" });
    dry.close();
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  it("a file that is not a journal is refused as before, and left alone", () => {
    const file = journalPath(tempDir(), ACCOUNT);
    const db = new DatabaseSync(file);
    db.exec("CREATE TABLE theirs (x); INSERT INTO theirs VALUES (1)");
    db.close();
    const bytes = readFileSync(file);
    expect(() => openJournal(file, { writes: "memory" })).toThrow(ConfigError);
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  it("a journal from a newer hlcopy is refused as before, and left alone", () => {
    const file = journalPath(tempDir(), ACCOUNT);
    openJournal(file).close();
    const db = new DatabaseSync(file);
    db.exec(`PRAGMA user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    db.close();
    const bytes = readFileSync(file);
    expect(() => openJournal(file, { writes: "memory" })).toThrow(/newer than this hlcopy understands/);
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });
});

// ─── Through the binary ────────────────────────────────────────────────────────────────────

const sims: SimHandle[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

/** A simulator with two leaders (A long ETH, B long BTC) and a follower with an approved agent. */
async function world() {
  const sim = await startSim({ seed: 83, tickMs: 0 });
  sims.push(sim);
  const client = (a: { address: Address; key: `0x${string}` }): HlClient =>
    engineClient({
      httpUrl: sim.httpUrl,
      wsUrl: sim.wsUrl,
      isTestnet: false,
      account: a.address,
      agentKey: a.key,
    });
  const a = fundedAccount(sim, 1_000_000);
  const b = fundedAccount(sim, 1_000_000);
  for (const [who, coin, usd] of [
    [a, "ETH", 200_000],
    [b, "BTC", 300_000],
  ] as const) {
    const c = client(who);
    const markets = await c.getMarkets();
    const m = markets[coin];
    if (!m) throw new Error(coin);
    const [r] = await c.placeOrders(
      [exchangeAction(markets, coin, "buy", Number((usd / m.mid).toFixed(m.szDecimals)))],
      markets,
    );
    expect(r?.status).toBe("filled");
  }
  const f = await masterWithAgent(sim, 10_000);
  const follower = f.master.address;
  const dir = tempDir();
  const env = { HLCOPY_CONFIG_DIR: dir, HLCOPY_AGENT_KEY: f.agentKey };
  const cli = (args: string[]) => runCli(["--network", sim.httpUrl, "--account", follower, ...args], { env });
  const json = async (args: string[]) => {
    const r = await cli(["--json", ...args]);
    const last = r.stdout.trim().split("\n").at(-1) ?? "";
    return { ...r, doc: last.startsWith("{") || last.startsWith("[") ? (JSON.parse(last) as unknown) : null };
  };
  const COPY = ["--mode", "fixed-ratio", "--ratio", "0.01", "--max-leverage", "5"];
  const reconcile = async (leader: Address, extra: string[]) => {
    const r = await json(["reconcile", leader, ...COPY, ...extra]);
    return { ...r, report: r.doc as ReconcileReport | null };
  };
  /** What the trader sees about live trading: status, report and journal, minus the clock. */
  const seen = async () => {
    const status = (await json(["status"])).doc as Record<string, unknown>;
    const report = (await json(["report"])).doc as Record<string, unknown>;
    const entries = (await json(["journal", "--limit", "0"])).doc;
    const { ts: _s, ...statusRest } = status;
    const { ts: _r, until: _u, ...reportRest } = report;
    return { status: statusRest, report: reportRest, journal: entries };
  };
  /** `hlcopy --json follow …` running: its JSON lines as they come, and its exit. */
  const follow = (leader: Address, extra: string[]) => {
    const child: ChildProcess = spawn(
      process.execPath,
      [BIN, "--network", sim.httpUrl, "--account", follower, "--json", "follow", leader, ...COPY, ...extra],
      { env: cleanEnv(env), stdio: ["ignore", "pipe", "pipe"] },
    );
    const lines: Record<string, unknown>[] = [];
    let buffer = "";
    child.stdout?.on("data", (d) => {
      buffer += d;
      for (let i = buffer.indexOf("\n"); i >= 0; i = buffer.indexOf("\n")) {
        lines.push(JSON.parse(buffer.slice(0, i)) as Record<string, unknown>);
        buffer = buffer.slice(i + 1);
      }
    });
    const exit = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    return { child, lines, exit };
  };
  return {
    sim,
    leaderA: a.address,
    leaderB: b.address,
    follower,
    dir,
    reconcile,
    follow,
    seen,
    sent: () => sim.control.orderHistory(follower).length,
  };
}

describe("reconcile --dry-run on an account with a journal", () => {
  it("plans with what the live runs know, and leaves the journal — and status, report, journal — exactly as they were", async () => {
    const w = await world();
    // Live: the account copies leader A (ETH).
    const live = await w.reconcile(w.leaderA, ["--yes"]);
    expect(live.code).toBe(0);
    const file = journalPath(w.dir, w.follower, w.sim.httpUrl);
    const shown = await w.seen();
    expect((shown.status.positions as { coin: string }[]).map((p) => p.coin)).toEqual(["ETH"]);
    const before = fingerprint(file);
    const sent = w.sent();

    // "What would copying leader B do now?"
    const dry = await w.reconcile(w.leaderB, ["--dry-run"]);
    expect(dry.stderr).toBe("");
    // The ETH the live run opened is hlcopy's: the plan closes it (no "positions hlcopy did not
    // open" refusal, exit 2) and buys BTC; drift remains, exit 3, and nothing is sent.
    expect(dry.code).toBe(3);
    expect(dry.report?.actions.map((a) => [a.coin, a.side, a.reduceOnly])).toEqual([
      ["ETH", "sell", true],
      ["BTC", "buy", false],
    ]);
    expect(w.sent()).toBe(sent);
    const onDisk = fingerprint(file);

    const after = await w.seen();
    // status still shows the copy of A: no BTC target, no drift against B.
    expect((after.status.positions as { coin: string }[]).map((p) => p.coin)).toEqual(["ETH"]);
    expect((after.status.drift as DriftReport).inSync).toBe(true);
    expect(after).toEqual(shown);
    expect(onDisk).toEqual(before);
  });

  it("still sees a halt, and leaves it as it is", async () => {
    const w = await world();
    expect((await w.reconcile(w.leaderA, ["--yes"])).code).toBe(0);
    const file = journalPath(w.dir, w.follower, w.sim.httpUrl);
    const journal = openJournal(file);
    journal.recordHalt({ ts: Date.now(), kind: "manual", reason: "flatten requested (hlcopy flatten)" });
    journal.close();
    const before = fingerprint(file);
    const dry = await w.reconcile(w.leaderB, ["--dry-run"]);
    expect(dry.code).toBe(4);
    expect(dry.report?.halted).toBe(true);
    expect(fingerprint(file)).toEqual(before);
  });
});

describe("follow --dry-run beside a running follow", () => {
  it("of another leader: the follow's journal never holds it, and status shows the follow's copy", async () => {
    const w = await world();
    const live = w.follow(w.leaderA, ["--yes", "--sweep-seconds", "3600"]);
    await eventually(() => live.lines.some((l) => l.type === "sweep" && l.inSync === true), 20_000);
    const dry = w.follow(w.leaderB, ["--dry-run", "--sweep-seconds", "3600"]);
    // Its plan is B's: close the ETH the follow opened (hlcopy's own), buy BTC.
    const planned = () =>
      dry.lines
        .filter((l) => l.type === "decision")
        .flatMap((l) => (l.actions as { coin: string; side: string }[]).map((a) => `${a.coin} ${a.side}`));
    await eventually(() => planned().length > 0, 20_000);
    expect(planned()).toEqual(["ETH sell", "BTC buy"]);
    dry.child.kill("SIGTERM");
    expect(await dry.exit).toBe(0);
    live.child.kill("SIGTERM");
    expect(await live.exit).toBe(0);

    const after = await w.seen();
    expect(
      (after.journal as { table: string; command?: string }[]).filter((e) => e.table === "runs"),
    ).toEqual([expect.objectContaining({ command: "follow", exitCode: 0 })]);
    expect((after.status.lastRun as { command: string }).command).toBe("follow");
    expect((after.status.positions as { coin: string }[]).map((p) => p.coin)).toEqual(["ETH"]);
    expect((after.status.drift as DriftReport).inSync).toBe(true);
    const db = new DatabaseSync(journalPath(w.dir, w.follower, w.sim.httpUrl), { readOnly: true });
    try {
      expect(db.prepare("SELECT count(*) AS n FROM runs WHERE command = 'dry-run'").get()?.n).toBe(0);
    } finally {
      db.close();
    }
  });
});

// ─── Journals an older hlcopy wrote ─────────────────────────────────────────────────────────

describe("a journal that holds dry runs (written by an older hlcopy)", () => {
  const target = (coin: string, driftUsd: number): CoinTarget => ({
    coin,
    leaderSize: 1,
    targetSize: 0.01,
    ourSize: driftUsd === 0 ? 0.01 : 0,
    driftUsd,
    mid: 3000,
    deadbandUsd: 10,
  });
  const drift = (coin: string, driftUsd: number): DriftReport => ({
    coins: [{ coin, driftUsd, status: driftUsd === 0 ? "in-sync" : "drift", reason: null }],
    driftUsd: Math.abs(driftUsd),
    outsideUsd: Math.abs(driftUsd),
    inSync: driftUsd === 0,
  });

  it("status, report, journal and lastSweep show the live runs only", async () => {
    const dir = tempDir();
    const now = Date.now();
    const j = openJournal(journalPath(dir, ACCOUNT, "testnet"));
    const follow = j.startRun(run("follow", LEADER_A, now - 60_000));
    j.recordEvent({
      ts: now - 50_000,
      type: "sweep",
      runId: follow,
      data: { inSync: true, driftUsd: 0, targets: [target("ETH", 0)], drift: drift("ETH", 0) },
    });
    j.endRun(follow, { endedAt: now - 40_000, exitCode: 0 });
    // Then a dry run of another leader, as hlcopy before this change journaled it.
    const dry = j.startRun(run("dry-run", LEADER_B, now - 30_000));
    const skipped = plan({ skipped: [{ coin: "BTC", reason: "below-min-notional", detail: "" }] });
    j.recordDecision({ runId: dry, ts: now - 25_000, trigger: "fill", coins: ["BTC"], plan: skipped });
    j.recordDecision({ runId: dry, ts: now - 24_000, trigger: "sweep", coins: ["BTC"], plan: plan() });
    j.recordEvent({
      ts: now - 20_000,
      type: "state",
      runId: dry,
      data: { inSync: false, driftUsd: 3000, targets: [target("BTC", 3000)], drift: drift("BTC", 3000) },
    });
    j.endRun(dry, { endedAt: now - 19_000, exitCode: 3 });
    expect(j.lastSweep()).toMatchObject({ ts: now - 50_000, inSync: true, driftUsd: 0 });
    j.close();

    const env = { HLCOPY_CONFIG_DIR: dir };
    const status = JSON.parse(
      (await runCli(["--network", "testnet", "--account", ACCOUNT, "--json", "status"], { env })).stdout,
    );
    expect(status.lastRun).toMatchObject({ command: "follow" });
    expect(status.lastSweep).toMatchObject({ inSync: true, driftUsd: 0 });
    expect(status.drift).toMatchObject({ inSync: true, asOf: now - 50_000 });
    expect(status.positions.map((p: { coin: string }) => p.coin)).toEqual(["ETH"]);
    const report = JSON.parse(
      (await runCli(["--network", "testnet", "--account", ACCOUNT, "--json", "report"], { env })).stdout,
    );
    for (const day of report.days as { skipped: Record<string, number> }[]) expect(day.skipped).toEqual({});
    expect(report.totals.skipped).toEqual({});
    // hlcopy journal lists what the copy recorded: the dry run and its records are left out.
    const entries = JSON.parse(
      (await runCli(["--network", "testnet", "--account", ACCOUNT, "--json", "journal"], { env })).stdout,
    );
    expect(
      entries.map((e: { table: string; runId?: number; id: number }) => [e.table, e.runId ?? e.id]),
    ).toEqual([
      ["runs", follow],
      ["events", follow],
    ]);
  });
});
