// The duplicate-key check of files hlcopy trades or signs by (store/duplicate-keys.ts): JSON.parse
// keeps the last of two equal keys without a word, so the check reads the text itself.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { duplicateKey } from "../../src/store/duplicate-keys.js";
import "../helpers/fast-check.js";

describe("duplicateKey", () => {
  it("names the first key written twice in one object, by its path", () => {
    expect(duplicateKey('{"risk":{"maxLeverage":1},"risk":{"allowCoins":["BTC"]}}')).toBe("risk");
    expect(duplicateKey('{"risk":{"maxLeverage":1,"maxLeverage":40}}')).toBe("risk.maxLeverage");
    expect(duplicateKey('{"a":1,"b":{"c":{"d":1,"e":2,"d":3}}}')).toBe("b.c.d");
    // Pretty-printed, as a hand-edited file is.
    expect(duplicateKey('{\n  "network": "testnet",\n  "network" : "mainnet"\n}\n')).toBe("network");
  });

  it("reads objects inside arrays, naming the element", () => {
    expect(duplicateKey('{"leaders":[{"a":1},{"w":1,"w":2}]}')).toBe("leaders[1].w");
    expect(duplicateKey('[[1,{"x":1}],[{"y":1,"y":2}]]')).toBe("[1][0].y");
    // The same key in two elements, or in an object and the one inside it, is no duplicate.
    expect(duplicateKey('{"l":[{"w":1},{"w":2}],"w":{"w":{"w":1}}}')).toBeNull();
    expect(duplicateKey('{"a":[],"b":{},"c":[[],{}],"d":[1,"x",null,true,-1.5e3]}')).toBeNull();
  });

  it("is not fooled by strings: escaped quotes, braces, commas and keys inside values", () => {
    expect(duplicateKey('{"a":"x\\",\\"a\\":1","b":"}{,][","c":"\\\\"}')).toBeNull();
    expect(duplicateKey('{"a":"\\\\","a":2}')).toBe("a");
    expect(duplicateKey('{"k\\"q":1,"k\\"q":2}')).toBe('k"q');
    // Keys compare as JSON reads them: an escape that spells the same key is the same key.
    expect(duplicateKey('{"a":1,"\\u0061":2}')).toBe("a");
    expect(duplicateKey('{"a":1,"A":2,"a ":3}')).toBeNull();
  });

  it("answers null for scalars and an empty object", () => {
    for (const text of ["{}", "[]", "1", '"x"', "null", " { } "]) expect(duplicateKey(text)).toBeNull();
  });

  it("survives nesting deeper than the call stack would", () => {
    const depth = 100_000;
    expect(duplicateKey(`${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`)).toBeNull();
    expect(duplicateKey(`${"[".repeat(depth)}{"b":1,"b":2}${"]".repeat(depth)}`)).toBe(
      `${"[0]".repeat(depth)}.b`,
    );
  });

  it("finds none in anything JSON.stringify writes (compact or indented)", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(undefined, 2, "\t"), (value, indent) => {
        expect(duplicateKey(JSON.stringify(value, null, indent))).toBeNull();
      }),
    );
  });

  it("finds the one a key repeated anywhere in such a document adds", () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue()),
        fc.string(),
        fc.jsonValue(),
        (obj, key, value) => {
          // `key` written again after the object's own keys (or twice, when it is new).
          const body = JSON.stringify({ ...obj, [key]: value }).slice(1, -1);
          const text = `{${body},${JSON.stringify(key)}:${JSON.stringify(value) ?? "null"}}`;
          expect(duplicateKey(text)).toBe(key);
        },
      ),
    );
  });
});
