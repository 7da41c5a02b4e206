// A portfolio cap keeps the leader's proportions with one factor (design §4): a coin held above
// its target inside the deadband must not take the room a new leader coin's target needs.
// Before the fix the leader's new LINK was never copied ("no room … not sent"), its target
// shown 0 with $0 drift, and the sweep said "in sync" (issue M5).

import { describe, expect, it } from "vitest";
import { eventually } from "../exchange/helpers.js";
import { copySettings, startSimFollow, trade } from "../helpers/sim-engine.js";

describe("a binding risk.maxLeverage", () => {
  it("a new leader coin is copied: the coin held above its scaled target inside the deadband is brought down to make room", async () => {
    const t = await startSimFollow({ sim: { seed: 41 }, ourUsd: 10_000, leaderUsd: 1_000_000 });
    const markets = await t.leaderClient.getMarkets();
    const btc = markets.BTC?.mid ?? 0;
    const link = markets.LINK?.mid ?? 0;
    // The leader's BTC $120k × 0.1 = $12k: over our 1× $10k, so the copy is ×0.83 of it.
    await trade(t.leaderClient, "BTC", "buy", Number((120_000 / btc).toFixed(5)));
    const settings = copySettings((s) => {
      s.risk.maxLeverage = 1;
      s.exec.deadbandPct = 5;
    });
    const { engine } = t.follow({ settings });
    engine.begin();
    const first = await engine.sweep("start");
    expect(first.results.map((r) => [r.coin, r.side, r.status])).toEqual([["BTC", "buy", "filled"]]);

    // The leader buys LINK $5k: every target ×0.8, BTC now ~$400 above its target (inside its
    // ~$480 deadband) — and that excess is all the room there is.
    await trade(t.leaderClient, "LINK", "buy", Math.round(5_000 / link));
    const second = await engine.sweep("sweep");
    expect(second.results.map((r) => [r.coin, r.side, r.reduceOnly, r.status])).toEqual([
      ["BTC", "sell", true, "filled"],
      ["LINK", "buy", false, "filled"],
    ]);
    const linkTarget = second.plan.targets.find((x) => x.coin === "LINK");
    expect(linkTarget?.targetSize).toBeGreaterThan(0);
    expect(second.plan.skipped.filter((s) => s.reason === "cap-no-room")).toEqual([]);

    // Read again: in sync, within the cap, each coin the same fraction of the leader's.
    const again = await engine.sweep("sweep", false);
    expect(again.plan.actions).toEqual([]);
    expect(again.plan.inSync).toBe(true);
    const ours = await t.client.getAccountState(t.account);
    const gross = Object.values(ours.positions).reduce(
      (sum, p) => sum + Math.abs(p.size) * (markets[p.coin]?.mid ?? 0),
      0,
    );
    expect(gross).toBeLessThanOrEqual(ours.accountValue * 1.001);
    const fraction = (coin: string) => {
      const x = again.plan.targets.find((y) => y.coin === coin);
      return (x?.targetSize ?? 0) / ((x?.leaderSize ?? 1) * 0.1);
    };
    expect(Math.abs(fraction("BTC") - fraction("LINK"))).toBeLessThan(0.01);
  });

  it("follow: the leader's fill the hot path has no room for says so (cap-no-room, not in sync) and a sweep copies it at once", async () => {
    const t = await startSimFollow({ sim: { seed: 42 }, ourUsd: 10_000, leaderUsd: 1_000_000 });
    const markets = await t.leaderClient.getMarkets();
    await trade(t.leaderClient, "BTC", "buy", Number((120_000 / (markets.BTC?.mid ?? 0)).toFixed(5)));
    const settings = copySettings((s) => {
      s.risk.maxLeverage = 1;
      s.exec.deadbandPct = 5;
      s.exec.sweepSeconds = 3600; // no regular sweep during the test
    });
    const f = t.follow({ settings });
    void f.run();
    await eventually(async () => (await t.client.getAccountState(t.account)).positions.BTC);
    await trade(t.leaderClient, "LINK", "buy", Math.round(5_000 / (markets.LINK?.mid ?? 0)));
    const held = await eventually(() =>
      f.events.find(
        (e) =>
          e.type === "decision" &&
          e.trigger === "fill" &&
          e.plan.skipped.some((s) => s.reason === "cap-no-room"),
      ),
    );
    if (held.type !== "decision") throw new Error("not a decision");
    expect(held.plan.inSync).toBe(false);
    expect(held.plan.targets.find((x) => x.coin === "LINK")?.targetSize).toBeGreaterThan(0);
    // The sweep it asked for brings BTC down and copies LINK.
    const link = await eventually(async () => (await t.client.getAccountState(t.account)).positions.LINK);
    expect(link.size).toBeGreaterThan(0);
  });
});
