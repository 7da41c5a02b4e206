// A stop (Ctrl-C, SIGTERM, q) is prompt while the run waits on the request budget: a request
// waiting out a 429's backoff is dropped at once (an order batch's orders "not sent: the run is
// stopping"), not sent, and the stop does not wait the backoff out (up to 30 s by default). The
// backoff here is an hour: a stop that waited it out would not end within the test, and the run
// is seen to end while the budget, on its own clock, still backs off.

import { describe, expect, it } from "vitest";
import { NOT_SENT_STOPPING } from "../../src/core/orders.js";
import type { EngineEvent } from "../../src/engine/events.js";
import { liveExecutor } from "../../src/engine/executor.js";
import { RequestBudget, type RequestKind } from "../../src/exchange/index.js";
import { eventually } from "../exchange/helpers.js";
import { startFaultProxy } from "../exchange/proxy.js";
import { copySettings, startSimFollow, trade } from "../helpers/sim-engine.js";

/** A budget that counts the /exchange requests waiting in it. */
class WatchedBudget extends RequestBudget {
  waiting = 0;
  override async acquire(weight: number, kind: RequestKind = "info", signal?: AbortSignal): Promise<boolean> {
    const waits = kind === "order" && this.waitTime(weight, kind) > 0;
    if (waits) this.waiting++;
    try {
      return await super.acquire(weight, kind, signal);
    } finally {
      if (waits) this.waiting--;
    }
  }
}

const HOUR = 3_600_000;
const OWN_FILLS_NOT_READ =
  "our fills could not be read (fees and P&L miss them until the next run): info userFillsByTime not sent: the backoff after an HTTP 429 is in force";

/** A follow whose every /exchange request of type `refused` is answered 429 (counted in `sent`). */
async function followRefusing(refused: string) {
  const t = await startSimFollow();
  const proxy = await startFaultProxy(t.sim.httpUrl);
  t.defer(() => proxy.close());
  const sent: string[] = [];
  proxy.setRule((q) => {
    if (q.endpoint !== "exchange") return null;
    sent.push(q.type);
    return q.type === refused ? { status: 429, body: "Too Many Requests" } : null;
  });
  const budget = new WatchedBudget({
    limitPerMinute: 1e9,
    burst: 1e6,
    initialBackoffMs: HOUR,
    maxBackoffMs: HOUR,
  });
  const client = t.ourClient({ httpUrl: proxy.httpUrl, budget });
  const f = t.follow({
    reader: client,
    executor: liveExecutor(client),
    settings: copySettings((s) => (s.exec.sweepSeconds = 3600)),
    // A coin whose request met the 429 is not held back by its own backoff: the budget's is the wait.
    backoffMs: 1,
  });
  const running = f.run();
  await eventually(() => f.events.some((e) => e.type === "sweep"), 20_000);
  return { t, f, running, budget, sent };
}

describe("a stop while a request waits out a 429's backoff", () => {
  it("an order batch is dropped at once: its orders not sent (stopping), nothing sent after the stop", {
    timeout: 60_000,
  }, async () => {
    const { t, f, running, budget, sent } = await followRefusing("order");
    // The leader trades: our copy is refused (429), the budget blocks every request for an hour,
    // and the copy's next batch waits for it.
    await trade(t.leaderClient, "BTC", "buy", 0.1);
    await eventually(() => budget.isBackingOff() && budget.waiting === 1, 20_000);
    const sentBefore = sent.length;
    const before = f.events.length;
    void f.engine.stop("signal");
    expect(await running).toBe(0);
    // The run ended within the backoff, as the budget's clock sees it, and sent nothing more.
    expect(budget.isBackingOff()).toBe(true);
    expect(budget.waiting).toBe(0);
    expect(sent.length).toBe(sentBefore);
    const after = f.events.slice(before);
    const orders = after.filter((e): e is Extract<EngineEvent, { type: "order" }> => e.type === "order");
    expect(orders.map((e) => [e.coin, e.status, e.error])).toEqual([["BTC", "rejected", NOT_SENT_STOPPING]]);
    // The stop's last read (our fills) did not wait either: said, as a read that failed.
    expect(after.filter((e) => e.type === "error" || e.type === "warning")).toEqual([
      expect.objectContaining({ message: OWN_FILLS_NOT_READ }),
    ]);
    expect(after.at(-1)).toMatchObject({ type: "stop", reason: "signal" });
  });

  it("a leverage update is dropped at once: not sent, no warning but the stop's unread fills", {
    timeout: 60_000,
  }, async () => {
    const { t, f, running, budget, sent } = await followRefusing("updateLeverage");
    // The copy's leverage update is refused (429); the copy of the next trade in another coin
    // waits for the budget with its own.
    await trade(t.leaderClient, "BTC", "buy", 0.1);
    await eventually(() => budget.isBackingOff(), 20_000);
    await trade(t.leaderClient, "ETH", "buy", 1);
    await eventually(() => budget.waiting === 1, 20_000);
    const sentBefore = sent.length;
    const before = f.events.length;
    void f.engine.stop("signal");
    expect(await running).toBe(0);
    expect(budget.isBackingOff()).toBe(true);
    expect(sent.length).toBe(sentBefore);
    const after = f.events.slice(before);
    expect(after.filter((e) => e.type === "error" || e.type === "warning")).toEqual([
      expect.objectContaining({ message: OWN_FILLS_NOT_READ }),
    ]);
    expect(after.at(-1)).toMatchObject({ type: "stop", reason: "signal" });
  });
});

describe("a stop while a sweep's reads are out", () => {
  /** A follow through a proxy (its reads held or refused there), its sweeps only when asked. */
  async function followProxied(budget: RequestBudget) {
    const t = await startSimFollow();
    const proxy = await startFaultProxy(t.sim.httpUrl);
    t.defer(() => proxy.close());
    const client = t.ourClient({ httpUrl: proxy.httpUrl, budget });
    const f = t.follow({
      reader: client,
      executor: liveExecutor(client),
      settings: copySettings((s) => (s.exec.sweepSeconds = 3600)),
    });
    const running = f.run();
    await eventually(() => f.events.some((e) => e.type === "sweep"), 20_000);
    return { t, f, running, proxy };
  }

  it("a read the exchange has not answered is aborted: the stop is at once, the sweep plans and tells nothing", {
    timeout: 60_000,
  }, async () => {
    const { f, running, proxy } = await followProxied(new RequestBudget({ limitPerMinute: 1e9, burst: 1e6 }));
    // The next sweep's read of our account hangs at the exchange (never answered while the test runs).
    const hold = proxy.holdNext((q) => q.type === "clearinghouseState");
    const sweep = f.engine.sweep("manual");
    sweep.catch(() => {});
    await hold.held;
    const before = f.events.length;
    void f.engine.stop("signal");
    expect(await running).toBe(0);
    // The request itself was given up (its connection closed), before the exchange answered.
    await hold.abandoned;
    await expect(sweep).rejects.toThrow();
    hold.release();
    const after = f.events.slice(before);
    // No plan, no order, no warning or error from the aborted sweep; no "awaiting the sweep's reads".
    expect(
      after.map((e) => e.type).filter((t) => t !== "state" && t !== "heartbeat" && t !== "connection"),
    ).toEqual(["stop"]);
  });

  it("a read waiting out a 429's backoff is dropped at once", { timeout: 60_000 }, async () => {
    const budget = new WatchedBudget({
      limitPerMinute: 1e9,
      burst: 1e6,
      initialBackoffMs: HOUR,
      maxBackoffMs: HOUR,
    });
    const { f, running, proxy } = await followProxied(budget);
    // The next sweep's read of the markets is refused (429): its retry waits the backoff (an hour).
    let refused = 0;
    proxy.setRule((q) =>
      q.type === "allMids" && refused++ === 0 ? { status: 429, body: "Too Many Requests" } : null,
    );
    const sweep = f.engine.sweep("manual");
    sweep.catch(() => {});
    await eventually(() => budget.isBackingOff(), 20_000);
    const before = f.events.length;
    void f.engine.stop("signal");
    expect(await running).toBe(0);
    expect(budget.isBackingOff()).toBe(true);
    await expect(sweep).rejects.toThrow();
    const after = f.events.slice(before);
    // Nothing of the sweep (no plan, no warning); only the stop's own unread fills are said.
    expect(after.filter((e) => e.type === "warning" || e.type === "error" || e.type === "decision")).toEqual([
      expect.objectContaining({ message: OWN_FILLS_NOT_READ }),
    ]);
    expect(after.at(-1)).toMatchObject({ type: "stop", reason: "signal" });
  });
});
