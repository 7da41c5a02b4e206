// The one address parser: EIP-55 checksums computed here (keccak from @noble/hashes, so that
// `--help` never loads viem) agree with viem's on any address.

import fc from "fast-check";
import { getAddress } from "viem";
import { describe, expect, it } from "vitest";
import { addressProblem, parseAddress } from "../../src/core/address.js";
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

describe("parseAddress says what a malformed address has instead", () => {
  const message = (value: string): string => {
    try {
      parseAddress(value, "leader address", "copy it from the explorer");
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error(`${value} was taken`);
  };
  const good = "1880bbbea43fb92572279b9131130cc0f56e5fb4";

  it("counts the digits of one cut off or pasted twice", () => {
    expect(message(`0x${good.slice(0, 39)}`)).toContain(
      "(it has 39 hex digits: one short — cut off when copied?)",
    );
    expect(message(`0x${good.slice(0, 30)}`)).toContain("(it has 30 hex digits: 10 short");
    expect(message(`0x${good}${good}`)).toContain("(it has 80 hex digits: 40 too many — pasted twice?)");
  });

  it("points at the first character that is no hex digit", () => {
    expect(message(`0x${good.slice(0, 9)}O${good.slice(10)}`)).toContain(
      '("O" at position 12 is not a hex digit (0-9, a-f): a letter O for a zero?)',
    );
    expect(message(`0x${good.slice(0, 4)}g${good.slice(5)}`)).toContain(
      '"g" at position 7 is not a hex digit',
    );
  });

  it("adds nothing where the form is not 0x + something", () => {
    expect(message(good.slice(0, 39))).toMatch(/40 hex digits"?$/);
  });
});
