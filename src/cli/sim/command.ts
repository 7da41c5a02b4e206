// `hlcopy sim` — a local Hyperliquid-compatible exchange for tests, the demo and rehearsals.
// Nothing heavy is imported here: the simulator (SDK, ws) loads inside the action.

import type { Command } from "commander";
import { examples } from "../help.js";

export function register(program: Command): void {
  program
    .command("sim")
    .description("run a local Hyperliquid-compatible exchange (no network, no keys, no money)")
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option("--port <n>", "port to listen on (0 = a random free port)", "0")
    .option("--seed <n>", "seed of the price process (same seed, same prices)")
    .option("--tick-ms <n>", "milliseconds between price steps (0 freezes prices)")
    .option("--markets <file>", "JSON file of markets: [{name, szDecimals, maxLeverage, price}]")
    .option("--testnet-signing", 'expect testnet signatures (L1 source "b", hyperliquidChain Testnet)')
    .option("--funding-interval-ms <n>", "funding period in ms (the exchange's is 3600000)")
    .option("--depth-usd <n>", "synthetic book notional per side in USD (default 1000000)")
    .option("--refill-ms <n>", "ms for a side takers emptied to refill (default 1000; 0 = never depletes)")
    .option(
      "--leader <random>",
      "also run a seeded scripted leader (its address is in the ready line, printed once it has traded)",
    )
    .option("--leader-rate <rate>", "scripted leader's orders per second, e.g. 2/s or 30/m", undefined)
    .addHelpText(
      "after",
      `
Prints one JSON line when ready, then logs to stderr until Ctrl-C:
  {"event":"ready","httpUrl":"http://127.0.0.1:PORT","wsUrl":"ws://127.0.0.1:PORT/ws"}

The book: 20 levels a side, 1 bp apart, --depth-usd spread evenly over them. Taker orders
consume levels (a big order walks the book; an IOC can fill partly); consumed depth refills
linearly, a whole side per --refill-ms. Per market: "depthUsd", "refillMs" in --markets.

${examples([
  ["hlcopy sim --port 8080 --leader random --leader-rate 2/s", "with a scripted leader to copy"],
  [
    "hlcopy --network http://127.0.0.1:8080 --account 0xYourMaster… init",
    "point hlcopy at it (the same port)",
  ],
  ["hlcopy sim --port 8080 --seed 7 --tick-ms 0", "frozen prices, for deterministic runs"],
  ["hlcopy sim", "a random free port: the first line says which"],
])}

Test hooks (never on the real exchange): POST /control with {"type":"fund","user","usd"},
{"type":"setMid","coin","px"}, {"type":"fault","kind",…}, {"type":"stats"}, {"type":"reset"}.`,
    )
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      const { refuseUnusedGlobals } = await import("../globals.js");
      refuseUnusedGlobals(cmd, [
        {
          option: "network",
          why: "the simulator is the network (the ready line says its URL)",
          hint: "to expect testnet signatures: hlcopy sim --testnet-signing; give --network http://127.0.0.1:PORT to the commands that use it",
        },
        {
          option: "account",
          why: "the simulator serves every account",
          hint: 'fund yours with POST /control {"type":"fund","user":"0x…","usd":10000}, and give --account to the commands that trade',
        },
        {
          option: "configDir",
          why: "the simulator keeps no config",
          hint: "give --config-dir to the commands that use the simulator",
        },
        {
          option: "json",
          why: "its ready line on stdout is JSON always, and its log on stderr is for people",
          hint: 'read the first stdout line as JSON ({"event":"ready","httpUrl":…})',
        },
      ]);
      const { runSimCommand } = await import("./run.js");
      // --testnet-signing is also a (hidden) global option: read it from either level.
      try {
        await runSimCommand({ ...cmd.optsWithGlobals(), ...opts });
      } catch (error) {
        throw await listenError(error, String(opts.host ?? "127.0.0.1"), String(opts.port ?? "0"));
      }
    });
}

/**
 * A port that cannot be bound is the user's to fix, not a bug: say which port and how to pick
 * another (exit 2). Anything else passes through unchanged.
 */
async function listenError(error: unknown, host: string, port: string): Promise<unknown> {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code !== "EADDRINUSE" && code !== "EACCES") return error;
  const { UsageError } = await import("../../core/errors.js");
  const where = `${host}:${port}`;
  return new UsageError(
    code === "EADDRINUSE"
      ? `port ${port} is already in use on ${host} (another hlcopy sim, or another program)`
      : `not allowed to listen on ${where} (ports below 1024 need privileges)`,
    {
      hint: `pick another port with --port <n>, or --port 0 for a free one (the ready line prints the URL)`,
      cause: error,
      details: { host, port },
    },
  );
}
