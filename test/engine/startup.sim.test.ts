// The engine's start: a stop that comes before run() (a signal during the command's set-up)
// means run() begins nothing — no run row, no request — and resolves with the stop's code.

import { describe, expect, it } from "vitest";
import { defaultSettings } from "../../src/core/settings.js";
import { startSimFollow } from "../helpers/sim-engine.js";

describe("a stop before run()", () => {
  it("begins nothing: exit 0, no run journaled, no request made", async () => {
    const t = await startSimFollow({ sim: { seed: 13 }, leaderUsd: 1_000, ourUsd: 1_000 });
    const { sim, journal } = t;
    const { engine } = t.follow({ settings: defaultSettings() });
    const requests = sim.control.stats().requests.info;
    expect(await engine.stop("signal during start-up")).toBe(0);
    const code = await engine.run(t.streams());
    expect(code).toBe(0);
    expect(journal.lastRun()).toBeNull();
    expect(sim.control.stats().requests.info).toBe(requests);
    journal.close();
  });
});
