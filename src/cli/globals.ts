// Global options a command never reads. Given on its command line, each is refused (exit 2): a
// `hlcopy demo --network mainnet` would otherwise be taken for a demo of mainnet. --debug is read by
// every command (a stack trace on an error), so it is never refused.

import type { Command } from "commander";
import { UsageError } from "../core/errors.js";

/** A global option the command does not read: why, and the way forward. */
export interface UnusedGlobal {
  option: "network" | "account" | "configDir" | "json";
  why: string;
  /** What to do instead; ", or drop --flag" is added. */
  hint: string;
}

/** The program (where global options live) and the command's path as typed: ["config", "get"]. */
function typedCommand(cmd: Command): { root: Command; path: string[] } {
  let root = cmd;
  const path = [cmd.name()];
  while (root.parent) {
    root = root.parent;
    if (root.parent) path.unshift(root.name());
  }
  return { root, path };
}

/**
 * Only the command line counts: HLCOPY_CONFIG_DIR in the environment is ambient, not asked of
 * this command.
 * @throws {UsageError} (exit 2) for the first unused global option given on the command line.
 */
export function refuseUnusedGlobals(cmd: Command, unused: readonly UnusedGlobal[]): void {
  const { root, path } = typedCommand(cmd);
  for (const u of unused) {
    if (root.getOptionValueSource(u.option) !== "cli") continue;
    const flag = u.option === "configDir" ? "--config-dir" : `--${u.option}`;
    // The command as typed: hlcopy config get, not hlcopy get.
    throw new UsageError(`${flag} is not used by hlcopy ${path.join(" ")}: ${u.why}`, {
      hint: `${u.hint}, or drop ${flag}`,
    });
  }
}

/**
 * The runs that read --testnet-signing (hidden, global: sign for testnet on a network given by
 * URL, such as `hlcopy sim --testnet-signing`), by command as typed. A function says why a run of
 * that command signs nothing (null: it signs). agent generate, import and show print the `agent
 * approve` command with it. Any other command is refused: a status, report or backtest signs
 * nothing, and init stores the network but never the flag.
 */
const READS_TESTNET_SIGNING: Readonly<Record<string, (opts: Record<string, unknown>) => string | null>> = {
  follow: (o) =>
    o.dryRun === true
      ? "a --dry-run signs nothing"
      : o.paper === true
        ? "a --paper run fills locally and signs nothing"
        : null,
  reconcile: (o) => (o.dryRun === true ? "a --dry-run signs nothing" : null),
  flatten: () => null,
  "agent approve": () => null,
  "agent generate": () => null,
  "agent import": () => null,
  "agent show": () => null,
  // Its own option too: the simulator expects testnet signatures.
  sim: () => null,
};

/** Where --testnet-signing acts, for the hints. */
const SIGNERS = "follow, reconcile, flatten and agent approve";

/**
 * Refuse --testnet-signing on the command line of a run that signs nothing (exit 2), as
 * refuseUnusedGlobals refuses the other global options: taken and ignored, it reads as if this
 * run signed for testnet.
 * @throws {UsageError} naming why the run does not read it, and where it acts.
 */
export function refuseUnusedTestnetSigning(action: Command): void {
  const { root, path } = typedCommand(action);
  if (root.getOptionValueSource("testnetSigning") !== "cli") return;
  const typed = path.join(" ");
  const reads = READS_TESTNET_SIGNING[typed];
  const why = reads
    ? reads(action.opts())
    : typed === "init"
      ? "init stores the network, never --testnet-signing (each run that signs is given it)"
      : typed === "demo"
        ? "the demo runs its own simulator, signing as it expects"
        : "it signs nothing";
  if (why === null) return;
  throw new UsageError(`--testnet-signing is not used by hlcopy ${typed}: ${why}`, {
    hint: `give it to the runs that sign for testnet on a --network URL (${SIGNERS}), or drop --testnet-signing`,
  });
}
