// An account with nothing to copy with is never "in sync": follow refuses to start on an empty
// account (exit 2, nothing sent), and a run whose account is emptied later says so — each leader
// fill's decision skips "no-equity" and the copy is not in sync (no target, not "$0 = 0").

import { describe, expect, it } from "vitest";
import { driftText } from "../../src/core/drift.js";
import { eventually } from "../exchange/helpers.js";
import { copySettings, startSimFollow, trade } from "../helpers/sim-engine.js";

describe("follow on an account with no equity", () => {
  it("is refused at its start: one error with the way forward, exit 2, nothing sent", async () => {
    const t = await startSimFollow({ sim: { seed: 31 }, ourUsd: 10_000 });
    await trade(t.leaderClient, "BTC", "buy", 1);
    t.sim.control.fund(t.account, -10_000);
    const f = t.follow({ settings: copySettings() });
    expect(await f.run()).toBe(2);
    const fatal = f.events.find((e) => e.type === "error" && e.fatal);
    expect(fatal).toMatchObject({
      message: `${t.account.toLowerCase()} has no equity on ${t.sim.httpUrl} ($0.00): nothing to copy with`,
      hint: "fund the account (deposit USDC) and run again, or check --account",
    });
    expect(t.sim.control.orderHistory(t.account)).toEqual([]);
  });

  it("emptied during the run: the leader's next fill is not copied and the copy is not in sync", async () => {
    const t = await startSimFollow({ sim: { seed: 32 }, ourUsd: 10_000 });
    // A leader that has traded and holds nothing: the start has nothing to copy.
    await trade(t.leaderClient, "ETH", "buy", 1);
    await trade(t.leaderClient, "ETH", "sell", 1);
    const f = t.follow({ settings: copySettings((s) => (s.exec.sweepSeconds = 3600)) });
    void f.run();
    await eventually(() => f.events.some((e) => e.type === "sweep"));
    // Every dollar leaves (a sweep reads it: the withdrawal is no event of ours); then the leader buys BTC.
    t.sim.control.fund(t.account, -10_000);
    const swept = await f.engine.sweep("sweep");
    expect(swept.plan.inSync).toBe(true); // the leader holds nothing yet
    await trade(t.leaderClient, "BTC", "buy", 1);
    const decision = await eventually(() =>
      f.events.find(
        (e) =>
          e.type === "decision" && e.plan.skipped.some((s) => s.coin === "BTC" && s.reason === "no-equity"),
      ),
    );
    expect(decision.type === "decision" && decision.plan.inSync).toBe(false);
    const state = await eventually(() => {
      const s = [...f.events].reverse().find((e) => e.type === "state");
      return s?.type === "state" && s.drift?.coins.some((c) => c.coin === "BTC") ? s : null;
    });
    if (state.type !== "state" || !state.drift) throw new Error("no state event");
    expect(state.drift.inSync).toBe(false);
    expect(driftText(state.drift)).toBe("not in sync · blocked: BTC no-equity");
    expect(t.sim.control.orderHistory(t.account)).toEqual([]);
  });
});
