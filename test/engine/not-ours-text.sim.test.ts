// A position only partly hlcopy's — it opened 1 ETH, the trader added 0.5 by hand — is said as
// what it is wherever its not-ours skip is told: the skip's own line says which part is whose,
// and the reason's text (the dashboard's help lists the skips by reason) never says "not opened
// by hlcopy" of a position hlcopy opened. core/ownership.ts words both. Against the simulator.

import { describe, expect, it } from "vitest";
import { NOT_OURS_TEXT } from "../../src/core/ownership.js";
import { reasonText } from "../../src/core/reasons.js";
import type { EngineEvent } from "../../src/engine/events.js";
import { describeEvent } from "../../src/ui/describe.js";
import { helpPages } from "../../src/ui/Help.js";
import { skippedByReason } from "../../src/ui/model.js";
import { eventually } from "../exchange/helpers.js";
import { copySettings, lineView, orderTold, startSimFollow, trade } from "../helpers/sim-engine.js";

type Decision = Extract<EngineEvent, { type: "decision" }>;

describe("not-ours, said as what is whose", () => {
  it("a leader's add to a coin the trader grew by hand: skipped not-ours, its parts said, no 'not opened by hlcopy'", {
    timeout: 60_000,
  }, async () => {
    const t = await startSimFollow({ sim: { seed: 61, fundingIntervalMs: 0 } });
    t.sim.control.setMid("ETH", 3_000);
    const f = t.follow({ settings: copySettings((s) => (s.exec.sweepSeconds = 3600)) });
    const view = await lineView(t, f.engine.events);
    const running = f.run();
    await eventually(() => f.events.some((e) => e.type === "sweep"));
    await trade(t.leaderClient, "ETH", "buy", 10);
    await orderTold(f.events, "ETH", "filled", 10_000);
    await trade(t.client, "ETH", "buy", 0.5);
    await f.engine.sweep("manual");
    // The leader adds: the copy leaves the coin alone, a skip the dashboard counts.
    await trade(t.leaderClient, "ETH", "buy", 2);
    const decision = await eventually(
      () =>
        [...f.events]
          .reverse()
          .find(
            (e): e is Decision =>
              e.type === "decision" &&
              e.trigger === "fill" &&
              e.plan.skipped.some((s) => s.reason === "not-ours"),
          ),
      10_000,
    );
    // The skip's line: which part is the trader's, which hlcopy's.
    const line = describeEvent(decision)?.text ?? "";
    expect(line).toContain(
      "ETH skip not-ours (our ETH position changed outside hlcopy by +0.5 (of +1.5; hlcopy's +1): left alone",
    );
    // The help's list of skips by reason: true of this position too.
    // Once per plan the leader's fills made (a burst may come in more than one message).
    const n = await eventually(() => view.state().counters.skipped["not-ours"]);
    const help = helpPages(60, skippedByReason(view.state()))
      .flat()
      .map((l) => l.text);
    const said = help.find((l) => l.includes(`not-ours ×${n}`));
    expect(said).toBe(`  not-ours ×${n}: ${NOT_OURS_TEXT}`);
    expect(said).not.toMatch(/not opened by hlcopy/);
    expect(reasonText("not-ours")).toBe(NOT_OURS_TEXT);
    expect(await f.engine.stop("test over")).toBe(0);
    await running;
  });
});
