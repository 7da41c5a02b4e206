// The official SDKs' signing test vectors (test/fixtures/reference/signing-vectors.json, see its
// README for provenance), typed once for every test that reads them.

import { readFileSync } from "node:fs";

export interface SigningVector {
  id: string;
  kind: string;
  privateKey?: `0x${string}`;
  action: Record<string, unknown>;
  nonce?: number;
  vaultAddress?: `0x${string}` | null;
  expiresAfter?: number | null;
  isMainnet?: boolean;
  expected: { hash?: string; signature?: { r: string; s: string; v: number } };
}

/** Every vector of the reference file. */
export const signingVectors: readonly SigningVector[] = (
  JSON.parse(
    readFileSync(new URL("../fixtures/reference/signing-vectors.json", import.meta.url), "utf8"),
  ) as { vectors: SigningVector[] }
).vectors;

/** The L1 actions signed with a known key, and their expected signatures. */
export const signedL1Vectors = signingVectors.filter(
  (v) => v.kind === "l1Action" && v.privateKey && v.expected.signature,
);
