// Our own deposits and withdrawals are not trading results: the kill switch and the daily loss
// limit must not fire on them (a withdrawal of 30 % used to halt the run and close everything),
// and a real loss of the same size must still halt. The engine against the in-process
// simulator: real signatures, the withdrawal through the exchange's own withdraw3 action.

import { describe, expect, it } from "vitest";
import type { EngineEvent } from "../../src/engine/events.js";
import { liveExecutor } from "../../src/engine/executor.js";
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
  return { ...t, engine, events, running, sweep };
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

  it("a withdrawal made in a drawdown (the repro: $1 000, ETH −10 %, BTC −7 %, then $400 out): no kill switch, nothing closed, the drawdown stays where it was", async () => {
    const t = await startSimFollow({ sim: { seed: 29 }, ourUsd: 1_000 });
    const { client, master } = t;
    await trade(t.leaderClient, "ETH", "buy", 1);
    await trade(t.leaderClient, "BTC", "buy", 0.028);
    // follow --mode fixed-ratio --ratio 0.3 --max-leverage 5 (kill switch 25 %, daily loss 10 %).
    const settings = copySettings((s) => {
      s.sizing.ratio = 0.3;
      s.risk.maxLeverage = 5;
      s.exec.sweepSeconds = 3600;
    });
    const { engine, events, run } = t.follow({ settings });
    const running = run();
    const held = async () => (await client.getAccountState(master.address)).positions;
    await eventually(async () => (await held()).ETH?.size === 0.3 && (await held()).BTC?.size === 0.0084);
    const sweep = async () => {
      const n = events.filter((e) => e.type === "sweep").length;
      engine.sweepNow();
      await eventually(() => events.filter((e) => e.type === "sweep").length > n);
    };
    t.sim.control.setMid("ETH", (t.sim.control.mid("ETH") ?? 0) * 0.9);
    t.sim.control.setMid("BTC", (t.sim.control.mid("BTC") ?? 0) * 0.93);
    await sweep();
    const before = lastState(events)?.drawdownPct ?? 0;
    expect(before).toBeGreaterThan(14);
    expect(before).toBeLessThan(20);
    t.sim.control.fund(master.address, -400);
    await eventually(() =>
      events.some(
        (e) => e.type === "notice" && e.kind === "cash-flow" && /sent out \$400\.00/.test(e.message),
      ),
    );
    await sweep();
    // Moving the mark by $400 made it ~26 % of a mark of ~600: the kill switch flattened the account.
    expect(halts(events).filter((e) => e.kind === "kill-switch")).toEqual([]);
    expect(t.journal.activeHalt()).toBeNull();
    expect(await held()).toMatchObject({ ETH: { size: 0.3 }, BTC: { size: 0.0084 } });
    expect(lastState(events)?.drawdownPct ?? 0).toBeCloseTo(before, 1);
    const eq = t.journal.latestEquity();
    expect(eq && ((eq.hwm - eq.accountValue) / eq.hwm) * 100).toBeCloseTo(before, 1);
    expect(await engine.stop("test over")).toBe(0);
    await running;
  });

  it("after withdrawals (one a run journaled, one made while none watched), a dry run and the live run come to the same verdict and figures", async () => {
    const t = await following();
    const settings = copySettings((s) => (s.exec.sweepSeconds = 3600));
    const value = (await t.client.getAccountState(t.master.address)).accountValue;
    t.sim.control.fund(t.master.address, -Math.round(value * 0.4));
    await eventually(() => t.events.some((e) => e.type === "notice" && e.kind === "cash-flow"));
    await t.sweep();
    expect(await t.engine.stop("test over")).toBe(0);
    await t.running;
    /** One sweep of a run over the account (a reconcile --yes, or --dry-run): its verdict and figures. */
    const sweepOf = async (mode: "live" | "dry-run") => {
      // A client of its own, as each hlcopy process has (its own request budget).
      const reader = t.ourClient();
      const f = t.follow({
        settings,
        mode,
        command: mode === "live" ? "reconcile" : "dry-run",
        reader,
        executor: mode === "live" ? liveExecutor(reader) : null,
      });
      f.engine.begin();
      const r = await f.engine.sweep("sweep", mode === "live");
      const state = lastState(f.events);
      await f.engine.stop("test over");
      return { halted: r.halted, halts: halts(f.events), hwm: state?.hwm, drawdownPct: state?.drawdownPct };
    };
    const dry = await sweepOf("dry-run");
    // It used to read the mark as the mark + the $40 000 withdrawn: "HALT kill-switch: drawdown 40%".
    expect(dry).toMatchObject({ halted: false, halts: [] });
    const live = await sweepOf("live");
    expect(live).toMatchObject({ halted: false, halts: [] });
    expect(dry.hwm).toBeCloseTo(live.hwm ?? 0, 2);
    expect(dry.drawdownPct).toBeCloseTo(live.drawdownPct ?? 0, 6);
    // Another withdrawal while no run watches: the dry run takes it from the ledger (writing
    // nothing), as the live run then does.
    const flows = t.journal.cashFlowsSince(0).length;
    t.sim.control.fund(t.master.address, -Math.round(value * 0.3));
    await eventually(
      async () => (await t.client.getAccountState(t.master.address)).accountValue < value * 0.35,
    );
    const dry2 = await sweepOf("dry-run");
    expect(t.journal.cashFlowsSince(0)).toHaveLength(flows);
    const live2 = await sweepOf("live");
    expect(t.journal.cashFlowsSince(0)).toHaveLength(flows + 1);
    expect(dry2).toMatchObject({ halted: false, halts: [] });
    expect(live2).toMatchObject({ halted: false, halts: [] });
    expect(dry2.hwm).toBeCloseTo(live2.hwm ?? 0, 2);
    expect(dry2.drawdownPct).toBeCloseTo(live2.drawdownPct ?? 0, 6);
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
