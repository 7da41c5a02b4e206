// Small helpers shared by the simulator's tests: SDK clients pointed at a running simulator and
// funded traders with fresh keys.

import { ApiRequestError, ExchangeClient, HttpTransport, InfoClient } from "@nktkas/hyperliquid";
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from "viem/accounts";
import type { Hex, SimHandle } from "../../src/sim/index.js";

export interface Trader {
  wallet: PrivateKeyAccount;
  /** Lowercase address, as the exchange reports it. */
  address: Hex;
  exchange: ExchangeClient;
}

export function infoClient(sim: SimHandle): InfoClient {
  return new InfoClient({ transport: new HttpTransport({ apiUrl: sim.httpUrl }) });
}

/** A new key, funded with `usd` (0 = not funded, so unknown to the exchange). */
export function newTrader(
  sim: SimHandle,
  usd = 10_000,
  opts: { isTestnet?: boolean; key?: Hex } = {},
): Trader {
  const wallet = privateKeyToAccount(opts.key ?? generatePrivateKey());
  const address = wallet.address.toLowerCase() as Hex;
  if (usd > 0) sim.control.fund(address, usd);
  const transport = new HttpTransport({ apiUrl: sim.httpUrl, isTestnet: opts.isTestnet ?? false });
  return { wallet, address, exchange: new ExchangeClient({ transport, wallet }) };
}

/** Run `fn`, expect the SDK to throw ApiRequestError, and return the exchange's raw response. */
export async function rejected(fn: () => Promise<unknown>): Promise<{ message: string; response: unknown }> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof ApiRequestError) return { message: e.message, response: e.response };
    throw e;
  }
  throw new Error("expected the exchange to reject the request");
}

/** Statuses of an order response carried by an ApiRequestError. */
export function statusesOf(response: unknown): unknown[] {
  const r = response as { response?: { data?: { statuses?: unknown[] } } };
  return r.response?.data?.statuses ?? [];
}

/**
 * A cloid with its top nibble set. (The SDK's orderStatus/modify schemas try "unsigned integer"
 * before "cloid", and `Number("0x00…03")` is 3: a cloid below 2^53 would be sent as an oid.)
 */
export function cloid(n: number): Hex {
  return `0xf${n.toString(16).padStart(31, "0")}` as Hex;
}

/** POST a JSON body to the simulator and return status and parsed (or raw) body. */
export async function post(
  sim: SimHandle,
  path: string,
  body: unknown,
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${sim.httpUrl}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // plain-text error body
  }
  return { status: res.status, body: parsed };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** How long any condition may take on a busy 2-core machine before a test gives up on it. */
const PATIENCE_MS = 45_000;

/** Poll until `fn` returns a truthy value (or fail after `ms`). */
export async function eventually<T>(fn: () => T | Promise<T>, ms = 3000): Promise<NonNullable<T>> {
  // `ms` is what the condition takes on an idle machine; a busy one may take many times that,
  // so the wait is at least PATIENCE_MS. A condition that never comes still fails, inside the
  // test's own (hang) timeout.
  const until = Date.now() + Math.max(ms, PATIENCE_MS);
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > until) throw new Error("condition not met in time");
    await sleep(10);
  }
}
