// A leader's deposit or withdrawal is not a trade (design §4) — also in the seconds between the
// leader's stream showing it and the next sweep reading its ledger. The equity-ratio used to take
// the stream's account value at once and net the flow only at the sweep (up to
// exec.sweepSeconds later): a leader that withdrew half and then bought 1 BTC was copied at
// twice the ratio (our buy of 0.2 BTC instead of 0.1, up to the caps); one that deposited and
// then bought had its buy copied as our sell.

import { describe, expect, it } from "vitest";
import { eventually } from "../exchange/helpers.js";
import { copySettings, startSimFollow, trade } from "../helpers/sim-engine.js";

async function following(seed: number) {
  const t = await startSimFollow({ sim: { seed }, leaderUsd: 1_000_000, ourUsd: 100_000 });
  await trade(t.leaderClient, "BTC", "buy", 2);
  // equity-ratio ×1: ours $100 000 / the leader's ~$1 000 000; sweeps only when the test asks.
  const settings = copySettings((s) => {
    s.sizing.mode = "equity-ratio";
    s.exec.sweepSeconds = 3600;
  });
  const { engine, events, run } = t.follow({ settings });
  const running = run();
  const btc = async () => (await t.client.getAccountState(t.master.address)).positions.BTC?.size ?? 0;
  await eventually(async () => Math.abs((await btc()) - 0.2) < 0.0005);
  const ratio = async () => {
    const ours = (await t.client.getAccountState(t.master.address)).accountValue;
    return ours / (await t.client.getAccountState(t.leader.address)).accountValue;
  };
  /** Once the leader's stream brought the account `change` made (its only event: no fill). */
  const afterStream = async (change: () => void) => {
    const n = events.filter((e) => e.type === "heartbeat").length;
    change();
    await eventually(() => events.filter((e) => e.type === "heartbeat").length > n);
  };
  /** The leader buys 1 BTC; our one order that follows it, once filled. */
  const leaderBuysOne = async () => {
    const orders = () => events.filter((e) => e.type === "order");
    const n = orders().length;
    await trade(t.leaderClient, "BTC", "buy", 1);
    await eventually(() => orders().length > n);
    return orders().slice(n);
  };
  return { ...t, engine, events, running, btc, ratio, afterStream, leaderBuysOne };
}

describe("a leader's cash flow seen on its stream before a sweep", () => {
  it("a withdrawal of half, then a buy of 1 BTC: copied at the ratio from before the withdrawal, and the run says so", async () => {
    const t = await following(41);
    const r = await t.ratio();
    await t.afterStream(() => t.sim.control.fund(t.leader.address, -500_000));
    const orders = await t.leaderBuysOne();
    // It was 0.4 BTC (3 BTC at twice the ratio, less the 0.2 held): a leader worth half, until a sweep read its ledger.
    expect(orders).toMatchObject([{ coin: "BTC", side: "buy", status: "filled" }]);
    expect(orders[0]?.type === "order" && orders[0].size).toBeCloseTo(r, 3);
    expect(Math.abs((await t.btc()) - 3 * r)).toBeLessThan(0.0005);
    // The engine read the leader's ledger at once: the run says the flow was netted.
    await eventually(() =>
      t.events.some((e) => e.type === "notice" && e.kind === "cash-flow" && /-\$500,000\.00/.test(e.message)),
    );
    expect(await t.engine.stop("test over")).toBe(0);
    await t.running;
  });

  it("a deposit doubling the leader, then a buy of 1 BTC: our buy, not a sell", async () => {
    const t = await following(43);
    const r = await t.ratio();
    await t.afterStream(() => t.sim.control.fund(t.leader.address, 1_000_000));
    const orders = await t.leaderBuysOne();
    // It was a reduce-only sell of 0.05 BTC: 3 BTC at the ratio of a leader worth twice as much.
    expect(orders).toMatchObject([{ coin: "BTC", side: "buy", status: "filled" }]);
    expect(orders[0]?.type === "order" && orders[0].size).toBeCloseTo(r, 3);
    expect(Math.abs((await t.btc()) - 3 * r)).toBeLessThan(0.0005);
    expect(await t.engine.stop("test over")).toBe(0);
    await t.running;
  });
});
