// The HTTP transport every client of the adapter shares, wrapped in the request budget:
// /info requests wait for their weight (and are charged per item returned after the reply),
// and every HTTP 429 puts the whole budget into backoff. /exchange weight is taken by the
// order sender itself before signing, so an order's expiry is computed after any wait.
// Every /info reply is checked against its schema before a caller reads it.

import { HttpRequestError, type IRequestTransport } from "@nktkas/hyperliquid";
import { RateLimitError } from "../core/errors.js";
import { infoItemWeight, infoWeight, type RequestBudget } from "./budget.js";
import { isRateLimited } from "./errors.js";
import { type JsonPoster, jsonPoster } from "./http.js";
import { checkInfoReply } from "./replies.js";
import { attemptSignal, noBackoffWait } from "./retry.js";

export interface BudgetedTransportOptions {
  httpUrl: string;
  isTestnet: boolean;
  timeoutMs: number;
  budget: RequestBudget;
  /** Attempts of an /info request that keeps getting 429 (each after the backoff). Default 3. */
  infoAttempts?: number;
}

export class BudgetedTransport implements IRequestTransport<"info" | "exchange"> {
  readonly isTestnet: boolean;
  readonly budget: RequestBudget;
  readonly #inner: JsonPoster;
  readonly #infoAttempts: number;

  constructor(options: BudgetedTransportOptions) {
    this.isTestnet = options.isTestnet;
    this.budget = options.budget;
    this.#inner = jsonPoster(options.httpUrl, options.timeoutMs);
    this.#infoAttempts = options.infoAttempts ?? 3;
  }

  /** A read sent again on a fresh connection: one more request, its weight charged. */
  #resent(weight: number): void {
    this.budget.sent++;
    this.budget.charge(weight);
  }

  /**
   * Send one request through the budget.
   * @throws {HttpRequestError} (the SDK's, see ./http.ts); a 429 only after the retries for
   *   /info, at once for /exchange (an order is never re-sent here).
   */
  async request<T>(endpoint: "info" | "exchange", payload: unknown, signal?: AbortSignal): Promise<T> {
    const type = infoType(payload);
    const weight = endpoint === "info" ? infoWeight(type) : 0;
    for (let attempt = 1; ; attempt++) {
      if (endpoint === "info") {
        // A read bound to a run's stop (retry.ts boundTo) ends its wait for the budget there.
        const bound = attemptSignal();
        if (noBackoffWait() && this.budget.isBackingOff())
          throw new RateLimitError(`info ${type} not sent: the backoff after an HTTP 429 is in force`);
        await this.budget.acquire(weight, "info", bound);
        if (bound?.aborted)
          throw new HttpRequestError({ detail: "Request aborted", cause: bound.reason, request: payload });
      }
      this.budget.sent++;
      try {
        // A read (never an order) on a kept-alive connection the network forgot is sent again
        // on a fresh one after STALE_READ_MS without a byte back, not left to its timeout.
        const reply = await this.#inner.post<T>(
          endpoint,
          payload,
          signal,
          endpoint === "info" ? { afterMs: STALE_READ_MS, onResend: () => this.#resent(weight) } : undefined,
        );
        this.budget.succeeded();
        // A reply of the wrong shape is refused here, naming the request (./replies.ts).
        if (endpoint === "info") checkInfoReply(type, reply);
        if (endpoint === "info" && Array.isArray(reply))
          this.budget.charge(infoItemWeight(type, reply.length));
        return reply;
      } catch (error) {
        if (!isRateLimited(error)) throw error;
        // Named as sent: `info clearinghouseState`, or the action (`order`, `updateLeverage`, …).
        const what = endpoint === "info" ? `info ${type}` : actionType(payload);
        this.budget.rateLimited(`${what} answered HTTP 429; every request waits`);
        if (endpoint !== "info" || attempt >= this.#infoAttempts) throw error;
      }
    }
  }
}

/**
 * An /info read with no byte of its reply this long on a kept-alive connection is sent again on a
 * fresh one (./http.ts StaleRetry): a reply's first byte comes well within a second; 3 s leaves
 * room for a slow one without waiting out the 10 s timeout on a connection the network forgot.
 */
export const STALE_READ_MS = 3_000;

function infoType(payload: unknown): string {
  if (typeof payload === "object" && payload !== null) {
    const t = (payload as { type?: unknown }).type;
    if (typeof t === "string") return t;
  }
  return "?";
}

/** The type of an /exchange action (`order`, `updateLeverage`, `cancelByCloid`, …). */
function actionType(payload: unknown): string {
  if (typeof payload === "object" && payload !== null) {
    const action = (payload as { action?: unknown }).action;
    if (typeof action === "object" && action !== null) {
      const t = (action as { type?: unknown }).type;
      if (typeof t === "string") return t;
    }
  }
  return "an exchange action";
}
