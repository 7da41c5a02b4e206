// The reads risk-parity (hourly candles) and kelly (the leader's fills) make at the start are
// start-up reads like the others: a 5xx or a 429 there is waited out and said, and the run sizes
// as it would have; a failure that lasts ends the start after exec.startupTimeoutSeconds with
// one error line and its hint — where one failed read used to leave the coins unsized (reconcile
// exit 3, follow copying nothing for a minute). So is the copy delay's read of the leader's
// recent fills (one 5xx made every position wait the full delay). The real binary behind a
// proxy that fails the one request type.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReconcileReport } from "../../src/cli/reconcile/run.js";
import { engineClient } from "../../src/cli/wiring.js";
import type { Address } from "../../src/core/types.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { action, eventually, fundedAccount } from "../exchange/helpers.js";
import { type FaultProxy, type ProxyRule, startFaultProxy } from "../exchange/proxy.js";
import { jsonError, runCli, tempDir } from "../helpers/cli.js";

let sim: SimHandle;
let proxy: FaultProxy;
let leader: Address;
let follower: Address;
/** When the leader's last trade was made (its BTC). */
let tradedAt = 0;

beforeAll(async () => {
  sim = await startSim({ seed: 23, tickMs: 0 });
  proxy = await startFaultProxy(sim.httpUrl);
  const l = fundedAccount(sim, 1_000_000);
  leader = l.address;
  const client = engineClient({
    httpUrl: sim.httpUrl,
    wsUrl: sim.wsUrl,
    isTestnet: false,
    account: leader,
    agentKey: l.key,
  });
  const trade = async (coin: string, side: "buy" | "sell", size: number, reduceOnly = false) => {
    const markets = await client.getMarkets();
    const [r] = await client.placeOrders([action(markets, coin, side, size, { reduceOnly })], markets);
    expect(r?.status).toBe("filled");
  };
  // Twelve round trips in SOL (eight won): kelly has the history it needs.
  for (let i = 0; i < 12; i++) {
    const mid = sim.control.mid("SOL") ?? 190;
    await trade("SOL", "buy", 100);
    sim.control.setMid("SOL", i < 8 ? mid + 2 : mid - 1);
    await trade("SOL", "sell", 100, true);
  }
  sim.control.setMid("SOL", 190);
  await trade("BTC", "buy", 2);
  tradedAt = Date.now();
  follower = fundedAccount(sim, 10_000).address;
}, 60_000);
afterAll(async () => {
  await proxy.close();
  await sim.close();
});

/** The first requests of `type` answer each status in turn; then every request goes through. */
function failFirst(type: string, statuses: number[]): ProxyRule {
  const left = [...statuses];
  return (r) => {
    if (r.type !== type) return null;
    const status = left.shift();
    return status === undefined ? null : { status, body: status === 429 ? "rate limited" : "internal error" };
  };
}

function hlcopy(args: string[]) {
  return runCli(["--network", proxy.httpUrl, "--account", follower, "--json", ...args], {
    env: { HLCOPY_CONFIG_DIR: tempDir() },
    timeoutMs: 60_000,
  });
}

const report = (stdout: string) => JSON.parse(stdout.trim().split("\n").at(-1) ?? "") as ReconcileReport;

describe("the sizing modes' start reads are retried like the other start-up reads", () => {
  it("kelly: a 500 then a 429 on the leader's fills are waited out; the leader is sized from them", {
    timeout: 90_000,
  }, async () => {
    proxy.setRule(failFirst("userFillsByTime", [500, 429]));
    const r = await hlcopy(["reconcile", leader, "--dry-run", "--mode", "kelly"]).finally(() =>
      proxy.setRule(null),
    );
    expect(r.code).toBe(3);
    const doc = report(r.stdout);
    expect(doc.sizing.find((s) => s.coin === "BTC")?.inputs.closingTrades).toBe(12);
    expect(doc.actions.map((a) => a.coin)).toEqual(["BTC"]);
    expect(doc.warnings).toContainEqual(
      expect.stringMatching(new RegExp(`^waiting for the leader's fills \\(kelly, ${leader}\\): .*500`)),
    );
    expect(doc.warnings.filter((w) => /could not be read/.test(w))).toEqual([]);
  });

  it("risk-parity: a 502 on BTC's candles is waited out; BTC is sized from its volatility", {
    timeout: 90_000,
  }, async () => {
    proxy.setRule(failFirst("candleSnapshot", [502]));
    const r = await hlcopy(["reconcile", leader, "--dry-run", "--mode", "risk-parity"]).finally(() =>
      proxy.setRule(null),
    );
    expect(r.code).toBe(3);
    const doc = report(r.stdout);
    expect(doc.sizing.find((s) => s.coin === "BTC")?.inputs.volPct).toBeGreaterThan(0);
    expect(doc.skipped.filter((s) => s.reason === "sizing-input-missing")).toEqual([]);
    expect(doc.warnings).toContainEqual(
      expect.stringMatching(/^waiting for BTC's hourly candles \(risk-parity\): .*502/),
    );
  });

  it("copy delay: a 500 on the leader's recent fills is waited out; a position older than the delay is copied", {
    timeout: 90_000,
  }, async () => {
    // A 3 s delay, and the leader's BTC older than it.
    await eventually(() => Date.now() > tradedAt + 4_000, 10_000);
    proxy.setRule(failFirst("userFillsByTime", [500]));
    const r = await hlcopy([
      "reconcile",
      leader,
      "--dry-run",
      "--mode",
      "fixed-ratio",
      "--ratio",
      "0.01",
      "--copy-delay-minutes",
      "0.05",
    ]).finally(() => proxy.setRule(null));
    expect(r.code).toBe(3);
    const doc = report(r.stdout);
    expect(doc.actions.map((a) => [a.coin, a.side, a.size])).toEqual([["BTC", "buy", 0.02]]);
    expect(doc.skipped.filter((s) => s.reason === "copy-delay")).toEqual([]);
    expect(doc.warnings).toContainEqual(
      expect.stringMatching(new RegExp(`^waiting for the leader's fills \\(copy delay, ${leader}\\): .*500`)),
    );
  });

  it("reconcile: candles that keep failing end the start — exit 1, one error and its hint", {
    timeout: 90_000,
  }, async () => {
    proxy.setRule((r) => (r.type === "candleSnapshot" ? { status: 502, body: "bad gateway" } : null));
    const r = await hlcopy([
      "reconcile",
      leader,
      "--dry-run",
      "--mode",
      "risk-parity",
      "--startup-timeout-seconds",
      "2",
    ]).finally(() => proxy.setRule(null));
    expect(r.code).toBe(1);
    expect(jsonError(r.stdout)).toMatch(
      /^error: gave up after 2s waiting for BTC's hourly candles \(risk-parity\): .*502.*\nhint: .+\n$/,
    );
  });

  it("follow: the leader's fills failing for good end its start with exit 1, said once", {
    timeout: 90_000,
  }, async () => {
    proxy.setRule((r) => (r.type === "userFillsByTime" ? { status: 500, body: "internal error" } : null));
    const r = await hlcopy([
      "follow",
      leader,
      "--dry-run",
      "--no-ui",
      "--mode",
      "kelly",
      "--startup-timeout-seconds",
      "2",
    ]).finally(() => proxy.setRule(null));
    expect(r.code).toBe(1);
    const errors = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.type === "error");
    expect(errors).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(
          new RegExp(`^gave up after 2s waiting for the leader's fills \\(kelly, ${leader}\\): .*500`),
        ),
        hint: expect.any(String),
        fatal: true,
      }),
    ]);
  });
});
