// What `reconcile` and `follow` do at their start for the sizing modes that read before they can
// size: kelly refuses a leader with fewer closing trades than it needs (10) before any order —
// with the count, what it needs and the way forward — where it used to skip every coin as
// `negative-edge` and call the account "in sync"; risk-parity says of a coin whose candles are
// too few for a volatility just that, not "no candles read". The real binary against the simulator.

import { readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReconcileReport } from "../../src/cli/reconcile/run.js";
import { engineClient } from "../../src/cli/wiring.js";
import type { Address } from "../../src/core/types.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { action, fundedAccount, masterWithAgent } from "../exchange/helpers.js";
import { jsonError, runCli, tempDir } from "../helpers/cli.js";

let sim: SimHandle;
/** Three closing trades in the last 30 days; holds BTC. */
let short: Address;
/** Twelve closing trades (eight won); holds ETH. */
let seasoned: Address;
let follower: Address;
let agentKey: `0x${string}`;

async function trader(usd: number) {
  const a = fundedAccount(sim, usd);
  const client = engineClient({
    httpUrl: sim.httpUrl,
    wsUrl: sim.wsUrl,
    isTestnet: false,
    account: a.address,
    agentKey: a.key,
  });
  const trade = async (coin: string, side: "buy" | "sell", size: number, reduceOnly = false) => {
    const markets = await client.getMarkets();
    const [r] = await client.placeOrders([action(markets, coin, side, size, { reduceOnly })], markets);
    expect(r?.status).toBe("filled");
  };
  /** `n` round trips in SOL, the first `wins` of them won. */
  const roundTrips = async (n: number, wins: number) => {
    for (let i = 0; i < n; i++) {
      const mid = sim.control.mid("SOL") ?? 190;
      await trade("SOL", "buy", 100);
      sim.control.setMid("SOL", i < wins ? mid + 2 : mid - 1);
      await trade("SOL", "sell", 100, true);
    }
    sim.control.setMid("SOL", 190);
  };
  return { address: a.address, trade, roundTrips };
}

beforeAll(async () => {
  sim = await startSim({ seed: 17, tickMs: 0 });
  const s = await trader(1_000_000);
  await s.roundTrips(3, 3);
  await s.trade("BTC", "buy", 2);
  short = s.address;
  const l = await trader(1_000_000);
  await l.roundTrips(12, 8);
  await l.trade("ETH", "sell", 50);
  seasoned = l.address;
  const f = await masterWithAgent(sim, 10_000);
  follower = f.master.address;
  agentKey = f.agentKey;
}, 90_000);
afterAll(async () => {
  await sim.close();
});

function hlcopy(args: string[], json = true, dir = tempDir()) {
  return runCli(["--network", sim.httpUrl, "--account", follower, ...(json ? ["--json"] : []), ...args], {
    env: { HLCOPY_CONFIG_DIR: dir, HLCOPY_AGENT_KEY: agentKey },
    timeoutMs: 40_000,
  });
}

describe("kelly with a leader short of closing trades is refused at the start", () => {
  it("reconcile --dry-run --json: exit 2, the one error document naming the count, the need and the way forward", async () => {
    const r = await hlcopy(["reconcile", short, "--dry-run", "--mode", "kelly"]);
    expect(r.code).toBe(2);
    expect(jsonError(r.stdout)).toMatch(
      new RegExp(
        `^error: sizing mode kelly sizes from at least 10 of the leader's closing trades, but ${short} has 3 closing trades in the last 30 days: it would copy nothing\\nhint: choose another --mode .*--kelly-lookback-days.*wait until it has closed 10 trades\\n$`,
      ),
    );
  });

  it("reconcile (live, --yes): exit 2 on stderr's two lines, no order sent, no journal begun", async () => {
    const dir = tempDir();
    const r = await hlcopy(["reconcile", short, "--mode", "kelly", "--yes"], false, dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error: sizing mode kelly sizes from at least 10 of the leader.s closing trades, but .* has 3 closing trades in the last 30 days: it would copy nothing\nhint: choose another --mode .*\n$/m,
    );
    // No line claims a copy of it before the refusal ("× 0.5 copied").
    expect(r.stderr).not.toMatch(/copied/);
    expect(sim.control.orderHistory(follower)).toHaveLength(0);
    expect(readdirSync(dir).filter((f) => f.startsWith("journal-"))).toEqual([]);
  });

  it("follow with two leaders, one of them short: refused, naming only that one", async () => {
    const r = await hlcopy(["follow", seasoned, short, "--mode", "kelly", "--dry-run", "--no-ui"]);
    expect(r.code).toBe(2);
    const error = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string; message?: string; hint?: string })
      .find((l) => l.type === "error");
    expect(error?.message).toMatch(
      new RegExp(
        `^sizing mode kelly sizes from at least 10 closing trades of each leader, but ${short} has 3 in`,
      ),
    );
    expect(error?.message).not.toContain(seasoned);
    expect(error?.hint).toMatch(/follow only the leaders with the history/);
  });

  it("a leader with the history is sized by kelly as before", async () => {
    const r = await hlcopy(["reconcile", seasoned, "--dry-run", "--mode", "kelly"]);
    expect(r.code).toBe(3);
    const report = JSON.parse(r.stdout.trim().split("\n").at(-1) ?? "") as ReconcileReport;
    expect(report.sizing.find((s) => s.coin === "ETH")?.inputs.closingTrades).toBe(12);
    expect(report.notices.map((n) => n.message)).toContainEqual(
      expect.stringMatching(/^kelly: leader 0x\w+…\w+ over 30 days: 12 closing trades, .*\(× 0\.5 copied\)$/),
    );
  });
});

describe("risk-parity and a coin with too few candles", () => {
  it("is left alone, and said to have too few candles — not to be unread", { timeout: 60_000 }, async () => {
    // A simulator with no candle history: only the hour it has been running.
    const fresh = await startSim({ seed: 18, tickMs: 0, candleHistoryDays: 0 });
    try {
      const l = fundedAccount(fresh, 1_000_000);
      const client = engineClient({
        httpUrl: fresh.httpUrl,
        wsUrl: fresh.wsUrl,
        isTestnet: false,
        account: l.address,
        agentKey: l.key,
      });
      const markets = await client.getMarkets();
      const [r] = await client.placeOrders([action(markets, "BTC", "buy", 1)], markets);
      expect(r?.status).toBe("filled");
      const f = fundedAccount(fresh, 10_000);
      const run = await runCli(
        [
          "--network",
          fresh.httpUrl,
          "--account",
          f.address,
          "--json",
          "reconcile",
          l.address,
          "--dry-run",
          "--mode",
          "risk-parity",
        ],
        { env: { HLCOPY_CONFIG_DIR: tempDir() }, timeoutMs: 40_000 },
      );
      expect(run.code).toBe(3);
      const report = JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "") as ReconcileReport;
      expect(report.skipped.find((s) => s.coin === "BTC")).toMatchObject({
        reason: "sizing-input-missing",
        detail:
          "risk-parity: BTC has too few hourly candles in the last 30 days for a volatility; our BTC is left alone",
      });
      expect(report.warnings).toContain(
        "risk-parity: BTC has too few hourly candles in the last 30 days for a volatility: not sized",
      );
    } finally {
      await fresh.close();
    }
  });
});
