// The agent's wallet for the SDK. Every order is an L1 action: an EIP-712 "Agent" message
// (source, connectionId) in one fixed domain. viem's generic signTypedData validates and
// encodes the typed data anew each time (~0.2 ms, 40 % of an order's signing); here that
// message's digest is computed directly (the domain separator and type hash once) and signed
// with the same secp256k1 (RFC 6979: the very signature viem gives). Any other typed data
// (user-signed actions) goes to viem's own signTypedData unchanged.
//
// With `presign`, the costly part of an ECDSA signature — the nonce point R = k·G, ~0.4 ms of
// the ~0.45 ms the deterministic signature takes — is worked out ahead, between orders (from a
// table of multiples of G, base-point.ts: ~0.12 ms), for nonces k
// drawn from the system's CSPRNG (FIPS 186 ECDSA; RFC 6979 derives k from the message, so it
// cannot be prepared before the order exists). Signing an order then costs two multiplications
// modulo n. Each prepared nonce is used once and dropped; with none ready (a burst, or the first
// order of a one-shot reconcile) one is made on the spot the same way (~0.2 ms: its own
// inversions) — not the deterministic way, whose first use builds noble's table of G (~50 ms)
// and costs ~1.6 ms each after. The k's are inverted a batch at a time. Either signature is
// valid for the same key: the exchange recovers the signer from it. Without `presign`, every
// signature is the deterministic one (viem's, to the byte).

import { randomFillSync } from "node:crypto";
import { Field, FpInvertBatch } from "@noble/curves/abstract/modular";
import { secp256k1 } from "@noble/curves/secp256k1";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { bytesToHex, hexToBytes, utf8ToBytes } from "@noble/hashes/utils.js";
import { privateKeyToAccount, sign } from "viem/accounts";
import { addressOfKey, checksumAddress } from "../core/address.js";
import { baseMultiply, coordinateField, type Jacobian, toAffine } from "./base-point.js";

type Hex = `0x${string}`;

/** The typed data the SDK asks a wallet to sign (what its viem-local adapter passes). */
interface TypedDataArgs {
  domain: { name?: string; version?: string; chainId?: number | bigint; verifyingContract?: string };
  types: Record<string, readonly { name: string; type: string }[]>;
  primaryType: string;
  message: Record<string, unknown>;
}

/** What the SDK recognises as a local viem account: an address and signTypedData(args). */
export interface AgentWallet {
  readonly address: Hex;
  signTypedData(args: TypedDataArgs): Promise<Hex>;
  /**
   * Sign an L1 action by its hash (the connectionId, 32 bytes: action-hash.ts) as the SDK's
   * signL1Action would through signTypedData — the same digest and key — without its wallet
   * detection and hex round trips. `r`, `s` as 0x + 64 hex digits, `v` 27 or 28.
   */
  signL1(connectionId: Uint8Array, isTestnet: boolean): Promise<L1Signature>;
  /** Nonces prepared ahead and not yet used (0 without `presign`). */
  presigned(): number;
}

/** An L1 action's signature as /exchange takes it (the SDK's parsed form). */
export interface L1Signature {
  r: Hex;
  s: Hex;
  v: number;
}

export interface AgentWalletOptions {
  /** How many nonces at least to keep prepared for L1 actions (see the top of this file). Default 0. */
  presign?: number;
}

const L1_DOMAIN = {
  name: "Exchange",
  version: "1",
  chainId: 1337,
  verifyingContract: "0x0000000000000000000000000000000000000000",
} as const;

let constants: { separator: Uint8Array; typeHash: Uint8Array } | undefined;

/** hashStruct(EIP712Domain) of the L1 domain and the Agent type hash, computed once. */
function l1Constants(): { separator: Uint8Array; typeHash: Uint8Array } {
  if (!constants) {
    const domain = new Uint8Array(160);
    domain.set(
      keccak_256(
        utf8ToBytes("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
      ),
      0,
    );
    domain.set(keccak_256(utf8ToBytes(L1_DOMAIN.name)), 32);
    domain.set(keccak_256(utf8ToBytes(L1_DOMAIN.version)), 64);
    domain.set(hexToBytes(L1_DOMAIN.chainId.toString(16).padStart(64, "0")), 96);
    domain.set(hexToBytes(L1_DOMAIN.verifyingContract.slice(2).padStart(64, "0")), 128);
    constants = {
      separator: keccak_256(domain),
      typeHash: keccak_256(utf8ToBytes("Agent(string source,bytes32 connectionId)")),
    };
  }
  return constants;
}

/** The L1 action message in its one domain (anything else is signed the generic way). */
function isL1Agent(
  args: TypedDataArgs,
): args is TypedDataArgs & { message: { source: string; connectionId: Hex } } {
  const d = args.domain;
  const fields = args.types.Agent;
  const { source, connectionId } = args.message;
  return (
    args.primaryType === "Agent" &&
    d.name === L1_DOMAIN.name &&
    d.version === L1_DOMAIN.version &&
    Number(d.chainId) === L1_DOMAIN.chainId &&
    d.verifyingContract?.toLowerCase() === L1_DOMAIN.verifyingContract &&
    fields?.length === 2 &&
    fields[0]?.name === "source" &&
    fields[0].type === "string" &&
    fields[1]?.name === "connectionId" &&
    fields[1].type === "bytes32" &&
    typeof source === "string" &&
    typeof connectionId === "string" &&
    /^0x[0-9a-fA-F]{64}$/.test(connectionId)
  );
}

/** keccak256 of each `source` seen ("a" mainnet, "b" testnet: two values, hashed once each). */
const sourceHashes = new Map<string, Uint8Array>();

/** The EIP-712 digest of an L1 "Agent" message: keccak256(0x1901 ‖ domain ‖ hashStruct). */
export function l1AgentDigest(source: string, connectionId: Hex | Uint8Array): Uint8Array {
  const { separator, typeHash } = l1Constants();
  let sourceHash = sourceHashes.get(source);
  if (!sourceHash) {
    sourceHash = keccak_256(utf8ToBytes(source));
    if (sourceHashes.size < 8) sourceHashes.set(source, sourceHash);
  }
  const struct = new Uint8Array(96);
  struct.set(typeHash, 0);
  struct.set(sourceHash, 32);
  struct.set(typeof connectionId === "string" ? hexToBytes(connectionId.slice(2)) : connectionId, 64);
  const out = new Uint8Array(66);
  out[0] = 0x19;
  out[1] = 0x01;
  out.set(separator, 2);
  out.set(keccak_256(struct), 34);
  return keccak_256(out);
}

const N = secp256k1.CURVE.n;
const HALF_N = N >> 1n;

/** A nonce prepared ahead: k⁻¹ mod n, r = R.x mod n and R's y parity, for R = k·G. */
interface Nonce {
  kInv: bigint;
  r: bigint;
  yOdd: boolean;
}

const toBigInt = (bytes: Uint8Array): bigint => BigInt(`0x${bytesToHex(bytes)}`);
const hex32 = (n: bigint): string => n.toString(16).padStart(64, "0");

/**
 * The CSPRNG's bytes, drawn 2 KB at a time: a draw is a system call that took 8–30 µs here
 * (~0.1 ms per copied order in follow's profile), whatever its size. Each 32 bytes are read
 * once and zeroed as they are taken; the buffer is the module's own (not Node's shared pool).
 */
const entropy = Buffer.alloc(2048);
let entropyAt = entropy.length;

/** k uniform in [1, n−1] from the CSPRNG. */
function freshK(): bigint {
  for (;;) {
    if (entropyAt === entropy.length) {
      randomFillSync(entropy);
      entropyAt = 0;
    }
    const bytes = entropy.subarray(entropyAt, entropyAt + 32);
    entropyAt += 32;
    const k = toBigInt(bytes);
    bytes.fill(0);
    if (k !== 0n && k < N) return k;
  }
}

/** The integers modulo n (the scalars): for k⁻¹. */
const scalars = Field(N);
/** Nonces worked out together (see nonceBatch). */
const NONCE_BATCH = 8;

/**
 * The nonces of independent k's from their points R = k·G (Jacobian, see base-point.ts): the
 * k's inverted a batch at a time mod n and the points' Z's mod p (Montgomery's trick: one
 * modular inversion each per batch — ~35 µs and ~20 KB of BigInt garbage apiece — instead of
 * one per nonce). A point with R.x ≥ n or 0 (odds ~2⁻¹²⁸) would need a recovery id Ethereum's
 * v cannot carry: its nonce is dropped.
 */
function nonceBatch(ks: readonly bigint[], points: readonly Jacobian[]): Nonce[] {
  const inverses = FpInvertBatch(scalars, ks as bigint[]);
  const zInverses = FpInvertBatch(
    coordinateField,
    points.map((p) => p.Z),
  );
  const out: Nonce[] = [];
  points.forEach((point, i) => {
    const kInv = inverses[i];
    const zInv = zInverses[i];
    if (kInv === undefined || zInv === undefined) return;
    const R = toAffine(point, zInv);
    if (R.x >= N || R.x === 0n) return;
    out.push({ kInv, r: R.x, yOdd: (R.y & 1n) === 1n });
  });
  return out;
}

/** R = k·G from the table, or (a special case, see base-point.ts) from noble, as Jacobian. */
function noncePoint(k: bigint): Jacobian {
  const fast = baseMultiply(k);
  if (fast) return fast;
  const R = secp256k1.ProjectivePoint.BASE.multiply(k).toAffine();
  return { X: R.x, Y: R.y, Z: 1n };
}

/**
 * The ECDSA signature of a 32-byte digest with a prepared nonce: s = k⁻¹(z + r·d) mod n, made
 * low-s (then R's parity flips), v 27/28. Undefined in the (2⁻²⁵⁶) case s = 0.
 */
function signWithNonce(digest: Uint8Array, d: bigint, nonce: Nonce): L1Signature | undefined {
  const z = toBigInt(digest) % N;
  let s = (nonce.kInv * ((z + nonce.r * d) % N)) % N;
  if (s === 0n) return undefined;
  let odd = nonce.yOdd;
  if (s > HALF_N) {
    s = N - s;
    odd = !odd;
  }
  return { r: `0x${hex32(nonce.r)}`, s: `0x${hex32(s)}`, v: odd ? 28 : 27 };
}

/** r ‖ s ‖ v as one hex string (what viem's signTypedData returns). */
const joined = (sig: L1Signature): Hex => `${sig.r}${sig.s.slice(2)}${sig.v.toString(16)}` as Hex;

/** The agent wallet for `privateKey` (never logged, never returned). */
export function agentWallet(privateKey: Hex, options: AgentWalletOptions = {}): AgentWallet {
  // viem's account only for typed data other than an L1 action (never an agent's in hlcopy):
  // making it builds noble's table of G (~50 ms), which the prepared nonces do not need.
  let account: ReturnType<typeof privateKeyToAccount> | undefined;
  const address = checksumAddress(addressOfKey(privateKey));
  const d = BigInt(privateKey);
  const size = Math.max(0, Math.floor(options.presign ?? 0));
  const pool: Nonce[] = [];
  /** The batch being worked out: its k's and their points (k·G), not yet usable. */
  const ks: bigint[] = [];
  const points: Jacobian[] = [];
  let refilling = false;
  // One point per turn of the event loop, after whatever that turn had to do (an order that
  // just took a nonce has written its request by then): never a burst of work on the hot path.
  // A batch is finished (made usable) when it is full, or at once when the pool ran dry.
  const refill = (): void => {
    if (refilling || (pool.length >= size && ks.length === 0)) return;
    refilling = true;
    setImmediate(() => {
      refilling = false;
      const k = freshK();
      ks.push(k);
      points.push(noncePoint(k));
      if (ks.length >= NONCE_BATCH || pool.length === 0) {
        pool.push(...nonceBatch(ks, points));
        ks.length = 0;
        points.length = 0;
      }
      refill();
    }).unref();
  };
  refill();
  /** A nonce made now, as a prepared one is (none was ready). */
  const nonceNow = (): Nonce => {
    for (;;) {
      const k = freshK();
      const [nonce] = nonceBatch([k], [noncePoint(k)]);
      if (nonce) return nonce;
    }
  };
  /** A prepared nonce's signature (with `presign`: made now when none is ready), else the deterministic one, as viem signs. */
  const signDigest = async (digest: Uint8Array): Promise<L1Signature> => {
    const nonce = pool.shift() ?? (size > 0 ? nonceNow() : undefined);
    if (nonce) {
      refill();
      const signature = signWithNonce(digest, d, nonce);
      if (signature) return signature;
    }
    // r ‖ s ‖ v, read as the SDK reads a wallet's signature.
    const hex = await sign({ hash: `0x${bytesToHex(digest)}`, privateKey, to: "hex" });
    return {
      r: hex.slice(0, 66) as Hex,
      s: `0x${hex.slice(66, 130)}`,
      v: Number.parseInt(hex.slice(130, 132), 16),
    };
  };
  return {
    address,
    async signTypedData(args: TypedDataArgs): Promise<Hex> {
      if (!isL1Agent(args)) {
        account ??= privateKeyToAccount(privateKey);
        return account.signTypedData(args as Parameters<typeof account.signTypedData>[0]);
      }
      return joined(await signDigest(l1AgentDigest(args.message.source, args.message.connectionId)));
    },
    signL1: (connectionId, isTestnet) => signDigest(l1AgentDigest(isTestnet ? "b" : "a", connectionId)),
    presigned: () => pool.length,
  };
}
