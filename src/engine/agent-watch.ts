// The agent's approval as the run meets it: the exchange refusing our signer (the approval
// expired or was removed) halts sending — shown and journaled, then a stop with exit 4, or with
// waitForApproval a wait in which each sweep's plan probes whether it is back —, its return, and
// a warning once when a long run crosses into the approval's last 7 days. Owns the refusal
// state; the engine asks it whether sending is halted.

import type { HlcopyError } from "../core/errors.js";
import { approvalDaysLeft } from "../exchange/agents.js";
import type { Journal } from "../store/journal.js";
import type { PartBase } from "./ports.js";

/** Warn when the agent's approval ends sooner than this (as `agent show` and the pre-trade check). */
const WARN_APPROVAL_MS = 7 * 86_400_000;

export interface AgentWatchOptions extends Pick<PartBase, "emit" | "now" | "runId"> {
  journal: Pick<Journal, "recordEvent">;
  /** How to approve again (EngineOptions.approveHint). */
  approveHint: string | undefined;
  waitForApproval: boolean | undefined;
  /** When the approval ends (null: no end; undefined: not known). */
  agentValidUntil: number | null | undefined;
  /** The error the run stops on (said once). */
  fatal: (e: { message: string; hint?: string | undefined }) => void;
  /** run() was called: the engine stops itself on a fatal condition (a one-shot caller decides). */
  continuous: () => boolean;
  stop: (reason: string, exitCode: number) => void;
}

export class AgentWatch {
  readonly #o: AgentWatchOptions;
  /** The exchange refused our signer: nothing is sent (but a sweep's probe) until it accepts again. */
  #halt: { reason: string } | null = null;
  #warned = false;

  constructor(options: AgentWatchOptions) {
    this.#o = options;
  }

  /** Sending is halted: the exchange refused our signer (null: it accepts it). */
  get halted(): { reason: string } | null {
    return this.#halt;
  }

  /** The run began at `startedAt`: inside the 7-day window already, the pre-trade check warned; warn only on crossing it. */
  begin(startedAt: number): void {
    const until = this.#o.agentValidUntil;
    if (until != null && until - startedAt < WARN_APPROVAL_MS) this.#warned = true;
  }

  /**
   * The exchange refused our signer ("User or API Wallet … does not exist"): the approval
   * expired or was removed, so nothing can be signed, reductions included. Halt (shown and
   * journaled, not a persistent halt: approving again is the fix, not `hlcopy resume`), then
   * stop with exit 4 — or, with waitForApproval, keep running and probe with each sweep.
   */
  refused(e: HlcopyError): void {
    const o = this.#o;
    if (this.#halt) return;
    const now = this.#o.now();
    const fix = o.approveHint ?? "hlcopy agent approve";
    const what = `the exchange no longer accepts the agent's orders (approval expired or removed): ${
      e.details.exchangeMessage ?? e.message
    }`;
    // The halt (dashboard, journal, --json) carries the fix; the error line leaves it to its hint.
    const reason = `${what}; approve it again: ${fix}`;
    this.#halt = { reason };
    this.#o.emit({ type: "halt", ts: now, kind: "agent-expired", reason });
    o.journal.recordEvent({
      ts: now,
      type: "halt",
      runId: this.#o.runId(),
      data: { kind: "agent-expired", reason, waitForApproval: o.waitForApproval === true },
    });
    if (!this.#o.continuous()) return;
    if (o.waitForApproval) {
      this.#o.emit({
        type: "warning",
        ts: now,
        message: `nothing is sent until the agent is approved again (${fix}); each sweep tries again`,
      });
      return;
    }
    this.#o.fatal({ message: what, hint: `approve it again: ${fix}` });
    queueMicrotask(() => this.#o.stop("halted: the agent is no longer approved", 4));
  }

  /** Once, when a long run crosses into the last 7 days of the agent's approval. */
  warnEnding(): void {
    const until = this.#o.agentValidUntil;
    if (until == null || this.#warned) return;
    const now = this.#o.now();
    if (until - now >= WARN_APPROVAL_MS) return;
    this.#warned = true;
    const days = approvalDaysLeft(until, now);
    this.#o.emit({
      type: "warning",
      ts: now,
      message: `the agent approval ends on ${new Date(until).toISOString().slice(0, 16).replace("T", " ")} UTC (${days} days left); renew it: ${this.#o.approveHint ?? "hlcopy agent approve"}`,
    });
  }

  /** A probe went through: the agent is approved again, copying resumes. */
  back(): void {
    const now = this.#o.now();
    this.#halt = null;
    this.#o.emit({ type: "resume", ts: now });
    this.#o.emit({
      type: "warning",
      ts: now,
      message: "the exchange accepts the agent's orders again: copying resumed",
    });
    this.#o.journal.recordEvent({
      ts: now,
      type: "resume",
      runId: this.#o.runId(),
      data: { kind: "agent-expired" },
    });
  }
}
