// The commander program: global options, help, and the command table. Command modules are
// small and import nothing heavy at the top; each loads its implementation on demand.

import { Command, type Help, Option } from "commander";
import { COMMANDS } from "./commands.js";
import { refuseUnknownVariables } from "./env.js";
import { refuseUnusedTestnetSigning } from "./globals.js";
import { examples } from "./help.js";
import { refuseRepeatedOptions } from "./repeats.js";
import { VERSION } from "./version.js";

/** Indent of a description laid out under its option, not beside it. */
const UNDER_INDENT = 6;

/**
 * commander's item layout, except where the term column leaves a description too narrow to
 * wrap (under commander's 40 columns: follow's longest flag is 41 wide): commander then printed
 * each description as one line of up to ~500 characters, which an 80-column terminal broke
 * mid-word. Such a description goes under its term instead, wrapped to the help's width.
 */
function formatItem(this: Help, term: string, termWidth: number, description: string, helper: Help): string {
  const width = this.helpWidth ?? 80;
  const beside = width - termWidth - 4;
  if (!description || beside >= this.minWidthToWrap || helper.preformatted(description)) {
    return Object.getPrototypeOf(this).formatItem.call(this, term, termWidth, description, helper);
  }
  const wrapped = helper.boxWrap(description, Math.max(width - UNDER_INDENT, this.minWidthToWrap));
  const indent = " ".repeat(UNDER_INDENT);
  return `  ${term}\n${indent}${wrapped.replace(/\n/g, `\n${indent}`)}`;
}

export function createProgram(): Command {
  const program = new Command("hlcopy")
    .description(
      "Self-custodial copy trading for Hyperliquid perpetuals: keep your account at a scaled copy of a leader's positions, inside your risk limits.",
    )
    .version(VERSION, "-V, --version")
    .addOption(
      new Option(
        "--network <name|url>",
        "mainnet, testnet, or the http URL of a compatible API (e.g. hlcopy sim)",
      ),
    )
    .addOption(new Option("--testnet-signing", "sign for testnet when --network is a URL").hideHelp())
    .addOption(new Option("--config-dir <dir>", "config directory").env("HLCOPY_CONFIG_DIR"))
    .addOption(new Option("--account <0x…>", "your master account address (not the agent's)"))
    .option("--json", "machine-readable output (one JSON document or JSON lines; an error too)")
    .option("--debug", "show stack traces and details on errors")
    .showSuggestionAfterError(true)
    .configureHelp({ sortSubcommands: false, showGlobalOptions: true, formatItem })
    .addHelpText(
      "after",
      `
${examples([
  ["hlcopy demo", "see it work on a local simulator (no keys)"],
  ["hlcopy init", "first-run setup (network, your account)"],
  ["hlcopy agent generate && hlcopy agent approve", "create the trading key, approve it once"],
  [
    "hlcopy inspect 0x5e9ee1089755c3435139848e47e6635505d5a13a --equity 2000",
    "should you copy this leader at your size?",
  ],
  [
    "hlcopy reconcile 0x5e9ee1089755c3435139848e47e6635505d5a13a --dry-run",
    "what would hlcopy do right now?",
  ],
  ["hlcopy follow 0x5e9ee1089755c3435139848e47e6635505d5a13a", "copy it live, with the dashboard"],
  ["hlcopy config set risk.maxLeverage 3", "store a limit"],
])}

Environment:
  HLCOPY_CONFIG_DIR       config directory (default ~/.config/hlcopy)
  HLCOPY_ACCOUNT          your master account address
  HLCOPY_PASSPHRASE_FILE  a file holding the keystore passphrase (cron, a
                          service's credential)
  HLCOPY_PASSPHRASE       keystore passphrase (scripts)
  HLCOPY_AGENT_KEY        agent private key as hex, bypassing the keystore
                          (cron, tests)
  HLCOPY_LOCK_DIR         a lock and control-socket directory besides the fixed
                          /tmp/hlcopy-<uid> (a service with a private /tmp)

Exit codes: 0 ok/in sync, 1 runtime error, 2 usage or config error, 3 drift
remains, 4 halted, 130 interrupted (at a prompt, or by a stop signal before
anything changed).`,
    );
  for (const register of COMMANDS) register(program);
  refuseRepeatedOptions(program);
  // Before any command runs (exit 2): an HLCOPY_* variable hlcopy does not read, and
  // --testnet-signing on a run that signs nothing.
  program.hook("preAction", (_root, action) => {
    refuseUnknownVariables(process.env);
    refuseUnusedTestnetSigning(action);
  });
  return program;
}
