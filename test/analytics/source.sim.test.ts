// inspect, scan and backtest read through the exchange adapter: its pagination, its request
// budget and its one retry rule — checked against the simulator.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchLeaderData } from "../../src/analytics/fetch.js";
import { createLeaderSource } from "../../src/cli/analytics/source.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { fundedAccount } from "../exchange/helpers.js";
import { deadUrl } from "../helpers/cli.js";
import { iocBatch } from "./helpers.js";

let sim: SimHandle;
beforeAll(async () => {
  sim = await startSim({ seed: 61, tickMs: 0 });
});
afterAll(async () => {
  await sim.close();
});

const network = () => ({ httpUrl: sim.httpUrl, wsUrl: sim.wsUrl, isTestnet: false });

/** A funded leader that bought (true) or sold (false) 0.01 BTC in turn, each a marketable IOC. */
async function leaderTrading(sides: boolean[]) {
  const leader = fundedAccount(sim, 100_000);
  const px = sim.control.mid("BTC") ?? 0;
  for (const buy of sides) {
    await leader.sdk.order({
      orders: [
        {
          a: 0,
          b: buy,
          p: String(Math.round(buy ? px * 1.01 : px * 0.99)),
          s: "0.01",
          r: false,
          t: { limit: { tif: "Ioc" as const } },
        },
      ],
      grouping: "na",
    });
  }
  return leader;
}

describe("the analytics source over the exchange adapter", () => {
  it("reads more fills than one page (2000) in full, with no duplicate", async () => {
    const leader = fundedAccount(sim, 50_000_000);
    const px = sim.control.mid("BTC") ?? 0;
    // 22 batches of 100 small IOC buys and sells: at least 2200 fills.
    for (let b = 0; b < 22; b++) {
      await leader.sdk.order({ orders: iocBatch(px, 100, b * 100), grouping: "na" });
    }
    const source = createLeaderSource(network());
    const fills = (await source.getFillsByTime(leader.address, 0)) as { tid: number }[];
    expect(fills.length).toBeGreaterThanOrEqual(2200);
    expect(new Set(fills.map((f) => f.tid)).size).toBe(fills.length);
    // and more than one request went out for them
    expect(sim.control.stats().infoByType.userFillsByTime).toBeGreaterThanOrEqual(2);
    // inspect's read of them says each full page as it comes (a busy leader's read is long):
    // "fills: 2,000…", then the total.
    const said: string[] = [];
    const data = await fetchLeaderData(source, leader.address, {
      days: 1,
      now: Date.now(),
      fillsOnly: true,
      onProgress: (line) => said.push(line),
    });
    const counts = said.filter((l) => l.startsWith("fills: "));
    expect(counts).toEqual(["fills: 2,000…", `fills: ${data.fills.length.toLocaleString("en-US")}`]);
  });

  it("a 429 or a 500 on the way is retried, not fatal, and the wait is told", async () => {
    const leader = fundedAccount(sim, 100_000);
    sim.control.fault({ kind: "http429", count: 1, endpoint: "info" });
    sim.control.fault({ kind: "http500", count: 1, endpoint: "info" });
    const waits: string[] = [];
    const data = await fetchLeaderData(
      createLeaderSource(network(), { onWait: (line) => waits.push(line) }),
      leader.address,
      { days: 1, now: Date.now() },
    );
    expect(data.fills).toEqual([]);
    expect(data.state?.accountValue).toBe(100_000);
    expect(waits.length).toBeGreaterThanOrEqual(1);
    expect(waits[0]).toMatch(/^waiting for userFillsByTime: .*(429|500).*; retry 2 in/);
    sim.control.reset();
  });

  it("an address that cannot be reached gives up after the bound, naming what and where", async () => {
    const url = await deadUrl();
    const source = createLeaderSource({ httpUrl: url, wsUrl: url, isTestnet: false }, { timeoutMs: 300 });
    await expect(source.getMeta?.()).rejects.toThrow(
      new RegExp(`gave up after .* waiting for meta: cannot reach ${url} for meta`),
    );
  });
});

describe("an exchange that cannot be reached (leftovers 8)", () => {
  it("is told once while the reads retry, then one error with a hint that fits the command", async () => {
    const url = await deadUrl();
    const waits: string[] = [];
    // The retries' clock moves only by their waits (0.5 s, 1 s, then the 0.1 s left): what is
    // tried and told does not depend on how fast a busy machine gets through the attempts.
    let t = 0;
    const source = createLeaderSource(
      { httpUrl: url, wsUrl: url, isTestnet: false },
      {
        timeoutMs: 1_600,
        onWait: (line) => waits.push(line),
        now: () => t,
        sleep: async (ms) => {
          t += ms;
        },
      },
    );
    const error = await source.getFillsByTime(`0x${"1".repeat(40)}`, 0).catch((e: unknown) => e);
    expect(error).toMatchObject({
      message: expect.stringMatching(
        new RegExp(`^gave up after 1.6s waiting for userFillsByTime: cannot reach ${url}`),
      ),
      details: { attempts: expect.any(Number) },
    });
    // Tried at 0, 0.5 s, 1.5 s and at the bound: four attempts, three retries.
    expect((error as { details: { attempts: number } }).details.attempts).toBe(4);
    expect(t).toBe(1_600);
    // inspect/scan/backtest have no --startup-timeout-seconds: the hint must not send the trader there.
    expect((error as { hint?: string }).hint).not.toMatch(/startup/i);
    expect((error as { hint?: string }).hint).toMatch(/network/);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toMatch(
      /^waiting for userFillsByTime: cannot reach .*; retry 2 in 0\.5s \(giving up in 1\.6s\); the retries after it/,
    );
  });
});

describe("inspect with --account", () => {
  // An account with nothing in it (the wrong --account or network, or not funded yet) ended on
  // "equity and leaderEquity must be positive", exit 1, asking for a bug report.
  it("an account with no equity is a usage error, before the leader's history is read", async () => {
    const { runInspectCommand } = await import("../../src/cli/inspect/run.js");
    const { UsageError } = await import("../../src/core/errors.js");
    const { defaultSettings } = await import("../../src/core/settings.js");
    const leader = fundedAccount(sim, 100_000);
    const empty = `0x${"7".repeat(40)}` as const;
    const before = sim.control.stats().infoByType.userFillsByTime ?? 0;
    const err: string[] = [];
    const error = await runInspectCommand({
      address: leader.address,
      days: 1,
      account: empty,
      settings: defaultSettings(),
      json: false,
      source: createLeaderSource(network()),
      out: { write: () => true },
      err: { write: (s: string) => err.push(s) > 0 },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(
      `your account ${empty} has no equity here (account value $0.00): inspect judges the copy at your account's value`,
    );
    expect((error as { hint?: string }).hint).toMatch(/--equity 1000/);
    // Refused before the leader's fills were asked for.
    expect(sim.control.stats().infoByType.userFillsByTime ?? 0).toBe(before);
  });
});

describe("a coin list naming no market", () => {
  // backtest --allow-coins BTCC replayed 0 orders and exited 0; inspect and scan judged a copy
  // of nothing. Refused as follow and reconcile refuse it, once the markets are known.
  it("is refused by backtest, inspect and scan (exit 2), with the coin meant", async () => {
    const { runBacktestCommand } = await import("../../src/cli/backtest/run.js");
    const { runInspectCommand } = await import("../../src/cli/inspect/run.js");
    const { runScanCommand } = await import("../../src/cli/scan/run.js");
    const { ValidationError } = await import("../../src/core/errors.js");
    const { defaultSettings } = await import("../../src/core/settings.js");
    const { tempDir } = await import("../helpers/cli.js");
    const leader = await leaderTrading([true, false]);
    const quiet = { write: () => true };
    const allow = defaultSettings();
    allow.risk.allowCoins = ["BTCC"];
    const deny = defaultSettings();
    deny.risk.denyCoins = ["ETHH"];
    const source = () => createLeaderSource(network());
    const runs: Array<[string, () => Promise<unknown>, string]> = [
      [
        "backtest",
        () =>
          runBacktestCommand({
            addresses: [leader.address],
            days: 1,
            settings: allow,
            json: true,
            source: source(),
            out: quiet,
            err: quiet,
          }),
        'unknown coin "BTCC" (risk.allowCoins): not a market on this exchange',
      ],
      [
        "inspect",
        () =>
          runInspectCommand({
            address: leader.address,
            days: 1,
            settings: deny,
            json: true,
            source: source(),
            out: quiet,
            err: quiet,
          }),
        'unknown coin "ETHH" (risk.denyCoins): not a market on this exchange',
      ],
      [
        "scan",
        () =>
          runScanCommand({
            addresses: [leader.address],
            days: 1,
            settings: allow,
            json: true,
            source: source(),
            configDir: tempDir(),
            out: quiet,
            err: quiet,
          }),
        'unknown coin "BTCC" (risk.allowCoins): not a market on this exchange',
      ],
    ];
    for (const [name, run, message] of runs) {
      const error = await run().catch((e: unknown) => e);
      expect(error, name).toBeInstanceOf(ValidationError);
      expect((error as Error).message, name).toBe(message);
      expect((error as { hint?: string }).hint, name).toMatch(/did you mean (BTC|ETH)\?/);
    }
    // The exchange's own spelling in another case is the coin: taken.
    const lower = defaultSettings();
    lower.risk.allowCoins = ["btc"];
    const ok = await runBacktestCommand({
      addresses: [leader.address],
      days: 1,
      settings: lower,
      json: true,
      source: source(),
      out: quiet,
      err: quiet,
    });
    expect(ok.result.fills).toBeGreaterThan(0);
  });
});

describe("inspect's tables at 80 columns", () => {
  // Its key/value tables were as wide as their longest cell: under a day of history the
  // `orders / day` cell alone made the table ~120 columns, which an 80-column terminal broke
  // inside every row. The last column wraps at words to the width instead.
  it("fit the width, the long cells wrapped at words", async () => {
    const { runInspectCommand } = await import("../../src/cli/inspect/run.js");
    const { defaultSettings } = await import("../../src/core/settings.js");
    const leader = await leaderTrading([true, false, true, false]);
    const chunks: string[] = [];
    await runInspectCommand({
      address: leader.address,
      days: 1,
      equity: 2000,
      settings: defaultSettings(),
      json: false,
      source: createLeaderSource(network()),
      out: { write: (s: string) => chunks.push(s) > 0 },
      err: { write: () => true },
      width: 80,
    });
    const rows = chunks
      .join("")
      .split("\n")
      .filter((l) => /^[│┌└├]/.test(l));
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.filter((l) => [...l].length > 80)).toEqual([]);
    // The orders / day cell is all there, over two lines.
    const flat = rows
      .map((l) => l.replace(/[│┌└├┐┘┤─┬┴┼]/g, " ").trim())
      .join(" ")
      .replace(/\s+/g, " ");
    expect(flat).toMatch(
      /orders \/ day - \(4 orders, 4 fills in [^)]*under a day of history, no daily rate\)/,
    );
  });
});
