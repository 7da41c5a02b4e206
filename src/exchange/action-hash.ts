// The L1 action hash (the "connectionId" an agent signs), computed here rather than by the SDK's
// createL1ActionHash: its msgpack encoder makes a Uint8Array for every value and then
// concatenates them (~45 µs of an order's ~130 µs of signing, between the leader's fill and our
// order). This one writes into one reused buffer. The bytes are the SDK's, rule for rule: its
// `adjust` (fields that are undefined left out; integers ≥ 2³² or < −2³¹ as 64-bit integers) and
// @std/msgpack's encoding (the smallest form of each integer, other numbers as float64, maps in
// key order). test/exchange/action-hash.test.ts holds the two equal over generated actions and
// the reference vectors; the simulator checks every signature with the SDK's own hash.

import { keccak_256 } from "@noble/hashes/sha3.js";
import { hexToBytes } from "@noble/hashes/utils.js";

let buf = new Uint8Array(512);
let view = new DataView(buf.buffer);
let at = 0;

function room(n: number): void {
  if (at + n <= buf.length) return;
  const bigger = new Uint8Array(Math.max(buf.length * 2, at + n));
  bigger.set(buf.subarray(0, at));
  buf = bigger;
  view = new DataView(buf.buffer);
}

function byte(b: number): void {
  room(1);
  buf[at++] = b;
}

/** A header byte and a 1-, 2- or 4-byte big-endian length or value. */
function head(code: number, value: number, size: 1 | 2 | 4): void {
  room(1 + size);
  buf[at++] = code;
  if (size === 1) buf[at] = value;
  else if (size === 2) view.setUint16(at, value);
  else view.setUint32(at, value);
  at += size;
}

function bigint(n: bigint): void {
  room(9);
  if (n < 0n) {
    if (n < -(1n << 63n)) throw new RangeError("Cannot safely encode bigint larger than 64 bits");
    buf[at] = 0xd3;
    view.setBigInt64(at + 1, n);
  } else {
    if (n >= 1n << 64n) throw new RangeError("Cannot safely encode bigint larger than 64 bits");
    buf[at] = 0xcf;
    view.setBigUint64(at + 1, n);
  }
  at += 9;
}

function number(n: number): void {
  if (!Number.isInteger(n)) {
    room(9);
    buf[at] = 0xcb;
    view.setFloat64(at + 1, n);
    at += 9;
  } else if (n >= 0x1_0000_0000 || n < -0x8000_0000) bigint(BigInt(n));
  else if (n < 0) {
    if (n >= -32) byte(n & 0xff);
    else if (n >= -128) head(0xd0, n & 0xff, 1);
    else if (n >= -32768) {
      room(3);
      buf[at] = 0xd1;
      view.setInt16(at + 1, n);
      at += 3;
    } else {
      room(5);
      buf[at] = 0xd2;
      view.setInt32(at + 1, n);
      at += 5;
    }
  } else if (n <= 0x7f) byte(n);
  else if (n < 0x100) head(0xcc, n, 1);
  else if (n < 0x1_0000) head(0xcd, n, 2);
  else head(0xce, n, 4);
}

const utf8 = new TextEncoder();

function string(s: string): void {
  let ascii = true;
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0x7f) {
      ascii = false;
      break;
    }
  }
  const bytes = ascii ? undefined : utf8.encode(s);
  const len = bytes ? bytes.length : s.length;
  if (len < 32) byte(0xa0 | len);
  else if (len < 0x100) head(0xd9, len, 1);
  else if (len < 0x1_0000) head(0xda, len, 2);
  else head(0xdb, len, 4);
  room(len);
  if (bytes) buf.set(bytes, at);
  else for (let i = 0; i < len; i++) buf[at + i] = s.charCodeAt(i);
  at += len;
}

function value(v: unknown): void {
  if (v === null) byte(0xc0);
  else if (v === false) byte(0xc2);
  else if (v === true) byte(0xc3);
  else if (typeof v === "number") number(v);
  else if (typeof v === "bigint") bigint(v);
  else if (typeof v === "string") string(v);
  else if (Array.isArray(v)) {
    const n = v.length;
    if (n < 16) byte(0x90 | n);
    else if (n < 0x1_0000) head(0xdc, n, 2);
    else head(0xdd, n, 4);
    for (const item of v) value(item);
  } else if (typeof v === "object") {
    // As the SDK's adjust: every enumerable key (for…in), those holding undefined left out.
    const o = v as Record<string, unknown>;
    let n = 0;
    for (const key in o) if (o[key] !== undefined) n++;
    if (n < 16) byte(0x80 | n);
    else if (n < 0x1_0000) head(0xde, n, 2);
    else head(0xdf, n, 4);
    for (const key in o) {
      const item = o[key];
      if (item === undefined) continue;
      string(key);
      value(item);
    }
  } else throw new TypeError("Cannot safely encode value into messagepack");
}

/** msgpack of an action as the SDK encodes it for signing (a copy: the buffer is reused). */
export function actionMsgpack(action: unknown): Uint8Array {
  at = 0;
  value(action);
  return buf.slice(0, at);
}

/**
 * keccak256(msgpack(action) ‖ nonce u64 ‖ 0x00 | 0x01 ‖ vault ‖ [0x00 ‖ expiresAfter u64]): what
 * the SDK's createL1ActionHash returns, as bytes.
 */
export function l1ActionHash(p: {
  action: unknown;
  nonce: number;
  vaultAddress?: `0x${string}` | undefined;
  expiresAfter?: number | undefined;
}): Uint8Array {
  at = 0;
  value(p.action);
  const vault = p.vaultAddress ? hexToBytes(p.vaultAddress.slice(2)) : undefined;
  room(8 + 1 + (vault?.length ?? 0) + 9);
  view.setBigUint64(at, BigInt(p.nonce));
  at += 8;
  if (vault) {
    buf[at++] = 1;
    buf.set(vault, at);
    at += vault.length;
  } else buf[at++] = 0;
  if (p.expiresAfter !== undefined) {
    buf[at++] = 0;
    view.setBigUint64(at, BigInt(p.expiresAfter));
    at += 8;
  }
  return keccak_256(buf.subarray(0, at));
}
