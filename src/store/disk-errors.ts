// Disk and database errors, translated in one place. Whatever the store touches — the
// journal (SQLite), the config file, the keystore, the lock — a full disk, a read-only or
// foreign-owned directory, a journal another program holds locked, or a corrupt database is
// reported as what it is: one message naming the file, one hint saying what to do, exit 1
// (exit 2 for a corrupt file the user must move aside). Never "report it": these are not bugs.

import { accessSync, closeSync, constants, existsSync, openSync, statfsSync } from "node:fs";
import { dirname } from "node:path";
import { ConfigError, HlcopyError, OperationalError } from "../core/errors.js";

/** What the store was doing with the file when it failed. */
export type StoreOperation = "open" | "read" | "write" | "create";

export interface StoreErrorContext {
  /** The file (or directory) concerned: always named in the message. */
  file: string;
  /** How to call it for the user: "journal", "config file", "keystore", "lock directory"… */
  what: string;
  operation: StoreOperation;
  /** The hint for a corrupt file (e.g. the journal's "move it aside" with its consequences). */
  corruptHint?: string;
  /**
   * How to put the file somewhere else, ending the hints for a directory that cannot be
   * written. Default: "use a config directory you can write (--config-dir or HLCOPY_CONFIG_DIR)".
   */
  elsewhere?: string;
}

// SQLite primary result codes (errcode & 0xff: extended codes carry the primary in the low byte).
const SQLITE_PERM = 3;
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const SQLITE_READONLY = 8;
const SQLITE_IOERR = 10;
const SQLITE_CORRUPT = 11;
const SQLITE_FULL = 13;
const SQLITE_CANTOPEN = 14;
const SQLITE_NOTADB = 26;

type Kind =
  | "full"
  | "permission"
  | "read-only"
  | "not-a-directory"
  | "is-a-directory"
  | "no-directory"
  | "busy"
  | "corrupt"
  | "io"
  | "too-many-files"
  | "cannot-open";

function errnoKind(code: string | undefined): Kind | undefined {
  switch (code) {
    case "ENOSPC":
    case "EDQUOT":
      return "full";
    case "EACCES":
    case "EPERM":
      return "permission";
    case "EROFS":
      return "read-only";
    case "ENOTDIR":
      return "not-a-directory";
    case "EISDIR":
      return "is-a-directory";
    case "ENOENT":
      return "no-directory";
    case "EIO":
      return "io";
    case "EMFILE":
    case "ENFILE":
      return "too-many-files";
    default:
      return undefined;
  }
}

function sqliteKind(errcode: number): Kind | undefined {
  switch (errcode & 0xff) {
    case SQLITE_FULL:
      return "full";
    case SQLITE_PERM:
      return "permission";
    case SQLITE_READONLY:
      return "read-only";
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return "busy";
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return "corrupt";
    case SQLITE_IOERR:
      return "io";
    case SQLITE_CANTOPEN:
      return "cannot-open";
    default:
      return undefined;
  }
}

/** What kind of disk or database problem `error` is, if it is one we know. */
export function storeErrorKind(error: unknown): Kind | undefined {
  if (!error || typeof error !== "object") return undefined;
  const e = error as { code?: unknown; errcode?: unknown; errstr?: unknown; message?: unknown };
  if (typeof e.errcode === "number") {
    const kind = sqliteKind(e.errcode);
    if (kind) return kind;
  }
  if (typeof e.code === "string") {
    const kind = errnoKind(e.code);
    if (kind) return kind;
  }
  // SQLite sometimes reports a disk error only in its text ("database or disk is full").
  const text = `${typeof e.errstr === "string" ? e.errstr : ""} ${typeof e.message === "string" ? e.message : ""}`;
  if (/disk is full|no space left/i.test(text)) return "full";
  if (/readonly database|read-only file system/i.test(text)) return "read-only";
  if (/database is locked|database table is locked/i.test(text)) return "busy";
  if (/file is not a database|database disk image is malformed/i.test(text)) return "corrupt";
  return undefined;
}

function verb(operation: StoreOperation): string {
  return operation === "read"
    ? "read"
    : operation === "open"
      ? "open"
      : operation === "create"
        ? "create"
        : "write";
}

/** The files SQLite (and the intent log) keep beside a database: a write to any of them can fail. */
const COMPANIONS = ["", "-wal", "-shm", "-journal", "-intents"];

/**
 * What SQLite's SQLITE_IOERR (or CANTOPEN) was: it reports any failed write so — a file made
 * read-only or immutable, a file system remounted read-only, a full disk — and said "the disk
 * failed" with a dmesg hint for a chmod. The files are asked the way the write asks them (open
 * for writing, the directory for a new file, the free space): the first that refuses says why.
 * Undefined when all answer (then it is an I/O error, or gone by now).
 */
function probeWrite(file: string): { kind: Kind; where: string } | undefined {
  const dir = dirname(file);
  for (const suffix of COMPANIONS) {
    const path = `${file}${suffix}`;
    if (!existsSync(path)) continue;
    try {
      closeSync(openSync(path, "r+"));
    } catch (error) {
      const kind = errnoKind((error as NodeJS.ErrnoException).code);
      if (kind && kind !== "no-directory") return { kind, where: path };
    }
  }
  try {
    accessSync(dir, constants.W_OK);
  } catch (error) {
    const kind = errnoKind((error as NodeJS.ErrnoException).code);
    if (kind) return { kind, where: dir };
  }
  try {
    const fs = statfsSync(dir);
    if (fs.bavail === 0) return { kind: "full", where: dir };
  } catch {
    // no answer: leave it as SQLite said
  }
  return undefined;
}

/**
 * Turn an error met while touching a store file into the error the CLI prints. An HlcopyError
 * passes through unchanged; an unknown error keeps its message, with a hint that is not
 * "report it". The original is kept as `cause` (shown with --debug).
 */
export function storeError(error: unknown, ctx: StoreErrorContext): HlcopyError {
  if (error instanceof HlcopyError) return error;
  const { file, what } = ctx;
  const dir = dirname(file);
  const subject = `${what} ${file}`;
  const cannot = `cannot ${verb(ctx.operation)} ${subject}`;
  const details = { file, operation: ctx.operation };
  const elsewhere =
    ctx.elsewhere ?? "use a config directory you can write (--config-dir or HLCOPY_CONFIG_DIR)";
  const op = (message: string, hint: string) =>
    new OperationalError(message, { hint, details, cause: error });
  let kind = storeErrorKind(error);
  // SQLite says "I/O error" for any write that failed: ask the files what it was. (An errno of
  // EIO from Node is the kernel's own answer.)
  const fromSqlite = typeof (error as { errcode?: unknown } | null)?.errcode === "number";
  const probed = fromSqlite && (kind === "io" || kind === "cannot-open") ? probeWrite(file) : undefined;
  if (probed) kind = probed.kind;
  const where = probed?.where ?? dir;
  switch (kind) {
    case "full":
      return op(
        `${cannot}: the disk is full`,
        `free some space on the disk that holds ${dir} (df -h ${dir}), then run again; nothing was half-written`,
      );
    case "permission":
      return op(
        `${cannot}: permission denied${where === dir ? "" : ` (${where})`}`,
        where === dir
          ? `check who owns ${dir} and its mode (ls -ld ${dir}), or ${elsewhere}`
          : `check who owns it, its mode and flags (ls -l, lsattr: an immutable i), or ${elsewhere}`,
      );
    case "read-only":
      return op(
        `${cannot}: the file system is read-only`,
        `remount it read-write (findmnt -T ${dir}), or ${elsewhere}`,
      );
    case "not-a-directory":
      return op(
        `${cannot}: a part of its path is a file, not a directory`,
        `check ${dir}: every part of the path must be a directory, or ${elsewhere}`,
      );
    case "is-a-directory":
      return op(
        `${cannot}: it is a directory`,
        `move that directory out of the way (mv ${file} ${file}.bak), then run again`,
      );
    case "no-directory":
      return op(
        `${cannot}: its directory does not exist`,
        `create ${dir} (mkdir -p ${dir}), or ${elsewhere}`,
      );
    case "busy":
      return op(
        `${subject} is locked by another program`,
        "another process holds it in a long transaction (a SQLite browser, a backup tool): close it, then run again",
      );
    case "corrupt":
      return new ConfigError(`${subject} is corrupt or not a SQLite database`, {
        hint: ctx.corruptHint ?? `move it aside (mv ${file} ${file}.bak), then run again`,
        details,
        cause: error,
      });
    case "io":
      return op(
        `${cannot}: the disk failed with an I/O error`,
        `check the disk that holds ${dir} (dmesg, smartctl); copy ${file} somewhere safe before anything else`,
      );
    case "too-many-files":
      return op(
        `${cannot}: too many open files`,
        "raise the open-file limit (ulimit -n 4096), then run again",
      );
    case "cannot-open":
      return op(
        `${cannot}: SQLite cannot open it`,
        `check that ${dir} exists and that you can write it (ls -ld ${dir}), or ${elsewhere}`,
      );
    default: {
      const message = error instanceof Error ? error.message : String(error);
      return op(
        `${cannot}: ${message.split("\n")[0] ?? "unknown error"}`,
        `check the disk and the permissions of ${dir}, then run again (--debug shows the cause)`,
      );
    }
  }
}
