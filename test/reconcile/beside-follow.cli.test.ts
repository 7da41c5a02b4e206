// `reconcile --dry-run` beside a running `follow` on the same account, through the real binary:
// a dry run reads the journal from a copy taken when it starts, and the account a moment later.
// A position the follow opens in between is hlcopy's — never "not opened by hlcopy", whose hint
// (--adopt, --deny-coins) would send the trader the wrong way.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { journalPath, openJournal } from "../../src/store/journal.js";
import { eventually } from "../exchange/helpers.js";
import { type FaultProxy, startFaultProxy } from "../exchange/proxy.js";
import { spawnFollow } from "../follow/helpers.js";
import { runCli } from "../helpers/cli.js";
import { reconcileWorld } from "../helpers/reconcile-world.js";

let sim: SimHandle;
let proxy: FaultProxy;
beforeAll(async () => {
  sim = await startSim({ seed: 71, tickMs: 0 });
  // Both runs go through the proxy (one network, one journal); it holds the dry run's account read.
  proxy = await startFaultProxy(sim.httpUrl);
});
afterAll(async () => {
  await proxy?.close();
  await sim?.close();
});

describe("reconcile --dry-run beside a running follow", () => {
  it("a position the follow opened after the dry run copied the journal counts as hlcopy's", async () => {
    const w = await reconcileWorld({ sim });
    const leader = w.leader;
    const trade = (coin: string, usd: number) => w.tradeUsd(coin, "buy", usd);
    await trade("ETH", 200_000);
    const follower = w.account;
    const agentKey = w.agentKey;
    const dir = w.env.HLCOPY_CONFIG_DIR;
    const follow = spawnFollow({
      httpUrl: proxy.httpUrl,
      account: follower,
      leader,
      configDir: dir,
      agentKey,
      extra: ["--sweep-seconds", "3600"],
    });
    try {
      await eventually(() => follow.lines.some((l) => l.type === "sweep"), 30_000);

      // The dry run starts (it copies the journal) and asks for the account: held there.
      const gate = proxy.holdNext((r) => r.type === "clearinghouseState" && r.body.user === follower);
      const dry = runCli(
        [
          "--network",
          proxy.httpUrl,
          "--account",
          follower,
          "--json",
          "reconcile",
          leader,
          "--mode",
          "fixed-ratio",
          "--ratio",
          "0.2",
          "--dry-run",
        ],
        { env: { HLCOPY_CONFIG_DIR: dir }, timeoutMs: 60_000 },
      );
      await gate.held;
      // Meanwhile the leader opens SOL, and the follow copies it (a fill-triggered copy, no sweep).
      await trade("SOL", 100_000);
      await eventually(
        () =>
          follow.lines.some(
            (l) => l.type === "order" && l.coin === "SOL" && l.status === "filled" && l.kind === "copy",
          ),
        30_000,
      );
      const file = journalPath(dir, follower, proxy.httpUrl);
      await eventually(() => {
        const j = openJournal(file, { writes: "memory" });
        try {
          return j.ordersSince(0).some((o) => o.coin === "SOL" && o.status === "filled");
        } finally {
          j.close();
        }
      }, 10_000);
      gate.release();

      const r = await dry;
      // Not the refusal (exit 2, "holds position(s) hlcopy did not open: SOL …"): a report, in
      // which SOL is the copy's own. (Its leader was read before the hold: flat in SOL then, so
      // the plan closes it — drift, exit 3 — as a dry run reading the leader now would not.)
      expect(r.stderr).toBe("");
      const doc = JSON.parse(r.stdout.trim().split("\n").at(-1) ?? "{}") as {
        type: string;
        drift: { coin: string; ourSize: number; status: string }[];
      };
      expect(doc.type).toBe("reconcile");
      expect(doc.drift.find((d) => d.coin === "SOL")).toMatchObject({ status: "drift" });
      expect(doc.drift.find((d) => d.coin === "SOL")?.ourSize).toBeGreaterThan(0);
    } finally {
      follow.child.kill("SIGTERM");
      await follow.exit;
    }
  }, 120_000);
});
