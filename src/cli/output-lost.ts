// A run's output gone (its reader ended, its terminal closed), told by the CLI's one watch on
// stdout (cli.ts) to the run that is showing (cli/run-engine.ts). No imports: the entry loads it.

/**
 * The run's output is gone: `pipe` — the program reading stdout ended (EPIPE, a reset socket:
 * `hlcopy follow | head`, a log pipe that died); `terminal` — the terminal closed (EIO: tmux
 * kill-session, a dropped ssh session, whose SIGHUP may come after the first failed write);
 * `write` — a write that failed where the output goes (ENOSPC: `> follow.log` on a full disk):
 * the output is incomplete, and nobody ended it on purpose.
 */
export type OutputLost = "pipe" | "terminal" | "write";

/** Which loss a stdout write error is: its reader gone, its terminal closed, or the write itself failed. */
export function outputLostKind(code: string): OutputLost {
  if (code === "EIO") return "terminal";
  // The reader ended: `| head`, a log pipe or socket that died.
  if (code === "EPIPE" || code === "ECONNRESET" || code === "ERR_STREAM_DESTROYED") return "pipe";
  return "write";
}

/** Why a failed write failed, in words (ENOSPC: the disk is full). */
export function writeFailure(code: string): string {
  const why: Record<string, string> = {
    ENOSPC: "no space left on the device",
    EDQUOT: "the disk quota is used up",
    EFBIG: "the file is too large",
    EROFS: "a read-only file system",
  };
  return why[code] ? `${code}: ${why[code]}` : code;
}

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
