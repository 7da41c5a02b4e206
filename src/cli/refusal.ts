// The one place a live run's refused start is kept for `hlcopy status` (store/refusal.ts): a
// live follow's and a live reconcile's alike. A refused run leaves the journal as it was, so
// without this a cron reconcile that did nothing (a leader typed wrong, positions hlcopy did not
// open, a review without --yes) left `status` showing the run before it as the last word. A run
// that starts after it makes it old news (status compares the times). Kept: the start checks'
// refusals (exit 2) once the run has opened its session. Not kept, so that bad input changes
// nothing on disk: what fails before — a key or secret variable, the lock, the agent's
// approval, an exchange that does not answer — and errors that are no refusal (exit 1). Dry
// runs and paper runs send nothing and keep nothing here: they never overwrite a live refusal.

import { ExitCode, toHlcopyError } from "../core/errors.js";
import type { Address } from "../core/types.js";
import type { CliContext } from "./context.js";

/**
 * Keep `error`, which refused a live `command` after its session opened and before it could
 * send, as the account's last refusal: only a refusal (exit 2) — a stop at a prompt
 * (interrupted), a no at the review (exit 0) or an error (exit 1) is none. Never throws: the
 * refusal itself is what the trader must see.
 */
export async function keepRefusal(
  ctx: CliContext,
  command: "follow" | "reconcile",
  account: Address | null,
  error: unknown,
): Promise<void> {
  const e = toHlcopyError(error);
  if (!account || e.exitCode !== ExitCode.usage) return;
  try {
    const { journalPath } = await import("../store/journal.js");
    const { recordRefusal } = await import("../store/refusal.js");
    await recordRefusal(journalPath(ctx.configDir, account, ctx.network.httpUrl), {
      command,
      at: Date.now(),
      exitCode: e.exitCode,
      reason: e.message,
      hint: e.hint ?? null,
    });
  } catch {
    // a config directory that cannot be written: the error line still says it all
  }
}
