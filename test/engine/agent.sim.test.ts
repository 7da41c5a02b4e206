// The agent's approval as the engine sees it: the state event carries its end and days left
// (for the dashboard), and a long run warns once when it crosses into the last 7 days.

import { describe, expect, it } from "vitest";
import { defaultSettings } from "../../src/core/settings.js";
import { startSimFollow } from "../helpers/sim-engine.js";

describe("the state event", () => {
  it("carries the agent approval's end and whole days left, for the dashboard", async () => {
    const t = await startSimFollow({ sim: { seed: 15 }, ourUsd: 10_000 });
    const validUntil = Date.now() + 3.5 * 86_400_000;
    const { engine } = t.follow({ settings: defaultSettings(), agentValidUntil: validUntil });
    const states: { agent?: { validUntil: number | null; daysLeft: number | null } }[] = [];
    engine.events.on((e) => {
      if (e.type === "state") states.push(e);
    });
    engine.begin();
    await engine.sweep("start");
    await engine.stop("done");
    // Whole days rounded up (exchange/agents.ts approvalDaysLeft), as agent show says them.
    expect(states.at(-1)?.agent).toEqual({ validUntil, daysLeft: 4 });
  });
});

describe("an approval ending during a long run", () => {
  it("warns once when the run crosses into its last 7 days, not before", async () => {
    const t = await startSimFollow({ sim: { seed: 15 }, ourUsd: 10_000 });
    let offset = 0;
    const validUntil = Date.now() + 7 * 86_400_000 + 60_000;
    const { engine } = t.follow({
      settings: defaultSettings(),
      agentValidUntil: validUntil,
      approveHint: "hlcopy --account 0xabc agent approve",
      now: () => Date.now() + offset,
    });
    const warnings: string[] = [];
    engine.events.on((e) => {
      if (e.type === "warning") warnings.push(e.message);
    });
    engine.begin();
    await engine.sweep("start");
    expect(warnings.filter((w) => /approval ends/.test(w))).toEqual([]);
    offset = 120_000;
    await engine.sweep();
    await engine.sweep();
    const told = warnings.filter((w) => /approval ends/.test(w));
    expect(told).toHaveLength(1);
    expect(told[0]).toMatch(/\(7 days left\); renew it: hlcopy --account 0xabc agent approve$/);
    await engine.stop("done");
  });
});
