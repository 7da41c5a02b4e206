// Copyability of a leader at a follower's equity: each leader trade is put through THE
// planner (in sync before it, the leader's position after it) to see whether we would
// copy it or skip it (below the $10 minimum, inside the deadband, …); then our expected
// cost per trade (taker fee + book slippage at our size) is compared with the leader's edge.

import { fixed, fmtUsd, shownTotal } from "../core/format.js";
import { planOrders } from "../core/planner.js";
import type { Settings } from "../core/settings.js";
import { median as medianOf } from "../core/stats.js";
import type { AccountState, Address, LeaderState, ReasonCode } from "../core/types.js";
import { rebuildHistory } from "./fills.js";
import { DEFAULT_FRICTION, expectedSlippageBps, type FrictionModel } from "./friction.js";
import { MarketTable } from "./markets.js";
import type { Fill, MetaAsset } from "./wire.js";

/**
 * Verdict thresholds, checked in order: avoid when the leader has no positive edge or our
 * costs exceed it; poor when half the trades or more would be skipped; marginal when
 * costs take half the edge or more, or a fifth of the trades or more would be skipped.
 */
export const VERDICT_THRESHOLDS = {
  poorSkipShare: 0.5,
  marginalSkipShare: 0.2,
  marginalCostShare: 0.5,
  avoidCostShare: 1,
} as const;

export type VerdictLevel = "copyable" | "marginal" | "poor" | "avoid";

export interface CopyabilityParameters {
  fills: readonly Fill[];
  /** Follower equity (USD). */
  equity: number;
  /** Leader equity (USD) the copy ratio is taken against. */
  leaderEquity: number;
  settings: Settings;
  /** The leader's realized PnL per dollar traded (metrics.edgeBps). */
  edgeBps: number | null;
  friction?: FrictionModel;
  meta?: readonly MetaAsset[];
}

export interface Copyability {
  equity: number;
  leaderEquity: number;
  /** Copy ratio the planner used (median over trades). */
  ratio: number;
  trades: number;
  /** Share of trades the planner would skip as below the $10 exchange minimum. */
  belowMinShare: number;
  /** Share of trades skipped inside the deadband (excluding those below the minimum). */
  insideDeadbandShare: number;
  /** Share of trades the planner would act on. */
  copiedShare: number;
  /** Every planner outcome per trade (action reasons and skip reasons). */
  outcomes: Partial<Record<ReasonCode, number>>;
  /** Median leader trade notional, and scaled to our size (USD). */
  medianTradeUsd: number;
  medianScaledTradeUsd: number;
  /** Equity at which the median trade scales to the $10 minimum (equity-ratio sizing only). */
  equityForMedianTrade: number | null;
  cost: { feeBps: number; slippageBps: number; totalBps: number };
  edgeBps: number | null;
  /** Our cost per trade as a share of the leader's edge (1 = costs eat all of it). */
  costShareOfEdge: number | null;
  verdict: { level: VerdictLevel; text: string };
}

const median = (xs: number[]): number => (xs.length > 0 ? medianOf(xs) : 0);

const LEADER: Address = "0x0000000000000000000000000000000000000001";
const OURS: Address = "0x0000000000000000000000000000000000000002";

/**
 * What a copyability check says of a sizing mode it judges at its equity ratio (kelly,
 * risk-parity: assessCopyability), so the figures are not taken for that mode's; null for the others.
 */
export function judgedSizingNote(mode: Settings["sizing"]["mode"]): string | null {
  if (mode !== "kelly" && mode !== "risk-parity") return null;
  const input = mode === "kelly" ? "the leader's Kelly fraction" : "each coin's volatility";
  return `sizing mode ${mode} is judged at the equity ratio it scales (your equity / the leader's, × 1): ${input} is not replayed trade by trade — hlcopy backtest --mode ${mode} replays it`;
}

/**
 * Assess copyability.
 * @throws {RangeError} when equity or leaderEquity is not positive.
 */
export function assessCopyability(params: CopyabilityParameters): Copyability {
  if (!(params.equity > 0) || !(params.leaderEquity > 0)) {
    throw new RangeError("equity and leaderEquity must be positive");
  }
  const friction = params.friction ?? DEFAULT_FRICTION;
  // kelly and risk-parity size from inputs a trade-by-trade check does not have (the leader's
  // edge, each coin's volatility): their copyability is judged at the equity ratio they scale.
  const mode = params.settings.sizing.mode;
  const settings =
    mode === "kelly" || mode === "risk-parity"
      ? {
          ...params.settings,
          sizing: { ...params.settings.sizing, mode: "equity-ratio" as const, multiplier: 1 },
        }
      : params.settings;
  const history = rebuildHistory(params.fills);
  const table = new MarketTable(history.fills, params.meta);
  const outcomes: Partial<Record<ReasonCode, number>> = {};
  const ratios: number[] = [];
  const scaled: number[] = [];
  const slippage: number[] = [];
  let below = 0;
  let deadband = 0;
  let copied = 0;

  const leaderState = (coin: string, size: number, px: number, time: number): LeaderState => ({
    address: LEADER,
    accountValue: params.leaderEquity,
    equityBase: params.leaderEquity,
    positions: size === 0 ? {} : { [coin]: { coin, size, entryPx: px } },
    openOrders: [],
    time,
    weight: 1,
    lastFillPx: { [coin]: px },
  });
  const ourState = (coin: string, size: number, px: number, time: number): AccountState => ({
    address: OURS,
    accountValue: params.equity,
    positions: size === 0 ? {} : { [coin]: { coin, size, entryPx: px } },
    openOrders: [],
    time,
  });
  const plan = (coin: string, leaderSize: number, ourSize: number, px: number, time: number) =>
    planOrders({
      leaders: [leaderState(coin, leaderSize, px, time)],
      ours: ourState(coin, ourSize, px, time),
      markets: table.markets,
      settings,
      context: { now: time, halted: false, cloidSeed: "inspect" },
      explainSizing: false,
      coins: [coin],
    });

  for (const t of history.trades) {
    const px = t.notional / t.sz;
    table.setMid(t.coin, px);
    // In sync before the trade: our position is the planner's target for the leader's.
    const before = plan(t.coin, t.before, 0, px, t.time);
    const ours = before.targets.find((x) => x.coin === t.coin)?.targetSize ?? 0;
    const after = plan(t.coin, t.after, ours, px, t.time);
    ratios.push(after.effectiveRatio);
    const usd = t.notional * after.effectiveRatio;
    scaled.push(usd);
    const action = after.actions.find((a) => a.coin === t.coin);
    if (action) {
      copied++;
      outcomes[action.reason] = (outcomes[action.reason] ?? 0) + 1;
      slippage.push(expectedSlippageBps(friction, t.coin, action.size * px));
      continue;
    }
    const skip = after.skipped.find((s) => s.coin === t.coin);
    const reason: ReasonCode = skip?.reason ?? "in-sync";
    outcomes[reason] = (outcomes[reason] ?? 0) + 1;
    if (reason === "below-min-notional") below++;
    else if (reason === "inside-deadband" || reason === "in-sync") deadband++;
  }

  const n = history.trades.length;
  const ratio = median(ratios);
  const medianTradeUsd = median(history.trades.map((t) => t.notional));
  const medianScaledTradeUsd = median(scaled);
  const equityForMedianTrade =
    params.settings.sizing.mode === "equity-ratio" && medianScaledTradeUsd > 0
      ? (params.equity * 10) / medianScaledTradeUsd
      : null;
  const feeBps = friction.takerFee * 1e4;
  const slippageBps = slippage.length > 0 ? slippage.reduce((a, b) => a + b, 0) / slippage.length : 0;
  const cost = { feeBps, slippageBps, totalBps: feeBps + slippageBps };
  const edgeBps = params.edgeBps;
  const costShareOfEdge = edgeBps !== null && edgeBps > 0 ? cost.totalBps / edgeBps : null;
  const belowMinShare = n > 0 ? below / n : 0;
  const insideDeadbandShare = n > 0 ? deadband / n : 0;
  const result = {
    equity: params.equity,
    leaderEquity: params.leaderEquity,
    ratio,
    trades: n,
    belowMinShare,
    insideDeadbandShare,
    copiedShare: n > 0 ? copied / n : 0,
    outcomes,
    medianTradeUsd,
    medianScaledTradeUsd,
    equityForMedianTrade,
    cost,
    edgeBps,
    costShareOfEdge,
  };
  return { ...result, verdict: verdictOf(result) };
}

const pct = (x: number) => `${Math.round(x * 100)}%`;
/** Whole dollars from $100 up, cents below: $2,000, $12.34. */
const usd = (x: number) => fmtUsd(x, x >= 100 ? 0 : 2);

/** The plain verdict line, by VERDICT_THRESHOLDS. */
export function verdictOf(c: Omit<Copyability, "verdict">): { level: VerdictLevel; text: string } {
  const T = VERDICT_THRESHOLDS;
  const at = `at ${usd(c.equity)}`;
  const skip = c.belowMinShare + c.insideDeadbandShare;
  // inspect's "your cost per trade": the sum of the fee and slippage as it shows them.
  const costs = `~${fixed(shownTotal([c.cost.feeBps, c.cost.slippageBps], 1), 1)} bps per trade`;
  const raise =
    c.equityForMedianTrade !== null && c.equityForMedianTrade > c.equity
      ? `; about ${usd(c.equityForMedianTrade)} would lift the median trade to $10`
      : "";
  if (c.trades === 0)
    return { level: "avoid", text: "no trades in the window: nothing to judge the leader on" };
  if (c.edgeBps === null || c.edgeBps <= 0) {
    const e = c.edgeBps === null ? "no realized P&L" : `${c.edgeBps.toFixed(1)} bps per $ traded`;
    return { level: "avoid", text: `avoid: the leader lost money in the window (edge ${e})` };
  }
  const share = c.costShareOfEdge ?? 0;
  if (share >= T.avoidCostShare) {
    return {
      level: "avoid",
      text: `avoid ${at}: our costs (${costs}) exceed the leader's edge (${c.edgeBps.toFixed(1)} bps)`,
    };
  }
  if (skip >= T.poorSkipShare) {
    return {
      level: "poor",
      text: `poor fit ${at}: ${pct(skip)} of the leader's trades are too small to copy${raise}`,
    };
  }
  if (share >= T.marginalCostShare || skip >= T.marginalSkipShare) {
    return {
      level: "marginal",
      text: `marginal ${at}: costs take ${pct(share)} of the leader's edge and ${pct(skip)} of trades are skipped`,
    };
  }
  return {
    level: "copyable",
    text: `copyable ${at}: costs take ${pct(share)} of the leader's edge; ${pct(c.copiedShare)} of trades copied`,
  };
}
