// A trade by hand (or by another bot) on the trader's account: seen while a sweep reads, that
// sweep's read may be from before it, so a fresh read follows at once — the ownership model is
// never wrong for a whole sweep interval; seen just before the stop (or only as the run stops),
// the stop reads the account itself, so the on-exit step, the final state and status show it.

import { describe, expect, it } from "vitest";
import type { EngineStreamEvent, OnExit } from "../../src/engine/ports.js";
import { action, eventually } from "../exchange/helpers.js";
import { copySettings, lastState, orderTold, startSimFollow, trade } from "../helpers/sim-engine.js";

/**
 * A follow (sweeps an hour apart) that has copied the leader's BTC buy. The stream's frames of
 * our fills in `routed` (DOGE: the trade by hand to come) go where `hand.route` says: to the
 * engine ("pass"), into `hand.held` for `hand.deliver` ("hold"), or nowhere ("drop").
 */
async function copyingBtc(
  seed: number,
  onExit?: OnExit,
  options: { stopLossPct?: number; routed?: string } = {},
) {
  const routed = options.routed ?? "DOGE";
  const t = await startSimFollow({ sim: { seed } });
  const f = t.follow({
    settings: copySettings((s) => {
      s.exec.sweepSeconds = 3600;
      if (options.stopLossPct !== undefined) s.risk.stopLossPct = options.stopLossPct;
    }),
    ...(onExit ? { onExit } : {}),
    // Resting stops are sent through their own client (as follow wires them).
    ...(options.stopLossPct !== undefined ? { protection: t.client } : {}),
  });
  const hand = {
    route: "pass" as "pass" | "hold" | "drop",
    held: [] as EngineStreamEvent[],
    deliver: (_e: EngineStreamEvent): void => {},
  };
  const opener = t.streams();
  const running = f.run((onEvent) => {
    hand.deliver = onEvent;
    return opener((e) => {
      const mine = e.type === "ourFill" && !e.isSnapshot && e.fills.every((x) => x.coin === routed);
      if (mine && hand.route === "hold") hand.held.push(e);
      else if (!(mine && hand.route === "drop")) onEvent(e);
    });
  });
  await eventually(() => f.events.some((e) => e.type === "sweep"));
  await trade(t.leaderClient, "BTC", "buy", 1);
  await orderTold(f.events, "BTC");
  const markets = await t.client.getMarkets();
  /** The trader buys 300 DOGE by hand (an IOC of the account, not through hlcopy). */
  const buyDogeByHand = async () => {
    const [manual] = await t.client.placeOrders([action(markets, "DOGE", "buy", 300)], markets);
    expect(manual?.status).toBe("filled");
  };
  return { t, f, running, hand, buyDogeByHand };
}

describe("a trade outside hlcopy seen during a sweep's read", () => {
  it("leads to a fresh read at once, even when its fill lands as the sweep ends: the coin is left alone (not-ours) long before the next sweep is due", {
    timeout: 30_000,
  }, async () => {
    const { t, f, running, hand, buyDogeByHand } = await copyingBtc(41);
    // The hand trade's fill is held and handed to the engine in the same turn as the sweep's
    // last read comes back (its decision): as when the websocket frame and the HTTP reply land
    // in one read of the sockets, faster than any timer.
    // Every /info reply now takes 1 s and tells the state as it was when the read arrived.
    t.sim.control.fault({ kind: "latency", ms: 1_000, endpoint: "info" });
    const infoBefore = t.sim.control.stats().requests.info;
    const seen = f.events.length;
    hand.route = "hold";
    f.engine.events.on((e) => {
      if (e.type !== "decision" || e.trigger !== "manual" || hand.held.length === 0) return;
      hand.route = "pass";
      for (const h of hand.held.splice(0)) hand.deliver(h);
    });
    f.engine.sweepNow();
    // The sweep's reads (markets, leader, us) have reached the exchange...
    await eventually(() => t.sim.control.stats().requests.info - infoBefore >= 3);
    // ...and while they are out, the trader buys DOGE by hand.
    await buyDogeByHand();
    await eventually(() => hand.held.length > 0);
    const since = () => f.events.slice(seen);
    // The sweep that read before the trade did not see it...
    await eventually(() => since().some((e) => e.type === "sweep"), 10_000);
    const first = since().find((e) => e.type === "decision" && e.trigger === "manual");
    expect(first?.type === "decision" && first.plan.skipped.find((s) => s.coin === "DOGE")).toBeUndefined();
    t.sim.control.fault({ kind: "latency", ms: 0, endpoint: "info" });
    // ...so a fresh read follows at once, not an hour later: DOGE is left alone, said.
    await eventually(
      () => since().some((e) => e.type === "warning" && e.message.includes("changed outside hlcopy: DOGE")),
      10_000,
    );
    const last = since()
      .filter((e) => e.type === "decision" && e.trigger !== "fill")
      .at(-1);
    expect(last?.type === "decision" && last.plan.skipped.find((s) => s.coin === "DOGE")?.reason).toBe(
      "not-ours",
    );
    expect((await t.client.getAccountState(t.account)).positions.DOGE?.size).toBe(300);
    await f.engine.stop("test over");
    expect(await running).toBe(0);
  });
});

/** The stop's account reads showed DOGE as the trader's and put it in the final state; nothing was sent. */
function expectDogeReadAtStop(f: Awaited<ReturnType<typeof copyingBtc>>["f"]): void {
  expect(
    lastState(f.events, () => true)
      ?.account.positions.map((p) => p.coin)
      .sort(),
  ).toEqual(["BTC", "DOGE"]);
  // Read, never traded: DOGE is the trader's, left alone.
  expect(
    f.events.some((e) => e.type === "warning" && e.message.includes("changed outside hlcopy: DOGE")),
  ).toBe(true);
}

describe("a trade outside hlcopy just before the stop", () => {
  it("is read by the stop (its sweep never ran): the on-exit step names it and the final state shows it, with nothing sent", {
    timeout: 30_000,
  }, async () => {
    // protect with no stop setting: the step itself reads nothing (exit-step.ts).
    const { t, f, running, hand, buyDogeByHand } = await copyingBtc(42, "protect");
    hand.route = "hold";
    await buyDogeByHand();
    await eventually(() => hand.held.length > 0);
    const exchangeBefore = t.sim.control.stats().requests.exchange;
    // The fill reaches the engine and the stop comes in the same turn: the sweep the fill asks
    // for (a timer) never runs.
    for (const h of hand.held.splice(0)) hand.deliver(h);
    const stopped = f.engine.stop("test over");
    expect(await stopped).toBe(0);
    expect(await running).toBe(0);
    const onExit = f.events.find((e) => e.type === "notice" && e.kind === "on-exit");
    expect(onExit?.type === "notice" && onExit.message).toMatch(/BTC, DOGE left without one/);
    expectDogeReadAtStop(f);
    expect(t.sim.control.stats().requests.exchange).toBe(exchangeBefore);
  });
});

describe("a trade outside hlcopy whose fill comes only as the run stops", () => {
  it("is found by the stop's read of our fills and read back: the final state shows it, with nothing sent", {
    timeout: 30_000,
  }, async () => {
    const { t, f, running, hand, buyDogeByHand } = await copyingBtc(43, "hold");
    // The hand trade's fill frame never reaches the engine (the stream had not delivered it when
    // the stop came; once stopping, the engine takes in no fills of ours from the stream).
    hand.route = "drop";
    await buyDogeByHand();
    const exchangeBefore = t.sim.control.stats().requests.exchange;
    expect(await f.engine.stop("test over")).toBe(0);
    expect(await running).toBe(0);
    // Journaled as a fill of no order of ours, and the position it left is in the final state.
    expect(f.events.some((e) => e.type === "fill" && e.coin === "DOGE" && e.kind === null)).toBe(true);
    expectDogeReadAtStop(f);
    expect(t.sim.control.stats().requests.exchange).toBe(exchangeBefore);
  });
});

describe("a resting stop of ours that fires as the run stops", () => {
  it("is found by the stop's read of our fills and read back: the final state shows the position closed, with nothing sent", {
    timeout: 30_000,
  }, async () => {
    const { t, f, running, hand } = await copyingBtc(44, "hold", { stopLossPct: 5, routed: "BTC" });
    // The test's own reads through a client of its own (the engine's request budget is the run's).
    const reader = t.ourClient();
    const stop = await eventually(async () =>
      (await reader.getAccountState(t.account)).openOrders.find(
        (o) => o.coin === "BTC" && o.trigger?.tpsl === "sl",
      ),
    );
    // The stop's fill frame never reaches the engine (it fired as the run stopped).
    hand.route = "drop";
    t.sim.control.setMid("BTC", (stop?.trigger?.triggerPx ?? 0) * 0.98);
    await eventually(async () => (await reader.getAccountState(t.account)).positions.BTC === undefined);
    const exchangeBefore = t.sim.control.stats().requests.exchange;
    expect(await f.engine.stop("test over")).toBe(0);
    expect(await running).toBe(0);
    expect(lastState(f.events, () => true)?.account.positions.map((p) => p.coin)).toEqual([]);
    expect(t.sim.control.stats().requests.exchange).toBe(exchangeBefore);
  });
});
