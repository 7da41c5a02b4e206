// The one place a live run's refused start is kept for `hlcopy status` (store/refusal.ts): a
// live follow's and a live reconcile's alike. A refused run leaves the journal as it was, so
// without this a cron reconcile that did nothing (a leader typed wrong, positions hlcopy did not
// open, a review without --yes) left `status` showing the run before it as the last word. A run
// that starts after it makes it old news (status compares the times). Dry runs and paper runs
// send nothing and keep nothing here: they never overwrite the last live refusal.

import { ExitCode, toHlcopyError } from "../core/errors.js";
import type { Address } from "../core/types.js";
import type { CliContext } from "./context.js";

/**
 * Keep `error`, which refused a live `command` before it could send, as the account's last
 * refusal. A stop at a prompt (interrupted) or a no at the review (exit 0) is no refusal.
 * Never throws: the refusal itself is what the trader must see.
 */
export async function keepRefusal(
  ctx: CliContext,
  command: "follow" | "reconcile",
  account: Address | null,
  error: unknown,
): Promise<void> {
  const e = toHlcopyError(error);
  if (!account || e.exitCode === ExitCode.interrupted || e.exitCode === ExitCode.ok) return;
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
