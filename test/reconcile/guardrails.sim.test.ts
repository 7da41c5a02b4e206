// Real-money guardrails, as a trader meets them: the real binary against a simulator of its
// own per test. hlcopy refuses what looks wrong before a single order (a leader that never
// traded, positions it did not open, a first run or a large move without a yes), keeps
// join new-only across cron runs, and never copies a leader's cash flow as a trade.

import { privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import type { Address } from "../../src/core/types.js";
import { journalPath, openJournal } from "../../src/store/journal.js";
import { agentKeystorePath, encryptKeystore, writeKeystore } from "../../src/store/keystore.js";
import { runCli, unwrapped } from "../helpers/cli.js";
import { COPY, world } from "./guardrails-world.js";

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

  it("--allow-empty-leader beside a leader flat between trades says it did nothing, at the unflagged run's requests", async () => {
    // Seen: the flag read no fills, so a flat leader with fills on record — which needs no flag —
    // got no word that the flag did nothing (said only beside positions).
    const w = await world();
    await w.trade(w.leaderClient, "ETH", "buy", 200_000);
    expect((await w.reconcile([...COPY, "--yes"])).code).toBe(0);
    await w.trade(w.leaderClient, "ETH", "sell", 200_000, true);
    expect((await w.reconcile([...COPY, "--yes"])).code).toBe(0); // our ETH closed: in sync
    const unflagged = await w.reconcile([...COPY, "--dry-run"]);
    expect(unflagged.code).toBe(0);
    const flagged = await w.reconcile([...COPY, "--dry-run", "--allow-empty-leader"]);
    expect(flagged.code).toBe(0);
    const allow =
      "--allow-empty-leader: nothing to allow — the leader has fills on record (no position now: it is copied as flat without the flag) (the flag permits copying a leader with no position and no fill on record; it changed nothing)";
    expect(flagged.stderr.split("\n").filter((l) => l.includes("nothing to allow"))).toEqual([allow]);
    expect(flagged.report?.notices).toContainEqual({ kind: "unneeded-flag", message: allow });
    // The one read that knows it is the start's read an unflagged run makes anyway: no more.
    expect(flagged.report?.requests).toBe(unflagged.report?.requests);
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
    expect(unwrapped(text.stdout)).toMatch(/^drift: unknown — the last run was a flatten .*reads no leader/m);
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

  it("never leaves out a position hlcopy opened: turned on after a copy under join all, the leader's flip is copied", async () => {
    const w = await world();
    await w.trade(w.leaderClient, "ETH", "buy", 200_000);
    expect((await w.reconcile([...COPY, "--yes"])).code).toBe(0); // join all: the copy opens ETH long
    const ours = (await w.positions(w.follower)).ETH ?? 0;
    expect(ours).toBeGreaterThan(0);
    const eth = (await w.leaderClient.getAccountState(w.leader)).positions.ETH?.size ?? 0;
    await w.trade(w.leaderClient, "ETH", "sell", 2 * eth * (w.sim.control.mid("ETH") ?? 0)); // flips short

    const NEW_ONLY = [...COPY, "--join", "new-only"];
    const preview = await w.reconcile([...NEW_ONLY, "--dry-run"]);
    expect(preview.code).toBe(3); // it would send orders
    expect(preview.report?.skipped.map((s) => s.reason)).not.toContain("not-joined");
    expect(preview.report?.actions.map((a) => [a.coin, a.side, a.reduceOnly])).toEqual([
      ["ETH", "sell", true],
      ["ETH", "sell", false],
    ]);
    // Said why, on stderr with the run's notices (not "already holds ETH: not copied").
    expect(preview.stderr).toContain("hlcopy already holds ETH +");
    expect(preview.stderr).not.toMatch(/already holds ETH: not copied/);

    const live = await w.reconcile([...NEW_ONLY, "--yes"]);
    expect(live.code).toBe(0);
    expect((await w.positions(w.follower)).ETH).toBeCloseTo(-ours, 4);
    // The coin left the journaled baseline for good: the next run is in sync, nothing left out.
    const next = await w.reconcile([...NEW_ONLY, "--yes"]);
    expect(next.report?.actions).toEqual([]);
    expect(next.report?.skipped.map((s) => s.reason)).not.toContain("not-joined");
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
        `error: ${w.follower.toLowerCase()} has no equity on ${w.sim.httpUrl} ($0.00): nothing to copy with\nhint: fund the account (deposit USDC) and run again, or check --account\n`,
      );
    }
    expect(w.ordersSent()).toBe(0);
  });
});
