// Disk and database errors read as what they are: the translator (every errno and SQLite code
// it knows, with the causes a test cannot produce for real — ENOSPC, EROFS, EACCES as root),
// then the journal against real SQLite trouble: a connection holding it in an exclusive
// transaction, a malformed page, a file of garbage.

import { execFileSync } from "node:child_process";
import {
  chmodSync,
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { describe, expect, it, vi } from "vitest";
import {
  ConfigError,
  type HlcopyError,
  JournalBusyError,
  OperationalError,
  toHlcopyError,
} from "../../src/core/errors.js";
import type { Address } from "../../src/core/types.js";
import { storeError, storeErrorKind } from "../../src/store/disk-errors.js";
import { intentLogPath } from "../../src/store/intent-log.js";
import { type JournalBusyState, journalPath, openJournal } from "../../src/store/journal.js";
import { tempDir } from "../helpers/cli.js";
import { action } from "./fixtures.js";

const FILE = "/home/trader/.config/hlcopy/config.json";

function errno(code: string, message = `${code}: something, write`): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error(message);
  e.code = code;
  return e;
}
function sqlite(errcode: number, errstr: string): Error {
  return Object.assign(new Error(errstr), { code: "ERR_SQLITE_ERROR", errcode, errstr });
}

/** The contract every translated error keeps: names the file, says what to do, no "report it". */
function expectClear(e: HlcopyError, exitCode: number): void {
  expect(e.message).toContain(FILE);
  expect(e.message).not.toContain("\n");
  expect(e.hint).toMatch(/\S/);
  expect(`${e.message} ${e.hint}`).not.toMatch(/report/i);
  expect(e.exitCode).toBe(exitCode);
}

/**
 * Make `file` refuse writes for real: immutable as root (chattr +i: even an open descriptor
 * cannot write it), read-only otherwise. Null when this machine cannot (root without chattr).
 */
function unwritable(file: string): (() => void) | null {
  if (process.getuid?.() === 0) {
    try {
      execFileSync("chattr", ["+i", file], { stdio: "ignore" });
    } catch {
      return null;
    }
    return () => execFileSync("chattr", ["-i", file], { stdio: "ignore" });
  }
  chmodSync(file, 0o444);
  return () => chmodSync(file, 0o644);
}

// SQLite reports any failed write as SQLITE_IOERR: a -wal made unwritable mid-run was said as
// "the disk failed with an I/O error" with a dmesg/smartctl hint.
describe("SQLite's I/O error is asked what it was", () => {
  it("a -wal that refuses writes is permission denied, naming the -wal, not a failing disk", () => {
    const dir = tempDir();
    const file = journalPath(dir, "0x00000000000000000000000000000000000000a1" as Address);
    writeFileSync(file, "");
    writeFileSync(`${file}-wal`, "");
    const restore = unwritable(`${file}-wal`);
    if (!restore) return; // root without chattr: nothing here can refuse root a write
    try {
      const e = storeError(sqlite(778, "disk I/O error"), { file, what: "journal", operation: "write" });
      expect(e.message).toBe(`cannot write journal ${file}: permission denied (${file}-wal)`);
      expect(e.hint).toMatch(/^check who owns it, its mode and flags \(ls -l, lsattr/);
      expect(`${e.message} ${e.hint}`).not.toMatch(/I\/O|dmesg|smartctl/);
    } finally {
      restore();
    }
    // Files that take writes: the I/O error stands.
    const io = storeError(sqlite(778, "disk I/O error"), { file, what: "journal", operation: "write" });
    expect(io.message).toBe(`cannot write journal ${file}: the disk failed with an I/O error`);
  });

  it.skipIf(process.getuid?.() !== 0)(
    "a running journal whose -wal is made immutable says so when it next writes",
    () => {
      const dir = tempDir();
      const file = journalPath(dir, "0x00000000000000000000000000000000000000a1" as Address);
      const j = openJournal(file);
      j.recordEquity(1, 100);
      const restore = unwritable(`${file}-wal`);
      if (!restore) {
        j.close();
        return;
      }
      let error: unknown;
      try {
        for (let i = 0; i < 3; i++) j.recordEquity(2 + i, 100);
        j.close();
      } catch (e) {
        error = e;
      } finally {
        restore();
      }
      expect(error).toBeInstanceOf(OperationalError);
      expect((error as Error).message).toBe(`cannot write journal ${file}: permission denied (${file}-wal)`);
    },
  );
});

describe("storeError", () => {
  const ctx = { file: FILE, what: "config file", operation: "write" as const };

  it.each([
    ["ENOSPC", `cannot write config file ${FILE}: the disk is full`, /free some space .*df -h/],
    ["EDQUOT", `cannot write config file ${FILE}: the disk is full`, /free some space/],
    ["EACCES", `cannot write config file ${FILE}: permission denied`, /ls -ld .*--config-dir/],
    ["EPERM", `cannot write config file ${FILE}: permission denied`, /ls -ld/],
    ["EROFS", `cannot write config file ${FILE}: the file system is read-only`, /read-write.*--config-dir/],
    [
      "ENOTDIR",
      `cannot write config file ${FILE}: a part of its path is a file, not a directory`,
      /must be a directory/,
    ],
    ["EIO", `cannot write config file ${FILE}: the disk failed with an I/O error`, /copy .* somewhere safe/],
  ])("%s → one clear line and a hint, exit 1", (code, message, hint) => {
    const e = storeError(errno(code), ctx);
    expect(e).toBeInstanceOf(OperationalError);
    expect(e.message).toBe(message);
    expect(e.hint).toMatch(hint);
    expect(e.cause).toBeInstanceOf(Error); // kept for --debug
    expectClear(e, 1);
  });

  it.each([
    [5, "database is locked", "busy"],
    [517, "database is locked", "busy"], // SQLITE_BUSY_SNAPSHOT: extended codes keep the primary in the low byte
    [6, "database table is locked", "busy"],
    [13, "database or disk is full", "full"],
    [8, "attempt to write a readonly database", "read-only"],
    [1032, "attempt to write a readonly database", "read-only"], // SQLITE_READONLY_DBMOVED
    [10, "disk I/O error", "io"],
    [778, "disk I/O error", "io"], // SQLITE_IOERR_WRITE
    [14, "unable to open database file", "cannot-open"],
    [11, "database disk image is malformed", "corrupt"],
    [26, "file is not a database", "corrupt"],
  ])("SQLite errcode %i (%s) is %s", (errcode, errstr, kind) => {
    expect(storeErrorKind(sqlite(errcode, errstr))).toBe(kind);
  });

  it("a journal locked by another program: exit 1, says who to close", () => {
    const e = storeError(sqlite(5, "database is locked"), {
      file: FILE,
      what: "journal",
      operation: "write",
    });
    expect(e.message).toBe(`journal ${FILE} is locked by another program`);
    expect(e.hint).toContain("close it");
    expectClear(e, 1);
  });

  it("a corrupt database: exit 2 (the user must move it aside), with the caller's hint", () => {
    const e = storeError(sqlite(11, "database disk image is malformed"), {
      file: FILE,
      what: "journal",
      operation: "read",
      corruptHint: "move it aside, and know what that forgets",
    });
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toBe(`journal ${FILE} is corrupt or not a SQLite database`);
    expect(e.hint).toBe("move it aside, and know what that forgets");
    expectClear(e, 2);
  });

  it("recognises a disk error that SQLite reports only in its text", () => {
    expect(storeErrorKind(new Error("database or disk is full"))).toBe("full");
    expect(storeErrorKind(new Error("ENOSPC: no space left on device, write"))).toBe("full");
  });

  it("the lock directory gets its own way out (HLCOPY_LOCK_DIR), not --config-dir", () => {
    const e = storeError(errno("EACCES"), {
      file: "/run/user/1000/hlcopy",
      what: "lock directory",
      operation: "create",
      elsewhere: "set HLCOPY_LOCK_DIR to a private directory you can write",
    });
    expect(e.message).toBe("cannot create lock directory /run/user/1000/hlcopy: permission denied");
    expect(e.hint).toContain("HLCOPY_LOCK_DIR");
    expect(e.hint).not.toContain("--config-dir");
  });

  it("an hlcopy error passes through; an unknown one keeps its first line, and no 'report it'", () => {
    const ours = new OperationalError("already clear", { hint: "do this" });
    expect(storeError(ours, ctx)).toBe(ours);
    const odd = storeError(new Error("something odd\n    at stack frame"), ctx);
    expect(odd.message).toBe(`cannot write config file ${FILE}: something odd`);
    expectClear(odd, 1);
    // Without the translation the CLI would have said "report it":
    expect(toHlcopyError(errno("ENOSPC")).hint).toMatch(/report/);
  });
});

describe("the journal against real SQLite trouble", () => {
  it("held by another connection in an exclusive transaction: a record told after the fact waits in memory, one that must commit now fails as 'locked by another program'; freed, what waited is written", async () => {
    const file = journalPath(tempDir(), "0x00000000000000000000000000000000000000b1");
    const journal = openJournal(file, { busyTimeoutMs: 50 });
    const spells: JournalBusyState[] = [];
    journal.onBusy((s) => spells.push(s));
    journal.recordEvent({ ts: 1, type: "before" });
    journal.checkpoint(); // commits it (records told after the fact wait for a group commit)
    const other = new DatabaseSync(file);
    other.exec("BEGIN EXCLUSIVE; INSERT INTO events (ts, type) VALUES (2, 'theirs')");
    try {
      journal.recordEvent({ ts: 3, type: "ours" }); // not thrown: it waits
      journal.recordEvent({ ts: 4, type: "ours too" });
      expect(spells.map((s) => s.busy)).toEqual([true]); // said once
      expect(journal.busySince()).not.toBeNull();
      let caught: unknown;
      try {
        journal.clearHalts(5); // a write that must commit before it returns
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(JournalBusyError);
      const e = caught as JournalBusyError;
      expect(e.message).toBe(`journal ${file} is locked by another program`);
      expect(e.exitCode).toBe(1);
      expect(e.action).toBe("retry");
      // Reads still work (WAL): `hlcopy journal` and `status` are not blocked.
      expect(journal.listEntries().map((x) => x.table === "events" && x.type)).toEqual(["before"]);
    } finally {
      other.exec("ROLLBACK");
      other.close();
    }
    // Retried by itself until it frees: then what waited is committed, and that is said once.
    await vi.waitFor(() => expect(spells.map((s) => s.busy)).toEqual([true, false]), { timeout: 30_000 });
    expect(spells[1]?.kept).toBe(2);
    expect(journal.busySince()).toBeNull();
    journal.recordEvent({ ts: 6, type: "after" });
    journal.close();
    const again = openJournal(file);
    expect(again.listEntries().map((x) => x.table === "events" && x.type)).toEqual([
      "before",
      "ours",
      "ours too",
      "after",
    ]);
    again.close();
  });

  it("an order's intent the journal cannot take (held by another program) is not logged: its order must not leave", () => {
    const file = journalPath(tempDir(), "0x00000000000000000000000000000000000000b3");
    const journal = openJournal(file, { busyTimeoutMs: 50, intentLog: true });
    const other = new DatabaseSync(file);
    other.exec("BEGIN EXCLUSIVE");
    try {
      expect(() => journal.recordOrderIntent({ runId: null, ts: 1, action: action() })).toThrow(
        JournalBusyError,
      );
      expect(existsSync(intentLogPath(file)) ? readFileSync(intentLogPath(file), "utf8") : "").toBe("");
    } finally {
      other.exec("ROLLBACK");
      other.close();
    }
    journal.close();
  });

  it("a malformed page: the read fails as a corrupt journal (exit 2, move it aside), nothing rewritten", () => {
    const file = journalPath(tempDir(), "0x00000000000000000000000000000000000000b2");
    const journal = openJournal(file);
    for (let i = 0; i < 400; i++)
      journal.recordEvent({ ts: i, type: "filler", data: { i, pad: "x".repeat(200) } });
    journal.close();
    const size = statSync(file).size;
    expect(size).toBeGreaterThan(8 * 4096);
    // Garbage over the pages after the first (the schema page stays readable).
    const fd = openSync(file, "r+");
    writeSync(fd, Buffer.alloc(size - 8192, 0xa5), 0, size - 8192, 8192);
    closeSync(fd);
    const before = readFileSync(file);
    let caught: unknown;
    try {
      const broken = openJournal(file);
      try {
        broken.listEntries({ limit: Number.POSITIVE_INFINITY });
      } finally {
        broken.close();
      }
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const e = caught as ConfigError;
    expect(e.message).toBe(`journal ${file} is corrupt or not a SQLite database`);
    expect(e.hint).toContain(`mv ${file} ${file}.bak`);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it("a file of garbage: exit 2 naming the file, left byte-for-byte alone", () => {
    const file = journalPath(tempDir(), "0x00000000000000000000000000000000000000b3");
    writeFileSync(file, "not a database ".repeat(300));
    expect(() => openJournal(file)).toThrow(ConfigError);
    expect(readFileSync(file, "utf8")).toBe("not a database ".repeat(300));
  });
});
