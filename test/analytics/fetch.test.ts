import { describe, expect, it } from "vitest";
import { fetchLeaderData, infoHttpSource, leaderEquityAt } from "../../src/analytics/fetch.js";
import { HlcopyError, RetryableError, UsageError } from "../../src/core/errors.js";
import type { Address } from "../../src/core/types.js";
import { infoItemWeight, infoWeight, RequestBudget } from "../../src/exchange/budget.js";
import { cassetteSource } from "./helpers.js";

const USER = "0xb7b6f3cea3f66bf525f5d8f965f6dbf6d9b017b2" as Address;
const LAST = 1683245884863;

describe("fetchLeaderData", () => {
  it("reads every source, sorts fills, reports progress", async () => {
    const progress: string[] = [];
    const d = await fetchLeaderData(cassetteSource(), USER, {
      days: 1,
      now: LAST + 1000,
      onProgress: (m) => progress.push(m),
    });
    expect(d.fills).toHaveLength(500);
    expect(d.fills[0]?.time).toBe(1683245555699);
    expect(d.state?.accountValue).toBeCloseTo(1182.312496, 6);
    expect(d.meta).toHaveLength(28);
    expect(d.portfolio?.allTime).toBeDefined();
    expect(d.funding?.length).toBeGreaterThan(0);
    expect(d.window).toEqual({ start: LAST + 1000 - 86_400_000, end: LAST + 1000 });
    expect(progress[0]).toContain("fetching fills");
    expect(progress).toContain("fills: 500");
    expect(d.warnings).toEqual([]);
  });

  it("optional reads that fail become warnings; fills do not", async () => {
    const d = await fetchLeaderData(
      cassetteSource({
        getPortfolio: async () => {
          throw new Error("HTTP 500");
        },
        getUserFunding: undefined,
      }),
      USER,
      { days: 1, now: LAST + 1000 },
    );
    expect(d.warnings).toEqual(["portfolio unavailable: HTTP 500"]);
    expect(d.funding).toBeUndefined();
    await expect(
      fetchLeaderData(cassetteSource({ getFillsByTime: async () => [{ coin: "X" }] }), USER, {
        days: 1,
        now: LAST,
      }),
    ).rejects.toThrow(UsageError);
    await expect(fetchLeaderData(cassetteSource(), USER, { days: 0, now: LAST })).rejects.toThrow(
      "invalid --days 0",
    );
  });

  it("leader equity at the window start: portfolio history, else the account value", () => {
    expect(
      leaderEquityAt(
        {
          portfolio: {
            allTime: {
              accountValueHistory: [
                [1, 50],
                [10, 70],
                [20, 90],
              ],
              pnlHistory: [],
              vlm: 0,
            },
          },
        },
        15,
      ),
    ).toBe(70);
    expect(
      leaderEquityAt({ state: { accountValue: 123, totalNtlPos: 0, positions: [], time: null } }, 15),
    ).toBe(123);
    expect(leaderEquityAt({}, 15)).toBeNull();
  });
});

describe("infoHttpSource", () => {
  type Call = Record<string, unknown>;
  const fakeFetch = (answer: (body: Call) => { status?: number; body?: unknown } | Error) => {
    const calls: Call[] = [];
    const impl = async (_url: string, init: { body: string }) => {
      const body = JSON.parse(init.body) as Call;
      calls.push(body);
      const a = answer(body);
      if (a instanceof Error) throw a;
      const status = a.status ?? 200;
      return { ok: status < 400, status, json: async () => a.body };
    };
    return { impl, calls };
  };
  const fill = (time: number, tid: number) => ({
    coin: "BTC",
    px: "1",
    sz: "1",
    side: "B",
    time,
    startPosition: "0",
    tid,
  });

  it("pages userFillsByTime from the newest time seen, dropping duplicates", async () => {
    const all = Array.from({ length: 2500 }, (_, i) => fill(1000 + Math.floor(i / 2), i)); // two fills per ms
    const { impl, calls } = fakeFetch((b) => ({
      body: all.filter((f) => f.time >= (b.startTime as number)).slice(0, 2000),
    }));
    const src = infoHttpSource("http://x", impl);
    const got = await src.getFillsByTime(USER, 0, 99_999);
    expect(got).toHaveLength(2500);
    expect(calls.map((c) => c.startTime)).toEqual([0, 1999]);
    expect(calls[0]).toMatchObject({ type: "userFillsByTime", user: USER, endTime: 99_999 });
  });

  it("paces many pages of fills under the exchange's weight limit instead of tripping a 429", async () => {
    // 12 full pages: 12 × (20 + 2000/20) = 1440 weight, more than a minute's 1200.
    const all = Array.from({ length: 24_000 }, (_, i) => fill(1000 + i, i));
    const { impl, calls } = fakeFetch((b) => ({
      body: all.filter((f) => f.time >= (b.startTime as number)).slice(0, 2000),
    }));
    let clock = 0;
    const sentAt: number[] = [];
    const budget = new RequestBudget({
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
    });
    const src = infoHttpSource(
      "http://x",
      async (url, init) => {
        sentAt.push(clock);
        return impl(url, init);
      },
      {
        acquire: (w, kind) => budget.acquire(w, kind),
        charge: (w) => budget.charge(w),
        weightOf: infoWeight,
        itemWeightOf: infoItemWeight,
      },
    );
    const got = await src.getFillsByTime(USER, 0);
    expect(got).toHaveLength(24_000);
    expect(calls.length).toBeGreaterThanOrEqual(12);
    // No 60-second window carries more than 1200 weight (each page costs 120).
    for (const t of sentAt) {
      const inWindow = sentAt.filter((x) => x >= t && x < t + 60_000).length;
      expect(inWindow * 120).toBeLessThanOrEqual(1200);
    }
    expect(clock).toBeGreaterThan(0);
  });

  it("HTTP trouble becomes the error family", async () => {
    const src = (a: { status?: number; body?: unknown } | Error) =>
      infoHttpSource("http://x", fakeFetch(() => a).impl);
    await expect(src({ status: 429 }).getMeta?.()).rejects.toThrow(RetryableError);
    await expect(src({ status: 500 }).getMeta?.()).rejects.toThrow(HlcopyError);
    await expect(src(new Error("ECONNREFUSED")).getMeta?.()).rejects.toThrow(
      "cannot reach http://x: ECONNREFUSED",
    );
  });
});
