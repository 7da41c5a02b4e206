// Spawn the real bin/hlcopy.js (built dist/) the way a user runs it.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { onTestFinished } from "vitest";
import { pendingPausePaths, takePendingPauses } from "../../src/store/control.js";
import { lookDirs } from "../../src/store/lock.js";
import { canRunInProcess, runInProcess } from "./in-process.js";

export const ROOT = resolve(import.meta.dirname, "../..");
export const BIN = join(ROOT, "bin/hlcopy.js");

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function tempDir(prefix = "hlcopy-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Locks of the processes this test file spawns: apart from a trader's real lock directory. */
let lockDir: string | undefined;

/** The parent's environment without hlcopy's own variables, plus the given ones. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  for (const k of Object.keys(env)) if (k.startsWith("HLCOPY_")) delete env[k];
  lockDir ??= tempDir("hlcopy-locks-");
  return { ...env, HLCOPY_LOCK_DIR: lockDir, ...extra };
}

/**
 * When the running test ends (passed or not), lift the pause it left standing for `account` on
 * `httpUrl`: its markers in every lock directory. A pause is kept in each, the fixed
 * /tmp/hlcopy-<uid> among them, which no environment variable moves out of the test's own
 * temporary directory: a test that ends with a pause standing left a marker there for good
 * (~4 a run). Only this account's, on this test's own simulator: nothing of another run's.
 */
export function liftPauseAfter(httpUrl: string, account: string): void {
  onTestFinished(() => {
    // Live runs' and paper runs' pauses: each kind has its own marker.
    for (const paper of [false, true])
      takePendingPauses(pendingPausePaths(lookDirs(cleanEnv()), { name: httpUrl, httpUrl }, account, paper));
  });
}

/**
 * Run hlcopy with Node 24 (the one vitest runs on); resolves when it exits. The built CLI's run
 * function in this process when nothing about the command needs a process of its own
 * (./in-process.ts), else bin/hlcopy.js spawned.
 */
export function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; input?: string; nodeArgs?: string[]; timeoutMs?: number } = {},
): Promise<RunResult> {
  if (canRunInProcess(args, options.nodeArgs))
    return runInProcess(ROOT, args, cleanEnv(options.env), options.input ?? "", options.timeoutMs ?? 30_000);
  return spawnCli(args, options);
}

/** Run bin/hlcopy.js in a process of its own; resolves when it exits. */
export function spawnCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; input?: string; nodeArgs?: string[]; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), BIN, ...args], {
      env: cleanEnv(options.env),
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    // A bound for a hang, not a speed check: on a busy 2-core machine a command's start alone
    // can take several seconds. A killed child says so in its stderr (its exit code is null).
    const limitMs = options.timeoutMs ?? 30_000;
    const timer = setTimeout(() => {
      stderr += `\n[runCli: killed after ${limitMs} ms without exiting]\n`;
      child.kill("SIGKILL");
    }, limitMs);
    child.on("error", fail);
    child.on("close", (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? "");
  });
}

/**
 * bin/hlcopy.js started as a child the test can signal (stdin closed), its output gathered:
 * `exit` resolves with its code when it ends; `out()` and `err()` are what it wrote so far.
 * `env` is added to the test's clean environment (cleanEnv).
 */
export function startCli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: cleanEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const exit = new Promise<number | null>((done) => child.on("close", (code) => done(code)));
  return { child, exit, out: () => stdout, err: () => stderr };
}

/**
 * The error a command run with --json ended on, in the contract's two lines (`error: …` and
 * `hint: …`, as it prints them on stderr without --json): with --json it is one `error`
 * document on stdout, and nothing else is. "" when stdout is not that one document.
 */
export function jsonError(stdout: string): string {
  const lines = stdout.trim().split("\n");
  if (lines.length !== 1 || !lines[0]?.startsWith("{")) return "";
  const doc = JSON.parse(lines[0]) as { type?: string; message?: string; hint?: string };
  if (doc.type !== "error") return "";
  return `error: ${doc.message}\n${doc.hint ? `hint: ${doc.hint}\n` : ""}`;
}

/**
 * A helper's default setting flags (`--flag value` pairs) less those the test gives itself:
 * hlcopy refuses a flag given twice, so a test's `--ratio 0.2` replaces the default instead of
 * following it.
 */
export function defaultsBeside(defaults: readonly string[], given: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < defaults.length; i += 2) {
    const flag = defaults[i] as string;
    if (!given.some((a) => a === flag || a.startsWith(`${flag}=`))) out.push(flag, defaults[i + 1] as string);
  }
  return out;
}

/**
 * An http URL on 127.0.0.1 where nothing listens, and nothing of the suite's can start to: a
 * port below the range the system hands out to port-0 listeners and outgoing connections
 * (32768+ on Linux), checked to refuse a connection. A port freed a moment ago — a closed
 * simulator's — could be the next simulator's, started meanwhile by a test running beside.
 */
export async function deadUrl(): Promise<string> {
  for (const port of [1019, 1021, 1022, 1011, 1012]) {
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(false);
      });
      socket.once("error", (e: NodeJS.ErrnoException) => resolve(e.code === "ECONNREFUSED"));
    });
    if (refused) return `http://127.0.0.1:${port}`;
  }
  throw new Error("no port below 1024 refused a connection: something listens on all those tried");
}

/**
 * A port on 127.0.0.1 where nothing listens yet, for a test to start listening on later (an
 * exchange that comes up after the client first tried it). Not a port the system handed out and
 * took back — a neighbour test's simulator, started meanwhile on port 0, could be given it —
 * but one below the system's range for port-0 listeners and outgoing connections (32768+ on
 * Linux), where nothing of the suite's listens, checked to refuse a connection.
 */
export async function laterPort(): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(false);
      });
      socket.once("error", (e: NodeJS.ErrnoException) => resolve(e.code === "ECONNREFUSED"));
    });
    if (refused) return port;
  }
  throw new Error("no port in 20000–31999 refused a connection in 50 tries");
}

/**
 * A command's text with its broken lines joined again. Piped, `status`, `report`, `backtest` and
 * `journal` break their lines at 80 columns (ui/format.ts wrapToWidth: a continuation indented
 * two more than its line, a table's lines never broken); a test that reads a line's words reads
 * them whole. A `hint:` line is a line of its own, not a continuation.
 */
export function unwrapped(text: string): string {
  const out: string[] = [];
  let indent = -1;
  for (const line of text.split("\n")) {
    const own = /^ */.exec(line)?.[0].length ?? 0;
    const last = out.at(-1);
    const continues =
      last !== undefined &&
      indent >= 0 &&
      own === indent + 2 &&
      !/^\s*hint: /.test(line) &&
      line.trim() !== "";
    if (continues) out[out.length - 1] = `${last} ${line.trim()}`;
    else {
      out.push(line);
      indent = line.trim() === "" || /^[┌│├└]/.test(line) ? -1 : own;
    }
  }
  return out.join("\n");
}

/** A run's result with its text's broken lines joined again (unwrapped). */
export function whole<T extends { stdout: string }>(r: T): T {
  return { ...r, stdout: unwrapped(r.stdout) };
}
