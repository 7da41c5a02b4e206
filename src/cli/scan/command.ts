// `hlcopy scan <address…> | --file FILE`: rank leaders by how well they copy at your size.

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

interface ScanFlags {
  file?: string;
  equity?: string;
  since?: string;
  days?: string;
  csv?: boolean;
  minTrades?: string;
  winRate?: string;
  maxLeverage?: string;
  style?: string;
  excludeLiquidated?: boolean;
  consensus?: boolean;
  [setting: string]: unknown;
}

export function register(program: Command): void {
  const cmd = program
    .command("scan")
    .argument("[addresses...]", "leader addresses (0x…), or use --file")
    .description(
      "rank leaders by copyability at your equity: P&L, drawdown, Sharpe/Sortino/Calmar, win rate, style, leverage, and what copying costs at your size",
    )
    .option(
      "--file <file>",
      "addresses: one per line, or a JSON leaderboard export (objects with ethAddress/address)",
    )
    .option("--equity <usd>", "your equity (default 2000)")
    .option(
      "--since <when>",
      "how much history: a span (7d, 30d, at most 3650d) or a UTC date or time (2026-12-01) (default 30d)",
    )
    .addOption(new Option("--days <n>").hideHelp())
    .option("--csv", "CSV on stdout instead of the table")
    .option(
      "--min-trades <n>",
      "keep leaders with at least this many orders in the window (an order's fills count once)",
    )
    .option("--win-rate <low-high>", "keep leaders whose win rate is in this percent range, e.g. 35-85")
    .option("--max-leverage <x>", "keep leaders whose peak leverage is at most this")
    .option(
      "--style <list>",
      "keep these styles: high-frequency, intraday, swing, position (comma-separated)",
    )
    .option("--exclude-liquidated", "drop leaders with a liquidation in the window")
    .option("--consensus", "also list the coins and sides several scanned leaders hold now");
  // --max-leverage is the leader filter here, not the planner's cap.
  addSettingOptions(
    cmd,
    PLANNER_SETTING_KEYS.filter((k) => k !== "risk.maxLeverage"),
  );
  addIdleSettingOptions(cmd, copyabilityIdleSettings("scan"));
  cmd
    .addHelpText(
      "after",
      `
${examples([
  ["hlcopy scan 0xb7b6f3cea3f66bf525f5d8f965f6dbf6d9b017b2 0x5e9ee1089755c3435139848e47e6635505d5a13a"],
  ["hlcopy scan --file leaderboard.json --equity 2000 --since 30d --win-rate 35-85 --style swing,position"],
  ["hlcopy scan --file leaders.txt --consensus --json | jq '.leaders[0]'"],
])}

Fills are cached per address in the config directory (cache/fills): a second scan fetches
only what is new. Ctrl-C (any stop signal) stops after the leader in flight and prints what was
scanned; a second one quits at once.

Exit codes: 0 every leader was read; 1 some could not be (the ranking of the others is
printed, then an error line naming them; --json lists them in "failed") or none could be;
130 interrupted by Ctrl-C (what was scanned is printed; --json: "interrupted": true).`,
    )
    .action(async (addresses: string[], flags: ScanFlags, command: Command) => {
      refuseIdleSettingFlags(flags, copyabilityIdleSettings("scan"));
      // Only inspect values the follower's account: here --account would be read as doing so.
      const { refuseUnusedGlobals } = await import("../globals.js");
      refuseUnusedGlobals(command, [
        {
          option: "account",
          why: "scan judges leaders at an --equity (default 2000), never your account's",
          hint: "give your equity with --equity N (hlcopy inspect 0x… --account … values your account)",
        },
      ]);
      const g = command.optsWithGlobals<GlobalOptions>();
      const { resolveContext, resolveRunSettings } = await import("../context.js");
      const ctx = resolveContext(g);
      const { maxLeverage, ...settingFlags } = flags;
      const { settings } = resolveRunSettings(ctx, settingFlags);
      // risk-per-trade without a stop sizes nothing: refused, as by inspect and the runs.
      const { checkSizingSettings, STORED_STOP_HINT } = await import("../../core/sizing.js");
      checkSizingSettings(settings, STORED_STOP_HINT);
      const { judgedSizingNote } = await import("../../analytics/copyability.js");
      const note = judgedSizingNote(settings.sizing.mode);
      if (note !== null) process.stderr.write(`note: ${note}\n`);
      const { historyDays } = await import("../span.js");
      const days = historyDays(flags, "hlcopy scan --file leaders.txt --since 30d");
      const { runScanCommand, scanExitCode } = await import("./run.js");
      const { createLeaderSource } = await import("../analytics/source.js");
      const { onStopSignals } = await import("../signals.js");
      const { exitOnStop } = await import("../read-stop.js");
      // Any stop signal (Ctrl-C, `kill`, a closed terminal) stops after the leader in flight, and
      // prints what was scanned; a second one ends it at once, said (the first's handlers are
      // replaced: a second Ctrl-C is no repeat that kills silently). A SIGTERM killed it silently.
      const abort = new AbortController();
      let off = onStopSignals(() => {
        off();
        off = exitOnStop(() => "while scanning the leader in flight", {
          again: "hlcopy scan",
          json: ctx.json,
          hint: "it only reads: run hlcopy scan again (fills already fetched are cached)",
        });
        process.stderr.write("stopping after the leader in flight (Ctrl-C again to quit now)…\n");
        abort.abort();
      });
      try {
        const report = await runScanCommand({
          addresses,
          ...(flags.file !== undefined ? { file: flags.file } : {}),
          ...(flags.equity !== undefined ? { equity: flags.equity } : {}),
          ...(days !== undefined ? { days } : {}),
          ...(flags.minTrades !== undefined ? { minTrades: flags.minTrades } : {}),
          ...(flags.winRate !== undefined ? { winRate: flags.winRate } : {}),
          ...(maxLeverage !== undefined ? { maxLeverage: String(maxLeverage) } : {}),
          ...(flags.style !== undefined ? { style: flags.style } : {}),
          excludeLiquidated: flags.excludeLiquidated === true,
          consensus: flags.consensus === true,
          json: ctx.json,
          csv: flags.csv === true,
          settings,
          source: createLeaderSource(ctx.network, { onWait: (line) => process.stderr.write(`${line}\n`) }),
          configDir: ctx.configDir,
          signal: abort.signal,
        });
        process.exitCode = scanExitCode(report);
      } finally {
        off();
      }
    });
}
