// What a trader reads after a run with issue 14's exits and per-leader limits, through the real
// binary: `hlcopy status` lists positions held under entry-only with their stop and every
// take-profit tier, and a leader its drawdown limit unfollowed; `hlcopy resume --leader`
// follows it again (asks first, refuses without a terminal, --yes for scripts, bad address exit 2).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { engineClient } from "../../src/cli/wiring.js";
import { defaultSettings, parseTakeProfitTiers } from "../../src/core/settings.js";
import { CopyEngine } from "../../src/engine/engine.js";
import { liveExecutor } from "../../src/engine/executor.js";
import { type HlClient, RequestBudget } from "../../src/exchange/index.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { journalPath, openJournal } from "../../src/store/journal.js";
import { action, fundedAccount, masterWithAgent } from "../exchange/helpers.js";
import { runCli, tempDir, whole } from "../helpers/cli.js";

let sim: SimHandle;
beforeAll(async () => {
  sim = await startSim({ seed: 91, tickMs: 0 });
});
afterAll(async () => {
  await sim.close();
});

async function trade(c: HlClient, coin: string, side: "buy" | "sell", size: number, reduceOnly = false) {
  const markets = await c.getMarkets();
  const [r] = await c.placeOrders([action(markets, coin, side, size, { reduceOnly })], markets);
  expect(r?.status).toBe("filled");
}

describe("status and resume --leader after a run (the real binary)", () => {
  it("status lists held positions, their stop and take-profit tiers, and the leader not followed; resume --leader clears it", {
    timeout: 60_000,
  }, async () => {
    const leaders = [fundedAccount(sim, 1_000_000), fundedAccount(sim, 1_000_000)].map((a) => ({
      address: a.address,
      client: engineClient({
        httpUrl: sim.httpUrl,
        wsUrl: sim.wsUrl,
        isTestnet: false,
        account: a.address,
        agentKey: a.key,
      }),
    }));
    const [a, b] = leaders;
    if (!a || !b) throw new Error("no leaders");
    const { master, agentKey } = await masterWithAgent(sim, 10_000);
    const client = engineClient({
      httpUrl: sim.httpUrl,
      wsUrl: sim.wsUrl,
      isTestnet: false,
      account: master.address,
      agentKey,
      budget: new RequestBudget({ limitPerMinute: 1e9, burst: 1e6, initialBackoffMs: 50, maxBackoffMs: 200 }),
    });
    const s = defaultSettings();
    s.sizing.mode = "fixed-ratio";
    s.sizing.ratio = 0.1;
    s.copy = { mode: "entry-only" };
    s.risk.maxLeverage = 10;
    s.risk.stopLossPct = 20;
    s.risk.takeProfitTiers = parseTakeProfitTiers("5:0.5,10:0.5");
    s.risk.leaderMaxDrawdownPct = 10;
    const dir = tempDir();
    const journal = openJournal(journalPath(dir, master.address, sim.httpUrl));
    await trade(a.client, "SOL", "buy", 1000);
    await trade(b.client, "ETH", "buy", 10);
    const engine = new CopyEngine({
      reader: client,
      executor: liveExecutor(client),
      journal,
      settings: s,
      leaders: leaders.map((l) => ({ address: l.address, weight: 0.5 })),
      account: master.address,
      network: sim.httpUrl,
      mode: "live",
      command: "follow",
      protection: client,
    });
    engine.begin();
    await engine.sweep("start");
    // B closes ETH: entry-only keeps ours. SOL −10 %: A's copy is past its drawdown limit.
    await trade(b.client, "ETH", "sell", 10, true);
    const sol = (await client.getMarkets()).SOL?.mid ?? 0;
    sim.control.setMid("SOL", sol * 0.9);
    await engine.sweep();
    await engine.stop("done");
    journal.close();

    const env = { HLCOPY_CONFIG_DIR: dir };
    const json = await runCli(["--network", sim.httpUrl, "--account", master.address, "--json", "status"], {
      env,
    });
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as {
      positions: Record<string, unknown>[];
      leaders: Record<string, unknown>[];
      unfollowed: Record<string, unknown>[];
    };
    expect(report.positions).toEqual([
      expect.objectContaining({
        coin: "ETH",
        ourSize: 0.5,
        held: true,
        stopPx: expect.any(Number),
        takeProfitPx: expect.any(Number),
        takeProfits: [
          { px: expect.any(Number), size: 0.25 },
          { px: expect.any(Number), size: 0.25 },
        ],
      }),
    ]);
    // The leaders not followed, under a name that says so; `leaders` (its first name, which
    // read as every leader of the run: B, followed, was never in it) lists the same for scripts.
    expect(report.unfollowed).toEqual([
      expect.objectContaining({ address: a.address, kind: "drawdown", until: null }),
    ]);
    expect(report.leaders).toEqual(report.unfollowed);
    const text = whole(
      await runCli(["--network", sim.httpUrl, "--account", master.address, "status"], { env }),
    );
    expect(text.stdout).toMatch(new RegExp(`NOT FOLLOWED: leader ${a.address} \\(drawdown\\)`));
    expect(text.stdout).toContain(`hlcopy resume --leader ${a.address}`);
    expect(text.stdout).toMatch(/ETH.*entry-only/);

    // Without a terminal and without --yes: refused, nothing changed.
    const refused = await runCli(
      ["--network", sim.httpUrl, "--account", master.address, "resume", "--leader", a.address],
      { env },
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("error: refusing to resume the leader without confirmation");
    const bad = await runCli(
      ["--network", sim.httpUrl, "--account", master.address, "resume", "--leader", "0x123", "--yes"],
      { env },
    );
    expect(bad.code).toBe(2);
    const ok = await runCli(
      [
        "--network",
        sim.httpUrl,
        "--account",
        master.address,
        "--json",
        "resume",
        "--leader",
        a.address,
        "--yes",
      ],
      {
        env,
      },
    );
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({
      type: "resume",
      leader: a.address,
      resumed: true,
      kind: "drawdown",
    });
    const after = JSON.parse(
      (await runCli(["--network", sim.httpUrl, "--account", master.address, "--json", "status"], { env }))
        .stdout,
    ) as { leaders: unknown[]; unfollowed: unknown[] };
    expect(after.unfollowed).toEqual([]);
    expect(after.leaders).toEqual([]);
    const again = await runCli(
      ["--network", sim.httpUrl, "--account", master.address, "resume", "--leader", a.address, "--yes"],
      {
        env,
      },
    );
    expect(again.stdout).toBe(`leader ${a.address} is followed: nothing to resume\n`);
    // A leader this account never followed (a typo) is not "followed": refused, naming the ones it did.
    const typo = `0x${"ab".repeat(20)}`;
    const never = await runCli(
      ["--network", sim.httpUrl, "--account", master.address, "resume", "--leader", typo, "--yes"],
      { env },
    );
    expect(never.code).toBe(2);
    expect(never.stdout).toBe("");
    expect(never.stderr).toContain(`error: leader ${typo} was never followed by `);
    expect(never.stderr).toContain(`hint: the leaders its runs followed: `);
    expect(never.stderr).toContain(a.address.toLowerCase());
  });
});
