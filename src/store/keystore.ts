// The agent keystore: Web3 Secret Storage v3 (the JSON key file geth, ethers and foundry read
// and write), so a trader can bring a key in or take it out. Encrypt with scrypt +
// aes-128-ctr + a keccak-256 MAC; decrypt scrypt or pbkdf2 files, checking the MAC first.
// Nothing here prints, logs or puts a secret into an error message.

import { createCipheriv, createDecipheriv, pbkdf2, randomBytes, randomUUID, scrypt } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
// keccak from @noble/hashes: importing it from viem's root loads all of viem (~4 MiB of heap for
// as long as a follow runs).
import { keccak_256 } from "@noble/hashes/sha3.js";
import * as v from "valibot";
import type { Hex } from "viem";
import { addressOfKey } from "../core/address.js";
import { ConfigError, UsageError } from "../core/errors.js";
import { storeError } from "./disk-errors.js";
import { duplicateKey, withoutBom } from "./duplicate-keys.js";
import { writeFileAtomic } from "./fs-atomic.js";

/** File name of the agent keystore inside the config directory. */
export const AGENT_KEYSTORE_FILE = "agent-keystore.json";

export function agentKeystorePath(configDir: string): string {
  return join(configDir, AGENT_KEYSTORE_FILE);
}

/** scrypt cost used for new keystores (geth's "standard" scrypt: n=2^18, r=8, p=1). */
export const DEFAULT_SCRYPT_N = 262_144;
const SCRYPT_R = 8;
const SCRYPT_P = 1;
const DKLEN = 32;

// Limits on what a file may ask of us: a hostile keystore must not make us allocate gigabytes
// or spin for minutes. geth's standard (256 MiB) and every common writer fit well inside.
const MAX_SCRYPT_MEMORY = 1024 * 1024 * 1024;
const MAX_SCRYPT_P = 16;
const MAX_PBKDF2_ROUNDS = 10_000_000;

// ---------------------------------------------------------------------------------------------
// Schema: what a v3 file must look like. Extra fields are allowed (writers add their own).

const HexString = (bytes?: number) =>
  v.pipe(
    v.string(),
    v.transform((s) => s.replace(/^0x/i, "").toLowerCase()),
    v.regex(bytes === undefined ? /^([0-9a-f]{2})+$/ : new RegExp(`^[0-9a-f]{${bytes * 2}}$`), "hex digits"),
  );
const PositiveInt = v.pipe(v.number(), v.integer(), v.minValue(1));

export const ScryptKdfParams = v.looseObject({
  n: v.pipe(
    PositiveInt,
    v.check((n) => n > 1 && Number.isInteger(Math.log2(n)), "a power of two"),
  ),
  r: PositiveInt,
  p: PositiveInt,
  dklen: v.pipe(PositiveInt, v.minValue(32), v.maxValue(64)),
  salt: HexString(),
});
export type ScryptKdfParams = v.InferOutput<typeof ScryptKdfParams>;

export const Pbkdf2KdfParams = v.looseObject({
  c: PositiveInt,
  dklen: v.pipe(PositiveInt, v.minValue(32), v.maxValue(64)),
  prf: v.literal("hmac-sha256"),
  salt: HexString(),
});
export type Pbkdf2KdfParams = v.InferOutput<typeof Pbkdf2KdfParams>;

const CipherFields = {
  cipher: v.literal("aes-128-ctr"),
  cipherparams: v.looseObject({ iv: HexString(16) }),
  ciphertext: HexString(),
  mac: HexString(32),
};

export const KeystoreCrypto = v.variant("kdf", [
  v.looseObject({ ...CipherFields, kdf: v.literal("scrypt"), kdfparams: ScryptKdfParams }),
  v.looseObject({ ...CipherFields, kdf: v.literal("pbkdf2"), kdfparams: Pbkdf2KdfParams }),
]);
export type KeystoreCrypto = v.InferOutput<typeof KeystoreCrypto>;

export const KeystoreV3 = v.looseObject({
  version: v.literal(3),
  id: v.optional(v.string()),
  /** Lowercase hex address without 0x (optional in the definition; we always write it). */
  address: v.optional(HexString(20)),
  crypto: KeystoreCrypto,
});
export type KeystoreV3 = v.InferOutput<typeof KeystoreV3>;

// ---------------------------------------------------------------------------------------------
// Errors

/** The passphrase does not open the keystore (MAC mismatch). Exit 2; nothing was changed. */
export class WrongPassphraseError extends UsageError {
  override name = "WrongPassphraseError";
}

function corrupt(source: string, what: string): ConfigError {
  return new ConfigError(`keystore ${source} ${what}`, {
    hint: `restore it from a backup, or move it aside (mv ${source} ${source}.bak) and run hlcopy agent generate or hlcopy agent import`,
    details: { file: source },
  });
}

/**
 * Whose keystore is read: hlcopy's own agent keystore (the default), or a file being imported
 * (`agent import --keystore`). Only what is said about a file that is no keystore differs.
 */
export type KeystoreRole = "agent" | "import";

/**
 * Valid JSON that is no keystore at all (`{}`, an array, a key pasted as JSON…): one line
 * saying so. Its fields are not listed as "bad": nothing of a keystore is there to be bad.
 */
function notAKeystore(source: string, role: KeystoreRole): ConfigError {
  if (role === "import") {
    return new ConfigError(`${source} is not a v3 key file (it has no "version" and "crypto" fields)`, {
      hint: "give a Web3 Secret Storage v3 JSON file (geth, ethers and cast write them), or import the key as hex: hlcopy agent import",
      details: { file: source },
    });
  }
  return new ConfigError(
    `keystore ${source} is not an hlcopy agent keystore (it has no "version" and "crypto" fields)`,
    {
      hint: "re-create it: hlcopy agent generate --force (a new key), or hlcopy agent import --force (a key you have)",
      details: { file: source },
    },
  );
}

/**
 * Validate a parsed JSON value (or a JSON string) as a v3 keystore. Accepts `Crypto` for
 * `crypto` (older writers) and hex with a 0x prefix.
 * @param source the file name to put in errors (or a description such as "the given keystore").
 * @param role what the file was read as, for the error about JSON that is no keystore at all.
 * @throws {ConfigError} naming `source` and the first field that is wrong — never its value.
 */
export function parseKeystore(
  input: unknown,
  source = "the given keystore",
  role: KeystoreRole = "agent",
): KeystoreV3 {
  let value = input;
  if (typeof input === "string") {
    // A byte-order mark (a file saved by a Windows editor) is no damage: the MAC covers the key.
    const text = withoutBom(input);
    try {
      value = JSON.parse(text);
    } catch {
      // The parser's message quotes the text, which could be a pasted key: leave it out.
      throw corrupt(source, "is not valid JSON");
    }
    // JSON.parse keeps the last of two equal keys, another reader may keep the first: an
    // `address` twice would show one address (agent show, the start checks' pre-decrypt look)
    // while the key is the other's. Named by its path only, never a value.
    const twice = duplicateKey(text);
    if (twice !== null) throw corrupt(source, `has "${twice}" twice`);
  }
  if (value !== null && typeof value === "object" && !("crypto" in value) && "Crypto" in value) {
    const { Crypto, ...rest } = value as Record<string, unknown>;
    value = { ...rest, crypto: Crypto };
  }
  if (
    value === null ||
    typeof value !== "object" ||
    Array.isArray(value) ||
    !("version" in value || "crypto" in value)
  ) {
    throw notAKeystore(source, role);
  }
  const result = v.safeParse(KeystoreV3, value);
  if (!result.success) {
    const issue = result.issues[0];
    const path = issue ? v.getDotPath(issue) : null;
    // Only the field name and what was expected: `received` could echo a secret (but says
    // "undefined" for a field that is not there, and that is all it says then).
    const missing = issue?.received === "undefined";
    const expected = issue?.expected && !missing ? `, expected ${issue.expected}` : "";
    throw corrupt(
      source,
      path
        ? `is not a v3 keystore: ${missing ? "missing" : "bad"} field "${path}"${expected}`
        : `is not a v3 keystore${expected}`,
    );
  }
  return result.output;
}

// ---------------------------------------------------------------------------------------------
// Private keys

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/**
 * What was given instead of a key, never any of it: the input is hidden as it is typed, so the
 * shape is all the trader can go on (an address pasted for the key, quotes from a JSON file, a
 * recovery phrase, a digit cut off). Null when there is nothing useful to say.
 */
function keyShape(input: string): string | null {
  const text = input.trim();
  if (text === "") return "nothing was given";
  const words = text.split(/\s+/);
  if (words.length >= 12 && words.every((w) => /^[a-z]+$/i.test(w))) {
    return `it is ${words.length} words: a recovery phrase? hlcopy takes the private key, never a phrase`;
  }
  const quoted = /^(["'`])(.*)\1,?$/.exec(text);
  if (quoted && /^(0x)?[0-9a-f]{64}$/i.test(quoted[2] ?? ""))
    return "it has quotes around it: paste the key alone";
  const hex = text.replace(/^0x/i, "");
  if (/^[0-9a-f]+$/i.test(hex)) {
    if (hex.length === 40) return "it has 40 hex digits: that is an address; a private key has 64";
    return `it has ${hex.length} hex digits`;
  }
  return null;
}

/**
 * Normalise a private key typed or pasted by a person: optional 0x, surrounding whitespace,
 * any case → `0x` + 64 lowercase hex digits, checked to be a valid secp256k1 scalar.
 * @param what how to name the input in the error ("the agent key", "HLCOPY_AGENT_KEY").
 * @throws {UsageError} that never contains the input.
 */
export function normalizePrivateKey(input: string, what = "the key"): Hex {
  const hex = input.trim().replace(/^0x/i, "").toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    const shape = keyShape(input);
    throw new UsageError(
      `${what} is not a private key: expected 64 hex digits (with or without 0x)${shape ? ` (${shape})` : ""}`,
      {
        // A variable is not pasted again: it is set (by a script, a unit file) to what it should hold.
        hint: /^[A-Z_]+$/.test(what)
          ? `set ${what} to the agent's private key (64 hex digits), or unset it (unset ${what}) to use the keystore`
          : "paste the key again; it is never printed, so check what you copied",
      },
    );
  }
  const k = BigInt(`0x${hex}`);
  if (k === 0n || k >= SECP256K1_N) {
    throw new UsageError(`${what} is not a valid secp256k1 private key`, {
      hint: "generate a fresh one with hlcopy agent generate",
    });
  }
  return `0x${hex}`;
}

/**
 * The first character of `passphrase` no prompt can type — a line break, a tab, another control
 * character (the hidden prompt ends the answer at Enter and drops the rest) — named with where it
 * is ("ends in a carriage return (\\r)"), or null. Never the passphrase itself. A passphrase from
 * HLCOPY_PASSPHRASE loaded from a file saved with Windows line endings ends in one.
 */
export function untypeableCharacter(passphrase: string): string | null {
  const chars = Array.from(passphrase);
  const at = chars.findIndex((ch) => ch < " " || ch === "\u007f");
  if (at < 0) return null;
  const ch = chars[at] ?? "";
  const name =
    ch === "\r"
      ? "a carriage return (\\r)"
      : ch === "\n"
        ? "a line break (\\n)"
        : ch === "\t"
          ? "a tab"
          : `a control character (U+${ch.codePointAt(0)?.toString(16).toUpperCase().padStart(4, "0")})`;
  const trailing = chars.slice(at).every((c) => c < " " || c === "\u007f");
  return `${trailing ? "ends in" : "holds"} ${name}`;
}

/** The lowercase address of a private key: one home, core/address.ts (OpenSSL's k·G, no table built). */
export { addressOfKey };

// ---------------------------------------------------------------------------------------------
// KDFs and cipher

function scryptAsync(password: Buffer, salt: Buffer, p: ScryptKdfParams): Promise<Buffer> {
  const memory = 128 * p.n * p.r;
  return new Promise((resolve, reject) => {
    scrypt(
      password,
      salt,
      p.dklen,
      // maxmem: node refuses when 128·N·r exceeds it (default 32 MiB, too small for geth's 256).
      { N: p.n, r: p.r, p: p.p, maxmem: memory * 2 + 1024 * 1024 },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

/**
 * A key derivation the caller stops waiting for when `signal` aborts (Ctrl-C): scrypt runs on
 * libuv's thread pool and cannot be cancelled, but nothing after it — no decryption, no write —
 * happens; it rejects at once with the signal's reason.
 */
function abandonable<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

function pbkdf2Async(password: Buffer, salt: Buffer, p: Pbkdf2KdfParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    pbkdf2(password, salt, p.c, p.dklen, "sha256", (error, key) => (error ? reject(error) : resolve(key)));
  });
}

function checkKdfLimits(crypto: KeystoreCrypto, source: string): void {
  if (crypto.kdf === "scrypt") {
    const { n, r, p } = crypto.kdfparams;
    if (128 * n * r > MAX_SCRYPT_MEMORY || p > MAX_SCRYPT_P) {
      throw corrupt(source, `asks for scrypt n=${n} r=${r} p=${p}, beyond what hlcopy will run`);
    }
    // RFC 7914 §2 requires n < 2^(128·r/8); OpenSSL (node:crypto) enforces it. Every common
    // writer uses r=8, so only odd files (such as the definition's own scrypt example, r=1)
    // hit this.
    if (Math.log2(n) >= 16 * r) {
      throw new ConfigError(
        `keystore ${source} uses scrypt n=${n} with r=${r}, which RFC 7914 does not allow (n must be below 2^(16·r))`,
        {
          hint: "open it with the tool that wrote it (geth, cast, ethers) and import the key: hlcopy agent import",
          details: { file: source },
        },
      );
    }
  } else if (crypto.kdfparams.c > MAX_PBKDF2_ROUNDS) {
    throw corrupt(source, `asks for ${crypto.kdfparams.c} pbkdf2 rounds, beyond what hlcopy will run`);
  }
}

function deriveKey(passphrase: string, crypto: KeystoreCrypto): Promise<Buffer> {
  const password = Buffer.from(passphrase, "utf8");
  const salt = Buffer.from(crypto.kdfparams.salt, "hex");
  return crypto.kdf === "scrypt"
    ? scryptAsync(password, salt, crypto.kdfparams)
    : pbkdf2Async(password, salt, crypto.kdfparams);
}

/** keccak256(DK[16..32] ‖ ciphertext), as the definition says. */
function macOf(derivedKey: Buffer, ciphertext: Buffer): Buffer {
  const body = Buffer.concat([derivedKey.subarray(16, 32), ciphertext]);
  return Buffer.from(keccak_256(body));
}

function aes128ctr(key: Buffer, iv: Buffer, data: Buffer, direction: "encrypt" | "decrypt"): Buffer {
  const c =
    direction === "encrypt"
      ? createCipheriv("aes-128-ctr", key.subarray(0, 16), iv)
      : createDecipheriv("aes-128-ctr", key.subarray(0, 16), iv);
  return Buffer.concat([c.update(data), c.final()]);
}

// ---------------------------------------------------------------------------------------------
// Encrypt / decrypt

export interface EncryptKeystoreOptions {
  /** scrypt cost (power of two). Default {@link DEFAULT_SCRYPT_N}; lower only in tests. */
  scryptN?: number;
  /** Aborted (Ctrl-C): the key derivation is abandoned at once, rejecting with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Encrypt a private key into a v3 keystore (scrypt n=2^18 r=8 p=1 by default, aes-128-ctr).
 * The passphrase is used as typed, after Unicode NFKC normalisation (what ethers does).
 * @throws {UsageError} for a key that is not 32 bytes of valid secp256k1 scalar, or an empty passphrase.
 */
export async function encryptKeystore(
  privateKey: Hex,
  passphrase: string,
  options: EncryptKeystoreOptions = {},
): Promise<KeystoreV3> {
  const key = normalizePrivateKey(privateKey);
  if (passphrase.length === 0) {
    throw new UsageError("the passphrase is empty", { hint: "choose a passphrase for the keystore" });
  }
  const kdfparams: ScryptKdfParams = {
    dklen: DKLEN,
    n: options.scryptN ?? DEFAULT_SCRYPT_N,
    p: SCRYPT_P,
    r: SCRYPT_R,
    salt: randomBytes(32).toString("hex"),
  };
  const iv = randomBytes(16);
  const crypto: KeystoreCrypto = {
    cipher: "aes-128-ctr",
    cipherparams: { iv: iv.toString("hex") },
    ciphertext: "",
    kdf: "scrypt",
    kdfparams,
    mac: "",
  };
  const derived = await abandonable(deriveKey(passphrase.normalize("NFKC"), crypto), options.signal);
  const ciphertext = aes128ctr(derived, iv, Buffer.from(key.slice(2), "hex"), "encrypt");
  crypto.ciphertext = ciphertext.toString("hex");
  crypto.mac = macOf(derived, ciphertext).toString("hex");
  return { address: addressOfKey(key).slice(2), crypto, id: randomUUID(), version: 3 };
}

export interface DecryptKeystoreOptions {
  /** File name for error messages. */
  source?: string;
  /** The variable the passphrase was read from (HLCOPY_PASSPHRASE, HLCOPY_PASSPHRASE_FILE), when not typed. */
  passphraseFrom?: string;
  /** Aborted (Ctrl-C): the key derivation is abandoned at once, rejecting with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Decrypt a v3 keystore (scrypt or pbkdf2). The MAC is checked before anything is decrypted.
 * Tries the passphrase as typed, then its NFKC form (geth uses raw bytes, ethers NFKC).
 * @returns the private key as `0x` + 64 lowercase hex digits.
 * @throws {WrongPassphraseError} when the MAC does not match; {ConfigError} for a malformed
 *   keystore, KDF parameters beyond our limits, or a key that does not match its `address`.
 */
export async function decryptKeystore(
  keystore: unknown,
  passphrase: string,
  options: DecryptKeystoreOptions = {},
): Promise<Hex> {
  const source = options.source ?? "the given keystore";
  const ks = parseKeystore(keystore, source);
  checkKdfLimits(ks.crypto, source);
  const ciphertext = Buffer.from(ks.crypto.ciphertext, "hex");
  const expected = Buffer.from(ks.crypto.mac, "hex");
  const candidates = [passphrase];
  if (passphrase.normalize("NFKC") !== passphrase) candidates.push(passphrase.normalize("NFKC"));
  for (const candidate of candidates) {
    const derived = await abandonable(deriveKey(candidate, ks.crypto), options.signal);
    if (!macOf(derived, ciphertext).equals(expected)) continue;
    const plain = aes128ctr(derived, Buffer.from(ks.crypto.cipherparams.iv, "hex"), ciphertext, "decrypt");
    if (plain.length !== 32) throw corrupt(source, "does not hold a 32-byte private key");
    let key: Hex;
    try {
      key = normalizePrivateKey(plain.toString("hex"));
    } catch {
      throw corrupt(source, "does not hold a valid private key");
    }
    if (ks.address !== undefined && addressOfKey(key).slice(2) !== ks.address) {
      throw corrupt(source, "holds a key that does not match its address field");
    }
    return key;
  }
  const which = source === "the given keystore" ? "the passphrase" : `the passphrase of ${source}`;
  // The MAC covers the ciphertext: a damaged file fails it exactly as a wrong passphrase does,
  // so the hint names both (the usual one first). One pair of parentheses, never nested: the
  // variable's hint once wrapped this clause in another pair, and read as unbalanced.
  const damaged =
    "the file may be damaged: restore it from a backup, or re-create it (hlcopy agent import --force, or generate --force for a new key)";
  // A variable (or file) whose passphrase carries what no prompt types — a carriage return from a
  // file with Windows line endings — is the likelier cause than a damaged file: said first.
  const untypeable = options.passphraseFrom === undefined ? null : untypeableCharacter(passphrase);
  throw new WrongPassphraseError("wrong passphrase", {
    hint:
      options.passphraseFrom === undefined
        ? `type ${which} again; if it is right, ${damaged}`
        : untypeable
          ? `the passphrase in ${options.passphraseFrom} ${untypeable} (a file saved with Windows line endings?): remove it and run again; if the rest is right, ${damaged}`
          : `check ${options.passphraseFrom}: it does not hold ${which}; if it does, ${damaged}`,
    details: { file: source },
  });
}

// ---------------------------------------------------------------------------------------------
// Files

/**
 * Whether a keystore file exists at `path` (without reading it).
 * @throws {OperationalError} naming the file when it cannot be looked at (a part of the path
 *   is a file, permission denied, …).
 */
export async function keystoreExists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return false;
      throw storeError(error, { file: path, what: "keystore", operation: "read" });
    },
  );
}

/**
 * Read and validate a keystore file. The file is never modified.
 * @throws {ConfigError} naming the file when it is missing, unreadable, not JSON or not v3.
 */
export async function readKeystore(path: string, role: KeystoreRole = "agent"): Promise<KeystoreV3> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      throw new ConfigError(`no agent keystore at ${path}`, {
        hint: "create one with hlcopy agent generate, or bring your key with hlcopy agent import",
        details: { file: path, missing: true },
      });
    }
    // A directory (geth's keystore/ folder, the config directory) is no permissions problem.
    if (code === "EISDIR") {
      throw new ConfigError(`keystore ${path} is a directory, not a key file`, {
        hint:
          role === "import"
            ? `give the key file in it: ls ${path} (geth names them UTC--…)`
            : `move that directory out of the way (mv ${path} ${path}.bak), then run again`,
        cause: error,
        details: { file: path },
      });
    }
    throw new ConfigError(`cannot read keystore ${path} (${code ?? "error"})`, {
      hint: `check the file's permissions: ls -l ${path}`,
      cause: error,
      details: { file: path },
    });
  }
  return parseKeystore(text, path, role);
}

/**
 * Why other users could use the keystore at `path` (it is group/other readable or writable;
 * hlcopy writes it 0600), or null when they cannot, it does not exist, or on Windows (no such
 * mode bits). Encrypted as it is, a copy is a passphrase guess away from the key, and a
 * writable one can be swapped for a key the swapper holds.
 */
export async function keystoreExposure(path: string): Promise<{ message: string; hint: string } | null> {
  if (process.platform === "win32") return null;
  const mode = await stat(path).then(
    // A directory in its place is no mode problem (chmod 600 would not help): readKeystore says it.
    (s) => (s.isFile() ? s.mode & 0o777 : undefined),
    () => undefined, // readKeystore tells what is wrong with it
  );
  if (mode === undefined || (mode & 0o077) === 0) return null;
  return {
    message: `keystore ${path} can be ${mode & 0o022 ? "written" : "read"} by other users (mode ${mode.toString(8).padStart(4, "0")})`,
    hint: `make it yours alone, then run again: chmod 600 ${path}`,
  };
}

/**
 * The agent keystore hlcopy keeps (agentKeystorePath), read to trade: as readKeystore, but
 * refused while other users may read or write it (keystoreExposure) — like ssh with a private
 * key, the way forward is to make it yours alone.
 * @throws {ConfigError} (exit 2) naming the file and its mode; what readKeystore throws.
 */
export async function readAgentKeystore(path: string): Promise<KeystoreV3> {
  const exposed = await keystoreExposure(path);
  if (exposed) throw new ConfigError(exposed.message, { hint: exposed.hint, details: { file: path } });
  return readKeystore(path);
}

export interface WriteKeystoreOptions {
  /** Replace an existing file. Default false: an existing keystore is never overwritten. */
  overwrite?: boolean;
}

/**
 * Write a keystore atomically: file mode 0600, directory 0700; on failure the old file is
 * intact and no temp file is left.
 * @throws {UsageError} when the file exists and `overwrite` is not set (nothing written);
 *   {OperationalError} naming the file for a full disk, a read-only or foreign directory, …
 */
export async function writeKeystore(
  path: string,
  keystore: KeystoreV3,
  options: WriteKeystoreOptions = {},
): Promise<void> {
  try {
    await writeFileAtomic(path, `${JSON.stringify(keystore)}\n`, {
      mode: 0o600,
      dirMode: 0o700,
      exclusive: options.overwrite !== true,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") {
      throw new UsageError(`an agent keystore already exists at ${path}`, {
        hint: "see it with hlcopy agent show; pass --force to replace it (the old key is lost unless backed up)",
        details: { file: path },
      });
    }
    throw storeError(error, { file: path, what: "keystore", operation: "write" });
  }
}
