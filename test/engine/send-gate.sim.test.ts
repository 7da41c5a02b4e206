// The send path's gate (engine #maySend): a live run sends nothing — no order, cancel, leverage
// update or trigger — before its plan was reviewed and the key unlocked. run() acts up front;
// with no preflight its first sweep reviews, but a run that started paused skips that review
// (and the unlock): once the pause lifted, a leader fill on the hot path was planned and sent at
// once, before the sweep the resume asked for had asked the review or opened the key. Now the
// hot path holds until a sweep reviews; that sweep asks the review first. The real engine, SDK
// and websockets against the in-process simulator.

import { expect, it } from "vitest";
import type { Fill } from "../../src/core/types.js";
import type { EngineStreamEvent, OpenEngineStreams } from "../../src/engine/ports.js";
import { eventually } from "../exchange/helpers.js";
import { copySettings, startSimFollow, trade } from "../helpers/sim-engine.js";

/** Generous: the machine running the tests may be busy; a passing test never waits this long. */
const WAIT = 15_000;

it("a run() without preflight that starts paused sends nothing on the hot path after the pause lifts before its review and unlock", {
  timeout: 90_000,
}, async () => {
  const t = await startSimFollow({ sim: { seed: 41 } });
  const steps: string[] = [];
  const { engine, events, run } = t.follow({
    settings: copySettings((s) => {
      s.exec.sweepSeconds = 3600;
      // Every plan with an order is reviewed.
      s.exec.confirmAbovePct = 0;
    }),
    unlock: async () => {
      steps.push("unlock");
    },
    // Asked, never answered: the run stops with the question open (its signal aborts it).
    review: (_plan, _reasons, signal) =>
      new Promise<boolean>((_resolve, reject) => {
        steps.push("review");
        signal?.addEventListener("abort", () => reject(new Error("stopped at the review")));
      }),
  });
  // The streams as follow opens them, their events also ours to hand in.
  let push: ((e: EngineStreamEvent) => void) | null = null;
  const open = t.streams();
  const opener: OpenEngineStreams = (onEvent) => {
    push = onEvent;
    return open(onEvent);
  };
  engine.togglePause();
  const running = run(opener);
  // The first sweep, paused: no review, no key.
  await eventually(() => events.some((e) => e.type === "sweep"), WAIT);
  expect(steps).toEqual([]);
  // The leader opens ETH while the run is paused (held: nothing is copied).
  await trade(t.leaderClient, "ETH", "buy", 10);
  await eventually(() => events.some((e) => e.type === "leaderFill" && e.coin === "ETH"), WAIT);
  const markets = await t.client.getMarkets();
  const px = markets.ETH?.mid ?? 0;
  expect(px).toBeGreaterThan(0);
  const fill: Fill = {
    coin: "ETH",
    px,
    sz: 0.5,
    side: "buy",
    startPosition: 10,
    time: Date.now(),
    tid: 987_654_321,
    hash: "0xgate",
    oid: 123_456_789,
    cloid: null,
    fee: 0,
    feeToken: "USDC",
    closedPnl: 0,
    dir: "Open Long",
    crossed: true,
    liquidation: false,
  };
  // The pause lifts (a sweep is asked for) and, in the same turn, the leader's fill comes.
  engine.togglePause();
  const deliver = push as ((e: EngineStreamEvent) => void) | null;
  deliver?.({
    type: "leaderFill",
    at: Date.now(),
    leader: t.leader.address,
    fills: [fill],
    isSnapshot: false,
  });
  // The sweep the resume asked for opens the key and asks the review: nothing went before.
  await eventually(() => steps.includes("review"), WAIT);
  expect(steps).toEqual(["unlock", "review"]);
  expect(events.filter((e) => e.type === "order")).toEqual([]);
  expect((await t.client.getAccountState(t.account)).positions.ETH).toBeUndefined();
  await engine.stop("test over");
  await running;
});

it("a flatten asked at the review (its sweep queued behind it) sends nothing and asks nothing again after a no", {
  timeout: 90_000,
}, async () => {
  const t = await startSimFollow({ sim: { seed: 43 } });
  await trade(t.leaderClient, "ETH", "buy", 20);
  // Ours, adopted at this run's review: a flatten has something to close.
  await trade(t.client, "ETH", "buy", 1);
  let asked = 0;
  let answer: ((yes: boolean) => void) | null = null;
  const { engine, events } = t.follow({
    settings: copySettings((s) => {
      s.exec.sweepSeconds = 3600;
      s.exec.confirmAbovePct = 0;
    }),
    adopt: true,
    review: (_plan, _reasons, signal) =>
      new Promise<boolean>((resolve, reject) => {
        asked++;
        answer = resolve;
        signal?.addEventListener("abort", () => reject(new Error("stopped at the review")));
      }),
  });
  const preflight = engine.preflight();
  await eventually(() => answer !== null, WAIT);
  // hlcopy flatten reaches the run at its review: its sweep waits behind the question.
  engine.flatten("flatten requested (test)");
  (answer as ((yes: boolean) => void) | null)?.(false);
  await expect(preflight).rejects.toThrow(/not confirmed/);
  // The CLI closes its control socket before it stops the engine: the flatten's sweep goes on
  // meanwhile — it asked the question again (a yes there sent the closes).
  await eventually(() => asked > 1 || events.some((e) => e.type === "sweep"), WAIT);
  expect(asked).toBe(1);
  expect(engine.hasActed).toBe(false);
  await engine.stop("not confirmed at the review", 2);
  expect(events.filter((e) => e.type === "order")).toEqual([]);
  expect((await t.client.getAccountState(t.account)).positions.ETH?.size).toBe(1);
});
