// `hlcopy resume [--yes]` — clear a safety halt so trading can start again.

import type { Command } from "commander";
import type { GlobalOptions } from "../context.js";
import { examples } from "../help.js";

export function register(program: Command): void {
  program
    .command("resume")
    .description("clear a kill-switch or manual halt and restart the high-water mark from the current equity")
    .option("--yes", "do not ask for confirmation (scripts)")
    .addHelpText(
      "after",
      `
A halt stays in force across restarts until you resume. Resuming restarts the high-water
mark at the latest equity, so the kill switch measures drawdown from here.

${examples([["hlcopy status", "why it halted"], ["hlcopy resume", "asks first"], ["hlcopy resume --yes"]])}`,
    )
    .action(async (opts: { yes?: boolean }, cmd: Command) => {
      const { resolveContext, requireAccount } = await import("../context.js");
      const ctx = resolveContext(cmd.optsWithGlobals<GlobalOptions>());
      const { runResume } = await import("../follow/status.js");
      await runResume({
        configDir: ctx.configDir,
        account: requireAccount(ctx),
        json: ctx.json,
        yes: opts.yes === true,
      });
    });
}
