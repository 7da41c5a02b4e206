import { describe, expect, it } from "vitest";
import { NEVER_PLACED, resolveByLookup, resultFromLookup } from "../../src/core/orders.js";
import { slippageBps } from "../../src/core/slippage.js";

describe("resolveByLookup: the one reading of a look-up by cloid", () => {
  const found = (status: string, filledSize: number) =>
    ({ found: true, status, filledSize, avgPx: filledSize > 0 ? 100 : null, oid: 7 }) as const;

  it("a found order takes the mapping's status whatever the time", () => {
    expect(resolveByLookup("0xc", found("filled", 1), 0, 10)).toEqual(
      resultFromLookup("0xc", found("filled", 1)),
    );
    expect(resolveByLookup("0xc", found("open", 0), 99, 10)?.status).toBe("resting");
    expect(resolveByLookup("0xc", found("canceled", 0.5), 99, 10)).toMatchObject({
      status: "partial",
      error: "canceled",
    });
    expect(resolveByLookup("0xc", found("iocCancelRejected", 0), 99, 10)).toMatchObject({
      status: "rejected",
      error: "iocCancelRejected",
    });
  });

  it("one not found may still arrive until its expiry has passed; then it was never placed", () => {
    expect(resolveByLookup("0xc", { found: false }, 9, 10)).toBeNull();
    expect(resolveByLookup("0xc", { found: false }, 10, 10)).toEqual({
      cloid: "0xc",
      status: "rejected",
      filledSize: 0,
      avgPx: null,
      error: NEVER_PLACED,
    });
  });

  it("slippage is positive when worse for us, null without a reference", () => {
    expect(slippageBps("buy", 101, 100)).toBeCloseTo(100, 10);
    expect(slippageBps("sell", 101, 100)).toBeCloseTo(-100, 10);
    expect(slippageBps("buy", 101, null)).toBeNull();
  });
});
