// How the run tells an error: the one it stops on (fatal, said once), and one it outlives —
// an error line, a warning for a transient failure the next sweep retries, or nothing more when
// it was told already where it was met (the agent's halt, the request budget's 429 line, the
// journal's busy spell). The engine decides what to do (core/errors.ts `action`); this says it.

import {
  AgentNotApprovedError,
  JournalBusyError,
  RateLimitError,
  RetryableError,
  toHlcopyError,
  UncertainOutcomeError,
} from "../core/errors.js";
import type { Journal } from "../store/journal.js";
import type { PartBase } from "./ports.js";

export interface ErrorReportOptions extends Pick<PartBase, "emit" | "now"> {
  journal: Pick<Journal, "busySince">;
  /** The agent's refusal halt stands (AgentWatch): its error was told with it. */
  agentHalted: () => boolean;
}

export class ErrorReport {
  readonly #o: ErrorReportOptions;
  /**
   * The transient failures of this outage: the last one said, since when the run meets them, how
   * many. A sweep that fails for the reason already said says nothing more (an exchange away for
   * an hour was a warning every sweep: 120 lines at 30 s); a new reason is said; a good sweep ends
   * the outage, said once (sweepsOk).
   */
  #outage: { said: string; since: number; failures: number } | null = null;

  constructor(options: ErrorReportOptions) {
    this.#o = options;
  }

  /**
   * The error the run stops on: it says what went wrong (once: the CLI prints it when the run
   * has ended, event lines leave it out); the stop that follows says how the run ended.
   */
  fatal(e: { message: string; hint?: string | undefined }): void {
    this.#o.emit({
      type: "error",
      ts: this.#o.now(),
      message: e.message,
      ...(e.hint ? { hint: e.hint } : {}),
      fatal: true,
    });
  }

  /** A sweep went through: an outage whose failures were said ends, said once. */
  sweepsOk(): void {
    const outage = this.#outage;
    if (!outage) return;
    this.#outage = null;
    const now = this.#o.now();
    this.#o.emit({
      type: "notice",
      ts: now,
      kind: "sweeps",
      message: `the exchange answers again: a sweep went through after ${Math.max(0, Math.round((now - outage.since) / 1000))}s of failures (${outage.failures} failed request(s) or sweep(s))`,
    });
  }

  /**
   * An error the run outlives (or not yet), told once as what it is: an error, a warning, or
   * nothing more. `begunAt`: when the work that failed began (a sweep's reads) — an outage is
   * counted from there, not from the report, which comes only once that work's requests timed
   * out and were retried: an exchange away for 30 s was said back "after 0s of failures".
   */
  report(error: unknown, begunAt?: number): void {
    const e = toHlcopyError(error);
    // Already told as the halt (and its error line).
    if (e instanceof AgentNotApprovedError && this.#o.agentHalted()) return;
    // An HTTP 429 was told by the request budget as it backed off (one `rateLimit` line with
    // its wait): not again here. A rate limit the exchange said in its reply's body reached no
    // budget: told below as a warning (the coin backs off, the run goes on).
    if (e instanceof RateLimitError && e.details.httpStatus === 429) return;
    // The journal busy: said once for the spell (JournalGuard.onBusy), not at every write it refused.
    if (e instanceof JournalBusyError && this.#o.journal.busySince() !== null) return;
    // A transient failure (the exchange unreachable, a 5xx) that the run outlives is a warning:
    // the next sweep tries again. An uncertain order stays an error: it is looked up, not retried.
    if (e instanceof RetryableError && !(e instanceof UncertainOutcomeError)) {
      const now = this.#o.now();
      const outage = this.#outage ?? { said: "", since: Math.min(begunAt ?? now, now), failures: 0 };
      this.#outage = outage;
      outage.failures++;
      if (outage.said === e.message) return;
      outage.said = e.message;
      this.#o.emit({
        type: "warning",
        ts: now,
        message: `${e.message} (retrying; the run goes on)`,
      });
      return;
    }
    this.#o.emit({
      type: "error",
      ts: this.#o.now(),
      message: e.message,
      ...(e.hint ? { hint: e.hint } : {}),
    });
  }
}
