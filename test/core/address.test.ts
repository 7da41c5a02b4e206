// The one address parser: EIP-55 checksums computed here (keccak from @noble/hashes, so that
// `--help` never loads viem) agree with viem's on any address.

import fc from "fast-check";
import { getAddress } from "viem";
import { describe, expect, it } from "vitest";
import { addressProblem } from "../../src/core/address.js";
import "../helpers/fast-check.js";

const hex40 = fc.stringMatching(/^[0-9a-f]{40}$/);

describe("addressProblem", () => {
  it("accepts viem's checksummed form, all lower and all upper case", () => {
    fc.assert(
      fc.property(hex40, (digits) => {
        const checksummed = getAddress(`0x${digits}`);
        expect(addressProblem(checksummed)).toBeNull();
        expect(addressProblem(`0x${digits}`)).toBeNull();
        expect(addressProblem(`0x${digits.toUpperCase()}`)).toBeNull();
      }),
    );
  });

  it("refuses a checksummed address with one letter's case flipped", () => {
    fc.assert(
      fc.property(hex40, fc.nat(), (digits, pick) => {
        const checksummed = getAddress(`0x${digits}`);
        const letters = [...checksummed.slice(2)].flatMap((c, i) => (/[a-fA-F]/.test(c) ? [i] : []));
        fc.pre(letters.length >= 2);
        const i = (letters[pick % letters.length] ?? 0) + 2;
        const c = checksummed[i] as string;
        const flipped = `${checksummed.slice(0, i)}${c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()}${checksummed.slice(i + 1)}`;
        const mixed = /[a-f]/.test(flipped.slice(2)) && /[A-F]/.test(flipped.slice(2));
        fc.pre(mixed);
        expect(addressProblem(flipped)).toBe("checksum");
      }),
    );
  });

  it("refuses what is not 0x + 40 hex digits", () => {
    for (const bad of ["", "0x", `0x${"a".repeat(39)}`, `0x${"g".repeat(40)}`, `${"a".repeat(42)}`]) {
      expect(addressProblem(bad)).toBe("format");
    }
  });
});
