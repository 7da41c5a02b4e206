// The leader trades between reconcile's plan and its re-read: its table says the drift against
// the target it is measured from (the re-read one, shown beside the planned one), and the journal
// says what the sending sweep found — drift, and the order it sent — never "in sync", and never
// "sweep sweep". The real binary against its own simulator, through a proxy that holds our order
// while the leader trades.

import { describe, expect, it } from "vitest";
import { engineClient } from "../../src/cli/wiring.js";
import type { Address } from "../../src/core/types.js";
import { startSim } from "../../src/sim/index.js";
import { action, fundedAccount, masterWithAgent } from "../exchange/helpers.js";
import { startFaultProxy } from "../exchange/proxy.js";
import { runCli, tempDir } from "../helpers/cli.js";

/** The cells of the table row that starts with `coin`. */
const rowOf = (text: string, coin: string): string[] =>
  (text.split("\n").find((l) => l.startsWith(`│ ${coin} `)) ?? "")
    .split("│")
    .slice(1, -1)
    .map((c) => c.trim());

describe("reconcile when the leader trades while its orders are out", () => {
  it("its drift is against the re-read target it shows, and the journal keeps the sweep's drift as found", async () => {
    const sim = await startSim({ seed: 93, tickMs: 0 });
    const proxy = await startFaultProxy(sim.httpUrl);
    try {
      const l = fundedAccount(sim, 1_000_000);
      const leaderClient = engineClient({
        httpUrl: sim.httpUrl,
        wsUrl: sim.wsUrl,
        isTestnet: false,
        account: l.address,
        agentKey: l.key,
      });
      const trade = async (side: "buy" | "sell", size: number, reduceOnly = false) => {
        const markets = await leaderClient.getMarkets();
        const [r] = await leaderClient.placeOrders(
          [action(markets, "ETH", side, size, { reduceOnly })],
          markets,
        );
        expect(r?.status).toBe("filled");
      };
      await trade("buy", 10);
      const { master, agentKey } = await masterWithAgent(sim, 100_000);
      const account = master.address as Address;
      const env = { HLCOPY_CONFIG_DIR: tempDir(), HLCOPY_LOCK_DIR: tempDir(), HLCOPY_AGENT_KEY: agentKey };
      const base = ["--network", proxy.httpUrl, "--account", account];

      // Our buy of 1 ETH (10 % of the leader's 10) is held while the leader sells half.
      const gate = proxy.holdNext((r) => r.endpoint === "exchange" && r.type === "order");
      const running = runCli(
        [...base, "reconcile", l.address, "--mode", "fixed-ratio", "--ratio", "0.1", "--yes"],
        { env, timeoutMs: 60_000 },
      );
      await gate.held;
      await trade("sell", 5, true);
      gate.release();
      const r = await running;
      expect(r.code, r.stderr).toBe(3);

      // Not `target 1 │ ours 0 │ after 1 │ drift $ -1700`: the target the drift is of is shown.
      const eth = rowOf(r.stdout, "ETH");
      expect(eth.slice(0, 5)).toEqual(["ETH", "10", "1 → 0.5", "0", "1"]);
      const drift = Number(eth[5]);
      expect(drift).toBeLessThan(-10);
      // drift $ = (re-read target − after) × mid: the figures in the row explain it.
      const mid = (await leaderClient.getMarkets()).ETH?.mid ?? Number.NaN;
      expect(drift).toBeCloseTo((0.5 - 1) * mid, -1);
      expect(r.stdout).toMatch(/target x → y: y as re-read, the one drift \$ is against/);
      for (const line of r.stdout.split("\n")) expect(line.length, line).toBeLessThanOrEqual(80);

      // The journal: the sending sweep found drift and sent its order (not "in sync"); the re-read
      // found the drift the leader's sale left.
      const journal = await runCli([...base, "--json", "journal", "--type", "events"], { env });
      const entries = JSON.parse(journal.stdout) as { type?: string; data?: Record<string, unknown> }[];
      const sweeps = entries.filter((e) => e.type === "sweep");
      expect(sweeps).toHaveLength(2);
      const [sending, reread] = sweeps.map((e) => e.data ?? {});
      // …and, as `after`, the copy its fill left on the models (what status reads as the last sweep).
      expect(sending).toMatchObject({
        inSync: false,
        orders: 1,
        drift: { inSync: false },
        after: { inSync: true },
      });
      expect(sending?.driftUsd).toBeGreaterThan(1_000);
      expect(reread).toMatchObject({ inSync: false });
      const text = await runCli([...base, "journal", "--type", "events"], { env });
      const flat = text.stdout.replace(/[│\s]+/g, " ");
      // The row's type is "sweep"; its text does not say it again ("sweep sweep: …").
      expect(flat).toMatch(/ sweep drift \$[\d,.]+ \(ETH\) · 1 order sent · \d+ requests in \d+ ms /);
      expect(flat).toMatch(/ sweep drift \$[\d,.]+ \(ETH\) · \d+ requests in \d+ ms /);
      expect(flat).not.toContain("sweep sweep");
      expect(flat).not.toMatch(/sweep in sync/);
    } finally {
      await proxy.close();
      await sim.close();
    }
  }, 120_000);
});
