// Sub-accounts: is `--account` a sub-account of the master that approved the agent? Read from
// the `subAccounts` info request of the master (null when it has none). A sub-account is traded
// by the master's agent with `vaultAddress: <sub-account>` (ExchangeClientOptions.vaultAddress).

import type { IRequestTransport } from "@nktkas/hyperliquid";
import { isHexAddress } from "../core/address.js";
import { UsageError } from "../core/errors.js";
import type { AccountRole, Address } from "../core/types.js";
import { translateError } from "./errors.js";
import { attemptSignal } from "./retry.js";

export interface SubAccount {
  /** The sub-account's address (lowercase). */
  address: Address;
  /** Its name on the exchange. */
  name: string;
  /** The master that owns it (lowercase). */
  master: Address;
}

export interface FindSubAccountParameters {
  /** HTTP base of the API (mainnet, testnet or a compatible one such as `hlcopy sim`). */
  httpUrl: string;
  isTestnet: boolean;
  /** A ready transport instead of one built from httpUrl (tests, a shared adapter). */
  transport?: IRequestTransport;
  /** The master account (the one that approved the agent). */
  master: Address;
  /** The account to trade. */
  account: Address;
}

/**
 * Pure: the entry for `account` in a `subAccounts` answer of `master`, or null when `account`
 * is not one of its sub-accounts (or the master has none: the exchange answers null).
 */
export function subAccountFrom(reply: unknown, master: Address, account: Address): SubAccount | null {
  if (!Array.isArray(reply)) return null;
  const want = account.toLowerCase();
  const owner = master.toLowerCase();
  for (const entry of reply) {
    if (typeof entry !== "object" || entry === null) continue;
    const e = entry as { subAccountUser?: unknown; master?: unknown; name?: unknown };
    if (typeof e.subAccountUser !== "string" || e.subAccountUser.toLowerCase() !== want) continue;
    // The master's own list names it as master; refuse an answer that says otherwise.
    if (typeof e.master === "string" && e.master.toLowerCase() !== owner) continue;
    return {
      address: want as Address,
      name: typeof e.name === "string" ? e.name : "",
      master: owner as Address,
    };
  }
  return null;
}

/**
 * Ask the exchange whether `account` is a sub-account of `master` (`subAccounts` of the master).
 * @returns the sub-account, or null when it is not one (including account === master).
 * @throws {UsageError} for a malformed address.
 * @throws {RetryableError | RateLimitError | OperationalError} translated request failures.
 */
export async function findSubAccount(params: FindSubAccountParameters): Promise<SubAccount | null> {
  for (const [what, value] of [
    ["master", params.master],
    ["account", params.account],
  ] as const) {
    if (!isHexAddress(value)) {
      throw new UsageError(`invalid ${what} address ${JSON.stringify(value)}`, {
        hint: "give a 0x address (40 hex digits)",
      });
    }
  }
  if (params.master.toLowerCase() === params.account.toLowerCase()) return null;
  let transport = params.transport;
  if (!transport) {
    const { HttpTransport } = await import("@nktkas/hyperliquid");
    transport = new HttpTransport({ apiUrl: params.httpUrl, isTestnet: params.isTestnet });
  }
  const { subAccounts } = await import("@nktkas/hyperliquid/api/info");
  let reply: unknown;
  try {
    reply = await subAccounts({ transport }, { user: params.master }, attemptSignal());
  } catch (error) {
    throw translateError(error, { operation: "subAccounts" });
  }
  return subAccountFrom(reply, params.master, params.account);
}

/** Pure: a `userRole` answer as an AccountRole (anything unreadable: "missing"). */
export function roleFrom(reply: unknown): AccountRole {
  if (typeof reply !== "object" || reply === null) return { role: "missing" };
  const r = reply as { role?: unknown; data?: { master?: unknown; user?: unknown } };
  const address = (v: unknown): Address | null =>
    typeof v === "string" && isHexAddress(v) ? (v.toLowerCase() as Address) : null;
  switch (r.role) {
    case "user":
      return { role: "user" };
    case "vault":
      return { role: "vault" };
    case "agent": {
      const master = address(r.data?.user);
      return master ? { role: "agent", master } : { role: "missing" };
    }
    case "subAccount": {
      const master = address(r.data?.master);
      return master ? { role: "subAccount", master } : { role: "missing" };
    }
    default:
      return { role: "missing" };
  }
}

/** Pure: the master a `userRole` answer names for a sub-account, or null for any other role. */
export function masterFromRole(reply: unknown): Address | null {
  const role = roleFrom(reply);
  return role.role === "subAccount" ? role.master : null;
}

/**
 * Ask the exchange (`userRole`) whose sub-account `account` is, for when only the sub-account
 * is known (`--account <sub>` without the master).
 * @returns the master, or null when `account` is not a sub-account (a user, agent, vault, unknown).
 * @throws {UsageError} for a malformed address.
 * @throws {RetryableError | RateLimitError | OperationalError} translated request failures.
 */
export async function findSubAccountMaster(
  params: Omit<FindSubAccountParameters, "master">,
): Promise<Address | null> {
  return masterFromRole(await userRoleOf(params));
}

/**
 * What `account` is on the exchange (`userRole`): a user, an agent (API wallet) of a master, a
 * sub-account, a vault, or missing.
 * @throws {UsageError} for a malformed address.
 * @throws {RetryableError | RateLimitError | OperationalError} translated request failures.
 */
export async function fetchAccountRole(
  params: Omit<FindSubAccountParameters, "master">,
): Promise<AccountRole> {
  return roleFrom(await userRoleOf(params));
}

/** The exchange's `userRole` reply for `account` (both readers above). */
async function userRoleOf(params: Omit<FindSubAccountParameters, "master">): Promise<unknown> {
  if (!isHexAddress(params.account)) {
    throw new UsageError(`invalid account address ${JSON.stringify(params.account)}`, {
      hint: "give a 0x address (40 hex digits)",
    });
  }
  let transport = params.transport;
  if (!transport) {
    const { HttpTransport } = await import("@nktkas/hyperliquid");
    transport = new HttpTransport({ apiUrl: params.httpUrl, isTestnet: params.isTestnet });
  }
  const { userRole } = await import("@nktkas/hyperliquid/api/info");
  try {
    return await userRole({ transport }, { user: params.account }, attemptSignal());
  } catch (error) {
    throw translateError(error, { operation: "userRole", endpoint: params.httpUrl });
  }
}
