// The reference signing vectors (../shared/reference) must verify through the simulator's own
// recovery path: the connection id it hashes, the phantom-agent digest it recovers from, and the
// EIP-712 user-signed digest on the chain id an action carries.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  type Eip712Types,
  l1ConnectionId,
  recoverL1Signer,
  recoverMultiSigOuterSigner,
  recoverUserSignedSigner,
  type WireSignature,
} from "../../src/sim/signing.js";
import type { Hex } from "../../src/sim/types.js";

interface Vector {
  id: string;
  kind: "l1ActionHash" | "l1Action" | "userSignedAction" | "multiSigL1" | "multiSigUserSigned";
  signerAddress?: string;
  action: Record<string, unknown>;
  nonce?: number;
  vaultAddress?: Hex | null;
  expiresAfter?: number | null;
  isMainnet?: boolean | null;
  types?: Eip712Types;
  multiSigUser?: Hex;
  expected: {
    hash?: Hex;
    signature?: WireSignature;
    action?: {
      signatureChainId: string;
      signatures: WireSignature[];
      payload: { multiSigUser: Hex; outerSigner: Hex; action: Record<string, unknown> };
    };
  };
}

const vectors: Vector[] = JSON.parse(
  readFileSync(new URL("../fixtures/reference/signing-vectors.json", import.meta.url), "utf8"),
).vectors;
const opt = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);

async function recoveredSigners(v: Vector): Promise<string[]> {
  const vaultAddress = opt(v.vaultAddress);
  const expiresAfter = opt(v.expiresAfter);
  const sig = v.expected.signature as WireSignature;
  switch (v.kind) {
    case "l1Action":
      return [
        await recoverL1Signer({
          action: v.action,
          nonce: v.nonce ?? 0,
          vaultAddress,
          expiresAfter,
          isTestnet: !v.isMainnet,
          signature: sig,
        }),
      ];
    case "userSignedAction":
      return [
        await recoverUserSignedSigner({
          action: v.action as Record<string, unknown> & { signatureChainId: string },
          types: v.types as Eip712Types,
          signature: sig,
        }),
      ];
    case "multiSigL1": {
      const wrapper = v.expected.action;
      if (!wrapper) throw new Error("vector without wrapper");
      const { multiSigUser, outerSigner } = wrapper.payload;
      const outer = await recoverMultiSigOuterSigner({
        wrapper: wrapper as unknown as Record<string, unknown> & { signatureChainId: string },
        nonce: v.nonce ?? 0,
        isTestnet: !v.isMainnet,
        ...(vaultAddress ? { vaultAddress } : {}),
        ...(expiresAfter !== undefined ? { expiresAfter } : {}),
        signature: sig,
      });
      const inner = await Promise.all(
        wrapper.signatures.map((s) =>
          recoverL1Signer({
            action: [multiSigUser.toLowerCase(), outerSigner.toLowerCase(), v.action],
            nonce: v.nonce ?? 0,
            vaultAddress,
            expiresAfter,
            isTestnet: !v.isMainnet,
            signature: s,
          }),
        ),
      );
      return [outer, ...inner];
    }
    case "multiSigUserSigned": {
      const wrapper = v.expected.action;
      const types = v.types;
      if (!wrapper || !types) throw new Error("vector without wrapper");
      const nonce = Number(v.action.nonce ?? v.action.time);
      const outer = await recoverMultiSigOuterSigner({
        wrapper: wrapper as unknown as Record<string, unknown> & { signatureChainId: string },
        nonce,
        isTestnet: v.action.hyperliquidChain === "Testnet",
        signature: sig,
      });
      // Inner signatures sign the action with the multi-sig user and outer signer injected.
      const primary = Object.keys(types)[0] as string;
      const fields = types[primary] ?? [];
      const extended: Eip712Types = {
        ...types,
        [primary]: [
          ...fields.slice(0, 1),
          { name: "payloadMultiSigUser", type: "address" },
          { name: "outerSigner", type: "address" },
          ...fields.slice(1),
        ],
      };
      const inner = await Promise.all(
        wrapper.signatures.map((s) =>
          recoverUserSignedSigner({
            action: {
              payloadMultiSigUser: wrapper.payload.multiSigUser,
              outerSigner: wrapper.payload.outerSigner,
              ...v.action,
            } as unknown as Record<string, unknown> & { signatureChainId: string },
            types: extended,
            signature: s,
          }),
        ),
      );
      return [outer, ...inner];
    }
    default:
      return [];
  }
}

describe("signing vectors through the simulator's recovery path", () => {
  it("covers all 43 reference vectors", () => {
    expect(vectors).toHaveLength(43);
  });

  for (const v of vectors.filter((x) => x.kind === "l1ActionHash")) {
    it(`${v.id}: the connection id is the reference hash`, () => {
      const id = l1ConnectionId({
        action: v.action,
        nonce: v.nonce ?? 0,
        vaultAddress: opt(v.vaultAddress),
        expiresAfter: opt(v.expiresAfter),
      });
      expect(id).toBe(v.expected.hash?.toLowerCase());
    });
  }

  for (const v of vectors.filter((x) => x.kind !== "l1ActionHash")) {
    it(`${v.id}: every signature recovers to the vector's signer`, async () => {
      const signers = await recoveredSigners(v);
      expect(signers.length).toBeGreaterThan(0);
      for (const s of signers) expect(s).toBe(v.signerAddress?.toLowerCase());
    });
  }

  it("a signature over different bytes recovers to some other address (never throws)", async () => {
    const v = vectors.find((x) => x.id === "py/order/mainnet") as Vector;
    const signer = await recoverL1Signer({
      action: { ...v.action, grouping: "normalTpsl" },
      nonce: v.nonce ?? 0,
      isTestnet: false,
      signature: v.expected.signature as WireSignature,
    });
    expect(signer).toMatch(/^0x[0-9a-f]{40}$/);
    expect(signer).not.toBe(v.signerAddress?.toLowerCase());
  });

  it("the network is part of an L1 signature: a mainnet signature read as testnet is someone else", async () => {
    const v = vectors.find((x) => x.id === "py/order/mainnet") as Vector;
    const signer = await recoverL1Signer({
      action: v.action,
      nonce: v.nonce ?? 0,
      isTestnet: true,
      signature: v.expected.signature as WireSignature,
    });
    expect(signer).not.toBe(v.signerAddress?.toLowerCase());
  });
});
