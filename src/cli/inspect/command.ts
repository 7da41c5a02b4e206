// `hlcopy inspect <address>`: should I copy this leader, and at my size?

import { type Command, Option } from "commander";
import type { GlobalOptions } from "../context.js";
import { examples } from "../help.js";
import {
  addIdleSettingOptions,
  addSettingOptions,
  copyabilityIdleSettings,
  PLANNER_SETTING_KEYS,
  refuseIdleSettingFlags,
} from "../settings-options.js";

interface InspectFlags {
  days?: string;
  since?: string;
  equity?: string;
  [setting: string]: unknown;
}

export function register(program: Command): void {
  const cmd = program
    .command("inspect")
    .argument("<address>", "leader address (0x…)")
    .description(
      "analyse a leader: P&L, win rate, drawdown, style, holding time, leverage, coin mix, and copyability at your equity",
    )
    .option(
      "--since <when>",
      "how much history: a span (12h, 7d, 30d, at most 3650d) or a UTC date or time (2026-12-01) (default 30d)",
    )
    // The old spelling, still accepted: a number of days.
    .addOption(new Option("--days <n>").hideHelp())
    .option(
      "--equity <usd>",
      "your equity for the copyability check (default: your account's value, else 1000)",
    );
  addSettingOptions(cmd, PLANNER_SETTING_KEYS);
  addIdleSettingOptions(cmd, copyabilityIdleSettings("inspect"));
  cmd
    .addHelpText(
      "after",
      `
${examples([
  ["hlcopy inspect 0xb7b6f3cea3f66bf525f5d8f965f6dbf6d9b017b2"],
  ["hlcopy inspect 0xb7b6f3cea3f66bf525f5d8f965f6dbf6d9b017b2 --since 7d --equity 500"],
  ["hlcopy inspect 0xb7b6f3cea3f66bf525f5d8f965f6dbf6d9b017b2 --json | jq -r .copyability.verdict.level"],
])}`,
    )
    .action(async (address: string, flags: InspectFlags, command: Command) => {
      refuseIdleSettingFlags(flags, copyabilityIdleSettings("inspect"));
      const g = command.optsWithGlobals<GlobalOptions>();
      const { resolveContext, resolveRunSettings } = await import("../context.js");
      const ctx = resolveContext(g);
      const { settings } = resolveRunSettings(ctx, flags);
      // risk-per-trade without a stop sizes nothing (every trade "copied" at 0): refused, as by
      // reconcile, follow and backtest.
      const { checkSizingSettings, STORED_STOP_HINT } = await import("../../core/sizing.js");
      checkSizingSettings(settings, STORED_STOP_HINT);
      const { historyDays } = await import("../span.js");
      const days = historyDays(flags, "hlcopy inspect 0x… --since 7d");
      const { runInspectCommand } = await import("./run.js");
      const { createLeaderSource } = await import("../analytics/source.js");
      await runInspectCommand({
        address,
        ...(days !== undefined ? { days } : {}),
        ...(flags.equity !== undefined ? { equity: flags.equity } : {}),
        account: ctx.account,
        settings,
        json: ctx.json,
        source: createLeaderSource(ctx.network, {
          onWait: (line) => process.stderr.write(`${line}\n`),
          // Ctrl-C during a long read (a busy leader's history: ~30 s) ends it at once, said.
          stop: { again: "hlcopy inspect", json: ctx.json },
        }),
      });
    });
}
