// The demo's start-up race (issue 17): `run()` without a preflight opens the streams before
// its first sweep has read the markets; a leader fill that arrives while the streams open was
// planned on no markets and skipped "unknown-market". Now the first sweep plans it.

import { expect, it } from "vitest";
import type { OpenEngineStreams } from "../../src/engine/ports.js";
import { action, eventually } from "../exchange/helpers.js";
import { copySettings, startSimFollow } from "../helpers/sim-engine.js";

const settings = () => copySettings((s) => (s.exec.sweepSeconds = 3600));

it("a leader fill while the streams open (before the first sweep) is copied by that sweep, never skipped unknown-market", {
  timeout: 90_000,
}, async () => {
  const t = await startSimFollow({ sim: { seed: 31 } });
  const { leaderClient, master, client } = t;
  const { engine, events, run } = t.follow({ settings: settings(), command: "demo" });
  const open = t.streams();
  // The streams are up, but run() has not had its first sweep yet: the leader's first trade
  // lands exactly then (as the demo's scripted leader, which starts before the engine).
  const racing: OpenEngineStreams = async (onEvent) => {
    const streams = await open(onEvent);
    const markets = await leaderClient.getMarkets();
    const [r] = await leaderClient.placeOrders([action(markets, "ETH", "buy", 10)], markets);
    expect(r?.status).toBe("filled");
    await eventually(() => events.some((e) => e.type === "leaderFill" && e.coin === "ETH"));
    // Let any plan the fill queued run before the first sweep is scheduled.
    await new Promise((resolve) => setImmediate(resolve));
    return streams;
  };
  const running = run(racing);
  await eventually(
    () => events.some((e) => e.type === "order" && e.coin === "ETH" && e.status === "filled"),
    10_000,
  );
  const skips = events.flatMap((e) => (e.type === "decision" ? e.plan.skipped : []));
  expect(skips.filter((s) => s.reason === "unknown-market")).toEqual([]);
  expect((await client.getAccountState(master.address)).positions.ETH?.size).toBe(1);
  await engine.stop("test over");
  expect(await running).toBe(0);
});

it("a first follow's hot-path copy before its first sweep is its own position, never not-ours", {
  timeout: 90_000,
}, async () => {
  const t = await startSimFollow({ sim: { seed: 31 } });
  const { leaderClient } = t;
  // The leader has traded before (not an empty leader), but holds nothing now.
  const markets0 = await leaderClient.getMarkets();
  await leaderClient.placeOrders([action(markets0, "BTC", "buy", 0.1)], markets0);
  await leaderClient.placeOrders([action(markets0, "BTC", "sell", 0.1, { reduceOnly: true })], markets0);
  const { engine, events, run } = t.follow({ settings: settings() });
  // As follow does: the checks and the first plan before the streams.
  await engine.preflight();
  const open = t.streams();
  const racing: OpenEngineStreams = async (onEvent) => {
    const streams = await open(onEvent);
    const markets = await leaderClient.getMarkets();
    await leaderClient.placeOrders([action(markets, "SOL", "buy", 50)], markets);
    // The hot path copies it before run() schedules its first sweep.
    await eventually(() =>
      events.some((e) => e.type === "order" && e.coin === "SOL" && e.status === "filled"),
    );
    return streams;
  };
  const running = run(racing);
  await eventually(() => events.some((e) => e.type === "sweep"), 10_000);
  const skips = events.flatMap((e) => (e.type === "decision" ? e.plan.skipped : []));
  expect(skips.filter((s) => s.reason === "not-ours")).toEqual([]);
  expect(events.filter((e) => e.type === "warning" && e.message.includes("outside hlcopy"))).toEqual([]);
  const sweep = events.filter((e) => e.type === "sweep").at(-1);
  expect(sweep?.type === "sweep" && sweep.inSync).toBe(true);
  await engine.stop("test over");
  expect(await running).toBe(0);
});
