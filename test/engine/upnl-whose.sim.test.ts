// The dashboard's uPnL column means one thing on every row: the copy's unrealised P&L at the mid
// — the `unrealised` of its P&L, beside the row's P&L — never, on a row none of whose position is
// hlcopy's, the trader's own. Against the simulator: hlcopy copies 1 ETH, the trader adds 0.5 ETH
// and buys 10 SOL by hand, then both rise.

import { describe, expect, it } from "vitest";
import { eventually } from "../exchange/helpers.js";
import {
  copySettings,
  lastState,
  lineView,
  orderTold,
  startSimFollow,
  trade,
} from "../helpers/sim-engine.js";

describe("uPnL, whose", () => {
  it("a row's uPnL is the copy's part (its P&L's unrealised); a position none of which is hlcopy's shows none", {
    timeout: 60_000,
  }, async () => {
    const t = await startSimFollow({ sim: { seed: 67, fundingIntervalMs: 0 } });
    t.sim.control.setMid("ETH", 3_000);
    t.sim.control.setMid("SOL", 150);
    const f = t.follow({ settings: copySettings((s) => (s.exec.sweepSeconds = 3600)) });
    const view = await lineView(t, f.engine.events, 250);
    const running = f.run();
    await eventually(() => f.events.some((e) => e.type === "sweep"));
    await trade(t.leaderClient, "ETH", "buy", 10);
    await orderTold(f.events, "ETH", "filled", 10_000);
    await trade(t.client, "ETH", "buy", 0.5);
    await trade(t.client, "SOL", "buy", 10);
    t.sim.control.setMid("ETH", 3_300);
    t.sim.control.setMid("SOL", 180);
    await f.engine.sweep("manual");
    const state = lastState(f.events, (e) => e.mids?.SOL === 180);
    expect(state).toBeDefined();
    const rows = await eventually(() => {
      const r = view.state().positions;
      return r.some((x) => x.coin === "SOL" && x.mid === 180) ? r : null;
    });
    const eth = rows.find((r) => r.coin === "ETH");
    const sol = rows.find((r) => r.coin === "SOL");
    // ETH: the copy's 1 of the 1.5 held — its P&L's unrealised, not the whole position's.
    const copyEth = state?.pnl?.byCoin.find((c) => c.coin === "ETH")?.unrealisedUsd;
    expect(copyEth).toBeGreaterThan(250);
    expect(eth?.ourSize).toBe(1.5);
    expect(eth?.upnl).toBe(copyEth);
    // SOL: all the trader's — no P&L of the copy, and no uPnL of it either (its ~$300 is theirs).
    expect(sol?.ourSize).toBe(10);
    expect(sol?.netPnl).toBeNull();
    expect(sol?.upnl).toBeNull();
    expect(await f.engine.stop("test over")).toBe(0);
    await running;
  });
});
