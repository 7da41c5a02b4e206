// A kept-alive REST connection the network forgot (a NAT or VPN that dropped it, a frozen peer):
// it answers nothing, not even a close. A read sent on it is sent again on a fresh connection
// once it has heard nothing for a while (an /info read is idempotent) — it does not wait out its
// whole timeout; an order on it is never sent again (it could run twice: its outcome is learnt
// by cloid instead). A TCP proxy black-holes the connections it holds; new ones pass.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Address } from "../../src/core/types.js";
import { createExchangeClient } from "../../src/exchange/index.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { type FreezingProxy, startFreezingProxy } from "../helpers/freezing-proxy.js";
import { action, masterWithAgent } from "./helpers.js";

let sim: SimHandle;
let proxy: FreezingProxy;
beforeAll(async () => {
  sim = await startSim({ seed: 61, tickMs: 0 });
  proxy = await startFreezingProxy(Number(new URL(sim.httpUrl).port));
});
afterAll(async () => {
  await proxy.close();
  await sim.close();
});

describe("a kept-alive connection the network forgot", () => {
  it("a read on it is sent again on a fresh connection, not left to its timeout", {
    timeout: 60_000,
  }, async () => {
    const { master } = await masterWithAgent(sim, 1_000);
    const account = master.address as Address;
    // A timeout no test waits out: the read can only come back through a fresh connection.
    const client = createExchangeClient({
      httpUrl: proxy.url(sim.httpUrl),
      wsUrl: sim.wsUrl,
      isTestnet: false,
      account,
      timeoutMs: 600_000,
    });
    expect((await client.getAccountState(account)).accountValue).toBe(1_000);
    // The requests of one account read (its connections now idle, kept alive).
    let sent = client.budget.sent;
    await client.getAccountState(account);
    const perRead = client.budget.sent - sent;
    sent = client.budget.sent;
    // The connection the first read left idle now passes nothing either way.
    expect(proxy.blackHole()).toBeGreaterThan(0);
    try {
      sim.control.fund(account, 500);
      expect((await client.getAccountState(account)).accountValue).toBe(1_500);
      // Each of its requests sent twice (its weight charged twice): the second, on a new
      // connection, answered (the black hole passes nothing).
      expect(client.budget.sent - sent).toBe(2 * perRead);
    } finally {
      proxy.lift();
    }
  });

  it("an order on it is never sent again: its outcome stays uncertain (for a look-up by cloid)", {
    timeout: 60_000,
  }, async () => {
    const { master, agentKey } = await masterWithAgent(sim, 10_000);
    const account = master.address as Address;
    const client = createExchangeClient({
      httpUrl: proxy.url(sim.httpUrl),
      wsUrl: sim.wsUrl,
      isTestnet: false,
      account,
      agentKey,
      // Past the read's resend delay (3 s), so a resend, were there one, would have gone.
      timeoutMs: 6_000,
    });
    const markets = await client.getMarkets();
    const orders = () => sim.control.stats().actionByType.order ?? 0;
    const before = orders();
    const sent = client.budget.sent;
    expect(proxy.blackHole()).toBeGreaterThan(0);
    try {
      const [r] = await client.placeOrders([action(markets, "BTC", "buy", 0.01)], markets);
      expect(r?.status).toBe("uncertain");
      // One request, held by the black hole: nothing reached the exchange, nothing was resent.
      expect(client.budget.sent - sent).toBe(1);
      expect(orders()).toBe(before);
    } finally {
      proxy.lift();
    }
  });
});
