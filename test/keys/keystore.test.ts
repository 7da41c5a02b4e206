// The keystore against an independent implementation of the Web3 Secret Storage Definition
// (./reference-keystore.ts) and the definition's published test vectors, both ways; file modes,
// atomic writes and every refusal (corrupt file, wrong passphrase, overwrite).
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigError, UsageError } from "../../src/core/errors.js";
import { writeFileAtomic } from "../../src/store/fs-atomic.js";
import {
  addressOfKey,
  agentKeystorePath,
  DEFAULT_SCRYPT_N,
  decryptKeystore,
  encryptKeystore,
  normalizePrivateKey,
  parseKeystore,
  readKeystore,
  WrongPassphraseError,
  writeKeystore,
} from "../../src/store/keystore.js";
import { tempDir } from "../helpers/cli.js";
import { fcRuns } from "../helpers/fast-check.js";
import {
  type RefKeystore,
  refDecrypt,
  refDecryptWithKey,
  refDerive,
  refEncrypt,
  SPEC,
} from "./reference-keystore.js";

const KEY = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
const PASS = "correct horse battery staple";
const FAST = { scryptN: 1024 };

function mode(path: string): number {
  return statSync(path).mode & 0o777;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

describe("the definition's test vectors", () => {
  it("PBKDF2-SHA-256: ours and the reference both open it; the intermediates match", async () => {
    const ks = SPEC.pbkdf2.keystore;
    expect(await decryptKeystore(ks, SPEC.password)).toBe(`0x${SPEC.secret}`);
    expect(refDecrypt(ks, SPEC.password)).toBe(SPEC.secret);
    const dk = refDerive(SPEC.password, { kdf: "pbkdf2", ...ks.crypto.kdfparams });
    expect(dk.toString("hex")).toBe(SPEC.pbkdf2.derivedKey);
    expect(addressOfKey(`0x${SPEC.secret}`)).toBe(`0x${SPEC.address}`);
  });

  it("scrypt: the published derived key opens it; ours refuses its RFC-7914-invalid n/r clearly", async () => {
    const ks = SPEC.scrypt.keystore;
    expect(refDecryptWithKey(ks, Buffer.from(SPEC.scrypt.derivedKey, "hex"))).toBe(SPEC.secret);
    const error = await rejection(decryptKeystore(ks, SPEC.password, { source: "/x/spec.json" }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain("/x/spec.json");
    expect(error.message).toContain("RFC 7914");
  });

  it("the same scrypt vector re-encrypted with valid parameters (r=8) opens in ours", async () => {
    const ks = refEncrypt(SPEC.secret, SPEC.password, {
      kdf: "scrypt",
      n: 1024,
      r: 8,
      p: 1,
      dklen: 32,
      salt: SPEC.scrypt.keystore.crypto.kdfparams.salt,
    });
    expect(await decryptKeystore(ks, SPEC.password)).toBe(`0x${SPEC.secret}`);
  });
});

describe("ours → the reference implementation", () => {
  it("writes a v3 file any implementation of the definition opens", async () => {
    const ks = await encryptKeystore(KEY, PASS, FAST);
    expect(refDecrypt(ks as unknown as RefKeystore, PASS)).toBe(KEY.slice(2));
    expect(ks.version).toBe(3);
    expect(ks.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(ks.address).toBe(addressOfKey(KEY).slice(2));
    expect(ks.address).toMatch(/^[0-9a-f]{40}$/);
    expect(ks.crypto.cipher).toBe("aes-128-ctr");
    expect(ks.crypto.cipherparams.iv).toMatch(/^[0-9a-f]{32}$/);
    expect(ks.crypto.ciphertext).toMatch(/^[0-9a-f]{64}$/);
    expect(ks.crypto.mac).toMatch(/^[0-9a-f]{64}$/);
    expect(ks.crypto.kdf).toBe("scrypt");
    expect(ks.crypto.kdfparams).toMatchObject({ n: 1024, r: 8, p: 1, dklen: 32 });
    expect(ks.crypto.kdfparams.salt).toMatch(/^[0-9a-f]{64}$/);
    // Fresh salt and iv every time.
    const again = await encryptKeystore(KEY, PASS, FAST);
    expect(again.crypto.kdfparams.salt).not.toBe(ks.crypto.kdfparams.salt);
    expect(again.crypto.cipherparams.iv).not.toBe(ks.crypto.cipherparams.iv);
  });

  it("uses scrypt n=2^18, r=8, p=1 by default", async () => {
    const ks = await encryptKeystore(KEY, PASS);
    expect(ks.crypto.kdfparams).toMatchObject({ n: DEFAULT_SCRYPT_N, r: 8, p: 1, dklen: 32 });
    expect(DEFAULT_SCRYPT_N).toBe(262_144);
    expect(refDecrypt(ks as unknown as RefKeystore, PASS)).toBe(KEY.slice(2));
  });

  it("the reference rejects a wrong password on what we wrote", async () => {
    const ks = await encryptKeystore(KEY, PASS, FAST);
    expect(() => refDecrypt(ks as unknown as RefKeystore, "nope")).toThrow("MAC mismatch");
  });
});

describe("the reference implementation → ours", () => {
  it("opens scrypt and pbkdf2 files, with or without address, Crypto or crypto, 0x hex", async () => {
    const secret = KEY.slice(2);
    const salt = "11".repeat(32);
    const cases: unknown[] = [
      refEncrypt(secret, PASS, { kdf: "scrypt", n: 1024, r: 8, p: 1, dklen: 32, salt }),
      refEncrypt(secret, PASS, { kdf: "scrypt", n: 4096, r: 8, p: 2, dklen: 32, salt }, { address: false }),
      refEncrypt(secret, PASS, { kdf: "pbkdf2", c: 1000, dklen: 32, salt }),
    ];
    // geth's older files spell it "Crypto"; some tools prefix hex with 0x.
    const { crypto, ...rest } = refEncrypt(secret, PASS, { kdf: "pbkdf2", c: 10, dklen: 32, salt });
    cases.push({ ...rest, Crypto: { ...crypto, mac: `0x${crypto.mac}` } });
    for (const ks of cases) {
      expect(await decryptKeystore(ks, PASS)).toBe(KEY);
      expect(await decryptKeystore(JSON.stringify(ks), PASS)).toBe(KEY);
    }
  });

  it("accepts a passphrase typed in another Unicode form (NFKC, as ethers writes)", async () => {
    const composed = "pässwörd"; // NFC
    const decomposed = composed.normalize("NFD");
    const salt = "22".repeat(32);
    const ethersLike = refEncrypt(KEY.slice(2), composed.normalize("NFKC"), {
      kdf: "pbkdf2",
      c: 10,
      dklen: 32,
      salt,
    });
    expect(await decryptKeystore(ethersLike, decomposed)).toBe(KEY);
  });
});

describe("refusals", () => {
  it("wrong passphrase: WrongPassphraseError, exit 2, 'wrong passphrase', no secret in it", async () => {
    const ks = await encryptKeystore(KEY, PASS, FAST);
    const error = (await rejection(
      decryptKeystore(ks, "not it", { source: "/cfg/agent.json" }),
    )) as UsageError;
    expect(error).toBeInstanceOf(WrongPassphraseError);
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe("wrong passphrase");
    expect(error.hint).toContain("/cfg/agent.json");
    const text = `${error.message} ${error.hint} ${JSON.stringify(error.details)}`;
    expect(text).not.toContain("not it");
    expect(text).not.toContain(KEY.slice(2));
  });

  it("a damaged ciphertext fails the MAC as a wrong passphrase does: the hint names both, and how to re-create the file", async () => {
    const ks = await encryptKeystore(KEY, PASS, FAST);
    const damaged = structuredClone(ks);
    const hex = damaged.crypto.ciphertext;
    damaged.crypto.ciphertext = `${hex[0] === "0" ? "1" : "0"}${hex.slice(1)}`;
    const error = (await rejection(
      decryptKeystore(damaged, PASS, { source: "/cfg/agent.json" }),
    )) as UsageError;
    expect(error).toBeInstanceOf(WrongPassphraseError);
    expect(error.hint).toBe(
      "type the passphrase of /cfg/agent.json again; if it is right, the file may be damaged: restore it from a backup, or re-create it (hlcopy agent import --force, or generate --force for a new key)",
    );
  });

  it("checks the MAC before decrypting: a flipped ciphertext bit is refused, not decrypted", async () => {
    const ks = await encryptKeystore(KEY, PASS, FAST);
    const c = ks.crypto.ciphertext;
    const tampered = {
      ...ks,
      crypto: { ...ks.crypto, ciphertext: `${c[0] === "0" ? "1" : "0"}${c.slice(1)}` },
    };
    expect(await rejection(decryptKeystore(tampered, PASS))).toBeInstanceOf(WrongPassphraseError);
  });

  it("a key that does not match the file's address field is a corrupt keystore", async () => {
    const ks = await encryptKeystore(KEY, PASS, FAST);
    const error = await rejection(
      decryptKeystore({ ...ks, address: "00".repeat(20) }, PASS, { source: "f.json" }),
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain("f.json");
  });

  it("refuses KDF parameters that would take gigabytes or minutes, before running them", async () => {
    const ks = refEncrypt(KEY.slice(2), PASS, { kdf: "pbkdf2", c: 10, dklen: 32, salt: "33".repeat(32) });
    const huge = {
      ...ks,
      crypto: { ...ks.crypto, kdf: "scrypt", kdfparams: { n: 2 ** 22, r: 8, p: 1, dklen: 32, salt: "33" } },
    };
    // Refused by their parameters, before the KDF runs (running them would outlast the test).
    const tooBig = await rejection(decryptKeystore(huge, PASS));
    expect(tooBig).toBeInstanceOf(ConfigError);
    expect((tooBig as ConfigError).message).toMatch(/beyond what hlcopy will run|memory/);
    const slow = { ...ks, crypto: { ...ks.crypto, kdfparams: { ...ks.crypto.kdfparams, c: 1e9 } } };
    const tooSlow = await rejection(decryptKeystore(slow, PASS));
    expect(tooSlow).toBeInstanceOf(ConfigError);
    expect((tooSlow as ConfigError).message).toContain("beyond what hlcopy will run");
  });

  it("schema errors name the file and the field, never the value", () => {
    const secretLooking = "ab".repeat(32);
    const cases: Array<[unknown, string]> = [
      [secretLooking, "not valid JSON"],
      [`0x${secretLooking}`, "not valid JSON"],
      [{ version: 3, crypto: secretLooking }, 'bad field "crypto"'],
      [{ version: 2, crypto: {} }, 'bad field "version"'],
      [{ version: 3 }, 'is not a v3 keystore: missing field "crypto"'],
      [{ privateKey: `0x${secretLooking}` }, "is not an hlcopy agent keystore"],
      [[], "is not an hlcopy agent keystore"],
    ];
    for (const [input, text] of cases) {
      let error: unknown;
      try {
        parseKeystore(input, "/home/me/.config/hlcopy/agent-keystore.json");
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      const e = error as ConfigError;
      expect(e.exitCode).toBe(2);
      expect(e.message).toContain("/home/me/.config/hlcopy/agent-keystore.json");
      expect(e.message).toContain(text);
      expect(`${e.message}${e.hint}`).not.toContain(secretLooking);
      expect(e.cause).toBeUndefined();
    }
  });
});

describe("JSON that is no keystore at all", () => {
  it("says so in one line with how to re-create it, or for an imported file what to give instead", () => {
    const file = "/home/me/.config/hlcopy/agent-keystore.json";
    for (const input of ["{}", "[1,2]", "null", '"text"', "3", '{"address":"00"}']) {
      let error: unknown;
      try {
        parseKeystore(input, file);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      const e = error as ConfigError;
      expect(e.exitCode).toBe(2);
      expect(e.message).toBe(
        `keystore ${file} is not an hlcopy agent keystore (it has no "version" and "crypto" fields)`,
      );
      expect(e.hint).toBe(
        "re-create it: hlcopy agent generate --force (a new key), or hlcopy agent import --force (a key you have)",
      );
    }
    let imported: unknown;
    try {
      parseKeystore("{}", "/tmp/k.json", "import");
    } catch (e) {
      imported = e;
    }
    expect(imported).toBeInstanceOf(ConfigError);
    expect((imported as ConfigError).message).toBe(
      '/tmp/k.json is not a v3 key file (it has no "version" and "crypto" fields)',
    );
    expect((imported as ConfigError).hint).toContain("or import the key as hex: hlcopy agent import");
  });
});

describe("private keys", () => {
  it("normalises 0x/no 0x, any case, surrounding whitespace", () => {
    for (const k of [
      KEY,
      KEY.slice(2),
      KEY.toUpperCase().replace("0X", "0x"),
      `  ${KEY}\n`,
      `0X${KEY.slice(2)}`,
    ]) {
      expect(normalizePrivateKey(k)).toBe(KEY);
    }
  });

  it("refuses non-keys without echoing them", () => {
    const n = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";
    for (const bad of [KEY.slice(0, 60), `${KEY}00`, `0x${"0".repeat(64)}`, n, "zz".repeat(32), ""]) {
      let error: unknown;
      try {
        normalizePrivateKey(bad, "the agent key");
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(UsageError);
      const e = error as UsageError;
      expect(e.message).toContain("the agent key");
      if (bad.length > 8) expect(`${e.message}${e.hint}`).not.toContain(bad.replace(/^0x/, ""));
    }
  });
});

describe("the address of a key", () => {
  it("is the one wallets derive (viem's privateKeyToAddress), for the Web3 definition's key and any other", async () => {
    const { privateKeyToAddress } = await import("viem/accounts");
    // web3.js's documented example key and its address (web3.eth.accounts.privateKeyToAccount).
    expect(addressOfKey(KEY)).toBe("0x2c7536e3605d9c16a7a3d7b1898e529396a65c23");
    const edge = [
      "0x0000000000000000000000000000000000000000000000000000000000000001",
      "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140", // n − 1
    ] as const;
    for (const key of edge) expect(addressOfKey(key)).toBe(privateKeyToAddress(key).toLowerCase());
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
        const hex = `0x${Buffer.from(bytes).toString("hex")}` as const;
        const k = BigInt(hex);
        fc.pre(k > 0n && k < 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n);
        expect(addressOfKey(hex)).toBe(privateKeyToAddress(hex).toLowerCase());
      }),
      { numRuns: fcRuns(200) },
    );
  });
});

describe("files", () => {
  it("agentKeystorePath is <configDir>/agent-keystore.json", () => {
    expect(agentKeystorePath("/c")).toBe("/c/agent-keystore.json");
  });

  it("writes 0600 in a 0700 directory it creates, and reads back", async () => {
    const root = tempDir();
    const dir = join(root, "nested", "hlcopy");
    const file = agentKeystorePath(dir);
    const ks = await encryptKeystore(KEY, PASS, FAST);
    await writeKeystore(file, ks);
    expect(mode(file)).toBe(0o600);
    expect(mode(dir)).toBe(0o700);
    expect(await readKeystore(file)).toEqual(ks);
    expect(await decryptKeystore(await readKeystore(file), PASS)).toBe(KEY);
    expect(readdirSync(dir)).toEqual(["agent-keystore.json"]);
  });

  it("tightens an existing config directory of ours to 0700", async () => {
    const dir = tempDir();
    chmodSync(dir, 0o755);
    await writeKeystore(agentKeystorePath(dir), await encryptKeystore(KEY, PASS, FAST));
    expect(mode(dir)).toBe(0o700);
  });

  it("never overwrites an existing keystore unless asked; the old file stays intact", async () => {
    const dir = tempDir();
    const file = agentKeystorePath(dir);
    const first = await encryptKeystore(KEY, PASS, FAST);
    await writeKeystore(file, first);
    const before = readFileSync(file, "utf8");
    const other = await encryptKeystore(`0x${"11".repeat(32)}`, PASS, FAST);
    const error = await rejection(writeKeystore(file, other));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toContain(file);
    expect(readFileSync(file, "utf8")).toBe(before);
    expect(readdirSync(dir)).toEqual(["agent-keystore.json"]);
    await writeKeystore(file, other, { overwrite: true });
    expect((await readKeystore(file)).address).toBe(other.address);
    expect(mode(file)).toBe(0o600);
  });

  it("a missing, unreadable or corrupt file is a ConfigError naming it; the file is left alone", async () => {
    const dir = tempDir();
    const file = agentKeystorePath(dir);
    const missing = await rejection(readKeystore(file));
    expect(missing).toBeInstanceOf(ConfigError);
    expect(missing.message).toBe(`no agent keystore at ${file}`);
    for (const content of ["{not json", JSON.stringify({ version: 3 }), "", KEY]) {
      writeFileSync(file, content, { mode: 0o600 });
      const before = statSync(file);
      const error = (await rejection(readKeystore(file))) as ConfigError;
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.exitCode).toBe(2);
      expect(error.message).toContain(file);
      expect(error.hint).toContain(`${file}.bak`);
      expect(`${error.message}${error.hint}`).not.toContain(KEY.slice(2));
      expect(readFileSync(file, "utf8")).toBe(content);
      expect(statSync(file).mtimeMs).toBe(before.mtimeMs);
    }
  });

  it("a key written twice in the file is refused, naming it (never its values); the file is left alone", async () => {
    const dir = tempDir();
    const file = agentKeystorePath(dir);
    const ks = await encryptKeystore(KEY, PASS, FAST);
    const text = JSON.stringify(ks, null, 2);
    const other = "11".repeat(20);
    for (const [content, key] of [
      // JSON.parse keeps the last: `agent approve` would approve the other address.
      [text.replace(/\n}$/, `,\n  "address": "${other}"\n}`), "address"],
      [
        text.replace('"ciphertext": ', `"ciphertext": "${"00".repeat(32)}",\n    "ciphertext": `),
        "crypto.ciphertext",
      ],
    ] as const) {
      expect(JSON.parse(content)).toBeTruthy(); // valid JSON, as another tool reads it
      writeFileSync(file, content, { mode: 0o600 });
      const error = (await rejection(readKeystore(file))) as ConfigError;
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.exitCode).toBe(2);
      expect(error.message).toBe(`keystore ${file} has "${key}" twice`);
      expect(error.hint).toContain(`${file}.bak`);
      expect(`${error.message}${error.hint}`).not.toContain(other);
      expect(readFileSync(file, "utf8")).toBe(content);
    }
    // The same file without the repeat opens.
    writeFileSync(file, text, { mode: 0o600 });
    expect(await decryptKeystore(await readKeystore(file), PASS)).toBe(KEY);
  });

  it("atomic: concurrent readers only ever see a whole old or a whole new file", async () => {
    const dir = tempDir();
    const file = join(dir, "big.json");
    const versions = ["a", "b", "c", "d"].map((c) => JSON.stringify({ v: c.repeat(400_000) }));
    await writeFileAtomic(file, versions[0] ?? "");
    let reads = 0;
    let writing = true;
    const reader = (async () => {
      while (writing) {
        const text = await readFile(file, "utf8");
        expect(versions).toContain(text);
        reads++;
      }
    })();
    for (let i = 0; i < 20; i++) await writeFileAtomic(file, versions[i % versions.length] ?? "");
    writing = false;
    await reader;
    expect(reads).toBeGreaterThan(0);
    expect(readdirSync(dir)).toEqual(["big.json"]);
  });

  it("a failed write leaves the target as it was and no temp file behind", async () => {
    const dir = tempDir();
    const target = join(dir, "target");
    mkdirSync(join(target, "child"), { recursive: true }); // rename over a non-empty dir fails
    await expect(writeFileAtomic(target, "new")).rejects.toThrow();
    expect(statSync(target).isDirectory()).toBe(true);
    expect(readdirSync(dir)).toEqual(["target"]);
  });
});
