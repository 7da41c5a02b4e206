import { describe, expect, it } from "vitest";
import type { EngineEvent } from "../../src/engine/events.js";
import { createLineWriter, formatLine } from "../../src/ui/lines.js";
import {
  decisionEvent,
  fillEvent,
  LEADER,
  LEADER2,
  LIVE_TARGETS,
  liveEvents,
  plan,
  startEvent,
  stateEvent,
  T0,
  target,
} from "./fixtures.js";

function collect(json: boolean, events: readonly EngineEvent[], stateEveryMs?: number): string[] {
  let text = "";
  const write = createLineWriter({ json, out: { write: (s: string) => (text += s) }, stateEveryMs });
  for (const e of events) write(e);
  return text.split("\n").filter((l) => l !== "");
}

describe("human lines", () => {
  it("a halt standing from an earlier run says since when, not as a new halt", () => {
    const lines = collect(false, [
      { type: "halt", ts: T0, kind: "kill-switch", reason: "drawdown 30%", since: T0 - 3_600_000 },
      { type: "halt", ts: T0, kind: "daily-loss", reason: "daily loss 12%", since: T0 - 60_000 },
    ]);
    expect(lines).toEqual([
      "12:00:00.000 HALT kill-switch (still halted since 2024-01-01 11:00:00 UTC, 60m ago — not a new halt): drawdown 30%",
      "12:00:00.000 HALT daily-loss (still in force since 2024-01-01 11:59:00 UTC, 60s ago — not a new halt): daily loss 12%",
    ]);
  });

  it("a sweep says the header's drift figure, never the total with the tolerated dollars in it", () => {
    const sweep = (inSync: boolean, driftUsd: number, outsideUsd: number): EngineEvent => ({
      type: "sweep",
      ts: T0,
      durationMs: 12,
      inSync,
      driftUsd,
      outsideUsd,
      requests: 2,
    });
    // SOL $30.02 to trade, BTC $5.72 under the $10 minimum: the header says "drift $30.02 (SOL)".
    expect(formatLine(sweep(false, 35.74, 30.02))).toBe("12:00:00.000 sweep drift $30.02 in 12ms, 2 req");
    // In sync with $3.37 left on purpose: said as tolerated, not as drift.
    expect(formatLine(sweep(true, 3.37, 0))).toBe(
      "12:00:00.000 sweep in sync ($3.37 tolerated) in 12ms, 2 req",
    );
    expect(formatLine(sweep(true, 0, 0))).toBe("12:00:00.000 sweep in sync in 12ms, 2 req");
    // Out of sync with nothing outside (a position changed outside hlcopy): never "drift $0.00".
    expect(formatLine(sweep(false, 4.1, 0))).toBe("12:00:00.000 sweep not in sync in 12ms, 2 req");
  });

  it("a state line without a drift report sums the rows' drift as they show it, to the cent", () => {
    // Three coins of 1 × 10.005: each row reads $10.01; the raw sum 30.015 rounded read $30.02.
    const targets = ["BTC", "ETH", "SOL"].map((coin) => target(coin, 10, 1, 0, 10.005));
    expect(formatLine(stateEvent(T0, targets))).toMatch(/ drift \$30\.03$/);
  });

  it("basis points are written one way in a line: '12.3 bps' beside '10 bps', never '12.3bps'", () => {
    const budget = (exceeded: boolean): EngineEvent => ({
      type: "slippageBudget",
      ts: T0,
      exceeded,
      p95Bps: exceeded ? 12.34 : 8.04,
      budgetBps: 10,
      n: 40,
    });
    expect(formatLine(budget(true))).toContain("execution p95 12.3 bps > 10 bps over the last 40 fills");
    expect(formatLine(budget(false))).toContain("execution p95 8.0 bps ≤ 10 bps");
  });

  it("a fill reads as one line with time, slippage and lag", () => {
    expect(formatLine(fillEvent(T0 + 1234))).toBe(
      "12:00:01.234 fill BTC buy 0.01 @ 64000.5 exec 0.8 bps vs leader 1.2 bps lag 4ms",
    );
    // A sweep repair: no leader to compare with, no lag.
    expect(
      formatLine(fillEvent(T0, "ETH", { kind: "repair", slippageBps: null, lagMs: null, side: "sell" })),
    ).toBe("12:00:00.000 fill repair ETH sell 0.01 @ 64000.5 exec 0.8 bps");
    // A fill hlcopy did not place (a manual trade): nothing to measure; said, with the part that
    // closed hlcopy's position when there is one (the copy P&L counts that part).
    const manual = { kind: null, execSlippageBps: null, slippageBps: null, lagMs: null } as const;
    expect(formatLine(fillEvent(T0, "ETH", { ...manual, copySz: 0 }))).toBe(
      "12:00:00.000 fill (not placed by hlcopy) ETH buy 0.01 @ 64000.5",
    );
    expect(formatLine(fillEvent(T0, "ETH", { ...manual, side: "sell", copySz: 0.01 }))).toBe(
      "12:00:00.000 fill (not placed by hlcopy) ETH sell 0.01 @ 64000.5, the copy's 0.01",
    );
  });

  it("the start line of several leaders says 'leaders', each with its weight; one leader's says 'leader'", () => {
    const two = {
      ...startEvent(),
      leaders: [
        { address: LEADER, weight: 0.6 },
        { address: LEADER2, weight: 0.4 },
      ],
    };
    expect(formatLine(two)).toBe(
      "12:00:00.000 start LIVE testnet leaders 0x1111…1111 60%, 0x3333…3333 40% account 0x2222…2222",
    );
    expect(formatLine(startEvent())).toBe(
      "12:00:00.000 start LIVE testnet leader 0x1111…1111 account 0x2222…2222",
    );
  });

  it("one line per event of a run; heartbeats stay silent", () => {
    const lines = collect(false, liveEvents());
    expect(lines).toMatchInlineSnapshot(`
      [
        "12:00:00.000 start LIVE testnet leader 0x1111…1111 account 0x2222…2222",
        "12:00:00.010 ws open",
        "12:00:01.000 leader 0x1111…1111 BTC buy 0.5 @ 64000 Open Long",
        "12:00:01.001 decision fill: BTC buy 0.05 @ 64192 open; ETH skip inside-deadband (drift $4.20 < $10)",
        "12:00:01.003 order BTC buy 0.05 @ 64192 open filled 0.05 avg 64007.7",
        "12:00:01.004 fill BTC buy 0.05 @ 64007.7 exec 0.5 bps vs leader 1.2 bps lag 5ms",
        "12:00:02.004 fill ETH sell 0.4 @ 3199 exec -0.2 bps vs leader -0.3 bps lag 3ms",
        "12:00:03.004 fill SOL buy 2.5 @ 150.1 exec 2.1 bps vs leader 4.0 bps lag 7ms",
        "12:00:03.100 state equity $10,234.12 hwm $10,500.00 dd 2.53% lev 0.47x positions 3 drift $75.00",
        "12:00:03.200 sweep drift $75.00 in 12ms, 2 req",
      ]
    `);
  });

  it("rejections, halts, rate limits and errors say what happened", () => {
    const lines = collect(false, [
      {
        type: "order",
        ts: T0,
        coin: "SOL",
        side: "sell",
        size: 2,
        limitPx: 149.5,
        reduceOnly: true,
        cloid: "0x9",
        reason: "reduce",
        kind: "copy",
        status: "rejected",
        filledSize: 0,
        avgPx: null,
        error: "Order could not immediately match",
      },
      { type: "halt", ts: T0, kind: "kill-switch", reason: "drawdown 12.1% from HWM ≥ 10%" },
      { type: "rateLimit", ts: T0, waitMs: 1500, detail: "HTTP 429" },
      { type: "error", ts: T0, message: "journal locked", hint: "is another hlcopy running?" },
      decisionEvent(
        T0,
        plan({ skipped: [{ coin: "BTC", reason: "stale-leader", detail: "" }], inSync: false }),
      ),
      decisionEvent(T0, plan({ skipped: [{ coin: "BTC", reason: "in-sync", detail: "" }] }), ["BTC"]),
    ]);
    expect(lines).toEqual([
      "12:00:00.000 order SOL sell 2 @ 149.5 reduce ro rejected: Order could not immediately match",
      "12:00:00.000 HALT kill-switch: drawdown 12.1% from HWM ≥ 10%",
      "12:00:00.000 rate limit: waiting 1.50s (HTTP 429)",
      "12:00:00.000 error: journal locked hint: is another hlcopy running?",
      "12:00:00.000 decision fill: BTC skip stale-leader (leader data is stale or unusable: increases blocked)",
      "12:00:00.000 decision fill: in sync",
    ]);
  });

  it("an error the run stops on is left to the CLI's error line (said once); JSON lines keep it", () => {
    const fatal = {
      type: "error" as const,
      ts: T0,
      message: "gave up",
      hint: "check the network",
      fatal: true as const,
    };
    const stop = { type: "stop" as const, ts: T0, reason: "could not start" };
    expect(collect(false, [fatal, stop])).toEqual(["12:00:00.000 stop: could not start"]);
    expect(collect(true, [fatal, stop]).map((l) => JSON.parse(l))).toEqual([
      { ts: T0, type: "error", message: "gave up", hint: "check the network", fatal: true },
      { ts: T0, type: "stop", reason: "could not start" },
    ]);
  });

  it("state lines are rate-limited (default once a minute)", () => {
    const states = Array.from({ length: 130 }, (_, i) => stateEvent(T0 + i * 1000, LIVE_TARGETS));
    expect(collect(false, states)).toHaveLength(3); // t = 0, 60 s, 120 s
    expect(collect(false, states, 0)).toHaveLength(130);
  });
});

describe("JSON lines", () => {
  it("every line parses, starts with ts and type, and carries coin when there is one", () => {
    const lines = collect(true, liveEvents());
    expect(lines).toHaveLength(10);
    for (const line of lines) {
      const record = JSON.parse(line) as Record<string, unknown>;
      expect(Object.keys(record).slice(0, 2)).toEqual(["ts", "type"]);
    }
    const fill = JSON.parse(lines[5] ?? "{}");
    expect(fill).toEqual({
      ts: T0 + 1004,
      type: "fill",
      coin: "BTC",
      side: "buy",
      px: 64007.7,
      sz: 0.05,
      fee: 0.2,
      cloid: "0xabc",
      kind: "copy",
      copySz: 0.01,
      execSlippageBps: 0.5,
      slippageBps: 1.2,
      lagMs: 5,
    });
    expect(Object.keys(fill).slice(0, 3)).toEqual(["ts", "type", "coin"]);
  });

  it("a decision keeps its actions and reasons but not the plan's targets", () => {
    const [line] = collect(true, [liveEvents()[4] as EngineEvent]);
    const d = JSON.parse(line ?? "{}");
    expect(d).toEqual({
      ts: T0 + 1001,
      type: "decision",
      trigger: "fill",
      coins: ["BTC", "ETH"],
      inSync: false,
      effectiveRatio: 0.1,
      actions: [
        {
          coin: "BTC",
          side: "buy",
          size: 0.05,
          limitPx: 64192,
          reduceOnly: false,
          cloid: "0x01",
          reason: "open",
        },
      ],
      skipped: [{ coin: "ETH", reason: "inside-deadband", detail: "drift $4.20 < $10", capped: false }],
    });
  });

  it("a state record is compact: equity, HWM, drawdown, positions, per-coin drift and the deadband it is judged against", () => {
    const [line] = collect(true, [stateEvent(T0, LIVE_TARGETS)]);
    const s = JSON.parse(line ?? "{}");
    expect(s.type).toBe("state");
    expect(s.equity).toBe(10_234.12);
    expect(s.positions).toHaveLength(3);
    expect(s.targets[2]).toEqual({
      coin: "SOL",
      leaderSize: 30,
      leaderUsd: 4500, // 30 × 150: the dashboard's leader $ (at the state's mid; none given: the target's)
      targetSize: 3,
      ourSize: 2.5,
      driftUsd: 75,
      driftPct: 16.7, // 75 / (3 × 150): as the human line and the dashboard show it
      deadbandUsd: 10,
    });
    expect(s.leaders).toBeUndefined();
  });

  it("every figure as it is shown (core/format.ts FIGURE_DECIMALS), not a double's binary tail", () => {
    const fill = fillEvent(T0, "BTC", {
      execSlippageBps: 0.10443209824971803,
      slippageBps: 1.25,
      lagMs: 3.6,
    });
    const state = stateEvent(T0, [target("SOL", 30, 3, 2.5, 150)], {
      // The drawdown of these two (core/safety.ts lossPct), as the record says it.
      equity: 9998.056768,
      hwm: 10_000.004,
      drawdownPct: 0.019473675264946116,
    });
    state.drift = {
      ...(state.drift ?? { coins: [], inSync: false }),
      driftUsd: 412.42198999999994,
    } as typeof state.drift;
    const [f, st] = collect(true, [fill, state], 0).map((l) => JSON.parse(l));
    expect(f).toMatchObject({ execSlippageBps: 0.1, slippageBps: 1.3, lagMs: 4, px: 64000.5 });
    expect(st).toMatchObject({ equity: 9998.06, hwm: 10_000, drawdownPct: 0.02, driftUsd: 412.42 });
  });

  it("a position left alone has no target and no drift figure in the state record (null, not 0 = 'in sync'), as on the dashboard", () => {
    const e = {
      ...stateEvent(T0, [target("BTC", 0.5, 0.05, 0.05, 64000), target("DOGE", 0, 300, 300, 0.1)]),
      drift: {
        coins: [
          { coin: "BTC", driftUsd: 0, status: "in-sync" as const, reason: null },
          { coin: "DOGE", driftUsd: 0, status: "left-alone" as const, reason: "coin-denied" as const },
        ],
        driftUsd: 0,
        outsideUsd: 0,
        inSync: true,
      },
    };
    const [line] = collect(true, [e]);
    const s = JSON.parse(line ?? "{}");
    expect(s.targets.map((t: { coin: string; targetSize: number | null }) => [t.coin, t.targetSize])).toEqual(
      [
        ["BTC", 0.05],
        ["DOGE", null],
      ],
    );
    expect(s.targets[1]).toMatchObject({
      coin: "DOGE",
      driftUsd: null,
      driftPct: null,
      status: "left-alone",
    });
    expect(s.targets[0]).toMatchObject({ coin: "BTC", driftUsd: 0, driftPct: 0, status: "in-sync" });
  });

  it("drift % at a target of 0 is null (undefined: the whole position is drift), never ±100", () => {
    const [line] = collect(true, [stateEvent(T0, [target("HYPE", 0, 0, 1.55, 37.67)])]);
    const s = JSON.parse(line ?? "{}");
    expect(s.targets[0]).toMatchObject({ coin: "HYPE", targetSize: 0, driftPct: null });
    expect(s.targets[0].driftUsd).toBeCloseTo(-58.39, 2);
  });
});
