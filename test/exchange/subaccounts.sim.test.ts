// Trading a sub-account through the adapter: `findSubAccount` reads the master's `subAccounts`,
// and a client built with `vaultAddress` sends its orders for the sub-account (signed by the
// master's agent), reads it, and resolves uncertain orders on it.

import { privateKeyToAccount } from "viem/accounts";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "../../src/core/errors.js";
import type { Address } from "../../src/core/types.js";
import {
  createExchangeClient,
  findSubAccount,
  findSubAccountMaster,
  type HlClient,
  masterFromRole,
  subAccountFrom,
} from "../../src/exchange/index.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { type Account, action, fundedAccount, masterWithAgent } from "./helpers.js";

let sim: SimHandle;

beforeAll(async () => {
  sim = await startSim({ seed: 9, tickMs: 0 });
});
afterAll(async () => {
  await sim.close();
});
afterEach(() => {
  sim.control.reset();
});

async function masterAgentSub(
  usd = 5_000,
): Promise<{ master: Account; agentKey: `0x${string}`; sub: Address }> {
  const { master, agentKey } = await masterWithAgent(sim);
  const created = await master.sdk.createSubAccount({ name: "hlcopy" });
  const sub = created.response.data.toLowerCase() as Address;
  await master.sdk.subAccountTransfer({ subAccountUser: sub, isDeposit: true, usd: usd * 1e6 });
  return { master, agentKey, sub };
}

function clientFor(agentKey: `0x${string}`, account: Address, vaultAddress?: Address): HlClient {
  return createExchangeClient({
    httpUrl: sim.httpUrl,
    wsUrl: sim.wsUrl,
    isTestnet: false,
    agentKey,
    account,
    ...(vaultAddress ? { vaultAddress } : {}),
    timeoutMs: 5_000,
    orderTtlMs: 1_000,
    clockSkewMs: 100,
  });
}

describe("findSubAccount", () => {
  it("says which account is a sub-account of which master", async () => {
    const { master, sub } = await masterAgentSub();
    const find = (m: Address, account: Address) =>
      findSubAccount({ httpUrl: sim.httpUrl, isTestnet: false, master: m, account });
    expect(await find(master.address, sub)).toEqual({ address: sub, name: "hlcopy", master: master.address });
    // Any case in, lowercase out.
    expect(
      await find(
        master.address.toUpperCase().replace("0X", "0x") as Address,
        sub.toUpperCase().replace("0X", "0x") as Address,
      ),
    ).toEqual({
      address: sub,
      name: "hlcopy",
      master: master.address,
    });
    expect(await find(master.address, master.address)).toBeNull();
    const other = fundedAccount(sim, 1_000);
    expect(await find(other.address, sub)).toBeNull(); // another master: it has none (null answer)
    expect(await find(master.address, other.address)).toBeNull();
    await expect(find(master.address, "0x12" as Address)).rejects.toBeInstanceOf(UsageError);
  });

  it("findSubAccountMaster names the master of a sub-account (userRole), null for anyone else", async () => {
    const { master, agentKey, sub } = await masterAgentSub();
    const of = (account: Address) =>
      findSubAccountMaster({ httpUrl: sim.httpUrl, isTestnet: false, account });
    expect(await of(sub)).toBe(master.address);
    expect(await of(master.address)).toBeNull();
    expect(await of(privateKeyToAccount(agentKey).address.toLowerCase() as Address)).toBeNull();
    expect(await of("0x00000000000000000000000000000000000000cc" as Address)).toBeNull();
    expect(masterFromRole({ role: "subAccount", data: { master: "0xnope" } })).toBeNull();
  });

  it("subAccountFrom reads the exchange's answer, null included", () => {
    const m = "0x00000000000000000000000000000000000000aa" as Address;
    const s = "0x00000000000000000000000000000000000000bb" as Address;
    expect(subAccountFrom(null, m, s)).toBeNull();
    expect(subAccountFrom([{ name: "x", subAccountUser: s, master: m }], m, s)).toEqual({
      address: s,
      name: "x",
      master: m,
    });
    // An entry naming another master is not ours.
    expect(subAccountFrom([{ name: "x", subAccountUser: s, master: s }], m, s)).toBeNull();
  });
});

describe("a client with vaultAddress", () => {
  it("places orders that land on the sub-account, not on the master", async () => {
    const { master, agentKey, sub } = await masterAgentSub();
    const client = clientFor(agentKey, sub, sub);
    expect(client.vaultAddress).toBe(sub);
    const markets = await client.getMarkets();
    const [r] = await client.placeOrders([action(markets, "ETH", "buy", 0.2)], markets);
    expect(r).toMatchObject({ status: "filled", filledSize: 0.2 });

    const subState = await client.getAccountState(sub);
    expect(subState.positions.ETH).toMatchObject({ coin: "ETH", size: 0.2 });
    expect(subState.accountValue).toBeLessThan(5_000);
    const masterState = await client.getAccountState(master.address);
    expect(masterState.positions).toEqual({});
    expect(masterState.accountValue).toBe(95_000);
    expect(sim.control.orderHistory(master.address)).toEqual([]);
    expect(sim.control.orderHistory(sub).map((o) => o.status)).toEqual(["filled"]);
    const fills = await client.getFillsByTime(sub, 0);
    expect(fills.map((f) => [f.coin, f.sz])).toEqual([["ETH", 0.2]]);
  });

  it("without vaultAddress the same agent trades the master (why the option exists)", async () => {
    const { master, agentKey, sub } = await masterAgentSub();
    const client = clientFor(agentKey, sub);
    const markets = await client.getMarkets();
    await client.placeOrders([action(markets, "ETH", "buy", 0.2)], markets);
    expect(sim.control.orderHistory(sub)).toEqual([]);
    expect(sim.control.orderHistory(master.address)).toHaveLength(1);
  });

  it("an uncertain order is looked up on the sub-account (even with account = master) and resolves", async () => {
    const { master, agentKey, sub } = await masterAgentSub();
    const client = clientFor(agentKey, master.address, sub);
    const markets = await client.getMarkets();
    const a = action(markets, "SOL", "sell", 5);
    sim.control.fault({ kind: "http500", count: 1, stage: "after", endpoint: "exchange" });
    const results = await client.placeOrders([a], markets);
    expect(results[0]).toMatchObject({ cloid: a.cloid, status: "uncertain" });
    const [resolved] = await client.resolveUncertain(results);
    expect(resolved).toMatchObject({ cloid: a.cloid, status: "filled", filledSize: 5 });
    expect(sim.control.stats().actionByType.order).toBe(1);
  });

  it("an agent of another master is refused with the exchange's message; nothing lands", async () => {
    const { sub } = await masterAgentSub();
    const stranger = await masterWithAgent(sim);
    const client = clientFor(stranger.agentKey, sub, sub);
    const markets = await client.getMarkets();
    await expect(client.placeOrders([action(markets, "ETH", "buy", 0.2)], markets)).rejects.toThrow(
      `Vault not registered: ${sub}`,
    );
    expect(sim.control.orderHistory(sub)).toEqual([]);
  });

  it("a malformed vaultAddress is a usage error before anything is sent", () => {
    expect(() =>
      clientFor(
        `0x${"11".repeat(32)}`,
        "0x00000000000000000000000000000000000000aa" as Address,
        "0xabc" as Address,
      ),
    ).toThrow(UsageError);
  });
});
