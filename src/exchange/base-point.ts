// k·G for the prepared nonces (signer.ts), with a small table of multiples of G worked out once.
//
// noble's `BASE.multiply` is built to be constant-time: it splits k in two (the curve's
// endomorphism) and runs a full windowed pass over each 128-bit half as if it were 256 bits,
// adding a dummy point wherever a window is zero — 66 additions by complete formulas (~14
// multiplications each), ~210 µs and the largest share of the BigInt garbage of a copied order.
// Here k is recoded in signed windows of WINDOW bits and each window adds one precomputed affine
// point to a Jacobian sum: 43 mixed additions of 11 multiplications, and one inversion per batch
// of nonces (signer.ts) — about half the time and two thirds of the garbage.
//
// Timing: the nonces are worked out between orders, one per turn of the event loop, long
// before one is used (nothing an observer of our orders can time), and every window adds a
// point (a zero window adds nothing, odds 1 in 64 per window). JavaScript's BigInt is not
// constant-time in any case — noble says as much of itself.
//
// Anything unusual (a doubling or the point at infinity part-way, odds ~2⁻²⁵⁰ for a random k)
// gives up on the table and leaves the nonce to noble (`undefined`).

import { secp256k1 } from "@noble/curves/secp256k1";

const P = secp256k1.CURVE.Fp.ORDER;
/** Bits per signed window: digits in [−32, 32], 43 windows over k's 256 bits (+ a carry). */
const WINDOW = 6;
const HALF = 1 << (WINDOW - 1);
const WINDOWS = Math.ceil(257 / WINDOW);
const MASK = BigInt((1 << WINDOW) - 1);
const SHIFT = BigInt(WINDOW);

/** An affine point (x, y): the table's entries. */
interface Affine {
  x: bigint;
  y: bigint;
}

/**
 * a·b mod p for a, b in [0, p). (Folding the high half in by 2²⁵⁶ ≡ 2³² + 977 instead of `%`
 * computed no faster once its garbage was counted: ~10 BigInts per product instead of 2.)
 */
const mul = (a: bigint, b: bigint): bigint => (a * b) % P;
const add = (a: bigint, b: bigint): bigint => {
  const s = a + b;
  return s >= P ? s - P : s;
};
const sub = (a: bigint, b: bigint): bigint => (a >= b ? a - b : a - b + P);

/**
 * table[i][j − 1] = j · 2^(WINDOW·i) · G for j = 1 … HALF, affine (normalised by noble, which
 * built them). 43 × 32 points, ~1 400 additions once (a few ms), ~150 KB held.
 */
let table: Affine[][] | undefined;
function baseTable(): Affine[][] {
  if (table) return table;
  const G = secp256k1.ProjectivePoint.BASE;
  const rows: (typeof G)[] = [];
  let unit = G;
  for (let i = 0; i < WINDOWS; i++) {
    let point = unit;
    for (let j = 1; j <= HALF; j++) {
      rows.push(point);
      point = point.add(unit);
    }
    for (let b = 0; b < WINDOW; b++) unit = unit.double();
  }
  const affine = secp256k1.ProjectivePoint.normalizeZ(rows).map((p) => ({ x: p.px, y: p.py }));
  table = Array.from({ length: WINDOWS }, (_, i) => affine.slice(i * HALF, (i + 1) * HALF));
  return table;
}

/** k·G in Jacobian coordinates (X/Z², Y/Z³), or undefined when a special case came up. */
export interface Jacobian {
  X: bigint;
  Y: bigint;
  Z: bigint;
}

/**
 * k·G for 0 < k < n, in Jacobian coordinates (`toAffine` with Z⁻¹ gives x, y; inverting a
 * batch's Z's together costs one inversion). Undefined in the exceptional cases (see above).
 */
export function baseMultiply(k: bigint): Jacobian | undefined {
  const rows = baseTable();
  let X = 0n;
  let Y = 0n;
  let Z = 0n; // Z = 0: the sum is still the point at infinity
  let rest = k;
  for (let i = 0; i < WINDOWS; i++) {
    let digit = Number(rest & MASK);
    rest >>= SHIFT;
    if (digit > HALF) {
      digit -= 1 << WINDOW;
      rest += 1n;
    }
    if (digit === 0) continue;
    const entry = rows[i]?.[Math.abs(digit) - 1];
    if (entry === undefined) return undefined;
    const x2 = entry.x;
    const y2 = digit < 0 ? P - entry.y : entry.y;
    if (Z === 0n) {
      X = x2;
      Y = y2;
      Z = 1n;
      continue;
    }
    // Mixed addition, Jacobian + affine, a = 0 (madd-2007-bl): 11 multiplications.
    const z1z1 = mul(Z, Z);
    const h = sub(mul(x2, z1z1), X);
    if (h === 0n) return undefined; // the same x: a doubling or infinity — noble's case
    const rr = sub(mul(mul(y2, Z), z1z1), Y);
    const r2 = add(rr, rr);
    const hh = mul(h, h);
    const hh2 = add(hh, hh);
    const i4 = add(hh2, hh2);
    const j = mul(h, i4);
    const v = mul(X, i4);
    const x3 = sub(sub(mul(r2, r2), j), add(v, v));
    const yj = mul(Y, j);
    const y3 = sub(mul(r2, sub(v, x3)), add(yj, yj));
    const zh = add(Z, h);
    const z3 = sub(sub(mul(zh, zh), z1z1), hh);
    X = x3;
    Y = y3;
    Z = z3;
  }
  if (rest !== 0n || Z === 0n) return undefined;
  return { X, Y, Z };
}

/** The affine point of `j` given Z⁻¹ (mod p). */
export function toAffine(j: Jacobian, zInv: bigint): Affine {
  const zz = mul(zInv, zInv);
  return { x: mul(j.X, zz), y: mul(mul(j.Y, zz), zInv) };
}

/** The prime field of the curve's coordinates (for batch inversion of Z's). */
export const coordinateField = secp256k1.CURVE.Fp;
