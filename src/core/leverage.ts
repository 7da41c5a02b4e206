// Leverage, the one meaning hlcopy gives the word wherever it shows or caps it, and the
// exchange-side leverage *setting* a coin should carry before hlcopy grows a position in it
// (issue 12.4) — a margin setting, not a figure of the account. Pure: the engine asks, and sends
// `updateLeverage` only when the answer differs from what the exchange is known to hold — at most
// once per coin per run.

import type { MarginMode, Settings } from "./settings.js";
import type { Market, Position } from "./types.js";

/** A position's notional in USD: |size| at the mid, at its entry price without a mid; 0 when neither is a price. */
export function positionNotional(
  p: Pick<Position, "size" | "entryPx">,
  mid: number | null | undefined,
): number {
  const px = mid != null && mid > 0 && Number.isFinite(mid) ? mid : p.entryPx;
  return Number.isFinite(p.size) && px > 0 && Number.isFinite(px) ? Math.abs(p.size) * px : 0;
}

/**
 * Leverage as risk.maxLeverage and risk.leaderMaxLeverage cap it and the dashboard, the event
 * lines and `status` show it: gross notional (positionNotional) ÷ account value. Null when the
 * account value is not positive. The exchange's per-coin setting (exchangeLeverage) is another
 * thing: it sets margin, and with `auto` sits one above the cap.
 */
export function grossLeverage(
  positions: Iterable<Pick<Position, "coin" | "size" | "entryPx">>,
  accountValue: number,
  midOf: (coin: string) => number | null | undefined,
): number | null {
  if (!(accountValue > 0) || !Number.isFinite(accountValue)) return null;
  let gross = 0;
  for (const p of positions) gross += positionNotional(p, midOf(p.coin));
  return gross / accountValue;
}

/**
 * Our leverage at one moment of the run (the engine's state event): grossLeverage of our
 * positions at that moment's mids, a coin without one at its plan's mid, then at its entry price.
 * The dashboard's header and rows, the state line, the state record and /metrics all read this.
 */
export function leverageAt(moment: {
  account: { accountValue: number; positions: readonly Pick<Position, "coin" | "size" | "entryPx">[] };
  mids?: Readonly<Record<string, number>>;
  targets: readonly { coin: string; mid: number }[];
}): number | null {
  return grossLeverage(moment.account.positions, moment.account.accountValue, (coin) => {
    const mid = moment.mids?.[coin] ?? moment.targets.find((t) => t.coin === coin)?.mid;
    return mid !== undefined && mid > 0 ? mid : null;
  });
}

export interface LeverageSetting {
  /** An integer ≥ 1, as the exchange requires. */
  leverage: number;
  marginMode: MarginMode;
}

/**
 * The setting for `market`: `exec.leverage`, or for "auto" one above `risk.maxLeverage`
 * (rounded up) — with exactly the cap, the last order of a plan that fills the leverage cap
 * lacks margin for its fees and slippage and is refused — capped by the coin's maximum.
 * Margin mode: `exec.marginMode`, except isolated on a coin that allows nothing else.
 */
export function exchangeLeverage(settings: Settings, market: Market): LeverageSetting {
  const wanted =
    settings.exec.leverage === "auto" ? Math.ceil(settings.risk.maxLeverage) + 1 : settings.exec.leverage;
  const max =
    Number.isFinite(market.maxLeverage) && market.maxLeverage >= 1 ? Math.floor(market.maxLeverage) : 1;
  // A coin the exchange lists as isolated-only cannot be cross: isolated is the only choice.
  const marginMode = market.onlyIsolated ? "isolated" : settings.exec.marginMode;
  return { leverage: Math.max(1, Math.min(Math.floor(wanted), max)), marginMode };
}

/**
 * True when the exchange is known to hold `want` for the coin: our open position carries it.
 * Without a position (or without the fields) the exchange's value is unknown: false.
 */
export function leverageMatches(position: Position | undefined, want: LeverageSetting): boolean {
  if (!position || position.size === 0) return false;
  return position.leverage === want.leverage && position.marginMode === want.marginMode;
}
