// The leader trades between reconcile's plan and its re-read: its table says the drift against
// the target it is measured from (the re-read one, shown beside the planned one), and the journal
// says what the sending sweep found — drift, and the order it sent — never "in sync", and never
// "sweep sweep". The real binary against its own simulator, through a proxy that holds our order
// while the leader trades.

import { describe, expect, it } from "vitest";
import { startFaultProxy } from "../exchange/proxy.js";
import { reconcileWorld } from "../helpers/reconcile-world.js";

/** The cells of the table row that starts with `coin`. */
const rowOf = (text: string, coin: string): string[] =>
  (text.split("\n").find((l) => l.startsWith(`│ ${coin} `)) ?? "")
    .split("│")
    .slice(1, -1)
    .map((c) => c.trim());

describe("reconcile when the leader trades while its orders are out", () => {
  it("its drift is against the re-read target it shows, and the journal keeps the sweep's drift as found", async () => {
    const w = await reconcileWorld({ seed: 93 });
    const proxy = await startFaultProxy(w.sim.httpUrl);
    try {
      await w.trade("ETH", "buy", 10);
      const cli = (args: string[], timeoutMs?: number) =>
        w.cli(args, { network: proxy.httpUrl, ...(timeoutMs ? { timeoutMs } : {}) });

      // Our buy of 1 ETH (10 % of the leader's 10) is held while the leader sells half.
      const gate = proxy.holdNext((r) => r.endpoint === "exchange" && r.type === "order");
      const running = cli(
        ["reconcile", w.leader, "--mode", "fixed-ratio", "--ratio", "0.1", "--yes"],
        60_000,
      );
      await gate.held;
      await w.trade("ETH", "sell", 5, true);
      gate.release();
      const r = await running;
      expect(r.code, r.stderr).toBe(3);

      // Not `target 1 │ ours 0 │ after 1 │ drift $ -1700`: the target the drift is of is shown.
      const eth = rowOf(r.stdout, "ETH");
      expect(eth.slice(0, 5)).toEqual(["ETH", "10", "1 → 0.5", "0", "1"]);
      const drift = Number(eth[5]?.replace(/[$,]/g, ""));
      expect(drift).toBeLessThan(-10);
      // drift $ = (re-read target − after) × mid: the figures in the row explain it.
      const mid = (await w.leaderClient.getMarkets()).ETH?.mid ?? Number.NaN;
      expect(drift).toBeCloseTo((0.5 - 1) * mid, -1);
      expect(r.stdout).toMatch(/target x → y: y as re-read, the one drift \$ is against/);
      for (const line of r.stdout.split("\n")) expect(line.length, line).toBeLessThanOrEqual(80);

      // The journal: the sending sweep found drift and sent its order (not "in sync"); the re-read
      // found the drift the leader's sale left.
      const journal = await cli(["--json", "journal", "--type", "events"]);
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
      const text = await cli(["journal", "--type", "events"]);
      const flat = text.stdout.replace(/[│\s]+/g, " ");
      // The row's type is "sweep"; its text does not say it again ("sweep sweep: …").
      expect(flat).toMatch(/ sweep drift \$[\d,.]+ \(ETH\) · 1 order sent · \d+ requests in \d+ ms /);
      // The re-read plans the sell the leader's sale asks for and never sends it: said so.
      expect(flat).toMatch(
        / sweep drift \$[\d,.]+ \(ETH\) · not sent: the run was ending · \d+ requests in \d+ ms /,
      );
      expect(flat).not.toContain("sweep sweep");
      expect(flat).not.toMatch(/sweep in sync/);
    } finally {
      await proxy.close();
    }
  }, 120_000);
});
