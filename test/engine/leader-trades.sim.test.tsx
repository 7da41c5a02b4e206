// The leader's trades, each counted once and in one bucket, the same in every view: a scripted
// leader on the simulator makes a burst of orders merged into one plan, a trade inside the
// deadband, one too small to copy and one whose copy's IOC finds the book empty. The run's
// summary (follow --json's last line), the closing line and the header say the same buckets,
// and they add up to the leader's orders that filled.

import { describe, expect, it } from "vitest";
import { closingSummary } from "../../src/cli/follow/run.js";
import { Header } from "../../src/ui/Header.js";
import { initialDashboardState, reduceDashboard } from "../../src/ui/model.js";
import { action, eventually } from "../exchange/helpers.js";
import { copySettings, lineView, orderTold, startSimFollow } from "../helpers/sim-engine.js";
import { render } from "../ui/ink-render.js";

describe("the leader's trades a follow saw", () => {
  it("land each in one bucket — a merged burst copied whole, one in line, one skipped, one missed — and add up everywhere", async () => {
    // A thin book that does not refill within the test: the leader can empty a side of it.
    const t = await startSimFollow({ sim: { seed: 31, depthUsd: 200_000, refillMs: 1e12 } });
    const settings = copySettings((s) => {
      s.exec.sweepSeconds = 3600;
      s.exec.deadbandPct = 5;
    });
    const f = t.follow({ settings });
    const view = await lineView(t, f.engine.events);
    const running = f.run();
    await eventually(() => f.events.some((e) => e.type === "sweep"));
    const markets = await t.leaderClient.getMarkets();
    const leaderOrders: number[] = [];
    const place = async (orders: ReturnType<typeof action>[]) => {
      const results = await t.leaderClient.placeOrders(orders, markets);
      for (const r of results) {
        expect(r.filledSize).toBeGreaterThan(0);
        leaderOrders.push(r.oid ?? -1);
      }
    };
    const summary = () => view.summary();

    // A burst: three ETH orders in one request, one fills message, one plan, one copy order.
    await place([
      action(markets, "ETH", "buy", 1),
      action(markets, "ETH", "buy", 1.5),
      action(markets, "ETH", "buy", 2),
    ]);
    await orderTold(f.events, "ETH");
    await eventually(() => summary().copiedTrades === 3);

    // Inside the deadband: 0.1 ETH more wants 0.01 ETH of us, under 5 % of a 0.46 ETH target.
    await place([action(markets, "ETH", "buy", 0.1)]);
    await eventually(() => summary().inLineTrades === 1);

    // Too small to copy: $5 of SOL, under the exchange's $10 minimum.
    const solSize = Number((50 / (markets.SOL?.mid ?? 1)).toFixed(2));
    await place([action(markets, "SOL", "buy", solSize)]);
    await eventually(() => summary().skippedTrades === 1);

    // The leader empties BTC's ask side (its IOC walks every level): our copy's IOC finds nothing.
    const btcSize = Number((250_000 / (markets.BTC?.mid ?? 1)).toFixed(4));
    await place([action(markets, "BTC", "buy", btcSize)]);
    await eventually(() => summary().missedTrades === 1);

    await f.engine.stop("done");
    await running;

    // Six leader orders filled (one of them in twenty fills, one per level it crossed).
    expect(new Set(leaderOrders).size).toBe(6);
    expect(f.events.filter((e) => e.type === "leaderFill" && e.coin === "BTC").length).toBeGreaterThan(1);
    // The burst was one plan and one order of ours.
    const ethCopies = f.events.filter((e) => e.type === "order" && e.coin === "ETH" && e.kind === "copy");
    expect(ethCopies.map((e) => e.type === "order" && e.status)).toEqual(["filled"]);
    const btc = f.events.filter((e) => e.type === "order" && e.coin === "BTC");
    expect(btc.map((e) => e.type === "order" && e.status)).toContain("rejected");

    const s = summary();
    expect(s).toMatchObject({
      leaderTrades: 6,
      copiedTrades: 3,
      inLineTrades: 1,
      skippedTrades: 1,
      missedTrades: 1,
      plannedTrades: 0,
      inFlightTrades: 0,
      skipped: { "below-min-notional": 1 },
    });
    expect(
      s.copiedTrades + s.inLineTrades + s.skippedTrades + s.missedTrades + s.plannedTrades + s.inFlightTrades,
    ).toBe(s.leaderTrades);

    // The closing line (follow --no-ui, the dashboard's exit) says the same buckets.
    expect(closingSummary(s, { eventLines: true }).split("\n")[0]).toContain(
      "leader trades 6: copied 3, in line 1, missed 1, skipped 1 (below-min-notional 1);",
    );
    // And the header, from the same events.
    const state = f.events.reduce(reduceDashboard, initialDashboardState());
    const r = render(<Header state={state} width={240} />);
    const header = r.lastFrame() ?? "";
    r.unmount();
    expect(header).toContain(
      "leader trades 6: copied 3, in line 1, missed 1, skipped 1 (below-min-notional 1)",
    );
  });
});
