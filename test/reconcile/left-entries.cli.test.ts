// A reconcile with exec.entry passive leaves its post-only entry resting when it ends (the next
// passive run adopts it). A later reconcile without --entry passive kept no entries and so
// ignored it — left on the book to fill at any time. Now its dry run lists the cancel and says
// it would send it (exit 3, nothing sent), and the live run cancels it before its orders: the
// book holds no order of ours after it. The real CLI against the simulator.

import { describe, expect, it } from "vitest";
import { journalPath, openJournal } from "../../src/store/journal.js";
import { reconcileWorld } from "../helpers/reconcile-world.js";
import { passiveEntryLeft, reconcileReport as report } from "./passive-world.js";

const COPY = ["--mode", "fixed-ratio", "--ratio", "0.1"];
/** The report's text with its wrapped lines joined. */
const oneLine = (text: string) => text.replace(/\s+/g, " ");

/** A passive reconcile whose SOL buy rests at the best bid (another trader's ask sits at the mid). */
async function entryLeftResting() {
  const w = await reconcileWorld({ seed: 41 });
  return { w, ...(await passiveEntryLeft(w, [...COPY, "--entry", "passive"])) };
}

describe("reconcile without --entry passive, after a passive run left its entry resting", () => {
  it("--dry-run lists the cancel a live run sends first and says it would cancel it; nothing sent", async () => {
    const { w, px, cloid, ours } = await entryLeftResting();
    const dry = await w.cli(["reconcile", w.leader, ...COPY, "--dry-run"]);
    expect(dry.stderr).toContain(
      `SOL: a live run would cancel the passive entry buy 10 @ ${px} an earlier run left resting (exec.entry is ioc)`,
    );
    expect(oneLine(dry.stdout)).toContain(
      `would cancel: SOL: cancel the passive entry buy 10 SOL @ ${px} an earlier run left resting: exec.entry is ioc now`,
    );
    expect(dry.code).toBe(3);
    expect((await ours()).map((o) => o.cloid)).toEqual([cloid]);
  }, 90_000);

  it("--dry-run of a copy in sync still says a live run would cancel it: exit 3, not 0", async () => {
    const { w, px } = await entryLeftResting();
    // The leader closes: nothing to copy, the entry is all a live run would send.
    // (The market moves up first, away from our bid: the leader's sell does not fill it.)
    w.sim.control.setMid("SOL", px + 20);
    await w.trade("SOL", "sell", 100);
    const dry = await w.cli(["reconcile", w.leader, ...COPY, "--dry-run"]);
    expect(oneLine(dry.stdout)).toContain(
      `would cancel: SOL: cancel the passive entry buy 10 SOL @ ${px} an earlier run left resting: exec.entry is ioc now`,
    );
    expect(oneLine(dry.stdout)).toContain(
      "in sync, but a live run would cancel the resting entries above (dry run: nothing sent)",
    );
    expect(dry.code).toBe(3);
  }, 90_000);

  it("--dry-run after the entry filled while no run watched: ours, as the live run journals it — not a position hlcopy did not open", async () => {
    const { w, cloid, ours } = await entryLeftResting();
    // The leader closes through our bid: the entry fills.
    await w.trade("SOL", "sell", 100);
    expect(await ours()).toEqual([]);
    expect(await w.positions()).toEqual({ SOL: 10 });
    const dry = await w.cli(["reconcile", w.leader, ...COPY, "--dry-run"]);
    // Until 2026-12-07 refused (exit 2): "holds position(s) hlcopy did not open: SOL +10".
    expect(dry.stderr).not.toMatch(/did not open/);
    expect(oneLine(dry.stdout)).toMatch(/SOL .*close: sell 10 \(reduce\)/);
    expect(dry.code).toBe(3);
    // A dry run writes nothing: the journal still has it resting, for the live run to look up.
    const j = openJournal(journalPath(w.env.HLCOPY_CONFIG_DIR, w.account, w.sim.httpUrl));
    try {
      expect(j.getOrder(cloid)?.status).toBe("resting");
    } finally {
      j.close();
    }
    // The live run does what its dry run said: the entry journaled filled, ours, closed.
    const live = await w.cli(["--json", "reconcile", w.leader, ...COPY, "--yes"]);
    expect(live.code, live.stderr).toBe(0);
    expect(report(live.stdout).actions.map((a) => [a.coin, a.side, a.size, a.status])).toEqual([
      ["SOL", "sell", 10, "filled"],
    ]);
    expect(await w.positions()).toEqual({});
  }, 90_000);

  it("the live run cancels it before its orders: the book holds no order of ours", async () => {
    const { w, px, cloid, ours } = await entryLeftResting();
    const r = await w.cli(["--json", "reconcile", w.leader, ...COPY, "--yes"]);
    expect(r.stderr).toContain(
      `SOL: cancelled the passive entry buy 10 @ ${px} an earlier run left resting (exec.entry is ioc now)`,
    );
    const doc = report(r.stdout);
    expect(doc.cancels.map((c) => [c.coin, c.cloid, c.reason])).toEqual([["SOL", cloid, "passive-cancel"]]);
    expect(doc.notices).toContainEqual({
      kind: "entry",
      message: `SOL: cancelled the passive entry buy 10 @ ${px} an earlier run left resting (exec.entry is ioc now)`,
    });
    expect(await ours()).toEqual([]);
    // Its copy went as the IOC its exec.entry says, once the entry was off the book.
    expect(await w.positions()).toEqual({ SOL: 10 });
    const orders = await w.cli(["--json", "journal", "--type", "orders"]);
    expect(orders.stdout).toContain(cloid);
  }, 90_000);
});
