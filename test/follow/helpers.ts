// Spawning `hlcopy follow` (the real binary) against a simulator and reading its --json lines.

import { type ChildProcess, spawn } from "node:child_process";
import type { Address } from "../../src/core/types.js";
import type { SimHandle } from "../../src/sim/index.js";
import { startScriptedLeader } from "../../src/sim/leader.js";
import { eventually } from "../exchange/helpers.js";
import { BIN, cleanEnv, defaultsBeside } from "../helpers/cli.js";
import type { ReconcileWorld } from "../helpers/reconcile-world.js";

export interface RunningFollow {
  child: ChildProcess;
  /** Every --json line printed so far. */
  lines: Record<string, unknown>[];
  stderr: () => string;
  /** Resolves with the exit code (null when killed by a signal). */
  exit: Promise<number | null>;
  /**
   * Throws once the process has ended, naming its exit code or the signal that killed it: a
   * wait for what a running follow prints fails at once, and says why, instead of at its bound.
   */
  running(): true;
  /** Waits until `fn` holds while the follow runs (fails at once, saying why, if it ended). */
  until<T>(fn: () => T, ms?: number): Promise<NonNullable<T>>;
  /** The sweeps it has told so far. */
  sweeps(): number;
}

export interface SpawnFollowParameters {
  httpUrl: string;
  account: Address;
  leader: Address;
  configDir: string;
  agentKey?: `0x${string}`;
  /** Extra arguments after `follow <leader>`. */
  extra?: string[];
  /** Global options before `follow` (besides --network/--account/--json). */
  globals?: string[];
  env?: NodeJS.ProcessEnv;
  json?: boolean;
}

/**
 * spawnFollow as a reconcileWorld's account: on its simulator, copying its leader, in its config
 * and lock directories with its agent key. `p` adds to or replaces what the world gives.
 */
export function spawnFollowIn(
  w: Pick<ReconcileWorld, "sim" | "account" | "leader" | "env" | "agentKey">,
  p: Partial<SpawnFollowParameters> = {},
): RunningFollow {
  return spawnFollow({
    httpUrl: w.sim.httpUrl,
    account: w.account,
    leader: w.leader,
    configDir: w.env.HLCOPY_CONFIG_DIR,
    agentKey: w.agentKey,
    ...p,
    env: { HLCOPY_LOCK_DIR: w.env.HLCOPY_LOCK_DIR, ...p.env },
  });
}

export function spawnFollow(p: SpawnFollowParameters): RunningFollow {
  const json = p.json ?? true;
  const child = spawn(
    process.execPath,
    [
      BIN,
      "--network",
      p.httpUrl,
      "--account",
      p.account,
      ...(json ? ["--json"] : []),
      ...(p.globals ?? []),
      "follow",
      p.leader,
      ...defaultsBeside(["--mode", "fixed-ratio", "--ratio", "0.2"], p.extra ?? []),
      ...(p.extra ?? []),
      // A live run confirms its first plan as cron does (dry runs and paper take no --yes).
      ...(p.extra?.some((x) => x === "--dry-run" || x === "--paper") ? [] : ["--yes"]),
    ],
    {
      env: cleanEnv({
        HLCOPY_CONFIG_DIR: p.configDir,
        ...(p.agentKey ? { HLCOPY_AGENT_KEY: p.agentKey } : {}),
        ...p.env,
      }),
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const lines: Record<string, unknown>[] = [];
  let buffer = "";
  let err = "";
  child.stdout?.on("data", (d) => {
    buffer += d;
    let i = buffer.indexOf("\n");
    while (i >= 0) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        lines.push({ type: "text", text: line });
      }
      i = buffer.indexOf("\n");
    }
  });
  child.stderr?.on("data", (d) => {
    err += d;
  });
  let ended: string | null = null;
  const exit = new Promise<number | null>((resolve) =>
    child.on("close", (code, signal) => {
      ended = signal ? `killed by ${signal}` : `exit ${code}`;
      resolve(code);
    }),
  );
  const running = (): true => {
    if (ended) throw new Error(`the follow ended (${ended}); its stderr: ${err.trim() || "(empty)"}`);
    return true;
  };
  return {
    child,
    lines,
    stderr: () => err,
    exit,
    running,
    until: (fn, ms = 30_000) => eventually(() => running() && fn(), ms),
    sweeps: () => lines.filter((l) => l.type === "sweep").length,
  };
}

/**
 * The leader of `privateKey` (funded already) makes `trades` trades in BTC and ETH on the
 * simulator, 20 a second; resolves once it is done. Before a run starts, it makes a leader that
 * traded before (a funded address with no fill is refused as a typo).
 */
export async function leaderTrades(
  sim: SimHandle,
  privateKey: `0x${string}`,
  p: { seed: number; trades: number },
): Promise<void> {
  const l = await startScriptedLeader({
    httpUrl: sim.httpUrl,
    seed: p.seed,
    privateKey,
    ratePerSec: 20,
    coins: ["BTC", "ETH"],
    maxTrades: p.trades,
    fundUsd: 0,
  });
  await l.done;
}
