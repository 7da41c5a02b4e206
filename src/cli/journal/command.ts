// `hlcopy journal [--since 1h] [--type orders] [--limit N] [--json]` — what hlcopy decided and did.

import type { Command } from "commander";
import type { GlobalOptions } from "../context.js";
import { examples } from "../help.js";

interface JournalOptions {
  since?: string;
  type?: string;
  limit?: string;
  paper?: boolean;
}

export function register(program: Command): void {
  program
    .command("journal")
    .description("list what hlcopy decided and did: runs, decisions, orders, fills, funding, halts, events")
    .option(
      "--since <when>",
      "only entries since a span back from now (30s, 15m, 1h, 2d; at most 3650d) or a UTC date or time (2026-12-01, 2026-12-01T09:30)",
    )
    .option(
      "--type <table>",
      "one kind: orders, decisions, fills, funding, halts, events or runs; warnings: what the runs warned about (of the events)",
    )
    .option("--limit <n>", "show the newest N entries (0 = all)", "50")
    .option("--paper", "list the paper journal: what follow --paper runs decided and did (their own file)")
    .addHelpText(
      "after",
      `
Entries are listed oldest first, each summed up in one line (a decision ends with the drift it
saw, a sweep or a run's end with the copy's drift, positions and P&L); --json prints every field,
as one JSON array (each entry has "table" and "ts"). Either way only the newest --limit entries
(50 unless told): a list cut short says so (--json: on stderr).
Dry runs are not journaled: they show their plan and keep nothing. Paper runs (follow --paper)
keep a journal of their own, beside the live one: --paper lists it.

${examples([
  ["hlcopy journal --since 1h --type orders"],
  ["hlcopy journal --type halts --limit 0"],
  ["hlcopy journal --type warnings --since 1d", "what the runs of the last day warned about"],
  ["hlcopy journal --paper --type orders --since 1h", "what the paper runs of the last hour did"],
  ["hlcopy journal --type fills --since 2025-01-02 --limit 0 --json | jq '.[].slippageBps'"],
])}`,
    )
    .action(async (opts: JournalOptions, cmd: Command) => {
      const { resolveContext } = await import("../context.js");
      const ctx = resolveContext(cmd.optsWithGlobals<GlobalOptions>());
      const { runJournal } = await import("./run.js");
      await runJournal({
        configDir: ctx.configDir,
        account: ctx.account,
        network: ctx.network.name,
        json: ctx.json,
        since: opts.since,
        type: opts.type,
        limit: opts.limit,
        paper: opts.paper === true,
      });
    });
}
