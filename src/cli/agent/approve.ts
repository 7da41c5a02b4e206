// `hlcopy agent approve`: sign `approveAgent` for our agent with the MASTER key, read once from
// a hidden prompt (or a line of stdin), checked against --account, used and dropped: it is
// never stored, printed or put in an error. The agent's address is the one its key derives to:
// the keystore is opened first (its passphrase, or HLCOPY_PASSPHRASE).

import { UsageError } from "../../core/errors.js";
import { PLAIN_DECIMAL_RULE, parsePlainDecimal } from "../../core/settings.js";
import type { Address } from "../../core/types.js";
import { addressOfKey, normalizePrivateKey } from "../../store/keystore.js";
import { assertNotMasterKey } from "../../store/secrets.js";
import {
  type AgentContext,
  type AgentIo,
  emit,
  readRetrying,
  requireAccount,
  verifiedAgentIdentity,
} from "./common.js";

export interface AgentApproveOptions {
  /** Agent name on the exchange (1–16 characters). Default "hlcopy". */
  name?: string;
  /** Approval length in days (1–180). Default 90. */
  validDays?: string | number;
}

/** Whole days as typed; anything else is refused with the text the user typed (not a stand-in). */
function parseDays(
  raw: string | number | undefined,
  limits: { max: number; example: number },
): number | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw === "number") return raw;
  const days = parsePlainDecimal(raw);
  if (days !== null && Number.isInteger(days) && days >= 0) return days;
  // " 30" or "0x1e" is refused as the settings refuse it: not read as 30 by Number().
  const rule = days === null ? `${PLAIN_DECIMAL_RULE}; expected ` : "";
  throw new UsageError(
    `invalid --valid-days "${raw}": ${rule}a whole number of days from 1 to ${limits.max}`,
    {
      hint: `e.g. --valid-days ${limits.example}`,
    },
  );
}

/**
 * What the exchange knows of the account, asked before the passphrase and the master key: one it
 * does not know refuses approveAgent ("Must deposit before performing actions"), and a
 * sub-account's agent is approved on its master (the master key would not match it). A read that
 * fails refuses nothing: approveAgent answers for itself.
 * @throws {UsageError} (exit 2) for an account with no deposit, a sub-account or an agent.
 */
async function refuseUnapprovableAccount(ctx: AgentContext, io: AgentIo, account: Address): Promise<void> {
  const { fetchAccountRole } = await import("../../exchange/subaccounts.js");
  const { StartupTimeoutError } = await import("../../exchange/retry.js");
  // An exchange that cannot be reached is waited for (said), then the end, before a secret is
  // asked: it was skipped, the passphrase and the master key typed, and the approval then failed
  // as "outcome unknown" after 20 silent seconds. A read the exchange refuses (a compatible API
  // without userRole) refuses nothing.
  const role = await readRetrying(
    ctx,
    io,
    "the account's role (userRole)",
    () => fetchAccountRole({ httpUrl: ctx.network.httpUrl, isTestnet: ctx.network.isTestnet, account }),
    "nothing was asked or signed: check the network connection, the exchange's status and the --network setting, then run hlcopy agent approve again",
  ).catch((error: unknown) => {
    if (error instanceof StartupTimeoutError || ctx.signal?.aborted) throw error;
    return null;
  });
  if (role?.role === "missing") {
    throw new UsageError(
      `${account} is not an account on ${ctx.network.name} (no deposit yet): the exchange approves agents only for an account that has deposited`,
      {
        hint: "deposit USDC to it first, or check --account (your master account, the one that holds the funds)",
      },
    );
  }
  if (role?.role === "subAccount") {
    throw new UsageError(
      `${account} is a sub-account of ${role.master}: agents are approved on the master, and trade the sub-account from there`,
      { hint: `hlcopy --account ${role.master} agent approve, then copy with --account ${account}` },
    );
  }
  if (role?.role === "agent") {
    const { agentAsAccountRefusal } = await import("../../engine/start-checks.js");
    throw agentAsAccountRefusal(account, role.master);
  }
}

/**
 * @throws {UsageError} for a bad --name/--valid-days, a missing account, a key that is not the
 *   account's; {OperationalError} when the exchange refuses; {RetryableError} when it did not run
 *   after its retries (told on stderr); {UncertainOutcomeError} when its reply was lost and the
 *   account's agents could not be read. A lost reply with the approval listed is a success.
 */
export async function runAgentApprove(
  ctx: AgentContext,
  options: AgentApproveOptions,
  io: AgentIo,
): Promise<void> {
  const agents = await import("../../exchange/agents.js");
  // Check everything we can before asking for the master key.
  const name = agents.validateAgentName(options.name ?? agents.DEFAULT_AGENT_NAME);
  const days = parseDays(options.validDays, {
    max: agents.MAX_VALID_DAYS,
    example: agents.DEFAULT_VALID_DAYS,
  });
  const validDays = agents.validateValidDays(days ?? agents.DEFAULT_VALID_DAYS);
  const account = requireAccount(ctx, "agent approve");
  // Two secrets with seconds of work before and between them (the account's role read, the
  // passphrase's key derivation): a master key pasted before its question must never show in
  // clear — echo stays off from here, and what is typed before a question is discarded unseen.
  io.prompt.keepSilent();
  await refuseUnapprovableAccount(ctx, io, account);
  // The key itself, not the keystore's address field: a field edited to another address would
  // otherwise have the master key approve whoever wrote it (the field is not authenticated).
  const agent = await verifiedAgentIdentity(ctx, io);
  assertNotMasterKey(agent.address, account);

  const typed = await io.prompt.secret(
    `Master private key of ${account} (hidden; used once for this signature, never stored): `,
    "the master private key",
  );
  const masterKey = normalizePrivateKey(typed, "the master key");
  const signer = addressOfKey(masterKey);
  // The agent's own key, just generated or imported, is the likeliest paste here: said as that.
  if (signer === agent.address) {
    throw new UsageError(
      `that is the agent's own key (${signer}), the one being approved, not your master key; nothing was signed`,
      {
        hint: `paste the private key of your master account ${account} (the one that holds the funds; hlcopy never stores it)`,
      },
    );
  }
  if (signer !== account) {
    throw new UsageError(
      `that key belongs to ${signer}, not to your account ${account}; nothing was signed`,
      {
        hint: "paste the private key of the account that holds the funds, or correct --account",
      },
    );
  }
  const result = await agents.approveAgent({
    httpUrl: ctx.network.httpUrl,
    isTestnet: ctx.network.isTestnet,
    masterKey,
    agentAddress: agent.address,
    name,
    validDays,
    onWait: (line) => io.err.write(`${line}\n`),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  // As agent show and every other view count them (a second later show reads the same).
  const daysLeft = agents.approvalDaysLeft(result.validUntil, Date.now());
  emit(
    ctx,
    io,
    {
      approved: true,
      account: result.account,
      agentAddress: result.agentAddress,
      name: result.name,
      validUntil: result.validUntil,
      validDays,
      daysLeft,
      ...(result.replyLost ? { replyLost: result.replyLost } : {}),
    },
    [
      `Approved agent ${result.agentAddress} for ${result.account}`,
      // The exchange ran it, its answer did not come back: said, and shown as it lists it.
      ...(result.replyLost
        ? [`  (the exchange's reply was lost: ${result.replyLost}; its list of agents shows this approval)`]
        : []),
      `  name         ${result.name}`,
      `  valid until  ${agents.isoDate(result.validUntil)} (${agents.daysText(daysLeft)} left)`,
      "",
      "The master key was used for this one signature and not kept.",
    ],
  );
}
