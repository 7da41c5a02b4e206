// `hlcopy status [--json]` — where the copy stands, from the journal (no key, no network).

import type { Command } from "commander";
import type { GlobalOptions } from "../context.js";

export function register(program: Command): void {
  program
    .command("status")
    .description("positions vs targets, high-water mark, drawdown, halts, last sweep, slippage and copy lag")
    .option("--since <hours>", "window of the slippage and lag figures, in hours", "24")
    .addHelpText(
      "after",
      `
Reads the journal only (no key, no network): the figures are as of the last sweep.

Examples:
  $ hlcopy status
  $ hlcopy status --json | jq .halt`,
    )
    .action(async (opts: { since: string }, cmd: Command) => {
      const { resolveContext, requireAccount } = await import("../context.js");
      const ctx = resolveContext(cmd.optsWithGlobals<GlobalOptions>());
      const { runStatus } = await import("../follow/status.js");
      await runStatus({
        configDir: ctx.configDir,
        account: requireAccount(ctx),
        json: ctx.json,
        sinceHours: opts.since,
      });
    });
}
