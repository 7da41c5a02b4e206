// Deterministic synthetic leader fills (seeded PRNG): realistic enough to exercise the
// replay (opens, adds, partial closes, closes, flips; orders that walk the book into
// several fills; consistent startPosition, closedPnl and fees) for tests and the benchmark.

import type { Fill, MetaAsset } from "./wire.js";

/** Coins of the synthetic market: name, start price, szDecimals. */
const COINS: readonly [string, number, number][] = [
  ["BTC", 60_000, 5],
  ["ETH", 3_000, 4],
  ["SOL", 150, 2],
  ["ARB", 1.1, 1],
  ["DOGE", 0.15, 0],
  ["AVAX", 35, 2],
  ["LINK", 15, 1],
  ["OP", 2.5, 1],
  ["SUI", 1.3, 1],
  ["INJ", 25, 1],
  ["APT", 9, 2],
  ["LTC", 80, 2],
];

export const SYNTHETIC_META: readonly MetaAsset[] = COINS.map(([name, , szDecimals], assetId) => ({
  name,
  szDecimals,
  maxLeverage: 50,
  assetId,
}));

export interface SyntheticOptions {
  /** Number of fills to produce (exactly). */
  fills: number;
  seed?: number;
  /** First fill time (ms). */
  start?: number;
  /** Mean time between leader orders (ms). */
  meanGapMs?: number;
  /** Typical order notional (USD). */
  orderUsd?: number;
  /** Coins to trade (a prefix of the synthetic list; default all 12). */
  coins?: number;
  /** Leader fee rate charged on each fill. */
  feeRate?: number;
  /** Most fills one order walks the book into (default 4; 1 = every order fills at one price). */
  maxFillsPerOrder?: number;
}

/** mulberry32: a small, fast, seeded PRNG returning [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function round(x: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(x * f) / f || 0; // never -0
}

/** Five significant figures, as perp prices are quoted. */
function px5(x: number): number {
  return Number(x.toPrecision(5));
}

/**
 * Generate `fills` fills, oldest first, in the userFills shape (numbers, not strings).
 * The same options always give the same fills.
 */
export function syntheticFills(options: SyntheticOptions): Fill[] {
  const rnd = prng(options.seed ?? 1);
  const coins = COINS.slice(0, Math.max(1, Math.min(COINS.length, options.coins ?? COINS.length)));
  const price = coins.map((c) => c[1]);
  const pos = coins.map(() => 0);
  const entry = coins.map(() => 0);
  const meanGap = options.meanGapMs ?? 2_000;
  const orderUsd = options.orderUsd ?? 5_000;
  const feeRate = options.feeRate ?? 0.00045;
  const out: Fill[] = [];
  let time = options.start ?? 1_700_000_000_000;
  let oid = 1_000_000;
  let tid = 5_000_000;

  while (out.length < options.fills) {
    time += Math.max(1, Math.round(-Math.log(1 - rnd()) * meanGap));
    // Every coin's price drifts a little between orders (a random walk, ~2 bps per step).
    for (let i = 0; i < price.length; i++) price[i] = (price[i] as number) * (1 + (rnd() - 0.5) * 0.0008);
    const i = Math.floor(rnd() * coins.length);
    const [coin, , szDecimals] = coins[i] as [string, number, number];
    const p = price[i] as number;
    const held = pos[i] as number;
    const lot = 10 ** -szDecimals;
    const base = Math.max(lot, round((orderUsd * (0.2 + rnd() * 1.6)) / p, szDecimals));
    const r = rnd();
    let delta: number;
    if (held === 0) delta = rnd() < 0.5 ? base : -base;
    else if (r < 0.35)
      delta = Math.sign(held) * base; // add
    else if (r < 0.65)
      delta = -Math.sign(held) * Math.max(lot, round(Math.abs(held) * (0.2 + rnd() * 0.5), szDecimals)); // trim
    else if (r < 0.88)
      delta = -held; // close
    else delta = -held - Math.sign(held) * base; // flip
    delta = round(delta, szDecimals);
    if (delta === 0) continue;

    // The order walks the book: 1-4 fills at worsening prices, same time, same oid.
    const parts = 1 + Math.floor(rnd() * Math.max(1, options.maxFillsPerOrder ?? 4));
    const side: "B" | "A" = delta > 0 ? "B" : "A";
    let left = Math.abs(delta);
    oid++;
    const hash = `0x${(oid * 2654435761).toString(16).padStart(64, "0").slice(-64)}`;
    for (let k = 0; k < parts && left > 0 && out.length < options.fills; k++) {
      const sz = k === parts - 1 ? left : Math.max(lot, round(left * (0.3 + rnd() * 0.4), szDecimals));
      const take = Math.min(sz, left);
      left = round(left - take, szDecimals);
      const fpx = px5(p * (1 + (side === "B" ? 1 : -1) * k * 0.0001));
      const start = pos[i] as number;
      const signed = side === "B" ? take : -take;
      const after = round(start + signed, szDecimals);
      // Realized PnL on the part that reduces the position, at the average entry.
      const closing =
        start !== 0 && Math.sign(signed) !== Math.sign(start) ? Math.min(take, Math.abs(start)) : 0;
      const closedPnl = closing * (fpx - (entry[i] as number)) * Math.sign(start);
      if (after === 0) entry[i] = 0;
      else if (start === 0 || Math.sign(after) !== Math.sign(start)) entry[i] = fpx;
      else if (Math.abs(after) > Math.abs(start)) {
        entry[i] = ((entry[i] as number) * Math.abs(start) + fpx * take) / Math.abs(after);
      }
      pos[i] = after;
      out.push({
        coin,
        px: fpx,
        sz: take,
        side,
        time,
        startPosition: start,
        dir: direction(start, after),
        closedPnl: round(closedPnl, 6),
        fee: round(take * fpx * feeRate, 6),
        hash,
        oid,
        tid: tid++,
        crossed: true,
      });
    }
  }
  return out;
}

function direction(before: number, after: number): string {
  if (before > 0 && after < 0) return "Long > Short";
  if (before < 0 && after > 0) return "Short > Long";
  if (before >= 0 && after > before) return "Open Long";
  if (before <= 0 && after < before) return "Open Short";
  return before > 0 ? "Close Long" : "Close Short";
}

/** The wire form of a fill (decimal strings), as the API and userFills files have it. */
export function toWireFill(f: Fill): Record<string, string | number | boolean> {
  const w: Record<string, string | number | boolean> = {
    coin: f.coin,
    px: String(f.px),
    sz: String(f.sz),
    side: f.side,
    time: f.time,
    startPosition: String(f.startPosition),
    dir: f.dir,
    closedPnl: String(f.closedPnl),
    fee: String(f.fee),
    hash: f.hash,
    oid: f.oid,
  };
  if (f.tid !== undefined) w.tid = f.tid;
  if (f.crossed !== undefined) w.crossed = f.crossed;
  return w;
}
