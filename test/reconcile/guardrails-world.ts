// The world of the real-money guardrail tests (guardrails*.sim.test.ts): a simulator of its own
// per test, a funded leader, a follower with an approved agent, and a config dir.

import { expect } from "vitest";
import type { ReconcileReport } from "../../src/cli/reconcile/run.js";
import type { Address } from "../../src/core/types.js";
import type { HlClient } from "../../src/exchange/index.js";
import { action } from "../exchange/helpers.js";
import { runCli } from "../helpers/cli.js";
import { reconcileWorld } from "../helpers/reconcile-world.js";

/** A simulator with a funded leader, a follower with an approved agent, and a config dir. */
export async function world(followerUsd = 10_000) {
  const base = await reconcileWorld({ seed: 77, ourUsd: followerUsd });
  const { sim } = base;
  const l = base.leaderAccount;
  const leaderClient = base.leaderClient;
  const f = { master: base.master, agentKey: base.agentKey };
  const follower = base.account;
  const followerClient = base.ours;
  const dir = base.env.HLCOPY_CONFIG_DIR;

  async function trade(c: HlClient, coin: string, side: "buy" | "sell", usd: number, reduceOnly = false) {
    const markets = await c.getMarkets();
    const m = markets[coin];
    if (!m) throw new Error(coin);
    const size = Number((usd / m.mid).toFixed(m.szDecimals));
    const [r] = await c.placeOrders([action(markets, coin, side, size, { reduceOnly })], markets);
    expect(r?.status).toBe("filled");
  }
  async function positions(address: Address): Promise<Record<string, number>> {
    const s = await followerClient.getAccountState(address);
    return Object.fromEntries(Object.values(s.positions).map((p) => [p.coin, p.size]));
  }
  async function reconcile(args: string[], leader: Address = l.address) {
    const r = await runCli(
      ["--network", sim.httpUrl, "--account", follower, "--json", "reconcile", leader, ...args],
      {
        env: { HLCOPY_CONFIG_DIR: dir, HLCOPY_AGENT_KEY: f.agentKey },
      },
    );
    const last = r.stdout.trim().split("\n").at(-1) ?? "";
    const doc = last.startsWith("{") ? (JSON.parse(last) as { type: string }) : null;
    // --json: a refusal is one error document instead of the report.
    const error = doc?.type === "error" ? (doc as unknown as { message: string; hint?: string }) : null;
    const report = doc && !error ? (doc as unknown as ReconcileReport) : null;
    // The refusal in the contract's two lines, as a run without --json prints them on stderr.
    const said = error ? `error: ${error.message}\n${error.hint ? `hint: ${error.hint}\n` : ""}` : "";
    return { ...r, report, error, said };
  }
  const ordersSent = () => sim.control.orderHistory(follower).length;
  return {
    sim,
    leader: l.address,
    follower,
    agentKey: f.agentKey,
    dir,
    leaderClient,
    followerClient,
    trade,
    positions,
    reconcile,
    ordersSent,
    masterKey: f.master.key,
  };
}

export const COPY = ["--mode", "fixed-ratio", "--ratio", "0.01", "--max-leverage", "5"];
