// Sub-accounts as the exchange has them: `createSubAccount` and `subAccountTransfer` signed by
// the master (or its agent), the `subAccounts` info request, and orders/cancels carrying
// `vaultAddress` = the sub-account, accepted only from the master or an agent it approved.
// Everything a sub-account does (positions, margin, fills, order updates, ledger, websocket
// user streams) is its own, never the master's.

import { ExchangeClient, HttpTransport, SubscriptionClient, WebSocketTransport } from "@nktkas/hyperliquid";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Hex, type SimHandle, startSim } from "../../src/sim/index.js";
import { cloid, eventually, infoClient, newTrader, rejected, statusesOf, type Trader } from "./helpers.js";

const ETH = 1;

let sim: SimHandle;
const transports: WebSocketTransport[] = [];

beforeAll(async () => {
  sim = await startSim({ tickMs: 0, seed: 11 });
});
afterEach(() => {
  for (const t of transports.splice(0)) t.close();
});
afterAll(() => sim.close());

let agents = 0;

/** An agent key approved by `master`, with an SDK client that signs for `vaultAddress` (if any). */
async function agentOf(
  master: Trader,
  vaultAddress?: Hex,
): Promise<{ address: Hex; exchange: ExchangeClient }> {
  const wallet = privateKeyToAccount(generatePrivateKey());
  // A name of its own: approving under an existing name replaces that agent, as on the exchange.
  await master.exchange.approveAgent({ agentAddress: wallet.address, agentName: `copy${++agents}` });
  const transport = new HttpTransport({ apiUrl: sim.httpUrl });
  return {
    address: wallet.address.toLowerCase() as Hex,
    exchange: new ExchangeClient({
      transport,
      wallet,
      ...(vaultAddress ? { defaultVaultAddress: vaultAddress } : {}),
    }),
  };
}

/** A funded master with one sub-account holding `usd`. */
async function masterWithSub(usd = 1_000): Promise<{ master: Trader; sub: Hex }> {
  const master = newTrader(sim, 10_000);
  const created = await master.exchange.createSubAccount({ name: "copy" });
  const sub = created.response.data.toLowerCase() as Hex;
  await master.exchange.subAccountTransfer({ subAccountUser: sub, isDeposit: true, usd: usd * 1e6 });
  return { master, sub };
}

const ethIocBuy = (sz: string, c: Hex) => ({
  orders: [{ a: ETH, b: true, p: "3500", s: sz, r: false, t: { limit: { tif: "Ioc" as const } }, c }],
  grouping: "na" as const,
});

describe("createSubAccount and subAccounts", () => {
  it("answers the new sub-account's address, listed by subAccounts with its own state", async () => {
    const master = newTrader(sim, 5_000);
    const info = infoClient(sim);
    expect(await info.subAccounts({ user: master.address })).toBeNull();

    const res = await master.exchange.createSubAccount({ name: "copy-1" });
    expect(res).toEqual({
      status: "ok",
      response: { type: "createSubAccount", data: expect.stringMatching(/^0x[0-9a-f]{40}$/) },
    });
    const sub = res.response.data;
    expect(sub).not.toBe(master.address);

    const list = await info.subAccounts({ user: master.address });
    expect(list).toEqual([
      {
        name: "copy-1",
        subAccountUser: sub,
        master: master.address,
        clearinghouseState: { ...(await info.clearinghouseState({ user: sub })), time: expect.any(Number) },
        spotState: { balances: [] },
      },
    ]);
    expect(list?.[0]?.clearinghouseState.marginSummary.accountValue).toBe("0.0");
    expect(await info.userRole({ user: sub })).toEqual({
      role: "subAccount",
      data: { master: master.address },
    });
    // A sub-account has no sub-accounts of its own; the master's list is not the sub's.
    expect(await info.subAccounts({ user: sub })).toBeNull();
  });

  it("a second sub-account gets another address; a duplicate name is refused", async () => {
    const master = newTrader(sim, 5_000);
    const a = (await master.exchange.createSubAccount({ name: "a" })).response.data;
    const b = (await master.exchange.createSubAccount({ name: "b" })).response.data;
    expect(a).not.toBe(b);
    const dup = await rejected(() => master.exchange.createSubAccount({ name: "a" }));
    expect(dup.response).toEqual({ status: "err", response: "Sub-account name already in use." });
    expect((await infoClient(sim).subAccounts({ user: master.address }))?.map((s) => s.name)).toEqual([
      "a",
      "b",
    ]);
  });

  it("an agent of the master may create one (L1 action); an unknown signer may not", async () => {
    const master = newTrader(sim, 5_000);
    const agent = await agentOf(master);
    const res = await agent.exchange.createSubAccount({ name: "by-agent" });
    expect((await infoClient(sim).subAccounts({ user: master.address }))?.[0]?.subAccountUser).toBe(
      res.response.data,
    );
    const stranger = newTrader(sim, 0);
    const r = await rejected(() => stranger.exchange.createSubAccount({ name: "x" }));
    expect(r.response).toEqual({
      status: "err",
      response: `User or API Wallet ${stranger.address} does not exist.`,
    });
  });
});

describe("subAccountTransfer", () => {
  it("moves micro-USD both ways; both ledgers show the same transfer", async () => {
    const master = newTrader(sim, 10_000);
    const sub = (await master.exchange.createSubAccount({ name: "t" })).response.data.toLowerCase() as Hex;
    const info = infoClient(sim);

    await master.exchange.subAccountTransfer({ subAccountUser: sub, isDeposit: true, usd: 2_500_500_000 });
    expect((await info.clearinghouseState({ user: sub })).marginSummary.accountValue).toBe("2500.5");
    expect((await info.clearinghouseState({ user: master.address })).marginSummary.accountValue).toBe(
      "7499.5",
    );

    await master.exchange.subAccountTransfer({ subAccountUser: sub, isDeposit: false, usd: 500_000_000 });
    expect((await info.clearinghouseState({ user: sub })).withdrawable).toBe("2000.5");
    expect((await info.clearinghouseState({ user: master.address })).withdrawable).toBe("7999.5");

    const subLedger = await info.userNonFundingLedgerUpdates({ user: sub });
    const masterLedger = await info.userNonFundingLedgerUpdates({ user: master.address });
    expect(subLedger.map((u) => u.delta)).toEqual([
      { type: "subAccountTransfer", usdc: "2500.5", user: master.address, destination: sub },
      { type: "subAccountTransfer", usdc: "500.0", user: sub, destination: master.address },
    ]);
    // The master's own deposit first, then the same two transfers with the same hashes.
    expect(masterLedger.slice(1).map((u) => [u.hash, u.delta])).toEqual(
      subLedger.map((u) => [u.hash, u.delta]),
    );
  });

  it("refuses more than is withdrawable, and a sub-account of another master", async () => {
    const { master, sub } = await masterWithSub(100);
    const over = await rejected(() =>
      master.exchange.subAccountTransfer({ subAccountUser: sub, isDeposit: false, usd: 100_000_001 }),
    );
    expect(over.response).toEqual({
      status: "err",
      response: "Insufficient balance for sub-account transfer.",
    });
    const other = newTrader(sim, 1_000);
    const foreign = await rejected(() =>
      other.exchange.subAccountTransfer({ subAccountUser: sub, isDeposit: true, usd: 1_000_000 }),
    );
    expect(foreign.response).toEqual({
      status: "err",
      response: `Sub-account ${sub} does not belong to this user.`,
    });
    expect((await infoClient(sim).clearinghouseState({ user: sub })).marginSummary.accountValue).toBe(
      "100.0",
    );
  });
});

describe("trading a sub-account with vaultAddress", () => {
  it("an order signed by the master's agent lands on the sub-account, not on the master", async () => {
    const { master, sub } = await masterWithSub(1_000);
    const agent = await agentOf(master, sub);
    const info = infoClient(sim);
    const res = await agent.exchange.order(ethIocBuy("0.1", cloid(1)));
    expect(res.response.data.statuses).toEqual([
      { filled: { totalSz: "0.1", avgPx: expect.any(String), oid: expect.any(Number), cloid: cloid(1) } },
    ]);

    const subState = await info.clearinghouseState({ user: sub });
    expect(subState.assetPositions.map((p) => [p.position.coin, p.position.szi])).toEqual([["ETH", "0.1"]]);
    expect(Number(subState.marginSummary.totalMarginUsed)).toBeGreaterThan(0);
    expect(Number(subState.marginSummary.accountValue)).toBeLessThan(1_000); // the taker fee
    const masterState = await info.clearinghouseState({ user: master.address });
    expect(masterState.assetPositions).toEqual([]);
    expect(masterState.marginSummary.accountValue).toBe("9000.0");

    expect((await info.userFills({ user: sub })).map((f) => [f.coin, f.sz, f.dir, f.cloid])).toEqual([
      ["ETH", "0.1", "Open Long", cloid(1)],
    ]);
    expect(await info.userFills({ user: master.address })).toEqual([]);
    expect(await info.orderStatus({ user: sub, oid: cloid(1) })).toMatchObject({ status: "order" });
    expect(await info.orderStatus({ user: master.address, oid: cloid(1) })).toEqual({ status: "unknownOid" });
    // The sub-account's subAccounts entry carries the same state.
    const listed = await info.subAccounts({ user: master.address });
    expect(listed?.[0]?.clearinghouseState.assetPositions[0]?.position.szi).toBe("0.1");
  });

  it("the master's own key may trade the sub-account too; without vaultAddress the agent trades the master", async () => {
    const { master, sub } = await masterWithSub(1_000);
    const masterForSub = new ExchangeClient({
      transport: new HttpTransport({ apiUrl: sim.httpUrl }),
      wallet: master.wallet,
      defaultVaultAddress: sub,
    });
    await masterForSub.order(ethIocBuy("0.05", cloid(2)));
    const agent = await agentOf(master);
    await agent.exchange.order(ethIocBuy("0.02", cloid(3)));
    const info = infoClient(sim);
    const szi = async (user: Hex) =>
      (await info.clearinghouseState({ user })).assetPositions.map((p) => p.position.szi);
    expect(await szi(sub)).toEqual(["0.05"]);
    expect(await szi(master.address)).toEqual(["0.02"]);
  });

  it("resting orders, cancels and leverage of the sub-account go through vaultAddress", async () => {
    const { master, sub } = await masterWithSub(1_000);
    const agent = await agentOf(master, sub);
    const info = infoClient(sim);
    await agent.exchange.updateLeverage({ asset: ETH, isCross: false, leverage: 3 });
    const res = await agent.exchange.order({
      orders: [{ a: ETH, b: true, p: "3000", s: "0.1", r: false, t: { limit: { tif: "Gtc" } }, c: cloid(4) }],
      grouping: "na",
    });
    const oid = (res.response.data.statuses[0] as { resting: { oid: number } }).resting.oid;
    expect((await info.openOrders({ user: sub })).map((o) => o.oid)).toEqual([oid]);
    expect(await info.openOrders({ user: master.address })).toEqual([]);
    // Cancelling it "on the master" finds nothing; on the sub-account it goes.
    const plain = await agentOf(master);
    const miss = await rejected(() => plain.exchange.cancel({ cancels: [{ a: ETH, o: oid }] }));
    expect(statusesOf(miss.response)).toEqual([
      { error: `Order was never placed, already canceled, or filled. asset=${ETH}` },
    ]);
    await agent.exchange.cancel({ cancels: [{ a: ETH, o: oid }] });
    expect(await info.openOrders({ user: sub })).toEqual([]);
    await agent.exchange.order(ethIocBuy("0.1", cloid(5)));
    const pos = (await info.clearinghouseState({ user: sub })).assetPositions[0]?.position;
    expect(pos?.leverage).toMatchObject({ type: "isolated", value: 3 });
  });

  it("refuses a vaultAddress the signer may not trade, with the exchange's error, and changes nothing", async () => {
    const { master, sub } = await masterWithSub(1_000);
    const otherMaster = newTrader(sim, 10_000);
    const foreignAgent = await agentOf(otherMaster, sub);
    const r = await rejected(() => foreignAgent.exchange.order(ethIocBuy("0.1", cloid(6))));
    expect(r.response).toEqual({ status: "err", response: `Vault not registered: ${sub}` });

    // The other master's own key, and a vaultAddress that is no sub-account at all.
    const otherForSub = new ExchangeClient({
      transport: new HttpTransport({ apiUrl: sim.httpUrl }),
      wallet: otherMaster.wallet,
      defaultVaultAddress: sub,
    });
    expect((await rejected(() => otherForSub.order(ethIocBuy("0.1", cloid(7))))).response).toEqual({
      status: "err",
      response: `Vault not registered: ${sub}`,
    });
    const agentForMaster = await agentOf(master, master.address);
    expect(
      (await rejected(() => agentForMaster.exchange.order(ethIocBuy("0.1", cloid(8))))).response,
    ).toEqual({
      status: "err",
      response: `Vault not registered: ${master.address}`,
    });

    const info = infoClient(sim);
    expect((await info.clearinghouseState({ user: sub })).assetPositions).toEqual([]);
    expect(await info.userFills({ user: sub })).toEqual([]);
    expect(await info.userFills({ user: otherMaster.address })).toEqual([]);
  });

  it("a transfer reaches both sides' ledger streams live", async () => {
    const master = newTrader(sim, 10_000);
    const sub = (await master.exchange.createSubAccount({ name: "ws" })).response.data.toLowerCase() as Hex;
    const transport = new WebSocketTransport({ url: sim.wsUrl });
    transports.push(transport);
    const client = new SubscriptionClient({ transport });
    type LedgerEvent = { isSnapshot?: true; nonFundingLedgerUpdates: { hash: string; delta: unknown }[] };
    const subEvents: LedgerEvent[] = [];
    const masterEvents: LedgerEvent[] = [];
    await client.userNonFundingLedgerUpdates({ user: sub }, (e) => subEvents.push(e));
    await client.userNonFundingLedgerUpdates({ user: master.address }, (e) => masterEvents.push(e));
    await eventually(() => subEvents.length > 0 && masterEvents.length > 0);
    await master.exchange.subAccountTransfer({ subAccountUser: sub, isDeposit: true, usd: 42_000_000 });
    const delta = { type: "subAccountTransfer", usdc: "42.0", user: master.address, destination: sub };
    const onSub = await eventually(() => subEvents.find((e) => !e.isSnapshot));
    const onMaster = await eventually(() => masterEvents.find((e) => !e.isSnapshot));
    expect(onSub.nonFundingLedgerUpdates.map((u) => u.delta)).toEqual([delta]);
    expect(onMaster.nonFundingLedgerUpdates).toEqual(onSub.nonFundingLedgerUpdates);
  });

  it("actions that cannot act for a sub-account refuse a vaultAddress", async () => {
    const { master, sub } = await masterWithSub(100);
    const agent = await agentOf(master, sub);
    for (const send of [
      () => agent.exchange.createSubAccount({ name: "nested" }),
      () => agent.exchange.subAccountTransfer({ subAccountUser: sub, isDeposit: false, usd: 1_000_000 }),
    ]) {
      expect((await rejected(send)).response).toEqual({
        status: "err",
        response: "Vault may not perform this action.",
      });
    }
    expect((await infoClient(sim).clearinghouseState({ user: sub })).withdrawable).toBe("100.0");
  });

  it("websocket user streams are per sub-account", async () => {
    const { master, sub } = await masterWithSub(1_000);
    const agent = await agentOf(master, sub);
    const transport = new WebSocketTransport({ url: sim.wsUrl });
    transports.push(transport);
    const client = new SubscriptionClient({ transport });
    const subFills: { fills: { coin: string; sz: string }[]; isSnapshot?: true }[] = [];
    const masterFills: { fills: unknown[]; isSnapshot?: true }[] = [];
    const subUpdates: { status: string }[][] = [];
    const subStates: { clearinghouseState: { assetPositions: unknown[] } }[] = [];
    await client.userFills({ user: sub }, (e) => subFills.push(e));
    await client.userFills({ user: master.address }, (e) => masterFills.push(e));
    await client.orderUpdates({ user: sub }, (e) => subUpdates.push(e));
    await client.clearinghouseState({ user: sub }, (e) => subStates.push(e));
    await eventually(() => subFills.length > 0 && masterFills.length > 0 && subStates.length > 0);

    await agent.exchange.order(ethIocBuy("0.1", cloid(9)));
    const live = await eventually(() => subFills.find((e) => !e.isSnapshot));
    expect(live.fills.map((f) => [f.coin, f.sz])).toEqual([["ETH", "0.1"]]);
    await eventually(() => subUpdates.some((u) => u.some((x) => x.status === "filled")));
    await eventually(() => subStates.some((s) => s.clearinghouseState.assetPositions.length === 1));
    expect(masterFills.filter((e) => !e.isSnapshot)).toEqual([]);
  });
});
