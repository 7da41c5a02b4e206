// `hlcopy pause|resume|flatten|stop`: act on the follow running for the account through its
// control socket; with none running, pause is recorded (it holds the next follow and every
// reconcile until resume) and flatten closes every position itself (one reduce-only sweep under
// a manual halt, as reconcile runs the engine).

import { existsSync, mkdirSync } from "node:fs";
import { ExitCode, OperationalError, toHlcopyError, UsageError } from "../../core/errors.js";
import {
  closesAtTouch,
  type FlattenCancel,
  type FlattenClose,
  type FlattenLeft,
  type FlattenUnknown,
  flattenPreview,
  positionsLeft,
  restingEntriesToCancel,
  unknownOrderOutcome,
} from "../../core/flatten.js";
import { detailNumber, fmtUsd, roundFigure, utcMinute } from "../../core/format.js";
import {
  ORDER_SETTLE_MS,
  type OrderResult,
  resolveByLookup,
  UNRESOLVED_ORDER_STATUSES,
} from "../../core/orders.js";
import type { Settings } from "../../core/settings.js";
import type { Address } from "../../core/types.js";
import type { CopyEngine } from "../../engine/engine.js";
import {
  CONTROL_STATE_KEY,
  type ControlCommand,
  type ControlRecord,
  type ControlReply,
  controlSocketPath,
  pendingPausePath,
  pendingPausePaths,
  readStandingPause,
  recordPendingPause,
  type StandingPause,
  sendControl,
  takePendingPauses,
} from "../../store/control.js";
import { journalPath, type OrderRow } from "../../store/journal.js";
import { findLockHolders, lockDirs, lookDirs } from "../../store/lock.js";
import { wrapReportLines } from "../../ui/format.js";
import type { CliContext } from "../context.js";
import { outputWidth, printDocument, renderTable, type Writer } from "../output.js";
import { resendOnRateLimit } from "../rate-limit.js";
import { type OneShotStop, oneShotStop, RunInterrupted, whereStopped } from "../signals.js";
import { currentRun, openExisting, startingHolder } from "../status/run.js";
import { liveJournalRuns, type TradingSession } from "../trading.js";

/** A process trading the account now, as its lock (or the journal) tells it. */
interface RunningProcess {
  pid: number;
  command: string;
  /** Its control socket (a follow's), or null (a reconcile or flatten takes no commands). */
  socket: string | null;
  /** A paper run (follow --paper, as its lock says): its pause is the paper runs' own. */
  paper: boolean;
  /** The config directory it runs with (its journal's): its lock's, else this shell's. */
  configDir: string;
  /**
   * At its start: it holds the lock but its run is not in its journal yet — its start checks, or
   * waiting at its review or passphrase prompt (a run is journaled once it may send).
   */
  starting: boolean;
}

/**
 * Where the pause that stands for the account on this network is kept (status reads it): the
 * marker in whichever directory a command or the running follow recorded it — looked for in
 * every one, whatever this shell's environment — else where this shell would record one.
 */
export function pauseMarkerPath(ctx: CliContext, account: Address, paper = false): string {
  const markers = pendingPausePaths(lookDirs(ctx.env), ctx.network, account, paper);
  return markers.find((m) => existsSync(m)) ?? (markers[0] as string);
}

/**
 * Whether the lock holder is at its start: its journal (in the config directory its lock names)
 * does not show its run (status/run.ts startingHolder). False when that journal cannot be read.
 */
function atItsStart(ctx: CliContext, account: Address, holder: { pid: number; configDir: string }): boolean {
  try {
    const opened = openExisting(
      holder.configDir === "?" ? ctx.configDir : holder.configDir,
      account,
      ctx.network.name,
    );
    if (!opened) return true;
    try {
      return startingHolder([holder], currentRun(opened.journal)) !== null;
    } finally {
      opened.journal.close();
    }
  } catch {
    return false;
  }
}

/**
 * Every process trading the account on this network, from the lock in every directory a lock
 * may be in (whatever HLCOPY_LOCK_DIR or XDG_RUNTIME_DIR this shell has), else from the
 * journal's unfinished runs of live processes (a service whose lock directory is elsewhere).
 */
function runningProcesses(ctx: CliContext, account: Address): RunningProcess[] {
  const found: RunningProcess[] = findLockHolders(ctx.network, account, ctx.env).map((h) => ({
    pid: h.info.pid,
    command: h.info.command,
    // A lock of an older hlcopy names no socket: a follow's was next to it.
    socket:
      h.info.control ?? (h.info.command === "follow" ? controlSocketPath(h.dir, ctx.network, account) : null),
    paper: h.info.paper === true,
    configDir: h.info.configDir === "?" ? ctx.configDir : h.info.configDir,
    starting: atItsStart(ctx, account, h.info),
  }));
  if (found.length > 0) return found;
  const opened = openExisting(ctx.configDir, account, ctx.network.name);
  if (!opened) return [];
  try {
    const recorded = opened.journal.getCopyState<ControlRecord>(CONTROL_STATE_KEY);
    return liveJournalRuns(opened.journal, ctx.network).map((r) => ({
      pid: r.pid as number,
      command: r.command,
      socket: recorded && recorded.pid === r.pid ? recorded.socket : null,
      // Runs of the live journal: a paper run journals in its own (and holds the lock: found above).
      paper: false,
      configDir: ctx.configDir,
      starting: false,
    }));
  } finally {
    opened.journal.close();
  }
}

/**
 * The running follow's reply; `unreachable`: a process trades the account but did not answer
 * (a reconcile or flatten takes no commands; a follow's socket did not answer, or is not up yet
 * at its start); null when nothing trades the account on this network.
 */
async function reachRunningFollow(
  ctx: CliContext,
  account: Address,
  command: ControlCommand,
  /**
   * `--paper` (true): only a paper follow is reached; a live one running refuses the command
   * unsent. "live": only a live one (flatten without --paper); a paper one running refuses it.
   */
  paperOnly: boolean | "live" = false,
): Promise<{ reply: ControlReply } | { unreachable: RunningProcess } | null> {
  const running = runningProcesses(ctx, account);
  const live = paperOnly === true ? running.find((r) => r.command === "follow" && !r.paper) : undefined;
  if (live) throw notPaperError(live, ctx, account, command);
  const paper = paperOnly === "live" ? running.find((r) => r.command === "follow" && r.paper) : undefined;
  if (paper) throw notLiveError(paper, ctx, account);
  for (const r of running) {
    if (!r.socket) continue;
    const reply = await sendControl(r.socket, command).catch(() => null);
    if (reply) return { reply };
  }
  const [busy] = running;
  return busy ? { unreachable: busy } : null;
}

/**
 * `hlcopy pause|resume --paper` while a live follow runs: the trader meant a paper run, and the
 * running one sends real orders — refused before anything is sent (exit 2), with the way forward.
 */
function notPaperError(
  live: RunningProcess,
  ctx: CliContext,
  account: Address,
  command: ControlCommand,
): UsageError {
  return new UsageError(
    `the follow running for ${account} on ${ctx.network.name} (pid ${live.pid}) is a live run, not a paper run: nothing was done`,
    {
      hint:
        command === "flatten"
          ? "hlcopy flatten (without --paper) flattens it: your account's positions"
          : `hlcopy ${command} (without --paper) ${command === "pause" ? "pauses" : "resumes"} it; hlcopy ${command} --paper once it has ended ${command === "pause" ? "holds the next follow --paper" : "lifts the paper runs' pause"}`,
      details: { pid: live.pid },
    },
  );
}

/**
 * `hlcopy flatten` (without --paper) while a follow --paper runs: the trader meant the account's
 * real positions, which the paper run neither holds nor closes — and it holds the account's lock,
 * so they cannot be closed here either. Until 2026-12-06 the paper run took the flatten, closed
 * its paper positions and the command said done (exit 0) with the real ones still open. Refused
 * before anything is sent (exit 2), with the way forward.
 */
function notLiveError(paper: RunningProcess, ctx: CliContext, account: Address): UsageError {
  return new UsageError(
    `the follow running for ${account} on ${ctx.network.name} (pid ${paper.pid}) is a paper run: it holds none of your positions and closes none of them, so nothing was done`,
    {
      hint: `to close the account's positions stop it first (hlcopy stop), then run hlcopy flatten again; hlcopy flatten --paper flattens the paper run's account`,
      details: { pid: paper.pid },
    },
  );
}

/** How the commands name a follow so early in its start that its socket is not up yet. */
function stillStarting(pid: number, acct?: string, paper = false): string {
  return `the ${paper ? "paper " : ""}follow (pid ${pid})${acct ? ` for ${acct}` : ""} is still starting (its control socket is not up yet)`;
}

/**
 * What a control command says of a process it could not reach: `done` is what it did all the
 * same (default: nothing).
 */
function unreachableError(
  busy: RunningProcess,
  ctx: CliContext,
  account: Address,
  command: ControlCommand,
  done = "nothing was done",
): OperationalError {
  const { pid } = busy;
  const acct = `${account} on ${ctx.network.name}`;
  const details = { pid, command: busy.command, ...(busy.socket ? { socket: busy.socket } : {}) };
  if (busy.command === "follow") {
    // Its socket comes up once its start checks (the agent's approval on the exchange) pass.
    if (busy.starting) {
      return new OperationalError(`${stillStarting(pid, acct)}: ${done}`, {
        hint: `run hlcopy ${command} again in a few seconds, once it is up; if it stays so, stop it with kill ${pid}`,
        details,
      });
    }
    return new OperationalError(
      `hlcopy follow (pid ${pid}) is trading ${acct} but its control socket did not answer: ${done}`,
      {
        hint: `retry in a few seconds; if it persists, stop it with kill ${pid} (as hlcopy stop) and run hlcopy ${command} again`,
        details,
      },
    );
  }
  if (busy.starting && busy.command === "reconcile") {
    return new OperationalError(
      `the reconcile (pid ${pid}) for ${acct} is waiting at its review or passphrase prompt (or finishing its start checks) and takes no commands: ${done}`,
      {
        hint: `answer its prompt in that terminal (or Ctrl-C there), then run hlcopy ${command} again`,
        details,
      },
    );
  }
  if (busy.starting) {
    return new OperationalError(
      `hlcopy ${busy.command} (pid ${pid}) is starting for ${acct} and takes no commands: ${done}`,
      { hint: `run hlcopy ${command} again once it has ended, or stop it with kill ${pid}`, details },
    );
  }
  return new OperationalError(
    `hlcopy ${busy.command} (pid ${pid}) is trading ${acct} right now and takes no commands: ${done}`,
    {
      hint: `run hlcopy ${command} again once it has ended (one sweep), or stop it with kill ${pid}`,
      details,
    },
  );
}

/**
 * The running follow's reply; null when nothing trades the account on this network.
 * @throws {OperationalError} (exit 1; nothing done) when a process trades it but cannot be
 *   reached: a reconcile or flatten (no control channel), or a follow whose socket does not
 *   answer (or is not up yet, at its start).
 */
export async function askRunningFollow(
  ctx: CliContext,
  account: Address,
  command: ControlCommand,
): Promise<ControlReply | null> {
  const reached = await reachRunningFollow(ctx, account, command);
  if (reached && "unreachable" in reached) throw unreachableError(reached.unreachable, ctx, account, command);
  return reached?.reply ?? null;
}

function tell(ctx: CliContext, out: Writer, type: string, doc: Record<string, unknown>, line: string): void {
  if (ctx.json) printDocument(type, doc, out);
  else out.write(`${line}\n`);
}

/**
 * `hlcopy pause`: pause the running follow, or record the pause for the next run — or for the
 * follow still starting whose socket is not up yet: it takes a recorded pause as its socket
 * comes up (serve.ts), before it can take any command, and starts paused.
 */
export async function runPause(
  ctx: CliContext,
  account: Address,
  out: Writer = process.stdout,
  /** `--paper`: the paper runs' pause (the running paper follow, else the next one). */
  opts: { paper?: boolean } = {},
): Promise<number> {
  const said = (reply: ControlReply) => {
    tell(
      ctx,
      out,
      "pause",
      {
        account,
        running: true,
        did: reply.did,
        pid: reply.pid,
        paper: reply.paper === true,
        message: reply.message,
      },
      `${reply.message} (pid ${reply.pid})`,
    );
    return ExitCode.ok;
  };
  const reached = await reachRunningFollow(ctx, account, "pause", opts.paper === true);
  if (reached && "reply" in reached) return said(reached.reply);
  const busy = reached?.unreachable ?? null;
  const starting = busy?.command === "follow" && busy.starting ? busy : null;
  if (busy && !starting) throw unreachableError(busy, ctx, account, "pause");
  // Paper runs keep their own pause: the one recorded is for the run it addresses — the paper
  // follow at its start, or with none running the next paper (--paper) or live one.
  const paper = starting ? starting.paper : opts.paper === true;
  // A pause recorded before stands since then: asked again, it keeps its time (status says
  // "paused since" it) and says so, instead of moving it to now as if it were new.
  const standing = starting
    ? null
    : readStandingPause(pendingPausePaths(lookDirs(ctx.env), ctx.network, account, paper));
  recordPause(ctx, account, paper, standing);
  if (starting) {
    // Its socket may have come up meanwhile: up before the marker was written, it did not take
    // it — it is paused through the socket now (up after, it took it: "already paused").
    const again = await reachRunningFollow(ctx, account, "pause");
    if (again && "reply" in again) return said(again.reply);
    tell(
      ctx,
      out,
      "pause",
      { account, running: true, did: "recorded", pid: starting.pid, paper },
      `${stillStarting(starting.pid, undefined, paper)}: recorded, it starts paused and says so: no leader trade copied until hlcopy resume (should it not start, the next ${paper ? "follow --paper" : "follow"} does)`,
    );
    return ExitCode.ok;
  }
  const already = standing
    ? `a pause is recorded already${standing.pausedAt ? ` (since ${utcMinute(standing.pausedAt)})` : ""}`
    : "recorded";
  tell(
    ctx,
    out,
    "pause",
    {
      account,
      running: false,
      did: "recorded",
      paper,
      ...(standing ? { since: standing.pausedAt } : {}),
    },
    paper
      ? `no follow is running for ${account} on ${ctx.network.name}: ${already} for paper runs, the next follow --paper starts paused; live runs (follow, reconcile) are not held by it (hlcopy resume --paper to undo)`
      : `no follow is running for ${account} on ${ctx.network.name}: ${already}, the next follow starts paused and reconcile sends nothing (hlcopy resume to undo; a paper run is not held by it)`,
  );
  return ExitCode.ok;
}

/** `hlcopy stop`: stop the running follow cleanly (as SIGTERM does). */
export async function runStop(
  ctx: CliContext,
  account: Address,
  out: Writer = process.stdout,
): Promise<number> {
  const reply = await askRunningFollow(ctx, account, "stop");
  if (reply) {
    tell(
      ctx,
      out,
      "stop",
      { account, running: true, did: reply.did, pid: reply.pid, message: reply.message },
      `${reply.message} (pid ${reply.pid})`,
    );
  } else {
    tell(
      ctx,
      out,
      "stop",
      { account, running: false, did: "nothing" },
      `no follow is running for ${account} on ${ctx.network.name}: nothing to stop`,
    );
  }
  return ExitCode.ok;
}

/** What `hlcopy resume` did to the running follow (or the pause recorded for the next one). */
export type ResumeFollowOutcome =
  | {
      /** "nothing": no pause of the kind addressed, nor a follow — the line names the other kind's that stands. */
      did: "resumed" | "not-paused" | "pending-pause-cleared" | "starting" | "nothing";
      /** Said as it is (after resume's own line, if any). */
      line: string;
      /** The follow's (running, or at its start). */
      pid?: number;
    }
  | {
      /** A follow runs but did not answer: `error` says what was done all the same. */
      did: "unreachable";
      pid: number;
      error: OperationalError;
    };

/**
 * What `hlcopy resume` does besides clearing a halt: resume a paused running follow, or drop
 * a pause recorded for the next run. Null when there was neither.
 *
 * A follow so early in its start that its control socket is not up yet (its start checks) has
 * not read the journal nor taken a recorded pause: the pause is dropped here, so it starts
 * without both. A reconcile or flatten has no pause: one recorded for the next follow is dropped.
 * @param p.halt resume's own part, said in the error when the follow does not answer (it was done).
 */
export async function resumeRunningOrPending(
  ctx: CliContext,
  account: Address,
  /** `paper`: the paper runs' pause (`hlcopy resume --paper`), not the live runs'. */
  p: { halt?: string | null; paper?: boolean } = {},
): Promise<ResumeFollowOutcome | null> {
  const reached = await reachRunningFollow(ctx, account, "resume", p.paper === true);
  if (reached && "reply" in reached) return resumedLine(reached.reply);
  const busy = reached?.unreachable ?? null;
  const follow = busy?.command === "follow" ? busy : null;
  if (follow && !follow.starting) {
    const done = p.halt
      ? `only the journal was changed: ${p.halt} (a running follow drops the halt at its next sweep); a pause it runs with stands`
      : "nothing was done";
    return {
      did: "unreachable",
      pid: follow.pid,
      error: unreachableError(follow, ctx, account, "resume", done),
    };
  }
  // The pause of the run it addresses: the paper follow at its start, else --paper's kind.
  const paper = follow ? follow.paper : p.paper === true;
  const markers = pendingPausePaths(lookDirs(ctx.env), ctx.network, account, paper);
  const took = takePendingPauses(markers) !== null;
  if (!follow) {
    if (took)
      return {
        did: "pending-pause-cleared",
        line: paper
          ? "cleared the pause recorded for the next follow --paper"
          : "cleared the pause recorded for the next follow",
      };
    // The other kind's pause stands: said, or "nothing to resume" reads as if none did.
    const other = readStandingPause(pendingPausePaths(lookDirs(ctx.env), ctx.network, account, !paper));
    if (!other) return null;
    const since = other.pausedAt ? ` since ${utcMinute(other.pausedAt)}` : "";
    return {
      did: "nothing",
      line: `${p.halt ? "" : "not halted; "}${
        paper
          ? `no pause recorded for paper runs; one stands for live runs${since} (the next follow starts paused, reconcile sends nothing): hlcopy resume lifts it`
          : `no pause recorded for live runs; one stands for paper runs${since} (the next follow --paper starts paused): hlcopy resume --paper lifts it`
      }`,
    };
  }
  // The follow takes a recorded pause as its socket comes up: up since, it may have taken it first.
  const again = await reachRunningFollow(ctx, account, "resume");
  const pid = follow.pid;
  if (again && "reply" in again) {
    if (again.reply.did === "resumed" || !took) return resumedLine(again.reply);
    return {
      did: "pending-pause-cleared",
      line: `cleared the pause recorded for the next follow: the follow (pid ${pid}), up since, runs without it`,
      pid,
    };
  }
  const starting = stillStarting(pid, undefined, paper);
  const said = [
    p.halt ? "it reads the journal once its checks pass, so it starts without the halt" : null,
    took ? "cleared the pause it would have started with" : null,
  ].filter(Boolean);
  return {
    did: took ? "pending-pause-cleared" : "starting",
    line: `${starting}: ${said.length > 0 ? said.join("; ") : "not halted and not to start paused: nothing to resume"}`,
    pid,
  };
}

/** The running follow's reply to resume, as resume says it. */
function resumedLine(reply: ControlReply): ResumeFollowOutcome {
  return {
    did: reply.did === "resumed" ? "resumed" : "not-paused",
    line: `${reply.message} (pid ${reply.pid})`,
    pid: reply.pid,
  };
}

/**
 * `hlcopy flatten`: the running follow halts and closes everything; with none running, one
 * reduce-only sweep here under a manual halt (which stays until hlcopy resume).
 * @returns 0 when flat (or the running follow took it), 3 when a position remains.
 */
export async function runFlatten(
  ctx: CliContext,
  p: {
    account: Address;
    settings: Settings;
    out?: Writer;
    err?: Writer;
    /** `--paper`: the running paper follow's account, never the real one. */
    paper?: boolean;
    /** `--dry-run`: say what a flatten would do now, sending, halting and writing nothing. */
    dryRun?: boolean;
  },
): Promise<number> {
  if (p.dryRun === true) return previewFlatten(ctx, p);
  const out = p.out ?? process.stdout;
  const err = p.err ?? process.stderr;
  // Without --paper a paper follow running is refused (notLiveError): this closes real positions.
  const reached = await reachRunningFollow(ctx, p.account, "flatten", p.paper === true ? true : "live");
  if (reached && "unreachable" in reached)
    throw unreachableError(reached.unreachable, ctx, p.account, "flatten");
  const reply = reached?.reply ?? null;
  if (reply) {
    tell(
      ctx,
      out,
      "flatten",
      {
        account: p.account,
        running: true,
        did: reply.did,
        pid: reply.pid,
        paper: reply.paper === true,
        message: reply.message,
      },
      `${reply.message} (pid ${reply.pid})`,
    );
    return ExitCode.ok;
  }
  if (p.paper === true) {
    // A paper account lives in its run: with none running there is nothing of it to close.
    tell(
      ctx,
      out,
      "flatten",
      { account: p.account, running: false, did: "nothing", paper: true },
      `no follow --paper is running for ${p.account} on ${ctx.network.name}: nothing to flatten (the account's real positions: hlcopy flatten, without --paper)`,
    );
    return ExitCode.ok;
  }
  // No journal of the account in this config directory: hlcopy never traded it from here, so the
  // runs that do (a service's or cron's HLCOPY_CONFIG_DIR) keep their journal elsewhere, and the
  // halt journaled here would not hold them — the next reconcile would copy the leader again.
  // The pause, which every run reads wherever its journal is, is recorded for them (below).
  const elsewhere = flattensElsewhere(ctx, p.account);
  // A stop signal (Ctrl-C, kill, a closed terminal) ended the process at once, silently, exit 130
  // — while the exchange was being waited for, or with closes on their way. As reconcile: before
  // the closes go, it stops there and says what stands (the halt, once recorded); once they go,
  // nothing more is sent, the closes out are awaited, the account read again and the report said.
  const stop = flattenStop(err);
  try {
    return await flattenHere();
  } finally {
    stop.off();
  }

  async function flattenHere(): Promise<number> {
    const session = await openFlattenSession(ctx, p.settings, false, err, stop);
    const now = Date.now();
    if (!session.journal.activeHalt()) {
      session.journal.recordHalt({ ts: now, kind: "manual", reason: FLATTEN_REASON });
    }
    const engine = await flattenEngine(ctx, session, p.settings, false, err);
    stop.engine = engine;
    // The resting passive entries it cancelled (as its dry run lists them: what is left of each).
    const cancelled: { coin: string; side: string; size: number; limitPx: number; cloid: string }[] = [];
    engine.events.on((e) => {
      if (e.type === "order" && e.reason === "passive-cancel" && e.status === "cancelled")
        cancelled.push({
          coin: e.coin,
          side: e.side,
          size: Math.max(0, e.size - e.filledSize),
          limitPx: e.limitPx,
          cloid: e.cloid,
        });
    });
    let code: number = ExitCode.runtime;
    try {
      // A journal another program holds is waited for (said once), as reconcile's and follow's.
      await engine.beginWhenFree();
      await engine.recoverOrders();
      const first = await engine.sweep("sweep", true).catch((error: unknown) => {
        throw stop.interrupted(error, "before the closes were sent", true);
      });
      if (stop.stoppedEarly) throw stop.interrupted(null, "before the closes were sent", true);
      const final = first.results.length > 0 ? await engine.sweep("sweep", false) : first;
      const left = positionsLeft(final.plan);
      const closed = first.results.map((r) => ({
        coin: r.coin,
        side: r.side,
        size: r.size,
        status: r.status,
        filledSize: r.filledSize,
      }));
      code = left.length === 0 ? ExitCode.ok : ExitCode.drift;
      if (elsewhere) {
        const paths = pendingPausePaths(lookDirs(ctx.env), ctx.network, p.account, false);
        recordPause(ctx, p.account, false, readStandingPause(paths));
      }
      tell(
        ctx,
        out,
        "flatten",
        {
          account: p.account,
          running: false,
          did: "flattened",
          cancelled,
          closed,
          left,
          halted: true,
          ...(elsewhere ? { paused: true } : {}),
        },
        `no follow is running: flattened here — ${
          cancelled.length > 0
            ? `cancelled ${cancelled.length} resting passive entr${cancelled.length === 1 ? "y" : "ies"} (${cancelled.map((c) => `${c.coin} ${c.side} ${detailNumber(c.size)} @ ${detailNumber(c.limitPx)}`).join(", ")}); `
            : ""
        }${closed.length} reduce-only order(s)${
          closed.length > 0
            ? ` (${closed.map((c) => `${c.coin} ${c.side} ${c.filledSize}/${c.size} ${c.status}`).join(", ")})`
            : ""
        }; ${left.length === 0 ? "no position left" : `left: ${left.map((l) => `${l.coin} ${l.size}`).join(", ")}`}; halted (manual) until hlcopy resume${
          elsewhere
            ? ` — and paused: this config directory (${ctx.configDir}) had no journal of the account, so the runs that trade it keep theirs elsewhere; the pause holds them wherever it is (the next follow starts paused, reconcile sends nothing)`
            : ""
        }`,
      );
    } catch (error) {
      code = toHlcopyError(error).exitCode;
      throw error;
    } finally {
      await engine.stop("flatten done", code);
      session.close();
    }
    return code;
  }
}

/** A flatten's stop signals: {@link oneShotStop}'s, with the error a flatten ends with. */
interface FlattenStop extends OneShotStop {
  /**
   * The error to end with when the signal came before anything was sent — the flatten's halt
   * named when it was recorded (`halted`); `error` rethrown as it is when no signal stopped it.
   */
  interrupted(error: unknown, where: string, halted: boolean): unknown;
}

/**
 * A flatten's stop signals, as reconcile's (oneShotStop): the session's start-up reads aborted;
 * before the engine has acted the engine stops (nothing is sent); after, its sends end (the
 * closes out are awaited) and the line says so. `again`: the command to run again.
 */
function flattenStop(err: Writer, again = "hlcopy flatten"): FlattenStop {
  const stop = oneShotStop(err, "a close already out is awaited");
  return Object.assign(stop, {
    interrupted(error: unknown, where: string, halted: boolean): unknown {
      if (stop.signalled === null || error instanceof RunInterrupted) return error;
      // Stopped at a prompt (the passphrase) says so; any other error a stop caused is the step's.
      const at = error === null ? where : whereStopped(error);
      return new RunInterrupted(
        stop.signalled,
        at === "during the start checks" ? where : at,
        again,
        halted
          ? "trading stays halted (manual) until hlcopy resume, and the positions are open: run hlcopy flatten again to close them (hlcopy status shows them)"
          : undefined,
      );
    },
  });
}

/** Why a flatten halts, as the journal, the running follow and status say it. */
const FLATTEN_REASON = "flatten requested (hlcopy flatten)";

/**
 * No journal of the account in this config directory: hlcopy never traded it from here, so the
 * runs that do (a service's or cron's HLCOPY_CONFIG_DIR) keep their journal elsewhere, and the
 * halt journaled here would not hold them — the next reconcile would copy the leader again. A
 * flatten with no follow running records the pause for them too, which every run reads wherever
 * its journal is.
 */
function flattensElsewhere(ctx: CliContext, account: Address): boolean {
  return !existsSync(journalPath(ctx.configDir, account, ctx.network.name));
}

/**
 * The session a flatten with no follow running reads and sends with. A dry run needs no key and
 * takes no lock (a follow starting beside it is not refused), and reads the journal into memory:
 * it creates and writes nothing (trading.ts openTradingSession). A stop signal aborts its
 * start-up: the error it ended with is the interruption, and one that came as it opened closes it.
 * @throws {RunInterrupted} (exit 130) when a stop signal came before it was open.
 */
async function openFlattenSession(
  ctx: CliContext,
  settings: Settings,
  dryRun: boolean,
  err: Writer,
  stop: FlattenStop,
): Promise<TradingSession> {
  const { openTradingSession } = await import("../trading.js");
  let session: TradingSession;
  try {
    session = await openTradingSession(ctx, {
      signal: stop.startup,
      needKey: !dryRun,
      lock: !dryRun,
      command: "flatten",
      oneShot: true,
      leaders: [],
      warn: (line) => err.write(`${line}\n`),
      startupTimeoutMs: settings.exec.startupTimeoutSeconds * 1000,
    });
  } catch (error) {
    throw stop.interrupted(error, "during start-up", false);
  }
  if (stop.signalled) {
    session.close();
    throw stop.interrupted(null, "during start-up", false);
  }
  return session;
}

/**
 * The engine a flatten sweeps with, live or dry run alike (one plan for both: what the dry run
 * shows is what the flatten sends): no leader, every position closed under the manual halt.
 */
async function flattenEngine(
  ctx: CliContext,
  session: TradingSession,
  settings: Settings,
  dryRun: boolean,
  err: Writer,
): Promise<CopyEngine> {
  const [{ CopyEngine }, { liveExecutor }] = await Promise.all([
    import("../../engine/engine.js"),
    import("../../engine/executor.js"),
  ]);
  const engine = new CopyEngine({
    reader: session.client,
    // A 429 on its closes is waited out and the same batch sent again, one line per wait.
    executor: dryRun
      ? null
      : liveExecutor(session.client, {
          resendOnRateLimit: resendOnRateLimit((line) => err.write(`${line}\n`)),
        }),
    journal: session.journal,
    // Every resting passive entry an earlier run left is cancelled (flatten means flat: one left
    // resting fills later and opens a position), whatever exec.entry this shell has — the run
    // that placed it may have had --entry passive. Until 2026-12-07 only a shell whose settings
    // had exec.entry passive cancelled them. The closes are reduce-only: never passive.
    settings: { ...settings, exec: { ...settings.exec, entry: "passive" } },
    leaders: [],
    account: session.account,
    network: ctx.network.name,
    mode: dryRun ? "dry-run" : "live",
    // The journal knows run kinds reconcile/follow/…: a one-shot flatten is a reconcile to zero.
    command: dryRun ? "dry-run" : "reconcile",
    // Every position is closed, those hlcopy did not open too: flatten means flat. They are not
    // adopted: their closes are outside the copy P&L (only hlcopy's part of a position counts).
    leaveForeign: true,
    allowEmptyLeader: true,
    // Passive entries an earlier run left resting are cancelled first (a live run's; a dry run
    // lists them: restingEntriesToCancel, the same rule).
    ...(dryRun ? {} : { passive: session.client }),
  });
  engine.events.on((e) => {
    if (e.type === "warning") err.write(`warning: ${e.message}\n`);
  });
  return engine;
}

/**
 * `hlcopy flatten --dry-run`: what a flatten would do now — who would carry it out (the running
 * follow, or this command), the reduce-only closes its plan has for the account as it stands
 * (the same engine and plan as the flatten's, under a manual halt held in memory), what would
 * remain, and the halt that would follow. Sends nothing, halts nothing, records no pause, takes
 * no lock and needs no key. Refused as the flatten would be (a paper follow running without
 * --paper, a process that takes no commands trading the account).
 * @returns 0 nothing to close (the flatten would only halt), 3 a position is open: the closes
 * listed would go (or one remains that the flatten cannot close).
 * @throws {UsageError} (exit 2) or {OperationalError} (exit 1) where the flatten would refuse.
 */
async function previewFlatten(
  ctx: CliContext,
  p: { account: Address; settings: Settings; out?: Writer; err?: Writer; paper?: boolean },
): Promise<number> {
  const out = p.out ?? process.stdout;
  const err = p.err ?? process.stderr;
  const { account } = p;
  const acct = `${account} on ${ctx.network.name}`;
  const running = runningProcesses(ctx, account);
  if (p.paper === true) {
    const live = running.find((r) => r.command === "follow" && !r.paper);
    if (live) throw notPaperError(live, ctx, account, "flatten");
    const paper = running.find((r) => r.command === "follow" && r.paper);
    // A paper account lives in its run, not on the exchange: there is nothing here to read.
    tell(
      ctx,
      out,
      "flatten",
      {
        account,
        dryRun: true,
        paper: true,
        running: paper !== undefined,
        ...(paper ? { pid: paper.pid, by: "follow" } : { by: null }),
        closes: null,
        left: null,
      },
      paper
        ? `dry run: nothing sent, nothing halted — hlcopy flatten --paper would be carried out by the follow --paper running for ${acct} (pid ${paper.pid}): it halts and closes its paper positions, which live in that run (its dashboard, hlcopy status --paper), not on the exchange — none is listed here`
        : `dry run: no follow --paper is running for ${acct}: hlcopy flatten --paper would do nothing (the account's real positions: hlcopy flatten --dry-run, without --paper)`,
    );
    return ExitCode.ok;
  }
  const paperFollow = running.find((r) => r.command === "follow" && r.paper);
  if (paperFollow) throw notLiveError(paperFollow, ctx, account);
  // The follow a flatten would reach (its socket is not asked: a dry run sends it nothing).
  const follow = running.find((r) => r.command === "follow" && r.socket !== null && !r.starting) ?? null;
  const [busy] = running;
  if (!follow && busy)
    throw unreachableError(
      busy,
      ctx,
      account,
      "flatten",
      "a flatten now would do nothing (dry run: nothing sent)",
    );
  const elsewhere = !follow && flattensElsewhere(ctx, account);
  // The limit prices are the flatten's: with a follow running, at its exec.slippageBps (its run's
  // settings, as journaled), else at this shell's — the flatten from here uses them.
  const pricing = follow ? followSettings(ctx, account, follow) : null;
  const slippageBps = pricing?.slippageBps ?? p.settings.exec.slippageBps;
  const limitPxFrom = pricing ? "follow" : follow ? "here-follow-unread" : "here";
  const settings = { ...p.settings, exec: { ...p.settings.exec, slippageBps } };
  // Ctrl-C while the exchange is waited for: said, as reconcile --dry-run says it (exit 130).
  const stop = flattenStop(err, "hlcopy flatten --dry-run");
  let session: TradingSession;
  try {
    session = await openFlattenSession(ctx, p.settings, true, err, stop);
  } catch (error) {
    stop.off();
    throw error;
  }
  const engine = await flattenEngine(ctx, session, settings, true, err);
  stop.engine = engine;
  let code: number = ExitCode.runtime;
  try {
    await engine.beginWhenFree();
    // As the flatten first does (engine/recovery.ts): our orders of unknown outcome looked up by cloid.
    const looked = await lookUpUnknown(session);
    if (stop.signalled) throw stop.interrupted(null, "during start-up", false);
    const standing = engine.halt;
    // The flatten's halt, in this run only (a dry run journals none): its plan closes everything.
    engine.haltManual(FLATTEN_REASON);
    const swept = await engine.sweep("sweep", false).catch((error: unknown) => {
      throw stop.interrupted(error, "during start-up", false);
    });
    if (stop.signalled) throw stop.interrupted(null, "during start-up", false);
    // The resting entries the flatten cancels first: those still on the book — with the orders
    // of unknown outcome as their look-up found them (the flatten journals it before it plans).
    const open = await session.client.getAccountState(session.account).catch((error: unknown) => {
      throw stop.interrupted(error, "during start-up", false);
    });
    const found = new Map(looked.flatMap((l) => (l.result ? [[l.row.cloid, l.result.status]] : [])));
    const resting = restingEntriesToCancel(
      session.journal
        .ordersInState(["resting", ...UNRESOLVED_ORDER_STATUSES])
        .map((r) => ({ ...r, status: found.get(r.cloid) ?? r.status })),
      open.openOrders,
    );
    const preview = flattenPreview(swept.plan, resting);
    const { left } = preview;
    // A running follow took up at its first sweep the entries an earlier run left (journaled
    // resting then): it cancels them — exec.entry passive or not (until 2026-12-07 one without
    // left them) —, its own with them. One of an earlier run still of unknown outcome in the
    // journal (not looked up since: its look-ups failed, or it came after its start) it never
    // took up: it looks it up and journals it, and leaves it resting.
    const metByFollow = (c: FlattenCancel) => {
      const row = session.journal.getOrder(c.cloid);
      return row === null || !UNRESOLVED_ORDER_STATUSES.includes(row.status) || row.runId === pricing?.runId;
    };
    const cancels = follow ? preview.cancels.filter(metByFollow) : preview.cancels;
    const leftResting = follow ? preview.cancels.filter((c) => !metByFollow(c)) : [];
    // A follow prices its closes from its streamed book's touch, not the mid: so are they here.
    const closes = follow
      ? await atFollowsTouch(session, preview.closes, slippageBps).catch((error: unknown) => {
          throw stop.interrupted(error, "during start-up", false);
        })
      : preview.closes;
    const has = (list: FlattenCancel[], cloid: string) =>
      list.some((c) => c.cloid.toLowerCase() === cloid.toLowerCase());
    const unknown = looked.map((l) =>
      unknownOrderOutcome(l.row, l.result, {
        now: l.at,
        settledAt: l.row.ts + ORDER_SETTLE_MS,
        resting: has(cancels, l.row.cloid)
          ? "cancelled"
          : has(leftResting, l.row.cloid)
            ? "left-entry"
            : "left",
        by: follow ? "follow" : "here",
        ...(l.error !== undefined ? { error: l.error } : {}),
      }),
    );
    const halt = swept.halt ?? { kind: "manual" as const, reason: FLATTEN_REASON };
    const pause = readStandingPause(pendingPausePaths(lookDirs(ctx.env), ctx.network, account, false));
    code = closes.length > 0 || left.length > 0 || cancels.length > 0 ? ExitCode.drift : ExitCode.ok;
    if (ctx.json) {
      printDocument(
        "flatten",
        {
          account,
          dryRun: true,
          paper: false,
          running: follow !== null,
          by: follow ? "follow" : "here",
          ...(follow ? { pid: follow.pid } : {}),
          closes: closes.map((c) => ({ ...c, notionalUsd: roundFigure("usd", c.notionalUsd) })),
          left,
          cancels,
          leftResting,
          unknownOrders: unknown,
          limitPx: { slippageBps, from: limitPxFrom === "follow" ? "follow" : "here" },
          halt: { ...halt, standing: standing !== null },
          wouldPause: elsewhere,
          paused: pause ? { since: pause.pausedAt } : null,
        },
        out,
      );
    } else {
      out.write(
        await previewText({
          acct,
          follow,
          closes,
          left,
          cancels,
          leftResting,
          unknown,
          slippageBps,
          limitPxFrom,
          halt,
          standing: standing !== null,
          elsewhere,
          pausedAt: pause ? pause.pausedAt : undefined,
          ctx,
        }),
      );
    }
  } catch (error) {
    code = toHlcopyError(error).exitCode;
    throw error;
  } finally {
    stop.off();
    await engine.stop("dry-run done", code);
    session.close();
  }
  return code;
}

/**
 * The orders of unknown outcome the flatten looks up before it plans (engine/recovery.ts),
 * looked up here by cloid — read-only, and nothing journaled: the flatten journals what it
 * finds. `result` null: not on the exchange yet (the flatten waits for it), or `error`: the
 * look-up failed here (the flatten tries again).
 */
async function lookUpUnknown(
  session: TradingSession,
): Promise<{ row: OrderRow; result: OrderResult | null; at: number; error?: string }[]> {
  const out: { row: OrderRow; result: OrderResult | null; at: number; error?: string }[] = [];
  for (const row of session.journal.ordersInState(UNRESOLVED_ORDER_STATUSES)) {
    try {
      const lookup = await session.client.lookupOrderByCloid(session.account, row.cloid);
      const at = Date.now();
      out.push({ row, result: resolveByLookup(row.cloid, lookup, at, row.ts + ORDER_SETTLE_MS), at });
    } catch (error) {
      out.push({ row, result: null, at: Date.now(), error: toHlcopyError(error).message });
    }
  }
  return out;
}

/** The closes as the follow prices them: from the top of each coin's book, read now (one l2Book each). */
async function atFollowsTouch(
  session: TradingSession,
  closes: FlattenClose[],
  slippageBps: number,
): Promise<FlattenClose[]> {
  if (closes.length === 0) return closes;
  const markets = await session.client.getMarkets();
  const books: Record<string, { bestBid?: number; bestAsk?: number }> = {};
  for (const c of closes) {
    const b = await session.client.getTopOfBook(c.coin);
    books[c.coin] = {
      ...(b.bestBid !== undefined ? { bestBid: b.bestBid } : {}),
      ...(b.bestAsk !== undefined ? { bestAsk: b.bestAsk } : {}),
    };
  }
  return closesAtTouch(closes, markets, books, slippageBps);
}

/**
 * What of the running follow's run its flatten goes by, from its journal (the settings it
 * started with: a follow does not change them while it runs): exec.slippageBps, its closes'
 * limit prices, and its run's id — the entries it placed itself. Null when that journal or run
 * cannot be read.
 */
function followSettings(
  ctx: CliContext,
  account: Address,
  follow: RunningProcess,
): { slippageBps: number; runId: number } | null {
  try {
    const opened = openExisting(follow.configDir, account, ctx.network.name);
    if (!opened) return null;
    try {
      const run = opened.journal.unfinishedRuns().find((r) => r.pid === follow.pid);
      const exec = (run?.settings as { exec?: { slippageBps?: unknown } } | null | undefined)?.exec;
      const bps = exec?.slippageBps;
      if (!run || typeof bps !== "number" || !Number.isFinite(bps) || bps < 0) return null;
      return { slippageBps: bps, runId: run.id };
    } finally {
      opened.journal.close();
    }
  } catch {
    return null;
  }
}

/** `hlcopy flatten --dry-run`'s text: who would do it, the closes as a table, what remains, the halt. */
async function previewText(p: {
  acct: string;
  follow: RunningProcess | null;
  closes: FlattenClose[];
  left: FlattenLeft[];
  cancels: FlattenCancel[];
  /** Resting entries the running follow would leave: an earlier run's it has not looked up yet. */
  leftResting: FlattenCancel[];
  unknown: FlattenUnknown[];
  slippageBps: number;
  /** Whose exec.slippageBps the limit prices are at (see followPricing). */
  limitPxFrom: "follow" | "here" | "here-follow-unread";
  halt: { kind: string; reason: string };
  standing: boolean;
  elsewhere: boolean;
  /** A pause recorded for the account (undefined: none; null: since an unknown time). */
  pausedAt: number | null | undefined;
  ctx: CliContext;
}): Promise<string> {
  const lines = ["dry run: nothing sent, nothing halted — hlcopy flatten now would:"];
  lines.push(
    p.follow
      ? `be carried out by the follow running for ${p.acct} (pid ${p.follow.pid}): it halts and closes every position itself; what it would close now, as the account stands:`
      : `send the closes here with the agent key: no follow is running for ${p.acct}`,
  );
  if (p.unknown.length > 0) {
    lines.push(
      `look up ${p.unknown.length} order(s) of unknown outcome first (sent, no reply journaled) — as found now:`,
    );
    for (const u of p.unknown) lines.push(`  ${u.detail} (${u.cloid})`);
  }
  if (p.cancels.length > 0) {
    lines.push(
      `cancel ${p.cancels.length} resting passive entr${p.cancels.length === 1 ? "y" : "ies"} first:`,
    );
    for (const c of p.cancels) lines.push(`  ${c.detail} (${c.cloid})`);
  }
  if (p.leftResting.length > 0) {
    const n = p.leftResting.length;
    const one = n === 1;
    lines.push(
      `leave ${n} resting passive entr${one ? "y" : "ies"} on the book: the follow takes up the entries an earlier run left at its first sweep (it cancels them; with exec.entry passive it keeps them, and its flatten cancels them), but ${one ? "this one is" : "these are"} of unknown outcome in its journal: it looks ${one ? "it" : "them"} up and journals ${one ? "it" : "them"}, and leaves ${one ? "it" : "them"} resting — stop it (hlcopy stop), then hlcopy flatten cancels ${one ? "it" : "them"}:`,
    );
    for (const c of p.leftResting) lines.push(`  ${c.detail} (${c.cloid})`);
  }
  if (p.closes.length === 0) lines.push("close nothing: no position is open");
  else {
    const total = p.closes.reduce((t, c) => t + c.notionalUsd, 0);
    const table = await renderTable(
      ["coin", "side", "size", "limit px", "est. notional", "order"],
      p.closes.map((c) => [
        c.coin,
        c.side,
        detailNumber(c.size),
        detailNumber(c.limitPx),
        fmtUsd(c.notionalUsd),
        c.reduceOnly ? "reduce-only IOC" : "IOC",
      ]),
    );
    const bps = `${detailNumber(p.slippageBps)} bps`;
    const from =
      p.limitPxFrom === "follow"
        ? `${bps} through the book's touch, the follow's exec.slippageBps as its run journaled it`
        : p.limitPxFrom === "here"
          ? `${bps} from the mid, the exec.slippageBps of this shell's settings, which the flatten from here uses`
          : `${bps} through the book's touch, the exec.slippageBps of this shell's settings: the follow's own could not be read from its journal, and its limits may differ`;
    lines.push(
      `send ${p.closes.length} reduce-only close(s), est. ${fmtUsd(total)} (each fills at the book, no worse than its limit px: ${from}):`,
      table,
    );
  }
  // A pause holds everything but a halt's closes: the flatten's go all the same.
  if (p.pausedAt !== undefined && p.closes.length > 0)
    lines.push(
      `(a pause stands${p.pausedAt !== null ? ` since ${utcMinute(p.pausedAt)}` : ""}: the flatten's closes go all the same — reducing risk is always allowed)`,
    );
  for (const l of p.left)
    lines.push(
      `leave ${l.coin} ${detailNumber(l.size)} open: ${l.detail}${l.reason ? ` (${l.reason})` : ""}`,
    );
  const halt = p.standing
    ? `keep the halt that stands (${p.halt.kind}): ${p.halt.reason}`
    : `halt trading (${p.halt.kind})`;
  lines.push(
    `${halt} until hlcopy resume${
      p.elsewhere
        ? ` — and record a pause: this config directory (${p.ctx.configDir}) has no journal of the account, so the runs that trade it keep theirs elsewhere; the pause holds them wherever it is`
        : ""
    }`,
  );
  // Lines of words fit the terminal (80 piped), as status's and reconcile's do; the table as drawn.
  return `${wrapReportLines(lines, outputWidth()).join("\n")}\n`;
}

/**
 * Before flatten asks its yes: without --paper, a follow --paper running is refused (notLiveError),
 * so the trader is not asked to confirm closing positions that would not be closed.
 */
export function refusePaperFollow(ctx: CliContext, account: Address, paper: boolean): void {
  if (paper) return;
  const running = runningProcesses(ctx, account).find((r) => r.command === "follow" && r.paper);
  if (running) throw notLiveError(running, ctx, account);
}

/**
 * Record the pause in every directory this process locks in — the next follow, whatever its
 * environment, looks there. A pause that stands already (`standing`) keeps its time, and a
 * directory that holds it is left as it is.
 */
function recordPause(
  ctx: CliContext,
  account: Address,
  paper: boolean,
  standing: StandingPause | null,
): void {
  for (const dir of lockDirs(ctx.env)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const path = pendingPausePath(dir, ctx.network, account, paper);
    if (!standing || !existsSync(path)) recordPendingPause(path, standing?.pausedAt ?? Date.now());
  }
}

/** Flatten needs a yes: --yes, or an answer on a terminal. @throws {UsageError} (exit 2) otherwise. */
export async function confirmFlatten(yes: boolean): Promise<boolean> {
  if (yes) return true;
  const { createPrompt } = await import("../../store/secrets.js");
  const prompt = createPrompt();
  try {
    if (!prompt.interactive) {
      throw new UsageError("refusing to flatten without confirmation", {
        hint: "run it on a terminal, or pass --yes",
      });
    }
    return await prompt.confirm("Close every position reduce-only and halt trading? [y/N] ");
  } finally {
    prompt.close();
  }
}
