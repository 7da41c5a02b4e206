// A follow waiting at its review holds the account's journal (a refused run leaves it byte for
// byte as it was: Journal.hold). What the other commands do meanwhile, from another terminal
// (the real binaries against the simulator): those that would write the journal say at once that
// the follow waits at its prompt and change nothing; pause and resume reach it through its
// control socket; those that read go on reading.

import { createHash } from "node:crypto";
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { engineClient } from "../../src/cli/wiring.js";
import type { Address } from "../../src/core/types.js";
import { type LeaderStop, leaderStopKey } from "../../src/engine/leader-guard.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { journalPath, openJournal } from "../../src/store/journal.js";
import { action, fundedAccount, masterWithAgent } from "../exchange/helpers.js";
import { runCli, tempDir } from "../helpers/cli.js";
import { hasScript, onTerminal } from "../helpers/terminal.js";

const sims: SimHandle[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

const COPY = ["--mode", "equity-ratio", "--max-leverage", "5"];

/** Every table's rows (read from a copy, so the journal itself is not opened). */
function journalRows(file: string): Record<string, unknown[]> {
  const copy = join(tempDir(), "copy.sqlite");
  copyFileSync(file, copy);
  if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${copy}-wal`);
  const db = new DatabaseSync(copy);
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all()
      .map((r) => String(r.name));
    return Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT * FROM "${t}" ORDER BY 1`).all()]));
  } finally {
    db.close();
  }
}

/**
 * The journal and its -wal, byte for byte (a -wal that is not there reads as empty: the follow's
 * open connection makes an empty one; the -shm is SQLite's shared memory, not content).
 */
function journalBytes(file: string): string[] {
  return [file, `${file}-wal`].map((f) =>
    createHash("sha256")
      .update(existsSync(f) ? readFileSync(f) : "")
      .digest("hex"),
  );
}

/** A follower with an ETH position a reconcile of leader A opened, and leader B holding SOL. */
async function world() {
  const sim = await startSim({ seed: 73, tickMs: 0 });
  sims.push(sim);
  const f = await masterWithAgent(sim, 10_000);
  const follower = f.master.address;
  const leaders = [fundedAccount(sim, 1_000_000), fundedAccount(sim, 1_000_000)];
  for (const [l, coin] of [
    [leaders[0], "ETH"],
    [leaders[1], "SOL"],
  ] as const) {
    const c = engineClient({
      httpUrl: sim.httpUrl,
      wsUrl: sim.wsUrl,
      isTestnet: false,
      account: l?.address as Address,
      agentKey: l?.key as `0x${string}`,
    });
    const markets = await c.getMarkets();
    const m = markets[coin];
    if (!m) throw new Error(coin);
    const [r] = await c.placeOrders(
      [action(markets, coin, "buy", Number((200_000 / m.mid).toFixed(m.szDecimals)))],
      markets,
    );
    expect(r?.status).toBe("filled");
  }
  const configDir = tempDir();
  const env = {
    HLCOPY_CONFIG_DIR: configDir,
    HLCOPY_LOCK_DIR: tempDir("hlcopy-locks-"),
    HLCOPY_AGENT_KEY: f.agentKey,
  };
  const cli = (args: string[]) =>
    runCli(["--network", sim.httpUrl, "--account", follower, ...args], { env, timeoutMs: 30_000 });
  return {
    sim,
    follower,
    leaders: leaders.map((l) => l.address),
    configDir,
    env,
    cli,
    journal: journalPath(configDir, follower, sim.httpUrl),
    ordersSent: () => sim.control.orderHistory(follower).length,
  };
}

/**
 * `hlcopy follow` on a pseudo-terminal (util-linux script), so its review asks. `atReview` runs
 * while the question waits; then `answer` is typed. Resolves with the exit code and the screen.
 */
function followAtReview(
  args: string[],
  env: NodeJS.ProcessEnv,
  answer: string,
  atReview: () => Promise<void>,
): Promise<{ code: number | null; screen: string }> {
  const { child, screen: shown, exit } = onTerminal(args, env);
  let asked = false;
  let failure: unknown = null;
  child.stdout.on("data", () => {
    if (!asked && shown().includes("[y/N]")) {
      asked = true;
      void atReview()
        .catch((error: unknown) => {
          failure = error;
        })
        .finally(() => child.stdin.write(answer));
    }
  });
  return exit.then((code) => {
    if (failure) throw failure;
    return { code, screen: shown() };
  });
}

describe("a follow waiting at its review", () => {
  it.skipIf(!hasScript)(
    "resume (a halt, a leader) says at once that the follow waits at its prompt and changes nothing; pause reaches it; status and journal read on",
    { timeout: 90_000 },
    async () => {
      const w = await world();
      expect((await w.cli(["reconcile", w.leaders[0] as string, ...COPY, "--yes"])).code).toBe(0);
      // A halt and a leader not followed: what hlcopy resume clears in the journal.
      const j = openJournal(w.journal);
      const now = Date.now();
      j.recordHalt({ ts: now, kind: "manual", reason: "flatten requested (test)" });
      const stop: LeaderStop = { kind: "drawdown", since: now, until: null, reason: "test", shed: {} };
      j.setCopyState(leaderStopKey(w.leaders[0] as Address), stop, now);
      j.close();
      const sent = w.ordersSent();
      const before = { rows: journalRows(w.journal), bytes: journalBytes(w.journal) };

      const told: Record<string, { code: number | null; stdout: string; stderr: string }> = {};
      let pid = 0;
      // The halted follow of leader B would close the ETH position: a first run for B, reviewed.
      const r = await followAtReview(
        [
          "--network",
          w.sim.httpUrl,
          "--account",
          w.follower,
          "follow",
          w.leaders[1] as string,
          ...COPY,
          "--no-ui",
        ],
        w.env,
        "n\r",
        async () => {
          // status reads on, and names the follow at its start.
          told.status = await w.cli(["--json", "status"]);
          pid = (JSON.parse(told.status.stdout) as { starting: { pid: number } | null }).starting?.pid ?? 0;
          told.resume = await w.cli(["resume", "--yes"]);
          told.resumeJson = await w.cli(["--json", "resume", "--yes"]);
          told.leader = await w.cli(["resume", "--leader", w.leaders[0] as string, "--yes"]);
          told.journal = await w.cli(["journal", "--type", "halts"]);
          told.dryRun = await w.cli(["reconcile", w.leaders[1] as string, ...COPY, "--dry-run"]);
          told.report = await w.cli(["report"]);
          // Nothing written while the follow waits: every row and byte as they were.
          expect(journalRows(w.journal)).toEqual(before.rows);
          expect(journalBytes(w.journal)).toEqual(before.bytes);
          // pause reaches it: the follow is the one that will act.
          told.pause = await w.cli(["pause"]);
        },
      );
      const acct = `${w.follower} on ${w.sim.httpUrl}`;
      expect(pid).toBeGreaterThan(0);
      expect(told.status?.code).toBe(4); // halted

      // resume: one line says what holds the journal, one what to do; exit 1, nothing changed.
      const held = `the follow (pid ${pid}) for ${acct} is waiting at its review or passphrase prompt (or finishing its start checks) and holds the journal until then: nothing was done`;
      expect(told.resume).toEqual({
        code: 1,
        stdout: "",
        stderr:
          `error: ${held}\n` +
          "hint: answer its prompt in that terminal first: no (or Ctrl-C there, or hlcopy stop), then hlcopy resume and follow again — or yes, then hlcopy resume reaches the running follow\n",
      });
      expect(told.resumeJson?.code).toBe(1);
      expect(JSON.parse(told.resumeJson?.stdout ?? "")).toMatchObject({ type: "error", message: held });
      expect(told.leader?.code).toBe(1);
      expect(told.leader?.stderr).toContain(`error: ${held}\n`);
      expect(told.leader?.stderr).toContain(`then hlcopy resume --leader ${w.leaders[0]} and follow again`);

      // Readers read on.
      expect(told.journal?.code).toBe(0);
      expect(told.journal?.stdout).toContain("manual: flatten requested (test)"); // the table wraps at 80 columns
      expect(told.dryRun?.stderr).not.toMatch(/locked/);
      expect([0, 3, 4]).toContain(told.dryRun?.code);
      expect(told.report?.stderr).not.toMatch(/locked/);
      expect(told.report?.code).toBe(0);
      // pause: delivered, and said as what it does at the review.
      expect(told.pause).toMatchObject({ code: 0, stderr: "" });
      expect(told.pause?.stdout).toBe(
        `paused the running follow, still at its start, waiting at its review or passphrase prompt: once confirmed there it starts paused: no leader trade copied until hlcopy resume (pid ${pid})\n`,
      );

      // The no at the review: nothing was sent and the journal is as it was (the halt stands).
      expect(r.screen).toContain("not confirmed: nothing was sent");
      expect(w.ordersSent()).toBe(sent);
      expect(journalRows(w.journal)).toEqual(before.rows);
      // With the follow gone, resume clears the halt and the leader, and lifts the pause.
      const resumed = await w.cli(["resume", "--yes"]);
      expect(resumed.code).toBe(0);
      expect(resumed.stdout).toMatch(
        /^cleared the pause recorded for the next follow\nresumed: cleared 1 halt\(s\)/,
      );
      expect((await w.cli(["resume", "--leader", w.leaders[0] as string, "--yes"])).stdout).toMatch(
        /^following leader .* again/,
      );
    },
  );
  it.skipIf(!hasScript)(
    "pause and resume reach it through its control socket: said as what they do at its review, the journal untouched",
    { timeout: 90_000 },
    async () => {
      const w = await world();
      expect((await w.cli(["reconcile", w.leaders[0] as string, ...COPY, "--yes"])).code).toBe(0);
      const sent = w.ordersSent();
      const before = { rows: journalRows(w.journal), bytes: journalBytes(w.journal) };
      const told: Record<string, { code: number | null; stdout: string; stderr: string }> = {};
      const r = await followAtReview(
        [
          "--network",
          w.sim.httpUrl,
          "--account",
          w.follower,
          "follow",
          w.leaders[1] as string,
          ...COPY,
          "--no-ui",
        ],
        w.env,
        "n\r",
        async () => {
          told.pause = await w.cli(["--json", "pause"]);
          told.status = await w.cli(["--json", "status"]);
          told.resume = await w.cli(["resume", "--yes"]);
          expect(journalRows(w.journal)).toEqual(before.rows);
          expect(journalBytes(w.journal)).toEqual(before.bytes);
        },
      );
      const pause = JSON.parse(told.pause?.stdout ?? "") as Record<string, unknown>;
      expect(pause).toMatchObject({ type: "pause", running: true, did: "paused" });
      expect(pause.message).toBe(
        "paused the running follow, still at its start, waiting at its review or passphrase prompt: once confirmed there it starts paused: no leader trade copied until hlcopy resume",
      );
      const status = JSON.parse(told.status?.stdout ?? "") as { paused: unknown; starting: { pid: number } };
      expect(status.paused).toMatchObject({ running: true, pid: status.starting.pid });
      expect(told.resume).toEqual({
        code: 0,
        stdout: `resumed the running follow, still at its start, waiting at its review or passphrase prompt: it sends once confirmed there (pid ${status.starting.pid})\n`,
        stderr: "",
      });
      expect(r.screen).toContain("not confirmed: nothing was sent");
      expect(w.ordersSent()).toBe(sent);
      // The pause was lifted: no follow starts paused, status shows none.
      expect(JSON.parse((await w.cli(["--json", "status"])).stdout)).toMatchObject({ paused: null });
    },
  );
});
