// Wiring the engine to the real exchange adapter: the reader/executor from an HlClient and
// the stream opener from openStreams. Loaded only by commands that trade or watch (it pulls
// in the SDK through the adapter).

import type { Address } from "../core/types.js";
import type { EngineEvents } from "../engine/events.js";
import type { EngineStreamEvent, OpenEngineStreams } from "../engine/ports.js";
import { createExchangeClient, type HlClient, openStreams, type RequestBudget } from "../exchange/index.js";

export interface ClientParameters {
  httpUrl: string;
  wsUrl: string;
  isTestnet: boolean;
  account: Address;
  agentKey?: `0x${string}`;
  /** Trading a sub-account of `account` (the master that approved the agent). */
  vaultAddress?: Address;
  budget?: RequestBudget;
}

/** The adapter's client; budget delays and 429s are told to the engine's views. */
export function engineClient(params: ClientParameters, events?: EngineEvents): HlClient {
  const client = createExchangeClient({
    httpUrl: params.httpUrl,
    wsUrl: params.wsUrl,
    isTestnet: params.isTestnet,
    account: params.account,
    ...(params.agentKey ? { agentKey: params.agentKey } : {}),
    ...(params.vaultAddress ? { vaultAddress: params.vaultAddress } : {}),
    ...(params.budget ? { budget: params.budget } : {}),
  });
  if (events) {
    client.budget.onEvent = (e) => {
      if (e.type === "rateLimited") {
        events.emit({ type: "rateLimit", ts: Date.now(), waitMs: e.waitMs, detail: e.detail });
      } else if (e.type === "delayed" && e.waitMs >= 1_000) {
        events.emit({
          type: "rateLimit",
          ts: Date.now(),
          waitMs: e.waitMs,
          detail: "request budget: pacing requests",
        });
      }
    };
  }
  return client;
}

/** Opens the leader/our/mids streams (books for `coins`) for the engine. */
export function streamsOpener(params: {
  wsUrl: string;
  isTestnet: boolean;
  leaders: Address[];
  account: Address;
  coins?: string[];
}): OpenEngineStreams {
  return (onEvent: (event: EngineStreamEvent) => void) =>
    openStreams({
      wsUrl: params.wsUrl,
      isTestnet: params.isTestnet,
      users: { leaders: params.leaders, us: params.account },
      ...(params.coins ? { coins: params.coins } : {}),
      onEvent,
    });
}
