// `hlcopy demo` — the whole product on a local simulator, in one command.

import type { Command } from "commander";
import type { GlobalOptions } from "../context.js";
import { examples } from "../help.js";

export function register(program: Command): void {
  program
    .command("demo")
    .description("watch hlcopy copy a scripted leader on a local simulator: no keys, no network, no money")
    .option("--speed <n>", "how fast the leader trades and prices move (1 = 2 trades/s)", "1")
    .option("--duration <time>", "how long to run: 60s, 2m, or seconds", "60s")
    .option("--no-ui", "one line per event instead of the dashboard (also when not a TTY)")
    .addHelpText(
      "after",
      `
Everything runs in this process on 127.0.0.1: a Hyperliquid-compatible simulator, a funded
leader trading BTC, ETH, SOL and HYPE (opens, adds, partial closes, flips), and your
follower account, whose agent key is approved through the real approveAgent path. Then
follow runs against it — signing, websockets, orders — until the time is up or you press q.
At the end: our orders filled, skips by reason, final drift, slippage and copy lag
(with --json the last line is that summary as JSON).

${examples([
  ["hlcopy demo"],
  ["hlcopy demo --speed 3 --duration 2m"],
  ["hlcopy demo --no-ui --duration 10s --json | tail -1", "the summary line as JSON"],
])}`,
    )
    .action(async (opts: { speed: string; duration: string; ui: boolean }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const { parseDemoOptions, runDemo } = await import("./run.js");
      // Its own options first: a bad --speed is said as such wherever the command line came from.
      const parsed = parseDemoOptions(opts);
      const { refuseUnusedGlobals } = await import("../globals.js");
      const own = "the demo runs its own local simulator, leader and account, and keeps no config";
      refuseUnusedGlobals(cmd, [
        { option: "network", why: own, hint: "to copy on a network: hlcopy follow 0xLEADER --network …" },
        {
          option: "account",
          why: own,
          hint: "to copy into your account: hlcopy follow 0xLEADER --account …",
        },
        {
          option: "configDir",
          why: own,
          hint: "to try your settings: hlcopy sim, then follow --network http://127.0.0.1:PORT",
        },
      ]);
      process.exitCode = await runDemo({ ...parsed, json: g.json === true });
    });
}
