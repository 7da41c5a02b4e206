// The default market list (real szDecimals and maxLeverage of Hyperliquid mainnet, realistic
// prices) and the parser for `hlcopy sim --markets FILE`.

import type { SimMarketConfig } from "./types.js";

/** Levels per side of the synthetic maker's book. */
export const DEFAULT_BOOK_LEVELS = 20;
/**
 * Notional per side of the synthetic book: 20 levels of $50 000, 1 bp apart. A $200 000 market
 * order walks 4 levels (≈1.5 bp from the first); a 1 % copy that follows it pays ≈2–3 bp more than
 * the leader did — the few bps a small account copying a $1M leader sees on liquid mainnet books.
 */
export const DEFAULT_DEPTH_USD = 1_000_000;
/** An emptied side refills completely in this long (linearly). */
export const DEFAULT_REFILL_MS = 1_000;

export const DEFAULT_MARKETS: readonly SimMarketConfig[] = [
  { name: "BTC", szDecimals: 5, maxLeverage: 40, price: 95_000, vol: 0.0003, historyVolPct: 45 },
  { name: "ETH", szDecimals: 4, maxLeverage: 25, price: 3_400, vol: 0.0004, historyVolPct: 60 },
  { name: "SOL", szDecimals: 2, maxLeverage: 20, price: 190, vol: 0.0005, historyVolPct: 75 },
  { name: "HYPE", szDecimals: 2, maxLeverage: 10, price: 38, vol: 0.0006, historyVolPct: 90 },
  { name: "DOGE", szDecimals: 0, maxLeverage: 10, price: 0.32, vol: 0.0006, historyVolPct: 80 },
  { name: "kPEPE", szDecimals: 0, maxLeverage: 10, price: 0.0185, vol: 0.0008, historyVolPct: 110 },
  { name: "XRP", szDecimals: 0, maxLeverage: 20, price: 2.2, vol: 0.0005, historyVolPct: 70 },
  { name: "AVAX", szDecimals: 2, maxLeverage: 10, price: 35, vol: 0.0006, historyVolPct: 80 },
  { name: "LINK", szDecimals: 1, maxLeverage: 10, price: 20, vol: 0.0006, historyVolPct: 75 },
  { name: "ARB", szDecimals: 1, maxLeverage: 10, price: 0.75, vol: 0.0007, historyVolPct: 90 },
  { name: "SUI", szDecimals: 1, maxLeverage: 10, price: 3.5, vol: 0.0007, historyVolPct: 95 },
];

/** Default annualised volatility (%) of a market's candle history when its entry sets none. */
export const DEFAULT_HISTORY_VOL_PCT = 60;

/**
 * Check a markets list (from a file or options) and return it in order.
 * @throws {Error} naming the first bad entry and field.
 */
export function parseMarkets(value: unknown): SimMarketConfig[] {
  const list = Array.isArray(value)
    ? value
    : typeof value === "object" && value !== null && "markets" in value
      ? (value as { markets: unknown }).markets
      : undefined;
  if (!Array.isArray(list) || list.length === 0) {
    throw new Error('markets must be a non-empty JSON array (or {"markets": [...]})');
  }
  const seen = new Set<string>();
  return list.map((raw: unknown, i): SimMarketConfig => {
    if (typeof raw !== "object" || raw === null) throw new Error(`markets[${i}] must be an object`);
    const m = raw as Record<string, unknown>;
    const name = m.name;
    if (typeof name !== "string" || !/^[A-Za-z0-9]{1,20}$/.test(name)) {
      throw new Error(`markets[${i}].name must be a coin name like "BTC"`);
    }
    if (seen.has(name)) throw new Error(`markets[${i}].name "${name}" is listed twice`);
    seen.add(name);
    const int = (key: string, min: number, max: number): number => {
      const v = m[key];
      if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
        throw new Error(`markets[${i}].${key} must be an integer from ${min} to ${max}`);
      }
      return v;
    };
    const positive = (key: string, optional: boolean): number | undefined => {
      const v = m[key];
      if (v === undefined && optional) return undefined;
      if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) {
        throw new Error(`markets[${i}].${key} must be a positive number`);
      }
      return v;
    };
    const market: SimMarketConfig = {
      name,
      szDecimals: int("szDecimals", 0, 6),
      maxLeverage: int("maxLeverage", 1, 100),
      price: positive("price", false) ?? 1,
    };
    const vol = positive("vol", true);
    if (vol !== undefined) market.vol = vol;
    const historyVolPct = positive("historyVolPct", true);
    if (historyVolPct !== undefined) market.historyVolPct = historyVolPct;
    const fundingRate = m.fundingRate;
    if (fundingRate !== undefined) {
      if (typeof fundingRate !== "number" || !Number.isFinite(fundingRate) || Math.abs(fundingRate) > 0.04) {
        throw new Error(`markets[${i}].fundingRate must be a number within ±0.04 (the hourly cap)`);
      }
      market.fundingRate = fundingRate;
    }
    if (m.onlyIsolated === true) market.onlyIsolated = true;
    const depthUsd = positive("depthUsd", true);
    if (depthUsd !== undefined) market.depthUsd = depthUsd;
    if (m.refillMs !== undefined) market.refillMs = int("refillMs", 0, 3_600_000);
    return market;
  });
}
