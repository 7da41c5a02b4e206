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
the UTC day: realised − fees + funding + the change of unrealised P&L; the days add up to the
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
      if (opts.force === true && opts.csv === undefined) {
        // --force alone would be accepted and do nothing: it only says what --csv may replace.
        const { UsageError } = await import("../../core/errors.js");
        throw new UsageError("--force replaces the files of --csv, and no --csv is given", {
          hint: "e.g. hlcopy report --since 30d --csv copy.csv --force, or drop --force",
        });
      }
      if (opts.csv !== undefined && opts.csv.trim() === "") {
        // `--csv ""` (an unset variable in a script) would write nothing and say nothing.
        const { UsageError } = await import("../../core/errors.js");
        throw new UsageError(`invalid --csv "${opts.csv}": expected a file name`, {
          hint: "e.g. hlcopy report --since 30d --csv copy.csv (orders and funding go beside it)",
        });
      }
      if (opts.csv !== undefined) {
        // A directory (`--csv exports/`, `--csv /tmp`) would put FILE.csv and FILE-orders.csv
        // beside it, in its parent: not where the trader looks.
        const { statSync } = await import("node:fs");
        const bare = opts.csv.replace(/[/\\]+$/, "");
        if (
          bare !== opts.csv &&
          bare !== "" &&
          statSync(bare, { throwIfNoEntry: false })?.isFile() === true
        ) {
          // `--csv out.csv/` of an existing file was called a directory, its hint out.csv/copy.csv.
          const { UsageError } = await import("../../core/errors.js");
          throw new UsageError(
            `--csv ${opts.csv} ends with a slash, and ${bare} is a file, not a directory`,
            {
              hint: `e.g. --csv ${bare} (with --force to replace it), or another file name`,
            },
          );
        }
        const isDir =
          /[/\\]$/.test(opts.csv) || statSync(opts.csv, { throwIfNoEntry: false })?.isDirectory() === true;
        if (isDir) {
          const { UsageError } = await import("../../core/errors.js");
          const { join } = await import("node:path");
          throw new UsageError(`--csv ${opts.csv} is a directory: it takes a file name`, {
            hint: `e.g. --csv ${join(opts.csv, "copy.csv")} (orders and funding go beside it)`,
          });
        }
        // A path under a file (`--csv notes.txt/copy.csv`) failed at the write, exit 1, as
        // "EEXIST: file already exists, mkdir 'notes.txt'" and a hint to check the disk; an
        // existing directory it cannot write in, the same. Both are the path given: exit 2, said so.
        {
          const { accessSync, constants } = await import("node:fs");
          const { dirname, resolve } = await import("node:path");
          let up = dirname(resolve(opts.csv));
          while (statSync(up, { throwIfNoEntry: false }) === undefined && dirname(up) !== up)
            up = dirname(up);
          const { UsageError } = await import("../../core/errors.js");
          if (statSync(up, { throwIfNoEntry: false })?.isDirectory() === false)
            throw new UsageError(`--csv ${opts.csv}: ${up} is a file, not a directory`, {
              hint: "give --csv a path in a directory, e.g. --csv copy.csv",
            });
          try {
            accessSync(up, constants.W_OK);
          } catch {
            throw new UsageError(`--csv ${opts.csv}: cannot write in ${up} (permission denied)`, {
              hint: "give --csv a path in a directory you can write, e.g. --csv ~/copy.csv",
            });
          }
        }
        // An export over an earlier one replaced it without a word (last month's tax file): the
        // files that would be replaced are refused, none written, unless --force says so.
        if (opts.force !== true) {
          const { existsSync } = await import("node:fs");
          const { csvPaths } = await import("./run.js");
          const paths = csvPaths(opts.csv);
          const taken = [paths.fills, paths.orders, paths.funding].filter((f) => existsSync(f));
          if (taken.length > 0) {
            const { UsageError } = await import("../../core/errors.js");
            throw new UsageError(
              `--csv would overwrite ${taken.join(", ")}: ${taken.length === 1 ? "it exists" : "they exist"} already`,
              { hint: "give --csv another file name, or pass --force to replace the files" },
            );
          }
        }
      }
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
