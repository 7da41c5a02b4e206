// Builders for hand-made fill sequences and loaders for the real trace.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ExchangeClient, HttpTransport } from "@nktkas/hyperliquid";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import type { LeaderDataSource } from "../../src/analytics/fetch.js";
import type { Fill } from "../../src/analytics/wire.js";
import { parseFillsJson, parseMeta } from "../../src/analytics/wire.js";
import type { Address } from "../../src/core/types.js";
import { type SimHandle, startSim } from "../../src/sim/index.js";

export const FIXTURES = resolve(import.meta.dirname, "../fixtures");
export const TRACE_FILE = join(FIXTURES, "fills/userFills-0xb7b6f3ce.json");
export const META_FILE = join(FIXTURES, "fills/meta-2023-07.json");
export const CASSETTES = join(FIXTURES, "reference/hl-cassettes");

export const T0 = Date.UTC(2024, 0, 1); // 2024-01-01 00:00 UTC
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

export function loadTrace(): Fill[] {
  return parseFillsJson(readFileSync(TRACE_FILE, "utf8"), TRACE_FILE);
}

export function loadMeta() {
  return parseMeta(JSON.parse(readFileSync(META_FILE, "utf8")));
}

export function cassette(name: string): unknown {
  return JSON.parse(readFileSync(join(CASSETTES, `${name}.json`), "utf8"));
}

let oid = 1;

/**
 * A sequence of trades with consistent startPosition / closedPnl / fee, one fill each:
 * `[coin, signed size, px, time]`. closedPnl uses the average entry price; fee = rate × notional.
 */
export function trades(list: [string, number, number, number][], feeRate = 0): Fill[] {
  const pos = new Map<string, { size: number; entry: number }>();
  return list.map(([coin, delta, px, time]) => {
    const p = pos.get(coin) ?? { size: 0, entry: 0 };
    const before = p.size;
    const after = Math.round((before + delta) * 1e9) / 1e9;
    const closing =
      before !== 0 && Math.sign(delta) !== Math.sign(before)
        ? Math.min(Math.abs(delta), Math.abs(before))
        : 0;
    const closedPnl = closing * (px - p.entry) * Math.sign(before);
    let entry = p.entry;
    if (after === 0) entry = 0;
    else if (before === 0 || Math.sign(after) !== Math.sign(before)) entry = px;
    else if (Math.abs(after) > Math.abs(before))
      entry = (p.entry * Math.abs(before) + px * Math.abs(delta)) / Math.abs(after);
    pos.set(coin, { size: after, entry });
    const sz = Math.abs(delta);
    return {
      coin,
      px,
      sz,
      side: delta > 0 ? "B" : "A",
      time,
      startPosition: before,
      dir: "",
      closedPnl,
      fee: sz * px * feeRate,
      hash: `0x${oid.toString(16).padStart(64, "0")}`,
      oid: oid++,
    } satisfies Fill;
  });
}

/** A writer that keeps what is written. */
export function sink(): { write(s: string): boolean; text: () => string } {
  let buf = "";
  return {
    write(s: string) {
      buf += s;
      return true;
    },
    text: () => buf,
  };
}

/** A source serving the recorded cassettes. */
export function cassetteSource(overrides: Partial<LeaderDataSource> = {}): LeaderDataSource {
  const response = (name: string) => (cassette(name) as { response: unknown }).response;
  return {
    getFillsByTime: async (_user, start, end) =>
      (response("userFillsByTime") as { time: number }[]).filter(
        (f) => f.time >= start && f.time <= (end ?? Infinity),
      ),
    getClearinghouseState: async () => response("clearinghouseState"),
    getMeta: async () => response("meta"),
    getPortfolio: async () => response("portfolio"),
    getUserFunding: async () => response("userFunding"),
    ...overrides,
  };
}

/**
 * `n` marketable IOCs of 0.001 BTC (asset 0) for one order action, buys and sells in turn from
 * a buy (`first` odd: from a sell), priced 1 % through `px`: on the simulator, n fills at once —
 * a busy leader's history made cheaply.
 */
export function iocBatch(px: number, n: number, first = 0) {
  return Array.from({ length: n }, (_, i) => {
    const buy = (first + i) % 2 === 0;
    return {
      a: 0,
      b: buy,
      p: String(Math.round(buy ? px * 1.01 : px * 0.99)),
      s: "0.001",
      r: false,
      t: { limit: { tif: "Ioc" as const } },
    };
  });
}

/**
 * A simulator whose clock the set-up moves, with two accounts past and within the exchange's
 * 10,000 most recent fills: `busy` makes 10 fills at `oldAt` (the first an order with
 * `firstCloid` when given), then 10,100 from `busyFrom` on — a batch of 100 every 30 minutes —,
 * `quiet` 4 fills a day before `now`. The clock is left at `now`. Nonces follow the clock (the
 * exchange refuses stale ones).
 */
export async function busyHistoryWorld(p: {
  seed: number;
  now: number;
  oldAt: number;
  busyFrom: number;
  firstCloid?: `0x${string}`;
}): Promise<{ sim: SimHandle; busy: Address; quiet: Address }> {
  let t = p.oldAt;
  const sim = await startSim({ seed: p.seed, tickMs: 0, clock: () => t });
  const trader = (usd: number) => {
    const wallet = privateKeyToAccount(generatePrivateKey());
    const address = wallet.address.toLowerCase() as Address;
    sim.control.fund(address, usd);
    let n = 0;
    const sdk = new ExchangeClient({
      transport: new HttpTransport({ apiUrl: sim.httpUrl }),
      wallet,
      nonceManager: () => t + (n++ % 1000),
    });
    return { address, sdk };
  };
  const batch = (sdk: ExchangeClient, n: number, cloid?: `0x${string}`) =>
    sdk.order({
      orders: iocBatch(sim.control.mid("BTC") ?? 0, n).map((o, i) =>
        i === 0 && cloid ? { ...o, c: cloid } : o,
      ),
      grouping: "na",
    });
  const b = trader(10_000_000);
  await batch(b.sdk, 10, p.firstCloid);
  t = p.busyFrom;
  for (let i = 0; i < 101; i++) {
    await batch(b.sdk, 100);
    t += 30 * 60_000;
  }
  t = p.now - 86_400_000;
  const q = trader(100_000);
  await batch(q.sdk, 4);
  t = p.now;
  return { sim, busy: b.address, quiet: q.address };
}
