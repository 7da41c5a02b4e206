// One run of the copy engine in front of the trader, for `follow` and `demo`: the stop
// signals, the dashboard or event lines, the start checks before the dashboard takes the
// terminal, the run, and the clean-up in order. The caller sets the run up and tells its
// summary; everything between is here, once.

import { toHlcopyError } from "../core/errors.js";
import type { CopyEngine } from "../engine/engine.js";
import { type EngineEvent, EngineEvents } from "../engine/events.js";
import type { OpenEngineStreams } from "../engine/ports.js";
import { InterruptedError } from "../store/secrets.js";
import type { RunSummary } from "../ui/model.js";
import type { StartViewOptions } from "../ui/view.js";
import { printCommandError, printDocument } from "./output.js";
import { type OutputLost, onOutputLost, writeFailure } from "./output-lost.js";
import { ReviewDeclined } from "./review.js";
import { onStopSignals, stoppedBeforeRun, whereStopped } from "./signals.js";

/**
 * Why a run is asked to stop from outside: q on the dashboard, a stop signal, or its output
 * gone (the reader of stdout ended, the terminal closed).
 */
export type StopRequest = "quit" | { signal: NodeJS.Signals } | { outputLost: OutputLost; code: string };

/** The reason a stop request is journaled and shown with ("signal SIGTERM", …). */
function stopReasonOf(request: StopRequest): string {
  if (request === "quit") return "quit";
  if ("signal" in request) return `signal ${request.signal}`;
  return request.outputLost === "terminal"
    ? `the terminal closed (${request.code})`
    : request.outputLost === "write"
      ? `its output could not be written (${writeFailure(request.code)})`
      : `its output was closed (${request.code}: the program reading it ended)`;
}

/**
 * A run whose reader went away stopped as on a signal (nothing sent after it, the on-exit step
 * taken), but nobody asked it to: said on stderr — stdout is gone, --json too — and exit 1, so
 * a script or a supervisor (the example unit restarts on failure) sees a run that ended, not a
 * clean stop. A closed terminal is its SIGHUP: a stop, exit as it was, with nowhere to say it.
 */
function afterOutputLost(
  lost: { lost: OutputLost; code: string } | null,
  code: number,
  command: string,
): number {
  if (lost?.lost === "write") {
    // `>> follow.log` on a full disk: not a reader that ended — a file would fail the same way.
    printCommandError(
      `${command} stopped: its output could not be written (${writeFailure(lost.code)}); nothing was sent after that`,
      `make room where its output goes (df -h shows the disks), then start ${command} again`,
      { json: false },
    );
    return code === 0 ? 1 : code;
  }
  if (lost?.lost !== "pipe") return code;
  printCommandError(
    `${command} stopped: its output was closed (${lost.code}: the program reading it ended); nothing was sent after that`,
    `keep the output somewhere that stays open (a file: > ${command}.log, or the service unit), then start ${command} again`,
    { json: false },
  );
  return code === 0 ? 1 : code;
}

/** A run that is set up: what runEngineWithView runs, shows and closes. */
export interface EngineRun {
  engine: CopyEngine;
  events: EngineEvents;
  /** What the view shows before the first event (mode, leaders, account, network). */
  initial: NonNullable<StartViewOptions["initial"]>;
  /** Opens the run's websockets (see cli/wiring.ts). */
  streams: OpenEngineStreams;
  /** What q and a stop signal do; by default the engine stops ("quit", "signal SIGTERM"). */
  stop?: (request: StopRequest) => void;
  /**
   * Run the start checks and the review of the first plan (engine.preflight) before the run;
   * the dashboard takes the terminal only after them (the review asks on it). A refused start
   * is thrown; one stopped by a signal ends with its exit code and no summary.
   */
  preflight?: boolean;
  /**
   * Started once the run's events are shown (or kept for the dashboard), before the checks, so
   * what it reports is seen; closed first when the run ends. (follow's control channel.)
   */
  attach?: () => Promise<{ close(): Promise<void> } | null>;
  /** Called once the start checks passed, before the run: what it tells belongs to a run that starts. */
  started?: () => void;
  /** Awaited once the engine has stopped, while the view still shows events (the demo's last sweep). */
  afterRun?: () => Promise<void>;
  /** Release what the set-up took (session and lock, alerts, simulator); after the view closed. */
  close: () => Promise<void>;
}

export interface RunEngineWithViewParameters {
  /** --json: JSON lines, and the summary as one JSON document at the end. */
  json: boolean;
  /** --no-ui: lines even on a terminal. */
  noUi: boolean;
  /** The command the trader ran, as a stop it did not ask for names it (default "follow"). */
  command?: string;
  /**
   * Set the run up. A stop signal before it returns aborts `signal`: a set-up that then
   * throws ends the run with exit 0, one that returns is stopped before it sends anything.
   * It releases what it took itself when it throws.
   */
  setUp: (signal: AbortSignal) => Promise<EngineRun>;
}

export interface RunEngineWithViewResult {
  /** The engine's exit code (0 after a clean stop, 4 halted, …). */
  code: number;
  /** What the run did; null when a stop signal ended it before it started (nothing to tell). */
  summary: RunSummary | null;
  /** Whether the dashboard showed the run (it is gone by now), else event lines did. */
  dashboard: boolean;
}

/**
 * Set up, show and run the engine until q, a stop signal (SIGINT, SIGTERM, SIGHUP, SIGQUIT:
 * nothing sent after it, the order in flight awaited), or the engine's own stop; then close
 * everything in order. With --json the summary is printed as one JSON document.
 * @throws what the set-up or the start checks throw (after releasing what was taken), unless
 * a stop signal came first.
 */
export async function runEngineWithView(p: RunEngineWithViewParameters): Promise<RunEngineWithViewResult> {
  // Signals are watched from the start: one during set-up (the approval check may wait out a
  // failing exchange) ends the wait instead of killing the process half set up.
  const startup = new AbortController();
  const command = p.command ?? "follow";
  let run: EngineRun | null = null;
  /** The first stop signal: a run it ends before it started says so (stoppedBeforeRun). */
  let signalled: NodeJS.Signals | null = null;
  const stopRun = (request: StopRequest) => {
    if (!run) return;
    if (run.stop) run.stop(request);
    else void run.engine.stop(stopReasonOf(request));
  };
  /** The run's output gone (cli.ts watches stdout): the run stops as on a signal. */
  let lost: { lost: OutputLost; code: string } | null = null;
  const offLost = onOutputLost((what, code) => {
    lost ??= { lost: what, code };
    if (run) stopRun({ outputLost: what, code });
    else startup.abort();
  });
  const offSignals0 = onStopSignals((signal) => {
    signalled ??= signal;
    if (run) stopRun({ signal });
    else startup.abort();
  });
  const offSignals = () => {
    offSignals0();
    offLost();
  };
  try {
    run = await p.setUp(startup.signal);
  } catch (error) {
    offSignals();
    if (startup.signal.aborted) {
      if (!lost) stoppedBeforeRun(signalled, null, "during start-up", { json: p.json });
      return { code: afterOutputLost(lost, 0, command), summary: null, dashboard: false };
    }
    throw error;
  }
  const { engine, events } = run;
  // A stop signal came during the set-up, which finished all the same (the request it waited on
  // answered, a step that does not wait): nothing more is begun — no start checks, no prompt, no
  // run — and it ends as a set-up the signal ended: one line, exit 0, no summary (it went on to
  // its checks, then printed the summary of a run that never ran; at a terminal it asked its
  // review after the Ctrl-C).
  if (startup.signal.aborted) {
    offSignals();
    await run.close();
    if (!lost) stoppedBeforeRun(signalled, null, "during start-up", { json: p.json });
    return { code: afterOutputLost(lost, 0, command), summary: null, dashboard: false };
  }

  const { shouldUseDashboard, startView } = await import("../ui/view.js");
  const dashboard = shouldUseDashboard({
    noUi: p.noUi,
    json: p.json,
    stdout: process.stdout,
    stdin: process.stdin,
  });
  // Event lines go above a question waiting on the terminal (the plan review's [y/N]), never
  // onto its line.
  const { writeAboveQuestion } = await import("./ask.js");
  const openView = (bus: EngineEvents) =>
    startView({
      events: bus,
      dashboard,
      json: p.json,
      out: { write: (line: string) => writeAboveQuestion(process.stdout, line) },
      initial: run.initial,
      controls: {
        quit: () => stopRun("quit"),
        togglePause: () => engine.togglePause(),
        sweepNow: () => engine.sweepNow(),
        flatten: () => engine.flatten(),
      },
    });

  // Event lines (--no-ui) show the checks as they happen. The dashboard takes the terminal
  // only after them, and --json starts its lines only then too (a refused start prints one
  // error document and nothing else): until then the events are kept and the view shows them
  // all, in order, once it is up. A warning heard while the engine holds its warnings about the
  // run (engine.holdsWarnings: until the checks pass) says why the start waits (a retried read,
  // an earlier order awaited) and is told at once — the dashboard's on stderr (kept for its log
  // too), --json's as its JSON line on stdout (not kept: printed once), as the set-up's waits are.
  let view = (dashboard || p.json) && run.preflight ? null : await openView(events);
  const { formatJsonLine } = await import("../ui/lines.js");
  const early: EngineEvent[] = [];
  const keep = view
    ? () => {}
    : events.on((e) => {
        if (e.type === "warning" && p.json && engine.holdsWarnings) {
          const line = formatJsonLine(e);
          if (line !== null) writeAboveQuestion(process.stdout, `${line}\n`);
          return;
        }
        early.push(e);
        if (e.type === "warning" && !p.json) writeAboveQuestion(process.stderr, `warning: ${e.message}\n`);
      });
  // The error that ended the run (a failed first sweep, an agent no longer approved): printed
  // once, as the contract's two lines, when the view is gone (event lines leave it out).
  let fatal: { message: string; hint?: string } | null = null;
  const offFatal = events.on((e) => {
    if (e.type === "error" && e.fatal) fatal = e;
  });
  // Why the engine stopped when no signal did (hlcopy stop through the control channel).
  let stopReason: string | null = null;
  const offStop = events.on((e) => {
    if (e.type === "stop") stopReason ??= e.reason;
  });
  const attached = (await run.attach?.()) ?? null;
  if (run.preflight) {
    try {
      await engine.preflight();
    } catch (error) {
      keep();
      offSignals();
      await attached?.close();
      // A stop during the checks, or at the review or passphrase prompt: nothing was sent.
      const stopped = engine.isStopping;
      // No at the review: the trader's decision, not a failure (no fatal error, no alert).
      const declined = error instanceof ReviewDeclined;
      // Ctrl-C typed at the review or passphrase prompt: the trader's too (the CLI says
      // "interrupted", exit 130, as at every prompt) — the stop says where, not "could not start".
      const interrupted = !stopped && error instanceof InterruptedError;
      const e = toHlcopyError(error);
      // A refused start: the error is thrown and the CLI prints it once (event lines leave it
      // out); alerts hear it as the run's fatal error.
      if (!stopped && !declined && !interrupted)
        events.emit({
          type: "error",
          ts: Date.now(),
          message: e.message,
          ...(e.hint ? { hint: e.hint } : {}),
          fatal: true,
        });
      const code = await engine.stop(
        declined
          ? "not confirmed at the review"
          : interrupted
            ? `interrupted ${whereStopped(error)}`
            : "could not start",
        e.exitCode,
      );
      offStop();
      offFatal();
      await view?.close();
      await run.close();
      if (declined) {
        process.stderr.write(`${e.message}\n`);
        return { code, summary: null, dashboard };
      }
      if (stopped) {
        if (!lost) stoppedBeforeRun(signalled, stopReason, whereStopped(error), { json: p.json });
        return { code: afterOutputLost(lost, code, command), summary: null, dashboard };
      }
      throw error;
    }
  }
  run.started?.();
  if (!view) {
    // The kept events go to the view alone (everyone else heard them as they happened), then
    // what comes next: kept while it opens, handed over in order.
    const bus = new EngineEvents({ demandTo: events });
    view = await openView(bus);
    keep();
    for (const e of early) bus.emit(e);
    events.on((e) => bus.emit(e));
  } else keep();

  // Stopped once the checks and the review had passed, before the run began (a signal, or
  // hlcopy stop, while the view opened): nothing was sent and the run is not journaled (the
  // engine drops what it held), so it ends as one stopped at its review does — one line, no
  // summary (it printed the closing summary of a run that never ran).
  if (engine.isStopping) {
    const code = await engine.stop("");
    offStop();
    offSignals();
    offFatal();
    await attached?.close();
    await view.close();
    await run.close();
    if (!lost) stoppedBeforeRun(signalled, stopReason, "before the run began", { json: p.json });
    return { code: afterOutputLost(lost, code, command), summary: null, dashboard };
  }
  offStop();

  let code: number;
  try {
    code = await engine.run(run.streams);
    await run.afterRun?.();
  } finally {
    offSignals();
    offFatal();
    await attached?.close();
    await view.close();
    await run.close();
  }
  const failed = fatal as { message: string; hint?: string } | null;
  if (failed && !p.json) printCommandError(failed.message, failed.hint, { json: false });
  const summary = view.summary();
  if (p.json && !lost) printDocument("summary", summary);
  return { code: afterOutputLost(lost, code, command), summary, dashboard };
}
