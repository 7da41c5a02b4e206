// The leverage keeper sends one `updateLeverage` per coin before its first increase: a stop that
// comes while one is out lets no other be signed after it (nothing is sent after a stop).

import { describe, expect, it } from "vitest";
import { defaultSettings } from "../../src/core/settings.js";
import type { Markets, PlannedAction } from "../../src/core/types.js";
import type { EngineEvent } from "../../src/engine/events.js";
import { LeverageKeeper } from "../../src/engine/leverage-keeper.js";
import type { Journal } from "../../src/store/journal.js";

const market = (coin: string, assetId: number) => ({
  coin,
  assetId,
  szDecimals: 3,
  maxLeverage: 20,
  mid: 100,
});
const markets: Markets = { BTC: market("BTC", 0), ETH: market("ETH", 1) };
const increase = (coin: string): PlannedAction => ({
  coin,
  side: "buy",
  size: 1,
  limitPx: 101,
  reduceOnly: false,
  cloid: `0x${"1".repeat(32)}`,
  reason: "open",
  refPx: 100,
});

describe("LeverageKeeper", () => {
  it("signs no coin's updateLeverage after the run began to stop (one was out when it came)", async () => {
    const stop = new AbortController();
    const sent: string[] = [];
    let answer: () => void = () => {};
    const events: EngineEvent[] = [];
    const keeper = new LeverageKeeper({
      journal: { recordEvent: () => {} } as unknown as Journal,
      update: (p) => {
        sent.push(p.coin);
        return new Promise<void>((resolve) => {
          answer = resolve;
        });
      },
      retryAfterMs: 1_000,
      emit: (e) => events.push(e),
      now: () => 0,
      runId: () => 1,
      countRequest: () => {},
      signal: () => stop.signal,
    });
    const ensured = keeper.ensure([increase("BTC"), increase("ETH")], markets, defaultSettings(), {});
    expect(sent).toEqual(["BTC"]);
    stop.abort();
    answer();
    await ensured;
    expect(sent).toEqual(["BTC"]);
    expect(keeper.setFor("BTC")).toBeDefined();
    expect(keeper.setFor("ETH")).toBeUndefined();
    expect(events).toEqual([]);
  });
});
