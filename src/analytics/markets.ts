// Market facts for offline planning: szDecimals, max leverage and asset ids from a meta when
// one is given, otherwise inferred from the fills. Mids are set by the caller as prices move.

import type { Market, Markets } from "../core/types.js";
import type { Fill, MetaAsset } from "./wire.js";

/** Count the decimals of a size as written (1.25 → 2, 1.5e-7 → 8), capped at 8. */
function decimalsOf(x: number): number {
  const [mantissa = "", exp = "0"] = String(x).split("e");
  const dot = mantissa.indexOf(".");
  const d = (dot < 0 ? 0 : mantissa.length - dot - 1) - Number(exp);
  return Math.min(8, Math.max(0, d));
}

/**
 * szDecimals per coin when no meta is at hand: the finest size seen in the fills, and at
 * least ceil(log10(first price)) so that one lot is worth at most about $1 (a leader
 * trading round sizes would otherwise make our lots far too coarse). It may be finer than
 * the exchange's real lot, which makes a replay slightly optimistic, never impossible.
 * Pass a meta for exact lots.
 */
export function inferSzDecimals(fills: readonly Fill[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of fills) inferOne(out, f.coin, f.px, f.sz);
  return out;
}

/** inferSzDecimals, one fill at a time (for fills held as columns). */
export function inferOne(out: Record<string, number>, coin: string, px: number, sz: number): void {
  const fromPrice = out[coin] === undefined ? Math.min(8, Math.max(0, Math.ceil(Math.log10(px)))) : 0;
  out[coin] = Math.max(out[coin] ?? 0, decimalsOf(sz), fromPrice);
}

/** A Markets table that creates each coin's entry on first use (mid 0 until priced). */
export class MarketTable {
  readonly markets: Markets = {};
  readonly #meta: Map<string, MetaAsset>;
  #inferred: Record<string, number> | undefined;
  readonly #infer: () => Record<string, number>;
  #nextAsset = 10_000;

  /** `fills`, or a function inferring szDecimals (called only for a coin the meta lacks). */
  constructor(fills: readonly Fill[] | (() => Record<string, number>), meta?: readonly MetaAsset[]) {
    this.#meta = new Map((meta ?? []).map((a) => [a.name, a]));
    this.#infer = typeof fills === "function" ? fills : () => inferSzDecimals(fills);
  }

  #inferredFor(coin: string): number {
    if (!this.#inferred) this.#inferred = this.#infer();
    return this.#inferred[coin] ?? 4;
  }

  get(coin: string): Market {
    let m = this.markets[coin];
    if (!m) {
      const a = this.#meta.get(coin);
      m = {
        coin,
        assetId: a?.assetId ?? this.#nextAsset++,
        szDecimals: a?.szDecimals ?? this.#inferredFor(coin),
        maxLeverage: a?.maxLeverage ?? 50,
        mid: 0,
      };
      this.markets[coin] = m;
    }
    return m;
  }

  /** Set a coin's mid, and best bid/ask `halfSpreadBps` either side when positive. */
  setMid(coin: string, px: number, halfSpreadBps = 0): void {
    const m = this.get(coin);
    m.mid = px;
    if (halfSpreadBps > 0) {
      m.bestBid = px * (1 - halfSpreadBps / 1e4);
      m.bestAsk = px * (1 + halfSpreadBps / 1e4);
    }
  }
}
