// The engine holds its warnings about the run (its own, the command's set-up's: engine.warn)
// until the start checks pass, and never says them when the checks refuse the run; the lines
// that say why the start waits (a start-up read the exchange failed, retried) are told at once,
// while it still holds the others (engine.holdsWarnings) — what a view that keeps the run's lines
// until the checks pass (follow --json) prints at once. The engine on the simulator.

import { describe, expect, it } from "vitest";
import type { CopyEngine } from "../../src/engine/engine.js";
import { EngineEvents } from "../../src/engine/events.js";
import { startSimFollow } from "../helpers/sim-engine.js";

const ABOUT_THE_RUN = "a warning about the run (the set-up's)";

/** Each warning told, and whether the engine still held its warnings about the run then. */
function watched(t: Awaited<ReturnType<typeof startSimFollow>>, allowEmptyLeader: boolean) {
  const told: { message: string; holding: boolean }[] = [];
  const bus = new EngineEvents();
  let engine: CopyEngine | null = null;
  bus.on((e) => {
    if (e.type === "warning") told.push({ message: e.message, holding: engine?.holdsWarnings ?? false });
  });
  engine = t.follow({ events: bus, allowEmptyLeader, startupRetryDelayMs: 20 }).engine;
  return { engine, told };
}

describe("held warnings and start-up waits", () => {
  it("a start that waits then is refused: the waits are told while the run's warnings are held, which are never said", async ({
    onTestFinished,
  }) => {
    const t = await startSimFollow({ sim: { seed: 17 }, onTestFinished });
    // The scripted leader never traded: refused (no --allow-empty-leader).
    const { engine, told } = watched(t, false);
    engine.warn(ABOUT_THE_RUN);
    t.sim.control.fault({ kind: "http500", count: 2, endpoint: "info" });
    await expect(engine.preflight()).rejects.toThrow(/never traded|no position and no fill/);
    const waits = told.filter((w) => w.message.startsWith("waiting for "));
    expect(waits.length).toBeGreaterThanOrEqual(1);
    expect(waits.every((w) => w.holding)).toBe(true);
    expect(told.map((w) => w.message)).not.toContain(ABOUT_THE_RUN);
    expect(engine.holdsWarnings).toBe(true);
  });

  it("a start that waits then passes: the waits first, told while held; the run's warnings said once the checks pass", async ({
    onTestFinished,
  }) => {
    const t = await startSimFollow({ sim: { seed: 18 }, onTestFinished });
    const { engine, told } = watched(t, true);
    engine.warn(ABOUT_THE_RUN);
    t.sim.control.fault({ kind: "http500", count: 2, endpoint: "info" });
    await engine.preflight();
    const at = told.findIndex((w) => w.message === ABOUT_THE_RUN);
    expect(at).toBeGreaterThanOrEqual(1);
    expect(told.slice(0, at).every((w) => w.message.startsWith("waiting for ") && w.holding)).toBe(true);
    expect(told[at]?.holding).toBe(false);
    expect(engine.holdsWarnings).toBe(false);
  });
});
