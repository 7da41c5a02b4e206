// `hlcopy status` reads the journal the engine wrote: each figure means what it means on the
// dashboard, the rows add up to the copy's P&L, every line says when its figures are from (and
// a line never mixes two moments), and one rounding rule gives one figure.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lockHolderView, runStatus, type StatusReport } from "../../src/cli/status/run.js";
import { deadbandUsd, driftReport } from "../../src/core/drift.js";
import { copyPnl, foldPnl } from "../../src/core/pnl.js";
import { defaultSettings } from "../../src/core/settings.js";
import type { Address, CoinTarget } from "../../src/core/types.js";
import type { EngineEvent } from "../../src/engine/events.js";
import { SafetyWatch } from "../../src/engine/safety-watch.js";
import { recordPendingPause } from "../../src/store/control.js";
import { journalPath, openJournal, paperJournalPath } from "../../src/store/journal.js";
import { runCli } from "../helpers/cli.js";

/** The text's lines whole: these tests read their words (its 80-column test pins the breaking). */
const WHOLE = Number.POSITIVE_INFINITY;

const account = "0x00000000000000000000000000000000000000a1" as Address;
const leader = "0x00000000000000000000000000000000000000b2" as Address;
const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);

const target = (
  coin: string,
  leaderSize: number,
  targetSize: number,
  ourSize: number,
  mid: number,
): CoinTarget => ({
  coin,
  leaderSize,
  targetSize,
  ourSize,
  driftUsd: (targetSize - ourSize) * mid,
  mid,
  deadbandUsd: deadbandUsd(targetSize, mid, 0),
});

const sink = () => {
  let text = "";
  return { write: (t: string) => (text += t), text: () => text };
};

/**
 * A journal as a follow leaves it: equity records every few seconds, a sweep 12 s ago with its
 * targets, drift and P&L. HYPE was traded and closed during the copy (in no target any more);
 * ETH is a full close the copy wants (target 0); DOGE is a position hlcopy leaves alone.
 */
function journal(
  extra: CoinTarget[] = [],
  only?: CoinTarget[],
): { dir: string; pnl: ReturnType<typeof copyPnl> } {
  const dir = mkdtempSync(join(tmpdir(), "hlcopy-status-"));
  const j = openJournal(journalPath(dir, account));
  const runId = j.startRun({
    command: "follow",
    leaders: [{ address: leader, weight: 1 }],
    account,
    network: "mainnet",
    settings: {},
    startedAt: NOW - 300_000,
  });
  j.recordEquity(NOW - 300_000, 10_000);
  const targets = only ?? [
    target("BTC", 0.01844, 0.00092, 0.00092, 95_000),
    target("ETH", 0, 0, 0.0214, 3394.6),
    target("SOL", 0.87, 0.04, 0, 189.75),
    { ...target("DOGE", 0, 300, 300, 0.1), driftUsd: 0 },
    ...extra,
  ];
  const drift = driftReport({
    targets,
    skipped: [
      { coin: "SOL", reason: "below-min-notional" },
      { coin: "DOGE", reason: "coin-denied" },
    ],
    actionCoins: only ? only.map((t) => t.coin) : ["ETH", ...extra.map((t) => t.coin)],
  });
  const pnl = copyPnl({
    totals: foldPnl(
      [
        { coin: "BTC", px: 95_000, sz: 0.00092, fee: 0.04, closedPnl: 0 },
        { coin: "ETH", px: 3390, sz: 0.0214, fee: 0.03, closedPnl: 0 },
        { coin: "SOL", px: 190, sz: 0.2, fee: 0.02, closedPnl: 0 },
        { coin: "SOL", px: 188, sz: 0.2, fee: 0.02, closedPnl: -0.4 },
        { coin: "HYPE", px: 37.9, sz: 2, fee: 0.03, closedPnl: 0 },
        { coin: "HYPE", px: 38.4, sz: 2, fee: 0.03, closedPnl: 1 },
      ],
      [{ coin: "HYPE", usdc: 0.02 }],
    ),
    positions: [
      { coin: "BTC", size: 0.00092, entryPx: 95_000, markPx: 95_100 },
      { coin: "ETH", size: 0.0214, entryPx: 3390, markPx: 3394.6 },
    ],
    since: NOW - 300_000,
    startEquity: 10_000,
    leaders: [{ address: leader, weight: 1 }],
    shares: {},
  });
  j.recordEvent({
    ts: NOW - 12_000,
    type: "sweep",
    runId,
    data: {
      inSync: drift.inSync,
      driftUsd: drift.driftUsd,
      durationMs: 40,
      requests: 3,
      targets,
      drift,
      pnl,
    },
  });
  // A running follow keeps recording equity between sweeps.
  j.recordEquity(NOW - 2_000, 10_000.35);
  j.close();
  return { dir, pnl };
}

/**
 * A run that ended on stale data (the exchange unreachable for 90 s, in sync 100 s before):
 * its run-end record carries how fresh its data was, as the dashboard's state did.
 */
function endedStale(): string {
  const dir = mkdtempSync(join(tmpdir(), "hlcopy-status-"));
  const j = openJournal(journalPath(dir, account));
  const runId = j.startRun({
    command: "follow",
    leaders: [{ address: leader, weight: 1 }],
    account,
    network: "mainnet",
    settings: {},
    startedAt: NOW - 300_000,
  });
  j.recordEquity(NOW - 300_000, 10_000);
  const targets = [target("BTC", 0.01844, 0.00092, 0.00092, 95_000)];
  const drift = driftReport({ targets, skipped: [], actionCoins: [] });
  j.recordEvent({
    ts: NOW - 10_000,
    type: "state",
    runId,
    data: {
      targets,
      drift,
      freshness: { freshAt: NOW - 100_000, staleMs: 60_000, lastInSyncAt: NOW - 110_000 },
    },
  });
  j.endRun(runId, { endedAt: NOW - 10_000, exitCode: 0 });
  j.close();
  return dir;
}

async function status(
  dir: string,
  json: boolean,
  pauseMarker?: string,
): Promise<{ text: string; report: StatusReport }> {
  const out = sink();
  const report = (await runStatus({
    width: WHOLE,
    configDir: dir,
    account,
    json,
    out,
    now: NOW,
    ...(pauseMarker ? { pauseMarker } : {}),
  })) as StatusReport;
  return { text: out.text(), report };
}

/** The cells of the table row that starts with `coin`. */
const rowOf = (text: string, coin: string): string[] =>
  (text.split("\n").find((l) => l.startsWith(`│ ${coin} `)) ?? "")
    .split("│")
    .slice(1, -1)
    .map((c) => c.trim());

/** A dollar figure as the text shows it: "-$1,234.56" → -1234.56, "+$0.96" → 0.96. */
const usd = (s: string) => Number(s.replace(/[+$,]/g, ""));

describe("hlcopy status: one meaning per figure", () => {
  it("a coin traded and closed during the copy stays listed: the rows' P&L add up to the copy's net", async () => {
    const { dir, pnl } = journal();
    const { text } = await status(dir, false);
    const header = rowOf(text, "coin");
    const col = header.indexOf("P&L");
    const hype = rowOf(text, "HYPE");
    expect(hype[header.indexOf("status")]).toBe("closed");
    const coins = ["BTC", "ETH", "SOL", "DOGE", "HYPE"];
    const sum = coins
      .map((c) => rowOf(text, c)[col] ?? "-")
      .filter((x) => x !== "-")
      .reduce((s, x) => s + usd(x), 0);
    expect(sum).toBeCloseTo(pnl.netUsd, 2);
    expect(text).toContain(`net ${pnl.netUsd < 0 ? "-" : "+"}$${Math.abs(pnl.netUsd).toFixed(2)}`);
  });

  it("--json lists the same rows as the text: the closed coins too, with the P&L the table shows", async () => {
    const { dir, pnl } = journal();
    const { text } = await status(dir, false);
    const { report } = await status(dir, true);
    const header = rowOf(text, "coin");
    expect(report.closed).toEqual([
      { coin: "HYPE", netUsd: usd(rowOf(text, "HYPE")[header.indexOf("P&L")] ?? "") },
    ]);
    // Every row's P&L as the table's column shows it ("-": null), and the JSON's rows add up to
    // the net rounded to the cent, exactly, as the text's do.
    for (const x of report.positions) {
      const cell = rowOf(text, x.coin)[header.indexOf("P&L")];
      expect(x.netUsd, x.coin).toBe(cell === "-" ? null : usd(cell ?? ""));
    }
    const cents = (x: number | null) => Math.round((x ?? 0) * 100);
    const sum =
      report.positions.reduce((s, x) => s + cents(x.netUsd), 0) +
      report.closed.reduce((s, c) => s + cents(c.netUsd), 0);
    expect(sum).toBe(cents(pnl.netUsd));
  });

  it("drift % reads the same in the text and --json on every row: null is 'closing' at a target of 0, '-' otherwise", async () => {
    // FLAT: the leader holds, the copy's target rounds to 0 and we hold none: "-" (a % of
    // nothing; it read 0.0 % beside a halted row's $0.00), not closing.
    // DUST: a target of 0 and 0.6 ¢ of drift: shown as -$0.01, so closing (not 0 %) in both.
    const { dir } = journal([
      target("FLAT", 2, 0, 0, 10),
      { ...target("DUST", 0, 0, 0.0006, 10), driftUsd: -0.006 },
    ]);
    const { text } = await status(dir, false);
    const { report } = await status(dir, true);
    const header = rowOf(text, "coin");
    for (const p of report.positions) {
      const cell = rowOf(text, p.coin)[header.indexOf("drift%")];
      const expected =
        p.driftPct !== null
          ? `${p.driftPct.toFixed(1)}%`
          : p.targetSize === 0 && p.driftUsd !== 0
            ? "closing"
            : "-";
      expect({ coin: p.coin, cell }).toEqual({ coin: p.coin, cell: expected });
    }
    expect(report.positions.find((p) => p.coin === "FLAT")).toMatchObject({ targetSize: 0, driftPct: null });
    expect(rowOf(text, "FLAT")[header.indexOf("drift%")]).toBe("-");
    expect(report.positions.find((p) => p.coin === "DUST")).toMatchObject({
      driftUsd: -0.01,
      driftPct: null,
    });
    expect(report.positions.find((p) => p.coin === "ETH")).toMatchObject({ targetSize: 0, driftPct: null });
  });

  it("a flatten with no follow running is its last run by that name, not 'reconcile'; a reconcile stays one", async () => {
    const lastRunOf = async (leaders: { address: Address; weight: number }[]) => {
      const dir = mkdtempSync(join(tmpdir(), "hlcopy-status-"));
      const j = openJournal(journalPath(dir, account));
      // hlcopy flatten journals a one-shot reconcile to no leader (the journal's run kinds).
      const runId = j.startRun({
        command: "reconcile",
        leaders,
        account,
        network: "mainnet",
        settings: {},
        startedAt: NOW - 60_000,
      });
      j.recordEquity(NOW - 60_000, 10_000);
      j.endRun(runId, { endedAt: NOW - 55_000, exitCode: 0 });
      j.close();
      const { text } = await status(dir, false);
      const { report } = await status(dir, true);
      return {
        line: text.split("\n").find((l) => l.startsWith("last run:")),
        command: report.lastRun?.command,
      };
    };
    expect(await lastRunOf([])).toEqual({
      line: "last run: flatten started 60s ago, exit 0",
      command: "flatten",
    });
    expect(await lastRunOf([{ address: leader, weight: 1 }])).toMatchObject({ command: "reconcile" });
  });

  it("an hlcopy holding the account with no run journaled yet (at its review) is said, not hidden behind the last run", async () => {
    const line =
      "a follow (pid 424242) holds the account: starting, or waiting at its review or passphrase prompt (its run is journaled once it may send)";
    const { dir } = journal();
    // Its lock names its config directory: this one (another's is said otherwise: other-config-dir.cli.test.ts).
    const holder = { pid: 424_242, command: "follow", configDir: dir };
    const out = sink();
    const report = (await runStatus({
      width: WHOLE,
      configDir: dir,
      account,
      json: false,
      out,
      now: NOW,
      lockHolders: [holder],
    })) as StatusReport;
    expect(report.starting).toEqual(holder);
    expect(out.text()).toContain(`\n${line}\n`);
    // No journal yet at all (a first run waiting at its review): said too, in text and JSON.
    const fresh = mkdtempSync(join(tmpdir(), "hlcopy-status-"));
    const first = { ...holder, configDir: fresh };
    const text = sink();
    await runStatus({
      width: WHOLE,
      configDir: fresh,
      account,
      json: false,
      out: text,
      now: NOW,
      lockHolders: [first],
    });
    expect(text.text()).toMatch(new RegExp(`^no runs yet for .*\n${line.replace(/[()]/g, "\\$&")}\n$`));
    const json = sink();
    await runStatus({
      width: WHOLE,
      configDir: fresh,
      account,
      json: true,
      out: json,
      now: NOW,
      lockHolders: [first],
    });
    expect(JSON.parse(json.text())).toMatchObject({ lastRun: null, starting: first, elsewhere: null });
    // A paper run holds the lock too, but journals in the paper journal: never "starting" here.
    const paper = lockHolderView({ pid: 424_243, command: "follow", configDir: dir, paper: true });
    expect(paper).toEqual({ pid: 424_243, command: "follow --paper", configDir: dir });
    const paperText = sink();
    await runStatus({
      width: WHOLE,
      configDir: dir,
      account,
      json: false,
      out: paperText,
      now: NOW,
      lockHolders: [paper],
    });
    expect(paperText.text()).toContain(
      "\na follow --paper (pid 424243) holds the account: a paper run, which sends nothing (its journal is the paper one: hlcopy status --paper)\n",
    );
    expect(paperText.text()).not.toContain("starting");
    // The other way round: a live follow (running for an hour, or at its start) beside the paper
    // view is a live run, never "starting" there (it was, however long it had run).
    const withPaper = mkdtempSync(join(tmpdir(), "hlcopy-status-"));
    openJournal(paperJournalPath(withPaper, account)).close();
    for (const paperDir of [dir, withPaper]) {
      const live = { pid: 424_244, command: "follow", configDir: paperDir };
      const liveText = sink();
      await runStatus({
        width: WHOLE,
        configDir: paperDir,
        account,
        paper: true,
        json: false,
        out: liveText,
        now: NOW,
        lockHolders: [live],
      });
      expect(liveText.text()).toContain(
        "\na follow (pid 424244) holds the account: a live run, not a paper one (its journal is the live one: hlcopy status)\n",
      );
      expect(liveText.text()).not.toContain("starting");
    }
    // Nobody holding it: nothing said.
    expect((await status(dir, true)).report.starting).toBeNull();
  });

  it("--json carries each figure as the text shows it: drift to the cent, drift % to 0.1, no float tails", async () => {
    // ODD: 0.2 of 0.3 to go at 7.1: drift 1.42 USD (1.4199999999999997 as doubles), 66.67 %.
    const { dir } = journal([target("ODD", 3, 0.3, 0.1, 7.1)]);
    const { text } = await status(dir, false);
    const { report } = await status(dir, true);
    const header = rowOf(text, "coin");
    const odd = report.positions.find((p) => p.coin === "ODD");
    expect(odd).toMatchObject({ driftUsd: 1.42, driftPct: 66.7 });
    expect(`${odd?.driftPct}%`).toBe(rowOf(text, "ODD")[header.indexOf("drift%")]);
    const cents = (x: number | null) => x === null || Math.round(x * 100) / 100 === x;
    expect(report.drift?.coins.every((c) => cents(c.driftUsd))).toBe(true);
    expect(cents(report.drift?.driftUsd ?? null)).toBe(true);
    expect(cents(report.drawdownPct)).toBe(true);
  });

  it("each line says when its figures are from, the same way at its end; the equity line is one moment", async () => {
    const { dir } = journal();
    const { text } = await status(dir, false);
    const line = (start: string) => text.split("\n").find((l) => l.startsWith(start)) ?? "";
    // Equity, high-water mark and drawdown: the latest equity record's, dated after all three.
    expect(line("equity ")).toMatch(
      /^equity \$10,000\.35 · high-water mark \$10,000\.35 · drawdown 0\.00% \(as of 2\.0s ago, equity record\)$/,
    );
    // The P&L, the drift and the tables: the last sweep's, said the same way.
    expect(line("copy P&L since")).toMatch(/ \(as of 12s ago, last sweep\)$/);
    expect(line("drift $")).toMatch(/ \(as of 12s ago, last sweep\)$/);
    expect(line("copy P&L by coin")).toBe("copy P&L by coin (as of 12s ago, last sweep):");
  });

  it("drift %: 'closing' at a target of 0 (null in --json), never ±100 %; left alone: no drift figure (null, not 0)", async () => {
    const { dir } = journal();
    const { text } = await status(dir, false);
    const header = rowOf(text, "coin");
    const eth = rowOf(text, "ETH");
    expect(eth[header.indexOf("drift%")]).toBe("closing");
    expect(rowOf(text, "SOL")[header.indexOf("drift%")]).toBe("100.0%");
    const doge = rowOf(text, "DOGE");
    expect(doge[header.indexOf("drift $")]).toBe("-");
    expect(doge[header.indexOf("drift%")]).toBe("-");
    const { report } = await status(dir, true);
    const pos = (coin: string) => report.positions.find((p) => p.coin === coin);
    expect(pos("ETH")).toMatchObject({ targetSize: 0, driftPct: null });
    expect(pos("ETH")?.driftUsd).toBeCloseTo(-72.64, 2);
    expect(pos("DOGE")).toMatchObject({
      targetSize: null,
      driftUsd: null,
      driftPct: null,
      status: "left-alone",
    });
    expect(report.drift?.coins.find((c) => c.coin === "DOGE")?.driftUsd).toBeNull();
    expect(pos("BTC")).toMatchObject({ driftUsd: 0, driftPct: 0, status: "in-sync" });
  });

  it("one rounding rule: the same drift reads the same in the drift line, the table and --json", async () => {
    // 94.705 USD of drift: toFixed said 94.70 (the drift line) where Math.round said 94.71 (the table).
    const { dir } = journal([], [{ ...target("XRP", 100, 50, 0, 2), driftUsd: 94.705 }]);
    const { text } = await status(dir, false);
    const header = rowOf(text, "coin");
    expect(rowOf(text, "XRP")[header.indexOf("drift $")]).toBe("$94.71");
    expect(text).toContain("\ndrift $94.71 (XRP) (as of 12s ago, last sweep)\n");
    const { report } = await status(dir, true);
    expect(report.positions.find((p) => p.coin === "XRP")?.driftUsd).toBe(94.71);
  });
});

describe("hlcopy status: copy lag", () => {
  it("is said in the one format of core/format.ts fmtMs, as on the dashboard (39ms, 1.23s)", async () => {
    const { dir } = journal();
    const j = openJournal(journalPath(dir, account));
    for (const [tid, lagMs] of [
      [1, 1234.5],
      [2, 1234.5],
    ] as const)
      j.recordFill({
        tid,
        ts: NOW - 60_000,
        coin: "BTC",
        side: "buy",
        px: 95_000,
        sz: 0.001,
        fee: 0,
        kind: "copy",
        lagMs,
      });
    j.close();
    const { text } = await status(dir, false);
    expect(text).toContain("\ncopy lag (hot-path copies, last 24h): p50 1.23s · p99 1.23s\n");
  });

  it("names a --since window as it was typed (--since 1m is 'last 1m', not 'last 0.016666666666666666h')", async () => {
    const { dir } = journal();
    const out = sink();
    await runStatus({
      width: WHOLE,
      configDir: dir,
      account,
      json: false,
      out,
      now: NOW,
      sinceHours: String(1 / 60),
    });
    expect(out.text()).toContain("\nfills (last 1m): ");
    expect(out.text()).toContain("\ncopy lag (hot-path copies, last 1m): ");
  });

  it("a --since date is the window's start, named as the date (not as hours since it)", async () => {
    const { dir } = journal();
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const r = await runCli(["--account", account, "status", "--since", yesterday], {
      env: { HLCOPY_CONFIG_DIR: dir },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`\nfills (since ${yesterday} 00:00 UTC): `);
    expect(r.stdout).toContain(`\ncopy lag (hot-path copies, since ${yesterday} 00:00 UTC): `);
  });
});

describe("hlcopy status: fills hlcopy did not place, by origin (leftovers 3)", () => {
  it("a liquidation and an ADL are their own kinds, apart from trades outside hlcopy; other keeps its meaning", async () => {
    const { dir } = journal();
    const j = openJournal(journalPath(dir, account));
    const base = { ts: NOW - 60_000, coin: "BTC", side: "sell" as const, px: 95_000, sz: 0.001, fee: 0 };
    j.recordFill({ ...base, tid: 901, oid: 901, forced: "liquidation", copySz: 0.001 });
    j.recordFill({ ...base, tid: 902, oid: 902, forced: "adl" });
    j.recordFill({ ...base, tid: 903, oid: 903, forced: "adl" });
    j.recordFill({ ...base, tid: 904, oid: 904, forced: null });
    j.close();
    const { report } = await status(dir, true);
    expect(report.fills.byKind).toMatchObject({ liquidation: 1, adl: 2, outside: 1, other: 4 });
    const { text } = await status(dir, false);
    expect(text).toMatch(
      / · liquidation 1 · ADL 2 \(the exchange's: their part of hlcopy's position is in the copy P&L\) · outside hlcopy 1 \(by hand or another bot: not in the copy P&L but for what closed hlcopy's position\)\n/,
    );
    expect(text).not.toContain("not placed by hlcopy");
  });
});

describe("hlcopy status shortly after a start: the P&L has every fill made by its moment", () => {
  it("the first sweep's snapshot missed the join's fills (their reports came after it): they are summed in, and later fills are said", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hlcopy-status-"));
    const j = openJournal(journalPath(dir, account));
    const start = NOW - 30_000;
    const runId = j.startRun({
      command: "follow",
      leaders: [{ address: leader, weight: 1 }],
      account,
      network: "mainnet",
      settings: {},
      startedAt: start,
    });
    j.recordEquity(start, 10_000);
    // The join: three fills at start + 1 s; a copy at start + 2 s.
    const fill = (tid: number, ts: number, coin: string, px: number, fee: number, closedPnl = 0) =>
      j.recordFill({
        runId,
        tid,
        ts,
        coin,
        side: "buy",
        px,
        sz: 1,
        fee,
        closedPnl,
        kind: tid < 4 ? "join" : "copy",
      });
    fill(1, start + 1000, "BTC", 100, 0.1);
    fill(2, start + 1000, "ETH", 50, 0.2);
    fill(3, start + 1000, "SOL", 20, 0.3);
    fill(4, start + 2000, "BTC", 101, 0.05, 0.5);
    // The sweep at start + 2.5 s read the positions (unrealised −0.03) but had folded one fill.
    const snapshot = copyPnl({
      totals: foldPnl([{ coin: "BTC", px: 100, sz: 1, fee: 0.1, closedPnl: 0 }], []),
      positions: [
        { coin: "BTC", size: 2, entryPx: 100.5, markPx: 100.49 },
        { coin: "ETH", size: 1, entryPx: 50, markPx: 49.99 },
      ],
      since: start,
      startEquity: 10_000,
      leaders: [{ address: leader, weight: 1 }],
      shares: {},
    });
    j.recordEvent({
      ts: start + 2500,
      type: "sweep",
      runId,
      data: { inSync: true, driftUsd: 0, targets: [], pnl: snapshot },
    });
    // Two copies after the sweep: in the fill count, in no P&L figure yet.
    fill(5, start + 10_000, "ETH", 51, 0.01);
    fill(6, start + 12_000, "ETH", 52, 0.01);
    j.close();

    const { report } = await status(dir, true);
    const p = report.pnl;
    // Fees 0.1 + 0.2 + 0.3 + 0.05, realised 0.5, unrealised as the snapshot valued it.
    expect(p).toMatchObject({ feesUsd: 0.65, realisedUsd: 0.5, fills: 4, fillsAfter: 2 });
    expect(p?.unrealisedUsd).toBe(snapshot.unrealisedUsd);
    expect(p?.netUsd).toBeCloseTo(0.5 + snapshot.unrealisedUsd - 0.65, 6);
    expect(p?.byCoin.find((c) => c.coin === "BTC")).toMatchObject({ fills: 2, feesUsd: 0.15 });
    expect(p?.byCoin.find((c) => c.coin === "SOL")).toMatchObject({ fills: 1, feesUsd: 0.3 });
    expect(p?.byLeader[0]?.netUsd).toBeCloseTo(p?.netUsd ?? 0, 6);
    expect(report.fills.total).toBe(6);
    const { text } = await status(dir, false);
    expect(text).toMatch(/copy P&L since .*− fees \$0\.65 .*\(as of 28s ago, last sweep; 2 fills since\)\n/);
    expect(text).toContain("copy P&L by coin (as of 28s ago, last sweep; 2 fills since):");
  });
});

describe("hlcopy status --json: slippage and lag as the text shows them", () => {
  it("slippage to 0.1 bps and lag to the ms in every statistic (no 16-digit means, no p99 247.44000000000005)", async () => {
    const { dir } = journal();
    const j = openJournal(journalPath(dir, account));
    // Leader and touch prices a hair from the fill: slippages of many digits; lags with tails.
    for (const [tid, px, lagMs] of [
      [1, 95_001.3, 100.1],
      [2, 95_002.7, 247.44],
      [3, 94_999.9, 12.3],
    ] as const)
      j.recordFill({
        tid,
        ts: NOW - 60_000,
        coin: "BTC",
        side: "buy",
        px,
        sz: 0.001,
        fee: 0,
        kind: "copy",
        leaderPx: 95_000,
        touchPx: 94_999.7,
        lagMs,
      });
    j.close();
    const { report } = await status(dir, true);
    const at = (decimals: number) => (x: number | null) => x === null || Number(x.toFixed(decimals)) === x;
    const stats = [
      report.slippageBps,
      report.execSlippageBps.all,
      ...Object.values(report.execSlippageBps.byKind),
    ];
    for (const s of stats)
      for (const k of ["mean", "median", "p95", "p99", "max"] as const)
        expect(at(1)(s[k]), `${k} ${s[k]}`).toBe(true);
    for (const k of ["mean", "median", "p95", "p99", "max"] as const)
      expect(Number.isInteger(report.copyLagMs[k]), `${k} ${report.copyLagMs[k]}`).toBe(true);
    expect(report.slippageBps.count).toBe(3);
    // And the text says the same figures.
    const { text } = await status(dir, false);
    expect(text).toContain(
      `copy slippage vs the leader's fill (hot-path copies, last 24h, 3 fills): mean ${report.slippageBps.mean?.toFixed(1)} · p50 ${report.slippageBps.median?.toFixed(1)} · p95 ${report.slippageBps.p95?.toFixed(1)} bps`,
    );
  });
});

describe("hlcopy status on an 80-column terminal", () => {
  it("every line fits 80 columns, broken at its separators: the copy P&L and slippage lines were ~190 wide", async () => {
    const { dir } = journal();
    const j = openJournal(journalPath(dir, account));
    j.recordFill({
      tid: 1,
      ts: NOW - 60_000,
      coin: "BTC",
      side: "buy",
      px: 95_001.3,
      sz: 0.001,
      fee: 0,
      kind: "copy",
      leaderPx: 95_000,
      touchPx: 94_999.7,
      lagMs: 12,
    });
    j.close();
    const text = async (width: number) => {
      const out = sink();
      await runStatus({ width, configDir: dir, account, json: false, out, now: NOW });
      return out.text();
    };
    const whole = await text(WHOLE);
    const narrow = await text(80);
    expect(Math.max(...whole.split("\n").map((l) => [...l].length))).toBeGreaterThan(150);
    for (const line of narrow.split("\n")) expect([...line].length, line).toBeLessThanOrEqual(80);
    // The same words, only broken: a continuation is indented by two, at a separator or a space.
    expect(narrow.replace(/\n {2}(?=\S)/g, " ")).toBe(whole);
    // A P&L's parts stay with their operator: broken before " = " and " + ", never after.
    expect(narrow).toMatch(/\n {2}= realized [+-]?\$\S+ \+ unrealized /);
    expect(narrow).not.toMatch(/[=+−]\n/);
    expect(narrow).toMatch(/\n {2}[^\n]*p95 \S+ bps/);
  });

  it("every table fits 80 columns: the leader as the dashboard shortens it, the skip reasons beside their coin", async () => {
    const { dir } = journal();
    const { text } = await status(dir, false);
    const tables = text.split("\n").filter((l) => /^[│┌├└]/.test(l));
    expect(tables.length).toBeGreaterThan(10);
    const widest = Math.max(...tables.map((l) => [...l].length));
    expect(widest).toBeLessThanOrEqual(80);
    // The leader table names the leader as the dashboard does: 0x0000…00b2.
    expect(text).toMatch(/^│ 0x0000…00b2 +│/m);
    // The reasons are said under the table, per coin.
    expect(text).toContain("\nreasons: SOL below-min-notional · DOGE coin-denied\n");
    expect(rowOf(text, "SOL")[rowOf(text, "coin").indexOf("status")]).toBe("tolerated");
  });
});

describe("hlcopy status: a pause is never silent", () => {
  const marker = () => join(mkdtempSync(join(tmpdir(), "hlcopy-lock-")), "pause.json");
  /** A pid no process has (above Linux's pid_max). */
  const gone = 2 ** 22 + 1;

  it("a running follow that is paused: PAUSED, since when, which process; in --json too", async () => {
    const { dir } = journal();
    const path = marker();
    recordPendingPause(path, NOW - 300_000, process.pid);
    const { text } = await status(dir, false, path);
    expect(text.split("\n").slice(1, 3)).toEqual([
      "trading: not halted",
      `PAUSED since 2026-12-03 11:55 UTC (5m ago): the running follow (pid ${process.pid}) copies no leader trade — copy again with: hlcopy resume`,
    ]);
    const { report } = await status(dir, true, path);
    expect(report.paused).toEqual({ since: NOW - 300_000, running: true, pid: process.pid });
  });

  it("a pause left by a follow that ended paused (or hlcopy pause with none running): the next follow starts paused", async () => {
    const { dir } = journal();
    for (const pid of [gone, null]) {
      const path = marker();
      recordPendingPause(path, NOW - 60_000, pid);
      const { text } = await status(dir, false, path);
      expect(text).toContain(
        "\nPAUSED since 2026-12-03 11:59 UTC (60s ago): no follow is running; the next follow starts paused and reconcile copies nothing — lift it with: hlcopy resume\n",
      );
      expect((await status(dir, true, path)).report.paused).toEqual({
        since: NOW - 60_000,
        running: false,
        pid: null,
      });
    }
  });

  it("no pause: no PAUSED line, paused null", async () => {
    const { dir } = journal();
    const { text } = await status(dir, false, marker());
    expect(text).not.toContain("PAUSED");
    expect((await status(dir, true, marker())).report.paused).toBeNull();
  });
});

describe("the leader's position in status: the dashboard's leader and leader $ (M7)", () => {
  it("leaderUsd is its size at the record's mid (the one the P&L is valued at); '-' / null where the leader holds none", async () => {
    const { dir } = journal();
    const j = openJournal(journalPath(dir, account));
    const runId = j.lastRun()?.id ?? null;
    const targets = [target("BTC", 0.01844, 0.00092, 0.00092, 95_000), target("ETH", 0, 0, 0.0214, 3394.6)];
    // The mid moved since BTC's last plan ($95,000): the record's mids are the state's moment.
    j.recordEvent({
      ts: NOW - 1_000,
      type: "state",
      runId,
      data: {
        targets,
        drift: driftReport({ targets, skipped: [], actionCoins: ["ETH"] }),
        mids: { BTC: 96_000, ETH: 3400 },
      },
    });
    j.close();
    const { report } = await status(dir, true);
    expect(report.positions.find((p) => p.coin === "BTC")).toMatchObject({
      leaderSize: 0.01844,
      leaderUsd: 1770.24,
    });
    expect(report.positions.find((p) => p.coin === "ETH")).toMatchObject({ leaderSize: 0, leaderUsd: null });
    const { text } = await status(dir, false);
    expect(rowOf(text, "ETH")[1]).toBe("-");
    expect(rowOf(text, "BTC")[1]).toBe("0.01844");
  });
});

describe("the drift verdict on stale data", () => {
  it("a run that ended on stale data: the dashboard's words ('stale 1m · last in sync …'), never 'in sync'", async () => {
    const dir = endedStale();
    const { text } = await status(dir, false);
    // The dashboard's verdict at the run's end (core/drift.ts syncVerdict): its data was 90 s old.
    expect(text).toContain("\nstale 90s · last in sync 100s ago (as of 10s ago, run end)\n");
    expect(text).not.toMatch(/\nin sync \(as of/);
    const { report } = await status(dir, true);
    expect(report.drift).toMatchObject({ inSync: false, verdict: "stale 90s · last in sync 100s ago" });
  });

  it("a run that ended in sync hours ago: its record is not the copy now — 'stale …', never 'in sync' (M2)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hlcopy-status-"));
    const j = openJournal(journalPath(dir, account));
    const runId = j.startRun({
      command: "follow",
      leaders: [{ address: leader, weight: 1 }],
      account,
      network: "mainnet",
      settings: {},
      startedAt: NOW - 4 * 3_600_000,
    });
    const ended = NOW - 3 * 3_600_000;
    const targets = [target("BTC", 0.01844, 0.00092, 0.00092, 95_000)];
    const drift = driftReport({ targets, skipped: [], actionCoins: [] });
    j.recordEvent({
      ts: ended,
      type: "state",
      runId,
      data: { targets, drift, freshness: { freshAt: ended - 1_000, staleMs: 60_000, lastInSyncAt: ended } },
    });
    j.endRun(runId, { endedAt: ended, exitCode: 0 });
    j.close();
    const { text, report } = await status(dir, false);
    expect(text).toContain("\nstale 3h · last in sync 3h ago (as of 3h ago, run end)\n");
    expect(text).not.toMatch(/\nin sync \(as of/);
    expect(report.drift).toMatchObject({ inSync: false, verdict: "stale 3h · last in sync 3h ago" });
    // Within the window it is the record's own verdict, as before.
    const recent = await runStatus({
      width: WHOLE,
      configDir: dir,
      account,
      json: false,
      out: sink(),
      now: ended + 30_000,
    });
    expect(recent?.drift).toMatchObject({ inSync: true, verdict: "in sync" });
  });

  it("a record made on fresh data says its drift's words, as before", async () => {
    const { text, report } = await status(journal().dir, false);
    expect(report.drift?.verdict).toBe("drift $72.64 (ETH) · left alone: DOGE coin-denied");
    expect(text).toContain(`\n${report.drift?.verdict} (as of 12s ago, last sweep)\n`);
  });
});

describe("hlcopy status: the daily loss limit's stop is said, with the run's figure and until when", () => {
  /** The run's safety rules over the journal: a fall of 10.73 % since the day's first equity (10 000). */
  function hitDailyLoss(dir: string): string {
    const j = openJournal(journalPath(dir, account));
    const events: EngineEvent[] = [];
    const watch = new SafetyWatch({
      journal: j,
      settings: defaultSettings(), // daily loss 10 %, kill switch 25 %
      mode: "live",
      emit: (e) => events.push(e),
      now: () => NOW - 60_000,
    });
    watch.check({ accountValue: 8_927, cash: 10_000, time: NOW - 60_000 }, true);
    j.close();
    const halt = events.find((e) => e.type === "halt");
    if (halt?.type !== "halt" || halt.kind !== "daily-loss") throw new Error("no daily-loss halt");
    return halt.reason;
  }

  it("after 'HALT daily-loss: daily loss 10.73% …': no increases until 00:00 UTC, in the text and --json; not halted", async () => {
    const { dir } = journal();
    const reason = hitDailyLoss(dir);
    expect(reason).toBe("daily loss 10.73% reached the 10% limit: no increases until 00:00 UTC");
    const { text } = await status(dir, false);
    expect(text.split("\n")[1]).toBe(
      "trading: no increases until 00:00 UTC (in 12h) — daily loss 10.73% reached the 10% limit 60s ago; reductions still go, and it lifts by itself (or raise risk.maxDailyLossPct)",
    );
    const { report } = await status(dir, true);
    expect(report.halt).toBeNull();
    expect(report.dailyLoss).toEqual({
      lossPct: 10.73,
      limitPct: 10,
      since: NOW - 60_000,
      until: Date.UTC(2026, 11, 4),
      reason,
    });
  });

  it("the next UTC day it is gone: not halted, dailyLoss null", async () => {
    const { dir } = journal();
    hitDailyLoss(dir);
    const out = sink();
    const report = (await runStatus({
      width: WHOLE,
      configDir: dir,
      account,
      json: true,
      out,
      now: Date.UTC(2026, 11, 4),
    })) as StatusReport;
    expect(report.dailyLoss).toBeNull();
  });
});

describe("hlcopy status: a halt's closes not sent are said, with what to do", () => {
  it("the kill switch stands and positions are still open as of the last sweep: 'kill switch active: N closes not sent'", async () => {
    const { dir } = journal();
    const j = openJournal(journalPath(dir, account));
    j.recordHalt({
      ts: NOW - 6_000,
      kind: "kill-switch",
      reason: "drawdown 25.10% from high-water mark 10000.00 reached the 25% limit",
    });
    j.close();
    const { text } = await status(dir, false);
    expect(text.split("\n").slice(1, 3)).toEqual([
      "HALTED (kill-switch) 6.0s ago: drawdown 25.10% from high-water mark 10000.00 reached the 25% limit — clear with: hlcopy resume",
      "kill switch active: 3 closes not sent (BTC, ETH, DOGE) — hlcopy flatten sends them now, or the next follow or reconcile does at its first sweep; the halt stays until hlcopy resume (as of 12s ago, last sweep)",
    ]);
    const { report } = await status(dir, true);
    expect(report.halt?.closesNotSent).toEqual({
      count: 3,
      coins: ["BTC", "ETH", "DOGE"],
      asOf: NOW - 12_000,
    });
  });

  it("flat under the halt: no such line, closesNotSent null", async () => {
    const { dir } = journal([], [target("BTC", 0.01844, 0, 0, 95_000)]);
    const j = openJournal(journalPath(dir, account));
    j.recordHalt({ ts: NOW - 6_000, kind: "kill-switch", reason: "drawdown 25.10%" });
    j.close();
    expect((await status(dir, false)).text).not.toContain("not sent");
    expect((await status(dir, true)).report.halt?.closesNotSent).toBeNull();
  });
});
