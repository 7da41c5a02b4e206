// A start reads our account's ledger once: the anchor check (a journal with figures and no fill
// of its own: is the exchange still the one they were taken on?) and the safety rules (our
// deposits and withdrawals since the last journaled one) take their flows from one read. The
// first anchor is picked from a recent window of the ledger, not from its very beginning. A cash
// flow that lands after that read and before the sweep reads our account is read from the ledger
// once more (not held as a possible loss); a start without one still reads the ledger once.

import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { describe, expect, it, onTestFinished } from "vitest";
import { engineClient, streamsOpener } from "../../src/cli/wiring.js";
import type { AccountAnchor } from "../../src/core/fills.js";
import type { Address, Plan } from "../../src/core/types.js";
import { CopyEngine } from "../../src/engine/engine.js";
import { type EngineEvent, EngineEvents } from "../../src/engine/events.js";
import { liveExecutor } from "../../src/engine/executor.js";
import { ACCOUNT_ANCHOR_KEY } from "../../src/engine/start-checks.js";
import type { HlClient } from "../../src/exchange/index.js";
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
   * One run to its start sweep and stopped (a dry run: its start, the preflight; "preflight": a
   * live run's preflight — the plan the review shows —, then its run to the start sweep, as
   * `hlcopy follow` runs it; "once": a live run's one sweep without streams, as reconcile runs
   * it); what it read of /info by type, its events and the plan (the preflight's, the sweep's). `gap`: called once, as the run's first read of our ledger comes back — before the
   * sweep's read of our account (the start's ledger read is made first, by the anchor check).
   */
  const follow = async (mode: "live" | "preflight" | "dry-run" | "once" = "live", gap?: () => void) => {
    const c = hookFirstLedgerRead(client(account, agentKey), account, gap);
    const journal = openJournal(file);
    const events: EngineEvent[] = [];
    const bus = new EngineEvents();
    bus.on((e) => events.push(e));
    const engine = new CopyEngine({
      reader: c,
      executor: mode === "dry-run" ? null : liveExecutor(c),
      journal,
      settings: copySettings((s) => (s.exec.sweepSeconds = 3600)),
      leaders: [{ address: leader.address, weight: 1 }],
      account,
      network: sim.httpUrl,
      mode: mode === "dry-run" ? "dry-run" : "live",
      command: mode === "dry-run" ? "dry-run" : mode === "once" ? "reconcile" : "follow",
      events: bus,
    });
    sim.control.reset(); // counters only
    let code: number;
    let plan: Plan | null = null;
    if (mode === "dry-run") {
      plan = await engine.preflight();
      code = await engine.stop("test over");
    } else if (mode === "once") {
      engine.begin();
      await engine.recoverOrders();
      plan = (await engine.sweep("sweep", true)).plan;
      code = await engine.stop("test over");
    } else {
      if (mode === "preflight") plan = await engine.preflight();
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
    return { code, events, plan, ledgerReads: seen.userNonFundingLedgerUpdates ?? 0, anchor, lastCashFlow };
  };
  /** Funds our account: the simulator's times before and after (the ledger update's lies between). */
  const fund = (usd: number) => {
    const from = sim.control.now();
    sim.control.fund(account, usd);
    return { from, to: sim.control.now() };
  };
  const leaderTrade = (side: "buy" | "sell", size: number, reduceOnly = false) =>
    trade(client(leader.address, leader.key), "ETH", side, size, reduceOnly);
  return { sim, account, setShift: (ms: number) => (shift = ms), ready, follow, fund, leaderTrade };
}

/**
 * `client` as the engine's reader, `gap` called once when its first read of `account`'s ledger
 * has come back (before the caller sees it): the test acts between two of the run's requests,
 * on the simulator, with no timing involved. Everything else is the client's own.
 */
function hookFirstLedgerRead(client: HlClient, account: Address, gap?: () => void): HlClient {
  if (!gap) return client;
  let called = false;
  return new Proxy(client, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      // The engine reads our ledger with getLedgerHistory (getLedgerUpdates with how far it read).
      if (prop !== "getLedgerHistory") return value.bind(target);
      return async (user: Address, ...rest: unknown[]) => {
        const read = await value.call(target, user, ...rest);
        if (!called && user.toLowerCase() === account.toLowerCase()) {
          called = true;
          gap();
        }
        return read;
      };
    },
  });
}

type Run = Awaited<ReturnType<Awaited<ReturnType<typeof world>>["follow"]>>;

/** The run took a change of the cash for a possible loss and held its increases (the warning that says so). */
const heldWarning = (r: Run) =>
  r.events.some((e) => e.type === "warning" && /with no fill or ledger update to explain it/.test(e.message));
/** The plan buys ETH (the leader's 1 ETH at 10 %: an increase). */
const buysEth = (r: Run) =>
  r.plan?.actions.some((a) => a.coin === "ETH" && a.side === "buy" && !a.reduceOnly) ?? false;
/** An ETH order of the run filled (a start sweep sent the plan's buy). */
const filledEth = (r: Run) =>
  r.events.some((e) => e.type === "order" && e.coin === "ETH" && e.status === "filled");
/** The run's cash-flow notices whose text matches `text`. */
const cashFlowNotices = (r: Run, text: RegExp) =>
  r.events.filter((e) => e.type === "notice" && e.kind === "cash-flow" && text.test(e.message));

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
    expect(cashFlowNotices(b, /received \$5,000\.00/)).not.toHaveLength(0);

    // A dry run's start (its one read of the real account) checks the anchor and takes the
    // safety rules' flows from the same read: a deposit it has not seen scales its marks.
    w.fund(2_000);
    const dry = await w.follow("dry-run");
    expect(dry.code).toBe(0);
    expect(dry.events.some((e) => e.type === "error")).toBe(false);
    expect(dry.ledgerReads).toBe(1);
    expect(cashFlowNotices(dry, /received \$2,000\.00.*dry run/)).not.toHaveLength(0);
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

describe("a cash flow between the start's ledger read and its read of our account", () => {
  it("is read from the ledger once more, not held as a possible loss: a dry run and a live sweep; a start without one reads nothing more", {
    timeout: 120_000,
  }, async () => {
    const w = await world();
    w.sim.control.fund(w.account, 100_000);
    await w.ready();
    // The journal's first run: its anchor, its equity (with the cash the next runs go on from).
    const first = await w.follow();
    expect(first.code).toBe(0);
    expect(first.ledgerReads).toBe(1);
    // The leader holds 1 ETH: each run's plan buys 0.1 (an increase, which a hold keeps back).
    await w.leaderTrade("buy", 1);

    // No cash flow in the gap: the start's one read stands for the safety rules', nothing more.
    const plain = await w.follow("dry-run");
    expect(plain.code).toBe(0);
    expect(plain.ledgerReads).toBe(1);
    expect(heldWarning(plain)).toBe(false);
    expect(buysEth(plain)).toBe(true);

    // $20 000 out as the dry run starts (20 % of the account: past the 10 % daily loss limit if it
    // were a loss): read from the ledger once more, netted out, the increase planned.
    const dry = await w.follow("dry-run", () => w.sim.control.fund(w.account, -20_000));
    expect(dry.code).toBe(0);
    expect(heldWarning(dry)).toBe(false);
    expect(dry.ledgerReads).toBe(2);
    expect(buysEth(dry)).toBe(true);
    expect(cashFlowNotices(dry, /sent out \$20,000\.00.*dry run/)).not.toHaveLength(0);

    // A deposit in the gap holds nothing (a rise is no possible loss), but it is as unexplained:
    // read once more too. The flows the dry run takes: the withdrawal above (no dry run journals
    // it) and the deposit, −$20 000 + $10 000 (the start's read alone: −$20 000).
    const deposit = await w.follow("dry-run", () => w.sim.control.fund(w.account, 10_000));
    expect(deposit.code).toBe(0);
    expect(deposit.ledgerReads).toBe(2);
    expect(cashFlowNotices(deposit, /sent out \$10,000\.00.*dry run/)).not.toHaveLength(0);

    // The same as a live sweep (reconcile's) starts: the dry run's withdrawal is in the start's
    // read; the one in the gap comes with the second read; the increase is sent.
    let gap: { from: number; to: number } | null = null;
    const once = await w.follow("once", () => {
      gap = w.fund(-20_000);
    });
    expect(once.code).toBe(0);
    expect(heldWarning(once)).toBe(false);
    expect(once.ledgerReads).toBe(2);
    expect(buysEth(once)).toBe(true);
    expect(filledEth(once)).toBe(true);
    // The journal's newest cash flow is the one in the gap (its ledger time lies within it).
    const { from, to } = gap ?? { from: Number.NaN, to: Number.NaN };
    expect(once.lastCashFlow).toBeGreaterThanOrEqual(from);
    expect(once.lastCashFlow).toBeLessThanOrEqual(to);
  });

  it("a live follow's preflight (the plan its review shows) after a withdrawal made while no run watched: the start's ledger read explains it, the increase is planned; one read in all", {
    timeout: 120_000,
  }, async () => {
    const w = await world();
    w.sim.control.fund(w.account, 100_000);
    await w.ready();
    expect((await w.follow()).code).toBe(0);
    await w.leaderTrade("buy", 1);
    w.sim.control.fund(w.account, -20_000);
    const live = await w.follow("preflight");
    expect(live.code).toBe(0);
    expect(heldWarning(live)).toBe(false);
    expect(buysEth(live)).toBe(true);
    expect(live.ledgerReads).toBe(1);
    expect(cashFlowNotices(live, /sent out \$20,000\.00/)).toHaveLength(1);
    expect(filledEth(live)).toBe(true);
  });

  it("a journal that has traded: its live follow's review plan and start sweep take our cash flows from one read", {
    timeout: 120_000,
  }, async () => {
    const w = await world();
    w.sim.control.fund(w.account, 100_000);
    await w.ready();
    await w.leaderTrade("buy", 1);
    const first = await w.follow("preflight");
    expect(filledEth(first)).toBe(true);
    // The journal holds our fill now: the history check reads fills, not the ledger. A
    // withdrawal while no run watched, then the leader adds: the review's plan buys (the
    // withdrawal explained, not held), and the preflight's ledger read serves the start sweep.
    w.sim.control.fund(w.account, -20_000);
    await w.leaderTrade("buy", 1);
    const next = await w.follow("preflight");
    expect(next.code).toBe(0);
    expect(heldWarning(next)).toBe(false);
    expect(buysEth(next)).toBe(true);
    expect(next.ledgerReads).toBe(1);
    expect(cashFlowNotices(next, /sent out \$20,000\.00/)).toHaveLength(1);
  });
});
