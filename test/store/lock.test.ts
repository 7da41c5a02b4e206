// The per-account lock with real processes: a live holder is named, a dead one's lock is
// taken over, and of many processes racing for one stale lock exactly one wins.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { OperationalError } from "../../src/core/errors.js";
import { acquireLock, type Lock, lockPath } from "../../src/store/lock.js";
import { ROOT, tempDir } from "../helpers/cli.js";

const ACCOUNT = "0xAbCdEf0000000000000000000000000000000002";
const DIST_LOCK = join(ROOT, "dist/store/lock.js");

let dir: string;
let file: string;
const locks: Lock[] = [];
const children: ChildProcess[] = [];

beforeAll(() => {
  if (!existsSync(DIST_LOCK)) throw new Error("run `npm run build` first (npm test does)");
});
beforeEach(() => {
  dir = tempDir("hlcopy-lock-");
  file = lockPath(dir, ACCOUNT);
});
afterEach(() => {
  for (const l of locks.splice(0)) l.release();
  for (const c of children.splice(0)) c.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

function acquire(command = "follow"): Lock {
  const l = acquireLock(dir, ACCOUNT, { command });
  locks.push(l);
  return l;
}

function caught(fn: () => unknown): OperationalError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(OperationalError);
    return error as OperationalError;
  }
  throw new Error("expected an OperationalError");
}

/** A child running `code` (ESM); resolves with it once it prints its first line. */
function child(code: string): Promise<{ proc: ChildProcess; line: string }> {
  const proc = spawn(process.execPath, ["--input-type=module", "-e", code], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(proc);
  return new Promise((done, fail) => {
    let out = "";
    let err = "";
    proc.stdout?.on("data", (d) => {
      out += d;
      const nl = out.indexOf("\n");
      if (nl >= 0) done({ proc, line: out.slice(0, nl) });
    });
    proc.stderr?.on("data", (d) => {
      err += d;
    });
    proc.on("exit", (code) => {
      if (!out.includes("\n")) fail(new Error(`child exited ${code}: ${err}`));
    });
  });
}

function exited(proc: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (proc.exitCode !== null || proc.signalCode !== null) done();
    else proc.on("exit", () => done());
  });
}

/** The pid of a process that has exited (and been reaped). */
async function deadPid(): Promise<number> {
  const proc = spawn(process.execPath, ["-e", ""]);
  await exited(proc);
  if (proc.pid === undefined) throw new Error("no pid");
  return proc.pid;
}

const holderScript = (command: string) => `
  import { acquireLock } from ${JSON.stringify(DIST_LOCK)};
  try {
    const l = acquireLock(${JSON.stringify(dir)}, ${JSON.stringify(ACCOUNT)}, { command: ${JSON.stringify(command)} });
    console.log(JSON.stringify({ ok: true, pid: process.pid, note: l.note }));
  } catch (e) {
    console.log(JSON.stringify({ ok: false, pid: process.pid, message: e.message }));
  }
  setTimeout(() => {}, 60_000);
`;

describe("acquireLock", () => {
  it("writes {pid, startedAt, command} to lock-<account>.pid and removes it on release", () => {
    const l = acquire("reconcile");
    expect(file).toBe(join(dir, `lock-${ACCOUNT.toLowerCase()}.pid`));
    const content = JSON.parse(readFileSync(file, "utf8"));
    expect(content).toMatchObject({ pid: process.pid, command: "reconcile" });
    expect(Math.abs(content.startedAt - Date.now())).toBeLessThan(5000);
    expect(l.note).toBeNull();
    l.release();
    expect(existsSync(file)).toBe(false);
    l.release(); // twice is fine
    acquire().release(); // and it can be taken again
  });

  it("a second acquire in the same process is refused", () => {
    acquire();
    expect(caught(() => acquireLock(dir, ACCOUNT)).message).toContain("this process already holds");
  });

  it("a live holder in another process: exit 1 naming its pid, the account and since when", async () => {
    const { line } = await child(holderScript("follow"));
    const holder = JSON.parse(line) as { ok: boolean; pid: number };
    expect(holder.ok).toBe(true);
    const e = caught(() => acquireLock(dir, ACCOUNT, { command: "reconcile" }));
    expect(e.exitCode).toBe(1);
    expect(e.message).toMatch(
      new RegExp(
        `^another hlcopy \\(pid ${holder.pid}\\) is trading ${ACCOUNT.toLowerCase()} since \\d{4}-\\d\\d-\\d\\dT.*\\(follow\\)$`,
      ),
    );
    expect(e.hint).toContain(`kill ${holder.pid}`);
    expect(e.hint).toContain(file);
    expect(e.details).toMatchObject({ pid: holder.pid, command: "follow" });
  });

  it("a holder killed with SIGKILL leaves a stale lock that the next run takes over, with a note", async () => {
    const { proc, line } = await child(holderScript("follow"));
    const holder = JSON.parse(line) as { pid: number };
    proc.kill("SIGKILL");
    await exited(proc);
    expect(existsSync(file)).toBe(true);
    const l = acquire();
    expect(l.takenOver?.pid).toBe(holder.pid);
    expect(l.note).toBe(`took over a stale lock from pid ${holder.pid} (follow, no longer running)`);
    expect(JSON.parse(readFileSync(file, "utf8")).pid).toBe(process.pid);
  });

  it("a holder that exits normally removes its lock", async () => {
    const { proc } = await child(`
      import { acquireLock } from ${JSON.stringify(DIST_LOCK)};
      acquireLock(${JSON.stringify(dir)}, ${JSON.stringify(ACCOUNT)}, { command: "reconcile" });
      console.log("held");
      process.exit(0);
    `);
    await exited(proc);
    expect(existsSync(file)).toBe(false);
  });

  it("takes over a lock whose pid is dead", async () => {
    const pid = await deadPid();
    writeFileSync(file, JSON.stringify({ pid, startedAt: 1, command: "follow", token: "t" }));
    expect(acquire().takenOver?.pid).toBe(pid);
  });

  it("takes over a lock left by a previous process that had our pid (containers)", () => {
    writeFileSync(file, JSON.stringify({ pid: process.pid, startedAt: 1, command: "follow", token: "old" }));
    expect(acquire().takenOver?.pid).toBe(process.pid);
  });

  it("an unreadable lock file: refused while fresh (maybe mid-write), replaced once old", () => {
    writeFileSync(file, "");
    expect(caught(() => acquireLock(dir, ACCOUNT)).message).toContain("being taken by another process");
    const old = new Date(Date.now() - 60_000);
    utimesSync(file, old, old);
    expect(acquire().note).toContain("unreadable lock file");
  });

  it("release never removes a lock that is no longer ours", () => {
    const l = acquire();
    writeFileSync(file, JSON.stringify({ pid: 1, startedAt: 1, command: "follow", token: "someone-else" }));
    l.release();
    expect(existsSync(file)).toBe(true);
  });

  it("of many processes racing for one stale lock, exactly one wins", async () => {
    const pid = await deadPid();
    writeFileSync(file, JSON.stringify({ pid, startedAt: 1, command: "follow", token: "t" }));
    const results = await Promise.all(Array.from({ length: 6 }, () => child(holderScript("follow"))));
    const parsed = results.map((r) => JSON.parse(r.line) as { ok: boolean; pid: number; message?: string });
    const winners = parsed.filter((p) => p.ok);
    expect(winners).toHaveLength(1);
    expect(JSON.parse(readFileSync(file, "utf8")).pid).toBe(winners[0]?.pid);
    for (const loser of parsed.filter((p) => !p.ok)) {
      expect(loser.message).toMatch(/another hlcopy|being taken|taking over|was taken/);
    }
  });
});
