// Signals as a trader meets them: a closed terminal or ssh session (SIGHUP), Ctrl-\ (SIGQUIT)
// stop `follow` as cleanly as SIGTERM; SIGUSR1 never opens the Node inspector.

import { spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Address } from "../../src/core/types.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { leaderKeyForSeed, type ScriptedLeader, startScriptedLeader } from "../../src/sim/leader.js";
import { journalPath, openJournal, UNRESOLVED_ORDER_STATUSES } from "../../src/store/journal.js";
import { eventually, masterWithAgent } from "../exchange/helpers.js";
import { BIN, cleanEnv, tempDir } from "../helpers/cli.js";
import { roundTrip } from "../helpers/sim-engine.js";
import { type RunningFollow, spawnFollow } from "./helpers.js";

let sim: SimHandle;
let account: Address;
let agentKey: `0x${string}`;
const leaderKey = leaderKeyForSeed(777);
const leader = privateKeyToAccount(leaderKey).address.toLowerCase() as Address;

beforeAll(async () => {
  sim = await startSim({ seed: 43, tickMs: 0 });
  sim.control.fund(leader, 1_000_000);
  // A leader that traded before (flat again): a funded address with no fill is refused as a typo.
  await roundTrip(sim, leaderKey);
});
// An account per test: what one test's run opened, another's fresh journal did not.
beforeEach(async () => {
  const f = await masterWithAgent(sim, 50_000);
  account = f.master.address;
  agentKey = f.agentKey;
});
afterAll(async () => {
  await sim.close();
});

let leaderSeed = 1_300;
function trade(n: number, rate = 20): Promise<ScriptedLeader> {
  return startScriptedLeader({
    httpUrl: sim.httpUrl,
    seed: leaderSeed++,
    privateKey: leaderKey,
    ratePerSec: rate,
    coins: ["BTC", "ETH", "SOL"],
    maxTrades: n,
    fundUsd: 0,
  });
}

function follow(dir: string): RunningFollow {
  return spawnFollow({
    httpUrl: sim.httpUrl,
    account,
    leader,
    configDir: dir,
    agentKey,
    extra: ["--sweep-seconds", "3600"],
  });
}

const ordersOf = (run: RunningFollow) => run.lines.filter((l) => l.type === "order").length;

/**
 * True when `pid` holds a listening TCP socket on `port` (Linux: its fds against
 * /proc/net/tcp), so another process on the machine listening there does not count.
 */
function listensOn(pid: number, port: number): boolean {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m?.[1]) inodes.add(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const row of readFileSync(table, "utf8").split("\n").slice(1)) {
      const cols = row.trim().split(/\s+/);
      // local_address is HEXIP:HEXPORT, st 0A = LISTEN, inode is column 10
      if (cols[1]?.endsWith(`:${hexPort}`) && cols[3] === "0A" && inodes.has(cols[9] ?? "")) return true;
    }
  }
  return false;
}

describe("follow stops cleanly on every stop signal", () => {
  it.each(["SIGHUP", "SIGQUIT"] as const)(
    "%s mid-burst: exit 0, summary, run closed, lock released, nothing left sent",
    {
      timeout: 90_000,
    },
    async (signal) => {
      const dir = tempDir();
      const run = follow(dir);
      await eventually(() => run.lines.some((l) => l.type === "sweep"), 10_000);
      const l = await trade(1_000, 20);
      await eventually(() => ordersOf(run) >= 2, 10_000);
      run.child.kill(signal);
      const code = await run.exit;
      await l.stop();
      expect(code).toBe(0);
      expect(run.lines.at(-2)).toMatchObject({ type: "stop", reason: `signal ${signal}` });
      expect(run.lines.at(-1)).toMatchObject({ type: "summary" });
      expect(run.stderr()).toBe("");
      // No lock file left behind in the config directory.
      expect(readdirSync(dir).filter((f) => /lock/.test(f))).toEqual([]);
      const journal = openJournal(journalPath(dir, account, sim.httpUrl));
      try {
        expect(journal.lastRun()).toMatchObject({ exitCode: 0, endedAt: expect.any(Number) });
        expect(journal.ordersInState(UNRESOLVED_ORDER_STATUSES)).toEqual([]);
      } finally {
        journal.close();
      }
    },
  );
});

/** The node process of a follow started under `script` (the one holding `account` on its command line). */
function followPidOf(account: string): number | null {
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      if (cmd.startsWith(process.execPath) && cmd.includes(account) && cmd.includes("follow"))
        return Number(pid);
    } catch {
      // gone meanwhile
    }
  }
  return null;
}

const hasScript = process.platform === "linux" && spawnSync("script", ["--version"]).status === 0;

// The dashboard brings Ink, and Ink brings signal-exit, which kills the process on a signal
// that it believes nobody else handles: a stop handler that had already removed itself
// (process.once) let SIGTERM and SIGHUP kill a dashboard run mid-burst.
describe("follow with its dashboard on a terminal", () => {
  it.skipIf(!hasScript).each(["SIGTERM", "SIGHUP"] as const)(
    "%s mid-burst: exit 0, run closed, nothing left sent",
    { timeout: 90_000 },
    async (signal) => {
      const dir = tempDir();
      const argv = [process.execPath, BIN, "--network", sim.httpUrl, "--account", account, "follow", leader];
      const quote = (a: string) => `'${a.replaceAll("'", "'\\''")}'`;
      const argvTail = ["--mode", "fixed-ratio", "--ratio", "0.2", "--sweep-seconds", "3600", "--yes"];
      // util-linux script: a pseudo-terminal, so follow draws its dashboard; -e: its exit code.
      const child = spawn(
        "script",
        ["-qfec", `stty cols 120 rows 40; exec ${[...argv, ...argvTail].map(quote).join(" ")}`, "/dev/null"],
        {
          env: cleanEnv({ HLCOPY_CONFIG_DIR: dir, HLCOPY_AGENT_KEY: agentKey }),
          stdio: ["pipe", "pipe", "pipe"],
        },
      );
      let screen = "";
      child.stdout.on("data", (d) => {
        screen += d;
      });
      const exit = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
      await eventually(() => screen.includes("ws open"), 20_000);
      const pid = followPidOf(account);
      expect(pid).not.toBeNull();
      const l = await trade(1_000, 20);
      await eventually(() => sim.control.orderHistory(account).length >= 2, 10_000);
      process.kill(pid ?? 0, signal);
      const code = await exit;
      await l.stop();
      expect(code).toBe(0);
      const journal = openJournal(journalPath(dir, account, sim.httpUrl));
      try {
        expect(journal.lastRun()).toMatchObject({ exitCode: 0, endedAt: expect.any(Number) });
        expect(journal.ordersInState(UNRESOLVED_ORDER_STATUSES)).toEqual([]);
      } finally {
        journal.close();
      }
    },
  );
});

/** Whether `pid` runs (a zombie nobody reaped yet has ended). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

// The terminal itself going away (tmux kill-session, an ssh session dropped): every write to
// it fails with EIO, before or after the SIGHUP the kernel sends. A write error on stdout was
// thrown from the broken-pipe watch (it let through EPIPE only): a stack trace, and a run that
// never ended — no on-exit step, the journal saying "killed or crashed".
describe("follow whose terminal closes under it", () => {
  it.skipIf(!hasScript)(
    "the dashboard's terminal closed mid-burst: the run ends in order, exit 0",
    {
      timeout: 90_000,
    },
    async () => {
      const dir = tempDir();
      const argv = [process.execPath, BIN, "--network", sim.httpUrl, "--account", account, "follow", leader];
      const quote = (a: string) => `'${a.replaceAll("'", "'\\''")}'`;
      const argvTail = ["--mode", "fixed-ratio", "--ratio", "0.2", "--sweep-seconds", "3600", "--yes"];
      const child = spawn(
        "script",
        ["-qfec", `stty cols 120 rows 40; exec ${[...argv, ...argvTail].map(quote).join(" ")}`, "/dev/null"],
        {
          env: cleanEnv({ HLCOPY_CONFIG_DIR: dir, HLCOPY_AGENT_KEY: agentKey }),
          stdio: ["pipe", "pipe", "pipe"],
        },
      );
      let screen = "";
      child.stdout.on("data", (d) => {
        screen += d;
      });
      await eventually(() => screen.includes("ws open"), 20_000);
      const pid = followPidOf(account);
      expect(pid).not.toBeNull();
      const l = await trade(1_000, 20);
      await eventually(() => sim.control.orderHistory(account).length >= 2, 10_000);
      // The terminal goes: its master side closes with the program that held it.
      child.kill("SIGKILL");
      await eventually(() => !running(pid ?? 0), 30_000);
      await l.stop();
      const journal = openJournal(journalPath(dir, account, sim.httpUrl));
      try {
        expect(journal.lastRun()).toMatchObject({ exitCode: 0, endedAt: expect.any(Number) });
        expect(journal.ordersInState(UNRESOLVED_ORDER_STATUSES)).toEqual([]);
      } finally {
        journal.close();
      }
    },
  );
});

describe("SIGUSR1", () => {
  it("does not open the Node inspector while the key is in memory; the run goes on", {
    timeout: 90_000,
  }, async () => {
    const dir = tempDir();
    const run = follow(dir);
    try {
      await eventually(() => run.running() && run.lines.some((l) => l.type === "sweep"), 10_000);
      run.child.kill("SIGUSR1");
      // The process lives on and keeps copying after the signal …
      const l = await trade(1_000, 20);
      await eventually(() => run.running() && ordersOf(run) >= 2, 10_000);
      await l.stop();
      // … and nothing listens where the inspector would (it starts at once on the signal).
      expect(listensOn(run.child.pid ?? 0, 9229)).toBe(false);
      expect(run.stderr()).not.toMatch(/Debugger listening/);
    } finally {
      run.child.kill("SIGTERM");
    }
    expect(await run.exit).toBe(0);
    expect(run.stderr()).toBe("");
  });
});

describe("demo", () => {
  it("SIGHUP ends the demo with its summary and exit 0", { timeout: 90_000 }, async () => {
    const child = spawn(process.execPath, [BIN, "demo", "--no-ui", "--duration", "60s", "--json"], {
      env: cleanEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    const exit = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    await eventually(() => out.includes('"type":"order"'), 20_000);
    child.kill("SIGHUP");
    expect(await exit).toBe(0);
    const last = JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as Record<string, unknown>;
    expect(last).toHaveProperty("copiedTrades");
    expect(err).toBe("");
  });
});
