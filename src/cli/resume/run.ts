// `hlcopy resume`: clear a safety halt (or follow again a leader its own limit stopped) in the
// journal, and resume a paused running follow. No key and no network, like `status`.

import { UsageError } from "../../core/errors.js";
import { fixed } from "../../core/format.js";
import type { Address } from "../../core/types.js";
import { type LeaderStop, leaderStopKey } from "../../engine/leader-guard.js";
import { printDocument, type Writer } from "../output.js";
import { openExisting } from "../status/run.js";

/**
 * `hlcopy resume --leader <addr>`: follow a leader again that its own drawdown limit or a
 * liquidation pause unfollowed. Deletes its record (a running follow takes it up at its next
 * sweep) and its copy's book (its high-water mark starts again). Halts are not touched.
 * @throws {UsageError} when not confirmed off a terminal without --yes (nothing changed).
 */
export async function runResumeLeader(p: {
  configDir: string;
  account: Address;
  /** The network (a name or API URL; default mainnet): its journal is changed. */
  network?: string;
  leader: Address;
  json: boolean;
  yes: boolean;
  out?: Writer;
  now?: number;
}): Promise<void> {
  const out = p.out ?? process.stdout;
  const opened = openExisting(p.configDir, p.account, p.network);
  const key = leaderStopKey(p.leader);
  const stop = opened?.journal.getCopyState<LeaderStop>(key) ?? null;
  if (!opened || !stop) {
    opened?.journal.close();
    if (p.json)
      printDocument("resume", { account: p.account, leader: p.leader, resumed: false, kind: null }, out);
    else out.write(`leader ${p.leader} is followed: nothing to resume\n`);
    return;
  }
  const { journal } = opened;
  try {
    const question = `Leader ${p.leader} is not followed (${stop.kind}): ${stop.reason}. Follow it again? [y/N] `;
    if (!(await confirmed(p.yes, question, "refusing to resume the leader without confirmation", out)))
      return;
    const now = p.now ?? Date.now();
    journal.batch(() => {
      journal.setCopyState(key, null, now);
      const books = journal.getCopyState<{ books: Record<string, unknown>; shares: unknown }>(
        "leaders:books",
      );
      if (books?.books[p.leader.toLowerCase()]) {
        const { [p.leader.toLowerCase()]: _old, ...rest } = books.books;
        journal.setCopyState("leaders:books", { ...books, books: rest }, now);
      }
      journal.recordEvent({
        ts: now,
        type: "leaderResumed",
        data: { leader: p.leader, kind: stop.kind, how: "resume" },
      });
    });
    if (p.json)
      printDocument(
        "resume",
        { account: p.account, leader: p.leader, resumed: true, kind: stop.kind },
        out,
        now,
      );
    else
      out.write(
        `following leader ${p.leader} again (was not followed: ${stop.kind}); a running follow takes it up at its next sweep, its copy's high-water mark starts again\n`,
      );
  } finally {
    journal.close();
  }
}

/**
 * Clear every active halt and restart the high-water mark at the latest equity.
 * @throws {UsageError} when not confirmed off a terminal without --yes (nothing changed).
 */
export async function runResume(p: {
  configDir: string;
  account: Address;
  /** The network (a name or API URL; default mainnet): its journal is changed. */
  network?: string;
  json: boolean;
  yes: boolean;
  out?: Writer;
  now?: number;
  /**
   * Resume a paused running follow or drop a recorded pause (hlcopy resume, issue 18); called
   * only once the halt (if any) is confirmed, so a refused resume changes nothing.
   */
  resumeFollow?: () => Promise<{ did: string; line: string; pid?: number } | null>;
}): Promise<void> {
  const out = p.out ?? process.stdout;
  // As pause, flatten and stop say it (--json: running, did, pid); `follow` kept for scripts
  // that read it before.
  let follow: { running: boolean; did: string; pid?: number; follow?: string } = {
    running: false,
    did: "nothing",
  };
  const resumeFollow = async () => {
    const f = (await p.resumeFollow?.()) ?? null;
    if (f)
      follow = {
        running: f.pid !== undefined,
        did: f.did,
        ...(f.pid !== undefined ? { pid: f.pid } : {}),
        follow: f.did,
      };
    if (f && !p.json) out.write(`${f.line}\n`);
    return f;
  };
  const opened = openExisting(p.configDir, p.account, p.network);
  const halt = opened?.journal.activeHalt() ?? null;
  if (!opened || !halt) {
    opened?.journal.close();
    const f = await resumeFollow();
    if (p.json) printDocument("resume", { account: p.account, cleared: 0, hwm: null, ...follow }, out);
    else if (!f) out.write(`not halted: nothing to resume for ${p.account}\n`);
    return;
  }
  const { journal } = opened;
  try {
    const question = `Halted (${halt.kind}): ${halt.reason}. Resume trading? [y/N] `;
    if (!(await confirmed(p.yes, question, "refusing to resume without confirmation", out))) return;
    const now = p.now ?? Date.now();
    const cleared = journal.clearHalts(now);
    const equity = journal.latestEquity();
    const hwm = equity ? journal.resetHighWaterMark(now, equity.accountValue).hwm : null;
    journal.recordEvent({ ts: now, type: "resume", data: { cleared, hwm } });
    // After the journal's halt is cleared, so a running follow that reads it drops its own.
    await resumeFollow();
    if (p.json) printDocument("resume", { account: p.account, cleared, hwm, ...follow }, out, now);
    else {
      out.write(
        `resumed: cleared ${cleared} halt(s) (${halt.kind}: ${halt.reason})${
          hwm === null ? "" : `; high-water mark restarts at ${fixed(hwm)} USD`
        }\n`,
      );
    }
  } finally {
    journal.close();
  }
}

/**
 * The trader's yes: `--yes`, or a y on the terminal ("not resumed" on anything else).
 * @throws {UsageError} without a terminal to ask on (exit 2: pass --yes).
 */
async function confirmed(yes: boolean, question: string, refusal: string, out: Writer): Promise<boolean> {
  if (yes) return true;
  const { createPrompt } = await import("../../store/secrets.js");
  const prompt = createPrompt();
  try {
    if (!prompt.interactive) throw new UsageError(refusal, { hint: "run it on a terminal, or pass --yes" });
    if (await prompt.confirm(question)) return true;
    out.write("not resumed\n");
    return false;
  } finally {
    prompt.close();
  }
}
