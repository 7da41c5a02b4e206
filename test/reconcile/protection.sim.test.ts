// Resting protection across cron runs, with the real binary (the new-user walk): a reconcile
// with a stop and take-profit tiers, the leader trades on, then a reconcile with no protection
// flags. Flags last one run: that run cancels the triggers the first placed — never one the
// trader placed by hand — says so in one line, and `status` shows only what rests.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Address, OpenOrder } from "../../src/core/types.js";
import type { HlClient } from "../../src/exchange/index.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { action } from "../exchange/helpers.js";
import { reconcileWorld } from "../helpers/reconcile-world.js";

let sim: SimHandle;
beforeAll(async () => {
  sim = await startSim({ seed: 57, tickMs: 0 });
});
afterAll(async () => {
  await sim.close();
});

const PROTECT = ["--stop-loss-pct", "5", "--take-profit-tiers", "3:0.5,6:0.5"];
const LEFTOVERS =
  /^cancelled (\d+) resting stop\/take-profit orders an earlier run placed \(BTC, SOL\): this run has no protection settings; pass --stop-loss-pct 5 --take-profit-tiers 3:0.5,6:0.5 to keep them$/;

interface StatusPosition {
  coin: string;
  ourSize: number;
  stopPx?: number | null;
  takeProfitPx?: number | null;
  takeProfits?: { px: number; size: number }[];
}

async function setup() {
  // The trader's own client `ours` (the agent signs for the master): for a stop placed by hand.
  const w = await reconcileWorld({ sim, ourUsd: 10_000 });
  const { account, ours, trade } = w;
  const reconcile = (flags: string[]) =>
    w.cli(
      [
        "--json",
        "reconcile",
        w.leader,
        "--mode",
        "fixed-ratio",
        "--ratio",
        "0.1",
        ...flags,
        // Live runs confirm with --yes, as cron does (a dry run takes no --yes).
        ...(flags.includes("--dry-run") ? [] : ["--yes"]),
      ],
      { timeoutMs: 60_000 },
    );
  const status = async () => {
    const r = await w.cli(["--json", "status"]);
    expect(r.code).toBe(0);
    return (JSON.parse(r.stdout) as { positions: StatusPosition[] }).positions;
  };
  const statusText = async () => (await w.cli(["status"])).stdout;
  return { account, ours, trade, reconcile, status, statusText };
}

async function triggers(c: HlClient, user: Address): Promise<OpenOrder[]> {
  return (await c.getAccountState(user)).openOrders.filter((o) => o.trigger !== undefined);
}

describe("reconcile: protection settings last one run", () => {
  it("a reconcile with no protection flags cancels the earlier run's triggers (not the trader's), says so once, and status shows none", {
    timeout: 180_000,
  }, async () => {
    const t = await setup();
    await t.trade("BTC", "buy", 0.2);
    await t.trade("ETH", "sell", 2);
    await t.trade("SOL", "sell", 20);
    await t.trade("HYPE", "buy", 100);

    const first = await t.reconcile(PROTECT);
    expect(first.code).toBe(0);
    // Four positions, each with a stop and two tiers.
    expect(await triggers(t.ours, t.account)).toHaveLength(12);
    const protectedFirst = await t.status();
    expect(protectedFirst.map((p) => [p.coin, typeof p.stopPx, p.takeProfits?.length])).toEqual([
      ["BTC", "number", 2],
      ["ETH", "number", 2],
      ["HYPE", "number", 2],
      ["SOL", "number", 2],
    ]);

    // The trader's own stop on BTC, placed by hand.
    const markets = await t.ours.getMarkets();
    const btc = markets.BTC?.mid ?? 0;
    const hand = {
      ...action(markets, "BTC", "sell", 0.01, { reduceOnly: true }),
      limitPx: Number((btc * 0.7).toPrecision(5)),
      trigger: { triggerPx: Number((btc * 0.8).toPrecision(5)), tpsl: "sl" as const, isMarket: true },
    };
    expect((await t.ours.placeOrders([hand], markets))[0]?.status).toBe("resting");

    // The leader trades on: ETH flips long, HYPE is closed, SOL reduced (its tiers now too big).
    await t.trade("ETH", "buy", 4);
    await t.trade("HYPE", "sell", 100, true);
    await t.trade("SOL", "buy", 12, true);

    // A dry run with no protection flags says what the live run would do with them, sends nothing:
    // the live run's count and coins — BTC's and SOL's six, not ETH's and HYPE's, which rest now
    // but which the exchange cancels itself once the copy flips ETH and closes HYPE.
    const preview = await t.reconcile(["--dry-run"]);
    expect(preview.stderr.split("\n").filter((l) => l.includes("stop/take-profit"))).toEqual([
      "with no protection settings, a live run would cancel the 6 resting stop/take-profit orders an earlier run placed (BTC, SOL); pass --stop-loss-pct 5 --take-profit-tiers 3:0.5,6:0.5 to keep them",
    ]);
    expect(await triggers(t.ours, t.account)).toHaveLength(13);

    const second = await t.reconcile([]);
    expect(second.code).toBe(0);
    const said = second.stderr.split("\n").filter((l) => l.includes("stop/take-profit"));
    expect(said).toHaveLength(1);
    // BTC's and SOL's three each: the exchange itself cancelled ETH's and HYPE's with their positions.
    expect(said[0]).toMatch(LEFTOVERS);
    expect(said[0]?.match(LEFTOVERS)?.[1]).toBe("6");
    expect((await triggers(t.ours, t.account)).map((o) => o.cloid)).toEqual([hand.cloid]);

    // status: no stop / take-profit where none rests (no columns: nothing of ours rests, and
    // the last run kept no protection).
    const after = await t.status();
    expect(after.map((p) => [p.coin, p.ourSize])).toEqual([
      ["BTC", 0.02],
      ["ETH", 0.2],
      ["SOL", -0.8],
    ]);
    for (const p of after) {
      expect(p.stopPx).toBeUndefined();
      expect(p.takeProfitPx).toBeUndefined();
      expect(p.takeProfits).toBeUndefined();
    }
    expect(await t.statusText()).not.toMatch(/take-profit/);

    // A stop for this run only: sized to the positions now, and status shows exactly those.
    const third = await t.reconcile(["--stop-loss-pct", "5"]);
    expect(third.code).toBe(0);
    expect(third.stderr).not.toMatch(/stop\/take-profit/);
    const resting = (await triggers(t.ours, t.account)).filter((o) => o.cloid !== hand.cloid);
    expect(resting.map((o) => [o.coin, o.side, o.size, o.trigger?.tpsl]).sort()).toEqual([
      ["BTC", "sell", 0.02, "sl"],
      ["ETH", "sell", 0.2, "sl"],
      ["SOL", "buy", 0.8, "sl"],
    ]);
    const shown = await t.status();
    expect(shown.map((p) => [p.coin, p.stopPx, p.takeProfitPx])).toEqual(
      ["BTC", "ETH", "SOL"].map((coin) => [
        coin,
        resting.find((o) => o.coin === coin)?.trigger?.triggerPx,
        null,
      ]),
    );
  });
});
