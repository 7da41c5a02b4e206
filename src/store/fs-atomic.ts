// Atomic, private file writes: a temp file in the same directory, fsync, rename over the
// target, fsync the directory. A crash leaves either the old file or the new one, never half.

import { randomBytes } from "node:crypto";
import { chmod, mkdir, open, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export interface WriteFileAtomicOptions {
  /** Mode of the written file. Default 0o600 (owner read/write only). */
  mode?: number;
  /**
   * Mode of the directory when it is created; an existing directory owned by us that is
   * open to group or others is tightened to it. Default 0o700.
   */
  dirMode?: number;
  /** Refuse to replace an existing file (checked just before the rename). Default false. */
  exclusive?: boolean;
}

/** Create `dir` (and parents) and make sure it is not readable by group or others. */
export async function ensurePrivateDir(dir: string, dirMode = 0o700): Promise<void> {
  await mkdir(dir, { recursive: true, mode: dirMode });
  const s = await stat(dir);
  // Tighten only a directory we own (never chmod /tmp or someone else's folder); a failure to
  // chmod is not fatal, the file itself is still 0600.
  const uid = process.getuid?.();
  if ((s.mode & 0o077) !== 0 && uid !== undefined && s.uid === uid) {
    await chmod(dir, dirMode).catch(() => undefined);
  }
}

/**
 * Write `data` to `path` atomically with a private mode.
 * @throws the underlying fs error (ENOENT, EACCES, EEXIST with `exclusive`, …); the target is
 *   unchanged and no temp file is left behind.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: WriteFileAtomicOptions = {},
): Promise<void> {
  const mode = options.mode ?? 0o600;
  const dir = dirname(path);
  await ensurePrivateDir(dir, options.dirMode ?? 0o700);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  // "wx": never follow or reuse an existing path; the mode applies at creation (umask may
  // only remove bits), then chmod makes it exact.
  const handle = await open(temp, "wx", mode);
  try {
    try {
      await handle.writeFile(data);
      await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.exclusive) {
      const exists = await stat(path).then(
        () => true,
        () => false,
      );
      if (exists) {
        const error: NodeJS.ErrnoException = new Error(`EEXIST: file already exists, '${path}'`);
        error.code = "EEXIST";
        throw error;
      }
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDir(dir);
}

/** fsync a directory so the rename itself is durable (not supported on every platform). */
async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows and some filesystems cannot open or fsync a directory: the rename is still atomic.
  }
}
