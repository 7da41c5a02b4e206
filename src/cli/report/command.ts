// `hlcopy report [--since 7d] [--csv FILE [--force]] [--json]` — the copy day by day, with charts and CSV.

import type { Command } from "commander";
import type { GlobalOptions } from "../context.js";
import { examples } from "../help.js";

export function register(program: Command): void {
  program
    .command("report")
    .description(
      "the copy day by day: equity, P&L, fees, funding, orders filled, the leader's trades, slippage, drift; equity and drawdown charts; CSV export",
    )
    .option(
      "--since <when>",
      "how far back: a span (12h, 7d, 30d, at most 3650d) or a UTC date or time (2026-12-01, 2026-12-01T09:30)",
      "7d",
    )
    .option(
      "--csv <file>",
      "also write fills to FILE (the columns a spreadsheet or tax tool imports), orders to FILE-orders.csv and funding to FILE-funding.csv",
    )
    .option(
      "--force",
      "with --csv: replace the files if they exist (refused otherwise: a second export overwrote the first)",
    )
    .option("--paper", "the paper account's days: what follow --paper runs made (their own journal)")
    .addHelpText(
      "after",
      `
Reads the journal only (no key, no network). A day's P&L is the change of the copy's P&L over
the UTC day: realized − fees + funding + the change of unrealized P&L; the days add up to the
window's. As in status, the copy's own: funding on its share of each position, a liquidation's
part of its positions (the CSVs keep the account's whole records, the copy's part beside). Orders filled are ours, of every kind (a flip is two); the leader's trades (one leader order's
fills each) are in follow's summary's buckets and words, counted by the same code from each
run's journal — not known for runs journaled before hlcopy kept the leader's fills.

${examples([
  ["hlcopy report"],
  ["hlcopy report --since 30d --csv copy-2026.csv", "fills, orders and funding for a tax tool"],
  ["hlcopy report --since 30d --csv copy-2026.csv --force", "the same export again, replacing its files"],
  ["hlcopy report --json | jq '.days[] | {day, pnlUsd}'", "the P&L of each day"],
  ["hlcopy report --since 2026-12-01", "the copy since 1 December, 00:00 UTC"],
  ["hlcopy report --paper --since 3d", "the paper account's last three days (follow --paper)"],
])}`,
    )
    .action(async (opts: { since: string; csv?: string; force?: boolean; paper?: boolean }, cmd: Command) => {
      // The file names --csv and --force ask for, refused before anything is read (csv-target.ts).
      const { checkCsvTarget } = await import("./csv-target.js");
      checkCsvTarget(opts.csv, opts.force === true);
      const { resolveContext, requireAccount } = await import("../context.js");
      const { parseSince } = await import("../span.js");
      const now = Date.now();
      const since = parseSince(opts.since, now, "hlcopy report --since 7d");
      const ctx = resolveContext(cmd.optsWithGlobals<GlobalOptions>());
      const { runReport } = await import("./run.js");
      await runReport({
        configDir: ctx.configDir,
        account: requireAccount(ctx),
        network: ctx.network.name,
        paper: opts.paper === true,
        json: ctx.json,
        since: since.from,
        now,
        ...(opts.csv === undefined ? {} : { csv: opts.csv }),
      });
    });
}
