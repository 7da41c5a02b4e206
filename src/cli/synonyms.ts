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

/** The subcommand `word` means under `command` ("hlcopy agent", "status" → "show"), or null. */
export function synonymOf(command: string, word: string): string | null {
  const table = COMMAND_SYNONYMS[command];
  return (table && Object.hasOwn(table, word.toLowerCase()) ? table[word.toLowerCase()] : null) ?? null;
}
