// `hlcopy report` and `status` through the real binary, on a journal written by hand: the
// per-day table, the JSON document, the CSV exports a spreadsheet or tax tool imports, the
// slippage budget warning, and the usage errors.

import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { beforeAll, describe, expect, it } from "vitest";
import type { CopyPnl } from "../../src/core/pnl.js";
import { emptyPlan } from "../../src/core/protection.js";
import type { Address, Plan } from "../../src/core/types.js";
import { journalPath, openJournal } from "../../src/store/journal.js";
import { JOURNAL_APPLICATION_ID, MIGRATIONS } from "../../src/store/migrations.js";
import { runCli, tempDir } from "../helpers/cli.js";
import { action } from "../store/fixtures.js";

const ACCOUNT = "0x00000000000000000000000000000000000000a1" as Address;
const LEADER = "0x00000000000000000000000000000000000000b2";
const DAY = 86_400_000;
const NOW = Date.now();
const D1 = Math.floor(NOW / DAY) * DAY - DAY; // yesterday 00:00 UTC
const dir = tempDir();
const env = { HLCOPY_CONFIG_DIR: dir };

const pnl = (unrealisedUsd: number): CopyPnl => ({
  since: D1,
  startEquity: 10_000,
  realisedUsd: 0,
  unrealisedUsd,
  feesUsd: 0,
  fundingUsd: 0,
  netUsd: unrealisedUsd,
  roiPct: unrealisedUsd / 100,
  fills: 0,
  volumeUsd: 0,
  byCoin: [],
  byLeader: [],
});

beforeAll(() => {
  const j = openJournal(journalPath(dir, ACCOUNT));
  j.startRun({
    command: "follow",
    leaders: [{ address: "0x00000000000000000000000000000000000000b2", weight: 1 }],
    account: ACCOUNT,
    network: "mainnet",
    settings: { exec: { slippageBudgetBps: 5 } },
    startedAt: D1 + 1_000,
  });
  j.recordEquity(D1 + 2_000, 10_000);
  // Yesterday: a copy buys BTC (fee 2.7, 20 bps over the touch), a repair sells some ETH.
  const buy = action({ coin: "BTC", size: 0.1, cloid: "0x0000000000000000000000000000000b", refPx: 60_000 });
  j.recordOrderIntent({ runId: 1, ts: D1 + 3_000, action: buy, kind: "copy", touchPx: 60_000 });
  j.updateOrder(buy.cloid, { ts: D1 + 3_001, status: "filled", filledSize: 0.1, avgPx: 60_120 });
  j.recordFill({
    tid: 1,
    ts: D1 + 3_002,
    coin: "BTC",
    side: "buy",
    px: 60_120,
    sz: 0.1,
    fee: 2.7,
    cloid: buy.cloid,
    closedPnl: 0,
    lagMs: 40,
  });
  j.recordFunding({ ts: D1 + 3_600_000, coin: "BTC", usdc: -0.75, szi: 0.1, rate: 0.000125 });
  j.recordEvent({ ts: D1 + 4_000, type: "sweep", data: { inSync: true, driftUsd: 3, pnl: pnl(10) } });
  j.recordEquity(D1 + 20 * 3_600_000, 10_007);
  // Today: the copy closes half at a profit (1.147… bps under the touch, 0.491… under the leader:
  // figures of more decimals than a bps figure is shown with).
  const sell = action({
    coin: "BTC",
    side: "sell",
    size: 0.05,
    reduceOnly: true,
    reason: "reduce",
    cloid: "0x0000000000000000000000000000000c",
    refPx: 61_003,
  });
  j.recordOrderIntent({ runId: 1, ts: D1 + DAY + 1_000, action: sell, kind: "copy", touchPx: 61_007 });
  j.updateOrder(sell.cloid, { ts: D1 + DAY + 1_001, status: "filled", filledSize: 0.05, avgPx: 61_000 });
  j.recordFill({
    tid: 2,
    ts: D1 + DAY + 1_002,
    coin: "BTC",
    side: "sell",
    px: 61_000,
    sz: 0.05,
    fee: 1.37,
    cloid: sell.cloid,
    closedPnl: 44,
    lagMs: 30,
  });
  // A leader's trade that came while the run was paused: its order held, a skip `paused`.
  j.recordLeaderFill({ runId: 1, seq: 1, ts: D1 + DAY + 1_400, leader: LEADER, oid: 77, coin: "ETH" });
  const held = action({ coin: "ETH", size: 1, cloid: "0x0000000000000000000000000000000e", refPx: 3_000 });
  j.recordDecision({
    runId: 1,
    ts: D1 + DAY + 1_500,
    trigger: "fill",
    coins: ["ETH"],
    plan: { ...emptyPlan(), actions: [held] } as Plan,
    held: "paused",
    leaderSeen: 1,
  });
  j.recordEvent({ ts: D1 + DAY + 2_000, type: "sweep", data: { inSync: true, driftUsd: 1, pnl: pnl(22) } });
  j.recordEquity(D1 + DAY + 3_000, 10_061.9);
  j.close();
});

describe("hlcopy report", () => {
  it("--json: one row per UTC day whose P&L adds up (realised − fees + funding + Δ unrealised)", async () => {
    const r = await runCli(["--account", ACCOUNT, "--json", "report", "--since", "3d"], { env });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.type).toBe("report");
    expect(doc.days).toHaveLength(2);
    const [a, b] = doc.days;
    // Yesterday: −2.7 fees − 0.75 funding + (10 − 0) unrealised = 6.55.
    expect(a).toMatchObject({
      realisedUsd: 0,
      feesUsd: 2.7,
      fundingUsd: -0.75,
      unrealisedChangeUsd: 10,
      // Our orders that filled, named as the summary names them (`trades`: its old name, kept).
      ordersFilled: 1,
      trades: 1,
    });
    expect(doc.totals).toMatchObject({ ordersFilled: 2, trades: 2 });
    expect(a.pnlUsd).toBeCloseTo(6.55, 6);
    expect(a.equity).toBe(10_007);
    expect(a.execSlippageBps.median).toBeCloseTo(20, 6);
    // Today: 44 − 1.37 + (22 − 10) = 54.63.
    expect(b.pnlUsd).toBeCloseTo(54.63, 6);
    expect(doc.totals.pnlUsd).toBeCloseTo(61.18, 6);
    expect(doc.pnl.netUsd).toBe(22);
    // Each P&L figure with its moment: the copy's snapshot, and the unrealised the window ends on.
    expect(doc.pnl.asOf).toBe(D1 + DAY + 2_000);
    expect(doc.unrealisedAsOf).toBe(D1 + DAY + 2_000);
    // The leader's trades, under follow --json's names: yesterday none, today one the pause held.
    expect(a).toMatchObject({ leaderTrades: 0, skippedTrades: 0, skipped: {} });
    expect(b).toMatchObject({ leaderTrades: 1, copiedTrades: 0, skippedTrades: 1, skipped: { paused: 1 } });
    expect(doc.totals).toMatchObject({
      leaderTrades: 1,
      skippedTrades: 1,
      skipped: { paused: 1 },
      tradesNotKnown: null,
    });
  });

  it("the table and the charts for people", async () => {
    const r = await runCli(["--account", ACCOUNT, "report", "--since", "3d"], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("day (UTC)");
    // The lines of words as written, before they were cut to the terminal's width.
    const text = unwrap(r.stdout);
    expect(text).toMatch(
      /window: P&L \+\$61\.18 = realized \+\$44\.00 \+ unrealized change \+\$22\.00 − fees \$4\.07 \+ funding -\$0\.75 \(as of \S+ ago, last sweep (\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d UTC\); /,
    );
    // The two P&L figures are of two moments: each line says its own, as status does.
    expect(text).toMatch(
      /\ncopy P&L since \d{4}-\d\d-\d\d \d\d:\d\d UTC: net \+\$22\.00 .*\(as of \S+ ago, last sweep\) — hlcopy status has it per coin and per leader\n/,
    );
    expect(r.stdout).toContain("equity (USD)");
    expect(r.stdout).toContain("drawdown from the high-water mark");
    // The charts' axes in the form of every other figure of the same name: equity as the
    // table's equity column ($10,007.00, not 10007.00), drawdown as status's (0.00%).
    const charts = r.stdout.slice(r.stdout.indexOf("equity (USD)"));
    const axes = charts.split("\n").flatMap((l) => /^ *(\S+) ┤/.exec(l)?.[1] ?? []);
    expect(axes).toEqual(["$10,007.00", "$10,000.00", "0.00%", "0.00%"]);
    expect(charts).toContain("drawdown from the high-water mark (max 0.00%)");
    // The trade the pause held is a skip, counted as the dashboard and the summary count it.
    // Two units, each named: our orders filled, the leader's trades (in the summary's words).
    expect(text).toMatch(
      /\nleader trades by day \(of the first fill; as follow's summary counts them\):\s+\d{4}-\d\d-\d\d {2}leader trades 1: copied 0, skipped 1 \(paused 1\)\n.*; 2 orders filled \(2 fills\); leader trades 1: copied 0, skipped 1 \(paused 1\)\n/,
    );
    expect(r.stdout).toMatch(/│ day \(UTC\) +│ equity +│ orders +│[^\n]*\n│ +│ +│ filled +│/);
    // Copy slippage's n counts fills (as status says it), not copies.
    expect(text).toMatch(/copy slippage vs the leader p50 \S+ · p95 \S+ bps \(2 fills\)/);
  });

  it("--csv naming a directory is refused: its files went beside it (/tmp → /tmp.csv, /tmp-orders.csv)", async () => {
    const parent = tempDir();
    const exports = join(parent, "exports");
    mkdirSync(exports);
    for (const given of [exports, `${exports}/`, `${join(parent, "new")}/`]) {
      const r = await runCli(["--account", ACCOUNT, "report", "--since", "3d", "--csv", given], { env });
      expect(r.code, given).toBe(2);
      expect(r.stderr, given).toMatch(
        /^error: --csv .* is a directory: it takes a file name\nhint: e\.g\. --csv .*copy\.csv .*\n$/,
      );
      expect(r.stdout, given).toBe("");
      expect(readdirSync(parent).sort(), given).toEqual(["exports"]);
      expect(readdirSync(exports), given).toEqual([]);
    }
  });

  it("--csv writes fills, orders and funding with the columns a tax tool imports, 0600", async () => {
    const file = join(dir, "out", "copy.csv");
    const r = await runCli(["--account", ACCOUNT, "report", "--since", "3d", "--csv", file], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`\nwrote:\n  ${file}\n  ${join(dir, "out", "copy-orders.csv")}\n`);
    const fills = readFileSync(file, "utf8").trim().split("\n");
    expect(fills[0]).toBe(
      "date_utc,timestamp_ms,type,market,coin,side,size,price,notional_usd,fee,fee_currency,realized_pnl_usd,order_kind,order_reason,cloid,oid,tid,exec_slippage_bps,copy_slippage_bps,copy_size",
    );
    expect(fills).toHaveLength(3);
    // Slippage to 0.1 bps, as every bps figure (core/format.ts FIGURE_DECIMALS), not 1.1474 / 0.4918.
    expect(fills[2]).toMatch(
      /,trade,perp,BTC,sell,0\.05,61000,3050,1\.37,USDC,44,copy,reduce,0x0+c,,2,1\.1,0\.5,0\.05$/,
    );
    const orders = readFileSync(join(dir, "out", "copy-orders.csv"), "utf8")
      .trim()
      .split("\n");
    expect(orders[0]).toContain("order_kind,reason,status,filled_size,avg_px");
    expect(orders).toHaveLength(3);
    const funding = readFileSync(join(dir, "out", "copy-funding.csv"), "utf8")
      .trim()
      .split("\n");
    expect(funding[0]).toBe(
      "date_utc,timestamp_ms,type,coin,amount_usd,position_size,funding_rate,copy_amount_usd",
    );
    // Journaled without a copy's part (as an older hlcopy did): counted whole, as it was.
    expect(funding[1]).toMatch(/,funding,BTC,-0\.75,0\.1,0\.000125,-0\.75$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("--csv over an earlier export is refused, nothing written, unless --force (it replaced it unsaid)", async () => {
    const parent = tempDir();
    const file = join(parent, "copy.csv");
    writeFileSync(join(parent, "copy-orders.csv"), "last month\n");
    const r = await runCli(["--account", ACCOUNT, "report", "--since", "3d", "--csv", file], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `error: --csv would overwrite ${join(parent, "copy-orders.csv")}: it exists already\nhint: give --csv another file name, or pass --force to replace the files\n`,
    );
    expect(r.stdout).toBe("");
    expect(readdirSync(parent)).toEqual(["copy-orders.csv"]);
    expect(readFileSync(join(parent, "copy-orders.csv"), "utf8")).toBe("last month\n");
    const json = await runCli(["--account", ACCOUNT, "--json", "report", "--since", "3d", "--csv", file], {
      env,
    });
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({
      type: "error",
      message: expect.stringContaining("overwrite"),
    });
    expect(readdirSync(parent)).toEqual(["copy-orders.csv"]);
    // --force says so: all three written.
    const forced = await runCli(["--account", ACCOUNT, "report", "--since", "3d", "--csv", file, "--force"], {
      env,
    });
    expect(forced.code).toBe(0);
    expect(readdirSync(parent).sort()).toEqual(["copy-funding.csv", "copy-orders.csv", "copy.csv"]);
    expect(readFileSync(join(parent, "copy-orders.csv"), "utf8")).toMatch(/^date_utc,/);
    // An existing file with a slash after it is not "a directory" (its hint read copy.csv/copy.csv).
    const slashed = await runCli(["--account", ACCOUNT, "report", "--since", "3d", "--csv", `${file}/`], {
      env,
    });
    expect(slashed.code).toBe(2);
    expect(slashed.stderr).toBe(
      `error: --csv ${file}/ ends with a slash, and ${file} is a file, not a directory\nhint: e.g. --csv ${file} (with --force to replace it), or another file name\n`,
    );
    // A path under a file: exit 2 naming it (it was exit 1, "EEXIST: … mkdir" and a hint to check the disk).
    const under = await runCli(
      ["--account", ACCOUNT, "report", "--since", "3d", "--csv", join(file, "x", "y.csv")],
      {
        env,
      },
    );
    expect(under.code).toBe(2);
    expect(under.stderr).toBe(
      `error: --csv ${join(file, "x", "y.csv")}: ${file} is a file, not a directory\nhint: give --csv a path in a directory, e.g. --csv copy.csv\n`,
    );
    // --force with no --csv would do nothing: refused.
    const idle = await runCli(["--account", ACCOUNT, "report", "--since", "3d", "--force"], { env });
    expect(idle.code).toBe(2);
    expect(idle.stderr).toMatch(/^error: --force replaces the files of --csv, and no --csv is given\nhint: /);
  });

  it("usage errors exit 2 with a hint; no journal is no error", async () => {
    const bad = await runCli(["--account", ACCOUNT, "report", "--since", "soon"], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /^error: invalid --since "soon".*\nhint: e\.g\. hlcopy report --since 7d, or --since 2026-12-01\n$/,
    );
    const none = await runCli(["--account", ACCOUNT, "report"], { env: { HLCOPY_CONFIG_DIR: tempDir() } });
    expect(none.code).toBe(0);
    expect(none.stdout).toContain("no runs yet");
    expect(none.stdout.split("\n").filter((l) => [...l].length > 80)).toEqual([]);
    // --csv with nothing to export: no file, and it is said (it was left unsaid).
    const empty = tempDir();
    const csv = join(tempDir(), "fills.csv");
    const noCsv = await runCli(["--account", ACCOUNT, "report", "--csv", csv], {
      env: { HLCOPY_CONFIG_DIR: empty },
    });
    expect(noCsv.code).toBe(0);
    expect(unwrap(noCsv.stdout)).toMatch(/^no runs yet .*; nothing to export: no CSV written\n$/);
    expect(readdirSync(join(csv, ".."))).toEqual([]);
    const noCsvJson = await runCli(["--account", ACCOUNT, "--json", "report", "--csv", csv], {
      env: { HLCOPY_CONFIG_DIR: empty },
    });
    expect(JSON.parse(noCsvJson.stdout)).toMatchObject({ journal: null, csv: null });
  });
});

/** Lines cut by wrapToWidth joined again (a continuation starts with two spaces more). */
function unwrap(text: string): string {
  return text.replace(/\n {2}(?=\S)/g, " ");
}

describe("hlcopy report on an 80-column terminal", () => {
  it("every line fits 80 columns when piped — tables, charts and its own lines (the account shortened; --json keeps it whole); the skips are said under the tables", async () => {
    const big = tempDir();
    const j = openJournal(journalPath(big, ACCOUNT));
    const runId = j.startRun({
      command: "follow",
      leaders: [{ address: "0x00000000000000000000000000000000000000b2", weight: 1 }],
      account: ACCOUNT,
      network: "mainnet",
      settings: {},
      startedAt: D1 + 1_000,
    });
    j.recordEquity(D1 + 2_000, 1_234_567.89);
    const buy = action({ coin: "BTC", size: 10, cloid: "0x0000000000000000000000000000000d", refPx: 60_000 });
    j.recordOrderIntent({ runId, ts: D1 + 3_000, action: buy, kind: "copy", touchPx: 60_000 });
    j.updateOrder(buy.cloid, { ts: D1 + 3_001, status: "filled", filledSize: 10, avgPx: 60_120 });
    j.recordFill({
      tid: 1,
      ts: D1 + 3_002,
      coin: "BTC",
      side: "buy",
      px: 60_120,
      sz: 10,
      fee: 270.54,
      cloid: buy.cloid,
      closedPnl: -12_345.67,
      lagMs: 40,
    });
    j.recordFunding({ ts: D1 + 3_600_000, coin: "BTC", usdc: -1_234.56, szi: 10, rate: 0.000125 });
    for (const [i, reason] of [
      "below-min-notional",
      "entry-drift",
      "below-min-notional",
      "leverage-cap",
      "coin-denied",
    ].entries()) {
      j.recordLeaderFill({
        runId,
        seq: i + 1,
        ts: D1 + 4_000 + i,
        leader: LEADER,
        oid: 100 + i,
        coin: "SOL",
      });
      j.recordDecision({
        runId,
        ts: D1 + 5_000 + i,
        trigger: "fill",
        coins: ["SOL"],
        plan: { ...emptyPlan(), skipped: [{ coin: "SOL", reason, detail: "x" }] } as Plan,
        leaderSeen: i + 1,
      });
    }
    // The sweep's equity read, then its record: the report is of that moment.
    j.recordEquity(D1 + 20 * 3_600_000, 1_198_765.43);
    j.recordEvent({
      ts: D1 + 20 * 3_600_000 + 1_000,
      type: "sweep",
      data: { inSync: false, driftUsd: 12_345.67, pnl: pnl(-23_456.78) },
    });
    j.close();
    const csv = join(big, "exports", "copy-report.csv");
    const r = await runCli(["--account", ACCOUNT, "report", "--since", "3d", "--csv", csv], {
      env: { HLCOPY_CONFIG_DIR: big },
    });
    expect(r.code).toBe(0);
    // Every line of it: the header, the window's figures, the slippage, the copy's P&L, the CSV paths.
    const over = r.stdout.split("\n").filter((l) => [...l].length > 80);
    expect(over).toEqual([]);
    expect(r.stdout).toMatch(/^copy report for 0x0000…00a1: \d{4}-\d\d-\d\d \d\d:\d\d → /);
    expect(r.stdout).not.toContain(ACCOUNT);
    expect(r.stdout).toContain(`\nwrote:\n  ${csv}\n`);
    const json = await runCli(["--json", "--account", ACCOUNT, "report", "--since", "3d"], {
      env: { HLCOPY_CONFIG_DIR: big },
    });
    expect((JSON.parse(json.stdout) as { account: string }).account).toBe(ACCOUNT);
    const tables = r.stdout.split("\n").filter((l) => /^[│┌├└]/.test(l));
    expect(tables.length).toBeGreaterThan(8);
    expect(Math.max(...tables.map((l) => [...l].length))).toBeLessThanOrEqual(80);
    // The day's figures are all there, in the two tables.
    expect(r.stdout).toMatch(
      /│ \d{4}-\d\d-\d\d +│ -\$37,307\.55 +│ -\$12,345\.67 +│ -\$23,456\.78 +│ \$270\.54 +│ -\$1,234\.56 +│/,
    );
    expect(r.stdout).toMatch(/│ \d{4}-\d\d-\d\d +│ \$1,198,765\.43 +│ 1 +│ 20\.0\/20\.0 +│/);
    // (its lines as one: the day's line is cut at a separator to fit)
    expect(r.stdout.replace(/\s+/g, " ")).toMatch(
      / leader trades by day \(of the first fill; as follow's summary counts them\): \d{4}-\d\d-\d\d leader trades 5: copied 0, skipped 5 \(below-min-notional 2, coin-denied 1, entry-drift 1, leverage-cap 1\) window: /,
    );
    // The charts fit too.
    const chart = r.stdout.slice(r.stdout.indexOf("equity (USD)")).split("\n");
    expect(Math.max(...chart.map((l) => [...l].length))).toBeLessThanOrEqual(80);
  });
});

describe("hlcopy status", () => {
  it("warns when the window's execution slippage p95 exceeds the run's exec.slippageBudgetBps", async () => {
    // Five more copies at 20 bps over the touch: enough fills for a p95, over the budget of 5.
    const j = openJournal(journalPath(dir, ACCOUNT));
    for (let i = 0; i < 5; i++) {
      j.recordFill({
        tid: 10 + i,
        ts: NOW - 60_000 + i,
        coin: "ETH",
        side: "buy",
        px: 3_006,
        sz: 0.01,
        fee: 0.01,
        touchPx: 3_000,
        kind: "copy",
        leaderPx: 3_000,
        lagMs: 20,
      });
    }
    j.close();
    const r = await runCli(["--account", ACCOUNT, "status"], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/warning: execution slippage p95 20\.0 bps exceeds exec\.slippageBudgetBps 5/);
    const json = JSON.parse((await runCli(["--account", ACCOUNT, "--json", "status"], { env })).stdout);
    expect(json.slippageBudget).toMatchObject({ budgetBps: 5, exceeded: true });
    expect(json.pnl.netUsd).toBe(22);
  });
});

describe("hlcopy report on a journal from before the leader's fills were kept (schema 12)", () => {
  it("opens it (migrated), reports its older run's days, and says their leader trades are not known — no figure under the name; a newer run's are counted", async () => {
    const old = tempDir();
    const file = journalPath(old, ACCOUNT);
    mkdirSync(join(file, ".."), { recursive: true });
    const db = new DatabaseSync(file);
    for (const m of MIGRATIONS.filter((m) => m.version <= 12)) {
      db.exec(m.sql);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, 0)").run(
        m.version,
        m.name,
      );
    }
    db.exec(`PRAGMA user_version = 12; PRAGMA application_id = ${JOURNAL_APPLICATION_ID}`);
    // Yesterday's follow, as hlcopy journaled it then: a leader fill's decision that skipped SOL.
    db.prepare(
      `INSERT INTO runs (id, command, leaders, account, network, started_at, ended_at, exit_code, settings)
       VALUES (1, 'follow', ?, ?, 'mainnet', ?, ?, 0, '{}')`,
    ).run(JSON.stringify([{ address: LEADER, weight: 1 }]), ACCOUNT, D1 + 1_000, D1 + 9_000);
    db.prepare(
      `INSERT INTO decisions (run_id, ts, trigger, coins, plan, in_sync, n_actions, n_skipped)
       VALUES (1, ?, 'fill', '["SOL"]', ?, 0, 0, 1)`,
    ).run(
      D1 + 5_000,
      JSON.stringify({ ...emptyPlan(), skipped: [{ coin: "SOL", reason: "below-min-notional" }] }),
    );
    db.close();

    const cli = (...args: string[]) =>
      runCli(["--account", ACCOUNT, ...args, "report", "--since", "3d"], { env: { HLCOPY_CONFIG_DIR: old } });
    const before = JSON.parse((await cli("--json")).stdout);
    expect(before.days.map((d: { day: string }) => d.day)).toHaveLength(2);
    // Its day: not known (null), never a different count under the same name; today: no run, none.
    expect(before.days[0]).toMatchObject({ leaderTrades: null, skippedTrades: null, skipped: null });
    expect(before.days[1]).toMatchObject({ leaderTrades: 0, skipped: {} });
    expect(before.totals).toMatchObject({
      leaderTrades: 0,
      tradesNotKnown: { days: [before.days[0].day], runs: [1] },
    });
    const text = (await cli()).stdout.replace(/\s+/g, " ");
    expect(text).toContain(`${before.days[0].day} leader trades not known (run #1)`);
    expect(text).toContain(
      `leader trades not known for run #1 (${before.days[0].day}): journaled before hlcopy kept the leader's fills; the leader trades shown count the other runs only`,
    );
    // The journal is migrated: a run of this build keeps them and is counted.
    const j = openJournal(file);
    const run = j.startRun({
      command: "follow",
      leaders: [{ address: LEADER, weight: 1 }],
      account: ACCOUNT,
      network: "mainnet",
      settings: {},
      startedAt: D1 + DAY + 1_000,
    });
    j.recordLeaderFill({ runId: run, seq: 1, ts: D1 + DAY + 1_100, leader: LEADER, oid: 9, coin: "ETH" });
    j.recordDecision({
      runId: run,
      ts: D1 + DAY + 1_200,
      trigger: "fill",
      coins: ["ETH"],
      plan: { ...emptyPlan(), skipped: [{ coin: "ETH", reason: "inside-deadband" }] } as Plan,
      leaderSeen: 1,
    });
    j.endRun(run, { endedAt: D1 + DAY + 2_000, exitCode: 0 });
    j.close();
    const after = JSON.parse((await cli("--json")).stdout);
    expect(after.days[1]).toMatchObject({ leaderTrades: 1, inLineTrades: 1, tradesNotKnown: null });
    expect(after.totals).toMatchObject({ leaderTrades: 1, inLineTrades: 1, tradesNotKnown: { runs: [1] } });

    // A run of this build on the older run's own day: that day was "not known" whole, the newer
    // run's trade shown nowhere. Now the day counts it and names the run whose are not known.
    const j2 = openJournal(file);
    const same = j2.startRun({
      command: "follow",
      leaders: [{ address: LEADER, weight: 1 }],
      account: ACCOUNT,
      network: "mainnet",
      settings: {},
      startedAt: D1 + 20_000,
    });
    j2.recordLeaderFill({ runId: same, seq: 1, ts: D1 + 20_100, leader: LEADER, oid: 10, coin: "BTC" });
    j2.recordDecision({
      runId: same,
      ts: D1 + 20_200,
      trigger: "fill",
      coins: ["BTC"],
      plan: { ...emptyPlan(), skipped: [{ coin: "BTC", reason: "below-min-notional" }] } as Plan,
      leaderSeen: 1,
    });
    j2.endRun(same, { endedAt: D1 + 21_000, exitCode: 0 });
    j2.close();
    const mixed = JSON.parse((await cli("--json")).stdout);
    const day = mixed.days[0].day;
    expect(mixed.days[0]).toMatchObject({
      leaderTrades: 1,
      skippedTrades: 1,
      skipped: { "below-min-notional": 1 },
      tradesNotKnown: { runs: [1] },
    });
    // The totals: both known runs' trades, and the one run whose are not known named.
    expect(mixed.totals).toMatchObject({
      leaderTrades: 2,
      inLineTrades: 1,
      skippedTrades: 1,
      tradesNotKnown: { days: [day], runs: [1] },
    });
    const mixedText = (await cli()).stdout.replace(/\s+/g, " ");
    expect(mixedText).toContain(
      `${day} leader trades 1: copied 0, skipped 1 (below-min-notional 1); 1 run's leader trades not known (#1)`,
    );
    expect(mixedText).toMatch(
      /orders filled \(0 fills\); leader trades 2: .*; 1 run's leader trades not known \(#1\)/,
    );
  });
});
