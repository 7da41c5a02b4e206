// The per-account lock file: two hlcopy processes never trade one account. The file is
// created atomically and exclusively, holds {pid, startedAt, command}, and is removed on
// release or process exit; a lock left by a dead process is taken over, with a note.

import { randomBytes } from "node:crypto";
import {
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { OperationalError } from "../core/errors.js";

export interface LockInfo {
  pid: number;
  /** ms since the epoch. */
  startedAt: number;
  /** The command holding it: "follow", "reconcile", … */
  command: string;
  /** Random per acquisition: release() only removes the file if it is still ours. */
  token: string;
}

export interface Lock {
  readonly path: string;
  readonly info: LockInfo;
  /** The dead process's lock this one replaced, if any. */
  readonly takenOver: LockInfo | null;
  /** One line for the user when a stale lock was taken over, else null. */
  readonly note: string | null;
  /** Remove the lock file. Safe to call twice; also runs on process exit. */
  release(): void;
}

export interface AcquireLockOptions {
  command?: string;
  now?: () => number;
}

/** `<configDir>/lock-<account lowercase>.pid` */
export function lockPath(configDir: string, account: string): string {
  return join(configDir, `lock-${account.toLowerCase()}.pid`);
}

/** Locks this process holds, by path: a second acquire in one process is a bug, not a race. */
const held = new Map<string, string>();

/** A lock file younger than this with unreadable content may be mid-write: not stale yet. */
const UNREADABLE_GRACE_MS = 5_000;
/** A takeover guard older than this was left by a crash during a takeover. */
const GUARD_STALE_MS = 10_000;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user — still alive.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** The holder's info; null if the file vanished; "unreadable" if its content is not a lock. */
function readHolder(path: string): LockInfo | null | "unreadable" {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if (errno(error) === "ENOENT") return null;
    throw error;
  }
  try {
    const v = JSON.parse(text) as Partial<LockInfo>;
    if (typeof v.pid === "number" && Number.isInteger(v.pid) && v.pid > 0) {
      return {
        pid: v.pid,
        startedAt: typeof v.startedAt === "number" ? v.startedAt : 0,
        command: typeof v.command === "string" ? v.command : "?",
        token: typeof v.token === "string" ? v.token : "",
      };
    }
  } catch {
    // fall through
  }
  return "unreadable";
}

/** Create `path` holding `content` only if it does not exist; false if it does. */
function createExclusive(path: string, content: string): boolean {
  // Write a private temp file, then hard-link it into place: link(2) fails with EEXIST
  // atomically (like O_EXCL) and the lock never exists half-written.
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  writeFileSync(tmp, content, { mode: 0o600, flag: "wx" });
  try {
    linkSync(tmp, path);
    return true;
  } catch (error) {
    if (errno(error) === "EEXIST") return false;
    throw error;
  } finally {
    unlinkSync(tmp);
  }
}

function heldError(account: string, path: string, holder: LockInfo): OperationalError {
  const since = holder.startedAt > 0 ? new Date(holder.startedAt).toISOString() : "an unknown time";
  return new OperationalError(
    `another hlcopy (pid ${holder.pid}) is trading ${account} since ${since} (${holder.command})`,
    {
      hint: `stop it first (kill ${holder.pid}, or Ctrl-C in its terminal); if no hlcopy is running, delete ${path}`,
      details: { pid: holder.pid, startedAt: holder.startedAt, command: holder.command, file: path },
    },
  );
}

/** Is this holder gone? A pid equal to ours that we do not hold is a previous life's (containers). */
function isStale(holder: LockInfo | "unreadable", path: string, now: number): boolean {
  if (holder === "unreadable") {
    try {
      return now - statSync(path).mtimeMs > UNREADABLE_GRACE_MS;
    } catch {
      return true;
    }
  }
  if (holder.pid === process.pid) return true;
  return !isAlive(holder.pid);
}

/**
 * Take the per-account lock before trading.
 * @throws {OperationalError} (exit 1) naming the pid when a live process holds it, or when
 *   this process already holds it.
 */
export function acquireLock(configDir: string, account: string, options: AcquireLockOptions = {}): Lock {
  const now = options.now ?? Date.now;
  const path = lockPath(configDir, account);
  const acct = account.toLowerCase();
  if (held.has(path)) {
    throw new OperationalError(`this process already holds the lock for ${acct}`, {
      hint: "acquire the lock once per run and release it when the run ends",
      details: { file: path },
    });
  }
  mkdirSync(configDir, { recursive: true, mode: 0o700 });
  const info: LockInfo = {
    pid: process.pid,
    startedAt: now(),
    command: options.command ?? "hlcopy",
    token: randomBytes(8).toString("hex"),
  };
  const content = `${JSON.stringify(info)}\n`;

  let takenOver: LockInfo | null = null;
  if (!createExclusive(path, content)) {
    const holder = readHolder(path);
    if (holder !== null && !isStale(holder, path, now())) {
      if (holder === "unreadable") {
        throw new OperationalError(`the lock for ${acct} is being taken by another process`, {
          hint: `retry in a few seconds; if it persists and no hlcopy is running, delete ${path}`,
          details: { file: path },
        });
      }
      throw heldError(acct, path, holder);
    }
    takenOver = takeOver(path, acct, content, now) ?? null;
  }

  held.set(path, info.token);
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    held.delete(path);
    process.removeListener("exit", release);
    const current = readHolder(path);
    // Never remove a lock that is no longer ours (e.g. deleted by hand and re-taken).
    if (current !== null && current !== "unreadable" && current.token === info.token) {
      try {
        unlinkSync(path);
      } catch {
        // already gone
      }
    }
  };
  process.on("exit", release);
  let note: string | null = null;
  if (takenOver && takenOver.pid > 0)
    note = `took over a stale lock from pid ${takenOver.pid} (${takenOver.command}, no longer running)`;
  else if (takenOver) note = `replaced an unreadable lock file ${path}`;
  return { path, info, takenOver, note, release };
}

/**
 * Replace a stale lock. Only one process at a time may do this (a guard file), and it checks
 * staleness again under the guard: two processes that both saw the same stale lock cannot both
 * end up holding the lock.
 * @returns the stale holder replaced (undefined if the lock had vanished meanwhile).
 */
function takeOver(path: string, account: string, content: string, now: () => number): LockInfo | undefined {
  const guard = `${path}.takeover`;
  const takeGuard = (): boolean => {
    try {
      closeSync(openSync(guard, "wx", 0o600));
      return true;
    } catch (error) {
      if (errno(error) !== "EEXIST") throw error;
      return false;
    }
  };
  if (!takeGuard()) {
    let age = 0;
    try {
      age = now() - statSync(guard).mtimeMs;
    } catch {
      // vanished: the other process finished its takeover
    }
    if (age > GUARD_STALE_MS) {
      try {
        unlinkSync(guard);
      } catch {
        // someone else removed it
      }
    }
    if (!takeGuard()) {
      throw new OperationalError(`another hlcopy is taking over the stale lock for ${account}`, {
        hint: `retry in a few seconds; if it persists, delete ${path} and ${guard}`,
        details: { file: path },
      });
    }
  }
  try {
    const holder = readHolder(path);
    if (holder !== null) {
      if (!isStale(holder, path, now())) {
        if (holder === "unreadable") {
          throw new OperationalError(`the lock for ${account} is being taken by another process`, {
            hint: `retry in a few seconds; if it persists and no hlcopy is running, delete ${path}`,
            details: { file: path },
          });
        }
        throw heldError(account, path, holder);
      }
      unlinkSync(path);
    }
    if (!createExclusive(path, content)) {
      // A fresh process took the free slot between our unlink and link: it is alive.
      const winner = readHolder(path);
      if (winner !== null && winner !== "unreadable") throw heldError(account, path, winner);
      throw new OperationalError(`the lock for ${account} was taken by another process`, {
        hint: "retry in a few seconds",
        details: { file: path },
      });
    }
    if (holder === "unreadable") return { pid: 0, startedAt: 0, command: "unreadable", token: "" };
    return holder ?? undefined;
  } finally {
    try {
      unlinkSync(guard);
    } catch {
      // already gone
    }
  }
}
