import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { driftReport } from "../../src/core/drift.js";
import { copyPnl, foldPnl } from "../../src/core/pnl.js";
import type { Address } from "../../src/core/types.js";
import type { EngineEvent } from "../../src/engine/events.js";
import { eventRecord } from "../../src/ui/describe.js";
import { EventLog } from "../../src/ui/EventLog.js";
import { Header, leverageSegment } from "../../src/ui/Header.js";
import { HELP_SECTIONS, Help, helpPages } from "../../src/ui/Help.js";
import { fitSegments } from "../../src/ui/layout.js";
import type { LogEntry } from "../../src/ui/model.js";
import { buildPositionRows, initialDashboardState, reduceDashboard } from "../../src/ui/model.js";
import {
  HELD_COLUMN,
  POSITION_COLUMNS,
  Positions,
  PROTECTION_COLUMNS,
  TIME_STOP_COLUMN,
} from "../../src/ui/Positions.js";
import { Slippage } from "../../src/ui/Slippage.js";
import {
  LEADER2 as CORE_LEADER2,
  leader as coreLeader,
  plan as corePlan,
  market,
  settingsWith,
} from "../core/planner-fixtures.js";
import { ROOT } from "../helpers/cli.js";
import {
  decisionEvent,
  fillEvent,
  LIVE_TARGETS,
  leaderFillEvent,
  liveEvents,
  liveState,
  plan,
  reduceAll,
  startEvent,
  stateEvent,
  T0,
  target,
} from "./fixtures.js";
import { render } from "./ink-render.js";
import { renderTty, screenLines } from "./tty.js";

function frame(node: React.ReactElement): string {
  const r = render(node);
  const out = r.lastFrame() ?? "";
  r.unmount();
  return out;
}

describe("Header", () => {
  it("live: mode, network, addresses, equity, HWM, drawdown, connection age, lag", () => {
    const out = frame(<Header state={liveState()} width={80} />);
    expect(out).toContain("LIVE");
    expect(out).toContain("testnet");
    expect(out).toContain("leader 0x1111…1111");
    expect(out).toContain("acct 0x2222…2222");
    expect(out).toContain("equity $10,234.12");
    expect(out).toContain("hwm $10,500.00");
    expect(out).toContain("dd 2.53%");
    expect(out).toContain("ws open 0.5s ago");
    expect(out).toContain("lag 7ms p50 5ms");
    // Our orders and the leader's trades, each named with its unit (as the closing summary).
    // The leader's trades in their buckets, which add up to them: at 80 columns without the word
    // "leader" nor a bucket at 0, beside the drift; wider, whole.
    expect(out).toContain("orders filled 1  trades 1: copied 1  drift $75.00");
    expect(frame(<Header state={liveState()} width={120} />)).toContain(
      "orders filled 1  leader trades 1: copied 1, skipped 0  ",
    );
    // The skips' reasons where there is room (? lists them all), never at the verdict's cost.
    const skipped = [
      // A leader trade whose copy needs no order: inside the deadband (in line).
      leaderFillEvent(T0 + 3600, "ETH", 2),
      decisionEvent(T0 + 3601, plan({ skipped: [{ coin: "ETH", reason: "inside-deadband", detail: "" }] }), [
        "ETH",
      ]),
      leaderFillEvent(T0 + 3600, "SOL", 3),
      decisionEvent(
        T0 + 3601,
        plan({ skipped: [{ coin: "SOL", reason: "below-min-notional", detail: "" }] }),
        ["SOL"],
      ),
    ].reduce(reduceDashboard, liveState());
    expect(frame(<Header state={skipped} width={120} />)).toContain(
      "leader trades 3: copied 1, in line 1, skipped 1 (below-min-notional 1)  ",
    );
    // Narrow: the word "leader" goes, then the reasons — never a bucket: the figures still add up.
    expect(frame(<Header state={skipped} width={80} />)).toMatch(
      /trades 3: copied 1, in line 1, skipped 1(?! \()/,
    );
  });

  it("lev: our notional ÷ equity against risk.maxLeverage — yellow near the cap, red above it", () => {
    // LIVE_TARGETS hold $4 855 of notional: 0.50x on $9 710.
    const at = (equity: number, maxLeverage: number | null) =>
      reduceDashboard(
        reduceDashboard(initialDashboardState({ maxLeverage }), startEvent("live", T0)),
        stateEvent(T0 + 1, LIVE_TARGETS, { equity }),
      );
    expect(frame(<Header state={at(9_710, 3)} width={120} />)).toContain("lev 0.50x/3x");
    expect(frame(<Header state={at(9_710, null)} width={120} />)).toMatch(/lev 0\.50x(?!\/)/);
    // Before the first state there is no figure, and no segment.
    expect(frame(<Header state={liveState()} width={120} />)).toContain("lev ");
    const fresh = reduceDashboard(initialDashboardState({ maxLeverage: 3 }), startEvent("live", T0));
    expect(frame(<Header state={fresh} width={120} />)).not.toContain("lev ");
    // The colour (the rendered frame here carries none): yellow from 90 % of the cap, red above
    // it — and then before the hwm and the stream's age when the line is narrow.
    const seg = (equity: number) => leverageSegment(at(equity, 3));
    expect(seg(9_710)).toMatchObject({
      text: "lev 0.50x/3x",
      short: "lev 0.50x",
      color: undefined,
      priority: 5,
    });
    expect(seg(1_700)).toMatchObject({ text: "lev 2.86x/3x", color: "yellow", priority: 9 });
    expect(seg(1_500)).toMatchObject({ text: "lev 3.24x/3x", color: "red", priority: 9 });
    expect(leverageSegment(at(1_500, null))).toMatchObject({ text: "lev 3.24x", color: undefined });
    const narrow = frame(<Header state={at(1_500, 3)} width={80} />);
    expect(narrow).toContain("lev 3.24x/3x");
  });

  it("halted: HALTED with the reason and how to clear it", () => {
    const s = reduceDashboard(liveState(), {
      type: "halt",
      ts: T0 + 5000,
      kind: "kill-switch",
      reason: "drawdown 12% ≥ 10%",
    });
    const out = frame(<Header state={s} width={80} />);
    expect(out).toContain("HALTED");
    expect(out).not.toContain(" LIVE ");
    expect(out).toContain("HALTED kill-switch: drawdown 12% ≥ 10% · hlcopy resume clears it");
  });

  it("the agent approval's days left, loud in its last week", () => {
    const withDays = (daysLeft: number) =>
      reduceDashboard(liveState(), {
        type: "state",
        ts: T0 + 5000,
        account: {
          address: "0x2222222222222222222222222222222222222222",
          accountValue: 10_000,
          positions: [],
        },
        hwm: 10_000,
        drawdownPct: 0,
        leaders: [],
        targets: [],
        deadbandUsd: {},
        agent: { validUntil: T0 + daysLeft * 86_400_000, daysLeft },
      });
    expect(frame(<Header state={withDays(3)} width={120} />)).toContain("agent 3d left");
    expect(frame(<Header state={withDays(60)} width={120} />)).toContain("agent 60d left");
    // Shown in an 80-column terminal too (issue 17), before the account address.
    expect(frame(<Header state={withDays(60)} width={80} />)).toContain("agent 60d left");
    expect(frame(<Header state={liveState()} width={120} />)).not.toContain("agent ");
  });

  it("halted because the agent expired: the re-approve command, not hlcopy resume", () => {
    const s = reduceDashboard(liveState(), {
      type: "halt",
      ts: T0 + 5000,
      kind: "agent-expired",
      reason: "agent refused; approve it again: hlcopy agent approve",
    });
    const out = frame(<Header state={s} width={120} />);
    expect(out).toContain("HALTED agent-expired: agent refused; approve it again: hlcopy agent approve");
    expect(out).not.toContain("hlcopy resume");
  });

  it("a dry run's own halt is not recorded: restarting the dry run clears it, hlcopy resume does not", () => {
    const s = reduceDashboard(liveState("dry-run"), {
      type: "halt",
      ts: T0 + 5000,
      kind: "manual",
      reason: "flatten requested from the dashboard",
      recorded: false,
    });
    const out = frame(<Header state={s} width={100} />);
    expect(out).toContain(
      "HALTED manual: flatten requested from the dashboard · not recorded (dry run): restart to clear",
    );
    expect(out).not.toContain("hlcopy resume");
    // A halt the journal holds, shown by a dry run at its start: resume clears it, and the dry
    // run (which nothing reaches) shows that once restarted.
    const journaled = reduceDashboard(liveState("dry-run"), {
      type: "halt",
      ts: T0 + 5000,
      kind: "kill-switch",
      reason: "drawdown 12% ≥ 10%",
    });
    expect(frame(<Header state={journaled} width={120} />)).toContain(
      "HALTED kill-switch: drawdown 12% ≥ 10% · hlcopy resume clears it, then restart the dry run",
    );
  });

  it("the daily loss limit lifts at 00:00 UTC by itself: no hlcopy resume hint", () => {
    const s = reduceDashboard(liveState(), {
      type: "halt",
      ts: T0 + 5000,
      kind: "daily-loss",
      reason: "daily loss 10.2% reached the 10% limit: no increases until 00:00 UTC",
    });
    const out = frame(<Header state={s} width={120} />);
    expect(out).toContain("no increases until 00:00 UTC");
    expect(out).not.toContain("hlcopy resume");
  });

  it("disconnected: the stream state and for how long", () => {
    let s = reduceDashboard(liveState(), {
      type: "connection",
      ts: T0 + 5000,
      state: "reconnecting",
      detail: "closed",
    });
    s = reduceDashboard(s, { type: "ui/tick", now: T0 + 17_000 });
    expect(frame(<Header state={s} width={80} />)).toContain("ws reconnecting for 12s");
  });

  it("a quiet stream shows the age of the last message", () => {
    const s = reduceDashboard(liveState(), { type: "ui/tick", now: T0 + 3500 + 42_000 });
    expect(frame(<Header state={s} width={80} />)).toContain("ws open 42s ago");
  });

  it("paused and pending pause badges; paper and dry-run modes", () => {
    const paused = reduceDashboard(liveState("paper"), { type: "paused", ts: T0 + 5000, paused: true });
    const out = frame(<Header state={paused} width={80} />);
    expect(out).toContain("PAPER");
    expect(out).toContain("PAUSED");
    const pending = reduceDashboard(liveState("dry-run"), { type: "ui/pauseToggled" });
    const out2 = frame(<Header state={pending} width={80} />);
    expect(out2).toContain("DRY-RUN");
    expect(out2).toContain("orders planned 1");
    // A dry run sends nothing: its trade with an order is planned, none copied.
    expect(out2).toContain("trades 1: planned 1");
    expect(out2).not.toContain("filled");
    expect(out2).not.toContain("copied");
    expect(out2).toContain("pausing…");
  });

  it("80×24: the account is shown (shortened) on one line, with a simulator's URL, a pause, the agent's days, several leaders", () => {
    const start = (network: string, leaders: number) => ({
      ...startEvent("live"),
      network,
      leaders: [
        { address: "0x1111111111111111111111111111111111111111" as Address, weight: 0.6 },
        ...Array.from({ length: leaders - 1 }, (_, i) => ({
          address: `0x${String(i + 3).repeat(40)}` as Address,
          weight: 0.4 / (leaders - 1),
        })),
      ],
    });
    const agent = (daysLeft: number) => ({
      ...stateEvent(T0 + 3100, LIVE_TARGETS),
      agent: { validUntil: T0 + daysLeft * 86_400_000, daysLeft },
    });
    for (const [network, leaders, paused, days] of [
      ["http://127.0.0.1:7431", 1, false, 60],
      ["http://127.0.0.1:7431", 1, true, 60],
      ["mainnet", 1, true, 60],
      ["mainnet", 3, true, 3],
      ["demo (local simulator)", 1, false, null],
    ] as const) {
      const events: EngineEvent[] = [
        start(network, leaders),
        ...liveEvents().slice(1),
        ...(days === null ? [] : [agent(days)]),
        ...(paused ? [{ type: "paused" as const, ts: T0 + 3300, paused: true }] : []),
      ];
      const lines = screenLines(frame(<Header state={reduceAll(events)} width={80} />));
      const what = `${network} ${leaders} leader(s)${paused ? " paused" : ""} agent ${days}d`;
      expect(lines[0], what).toContain("acct 0x2222…2222");
      expect(lines[0], what).toContain("leader");
      expect(lines[0], what).toContain("LIVE");
      for (const line of lines) expect(line.length, what).toBeLessThanOrEqual(80);
      // The header's three lines, none wrapped: equity opens the second.
      expect(lines[1], what).toMatch(/^equity /);
      if (days !== null && days < 7) expect(lines[0], what).toContain(`agent ${days}d left`);
      if (paused) expect(lines[0], what).toContain("PAUSED");
    }
    // The URL without its scheme, where it fits.
    const sim = screenLines(
      frame(
        <Header
          state={reduceAll([start("http://127.0.0.1:7431", 1), ...liveEvents().slice(1)])}
          width={80}
        />,
      ),
    );
    expect(sim[0]).toContain(" 127.0.0.1:7431 ");
    expect(sim[0]).not.toContain("http://");
  });

  describe("at 80 columns the drift is never dropped for a piece of lower priority", () => {
    // Three coins drifting (the demo), paused with drift on three coins, halted with a blocked
    // list: the drift's full text does not fit beside the skips, so it is said in its compact
    // form — and "sweep 4.0s ago" (priority 4) never stands where it (priority 7) should.
    const drifting = (status: "drift" | "blocked", reason: "halted" | null) => ({
      coins: ["BTC", "ETH", "SOL"].map((coin, i) => ({
        coin,
        driftUsd: [120.5, -80.33, 78.0][i] as number,
        status,
        reason,
      })),
      driftUsd: 278.83,
      outsideUsd: 278.83,
      inSync: false,
    });
    const withDrift = (drift: ReturnType<typeof drifting>, extra: EngineEvent[] = []) => {
      let s = reduceDashboard(liveState(), {
        ...stateEvent(T0 + 5000, LIVE_TARGETS),
        drift,
      });
      s = reduceDashboard(s, {
        type: "sweep",
        ts: T0 + 5000,
        durationMs: 40,
        inSync: false,
        driftUsd: 278.83,
        outsideUsd: 278.83,
        requests: 3,
      });
      for (const e of extra) s = reduceDashboard(s, e);
      // Skips of three kinds make the skipped piece long too.
      for (const reason of ["below-min-notional", "entry-drift", "halted"] as const)
        s = reduceDashboard(s, {
          type: "decision",
          ts: T0 + 5100,
          trigger: "fill",
          coins: ["SOL"],
          plan: {
            actions: [],
            skipped: [{ coin: "SOL", reason, detail: "x" }],
            targets: [],
            effectiveRatio: 0.1,
            portfolioScale: 1,
            inSync: false,
          },
        });
      return reduceDashboard(s, { type: "ui/tick", now: T0 + 9000 });
    };
    const cases: [string, ReturnType<typeof withDrift>, string][] = [
      ["drift on three coins (the demo)", withDrift(drifting("drift", null)), "drift $278.83"],
      [
        "paused with drift on three coins",
        withDrift(drifting("drift", null), [{ type: "paused", ts: T0 + 5050, paused: true }]),
        "drift $278.83",
      ],
      [
        "halted with a blocked list",
        withDrift(drifting("blocked", "halted"), [
          { type: "halt", ts: T0 + 5050, kind: "manual", reason: "halted by your flatten" },
        ]),
        "drift $278.83",
      ],
    ];
    for (const [what, state, expected] of cases) {
      it(what, () => {
        const lines = screenLines(frame(<Header state={state} width={80} />));
        for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
        const line3 = lines[2] ?? "";
        expect(line3, what).toContain(expected);
        // Said whole or in counts, never cut mid-word.
        expect(line3, what).toMatch(/drift \$278\.83 (\(3 coins\)|· 3 blocked|\(BTC, ETH, SOL\))/);
        const wide = screenLines(frame(<Header state={state} width={200} />))[2] ?? "";
        expect(wide, what).toMatch(
          /drift \$278\.83 (\(BTC, ETH, SOL\)|· blocked: BTC halted, ETH halted, SOL halted)/,
        );
        expect(wide, what).toContain("sweep 4.0s ago");
      });
    }
  });

  it("after a flatten the verdict says the halt, never 'drift $0.00' beside 'blocked'", () => {
    // Every position closed, the halt holding every target at 0, the leader still holding three
    // coins: the engine's drift report (core/drift.ts) has them blocked by `halted` at $0.00. The
    // header read "drift $0.00 · 3 blocked" beside rows of target 0, ours 0.
    const targets = [
      target("BTC", 0.5, 0, 0, 64000),
      target("ETH", -4, 0, 0, 3200),
      target("SOL", 30, 0, 0, 150),
    ];
    const drift = driftReport({
      targets,
      skipped: targets.map((t) => ({ coin: t.coin, reason: "halted" as const })),
      actionCoins: [],
    });
    let s = reduceDashboard(liveState(), {
      type: "halt",
      ts: T0 + 4500,
      kind: "manual",
      reason: "flatten requested (hlcopy flatten)",
    });
    s = reduceDashboard(s, { ...stateEvent(T0 + 5000, targets), drift });
    s = reduceDashboard(s, { type: "ui/tick", now: T0 + 6000 });
    for (const [width, verdict] of [
      [80, /halted · (3 not opened|not opened: BTC, ETH, SOL)/],
      [200, /halted · not opened: BTC, ETH, SOL/],
    ] as const) {
      const lines = screenLines(frame(<Header state={s} width={width} />));
      const line3 = lines[2] ?? "";
      expect(line3, `${width}`).toMatch(verdict);
      expect(line3, `${width}`).not.toContain("drift $0.00");
      expect(line3, `${width}`).not.toContain("blocked");
      expect(lines.join("\n"), `${width}`).toContain("HALTED manual");
    }
    // The rows agree: no "×" (a gate holding drift) on a flat row.
    expect(s.positions.map((r) => [r.coin, r.targetSize, r.ourSize, r.status])).toEqual([
      ["BTC", 0, 0, "blocked"],
      ["ETH", 0, 0, "blocked"],
      ["SOL", 0, 0, "blocked"],
    ]);
  });

  it("fitSegments: a piece that fits in no form takes every piece of lower priority with it", () => {
    const segs = [
      { text: "a".repeat(10), priority: 9 },
      { text: "b".repeat(30), short: "b".repeat(12), priority: 7 },
      { text: "c".repeat(5), priority: 4 },
    ];
    // Room for a and b's compact form, then b's full text does not fit: c is not shown either.
    expect(fitSegments(segs, 26).map((s) => s.text)).toEqual(["a".repeat(10), "b".repeat(12)]);
    expect(fitSegments(segs, 50).map((s) => s.text)).toEqual(["a".repeat(10), "b".repeat(30), "c".repeat(5)]);
    // b fits in no form: c, of lower priority, is not shown in its place.
    expect(fitSegments(segs, 20).map((s) => s.text)).toEqual(["a".repeat(10)]);
  });

  it("fitSegments: a detail takes only the room left once every other piece has its full text, beside its piece", () => {
    const segs = [
      { text: "a".repeat(10), priority: 9 },
      { text: "(d)", priority: 8, detail: true },
      { text: "b".repeat(30), short: "b".repeat(12), priority: 7 },
      { text: "c".repeat(5), priority: 4 },
    ];
    // Its priority is above b's, yet b gets its full text first; the detail goes one space after a.
    expect(fitSegments(segs, 49).map((s) => s.text)).toEqual(["a".repeat(10), "b".repeat(30), "c".repeat(5)]);
    expect(fitSegments(segs, 53).map((s) => s.text)).toEqual([
      "a".repeat(10),
      "(d)",
      "b".repeat(30),
      "c".repeat(5),
    ]);
    // Its piece not shown: nor is it.
    expect(
      fitSegments([segs[0] as (typeof segs)[0], { text: "(d)", priority: 3, detail: true }], 5),
    ).toHaveLength(1);
  });

  it("narrow: drops low-priority pieces whole and never exceeds the width", () => {
    const lines = screenLines(frame(<Header state={liveState()} width={40} />));
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(40);
    expect(lines[0]).toContain("LIVE");
    expect(lines[0]).not.toContain("acct");
    expect(lines[1]).toContain("equity $10,234.12");
  });
});

describe("Positions", () => {
  const rows = liveState().positions;

  it("one row per coin at 80 columns (the coin's P&L before the leader's notional), drift outside the deadband flagged", () => {
    const lines = screenLines(frame(<Positions rows={rows} width={80} maxRows={10} loaded />));
    expect(lines[0]).toMatch(/coin\s+leader\s+target\s+ours\s+drift \$\s+drift%\s+uPnL\s+P&L\s+lev/);
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/^BTC\s+0\.5\s+0\.05\s+0\.05\s+\$0\.00\s+0\.0%\s+\+\$32\.00\s+-\s+0\.31x$/);
    expect(lines[3]).toMatch(/^SOL\s+30\s+3\s+2\.5\s+\$75\.00!\s+16\.7%/);
    expect(lines[2]).not.toContain("!");
    // 100 columns: every column, the leader's notional too.
    const wide = screenLines(frame(<Positions rows={rows} width={100} maxRows={10} loaded />));
    expect(wide[0]).toMatch(
      /coin\s+leader\s+leader \$\s+target\s+ours\s+drift \$\s+drift%\s+uPnL\s+P&L\s+lev/,
    );
    // The leader's notional in whole dollars on every row: one format, never $32.0k beside $855.43.
    expect(wide[1]).toMatch(/^BTC\s+0\.5\s+\$32,000\s+0\.05/);
  });

  it("60 columns: drops leader notional and drift %, keeps coin, target, ours, drift", () => {
    const lines = screenLines(frame(<Positions rows={rows} width={60} maxRows={10} loaded />));
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(60);
    expect(lines[0]).not.toContain("leader $");
    expect(lines[0]).not.toContain("drift%");
    expect(lines[0]).toMatch(/coin\s+leader\s+target\s+ours\s+drift \$/);
    expect(lines[3]).toContain("$75.00!");
  });

  it("more coins than rows fold into '+N more'", () => {
    const lines = screenLines(frame(<Positions rows={rows} width={80} maxRows={2} loaded />));
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe("+2 more (smaller)");
  });

  it("leader $: whole dollars on every row, whatever the size (no $1.9k beside -$855.43), and never cut", () => {
    const mixed = buildPositionRows(
      [
        target("HYPE", 133.35, 6.66, 6.66, 37.5),
        target("ETH", 0.5621, 0.0281, 0.0281, 3400),
        target("BTC", -0.00894, -0.00044, -0.00044, 95_685),
        target("SOL", 90_000, 4.5, 4.5, 150),
      ],
      [],
      {},
    );
    const lines = screenLines(frame(<Positions rows={mixed} width={120} maxRows={10} loaded />));
    const at = (coin: string) => lines.find((l) => l.startsWith(coin)) ?? "";
    expect(at("HYPE")).toContain(" $5,001 ");
    expect(at("ETH")).toContain(" $1,911 ");
    expect(at("BTC")).toContain(" -$855 ");
    // Wider than the column's 8: the column grows, the figure keeps every digit.
    expect(at("SOL")).toContain(" $13,500,000 ");
    for (const l of lines.slice(1)) expect(l.split(/\s+/)[2], l).toMatch(/^-?\$\d{1,3}(,\d{3})*$/);
  });

  it("leader $ is valued at the state's mid (the one uPnL is at), not the coin's last plan's (M7)", () => {
    // The plan of BTC ran at $64,000; the mid has moved to $66,000 since (the state's mids).
    const state = {
      ...stateEvent(T0, [target("BTC", 0.5, 0.05, 0.05, 64_000)]),
      mids: { BTC: 66_000 },
    };
    const rows = reduceDashboard(initialDashboardState(), state).positions;
    expect(rows[0]?.leaderNotional).toBe(33_000);
    const line = screenLines(frame(<Positions rows={rows} width={120} maxRows={10} loaded />)).find((l) =>
      l.startsWith("BTC"),
    );
    expect(line).toContain(" $33,000 ");
    // follow --json's state record says the same figure (to the cent).
    expect(eventRecord(state)?.targets).toMatchObject([{ coin: "BTC", leaderSize: 0.5, leaderUsd: 33_000 }]);
  });

  it("a coin the leader holds none of: '-' in leader and leader $ alike, open or closed row (LOW)", () => {
    const rows = buildPositionRows(
      [target("HYPE", 0, 0, 1.55, 37.67), target("BTC", 0.01345, 0.00067, 0.00067, 95_500)],
      [
        { coin: "HYPE", size: 1.55, entryPx: 37.6 },
        { coin: "BTC", size: 0.00067, entryPx: 95_000 },
      ],
      {},
      undefined,
      undefined,
      undefined,
      copyPnl({
        totals: foldPnl(
          [
            { coin: "SOL", px: 150, sz: 3, fee: 0.2, closedPnl: 0 },
            { coin: "SOL", px: 146, sz: 3, fee: 0.2, closedPnl: -12 },
          ],
          [],
        ),
        positions: [],
        since: T0,
        startEquity: 10_000,
        leaders: [],
        shares: {},
      }),
    );
    const lines = screenLines(frame(<Positions rows={rows} width={120} maxRows={10} loaded />));
    const cells = (coin: string) => (lines.find((l) => l.startsWith(coin)) ?? "").split(/\s+/);
    expect(cells("HYPE").slice(1, 3)).toEqual(["-", "-"]);
    expect(cells("SOL").slice(1, 3)).toEqual(["-", "-"]); // closed: traded, now flat
    expect(cells("BTC")[1]).toBe("0.01345");
    expect(rows.find((r) => r.coin === "HYPE")?.leaderNotional).toBeNull();
  });

  it("drift% at a target of 0 says 'closing' (a % of 0 is undefined), never ±100%", () => {
    const rows = buildPositionRows(
      [target("HYPE", 0, 0, 1.55, 37.67), target("BTC", 0.01345, 0.00067, 0, 95_500)],
      [{ coin: "HYPE", size: 1.55, entryPx: 37.6 }],
      {},
    );
    const lines = screenLines(frame(<Positions rows={rows} width={100} maxRows={10} loaded />));
    expect(lines.find((l) => l.startsWith("HYPE"))).toMatch(/-\$58\.39!\s+closing /);
    // Nothing held of a target: all of it is drift, 100 % of the target.
    expect(lines.find((l) => l.startsWith("BTC"))).toMatch(/\$63\.99!\s+100\.0% /);
    expect(lines.join("\n")).not.toContain("-100.0%");
  });

  it("a drift% too wide for its cell is whole percent, never cut inside its digits", () => {
    // The leader nearly closed HYPE: 0.17 to hold against our 2.79 — 1 541 % of the target.
    const rows = buildPositionRows(
      [target("HYPE", 3.54, 0.17, 2.79, 35.7)],
      [{ coin: "HYPE", size: 2.79, entryPx: 35 }],
      {},
    );
    const hype = screenLines(frame(<Positions rows={rows} width={100} maxRows={10} loaded />)).find((l) =>
      l.startsWith("HYPE"),
    );
    expect(hype).toMatch(/ -1541% /);
    expect(hype).not.toContain("…");
  });

  it("paused: drift the next cycle would trade shows ‖ (held by the pause), not ! — and not as an alarm", () => {
    const paused = screenLines(frame(<Positions rows={rows} width={80} maxRows={10} loaded paused />));
    const sol = paused.find((l) => l.startsWith("SOL")) ?? "";
    expect(sol).toMatch(/\$75\.00‖/);
    expect(paused.join("\n")).not.toContain("!");
    // The help says what each mark means; ‖ is among them.
    expect(HELP_SECTIONS.flatMap((x) => x.lines).join("\n")).toContain("‖ held by the pause");
    // Not bold yellow: the pause is the trader's choice, not drift to look at.
    const r = render(<Positions rows={rows} width={80} maxRows={10} loaded paused />);
    const raw = r.lastFrame() ?? "";
    r.unmount();
    const solRaw = raw.split("\n").find((l) => l.includes("SOL")) ?? "";
    expect(solRaw).not.toContain("\u001b[1m");
  });

  it("a coin closed during the run stays listed with its P&L: the rows add up to the header's P&L", () => {
    const pnl = copyPnl({
      totals: foldPnl(
        [
          { coin: "BTC", px: 64_000, sz: 0.05, fee: 1.44, closedPnl: 0 },
          { coin: "SOL", px: 150, sz: 3, fee: 0.2, closedPnl: 0 },
          { coin: "SOL", px: 146, sz: 3, fee: 0.2, closedPnl: -12 },
          { coin: "HYPE", px: 38, sz: 10, fee: 0.17, closedPnl: 0 },
          { coin: "HYPE", px: 39, sz: 10, fee: 0.17, closedPnl: 10 },
        ],
        [{ coin: "HYPE", usdc: 0.25 }],
      ),
      positions: [{ coin: "BTC", size: 0.05, entryPx: 64_000, markPx: 64_100 }],
      since: T0,
      startEquity: 10_000,
      leaders: [],
      shares: {},
    });
    const s = reduceDashboard(liveState(), {
      ...stateEvent(T0 + 5000, [target("BTC", 0.5, 0.05, 0.05, 64_100)]),
      pnl,
    });
    const lines = screenLines(frame(<Positions rows={s.positions} width={80} maxRows={10} loaded />));
    const header = lines[0] ?? "";
    const pnlEnd = header.indexOf("P&L") + 3;
    const pnlOf = (l: string) =>
      Number(
        l
          .slice(pnlEnd - 8, pnlEnd)
          .trim()
          .replace("$", ""),
      );
    // Open positions first, then the closed coins (biggest P&L first).
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(["coin", "BTC", "SOL", "HYPE"]);
    expect(lines.find((l) => l.startsWith("SOL"))).toMatch(/closed/);
    expect(lines.find((l) => l.startsWith("HYPE"))).toMatch(/closed/);
    const sum = lines.slice(1).reduce((a, l) => a + pnlOf(l), 0);
    expect(sum).toBeCloseTo(pnl.netUsd, 2);
    // Folded: the "+N more" line carries the P&L of the rows it hides, so the sum still holds.
    const folded = screenLines(frame(<Positions rows={s.positions} width={80} maxRows={2} loaded />));
    expect(folded[2]).toMatch(/^\+2 more \(smaller\)/);
    expect(folded.slice(1).reduce((a, l) => a + pnlOf(l), 0)).toBeCloseTo(pnl.netUsd, 2);
  });

  it("empty: waiting for a snapshot, then no positions yet", () => {
    expect(frame(<Positions rows={[]} width={80} maxRows={5} loaded={false} />)).toContain(
      "waiting for the first account snapshot",
    );
    expect(frame(<Positions rows={[]} width={80} maxRows={5} loaded />)).toContain("no positions yet");
  });
});

describe("the copy's P&L and drift from the engine's state", () => {
  // The engine's state event carries the P&L (core/pnl.ts) and the drift report (core/drift.ts).
  const withFigures = () =>
    reduceDashboard(liveState(), {
      ...stateEvent(T0 + 5000, [
        target("BTC", 0.5, 0.05, 0.05, 64000),
        target("ETH", -4, -0.4, -0.35, 3200),
        target("SOL", 30, 3, 2.5, 150),
        // The planner keeps a left-alone coin's targetSize at our own size (caps count it).
        target("DOGE", 0, 300, 300, 0.1),
      ]),
      drift: {
        coins: [
          { coin: "BTC", driftUsd: 0, status: "in-sync", reason: null },
          { coin: "ETH", driftUsd: -160, status: "blocked", reason: "entry-drift" },
          { coin: "SOL", driftUsd: 75, status: "drift", reason: null },
          { coin: "DOGE", driftUsd: 0, status: "left-alone", reason: "not-ours" },
        ],
        driftUsd: 235,
        outsideUsd: 235,
        inSync: false,
      },
      pnl: {
        since: T0,
        startEquity: 10_000,
        realisedUsd: 30,
        unrealisedUsd: 12.5,
        feesUsd: 4.2,
        fundingUsd: -0.3,
        netUsd: 38,
        roiPct: 0.38,
        fills: 6,
        volumeUsd: 9_000,
        byCoin: [
          {
            coin: "BTC",
            realisedUsd: 30,
            unrealisedUsd: 32,
            feesUsd: 2,
            fundingUsd: -0.2,
            netUsd: 59.8,
            roiPct: 0.598,
            fills: 2,
            volumeUsd: 6_000,
          },
          {
            coin: "ETH",
            realisedUsd: 0,
            unrealisedUsd: -19.5,
            feesUsd: 2.2,
            fundingUsd: -0.1,
            netUsd: -21.8,
            roiPct: -0.218,
            fills: 4,
            volumeUsd: 3_000,
          },
        ],
        byLeader: [],
      },
    });

  it("the header: P&L (and ROI when there is room), and the drift in status's words", () => {
    const s = withFigures();
    const narrow = frame(<Header state={s} width={80} />);
    expect(narrow).toContain("P&L +$38.00");
    expect(narrow).toContain("lag 7ms");
    const wide = frame(<Header state={s} width={160} />);
    expect(wide).toContain("ROI +0.38%");
    expect(wide).toContain("drift $235.00 (SOL) · blocked: ETH entry-drift · left alone: DOGE not-ours");
  });

  it("the header's 'left alone' is the rows' alone: every one named, or counted when narrow", () => {
    // A position changed by hand (not-ours) and a denied coin the leader holds: two rows "alone".
    const s = reduceDashboard(liveState(), {
      ...stateEvent(T0 + 5000, [
        target("BTC", 0.5, 0.05, 0.05, 64000),
        target("DOGE", 0, 300, 300, 0.1),
        target("ETH", 10, 0, 0, 3400),
      ]),
      drift: {
        coins: [
          { coin: "BTC", driftUsd: 0, status: "in-sync", reason: null },
          { coin: "DOGE", driftUsd: null, status: "left-alone", reason: "not-ours" },
          { coin: "ETH", driftUsd: null, status: "left-alone", reason: "coin-denied" },
        ],
        driftUsd: 0,
        outsideUsd: 0,
        inSync: false,
      },
    });
    const rows = screenLines(frame(<Positions rows={s.positions} width={100} maxRows={10} loaded />));
    const alone = rows.filter((l) => / alone /.test(l)).map((l) => l.split(" ")[0]);
    expect(alone).toEqual(["DOGE", "ETH"]);
    expect(frame(<Header state={s} width={160} />)).toContain(
      "not in sync · left alone: DOGE not-ours, ETH coin-denied",
    );
    expect(frame(<Header state={s} width={80} />)).toContain(`not in sync · ${alone.length} left alone`);
  });

  it("rows: ! the next cycle trades it, × a gate holds it, alone = not sized; each coin's P&L", () => {
    const rows = withFigures().positions;
    const lines = screenLines(frame(<Positions rows={rows} width={100} maxRows={10} loaded />));
    expect(lines.find((l) => l.startsWith("SOL"))).toMatch(/\$75\.00!/);
    expect(lines.find((l) => l.startsWith("ETH"))).toMatch(/-\$160\.00×/);
    expect(lines.find((l) => l.startsWith("DOGE"))).toMatch(/ alone /);
    // No target for a position hlcopy leaves alone: our size there would read as "hlcopy wants this".
    expect(rows.find((r) => r.coin === "DOGE")?.targetSize).toBeNull();
    const header = lines[0] ?? "";
    const doge = lines.find((l) => l.startsWith("DOGE")) ?? "";
    const end = header.indexOf("target") + "target".length;
    expect(doge.slice(end - 9, end).trim()).toBe("-");
    expect(doge.slice(end + 1, end + 10).trim()).toBe("300");
    expect(lines.find((l) => l.startsWith("BTC"))).toMatch(/\$59\.80/);
    expect(lines.find((l) => l.startsWith("ETH"))).toMatch(/-\$21\.80/);
    // uPnL is the P&L's unrealised part for the coin.
    expect(rows.find((r) => r.coin === "BTC")?.upnl).toBe(32);
  });

  it("a row tolerated inside the deadband never sits beside a bare 'in sync'", () => {
    const s = reduceDashboard(liveState(), {
      ...stateEvent(T0 + 5000, [target("SOL", 30, 3, 3.49, 150)], { deadbandUsd: { SOL: 100 } }),
      drift: {
        coins: [{ coin: "SOL", driftUsd: -73.5, status: "tolerated", reason: "inside-deadband" }],
        driftUsd: 73.5,
        outsideUsd: 0,
        inSync: true,
      },
    });
    const out = frame(<Header state={s} width={120} />);
    expect(out).toContain("in sync · $73.50 tolerated inside the deadband");
    const row = screenLines(frame(<Positions rows={s.positions} width={100} maxRows={5} loaded />))[1];
    expect(row).toMatch(/^SOL .*-\$73\.50 /);
  });
});

describe("the header's verdict on stale data", () => {
  it("says 'stale · last in sync … ago' — never 'in sync' — once the data is older than the engine's window, and its age grows with the clock", () => {
    const inSync = { coins: [], driftUsd: 0, outsideUsd: 0, inSync: true };
    const fresh = reduceDashboard(liveState(), {
      ...stateEvent(T0 + 5000, [target("SOL", 30, 3, 3, 150)]),
      drift: inSync,
      freshness: { freshAt: T0 + 4000, staleMs: 60_000, lastInSyncAt: T0 + 5000 },
    });
    expect(frame(<Header state={fresh} width={120} />)).toContain("in sync");
    // No new event: the exchange went quiet (ws reconnecting, sweeps failing); the clock goes on.
    const later = reduceDashboard(fresh, { type: "ui/tick", now: T0 + 4000 + 94_000 });
    const out = frame(<Header state={later} width={120} />);
    expect(out).toContain("stale 94s · last in sync 93s ago");
    expect(out).not.toMatch(/(^|[^t] )in sync/);
  });
});

describe("Slippage", () => {
  it("mean / p50 / p95 over the fills, the last fills by coin, sparklines", () => {
    const lines = screenLines(frame(<Slippage state={liveState()} width={80} />));
    // The figures as status, report and follow's summary write them (ui/format.ts fmtSlippage):
    // no "+" here and none there — the panel wrote "p95 +1.9" where they wrote "p95 1.9".
    expect(lines[0]).toMatch(/^slip exec bps mean 0\.8 p50 0\.5 p95 1\.9 n=3 {2}vs leader p50 1\.2 p95 3\.7/);
    // With room, a sparkline of the execution slippages too.
    const wide = screenLines(frame(<Slippage state={liveState()} width={120} />));
    expect(wide[0]).toMatch(/vs leader p50 1\.2 p95 3\.7 {2}[▁-█]{3}$/);
    expect(lines[1]).toBe("last SOL 2.1 ETH -0.2 BTC 0.5");
    expect(lines[2]).toMatch(/^equity \$10,234\.12/);
  });

  it("before any fill", () => {
    const s = reduceAll([startEvent()]);
    expect(frame(<Slippage state={s} width={80} />)).toContain("slip exec bps no fills yet");
  });

  it("over the budget: the p95 of execution slippage against exec.slippageBudgetBps, in the panel", () => {
    let s = reduceAll([startEvent()]);
    s = { ...s, slippageBudgetBps: 2 };
    for (let i = 0; i < 6; i++) {
      s = reduceDashboard(
        s,
        fillEvent(T0 + i, "BTC", { kind: i < 3 ? "copy" : "repair", execSlippageBps: 1 + i }),
      );
    }
    const out = screenLines(frame(<Slippage state={s} width={100} />));
    expect(out[0]).toContain("p95 5.8 n=6 > budget 2!");
    expect(out[1]).toBe("last BTC/r 6.0 BTC/r 5.0 BTC/r 4.0 BTC 3.0 BTC 2.0 BTC 1.0");
  });

  it("over the budget in the run's last 500 fills, not in all of them: the warning says the p95 it judged and its fills", () => {
    // 1000 fills at 0.0 bps, then 30 at 20: the run's p95 is 0.0 (the figure shown), the last
    // 500's 20.0 (the budget's, as the engine's event and --no-ui line say it). The panel read
    // "p95 0.0 n=1030 > budget 10!": a p95 under the budget flagged as over it.
    let s = reduceAll([startEvent()]);
    s = { ...s, slippageBudgetBps: 10 };
    for (let i = 0; i < 1030; i++)
      s = reduceDashboard(s, fillEvent(T0 + i, "BTC", { execSlippageBps: i < 1000 ? 0 : 20 }));
    const out = screenLines(frame(<Slippage state={s} width={120} />));
    expect(out[0]).toContain("p95 0.0 n=1030 > budget 10! (last 500: p95 20.0)");
    // Narrower, the warning keeps the p95 it judged: the terminal cut it to "> budget 10!…" at
    // 60 columns (the run's p95 0.0 flagged as over) and to "(last 500: p95 +20.…" at 80.
    for (const width of [60, 70, 80]) {
      const line = screenLines(frame(<Slippage state={s} width={width} />))[0] ?? "";
      // At 80 the whole line fits: the p95 judged is in it, whole, beside the run's.
      if (width === 80) expect(line).toContain("> budget 10! (last 500: p95 20.0)");
      else {
        expect(line).toContain("last 500: p95 20.0 > budget 10!");
        expect(line).not.toContain("p95 0.0");
      }
      expect(line).not.toContain("…");
      expect(line.length).toBeLessThanOrEqual(width);
    }
  });

  it("the comparison with the leader's price is shown whole or not at all", () => {
    let s = reduceAll([startEvent()]);
    for (let i = 0; i < 5; i++) s = reduceDashboard(s, fillEvent(T0 + i, "BTC", { execSlippageBps: 1 + i }));
    for (let width = 40; width <= 120; width++) {
      const line = screenLines(frame(<Slippage state={s} width={width} />))[0] ?? "";
      expect(line).not.toMatch(/vs l?e?a?d?e?r?…|vs leader[^…]*…/u);
      expect(line.length).toBeLessThanOrEqual(width);
    }
  });
});

describe("EventLog", () => {
  const entry = (seq: number, text: string): LogEntry => ({
    seq,
    ts: T0 + seq,
    type: "fill",
    level: "good",
    coin: "BTC",
    text,
  });

  it("prints each entry once, in order, cut to the width", async () => {
    const { stdout, instance } = renderTty(
      <EventLog entries={[entry(1, "fill one"), entry(2, "fill two")]} width={30} />,
    );
    instance.rerender(
      <EventLog
        entries={[entry(1, "fill one"), entry(2, "fill two"), entry(3, "x".repeat(40))]}
        width={30}
      />,
    );
    instance.rerender(
      <EventLog
        entries={[entry(1, "fill one"), entry(2, "fill two"), entry(3, "x".repeat(40))]}
        width={30}
      />,
    );
    await instance.waitUntilRenderFlush();
    instance.unmount();
    const lines = stdout
      .text()
      .split("\n")
      .filter((l) => l.trim() !== "");
    expect(lines).toEqual([
      "12:00:00.001 fill one",
      "12:00:00.002 fill two",
      `12:00:00.003 ${"x".repeat(16)}…`,
    ]);
  });

  it("keeps printing after the ring is full, and says how many a storm skipped", async () => {
    const { stdout, instance } = renderTty(<EventLog entries={[entry(1, "first")]} width={100} />);
    // The ring now holds 98..100: entries 2..97 were never drawn.
    instance.rerender(<EventLog entries={[entry(98, "a"), entry(99, "b"), entry(100, "c")]} width={100} />);
    instance.rerender(<EventLog entries={[entry(99, "b"), entry(100, "c"), entry(101, "d")]} width={100} />);
    await instance.waitUntilRenderFlush();
    instance.unmount();
    const lines = stdout
      .text()
      .split("\n")
      .filter((l) => l.trim() !== "");
    expect(lines).toEqual([
      "12:00:00.001 first",
      "… 96 events not drawn (too many at once); --json and the journal have them",
      "12:00:00.098 a",
      "12:00:00.099 b",
      "12:00:00.100 c",
      "12:00:00.101 d",
    ]);
  });

  it("draws at most maxPerFrame lines per frame: the newest, after one 'not drawn' line", async () => {
    const five = [1, 2, 3, 4, 5].map((i) => entry(i, `e${i}`));
    const { stdout, instance } = renderTty(<EventLog entries={five} width={100} maxPerFrame={2} />);
    await instance.waitUntilRenderFlush();
    instance.unmount();
    const lines = stdout
      .text()
      .split("\n")
      .filter((l) => l.trim() !== "");
    expect(lines).toEqual([
      "… 3 events not drawn (too many at once); --json and the journal have them",
      "12:00:00.004 e4",
      "12:00:00.005 e5",
    ]);
  });
});

describe("Help", () => {
  const allText = (maxLines: number, skipped: Parameters<typeof helpPages>[1] = []) =>
    helpPages(maxLines, skipped)
      .flat()
      .map((l) => l.text)
      .join("\n");

  it("lists the keys, the figures, and the skip reasons seen in words", () => {
    const out = allText(17, [{ reason: "entry-drift", count: 2 }]);
    for (const k of ["q quit", "p pause", "s sweep now", "f flatten", "? next page"])
      expect(out).toContain(k);
    expect(out).toContain("entry-drift ×2: price moved too far from the leader's price");
  });

  it("says a pause holds the copy, not every order: a halt's closes and a flatten still go while paused", () => {
    const out = allText(17);
    expect(out).toContain("PAUSED: copy held");
    expect(out).toContain("p pause / resume copying");
    expect(out).not.toMatch(/no orders|resume sending/);
  });

  it("explains every column the positions table can show, and the header's figures", () => {
    const out = allText(17);
    const columns = [...POSITION_COLUMNS, HELD_COLUMN, ...PROTECTION_COLUMNS, TIME_STOP_COLUMN]
      .map((c) => c.title.trim())
      .filter((t) => t !== "coin");
    for (const term of [
      ...columns,
      "acct",
      "agent Nd left",
      "equity",
      "ROI",
      "hwm",
      "dd",
      "ws",
      "lag",
      "p50",
      "orders filled",
      "planned",
      "leader trades N",
      "copied",
      "in line",
      "skipped",
      "missed",
      "in flight",
      "rejected",
      "sweep",
      "slip exec bps",
      "vs leader",
      "last",
    ]) {
      expect(out, term).toMatch(new RegExp(`(^|  |· )${term.replace(/[$?()]/g, "\\$&")} =`, "m"));
    }
    expect(out).toContain("lev = our position's notional at the mid ÷ equity");
    expect(out).toContain("header's lev 1.2x/3x: its cap risk.maxLeverage (yellow near, red above)");
    expect(out).toContain("P&L = the coin's net since the copy began");
    expect(out).toContain("× a gate holds it");
    expect(out).toContain("- = left alone");
    // Every word of the header's verdict and states, what the help explains in turn.
    for (const word of [
      "in sync =",
      "tolerated =",
      "drift $X (coins) =",
      "not in sync =",
      "blocked: COIN reason =",
      "left alone: COIN reason =",
      "N left alone",
      "stale 1m =",
      "last in sync 34s ago /",
      "not in sync at the last read =",
      "connecting / reconnecting for 5s =",
      "closed =",
      "pausing… / resuming… =",
      "HALTED kind: reason =",
      "stopped: reason =",
      "sweep - =",
    ])
      expect(out, word).toContain(word);
    // The hwm a restarted run shows is the journal's, not a fresh one: said so.
    expect(out).toContain("hwm = high-water mark: our highest equity, carried over from run to run");
    expect(out).toContain("hlcopy resume resets it");
  });

  it("each line fits 80 columns; a section is not split across pages when it fits one", () => {
    for (const s of HELP_SECTIONS) for (const l of s.lines) expect(l.length, l).toBeLessThanOrEqual(78);
    const pages = helpPages(17, []);
    // The slippage section's sparkline line moved it to the keys' page.
    expect(pages.map((p) => p[0]?.text)).toEqual(["header", "verdict and states", "columns", "slippage"]);
    for (const p of pages) expect(p.length).toBeLessThanOrEqual(17);
    // Tall enough: one page.
    expect(helpPages(70, [])).toHaveLength(1);
  });

  it("in the README's words: its help block is these lines", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    for (const s of HELP_SECTIONS) for (const l of s.lines) expect(readme, l).toContain(`  ${l}\n`);
  });

  it("narrower than 80 columns, every line goes on over the next ones, not cut; every page fits", () => {
    // At 60 columns the help cut every line: "equity = our account value · P&L = the copy's net since i…".
    const skipped = [{ reason: "entry-drift" as const, count: 2 }];
    const words = (t: string) => t.split(/\s+/u).filter((w) => w !== "");
    const pages = helpPages(14, skipped, 60);
    expect(
      words(
        pages
          .flat()
          .map((l) => l.text)
          .join(" "),
      ),
    ).toEqual(words(allText(14, skipped)));
    for (const [i, p] of pages.entries()) {
      expect(p.length).toBeLessThanOrEqual(14);
      const shown = screenLines(frame(<Help width={60} maxLines={14} skipped={skipped} page={i} />));
      expect(shown).toEqual(p.map((l) => l.text.trimEnd()));
      for (const line of shown) expect(line.length, line).toBeLessThanOrEqual(60);
    }
    expect(
      pages
        .flat()
        .map((l) => l.text)
        .join("\n"),
    ).toContain("equity = our account value · P&L = the copy's net");
  });

  it("a page is cut to the lines available", () => {
    expect(screenLines(frame(<Help width={80} maxLines={3} skipped={[]} />))).toHaveLength(3);
  });
});

it("an empty state renders every panel without throwing", () => {
  const s = initialDashboardState();
  expect(frame(<Header state={s} width={80} />)).toContain("equity -");
  expect(frame(<Slippage state={s} width={80} />)).toContain("no fills yet");
});

describe("the README's dashboard frame", () => {
  // A capture of the real demo (tmux capture-pane, 80×24): what a user sees, not a drawing.
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const start = readme.indexOf("```\n", readme.indexOf("This is what it shows in an 80×24 terminal")) + 4;
  const frameText = readme.slice(start, readme.indexOf("```", start));
  const lines = frameText.trimEnd().split("\n");

  it("fits 80×24", () => {
    expect(lines.length).toBeLessThanOrEqual(24);
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(80);
  });

  it("has the demo's header and the table's columns as the code draws them", () => {
    // The demo: a live run on its simulator whose agent approval does not expire (no days left).
    const addr = (head: string, tail: string) =>
      `${head}${"0".repeat(42 - head.length - tail.length)}${tail}` as `0x${string}`;
    const state = reduceDashboard(initialDashboardState(), {
      ...startEvent("live", T0),
      leaders: [{ address: addr("0x056b", "4e5b"), weight: 1 }],
      account: addr("0x2a22", "dd31"),
      network: "demo (local simulator)",
    });
    const header = screenLines(frame(<Header state={state} width={80} />))[0] ?? "";
    expect(lines.find((l) => l.startsWith("hlcopy "))).toBe(header.trimEnd());
    const columns = screenLines(
      frame(<Positions rows={liveState().positions} width={80} maxRows={5} loaded />),
    )[0];
    expect(lines).toContain(columns?.trimEnd());
  });
});

describe("Positions with several leaders", () => {
  // A long 1 BTC, B short 1 BTC, followed 0.6/0.4: the planner's weighted Σ (0.2) is no leader's
  // position; the row shows the leaders' net (0, held: "0", not "-") and --json each one's size.
  const a = coreLeader({ BTC: 1, ETH: 2 }, 100_000, { weight: 0.6 });
  const b = coreLeader({ BTC: -1, ETH: 3 }, 100_000, { weight: 0.4, address: CORE_LEADER2 });
  const p = corePlan({
    markets: { BTC: market("BTC", 60_000, 5), ETH: market("ETH", 3_000, 4) },
    leaders: [a, b],
    settings: settingsWith({ sizing: { mode: "fixed-ratio", ratio: 0.1 } }),
  });

  it("titles the column 'leaders' and shows their net position, in size and $, through the real planner", () => {
    const rows = buildPositionRows(p.targets, [], {});
    const lines = screenLines(frame(<Positions rows={rows} width={120} maxRows={10} loaded several />));
    expect(lines[0]).toMatch(/coin\s+leaders\s+leaders \$\s+target/);
    expect(lines.find((l) => l.startsWith("BTC"))).toMatch(/^BTC\s+0\s+\$0\s+0\.02\s/);
    expect(lines.find((l) => l.startsWith("ETH"))).toMatch(/^ETH\s+5\s+\$15,000\s+0\.24\s/);
    expect(rows.find((r) => r.coin === "BTC")?.byLeader).toEqual([
      { leader: a.address, size: 1 },
      { leader: CORE_LEADER2, size: -1 },
    ]);
    // One leader: the column keeps its name and the leader's own size.
    const one = corePlan({
      markets: { BTC: market("BTC", 60_000, 5) },
      leader: coreLeader({ BTC: 1 }),
      settings: settingsWith({ sizing: { mode: "fixed-ratio", ratio: 0.1 } }),
    });
    const single = screenLines(
      frame(<Positions rows={buildPositionRows(one.targets, [], {})} width={120} maxRows={10} loaded />),
    );
    expect(single[0]).toMatch(/coin\s+leader\s+leader \$\s+target/);
    expect(single.find((l) => l.startsWith("BTC"))).toMatch(/^BTC\s+1\s+\$60,000\s+0\.1\s/);
  });

  it("follow --json's state record says the same figures, and each leader's own size", () => {
    const state = stateEvent(T0, p.targets);
    expect(eventRecord(state)?.targets).toMatchObject([
      {
        coin: "BTC",
        leaderSize: 0,
        leaderUsd: 0,
        byLeader: [
          { leader: a.address, size: 1 },
          { leader: CORE_LEADER2, size: -1 },
        ],
      },
      { coin: "ETH", leaderSize: 5, leaderUsd: 15_000 },
    ]);
    // Through the dashboard's reducer (the run's leaders known from its start): the same rows.
    const rows = reduceDashboard(initialDashboardState(), state).positions;
    expect(rows.map((r) => [r.coin, r.leaderSize, r.leaderNotional])).toEqual([
      ["BTC", 0, 0],
      ["ETH", 5, 15_000],
    ]);
  });
});

describe("follow --json's decision record with several leaders", () => {
  it("says each leader's ratio beside effectiveRatio, adding up to it; one leader's record is as before", () => {
    // equity-ratio: A's ratio 0.6 × 10k/100k = 0.06, B's 0.4 × 10k/1M = 0.004 — effectiveRatio
    // 0.064 is neither one's, nor any coin's size ÷ a leader's.
    const a = coreLeader({ BTC: 1 }, 100_000, { weight: 0.6 });
    const b = coreLeader({ ETH: 3 }, 1_000_000, { weight: 0.4, address: CORE_LEADER2 });
    const markets = { BTC: market("BTC", 60_000, 5), ETH: market("ETH", 3_000, 4) };
    const settings = settingsWith({ sizing: { mode: "equity-ratio", multiplier: 1 } });
    const p = corePlan({ markets, leaders: [a, b], settings });
    const record = eventRecord(decisionEvent(T0, p));
    expect(record?.effectiveRatio).toBeCloseTo(0.064, 9);
    const ratios = record?.leaderRatios as Record<string, number>;
    expect(ratios[a.address]).toBeCloseTo(0.06, 9);
    expect(ratios[CORE_LEADER2]).toBeCloseTo(0.004, 9);
    const one = corePlan({ markets, leader: coreLeader({ BTC: 1 }), settings });
    expect(eventRecord(decisionEvent(T0, one))).not.toHaveProperty("leaderRatios");
  });
});
