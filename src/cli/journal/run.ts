// `hlcopy journal`: list what hlcopy decided and did for one account, as a table for people
// or one JSON array for scripts. Reading only; a missing journal is an empty result, not an error.

import { existsSync, readdirSync } from "node:fs";
import { UsageError } from "../../core/errors.js";
import { shownFigures } from "../../core/format.js";
import type { Address } from "../../core/types.js";
import {
  foreignNetworkRuns,
  type JournalEntry,
  journalPath,
  openJournal,
  paperJournalPath,
  unmovedJournal,
} from "../../store/journal.js";
import { wrapToWidth } from "../../ui/format.js";
import { outputWidth, printJson, renderTable, type Writer } from "../output.js";
import { journalOnDisk, networkName, otherNetworksClause } from "../status/run.js";
import { entryRow, formatTime, parseJournalKind, parseLimit, parseSince } from "./format.js";

export const DEFAULT_LIMIT = 50;

export interface RunJournalParameters {
  configDir: string;
  /** The follower account; null when none is configured (a usage error). */
  account: string | null;
  /** The network asked about (a name or API URL; default mainnet): its journal is listed. */
  network?: string;
  /** `--paper`: the paper journal (`follow --paper` runs' own file) instead of the live one. */
  paper?: boolean;
  /** Where a warning or note goes (a journal shared with another network, a list cut by --limit): default stderr. */
  warn?: Writer;
  json: boolean;
  /** Raw `--since` (30s, 15m, 1h, 2d or an ISO time). */
  since?: string | undefined;
  /** Raw `--type` (orders, decisions, fills, funding, halts, events, runs; warnings: of the events, the warnings). */
  type?: string | undefined;
  /** Raw `--limit` (0 = all; default 50). */
  limit?: string | number | undefined;
  out?: Writer;
  /** Clock for `--since` durations (tests). */
  now?: number;
  /** Table width (tests); defaults to the terminal's. */
  width?: number;
}

export interface RunJournalResult {
  entries: JournalEntry[];
  /** The journal file, or null when it does not exist yet. */
  path: string | null;
}

/** Accounts that have a journal in this config directory (on any network), for the hint when none is given. */
function knownAccounts(configDir: string): string[] {
  try {
    const accounts = readdirSync(configDir)
      .map((f) => /^journal-(?:.+-)?(0x[0-9a-f]{40})\.sqlite$/.exec(f)?.[1])
      .filter((a): a is string => a !== undefined);
    return [...new Set(accounts)].sort();
  } catch {
    return [];
  }
}

/**
 * @throws {UsageError} for a bad --since/--type/--limit or no account;
 *   {ConfigError} for a corrupt journal (the file is left alone).
 */
export async function runJournal(p: RunJournalParameters): Promise<RunJournalResult> {
  const out = p.out ?? process.stdout;
  const now = p.now ?? Date.now();
  // Validate every flag before touching anything.
  const since = p.since === undefined ? undefined : parseSince(p.since, now);
  const kind = p.type === undefined ? undefined : parseJournalKind(p.type);
  const table = kind?.table;
  const limit = p.limit === undefined ? DEFAULT_LIMIT : parseLimit(p.limit);
  if (!p.account) {
    const known = knownAccounts(p.configDir);
    throw new UsageError("no follower account configured: which account's journal?", {
      hint:
        known.length > 0
          ? `pass --account with one of: ${known.join(", ")}`
          : "pass --account 0x… (or set HLCOPY_ACCOUNT, or run hlcopy init)",
    });
  }
  const account = p.account.toLowerCase();
  const network = p.network ?? "mainnet";
  const paper = p.paper === true;
  const file = paper
    ? paperJournalPath(p.configDir, account, network)
    : journalPath(p.configDir, account, network);

  if (!journalOnDisk(file)) {
    // A paper journal never was in a file shared between networks (paper runs kept their own).
    const unmoved = paper ? null : unmovedJournal(p.configDir, account, network);
    if (unmoved) throw unmoved;
    // Not an error: nothing has run for this account yet (or it is a typo, or another network:
    // say where we looked, and what there is elsewhere).
    // The other networks by the name --network takes (as status names them), not by file name.
    if (p.json) printJson([], out);
    else
      out.write(
        paper
          ? `no paper journal for ${account} on ${networkName(network)} yet (looked for ${file}); follow --paper creates it\n`
          : `no journal for ${account} on ${networkName(network)} yet (looked for ${file}); reconcile and follow create it${otherNetworksClause(p.configDir, account as Address, network)}${existsSync(paperJournalPath(p.configDir, account, network)) ? `; its paper runs' journal: add --paper` : ""}\n`,
      );
    return { entries: [], path: null };
  }

  const journal = openJournal(file);
  // A journal an older hlcopy shared between networks is listed as it is (it is how the trader
  // sees what it holds), and said so first: the commands that trade refuse it.
  const mixed = foreignNetworkRuns(journal, network, account);
  if (mixed) (p.warn ?? process.stderr).write(`warning: ${mixed.message}\nhint: ${mixed.hint}\n`);
  let entries: JournalEntry[];
  try {
    // Dry runs are not journaled; those an older hlcopy wrote are left out as well.
    // One more than --limit: a list of exactly N entries was said cut ("the newest 2; --limit to
    // see more") with nothing more to see.
    const limited = Number.isFinite(limit) && limit > 0;
    entries = journal.listEntries({
      since,
      table,
      limit: limited ? limit + 1 : limit,
      trading: true,
      ...(kind?.eventTypes ? { eventTypes: kind.eventTypes } : {}),
    });
  } finally {
    journal.close();
  }

  // Cut by --limit: said beside the list (on stderr for --json: the array stays what it is).
  const cut = Number.isFinite(limit) && limit > 0 && entries.length > limit;
  // Oldest first: the one over the limit is the oldest.
  if (cut) entries = entries.slice(entries.length - limit);
  if (p.json) {
    printJson(shownFigures(entries), out);
    if (cut)
      (p.warn ?? process.stderr).write(
        `note: the newest ${limit === 1 ? "entry" : `${limit} entries`} only; --limit 0 for all (or --type/--since to narrow)\n`,
      );
    return { entries, path: file };
  }
  if (entries.length === 0) {
    const scope = [
      kind?.eventTypes ? "warnings" : (table ?? "entries"),
      since === undefined ? "" : `since ${formatTime(since)}`,
    ]
      .filter(Boolean)
      .join(" ");
    out.write(`${wrapToWidth(`no ${scope} in ${file}`, p.width ?? outputWidth())}\n`);
    return { entries, path: file };
  }
  const rows = entries.map(entryRow);
  const text = await renderTable(
    ["time (UTC)", "type", "coin", "what"],
    rows.map((r) => [r.time, r.type, r.coin, r.summary]),
    { wrapLast: true, ...(p.width === undefined ? {} : { width: p.width }) },
  );
  out.write(`${text}\n`);
  const more = cut ? ` (the newest ${limit}; --limit to see more)` : "";
  // Within the table's width, broken at its separators: the journal's path made it 130 wide.
  const footer = `${entries.length} ${entries.length === 1 ? "entry" : "entries"}${more} · ${file}`;
  out.write(`${wrapToWidth(footer, p.width ?? outputWidth())}\n`);
  return { entries, path: file };
}
