// Resting protection against the in-process simulator: reduce-only stop / take-profit triggers
// placed after the first copy, resized after an add, cancelled when flat, never duplicated,
// fired by the exchange alone, and recorded — with real signatures, HTTP and trigger matching.

import { describe, expect, it, type TestContext } from "vitest";
import type { Settings } from "../../src/core/settings.js";
import type { Address, OpenOrder } from "../../src/core/types.js";
import type { ReviewPlan } from "../../src/engine/ports.js";
import type { HlClient } from "../../src/exchange/index.js";
import type { Journal } from "../../src/store/journal.js";
import { action, eventually, fundedAccount } from "../exchange/helpers.js";
import { copySettings, startSimFollow, trade } from "../helpers/sim-engine.js";

function settings(patch: (s: Settings) => void = () => {}): Settings {
  return copySettings((s) => {
    s.risk.stopLossPct = 5;
    s.risk.takeProfitPct = 10;
    patch(s);
  });
}

async function setup(ctx: TestContext, s: Settings) {
  const t = await startSimFollow({ sim: { seed: 21 }, onTestFinished: ctx.onTestFinished });
  // Each run its own settings (flags last one run): the test's unless given.
  const make = (j: Journal, runSettings: Settings = s, review?: ReviewPlan) => {
    const { engine, events } = t.follow({
      journal: j,
      settings: runSettings,
      protection: t.client,
      ...(review ? { review } : {}),
    });
    engine.begin();
    return { engine, events };
  };
  // The test's own reads go through a client of their own: the engine's request budget is the
  // run's alone, as in a real follow (reads charged to it would pace the engine's sweeps).
  return { ...t, journal: t.journal, make, reader: t.ourClient(), settings: s };
}

async function triggers(c: HlClient, user: Address): Promise<OpenOrder[]> {
  const s = await c.getAccountState(user);
  return s.openOrders.filter((o) => o.trigger !== undefined).sort((a, b) => a.oid - b.oid);
}

async function position(
  c: HlClient,
  user: Address,
  coin: string,
): Promise<{ size: number; entryPx: number }> {
  const p = (await c.getAccountState(user)).positions[coin];
  return { size: p?.size ?? 0, entryPx: p?.entryPx ?? 0 };
}

describe.concurrent("resting protection", () => {
  it("places a reduce-only stop and take-profit after the first copy, and a second sweep sends nothing", async (ctx) => {
    const t = await setup(ctx, settings());
    await trade(t.leaderClient, "BTC", "buy", 1);
    const { engine } = t.make(t.journal);
    await engine.sweep("start");
    const pos = await position(t.reader, t.master.address, "BTC");
    expect(pos.size).toBe(0.1);
    const resting = await triggers(t.reader, t.master.address);
    expect(resting.map((o) => [o.side, o.size, o.reduceOnly, o.trigger?.tpsl])).toEqual([
      ["sell", 0.1, true, "sl"],
      ["sell", 0.1, true, "tp"],
    ]);
    const [sl, tp] = resting;
    expect(sl?.trigger?.triggerPx).toBeCloseTo(pos.entryPx * 0.95, -1);
    expect(tp?.trigger?.triggerPx).toBeCloseTo(pos.entryPx * 1.1, -1);
    // Each trigger's cloid is journaled as protection, before it was sent.
    expect(t.journal.getOrder(sl?.cloid ?? "")?.reason).toBe("stop-loss");
    expect(t.journal.getOrder(tp?.cloid ?? "")?.reason).toBe("take-profit");

    const exchangeBefore = t.sim.control.stats().requests.exchange;
    const again = await engine.sweep();
    expect(again.results).toEqual([]);
    expect(t.sim.control.stats().requests.exchange).toBe(exchangeBefore);
    expect((await triggers(t.reader, t.master.address)).map((o) => o.oid)).toEqual(resting.map((o) => o.oid));
    await engine.stop("done");
  });

  it("resizes the triggers after an add (one modify request) and cancels them when flat", async (ctx) => {
    const t = await setup(ctx, settings());
    await trade(t.leaderClient, "ETH", "sell", 10);
    const { engine, events } = t.make(t.journal);
    await engine.sweep("start");
    expect((await triggers(t.reader, t.master.address)).map((o) => [o.side, o.size])).toEqual([
      ["buy", 1],
      ["buy", 1],
    ]);
    await trade(t.leaderClient, "ETH", "sell", 10);
    const before = t.sim.control.stats().requests.exchange;
    await engine.sweep();
    // The copy's order, then one batchModify for both triggers.
    expect(t.sim.control.stats().requests.exchange - before).toBe(2);
    const resized = await triggers(t.reader, t.master.address);
    expect(resized.map((o) => [o.side, o.size])).toEqual([
      ["buy", 2],
      ["buy", 2],
    ]);
    expect(events.filter((e) => e.type === "protection" && e.action === "moved")).toHaveLength(2);

    await trade(t.leaderClient, "ETH", "buy", 20, true);
    await engine.sweep();
    expect((await position(t.reader, t.master.address, "ETH")).size).toBe(0);
    expect(await triggers(t.reader, t.master.address)).toEqual([]);
    // And nothing is left for a later sweep to send.
    const quiet = t.sim.control.stats().requests.exchange;
    await engine.sweep();
    expect(t.sim.control.stats().requests.exchange).toBe(quiet);
    await engine.stop("done");
  });

  it("a stop that fires with no engine running closes the position; the next run records it, places no duplicate and does not buy back", async (ctx) => {
    const t = await setup(
      ctx,
      settings((s) => (s.risk.takeProfitPct = null)),
    );
    await trade(t.leaderClient, "SOL", "buy", 100);
    const first = t.make(t.journal);
    await first.engine.sweep("start");
    const [stop] = await triggers(t.reader, t.master.address);
    expect(stop?.trigger?.tpsl).toBe("sl");
    await first.engine.stop("done");

    // The run is over: the exchange alone closes the copy when the price crosses the stop.
    t.sim.control.setMid("SOL", (stop?.trigger?.triggerPx ?? 0) * 0.98);
    await eventually(async () => (await position(t.reader, t.master.address, "SOL")).size === 0);
    expect((await position(t.leaderClient, t.leader.address, "SOL")).size).toBe(100);

    const second = t.make(t.journal);
    const result = await second.engine.sweep("start");
    const fired = t.journal
      .listEntries({ table: "events", limit: Number.POSITIVE_INFINITY })
      .filter((e) => JSON.stringify(e).includes("protectionFired"));
    expect(fired).toHaveLength(1);
    expect(second.events.some((e) => e.type === "protection" && e.action === "fired")).toBe(true);
    // No re-entry while the leader still holds the position it held when our stop fired.
    expect(result.results).toEqual([]);
    expect(result.plan.skipped.map((s) => [s.coin, s.reason])).toContainEqual(["SOL", "stopped-out"]);
    expect(await triggers(t.reader, t.master.address)).toEqual([]);
    // Once the leader closes the coin, its next open is a new trade: copied and protected again.
    await trade(t.leaderClient, "SOL", "sell", 100, true);
    await second.engine.sweep();
    await trade(t.leaderClient, "SOL", "buy", 50);
    const again = await second.engine.sweep();
    expect(again.results.map((r) => [r.coin, r.side, r.size, r.status])).toEqual([
      ["SOL", "buy", 5, "filled"],
    ]);
    expect((await triggers(t.reader, t.master.address)).map((o) => [o.side, o.size])).toEqual([["sell", 5]]);
    await second.engine.stop("done");
  });

  it("after a restart finds its own triggers by cloid and places no duplicates", async (ctx) => {
    const t = await setup(ctx, settings());
    await trade(t.leaderClient, "BTC", "sell", 1);
    const first = t.make(t.journal);
    await first.engine.sweep("start");
    const placed = await triggers(t.reader, t.master.address);
    expect(placed).toHaveLength(2);
    await first.engine.stop("done");

    const second = t.make(t.journal);
    const before = t.sim.control.stats().requests.exchange;
    await second.engine.sweep("start");
    expect(t.sim.control.stats().requests.exchange).toBe(before);
    expect((await triggers(t.reader, t.master.address)).map((o) => o.oid)).toEqual(placed.map((o) => o.oid));
    await second.engine.stop("done");
  });
});

describe.concurrent("a trailing stop on the exchange", () => {
  it("ratchets with the best price, once per step, and costs nothing between steps", async (ctx) => {
    const t = await setup(
      ctx,
      settings((s) => {
        s.risk.stopLossPct = null;
        s.risk.takeProfitPct = null;
        s.risk.trailingStopPct = 5;
        s.risk.trailingStepPct = 1;
      }),
    );
    await trade(t.leaderClient, "ETH", "buy", 10);
    const { engine, events } = t.make(t.journal);
    await engine.sweep("start");
    const [first] = await triggers(t.reader, t.master.address);
    const mid0 = (await t.client.getMarkets()).ETH?.mid ?? 0;
    expect(first?.trigger?.tpsl).toBe("sl");
    // +0.5 %: under one step — nothing is sent.
    t.sim.control.setMid("ETH", mid0 * 1.005);
    const before = t.sim.control.stats().requests.exchange;
    await engine.sweep();
    expect(t.sim.control.stats().requests.exchange).toBe(before);
    // +3 %: the stop moves up once, to 5 % under the new best.
    t.sim.control.setMid("ETH", mid0 * 1.03);
    await engine.sweep();
    expect(t.sim.control.stats().requests.exchange).toBe(before + 1);
    const [moved] = await triggers(t.reader, t.master.address);
    expect(moved?.trigger?.triggerPx).toBeGreaterThan((first?.trigger?.triggerPx ?? 0) * 1.02);
    expect(moved?.trigger?.triggerPx).toBeLessThanOrEqual(mid0 * 1.03 * 0.95 * 1.0001);
    // Back down: a trailing stop never loosens.
    t.sim.control.setMid("ETH", mid0 * 1.01);
    await engine.sweep();
    expect(t.sim.control.stats().requests.exchange).toBe(before + 1);
    expect(events.filter((e) => e.type === "protection" && e.action === "moved")).toHaveLength(1);
    await engine.stop("done");
  });
});

describe.concurrent("copy modes against the simulator", () => {
  it("several leaders: a stopped-out coin is held while the copy's side stands, though the leaders' weighted sizes point the other way", async (ctx) => {
    // Equity-ratio at 0.5/0.5: A ($1M) short 10 SOL, B ($100k) long 2 SOL. The copy sizes each by
    // its equity: A −0.5, B +1, so it is long 0.5 — while 0.5 × −10 + 0.5 × 2 = −4 reads short.
    const t = await setup(
      ctx,
      settings((s) => {
        s.sizing.mode = "equity-ratio";
        s.sizing.multiplier = 1;
        s.risk.takeProfitPct = null;
      }),
    );
    const b = fundedAccount(t.sim, 100_000);
    const bClient = t.clientOf(b);
    await trade(t.leaderClient, "SOL", "sell", 10);
    await trade(bClient, "SOL", "buy", 2);
    const leaders = [
      { address: t.leader.address, weight: 0.5 },
      { address: b.address, weight: 0.5 },
    ];
    const run = () => {
      const { engine } = t.follow({
        journal: t.journal,
        settings: t.settings,
        protection: t.client,
        leaders,
      });
      engine.begin();
      return engine;
    };
    const first = run();
    await first.sweep("start");
    expect((await position(t.reader, t.master.address, "SOL")).size).toBe(0.5);
    const [stop] = await triggers(t.reader, t.master.address);
    expect(stop?.trigger?.tpsl).toBe("sl");
    await first.stop("done");

    // The stop fires with no run: the exchange alone closes the long.
    t.sim.control.setMid("SOL", (stop?.trigger?.triggerPx ?? 0) * 0.98);
    await eventually(async () => (await position(t.reader, t.master.address, "SOL")).size === 0);
    const second = run();
    const held = await second.sweep("start");
    expect(held.results).toEqual([]);
    expect(held.plan.skipped.map((s) => [s.coin, s.reason])).toContainEqual(["SOL", "stopped-out"]);

    // A closes its short: the copy is long still (B's long alone) — the side the stop closed. Not
    // re-entered (before: the weighted sizes went −4 → +1, read as the leaders' flip, and the run
    // bought back the long the stop had just closed).
    await trade(t.leaderClient, "SOL", "buy", 10, true);
    const after = await second.sweep();
    expect(after.results).toEqual([]);
    expect(after.plan.skipped.map((s) => [s.coin, s.reason])).toContainEqual(["SOL", "stopped-out"]);
    expect((await position(t.reader, t.master.address, "SOL")).size).toBe(0);

    // B closes too: the leaders' long is over; B's next long is a new trade, copied again.
    await trade(bClient, "SOL", "sell", 2, true);
    await second.sweep();
    await trade(bClient, "SOL", "buy", 1);
    const again = await second.sweep();
    expect(again.results.map((r) => [r.coin, r.side, r.status])).toEqual([["SOL", "buy", "filled"]]);
    await second.stop("done");
  });

  it("inverse copies the opposite side and protects it", async (ctx) => {
    const t = await setup(
      ctx,
      settings((s) => (s.sizing.direction = "inverse")),
    );
    await trade(t.leaderClient, "BTC", "buy", 1);
    const { engine } = t.make(t.journal);
    await engine.sweep("start");
    expect((await position(t.reader, t.master.address, "BTC")).size).toBe(-0.1);
    expect((await triggers(t.reader, t.master.address)).map((o) => [o.side, o.size])).toEqual([
      ["buy", 0.1],
      ["buy", 0.1],
    ]);
    await engine.stop("done");
  });

  it("entry-only copies the add but not the leader's close; the resting stop stays", async (ctx) => {
    const t = await setup(
      ctx,
      settings((s) => (s.copy = { mode: "entry-only" })),
    );
    await trade(t.leaderClient, "SOL", "buy", 100);
    const { engine } = t.make(t.journal);
    await engine.sweep("start");
    await trade(t.leaderClient, "SOL", "buy", 100);
    await engine.sweep();
    expect((await position(t.reader, t.master.address, "SOL")).size).toBe(20);
    await trade(t.leaderClient, "SOL", "sell", 200, true);
    const closed = await engine.sweep();
    expect(closed.results).toEqual([]);
    expect(closed.plan.skipped.map((s) => [s.coin, s.reason])).toEqual([["SOL", "entry-only"]]);
    expect((await position(t.reader, t.master.address, "SOL")).size).toBe(20);
    expect((await triggers(t.reader, t.master.address)).map((o) => o.size)).toEqual([20, 20]);
    await engine.stop("done");
  });

  it("maxPositions opens no coin beyond the limit", async (ctx) => {
    const t = await setup(
      ctx,
      settings((s) => (s.risk.maxPositions = 1)),
    );
    await trade(t.leaderClient, "BTC", "buy", 1);
    await trade(t.leaderClient, "ETH", "buy", 10);
    const { engine } = t.make(t.journal);
    const r = await engine.sweep("start");
    expect(r.results.map((x) => x.coin)).toEqual(["BTC"]);
    expect(r.plan.skipped.map((s) => [s.coin, s.reason])).toEqual([["ETH", "max-positions"]]);
    await engine.stop("done");
  });
});

/** A stop and two take-profit tiers (the walk's `--stop-loss-pct 5 --take-profit-tiers "3:0.5,6:0.5"`). */
const TIERED = settings((s) => {
  s.risk.takeProfitPct = null;
  s.risk.takeProfitTiers = [
    { pct: 3, fraction: 0.5 },
    { pct: 6, fraction: 0.5 },
  ];
});

/** Our protection journaled as resting now. */
function journaledResting(j: Journal): { coin: string; reason: string; size: number }[] {
  return j
    .ordersInState(["resting"])
    .filter((o) => o.reason === "stop-loss" || o.reason === "take-profit")
    .map((o) => ({ coin: o.coin, reason: o.reason, size: o.size }));
}

/**
 * The new-user walk: a run with a stop and tiers on SOL short, ETH short and HYPE long; then
 * the leader reduces SOL, flips ETH and closes HYPE, and the next run is started with other
 * protection settings. Returns the set-up and a stop the trader placed by hand on SOL.
 */
async function walk(ctx: TestContext) {
  const t = await setup(ctx, TIERED);
  await trade(t.leaderClient, "SOL", "sell", 100);
  await trade(t.leaderClient, "ETH", "sell", 10);
  await trade(t.leaderClient, "HYPE", "buy", 100);
  const first = t.make(t.journal);
  await first.engine.sweep("start");
  // Per position a stop and two tiers, each tier half of it.
  expect((await triggers(t.reader, t.master.address)).map((o) => [o.coin, o.side, o.size]).sort()).toEqual([
    ["ETH", "buy", 0.5],
    ["ETH", "buy", 0.5],
    ["ETH", "buy", 1],
    ["HYPE", "sell", 10],
    ["HYPE", "sell", 5],
    ["HYPE", "sell", 5],
    ["SOL", "buy", 10],
    ["SOL", "buy", 5],
    ["SOL", "buy", 5],
  ]);
  await first.engine.stop("done");
  // The trader's own stop, placed by hand (its cloid is not in hlcopy's journal).
  const markets = await t.client.getMarkets();
  const solMid = markets.SOL?.mid ?? 0;
  const hand = {
    ...action(markets, "SOL", "buy", 1, { reduceOnly: true }),
    limitPx: Number((solMid * 1.3).toPrecision(5)),
    trigger: { triggerPx: Number((solMid * 1.2).toPrecision(5)), tpsl: "sl" as const, isMarket: true },
  };
  const [placed] = await t.client.placeOrders([hand], markets);
  expect(placed?.status).toBe("resting");
  // The leader trades on: SOL reduced to 40, ETH flipped long, HYPE closed.
  await trade(t.leaderClient, "SOL", "buy", 60, true);
  await trade(t.leaderClient, "ETH", "buy", 20);
  await trade(t.leaderClient, "HYPE", "sell", 100, true);
  return { ...t, hand: hand.cloid };
}

describe.concurrent("a run's protection settings are its own (flags last one run)", () => {
  it("a run with no protection settings cancels the triggers an earlier run placed — not the trader's — and says so once", async (ctx) => {
    const t = await walk(ctx);
    const off = settings((s) => {
      s.risk.stopLossPct = null;
      s.risk.takeProfitPct = null;
    });
    // A dry run first, on the same state: it says what the live run below cancels — SOL's three
    // (sized for −10 against −4) — not ETH's and HYPE's, which rest now but which the exchange
    // cancels itself once the copy flips ETH and closes HYPE.
    const dry = t.follow({ journal: t.journal, settings: off, mode: "dry-run", executor: null });
    dry.engine.begin();
    await dry.engine.sweep("start", false);
    await dry.engine.stop("done");
    const previewed = dry.events.flatMap((e) =>
      e.type === "notice" && e.kind === "protection" ? [e.message] : [],
    );
    expect(previewed).toEqual([
      "with no protection settings, a live run would cancel the 3 resting stop/take-profit orders an earlier run placed (SOL); pass --stop-loss-pct 5 --take-profit-tiers 3:0.5,6:0.5 to keep them",
    ]);
    expect(await triggers(t.reader, t.master.address)).toHaveLength(10);
    // The trader's review lists them before anything is sent, in the dry run's words.
    const reviewed: { also: readonly string[]; triggers: number }[] = [];
    const second = t.make(t.journal, off, async (_plan, _reasons, _signal, also = []) => {
      reviewed.push({ also, triggers: (await triggers(t.reader, t.master.address)).length });
      return true;
    });
    await second.engine.sweep("start");
    expect(reviewed).toEqual([
      {
        also: [
          "with no protection settings, this run will cancel the 3 resting stop/take-profit orders an earlier run placed (SOL); pass --stop-loss-pct 5 --take-profit-tiers 3:0.5,6:0.5 to keep them",
        ],
        triggers: 10,
      },
    ]);
    expect(await position(t.reader, t.master.address, "SOL")).toMatchObject({ size: -4 });
    expect(await position(t.reader, t.master.address, "ETH")).toMatchObject({ size: 1 });
    expect(await position(t.reader, t.master.address, "HYPE")).toMatchObject({ size: 0 });
    // Only the trader's own stop rests: SOL's three (sized for −10 against −4) were cancelled;
    // the exchange cancelled ETH's and HYPE's when the copy flipped and closed them.
    expect((await triggers(t.reader, t.master.address)).map((o) => o.cloid)).toEqual([t.hand]);
    const notices = second.events.filter((e) => e.type === "notice" && e.kind === "protection");
    expect(notices.map((e) => (e.type === "notice" ? e.message : ""))).toEqual([
      "cancelled 3 resting stop/take-profit orders an earlier run placed (SOL): this run has no protection settings; pass --stop-loss-pct 5 --take-profit-tiers 3:0.5,6:0.5 to keep them",
    ]);
    // What is shown is what rests: nothing in the journal, nothing in the engine's view.
    expect(journaledResting(t.journal)).toEqual([]);
    expect(second.engine.protection).toEqual([]);
    // The dashboard shows no stop / take-profit columns: nothing rests, the run keeps none.
    const state = second.events.filter((e) => e.type === "state").at(-1);
    expect(state).toBeDefined();
    expect(state).not.toHaveProperty("protection");
    // Nothing is left to send, and the trader's stop is never touched.
    const before = t.sim.control.stats().requests.exchange;
    await second.engine.sweep();
    expect(t.sim.control.stats().requests.exchange).toBe(before);
    expect((await triggers(t.reader, t.master.address)).map((o) => o.cloid)).toEqual([t.hand]);
    await second.engine.stop("done");
  });

  it("a run with only a stop setting keeps stops sized to the positions now and cancels the tiers", async (ctx) => {
    const t = await walk(ctx);
    const stopOnly = settings((s) => (s.risk.takeProfitPct = null));
    const second = t.make(t.journal, stopOnly);
    await second.engine.sweep("start");
    const ours = (await triggers(t.reader, t.master.address)).filter((o) => o.cloid !== t.hand);
    expect(ours.map((o) => [o.coin, o.side, o.size, o.trigger?.tpsl]).sort()).toEqual([
      ["ETH", "sell", 1, "sl"],
      ["SOL", "buy", 4, "sl"],
    ]);
    expect(journaledResting(t.journal).sort((a, b) => a.coin.localeCompare(b.coin))).toEqual([
      { coin: "ETH", reason: "stop-loss", size: 1 },
      { coin: "SOL", reason: "stop-loss", size: 4 },
    ]);
    const cancelled = second.events.flatMap((e) =>
      e.type === "protection" && e.action === "cancelled" ? [e.detail] : [],
    );
    expect(cancelled.filter((d) => d.includes("not in this run's protection settings"))).toHaveLength(2);
    expect(second.engine.protection.map((p) => [p.coin, p.takeProfitPx])).toEqual([
      ["ETH", null],
      ["SOL", null],
    ]);
    await second.engine.stop("done");
  });

  it("a run with the same settings resizes every trigger to the reduced, flipped and closed positions", async (ctx) => {
    const t = await walk(ctx);
    const second = t.make(t.journal, TIERED);
    await second.engine.sweep("start");
    const ours = (await triggers(t.reader, t.master.address)).filter((o) => o.cloid !== t.hand);
    expect(ours.map((o) => [o.coin, o.side, o.size, o.trigger?.tpsl]).sort()).toEqual([
      ["ETH", "sell", 0.5, "tp"],
      ["ETH", "sell", 0.5, "tp"],
      ["ETH", "sell", 1, "sl"],
      ["SOL", "buy", 2, "tp"],
      ["SOL", "buy", 2, "tp"],
      ["SOL", "buy", 4, "sl"],
    ]);
    // The journal's resting triggers are the exchange's, and the view shows them.
    expect(
      journaledResting(t.journal)
        .map((r) => [r.coin, r.reason, r.size])
        .sort(),
    ).toEqual(
      ours.map((o) => [o.coin, o.trigger?.tpsl === "sl" ? "stop-loss" : "take-profit", o.size]).sort(),
    );
    expect(second.engine.protection.map((p) => p.coin)).toEqual(["ETH", "SOL"]);
    await second.engine.stop("done");
  });
});
