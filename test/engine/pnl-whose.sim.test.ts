// Whose P&L, end to end against the simulator: the copy P&L counts what hlcopy did — a
// liquidation of the position it opened (the exchange's fill has no cloid of ours) and the
// funding paid on its share of a position, not on the part the trader holds by hand — and the
// engine, the dashboard's view model, /metrics, `status --json` and `report` show one figure.

import { HttpTransport, InfoClient } from "@nktkas/hyperliquid";
import { describe, expect, it } from "vitest";
import { runReport } from "../../src/cli/report/run.js";
import { runStatus, type StatusReport } from "../../src/cli/status/run.js";
import type { CopyPnl } from "../../src/core/pnl.js";
import { RunMetrics } from "../../src/metrics/registry.js";
import { journalPath, openJournal } from "../../src/store/journal.js";
import { describeEvent } from "../../src/ui/describe.js";
import { eventually } from "../exchange/helpers.js";
import {
  copySettings,
  lineView,
  orderTold,
  type SimFollow,
  startSimFollow,
  trade,
} from "../helpers/sim-engine.js";

const sink = () => {
  let text = "";
  return { write: (t: string) => (text += t), text: () => text };
};

/** A follow with the dashboard's view model and /metrics fed by its events, as `follow` wires them. */
async function watched(t: SimFollow, patch: Parameters<typeof copySettings>[0]) {
  const settings = copySettings((s) => {
    s.exec.sweepSeconds = 3600;
    patch?.(s);
  });
  const f = t.follow({ settings });
  const metrics = new RunMetrics();
  f.engine.events.on((e) => metrics.observe(e));
  const view = await lineView(t, f.engine.events);
  const running = f.run();
  await eventually(() => f.events.some((e) => e.type === "sweep"));
  return { ...f, metrics, view, running };
}

/** The copy P&L as each view has it once the run has ended: engine, dashboard, /metrics, status, report. */
async function everyView(t: SimFollow, w: Awaited<ReturnType<typeof watched>>) {
  const last = [...w.events].reverse().find((e) => e.type === "state");
  const engine = last?.type === "state" ? last.pnl : null;
  const text = w.metrics.render();
  const part = (name: string) =>
    Number(new RegExp(`hlcopy_copy_pnl_usd\\{part="${name}"\\} (\\S+)`).exec(text)?.[1]);
  const status = (await runStatus({
    configDir: t.dir,
    account: t.account,
    network: t.sim.httpUrl,
    json: true,
    out: sink(),
  })) as StatusReport;
  const report = await runReport({
    configDir: t.dir,
    account: t.account,
    network: t.sim.httpUrl,
    json: true,
    since: 0,
    out: sink(),
  });
  return {
    engine: engine as CopyPnl,
    dashboard: w.view.state().pnl as CopyPnl,
    metrics: {
      realisedUsd: part("realised"),
      feesUsd: part("fees"),
      fundingUsd: part("funding"),
      netUsd: part("net"),
    },
    status: status.pnl as CopyPnl,
    report: report?.totals,
  };
}

describe("whose P&L, end to end", () => {
  it("a liquidation of the position hlcopy opened is in the copy P&L: its net is what the account lost, in every view", {
    timeout: 60_000,
  }, async () => {
    const t = await startSimFollow({ sim: { seed: 31, fundingIntervalMs: 0 }, journal: "file" });
    t.sim.control.setMid("BTC", 95_000);
    // hlcopy's BTC on 20× isolated margin: −6 % takes more than its margin.
    const w = await watched(t, (s) => {
      s.exec.leverage = 20;
      s.exec.marginMode = "isolated";
    });
    await trade(t.leaderClient, "BTC", "buy", 1); // the leader: 1 BTC on $1 000 000, unharmed
    await orderTold(w.events, "BTC", "filled", 10_000);
    // Paused, the copy sends nothing more: what the account holds after is the liquidation's.
    w.engine.togglePause();
    t.sim.control.setMid("BTC", 89_300);
    const liquidation = await eventually(
      () => w.events.find((e) => e.type === "fill" && e.coin === "BTC" && e.side === "sell"),
      10_000,
    );
    // The exchange's own fill: no cloid of ours, no kind — yet hlcopy's position it closed.
    expect(liquidation).toMatchObject({ kind: null, cloid: null });
    await w.engine.sweep("manual");
    expect(await w.engine.stop("test over")).toBe(0);
    expect(await w.running).toBe(0);

    // ---- by hand, from the exchange's records ----------------------------------------------
    const fills = await t.client.getFillsByTime(t.account, 0);
    const liquidated = fills.filter((f) => f.liquidation);
    expect(liquidated.length).toBeGreaterThan(0);
    expect(liquidated.reduce((s, f) => s + f.sz, 0)).toBeCloseTo(0.1, 10);
    const realised = fills.reduce((s, f) => s + f.closedPnl, 0);
    const fees = fills.reduce((s, f) => s + f.fee, 0);
    expect(realised).toBeLessThan(-400); // the liquidation's loss
    const state = await t.client.getAccountState(t.account);
    expect(state.positions).toEqual({});
    // Flat, the account moved by exactly the copy's realised P&L and fees: nothing else traded.
    expect(state.accountValue - 100_000).toBeCloseTo(realised - fees, 6);

    const views = await everyView(t, w);
    for (const pnl of [views.engine, views.dashboard, views.metrics, views.status]) {
      expect(pnl.realisedUsd).toBeCloseTo(realised, 6);
      expect(pnl.feesUsd).toBeCloseTo(fees, 6);
      expect(pnl.netUsd).toBeCloseTo(state.accountValue - 100_000, 6);
    }
    expect(views.status.netUsd).toBe(views.engine.netUsd);
    expect(views.dashboard.netUsd).toBe(views.engine.netUsd);
    expect(views.report?.realisedUsd).toBeCloseTo(realised, 6);
    expect(views.report?.pnlUsd).toBeCloseTo(state.accountValue - 100_000, 6);
    // The journal keeps the liquidation's fills as the copy's whole (hlcopy managed all of it).
    const j = openJournal(journalPath(t.dir, t.account, t.sim.httpUrl));
    const rows = j.fillsSince(0).filter((f) => f.kind === null);
    j.close();
    expect(rows.map((f) => f.copySz)).toEqual(rows.map((f) => f.sz));
    // …and as liquidations, which status counts as such, not as trades outside hlcopy (leftovers 3).
    expect(rows.map((f) => f.origin)).toEqual(rows.map(() => "liquidation"));
  });

  it("a position hlcopy opened and the trader closes by hand keeps its P&L in the copy P&L: its unrealised becomes the close's realised, in every view", {
    timeout: 60_000,
  }, async () => {
    const t = await startSimFollow({ sim: { seed: 33, fundingIntervalMs: 0 }, journal: "file" });
    t.sim.control.setMid("ETH", 3_000);
    const w = await watched(t, () => {});
    await trade(t.leaderClient, "ETH", "buy", 10);
    await orderTold(w.events, "ETH", "filled", 10_000); // hlcopy's 1 ETH
    // Paused, the copy sends nothing more: the hand close stays the last trade.
    w.engine.togglePause();
    t.sim.control.setMid("ETH", 3_300);
    await w.engine.sweep("manual");
    const before = [...w.events].reverse().find((e) => e.type === "state");
    const open = before?.type === "state" ? before.pnl : null;
    expect(open?.unrealisedUsd).toBeGreaterThan(250); // +$300 a coin on hlcopy's 1 ETH, less the spread
    // The trader closes hlcopy's ETH by hand.
    await trade(t.client, "ETH", "sell", 1, true);
    const close = await eventually(
      () => w.events.find((e) => e.type === "fill" && e.coin === "ETH" && e.side === "sell"),
      10_000,
    );
    expect(close).toMatchObject({ kind: null, copySz: 1 });
    await w.engine.sweep("manual");
    expect(await w.engine.stop("test over")).toBe(0);
    expect(await w.running).toBe(0);

    // ---- by hand, from the exchange's records ----------------------------------------------
    const fills = await t.client.getFillsByTime(t.account, 0);
    const realised = fills.reduce((s, f) => s + f.closedPnl, 0);
    const fees = fills.reduce((s, f) => s + f.fee, 0);
    expect(realised).toBeGreaterThan(250);
    const state = await t.client.getAccountState(t.account);
    expect(state.positions).toEqual({});
    // Flat, the account moved by exactly the copy's trades: hlcopy's open and the close of it.
    expect(state.accountValue - 100_000).toBeCloseTo(realised - fees, 6);

    const views = await everyView(t, w);
    for (const pnl of [views.engine, views.dashboard, views.metrics, views.status]) {
      expect(pnl.realisedUsd).toBeCloseTo(realised, 6);
      expect(pnl.feesUsd).toBeCloseTo(fees, 6);
      expect(pnl.netUsd).toBeCloseTo(state.accountValue - 100_000, 6);
    }
    expect(views.status.netUsd).toBe(views.engine.netUsd);
    expect(views.dashboard.netUsd).toBe(views.engine.netUsd);
    expect(views.report?.realisedUsd).toBeCloseTo(realised, 6);
    expect(views.report?.pnlUsd).toBeCloseTo(state.accountValue - 100_000, 6);
    // The close is not hlcopy's order, but all of it closed hlcopy's position: the journal and
    // the dashboard's line say so.
    const line = describeEvent(close)?.text;
    expect(line).toMatch(/^fill \(not placed by hlcopy\) ETH sell 1 @ \S+, the copy's 1$/);
  });

  it("funding counts on hlcopy's share of the position, not on what the trader holds by hand; the account's payment stays whole", {
    timeout: 60_000,
  }, async () => {
    const t = await startSimFollow({ sim: { seed: 32, fundingIntervalMs: 0 }, journal: "file" });
    const w = await watched(t, () => {});
    await trade(t.leaderClient, "ETH", "buy", 10);
    await orderTold(w.events, "ETH", "filled", 10_000); // hlcopy's 1 ETH
    // By hand, in the same account: 1 ETH more, and 10 SOL hlcopy never traded.
    await trade(t.client, "ETH", "buy", 1);
    await trade(t.client, "SOL", "buy", 10);
    // A sweep reads them: left alone, hlcopy's part of ETH stays its 1.
    await w.engine.sweep("manual");
    expect(
      w.events.some((e) => e.type === "warning" && /changed outside hlcopy: ETH .*SOL/.test(e.message)),
    ).toBe(true);
    t.sim.control.setMid("ETH", 3_500);
    t.sim.control.setMid("SOL", 200);
    t.sim.control.runFunding();
    const paid = await eventually(() => {
      const f = w.events.filter((e) => e.type === "funding");
      return f.length >= 2 ? f : null;
    }, 10_000);
    await w.engine.sweep("manual");
    expect(await w.engine.stop("test over")).toBe(0);
    expect(await w.running).toBe(0);

    // ---- by hand, from the exchange's funding records ----------------------------------------
    const info = new InfoClient({ transport: new HttpTransport({ apiUrl: t.sim.httpUrl }) });
    const records = await info.userFunding({ user: t.account, startTime: 0 });
    const of = (coin: string) =>
      records.find((r) => r.delta.type === "funding" && r.delta.coin === coin)?.delta;
    const eth = of("ETH");
    const sol = of("SOL");
    expect(Number(eth?.szi)).toBeCloseTo(2, 10);
    expect(Number(sol?.szi)).toBeCloseTo(10, 10);
    const ethPaid = Number(eth?.usdc);
    expect(Math.abs(ethPaid)).toBeGreaterThan(0.001);
    // hlcopy's 1 of the 2 ETH: half of the ETH payment; none of the SOL one.
    const copyFunding = ethPaid / 2;

    // The account's payments, as the exchange made them, and the copy's part beside each.
    const event = (coin: string) => paid.find((e) => e.type === "funding" && e.coin === coin);
    expect(event("ETH")).toMatchObject({ usdc: ethPaid, szi: 2 });
    expect(event("ETH")?.type === "funding" && event("ETH")?.copyUsdc).toBeCloseTo(copyFunding, 9);
    expect(event("SOL")).toMatchObject({ usdc: Number(sol?.usdc), copyUsdc: 0 });
    // The dashboard's line: the account's payment, and the copy's part when it is less.
    const line = (coin: string) => {
      const e = event(coin);
      return e ? describeEvent(e)?.text : undefined;
    };
    expect(line("ETH")).toMatch(/^funding ETH (paid|received) \S+ on 2 \(rate .*\), the copy's part \S+$/);
    expect(line("SOL")).toMatch(
      /^funding SOL (paid|received) \S+ on 10 \(rate .*\), the copy's part \$?0\.00$/,
    );

    const views = await everyView(t, w);
    for (const pnl of [views.engine, views.dashboard, views.metrics, views.status]) {
      expect(pnl.fundingUsd).toBeCloseTo(copyFunding, 6);
    }
    for (const pnl of [views.engine, views.status]) {
      // SOL is not the copy's at all: no row for it.
      expect(pnl.byCoin.map((c) => c.coin)).toEqual(["ETH"]);
      expect(pnl.byCoin[0]?.fundingUsd).toBeCloseTo(copyFunding, 6);
    }
    expect(views.status.netUsd).toBe(views.engine.netUsd);
    expect(views.dashboard.netUsd).toBe(views.engine.netUsd);
    expect(views.report?.fundingUsd).toBeCloseTo(copyFunding, 6);
  });
});
