// Engine events and dashboard states for the UI tests: a live run with three coins (one
// drifting outside its deadband), and helpers to make single events.
import type { Address, CoinTarget, Plan, Position } from "../../src/core/types.js";
import type { EngineEvent, RunMode } from "../../src/engine/events.js";
import { type DashboardState, initialDashboardState, reduceDashboard } from "../../src/ui/model.js";

export const LEADER = "0x1111111111111111111111111111111111111111" as Address;
export const LEADER2 = "0x3333333333333333333333333333333333333333" as Address;
export const ACCOUNT = "0x2222222222222222222222222222222222222222" as Address;
/** 2024-01-01 12:00:00.000 UTC */
export const T0 = Date.UTC(2024, 0, 1, 12, 0, 0, 0);

export type Ev<T extends EngineEvent["type"]> = Extract<EngineEvent, { type: T }>;

export function startEvent(mode: RunMode = "live", ts = T0): Ev<"start"> {
  return {
    type: "start",
    ts,
    mode,
    leaders: [{ address: LEADER, weight: 1 }],
    account: ACCOUNT,
    network: "testnet",
  };
}

export function fillEvent(ts: number, coin = "BTC", over: Partial<Ev<"fill">> = {}): Ev<"fill"> {
  return {
    type: "fill",
    ts,
    coin,
    side: "buy",
    px: 64000.5,
    sz: 0.01,
    fee: 0.2,
    cloid: "0xabc",
    kind: "copy",
    copySz: 0.01,
    execSlippageBps: 0.8,
    slippageBps: 1.2,
    lagMs: 4,
    ...over,
  };
}

export function plan(over: Partial<Plan> = {}): Plan {
  return {
    actions: [],
    skipped: [],
    targets: [],
    effectiveRatio: 0.1,
    portfolioScale: 1,
    inSync: true,
    ...over,
  };
}

/**
 * A fill's decision. `leaderSeen`: the leaderFill events told before its plan was made — by
 * default every one told before it (the leader's trades it decides on: core/leader-trades.ts).
 */
export function decisionEvent(
  ts: number,
  p: Plan,
  coins = ["BTC"],
  leaderSeen = Number.MAX_SAFE_INTEGER,
): Ev<"decision"> {
  return { type: "decision", ts, trigger: "fill", coins, plan: p, leaderSeen };
}

/** A leader's fill: of its order `oid` (the fills of one order are one leader trade). */
export function leaderFillEvent(
  ts: number,
  coin = "BTC",
  oid = 1,
  over: Partial<Ev<"leaderFill">> = {},
): Ev<"leaderFill"> {
  return {
    type: "leaderFill",
    ts,
    leader: LEADER,
    coin,
    side: "buy",
    px: 64000,
    sz: 0.5,
    dir: "Open Long",
    time: ts - 1,
    liquidation: false,
    oid,
    ...over,
  };
}

export function target(
  coin: string,
  leaderSize: number,
  targetSize: number,
  ourSize: number,
  mid: number,
): CoinTarget {
  return {
    coin,
    leaderSize,
    targetSize,
    ourSize,
    driftUsd: (targetSize - ourSize) * mid,
    mid,
    deadbandUsd: 10,
  };
}

export function stateEvent(
  ts: number,
  targets: CoinTarget[],
  over: { equity?: number; hwm?: number; drawdownPct?: number; deadbandUsd?: Record<string, number> } = {},
): Ev<"state"> {
  const positions: Position[] = targets
    .filter((t) => t.ourSize !== 0)
    .map((t) => ({ coin: t.coin, size: t.ourSize, entryPx: t.mid * 0.99, leverage: 3 }));
  const equity = over.equity ?? 10_234.12;
  return {
    type: "state",
    ts,
    account: { address: ACCOUNT, accountValue: equity, positions },
    hwm: over.hwm ?? 10_500,
    drawdownPct: over.drawdownPct ?? 2.53,
    leaders: [{ address: LEADER, accountValue: 100_000, positions: [] }],
    // The planner puts each target's deadband on it; the state event repeats them by coin.
    targets: over.deadbandUsd
      ? targets.map((t) => ({ ...t, deadbandUsd: over.deadbandUsd?.[t.coin] ?? t.deadbandUsd }))
      : targets,
    deadbandUsd: over.deadbandUsd ?? { BTC: 10, ETH: 10, SOL: 10 },
  };
}

export const LIVE_TARGETS: CoinTarget[] = [
  target("BTC", 0.5, 0.05, 0.05, 64000),
  target("ETH", -4, -0.4, -0.4, 3200),
  // 0.5 SOL short of target at $150: $75 drift, outside the $10 deadband.
  target("SOL", 30, 3, 2.5, 150),
];

export function reduceAll(events: readonly EngineEvent[], state = initialDashboardState()): DashboardState {
  return events.reduce(reduceDashboard, state);
}

/** A running copy: connected, three coins, some fills with slippage. */
export function liveEvents(mode: RunMode = "live"): EngineEvent[] {
  return [
    startEvent(mode),
    { type: "connection", ts: T0 + 10, state: "open" },
    { type: "heartbeat", ts: T0 + 900 },
    {
      type: "leaderFill",
      ts: T0 + 1000,
      leader: LEADER,
      coin: "BTC",
      side: "buy",
      px: 64000,
      sz: 0.5,
      dir: "Open Long",
      time: T0 + 999,
      liquidation: false,
      oid: 1,
    },
    decisionEvent(
      T0 + 1001,
      plan({
        actions: [
          {
            coin: "BTC",
            side: "buy",
            size: 0.05,
            limitPx: 64192,
            reduceOnly: false,
            cloid: "0x01",
            reason: "open",
            refPx: 64000,
          },
        ],
        skipped: [{ coin: "ETH", reason: "inside-deadband", detail: "drift $4.20 < $10" }],
        inSync: false,
      }),
      ["BTC", "ETH"],
    ),
    {
      type: "order",
      ts: T0 + 1003,
      coin: "BTC",
      side: "buy",
      size: 0.05,
      limitPx: 64192,
      reduceOnly: false,
      cloid: "0x01",
      reason: "open",
      kind: "copy",
      status: "filled",
      filledSize: 0.05,
      avgPx: 64007.7,
      error: undefined,
    },
    // Execution slippage (against the touch) beside copy slippage (against the leader's fill).
    fillEvent(T0 + 1004, "BTC", { sz: 0.05, px: 64007.7, execSlippageBps: 0.5, slippageBps: 1.2, lagMs: 5 }),
    fillEvent(T0 + 2004, "ETH", {
      side: "sell",
      sz: 0.4,
      px: 3199,
      execSlippageBps: -0.2,
      slippageBps: -0.3,
      lagMs: 3,
    }),
    fillEvent(T0 + 3004, "SOL", { sz: 2.5, px: 150.1, execSlippageBps: 2.1, slippageBps: 4, lagMs: 7 }),
    stateEvent(T0 + 3100, LIVE_TARGETS),
    {
      type: "sweep",
      ts: T0 + 3200,
      durationMs: 12,
      inSync: false,
      driftUsd: 75,
      outsideUsd: 75,
      requests: 2,
    },
    { type: "heartbeat", ts: T0 + 3500 },
  ];
}

export function liveState(mode: RunMode = "live"): DashboardState {
  return reduceDashboard(reduceAll(liveEvents(mode)), { type: "ui/tick", now: T0 + 4000 });
}
