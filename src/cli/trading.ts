// What every command that trades (or watches to trade) sets up before the engine runs, in
// the order that changes nothing when something is wrong: account → key → lock → journal
// → agent approval. `close()` undoes it in reverse. Heavy modules load here, not at startup.

import { UsageError } from "../core/errors.js";
import type { Address } from "../core/types.js";
import type { EngineEvents } from "../engine/events.js";
import type { HlClient } from "../exchange/index.js";
import type { Journal } from "../store/journal.js";
import type { Lock } from "../store/lock.js";
import { type CliContext, requireAccount } from "./context.js";

export interface TradingSession {
  account: Address;
  client: HlClient;
  journal: Journal;
  /** The agent that signs, when a key was loaded. */
  agentAddress: Address | null;
  /** When its approval ends (ms; null = no expiry), when it was checked. */
  agentValidUntil?: number | null;
  close(): void;
}

export interface OpenTradingOptions {
  /** Load the agent key and check its approval (live trading). Dry-run and paper need none. */
  needKey: boolean;
  /** Take the per-account lock (every run that may send orders, and follow in any mode). */
  lock: boolean;
  command: string;
  /** Paper runs keep their own journal, so paper fills never mix with real ones. */
  paper?: boolean;
  /** Use this account instead of requiring one (paper runs without an account). */
  account?: Address;
  events?: EngineEvents;
  /** The leaders of the run: following your own account is refused before anything else. */
  leaders?: Address[];
  /** Where warnings (approval ending soon) go. */
  warn?: (line: string) => void;
  /** How long a failing approval check is retried (exec.startupTimeoutSeconds; default 120 s). */
  startupTimeoutMs?: number;
  /** Aborted (a stop signal): a retrying approval check gives up at once. */
  signal?: AbortSignal;
}

/**
 * @throws {UsageError} without an account; {ConfigError} without a usable key (exit 2);
 *   {OperationalError} when the lock is held (exit 1) or the agent is not approved (exit 2).
 */
export async function openTradingSession(
  ctx: CliContext,
  options: OpenTradingOptions,
): Promise<TradingSession> {
  const account = options.account ?? requireAccount(ctx);
  if (options.leaders?.includes(account)) {
    throw new UsageError(`the leader ${account} is your own account`, {
      hint: "follow someone else's address; --account is the account that copies",
    });
  }
  let agentKey: `0x${string}` | undefined;
  let agentAddress: Address | null = null;
  if (options.needKey) {
    const { loadAgentKey } = await import("../store/secrets.js");
    const key = await loadAgentKey({ configDir: ctx.configDir, account, env: ctx.env });
    agentKey = key.privateKey;
    agentAddress = key.address;
  }
  const { acquireLock } = await import("../store/lock.js");
  const { journalPath, openJournal } = await import("../store/journal.js");
  const lock: Lock | null = options.lock
    ? acquireLock(ctx.configDir, account, { command: options.command })
    : null;
  let journal: Journal | undefined;
  try {
    const path = journalPath(ctx.configDir, account);
    journal = openJournal(options.paper ? path.replace(/\.sqlite$/, ".paper.sqlite") : path);
    const { engineClient } = await import("../engine/wiring.js");
    const client = engineClient(
      {
        httpUrl: ctx.network.httpUrl,
        wsUrl: ctx.network.wsUrl,
        isTestnet: ctx.network.isTestnet,
        account,
        ...(agentKey ? { agentKey } : {}),
      },
      options.events,
    );
    let agentValidUntil: number | null | undefined;
    if (agentAddress) {
      const { ensureAgentApproved } = await import("../exchange/agents.js");
      ({ validUntil: agentValidUntil } = await ensureAgentApproved({
        httpUrl: ctx.network.httpUrl,
        isTestnet: ctx.network.isTestnet,
        account,
        agentAddress,
        networkName: ctx.network.name,
        ...(options.warn ? { warn: options.warn } : {}),
        ...startupTimeout(ctx, options.startupTimeoutMs),
        ...(options.signal ? { retry: { signal: options.signal } } : {}),
      }));
    }
    const opened = journal;
    return {
      account,
      client,
      journal: opened,
      agentAddress,
      ...(agentValidUntil === undefined ? {} : { agentValidUntil }),
      close() {
        opened.close();
        lock?.release();
      },
    };
  } catch (error) {
    journal?.close();
    lock?.release();
    throw error;
  }
}

/** The approval check's retry time: the caller's (flags applied), else the config file's, else 120 s. */
function startupTimeout(ctx: CliContext, given: number | undefined): { startupTimeoutMs?: number } {
  const stored = ctx.stored["exec.startupTimeoutSeconds"];
  if (given) return { startupTimeoutMs: given };
  return typeof stored === "number" ? { startupTimeoutMs: stored * 1000 } : {};
}
