// `hlcopy resume`: clear a safety halt (or follow again a leader its own limit stopped) in the
// journal, and resume a paused running follow. No key and no network, like `status`.

import { OperationalError, UsageError } from "../../core/errors.js";
import { fmtAge, fmtUsd, listed, roundFigure } from "../../core/format.js";
import type { Address } from "../../core/types.js";
import { type LeaderStop, leaderStopKey } from "../../engine/leader-guard.js";
import type { Journal } from "../../store/journal.js";
import type { ResumeFollowOutcome } from "../control/run.js";
import { printDocument, type Writer } from "../output.js";
import {
  againWithConfigDir,
  currentRun,
  holdersByConfigDir,
  type LockHolderView,
  openExisting,
  startingHolder,
} from "../status/run.js";

/**
 * Before resume does anything: an hlcopy running for the account with another config directory
 * keeps its halts and leaders in its own journal. When that journal holds what resume would
 * clear (`what` finds it: a halt, the leader's stop), resume here cannot — it would clear another
 * journal's, or find none and say "nothing to resume" — so it says so, with the command that
 * reaches it. Otherwise resume goes on: the running follow is reached through its socket
 * whatever the config directory, and this directory's journal is this directory's.
 * @throws {OperationalError} (exit 1; nothing changed) naming its pid and config directory.
 */
function refuseOtherConfigDir(
  p: {
    configDir: string;
    account: Address;
    network?: string;
    lockHolders?: readonly LockHolderView[];
    /** The command to run again, as the trader typed it. */
    again: string;
    /** The paper account's journal there (resume --paper). */
    paper?: boolean;
  },
  what: (journal: Journal) => string | null,
): void {
  const { elsewhere } = holdersByConfigDir(p.lockHolders, p.configDir);
  if (!elsewhere) return;
  let found: string | null = null;
  try {
    const opened = openExisting(elsewhere.configDir, p.account, p.network, { paper: p.paper === true });
    if (!opened) return;
    try {
      found = what(opened.journal);
    } finally {
      opened.journal.close();
    }
  } catch {
    return; // unreadable from here: resume goes on with its own journal, as before
  }
  if (!found) return;
  const { pid, command, configDir } = elsewhere;
  throw new OperationalError(
    `a ${command} (pid ${pid}) is running for ${p.account} on ${p.network ?? "mainnet"} with config directory ${configDir}: its journal is there, ${found} — this resume reads ${p.configDir}: nothing was done`,
    {
      hint: `run it with that config directory: ${againWithConfigDir(configDir, p.again.replace(/^hlcopy /, ""))}`,
      details: { pid, command, configDir },
    },
  );
}

/**
 * Before resume writes the journal: an hlcopy at its start that holds it — a follow or
 * reconcile waiting at its review or passphrase prompt keeps its write lock until the answer
 * (Journal.hold) — is said at once, instead of waiting for the lock and failing as "locked by
 * another program". Not a holder at its start, or another program holding it: the write waits
 * as every journal write does.
 * @throws {OperationalError} (exit 1; nothing changed) naming its pid and what to do.
 */
function refuseWhileHeldAtStart(
  journal: Journal,
  p: {
    configDir: string;
    account: Address;
    network?: string;
    lockHolders?: readonly LockHolderView[];
    /** The command to run again, as the trader typed it. */
    again: string;
  },
): void {
  // Of this journal: a holder of the same config directory (or of an unknown one, an older lock).
  const { ours } = holdersByConfigDir(p.lockHolders, p.configDir);
  if (ours.length === 0 || !journal.writeLockedElsewhere()) return;
  const holder = startingHolder(ours, currentRun(journal));
  if (!holder) return;
  throw heldAtStart(holder, p.account, p.network ?? "mainnet", p.again);
}

/**
 * Resume's writes, in one batch. One that waited out the journal's lock because an hlcopy began
 * its start meanwhile (after the check, while the trader answered) fails as that says, not as
 * "locked by another program".
 */
function writeHeld<T>(journal: Journal, p: Parameters<typeof refuseWhileHeldAtStart>[1], write: () => T): T {
  try {
    return journal.batch(write);
  } catch (error) {
    refuseWhileHeldAtStart(journal, p);
    throw error;
  }
}

/** What resume says while an hlcopy at its start holds the journal. */
function heldAtStart(
  holder: { pid: number; command: string },
  account: Address,
  network: string,
  again: string,
): OperationalError {
  const { pid, command } = holder;
  const acct = `${account} on ${network}`;
  const details = { pid, command };
  // follow and reconcile ask (the review, the passphrase); anything else is at its start checks.
  const asks = command === "follow" || command === "reconcile";
  if (!asks) {
    return new OperationalError(
      `hlcopy ${command} (pid ${pid}) is starting for ${acct} and holds its journal until it may send: nothing was done`,
      { hint: `run ${again} again once it has ended`, details },
    );
  }
  const message = `the ${command} (pid ${pid}) for ${acct} is waiting at its review or passphrase prompt (or finishing its start checks) and holds the journal until then: nothing was done`;
  if (command === "reconcile") {
    return new OperationalError(message, {
      hint: `answer its prompt in that terminal (or Ctrl-C there), then run ${again} again`,
      details,
    });
  }
  return new OperationalError(message, {
    hint: `answer its prompt in that terminal first: no (or Ctrl-C there, or hlcopy stop), then ${again} and follow again — or yes, then ${again} reaches the running follow`,
    details,
  });
}

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
  /** The processes holding the account's run lock on this network: one at its start holds the journal. */
  lockHolders?: readonly LockHolderView[];
  out?: Writer;
  now?: number;
}): Promise<void> {
  const out = p.out ?? process.stdout;
  refuseOtherConfigDir({ ...p, again: `hlcopy resume --leader ${p.leader}` }, (j) => {
    const there = j.getCopyState<LeaderStop>(leaderStopKey(p.leader));
    return there ? `with leader ${p.leader} not followed (${there.kind})` : null;
  });
  const opened = openExisting(p.configDir, p.account, p.network);
  const key = leaderStopKey(p.leader);
  const stop = opened?.journal.getCopyState<LeaderStop>(key) ?? null;
  if (!opened || !stop) {
    // A leader this account never followed here is a typo (or another account's, another
    // network's leader), not one "followed": said so, with the ones it did follow.
    const followed = opened?.journal.followedLeaders() ?? [];
    opened?.journal.close();
    if (!followed.includes(p.leader.toLowerCase() as Address))
      throw new UsageError(
        `leader ${p.leader} was never followed by ${p.account} on this network: nothing to resume`,
        {
          hint:
            followed.length > 0
              ? `the leaders its runs followed: ${listed(followed)} — check the address (or --account / --network)`
              : "no run has followed a leader for this account here yet — check --account and --network",
        },
      );
    if (p.json)
      printDocument("resume", { account: p.account, leader: p.leader, resumed: false, kind: null }, out);
    else out.write(`leader ${p.leader} is followed: nothing to resume\n`);
    return;
  }
  const { journal } = opened;
  try {
    // Said before asking: a yes could not be written while it holds the journal.
    refuseWhileHeldAtStart(journal, { ...p, again: `hlcopy resume --leader ${p.leader}` });
    const question = `Leader ${p.leader} is not followed (${stop.kind}): ${stop.reason}. Follow it again? [y/N] `;
    if (!(await confirmed(p.yes, question, "refusing to resume the leader without confirmation", out)))
      return;
    const now = p.now ?? Date.now();
    writeHeld(journal, { ...p, again: `hlcopy resume --leader ${p.leader}` }, () => {
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
 * Clear every active halt and reset the high-water mark to the last equity recorded.
 * @throws {UsageError} when not confirmed off a terminal without --yes (nothing changed).
 */
export async function runResume(p: {
  configDir: string;
  account: Address;
  /** The network (a name or API URL; default mainnet): its journal is changed. */
  network?: string;
  json: boolean;
  yes: boolean;
  /** The processes holding the account's run lock on this network: one at its start holds the journal. */
  lockHolders?: readonly LockHolderView[];
  out?: Writer;
  now?: number;
  /** `--paper`: the paper account's halt (follow --paper runs' own journal), not the live one's. */
  paper?: boolean;
  /**
   * Resume a paused running follow or drop a recorded pause (hlcopy resume, issue 18); called
   * only once the halt (if any) is cleared, so a refused resume changes nothing. `halt`: what
   * resume cleared, for what it says when the follow does not answer (cli/control/run.ts).
   */
  resumeFollow?: (p: { halt: string | null }) => Promise<ResumeFollowOutcome | null>;
}): Promise<void> {
  const out = p.out ?? process.stdout;
  // As pause, flatten and stop say it (--json: running, did, pid); `follow` kept for scripts
  // that read it before.
  let follow: { running: boolean; did: string; pid?: number; follow?: string } = {
    running: false,
    did: "nothing",
  };
  const resumeFollow = async (halt: string | null) => {
    const f = (await p.resumeFollow?.({ halt })) ?? null;
    // A follow that did not answer: the error says what was done all the same (exit 1).
    if (f?.did === "unreachable") throw f.error;
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
  const again = p.paper ? "hlcopy resume --paper" : "hlcopy resume";
  refuseOtherConfigDir({ ...p, again }, (j) => {
    const there = j.activeHalt();
    return there ? `halted (${there.kind}: ${there.reason})` : null;
  });
  const opened = openExisting(p.configDir, p.account, p.network, { paper: p.paper === true });
  const halt = opened?.journal.activeHalt() ?? null;
  if (!opened || !halt) {
    opened?.journal.close();
    const f = await resumeFollow(null);
    if (p.json)
      printDocument(
        "resume",
        { account: p.account, cleared: 0, hwm: null, equityAsOf: null, ...follow },
        out,
      );
    else if (!f) out.write(`not halted: nothing to resume for ${p.account}\n`);
    return;
  }
  const { journal } = opened;
  try {
    // Said before asking: a yes could not be written while it holds the journal.
    refuseWhileHeldAtStart(journal, { ...p, again });
    const question = `Halted (${halt.kind}): ${halt.reason}. Resume trading? [y/N] `;
    if (!(await confirmed(p.yes, question, "refusing to resume without confirmation", out))) return;
    const now = p.now ?? Date.now();
    // One transaction: all of it or (refused, failed) none of it.
    const { cleared, hwm, equityAsOf } = writeHeld(journal, { ...p, again }, () => {
      const cleared = journal.clearHalts(now);
      // Resume reads no account: the mark is reset to the last equity a run recorded — a running
      // follow's is seconds old, a stopped run's as old as its end — and says which.
      const equity = journal.latestEquity();
      const hwm = equity ? journal.resetHighWaterMark(now, equity.accountValue).hwm : null;
      journal.recordEvent({ ts: now, type: "resume", data: { cleared, hwm } });
      return { cleared, hwm, equityAsOf: equity?.ts ?? null };
    });
    const done = `cleared ${cleared} halt(s) (${halt.kind}: ${halt.reason})${
      hwm === null || equityAsOf === null
        ? ""
        : `; high-water mark reset to ${fmtUsd(hwm)}, the equity recorded ${fmtAge(Math.max(0, now - equityAsOf))} ago (the next run measures drawdown from it)`
    }`;
    // After the journal's halt is cleared, so a running follow that reads it drops its own.
    await resumeFollow(done);
    if (p.json)
      printDocument(
        "resume",
        // The mark to the cent, as the text says it and status --json shows it (core/format.ts).
        { account: p.account, cleared, hwm: roundFigure("usd", hwm), equityAsOf, ...follow },
        out,
        now,
      );
    else out.write(`resumed: ${done}\n`);
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
