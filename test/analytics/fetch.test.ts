import { describe, expect, it } from "vitest";
import { fetchLeaderData, leaderEquityAt } from "../../src/analytics/fetch.js";
import { UsageError } from "../../src/core/errors.js";
import type { Address } from "../../src/core/types.js";
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
