// Copy ratio per leader for each sizing mode: how many of our coins per leader coin.
// A target is Σ over leaders of ratio_i × leader size_i, so every mode reduces to one ratio
// per leader (fixed-notional too: notional × size / gross is size × notional / gross).

import type { Settings } from "./settings.js";
import type { AccountState, LeaderState, Markets } from "./types.js";

export interface LeaderRatio {
  address: LeaderState["address"];
  /** Our coins per leader coin, weight included; 0 when `problem` is set. */
  ratio: number;
  /** Why this leader yields no targets (e.g. equity ≤ 0); its coins are left alone. */
  problem?: string;
}

/**
 * Leader gross notional Σ |size| × mid, valuing a coin without a known mid at the position's
 * entry price (so an unlisted coin still counts toward the leader's book).
 */
export function leaderGrossNotional(leader: LeaderState, markets: Markets): number {
  let gross = 0;
  for (const coin in leader.positions) {
    const p = leader.positions[coin];
    if (!p || !Number.isFinite(p.size) || p.size === 0) continue;
    const mid = markets[coin]?.mid;
    const px = mid !== undefined && mid > 0 && Number.isFinite(mid) ? mid : p.entryPx;
    if (px > 0 && Number.isFinite(px)) gross += Math.abs(p.size) * px;
  }
  return gross;
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
 * A leader whose equity is ≤ 0 (or not finite) gets ratio 0 and a `problem`: its state
 * cannot be sized from, so the planner leaves its coins alone rather than closing them.
 */
export function leaderRatio(
  leader: LeaderState,
  ours: AccountState,
  markets: Markets,
  settings: Settings,
): LeaderRatio {
  const { sizing } = settings;
  const address = leader.address;
  const equity = sizing.mode === "equity-ratio" ? leaderEquity(leader) : leader.accountValue;
  if (!(equity > 0) || !Number.isFinite(equity)) {
    const what =
      sizing.mode === "equity-ratio" && leader.equityBase !== undefined
        ? "equity net of cash flows"
        : "account value";
    return {
      address,
      ratio: 0,
      problem: `leader ${short(address)} ${what} is ${fmt(equity)}: nothing to size from`,
    };
  }
  const weight = Number.isFinite(leader.weight) && leader.weight > 0 ? leader.weight : 0;
  let ratio: number;
  switch (sizing.mode) {
    case "equity-ratio":
      ratio = (weight * Math.max(0, ours.accountValue) * sizing.multiplier) / equity;
      break;
    case "fixed-ratio":
      ratio = weight * sizing.ratio;
      break;
    case "fixed-notional": {
      const gross = leaderGrossNotional(leader, markets);
      ratio = gross > 0 ? (weight * sizing.notional) / gross : 0;
      break;
    }
  }
  return { address, ratio: Number.isFinite(ratio) ? ratio : 0 };
}

/** 0x1234…abcd, for one-line details. */
export function short(address: string): string {
  return address.length > 12 ? `${address.slice(0, 6)}…${address.slice(-4)}` : address;
}

/** A number for a one-line detail: at most 6 significant figures, no exponent for usual values. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return "0";
  const abs = Math.abs(x);
  if (abs >= 1e15 || abs < 1e-9) return x.toPrecision(4);
  return String(Number(x.toPrecision(6)));
}
