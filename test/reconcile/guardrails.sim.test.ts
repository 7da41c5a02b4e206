// Real-money guardrails, as a trader meets them: the real binary against a simulator of its
// own per test. hlcopy refuses what looks wrong before a single order (a leader that never
// traded, positions it did not open, a first run or a large move without a yes), keeps
// join new-only across cron runs, and never copies a leader's cash flow as a trade.

import { privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import type { ReconcileReport } from "../../src/cli/reconcile/run.js";
import type { Address } from "../../src/core/types.js";
import type { HlClient } from "../../src/exchange/index.js";
import { journalPath, openJournal } from "../../src/store/journal.js";
import { agentKeystorePath, encryptKeystore, writeKeystore } from "../../src/store/keystore.js";
import { action, eventually } from "../exchange/helpers.js";
import { spawnFollow } from "../follow/helpers.js";
import { runCli } from "../helpers/cli.js";
import { reconcileWorld } from "../helpers/reconcile-world.js";

/** A simulator with a funded leader, a follower with an approved agent, and a config dir. */
async function world(followerUsd = 10_000) {
  const base = await reconcileWorld({ seed: 77, ourUsd: followerUsd });
  const { sim } = base;
  const l = base.leaderAccount;
  const leaderClient = base.leaderClient;
  const f = { master: base.master, agentKey: base.agentKey };
  const follower = base.account;
  const followerClient = base.ours;
  const dir = base.env.HLCOPY_CONFIG_DIR;

  async function trade(c: HlClient, coin: string, side: "buy" | "sell", usd: number, reduceOnly = false) {
    const markets = await c.getMarkets();
    const m = markets[coin];
    if (!m) throw new Error(coin);
    const size = Number((usd / m.mid).toFixed(m.szDecimals));
    const [r] = await c.placeOrders([action(markets, coin, side, size, { reduceOnly })], markets);
    expect(r?.status).toBe("filled");
  }
  async function positions(address: Address): Promise<Record<string, number>> {
    const s = await followerClient.getAccountState(address);
    return Object.fromEntries(Object.values(s.positions).map((p) => [p.coin, p.size]));
  }
  async function reconcile(args: string[], leader: Address = l.address) {
    const r = await runCli(
      ["--network", sim.httpUrl, "--account", follower, "--json", "reconcile", leader, ...args],
      {
        env: { HLCOPY_CONFIG_DIR: dir, HLCOPY_AGENT_KEY: f.agentKey },
      },
    );
    const last = r.stdout.trim().split("\n").at(-1) ?? "";
    const doc = last.startsWith("{") ? (JSON.parse(last) as { type: string }) : null;
    // --json: a refusal is one error document instead of the report.
    const error = doc?.type === "error" ? (doc as unknown as { message: string; hint?: string }) : null;
    const report = doc && !error ? (doc as unknown as ReconcileReport) : null;
    // The refusal in the contract's two lines, as a run without --json prints them on stderr.
    const said = error ? `error: ${error.message}\n${error.hint ? `hint: ${error.hint}\n` : ""}` : "";
    return { ...r, report, error, said };
  }
  const ordersSent = () => sim.control.orderHistory(follower).length;
  return {
    sim,
    leader: l.address,
    follower,
    agentKey: f.agentKey,
    dir,
    leaderClient,
    followerClient,
    trade,
    positions,
    reconcile,
    ordersSent,
    masterKey: f.master.key,
  };
}

const COPY = ["--mode", "fixed-ratio", "--ratio", "0.01", "--max-leverage", "5"];

describe("a leader that never traded", () => {
  it("is refused before any order, and the account keeps its positions", async () => {
    const w = await world();
    await w.trade(w.leaderClient, "ETH", "buy", 200_000);
    expect((await w.reconcile([...COPY, "--yes"])).code).toBe(0);
    const before = await w.positions(w.follower);
    expect(before.ETH).toBeGreaterThan(0);
    const sent = w.ordersSent();

    const typo = `0x${"ab".repeat(20)}` as Address;
    const r = await w.reconcile([...COPY, "--yes"], typo);
    expect(r.code).toBe(2);
    expect(r.error?.message).toContain(`${typo} has never traded on`);
    expect(r.error?.hint).toMatch(/--allow-empty-leader/);
    expect(w.ordersSent()).toBe(sent);
    expect(await w.positions(w.follower)).toEqual(before);
    // Nor does the refusal leave a run in the journal: status still names the last real run.
    const journal = openJournal(journalPath(w.dir, w.follower, w.sim.httpUrl));
    expect(journal.lastRun()).toMatchObject({ command: "reconcile", exitCode: 0 });
    journal.close();
  });

  it("holding money does not vouch for it: a funded address that never traded is refused alike, and --allow-empty-leader waits for it", async () => {
    const w = await world();
    await w.trade(w.leaderClient, "ETH", "buy", 200_000);
    expect((await w.reconcile([...COPY, "--yes"])).code).toBe(0);
    const before = await w.positions(w.follower);
    expect(before.ETH).toBeGreaterThan(0);
    const sent = w.ordersSent();
    // The trader's other wallet, an exchange's deposit address: money, no position, no fill.
    const funded = `0x${"a1".repeat(20)}` as Address;
    w.sim.control.fund(funded, 50_000);
    const r = await w.reconcile([...COPY, "--yes"], funded);
    expect(r.code).toBe(2);
    expect(r.error?.message).toBe(
      `${funded} has never traded on ${w.sim.httpUrl}: check the address (it holds $50,000.00, but no position and no fill)`,
    );
    expect(r.error?.hint).toContain("--allow-empty-leader");
    expect(w.ordersSent()).toBe(sent);
    expect(await w.positions(w.follower)).toEqual(before);
    // A dry run alike; and in a follow of several leaders each is checked: the one that traded
    // does not carry the other.
    const dry = await w.reconcile([...COPY, "--dry-run"], funded);
    expect(dry.code).toBe(2);
    expect(dry.error?.message).toBe(r.error?.message);
    const both = await runCli(
      [
        "--network",
        w.sim.httpUrl,
        "--account",
        w.follower,
        "follow",
        w.leader,
        funded,
        ...COPY,
        "--yes",
        "--no-ui",
      ],
      { env: { HLCOPY_CONFIG_DIR: w.dir, HLCOPY_AGENT_KEY: w.agentKey } },
    );
    expect(both.code).toBe(2);
    expect(both.stderr).toContain(`error: ${funded} has never traded on ${w.sim.httpUrl}`);
    expect(w.ordersSent()).toBe(sent);
    // Asked for, it is copied as what it is (no position): a dry run says it would close ours
    // (exit 3: drift remains).
    const allowed = await w.reconcile([...COPY, "--dry-run", "--allow-empty-leader"], funded);
    expect(allowed.code).toBe(3);
    expect(allowed.report?.actions.some((a) => a.coin === "ETH")).toBe(true);
    // The flag was needed here: no note that it did nothing.
    expect(allowed.stderr).not.toContain("nothing to allow");
    expect(w.ordersSent()).toBe(sent);
  });

  it("a leader flat between trades is not one: its fills are on record, and its flat is copied", async () => {
    const w = await world();
    await w.trade(w.leaderClient, "ETH", "buy", 200_000);
    expect((await w.reconcile([...COPY, "--yes"])).code).toBe(0);
    await w.trade(w.leaderClient, "ETH", "sell", 200_000, true);
    const r = await w.reconcile([...COPY, "--yes"]);
    expect(r.error).toBeNull();
    expect(r.code).toBe(0);
    expect(await w.positions(w.follower)).toEqual({});
  });

  it("follow refuses it too, with exit 2 and nothing sent", async () => {
    const w = await world();
    const typo = `0x${"cd".repeat(20)}` as Address;
    const r = await runCli(
      ["--network", w.sim.httpUrl, "--account", w.follower, "follow", typo, ...COPY, "--yes", "--no-ui"],
      { env: { HLCOPY_CONFIG_DIR: w.dir, HLCOPY_AGENT_KEY: w.agentKey } },
    );
    expect(r.code).toBe(2);
    expect(w.ordersSent()).toBe(0);
    // No figures from a run that never read the account (an "equity $0.00" line meant nothing).
    expect(r.stdout).not.toMatch(/ state equity /);
    // Said once: the stop line says how the run ended, stderr why and what to do.
    expect(r.stdout).toMatch(/ stop: could not start\n$/);
    expect(r.stderr).toBe(
      `error: ${typo} has never traded on ${w.sim.httpUrl}: check the address\nhint: copy an address that trades (hlcopy inspect <address> shows its history), or pass --allow-empty-leader to wait for its first trade\n`,
    );
    expect(`${r.stdout}${r.stderr}`.split("has never traded")).toHaveLength(2);
  });

  it("with --json, follow and reconcile print one error document and nothing else", async () => {
    const w = await world();
    const typo = `0x${"ef".repeat(20)}` as Address;
    const env = { HLCOPY_CONFIG_DIR: w.dir, HLCOPY_AGENT_KEY: w.agentKey };
    for (const args of [
      ["follow", typo, ...COPY, "--yes"],
      ["follow", typo, ...COPY, "--dry-run"],
      ["reconcile", typo, ...COPY, "--yes"],
      ["reconcile", typo, ...COPY, "--dry-run"],
    ]) {
      const r = await runCli(["--network", w.sim.httpUrl, "--account", w.follower, "--json", ...args], {
        env,
      });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toBe("");
      const lines = r.stdout.trim().split("\n");
      expect(lines, args.join(" ")).toHaveLength(1);
      expect(JSON.parse(lines[0] ?? "")).toEqual({
        ts: expect.any(Number),
        type: "error",
        message: `${typo} has never traded on ${w.sim.httpUrl}: check the address`,
        hint: expect.stringContaining("--allow-empty-leader"),
        fatal: true,
      });
    }
    expect(w.ordersSent()).toBe(0);
  });

  it("with the key in the keystore, the address is refused before the passphrase is asked; a good leader then asks for it and trades", async () => {
    const w = await world();
    const pass = "tide-lamp-orbit-93";
    await writeKeystore(agentKeystorePath(w.dir), await encryptKeystore(w.agentKey, pass, { scryptN: 1024 }));
    const typo = `0x${"cd".repeat(20)}` as Address;
    const env = { HLCOPY_CONFIG_DIR: w.dir };
    // No passphrase anywhere (stdin ends at once): the refusal is the leader's, not "no passphrase".
    for (const args of [
      ["reconcile", typo, ...COPY, "--yes"],
      ["follow", typo, ...COPY, "--yes", "--no-ui"],
    ]) {
      const r = await runCli(["--network", w.sim.httpUrl, "--account", w.follower, ...args], { env });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`error: ${typo} has never traded on`);
      expect(r.stderr).not.toMatch(/passphrase/i);
    }
    // A wrong passphrase, after the checks: exit 2, nothing sent, no run left behind.
    await w.trade(w.leaderClient, "ETH", "buy", 200_000);
    const wrong = await runCli(
      ["--network", w.sim.httpUrl, "--account", w.follower, "reconcile", w.leader, ...COPY, "--yes"],
      {
        env,
        input: "not-the-passphrase\n",
      },
    );
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/wrong passphrase/i);
    expect(w.ordersSent()).toBe(0);
    const journal = openJournal(journalPath(w.dir, w.follower, w.sim.httpUrl), { writes: "memory" });
    expect(journal.lastRun()).toBeNull();
    journal.close();
    // The right one (piped, one line): the run opens the key and trades.
    const ok = await runCli(
      [
        "--network",
        w.sim.httpUrl,
        "--account",
        w.follower,
        "--json",
        "reconcile",
        w.leader,
        ...COPY,
        "--yes",
      ],
      {
        env,
        input: `${pass}\n`,
      },
    );
    expect(ok.code).toBe(0);
    expect(w.ordersSent()).toBeGreaterThan(0);
    expect((await w.positions(w.follower)).ETH).toBeGreaterThan(0);
  });

  it("--allow-empty-leader is the trader's explicit choice: the run goes ahead", async () => {
    const w = await world();
    const typo = `0x${"ef".repeat(20)}` as Address;
    const r = await w.reconcile([...COPY, "--allow-empty-leader"], typo);
    expect(r.code).toBe(0);
    expect(r.report?.inSync).toBe(true);
  });
});

describe("a run that sizes the copy otherwise than the last one", () => {
  it("is told before it plans: the cron line without the follow's flags would resize every position", async () => {
    const w = await world();
    await w.trade(w.leaderClient, "ETH", "buy", 200_000);
    expect((await w.reconcile([...COPY, "--yes"])).code).toBe(0);
    // The same leader without the flags: the config file's default sizing (equity-ratio).
    const other = await w.reconcile(["--dry-run"]);
    expect(other.stderr).toMatch(
      /^warning: the last reconcile of these leaders \(started \d{4}-\d\d-\d\d \d\d:\d\d UTC\) sized by fixed-ratio ratio 0\.01; this run sizes by equity-ratio multiplier 1 — its positions will be traded to this size \(flags are not stored: hlcopy config set keeps a size for every run\)$/m,
    );
    // The same sizing again, or another leader: nothing to tell.
    expect((await w.reconcile([...COPY, "--dry-run"])).stderr).not.toMatch(/sized by/);
    expect(
      (await w.reconcile(["--dry-run", "--allow-empty-leader"], `0x${"ef".repeat(20)}`)).stderr,
    ).not.toMatch(/sized by/);
  });
});

describe("an --account that cannot be the trading account", () => {
  it("the agent's own address is refused with the way forward (exit 2, nothing sent); an address the exchange does not know is told", async () => {
    const w = await world();
    await w.trade(w.leaderClient, "ETH", "buy", 200_000);
    const agent = privateKeyToAccount(w.agentKey).address;
    const typo = `0x${"ab".repeat(20)}`;
    const dryRun = (account: string) =>
      runCli(
        ["--network", w.sim.httpUrl, "--account", account, "reconcile", w.leader, ...COPY, "--dry-run"],
        {
          env: { HLCOPY_CONFIG_DIR: w.dir },
        },
      );
    const asAgent = await dryRun(agent);
    expect(asAgent.code).toBe(2);
    expect(asAgent.stderr).toBe(
      `error: ${agent.toLowerCase()} is an API wallet (agent) of ${w.follower.toLowerCase()}, not a trading account\nhint: --account takes the master account the agent trades for: --account ${w.follower.toLowerCase()} (or hlcopy config set account ${w.follower.toLowerCase()})\n`,
    );
    // An address the exchange does not know has nothing to copy with: refused, dry run too.
    const unknown = await dryRun(typo);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(
      `error: ${typo} is not an account on ${w.sim.httpUrl} (no funds, no history): nothing to copy with\nhint: check --account (the master account that holds your funds), or deposit USDC to it first\n`,
    );
    // The master itself, empty or not, is a trading account.
    expect((await dryRun(w.follower)).code).not.toBe(2);
    expect(w.ordersSent()).toBe(0);
  });
});

describe("positions hlcopy did not open", () => {
  it("are listed and refused; --deny-coins leaves them out; --adopt manages them", async () => {
    const w = await world();
    await w.trade(w.leaderClient, "ETH", "buy", 200_000);
    await w.trade(w.followerClient, "BTC", "buy", 1_000); // the trader's own position
    const manual = (await w.positions(w.follower)).BTC;

    const refused = await w.reconcile([...COPY, "--yes"]);
    expect(refused.code).toBe(2);
    expect(refused.said).toMatch(/^error: 0x[0-9a-f]{40} holds position\(s\) hlcopy did not open: BTC \+/);
    expect(refused.said).toMatch(/\nhint: .*--adopt.*--deny-coins BTC.*sub-account/);
    expect(w.ordersSent()).toBe(1); // only the trader's own order

    // Left out: the copy goes ahead and BTC is not touched.
    const denied = await w.reconcile([...COPY, "--yes", "--deny-coins", "BTC"]);
    expect(denied.code).toBe(0);
    expect(await w.positions(w.follower)).toMatchObject({ BTC: manual, ETH: expect.any(Number) });

    // Adopted: managed as part of the copy, so the leader (no BTC) means close it.
    const adopted = await w.reconcile([...COPY, "--yes", "--adopt"]);
    expect(adopted.code).toBe(0);
    expect(adopted.report?.actions.map((a) => [a.coin, a.reason, a.status])).toEqual([
      ["BTC", "close", "filled"],
    ]);
    expect((await w.positions(w.follower)).BTC).toBeUndefined();

    // From now on hlcopy knows its own positions: the next run needs no --adopt.
    expect((await w.reconcile([...COPY])).code).toBe(0);
  });

  it("--adopt says 'adopted' only once it is recorded: not before a wrong passphrase, 'would' in a dry run", async () => {
    const w = await world();
    await w.trade(w.leaderClient, "ETH", "buy", 200_000);
    await w.trade(w.followerClient, "BTC", "buy", 1_000); // the trader's own position
    const pass = "tide-lamp-orbit-93";
    await writeKeystore(agentKeystorePath(w.dir), await encryptKeystore(w.agentKey, pass, { scryptN: 1024 }));
    const run = (args: string[], passphrase?: string) =>
      runCli(["--network", w.sim.httpUrl, "--account", w.follower, "reconcile", w.leader, ...COPY, ...args], {
        env: { HLCOPY_CONFIG_DIR: w.dir, ...(passphrase ? { HLCOPY_PASSPHRASE: passphrase } : {}) },
      });

    // A dry run records nothing: it says what a live run would do.
    const dry = await run(["--adopt", "--dry-run"]);
    expect(dry.code).toBe(3); // orders planned, none sent: drift remains
    expect(dry.stderr).toMatch(
      /^would adopt position\(s\) hlcopy did not open: BTC \+[\d.]+ \(a live run manages them/m,
    );
    expect(dry.stderr).not.toMatch(/^adopted/m);
    expect(dry.stderr).not.toContain("nothing to adopt");

    // The passphrase is asked after the start checks: wrong, nothing is kept — nor said.
    const wrong = await run(["--adopt", "--yes"], "not-the-passphrase");
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/^error: wrong passphrase/m);
    expect(wrong.stderr).not.toContain("adopt");
    expect(w.ordersSent()).toBe(1); // only the trader's own order
    // Still not hlcopy's: a run without --adopt refuses it as before.
    expect((await w.reconcile([...COPY, "--yes"])).code).toBe(2);

    // Right: recorded, then said.
    const right = await run(["--adopt", "--yes"], pass);
    expect(right.code).toBe(0);
    expect(right.stderr).toMatch(
      /^adopted position\(s\) hlcopy did not open: BTC \+[\d.]+ \(managed as part of the copy from now on\)$/m,
    );
    expect((await w.reconcile([...COPY])).code).toBe(0);
  });

  it("--adopt and --allow-empty-leader with nothing to permit are said once, not refused (cron passes them always)", async () => {
    // Seen: both flags taken in silence where they did nothing — a trader reading the run could
    // not tell a flag that acted from one that only permitted. Refusing would break cron scripts.
    const w = await world();
    await w.trade(w.leaderClient, "ETH", "buy", 200_000);
    const adopt =
      "--adopt: nothing to adopt — the account holds no position this run copies that hlcopy did not open (the flag permits, it changed nothing)";
    const allow =
      "--allow-empty-leader: nothing to allow — the leader holds positions (the flag permits copying a leader with none and no fill on record; it changed nothing)";
    const flags = ["--adopt", "--allow-empty-leader"];
    const text = (args: string[]) =>
      runCli(["--network", w.sim.httpUrl, "--account", w.follower, "reconcile", w.leader, ...COPY, ...args], {
        env: { HLCOPY_CONFIG_DIR: w.dir, HLCOPY_AGENT_KEY: w.agentKey },
      });
    const lines = (stderr: string) => stderr.split("\n").filter((l) => l.includes("nothing to"));
    // A dry run (text): one line each on stderr, the report on stdout.
    const dry = await text([...flags, "--dry-run"]);
    expect(dry.code).toBe(3);
    expect(lines(dry.stderr)).toEqual([allow, adopt]);
    // Live (--json): the same lines on stderr, as every notice of reconcile; stdout the report,
    // which carries them too (a script reading the document misses none of it).
    const live = await w.reconcile([...flags, "--yes"]);
    expect(live.code).toBe(0);
    expect(live.report?.inSync).toBe(true);
    expect(lines(live.stderr)).toEqual([allow, adopt]);
    expect(live.report?.notices).toEqual([
      { kind: "unneeded-flag", message: allow },
      { kind: "unneeded-flag", message: adopt },
    ]);
    expect(live.report?.warnings).toEqual([]);
    // Without the flags: nothing said.
    const plain = await text(["--yes"]);
    expect(plain.code).toBe(0);
    expect(lines(plain.stderr)).toEqual([]);
    // follow --json: a `notice` line each (kind unneeded-flag), as every notice of a follow.
    const run = spawnFollow({
      httpUrl: w.sim.httpUrl,
      account: w.follower,
      leader: w.leader,
      configDir: w.dir,
      extra: [...flags, ...COPY, "--dry-run"],
    });
    try {
      await run.until(() => run.sweeps() >= 1);
      expect(
        run.lines.filter((l) => l.type === "notice" && l.kind === "unneeded-flag").map((l) => l.message),
      ).toEqual([allow, adopt]);
    } finally {
      run.child.kill("SIGTERM");
      await run.exit;
    }
  });

  it("follow --adopt manages them for the whole run, not only its start: the close is sent", async () => {
    const w = await world();
    await w.trade(w.leaderClient, "ETH", "buy", 200_000);
    await w.trade(w.followerClient, "BTC", "buy", 1_000); // the trader's own position
    const run = spawnFollow({
      httpUrl: w.sim.httpUrl,
      account: w.follower,
      leader: w.leader,
      configDir: w.dir,
      agentKey: w.agentKey,
      extra: ["--adopt", "--max-leverage", "5", "--sweep-seconds", "1"],
    });
    try {
      // Adopted at the start, then still managed by the run's sweeps: the leader holds no BTC,
      // so it is closed — never "changed outside hlcopy" and skipped not-ours.
      await eventually(
        () => run.lines.some((l) => l.type === "order" && l.coin === "BTC" && l.status === "filled"),
        30_000,
      );
      await eventually(() => run.lines.filter((l) => l.type === "sweep").length >= 2, 30_000);
      expect(run.lines.some((l) => l.type === "notice" && l.kind === "adopted")).toBe(true);
      expect(
        run.lines.some((l) => l.type === "warning" && String(l.message).includes("changed outside hlcopy")),
      ).toBe(false);
      expect((await w.positions(w.follower)).BTC).toBeUndefined();
    } finally {
      run.child.kill("SIGTERM");
      expect(await run.exit).toBe(0);
    }
  });

  it("one left out with --deny-coins has no target in reconcile's table and JSON, nor in status", async () => {
    const w = await world();
    await w.trade(w.leaderClient, "ETH", "buy", 200_000);
    await w.trade(w.followerClient, "BTC", "buy", 1_000);
    const args = [...COPY, "--deny-coins", "BTC"];
    const run = await w.reconcile([...args, "--yes"]);
    expect(run.code).toBe(0);
    const btc = run.report?.drift.find((d) => d.coin === "BTC");
    // Our own size under "target" would read as "hlcopy wants this".
    // Nor a drift figure: 0 would read "in sync" for a position hlcopy does not size.
    expect(btc).toMatchObject({
      status: "left-alone",
      reason: "coin-denied",
      targetSize: null,
      driftUsd: null,
    });
    expect(btc?.ourSize).toBeGreaterThan(0);
    expect(run.report?.drift.find((d) => d.coin === "ETH")?.targetSize).toBeGreaterThan(0);

    const env = { env: { HLCOPY_CONFIG_DIR: w.dir, HLCOPY_AGENT_KEY: w.agentKey } };
    const base = ["--network", w.sim.httpUrl, "--account", w.follower];
    const row = (out: string, coin: string) =>
      out
        .split("\n")
        .find((l) => l.startsWith(`│ ${coin} `))
        ?.split("│")
        .map((c) => c.trim())
        .slice(1, -1);
    const dry = await runCli([...base, "reconcile", w.leader, ...args, "--dry-run"], env);
    expect(dry.code).toBe(0);
    // coin, leader, target, ours, drift $, action
    // The leader holds none: "-", as in status and on the dashboard.
    expect(row(dry.stdout, "BTC")?.slice(0, 5)).toEqual(["BTC", "-", "-", String(btc?.ourSize), "-"]);

    const status = await runCli([...base, "status"], env);
    // coin, leader, target, ours, drift $, drift%, drift; the reason under the table (80 columns)
    expect(row(status.stdout, "BTC")?.slice(0, 7)).toEqual([
      "BTC",
      "-",
      "-",
      String(btc?.ourSize),
      "-",
      "-",
      "left-alone",
    ]);
    expect(status.stdout).toMatch(/\nreasons: (.* · )?BTC coin-denied( · .*)?\n/);
    const json = await runCli([...base, "--json", "status"], env);
    const doc = JSON.parse(json.stdout) as {
      positions: {
        coin: string;
        targetSize: number | null;
        driftUsd: number | null;
        driftPct: number | null;
      }[];
    };
    expect(doc.positions.find((p) => p.coin === "BTC")).toMatchObject({
      targetSize: null,
      driftUsd: null,
      driftPct: null,
    });
  });

  it("one left out with --deny-coins stays the trader's: the next run without it refuses it, never closes it", async () => {
    const w = await world();
    await w.trade(w.leaderClient, "ETH", "buy", 200_000);
    await w.trade(w.followerClient, "AVAX", "buy", 300); // the trader's own position
    const manual = (await w.positions(w.follower)).AVAX;
    expect((await w.reconcile([...COPY, "--yes", "--deny-coins", "AVAX"])).code).toBe(0);
    const sent = w.ordersSent();

    // Left out for one run is not adopted: a plain dry run refuses it as before…
    const dry = await w.reconcile([...COPY, "--dry-run"]);
    expect(dry.code).toBe(2);
    expect(dry.said).toMatch(/hlcopy did not open: AVAX \+/);
    // …and so does a cron run (no terminal, no --yes): nothing sold.
    const cron = await w.reconcile(COPY);
    expect(cron.code).toBe(2);
    expect(cron.said).toMatch(/hlcopy did not open: AVAX \+/);
    expect(w.ordersSent()).toBe(sent);
    expect((await w.positions(w.follower)).AVAX).toBe(manual);
  });

  it("one left out by follow --deny-coins stays the trader's after the follow ends", async () => {
    const w = await world();
    await w.trade(w.leaderClient, "ETH", "buy", 200_000);
    await w.trade(w.followerClient, "BTC", "buy", 1_000); // the trader's own position
    const manual = (await w.positions(w.follower)).BTC;
    const run = spawnFollow({
      httpUrl: w.sim.httpUrl,
      account: w.follower,
      leader: w.leader,
      configDir: w.dir,
      agentKey: w.agentKey,
      extra: ["--deny-coins", "BTC", "--max-leverage", "5", "--sweep-seconds", "1"],
    });
    try {
      // Two sweeps: each saves what hlcopy manages.
      await eventually(() => run.lines.filter((l) => l.type === "sweep").length >= 2, 30_000);
    } finally {
      run.child.kill("SIGTERM");
      expect(await run.exit).toBe(0);
    }
    const sent = w.ordersSent();
    const next = await w.reconcile([...COPY, "--yes"]);
    expect(next.code).toBe(2);
    expect(next.said).toMatch(/hlcopy did not open: BTC \+/);
    expect(w.ordersSent()).toBe(sent);
    expect((await w.positions(w.follower)).BTC).toBe(manual);
  });

  it("a coin hlcopy opened and a later run left out is still its own when no longer left out", async () => {
    const w = await world();
    await w.trade(w.leaderClient, "ETH", "buy", 200_000);
    await w.trade(w.leaderClient, "BTC", "buy", 200_000);
    expect((await w.reconcile([...COPY, "--yes"])).code).toBe(0);
    expect((await w.reconcile([...COPY, "--deny-coins", "BTC"])).code).toBe(0);
    // The leader closes BTC: the copy's BTC is hlcopy's, so it follows without --adopt.
    const btc = (await w.leaderClient.getAccountState(w.leader)).positions.BTC?.size ?? 0;
    await w.trade(w.leaderClient, "BTC", "sell", btc * (w.sim.control.mid("BTC") ?? 0), true);
    const r = await w.reconcile(COPY);
    expect(r.code).toBe(0);
    expect(r.report?.actions.map((a) => [a.coin, a.reason])).toEqual([["BTC", "close"]]);
  });

  it("a position the trader adds to between two cron runs is refused again", async () => {
    const w = await world();
    await w.trade(w.leaderClient, "ETH", "buy", 200_000);
    expect((await w.reconcile([...COPY, "--yes"])).code).toBe(0);
    await w.trade(w.followerClient, "ETH", "buy", 500);
    const r = await w.reconcile([...COPY, "--yes"]);
    expect(r.code).toBe(2);
    expect(r.said).toContain("hlcopy did not open: ETH");
  });

  it("a position partly hlcopy's is said by its parts wherever it is named: the refusal, the review, status, adoption", async () => {
    const w = await world();
    await w.trade(w.leaderClient, "ETH", "buy", 200_000);
    expect((await w.reconcile([...COPY, "--yes"])).code).toBe(0);
    const ours = (await w.positions(w.follower)).ETH ?? 0;
    expect(ours).toBeGreaterThan(0);
    await w.trade(w.followerClient, "ETH", "buy", 500); // the trader adds to hlcopy's ETH by hand
    const total = (await w.positions(w.follower)).ETH ?? 0;
    const hand = Math.round((total - ours) * 1e8) / 1e8;
    expect(hand).toBeGreaterThan(0);
    // The part by hand, then the whole and hlcopy's part (core/ownership.ts foreignText).
    const parts = `ETH +${hand} (of +${total}; hlcopy's +${ours})`;
    // The leader closes ETH: adopted, the close sells the trader's part too.
    const leaderEth = (await w.leaderClient.getAccountState(w.leader)).positions.ETH?.size ?? 0;
    await w.trade(w.leaderClient, "ETH", "sell", leaderEth * (w.sim.control.mid("ETH") ?? 0), true);
    const sent = w.ordersSent();

    const refused = await w.reconcile(COPY);
    expect(refused.code).toBe(2);
    expect(refused.error?.message).toBe(`${w.follower} holds position(s) hlcopy did not open: ${parts}`);

    // --adopt without a terminal or --yes: the review names what the close touches, by its parts.
    const review = await w.reconcile([...COPY, "--adopt"]);
    expect(review.code).toBe(2);
    expect(review.error?.message).toBe(
      `this run needs your review before it trades: it reduces or closes positions hlcopy did not open: ${parts}`,
    );
    expect(w.ordersSent()).toBe(sent);
    // status says the refusal as the run did (the last live refusal: this reconcile's).
    const status = await runCli(["--network", w.sim.httpUrl, "--account", w.follower, "--json", "status"], {
      env: { HLCOPY_CONFIG_DIR: w.dir },
    });
    const doc = JSON.parse(status.stdout.trim().split("\n").at(-1) ?? "{}") as {
      lastRefusal: { command: string; reason: string } | null;
    };
    expect(doc.lastRefusal).toMatchObject({ command: "reconcile", reason: review.error?.message });

    // Confirmed: closed whole, and adoption says the same parts.
    const r = await runCli(
      [
        "--network",
        w.sim.httpUrl,
        "--account",
        w.follower,
        "reconcile",
        w.leader,
        ...COPY,
        "--adopt",
        "--yes",
      ],
      { env: { HLCOPY_CONFIG_DIR: w.dir, HLCOPY_AGENT_KEY: w.agentKey } },
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      `adopted position(s) hlcopy did not open: ${parts} (managed as part of the copy`,
    );
    expect((await w.positions(w.follower)).ETH).toBeUndefined();
  });

  it("positions hlcopy built over several runs stay its own: its journaled fills count", async () => {
    const w = await world();
    await w.trade(w.leaderClient, "SOL", "buy", 100_000);
    expect((await w.reconcile([...COPY, "--yes"])).code).toBe(0);
    await w.trade(w.leaderClient, "SOL", "buy", 100_000);
    expect((await w.reconcile([...COPY, "--yes"])).code).toBe(0);
    await w.trade(w.leaderClient, "SOL", "sell", 150_000, true);
    const r = await w.reconcile([...COPY]);
    expect(r.code).toBe(0);
    expect(r.report?.actions.map((a) => [a.coin, a.side, a.reduceOnly])).toEqual([["SOL", "sell", true]]);
  });
});

describe("the copy's P&L", () => {
  it("counts hlcopy's own fills and positions only: a hand trade is shown apart, never blamed on the leader", async () => {
    const w = await world();
    await w.trade(w.leaderClient, "ETH", "buy", 200_000);
    expect((await w.reconcile([...COPY, "--yes"])).code).toBe(0);
    // After the copy began the trader buys AVAX by hand, and it gains.
    await w.trade(w.followerClient, "AVAX", "buy", 1_000);
    w.sim.control.setMid("AVAX", (w.sim.control.mid("AVAX") ?? 0) * 1.2);
    expect((await w.reconcile([...COPY, "--yes", "--deny-coins", "AVAX"])).code).toBe(0);

    const env = { env: { HLCOPY_CONFIG_DIR: w.dir, HLCOPY_AGENT_KEY: w.agentKey } };
    const base = ["--network", w.sim.httpUrl, "--account", w.follower, "--json"];
    const journal = openJournal(journalPath(w.dir, w.follower, w.sim.httpUrl));
    const fills = journal.fillsSince(0);
    journal.close();
    const own = fills.filter((f) => f.kind !== null);
    expect(fills.filter((f) => f.kind === null).map((f) => f.coin)).toEqual(["AVAX"]);
    const ownFees = own.reduce((sum, f) => sum + f.fee, 0);

    const status = JSON.parse((await runCli([...base, "status"], env)).stdout) as {
      pnl: {
        fills: number;
        feesUsd: number;
        unrealisedUsd: number;
        byCoin: { coin: string }[];
        byLeader: { unrealisedUsd: number; feesUsd: number }[];
      };
      fills: { total: number; byKind: { other: number; outside: number; liquidation: number } };
    };
    // The hand trade is outside hlcopy, not a liquidation; `other` (deprecated) still counts it.
    expect(status.fills).toMatchObject({
      total: fills.length,
      byKind: { outside: 1, liquidation: 0, other: 1 },
    });
    expect(status.pnl.fills).toBe(own.length);
    expect(status.pnl.feesUsd).toBeCloseTo(ownFees, 6);
    expect(status.pnl.byCoin.map((c) => c.coin)).toEqual(["ETH"]);
    // The hand-bought AVAX's gain is not the leader's.
    expect(status.pnl.byLeader[0]?.unrealisedUsd).toBeCloseTo(status.pnl.unrealisedUsd, 6);
    expect(Math.abs(status.pnl.unrealisedUsd)).toBeLessThan(50);
    expect(status.pnl.byLeader[0]?.feesUsd).toBeCloseTo(ownFees, 6);
    const text = await runCli(base.filter((a) => a !== "--json").concat("status"), env);
    expect(text.stdout).toMatch(
      / · outside hlcopy 1 \(by hand or another bot: not in the copy P&L but for what closed hlcopy's position\)\n/,
    );

    // report: the same fills, the same fees.
    const report = JSON.parse((await runCli([...base, "report"], env)).stdout) as {
      totals: { fills: number; feesUsd: number };
      pnl: { fills: number; feesUsd: number };
    };
    expect(report.totals.fills).toBe(own.length);
    expect(report.totals.feesUsd).toBeCloseTo(ownFees, 6);
    expect(report.pnl).toMatchObject({ fills: status.pnl.fills, feesUsd: status.pnl.feesUsd });
  });
});

describe("status after a flatten with no follow running", () => {
  it("says the drift is unknown, never 'in sync' against a leader view the flatten did not read", async () => {
    const w = await world();
    await w.trade(w.leaderClient, "ETH", "buy", 200_000);
    expect((await w.reconcile([...COPY, "--yes"])).code).toBe(0);
    const env = { env: { HLCOPY_CONFIG_DIR: w.dir, HLCOPY_AGENT_KEY: w.agentKey } };
    const base = ["--network", w.sim.httpUrl, "--account", w.follower];
    expect((await runCli([...base, "flatten", "--yes"], env)).code).toBe(0);
    expect(await w.positions(w.follower)).toEqual({});

    const status = JSON.parse((await runCli([...base, "--json", "status"], env)).stdout) as {
      flattenedAt: number | null;
      drift: unknown;
      lastSweep: unknown;
      positions: unknown[];
      lastRun: { command: string };
    };
    expect(status.lastRun.command).toBe("flatten");
    expect(status.flattenedAt).toEqual(expect.any(Number));
    expect(status.drift).toBeNull();
    expect(status.lastSweep).toBeNull();
    expect(status.positions).toEqual([]);
    const text = await runCli([...base, "status"], env);
    expect(text.stdout).toMatch(/^drift: unknown — the last run was a flatten .*reads no leader/m);
    expect(text.stdout).not.toMatch(/in sync/);
  });
});

describe("review before trading", () => {
  it("the first live run without a terminal is refused with the way forward; --yes sends it", async () => {
    const w = await world();
    await w.trade(w.leaderClient, "ETH", "buy", 100_000);
    const r = await w.reconcile(COPY);
    expect(r.code).toBe(2);
    expect(r.said).toMatch(/^error: this run needs your review before it trades: this is the first live run/);
    expect(r.said).toMatch(/\nhint: see the plan with --dry-run, then run again with --yes/);
    expect(w.ordersSent()).toBe(0);

    const yes = await w.reconcile([...COPY, "--yes"]);
    expect(yes.code).toBe(0);
    expect(yes.report?.actions).toHaveLength(1);

    // Reviewed once: a small follow-up trade needs no yes.
    await w.trade(w.leaderClient, "ETH", "buy", 20_000);
    const next = await w.reconcile(COPY);
    expect(next.code).toBe(0);
    expect(next.report?.actions.map((a) => a.reason)).toEqual(["increase"]);
  });

  it("a plan moving more than exec.confirmAbovePct of equity needs a yes again", async () => {
    const w = await world();
    await w.trade(w.leaderClient, "ETH", "buy", 50_000);
    expect((await w.reconcile([...COPY, "--yes"])).code).toBe(0);
    // $7 200 of our $10 000 (in three trades: the book's depth is finite).
    for (let i = 0; i < 3; i++) await w.trade(w.leaderClient, "BTC", "buy", 240_000);
    const big = await w.reconcile(COPY);
    expect(big.code).toBe(2);
    expect(big.said).toMatch(/of equity \(more than exec\.confirmAbovePct 50%\)/);
    const sent = w.ordersSent();
    expect((await w.reconcile([...COPY, "--confirm-above-pct", "90"])).code).toBe(0);
    expect(w.ordersSent()).toBe(sent + 1);
  });

  it("--yes with --dry-run is a contradiction: exit 2", async () => {
    const w = await world();
    const r = await w.reconcile([...COPY, "--dry-run", "--yes"]);
    expect(r.code).toBe(2);
    expect(r.said).toContain("--yes confirms orders and --dry-run sends none");
  });
});

describe("join new-only across cron runs", () => {
  it("keeps the baseline, copies new positions and adds to them, and a re-opened coin is new", async () => {
    const w = await world();
    const NEW_ONLY = [...COPY, "--join", "new-only", "--yes"];
    await w.trade(w.leaderClient, "BTC", "buy", 300_000); // held before we start
    const first = await w.reconcile(NEW_ONLY);
    expect(first.code).toBe(0);
    expect(first.report?.actions).toEqual([]);
    expect(first.report?.skipped.map((s) => [s.coin, s.reason])).toContainEqual(["BTC", "not-joined"]);

    // A new position is copied, and so is a later add; an add to BTC is not.
    await w.trade(w.leaderClient, "ETH", "buy", 200_000);
    await w.trade(w.leaderClient, "BTC", "buy", 100_000);
    const second = await w.reconcile(NEW_ONLY);
    expect(second.report?.actions.map((a) => [a.coin, a.reason])).toEqual([["ETH", "open"]]);
    await w.trade(w.leaderClient, "ETH", "buy", 200_000);
    expect((await w.reconcile(NEW_ONLY)).report?.actions.map((a) => [a.coin, a.reason])).toEqual([
      ["ETH", "increase"],
    ]);

    // Closed and re-opened between two cron runs: the fills tell, and the new BTC is copied.
    const btc = (await w.leaderClient.getAccountState(w.leader)).positions.BTC?.size ?? 0;
    await w.trade(w.leaderClient, "BTC", "sell", btc * (w.sim.control.mid("BTC") ?? 0), true);
    await w.trade(w.leaderClient, "BTC", "buy", 200_000);
    const reopened = await w.reconcile(NEW_ONLY);
    expect(reopened.report?.actions.map((a) => [a.coin, a.reason])).toEqual([["BTC", "open"]]);
  });
});

describe("a leader's deposits and withdrawals", () => {
  it("leave equity-ratio targets unchanged between two reconcile runs, and the run says it netted them", async () => {
    const w = await world();
    const RATIO = ["--mode", "equity-ratio", "--max-leverage", "5"];
    await w.trade(w.leaderClient, "ETH", "buy", 300_000);
    await w.trade(w.leaderClient, "BTC", "sell", 200_000);
    const first = await w.reconcile([...RATIO, "--yes"]);
    expect(first.code).toBe(0);
    const held = await w.positions(w.follower);

    w.sim.control.fund(w.leader, -400_000); // the leader withdraws 40 %
    const afterWithdrawal = await w.reconcile(RATIO);
    expect(afterWithdrawal.code).toBe(0);
    expect(afterWithdrawal.report?.actions).toEqual([]);
    expect(afterWithdrawal.report?.cashFlows).toEqual([
      { leader: w.leader, usd: -400_000, since: expect.any(Number) },
    ]);
    expect(await w.positions(w.follower)).toEqual(held);

    w.sim.control.fund(w.leader, 3_000_000); // then deposits far more
    const afterDeposit = await w.reconcile(RATIO);
    expect(afterDeposit.code).toBe(0);
    expect(afterDeposit.report?.actions).toEqual([]);
    expect(afterDeposit.report?.cashFlows[0]?.usd).toBe(2_600_000);
    expect(await w.positions(w.follower)).toEqual(held);
  });
});

describe("a dedicated sub-account (the recommended isolation)", () => {
  it("--account <sub-account>: the master's agent trades it, orders land on the sub-account and not on the master", async () => {
    const w = await world(10_000);
    await w.trade(w.leaderClient, "ETH", "buy", 200_000);
    const master = w.follower;
    // The master already holds a position of its own: a sub-account keeps the copy apart.
    await w.trade(w.followerClient, "BTC", "buy", 1_000);
    const { ExchangeClient, HttpTransport } = await import("@nktkas/hyperliquid");
    const { privateKeyToAccount } = await import("viem/accounts");
    const sdk = new ExchangeClient({
      transport: new HttpTransport({ apiUrl: w.sim.httpUrl }),
      wallet: privateKeyToAccount(w.masterKey),
    });
    const created = await sdk.createSubAccount({ name: "copy" });
    const sub = created.response.data.toLowerCase() as Address;
    await sdk.subAccountTransfer({ subAccountUser: sub, isDeposit: true, usd: 5_000 * 1e6 });

    const r = await runCli(
      ["--network", w.sim.httpUrl, "--account", sub, "--json", "reconcile", w.leader, ...COPY, "--yes"],
      { env: { HLCOPY_CONFIG_DIR: w.dir, HLCOPY_AGENT_KEY: w.agentKey } },
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect((await w.positions(sub)).ETH).toBeGreaterThan(0);
    expect(await w.positions(master)).toEqual({ BTC: expect.any(Number) });
    expect(w.sim.control.orderHistory(sub)).toHaveLength(1);
  });
});

describe("a leader whose equity falls to zero", () => {
  it("is said and journaled; nothing divides by zero", async () => {
    const w = await world();
    await w.trade(w.leaderClient, "ETH", "buy", 200_000);
    expect((await w.reconcile([...COPY, "--yes"])).code).toBe(0);
    const eth = (await w.leaderClient.getAccountState(w.leader)).positions.ETH?.size ?? 0;
    await w.trade(w.leaderClient, "ETH", "sell", eth * (w.sim.control.mid("ETH") ?? 0), true);
    const left = (await w.leaderClient.getAccountState(w.leader)).accountValue;
    w.sim.control.fund(w.leader, -left); // withdraws everything
    const r = await w.reconcile(COPY);
    expect(r.code).toBe(0);
    // The leader closed ETH: so do we (a flat leader's targets are 0, whatever its equity).
    expect(r.report?.actions.map((a) => [a.coin, a.reduceOnly])).toEqual([["ETH", true]]);
    const { journalPath, openJournal } = await import("../../src/store/journal.js");
    const j = openJournal(journalPath(w.dir, w.follower, w.sim.httpUrl));
    const events = j
      .listEntries({ table: "events", limit: Number.POSITIVE_INFINITY })
      .map((e) => JSON.stringify(e));
    j.close();
    expect(events.some((e) => e.includes("leaderEmpty"))).toBe(true);
  });
});

describe("an account with no equity", () => {
  it("is refused before anything is sent, dry run too — never 'in sync' at targets of 0 while the leader holds coins (exit 2)", async () => {
    const w = await world();
    await w.trade(w.leaderClient, "BTC", "buy", 100_000);
    await w.trade(w.leaderClient, "ETH", "buy", 50_000);
    // Funded, approved, then emptied.
    w.sim.control.fund(w.follower, -10_000);
    const run = (args: string[]) =>
      runCli(["--network", w.sim.httpUrl, "--account", w.follower, "reconcile", w.leader, ...args], {
        env: { HLCOPY_CONFIG_DIR: w.dir, HLCOPY_AGENT_KEY: w.agentKey },
      });
    for (const args of [
      ["--dry-run"],
      ["--dry-run", "--mode", "fixed-ratio", "--ratio", "0.01"],
      ["--yes"],
    ]) {
      const r = await run(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe(
        `error: ${w.follower.toLowerCase()} has no equity on ${w.sim.httpUrl} ($0): nothing to copy with\nhint: fund the account (deposit USDC) and run again, or check --account\n`,
      );
    }
    expect(w.ordersSent()).toBe(0);
  });
});
