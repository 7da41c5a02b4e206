// A fill whose trade id the journal already holds for another fill — an exchange that handed
// its ids out again, as a simulator restarted on the same port did — is journaled, counted and
// warned about, not dropped without a word (P&L, fees and slippage came up short).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { engineClient, streamsOpener } from "../../src/cli/wiring.js";
import { defaultSettings } from "../../src/core/settings.js";
import { CopyEngine } from "../../src/engine/engine.js";
import { type EngineEvent, EngineEvents } from "../../src/engine/events.js";
import { liveExecutor } from "../../src/engine/executor.js";
import type { HlClient } from "../../src/exchange/index.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { journalPath, openJournal } from "../../src/store/journal.js";
import { action, eventually, fundedAccount, masterWithAgent } from "../exchange/helpers.js";

let sim: SimHandle;
beforeAll(async () => {
  sim = await startSim({ seed: 31, tickMs: 0, fundingIntervalMs: 0 });
});
afterAll(async () => {
  await sim.close();
});

async function trade(c: HlClient, coin: string, side: "buy" | "sell", size: number) {
  const markets = await c.getMarkets();
  const [r] = await c.placeOrders([action(markets, coin, side, size)], markets);
  expect(r?.status).toBe("filled");
}

describe("trade ids the journal already holds", () => {
  it("our fill under a journaled tid is kept and shown, with one warning", { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "hlcopy-fill-ids-"));
    const leader = fundedAccount(sim, 2_000_000);
    const leaderClient = engineClient({
      httpUrl: sim.httpUrl,
      wsUrl: sim.wsUrl,
      isTestnet: false,
      account: leader.address,
      agentKey: leader.key,
    });
    const { master, agentKey } = await masterWithAgent(sim, 100_000);
    const account = master.address;
    const client = engineClient({
      httpUrl: sim.httpUrl,
      wsUrl: sim.wsUrl,
      isTestnet: false,
      account,
      agentKey,
    });

    // A trade by someone else shows where the simulator's trade ids are; the journal holds the
    // next ones already, for fills of an earlier simulator (another coin, time and order).
    const other = fundedAccount(sim, 100_000);
    await trade(
      engineClient({
        httpUrl: sim.httpUrl,
        wsUrl: sim.wsUrl,
        isTestnet: false,
        account: other.address,
        agentKey: other.key,
      }),
      "DOGE",
      "buy",
      1000,
    );
    const [probe] = await client.getFillsByTime(other.address, 0);
    if (!probe) throw new Error("no probe fill");
    const file = journalPath(dir, account, sim.httpUrl);
    const seed = openJournal(file);
    const old = Date.now() - 3_600_000;
    for (let i = 1; i <= 50; i++) {
      seed.recordFill({
        tid: probe.tid + i,
        ts: old + i,
        coin: "XRP",
        side: "sell",
        px: 2,
        sz: 10,
        fee: 0.01,
        oid: i,
      });
    }
    seed.close();

    const settings = defaultSettings();
    settings.sizing.mode = "fixed-ratio";
    settings.sizing.ratio = 0.1;
    settings.exec.sweepSeconds = 3600;
    const events = new EngineEvents();
    const seen: EngineEvent[] = [];
    events.on((e) => seen.push(e));
    const journal = openJournal(file);
    const engine = new CopyEngine({
      reader: client,
      executor: liveExecutor(client),
      journal,
      settings,
      leaders: [{ address: leader.address, weight: 1 }],
      account,
      network: sim.httpUrl,
      mode: "live",
      command: "follow",
      events,
    });
    const running = engine.run(
      streamsOpener({ wsUrl: sim.wsUrl, isTestnet: false, leaders: [leader.address], account }),
    );
    try {
      await eventually(() => seen.some((e) => e.type === "state"), 10_000);
      await trade(leaderClient, "BTC", "buy", 1);
      await eventually(
        () => seen.some((e) => e.type === "order" && e.coin === "BTC" && e.status === "filled"),
        10_000,
      );
      await trade(leaderClient, "BTC", "sell", 0.5);
      await eventually(
        () => seen.filter((e) => e.type === "order" && e.coin === "BTC" && e.status === "filled").length >= 2,
        10_000,
      );
      const ours = await client.getFillsByTime(account, 0);
      // Every fill the exchange has for us is a fill event and a journal row.
      await eventually(() => seen.filter((e) => e.type === "fill").length >= ours.length, 10_000);
      expect(seen.filter((e) => e.type === "fill" && e.coin === "BTC")).toHaveLength(ours.length);
      const rows = journal.fillsSince(0).filter((f) => f.coin === "BTC");
      expect(rows.map((f) => f.tid).sort()).toEqual(ours.map((f) => f.tid).sort());
      const warnings = seen.filter(
        (e): e is Extract<EngineEvent, { type: "warning" }> =>
          e.type === "warning" && /trade id/.test(e.message),
      );
      expect(warnings).toHaveLength(1);
      expect(warnings[0]?.message).toMatch(/reused its trade ids .*both are kept/);
    } finally {
      expect(await engine.stop("test over")).toBe(0);
      expect(await running).toBe(0);
      journal.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
