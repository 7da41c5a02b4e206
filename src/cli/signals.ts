// The signals that stop a run cleanly (follow, demo; a one-shot run — reconcile, flatten — before
// it sends, or its sends ended: oneShotStop): Ctrl-C, `kill`, a closed terminal or ssh session
// (SIGHUP) and Ctrl-\ (SIGQUIT) all get the same stop — nothing sent after it, the order in
// flight resolved, the run journaled, the lock released, the summary printed.
// (SIGUSR1 is neutralised for the whole CLI in bin/hlcopy.js: it would open the inspector.)

import { ExitCode, HlcopyError } from "../core/errors.js";
import type { EngineEvent } from "../engine/events.js";
import { InterruptedError } from "../store/secrets.js";
import { printDocument } from "./output.js";

export const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"] as const satisfies NodeJS.Signals[];

/**
 * Call `stop` on the first stop signal; a second one of the same kind kills, as Node's default
 * would, for a run that hangs. After a SIGHUP the terminal is gone: writes to it fail with
 * EIO/EPIPE, which must not turn the clean stop into a crash.
 *
 * The handlers stay registered (not `process.once`): the dashboard loads Ink, and Ink's
 * signal-exit kills the process on a signal when it sees no other listener for it — with a
 * `once` handler, which Node removes before calling it, a SIGTERM or SIGHUP killed a dashboard
 * run mid-burst.
 * @returns a function that removes the handlers.
 */
export function onStopSignals(stop: (signal: NodeJS.Signals) => void): () => void {
  const ignoreWriteErrors = () => {};
  const seen = new Set<NodeJS.Signals>();
  const off = () => {
    for (const s of STOP_SIGNALS) process.off(s, handler);
  };
  function handler(signal: NodeJS.Signals): void {
    if (seen.has(signal)) {
      off();
      process.kill(process.pid, signal);
      return;
    }
    seen.add(signal);
    if (signal === "SIGHUP") {
      process.stdout.on("error", ignoreWriteErrors);
      process.stderr.on("error", ignoreWriteErrors);
    }
    stop(signal);
  }
  for (const s of STOP_SIGNALS) process.on(s, handler);
  return off;
}

/** What a one-shot run's stop does to its engine (engine/engine.ts CopyEngine). */
export interface OneShotEngine {
  /** It may have sent (past its review): its sends end instead of the engine stopping. */
  readonly hasActed: boolean;
  stop(reason: string, code: number): Promise<unknown>;
  endSends(reason: string): void;
}

/** A one-shot run's stop signals, as {@link oneShotStop} keeps them. */
export interface OneShotStop {
  /** The first stop signal, or null while none came. */
  readonly signalled: NodeJS.Signals | null;
  /** The signal came before the run could send: it was stopped there (nothing sent). */
  readonly stoppedEarly: boolean;
  /** Aborted by a stop before the engine is made: the session's start-up reads and waits. */
  readonly startup: AbortSignal;
  /** The run's engine, once made: a stop then reaches it. */
  engine: OneShotEngine | undefined;
  /** Remove the handlers. */
  off(): void;
}

/**
 * The stop signals of a one-shot run (reconcile, flatten; their dry runs too): before its engine
 * is made the start-up is aborted; an engine that has not acted is stopped (nothing is sent); one
 * that has stops sending — `awaited` (what is out: "an order request already out is awaited") is
 * awaited, the account read again and the report printed, and the line on `err` says so.
 * Whether it came before the run could send (`stoppedEarly`) is the caller's to say (RunInterrupted).
 */
export function oneShotStop(err: { write(text: string): unknown }, awaited: string): OneShotStop {
  const startup = new AbortController();
  const state = {
    signalled: null as NodeJS.Signals | null,
    stoppedEarly: false,
    startup: startup.signal,
    engine: undefined as OneShotEngine | undefined,
    off: () => {},
  };
  state.off = onStopSignals((signal) => {
    state.signalled ??= signal;
    const engine = state.engine;
    if (!engine?.hasActed) state.stoppedEarly = true;
    if (!engine) startup.abort();
    else if (!engine.hasActed) void engine.stop(`stopped by ${signal}`, ExitCode.interrupted);
    else {
      // Nothing new goes from here (an order batch not yet sent is not sent, and journaled so);
      // what is already out is awaited.
      engine.endSends(`stopped by ${signal}`);
      err.write(
        `${signal}: nothing more is sent — ${awaited}, then the account read again and the report (${signal} again ends it now)\n`,
      );
    }
  });
  return state;
}

/**
 * A run stopped before it started ends with exit 0 and no summary, so one line on stderr (where
 * Ctrl-C at a question says "interrupted") tells what stopped it and that nothing was sent —
 * a stop from another terminal is never silent: "stopped by SIGTERM at the review: nothing was sent".
 * With --json it is one `stop` document on stdout instead (as an error is there): a script
 * reading stdout got nothing at all, exit 0, from a run that never began.
 */
export function stoppedBeforeRun(
  signal: NodeJS.Signals | null,
  reason: string | null,
  where: string,
  options: { json?: boolean; out?: { write(text: string): unknown } } = {},
): void {
  const by = signal ? ` by ${signal}` : "";
  const why = !signal && reason ? ` (${reason})` : "";
  const message = `stopped${by} ${where}${why}: nothing was sent`;
  if (options.json) {
    const line: Extract<EngineEvent, { type: "stop" }> = {
      type: "stop",
      ts: Date.now(),
      reason: message,
      began: false,
      signal,
      ordersSent: 0,
    };
    printDocument("stop", line, options.out ?? process.stdout, line.ts);
    return;
  }
  (options.out ?? process.stderr).write(`${message}\n`);
}

/**
 * Where a run a stop abandoned before it could send was: a question rejects with
 * InterruptedError when the stop abandons it (cli/ask.ts, and the passphrase prompt, which names
 * what it asked for); anything else was a start check.
 */
export function whereStopped(error: unknown): string {
  if (!(error instanceof InterruptedError)) return "during the start checks";
  // A passphrase from HLCOPY_PASSPHRASE(_FILE) shows no prompt: the stop came during the derivation.
  if (error.deriving) return "while the agent key was derived from its passphrase";
  return error.what ? `at the prompt for ${error.what}` : "at the review";
}

/**
 * A one-shot run (`reconcile`) that a stop signal ended before it could send: it did not do what
 * it was asked — the account is as it was, not brought in sync — so it is no success (exit 0
 * reads as "in sync" to `hlcopy reconcile … && …`): the contract's two lines and exit 130, as an
 * interrupted prompt. (A continuous run, follow, stopped by a signal ends in order: exit 0.)
 */
export class RunInterrupted extends HlcopyError {
  override name = "RunInterrupted";
  /** `hint`: what stands instead, when the run changed something before it could send (a flatten's halt). */
  constructor(signal: NodeJS.Signals, where: string, again: string, hint?: string) {
    super(`interrupted by ${signal} ${where}: nothing was sent`, {
      hint: hint ?? `the account is as it was: run ${again} again`,
      exitCode: ExitCode.interrupted,
    });
  }
}
