// A dry run models what a live run would do: its IOC orders fill as paper's do — at the book's
// prices up to their limit, the part the book does not hold at or inside the limit not filled —
// not in full at the limit price (which paid the whole slippage allowance on every order).
// Nothing is sent and nothing is journaled.

import { describe, expect, it } from "vitest";
import type { Settings } from "../../src/core/settings.js";
import { PAPER_TAKER_FEE_BPS, paperExecutor } from "../../src/engine/executor.js";
import { action } from "../exchange/helpers.js";
import { copySettings, startSimFollow } from "../helpers/sim-engine.js";

function settings(patch: (s: Settings) => void = () => {}): Settings {
  return copySettings((s) => {
    s.exec.sweepSeconds = 3600;
    patch(s);
  });
}

async function dryRun(leaderSol: number, s: Settings) {
  // A static book ($10 000 a level, 20 levels a side, never depleted): every read of it — the
  // dry run's, paper's, the test's — sees the same levels.
  const t = await startSimFollow({ sim: { seed: 3, depthUsd: 200_000, refillMs: 0 }, ourUsd: 1_000_000 });
  t.sim.control.setMid("SOL", 100);
  const { sim, leaderClient, journal } = t;
  const markets = await leaderClient.getMarkets();
  const [opened] = await leaderClient.placeOrders(
    [action(markets, "SOL", "buy", leaderSol, { slipBps: 100 })],
    markets,
  );
  expect(opened?.status).toBe("filled");
  // A dry run signs nothing: our client has no key.
  const client = t.ourClient({ agentKey: undefined });
  const { engine, events } = t.follow({
    reader: client,
    executor: null,
    settings: s,
    mode: "dry-run",
    command: "dry-run",
  });
  engine.begin();
  const book = async () => {
    const levels = (await client.getTopOfBook("SOL")).levels;
    if (!levels) throw new Error("no book");
    return levels;
  };
  const lastState = () => {
    const last = events.filter((e) => e.type === "state").at(-1);
    if (last?.type !== "state") throw new Error("no state event");
    return last;
  };
  return { sim, engine, client, journal, events, ours: t.master, book, lastState };
}

describe("a dry run's orders fill as a live IOC would", () => {
  it("at the book's prices, not at the limit: the modeled P&L pays the spread and the fee, not the slippage allowance", async () => {
    const t = await dryRun(
      100,
      settings((x) => (x.sizing.ratio = 0.1)),
    );
    const r = await t.engine.sweep("start");
    const [order] = r.results;
    if (!order) throw new Error("no order modeled");
    expect(order).toMatchObject({ coin: "SOL", side: "buy", size: 10, status: "filled", filledSize: 10 });
    const bestAsk = (await t.book()).asks[0]?.px ?? 0;
    // The whole 10 SOL sit at the best ask: that is the price, well inside the limit.
    expect(order.avgPx).toBe(bestAsk);
    expect(order.limitPx).toBeGreaterThan(bestAsk);
    // The same order through paper's fill model: the same fill (one model for both).
    const markets = await t.client.getMarkets();
    const [paper] = await paperExecutor(t.book).execute([order], markets);
    expect(paper).toMatchObject({ status: "filled", filledSize: 10, avgPx: order.avgPx });
    // Modeled P&L: the half spread paid against the mid plus the taker fee, nothing more.
    const fee = (10 * bestAsk * PAPER_TAKER_FEE_BPS) / 1e4;
    const expected = -(10 * (bestAsk - 100) + fee);
    expect(t.lastState().pnl?.netUsd).toBeCloseTo(expected, 4);
    await t.engine.stop("done");
    // Nothing sent, nothing journaled.
    expect(t.sim.control.orderHistory(t.ours.address)).toEqual([]);
    expect(t.journal.getOrder(order.cloid)).toBeNull();
    expect(
      t.journal.ordersInState(["pending", "sent", "uncertain", "filled", "partial", "rejected", "paper"]),
    ).toEqual([]);
  });

  it("a part the book does not hold at or inside the limit is not filled, and is planned again", async () => {
    // 1500 SOL bought by the leader, half copied; a 5 bps allowance reaches only a few levels.
    const t = await dryRun(
      1500,
      settings((x) => {
        x.sizing.ratio = 0.5;
        x.exec.slippageBps = 5;
      }),
    );
    const first = await t.engine.sweep("start");
    const [order] = first.results;
    const limit = order?.limitPx ?? 0;
    const asks = (await t.book()).asks;
    const within = asks.filter((l) => l.px <= limit);
    const held = within.reduce((sum, l) => sum + l.sz, 0);
    expect(held).toBeLessThan(750);
    expect(order).toMatchObject({ size: 750, status: "partial" });
    expect(order?.filledSize).toBeCloseTo(held, 2);
    // Filled at the levels' own prices, none beyond the limit.
    const notional = within.reduce((sum, l) => sum + l.sz * l.px, 0);
    expect(order?.avgPx).toBeCloseTo(notional / held, 6);
    expect(order?.avgPx).toBeLessThan(limit);
    // The model holds what filled; the next plan wants the rest, as a live run's would.
    expect(Object.values(t.lastState().account.positions).find((p) => p.coin === "SOL")?.size).toBeCloseTo(
      held,
      2,
    );
    const second = await t.engine.sweep("sweep");
    expect(second.plan.actions.map((a) => [a.coin, a.side, a.size])).toEqual([
      ["SOL", "buy", Number((750 - held).toFixed(2))],
    ]);
    await t.engine.stop("done");
    expect(t.sim.control.orderHistory(t.ours.address)).toEqual([]);
  });
});
