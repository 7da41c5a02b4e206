// A journal another program holds when a run starts (a SQLite browser with a transaction open,
// a backup tool) is transient: reconcile and follow wait for it — at the open and at the run's
// begin — saying so once, and go on when it is let go; only past exec.startupTimeoutSeconds do
// they end, with the busy error and what to do. The real binary; the journal held by a second
// connection from this test, let go once the command said it waits (no fixed sleeps).

import { type ChildProcess, spawn } from "node:child_process";
import { DatabaseSync } from "node:sqlite";
import { describe, expect, it, type onTestFinished as OnTestFinished } from "vitest";
import { journalPath } from "../../src/store/journal.js";
import { eventually } from "../exchange/helpers.js";
import { spawnFollowIn } from "../follow/helpers.js";
import { BIN, cleanEnv } from "../helpers/cli.js";
import { type ReconcileWorld, reconcileWorld } from "../helpers/reconcile-world.js";

const WAITS =
  "warning: journal busy (held by another program): the run cannot begin; retrying for up to 120s — nothing is sent meanwhile";

/** How the other program holds the journal. */
type Hold = "write-lock" | "exclusive";

/**
 * Hold the journal as another program would: its write lock (`BEGIN IMMEDIATE`: a run's open
 * reads, its begin cannot write), or exclusively (a connection in exclusive locking mode that
 * wrote: not even the open can read it). Returns the release.
 */
function holdJournal(w: ReconcileWorld, how: Hold): () => void {
  const db = new DatabaseSync(journalPath(w.env.HLCOPY_CONFIG_DIR, w.account, w.sim.httpUrl));
  if (how === "exclusive") db.exec("PRAGMA locking_mode = EXCLUSIVE");
  db.exec("BEGIN IMMEDIATE");
  if (how === "exclusive") db.exec("INSERT INTO events (ts, type) VALUES (1, 'held')");
  return () => {
    db.exec("ROLLBACK");
    db.close();
  };
}

/** hlcopy as the world's account, its stderr read as it comes. */
function spawnCli(w: ReconcileWorld, args: string[]) {
  const child: ChildProcess = spawn(
    process.execPath,
    [BIN, "--network", w.sim.httpUrl, "--account", w.account, ...args],
    { env: cleanEnv(w.env), stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d) => {
    stdout += d;
  });
  child.stderr?.on("data", (d) => {
    stderr += d;
  });
  const exit = new Promise<number | null>((resolve) => child.on("close", resolve));
  return { child, exit, stdout: () => stdout, stderr: () => stderr };
}

const RECONCILE = ["--mode", "fixed-ratio", "--ratio", "0.1", "--yes"];

/** A world whose account has a journal (one reconcile ran) and a leader that moved since. */
async function worldWithJournal(seed: number, onTestFinished: typeof OnTestFinished) {
  const w = await reconcileWorld({ seed, onTestFinished });
  await w.trade("BTC", "buy", 1);
  const first = await w.cli(["reconcile", w.leader, ...RECONCILE]);
  expect(first.code, first.stderr).toBe(0);
  await w.trade("BTC", "buy", 1);
  return w;
}

describe("a journal another program holds when a run starts", () => {
  for (const how of ["write-lock", "exclusive"] as const) {
    it(`reconcile waits for it (${how}), says so once, and goes on when it is let go`, {
      timeout: 90_000,
    }, async ({ onTestFinished }) => {
      const w = await worldWithJournal(how === "exclusive" ? 141 : 142, onTestFinished);
      const release = holdJournal(w, how);
      let released = false;
      const run = spawnCli(w, ["reconcile", w.leader, ...RECONCILE]);
      onTestFinished(() => {
        if (!released) release();
        if (run.child.exitCode === null) run.child.kill("SIGKILL");
      });
      await eventually(() => run.stderr().includes(WAITS), 30_000);
      const sent = w.actionsSent();
      release();
      released = true;
      expect(await run.exit, run.stderr()).toBe(0);
      expect(
        run
          .stderr()
          .split("\n")
          .filter((l) => l === WAITS),
      ).toHaveLength(1);
      // It waited before it sent: its orders went once the journal was free, and it is in sync.
      expect(w.actionsSent()).toBeGreaterThan(sent);
      expect(await w.positions()).toEqual({ BTC: 0.2 });
    });
  }

  it("reconcile gives up after exec.startupTimeoutSeconds: the busy error and what to do, nothing sent", {
    timeout: 90_000,
  }, async ({ onTestFinished }) => {
    const w = await worldWithJournal(143, onTestFinished);
    const release = holdJournal(w, "exclusive");
    onTestFinished(release);
    const sent = w.actionsSent();
    const r = await w.cli(["reconcile", w.leader, ...RECONCILE, "--startup-timeout-seconds", "1"]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trimEnd().split("\n");
    // Said at most once, before the error: the warning comes with the first wait, and a busy
    // machine's first attempt (SQLite's own busy wait) can outlast the second given — the run then
    // gives up without a wait to tell. The tests above wait for it to be said.
    expect(lines.slice(0, -2)).toEqual(
      lines.length > 2
        ? [
            "warning: journal busy (held by another program): the run cannot begin; retrying for up to 1s — nothing is sent meanwhile",
          ]
        : [],
    );
    expect(lines.at(-2)).toMatch(
      /^error: gave up after 1s waiting for the journal \(held by another program\): journal \S+ is locked by another program$/,
    );
    expect(lines.at(-1)).toMatch(
      /^hint: another process holds the journal in a long transaction: .*backup tool/,
    );
    expect(w.actionsSent()).toBe(sent);
  });

  it("follow waits for it at its open, says so once, and runs when it is let go", {
    timeout: 90_000,
  }, async ({ onTestFinished }) => {
    const w = await worldWithJournal(144, onTestFinished);
    const release = holdJournal(w, "exclusive");
    let released = false;
    const run = spawnFollowIn(w, { json: false, extra: ["--no-ui", "--sweep-seconds", "3600"] });
    onTestFinished(() => {
      if (!released) release();
      if (run.child.exitCode === null) run.child.kill("SIGKILL");
    });
    const text = () => [...run.lines.map((l) => String(l.text ?? "")), ...run.stderr().split("\n")];
    await eventually(() => run.running() && text().some((t) => t.endsWith(WAITS)), 30_000);
    expect(text().some((t) => / sweep /.test(t))).toBe(false);
    release();
    released = true;
    await eventually(() => run.running() && text().some((t) => / sweep /.test(t)), 30_000);
    expect(text().filter((t) => t.endsWith(WAITS))).toHaveLength(1);
    run.child.kill("SIGTERM");
    expect(await run.exit).toBe(0);
  });
});
