// Getting secrets in without leaking them: a hidden prompt on a terminal (raw mode, no echo,
// Ctrl-C aborts with exit 130), one line of stdin when piped, and the environment
// (HLCOPY_PASSPHRASE, HLCOPY_AGENT_KEY). `loadAgentKey` is what trading commands call.
// No function here writes a secret anywhere; prompts go to stderr.

import { readFileSync } from "node:fs";
import { createInterface, type Interface } from "node:readline";
import type { Hex } from "viem";
import { looksLikePrivateKey } from "../core/address.js";
import { ExitCode, HlcopyError, OperationalError, UsageError } from "../core/errors.js";
import type { Address } from "../core/types.js";
import { withoutBom } from "./duplicate-keys.js";
import {
  addressOfKey,
  agentKeystorePath,
  decryptKeystore,
  normalizePrivateKey,
  readAgentKeystore,
  untypeableCharacter,
  WrongPassphraseError,
} from "./keystore.js";

/** The user pressed Ctrl-C (or Ctrl-D on an empty line) at a prompt: nothing was changed. */
export class InterruptedError extends HlcopyError {
  override name = "InterruptedError";
  /** What was being asked for when it was interrupted ("the keystore passphrase"), when known. */
  readonly what: string | undefined;
  /** Interrupted after the answer, while the key was derived from it (no prompt was on screen). */
  readonly deriving: boolean;
  constructor(what?: string, options: { deriving?: boolean } = {}) {
    super("interrupted", { hint: "nothing was changed", exitCode: ExitCode.interrupted });
    this.what = what;
    this.deriving = options.deriving === true;
  }
}

/** stdin-like: a TTY has `isTTY` and `setRawMode`. */
export type SecretInput = NodeJS.ReadableStream & {
  isTTY?: boolean;
  setRawMode?: (mode: boolean) => unknown;
};

export interface PromptIo {
  input: SecretInput;
  /** Where questions go: stderr, so stdout stays clean for --json. */
  output: NodeJS.WritableStream;
  /** Aborted (the run was stopped by a signal): a waiting question rejects with InterruptedError. */
  signal?: AbortSignal;
}

export interface Prompt {
  /** True on a terminal: hidden typing, and questions worth asking twice. */
  readonly interactive: boolean;
  /**
   * A secret: typed hidden on a terminal, else the next line of stdin.
   * @throws {InterruptedError} on Ctrl-C; {UsageError} when stdin ends before a line.
   */
  secret(question: string, what: string): Promise<string>;
  /** A visible yes/no question (terminal only); false when not interactive. */
  confirm(question: string): Promise<boolean>;
  /** A line for the person at the prompt (stderr). */
  say(line: string): void;
  /**
   * From now until close(), on a terminal: echo off between questions too — what is typed
   * before a hidden question is discarded unseen (holdTypeAhead), not shown in clear. For a
   * command that asks secret after secret with seconds of work between (agent approve: the
   * master key pasted while the passphrase's key is derived showed on screen).
   */
  keepSilent(): void;
  /** Release stdin so the process can exit. */
  close(): void;
}

/** The prompt over the process's stdin and stderr (or the given streams, for tests). */
export function createPrompt(io: PromptIo = { input: process.stdin, output: process.stderr }): Prompt {
  const interactive = io.input.isTTY === true && typeof io.input.setRawMode === "function";
  let lines: LineReader | undefined;
  let silent = false;
  return {
    interactive,
    async secret(question, what) {
      if (io.signal?.aborted) throw new InterruptedError(what);
      // With no run's stop signal to end the wait (agent generate/import/show, init), SIGINT —
      // Ctrl-C where the terminal raises it, stdin piped, `kill -INT` — ends it as Ctrl-C typed at
      // the question does: InterruptedError, said ("interrupted" / "nothing was changed"), exit
      // 130. Without this listener Node's default killed the process silently.
      const own = io.signal ? null : interruptOnSigint();
      const ask = own ? { ...io, signal: own.signal } : io;
      let line: string | undefined;
      try {
        if (interactive) {
          const { answer, typedAfter } = await readHidden(ask, question, what, silent);
          // Echo stays off (raw mode never left): the next question's type-ahead is held too,
          // what came in after this answer's Enter (a paste of both at once) among it.
          if (silent) holdTypeAhead(io.input, typedAfter);
          return answer;
        }
        lines ??= new LineReader(io.input);
        line = await lines.next(ask.signal);
      } catch (error) {
        // Interrupted at a question: the terminal as it was (echo on), whatever follows.
        if (silent && interactive) io.input.setRawMode?.(false);
        throw error instanceof InterruptedError ? new InterruptedError(what) : error;
      } finally {
        own?.off();
      }
      if (line === undefined) {
        throw new UsageError(`expected ${what} on stdin, but it ended`, {
          hint: `run this in a terminal to be asked, or pipe ${what} in (one line)`,
        });
      }
      return line;
    },
    async confirm(question) {
      if (!interactive) return false;
      // A visible answer: the terminal echoes again (what was held is not the answer).
      if (typeAhead?.input === io.input) releaseTypeAhead();
      const answer = await readVisible(io, question);
      return /^y(es)?$/i.test(answer.trim());
    },
    say(line) {
      io.output.write(`${line}\n`);
    },
    keepSilent() {
      if (!interactive || silent) return;
      silent = true;
      holdTypeAhead(io.input);
    },
    close() {
      if (silent && typeAhead?.input === io.input) releaseTypeAhead();
      silent = false;
      lines?.close();
    },
  };
}

/** An AbortSignal that SIGINT aborts, until `off()` (the listener also keeps Node's default kill away). */
function interruptOnSigint(): { signal: AbortSignal; off: () => void } {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.on("SIGINT", onSigint);
  return { signal: controller.signal, off: () => process.off("SIGINT", onSigint) };
}

// ---------------------------------------------------------------------------------------------
// Typed ahead of the passphrase question

/** A terminal held silent until the passphrase is asked (holdTypeAhead). */
interface TypeAheadHold {
  input: SecretInput;
  /** Characters typed meanwhile, discarded unseen. */
  discarded: number;
  /** `keepEchoOff`: a hidden question takes the terminal over (echo stays off throughout). */
  stop(keepEchoOff?: boolean): void;
}

let typeAhead: TypeAheadHold | null = null;

/**
 * Turn the terminal's echo off now, for a passphrase question that comes later (a run's start
 * checks take seconds before it is asked): what is typed meanwhile — a passphrase typed ahead —
 * never shows in clear. It is discarded, as getpass(3) and sudo discard type-ahead (a "y" meant
 * for the review must not become the passphrase), and the question says so. Ctrl-C still stops
 * the run (raw mode turns the terminal's own Ctrl-C off: it is raised here as SIGINT). The
 * question itself, or `release()`, ends the hold; a process that exits has its terminal reset.
 * Nothing happens unless `input` is a terminal. `discarded`: characters already taken in
 * unseen for it (the rest of a chunk after an answer's Enter), counted with those typed meanwhile.
 * @returns release(): ends the hold (the terminal as it was), returns how many were discarded.
 */
export function holdTypeAhead(input: SecretInput = process.stdin, discarded = 0): () => number {
  if (input.isTTY !== true || typeof input.setRawMode !== "function") return () => 0;
  releaseTypeAhead();
  const onData = (chunk: Buffer | string) => {
    const text = typeof chunk === "string" ? chunk : chunk.toString("utf8");
    for (const ch of text) {
      if (ch === "\u0003") process.kill(process.pid, "SIGINT");
      else if (hold) hold.discarded++;
    }
  };
  const socket = input as SecretInput & { ref?: () => void; unref?: () => void };
  const hold: TypeAheadHold = {
    input,
    discarded,
    stop(keepEchoOff = false) {
      input.off("data", onData);
      if (!keepEchoOff) input.setRawMode?.(false);
      input.pause();
      socket.ref?.();
    },
  };
  typeAhead = hold;
  input.setRawMode(true);
  input.on("data", onData);
  input.resume();
  // Reading the terminal must not keep a run that ends without asking alive.
  socket.unref?.();
  return () => (typeAhead === hold ? releaseTypeAhead() : 0);
}

/**
 * End the hold on the terminal, if any (another question takes it): how many characters it
 * discarded. `keepEchoOff`: the terminal stays silent (a hidden question takes it over).
 */
export function releaseTypeAhead(keepEchoOff = false): number {
  const hold = typeAhead;
  if (!hold) return 0;
  typeAhead = null;
  hold.stop(keepEchoOff);
  return hold.discarded;
}

/**
 * Read one line with echo off from its first byte: the terminal shows nothing of it — a key or
 * passphrase never reaches the screen, a recording or the scrollback. Echo goes off before the
 * question is written: written first, an answer pasted the moment it shows could reach a
 * terminal still echoing (a busy machine runs the next line later).
 */
function readHidden(
  io: PromptIo,
  question: string,
  what: string,
  keepEchoOff = false,
): Promise<{ answer: string; typedAfter: number }> {
  const input = io.input;
  input.setRawMode?.(true);
  // What was typed before the question (held silent since the run began) is not the answer.
  const discarded = typeAhead?.input === input ? releaseTypeAhead(true) : 0;
  if (discarded > 0) {
    io.output.write(
      `(what was typed before this question — ${discarded} character${discarded === 1 ? "" : "s"} — was not shown and is discarded: type ${what.replace(/^the keystore /, "the ")} now)\n`,
    );
  }
  io.output.write(question);
  return new Promise((resolve, reject) => {
    let value = "";
    const finish = () => {
      input.off("data", onData);
      io.signal?.removeEventListener("abort", stopped);
      if (!keepEchoOff) input.setRawMode?.(false);
      input.pause();
      io.output.write("\n");
    };
    const stopped = () => {
      finish();
      reject(new InterruptedError());
    };
    io.signal?.addEventListener("abort", stopped, { once: true });
    const onData = (chunk: Buffer | string) => {
      const text = typeof chunk === "string" ? chunk : chunk.toString("utf8");
      // An escape sequence (arrow keys, function keys) is one chunk: ignore it whole.
      if (text.startsWith("\u001b")) return;
      const chars = Array.from(text);
      for (const [i, ch] of chars.entries()) {
        if (ch === "\r" || ch === "\n") {
          finish();
          // The rest of this chunk is not the answer: typed (pasted) ahead of the next question.
          resolve({ answer: value, typedAfter: chars.length - i - 1 });
          return;
        }
        if (ch === "\u0003" || (ch === "\u0004" && value === "")) {
          finish();
          reject(new InterruptedError());
          return;
        }
        if (ch === "\u007f" || ch === "\b") value = Array.from(value).slice(0, -1).join("");
        // Ctrl-U erases the line.
        else if (ch === "\u0015") value = "";
        else if (ch >= " ") value += ch;
      }
    };
    input.on("data", onData);
    input.resume();
  });
}

function readVisible(io: PromptIo, question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: io.input, output: io.output, terminal: true });
    let answered = false;
    // Ctrl-C or Ctrl-D at the question: "error: interrupted" follows on a line of its own, not
    // glued to the question's text ("… [y/N] error: interrupted").
    rl.on("SIGINT", () => rl.close());
    rl.on("close", () => {
      if (answered) return;
      io.output.write("\n");
      reject(new InterruptedError());
    });
    rl.question(question, (answer) => {
      answered = true;
      rl.close();
      resolve(answer);
    });
  });
}

/** Lines of a piped stdin, one at a time, read only as far as needed. */
class LineReader {
  private readonly rl: Interface;
  private readonly queue: string[] = [];
  private readonly waiting: Array<(line: string | undefined) => void> = [];
  private ended = false;

  constructor(input: NodeJS.ReadableStream) {
    this.rl = createInterface({ input, terminal: false, crlfDelay: Number.POSITIVE_INFINITY });
    this.rl.on("line", (line) => {
      const waiter = this.waiting.shift();
      if (waiter) waiter(line);
      else this.queue.push(line);
    });
    this.rl.on("close", () => {
      this.ended = true;
      for (const waiter of this.waiting.splice(0)) waiter(undefined);
    });
  }

  /** @throws {InterruptedError} when `signal` aborts while it waits. */
  next(signal?: AbortSignal): Promise<string | undefined> {
    const line = this.queue.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      const waiter = (line: string | undefined) => {
        signal?.removeEventListener("abort", stopped);
        resolve(line);
      };
      const stopped = () => {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        reject(new InterruptedError());
      };
      signal?.addEventListener("abort", stopped, { once: true });
      this.waiting.push(waiter);
    });
  }

  close(): void {
    this.rl.close();
  }
}

// ---------------------------------------------------------------------------------------------
// The environment

/** The secrets hlcopy reads from the environment. */
export type SecretVariable = "HLCOPY_AGENT_KEY" | "HLCOPY_PASSPHRASE";

const UNSET_HINT: Record<SecretVariable, string> = {
  HLCOPY_AGENT_KEY:
    "set it to the agent's private key (hex), or unset it (unset HLCOPY_AGENT_KEY) to use the keystore",
  HLCOPY_PASSPHRASE:
    "set it to the keystore's passphrase, or unset it (unset HLCOPY_PASSPHRASE) to be asked for it",
};

/**
 * A secret from the environment: undefined when the variable is not set. Set but empty is a
 * mistake (a script whose secret did not load), never a silent fall-back to another source.
 * The passphrase comes from HLCOPY_PASSPHRASE or the file HLCOPY_PASSPHRASE_FILE names, never
 * both: with both set, neither is guessed at (passphraseFromEnv).
 * @throws {UsageError} (exit 2) naming the variable (and the file) when it is set but empty,
 *   both passphrase variables are set, or the passphrase file cannot be read.
 */
export function secretFromEnv(env: NodeJS.ProcessEnv, name: SecretVariable): string | undefined {
  if (name === "HLCOPY_PASSPHRASE") return passphraseFromEnv(env);
  const value = env[name];
  if (value === "") throw setButEmpty(name);
  return value;
}

function setButEmpty(name: SecretVariable): UsageError {
  return new UsageError(`${name} is set but empty`, { hint: UNSET_HINT[name], details: { variable: name } });
}

/**
 * Where a passphrase from the environment comes from, named in hints: HLCOPY_PASSPHRASE or
 * HLCOPY_PASSPHRASE_FILE (secretFromEnv refuses both at once); undefined when neither is set (typed).
 */
export function passphraseVariable(
  env: NodeJS.ProcessEnv,
): "HLCOPY_PASSPHRASE" | "HLCOPY_PASSPHRASE_FILE" | undefined {
  if (env.HLCOPY_PASSPHRASE !== undefined) return "HLCOPY_PASSPHRASE";
  if (env.HLCOPY_PASSPHRASE_FILE !== undefined) return "HLCOPY_PASSPHRASE_FILE";
  return undefined;
}

/**
 * The passphrase from HLCOPY_PASSPHRASE, or from the file HLCOPY_PASSPHRASE_FILE names (issue
 * 18: a systemd credential — LoadCredential, $CREDENTIALS_DIRECTORY — so it never sits in a
 * unit file or the environment; one trailing newline and a leading byte-order mark are
 * dropped). Both set is refused: one of them is a leftover, and which one holds the right
 * passphrase is not ours to guess (the variable once won silently, even over a file that did
 * not exist).
 * @throws {UsageError} (exit 2) for both set, either set but empty, a file that cannot be read
 *   or holds nothing — each naming the variable (and the file) it is about.
 */
function passphraseFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const direct = env.HLCOPY_PASSPHRASE;
  const path = env.HLCOPY_PASSPHRASE_FILE;
  if (direct !== undefined && path !== undefined) {
    throw new UsageError("both HLCOPY_PASSPHRASE and HLCOPY_PASSPHRASE_FILE are set: hlcopy uses one", {
      hint: "unset the one you do not mean: unset HLCOPY_PASSPHRASE to read the file, or unset HLCOPY_PASSPHRASE_FILE to use the variable",
      details: { variable: "HLCOPY_PASSPHRASE_FILE" },
    });
  }
  if (direct !== undefined) {
    if (direct === "") throw setButEmpty("HLCOPY_PASSPHRASE");
    return direct;
  }
  if (path === undefined) return undefined;
  const hint =
    "point it at a readable file holding the keystore passphrase, or unset it (unset HLCOPY_PASSPHRASE_FILE) to be asked for it";
  if (path === "") {
    throw new UsageError("HLCOPY_PASSPHRASE_FILE is set but empty", {
      hint,
      details: { variable: "HLCOPY_PASSPHRASE_FILE" },
    });
  }
  let value: string;
  try {
    // A byte-order mark (the file saved by a Windows editor) is no part of a passphrase — the
    // config and keystore readers drop it too; kept, it read as "wrong passphrase", and a new
    // keystore's passphrase began with a character no one can see or type.
    value = withoutBom(readFileSync(path, "utf8")).replace(/\r?\n$/, "");
  } catch (error) {
    throw new UsageError(
      `cannot read HLCOPY_PASSPHRASE_FILE ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      { hint, details: { variable: "HLCOPY_PASSPHRASE_FILE" } },
    );
  }
  if (value === "") {
    throw new UsageError(`the passphrase file ${path} (HLCOPY_PASSPHRASE_FILE) is empty`, {
      hint: `write the keystore passphrase into ${path}, or unset HLCOPY_PASSPHRASE_FILE to be asked for it`,
      details: { variable: "HLCOPY_PASSPHRASE_FILE" },
    });
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Passphrases

export interface PassphraseParameters {
  env: NodeJS.ProcessEnv;
  prompt: Prompt;
}

/** Typed passphrases shorter than this get a warning. */
export const MIN_PASSPHRASE_LENGTH = 12;
const COMMON_PASSPHRASES = new Set(
  "password passphrase password123 123456789012 qwertyuiopas letmeinplease iloveyou1234 hyperliquid hlcopy trustno1 changeme correcthorsebatterystaple".split(
    " ",
  ),
);

/** Why a passphrase is weak, or null: short, common, or one character repeated. */
export function passphraseWeakness(passphrase: string): string | null {
  const length = Array.from(passphrase).length;
  if (COMMON_PASSPHRASES.has(passphrase.toLowerCase().replace(/\s+/g, "")))
    return "it is a common passphrase";
  if (new Set(passphrase).size === 1) return "it is one character repeated";
  if (length < MIN_PASSPHRASE_LENGTH) return `it has only ${length} characters`;
  return null;
}

function weakPassphraseWarning(weakness: string): string {
  return `warning: weak passphrase (${weakness}): anyone who copies the keystore file can guess it; ${MIN_PASSPHRASE_LENGTH}+ characters or a few unrelated words resist that`;
}

/**
 * The passphrase for a NEW keystore: HLCOPY_PASSPHRASE, else asked (twice on a terminal,
 * asked again when the two differ). A weak one is warned about, from the environment too.
 * @throws {UsageError} when empty (HLCOPY_PASSPHRASE set but empty included), holding what no
 *   prompt types (refuseUntypeable), or the two entries differ three times; {InterruptedError}
 *   on Ctrl-C.
 */
export async function newPassphrase({ env, prompt }: PassphraseParameters): Promise<string> {
  const fromEnv = secretFromEnv(env, "HLCOPY_PASSPHRASE");
  if (fromEnv !== undefined) {
    refuseUntypeable(fromEnv, passphraseSource(env));
    // A script's passphrase protects the keystore as much as a typed one: warned about alike.
    const weakness = passphraseWeakness(fromEnv);
    if (weakness)
      prompt.say(`${weakPassphraseWarning(weakness)} (set a stronger one in ${passphraseVariable(env)})`);
    return fromEnv;
  }
  for (let attempt = 1; ; attempt++) {
    const first = await prompt.secret("New keystore passphrase: ", "the keystore passphrase");
    if (first === "") {
      throw new UsageError("the passphrase is empty", {
        hint: "choose a passphrase for the keystore (or set HLCOPY_PASSPHRASE)",
      });
    }
    // Piped: a tab (or another control character) survives the line; a terminal never types one.
    if (!prompt.interactive) refuseUntypeable(first, null);
    const weakness = passphraseWeakness(first);
    if (weakness) {
      prompt.say(
        `${weakPassphraseWarning(weakness)}${prompt.interactive ? " (to choose another, type a different one when asked to repeat it)" : ""}`,
      );
    }
    if (!prompt.interactive) return first;
    const again = await prompt.secret("Repeat the passphrase: ", "the keystore passphrase");
    if (again === first) return first;
    if (attempt >= 3) {
      throw new UsageError("the two passphrases did not match, three times; nothing was written", {
        hint: "run the command again and type the same passphrase twice",
      });
    }
    prompt.say("the two passphrases do not match: choose the passphrase again");
  }
}

/** Where a passphrase from the environment was read, for errors: the variable, or the file and its variable. */
function passphraseSource(env: NodeJS.ProcessEnv): string {
  const variable = passphraseVariable(env);
  return variable === "HLCOPY_PASSPHRASE_FILE"
    ? `the file ${env.HLCOPY_PASSPHRASE_FILE} (HLCOPY_PASSPHRASE_FILE)`
    : "HLCOPY_PASSPHRASE";
}

/**
 * A new keystore's passphrase must be one a prompt can type: the hidden prompt ends the answer at
 * Enter and drops other control characters, so a keystore encrypted under "pass\r" (a variable
 * loaded from a file with Windows line endings) would open only from that variable — typed, it is
 * "wrong passphrase" forever.
 * @param from where it came from (the variable or file), or null for stdin.
 * @throws {UsageError} (exit 2) naming the character and where it is, never the passphrase.
 */
function refuseUntypeable(passphrase: string, from: string | null): void {
  const untypeable = untypeableCharacter(passphrase);
  if (untypeable === null) return;
  const source = from ?? "the line read from stdin";
  throw new UsageError(
    `the new passphrase from ${source} ${untypeable}, which no passphrase prompt can type: the keystore would open only from there; nothing was written`,
    {
      hint:
        from === null
          ? "pipe the passphrase without it (one line, printable characters), then run again"
          : `remove it from ${from} (a file saved with Windows line endings?), then run again`,
    },
  );
}

/**
 * The passphrase of an existing keystore: HLCOPY_PASSPHRASE, else asked once.
 * @throws {UsageError} when HLCOPY_PASSPHRASE is set but empty; {InterruptedError} on Ctrl-C.
 */
export async function existingPassphrase(
  { env, prompt }: PassphraseParameters,
  question = "Keystore passphrase: ",
): Promise<string> {
  const fromEnv = secretFromEnv(env, "HLCOPY_PASSPHRASE");
  if (fromEnv !== undefined) return fromEnv;
  return prompt.secret(question, "the keystore passphrase");
}

// ---------------------------------------------------------------------------------------------
// The agent key

/**
 * A key whose address is the account given (assertNotMasterKey): a caller that can ask the
 * exchange tells the two cases apart — an account that is the agent's own address is said as
 * such, with the master to give (cli/agent/common.ts agentAsAccount).
 */
export class MasterKeyRefused extends OperationalError {
  override name = "MasterKeyRefused";
}

/**
 * Refuse a key whose address is the follower account: either it is the account's own (master)
 * key, which can withdraw, or --account names the agent instead of the master account. Which one
 * cannot be told offline, so the message gives both.
 * @throws {OperationalError} exit 2, naming the address (never the key).
 */
export function assertNotMasterKey(agentAddress: Address, account: Address | null): void {
  if (account === null || agentAddress.toLowerCase() !== account.toLowerCase()) return;
  throw new MasterKeyRefused(
    `refusing this key: its address is the account you trade, ${account}: either it is that account's own (master) key, which can withdraw your funds, or --account names your agent instead of your master account`,
    {
      exitCode: 2,
      hint: "--account takes your master (trading) account; the key hlcopy holds is an agent (API) key, which trades but cannot withdraw: hlcopy agent generate, then hlcopy agent approve",
      details: { account },
    },
  );
}

export interface LoadAgentKeyParameters {
  configDir: string;
  /** The follower's master account: a key for this address is refused. */
  account: Address | null;
  env?: NodeJS.ProcessEnv;
  /** Asked for the passphrase when HLCOPY_PASSPHRASE is not set (default: stdin/stderr). */
  prompt?: Prompt;
  /** Aborted (a stop signal): the default prompt stops waiting (InterruptedError). */
  signal?: AbortSignal;
}

export interface LoadedAgentKey {
  privateKey: Hex;
  address: Address;
  source: "env" | "keystore";
}

/** HLCOPY_AGENT_KEY, when set: the key and its address, refused when it is the account's own. */
function agentKeyFromEnv(env: NodeJS.ProcessEnv, account: Address | null): LoadedAgentKey | undefined {
  const fromEnv = secretFromEnv(env, "HLCOPY_AGENT_KEY");
  if (fromEnv === undefined) return undefined;
  const privateKey = normalizePrivateKey(fromEnv, "HLCOPY_AGENT_KEY");
  const address = addressOfKey(privateKey);
  assertNotMasterKey(address, account);
  return { privateKey, address, source: "env" };
}

/**
 * The agent's address without its secret: from HLCOPY_AGENT_KEY, or the keystore's plain
 * `address` field, so the read-only start checks (approval, leaders, coins)
 * run before the passphrase is asked. `null` for a keystore without an address field (it is
 * optional in the format): then the key is opened first, as before. The field is not covered
 * by the keystore's MAC — decryptKeystore refuses a key that does not match it, so a tampered
 * field stops the run at loadAgentKey, before anything is signed.
 * @throws what loadAgentKey throws before it asks: a malformed or empty HLCOPY_AGENT_KEY, an
 *   empty HLCOPY_PASSPHRASE, no keystore or a corrupt one, the master key.
 */
export async function agentAddressOf(
  params: Omit<LoadAgentKeyParameters, "prompt" | "signal">,
): Promise<{ address: Address; source: "env" | "keystore" } | null> {
  const env = params.env ?? process.env;
  const fromEnv = agentKeyFromEnv(env, params.account);
  if (fromEnv) return { address: fromEnv.address, source: "env" };
  secretFromEnv(env, "HLCOPY_PASSPHRASE"); // set but empty is an error now, not after the checks
  const keystore = await readAgentKeystore(agentKeystorePath(params.configDir));
  if (keystore.address === undefined) return null;
  const address = `0x${keystore.address}` as Address;
  assertNotMasterKey(address, params.account);
  return { address, source: "keystore" };
}

/**
 * The agent key for signing: HLCOPY_AGENT_KEY (hex) when set, else the keystore in the config
 * directory, opened with HLCOPY_PASSPHRASE or a prompt (three tries on a terminal).
 * @throws {UsageError} for a malformed HLCOPY_AGENT_KEY, or HLCOPY_AGENT_KEY / HLCOPY_PASSPHRASE
 *   set but empty; {ConfigError} when there is no keystore
 *   or it is corrupt; {WrongPassphraseError}; {OperationalError} (exit 2) for the master key.
 */
export async function loadAgentKey(params: LoadAgentKeyParameters): Promise<LoadedAgentKey> {
  const env = params.env ?? process.env;
  const fromEnv = agentKeyFromEnv(env, params.account);
  if (fromEnv) return fromEnv;
  // Checked before the keystore is read: a set-but-empty passphrase is an error, not a prompt.
  const passphraseFromEnv = secretFromEnv(env, "HLCOPY_PASSPHRASE");
  const file = agentKeystorePath(params.configDir);
  const keystore = await readAgentKeystore(file);
  const ownPrompt = params.prompt === undefined;
  const prompt =
    params.prompt ??
    createPrompt({
      input: process.stdin,
      output: process.stderr,
      ...(params.signal ? { signal: params.signal } : {}),
    });
  try {
    const tries = prompt.interactive && passphraseFromEnv === undefined ? 3 : 1;
    for (let attempt = 1; ; attempt++) {
      const passphrase = await existingPassphrase({ env, prompt }, `Passphrase for ${file}: `);
      const variable = passphraseVariable(env);
      // Piped in (no terminal, no variable): the hint says where it came from — "type … again"
      // told a script that cannot type to do so.
      const from = variable ?? (prompt.interactive ? undefined : "the line read from stdin");
      try {
        // Ctrl-C during the key derivation (seconds on a slow machine) ends it as at the prompt.
        const privateKey = await decryptKeystore(keystore, passphrase, {
          source: file,
          ...(from ? { passphraseFrom: from } : {}),
          ...(params.signal ? { signal: params.signal } : {}),
        }).catch((error: unknown) => {
          if (params.signal?.aborted)
            throw new InterruptedError("the keystore passphrase", { deriving: true });
          throw error;
        });
        const address = addressOfKey(privateKey);
        assertNotMasterKey(address, params.account);
        return { privateKey, address, source: "keystore" };
      } catch (error) {
        // stdin's first line is the passphrase: a private key there (agent approve's master key
        // piped alone) is said as that, not as a mistyped passphrase — and never shown.
        if (
          error instanceof WrongPassphraseError &&
          variable === undefined &&
          !prompt.interactive &&
          looksLikePrivateKey(passphrase)
        )
          throw new WrongPassphraseError(
            "the line read from stdin as the keystore's passphrase is a private key's form (64 hex digits), not the passphrase",
            {
              hint: "the passphrase comes first: from HLCOPY_PASSPHRASE_FILE or HLCOPY_PASSPHRASE when set, else stdin's first line (agent approve reads the master key from the line after it); the key was not kept or shown",
              details: { file },
            },
          );
        if (!(error instanceof WrongPassphraseError) || attempt >= tries) throw error;
        prompt.say("wrong passphrase, try again");
      }
    }
  } finally {
    if (ownPrompt) prompt.close();
  }
}
