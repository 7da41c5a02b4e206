// The signed body of an `order` request to /exchange, built here rather than by the SDK's
// order(): on the hot path its schema parse and canonical re-ordering of wires that are
// already canonical (wire.ts builds them in signing order) cost ~0.1 ms between the leader's
// fill and our order. Everything that decides the signed bytes stays the SDK's: its L1
// signing (msgpack, action hash, EIP-712) over the same action, nonce, vault and expiry.
// test/exchange/order-request.test.ts holds this to the SDK's own request, byte for byte.

import { signL1Action } from "@nktkas/hyperliquid/signing";
import type { OrderWire } from "./wire.js";

/** The body of a signed `order` request to /exchange: what the SDK's order() posts. */
export interface OrderRequest {
  action: { type: "order"; orders: OrderWire[]; grouping: "na" };
  signature: { r: `0x${string}`; s: `0x${string}`; v: number };
  nonce: number;
  vaultAddress?: `0x${string}`;
  expiresAfter?: number;
}

/**
 * Sign an `order` action of these wires (already in signing order: toOrderWire) as the SDK's
 * order() does — its own L1 signing, the same action, nonce, vault and expiry — without its
 * schema parse and canonical re-ordering. Sub-account orders carry the vault address
 * lower-cased, as the SDK's schema makes it.
 */
export async function orderRequest(p: {
  wallet: Parameters<typeof signL1Action>[0]["wallet"];
  orders: OrderWire[];
  nonce: number;
  isTestnet: boolean;
  vaultAddress?: `0x${string}` | undefined;
  expiresAfter?: number | undefined;
}): Promise<OrderRequest> {
  const action = { type: "order" as const, orders: p.orders, grouping: "na" as const };
  const vaultAddress = p.vaultAddress?.toLowerCase() as `0x${string}` | undefined;
  const signature = await signL1Action({
    wallet: p.wallet,
    action,
    nonce: p.nonce,
    isTestnet: p.isTestnet,
    ...(vaultAddress ? { vaultAddress } : {}),
    ...(p.expiresAfter !== undefined ? { expiresAfter: p.expiresAfter } : {}),
  });
  return {
    action,
    signature,
    nonce: p.nonce,
    ...(vaultAddress ? { vaultAddress } : {}),
    ...(p.expiresAfter !== undefined ? { expiresAfter: p.expiresAfter } : {}),
  };
}
