// A stop signal to a read-only command (inspect, backtest, scan) while it reads: it changes
// nothing, so there is nothing to finish — it ends at once and says so. Node's default ended it
// silently: a busy leader's history is ~30 s of reads, and exit 130 or 143 with no word read as
// a crash or a hang cut short.

import { ExitCode, HlcopyError } from "../core/errors.js";
import { reportError } from "./output.js";
import { onStopSignals } from "./signals.js";

/** A read-only command a stop signal ended: exit 130, as an interrupted prompt. */
export class ReadInterrupted extends HlcopyError {
  override name = "ReadInterrupted";
  /** `where`: "while reading the fills of 0x1234…abcd (2,000 so far)"; `again`: "hlcopy inspect". */
  constructor(signal: NodeJS.Signals, where: string, again: string, hint?: string) {
    super(`interrupted by ${signal} ${where}: nothing was changed`, {
      hint: hint ?? `it only reads: run ${again} again`,
      exitCode: ExitCode.interrupted,
    });
  }
}

export interface ReadStop {
  /** The command to run again ("hlcopy inspect"). */
  again: string;
  /** The error as a JSON document on stdout (--json), not the two lines on stderr. */
  json: boolean;
  /** The hint, when running it again is not all there is to say. */
  hint?: string;
}

/**
 * Until the returned function is called, the first stop signal (cli/signals.ts STOP_SIGNALS) ends
 * the command at once: ReadInterrupted said as every error is (`where()`: what it was doing when
 * the signal came), then exit 130. For the time it waits on reads only: during a long computation
 * a handler would run only once the computation is over, so Node's own immediate stop is left there.
 */
export function exitOnStop(where: () => string, stop: ReadStop): () => void {
  return onStopSignals((signal) => {
    const error = new ReadInterrupted(signal, where(), stop.again, stop.hint);
    process.exit(reportError(error, { debug: process.argv.includes("--debug"), json: stop.json }));
  });
}
