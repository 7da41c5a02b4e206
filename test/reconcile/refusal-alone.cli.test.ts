// A run its start checks refuse (a coin list's typo, a coin that does not exist) prints its
// refusal — the error and hint lines — and nothing more: no warning about the run that does not
// happen (a dry run's "a live run would be refused now", a pause it would have started under),
// said before the refusal as the set-up met it. The same warnings are said when the checks pass.
// reconcile and follow, live and dry runs, lines and --json: the real binary against a simulator.

import { generatePrivateKey } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { action } from "../exchange/helpers.js";
import { jsonError, liftPauseAfter } from "../helpers/cli.js";
import { reconcileWorld } from "../helpers/reconcile-world.js";

const COPY = ["--mode", "fixed-ratio", "--ratio", "0.1"];

/** stderr's lines as the contract's two: `error: …` then `hint: …`, and nothing else. */
const REFUSAL_ALONE =
  /^error: unknown coin "[A-Z]+" \(risk\.(deny|allow)Coins\): not a market on this exchange\nhint: [^\n]+\n$/;

describe("a refused run says its refusal alone", () => {
  it("reconcile --dry-run with an agent a live run would refuse: a coin typo is the two lines, no warning first; valid coins say the warning", {
    timeout: 60_000,
  }, async () => {
    const w = await reconcileWorld({ seed: 23 });
    await w.trade("BTC", "buy", 1);
    const before = w.actionsSent();
    // An agent key the account never approved: a live run would be refused at its start.
    const unapproved = { HLCOPY_AGENT_KEY: generatePrivateKey() };
    for (const coins of [
      ["--deny-coins", "XYZ"],
      ["--allow-coins", "BTCC"],
    ]) {
      const r = await w.cli(["reconcile", w.leader, ...COPY, "--dry-run", ...coins], { env: unapproved });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(REFUSAL_ALONE);
      expect(r.stdout).toBe("");
      // --json: one error document, and nothing else on either stream.
      const j = await w.cli(["--json", "reconcile", w.leader, ...COPY, "--dry-run", ...coins], {
        env: unapproved,
      });
      expect(j.code).toBe(2);
      expect(jsonError(j.stdout)).toMatch(REFUSAL_ALONE);
      expect(j.stderr).toBe("");
    }
    // The checks pass: the warning is said (once), then the report.
    const ok = await w.cli(["reconcile", w.leader, ...COPY, "--dry-run", "--allow-coins", "btc"], {
      env: unapproved,
    });
    expect(ok.code, ok.stderr).toBe(3);
    expect(
      ok.stderr.match(/^warning: a live run would be refused now: agent 0x[0-9a-f]{40} is not approved/gm),
    ).toHaveLength(1);
    expect(ok.stdout).toMatch(/open: buy 0\.1 → planned/);
    expect(w.actionsSent()).toBe(before);
  });

  it("a live reconcile its review refuses (no terminal, no --yes) says the refusal alone: the sizing change's warning is not said before it", {
    timeout: 60_000,
  }, async () => {
    const w = await reconcileWorld({ seed: 31 });
    await w.trade("BTC", "buy", 1);
    const reconcile = (ratio: string, args: string[]) =>
      w.cli(["reconcile", w.leader, "--mode", "fixed-ratio", "--ratio", ratio, ...args]);
    const first = await reconcile("0.01", ["--yes"]);
    expect(first.code, first.stderr).toBe(0);
    // 1.5× the last run's ratio: a warning, no review; the plan is over exec.confirmAbovePct,
    // which needs the review this run cannot have.
    const refused = await reconcile("0.015", ["--confirm-above-pct", "0.1%"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /^error: this run needs your review before it trades: it moves \$[\d,.]+, [\d.]+% of equity \(more than exec\.confirmAbovePct 0\.1%\)\nhint: [^\n]+\n$/,
    );
    // Confirmed: the warning is said (once).
    const yes = await reconcile("0.015", ["--yes"]);
    expect(yes.code, yes.stderr).toBe(0);
    expect(
      yes.stderr.match(
        /^warning: the last reconcile of these leaders .* sized by fixed-ratio ratio 0\.01; this run sizes by fixed-ratio ratio 0\.015/gm,
      ),
    ).toHaveLength(1);
  });

  it("a run the ownership check refuses says nothing first of what it would have copied (join new-only's notice)", {
    timeout: 60_000,
  }, async () => {
    const w = await reconcileWorld({ seed: 33 });
    await w.trade("BTC", "buy", 1);
    // Our own position, opened outside hlcopy: the start refuses it.
    const markets = await w.ours.getMarkets();
    const [r] = await w.ours.placeOrders([action(markets, "ETH", "buy", 1)], markets);
    expect(r?.status).toBe("filled");
    for (const dry of [[], ["--dry-run"]]) {
      const refused = await w.cli(["reconcile", w.leader, ...COPY, "--join", "new-only", ...dry]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(
        /^error: 0x[0-9a-f]{40} holds position\(s\) hlcopy did not open: ETH \+1\nhint: [^\n]+\n$/,
      );
    }
  });

  it("follow under a standing pause: a coin typo is the two lines, with no 'started paused' or 'stopped while paused' — live, dry run and --json alike", {
    timeout: 90_000,
  }, async () => {
    const w = await reconcileWorld({ seed: 29 });
    await w.trade("ETH", "buy", 10);
    const before = w.actionsSent();
    liftPauseAfter(w.sim.httpUrl, w.account);
    expect((await w.cli(["pause"])).code).toBe(0);
    const follow = (args: string[]) =>
      w.cli(["follow", w.leader, ...COPY, "--no-ui", ...args], { timeoutMs: 60_000 });
    for (const args of [
      ["--allow-coins", "ETHH", "--yes"],
      ["--deny-coins", "XYZ", "--dry-run"],
    ]) {
      const r = await follow(args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(REFUSAL_ALONE);
      expect(r.stdout).not.toMatch(/warning/);
      const j = await w.cli(["--json", "follow", w.leader, ...COPY, ...args], { timeoutMs: 60_000 });
      expect(j.code).toBe(2);
      expect(jsonError(j.stdout)).toMatch(REFUSAL_ALONE);
      expect(j.stderr).toBe("");
    }
    // A dry run with an agent a live run would refuse: its set-up's warning is not said either.
    const dry = await w.cli(["--json", "follow", w.leader, ...COPY, "--dry-run", "--deny-coins", "XYZ"], {
      env: { HLCOPY_AGENT_KEY: generatePrivateKey() },
      timeoutMs: 60_000,
    });
    expect(dry.code).toBe(2);
    expect(jsonError(dry.stdout)).toMatch(REFUSAL_ALONE);
    expect(w.actionsSent()).toBe(before);
  });
});
