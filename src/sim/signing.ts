// Signer recovery, the exchange's way: L1 actions through the action hash and the phantom
// agent (EIP-712 `Agent{source,connectionId}` on chain 1337), user-signed actions through their
// own EIP-712 types on the chain id they carry. Uses the SDK's action hash so the bytes are the
// ones the SDK signs, and viem for keccak and ECDSA recovery.

import { createL1ActionHash } from "@nktkas/hyperliquid/signing";
import {
  concat,
  encodeAbiParameters,
  keccak256,
  recoverAddress,
  recoverTypedDataAddress,
  type TypedDataDefinition,
  toHex,
} from "viem";
import type { Hex } from "./types.js";

export interface WireSignature {
  r: string;
  s: string;
  v: number;
}

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

// The phantom-agent domain and type are fixed: hash them once, not per request.
const AGENT_DOMAIN_SEPARATOR = keccak256(
  encodeAbiParameters(
    [{ type: "bytes32" }, { type: "bytes32" }, { type: "bytes32" }, { type: "uint256" }, { type: "address" }],
    [
      keccak256(toHex("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")),
      keccak256(toHex("Exchange")),
      keccak256(toHex("1")),
      1337n,
      ZERO_ADDRESS,
    ],
  ),
);
const AGENT_TYPEHASH = keccak256(toHex("Agent(string source,bytes32 connectionId)"));
const SOURCE_HASH = { a: keccak256(toHex("a")), b: keccak256(toHex("b")) } as const;

/** r and s padded to 32 bytes (multi-sig inner signatures travel trimmed), v as yParity. */
function normalizeSignature(sig: WireSignature): { r: Hex; s: Hex; yParity: number } {
  const pad = (h: string): Hex => `0x${h.replace(/^0x/i, "").padStart(64, "0")}` as Hex;
  if (sig.v !== 27 && sig.v !== 28) throw new Error("signature v must be 27 or 28");
  return { r: pad(sig.r), s: pad(sig.s), yParity: sig.v - 27 };
}

/** The EIP-712 digest a wallet signs for an L1 action with this connection id. */
export function l1Digest(connectionId: Hex, isTestnet: boolean): Hex {
  const structHash = keccak256(
    concat([AGENT_TYPEHASH, isTestnet ? SOURCE_HASH.b : SOURCE_HASH.a, connectionId]),
  );
  return keccak256(concat(["0x1901", AGENT_DOMAIN_SEPARATOR, structHash]));
}

/** The phantom agent's connection id: keccak of msgpack(action) ‖ nonce ‖ vault ‖ expiresAfter. */
export function l1ConnectionId(p: Omit<L1RecoverParameters, "isTestnet" | "signature">): Hex {
  return createL1ActionHash({
    action: p.action,
    nonce: p.nonce,
    ...(p.vaultAddress ? { vaultAddress: p.vaultAddress } : {}),
    ...(p.expiresAfter !== undefined ? { expiresAfter: p.expiresAfter } : {}),
  });
}

export interface L1RecoverParameters {
  /** The action with its keys in the exchange's canonical order (the hash depends on it). */
  action: Record<string, unknown> | unknown[];
  nonce: number;
  vaultAddress?: Hex | undefined;
  expiresAfter?: number | undefined;
  isTestnet: boolean;
  signature: WireSignature;
}

/**
 * The address that signed an L1 action, lowercased.
 * @throws {Error} when the signature cannot be recovered at all (malformed r/s/v).
 */
export async function recoverL1Signer(p: L1RecoverParameters): Promise<Hex> {
  const address = await recoverAddress({
    hash: l1Digest(l1ConnectionId(p), p.isTestnet),
    signature: normalizeSignature(p.signature),
  });
  return address.toLowerCase() as Hex;
}

export type Eip712Types = Record<string, readonly { name: string; type: string }[]>;

/**
 * The address that signed a user-signed action, lowercased. The EIP-712 message is the
 * primary type's fields read from the action (on domain HyperliquidSignTransaction with the
 * chain id in `signatureChainId`); a field the action omits or sends as null takes its value
 * from `defaults` — the exchange reads an absent `agentName` as "", which is what the official
 * Python SDK signs before it deletes the key from the request.
 * @throws {Error} when the signature or the message cannot be processed.
 */
export async function recoverUserSignedSigner(p: {
  action: Record<string, unknown> & { signatureChainId: string };
  types: Eip712Types;
  signature: WireSignature;
  defaults?: Readonly<Record<string, unknown>>;
}): Promise<Hex> {
  const primaryType = Object.keys(p.types)[0];
  if (primaryType === undefined) throw new Error("no EIP-712 primary type");
  const message: Record<string, unknown> = {};
  for (const { name } of p.types[primaryType] ?? []) {
    const value = p.action[name];
    message[name] = value === undefined || value === null ? p.defaults?.[name] : value;
  }
  const typedData = {
    domain: {
      name: "HyperliquidSignTransaction",
      version: "1",
      chainId: Number.parseInt(p.action.signatureChainId, 16),
      verifyingContract: ZERO_ADDRESS,
    },
    types: p.types,
    primaryType,
    message,
  } as unknown as TypedDataDefinition;
  const address = await recoverTypedDataAddress({ ...typedData, signature: normalizeSignature(p.signature) });
  return address.toLowerCase() as Hex;
}

const MULTI_SIG_TYPES: Eip712Types = {
  "HyperliquidTransaction:SendMultiSig": [
    { name: "hyperliquidChain", type: "string" },
    { name: "multiSigActionHash", type: "bytes32" },
    { name: "nonce", type: "uint64" },
  ],
};

/**
 * The outer (leader) signer of a multi-sig wrapper `{type:"multiSig", signatureChainId, signatures, payload}`.
 * The simulator does not execute multi-sig actions; this exists to check the recovery path
 * against the reference signing vectors.
 */
export async function recoverMultiSigOuterSigner(p: {
  wrapper: Record<string, unknown> & { signatureChainId: string };
  nonce: number;
  isTestnet: boolean;
  vaultAddress?: Hex;
  expiresAfter?: number;
  signature: WireSignature;
}): Promise<Hex> {
  const { type: _type, ...withoutType } = p.wrapper;
  const multiSigActionHash = createL1ActionHash({
    action: withoutType,
    nonce: p.nonce,
    ...(p.vaultAddress ? { vaultAddress: p.vaultAddress } : {}),
    ...(p.expiresAfter !== undefined ? { expiresAfter: p.expiresAfter } : {}),
  });
  return recoverUserSignedSigner({
    action: {
      signatureChainId: p.wrapper.signatureChainId,
      hyperliquidChain: p.isTestnet ? "Testnet" : "Mainnet",
      multiSigActionHash,
      nonce: p.nonce,
    },
    types: MULTI_SIG_TYPES,
    signature: p.signature,
  });
}
