// Copy P&L, funding, slippage kinds and drift end to end against the simulator, on a scripted
// scenario computed by hand from the exchange's own records (our fills and the published
// funding rates): realised, unrealised, fees, funding, net and ROI — and the same figures in
// the engine's state, the dashboard's view model, `status --json` and the journal.

import { HttpTransport, InfoClient } from "@nktkas/hyperliquid";
import { describe, expect, it } from "vitest";
import { runReport } from "../../src/cli/report/run.js";
import { runStatus, type StatusReport } from "../../src/cli/status/run.js";
import { roundHalfAway } from "../../src/core/format.js";
import { journalPath, openJournal } from "../../src/store/journal.js";
import { startView } from "../../src/ui/view.js";
import { eventually } from "../exchange/helpers.js";
import { copySettings, startSimFollow, trade } from "../helpers/sim-engine.js";

const FEE = 0.00045; // the simulator's taker fee, as the exchange's base tier

const sink = () => {
  let text = "";
  return { write: (t: string) => (text += t), text: () => text };
};

describe("copy P&L end to end", () => {
  it("realised, unrealised, fees, funding, net and ROI by hand = engine = dashboard model = status --json = journal", {
    timeout: 60_000,
  }, async () => {
    // Frozen prices (we move them), funding only when asked.
    const t = await startSimFollow({
      sim: { seed: 23, fundingIntervalMs: 0 },
      leaderUsd: 2_000_000,
      journal: "file",
    });
    const { sim, dir, leaderClient, account, client, journal } = t;
    // The leader already holds SOL when the copy starts: the first sweep joins it.
    await trade(leaderClient, "SOL", "buy", 100);

    const settings = copySettings((s) => (s.exec.sweepSeconds = 3600));
    const { engine, events: seen, run } = t.follow({ settings });
    const { events } = engine;
    const out = sink();
    const view = await startView({
      events,
      dashboard: false,
      json: true,
      out,
      controls: { quit: () => {}, togglePause: () => {}, sweepNow: () => {}, flatten: () => {} },
    });
    const running = run();
    const filled = (coin: string, n = 1) =>
      eventually(
        () => seen.filter((e) => e.type === "order" && e.coin === coin && e.status === "filled").length >= n,
        10_000,
      );
    await filled("SOL");

    // Hot-path copies: BTC and ETH.
    await trade(leaderClient, "BTC", "buy", 1);
    await filled("BTC");
    await trade(leaderClient, "ETH", "buy", 10);
    await filled("ETH");

    // A sweep repair: paused, the leader adds ETH; resuming sweeps and brings us back.
    engine.togglePause();
    await trade(leaderClient, "ETH", "buy", 10);
    await eventually(() =>
      seen.some(
        (e) =>
          e.type === "decision" &&
          e.trigger === "fill" &&
          e.coins.includes("ETH") &&
          e.plan.actions.length > 0,
      ),
    );
    engine.togglePause();
    await filled("ETH", 2);

    // Funding at known mids: BTC 96 000, ETH 3 500, SOL 200.
    sim.control.setMid("BTC", 96_000);
    sim.control.setMid("ETH", 3_500);
    sim.control.setMid("SOL", 200);
    sim.control.runFunding();
    await eventually(() => seen.filter((e) => e.type === "funding").length >= 3, 10_000);

    // The leader closes BTC: our close is a copy too.
    sim.control.setMid("BTC", 97_000);
    await trade(leaderClient, "BTC", "sell", 1, true);
    await filled("BTC", 2);
    sim.control.setMid("ETH", 3_450);
    // A last sweep reads positions from the exchange; then stop (its state event is the run's end).
    await engine.sweep("manual");
    expect(await engine.stop("test over")).toBe(0);
    expect(await running).toBe(0);
    await view.close();
    journal.close();

    // ---- by hand, from the exchange's own records ------------------------------------------
    const fills = await client.getFillsByTime(account, 0);
    const info = new InfoClient({ transport: new HttpTransport({ apiUrl: sim.httpUrl }) });
    const sz = (coin: string, side: "buy" | "sell") =>
      fills.filter((f) => f.coin === coin && f.side === side).reduce((s, f) => s + f.sz, 0);
    const avg = (coin: string, side: "buy" | "sell") =>
      fills.filter((f) => f.coin === coin && f.side === side).reduce((s, f) => s + f.sz * f.px, 0) /
      sz(coin, side);
    expect(sz("BTC", "buy")).toBeCloseTo(0.1, 10);
    expect(sz("BTC", "sell")).toBeCloseTo(0.1, 10);
    expect(sz("ETH", "buy")).toBeCloseTo(2, 10);
    expect(sz("SOL", "buy")).toBeCloseTo(10, 10);
    const fees = fills.reduce((s, f) => s + f.px * f.sz * FEE, 0);
    const realised = (avg("BTC", "sell") - avg("BTC", "buy")) * 0.1;
    // Funding: −size × mid × the published rate (a long pays a positive rate).
    const rate = async (coin: string) => {
      const h = await info.fundingHistory({ coin, startTime: 0 });
      return Number(h.at(-1)?.fundingRate);
    };
    const funding =
      -0.1 * 96_000 * (await rate("BTC")) - 2 * 3_500 * (await rate("ETH")) - 10 * 200 * (await rate("SOL"));
    // Unrealised is valued from the entry price the exchange publishes, as the engine reads it:
    // the exchange rounds it (ETH to 4 decimals), so the exact average of our fills may differ by
    // up to half a unit there times the size — 0.0001 USD on 2 ETH, below a cent but above the
    // 4-decimal comparison below.
    const state = await client.getAccountState(account);
    const entryPx = (coin: string) => {
      const p = state.positions[coin];
      expect(p).toBeTruthy();
      return p?.entryPx ?? Number.NaN;
    };
    expect(Math.abs(entryPx("ETH") - avg("ETH", "buy"))).toBeLessThanOrEqual(0.00005 + 1e-9);
    expect(Math.abs(entryPx("SOL") - avg("SOL", "buy"))).toBeLessThanOrEqual(0.0000005 + 1e-9);
    const unrealised = (3_450 - entryPx("ETH")) * 2 + (200 - entryPx("SOL")) * 10;
    const exactUnrealised = (3_450 - avg("ETH", "buy")) * 2 + (200 - avg("SOL", "buy")) * 10;
    const net = realised + unrealised - fees + funding;
    // Every part moved: the scenario exercises each figure.
    for (const part of [realised, unrealised, fees, funding]) expect(Math.abs(part)).toBeGreaterThan(0.01);
    // The identity the simulator keeps: equity moved by exactly the net (at the exact entry).
    expect(state.accountValue - 100_000).toBeCloseTo(realised + exactUnrealised - fees + funding, 4);

    // ---- the engine's last state, the dashboard's model, status, the journal ----------------
    const lastState = [...seen].reverse().find((e) => e.type === "state");
    const enginePnl = lastState?.type === "state" ? lastState.pnl : undefined;
    const model = view.state();
    const statusOut = sink();
    const status = (await runStatus({
      configDir: dir,
      account,
      network: sim.httpUrl,
      json: true,
      out: statusOut,
    })) as StatusReport;
    const printed = JSON.parse(statusOut.text()) as StatusReport;
    const j = openJournal(journalPath(dir, account, sim.httpUrl));
    const stateEvent = j
      .listEntries({ table: "events", limit: 50 })
      .filter((e) => e.table === "events" && e.type === "state")
      .at(-1);
    j.close();
    const journalPnl = (stateEvent?.table === "events" ? stateEvent.data : null) as {
      pnl: NonNullable<typeof enginePnl>;
      drift: { driftUsd: number; inSync: boolean };
    };
    for (const pnl of [enginePnl, model.pnl, status.pnl, printed.pnl, journalPnl.pnl]) {
      expect(pnl).toBeTruthy();
      if (!pnl) continue;
      expect(pnl.realisedUsd).toBeCloseTo(realised, 4);
      expect(pnl.feesUsd).toBeCloseTo(fees, 4);
      expect(pnl.fundingUsd).toBeCloseTo(funding, 4);
      expect(pnl.unrealisedUsd).toBeCloseTo(unrealised, 4);
      expect(pnl.netUsd).toBeCloseTo(net, 4);
      expect(pnl.roiPct).toBeCloseTo((net / 100_000) * 100, 6);
      expect(pnl.startEquity).toBe(100_000);
      const coins = Object.fromEntries(pnl.byCoin.map((c) => [c.coin, c]));
      expect(coins.BTC?.netUsd).toBeCloseTo(
        realised -
          fills.filter((f) => f.coin === "BTC").reduce((s, f) => s + f.px * f.sz * FEE, 0) -
          0.1 * 96_000 * (await rate("BTC")),
        4,
      );
      expect(pnl.byLeader).toHaveLength(1);
      expect(pnl.byLeader[0]?.netUsd).toBeCloseTo(net, 4);
    }
    // One figure everywhere, to the micro-dollar.
    expect(typeof enginePnl?.netUsd).toBe("number");
    expect(status.pnl?.netUsd).toBe(enginePnl?.netUsd);
    expect(model.pnl?.netUsd).toBe(enginePnl?.netUsd);

    // Drift: the dashboard model, the run summary, status and the journal agree.
    const summary = view.summary();
    expect(summary.finalDriftUsd).toBe(status.drift?.driftUsd);
    expect(summary.inSync).toBe(status.drift?.inSync);
    // status shows the journal's figure to the cent, as every view does.
    expect(status.drift?.driftUsd).toBe(roundHalfAway(journalPnl.drift.driftUsd, 2));
    expect(summary.pnl?.netUsd).toBe(status.pnl?.netUsd);

    // Kinds: SOL joined at start, BTC/ETH copied on the hot path, the paused ETH add repaired.
    const ofKind = (kind: string) =>
      seen
        .filter((e) => e.type === "order" && e.status === "filled" && e.kind === kind)
        .map((e) => (e.type === "order" ? e.coin : ""));
    expect(ofKind("join")).toEqual(["SOL"]);
    expect(ofKind("copy").sort()).toEqual(["BTC", "BTC", "ETH"]);
    expect(ofKind("repair")).toEqual(["ETH"]);
    expect(status.fills.total).toBe(fills.length);
    expect(status.fills.byKind.join + status.fills.byKind.copy + status.fills.byKind.repair).toBe(
      fills.length,
    );
    // Copy slippage and lag only for copies; execution slippage for every fill.
    const fillEvents = seen.filter((e) => e.type === "fill");
    for (const f of fillEvents) {
      if (f.type !== "fill") continue;
      expect(f.execSlippageBps).not.toBeNull();
      if (f.kind === "copy") expect(f.lagMs).not.toBeNull();
      else {
        expect(f.slippageBps).toBeNull();
        expect(f.lagMs).toBeNull();
      }
    }
    expect(status.copyLagMs.count).toBe(status.fills.byKind.copy);
    expect(status.execSlippageBps.all.count).toBe(fills.length);
    // Execution slippage is bounded by the IOC's limit (best ± exec.slippageBps).
    expect(status.execSlippageBps.all.max ?? 99).toBeLessThanOrEqual(settings.exec.slippageBps + 1);

    // The report's days add up to the copy's P&L (one UTC day here, unless the run crossed midnight).
    const report = await runReport({
      configDir: dir,
      account,
      network: sim.httpUrl,
      json: true,
      since: 0,
      out: sink(),
    });
    expect(report?.totals.pnlUsd).toBeCloseTo(net, 4);
    expect(report?.totals.fundingUsd).toBeCloseTo(funding, 4);
    expect(report?.totals.fills).toBe(fills.length);
    // Copy slippage is one figure under one name: status's slippageBps is the report's.
    expect(report?.totals.slippageBps.median).toBe(status.slippageBps.median);
    expect(report?.totals.slippageBps.n).toBe(status.copyLagMs.count);
  });
});
