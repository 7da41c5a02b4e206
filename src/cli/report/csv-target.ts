// The files `report --csv FILE [--force]` would write, checked before anything is read: a path
// the export cannot go to, or an earlier export it would replace unasked, is the command line's
// mistake (exit 2), not a disk failure met halfway through the write.

import { accessSync, constants, existsSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { UsageError } from "../../core/errors.js";
import { csvPaths } from "./run.js";

/**
 * @throws {UsageError} (exit 2) for `--force` without `--csv`, an empty name, a directory, a path
 *   under a file or in a directory that cannot be written, and files of an earlier export
 *   without `--force`.
 */
export function checkCsvTarget(csv: string | undefined, force: boolean): void {
  if (csv === undefined) {
    // --force alone would be accepted and do nothing: it only says what --csv may replace.
    if (force)
      throw new UsageError("--force replaces the files of --csv, and no --csv is given", {
        hint: "e.g. hlcopy report --since 30d --csv copy.csv --force, or drop --force",
      });
    return;
  }
  if (csv.trim() === "") {
    // `--csv ""` (an unset variable in a script) would write nothing and say nothing.
    throw new UsageError(`invalid --csv "${csv}": expected a file name`, {
      hint: "e.g. hlcopy report --since 30d --csv copy.csv (orders and funding go beside it)",
    });
  }
  // A directory (`--csv exports/`, `--csv /tmp`) would put FILE.csv and FILE-orders.csv
  // beside it, in its parent: not where the trader looks.
  const bare = csv.replace(/[/\\]+$/, "");
  if (bare !== csv && bare !== "" && statSync(bare, { throwIfNoEntry: false })?.isFile() === true) {
    // `--csv out.csv/` of an existing file was called a directory, its hint out.csv/copy.csv.
    throw new UsageError(`--csv ${csv} ends with a slash, and ${bare} is a file, not a directory`, {
      hint: `e.g. --csv ${bare} (with --force to replace it), or another file name`,
    });
  }
  if (/[/\\]$/.test(csv) || statSync(csv, { throwIfNoEntry: false })?.isDirectory() === true) {
    throw new UsageError(`--csv ${csv} is a directory: it takes a file name`, {
      hint: `e.g. --csv ${join(csv, "copy.csv")} (orders and funding go beside it)`,
    });
  }
  // A path under a file (`--csv notes.txt/copy.csv`) failed at the write, exit 1, as
  // "EEXIST: file already exists, mkdir 'notes.txt'" and a hint to check the disk; an
  // existing directory it cannot write in, the same. Both are the path given: exit 2, said so.
  let up = dirname(resolve(csv));
  while (statSync(up, { throwIfNoEntry: false }) === undefined && dirname(up) !== up) up = dirname(up);
  if (statSync(up, { throwIfNoEntry: false })?.isDirectory() === false)
    throw new UsageError(`--csv ${csv}: ${up} is a file, not a directory`, {
      hint: "give --csv a path in a directory, e.g. --csv copy.csv",
    });
  try {
    accessSync(up, constants.W_OK);
  } catch {
    throw new UsageError(`--csv ${csv}: cannot write in ${up} (permission denied)`, {
      hint: "give --csv a path in a directory you can write, e.g. --csv ~/copy.csv",
    });
  }
  // An export over an earlier one replaced it without a word (last month's tax file): the
  // files that would be replaced are refused, none written, unless --force says so.
  if (force) return;
  const paths = csvPaths(csv);
  const taken = [paths.fills, paths.orders, paths.funding].filter((f) => existsSync(f));
  if (taken.length > 0) {
    throw new UsageError(
      `--csv would overwrite ${taken.join(", ")}: ${taken.length === 1 ? "it exists" : "they exist"} already`,
      { hint: "give --csv another file name, or pass --force to replace the files" },
    );
  }
}
