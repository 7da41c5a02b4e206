// The signed body of an `order` request to /exchange, built here rather than by the SDK's
// order(): on the hot path its schema parse and canonical re-ordering of wires that are
// already canonical (wire.ts builds them in signing order) cost ~0.1 ms between the leader's
// fill and our order, and its signL1Action another ~0.07 ms (a generic msgpack encoder, wallet
// detection, hex round trips). The signed bytes are the SDK's: the action hash is computed by
// its rules (action-hash.ts) and signed over the same EIP-712 digest (signer.ts).
// test/exchange/order-request.test.ts holds this to the SDK's own request, byte for byte.

import { l1ActionHash } from "./action-hash.js";
import type { AgentWallet } from "./signer.js";
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
 * order() does — the same action, nonce, vault and expiry, the same signed digest — without its
 * schema parse and canonical re-ordering. Sub-account orders carry the vault address
 * lower-cased, as the SDK's schema makes it.
 */
export async function orderRequest(p: {
  wallet: Pick<AgentWallet, "signL1">;
  orders: OrderWire[];
  nonce: number;
  isTestnet: boolean;
  vaultAddress?: `0x${string}` | undefined;
  expiresAfter?: number | undefined;
}): Promise<OrderRequest> {
  const action = { type: "order" as const, orders: p.orders, grouping: "na" as const };
  const vaultAddress = p.vaultAddress?.toLowerCase() as `0x${string}` | undefined;
  const hash = l1ActionHash({ action, nonce: p.nonce, vaultAddress, expiresAfter: p.expiresAfter });
  const signature = await p.wallet.signL1(hash, p.isTestnet);
  return {
    action,
    signature,
    nonce: p.nonce,
    ...(vaultAddress ? { vaultAddress } : {}),
    ...(p.expiresAfter !== undefined ? { expiresAfter: p.expiresAfter } : {}),
  };
}
