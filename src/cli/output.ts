// Output helpers shared by commands: JSON for scripts, tables for people, and the
// top-level error printer (one `error:` line, one `hint:` line, no stack unless --debug).

import { hidePrivateKeys } from "../core/address.js";
import { type HlcopyError, toHlcopyError } from "../core/errors.js";

export interface Writer {
  write(text: string): unknown;
}

export function printJson(value: unknown, out: Writer = process.stdout): void {
  out.write(`${JSON.stringify(value)}\n`);
}

/**
 * One JSON document of a command, in the contract every JSON line follows: `ts` (when, ms since
 * the epoch) and `type` (what it is) first. docs/events.md lists them.
 */
export function printDocument(
  type: string,
  value: object,
  out: Writer = process.stdout,
  now: number = Date.now(),
): void {
  // ts and type lead, and are ours even if the value had fields of those names.
  printJson(Object.assign({ ts: now, type }, value, { ts: now, type }), out);
}

/** The width a table fits when the terminal's is not known (a pipe, a file, cron's log). */
export const TABLE_WIDTH = 80;

/**
 * The columns a command's text fits: the terminal's, else TABLE_WIDTH (a pipe, a file, cron's
 * log) — as its tables do. Lines are broken to it by ui/format.ts wrapToWidth.
 */
export function outputWidth(): number {
  return process.stdout.columns || TABLE_WIDTH;
}

/**
 * A cli-table3 table (loaded lazily; only table-printing commands pay for it). With `wrapLast`
 * every column is as wide as its content except the last, which takes at most what is left of
 * `width` (default: the terminal's, else 80 columns) and wraps there. A table is only as wide as
 * its content needs: the width is a limit, never a target (a short last column is not padded out).
 */
export async function renderTable(
  head: string[],
  rows: (string | number)[][],
  options: { wrapLast?: boolean; width?: number } = {},
): Promise<string> {
  const { default: Table } = await import("cli-table3");
  const colWidths = options.wrapLast ? wrapLastWidths(head, rows, options.width) : undefined;
  const table = new Table({
    head,
    style: { head: [], border: [] },
    ...(colWidths ? { colWidths, wordWrap: true } : {}),
  });
  for (const row of rows) table.push(row.map((c) => String(c)));
  return table.toString();
}

/**
 * A table's column widths when its last column wraps (renderTable's and compactTable's
 * `wrapLast`): each column as wide as its content, the last at most what is left of `width`
 * (default outputWidth()) but never under 20 — a column of words wrapped narrower is
 * unreadable. Undefined for a table with no column.
 */
export function wrapLastWidths(
  head: readonly string[] | null,
  rows: readonly (readonly (string | number)[])[],
  width: number = outputWidth(),
): number[] | undefined {
  const columns = Math.max(head?.length ?? 0, ...rows.map((r) => r.length));
  if (columns === 0) return undefined;
  const widths = Array.from(
    { length: columns },
    (_, i) => Math.max([...(head?.[i] ?? "")].length, ...rows.map((r) => [...String(r[i] ?? "")].length)) + 2,
  );
  const used = widths.slice(0, -1).reduce((a, b) => a + b, 0) + columns + 1;
  const natural = widths[widths.length - 1] ?? 0;
  widths[widths.length - 1] = Math.min(natural, Math.max(20, width - used));
  return widths;
}

/**
 * The error a command ends on, printed once: with --json one `error` document on stdout (the
 * shape of follow's error lines; nothing else about it is printed), else the `error:` and
 * `hint:` lines on stderr. Anything with a private key's form in them (a key pasted in place of
 * an address, a command or a value, that the message quotes back) is not shown.
 */
export function printCommandError(
  given: string,
  givenHint: string | undefined,
  options: { json: boolean; err?: Writer; out?: Writer },
): void {
  const message = hidePrivateKeys(given);
  const hint = givenHint === undefined ? undefined : hidePrivateKeys(givenHint);
  if (options.json) {
    printDocument("error", { message, ...(hint ? { hint } : {}), fatal: true }, options.out);
    return;
  }
  const err = options.err ?? process.stderr;
  err.write(`error: ${message}\n`);
  if (hint) err.write(`hint: ${hint}\n`);
}

/** Print an error the way the CLI contract says, and return the exit code to use. */
export function reportError(
  error: unknown,
  options: {
    debug: boolean;
    json?: boolean;
    err?: Writer;
    out?: Writer;
    /** The hint to print instead of the error's own (the command's, for a rate limit). */
    hint?: (e: HlcopyError) => string | undefined;
  },
): number {
  const err = options.err ?? process.stderr;
  const e: HlcopyError = toHlcopyError(error);
  printCommandError(e.message, options.hint ? options.hint(e) : e.hint, {
    json: options.json === true,
    err,
    ...(options.out ? { out: options.out } : {}),
  });
  if (options.debug) {
    const stack = (e.cause instanceof Error ? e.cause.stack : undefined) ?? e.stack;
    if (stack) err.write(`${hidePrivateKeys(stack)}\n`);
    if (Object.keys(e.details).length > 0)
      err.write(`details: ${hidePrivateKeys(JSON.stringify(e.details))}\n`);
  }
  return e.exitCode;
}

/** A word as a shell reads it back: as it is when plain, else in single quotes (for hints to copy). */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_.@%+=:,/-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
