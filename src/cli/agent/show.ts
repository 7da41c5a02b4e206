// `hlcopy agent show`: which agent hlcopy would sign with, for which account, and whether the
// exchange lists it as approved (extraAgents), with its name, expiry and days left.

import { HlcopyError } from "../../core/errors.js";
import type { Address } from "../../core/types.js";
import { agentAsAccountRefusal } from "../../engine/start-checks.js";
import { configDirExposure } from "../../store/config.js";
import { keystoreExposure } from "../../store/keystore.js";
import { assertNotMasterKey } from "../../store/secrets.js";
import { officialNetwork } from "../network.js";
import {
  type AgentContext,
  type AgentIo,
  agentIdentity,
  approveHint,
  emit,
  masterOfAgent,
  readRetrying,
  requireAccount,
} from "./common.js";

/**
 * Show the agent and its approval. An approval that has expired, or was never given, a key that
 * is the account's own master key, or an account that is the agent's own address, is shown and
 * then said as an error with what to do:
 * exit 2 (returned), the code follow and reconcile refuse to start with for the same state
 * (exchange/agents.ts ensureAgentApproved, store/secrets.ts assertNotMasterKey) — a check such
 * as `hlcopy agent show && hlcopy follow …` stops where follow would.
 * @returns the exit code: 0, or 2 when the agent is not approved (expired, never, the master key).
 * @throws {ConfigError} when there is no agent key; {UsageError} without an account;
 *   {RetryableError} when the exchange cannot be reached.
 */
export async function runAgentShow(ctx: AgentContext, io: AgentIo): Promise<number> {
  const agents = await import("../../exchange/agents.js");
  const agent = await agentIdentity(ctx, io);
  const account = requireAccount(ctx, "agent show");
  const now = Date.now();
  const status = await readRetrying(
    ctx,
    io,
    "the account's agents (extraAgents)",
    () =>
      agents.fetchAgentStatus({
        httpUrl: ctx.network.httpUrl,
        isTestnet: ctx.network.isTestnet,
        account,
        agentAddress: agent.address,
        now,
      }),
    "check the network connection, the exchange's status and the --network setting, then run hlcopy agent show again",
  );
  // The key's address is the account: either the key is the account's own (master) key, or the
  // account given is the agent's address — the exchange tells them apart (userRole), and an
  // agent is named with its master, as reconcile and follow refuse it (engine/start-checks.ts).
  const isMaster = agent.address === account;
  const agentOf = isMaster ? await masterOfAgent(ctx.network, account) : null;
  // Renewing under the agent's own name replaces it (another name would add an agent).
  const fix = approveHint(ctx, { name: status.name });
  const state = agentOf
    ? `REFUSED: the account is this agent's own address (an API wallet of ${agentOf}), not a trading account`
    : isMaster
      ? "REFUSED: this is your master key, not an agent"
      : status.approved
        ? "yes"
        : status.expired
          ? "no (expired)"
          : "no";
  const lines = [
    `agent        ${agent.address}`,
    `key          ${agent.source === "env" ? "HLCOPY_AGENT_KEY" : agent.keystore}`,
    `account      ${account}`,
    `network      ${ctx.network.name}`,
    `approved     ${state}`,
    `name         ${status.name ?? "-"}`,
    `valid until  ${status.validUntil === null ? "-" : agents.isoDate(status.validUntil)}${
      status.daysLeft === null ? "" : ` (${agents.daysText(status.daysLeft)} left)`
    }`,
  ];
  // Shown, not refused (show only reads the address field): follow and reconcile refuse it.
  const exposed = agent.keystore ? await keystoreExposure(agent.keystore) : null;
  if (exposed) io.err.write(`warning: ${exposed.message}: follow and reconcile refuse it; ${exposed.hint}\n`);
  // The directory that holds it (and config.json, the journal), likewise (cli/trading.ts).
  const dirExposed = configDirExposure(ctx.configDir);
  if (dirExposed)
    io.err.write(`warning: ${dirExposed.message}: live follow and reconcile refuse it; ${dirExposed.hint}\n`);
  const expired = !isMaster && status.expired;
  const never = !isMaster && !status.approved && !status.expired;
  // (An approval expired or never given is said as the error below, with the approval.)
  if (
    !isMaster &&
    status.approved &&
    status.validUntil !== null &&
    status.validUntil - now < agents.WARN_DAYS_LEFT * 86_400_000
  ) {
    io.err.write(
      `warning: the approval ends in ${agents.daysText(status.daysLeft ?? 0)}; renew it: ${fix}\n`,
    );
  }
  // What follow and reconcile would refuse (exit 2): the error and hint lines on stderr, and in
  // the --json document as `refusal` — a script told "approved: false" alone could not tell an
  // approval to give from a master key or an agent's address given as the account.
  const refusal: { reason: string; hint: string } | null = agentOf
    ? asRefusal(agentAsAccountRefusal(account, agentOf))
    : isMaster
      ? masterRefusal(agent.address, account)
      : expired
        ? {
            reason: `the approval of agent ${agent.address} for ${account} expired on ${agents.isoDate(status.validUntil)}: hlcopy cannot trade with it`,
            hint: `renew it: ${fix}`,
          }
        : never
          ? {
              reason: `agent ${agent.address} is not approved for ${account}: hlcopy cannot trade with it`,
              hint: `approve it: ${fix}${officialNetwork(ctx.network.name) ? " (or in the Hyperliquid web app, API page)" : ""}`,
            }
          : null;
  emit(
    ctx,
    io,
    {
      agentAddress: agent.address,
      source: agent.source,
      keystore: agent.keystore,
      account,
      network: ctx.network.name,
      approved: status.approved && !isMaster,
      expired: status.expired,
      name: status.name,
      validUntil: status.validUntil,
      daysLeft: status.daysLeft,
      refusal,
    },
    lines,
  );
  if (refusal === null) return 0;
  // After the document: stdout keeps the one `agent` document (approved: false) for --json.
  if (!ctx.json) io.err.write(`error: ${refusal.reason}\nhint: ${refusal.hint}\n`);
  return 2;
}

/** An error as a refusal: its message and hint. */
function asRefusal(error: HlcopyError): { reason: string; hint: string } {
  return { reason: error.message, hint: error.hint ?? "" };
}

/** What follow and reconcile say of the master key (store/secrets.ts), as a refusal. */
function masterRefusal(agentAddress: Address, account: Address): { reason: string; hint: string } {
  try {
    assertNotMasterKey(agentAddress, account);
  } catch (error) {
    if (error instanceof HlcopyError) return asRefusal(error);
    throw error;
  }
  throw new Error("assertNotMasterKey accepted the account's own address");
}
