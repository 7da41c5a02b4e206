// THE address parser: every address hlcopy reads (leader arguments, --account, HLCOPY_ACCOUNT,
// the config file, init) goes through here. Accepted as wallets accept them: all lower case,
// all upper case (neither carries a checksum), or mixed case whose EIP-55 checksum matches —
// a mixed-case address with one letter's case wrong is a typo, refused. Pure.

import { keccak_256 } from "@noble/hashes/sha3.js";
import { UsageError } from "./errors.js";
import type { Address } from "./types.js";

const HEX_ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/**
 * 0x + 40 hex digits, the checksum not looked at: what the exchange and its replies carry (the
 * adapter checks this much; what a person types goes through parseAddress).
 */
export function isHexAddress(value: string): boolean {
  return HEX_ADDRESS.test(value);
}

/** What is wrong with a would-be address, or null when it is fine. */
export function addressProblem(value: string): "format" | "checksum" | null {
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

export function isAddress(value: string): value is Address {
  return addressProblem(value) === null;
}

/**
 * Parse an address given as `what` (e.g. "leader address") into its lower-case form.
 * @throws {UsageError} (exit 2) saying whether the format or the checksum is wrong, with `hint`.
 */
export function parseAddress(value: string, what: string, hint: string): Address {
  const problem = addressProblem(value);
  if (problem === "format") {
    throw new UsageError(`invalid ${what} "${value}": expected 0x followed by 40 hex digits`, { hint });
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
