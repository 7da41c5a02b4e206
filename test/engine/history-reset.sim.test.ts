// A simulator restarted without its state (same URL, so the same journal): the account on the
// exchange is new while the journal remembers its history. Measured against that history the
// new account read as "hwm $0.00 · dd 100.00%" beside "in sync", and an emptied account's fall
// would have been counted as a 100 % trading loss (the kill switch) once the cash tracker gave
// up waiting for its ledger. The run refuses instead, before it reads anything in or sends.

import { privateKeyToAccount } from "viem/accounts";
import { describe, expect, it, onTestFinished } from "vitest";
import { runStatus, type StatusReport } from "../../src/cli/status/run.js";
import { engineClient, streamsOpener } from "../../src/cli/wiring.js";
import type { Address } from "../../src/core/types.js";
import { CopyEngine } from "../../src/engine/engine.js";
import { type EngineEvent, EngineEvents } from "../../src/engine/events.js";
import { liveExecutor } from "../../src/engine/executor.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { journalPath, openJournal } from "../../src/store/journal.js";
import { eventually, fundedAccount, masterWithAgent } from "../exchange/helpers.js";
import { runCli, tempDir } from "../helpers/cli.js";
import { copySettings, roundTrip, trade } from "../helpers/sim-engine.js";

const sink = () => ({ write: (_: string) => {} });

/**
 * A simulator (it and its restarts closed when the test ends), a funded leader, our account
 * with its agent, the journal file a follow of it keeps, `follow(sim)`: a live engine run
 * against a simulator with that journal (sweeps an hour apart: only the start sweep), and
 * `restart(seed)`: the simulator restarted without its state.
 */
async function restartWorld(seed: number) {
  const dir = tempDir();
  const sims: SimHandle[] = [];
  onTestFinished(async () => {
    for (const s of sims) await s.close().catch(() => {});
  });
  const first = await startSim({ tickMs: 0, seed });
  sims.push(first);
  const port = Number(new URL(first.httpUrl).port);
  const leader = fundedAccount(first, 1_000_000);
  const { master, agentKey } = await masterWithAgent(first, 100_000);
  const account = master.address;
  const file = journalPath(dir, account, first.httpUrl);
  const follow = (sim: SimHandle) => {
    const client = clientOf(sim, account, agentKey);
    const journal = openJournal(file);
    const events: EngineEvent[] = [];
    const bus = new EngineEvents();
    bus.on((e) => events.push(e));
    const engine = new CopyEngine({
      reader: client,
      executor: liveExecutor(client),
      journal,
      settings: copySettings((s) => (s.exec.sweepSeconds = 3600)),
      leaders: [{ address: leader.address, weight: 1 }],
      account,
      network: sim.httpUrl,
      mode: "live",
      command: "follow",
      events: bus,
    });
    const running = engine.run(
      streamsOpener({ wsUrl: sim.wsUrl, isTestnet: false, leaders: [leader.address], account }),
    );
    return { engine, events, running, journal };
  };
  /**
   * The simulator restarted on the same port (so the same URL and journal) without its state: a
   * new exchange, where the trader funds $10 000 and approves the agent again.
   */
  const restart = async (restartSeed: number) => {
    const second = await startSim({ tickMs: 0, seed: restartSeed, port });
    sims.push(second);
    expect(second.httpUrl).toBe(first.httpUrl);
    second.control.fund(account, 10_000);
    await master.sdk.approveAgent({
      agentAddress: privateKeyToAccount(agentKey).address,
      agentName: "hlcopy",
    });
    return second;
  };
  return { dir, first, leader, agentKey, account, file, follow, restart };
}

const clientOf = (sim: SimHandle, who: Address, key: `0x${string}`) =>
  engineClient({ httpUrl: sim.httpUrl, wsUrl: sim.wsUrl, isTestnet: false, account: who, agentKey: key });

describe("an exchange that forgot the account's history", () => {
  it("a follow refuses at its start (exit 2): no equity recorded from the new account, no halt, nothing sent", {
    timeout: 90_000,
  }, async () => {
    const { dir, first, leader, agentKey, account, file, follow, restart } = await restartWorld(51);
    const status = async (sim: SimHandle) =>
      (await runStatus({
        configDir: dir,
        account,
        network: sim.httpUrl,
        json: true,
        out: sink(),
      })) as StatusReport;

    // The first simulator: hlcopy copies 1 ETH; its journal has a fill, equity and a mark. The
    // leader has traded before (flat again): one that never traded would be refused at the start.
    const leaderOn = (sim: SimHandle) => clientOf(sim, leader.address, leader.key);
    await roundTrip(first, leader.key);
    const a = follow(first);
    await eventually(() => a.events.some((e) => e.type === "sweep"), 15_000);
    await trade(leaderOn(first), "ETH", "buy", 10);
    await eventually(() => a.events.some((e) => e.type === "fill"), 10_000);
    await a.engine.sweep("manual");
    await a.engine.stop("test over");
    expect(await a.running).toBe(0);
    a.journal.close();
    const before = await status(first);
    expect(before.hwm).toBeGreaterThan(99_000);
    await first.close();

    // Restarted on the same port, without its state: a new exchange. The trader sets up again
    // (funds $10 000, approves the agent, trades by hand: fills after the journal's newest), the
    // leader trades again.
    const second = await restart(52);
    await trade(clientOf(second, account, agentKey), "SOL", "buy", 1);
    second.control.fund(leader.address, 1_000_000);
    await trade(leaderOn(second), "BTC", "buy", 1);
    const ordersBefore = second.control.orderHistory(account).length;

    const b = follow(second);
    // It stops at its start (a run that went on would sweep).
    await eventually(() => b.events.some((e) => e.type === "stop" || e.type === "sweep"), 15_000);
    expect(b.events.some((e) => e.type === "sweep")).toBe(false);
    await b.engine.stop("test over");
    expect(await b.running).toBe(2);
    b.journal.close();
    const error = b.events.find((e) => e.type === "error");
    expect(error?.type === "error" && error.message).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+ has no record of 0x[0-9a-f]{40}'s fills this journal holds \(the newest: ETH buy 1 at .* UTC\): the exchange's account is not the one the journal was kept against/,
    );
    expect(error?.type === "error" && error.hint).toMatch(
      /^hlcopy will not measure the high-water mark, drawdown or P&L against a history that is gone: move the journal aside \(mv .*\.sqlite .*\.sqlite\.bak\)/,
    );
    // Nothing read in, nothing decided, nothing sent: no state, no halt, the journal's figures as they were.
    expect(b.events.some((e) => e.type === "state" || e.type === "decision" || e.type === "order")).toBe(
      false,
    );
    expect(second.control.orderHistory(account).length).toBe(ordersBefore);
    const j = openJournal(file);
    try {
      expect(j.activeHalt()).toBeNull();
      expect(j.fillsSince(0).map((f) => f.coin)).toEqual(["ETH"]);
    } finally {
      j.close();
    }
    const after = await status(second);
    expect({ hwm: after.hwm, dd: after.drawdownPct, equity: after.equity, halt: after.halt }).toEqual({
      hwm: before.hwm,
      dd: before.drawdownPct,
      equity: before.equity,
      halt: null,
    });
    expect(after.lastRun?.exitCode).toBe(2);
    // Its drift verdict is the last real run's, dated as it was: the refused run recorded none.
    expect(after.lastSweep).toEqual(before.lastSweep);
    expect(after.drift).toEqual(before.drift);

    // A flatten is not refused: it measures nothing, it only closes (the SOL bought by hand).
    const flat = await runCli(["--network", second.httpUrl, "--account", account, "flatten", "--yes"], {
      env: { HLCOPY_CONFIG_DIR: dir, HLCOPY_AGENT_KEY: agentKey },
      timeoutMs: 30_000,
    });
    // (It may warn of the cash that vanished with the old exchange; it refuses nothing.)
    expect(flat.stderr).not.toMatch(/^error:/m);
    expect(flat.code).toBe(0);
    expect(flat.stdout).toMatch(/SOL sell 1\/1 filled.*no position left/);
  });
});

describe("an exchange that forgot the account, with a journal that holds no fill yet", () => {
  it("a follow whose journal holds only figures (equity, high-water mark) refuses at its start (exit 2) on the new exchange", {
    timeout: 90_000,
  }, async () => {
    const { first, leader, account, file, follow, restart } = await restartWorld(61);

    // The first exchange: the leader has traded but holds nothing, so the copy holds nothing
    // either; the run journals its equity and high-water mark ($100 000), and no fill.
    await trade(clientOf(first, leader.address, leader.key), "ETH", "buy", 1);
    await trade(clientOf(first, leader.address, leader.key), "ETH", "sell", 1, true);
    const a = follow(first);
    await eventually(() => a.events.some((e) => e.type === "sweep"), 15_000);
    await a.engine.stop("test over");
    expect(await a.running).toBe(0);
    expect(a.journal.fillsSince(0)).toEqual([]);
    expect(a.journal.highWaterMark() ?? 0).toBeGreaterThan(99_000);
    a.journal.close();
    // A run on the same exchange goes on: the journal's anchor (the deposit) is still there.
    const again = follow(first);
    await eventually(() => again.events.some((e) => e.type === "sweep"), 15_000);
    expect(again.events.some((e) => e.type === "error")).toBe(false);
    await again.engine.stop("test over");
    expect(await again.running).toBe(0);
    again.journal.close();
    await first.close();

    // Restarted on the same port without its state; the trader funds $10 000 and approves again.
    // Measured against the journal's $100 000 mark this account is 90 % down: the kill switch
    // would close and halt it once the "unexplained" fall had waited 5 minutes for a ledger.
    const second = await restart(62);
    second.control.fund(leader.address, 1_000_000);
    await trade(clientOf(second, leader.address, leader.key), "BTC", "buy", 1);

    const b = follow(second);
    await eventually(() => b.events.some((e) => e.type === "stop" || e.type === "sweep"), 15_000);
    expect(b.events.some((e) => e.type === "sweep")).toBe(false);
    await b.engine.stop("test over");
    expect(await b.running).toBe(2);
    b.journal.close();
    const error = b.events.find((e) => e.type === "error");
    expect(error?.type === "error" && error.message).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+ has no record of 0x[0-9a-f]{40}'s deposit the journal's figures were taken beside \(\$100,000\.00 at .* UTC\): the exchange's account is not the one the journal was kept against/,
    );
    expect(error?.type === "error" && error.hint).toMatch(
      /move the journal aside \(mv .*\.sqlite .*\.sqlite\.bak\)/,
    );
    expect(b.events.some((e) => e.type === "state" || e.type === "decision" || e.type === "order")).toBe(
      false,
    );
    expect(second.control.orderHistory(account)).toEqual([]);
    const j = openJournal(file);
    try {
      // No equity from the new exchange was recorded beside the old mark, and no halt.
      expect(j.highWaterMark() ?? 0).toBeGreaterThan(99_000);
      expect(j.activeHalt()).toBeNull();
    } finally {
      j.close();
    }
  });
});
