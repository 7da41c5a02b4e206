// /metrics' per-coin drift is the drift every other view shows: a position hlcopy leaves alone
// (bought by hand: not-ours) has no target and no drift figure — null in `follow --json` and
// `status --json`, "-" on the dashboard — so no `hlcopy_drift_usd` sample either, never a 0 that
// reads "in sync". Against the simulator.

import { describe, expect, it } from "vitest";
import type { EngineEvent } from "../../src/engine/events.js";
import { RunMetrics } from "../../src/metrics/registry.js";
import { eventRecord } from "../../src/ui/describe.js";
import { eventually } from "../exchange/helpers.js";
import { copySettings, lastState, orderTold, startSimFollow, trade } from "../helpers/sim-engine.js";

type StateEvent = Extract<EngineEvent, { type: "state" }>;

describe("/metrics drift of a position left alone", () => {
  it("a hand-bought SOL beside a copied BTC: a BTC sample, no SOL one (follow --json: null)", {
    timeout: 60_000,
  }, async () => {
    const t = await startSimFollow({ sim: { seed: 73, fundingIntervalMs: 0 } });
    t.sim.control.setMid("BTC", 100_000);
    t.sim.control.setMid("SOL", 150);
    const f = t.follow({ settings: copySettings((s) => (s.exec.sweepSeconds = 3600)) });
    const metrics = new RunMetrics();
    f.engine.events.on((e) => metrics.observe(e));
    const running = f.run();
    await eventually(() => f.events.some((e) => e.type === "sweep"));
    await trade(t.leaderClient, "BTC", "buy", 1);
    await orderTold(f.events, "BTC", "filled", 10_000);
    await trade(t.client, "SOL", "buy", 10);
    await f.engine.sweep("manual");
    const state = lastState(f.events, (e) => e.drift?.coins.some((c) => c.coin === "SOL") === true);
    expect(state?.drift?.coins.find((c) => c.coin === "SOL")).toMatchObject({
      status: "left-alone",
      reason: "not-ours",
    });
    const record = eventRecord(state as StateEvent) as {
      targets: { coin: string; driftUsd: number | null }[];
    };
    expect(record.targets.find((x) => x.coin === "SOL")?.driftUsd).toBeNull();
    const text = metrics.render();
    expect(text).toMatch(/^hlcopy_drift_usd\{coin="BTC"\} /m);
    expect(text).not.toMatch(/^hlcopy_drift_usd\{coin="SOL"\}/m);
    expect(await f.engine.stop("test over")).toBe(0);
    await running;
  });
});
