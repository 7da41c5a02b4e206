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

/**
 * Only the command line counts: HLCOPY_CONFIG_DIR in the environment is ambient, not asked of
 * this command.
 * @throws {UsageError} (exit 2) for the first unused global option given on the command line.
 */
export function refuseUnusedGlobals(cmd: Command, unused: readonly UnusedGlobal[]): void {
  let root = cmd;
  const path = [cmd.name()];
  while (root.parent) {
    root = root.parent;
    if (root.parent) path.unshift(root.name());
  }
  for (const u of unused) {
    if (root.getOptionValueSource(u.option) !== "cli") continue;
    const flag = u.option === "configDir" ? "--config-dir" : `--${u.option}`;
    // The command as typed: hlcopy config get, not hlcopy get.
    throw new UsageError(`${flag} is not used by hlcopy ${path.join(" ")}: ${u.why}`, {
      hint: `${u.hint}, or drop ${flag}`,
    });
  }
}
