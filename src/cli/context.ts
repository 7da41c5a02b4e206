// Turns the global options (and environment) into the values every command needs, and
// the per-run setting flags into typed Settings via the one precedence rule.

import { statSync } from "node:fs";
import { homedir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { hidePrivateKeys, parseAddress, splitAddressAt, typedWithSpaceHint } from "../core/address.js";
import { HlcopyError, UsageError, ValidationError } from "../core/errors.js";
import {
  type FlatSettings,
  flagName,
  type ResolvedSettings,
  type RunContext,
  resolveSettings,
  SETTING_KEYS,
  type SettingKey,
} from "../core/settings.js";
import type { Address } from "../core/types.js";
import { defaultConfigDir, readStoredSettings } from "../store/config.js";
import { type NetworkTarget, resolveNetwork } from "./network.js";
import { flagsFromOptions } from "./settings-options.js";

/** Global options as commander hands them over (`cmd.optsWithGlobals()`). */
export interface GlobalOptions {
  network?: string;
  configDir?: string;
  account?: string;
  json?: boolean;
  debug?: boolean;
  testnetSigning?: boolean;
  [other: string]: unknown;
}

export interface CliContext {
  configDir: string;
  network: NetworkTarget;
  /** The follower's master account, if known (flag > HLCOPY_ACCOUNT > config). */
  account: Address | null;
  json: boolean;
  debug: boolean;
  /** Validated settings from the config file. */
  stored: FlatSettings;
  env: NodeJS.ProcessEnv;
}

/**
 * The config directory: --config-dir, else HLCOPY_CONFIG_DIR, else ~/.config/hlcopy. An empty one
 * is refused: a script's `HLCOPY_CONFIG_DIR=$DIR` with DIR unset would otherwise run on the
 * trader's own config (commander hands the variable over as the option when no flag is given).
 * @throws {UsageError} (exit 2) for an empty --config-dir or HLCOPY_CONFIG_DIR, or one that is a file.
 */
export function configDirOf(globals: GlobalOptions, env: NodeJS.ProcessEnv = process.env): string {
  const given = globals.configDir ?? env.HLCOPY_CONFIG_DIR;
  if (given !== "") {
    const dir = globals.configDir ?? defaultConfigDir(env);
    return notAFile(homeExpanded(dir), env.HLCOPY_CONFIG_DIR === dir ? "HLCOPY_CONFIG_DIR" : "--config-dir");
  }
  // A flag beats the variable: an empty value while the variable holds a directory is the flag's.
  if (env.HLCOPY_CONFIG_DIR === "") {
    throw new UsageError("HLCOPY_CONFIG_DIR is set but empty", {
      hint: "set it to a config directory, or unset it (unset HLCOPY_CONFIG_DIR) to use ~/.config/hlcopy",
    });
  }
  throw new UsageError("--config-dir is empty", {
    hint: "give a directory (--config-dir ~/hlcopy-paper), or leave --config-dir out to use ~/.config/hlcopy",
  });
}

/**
 * A leading `~` is the home directory, as the shell would have made it: the shell leaves it as it
 * is in `--config-dir=~/hlcopy`, in quotes, and in a cron or systemd variable — and hlcopy then
 * made a directory named "~" in the working directory, its config and keystore there, a run
 * started from elsewhere finding neither. (`~user` forms are left to the shell.)
 */
export function homeExpanded(dir: string): string {
  if (dir === "~") return homedir();
  if (dir.startsWith("~/")) return join(homedir(), dir.slice(2));
  return dir;
}

/**
 * A config directory that is a file (`HLCOPY_CONFIG_DIR=~/hlcopy/config.json`, the file meant)
 * read as holding no config — every command ran on the defaults, a stop or cap the trader set
 * in that file unread — and `config set` ended on mkdir's EEXIST (exit 1).
 * @throws {UsageError} (exit 2) naming where it came from and the directory meant.
 */
function notAFile(dir: string, from: "HLCOPY_CONFIG_DIR" | "--config-dir"): string {
  let file: boolean;
  try {
    file = !statSync(dir).isDirectory();
  } catch {
    return dir; // Not there yet (created at the first write), or not readable: said where it is used.
  }
  if (!file) return dir;
  const parent = dirname(resolve(dir));
  throw new UsageError(`${from} ${dir} is a file, not a directory: the config directory holds config.json`, {
    hint:
      basename(dir) === "config.json"
        ? `give the directory that holds it: ${from === "HLCOPY_CONFIG_DIR" ? `HLCOPY_CONFIG_DIR=${parent}` : `--config-dir ${parent}`}`
        : `give a directory (hlcopy creates it), or ${from === "HLCOPY_CONFIG_DIR" ? "unset HLCOPY_CONFIG_DIR" : "leave --config-dir out"} to use ~/.config/hlcopy`,
  });
}

/**
 * @throws {UsageError} for a bad --network, --account or config directory; {ConfigError} for a
 *   broken config file.
 */
export function resolveContext(
  globals: GlobalOptions,
  env: NodeJS.ProcessEnv = process.env,
  /** The config file's settings when already read (or set aside: resolveControlContext). */
  storedSettings?: FlatSettings,
): CliContext {
  const configDir = configDirOf(globals, env);
  const stored = storedSettings ?? readStoredSettings(configDir);
  const networkName = globals.network ?? (stored.network as string | undefined) ?? "mainnet";
  const network = resolveNetwork(networkName, { testnet: globals.testnetSigning === true });
  if (globals.testnetSigning === true) {
    // Mainnet's or testnet's own URL is that network (resolveNetwork): said as typed, and what it is.
    const as = (typed: string) => (typed === network.name ? typed : `${typed} (${network.name}'s own API)`);
    const from =
      globals.network !== undefined
        ? `--network ${as(globals.network)}`
        : stored.network !== undefined
          ? `the config's network, ${as(String(stored.network))},`
          : `the default network, ${network.name},`;
    refuseNamedNetworkSigning(network, from);
  }
  const accountRaw =
    globals.account ?? env.HLCOPY_ACCOUNT ?? (stored.account as string | null | undefined) ?? null;
  // The hint names where the bad address came from: that is what to correct.
  const account =
    accountRaw === null
      ? null
      : globals.account !== undefined
        ? parseAccountFlag(accountRaw)
        : parseAddress(
            accountRaw,
            "account address",
            env.HLCOPY_ACCOUNT !== undefined
              ? ENV_ACCOUNT_HINT
              : "it comes from the config: hlcopy config set account 0x… (your master account, not the agent)",
          );
  return {
    configDir,
    network,
    account,
    json: globals.json === true,
    debug: globals.debug === true,
    stored,
    env,
  };
}

/** The hint of a bad account address that came from HLCOPY_ACCOUNT: what to correct is the variable. */
export const ENV_ACCOUNT_HINT =
  "it comes from HLCOPY_ACCOUNT: set it to your master account (0x…, not the agent) or unset it";

/**
 * The context of a command a trader may need in an emergency — stop, pause, resume, flatten —
 * when the config file cannot be read (a hand edit gone wrong, a directory in its place): given
 * the network and the account otherwise (--network, and --account or HLCOPY_ACCOUNT), it acts on
 * them and says the file was not read (flatten with no follow running then uses the default
 * settings). A running follow read its settings at its start; before, the control commands were
 * all refused over the file, an emergency flatten included. Without both, the file's error
 * stands, its hint naming that way out.
 * @throws the config file's error (its exit code) when the network or the account is not given.
 */
export function resolveControlContext(
  globals: GlobalOptions,
  command: "stop" | "pause" | "resume" | "flatten",
  env: NodeJS.ProcessEnv = process.env,
  warn: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): CliContext {
  const configDir = configDirOf(globals, env);
  let stored: FlatSettings;
  try {
    stored = readStoredSettings(configDir);
  } catch (error) {
    if (!(error instanceof HlcopyError)) throw error;
    const account = globals.account ?? env.HLCOPY_ACCOUNT;
    if (globals.network === undefined || account === undefined || account.trim() === "") {
      throw new HlcopyError(error.message, {
        hint: `${error.hint ?? "fix the file"}; or ${command} without it, naming the network and the account: hlcopy --network <network> --account 0x… ${command}`,
        exitCode: error.exitCode,
        details: error.details,
        cause: error,
      });
    }
    warn(
      `warning: ${error.message}: not read — ${command} acts on --network ${globals.network} and the account ${globals.account !== undefined ? "given" : "of HLCOPY_ACCOUNT"}${command === "flatten" ? " (with no follow running, its closes use the default settings)" : ""}`,
    );
    stored = {};
  }
  return resolveContext(globals, env, stored);
}

/**
 * --testnet-signing acts on a network given by URL only: mainnet and testnet by name sign as
 * themselves. Taken on mainnet, a run meant for testnet would sign for mainnet without a word.
 * @throws {UsageError} (exit 2) when the network is mainnet or testnet by name.
 */
function refuseNamedNetworkSigning(network: NetworkTarget, from: string): void {
  if (network.name !== "mainnet" && network.name !== "testnet") return;
  throw new UsageError(
    `--testnet-signing is for a network given by URL, and ${from} signs for ${network.name} by itself`,
    {
      hint:
        network.name === "mainnet"
          ? "for testnet: --network testnet; for a simulator started with --testnet-signing: --network http://127.0.0.1:PORT --testnet-signing; or drop --testnet-signing"
          : "drop --testnet-signing",
    },
  );
}

/** The account, or a usage error telling how to set it. */
export function requireAccount(ctx: CliContext): Address {
  if (ctx.account) return ctx.account;
  throw new UsageError("no follower account configured", {
    hint: "run hlcopy init, or pass --account 0x… (or set HLCOPY_ACCOUNT)",
  });
}

/**
 * The settings an environment variable gives in every run, beating the config file (a flag beats
 * both): HLCOPY_ACCOUNT for `account` (resolveContext). `config get` and `list` show its value
 * and say where it comes from — they showed the file's while every run used the variable's.
 */
export const SETTING_VARIABLES: Readonly<Record<string, string>> = { account: "HLCOPY_ACCOUNT" };

/**
 * The value of setting `key` from its environment variable, as a run takes it (an address in
 * lower case), or null when no variable gives it. A value every run refuses (not an address, set
 * but empty) is shown as set — a private key hidden — with why it is refused.
 */
export function settingFromEnv(
  key: string,
  env: NodeJS.ProcessEnv,
): { variable: string; value: string; refused: string | null } | null {
  const variable = SETTING_VARIABLES[key];
  const raw = variable === undefined ? undefined : env[variable];
  if (variable === undefined || raw === undefined) return null;
  try {
    return { variable, value: parseAddress(raw, "account address", ENV_ACCOUNT_HINT), refused: null };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return {
      variable,
      value: hidePrivateKeys(raw),
      refused: `every run refuses ${variable}: ${hidePrivateKeys(error.message)}`,
    };
  }
}

/**
 * The account saved does not act while HLCOPY_ACCOUNT holds another (the variable beats the
 * config file in every run): said, with the fix. Null when it acts.
 */
export function overridingAccount(env: NodeJS.ProcessEnv, saved: unknown): string | null {
  const variable = env.HLCOPY_ACCOUNT;
  if (variable === undefined || typeof saved !== "string") return null;
  if (variable.trim().toLowerCase() === saved.toLowerCase()) return null;
  if (variable.trim() === "") {
    return `HLCOPY_ACCOUNT is set but empty, and every run refuses it instead of using the saved account ${saved}: unset HLCOPY_ACCOUNT`;
  }
  return `HLCOPY_ACCOUNT is set (${hidePrivateKeys(variable)}) and every run uses it instead of the saved account ${saved}: unset HLCOPY_ACCOUNT (or set it to ${saved}) for the saved one to act`;
}

/**
 * The agent's address for refuseAgentAsAccount: HLCOPY_AGENT_KEY's, else the keystore's plain
 * `address` field, read as a file — an address is compared, no key is used, so what a run refuses
 * before it opens the key (a keystore other users may read, HLCOPY_PASSPHRASE set but empty) does
 * not hide it: through agentAddressOf those read as "no agent", and the agent's address was saved
 * as the account. Null when there is no agent, or none that can be read (agent show says why).
 */
async function agentAddressToCompare(
  dir: string,
  env: NodeJS.ProcessEnv,
): Promise<{ address: string; source: "env" | "keystore" } | null> {
  const { addressOfKey, agentKeystorePath, normalizePrivateKey, readKeystore } = await import(
    "../store/keystore.js"
  );
  const fromEnv = env.HLCOPY_AGENT_KEY;
  if (fromEnv) {
    try {
      return { address: addressOfKey(normalizePrivateKey(fromEnv)), source: "env" };
    } catch {
      // Malformed: every run refuses it, saying so; the keystore's agent is still compared.
    }
  }
  const keystore = await readKeystore(agentKeystorePath(dir)).catch(() => null);
  return keystore?.address === undefined ? null : { address: `0x${keystore.address}`, source: "keystore" };
}

/**
 * The account given is the agent hlcopy already holds (the keystore's address, or
 * HLCOPY_AGENT_KEY's): the commonest mix-up of the two addresses, saved without a word, found
 * only when a run refused the key. Known offline and without the passphrase; nothing written.
 * @throws {UsageError} (exit 2).
 */
export async function refuseAgentAsAccount(
  dir: string,
  env: NodeJS.ProcessEnv,
  account: unknown,
  retry = "hlcopy --account 0xYourMaster… init",
): Promise<void> {
  if (typeof account !== "string") return;
  const agent = await agentAddressToCompare(dir, env);
  if (!agent || agent.address.toLowerCase() !== account.toLowerCase()) return;
  throw new UsageError(
    `${account} is your agent's address (${agent.source === "env" ? "HLCOPY_AGENT_KEY's key" : "the key in the keystore"}), not your master account`,
    {
      hint: `give the master address that holds the funds, which the agent trades for: ${retry}`,
    },
  );
}

/**
 * Settings for this run: flags passed on the command line > config file > defaults. With `run`
 * (follow, reconcile), a setting flag that command or run mode never reads is refused.
 */
export function resolveRunSettings(
  ctx: CliContext,
  options: Record<string, unknown>,
  run?: RunContext,
): ResolvedSettings {
  const flags = flagsFromOptions(options);
  const stored: FlatSettings = { ...ctx.stored };
  // network/account are global options, already resolved into the context.
  stored.network = ctx.network.name;
  stored.account = ctx.account;
  try {
    return resolveSettings(stored, flags, run);
  } catch (error) {
    throw asFlagError(error, flags);
  }
}

/**
 * A bad value given as a flag is said as that flag, and its hint shows the flag: the settings'
 * own hint (`e.g. hlcopy config set risk.maxLeverage 3`) would send the trader to store a value
 * they meant for one run. The stored values were validated on read, so the key's error is the flag's.
 */
function asFlagError(error: unknown, flags: Partial<Record<SettingKey, string>>): unknown {
  if (!(error instanceof ValidationError)) return error;
  const key = error.key as SettingKey;
  if (flags[key] === undefined) return error;
  const flag = `--${flagName(key)}`;
  return new ValidationError(key, error.message.replace(` for ${key}:`, ` for ${flag} (${key}):`), {
    ...(error.hint ? { hint: error.hint.replaceAll(`hlcopy config set ${key} `, `${flag} `) } : {}),
    details: error.details,
    cause: error,
  });
}

/** Validate a leader address argument (format and EIP-55 checksum: core/address.ts). */
export function parseLeaderAddress(value: string): Address {
  return parseAddress(
    value,
    "leader address",
    "copy the leader's address from the explorer or leaderboard, e.g. 0x5e9ee1089755c3435139848e47e6635505d5a13a",
  );
}

/** A --account flag's address (every command's, and init's): @throws {UsageError} naming the flag. */
export function parseAccountFlag(value: string): Address {
  return parseAddress(value, "account address", "pass --account 0x… (your master account, not the agent)");
}

/**
 * Validate leader address arguments (parseLeaderAddress each); one typed with a space, which the
 * shell split over two arguments, is said as the address meant.
 */
export function parseLeaderAddresses(values: readonly string[]): Address[] {
  return values.map((value, i) => {
    try {
      return parseLeaderAddress(value);
    } catch (error) {
      const meant = error instanceof UsageError ? splitAddressAt(values, i) : null;
      if (!meant) throw error;
      throw new UsageError((error as UsageError).message, {
        hint: typedWithSpaceHint(meant),
      });
    }
  });
}

export const SETTING_FLAG_KEYS: readonly SettingKey[] = SETTING_KEYS.filter(
  (k) => k !== "network" && k !== "account",
);
