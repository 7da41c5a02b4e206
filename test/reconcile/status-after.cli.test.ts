// `hlcopy status` right after a trading `hlcopy reconcile` shows the account as the sweep's
// orders left it: the equity after the fills (their fees paid), not the reading taken before
// the orders were sent. Against the simulator, the real binary both times.

import { describe, expect, it } from "vitest";
import type { StatusReport } from "../../src/cli/status/run.js";
import { fmtUsd } from "../../src/core/format.js";
import { type ReconcileWorld, reconcileWorld } from "../helpers/reconcile-world.js";

async function status(w: ReconcileWorld) {
  const s = await w.cli(["--json", "status"]);
  expect(s.code).toBe(0);
  return JSON.parse(s.stdout.trim().split("\n").at(-1) ?? "") as StatusReport;
}

describe("status after a trading reconcile", () => {
  it("shows the equity the orders left (fees paid), as the exchange has it: opens, a close and a flip, partial fills", {
    timeout: 60_000,
  }, async () => {
    const w = await reconcileWorld({ seed: 97 });
    const copy = async (json: boolean) => {
      const before = (await w.ours.getAccountState(w.account)).accountValue;
      const r = await w.cli([
        ...(json ? ["--json"] : []),
        "reconcile",
        w.leader,
        "--mode",
        "fixed-ratio",
        "--ratio",
        "0.1",
        "--yes",
      ]);
      const after = (await w.ours.getAccountState(w.account)).accountValue;
      // The orders paid fees: the account after them is not the one before.
      expect(Math.abs(after - before)).toBeGreaterThan(0.05);
      const s = await status(w);
      expect(s.equity).toBeCloseTo(after, 2);
      const text = await w.cli(["status"]);
      expect(text.stdout).toContain(`equity ${fmtUsd(after)} ·`);
      return r.code;
    };
    await w.trade("BTC", "buy", 1);
    await w.trade("ETH", "buy", 20);
    expect(await copy(false)).toBe(0);
    // A close and a flip, with prices moved.
    w.sim.control.setMid("BTC", ((await w.ours.getMarkets()).BTC?.mid ?? 0) * 1.02);
    await w.trade("BTC", "sell", 1, true);
    await w.trade("ETH", "sell", 40);
    expect(await copy(true)).toBe(0);
    // Partial fills: drift remains (exit 3).
    await w.trade("BTC", "buy", 2);
    w.sim.control.fault({ kind: "partialFill", fraction: 0.5, count: 5 });
    expect(await copy(false)).toBe(3);
  });
});
