// A start reads our account's ledger once: the anchor check (a journal with figures and no fill
// of its own: is the exchange still the one they were taken on?) and the safety rules (our
// deposits and withdrawals since the last journaled one) take their flows from one read. The
// first anchor is picked from a recent window of the ledger, not from its very beginning.

import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { describe, expect, it, onTestFinished } from "vitest";
import { engineClient, streamsOpener } from "../../src/cli/wiring.js";
import type { AccountAnchor } from "../../src/core/fills.js";
import type { Address } from "../../src/core/types.js";
import { CopyEngine } from "../../src/engine/engine.js";
import { type EngineEvent, EngineEvents } from "../../src/engine/events.js";
import { liveExecutor } from "../../src/engine/executor.js";
import { ACCOUNT_ANCHOR_KEY } from "../../src/engine/start-checks.js";
import { startSim } from "../../src/sim/index.js";
import { journalPath, openJournal } from "../../src/store/journal.js";
import { eventually, fundedAccount } from "../exchange/helpers.js";
import { tempDir } from "../helpers/cli.js";
import { copySettings, trade } from "../helpers/sim-engine.js";

const DAY = 86_400_000;

/**
 * A simulator whose clock can be set back (`shift`), a funded leader that traded and holds
 * nothing (so the copy holds nothing: its journal gets figures and no fill), our master with no
 * funds yet (the test funds it) and `follow()`: a live engine run with one journal file (fixed
 * ratio: the leader's ledger is not read; sweeps an hour apart: only the start sweep).
 */
async function world() {
  let shift = 0;
  const sim = await startSim({ tickMs: 0, seed: 71, clock: () => Date.now() + shift });
  onTestFinished(() => sim.close());
  const leader = fundedAccount(sim, 1_000_000);
  const master = fundedAccount(sim, 0);
  const agentKey = generatePrivateKey();
  const account = master.address;
  const file = journalPath(tempDir(), account, sim.httpUrl);
  const client = (who: Address, key: `0x${string}`) =>
    engineClient({ httpUrl: sim.httpUrl, wsUrl: sim.wsUrl, isTestnet: false, account: who, agentKey: key });
  const ready = async () => {
    await master.sdk.approveAgent({
      agentAddress: privateKeyToAccount(agentKey).address,
      agentName: "hlcopy",
    });
    await trade(client(leader.address, leader.key), "ETH", "buy", 1);
    await trade(client(leader.address, leader.key), "ETH", "sell", 1, true);
  };
  /**
   * One run to its start sweep and stopped (a dry run: its start, the preflight); what it read of
   * /info by type, and its events.
   */
  const follow = async (mode: "live" | "dry-run" = "live") => {
    const c = client(account, agentKey);
    const journal = openJournal(file);
    const events: EngineEvent[] = [];
    const bus = new EngineEvents();
    bus.on((e) => events.push(e));
    const engine = new CopyEngine({
      reader: c,
      executor: mode === "live" ? liveExecutor(c) : null,
      journal,
      settings: copySettings((s) => (s.exec.sweepSeconds = 3600)),
      leaders: [{ address: leader.address, weight: 1 }],
      account,
      network: sim.httpUrl,
      mode,
      command: mode === "live" ? "follow" : "dry-run",
      events: bus,
    });
    sim.control.reset(); // counters only
    let code: number;
    if (mode === "dry-run") {
      await engine.preflight();
      code = await engine.stop("test over");
    } else {
      const running = engine.run(
        streamsOpener({ wsUrl: sim.wsUrl, isTestnet: false, leaders: [leader.address], account }),
      );
      await eventually(() => events.some((e) => e.type === "sweep" || e.type === "stop"), 15_000);
      await engine.stop("test over");
      code = await running;
    }
    const seen = sim.control.stats().infoByType;
    const anchor = journal.getCopyState<AccountAnchor>(ACCOUNT_ANCHOR_KEY);
    const lastCashFlow = journal.lastCashFlowTime();
    journal.close();
    return { code, events, ledgerReads: seen.userNonFundingLedgerUpdates ?? 0, anchor, lastCashFlow };
  };
  /** Funds our account: the simulator's times before and after (the ledger update's lies between). */
  const fund = (usd: number) => {
    const from = sim.control.now();
    sim.control.fund(account, usd);
    return { from, to: sim.control.now() };
  };
  return { sim, account, setShift: (ms: number) => (shift = ms), ready, follow, fund };
}

describe("a start reads our ledger once", () => {
  it("the anchor's read serves the safety rules: the first run's and each later one's", {
    timeout: 90_000,
  }, async () => {
    const w = await world();
    w.sim.control.fund(w.account, 100_000);
    await w.ready();

    // The journal's first run picks the anchor (the deposit) and takes the safety rules' flows
    // from the same read.
    const a = await w.follow();
    expect(a.code).toBe(0);
    expect(a.events.some((e) => e.type === "sweep")).toBe(true);
    expect(a.anchor).toMatchObject({ kind: "cash-flow", type: "deposit", usd: 100_000 });
    expect(a.ledgerReads).toBe(1);

    // A deposit while no run watched: the next run checks the anchor and nets the deposit out of
    // the safety rules' figures — both from its one read of the ledger.
    const deposit = w.fund(5_000);
    const b = await w.follow();
    expect(b.code).toBe(0);
    expect(b.events.some((e) => e.type === "error")).toBe(false);
    expect(b.events.some((e) => e.type === "sweep")).toBe(true);
    expect(b.anchor).toEqual(a.anchor);
    expect(b.ledgerReads).toBe(1);
    expect(b.lastCashFlow).toBeGreaterThanOrEqual(deposit.from);
    expect(b.lastCashFlow).toBeLessThanOrEqual(deposit.to);
    expect(
      b.events.some(
        (e) => e.type === "notice" && e.kind === "cash-flow" && /received \$5000/.test(e.message),
      ),
    ).toBe(true);

    // A dry run's start (its one read of the real account) checks the anchor and takes the
    // safety rules' flows from the same read: a deposit it has not seen scales its marks.
    w.fund(2_000);
    const dry = await w.follow("dry-run");
    expect(dry.code).toBe(0);
    expect(dry.events.some((e) => e.type === "error")).toBe(false);
    expect(dry.ledgerReads).toBe(1);
    expect(
      dry.events.some(
        (e) => e.type === "notice" && e.kind === "cash-flow" && /received \$2000.*dry run/.test(e.message),
      ),
    ).toBe(true);
  });

  it("the first anchor comes from a recent window of a long ledger, not from its beginning", {
    timeout: 90_000,
  }, async () => {
    const w = await world();
    // 2000 old ledger updates (a full page: read from time 0, the ledger takes two requests),
    // then the deposit that funds the copy.
    w.setShift(-400 * DAY);
    for (let i = 0; i < 2000; i++) w.sim.control.fund(w.account, 1);
    w.setShift(0);
    const deposit = w.fund(100_000);
    await w.ready();

    const a = await w.follow();
    expect(a.code).toBe(0);
    expect(a.anchor).toMatchObject({ kind: "cash-flow", type: "deposit", usd: 100_000 });
    expect(a.anchor?.time).toBeGreaterThanOrEqual(deposit.from);
    expect(a.anchor?.time).toBeLessThanOrEqual(deposit.to);
    expect(a.ledgerReads).toBe(1);
  });

  it("a ledger with no recent cash flow is read whole for the first anchor", {
    timeout: 90_000,
  }, async () => {
    const w = await world();
    w.setShift(-400 * DAY);
    w.fund(60_000);
    const deposit = w.fund(40_000);
    w.setShift(0);
    await w.ready();

    const a = await w.follow();
    expect(a.code).toBe(0);
    // The newest of the two.
    expect(a.anchor).toMatchObject({ kind: "cash-flow", type: "deposit", usd: 40_000 });
    expect(a.anchor?.time).toBeGreaterThanOrEqual(deposit.from);
    expect(a.anchor?.time).toBeLessThanOrEqual(deposit.to);
    // The recent window (empty), then the whole ledger (one page).
    expect(a.ledgerReads).toBe(2);
  });
});
