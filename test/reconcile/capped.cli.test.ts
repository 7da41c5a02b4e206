// A cap that cut an order still sent is no skip: reconcile lists it under "capped:", follow's
// event lines say "BTC capped leverage-cap (…)", and --json marks the entry `capped: true` (the
// `skipped` key keeps every entry, as before). The real binaries against their own simulator.

import { describe, expect, it } from "vitest";
import type { ReconcileReport } from "../../src/cli/reconcile/run.js";
import { engineClient } from "../../src/cli/wiring.js";
import type { Address } from "../../src/core/types.js";
import { startSim } from "../../src/sim/index.js";
import { action, eventually, fundedAccount } from "../exchange/helpers.js";
import { spawnFollow } from "../follow/helpers.js";
import { runCli, tempDir } from "../helpers/cli.js";

describe("an order a cap cut", () => {
  it("is listed as capped, not skipped — in reconcile's text and --json, and in follow's event lines and --json", {
    timeout: 120_000,
  }, async () => {
    const sim = await startSim({ seed: 95, tickMs: 0 });
    try {
      const l = fundedAccount(sim, 2_000_000);
      const leaderClient = engineClient({
        httpUrl: sim.httpUrl,
        wsUrl: sim.wsUrl,
        isTestnet: false,
        account: l.address,
        agentKey: l.key,
      });
      const markets = await leaderClient.getMarkets();
      // BTC at 1000× is far past our 3× leverage cap; DOGE, denied, is a real skip.
      for (const [coin, size] of [
        ["BTC", 2],
        ["DOGE", 100],
      ] as const) {
        const [r] = await leaderClient.placeOrders([action(markets, coin, "buy", size)], markets);
        expect(r?.status).toBe("filled");
      }
      const account = fundedAccount(sim, 10_000).address as Address;
      const env = { HLCOPY_CONFIG_DIR: tempDir(), HLCOPY_LOCK_DIR: tempDir() };
      const args = [
        "reconcile",
        l.address,
        "--dry-run",
        "--mode",
        "fixed-ratio",
        "--ratio",
        "1000",
        "--deny-coins",
        "DOGE",
      ];
      const base = ["--network", sim.httpUrl, "--account", account];

      const text = await runCli([...base, ...args], { env });
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

      const json = await runCli([...base, "--json", ...args], { env });
      const doc = JSON.parse(json.stdout.trim().split("\n").at(-1) ?? "{}") as ReconcileReport;
      expect(doc.skipped.find((s) => s.coin === "BTC")).toMatchObject({
        reason: "leverage-cap",
        capped: true,
      });
      expect(doc.skipped.find((s) => s.coin === "DOGE")).toMatchObject({ capped: false });

      // follow: its event line and its --json decision say the same.
      for (const json of [false, true]) {
        const run = spawnFollow({
          httpUrl: sim.httpUrl,
          account,
          leader: l.address,
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
    } finally {
      await sim.close();
    }
  });
});
