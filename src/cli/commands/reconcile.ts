// `hlcopy reconcile <leader> [--dry-run] [--json] [setting flags]` — one sweep, cron-safe.

import type { Command } from "commander";
import type { GlobalOptions } from "../context.js";
import { addSettingOptions } from "../settings-options.js";

export function register(program: Command): void {
  const cmd = program
    .command("reconcile")
    .argument("<leader>", "the leader's address (0x + 40 hex digits)")
    .description("bring your account to the scaled copy of a leader once, then exit (cron-safe)")
    .option("--dry-run", "plan and print the orders, send nothing (no key needed)");
  addSettingOptions(cmd);
  cmd
    .addHelpText(
      "after",
      `
Exit codes: 0 in sync (nothing to do, or done) · 3 drift remains outside the deadband ·
4 halted by a safety rule · 1 runtime error · 2 usage or config error.
For cron: set HLCOPY_AGENT_KEY (or HLCOPY_PASSPHRASE) so no prompt is needed; a second
concurrent run for the same account exits 1 naming the process holding the lock.

Examples:
  $ hlcopy reconcile 0x5e9ee1089755c3435139848e47e6635505d5a13a --dry-run
  $ hlcopy reconcile 0x5e9ee1089755c3435139848e47e6635505d5a13a --max-leverage 3 --json
  */5 * * * * HLCOPY_PASSPHRASE=… hlcopy reconcile 0x5e9e…a13a --json >> ~/hlcopy.log 2>&1`,
    )
    .action(async (leader: string, opts: Record<string, unknown>, command: Command) => {
      const { resolveContext, resolveRunSettings, parseLeaderAddress } = await import("../context.js");
      const ctx = resolveContext(command.optsWithGlobals<GlobalOptions>());
      const leaderAddress = parseLeaderAddress(leader);
      const { settings } = resolveRunSettings(ctx, opts);
      const { runReconcile } = await import("../reconcile/run.js");
      process.exitCode = await runReconcile(ctx, {
        leader: leaderAddress,
        settings,
        dryRun: opts.dryRun === true,
      });
    });
}
