// hlcopy flatten --dry-run: what the big red button would do, sending, halting and writing
// nothing — the closes it lists are the ones the flatten then sends; a follow running beside it
// is named as the one that would carry it out, and is left undisturbed. Until 2026-12-07 it was
// refused ("--dry-run is not an option of hlcopy flatten"). The real binaries against the simulator.

import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Address } from "../../src/core/types.js";
import type { SimHandle } from "../../src/sim/index.js";
import { pendingPausePath } from "../../src/store/control.js";
import { journalPath, openJournal } from "../../src/store/journal.js";
import { eventually, masterWithAgent } from "../exchange/helpers.js";
import { spawnFollow } from "../follow/helpers.js";
import { liftPauseAfter, runCli, tempDir, unwrapped } from "../helpers/cli.js";
import { type LeaderWorld, leaderWorld } from "./leader-world.js";

let world: LeaderWorld;
let sim: SimHandle;
let leader: Address;

beforeAll(async () => {
  world = await leaderWorld(2121);
  ({ sim, leader } = world);
});
afterAll(async () => {
  await sim.close();
});

interface Close {
  coin: string;
  side: string;
  size: number;
  limitPx: number;
  notionalUsd: number;
  reduceOnly: boolean;
}
interface Preview {
  type: string;
  dryRun: boolean;
  running: boolean;
  by: string;
  pid?: number;
  closes: Close[];
  left: unknown[];
  halt: { kind: string; reason: string; standing: boolean };
}

const exchangeRequests = () => sim.control.stats().requests.exchange;

/** "COIN size" of each close, as the account's positions are listed (a sell closes a long). */
const asPositions = (closes: { coin: string; side: string; size: number }[]) =>
  closes.map((c) => `${c.coin} ${c.side === "sell" ? c.size : -c.size}`);
const sorted = (xs: string[]) => [...xs].sort();

describe("hlcopy flatten --dry-run", () => {
  it("with no follow running: lists the closes the flatten then sends, sending nothing, halting nothing, with no agent key", {
    timeout: 120_000,
  }, async () => {
    const { master, agentKey } = await masterWithAgent(sim, 50_000);
    liftPauseAfter(sim.httpUrl, master.address);
    const dir = tempDir();
    const cli = (args: string[], key = false) =>
      runCli(["--network", sim.httpUrl, "--account", master.address, ...args], {
        env: { HLCOPY_CONFIG_DIR: dir, ...(key ? { HLCOPY_AGENT_KEY: agentKey } : {}) },
        timeoutMs: 30_000,
      });
    const copied = await cli(["reconcile", leader, "--mode", "fixed-ratio", "--ratio", "0.2", "--yes"], true);
    expect(copied.code, copied.stderr).toBe(0);
    const held = await world.positions(master.address);
    expect(held.length).toBeGreaterThan(0);
    const requests = exchangeRequests();
    const orders = sim.control.orderHistory(master.address).length;

    // No HLCOPY_AGENT_KEY: a dry run needs none.
    const dry = await cli(["--json", "flatten", "--dry-run"]);
    expect(dry.stderr).toBe("");
    expect(dry.code).toBe(3);
    const preview = JSON.parse(dry.stdout) as Preview;
    expect(preview).toMatchObject({
      type: "flatten",
      dryRun: true,
      running: false,
      by: "here",
      left: [],
      halt: { kind: "manual", reason: "flatten requested (hlcopy flatten)", standing: false },
    });
    // One close per position, the whole of it, reduce-only, with its price bound and notional.
    expect(sorted(asPositions(preview.closes))).toEqual(sorted(held));
    for (const c of preview.closes) {
      expect(c.reduceOnly).toBe(true);
      expect(c.limitPx).toBeGreaterThan(0);
      expect(c.notionalUsd).toBeGreaterThan(0);
    }
    // The text says the same, as a table.
    const text = await cli(["flatten", "--dry-run"]);
    expect(text.code).toBe(3);
    expect(text.stdout).toMatch(/^dry run: nothing sent, nothing halted — hlcopy flatten now would:\n/);
    for (const c of preview.closes) expect(text.stdout).toMatch(new RegExp(`│ ${c.coin} +│ ${c.side} `));
    expect(text.stdout).toMatch(/\nhalt trading \(manual\) until hlcopy resume\n$/);
    // --yes beside --dry-run is refused, as reconcile refuses it.
    const both = await cli(["flatten", "--dry-run", "--yes"], true);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(
      /^error: --yes confirms the flatten and --dry-run sends nothing: drop one\nhint: /,
    );

    // Nothing sent, no halt, no pause: the account trades on as before.
    expect(exchangeRequests()).toBe(requests);
    expect(sim.control.orderHistory(master.address).length).toBe(orders);
    expect(await world.positions(master.address)).toEqual(held);
    const status = JSON.parse((await cli(["--json", "status"])).stdout) as { halt: unknown; paused: unknown };
    expect(status.halt).toBeNull();
    expect(status.paused).toBeNull();
    const again = await cli(["reconcile", leader, "--mode", "fixed-ratio", "--ratio", "0.2", "--yes"], true);
    expect(again.code, again.stdout).toBe(0);
    // A pause recorded: the preview says the closes go all the same — and the flatten sends them.
    expect((await cli(["pause"])).code).toBe(0);
    const paused = await cli(["flatten", "--dry-run"]);
    expect(paused.code).toBe(3);
    expect(unwrapped(paused.stdout)).toMatch(
      /\n\(a pause stands since [^\n]+ UTC: the flatten's closes go all the same/,
    );

    // The flatten then sends exactly the closes listed.
    const flat = await cli(["--json", "flatten", "--yes"], true);
    expect(flat.code, flat.stderr).toBe(0);
    const done = JSON.parse(flat.stdout) as { closed: Close[] };
    expect(sorted(asPositions(done.closed))).toEqual(sorted(asPositions(preview.closes)));
    const sent = sim.control.orderHistory(master.address).slice(orders);
    expect(sorted(sent.map((o) => `${o.coin} ${o.side === "B" ? "buy" : "sell"} ${Number(o.sz)}`))).toEqual(
      sorted(preview.closes.map((c) => `${c.coin} ${c.side} ${c.size}`)),
    );
    expect(await world.positions(master.address)).toEqual([]);

    // Flat and halted: nothing to close (exit 0), the standing halt said as kept.
    const after = await cli(["--json", "flatten", "--dry-run"]);
    expect(after.code, after.stderr).toBe(0);
    expect(JSON.parse(after.stdout)).toMatchObject({
      closes: [],
      left: [],
      halt: { kind: "manual", standing: true },
    });
  });

  it("from a config directory with no journal of the account: says the flatten would record the pause, and records none", {
    timeout: 60_000,
  }, async () => {
    const { master, agentKey } = await masterWithAgent(sim, 50_000);
    liftPauseAfter(sim.httpUrl, master.address);
    const trading = tempDir();
    const shell = tempDir();
    const copied = await runCli(
      [
        "--network",
        sim.httpUrl,
        "--account",
        master.address,
        "reconcile",
        leader,
        "--mode",
        "fixed-ratio",
        "--ratio",
        "0.2",
        "--yes",
      ],
      { env: { HLCOPY_CONFIG_DIR: trading, HLCOPY_AGENT_KEY: agentKey }, timeoutMs: 30_000 },
    );
    expect(copied.code, copied.stderr).toBe(0);
    const dry = await runCli(
      ["--network", sim.httpUrl, "--account", master.address, "flatten", "--dry-run"],
      {
        env: { HLCOPY_CONFIG_DIR: shell },
        timeoutMs: 30_000,
      },
    );
    expect(dry.code, dry.stderr).toBe(3);
    expect(unwrapped(dry.stdout)).toMatch(
      / — and record a pause: this config directory \(.*\) has no journal of the account/,
    );
    // Nothing written: no journal here, no pause marker anywhere it would be looked for.
    expect(existsSync(journalPath(shell, master.address, sim.httpUrl))).toBe(false);
    const status = await runCli(["--network", sim.httpUrl, "--account", master.address, "--json", "status"], {
      env: { HLCOPY_CONFIG_DIR: trading },
    });
    expect(JSON.parse(status.stdout)).toMatchObject({ halt: null, paused: null });
    // --paper: no follow --paper runs, so flatten --paper would do nothing — said, exit 0.
    const paper = await runCli(
      ["--network", sim.httpUrl, "--account", master.address, "--json", "flatten", "--dry-run", "--paper"],
      { env: { HLCOPY_CONFIG_DIR: shell } },
    );
    expect(paper.code, paper.stderr).toBe(0);
    expect(JSON.parse(paper.stdout)).toMatchObject({
      dryRun: true,
      paper: true,
      running: false,
      closes: null,
    });
  });

  it("with a follow running: names it as the one that would flatten, lists what it would close now, and leaves it undisturbed", {
    timeout: 120_000,
  }, async () => {
    const { master, agentKey } = await masterWithAgent(sim, 50_000);
    liftPauseAfter(sim.httpUrl, master.address);
    const configDir = tempDir();
    const lockDir = tempDir();
    const run = spawnFollow({
      httpUrl: sim.httpUrl,
      account: master.address,
      leader,
      configDir,
      agentKey,
      extra: ["--sweep-seconds", "3600"],
      env: { HLCOPY_LOCK_DIR: lockDir },
    });
    try {
      await run.until(() => run.lines.some((l) => l.type === "sweep"));
      const held = await eventually(async () => {
        const p = await world.positions(master.address);
        return p.length > 0 ? p : null;
      }, 20_000);
      const orders = sim.control.orderHistory(master.address).length;
      const lines = run.lines.length;
      // Another shell: no agent key, the follow's lock directory.
      const dry = await runCli(
        ["--network", sim.httpUrl, "--account", master.address, "--json", "flatten", "--dry-run"],
        { env: { HLCOPY_CONFIG_DIR: configDir, HLCOPY_LOCK_DIR: lockDir }, timeoutMs: 30_000 },
      );
      expect(dry.code, dry.stderr).toBe(3);
      const preview = JSON.parse(dry.stdout) as Preview;
      expect(preview).toMatchObject({ running: true, by: "follow", pid: run.child.pid, dryRun: true });
      expect(sorted(asPositions(preview.closes))).toEqual(sorted(held));

      // The follow was sent nothing: no halt, no flatten; still running, still reachable.
      expect(run.lines.slice(lines).filter((l) => l.type === "halt" || l.type === "control")).toEqual([]);
      expect(sim.control.orderHistory(master.address).length).toBe(orders);
      expect(await world.positions(master.address)).toEqual(held);
      const status = await runCli(
        ["--network", sim.httpUrl, "--account", master.address, "--json", "status"],
        {
          env: { HLCOPY_CONFIG_DIR: configDir, HLCOPY_LOCK_DIR: lockDir },
        },
      );
      expect(JSON.parse(status.stdout)).toMatchObject({ halt: null, paused: null });
      expect(existsSync(pendingPausePath(lockDir, { name: "", httpUrl: sim.httpUrl }, master.address))).toBe(
        false,
      );
      // --paper with a live follow running: refused as flatten --paper is, nothing done.
      const paper = await runCli(
        ["--network", sim.httpUrl, "--account", master.address, "flatten", "--dry-run", "--paper"],
        { env: { HLCOPY_CONFIG_DIR: configDir, HLCOPY_LOCK_DIR: lockDir } },
      );
      expect(paper.code).toBe(2);
      expect(paper.stderr).toMatch(
        /^error: the follow running for .* is a live run, not a paper run: nothing was done\n/,
      );
      run.running();
      const journal = openJournal(journalPath(configDir, master.address, sim.httpUrl));
      try {
        expect(journal.activeHalt()).toBeNull();
      } finally {
        journal.close();
      }
      const stop = await runCli(["--network", sim.httpUrl, "--account", master.address, "stop"], {
        env: { HLCOPY_CONFIG_DIR: configDir, HLCOPY_LOCK_DIR: lockDir },
      });
      expect(stop.code, stop.stderr).toBe(0);
      expect(await run.exit).toBe(0);
    } finally {
      run.child.kill("SIGTERM");
      await run.exit;
    }
  });
});
