// Our own deposits and withdrawals are not trading results: the kill switch and the daily loss
// limit must not fire on them (a withdrawal of 30 % used to halt the run and close everything),
// and a real loss of the same size must still halt. The engine against the in-process
// simulator: real signatures, the withdrawal through the exchange's own withdraw3 action.

import { describe, expect, it } from "vitest";
import type { EngineEvent } from "../../src/engine/events.js";
import { eventually } from "../exchange/helpers.js";
import { copySettings, startSimFollow, trade } from "../helpers/sim-engine.js";

/** A leader holding 5 BTC, and a follow of it at 10 % that has copied the position. */
async function following() {
  const t = await startSimFollow({ sim: { seed: 23 } });
  const { client, master } = t;
  await trade(t.leaderClient, "BTC", "buy", 5);
  // Kill switch at 25 % drawdown, daily loss limit 10 % (the defaults); sweeps only when the test asks.
  const { engine, events, run } = t.follow({ settings: copySettings((s) => (s.exec.sweepSeconds = 3600)) });
  const running = run();
  await eventually(async () => (await client.getAccountState(master.address)).positions.BTC?.size === 0.5);
  const sweeps = () => events.filter((e) => e.type === "sweep").length;
  /** A sweep (REST: our account and our ledger), awaited. */
  const sweep = async () => {
    const n = sweeps();
    engine.sweepNow();
    await eventually(() => sweeps() > n);
  };
  return { sim: t.sim, master, client, journal: t.journal, engine, events, running, sweep };
}

const halts = (events: EngineEvent[]) => events.filter((e) => e.type === "halt");
const lastState = (events: EngineEvent[]) =>
  events.filter((e): e is Extract<EngineEvent, { type: "state" }> => e.type === "state").at(-1);

describe("our own cash flows", () => {
  it("a withdrawal of 30 % through the exchange (withdraw3), then one more: no halt, no daily loss, no order; drawdown stays 0", async () => {
    const t = await following();
    const orders = t.sim.control.orderHistory(t.master.address).length;
    const value = (await t.client.getAccountState(t.master.address)).accountValue;
    await t.master.sdk.withdraw3({ destination: t.master.address, amount: String(Math.round(value * 0.3)) });
    await eventually(() =>
      t.events.some((e) => e.type === "notice" && e.kind === "cash-flow" && /sent out/.test(e.message)),
    );
    // The stream's account value and a sweep's REST read (account and ledger) agree: no halt.
    await eventually(
      async () => (await t.client.getAccountState(t.master.address)).accountValue < value * 0.75,
    );
    await t.sweep();
    // The control hook's withdrawal (the repro's) counts the same way: 30 % of what is left.
    t.sim.control.fund(t.master.address, -Math.round(value * 0.7 * 0.3));
    await eventually(() => t.events.filter((e) => e.type === "notice" && e.kind === "cash-flow").length >= 2);
    await t.sweep();
    expect(halts(t.events)).toEqual([]);
    expect(t.journal.activeHalt()).toBeNull();
    expect(t.sim.control.orderHistory(t.master.address)).toHaveLength(orders);
    expect(lastState(t.events)?.drawdownPct ?? 1).toBeLessThan(0.5);
    // The journal's figures (status, report) say the same: the mark moved with the withdrawals.
    const eq = t.journal.latestEquity();
    expect(eq && (eq.hwm - eq.accountValue) / eq.hwm).toBeLessThan(0.005);
    expect(t.journal.cashFlowTotal()).toBeCloseTo(-value * 0.3 - value * 0.7 * 0.3, -1);
    expect(await t.engine.stop("test over")).toBe(0);
    await t.running;
  });

  it("a real loss of 30 % (the price falls) still halts and closes everything", async () => {
    const t = await following();
    // 0.5 BTC on ~$100 000: a fall of 60 % loses ~30 % of the account.
    t.sim.control.setMid("BTC", (t.sim.control.mid("BTC") ?? 0) * 0.4);
    const halt = await eventually(() => halts(t.events).find((e) => e.kind === "kill-switch"));
    expect(halt.reason).toMatch(/drawdown/);
    await eventually(
      async () => (await t.client.getAccountState(t.master.address)).positions.BTC === undefined,
    );
    expect(t.journal.activeHalt()?.kind).toBe("kill-switch");
    await t.engine.stop("test over");
    await t.running;
  });
});
