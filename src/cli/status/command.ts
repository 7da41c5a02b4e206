// `hlcopy status [--json]` — where the copy stands, from the journal (no key, no network).

import type { Command } from "commander";
import type { GlobalOptions } from "../context.js";
import { examples } from "../help.js";

export function register(program: Command): void {
  program
    .command("status")
    .description(
      "the copy's P&L (per coin, per leader), positions vs targets and their drift (held under entry-only, resting stop and take-profits), high-water mark, drawdown, halts, a pause, leaders not followed, fills, slippage and copy lag",
    )
    .option(
      "--since <span>",
      "window of the fill, slippage and lag figures: a span back from now (1h, 24h, 7d) or a UTC date or time (2026-12-01, 2026-12-01T09:30)",
      "24h",
    )
    .option("--paper", "the paper account: what follow --paper runs hold and made (their own journal)")
    .addHelpText(
      "after",
      `
Reads the journal only (no key, no network): positions, drift and P&L are as the last
sweep (or the run's end) left them. The copy's P&L is hlcopy's own: its fills, what a
liquidation, an ADL or your own close by hand closed of its positions, funding on its share
of each position — not what you open or hold by hand (your equity has everything). A pause (hlcopy pause, p) is shown while it stands: the
running follow's, or one the next follow starts with. Exit 4 while trading is halted, 0 otherwise.

${examples([
  ["hlcopy status"],
  ["hlcopy status --since 1h", "slippage and lag of the last hour"],
  ["hlcopy status --since 2026-12-01", "since 1 December, 00:00 UTC"],
  ["hlcopy status --json | jq .halt", "null, or why it halted"],
  ["hlcopy status --json | jq .dailyLoss", "null, or the daily loss limit's stop and its end"],
  ["hlcopy status --json | jq .pnl.netUsd", "the copy's net P&L since it began (USD)"],
  ["hlcopy status --paper", "where the paper account stands (follow --paper)"],
])}`,
    )
    .action(async (opts: { since: string; paper?: boolean }, cmd: Command) => {
      const { resolveContext, requireAccount } = await import("../context.js");
      const { parseSince } = await import("../span.js");
      const now = Date.now();
      const since = parseSince(opts.since, now, "hlcopy status --since 1h");
      const ctx = resolveContext(cmd.optsWithGlobals<GlobalOptions>());
      const { lockHolderView, runStatus } = await import("./run.js");
      const { pauseMarkerPath } = await import("../control/run.js");
      const { findLockHolders } = await import("../../store/lock.js");
      const account = requireAccount(ctx);
      const report = await runStatus({
        configDir: ctx.configDir,
        account,
        network: ctx.network.name,
        paper: opts.paper === true,
        pauseMarker: pauseMarkerPath(ctx, account, opts.paper === true),
        lockHolders: findLockHolders(ctx.network, account, ctx.env).map((h) => lockHolderView(h.info)),
        json: ctx.json,
        sinceHours: String(since.spanMs / 3_600_000),
        sinceLabel: since.label,
        now,
      });
      // Exit 4 while a safety halt is in force (as reconcile and follow), 0 otherwise.
      process.exitCode = report?.halt ? 4 : 0;
    });
}
