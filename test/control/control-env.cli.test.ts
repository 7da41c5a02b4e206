// One running follow, commands from another environment (the real binaries against the
// simulator). A trader's shells differ: XDG_RUNTIME_DIR set in a login shell and not in cron,
// HLCOPY_LOCK_DIR set in a systemd unit and not in the shell that steers it. Whatever the second
// process's environment, it never trades beside the follow, and pause/flatten reach the follow.

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Address } from "../../src/core/types.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { leaderKeyForSeed, startScriptedLeader } from "../../src/sim/leader.js";
import { pendingPausePath } from "../../src/store/control.js";
import { journalPath, openJournal } from "../../src/store/journal.js";
import { defaultLockDir, lockPath } from "../../src/store/lock.js";
import { eventually, masterWithAgent } from "../exchange/helpers.js";
import { type RunningFollow, spawnFollow } from "../follow/helpers.js";
import { jsonError, liftPauseAfter, runCli, tempDir } from "../helpers/cli.js";

let sim: SimHandle;
const leaderKey = leaderKeyForSeed(2626);
const leader = privateKeyToAccount(leaderKey).address.toLowerCase() as Address;

beforeAll(async () => {
  sim = await startSim({ seed: 2626, tickMs: 0 });
  sim.control.fund(leader, 1_000_000);
  // The leader holds positions: a follow copies them at its first sweep.
  await (
    await startScriptedLeader({
      httpUrl: sim.httpUrl,
      seed: 26,
      privateKey: leaderKey,
      ratePerSec: 20,
      coins: ["BTC", "ETH"],
      maxTrades: 4,
      fundUsd: 0,
    })
  ).done;
});
afterAll(async () => {
  await sim.close();
});

async function positions(user: Address): Promise<{ coin: string; szi: string }[]> {
  const res = await fetch(`${sim.httpUrl}/info`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ type: "clearinghouseState", user }),
  });
  const chs = (await res.json()) as { assetPositions: { position: { coin: string; szi: string } }[] };
  return chs.assetPositions.map((p) => p.position).filter((p) => Number(p.szi) !== 0);
}

/** The follow's environment: a login shell with XDG_RUNTIME_DIR, or a unit's HLCOPY_LOCK_DIR too. */
const followEnvs = {
  "a unit's HLCOPY_LOCK_DIR and a login shell's XDG_RUNTIME_DIR": () => ({
    HLCOPY_LOCK_DIR: tempDir("hlcopy-unit-locks-"),
    XDG_RUNTIME_DIR: tempDir("hlcopy-xdg-"),
  }),
  "a login shell's XDG_RUNTIME_DIR": () => ({
    HLCOPY_LOCK_DIR: undefined,
    XDG_RUNTIME_DIR: tempDir("hlcopy-xdg-"),
  }),
};
/** The second process's: another HLCOPY_LOCK_DIR, or cron's (neither variable). */
const otherEnvs = {
  "another HLCOPY_LOCK_DIR": () => ({
    HLCOPY_LOCK_DIR: tempDir("hlcopy-other-locks-"),
    XDG_RUNTIME_DIR: undefined,
  }),
  "cron's environment": () => ({ HLCOPY_LOCK_DIR: undefined, XDG_RUNTIME_DIR: undefined }),
};

async function startFollow(
  env: NodeJS.ProcessEnv,
  extra: string[] = ["--sweep-seconds", "3600"],
): Promise<{ run: RunningFollow; master: Address; agentKey: `0x${string}`; configDir: string }> {
  const { master, agentKey } = await masterWithAgent(sim, 50_000);
  const configDir = tempDir();
  const run = spawnFollow({
    httpUrl: sim.httpUrl,
    account: master.address,
    leader,
    configDir,
    agentKey,
    extra,
    env,
  });
  await eventually(() => run.lines.some((l) => l.type === "sweep"), 20_000);
  return { run, master: master.address, agentKey, configDir };
}

function cli(account: Address, args: string[], env: NodeJS.ProcessEnv) {
  return runCli(["--network", sim.httpUrl, "--account", account, ...args], { env, timeoutMs: 30_000 });
}

describe.each(Object.entries(followEnvs))("a follow run with %s", (_f, followEnv) => {
  it.each(Object.entries(otherEnvs))(
    "refuses a reconcile run with %s (exit 1, naming the pid; nothing sent)",
    {
      timeout: 60_000,
    },
    async (_o, otherEnv) => {
      const { run, master, agentKey, configDir } = await startFollow(followEnv());
      try {
        const sent = sim.control.orderHistory(master).length;
        const env = { ...otherEnv(), HLCOPY_CONFIG_DIR: configDir, HLCOPY_AGENT_KEY: agentKey };
        const r = await cli(
          master,
          ["--json", "reconcile", leader, "--mode", "fixed-ratio", "--ratio", "0.2", "--yes"],
          env,
        );
        expect(r.code).toBe(1);
        expect(jsonError(r.stdout)).toMatch(
          new RegExp(`^error: another hlcopy \\(pid ${run.child.pid}\\) is trading ${master}.*\\(follow, `),
        );
        expect(sim.control.orderHistory(master).length).toBe(sent);
        // status from there tells the follow that runs.
        const status = await cli(master, ["status"], env);
        expect(status.stdout).toMatch(
          new RegExp(`last run: follow started .*, running \\(pid ${run.child.pid}\\)`),
        );
      } finally {
        run.child.kill("SIGTERM");
        await run.exit;
      }
    },
  );
});

describe("steering a follow from another environment", () => {
  for (const [name, otherEnv] of Object.entries(otherEnvs)) {
    it(`pause, resume and flatten from ${name} reach the follow; it closes everything itself`, {
      timeout: 60_000,
    }, async () => {
      const { run, master, agentKey, configDir } = await startFollow(
        followEnvs["a unit's HLCOPY_LOCK_DIR and a login shell's XDG_RUNTIME_DIR"](),
      );
      try {
        await eventually(async () => (await positions(master)).length > 0, 20_000);
        const env = { ...otherEnv(), HLCOPY_CONFIG_DIR: configDir, HLCOPY_AGENT_KEY: agentKey };
        const paused = await cli(master, ["--json", "pause"], env);
        expect(paused.code).toBe(0);
        expect(JSON.parse(paused.stdout)).toMatchObject({ running: true, did: "paused", pid: run.child.pid });
        await eventually(() => run.lines.some((l) => l.type === "paused" && l.paused === true), 10_000);
        const resumed = await cli(master, ["resume", "--yes"], env);
        expect(resumed.code).toBe(0);
        expect(resumed.stdout).toMatch(
          new RegExp(`^resumed the running follow.*\\(pid ${run.child.pid}\\)\n$`),
        );
        await eventually(() => run.lines.some((l) => l.type === "paused" && l.paused === false), 10_000);
        // Paused again: a flatten still closes everything (flat means flat).
        expect((await cli(master, ["pause"], env)).code).toBe(0);
        await eventually(
          () => run.lines.filter((l) => l.type === "paused" && l.paused === true).length === 2,
          10_000,
        );

        const sent = sim.control.orderHistory(master).length;
        const flat = await cli(master, ["--json", "flatten", "--yes"], env);
        expect(flat.code).toBe(0);
        expect(JSON.parse(flat.stdout)).toMatchObject({
          running: true,
          did: "flattening",
          pid: run.child.pid,
        });
        await eventually(async () => (await positions(master)).length === 0, 20_000);
        // The follow closed them (reduce-only), nobody else: the flatten sent nothing itself.
        const closes = sim.control.orderHistory(master).slice(sent);
        expect(closes.length).toBeGreaterThan(0);
        expect(closes.every((o) => o.reduceOnly)).toBe(true);
        expect(run.lines.some((l) => l.type === "halt" && l.kind === "manual")).toBe(true);
        // Its closes are told and journaled as the flatten they are, not as the kill switch
        // (the line and the journal's row may come a moment after the exchange has the order).
        const told = () => run.lines.filter((l) => l.type === "order" && l.reduceOnly === true);
        await eventually(() => told().length >= closes.length, 10_000);
        expect(told().map((l) => l.reason)).toEqual(told().map(() => "flatten"));
        const journaled = async () => {
          const journal = openJournal(journalPath(configDir, master, sim.httpUrl));
          try {
            return closes.map((o) => journal.getOrder(o.cloid ?? "")?.reason);
          } finally {
            journal.close();
          }
        };
        await eventually(async () => (await journaled()).every((r) => r !== undefined), 10_000);
        expect(await journaled()).toEqual(closes.map(() => "flatten"));
      } finally {
        run.child.kill("SIGTERM");
        await run.exit;
      }
    });
  }

  it("a follow with its own HLCOPY_LOCK_DIR that stops paused: every other shell sees the pause stand", {
    timeout: 60_000,
  }, async () => {
    const { run, master, agentKey, configDir } = await startFollow(
      followEnvs["a unit's HLCOPY_LOCK_DIR and a login shell's XDG_RUNTIME_DIR"](),
    );
    const envOf = (other: () => NodeJS.ProcessEnv) => ({
      ...other(),
      HLCOPY_CONFIG_DIR: configDir,
      HLCOPY_AGENT_KEY: agentKey,
    });
    liftPauseAfter(sim.httpUrl, master);
    try {
      expect((await cli(master, ["pause"], envOf(otherEnvs["another HLCOPY_LOCK_DIR"]))).code).toBe(0);
      await eventually(() => run.lines.some((l) => l.type === "paused" && l.paused === true), 10_000);
      expect((await cli(master, ["stop"], envOf(otherEnvs["cron's environment"]))).code).toBe(0);
      await run.exit;
    } finally {
      run.child.kill("SIGTERM");
      await run.exit;
    }
    // The pause stood in the follow's own lock directory only: a plain shell's status said
    // "not halted", and its next follow traded at once.
    for (const other of Object.values(otherEnvs)) {
      const status = await cli(master, ["--json", "status"], envOf(other));
      expect(JSON.parse(status.stdout).paused).toMatchObject({ running: false });
    }
  });

  it("a halt another process wrote into the journal is honoured at the follow's next sweep", {
    timeout: 60_000,
  }, async () => {
    // An older hlcopy flatten that did not reach the follow: it closed the positions, halted in
    // the journal and left. The follow must not re-open them.
    const { run, master, configDir } = await startFollow({ HLCOPY_LOCK_DIR: tempDir("hlcopy-unit-locks-") }, [
      "--sweep-seconds",
      "1",
    ]);
    try {
      await eventually(async () => (await positions(master)).length > 0, 20_000);
      const journal = openJournal(journalPath(configDir, master, sim.httpUrl));
      try {
        journal.recordHalt({ ts: Date.now(), kind: "manual", reason: "flatten requested (hlcopy flatten)" });
      } finally {
        journal.close();
      }
      await eventually(() => run.lines.some((l) => l.type === "halt" && l.kind === "manual"), 15_000);
      await eventually(async () => (await positions(master)).length === 0, 20_000);
      const sweeps = run.lines.filter((l) => l.type === "sweep").length;
      // Sweeps go on, and nothing is opened again.
      await eventually(() => run.lines.filter((l) => l.type === "sweep").length >= sweeps + 2, 15_000);
      expect(await positions(master)).toEqual([]);
    } finally {
      run.child.kill("SIGTERM");
      await run.exit;
    }
  });
});

describe("another hlcopy trades the account and cannot be reached", () => {
  /** A live process standing for an hlcopy (its command line says hlcopy): killed after. */
  function standIn(): ChildProcess {
    return spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)", "hlcopy"], { stdio: "ignore" });
  }

  it("pause and flatten from another environment refuse a reconcile at its start (exit 1, naming it and what it waits for) and do nothing", {
    timeout: 60_000,
  }, async () => {
    const { master, agentKey } = await masterWithAgent(sim, 50_000);
    const configDir = tempDir();
    // A reconcile of this account holds the lock in the fixed directory (it takes no commands)
    // and has no run in the journal yet: it is at its start (its review or passphrase prompt).
    const holder = standIn();
    const net = { name: sim.httpUrl, httpUrl: sim.httpUrl };
    const file = lockPath(defaultLockDir(), net, master.address);
    mkdirSync(defaultLockDir(), { recursive: true, mode: 0o700 });
    writeFileSync(
      file,
      JSON.stringify({ pid: holder.pid, startedAt: Date.now(), command: "reconcile", configDir, token: "t" }),
    );
    try {
      const env = {
        HLCOPY_LOCK_DIR: tempDir("hlcopy-other-locks-"),
        HLCOPY_CONFIG_DIR: configDir,
        HLCOPY_AGENT_KEY: agentKey,
      };
      const paused = await cli(master.address, ["pause"], env);
      expect(paused.code).toBe(1);
      // Said as waiting for an answer at its prompt, not as trading (it sends nothing before it).
      expect(paused.stderr).toBe(
        `error: the reconcile (pid ${holder.pid}) for ${master.address} on ${sim.httpUrl} is waiting at its review or passphrase prompt (or finishing its start checks) and takes no commands: nothing was done\n` +
          "hint: answer its prompt in that terminal (or Ctrl-C there), then run hlcopy pause again\n",
      );
      // Nothing recorded for the next follow.
      expect(existsSync(pendingPausePath(env.HLCOPY_LOCK_DIR, net, master.address))).toBe(false);
      // resume asks nothing of a reconcile (it has no pause): said as with nothing running.
      expect(await cli(master.address, ["resume", "--yes"], env)).toEqual({
        code: 0,
        stdout: `not halted: nothing to resume for ${master.address}\n`,
        stderr: "",
      });
      expect(existsSync(pendingPausePath(defaultLockDir(), net, master.address))).toBe(false);
      const flat = await cli(master.address, ["flatten", "--yes"], env);
      expect(flat.code).toBe(1);
      expect(flat.stderr).toMatch(
        new RegExp(`^error: the reconcile \\(pid ${holder.pid}\\) for .* is waiting at its review`),
      );
      expect(sim.control.orderHistory(master.address)).toEqual([]);
      expect(existsSync(journalPath(configDir, master.address, sim.httpUrl))).toBe(false);
    } finally {
      rmSync(file, { force: true });
      holder.kill();
    }
  });

  /** A journal with `command`'s unfinished run by `pid` (and a manual halt when asked). */
  function journaledRun(
    configDir: string,
    account: Address,
    command: "follow" | "reconcile",
    pid: number,
    halt = false,
  ) {
    const path = journalPath(configDir, account, sim.httpUrl);
    const journal = openJournal(path);
    try {
      journal.startRun({
        command,
        leaders: [{ address: leader, weight: 1 }],
        account,
        network: sim.httpUrl,
        settings: null,
        startedAt: Date.now(),
      });
      if (halt) journal.recordHalt({ ts: Date.now(), kind: "manual", reason: "flatten requested (test)" });
    } finally {
      journal.close();
    }
    const db = new DatabaseSync(path);
    db.prepare("UPDATE runs SET pid = ?").run(pid);
    db.close();
    return path;
  }

  it("a reconcile that trades (its run journaled) is said as trading right now; pause does nothing", {
    timeout: 60_000,
  }, async () => {
    const { master, agentKey } = await masterWithAgent(sim, 50_000);
    const configDir = tempDir();
    const lockDir = tempDir("hlcopy-locks-");
    const holder = standIn();
    const net = { name: sim.httpUrl, httpUrl: sim.httpUrl };
    writeFileSync(
      lockPath(lockDir, net, master.address),
      JSON.stringify({ pid: holder.pid, startedAt: Date.now(), command: "reconcile", configDir, token: "t" }),
    );
    journaledRun(configDir, master.address, "reconcile", holder.pid ?? 0);
    try {
      const env = { HLCOPY_LOCK_DIR: lockDir, HLCOPY_CONFIG_DIR: configDir, HLCOPY_AGENT_KEY: agentKey };
      const paused = await cli(master.address, ["pause"], env);
      expect(paused.code).toBe(1);
      expect(paused.stderr).toBe(
        `error: hlcopy reconcile (pid ${holder.pid}) is trading ${master.address} on ${sim.httpUrl} right now and takes no commands: nothing was done\n` +
          `hint: run hlcopy pause again once it has ended (one sweep), or stop it with kill ${holder.pid}\n`,
      );
      expect(existsSync(pendingPausePath(lockDir, net, master.address))).toBe(false);
    } finally {
      holder.kill();
    }
  });

  it("resume with a follow whose socket does not answer: the halt is cleared in the journal and said so (exit 1), not 'nothing was done'", {
    timeout: 60_000,
  }, async () => {
    const { master, agentKey } = await masterWithAgent(sim, 50_000);
    const configDir = tempDir();
    const lockDir = tempDir("hlcopy-locks-");
    const holder = standIn();
    const net = { name: sim.httpUrl, httpUrl: sim.httpUrl };
    // Its lock names a control socket that does not answer (there is none).
    writeFileSync(
      lockPath(lockDir, net, master.address),
      JSON.stringify({
        pid: holder.pid,
        startedAt: Date.now(),
        command: "follow",
        configDir,
        token: "t",
        control: join(lockDir, "gone.sock"),
      }),
    );
    const path = journaledRun(configDir, master.address, "follow", holder.pid ?? 0, true);
    try {
      const env = { HLCOPY_LOCK_DIR: lockDir, HLCOPY_CONFIG_DIR: configDir, HLCOPY_AGENT_KEY: agentKey };
      const acct = `${master.address} on ${sim.httpUrl}`;
      const r = await cli(master.address, ["resume", "--yes"], env);
      expect(r).toEqual({
        code: 1,
        stdout: "",
        stderr:
          `error: hlcopy follow (pid ${holder.pid}) is trading ${acct} but its control socket did not answer: only the journal was changed: cleared 1 halt(s) (manual: flatten requested (test)) (a running follow drops the halt at its next sweep); a pause it runs with stands\n` +
          `hint: retry in a few seconds; if it persists, stop it with kill ${holder.pid} (as hlcopy stop) and run hlcopy resume again\n`,
      });
      const journal = openJournal(path);
      try {
        expect(journal.activeHalt()).toBeNull();
      } finally {
        journal.close();
      }
      // Nothing left to clear: now nothing was done, and it says so.
      const again = await cli(master.address, ["resume", "--yes"], env);
      expect(again.code).toBe(1);
      expect(again.stderr).toBe(
        `error: hlcopy follow (pid ${holder.pid}) is trading ${acct} but its control socket did not answer: nothing was done\n` +
          `hint: retry in a few seconds; if it persists, stop it with kill ${holder.pid} (as hlcopy stop) and run hlcopy resume again\n`,
      );
    } finally {
      holder.kill();
    }
  });

  it("a live unfinished run in the journal refuses a second trader whose lock directories do not meet it", {
    timeout: 60_000,
  }, async () => {
    const { master, agentKey } = await masterWithAgent(sim, 50_000);
    const configDir = tempDir();
    const holder = standIn();
    // A follow whose lock this process cannot see (a service with a private /tmp and its own
    // HLCOPY_LOCK_DIR): all there is of it here is its run in the journal.
    const path = journalPath(configDir, master.address, sim.httpUrl);
    const journal = openJournal(path);
    try {
      journal.startRun({
        command: "follow",
        leaders: [{ address: leader, weight: 1 }],
        account: master.address,
        network: sim.httpUrl,
        settings: null,
        startedAt: Date.now(),
      });
    } finally {
      journal.close();
    }
    const db = new DatabaseSync(path);
    db.prepare("UPDATE runs SET pid = ?").run(holder.pid ?? 0);
    db.close();
    try {
      const r = await cli(
        master.address,
        ["reconcile", leader, "--mode", "fixed-ratio", "--ratio", "0.2", "--yes"],
        {
          HLCOPY_CONFIG_DIR: configDir,
          HLCOPY_AGENT_KEY: agentKey,
          HLCOPY_LOCK_DIR: tempDir("hlcopy-other-locks-"),
        },
      );
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        new RegExp(
          `^error: another hlcopy \\(pid ${holder.pid}\\) is trading .*\\(follow, found in the journal`,
        ),
      );
      expect(sim.control.orderHistory(master.address)).toEqual([]);
    } finally {
      holder.kill();
    }
    // Its process gone, the run is a dead one's: trading goes on.
    await eventually(() => holder.exitCode !== null || holder.signalCode !== null, 5_000);
    const again = await cli(
      master.address,
      ["reconcile", leader, "--mode", "fixed-ratio", "--ratio", "0.2", "--yes"],
      { HLCOPY_CONFIG_DIR: configDir, HLCOPY_AGENT_KEY: agentKey },
    );
    expect([0, 3]).toContain(again.code);
    expect(sim.control.orderHistory(master.address).length).toBeGreaterThan(0);
  });
});
