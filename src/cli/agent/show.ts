// `hlcopy agent show`: which agent hlcopy would sign with, for which account, and whether the
// exchange lists it as approved (extraAgents), with its name, expiry and days left.

import { keystoreExposure } from "../../store/keystore.js";
import {
  type AgentContext,
  type AgentIo,
  agentIdentity,
  approveHint,
  emit,
  requireAccount,
} from "./common.js";

/**
 * @throws {ConfigError} when there is no agent key; {UsageError} without an account;
 *   {RetryableError} when the exchange cannot be reached.
 */
export async function runAgentShow(ctx: AgentContext, io: AgentIo): Promise<void> {
  const agents = await import("../../exchange/agents.js");
  const agent = await agentIdentity(ctx, io);
  const account = requireAccount(ctx, "agent show");
  const now = Date.now();
  const status = await agents.fetchAgentStatus({
    httpUrl: ctx.network.httpUrl,
    isTestnet: ctx.network.isTestnet,
    account,
    agentAddress: agent.address,
    now,
  });
  const isMaster = agent.address === account;
  const fix = approveHint(ctx);
  const state = isMaster
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
      status.daysLeft === null ? "" : ` (${status.daysLeft} days left)`
    }`,
  ];
  // Shown, not refused (show only reads the address field): follow and reconcile refuse it.
  const exposed = agent.keystore ? await keystoreExposure(agent.keystore) : null;
  if (exposed) io.err.write(`warning: ${exposed.message}: follow and reconcile refuse it; ${exposed.hint}\n`);
  if (!isMaster && !status.approved) lines.push("", `Approve it: ${fix}`);
  else if (
    !isMaster &&
    status.validUntil !== null &&
    status.validUntil - now < agents.WARN_DAYS_LEFT * 86_400_000
  ) {
    io.err.write(`warning: the approval ends in ${status.daysLeft} days; renew it: ${fix}\n`);
  }
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
    },
    lines,
  );
}
