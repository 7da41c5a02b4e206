// `hlcopy sim`: start the simulator (and optionally a scripted leader), print exactly one JSON
// ready line on stdout, log to stderr, and shut down cleanly (exit 0) on SIGINT/SIGTERM.

import { readFileSync } from "node:fs";
import { UsageError } from "../../core/errors.js";
import { enumValue } from "../../core/settings.js";
import { parseMarkets } from "../../sim/markets.js";
import type { SimOptions } from "../../sim/types.js";

/** Options as commander hands them over (strings until checked here). */
export interface SimCommandOptions {
  host?: string;
  port?: string | number;
  seed?: string | number;
  tickMs?: string | number;
  markets?: string;
  testnetSigning?: boolean;
  fundingIntervalMs?: string | number;
  depthUsd?: string | number;
  refillMs?: string | number;
  leader?: string;
  leaderRate?: string;
}

export interface SimCommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** Resolves when the simulator should stop (default: the first SIGINT or SIGTERM). */
  stopSignal?: Promise<unknown>;
}

function integer(
  name: string,
  value: string | number | undefined,
  min: number,
  max: number,
  hint: string,
): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === "number" ? value : /^-?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`, {
      hint,
    });
  }
  return n;
}

/**
 * "2/s", "2", "30/m" or "30/min" → orders per second.
 * @throws {UsageError} for anything else.
 */
export function parseRate(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|sec|m|min))?\s*$/.exec(text);
  const n = m ? Number(m[1]) : Number.NaN;
  if (!m || !(n > 0)) {
    throw new UsageError(`--leader-rate must look like 2/s or 30/m, got ${JSON.stringify(text)}`, {
      hint: "e.g. --leader-rate 2/s (two orders a second) or --leader-rate 30/m",
    });
  }
  const perMinute = m[2] === "m" || m[2] === "min";
  return perMinute ? n / 60 : n;
}

/**
 * Turn command options into simulator options (and the leader's rate).
 * @throws {UsageError} naming the bad option, with a hint.
 */
export function parseSimCommandOptions(opts: SimCommandOptions): {
  sim: SimOptions;
  leader: { ratePerSec: number } | null;
} {
  const sim: SimOptions = { host: opts.host ?? "127.0.0.1" };
  const port = integer("port", opts.port, 0, 65535, "use 0 for a random free port");
  if (port !== undefined) sim.port = port;
  const seed = integer(
    "seed",
    opts.seed,
    0,
    2 ** 32 - 1,
    "any whole number; the same seed gives the same prices",
  );
  if (seed !== undefined) sim.seed = seed;
  const tickMs = integer(
    "tick-ms",
    opts.tickMs,
    0,
    3_600_000,
    "0 freezes prices; 500 moves them twice a second",
  );
  if (tickMs !== undefined) sim.tickMs = tickMs;
  const funding = integer(
    "funding-interval-ms",
    opts.fundingIntervalMs,
    1,
    86_400_000,
    "3600000 is the exchange's hour",
  );
  if (funding !== undefined) sim.fundingIntervalMs = funding;
  const depthUsd = integer(
    "depth-usd",
    opts.depthUsd,
    1,
    1_000_000_000_000,
    "notional of the book per side in USD, e.g. 1000000 (20 levels of $50,000)",
  );
  if (depthUsd !== undefined) sim.depthUsd = depthUsd;
  const refillMs = integer(
    "refill-ms",
    opts.refillMs,
    0,
    3_600_000,
    "how long an emptied side of the book takes to refill; 0 = depth never depletes",
  );
  if (refillMs !== undefined) sim.refillMs = refillMs;
  if (opts.testnetSigning) sim.testnetSigning = true;
  if (opts.markets !== undefined) {
    let text: string;
    try {
      text = readFileSync(opts.markets, "utf8");
    } catch (e) {
      throw new UsageError(
        `cannot read --markets file ${opts.markets}: ${e instanceof Error ? e.message : String(e)}`,
        {
          hint: "give the path of a JSON file with an array of {name, szDecimals, maxLeverage, price}",
        },
      );
    }
    try {
      sim.markets = parseMarkets(JSON.parse(text));
    } catch (e) {
      throw new UsageError(`--markets ${opts.markets}: ${e instanceof Error ? e.message : String(e)}`, {
        hint: 'e.g. [{"name":"BTC","szDecimals":5,"maxLeverage":40,"price":95000}]',
      });
    }
  }
  let leader: { ratePerSec: number } | null = null;
  if (opts.leader !== undefined) {
    // A word, as a setting's choice is (core/settings.ts enumValue): --leader Random is random.
    if (enumValue(["random"], opts.leader) === undefined) {
      throw new UsageError(`--leader must be "random", got ${JSON.stringify(opts.leader)}`, {
        hint: "--leader random starts a seeded scripted leader and prints its address in the ready line",
      });
    }
    leader = { ratePerSec: parseRate(opts.leaderRate ?? "2/s") };
  } else if (opts.leaderRate !== undefined) {
    throw new UsageError("--leader-rate needs --leader random", {
      hint: "e.g. hlcopy sim --leader random --leader-rate 2/s",
    });
  }
  return { sim, leader };
}

function signalPromise(): Promise<unknown> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      resolve(signal);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}

/**
 * Run the simulator until SIGINT/SIGTERM (or `io.stopSignal`).
 * @throws {UsageError} for bad options; {Error} when the port cannot be bound.
 */
export async function runSimCommand(
  opts: SimCommandOptions,
  io: SimCommandIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<void> {
  const parsed = parseSimCommandOptions(opts);
  const log = (line: string) => {
    io.stderr.write(`${line}\n`);
  };
  const stop = io.stopSignal ?? signalPromise();
  const { startSim } = await import("../../sim/server.js");
  const sim = await startSim({ ...parsed.sim, log });
  let leader: Awaited<ReturnType<typeof import("../../sim/leader.js").startScriptedLeader>> | undefined;
  try {
    if (parsed.leader) {
      const { startScriptedLeader } = await import("../../sim/leader.js");
      leader = await startScriptedLeader({
        httpUrl: sim.httpUrl,
        seed: parsed.sim.seed ?? 1,
        ratePerSec: parsed.leader.ratePerSec,
        isTestnet: parsed.sim.testnetSigning ?? false,
        log,
      });
      log(`sim: scripted leader ${leader.address} trading at ${parsed.leader.ratePerSec}/s`);
      // The ready line waits for its first fill: a follow started on it must find the leader's
      // fills on record (a funded leader with no position and no fill is refused as a typo).
      await leader.traded;
    }
    const ready: Record<string, string> = { event: "ready", httpUrl: sim.httpUrl, wsUrl: sim.wsUrl };
    if (leader) ready.leader = leader.address;
    io.stdout.write(`${JSON.stringify(ready)}\n`);
    const signal = await stop;
    log(`sim: ${typeof signal === "string" ? signal : "stop"} received, shutting down`);
  } finally {
    await leader?.stop();
    await sim.close();
  }
}
