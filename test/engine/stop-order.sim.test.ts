// A clean stop with an on-exit step, as the run lives it: the stop begins (a `stopping` notice),
// the step sends its orders and says what it did, the run ends (`stop`). Every view tells them
// in that order and each at its own time — the stop is never stamped after the step it caused
// while printed before it (issue LOW5).

import { describe, expect, it } from "vitest";
import { closingSummary } from "../../src/cli/follow/run.js";
import { liveExecutor } from "../../src/engine/executor.js";
import { createLineWriter } from "../../src/ui/lines.js";
import { initialDashboardState, reduceDashboard, runSummary } from "../../src/ui/model.js";
import { eventually } from "../exchange/helpers.js";
import { startFaultProxy } from "../exchange/proxy.js";
import { copySettings, startSimFollow, trade } from "../helpers/sim-engine.js";

describe("a stop with an on-exit step", () => {
  it("is told when it begins, before the step's orders and notice; every line's time is in order", async () => {
    const t = await startSimFollow({ sim: { seed: 61 } });
    await trade(t.leaderClient, "ETH", "buy", 10);
    const f = t.follow({ settings: copySettings((s) => (s.exec.sweepSeconds = 3600)), onExit: "flatten" });
    let text = "";
    const running = f.run();
    await eventually(() => f.events.some((e) => e.type === "fill"), 15_000);
    const from = f.events.length;
    expect(await f.engine.stop("quit")).toBe(0);
    await running;
    const after = f.events.slice(from);
    const kinds = after.map((e) => (e.type === "notice" ? `notice ${e.kind}` : e.type));
    const stopping = kinds.indexOf("notice stopping");
    const close = after.findIndex((e) => e.type === "order" && e.kind === "flatten");
    const onExit = kinds.indexOf("notice on-exit");
    expect(stopping).toBeGreaterThanOrEqual(0);
    expect(close).toBeGreaterThan(stopping);
    expect(onExit).toBeGreaterThan(close);
    expect(kinds.at(-1)).toBe("stop");
    expect(after[stopping]).toMatchObject({ message: "stopping: quit — on-exit step: flatten" });
    // Stamped in the order they were told.
    const stamps = after.map((e) => e.ts);
    expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
    // Event lines and the dashboard's log keep that order (and so their times are in order).
    const write = createLineWriter({ json: false, out: { write: (s: string) => (text += s) } });
    for (const e of f.events) write(e);
    const lines = text.split("\n").filter(Boolean);
    const tail = lines.slice(lines.findIndex((l) => l.includes(" stopping: quit")));
    expect(tail.at(-1)).toMatch(/^\d\d:\d\d:\d\d\.\d{3} stop: quit$/);
    expect(tail.findIndex((l) => l.includes(" on exit: flatten — closed 1 position(s)"))).toBeGreaterThan(0);
    const times = tail.map((l) => l.slice(0, 12));
    expect(times).toEqual([...times].sort());
    let s = initialDashboardState();
    for (const e of f.events) s = reduceDashboard(s, e);
    const log = s.log.slice(s.log.findIndex((e) => e.text.startsWith("stopping: quit")));
    expect(log.at(-1)?.text).toBe("stop: quit");
    expect(log.map((e) => e.ts)).toEqual(log.map((e) => e.ts).sort((a, b) => a - b));
  });
});

describe("a stop while a sweep's reads wait for the exchange", () => {
  // Until 2026-12-06 the stop awaited them (and said so after a second: "stopping: awaiting the
  // sweep's reads …"); now it aborts them and ends in order at once, saying nothing of the sweep.
  it("aborts them (a slow exchange after a Ctrl-C is not waited for), then ends in order", async () => {
    const t = await startSimFollow({ sim: { seed: 62 } });
    const proxy = await startFaultProxy(t.sim.httpUrl);
    t.defer(() => proxy.close());
    const client = t.ourClient({ httpUrl: proxy.httpUrl });
    const f = t.follow({
      reader: client,
      executor: liveExecutor(client),
      leaderCashFlows: false,
      settings: copySettings((s) => (s.exec.sweepSeconds = 3600)),
    });
    const running = f.run();
    await eventually(() => f.events.some((e) => e.type === "sweep"), 15_000);
    // The next sweep's account read is held at the proxy: the exchange has not answered it.
    const held = proxy.holdNext(({ type }) => type === "clearinghouseState");
    f.engine.sweepNow();
    await held.held;
    const before = f.events.length;
    const stopped = f.engine.stop("quit");
    // Ended while the exchange still holds the read (released only after): it was given up.
    expect(await stopped).toBe(0);
    expect(await running).toBe(0);
    await held.abandoned;
    held.release();
    const after = f.events.slice(before);
    expect(after.filter((e) => e.type === "notice" || e.type === "warning" || e.type === "error")).toEqual(
      [],
    );
    expect(f.events.at(-1)?.type).toBe("stop");
  });
});

// --on-exit flatten with the exchange unreachable as the run stops: the step failed, was said as
// a transient warning "(retrying; the run goes on)" — of a run that was ending — and the run
// exited 0 with its positions open. It is an error now, with the way forward, and exit 1.
describe("an on-exit step the exchange does not let through", () => {
  it("is an error naming the step and what is still open, and the run exits 1", async () => {
    const t = await startSimFollow({ sim: { seed: 63 } });
    const proxy = await startFaultProxy(t.sim.httpUrl);
    t.defer(() => proxy.close());
    const client = t.ourClient({ httpUrl: proxy.httpUrl });
    await trade(t.leaderClient, "ETH", "buy", 10);
    const f = t.follow({
      reader: client,
      executor: liveExecutor(client),
      leaderCashFlows: false,
      settings: copySettings((s) => (s.exec.sweepSeconds = 3600)),
      onExit: "flatten",
    });
    const running = f.run();
    await eventually(() => f.events.some((e) => e.type === "fill"), 15_000);
    // Every read from now on fails as an exchange that does not answer.
    proxy.setRule(() => ({ status: 502, body: "bad gateway" }));
    expect(await f.engine.stop("quit")).toBe(1);
    expect(await running).toBe(1);
    const error = f.events.find(
      (e) => e.type === "error" && e.message.startsWith("on exit: flatten not done — "),
    );
    expect(error).toMatchObject({
      hint: "positions may still be open (ETH at the last reading): hlcopy status shows them; close them with hlcopy flatten once the exchange answers",
    });
    expect(f.events.some((e) => e.type === "warning" && e.message.includes("the run goes on"))).toBe(false);
    expect(f.events.some((e) => e.type === "order" && e.kind === "flatten")).toBe(false);
    expect(f.events.at(-1)?.type).toBe("stop");
    // The closing summary (after the dashboard too) says it where the step's line goes.
    let state = initialDashboardState();
    for (const e of f.events) state = reduceDashboard(state, e);
    const summary = runSummary(state);
    expect(summary.onExit).toMatch(/^on exit: flatten not done — /);
    // The last reading is from before the exchange went away: the close it was to make did not
    // happen, so no in-sync verdict is given from it — the figure is said as that reading's.
    expect(summary.inSync).toBeNull();
    expect(summary.driftCurrent).toBe(false);
    const closing = closingSummary(summary, { eventLines: false });
    expect(closing).not.toMatch(/in sync/);
    expect(closing).toMatch(
      /; drift \$\d+\.\d\d at the last reading, before the on-exit step failed \(not current: no in-sync verdict\);/,
    );
  });
});
