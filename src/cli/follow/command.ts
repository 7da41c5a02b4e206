// `hlcopy follow <leader…>` — the live watch-diff-reconcile loop, with the dashboard.

import type { Command } from "commander";
import type { GlobalOptions } from "../context.js";
import { examples } from "../help.js";
import { addSettingOptions } from "../settings-options.js";

export function register(program: Command): void {
  const cmd = program
    .command("follow")
    .argument("<leader...>", "leader address(es), up to 9 (0x + 40 hex digits)")
    .description("copy one or more leaders live: websockets, sweeps, exactly-once orders, safety, dashboard")
    .option("--weights <list>", "weights of several leaders, e.g. 0.6,0.4 (normalised to sum 1)")
    .option(
      "--dry-run",
      "plan and show, send nothing (no key needed); each planned order fills as a paper one does (the book up to its limit), so the next plan is what a live run would send next",
    )
    .option("--paper", "fill locally against the live book, no key needed (own journal)")
    .option(
      "--paper-equity <usd>",
      "starting equity of the paper account (with --paper; default 10000, at least 10: the smallest order)",
    )
    .option("--no-ui", "one line per event instead of the dashboard (also when not a TTY)")
    .option("--exit-on-halt", "live and paper runs: exit 4 once a safety halt has flattened the account")
    .option("--yes", "confirm a start plan that needs review without asking")
    .option(
      "--adopt",
      "manage positions hlcopy did not open as part of the copy (refused otherwise); with none, the run says so and goes on. Orders it did not place are not adopted: one that may open a position in a copied coin is refused — cancel it or --deny-coins its coin",
    )
    .option(
      "--allow-empty-leader",
      "copy a leader with no position and no fill on record, funded or not (refused otherwise: a typo or the wrong wallet); it is copied as flat until it trades. Beside a leader that holds positions or has fills on record the run says it did nothing and goes on",
    )
    .option(
      "--wait-for-approval",
      "live runs: if the agent's approval ends mid-run, keep running (sending nothing) until it is approved again, instead of exit 4",
    )
    .option(
      "--on-exit <mode>",
      "on a clean stop of a live run: protect (every position keeps its resting stop), hold (leave all as is) or flatten (close reduce-only); default protect",
    )
    .option(
      "--listen <host:port>",
      "live and paper runs: serve read-only GET /status (status --json; --paper's: status --paper --json) and GET /metrics (Prometheus) here, e.g. 127.0.0.1:9464",
    )
    .option("--listen-public", "allow a non-loopback --listen address (needs --listen-token-file)")
    .option("--listen-token-file <file>", "bearer token every /status and /metrics request must carry");
  addSettingOptions(cmd, undefined, "follow");
  cmd
    .addHelpText(
      "after",
      `
Keys on the dashboard: q quit · p pause/resume sending · s sweep now · f flatten (y to confirm) · ? help.
Ctrl-C / SIGTERM / SIGHUP / SIGQUIT stop cleanly: nothing is sent after the signal, the
order in flight is awaited, the journal is flushed, exit 0. With --json (or --no-ui) every event is one line.

${examples([
  ["hlcopy follow 0x5e9ee1089755c3435139848e47e6635505d5a13a"],
  ["hlcopy follow 0x5e9ee1089755c3435139848e47e6635505d5a13a --dry-run --max-leverage 2"],
  [
    "hlcopy follow 0x5e9ee1089755c3435139848e47e6635505d5a13a 0xb7b6f3cea3f66bf525f5d8f965f6dbf6d9b017b2 --weights 0.7,0.3 --paper",
  ],
  ["hlcopy follow 0x5e9ee1089755c3435139848e47e6635505d5a13a --json --sweep-seconds 15 >> follow.log"],
])}`,
    )
    .action(async (leaders: string[], opts: Record<string, unknown>, command: Command) => {
      const { resolveContext, resolveRunSettings } = await import("../context.js");
      const ctx = resolveContext(command.optsWithGlobals<GlobalOptions>());
      const { parseFollowOptions, runFollow } = await import("./run.js");
      const parsed = parseFollowOptions(leaders, opts);
      // The run's mode first: a setting flag this mode never reads is refused (exit 2).
      const { settings } = resolveRunSettings(ctx, opts, {
        command: "follow",
        mode: parsed.mode,
        yes: parsed.yes,
      });
      const { parseListenOptions } = await import("./serve.js");
      const listen = parseListenOptions(opts, parsed.mode);
      process.exitCode = await runFollow(ctx, { ...parsed, settings, listen });
    });
}
