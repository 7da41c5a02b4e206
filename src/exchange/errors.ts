// Error translation, in ONE place: whatever the SDK, fetch or the exchange throws becomes one
// of our classes (src/core/errors.ts), grouped by what the caller should do, with the trade's
// context in `details` and the original error as `cause`. Nothing else branches on SDK errors.

import {
  ApiRequestError,
  HttpRequestError,
  ValidationError as SdkValidationError,
  TransportError,
} from "@nktkas/hyperliquid";
import {
  AgentNotApprovedError,
  HlcopyError,
  OperationalError,
  OrderRejectedError,
  RATE_LIMIT_FOLLOW_HINT,
  RateLimitError,
  RetryableError,
  UncertainOutcomeError,
} from "../core/errors.js";
import type { Side } from "../core/types.js";

/** What was being done when the error happened: named in the message and the details. */
export interface ErrorContext {
  /** e.g. "placeOrders", "clearinghouseState", "orderStatus". */
  operation: string;
  /** True for a signed action sent to /exchange: an unknown outcome is then "uncertain". */
  action?: boolean;
  /** The trade(s) concerned, for the journal and --debug. */
  trade?: TradeContext | TradeContext[];
  /**
   * What a refusal concerns: "order" (this order is skipped, the run goes on; the default for
   * actions) or "account" (a human must act, e.g. approving an agent; the default for reads).
   */
  subject?: "order" | "account";
  /** Where the request went: named when the API cannot be reached at all. */
  endpoint?: string;
}

export interface TradeContext {
  coin: string;
  side: Side;
  size: number;
  px: number;
  cloid?: string;
}

/** HTTP status of a failed request, or undefined when no response came back. */
export function httpStatus(error: unknown): number | undefined {
  return error instanceof HttpRequestError ? error.response?.status : undefined;
}

/** HTTP 429: the request was refused before it ran. */
export function isRateLimited(error: unknown): boolean {
  return httpStatus(error) === 429;
}

/**
 * True when a request may or may not have been executed: a timeout, a network failure, an
 * HTTP 5xx, or a 2xx whose body was unreadable. For an order this means "look it up by cloid
 * before sending anything again" — never "rejected".
 */
export function isOutcomeUnknown(error: unknown): boolean {
  if (!(error instanceof HttpRequestError)) {
    // A websocket post that timed out or lost its socket is just as unknown.
    return error instanceof TransportError;
  }
  const status = error.response?.status;
  if (status === undefined) return true;
  return status >= 500 || (status >= 200 && status < 300);
}

/**
 * What a failed HTTP request said, on one line: the SDK's "502 Bad Gateway - <body>" with the
 * body's first line and no control characters. A body that is an HTML page — a proxy, a CDN or
 * a load balancer answered, not the exchange's API — is said as that: its first line, "<html>\r",
 * carried a carriage return that sent the rest of a warning over its own start on a terminal,
 * and a 4xx quoted the whole page into one error line.
 */
export function httpErrorLine(error: Error): string {
  // No reply at all: the socket's own error says why ("Unknown HTTP request error: fetch failed"
  // told a trader nothing about an exchange, or hlcopy sim, that is not running).
  const network = networkFailure(error);
  if (network !== undefined) return network;
  const text = error.message;
  const dash = text.indexOf(" - ");
  const body = dash >= 0 ? text.slice(dash + 3).trimStart() : "";
  if (/^<(!doctype|html|head|body)\b/i.test(body))
    return `${text.slice(0, dash)} (an HTML page: a proxy or gateway in front of the exchange answered, not its API)`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  return (text.split("\n")[0] ?? "").replace(/[\u0000-\u001f\u007f]+/g, " ").trim() || "no answer";
}

/** What a socket's error code means, said for a trader. */
const NETWORK_FAILURES: Record<string, string> = {
  ECONNREFUSED:
    "connection refused: nothing is listening at that address (is the exchange, or hlcopy sim, running?)",
  ENOTFOUND: "host not found: the name does not resolve (DNS)",
  EAI_AGAIN: "the host name could not be looked up just now (DNS)",
  ECONNRESET: "the connection was reset",
  ETIMEDOUT: "the connection timed out",
  EHOSTUNREACH: "the host is unreachable",
  ENETUNREACH: "the network is unreachable",
  ECONNABORTED: "the connection was aborted",
  EPIPE: "the connection was closed",
  UND_ERR_CONNECT_TIMEOUT: "the connection timed out",
  UND_ERR_SOCKET: "the connection was closed",
};

/** A request that got no reply because its socket failed: what the failure means, with its code. */
function networkFailure(error: Error): string | undefined {
  if ((error as { response?: unknown }).response !== undefined) return undefined;
  let cause: unknown = (error as { cause?: unknown }).cause;
  for (let depth = 0; depth < 5 && cause instanceof Error; depth++) {
    const code = (cause as NodeJS.ErrnoException).code;
    const said = code === undefined ? undefined : NETWORK_FAILURES[code];
    if (said !== undefined) return `${said} (${code})`;
    cause = (cause as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Top-level `{"status":"err","response":"..."}` text of an exchange reply, if that is its shape. */
export function topLevelErrorText(response: unknown): string | undefined {
  if (typeof response !== "object" || response === null) return undefined;
  const r = response as { status?: unknown; response?: unknown };
  return r.status === "err" && typeof r.response === "string" ? r.response : undefined;
}

/** The signer is unknown: the agent's approval expired or was removed (or was never given). */
const AGENT_UNKNOWN = /User or API Wallet .* does not exist/i;
/** Exchange messages that mean "a human must act" (unknown agent, unfunded account, vault). */
const OPERATIONAL = /does not exist|must deposit|not registered|unable to recover signer/i;
/** Messages that mean "nothing ran, try again": nonce and expiry problems. */
const RETRYABLE = /invalid nonce|already expired|nonce too (low|high)/i;
/** The exchange's per-address request budget. */
const ADDRESS_RATE = /too many (cumulative )?requests|rate limit/i;

/**
 * Turn anything thrown into an HlcopyError with context and `cause`.
 * - HTTP 429 → RateLimitError (nothing was executed).
 * - timeout / network / HTTP 5xx → UncertainOutcomeError for an action, RetryableError otherwise.
 * - other HTTP 4xx → OrderRejectedError for an action, OperationalError otherwise.
 * - exchange `{"status":"err"}`: unknown signer ("User or API Wallet … does not exist") →
 *   AgentNotApprovedError (exit 4); unfunded → OperationalError; nonce or expiry
 *   → RetryableError; per-address budget → RateLimitError; anything else → OrderRejectedError.
 * - SDK ValidationError (our request was malformed, nothing sent) → HlcopyError (a bug: stop).
 */
export function translateError(error: unknown, context: ErrorContext): HlcopyError {
  if (error instanceof HlcopyError) return error;
  const details: Record<string, unknown> = { operation: context.operation };
  if (context.trade !== undefined) details.trade = context.trade;
  const what = describe(context);
  const base = { cause: error, details };

  if (error instanceof HttpRequestError) {
    const status = error.response?.status;
    if (status !== undefined) details.httpStatus = status;
    if (status === 429) {
      return new RateLimitError(`rate-limited by the exchange (HTTP 429) on ${what}`, {
        ...base,
        hint: RATE_LIMIT_FOLLOW_HINT,
      });
    }
    if (isOutcomeUnknown(error)) {
      if (context.action) {
        return new UncertainOutcomeError(`outcome of ${what} is unknown: ${httpErrorLine(error)}`, {
          ...base,
          hint: "the order is looked up by its cloid before anything is sent again",
        });
      }
      return unreachable(error, what, context, base);
    }
    if (refusesOrder(context)) {
      return new OrderRejectedError(`the exchange refused ${what}: ${httpErrorLine(error)}`, base);
    }
    return new OperationalError(`the exchange refused ${what}: ${httpErrorLine(error)}`, {
      ...base,
      hint: "check the address and the --network setting",
    });
  }

  if (error instanceof ApiRequestError) {
    const text = topLevelErrorText(error.response) ?? error.message;
    details.exchangeMessage = text;
    if (AGENT_UNKNOWN.test(text)) {
      return new AgentNotApprovedError(`the exchange refused ${what}: ${text}`, {
        ...base,
        hint: "approve the agent again (hlcopy agent approve): its approval expired, was removed or was never given",
      });
    }
    if (OPERATIONAL.test(text)) {
      return new OperationalError(`the exchange refused ${what}: ${text}`, {
        ...base,
        hint: "approve the agent key for this account, fund the account, or check --account",
      });
    }
    if (RETRYABLE.test(text)) {
      return new RetryableError(`the exchange did not run ${what}: ${text}`, {
        ...base,
        hint: "check that the system clock is correct: the exchange refuses a nonce far from its own time",
      });
    }
    if (ADDRESS_RATE.test(text)) {
      return new RateLimitError(`rate-limited by the exchange on ${what}: ${text}`, {
        ...base,
        hint: "the account's request budget grows with traded volume; wait and retry",
      });
    }
    if (!refusesOrder(context)) {
      return new OperationalError(`the exchange refused ${what}: ${text}`, {
        ...base,
        hint: "check the account, its funding and the --network setting",
      });
    }
    return new OrderRejectedError(text, base);
  }

  if (error instanceof SdkValidationError) {
    return new HlcopyError(`invalid request for ${what}: ${error.message}`, {
      ...base,
      hint: "this is a bug in hlcopy; run again with --debug and report it",
    });
  }

  if (error instanceof TransportError) {
    if (context.action) {
      return new UncertainOutcomeError(`outcome of ${what} is unknown: ${error.message}`, base);
    }
    return unreachable(error, what, context, base);
  }

  const message = error instanceof Error ? error.message : String(error);
  return new HlcopyError(`${what} failed: ${message.split("\n")[0] ?? "unexpected error"}`, {
    ...base,
    hint: "run again with --debug for the stack trace, and report it if it persists",
  });
}

/** A refusal of an action about an order skips that order; anything else needs a human. */
function refusesOrder(context: ErrorContext): boolean {
  return (context.subject ?? (context.action ? "order" : "account")) === "order";
}

/** No answer, or one that may not mean anything (5xx): nothing known to have run, try again. */
function unreachable(
  error: Error,
  what: string,
  context: ErrorContext,
  base: { cause: unknown; details: Record<string, unknown> },
): RetryableError {
  const text = httpErrorLine(error);
  return new RetryableError(
    context.endpoint && httpStatus(error) === undefined
      ? `cannot reach ${context.endpoint} for ${what}: ${text}`
      : `${what} failed: ${text}`,
    { ...base, hint: "check the network connection and the --network setting, then try again" },
  );
}

function describe(context: ErrorContext): string {
  const t = context.trade;
  if (t === undefined) return context.operation;
  const list = Array.isArray(t) ? t : [t];
  if (list.length === 1 && list[0]) {
    const o = list[0];
    return `${context.operation} (${o.side} ${o.size} ${o.coin} @ ${o.px})`;
  }
  return `${context.operation} (${list.length} orders)`;
}
