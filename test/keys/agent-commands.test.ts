// The agent commands in-process: generate/import/remove refusals change nothing; the commander
// wiring; and the leak scan — every command run with known keys and passphrases, then every
// byte of output, every error as the CLI prints it (with --debug) and every file in the config
// directory searched for them.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import type { Hex } from "viem";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { runAgentApprove } from "../../src/cli/agent/approve.js";
import type { AgentContext, AgentIo } from "../../src/cli/agent/common.js";
import { runAgentGenerate } from "../../src/cli/agent/generate.js";
import { runAgentImport } from "../../src/cli/agent/import.js";
import { runAgentRemove } from "../../src/cli/agent/remove.js";
import { runAgentShow } from "../../src/cli/agent/show.js";
import { resolveNetwork } from "../../src/cli/network.js";
import { reportError } from "../../src/cli/output.js";
import { createProgram } from "../../src/cli/program.js";
import { ConfigError, OperationalError, UsageError } from "../../src/core/errors.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import {
  addressOfKey,
  agentKeystorePath,
  DEFAULT_SCRYPT_N,
  decryptKeystore,
  encryptKeystore,
  readKeystore,
  WrongPassphraseError,
} from "../../src/store/keystore.js";
import { InterruptedError, loadAgentKey } from "../../src/store/secrets.js";
import { tempDir } from "../helpers/cli.js";
import { Capture, pipedPrompt, ttyPrompt } from "./io.js";
import { refEncrypt } from "./reference-keystore.js";

const MASTER_KEY: Hex = "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba";
const AGENT_KEY: Hex = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const FILE_KEY: Hex = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";
const WRONG_MASTER_KEY: Hex = "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6";
const MASTER = addressOfKey(MASTER_KEY);
const PASS = "Tr0ub4dor&3 keystore";
const FILE_PASS = "the file's own passphrase";
const NEW_PASS = "a brand new passphrase";

type Io = AgentIo & { out: Capture; err: Capture };

function context(
  configDir: string,
  env: NodeJS.ProcessEnv = {},
  over: Partial<AgentContext> = {},
): AgentContext {
  return {
    configDir,
    network: resolveNetwork("http://127.0.0.1:9"),
    account: MASTER,
    json: false,
    env,
    // Fast keystores for tests: only in-process callers can lower the cost (see the CLI test).
    keystoreScryptN: 1024,
    ...over,
  };
}

function piped(lines: string[] = []): Io {
  return { out: new Capture(), err: new Capture(), prompt: pipedPrompt(lines).prompt };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) out[name] = readFileSync(join(dir, name), "utf8");
  return out;
}

describe("agent generate", () => {
  it("refuses to overwrite without --force; --force replaces", async () => {
    const dir = tempDir();
    await runAgentGenerate(context(dir, { HLCOPY_PASSPHRASE: PASS }), {}, piped());
    const before = snapshot(dir);
    const error = await rejection(runAgentGenerate(context(dir, { HLCOPY_PASSPHRASE: PASS }), {}, piped()));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toContain(agentKeystorePath(dir));
    expect((error as UsageError).hint).toContain("--force");
    expect(snapshot(dir)).toEqual(before);
    await runAgentGenerate(context(dir, { HLCOPY_PASSPHRASE: PASS }), { force: true }, piped());
    expect(snapshot(dir)).not.toEqual(before);
  });

  it("points to Hyperliquid's web app as the other way to approve on its own networks only, not on a simulator", async () => {
    const said = async (network: string): Promise<string> => {
      const io = piped();
      await runAgentGenerate(
        context(tempDir(), { HLCOPY_PASSPHRASE: PASS }, { network: resolveNetwork(network) }),
        {},
        io,
      );
      return (io.out as Capture).text;
    };
    expect(await said("mainnet")).toContain("or in the Hyperliquid web app");
    expect(await said("testnet")).toContain("or in the Hyperliquid web app");
    const sim = await said("http://127.0.0.1:9");
    expect(sim).toContain("agent approve");
    expect(sim).not.toContain("web app");
  });

  it("the next step repeats only the flags that differ from the config (or HLCOPY_ACCOUNT, mainnet)", async () => {
    const sim = "http://127.0.0.1:9";
    const OTHER = "0x0000000000000000000000000000000000000002";
    const next = async (over: Partial<AgentContext>, env: NodeJS.ProcessEnv = {}): Promise<string> => {
      const io = piped();
      await runAgentGenerate(context(tempDir(), { HLCOPY_PASSPHRASE: PASS, ...env }, over), {}, io);
      return io.out.text.split("\n").find((l) => l.startsWith("  hlcopy")) ?? "";
    };
    // Network and account both from the config file: neither is repeated.
    expect(await next({ stored: { network: sim, account: MASTER } })).toBe("  hlcopy agent approve");
    // The account from HLCOPY_ACCOUNT, the network mainnet by default.
    expect(
      await next(
        { network: resolveNetwork("mainnet"), stored: {} },
        { HLCOPY_ACCOUNT: MASTER.toUpperCase().replace("0X", "0x") },
      ),
    ).toBe("  hlcopy agent approve");
    // Given on the command line and not what the config says: repeated.
    expect(await next({ stored: { network: "testnet", account: OTHER } })).toBe(
      `  hlcopy --network ${sim} --account ${MASTER} agent approve`,
    );
    // No account known anywhere: the placeholder, since approve needs one.
    expect(await next({ account: null, stored: { network: sim } })).toBe(
      "  hlcopy --account 0xYourMaster… agent approve",
    );
    // Signing for testnet on a URL (--testnet-signing, never stored): repeated, or approve would
    // sign for mainnet and be refused.
    expect(
      await next({
        network: resolveNetwork(sim, { testnet: true }),
        stored: { network: sim, account: MASTER },
      }),
    ).toBe("  hlcopy --testnet-signing agent approve");
    // testnet by name signs for testnet by itself.
    expect(
      await next({ network: resolveNetwork("testnet"), stored: { network: "testnet", account: MASTER } }),
    ).toBe("  hlcopy agent approve");
  });

  it("passphrases that differ, or Ctrl-C, write nothing", async () => {
    const dir = tempDir();
    const a = ttyPrompt();
    // Asked again after a mismatch; the third mismatch gives up.
    a.tty.typeLater("one\r", "two\r", "one\r", "two\r", "one\r", "two\r");
    const mismatch = await rejection(runAgentGenerate(context(dir), {}, { ...piped(), prompt: a.prompt }));
    expect(mismatch).toBeInstanceOf(UsageError);
    const b = ttyPrompt();
    b.tty.typeLater("one\r", "\u0003");
    const interrupted = await rejection(runAgentGenerate(context(dir), {}, { ...piped(), prompt: b.prompt }));
    expect(interrupted).toBeInstanceOf(InterruptedError);
    expect(existsSync(agentKeystorePath(dir))).toBe(false);
  });
});

describe("a prompt kept silent between its questions (agent approve's)", () => {
  it("echo never comes back between two secrets; what came after the first's Enter is discarded and said", async () => {
    const t = ttyPrompt();
    t.prompt.keepSilent();
    // The passphrase and the master key pasted in one chunk, before the second question.
    t.tty.typeLater("pass-one\rsecond-typed-ahead\r");
    expect(await t.prompt.secret("First: ", "the keystore passphrase")).toBe("pass-one");
    // Raw mode (no echo) from keepSilent on, never turned off between the questions.
    expect(t.tty.rawModeCalls.includes(false)).toBe(false);
    t.tty.typeLater("second\r");
    expect(await t.prompt.secret("Second: ", "the master private key")).toBe("second");
    expect(t.output.text).toContain(
      "(what was typed before this question — 19 characters — was not shown and is discarded: type the master private key now)",
    );
    t.prompt.close();
    // The terminal as it was once the command is done.
    expect(t.tty.rawMode).toBe(false);
  });
});

describe("agent import", () => {
  it("hex from stdin: the key, then the passphrase", async () => {
    const dir = tempDir();
    const io = piped([AGENT_KEY.slice(2).toUpperCase(), PASS]);
    await runAgentImport(context(dir), {}, io);
    expect(io.out.text).toContain(`Imported agent ${addressOfKey(AGENT_KEY)}`);
    expect(await decryptKeystore(await readKeystore(agentKeystorePath(dir)), PASS)).toBe(AGENT_KEY);
    expect(statSync(agentKeystorePath(dir)).mode & 0o777).toBe(0o600);
  });

  it("a v3 file keeps its passphrase, or takes a new one; re-encrypted with our scrypt", async () => {
    const file = join(tempDir(), "geth-key.json");
    const v3 = refEncrypt(FILE_KEY.slice(2), FILE_PASS, {
      kdf: "pbkdf2",
      c: 1000,
      dklen: 32,
      salt: "44".repeat(32),
    });
    writeFileSync(file, JSON.stringify(v3));
    const kept = tempDir();
    await runAgentImport(context(kept), { keystore: file }, piped([FILE_PASS]));
    const ks = await readKeystore(agentKeystorePath(kept));
    expect(ks.crypto.kdf).toBe("scrypt");
    expect(await decryptKeystore(ks, FILE_PASS)).toBe(FILE_KEY);
    const renewed = tempDir();
    await runAgentImport(
      context(renewed),
      { keystore: file, newPassphrase: true },
      piped([FILE_PASS, NEW_PASS]),
    );
    expect(await decryptKeystore(await readKeystore(agentKeystorePath(renewed)), NEW_PASS)).toBe(FILE_KEY);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(v3); // the source is never touched
  });

  it("--new-passphrase with the passphrase from the environment is refused: it would change nothing", async () => {
    const file = join(tempDir(), "geth.json");
    writeFileSync(file, JSON.stringify(await encryptKeystore(AGENT_KEY, PASS, { scryptN: 1024 })));
    for (const env of [{ HLCOPY_PASSPHRASE: PASS }, { HLCOPY_PASSPHRASE_FILE: file }]) {
      const dir = tempDir();
      const error = (await rejection(
        runAgentImport(context(dir, env), { keystore: file, newPassphrase: true }, piped([NEW_PASS])),
      )) as UsageError;
      expect(error).toBeInstanceOf(UsageError);
      expect(error.message).toMatch(
        /^--new-passphrase with HLCOPY_PASSPHRASE(_FILE)? set: .*nothing would change$/,
      );
      expect(error.hint).toMatch(/^unset HLCOPY_PASSPHRASE/);
      expect(existsSync(agentKeystorePath(dir))).toBe(false);
    }
  });

  it("refusals write nothing: master key, bad hex, wrong file passphrase, corrupt or missing file, existing keystore", async () => {
    const dir = tempDir();
    const master = (await rejection(
      runAgentImport(context(dir), {}, piped([MASTER_KEY, PASS])),
    )) as OperationalError;
    expect(master).toBeInstanceOf(OperationalError);
    expect(master.exitCode).toBe(2);
    expect(master.hint).toContain("hlcopy agent generate");
    expect(await rejection(runAgentImport(context(dir), {}, piped([`${AGENT_KEY}00`, PASS])))).toBeInstanceOf(
      UsageError,
    );

    const file = join(tempDir(), "k.json");
    writeFileSync(
      file,
      JSON.stringify(
        refEncrypt(FILE_KEY.slice(2), FILE_PASS, { kdf: "pbkdf2", c: 10, dklen: 32, salt: "55".repeat(32) }),
      ),
    );
    const wrong = (await rejection(
      runAgentImport(context(dir), { keystore: file }, piped(["nope"])),
    )) as UsageError;
    expect(wrong).toBeInstanceOf(WrongPassphraseError);
    expect(wrong.exitCode).toBe(2);
    writeFileSync(file, "{ broken");
    const corrupt = await rejection(runAgentImport(context(dir), { keystore: file }, piped([FILE_PASS])));
    expect(corrupt).toBeInstanceOf(ConfigError);
    expect(corrupt.message).toContain(file);
    writeFileSync(file, "{}");
    const notKeystore = await rejection(runAgentImport(context(dir), { keystore: file }, piped([FILE_PASS])));
    expect(notKeystore).toBeInstanceOf(ConfigError);
    expect(notKeystore.message).toBe(
      `${file} is not a v3 key file (it has no "version" and "crypto" fields)`,
    );
    const missing = await rejection(
      runAgentImport(context(dir), { keystore: `${file}.nope` }, piped([FILE_PASS])),
    );
    expect(missing.message).toContain("no such keystore file");
    expect(readdirSync(dir)).toEqual([]);

    await runAgentImport(context(dir), {}, piped([AGENT_KEY, PASS]));
    const before = snapshot(dir);
    const exists = await rejection(runAgentImport(context(dir), {}, piped([FILE_KEY, PASS])));
    expect(exists.message).toContain("already exists");
    expect(snapshot(dir)).toEqual(before);
  });
});

describe("agent remove", () => {
  async function withKeystore(): Promise<string> {
    const dir = tempDir();
    await runAgentImport(context(dir), {}, piped([AGENT_KEY, PASS]));
    return dir;
  }

  it("not on a terminal it needs --yes", async () => {
    const dir = await withKeystore();
    const error = await rejection(runAgentRemove(context(dir), {}, piped()));
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).hint).toContain("--yes");
    expect(existsSync(agentKeystorePath(dir))).toBe(true);
    const io = piped();
    await runAgentRemove(context(dir, {}, { json: true }), { yes: true }, io);
    expect(JSON.parse(io.out.text)).toEqual({
      ts: expect.any(Number),
      type: "agent",
      removed: true,
      keystore: agentKeystorePath(dir),
      agentAddress: addressOfKey(AGENT_KEY),
    });
    expect(existsSync(agentKeystorePath(dir))).toBe(false);
    const again = piped();
    await runAgentRemove(context(dir), { yes: true }, again);
    expect(again.out.text).toContain("nothing to remove");
  });

  it("a keystore it cannot delete (a directory in its place) is one error and a hint, never a raw EISDIR", async () => {
    const dir = tempDir();
    mkdirSync(agentKeystorePath(dir));
    const error = await rejection(runAgentRemove(context(dir), { yes: true }, piped()));
    expect(error).toBeInstanceOf(OperationalError);
    expect(error.message).toBe(`cannot write keystore ${agentKeystorePath(dir)}: it is a directory`);
    expect((error as OperationalError).hint).toMatch(/^move that directory out of the way/);
  });

  it("on a terminal it asks; anything but yes keeps the key", async () => {
    const dir = await withKeystore();
    const no = ttyPrompt();
    no.tty.typeLater("n\r");
    await runAgentRemove(context(dir), {}, { ...piped(), prompt: no.prompt });
    expect(existsSync(agentKeystorePath(dir))).toBe(true);
    expect(no.output.text).toContain(`Delete the agent key ${addressOfKey(AGENT_KEY)}`);
    const yes = ttyPrompt();
    yes.tty.typeLater("y\r");
    await runAgentRemove(context(dir), {}, { ...piped(), prompt: yes.prompt });
    expect(existsSync(agentKeystorePath(dir))).toBe(false);
  });

  it("an agent keystore holding {} is not an hlcopy agent keystore: show says so and how to re-create it; generate --force replaces it", async () => {
    const dir = tempDir();
    writeFileSync(agentKeystorePath(dir), "{}\n", { mode: 0o600 });
    const shown = await rejection(runAgentShow(context(dir), piped()));
    expect(shown).toBeInstanceOf(ConfigError);
    expect((shown as ConfigError).exitCode).toBe(2);
    expect(shown.message).toBe(
      `keystore ${agentKeystorePath(dir)} is not an hlcopy agent keystore (it has no "version" and "crypto" fields)`,
    );
    expect((shown as ConfigError).hint).toContain("hlcopy agent generate --force");
    expect(readFileSync(agentKeystorePath(dir), "utf8")).toBe("{}\n");
    await runAgentGenerate(context(dir, { HLCOPY_PASSPHRASE: PASS }), { force: true }, piped());
    expect((await readKeystore(agentKeystorePath(dir))).version).toBe(3);
  });

  it("a corrupt keystore can still be removed", async () => {
    const dir = tempDir();
    writeFileSync(agentKeystorePath(dir), "garbage", { mode: 0o600 });
    await runAgentRemove(context(dir), { yes: true }, piped());
    expect(existsSync(agentKeystorePath(dir))).toBe(false);
  });
});

describe("commander wiring", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  function program(): Command {
    const p = createProgram();
    p.exitOverride();
    return p;
  }

  it("agent --help lists the subcommands and examples", async () => {
    let help = "";
    const p = program();
    p.configureOutput({ writeOut: (s) => (help += s) });
    const agent = p.commands.find((c) => c.name() === "agent");
    agent?.configureOutput({ writeOut: (s) => (help += s) });
    await expect(p.parseAsync(["agent", "--help"], { from: "user" })).rejects.toThrow();
    for (const sub of ["generate", "import", "approve", "show", "remove", "Examples:", "HLCOPY_AGENT_KEY"]) {
      expect(help).toContain(sub);
    }
    // The passphrase's retries are said where passphrases are.
    expect(help.replace(/\s+/g, " ")).toContain(
      "a wrong one when a run opens the key can be typed again: three tries, then exit 2 with nothing sent (from HLCOPY_PASSPHRASE or a pipe: one try)",
    );
  });

  // The standard scrypt cost (n = 2¹⁸, ~1 s idle) runs in this process: on a busy 2-core
  // machine it took over 30 s. A bound for a hang, not a speed check.
  it("--config-dir and --json reach generate and remove; the CLI writes the standard scrypt cost", {
    timeout: 120_000,
  }, async () => {
    const dir = tempDir();
    vi.stubEnv("HLCOPY_PASSPHRASE", PASS);
    vi.stubEnv("HLCOPY_ACCOUNT", MASTER);
    vi.stubEnv("HLCOPY_AGENT_KEY", undefined);
    let out = "";
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    await program().parseAsync(["--config-dir", dir, "--json", "agent", "generate"], { from: "user" });
    const doc = JSON.parse(out) as {
      agentAddress: string;
      address: string;
      account: string;
      keystore: string;
    };
    expect(doc.account).toBe(MASTER);
    // One name for the agent's address in every agent document (agent show's agentAddress);
    // `address` kept for older scripts (deprecated).
    expect(doc.agentAddress).toMatch(/^0x[0-9a-f]{40}$/);
    expect(doc.address).toBe(doc.agentAddress);
    expect(doc.keystore).toBe(agentKeystorePath(dir));
    const written = await readKeystore(doc.keystore);
    expect(written.address).toBe(doc.address.slice(2));
    expect(written.crypto.kdfparams).toMatchObject({ n: DEFAULT_SCRYPT_N, r: 8, p: 1 });
    out = "";
    await program().parseAsync(["--config-dir", dir, "--json", "agent", "remove", "--yes"], { from: "user" });
    expect(JSON.parse(out)).toMatchObject({ removed: true });
  });
});

describe("secrets never leak", () => {
  let sim: SimHandle;
  beforeAll(async () => {
    sim = await startSim({ tickMs: 0, seed: 11 });
    sim.control.fund(MASTER, 5_000);
  });
  afterAll(async () => {
    await sim.close();
  });

  it("no key or passphrase in any output, error (as printed with --debug) or file in the config dir", async () => {
    const dir = tempDir();
    const seen: string[] = [];
    const base = (json: boolean, env: NodeJS.ProcessEnv = {}): AgentContext => ({
      ...context(dir, env, { json }),
      network: resolveNetwork(sim.httpUrl),
    });
    const tty = () => {
      const t = ttyPrompt();
      return { ...t, io: { out: new Capture(), err: new Capture(), prompt: t.prompt } as Io };
    };
    /** Run a command; record all of its output and, if it failed, the error as the CLI prints it. */
    const step = async (io: Io, promptOut: Capture | null, run: () => Promise<unknown>, fails = false) => {
      let failed = false;
      try {
        await run();
      } catch (error) {
        failed = true;
        const printed = new Capture();
        reportError(error, { debug: true, err: printed });
        seen.push(printed.text, JSON.stringify((error as { details?: unknown }).details ?? {}));
      }
      expect(failed).toBe(fails);
      seen.push(io.out.text, io.err.text, promptOut?.text ?? "");
    };

    for (const json of [false, true]) {
      // generate, typed on a terminal
      let t = tty();
      t.tty.typeLater(`${PASS}\r`, `${PASS}\r`);
      await step(t.io, t.output, () => runAgentGenerate(base(json), { force: true }, t.io));
      // show, not approved
      let p = piped();
      await step(p, null, () => runAgentShow(base(json), p));
      // approve (the keystore opened first: its passphrase) with someone else's key, then with
      // the master key typed
      t = tty();
      t.tty.answerWhenAsked(
        t.output,
        ["Passphrase for", `${PASS}\r`],
        ["Master private key", `${WRONG_MASTER_KEY}\r`],
      );
      await step(t.io, t.output, () => runAgentApprove(base(json), {}, t.io), true);
      t = tty();
      t.tty.answerWhenAsked(
        t.output,
        ["Passphrase for", `${PASS}\r`],
        ["Master private key", `${MASTER_KEY.slice(2)}\r`],
      );
      await step(t.io, t.output, () => runAgentApprove(base(json), { validDays: 5 }, t.io));
      p = piped();
      await step(p, null, () => runAgentShow(base(json), p));
      // the trading path: wrong passphrase three times, then right
      t = tty();
      t.tty.typeLater("wrong 1\r", `${PASS}x\r`, `${PASS.toUpperCase()}\r`);
      await step(
        t.io,
        t.output,
        () =>
          loadAgentKey({ configDir: dir, account: MASTER, env: {}, prompt: t.prompt }).then(() => undefined),
        true,
      );
      p = piped([PASS]);
      await step(p, null, () =>
        loadAgentKey({ configDir: dir, account: MASTER, env: {}, prompt: p.prompt }).then(() => undefined),
      );
      // import: hex, a v3 file with its own passphrase and a new one, the master key, bad hex
      p = piped([AGENT_KEY, PASS]);
      await step(p, null, () => runAgentImport(base(json), { force: true }, p));
      const file = join(tempDir(), "k.json");
      writeFileSync(
        file,
        JSON.stringify(
          refEncrypt(FILE_KEY.slice(2), FILE_PASS, {
            kdf: "scrypt",
            n: 1024,
            r: 8,
            p: 1,
            dklen: 32,
            salt: "66".repeat(32),
          }),
        ),
      );
      t = tty();
      t.tty.typeLater(`${FILE_PASS}\r`, `${NEW_PASS}\r`, `${NEW_PASS}\r`);
      await step(t.io, t.output, () =>
        runAgentImport(base(json), { keystore: file, newPassphrase: true, force: true }, t.io),
      );
      p = piped(["not the pass"]);
      await step(p, null, () => runAgentImport(base(json), { keystore: file, force: true }, p), true);
      p = piped([MASTER_KEY, PASS]);
      await step(p, null, () => runAgentImport(base(json), { force: true }, p), true);
      p = piped([`${AGENT_KEY}ab`, PASS]);
      await step(p, null, () => runAgentImport(base(json), { force: true }, p), true);
      // the env bypass: a good key, the master key, a malformed one
      p = piped();
      await step(p, null, () => runAgentShow(base(json, { HLCOPY_AGENT_KEY: AGENT_KEY }), p));
      p = piped();
      await step(p, null, () => runAgentShow(base(json, { HLCOPY_AGENT_KEY: `${AGENT_KEY}0` }), p), true);
      p = piped([MASTER_KEY]);
      await step(p, null, () => runAgentApprove(base(json, { HLCOPY_AGENT_KEY: MASTER_KEY }), {}, p), true);
      // remove
      p = piped();
      await step(p, null, () => runAgentRemove(base(json), { yes: true }, p));
      p = piped([AGENT_KEY, PASS]);
      await step(p, null, () => runAgentImport(base(json), {}, p));
    }

    const files = readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => readFileSync(join(e.parentPath, e.name), "latin1"));
    expect(files.length).toBeGreaterThan(0);
    const haystack = [...seen, ...files].join("\n---\n");
    expect(haystack).toContain(addressOfKey(AGENT_KEY)); // we did print the address
    const lower = haystack.toLowerCase();
    for (const key of [MASTER_KEY, AGENT_KEY, FILE_KEY, WRONG_MASTER_KEY]) {
      const hex = key.slice(2);
      // every case, with or without 0x; also the first half, in case of a truncated print
      expect(lower).not.toContain(hex);
      expect(lower).not.toContain(hex.slice(0, 32));
    }
    for (const secret of [PASS, FILE_PASS, NEW_PASS, "wrong 1", "not the pass"]) {
      expect(haystack).not.toContain(secret);
      expect(lower).not.toContain(secret.toLowerCase());
    }
  });
});
