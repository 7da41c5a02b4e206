// Our hot path signs and posts `order` requests itself (src/exchange/order-request.ts). The
// exchange checks the signature over the exact action, so that request must be the SDK's own,
// byte for byte: the same JSON for the same orders, nonce, vault, expiry and network.

import { ExchangeClient, type IRequestTransport } from "@nktkas/hyperliquid";
import { recoverAddress } from "viem";
import { describe, expect, it } from "vitest";
import { orderRequest } from "../../src/exchange/order-request.js";
import { agentWallet, l1AgentDigest } from "../../src/exchange/signer.js";
import type { OrderWire } from "../../src/exchange/wire.js";

const KEY = "0x8f1c7ab3e1d0b3f1d8e2c4a6b8d0f2e4c6a8b0d2f4e6a8c0b2d4f6e8a0c2b4d6" as const;

/** The body the SDK's order() posts for these orders (its transport captured, nothing sent). */
async function sdkRequest(o: {
  orders: OrderWire[];
  nonce: number;
  isTestnet: boolean;
  vaultAddress?: `0x${string}`;
  expiresAfter?: number;
}): Promise<string> {
  let body: unknown;
  const transport: IRequestTransport = {
    isTestnet: o.isTestnet,
    async request<T>(_endpoint: string, payload: unknown): Promise<T> {
      body = payload;
      return { status: "ok", response: { type: "order", data: { statuses: [] } } } as T;
    },
  };
  const client = new ExchangeClient({
    transport,
    wallet: agentWallet(KEY),
    nonceManager: () => o.nonce,
    ...(o.vaultAddress ? { defaultVaultAddress: o.vaultAddress } : {}),
  });
  await client.order(
    { orders: o.orders, grouping: "na" },
    o.expiresAfter !== undefined ? { expiresAfter: o.expiresAfter } : {},
  );
  return JSON.stringify(body);
}

const ioc: OrderWire = {
  a: 0,
  b: true,
  p: "97123",
  s: "0.0123",
  r: false,
  t: { limit: { tif: "Ioc" } },
  c: "0x0123456789abcdef0123456789abcdef",
};
const alo: OrderWire = {
  ...ioc,
  a: 5,
  b: false,
  p: "183.42",
  s: "12.5",
  t: { limit: { tif: "Alo" } },
  c: "0xfedcba9876543210fedcba9876543210",
};
const stop: OrderWire = {
  a: 1,
  b: false,
  p: "3012.1",
  s: "1.25",
  r: true,
  t: { trigger: { isMarket: true, triggerPx: "3050", tpsl: "sl" } },
  c: "0x00000000000000000000000000000abc",
};

describe("an order request we sign ourselves", () => {
  const cases: {
    name: string;
    orders: OrderWire[];
    isTestnet: boolean;
    vaultAddress?: `0x${string}`;
    expiresAfter?: number;
  }[] = [
    {
      name: "one IOC copy order with its expiry",
      orders: [ioc],
      isTestnet: false,
      expiresAfter: 1_796_000_000_000,
    },
    {
      name: "a batch: IOC, post-only entry and a resting stop",
      orders: [ioc, alo, stop],
      isTestnet: false,
      expiresAfter: 1_796_000_030_000,
    },
    { name: "on testnet, without an expiry", orders: [alo], isTestnet: true },
    {
      name: "for a sub-account (vault address given in mixed case)",
      orders: [ioc, stop],
      isTestnet: false,
      vaultAddress: "0xAbCdEf0123456789aBcDeF0123456789ABCDEF01",
      expiresAfter: 1_796_000_060_000,
    },
  ];
  for (const c of cases) {
    it(`is the SDK's request byte for byte: ${c.name}`, async () => {
      const nonce = 1_796_000_000_123;
      const ours = await orderRequest({ wallet: agentWallet(KEY), nonce, ...c });
      expect(JSON.stringify(ours)).toBe(await sdkRequest({ ...c, nonce }));
    });
  }

  it("changes its signature with any signed field (the comparison is not vacuous)", async () => {
    const base = { wallet: agentWallet(KEY), orders: [ioc], nonce: 1, isTestnet: false, expiresAfter: 2 };
    const a = await orderRequest(base);
    const b = await orderRequest({ ...base, orders: [{ ...ioc, s: "0.0124" }] });
    const c = await orderRequest({ ...base, expiresAfter: 3 });
    expect(new Set([a.signature.r, b.signature.r, c.signature.r]).size).toBe(3);
  });

  it("is signed by the agent (the exchange recovers the agent's address from it)", async () => {
    const wallet = agentWallet(KEY);
    const req = await orderRequest({ wallet, orders: [ioc], nonce: 7, isTestnet: false });
    const { r, s, v } = req.signature;
    // The digest the exchange rebuilds: the Agent message of the action's hash.
    const { createL1ActionHash } = await import("@nktkas/hyperliquid/signing");
    const digest = l1AgentDigest("a", createL1ActionHash({ action: req.action, nonce: 7 }));
    const signer = await recoverAddress({
      hash: `0x${Buffer.from(digest).toString("hex")}`,
      signature: `${r}${s.slice(2)}${v.toString(16)}`,
    });
    expect(signer.toLowerCase()).toBe(wallet.address.toLowerCase());
  });
});
