// A follow journals our funding payments and our ledger (deposits, withdrawals, transfers) from
// their streams too: each subscription's snapshot, then each live record. A snapshot holds only
// the account's newest records (the simulator's, as mainnet's: 2,000), so where more were made
// than that since what the journal (or the last read of the ledger) holds — while no run watched,
// or while the connection was down — the snapshot's newest were journaled and the records between
// never read: their time moved the next read's start past them. A funding payment missed is
// missing from the copy P&L; a withdrawal missed is a fall of the cash the ledger never explains,
// counted as a trading loss after 5 minutes (the kill switch could close everything on it). A
// snapshot that does not reach back to where the journal's records end now has the records
// between read back. And a read of our ledger that stopped at its page cap holds the next read's
// start there: a deposit the stream journaled meanwhile moved it past the entries never read.

import { describe, expect, it } from "vitest";
import type { Address } from "../../src/core/types.js";
import { liveExecutor } from "../../src/engine/executor.js";
import { eventually } from "../exchange/helpers.js";
import { copySettings, startSimFollow, trade } from "../helpers/sim-engine.js";

const settings = copySettings((s) => {
  s.exec.sweepSeconds = 3600; // sweeps only at the start and when a reconnect asks for one
});

describe("a follow's stream snapshots of our funding and ledger", () => {
  it("a follow started after 2,100 funding payments made while no run watched journals every one, not the snapshot's newest 2,000", async () => {
    let bump = 0;
    // Each payment a millisecond apart (funding is read by time).
    const t = await startSimFollow({ sim: { seed: 53, clock: () => Date.now() + bump } });
    await trade(t.leaderClient, "BTC", "buy", 1);
    // An earlier run copied the leader and journaled a payment on the copy.
    const first = t.follow({ settings });
    await first.engine.preflight();
    const running = first.run();
    await eventually(async () => (await t.client.getAccountState(t.account)).positions.BTC?.size === 0.1);
    bump += 1;
    t.sim.control.runFunding();
    await eventually(() => t.journal.lastFundingTime() !== null);
    await first.engine.stop("test over");
    await running;
    // While no run watched: 2,100 hourly payments on the position it left.
    for (let i = 0; i < 2_100; i++) {
      bump += 1;
      t.sim.control.runFunding();
    }
    bump += 1;
    const paid = await t.client.getFunding(t.account, 0);
    expect(paid).toHaveLength(2_101);
    // As follow starts: the start checks and the plan (preflight), then the streams and the sweep.
    const second = t.follow({ settings });
    await second.engine.preflight();
    const again = second.run();
    await eventually(() => second.events.some((e) => e.type === "sweep"));
    await second.engine.stop("test over");
    await again;
    // A payment is known by its time and coin (the stream's carry no hash).
    const key = (p: { ts?: number; time?: number; coin: string }) => `${p.ts ?? p.time}|${p.coin}`;
    expect(new Set(t.journal.fundingSince(0).map(key))).toEqual(new Set(paid.map(key)));
    expect(second.events.filter((e) => e.type === "warning")).toEqual([]);
  }, 60_000);

  it("2,101 ledger entries made while the connection was down (a withdrawal the oldest): the reconnect's snapshot of the newest 2,000 does not hide it", async () => {
    let bump = 0;
    const t = await startSimFollow({ sim: { seed: 59, clock: () => Date.now() + bump } });
    await trade(t.leaderClient, "BTC", "buy", 1);
    const f = t.follow({ settings });
    await f.engine.preflight();
    const running = f.run();
    await eventually(() => f.events.some((e) => e.type === "sweep"));
    const from = t.sim.control.now() + 1;
    const sweeps = () => f.events.filter((e) => e.type === "sweep").length;
    const swept = sweeps();
    // The reconnect's sweep reads the exchange slowly (a slow link): the snapshot comes first.
    t.sim.control.fault({ kind: "latency", ms: 300, endpoint: "info" });
    // The connection drops; before it is back (this loop runs in one turn of the event loop), a
    // withdrawal, then 2,100 deposits: the snapshot on resubscribing holds the deposits only.
    t.sim.control.fault({ kind: "dropWs" });
    bump += 1;
    t.sim.control.fund(t.account, -500);
    for (let i = 0; i < 2_100; i++) {
      bump += 1;
      t.sim.control.fund(t.account, 1);
    }
    bump += 1;
    await eventually(() => f.events.some((e) => e.type === "reconnect"), 15_000);
    await eventually(() => sweeps() > swept, 15_000);
    t.sim.control.fault({ kind: "latency", ms: 0, endpoint: "info" });
    const flows = t.journal.cashFlowsSince(from);
    expect(flows).toHaveLength(2_101);
    expect(flows.filter((x) => x.usd < 0).map((x) => x.usd)).toEqual([-500]);
    await f.engine.stop("test over");
    await running;
    // Nothing said of the ledger or the cash (the drop may be said: a book not streamed meanwhile).
    const said = f.events.flatMap((e) => (e.type === "warning" ? [e.message] : []));
    expect(said.filter((m) => /ledger|cash/.test(m))).toEqual([]);
  }, 60_000);

  it("a read of our ledger stopped at its page cap: the next read starts where it stopped, though the stream journaled a newer deposit meanwhile", async () => {
    let bump = 0;
    const t = await startSimFollow({ sim: { seed: 61, clock: () => Date.now() + bump } });
    await trade(t.leaderClient, "BTC", "buy", 1);
    const reader = t.ourClient();
    /** While `capping`: each read of our ledger returns its first two entries only, as stopped at its page cap there. */
    let capping = false;
    const capped = new Proxy(reader, {
      get(target, prop) {
        const value: unknown = Reflect.get(target, prop, target);
        if (typeof value !== "function") return value;
        if (prop !== "getLedgerHistory") return value.bind(target);
        return async (user: Address, startTime: number) => {
          const read = await reader.getLedgerHistory(user, startTime);
          const second = read.flows[1];
          if (!capping || !second) return read;
          return { flows: read.flows.filter((f) => f.time <= second.time), through: second.time };
        };
      },
    });
    const f = t.follow({ settings, reader: capped, executor: liveExecutor(reader) });
    await f.engine.preflight();
    const running = f.run();
    const sweeps = () => f.events.filter((e) => e.type === "sweep").length;
    await eventually(() => sweeps() > 0);
    const from = t.sim.control.now() + 1;
    // 12 deposits the stream does not bring (its channel muted): the sweep's reads bring six.
    t.sim.control.fault({ kind: "muteChannel", channel: "userNonFundingLedgerUpdates", ms: 60_000 });
    for (let i = 0; i < 12; i++) {
      bump += 1;
      t.sim.control.fund(t.account, 10);
    }
    capping = true;
    let swept = sweeps();
    f.engine.sweepNow();
    await eventually(() => sweeps() > swept);
    expect(t.journal.cashFlowsSince(from)).toHaveLength(6);
    // The stream again: a 13th deposit, journaled as it comes, newer than every one not read.
    capping = false;
    t.sim.control.reset();
    bump += 1;
    t.sim.control.fund(t.account, 10);
    await eventually(() => t.journal.cashFlowsSince(from).length === 7);
    swept = sweeps();
    f.engine.sweepNow();
    await eventually(() => sweeps() > swept);
    expect(t.journal.cashFlowsSince(from)).toHaveLength(13);
    await f.engine.stop("test over");
    await running;
  }, 60_000);
});
