// The exchange serves only a user's 10,000 most recent fills. A busy leader's window reaches
// past them: the simulator forgets as the exchange does, the adapter says what its read covers,
// and inspect, scan, backtest, kelly and risk.skipLeaderNewCoins say the history is cut and measure over what it covers
// — they reported "30 days" of figures made from the last two.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLeaderSource } from "../../src/cli/analytics/source.js";
import { runBacktestCommand } from "../../src/cli/backtest/run.js";
import { runInspectCommand } from "../../src/cli/inspect/run.js";
import { runScanCommand } from "../../src/cli/scan/run.js";
import { engineClient } from "../../src/cli/wiring.js";
import { FILL_HISTORY_LIMIT } from "../../src/core/history.js";
import { defaultSettings } from "../../src/core/settings.js";
import type { Address, LeaderState } from "../../src/core/types.js";
import type { EngineEvent } from "../../src/engine/events.js";
import { fillHistoryRead } from "../../src/engine/fill-history.js";
import { LeaderGuard } from "../../src/engine/leader-guard.js";
import { SizingInputsKeeper } from "../../src/engine/sizing-inputs.js";
import { RequestBudget } from "../../src/exchange/budget.js";
import type { SimHandle } from "../../src/sim/index.js";
import { openJournal } from "../../src/store/journal.js";
import { tempDir, unwrapped } from "../helpers/cli.js";
import { busyHistoryWorld, sink } from "./helpers.js";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const NOW = Date.now();
let sim: SimHandle;
/** 10 fills 20 days ago, then 10,100 from 3 days ago on, a batch of 100 every 30 minutes. */
let busy: Address;
/** When the busy leader's recent trading began. */
const BUSY_FROM = NOW - 3 * DAY;
/** A leader with 4 fills a day ago and none before: not cut, whatever the window. */
let quiet: Address;

beforeAll(async () => {
  ({ sim, busy, quiet } = await busyHistoryWorld({
    seed: 71,
    now: NOW,
    oldAt: NOW - 20 * DAY,
    busyFrom: BUSY_FROM,
  }));
}, 120_000);
afterAll(async () => {
  await sim.close();
});

const network = () => ({ httpUrl: sim.httpUrl, wsUrl: sim.wsUrl, isTestnet: false });
/**
 * A budget wide enough not to pace the test: a read of 10,000 fills weighs ~700 of the
 * exchange's 1200 a minute, which the default budget spreads over half a minute.
 */
const wide = () => new RequestBudget({ limitPerMinute: 1e9, burst: 1e8 });
const source = () => createLeaderSource(network(), { budget: wide() });
const client = (account: Address) => engineClient({ ...network(), account, budget: wide() });

describe("the simulator serves a user's 10,000 most recent fills, as the exchange does", () => {
  it("userFillsByTime from before them begins at the oldest of them; userFills is their newest 2000", async () => {
    const info = async (body: object) =>
      (await (
        await fetch(`${sim.httpUrl}/info`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        })
      ).json()) as { time: number; tid: number }[];
    const first = await info({ type: "userFillsByTime", user: busy, startTime: NOW - 30 * DAY });
    expect(first).toHaveLength(2000);
    // The 10 fills of 20 days ago are gone, and the first of the 10,100 recent ones too.
    expect(first[0]?.time).toBeGreaterThan(BUSY_FROM);
    const latest = await info({ type: "userFills", user: busy });
    expect(latest).toHaveLength(2000);
    // Every page from there on: 10,000 in all.
    const all = await source().getFillsByTime(busy, NOW - 30 * DAY, NOW);
    expect(all).toHaveLength(FILL_HISTORY_LIMIT);
  });
});

describe("the adapter says what a read of fills covers", () => {
  it("a read that reached the 10,000 most recent is cut at its first fill", async () => {
    const c = client(busy);
    const read = await c.getFillHistory(busy, NOW - 30 * DAY, NOW);
    expect(read.fills).toHaveLength(FILL_HISTORY_LIMIT);
    expect(read.cut).toEqual({
      reason: "exchange-limit",
      start: read.fills[0]?.time,
      end: NOW,
      askedStart: NOW - 30 * DAY,
      askedEnd: NOW,
      fills: FILL_HISTORY_LIMIT,
    });
  });

  it("a leader with no fill early in the window is not cut (no false alarm)", async () => {
    const c = client(quiet);
    const read = await c.getFillHistory(quiet, NOW - 30 * DAY, NOW);
    expect(read.fills).toHaveLength(4);
    expect(read.cut).toBeNull();
  });

  it("a read stopped at its page cap is cut at its last fill", async () => {
    const c = client(busy);
    const read = await c.getFillHistory(busy, NOW - 30 * DAY, NOW, { maxPages: 2 });
    // Two pages of 2000, less the fills at the boundary the second read again.
    expect(read.fills.length).toBeGreaterThan(2000);
    expect(read.fills.length).toBeLessThanOrEqual(4000);
    expect(read.cut).toMatchObject({ reason: "page-cap", end: read.fills.at(-1)?.time, askedEnd: NOW });
    expect(read.cut?.end).toBeLessThan(NOW - DAY);
  });
});

describe("inspect, scan and backtest of a leader whose history the exchange cut", () => {
  it("inspect measures over the span covered and says so, in text and --json", async () => {
    const out = sink();
    const err = sink();
    const report = await runInspectCommand({
      address: busy,
      days: 30,
      equity: 10_000,
      settings: defaultSettings(),
      json: true,
      source: source(),
      now: NOW,
      out,
      err,
    });
    const cut = report.historyCut;
    expect(cut).toMatchObject({ reason: "exchange-limit", end: NOW, askedStart: NOW - 30 * DAY });
    const start = cut?.start ?? 0;
    expect(start).toBeGreaterThan(BUSY_FROM);
    expect(start).toBeLessThan(BUSY_FROM + 2 * HOUR);
    // Every figure over the span covered: ~3 days, not 30.
    expect(report.window.start).toBe(start);
    expect(report.window.days).toBeCloseTo((NOW - start) / DAY, 6);
    expect(report.metrics.ordersPerDay).toBeCloseTo(report.metrics.counts.trades / report.window.days, 6);
    const doc = JSON.parse(out.text()) as { historyCut: { start: number; reason: string } };
    expect(doc.historyCut).toMatchObject({ start, reason: "exchange-limit" });

    const text = sink();
    await runInspectCommand({
      address: busy,
      days: 30,
      equity: 10_000,
      settings: defaultSettings(),
      json: false,
      source: source(),
      now: NOW,
      out: text,
      err: sink(),
      width: Number.POSITIVE_INFINITY,
    });
    const header = text.text().split("\n")[0] ?? "";
    expect(header).toMatch(
      /\(history since \d{4}-\d\d-\d\d \d\d:\d\d UTC \(the exchange keeps a user's 10,000 most recent fills\): \d\.\d days of the 30 days asked\)$/,
    );
    expect(text.text().match(/10,000 most recent fills/g)).toHaveLength(1);
  });

  it("scan ranks the leader on the span covered, says so, and --json and --csv carry it", async () => {
    const configDir = tempDir();
    const scan = (json: boolean, csv = false) => {
      const out = sink();
      return runScanCommand({
        addresses: [busy, quiet],
        equity: 10_000,
        days: 30,
        json,
        csv,
        settings: defaultSettings(),
        source: source(),
        configDir,
        now: NOW,
        out,
        err: sink(),
      }).then((report) => ({ report, text: out.text() }));
    };
    const { report, text } = await scan(false);
    const row = report.leaders.find((r) => r.address === busy);
    expect(row?.historyCut).toMatchObject({ reason: "exchange-limit" });
    expect(report.leaders.find((r) => r.address === quiet)?.historyCut).toBeNull();
    const days = ((NOW - (row?.historyCut?.start ?? 0)) / DAY).toFixed(1);
    expect(row?.ordersPerDay).toBeCloseTo(
      (row?.orders ?? 0) / ((NOW - (row?.historyCut?.start ?? 0)) / DAY),
      6,
    );
    // Its line broken to the width (80 here) and read whole.
    expect(unwrapped(text)).toContain(
      `(the exchange keeps a user's 10,000 most recent fills): ${days} days of the 30 days asked; its row is over that span`,
    );
    // Read again: the quiet leader from the cache, the busy one afresh (its cache begins where
    // the exchange's history did, not at the window's start) and still cut.
    const again = await scan(true);
    expect(again.report.cache.hits).toBe(1);
    const doc = JSON.parse(again.text) as {
      leaders: { address: string; historyCut: { start: number } | null }[];
    };
    expect(doc.leaders.find((r) => r.address === busy)?.historyCut?.start).toBe(row?.historyCut?.start);
    const csv = (await scan(false, true)).text.split("\n");
    expect(csv[0]).toMatch(/,history_cut_since$/);
    expect(csv.find((l) => l.includes(busy))).toMatch(new RegExp(`,${row?.historyCut?.start}$`));
  });

  it("backtest replays the span covered and says so; --json carries it", async () => {
    const out = sink();
    const report = await runBacktestCommand({
      addresses: [busy],
      days: 30,
      equity: 10_000,
      settings: defaultSettings(),
      json: false,
      source: source(),
      now: NOW,
      out,
      err: sink(),
      width: Number.POSITIVE_INFINITY,
    });
    const cut = report.leaders[0]?.historyCut;
    expect(cut).toMatchObject({ reason: "exchange-limit", end: NOW });
    expect(report.source).toMatch(/^0x\w+ \(history since .* \d\.\d days of the 30 days asked\)$/);
    expect(out.text().split("\n")[1]).toMatch(
      /^History since .*UTC \(the exchange keeps a user's 10,000 most recent fills\): \d\.\d days of the 30 days asked; the replay covers that span only$/,
    );
  });

  it("backtest of a cut leader beside a whole one replays both over the span both cover", async () => {
    const report = await runBacktestCommand({
      addresses: [busy, quiet],
      days: 30,
      equity: 10_000,
      settings: defaultSettings(),
      json: true,
      source: source(),
      now: NOW,
      out: sink(),
      err: sink(),
    });
    expect(report.leaders.map((l) => l.historyCut?.reason ?? null)).toEqual(["exchange-limit", null]);
    expect(report.notes.join("\n")).toMatch(
      /every leader replayed from .* the span every leader's history covers/,
    );
  });
});

describe("kelly's lookback over a cut history", () => {
  it("is warned of once, and its line says the span it measured", async () => {
    const settings = defaultSettings();
    settings.sizing.mode = "kelly";
    const events: EngineEvent[] = [];
    const keeper = new SizingInputsKeeper({
      settings,
      reader: client(busy),
      now: () => NOW,
      emit: (e) => events.push(e),
      countRequest: () => {},
    });
    await keeper.refresh([], [busy]).catch(() => {});
    const warnings = events.flatMap((e) => (e.type === "warning" ? [e.message] : []));
    expect(warnings).toEqual([
      expect.stringMatching(
        /^kelly: leader 0x\w+…\w+'s edge is measured on history since .* \(the exchange keeps a user's 10,000 most recent fills\): \d\.\d days of the 30 days asked \(--kelly-lookback-days 30\)$/,
      ),
    ]);
  });
});

describe("risk.skipLeaderNewCoins over a cut history", () => {
  it("says the new-coin check reads less than its window", async () => {
    const settings = defaultSettings();
    settings.risk.skipLeaderNewCoins = true;
    const events: EngineEvent[] = [];
    const guard = new LeaderGuard({
      journal: openJournal(":memory:"),
      settings,
      leaders: [{ address: busy, weight: 1 }],
      persist: false,
      emit: (e) => events.push(e),
      now: () => NOW,
      runId: () => null,
    });
    const leader = { address: busy, positions: {} } as unknown as LeaderState;
    await guard.readHistory(
      [leader],
      fillHistoryRead(client(busy), () => NOW),
      () => {},
    );
    expect(events.flatMap((e) => (e.type === "warning" ? [e.message] : []))).toEqual([
      expect.stringMatching(
        /^leader 0x\w+…\w+: risk\.skipLeaderNewCoins reads history since .* \(the exchange keeps a user's 10,000 most recent fills\): \d\.\d days of the 60 days asked: a coin it opened before then is not judged new, one opened since is judged on that history alone$/,
      ),
    ]);
  });
});
