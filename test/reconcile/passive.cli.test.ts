// reconcile --entry passive prices its post-only entry as follow does (core/entry.ts
// passiveLimitPrice on the coin's best bid and ask, read for it: reconcile has no book stream),
// so it rests instead of being refused as crossing on every cron run; an entry the exchange
// still refuses as crossing (the book moved) goes as IOC in the same run, as follow's does.
// The real binary against the simulator, which refuses a crossing ALO as the exchange does.

import { describe, expect, it } from "vitest";
import { reconcileWorld } from "../helpers/reconcile-world.js";
import { askAtMid, reconcileReport as report } from "./passive-world.js";

const COPY = ["--mode", "fixed-ratio", "--ratio", "0.1", "--entry", "passive"];
const CROSSED = "Post only order would have immediately matched";

describe("reconcile --entry passive", () => {
  it("rests a post-only buy at the best bid when an ask sits at the mid (it would have crossed at the mid)", async () => {
    const w = await reconcileWorld({ seed: 41 });
    await w.trade("SOL", "buy", 100);
    // Another trader's ask rests at the mid, inside the maker's spread (one tick either side).
    const mid = await askAtMid(w);

    const r = await w.cli(["--json", "reconcile", w.leader, ...COPY, "--yes"]);
    const buy = report(r.stdout).actions.find((a) => a.coin === "SOL");
    expect(buy?.error ?? "").not.toMatch(CROSSED);
    expect(buy).toMatchObject({ side: "buy", size: 10, passive: true, status: "resting" });
    // Below the resting ask: at the best bid (the maker's, a tick under the mid).
    expect(buy?.limitPx ?? Number.POSITIVE_INFINITY).toBeLessThan(mid);
    expect(r.code).toBe(3);
    const open = await w.ours.getAccountState(w.account);
    expect(open.openOrders.map((o) => [o.coin, o.side, o.limitPx])).toEqual([["SOL", "buy", buy?.limitPx]]);
  }, 90_000);

  it("an entry the exchange refuses as crossing goes as IOC in the same run", async () => {
    const w = await reconcileWorld({ seed: 42 });
    await w.trade("SOL", "buy", 100);
    // The book moves between the read and the order: the exchange's own refusal, once.
    w.sim.control.fault({
      kind: "rejectOrders",
      count: 1,
      message: `${CROSSED}, bbo was 189.99@190. asset=5`,
    });
    const r = await w.cli(["--json", "reconcile", w.leader, ...COPY, "--yes"]);
    const sol = report(r.stdout).actions.filter((a) => a.coin === "SOL");
    expect(sol.map((a) => [a.side, a.size, a.passive === true, a.status])).toEqual([
      ["buy", 10, true, "rejected"],
      ["buy", 10, false, "filled"],
    ]);
    expect(r.stderr).toMatch(
      /SOL: the passive entry would have crossed the book \(our price is there now\): sent as IOC/,
    );
    expect(r.code).toBe(0);
    expect(await w.positions()).toEqual({ SOL: 10 });
  }, 90_000);
});
