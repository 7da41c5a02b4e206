// The trader's review of a live plan that needs it (first run for a leader set, closing
// positions hlcopy did not open, a large move, a sizing grown > 2×): shown and asked on a terminal, accepted by
// --yes, refused without a terminal (the engine then exits 2 with the hint to pass --yes).

import { ExitCode, HlcopyError, UsageError } from "../core/errors.js";
import { fmtUsd } from "../core/format.js";
import { planNotionalUsd } from "../core/review.js";
import type { Plan } from "../core/types.js";
import type { ReviewPlan } from "../engine/ports.js";
import type { Writer } from "./output.js";

export interface ReviewIo {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  err: Writer & { isTTY?: boolean };
}

/**
 * The trader answered no at the review: nothing was sent. The command says one plain line (no
 * hint, no alert: a decision, not a failure) — but never exit 0, which says success / in sync
 * (design §8), and `hlcopy reconcile … && echo synced` would believe it. `follow` exits 2, as
 * the same run without a terminal does (it needs your review: it did not start) and as a no to
 * the re-planned start (engine notConfirmed); `reconcile` exits 3, its "drift remains": the
 * drift the declined plan would have repaired is still there (reconcile/run.ts).
 */
export class ReviewDeclined extends HlcopyError {
  override name = "ReviewDeclined";
  constructor() {
    super("not confirmed: nothing was sent", { exitCode: ExitCode.usage });
  }
}

/** The engine's review hook for this run: --yes accepts, a terminal asks, anything else refuses. */
export function planReviewer(
  yes: boolean,
  io: ReviewIo = { input: process.stdin, err: process.stderr },
): ReviewPlan {
  // Confirmed unseen: what the review would have said is said as warnings (plan-review.ts).
  if (yes) return Object.assign(async () => true, { unseen: true });
  if (io.input.isTTY !== true || io.err.isTTY !== true) {
    // A run refused here says its refusal alone: its warnings wait for this answer (engine.ts).
    const refuse = async (_plan: Plan, reasons: string[]): Promise<boolean> => {
      throw new UsageError(`this run needs your review before it trades: ${reasons.join("; ")}`, {
        hint: "see the plan with --dry-run, then run again with --yes to confirm it (cron: always pass --yes)",
      });
    };
    return Object.assign(refuse, { refuses: true });
  }
  return async (plan, reasons, signal, also = []) => {
    io.err.write(
      `\nThis run needs your review before it trades:\n${reasons.map((r) => `  - ${r}\n`).join("")}\n`,
    );
    io.err.write(`${describePlan(plan)}\n`);
    // What the yes also does besides these orders (the dry run's words for it).
    for (const line of also) io.err.write(`${line}\n`);
    // Ctrl-C rejects with InterruptedError: nothing is sent, exit 130 as at every prompt.
    const { ask } = await import("./ask.js");
    const answer = await ask(
      { input: io.input, output: io.err as NodeJS.WritableStream },
      `Send ${plan.actions.length} order(s)? [y/N] `,
      signal,
    );
    if (/^y(es)?$/i.test(answer.trim())) return true;
    throw new ReviewDeclined();
  };
}

/** The orders of a plan, one line each, with what they move. */
export function describePlan(plan: Plan): string {
  const lines = plan.actions.map((a) => {
    const usd = Math.abs(a.size * a.limitPx);
    const what = a.reduceOnly ? "reduce-only" : "";
    return `  ${a.side === "buy" ? "BUY " : "SELL"} ${String(a.size).padStart(12)} ${a.coin.padEnd(8)} limit ${String(a.limitPx).padEnd(10)} ${`${fmtUsd(usd)}`.padStart(12)}  ${a.reason} ${what}`.trimEnd();
  });
  const total = planNotionalUsd(plan);
  return `${lines.join("\n")}\n${"total".padStart(45)} ${`${fmtUsd(total)}`.padStart(12)}`;
}
