// A journal another program holds (a SQLite browser with a transaction open, a backup tool) at
// a run's start — opening it (cli/trading.ts) or beginning the run in it (CopyEngine
// beginWhenFree) — is waited for as a start-up read waits for the exchange: up to
// exec.startupTimeoutSeconds, said once, then the busy error with what to do. Both say it in the
// same words: one situation, one line.

import { JournalBusyError } from "../core/errors.js";
import { retryTransient } from "../exchange/retry.js";

export interface WhenJournalFreeOptions {
  /** exec.startupTimeoutSeconds, in ms. */
  timeoutMs: number;
  /** Told once, at the first wait for the journal: the line to show (no `warning: ` prefix). */
  tell: (message: string) => void;
  /** A stop: the wait ends and the busy error is thrown. */
  signal?: AbortSignal;
  /** The first retry's wait (tests); doubles up to 10 s, as the start-up reads'. */
  initialDelayMs?: number;
}

/**
 * `fn` (an open, a begin), retried while it meets a journal another program holds.
 * @throws what `fn` throws that is not transient, at once; {StartupTimeoutError} (exit 1) naming
 *   the journal and what to do once `timeoutMs` has passed; the busy error when `signal` aborts.
 */
export async function whenJournalFree<T>(fn: () => T, o: WhenJournalFreeOptions): Promise<T> {
  let told = false;
  return retryTransient(async () => fn(), {
    what: "the journal (held by another program)",
    timeoutMs: o.timeoutMs,
    ...(o.signal ? { signal: o.signal } : {}),
    hint: "another process holds the journal in a long transaction: a SQLite browser or backup tool (close it), or a follow or reconcile at its review or passphrase prompt (answer it there); raise exec.startupTimeoutSeconds (--startup-timeout-seconds) to wait longer",
    ...(o.initialDelayMs === undefined ? {} : { initialDelayMs: o.initialDelayMs }),
    onWait: ({ error }) => {
      if (told || !(error instanceof JournalBusyError)) return;
      told = true;
      o.tell(
        `journal busy (held by another program): the run cannot begin; retrying for up to ${Math.round(o.timeoutMs / 1000)}s — nothing is sent meanwhile`,
      );
    },
  });
}
