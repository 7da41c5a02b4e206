// `hlcopy status [--json]` — where the copy stands, from the journal (no key, no network).

import type { Command } from "commander";
import type { GlobalOptions } from "../context.js";
import { examples } from "../help.js";

export function register(program: Command): void {
  program
    .command("status")
    .description(
      "positions vs targets (held under entry-only, resting stop and take-profits), high-water mark, drawdown, halts, leaders not followed, last sweep, slippage and copy lag",
    )
    .option(
      "--since <span>",
      "window of the slippage and lag figures: 1h, 24h, 7d (a bare number is hours)",
      "24h",
    )
    .addHelpText(
      "after",
      `
Reads the journal only (no key, no network): the figures are as of the last sweep.

${examples([
  ["hlcopy status"],
  ["hlcopy status --since 1h", "slippage and lag of the last hour"],
  ["hlcopy status --json | jq .halt", "null, or why it halted"],
])}`,
    )
    .action(async (opts: { since: string }, cmd: Command) => {
      const { resolveContext, requireAccount } = await import("../context.js");
      const { parseSpanMs } = await import("../span.js");
      const hours =
        parseSpanMs(opts.since, "--since", { bareUnit: "h", example: "hlcopy status --since 1h" }) /
        3_600_000;
      const ctx = resolveContext(cmd.optsWithGlobals<GlobalOptions>());
      const { runStatus } = await import("../follow/status.js");
      await runStatus({
        configDir: ctx.configDir,
        account: requireAccount(ctx),
        json: ctx.json,
        sinceHours: String(hours),
      });
    });
}
