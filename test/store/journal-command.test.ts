// `hlcopy journal`, in-process: flag parsing, the empty cases, the table and the JSON array.
import { existsSync, rmSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { entryRow, parseJournalType, parseLimit, parseSince } from "../../src/cli/journal/format.js";
import { runJournal } from "../../src/cli/journal/run.js";
import { createProgram } from "../../src/cli/program.js";
import { UsageError } from "../../src/core/errors.js";
import type { Plan } from "../../src/core/types.js";
import { journalPath, openJournal, paperJournalPath } from "../../src/store/journal.js";
import { runCli, tempDir } from "../helpers/cli.js";
import { action, plan } from "./fixtures.js";

const ACCOUNT = "0x00000000000000000000000000000000000000a1";
const LEADER = "0x5e9ee1089755c3435139848e47e6635505d5a13a";
const T0 = Date.UTC(2025, 0, 2, 12, 0, 0);

function sink() {
  let text = "";
  return {
    write: (s: string) => {
      text += s;
      return true;
    },
    get text() {
      return text;
    },
  };
}

function usage(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error("expected a UsageError");
}

let dir: string;
beforeEach(() => {
  dir = tempDir("hlcopy-journal-cmd-");
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

/** A small journal: a run, a decision, an order that filled, its fill, a halt, a reconnect. */
function seed(): void {
  const j = openJournal(journalPath(dir, ACCOUNT));
  const runId = j.startRun({
    command: "follow",
    leaders: [{ address: LEADER, weight: 1 }],
    account: ACCOUNT,
    network: "mainnet",
    settings: {},
    startedAt: T0,
  });
  j.recordDecision({ runId, ts: T0 + 1000, trigger: "fill", coins: ["BTC"], plan: plan() });
  const a = action();
  j.recordOrderIntent({ runId, ts: T0 + 1001, action: a });
  j.updateOrder(a.cloid, { ts: T0 + 1010, status: "filled", oid: 7, filledSize: 0.01, avgPx: 65_013 });
  j.recordFill({
    runId,
    tid: 1,
    ts: T0 + 1012,
    coin: "BTC",
    side: "buy",
    px: 65_013,
    sz: 0.01,
    fee: 0.29,
    cloid: a.cloid,
    lagMs: 12,
  });
  j.recordEvent({ ts: T0 + 2000, runId, type: "reconnect", data: { attempt: 1 } });
  j.recordHalt({ ts: T0 + 3000, kind: "kill-switch", reason: "drawdown 25.00% from 1000.00" });
  j.endRun(runId, { endedAt: T0 + 4000, exitCode: 4 });
  j.close();
}

describe("flag parsing", () => {
  it("--since takes durations and ISO times", () => {
    const now = T0;
    expect(parseSince("30s", now)).toBe(now - 30_000);
    expect(parseSince("15m", now)).toBe(now - 900_000);
    expect(parseSince("1h", now)).toBe(now - 3_600_000);
    expect(parseSince("2d", now)).toBe(now - 172_800_000);
    expect(parseSince("1w", now)).toBe(now - 604_800_000);
    expect(parseSince("2025-01-02", now)).toBe(Date.UTC(2025, 0, 2));
    expect(parseSince("2025-01-02T11:30:00Z", now)).toBe(Date.UTC(2025, 0, 2, 11, 30));
    // Without a zone a time is UTC, as the journal's "time (UTC)" column: never the machine's zone
    // (on a machine 5 hours behind UTC it was 16:30 UTC).
    const zone = process.env.TZ;
    process.env.TZ = "America/New_York";
    try {
      expect(parseSince("2025-01-02T11:30", now)).toBe(Date.UTC(2025, 0, 2, 11, 30));
      expect(parseSince("2025-01-02 11:30:15", now)).toBe(Date.UTC(2025, 0, 2, 11, 30, 15));
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
    expect(parseSince("2025-01-02T11:30:00+02:00", now)).toBe(Date.UTC(2025, 0, 2, 9, 30));
    // The longest span every command takes (cli/span.ts): 10 years; more is refused, not a start before 1970.
    expect(parseSince("3650d", now)).toBe(now - 3650 * 86_400_000);
    expect(usage(() => parseSince("99999d", now)).message).toBe(
      'invalid --since "99999d": longer than 3650d (10 years)',
    );
    // A day the calendar does not have was rolled into the next month (2026-02-30 → March 2).
    for (const bad of ["yesterday", "1y", "-1h", "", "2025-13-45", "12", "2026-02-30", "2025-04-31"]) {
      const e = usage(() => parseSince(bad, now));
      expect(e.message).toContain("invalid --since");
      expect(e.hint).toContain("--since 1h");
      expect(e.exitCode).toBe(2);
    }
  });

  it("--type takes a table name, singular or plural", () => {
    expect(parseJournalType("orders")).toBe("orders");
    expect(parseJournalType("Fill")).toBe("fills");
    expect(usage(() => parseJournalType("trades")).message).toBe(
      'invalid --type "trades": expected one of runs, decisions, orders, fills, funding, halts, events or warnings',
    );
  });

  it("--limit takes a whole number, 0 = all", () => {
    expect(parseLimit("20")).toBe(20);
    expect(parseLimit("0")).toBe(Number.POSITIVE_INFINITY);
    for (const bad of ["-1", "1.5", "ten", ""])
      expect(usage(() => parseLimit(bad)).message).toContain("--limit");
  });
});

describe("runJournal", () => {
  it("no account configured: a usage error whose hint lists the journals that exist", async () => {
    seed();
    const e = await runJournal({ configDir: dir, account: null, json: false }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UsageError);
    expect((e as UsageError).hint).toContain(ACCOUNT);
  });

  it("no journal yet for the account: says so, exit 0, [] in JSON, and creates nothing", async () => {
    const other = "0x00000000000000000000000000000000000000b2";
    const human = sink();
    await runJournal({ configDir: dir, account: other, json: false, out: human });
    expect(human.text).toContain(`no journal for ${other} on mainnet yet`);
    const machine = sink();
    const r = await runJournal({ configDir: dir, account: other, json: true, out: machine });
    expect(JSON.parse(machine.text)).toEqual([]);
    expect(r.path).toBeNull();
    expect(existsSync(journalPath(dir, other))).toBe(false);
  });

  it("per network: another network's journal is named, not read; one shared by an older hlcopy is listed with a warning", async () => {
    seed(); // mainnet's
    const sim = "http://127.0.0.1:7411";
    const human = sink();
    const r = await runJournal({ configDir: dir, account: ACCOUNT, network: sim, json: false, out: human });
    expect(r.path).toBeNull();
    expect(human.text).toBe(
      `no journal for ${ACCOUNT} on ${sim} yet (looked for ${journalPath(dir, ACCOUNT, sim)}); reconcile and follow create it; it has journals for other networks: mainnet (--network chooses the network)\n`,
    );
    // Asked about mainnet: the simulator's journal is named by its URL, as --network takes it.
    const onSim = openJournal(journalPath(dir, ACCOUNT, sim));
    onSim.startRun({
      command: "reconcile",
      leaders: [],
      account: ACCOUNT,
      network: sim,
      settings: {},
      startedAt: 1,
    });
    onSim.close();
    const other = "0x00000000000000000000000000000000000000b2";
    const mainnet = sink();
    await runJournal({ configDir: dir, account: other, json: false, out: mainnet });
    expect(mainnet.text).not.toContain("other networks");
    const asked = sink();
    await runJournal({ configDir: dir, account: ACCOUNT, network: "testnet", json: false, out: asked });
    expect(asked.text).toBe(
      `no journal for ${ACCOUNT} on testnet yet (looked for ${journalPath(dir, ACCOUNT, "testnet")}); reconcile and follow create it; it has journals for other networks: mainnet, ${sim} (--network chooses the network)\n`,
    );
    // An older hlcopy's run on the simulator, in mainnet's file.
    const j = openJournal(journalPath(dir, ACCOUNT));
    j.startRun({
      command: "follow",
      leaders: [],
      account: ACCOUNT,
      network: sim,
      settings: {},
      startedAt: T0 + 9000,
    });
    j.close();
    const warn = sink();
    const listed = await runJournal({ configDir: dir, account: ACCOUNT, json: true, out: sink(), warn });
    expect(listed.entries.filter((e) => e.table === "runs")).toHaveLength(2);
    expect(warn.text).toMatch(
      new RegExp(
        `^warning: journal \\S+ also holds runs on ${sim.replaceAll(".", "\\.")} .*\nhint: .*mv .*\n$`,
      ),
    );
  });

  it("a bad flag is refused before anything is opened", async () => {
    const e = await runJournal({ configDir: dir, account: ACCOUNT, json: false, since: "soon" }).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(UsageError);
    expect(existsSync(journalPath(dir, ACCOUNT))).toBe(false);
  });

  it("prints a readable table, oldest first", async () => {
    seed();
    const out = sink();
    await runJournal({
      configDir: dir,
      account: ACCOUNT.toUpperCase().replace("0X", "0x"),
      json: false,
      out,
      width: 150,
      now: T0 + 5000,
    });
    const table = out.text.split("\n").slice(0, -2).join("\n");
    expect(table).toMatchInlineSnapshot(`
      "┌──────────────────────────┬───────────┬──────┬──────────────────────────────────────────────────────────────────────────────────────────┐
      │ time (UTC)               │ type      │ coin │ what                                                                                     │
      ├──────────────────────────┼───────────┼──────┼──────────────────────────────────────────────────────────────────────────────────────────┤
      │ 2025-01-02 12:00:00.000Z │ run       │      │ follow 0x5e9e…a13a on mainnet · ended 2025-01-02 12:00:04.000Z, exit 4                   │
      ├──────────────────────────┼───────────┼──────┼──────────────────────────────────────────────────────────────────────────────────────────┤
      │ 2025-01-02 12:00:01.000Z │ decision  │ BTC  │ fill: 1 action: BTC buy 0.01 (open) · skipped: DOGE coin-denied · drift $650.00 (BTC)    │
      ├──────────────────────────┼───────────┼──────┼──────────────────────────────────────────────────────────────────────────────────────────┤
      │ 2025-01-02 12:00:01.001Z │ order     │ BTC  │ buy 0.01 @ 65200 (open) → filled 0.01 @ 65013 · cloid 0x0000000000000000000000000000000a │
      ├──────────────────────────┼───────────┼──────┼──────────────────────────────────────────────────────────────────────────────────────────┤
      │ 2025-01-02 12:00:01.012Z │ fill      │ BTC  │ buy 0.01 @ 65013 · fee $0.290000 · vs leader 2.0 bps · lag 12ms                          │
      ├──────────────────────────┼───────────┼──────┼──────────────────────────────────────────────────────────────────────────────────────────┤
      │ 2025-01-02 12:00:02.000Z │ reconnect │      │ websocket reconnected: a sweep repaired what was missed                                  │
      ├──────────────────────────┼───────────┼──────┼──────────────────────────────────────────────────────────────────────────────────────────┤
      │ 2025-01-02 12:00:03.000Z │ halt      │      │ kill-switch: drawdown 25.00% from 1000.00 (active)                                       │
      └──────────────────────────┴───────────┴──────┴──────────────────────────────────────────────────────────────────────────────────────────┘"
    `);
    expect(out.text).toMatch(/\n6 entries · \S*journal-0x0+a1\.sqlite\n$/);
    // At 80 columns the footer is broken at its separator, within the table's width (it was one
    // line of ~130: the terminal broke the path inside it), the path whole on a line of its own.
    const narrow = sink();
    await runJournal({
      configDir: dir,
      account: ACCOUNT,
      json: false,
      out: narrow,
      width: 80,
      now: T0 + 5000,
    });
    const path = journalPath(dir, ACCOUNT);
    expect(`6 entries · ${path}`.length).toBeGreaterThan(80);
    expect(narrow.text.endsWith(`\n6 entries ·\n  ${path}\n`)).toBe(true);
    // Every line but the path (one word: a path cut would not paste) within 80.
    for (const line of narrow.text.split("\n").filter((l) => l !== `  ${path}`))
      expect([...line].length, line).toBeLessThanOrEqual(80);
  });

  it("--json: each figure rounded as the table shows it (driftUsd -75.67999999999999 → -75.68), no float tails", async () => {
    const j = openJournal(journalPath(dir, ACCOUNT));
    const runId = j.startRun({
      command: "follow",
      leaders: [{ address: LEADER, weight: 1 }],
      account: ACCOUNT,
      network: "mainnet",
      settings: {},
      startedAt: T0,
    });
    const target = {
      ...plan().targets[0],
      driftUsd: -75.67999999999999,
      mid: 189.14999999999998,
    } as Plan["targets"][number];
    j.recordDecision({
      runId,
      ts: T0 + 1000,
      trigger: "fill",
      coins: ["BTC"],
      plan: plan({ targets: [target] }),
    });
    j.recordFill({
      runId,
      tid: 1,
      ts: T0 + 1012,
      coin: "BTC",
      side: "buy",
      px: 65_013,
      sz: 0.01,
      fee: 0.29,
      leaderPx: 65_000,
      touchPx: 65_001,
      kind: "copy",
      lagMs: 247.44000000000005,
    });
    j.close();
    const out = sink();
    const r = await runJournal({ configDir: dir, account: ACCOUNT, json: true, out });
    const printed = JSON.parse(out.text) as Record<string, unknown>[];
    const decision = printed.find((e) => e.table === "decisions") as { plan: Plan };
    expect(decision.plan.targets[0]).toMatchObject({ driftUsd: -75.68, mid: 189.15 });
    const fill = printed.find((e) => e.table === "fills") as Record<string, number>;
    // (65013 − 65000) / 65000 = 2.0 bps; (65013 − 65001) / 65001 = 1.8 bps; the lag to the ms.
    expect(fill).toMatchObject({ slippageBps: 2, execSlippageBps: 1.8, lagMs: 247, px: 65_013, fee: 0.29 });
    expect(out.text).not.toMatch(/\d\.\d{15,}/);
    // What the command returns (to code) is the journal's, unrounded.
    expect(r.entries.find((e) => e.table === "fills")).toMatchObject({ lagMs: 247.44000000000005 });
  });

  it("filters by --type, --since and --limit", async () => {
    seed();
    const r1 = await runJournal({
      configDir: dir,
      account: ACCOUNT,
      json: true,
      type: "orders",
      out: sink(),
    });
    expect(r1.entries.map((e) => e.table)).toEqual(["orders"]);
    const r2 = await runJournal({
      configDir: dir,
      account: ACCOUNT,
      json: true,
      since: "3s",
      now: T0 + 4000,
      out: sink(),
    });
    expect(r2.entries.map((e) => e.table)).toEqual(["decisions", "orders", "fills", "events", "halts"]);
    const note = sink();
    const r3 = await runJournal({
      configDir: dir,
      account: ACCOUNT,
      json: true,
      limit: "2",
      out: sink(),
      warn: note,
    });
    expect(r3.entries.map((e) => e.table)).toEqual(["events", "halts"]);
    // --json: the array stays an array; that it was cut is said beside it.
    expect(note.text).toBe(
      "note: the newest 2 entries only; --limit 0 for all (or --type/--since to narrow)\n",
    );
    const whole = sink();
    const all = await runJournal({
      configDir: dir,
      account: ACCOUNT,
      json: true,
      limit: "0",
      out: sink(),
      warn: whole,
    });
    expect(whole.text).toBe("");
    // A --limit of exactly as many entries as there are cuts nothing, and says nothing (it said
    // "the newest N; --limit to see more" with nothing more to see).
    const n = all.entries.length;
    const exact = sink();
    const exactOut = sink();
    const r4 = await runJournal({
      configDir: dir,
      account: ACCOUNT,
      json: true,
      limit: String(n),
      out: sink(),
      warn: exact,
    });
    expect(r4.entries).toHaveLength(n);
    expect(exact.text).toBe("");
    await runJournal({ configDir: dir, account: ACCOUNT, json: false, limit: String(n), out: exactOut });
    expect(exactOut.text).toMatch(new RegExp(`\n${n} entries ·\\s`));
    expect(exactOut.text).not.toContain("--limit to see more");
    // One over it is cut, the oldest left out; one entry is said as one.
    const one = sink();
    const r5 = await runJournal({
      configDir: dir,
      account: ACCOUNT,
      json: true,
      limit: "1",
      out: sink(),
      warn: one,
    });
    expect(r5.entries).toEqual(all.entries.slice(-1));
    expect(one.text).toBe("note: the newest entry only; --limit 0 for all (or --type/--since to narrow)\n");
    const out = sink();
    await runJournal({ configDir: dir, account: ACCOUNT, json: false, limit: "2", out });
    expect(out.text).toContain("2 entries (the newest 2; --limit to see more)");
    const none = sink();
    await runJournal({
      configDir: dir,
      account: ACCOUNT,
      json: false,
      type: "fills",
      since: "1m",
      now: T0 + 3_600_000,
      out: none,
    });
    expect(none.text).toMatch(/^no fills since 2025-01-02 12:59:00.000Z in(\n {2}| )\S+\.sqlite\n$/);
  });

  it("--json prints one array of entries tagged with their table", async () => {
    seed();
    const out = sink();
    await runJournal({ configDir: dir, account: ACCOUNT, json: true, out });
    const doc = JSON.parse(out.text) as { table: string; ts: number }[];
    expect(doc.map((e) => e.table)).toEqual(["runs", "decisions", "orders", "fills", "events", "halts"]);
    expect(doc[2]).toMatchObject({
      table: "orders",
      status: "filled",
      filledSize: 0.01,
      avgPx: 65_013,
      leaderPx: 65_000,
    });
    expect(doc[3]).toMatchObject({ table: "fills", lagMs: 12 });
    expect(out.text.trim().split("\n")).toHaveLength(1);
  });

  it("every kind of event the engine journals reads as one line of words, never raw JSON (--json keeps the data)", () => {
    const targets = [
      {
        coin: "BTC",
        leaderSize: 0.0115,
        targetSize: 0.00057,
        ourSize: 0.00057,
        driftUsd: 0,
        mid: 95_843,
        deadbandUsd: 10,
      },
      {
        coin: "SOL",
        leaderSize: 0.87,
        targetSize: 0.04,
        ourSize: 0.09,
        driftUsd: -9.48,
        mid: 189.61,
        deadbandUsd: 10,
      },
    ];
    const drift = {
      coins: [
        { coin: "BTC", driftUsd: 0, status: "in-sync", reason: null },
        { coin: "SOL", driftUsd: -9.48, status: "tolerated", reason: "below-min-notional" },
      ],
      driftUsd: 9.48,
      outsideUsd: 0,
      inSync: true,
    };
    const pnl = {
      realisedUsd: -0.12,
      unrealisedUsd: -0.02,
      feesUsd: 0.37,
      fundingUsd: 0,
      netUsd: -0.51,
      roiPct: -0.0051,
    };
    const events: [string, unknown, string][] = [
      [
        "sweep",
        { inSync: true, driftUsd: 9.48, durationMs: 41, requests: 10, trigger: "start", targets, drift, pnl },
        "start: in sync · $9.48 tolerated under the exchange's $10 minimum order · 10 requests in 41 ms",
      ],
      [
        "state",
        { targets, drift, pnl },
        "as the run left it: in sync · $9.48 tolerated under the exchange's $10 minimum order · positions BTC +0.00057, SOL +0.09 · P&L net -$0.51 (-0.01%)",
      ],
      [
        // A running follow's record of a minute's changes: the last of them, and the peak if higher
        // — in the figure its verdict says (the header's drift $X), not the total's.
        "state",
        { moment: "change", targets, drift, pnl, driftMaxUsd: 40.68, outsideMaxUsd: 31.2 },
        "while running, the minute's last change (drift up to $31.20 in it): in sync · $9.48 tolerated under the exchange's $10 minimum order · positions BTC +0.00057, SOL +0.09 · P&L net -$0.51 (-0.01%)",
      ],
      [
        // The total's peak above the last (SOL's tolerated $9.48 was higher in the minute): no
        // drift the header said, so no peak to say.
        "state",
        { moment: "change", targets, drift, pnl, driftMaxUsd: 12.5, outsideMaxUsd: 0 },
        "while running, the minute's last change: in sync · $9.48 tolerated under the exchange's $10 minimum order · positions BTC +0.00057, SOL +0.09 · P&L net -$0.51 (-0.01%)",
      ],
      [
        // A record from before the header's peak was kept: its total's peak is not said.
        "state",
        { moment: "change", targets, drift, pnl, driftMaxUsd: 31.2 },
        "while running, the minute's last change: in sync · $9.48 tolerated under the exchange's $10 minimum order · positions BTC +0.00057, SOL +0.09 · P&L net -$0.51 (-0.01%)",
      ],
      [
        // A run that ended on stale data: the dashboard's verdict at that moment, never "in sync".
        "state",
        {
          targets,
          drift,
          pnl,
          freshness: { freshAt: T0 - 90_000, staleMs: 60_000, lastInSyncAt: T0 - 100_000 },
        },
        "as the run left it: stale 90s · last in sync 100s ago · positions BTC +0.00057, SOL +0.09 · P&L net -$0.51 (-0.01%)",
      ],
      [
        "freshness",
        { stale: true, freshAt: T0 - 61_000, staleMs: 60_000, lastInSyncAt: T0 - 70_000 },
        "data stale: nothing from the exchange for 61s — not in sync until a good read",
      ],
      [
        "freshness",
        { stale: false, freshAt: T0, staleMs: 60_000, lastInSyncAt: T0 - 70_000 },
        "data fresh again: the exchange is heard from",
      ],
      ["leverage", { leverage: 4, marginMode: "cross" }, "set to 4× cross before the first increase"],
      [
        "leverage",
        { leverage: 4, marginMode: "cross", error: "Insufficient margin" },
        "could not set 4× cross: Insufficient margin",
      ],
      [
        "onExit",
        { mode: "hold", message: "on exit: hold — positions left as they are" },
        "on exit: hold — positions left as they are",
      ],
      ["reconnect", { stream: null }, "websocket reconnected: a sweep repaired what was missed"],
      [
        "cashFlow",
        { leader: LEADER, usd: -500, since: T0 },
        "leader 0x5e9e…a13a moved -$500.00 in or out since 2025-01-02 12:00:00.000Z: netted out of its equity, not copied",
      ],
      [
        "foreign",
        { positions: [{ coin: "ETH", size: -2 }] },
        "position(s) changed outside hlcopy: ETH -2 (left alone)",
      ],
      [
        // hlcopy held 1 SOL, the trader bought 0.5 more: the 0.5 by hand is what changed.
        "foreign",
        { positions: [{ coin: "SOL", size: 1.5, managed: 1 }] },
        "position(s) changed outside hlcopy: SOL +0.5 (of +1.5; hlcopy's +1) (left alone)",
      ],
      [
        // An order placed outside hlcopy during a follow: the warning's words, said once then.
        "foreignOrders",
        {
          message:
            "order(s) placed outside hlcopy: ETH buy 0.5 @ 2800: a fill would change ETH outside hlcopy, …",
          orders: [{ oid: 7, coin: "ETH", side: "buy", size: 0.5, limitPx: 2800, reduceOnly: false }],
        },
        "order(s) placed outside hlcopy: ETH buy 0.5 @ 2800: a fill would change ETH outside hlcopy, …",
      ],
      [
        "resume",
        { cleared: 1, hwm: 9_000 },
        "hlcopy resume: 1 halt cleared · high-water mark reset to $9,000.00",
      ],
      [
        "protectionCancelled",
        {
          count: 3,
          coins: ["SOL", "BTC"],
          cloids: ["0x01", "0x02", "0x03"],
          message: "cancelled 3 resting stop/take-profit orders an earlier run placed (BTC, SOL): …",
        },
        "cancelled 3 resting stop/take-profit orders an earlier run placed (BTC, SOL): the run had no protection settings",
      ],
      [
        // As an older hlcopy journaled it: no coins.
        "protectionCancelled",
        { count: 1, cloids: ["0x01"], message: "cancelled 1 resting stop/take-profit order …" },
        "cancelled 1 resting stop/take-profit order an earlier run placed: the run had no protection settings",
      ],
      ["someFutureKind", { a: 1, nested: { b: 2 } }, "a=1 nested=… (--json)"],
    ];
    for (const [type, data, summary] of events) {
      const row = entryRow({ table: "events", id: 1, ts: T0, runId: 1, type, coin: null, data });
      expect(row.summary, type).toBe(summary);
    }
  });

  it("a decision row ends with the drift the plan saw, in status's words", () => {
    const base = {
      ...{ table: "decisions" as const, id: 1, runId: 1, ts: T0, trigger: "fill" as const, coins: ["BTC"] },
      ...{ inSync: false, nActions: 1, nSkipped: 1 },
    };
    expect(entryRow({ ...base, plan: plan() }).summary).toBe(
      "fill: 1 action: BTC buy 0.01 (open) · skipped: DOGE coin-denied · drift $650.00 (BTC)",
    );
    const synced = plan({
      actions: [],
      skipped: [],
      inSync: true,
      targets: [
        {
          coin: "BTC",
          leaderSize: 1,
          targetSize: 0.01,
          ourSize: 0.01,
          driftUsd: 0,
          mid: 65_000,
          deadbandUsd: 10,
        },
      ],
    });
    expect(entryRow({ ...base, plan: synced }).summary).toBe("fill: no action · in sync");
    // A cap's note beside the coin's own order: the order went, cut — capped, not skipped.
    const cut = plan({
      skipped: [
        { coin: "BTC", reason: "leverage-cap", detail: "cut to 0.01" },
        { coin: "DOGE", reason: "coin-denied", detail: "" },
      ],
    });
    expect(entryRow({ ...base, plan: cut }).summary).toBe(
      "fill: 1 action: BTC buy 0.01 (open) · capped: BTC leverage-cap · skipped: DOGE coin-denied · drift $650.00 (BTC)",
    );
  });

  it("a decision row whose orders a stop or a pause kept back says they were not sent (a halt's closes go through a pause)", () => {
    const base = {
      ...{ table: "decisions" as const, id: 1, runId: 1, ts: T0, trigger: "sweep" as const, coins: [] },
      ...{ inSync: false, nActions: 1, nSkipped: 1 },
    };
    const one = plan();
    expect(entryRow({ ...base, plan: one, held: "stopping" }).summary).toBe(
      "sweep: 1 action: BTC buy 0.01 (open) · skipped: DOGE coin-denied · drift $650.00 (BTC) · not sent: the run was ending",
    );
    const [buy] = one.actions;
    if (!buy) throw new Error("the fixture plan has an action");
    const close = {
      ...buy,
      coin: "ETH",
      side: "sell" as const,
      reduceOnly: true,
      reason: "kill-switch" as const,
    };
    const mixed = plan({ actions: [close, buy] });
    expect(entryRow({ ...base, plan: mixed, held: "paused" }).summary).toMatch(
      / · paused: 1 not sent \(BTC; the halt's closes went\)$/,
    );
  });

  it("a sweep row says the drift it found and what it did — orders sent, or a pause that held them — once, without 'sweep sweep'", () => {
    const drift = {
      coins: [{ coin: "ETH", driftUsd: 3400, status: "drift", reason: null }],
      driftUsd: 3400,
      outsideUsd: 3400,
      inSync: false,
    };
    const row = (data: Record<string, unknown>) =>
      entryRow({ table: "events", id: 1, ts: T0, runId: 1, type: "sweep", coin: null, data }).summary;
    const common = { durationMs: 12, requests: 7, inSync: false, driftUsd: 3400, drift };
    expect(row({ ...common, trigger: "sweep", orders: 1, after: { inSync: true, driftUsd: 0 } })).toBe(
      "drift $3,400.00 (ETH) · 1 order sent · 7 requests in 12 ms",
    );
    expect(row({ ...common, trigger: "sweep", held: "paused" })).toBe(
      "drift $3,400.00 (ETH) · paused: not sent · 7 requests in 12 ms",
    );
    expect(row({ ...common, trigger: "manual", orders: 2 })).toBe(
      "manual: drift $3,400.00 (ETH) · 2 orders sent · 7 requests in 12 ms",
    );
  });

  it("entryRow shows a rejected order's exchange message", () => {
    const row = entryRow({
      table: "orders",
      ...{
        id: 1,
        runId: null,
        ts: T0,
        cloid: "0x01",
        coin: "ETH",
        side: "sell",
        size: 1,
        limitPx: 3000,
        reduceOnly: true,
        reason: "close",
        request: null,
        status: "rejected",
        oid: null,
        filledSize: 0,
        avgPx: null,
        reply: null,
        error: "Order could not immediately match against any resting orders.",
        leaderPx: null,
        kind: null,
        touchPx: null,
        updatedAt: T0,
      },
    });
    expect(row.summary).toBe(
      "sell 1 @ 3000 reduce-only (close) → rejected: Order could not immediately match against any resting orders. · cloid 0x01",
    );
  });
});

describe("whose figures a row shows", () => {
  it("a liquidation's fill says the copy's part of it; a funding payment its part on hlcopy's share", () => {
    const fill = {
      ...{ table: "fills" as const, id: 1, runId: 1, tid: 9, ts: T0, coin: "BTC", side: "sell" as const },
      ...{ px: 54_000, sz: 0.15, fee: 3, cloid: null, oid: 5, closedPnl: -900, leaderPx: null },
      ...{ slippageBps: null, execSlippageBps: null, kind: null, lagMs: null },
    };
    expect(entryRow({ ...fill, copySz: 0.1, origin: "liquidation" }).summary).toBe(
      "sell 0.15 @ 54000 · fee $3.000000 · liquidation · realized -$900.00 · the copy's 0.1",
    );
    expect(entryRow({ ...fill, copySz: 0, origin: "adl" }).summary).toBe(
      "sell 0.15 @ 54000 · fee $3.000000 · ADL · realized -$900.00",
    );
    expect(entryRow({ ...fill, copySz: 0, origin: "outside" }).summary).toBe(
      "sell 0.15 @ 54000 · fee $3.000000 · outside hlcopy · realized -$900.00",
    );
    // Journaled before origins were kept: none said.
    expect(entryRow({ ...fill, copySz: 0, origin: null }).summary).toBe(
      "sell 0.15 @ 54000 · fee $3.000000 · realized -$900.00",
    );
    const payment = {
      ...{
        table: "funding" as const,
        id: 1,
        runId: 1,
        ts: T0,
        coin: "ETH",
        usdc: -0.9,
        szi: 3,
        rate: 0.0001,
      },
      hash: null,
    };
    expect(entryRow({ ...payment, copyUsdc: -0.6 }).summary).toBe(
      "paid $0.900000 on 3 at rate 0.0001 · the copy's $0.600000",
    );
    expect(entryRow({ ...payment, copyUsdc: -0.9 }).summary).toBe("paid $0.900000 on 3 at rate 0.0001");
  });
});

describe("the command", () => {
  it("registers with --since/--type/--limit, help examples, and reads the globals", async () => {
    seed();
    const program = createProgram();
    const cmd = program.commands.find((c) => c.name() === "journal");
    expect(cmd?.helpInformation()).toContain("--since <when>");
    let written = "";
    vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => {
      written += String(s);
      return true;
    });
    await program.parseAsync(
      ["--config-dir", dir, "--account", ACCOUNT, "--json", "journal", "--type", "halts", "--limit", "0"],
      { from: "user" },
    );
    vi.restoreAllMocks();
    const doc = JSON.parse(written) as { table: string; kind: string }[];
    expect(doc).toHaveLength(1);
    expect(doc[0]).toMatchObject({ table: "halts", kind: "kill-switch" });
  });

  it("--paper lists the paper journal (follow --paper runs' own file): the live listing never shows it, and names it when there is no live one", async () => {
    const now = Date.now();
    const pj = openJournal(paperJournalPath(dir, ACCOUNT));
    const runId = pj.startRun({
      command: "paper",
      leaders: [{ address: LEADER, weight: 1 }],
      account: ACCOUNT,
      network: "mainnet",
      settings: {},
      startedAt: now - 60_000,
    });
    const a = action();
    pj.recordOrderIntent({ runId, ts: now - 50_000, action: a });
    pj.updateOrder(a.cloid, { ts: now - 50_000, status: "paper", filledSize: 0.01, avgPx: 65_013 });
    pj.close();
    const journal = async (...args: string[]) => {
      let written = "";
      vi.spyOn(process.stdout, "write").mockImplementation((t: string | Uint8Array) => {
        written += String(t);
        return true;
      });
      try {
        await createProgram().parseAsync(["--config-dir", dir, "--account", ACCOUNT, "journal", ...args], {
          from: "user",
        });
      } finally {
        vi.restoreAllMocks();
      }
      return written;
    };
    // No live run yet: the live listing says so, and where the paper runs are.
    expect(await journal()).toContain("; its paper runs' journal: add --paper\n");
    // The help's example, as written: the paper order of the last hour.
    const help = (await runCli(["journal", "--help"], { env: { COLUMNS: "200" } })).stdout;
    const [, example = ""] = /\$ hlcopy (journal --paper [^\n#]*?)\s{2,}/.exec(help) ?? [];
    expect(example).toBe("journal --paper --type orders --since 1h");
    const rows = JSON.parse(await journal(...example.split(" ").slice(1), "--json")) as {
      table: string;
      status: string;
    }[];
    expect(rows.map((r) => [r.table, r.status])).toEqual([["orders", "paper"]]);
    // The live journal's runs are the live ones: never a paper run.
    seed();
    const live = JSON.parse(await journal("--type", "runs", "--json")) as { command: string }[];
    expect(live.map((r) => r.command)).toEqual(["follow"]);
    const paper = JSON.parse(await journal("--paper", "--type", "runs", "--json")) as { command: string }[];
    expect(paper.map((r) => r.command)).toEqual(["paper"]);
    // An account with no paper run: said so, nothing created.
    const other = "0x00000000000000000000000000000000000000b2";
    const none = sink();
    await runJournal({ configDir: dir, account: other, json: false, paper: true, out: none });
    expect(none.text).toBe(
      `no paper journal for ${other} on mainnet yet (looked for ${paperJournalPath(dir, other)}); follow --paper creates it\n`,
    );
    expect(existsSync(paperJournalPath(dir, other))).toBe(false);
  });

  it("its --json example finds the fills' slippage (its jq filter applied here), however many entries are newer", async () => {
    seed();
    // Many entries newer than the fill: a default --limit of 50 would leave the fill out.
    const j = openJournal(journalPath(dir, ACCOUNT));
    for (let i = 0; i < 60; i++)
      j.recordEvent({ ts: T0 + 5000 + i, runId: null, type: "reconnect", data: { attempt: i } });
    j.close();
    const help = (await runCli(["journal", "--help"], { env: { COLUMNS: "200" } })).stdout;
    const [, command, filter] = /\$ hlcopy (journal [^\n]*--json) \| jq '([^']+)'/.exec(help) ?? [];
    expect(filter).toBe(".[].slippageBps");
    let written = "";
    vi.spyOn(process.stdout, "write").mockImplementation((t: string | Uint8Array) => {
      written += String(t);
      return true;
    });
    await createProgram().parseAsync(
      ["--config-dir", dir, "--account", ACCOUNT, ...(command ?? "").split(" ")],
      { from: "user" },
    );
    vi.restoreAllMocks();
    const doc = JSON.parse(written) as { table: string; slippageBps?: unknown }[];
    expect(doc.map((e) => e.table)).toEqual(["fills"]);
    expect(doc[0]).toHaveProperty("slippageBps");
  });
});
