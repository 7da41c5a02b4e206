// reconcile --json's `warnings` is every `warning:` line the run printed on stderr, in order
// (docs/events.md): the start-up's (a read the exchange answered 500 to, retried) and a 429's
// resend of the order batch too — a script reading stdout alone sees them. Until 2026-12-06
// only the engine's warnings were there: a cron log's report said `"warnings":[]` above a run
// that had waited out the exchange.

import { describe, expect, it } from "vitest";
import { startFaultProxy } from "../exchange/proxy.js";
import { reconcileWorld } from "../helpers/reconcile-world.js";

describe("reconcile --json warnings", () => {
  it("has the start-up's and the resend's warning lines, as stderr says them", { timeout: 90_000 }, async ({
    onTestFinished,
  }) => {
    const w = await reconcileWorld({ seed: 133, onTestFinished });
    await w.trade("BTC", "buy", 1);
    const proxy = await startFaultProxy(w.sim.httpUrl);
    onTestFinished(() => proxy.close());
    // The first order batch is refused with 429 (nothing ran: sent again).
    let refuse = 1;
    proxy.setRule((q) => {
      if (q.endpoint !== "exchange" || q.type !== "order" || refuse <= 0) return null;
      refuse--;
      return { status: 429, body: "Too Many Requests" };
    });
    // The first read of the start-up answers 500 (retried).
    w.sim.control.fault({ kind: "http500", count: 1, endpoint: "info" });
    const r = await w.cli(
      ["--json", "reconcile", w.leader, "--mode", "fixed-ratio", "--ratio", "0.1", "--yes"],
      {
        network: proxy.httpUrl,
      },
    );
    expect(r.code, r.stderr).toBe(0);
    const said = r.stderr
      .split("\n")
      .filter((l) => l.startsWith("warning: "))
      .map((l) => l.slice("warning: ".length));
    expect(said.some((l) => /500/.test(l))).toBe(true);
    expect(said.some((l) => /sending the same orders again/.test(l))).toBe(true);
    const doc = JSON.parse(r.stdout) as { warnings: string[] };
    expect(doc.warnings).toEqual(said);
  });
});
