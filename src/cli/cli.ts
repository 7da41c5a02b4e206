// The CLI's run function (importable by tests): parse, run, and turn every failure into the CLI
// contract's `error:` / `hint:` lines and exit code.

import { type Command, CommanderError } from "commander";
import { splitAddressAt, typedWithSpaceHint } from "../core/address.js";
import { ExitCode } from "../core/errors.js";
import { listed } from "../core/format.js";
import { printCommandError, reportError, type Writer } from "./output.js";
import { outputLost, outputLostKind, writeFailure } from "./output-lost.js";
import { createProgram } from "./program.js";
import { OPTION_SYNONYMS, synonymOf } from "./synonyms.js";

/** A commander parse failure, with the (sub)command it happened in. */
class ParseFailure extends Error {
  constructor(
    readonly error: CommanderError,
    readonly command: Command,
  ) {
    super(error.message);
  }
}

export async function main(given: string[], err: Writer = process.stderr): Promise<number> {
  exitQuietlyOnBrokenStdout();
  // --json asks for the error as a JSON document too (before any `--`: after it, an argument).
  const args = given.slice(2);
  const end = args.indexOf("--");
  const json = (end === -1 ? args : args.slice(0, end)).includes("--json");
  const program = createProgram();
  const swallowed = commandTakenAsValue(args, program);
  if (swallowed) {
    printCommandError(
      `${swallowed.option} needs a value before the command: "${swallowed.command}" was read as its value, and nothing as the command`,
      `give it one: hlcopy ${swallowed.option} ${VALUE_EXAMPLE[swallowed.option] ?? "…"} ${swallowed.command} … (or drop ${swallowed.option})`,
      { json, err },
    );
    return ExitCode.usage;
  }
  const argv = helpOfSubcommand(given, program);
  // Every command, not only the top level, reports its parse errors through us (commander
  // copies these settings only to subcommands created after they are set).
  forEachCommand(program, (cmd) => {
    cmd.exitOverride((error) => {
      throw new ParseFailure(error, cmd);
    });
    cmd.showSuggestionAfterError(true);
    // Silence commander's own error line: usageError() prints the contract's two lines. With
    // --json the error is one document on stdout and nothing else is said: the help commander
    // writes to stderr for a missing command (`hlcopy --json`, 60 lines) went too. Asked for
    // (`--json --help`) it still prints, on stdout.
    cmd.configureOutput({ outputError: () => {}, ...(json ? { writeErr: () => {} } : {}) });
  });
  // The command that runs (`agent approve`), for a hint that fits it (cli/rate-limit.ts).
  let running: string | null = null;
  program.hook("preAction", (_root, action) => {
    running = commandPath(action).replace(/^\S+ ?/, "");
  });
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : ExitCode.ok;
  } catch (error) {
    const failure = error instanceof ParseFailure ? error : null;
    const commanderError = failure?.error ?? (error instanceof CommanderError ? error : null);
    if (commanderError) {
      if (commanderError.code === "commander.helpDisplayed" || commanderError.code === "commander.version")
        return ExitCode.ok;
      if (commanderError.code === "commander.help" && commanderError.exitCode === 0) return ExitCode.ok;
      return usageError(commanderError, failure?.command ?? program, err, json, args);
    }
    const { hintFor } = await import("./rate-limit.js");
    const command = running;
    return reportError(error, {
      debug: argv.includes("--debug"),
      json,
      err,
      hint: (e) => hintFor(e, command),
    });
  }
}

/** The global options that take a value: what follows one is no command name. */
const VALUE_OPTIONS = new Set(["--network", "--config-dir", "--account"]);

/**
 * `hlcopy help agent approve` as `hlcopy agent approve --help`: commander's help command takes one
 * name and showed the `agent` group's help. A name that is no command (`help folow`, `help config
 * bogus`) is typed as the command itself, `hlcopy folow`, so it gets the error every unknown
 * command gets, with the closest name: commander's own help printed the whole root help first (or
 * the group's, exit 0).
 */
function helpOfSubcommand(argv: string[], program: Command): string[] {
  const args = argv.slice(2);
  const at = args.findIndex((a, i) => a === "help" && !VALUE_OPTIONS.has(args[i - 1] ?? ""));
  if (
    at === -1 ||
    args.slice(0, at).some((a, i) => !a.startsWith("-") && !VALUE_OPTIONS.has(args[i - 1] ?? ""))
  )
    return argv;
  const before = args.slice(0, at);
  const path = args.slice(at + 1).filter((a) => !a.startsWith("-"));
  let cmd: Command = program;
  for (const [i, name] of path.slice(0, 2).entries()) {
    const sub = cmd.commands.find((c) => c.name() === name);
    if (sub) {
      cmd = sub;
      continue;
    }
    // Only where there are commands to name: `help follow extra` stays commander's.
    if (cmd.commands.length === 0) break;
    return [...argv.slice(0, 2), ...before, ...path.slice(0, i + 1)];
  }
  if (path.length < 2 || cmd === program) return argv;
  return [...argv.slice(0, 2), ...before, ...args.slice(at + 1), "--help"];
}

function forEachCommand(cmd: Command, fn: (cmd: Command) => void): void {
  fn(cmd);
  for (const sub of cmd.commands) forEachCommand(sub, fn);
}

/** `hlcopy agent generate`: the command as a user types it. */
function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/**
 * The options an unknown one is part of, word for word: `--coins` is --allow-coins (or
 * --deny-coins), where commander's spelling distance offered --join; another word for one
 * (`--exclude`: OPTION_SYNONYMS) names it. Null when none has it (then
 * commander's own suggestion stands: a typo such as --max-leverag).
 */
function optionSuggestion(message: string, cmd: Command): string | null {
  const unknown = /unknown option '--([a-z0-9-]+)'/.exec(message)?.[1];
  if (!unknown) return null;
  const at = new RegExp(`(^|-)${unknown.replace(/[^a-z0-9-]/g, "")}(-|$)`);
  // The closest first: the word ending the name (--allow-coins), then the fewest words; two at most.
  const words = (name: string) => name.split("-").length;
  const names = cmd.options
    .filter((o) => !o.hidden && o.long && at.test(o.long.slice(2)))
    .map((o) => o.long as string)
    .sort(
      (a, b) =>
        Number(!a.endsWith(`-${unknown}`)) - Number(!b.endsWith(`-${unknown}`)) || words(a) - words(b),
    )
    .slice(0, 2);
  if (names.length === 0) {
    // Another word for one of its flags (`--exclude` for --deny-coins), when the command has it.
    const meant = Object.hasOwn(OPTION_SYNONYMS, unknown) ? OPTION_SYNONYMS[unknown] : undefined;
    return meant !== undefined && cmd.options.some((o) => !o.hidden && o.long === `--${meant}`)
      ? `--${meant}`
      : null;
  }
  return names.length === 1 ? (names[0] as string) : `${names.slice(0, -1).join(", ")} or ${names.at(-1)}`;
}

/**
 * The argument an unknown option names, when the command takes it as an argument: `--leader` or
 * `--leaders` where the command's argument is <leader…>, `--address` where it is <address…>.
 */
function addressAsOption(message: string, cmd: Command): string | null {
  const unknown = /unknown option '--([a-z]+)'/.exec(message)?.[1];
  if (!unknown) return null;
  const spellings: Record<string, string[]> = {
    leader: ["leader", "leaders"],
    address: ["address", "addresses", "leader", "leaders"],
  };
  for (const a of cmd.registeredArguments) {
    const name = a.name().replace(/es$/, ""); // scan's <addresses…>
    if (spellings[name]?.includes(unknown)) return name;
  }
  return null;
}

/** What each global option's value looks like, for the hint of one that took the command. */
const VALUE_EXAMPLE: Record<string, string> = {
  "--account": "0x…",
  "--network": "mainnet",
  "--config-dir": "~/.config/hlcopy",
};

/**
 * `hlcopy --account flatten --yes`: a global option given no value takes the command's name as
 * it, and commander then reported what followed — "unknown option '--yes'", or the whole help
 * with "hlcopy needs a command" — about a command the trader did type. Null when every global
 * option before the command has a value of its own.
 */
function commandTakenAsValue(
  args: readonly string[],
  program: Command,
): { option: string; command: string } | null {
  const names = new Set(program.commands.map((c) => c.name()));
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === "--") return null;
    if (a in VALUE_EXAMPLE) {
      const value = args[i + 1];
      // (`--config-dir demo status`: a directory named as a command, the command after it.)
      const after = args[i + 2];
      if (value !== undefined && names.has(value) && !(after !== undefined && names.has(after)))
        return { option: a, command: value };
      i++;
      continue;
    }
    // The command itself (or an argument commander will judge): the globals end here.
    if (!a.startsWith("-")) return null;
  }
  return null;
}

/**
 * A parse error as the contract wants it: exit 2, one `error:` line, one `hint:` line that
 * names the closest match when there is one, else the usage of the command (with --json, one
 * `error` document on stdout instead).
 */
export function usageError(
  error: CommanderError,
  cmd: Command,
  err: Writer,
  json = false,
  args: readonly string[] = [],
): number {
  const path = commandPath(cmd);
  const [first = "", ...rest] = error.message.split("\n");
  // Another word for a subcommand (agent status → show) first, then commander's nearest spelling.
  const typed =
    error.code === "commander.unknownCommand" ? /unknown command '([^']*)'/.exec(first)?.[1] : undefined;
  const synonym = typed === undefined ? null : synonymOf(path, typed);
  const suggestion =
    synonym !== null
      ? `${path} ${synonym}`
      : error.code === "commander.unknownOption"
        ? (optionSuggestion(first, cmd) ?? /^\(Did you mean (.*)\?\)$/.exec(rest.join(" ").trim())?.[1])
        : /^\(Did you mean (.*)\?\)$/.exec(rest.join(" ").trim())?.[1];
  let message = first.replace(/^error: /, "");
  let hint: string;
  if (error.code === "commander.help") {
    // A command group (or hlcopy itself) without a subcommand: commander has printed the help.
    const subs = cmd.commands.filter((c) => c.name() !== "help");
    const names = subs.map((c) => c.name()).join(", ");
    message = `${path} needs a command: ${names}`;
    // The example is one that runs as typed: the first subcommand that needs no argument.
    const example = subs.find((c) => c.registeredArguments.every((a) => !a.required)) ?? subs[0];
    hint = cmd.parent
      ? `for example: ${path} ${example?.name() ?? ""} (${path} --help shows them all)`
      : "start with: hlcopy demo (no keys, no network), or see hlcopy --help";
  } else if (
    error.code === "commander.unknownOption" &&
    !cmd.parent &&
    optionOfLaterCommand(first, cmd, args)
  ) {
    // `hlcopy --dry-run reconcile 0x…`: a command's option before the command.
    const owner = optionOfLaterCommand(first, cmd, args) as { flag: string; path: string };
    message = `${owner.flag} is an option of ${owner.path}, given before the command`;
    hint = `give it after the command: ${owner.path} … ${owner.flag} (only --network, --config-dir, --account, --json and --debug go before it)`;
  } else if (error.code === "commander.unknownOption" && addressAsOption(first, cmd)) {
    // `follow --leader 0x…`: the closest options by spelling were --allow-empty-leader (which
    // waives the never-traded check) and --leader-max-leverage — neither is what was meant.
    const arg = addressAsOption(first, cmd) as string;
    hint = `the ${arg} is an argument, not an option: ${path} 0x… (${path} --help shows examples)`;
  } else if (error.code === "commander.unknownOption" && optionOfSibling(first, cmd)) {
    // `reconcile --on-exit flatten`: an option of another command (follow's), not a typo —
    // commander's nearest spelling would offer some other flag of this one.
    const owner = optionOfSibling(first, cmd) as { flag: string; paths: string[] };
    message = `${owner.flag} is not an option of ${path}: ${listed(owner.paths)} ${owner.paths.length === 1 ? "takes" : "take"} it`;
    hint = `run it with ${owner.paths[0]}, or leave it out (${path} --help lists what ${path} accepts)`;
  } else if (suggestion !== undefined) {
    hint = `did you mean ${suggestion}? (${path} --help lists what it accepts)`;
  } else if (error.code === "commander.unknownCommand" || error.code === "commander.unknownOption") {
    hint = `${path} --help lists what it accepts`;
  } else {
    // `reconcile 0x1880… 5fb4`: an address typed with a space is two arguments to the shell.
    const meant =
      error.code === "commander.excessArguments"
        ? cmd.args.map((_, i) => splitAddressAt(cmd.args, i)).find((a) => a !== null)
        : undefined;
    hint = meant
      ? typedWithSpaceHint(meant)
      : `usage: ${path} ${cmd.usage()} (${path} --help shows examples)`;
  }
  printCommandError(message, hint, { json, err });
  return ExitCode.usage;
}

/**
 * The command typed after an option the root does not know, when that command (or its
 * subcommand) takes the option: `hlcopy --dry-run reconcile 0x…` → reconcile's --dry-run.
 */
function optionOfLaterCommand(
  message: string,
  program: Command,
  args: readonly string[],
): { flag: string; path: string } | null {
  const flag = /unknown option '(--?[^'=]+)/.exec(message)?.[1];
  if (!flag) return null;
  const at = args.indexOf(flag) === -1 ? args.findIndex((a) => a.startsWith(`${flag}=`)) : args.indexOf(flag);
  let cmd: Command | undefined;
  let path = "hlcopy";
  for (const a of args.slice(at + 1)) {
    if (a.startsWith("-")) continue;
    const sub = (cmd ?? program).commands.find((c) => c.name() === a);
    if (!sub) {
      if (cmd) break;
      continue;
    }
    cmd = sub;
    path = `${path} ${a}`;
    if (cmd.options.some((o) => o.long === flag || o.short === flag)) return { flag, path };
  }
  return null;
}

/**
 * The other commands beside `cmd` (its siblings: follow beside reconcile) that take the option
 * commander did not know on `cmd`, or null when none does.
 */
function optionOfSibling(message: string, cmd: Command): { flag: string; paths: string[] } | null {
  const flag = /unknown option '(--[^'=]+)/.exec(message)?.[1];
  if (!flag || !cmd.parent) return null;
  const paths = cmd.parent.commands
    .filter((c) => c !== cmd && c.options.some((o) => o.long === flag))
    .map((c) => commandPath(c));
  return paths.length > 0 ? { flag, paths } : null;
}

let brokenStdoutHandled = false;

/**
 * `hlcopy … | head`: once the reader is gone, stop instead of crashing on EPIPE. A running
 * follow stops as on a signal and says why on stderr (cli/run-engine.ts); a long-running
 * command without a run (demo, sim) stops as on SIGTERM; anything else ends now, with the exit
 * code it has so far (0 for help or a listing cut short). A terminal that closed (EIO: tmux
 * kill-session, a dropped ssh session) is the same stop as its SIGHUP, which may come after
 * the first failed write: no write error on stdout ever becomes a crash with a stack trace.
 */
function exitQuietlyOnBrokenStdout(): void {
  if (brokenStdoutHandled) return;
  brokenStdoutHandled = true;
  let broken = false;
  // stderr into a closed pipe too (`2>&1 | head`): nothing more can be said there; carry on.
  process.stderr.on("error", () => {});
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (broken) return;
    broken = true;
    const code = error.code ?? "write error";
    const kind = outputLostKind(code);
    if (outputLost(kind, code)) return;
    if (kind === "write") {
      // `hlcopy status --json > status.json` on a full disk: the output is incomplete. Exit 0
      // left a script reading an empty or cut file as if it were the status.
      printCommandError(
        `could not write the output (${writeFailure(code)}): what was written is incomplete`,
        "make room where the output goes (df -h shows the disks), then run it again",
        { json: false },
      );
      process.exitCode = ExitCode.runtime;
    }
    if (process.listenerCount("SIGTERM") > 0) process.emit("SIGTERM", "SIGTERM");
    else process.exit(typeof process.exitCode === "number" ? process.exitCode : ExitCode.ok);
  });
}
