// After a flatten (every position closed, the halt holding every target at 0) the leader still
// holds what it held: `hlcopy status` beside the running follow read `drift $0.00 · blocked: BTC
// halted, ETH halted` — a drift of nothing held by a gate, beside rows of target 0, ours 0. It
// says the halt: `halted · not opened: BTC, ETH`, in the text (the real binary) and --json's verdict.

import { describe, expect, it } from "vitest";
import { eventually } from "../exchange/helpers.js";
import { runCli, whole } from "../helpers/cli.js";
import { copySettings, startSimFollow, trade } from "../helpers/sim-engine.js";

describe("status after a flatten, the follow still running", () => {
  it("says the halt keeps the leader's coins from being opened, never 'drift $0.00' beside 'blocked'", {
    timeout: 60_000,
  }, async () => {
    const t = await startSimFollow({ sim: { seed: 71 }, journal: "file" });
    await trade(t.leaderClient, "BTC", "buy", 0.2);
    await trade(t.leaderClient, "ETH", "buy", 5);
    const f = t.follow({ settings: copySettings((s) => (s.exec.sweepSeconds = 3600)) });
    void f.run();
    const ours = async () => (await t.client.getAccountState(t.account)).positions;
    await eventually(async () => Object.keys(await ours()).length === 2);
    f.engine.flatten();
    await eventually(async () => Object.keys(await ours()).length === 0);
    // The sweep after the closes: its record is the copy now (the halt's targets, all 0).
    await f.engine.sweep("manual");
    const cli = (...args: string[]) =>
      runCli(["--network", t.sim.httpUrl, "--account", t.account, ...args], {
        env: { HLCOPY_CONFIG_DIR: t.dir },
      });
    type Doc = {
      drift: { verdict: string; inSync: boolean } | null;
      positions: { coin: string; targetSize: number; ourSize: number; status: string }[];
    };
    // The record after the closes: both coins flat, at the halt's target of 0.
    const doc = await eventually(async () => {
      const d = JSON.parse((await cli("--json", "status")).stdout) as Doc;
      return d.positions.length === 2 && d.positions.every((p) => p.ourSize === 0 && p.status === "blocked")
        ? d
        : null;
    });
    expect(doc.positions.map((p) => [p.coin, p.targetSize, p.ourSize, p.status])).toEqual([
      ["BTC", 0, 0, "blocked"],
      ["ETH", 0, 0, "blocked"],
    ]);
    expect(doc.drift?.verdict).toBe("halted · not opened: BTC, ETH");
    expect(doc.drift?.inSync).toBe(false);
    const text = whole(await cli("status"));
    expect(text.code).toBe(4);
    expect(text.stdout).toMatch(/\nHALTED \(manual\) /);
    expect(text.stdout).toMatch(/\nhalted · not opened: BTC, ETH \(as of \S+ ago, last \w+\)\n/);
    expect(text.stdout).not.toMatch(/drift \$0\.00 ·|blocked: /);
  });
});
