// Protection that outlives the process, with the real binary: `follow --stop-loss-pct` places
// a resting stop, kill -9 leaves it on the exchange, a restart finds it by cloid (no
// duplicate), and the simulator's price crossing it closes the copy with no hlcopy running;
// the next run records what fired and does not buy the position back.

import { type ChildProcess, spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Address, OpenOrder } from "../../src/core/types.js";
import { engineClient } from "../../src/engine/wiring.js";
import type { HlClient } from "../../src/exchange/index.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { journalPath, openJournal } from "../../src/store/journal.js";
import { action, eventually, fundedAccount, masterWithAgent } from "../exchange/helpers.js";
import { BIN, cleanEnv, tempDir } from "../helpers/cli.js";

let sim: SimHandle;
beforeAll(async () => {
  sim = await startSim({ seed: 43, tickMs: 0 });
});
afterAll(async () => {
  await sim.close();
});

interface Running {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  stderr: () => string;
  exit: Promise<number | null>;
}

function startFollow(
  p: { dir: string; account: Address; agentKey: `0x${string}`; leader: Address },
  extra: string[],
): Running {
  const child = spawn(
    process.execPath,
    [
      BIN,
      "--network",
      sim.httpUrl,
      "--account",
      p.account,
      "--json",
      "follow",
      p.leader,
      "--mode",
      "fixed-ratio",
      "--ratio",
      "0.1",
      "--yes",
      "--sweep-seconds",
      "3600",
      ...extra,
    ],
    {
      env: cleanEnv({ HLCOPY_CONFIG_DIR: p.dir, HLCOPY_AGENT_KEY: p.agentKey }),
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const lines: Record<string, unknown>[] = [];
  let buffer = "";
  let err = "";
  child.stdout?.on("data", (d) => {
    buffer += d;
    let i = buffer.indexOf("\n");
    while (i >= 0) {
      lines.push(JSON.parse(buffer.slice(0, i)) as Record<string, unknown>);
      buffer = buffer.slice(i + 1);
      i = buffer.indexOf("\n");
    }
  });
  child.stderr?.on("data", (d) => {
    err += d;
  });
  const exit = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return { child, lines, stderr: () => err, exit };
}

async function triggers(c: HlClient, user: Address): Promise<OpenOrder[]> {
  return (await c.getAccountState(user)).openOrders.filter((o) => o.trigger !== undefined);
}

describe("protection that outlives hlcopy (the real binary)", () => {
  it("kill -9, restart without duplicates, then the exchange alone fires the stop; the next run records it", {
    timeout: 60_000,
  }, async () => {
    const leader = fundedAccount(sim, 1_000_000);
    const leaderClient = engineClient({
      httpUrl: sim.httpUrl,
      wsUrl: sim.wsUrl,
      isTestnet: false,
      account: leader.address,
      agentKey: leader.key,
    });
    const markets = await leaderClient.getMarkets();
    const [opened] = await leaderClient.placeOrders([action(markets, "ETH", "buy", 10)], markets);
    expect(opened?.status).toBe("filled");
    const { master, agentKey } = await masterWithAgent(sim, 50_000);
    const reader = engineClient({
      httpUrl: sim.httpUrl,
      wsUrl: sim.wsUrl,
      isTestnet: false,
      account: master.address,
    });
    const p = { dir: tempDir(), account: master.address, agentKey, leader: leader.address };
    const args = ["--stop-loss-pct", "4", "--take-profit-pct", "10"];

    const first = startFollow(p, args);
    await eventually(
      () => first.lines.filter((l) => l.type === "protection" && l.action === "placed").length === 2,
      15_000,
    );
    const placed = await triggers(reader, master.address);
    expect(placed.map((o) => [o.side, o.size, o.reduceOnly, o.trigger?.tpsl]).sort()).toEqual([
      ["sell", 1, true, "sl"],
      ["sell", 1, true, "tp"],
    ]);
    first.child.kill("SIGKILL");
    await first.exit;

    // Restart: its own triggers are found by cloid; nothing is placed again.
    const ordersBefore = sim.control.orderHistory(master.address).length;
    const second = startFollow(p, args);
    await eventually(() => second.lines.some((l) => l.type === "sweep"), 15_000);
    expect(sim.control.orderHistory(master.address).length).toBe(ordersBefore);
    expect((await triggers(reader, master.address)).map((o) => o.oid).sort()).toEqual(
      placed.map((o) => o.oid).sort(),
    );
    second.child.kill("SIGKILL");
    await second.exit;

    // No hlcopy running: the price crosses the stop and the exchange closes the copy.
    const stop = placed.find((o) => o.trigger?.tpsl === "sl");
    sim.control.setMid("ETH", (stop?.trigger?.triggerPx ?? 0) * 0.99);
    await eventually(async () => (await reader.getAccountState(master.address)).positions.ETH === undefined);
    // …and cancels the take-profit of a position that is gone.
    expect(await triggers(reader, master.address)).toEqual([]);

    const third = startFollow(p, args);
    await eventually(() => third.lines.some((l) => l.type === "sweep"), 15_000);
    expect(third.lines.some((l) => l.type === "protection" && l.action === "fired" && l.coin === "ETH")).toBe(
      true,
    );
    third.child.kill("SIGTERM");
    expect(await third.exit).toBe(0);
    // The leader still holds ETH, but our stop closed the copy: not bought back, nothing new rests.
    expect((await reader.getAccountState(master.address)).positions.ETH).toBeUndefined();
    expect(await triggers(reader, master.address)).toEqual([]);
    const journal = openJournal(journalPath(p.dir, master.address));
    try {
      const fired = journal
        .listEntries({ table: "events", limit: Number.POSITIVE_INFINITY })
        .filter((e) => JSON.stringify(e).includes("protectionFired"));
      expect(fired).toHaveLength(1);
    } finally {
      journal.close();
    }
    expect(third.stderr()).toBe("");
  });
});
