// The passive entries a run with exec.entry passive leaves resting when it ends (the next
// passive run adopts them by cloid) meet a later run whose exec.entry is not passive: until
// 2026-12-07 it never built the entries' keeper, ignored them, and they stayed on the book to
// fill at any time — an order the trader no longer asked for. Now its first sweep's plan cancels
// them before its orders (one line each, journaled as passive-cancel); one that filled meanwhile
// is looked up and journaled as an adoption does; its dry run says it would cancel them and
// sends nothing. The real engine, SDK and websockets against the in-process simulator.

import { describe, expect, it } from "vitest";
import type { Settings } from "../../src/core/settings.js";
import type { Address } from "../../src/core/types.js";
import type { HlClient } from "../../src/exchange/index.js";
import { eventually } from "../exchange/helpers.js";
import { copySettings, startSimFollow, trade } from "../helpers/sim-engine.js";

/** Generous: the machine running the tests may be busy; a passing test never waits this long. */
const WAIT = 15_000;

const settings = (entry: "passive" | "ioc") =>
  copySettings((s: Settings) => {
    s.exec.sweepSeconds = 3600;
    s.exec.entry = entry;
    s.exec.passiveTimeoutSeconds = 600;
  });

async function position(c: HlClient, user: Address, coin: string): Promise<number> {
  const s = await c.getAccountState(user);
  return s.positions[coin]?.size ?? 0;
}

/** A passive run that leaves its BTC entry (buy 0.1) resting when it stops. */
async function entryLeftResting() {
  const t = await startSimFollow({ sim: { seed: 21, refillMs: 0 } });
  await trade(t.leaderClient, "BTC", "buy", 1);
  const passive = t.follow({ settings: settings("passive"), passive: t.client });
  const running = passive.run();
  const rest = await eventually(
    () => passive.events.find((e) => e.type === "order" && e.coin === "BTC" && e.status === "resting"),
    WAIT,
  );
  if (rest.type !== "order") throw new Error("not an order");
  await passive.engine.stop("done");
  await running;
  const open = await t.client.getAccountState(t.master.address);
  expect(open.openOrders.map((o) => o.cloid)).toEqual([rest.cloid]);
  return { t, rest };
}

describe("a run whose exec.entry is not passive, after one that left an entry resting", () => {
  it("cancels the entry at its first sweep, before its IOC: the book holds no order of ours", async () => {
    const { t, rest } = await entryLeftResting();
    const ioc = t.follow({ settings: settings("ioc"), passive: t.client });
    const running = ioc.run();
    await eventually(async () => (await position(t.client, t.master.address, "BTC")) === 0.1, WAIT);
    const open = await t.client.getAccountState(t.master.address);
    expect(open.openOrders).toEqual([]);
    expect(t.sim.control.orderHistory(t.master.address).map((o) => [o.tif, o.side, o.status])).toEqual([
      ["Alo", "B", "canceled"],
      ["Ioc", "B", "filled"],
    ]);
    const cancelled = t.journal.getOrder(rest.cloid);
    expect(cancelled?.status).toBe("cancelled");
    expect(cancelled?.error).toMatch(/an earlier run left resting: exec\.entry is ioc now/);
    const lines = ioc.events.flatMap((e) => (e.type === "notice" && e.kind === "entry" ? [e.message] : []));
    expect(lines).toEqual([
      `BTC: cancelled the passive entry buy 0.1 @ ${rest.limitPx} an earlier run left resting (exec.entry is ioc now)`,
    ]);
    const order = ioc.events.find((e) => e.type === "order" && e.cloid === rest.cloid);
    expect(order).toMatchObject({ reason: "passive-cancel", status: "cancelled" });
    // The first sweep's plan says it: its cancel, before its order.
    const first = ioc.events.find((e) => e.type === "decision");
    expect(first?.type === "decision" && first.plan.cancels?.map((c) => [c.coin, c.cloid])).toEqual([
      ["BTC", rest.cloid],
    ]);
    await ioc.engine.stop("done");
    await running;
  });

  it("a cancel the exchange did not answer is said, and sent again by the next sweep's plan", async () => {
    const { t, rest } = await entryLeftResting();
    // The first sweep's requests to the exchange fail before they are applied — its leverage's,
    // then the cancel's: the cancel goes unanswered.
    t.sim.control.fault({ kind: "http500", count: 2, stage: "before", endpoint: "exchange" });
    const ioc = t.follow({ settings: settings("ioc"), passive: t.client });
    const running = ioc.run();
    await eventually(
      () =>
        ioc.events.find(
          (e) =>
            e.type === "warning" &&
            e.message.includes(`the passive entry ${rest.cloid} could not be cancelled`),
        ),
      WAIT,
    );
    expect(t.journal.getOrder(rest.cloid)?.status).toBe("resting");
    const again = await ioc.engine.sweep();
    expect(again.plan.cancels?.map((c) => c.cloid)).toEqual([rest.cloid]);
    await eventually(() => t.journal.getOrder(rest.cloid)?.status === "cancelled", WAIT);
    expect((await t.client.getAccountState(t.master.address)).openOrders).toEqual([]);
    expect(ioc.events.flatMap((e) => (e.type === "notice" && e.kind === "entry" ? [e.message] : []))).toEqual(
      [
        `BTC: cancelled the passive entry buy 0.1 @ ${rest.limitPx} an earlier run left resting (exec.entry is ioc now)`,
      ],
    );
    await ioc.engine.stop("done");
    await running;
  });

  it("its review says the cancel beside the orders it asks a yes for", async () => {
    const { t, rest } = await entryLeftResting();
    const also: string[] = [];
    const review = async (
      _plan: unknown,
      _reasons: string[],
      _signal?: AbortSignal,
      lines?: readonly string[],
    ) => {
      also.push(...(lines ?? []));
      return true;
    };
    // Every plan is reviewed: the review is asked for this one.
    const s = settings("ioc");
    s.exec.confirmAbovePct = 0;
    const ioc = t.follow({ settings: s, passive: t.client, review });
    const running = ioc.run();
    await eventually(async () => (await position(t.client, t.master.address, "BTC")) === 0.1, WAIT);
    expect(also).toEqual([
      `BTC: this run will cancel the passive entry buy 0.1 BTC @ ${rest.limitPx} an earlier run left resting: exec.entry is ioc now`,
    ]);
    await ioc.engine.stop("done");
    await running;
  });

  it("an entry that filled while no run watched is looked up and journaled filled: nothing cancelled, nothing bought again", async () => {
    const { t, rest } = await entryLeftResting();
    // The market comes down through our bid while no run watches: it fills.
    t.sim.control.setMid("BTC", rest.limitPx - 5);
    await eventually(async () => (await position(t.client, t.master.address, "BTC")) === 0.1, WAIT);
    const ioc = t.follow({ settings: settings("ioc"), passive: t.client });
    const running = ioc.run();
    await eventually(() => t.journal.getOrder(rest.cloid)?.status === "filled", WAIT);
    const sweep = await ioc.engine.sweep();
    expect(sweep.plan.inSync).toBe(true);
    expect(sweep.plan.cancels ?? []).toEqual([]);
    expect(t.sim.control.orderHistory(t.master.address).map((o) => [o.tif, o.status])).toEqual([
      ["Alo", "filled"],
    ]);
    expect(ioc.events.some((e) => e.type === "notice" && e.kind === "entry")).toBe(false);
    await ioc.engine.stop("done");
    await running;
  });

  it("its dry run says it would cancel the entry, and sends nothing", async () => {
    const { t, rest } = await entryLeftResting();
    const dry = t.follow({ settings: settings("ioc"), mode: "dry-run", command: "dry-run" });
    const sweep = await dry.engine.sweep("sweep", false);
    expect(sweep.plan.cancels?.map((c) => [c.coin, c.cloid, c.detail])).toEqual([
      [
        "BTC",
        rest.cloid,
        `cancel the passive entry buy 0.1 BTC @ ${rest.limitPx} an earlier run left resting: exec.entry is ioc now`,
      ],
    ]);
    expect(dry.events.flatMap((e) => (e.type === "notice" && e.kind === "entry" ? [e.message] : []))).toEqual(
      [
        `BTC: a live run would cancel the passive entry buy 0.1 @ ${rest.limitPx} an earlier run left resting (exec.entry is ioc)`,
      ],
    );
    const open = await t.client.getAccountState(t.master.address);
    expect(open.openOrders.map((o) => o.cloid)).toEqual([rest.cloid]);
    expect(t.journal.getOrder(rest.cloid)?.status).toBe("resting");
    await dry.engine.stop("done");
  });
});
