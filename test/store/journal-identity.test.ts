// Cloids are unique per account forever: each journal has a random identity, created with it
// and never changed, and the engine seeds every cloid with it. Two fresh journals — the tool's
// own advice for a corrupt one, or a second config directory — plan the same orders under
// different cloids, so a lookup after a timeout can never resolve to an older journal's order.

import { DatabaseSync } from "node:sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { engineClient } from "../../src/cli/wiring.js";
import { defaultSettings } from "../../src/core/settings.js";
import type { Address } from "../../src/core/types.js";
import { CopyEngine } from "../../src/engine/engine.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { type Journal, journalPath, openJournal } from "../../src/store/journal.js";
import { JOURNAL_APPLICATION_ID, MIGRATIONS } from "../../src/store/migrations.js";
import { action, fundedAccount } from "../exchange/helpers.js";
import { tempDir } from "../helpers/cli.js";

let sim: SimHandle;
let leader: Address;
let follower: Address;
beforeAll(async () => {
  sim = await startSim({ seed: 5, tickMs: 0 });
  const l = fundedAccount(sim, 1_000_000);
  leader = l.address;
  follower = fundedAccount(sim, 100_000).address;
  const client = engineClient({
    httpUrl: sim.httpUrl,
    wsUrl: sim.wsUrl,
    isTestnet: false,
    account: l.address,
    agentKey: l.key,
  });
  const markets = await client.getMarkets();
  for (const [coin, size] of [
    ["BTC", 1],
    ["ETH", 10],
  ] as const) {
    const [r] = await client.placeOrders([action(markets, coin, "buy", size)], markets);
    expect(r?.status).toBe("filled");
  }
});
afterAll(async () => {
  await sim.close();
});

/** The cloids a dry run plans with this journal (its first run, first plan). */
async function plannedCloids(journal: Journal): Promise<string[]> {
  const settings = defaultSettings();
  settings.sizing.mode = "fixed-ratio";
  settings.sizing.ratio = 0.01;
  const engine = new CopyEngine({
    reader: engineClient({ httpUrl: sim.httpUrl, wsUrl: sim.wsUrl, isTestnet: false, account: follower }),
    executor: null,
    journal,
    settings,
    leaders: [{ address: leader, weight: 1 }],
    account: follower,
    network: sim.httpUrl,
    mode: "dry-run",
    command: "dry-run",
  });
  try {
    engine.begin();
    const { plan } = await engine.sweep("sweep", false);
    return plan.actions.map((a) => a.cloid);
  } finally {
    await engine.stop("done");
  }
}

describe("journal identity", () => {
  it("two fresh journals (two config dirs) plan the same orders under different cloids", async () => {
    const a = openJournal(journalPath(tempDir(), follower));
    const b = openJournal(journalPath(tempDir(), follower));
    try {
      expect(a.id).toMatch(/^[0-9a-f]{32}$/);
      expect(b.id).not.toBe(a.id);
      const fromA = await plannedCloids(a);
      const fromB = await plannedCloids(b);
      expect(fromA).toHaveLength(2); // BTC and ETH: same account, run 1, same sequence
      expect(fromB).toHaveLength(2);
      for (const cloid of fromB) expect(fromA).not.toContain(cloid);
    } finally {
      a.close();
      b.close();
    }
  });

  it("a journal moved aside and started afresh never repeats a cloid", async () => {
    const dir = tempDir();
    const file = journalPath(dir, follower);
    const old = openJournal(file);
    const before = await plannedCloids(old);
    old.close();
    const { renameSync } = await import("node:fs");
    renameSync(file, `${file}.bak`);
    const fresh = openJournal(file);
    try {
      const after = await plannedCloids(fresh);
      expect(after).toHaveLength(before.length);
      for (const cloid of after) expect(before).not.toContain(cloid);
    } finally {
      fresh.close();
    }
  });

  it("a journal keeps its identity across reopen, and nothing can change it", () => {
    const file = journalPath(tempDir(), follower);
    const first = openJournal(file);
    const id = first.id;
    first.close();
    const again = openJournal(file);
    expect(again.id).toBe(id);
    again.close();
    const db = new DatabaseSync(file);
    try {
      expect(() => db.exec("UPDATE meta SET value = 'x' WHERE key = 'journal_id'")).toThrow(/never changes/);
      expect(() => db.exec("DELETE FROM meta")).toThrow(/never changes/);
    } finally {
      db.close();
    }
    const third = openJournal(file);
    expect(third.id).toBe(id);
    third.close();
  });

  it("a journal from before identities gets one on upgrade, keeps its data, and keeps the id", () => {
    const file = journalPath(tempDir(), follower);
    // A version-1 journal, as the previous release wrote it.
    const db = new DatabaseSync(file);
    const v1 = MIGRATIONS[0];
    if (!v1) throw new Error("no migration 1");
    db.exec(v1.sql);
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (1, ?, 0)").run(v1.name);
    db.exec(`PRAGMA user_version = 1; PRAGMA application_id = ${JOURNAL_APPLICATION_ID}`);
    db.exec("INSERT INTO events (ts, type) VALUES (1, 'old')");
    db.close();
    const upgraded = openJournal(file);
    const id = upgraded.id;
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(upgraded.listEntries().map((e) => e.table === "events" && e.type)).toEqual(["old"]);
    upgraded.close();
    const again = openJournal(file);
    expect(again.id).toBe(id);
    again.close();
  });

  it("in-memory journals get an identity too, a different one each", () => {
    const a = openJournal(":memory:");
    const b = openJournal(":memory:");
    expect(a.id).toMatch(/^[0-9a-f]{32}$/);
    expect(b.id).not.toBe(a.id);
    a.close();
    b.close();
  });
});
