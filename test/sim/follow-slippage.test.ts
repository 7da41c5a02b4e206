// The default book gives the slippage a small account copying a large leader sees on liquid
// mainnet markets: a $10 000 follower copying a $1 000 000 leader (whose $100k–250k trades walk
// a few of the maker's $50 000 levels) pays a few bps against the market it saw before the
// leader traded, because it arrives after the leader has taken the best levels. Measured here
// (HLCOPY_PRINT_SLIPPAGE=1 prints the figures); the README quotes them.

import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, expect, it } from "vitest";
import { engineClient, streamsOpener } from "../../src/cli/wiring.js";
import { defaultSettings } from "../../src/core/settings.js";
import type { Address } from "../../src/core/types.js";
import { CopyEngine } from "../../src/engine/engine.js";
import type { EngineEvent } from "../../src/engine/events.js";
import { liveExecutor } from "../../src/engine/executor.js";
import { RequestBudget } from "../../src/exchange/index.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";
import { leaderKeyForSeed, startScriptedLeader } from "../../src/sim/leader.js";
import { openJournal } from "../../src/store/journal.js";
import { eventually, masterWithAgent } from "../exchange/helpers.js";

let sim: SimHandle;
beforeAll(async () => {
  // The default depth ($1M a side), refilling over a minute instead of a second: what the copy
  // finds left by the leader must not depend on how fast a busy machine copies.
  sim = await startSim({ seed: 12, tickMs: 0, refillMs: 60_000 });
});
afterAll(async () => {
  await sim.close();
});

it("a $10k account copying a $1M leader pays a few bps on the default book", async () => {
  const { master, agentKey } = await masterWithAgent(sim, 10_000);
  const leaderKey = leaderKeyForSeed(77);
  const leader = privateKeyToAccount(leaderKey).address.toLowerCase() as Address;
  sim.control.fund(leader, 1_000_000);
  const s = defaultSettings();
  s.sizing.mode = "fixed-ratio";
  s.sizing.ratio = 0.01; // $10k / $1M
  s.exec.sweepSeconds = 3600;
  const client = engineClient({
    httpUrl: sim.httpUrl,
    wsUrl: sim.wsUrl,
    isTestnet: false,
    account: master.address,
    agentKey,
    budget: new RequestBudget({ limitPerMinute: 1e9, burst: 1e6 }),
  });
  const engine = new CopyEngine({
    reader: client,
    executor: liveExecutor(client),
    journal: openJournal(":memory:"),
    settings: s,
    leaders: [{ address: leader, weight: 1 }],
    account: master.address,
    network: sim.httpUrl,
    mode: "live",
    command: "follow",
    // The leader, funded a moment ago, starts trading once the run is on; a trade of its before
    // the start would take from the book the copy's slippage is measured on.
    allowEmptyLeader: true,
  });
  const events: EngineEvent[] = [];
  engine.events.on((e) => events.push(e));
  const done = engine.run(
    streamsOpener({ wsUrl: sim.wsUrl, isTestnet: false, leaders: [leader], account: master.address }),
  );
  await eventually(() => events.some((e) => e.type === "sweep"));
  const l = await startScriptedLeader({
    httpUrl: sim.httpUrl,
    seed: 77,
    privateKey: leaderKey,
    ratePerSec: 4,
    coins: ["BTC", "ETH", "SOL", "HYPE"],
    maxTrades: 24,
    fundUsd: 0,
    notionalUsd: [100_000, 250_000],
  });
  await l.done;
  await eventually(() => events.filter((e) => e.type === "fill").length >= 15, 10_000);
  await new Promise((r) => setTimeout(r, 1_100)); // past the wait for a fill the account stream showed
  await engine.stop("test");
  expect(await done).toBe(0);
  // Every change the leader's account stream showed was explained by a fill on the fills stream.
  expect(
    events.filter((e) => e.type === "warning" && e.message.includes("no fill on the fills stream")),
  ).toEqual([]);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const fills = events.flatMap((e) => (e.type === "fill" ? [e] : []));
  // hlcopy's own figure: against the leader's fill price (the last level its order reached).
  const vsLeader = fills.flatMap((f) => (f.slippageBps === null ? [] : [f.slippageBps]));
  // What the copy pays against the market before the leader traded (prices are frozen: the mid).
  const vsMid = fills.map((f) => {
    const mid = sim.control.mid(f.coin) ?? f.px;
    return ((f.side === "buy" ? f.px - mid : mid - f.px) / mid) * 10_000;
  });
  if (process.env.HLCOPY_PRINT_SLIPPAGE) {
    console.log(
      `fills ${fills.length}: vs leader mean ${mean(vsLeader).toFixed(2)} median ${median(vsLeader).toFixed(2)} bps; vs mid mean ${mean(vsMid).toFixed(2)} median ${median(vsMid).toFixed(2)} bps`,
    );
  }
  // A few bps against the market: the leader took the best levels first. Never better than the
  // leader's own last level on the median (the book has not refilled in the copy's few ms).
  expect(median(vsMid)).toBeGreaterThan(1);
  expect(median(vsMid)).toBeLessThan(10);
  expect(median(vsLeader)).toBeGreaterThanOrEqual(0);
});
