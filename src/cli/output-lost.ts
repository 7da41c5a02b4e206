// A run's output gone (its reader ended, its terminal closed), told by the CLI's one watch on
// stdout (cli.ts) to the run that is showing (cli/run-engine.ts). No imports: the entry loads it.

/**
 * The run's output is gone: `pipe` — the program reading stdout ended (EPIPE, a reset socket:
 * `hlcopy follow | head`, a log pipe that died); `terminal` — the terminal closed (EIO: tmux
 * kill-session, a dropped ssh session, whose SIGHUP may come after the first failed write).
 */
export type OutputLost = "pipe" | "terminal";

let outputLostHandler: ((lost: OutputLost, code: string) => void) | null = null;

/**
 * What a running engine does when its output is gone (one handler at a time: the run's).
 * @returns a function that removes it.
 */
export function onOutputLost(handler: (lost: OutputLost, code: string) => void): () => void {
  outputLostHandler = handler;
  return () => {
    if (outputLostHandler === handler) outputLostHandler = null;
  };
}

/** Tell the run its output is gone. @returns false when no run listens (the caller ends the process). */
export function outputLost(lost: OutputLost, code: string): boolean {
  if (!outputLostHandler) return false;
  outputLostHandler(lost, code);
  return true;
}
