import { ApiRequestError, HttpRequestError, InfoClient, type IRequestTransport } from "@nktkas/hyperliquid";
import { describe, expect, it } from "vitest";
import {
  AgentNotApprovedError,
  HlcopyError,
  OperationalError,
  OrderRejectedError,
  RateLimitError,
  RetryableError,
  UncertainOutcomeError,
} from "../../src/core/errors.js";
import { type ErrorContext, isOutcomeUnknown, translateError } from "../../src/exchange/errors.js";

const http = (status: number, body = "") =>
  new HttpRequestError({ response: new Response(body, { status }), detail: body || undefined });
const timeout = () =>
  new HttpRequestError({
    detail: "Request timed out after 10000 ms",
    cause: new DOMException("t", "TimeoutError"),
  });

const order: ErrorContext = {
  operation: "placeOrders",
  action: true,
  trade: { coin: "ETH", side: "buy", size: 0.5, px: 3410, cloid: "0x000000000000000000000000000000a1" },
};
const read: ErrorContext = { operation: "clearinghouseState" };

describe("translateError", () => {
  // A proxy's or CDN's page in front of the exchange: its first line "<html>\r" put a carriage
  // return into the warning (the rest of the line was drawn over its start on a terminal), and
  // a 4xx page was quoted whole into the one error line.
  it("an HTML page for an answer is said as one (no control characters, no page in the line)", () => {
    const page = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>nginx</body>\r\n</html>\r\n";
    const r = translateError(http(502, page), { ...read, endpoint: "https://api.example" });
    expect(r).toBeInstanceOf(RetryableError);
    expect(r.message).toMatch(
      /^clearinghouseState failed: 502 .*\(an HTML page: a proxy or gateway in front of the exchange answered, not its API\)$/,
    );
    expect(translateError(http(502, page), order).message).toMatch(/is unknown: 502 .*\(an HTML page: /);
    const refused = translateError(http(403, `<!DOCTYPE html>\n${page}`), read);
    expect(refused.message).toMatch(
      /^the exchange refused clearinghouseState: 403 .*\(an HTML page: [^\n]*$/,
    );
    // Any other body: its first line, control characters gone.
    expect(translateError(http(500, "boom\r\nstack"), read).message).not.toMatch(/[\r\n]/);
  });

  it("HTTP 429 → RateLimitError, for reads and orders alike", () => {
    const e = translateError(http(429, "Too Many Requests"), order);
    expect(e).toBeInstanceOf(RateLimitError);
    expect(e.action).toBe("retry");
    expect(e.message).toMatchInlineSnapshot(
      `"rate-limited by the exchange (HTTP 429) on placeOrders (buy 0.5 ETH @ 3410)"`,
    );
    expect(e.details).toMatchObject({ httpStatus: 429, trade: order.trade });
    expect(translateError(http(429), read)).toBeInstanceOf(RateLimitError);
  });

  it("timeout / network / 5xx after sending an order → UncertainOutcomeError; for a read → RetryableError", () => {
    for (const cause of [
      timeout(),
      http(500, "Internal Server Error"),
      http(502),
      new HttpRequestError({ cause: new TypeError("fetch failed") }),
    ]) {
      expect(isOutcomeUnknown(cause)).toBe(true);
      const e = translateError(cause, order);
      expect(e).toBeInstanceOf(UncertainOutcomeError);
      expect(e.cause).toBe(cause);
      const r = translateError(cause, read);
      expect(r).toBeInstanceOf(RetryableError);
      expect(r).not.toBeInstanceOf(UncertainOutcomeError);
    }
    expect(translateError(timeout(), order).message).toMatchInlineSnapshot(
      `"outcome of placeOrders (buy 0.5 ETH @ 3410) is unknown: Request timed out after 10000 ms"`,
    );
    expect(isOutcomeUnknown(http(422))).toBe(false);
    expect(isOutcomeUnknown(http(429))).toBe(false);
  });

  it("no reply because the socket failed: says what the failure means, not the transport's 'fetch failed'", () => {
    const socketError = (code: string, message: string) =>
      new HttpRequestError({
        cause: new TypeError("fetch failed", { cause: Object.assign(new Error(message), { code }) }),
      });
    const refused = translateError(socketError("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:7072"), {
      ...read,
      endpoint: "http://localhost:7072",
    });
    expect(refused).toBeInstanceOf(RetryableError);
    expect(refused.message).toBe(
      `cannot reach http://localhost:7072 for ${read.operation}: connection refused: nothing is listening at that address (is the exchange, or hlcopy sim, running?) (ECONNREFUSED)`,
    );
    expect(translateError(socketError("ENOTFOUND", "getaddrinfo ENOTFOUND x.invalid"), read).message).toMatch(
      /: host not found: the name does not resolve \(DNS\) \(ENOTFOUND\)$/,
    );
    // An order's outcome is still unknown, said with the same reason.
    expect(translateError(socketError("ECONNRESET", "read ECONNRESET"), order).message).toMatch(
      /is unknown: the connection was reset \(ECONNRESET\)$/,
    );
    // A code it does not know keeps the transport's own line.
    expect(translateError(socketError("EWHATEVER", "odd"), read).message).toMatch(/fetch failed$/);
  });

  it("other 4xx: the request was refused (nothing ran)", () => {
    const body = "Failed to deserialize the JSON body into the target type";
    expect(translateError(http(422, body), order)).toBeInstanceOf(OrderRejectedError);
    expect(translateError(http(422, body), read)).toBeInstanceOf(OperationalError);
  });

  it("whole-request refusals by the exchange are grouped by what to do", () => {
    const refused = (text: string) => new ApiRequestError({ status: "err", response: text }, text);
    const agent = translateError(refused("User or API Wallet 0x1234 does not exist."), order);
    expect(agent).toBeInstanceOf(OperationalError);
    expect(agent.hint).toMatch(/approve the agent/);
    // Recognised as "agent not approved / expired": the engine halts on the class (exit 4).
    expect(agent).toBeInstanceOf(AgentNotApprovedError);
    expect(agent.exitCode).toBe(4);
    expect(
      translateError(refused("Must deposit before performing actions. User: 0x12"), order),
    ).not.toBeInstanceOf(AgentNotApprovedError);
    expect(
      translateError(refused("Must deposit before performing actions. User: 0x12"), order),
    ).toBeInstanceOf(OperationalError);
    expect(translateError(refused("Invalid nonce: duplicate nonce 17"), order)).toBeInstanceOf(
      RetryableError,
    );
    expect(translateError(refused("Action already expired"), order)).toBeInstanceOf(RetryableError);
    expect(
      translateError(
        refused("Too many cumulative requests sent (10001 > 10000) for cumulative volume traded"),
        order,
      ),
    ).toBeInstanceOf(RateLimitError);
    const other = translateError(refused("Builder fee has not been approved."), order);
    expect(other).toBeInstanceOf(OrderRejectedError);
    expect(other.message).toBe("Builder fee has not been approved.");
    expect(other.details.exchangeMessage).toBe("Builder fee has not been approved.");
  });

  it("an SDK ValidationError (our request was malformed, nothing sent) stops: it is a bug", async () => {
    const transport: IRequestTransport = { isTestnet: false, request: async <T>() => ({}) as T };
    const info = new InfoClient({ transport });
    // The SDK validates synchronously: the method throws before returning a promise.
    let cause: unknown;
    try {
      await info.clearinghouseState({ user: "0xnot-an-address" as `0x${string}` });
    } catch (error) {
      cause = error;
    }
    const e = translateError(cause, read);
    expect(e.constructor).toBe(HlcopyError);
    expect(e.action).toBe("stop");
    expect(e.message).toMatch(/^invalid request for clearinghouseState/);
  });

  it("keeps our own errors as they are and wraps anything else", () => {
    const ours = new RateLimitError("slow down");
    expect(translateError(ours, read)).toBe(ours);
    const e = translateError(new TypeError("boom\nstack"), read);
    expect(e.message).toBe("clearinghouseState failed: boom");
    expect(e.cause).toBeInstanceOf(TypeError);
  });
});
