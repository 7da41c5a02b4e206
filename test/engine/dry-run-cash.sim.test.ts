// A dry run sends nothing and models its own account from its first read; the real account may
// have moved before it (a trade by hand while no run watched). At that first read it explains
// the account's cash as a live run would — by the account's fills since the journal's last
// reading, and its ledger — and comes to the live run's verdict. What neither explains is held
// as a live run would hold it, and the warning says what the dry run does with it.

import { describe, expect, it } from "vitest";
import type { Settings } from "../../src/core/settings.js";
import type { EngineEvent } from "../../src/engine/events.js";
import { liveExecutor } from "../../src/engine/executor.js";
import { eventually } from "../exchange/helpers.js";
import { copySettings, startSimFollow, trade } from "../helpers/sim-engine.js";

const warnings = (events: EngineEvent[]) => events.flatMap((e) => (e.type === "warning" ? [e.message] : []));
const halts = (events: EngineEvent[]) => events.flatMap((e) => (e.type === "halt" ? [e.kind] : []));

describe("a dry run after the account moved while no run watched", () => {
  it("a loss by hand is a loss (the daily-loss stop, as the live run says), not a cash flow waiting for the ledger", {
    timeout: 60_000,
  }, async () => {
    const t = await startSimFollow({ sim: { seed: 45 } });
    const settings: Settings = copySettings((s) => {
      s.exec.sweepSeconds = 3600;
      s.risk.maxDailyLossPct = 2;
    });
    await trade(t.leaderClient, "BTC", "buy", 1);
    // A live run (a reconcile) copies the BTC and journals the account, its cash with it.
    // A live reconcile, a reconcile --dry-run (one sweep), a follow --dry-run (its start: the
    // preflight's read, then a model of its own account).
    const run = async (how: "live" | "dry-run" | "dry-follow") => {
      const mode = how === "live" ? "live" : "dry-run";
      const reader = mode === "live" ? t.ourClient() : t.ourClient({ agentKey: undefined });
      const f = t.follow({
        settings,
        mode,
        command: mode === "live" ? "reconcile" : "dry-run",
        reader,
        executor: mode === "live" ? liveExecutor(reader) : null,
      });
      f.engine.begin();
      const plan =
        how === "dry-follow" ? await f.engine.preflight() : (await f.engine.sweep("sweep", true)).plan;
      await f.engine.stop("test over");
      return { events: f.events, plan };
    };
    await run("live");
    expect(t.journal.latestEquity()?.cash).not.toBeNull();
    // While no run watches, the trader loses ~3 % of the account by hand on ETH.
    t.sim.control.setMid("ETH", 3_000);
    await trade(t.client, "ETH", "buy", 10);
    t.sim.control.setMid("ETH", 2_700);
    await trade(t.client, "ETH", "sell", 10, true);
    await eventually(async () => (await t.client.getAccountState(t.account)).positions.ETH === undefined);
    // The leader adds BTC: an increase for the copy.
    await trade(t.leaderClient, "BTC", "buy", 1);

    const dry = await run("dry-run");
    const dryFollow = await run("dry-follow");
    const live = await run("live");
    // The live run reads the loss from its fills: the daily loss limit is hit.
    expect(halts(live.events)).toEqual(["daily-loss"]);
    expect(warnings(live.events).filter((w) => w.includes("ledger"))).toEqual([]);
    // Both dry runs say the same, for the same reason — not "waiting for the ledger".
    const skip = (p: typeof dry.plan) => p.skipped.find((s) => s.coin === "BTC");
    expect(skip(live.plan)?.reason).toBe("daily-loss");
    for (const d of [dry, dryFollow]) {
      expect(halts(d.events)).toEqual(["daily-loss"]);
      expect(warnings(d.events).filter((w) => w.includes("ledger"))).toEqual([]);
      expect(skip(d.plan)).toEqual(skip(live.plan));
    }
  });
});
