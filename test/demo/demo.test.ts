// `hlcopy demo` as a newcomer runs it (without a terminal): the real binary, its own
// simulator, leader and follower, and the summary as the last JSON line.

import { describe, expect, it } from "vitest";
import { JSON_LINE_FIELDS } from "../../src/ui/describe.js";
import { eventually } from "../exchange/helpers.js";
import { runCli, startCli, tempDir } from "../helpers/cli.js";

/** Copy orders that filled, among the --json lines printed so far. */
const copiesFilled = (stdout: string) =>
  stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((e) => e.type === "order" && e.kind === "copy" && e.status === "filled").length;

describe("hlcopy demo", () => {
  it("--no-ui --json copies trades until Ctrl-C, then settles the copy: it ends within the deadband", {
    timeout: 90_000,
  }, async () => {
    // Stopped once it has copied six orders, not at a time: how many trades a run of N seconds
    // copies depends on how fast the machine starts it.
    const { child, exit, out, err } = startCli(["demo", "--no-ui", "--duration", "10m", "--json"], {
      HLCOPY_CONFIG_DIR: tempDir(),
    });
    try {
      await eventually(() => copiesFilled(out()) >= 6, 60_000);
    } finally {
      child.kill("SIGINT");
    }
    expect(await exit).toBe(0);
    expect(err()).toBe("");
    const r = { stdout: out() };
    const lines = r.stdout.trim().split("\n");
    const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.filter((e) => e.type === "stop").map((e) => e.reason)).toEqual(["interrupted"]);
    const summary = events.at(-1) as {
      ordersFilled: number;
      leaderTrades: number;
      copiedTrades: number;
      inLineTrades: number;
      skippedTrades: number;
      missedTrades: number;
      plannedTrades: number;
      inFlightTrades: number;
      unknownTrades: number;
      skipped: Record<string, number>;
      finalDriftUsd: number;
      finalOutsideUsd: number;
      inSync: boolean | null;
      driftVerdict: string | null;
      slippageBps: { mean: number | null; median: number | null; p95: number | null };
      execSlippageBps: { mean: number | null; median: number | null; p95: number | null };
      copyLagMs: { p50: number | null; p99: number | null };
      pnl: {
        netUsd: number;
        realisedUsd: number;
        unrealisedUsd: number;
        feesUsd: number;
        fundingUsd: number;
      };
    };
    expect(Object.keys(summary).sort()).toEqual([
      "closesNotSent",
      "copiedTrades",
      "copyLagMs",
      "driftCurrent",
      "driftVerdict",
      "execSlippageBps",
      "finalDriftUsd",
      "finalOutsideUsd",
      "inFlightTrades",
      "inLineTrades",
      "inSync",
      "leaderTrades",
      "missedTrades",
      "onExit",
      "ordersFilled",
      "planned",
      "plannedTrades",
      "pnl",
      "positions",
      "skipped",
      "skippedTrades",
      "slippageBps",
      "ts",
      "type",
      "unknownTrades",
    ]);
    expect(summary).toMatchObject({ type: "summary" });
    // Every line is one of the types docs/events.md documents, with ts, and only its fields.
    for (const e of events) {
      expect(typeof e.ts).toBe("number");
      const fields = JSON_LINE_FIELDS[e.type as keyof typeof JSON_LINE_FIELDS] as
        | readonly string[]
        | undefined;
      expect(fields, String(e.type)).toBeDefined();
      const all = (fields ?? []).map((f) => f.replace(/\?$/, ""));
      const required = (fields ?? []).filter((f) => !f.endsWith("?"));
      for (const key of Object.keys(e)) expect(all, `${String(e.type)}.${key}`).toContain(key);
      for (const key of required) expect(Object.keys(e), `${String(e.type)}.${key}`).toContain(key);
    }
    // The six copy orders it was stopped after are counted: a copied trade is one or two of
    // them (a flip is two), and copies are among the orders filled (joins and repairs the rest).
    expect(summary.copiedTrades).toBeGreaterThanOrEqual(3);
    expect(summary.ordersFilled).toBeGreaterThanOrEqual(copiesFilled(r.stdout));
    expect(summary.ordersFilled).toBeGreaterThanOrEqual(summary.copiedTrades);
    // The leader's trades: its orders whose fills the run saw (one order crossing levels is
    // several fills, one trade), each in one bucket — the buckets add up to them.
    const leaderOrders = new Set(
      events.filter((e) => e.type === "leaderFill").map((e) => `${String(e.leader)}:${String(e.oid)}`),
    );
    expect(summary.leaderTrades).toBe(leaderOrders.size);
    expect(
      summary.copiedTrades +
        summary.inLineTrades +
        summary.skippedTrades +
        summary.missedTrades +
        summary.plannedTrades +
        summary.inFlightTrades +
        summary.unknownTrades,
    ).toBe(summary.leaderTrades);
    expect(Object.values(summary.skipped).reduce((a, b) => a + b, 0)).toBe(summary.skippedTrades);
    // A live run plans nothing on paper: none is a dry run's.
    expect(summary.plannedTrades).toBe(0);
    // Within the deadband: every coin's drift is under the $10 exchange minimum (the demo's
    // positions are small, so the deadband is that minimum), and the last sweep was in sync.
    const coins = new Set(events.filter((e) => e.type === "order").map((e) => e.coin)).size;
    expect(Math.abs(summary.finalDriftUsd)).toBeLessThan(10 * Math.max(1, coins));
    const lastSweep = events.filter((e) => e.type === "sweep").at(-1);
    expect(lastSweep?.inSync).toBe(true);
    // In sync, the header's figure is none of it: what remains is tolerated.
    if (summary.inSync) expect(summary.finalOutsideUsd).toBe(0);
    expect(summary.finalOutsideUsd).toBeLessThanOrEqual(summary.finalDriftUsd);
    // The demo's last sweep, which settles the copy before it stops, is a sweep — nobody asked
    // for one by hand (no `s`): no decision is journaled or shown as "manual".
    const decisions = events.filter((e) => e.type === "decision");
    expect(decisions.at(-1)?.trigger).toBe("sweep");
    expect(decisions.filter((e) => e.trigger === "manual")).toEqual([]);
    expect(summary.copyLagMs.p50).toBeGreaterThan(0);
    expect(summary.slippageBps.median).not.toBeNull();
    expect(summary.execSlippageBps.median).not.toBeNull();
    // The copy's P&L: fees paid on every copy, and the parts add up.
    expect(summary.pnl.feesUsd).toBeGreaterThan(0);
    const p = summary.pnl;
    expect(p.netUsd).toBeCloseTo(p.realisedUsd + p.unrealisedUsd - p.feesUsd + p.fundingUsd, 5);
    expect(summary.inSync).toBe(lastSweep?.inSync);
    // Its words are the header's: in sync, with what drift it tolerates said as such.
    expect(summary.driftVerdict).toMatch(/^in sync( · \$\d+\.\d\d tolerated inside the deadband)?$/);
    // The start-up race is gone: the leader's first trade is never skipped as an unknown market.
    expect(summary.skipped["unknown-market"]).toBeUndefined();
    // The real path: signed orders went out and filled; nothing secret was printed.
    expect(events.some((e) => e.type === "order" && e.status === "filled")).toBe(true);
    expect(r.stdout).not.toMatch(/0x[0-9a-fA-F]{64}/);
  });

  it("--duration ends the run by itself: the time is up, the copy settled, the summary the last line", async () => {
    const r = await runCli(["demo", "--no-ui", "--duration", "2s", "--json"], { timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const events = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.filter((e) => e.type === "stop").map((e) => e.reason)).toEqual(["demo time is up"]);
    expect(events.at(-1)?.type).toBe("summary");
    expect(events.filter((e) => e.type === "sweep").at(-1)?.inSync).toBe(true);
  });

  it("a bad --duration or --speed is a usage error with a hint", async () => {
    const r = await runCli(["demo", "--duration", "soon"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: invalid --duration "soon".*\nhint: /);
    const s = await runCli(["demo", "--speed", "-1"]);
    expect(s.code).toBe(2);
  });
});
