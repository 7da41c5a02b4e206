// reconcile's table: columns of one moment each. The plan's read (leader, target, ours) beside
// what it sent, then ours and the drift as read again after the orders — never the re-read
// leader beside the plan's order (a buy against a short leader).
import { describe, expect, it } from "vitest";
import { buildReport, renderReport } from "../../src/cli/reconcile/run.js";
import type { Address, CoinTarget, Plan } from "../../src/core/types.js";
import type { ExecutedAction } from "../../src/engine/ports.js";
import { account, leader as leaderFixture, market, plan as planFixture } from "../core/planner-fixtures.js";

const LEADER = "0x1880bbbea43fb92572279b9131130cc0f56e5fb4" as Address;
const ACCOUNT = "0x00000000000000000000000000000000000000a1" as Address;

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
  deadbandUsd: 10,
});

const plan = (targets: CoinTarget[], actions: Plan["actions"] = []): Plan => ({
  actions,
  skipped: [],
  targets,
  effectiveRatio: 0.05,
  portfolioScale: 1,
  inSync: actions.length === 0,
});

/** A dry run's report of one plan (decided and re-read alike). */
const dryRunReport = (p: Plan) =>
  buildReport({
    leader: LEADER,
    account: ACCOUNT,
    dryRun: true,
    decided: p,
    final: p,
    results: [],
    halted: false,
    requests: 3,
  });

/** The cells of the table row that starts with `coin`. */
const rowOf = (text: string, coin: string): string[] =>
  (text.split("\n").find((l) => l.startsWith(`│ ${coin} `)) ?? "")
    .split("│")
    .slice(1, -1)
    .map((c) => c.trim());

describe("reconcile's table", () => {
  // The plan saw the leader long 50.6 HYPE and bought our 2.53; by the re-read the leader had
  // turned short -13.84 (target -0.69).
  const buy = {
    coin: "HYPE",
    side: "buy" as const,
    size: 2.53,
    limitPx: 38.1,
    reduceOnly: false,
    cloid: "0x0000000000000000000000000000000a" as const,
    reason: "open" as const,
    refPx: 38,
  };
  const decided = plan([target("HYPE", 50.6, 2.53, 0, 38)], [buy]);
  const final = plan(
    [target("HYPE", -13.84, -0.69, 2.53, 38)],
    [{ ...buy, side: "sell", size: 3.22, reason: "flip" }],
  );
  const results = [
    { ...buy, status: "filled", filledSize: 2.53, avgPx: 38.02, slippageBps: 0.5, error: null },
  ] as unknown as ExecutedAction[];

  it("after orders: the plan's leader, target and ours, then ours and the drift re-read after them", async () => {
    const report = buildReport({
      leader: LEADER,
      account: ACCOUNT,
      dryRun: false,
      decided,
      final,
      results,
      halted: false,
      requests: 5,
    });
    const text = await renderReport(report, decided, final);
    expect(rowOf(text, "coin")).toEqual(["coin", "leader", "target", "ours", "after", "drift $", "action"]);
    const hype = rowOf(text, "HYPE");
    // The drift is of the re-read target (-0.69 − 2.53) × 38: shown beside the planned one, not
    // `target 2.53 │ after 2.53 │ drift $ -122.36` (a drift its row could not explain).
    expect(hype.slice(0, 6)).toEqual(["HYPE", "50.6", "2.53 → -0.69", "0", "2.53", "-$122.36"]);
    expect(hype[6]).toMatch(/^open: buy 2\.53 →/);
    expect(text).toContain(
      "leader, target, ours: as planned · after, drift $: re-read after the orders ·\n  target x → y: y as re-read, the one drift $ is against\n",
    );
    // Every line fits 80 columns: the addresses as the dashboard's header says them.
    expect(text.split("\n")[0]).toBe("leader 0x1880…5fb4 → account 0x0000…00a1");
    for (const line of text.split("\n")) expect(line.length, line).toBeLessThanOrEqual(80);
    // --json keeps its meaning: actions as sent, drift as re-read after them.
    expect(report.drift[0]).toMatchObject({ coin: "HYPE", targetSize: -0.69, ourSize: 2.53 });
  });

  it("a stop signal before its orders went: they are listed as not sent, by the signal (text and --json)", async () => {
    const report = buildReport({
      leader: LEADER,
      account: ACCOUNT,
      dryRun: false,
      decided,
      final: decided,
      results: [],
      halted: false,
      interrupted: "SIGTERM",
      requests: 5,
    });
    expect(report.interrupted).toBe("SIGTERM");
    expect(report.actions).toEqual([
      expect.objectContaining({ coin: "HYPE", status: "not sent", filledSize: 0 }),
    ]);
    const text = await renderReport(report, decided, decided);
    expect(text.replace(/[│\s]+/g, " ")).toContain(" open: buy 2.53 → not sent (SIGTERM) ");
  });

  it("every line fits 80 columns, the lines of words too: cut at their separators, then at spaces", async () => {
    const skipped = {
      coin: "SOL",
      reason: "below-min-notional" as const,
      detail:
        "target 0.04 SOL is $7.58 at the mid 189.61, under the exchange's $10 minimum order value; the next leader trade may lift it over",
    };
    const report = buildReport({
      leader: LEADER,
      account: ACCOUNT,
      dryRun: true,
      decided: { ...decided, skipped: [skipped] },
      final: { ...decided, skipped: [skipped] },
      results: [],
      halted: true,
      halt: { kind: "manual", reason: "flatten requested (hlcopy flatten)" },
      cashFlows: [{ leader: LEADER, usd: -12_345.67, since: Date.UTC(2025, 0, 2, 12) }],
      requests: 5,
    });
    const text = await renderReport(report, decided, decided, 80);
    const lines = text.trimEnd().split("\n");
    expect(lines[0]).toBe("leader 0x1880…5fb4 → account 0x0000…00a1 (dry run)");
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(80);
    // Nothing is lost: the words are those of the one-line texts, in order.
    const words = (s: string) => s.split(/\s+/).filter(Boolean);
    expect(words(text)).toEqual(expect.arrayContaining(words(skipped.detail)));
    // The leader's cash flow is said once, on stderr, by the run's notice: not again here.
    expect(text).not.toContain("netted out");
    expect(lines.slice(-5)).toEqual([
      "  SOL below-min-notional: target 0.04 SOL is $7.58 at the mid 189.61,",
      "    under the exchange's $10 minimum order value;",
      "    the next leader trade may lift it over",
      // The halt as status says it: this one is the trader's flatten, no safety rule's.
      "HALTED (manual): flatten requested (hlcopy flatten): only reductions are sent",
      "  (hlcopy status; hlcopy resume clears it) · 5 requests",
    ]);
    // A pipe or file gets the same lines: the width is the tables' (80 off a terminal).
    expect(await renderReport(report, decided, decided)).toBe(
      process.stdout.isTTY ? expect.any(String) : text,
    );
  });

  it("nothing sent (a dry run): one moment, the plan's, without the after column", async () => {
    const report = buildReport({
      leader: LEADER,
      account: ACCOUNT,
      dryRun: true,
      decided,
      final: decided,
      results: [],
      halted: false,
      requests: 5,
    });
    const text = await renderReport(report, decided, decided);
    expect(rowOf(text, "coin")).toEqual(["coin", "leader", "target", "ours", "drift $", "action"]);
    expect(rowOf(text, "HYPE").slice(0, 5)).toEqual(["HYPE", "50.6", "2.53", "0", "$96.14"]);
    expect(text).not.toContain("re-read");
  });
});

describe("a leader with nothing to size from (its equity net of cash flows ≤ 0)", () => {
  it("its coin shows no target and no drift ('-', null in --json), blocked leader-no-equity, not in sync", async () => {
    const M = { BTC: market("BTC", 30_000, 5) };
    // The leader long BTC, its equity net of cash flows −$10k; we are short 0.5.
    const p = planFixture({
      markets: M,
      leader: leaderFixture({ BTC: 1 }, 50_000, { equityBase: -10_000 }),
      ours: account({ BTC: -0.5 }),
    });
    const report = dryRunReport(p);
    expect(report.inSync).toBe(false);
    expect(report.drift).toEqual([
      {
        coin: "BTC",
        targetSize: null,
        ourSize: -0.5,
        driftUsd: null,
        status: "blocked",
        reason: "leader-no-equity",
      },
    ]);
    const text = await renderReport(report, p, p, 80);
    // Not our own -0.5 under "target" (against the leader's long), not $0.00 of drift.
    expect(rowOf(text, "BTC").slice(0, 5)).toEqual(["BTC", "1", "-", "-0.5", "-"]);
    expect(text).not.toMatch(/in sync: nothing to do/);
  });
});

describe("a coin a cap cut", () => {
  it("reads as the order it is — 'open: buy 8.8 (capped) → planned' — never 'planned; skipped: leverage-cap'", async () => {
    const link = {
      coin: "LINK",
      side: "buy" as const,
      size: 8.8,
      limitPx: 15.1,
      reduceOnly: false,
      cloid: "0x0000000000000000000000000000000b" as const,
      reason: "open" as const,
      refPx: 15,
    };
    const skip = {
      coin: "LINK",
      reason: "leverage-cap" as const,
      detail: "cut to 8.8 to fit risk.maxLeverage 3× equity ($30,000.00 gross): buy 20 LINK wanted",
    };
    const decided: Plan = { ...plan([target("LINK", 200, 20, 0, 15)], [link]), skipped: [skip] };
    const report = buildReport({
      leader: LEADER,
      account: ACCOUNT,
      dryRun: true,
      decided,
      final: decided,
      results: [],
      halted: false,
      requests: 3,
    });
    const text = await renderReport(report, decided, decided, 80);
    expect(rowOf(text, "LINK").at(-1)).toBe("open: buy 8.8 (capped) → planned");
    expect(text).not.toContain("skipped: leverage-cap");
    // Why, under the table — as capped, not under "skipped:" (the order goes, cut).
    expect(text).toContain("\ncapped:\n  LINK leverage-cap: cut to 8.8 to fit");
    expect(text).not.toMatch(/^skipped:$/m);
    expect(report.skipped).toEqual([
      expect.objectContaining({ coin: "LINK", reason: "leverage-cap", capped: true }),
    ]);
  });

  it("sizing: one ratio for every coin is said once with the coins it sized; sizes of their own, per coin", async () => {
    const sized = (coin: string, detail: string): CoinTarget => ({
      ...target(coin, 1, 0.05, 0, 100),
      sizing: { mode: "equity-ratio", inputs: {}, detail },
    });
    const equity = "equity-ratio: our $20,000.00 / leader $99,951.86 × 1 = ratio 0.200096";
    const alike = plan([sized("BTC", equity), sized("ETH", equity), sized("SOL", equity)]);
    const render = (p: Plan) => renderReport(dryRunReport(p), p, p, 80);
    const once = await render(alike);
    expect(once).toContain(`sizing (equity-ratio), every coin alike (BTC, ETH, SOL):\n  ${equity}\n`);
    expect(once.split(equity)).toHaveLength(2);
    // Sizes of their own (risk-parity: each coin's volatility) stay a line each.
    const own = await render(
      plan([sized("BTC", "vol 50% → ratio 0.3"), sized("ETH", "vol 70% → ratio 0.2")]),
    );
    expect(own).toContain("sizing (equity-ratio):\n  BTC: vol 50% → ratio 0.3\n  ETH: vol 70% → ratio 0.2\n");
  });
});
