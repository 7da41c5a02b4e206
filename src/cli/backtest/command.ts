// `hlcopy backtest <address… | --fills FILE…>`: replay one or several leaders' fills through
// the planner (several with --weights, as follow takes them).

import { type Command, Option } from "commander";
import type { GlobalOptions } from "../context.js";
import { examples } from "../help.js";
import {
  addIdleSettingOptions,
  addSettingOptions,
  BACKTEST_IDLE_SETTINGS,
  BACKTEST_SETTING_KEYS,
  refuseIdleSettingFlags,
} from "../settings-options.js";

interface BacktestFlags {
  fills?: string[];
  weights?: string;
  candles?: string;
  equity?: string;
  leaderEquity?: string;
  delayMs?: string;
  feeBps?: string;
  spreadBps?: string;
  depthUsd?: string;
  meta?: string;
  funding?: string;
  compare?: string;
  days?: string;
  since?: string;
  [setting: string]: unknown;
}

export function register(program: Command): void {
  const cmd = program
    .command("backtest")
    .argument("[address...]", "leader address(es) (fills fetched for --since), or use --fills")
    .description(
      "replay leaders' fills through the planner with fees, slippage and copy delay; compare with naive fill-by-fill copying",
    )
    .option(
      "--fills <file...>",
      "JSON fills in the API's userFills shape (an array, or {response: [...]}); several files = several leaders",
    )
    .option(
      "--weights <list>",
      "weights of several leaders, e.g. 0.6,0.4 (normalised to sum 1), as follow takes them",
    )
    .option("--equity <usd>", "your starting equity", "1000")
    .option(
      "--leader-equity <usd>",
      "the leader's equity at the start, or one per leader (250000,80000) (default: fetched, or estimated from the fills)",
    )
    .option(
      "--since <when>",
      "with an address: how much history to fetch: a span (12h, 7d, 30d, at most 3650d) or a UTC date or time (2026-12-01) (default 30d)",
    )
    // The old spelling, still accepted: a number of days.
    .addOption(new Option("--days <n>").hideHelp())
    .option("--delay-ms <ms>", "copy delay from a leader fill to our order (default 500)")
    .option("--fee-bps <bps>", "taker fee in bps (default 4.5)")
    .option("--spread-bps <bps>", "half spread in bps (default 1)")
    .option(
      "--depth-usd <usd>",
      'book depth in USD per bp each side, or "none" for no impact (default 50000)',
    )
    .option(
      "--meta <file>",
      "meta JSON (szDecimals per coin) for --fills runs (default: inferred from the fills); beside an address it replaces the exchange's, said",
    )
    .option(
      "--funding <file>",
      "fundingHistory JSON (rates of the coins traded) for --fills runs; with an address they are fetched unless this is given (said)",
    )
    .option(
      "--candles <file>",
      "candleSnapshot JSON (hourly) for risk-parity in --fills runs; with an address they are fetched unless this is given (said); without either, volatility comes from the fills' prices",
    )
    .option(
      "--compare [columns]",
      'side by side: "modes" (every sizing mode), or columns such as equity-ratio,kelly or copy-delay-minutes=0,copy-delay-minutes=5,entry=passive (join changes with +)',
    );
  addSettingOptions(cmd, BACKTEST_SETTING_KEYS);
  addIdleSettingOptions(cmd, BACKTEST_IDLE_SETTINGS);
  cmd
    .addHelpText(
      "after",
      `
${examples([
  ["hlcopy backtest --fills fills.json --equity 1000"],
  ["hlcopy backtest --fills fills.json --equity 5000 --max-leverage 2 --deny-coins DOGE --json"],
  ["hlcopy backtest 0xb7b6f3cea3f66bf525f5d8f965f6dbf6d9b017b2 --since 7d --delay-ms 1500"],
  ["hlcopy backtest --fills fills.json --compare modes --stop-loss-pct 5"],
  [
    "hlcopy backtest --fills fills.json --compare entry=ioc,entry=passive,copy-delay-minutes=1,min-order-usd=25",
  ],
  [
    "hlcopy backtest 0x5e9ee1089755c3435139848e47e6635505d5a13a 0xb7b6f3cea3f66bf525f5d8f965f6dbf6d9b017b2 --weights 0.7,0.3",
  ],
])}`,
    )
    .action(async (addresses: string[], flags: BacktestFlags, command: Command) => {
      refuseIdleSettingFlags(flags, BACKTEST_IDLE_SETTINGS);
      // Only inspect values the follower's account: here --account would be read as doing so.
      const { refuseUnusedGlobals } = await import("../globals.js");
      refuseUnusedGlobals(command, [
        {
          option: "account",
          why: "a backtest replays the leaders' fills from an --equity (default 1000), never your account's",
          hint: "give your equity with --equity N (hlcopy inspect 0x… --account … values your account)",
        },
      ]);
      const g = command.optsWithGlobals<GlobalOptions>();
      const { resolveContext, resolveRunSettings } = await import("../context.js");
      const ctx = resolveContext(g);
      const { settings, flat, source: from } = resolveRunSettings(ctx, flags);
      // risk-per-trade without a stop sizes nothing: refused, as by follow and reconcile.
      (await import("../../core/sizing.js")).checkSizingSettings(settings);
      // A stored entry-only would replay opens that never close: the replay has none of its exits.
      (await import("../../core/settings.js")).refuseEntryOnlyWithoutExits(flat, from, "backtest");
      const { historyDays } = await import("../span.js");
      const days = historyDays(flags, "hlcopy backtest 0x… --since 7d");
      const { runBacktestCommand } = await import("./run.js");
      const source =
        addresses.length > 0
          ? (await import("../analytics/source.js")).createLeaderSource(ctx.network, {
              onWait: (line) => process.stderr.write(`${line}\n`),
              // Ctrl-C during a long read (a busy leader's history: ~30 s) ends it at once, said.
              stop: { again: "hlcopy backtest", json: ctx.json },
            })
          : undefined;
      await runBacktestCommand({
        ...(addresses.length > 0 ? { addresses } : {}),
        ...(flags.fills && flags.fills.length > 0 ? { fillsFiles: flags.fills } : {}),
        ...(flags.weights !== undefined ? { weights: flags.weights } : {}),
        ...(flags.candles !== undefined ? { candlesFile: flags.candles } : {}),
        ...(flags.equity !== undefined ? { equity: flags.equity } : {}),
        ...(flags.leaderEquity !== undefined ? { leaderEquity: flags.leaderEquity } : {}),
        ...(flags.delayMs !== undefined ? { delayMs: flags.delayMs } : {}),
        ...(flags.feeBps !== undefined ? { feeBps: flags.feeBps } : {}),
        ...(flags.spreadBps !== undefined ? { spreadBps: flags.spreadBps } : {}),
        ...(flags.depthUsd !== undefined ? { depthUsd: flags.depthUsd } : {}),
        ...(flags.meta !== undefined ? { metaFile: flags.meta } : {}),
        ...(flags.funding !== undefined ? { fundingFile: flags.funding } : {}),
        ...(flags.compare !== undefined
          ? { compare: flags.compare === (true as unknown) ? "modes" : String(flags.compare) }
          : {}),
        ...(days !== undefined ? { days } : {}),
        ...(source ? { source } : {}),
        settings,
        stopFlags: (["stopLossPct", "trailingStopPct"] as const)
          .filter((k) => flags[k] !== undefined && settings.risk[k] !== null)
          .map((k) => (k === "stopLossPct" ? "--stop-loss-pct" : "--trailing-stop-pct")),
        ...(flags.maxEntryDriftBps !== undefined ? { entryDriftFlag: true } : {}),
        json: ctx.json,
      });
    });
}
