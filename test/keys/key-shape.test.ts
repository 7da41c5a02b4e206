// A key is read hidden, so when it is not one the error is all the trader has to go on: it says
// what was given instead — an address, quotes from a JSON file, a recovery phrase, a digit cut
// off, nothing — and never any of it.

import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/core/errors.js";
import { normalizePrivateKey } from "../../src/store/keystore.js";

function refusal(input: string): string {
  try {
    normalizePrivateKey(input, "the agent key");
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error("expected a refusal");
}

const KEY = generatePrivateKey();

describe("a key that is not one says what it is instead", () => {
  it.each([
    [`"${KEY}"`, "it has quotes around it: paste the key alone"],
    [`'${KEY.slice(2)}',`, "it has quotes around it: paste the key alone"],
    [privateKeyToAddress(KEY), "it has 40 hex digits: that is an address; a private key has 64"],
    [KEY.slice(0, 64), "it has 62 hex digits"],
    [Array(12).fill("abandon").join(" "), "it is 12 words: a recovery phrase?"],
    ["  ", "nothing was given"],
  ])("%#", (input, said) => {
    const message = refusal(input);
    expect(message).toMatch(
      /^the agent key is not a private key: expected 64 hex digits \(with or without 0x\) \(/,
    );
    expect(message).toContain(said);
    expect(message).not.toContain(KEY.slice(2, 20));
  });

  it("the key itself, 0x or not, in any case, is taken", () => {
    expect(normalizePrivateKey(` ${KEY.slice(2).toUpperCase()}\r`)).toBe(KEY);
  });

  it("from HLCOPY_AGENT_KEY the hint is to set or unset the variable, not to paste again", () => {
    try {
      normalizePrivateKey("abc", "HLCOPY_AGENT_KEY");
      throw new Error("expected a refusal");
    } catch (error) {
      expect((error as UsageError).hint).toBe(
        "set HLCOPY_AGENT_KEY to the agent's private key (64 hex digits), or unset it (unset HLCOPY_AGENT_KEY) to use the keystore",
      );
    }
    try {
      normalizePrivateKey("abc", "the agent key");
    } catch (error) {
      expect((error as UsageError).hint).toMatch(/^paste the key again/);
    }
  });
});
