// `hlcopy follow`, `status` and `resume` as a trader runs them: the real binary, spawned,
// against the simulator in this process; signals and kill -9 for real.

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Address } from "../../src/core/types.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { leaderKeyForSeed, type ScriptedLeader, startScriptedLeader } from "../../src/sim/leader.js";
import { journalPath, openJournal } from "../../src/store/journal.js";
import { eventually, masterWithAgent } from "../exchange/helpers.js";
import { BIN, cleanEnv, runCli, tempDir, whole } from "../helpers/cli.js";
import { roundTrip } from "../helpers/sim-engine.js";

let sim: SimHandle;
let account: Address;
let agentKey: `0x${string}`;
const leaderKey = leaderKeyForSeed(501);
const leader = privateKeyToAccount(leaderKey).address.toLowerCase() as Address;

beforeAll(async () => {
  sim = await startSim({ seed: 41, tickMs: 0 });
  sim.control.fund(leader, 1_000_000);
  // A leader that traded before (flat again): a funded address with no fill is refused as a typo.
  await roundTrip(sim, leaderKey);
});
// Each test copies into an account of its own: positions one test's run opened are, to the
// next test's fresh journal, positions hlcopy did not open (and would be refused).
beforeEach(async () => {
  const f = await masterWithAgent(sim, 50_000);
  account = f.master.address;
  agentKey = f.agentKey;
});
afterAll(async () => {
  await sim.close();
});

interface Running {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  stderr: () => string;
  exit: Promise<number | null>;
}

function startFollow(configDir: string, extra: string[] = []): Running {
  const child = spawn(
    process.execPath,
    [
      BIN,
      "--network",
      sim.httpUrl,
      "--account",
      account,
      "--json",
      "follow",
      leader,
      "--mode",
      "fixed-ratio",
      "--ratio",
      "0.2",
      "--yes",
      ...extra,
    ],
    {
      env: cleanEnv({ HLCOPY_CONFIG_DIR: configDir, HLCOPY_AGENT_KEY: agentKey }),
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const lines: Record<string, unknown>[] = [];
  let buffer = "";
  let err = "";
  child.stdout?.on("data", (d) => {
    buffer += d;
    let i = buffer.indexOf("\n");
    while (i >= 0) {
      lines.push(JSON.parse(buffer.slice(0, i)) as Record<string, unknown>);
      buffer = buffer.slice(i + 1);
      i = buffer.indexOf("\n");
    }
  });
  child.stderr?.on("data", (d) => {
    err += d;
  });
  const exit = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return { child, lines, stderr: () => err, exit };
}

let leaderSeed = 900;
function trade(n: number, rate = 20): Promise<ScriptedLeader> {
  return startScriptedLeader({
    httpUrl: sim.httpUrl,
    seed: leaderSeed++,
    privateKey: leaderKey,
    ratePerSec: rate,
    coins: ["BTC", "ETH", "SOL", "HYPE"],
    maxTrades: n,
    fundUsd: 0,
  });
}

const orders = () => sim.control.orderHistory(account);
const cloidsUnique = () => {
  const cloids = orders().map((o) => o.cloid);
  return new Set(cloids).size === cloids.length;
};

describe("hlcopy follow (the real binary)", () => {
  it("SIGTERM: stops cleanly with exit 0, sends nothing after the signal, prints the summary last", async () => {
    const dir = tempDir();
    const run = startFollow(dir, ["--sweep-seconds", "3600", "--on-exit", "protect"]);
    await eventually(() => run.lines.some((l) => l.type === "sweep"), 10_000);
    const l = await trade(1_000, 20);
    await eventually(() => run.lines.filter((x) => x.type === "order").length >= 3, 10_000);
    run.child.kill("SIGTERM");
    expect(await run.exit).toBe(0);
    await l.stop();
    // "After the signal" is when the run took it, as the run tells it: the `stopping` notice is
    // said and stamped in the handler's own turn (engine.stop, before its first await), by the
    // clock that stamps each request's nonce. The time the test sent the signal is no measure:
    // the run takes it between two turns of its event loop, later on a busy machine, and what it
    // signed meanwhile was before the signal as far as it could know. (The protect step sends
    // nothing here: no stop-loss setting.)
    const stopping = run.lines.find((x) => x.type === "notice" && x.kind === "stopping");
    expect(stopping?.message).toBe("stopping: signal SIGTERM — on-exit step: protect");
    const stoppedAt = stopping?.ts as number;
    // Judged by when each request was signed (its nonce), not by when the simulator read it: a
    // batch signed just before the stop may still sit in the socket as it comes. A nonce is its
    // signer's clock, or one above the last nonce when two requests are signed in one
    // millisecond — which this run does not do: its orders go one request at a time, each after
    // the simulator answered the one before (a signature recovery and a match apart).
    const signedAfter = orders().filter((o) => o.nonce !== null && o.nonce > stoppedAt);
    expect(signedAfter).toEqual([]);
    expect(run.lines.at(-2)?.type).toBe("stop");
    expect(run.lines.at(-1)).toMatchObject({ type: "summary" });
    expect(run.stderr()).toBe("");
    expect(cloidsUnique()).toBe(true);
    // The journal saw a clean end.
    const status = await runCli(["--network", sim.httpUrl, "--account", account, "--json", "status"], {
      env: { HLCOPY_CONFIG_DIR: dir },
    });
    expect(status.code).toBe(0);
    const report = JSON.parse(status.stdout) as { lastRun: { exitCode: number }; halt: unknown };
    expect(report.lastRun.exitCode).toBe(0);
    expect(report.halt).toBeNull();
  });

  it("kill -9 in the middle of a burst, then a restart: in sync, no order sent twice", {
    timeout: 60_000,
  }, async () => {
    const dir = tempDir();
    const first = startFollow(dir, ["--sweep-seconds", "3600"]);
    await eventually(() => first.lines.some((l) => l.type === "sweep"), 10_000);
    const l = await trade(1_000, 40);
    await eventually(() => first.lines.filter((x) => x.type === "order").length >= 5, 10_000);
    first.child.kill("SIGKILL");
    await first.exit;
    await l.stop();
    // The restart finds the dead process's lock, takes it over, recovers by cloid, sweeps.
    const second = startFollow(dir, ["--sweep-seconds", "3600"]);
    // An order the kill cut off before it reached the exchange is waited out (≤ 17 s) first.
    await eventually(() => second.lines.some((x) => x.type === "sweep"), 30_000);
    second.child.kill("SIGTERM");
    expect(await second.exit).toBe(0);
    expect(cloidsUnique()).toBe(true);
    const check = await runCli(
      [
        "--network",
        sim.httpUrl,
        "--account",
        account,
        "--json",
        "reconcile",
        leader,
        "--mode",
        "fixed-ratio",
        "--ratio",
        "0.2",
        "--dry-run",
      ],
      { env: { HLCOPY_CONFIG_DIR: dir } },
    );
    expect(JSON.parse(check.stdout).actions).toEqual([]);
    expect(check.code).toBe(0);
  });

  it("refuses bad input with exit 2 before touching anything", async () => {
    const dir = tempDir();
    const bad = await runCli(
      [
        "--network",
        sim.httpUrl,
        "--account",
        account,
        "follow",
        leader,
        `0x${"2".repeat(40)}`,
        "--weights",
        "1,2,3",
      ],
      {
        env: { HLCOPY_CONFIG_DIR: dir, HLCOPY_AGENT_KEY: agentKey },
      },
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: invalid --weights "1,2,3": expected 2 positive numbers\nhint: /);
    const both = await runCli(
      ["--network", sim.httpUrl, "--account", account, "follow", leader, "--dry-run", "--paper"],
      {
        env: { HLCOPY_CONFIG_DIR: dir },
      },
    );
    expect(both.code).toBe(2);
  });

  it("refuses a flag that would do nothing (exit 2) before any key, order or journal: --weights for one leader, --paper-equity without --paper, --on-exit or --wait-for-approval on a paper or dry run, --exit-on-halt on a dry run, a paper account under the smallest order", {
    // Ten processes: run side by side, not one after the other (on a busy machine ten starts in
    // a row outlasted the default 60 s bound, though each refused as it should).
    timeout: 120_000,
  }, async () => {
    const dir = tempDir();
    const env = { HLCOPY_CONFIG_DIR: dir, HLCOPY_AGENT_KEY: agentKey };
    const ordersBefore = sim.control.stats().requests.exchange;
    const follow = (...args: string[]) =>
      runCli(["--network", sim.httpUrl, "--account", account, "follow", leader, "--no-ui", ...args], { env });
    const modes = ["--paper", "--dry-run"] as const;
    const [weights, live, dry, exitOnHalt, tiny, ...byMode] = await Promise.all([
      follow("--weights", "0.6,0.4"),
      follow("--paper-equity", "5000"),
      follow("--paper-equity", "5000", "--dry-run"),
      follow("--exit-on-halt", "--dry-run"),
      follow("--paper", "--paper-equity", "5"),
      ...modes.flatMap((mode) => [follow("--on-exit", "flatten", mode), follow("--wait-for-approval", mode)]),
    ]);
    expect(weights?.code).toBe(2);
    expect(weights?.stderr).toBe(
      "error: --weights shares the copy between several leaders, and this run follows one\nhint: drop --weights (one leader takes the whole copy), or list one leader per weight\n",
    );
    expect(live?.code).toBe(2);
    expect(live?.stderr).toBe(
      "error: --paper-equity is the paper account's starting equity, but this run is live: it would trade your real account\nhint: add --paper for a paper run (no key, nothing sent), or drop --paper-equity\n",
    );
    expect(dry?.code).toBe(2);
    expect(dry?.stderr).toContain("but this run is a dry run");
    for (const [i, mode] of modes.entries()) {
      const onExit = byMode[2 * i];
      expect(onExit?.code).toBe(2);
      expect(onExit?.stderr).toContain(
        `error: --on-exit acts when a live run stops, but this run is ${mode}`,
      );
      const wait = byMode[2 * i + 1];
      expect(wait?.code).toBe(2);
      expect(wait?.stderr).toBe(
        `error: --wait-for-approval waits out an agent approval that ends mid-run, but this run is ${mode}\n` +
          "hint: drop --wait-for-approval (a paper or dry run signs nothing, so no approval can end)\n",
      );
    }
    // A paper account under the smallest order could open nothing: every run "in sync" (it was).
    expect(tiny?.code).toBe(2);
    expect(tiny?.stderr).toBe(
      "error: --paper-equity 5 is under the exchange's smallest order ($10): the paper account could copy nothing\nhint: e.g. --paper-equity 5000 (the default is 10000)\n",
    );
    // A dry run records no halt, so it never exits on one.
    expect(exitOnHalt?.code).toBe(2);
    expect(exitOnHalt?.stderr).toMatch(
      /^error: --exit-on-halt exits once a halt has flattened the account, but this run is --dry-run\nhint: /,
    );
    expect(sim.control.stats().requests.exchange).toBe(ordersBefore);
    expect(existsSync(journalPath(dir, account, sim.httpUrl))).toBe(false);
  });
});

describe("hlcopy status and resume", () => {
  it("status names the last run that could trade, not a dry run beside it, and tells a run that never ended from one still running", async () => {
    const dir = tempDir();
    const file = journalPath(dir, account, sim.httpUrl);
    const journal = openJournal(file);
    const run = (command: "follow" | "dry-run", startedAt: number) =>
      journal.startRun({ command, leaders: [], account, network: sim.httpUrl, settings: {}, startedAt });
    const follow = run("follow", Date.now() - 60_000);
    journal.endRun(run("dry-run", Date.now() - 30_000), { endedAt: Date.now() - 29_000, exitCode: 0 });
    journal.close();
    // The follow's process: alive, and an hlcopy by its command line (a pid reused by another
    // program is not the run).
    const alive = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)", "hlcopy"], {
      stdio: "ignore",
    });
    const { DatabaseSync } = await import("node:sqlite");
    const pidOf = new DatabaseSync(file);
    pidOf.prepare("UPDATE runs SET pid = ? WHERE id = ?").run(alive.pid ?? 0, follow);
    pidOf.close();
    const env = { HLCOPY_CONFIG_DIR: dir };
    const status = async () =>
      runCli(["--network", sim.httpUrl, "--account", account, "--json", "status"], { env });
    try {
      expect(JSON.parse((await status()).stdout).lastRun).toMatchObject({
        command: "follow",
        endedAt: null,
        pid: alive.pid,
        running: true,
      });
      const human = whole(await runCli(["--network", sim.httpUrl, "--account", account, "status"], { env }));
      expect(human.stdout).toMatch(
        new RegExp(`last run: follow started .+ ago, running \\(pid ${alive.pid}\\)`),
      );
    } finally {
      alive.kill();
    }
    // Its process gone without ending the run: killed or crashed, said so.
    const db = new DatabaseSync(file);
    db.prepare("UPDATE runs SET pid = ? WHERE id = ?").run(2 ** 22 + 12_345, follow);
    db.close();
    expect(JSON.parse((await status()).stdout).lastRun).toMatchObject({ command: "follow", running: false });
    expect(
      whole(await runCli(["--network", sim.httpUrl, "--account", account, "status"], { env })).stdout,
    ).toContain("never ended: killed or crashed (pid 4206649 is gone)");
  });

  it("status shows a halt from the journal; resume --yes clears it and resets the high-water mark to the last equity recorded, saying when", async () => {
    const dir = tempDir();
    const journal = openJournal(journalPath(dir, account, sim.httpUrl));
    journal.recordEquity(1_000, 10_000);
    journal.recordEquity(2_000, 7_000);
    journal.recordHalt({
      ts: 2_000,
      kind: "kill-switch",
      reason: "drawdown 30.00% from high-water mark 10000.00",
    });
    journal.close();
    const env = { HLCOPY_CONFIG_DIR: dir };
    const before = await runCli(["--network", sim.httpUrl, "--account", account, "--json", "status"], {
      env,
    });
    expect(JSON.parse(before.stdout)).toMatchObject({
      halt: { kind: "kill-switch" },
      equity: 7_000,
      equityAsOf: 2_000,
      hwm: 10_000,
      drawdownPct: 30,
    });
    // Exit 4 while halted (documented), as reconcile and follow.
    expect(before.code).toBe(4);
    const human = whole(await runCli(["--network", sim.httpUrl, "--account", account, "status"], { env }));
    expect(human.stdout).toContain("HALTED (kill-switch)");
    // The equity line says when its figures were recorded, at its end as the P&L's and the
    // drift's lines do: two moments are never read as one.
    expect(human.stdout).toMatch(
      /\nequity \$7,000\.00 · high-water mark \$10,000\.00 · drawdown 30\.00% \(as of .+ ago, equity record\)\n/,
    );
    expect(human.code).toBe(4);
    const refused = await runCli(["--network", sim.httpUrl, "--account", account, "resume"], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("hint: run it on a terminal, or pass --yes");
    const resumed = await runCli(["--network", sim.httpUrl, "--account", account, "resume", "--yes"], {
      env,
    });
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain("resumed: cleared 1 halt(s)");
    // Resume reads no account: the mark is the last equity recorded (here days old), and it says
    // so — not "the current equity".
    expect(resumed.stdout).toMatch(
      /; high-water mark reset to \$7,000\.00, the equity recorded \d+d ago \(the next run measures drawdown from it\)\n$/,
    );
    const afterRun = await runCli(["--network", sim.httpUrl, "--account", account, "--json", "status"], {
      env,
    });
    expect(afterRun.code).toBe(0);
    const after = JSON.parse(afterRun.stdout);
    expect(after.halt).toBeNull();
    expect(after.hwm).toBe(7_000);
  });

  it("status without any run says so; a corrupt journal is a clear error naming the file", async () => {
    const dir = tempDir();
    const none = whole(
      await runCli(["--network", sim.httpUrl, "--account", account, "status"], {
        env: { HLCOPY_CONFIG_DIR: dir },
      }),
    );
    expect(none.code).toBe(0);
    expect(none.stdout).toContain("no runs yet");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(journalPath(dir, account, sim.httpUrl), "this is not a database, just bytes ".repeat(200));
    const corrupt = whole(
      await runCli(["--network", sim.httpUrl, "--account", account, "status"], {
        env: { HLCOPY_CONFIG_DIR: dir },
      }),
    );
    expect(corrupt.code).toBe(2);
    expect(corrupt.stderr).toContain(journalPath(dir, account, sim.httpUrl));
  });
});
