// Secrets in: the hidden prompt (no echo, Ctrl-C aborts with 130), piped stdin, the
// environment, and loadAgentKey's refusals (master key, wrong passphrase, no keystore).
import { chmodSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { PassThrough } from "node:stream";
import type { Hex } from "viem";
import { describe, expect, it } from "vitest";
import { whereStopped } from "../../src/cli/signals.js";
import { ConfigError, OperationalError, UsageError } from "../../src/core/errors.js";
import type { Address } from "../../src/core/types.js";
import {
  addressOfKey,
  agentKeystorePath,
  encryptKeystore,
  WrongPassphraseError,
  writeKeystore,
} from "../../src/store/keystore.js";
import {
  agentAddressOf,
  createPrompt,
  InterruptedError,
  loadAgentKey,
  newPassphrase,
  secretFromEnv,
} from "../../src/store/secrets.js";
import { tempDir } from "../helpers/cli.js";
import { Capture, FakeTty, pipedPrompt, ttyPrompt } from "./io.js";

const AGENT_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const MASTER_KEY = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
const AGENT = addressOfKey(AGENT_KEY);
const MASTER = addressOfKey(MASTER_KEY);
const PASS = "pass phrase 1";

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

async function configWithKeystore(key: Hex = AGENT_KEY): Promise<string> {
  const dir = tempDir();
  await writeKeystore(agentKeystorePath(dir), await encryptKeystore(key, PASS, { scryptN: 1024 }));
  return dir;
}

describe("hidden prompt on a terminal", () => {
  it("reads a line in raw mode and echoes nothing of it", async () => {
    const { prompt, tty, output } = ttyPrompt();
    expect(prompt.interactive).toBe(true);
    tty.typeLater("s3cr", "et\r");
    expect(await prompt.secret("Passphrase: ", "x")).toBe("s3cret");
    expect(output.text).toBe("Passphrase: \n");
    expect(tty.rawModeCalls).toEqual([true, false]);
  });

  it("turns echo off before the question shows: an answer pasted the moment it appears is never echoed", async () => {
    const tty = new FakeTty();
    const output = new Capture();
    // What the terminal's echo was at each write of the prompt's.
    const echoAtWrite: boolean[] = [];
    const write = output.write.bind(output);
    output.write = ((chunk: string, ...rest: never[]) => {
      echoAtWrite.push(!tty.rawMode);
      return write(chunk, ...rest);
    }) as typeof output.write;
    const prompt = createPrompt({ input: tty, output });
    tty.typeLater("k3y\r");
    expect(await prompt.secret("Agent private key (hex, hidden): ", "x")).toBe("k3y");
    expect(output.text).toBe("Agent private key (hex, hidden): \n");
    // The question's write, then the newline after the answer (echo back on only after it).
    expect(echoAtWrite).toEqual([false, true]);
  });

  it("handles backspace, Ctrl-U and ignores arrow keys", async () => {
    const { prompt, tty } = ttyPrompt();
    tty.typeLater("abx\u007fc", "\u001b[D", "\u0015xyz\u007f", "\r");
    expect(await prompt.secret("P: ", "x")).toBe("xy");
  });

  it("Ctrl-C aborts with exit 130 and leaves the terminal out of raw mode", async () => {
    const { prompt, tty } = ttyPrompt();
    tty.typeLater("abc\u0003");
    const error = (await rejection(prompt.secret("P: ", "x"))) as InterruptedError;
    expect(error).toBeInstanceOf(InterruptedError);
    expect(error.exitCode).toBe(130);
    expect(error.hint).toBe("nothing was changed");
    expect(tty.rawMode).toBe(false);
  });

  it("Ctrl-D on an empty line aborts too", async () => {
    const { prompt, tty } = ttyPrompt();
    tty.typeLater("\u0004");
    expect(await rejection(prompt.secret("P: ", "x"))).toBeInstanceOf(InterruptedError);
  });
});

describe("piped stdin", () => {
  it("hands out one line per question, then says stdin ended", async () => {
    const { prompt } = pipedPrompt(["first", "second"]);
    expect(prompt.interactive).toBe(false);
    expect(await prompt.secret("a", "x")).toBe("first");
    expect(await prompt.secret("b", "x")).toBe("second");
    const error = await rejection(prompt.secret("c", "the master key"));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe("expected the master key on stdin, but it ended");
    expect(await prompt.confirm("sure?")).toBe(false);
    prompt.close();
  });
});

describe("new passphrase", () => {
  it("HLCOPY_PASSPHRASE wins and nothing is asked", async () => {
    const { prompt, output } = pipedPrompt([]);
    expect(await newPassphrase({ env: { HLCOPY_PASSPHRASE: "env pass phrase" }, prompt })).toBe(
      "env pass phrase",
    );
    expect(output.text).toBe("");
  });

  it("on a terminal it is asked twice and must match", async () => {
    const ok = ttyPrompt();
    ok.tty.typeLater("abc-long-enough\r", "abc-long-enough\r");
    expect(await newPassphrase({ env: {}, prompt: ok.prompt })).toBe("abc-long-enough");
    expect(ok.output.text).toBe("New keystore passphrase: \nRepeat the passphrase: \n");
    const bad = ttyPrompt();
    // Asked again after a mismatch; the third mismatch gives up.
    bad.tty.typeLater("abc\r", "abd\r", "abc\r", "abd\r", "abc\r", "abd\r");
    const error = await rejection(newPassphrase({ env: {}, prompt: bad.prompt }));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toContain("did not match");
    expect(error.message).not.toContain("abc");
  });

  it("a passphrase no prompt can type (a control character) is refused, from the environment or a pipe, never shown", async () => {
    for (const [env, lines, message] of [
      [
        { HLCOPY_PASSPHRASE: "long pass phrase\r" },
        [],
        "the new passphrase from HLCOPY_PASSPHRASE ends in a carriage return (\\r), which no passphrase prompt can type",
      ],
      [
        { HLCOPY_PASSPHRASE: "long pass\tphrase" },
        [],
        "the new passphrase from HLCOPY_PASSPHRASE holds a tab, which",
      ],
      [{}, ["long pass\tphrase"], "the new passphrase from the line read from stdin holds a tab, which"],
      [
        {},
        ["long pass phrase\u0000"],
        "the line read from stdin ends in a control character (U+0000), which",
      ],
    ] as const) {
      const error = await rejection(newPassphrase({ env, prompt: pipedPrompt([...lines]).prompt }));
      expect(error).toBeInstanceOf(UsageError);
      expect(error.message).toContain(message);
      expect(error.message).not.toContain("phrase\r");
      expect(error.message).not.toContain("long pass");
    }
    // Spaces and any printable character are typed at a prompt: taken.
    expect(
      await newPassphrase({
        env: { HLCOPY_PASSPHRASE: " long pass phrase é " },
        prompt: pipedPrompt([]).prompt,
      }),
    ).toBe(" long pass phrase é ");
  });

  it("piped: asked once; empty is refused", async () => {
    expect(await newPassphrase({ env: {}, prompt: pipedPrompt(["once"]).prompt })).toBe("once");
    expect(await rejection(newPassphrase({ env: {}, prompt: pipedPrompt([""]).prompt }))).toBeInstanceOf(
      UsageError,
    );
  });
});

describe("loadAgentKey", () => {
  it("HLCOPY_AGENT_KEY or HLCOPY_PASSPHRASE set but empty: a UsageError, the prompt is never asked", async () => {
    const dir = await configWithKeystore();
    for (const env of [{ HLCOPY_AGENT_KEY: "" }, { HLCOPY_PASSPHRASE: "" }]) {
      const asked = pipedPrompt([PASS]);
      const error = (await rejection(
        loadAgentKey({ configDir: dir, account: MASTER, env, prompt: asked.prompt }),
      )) as UsageError;
      const name = Object.keys(env)[0];
      expect(error).toBeInstanceOf(UsageError);
      expect(error.exitCode).toBe(2);
      expect(error.message).toBe(`${name} is set but empty`);
      expect(error.hint).toContain(`unset ${name}`);
    }
    expect(secretFromEnv({}, "HLCOPY_AGENT_KEY")).toBeUndefined();
    expect(secretFromEnv({ HLCOPY_PASSPHRASE: " x" }, "HLCOPY_PASSPHRASE")).toBe(" x");
  });

  // A follow stopped while it derives the key from HLCOPY_PASSPHRASE showed no prompt: its line
  // said "stopped by SIGINT at the prompt for the keystore passphrase" all the same.
  it("a stop during the derivation (the passphrase from the env) is said as the derivation, not a prompt", async () => {
    const dir = await configWithKeystore();
    const stop = new AbortController();
    stop.abort();
    const error = (await rejection(
      loadAgentKey({
        configDir: dir,
        account: MASTER,
        env: { HLCOPY_PASSPHRASE: PASS },
        signal: stop.signal,
      }),
    )) as InterruptedError;
    expect(error).toBeInstanceOf(InterruptedError);
    expect(error.exitCode).toBe(130);
    expect(whereStopped(error)).toBe("while the agent key was derived from its passphrase");
    // At the question itself it names the prompt.
    expect(whereStopped(new InterruptedError("the keystore passphrase"))).toBe(
      "at the prompt for the keystore passphrase",
    );
  });

  it("HLCOPY_AGENT_KEY bypasses the keystore", async () => {
    const got = await loadAgentKey({
      configDir: tempDir(),
      account: MASTER,
      env: { HLCOPY_AGENT_KEY: AGENT_KEY.slice(2).toUpperCase() },
    });
    expect(got).toEqual({ privateKey: AGENT_KEY, address: AGENT, source: "env" });
  });

  it("a malformed HLCOPY_AGENT_KEY is named, never echoed", async () => {
    const bad = `${AGENT_KEY}ff`;
    const error = (await rejection(
      loadAgentKey({ configDir: tempDir(), account: MASTER, env: { HLCOPY_AGENT_KEY: bad } }),
    )) as UsageError;
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toContain("HLCOPY_AGENT_KEY");
    expect(`${error.message}${error.hint}`).not.toContain(AGENT_KEY.slice(2));
  });

  it("refuses the master key (from the env or the keystore): exit 2, explains, suggests generate", async () => {
    const fromEnv = (await rejection(
      loadAgentKey({ configDir: tempDir(), account: MASTER, env: { HLCOPY_AGENT_KEY: MASTER_KEY } }),
    )) as OperationalError;
    expect(fromEnv).toBeInstanceOf(OperationalError);
    expect(fromEnv.exitCode).toBe(2);
    expect(fromEnv.message).toContain("can withdraw");
    expect(fromEnv.hint).toContain("hlcopy agent generate");
    expect(`${fromEnv.message}${fromEnv.hint}`).not.toContain(MASTER_KEY.slice(2));

    const dir = await configWithKeystore(MASTER_KEY);
    const fromKeystore = await rejection(
      loadAgentKey({
        configDir: dir,
        account: MASTER.toUpperCase() as Address,
        env: { HLCOPY_PASSPHRASE: PASS },
      }),
    );
    expect(fromKeystore).toBeInstanceOf(OperationalError);
  });

  it("opens the keystore with HLCOPY_PASSPHRASE, or a prompt", async () => {
    const dir = await configWithKeystore();
    const viaEnv = await loadAgentKey({ configDir: dir, account: MASTER, env: { HLCOPY_PASSPHRASE: PASS } });
    expect(viaEnv).toEqual({ privateKey: AGENT_KEY, address: AGENT, source: "keystore" });
    const viaPipe = await loadAgentKey({
      configDir: dir,
      account: null,
      env: {},
      prompt: pipedPrompt([PASS]).prompt,
    });
    expect(viaPipe.address).toBe(AGENT);
  });

  it("a private key piped where the passphrase is read (agent approve's master key alone) is said as that, never shown", async () => {
    const dir = await configWithKeystore();
    for (const line of [MASTER_KEY, MASTER_KEY.slice(2), `  ${MASTER_KEY}  `]) {
      const error = (await rejection(
        loadAgentKey({ configDir: dir, account: MASTER, env: {}, prompt: pipedPrompt([line]).prompt }),
      )) as UsageError;
      expect(error).toBeInstanceOf(WrongPassphraseError);
      expect(error.exitCode).toBe(2);
      expect(error.message).toMatch(/read from stdin as the keystore's passphrase is a private key's form/);
      expect(error.hint).toMatch(/the passphrase comes first/);
      expect(`${error.message}${error.hint}`).not.toContain(MASTER_KEY.slice(2));
    }
    // Any other wrong line is a wrong passphrase, as before.
    const other = (await rejection(
      loadAgentKey({ configDir: dir, account: MASTER, env: {}, prompt: pipedPrompt(["nope"]).prompt }),
    )) as UsageError;
    expect(other.message).toBe("wrong passphrase");
    // Piped, it came from no prompt: the hint says where it came from, not "type … again".
    expect(other.hint).toMatch(/^check the line read from stdin: it does not hold the passphrase of /);
    expect(other.hint).not.toMatch(/\btype\b/);
    // From a variable it is that variable's wrong passphrase (its own hint).
    const fromVariable = (await rejection(
      loadAgentKey({ configDir: dir, account: MASTER, env: { HLCOPY_PASSPHRASE: MASTER_KEY } }),
    )) as UsageError;
    expect(fromVariable.message).toBe("wrong passphrase");
  });

  it("on a terminal, a mistyped passphrase can be typed again (3 tries)", async () => {
    const dir = await configWithKeystore();
    const { prompt, tty, output } = ttyPrompt();
    tty.typeLater("wrong\r", `${PASS}\r`);
    const got = await loadAgentKey({ configDir: dir, account: MASTER, env: {}, prompt });
    expect(got.address).toBe(AGENT);
    expect(output.text).toContain("wrong passphrase, try again");
    expect(output.text).not.toContain(PASS);
  });

  it("on a terminal, the third wrong passphrase is the last: exit 2, not asked a fourth time (as the README says)", async () => {
    const dir = await configWithKeystore();
    const { prompt, tty, output } = ttyPrompt();
    tty.typeLater("one\r", "two\r", "three\r", `${PASS}\r`);
    const error = await rejection(loadAgentKey({ configDir: dir, account: MASTER, env: {}, prompt }));
    expect(error).toBeInstanceOf(WrongPassphraseError);
    expect((error as UsageError).exitCode).toBe(2);
    expect(output.text.match(/Passphrase for /g)).toHaveLength(3);
    expect(output.text.match(/wrong passphrase, try again/g)).toHaveLength(2);
  });

  it("wrong passphrase: exit 2 'wrong passphrase', the keystore untouched", async () => {
    const dir = await configWithKeystore();
    const file = agentKeystorePath(dir);
    const before = readFileSync(file, "utf8");
    const mtime = statSync(file).mtimeMs;
    const error = (await rejection(
      loadAgentKey({ configDir: dir, account: MASTER, env: { HLCOPY_PASSPHRASE: "nope" } }),
    )) as UsageError;
    expect(error).toBeInstanceOf(WrongPassphraseError);
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe("wrong passphrase");
    expect(readFileSync(file, "utf8")).toBe(before);
    expect(statSync(file).mtimeMs).toBe(mtime);
  });

  it("a passphrase file saved by a Windows editor (a byte-order mark, CRLF) opens the keystore: neither is the passphrase", async () => {
    const dir = await configWithKeystore();
    const passFile = `${tempDir()}/pass`;
    writeFileSync(passFile, `\ufeff${PASS}\r\n`);
    const loaded = await loadAgentKey({
      configDir: dir,
      account: MASTER,
      env: { HLCOPY_PASSPHRASE_FILE: passFile },
    });
    expect(loaded.address).toBe(AGENT);
    // A new keystore's passphrase from it is the one typed at a prompt, without the mark.
    expect(
      await newPassphrase({ env: { HLCOPY_PASSPHRASE_FILE: passFile }, prompt: pipedPrompt([]).prompt }),
    ).toBe(PASS);
  });

  it("a wrong passphrase's hint names the variable it was read from (HLCOPY_PASSPHRASE_FILE, HLCOPY_PASSPHRASE)", async () => {
    const dir = await configWithKeystore();
    const passFile = `${tempDir()}/pass`;
    writeFileSync(passFile, "nope\n");
    const fromFile = (await rejection(
      loadAgentKey({ configDir: dir, account: MASTER, env: { HLCOPY_PASSPHRASE_FILE: passFile } }),
    )) as UsageError;
    expect(fromFile).toBeInstanceOf(WrongPassphraseError);
    expect(fromFile.hint).toContain("check HLCOPY_PASSPHRASE_FILE");
    const fromVariable = (await rejection(
      loadAgentKey({ configDir: dir, account: MASTER, env: { HLCOPY_PASSPHRASE: "nope" } }),
    )) as UsageError;
    expect(fromVariable.hint).toContain("check HLCOPY_PASSPHRASE:");
    // A variable ending in a carriage return (a file with Windows line endings) is named as that.
    const crlf = (await rejection(
      loadAgentKey({ configDir: dir, account: MASTER, env: { HLCOPY_PASSPHRASE: `${PASS}\r` } }),
    )) as UsageError;
    expect(crlf).toBeInstanceOf(WrongPassphraseError);
    expect(crlf.hint).toMatch(
      /^the passphrase in HLCOPY_PASSPHRASE ends in a carriage return \(\\r\) \(a file saved with Windows line endings\?\): remove it and run again; if the rest is right, the file may be damaged/,
    );
    expect(fromVariable.hint).not.toContain("HLCOPY_PASSPHRASE_FILE");
    const file = agentKeystorePath(dir);
    expect(fromVariable.hint).toBe(
      `check HLCOPY_PASSPHRASE: it does not hold the passphrase of ${file}; if it does, the file may be damaged: restore it from a backup, or re-create it (hlcopy agent import --force, or generate --force for a new key)`,
    );
    // Typed at the prompt (three times): the same clause.
    const { prompt, tty } = ttyPrompt();
    tty.typeLater("nope\r", "nope\r", "nope\r");
    const typed = (await rejection(
      loadAgentKey({ configDir: dir, account: MASTER, env: {}, prompt }),
    )) as UsageError;
    expect(typed.hint).toBe(
      `type the passphrase of ${file} again; if it is right, the file may be damaged: restore it from a backup, or re-create it (hlcopy agent import --force, or generate --force for a new key)`,
    );
    // Piped in (stdin's first line): where it came from, as a variable's — no prompt to type at.
    const piped = (await rejection(
      loadAgentKey({ configDir: dir, account: MASTER, env: {}, prompt: pipedPrompt(["nope"]).prompt }),
    )) as UsageError;
    expect(piped.hint).toBe(
      `check the line read from stdin: it does not hold the passphrase of ${file}; if it does, the file may be damaged: restore it from a backup, or re-create it (hlcopy agent import --force, or generate --force for a new key)`,
    );
    // Every hint's parentheses balance, one pair at a time (never nested).
    for (const hint of [fromFile.hint, fromVariable.hint, typed.hint, piped.hint]) {
      let depth = 0;
      for (const ch of hint ?? "") {
        depth += ch === "(" ? 1 : ch === ")" ? -1 : 0;
        expect(depth, hint).toBeGreaterThanOrEqual(0);
        expect(depth, hint).toBeLessThanOrEqual(1);
      }
      expect(depth, hint).toBe(0);
    }
  });

  it.skipIf(process.platform === "win32")(
    "a keystore other users may read or write is refused before any passphrase, untouched, with the chmod",
    async () => {
      const dir = await configWithKeystore();
      const file = agentKeystorePath(dir);
      const before = readFileSync(file, "utf8");
      for (const [mode, what] of [
        [0o644, "read"],
        [0o620, "written"],
      ] as const) {
        chmodSync(file, mode);
        const { prompt, output } = pipedPrompt([PASS]);
        const error = (await rejection(
          loadAgentKey({ configDir: dir, account: MASTER, env: {}, prompt }),
        )) as ConfigError;
        expect(error).toBeInstanceOf(ConfigError);
        expect(error.exitCode).toBe(2);
        expect(error.message).toBe(
          `keystore ${file} can be ${what} by other users (mode 0${mode.toString(8)})`,
        );
        expect(error.hint).toBe(`make it yours alone, then run again: chmod 600 ${file}`);
        expect(output.text).toBe(""); // nothing was asked
        const early = await rejection(agentAddressOf({ configDir: dir, account: MASTER, env: {} }));
        expect(early).toBeInstanceOf(ConfigError);
        expect(readFileSync(file, "utf8")).toBe(before);
        expect(statSync(file).mode & 0o777).toBe(mode);
      }
      chmodSync(file, 0o600);
      expect(
        (await loadAgentKey({ configDir: dir, account: MASTER, env: { HLCOPY_PASSPHRASE: PASS } })).address,
      ).toBe(AGENT);
    },
  );

  it("no keystore / corrupt keystore: ConfigError naming the file", async () => {
    const dir = tempDir();
    const file = agentKeystorePath(dir);
    const none = await rejection(loadAgentKey({ configDir: dir, account: MASTER, env: {} }));
    expect(none).toBeInstanceOf(ConfigError);
    expect(none.message).toContain(file);
    writeFileSync(file, "{}", { mode: 0o600 });
    const corrupt = await rejection(
      loadAgentKey({ configDir: dir, account: MASTER, env: { HLCOPY_PASSPHRASE: PASS } }),
    );
    expect(corrupt).toBeInstanceOf(ConfigError);
    expect(corrupt.message).toContain(file);
    expect(readFileSync(file, "utf8")).toBe("{}");
  });
});

describe("a stop signal while the passphrase is asked", () => {
  it("ends the hidden prompt with InterruptedError and leaves the terminal out of raw mode", async () => {
    const tty = new FakeTty();
    const stop = new AbortController();
    const prompt = createPrompt({ input: tty, output: new Capture(), signal: stop.signal });
    tty.typeLater("half-typ");
    const asked = prompt.secret("P: ", "x");
    stop.abort();
    expect(await rejection(asked)).toBeInstanceOf(InterruptedError);
    expect(tty.rawModeCalls).toEqual([true, false]);
    // Stopped already: not asked at all.
    expect(await rejection(prompt.secret("P: ", "x"))).toBeInstanceOf(InterruptedError);
    expect(tty.rawModeCalls).toEqual([true, false]);
  });

  it("ends a wait on piped stdin that has no line yet", async () => {
    const input = new PassThrough();
    const stop = new AbortController();
    const prompt = createPrompt({ input, output: new Capture(), signal: stop.signal });
    const asked = prompt.secret("P: ", "x");
    stop.abort();
    expect(await rejection(asked)).toBeInstanceOf(InterruptedError);
    prompt.close();
  });
});

describe("agentAddressOf: the agent's address before its passphrase", () => {
  it("comes from the keystore's address field, without asking", async () => {
    const dir = await configWithKeystore();
    expect(await agentAddressOf({ configDir: dir, account: MASTER, env: {} })).toEqual({
      address: AGENT,
      source: "keystore",
    });
  });

  it("comes from HLCOPY_AGENT_KEY when set", async () => {
    expect(
      await agentAddressOf({ configDir: tempDir(), account: MASTER, env: { HLCOPY_AGENT_KEY: AGENT_KEY } }),
    ).toEqual({
      address: AGENT,
      source: "env",
    });
  });

  it("is null for a keystore without the (optional) field: the key is opened first, as before", async () => {
    const dir = await configWithKeystore();
    const path = agentKeystorePath(dir);
    const { address: _dropped, ...rest } = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    writeFileSync(path, JSON.stringify(rest));
    expect(await agentAddressOf({ configDir: dir, account: MASTER, env: {} })).toBeNull();
  });

  it("refuses what loadAgentKey refuses before asking: the account's own key, an empty passphrase, no keystore", async () => {
    const dir = await configWithKeystore(MASTER_KEY);
    expect(await rejection(agentAddressOf({ configDir: dir, account: MASTER, env: {} }))).toBeInstanceOf(
      OperationalError,
    );
    expect(
      await rejection(agentAddressOf({ configDir: dir, account: AGENT, env: { HLCOPY_PASSPHRASE: "" } })),
    ).toBeInstanceOf(UsageError);
    expect(
      await rejection(agentAddressOf({ configDir: tempDir(), account: MASTER, env: {} })),
    ).toBeInstanceOf(ConfigError);
  });
});
