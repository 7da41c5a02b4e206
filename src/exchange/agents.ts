// Agent (API) wallets on the exchange: approve one with the master key (user-signed
// `approveAgent`), read its status from `extraAgents`, and the pre-trade check every trading
// command runs. The SDK is loaded on first use. An expiry is written into the agent's name as
// ` valid_until <ms>` (the SDK's documented form); `extraAgents` reports it as `validUntil`.

import type { IRequestTransport } from "@nktkas/hyperliquid";
import type { Hex } from "viem";
import {
  APPROVE_AGAIN_HINT,
  type HlcopyError,
  OperationalError,
  RateLimitError,
  RetryableError,
  UncertainOutcomeError,
  UsageError,
} from "../core/errors.js";
import { utcMinute } from "../core/format.js";
import type { Address } from "../core/types.js";
import {
  abortableSleep,
  attemptSignal,
  describeWait,
  formatSeconds,
  type RetryTransientOptions,
  retryTransient,
} from "./retry.js";

const DAY_MS = 86_400_000;
/** Longest approval we ask for (the venue's limit as other SDKs state it). */
export const MAX_VALID_DAYS = 180;
/** Default approval length for `hlcopy agent approve`. */
export const DEFAULT_VALID_DAYS = 90;
/** Warn when an approval ends sooner than this. */
export const WARN_DAYS_LEFT = 7;
export const DEFAULT_AGENT_NAME = "hlcopy";
/** EIP-712 chain id for user-signed actions, as the python SDK signs them (0x66eee = 421614). */
const SIGNATURE_CHAIN_ID = "0x66eee";

export interface AgentsEndpoint {
  /** HTTP base of the API (mainnet, testnet or a compatible one such as `hlcopy sim`). */
  httpUrl: string;
  /** Sign for testnet (hyperliquidChain "Testnet"). */
  isTestnet: boolean;
  /** A ready transport instead of one built from httpUrl (tests, a shared adapter). */
  transport?: IRequestTransport;
}

async function transportFor(endpoint: AgentsEndpoint): Promise<IRequestTransport> {
  if (endpoint.transport) return endpoint.transport;
  const { HttpTransport } = await import("@nktkas/hyperliquid");
  return new HttpTransport({ apiUrl: endpoint.httpUrl, isTestnet: endpoint.isTestnet });
}

/** Through the one translator: a refusal here is about the account, never an order. */
async function translate(error: unknown, doing: string, endpoint: AgentsEndpoint): Promise<never> {
  const { translateError } = await import("./errors.js");
  throw translateError(error, { operation: doing, subject: "account", endpoint: endpoint.httpUrl });
}

// ---------------------------------------------------------------------------------------------
// Names and expiry

/**
 * Check an agent name: 1–16 characters, not blank, not carrying its own ` valid_until`.
 * @throws {UsageError}
 */
export function validateAgentName(name: string): string {
  if (name.trim() === "" || Array.from(name).length > 16 || /valid_until/.test(name)) {
    throw new UsageError(`invalid agent name "${name}": 1 to 16 characters, without "valid_until"`, {
      hint: `e.g. --name ${DEFAULT_AGENT_NAME}`,
    });
  }
  return name;
}

/**
 * Check an approval length in whole days (1–180).
 * @throws {UsageError}
 */
export function validateValidDays(days: number): number {
  if (!Number.isInteger(days) || days < 1 || days > MAX_VALID_DAYS) {
    throw new UsageError(`invalid --valid-days ${days}: a whole number of days from 1 to ${MAX_VALID_DAYS}`, {
      hint: `e.g. --valid-days ${DEFAULT_VALID_DAYS}`,
    });
  }
  return days;
}

/**
 * The days left of an approval that ends at `validUntil`, as every view says them (agent approve
 * and show, the pre-trade check, follow's warning, the dashboard, alerts): whole days rounded up,
 * so a fresh 90-day approval reads 90 and its last day 1; 0 once it has ended.
 */
export function approvalDaysLeft(validUntil: number, now: number): number {
  return Math.max(0, Math.ceil((validUntil - now) / DAY_MS));
}

/** `1 day`, `30 days`: an approval's last day read "1 days left". */
export function daysText(days: number): string {
  return `${days} day${days === 1 ? "" : "s"}`;
}

/** The name as signed: `<name> valid_until <ms>`. */
export function agentNameWithExpiry(name: string, validUntil: number): string {
  return `${name} valid_until ${validUntil}`;
}

/** The plain name, without a ` valid_until <ms>` suffix if one is present. */
export function baseAgentName(name: string): string {
  return name.replace(/ valid_until \d+$/, "");
}

// ---------------------------------------------------------------------------------------------
// approveAgent

export interface ApproveAgentParameters extends AgentsEndpoint {
  /** The master account's private key: used to sign this one action, never kept. */
  masterKey: Hex;
  agentAddress: Address;
  name?: string;
  validDays?: number;
  /** Clock for the expiry (ms). */
  now?: number;
  /**
   * Receives a line for stderr: before each retry (`warning: …`: a 429, or a request the exchange
   * did not run — its reply was lost and extraAgents does not list the approval); when the answer
   * to a sent approval is late (APPROVAL_LATE_MS); and when a stop comes while a sent approval's
   * outcome is not known yet (it is learnt first).
   */
  onWait?: (line: string) => void;
  /** No answer this long to a sent approval is said (default APPROVAL_LATE_MS). */
  lateMs?: number;
  /** Attempts in all (default 4) and the first wait, doubling (default 1 000 ms). */
  retry?: { attempts?: number; initialDelayMs?: number };
  /** Aborted (Ctrl-C): a wait ends and its reason is thrown. */
  signal?: AbortSignal;
}

export interface ApproveAgentResult {
  account: Address;
  agentAddress: Address;
  name: string;
  validUntil: number;
  /**
   * Set when the reply to the approval was lost (HTTP 5xx, a cut connection, a timeout) and the
   * exchange's extraAgents lists this approval (its validUntil): what became of the reply.
   */
  replyLost?: string;
}

/**
 * Approve `agentAddress` to trade for the master account, named and expiring in `validDays`.
 * Approving under a name that is already used replaces that agent.
 *
 * An outcome that is not known (HTTP 5xx, a cut connection, a timeout) is made known by reading
 * the account's agents (extraAgents): the approval listed with the validUntil just signed ran
 * (`replyLost` says why the reply was missing); not listed, it did not run. A request that did
 * not run (that, a 429, a nonce refused) is sent again, freshly signed, after a wait told through
 * `onWait` — `attempts` in all — so the master key need not be typed again.
 * @throws {UsageError} for a bad name/length or an agent equal to the master; {OperationalError}
 *   when the exchange refuses; {RateLimitError} / {RetryableError} when every attempt failed (the
 *   hint says nothing was approved); {UncertainOutcomeError} when the reply was lost and
 *   extraAgents could not be read either.
 */
export async function approveAgent(params: ApproveAgentParameters): Promise<ApproveAgentResult> {
  const name = validateAgentName(params.name ?? DEFAULT_AGENT_NAME);
  const days = validateValidDays(params.validDays ?? DEFAULT_VALID_DAYS);
  const { privateKeyToAccount } = await import("viem/accounts");
  const wallet = privateKeyToAccount(params.masterKey);
  const account = wallet.address.toLowerCase() as Address;
  const agentAddress = params.agentAddress.toLowerCase() as Address;
  if (agentAddress === account) {
    throw new UsageError("the agent address is the master account itself", {
      hint: "create a separate agent key with hlcopy agent generate",
    });
  }
  const validUntil = (params.now ?? Date.now()) + days * DAY_MS;
  const transport = await transportFor(params);
  const exchange = await import("@nktkas/hyperliquid/api/exchange");
  const { translateError, httpErrorLine } = await import("./errors.js");
  const attempts = Math.max(1, params.retry?.attempts ?? 4);
  let delay = params.retry?.initialDelayMs ?? 1_000;
  const done = { account, agentAddress, name, validUntil };
  for (let attempt = 1; ; attempt++) {
    let failure: HlcopyError;
    // The reply was lost and the approval is not listed (yet): looked for again after the wait.
    let lostReply: string | null = null;
    // Sent, its outcome is the exchange's: a late answer is said (the SDK waits 10 s, silently),
    // and a stop meanwhile waits for the outcome — the reply, or extraAgents after a lost one —
    // so that what is said at the end is what happened.
    const outcome = awaitingOutcome(params);
    try {
      await exchange.approveAgent(
        { transport, wallet, signatureChainId: SIGNATURE_CHAIN_ID },
        { agentAddress, agentName: agentNameWithExpiry(name, validUntil) },
      );
      return done;
    } catch (error) {
      // An action: a lost reply is "uncertain", never "unreachable" (nothing known to have run).
      failure = translateError(error, {
        operation: "approveAgent",
        action: true,
        subject: "account",
        endpoint: params.httpUrl,
      });
      outcome.answered();
      if (failure instanceof UncertainOutcomeError) {
        const reply = error instanceof Error ? httpErrorLine(error) : String(error);
        try {
          if (await approvalListed(params, account, agentAddress, validUntil, reply))
            return { ...done, replyLost: reply };
        } finally {
          outcome.known();
        }
        lostReply = reply;
        failure = new RetryableError(
          `approveAgent did not run: its reply was lost (${reply}) and the exchange does not list the approval`,
          { cause: error, details: failure.details },
        );
      } else if (!(failure instanceof RetryableError)) {
        throw failure;
      }
    } finally {
      outcome.known();
    }
    const last = attempt >= attempts;
    // Stopping: nothing is sent again (the wait below ends at once), so no resend is announced.
    if (!last && !params.signal?.aborted) {
      params.onWait?.(
        lostReply === null
          ? `warning: ${failure.message}; nothing was approved — sending it again in ${formatSeconds(delay)} (attempt ${attempt + 1} of ${attempts})`
          : `warning: approveAgent: its reply was lost (${lostReply}) and the exchange does not list the approval; sending it again in ${formatSeconds(delay)} unless it is listed by then (attempt ${attempt + 1} of ${attempts})`,
      );
    }
    // A request still on its way lands within the wait: looked for once more before any resend
    // (or before saying that nothing was approved).
    if (!last || lostReply !== null) {
      await abortableSleep(delay, params.signal);
      if (params.signal?.aborted) throw params.signal.reason;
    }
    if (lostReply !== null && (await approvalListed(params, account, agentAddress, validUntil, lostReply)))
      return { ...done, replyLost: lostReply };
    // Nothing ran (429, a nonce refused, a lost request): sign and send it again, or give up.
    if (last) {
      throw new (failure instanceof RateLimitError ? RateLimitError : RetryableError)(
        `${failure.message} (${attempts} attempts)`,
        { cause: failure, details: { ...failure.details, attempts }, hint: APPROVE_AGAIN_HINT },
      );
    }
    delay *= 2;
  }
}

/** No answer this long to a sent approval is said (a reply normally takes well under a second). */
export const APPROVAL_LATE_MS = 3_000;

/** The SDK's HTTP timeout: an approval with no answer this long is looked for in extraAgents. */
const APPROVAL_TIMEOUT_MS = 10_000;

/**
 * While a sent approval's outcome is unknown: its answer late (`lateMs`) is said once, and a
 * stop (`signal`) is said to wait for the outcome. `answered()`: the request ended (the late
 * line is not said after it); `known()`: the outcome is known (nothing more is said).
 */
function awaitingOutcome(params: ApproveAgentParameters): { answered(): void; known(): void } {
  const lateMs = params.lateMs ?? APPROVAL_LATE_MS;
  const tell = (line: string) => {
    try {
      params.onWait?.(line);
    } catch {
      // a broken listener must not change the approval's outcome
    }
  };
  const late = setTimeout(
    () =>
      tell(
        `warning: no answer from the exchange to the approval after ${formatSeconds(lateMs)}; waiting up to ${formatSeconds(APPROVAL_TIMEOUT_MS)}, then reading the account's agents (extraAgents) to learn whether it ran — Ctrl-C stops once that is known; a second Ctrl-C quits at once, leaving it unknown (hlcopy agent show then tells)`,
      ),
    lateMs,
  );
  late.unref?.();
  const signal = params.signal;
  const stopping = () =>
    tell(
      "stopping once the approval's outcome is known: it was sent and the exchange has not answered yet (a second Ctrl-C quits at once; hlcopy agent show then tells whether it was approved)",
    );
  if (signal && !signal.aborted) signal.addEventListener("abort", stopping, { once: true });
  const answered = () => clearTimeout(late);
  return {
    answered,
    known() {
      answered();
      signal?.removeEventListener("abort", stopping);
    },
  };
}

/**
 * After a lost reply: whether extraAgents lists the agent with the validUntil just signed (an
 * earlier approval of the same agent has another). A failing read is retried for a while.
 * @throws {UncertainOutcomeError} when it cannot be read: the outcome stays unknown.
 */
async function approvalListed(
  endpoint: AgentsEndpoint,
  account: Address,
  agentAddress: Address,
  validUntil: number,
  reply: string,
): Promise<boolean> {
  try {
    const status = await retryTransient(() => fetchAgentStatus({ ...endpoint, account, agentAddress }), {
      what: "the account's agents (extraAgents)",
      timeoutMs: 20_000,
    });
    return status.approved && status.validUntil === validUntil;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new UncertainOutcomeError(
      `outcome of approveAgent is unknown: its reply was lost (${reply}) and the account's agents could not be read (${why})`,
      {
        cause: error,
        hint: "run hlcopy agent show: it says whether the exchange lists the approval; if it does not, run hlcopy agent approve again",
      },
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Status

export interface AgentStatusParameters extends AgentsEndpoint {
  account: Address;
  agentAddress: Address;
  now?: number;
}

export interface AgentStatus {
  account: Address;
  agentAddress: Address;
  /** Listed for the account and not expired. */
  approved: boolean;
  /** Listed, but its validUntil has passed. */
  expired: boolean;
  name: string | null;
  /** ms since epoch; null when not listed or listed without an expiry. */
  validUntil: number | null;
  /** Whole days left ({@link approvalDaysLeft}); null when not approved or without an expiry. */
  daysLeft: number | null;
}

export interface ExtraAgent {
  address: string;
  name: string;
  validUntil: number | null;
}

/** Pure: the status of one agent from an `extraAgents` answer. */
export function agentStatusFrom(
  agents: readonly ExtraAgent[],
  account: Address,
  agentAddress: Address,
  now: number,
): AgentStatus {
  const want = agentAddress.toLowerCase();
  const entry = agents.find((a) => a.address.toLowerCase() === want);
  const base = { account: account.toLowerCase() as Address, agentAddress: want as Address };
  if (!entry) {
    return { ...base, approved: false, expired: false, name: null, validUntil: null, daysLeft: null };
  }
  const validUntil = entry.validUntil ?? null;
  const expired = validUntil !== null && validUntil <= now;
  return {
    ...base,
    approved: !expired,
    expired,
    name: baseAgentName(entry.name),
    validUntil,
    daysLeft: validUntil === null || expired ? null : approvalDaysLeft(validUntil, now),
  };
}

/**
 * Ask the exchange (`extraAgents` of the master account) whether the agent is approved.
 * @throws {RetryableError} when the API cannot be reached.
 */
export async function fetchAgentStatus(params: AgentStatusParameters): Promise<AgentStatus> {
  const transport = await transportFor(params);
  const info = await import("@nktkas/hyperliquid/api/info");
  let agents: ExtraAgent[] = [];
  try {
    const { checkInfoReply } = await import("./replies.js");
    // Bounded by the retry's time left (exchange/retry.ts attemptSignal), not the SDK's 10 s alone.
    agents = checkInfoReply(
      "extraAgents",
      await info.extraAgents({ transport }, { user: params.account }, attemptSignal()),
    );
  } catch (error) {
    await translate(error, "extraAgents", params);
  }
  return agentStatusFrom(agents, params.account, params.agentAddress, params.now ?? Date.now());
}

/**
 * `hlcopy [--network N] [--testnet-signing] [--account A] agent approve [--name X]`, for hints:
 * each flag only when given — the CLI gives those the config file and the defaults do not
 * (cli/agent/common.ts approveHint). `name` as a shell reads it back (quoted when it needs it).
 */
export function approveCommand(
  p: { network?: string; testnetSigning?: boolean; account?: string; name?: string } = {},
): string {
  const net = p.network ? ` --network ${p.network}` : "";
  const signing = p.testnetSigning ? " --testnet-signing" : "";
  const account = p.account ? ` --account ${p.account}` : "";
  return `hlcopy${net}${signing}${account} agent approve${p.name ? ` --name ${p.name}` : ""}`;
}

export interface EnsureAgentApprovedParameters extends AgentStatusParameters {
  /** For the fixing command in the hint ("mainnet", "testnet" or the URL), when `approveHint` is not given. */
  networkName?: string;
  /**
   * The command that approves the agent, for the hint — the CLI's, with only the flags the
   * config does not give (cli/agent/common.ts approveHint). Default: with --account, and
   * --network unless mainnet.
   */
  approveHint?: string;
  /** Whether the hint may also point to Hyperliquid's web app (its own networks, not a simulator). Default true. */
  webApp?: boolean;
  /** Receives the warning line when fewer than 7 days remain. */
  warn?: (line: string) => void;
  /**
   * How long a failing check (429, 5xx, timeout, unreadable reply) is retried before giving
   * up. Default 120 000 ms (exec.startupTimeoutSeconds).
   */
  startupTimeoutMs?: number;
  /** Receives a line before each retry of a failed check (default: `warn`). */
  onWait?: (line: string) => void;
  /** Backoff of the retries (tests). */
  retry?: Pick<RetryTransientOptions, "initialDelayMs" | "maxDelayMs" | "signal">;
}

/**
 * The pre-trade check: the agent must be approved for the account and not expired. A check
 * that fails transiently is retried with backoff (told through `onWait`) until
 * `startupTimeoutMs`.
 * @returns the status (approved) after warning through `warn` when < 7 days remain.
 * @throws {OperationalError} exit 2 with the command that fixes it; {StartupTimeoutError}
 *   (exit 1) when the exchange kept failing; other errors that retrying cannot fix as they are.
 */
export async function ensureAgentApproved(params: EnsureAgentApprovedParameters): Promise<AgentStatus> {
  const now = params.now ?? Date.now();
  const tell = params.onWait ?? params.warn;
  const status = await retryTransient(() => fetchAgentStatus({ ...params, now }), {
    what: "the agent approval check (extraAgents)",
    timeoutMs: params.startupTimeoutMs ?? 120_000,
    ...params.retry,
    ...(tell ? { onWait: (w) => tell(`warning: ${describeWait(w)}`) } : {}),
  });
  const fix =
    params.approveHint ??
    approveCommand({
      account: status.account,
      ...(params.networkName && params.networkName !== "mainnet" ? { network: params.networkName } : {}),
    });
  if (status.expired) {
    throw new OperationalError(
      `the approval of agent ${status.agentAddress} for ${status.account} expired on ${isoDate(status.validUntil)}`,
      { exitCode: 2, hint: `approve it again: ${fix}`, details: { ...status } },
    );
  }
  if (!status.approved) {
    throw new OperationalError(`agent ${status.agentAddress} is not approved for ${status.account}`, {
      exitCode: 2,
      hint: `approve it: ${fix}${params.webApp === false ? "" : " (or in the Hyperliquid web app, API page)"}`,
      details: { ...status },
    });
  }
  if (status.validUntil !== null && status.validUntil - now < WARN_DAYS_LEFT * DAY_MS) {
    params.warn?.(
      `warning: the agent approval ends on ${isoDate(status.validUntil)} (${daysText(status.daysLeft ?? 0)} left); renew it: ${fix}`,
    );
  }
  return status;
}

/** `2026-05-01 12:00 UTC` */
export function isoDate(ms: number | null): string {
  if (ms === null) return "never";
  return utcMinute(ms);
}
