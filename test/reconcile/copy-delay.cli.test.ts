// --copy-delay-minutes holds back increases only (the new-user walk: a reconcile with the delay
// sold a copy an earlier reconcile had made, because the leader's position was younger than the
// delay). The real binary against the simulator: each test its own simulator and directories.

import { describe, expect, it } from "vitest";
import type { ReconcileReport } from "../../src/cli/reconcile/run.js";
import { reconcileWorld } from "../helpers/reconcile-world.js";

const COPY = ["--mode", "fixed-ratio", "--ratio", "0.1"];
const report = (stdout: string) => JSON.parse(stdout.trim().split("\n").at(-1) ?? "") as ReconcileReport;

describe("reconcile --copy-delay-minutes", () => {
  it("keeps a copy an earlier run made while the leader's position is younger than the delay", async () => {
    const w = await reconcileWorld({ seed: 31 });
    await w.trade("SOL", "buy", 100);
    const first = await w.cli(["reconcile", w.leader, ...COPY, "--yes"]);
    expect(first.code).toBe(0);
    expect(await w.positions()).toEqual({ SOL: 10 });

    // The leader's SOL is seconds old: the delay has nothing to hold back (we hold the copy).
    const dry = await w.cli([
      "--json",
      "reconcile",
      w.leader,
      ...COPY,
      "--dry-run",
      "--copy-delay-minutes",
      "5",
    ]);
    expect(dry.code).toBe(0);
    expect(report(dry.stdout).actions).toEqual([]);
    expect(report(dry.stdout).inSync).toBe(true);

    const sent = w.actionsSent();
    const again = await w.cli(["reconcile", w.leader, ...COPY, "--yes", "--copy-delay-minutes", "5"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/in sync: nothing to do/);
    expect(w.actionsSent()).toBe(sent);
    expect(await w.positions()).toEqual({ SOL: 10 });
  }, 90_000);

  it("--dry-run says what it holds back, until when, and that reductions still go", async () => {
    const w = await reconcileWorld({ seed: 32 });
    await w.trade("SOL", "buy", 100);
    const dry = await w.cli(["reconcile", w.leader, ...COPY, "--dry-run", "--copy-delay-minutes", "5"]);
    expect(dry.code).toBe(0);
    // (The skipped lines wrap within 80 columns.)
    const text = dry.stdout.replace(/\n\s+/g, " ");
    expect(text).toMatch(
      /SOL copy-delay: copy delay: the leader's \+100 SOL is copied at \d\d:\d\d:\d\d UTC if it still holds it; until then the target is 0 SOL, not 10 \(we hold 0; only increases wait, reductions are copied at once\)/,
    );
    expect(await w.positions()).toEqual({});
  }, 90_000);

  it("a leader reduction is copied at once, to the leader's current size", async () => {
    const w = await reconcileWorld({ seed: 33 });
    await w.trade("SOL", "buy", 100);
    expect((await w.cli(["reconcile", w.leader, ...COPY, "--yes"])).code).toBe(0);
    await w.trade("SOL", "sell", 40, true);
    const r = await w.cli(["--json", "reconcile", w.leader, ...COPY, "--yes", "--copy-delay-minutes", "5"]);
    expect(r.code).toBe(0);
    expect(report(r.stdout).actions.map((a) => [a.coin, a.side, a.size, a.reduceOnly])).toEqual([
      ["SOL", "sell", 4, true],
    ]);
    expect(await w.positions()).toEqual({ SOL: 6 });
  }, 90_000);
});
