// `hlcopy inspect <address>`: should I copy this leader, and at my size?

import type { Command } from "commander";
import type { GlobalOptions } from "../context.js";
import { addSettingOptions } from "../settings-options.js";

interface InspectFlags {
  days?: string;
  equity?: string;
  [setting: string]: unknown;
}

export function register(program: Command): void {
  const cmd = program
    .command("inspect")
    .argument("<address>", "leader address (0x…)")
    .description(
      "analyse a leader: PnL, win rate, drawdown, style, holding time, leverage, coin mix, and copyability at your equity",
    )
    .option("--days <n>", "how many days of history", "30")
    .option(
      "--equity <usd>",
      "your equity for the copyability check (default: your account's value, else 1000)",
    );
  addSettingOptions(cmd);
  cmd
    .addHelpText(
      "after",
      `
Examples:
  $ hlcopy inspect 0xb7b6f3cea3f66bf525f5d8f965f6dbf6d9b017b2
  $ hlcopy inspect 0xb7b6f3cea3f66bf525f5d8f965f6dbf6d9b017b2 --days 7 --equity 500
  $ hlcopy inspect 0xb7b6f3cea3f66bf525f5d8f965f6dbf6d9b017b2 --json | jq -r .copyability.verdict.level`,
    )
    .action(async (address: string, flags: InspectFlags, command: Command) => {
      const g = command.optsWithGlobals<GlobalOptions>();
      const { resolveContext, resolveRunSettings } = await import("../context.js");
      const ctx = resolveContext(g);
      const { settings } = resolveRunSettings(ctx, flags);
      const { runInspectCommand } = await import("../analytics/inspect-cmd.js");
      const { createLeaderSource } = await import("../analytics/source.js");
      await runInspectCommand({
        address,
        ...(flags.days !== undefined ? { days: flags.days } : {}),
        ...(flags.equity !== undefined ? { equity: flags.equity } : {}),
        account: ctx.account,
        settings,
        json: ctx.json,
        source: createLeaderSource(ctx.network),
      });
    });
}
