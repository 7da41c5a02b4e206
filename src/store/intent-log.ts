// An order's intent is the exactly-once ledger: it must be on disk before the order is sent.
// Committed to SQLite, it cost 14 system calls (4 B-tree pages — the table and its three
// indexes — each written as a WAL frame header and a page, and 6 lock calls) and ~0.25 ms with
// the caches cold, between the leader's fill and our order leaving. The run that holds the
// account's lock appends the intent here instead — one write call — and the journal inserts it
// off the hot path, committed with its next group; once committed, the log is emptied.
//
// Durability is the journal's own: its WAL runs at synchronous=NORMAL, so a commit reaches
// the OS, not the platter; a line written here does too. A process that dies after the write
// returned (kill -9, a crash) leaves the line for the next run, which takes it in before
// anything else (openJournal); a line cut short was never finished, so its order never left.

import { closeSync, ftruncateSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import type { SQLInputValue } from "node:sqlite";

/** The values of one `orders` row as the intent's INSERT binds them (journal.ts INSERT_INTENT). */
export type IntentRow = SQLInputValue[];

/** `<journal file>-intents`: beside SQLite's -wal and -shm, and copied with them. */
export function intentLogPath(journalPath: string): string {
  return `${journalPath}-intents`;
}

export class IntentLog {
  readonly path: string;
  #fd: number | null = null;
  /** Bytes written since the log was last emptied. */
  #bytes = 0;

  constructor(journalPath: string) {
    this.path = intentLogPath(journalPath);
  }

  /** One line, one write call; returns once the OS has it. @throws the fs error (disk full …). */
  append(row: IntentRow): void {
    // Opened at the first intent: a run that sends nothing leaves no file.
    this.#fd ??= openSync(this.path, "a", 0o600);
    const line = `${JSON.stringify(row)}\n`;
    const written = writeSync(this.#fd, line);
    if (written !== Buffer.byteLength(line)) {
      // A short write to a regular file: the disk is full. The order must not leave, and the
      // piece written must not run into the next line.
      ftruncateSync(this.#fd, this.#bytes);
      throw new Error(`short write to ${this.path} (disk full?)`);
    }
    this.#bytes += written;
  }

  /** Everything logged is committed in the journal: start the log afresh. */
  clear(): void {
    if (this.#fd === null || this.#bytes === 0) return;
    ftruncateSync(this.#fd, 0);
    this.#bytes = 0;
  }

  /** Close; an empty log leaves no file (one that still holds lines stays for the next run). */
  close(): void {
    if (this.#fd === null) return;
    closeSync(this.#fd);
    this.#fd = null;
    if (this.#bytes === 0) rmSync(this.path, { force: true });
  }
}

/**
 * The rows a log holds, oldest first: every finished line. A last line without its newline was
 * being written when the process died — its write never returned, so its order never left —
 * and is dropped. @throws {Error} naming the line for a finished line that is not a row.
 */
export function readIntentLog(path: string): IntentRow[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const lines = text.split("\n");
  lines.pop(); // "" after the last newline, or the unfinished line
  return lines.map((line, i) => {
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      row = undefined;
    }
    if (
      !Array.isArray(row) ||
      !row.every((v) => v === null || typeof v === "string" || typeof v === "number")
    )
      throw new Error(`line ${i + 1} of ${path} is not an order intent`);
    return row as IntentRow;
  });
}
