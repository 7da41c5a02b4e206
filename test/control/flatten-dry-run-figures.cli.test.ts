// hlcopy flatten --dry-run says what the flatten then does, figure for figure — where the
// account has more than positions: our orders of unknown outcome (sent, no reply journaled),
// which the flatten looks up by cloid before it plans, and our resting passive entries, which it
// cancels first; and, with a follow running, the limit prices the follow would send at. Until
// 2026-12-07 the dry run said nothing of the first two (and a flatten whose shell had no
// exec.entry passive left the entries resting), and priced the closes at this shell's
// exec.slippageBps whatever the follow's. The real binaries against the simulator.

import { describe, expect, it } from "vitest";
import type { PlannedAction } from "../../src/core/types.js";
import { journalPath, openJournal } from "../../src/store/journal.js";
import { action } from "../exchange/helpers.js";
import { spawnFollowIn } from "../follow/helpers.js";
import { liftPauseAfter } from "../helpers/cli.js";
import { type ReconcileWorld, reconcileWorld } from "../helpers/reconcile-world.js";

interface Preview {
  closes: { coin: string; side: string; size: number; limitPx: number }[];
  left: unknown[];
  cancels: { coin: string; cloid: string; side: string; size: number; limitPx: number }[];
  leftResting: { cloid: string }[];
  unknownOrders: { cloid: string; coin: string; outcome: string; filledSize: number; detail: string }[];
  limitPx: { slippageBps: number; from: string };
}

/** Journal `a` as an earlier run left it: its intent, and `status` (sent: no reply came). */
function journaled(w: ReconcileWorld, a: PlannedAction, status: "sent" | "resting", ts: number): void {
  const j = openJournal(journalPath(w.env.HLCOPY_CONFIG_DIR, w.account, w.sim.httpUrl));
  try {
    j.recordOrderIntent({ runId: null, ts, action: a });
    j.updateOrder(a.cloid, { ts, status });
  } finally {
    j.close();
  }
}

const journalStatus = (w: ReconcileWorld, cloid: string) => {
  const j = openJournal(journalPath(w.env.HLCOPY_CONFIG_DIR, w.account, w.sim.httpUrl));
  try {
    return j.getOrder(cloid)?.status;
  } finally {
    j.close();
  }
};

const openCloids = async (w: ReconcileWorld) =>
  (await w.ours.getAccountState(w.account)).openOrders.map((o) => o.cloid).sort();

describe("hlcopy flatten --dry-run, figure for figure", () => {
  it("looks up the orders of unknown outcome as the flatten does, and lists the resting entries it cancels", {
    timeout: 120_000,
  }, async () => {
    const w = await reconcileWorld({ seed: 2323 });
    liftPauseAfter(w.sim.httpUrl, w.account);
    await w.trade("BTC", "buy", 1);
    const copied = await w.cli(["reconcile", w.leader, "--mode", "fixed-ratio", "--ratio", "0.1", "--yes"]);
    expect(copied.code, copied.stderr).toBe(0);
    const markets = await w.ours.getMarkets();
    // A minute ago (their expiry passed): an IOC that filled, a post-only entry that rests, and
    // one that never reached the exchange — each sent with no reply journaled.
    const ago = Date.now() - 60_000;
    const filled = action(markets, "ETH", "buy", 2);
    const rests = { ...action(markets, "SOL", "buy", 10, { slipBps: -2000 }), passive: true as const };
    const lost = action(markets, "AVAX", "buy", 10);
    // And an entry an earlier run journaled resting (its shell's exec.entry passive, not ours).
    const entry = { ...action(markets, "LINK", "buy", 20, { slipBps: -2000 }), passive: true as const };
    for (const a of [filled, rests, lost]) journaled(w, a, "sent", ago);
    journaled(w, entry, "resting", ago);
    const placed = await w.ours.placeOrders([filled, rests, entry], markets);
    expect(placed.map((r) => r.status)).toEqual(["filled", "resting", "resting"]);
    const orders = w.sim.control.orderHistory(w.account).length;
    const resting = await openCloids(w);
    expect(resting).toEqual([rests.cloid, entry.cloid].sort());

    const dry = await w.cli(["--json", "flatten", "--dry-run"], { env: { HLCOPY_AGENT_KEY: "" } });
    expect(dry.code, dry.stderr).toBe(3);
    // What the flatten does first is said: each order looked up, each entry it cancels.
    const text = await w.cli(["flatten", "--dry-run"], { env: { HLCOPY_AGENT_KEY: "" } });
    expect(text.code, text.stderr).toBe(3);
    const said = text.stdout.replace(/\n {2,}/g, " ");
    expect(said).toMatch(/look up 3 order\(s\) of unknown outcome first/);
    expect(said).toMatch(/ETH buy 2: filled 2: part of the ETH position, closed with it/);
    expect(said).toMatch(/SOL buy 10: resting on the book: cancelled first/);
    expect(said).toMatch(/AVAX buy 10: not filled \(not placed: [^)]*\): nothing to close/);
    expect(said).toMatch(/cancel 2 resting passive entries first:/);
    // The same in --json: each order looked up, what the flatten makes of it.
    const preview = JSON.parse(dry.stdout) as Preview;
    const outcome = Object.fromEntries(preview.unknownOrders.map((u) => [u.coin, [u.outcome, u.filledSize]]));
    expect(outcome).toEqual({ ETH: ["filled", 2], SOL: ["resting", 0], AVAX: ["rejected", 0] });
    // The resting ones cancelled first: the entry and the order found resting, what is left of each.
    expect(preview.cancels.map((c) => [c.coin, c.side, c.size, c.limitPx, c.cloid]).sort()).toEqual(
      [
        ["LINK", "buy", 20, entry.limitPx, entry.cloid],
        ["SOL", "buy", 10, rests.limitPx, rests.cloid],
      ].sort(),
    );
    expect(preview.closes.map((c) => `${c.coin} ${c.side} ${c.size}`).sort()).toEqual([
      "BTC sell 0.1",
      "ETH sell 2",
    ]);
    expect(preview.left).toEqual([]);

    // A dry run: nothing sent, nothing cancelled, nothing journaled.
    expect(w.sim.control.orderHistory(w.account).length).toBe(orders);
    expect(await openCloids(w)).toEqual(resting);
    expect(journalStatus(w, filled.cloid)).toBe("sent");

    // The flatten does what it listed: those cancels, those closes.
    const flat = await w.cli(["--json", "flatten", "--yes"]);
    expect(flat.code, flat.stderr).toBe(0);
    const done = JSON.parse(flat.stdout) as {
      cancelled: Preview["cancels"];
      closed: { coin: string; side: string; size: number }[];
    };
    expect(done.cancelled.map((c) => [c.coin, c.side, c.size, c.limitPx, c.cloid]).sort()).toEqual(
      preview.cancels.map((c) => [c.coin, c.side, c.size, c.limitPx, c.cloid]).sort(),
    );
    expect(done.closed.map((c) => `${c.coin} ${c.side} ${c.size}`).sort()).toEqual(
      preview.closes.map((c) => `${c.coin} ${c.side} ${c.size}`).sort(),
    );
    expect(await openCloids(w)).toEqual([]);
    expect(await w.positions()).toEqual({});
  });

  it("with a follow running: prices the closes at the follow's exec.slippageBps, which its flatten then sends; an entry an earlier run left it cancelled at its first sweep, one of unknown outcome it never took up is said as left", {
    timeout: 120_000,
  }, async () => {
    const w = await reconcileWorld({ seed: 2424 });
    liftPauseAfter(w.sim.httpUrl, w.account);
    await w.trade("BTC", "buy", 1);
    await w.trade("ETH", "sell", 10);
    // An entry an earlier run (with --entry passive) left resting: the follow, without it, keeps
    // none — it cancels it at its first sweep (until 2026-12-07 it left it on the book).
    const markets = await w.ours.getMarkets();
    const entry = { ...action(markets, "LINK", "buy", 20, { slipBps: -2000 }), passive: true as const };
    journaled(w, entry, "resting", Date.now() - 60_000);
    expect((await w.ours.placeOrders([entry], markets))[0]?.status).toBe("resting");
    const run = spawnFollowIn(w, { extra: ["--slippage-bps", "300", "--sweep-seconds", "3600"] });
    try {
      await run.until(() => run.lines.some((l) => l.type === "sweep"));
      expect(await openCloids(w)).toEqual([]);
      expect(journalStatus(w, entry.cloid)).toBe("cancelled");
      expect(JSON.stringify(run.lines)).toContain(
        `LINK: cancelled the passive entry buy 20 @ ${entry.limitPx} an earlier run left resting (exec.entry is ioc now)`,
      );
      // An entry of an earlier run whose outcome the journal does not know (sent, no reply),
      // on the book since the follow's first sweep: it never took it up.
      const unknown = { ...action(markets, "SOL", "buy", 10, { slipBps: -2000 }), passive: true as const };
      journaled(w, unknown, "sent", Date.now() - 60_000);
      expect((await w.ours.placeOrders([unknown], markets))[0]?.status).toBe("resting");
      const orders = w.sim.control.orderHistory(w.account).length;
      // This shell's settings: the default exec.slippageBps, not the follow's.
      const dry = await w.cli(["--json", "flatten", "--dry-run"], { env: { HLCOPY_AGENT_KEY: "" } });
      expect(dry.code, dry.stderr).toBe(3);
      const preview = JSON.parse(dry.stdout) as Preview;
      const text = await w.cli(["flatten", "--dry-run"], { env: { HLCOPY_AGENT_KEY: "" } });
      expect(text.code, text.stderr).toBe(3);

      const flat = await w.cli(["flatten", "--yes"]);
      expect(flat.code, flat.stderr).toBe(0);
      const sent = await run.until(() => {
        const s = w.sim.control.orderHistory(w.account).slice(orders);
        return s.length >= 2 ? s : null;
      });
      // The follow's closes went at the limit prices the dry run showed (the prices are frozen).
      expect(preview.closes.map((c) => `${c.coin} ${c.side}`).sort()).toEqual(["BTC sell", "ETH buy"]);
      expect(sent.map((o) => `${o.coin} ${Number(o.px)}`).sort()).toEqual(
        preview.closes.map((c) => `${c.coin} ${c.limitPx}`).sort(),
      );
      // The unknown one rests on: the dry run listed it as left, not cancelled.
      expect(await openCloids(w)).toEqual([unknown.cloid]);
      expect(preview.cancels).toEqual([]);
      expect(preview.leftResting.map((c) => c.cloid)).toEqual([unknown.cloid]);
      // Whose settings the limit prices are at is said.
      expect(preview.limitPx).toEqual({ slippageBps: 300, from: "follow" });
      const said = text.stdout.replace(/\n {2,}/g, " ");
      expect(said).toMatch(
        /no worse than its limit px: 300 bps through the book's touch, the follow's exec\.slippageBps as its run journaled it\):/,
      );
      expect(said).toContain(
        "\nleave 1 resting passive entry on the book: the follow takes up the entries an earlier run left at its first sweep (it cancels them; with exec.entry passive it keeps them, and its flatten cancels them), but this one is of unknown outcome in its journal: it looks it up and journals it, and leaves it resting — stop it (hlcopy stop), then hlcopy flatten cancels it: our passive entry buy 10 SOL",
      );
    } finally {
      run.child.kill("SIGTERM");
      await run.exit;
    }
  });
});
