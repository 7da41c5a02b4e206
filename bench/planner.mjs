// Planner time per plan: a 50-coin state (steady state, and every coin needing an order),
// and the single-coin hot path after a leader fill. Imports the built dist/ (`npm run bench
// planner` builds first; or `npm run build && node bench/planner.mjs`).
import { planOrders } from "../dist/core/planner.js";
import { defaultSettings } from "../dist/core/settings.js";
import { summarize } from "../dist/core/stats.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 20_000);
const COINS = 50;

// 50 markets across the szDecimals / price ranges of real perps.
const markets = {};
const leaderPositions = {};
const ourPositions = {};
for (let i = 0; i < COINS; i++) {
  const coin = `C${i}`;
  const szDecimals = i % 6;
  const mid = Number((3 * 10 ** (szDecimals - 1) * (1 + (i % 7) / 10)).toPrecision(5)); // lot ≈ $0.3
  markets[coin] = {
    coin,
    assetId: i,
    szDecimals,
    maxLeverage: 20,
    mid,
    bestBid: mid * 0.9999,
    bestAsk: mid * 1.0001,
  };
  const size = ((i % 2 ? -1 : 1) * (2_000 + 300 * i)) / mid; // $2k…$17k per coin at the leader
  leaderPositions[coin] = { coin, size, entryPx: mid };
  // Ours: on target to within the deadband for most coins, a few drifting.
  const target = size * 0.1;
  const ours = i % 10 === 0 ? target * 0.5 : target * 0.995;
  const lot = 10 ** -szDecimals;
  ourPositions[coin] = { coin, size: Math.trunc(ours / lot) * lot, entryPx: mid };
}
const leader = {
  address: "0x1111111111111111111111111111111111111111",
  accountValue: 1_000_000,
  positions: leaderPositions,
  openOrders: [],
  time: 0,
  weight: 1,
  lastFillPx: Object.fromEntries(Object.entries(markets).map(([c, m]) => [c, m.mid])),
};
const us = {
  address: "0x9999999999999999999999999999999999999999",
  accountValue: 100_000,
  openOrders: [],
  time: 0,
};
const settings = { ...defaultSettings(), risk: { ...defaultSettings().risk, maxLeverage: 10 } };

function params(ourPos, extra = {}) {
  return {
    leaders: [leader],
    ours: { ...us, positions: ourPos },
    markets,
    settings,
    context: { now: 1, halted: false, cloidSeed: "bench" },
    ...extra,
  };
}

function bench(label, make) {
  for (let i = 0; i < 2_000; i++) planOrders(make(i)); // warm-up (JIT)
  const samples = new Array(RUNS);
  let last;
  for (let i = 0; i < RUNS; i++) {
    const p = make(i);
    const t0 = process.hrtime.bigint();
    last = planOrders(p);
    samples[i] = Number(process.hrtime.bigint() - t0) / 1e3;
  }
  const s = summarize(samples);
  console.log(
    `  ${label.padEnd(44)} median ${s.median.toFixed(1).padStart(6)} µs   p99 ${s.p99.toFixed(1).padStart(6)} µs   (${last.actions.length} actions, ${last.skipped.length} skips)`,
  );
}

console.log(`planner (${RUNS} plans each, node ${process.versions.node})`);
bench("50 coins, steady state (5 coins drifting)", (i) =>
  params(ourPositions, { context: { now: i, halted: false, cloidSeed: `b${i}` } }),
);
bench("50 coins, all 50 need an order (from flat)", (i) =>
  params({}, { context: { now: i, halted: false, cloidSeed: `b${i}` } }),
);
bench("hot path: 1 coin of 50 (coins: [C10])", (i) =>
  params(ourPositions, { coins: ["C10"], context: { now: i, halted: false, cloidSeed: `b${i}` } }),
);

// Issue 14's per-leader rules on the same 50 coins split between two leaders, from flat: the
// allocation cap binding on one of them (its 25 coins scaled), a leverage gate on the other
// (its 25 opens dropped), a third leader unfollowed.
const half = (pick) => Object.fromEntries(Object.entries(leaderPositions).filter((_, i) => i % 2 === pick));
const leaderA = { ...leader, positions: half(0), weight: 0.5 };
const leaderB = {
  ...leader,
  address: "0x2222222222222222222222222222222222222222",
  positions: half(1),
  weight: 0.5,
};
const leaderC = { ...leader, address: "0x3333333333333333333333333333333333333333", unfollowed: true };
const perLeader = {
  ...settings,
  risk: { ...settings.risk, maxAllocationPct: 5 },
};
bench("50 coins, 3 leaders, allocation + gate + unfollow", (i) =>
  params(
    {},
    {
      leaders: [leaderA, leaderB, leaderC],
      settings: perLeader,
      context: {
        now: i,
        halted: false,
        cloidSeed: `b${i}`,
        leaderGates: [{ leader: leaderB.address, coins: null, reason: "leader-leverage", detail: "x" }],
      },
    },
  ),
);
