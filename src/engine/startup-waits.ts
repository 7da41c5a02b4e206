// The run's start-up waits: until the first sweep succeeded, a read that fails for a transient
// reason (the exchange unreachable, a 5xx, the websocket not up yet) is retried with backoff until
// exec.startupTimeoutSeconds, each wait said (reads made together are retried together: one
// warning per retry); and the run's begin() waits so for a journal another program holds. After
// the first good sweep a read fails at once: the next sweep repairs.

import type { Settings } from "../core/settings.js";
import { RetryRounds } from "../exchange/retry.js";
import { whenJournalFree } from "./journal-wait.js";
import type { PartBase } from "./ports.js";

export interface StartupWaitsOptions extends Pick<PartBase, "emit" | "now"> {
  settings: Pick<Settings, "exec">;
  /** EngineOptions.startupRetryDelayMs: the first wait (tests shorten it). */
  startupRetryDelayMs: number | undefined;
  /** Aborts when the run is stopped: a wait ends there. */
  signal: AbortSignal;
  /** A sweep succeeded in this run (reads are no longer retried). */
  swept: () => boolean;
}

/**
 * What a part that reads at every sweep is told of the run's start: its reads before the first
 * good sweep go through `read` (StartupWaits.read: retried, then the start fails), later ones
 * fail at once and are told (the next sweep repairs). One shape for every such part.
 */
export interface StartupReads {
  read: <T>(what: string, read: () => Promise<T>) => Promise<T>;
  /** A sweep succeeded in this run: a failure is told and tried again later, not fatal. */
  swept: boolean;
}

export class StartupWaits {
  readonly #o: StartupWaitsOptions;

  constructor(options: StartupWaitsOptions) {
    this.#o = options;
  }

  /**
   * begin(), a journal another program holds (a backup tool) waited for like a start-up read:
   * for exec.startupTimeoutSeconds, said once, then the start fails with the busy error's hint.
   */
  async beginWhenFree(begin: () => void): Promise<void> {
    await whenJournalFree(begin, {
      timeoutMs: (this.#o.settings.exec.startupTimeoutSeconds ?? 120) * 1000,
      signal: this.#o.signal,
      tell: (message) => this.#o.emit({ type: "warning", ts: this.#o.now(), message }),
      ...(this.#o.startupRetryDelayMs === undefined ? {} : { initialDelayMs: this.#o.startupRetryDelayMs }),
    });
  }

  /**
   * A read made before the first sweep succeeded (start-up, or reconcile's one sweep):
   * transient failures are retried with backoff, each wait shown as a warning, until
   * exec.startupTimeoutSeconds; later reads fail at once (the next sweep repairs).
   */
  read<T>(what: string, read: () => Promise<T>, always = false, discard?: (late: T) => void): Promise<T> {
    if (this.#o.swept() && !always) return read();
    return this.#rounds.retry(read, {
      what,
      ...(discard ? { discard } : {}),
      timeoutMs: (this.#o.settings.exec.startupTimeoutSeconds ?? 120) * 1000,
      signal: this.#o.signal,
      ...(this.#o.startupRetryDelayMs === undefined ? {} : { initialDelayMs: this.#o.startupRetryDelayMs }),
    });
  }

  /** This moment's StartupReads (read(): the start-up read above; swept: a sweep succeeded). */
  reads(): StartupReads {
    return { read: (what, read) => this.read(what, read), swept: this.#o.swept() };
  }

  /** Start-up reads made together, retried together: one warning per retry (exchange/retry.ts RetryRounds). */
  readonly #rounds = new RetryRounds((message) =>
    this.#o.emit({ type: "warning", ts: this.#o.now(), message }),
  );
}
