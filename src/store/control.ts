// The local control channel of a running `follow`: a Unix socket in the per-user lock
// directory (0700, checked by the lock; the socket itself 0600), so only the same user can
// pause, resume, flatten or stop it. One JSON line in, one JSON line out. Also the "pause
// recorded for the next run" marker, kept next to it.

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

/** `<lock dir>/pause-<hash>.json`: a pause asked for while no follow ran. */
export function pendingPausePath(dir: string, network: LockNetwork, account: string): string {
  return join(dir, `pause-${key(network, account)}.json`);
}

export function recordPendingPause(path: string, now: number): void {
  writeFileSync(path, `${JSON.stringify({ pausedAt: now })}\n`, { mode: 0o600 });
}

/** Remove the marker; returns when the pause had been asked for (ms), or null. */
export function takePendingPause(path: string): number | null {
  if (!existsSync(path)) return null;
  let at = 0;
  try {
    at = Number((JSON.parse(readFileSync(path, "utf8")) as { pausedAt?: unknown }).pausedAt) || 0;
  } catch {
    // A damaged marker still says "pause".
  }
  rmSync(path, { force: true });
  return at;
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
