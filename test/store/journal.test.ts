// The journal against a real SQLite file in a temp dir: migrations, refusal to touch a file
// that is not ours, the order lifecycle the exactly-once recovery reads, equity, halts, stats.
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ConfigError } from "../../src/core/errors.js";
import { copyFill, copyFunding } from "../../src/core/pnl.js";
import { type Mark, markAt } from "../../src/core/safety.js";
import { slippageBps } from "../../src/core/slippage.js";
import {
  type FillRow,
  type Journal,
  type JournalOrderStatus,
  journalPath,
  openJournal,
  ordersInStateSql,
  UNRESOLVED_ORDER_STATUSES,
} from "../../src/store/journal.js";
import { JOURNAL_APPLICATION_ID, LATEST_SCHEMA_VERSION, MIGRATIONS } from "../../src/store/migrations.js";
import { tempDir } from "../helpers/cli.js";
import { action, plan } from "./fixtures.js";

const ACCOUNT = "0xAbCdEf0000000000000000000000000000000001";
const T0 = Date.UTC(2025, 0, 2, 12, 0, 0);

let dir: string;
let file: string;
let j: Journal | undefined;

beforeEach(() => {
  dir = join(tempDir("hlcopy-journal-"), "cfg");
  file = journalPath(dir, ACCOUNT);
});
afterEach(() => {
  j?.close();
  j = undefined;
  rmSync(dirname(dir), { recursive: true, force: true });
});

function open(): Journal {
  j = openJournal(file);
  return j;
}

/** A run of `command` started at `startedAt`, copying one leader on mainnet. */
function startRunAs(jr: Journal, command: "follow" | "dry-run" | "paper", startedAt: number): number {
  return jr.startRun({
    command,
    leaders: [{ address: "0x5e9ee1089755c3435139848e47e6635505d5a13a", weight: 1 }],
    account: ACCOUNT as `0x${string}`,
    network: "mainnet",
    settings: {},
    startedAt,
  });
}

function expectConfigError(fn: () => unknown, text: string): ConfigError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  const e = caught as ConfigError;
  expect(e.message).toContain(file);
  expect(e.message).toContain(text);
  expect(e.hint).toMatch(/\S/);
  expect(e.exitCode).toBe(2);
  return e;
}

describe("opening and migrations", () => {
  it("names the file per account, lowercase", () => {
    expect(journalPath("/c", ACCOUNT)).toBe(`/c/journal-${ACCOUNT.toLowerCase()}.sqlite`);
  });

  it("creates the directory (0700) and the file (0600), applies every migration, WAL on", () => {
    open();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    j?.close();
    const db = new DatabaseSync(file);
    expect(db.prepare("PRAGMA journal_mode").get()?.journal_mode).toBe("wal");
    expect(db.prepare("PRAGMA user_version").get()?.user_version).toBe(LATEST_SCHEMA_VERSION);
    expect(db.prepare("PRAGMA application_id").get()?.application_id).toBe(JOURNAL_APPLICATION_ID);
    const versions = db.prepare("SELECT version FROM schema_migrations ORDER BY version").all();
    expect(versions.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all()
      .map((r) => r.name);
    expect(tables).toEqual(
      expect.arrayContaining(["runs", "decisions", "orders", "fills", "equity", "halts", "events"]),
    );
    db.close();
  });

  it("re-opening is idempotent and keeps the data", () => {
    open().recordEvent({ ts: T0, type: "reconnect" });
    j?.close();
    j?.close(); // twice is fine
    const again = open();
    expect(again.listEntries().map((e) => e.table)).toEqual(["events"]);
    again.close();
    const db = new DatabaseSync(file);
    expect(db.prepare("SELECT count(*) AS n FROM schema_migrations").get()?.n).toBe(MIGRATIONS.length);
    db.close();
  });

  it("opening an up-to-date journal takes no write lock (a reader never stalls a trader)", () => {
    open().recordEvent({ ts: T0, type: "x" });
    j?.close(); // commits it; the trader's own write transaction is not what this is about
    const writer = new DatabaseSync(file);
    writer.exec("BEGIN IMMEDIATE; INSERT INTO events (ts, type) VALUES (1, 'held')");
    try {
      // No busy wait: a write lock asked for while the writer holds it fails the open at once
      // (no stopwatch, which a busy machine could run past).
      const reader = openJournal(file, { busyTimeoutMs: 0 });
      expect(reader.listEntries()).toHaveLength(1); // sees the committed row only
      reader.close();
    } finally {
      writer.exec("COMMIT");
      writer.close();
    }
  });

  it("close checkpoints the WAL into the main file", () => {
    open().recordEvent({ ts: T0, type: "reconnect" });
    j?.close();
    let walSize = 0;
    try {
      walSize = statSync(`${file}-wal`).size;
    } catch {
      // removed on close: also fine
    }
    expect(walSize).toBe(0);
  });

  it("works in memory for tests of other modules", () => {
    const mem = openJournal(":memory:");
    mem.recordEvent({ ts: T0, type: "x" });
    expect(mem.listEntries()).toHaveLength(1);
    mem.close();
  });
});

describe("a file that is not ours is refused, byte-for-byte untouched", () => {
  function writeThen(bytes: Buffer, check: () => void): void {
    open(); // creates the directory
    j?.close();
    j = undefined;
    rmSync(file);
    rmSync(`${file}-wal`, { force: true });
    rmSync(`${file}-shm`, { force: true });
    writeFileSync(file, bytes);
    check();
    expect(readFileSync(file).equals(bytes)).toBe(true);
  }

  it("garbage bytes", () => {
    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));
    writeThen(garbage, () => expectConfigError(() => openJournal(file), "not a SQLite database"));
  });

  it("a SQLite header followed by garbage", () => {
    const bytes = Buffer.concat([Buffer.from("SQLite format 3\0", "latin1"), Buffer.alloc(4080, 0xab)]);
    writeThen(bytes, () => expectConfigError(() => openJournal(file), "corrupt"));
  });

  it("another application's SQLite database", () => {
    const other = join(dirname(dir), "other.sqlite");
    const db = new DatabaseSync(other);
    db.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('hi')");
    db.close();
    writeThen(readFileSync(other), () => expectConfigError(() => openJournal(file), "not an hlcopy journal"));
  });

  it("a journal from a newer hlcopy (future schema version)", () => {
    const future = join(dirname(dir), "future.sqlite");
    const db = new DatabaseSync(future);
    db.exec(`PRAGMA application_id = ${JOURNAL_APPLICATION_ID}; PRAGMA user_version = 99;
             CREATE TABLE runs (id INTEGER PRIMARY KEY)`);
    db.close();
    writeThen(readFileSync(future), () => {
      const e = expectConfigError(() => openJournal(file), "schema version 99");
      expect(e.hint).toContain("upgrade hlcopy");
    });
  });
});

describe("runs and decisions", () => {
  it("records a run start and end, and a decision with its full plan", () => {
    const jr = open();
    const runId = jr.startRun({
      command: "follow",
      leaders: [{ address: "0x5e9ee1089755c3435139848e47e6635505d5a13a", weight: 1 }],
      account: ACCOUNT as `0x${string}`,
      network: "mainnet",
      settings: { risk: { maxLeverage: 3 } },
      startedAt: T0,
    });
    const p = plan();
    const decisionId = jr.recordDecision({ runId, ts: T0 + 5, trigger: "fill", coins: ["BTC"], plan: p });
    expect(decisionId).toBeGreaterThan(0);
    jr.endRun(runId, { endedAt: T0 + 10, exitCode: 0 });

    const run = jr.lastRun();
    expect(run).toMatchObject({
      id: runId,
      command: "follow",
      account: ACCOUNT.toLowerCase(),
      endedAt: T0 + 10,
      exitCode: 0,
      settings: { risk: { maxLeverage: 3 } },
      pid: process.pid,
    });
    const [entry] = jr.listEntries({ table: "decisions" });
    expect(entry).toMatchObject({
      table: "decisions",
      runId,
      trigger: "fill",
      coins: ["BTC"],
      inSync: false,
      nActions: 1,
      nSkipped: 1,
      plan: p,
    });
  });
});

describe("a run held until it may send (hold, keepHeld, dropHeld)", () => {
  const start = (jr: ReturnType<typeof open>, startedAt: number) =>
    jr.startRun({
      command: "reconcile",
      leaders: [{ address: "0x5e9ee1089755c3435139848e47e6635505d5a13a", weight: 1 }],
      account: ACCOUNT as `0x${string}`,
      network: "mainnet",
      settings: {},
      startedAt,
    });
  /** Everything the run before the refused one left, as another connection reads it. */
  const rows = () => {
    const db = new DatabaseSync(file, { readOnly: true });
    try {
      const of = (t: string) => db.prepare(`SELECT * FROM ${t} ORDER BY 1`).all();
      return Object.fromEntries(
        ["runs", "decisions", "events", "copy_state", "equity", "halts", "fills"].map((t) => [t, of(t)]),
      );
    } finally {
      db.close();
    }
  };
  /** What a run reads and records before it may send: its start checks, the first sweep. */
  const preconfirmation = (jr: Journal, run: number, at: number) => {
    jr.recordDecision({ runId: run, ts: at, trigger: "sweep", coins: [], plan: plan() });
    jr.recordEvent({ ts: at, type: "warning", runId: run, data: { message: "x" } });
    jr.setCopyState("leader:0xabc", { since: at }, at);
    jr.setCopyState("managed", { positions: {}, orderId: 0, ts: at }, at);
    jr.recordEquity(at, 25_000);
    jr.recordHalt({ ts: at, kind: "kill-switch", reason: "y" });
    jr.recordFill({ tid: at, ts: at, coin: "BTC", side: "buy", px: 1, sz: 1, fee: 0 });
    jr.pruneBefore(at); // what an earlier run logged before `at`
    jr.batch(() => jr.setCopyState("pnl:shares", { BTC: {} }, at));
  };

  it("dropped: the journal is as it was, rows and bytes, though the run read back what it held", async () => {
    const jr = open();
    const real = start(jr, T0);
    jr.recordEquity(T0, 10_000);
    jr.setCopyState("leader:0xabc", { since: T0 }, T0);
    jr.recordEvent({ ts: T0, type: "warning", runId: real, data: { message: "pruned, then back" } });
    jr.endRun(real, { endedAt: T0 + 1, exitCode: 0 });
    jr.close();
    const before = { rows: rows(), bytes: readFileSync(file) };
    expect(before.rows.events).toHaveLength(1);

    const again = open();
    again.hold();
    const refused = start(again, T0 + 10);
    preconfirmation(again, refused, T0 + 11);
    // Read back within the run as recorded …
    expect(again.highWaterMark()).toBe(25_000);
    expect(again.getCopyState("leader:0xabc")).toEqual({ since: T0 + 11 });
    // … never committed on the way: not by the group commit's timer, nor by a checkpoint.
    await new Promise((r) => setTimeout(r, 60));
    again.checkpoint();
    expect(rows()).toEqual(before.rows);
    expect(again.dropHeld()).toBe(true);
    expect(again.lastRun()).toMatchObject({ id: real, exitCode: 0 });
    expect(again.highWaterMark()).toBe(10_000);
    again.close();
    expect(rows()).toEqual(before.rows);
    expect(readFileSync(file).equals(before.bytes)).toBe(true);
  });

  it("kept: everything it held is committed at once, and what follows is recorded as usual", () => {
    const jr = open();
    jr.hold();
    const run = start(jr, T0);
    preconfirmation(jr, run, T0 + 1);
    jr.keepHeld();
    expect(jr.dropHeld()).toBe(false);
    jr.recordEvent({ ts: T0 + 2, type: "after", runId: run });
    jr.endRun(run, { endedAt: T0 + 3, exitCode: 0 });
    jr.close();
    const r = rows();
    expect(r.runs).toHaveLength(1);
    expect(r.copy_state?.map((c) => c.key).sort()).toEqual(["leader:0xabc", "managed", "pnl:shares"]);
    expect(r.equity).toHaveLength(1);
    expect(r.events?.map((e) => e.type)).toEqual(["warning", "after"]);
  });

  it("an order's intent keeps what is held first: an order about to be sent is never rolled back", () => {
    const jr = open();
    jr.hold();
    const run = start(jr, T0);
    jr.setCopyState("managed", { positions: {}, orderId: 0, ts: T0 }, T0);
    jr.recordOrderIntent({ runId: run, ts: T0 + 1, action: action() });
    expect(jr.dropHeld()).toBe(false);
    jr.close();
    const again = open();
    expect(again.lastRun()?.id).toBe(run);
    expect(again.ordersInState(["pending"])).toHaveLength(1);
    expect(again.getCopyState("managed")).not.toBeNull();
  });

  it("closed while held (never kept): nothing of it stays", () => {
    const jr = open();
    jr.close();
    const before = readFileSync(file);
    const again = open();
    again.hold();
    preconfirmation(again, start(again, T0), T0 + 1);
    again.close();
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(open().lastRun()).toBeNull();
  });

  it("holds no other process's reads back: status reads the journal as it was meanwhile", () => {
    const jr = open();
    jr.recordEquity(T0, 10_000);
    jr.hold();
    jr.recordEquity(T0 + 1, 30_000);
    const status = openJournal(file);
    try {
      expect(status.highWaterMark()).toBe(10_000);
    } finally {
      status.close();
    }
    jr.keepHeld();
    const after = openJournal(file);
    try {
      expect(after.highWaterMark()).toBe(30_000);
    } finally {
      after.close();
    }
  });

  it("another connection is told the write lock is held, at once and changing nothing (writeLockedElsewhere)", () => {
    const jr = open();
    jr.recordEquity(T0, 10_000);
    jr.checkpoint();
    const resume = openJournal(file);
    try {
      expect(resume.writeLockedElsewhere()).toBe(false);
      expect(jr.writeLockedElsewhere()).toBe(false);
      jr.hold();
      start(jr, T0 + 1);
      const before = { rows: rows(), db: readFileSync(file), wal: readFileSync(`${file}-wal`) };
      expect(resume.writeLockedElsewhere()).toBe(true);
      expect(resume.writeLockedElsewhere()).toBe(true);
      // Its own hold is no other connection's.
      expect(jr.writeLockedElsewhere()).toBe(false);
      expect(rows()).toEqual(before.rows);
      expect(readFileSync(file).equals(before.db)).toBe(true);
      expect(readFileSync(`${file}-wal`).equals(before.wal)).toBe(true);
      // The asking connection still writes (its wait for the lock is as it was) once it is free.
      jr.dropHeld();
      expect(resume.writeLockedElsewhere()).toBe(false);
      resume.batch(() => resume.recordEquity(T0 + 2, 11_000));
      expect(jr.latestEquity()?.accountValue).toBe(11_000);
    } finally {
      resume.close();
    }
  });
});

describe("orders: intent before sending, then the outcome", () => {
  it("walks pending → sent → filled and keeps the exchange reply", () => {
    const jr = open();
    const a = action();
    expect(jr.recordOrderIntent({ runId: null, ts: T0, action: a, request: { a: 0, b: true } })).toBe(true);
    expect(jr.getOrder(a.cloid)).toMatchObject({
      status: "pending",
      coin: "BTC",
      side: "buy",
      size: 0.01,
      limitPx: 65_200,
      reduceOnly: false,
      reason: "open",
      leaderPx: 65_000,
      filledSize: 0,
      request: { a: 0, b: true },
    });
    expect(jr.updateOrder(a.cloid, { ts: T0 + 1, status: "sent" })).toBe(true);
    expect(
      jr.updateOrder(a.cloid, {
        ts: T0 + 3,
        status: "filled",
        oid: 77,
        filledSize: 0.01,
        avgPx: 65_010,
        reply: { status: "ok" },
      }),
    ).toBe(true);
    expect(jr.getOrder(a.cloid)).toMatchObject({
      status: "filled",
      oid: 77,
      filledSize: 0.01,
      avgPx: 65_010,
      reply: { status: "ok" },
      error: null,
      updatedAt: T0 + 3,
    });
  });

  it("a cloid already journaled is not recorded twice (resolve it before sending)", () => {
    const jr = open();
    expect(jr.recordOrderIntent({ runId: null, ts: T0, action: action() })).toBe(true);
    expect(jr.recordOrderIntent({ runId: null, ts: T0 + 9, action: action({ size: 5 }) })).toBe(false);
    expect(jr.getOrder(action().cloid)?.size).toBe(0.01);
  });

  it("a late report never moves a resolved order back to unresolved", () => {
    const jr = open();
    const a = action();
    jr.recordOrderIntent({ runId: null, ts: T0, action: a });
    jr.updateOrder(a.cloid, { ts: T0 + 1, status: "filled", filledSize: 0.01, avgPx: 65_000 });
    expect(jr.updateOrder(a.cloid, { ts: T0 + 2, status: "sent" })).toBe(false);
    expect(jr.getOrder(a.cloid)?.status).toBe("filled");
    expect(jr.updateOrder("0xnope", { ts: T0, status: "filled" })).toBe(false);
  });

  it("the recovery query returns pending, sent and uncertain orders, oldest first", () => {
    const jr = open();
    const statuses = ["pending", "sent", "uncertain", "filled", "rejected", "partial"] as const;
    statuses.forEach((status, i) => {
      const cloid = `0x${String(i).padStart(32, "0")}` as const;
      jr.recordOrderIntent({ runId: 1, ts: T0 + i, action: action({ cloid }) });
      if (status !== "pending")
        jr.updateOrder(cloid, {
          ts: T0 + i,
          status,
          ...(status === "rejected" ? { error: "Order could not immediately match" } : {}),
        });
    });
    const open_ = jr.ordersInState(UNRESOLVED_ORDER_STATUSES);
    expect(open_.map((o) => o.status)).toEqual(["pending", "sent", "uncertain"]);
    expect(jr.ordersInState(["rejected"])[0]?.error).toBe("Order could not immediately match");
  });

  it("open orders (unresolved or resting) are found by the index over them, never by reading every order", () => {
    const file = journalPath(dir, ACCOUNT);
    const jr = openJournal(file, { checkpointIntervalMs: 0, groupCommitMs: 0 });
    const statuses = [
      "filled",
      "resting",
      "pending",
      "sent",
      "filled",
      "uncertain",
      "rejected",
      "resting",
    ] as const;
    statuses.forEach((status, i) => {
      const cloid = `0x${String(i).padStart(32, "0")}` as const;
      jr.recordOrderIntent({ runId: 1, ts: T0 + i, action: action({ cloid }) });
      if (status !== "pending") jr.updateOrder(cloid, { ts: T0 + i, status });
    });
    expect(jr.ordersInState(["resting"]).map((o) => o.ts)).toEqual([T0 + 1, T0 + 7]);
    expect(jr.ordersInState(["resting", ...UNRESOLVED_ORDER_STATUSES]).map((o) => o.status)).toEqual([
      "resting",
      "pending",
      "sent",
      "uncertain",
      "resting",
    ]);
    expect(jr.ordersInState(["filled", "resting"]).map((o) => o.status)).toEqual([
      "filled",
      "resting",
      "filled",
      "resting",
    ]);
    jr.close();
    // The look-up of open orders reads the index over them, not the table: the plan says so.
    const db = new DatabaseSync(file, { readOnly: true });
    const plan = (statuses: readonly JournalOrderStatus[]) =>
      db
        .prepare(`EXPLAIN QUERY PLAN ${ordersInStateSql(statuses)}`)
        .all(JSON.stringify(statuses))
        .map((r) => String(r.detail))
        .join(" | ");
    expect(plan(["resting"])).toMatch(/SEARCH orders USING INDEX orders_open/);
    expect(plan(["resting", ...UNRESOLVED_ORDER_STATUSES])).toMatch(/SEARCH orders USING INDEX orders_open/);
    expect(plan(UNRESOLVED_ORDER_STATUSES)).toMatch(/SEARCH orders USING INDEX orders_open/);
    expect(plan(["filled"])).not.toMatch(/orders_open/);
    // Likewise the high-water mark's last reset (the ledger's anchor), rare among the equity records.
    expect(
      db
        .prepare("EXPLAIN QUERY PLAN SELECT ts FROM equity WHERE reset = 1 ORDER BY id DESC LIMIT 1")
        .all()
        .map((r) => String(r.detail)),
    ).toEqual(["SCAN equity USING INDEX equity_reset"]);
    db.close();
  });
});

describe("fills", () => {
  it("computes slippage against the leader's price (positive = worse) and dedupes by tid", () => {
    const jr = open();
    const a = action({ refPx: 100 });
    jr.recordOrderIntent({ runId: null, ts: T0, action: a });
    // leaderPx omitted: taken from the order with the same cloid
    expect(
      jr.recordFill({ tid: 1, ts: T0, coin: "BTC", side: "buy", px: 100.5, sz: 1, fee: 0.1, cloid: a.cloid }),
    ).toMatchObject({ recorded: true, conflict: null });
    expect(
      jr.recordFill({ tid: 1, ts: T0, coin: "BTC", side: "buy", px: 100.5, sz: 1, fee: 0.1, cloid: a.cloid }),
    ).toMatchObject({ recorded: false, conflict: null });
    jr.recordFill({ tid: 2, ts: T0 + 1, coin: "ETH", side: "sell", px: 99, sz: 1, fee: 0, leaderPx: 100 });
    jr.recordFill({ tid: 3, ts: T0 + 2, coin: "ETH", side: "sell", px: 101, sz: 1, fee: 0, leaderPx: null });
    const fills = jr.listEntries({ table: "fills" });
    expect(fills.map((f) => (f.table === "fills" ? f.slippageBps : "x"))).toEqual([50, 100, null]);
    expect(fills[0]).toMatchObject({ leaderPx: 100, cloid: a.cloid });
  });

  it("a different fill under a journaled trade id is kept and named, not dropped; a replay is still kept once", () => {
    // A simulator restarted on the same port handed out trade ids from the same start again:
    // keyed by tid alone, its new fills were dropped without a word.
    const jr = open();
    const first = {
      tid: 500_000_000,
      ts: T0,
      coin: "BTC",
      side: "buy",
      px: 95_000,
      sz: 0.01,
      fee: 0.4,
      oid: 10_000_000,
    } as const;
    expect(jr.recordFill(first).recorded).toBe(true);
    const reused = {
      ...first,
      ts: T0 + 60_000,
      coin: "ETH",
      px: 3400,
      sz: 0.2,
      fee: 0.3,
      cloid: "0x0e",
    } as const;
    const clash = jr.recordFill(reused);
    expect(clash.recorded).toBe(true);
    expect(clash.conflict).toMatchObject({ tid: 500_000_000, coin: "BTC", ts: T0, oid: 10_000_000 });
    // Both delivered again (a reconnect's replay): nothing new, nothing to warn about.
    expect(jr.recordFill(first)).toMatchObject({ recorded: false, conflict: null });
    expect(jr.recordFill(reused)).toMatchObject({ recorded: false, conflict: null });
    const fills = jr.fillsSince(0);
    expect(fills.map((f) => [f.tid, f.coin, f.fee])).toEqual([
      [500_000_000, "BTC", 0.4],
      [500_000_000, "ETH", 0.3],
    ]);
  });

  it("a journal from before (fills keyed by tid alone) keeps its fills and ids, and then takes a reused tid", () => {
    mkdirSync(dir, { recursive: true });
    const db = new DatabaseSync(file);
    for (const m of MIGRATIONS.filter((m) => m.version <= 4)) {
      db.exec(m.sql);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, 0)").run(
        m.version,
        m.name,
      );
    }
    db.exec(`PRAGMA user_version = 4; PRAGMA application_id = ${JOURNAL_APPLICATION_ID}`);
    db.exec(`INSERT INTO fills (id, run_id, tid, ts, coin, side, px, sz, fee, oid, kind, exec_slippage_bps)
             VALUES (41, NULL, 500000000, ${T0}, 'BTC', 'buy', 95000, 0.01, 0.4, 10000000, 'copy', 1.5)`);
    db.close();
    const jr = open();
    expect(jr.fillsSince(0)).toEqual([
      expect.objectContaining({ id: 41, tid: 500_000_000, coin: "BTC", kind: "copy", execSlippageBps: 1.5 }),
    ]);
    const reused = {
      tid: 500_000_000,
      ts: T0 + 1,
      coin: "ETH",
      side: "sell",
      px: 3400,
      sz: 0.1,
      fee: 0.2,
      oid: 10_000_000,
    } as const;
    expect(jr.recordFill(reused)).toMatchObject({ recorded: true, conflict: { id: 41 } });
    expect(jr.recordFill(reused)).toMatchObject({ recorded: false, conflict: null });
    expect(jr.fillsSince(0).map((f) => f.id)).toEqual([41, 42]);
  });

  it("a journal from before the copy's parts opens with its data: its fills and funding count as they did, its managed snapshot starts the history", () => {
    mkdirSync(dir, { recursive: true });
    const db = new DatabaseSync(file);
    for (const m of MIGRATIONS.filter((m) => m.version <= 6)) {
      db.exec(m.sql);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, 0)").run(
        m.version,
        m.name,
      );
    }
    db.exec(`PRAGMA user_version = 6; PRAGMA application_id = ${JOURNAL_APPLICATION_ID}`);
    db.exec(`INSERT INTO fills (id, tid, ts, coin, side, px, sz, fee, oid, closed_pnl, kind)
             VALUES (7, 1, ${T0}, 'BTC', 'buy', 60000, 0.1, 2.7, 11, 0, 'copy'),
                    (8, 2, ${T0 + 1}, 'ETH', 'buy', 3000, 1, 1.35, 12, 0, NULL)`);
    db.exec(
      `INSERT INTO funding (id, ts, coin, usdc, szi, rate) VALUES (3, ${T0 + 2}, 'BTC', -0.75, 0.1, 0.000125)`,
    );
    db.prepare("INSERT INTO copy_state (key, value, updated_at) VALUES ('managed', ?, ?)").run(
      JSON.stringify({ positions: { BTC: 0.1 }, orderId: 1, ts: T0 + 5 }),
      T0 + 6,
    );
    db.close();
    const jr = open();
    const reader = new DatabaseSync(file, { readOnly: true });
    expect(reader.prepare("PRAGMA user_version").get()?.user_version).toBe(LATEST_SCHEMA_VERSION);
    reader.close();
    // Its rows as they were, with no part journaled: the copy's figures read them as that hlcopy
    // counted them — the copy's fill whole, the hand trade not at all, the payment whole.
    const fills = jr.fillsSince(0);
    expect(fills.map((f) => [f.id, f.coin, f.kind, f.copySz])).toEqual([
      [7, "BTC", "copy", null],
      [8, "ETH", null, null],
    ]);
    expect(fills.map((f) => copyFill(f)?.sz ?? 0)).toEqual([0.1, 0]);
    const funding = jr.fundingSince(0);
    expect(funding).toEqual([expect.objectContaining({ id: 3, usdc: -0.75, copyUsdc: null })]);
    expect(copyFunding(funding[0] as (typeof funding)[number])?.usdc).toBe(-0.75);
    // What it managed: from the snapshot it kept (then what it fills on top).
    expect(jr.managedSnapshotAt(T0 + 10)).toEqual({ ts: T0 + 5, positions: { BTC: 0.1 } });
    expect(jr.getCopyState("managed")).toEqual({ positions: { BTC: 0.1 }, orderId: 1, ts: T0 + 5 });
    // New records take their parts.
    jr.recordFunding({ ts: T0 + 3_600_000, coin: "BTC", usdc: -0.8, szi: 0.2, copyUsdc: -0.4 });
    expect(jr.fundingSince(T0 + 3_600_000)).toEqual([
      expect.objectContaining({ usdc: -0.8, copyUsdc: -0.4 }),
    ]);
  });

  it("a fill's copy part: all of one of hlcopy's orders, the part a liquidation took of hlcopy's position, none of a hand trade", () => {
    const jr = open();
    const fill = { ts: T0, coin: "BTC", side: "sell", px: 54_000, fee: 1, oid: 5 } as const;
    expect(jr.recordFill({ ...fill, tid: 1, sz: 0.1, kind: "copy" }).copySz).toBe(0.1);
    expect(jr.recordFill({ ...fill, tid: 2, sz: 0.15, copySz: 0.1 }).copySz).toBe(0.1);
    expect(jr.recordFill({ ...fill, tid: 3, sz: 0.2 }).copySz).toBe(0);
    // A replay keeps what the first said.
    expect(jr.recordFill({ ...fill, tid: 2, sz: 0.15, copySz: 0 })).toMatchObject({
      recorded: false,
      copySz: 0.1,
    });
    // hlcopy's safety close of what it did not open (a flatten of a position held by hand): the
    // part the engine says (core/pnl.ts copySizeOfFill), not the whole.
    expect(jr.recordFill({ ...fill, tid: 4, sz: 0.3, kind: "safety", copySz: 0.1 }).copySz).toBe(0.1);
    expect(jr.recordFill({ ...fill, tid: 5, sz: 0.3, kind: "safety", copySz: 0 }).copySz).toBe(0);
    expect(jr.fillsSince(0).map((f) => f.copySz)).toEqual([0.1, 0.1, 0, 0.1, 0]);
    // What hlcopy manages moves by its parts only: −0.1 (copy) −0.1 (safety) −0 (safety).
    expect(jr.ownFillsBetween(T0 - 1, T0 + 1).BTC).toBeCloseTo(-0.2, 12);
  });

  it("the fills a P&L folds are read a row at a time: the fields of fillsSince's, in journal order, from the time asked", () => {
    const jr = open();
    const fill = { coin: "BTC", side: "sell", px: 54_000, fee: 1, oid: 5 } as const;
    jr.recordFill({ ...fill, tid: 1, ts: T0, sz: 0.1, kind: "copy", closedPnl: 12.5 });
    jr.recordFill({ ...fill, tid: 2, ts: T0 + 2, sz: 0.15, copySz: 0.1 });
    jr.recordFill({ ...fill, tid: 3, ts: T0 + 1, sz: 0.2 }); // journaled late, earlier time
    const fields = ({ ts, coin, px, sz, fee, closedPnl, kind, copySz }: FillRow) => ({
      ts,
      coin,
      px,
      sz,
      fee,
      closedPnl,
      kind,
      copySz,
    });
    expect([...jr.pnlFillsSince(T0 + 1)]).toEqual(jr.fillsSince(T0 + 1).map(fields));
    expect([...jr.pnlFillsSince(T0 + 1)].map((f) => f.ts)).toEqual([T0 + 2, T0 + 1]);
    // Left half-way, a read is no obstacle to the next one, nor to a write.
    const first = jr.pnlFillsSince(0)[Symbol.iterator]().next();
    expect(first.value).toMatchObject({ ts: T0, closedPnl: 12.5, kind: "copy", copySz: 0.1 });
    jr.recordFill({ ...fill, tid: 4, ts: T0 + 3, sz: 0.1 });
    expect([...jr.pnlFillsSince(0)]).toHaveLength(4);
  });

  it("the two sides of one trade (a self-trade: same tid and time, other oid) are two fills, no clash", () => {
    const jr = open();
    const buy = { tid: 7, ts: T0, coin: "SOL", side: "buy", px: 190, sz: 1, fee: 0.01, oid: 1 } as const;
    expect(jr.recordFill(buy)).toMatchObject({ recorded: true, conflict: null });
    expect(jr.recordFill({ ...buy, side: "sell", oid: 2 })).toMatchObject({ recorded: true, conflict: null });
    expect(jr.fillsSince(0)).toHaveLength(2);
  });

  it("the same tid, oid and time with other figures cannot be kept twice: it is named, not silently dropped", () => {
    const jr = open();
    const fill = { tid: 9, ts: T0, coin: "SOL", side: "buy", px: 190, sz: 1, fee: 0.01, oid: 3 } as const;
    jr.recordFill(fill);
    const other = jr.recordFill({ ...fill, sz: 2 });
    expect(other.recorded).toBe(false);
    expect(other.conflict).toMatchObject({ tid: 9, sz: 1 });
  });

  it("slippageBps sign convention", () => {
    expect(slippageBps("buy", 101, 100)).toBeCloseTo(100);
    expect(slippageBps("buy", 99, 100)).toBeCloseTo(-100);
    expect(slippageBps("sell", 99, 100)).toBeCloseTo(100);
    expect(slippageBps("sell", 101, 100)).toBeCloseTo(-100);
    expect(slippageBps("buy", 101, null)).toBeNull();
    expect(slippageBps("buy", 101, 0)).toBeNull();
  });
});

describe("stats", () => {
  it("slippage and lag stats over fills since a time, with known numbers", () => {
    const jr = open();
    // Copies: slippage 1..100 bps (buy at 100 × (1 + k/10000) vs leader 100), lag 10..1000 ms;
    // execution slippage against a touch of 100.01.
    jr.batch(() => {
      for (let k = 1; k <= 100; k++) {
        jr.recordFill({
          tid: k,
          ts: T0 + k,
          coin: "BTC",
          side: "buy",
          px: 100 * (1 + k / 10_000),
          sz: 1,
          fee: 0,
          leaderPx: 100,
          touchPx: 100.01,
          kind: "copy",
          lagMs: k * 10,
        });
      }
      // A sweep repair: execution slippage only; never copy slippage or lag, whatever it is
      // measured against.
      jr.recordFill({
        tid: 500,
        ts: T0 + 200,
        coin: "ETH",
        side: "sell",
        px: 99,
        sz: 1,
        fee: 0,
        leaderPx: null,
        touchPx: 100,
        kind: "repair",
        lagMs: null,
      });
      // Before the window: must not count.
      jr.recordFill({
        tid: 1000,
        ts: T0 - 1,
        coin: "BTC",
        side: "buy",
        px: 200,
        sz: 1,
        fee: 0,
        leaderPx: 100,
        lagMs: 1e6,
      });
    });
    const slip = jr.slippageStats(T0);
    expect(slip.count).toBe(100);
    expect(slip.mean).toBeCloseTo(50.5, 6);
    expect(slip.median).toBeCloseTo(50.5, 6);
    expect(slip.p95).toBeCloseTo(95.05, 6);
    expect(slip.p99).toBeCloseTo(99.01, 6);
    expect(slip.max).toBeCloseTo(100, 6);
    const lag = jr.lagStats(T0);
    expect(lag).toMatchObject({ count: 100, mean: 505, median: 505, max: 1000 });
    expect(lag.p95).toBeCloseTo(950.5);
    expect(lag.p99).toBeCloseTo(990.1);
    // core/stats.ts computes them; an empty sample reads null, as status shows it ("-")
    expect(jr.lagStats(T0 + 1000)).toEqual({
      count: 0,
      mean: null,
      median: null,
      p95: null,
      p99: null,
      max: null,
    });
    const exec = jr.execSlippageStats(T0);
    expect(exec.count).toBe(101);
    expect(jr.execSlippageStats(T0, "repair")).toMatchObject({ count: 1, mean: 100 });
    expect(jr.execSlippageStats(T0, "copy").count).toBe(100);
    expect(jr.fillCounts(T0)).toEqual({
      total: 101,
      byKind: {
        copy: 100,
        repair: 1,
        join: 0,
        safety: 0,
        flatten: 0,
        liquidation: 0,
        adl: 0,
        outside: 0,
        other: 0,
      },
    });
  });

  it("a fill takes its order's kind and references from the journal; a repair's leader price is not kept", () => {
    const jr = open();
    const copy = action({ coin: "BTC", size: 1, cloid: "0x0c", refPx: 100 });
    const repair = action({ coin: "ETH", size: 1, cloid: "0x0d", refPx: 100 });
    jr.recordOrderIntent({ runId: null, ts: T0, action: copy, kind: "copy", touchPx: 100.02 });
    jr.recordOrderIntent({ runId: null, ts: T0, action: repair, kind: "repair", touchPx: 100.02 });
    expect(jr.getOrder("0x0c")).toMatchObject({ kind: "copy", leaderPx: 100, touchPx: 100.02 });
    expect(jr.getOrder("0x0d")).toMatchObject({ kind: "repair", leaderPx: null, touchPx: 100.02 });
    jr.recordFill({ tid: 1, ts: T0, coin: "BTC", side: "buy", px: 100.03, sz: 1, fee: 0, cloid: "0x0c" });
    jr.recordFill({ tid: 2, ts: T0, coin: "ETH", side: "buy", px: 100.03, sz: 1, fee: 0, cloid: "0x0d" });
    const [a, b] = jr.fillsSince(0);
    expect(a).toMatchObject({ kind: "copy" });
    expect(a?.slippageBps).toBeCloseTo(3, 6);
    expect(a?.execSlippageBps).toBeCloseTo(0.99980004, 6);
    expect(b).toMatchObject({ kind: "repair", slippageBps: null });
    expect(b?.execSlippageBps).toBeCloseTo(0.99980004, 6);
  });

  it("funding payments are kept once per (time, coin), and the copy starts at the first trading run", () => {
    const jr = open();
    expect(jr.copyStart()).toBeNull();
    expect(jr.recordFunding({ ts: T0, coin: "BTC", usdc: -0.5, szi: 0.01, rate: 0.0001 })).toBe(true);
    expect(jr.recordFunding({ ts: T0, coin: "BTC", usdc: -0.5, szi: 0.01, rate: 0.0001 })).toBe(false);
    expect(jr.recordFunding({ ts: T0, coin: "ETH", usdc: 0.2 })).toBe(true);
    expect(jr.fundingSince(0).map((f) => [f.coin, f.usdc])).toEqual([
      ["BTC", -0.5],
      ["ETH", 0.2],
    ]);
    expect(jr.lastFundingTime()).toBe(T0);
    startRunAs(jr, "dry-run", T0 + 1);
    expect(jr.copyStart()).toBeNull();
    startRunAs(jr, "follow", T0 + 10);
    jr.recordEquity(T0 + 5, 900);
    expect(jr.copyStart()).toEqual({ since: T0 + 10, startEquity: null });
    jr.recordEquity(T0 + 11, 1_000);
    jr.recordEquity(T0 + 12, 1_100);
    expect(jr.copyStart()).toEqual({ since: T0 + 10, startEquity: 1_000 });
  });

  it("a paper journal's copy starts with its newest paper run: each trades a new paper account", () => {
    const jr = open();
    startRunAs(jr, "paper", T0);
    jr.recordEquity(T0 + 1, 100_000);
    expect(jr.copyStart()).toEqual({ since: T0, startEquity: 100_000 });
    startRunAs(jr, "paper", T0 + 100);
    expect(jr.copyStart()).toEqual({ since: T0 + 100, startEquity: null });
    jr.recordEquity(T0 + 101, 5_000);
    expect(jr.copyStart()).toEqual({ since: T0 + 100, startEquity: 5_000 });
  });
});

describe("equity", () => {
  it("carries the high-water mark forward and raises it on new highs", () => {
    const jr = open();
    expect(jr.highWaterMark()).toBeNull();
    expect(jr.recordEquity(T0, 1000)).toEqual({
      ts: T0,
      accountValue: 1000,
      hwm: 1000,
      scale: 1,
      cash: null,
      pending: 0,
    });
    expect(jr.recordEquity(T0 + 1, 1200).hwm).toBe(1200);
    expect(jr.recordEquity(T0 + 2, 900).hwm).toBe(1200);
    expect(jr.highWaterMark()).toBe(1200);
    expect(jr.latestEquity()).toEqual({
      ts: T0 + 2,
      accountValue: 900,
      hwm: 1200,
      scale: 1,
      cash: null,
      pending: 0,
    });
    expect(jr.resetHighWaterMark(T0 + 3, 900).hwm).toBe(900);
    expect(jr.recordEquity(T0 + 4, 950).hwm).toBe(950);
  });

  it("day-start equity is the first snapshot of that UTC day", () => {
    const jr = open();
    const day = Date.UTC(2025, 0, 2);
    jr.recordEquity(day - 1, 500); // the previous day
    jr.recordEquity(day + 3_600_000, 1000);
    jr.recordEquity(day + 7_200_000, 800);
    jr.recordEquity(day + 86_400_000, 700); // the next day
    expect(jr.dayStartEquity("2025-01-02")).toEqual({ value: 1000, scale: 1 });
    expect(jr.dayStartEquity("2025-01-03")).toEqual({ value: 700, scale: 1 });
    expect(jr.dayStartEquity("2025-01-04")).toBeNull();
    expect(() => jr.dayStartEquity("yesterday")).toThrow(RangeError);
  });

  it("our cash flows scale the high-water mark by their factor (E + flow) / E: the drawdown % stays", () => {
    const jr = open();
    jr.recordEquity(T0, 10_000);
    jr.recordEquity(T0 + 1, 8_000); // 20 % down from 10 000
    expect(jr.cashFlowAnchor()).toBe(T0);
    // A withdrawal of half the account: its factor 0.5, as the run works it out.
    const w = { time: T0 + 5, usd: -4_000, kind: "withdraw", hash: "0x01" };
    expect(jr.hasCashFlow(w)).toBe(false);
    expect(jr.recordCashFlows([{ ...w, factor: 0.5 }])).toEqual([w]);
    expect(jr.recordCashFlows([{ ...w, factor: 0.5 }])).toEqual([]); // the stream and a sweep's read both bring it: once
    expect(jr.hasCashFlow(w)).toBe(true);
    expect(jr.cashFlowTotal()).toBe(-4_000);
    expect(jr.cashFlowScale()).toBe(0.5);
    expect(jr.lastCashFlowTime()).toBe(T0 + 5);
    // Recorded at the new scale: the mark scaled with the withdrawal (10 000 → 5 000); still 20 % down.
    expect(jr.recordEquity(T0 + 10, 4_000)).toMatchObject({ accountValue: 4_000, hwm: 5_000, scale: 0.5 });
    jr.recordCashFlows([{ time: T0 + 25, usd: 4_000, kind: "deposit", hash: "0x02", factor: 2 }]);
    expect(jr.cashFlowScale()).toBe(1);
    expect(jr.recordEquity(T0 + 30, 8_000).hwm).toBe(10_000);
    // The day's first equity is given with the scale it was taken at (scaled by the reader).
    expect(jr.dayStartEquity(new Date(T0).toISOString().slice(0, 10))).toEqual({ value: 10_000, scale: 1 });
    // A reset (hlcopy resume) starts the mark again at today's scale: flows before it are in it.
    jr.recordCashFlows([{ time: T0 + 35, usd: -4_000, kind: "withdraw", hash: "0x03", factor: 0.5 }]);
    expect(jr.resetHighWaterMark(T0 + 40, 4_000)).toMatchObject({ hwm: 4_000, scale: 0.5 });
    expect(jr.cashFlowAnchor()).toBe(T0 + 40);
    expect(jr.cashFlowsSince(T0 + 20)).toEqual([
      { time: T0 + 25, usd: 4_000, kind: "deposit", hash: "0x02" },
      { time: T0 + 35, usd: -4_000, kind: "withdraw", hash: "0x03" },
    ]);
  });

  it("a journal from before the factors: its cash flows count 1 and its marks read as recorded", () => {
    const file = journalPath(tempDir(), ACCOUNT);
    const db = new DatabaseSync(file);
    // The journal as the last version before the factors (7) left it.
    for (const m of MIGRATIONS.filter((m) => m.version <= 7)) {
      db.exec(m.sql);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, 0)").run(
        m.version,
        m.name,
      );
    }
    db.exec(`PRAGMA user_version = 7; PRAGMA application_id = ${JOURNAL_APPLICATION_ID}`);
    // The old way: the withdrawal moved the mark by its amount (10 000 → 7 000).
    db.exec(`INSERT INTO equity (ts, account_value, hwm, flows) VALUES (${T0}, 10000, 10000, 0)`);
    db.exec(`INSERT INTO cash_flows (ts, usd, kind, hash) VALUES (${T0 + 1}, -3000, 'withdraw', '0x01')`);
    db.exec(`INSERT INTO equity (ts, account_value, hwm, flows) VALUES (${T0 + 2}, 7000, 7000, -3000)`);
    db.close();
    const jr = openJournal(file);
    expect(jr.cashFlowScale()).toBe(1);
    expect(jr.latestEquity()).toMatchObject({ hwm: 7_000, scale: 1 });
    expect(jr.recordEquity(T0 + 3, 6_900).hwm).toBe(7_000);
    jr.close();
  });
});

describe("fills hlcopy did not place: their origin (leftovers 3)", () => {
  it("a forced close keeps what the exchange said it was; any other is outside; hlcopy's own have none", () => {
    const jr = open();
    const fill = { ts: T0, coin: "BTC", side: "sell" as const, px: 100, sz: 1, fee: 0 };
    jr.recordFill({ ...fill, tid: 1, oid: 1, forced: "liquidation", copySz: 0.5 });
    jr.recordFill({ ...fill, tid: 2, oid: 2, forced: "adl" });
    jr.recordFill({ ...fill, tid: 3, oid: 3 });
    jr.recordFill({ ...fill, tid: 4, oid: 4, kind: "copy", forced: null });
    expect(jr.fillsSince(0).map((f) => f.origin)).toEqual(["liquidation", "adl", "outside", null]);
    expect(jr.fillCounts(T0).byKind).toEqual({
      copy: 1,
      repair: 0,
      join: 0,
      safety: 0,
      flatten: 0,
      liquidation: 1,
      adl: 1,
      outside: 1,
      other: 3,
    });
    jr.close();
  });

  it("a fill journaled before origins were kept counts as not placed by hlcopy, in no origin", () => {
    const file = journalPath(tempDir(), ACCOUNT);
    const db = new DatabaseSync(file);
    for (const m of MIGRATIONS.filter((m) => m.version <= 8)) {
      db.exec(m.sql);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, 0)").run(
        m.version,
        m.name,
      );
    }
    db.exec(`PRAGMA user_version = 8; PRAGMA application_id = ${JOURNAL_APPLICATION_ID}`);
    db.exec(
      `INSERT INTO fills (tid, ts, coin, side, px, sz, fee, oid, copy_sz) VALUES (7, ${T0}, 'BTC', 'sell', 100, 1, 0, 7, 1)`,
    );
    db.close();
    const jr = openJournal(file);
    expect(jr.fillsSince(0)[0]?.origin).toBeNull();
    expect(jr.fillCounts(T0).byKind).toMatchObject({ liquidation: 0, adl: 0, outside: 0, other: 1 });
    jr.close();
  });
});

describe("lastRun: the sizing reference (leftovers 5)", () => {
  it("skips a run paused from when it could act to its end; one resumed, or paused later, counts", () => {
    const jr = open();
    const run = (ratio: number, at: number) =>
      jr.startRun({
        command: "reconcile",
        leaders: [{ address: "0x5e9ee1089755c3435139848e47e6635505d5a13a", weight: 1 }],
        account: ACCOUNT as `0x${string}`,
        network: "mainnet",
        settings: { sizing: { ratio } },
        startedAt: at,
      });
    const traded = run(0.1, T0);
    const paused = run(0.2, T0 + 10);
    jr.recordEvent({ ts: T0 + 11, type: "paused", runId: paused, data: { paused: true, atStart: true } });
    expect(jr.lastRun({ trading: true })?.id).toBe(paused);
    expect(jr.lastRun({ trading: true, sizedBy: true })?.id).toBe(traded);
    // Resumed during the run: it traded at its sizing.
    const resumed = run(0.3, T0 + 20);
    jr.recordEvent({ ts: T0 + 21, type: "paused", runId: resumed, data: { paused: true, atStart: true } });
    jr.recordEvent({ ts: T0 + 22, type: "paused", runId: resumed, data: { paused: false } });
    expect(jr.lastRun({ trading: true, sizedBy: true })?.id).toBe(resumed);
    // Paused after it traded: it counts too.
    const later = run(0.4, T0 + 30);
    jr.recordEvent({ ts: T0 + 31, type: "paused", runId: later, data: { paused: true } });
    expect(jr.lastRun({ trading: true, sizedBy: true })?.id).toBe(later);
    jr.close();
  });
});

describe("the day of the upgrade to the factors (leftovers 6)", () => {
  /** A journal as version 7 left it: the day's first snapshot, then a withdrawal moved the mark by its amount. */
  function beforeFactors(): string {
    const file = journalPath(tempDir(), ACCOUNT);
    const db = new DatabaseSync(file);
    for (const m of MIGRATIONS.filter((m) => m.version <= 7)) {
      db.exec(m.sql);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, 0)").run(
        m.version,
        m.name,
      );
    }
    db.exec(`PRAGMA user_version = 7; PRAGMA application_id = ${JOURNAL_APPLICATION_ID}`);
    // 12:00 the day's first snapshot, $1 000; 13:00 a $400 withdrawal (no loss); 13:01 $600.
    db.exec(`INSERT INTO equity (ts, account_value, hwm, flows) VALUES (${T0}, 1000, 1000, 0)`);
    db.exec(
      `INSERT INTO cash_flows (ts, usd, kind, hash) VALUES (${T0 + 3_600_000}, -400, 'withdraw', '0x01')`,
    );
    db.exec(`INSERT INTO equity (ts, account_value, hwm, flows) VALUES (${T0 + 3_660_000}, 600, 600, -400)`);
    db.close();
    return file;
  }

  it("that day's start is scaled by the withdrawal made before the upgrade, as every later day's is", () => {
    // Upgraded at 14:00 the same day.
    const jr = openJournal(beforeFactors(), { now: () => T0 + 7_200_000 });
    const start = jr.dayStartEquity("2025-01-02");
    expect(start).not.toBeNull();
    // $1 000 × 600 / 1 000: the withdrawal alone is no daily loss (it read $1 000: a 40 % loss).
    expect(markAt(start as Mark, jr.cashFlowScale())).toBeCloseTo(600, 9);
    // A flow after the upgrade scales it on top, as any day's.
    jr.recordCashFlows([{ time: T0 + 7_300_000, usd: -300, kind: "withdraw", hash: "0x02", factor: 0.5 }]);
    expect(markAt(jr.dayStartEquity("2025-01-02") as Mark, jr.cashFlowScale())).toBeCloseTo(300, 9);
    jr.close();
  });

  it("a day begun after the upgrade is read as recorded", () => {
    const jr = openJournal(beforeFactors(), { now: () => T0 + 7_200_000 });
    jr.recordEquity(T0 + 86_400_000, 650);
    expect(jr.dayStartEquity("2025-01-03")).toEqual({ value: 650, scale: 1 });
    jr.close();
  });
});

describe("halts", () => {
  it("records, reports the active one and clears them all", () => {
    const jr = open();
    expect(jr.activeHalt()).toBeNull();
    jr.recordHalt({ ts: T0, kind: "daily-loss", reason: "lost 10%" });
    const h = jr.recordHalt({
      ts: T0 + 1,
      kind: "kill-switch",
      reason: "drawdown 25%",
      details: { hwm: 1000 },
    });
    expect(h).toMatchObject({ kind: "kill-switch", details: { hwm: 1000 }, clearedAt: null });
    expect(jr.activeHalt()?.kind).toBe("kill-switch");
    expect(jr.clearHalts(T0 + 2)).toBe(2);
    expect(jr.activeHalt()).toBeNull();
    expect(jr.clearHalts(T0 + 3)).toBe(0);
    // Persisted across a restart.
    jr.recordHalt({ ts: T0 + 4, kind: "manual", reason: "paused by the user" });
    jr.close();
    expect(open().activeHalt()?.reason).toBe("paused by the user");
  });
});

describe("events, sweeps and listing", () => {
  it("lastSweep reads the newest sweep event or sweep decision", () => {
    const jr = open();
    expect(jr.lastSweep()).toBeNull();
    jr.recordDecision({ runId: null, ts: T0, trigger: "sweep", coins: ["BTC"], plan: plan() });
    // A plan's drift judged as every view judges it: BTC has an order, so all of it is outside.
    expect(jr.lastSweep()).toEqual({
      ts: T0,
      inSync: false,
      driftUsd: 650,
      outsideUsd: 650,
      durationMs: null,
    });
    jr.recordEvent({
      ts: T0 + 5,
      type: "sweep",
      data: { durationMs: 42, inSync: true, driftUsd: 3, requests: 4 },
    });
    // A sweep journaled before its outside figure was kept: unknown, not 0.
    expect(jr.lastSweep()).toEqual({
      ts: T0 + 5,
      inSync: true,
      driftUsd: 3,
      outsideUsd: null,
      durationMs: 42,
    });
    jr.recordEvent({
      ts: T0 + 6,
      type: "sweep",
      data: { durationMs: 40, inSync: false, driftUsd: 35.74, outsideUsd: 30.02, requests: 4 },
    });
    expect(jr.lastSweep()).toEqual({
      ts: T0 + 6,
      inSync: false,
      driftUsd: 35.74,
      outsideUsd: 30.02,
      durationMs: 40,
    });
    // As a follow journals it (engine/state-view.ts): the header's figure in its drift report,
    // and a sweep that sent orders with what they left as `after`. It read null for both.
    jr.recordEvent({
      ts: T0 + 7,
      type: "sweep",
      data: {
        durationMs: 9,
        inSync: false,
        driftUsd: 12.5,
        drift: { driftUsd: 12.5, outsideUsd: 11.2, inSync: false },
      },
    });
    expect(jr.lastSweep()).toEqual({
      ts: T0 + 7,
      inSync: false,
      driftUsd: 12.5,
      outsideUsd: 11.2,
      durationMs: 9,
    });
    jr.recordEvent({
      ts: T0 + 8,
      type: "sweep",
      data: {
        durationMs: 30,
        inSync: false,
        driftUsd: 99,
        drift: { driftUsd: 99, outsideUsd: 80 },
        orders: 1,
        after: { inSync: true, driftUsd: 4, drift: { driftUsd: 4, outsideUsd: 0 } },
      },
    });
    expect(jr.lastSweep()).toEqual({ ts: T0 + 8, inSync: true, driftUsd: 4, outsideUsd: 0, durationMs: 30 });
  });

  it("lists the newest N entries across tables, oldest first, filtered by time and table", () => {
    const jr = open();
    jr.recordEvent({ ts: T0, type: "reconnect" });
    jr.recordDecision({ runId: null, ts: T0 + 1, trigger: "fill", coins: ["BTC"], plan: plan() });
    jr.recordOrderIntent({ runId: null, ts: T0 + 1, action: action() });
    jr.recordFill({ tid: 9, ts: T0 + 2, coin: "BTC", side: "buy", px: 1, sz: 1, fee: 0 });
    jr.recordHalt({ ts: T0 + 3, kind: "manual", reason: "x" });
    expect(jr.listEntries().map((e) => e.table)).toEqual(["events", "decisions", "orders", "fills", "halts"]);
    expect(jr.listEntries({ limit: 2 }).map((e) => e.table)).toEqual(["fills", "halts"]);
    expect(jr.listEntries({ since: T0 + 2 }).map((e) => e.table)).toEqual(["fills", "halts"]);
    expect(jr.listEntries({ table: "orders" }).map((e) => e.table)).toEqual(["orders"]);
    expect(jr.listEntries({ limit: Number.POSITIVE_INFINITY })).toHaveLength(5);
  });

  it("copyMoments: the window's sweeps and state records as report's figures, and the newest earlier one with an unrealised P&L; never a dry run's", () => {
    const jr = open();
    const live = startRunAs(jr, "follow", T0 - 10);
    const dry = startRunAs(jr, "dry-run", T0 - 10);
    const state = (ts: number, data: unknown, runId = live) =>
      jr.recordEvent({ ts, type: "state", runId, data });
    state(T0 - 3, { moment: "change", pnl: { unrealisedUsd: 4 }, drift: { driftUsd: 9 } });
    state(T0 - 2, { moment: "change", pnl: { unrealisedUsd: 5 }, drift: { driftUsd: 10 } });
    state(T0 - 1, { moment: "change", drift: { driftUsd: 11 } }); // no P&L: the window does not open at it
    // A sweep that sent orders: its drift is what they left (`after`), not what it found.
    jr.recordEvent({
      ts: T0,
      type: "sweep",
      runId: live,
      data: {
        inSync: false,
        drift: { driftUsd: 99, outsideUsd: 80 },
        pnl: { unrealisedUsd: 7 },
        after: { drift: { driftUsd: 1, outsideUsd: 0 } },
      },
    });
    state(T0 + 1, { moment: "change", pnl: { unrealisedUsd: 8 }, drift: { driftUsd: 2 } }, dry);
    jr.recordEvent({ ts: T0 + 2, type: "reconnect", runId: live });
    state(T0 + 3, { driftUsd: 3, pnl: { unrealisedUsd: null } }); // a run's end
    // The header's figure where the record keeps it (the sweep's `after`: 0, not the 80 it found); null where not.
    const sweep = {
      ts: T0,
      type: "sweep",
      moment: null,
      unrealisedUsd: 7,
      driftUsd: 1,
      outsideUsd: 0,
      driftMaxUsd: 1,
    };
    expect(jr.copyMoments(T0)).toEqual([
      {
        ts: T0 - 2,
        type: "state",
        moment: "change",
        unrealisedUsd: 5,
        driftUsd: 10,
        outsideUsd: null,
        driftMaxUsd: 10,
      },
      sweep,
      {
        ts: T0 + 3,
        type: "state",
        moment: null,
        unrealisedUsd: null,
        driftUsd: 3,
        outsideUsd: null,
        driftMaxUsd: 3,
      },
    ]);
    expect(jr.copyMoments(T0 + 4)).toEqual([sweep]);
  });

  describe("recordStateChange: a running follow's state, one record per span", () => {
    const change = (ts: number, driftUsd: number, driftMaxUsd: number) => ({
      ts,
      type: "state",
      data: { moment: "change", pnl: { unrealisedUsd: ts - T0 }, drift: { driftUsd }, driftMaxUsd },
    });
    const states = (jr: Journal) =>
      jr
        .listEntries({ table: "events", limit: Number.POSITIVE_INFINITY })
        .flatMap((e) => (e.table === "events" && e.type === "state" ? [e] : []));

    it("replaces the run's previous record in place: the newest figures, one row, in the log's order", () => {
      const jr = open();
      const run = startRunAs(jr, "follow", T0 - 10);
      jr.recordStateChange({ ...change(T0, 5, 5), runId: run }, false);
      jr.recordStateChange({ ...change(T0 + 1, 9, 9), runId: run }, true);
      jr.recordStateChange({ ...change(T0 + 2, 2, 9), runId: run }, true);
      expect(states(jr)).toHaveLength(1);
      expect(states(jr)[0]).toMatchObject({ ts: T0 + 2, runId: run, data: { drift: { driftUsd: 2 } } });
      // report's figures of that minute: the last drift, and the highest the record stood for.
      expect(jr.copyMoments(T0)).toEqual([
        {
          ts: T0 + 2,
          type: "state",
          moment: "change",
          unrealisedUsd: 2,
          driftUsd: 2,
          outsideUsd: null,
          driftMaxUsd: 9,
        },
      ]);
    });

    it("starts a new record for a new span and for another run; an event since moves nothing but the record's time", () => {
      const jr = open();
      const run = startRunAs(jr, "follow", T0 - 10);
      jr.recordStateChange({ ...change(T0, 5, 5), runId: run }, false);
      jr.recordStateChange({ ...change(T0 + 1, 6, 6), runId: run }, false); // a new span
      // A sweep in between: the change replaced after it is newer than the sweep, and read so.
      jr.recordEvent({ ts: T0 + 2, type: "sweep", runId: run, data: { drift: { driftUsd: 1 } } });
      jr.recordStateChange({ ...change(T0 + 3, 7, 7), runId: run }, true);
      const next = startRunAs(jr, "follow", T0 + 4);
      jr.recordStateChange({ ...change(T0 + 5, 8, 8), runId: next }, true);
      expect(
        jr.listEntries({ table: "events" }).map((e) => [e.table === "events" ? e.type : e.table, e.ts]),
      ).toEqual([
        ["state", T0],
        ["sweep", T0 + 2],
        ["state", T0 + 3],
        ["state", T0 + 5],
      ]);
    });
  });

  it("a run's leader trades as report replays them: its leader fills, its decisions' leaderSeen (no plan), a plan by id, an order's outcome", () => {
    const jr = open();
    const live = startRunAs(jr, "follow", T0 - 10);
    const dry = startRunAs(jr, "dry-run", T0 - 10);
    jr.recordLeaderFill({ runId: live, seq: 1, ts: T0, leader: "0xAB", oid: 7, coin: "BTC" });
    jr.recordLeaderFill({ runId: live, seq: 2, ts: T0 + 1, leader: "0xab", oid: 7, coin: "BTC" });
    jr.recordLeaderFill({ runId: dry, seq: 1, ts: T0, leader: "0xab", oid: 8, coin: "ETH" });
    const id = jr.recordDecision({
      runId: live,
      ts: T0 + 2,
      trigger: "fill",
      coins: ["BTC"],
      plan: plan(),
      leaderSeen: 2,
    });
    jr.recordDecision({ runId: live, ts: T0 + 3, trigger: "sweep", coins: ["BTC"], plan: plan() });
    expect(jr.leaderFillsOf(live)).toEqual([
      { runId: live, seq: 1, ts: T0, leader: "0xab", oid: 7, coin: "BTC" },
      { runId: live, seq: 2, ts: T0 + 1, leader: "0xab", oid: 7, coin: "BTC" },
    ]);
    expect(jr.tradeDecisionsOf(live)).toEqual([
      { id, ts: T0 + 2, trigger: "fill", coins: ["BTC"], held: null, leaderSeen: 2 },
      expect.objectContaining({ trigger: "sweep", leaderSeen: null }),
    ]);
    expect(jr.planOf(id)?.skipped).toEqual(plan().skipped);
    expect(jr.orderOutcome("0xnone")).toBeNull();
    // The runs report replays: never a dry run's; this build's runs keep their leader trades.
    expect(jr.tradeRuns(T0, T0 + 10).map((r) => [r.id, r.leaderTradesKept])).toEqual([[live, true]]);
  });

  it("a decision held by a pause or by the run's stop says so; a schema-13 journal's decisions are kept through the migration", () => {
    // Schema 12's CHECK took only 'paused': a plan made as the run stopped (held 'stopping') could
    // not be journaled — the write failed ("CHECK constraint failed").
    mkdirSync(dirname(file), { recursive: true });
    const db = new DatabaseSync(file);
    for (const m of MIGRATIONS.filter((m) => m.version <= 13)) {
      db.exec(m.sql);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, 0)").run(
        m.version,
        m.name,
      );
    }
    db.exec(`PRAGMA user_version = 13; PRAGMA application_id = ${JOURNAL_APPLICATION_ID}`);
    db.prepare(
      `INSERT INTO runs (id, command, leaders, account, network, started_at, settings) VALUES (1, 'follow', '[]', ?, 'mainnet', ?, '{}')`,
    ).run(ACCOUNT, T0 - 10);
    db.prepare(
      `INSERT INTO decisions (id, run_id, ts, trigger, coins, plan, in_sync, n_actions, n_skipped, held, leader_seen)
       VALUES (5, 1, ?, 'fill', '["BTC"]', ?, 0, 1, 0, 'paused', 3)`,
    ).run(T0, JSON.stringify(plan()));
    db.close();
    const jr = open();
    const id = jr.recordDecision({
      runId: 1,
      ts: T0 + 1,
      trigger: "fill",
      coins: ["ETH"],
      plan: plan(),
      held: "stopping",
      leaderSeen: 4,
    });
    expect(id).toBe(6);
    expect(jr.tradeDecisionsOf(1)).toEqual([
      { id: 5, ts: T0, trigger: "fill", coins: ["BTC"], held: "paused", leaderSeen: 3 },
      { id: 6, ts: T0 + 1, trigger: "fill", coins: ["ETH"], held: "stopping", leaderSeen: 4 },
    ]);
    expect(jr.planOf(5)?.skipped).toEqual(plan().skipped);
  });

  it("batch commits many writes at once and rolls back on error", () => {
    const jr = open();
    expect(() =>
      jr.batch(() => {
        jr.recordEvent({ ts: T0, type: "a" });
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(jr.listEntries()).toHaveLength(0);
    jr.batch(() => jr.batch(() => jr.recordEvent({ ts: T0, type: "b" })));
    expect(jr.listEntries()).toHaveLength(1);
  });
});

describe("hot path writes", () => {
  // Their cost is a figure in bench/journal.mjs, not a wall-clock assertion here.
  it("recordDecision + recordOrderIntent + updateOrder leave one order row per cloid, in its final state", () => {
    const jr = open();
    const p = plan();
    for (let i = 0; i < 50; i++) {
      const cloid = `0x${i.toString(16).padStart(32, "0")}` as const;
      jr.recordDecision({ runId: 1, ts: T0 + i, trigger: "fill", coins: ["BTC"], plan: p });
      jr.recordOrderIntent({ runId: 1, ts: T0 + i, action: action({ cloid }), request: { i } });
      jr.updateOrder(cloid, {
        ts: T0 + i,
        status: "filled",
        oid: i,
        filledSize: 0.01,
        avgPx: 65_000,
        reply: {},
      });
    }
    expect(jr.listEntries({ table: "orders", limit: Number.POSITIVE_INFINITY })).toHaveLength(50);
    expect(jr.getOrder(`0x${(7).toString(16).padStart(32, "0")}`)?.status).toBe("filled");
  });
});

describe("group commit: records told after the fact wait for the next commit", () => {
  /** What another process (hlcopy status, hlcopy journal) sees: committed rows only. */
  const seenElsewhere = (table: string): number => {
    const other = new DatabaseSync(file, { readOnly: true });
    try {
      return Number(other.prepare(`SELECT count(*) AS n FROM ${table}`).get()?.n);
    } finally {
      other.close();
    }
  };
  const cloid = (i: number) => `0x${i.toString(16).padStart(32, "0")}` as const;

  it("an order's result, its fill, the decision and events are read back at once here, and committed with the next intent", () => {
    const jr = openJournal(file, { groupCommitMs: 60_000 });
    j = jr;
    expect(jr.recordOrderIntent({ runId: 1, ts: T0, action: action({ cloid: cloid(1) }) })).toBe(true);
    // The intent is on disk before it returns: the order may be sent now.
    expect(seenElsewhere("orders")).toBe(1);
    jr.updateOrder(cloid(1), { ts: T0 + 1, status: "filled", filledSize: 0.01, avgPx: 65_000 });
    jr.recordDecision({ runId: 1, ts: T0, trigger: "fill", coins: ["BTC"], plan: plan() });
    jr.recordEvent({ ts: T0 + 2, type: "reconnect" });
    expect(jr.getOrder(cloid(1))?.status).toBe("filled");
    expect(jr.listEntries({ table: "decisions" })).toHaveLength(1);
    expect(seenElsewhere("decisions")).toBe(0);
    expect(seenElsewhere("events")).toBe(0);
    // The next order's intent commits them with it.
    expect(jr.recordOrderIntent({ runId: 1, ts: T0 + 3, action: action({ cloid: cloid(2) }) })).toBe(true);
    expect(seenElsewhere("orders")).toBe(2);
    expect(seenElsewhere("decisions")).toBe(1);
    expect(seenElsewhere("events")).toBe(1);
  });

  it("with nothing else to write they are committed within groupCommitMs", async () => {
    const jr = openJournal(file, { groupCommitMs: 20 });
    j = jr;
    jr.recordEvent({ ts: T0, type: "reconnect" });
    // vitest's default bound (1 s) is tight for a busy machine: the commit needs only its timer.
    await vi.waitFor(() => expect(seenElsewhere("events")).toBe(1), { timeout: 10_000 });
  });

  it("close commits what waits; a halt and a batch do not wait", () => {
    const jr = openJournal(file, { groupCommitMs: 60_000 });
    j = jr;
    jr.recordEvent({ ts: T0, type: "a" });
    jr.recordHalt({ ts: T0, kind: "manual", reason: "test" });
    expect(seenElsewhere("events")).toBe(1);
    jr.recordEvent({ ts: T0, type: "b" });
    jr.batch(() => jr.recordEvent({ ts: T0, type: "c" }));
    expect(seenElsewhere("events")).toBe(3);
    jr.recordEvent({ ts: T0, type: "d" });
    jr.close();
    expect(seenElsewhere("events")).toBe(4);
  });

  it("msToCommit says how long the open group waits for its commit, and null with none open", () => {
    const jr = openJournal(file, { groupCommitMs: 60_000 });
    j = jr;
    expect(jr.msToCommit()).toBeNull();
    jr.recordEvent({ ts: T0, type: "a" });
    const left = jr.msToCommit();
    expect(left).not.toBeNull();
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(60_000);
    // A write that commits at once commits the group with it: none is open after it.
    jr.recordHalt({ ts: T0, kind: "manual", reason: "test" });
    expect(seenElsewhere("events")).toBe(1);
    expect(jr.msToCommit()).toBeNull();
    const every = openJournal(join(dir, "other.sqlite"), { groupCommitMs: 0 });
    try {
      every.recordEvent({ ts: T0, type: "b" });
      expect(every.msToCommit()).toBeNull();
    } finally {
      every.close();
    }
  });

  it("groupCommitMs 0 commits every write at once", () => {
    const jr = openJournal(file, { groupCommitMs: 0 });
    j = jr;
    jr.recordEvent({ ts: T0, type: "reconnect" });
    expect(seenElsewhere("events")).toBe(1);
  });
});

describe("retention", () => {
  it("prunes old plans and event lines but keeps orders, fills, equity, halts and sweep records", () => {
    const journal = open();
    const old = T0 - 40 * 86_400_000;
    journal.recordDecision({ runId: null, ts: old, trigger: "fill", coins: ["BTC"], plan: plan() });
    journal.recordDecision({ runId: null, ts: T0, trigger: "fill", coins: ["BTC"], plan: plan() });
    journal.recordEvent({ ts: old, type: "reconnect" });
    journal.recordEvent({ ts: old, type: "sweep", data: { inSync: true } });
    journal.recordOrderIntent({ runId: null, ts: old, action: action() });
    journal.recordEquity(old, 1_000);
    journal.recordHalt({ ts: old, kind: "manual", reason: "test" });
    expect(journal.pruneBefore(T0 - 30 * 86_400_000)).toEqual({ decisions: 1, events: 1 });
    expect(journal.listEntries({ table: "decisions", limit: Number.POSITIVE_INFINITY })).toHaveLength(1);
    expect(
      journal
        .listEntries({ table: "events", limit: Number.POSITIVE_INFINITY })
        .map((e) => e.table === "events" && e.type),
    ).toEqual(["sweep"]);
    expect(journal.listEntries({ table: "orders", limit: Number.POSITIVE_INFINITY })).toHaveLength(1);
    expect(journal.highWaterMark()).toBe(1_000);
    expect(journal.activeHalt()?.reason).toBe("test");
  });

  it("keeps, of the sweeps past the retention, each run's last of a UTC day (report's day-end figures)", () => {
    const journal = open();
    const live = startRunAs(journal, "follow", T0 - 50 * 86_400_000);
    const other = startRunAs(journal, "follow", T0 - 50 * 86_400_000);
    const day = Math.floor((T0 - 40 * 86_400_000) / 86_400_000) * 86_400_000;
    const sweep = (ts: number, runId: number, n: number) =>
      journal.recordEvent({ ts, type: "sweep", runId, data: { n, pnl: { unrealisedUsd: n } } });
    sweep(day + 1_000, live, 1);
    sweep(day + 2_000, live, 2);
    sweep(day + 3_000, other, 3);
    sweep(day + 86_400_000 - 1, live, 4); // the day's last millisecond
    sweep(day + 86_400_000, live, 5); // the next day's first
    sweep(day + 86_400_000 + 1, live, 6);
    sweep(T0, live, 7); // within the retention: every one stays
    sweep(T0 + 1, live, 8);
    journal.pruneBefore(T0 - 30 * 86_400_000);
    const left = journal
      .listEntries({ table: "events", limit: Number.POSITIVE_INFINITY })
      .map((e) => (e.table === "events" ? (e.data as { n: number }).n : 0));
    expect(left).toEqual([3, 4, 6, 7, 8]);
    // In slices the same, and nothing more once done.
    sweep(day + 10, live, 9);
    sweep(day + 20, live, 10);
    expect(journal.pruneBefore(T0 - 30 * 86_400_000, 1).events).toBe(1);
    expect(journal.pruneBefore(T0 - 30 * 86_400_000, 1).events).toBe(1);
    expect(journal.pruneBefore(T0 - 30 * 86_400_000, 1).events).toBe(0);
  });

  it("prunes at most `limit` rows of each table, the oldest first (a running follow's slices)", () => {
    const journal = open();
    const old = T0 - 40 * 86_400_000;
    for (const ts of [old + 2, old, old + 1]) {
      journal.recordDecision({ runId: null, ts, trigger: "fill", coins: ["BTC"], plan: plan() });
      journal.recordEvent({ ts, type: "reconnect" });
    }
    journal.recordEvent({ ts: old, type: "sweep", data: { inSync: true } });
    const left = (table: "decisions" | "events") =>
      journal.listEntries({ table, limit: Number.POSITIVE_INFINITY }).map((e) => e.ts);
    expect(journal.pruneBefore(T0, 2)).toEqual({ decisions: 2, events: 2 });
    expect(left("decisions")).toEqual([old + 2]);
    expect(left("events")).toEqual([old, old + 2]); // the sweep record stays
    expect(journal.pruneBefore(T0, 2)).toEqual({ decisions: 1, events: 1 });
    expect(journal.pruneBefore(T0, 2)).toEqual({ decisions: 0, events: 0 });
    expect(left("decisions")).toEqual([]);
  });
});
