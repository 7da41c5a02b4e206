// Protection that outlives the process, with the real binary: `follow --stop-loss-pct` places
// a resting stop, kill -9 leaves it on the exchange, a restart finds it by cloid (no
// duplicate), and the simulator's price crossing it closes the copy with no hlcopy running;
// the next run records what fired and does not buy the position back.

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { engineClient } from "../../src/cli/wiring.js";
import type { Address, OpenOrder } from "../../src/core/types.js";
import type { HlClient } from "../../src/exchange/index.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { journalPath, openJournal } from "../../src/store/journal.js";
import { action, eventually, fundedAccount, masterWithAgent } from "../exchange/helpers.js";
import { BIN, cleanEnv, runCli, tempDir } from "../helpers/cli.js";
import { stripAnsi } from "../ui/tty.js";
import { spawnFollow } from "./helpers.js";

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
    const journal = openJournal(journalPath(p.dir, master.address, sim.httpUrl));
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

async function copying(coin: string, size: number) {
  const leader = fundedAccount(sim, 1_000_000);
  const leaderClient = engineClient({
    httpUrl: sim.httpUrl,
    wsUrl: sim.wsUrl,
    isTestnet: false,
    account: leader.address,
    agentKey: leader.key,
  });
  const markets = await leaderClient.getMarkets();
  const [opened] = await leaderClient.placeOrders([action(markets, coin, "buy", size)], markets);
  expect(opened?.status).toBe("filled");
  const { master, agentKey } = await masterWithAgent(sim, 50_000);
  const ours = engineClient({
    httpUrl: sim.httpUrl,
    wsUrl: sim.wsUrl,
    isTestnet: false,
    account: master.address,
    agentKey,
  });
  return { p: { dir: tempDir(), account: master.address, agentKey, leader: leader.address }, ours };
}

const notices = (r: Running) =>
  r.lines.filter((l) => l.type === "notice" && l.kind === "on-exit").map((l) => String(l.message));

describe("follow --on-exit", () => {
  it("protect (the default): a stop cancelled behind hlcopy's back is put back before it exits; the summary lists it", {
    timeout: 90_000,
  }, async () => {
    const { p, ours } = await copying("SOL", 100);
    const run = startFollow(p, ["--stop-loss-pct", "5"]);
    await eventually(() => run.lines.some((l) => l.type === "protection" && l.action === "placed"), 15_000);
    const [stop] = await triggers(ours, p.account);
    const markets = await ours.getMarkets();
    const [cancelled] = await ours.cancelOrders([{ coin: "SOL", oid: stop?.oid ?? 0 }], markets);
    expect(cancelled?.status).toBe("cancelled");
    expect(await triggers(ours, p.account)).toEqual([]);
    run.child.kill("SIGTERM");
    expect(await run.exit).toBe(0);
    const after = await triggers(ours, p.account);
    expect(after.map((o) => [o.side, o.size, o.trigger?.tpsl, o.trigger?.triggerPx])).toEqual([
      ["sell", 10, "sl", stop?.trigger?.triggerPx],
    ]);
    expect(notices(run)).toEqual(["on exit: protect — every position has its resting stop (SOL)"]);
    const summary = run.lines.at(-1) as { type: string; positions: unknown };
    expect(summary.type).toBe("summary");
    expect(summary.positions).toEqual([
      { coin: "SOL", size: 10, stopPx: stop?.trigger?.triggerPx, takeProfitPx: null },
    ]);
    // `status` lists each position's resting stop and take-profit.
    const env = { HLCOPY_CONFIG_DIR: p.dir };
    const status = await runCli(["--network", sim.httpUrl, "--account", p.account, "--json", "status"], {
      env,
    });
    expect(status.code).toBe(0);
    const report = JSON.parse(status.stdout) as { positions: Record<string, unknown>[] };
    expect(report.positions).toEqual([
      expect.objectContaining({
        coin: "SOL",
        ourSize: 10,
        stopPx: stop?.trigger?.triggerPx,
        takeProfitPx: null,
      }),
    ]);
    const text = await runCli(["--network", sim.httpUrl, "--account", p.account, "status"], { env });
    expect(text.stdout).toMatch(/take-profit/);
    expect(text.stdout).toMatch(
      new RegExp(`SOL.*${String(stop?.trigger?.triggerPx).replace(".", "\\.")}.*none`),
    );
  });

  it("protect without a stop setting says there is none and sends nothing", { timeout: 90_000 }, async () => {
    const { p, ours } = await copying("ETH", 10);
    const run = startFollow(p, []);
    await eventually(() => run.lines.some((l) => l.type === "sweep"), 15_000);
    const before = sim.control.orderHistory(p.account).length;
    const readsBefore = sim.control.stats().requests.info;
    run.child.kill("SIGTERM");
    expect(await run.exit).toBe(0);
    expect(sim.control.orderHistory(p.account).length).toBe(before);
    expect(notices(run)).toEqual([
      "on exit: protect — no resting stop: risk.stopLossPct and risk.trailingStopPct are off; ETH left without one (set --stop-loss-pct, or use --on-exit flatten)",
    ]);
    // Nothing to place, nothing read for it: no sweep's reads (markets, the leader, our account
    // and its orders: 5 requests) after the signal — only the stop's own, of the fills its
    // streams had not brought and of the equity they left.
    expect(sim.control.stats().requests.info - readsBefore).toBeLessThanOrEqual(2);
    expect((await ours.getAccountState(p.account)).positions.ETH?.size).toBe(1);
  });

  // The dashboard needs a terminal: util-linux `script` gives the real binary a pseudo-terminal
  // (160 columns), and q is typed into it as a trader would.
  const hasScript = spawnSync("script", ["--version"]).status === 0;
  it.skipIf(!hasScript)(
    "after the dashboard: the same closing summary as --no-ui — the on-exit line whole, the open positions",
    { timeout: 90_000 },
    async () => {
      const { p } = await copying("ETH", 10);
      const command = [
        "stty cols 160 rows 30;",
        "exec",
        process.execPath,
        BIN,
        "--network",
        sim.httpUrl,
        "--account",
        p.account,
        "follow",
        p.leader,
        "--mode fixed-ratio --ratio 0.1 --yes --sweep-seconds 3600",
      ].join(" ");
      const child = spawn("script", ["-qfec", command, "/dev/null"], {
        env: cleanEnv({ HLCOPY_CONFIG_DIR: p.dir, HLCOPY_AGENT_KEY: p.agentKey }),
        stdio: ["pipe", "pipe", "pipe"],
      });
      let out = "";
      child.stdout?.on("data", (d) => {
        out += d;
      });
      const exit = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
      // Copied and in sync on the dashboard: quit with q.
      await eventually(() => /filled 1 .*in sync/.test(stripAnsi(out)), 30_000);
      child.stdin?.write("q");
      expect(await exit).toBe(0);
      const text = stripAnsi(out).replace(/\r/g, "");
      const onExit =
        "on exit: protect — no resting stop: risk.stopLossPct and risk.trailingStopPct are off; ETH left without one (set --stop-loss-pct, or use --on-exit flatten)";
      // The log line above the frame is cut to 160 columns; the closing summary is not cut but
      // broken at its separators (a continuation line starts with two spaces).
      const summary = text.slice(text.lastIndexOf("\n1 order(s) filled"));
      for (const line of summary.split("\n")) expect(line.length).toBeLessThanOrEqual(160);
      expect(summary.replace(/\n {2}(?=[a-z])/g, " ")).toMatch(
        /^\n1 order\(s\) filled; leader trades \d+: copied \d[^;]*; in sync; copy P&L net .*; copy lag p50 (\d+ms|[\d.]+s|-)\n/,
      );
      expect(text).toContain(`\n${onExit}\nopen positions:\n  ETH +1 stop none take-profit none\n`);
    },
  );

  it("flatten closes everything reduce-only and leaves no trigger behind", { timeout: 90_000 }, async () => {
    const { p, ours } = await copying("BTC", 1);
    const run = startFollow(p, ["--stop-loss-pct", "5", "--on-exit", "flatten"]);
    await eventually(() => run.lines.some((l) => l.type === "protection" && l.action === "placed"), 15_000);
    run.child.kill("SIGTERM");
    expect(await run.exit).toBe(0);
    expect((await ours.getAccountState(p.account)).positions).toEqual({});
    expect(await triggers(ours, p.account)).toEqual([]);
    const closes = sim.control.orderHistory(p.account).filter((o) => o.tif !== "Trigger");
    expect(closes.at(-1)?.reduceOnly).toBe(true);
    expect(notices(run)).toEqual(["on exit: flatten — closed 1 position(s) reduce-only"]);
  });

  it("hold leaves positions and triggers as they are and says so", { timeout: 90_000 }, async () => {
    const { p, ours } = await copying("ETH", 10);
    const run = startFollow(p, ["--stop-loss-pct", "5", "--on-exit", "hold"]);
    await eventually(() => run.lines.some((l) => l.type === "protection" && l.action === "placed"), 15_000);
    const before = sim.control.orderHistory(p.account).length;
    run.child.kill("SIGTERM");
    expect(await run.exit).toBe(0);
    expect(sim.control.orderHistory(p.account).length).toBe(before);
    expect(await triggers(ours, p.account)).toHaveLength(1);
    expect(notices(run)).toEqual(["on exit: hold — positions and resting orders left as they are"]);
  });

  it("--no-ui tells what the on-exit step did once: its event line, not again in the closing summary", {
    timeout: 90_000,
  }, async () => {
    const { p } = await copying("ETH", 10);
    const run = spawnFollow({
      httpUrl: sim.httpUrl,
      account: p.account,
      leader: p.leader,
      configDir: p.dir,
      agentKey: p.agentKey,
      json: false,
      extra: ["--no-ui", "--sweep-seconds", "3600", "--on-exit", "hold"],
    });
    const text = () => run.lines.map((l) => String(l.text ?? "")).join("\n");
    await eventually(() => / sweep in sync /.test(text()), 15_000);
    run.child.kill("SIGTERM");
    expect(await run.exit).toBe(0);
    expect(text().match(/on exit: hold/g)).toHaveLength(1);
    // Nothing between the step and the end: a stop right after the start does not wait on the
    // request budget (the start reads our ledger once). The budget only refills with time, so a
    // busy machine has more room, not less; a wait is told from 1 s, some 15 weight beyond what
    // the start and the stop use even on a machine that took no time at all.
    expect(text()).toMatch(
      / stopping: signal SIGTERM — on-exit step: hold\n.* on exit: hold — positions and resting orders left as they are\n.* stop: signal SIGTERM\n.*order\(s\) filled; .*\nopen positions:\n {2}ETH \+2 /,
    );
    // The stop, its step and the run's end, each at its own time: in order.
    const times = text()
      .split("\n")
      .filter((l) => / (stopping|on exit|stop): /.test(l))
      .map((l) => l.slice(0, 12));
    expect(times).toHaveLength(3);
    expect(times).toEqual([...times].sort());
    expect(run.stderr()).toBe("");
  });

  it("a bad --on-exit is a usage error (exit 2) with a hint, before anything runs", async () => {
    const r = await runCli(["--network", sim.httpUrl, "follow", `0x${"1".repeat(40)}`, "--on-exit", "panic"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: invalid --on-exit "panic": expected protect, hold or flatten');
    expect(r.stderr).toContain("hint: ");
  });
});

describe("reconcile keeps resting protection too (cron)", () => {
  it("a live reconcile places the stop after the copy; the next one sends nothing", {
    timeout: 90_000,
  }, async () => {
    const { p, ours } = await copying("ETH", 10);
    const args = ["--network", sim.httpUrl, "--account", p.account, "--json", "reconcile", p.leader];
    const flags = ["--mode", "fixed-ratio", "--ratio", "0.1", "--yes", "--stop-loss-pct", "5"];
    const env = { HLCOPY_CONFIG_DIR: p.dir, HLCOPY_AGENT_KEY: p.agentKey };
    const first = await runCli([...args, ...flags], { env });
    expect(first.code).toBe(0);
    const placed = await triggers(ours, p.account);
    expect(placed.map((o) => [o.side, o.size, o.reduceOnly, o.trigger?.tpsl])).toEqual([
      ["sell", 1, true, "sl"],
    ]);
    const orders = sim.control.orderHistory(p.account).length;
    const second = await runCli([...args, ...flags], { env });
    expect(second.code).toBe(0);
    expect(sim.control.orderHistory(p.account).length).toBe(orders);
    expect((await triggers(ours, p.account)).map((o) => o.oid)).toEqual(placed.map((o) => o.oid));
  });
});

describe("protection outside live runs", () => {
  it("a --dry-run follow refuses --stop-loss-pct, and with a stop in the config file says it does not simulate resting stops", {
    timeout: 90_000,
  }, async () => {
    const { p } = await copying("BTC", 1);
    // Given for this run, the flag would be accepted and do nothing: refused (exit 2).
    const flag = await runCli(
      [
        "--network",
        sim.httpUrl,
        "--account",
        p.account,
        "follow",
        p.leader,
        "--dry-run",
        "--stop-loss-pct",
        "5",
      ],
      { env: { HLCOPY_CONFIG_DIR: p.dir } },
    );
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(
      /^error: --stop-loss-pct rests a reduce-only stop on the exchange .*this run is --dry-run/,
    );
    // Stored, it is the live runs' setting (the file is shared): the dry run says what it leaves out.
    expect((await runCli(["--config-dir", p.dir, "config", "set", "risk.stopLossPct", "5"])).code).toBe(0);
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
        "--dry-run",
      ].concat(["--mode", "fixed-ratio", "--ratio", "0.1", "--sweep-seconds", "3600"]),
      { env: cleanEnv({ HLCOPY_CONFIG_DIR: p.dir }), stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    child.stdout?.on("data", (d) => {
      out += d;
    });
    const exit = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    await eventually(() => out.includes('"type":"sweep"'), 15_000);
    child.kill("SIGTERM");
    expect(await exit).toBe(0);
    const notices = out
      .split("\n")
      .filter((l) => l.includes('"kind":"protection"'))
      .map((l) => (JSON.parse(l) as { message: string }).message);
    expect(notices).toEqual([
      "resting stops / take-profits are placed by live runs only: this dry run does not simulate them",
    ]);
  });
});
