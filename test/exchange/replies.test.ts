// The /info reply schemas: every real recorded reply passes; garbage is one clear, retryable
// error naming the request, never a TypeError.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RetryableError } from "../../src/core/errors.js";
import { checkInfoReply, isCheckedInfoType, UnexpectedReplyError } from "../../src/exchange/replies.js";
import { ROOT } from "../helpers/cli.js";

const CASSETTES = join(ROOT, "test/fixtures/reference/hl-cassettes");

describe("checkInfoReply", () => {
  const files = readdirSync(CASSETTES).filter((f) => f.endsWith(".json") && f !== "index.json");
  const cassettes = files
    .map(
      (f) =>
        JSON.parse(readFileSync(join(CASSETTES, f), "utf8")) as {
          request: { type: string };
          response: unknown;
        },
    )
    .filter((c) => isCheckedInfoType(c.request.type));

  it("covers the recorded types hlcopy reads", () => {
    expect(new Set(cassettes.map((c) => c.request.type))).toEqual(
      new Set([
        "meta",
        "allMids",
        "clearinghouseState",
        "openOrders",
        "frontendOpenOrders",
        "userFills",
        "userFillsByTime",
        "userNonFundingLedgerUpdates",
        "userFunding",
        "extraAgents",
        "l2Book",
      ]),
    );
  });

  it.each(cassettes.map((c) => [c.request.type, c] as const))("accepts the real %s reply", (_type, c) => {
    expect(checkInfoReply(c.request.type, c.response)).toBe(c.response);
  });

  it.each([
    ["meta", { universe: 5 }, /to meta at universe: /],
    ["meta", "<html>502</html>", /to meta: /],
    ["allMids", [1, 2], /to allMids/],
    ["clearinghouseState", { assetPositions: [], marginSummary: { accountValue: "lots" } }, /accountValue/],
    ["clearinghouseState", null, /to clearinghouseState/],
    ["orderStatus", { status: "order" }, /to orderStatus/],
    ["userFillsByTime", [{ coin: "BTC" }], /to userFillsByTime at 0\./],
    ["extraAgents", { agents: [] }, /to extraAgents/],
    ["l2Book", { coin: "BTC", time: 1, levels: [[]] }, /to l2Book at levels/],
    ["userNonFundingLedgerUpdates", [{ time: "yesterday" }], /to userNonFundingLedgerUpdates at 0\.time/],
  ])("refuses garbage to %s with a clear, retryable error", (type, reply, message) => {
    let error: unknown;
    try {
      checkInfoReply(type, reply);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnexpectedReplyError);
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as Error).message).toMatch(/^the exchange answered something unexpected to /);
    expect((error as Error).message).toMatch(message);
  });

  it("lets the answers of the simulator's orderStatus through", () => {
    expect(checkInfoReply("orderStatus", { status: "unknownOid" })).toEqual({ status: "unknownOid" });
    const found = {
      status: "order",
      order: {
        order: { oid: 7, origSz: "1.0", sz: "0.0", timestamp: 5, coin: "BTC" },
        status: "filled",
        statusTimestamp: 6,
      },
    };
    expect(checkInfoReply("orderStatus", found)).toBe(found);
  });
});
