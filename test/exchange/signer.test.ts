// The agent wallet signs L1 actions with a direct digest: the same signatures as viem's
// generic signTypedData and as the reference vectors of the official SDKs.

import { signL1Action } from "@nktkas/hyperliquid/signing";
import { hashTypedData, parseSignature, recoverAddress } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { agentWallet, l1AgentDigest } from "../../src/exchange/signer.js";
import { signedL1Vectors } from "./vectors.js";

const vectors = signedL1Vectors;

const domain = {
  name: "Exchange",
  version: "1",
  chainId: 1337,
  verifyingContract: "0x0000000000000000000000000000000000000000",
} as const;
const types = {
  Agent: [
    { name: "source", type: "string" },
    { name: "connectionId", type: "bytes32" },
  ],
} as const;

describe("agentWallet", () => {
  it("computes the L1 Agent digest as viem's hashTypedData does", () => {
    for (const source of ["a", "b"]) {
      const connectionId = `0x${"5a".repeat(31)}0f` as const;
      const expected = hashTypedData({
        domain,
        types,
        primaryType: "Agent",
        message: { source, connectionId },
      });
      expect(`0x${Buffer.from(l1AgentDigest(source, connectionId)).toString("hex")}`).toBe(expected);
    }
  });

  it("signs exactly as viem's account, and anything else through it", async () => {
    const key = generatePrivateKey();
    const viemAccount = privateKeyToAccount(key);
    const wallet = agentWallet(key);
    expect(wallet.address).toBe(viemAccount.address);
    const message = { source: "a", connectionId: `0x${"ab".repeat(32)}` as const };
    const args = { domain, types, primaryType: "Agent" as const, message };
    expect(await wallet.signTypedData(args)).toBe(await viemAccount.signTypedData(args));
    // Another domain (a user-signed action) is signed the generic way.
    const other = { ...args, domain: { ...domain, chainId: 421614 } };
    expect(await wallet.signTypedData(other)).toBe(await viemAccount.signTypedData(other));
  });

  it(`matches the official SDKs' signatures (${vectors.length} reference L1 vectors)`, async () => {
    expect(vectors.length).toBeGreaterThan(10);
    for (const v of vectors) {
      const sig = await signL1Action({
        wallet: agentWallet(v.privateKey as `0x${string}`),
        action: v.action,
        nonce: v.nonce ?? 0,
        isTestnet: v.isMainnet === false,
        ...(v.vaultAddress ? { vaultAddress: v.vaultAddress } : {}),
        ...(v.expiresAfter != null ? { expiresAfter: v.expiresAfter } : {}),
      });
      const want = v.expected.signature;
      expect({ id: v.id, r: BigInt(sig.r), s: BigInt(sig.s), v: sig.v }, v.id).toEqual({
        id: v.id,
        r: BigInt(want?.r ?? 0),
        s: BigInt(want?.s ?? 0),
        v: want?.v,
      });
    }
  });

  it("with presign: signatures from prepared nonces recover to the agent, are low-s, never share a nonce; none ready → one made on the spot, the same way", async () => {
    const key = generatePrivateKey();
    const viemAccount = privateKeyToAccount(key);
    const wallet = agentWallet(key, { presign: 3 });
    const args = (i: number) => ({
      domain,
      types,
      primaryType: "Agent" as const,
      message: { source: "a", connectionId: `0x${i.toString(16).padStart(64, "0")}` as `0x${string}` },
    });
    const ready = async () => {
      while (wallet.presigned() < 3) await new Promise((r) => setImmediate(r));
    };
    const halfN = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n / 2n;
    const rs = new Set<string>();
    // 100 nonces: more than one draw of the CSPRNG's buffer (64 k's a draw).
    for (let i = 0; i < 100; i++) {
      await ready();
      const signature = await wallet.signTypedData(args(i));
      const hash =
        `0x${Buffer.from(l1AgentDigest("a", args(i).message.connectionId)).toString("hex")}` as const;
      expect(await recoverAddress({ hash, signature })).toBe(viemAccount.address);
      const { r, s } = parseSignature(signature);
      expect(BigInt(s) <= halfN).toBe(true);
      rs.add(r);
      // Random nonces: not the deterministic signature.
      expect(signature).not.toBe(await viemAccount.signTypedData(args(i)));
    }
    expect(rs.size).toBe(100);
    // A burst empties the pool (at least the 3 asked for, a batch at a time): the orders after
    // it get a nonce made on the spot — random too, never the deterministic signature (whose
    // first use builds noble's table of G, ~50 ms) — and still recover to the agent.
    await ready();
    const prepared = wallet.presigned();
    expect(prepared).toBeGreaterThanOrEqual(3);
    const burst = await Promise.all(
      Array.from({ length: prepared + 2 }, (_, i) => wallet.signTypedData(args(100 + i))),
    );
    for (let i = 0; i < prepared + 2; i++) {
      const signature = burst[i] as `0x${string}`;
      expect(signature).not.toBe(await viemAccount.signTypedData(args(100 + i)));
      const hash =
        `0x${Buffer.from(l1AgentDigest("a", args(100 + i).message.connectionId)).toString("hex")}` as const;
      expect(await recoverAddress({ hash, signature })).toBe(viemAccount.address);
      rs.add(parseSignature(signature).r);
    }
    expect(rs.size).toBe(100 + prepared + 2);
  });

  it("without presign every signature is the deterministic one, viem's to the byte", async () => {
    const key = generatePrivateKey();
    const viemAccount = privateKeyToAccount(key);
    const wallet = agentWallet(key);
    expect(wallet.address).toBe(viemAccount.address);
    for (let i = 0; i < 3; i++) {
      const args = {
        domain,
        types,
        primaryType: "Agent" as const,
        message: {
          source: "b",
          connectionId: `0x${(i + 7).toString(16).padStart(64, "0")}` as `0x${string}`,
        },
      };
      expect(await wallet.signTypedData(args)).toBe(await viemAccount.signTypedData(args));
    }
  });

  it("signL1 (the order path) signs the same digest: a prepared nonce's signature recovers to the agent, as r, s (64 hex digits) and v", async () => {
    const key = generatePrivateKey();
    const wallet = agentWallet(key, { presign: 1 });
    while (wallet.presigned() < 1) await new Promise((r) => setImmediate(r));
    const connectionId = Uint8Array.from({ length: 32 }, (_, i) => i * 7);
    for (const isTestnet of [false, true]) {
      const sig = await wallet.signL1(connectionId, isTestnet);
      expect(sig.r).toMatch(/^0x[0-9a-f]{64}$/);
      expect(sig.s).toMatch(/^0x[0-9a-f]{64}$/);
      expect([27, 28]).toContain(sig.v);
      const hash =
        `0x${Buffer.from(l1AgentDigest(isTestnet ? "b" : "a", connectionId)).toString("hex")}` as const;
      const signature = `${sig.r}${sig.s.slice(2)}${sig.v.toString(16)}` as const;
      expect(await recoverAddress({ hash, signature })).toBe(privateKeyToAccount(key).address);
    }
  });
});
