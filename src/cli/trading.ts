// What every command that trades (or watches to trade) sets up before the engine runs, in
// the order that changes nothing when something is wrong: account → the agent's address →
// lock → journal → agent approval; the key itself (the passphrase, scrypt) with `unlock()`,
// once the read-only start checks have passed. `close()` undoes it in reverse. Heavy modules
// load here, not at startup.

import { resolve } from "node:path";
import { ConfigError, HlcopyError, OperationalError, UsageError } from "../core/errors.js";
import { utcMinute } from "../core/format.js";
import type { Address } from "../core/types.js";
import type { EngineEvents } from "../engine/events.js";
import type { HlClient } from "../exchange/index.js";
import { configDirExposure } from "../store/config.js";
import type { Journal, RunRow } from "../store/journal.js";
import { type Lock, runAlive } from "../store/lock.js";
import { sameNetwork } from "../store/network-key.js";
import { type CliContext, requireAccount } from "./context.js";
import { officialNetwork } from "./network.js";

export interface TradingSession {
  account: Address;
  /** The master that approved the agent: `account` itself, or the owner of a sub-account. */
  master: Address;
  client: HlClient;
  journal: Journal;
  /** The agent that signs, when a key was loaded. */
  agentAddress: Address | null;
  /** When its approval ends (ms; null = no expiry), when it was checked. */
  agentValidUntil?: number | null;
  /**
   * Open the agent key (HLCOPY_PASSPHRASE or the prompt) and give it to the client: before
   * anything is signed. Resolves at once when the key is open already (or none is needed).
   * `signal` (a stop signal) ends a prompt that waits.
   * @throws what loadAgentKey throws (a wrong passphrase, Ctrl-C at the prompt).
   */
  unlock(signal?: AbortSignal): Promise<void>;
  close(): void;
}

export interface OpenTradingOptions {
  /** Load the agent key and check its approval (live trading). Dry-run and paper need none. */
  needKey: boolean;
  /**
   * With needKey: open the key only at `unlock()` (the caller runs its read-only checks
   * first). Without it the key is opened here, before the lock.
   */
  unlockLater?: boolean;
  /** Take the per-account lock (every run that may send orders, and follow in any mode). */
  lock: boolean;
  command: string;
  /**
   * A run that reads, trades and ends (reconcile, flatten): its request budget's burst holds all
   * of its reads (exchange/budget.ts ONE_SHOT_BURST); a long run keeps the steadier default.
   */
  oneShot?: boolean;
  /** Paper runs keep their own journal, so paper fills never mix with real ones. */
  paper?: boolean;
  /** Use this account instead of requiring one (paper runs without an account). */
  account?: Address;
  events?: EngineEvents;
  /** The leaders of the run: following your own account is refused before anything else. */
  leaders?: Address[];
  /**
   * Where warnings about the run go (approval ending soon, a dry run's "a live run would be
   * refused now", a config directory others may write): a caller that runs the engine hands them
   * to it (CopyEngine.warn), which says them once the start checks pass — never before a refusal.
   */
  warn?: (line: string) => void;
  /**
   * Where a line saying why the start is taking time goes (a retried approval check, a journal
   * another program holds): said as it happens. Default: `warn`.
   */
  wait?: (line: string) => void;
  /** How long a failing approval check is retried (exec.startupTimeoutSeconds; default 120 s). */
  startupTimeoutMs?: number;
  /** Aborted (a stop signal): a retrying approval check gives up at once. */
  signal?: AbortSignal;
}

/**
 * The agent only signs for the account and never holds positions: as a leader it would read
 * "has never traded". Said for what it is, before the lock or the passphrase.
 * @throws {UsageError} when a leader is the agent.
 */
function refuseAgentAsLeader(leaders: readonly Address[] | undefined, agent: Address | null): void {
  const agentLeader = agent ? leaders?.find((l) => l.toLowerCase() === agent.toLowerCase()) : undefined;
  if (agentLeader) {
    throw new UsageError(`the leader ${agentLeader} is your agent wallet (the key hlcopy signs with)`, {
      hint: "follow someone else's address; your agent trades for --account and holds no positions of its own",
    });
  }
}

/**
 * A config directory other users may write (store/config.ts configDirExposure): they could
 * replace config.json — the leader, the caps — between two runs. Refused, like the keystore
 * open to others, for a live copy (before the key, the lock or any request); said for a run that
 * copies nothing real (a dry run: "a live run would be refused now"; paper) and for a flatten,
 * which only closes (reducing risk is never refused) and reads no leader or cap from it.
 * @throws {ConfigError} (exit 2) for a live run with leaders.
 */
function refuseExposedConfigDir(configDir: string, options: OpenTradingOptions): void {
  const exposed = configDirExposure(configDir);
  if (!exposed) return;
  const error = new ConfigError(exposed.message, { hint: exposed.hint, details: { dir: configDir } });
  const copies = (options.leaders?.length ?? 0) > 0;
  if (options.needKey && copies) throw error;
  options.warn?.(
    !options.needKey && !options.paper && copies
      ? liveRunRefused(error)
      : `warning: ${error.message}; ${error.hint}`,
  );
}

/**
 * The warning line of a dry run whose live run would be refused at its start (a key, the agent's
 * approval, the leverage): said, not refused — a dry run sends nothing.
 */
export function liveRunRefused(error: HlcopyError): string {
  return `warning: a live run would be refused now: ${error.message}${error.hint ? `; ${error.hint}` : ""}`;
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
  if (options.leaders?.some((l) => l.toLowerCase() === account.toLowerCase())) {
    throw new UsageError(`the leader ${account} is your own account`, {
      hint: "follow someone else's address; --account is the account that copies",
    });
  }
  refuseExposedConfigDir(ctx.configDir, options);
  let agentKey: `0x${string}` | undefined;
  let agentAddress: Address | null = null;
  const loadKey = async (signal?: AbortSignal) => {
    const { loadAgentKey } = await import("../store/secrets.js");
    return loadAgentKey({ configDir: ctx.configDir, account, env: ctx.env, ...(signal ? { signal } : {}) });
  };
  /** The key is in the keystore, to be opened at unlock(). */
  let keystoreLater = false;
  /** A dry run's agent (known without its secret): its approval is said, never required. */
  let previewAgent: Address | null = null;
  if (options.needKey) {
    // Read without the passphrase where the keystore allows: a mistyped leader or coin is
    // refused before the trader types a secret and waits for scrypt.
    let known: Awaited<ReturnType<typeof import("../store/secrets.js").agentAddressOf>> = null;
    try {
      known = options.unlockLater
        ? await (await import("../store/secrets.js")).agentAddressOf({
            configDir: ctx.configDir,
            account,
            env: ctx.env,
          })
        : null;
      if (known) agentAddress = known.address;
      else ({ privateKey: agentKey, address: agentAddress } = await loadKey());
    } catch (error) {
      // The key's address is the account given: its own master key, or --account names the
      // agent — the exchange tells which, and the agent is said with the master to give.
      const { MasterKeyRefused } = await import("../store/secrets.js");
      if (!(error instanceof MasterKeyRefused)) throw error;
      const { agentAsAccount } = await import("./agent/common.js");
      throw await agentAsAccount(ctx.network, account, error);
    }
    keystoreLater = known?.source === "keystore";
    refuseAgentAsLeader(options.leaders, agentAddress);
  } else if (options.leaders && options.leaders.length > 0) {
    // A run with no key to load (paper, a dry run) still knows its agent where that needs no
    // secret — HLCOPY_AGENT_KEY, or the keystore's plain address field — and refuses it as a
    // leader the same way. No agent, or one it cannot read, is no error here: it needs none.
    const { agentAddressOf } = await import("../store/secrets.js");
    const known = await agentAddressOf({ configDir: ctx.configDir, account, env: ctx.env }).catch(
      (error: unknown) => {
        // A dry run answers "what would a live run do now?": a key a live run would refuse at its
        // start (a malformed HLCOPY_AGENT_KEY, the master key, a corrupt keystore) is said, as an
        // agent that is not approved is below; no key at all is not (a dry run comes before one),
        // nor a secret variable set empty (a dry run's way to say "no key").
        if (
          !options.paper &&
          error instanceof HlcopyError &&
          error.details.missing !== true &&
          !error.message.endsWith("is set but empty")
        ) {
          options.warn?.(liveRunRefused(error));
        }
        return null;
      },
    );
    refuseAgentAsLeader(options.leaders, known?.address ?? null);
    if (!options.paper) previewAgent = known?.address ?? null;
  }
  const { acquireLock, lockDir } = await import("../store/lock.js");
  const {
    foreignNetworkRuns,
    journalPath,
    openJournal,
    paperJournalPath,
    RUN_BUSY_TIMEOUT_MS,
    unmovedJournal,
  } = await import("../store/journal.js");
  // One lock per (network, account) in a fixed per-user directory (and HLCOPY_LOCK_DIR): a
  // second run with another --config-dir or another environment is refused too, naming the
  // holder's pid and config directory. A follow records its control socket in it, so
  // pause/flatten/stop from a shell with another environment find it.
  const { controlSocketPath } = await import("../store/control.js");
  const lock: Lock | null = options.lock
    ? acquireLock({
        network: ctx.network,
        account,
        configDir: resolve(ctx.configDir),
        command: options.command,
        paper: options.paper === true,
        env: ctx.env,
        ...(options.command === "follow"
          ? { control: controlSocketPath(lockDir(ctx.env), ctx.network, account) }
          : {}),
      })
    : null;
  if (lock?.warning) options.warn?.(`warning: ${lock.warning}`);
  let journal: Journal | undefined;
  let releaseTerminal = () => 0;
  try {
    // The passphrase will be asked on this terminal once the start checks pass (seconds away):
    // from now on what is typed is not echoed (a passphrase typed ahead would show in clear).
    if (keystoreLater) {
      const { holdTypeAhead, secretFromEnv } = await import("../store/secrets.js");
      if (secretFromEnv(ctx.env, "HLCOPY_PASSPHRASE") === undefined) releaseTerminal = holdTypeAhead();
    }
    // One journal per (network, account), as the lock: no run reads another network's records.
    const path = journalPath(ctx.configDir, account, ctx.network.httpUrl);
    const unmoved = options.paper ? null : unmovedJournal(ctx.configDir, account, ctx.network.name);
    if (unmoved) throw unmoved;
    // A run that sends nothing (no key, no lock: a dry run) reads the journal — which positions
    // hlcopy opened, halts, copy state — and never writes it: it works on an in-memory copy, so
    // status, report and journal show live runs only, and it creates no file. Any other run
    // creates the file at its first record, so one whose first request fails leaves nothing
    // behind; an existing journal is opened as it is.
    const sendsNothing = !options.needKey && !options.lock;
    // Another program holding it (a SQLite browser with a transaction open, a backup tool) is
    // waited for, said once, as the run's begin waits for it (engine/journal-wait.ts).
    const { whenJournalFree } = await import("../engine/journal-wait.js");
    journal = await whenJournalFree(
      () =>
        openJournal(
          options.paper ? paperJournalPath(ctx.configDir, account, ctx.network.httpUrl) : path,
          // The lock's holder logs its order intents (store/intent-log.ts): the log is the sender's alone.
          sendsNothing
            ? { writes: "memory" }
            : {
                create: "on-record",
                intentLog: lock !== null,
                ...(lock ? { busyTimeoutMs: RUN_BUSY_TIMEOUT_MS } : {}),
              },
        ),
      {
        timeoutMs: startupTimeout(ctx, options.startupTimeoutMs).startupTimeoutMs ?? 120_000,
        tell: (message) => waitLine(options)?.(`warning: ${message}`),
        ...(options.signal ? { signal: options.signal } : {}),
      },
    );
    // A journal an older hlcopy shared between networks is refused, never used half-right.
    const mixed = foreignNetworkRuns(journal, ctx.network.name, account);
    if (mixed) throw mixed;
    // Belt and braces, whatever directory each run's lock is in: an unfinished run of a live
    // process in this account's journal is another hlcopy trading it (a service whose lock
    // directory this process cannot see).
    if (lock) refuseLiveRun(journal, ctx, account, lock.path);
    // The agent must be approved for the account — or, for a sub-account (the recommended
    // isolation), for its master: then orders carry the sub-account as vaultAddress. The
    // role is asked only when the account itself does not list the agent.
    let master = account;
    let agentValidUntil: number | null | undefined;
    if (agentAddress) {
      ({ master, validUntil: agentValidUntil } = await approvedFor(ctx, account, agentAddress, options));
    } else if (previewAgent) {
      // A dry run answers "what would a live run do now?": one whose agent is not approved (or
      // whose approval expired) would be refused at its start. Said, not refused: it sends nothing.
      try {
        await approvedFor(ctx, account, previewAgent, options);
      } catch (error) {
        if (!(error instanceof OperationalError && error.details.approved !== undefined)) throw error;
        options.warn?.(liveRunRefused(error));
      }
    }
    const [{ engineClient }, { ONE_SHOT_BURST, RequestBudget }] = await Promise.all([
      import("./wiring.js"),
      import("../exchange/index.js"),
    ]);
    const client = engineClient(
      {
        ...(options.oneShot ? { budget: new RequestBudget({ burst: ONE_SHOT_BURST }) } : {}),
        httpUrl: ctx.network.httpUrl,
        wsUrl: ctx.network.wsUrl,
        isTestnet: ctx.network.isTestnet,
        account: master,
        ...(master !== account ? { vaultAddress: account } : {}),
        ...(agentKey ? { agentKey } : {}),
      },
      options.events,
    );
    const opened = journal;
    const checked = agentAddress;
    let unlocking: Promise<void> | null = null;
    return {
      account,
      master,
      client,
      journal: opened,
      agentAddress,
      ...(agentValidUntil === undefined ? {} : { agentValidUntil }),
      unlock(signal) {
        if (checked === null || client.signer !== undefined) return Promise.resolve();
        unlocking ??= loadKey(signal).then(({ privateKey, address }) => {
          // The approval was checked for this address (decryptKeystore holds the key to it).
          if (address !== checked) {
            throw new ConfigError(`the agent key is not the agent ${checked} whose approval was checked`, {
              hint: "the keystore changed while hlcopy started: start again",
            });
          }
          client.unlock(privateKey);
        });
        return unlocking;
      },
      close() {
        releaseTerminal();
        try {
          // Throws when its last records cannot be committed (the journal held by another
          // program): said by the CLI as its error, after the lock is released.
          opened.close();
        } finally {
          lock?.release();
        }
      },
    };
  } catch (error) {
    releaseTerminal();
    journal?.close();
    lock?.release();
    throw error;
  }
}

/**
 * @throws {OperationalError} (exit 1, as a held lock) when the journal has an unfinished run on
 *   this network by a live process other than this one.
 */
function refuseLiveRun(journal: Journal, ctx: CliContext, account: Address, lockFile: string): void {
  const other = liveJournalRuns(journal, ctx.network).find((r) => r.pid !== process.pid);
  if (!other || other.pid === null) return;
  const since = utcMinute(other.startedAt);
  throw new OperationalError(
    `another hlcopy (pid ${other.pid}) is trading ${account.toLowerCase()} on ${ctx.network.name} since ${since} (${other.command}, found in the journal: its lock is in a directory this process does not see)`,
    {
      hint: `stop it first (kill ${other.pid}, or hlcopy stop with the HLCOPY_LOCK_DIR it runs with); then start this again`,
      details: { pid: other.pid, startedAt: other.startedAt, command: other.command, file: lockFile },
    },
  );
}

/** The journal's unfinished runs on this network whose process is alive (maybe this one). */
export function liveJournalRuns(
  journal: Pick<Journal, "unfinishedRuns">,
  network: { name: string; httpUrl: string },
): RunRow[] {
  return journal
    .unfinishedRuns()
    .filter((r) => r.pid !== null && sameNetwork(r.network, network.httpUrl) && runAlive(r.pid, r.startedAt));
}

/**
 * The agent's approval for the account — or, for a sub-account (the recommended isolation), for
 * its master: then orders carry the sub-account as vaultAddress. The role is asked only when the
 * account itself does not list the agent.
 * @throws {OperationalError} (exit 2, `details.approved`/`expired` set) when neither approved it.
 */
async function approvedFor(
  ctx: CliContext,
  account: Address,
  agentAddress: Address,
  options: OpenTradingOptions,
): Promise<{ master: Address; validUntil: number | null }> {
  const { ensureAgentApproved } = await import("../exchange/agents.js");
  const { approveHint } = await import("./agent/common.js");
  const check = async (owner: Address) =>
    (
      await ensureAgentApproved({
        httpUrl: ctx.network.httpUrl,
        isTestnet: ctx.network.isTestnet,
        account: owner,
        agentAddress,
        networkName: ctx.network.name,
        // Only the flags the config does not give (--testnet-signing when this run signs so).
        approveHint: approveHint(ctx, { account: owner }),
        webApp: officialNetwork(ctx.network.name),
        ...(options.warn ? { warn: options.warn } : {}),
        ...(waitLine(options) ? { onWait: waitLine(options) } : {}),
        ...startupTimeout(ctx, options.startupTimeoutMs),
        ...(options.signal ? { retry: { signal: options.signal } } : {}),
      })
    ).validUntil;
  try {
    return { master: account, validUntil: await check(account) };
  } catch (error) {
    const notListed =
      error instanceof OperationalError && error.details.approved === false && error.details.expired !== true;
    if (!notListed) throw error;
    const owner = await subAccountMaster(ctx, account, options);
    if (!owner) throw error;
    return { master: owner, validUntil: await check(owner) };
  }
}

/** The master of `account` when it is a sub-account (userRole), else null; transient failures retried. */
async function subAccountMaster(
  ctx: CliContext,
  account: Address,
  options: OpenTradingOptions,
): Promise<Address | null> {
  const { findSubAccountMaster } = await import("../exchange/subaccounts.js");
  const { describeWait, retryTransient } = await import("../exchange/retry.js");
  return retryTransient(
    () => findSubAccountMaster({ httpUrl: ctx.network.httpUrl, isTestnet: ctx.network.isTestnet, account }),
    {
      what: "the account's role (userRole)",
      timeoutMs: startupTimeout(ctx, options.startupTimeoutMs).startupTimeoutMs ?? 120_000,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(waitLine(options) ? { onWait: (w) => waitLine(options)?.(`warning: ${describeWait(w)}`) } : {}),
    },
  );
}

/** Where the start's wait lines go: `wait`, else `warn`. */
function waitLine(options: OpenTradingOptions): ((line: string) => void) | undefined {
  return options.wait ?? options.warn;
}

/** The approval check's retry time: the caller's (flags applied), else the config file's, else 120 s. */
function startupTimeout(ctx: CliContext, given: number | undefined): { startupTimeoutMs?: number } {
  const stored = ctx.stored["exec.startupTimeoutSeconds"];
  if (given) return { startupTimeoutMs: given };
  return typeof stored === "number" ? { startupTimeoutMs: stored * 1000 } : {};
}
