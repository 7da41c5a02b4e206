// Copy ratio per leader for each sizing mode: how many of our coins per leader coin.
// A target is Σ over leaders of ratio_i × leader size_i. The first three modes (and kelly)
// reduce to one ratio per leader (fixed-notional too: notional × size / gross is size ×
// notional / gross); risk-parity scales that ratio per coin by target / coin volatility, and
// risk-per-trade sizes each coin from our equity and the stop distance, so their ratio is per
// (leader, coin): coinRatio().
//
// Inputs that need I/O (a coin's volatility from candles, a leader's edge from its fills)
// come in as plain data (SizingInputs); a missing one leaves the coin alone, never guessed.

import { UsageError } from "./errors.js";
import { detailNumber, fmtUsd, shortAddress } from "./format.js";
import { kellyScale, type LeaderEdge } from "./kelly.js";
import type { Settings, SizingMode } from "./settings.js";
import type { AccountState, LeaderState, Markets } from "./types.js";
import { riskParityFactor } from "./volatility.js";

/** A figure for a one-line detail: 3 significant digits (the inputs keep full precision). */
const p3 = (x: number): string => (Number.isFinite(x) ? String(Number(x.toPrecision(3))) : String(x));

/** Sizing inputs fetched by the engine (or replayed by a backtest). */
export interface SizingInputs {
  /** coin → annualised volatility as a fraction (0.48 = 48 %): risk-parity. */
  volatility?: Record<string, number>;
  /**
   * risk-parity: coins whose candles were read, but too few of them over the lookback for a
   * volatility (a new listing): not sized, and said so — not as "not read yet".
   */
  tooFewCandles?: string[];
  /** leader address (lower case) → its edge over sizing.kellyLookbackDays: kelly. */
  edge?: Record<string, LeaderEdge>;
}

export interface LeaderRatio {
  address: LeaderState["address"];
  /**
   * Our coins per leader coin, weight included; 0 when `problem` or `notCopied` is set. For
   * risk-parity the ratio before each coin's volatility factor; for risk-per-trade 0 (each
   * coin has its own: coinRatio).
   */
  ratio: number;
  /** Why this leader yields no targets (e.g. equity ≤ 0); its coins are left alone. */
  problem?: string;
  /** The problem is the leader's equity (net of cash flows) ≤ 0: nothing to size from (leader-no-equity). */
  noEquity?: true;
  /** The sizing mode copies nothing of this leader (kelly ≤ 0): its targets are 0, reason negative-edge. */
  notCopied?: string;
  /** An input the mode needs is not known yet (kelly: the leader's edge): its coins are left alone. */
  missing?: string;
  /** The numbers behind the ratio, for `reconcile --dry-run` and the journal. */
  inputs: Record<string, number | null>;
  /** One line: how the ratio was found ("" unless asked to explain, or the leader is not sized). */
  detail: string;
}

/** The sizing settings with the schema's defaults filled in (they are optional in Settings). */
export function sizingParams(settings: Settings): {
  targetVol: number;
  volLookbackDays: number;
  kellyLookbackDays: number;
  kellyFraction: number;
  riskPct: number;
} {
  const s = settings.sizing;
  return {
    targetVol: (s.targetVolPct ?? 15) / 100,
    volLookbackDays: s.volLookbackDays ?? 30,
    kellyLookbackDays: s.kellyLookbackDays ?? 30,
    kellyFraction: s.kellyFraction ?? 0.5,
    riskPct: s.riskPct ?? 1,
  };
}

/** Modes whose ratio divides by the leader's equity (its cash flows are netted out of it). */
export function usesLeaderEquity(mode: SizingMode): boolean {
  return mode === "equity-ratio" || mode === "risk-parity" || mode === "kelly";
}

/**
 * The stop distance (a fraction) risk-per-trade sizes against: the tighter of the resting
 * stop-loss and the trailing stop (the one that rests first), or null when neither is set.
 */
export function stopDistance(settings: Settings): number | null {
  const r = settings.risk;
  const set = [r.stopLossPct, r.trailingStopPct].filter((x): x is number => x != null && x > 0);
  return set.length > 0 ? Math.min(...set) / 100 : null;
}

/**
 * A sizing mode that cannot act with these settings is refused before the run.
 * @throws {UsageError} (exit 2) for risk-per-trade without a stop-loss.
 */
export function checkSizingSettings(
  settings: Settings,
  hint = "add --stop-loss-pct 5 (or hlcopy config set risk.stopLossPct 5), or choose another --mode",
): void {
  if (settings.sizing.mode === "risk-per-trade" && stopDistance(settings) === null) {
    throw new UsageError(
      "sizing mode risk-per-trade sizes each position by the loss at its stop, but no stop is set",
      { hint },
    );
  }
}

/** inspect's and scan's hint: they take no stop flag, and size by the stored one. */
export const STORED_STOP_HINT =
  "store the stop your runs will use (hlcopy config set risk.stopLossPct 5), or choose another --mode";

/**
 * Leader gross notional Σ |size| × mid, valuing a coin without a known mid at the position's
 * entry price (so an unlisted coin still counts toward the leader's book).
 */
export function leaderGrossNotional(leader: LeaderState, markets: Markets): number {
  let gross = 0;
  for (const coin in leader.positions) {
    const p = leader.positions[coin];
    if (!p || !Number.isFinite(p.size) || p.size === 0) continue;
    const px = coinPrice(coin, leader, markets);
    if (px > 0) gross += Math.abs(p.size) * px;
  }
  return gross;
}

function coinPrice(coin: string, leader: LeaderState, markets: Markets): number {
  const mid = markets[coin]?.mid;
  if (mid !== undefined && mid > 0 && Number.isFinite(mid)) return mid;
  const px = leader.positions[coin]?.entryPx ?? 0;
  return px > 0 && Number.isFinite(px) ? px : 0;
}

/** The equity the equity-ratio divides by: net of the leader's cash flows when known. */
export function leaderEquity(leader: LeaderState): number {
  return leader.equityBase ?? leader.accountValue;
}

/**
 * The copy ratio of one leader under `settings.sizing`:
 * - equity-ratio:   weight × our accountValue / leader equity × multiplier
 * - fixed-ratio:    weight × ratio
 * - fixed-notional: weight × notional / leader gross notional
 * - risk-parity:    weight × our accountValue / leader equity (× target / vol per coin: coinRatio)
 * - kelly:          weight × our accountValue / leader equity × kellyFraction × K (K ≤ 0 or
 *                   unknown: not copied, negative-edge; no edge input: left alone)
 * - risk-per-trade: per coin (coinRatio)
 * A leader whose equity is ≤ 0 (or not finite) gets ratio 0 and a `problem`: its state
 * cannot be sized from, so the planner leaves its coins alone rather than closing them.
 */
export function leaderRatio(
  leader: LeaderState,
  ours: AccountState,
  markets: Markets,
  settings: Settings,
  inputs: SizingInputs = {},
  /** Also say how, in `detail` (the planner asks only for the coins it reports). */
  explain = false,
): LeaderRatio {
  const { sizing } = settings;
  const address = leader.address;
  const mode = sizing.mode;
  const equity = usesLeaderEquity(mode) ? leaderEquity(leader) : leader.accountValue;
  if (!(equity > 0) || !Number.isFinite(equity)) {
    const what =
      usesLeaderEquity(mode) && leader.equityBase !== undefined
        ? "equity net of cash flows"
        : "account value";
    const problem = `leader ${shortAddress(address)} ${what} is ${detailNumber(equity)}: nothing to size from`;
    return { address, ratio: 0, problem, noEquity: true, inputs: {}, detail: problem };
  }
  const weight = Number.isFinite(leader.weight) && leader.weight > 0 ? leader.weight : 0;
  const ourEquity = Math.max(0, ours.accountValue);
  const w = weight === 1 ? "" : `${detailNumber(weight)} × `;
  const p = sizingParams(settings);
  const finite = (x: number) => (Number.isFinite(x) ? x : 0);
  switch (mode) {
    case "equity-ratio": {
      const ratio = finite((weight * ourEquity * sizing.multiplier) / equity);
      return {
        address,
        ratio,
        inputs: { weight, ourEquity, leaderEquity: equity, multiplier: sizing.multiplier, ratio },
        detail: explain
          ? `equity-ratio: ${w}our ${fmtUsd(ourEquity)} / leader ${fmtUsd(equity)} × ${detailNumber(sizing.multiplier)} = ratio ${detailNumber(ratio)}`
          : "",
      };
    }
    case "fixed-ratio": {
      const ratio = finite(weight * sizing.ratio);
      return {
        address,
        ratio,
        inputs: { weight, ratio },
        detail: explain
          ? `fixed-ratio: ${w}${detailNumber(sizing.ratio)} = ratio ${detailNumber(ratio)}`
          : "",
      };
    }
    case "fixed-notional": {
      const gross = leaderGrossNotional(leader, markets);
      const ratio = gross > 0 ? finite((weight * sizing.notional) / gross) : 0;
      return {
        address,
        ratio,
        inputs: { weight, notional: sizing.notional, leaderGross: gross, ratio },
        detail: explain
          ? `fixed-notional: ${w}${fmtUsd(sizing.notional)} / the leader's ${fmtUsd(gross)} gross = ratio ${detailNumber(ratio)}`
          : "",
      };
    }
    case "risk-parity": {
      const ratio = finite((weight * ourEquity) / equity);
      return {
        address,
        ratio,
        inputs: { weight, ourEquity, leaderEquity: equity, targetVolPct: p.targetVol * 100 },
        detail: explain
          ? `risk-parity: ${w}our ${fmtUsd(ourEquity)} / leader ${fmtUsd(equity)} = ratio ${detailNumber(ratio)} before each coin's ${detailNumber(p.targetVol * 100)}% / volatility`
          : "",
      };
    }
    case "kelly": {
      const base = finite((weight * ourEquity) / equity);
      const edge = inputs.edge?.[address.toLowerCase()];
      if (!edge) {
        const missing = `kelly: leader ${shortAddress(address)}'s edge is not known yet (its fills of the last ${p.kellyLookbackDays} days were not read)`;
        return { address, ratio: 0, missing, inputs: {}, detail: missing };
      }
      const k = kellyScale(edge, p.kellyFraction);
      const numbers = {
        weight,
        ourEquity,
        leaderEquity: equity,
        closingTrades: edge.closingTrades,
        winRate: edge.winRate,
        payoff: edge.payoff,
        kelly: edge.kelly,
        kellyFraction: p.kellyFraction,
      };
      const edgeText = `W ${edge.winRate === null ? "-" : `${p3(edge.winRate * 100)}%`} R ${edge.payoff === null ? "-" : p3(edge.payoff)} over ${edge.closingTrades} closing trades`;
      if ("why" in k) {
        const notCopied = `kelly: leader ${shortAddress(address)} is not copied: ${k.why} (${edgeText}, last ${p.kellyLookbackDays} days)`;
        return { address, ratio: 0, notCopied, inputs: { ...numbers, ratio: 0 }, detail: notCopied };
      }
      const ratio = finite(base * k.scale);
      return {
        address,
        ratio,
        inputs: { ...numbers, ratio },
        detail: explain
          ? `kelly: ${edgeText} → K ${p3(edge.kelly ?? 0)} × ${detailNumber(p.kellyFraction)} = ${p3(k.scale)} of ${w}our ${fmtUsd(ourEquity)} / leader ${fmtUsd(equity)} = ratio ${detailNumber(ratio)}`
          : "",
      };
    }
    case "risk-per-trade": {
      const stop = stopDistance(settings);
      if (stop === null) {
        const problem = "risk-per-trade needs a stop-loss (risk.stopLossPct): nothing is sized";
        return { address, ratio: 0, problem, inputs: {}, detail: problem };
      }
      const riskUsd = weight * ourEquity * (p.riskPct / 100);
      return {
        address,
        ratio: 0,
        inputs: {
          weight,
          ourEquity,
          riskPct: p.riskPct,
          stopPct: stop * 100,
          riskUsd,
          notionalUsd: riskUsd / stop,
        },
        detail: explain
          ? `risk-per-trade: ${w}${detailNumber(p.riskPct)}% of ${fmtUsd(ourEquity)} = ${fmtUsd(riskUsd)} lost at a ${detailNumber(stop * 100)}% stop → ${fmtUsd(riskUsd / stop)} per position`
          : "",
      };
    }
  }
}

/** One leader's ratio in one coin: the number, or why the coin cannot be sized now. */
export type CoinRatio =
  | { ratio: number; inputs?: Record<string, number | null>; detail?: string }
  | { missing: string };

/**
 * The ratio that sizes `leader`'s position in `coin`: the leader's ratio, times the coin's
 * volatility factor (risk-parity), or the stop-sized size over the leader's (risk-per-trade:
 * |target| = risk budget / stop / price, price = our entry when we hold that side, else mid).
 */
export function coinRatio(
  r: LeaderRatio,
  leader: LeaderState,
  coin: string,
  ours: AccountState,
  markets: Markets,
  settings: Settings,
  inputs: SizingInputs = {},
  /** Also say how (inputs and detail): only for the coins a plan reports. */
  explain = false,
): CoinRatio {
  const mode = settings.sizing.mode;
  if (mode === "risk-parity") {
    const vol = inputs.volatility?.[coin];
    const p = sizingParams(settings);
    if (vol === undefined || !(vol > 0) || !Number.isFinite(vol)) {
      return {
        missing: inputs.tooFewCandles?.includes(coin)
          ? `risk-parity: ${coin} has too few hourly candles in the last ${p.volLookbackDays} days for a volatility`
          : `risk-parity: ${coin}'s volatility is not known yet (its candles not read yet)`,
      };
    }
    const factor = riskParityFactor(p.targetVol, vol);
    const ratio = r.ratio * factor;
    if (!explain) return { ratio };
    const size = leader.positions[coin]?.size ?? 0;
    const px = coinPrice(coin, leader, markets);
    const equity = leaderEquity(leader);
    const alloc = equity > 0 ? (Math.abs(size) * px) / equity : 0;
    const ourEquity = Math.max(0, ours.accountValue);
    return {
      ratio,
      inputs: {
        leaderAllocPct: alloc * 100,
        volPct: vol * 100,
        targetVolPct: p.targetVol * 100,
        factor,
        ourAllocPct: alloc * factor * (leader.weight || 0) * 100,
        ratio,
      },
      detail: `risk-parity: the leader's ${p3(alloc * 100)}% of its equity × ${p3(p.targetVol * 100)}% / ${p3(vol * 100)}% vol (×${p3(factor)})${leader.weight !== 1 ? ` × weight ${p3(leader.weight)}` : ""} → ${p3(alloc * factor * (leader.weight || 0) * 100)}% of our ${fmtUsd(ourEquity)}`,
    };
  }
  if (mode === "risk-per-trade") {
    const size = leader.positions[coin]?.size ?? 0;
    const notional = r.inputs.notionalUsd ?? 0;
    if (size === 0 || !(notional > 0)) return { ratio: 0 };
    const ourPos = ours.positions[coin];
    const mid = markets[coin]?.mid ?? 0;
    const entry =
      ourPos && Math.sign(ourPos.size) === Math.sign(size) && ourPos.entryPx > 0 ? ourPos.entryPx : 0;
    const px = entry > 0 ? entry : mid;
    if (!(px > 0)) return { missing: `risk-per-trade: no price for ${coin}` };
    const target = notional / px;
    const ratio = target / Math.abs(size);
    if (!explain) return { ratio };
    return {
      ratio,
      inputs: { ...r.inputs, px, targetSize: target, ratio },
      detail: `risk-per-trade: ${fmtUsd(r.inputs.riskUsd ?? 0)} at a ${detailNumber(r.inputs.stopPct ?? 0)}% stop → ${fmtUsd(notional)} at ${entry > 0 ? "our entry" : "mid"} ${detailNumber(px)} = ${p3(target)} ${coin}`,
    };
  }
  return { ratio: r.ratio };
}
