// kelly sizing: a leader's edge from its own closing trades — the win rate W and the average
// win / average loss ratio R that `inspect` shows — and the fraction of equity the Kelly
// criterion puts at risk, K = W − (1 − W) / R. Pure: fills in, numbers out.

import { UsageError } from "./errors.js";
import { listed } from "./format.js";
import { outcomeSums } from "./stats.js";

/** Fewer closing trades than this give no edge estimate: the leader is not copied. */
export const MIN_KELLY_TRADES = 10;

/** A fill as the edge needs it (the exchange's userFills fields, side either spelling). */
export interface EdgeFill {
  coin: string;
  oid: number;
  side: "buy" | "sell" | "B" | "A";
  time: number;
  closedPnl: number;
  fee: number;
}

/** A leader's edge over a window of closing trades. */
export interface LeaderEdge {
  closingTrades: number;
  /** Share of closing trades that made money after fees; null without trades. */
  winRate: number | null;
  /** Average win / average loss (both after fees); null without a win or without a loss. */
  payoff: number | null;
  /** Full Kelly fraction W − (1 − W) / R; W when there was no loss; null when unknown. */
  kelly: number | null;
}

/**
 * The outcome (realized PnL − fee) of each closing trade, a trade being the consecutive fills
 * of one order (coin, oid, side) as `inspect` counts them; oid 0 (unknown) = each fill alone.
 * Fills in any order (sorted by time here).
 */
export function closingOutcomes(fills: readonly EdgeFill[]): number[] {
  const sorted = [...fills].sort((a, b) => a.time - b.time);
  const open = new Map<string, { oid: number; side: string; pnl: number; fee: number }>();
  const out: number[] = [];
  const close = (t: { pnl: number; fee: number }) => {
    if (t.pnl !== 0) out.push(t.pnl - t.fee);
  };
  for (const f of sorted) {
    const side = f.side === "buy" || f.side === "B" ? "B" : "A";
    const t = open.get(f.coin);
    if (t && f.oid !== 0 && t.oid === f.oid && t.side === side) {
      t.pnl += f.closedPnl;
      t.fee += f.fee;
    } else {
      if (t) close(t);
      open.set(f.coin, { oid: f.oid, side, pnl: f.closedPnl, fee: f.fee });
    }
  }
  for (const t of open.values()) close(t);
  return out;
}

/** W, R and K of a list of closing-trade outcomes. */
export function edgeOf(outcomes: readonly number[]): LeaderEdge {
  const { n, wins, gain, loss } = outcomeSums(outcomes);
  return edgeFromSums(n, wins, gain, loss);
}

/**
 * W, R and K from running sums: `n` closing trades, `wins` of them profitable, `gain` their
 * total, `loss` the total lost by the others (positive). The one formula (edgeOf uses it).
 */
export function edgeFromSums(n: number, wins: number, gain: number, loss: number): LeaderEdge {
  if (n <= 0) return { closingTrades: 0, winRate: null, payoff: null, kelly: null };
  const losses = n - wins;
  const winRate = wins / n;
  const avgWin = wins > 0 ? gain / wins : 0;
  const avgLoss = losses > 0 ? loss / losses : 0;
  const payoff = wins > 0 && avgLoss > 0 ? avgWin / avgLoss : null;
  let kelly: number | null;
  if (wins === 0) kelly = -1;
  else if (avgLoss === 0)
    kelly = winRate; // no loss: R is infinite, K = W
  else kelly = winRate - (1 - winRate) / (payoff as number);
  return { closingTrades: n, winRate, payoff, kelly };
}

/** The edge of `fills` (any order) inside [now − lookbackDays, now]. */
export function leaderEdge(fills: readonly EdgeFill[], now: number, lookbackDays: number): LeaderEdge {
  const from = now - lookbackDays * 86_400_000;
  return edgeOf(closingOutcomes(fills.filter((f) => f.time >= from && f.time <= now)));
}

/**
 * The share of the leader's allocation kelly copies: `fraction` × K, or why it copies nothing
 * (K ≤ 0, or fewer than MIN_KELLY_TRADES closing trades: the edge is unknown).
 */
export function kellyScale(
  edge: LeaderEdge,
  fraction: number,
  minTrades = MIN_KELLY_TRADES,
): { scale: number } | { scale: 0; why: string } {
  if (edge.closingTrades < minTrades || edge.kelly === null) {
    return {
      scale: 0,
      why: `edge unknown: ${edge.closingTrades} closing trade(s) in the lookback, ${minTrades} needed`,
    };
  }
  if (!(edge.kelly > 0)) {
    return { scale: 0, why: `negative edge: Kelly ${edge.kelly.toFixed(3)} ≤ 0` };
  }
  return { scale: Math.min(1, edge.kelly) * fraction };
}

/**
 * kelly's start check: a leader with fewer than `minTrades` closing trades in the lookback has
 * no edge kelly can size from, so kelly would copy nothing of it, for as long as that lasts —
 * an accepted setting that acts on nothing. The run is refused before any order when any leader
 * is short (`leaders` in the run's order, each with its edge), naming each short leader with its
 * count, what kelly needs, and the ways forward; null when every leader has the history.
 * With several leaders one short leader refuses the run too: its share of the copy would sit
 * idle without a word, as a leader that never traded is refused rather than copied as flat.
 */
export function kellyHistoryRefusal(
  leaders: readonly { address: string; edge: LeaderEdge }[],
  lookbackDays: number,
  minTrades = MIN_KELLY_TRADES,
): UsageError | null {
  const short = leaders.filter((l) => l.edge.closingTrades < minTrades);
  if (short.length === 0) return null;
  const trades = (n: number) => `${n} closing trade${n === 1 ? "" : "s"}`;
  const days = `the last ${lookbackDays} day${lookbackDays === 1 ? "" : "s"}`;
  const further =
    lookbackDays < 365 ? `, look further back (--kelly-lookback-days, now ${lookbackDays})` : "";
  const only = short.length === 1 ? short[0] : undefined;
  const message =
    leaders.length === 1 && only
      ? `sizing mode kelly sizes from at least ${minTrades} of the leader's closing trades, but ${only.address} has ${trades(only.edge.closingTrades)} in ${days}: it would copy nothing`
      : `sizing mode kelly sizes from at least ${minTrades} closing trades of each leader, but ${listed(
          short.map((l) => `${l.address} has ${l.edge.closingTrades}`),
        )} in ${days}: nothing of ${short.length === 1 ? "it" : "them"} would be copied`;
  const drop = leaders.length > short.length ? `, follow only the leaders with the history` : "";
  return new UsageError(message, {
    hint: `choose another --mode (equity-ratio sizes by equity alone)${drop}${further}, or wait until ${short.length === 1 ? "it has" : "each has"} closed ${minTrades} trades`,
    details: {
      minTrades,
      lookbackDays,
      closingTrades: Object.fromEntries(short.map((l) => [l.address, l.edge.closingTrades])),
    },
  });
}
