// A leader's deposit or withdrawal netted out of its equity is said once by reconcile: one line on
// stderr, where its notices go (stdout is the report — a JSON document with --json), not a
// second time in the report's text (LOW).

import { describe, expect, it } from "vitest";
import { reconcileWorld } from "../helpers/reconcile-world.js";

describe("a leader's cash flow", () => {
  it("is said once, on stderr; --json's stdout stays one JSON document that carries it", {
    timeout: 120_000,
  }, async () => {
    const w = await reconcileWorld({ seed: 97, leaderUsd: 1_000_000, ourUsd: 100_000 });
    await w.trade("BTC", "buy", 1);
    // The copy begins (equity-ratio, the default): the leader's equity is measured from here.
    const first = await w.cli(["reconcile", w.leader, "--yes"]);
    expect(first.code, first.stderr).toBe(0);
    w.sim.control.fund(w.leader, 250_000);
    const said =
      /moved \+\$250,000\.00 in or out since \S+: netted out of its equity, not copied as a trade/g;
    const text = await w.cli(["reconcile", w.leader, "--dry-run"]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stderr.match(said)).toHaveLength(1);
    expect(text.stdout).not.toContain("netted out");
    const json = await w.cli(["--json", "reconcile", w.leader, "--dry-run"]);
    expect(json.code, json.stderr).toBe(0);
    expect(json.stderr.match(said)).toHaveLength(1);
    // One JSON document on stdout, the flow in it.
    const doc = JSON.parse(json.stdout) as { type: string; cashFlows: { usd: number }[] };
    expect(doc.type).toBe("reconcile");
    expect(doc.cashFlows.map((c) => c.usd)).toEqual([250_000]);
  });
});
