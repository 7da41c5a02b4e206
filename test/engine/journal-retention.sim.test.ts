// A follow left running for weeks keeps its journal bounded: plans and event lines older than
// the retention go when a run starts, and again at the first sweep of each day it goes on —
// not at every sweep (a prune deletes rows; a day's worth at once, not a sweep's).

import { describe, expect, it } from "vitest";
import type { EngineEvent } from "../../src/engine/events.js";
import type { Journal } from "../../src/store/journal.js";
import { eventually } from "../exchange/helpers.js";
import { copySettings, startSimFollow } from "../helpers/sim-engine.js";

const DAY = 86_400_000;
const sweeps = (events: EngineEvent[]) => events.filter((e) => e.type === "sweep").length;
const warnings = (journal: Journal) =>
  journal
    .listEntries({ table: "events", limit: Number.POSITIVE_INFINITY })
    .flatMap((e) => (e.table === "events" ? [e] : []))
    .filter((e) => e.type === "warning")
    .map((e) => (e.data as { message: string }).message);

/**
 * A follow (30 days' retention, no sweep of its own for an hour) whose clock runs `ahead` of the
 * simulator's real time by what the test sets, once its first sweep (and the start's prune) is done.
 */
async function clockedFollow(seed: number) {
  const t = await startSimFollow({ sim: { seed }, journal: "file" });
  const clock = { ahead: 0 };
  const f = t.follow({
    settings: copySettings((s) => (s.exec.sweepSeconds = 3600)),
    journalRetentionDays: 30,
    now: () => Date.now() + clock.ahead,
  });
  void f.run();
  await eventually(() => sweeps(f.events) >= 1);
  /** Move the clock to `ahead` ms past real time and sweep; resolves once the sweep is done. */
  const sweepAt = async (ahead: number) => {
    clock.ahead = ahead;
    const before = sweeps(f.events);
    f.engine.sweepNow();
    await eventually(() => sweeps(f.events) > before);
  };
  return { t, f, sweepAt };
}

describe("the journal's retention while a follow goes on", () => {
  it("prunes what passed the retention at the first sweep a day after the last prune", async () => {
    const { t, f, sweepAt } = await clockedFollow(64);
    // Journaled after the run's start (its prune): 30 days old less an hour, and older still
    // once the clock is a day on.
    const start = Date.now();
    t.journal.recordEvent({ ts: start - 30 * DAY + 3_600_000, type: "warning", data: { message: "old" } });
    t.journal.recordEvent({ ts: start - 28 * DAY, type: "warning", data: { message: "recent" } });

    // Two hours on, "old" has passed the retention, but a sweep within the day prunes nothing:
    // the next prune is a day after the run's first.
    await sweepAt(2 * 3_600_000);
    expect(warnings(t.journal)).toEqual(["old", "recent"]);

    // A day and two hours on: the first sweep prunes what is now past 30 days, the rest stays.
    await sweepAt(DAY + 2 * 3_600_000);
    await eventually(() => warnings(t.journal).length === 1);
    expect(warnings(t.journal)).toEqual(["recent"]);
    expect(await f.engine.stop("test over")).toBe(0);
  });

  it("prunes a busy day a slice at a sweep (5 000 rows of a table), the rest at the sweeps after", async () => {
    const { t, f, sweepAt } = await clockedFollow(65);
    const start = Date.now();
    for (let i = 0; i < 5_003; i++)
      t.journal.recordEvent({ ts: start - 30 * DAY + i, type: "warning", data: { message: "old" } });
    t.journal.recordEvent({ ts: start - 28 * DAY, type: "warning", data: { message: "recent" } });

    await sweepAt(DAY + 3_600_000);
    // The oldest 5 000 went; three of that day wait for the next sweep (the clock as it was).
    await eventually(() => warnings(t.journal).length === 4);
    expect(warnings(t.journal)).toEqual(["old", "old", "old", "recent"]);
    await sweepAt(DAY + 3_600_000);
    await eventually(() => warnings(t.journal).length === 1);
    expect(warnings(t.journal)).toEqual(["recent"]);
    expect(await f.engine.stop("test over")).toBe(0);
  });
});
