// Orders resting on the account that hlcopy did not place (a limit or a stop set in the app,
// another bot's): they hold margin the copy counts and, once one fills, change a position
// outside hlcopy — the coin then skipped not-ours for the rest of a follow, the copy stopped
// for it in silence. One that may open or grow a position in a coin the run copies is refused at
// the start, before any order, dry runs and --adopt alike; reduce-only ones (a take-profit or
// stop on the copy) and those in coins the run leaves alone are named and kept; hlcopy's own
// (its journal knows their cloids) are never named. The real binary against a simulator.

import { describe, expect, it } from "vitest";
import type { ReconcileReport } from "../../src/cli/reconcile/run.js";
import { eventually } from "../exchange/helpers.js";
import { spawnFollowIn } from "../follow/helpers.js";
import {
  type ReconcileWorld,
  type ReconcileWorldOptions,
  reconcileWorld,
} from "../helpers/reconcile-world.js";

const COPY = ["--mode", "fixed-ratio", "--ratio", "0.01", "--max-leverage", "5"];

/** A world whose leader holds ETH, and our (master's) own hands on the account. */
async function world(onTestFinished: NonNullable<ReconcileWorldOptions["onTestFinished"]>) {
  const w = await reconcileWorld({ seed: 41, ourUsd: 10_000, onTestFinished });
  await w.tradeUsd("ETH", "buy", 200_000);
  const markets = await w.ours.getMarkets();
  /** A Gtc limit of the trader's (no cloid), resting `away` from the mid (0.8: 20 % below). */
  const hand = async (
    coin: string,
    buy: boolean,
    size: string,
    away: number,
    extra: { reduceOnly?: boolean; trigger?: "sl" | "tp" } = {},
  ) => {
    const m = markets[coin];
    if (!m) throw new Error(coin);
    const px = (x: number) => String(Number(x.toPrecision(4)));
    const t = extra.trigger
      ? { trigger: { isMarket: true, triggerPx: px(m.mid * away), tpsl: extra.trigger } }
      : { limit: { tif: "Gtc" as const } };
    const r = await w.master.sdk.order({
      orders: [
        {
          a: m.assetId,
          b: buy,
          p: px(m.mid * away * (buy ? 1.05 : 0.95)),
          s: size,
          r: extra.reduceOnly === true,
          t,
        },
      ],
      grouping: "na",
    });
    const status = r.response.data.statuses[0];
    expect(status && typeof status === "object" && "resting" in status).toBe(true);
  };
  const reconcile = async (args: string[]) => {
    const r = await w.cli(["--json", "reconcile", w.leader, ...COPY, ...args]);
    const doc = JSON.parse(r.stdout.trim().split("\n").at(-1) ?? "{}") as {
      type?: string;
      message?: string;
      hint?: string;
    };
    const error = doc.type === "error" ? { message: doc.message ?? "", hint: doc.hint ?? "" } : null;
    return { ...r, error, report: error ? null : (doc as unknown as ReconcileReport) };
  };
  const orders = () => w.sim.control.orderHistory(w.account).length;
  return { ...w, hand, reconcile, orders };
}
type World = Awaited<ReturnType<typeof world>> & ReconcileWorld;

describe.concurrent("orders hlcopy did not place", () => {
  it("one that may open a position in a copied coin is refused before any order — live, dry run and with --adopt — and --deny-coins leaves it out", async ({
    onTestFinished,
  }) => {
    const w: World = await world(onTestFinished);
    await w.hand("ETH", true, "0.5", 0.8); // a hand-placed buy limit, 20 % under the mid
    const sent = w.orders();
    const message = new RegExp(
      `^${w.account} has order\\(s\\) resting that hlcopy did not place: ETH buy 0\\.5 @ [\\d.]+ — a fill would open or grow a position outside hlcopy, and the copy would leave ETH alone \\(not-ours\\) from then on$`,
    );

    const live = await w.reconcile(["--yes"]);
    expect(live.code).toBe(2);
    expect(live.error?.message).toMatch(message);
    expect(live.error?.hint).toMatch(
      /^cancel them \(in the app, or the bot that placed them\), leave the coin\(s\) out with --deny-coins ETH, or copy into a dedicated sub-account/,
    );
    expect(w.orders()).toBe(sent);
    expect(await w.positions()).toEqual({});

    // A dry run answers what a live run would do: the same refusal (its --json error document).
    const dry = await w.reconcile(["--dry-run"]);
    expect(dry.code).toBe(2);
    expect(dry.error?.message).toMatch(message);

    // --adopt takes positions, not orders: still refused, and said why.
    const adopt = await w.reconcile(["--yes", "--adopt"]);
    expect(adopt.code).toBe(2);
    expect(adopt.error?.hint).toContain("--adopt takes positions hlcopy did not open, not orders");
    expect(w.orders()).toBe(sent);

    // Left out with the hint's flags: the run goes on, the order is named and left resting.
    const left = await w.reconcile(["--yes", "--deny-coins", "ETH"]);
    expect(left.code).toBe(0);
    expect(left.report?.notices).toContainEqual({
      kind: "foreign-orders",
      message: expect.stringMatching(
        /^order\(s\) hlcopy did not place, left resting: ETH buy 0\.5 @ [\d.]+ \(in coins this run leaves alone: the margin they hold is not the copy's to use\)$/,
      ),
    });
  });

  it("a reduce-only stop set in the app on hlcopy's position is named and kept; hlcopy's own stops are never named", async ({
    onTestFinished,
  }) => {
    const w: World = await world(onTestFinished);
    // The copy, with hlcopy's own stop resting beside it.
    const first = await w.reconcile(["--yes", "--stop-loss-pct", "20"]);
    expect(first.code).toBe(0);
    const eth = (await w.positions()).ETH ?? 0;
    expect(eth).toBeGreaterThan(0);
    const again = await w.reconcile(["--yes", "--stop-loss-pct", "20"]);
    expect(again.code).toBe(0);
    expect(again.report?.notices.filter((n) => n.kind === "foreign-orders")).toEqual([]);

    // The trader's own stop (reduce-only, from the app) on it: a fill only shrinks the position.
    await w.hand("ETH", false, String(eth), 0.7, { reduceOnly: true, trigger: "sl" });
    const kept = await w.reconcile(["--yes", "--stop-loss-pct", "20"]);
    expect(kept.code).toBe(0);
    expect(kept.report?.notices.filter((n) => n.kind === "foreign-orders").map((n) => n.message)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^order\\(s\\) hlcopy did not place, left resting: ETH sell ${eth} @ [\\d.]+ reduce-only, stop-loss trigger at [\\d.]+ \\(reduce-only: a fill only shrinks the position`,
        ),
      ),
    ]);
  });

  it("one placed during a follow is warned of once, before its fill leaves the coin alone, and journaled: hlcopy journal shows it after the run", async ({
    onTestFinished,
  }) => {
    const w: World = await world(onTestFinished);
    const run = spawnFollowIn(w, { extra: [...COPY, "--sweep-seconds", "1"] });
    const sweeps = () => run.lines.filter((l) => l.type === "sweep").length;
    const warned = () =>
      run.lines.filter(
        (l) => l.type === "warning" && String(l.message).startsWith("order(s) placed outside hlcopy"),
      );
    try {
      await eventually(() => sweeps() >= 1, 30_000);
      expect(warned()).toEqual([]);
      await w.hand("ETH", true, "0.5", 0.8);
      await eventually(() => warned().length > 0, 30_000);
      const after = sweeps();
      await eventually(() => sweeps() >= after + 2, 30_000);
      expect(warned().map((l) => l.message)).toEqual([
        expect.stringMatching(
          /^order\(s\) placed outside hlcopy: ETH buy 0\.5 @ [\d.]+: a fill would change ETH outside hlcopy, and the copy would leave it alone from then on — cancel it to keep ETH copied$/,
        ),
      ]);
    } finally {
      run.child.kill("SIGTERM");
      expect(await run.exit).toBe(0);
    }
    // Journaled once, as the positions changed outside hlcopy are: the order, and the words said.
    const journal = await w.cli(["--json", "journal", "--type", "events"]);
    expect(journal.code, journal.stderr).toBe(0);
    const entries = JSON.parse(journal.stdout) as { type?: string; coin?: string | null; data?: unknown }[];
    expect(entries.filter((e) => e.type === "foreignOrders")).toEqual([
      expect.objectContaining({
        coin: "ETH",
        data: {
          message: expect.stringMatching(
            /^order\(s\) placed outside hlcopy: ETH buy 0\.5 @ [\d.]+: a fill would change ETH/,
          ),
          orders: [expect.objectContaining({ coin: "ETH", side: "buy", size: 0.5, reduceOnly: false })],
        },
      }),
    ]);
    const text = await w.cli(["journal", "--type", "events"]);
    // As a line a person reads: the warning's words, not the event's raw fields.
    expect(text.stdout.replace(/[│\s]+/g, " ")).toMatch(
      / foreignOrders ETH order\(s\) placed outside hlcopy: ETH buy 0\.5 @ [\d.]+: a fill would change ETH outside hlcopy/,
    );
    expect(text.stdout).not.toContain("message=");
  });
});
