// A state's drawdown is the drawdown of the equity and high-water mark shown beside it — in the
// dashboard's header, the state line, `follow --json`'s state record and /metrics alike (the kill
// switch's formula, core/safety.ts lossPct, on the figures shown). A paper run values its account
// now, while the safety check's drawdown is of its last account update: against the simulator, a
// paper copy whose price then falls.

import { describe, expect, it } from "vitest";
import { lossPct } from "../../src/core/safety.js";
import { bookReaderOf, paperExecutor } from "../../src/engine/executor.js";
import { RunMetrics } from "../../src/metrics/registry.js";
import { eventRecord } from "../../src/ui/describe.js";
import { eventually } from "../exchange/helpers.js";
import {
  copySettings,
  lastState,
  lineView,
  orderTold,
  startSimFollow,
  trade,
} from "../helpers/sim-engine.js";

describe("drawdown beside the equity shown", () => {
  it("follow --json and /metrics say the drawdown of the state's own equity and hwm, as the dashboard does", {
    timeout: 60_000,
  }, async () => {
    const t = await startSimFollow({ sim: { seed: 71, fundingIntervalMs: 0 } });
    t.sim.control.setMid("BTC", 100_000);
    const f = t.follow({
      mode: "paper",
      command: "paper",
      executor: paperExecutor(bookReaderOf(t.client), { equity: 100_000 }),
      settings: copySettings((s) => (s.exec.sweepSeconds = 3600)),
    });
    const metrics = new RunMetrics();
    f.engine.events.on((e) => metrics.observe(e));
    const view = await lineView(t, f.engine.events, 250);
    const running = f.run();
    await eventually(() => f.events.some((e) => e.type === "sweep"));
    await trade(t.leaderClient, "BTC", "buy", 5);
    await orderTold(f.events, "BTC", "paper", 10_000);
    // The price falls 5 %: the paper account's equity is valued at it in every state.
    t.sim.control.setMid("BTC", 95_000);
    await trade(t.leaderClient, "ETH", "buy", 1);
    const state = await eventually(
      () =>
        lastState(
          f.events,
          (e) => e.mids?.BTC === 95_000 && e.account.positions.some((p) => p.coin === "ETH"),
        ),
      10_000,
    );
    const shown = lossPct(state.hwm ?? 0, state.account.accountValue);
    expect(shown).toBeGreaterThan(0.1); // 0.5 BTC down $5 000 of $100 000: ~2.5 %
    // The dashboard: of the figures it shows.
    await eventually(() => view.state().equity === state.account.accountValue);
    expect(view.state().drawdownPct).toBeCloseTo(shown, 9);
    // follow --json's state record: its drawdownPct is of its own equity and hwm.
    const record = eventRecord(state) as { equity: number; hwm: number; drawdownPct: number };
    expect(record.drawdownPct).toBeCloseTo(lossPct(record.hwm, record.equity), 9);
    // /metrics: the drawdown gauge beside the equity gauge.
    const text = metrics.render();
    const gauge = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1]);
    expect(gauge("hlcopy_equity_usd")).toBe(state.account.accountValue);
    expect(gauge("hlcopy_drawdown_pct")).toBeCloseTo(shown, 9);
    expect(await f.engine.stop("test over")).toBe(0);
    await running;
  });
});
