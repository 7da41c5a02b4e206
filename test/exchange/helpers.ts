// Shared set-up of the adapter's simulator tests: a funded master account with an approved
// agent key, planned actions priced off the simulator's mid, fresh cloids.

import { randomBytes } from "node:crypto";
import { ExchangeClient, HttpTransport } from "@nktkas/hyperliquid";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import type { Address, Markets, PlannedAction, Side } from "../../src/core/types.js";
import type { SimHandle } from "../../src/sim/index.js";

export const newCloid = (): `0x${string}` => `0x${randomBytes(16).toString("hex")}`;

export interface Account {
  address: Address;
  key: `0x${string}`;
  /** The SDK's own client for this key (for set-up, e.g. approving an agent). */
  sdk: ExchangeClient;
}

export function fundedAccount(sim: SimHandle, usd = 100_000): Account {
  const key = generatePrivateKey();
  const wallet = privateKeyToAccount(key);
  const address = wallet.address.toLowerCase() as Address;
  if (usd > 0) sim.control.fund(address, usd);
  const sdk = new ExchangeClient({ transport: new HttpTransport({ apiUrl: sim.httpUrl }), wallet });
  return { address, key, sdk };
}

/** A funded master with a freshly approved agent: the agent key signs, the master trades. */
export async function masterWithAgent(
  sim: SimHandle,
  usd = 100_000,
): Promise<{ master: Account; agentKey: `0x${string}` }> {
  const master = fundedAccount(sim, usd);
  const agentKey = generatePrivateKey();
  await master.sdk.approveAgent({ agentAddress: privateKeyToAccount(agentKey).address, agentName: "hlcopy" });
  return { master, agentKey };
}

/** A marketable IOC action `slipBps` through the mid. */
export function action(
  markets: Markets,
  coin: string,
  side: Side,
  size: number,
  opts: { slipBps?: number; reduceOnly?: boolean; cloid?: `0x${string}` } = {},
): PlannedAction {
  const m = markets[coin];
  if (!m) throw new Error(`no market ${coin}`);
  const slip = (opts.slipBps ?? 50) / 10_000;
  const raw = side === "buy" ? m.mid * (1 + slip) : m.mid * (1 - slip);
  return {
    coin,
    side,
    size,
    limitPx: Number(raw.toPrecision(5)),
    reduceOnly: opts.reduceOnly ?? false,
    cloid: opts.cloid ?? newCloid(),
    reason: "open",
    refPx: m.mid,
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** How long any condition may take on a busy 2-core machine before a test gives up on it. */
const PATIENCE_MS = 45_000;

/** Poll until `fn` returns a truthy value (or fail after `ms`). */
export async function eventually<T>(fn: () => T | Promise<T>, ms = 5000): Promise<NonNullable<T>> {
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
