// A run's warnings are journaled (engine/warning-log.ts), so a trader who was not watching the
// terminal learns what it warned about: `hlcopy status` (text and --json) says the last run's
// warnings, how many and the newest in words, and how to see them all; `hlcopy journal` lists
// them (`--type warnings`). The same words said again in a run are one row, counted. A dry run
// journals nothing. The real binary against a simulator.

import { DatabaseSync } from "node:sqlite";
import { describe, expect, it } from "vitest";
import { paperJournalPath } from "../../src/store/journal.js";
import { eventually } from "../exchange/helpers.js";
import { type ReconcileWorld, reconcileWorld } from "../helpers/reconcile-world.js";
import { spawnFollowIn } from "./helpers.js";

const COPY = ["--mode", "fixed-ratio", "--ratio", "0.01", "--max-leverage", "5"];
const FAILED = "meta/allMids failed: 500 Internal Server Error";

interface Warnings {
  count: number;
  distinct: number;
  newest: { ts: number; first: number; count: number; message: string }[];
  see: string;
}
interface StatusDoc {
  lastRun: { command: string; startedAt: number; running: boolean | null; warnings: Warnings } | null;
}
interface Entry {
  table: string;
  type?: string;
  runId?: number | null;
  data?: { message?: string; count?: number; last?: number };
}

/** A Gtc buy limit of the trader's own (no cloid) on ETH, resting 20 % under the mid. */
async function handOrder(w: ReconcileWorld): Promise<void> {
  const eth = (await w.ours.getMarkets()).ETH;
  if (!eth) throw new Error("ETH");
  const r = await w.master.sdk.order({
    orders: [
      {
        a: eth.assetId,
        b: true,
        p: String(Number((eth.mid * 0.8).toPrecision(4))),
        s: "0.5",
        r: false,
        t: { limit: { tif: "Gtc" } },
      },
    ],
    grouping: "na",
  });
  const status = r.response.data.statuses[0];
  expect(status && typeof status === "object" && "resting" in status).toBe(true);
}

const flat = (text: string) => text.replace(/[│\s]+/g, " ");

describe.concurrent("a run's warnings, after the run", () => {
  it("a follow's warnings: status says how many and the newest with the command to see all, --json has them, journal lists them — the same words twice one row ×2", async ({
    onTestFinished,
  }) => {
    const w = await reconcileWorld({ seed: 41, ourUsd: 10_000, onTestFinished });
    await w.tradeUsd("ETH", "buy", 200_000);
    const run = spawnFollowIn(w, { extra: [...COPY, "--sweep-seconds", "1"] });
    const sweeps = () => run.lines.filter((l) => l.type === "sweep").length;
    const warnings = (start: string) =>
      run.lines.filter((l) => l.type === "warning" && String(l.message).startsWith(start)).length;
    try {
      await eventually(() => sweeps() >= 1, 30_000);
      // An order placed by hand mid-follow: warned of (journaled as its own foreignOrders event).
      await handOrder(w);
      await eventually(() => warnings("order(s) placed outside hlcopy") === 1, 30_000);
      // A read the exchange failed, twice, a good sweep between: the same words said twice.
      w.sim.control.fault({ kind: "http500", count: 1, endpoint: "info" });
      await eventually(() => warnings(FAILED) === 1, 30_000);
      // A run still going: status says its warnings so far (once the journal has committed them).
      let running: StatusDoc["lastRun"] = null;
      await eventually(async () => {
        const s = await w.cli(["--json", "status"]);
        running = (JSON.parse(s.stdout) as StatusDoc).lastRun;
        return running?.warnings?.count === 2;
      }, 30_000);
      expect(running).toMatchObject({
        running: true,
        warnings: { count: 2, distinct: 2, newest: [{ message: expect.stringContaining(FAILED) }, {}] },
      });
      let after = sweeps();
      await eventually(() => sweeps() >= after + 2, 30_000);
      w.sim.control.fault({ kind: "http500", count: 1, endpoint: "info" });
      await eventually(() => warnings(FAILED) === 2, 30_000);
      after = sweeps();
      await eventually(() => sweeps() >= after + 1, 30_000);
    } finally {
      run.child.kill("SIGTERM");
      expect(await run.exit).toBe(0);
    }

    const json = await w.cli(["--json", "status"]);
    expect(json.code, json.stderr).toBe(0);
    const doc = JSON.parse(json.stdout) as StatusDoc;
    expect(doc.lastRun?.command).toBe("follow");
    expect(doc.lastRun?.warnings).toEqual({
      count: 3,
      distinct: 2,
      newest: [
        {
          ts: expect.any(Number),
          first: expect.any(Number),
          count: 2,
          message: expect.stringMatching(new RegExp(`^${FAILED}.*\\(retrying; the run goes on\\)$`)),
        },
        {
          ts: expect.any(Number),
          first: expect.any(Number),
          count: 1,
          message: expect.stringMatching(
            /^order\(s\) placed outside hlcopy: ETH buy 0\.5 @ [\d.]+: a fill would/,
          ),
        },
      ],
      see: expect.stringMatching(/^hlcopy journal --type warnings --since \d{4}-\d\d-\d\dT\d\d:\d\d$/),
    });
    const [failed] = doc.lastRun?.warnings.newest ?? [];
    expect(failed && failed.ts > failed.first).toBe(true);

    const text = await w.cli(["status"]);
    expect(text.code, text.stderr).toBe(0);
    const lines = text.stdout.split("\n");
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(80);
    const at = lines.findIndex((l) => l.startsWith("last run: follow"));
    expect(lines[at + 1]).toBe("warnings: the run warned 3 times (2 different warnings) — the newest 2:");
    const said = flat(lines.slice(at + 2).join("\n"));
    expect(said).toMatch(
      new RegExp(
        `^ [\\d.]+s ago \\(×2 since [\\d.]+s ago\\): ${FAILED} .* [\\d.]+s ago: order\\(s\\) placed outside hlcopy: ETH buy 0\\.5`,
      ),
    );
    expect(said).toContain(` all of them: ${doc.lastRun?.warnings.see} `);

    // The command status names lists them: the repeated one once, with its count.
    const listed = await w.cli([
      "--json",
      "journal",
      ...(doc.lastRun?.warnings.see.split(" ").slice(2) ?? []),
    ]);
    expect(listed.code, listed.stderr).toBe(0);
    const entries = JSON.parse(listed.stdout) as Entry[];
    // Never a secret: the agent's key is in no warning journaled.
    expect(listed.stdout.toLowerCase()).not.toContain(w.agentKey.toLowerCase().replace(/^0x/, ""));
    expect(entries.map((e) => e.type)).toEqual(["foreignOrders", "warning"]);
    expect(entries[1]?.data).toEqual({
      message: expect.stringContaining(FAILED),
      count: 2,
      last: expect.any(Number),
    });
    const table = await w.cli(["journal", "--type", "warnings"]);
    expect(table.code, table.stderr).toBe(0);
    expect(flat(table.stdout)).toMatch(
      new RegExp(`warning ×2 \\(last (\\d{4}-\\d\\d-\\d\\d )?\\d\\d:\\d\\d:[\\d.]+Z\\): ${FAILED}`),
    );
    expect(flat(table.stdout)).toMatch(/foreignOrders ETH order\(s\) placed outside hlcopy/);
    // Every kind of entry still lists them: the hand order's words once, as its own event.
    const all = await w.cli(["--json", "journal", "--type", "events", "--limit", "0"]);
    const events = JSON.parse(all.stdout) as Entry[];
    expect(events.filter((e) => e.data?.message?.startsWith("order(s) placed outside hlcopy"))).toHaveLength(
      1,
    );
  });

  it("a follow's start-up waits (the approval check the exchange failed, retried before the run existed) are said, then journaled as the run's at their own times", async ({
    onTestFinished,
  }) => {
    const w = await reconcileWorld({ seed: 45, ourUsd: 10_000, onTestFinished });
    await w.tradeUsd("ETH", "buy", 200_000);
    // The first requests to /info fail: the approval check's (extraAgents), in the set-up.
    w.sim.control.fault({ kind: "http500", count: 2, endpoint: "info" });
    const run = spawnFollowIn(w, { extra: COPY });
    try {
      await eventually(() => run.lines.some((l) => l.type === "sweep"), 30_000);
    } finally {
      run.child.kill("SIGTERM");
      expect(await run.exit).toBe(0);
    }
    // Retried and said as it waited, not fatal: the run copied.
    const said = run.lines.filter(
      (l) => l.type === "warning" && String(l.message).startsWith("waiting for the agent approval check"),
    );
    expect(said).toHaveLength(2);
    expect(run.lines.some((l) => l.type === "error")).toBe(false);
    const start = run.lines.find((l) => l.type === "start");
    expect(typeof start?.ts).toBe("number");

    const json = await w.cli(["--json", "status"]);
    expect(json.code, json.stderr).toBe(0);
    const doc = JSON.parse(json.stdout) as StatusDoc;
    expect(doc.lastRun?.warnings).toMatchObject({
      count: 2,
      distinct: 2,
      newest: [
        { count: 1, message: said[1]?.message },
        { count: 1, message: said[0]?.message },
      ],
    });
    // At the times they were said, before the run's start.
    for (const x of doc.lastRun?.warnings.newest ?? []) expect(x.first).toBeLessThan(Number(start?.ts));
    const text = await w.cli(["status"]);
    expect(flat(text.stdout)).toMatch(
      / warnings: the run warned 2 times — the newest 2: [\d.]+s ago: waiting for the agent approval check/,
    );
    const listed = await w.cli(["--json", "journal", "--type", "warnings"]);
    expect(listed.code, listed.stderr).toBe(0);
    const entries = JSON.parse(listed.stdout) as Entry[];
    expect(entries.map((e) => e.data?.message)).toEqual(said.map((l) => l.message));
  });

  it("a live reconcile's start-up waits (the approval check retried) are journaled as its warnings, at their own times", async ({
    onTestFinished,
  }) => {
    const w = await reconcileWorld({ seed: 46, ourUsd: 10_000, onTestFinished });
    await w.tradeUsd("ETH", "buy", 200_000);
    w.sim.control.fault({ kind: "http500", count: 2, endpoint: "info" });
    const r = await w.cli(["reconcile", w.leader, ...COPY, "--yes"]);
    expect(r.code, r.stderr).toBe(0);
    const said = r.stderr
      .split("\n")
      .filter((l) => l.startsWith("warning: waiting for the agent approval check"))
      .map((l) => l.slice("warning: ".length));
    expect(said).toHaveLength(2);
    const listed = await w.cli(["--json", "journal", "--type", "warnings"]);
    expect(listed.code, listed.stderr).toBe(0);
    const entries = JSON.parse(listed.stdout) as Entry[];
    expect(entries.map((e) => e.data?.message)).toEqual(said);
    const json = await w.cli(["--json", "status"]);
    const doc = JSON.parse(json.stdout) as StatusDoc;
    expect(doc.lastRun).toMatchObject({ command: "reconcile", warnings: { count: 2 } });
    // Before the run's start: said while its set-up waited.
    for (const x of doc.lastRun?.warnings.newest ?? [])
      expect(x.first).toBeLessThan(Number(doc.lastRun?.startedAt));
  });

  it("a paper follow whose journal another program held at its start: waited for, said, then journaled as the run's warning at the time it was said", async ({
    onTestFinished,
  }) => {
    const w = await reconcileWorld({ seed: 47, ourUsd: 10_000, onTestFinished });
    await w.tradeUsd("ETH", "buy", 200_000);
    const PAPER = [...COPY, "--paper"];
    // An earlier paper run made the paper journal.
    const first = spawnFollowIn(w, { extra: PAPER });
    try {
      await first.until(() => first.sweeps() > 0, 30_000);
    } finally {
      first.child.kill("SIGTERM");
      expect(await first.exit).toBe(0);
    }
    // A backup tool holds it (BEGIN EXCLUSIVE) as the next paper run opens it.
    const holder = new DatabaseSync(paperJournalPath(w.env.HLCOPY_CONFIG_DIR, w.account, w.sim.httpUrl));
    onTestFinished(() => holder.close());
    holder.exec("BEGIN EXCLUSIVE");
    // Event lines: said as it waits (--json keeps its lines until the start checks passed).
    const run = spawnFollowIn(w, { extra: PAPER, json: false });
    const BUSY = /warning: (journal busy \(held by another program\): .*)$/;
    const text = () => run.lines.map((l) => String(l.text ?? ""));
    let said: string | undefined;
    try {
      said = BUSY.exec(await run.until(() => text().find((t) => BUSY.test(t)), 30_000))?.[1];
      holder.exec("ROLLBACK");
      await run.until(() => text().some((t) => / sweep /.test(t)), 30_000);
    } finally {
      run.child.kill("SIGTERM");
      expect(await run.exit).toBe(0);
    }
    expect(said).toBeDefined();
    const json = await w.cli(["--json", "status", "--paper"]);
    expect(json.code, json.stderr).toBe(0);
    const doc = JSON.parse(json.stdout) as StatusDoc;
    expect(doc.lastRun?.command).toBe("paper");
    expect(doc.lastRun?.warnings).toMatchObject({ count: 1, newest: [{ count: 1, message: said }] });
    // At the time it was said: before the run's start, which waited for the journal.
    expect(doc.lastRun?.warnings.newest[0]?.first).toBeLessThan(doc.lastRun?.startedAt ?? 0);
  });

  it("a reconcile's warnings are journaled with its run (cron's runs: status says them after)", async ({
    onTestFinished,
  }) => {
    const w = await reconcileWorld({ seed: 43, ourUsd: 10_000, onTestFinished });
    await w.tradeUsd("ETH", "buy", 200_000);
    // The leverage set before the first increase: the exchange's reply lost (the outcome unknown).
    w.sim.control.fault({ kind: "http500", count: 1, endpoint: "exchange", stage: "after" });
    const r = await w.cli(["reconcile", w.leader, ...COPY, "--yes"]);
    const said = /^warning: (ETH: \S+ cross not set on the exchange .*)$/m.exec(r.stderr)?.[1];
    expect(said, r.stderr).toBeDefined();
    const s = await w.cli(["--json", "status"]);
    expect(s.code, s.stderr).toBe(0);
    const run = (JSON.parse(s.stdout) as StatusDoc).lastRun;
    expect(run?.command).toBe("reconcile");
    expect(run?.warnings).toMatchObject({ count: 1, distinct: 1, newest: [{ count: 1, message: said }] });
    const text = await w.cli(["status"]);
    expect(text.stdout).toContain("last run: reconcile started");
    expect(flat(text.stdout)).toMatch(/ warnings: the run warned once: [\d.]+s ago: ETH: \S+ cross not set/);
  });
});
