// hlcopy pause | resume | flatten | stop acting on a running follow through its control socket
// (the real binaries against the simulator), and what they do when no follow runs.

import { existsSync, readFileSync, statSync } from "node:fs";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Address } from "../../src/core/types.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { leaderKeyForSeed, type ScriptedLeader, startScriptedLeader } from "../../src/sim/leader.js";
import { controlSocketPath, pendingPausePath } from "../../src/store/control.js";
import { journalPath, openJournal } from "../../src/store/journal.js";
import { eventually, masterWithAgent } from "../exchange/helpers.js";
import { type RunningFollow, spawnFollow } from "../follow/helpers.js";
import { cleanEnv, liftPauseAfter, runCli, tempDir, whole } from "../helpers/cli.js";

let sim: SimHandle;
const leaderKey = leaderKeyForSeed(1818);
const leader = privateKeyToAccount(leaderKey).address.toLowerCase() as Address;

beforeAll(async () => {
  sim = await startSim({ seed: 1818, tickMs: 0 });
  sim.control.fund(leader, 1_000_000);
});
afterAll(async () => {
  await sim.close();
});

let seed = 18_100;
function trade(n: number, rate = 20): Promise<ScriptedLeader> {
  return startScriptedLeader({
    httpUrl: sim.httpUrl,
    seed: seed++,
    privateKey: leaderKey,
    ratePerSec: rate,
    coins: ["BTC", "ETH"],
    maxTrades: n,
    fundUsd: 0,
  });
}

async function positions(user: Address): Promise<{ coin: string; szi: string }[]> {
  const res = await fetch(`${sim.httpUrl}/info`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ type: "clearinghouseState", user }),
  });
  const chs = (await res.json()) as { assetPositions: { position: { coin: string; szi: string } }[] };
  return chs.assetPositions.map((p) => p.position).filter((p) => Number(p.szi) !== 0);
}

function cli(account: Address, args: string[], env: NodeJS.ProcessEnv = {}) {
  return runCli(["--network", sim.httpUrl, "--account", account, ...args], { env, timeoutMs: 30_000 });
}

const count = (run: RunningFollow, type: string) => run.lines.filter((l) => l.type === type).length;

describe("a running follow", () => {
  it("pause stops its new orders (status says so); resume sends again; stop ends it with exit 0", {
    timeout: 60_000,
  }, async () => {
    const { master, agentKey } = await masterWithAgent(sim, 50_000);
    const configDir = tempDir();
    const run = spawnFollow({
      httpUrl: sim.httpUrl,
      account: master.address,
      leader,
      configDir,
      agentKey,
      // The file's leader, funded in beforeAll, makes its first trade in this test, once the run is on.
      extra: ["--allow-empty-leader", "--sweep-seconds", "3600"],
    });
    const status = async () => {
      const r = await cli(master.address, ["--json", "status"], { HLCOPY_CONFIG_DIR: configDir });
      return JSON.parse(r.stdout) as { paused: { since: number; running: boolean; pid: number } | null };
    };
    const orders = () => sim.control.orderHistory(master.address).length;
    try {
      await eventually(() => run.lines.some((l) => l.type === "sweep"), 15_000);
      // Only the same user can open the control socket.
      const socket = controlSocketPath(
        cleanEnv().HLCOPY_LOCK_DIR ?? "",
        { name: "", httpUrl: sim.httpUrl },
        master.address,
      );
      expect(statSync(socket).mode & 0o777).toBe(0o600);
      const l1 = await trade(6);
      await l1.done;
      await eventually(() => orders() >= 2, 15_000);

      const paused = await cli(master.address, ["pause"]);
      expect(paused.stderr).toBe("");
      expect(paused.code).toBe(0);
      expect(paused.stdout).toMatch(
        /^paused the running follow: no leader trade copied until hlcopy resume \(pid \d+\)\n$/,
      );
      await eventually(() => run.lines.some((l) => l.type === "paused" && l.paused === true), 5_000);
      // status says the run is paused, and since when (the paused event's moment).
      const pausedAt = run.lines.find((l) => l.type === "paused" && l.paused === true)?.ts;
      expect(await status()).toMatchObject({
        paused: { running: true, pid: run.child.pid, since: pausedAt },
      });
      const text = whole(await cli(master.address, ["status"], { HLCOPY_CONFIG_DIR: configDir }));
      expect(text.stdout).toMatch(
        /\nPAUSED since \d{4}-\d\d-\d\d \d\d:\d\d UTC \(.* ago\): the running follow \(pid \d+\) copies no leader trade — copy again with: hlcopy resume\n/,
      );
      const again = await cli(master.address, ["--json", "pause"]);
      expect(JSON.parse(again.stdout)).toMatchObject({ type: "pause", running: true, did: "already-paused" });

      const before = orders();
      const fillsBefore = count(run, "leaderFill");
      const l2 = await trade(8);
      await l2.done;
      // The follow sees the leader trade, and sends nothing.
      await eventually(() => count(run, "leaderFill") >= fillsBefore + 8, 15_000);
      expect(orders()).toBe(before);

      const resumed = await cli(master.address, ["resume", "--yes"]);
      expect(resumed.code).toBe(0);
      expect(resumed.stdout).toMatch(/^resumed the running follow: copying again.*\(pid \d+\)\n$/);
      // Catches up with what the leader did meanwhile.
      await eventually(() => orders() > before, 15_000);
      expect((await status()).paused).toBeNull();

      const stopped = await cli(master.address, ["stop"]);
      expect(stopped.stdout).toMatch(/^the running follow is stopping/);
      expect(await run.exit).toBe(0);

      // The leader's trades the pause held are skipped `paused`: in the summary each leader trade
      // (a held decision's coin has one or more: a burst), and in report the same (it replays
      // the run's journal through the summary's tally: one figure, one count).
      const heldTrades = run.lines
        .filter((l) => l.type === "decision" && l.trigger === "fill" && l.held === "paused")
        .reduce((n, l) => n + new Set((l.actions as { coin: string }[]).map((a) => a.coin)).size, 0);
      expect(heldTrades).toBeGreaterThan(0);
      const summary = run.lines.at(-1) as {
        type: string;
        skipped: Record<string, number>;
        leaderTrades: number;
        copiedTrades: number;
        inLineTrades: number;
        skippedTrades: number;
        missedTrades: number;
        plannedTrades: number;
        inFlightTrades: number;
        unknownTrades: number;
      };
      expect(summary.type).toBe("summary");
      expect(summary.skipped.paused).toBeGreaterThanOrEqual(heldTrades);
      const report = await cli(master.address, ["--json", "report", "--since", "1d"], {
        HLCOPY_CONFIG_DIR: configDir,
      });
      const totals = JSON.parse(report.stdout).totals;
      expect(totals.skipped.paused).toBe(summary.skipped.paused);
      for (const k of [
        "leaderTrades",
        "copiedTrades",
        "inLineTrades",
        "skippedTrades",
        "missedTrades",
      ] as const)
        expect(totals[k], k).toBe(summary[k]);
      // Every leader trade the run saw is in one bucket: they add up.
      const leaderOrders = new Set(
        run.lines.filter((l) => l.type === "leaderFill").map((l) => `${String(l.leader)}:${String(l.oid)}`),
      );
      expect(summary.leaderTrades).toBe(leaderOrders.size);
      expect(
        summary.copiedTrades +
          summary.inLineTrades +
          summary.skippedTrades +
          summary.missedTrades +
          summary.plannedTrades +
          summary.inFlightTrades +
          summary.unknownTrades,
      ).toBe(summary.leaderTrades);
      expect(summary.copiedTrades).toBeGreaterThan(0);
    } finally {
      run.child.kill("SIGTERM");
    }
  });

  it("a pause stands across a restart: status says so, and the next follow starts paused", {
    timeout: 150_000, // several CLI runs (and scrypt): a bound for a hang on a busy 2-core host
  }, async () => {
    const { master, agentKey } = await masterWithAgent(sim, 50_000);
    await (await trade(4)).done;
    const configDir = tempDir();
    const status = async () => {
      const r = await cli(master.address, ["--json", "status"], { HLCOPY_CONFIG_DIR: configDir });
      return JSON.parse(r.stdout) as {
        paused: { since: number; running: boolean; pid: number | null } | null;
      };
    };
    const spawn = () =>
      spawnFollow({
        httpUrl: sim.httpUrl,
        account: master.address,
        leader,
        configDir,
        agentKey,
        extra: ["--sweep-seconds", "3600"],
      });
    const first = spawn();
    let since = 0;
    try {
      await eventually(async () => (await positions(master.address)).length > 0, 20_000);
      expect((await cli(master.address, ["pause"])).code).toBe(0);
      since = (await status()).paused?.since ?? 0;
      expect(since).toBeGreaterThan(0);
      // Killed while paused (a crash, a supervisor's restart): the pause is not lifted by it.
      first.child.kill("SIGKILL");
      await first.exit;
    } finally {
      first.child.kill("SIGKILL");
    }
    expect(await status()).toMatchObject({ paused: { running: false, pid: null, since } });
    const text = whole(await cli(master.address, ["status"], { HLCOPY_CONFIG_DIR: configDir }));
    expect(text.stdout).toMatch(
      /\nPAUSED since .*: no follow is running; the next follow starts paused and reconcile copies nothing — lift it with: hlcopy resume\n/,
    );

    const before = sim.control.orderHistory(master.address).length;
    await (await trade(4)).done;
    const second = spawn();
    try {
      await eventually(() => second.lines.some((l) => l.type === "sweep"), 15_000);
      expect(
        second.lines.some(
          (l) =>
            l.type === "warning" &&
            /^started paused: a pause stands since \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC /.test(
              String(l.message),
            ),
        ),
      ).toBe(true);
      expect(sim.control.orderHistory(master.address).length).toBe(before);
      // Still the same pause: paused since the first run's pause, now by the running follow.
      expect(await status()).toMatchObject({ paused: { running: true, pid: second.child.pid, since } });
      // Stopped cleanly while paused: said, and the pause still stands.
      expect((await cli(master.address, ["stop"])).code).toBe(0);
      expect(await second.exit).toBe(0);
      expect(
        second.lines.some(
          (l) => l.type === "warning" && /^stopped while paused: the pause stands/.test(String(l.message)),
        ),
      ).toBe(true);
      expect((await status()).paused).toMatchObject({ running: false, since });
      const resumed = await cli(master.address, ["resume", "--yes"], { HLCOPY_CONFIG_DIR: configDir });
      expect(resumed.stdout).toMatch(/^cleared the pause recorded for the next follow\n/);
      expect((await status()).paused).toBeNull();
    } finally {
      second.child.kill("SIGTERM");
      await second.exit;
    }
  });

  it("config set and unset under it say the change acts from its next start (a run reads its settings once)", {
    timeout: 60_000,
  }, async () => {
    const { master, agentKey } = await masterWithAgent(sim, 50_000);
    const configDir = tempDir();
    const run = spawnFollow({
      httpUrl: sim.httpUrl,
      account: master.address,
      leader,
      configDir,
      agentKey,
      extra: ["--sweep-seconds", "3600"],
    });
    try {
      await eventually(() => run.lines.some((l) => l.type === "sweep"), 15_000);
      const pid = run.child.pid;
      const set = await cli(master.address, ["config", "set", "risk.maxLeverage", "2"], {
        HLCOPY_CONFIG_DIR: configDir,
      });
      expect(set.code).toBe(0);
      expect(set.stdout).toBe("risk.maxLeverage = 2\n");
      expect(set.stderr).toBe(
        `warning: hlcopy follow (pid ${pid}) runs on this config with the settings it started with: risk.maxLeverage = 2 acts from its next start\nhint: to apply it now: hlcopy stop, then start it again\n`,
      );
      const unset = await cli(master.address, ["--json", "config", "unset", "risk.maxLeverage"], {
        HLCOPY_CONFIG_DIR: configDir,
      });
      expect(JSON.parse(unset.stdout)).toMatchObject({ notYetInEffect: [{ pid, command: "follow" }] });
      expect(unset.stderr).toContain(`warning: hlcopy follow (pid ${pid}) runs on this config`);
      // Another config directory is not the running follow's: nothing to say.
      const other = await cli(master.address, ["config", "set", "risk.maxLeverage", "2"], {
        HLCOPY_CONFIG_DIR: tempDir(),
      });
      expect(other.stderr).toBe("");
    } finally {
      run.child.kill("SIGTERM");
      await run.exit;
    }
  });

  it("flatten halts it and closes every position reduce-only", { timeout: 60_000 }, async () => {
    const { master, agentKey } = await masterWithAgent(sim, 50_000);
    await (await trade(4)).done;
    const configDir = tempDir();
    const run = spawnFollow({
      httpUrl: sim.httpUrl,
      account: master.address,
      leader,
      configDir,
      agentKey,
      extra: ["--sweep-seconds", "3600"],
    });
    try {
      await eventually(async () => (await positions(master.address)).length > 0, 20_000);
      const r = await cli(master.address, ["--json", "flatten", "--yes"]);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ type: "flatten", running: true, did: "flattening" });
      await eventually(() => run.lines.some((l) => l.type === "halt" && l.kind === "manual"), 10_000);
      // Told as where it was asked for, not as the dashboard's f.
      expect(run.lines.find((l) => l.type === "halt" && l.kind === "manual")?.reason).toBe(
        "flatten requested (hlcopy flatten)",
      );
      await eventually(async () => (await positions(master.address)).length === 0, 15_000);
      const closes = sim.control.orderHistory(master.address).slice(-1);
      expect(closes[0]?.reduceOnly).toBe(true);

      // hlcopy resume clears the halt in the journal and in the running follow alike (issue
      // 17: no banner left behind): it copies again at once.
      const resumed = await cli(master.address, ["resume", "--yes"], { HLCOPY_CONFIG_DIR: configDir });
      expect(resumed.code).toBe(0);
      expect(resumed.stdout).toMatch(/^the running follow's halt is cleared: copying again.*\(pid \d+\)\n/);
      await eventually(() => run.lines.some((l) => l.type === "resume"), 10_000);
      await eventually(async () => (await positions(master.address)).length > 0, 15_000);
    } finally {
      run.child.kill("SIGTERM");
      await run.exit;
    }
  });

  it("flatten while the exchange is down does not end it: the halt stands and it closes once the exchange answers", {
    timeout: 60_000,
  }, async () => {
    const { master, agentKey } = await masterWithAgent(sim, 50_000);
    await (await trade(4)).done;
    const run = spawnFollow({
      httpUrl: sim.httpUrl,
      account: master.address,
      leader,
      configDir: tempDir(),
      agentKey,
      extra: ["--sweep-seconds", "3600"],
    });
    try {
      await eventually(async () => (await positions(master.address)).length > 0, 20_000);
      // The exchange answers every read with HTTP 500 for a while (the next 3 /info requests).
      sim.control.fault({ kind: "http500", count: 3, endpoint: "info" });
      const r = await cli(master.address, ["flatten", "--yes"]);
      expect(r.code).toBe(0);
      await eventually(() => run.lines.some((l) => l.type === "halt" && l.kind === "manual"), 10_000);
      // The closing sweep failed and was said (a warning: it is retried); the run goes on.
      await eventually(
        () => run.lines.some((l) => l.type === "warning" && /retrying/.test(String(l.message))),
        10_000,
      );
      expect(run.child.exitCode).toBe(null);
      // Once the exchange answers again, the retried sweep closes everything (the reads here
      // may meet the fault's last 500s too).
      await eventually(async () => (await positions(master.address).catch(() => null))?.length === 0, 20_000);
      expect(run.child.exitCode).toBe(null);
      expect(run.stderr()).not.toMatch(/unhandled|Error:/i);
    } finally {
      run.child.kill("SIGTERM");
      await run.exit;
    }
  });
});

describe("with no follow running", () => {
  it("flatten closes every position itself, reduce-only, and halts until resume", {
    timeout: 60_000,
  }, async () => {
    const { master, agentKey } = await masterWithAgent(sim, 50_000);
    const dir = tempDir();
    const env = { HLCOPY_CONFIG_DIR: dir, HLCOPY_AGENT_KEY: agentKey };
    // A position, copied once by reconcile.
    await (await trade(4)).done;
    const rec = await cli(
      master.address,
      ["reconcile", leader, "--mode", "fixed-ratio", "--ratio", "0.2", "--yes"],
      env,
    );
    expect([0, 3]).toContain(rec.code);
    const held = await positions(master.address);
    expect(held.length).toBeGreaterThan(0);
    const sentBefore = sim.control.orderHistory(master.address).length;

    const noYes = await cli(master.address, ["flatten"], env);
    expect(noYes.code).toBe(2);
    expect(noYes.stderr).toMatch(/^error: refusing to flatten without confirmation\nhint: /);
    expect(sim.control.orderHistory(master.address).length).toBe(sentBefore);

    const r = await cli(master.address, ["flatten", "--yes"], env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^no follow is running: flattened here — \d+ reduce-only order\(s\).*no position left; halted \(manual\) until hlcopy resume\n$/,
    );
    expect(await positions(master.address)).toEqual([]);
    const sent = sim.control.orderHistory(master.address).slice(sentBefore);
    expect(sent.length).toBe(held.length);
    expect(sent.every((o) => o.reduceOnly)).toBe(true);
    const journal = openJournal(journalPath(dir, master.address, sim.httpUrl));
    try {
      expect(journal.activeHalt()).toMatchObject({ kind: "manual" });
    } finally {
      journal.close();
    }
    // A pause recorded meanwhile; a resume refused (no --yes, no terminal) changes nothing.
    expect((await cli(master.address, ["pause"], env)).code).toBe(0);
    const pending = pendingPausePath(
      cleanEnv().HLCOPY_LOCK_DIR ?? "",
      { name: "", httpUrl: sim.httpUrl },
      master.address,
    );
    expect(existsSync(pending)).toBe(true);
    const refused = await cli(master.address, ["resume"], env);
    expect(refused.code).toBe(2);
    expect(existsSync(pending)).toBe(true);
    const resumed = await cli(master.address, ["resume", "--yes"], env);
    expect(resumed.stdout).toMatch(
      /^cleared the pause recorded for the next follow\nresumed: cleared 1 halt\(s\) \(manual/,
    );
    expect(existsSync(pending)).toBe(false);
  });

  // Until 2026-12-06 the account had one pause marker: `hlcopy pause` sent to a paper run left
  // it standing when the paper run ended, and the next live follow and reconcile started paused.
  it("a paper run's pause is the paper runs' own: the next live follow is not held by it; a live pause still holds a live follow; pause --paper does not touch a live run", {
    timeout: 150_000, // several CLI runs and two follows: a bound for a hang on a busy 2-core host
  }, async () => {
    const { master, agentKey } = await masterWithAgent(sim, 50_000);
    await (await trade(4)).done;
    const configDir = tempDir();
    const env = { HLCOPY_CONFIG_DIR: configDir };
    type Paused = { since: number; running: boolean; pid: number | null } | null;
    const paused = async (paper: boolean): Promise<Paused> => {
      const r = await cli(master.address, ["--json", "status", ...(paper ? ["--paper"] : [])], env);
      return (JSON.parse(r.stdout) as { paused: Paused }).paused;
    };
    const spawn = (extra: string[] = []) =>
      spawnFollow({
        httpUrl: sim.httpUrl,
        account: master.address,
        leader,
        configDir,
        agentKey,
        extra: [...extra, "--sweep-seconds", "3600"],
      });
    const paper = spawn(["--paper"]);
    try {
      await eventually(() => paper.lines.some((l) => l.type === "sweep"), 15_000);
      const p = await cli(master.address, ["pause"], env);
      expect(p.code, p.stderr).toBe(0);
      // Said which run it reached.
      expect(p.stdout).toMatch(
        /^paused the running paper follow: no leader trade copied until hlcopy resume \(the pause is the paper runs': a live follow or reconcile is not held by it\) \(pid \d+\)\n$/,
      );
      expect(await paused(true)).toMatchObject({ running: true, pid: paper.child.pid });
      expect(await paused(false)).toBeNull();
      expect((await cli(master.address, ["stop"], env)).code).toBe(0);
      expect(await paper.exit).toBe(0);
    } finally {
      paper.child.kill("SIGKILL");
    }
    expect(
      paper.lines.some(
        (l) =>
          l.type === "warning" &&
          /^stopped while paused: the pause stands for paper runs, the next follow --paper starts paused/.test(
            String(l.message),
          ),
      ),
    ).toBe(true);
    // The paper pause stands for the next paper run only.
    expect(await paused(true)).toMatchObject({ running: false, pid: null });
    expect(await paused(false)).toBeNull();
    const lifted = await cli(master.address, ["resume", "--yes"], env);
    expect(lifted.stdout).toMatch(
      /^not halted; no pause recorded for live runs; one stands for paper runs since .*: hlcopy resume --paper lifts it\n$/,
    );
    expect(await paused(true)).not.toBeNull();

    // The next live follow is not held by it: it copies the leader's positions at its start.
    const orders = () => sim.control.orderHistory(master.address).length;
    const live = spawn();
    try {
      await eventually(() => live.lines.some((l) => l.type === "sweep"), 15_000);
      expect(live.lines.some((l) => l.type === "warning" && /started paused/.test(String(l.message)))).toBe(
        false,
      );
      await eventually(() => orders() > 0, 15_000);
      // --paper addresses paper runs: with a live follow running it is refused, nothing done.
      const wrong = await cli(master.address, ["pause", "--paper"], env);
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toMatch(
        /^error: the follow running for 0x[0-9a-f]{40} on .* \(pid \d+\) is a live run, not a paper run: nothing was done\nhint: hlcopy pause \(without --paper\) pauses it/,
      );
      expect(await paused(false)).toBeNull();
      // A live pause still holds the live run.
      const p = await cli(master.address, ["pause"], env);
      expect(p.stdout).toMatch(
        /^paused the running follow: no leader trade copied until hlcopy resume \(pid \d+\)\n$/,
      );
      expect(await paused(false)).toMatchObject({ running: true, pid: live.child.pid });
      expect((await cli(master.address, ["stop"], env)).code).toBe(0);
      expect(await live.exit).toBe(0);
    } finally {
      live.child.kill("SIGKILL");
    }
    expect(await paused(false)).toMatchObject({ running: false });
    // Each kind lifted by its own resume.
    const resumed = await cli(master.address, ["resume", "--yes"], env);
    expect(resumed.stdout).toBe("cleared the pause recorded for the next follow\n");
    const resumedPaper = await cli(master.address, ["resume", "--yes", "--paper"], env);
    expect(resumedPaper.stdout).toBe("cleared the pause recorded for the next follow --paper\n");
    expect(await paused(false)).toBeNull();
    expect(await paused(true)).toBeNull();
  });

  it("pause --paper with no follow running is recorded for the next paper run only, and says so", async () => {
    const { master } = await masterWithAgent(sim, 10_000);
    const p = await cli(master.address, ["pause", "--paper"]);
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout).toMatch(
      /^no follow is running for 0x[0-9a-f]{40} on http.*: recorded for paper runs, the next follow --paper starts paused; live runs \(follow, reconcile\) are not held by it \(hlcopy resume --paper to undo\)\n$/,
    );
    const json = await cli(master.address, ["pause", "--paper", "--json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({
      type: "pause",
      did: "recorded",
      running: false,
      paper: true,
    });
    const lock = cleanEnv().HLCOPY_LOCK_DIR ?? "";
    const network = { name: "", httpUrl: sim.httpUrl };
    expect(existsSync(pendingPausePath(lock, network, master.address, true))).toBe(true);
    expect(existsSync(pendingPausePath(lock, network, master.address))).toBe(false);
    const plain = await cli(master.address, ["pause"]);
    expect(plain.stdout).toMatch(
      /: recorded, the next follow starts paused and reconcile sends nothing \(hlcopy resume to undo; a paper run is not held by it\)\n$/,
    );
    expect(existsSync(pendingPausePath(lock, network, master.address))).toBe(true);
  });

  it("pause is recorded: the next follow starts paused and sends nothing until resume", {
    timeout: 60_000,
  }, async () => {
    const { master, agentKey } = await masterWithAgent(sim, 50_000);
    // The leader holds positions: an unpaused run would copy them at start.
    await (await trade(4)).done;
    const p = await cli(master.address, ["pause"]);
    expect(p.code).toBe(0);
    expect(p.stdout).toMatch(
      /^no follow is running for 0x[0-9a-f]{40} on http.*: recorded, the next follow starts paused/,
    );
    // Asked again, the pause keeps its time (status's "paused since") and says it stood already.
    const pending = pendingPausePath(
      cleanEnv().HLCOPY_LOCK_DIR ?? "",
      { name: "", httpUrl: sim.httpUrl },
      master.address,
    );
    const first = readFileSync(pending, "utf8");
    const again = await cli(master.address, ["pause"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(
      /: a pause is recorded already \(since \d{4}-\d\d-\d\d \d\d:\d\d UTC\), the next follow starts paused/,
    );
    const json = await cli(master.address, ["pause", "--json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({
      type: "pause",
      did: "recorded",
      since: (JSON.parse(first) as { pausedAt: number }).pausedAt,
    });
    expect(readFileSync(pending, "utf8")).toBe(first);
    const run = spawnFollow({
      httpUrl: sim.httpUrl,
      account: master.address,
      leader,
      configDir: tempDir(),
      agentKey,
      extra: ["--sweep-seconds", "3600"],
    });
    const orders = () => sim.control.orderHistory(master.address).length;
    try {
      await eventually(() => run.lines.some((l) => l.type === "sweep"), 15_000);
      expect(run.lines.some((l) => l.type === "warning" && /started paused/.test(String(l.message)))).toBe(
        true,
      );
      expect(orders()).toBe(0);
      const r = await cli(master.address, ["resume", "--yes"]);
      expect(r.stdout).toMatch(/^resumed the running follow/);
      await eventually(() => orders() > 0, 15_000);
    } finally {
      run.child.kill("SIGTERM");
      await run.exit;
    }
  });

  it("a dry run with a pause standing plans as the paused follow would: nothing, and says so; the pause stays", {
    timeout: 60_000,
  }, async () => {
    const { master } = await masterWithAgent(sim, 50_000);
    // The leader holds positions: an unpaused dry run would plan to copy them at its start.
    await (await trade(4)).done;
    liftPauseAfter(sim.httpUrl, master.address);
    expect((await cli(master.address, ["pause"])).code).toBe(0);
    const pending = pendingPausePath(
      cleanEnv().HLCOPY_LOCK_DIR ?? "",
      { name: "", httpUrl: sim.httpUrl },
      master.address,
    );
    expect(existsSync(pending)).toBe(true);
    const run = spawnFollow({
      httpUrl: sim.httpUrl,
      account: master.address,
      leader,
      configDir: tempDir(),
      extra: ["--dry-run", "--sweep-seconds", "3600"],
    });
    await eventually(() => run.lines.some((l) => l.type === "sweep"), 15_000);
    run.child.kill("SIGTERM");
    await run.exit;
    expect(
      run.lines.some(
        (l) =>
          l.type === "warning" &&
          /^started paused: a pause stands since .*this dry run plans as that paused follow does/.test(
            String(l.message),
          ),
      ),
    ).toBe(true);
    const decisions = run.lines.filter((l) => l.type === "decision");
    expect(decisions.some((d) => (d.actions as unknown[]).length > 0 && d.held === "paused")).toBe(true);
    expect(run.lines.at(-1)).toMatchObject({ type: "summary", planned: 0 });
    expect(existsSync(pending)).toBe(true); // the live follow's to take
  });

  it("resume --json says running and did, as pause, flatten and stop do", async () => {
    const { master } = await masterWithAgent(sim, 1_000);
    const nothing = await cli(master.address, ["--json", "resume", "--yes"]);
    expect(nothing.code).toBe(0);
    expect(JSON.parse(nothing.stdout)).toMatchObject({
      type: "resume",
      running: false,
      did: "nothing",
      cleared: 0,
    });
    expect((await cli(master.address, ["pause"])).code).toBe(0);
    const pending = await cli(master.address, ["--json", "resume", "--yes"]);
    expect(JSON.parse(pending.stdout)).toMatchObject({
      type: "resume",
      running: false,
      did: "pending-pause-cleared",
    });
  });

  it("stop says there is nothing to stop", async () => {
    const { master } = await masterWithAgent(sim, 1_000);
    const r = await cli(master.address, ["--json", "stop"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ type: "stop", running: false, did: "nothing" });
  });
});
