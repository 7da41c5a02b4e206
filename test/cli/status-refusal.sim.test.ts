// A follow refused at its start (a leader that never traded, an exchange that forgot the account,
// positions hlcopy did not open) leaves the journal as it was, so `status` went on showing the
// run before it as the last word — or "no runs yet" — as if nothing had been tried. It says the
// last run was refused, why, and what to do, in text and --json, until a run starts after it.

import { describe, expect, it } from "vitest";
import type { StatusReport } from "../../src/cli/status/run.js";
import type { Address } from "../../src/core/types.js";
import { action } from "../exchange/helpers.js";
import { jsonError, whole } from "../helpers/cli.js";
import { reconcileWorld } from "../helpers/reconcile-world.js";

const esc = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
const COPY = ["--mode", "fixed-ratio", "--ratio", "0.01", "--max-leverage", "5"];

/** `hlcopy status` of the world's account, as text and as its --json document. */
async function statusOf(w: Awaited<ReturnType<typeof reconcileWorld>>) {
  const text = whole(await w.cli(["status"]));
  const json = await w.cli(["--json", "status"]);
  expect(text.code).toBe(0);
  const doc = JSON.parse(json.stdout.trim().split("\n").at(-1) ?? "{}") as StatusReport;
  return { text: text.stdout, doc };
}

describe("status after a refused follow", () => {
  it("says the last run was refused, why and what to do, until a later run starts", {
    timeout: 120_000,
  }, async () => {
    const w = await reconcileWorld({ seed: 81, ourUsd: 10_000 });
    const typo = `0x${"cd".repeat(20)}` as Address;
    const reason = `${typo} has never traded on ${w.sim.httpUrl}: check the address`;
    const hint =
      "copy an address that trades (hlcopy inspect <address> shows its history), or pass --allow-empty-leader to wait for its first trade";
    const status = () => statusOf(w);

    // The first run ever is refused: no journal is created, status says so and why.
    const first = await w.cli(["follow", typo, ...COPY, "--yes", "--no-ui"]);
    expect(first.code).toBe(2);
    const s1 = await status();
    expect(s1.text).toMatch(/^no runs yet for /m);
    expect(s1.text).toMatch(
      new RegExp(
        `^last attempt: follow refused at its start [\\d.]+m?s ago, exit 2, nothing sent: ${esc(reason)}\n  hint: ${esc(hint)}\n`,
        "m",
      ),
    );
    expect(s1.doc.lastRefusal).toMatchObject({ command: "follow", exitCode: 2, reason, hint });

    // A run that starts after it makes it old news.
    await w.trade("ETH", "buy", 1);
    const ok = await w.cli(["reconcile", w.leader, ...COPY, "--yes"]);
    expect(ok.code).toBe(0);
    const s2 = await status();
    expect(s2.doc.lastRefusal).toBeNull();
    expect(s2.text).not.toContain("refused");
    expect(s2.text).toMatch(/^last run: reconcile started /m);

    // Refused again, with a journal: the refusal is the last attempt; the reconcile stays the last run.
    const again = await w.cli(["follow", typo, ...COPY, "--yes", "--no-ui"]);
    expect(again.code).toBe(2);
    const s3 = await status();
    expect(s3.doc.lastRefusal).toMatchObject({ command: "follow", exitCode: 2, reason, hint });
    expect(s3.doc.lastRun?.command).toBe("reconcile");
    expect(s3.text).toMatch(
      new RegExp(
        `^last attempt: follow refused at its start [\\d.]+m?s ago, exit 2, nothing sent: ${esc(reason)}\n  hint: ${esc(hint)}\n(.*\n)*last run: reconcile started `,
        "m",
      ),
    );
  });
});

// A cron reconcile refused at its start did nothing and said why on a stderr nobody reads:
// `status` is where the trader looks. Kept as a follow's is (cli/refusal.ts), by live runs
// only — a dry run or a paper run sends nothing and never overwrites the last live refusal —
// and old news once a run starts after it.
describe("status after a refused reconcile", () => {
  it("says the last live reconcile was refused, why and what to do; dry and paper runs keep it; a started run clears it", {
    timeout: 180_000,
  }, async () => {
    const w = await reconcileWorld({ seed: 83, ourUsd: 10_000 });
    const typo = `0x${"ab".repeat(20)}` as Address;
    const status = () => statusOf(w);
    /** The refusal a --json reconcile printed: its one error document. */
    const refusedWith = (stdout: string) => {
      const said = jsonError(stdout);
      expect(said).not.toBe("");
      const [, reason = "", hint = ""] = /^error: (.*)\nhint: (.*)\n$/.exec(said) ?? [];
      return { reason, hint };
    };
    await w.trade("ETH", "buy", 2);
    // The trader's own position, opened by hand: the cron line refuses it.
    await w.ours.placeOrders(
      [action(await w.ours.getMarkets(), "BTC", "buy", 0.01)],
      await w.ours.getMarkets(),
    );

    // 1. The cron line, refused before anything is sent: no journal, status says why.
    const first = await w.cli(["--json", "reconcile", w.leader, ...COPY, "--yes"]);
    expect(first.code).toBe(2);
    const r1 = refusedWith(first.stdout);
    expect(r1.reason).toMatch(/ holds position\(s\) hlcopy did not open: BTC \+0\.01$/);
    expect(r1.hint).toContain("--deny-coins BTC");
    const s1 = await status();
    expect(s1.text).toMatch(/^no runs yet for /m);
    expect(s1.text).toMatch(
      new RegExp(
        `^last attempt: reconcile refused at its start [\\d.]+m?s ago, exit 2, nothing sent: ${esc(r1.reason)}\n  hint: ${esc(r1.hint)}\n`,
        "m",
      ),
    );
    expect(s1.doc.lastRefusal).toMatchObject({ command: "reconcile", exitCode: 2, ...r1 });
    const kept = s1.doc.lastRefusal;

    // 2. A dry run refused, and a paper follow refused: neither is the live account's attempt.
    const dry = await w.cli(["reconcile", typo, ...COPY, "--dry-run"]);
    expect(dry.code).toBe(2);
    expect(dry.stderr).toContain("has never traded");
    const paper = await w.cli(["follow", typo, ...COPY, "--paper", "--no-ui"]);
    expect(paper.code).toBe(2);
    expect(paper.stderr).toContain("has never traded");
    expect((await status()).doc.lastRefusal).toEqual(kept);

    // 3. Refused again, live, for another reason (no --yes on a first run): that is the last word.
    const unreviewed = await w.cli(["--json", "reconcile", w.leader, ...COPY, "--deny-coins", "BTC"]);
    expect(unreviewed.code).toBe(2);
    const r3 = refusedWith(unreviewed.stdout);
    expect(r3.reason).toMatch(/^this run needs your review before it trades: this is the first live run/);
    const s3 = await status();
    expect(s3.doc.lastRefusal).toMatchObject({ command: "reconcile", exitCode: 2, ...r3 });
    expect(s3.doc.lastRefusal?.at).toBeGreaterThan(kept?.at ?? Number.POSITIVE_INFINITY);
    expect(w.sim.control.orderHistory(w.account)).toHaveLength(1); // the trader's own, none of hlcopy's

    // 4. A reconcile that starts makes it old news.
    const ok = await w.cli(["reconcile", w.leader, ...COPY, "--deny-coins", "BTC", "--yes"]);
    expect(ok.code).toBe(0);
    const s4 = await status();
    expect(s4.doc.lastRefusal).toBeNull();
    expect(s4.text).not.toContain("refused");
    expect(s4.text).toMatch(/^last run: reconcile started /m);

    // 5. Refused after it, with a journal: the refusal is the last attempt, the run stays the last run.
    const again = await w.cli(["--json", "reconcile", w.leader, ...COPY, "--yes"]);
    expect(again.code).toBe(2);
    const r5 = refusedWith(again.stdout);
    const s5 = await status();
    expect(s5.doc.lastRefusal).toMatchObject({ command: "reconcile", exitCode: 2, ...r5 });
    expect(s5.doc.lastRun?.command).toBe("reconcile");
    expect(s5.text).toMatch(
      new RegExp(
        `^last attempt: reconcile refused at its start [\\d.]+m?s ago, exit 2, nothing sent: ${esc(r5.reason)}\n  hint: ${esc(r5.hint)}\n(.*\n)*last run: reconcile started `,
        "m",
      ),
    );
  });
});
