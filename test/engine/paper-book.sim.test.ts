// Paper fills walk the same book as live fills: the paper executor reads the exchange's l2Book
// and matches an IOC against it level by level, so on the simulator a paper order and the same
// live order land within a tick of each other — including the large ones that walk the book
// and the IOCs the book can fill only in part.

import { afterEach, describe, expect, it } from "vitest";
import type { Markets, PlannedAction } from "../../src/core/types.js";
import { liveExecutor, paperExecutor } from "../../src/engine/executor.js";
import { createExchangeClient, type HlClient, RequestBudget } from "../../src/exchange/index.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { action, masterWithAgent } from "../exchange/helpers.js";

const sims: SimHandle[] = [];
afterEach(async () => {
  for (const s of sims.splice(0)) await s.close();
});

async function setup(): Promise<{ sim: SimHandle; client: HlClient; markets: Markets }> {
  // A thin book ($10 000 a level) that refills only after a minute: the live order must meet
  // exactly the book the paper order walked.
  const sim = await startSim({ seed: 5, tickMs: 0, depthUsd: 200_000, refillMs: 60_000 });
  sims.push(sim);
  sim.control.setMid("SOL", 100);
  const { master, agentKey } = await masterWithAgent(sim, 1_000_000);
  const client = createExchangeClient({
    httpUrl: sim.httpUrl,
    wsUrl: sim.wsUrl,
    isTestnet: false,
    agentKey,
    account: master.address,
    budget: new RequestBudget({ initialBackoffMs: 20, maxBackoffMs: 100 }),
    timeoutMs: 5_000,
    orderTtlMs: 1_000,
    clockSkewMs: 100,
  });
  return { sim, client, markets: await client.getMarkets() };
}

const tick = 0.01; // SOL at 100

async function paperThenLive(client: HlClient, markets: Markets, actions: PlannedAction[]) {
  const paper = await paperExecutor(async (coin) => (await client.getTopOfBook(coin)).levels).execute(
    actions,
    markets,
  );
  const live = await liveExecutor(client).execute(actions, markets);
  return { paper, live };
}

describe("paper fills walk the exchange's book", () => {
  it("a large buy walks several levels: paper and live agree within a tick, both worse than the top", async () => {
    const { client, markets } = await setup();
    const a = action(markets, "SOL", "buy", 350, { slipBps: 30 }); // $35 000 over $10 000 levels
    const { paper, live } = await paperThenLive(client, markets, [a]);
    expect(paper[0]).toMatchObject({ status: "filled", filledSize: 350 });
    expect(live[0]).toMatchObject({ status: "filled", filledSize: 350 });
    const paperPx = paper[0]?.avgPx ?? 0;
    const livePx = live[0]?.avgPx ?? 0;
    expect(Math.abs(paperPx - livePx)).toBeLessThanOrEqual(tick);
    expect(paperPx).toBeGreaterThan(100.01 + tick);
  });

  it("an IOC the book holds only in part fills partly in paper as it does live", async () => {
    const { client, markets } = await setup();
    // Limit 100.05: five levels of ≈ 99.9 SOL; asking for 800 fills ≈ 499.
    const a = { ...action(markets, "SOL", "buy", 800), limitPx: 100.05 };
    const { paper, live } = await paperThenLive(client, markets, [a]);
    expect(paper[0]?.status).toBe("partial");
    expect(live[0]?.status).toBe("partial");
    expect(paper[0]?.filledSize).toBeCloseTo(live[0]?.filledSize ?? 0, 6);
    expect(Math.abs((paper[0]?.avgPx ?? 0) - (live[0]?.avgPx ?? 0))).toBeLessThanOrEqual(tick);
  });

  it("two orders of one batch on one coin share the depth, as on the exchange", async () => {
    const { client, markets } = await setup();
    const first = action(markets, "SOL", "sell", 200, { slipBps: 30 });
    const second = action(markets, "SOL", "sell", 200, { slipBps: 30 });
    const { paper, live } = await paperThenLive(client, markets, [first, second]);
    expect(paper[1]?.avgPx ?? 0).toBeLessThan(paper[0]?.avgPx ?? 0);
    for (const i of [0, 1]) {
      expect(Math.abs((paper[i]?.avgPx ?? 0) - (live[i]?.avgPx ?? 0))).toBeLessThanOrEqual(tick);
    }
  });

  it("without a book (reader failing) it falls back to the top of book it knows, in full", async () => {
    const { markets } = await setup();
    const a = action(markets, "SOL", "buy", 1);
    const [r] = await paperExecutor(async () => {
      throw new Error("down");
    }).execute([a], markets);
    expect(r).toMatchObject({ status: "filled", filledSize: 1, avgPx: markets.SOL?.mid });
  });
});
