// A passive reconcile leaves its entry resting; the next passive run adopts it at its first
// read and, past exec.passiveTimeoutSeconds, expires it: a cancel, then its coin's IOC. That
// cancel went at the read — before the trader's review and before a keystore's key was opened:
// it failed there (no key yet) with a warning, or, with HLCOPY_AGENT_KEY, was sent although the
// review then refused the run. Now it waits for the run's first plan after the review's yes and
// the unlock. The real CLI against the simulator.

import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { reconcileWorld } from "../helpers/reconcile-world.js";
import { passiveEntryLeft, reconcileReport as report } from "./passive-world.js";

const PASS = "a long enough passphrase 42";
const COPY = [
  "--mode",
  "fixed-ratio",
  "--ratio",
  "0.1",
  "--entry",
  "passive",
  "--passive-timeout-seconds",
  "1",
];

/** A passive reconcile whose SOL buy rests at the best bid (another trader's ask sits at the mid), past its timeout. */
async function entryLeftResting() {
  const w = await reconcileWorld({ seed: 43 });
  const left = await passiveEntryLeft(w, COPY);
  // Past its timeout (1 s) before the next run starts.
  await new Promise<void>((resolve) => {
    const check = () => (Date.now() - left.placedAt > 1_500 ? resolve() : setTimeout(check, 50));
    check();
  });
  return { w, ...left };
}

describe("a passive run meets the entry an earlier run left resting past its timeout", () => {
  it("with a keystore: the expiry's cancel waits for the unlock — no failed send, no warning; then the IOC", async () => {
    const { w, cloid, ours } = await entryLeftResting();
    const keyEnv = { HLCOPY_CONFIG_DIR: w.env.HLCOPY_CONFIG_DIR, HLCOPY_PASSPHRASE: PASS };
    const imported = await runCli(["--account", w.account, "agent", "import"], {
      env: keyEnv,
      input: `${w.agentKey}\n`,
    });
    expect(imported.code, imported.stderr).toBe(0);
    const r = await w.cli(["--json", "reconcile", w.leader, ...COPY, "--yes"], {
      env: { HLCOPY_AGENT_KEY: undefined, HLCOPY_PASSPHRASE: PASS },
    });
    expect(r.stderr).not.toMatch(/could not be cancelled|no agent key/);
    expect(r.code, r.stderr).toBe(0);
    // Until 2026-12-07 the run ended there, the entry resting and its coin "waiting for its fill
    // or its timeout" — every cron run the same: the expiry never went.
    const doc = report(r.stdout);
    expect(doc.cancels.map((c) => [c.coin, c.cloid, c.detail])).toEqual([
      [
        "SOL",
        cloid,
        "not filled within exec.passiveTimeoutSeconds (1 s): the rest goes as IOC, unless the price ran past the entry-drift gate",
      ],
    ]);
    expect(doc.actions.map((a) => [a.coin, a.side, a.size, a.passive === true, a.status])).toEqual([
      ["SOL", "buy", 10, false, "filled"],
    ]);
    expect(doc.warnings).toEqual([]);
    expect(await ours()).toEqual([]);
    expect(await w.positions()).toEqual({ SOL: 10 });
  }, 90_000);

  it("a review that refuses the run: nothing tried, nothing warned of, the entry still rests", async () => {
    const { w, cloid, ours } = await entryLeftResting();
    // An ETH increase too, and every plan with an order needs a yes: no terminal, no --yes.
    await w.trade("ETH", "buy", 10);
    const set = await w.cli(["config", "set", "exec.confirmAbovePct", "0"]);
    expect(set.code, set.stderr).toBe(0);
    const before = w.actionsSent();
    const r = await w.cli(["reconcile", w.leader, ...COPY]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: this run needs your review before it trades: /);
    expect(r.stderr).not.toMatch(/could not be cancelled|no agent key|warning/);
    expect((await ours()).map((o) => o.cloid)).toEqual([cloid]);
    expect(w.actionsSent()).toBe(before);
  }, 90_000);

  it("its dry run says what the live run does: adopts it, cancels it first, then the IOC; nothing sent", async () => {
    const { w, cloid, px, ours } = await entryLeftResting();
    const before = w.actionsSent();
    // --passive-timeout-seconds acts in a dry run: whether the left entry is past it.
    const dry = await w.cli(["--json", "reconcile", w.leader, ...COPY, "--dry-run"]);
    expect(dry.code, dry.stderr).toBe(3);
    // Until 2026-12-07 it knew no entry: its plan placed a second one (buy 10 passive).
    expect(dry.stderr).toBe(
      `SOL: a live run would adopt the passive entry buy 10 @ ${px} an earlier run left resting\n`,
    );
    const doc = report(dry.stdout);
    expect(doc.cancels.map((c) => [c.coin, c.cloid, c.detail])).toEqual([
      [
        "SOL",
        cloid,
        "not filled within exec.passiveTimeoutSeconds (1 s): the rest goes as IOC, unless the price ran past the entry-drift gate",
      ],
    ]);
    // The IOC is planned once the cancel went (the live run's next step): said by the skip.
    expect(doc.actions).toEqual([]);
    expect(doc.skipped.map((k) => [k.coin, k.reason, k.detail])).toEqual([
      [
        "SOL",
        "passive-resting",
        `passive entry buy 10 SOL @ ${px} not filled within exec.passiveTimeoutSeconds (1 s): cancelled first, then the rest goes as IOC`,
      ],
    ]);
    expect((await ours()).map((o) => o.cloid)).toEqual([cloid]);
    expect(w.actionsSent()).toBe(before);
  }, 90_000);
});
