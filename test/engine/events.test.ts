// The engine's event bus: how often the views want the run's state told.

import { describe, expect, it } from "vitest";
import { EngineEvents, STATE_EVERY_MS } from "../../src/engine/events.js";

describe("the state demand", () => {
  it("is the dashboard's pace when no view asked, else the fastest pace asked for", () => {
    const events = new EngineEvents();
    expect(events.stateEveryMs).toBe(STATE_EVERY_MS);
    const lines = events.wantState(60_000);
    expect(events.stateEveryMs).toBe(60_000);
    const metrics = events.wantState(1_000);
    expect(events.stateEveryMs).toBe(1_000);
    metrics();
    expect(events.stateEveryMs).toBe(60_000);
    lines();
    expect(events.stateEveryMs).toBe(STATE_EVERY_MS);
  });

  it("of a view fed from another bus reaches the engine's bus", () => {
    const engine = new EngineEvents();
    const view = new EngineEvents({ demandTo: engine });
    const release = view.wantState(60_000);
    expect(engine.stateEveryMs).toBe(60_000);
    expect(view.stateEveryMs).toBe(60_000);
    release();
    expect(engine.stateEveryMs).toBe(STATE_EVERY_MS);
  });
});
