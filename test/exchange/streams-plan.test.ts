import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/core/errors.js";
import type { Address } from "../../src/core/types.js";
import { WS_LIMITS } from "../../src/exchange/limits.js";
import { planSubscriptions, stateAccount } from "../../src/exchange/streams.js";

const addr = (n: number) => `0x${n.toString(16).padStart(40, "0")}` as Address;
const us = addr(0xabc);

describe("per-IP websocket budget", () => {
  it("plans leader fills + state, our fills + state + funding + ledger, mids and best bid/ask (nothing the engine does not read)", () => {
    const plan = planSubscriptions({ leaders: [addr(1), addr(2)], us }, ["BTC", "ETH"]);
    expect(plan.users).toEqual([addr(1), addr(2), us]);
    expect(plan.streams).toEqual([
      `userFills:${addr(1)}`,
      `clearinghouseState:${addr(1)}`,
      `userFills:${addr(2)}`,
      `clearinghouseState:${addr(2)}`,
      `userFills:${us}`,
      `clearinghouseState:${us}`,
      `userFundings:${us}`,
      `userNonFundingLedgerUpdates:${us}`,
      "allMids",
      "bbo:BTC",
      "bbo:ETH",
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
    const coins = Array.from({ length: 993 }, (_, i) => `C${i}`);
    expect(planSubscriptions({ leaders: [addr(1)], us }, coins).streams).toHaveLength(1000);
    expect(() => planSubscriptions({ leaders: [addr(1)], us }, [...coins, "X1"])).toThrow(
      /too many subscriptions: 1001/,
    );
  });
});

describe("stateAccount: which account a clearinghouseState frame is about, without parsing it", () => {
  const user = "0x5E9Ee1089755c3435139848e47E6635505D5A13a";
  const frame = (data: string) => `{"channel":"clearinghouseState","data":${data}}`;
  it("reads the user (lower-cased) and the dex, wherever they stand in the data", () => {
    expect(stateAccount(frame(`{"dex":"","user":"${user}","clearinghouseState":{"marginSummary":{}}}`))).toBe(
      `${user.toLowerCase()}|`,
    );
    expect(
      stateAccount(frame(`{"clearinghouseState":{"assetPositions":[]},"user":"${user}","dex":"xyz"}`)),
    ).toBe(`${user.toLowerCase()}|xyz`);
  });
  it("gives up (the frame is then read at once) when a field is missing, malformed or appears twice", () => {
    expect(stateAccount(frame(`{"user":"${user}","clearinghouseState":{}}`))).toBeUndefined();
    expect(stateAccount(frame(`{"dex":"","user":"0x1234","clearinghouseState":{}}`))).toBeUndefined();
    expect(
      stateAccount(frame(`{"dex":"","user":"${user}","clearinghouseState":{"user":"${user}"}}`)),
    ).toBeUndefined();
  });
});
