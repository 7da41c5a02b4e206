// Real-money guardrails, as a trader meets them (continued from guardrails.sim.test.ts, split so
// that the two halves run side by side): positions hlcopy did not open — refused, left out with
// --deny-coins, or adopted — and the copy's P&L, which counts hlcopy's own fills only.

import { describe, expect, it } from "vitest";
import { journalPath, openJournal } from "../../src/store/journal.js";
import { agentKeystorePath, encryptKeystore, writeKeystore } from "../../src/store/keystore.js";
import { eventually } from "../exchange/helpers.js";
import { spawnFollow } from "../follow/helpers.js";
import { runCli, unwrapped } from "../helpers/cli.js";
import { COPY, world } from "./guardrails-world.js";

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

  it("the refusal's way to leave them out keeps the coin lists in effect: a stored deny list and close-denied", {
    timeout: 60_000,
  }, async () => {
    const w = await world();
    await w.trade(w.leaderClient, "ETH", "buy", 200_000);
    await w.trade(w.leaderClient, "SOL", "buy", 200_000);
    await w.trade(w.followerClient, "BTC", "buy", 1_000); // the trader's own position
    const manual = (await w.positions(w.follower)).BTC;
    // Stored: never copy SOL, and close what the copy holds in a denied coin.
    for (const [key, value] of [
      ["risk.denyCoins", "SOL"],
      ["risk.closeDenied", "true"],
    ] as const) {
      expect((await runCli(["config", "set", key, value], { env: { HLCOPY_CONFIG_DIR: w.dir } })).code).toBe(
        0,
      );
    }

    const refused = await w.reconcile([...COPY, "--yes"]);
    expect(refused.code).toBe(2);
    // Not "--deny-coins BTC": that flag would replace the stored list (SOL copied) and, with
    // close-denied on, BTC would be refused again — or closed.
    const hint = refused.error?.hint ?? "";
    expect(hint).toContain("leave them out with --deny-coins SOL,BTC --close-denied false,");
    const flags = /leave them out with (.*?), /.exec(hint)?.[1]?.split(" ") ?? [];

    // The hint's flags as given: the copy goes ahead, BTC is not touched, SOL still not copied.
    const left = await w.reconcile([...COPY, "--yes", ...flags]);
    expect(left.code).toBe(0);
    const after = await w.positions(w.follower);
    expect(after.BTC).toBe(manual);
    expect(after.ETH).toBeGreaterThan(0);
    expect(after.SOL).toBeUndefined();
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
      "--allow-empty-leader: nothing to allow — the leader holds positions (the flag permits copying a leader with no position and no fill on record; it changed nothing)";
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
    expect(unwrapped(text.stdout)).toMatch(
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
