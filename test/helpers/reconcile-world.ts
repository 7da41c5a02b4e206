// The world the reconcile CLI tests build, once: a funded leader on a simulator (its own
// client signs its trades), our master account with an approved agent, and a config and lock
// directory of the test's own; `cli` runs the real binary as that account, on the simulator or
// on a proxy in front of it. The simulator is the test's own (closed when the test ends, failed
// or not) unless the file passes its beforeAll one — then the test's accounts and directories
// are still its own, so tests do not see each other and do not depend on their order.
//
//   const w = await reconcileWorld({ seed: 91 });
//   await w.trade("BTC", "buy", 1);
//   const r = await w.cli(["reconcile", w.leader, "--mode", "fixed-ratio", "--ratio", "0.1", "--yes"]);

import { expect, onTestFinished } from "vitest";
import { engineClient } from "../../src/cli/wiring.js";
import type { Address } from "../../src/core/types.js";
import type { HlClient } from "../../src/exchange/index.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { type Account, action, fundedAccount, masterWithAgent } from "../exchange/helpers.js";
import { type RunResult, runCli, tempDir } from "./cli.js";

export interface ReconcileWorldOptions {
  /** A simulator the file shares (beforeAll); without it the test starts its own with `seed`. */
  sim?: SimHandle;
  /** The test's own simulator's seed (prices frozen: tickMs 0). */
  seed?: number;
  /** The leader's funding in USD. Default 1 000 000. */
  leaderUsd?: number;
  /** Our (the master's) funding in USD. Default 100 000. */
  ourUsd?: number;
  /**
   * The test's own `onTestFinished` (its context's): a test that runs concurrently must pass it,
   * as vitest's global one may register the tear-down on another test. Default: the global one.
   */
  onTestFinished?: typeof onTestFinished;
}

export interface ReconcileWorld {
  sim: SimHandle;
  leaderAccount: Account;
  leader: Address;
  /** The leader's own client (it signs with its own key). */
  leaderClient: HlClient;
  master: Account;
  /** Our account (the master the agent trades for). */
  account: Address;
  agentKey: `0x${string}`;
  /** Our client: the agent's key, trading the master's account. */
  ours: HlClient;
  /** The test's own config dir, lock dir and agent key, as the CLI's environment. */
  env: { HLCOPY_CONFIG_DIR: string; HLCOPY_LOCK_DIR: string; HLCOPY_AGENT_KEY: `0x${string}` };
  /** A marketable order of the leader's, filled (asserted): `size` in coins. */
  trade(coin: string, side: "buy" | "sell", size: number, reduceOnly?: boolean): Promise<void>;
  /** The same, sized in USD at the mid. */
  tradeUsd(coin: string, side: "buy" | "sell", usd: number): Promise<void>;
  /** Our positions: coin → signed size. */
  positions(): Promise<Record<string, number>>;
  /**
   * The simulator's count of every signed action (orders, leverage updates, cancels, …), anyone's:
   * meaningful on the test's own simulator.
   */
  actionsSent(): number;
  /**
   * hlcopy `args` as our account (`--network <url> --account <ours>` first) in the test's
   * environment; `network` is a proxy's URL instead of the simulator's, `env` adds to it.
   */
  cli(
    args: string[],
    options?: { network?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
  ): Promise<RunResult>;
}

export async function reconcileWorld(options: ReconcileWorldOptions = {}): Promise<ReconcileWorld> {
  let sim = options.sim;
  if (!sim) {
    const own = await startSim({ seed: options.seed ?? 1, tickMs: 0 });
    (options.onTestFinished ?? onTestFinished)(() => own.close());
    sim = own;
  }
  const leaderAccount = fundedAccount(sim, options.leaderUsd ?? 1_000_000);
  const leader = leaderAccount.address;
  const client = (account: Address, agentKey: `0x${string}`) =>
    engineClient({ httpUrl: sim.httpUrl, wsUrl: sim.wsUrl, isTestnet: false, account, agentKey });
  const leaderClient = client(leader, leaderAccount.key);
  const { master, agentKey } = await masterWithAgent(sim, options.ourUsd ?? 100_000);
  const account = master.address as Address;
  const ours = client(account, agentKey);
  const env = {
    HLCOPY_CONFIG_DIR: tempDir(),
    HLCOPY_LOCK_DIR: tempDir("hlcopy-locks-"),
    HLCOPY_AGENT_KEY: agentKey,
  };
  const trade = async (coin: string, side: "buy" | "sell", size: number, reduceOnly = false) => {
    const markets = await leaderClient.getMarkets();
    const [r] = await leaderClient.placeOrders([action(markets, coin, side, size, { reduceOnly })], markets);
    expect(r?.status).toBe("filled");
  };
  const tradeUsd = async (coin: string, side: "buy" | "sell", usd: number) => {
    const m = (await leaderClient.getMarkets())[coin];
    if (!m) throw new Error(`no market ${coin}`);
    await trade(coin, side, Number((usd / m.mid).toFixed(m.szDecimals)));
  };
  const positions = async () =>
    Object.fromEntries(
      Object.values((await ours.getAccountState(account)).positions).map((p) => [p.coin, p.size]),
    );
  const actionsSent = () => Object.values(sim.control.stats().actionByType).reduce((s, n) => s + (n ?? 0), 0);
  const cli: ReconcileWorld["cli"] = (args, o = {}) =>
    runCli(["--network", o.network ?? sim.httpUrl, "--account", account, ...args], {
      env: { ...env, ...o.env },
      ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
    });
  return {
    sim,
    leaderAccount,
    leader,
    leaderClient,
    master,
    account,
    agentKey,
    ours,
    env,
    trade,
    tradeUsd,
    positions,
    actionsSent,
    cli,
  };
}
