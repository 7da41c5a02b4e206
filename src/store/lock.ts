// The per-(network, account) lock file: two hlcopy processes never trade one account, whatever
// config directory or environment each has. The lock is taken in a fixed per-user directory,
// /tmp/hlcopy-<uid> (0700, ours alone), that reads no environment variable: a login shell (with
// XDG_RUNTIME_DIR, maybe TMPDIR), cron (with neither), tmux after logout and a service all meet
// there. HLCOPY_LOCK_DIR (a service whose /tmp is private) takes it there too, besides the fixed
// one; and before trading, every directory a lock may be in — HLCOPY_LOCK_DIR, the fixed one,
// /run/hlcopy (the example unit's), $XDG_RUNTIME_DIR/hlcopy and <tmpdir>/hlcopy-<uid> (where
// older versions put it) — is read for a live holder. A lock file is created atomically and
// exclusively, holds {pid, startedAt, command, configDir, control}, and is removed on release or
// process exit; a lock left by a dead process is taken over, with a note.

import { randomBytes } from "node:crypto";
import {
  closeSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  type Stats,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir, uptime, userInfo } from "node:os";
import { join, resolve } from "node:path";
import { OperationalError } from "../core/errors.js";
import { utcMinute } from "../core/format.js";
import { storeError } from "./disk-errors.js";
import { networkKey } from "./network-key.js";

export interface LockInfo {
  pid: number;
  /** ms since the epoch. */
  startedAt: number;
  /** The command holding it: "follow", "reconcile", … */
  command: string;
  /** The holder's config directory ("?" in a lock written by an older hlcopy). */
  configDir: string;
  /** Random per acquisition: release() only removes the file if it is still ours. */
  token: string;
  /** The holder's control socket (a follow's), so pause/flatten/stop from any environment reach it. */
  control?: string;
  /** A paper run's (follow --paper): it holds the account's lock but sends nothing. */
  paper?: true;
}

export interface Lock {
  /** The lock file in the first directory it was taken in (HLCOPY_LOCK_DIR, else the fixed one). */
  readonly path: string;
  /** Every lock file taken (HLCOPY_LOCK_DIR's and the fixed directory's). */
  readonly paths: readonly string[];
  readonly info: LockInfo;
  /** The dead process's lock this one replaced, if any. */
  readonly takenOver: LockInfo | null;
  /** One line for the user when a stale lock was taken over, else null. */
  readonly note: string | null;
  /** One line for the user when the lock could not be taken in every directory, else null. */
  readonly warning: string | null;
  /** Remove the lock file. Safe to call twice; also runs on process exit. */
  release(): void;
}

/** How to put the locks elsewhere, for hints about a lock directory that cannot be used. */
const LOCK_ELSEWHERE = "set HLCOPY_LOCK_DIR to a private directory you can write";

/** The network an account trades on, as the CLI resolved it. */
export interface LockNetwork {
  /** "mainnet", "testnet" or the URL as given: shown in messages. */
  name: string;
  /** The API's HTTP base: the key (`--network mainnet` and its URL are one exchange). */
  httpUrl: string;
}

export interface AcquireLockParameters {
  network: LockNetwork;
  account: string;
  /** The config directory of this run: recorded so a refused second run can name it. */
  configDir: string;
  /** The command taking it: "follow", "reconcile", … */
  command?: string;
  /** The control socket this run will listen on (follow), recorded in the lock. */
  control?: string;
  /** A paper run: recorded, so a refused run and status say it sends nothing. */
  paper?: boolean;
  /**
   * The one directory to take the lock in, and no other is read (tests). Default: every
   * directory of {@link lockDirs}(env), then every one of {@link lookDirs}(env) read.
   */
  dir?: string;
  /** Where HLCOPY_LOCK_DIR / XDG_RUNTIME_DIR are read. Default process.env. */
  env?: NodeJS.ProcessEnv;
  now?: () => number;
}

/**
 * The fixed per-user lock directory: /tmp/hlcopy-<uid>. No environment variable moves it (not
 * TMPDIR, not XDG_RUNTIME_DIR, which cron lacks and logind removes at logout), so every process
 * of the user finds every other's lock there. (Windows, with no uid: <tmpdir>/hlcopy-<user>.)
 */
export function defaultLockDir(): string {
  const uid = process.getuid?.();
  if (uid === undefined || process.platform === "win32")
    return join(tmpdir(), `hlcopy-${userInfo().username}`);
  return `/tmp/hlcopy-${uid}`;
}

/**
 * Where this process keeps its control socket and first lock: HLCOPY_LOCK_DIR, else the fixed
 * {@link defaultLockDir}.
 */
export function lockDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.HLCOPY_LOCK_DIR || defaultLockDir();
}

/** Every directory this process takes its lock in: HLCOPY_LOCK_DIR (when set), and the fixed one. */
export function lockDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  return unique([lockDir(env), defaultLockDir()]);
}

/**
 * Every directory a lock or control socket of this user's may be in, seen from this process:
 * its own ({@link lockDirs}), /run/hlcopy (the RuntimeDirectory of examples/hlcopy.service,
 * whose /tmp is private), and where older versions kept them ($XDG_RUNTIME_DIR/hlcopy,
 * /run/user/<uid>/hlcopy, <tmpdir>/hlcopy-<uid>).
 */
export function lookDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const uid = process.getuid?.();
  const dirs = [...lockDirs(env), "/run/hlcopy"];
  if (env.XDG_RUNTIME_DIR) dirs.push(join(env.XDG_RUNTIME_DIR, "hlcopy"));
  if (uid !== undefined) dirs.push(`/run/user/${uid}/hlcopy`);
  dirs.push(join(tmpdir(), `hlcopy-${uid ?? userInfo().username}`));
  return unique(dirs);
}

function unique(dirs: string[]): string[] {
  return [...new Set(dirs.map((d) => resolve(d)))];
}

/** `<dir>/lock-<network key>-<account lowercase>.pid` */
export function lockPath(dir: string, network: LockNetwork, account: string): string {
  return join(dir, `lock-${networkKey(network.httpUrl)}-${account.toLowerCase()}.pid`);
}

/**
 * Create the lock directory if needed (0700) and check it is ours alone: a directory another
 * user owns, or one group/others may write, could let them plant or remove our locks.
 * @throws {OperationalError} (exit 1) naming the directory and what to do.
 */
function ensureLockDir(dir: string): void {
  const refuse = (why: string) =>
    new OperationalError(`the lock directory ${dir} ${why}`, {
      hint: `remove it (rm -r ${dir}) so hlcopy creates a private one, or set HLCOPY_LOCK_DIR to a directory only you can write`,
      details: { dir },
    });
  let s: Stats;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    s = lstatSync(dir);
  } catch (error) {
    throw storeError(error, {
      file: dir,
      what: "lock directory",
      operation: "create",
      elsewhere: LOCK_ELSEWHERE,
    });
  }
  if (s.isSymbolicLink()) throw refuse("is a symbolic link");
  if (!s.isDirectory()) throw refuse("is not a directory");
  const uid = process.getuid?.();
  if (uid !== undefined && s.uid !== uid) throw refuse(`belongs to another user (uid ${s.uid})`);
  if ((s.mode & 0o022) !== 0) {
    throw refuse(`can be written by ${(s.mode & 0o002) !== 0 ? "anyone" : "its group"}`);
  }
}

/** Locks this process holds, by path: a second acquire in one process is a bug, not a race. */
const held = new Map<string, string>();

/** A lock file younger than this with unreadable content may be mid-write: not stale yet. */
const UNREADABLE_GRACE_MS = 5_000;
/** A takeover guard older than this was left by a crash during a takeover. */
const GUARD_STALE_MS = 10_000;

/** Whether a process of this machine is alive (another user's counts: it exists). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user — still alive.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Whether the process of a journaled run still runs it: alive, started after the machine booted
 * (a pid from before a reboot is another process now), and — where /proc tells — an hlcopy.
 */
export function runAlive(pid: number, startedAt: number, now = Date.now()): boolean {
  if (startedAt < now - uptime() * 1000 || !isAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("hlcopy");
  } catch {
    // No /proc (macOS) or not readable: alive is all we know.
    return true;
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
        configDir: typeof v.configDir === "string" ? v.configDir : "?",
        token: typeof v.token === "string" ? v.token : "",
        ...(typeof v.control === "string" ? { control: v.control } : {}),
        ...(v.paper === true ? { paper: true as const } : {}),
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
  try {
    // Inside the try: a write that fails (disk full) after creating the file must not leave it.
    writeFileSync(tmp, content, { mode: 0o600, flag: "wx" });
    linkSync(tmp, path);
    return true;
  } catch (error) {
    if (errno(error) === "EEXIST") return false;
    throw error;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * The refusal of a held lock: when the holder started, in status's time format; how to stop it —
 * `hlcopy stop` first for a follow (its control socket ends it cleanly, from any shell), else kill.
 */
function heldError(account: string, path: string, holder: LockInfo): OperationalError {
  const since = holder.startedAt > 0 ? utcMinute(holder.startedAt) : "an unknown time";
  const stop =
    holder.command === "follow" || holder.control !== undefined
      ? `hlcopy stop, or kill ${holder.pid}, or Ctrl-C in its terminal`
      : `kill ${holder.pid}, or Ctrl-C in its terminal`;
  // A paper run trades nothing: said so, or the trader looks for a live run that is not there.
  const what = holder.paper
    ? `holds ${account} since ${since} (${holder.command} --paper: a paper run, which sends nothing but holds the account's lock; config dir ${holder.configDir})`
    : `is trading ${account} since ${since} (${holder.command}, config dir ${holder.configDir})`;
  return new OperationalError(`another hlcopy (pid ${holder.pid}) ${what}`, {
    hint: `stop it first (${stop}); if no hlcopy is running, delete ${path}`,
    details: {
      pid: holder.pid,
      startedAt: holder.startedAt,
      command: holder.command,
      configDir: holder.configDir,
      file: path,
    },
  });
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
 * Take the (network, account) lock before trading: in every directory of {@link lockDirs}, then
 * every other directory of {@link lookDirs} is read for a live holder (an older hlcopy's, or one
 * whose HLCOPY_LOCK_DIR is elsewhere and whose /tmp is private). Taken first, read after: of two
 * processes starting at once in different directories, at least the second sees the first.
 * @throws {OperationalError} (exit 1) naming the pid, command and config directory when a live
 *   process holds it; when this process already holds it; when the lock directory is not
 *   private (another user's, or writable by others).
 */
export function acquireLock(params: AcquireLockParameters): Lock {
  const dirs = params.dir ? [params.dir] : lockDirs(params.env);
  const taken: Lock[] = [];
  let warning: string | null = null;
  try {
    for (const dir of dirs) {
      if (dir !== dirs[0]) {
        // HLCOPY_LOCK_DIR's lock is taken: a fixed directory that cannot be ours (another user
        // made it) weakens the guard, it does not stop the run.
        try {
          ensureLockDir(dir);
        } catch (error) {
          warning = `the lock is not also in ${dir} (${error instanceof Error ? error.message : String(error)}): a run without HLCOPY_LOCK_DIR=${dirs[0]} will not see it`;
          continue;
        }
      }
      taken.push(acquireIn(dir, params));
    }
    if (!params.dir) {
      for (const dir of lookDirs(params.env)) {
        if (dirs.includes(dir)) continue;
        const holder = liveHolderIn(dir, params.network, params.account);
        if (holder) {
          throw heldError(
            `${params.account.toLowerCase()} on ${params.network.name}`,
            holder.path,
            holder.info,
          );
        }
      }
    }
  } catch (error) {
    for (const lock of taken) lock.release();
    throw error;
  }
  const [first] = taken as [Lock, ...Lock[]];
  const note = taken.map((l) => l.note).find((n) => n !== null) ?? null;
  return {
    path: first.path,
    paths: taken.map((l) => l.path),
    info: first.info,
    takenOver: taken.map((l) => l.takenOver).find((t) => t !== null) ?? null,
    note,
    warning,
    release: () => {
      for (const lock of taken) lock.release();
    },
  };
}

/** A lock file found held by a live process. */
export interface LockHolder {
  /** The lock file. */
  path: string;
  dir: string;
  info: LockInfo;
}

/**
 * The live processes holding the (network, account) lock in any directory of
 * {@link lookDirs}(env) — one per process, its HLCOPY_LOCK_DIR's file first — for the commands
 * that steer a running follow or tell what runs (pause, flatten, stop, resume, status).
 * Directories that are not ours and private are not read.
 */
export function findLockHolders(
  network: LockNetwork,
  account: string,
  env: NodeJS.ProcessEnv = process.env,
): LockHolder[] {
  const found: LockHolder[] = [];
  for (const dir of lookDirs(env)) {
    const holder = liveHolderIn(dir, network, account);
    if (holder && !found.some((f) => f.info.pid === holder.info.pid)) found.push(holder);
  }
  return found;
}

/** The live holder of the lock in `dir` (not this process), or null; never throws. */
function liveHolderIn(dir: string, network: LockNetwork, account: string): LockHolder | null {
  if (!isPrivateDir(dir)) return null;
  const path = lockPath(dir, network, account);
  let holder: LockInfo | null | "unreadable";
  try {
    holder = readHolder(path);
  } catch {
    return null;
  }
  if (holder === null || holder === "unreadable" || holder.pid === process.pid) return null;
  return isAlive(holder.pid) ? { path, dir, info: holder } : null;
}

/** A directory of ours that only we can write (one that is not could hold planted locks). */
function isPrivateDir(dir: string): boolean {
  try {
    const s = lstatSync(dir);
    const uid = process.getuid?.();
    return s.isDirectory() && (uid === undefined || s.uid === uid) && (s.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/** Take the lock in one directory. */
function acquireIn(dir: string, params: AcquireLockParameters): Lock {
  const now = params.now ?? Date.now;
  const path = lockPath(dir, params.network, params.account);
  const acct = `${params.account.toLowerCase()} on ${params.network.name}`;
  if (held.has(path)) {
    throw new OperationalError(`this process already holds the lock for ${acct}`, {
      hint: "acquire the lock once per run and release it when the run ends",
      details: { file: path },
    });
  }
  ensureLockDir(dir);
  const info: LockInfo = {
    pid: process.pid,
    startedAt: now(),
    command: params.command ?? "hlcopy",
    configDir: params.configDir,
    token: randomBytes(8).toString("hex"),
    ...(params.control ? { control: params.control } : {}),
    ...(params.paper ? { paper: true as const } : {}),
  };
  const content = `${JSON.stringify(info)}\n`;

  let takenOver: LockInfo | null;
  try {
    takenOver = take(path, acct, content, now);
  } catch (error) {
    // A full disk or unwritable directory reads as such (a held lock passes through as it is).
    throw storeError(error, { file: path, what: "lock", operation: "write", elsewhere: LOCK_ELSEWHERE });
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
  return { path, paths: [path], info, takenOver, note, warning: null, release };
}

/** Create the lock, or take it over from a dead holder; returns the holder replaced, if any. */
function take(path: string, acct: string, content: string, now: () => number): LockInfo | null {
  if (createExclusive(path, content)) return null;
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
  return takeOver(path, acct, content, now) ?? null;
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
    if (holder === "unreadable")
      return { pid: 0, startedAt: 0, command: "unreadable", configDir: "?", token: "" };
    return holder ?? undefined;
  } finally {
    try {
      unlinkSync(guard);
    } catch {
      // already gone
    }
  }
}
