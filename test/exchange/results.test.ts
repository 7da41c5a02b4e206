import { ApiRequestError, ExchangeClient, type IRequestTransport } from "@nktkas/hyperliquid";
import { privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import {
  readOrderReply,
  readOrderStatus,
  resultFromLookup,
  type SentOrder,
  uncertainResults,
} from "../../src/exchange/results.js";

const sent: SentOrder[] = [
  { cloid: "0x000000000000000000000000000000a1", size: "0.5" },
  { cloid: "0x000000000000000000000000000000a2", size: "100" },
  { cloid: "0x000000000000000000000000000000a3", size: "2" },
  { cloid: "0x000000000000000000000000000000a4", size: "1" },
];

/** A mixed-batch reply, shaped as the exchange sends it (order.d.ts OrderResponse). */
const mixedReply = {
  status: "ok",
  response: {
    type: "order",
    data: {
      statuses: [
        { filled: { totalSz: "0.5", avgPx: "3401.2", oid: 77, cloid: "0x000000000000000000000000000000a1" } },
        { error: "Order must have minimum value of $10." },
        { filled: { totalSz: "1.25", avgPx: "190.05", oid: 79 } },
        { resting: { oid: 80 } },
      ],
    },
  },
};

/** A transport that answers every /exchange request with a canned reply. */
function cannedTransport(reply: unknown): IRequestTransport {
  return { isTestnet: false, request: async <T>() => reply as T };
}

describe("per-order results", () => {
  it("the SDK throws ApiRequestError for the WHOLE batch when one order fails; error.response keeps every status", async () => {
    const exchange = new ExchangeClient({
      transport: cannedTransport(mixedReply),
      wallet: privateKeyToAccount(`0x${"11".repeat(32)}`),
    });
    let caught: unknown;
    try {
      await exchange.order({
        orders: [{ a: 1, b: true, p: "3500", s: "0.5", r: false, t: { limit: { tif: "Ioc" } } }],
        grouping: "na",
      });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ApiRequestError);
    const error = caught as ApiRequestError;
    expect(error.message).toBe("order 1: Order must have minimum value of $10.");
    expect(error.response).toEqual(mixedReply);

    const reading = readOrderReply(error.response, sent);
    expect(reading).toEqual({
      kind: "statuses",
      results: [
        { cloid: sent[0]?.cloid, status: "filled", filledSize: 0.5, avgPx: 3401.2, oid: 77 },
        {
          cloid: sent[1]?.cloid,
          status: "rejected",
          filledSize: 0,
          avgPx: null,
          error: "Order must have minimum value of $10.",
        },
        { cloid: sent[2]?.cloid, status: "partial", filledSize: 1.25, avgPx: 190.05, oid: 79 },
        { cloid: sent[3]?.cloid, status: "resting", filledSize: 0, avgPx: null, oid: 80 },
      ],
    });
  });

  it("a whole-request refusal is 'refused' (nothing ran), a strange reply 'unreadable'", () => {
    expect(
      readOrderReply({ status: "err", response: "User or API Wallet 0xabc does not exist." }, sent),
    ).toEqual({
      kind: "refused",
      message: "User or API Wallet 0xabc does not exist.",
    });
    expect(readOrderReply("Internal Server Error", sent)).toEqual({ kind: "unreadable" });
    expect(readOrderReply({ status: "ok", response: { type: "default" } }, sent)).toEqual({
      kind: "unreadable",
    });
  });

  it("a missing or unknown status is uncertain, never rejected", () => {
    const reply = { status: "ok", response: { type: "order", data: { statuses: ["waitingForFill"] } } };
    const reading = readOrderReply(reply, sent.slice(0, 2));
    expect(reading.kind).toBe("statuses");
    if (reading.kind !== "statuses") return;
    expect(reading.results.map((r) => [r.status, r.error])).toEqual([
      ["uncertain", "waitingForFill"],
      ["uncertain", "no status returned"],
    ]);
    expect(uncertainResults(sent.slice(0, 1), "timeout")).toEqual([
      { cloid: sent[0]?.cloid, status: "uncertain", filledSize: 0, avgPx: null, error: "timeout" },
    ]);
  });

  it("reads orderStatus by cloid: filled size = original − remaining", () => {
    const order = (status: string, origSz: string, sz: string) => ({
      status: "order",
      order: {
        order: {
          coin: "ETH",
          side: "B",
          limitPx: "3500",
          sz,
          oid: 9,
          timestamp: 1,
          origSz,
          cloid: sent[0]?.cloid,
        },
        status,
        statusTimestamp: 2,
      },
    });
    expect(readOrderStatus({ status: "unknownOid" })).toEqual({ found: false });
    const filled = readOrderStatus(order("filled", "0.3", "0.0"));
    expect(filled).toEqual({ found: true, status: "filled", filledSize: 0.3, avgPx: null, oid: 9 });
    const cloid = sent[0]?.cloid ?? "";
    if (!filled.found) throw new Error("unreachable");
    expect(resultFromLookup(cloid, filled).status).toBe("filled");
    const cancelled = readOrderStatus(order("canceled", "0.3", "0.1"));
    if (!cancelled.found) throw new Error("unreachable");
    expect(cancelled.filledSize).toBe(0.2);
    expect(resultFromLookup(cloid, cancelled)).toMatchObject({
      status: "partial",
      filledSize: 0.2,
      error: "canceled",
    });
    const ioc = readOrderStatus(order("iocCancelRejected", "0.3", "0.3"));
    if (!ioc.found) throw new Error("unreachable");
    expect(resultFromLookup(cloid, ioc)).toMatchObject({ status: "rejected", error: "iocCancelRejected" });
    const open = readOrderStatus(order("open", "0.3", "0.3"));
    if (!open.found) throw new Error("unreachable");
    expect(resultFromLookup(cloid, open).status).toBe("resting");
  });
});
