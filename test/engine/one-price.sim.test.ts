// Every figure set is of one price snapshot: a row's leader $, drift $, drift % and uPnL are all
// valued at the same mid — the state's — in the dashboard's rows, `follow --json`'s state record
// and `status --json` (README: How the copy is doing). Against the simulator: a tolerated drift
// planned at one price, then the price moves and a trade in another coin brings a new state.

import { describe, expect, it } from "vitest";
import { runStatus, type StatusReport } from "../../src/cli/status/run.js";
import { eventRecord } from "../../src/ui/describe.js";
import { eventually } from "../exchange/helpers.js";
import {
  copySettings,
  lastState,
  lineView,
  orderTold,
  startSimFollow,
  trade,
} from "../helpers/sim-engine.js";

const sink = () => ({ write: (_: string) => {} });

describe("one price snapshot per figure set", () => {
  it("a coin's drift $ is at the mid its leader $ and uPnL are at, after the price moved", {
    timeout: 60_000,
  }, async () => {
    const t = await startSimFollow({ sim: { seed: 57, fundingIntervalMs: 0 }, journal: "file" });
    t.sim.control.setMid("BTC", 100_000);
    t.sim.control.setMid("ETH", 3_000);
    const f = t.follow({
      settings: copySettings((s) => {
        s.exec.sweepSeconds = 3600;
        // A wide deadband: the leader's add leaves a drift the copy tolerates (no order).
        s.exec.deadbandPct = 50;
      }),
    });
    // The dashboard's pace: a state event every quarter second.
    const view = await lineView(t, f.engine.events, 250);
    const running = f.run();
    await eventually(() => f.events.some((e) => e.type === "sweep"));
    await trade(t.leaderClient, "BTC", "buy", 1);
    await orderTold(f.events, "BTC", "filled", 10_000);
    await trade(t.leaderClient, "BTC", "buy", 0.1);
    await eventually(
      () =>
        f.events.some(
          (e) =>
            e.type === "decision" &&
            e.plan.skipped.some((s) => s.coin === "BTC" && s.reason === "inside-deadband"),
        ),
      10_000,
    );
    // The price moves; nothing re-plans BTC. A copy in ETH brings a new state.
    t.sim.control.setMid("BTC", 110_000);
    await eventually(async () => (await t.client.getMarkets()).BTC?.mid === 110_000);
    await trade(t.leaderClient, "ETH", "buy", 10);
    const state = await eventually(
      () =>
        lastState(
          f.events,
          (e) => e.mids?.BTC === 110_000 && e.account.positions.some((p) => p.coin === "ETH" && p.size === 1),
        ),
      10_000,
    );

    // The engine's state: BTC's target (0.11 against our 0.1) valued at the state's mid.
    const btc = state.targets.find((x) => x.coin === "BTC");
    expect(btc).toMatchObject({ targetSize: 0.11, ourSize: 0.1 });
    expect(btc?.driftUsd).toBeCloseTo(0.01 * 110_000, 6);
    expect(btc?.mid).toBe(110_000);
    expect(state.drift?.coins.find((c) => c.coin === "BTC")).toMatchObject({ status: "tolerated" });
    expect(state.drift?.coins.find((c) => c.coin === "BTC")?.driftUsd).toBeCloseTo(1_100, 6);

    // follow --json's state record: leaderUsd and driftUsd of one mid.
    const record = eventRecord(state) as { targets: { coin: string; leaderUsd: number; driftUsd: number }[] };
    const rec = record.targets.find((x) => x.coin === "BTC");
    expect(rec?.leaderUsd).toBeCloseTo(1.1 * 110_000, 2);
    expect(rec?.driftUsd).toBeCloseTo(1_100, 2);

    // The dashboard's row: leader $, drift $, drift % and uPnL at 110 000.
    const row = await eventually(() =>
      view.state().positions.find((r) => r.coin === "BTC" && r.mid === 110_000 && r.ourSize === 0.1),
    );
    expect(row.leaderNotional).toBeCloseTo(1.1 * 110_000, 6);
    expect(row.driftUsd).toBeCloseTo(1_100, 6);
    expect(row.driftPct).toBeCloseTo((0.01 / 0.11) * 100, 6);
    const entry = (await t.client.getAccountState(t.account)).positions.BTC?.entryPx ?? 0;
    expect(row.upnl).toBeCloseTo(0.1 * (110_000 - entry), 4);

    // status --json, from the record the running follow journals after the ETH copy.
    const status = await eventually(async () => {
      const s = (await runStatus({
        configDir: t.dir,
        account: t.account,
        network: t.sim.httpUrl,
        json: true,
        out: sink(),
      })) as StatusReport;
      return s.positions.some((p) => p.coin === "ETH" && p.ourSize === 1) ? s : null;
    }, 10_000);
    // Of one mid, whichever the record's moment had (both to the cent: ±$0.005 ÷ 0.01 BTC).
    const pos = status.positions.find((p) => p.coin === "BTC");
    const leaderMid = (pos?.leaderUsd ?? 0) / 1.1;
    const driftMid = (pos?.driftUsd ?? 0) / 0.01;
    expect(leaderMid).toBeGreaterThan(99_000);
    expect(Math.abs(leaderMid - driftMid)).toBeLessThan(1);

    expect(await f.engine.stop("test over")).toBe(0);
    await running;
  });
});
