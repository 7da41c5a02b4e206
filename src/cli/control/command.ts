// `hlcopy pause`, `hlcopy flatten [--yes]`, `hlcopy stop` — steer the follow running for the
// account (its control socket), or act without one: pause is recorded, flatten runs here.

import type { Command } from "commander";
import type { GlobalOptions } from "../context.js";
import { examples } from "../help.js";

export function registerPause(program: Command): void {
  program
    .command("pause")
    .description(
      "stop sending new orders in the running follow (with none running: hold the next follow and reconcile)",
    )
    .option(
      "--paper",
      "the paper runs' pause (follow --paper): the running paper follow, or with none running the next one; live runs are not held by it",
    )
    .addHelpText(
      "after",
      `
Reaches the follow running for this account and network through its control socket (in the
per-user lock directory, only you can open it), live or paper — it says which. Nothing is
closed; hlcopy resume sends again. A follow that ends paused leaves its pause standing for the
next run of its kind.
With no follow running the pause is recorded and holds every live run that trades the account
until hlcopy resume: the next follow starts paused, and reconcile (cron) plans, shows what it
would do and sends nothing — "paused since …: nothing sent", exit 4 (--json: paused). A
reconcile --dry-run says the pause stands and exits as usual. hlcopy flatten still closes
everything.
Paper runs (follow --paper) keep a pause of their own: a paper run's pause never holds a live
follow or reconcile, and a live pause does not hold a paper run. --paper records the pause for
the next follow --paper (hlcopy resume --paper lifts it, hlcopy status --paper shows it); with a
live follow running it is refused, nothing done.

${examples([["hlcopy pause"], ["hlcopy resume"], ["hlcopy pause --paper", "hold the next follow --paper"]])}`,
    )
    .action(async (opts: { paper?: boolean }, cmd: Command) => {
      const { resolveControlContext, requireAccount } = await import("../context.js");
      const ctx = resolveControlContext(cmd.optsWithGlobals<GlobalOptions>(), "pause");
      const { runPause } = await import("./run.js");
      process.exitCode = await runPause(ctx, requireAccount(ctx), process.stdout, {
        paper: opts.paper === true,
      });
    });
}

export function registerStop(program: Command): void {
  program
    .command("stop")
    .description("stop the running follow cleanly (as SIGTERM: the order in flight is awaited)")
    .addHelpText(
      "after",
      `
Reaches the follow running for this account and network through its control socket. It ends
as on SIGTERM: the batch in flight is awaited, nothing new is sent, positions are handled by
its --on-exit (protect by default). With no follow running it says so and changes nothing.

${examples([["hlcopy stop"], ["hlcopy --account 0x5e9ee1089755c3435139848e47e6635505d5a13a stop --json"]])}`,
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const { resolveControlContext, requireAccount } = await import("../context.js");
      const ctx = resolveControlContext(cmd.optsWithGlobals<GlobalOptions>(), "stop");
      const { runStop } = await import("./run.js");
      process.exitCode = await runStop(ctx, requireAccount(ctx));
    });
}

export function registerFlatten(program: Command): void {
  program
    .command("flatten")
    .description("close every position reduce-only and halt (the running follow, or here if none runs)")
    .option("--yes", "do not ask for confirmation (scripts)")
    .option(
      "--paper",
      "the running paper follow's account (follow --paper), not the real one; without it a paper follow running is refused, nothing done",
    )
    .option(
      "--dry-run",
      "show what a flatten would do now — who carries it out, the closes, what remains — sending, halting and writing nothing (no key needed)",
    )
    .addHelpText(
      "after",
      `
With a follow running for the account, it halts (manual) and closes everything itself. With
none, flatten looks up our orders of unknown outcome, cancels the passive entries an earlier run
left resting, and sends the reduce-only closes here (needs the agent key). Either way trading
stays halted until hlcopy resume. Exit 3 if a position remains.
A follow --paper running holds the account's lock but none of its positions: flatten refuses
it (exit 2, nothing done) — stop it first (hlcopy stop) — and flatten --paper flattens it.
--dry-run reads the account and shows the flatten's own plan: our orders of unknown outcome
as their look-up finds them now, the resting entries it would cancel, each reduce-only close
(coin, side, size, its limit price — and whose exec.slippageBps it is at —, est. notional at the
mid), a position it would leave and why, the halt that would follow — and, with a follow
running, that the follow would carry it out, at its own settings (its socket is not asked). It sends nothing, halts nothing, records no pause, takes no lock (a
follow running or starting is not held up) and needs no agent key; it asks nothing, and --yes
is refused beside it. It is refused where the flatten would be (a follow --paper running,
another run that takes no commands). With --dry-run: exit 0 nothing to close or cancel (the
flatten would only halt) · 3 a position is open or an entry rests: the closes listed would go. --paper --dry-run names
the follow --paper that would be flattened (its paper positions are that run's, not listed).

${examples([
  ["hlcopy flatten", "asks first"],
  ["hlcopy flatten --dry-run", "what it would close, sending nothing"],
  ["hlcopy flatten --dry-run --json", "one document: closes, left, halt"],
  ["hlcopy flatten --yes --json"],
  ["hlcopy flatten --paper --yes", "the running follow --paper's account"],
])}`,
    )
    .action(async (opts: { yes?: boolean; paper?: boolean; dryRun?: boolean }, cmd: Command) => {
      const { resolveControlContext, requireAccount, resolveRunSettings } = await import("../context.js");
      const ctx = resolveControlContext(cmd.optsWithGlobals<GlobalOptions>(), "flatten");
      const account = requireAccount(ctx);
      const dryRun = opts.dryRun === true;
      // As reconcile: --yes confirms what is sent, and a dry run sends nothing.
      if (dryRun && opts.yes === true) {
        const { UsageError } = await import("../../core/errors.js");
        throw new UsageError("--yes confirms the flatten and --dry-run sends nothing: drop one", {
          hint: "look with hlcopy flatten --dry-run first, then run hlcopy flatten --yes (without --dry-run)",
        });
      }
      const { runFlatten, confirmFlatten, refusePaperFollow } = await import("./run.js");
      refusePaperFollow(ctx, account, opts.paper === true);
      if (!dryRun && !(await confirmFlatten(opts.yes === true))) {
        process.stdout.write("not flattened\n");
        return;
      }
      const { settings } = resolveRunSettings(ctx, {});
      process.exitCode = await runFlatten(ctx, { account, settings, paper: opts.paper === true, dryRun });
    });
}
