// The HLCOPY_* environment variables hlcopy reads. One it does not read is refused (exit 2)
// before any command runs: `HLCOPY_NETWORK=testnet hlcopy follow …` followed on the config's
// network (mainnet by default) without a word, and a typo such as HLCOPY_ACOUNT went unseen.

import { UsageError } from "../core/errors.js";
import { closeMatches } from "../core/settings.js";

/** Every HLCOPY_* variable read (program.ts help lists them; HLCOPY_BIN is the cron script's). */
export const HLCOPY_VARIABLES: readonly string[] = [
  "HLCOPY_CONFIG_DIR",
  "HLCOPY_ACCOUNT",
  "HLCOPY_PASSPHRASE_FILE",
  "HLCOPY_PASSPHRASE",
  "HLCOPY_AGENT_KEY",
  "HLCOPY_LOCK_DIR",
  // examples/cron-sweep.sh's hlcopy command: in the environment hlcopy runs in.
  "HLCOPY_BIN",
];

/** What a variable people expect stands for, as hlcopy takes it. */
const TAKEN_AS: Readonly<Record<string, string>> = {
  HLCOPY_NETWORK: "the network is --network (or hlcopy config set network testnet)",
  HLCOPY_JSON: "JSON output is --json",
  HLCOPY_DEBUG: "stack traces are --debug",
  HLCOPY_TESTNET_SIGNING: "testnet signing on a network URL is --testnet-signing",
};

/**
 * @throws {UsageError} (exit 2) for the first HLCOPY_* variable set that hlcopy does not read,
 *   with the one meant (a typo) or what to give instead.
 */
export function refuseUnknownVariables(env: NodeJS.ProcessEnv): void {
  for (const name of Object.keys(env).sort()) {
    if (!name.startsWith("HLCOPY_") || HLCOPY_VARIABLES.includes(name)) continue;
    // Told apart by what follows the prefix every one of them shares.
    const suffixes = HLCOPY_VARIABLES.map((v) => v.slice("HLCOPY_".length));
    const near = closeMatches(name.slice("HLCOPY_".length), suffixes, 1)[0];
    const instead = TAKEN_AS[name];
    throw new UsageError(`${name} is set, but hlcopy reads no such variable: it would do nothing`, {
      hint: instead
        ? `${instead}; then unset ${name}`
        : near
          ? `did you mean HLCOPY_${near}? (rename it: unset ${name})`
          : `hlcopy reads ${HLCOPY_VARIABLES.slice(0, -1).join(", ")} (hlcopy --help); unset ${name}`,
    });
  }
}
