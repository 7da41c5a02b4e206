// `hlcopy reconcile --dry-run` shows which sizing mode sized each target and with what
// (issue 21): risk-parity from the exchange's hourly candles (the simulator serves 30 days of
// seeded history), kelly from the leader's own closing trades, risk-per-trade from the stop —
// and refuses risk-per-trade without a stop. The real binary against the simulator.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReconcileReport } from "../../src/cli/reconcile/run.js";
import { engineClient } from "../../src/cli/wiring.js";
import type { Address } from "../../src/core/types.js";
import type { HlClient } from "../../src/exchange/index.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { action, fundedAccount } from "../exchange/helpers.js";
import { runCli, tempDir } from "../helpers/cli.js";

let sim: SimHandle;
let leader: Address;
let leaderClient: HlClient;
let follower: Address;

async function dryRun(args: string[], json = true) {
  const r = await runCli(
    [
      "--network",
      sim.httpUrl,
      "--account",
      follower,
      ...(json ? ["--json"] : []),
      "reconcile",
      leader,
      "--dry-run",
      ...args,
    ],
    { env: { HLCOPY_CONFIG_DIR: tempDir() }, timeoutMs: 30_000 },
  );
  const report =
    json && r.stdout.trim()
      ? (JSON.parse(r.stdout.trim().split("\n").at(-1) ?? "") as ReconcileReport)
      : null;
  return { ...r, report };
}

/** Each of the leader's closing SOL orders' realized PnL after fees, from /info userFills. */
async function leaderCloses(): Promise<number[]> {
  const res = await fetch(`${sim.httpUrl}/info`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ type: "userFills", user: leader }),
  });
  const fills = (await res.json()) as { coin: string; oid: number; closedPnl: string; fee: string }[];
  const byOrder = new Map<number, number>();
  for (const f of fills) {
    if (f.coin !== "SOL" || Number(f.closedPnl) === 0) continue;
    byOrder.set(f.oid, (byOrder.get(f.oid) ?? 0) + Number(f.closedPnl) - Number(f.fee));
  }
  return [...byOrder.values()];
}

async function trade(coin: string, side: "buy" | "sell", size: number, reduceOnly = false) {
  const markets = await leaderClient.getMarkets();
  const [r] = await leaderClient.placeOrders([action(markets, coin, side, size, { reduceOnly })], markets);
  expect(r?.status).toBe("filled");
}

beforeAll(async () => {
  sim = await startSim({ seed: 7, tickMs: 0 });
  const l = fundedAccount(sim, 1_000_000);
  leader = l.address;
  leaderClient = engineClient({
    httpUrl: sim.httpUrl,
    wsUrl: sim.wsUrl,
    isTestnet: false,
    account: leader,
    agentKey: l.key,
  });
  follower = fundedAccount(sim, 10_000).address;
  // Twelve round trips in SOL: eight won ($+2 a coin), four lost ($−1 a coin).
  for (let i = 0; i < 12; i++) {
    const mid = sim.control.mid("SOL") ?? 190;
    await trade("SOL", "buy", 100);
    sim.control.setMid("SOL", i < 8 ? mid + 2 : mid - 1);
    await trade("SOL", "sell", 100, true);
  }
  sim.control.setMid("SOL", 190);
  // What it holds now: BTC and ETH.
  await trade("BTC", "buy", 2);
  await trade("ETH", "sell", 50);
}, 60_000);
afterAll(async () => {
  await sim.close();
});

describe("reconcile --dry-run shows how each target was sized", () => {
  it("risk-parity: the leader's allocation × target / the coin's volatility from hourly candles", async () => {
    const r = await dryRun(["--mode", "risk-parity", "--target-vol-pct", "15"]);
    expect(r.code).toBe(3);
    const sizing = r.report?.sizing ?? [];
    expect(sizing.map((s) => [s.coin, s.mode])).toEqual([
      ["BTC", "risk-parity"],
      ["ETH", "risk-parity"],
    ]);
    const btc = sizing[0];
    // The simulator's BTC history is drawn at 45 % a year, ETH's at 60 %.
    expect(btc?.inputs.volPct).toBeGreaterThan(40);
    expect(btc?.inputs.volPct).toBeLessThan(50);
    expect(sizing[1]?.inputs.volPct).toBeGreaterThan(54);
    expect(sizing[1]?.inputs.volPct).toBeLessThan(66);
    // Our BTC notional = 10 000 × the leader's allocation × 15 / vol, rounded down to the lot.
    const ourAlloc = ((btc?.inputs.leaderAllocPct ?? 0) / 100) * (15 / (btc?.inputs.volPct ?? 1));
    const buy = r.report?.actions.find((a) => a.coin === "BTC");
    const mid = sim.control.mid("BTC") ?? 0;
    expect(buy?.size ?? 0).toBeCloseTo((10_000 * ourAlloc) / mid, 4);
    expect(btc?.detail).toMatch(/of its equity × 15% \/ 4\d(\.\d+)?% vol/);
    const text = await dryRun(["--mode", "risk-parity"], false);
    expect(text.stdout).toMatch(/sizing \(risk-parity\):\n {2}BTC: risk-parity: the leader's/);
  });

  it("a coin the allow-list keeps out gets no sizing line: it is not sized at all", async () => {
    const r = await dryRun(["--mode", "risk-parity", "--allow-coins", "BTC"]);
    expect(r.report?.sizing.map((s) => s.coin)).toEqual(["BTC"]);
    expect(r.report?.skipped.find((s) => s.coin === "ETH")?.reason).toBe("coin-not-allowed");
    const denied = await dryRun(["--mode", "risk-parity", "--deny-coins", "BTC"]);
    expect(denied.report?.sizing.map((s) => s.coin)).toEqual(["ETH"]);
  });

  it("kelly: the leader's win rate and win/loss ratio from its closing trades", async () => {
    const r = await dryRun(["--mode", "kelly", "--kelly-fraction", "0.5"]);
    const btc = r.report?.sizing.find((s) => s.coin === "BTC");
    expect(btc?.mode).toBe("kelly");
    expect(btc?.inputs.closingTrades).toBe(12);
    expect(btc?.inputs.winRate).toBeCloseTo(8 / 12);
    // Wins ≈ $2 × 100 − fees, losses ≈ $1 × 100 + fees: R a little under 2. Exactly: the mean
    // (closedPnl − fee) of the eight winning closes over that of the four losing ones, from the
    // leader's own fills (how far each 100-SOL order walks the book depends on how much of it
    // refilled, which is the machine's timing, so the figure is read back, not assumed).
    const closes = await leaderCloses();
    expect(closes).toHaveLength(12);
    const wins = closes.filter((x) => x > 0);
    const losses = closes.filter((x) => x <= 0);
    expect(wins).toHaveLength(8);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(btc?.inputs.payoff).toBeCloseTo(mean(wins) / -mean(losses), 9);
    expect(btc?.inputs.payoff).toBeGreaterThan(1.5);
    expect(btc?.inputs.payoff).toBeLessThan(2);
    const k = 8 / 12 - 4 / 12 / (btc?.inputs.payoff ?? 1);
    expect(btc?.inputs.kelly).toBeCloseTo(k, 6);
    expect(btc?.inputs.ratio).toBeCloseTo(
      ((btc?.inputs.ourEquity ?? 0) / (btc?.inputs.leaderEquity ?? 1)) * k * 0.5,
      9,
    );
  });

  it("risk-per-trade: each position risks riskPct of equity at the stop; refused without a stop", async () => {
    const refused = await dryRun(["--mode", "risk-per-trade"], false);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /error: sizing mode risk-per-trade sizes each position by the loss at its stop, but no stop is set/,
    );
    expect(refused.stderr).toMatch(/hint: add --stop-loss-pct 5/);
    const r = await dryRun(["--mode", "risk-per-trade", "--risk-pct", "1", "--stop-loss-pct", "5"]);
    const eth = r.report?.sizing.find((s) => s.coin === "ETH");
    expect(eth?.inputs.riskUsd).toBeCloseTo(100);
    expect(eth?.inputs.notionalUsd).toBeCloseTo(2_000);
    const sell = r.report?.actions.find((a) => a.coin === "ETH");
    expect((sell?.size ?? 0) * (sim.control.mid("ETH") ?? 0)).toBeCloseTo(2_000, -1);
  });

  it("--entry passive: the plan shows each increase as a post-only entry and its price", async () => {
    const r = await dryRun(["--entry", "passive", "--mode", "fixed-ratio", "--ratio", "0.01"]);
    const btc = r.report?.actions.find((a) => a.coin === "BTC");
    expect(btc?.passive).toBe(true);
    // A buy rests at the leader's price or under: never above the mid.
    expect(btc?.limitPx ?? Number.POSITIVE_INFINITY).toBeLessThanOrEqual(sim.control.mid("BTC") ?? 0);
    const text = await dryRun(["--entry", "passive", "--mode", "fixed-ratio", "--ratio", "0.01"], false);
    // (The action cell wraps within 80 columns: the words may continue on the next row line.)
    expect(text.stdout).toMatch(/open: buy 0\.02 \(passive @[\s│]*[\d.]+\)[\s│]*→[\s│]*planned/);
  });
});
