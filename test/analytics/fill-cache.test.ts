// scan's fill cache and a history the exchange cut (its 10,000 most recent fills): the cache
// never claims a span it did not read, and more than 10,000 fills it kept from earlier reads
// are history, not a cut.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { LeaderDataSource, RawFillHistory } from "../../src/analytics/fetch.js";
import { fetchLeaderData } from "../../src/analytics/fetch.js";
import { cachedFillsSource } from "../../src/analytics/fill-cache.js";
import { FILL_HISTORY_LIMIT, type HistoryCut } from "../../src/core/history.js";
import type { Address } from "../../src/core/types.js";
import { tempDir } from "../helpers/cli.js";

const USER = `0x${"ab".repeat(20)}` as Address;
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 1);

/** Wire fills, one a minute, the last at `last`. */
function wire(n: number, last: number, tid0 = 1): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => ({
    coin: "BTC",
    px: "100000",
    sz: "0.001",
    side: i % 2 === 0 ? "B" : "A",
    time: last - (n - 1 - i) * 60_000,
    startPosition: i % 2 === 0 ? "0" : "0.001",
    dir: i % 2 === 0 ? "Open Long" : "Close Long",
    closedPnl: "0",
    hash: `0x${(tid0 + i).toString(16)}`,
    oid: tid0 + i,
    crossed: true,
    fee: "0.01",
    tid: tid0 + i,
    feeToken: "USDC",
  }));
}

/** A source answering getFillHistory from `answer` (the span asked → what the exchange serves). */
function source(
  answer: (start: number, end: number) => RawFillHistory,
): LeaderDataSource & { asked: number[][] } {
  const asked: number[][] = [];
  return {
    asked,
    getFillsByTime: async () => {
      throw new Error("getFillHistory is the read");
    },
    getFillHistory: async (_user, start, end = NOW) => {
      asked.push([start, end]);
      return answer(start, end);
    },
  };
}

const cutAt = (start: number, askedStart: number, end: number, fills: number): HistoryCut => ({
  reason: "exchange-limit",
  start,
  end,
  askedStart,
  askedEnd: end,
  fills,
});

describe("the fill cache over a history the exchange cut", () => {
  it("keeps the span the read covered, so the next read of the window is no hit and still cut", async () => {
    const dir = tempDir();
    const served = wire(FILL_HISTORY_LIMIT, NOW - 60_000);
    const first = served[0]?.time as number;
    const s = source((start, end) => ({ fills: served, cut: cutAt(first, start, end, served.length) }));
    const cached = cachedFillsSource(s, dir);
    const read = await cached.getFillHistory?.(USER, NOW - 30 * DAY, NOW);
    expect(read?.cut).toMatchObject({ reason: "exchange-limit", start: first, askedStart: NOW - 30 * DAY });
    const file = JSON.parse(readFileSync(join(dir, `${USER}.json`), "utf8")) as { from: number; to: number };
    expect(file.from).toBe(first);
    const again = await cached.getFillHistory?.(USER, NOW - 30 * DAY, NOW);
    expect(cached.stats.hits).toBe(0);
    expect(again?.cut?.start).toBe(first);
  });

  it("a top-up the exchange cut drops what the cache held before the gap", async () => {
    const dir = tempDir();
    const old = wire(10, NOW - 20 * DAY);
    const served = wire(FILL_HISTORY_LIMIT, NOW - 60_000, 1_000);
    let reads = 0;
    const s = source((start, end) =>
      reads++ === 0
        ? { fills: old, cut: null }
        : { fills: served, cut: cutAt(served[0]?.time as number, start, end, served.length) },
    );
    const cached = cachedFillsSource(s, dir);
    await cached.getFillHistory?.(USER, NOW - 30 * DAY, NOW - 10 * DAY);
    const read = await cached.getFillHistory?.(USER, NOW - 30 * DAY, NOW);
    expect(cached.stats.hits).toBe(1);
    expect(read?.fills).toHaveLength(FILL_HISTORY_LIMIT);
    expect(read?.cut).toMatchObject({ start: served[0]?.time, askedStart: NOW - 30 * DAY, end: NOW });
  });

  it("more than 10,000 fills the cache kept from earlier reads are history, not a cut", async () => {
    const dir = tempDir();
    const early = wire(6_000, NOW - 10 * DAY);
    const late = wire(6_000, NOW - 60_000, 100_000);
    let reads = 0;
    const s = source(() => ({ fills: reads++ === 0 ? early : late, cut: null }));
    const cached = cachedFillsSource(s, dir);
    await cached.getFillHistory?.(USER, NOW - 30 * DAY, NOW - 10 * DAY);
    const data = await fetchLeaderData(cached, USER, { days: 30, now: NOW, fillsOnly: true });
    expect(data.fills).toHaveLength(12_000);
    expect(data.cut).toBeNull();
  });

  it("a source that cannot say what it covers is judged by the count", async () => {
    const served = wire(FILL_HISTORY_LIMIT, NOW - 60_000);
    const data = await fetchLeaderData({ getFillsByTime: async () => served }, USER, {
      days: 30,
      now: NOW,
      fillsOnly: true,
    });
    expect(data.cut).toMatchObject({ reason: "exchange-limit", start: served[0]?.time, end: NOW });
    const few = await fetchLeaderData({ getFillsByTime: async () => served.slice(-5) }, USER, {
      days: 30,
      now: NOW,
      fillsOnly: true,
    });
    expect(few.cut).toBeNull();
  });
});
