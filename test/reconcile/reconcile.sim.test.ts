// `hlcopy reconcile` as cron runs it: the real binary against the simulator over real HTTP,
// signing with an approved agent key from HLCOPY_AGENT_KEY. One story, run by run.

import { execFile } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReconcileReport } from "../../src/cli/reconcile/run.js";
import { engineClient } from "../../src/cli/wiring.js";
import type { Address } from "../../src/core/types.js";
import type { HlClient } from "../../src/exchange/index.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { action, fundedAccount, masterWithAgent } from "../exchange/helpers.js";
import { BIN, cleanEnv, defaultsBeside, jsonError, ROOT, runCli, spawnCli, tempDir } from "../helpers/cli.js";

type Report = ReconcileReport;

function run(cmd: string, args: string[], options: { env: NodeJS.ProcessEnv }) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    execFile(cmd, args, { env: options.env, encoding: "utf8" }, (error, stdout, stderr) => {
      done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

let sim: SimHandle;
let leader: Address;
let leaderClient: HlClient;
let follower: Address;
let agentKey: `0x${string}`;
let reader: HlClient;
const configDir = tempDir();

// Copy 5% of the leader, at most 1× leverage on a $10 000 account, never SOL.
// Later steps lift the leverage cap so each step's target is the leader's alone.
const LATER = ["--max-leverage", "5"];
const SETTINGS = ["--mode", "fixed-ratio", "--ratio", "0.05", "--max-leverage", "1", "--deny-coins", "SOL"];

async function reconcile(extra: string[] = [], env: Record<string, string> = {}, run = runCli) {
  const r = await run(
    // Live runs confirm with --yes, as cron does (a dry run takes no --yes).
    [
      "--network",
      sim.httpUrl,
      "--account",
      follower,
      "--json",
      "reconcile",
      leader,
      ...defaultsBeside(SETTINGS, extra),
      ...extra,
      ...(extra.includes("--dry-run") ? [] : ["--yes"]),
    ],
    { env: { HLCOPY_CONFIG_DIR: configDir, HLCOPY_AGENT_KEY: agentKey, ...env } },
  );
  const lines = r.stdout.trim().split("\n");
  // A refusal is one error document instead of the report (`said`: it as the two lines).
  const said = jsonError(r.stdout);
  const report = r.stdout.trim() && !said ? (JSON.parse(lines.at(-1) ?? "") as Report) : null;
  return { ...r, report, lines, said };
}

/** The leader trades `usd` worth of a coin at the current mid. */
async function leaderTrade(coin: string, side: "buy" | "sell", usd: number, reduceOnly = false) {
  const markets = await leaderClient.getMarkets();
  const m = markets[coin];
  if (!m) throw new Error(coin);
  const size = Number((usd / m.mid).toFixed(m.szDecimals));
  const [r] = await leaderClient.placeOrders([action(markets, coin, side, size, { reduceOnly })], markets);
  expect(r?.status).toBe("filled");
}

async function ours(): Promise<Record<string, number>> {
  const s = await reader.getAccountState(follower);
  return Object.fromEntries(Object.values(s.positions).map((p) => [p.coin, p.size]));
}

beforeAll(async () => {
  sim = await startSim({ seed: 21, tickMs: 0 });
  const l = fundedAccount(sim, 2_000_000);
  leader = l.address;
  leaderClient = engineClient({
    httpUrl: sim.httpUrl,
    wsUrl: sim.wsUrl,
    isTestnet: false,
    account: l.address,
    agentKey: l.key,
  });
  const f = await masterWithAgent(sim, 10_000);
  follower = f.master.address;
  agentKey = f.agentKey;
  reader = engineClient({ httpUrl: sim.httpUrl, wsUrl: sim.wsUrl, isTestnet: false, account: follower });
  // Four positions: BTC big enough to hit the leverage cap, ETH normal, DOGE below $10 once
  // scaled, SOL denied.
  await leaderTrade("BTC", "buy", 400_000);
  await leaderTrade("ETH", "sell", 40_000);
  await leaderTrade("DOGE", "buy", 150);
  await leaderTrade("SOL", "buy", 20_000);
});
afterAll(async () => {
  await sim.close();
});

describe("hlcopy reconcile", () => {
  it("--dry-run --json plans exactly the expected actions and skips, and sends nothing", async () => {
    const before = sim.control.stats().actionByType.order ?? 0;
    const r = await reconcile(["--dry-run"], { HLCOPY_AGENT_KEY: "" });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(3); // drift to fix
    expect(r.lines).toHaveLength(1);
    const report = r.report as Report;
    expect(report.leader).toBe(leader);
    expect(report.account).toBe(follower);
    expect(report.inSync).toBe(false);
    expect(report.actions.map((a) => [a.coin, a.side, a.reduceOnly, a.reason, a.status])).toEqual([
      ["BTC", "buy", false, "open", "planned"],
      ["ETH", "sell", false, "open", "planned"],
    ]);
    const skips = report.skipped.map((s) => `${s.coin} ${s.reason}`);
    expect(skips).toContain("DOGE below-min-notional");
    expect(skips).toContain("SOL coin-denied");
    expect(report.skipped.some((s) => s.reason === "leverage-cap")).toBe(true);
    // The leverage cap scales the whole copy by one factor: gross ≤ 1 × $10 000, and the
    // leader's BTC:ETH proportion (10:1 in notional) is kept.
    const notional = report.actions.map((a) => a.size * a.limitPx);
    const gross = notional.reduce((s, x) => s + x, 0);
    expect(gross).toBeLessThanOrEqual(10_000 * 1.01);
    expect(gross).toBeGreaterThan(9_000);
    expect((notional[0] ?? 0) / (notional[1] ?? 1)).toBeCloseTo(10, 0);
    for (const a of report.actions) expect(a.cloid).toMatch(/^0x[0-9a-f]{32}$/);
    expect(sim.control.stats().actionByType.order ?? 0).toBe(before);
    expect(await ours()).toEqual({});
  });

  it("the live run brings the account to the target and exits 0; the second run sends nothing", async () => {
    const dry = (await reconcile(["--dry-run"])).report as Report;
    sim.control.reset(); // counters only
    const r = await reconcile();
    const seen = sim.control.stats();
    expect(r.code).toBe(0);
    const report = r.report as Report;
    expect(report.inSync).toBe(true);
    expect(report.actions.map((a) => [a.coin, a.status])).toEqual([
      ["BTC", "filled"],
      ["ETH", "filled"],
    ]);
    for (const a of report.actions) {
      expect(a.filledSize).toBe(a.size);
      // Execution slippage against the touch (a reconcile's orders are repairs, not copies).
      expect(a.kind).toBe("repair");
      expect(a.execSlippageBps).not.toBeNull();
      expect(Math.abs(a.execSlippageBps ?? 99)).toBeLessThanOrEqual(30);
    }
    const pos = await ours();
    expect(pos.BTC).toBe(dry.actions[0]?.size);
    expect(pos.ETH).toBe(-(dry.actions[1]?.size ?? 0));
    expect(pos.SOL).toBeUndefined();
    expect(pos.DOGE).toBeUndefined();
    // The report counts every request the run made (the start-up identity checks aside: the
    // agent's approval, whether the account is a sub-account): markets, the leader, us, one
    // updateLeverage per coin opened, ONE order batch, then the same reads again to report
    // the drift left.
    // (An account that lists the agent itself is not asked for its role: no userRole.)
    const startup = (seen.infoByType.extraAgents ?? 0) + (seen.infoByType.userRole ?? 0);
    expect(startup).toBe(1);
    expect(report.requests).toBe(seen.http.info + seen.http.exchange - startup);
    expect(seen.actionByType).toEqual({ updateLeverage: 2, order: 1 });
    // Issue 17: a cron run has no stream, so the copy's P&L inputs are read: our fills before
    // planning (anything that filled since the last run, e.g. a resting stop) and again after
    // sending (this run's fills, with their fees and closed P&L), the funding records once.
    expect(seen.infoByType.userFillsByTime).toBe(2);
    expect(seen.infoByType.userFunding).toBe(1);
    // Our ledger, with each read of our account: the kill switch and the daily loss limit net
    // our own deposits and withdrawals out (one made since the last cron run must not halt it).
    // The start's read also gives this journal's first run the account's anchor on the exchange
    // (its newest cash flow), which later runs check before they measure anything against the
    // journal: one read for both.
    expect(seen.infoByType.userNonFundingLedgerUpdates).toBe(2);
    expect(report.requests).toBeLessThanOrEqual(18);
    // Issue 12.4: the exchange carries the configured leverage (auto: --max-leverage 1 → 2x)
    // and margin mode on what was copied.
    const chs = (await (
      await fetch(`${sim.httpUrl}/info`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ type: "clearinghouseState", user: follower }),
      })
    ).json()) as {
      assetPositions: { position: { coin: string; leverage: { type: string; value: number } } }[];
    };
    expect(
      chs.assetPositions.map((p) => [p.position.coin, p.position.leverage.type, p.position.leverage.value]),
    ).toEqual([
      ["BTC", "cross", 2],
      ["ETH", "cross", 2],
    ]);

    const orders = sim.control.stats().actionByType.order ?? 0;
    const again = await reconcile();
    expect(again.code).toBe(0);
    expect(again.report?.actions).toEqual([]);
    expect(again.report?.inSync).toBe(true);
    expect(sim.control.stats().actionByType.order ?? 0).toBe(orders);
    // The positions already carry the leverage: no second updateLeverage.
    expect(sim.control.stats().actionByType.updateLeverage).toBe(2);
  });

  it("status counts reconcile's fills as repairs, with their fees, and the copy's P&L", async () => {
    // Issue 17: status counts reconcile's fills (read back: a cron run has no stream) and
    // their fees, as repairs (a sweep's orders), with the copy's P&L as the run left it.
    const exchangeFills = await reader.getFillsByTime(follower, 0);
    expect(exchangeFills.length).toBeGreaterThanOrEqual(2);
    const status = await runCli(["--network", sim.httpUrl, "--account", follower, "--json", "status"], {
      env: { HLCOPY_CONFIG_DIR: configDir },
    });
    expect(status.code).toBe(0);
    const doc = JSON.parse(status.stdout) as {
      fills: { total: number; byKind: Record<string, number> };
      pnl: { feesUsd: number; fills: number; netUsd: number };
      drift: { inSync: boolean };
      copyLagMs: { count: number };
    };
    expect(doc.fills.total).toBe(exchangeFills.length);
    expect(doc.fills.byKind.repair).toBe(exchangeFills.length);
    // A sweep's orders are no copies: no lag, no slippage against the leader.
    expect(doc.copyLagMs.count).toBe(0);
    expect(doc.pnl.fills).toBe(exchangeFills.length);
    expect(doc.pnl.feesUsd).toBeCloseTo(
      exchangeFills.reduce((x, f) => x + f.fee, 0),
      6,
    );
    expect(doc.drift.inSync).toBe(true);
    const human = await runCli(["--network", sim.httpUrl, "--account", follower, "status"], {
      env: { HLCOPY_CONFIG_DIR: configDir },
    });
    expect(human.stdout).toMatch(
      new RegExp(`fills \\(last 24h\\): ${exchangeFills.length} — copy 0 · repair ${exchangeFills.length}`),
    );
  });

  it("the leader closing a coin closes ours, reduce-only", async () => {
    const eth = (await leaderClient.getAccountState(leader)).positions.ETH?.size ?? 0;
    await leaderTrade("ETH", "buy", Math.abs(eth) * (sim.control.mid("ETH") ?? 0), true);
    const r = await reconcile();
    expect(r.code).toBe(0);
    // Closing ETH frees room under the leverage cap, so BTC grows toward its full copy.
    expect(r.report?.actions.map((a) => [a.coin, a.side, a.reduceOnly, a.reason, a.status])).toEqual([
      ["ETH", "buy", true, "close", "filled"],
      ["BTC", "buy", false, "increase", "filled"],
    ]);
    expect((await ours()).ETH).toBeUndefined();
  });

  it("a partial fill ends in exit 3 (drift remains); the next run finishes the job with exit 0", async () => {
    expect((await reconcile(LATER)).code).toBe(0);
    await leaderTrade("HYPE", "buy", 40_000);
    sim.control.fault({ kind: "partialFill", count: 1, fraction: 0.5 });
    const r = await reconcile(LATER);
    expect(r.code).toBe(3);
    const hype = r.report?.actions.find((a) => a.coin === "HYPE");
    expect(hype?.status).toBe("partial");
    expect(r.report?.inSync).toBe(false);
    expect(r.report?.drift.find((d) => d.coin === "HYPE")?.ourSize).toBeCloseTo((hype?.size ?? 0) / 2, 1);
    // One meaning of drift: the half left is what the next run trades, and the exit code says so.
    expect(r.report?.drift.find((d) => d.coin === "HYPE")?.status).toBe("drift");
    const next = await reconcile(LATER);
    expect(next.code).toBe(0);
    expect(next.report?.inSync).toBe(true);
    expect(next.report?.drift.every((d) => d.status !== "drift" && d.status !== "blocked")).toBe(true);
  });

  it("an HTTP 500 after the order executed is resolved by cloid: no duplicate order", async () => {
    // kPEPE is opened first, so the faulted run's only /exchange request is the order (an
    // open position at the configured leverage needs no updateLeverage).
    await leaderTrade("kPEPE", "buy", 10_000);
    expect((await reconcile(LATER)).code).toBe(0);
    await leaderTrade("kPEPE", "buy", 10_000);
    const before = sim.control.orderHistory(follower).length;
    sim.control.fault({ kind: "http500", count: 1, endpoint: "exchange", stage: "after" });
    const r = await reconcile(LATER);
    expect(r.code).toBe(0);
    const sent = r.report?.actions ?? [];
    expect(sent.map((a) => [a.coin, a.status])).toEqual([["kPEPE", "filled"]]);
    const history = sim.control.orderHistory(follower);
    expect(history.length - before).toBe(1);
    const cloids = history.map((o) => o.cloid);
    expect(new Set(cloids).size).toBe(cloids.length);
    const again = await reconcile(LATER);
    expect(again.code).toBe(0);
    expect(again.report?.actions).toEqual([]);
  });

  it("prints a table for people, with the exit code scripts use", async () => {
    const r = await runCli(
      [
        "--network",
        sim.httpUrl,
        "--account",
        follower,
        "reconcile",
        leader,
        ...defaultsBeside(SETTINGS, LATER),
        ...LATER,
        "--dry-run",
      ],
      { env: { HLCOPY_CONFIG_DIR: configDir } },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("coin");
    expect(r.stdout).toContain("drift $");
    expect(r.stdout).toContain("in sync: nothing to do");
    // Every table line fits 80 columns (it was 101, a column of skip details padded to 100):
    // the skip's code in the coin's row, its detail under the table.
    const table = r.stdout.split("\n").filter((l) => /^[│┌├└]/.test(l));
    expect(table.length).toBeGreaterThan(4);
    expect(Math.max(...table.map((l) => [...l].length))).toBeLessThanOrEqual(80);
    expect(r.stdout).toMatch(/^│ SOL .*│ skipped: coin-denied +│$/m);
    expect(r.stdout).toMatch(/\nskipped:\n( {2}\S.*\n)* {2}SOL coin-denied: SOL is in risk\.denyCoins/);
  });

  it("examples/cron-sweep.sh logs the JSON report with a timestamp and passes the exit code on", async () => {
    // Asynchronously: the simulator answers from this process's event loop.
    const r = await run(
      "bash",
      [join(ROOT, "examples/cron-sweep.sh"), leader, ...defaultsBeside(SETTINGS, LATER), ...LATER],
      {
        env: {
          ...cleanEnv({ HLCOPY_CONFIG_DIR: configDir, HLCOPY_AGENT_KEY: agentKey, HLCOPY_ACCOUNT: follower }),
          HLCOPY_BIN: `${process.execPath} ${BIN} --network ${sim.httpUrl}`,
        },
      },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d{4}-\d\d-\d\dT[\d:]+Z \{"ts":\d+,"type":"reconcile","leader":/);
    expect(r.stderr).toBe("");
  });

  it("refuses bad input with exit 2 and sends nothing", async () => {
    // An exchange that answers 500 to every read: one error line, a hint, exit 1, nothing sent.
    const history = sim.control.orderHistory(follower).length;
    // (Start-up reads retry transient failures for exec.startupTimeoutSeconds: shortened here.)
    const downDir = tempDir();
    await runCli(["config", "set", "exec.startupTimeoutSeconds", "1"], {
      env: { HLCOPY_CONFIG_DIR: downDir },
    });
    sim.control.fault({ kind: "http500", count: 100_000, endpoint: "info", stage: "before" });
    const down = await reconcile([...LATER, "--startup-timeout-seconds", "1"], {
      HLCOPY_CONFIG_DIR: downDir,
    });
    sim.control.reset();
    expect(sim.control.orderHistory(follower).length).toBe(history);
    expect(down.code).toBe(1);
    // What it waited for (stderr), then one error document and nothing else (stdout).
    expect(down.stderr).toMatch(/^(warning: waiting for .*\n)*$/);
    expect(down.said).toMatch(/^error: .*\nhint: [^\n]*\n$/);
    const orders = sim.control.stats().actionByType.order ?? 0;
    const badLeader = await runCli(["--network", sim.httpUrl, "--account", follower, "reconcile", "0x123"], {
      env: { HLCOPY_CONFIG_DIR: configDir, HLCOPY_AGENT_KEY: agentKey },
    });
    expect(badLeader.code).toBe(2);
    expect(badLeader.stderr).toMatch(/^error: invalid leader address "0x123".*\nhint: /);
    const noKey = await runCli(["--network", sim.httpUrl, "--account", follower, "reconcile", leader], {
      env: { HLCOPY_CONFIG_DIR: tempDir() },
    });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/^error: .*\nhint: /);
    const self = await runCli(["--network", sim.httpUrl, "--account", follower, "reconcile", follower], {
      env: { HLCOPY_CONFIG_DIR: configDir, HLCOPY_AGENT_KEY: agentKey },
    });
    expect(self.code).toBe(2);
    expect(self.stderr).toContain("is your own account");
    // Our own agent as the leader: said to be the agent, not "has never traded".
    const { privateKeyToAddress } = await import("viem/accounts");
    const ownAgent = privateKeyToAddress(agentKey).toLowerCase();
    const agentAsLeader = await runCli(
      ["--network", sim.httpUrl, "--account", follower, "reconcile", ownAgent],
      {
        env: { HLCOPY_CONFIG_DIR: configDir, HLCOPY_AGENT_KEY: agentKey },
      },
    );
    expect(agentAsLeader.code).toBe(2);
    expect(agentAsLeader.stderr).toMatch(/^error: the leader 0x[0-9a-f]{40} is your agent wallet.*\nhint: /);
    const { generatePrivateKey } = await import("viem/accounts");
    const unapproved = await runCli(["--network", sim.httpUrl, "--account", follower, "reconcile", leader], {
      env: { HLCOPY_CONFIG_DIR: configDir, HLCOPY_AGENT_KEY: generatePrivateKey() },
    });
    expect(unapproved.code).toBe(2);
    expect(unapproved.stderr).toMatch(
      /^error: agent 0x[0-9a-f]{40} is not approved for .*\nhint: approve it: hlcopy .*agent approve/,
    );
    // A dry run answers "what would a live run do now?": with that agent, be refused — said,
    // the plan still shown (it needs no key and sends nothing); with an approved one, nothing said.
    const unapprovedPreview = await reconcile(["--dry-run"], { HLCOPY_AGENT_KEY: generatePrivateKey() });
    expect(unapprovedPreview.report?.actions.length).toBeGreaterThan(0);
    expect(unapprovedPreview.stderr).toMatch(
      /^warning: a live run would be refused now: agent 0x[0-9a-f]{40} is not approved for .*; approve it: hlcopy .*agent approve/,
    );
    const approvedPreview = await reconcile(["--dry-run"]);
    expect(approvedPreview.report?.actions.length).toBeGreaterThan(0);
    expect(approvedPreview.stderr).not.toMatch(/would be refused/);
    // A key a live run would refuse before the approval is even asked (malformed here) is said too.
    const malformedPreview = await reconcile(["--dry-run"], { HLCOPY_AGENT_KEY: "abc" });
    expect(malformedPreview.report?.actions.length).toBeGreaterThan(0);
    expect(malformedPreview.stderr).toMatch(
      /^warning: a live run would be refused now: HLCOPY_AGENT_KEY is not a private key.*; set HLCOPY_AGENT_KEY to the agent.s private key/,
    );
    const negative = await reconcile(["--max-leverage", "-1"]);
    expect(negative.code).toBe(2);
    expect(sim.control.stats().actionByType.order ?? 0).toBe(orders);
  });

  it("a drawdown past risk.maxDrawdownPct flattens reduce-only, halts (exit 4) and stays halted", async () => {
    expect((await reconcile(LATER)).code).toBe(0);
    const btc = sim.control.mid("BTC") ?? 0;
    sim.control.setMid("BTC", btc * 0.95); // we are long ~2× equity in BTC: ≈ −10%
    const r = await reconcile([...LATER, "--max-drawdown-pct", "5"]);
    expect(r.code).toBe(4);
    expect(r.report?.halted).toBe(true);
    // Which halt, as status says it: scripts and the text tell a kill switch from a flatten.
    expect(r.report?.halt).toEqual({ kind: "kill-switch", reason: expect.stringContaining("drawdown") });
    expect(r.report?.actions.length).toBeGreaterThan(0);
    for (const a of r.report?.actions ?? []) {
      expect(a.reduceOnly).toBe(true);
      expect(a.reason).toBe("kill-switch");
    }
    expect(await ours()).toEqual({});
    // The halt is in the journal: the next run sends nothing and still exits 4.
    const next = await reconcile(LATER);
    expect(next.code).toBe(4);
    expect(next.report?.actions).toEqual([]);
  });

  it("leaves no trace of the agent key in the journal, the lock or anything else it wrote", async () => {
    const { readdirSync, readFileSync } = await import("node:fs");
    const secret = agentKey.slice(2).toLowerCase();
    const files = readdirSync(configDir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile());
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const bytes = readFileSync(join(f.parentPath, f.name));
      expect(bytes.toString("latin1").toLowerCase()).not.toContain(secret);
      expect(bytes.toString("hex")).not.toContain(secret);
    }
  });

  it("a second run while one holds the account's lock exits 1 naming the holder's pid", async () => {
    const { acquireLock } = await import("../../src/store/lock.js");
    const locks = tempDir();
    const network = { name: sim.httpUrl, httpUrl: sim.httpUrl };
    const lock = acquireLock({
      dir: locks,
      network,
      account: follower,
      configDir: "/elsewhere",
      command: "follow",
    });
    try {
      const orders = sim.control.stats().actionByType.order ?? 0;
      // A process of its own: the lock is this one's (the test's).
      const r = await reconcile(LATER, { HLCOPY_LOCK_DIR: locks }, spawnCli);
      expect(r.code).toBe(1);
      expect(r.said).toContain(String(process.pid));
      expect(r.said).toContain("config dir /elsewhere");
      expect(r.said).toMatch(/\nhint: /);
      expect(sim.control.stats().actionByType.order ?? 0).toBe(orders);
    } finally {
      lock.release();
    }
  });
});
