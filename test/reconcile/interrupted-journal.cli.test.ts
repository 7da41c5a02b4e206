// A stop signal to `hlcopy reconcile` once it may send, through the real binary against its own
// simulator and a proxy that holds one of its requests: nothing more is sent after the signal,
// and the journal says what happened — the orders that went, and that the rest did not (held
// `stopping`, the signal journaled) — never a decision claiming actions that were never sent.

import { describe, expect, it } from "vitest";
import { eventually } from "../exchange/helpers.js";
import { startFaultProxy } from "../exchange/proxy.js";
import { startCli } from "../helpers/cli.js";
import { type ReconcileWorld, reconcileWorld } from "../helpers/reconcile-world.js";

/** `hlcopy reconcile --yes` of the world's leader through `network`, as a child we can signal. */
function startReconcile(w: ReconcileWorld, network: string) {
  return startCli(
    [
      "--network",
      network,
      "--account",
      w.account,
      "reconcile",
      w.leader,
      "--mode",
      "fixed-ratio",
      "--ratio",
      "0.1",
      "--yes",
    ],
    w.env,
  );
}

interface DecisionEntry {
  table: string;
  held?: string | null;
  plan: { actions: { coin: string }[] };
}

describe("reconcile interrupted once it may send: the journal claims no action it did not send", () => {
  it("SIGINT while it sets leverage, before its orders: no order goes; the decision is journaled as not sent, with the signal", async () => {
    const w = await reconcileWorld({ seed: 95 });
    const proxy = await startFaultProxy(w.sim.httpUrl);
    try {
      await w.trade("ETH", "buy", 10);
      await w.trade("BTC", "buy", 1);
      const signedBefore = w.actionsSent();
      const gate = proxy.holdNext((r) => r.endpoint === "exchange" && r.type === "updateLeverage");
      const run = startReconcile(w, proxy.httpUrl);
      await gate.held;
      run.child.kill("SIGINT");
      // Taken (said at once) before the held request is let go.
      await eventually(() => run.err().startsWith("SIGINT: "), 20_000);
      gate.release();
      // The drift it was to repair remains: exit 3, as a run that leaves drift.
      expect(await run.exit).toBe(3);
      expect(run.err()).toMatch(/^SIGINT: nothing more is sent — an order request already out is awaited/);
      expect(w.sim.control.orderHistory(w.account)).toEqual([]);
      // The other coin's leverage update is not sent either (the held one may have gone).
      expect(w.actionsSent() - signedBefore).toBeLessThanOrEqual(1);
      expect(run.out()).toMatch(/open: buy 1 → not sent \(SIGINT\)/);

      const cli = (args: string[]) => w.cli(args, { network: proxy.httpUrl });
      const json = JSON.parse(
        (await cli(["--json", "journal", "--type", "decisions"])).stdout,
      ) as DecisionEntry[];
      expect(json.map((d) => [d.held ?? null, d.plan.actions.map((a) => a.coin)])).toEqual([
        ["stopping", ["BTC", "ETH"]],
      ]);
      const text = (await cli(["journal"])).stdout.replace(/[│\s]+/g, " ");
      expect(text).toMatch(
        / decision sweep: 2 actions: BTC buy 0\.1 \(open\), ETH buy 1 \(open\) .*· not sent: the run was ending /,
      );
      expect(text).toMatch(/ stopping stopped by SIGINT: nothing more sent /);
      expect(text).not.toMatch(/ order (BTC|ETH) /);
    } finally {
      await proxy.close();
    }
  }, 120_000);

  it("SIGINT while its order is out and the leader trades: the order is awaited; the re-read's action is journaled as not sent", async () => {
    const w = await reconcileWorld({ seed: 96 });
    const proxy = await startFaultProxy(w.sim.httpUrl);
    try {
      await w.trade("ETH", "buy", 10);
      const gate = proxy.holdNext((r) => r.endpoint === "exchange" && r.type === "order");
      const run = startReconcile(w, proxy.httpUrl);
      await gate.held;
      run.child.kill("SIGINT");
      // Taken (said at once) before the held request is let go.
      await eventually(() => run.err().startsWith("SIGINT: "), 20_000);
      // The leader sells half while our buy of 1 ETH is out: the re-read wants 0.5 back.
      await w.trade("ETH", "sell", 5, true);
      gate.release();
      expect(await run.exit).toBe(3);
      expect(w.sim.control.orderHistory(w.account).map((o) => o.coin)).toEqual(["ETH"]);

      const cli = (args: string[]) => w.cli(args, { network: proxy.httpUrl });
      const json = JSON.parse(
        (await cli(["--json", "journal", "--type", "decisions"])).stdout,
      ) as DecisionEntry[];
      // The sending sweep's decision went (its order is journaled); the re-read's sell was never sent.
      expect(json.map((d) => [d.held ?? null, d.plan.actions.map((a) => a.coin)])).toEqual([
        [null, ["ETH"]],
        ["stopping", ["ETH"]],
      ]);
      const text = (await cli(["journal"])).stdout.replace(/[│\s]+/g, " ");
      expect(text).toMatch(
        / decision sweep: 1 action: ETH sell 0\.5 \(reduce\) .*· not sent: the run was ending /,
      );
    } finally {
      await proxy.close();
    }
  }, 120_000);

  it("SIGINT while its order batch waits out a 429 to be sent again: it is not sent again", async () => {
    const w = await reconcileWorld({ seed: 97 });
    const proxy = await startFaultProxy(w.sim.httpUrl);
    try {
      await w.trade("ETH", "buy", 10);
      let orders = 0;
      let run: ReturnType<typeof startReconcile> | null = null;
      // Every order request is refused with a 429 (nothing runs); at the first, the signal goes —
      // the batch then waits for the request budget's backoff to send it again.
      proxy.setRule((r) => {
        if (r.endpoint !== "exchange" || r.type !== "order") return null;
        orders++;
        if (orders === 1) run?.child.kill("SIGINT");
        return { status: 429, body: "null" };
      });
      run = startReconcile(w, proxy.httpUrl);
      expect(await run.exit).toBe(3);
      expect(run.err()).toMatch(/^SIGINT: nothing more is sent/m);
      // Sent once, refused, and not sent again after the signal.
      expect(orders).toBe(1);
      expect(w.sim.control.orderHistory(w.account)).toEqual([]);
    } finally {
      await proxy.close();
    }
  }, 120_000);
});
