// A paper run's account through the safety rules as a live run's is. A live run's account stream
// brings the exchange's account value to them several times a second; a paper account has no
// stream, and its sweeps (every exec.sweepSeconds: 30 s by default) were its only readings: the
// kill switch acted up to a sweep late, and `status` after the run showed the last sweep's
// equity beside the P&L of the run's end. Now its value is read after each of its fills and at
// the run's end. Against the simulator, a paper copy whose price then falls.

import { describe, expect, it } from "vitest";
import type { EngineEvent } from "../../src/engine/events.js";
import { bookReaderOf, paperExecutor } from "../../src/engine/executor.js";
import { eventually } from "../exchange/helpers.js";
import { copySettings, lastState, orderTold, startSimFollow, trade } from "../helpers/sim-engine.js";

describe("a paper run's account and the safety rules", () => {
  it("its kill switch acts on the equity its next fill leaves, not at the next sweep: halted and closed with no sweep between", {
    timeout: 60_000,
  }, async () => {
    const t = await startSimFollow({ sim: { seed: 72, fundingIntervalMs: 0 }, journal: "file" });
    t.sim.control.setMid("BTC", 100_000);
    const f = t.follow({
      mode: "paper",
      command: "paper",
      executor: paperExecutor(bookReaderOf(t.client), { equity: 100_000 }),
      settings: copySettings((s) => {
        s.exec.sweepSeconds = 3600;
        s.risk.maxDrawdownPct = 2;
      }),
    });
    const running = f.run();
    await eventually(() => f.events.some((e) => e.type === "sweep"));
    await trade(t.leaderClient, "BTC", "buy", 5); // ours: 0.5 BTC, $50 000 of $100 000
    await orderTold(f.events, "BTC", "paper", 10_000);
    // BTC falls 5 %: the paper account is down ~$2 500 (2.5 %), past the 2 % kill switch.
    t.sim.control.setMid("BTC", 95_000);
    await trade(t.leaderClient, "ETH", "buy", 1);
    const halt = await eventually(
      () => f.events.find((e) => e.type === "halt" && e.kind === "kill-switch"),
      10_000,
    );
    expect(halt).toMatchObject({ type: "halt", kind: "kill-switch" });
    // The halt's closes: every paper position flat (no regular sweep is due: exec.sweepSeconds 3600).
    const haltAt = f.events.indexOf(halt as EngineEvent);
    await eventually(
      () => f.events.slice(haltAt).some((e) => e.type === "state" && e.account.positions.length === 0),
      10_000,
    );
    expect(t.journal.activeHalt()?.kind).toBe("kill-switch");
    await f.engine.stop("test over");
    await running;
  });

  it("the run's end journals the equity its fills and the mids left: status's equity is the one beside the run's final P&L", {
    timeout: 60_000,
  }, async () => {
    const t = await startSimFollow({ sim: { seed: 73, fundingIntervalMs: 0 }, journal: "file" });
    t.sim.control.setMid("BTC", 100_000);
    const f = t.follow({
      mode: "paper",
      command: "paper",
      executor: paperExecutor(bookReaderOf(t.client), { equity: 100_000 }),
      settings: copySettings((s) => (s.exec.sweepSeconds = 3600)),
    });
    const running = f.run();
    await eventually(() => f.events.some((e) => e.type === "sweep"));
    await trade(t.leaderClient, "BTC", "buy", 5);
    await orderTold(f.events, "BTC", "paper", 10_000);
    // The price moves with no fill of ours after it: only the run's end values the account at it.
    t.sim.control.setMid("BTC", 99_000);
    await eventually(() => lastState(f.events, (e) => e.mids?.BTC === 99_000), 10_000);
    expect(await f.engine.stop("test over")).toBe(0);
    await running;
    const final = lastState(f.events, () => true);
    expect(final).toBeDefined();
    const equity = t.journal.latestEquity();
    // ~$500 down on 0.5 BTC: not the $100 000 the start's sweep read.
    expect(equity?.accountValue).toBeLessThan(99_700);
    expect(equity?.accountValue).toBeCloseTo(final?.account.accountValue ?? 0, 6);
  });
});
