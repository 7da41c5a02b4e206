// k·G from the table (base-point.ts) is the very point noble's constant-time multiply gives:
// the prepared nonces' r and recovery parity come from it, so a wrong point is a signature the
// exchange would read as another signer's.
import { FpInvertBatch } from "@noble/curves/abstract/modular";
import { secp256k1 } from "@noble/curves/secp256k1";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { baseMultiply, coordinateField, toAffine } from "../../src/exchange/base-point.js";
import { fcRuns } from "../helpers/fast-check.js";

const G = secp256k1.ProjectivePoint.BASE;
const N = secp256k1.CURVE.n;
const affine = (k: bigint) => {
  const j = baseMultiply(k);
  if (!j) return undefined;
  return toAffine(j, coordinateField.inv(j.Z));
};
const noble = (k: bigint) => {
  const p = G.multiply(k).toAffine();
  return { x: p.x, y: p.y };
};

describe("baseMultiply (k·G from a table of multiples of G)", () => {
  it("agrees with noble at the edges of the scalar range and of every signed window", () => {
    const edges = [
      1n,
      2n,
      3n,
      31n,
      32n,
      33n,
      63n,
      64n,
      65n,
      2n ** 128n,
      2n ** 255n - 1n,
      N - 33n,
      N - 32n,
      N - 2n,
      N - 1n,
    ];
    // Digits at the recoding's turning point (32 stays, 33 becomes −31 with a carry) in every window.
    for (let w = 0n; w < 42n; w++) edges.push(32n << (6n * w), 33n << (6n * w), (63n << (6n * w)) + 1n);
    for (const k of edges.filter((k) => k > 0n && k < N)) expect(affine(k), `k = ${k}`).toEqual(noble(k));
  });

  it("agrees with noble for random scalars (property)", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: N - 1n }), (k) => {
        expect(affine(k)).toEqual(noble(k));
      }),
      { numRuns: fcRuns(300) },
    );
  });

  it("gives the same points when the Z's of a batch are inverted together", () => {
    const ks = [5n, N - 7n, 2n ** 200n + 12345n, 0xdeadbeefn ** 7n % N];
    const points = ks.map((k) => baseMultiply(k));
    const zs = FpInvertBatch(
      coordinateField,
      points.map((p) => p?.Z ?? 0n),
    );
    points.forEach((p, i) => {
      expect(p).toBeDefined();
      if (p) expect(toAffine(p, zs[i] ?? 0n)).toEqual(noble(ks[i] ?? 0n));
    });
  });
});
