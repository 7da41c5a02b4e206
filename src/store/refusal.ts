// The last refused start of a live run (follow or reconcile; cli/refusal.ts keeps it), kept
// beside the account's journal. A run refused before it could send (a start check, the approval,
// the history check) leaves the journal as it was — none is created for it — so `status` would
// otherwise go on showing the run before it as the last word. This small file says that the last
// attempt was refused, why, and what to do; a run that starts after it makes it old news (status
// compares the times).

import { readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { writeFileAtomic } from "./fs-atomic.js";

export interface RefusalRecord {
  /** The command that was refused: "follow" or "reconcile" (live runs only). */
  command: string;
  /** When (ms). */
  at: number;
  exitCode: number;
  /** The error line, and the hint line when there was one. */
  reason: string;
  hint: string | null;
}

/**
 * The file beside a journal that keeps its account's last refusal: `last-refusal-<network and
 * account>.json` (no `journal-` name: it is no journal, and no journal is created for a refusal).
 */
export function refusalPath(journalFile: string): string {
  const name = basename(journalFile)
    .replace(/^journal-/, "")
    .replace(/\.sqlite$/, "");
  return join(dirname(journalFile), `last-refusal-${name}.json`);
}

/** Keep `record` as the account's last refusal (atomic; private mode). @throws the fs error. */
export async function recordRefusal(journalFile: string, record: RefusalRecord): Promise<void> {
  await writeFileAtomic(refusalPath(journalFile), `${JSON.stringify(record)}\n`);
}

/** The account's last refusal; null when none was kept or the file is not one (never throws). */
export function readRefusal(journalFile: string): RefusalRecord | null {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(refusalPath(journalFile), "utf8"));
  } catch {
    return null;
  }
  if (typeof raw !== "object" || raw === null) return null;
  const r = raw as Record<string, unknown>;
  if (
    typeof r.command !== "string" ||
    typeof r.at !== "number" ||
    typeof r.exitCode !== "number" ||
    typeof r.reason !== "string" ||
    !(typeof r.hint === "string" || r.hint === null)
  )
    return null;
  return { command: r.command, at: r.at, exitCode: r.exitCode, reason: r.reason, hint: r.hint };
}
