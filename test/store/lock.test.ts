// The per-(network, account) lock with real processes: a live holder is named with its config
// directory, a dead one's lock is taken over, of many processes racing for one stale lock
// exactly one wins; the lock directory is per user, private, and not the config directory.
import { type ChildProcess, spawn } from "node:child_process";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { OperationalError } from "../../src/core/errors.js";
import { utcMinute } from "../../src/core/format.js";
import {
  acquireLock,
  type Lock,
  type LockNetwork,
  lockDir,
  lockDirs,
  lockPath,
  lookDirs,
} from "../../src/store/lock.js";
import { ROOT, tempDir } from "../helpers/cli.js";

const ACCOUNT = "0xAbCdEf0000000000000000000000000000000002";
const NET: LockNetwork = { name: "http://127.0.0.1:9999", httpUrl: "http://127.0.0.1:9999" };
const CONFIG_A = "/home/trader/.config/hlcopy";
const CONFIG_B = "/home/trader/other-config";
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
  file = lockPath(dir, NET, ACCOUNT);
});
afterEach(() => {
  for (const l of locks.splice(0)) l.release();
  for (const c of children.splice(0)) c.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

function acquire(command = "follow", configDir = CONFIG_B): Lock {
  const l = acquireLock({ dir, network: NET, account: ACCOUNT, configDir, command });
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

const lockArgs = (command: string, configDir = CONFIG_A) =>
  JSON.stringify({ dir, network: NET, account: ACCOUNT, configDir, command });

const holderScript = (command: string) => `
  import { acquireLock } from ${JSON.stringify(DIST_LOCK)};
  try {
    const l = acquireLock(${lockArgs(command)});
    console.log(JSON.stringify({ ok: true, pid: process.pid, note: l.note }));
  } catch (e) {
    console.log(JSON.stringify({ ok: false, pid: process.pid, message: e.message }));
  }
  setTimeout(() => {}, 60_000);
`;

describe("acquireLock", () => {
  it("writes {pid, startedAt, command, configDir} to lock-<network>-<account>.pid and removes it on release", () => {
    const before = Date.now();
    const l = acquire("reconcile");
    const after = Date.now();
    expect(file.slice(dir.length)).toMatch(
      new RegExp(`^/lock-127\\.0\\.0\\.1_9999-[0-9a-f]{8}-${ACCOUNT.toLowerCase()}\\.pid$`),
    );
    expect(l.path).toBe(file);
    const content = JSON.parse(readFileSync(file, "utf8"));
    expect(content).toMatchObject({ pid: process.pid, command: "reconcile", configDir: CONFIG_B });
    // When it was taken: between the clock's readings around acquire (no bound on how long that took).
    expect(content.startedAt).toBeGreaterThanOrEqual(before);
    expect(content.startedAt).toBeLessThanOrEqual(after);
    expect(l.note).toBeNull();
    l.release();
    expect(existsSync(file)).toBe(false);
    l.release(); // twice is fine
    acquire().release(); // and it can be taken again
  });

  it("a second acquire in the same process is refused", () => {
    acquire();
    expect(caught(() => acquire("follow", CONFIG_A)).message).toContain("this process already holds");
  });

  it("a live holder in another process, another config dir: exit 1 naming its pid, command and config dir", async () => {
    const { line } = await child(holderScript("follow"));
    const holder = JSON.parse(line) as { ok: boolean; pid: number };
    expect(holder.ok).toBe(true);
    const e = caught(() => acquire("reconcile", CONFIG_B));
    expect(e.exitCode).toBe(1);
    // status's time format (YYYY-MM-DD HH:MM UTC), not ISO with milliseconds.
    const since = utcMinute(e.details.startedAt as number);
    expect(since).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    expect(e.message).toBe(
      `another hlcopy (pid ${holder.pid}) is trading ${ACCOUNT.toLowerCase()} on ${NET.name} since ${since} (follow, config dir ${CONFIG_A})`,
    );
    // A follow is stopped cleanly with hlcopy stop: offered before kill.
    expect(e.hint).toMatch(
      new RegExp(`^stop it first \\(hlcopy stop, or kill ${holder.pid}, or Ctrl-C in its terminal\\)`),
    );
    expect(e.hint).toContain(file);
    expect(e.details).toMatchObject({ pid: holder.pid, command: "follow", configDir: CONFIG_A });
  });

  it("a paper run holding it is said as one: it sends nothing (it was 'is trading', as a live run)", async () => {
    const paper = holderScript("follow").replace(
      lockArgs("follow"),
      JSON.stringify({
        dir,
        network: NET,
        account: ACCOUNT,
        configDir: CONFIG_A,
        command: "follow",
        paper: true,
      }),
    );
    const { line } = await child(paper);
    const holder = JSON.parse(line) as { ok: boolean; pid: number };
    expect(holder.ok).toBe(true);
    expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({ command: "follow", paper: true });
    const e = caught(() => acquire("follow", CONFIG_B));
    expect(e.message).toBe(
      `another hlcopy (pid ${holder.pid}) holds ${ACCOUNT.toLowerCase()} on ${NET.name} since ${utcMinute(e.details.startedAt as number)} (follow --paper: a paper run, which sends nothing but holds the account's lock; config dir ${CONFIG_A})`,
    );
    expect(e.hint).toMatch(new RegExp(`^stop it first \\(hlcopy stop, or kill ${holder.pid}`));
  });

  it("a reconcile holding it (no control socket: hlcopy stop cannot reach it) is stopped by kill", async () => {
    const { line } = await child(holderScript("reconcile"));
    const holder = JSON.parse(line) as { ok: boolean; pid: number };
    expect(holder.ok).toBe(true);
    const e = caught(() => acquire("follow", CONFIG_B));
    expect(e.hint).toMatch(new RegExp(`^stop it first \\(kill ${holder.pid}, or Ctrl-C in its terminal\\)`));
    expect(e.message).toContain(`since ${utcMinute(e.details.startedAt as number)} (reconcile`);
  });

  it("the lock is per (network, account): another account or another network is free", async () => {
    const { line } = await child(holderScript("follow"));
    expect((JSON.parse(line) as { ok: boolean }).ok).toBe(true);
    const other = { dir, account: ACCOUNT, configDir: CONFIG_B, command: "follow" };
    const elsewhere = acquireLock({
      ...other,
      network: { name: "testnet", httpUrl: "https://api.hyperliquid-testnet.xyz" },
    });
    locks.push(elsewhere);
    const otherAccount = acquireLock({
      ...other,
      network: NET,
      account: "0x00000000000000000000000000000000000000ff",
    });
    locks.push(otherAccount);
    expect(new Set([file, elsewhere.path, otherAccount.path]).size).toBe(3);
  });

  it("a network given by name or by its URL is one exchange, one lock", () => {
    const byName = { name: "mainnet", httpUrl: "https://api.hyperliquid.xyz" };
    const byUrl = { name: "https://api.hyperliquid.xyz", httpUrl: "https://api.hyperliquid.xyz/" };
    expect(lockPath(dir, byName, ACCOUNT)).toBe(lockPath(dir, byUrl, ACCOUNT.toLowerCase()));
  });

  it("one exchange however its URL is spelled: loopback names, case, default port, trailing slash; another port or host is another lock", () => {
    const at = (httpUrl: string) => lockPath(dir, { name: httpUrl, httpUrl }, ACCOUNT);
    const sim = at("http://127.0.0.1:7070");
    for (const same of [
      "http://localhost:7070",
      "http://LOCALHOST:7070/",
      "http://[::1]:7070",
      "http://127.0.0.2:7070",
      "HTTP://127.0.0.1:7070//",
    ])
      expect(at(same), same).toBe(sim);
    expect(at("https://API.hyperliquid.xyz:443/")).toBe(at("https://api.hyperliquid.xyz"));
    expect(at("http://127.0.0.1:7071")).not.toBe(sim);
    expect(at("https://localhost:7070")).not.toBe(sim);
    expect(at("https://api.hyperliquid-testnet.xyz")).not.toBe(at("https://api.hyperliquid.xyz"));
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
      acquireLock(${lockArgs("reconcile")});
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
    expect(caught(() => acquire()).message).toContain("being taken by another process");
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

describe("the lock directory", () => {
  it("is HLCOPY_LOCK_DIR, else /tmp/hlcopy-<uid> whatever XDG_RUNTIME_DIR or TMPDIR say: never the config dir", () => {
    const fixed = `/tmp/hlcopy-${process.getuid?.()}`;
    expect(lockDir({ HLCOPY_LOCK_DIR: "/x/locks", XDG_RUNTIME_DIR: "/run/user/7" })).toBe("/x/locks");
    // A login shell, cron (neither variable) and a shell with its own TMPDIR meet in one place.
    expect(lockDir({ XDG_RUNTIME_DIR: "/run/user/7", HLCOPY_CONFIG_DIR: "/cfg" })).toBe(fixed);
    expect(lockDir({ HLCOPY_CONFIG_DIR: "/cfg" })).toBe(fixed);
    expect(lockDir({ TMPDIR: "/var/folders/xy/T" })).toBe(fixed);
    // A run with HLCOPY_LOCK_DIR locks there and in the fixed directory too.
    expect(lockDirs({ HLCOPY_LOCK_DIR: "/x/locks" })).toEqual(["/x/locks", fixed]);
    expect(lockDirs({})).toEqual([fixed]);
    // A holder is looked for where a unit's RuntimeDirectory and older versions kept locks.
    expect(lookDirs({ XDG_RUNTIME_DIR: "/run/user/7" })).toEqual(
      expect.arrayContaining([
        fixed,
        "/run/hlcopy",
        "/run/user/7/hlcopy",
        join(tmpdir(), `hlcopy-${process.getuid?.()}`),
      ]),
    );
  });

  it("a live holder in another directory a lock may be in refuses the run; the lock taken is released", () => {
    const mine = tempDir("hlcopy-locks-mine-");
    const theirs = tempDir("hlcopy-xdg-");
    // An older hlcopy's lock in $XDG_RUNTIME_DIR/hlcopy, held by a live process (the parent).
    mkdirSync(join(theirs, "hlcopy"), { mode: 0o700 });
    const held = lockPath(join(theirs, "hlcopy"), NET, ACCOUNT);
    writeFileSync(held, JSON.stringify({ pid: process.ppid, startedAt: 1, command: "follow", token: "t" }));
    const take = () =>
      acquireLock({
        env: { HLCOPY_LOCK_DIR: mine, XDG_RUNTIME_DIR: theirs },
        network: NET,
        account: ACCOUNT,
        configDir: CONFIG_B,
      });
    expect(take).toThrow(new RegExp(`another hlcopy \\(pid ${process.ppid}\\) is trading`));
    expect(readdirSync(mine).filter((f) => f.startsWith("lock-"))).toEqual([]);
    // Its holder gone, the run takes the lock (the dead lock where it is is left alone).
    rmSync(held);
    const l = take();
    locks.push(l);
    expect(l.paths).toEqual([
      lockPath(mine, NET, ACCOUNT),
      lockPath(`/tmp/hlcopy-${process.getuid?.()}`, NET, ACCOUNT),
    ]);
  });

  it("is created 0700 and nothing is written in the config directory", () => {
    const locksDir = join(dir, "nested", "locks");
    const cfg = tempDir("hlcopy-cfg-");
    const l = acquireLock({
      env: { HLCOPY_LOCK_DIR: locksDir },
      network: NET,
      account: ACCOUNT,
      configDir: cfg,
    });
    locks.push(l);
    expect(l.path.startsWith(`${locksDir}/`)).toBe(true);
    expect(statMode(locksDir)).toBe(0o700);
    expect(readdirSync(cfg)).toEqual([]);
  });

  it("refuses a directory others can write, or a symbolic link, and writes nothing there", () => {
    const open = join(dir, "open");
    mkdirSync(open);
    chmodSync(open, 0o777);
    let e = caught(() => acquireLock({ dir: open, network: NET, account: ACCOUNT, configDir: CONFIG_A }));
    expect(e.message).toBe(`the lock directory ${open} can be written by anyone`);
    expect(e.hint).toContain("HLCOPY_LOCK_DIR");
    chmodSync(open, 0o770);
    e = caught(() => acquireLock({ dir: open, network: NET, account: ACCOUNT, configDir: CONFIG_A }));
    expect(e.message).toBe(`the lock directory ${open} can be written by its group`);
    expect(readdirSync(open)).toEqual([]);
    const link = join(dir, "link");
    const real = join(dir, "real");
    mkdirSync(real, { mode: 0o700 });
    symlinkSync(real, link);
    e = caught(() => acquireLock({ dir: link, network: NET, account: ACCOUNT, configDir: CONFIG_A }));
    expect(e.message).toBe(`the lock directory ${link} is a symbolic link`);
    expect(readdirSync(real)).toEqual([]);
  });

  it.skipIf(process.getuid?.() !== 0)(
    "refuses a directory that belongs to another user (needs root to set up)",
    () => {
      const theirs = join(dir, "theirs");
      mkdirSync(theirs, { mode: 0o700 });
      chownSync(theirs, 4242, 4242);
      const e = caught(() =>
        acquireLock({ dir: theirs, network: NET, account: ACCOUNT, configDir: CONFIG_A }),
      );
      expect(e.message).toBe(`the lock directory ${theirs} belongs to another user (uid 4242)`);
    },
  );
});

function statMode(path: string): number {
  return statSync(path).mode & 0o777;
}
