// An hlcopy running for the account with another config directory than the shell's: its lock
// names that directory, and its journal — runs, halts, P&L — is there. status says so (not
// "starting, or waiting at its review" while it trades), with the command that reads it; resume
// refuses and changes nothing (it would clear another journal's halt, or find none). The real
// binary; no exchange is needed (status and resume read the journal only).

import { type ChildProcess, spawn } from "node:child_process";
import { symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Address } from "../../src/core/types.js";
import { leaderStopKey } from "../../src/engine/leader-guard.js";
import { journalPath, openJournal } from "../../src/store/journal.js";
import { lockPath } from "../../src/store/lock.js";
import { runCli, tempDir, whole } from "../helpers/cli.js";

const NETWORK = "http://127.0.0.1:9";
const ACCOUNT = "0x00000000000000000000000000000000000000c3" as Address;
const LEADER = "0x00000000000000000000000000000000000000d4" as Address;

const standIns: ChildProcess[] = [];
afterEach(() => {
  for (const p of standIns.splice(0)) p.kill();
});

/** A live process holding the account's lock as a follow of config directory `followDir`. */
function runningFollow(lockDir: string, followDir: string): number {
  const p = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)", "hlcopy"], { stdio: "ignore" });
  standIns.push(p);
  const net = { name: NETWORK, httpUrl: NETWORK };
  writeFileSync(
    lockPath(lockDir, net, ACCOUNT),
    JSON.stringify({
      pid: p.pid,
      startedAt: Date.now(),
      command: "follow",
      configDir: followDir,
      token: "t",
    }),
  );
  return p.pid as number;
}

/** A journal in `dir` with a halt and a leader not followed. */
function haltedJournal(dir: string): string {
  const path = journalPath(dir, ACCOUNT, NETWORK);
  const j = openJournal(path);
  const now = Date.now();
  j.recordHalt({ ts: now, kind: "manual", reason: "flatten requested (test)" });
  j.setCopyState(
    leaderStopKey(LEADER),
    { kind: "drawdown", since: now, until: null, reason: "test", shed: {} },
    now,
  );
  j.close();
  return path;
}

describe("a follow running with another config directory", () => {
  it("status names it and its config directory (text and --json), not as starting", {
    timeout: 60_000,
  }, async () => {
    const lockDir = tempDir("hlcopy-locks-");
    const followDir = tempDir();
    const pid = runningFollow(lockDir, followDir);
    const shell = tempDir();
    const cli = (dir: string, args: string[]) =>
      runCli(["--network", NETWORK, "--account", ACCOUNT, ...args], {
        env: { HLCOPY_CONFIG_DIR: dir, HLCOPY_LOCK_DIR: lockDir },
      });
    const line = `a follow (pid ${pid}) is running for this account with config directory ${followDir}: its journal is there — HLCOPY_CONFIG_DIR=${followDir} hlcopy status`;

    // No journal here.
    const none = whole(await cli(shell, ["status"]));
    expect(none.code).toBe(0);
    expect(none.stdout).toBe(
      `no runs yet for ${ACCOUNT} on ${NETWORK}: hlcopy reconcile or hlcopy follow start the journal\n${line}\n`,
    );
    const noneJson = JSON.parse((await cli(shell, ["--json", "status"])).stdout) as Record<string, unknown>;
    expect(noneJson).toMatchObject({
      starting: null,
      elsewhere: { pid, command: "follow", configDir: followDir },
    });

    // A journal here (an older copy's halt): read, and the follow named beside it.
    haltedJournal(shell);
    const halted = whole(await cli(shell, ["status"]));
    expect(halted.code).toBe(4);
    expect(halted.stdout).toContain(`\n${line}\n`);
    expect(halted.stdout).not.toContain("holds the account");
    expect(JSON.parse((await cli(shell, ["--json", "status"])).stdout)).toMatchObject({
      starting: null,
      elsewhere: { pid, configDir: followDir },
    });

    // Its own config directory (or a symlink to it): its start, as before.
    const link = join(tempDir(), "link");
    symlinkSync(followDir, link);
    for (const dir of [followDir, link]) {
      const own = whole(await cli(dir, ["status"]));
      expect(own.stdout).toContain(`a follow (pid ${pid}) holds the account: starting`);
      expect(own.stdout).not.toContain("config directory");
    }
  });

  it("resume (and resume --leader) of what its journal holds refuse, naming it and the command, and change nothing", {
    timeout: 60_000,
  }, async () => {
    const lockDir = tempDir("hlcopy-locks-");
    const followDir = tempDir();
    const pid = runningFollow(lockDir, followDir);
    const shell = tempDir();
    // Halted, and a leader not followed: in the follow's journal, not in the shell's.
    const path = haltedJournal(followDir);
    const cli = (args: string[]) =>
      runCli(["--network", NETWORK, "--account", ACCOUNT, ...args], {
        env: { HLCOPY_CONFIG_DIR: shell, HLCOPY_LOCK_DIR: lockDir },
      });
    const there = `a follow (pid ${pid}) is running for ${ACCOUNT} on ${NETWORK} with config directory ${followDir}: its journal is there,`;
    expect(await cli(["resume", "--yes"])).toEqual({
      code: 1,
      stdout: "",
      stderr:
        `error: ${there} halted (manual: flatten requested (test)) — this resume reads ${shell}: nothing was done\n` +
        `hint: run it with that config directory: HLCOPY_CONFIG_DIR=${followDir} hlcopy resume\n`,
    });
    expect(await cli(["resume", "--leader", LEADER, "--yes"])).toEqual({
      code: 1,
      stdout: "",
      stderr:
        `error: ${there} with leader ${LEADER} not followed (drawdown) — this resume reads ${shell}: nothing was done\n` +
        `hint: run it with that config directory: HLCOPY_CONFIG_DIR=${followDir} hlcopy resume --leader ${LEADER}\n`,
    });
    const j = openJournal(path);
    try {
      expect(j.activeHalt()).toMatchObject({ kind: "manual" });
      expect(j.getCopyState(leaderStopKey(LEADER))).not.toBeNull();
    } finally {
      j.close();
    }
  });
});
