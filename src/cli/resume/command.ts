// `hlcopy resume [--yes]` — clear a safety halt so trading can start again.

import type { Command } from "commander";
import type { GlobalOptions } from "../context.js";
import { examples } from "../help.js";

export function register(program: Command): void {
  program
    .command("resume")
    .description(
      "clear a kill-switch or manual halt (the high-water mark is reset to the last equity recorded); resume a paused running follow",
    )
    .option("--yes", "do not ask for confirmation (scripts)")
    .option(
      "--paper",
      "the paper runs' pause and halt (follow --paper): lift those, not the live runs' (a running paper follow is resumed either way)",
    )
    .option(
      "--leader <address>",
      "follow this leader again after its own drawdown limit or a liquidation pause stopped it (halts are not touched)",
    )
    .addHelpText(
      "after",
      `
A halt stays in force across restarts until you resume, and so does the high-water mark: a
follow or reconcile that starts again takes it from the journal. Resuming resets it to the
last equity the journal recorded (it says when; resume reads no account), so the kill switch
measures drawdown from there.
A running follow that is paused is resumed, a paper run too. With none running, the pause
recorded for the next follow is lifted; paper runs keep their own (a paper run's pause never
holds a live follow or reconcile): --paper lifts that one, and the paper account's halt.
A leader unfollowed by risk.leaderMaxDrawdownPct (or paused after its liquidation) stays
unfollowed until --leader resumes it; its copy's high-water mark starts again.

${examples([
  ["hlcopy status", "why it halted"],
  ["hlcopy resume", "asks first"],
  ["hlcopy resume --yes"],
  ["hlcopy resume --paper", "lift the pause a paper run left (follow --paper)"],
  ["hlcopy resume --leader 0x5e9ee1089755c3435139848e47e6635505d5a13a", "follow that leader again"],
])}`,
    )
    .action(async (opts: { yes?: boolean; leader?: string; paper?: boolean }, cmd: Command) => {
      const { resolveControlContext, requireAccount, parseLeaderAddress } = await import("../context.js");
      const ctx = resolveControlContext(cmd.optsWithGlobals<GlobalOptions>(), "resume");
      const { runResume, runResumeLeader } = await import("./run.js");
      const { findLockHolders } = await import("../../store/lock.js");
      const account = requireAccount(ctx);
      // An hlcopy at its start (its review or passphrase prompt) holds the journal: said at once.
      const lockHolders = findLockHolders(ctx.network, account, ctx.env).map((h) => ({
        pid: h.info.pid,
        command: h.info.command,
        configDir: h.info.configDir,
      }));
      if (opts.leader !== undefined && opts.paper) {
        const { UsageError } = await import("../../core/errors.js");
        throw new UsageError("--paper with --leader: a leader is followed again in the live journal only", {
          hint: "hlcopy resume --leader 0x… (without --paper); a paper run starts its leaders afresh",
        });
      }
      if (opts.leader !== undefined) {
        await runResumeLeader({
          configDir: ctx.configDir,
          account,
          network: ctx.network.name,
          leader: parseLeaderAddress(opts.leader),
          json: ctx.json,
          yes: opts.yes === true,
          lockHolders,
        });
        return;
      }
      // A paused running follow sends again (or a pause recorded for the next run is dropped);
      // a halt in the journal is cleared as before. The output says which it did.
      const { resumeRunningOrPending } = await import("../control/run.js");
      await runResume({
        resumeFollow: ({ halt }) =>
          resumeRunningOrPending(ctx, account, { halt, paper: opts.paper === true }),
        paper: opts.paper === true,
        configDir: ctx.configDir,
        account,
        network: ctx.network.name,
        json: ctx.json,
        yes: opts.yes === true,
        lockHolders,
      });
    });
}
