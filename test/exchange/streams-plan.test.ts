import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/core/errors.js";
import type { Address } from "../../src/core/types.js";
import { WS_LIMITS } from "../../src/exchange/limits.js";
import type { Fill } from "../../src/exchange/normalize.js";
import { FILL_DEDUPE_LIMIT, FillDeduper, planSubscriptions } from "../../src/exchange/streams.js";

const addr = (n: number) => `0x${n.toString(16).padStart(40, "0")}` as Address;
const us = addr(0xabc);

describe("per-IP websocket budget", () => {
  it("plans leader fills + state, our fills + orders + state + funding, mids and books", () => {
    const plan = planSubscriptions({ leaders: [addr(1), addr(2)], us }, ["BTC", "ETH"]);
    expect(plan.users).toEqual([addr(1), addr(2), us]);
    expect(plan.streams).toEqual([
      `userFills:${addr(1)}`,
      `clearinghouseState:${addr(1)}`,
      `userFills:${addr(2)}`,
      `clearinghouseState:${addr(2)}`,
      `userFills:${us}`,
      `orderUpdates:${us}`,
      `clearinghouseState:${us}`,
      `userFundings:${us}`,
      "allMids",
      "l2Book:BTC",
      "l2Book:ETH",
    ]);
  });

  it("accepts 9 leaders and refuses a 10th (10 users per IP including us), naming the limit", () => {
    const nine = Array.from({ length: 9 }, (_, i) => addr(i + 1));
    expect(planSubscriptions({ leaders: nine, us }).users).toHaveLength(WS_LIMITS.users);
    // Duplicates and case do not count twice.
    expect(
      planSubscriptions({ leaders: [...nine, addr(1).toUpperCase().replace("0X", "0x") as Address], us })
        .users,
    ).toHaveLength(10);
    let error: unknown;
    try {
      planSubscriptions({ leaders: [...nine, addr(10)], us });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toMatchInlineSnapshot(
      `"too many leaders: 10 (the exchange streams at most 10 users per IP, your account included, so at most 9 leaders)"`,
    );
    expect((error as UsageError).exitCode).toBe(2);
  });

  it("refuses more than 1000 subscriptions", () => {
    const coins = Array.from({ length: 991 }, (_, i) => `C${i}`);
    expect(planSubscriptions({ leaders: [addr(1)], us }, coins).streams).toHaveLength(998);
    expect(() => planSubscriptions({ leaders: [addr(1)], us }, [...coins, "X1", "X2", "X3"])).toThrow(
      /too many subscriptions: 1001/,
    );
  });
});

describe("FillDeduper", () => {
  const fill = (tid: number, hash = `0x${tid}`): Fill => ({
    coin: "ETH",
    px: 1,
    sz: 1,
    side: "buy",
    startPosition: 0,
    time: tid,
    tid,
    hash,
    oid: 1,
    cloid: null,
    fee: 0,
    feeToken: "USDC",
    closedPnl: 0,
    dir: "Open Long",
    crossed: true,
    liquidation: false,
  });

  it("passes each fill once per user and stays bounded", () => {
    const d = new FillDeduper(3);
    expect(d.fresh("a", [fill(1), fill(2)]).map((f) => f.tid)).toEqual([1, 2]);
    expect(d.fresh("a", [fill(1), fill(2), fill(3)]).map((f) => f.tid)).toEqual([3]);
    expect(d.fresh("b", [fill(1)]).map((f) => f.tid)).toEqual([1]);
    d.fresh("a", [fill(4), fill(5)]); // evicts the oldest keys of "a"
    expect(d.fresh("a", [fill(5)])).toEqual([]);
    expect(d.fresh("a", [fill(1)]).map((f) => f.tid)).toEqual([1]);
  });

  it("holds at most its limit per user after a long run, and still drops a replayed snapshot", () => {
    const d = new FillDeduper();
    let tid = 0;
    for (let batch = 0; batch < 100; batch++) {
      const fills = Array.from({ length: 500 }, () => fill(++tid));
      expect(d.fresh("a", fills)).toHaveLength(500);
    }
    expect(d.size("a")).toBe(FILL_DEDUPE_LIMIT);
    // A reconnect's snapshot: the latest 2000 fills again, then one new.
    const snapshot = Array.from({ length: 2000 }, (_, i) => fill(tid - i));
    expect(d.fresh("a", snapshot)).toEqual([]);
    expect(d.fresh("a", [...snapshot, fill(tid + 1)]).map((f) => f.tid)).toEqual([tid + 1]);
    expect(d.size("a")).toBe(FILL_DEDUPE_LIMIT);
  });
});
