// Issue 21's entry styles against the in-process simulator, through the real engine, SDK and
// websockets: the copy delay (an increase is copied once the leader has held it for the delay,
// a copy already held is never cut for it; one reversed before it ends is not), and passive
// entries (a post-only limit that fills at its price; converted to the usual IOC after its
// timeout; cancelled first by a reduction).

import { describe, expect, it } from "vitest";
import type { Settings } from "../../src/core/settings.js";
import type { Address } from "../../src/core/types.js";
import type { EngineEvent } from "../../src/engine/events.js";
import type { HlClient } from "../../src/exchange/index.js";
import { eventually } from "../exchange/helpers.js";
import { copySettings, startSimFollow, trade } from "../helpers/sim-engine.js";

/** Generous: the machine running the tests may be busy; a passing test never waits this long. */
const WAIT = 15_000;

function settings(patch: (s: Settings) => void): Settings {
  return copySettings((s) => {
    s.exec.sweepSeconds = 3600;
    patch(s);
  });
}

async function setup(s: Settings) {
  // A book that never depletes: whether a moved mid reaches our resting bid must not depend on
  // how much of the leader's sweep the maker has refilled by then (wall-clock time).
  const t = await startSimFollow({ sim: { seed: 21, refillMs: 0 } });
  /** An engine over this journal (a second one is a restart). */
  const start = () => t.follow({ settings: s, passive: t.client });
  const { engine, events, run } = start();
  return { ...t, journal: t.journal, engine, events, run, start };
}

async function position(c: HlClient, user: Address, coin: string): Promise<number> {
  const s = await c.getAccountState(user);
  return s.positions[coin]?.size ?? 0;
}

const skips = (events: EngineEvent[], coin: string, reason: string) =>
  events.filter(
    (e) => e.type === "decision" && e.plan.skipped.some((s) => s.coin === coin && s.reason === reason),
  );

describe("exec.copyDelayMinutes", () => {
  it("copies an increase only once the leader has held it for the delay", async () => {
    const delayMs = 1_500;
    const t = await setup(settings((s) => (s.exec.copyDelayMinutes = delayMs / 60_000)));
    const running = t.run();
    await eventually(() => t.events.some((e) => e.type === "sweep"), WAIT);
    await trade(t.leaderClient, "SOL", "buy", 50);
    // When the leader's order filled, on the simulator's clock (the engine's is the same wall
    // clock): not when this test saw trade() return, which on a busy machine came more than the
    // 50 ms this allowed after it.
    const leaderFilled =
      t.sim.control.orderHistory(t.leader.address).at(-1)?.time ?? Number.POSITIVE_INFINITY;
    // The fill's decision holds it back, saying why.
    await eventually(() => skips(t.events, "SOL", "copy-delay").length > 0, WAIT);
    expect(t.sim.control.orderHistory(t.master.address)).toEqual([]);
    // Once held for the delay it is copied: 10 % of 50.
    await eventually(async () => (await position(t.client, t.master.address, "SOL")) === 5, WAIT);
    const order = t.sim.control.orderHistory(t.master.address)[0];
    expect(order?.time ?? 0).toBeGreaterThanOrEqual(leaderFilled + delayMs);
    await t.engine.stop("done");
    await running;
  });

  it("does not copy an increase the leader reversed before the delay ended (reversed-after-delay)", async () => {
    const delayMs = 1_500;
    const t = await setup(settings((s) => (s.exec.copyDelayMinutes = delayMs / 60_000)));
    const running = t.run();
    await eventually(() => t.events.some((e) => e.type === "sweep"), WAIT);
    await trade(t.leaderClient, "SOL", "buy", 50);
    await eventually(() => skips(t.events, "SOL", "copy-delay").length > 0, WAIT);
    await trade(t.leaderClient, "SOL", "sell", 50, true);
    // At the due time the increase is re-checked: the leader left, nothing is copied.
    const reversed = await eventually(() => skips(t.events, "SOL", "reversed-after-delay")[0], WAIT);
    expect(reversed.type === "decision" && reversed.plan.actions).toEqual([]);
    expect(t.sim.control.orderHistory(t.master.address)).toEqual([]);
    expect(await position(t.client, t.master.address, "SOL")).toBe(0);
    await t.engine.stop("done");
    await running;
  });
});

describe("exec.copyDelayMinutes at a follow's start-up", () => {
  it("keeps the copy an earlier run made; holds back the leader's add; copies its reduction at once", async () => {
    const t = await startSimFollow({ sim: { seed: 24, refillMs: 0 } });
    await trade(t.leaderClient, "SOL", "buy", 50);
    // An earlier run without the delay copied it: 10 % of 50.
    const first = t.follow({ settings: settings(() => {}) });
    const firstRun = first.run();
    await eventually(async () => (await position(t.client, t.master.address, "SOL")) === 5, WAIT);
    await first.engine.stop("done");
    await firstRun;
    const sent = t.sim.control.orderHistory(t.master.address).length;

    // Restarted with a 5-minute delay: the leader's SOL is seconds old, the copy is kept.
    const s = settings((x) => (x.exec.copyDelayMinutes = 5));
    const f = t.follow({ settings: s });
    const running = f.run();
    const sweep = await eventually(() => f.events.find((e) => e.type === "decision"), WAIT);
    expect(sweep.type === "decision" && sweep.plan.actions).toEqual([]);
    // The leader adds 50 within the delay: held back (no order), the copy stays at 5.
    await trade(t.leaderClient, "SOL", "buy", 50);
    const held = await eventually(() => skips(f.events, "SOL", "copy-delay")[0], WAIT);
    expect(held.type === "decision" && held.plan.actions).toEqual([]);
    expect(t.sim.control.orderHistory(t.master.address)).toHaveLength(sent);
    // The leader cuts to 20: copied at once, down to 10 % of its current 20 — not to 0.
    await trade(t.leaderClient, "SOL", "sell", 80, true);
    await eventually(async () => (await position(t.client, t.master.address, "SOL")) === 2, WAIT);
    expect(t.sim.control.orderHistory(t.master.address)).toHaveLength(sent + 1);
    await f.engine.stop("done");
    await running;
  });
});

describe("exec.entry passive", () => {
  const passive = (timeoutSeconds: number) =>
    settings((s) => {
      s.exec.entry = "passive";
      s.exec.passiveTimeoutSeconds = timeoutSeconds;
    });

  it("an entry the exchange refuses as crossing goes as IOC at once (no backoff first)", async () => {
    const t = await setup(passive(600));
    await trade(t.leaderClient, "BTC", "buy", 1);
    // The book moves between our read and the order: the exchange's own refusal, once.
    t.sim.control.fault({
      kind: "rejectOrders",
      count: 1,
      message: "Post only order would have immediately matched, bbo was 29999@30000. asset=0",
    });
    const running = t.run();
    await eventually(async () => (await position(t.client, t.master.address, "BTC")) === 0.1, WAIT);
    const orders = t.events.filter((e) => e.type === "order" && e.coin === "BTC");
    expect(orders.map((e) => e.type === "order" && e.status)).toEqual(["rejected", "filled"]);
    expect(t.sim.control.orderHistory(t.master.address).map((o) => o.tif)).toEqual(["Alo", "Ioc"]);
    expect(skips(t.events, "BTC", "backoff")).toEqual([]);
    await t.engine.stop("done");
    await running;
  });

  it("rests a post-only limit at the leader's price or better, and it fills at that limit", async () => {
    const t = await setup(passive(600));
    await trade(t.leaderClient, "BTC", "buy", 1);
    const leaderPx = (await t.leaderClient.getAccountState(t.leader.address)).positions.BTC?.entryPx ?? 0;
    const running = t.run();
    const rest = await eventually(
      () => t.events.find((e) => e.type === "order" && e.coin === "BTC" && e.status === "resting"),
      WAIT,
    );
    if (rest.type !== "order") throw new Error("not an order");
    expect(rest.limitPx).toBeLessThanOrEqual(leaderPx);
    const placed = t.sim.control.orderHistory(t.master.address)[0];
    expect(placed).toMatchObject({ coin: "BTC", tif: "Alo", side: "B", status: "open" });
    // The market comes down through our bid: it fills as maker, at our limit.
    t.sim.control.setMid("BTC", rest.limitPx - 5);
    await eventually(async () => (await position(t.client, t.master.address, "BTC")) === 0.1, WAIT);
    const fill = await eventually(() => t.events.find((e) => e.type === "fill" && e.coin === "BTC"), WAIT);
    expect(fill.type === "fill" && fill.px).toBe(rest.limitPx);
    await eventually(() => t.journal.getOrder(rest.cloid)?.status === "filled", WAIT);
    expect(t.sim.control.orderHistory(t.master.address)).toHaveLength(1);
    await t.engine.stop("done");
    await running;
  });

  it("converts an entry not filled within its timeout to the usual IOC", async () => {
    const t = await setup(passive(1));
    await trade(t.leaderClient, "ETH", "buy", 10);
    const running = t.run();
    const rest = await eventually(
      () => t.events.find((e) => e.type === "order" && e.coin === "ETH" && e.status === "resting"),
      WAIT,
    );
    if (rest.type !== "order") throw new Error("not an order");
    await eventually(async () => (await position(t.client, t.master.address, "ETH")) === 1, WAIT);
    const history = t.sim.control.orderHistory(t.master.address);
    expect(history.map((o) => [o.tif, o.status])).toEqual([
      ["Alo", "canceled"],
      ["Ioc", "filled"],
    ]);
    expect(t.journal.getOrder(rest.cloid)?.status).toBe("cancelled");
    await t.engine.stop("done");
    await running;
  });

  it("cancels a resting entry first when the leader reduces", async () => {
    const t = await setup(passive(600));
    await trade(t.leaderClient, "BTC", "buy", 1);
    const running = t.run();
    const first = await eventually(
      () => t.events.find((e) => e.type === "order" && e.coin === "BTC" && e.status === "resting"),
      WAIT,
    );
    if (first.type !== "order") throw new Error("not an order");
    t.sim.control.setMid("BTC", first.limitPx - 5);
    await eventually(async () => (await position(t.client, t.master.address, "BTC")) === 0.1, WAIT);
    // The leader adds: a second passive entry rests…
    await trade(t.leaderClient, "BTC", "buy", 1);
    await eventually(
      () =>
        t.events.some(
          (e) => e.type === "order" && e.coin === "BTC" && e.status === "resting" && e.cloid !== first.cloid,
        ),
      WAIT,
    );
    // …the market moves up, away from our bid (so the leader's sell below does not hit it)…
    t.sim.control.setMid("BTC", first.limitPx + 50);
    // …then the leader reduces to 0.5: the entry is cancelled before the reduce-only sell goes.
    await trade(t.leaderClient, "BTC", "sell", 1.5, true);
    await eventually(async () => (await position(t.client, t.master.address, "BTC")) === 0.05, WAIT);
    const history = t.sim.control.orderHistory(t.master.address);
    expect(history.map((o) => [o.tif, o.side, o.status])).toEqual([
      ["Alo", "B", "filled"],
      ["Alo", "B", "canceled"],
      ["Ioc", "A", "filled"],
    ]);
    const cancel = t.events.find((e) => e.type === "decision" && (e.plan.cancels?.length ?? 0) > 0);
    expect(cancel?.type === "decision" && cancel.plan.cancels?.[0]?.reason).toBe("passive-cancel");
    await t.engine.stop("done");
    await running;
  });

  it("a resting entry survives a restart: adopted by cloid, never placed twice, its fill ours", async () => {
    const t = await setup(passive(600));
    await trade(t.leaderClient, "BTC", "buy", 1);
    const first = t.run();
    const rest = await eventually(
      () => t.events.find((e) => e.type === "order" && e.coin === "BTC" && e.status === "resting"),
      WAIT,
    );
    if (rest.type !== "order") throw new Error("not an order");
    await t.engine.stop("restart");
    await first;
    // A new run over the same journal finds it on the book and keeps it.
    const again = t.start();
    const second = again.run();
    await eventually(
      () => again.events.some((e) => e.type === "notice" && e.kind === "entry" && /adopted/.test(e.message)),
      WAIT,
    );
    t.sim.control.setMid("BTC", rest.limitPx - 5);
    await eventually(async () => (await position(t.client, t.master.address, "BTC")) === 0.1, WAIT);
    await eventually(() => t.journal.getOrder(rest.cloid)?.status === "filled", WAIT);
    const sweep = await again.engine.sweep();
    expect(sweep.plan.inSync).toBe(true);
    expect(sweep.plan.skipped.filter((x) => x.reason === "not-ours")).toEqual([]);
    expect(t.sim.control.orderHistory(t.master.address)).toHaveLength(1);
    await again.engine.stop("done");
    await second;
  });
});
