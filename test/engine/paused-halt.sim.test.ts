// A pause holds new orders; it must not hold the kill switch's closes. While paused, the kill
// switch fired and its closes were planned "(paused: not sent)" — resume's prompt, either
// answer, and hlcopy stop left the account unflattened and said nothing of it. The engine
// against the in-process simulator: the closes go (reduce-only, journaled with reason
// kill-switch), the pause stands and still holds everything else, and the run says so.

import { describe, expect, it } from "vitest";
import type { EngineEvent } from "../../src/engine/events.js";
import { eventually } from "../exchange/helpers.js";
import { copySettings, startSimFollow, trade } from "../helpers/sim-engine.js";

const decisions = (events: EngineEvent[]) =>
  events.filter((e): e is Extract<EngineEvent, { type: "decision" }> => e.type === "decision");

describe("a paused follow whose kill switch fires", () => {
  it("sends the kill switch's closes all the same (reason kill-switch), says so, and stays paused for everything else", async () => {
    const t = await startSimFollow({ sim: { seed: 37 } });
    await trade(t.leaderClient, "BTC", "buy", 5);
    const { engine, events, run } = t.follow({ settings: copySettings((s) => (s.exec.sweepSeconds = 3600)) });
    const running = run();
    const ours = async () => (await t.client.getAccountState(t.master.address)).positions;
    await eventually(async () => (await ours()).BTC?.size === 0.5);
    engine.togglePause();
    // Paused: the leader's increase is planned but not sent.
    await trade(t.leaderClient, "BTC", "buy", 1);
    await eventually(() => decisions(events).some((d) => d.held === "paused" && d.plan.actions.length > 0));
    expect((await ours()).BTC?.size).toBe(0.5);
    // A fall of 60 %: ~30 % of the account, past the kill switch's 25 %.
    t.sim.control.setMid("BTC", (t.sim.control.mid("BTC") ?? 0) * 0.4);
    await eventually(() => events.some((e) => e.type === "halt" && e.kind === "kill-switch"));
    await eventually(async () => (await ours()).BTC === undefined);
    const closes = t.journal.ordersSince(0).filter((o) => o.reason === "kill-switch");
    expect(closes.map((o) => [o.coin, o.side, o.reduceOnly, o.status])).toEqual([
      ["BTC", "sell", true, "filled"],
    ]);
    // Said: the closes go, the pause holds the rest. The pause still stands.
    const said = events.find((e) => e.type === "notice" && e.kind === "paused-closes");
    expect(said?.type === "notice" && said.message).toMatch(
      /paused, but the kill-switch's closes go \(BTC: reduce-only, reason kill-switch\).*the pause holds everything else/,
    );
    expect(events.filter((e) => e.type === "paused").map((e) => e.type === "paused" && e.paused)).toEqual([
      true,
    ]);
    // The decision that closed is not marked as held by the pause.
    const closing = decisions(events).filter((d) => d.plan.actions.some((a) => a.reason === "kill-switch"));
    expect(closing.length).toBeGreaterThan(0);
    expect(closing.every((d) => d.held === undefined)).toBe(true);
    expect(t.journal.activeHalt()?.kind).toBe("kill-switch");
    expect(await engine.stop("test over")).toBe(0);
    await running;
  });
});
