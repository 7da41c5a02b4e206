// Disk and database trouble through the real binary: each case prints one `error:` line naming
// the file and one `hint:` line, exits 1 (2 for a corrupt journal), shows no stack trace and no
// "report it", sends nothing and leaves nothing behind. A read-only directory is simulated with
// a path whose parent is a regular file (tests run as root, where chmod does not stop writes);
// the chmod case itself runs only when not root. ENOSPC is covered by the translator's tests.

import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { engineClient } from "../../src/cli/wiring.js";
import type { Address } from "../../src/core/types.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { journalPath, openJournal } from "../../src/store/journal.js";
import { action, fundedAccount, masterWithAgent } from "../exchange/helpers.js";
import { jsonError, type RunResult, runCli, tempDir } from "../helpers/cli.js";

let sim: SimHandle;
let leader: Address;
let follower: Address;
let agentKey: `0x${string}`;
beforeAll(async () => {
  sim = await startSim({ seed: 31, tickMs: 0 });
  const l = fundedAccount(sim, 1_000_000);
  leader = l.address;
  const client = engineClient({
    httpUrl: sim.httpUrl,
    wsUrl: sim.wsUrl,
    isTestnet: false,
    account: l.address,
    agentKey: l.key,
  });
  const markets = await client.getMarkets();
  const [r] = await client.placeOrders([action(markets, "BTC", "buy", 1)], markets);
  expect(r?.status).toBe("filled");
  const f = await masterWithAgent(sim, 20_000);
  follower = f.master.address;
  agentKey = f.agentKey;
});
afterAll(async () => {
  await sim.close();
});

/** A config directory that cannot be created: its parent is a regular file. */
function blockedDir(): { parent: string; dir: string } {
  const parent = join(tempDir(), "a-file");
  writeFileSync(parent, "not a directory\n");
  return { parent, dir: join(parent, "cfg") };
}

/** The error's two lines: on stderr, or (--json) its one error document on stdout, stderr empty. */
function said(r: RunResult): string {
  return r.stderr === "" ? jsonError(r.stdout) : r.stderr;
}

function expectOneClearError(r: RunResult, code: number, error: RegExp): void {
  expect(r.code).toBe(code);
  const lines = said(r).trim().split("\n");
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(error);
  expect(lines[1]).toMatch(/^hint: \S/);
  expect(said(r)).not.toMatch(/report it|\n\s+at /);
}

const orders = () => sim.control.orderHistory(follower).length;

function reconcile(env: NodeJS.ProcessEnv, extra: string[] = []) {
  return runCli(
    [
      "--network",
      sim.httpUrl,
      "--account",
      follower,
      "--json",
      "reconcile",
      leader,
      "--mode",
      "fixed-ratio",
      "--ratio",
      "0.01",
      ...extra,
    ],
    {
      env: { HLCOPY_AGENT_KEY: agentKey, HLCOPY_LOCK_DIR: tempDir("hlcopy-locks-"), ...env },
      timeoutMs: 40_000,
    },
  );
}

describe("a config directory that cannot be written", () => {
  it("config set: exit 1 naming the config file; nothing created", async () => {
    const { parent, dir } = blockedDir();
    const r = await runCli(["--config-dir", dir, "config", "set", "risk.maxLeverage", "3"]);
    expectOneClearError(
      r,
      1,
      new RegExp(`cannot write config file ${join(dir, "config.json")}: a part of its path is a file`),
    );
    expect(readFileSync(parent, "utf8")).toBe("not a directory\n");
  });

  it("agent generate: exit 1 naming the keystore, before any key is made", async () => {
    const { dir } = blockedDir();
    const r = await runCli(["--config-dir", dir, "--account", follower, "agent", "generate"], {
      env: { HLCOPY_PASSPHRASE: "pass phrase" },
    });
    expectOneClearError(
      r,
      1,
      new RegExp(`keystore ${join(dir, "agent-keystore.json")}: a part of its path is a file`),
    );
  });

  it("a live reconcile: exit 1 naming the journal, nothing sent", async () => {
    const { dir } = blockedDir();
    const before = orders();
    const r = await reconcile({ HLCOPY_CONFIG_DIR: dir });
    expectOneClearError(
      r,
      1,
      new RegExp(`journal ${journalPath(dir, follower, sim.httpUrl)}: a part of its path is a file`),
    );
    expect(orders()).toBe(before);
  });

  it.skipIf(process.getuid?.() === 0)(
    "a read-only config dir (chmod 0500): exit 1, permission denied",
    async () => {
      const dir = tempDir();
      chmodSync(dir, 0o500);
      try {
        const r = await runCli(["--config-dir", dir, "config", "set", "risk.maxLeverage", "3"]);
        expectOneClearError(r, 1, /permission denied/);
        expect(readdirSync(dir)).toEqual([]);
      } finally {
        chmodSync(dir, 0o700);
      }
    },
  );

  it("a lock directory that cannot be created: exit 1 naming it, the hint names HLCOPY_LOCK_DIR", async () => {
    const { dir: locks } = blockedDir();
    const config = tempDir();
    const r = await reconcile({ HLCOPY_CONFIG_DIR: config, HLCOPY_LOCK_DIR: locks });
    expectOneClearError(
      r,
      1,
      new RegExp(`cannot create lock directory ${locks}: a part of its path is a file`),
    );
    expect(said(r)).toContain("HLCOPY_LOCK_DIR");
    expect(readdirSync(config)).toEqual([]);
  });
});

describe("a journal in trouble", () => {
  it("held exclusively by another program: waited for (said once at most), then exit 1, 'locked by another program'", {
    timeout: 60_000,
  }, async () => {
    const dir = tempDir();
    const file = journalPath(dir, follower, sim.httpUrl);
    const j = openJournal(file);
    j.recordEvent({ ts: 1, type: "existing" });
    j.close();
    // Held so that not even the run's open can read it (exclusive locking mode, a write made):
    // the wait is at the open, before the run asks the exchange anything. A write lock alone
    // (BEGIN EXCLUSIVE under WAL lets readers in) is waited for at the run's begin, after the
    // agent approval check — which the same 1 s bounds, and which a busy machine's simulator
    // can take longer than to answer: the run then gave up waiting for the exchange, not the
    // journal (1 run in 6 beside two CPU-bound processes). test/reconcile/journal-held.cli.test.ts
    // has the write lock waited for and let go.
    const holder = new DatabaseSync(file);
    holder.exec("PRAGMA locking_mode = EXCLUSIVE");
    holder.exec("BEGIN EXCLUSIVE; INSERT INTO events (ts, type) VALUES (2, 'held')");
    const before = orders();
    try {
      // Transient: waited for up to exec.startupTimeoutSeconds (said on stderr), then the error.
      // The warning comes with the first wait, after a first attempt that itself waits out
      // SQLite's busy timeout; a busy machine's first attempt can outlast the second given, and
      // the run then gives up without a wait to tell. So the warning is asserted at most once
      // here, as the only other line; test/reconcile/journal-held.cli.test.ts waits for it (the
      // journal let go once it is said).
      const r = await reconcile({ HLCOPY_CONFIG_DIR: dir }, ["--startup-timeout-seconds", "1"]);
      const warnings = r.stderr.split("\n").filter((l) => l !== "");
      expect(warnings.length).toBeLessThanOrEqual(1);
      for (const w of warnings) {
        expect(w).toBe(
          "warning: journal busy (held by another program): the run cannot begin; retrying for up to 1s — nothing is sent meanwhile",
        );
      }
      expectOneClearError(
        { ...r, stderr: "" },
        1,
        new RegExp(
          `^error: gave up after 1s waiting for the journal \\(held by another program\\): journal ${file} is locked by another program$`,
        ),
      );
      expect(orders()).toBe(before);
    } finally {
      holder.exec("ROLLBACK");
      holder.close();
    }
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("a file of garbage as the journal: exit 2, move it aside; the file untouched", async () => {
    const dir = tempDir();
    const file = journalPath(dir, follower, sim.httpUrl);
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, "garbage, not SQLite ".repeat(100));
    const r = await reconcile({ HLCOPY_CONFIG_DIR: dir });
    expectOneClearError(r, 2, new RegExp(`journal ${file} is not a SQLite database`));
    expect(said(r)).toContain(`mv ${file} ${file}.bak`);
    expect(readFileSync(file, "utf8")).toBe("garbage, not SQLite ".repeat(100));
    expect(existsSync(`${file}-wal`)).toBe(false);
  });
});
