// What the `hlcopy agent …` commands share: their context (a slice of the CLI context), their
// I/O (stdout for results, a prompt over stdin/stderr for secrets), and finding the agent's
// address without asking for a passphrase.

import { ConfigError, type HlcopyError, RateLimitError, UsageError } from "../../core/errors.js";
import type { Address } from "../../core/types.js";
import { approveCommand, DEFAULT_AGENT_NAME } from "../../exchange/agents.js";
import {
  addressOfKey,
  agentKeystorePath,
  DEFAULT_SCRYPT_N,
  normalizePrivateKey,
  readKeystore,
} from "../../store/keystore.js";
import { sameNetwork } from "../../store/network-key.js";
import { createPrompt, loadAgentKey, type Prompt, secretFromEnv } from "../../store/secrets.js";
import type { CliContext } from "../context.js";
import { printDocument, shellWord, type Writer } from "../output.js";

/** The part of the CLI context the agent commands use (tests build it by hand). */
export type AgentContext = Pick<CliContext, "configDir" | "network" | "account" | "json" | "env"> & {
  /** The config file's settings (the CLI passes them): next-step hints leave out what they give. */
  stored?: CliContext["stored"];
  /**
   * scrypt cost of the keystore a command writes. The CLI never sets it — no flag or
   * environment variable reaches it — so every keystore the CLI writes has the standard cost
   * ({@link DEFAULT_SCRYPT_N}). Only in-process callers (tests) lower it, for speed.
   */
  keystoreScryptN?: number;
  /**
   * Aborted by Ctrl-C (SIGINT, SIGTERM, SIGHUP) with an InterruptedError: a question and a key
   * derivation waiting then reject with it, so nothing after them is written or sent.
   */
  signal?: AbortSignal;
};

/** The scrypt cost for a keystore this command writes: the standard one unless a test set it. */
export function keystoreCost(ctx: AgentContext): number {
  return ctx.keystoreScryptN ?? DEFAULT_SCRYPT_N;
}

export interface AgentIo {
  /** Results: text for people, or one JSON document with --json. */
  out: Writer;
  /** Warnings and notes (stderr). */
  err: Writer;
  /** Secrets and confirmations (stdin, questions on stderr). */
  prompt: Prompt;
}

/** Run `fn` with the process's stdout/stderr/stdin, releasing stdin afterwards. */
export async function withProcessIo<T>(fn: (io: AgentIo) => Promise<T>, signal?: AbortSignal): Promise<T> {
  const prompt = createPrompt({
    input: process.stdin,
    output: process.stderr,
    ...(signal ? { signal } : {}),
  });
  try {
    return await fn({ out: process.stdout, err: process.stderr, prompt });
  } finally {
    prompt.close();
  }
}

/** The follower account, or a usage error saying how to give it. */
export function requireAccount(ctx: AgentContext, forWhat: string): Address {
  if (ctx.account) return ctx.account;
  throw new UsageError(`${forWhat} needs your follower account (the master address that holds the funds)`, {
    hint: "pass --account 0x… (or set HLCOPY_ACCOUNT, or run hlcopy init)",
  });
}

export interface AgentIdentity {
  address: Address;
  source: "env" | "keystore";
  /** The keystore file (when the source is the keystore). */
  keystore: string | null;
}

/**
 * The agent's address: from HLCOPY_AGENT_KEY, else the keystore's public `address` field (no
 * passphrase needed); only a keystore without that field is decrypted.
 * @throws {ConfigError} when there is no agent key at all, or the keystore is corrupt;
 *   {UsageError} when HLCOPY_AGENT_KEY is set but empty.
 */
export async function agentIdentity(ctx: AgentContext, io: AgentIo): Promise<AgentIdentity> {
  const fromEnv = secretFromEnv(ctx.env, "HLCOPY_AGENT_KEY");
  if (fromEnv !== undefined) {
    return {
      address: addressOfKey(normalizePrivateKey(fromEnv, "HLCOPY_AGENT_KEY")),
      source: "env",
      keystore: null,
    };
  }
  const file = agentKeystorePath(ctx.configDir);
  const ks = await readKeystore(file).catch((error: unknown) => {
    if (error instanceof ConfigError && error.details.missing === true) {
      throw new ConfigError(`no agent key: ${file} does not exist and HLCOPY_AGENT_KEY is not set`, {
        hint: "create one with hlcopy agent generate (or hlcopy agent import)",
        details: { file },
      });
    }
    throw error;
  });
  if (ks.address !== undefined) return { address: `0x${ks.address}`, source: "keystore", keystore: file };
  return verifiedAgentIdentity(ctx, io);
}

/**
 * The agent's address as its key derives it — HLCOPY_AGENT_KEY's, or the keystore's once opened
 * with its passphrase — never the keystore's plain `address` field alone, which nothing
 * authenticates: what is about to be signed for (an approval) must name the key we hold.
 * @throws what loadAgentKey throws: a wrong passphrase, a corrupt keystore (an address field
 *   that does not match its key among them), no key at all.
 */
export async function verifiedAgentIdentity(ctx: AgentContext, io: AgentIo): Promise<AgentIdentity> {
  const loaded = await loadAgentKey({
    configDir: ctx.configDir,
    account: ctx.account,
    env: ctx.env,
    prompt: io.prompt,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  return {
    address: loaded.address,
    source: loaded.source,
    keystore: loaded.source === "keystore" ? agentKeystorePath(ctx.configDir) : null,
  };
}

/**
 * A keystore just written that HLCOPY_AGENT_KEY overrides in every command (runs, show, approve):
 * it does not act while the variable is set. Said, with the fix; null when it acts.
 */
export function keystoreOverridden(ctx: AgentContext, keystore: string): string | null {
  if (!ctx.env.HLCOPY_AGENT_KEY) return null;
  return `HLCOPY_AGENT_KEY is set, and every command (follow, reconcile, agent show and approve) uses its key instead of ${keystore}: unset HLCOPY_AGENT_KEY for this keystore to act`;
}

/**
 * Print a JSON document or lines of text; a warning, when there is one, goes in the document
 * (`warning`) and on stderr after it.
 */
export function emit(
  ctx: AgentContext,
  io: AgentIo,
  json: Record<string, unknown>,
  lines: string[],
  warning: string | null = null,
): void {
  if (ctx.json) printDocument("agent", warning ? { ...json, warning } : json, io.out);
  else io.out.write(`${lines.join("\n")}\n`);
  if (warning) io.err.write(`warning: ${warning}\n`);
}

/**
 * `hlcopy [--network X] [--testnet-signing] [--account A] agent approve [--name N]`, for hints
 * (next steps, show, and the refusals of follow and reconcile): only the flags the user must
 * type for it to act on this network and account — what the config file (or HLCOPY_ACCOUNT,
 * mainnet) already gives is left out, as a default --name is. --testnet-signing, never stored,
 * is there whenever this run signed for testnet on a network given by URL.
 * @param p.account the account to approve for when not the context's (a sub-account's master).
 * @param p.name the agent's name on the exchange when renewing it (approving under the same name
 *   replaces that agent rather than adding one).
 */
export function approveHint(ctx: AgentContext, p: { account?: Address; name?: string | null } = {}): string {
  const stored = ctx.stored ?? {};
  const configuredNetwork = typeof stored.network === "string" ? stored.network : "mainnet";
  // As resolveContext reads them when --account is not given.
  const configuredAccount = ctx.env.HLCOPY_ACCOUNT ?? stored.account ?? null;
  const account = p.account ?? ctx.account;
  return approveCommand({
    ...(sameNetwork(ctx.network.name, configuredNetwork) ? {} : { network: ctx.network.name }),
    ...(ctx.network.isTestnet && !sameNetwork(ctx.network.name, "testnet") ? { testnetSigning: true } : {}),
    ...(account === null
      ? { account: "0xYourMaster…" }
      : typeof configuredAccount === "string" && configuredAccount.toLowerCase() === account.toLowerCase()
        ? {}
        : { account }),
    ...(p.name && p.name !== DEFAULT_AGENT_NAME ? { name: shellWord(p.name) } : {}),
  });
}

/** The master whose agent (API wallet) `account` is, by the exchange's userRole; else null. */
export async function masterOfAgent(
  network: Pick<CliContext["network"], "httpUrl" | "isTestnet">,
  account: Address,
): Promise<Address | null> {
  const { fetchAccountRole } = await import("../../exchange/subaccounts.js");
  const role = await fetchAccountRole({ httpUrl: network.httpUrl, isTestnet: network.isTestnet, account });
  return role.role === "agent" ? role.master : null;
}

/**
 * A key refused because its address is the account given (store/secrets.ts MasterKeyRefused):
 * when the exchange says the account is an agent (API wallet), the refusal `agent show` and the
 * start checks give — it is the agent's own address, and the master to give as --account
 * (engine/start-checks.ts agentAsAccountRefusal) —, else the refusal as it was (the account's own
 * master key, or the exchange could not be asked: either way nothing is signed).
 */
export async function agentAsAccount(
  network: Pick<CliContext["network"], "httpUrl" | "isTestnet">,
  account: Address,
  refused: HlcopyError,
): Promise<HlcopyError> {
  const master = await masterOfAgent(network, account).catch(() => null);
  if (master === null) return refused;
  const { agentAsAccountRefusal } = await import("../../engine/start-checks.js");
  return agentAsAccountRefusal(account, master);
}

/** How long an agent command's read waits out a failing exchange (5xx, timeouts, cannot connect). */
export const AGENT_READ_TIMEOUT_MS = 60_000;

/**
 * A read of an agent command (`agent show`'s agents, `agent approve`'s account check) that
 * rides out what retrying fixes — a 5xx, a timeout, an unreadable reply, an exchange not
 * reachable yet — saying the wait once on stderr (exchange/retry.ts tellWaitsOnce), as inspect's reads
 * do: one 502 from a proxy ended `agent show` with exit 1.
 * @throws what the read throws that retrying cannot fix; {StartupTimeoutError} (exit 1, `hint`)
 *   once AGENT_READ_TIMEOUT_MS has passed.
 */
export async function readRetrying<T>(
  ctx: AgentContext,
  io: AgentIo,
  what: string,
  read: () => Promise<T>,
  hint: string,
): Promise<T> {
  const { retryTransient, tellWaitsOnce } = await import("../../exchange/retry.js");
  const waits = tellWaitsOnce((line) => io.err.write(`warning: ${line}\n`));
  try {
    return await retryTransient(read, {
      what,
      timeoutMs: AGENT_READ_TIMEOUT_MS,
      onWait: waits.onWait,
      // A 429 ends at once with the command's own hint (cli/rate-limit.ts): the address's budget
      // is spent, and more requests only keep it so.
      retryIf: (e) => !(e instanceof RateLimitError),
      hint,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
  } catch (error) {
    // Ctrl-C during the wait: interrupted, as at a question (exit 130), not the last failure.
    if (ctx.signal?.aborted) throw ctx.signal.reason;
    throw error;
  }
}
