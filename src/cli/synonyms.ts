// Words a trader may type for a command that is named otherwise: `hlcopy agent status` is
// `hlcopy agent show`. Commander's did-you-mean catches typos (generte → generate), not another
// word for the same thing. Only a hint (cli.ts usageError: exit 2, nothing runs) — never an alias
// that runs: a command has one name, in --help, the README and every script.

/** By command (as typed: "hlcopy agent"), the words that mean one of its subcommands. */
export const COMMAND_SYNONYMS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  hlcopy: {
    setup: "init",
    copy: "follow",
    sync: "reconcile",
    unpause: "resume",
    log: "journal",
    logs: "journal",
    history: "journal",
  },
  "hlcopy agent": {
    status: "show",
    info: "show",
    list: "show",
    ls: "show",
    new: "generate",
    create: "generate",
    add: "generate",
    delete: "remove",
    rm: "remove",
    del: "remove",
  },
  "hlcopy config": {
    show: "list",
    ls: "list",
    all: "list",
    delete: "unset",
    remove: "unset",
    rm: "unset",
    reset: "unset",
    where: "path",
    file: "path",
  },
};

/**
 * Option names a trader may type for a setting flag named otherwise (without the dashes): the
 * words other copy bots use for the coin lists and the stops. Only a hint, as above: `--exclude
 * BTC` is "did you mean --deny-coins?", never run. Words that are part of a flag's name
 * (`--coins`, `--stop-loss`) are found by that (cli.ts optionSuggestion); these are not.
 */
export const OPTION_SYNONYMS: Readonly<Record<string, string>> = {
  exclude: "deny-coins",
  blacklist: "deny-coins",
  blocklist: "deny-coins",
  include: "allow-coins",
  only: "allow-coins",
  whitelist: "allow-coins",
  allowlist: "allow-coins",
  sl: "stop-loss-pct",
  tp: "take-profit-pct",
};

/** The subcommand `word` means under `command` ("hlcopy agent", "status" → "show"), or null. */
export function synonymOf(command: string, word: string): string | null {
  const table = COMMAND_SYNONYMS[command];
  return (table && Object.hasOwn(table, word.toLowerCase()) ? table[word.toLowerCase()] : null) ?? null;
}
