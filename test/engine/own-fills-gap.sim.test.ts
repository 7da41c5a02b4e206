// A follow journals our fills from its stream: the subscription's snapshot, then each live fill.
// The snapshot holds only the account's newest fills (userFills: 2,000), so a follow started
// after more fills than that were made while no run watched journaled the newest and never read
// the ones between the journal's last fill and the snapshot: fees, the copy P&L and the fills
// count missed them, silently. A snapshot that does not reach the journal's last fill now has
// the fills between read back.

import { describe, expect, it } from "vitest";
import { action, eventually } from "../exchange/helpers.js";
import { copySettings, startSimFollow, trade } from "../helpers/sim-engine.js";

describe("a follow's stream snapshot of our fills", () => {
  it("a follow started after 2,500 fills made by hand: the journal holds every one of them, not the snapshot's newest 2,000", async () => {
    const t = await startSimFollow({ sim: { seed: 37 } });
    await trade(t.leaderClient, "BTC", "buy", 1);
    const settings = copySettings((s) => {
      s.exec.sweepSeconds = 3600;
    });
    // An earlier run copied the leader and journaled its fills.
    const first = t.follow({ settings });
    const running = first.run();
    await eventually(async () => (await t.client.getAccountState(t.account)).positions.BTC?.size === 0.1);
    await eventually(() => t.journal.lastFillTime() !== null);
    await first.engine.stop("test over");
    await running;
    // While no run watched: ETH bought and sold back by hand, 2,500 times.
    const markets = await t.client.getMarkets();
    for (let i = 0; i < 25; i++) {
      const actions = Array.from({ length: 100 }, (_, k) =>
        action(markets, "ETH", k % 2 === 0 ? "buy" : "sell", 0.01),
      );
      await t.client.placeOrders(actions, markets);
    }
    const onExchange = (await t.client.getFillHistory(t.account, 0)).fills.length;
    expect(onExchange).toBeGreaterThan(2_500);
    const second = t.follow({ settings });
    const again = second.run();
    await eventually(() => second.events.some((e) => e.type === "sweep"));
    await second.engine.stop("test over");
    await again;
    expect(t.journal.fillsSince(0)).toHaveLength(onExchange);
    expect(
      second.events.filter((e) => e.type === "warning").map((e) => e.type === "warning" && e.message),
    ).toEqual([]);
  }, 60_000);
});
