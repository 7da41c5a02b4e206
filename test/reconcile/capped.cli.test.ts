// A cap that cut an order still sent is no skip: reconcile lists it under "capped:", follow's
// event lines say "BTC capped leverage-cap (…)", and --json marks the entry `capped: true` (the
// `skipped` key keeps every entry, as before). The real binaries against their own simulator.

import { describe, expect, it } from "vitest";
import type { ReconcileReport } from "../../src/cli/reconcile/run.js";
import { eventually } from "../exchange/helpers.js";
import { spawnFollow } from "../follow/helpers.js";
import { tempDir } from "../helpers/cli.js";
import { reconcileWorld } from "../helpers/reconcile-world.js";

describe("an order a cap cut", () => {
  it("is listed as capped, not skipped — in reconcile's text and --json, and in follow's event lines and --json", {
    timeout: 120_000,
  }, async () => {
    // Our account is a funded master with an agent (a dry run signs nothing with it).
    const w = await reconcileWorld({ seed: 95, leaderUsd: 2_000_000, ourUsd: 10_000 });
    // BTC at 1000× is far past our 3× leverage cap; DOGE, denied, is a real skip.
    await w.trade("BTC", "buy", 2);
    await w.trade("DOGE", "buy", 100);
    const args = [
      "reconcile",
      w.leader,
      "--dry-run",
      "--mode",
      "fixed-ratio",
      "--ratio",
      "1000",
      "--deny-coins",
      "DOGE",
    ];

    const text = await w.cli(args);
    expect(text.code, text.stderr).toBe(3);
    expect(text.stdout).toMatch(/│ open: buy [\d.]+ \(capped\) → +│/);
    // Under its own heading, not "skipped:" (DOGE is skipped, and only DOGE).
    const lines = text.stdout.split("\n");
    const capped = lines.indexOf("capped:");
    const skipped = lines.indexOf("skipped:");
    expect(capped).toBeGreaterThan(0);
    expect(lines[capped + 1]).toMatch(/^ {2}BTC leverage-cap: target 2000 BTC → /);
    expect(skipped).toBeGreaterThan(capped);
    expect(lines.slice(skipped + 1).filter((x) => /^ {2}\S/.test(x))[0]).toMatch(/^ {2}DOGE /);
    expect(lines.slice(skipped).join("\n")).not.toContain("leverage-cap");

    const json = await w.cli(["--json", ...args]);
    const doc = JSON.parse(json.stdout.trim().split("\n").at(-1) ?? "{}") as ReconcileReport;
    expect(doc.skipped.find((s) => s.coin === "BTC")).toMatchObject({
      reason: "leverage-cap",
      capped: true,
    });
    expect(doc.skipped.find((s) => s.coin === "DOGE")).toMatchObject({ capped: false });

    // follow: its event line and its --json decision say the same.
    for (const json of [false, true]) {
      const run = spawnFollow({
        httpUrl: w.sim.httpUrl,
        account: w.account,
        leader: w.leader,
        configDir: tempDir(),
        json,
        extra: ["--ratio", "1000", "--deny-coins", "DOGE", "--dry-run", "--no-ui"],
        env: { HLCOPY_LOCK_DIR: tempDir() },
      });
      try {
        const decision = await eventually(
          () =>
            run.lines.find((x) =>
              json ? x.type === "decision" : typeof x.text === "string" && / decision \w+: /.test(x.text),
            ),
          60_000,
        );
        if (json) {
          const skips = decision.skipped as { coin: string; reason: string; capped: boolean }[];
          expect(skips.find((s) => s.coin === "BTC")).toMatchObject({
            reason: "leverage-cap",
            capped: true,
          });
        } else {
          expect(decision.text).toMatch(/BTC capped leverage-cap \(target 2000 BTC → /);
          expect(decision.text).not.toMatch(/BTC skip leverage-cap/);
        }
      } finally {
        run.child.kill("SIGTERM");
        await run.exit;
      }
    }
  });
});
