// A fill whose trade id the journal already holds for another fill — an exchange that handed
// its ids out again, as a simulator restarted on the same port did — is journaled, counted and
// warned about, not dropped without a word (P&L, fees and slippage came up short).

import { describe, expect, it } from "vitest";
import type { EngineEvent } from "../../src/engine/events.js";
import { openJournal } from "../../src/store/journal.js";
import { eventually, fundedAccount } from "../exchange/helpers.js";
import { copySettings, startSimFollow, trade } from "../helpers/sim-engine.js";

describe("trade ids the journal already holds", () => {
  it("our fill under a journaled tid is kept and shown, with one warning", { timeout: 60_000 }, async () => {
    const t = await startSimFollow({
      sim: { seed: 31, fundingIntervalMs: 0 },
      leaderUsd: 2_000_000,
      journal: "file",
    });
    const { sim, leaderClient, account, client } = t;

    // A trade by someone else shows where the simulator's trade ids are; the journal holds the
    // next ones already, for fills of an earlier simulator (another coin, time and order).
    const other = fundedAccount(sim, 100_000);
    await trade(t.clientOf(other), "DOGE", "buy", 1000);
    const [probe] = await client.getFillsByTime(other.address, 0);
    if (!probe) throw new Error("no probe fill");
    const seed = openJournal(t.journalFile);
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

    const settings = copySettings((s) => (s.exec.sweepSeconds = 3600));
    const { engine, events: seen, run } = t.follow({ settings });
    const { journal } = t;
    const running = run();
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
    }
  });
});
