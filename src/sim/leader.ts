// A seeded scripted leader: a funded account that trades through the SDK at a steady rate —
// opens, adds, partial closes (reduce-only), flips and full closes across several coins. The
// demo, benchmarks and `hlcopy sim --leader random` use it as the account to copy.
//
// It reads /info only at start (meta and allMids); afterwards it prices its IOC orders from
// its own fills, so a test counting the follower's /info requests is not disturbed by it.

import { randomBytes } from "node:crypto";
import { ApiRequestError, ExchangeClient, HttpTransport, InfoClient } from "@nktkas/hyperliquid";
import { formatPrice, formatSize } from "@nktkas/hyperliquid/utils";
import { keccak256, toHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { Rng } from "./rng.js";
import type { Hex } from "./types.js";

export interface ScriptedLeaderOptions {
  /** The simulator's HTTP base URL. */
  httpUrl: string;
  /** The leader's key; by default one derived from the seed (same seed, same address). */
  privateKey?: Hex;
  seed: number;
  /** Orders per second. */
  ratePerSec: number;
  /** Coins to trade (default BTC, ETH, SOL, HYPE — those the simulator lists). */
  coins?: string[];
  /** Stop after this many executed trades. */
  maxTrades?: number;
  /** USDC credited through /control at start (default 100 000; 0 = none). */
  fundUsd?: number;
  /** Notional range of an opening or adding trade in USD (default [200, 2000]). */
  notionalUsd?: [number, number];
  /** Sign for testnet (when the simulator runs with testnetSigning). */
  isTestnet?: boolean;
  log?: (line: string) => void;
}

export interface ScriptedLeader {
  address: Hex;
  /** Stop trading (waits for an order in flight). */
  stop(): Promise<void>;
  /** Trades executed so far (orders that filled, fully or partly). */
  trades(): number;
  /** Resolves when the leader stops (stop() or maxTrades). */
  done: Promise<void>;
  /**
   * Resolves once an order of the leader has filled (it has fills on record), or after
   * TRADED_WITHIN_BEATS beats without one (its orders keep failing: the log says why), or when it
   * stops. A follow of it started after this is not refused as a leader that never traded.
   */
  traded: Promise<void>;
}

/** The private key a seed stands for: deterministic, and never a key anyone funds for real. */
export function leaderKeyForSeed(seed: number): Hex {
  return keccak256(toHex(`hlcopy-sim-leader:${seed}`));
}

/** How many beats (orders tried, or skipped as rounding to nothing) `traded` waits for a fill. */
const TRADED_WITHIN_BEATS = 10;

interface CoinState {
  asset: number;
  szDecimals: number;
  /** Last price seen (a fill's average, or the start mid). */
  ref: number;
  /** Signed position in coin units, from our own fills. */
  pos: number;
}

/**
 * Fund the leader, then trade until stopped.
 * @throws {Error} when the simulator cannot be reached or lists none of the coins.
 */
export async function startScriptedLeader(opts: ScriptedLeaderOptions): Promise<ScriptedLeader> {
  const log = opts.log ?? (() => {});
  const wallet = privateKeyToAccount(opts.privateKey ?? leaderKeyForSeed(opts.seed));
  const address = wallet.address.toLowerCase() as Hex;
  const transport = new HttpTransport({ apiUrl: opts.httpUrl, isTestnet: opts.isTestnet ?? false });
  const info = new InfoClient({ transport });
  const exchange = new ExchangeClient({ transport, wallet });
  const rng = new Rng(opts.seed);
  const [minUsd, maxUsd] = opts.notionalUsd ?? [200, 2000];
  if (!(opts.ratePerSec > 0)) throw new Error("ratePerSec must be > 0");

  const fundUsd = opts.fundUsd ?? 100_000;
  if (fundUsd > 0) {
    const res = await fetch(
      new URL("control", opts.httpUrl.endsWith("/") ? opts.httpUrl : `${opts.httpUrl}/`),
      {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ type: "fund", user: address, usd: fundUsd }),
      },
    );
    if (!res.ok) throw new Error(`funding the leader failed: ${res.status} ${await res.text()}`);
  }

  const [meta, mids] = await Promise.all([info.meta(), info.allMids()]);
  const wanted = opts.coins ?? ["BTC", "ETH", "SOL", "HYPE"];
  const coins = new Map<string, CoinState>();
  meta.universe.forEach((u, asset) => {
    const mid = Number(mids[u.name]);
    if (wanted.includes(u.name) && mid > 0)
      coins.set(u.name, { asset, szDecimals: u.szDecimals, ref: mid, pos: 0 });
  });
  if (coins.size === 0) throw new Error(`the simulator lists none of ${wanted.join(", ")}`);
  const names = [...coins.keys()];

  let trades = 0;
  let attempts = 0;
  let counter = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  let beats = 0;
  let resolveTraded = () => {};
  const traded = new Promise<void>((resolve) => {
    resolveTraded = resolve;
  });
  let resolveDone = () => {};
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  const intervalMs = 1000 / opts.ratePerSec;

  // seed ‖ run ‖ counter: a leader started again with the same seed (same key) must not reuse
  // its earlier run's cloids, which the exchange would refuse as duplicates.
  const run = randomBytes(4).toString("hex");
  const cloid = (): Hex => {
    counter++;
    const hex =
      (opts.seed >>> 0).toString(16).padStart(8, "0") + run + counter.toString(16).padStart(16, "0");
    return `0x${hex.slice(-32)}` as Hex;
  };

  /** One decision: what to trade, how much, which way. */
  const decide = (): {
    coin: string;
    state: CoinState;
    isBuy: boolean;
    size: number;
    reduceOnly: boolean;
  } => {
    const coin = rng.pick(names);
    const state = coins.get(coin) as CoinState;
    const notional = minUsd + rng.next() * (maxUsd - minUsd);
    const fresh = notional / state.ref;
    const pos = state.pos;
    const heavy = Math.abs(pos) * state.ref > maxUsd * 8;
    if (pos === 0) return { coin, state, isBuy: rng.next() < 0.5, size: fresh, reduceOnly: false };
    const r = heavy ? 0.45 : rng.next();
    const long = pos > 0;
    if (r < 0.3) return { coin, state, isBuy: long, size: fresh, reduceOnly: false }; // add
    if (r < 0.6)
      return { coin, state, isBuy: !long, size: Math.abs(pos) * (0.3 + rng.next() * 0.4), reduceOnly: true };
    if (r < 0.8) return { coin, state, isBuy: !long, size: Math.abs(pos) + fresh, reduceOnly: false }; // flip
    return { coin, state, isBuy: !long, size: Math.abs(pos), reduceOnly: true }; // close
  };

  const step = async (): Promise<void> => {
    const d = decide();
    let size: string;
    try {
      size = formatSize(d.size, d.state.szDecimals);
    } catch {
      return; // rounds to zero: skip this beat
    }
    const px = formatPrice(d.isBuy ? d.state.ref * 1.02 : d.state.ref * 0.98, d.state.szDecimals);
    attempts++;
    try {
      const res = await exchange.order({
        orders: [
          {
            a: d.state.asset,
            b: d.isBuy,
            p: px,
            s: size,
            r: d.reduceOnly,
            t: { limit: { tif: "Ioc" } },
            c: cloid(),
          },
        ],
        grouping: "na",
      });
      const status = res.response.data.statuses[0];
      if (status && typeof status === "object" && "filled" in status) {
        const filled = Number(status.filled.totalSz);
        d.state.pos = Number((d.state.pos + (d.isBuy ? filled : -filled)).toFixed(d.state.szDecimals));
        d.state.ref = Number(status.filled.avgPx);
        trades++;
        log(
          `leader: ${d.isBuy ? "buy" : "sell"} ${status.filled.totalSz} ${d.coin} @ ${status.filled.avgPx}`,
        );
      }
    } catch (e) {
      // A rejected order (no liquidity within 2 %, margin) is part of trading: note it and go on.
      log(`leader: ${d.coin} order failed: ${e instanceof ApiRequestError ? e.message : String(e)}`);
    }
  };

  const finish = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    stopped = true;
    resolveTraded();
    resolveDone();
  };

  const loop = () => {
    if (stopped) return;
    const started = Date.now();
    inFlight = step().then(() => {
      beats++;
      if (trades > 0 || beats >= TRADED_WITHIN_BEATS) resolveTraded();
      const max = opts.maxTrades;
      if (max !== undefined && (trades >= max || attempts >= max * 3)) {
        finish();
        return;
      }
      if (!stopped) timer = setTimeout(loop, Math.max(0, intervalMs - (Date.now() - started)));
    });
  };
  timer = setTimeout(loop, 0);

  return {
    address,
    trades: () => trades,
    done,
    traded,
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight;
      finish();
    },
  };
}
