// A pause recorded with `hlcopy pause` (no follow running) holds `reconcile` as it holds the next
// follow: a live run plans, shows what it would do and sends nothing — not an order, not a
// leverage update; only a halt's closes go, as a paused follow sends them (reducing risk is
// always allowed) — and exits 4,
// which a cron script tells apart from 0 and 3 (its report's `paused`). A dry run plans as
// before, exits as before, and says the pause stands. The real binary against its own simulator.

import { execFile } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ReconcileReport } from "../../src/cli/reconcile/run.js";
import { journalPath, openJournal } from "../../src/store/journal.js";
import { BIN, cleanEnv, defaultsBeside, liftPauseAfter, ROOT } from "../helpers/cli.js";
import { reconcileWorld } from "../helpers/reconcile-world.js";

async function setup() {
  const w = await reconcileWorld({ seed: 91 });
  await w.trade("BTC", "buy", 1);
  const cli = (args: string[]) => w.cli(args, { timeoutMs: 60_000 });
  /** reconcile of the leader at 10 %; `global` before the command (--json), `extra` after it. */
  const reconcile = (global: string[], extra: string[] = []) =>
    cli([
      ...global.filter((a) => a === "--json"),
      "reconcile",
      w.leader,
      ...defaultsBeside(["--mode", "fixed-ratio", "--ratio", "0.1"], [...global, ...extra]),
      ...global.filter((a) => a !== "--json"),
      ...extra,
    ]);
  return { ...w, cli, reconcile };
}

/** examples/cron-sweep.sh of the leader at 10 % as cron runs it (`extra` after its flags). */
function cronSweep(
  t: Awaited<ReturnType<typeof setup>>,
  extra: string[] = [],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      "bash",
      [join(ROOT, "examples/cron-sweep.sh"), t.leader, "--mode", "fixed-ratio", "--ratio", "0.1", ...extra],
      {
        env: {
          ...cleanEnv({ ...t.env, HLCOPY_ACCOUNT: t.account }),
          HLCOPY_BIN: `${process.execPath} ${BIN} --network ${t.sim.httpUrl}`,
        },
        encoding: "utf8",
      },
      (error, stdout, stderr) => done({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

/** The text with every run of white space as one space: a line the 80 columns wrapped, whole again. */
const flat = (text: string) => text.replace(/\s+/g, " ");

const report = (stdout: string) => JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as ReconcileReport;

describe("a pause recorded while no follow runs", () => {
  it("holds a live reconcile: it plans and shows, sends nothing, says so and exits 4; a dry run only says it stands; resume lifts it", {
    timeout: 120_000,
  }, async () => {
    const t = await setup();
    const paused = await t.cli(["pause"]);
    expect(paused.code).toBe(0);
    expect(paused.stdout).toMatch(/recorded, the next follow starts paused and reconcile sends nothing/);

    const before = t.actionsSent();
    // Without --yes on its first run for this leader: nothing to confirm, no refusal (exit 2).
    const unconfirmed = await t.reconcile([]);
    expect(unconfirmed.code, unconfirmed.stderr).toBe(4);
    // --json, as cron runs it: the plan's orders as held, the pause's time, exit 4.
    const live = await t.reconcile(["--json", "--yes"]);
    expect(live.code, live.stderr).toBe(4);
    const doc = report(live.stdout);
    expect(doc.paused?.since).toEqual(expect.any(Number));
    expect(doc.halted).toBe(false);
    expect(doc.inSync).toBe(false);
    expect(doc.actions.map((a) => [a.coin, a.side, a.size, a.status, a.kind])).toEqual([
      ["BTC", "buy", 0.1, "held", "repair"],
    ]);
    // Not an order, not a leverage update: nothing signed at all.
    expect(t.actionsSent()).toBe(before);
    expect(await t.positions()).toEqual({});

    // The text: the plan's table, the orders held, one line saying why and what to do.
    const text = await t.reconcile(["--yes"]);
    expect(text.code, text.stderr).toBe(4);
    expect(text.stdout).toMatch(/│ open: buy 0\.1 → held \(paused\) +│/);
    expect(flat(text.stdout)).toMatch(
      / paused since \d{4}-\d\d-\d\d \d\d:\d\d UTC: nothing sent; hlcopy resume to trade again · \d+ requests $/,
    );
    expect(t.actionsSent()).toBe(before);

    // A dry run: the same plan and exit code as without the pause, and what the pause does to
    // a live run said — never "would be sent" (a live run sends nothing), nor that this run
    // sends nothing (no dry run does).
    const dry = await t.reconcile(["--dry-run"]);
    expect(dry.code, dry.stderr).toBe(3);
    expect(dry.stdout).toMatch(/open: buy 0\.1 → planned/);
    expect(flat(dry.stdout)).toMatch(
      / paused since \d{4}-\d\d-\d\d \d\d:\d\d UTC: a live run would send nothing until hlcopy resume \(exit 4\); 1 order\(s\) planned for when it resumes \(dry run: nothing sent\) · \d+ requests $/,
    );
    expect(dry.stdout).not.toMatch(/would be sent|a pause stands/);
    const dryJson = await t.reconcile(["--json", "--dry-run"]);
    expect(dryJson.code).toBe(3);
    expect(report(dryJson.stdout)).toMatchObject({ dryRun: true, paused: { since: expect.any(Number) } });

    // The cron script tells the pause from a halt (both exit 4): logged, not said on stderr
    // (which cron mails) — you asked for it.
    const cron = await cronSweep(t);
    expect(cron.code).toBe(4);
    expect(cron.stderr).toBe("");
    expect(cron.stdout).toMatch(/"paused":\{"since":\d+\}/);
    expect(cron.stdout).toMatch(
      /Z hlcopy: PAUSED \(hlcopy pause\): nothing sent; 'hlcopy resume' to trade again\n$/,
    );
    expect(t.actionsSent()).toBe(before);

    // resume lifts it: the next reconcile trades.
    expect((await t.cli(["resume"])).code).toBe(0);
    const after = await t.reconcile(["--json", "--yes"]);
    expect(after.code, after.stderr).toBe(0);
    expect(report(after.stdout)).toMatchObject({ paused: null, inSync: true });
    expect(await t.positions()).toEqual({ BTC: 0.1 });
  });

  it("sends the kill switch's closes all the same, as a paused follow does (reason kill-switch); exit 4, the pause stands", {
    timeout: 120_000,
  }, async () => {
    const t = await setup();
    const first = await t.reconcile(["--yes"], ["--max-drawdown-pct", "5"]);
    expect(first.code, first.stderr).toBe(0);
    expect(await t.positions()).toEqual({ BTC: 0.1 });
    liftPauseAfter(t.sim.httpUrl, t.account);
    expect((await t.cli(["pause"])).code).toBe(0);
    // An earlier high of $200 000: today's ~$100 000 is a 50% drawdown.
    const journal = openJournal(journalPath(t.env.HLCOPY_CONFIG_DIR, t.account, t.sim.httpUrl));
    journal.recordEquity(1, 200_000);
    journal.close();

    const r = await t.reconcile(["--yes"], ["--max-drawdown-pct", "5"]);
    expect(r.code, r.stderr).toBe(4);
    expect(flat(r.stdout)).toMatch(
      / paused since \S+ \S+ UTC: only the halt's closes sent \(reducing risk is always allowed\); hlcopy resume to trade again · \d+ requests $/,
    );
    expect(await t.positions()).toEqual({});
    const check = openJournal(journalPath(t.env.HLCOPY_CONFIG_DIR, t.account, t.sim.httpUrl));
    const closes = check.ordersSince(0).filter((o) => o.reason === "kill-switch");
    check.close();
    expect(closes.map((o) => [o.coin, o.side, o.reduceOnly, o.status])).toEqual([
      ["BTC", "sell", true, "filled"],
    ]);
    // Flat, still halted and paused: the next run sends nothing, and says the pause holds it.
    const before = t.actionsSent();
    const json = await t.reconcile(["--json", "--yes"], ["--max-drawdown-pct", "5"]);
    expect(json.code, json.stderr).toBe(4);
    expect(report(json.stdout)).toMatchObject({
      halted: true,
      paused: { since: expect.any(Number) },
      actions: [],
    });
    expect(t.actionsSent()).toBe(before);
    const status = await t.cli(["--json", "status"]);
    expect(JSON.parse(status.stdout)).toMatchObject({
      halt: { kind: "kill-switch" },
      paused: { running: false },
    });
  });
});

describe("the cron script says which halt stands (both exit 4)", () => {
  it("a flatten you asked for (manual) is logged with its reason, not mailed; a kill switch's is mailed with its reason, a pause standing or not", {
    timeout: 120_000,
  }, async () => {
    const t = await setup();
    const first = await cronSweep(t);
    expect(first.code, first.stderr).toBe(0);
    expect(await t.positions()).toEqual({ BTC: 0.1 });
    // No follow running: the flatten closes here and halts (manual) until resume.
    expect((await t.cli(["flatten", "--yes"])).code).toBe(0);
    const manual = await cronSweep(t);
    expect(manual.code).toBe(4);
    expect(manual.stderr).toBe("");
    expect(manual.stdout).toMatch(
      /Z hlcopy: HALTED \(manual\): flatten requested \(hlcopy flatten\); only reductions are sent; 'hlcopy resume' to trade again\n$/,
    );
    expect((await t.cli(["resume", "--yes"])).code).toBe(0);
    const again = await cronSweep(t);
    expect(again.code, again.stderr).toBe(0);
    // Paused, then a 50 % drawdown (an earlier high of $200 000): the kill switch closes and
    // halts; the pause does not hide it from the mail.
    liftPauseAfter(t.sim.httpUrl, t.account);
    expect((await t.cli(["pause"])).code).toBe(0);
    const journal = openJournal(journalPath(t.env.HLCOPY_CONFIG_DIR, t.account, t.sim.httpUrl));
    journal.recordEquity(1, 200_000);
    journal.close();
    const killed = await cronSweep(t, ["--max-drawdown-pct", "5"]);
    expect(killed.code).toBe(4);
    expect(killed.stderr).toMatch(
      /Z hlcopy: HALTED \(kill-switch\): .*drawdown.*; see 'hlcopy status', clear with 'hlcopy resume'\n$/,
    );
    expect(killed.stdout).toMatch(/"halt":\{"kind":"kill-switch"/);
    expect(await t.positions()).toEqual({});
    await t.sim.close();
  });
});

describe("a paused reconcile is no sizing reference (leftovers 5)", () => {
  it("the run after it compares its sizing with the last run that traded, not with the paused one", {
    timeout: 120_000,
  }, async () => {
    const t = await setup();
    try {
      // Traded at 10 %.
      const first = await t.reconcile(["--yes"]);
      expect(first.code, first.stderr).toBe(0);
      expect(await t.positions()).toEqual({ BTC: 0.1 });
      // Paused, a run at 20 % sends nothing (exit 4): the positions stay at 10 %.
      expect((await t.cli(["pause"])).code).toBe(0);
      const paused = await t.reconcile(["--yes"], ["--ratio", "0.2"]);
      expect(paused.code, paused.stderr).toBe(4);
      expect(paused.stderr).toMatch(
        /sized by fixed-ratio ratio 0\.1; this run sizes by fixed-ratio ratio 0\.2/,
      );
      expect(await t.positions()).toEqual({ BTC: 0.1 });
      // Resumed, the next run at 20 % is told it resizes what the 10 % run left — not that
      // nothing changed since the paused run's 20 %.
      expect((await t.cli(["resume"])).code).toBe(0);
      const after = await t.reconcile(["--yes"], ["--ratio", "0.2"]);
      expect(after.code, after.stderr).toBe(0);
      expect(after.stderr).toMatch(
        /sized by fixed-ratio ratio 0\.1; this run sizes by fixed-ratio ratio 0\.2/,
      );
      expect(await t.positions()).toEqual({ BTC: 0.2 });
    } finally {
      await t.sim.close();
    }
  });
});
