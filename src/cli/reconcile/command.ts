// `hlcopy reconcile <leader> [--dry-run] [--json] [setting flags]` — one sweep, cron-safe.

import type { Command } from "commander";
import type { GlobalOptions } from "../context.js";
import { examples } from "../help.js";
import { addSettingOptions } from "../settings-options.js";

export function register(program: Command): void {
  const cmd = program
    .command("reconcile")
    .argument("<leader>", "the leader's address (0x + 40 hex digits)")
    // More than one leader is refused by the action, which says where several go (follow).
    .allowExcessArguments(true)
    .description("bring your account to the scaled copy of a leader once, then exit (cron-safe)")
    .option("--dry-run", "plan and print the orders, send nothing (no key needed)")
    .option("--yes", "confirm a plan that needs review without asking (cron: always pass it)")
    .option(
      "--adopt",
      "manage positions hlcopy did not open as part of the copy (refused otherwise); with none, the run says so and goes on. Orders it did not place are not adopted: one that may open a position in a copied coin is refused — cancel it or --deny-coins its coin",
    )
    .option(
      "--allow-empty-leader",
      "copy a leader with no position and no fill on record, funded or not (refused otherwise: a typo or the wrong wallet); it is copied as flat until it trades. Beside a leader that holds positions or has fills on record the run says it did nothing and goes on",
    );
  addSettingOptions(cmd, undefined, "reconcile");
  cmd
    .addHelpText(
      "after",
      `
Exit codes: 0 in sync (nothing to do, or done) · 3 drift remains outside the deadband
(the plan declined at the review included) ·
4 halted (a safety rule, your flatten), or paused by hlcopy pause (nothing sent; --json: paused) ·
1 runtime error · 2 usage or config error · 130 interrupted (Ctrl-C or another stop
signal) before it sent anything — once it may send, it sends nothing more, awaits an order out and reports. With --dry-run: 0 nothing to send · 3 it would
send orders, or a gate holds drift · 4 a halt stands (only reductions would go); a pause is
said and changes no code.
For cron: no prompt can be answered there, so the key opens without one
(HLCOPY_PASSPHRASE_FILE: a file, mode 0600, holding the keystore passphrase) and the plan
is confirmed with --yes. Cron's PATH has no hlcopy: run the clone's examples/cron-sweep.sh,
which passes --yes and runs the clone's own Node (README: "Reconcile from cron"). A second
concurrent run for the same account exits 1 naming the process holding the lock.

${examples([
  ["hlcopy reconcile 0x5e9ee1089755c3435139848e47e6635505d5a13a --dry-run"],
  ["hlcopy reconcile 0x5e9ee1089755c3435139848e47e6635505d5a13a --max-leverage 3 --json"],
  ["hlcopy reconcile 0x5e9ee1089755c3435139848e47e6635505d5a13a --adopt --yes"],
])}
  crontab (the clone's real path for /path/to/hlcopy):
  */5 * * * * HLCOPY_PASSPHRASE_FILE=$HOME/.hlcopy-pass /path/to/hlcopy/examples/cron-sweep.sh 0x5e9ee1089755c3435139848e47e6635505d5a13a >> $HOME/hlcopy-cron.log 2>&1

Before it trades, a live run refuses (exit 2): a leader that has never traded (no position
and no fill on record, funded or not), positions in the account that hlcopy did not open
(--adopt or --deny-coins them), orders resting there that hlcopy did not place and that may open
or grow a position in a coin it copies (cancel or --deny-coins them; reduce-only ones stay), and
— without --yes — a plan that needs review (the first run for this leader, one moving more than
exec.confirmAbovePct % of equity, or a sizing grown more than 2× since the last run), which is
shown and asked for on a terminal. --adopt and
--allow-empty-leader only permit: with nothing for them (no such position, a leader that holds
positions or has fills on record) the run says so on stderr and goes on, so a cron line may always pass them.`,
    )
    .action(async (leader: string, opts: Record<string, unknown>, command: Command) => {
      const { resolveContext, resolveRunSettings, parseLeaderAddress } = await import("../context.js");
      const ctx = resolveContext(command.optsWithGlobals<GlobalOptions>());
      const several = await severalLeaders(command.args);
      if (several) throw several;
      const leaderAddress = parseLeaderAddress(leader);
      if (opts.dryRun === true && opts.yes === true) {
        const { UsageError } = await import("../../core/errors.js");
        throw new UsageError("--yes confirms orders and --dry-run sends none: drop one", {
          hint: "review with --dry-run first, then run again with --yes (and without --dry-run)",
        });
      }
      const { settings } = resolveRunSettings(ctx, opts, {
        command: "reconcile",
        mode: opts.dryRun === true ? "dry-run" : "live",
        yes: opts.yes === true,
      });
      const { runReconcile } = await import("./run.js");
      process.exitCode = await runReconcile(ctx, {
        leader: leaderAddress,
        settings,
        dryRun: opts.dryRun === true,
        yes: opts.yes === true,
        adopt: opts.adopt === true,
        allowEmptyLeader: opts.allowEmptyLeader === true,
      });
    });
}

/**
 * `reconcile A B` (or `reconcile "A,B"`): reconcile copies one leader. A run per leader would
 * size the account to its leader alone and close what it copied of the other, run after run;
 * several are copied together by follow, which shares the account between them. The refusal
 * naming them (exit 2, before anything is read), else null — an argument that is no address at
 * all is parseLeaderAddress's to refuse.
 */
async function severalLeaders(args: readonly string[]): Promise<Error | null> {
  const { addressesInOne, addressProblem } = await import("../../core/address.js");
  const given =
    args.length > 1 ? args.flatMap((a) => addressesInOne(a) ?? [a]) : addressesInOne(args[0] ?? "");
  if (!given || given.length < 2) return null;
  const { UsageError } = await import("../../core/errors.js");
  // A word that is no address: an address typed with a space (said as the one meant), a typo, a
  // flag's value without its flag — refused as each leader argument is.
  if (given.some((a) => addressProblem(a) !== null)) {
    const { parseLeaderAddresses } = await import("../context.js");
    parseLeaderAddresses(args);
  }
  const unique = [...new Set(given.map((a) => a.toLowerCase()))];
  if (unique.length === 1) {
    return new UsageError("the same leader is given twice", { hint: "list it once" });
  }
  const list = unique.join(" ");
  return new UsageError(`reconcile copies one leader, and ${unique.length} are given (${list})`, {
    hint: `several leaders are copied together by hlcopy follow ${list} (--weights to share the account unevenly); a reconcile per leader would size the account to each alone and close the others' copies`,
  });
}
