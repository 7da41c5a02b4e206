// A passive run adopts at its first read the entry an earlier run left resting; one past
// exec.passiveTimeoutSeconds was expired there and then — its cancel sent before the run's
// review and before the key's unlock (a keystore's: the cancel failed, "no agent key", and was
// warned of; a key given up front: sent although the trader then said no). Now the entry's
// cancel is in the run's first plan, sent once the review said yes and the key is open; its
// coin's IOC follows, re-planned on what of the entry filled. The real engine, SDK and
// websockets against the in-process simulator.

import { describe, expect, it } from "vitest";
import type { Settings } from "../../src/core/settings.js";
import type { Address } from "../../src/core/types.js";
import type { PassiveSender } from "../../src/engine/passive.js";
import type { HlClient } from "../../src/exchange/index.js";
import { eventually } from "../exchange/helpers.js";
import { copySettings, startSimFollow, trade } from "../helpers/sim-engine.js";

/** Generous: the machine running the tests may be busy; a passing test never waits this long. */
const WAIT = 15_000;

const settings = (timeoutSeconds: number) =>
  copySettings((s: Settings) => {
    s.exec.sweepSeconds = 3600;
    s.exec.entry = "passive";
    s.exec.passiveTimeoutSeconds = timeoutSeconds;
    // Every plan with an order is reviewed.
    s.exec.confirmAbovePct = 0;
  });

async function position(c: HlClient, user: Address, coin: string): Promise<number> {
  const s = await c.getAccountState(user);
  return s.positions[coin]?.size ?? 0;
}

/** A passive run that leaves its BTC entry (buy 0.1) resting when it stops, then 1 s passes. */
async function entryLeftResting() {
  const t = await startSimFollow({ sim: { seed: 21, refillMs: 0 } });
  await trade(t.leaderClient, "BTC", "buy", 1);
  const passive = t.follow({ settings: settings(600), passive: t.client, review: async () => true });
  const running = passive.run();
  const rest = await eventually(
    () => passive.events.find((e) => e.type === "order" && e.coin === "BTC" && e.status === "resting"),
    WAIT,
  );
  if (rest.type !== "order") throw new Error("not an order");
  await passive.engine.stop("done");
  await running;
  // An ETH increase for the next run's plan to ask a yes for.
  await trade(t.leaderClient, "ETH", "buy", 1);
  // The next run's timeout is 1 s: the entry is past it when that run starts.
  const placed = t.journal.getOrder(rest.cloid)?.ts ?? Number.POSITIVE_INFINITY;
  await eventually(() => Date.now() > placed + 1_100, WAIT);
  return { t, rest };
}

/** Our client as the passive entries' sender, its cancels written down in `log`. */
function logged(client: HlClient, log: string[]): PassiveSender {
  return {
    cancelOrders: (cancels, markets, options) => {
      log.push(`cancel ${cancels.map((c) => c.coin).join(",")}`);
      return client.cancelOrders(cancels, markets, options);
    },
    lookupOrderByCloid: (user, cloid) => client.lookupOrderByCloid(user, cloid),
  };
}

describe("a passive run meets an entry an earlier run left resting past its timeout", () => {
  it("the trader says no: nothing is cancelled, the entry still rests", async () => {
    const { t, rest } = await entryLeftResting();
    const log: string[] = [];
    const run = t.follow({
      settings: settings(1),
      passive: logged(t.client, log),
      unlock: async () => {
        log.push("unlock");
      },
      review: async () => {
        log.push("review");
        // The trader takes a moment: the adopted entry's due timer goes off while the prompt waits.
        const asked = Date.now();
        await eventually(() => Date.now() > asked + 200, WAIT);
        return false;
      },
    });
    await expect(run.engine.preflight()).rejects.toThrow(/not confirmed|declined|review/i);
    await run.engine.stop("declined");
    expect(log).toEqual(["unlock", "review"]);
    const open = await t.client.getAccountState(t.master.address);
    expect(open.openOrders.map((o) => o.cloid)).toEqual([rest.cloid]);
    expect(t.journal.getOrder(rest.cloid)?.status).toBe("resting");
    expect(run.events.some((e) => e.type === "warning")).toBe(false);
  });

  it("the trader says yes: its first plan cancels it after the unlock and the review, then its IOC", async () => {
    const { t, rest } = await entryLeftResting();
    const log: string[] = [];
    const run = t.follow({
      settings: settings(1),
      passive: logged(t.client, log),
      unlock: async () => {
        log.push("unlock");
      },
      review: async (plan) => {
        log.push("review");
        // The plan asked about says the cancel.
        expect(plan.cancels?.map((c) => [c.coin, c.cloid, c.detail])).toEqual([
          [
            "BTC",
            rest.cloid,
            "not filled within exec.passiveTimeoutSeconds (1 s): the rest goes as IOC, unless the price ran past the entry-drift gate",
          ],
        ]);
        return true;
      },
    });
    await run.engine.preflight();
    const running = run.run();
    await eventually(async () => (await position(t.client, t.master.address, "BTC")) === 0.1, WAIT);
    expect(log).toEqual(["unlock", "review", "cancel BTC"]);
    expect(t.journal.getOrder(rest.cloid)?.status).toBe("cancelled");
    expect(
      t.sim.control
        .orderHistory(t.master.address)
        .filter((o) => o.coin === "BTC")
        .map((o) => [o.tif, o.side, o.status]),
    ).toEqual([
      ["Alo", "B", "canceled"],
      ["Ioc", "B", "filled"],
    ]);
    // Said once: its order line, cancelled as timed out; no warning.
    const lines = run.events.filter((e) => e.type === "order" && e.cloid === rest.cloid);
    expect(lines).toMatchObject([
      { status: "cancelled", error: expect.stringMatching(/^not filled within/) },
    ]);
    expect(run.events.some((e) => e.type === "warning")).toBe(false);
    await run.engine.stop("done");
    await running;
  });

  it("its dry run says it: the adoption, and its first plan's cancel; nothing sent", async () => {
    const { t, rest } = await entryLeftResting();
    const dry = t.follow({ settings: settings(1), mode: "dry-run", command: "dry-run" });
    const sweep = await dry.engine.sweep("sweep", false);
    expect(sweep.plan.cancels?.map((c) => [c.coin, c.cloid])).toEqual([["BTC", rest.cloid]]);
    expect(sweep.plan.actions.filter((a) => a.coin === "BTC")).toEqual([]);
    expect(dry.events.flatMap((e) => (e.type === "notice" && e.kind === "entry" ? [e.message] : []))).toEqual(
      [`BTC: a live run would adopt the passive entry buy 0.1 @ ${rest.limitPx} an earlier run left resting`],
    );
    const open = await t.client.getAccountState(t.master.address);
    expect(open.openOrders.map((o) => o.cloid)).toEqual([rest.cloid]);
    expect(t.journal.getOrder(rest.cloid)?.status).toBe("resting");
    await dry.engine.stop("done");
  });

  it("a dry run before its timeout: the live run would wait for it, not place a second", async () => {
    const { t, rest } = await entryLeftResting();
    const dry = t.follow({ settings: settings(600), mode: "dry-run", command: "dry-run" });
    const sweep = await dry.engine.sweep("sweep", false);
    expect(sweep.plan.cancels ?? []).toEqual([]);
    expect(sweep.plan.actions.filter((a) => a.coin === "BTC")).toEqual([]);
    expect(sweep.plan.skipped.filter((k) => k.coin === "BTC").map((k) => [k.reason, k.detail])).toEqual([
      [
        "passive-resting",
        `passive entry buy 0.1 BTC @ ${rest.limitPx} rests: waiting for its fill or its timeout`,
      ],
    ]);
    await dry.engine.stop("done");
  });
});

describe("a run whose exec.entry is not passive meets an entry an earlier run left resting", () => {
  const ioc = () =>
    copySettings((s: Settings) => {
      s.exec.sweepSeconds = 3600;
      s.exec.entry = "ioc";
      s.exec.confirmAbovePct = 0;
    });

  it("its first plan's cancel goes after the unlock and the review's yes — none after a no", async () => {
    const { t, rest } = await entryLeftResting();
    const declined: string[] = [];
    const no = t.follow({
      settings: ioc(),
      passive: logged(t.client, declined),
      unlock: async () => {
        declined.push("unlock");
      },
      review: async () => {
        declined.push("review");
        return false;
      },
    });
    await expect(no.engine.preflight()).rejects.toThrow();
    await no.engine.stop("declined");
    expect(declined).toEqual(["unlock", "review"]);
    expect(t.journal.getOrder(rest.cloid)?.status).toBe("resting");

    const log: string[] = [];
    const yes = t.follow({
      settings: ioc(),
      passive: logged(t.client, log),
      unlock: async () => {
        log.push("unlock");
      },
      review: async () => {
        log.push("review");
        return true;
      },
    });
    await yes.engine.preflight();
    const running = yes.run();
    await eventually(() => t.journal.getOrder(rest.cloid)?.status === "cancelled", WAIT);
    expect(log).toEqual(["unlock", "review", "cancel BTC"]);
    await yes.engine.stop("done");
    await running;
  });
});
