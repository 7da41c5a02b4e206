// The set-ups of the passive-entry reconcile tests: another trader's ask at the mid (so a
// post-only buy rests at the best bid, inside the maker's spread, instead of crossing), and a
// passive reconcile that leaves its SOL entry resting for the next run to meet.
import { expect } from "vitest";
import type { ReconcileReport } from "../../src/cli/reconcile/run.js";
import { engineClient } from "../../src/cli/wiring.js";
import { fundedAccount } from "../exchange/helpers.js";
import type { ReconcileWorld } from "../helpers/reconcile-world.js";

export const reconcileReport = (stdout: string) =>
  JSON.parse(stdout.trim().split("\n").at(-1) ?? "") as ReconcileReport;

/** Another trader's post-only ask of 5 `coin` rests at the mid; returns the mid. */
export async function askAtMid(w: ReconcileWorld, coin = "SOL"): Promise<number> {
  const mid = w.sim.control.mid(coin) ?? 0;
  const other = fundedAccount(w.sim, 1_000_000);
  const otherClient = engineClient({
    httpUrl: w.sim.httpUrl,
    wsUrl: w.sim.wsUrl,
    isTestnet: false,
    account: other.address,
    agentKey: other.key,
  });
  const [ask] = await otherClient.placeOrders(
    [
      {
        coin,
        side: "sell",
        size: 5,
        limitPx: mid,
        reduceOnly: false,
        cloid: "0x000000000000000000000000000000a1",
        reason: "open",
        refPx: mid,
        passive: true,
      },
    ],
    await otherClient.getMarkets(),
  );
  expect(ask?.status).toBe("resting");
  return mid;
}

/**
 * The leader buys 100 SOL, then a passive reconcile (`args`: its flags, `--entry passive`
 * among them) copies it with a post-only buy of 10 that rests at the best bid (askAtMid) and is
 * left resting: its cloid and price, when it was placed, and our open orders read on demand.
 */
export async function passiveEntryLeft(w: ReconcileWorld, args: readonly string[]) {
  await w.trade("SOL", "buy", 100);
  await askAtMid(w);
  const placedAt = Date.now();
  const r = await w.cli(["--json", "reconcile", w.leader, ...args, "--yes"]);
  const entry = reconcileReport(r.stdout).actions.find((a) => a.coin === "SOL");
  expect(entry).toMatchObject({ side: "buy", size: 10, passive: true, status: "resting" });
  const ours = async () => (await w.ours.getAccountState(w.account)).openOrders;
  expect((await ours()).map((o) => o.cloid)).toEqual([entry?.cloid]);
  return { cloid: entry?.cloid ?? "", px: entry?.limitPx ?? 0, placedAt, ours };
}
