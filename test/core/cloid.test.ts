import fc from "fast-check";
import { keccak256, stringToBytes } from "viem/utils";
import { describe, expect, it } from "vitest";
import { type CloidIntent, isCloid, makeCloid } from "../../src/core/cloid.js";
import { fcRuns } from "../helpers/fast-check.js";

const intent: CloidIntent = { coin: "BTC", side: "buy", size: "0.1", reduceOnly: false, reason: "open" };

describe("cloid", () => {
  it("is 0x + 32 hex, the first 16 bytes of keccak256 over seed and intent", () => {
    const c = makeCloid(intent, "seed-1");
    expect(isCloid(c)).toBe(true);
    expect(isCloid(c.toUpperCase().replace("0X", "0x"))).toBe(true); // as the exchange takes it
    expect(isCloid(c.slice(0, -1))).toBe(false);
    expect(c).toBe(keccak256(stringToBytes("hlcopy/1|seed-1|BTC|buy|0.1|0|open")).slice(0, 34));
  });

  it("hashes the UTF-8 of the text exactly as viem did (cloids of earlier runs stay the same)", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary" }),
        fc.string({ unit: "grapheme", maxLength: 12 }),
        (seed, coin) => {
          const text = `hlcopy/1|${seed}|${coin}|buy|0.1|0|open`;
          expect(makeCloid({ ...intent, coin }, seed)).toBe(keccak256(stringToBytes(text)).slice(0, 34));
        },
      ),
      { numRuns: fcRuns(300) },
    );
  });

  it("is the same for the same intent and seed, different when either changes", () => {
    expect(makeCloid(intent, "s")).toBe(makeCloid({ ...intent }, "s"));
    const variants: CloidIntent[] = [
      { ...intent, coin: "ETH" },
      { ...intent, side: "sell" },
      { ...intent, size: "0.2" },
      { ...intent, reduceOnly: true },
      { ...intent, reason: "increase" },
    ];
    const all = new Set([
      makeCloid(intent, "s"),
      makeCloid(intent, "t"),
      ...variants.map((v) => makeCloid(v, "s")),
    ]);
    expect(all.size).toBe(7);
  });

  it("property: well-formed for any seed and coin", () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1, maxLength: 12 }), (seed, coin) => {
        expect(isCloid(makeCloid({ ...intent, coin }, seed))).toBe(true);
      }),
      { numRuns: fcRuns(200) },
    );
  });
});
