// THE address parser: every address hlcopy reads (leader arguments, --account, HLCOPY_ACCOUNT,
// the config file, init) goes through here. Accepted as wallets accept them: all lower case,
// all upper case (neither carries a checksum), or mixed case whose EIP-55 checksum matches —
// a mixed-case address with one letter's case wrong is a typo, refused. A private key pasted
// where an address belongs (64 hex digits, not 40) is named as one and never echoed: not in
// the error, its hint, JSON or a log (hidePrivateKeys is the net for every other message). Pure.

import { createECDH } from "node:crypto";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { UsageError } from "./errors.js";
import type { Address } from "./types.js";

const HEX_ADDRESS = /^0x[0-9a-fA-F]{40}$/;
/** A private key as wallets export it: 64 hex digits, with or without 0x. */
const PRIVATE_KEY = /^(?:0[xX])?[0-9a-fA-F]{64}$/;
/** The same inside a text, not part of a longer run of hex digits (a signature, a hash of 128). */
const PRIVATE_KEY_IN_TEXT = /(?<![0-9a-fA-F])(?:0[xX])?[0-9a-fA-F]{64}(?![0-9a-fA-F])/g;

/** What a private key found in a message is replaced by. */
export const HIDDEN_KEY = "0x…(64 hex digits: a private key? not shown)";

/**
 * What is said instead of a would-be address that has a private key's form (the value itself
 * never is): what hlcopy wants, and never to paste a key.
 */
export const NOT_A_KEY =
  "this looks like a private key, not an address: never paste a key here — hlcopy wants the address (0x + 40 hex digits)";

/** 64 hex digits (0x or not, surrounding spaces aside): a private key's form, not an address's. */
export function looksLikePrivateKey(value: string): boolean {
  return PRIVATE_KEY.test(value.trim());
}

/**
 * `text` with every private-key-shaped run of hex (64 digits, 0x or not) replaced by HIDDEN_KEY:
 * for messages that quote what was typed (an unknown command, a bad value), so a key pasted
 * in the wrong place is never printed back.
 */
export function hidePrivateKeys(text: string): string {
  return text.replace(PRIVATE_KEY_IN_TEXT, HIDDEN_KEY);
}

/**
 * 0x + 40 hex digits, the checksum not looked at: what the exchange and its replies carry (the
 * adapter checks this much; what a person types goes through parseAddress).
 */
export function isHexAddress(value: string): boolean {
  return HEX_ADDRESS.test(value);
}

/**
 * What is wrong with a would-be address, or null when it is fine: "private-key" when it has a
 * private key's form (never show it), "format" for anything else not 0x + 40 hex digits.
 */
export function addressProblem(value: string): "private-key" | "format" | "checksum" | null {
  if (looksLikePrivateKey(value)) return "private-key";
  if (!isHexAddress(value)) return "format";
  const digits = value.slice(2);
  if (digits === digits.toLowerCase() || digits === digits.toUpperCase()) return null;
  return digits === checksummed(digits) ? null : "checksum";
}

/**
 * EIP-55: a letter is upper case where the keccak-256 of the lower-case hex has a nibble ≥ 8.
 * (@noble/hashes, not viem: `--help` and config reads must not load viem.)
 */
function checksummed(digits: string): string {
  const lower = digits.toLowerCase();
  const hash = keccak_256(new TextEncoder().encode(lower));
  let out = "";
  for (let i = 0; i < lower.length; i++) {
    const byte = hash[i >> 1] ?? 0;
    const nibble = i % 2 === 0 ? byte >> 4 : byte & 0x0f;
    const c = lower[i] as string;
    out += nibble >= 8 ? c.toUpperCase() : c;
  }
  return out;
}

/** An address in its EIP-55 mixed-case form (what wallets and viem show). */
export function checksumAddress(address: Address): `0x${string}` {
  return `0x${checksummed(address.slice(2))}`;
}

/**
 * The lowercase address of a private key (0x + 64 hex digits, already checked): keccak-256 of its
 * public key's x ‖ y, the last 20 bytes. The public key is OpenSSL's (one k·G, ~0.3 ms): viem's
 * goes through noble, which on its first use builds a table of multiples of G for fast repeated
 * multiplications (~50 ms of CPU) — every command's start paid it to learn one address. Pure (no
 * I/O); the key's bytes are zeroed after.
 */
export function addressOfKey(privateKey: `0x${string}`): Address {
  const key = Buffer.from(privateKey.slice(2), "hex");
  try {
    const ecdh = createECDH("secp256k1");
    ecdh.setPrivateKey(key);
    const publicKey = ecdh.getPublicKey(); // 0x04 ‖ x ‖ y, uncompressed
    return `0x${Buffer.from(keccak_256(publicKey.subarray(1)))
      .subarray(12)
      .toString("hex")}` as Address;
  } finally {
    key.fill(0);
  }
}

export function isAddress(value: string): value is Address {
  return addressProblem(value) === null;
}

/**
 * Parse an address given as `what` (e.g. "leader address") into its lower-case form.
 * @throws {UsageError} (exit 2) saying whether the format or the checksum is wrong, with `hint`;
 *   for a private key's form, saying so without the value (privateKeyMessage).
 */
export function parseAddress(value: string, what: string, hint: string): Address {
  const problem = addressProblem(value);
  if (problem === "private-key") throw new UsageError(privateKeyMessage(what), { hint });
  if (problem === "format") {
    // A slip with one reading (spaces around or inside it, the 0x left off): say that one.
    const meant = addressMeant(value);
    const several = addressesInOne(value);
    // Otherwise what it has instead (a digit short, a letter O), where no reading is certain.
    const got = meant || several ? null : formatFound(value);
    throw new UsageError(
      `invalid ${what} "${value}": expected 0x followed by 40 hex digits${got ? ` (${got})` : ""}`,
      {
        hint: meant
          ? `did you mean ${meant}? (${meantWhy(value)})`
          : several
            ? `that is ${several.length} addresses in one argument: give each as an argument of its own, separated by a space (${several.join(" ")})`
            : hint,
      },
    );
  }
  if (problem === "checksum") {
    throw new UsageError(
      `invalid ${what} "${value}": its mixed-case checksum (EIP-55) does not match — a typo in the address?`,
      {
        hint: `${hint} — or, if you are sure of it, give it all in lower case`,
      },
    );
  }
  return value.toLowerCase() as Address;
}

/**
 * What a would-be address that is 0x + something has instead of 40 hex digits, in words, or null:
 * the count when only hex digits are there ("39 hex digits: one short" — cut off when copied),
 * else the first character that is no hex digit (a letter O typed for a zero).
 */
function formatFound(value: string): string | null {
  if (!/^0x/i.test(value)) return null;
  const digits = value.slice(2);
  if (/^[0-9a-fA-F]+$/.test(digits)) {
    const off = digits.length - 40;
    if (off === 0) return null;
    const by = Math.abs(off) === 1 ? "one" : String(Math.abs(off));
    return `it has ${digits.length} hex digits: ${by} ${off < 0 ? "short — cut off when copied?" : "too many — pasted twice?"}`;
  }
  const i = digits.search(/[^0-9a-fA-F]/);
  const c = digits[i] ?? "";
  if (/\s/.test(c)) return null; // spaces: addressMeant's case
  return `"${c}" at position ${i + 3} is not a hex digit (0-9, a-f)${/[oO]/.test(c) ? ": a letter O for a zero?" : ""}`;
}

/**
 * The address a would-be one that is not one was surely meant to be, or null: the same with the
 * spaces around or inside it taken out (a copy that caught a blank, an address typed in groups)
 * and/or `0x` put in front of 40 hex digits — only when that gives a valid address (checksum
 * included). Never a private key's form.
 */
export function addressMeant(value: string): string | null {
  if (looksLikePrivateKey(value)) return null;
  const joined = unquoted(value.replace(/\s+/g, ""));
  const withPrefix = /^[0-9a-fA-F]{40}$/.test(joined) ? `0x${joined}` : joined.replace(/^0X/, "0x");
  if (withPrefix === value || addressProblem(withPrefix) !== null) return null;
  return withPrefix;
}

/**
 * An address typed with a space, so the shell split it over two arguments: words[i] joined with
 * the word after it (or before it) when that gives a valid address (addressMeant's fixes too),
 * else null.
 */
export function splitAddressAt(words: readonly string[], i: number): string | null {
  for (const [a, b] of [
    [words[i], words[i + 1]],
    [words[i - 1], words[i]],
  ]) {
    if (a === undefined || b === undefined) continue;
    const joined = `${a}${b}`;
    if (looksLikePrivateKey(joined)) continue;
    if (addressProblem(joined) === null) return joined;
    const meant = addressMeant(joined);
    if (meant) return meant;
  }
  return null;
}

/** The hint for an address the shell split at a space (splitAddressAt's `meant`). */
export function typedWithSpaceHint(meant: string): string {
  return `did you mean ${meant}? (one address typed with a space: give it without the space)`;
}

/** Quotes around a value (copied from JSON or a spreadsheet, or quoted twice in a script) taken off. */
const unquoted = (value: string): string => value.replace(/^["'`]+(.*?)["'`]+$/, "$1");

/**
 * Several valid addresses in one argument (`0xA,0xB`, or `"0xA 0xB"` quoted as one), or null: the
 * shell gives each leader as an argument of its own only when they are separated by spaces.
 */
export function addressesInOne(value: string): string[] | null {
  const words = value.split(/[\s,;]+/).filter((w) => w !== "");
  return words.length > 1 && words.every((w) => addressProblem(w) === null) ? words : null;
}

/** What addressMeant changed, in words for a hint. */
function meantWhy(value: string): string {
  const spaced = value.replace(/\s+/g, "");
  const joined = unquoted(spaced);
  const parts = [
    joined !== spaced ? "without the quotes" : null,
    spaced !== value
      ? value.trim() === spaced
        ? "without the spaces around it"
        : "without the spaces"
      : null,
    /^[0-9a-fA-F]{40}$/.test(joined) ? "an address starts with 0x" : null,
    /^0X/.test(joined) ? "0x in lower case" : null,
  ].filter((p): p is string => p !== null);
  return parts.join("; ");
}

/** The error for a private key given as `what` ("leader address"): the value is not in it. */
export function privateKeyMessage(what: string): string {
  return `invalid ${what} (64 hex digits, not shown): ${NOT_A_KEY}`;
}
