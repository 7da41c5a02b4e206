// One figure, one name: after a real `hlcopy follow` on the simulator, its closing summary,
// `status`, `report` and `journal` say each figure in the same words (README, "How the copy is
// doing"). Before: the 50th percentile of slippage was "median" in status and the summary
// (beside "copy lag p50"), "med" on the dashboard and "p50" in report; the P&L's parts
// "realised"/"unrealised" in status and report but "realized" in inspect and the CSV; the
// journal said "pnl" for a fill's closed P&L (gross of fees), a name status gives its net.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { engineClient } from "../../src/cli/wiring.js";
import type { Address } from "../../src/core/types.js";
import type { HlClient } from "../../src/exchange/index.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { action, fundedAccount, masterWithAgent } from "../exchange/helpers.js";
import { spawnFollow } from "../follow/helpers.js";
import { runCli, tempDir, unwrapped } from "../helpers/cli.js";

let sim: SimHandle;
beforeAll(async () => {
  sim = await startSim({ seed: 67, tickMs: 0 });
});
afterAll(async () => {
  await sim.close();
});

async function leaderTrade(c: HlClient, coin: string, side: "buy" | "sell", size: number): Promise<void> {
  const markets = await c.getMarkets();
  const [r] = await c.placeOrders([action(markets, coin, side, size)], markets);
  expect(r?.status).toBe("filled");
}

/** A command's text piped: every line within 80 columns, read here with its broken lines joined. */
function fitted(text: string): string {
  for (const line of text.split("\n")) expect([...line].length, line).toBeLessThanOrEqual(80);
  return unwrapped(text);
}

/** The `what` column of `hlcopy journal`'s table, one string per entry (its wrapped lines joined). */
function journalEntries(text: string): string[] {
  const entries: string[] = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith("│")) continue;
    const cells = line
      .split("│")
      .slice(1, -1)
      .map((c) => c.trim());
    const what = cells.at(-1) ?? "";
    if (/^\d{4}-\d\d-\d\d/.test(cells[0] ?? "")) entries.push(what);
    else if (entries.length > 0 && what) entries[entries.length - 1] += ` ${what}`;
  }
  return entries;
}

describe("every text names a figure one way (the real binary after a follow)", () => {
  it("p50 for the slippage's median, realized/unrealized for the P&L's parts, in the summary, status, report and journal", {
    timeout: 90_000,
  }, async () => {
    const leader = fundedAccount(sim, 1_000_000);
    const leaderClient = engineClient({
      httpUrl: sim.httpUrl,
      wsUrl: sim.wsUrl,
      isTestnet: false,
      account: leader.address,
      agentKey: leader.key,
    });
    sim.control.setMid("ETH", 3_000);
    await leaderTrade(leaderClient, "ETH", "buy", 10);
    const { master, agentKey } = await masterWithAgent(sim, 100_000);
    const dir = tempDir("hlcopy-names-");
    const account: Address = master.address;
    const run = spawnFollow({
      httpUrl: sim.httpUrl,
      account,
      leader: leader.address,
      configDir: dir,
      agentKey,
      json: false,
      extra: ["--sweep-seconds", "3600", "--no-ui"],
    });
    const text = () => run.lines.map((l) => String(l.text ?? "")).join("\n");
    // Joined (the leader's 10 ETH × 0.2), then a hot-path copy of a close at a higher price:
    // copy slippage and lag, and a realized P&L.
    await run.until(() => /order ETH buy 2 .*filled 2/.test(text()));
    sim.control.setMid("ETH", 3_100);
    await leaderTrade(leaderClient, "ETH", "sell", 5);
    await run.until(() => /order ETH sell 1 .*filled 1/.test(text()));
    run.child.kill("SIGINT");
    expect(await run.exit).toBe(0);

    const summary = text().slice(text().lastIndexOf("order(s) filled"));
    // The slippage's percentiles as status and report write them, the same figures in one form
    // (ui/format.ts fmtSlippage): the summary said only the p50s, and the dashboard "+0.1".
    const slip =
      /; execution slippage p50 (\S+) · p95 (\S+) bps, vs the leader p50 (\S+) · p95 (\S+) bps; copy lag p50 /.exec(
        summary,
      );
    expect(slip, summary).not.toBeNull();
    const [, execP50, execP95, copyP50, copyP95] = slip ?? [];
    expect(summary).not.toMatch(/median/);

    const env = { HLCOPY_CONFIG_DIR: dir };
    const globals = ["--network", sim.httpUrl, "--account", account];
    const piped = await runCli([...globals, "status"], { env });
    expect(piped.code).toBe(0);
    // Within 80 columns when piped (the P&L and slippage lines were ~190), read here whole.
    const status = { ...piped, stdout: fitted(piped.stdout) };
    expect(status.stdout).toMatch(/= realized [+-]?\$\S+ \+ unrealized [+-]?\$\S+ − fees/);
    expect(status.stdout).toMatch(/│ coin +│ net +│ realized +│ unrealized +│ fees/);
    // The coin's state is its status, not a third "drift" beside drift $ and drift%.
    expect(status.stdout).toMatch(/│ drift \$ +│ drift% +│ status +│ P&L +│/);
    expect(status.stdout).toMatch(/│ ETH .*│ in-sync +│/);
    expect(status.stdout).toMatch(
      /execution slippage .*: mean \S+ · p50 \S+ · p95 \S+ bps \(p50\/p95 by kind: /,
    );
    expect(status.stdout).toMatch(/copy slippage .*: mean \S+ · p50 \S+ · p95 \S+ bps/);
    // The run's fills are the window's: status says the summary's figures, written alike.
    expect(status.stdout).toContain(`· p50 ${execP50} · p95 ${execP95} bps (p50/p95 by kind:`);
    expect(status.stdout).toMatch(new RegExp(`copy slippage .*· p50 ${copyP50} · p95 ${copyP95} bps`));
    expect(status.stdout).toMatch(/copy lag .*: p50 /);
    expect(status.stdout).not.toMatch(/realised|median/);

    const reported = await runCli([...globals, "report"], { env });
    expect(reported.code).toBe(0);
    const report = { ...reported, stdout: fitted(reported.stdout) };
    expect(report.stdout).toMatch(/│ realized +│ unrealized Δ +│/);
    expect(report.stdout).toMatch(/= realized [+-]?\$\S+ \+ unrealized change/);
    expect(report.stdout).toMatch(/execution slippage p50 \S+ · p95/);
    expect(report.stdout).toContain(`execution slippage p50 ${execP50} · p95 ${execP95} bps`);
    expect(report.stdout).not.toMatch(/realised|median/);

    const journal = await runCli([...globals, "journal", "--type", "fills"], { env });
    expect(journal.code).toBe(0);
    const close = journalEntries(journal.stdout).find((e) => e.startsWith("sell 1 @"));
    expect(close).toMatch(/ · realized \+\$\d+\.\d\d( |$)/);
    expect(close).not.toMatch(/\bpnl\b/);
  });
});
