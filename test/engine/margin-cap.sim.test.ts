// The account's initial margin is a cap (core/caps.ts): the exchange margins each coin at its
// leverage setting — auto = ceil(risk.maxLeverage) + 1, but never above the coin's own maximum —
// so with HYPE (10× at most) under --max-leverage 15 a copy of a leader at HYPE ~8.5× and BTC 5×
// needed more margin than the account had. Before the fix both orders were planned at the
// leader's proportions within the 15× cap, and the exchange refused the last one ("Insufficient
// margin to place order.") again on every sweep: drift that never closes. Now every target is
// scaled by one factor to what the margin backs, said as margin-cap, and nothing is refused.

import { describe, expect, it } from "vitest";
import { copySettings, startSimFollow, trade } from "../helpers/sim-engine.js";

describe("the account's margin caps the copy", () => {
  it("a leader at HYPE 8.5× and BTC 5× under --max-leverage 15: the orders are scaled to the margin (margin-cap), none is refused, and the copy settles in sync", async () => {
    const t = await startSimFollow({
      sim: { seed: 7, refillMs: 0 },
      leaderUsd: 100_000,
      ourUsd: 10_000,
    });
    const markets = await t.leaderClient.getMarkets();
    const btc = markets.BTC;
    const hype = markets.HYPE;
    if (!btc || !hype) throw new Error("the simulator lists BTC and HYPE");
    expect(hype.maxLeverage).toBe(10);
    // The leader: HYPE $850k at its 10× ($85k margin), BTC $500k at 40× ($12.5k) on $100k.
    await t.leaderClient.updateLeverage({ coin: "BTC", assetId: btc.assetId, leverage: 40, isCross: true });
    await trade(t.leaderClient, "HYPE", "buy", Number((850_000 / hype.mid).toFixed(hype.szDecimals)));
    await trade(t.leaderClient, "BTC", "buy", Number((500_000 / btc.mid).toFixed(btc.szDecimals)));

    // Ours: 10 % of the leader — HYPE $85k + BTC $50k = 13.5× $10k, inside risk.maxLeverage 15;
    // but at HYPE 10× and BTC 16× it needs $8.5k + $3.1k of margin.
    const settings = copySettings((s) => {
      s.risk.maxLeverage = 15;
      s.exec.sweepSeconds = 3600;
    });
    const { engine, events } = t.follow({ settings });
    engine.begin();
    const first = await engine.sweep("start");
    expect(first.results.map((r) => [r.coin, r.side, r.status])).toEqual([
      ["BTC", "buy", "filled"],
      ["HYPE", "buy", "filled"],
    ]);
    const notes = first.plan.skipped.filter((s) => s.reason === "margin-cap");
    expect(notes.map((s) => s.coin)).toEqual(["BTC", "HYPE"]);
    expect(notes[0]?.detail).toContain("for the account's margin");
    const scale = first.plan.marginCap?.targetScale ?? 1;
    expect(scale).toBeLessThan(0.9);
    expect(scale).toBeGreaterThan(0.7);
    // Each target is the same fraction of the copy (the leader's proportions kept).
    for (const x of first.plan.targets) {
      expect(x.targetSize / (x.leaderSize * 0.1)).toBeCloseTo(scale, 3);
    }

    // The exchange's own figures: the margin the positions hold is inside the account value.
    const ours = await t.client.getAccountState(t.account);
    const used = Object.values(ours.positions).reduce(
      (sum, p) => sum + (Math.abs(p.size) * (markets[p.coin]?.mid ?? 0)) / (p.leverage ?? 1),
      0,
    );
    expect(ours.positions.HYPE?.leverage).toBe(10);
    expect(ours.positions.BTC?.leverage).toBe(16);
    expect(used).toBeLessThanOrEqual(ours.accountValue);

    // Read again: nothing to do, in sync (a cap is a standing decision, not drift).
    const again = await engine.sweep("sweep", false);
    expect(again.plan.actions).toEqual([]);
    expect(again.plan.inSync).toBe(true);
    // No order was ever refused: every order the run sent filled.
    const orders = events.flatMap((e) => (e.type === "order" ? [[e.coin, e.status, e.error ?? null]] : []));
    expect(orders).toEqual([
      ["BTC", "filled", null],
      ["HYPE", "filled", null],
    ]);
  });
});
