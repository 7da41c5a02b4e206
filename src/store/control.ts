// The local control channel of a running `follow`: a Unix socket in the per-user lock
// directory (0700, checked by the lock; the socket itself 0600), so only the same user can
// pause, resume, flatten or stop it. One JSON line in, one JSON line out. Also the marker of
// the pause that stands (pendingPausePath), kept next to it.

import { createHash } from "node:crypto";
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createConnection, createServer, type Server } from "node:net";
import { join } from "node:path";
import type { LockNetwork } from "./lock.js";

export type ControlCommand = "pause" | "resume" | "flatten" | "stop";
export const CONTROL_COMMANDS: readonly ControlCommand[] = ["pause", "resume", "flatten", "stop"];

export interface ControlReply {
  ok: boolean;
  /** What the running follow did: "paused", "already-paused", "resumed", "not-paused", "flattening", "stopping". */
  did: string;
  /** One human line. */
  message: string;
  pid: number;
  paused: boolean;
  /** The running follow is a paper run (follow --paper): its pause is the paper runs' own. */
  paper?: boolean;
}

/** The journal's copy-state key where a follow records its control socket (found when its lock is not). */
export const CONTROL_STATE_KEY = "control:socket";
export interface ControlRecord {
  pid: number;
  socket: string;
}

/** Short on purpose: a Unix socket path must stay under ~104 bytes. */
function key(network: LockNetwork, account: string): string {
  const base = `${network.httpUrl.trim().replace(/\/+$/, "").toLowerCase()}|${account.toLowerCase()}`;
  return createHash("sha256").update(base).digest("hex").slice(0, 16);
}

/** `<lock dir>/ctl-<hash of network and account>.sock` */
export function controlSocketPath(dir: string, network: LockNetwork, account: string): string {
  return join(dir, `ctl-${key(network, account)}.sock`);
}

/**
 * `<lock dir>/pause-<hash>.json`: the pause that stands for the account on this network. Written
 * by `hlcopy pause` while no follow runs, and by a follow while it is paused (with its pid, removed
 * when it resumes): a follow that ends paused — quit, crash — leaves it, so the next one starts
 * paused too. A pause lasts until hlcopy resume (or p), never silently lifted by a restart.
 *
 * `paper`: paper runs (follow --paper) keep their own, `pause-<hash>-paper.json` — a paper run's
 * pause holds the next paper run, never the live follow or reconcile (which send real orders),
 * as a live pause does not hold a paper run.
 */
export function pendingPausePath(dir: string, network: LockNetwork, account: string, paper = false): string {
  return join(dir, `pause-${key(network, account)}${paper ? "-paper" : ""}.json`);
}

/** The standing pause: since when (ms; null when the marker is damaged) and the paused follow's pid. */
export interface StandingPause {
  pausedAt: number | null;
  /** The follow that was paused (null: recorded by hlcopy pause while none ran). */
  pid: number | null;
}

export function recordPendingPause(path: string, now: number, pid: number | null = null): void {
  writeFileSync(path, `${JSON.stringify({ pausedAt: now, ...(pid === null ? {} : { pid }) })}\n`, {
    mode: 0o600,
  });
}

/** The standing pause, or null when none stands (read only: status). */
export function readPendingPause(path: string): StandingPause | null {
  if (!existsSync(path)) return null;
  try {
    const v = JSON.parse(readFileSync(path, "utf8")) as { pausedAt?: unknown; pid?: unknown };
    const at = Number(v.pausedAt);
    const pid = Number(v.pid);
    return {
      pausedAt: Number.isFinite(at) && at > 0 ? at : null,
      pid: Number.isInteger(pid) && pid > 0 ? pid : null,
    };
  } catch {
    // A damaged marker still says "pause" (it was removed meanwhile: none stands).
    return existsSync(path) ? { pausedAt: null, pid: null } : null;
  }
}

/**
 * The pause that stands, from the first of `paths` that holds a marker (a pause is recorded in
 * every lock directory: pendingPausePaths over lookDirs), or null when none stands.
 */
export function readStandingPause(paths: readonly string[]): StandingPause | null {
  for (const path of paths) {
    const standing = readPendingPause(path);
    if (standing) return standing;
  }
  return null;
}

/** Remove the marker; returns when the pause had been asked for (ms, 0 when unknown), or null. */
export function takePendingPause(path: string): number | null {
  const standing = readPendingPause(path);
  if (standing === null) return null;
  rmSync(path, { force: true });
  return standing.pausedAt ?? 0;
}

/**
 * The account's pause markers on this network in each of `dirs` (a pause is kept in every lock
 * directory): the live runs', or with `paper` the paper runs' (pendingPausePath).
 */
export function pendingPausePaths(
  dirs: readonly string[],
  network: LockNetwork,
  account: string,
  paper = false,
): string[] {
  return dirs.map((dir) => pendingPausePath(dir, network, account, paper));
}

/** Remove every marker given; returns the latest pause they held (ms, 0 when unknown), or null when none stood. */
export function takePendingPauses(paths: readonly string[]): number | null {
  let latest: number | null = null;
  for (const path of paths) {
    const at = takePendingPause(path);
    if (at !== null) latest = Math.max(latest ?? 0, at);
  }
  return latest;
}

/** Remove the marker (the pause is lifted). */
export function clearPendingPause(path: string): void {
  rmSync(path, { force: true });
}

export interface ControlServer {
  readonly path: string;
  close(): Promise<void>;
}

/**
 * Listen on the socket (the caller holds the account's lock, so a socket file left there is a
 * dead run's and is replaced). Commands are answered by `handle`; anything else gets ok:false.
 */
export async function startControlServer(
  path: string,
  handle: (command: ControlCommand) => ControlReply,
): Promise<ControlServer> {
  rmSync(path, { force: true });
  const server: Server = createServer((socket) => {
    let buffer = "";
    socket.setEncoding("utf8");
    socket.on("error", () => {});
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      if (buffer.length > 4096) socket.destroy();
      const nl = buffer.indexOf("\n");
      if (nl < 0) return;
      let reply: ControlReply | { ok: false; message: string };
      try {
        const request = JSON.parse(buffer.slice(0, nl)) as { command?: unknown };
        const command = request.command as ControlCommand;
        reply = CONTROL_COMMANDS.includes(command)
          ? handle(command)
          : { ok: false, message: `unknown command ${JSON.stringify(request.command)}` };
      } catch (error) {
        reply = { ok: false, message: error instanceof Error ? error.message : String(error) };
      }
      socket.end(`${JSON.stringify(reply)}\n`);
    });
  });
  await new Promise<void>((done, fail) => {
    server.once("error", fail);
    server.listen(path, () => {
      server.off("error", fail);
      done();
    });
  });
  chmodSync(path, 0o600);
  return {
    path,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => {
          rmSync(path, { force: true });
          done();
        });
      }),
  };
}

/**
 * Ask the running follow to do something.
 * @returns its reply, or null when no follow listens (no socket, or a dead run's).
 */
export function sendControl(
  path: string,
  command: ControlCommand,
  timeoutMs = 5000,
): Promise<ControlReply | null> {
  return new Promise((resolve, reject) => {
    if (!existsSync(path)) {
      resolve(null);
      return;
    }
    const socket = createConnection(path);
    let data = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the running follow did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.write(`${JSON.stringify({ command })}\n`));
    socket.on("data", (d: string) => {
      data += d;
    });
    socket.on("end", () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(data) as ControlReply);
      } catch {
        reject(new Error("the running follow sent an unreadable reply"));
      }
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (error.code === "ECONNREFUSED" || error.code === "ENOENT") resolve(null);
      else reject(error);
    });
  });
}
