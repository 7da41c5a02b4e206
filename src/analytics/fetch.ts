// The network side of `inspect` and `backtest <address>`: read a leader's fills (paginated),
// account state, portfolio, funding and the market list through a small interface, so the
// analytics stay pure and testable on fixtures. The exchange adapter implements the
// interface; `infoHttpSource` is a minimal stand-in over POST /info until it is wired.

import { HlcopyError, RetryableError, UsageError } from "../core/errors.js";
import type { AccountState, Address, Markets } from "../core/types.js";
import { sortFills } from "./fills.js";
import {
  type AccountSnapshot,
  type Fill,
  type FundingPayment,
  type MetaAsset,
  type Portfolio,
  parseClearinghouseState,
  parseFills,
  parseFunding,
  parseMeta,
  parsePortfolio,
} from "./wire.js";

/**
 * What analytics read from the exchange. Fills may come in the wire shape (decimal strings,
 * side "B"/"A") or normalized (numbers, side "buy"/"sell"); other reads are raw info
 * responses (parsed here) except account state and markets, which are domain types.
 */
export interface LeaderDataSource {
  /** Fills with startTime ≤ time ≤ endTime, every page (the adapter paginates). */
  getFillsByTime(user: Address, startTime: number, endTime?: number): Promise<readonly unknown[]>;
  getAccountState?(user: Address): Promise<AccountState>;
  /** Raw clearinghouseState (preferred over getAccountState: it has position values). */
  getClearinghouseState?(user: Address): Promise<unknown>;
  getMarkets?(): Promise<Markets>;
  getMeta?(): Promise<unknown>;
  getPortfolio?(user: Address): Promise<unknown>;
  getUserFunding?(user: Address, startTime: number, endTime?: number): Promise<unknown>;
  /** A coin's funding rates over the window, every page (fundingHistory items). */
  getFundingHistory?(coin: string, startTime: number, endTime?: number): Promise<readonly unknown[]>;
  /** A coin's hourly candles from `startTime` (candleSnapshot items; up to 5000). */
  getHourlyCandles?(coin: string, startTime: number, endTime?: number): Promise<readonly unknown[]>;
}

export interface LeaderData {
  user: Address;
  window: { start: number; end: number };
  fills: Fill[];
  funding?: FundingPayment[];
  portfolio?: Portfolio;
  state?: AccountSnapshot;
  meta?: MetaAsset[];
  /** Reads that failed but were optional (shown as notes, never fatal). */
  warnings: string[];
}

export interface FetchOptions {
  /** Days back from `now`. */
  days: number;
  now: number;
  /** Progress lines for stderr ("fills: 4,000…"); never on stdout. */
  onProgress?: (message: string) => void;
  /** Skip the optional reads (backtest needs fills, state and meta only). */
  fillsOnly?: boolean;
}

const DAY_MS = 86_400_000;

/**
 * Fetch everything inspect needs. Fills are required; the rest is best effort.
 * @throws {UsageError} for a bad window; {HlcopyError} subclasses from the source for fills.
 */
export async function fetchLeaderData(
  source: LeaderDataSource,
  user: Address,
  options: FetchOptions,
): Promise<LeaderData> {
  if (!(options.days > 0)) {
    throw new UsageError(`invalid --days ${options.days}: expected a positive number`, {
      hint: "e.g. --days 30",
    });
  }
  const progress = options.onProgress ?? (() => {});
  const window = { start: Math.floor(options.now - options.days * DAY_MS), end: options.now };
  const warnings: string[] = [];

  progress(`fetching fills of ${user} for the last ${options.days} days…`);
  const raw = await source.getFillsByTime(user, window.start, window.end);
  const fills = sortFills(parseFills(raw, "userFillsByTime"));
  progress(`fills: ${fills.length.toLocaleString("en-US")}`);

  const optional = async <T>(what: string, read: (() => Promise<T>) | undefined): Promise<T | undefined> => {
    if (!read) return undefined;
    progress(`fetching ${what}…`);
    try {
      return await read();
    } catch (error) {
      const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
      warnings.push(`${what} unavailable: ${message}`);
      return undefined;
    }
  };

  const data: LeaderData = { user, window, fills, warnings };
  let readState: (() => Promise<AccountSnapshot>) | undefined;
  if (source.getClearinghouseState) {
    readState = async () => parseClearinghouseState(await source.getClearinghouseState?.(user));
  } else if (source.getAccountState) {
    readState = async () => snapshotOf(required(await source.getAccountState?.(user), "account state"));
  }
  const state = await optional("account state", readState);
  if (state) data.state = state;
  let readMeta: (() => Promise<MetaAsset[]>) | undefined;
  if (source.getMeta) readMeta = async () => parseMeta(await source.getMeta?.());
  else if (source.getMarkets) readMeta = async () => metaOf(required(await source.getMarkets?.(), "markets"));
  const meta = await optional("markets", readMeta);
  if (meta) data.meta = meta;
  if (options.fillsOnly) return data;

  const portfolio = await optional(
    "portfolio",
    source.getPortfolio ? async () => parsePortfolio(await source.getPortfolio?.(user)) : undefined,
  );
  if (portfolio) data.portfolio = portfolio;
  const funding = await optional(
    "funding",
    source.getUserFunding
      ? async () => parseFunding(await source.getUserFunding?.(user, window.start, window.end))
      : undefined,
  );
  if (funding) data.funding = funding;
  return data;
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new HlcopyError(`no ${what} returned`);
  return value;
}

/** AccountState (domain) → the snapshot analytics read; position value at entry price. */
export function snapshotOf(state: AccountState): AccountSnapshot {
  const positions = Object.values(state.positions).map((p) => ({
    coin: p.coin,
    szi: p.size,
    entryPx: p.entryPx,
    leverage: p.leverage ?? null,
    positionValue: Math.abs(p.size) * p.entryPx,
  }));
  return {
    accountValue: state.accountValue,
    totalNtlPos: positions.reduce((s, p) => s + p.positionValue, 0),
    positions,
    time: state.time || null,
  };
}

/** Markets (domain) → meta assets. */
export function metaOf(markets: Markets): MetaAsset[] {
  return Object.values(markets).map((m) => ({
    name: m.coin,
    szDecimals: m.szDecimals,
    maxLeverage: m.maxLeverage,
    assetId: m.assetId,
  }));
}

/**
 * The leader's equity when the window started: the portfolio's account value history at
 * the first fill if known, else today's account value; null when neither is known.
 */
export function leaderEquityAt(data: Pick<LeaderData, "portfolio" | "state">, time: number): number | null {
  const series = data.portfolio?.allTime?.accountValueHistory ?? data.portfolio?.month?.accountValueHistory;
  if (series && series.length > 0) {
    let best = series[0] as [number, number];
    for (const p of series) if (p[0] <= time) best = p;
    if (best[1] > 0) return best[1];
  }
  const v = data.state?.accountValue;
  return v !== undefined && v > 0 ? v : null;
}

/** Page size of userFillsByTime: a full page means there may be more. */
export const FILLS_PAGE = 2000;

/** The request budget the reads are paced by (the adapter's RequestBudget fits). */
export interface InfoBudget {
  acquire(weight: number, kind: "info"): Promise<void>;
  charge(weight: number): void;
  weightOf(type: string): number;
  itemWeightOf(type: string, items: number): number;
}

type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string },
) => Promise<{
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
}>;

/**
 * A minimal LeaderDataSource over `POST {httpUrl}/info` (plain JSON, no signing): enough for
 * inspect and backtest on mainnet, testnet or `hlcopy sim`. Requests run one at a time.
 * Replace with the exchange adapter's reader once it offers these reads.
 */
export function infoHttpSource(
  httpUrl: string,
  fetchImpl: FetchLike = fetch as unknown as FetchLike,
  budget?: InfoBudget,
): LeaderDataSource {
  const post = async (body: Record<string, unknown>): Promise<unknown> => {
    // Paced under the exchange's REST weight limit: 30 days of a busy leader is many pages
    // of 120 weight each, more than a minute's 1200 if sent back to back.
    const type = String(body.type);
    await budget?.acquire(budget.weightOf(type), "info");
    const reply = await send(body);
    if (Array.isArray(reply)) budget?.charge(budget.itemWeightOf(type, reply.length));
    return reply;
  };
  const send = async (body: Record<string, unknown>): Promise<unknown> => {
    let res: Awaited<ReturnType<FetchLike>>;
    try {
      res = await fetchImpl(`${httpUrl}/info`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    } catch (error) {
      throw new RetryableError(
        `cannot reach ${httpUrl}: ${error instanceof Error ? error.message : String(error)}`,
        {
          hint: "check the network (--network) and your connection, then retry",
          cause: error,
        },
      );
    }
    if (res.status === 429) {
      throw new RetryableError(`rate-limited by ${httpUrl} (HTTP 429)`, { hint: "wait a minute and retry" });
    }
    if (!res.ok) {
      throw new HlcopyError(`${httpUrl}/info answered HTTP ${res.status} to ${String(body.type)}`, {
        hint: "retry later; run with --debug for details",
      });
    }
    return res.json();
  };
  return {
    async getFillsByTime(user, startTime, endTime) {
      const seen = new Set<string>();
      const out: unknown[] = [];
      let from = startTime;
      for (let page = 0; page < 100; page++) {
        const body: Record<string, unknown> = { type: "userFillsByTime", user, startTime: from };
        if (endTime !== undefined) body.endTime = endTime;
        const list = await post(body);
        if (!Array.isArray(list)) throw new HlcopyError("userFillsByTime did not return a list");
        let newest = from;
        let added = 0;
        for (const f of list as Record<string, unknown>[]) {
          const key = String(f.tid ?? `${f.hash}|${f.oid}|${f.px}|${f.sz}|${f.side}|${f.time}`);
          if (seen.has(key)) continue;
          seen.add(key);
          out.push(f);
          added++;
          if (typeof f.time === "number" && f.time > newest) newest = f.time;
        }
        // The next page starts at the newest time seen (inclusive: fills of that millisecond
        // may continue on it; duplicates are dropped by key).
        if (list.length < FILLS_PAGE || added === 0) break;
        from = newest;
      }
      return out;
    },
    getClearinghouseState: (user) => post({ type: "clearinghouseState", user }),
    getMeta: () => post({ type: "meta" }),
    getPortfolio: (user) => post({ type: "portfolio", user }),
    getUserFunding: (user, startTime, endTime) =>
      post({ type: "userFunding", user, startTime, ...(endTime !== undefined ? { endTime } : {}) }),
    async getHourlyCandles(coin, startTime, endTime) {
      const list = await post({
        type: "candleSnapshot",
        req: { coin, interval: "1h", startTime, ...(endTime !== undefined ? { endTime } : {}) },
      });
      if (!Array.isArray(list)) throw new HlcopyError("candleSnapshot did not return a list");
      return list;
    },
    async getFundingHistory(coin, startTime, endTime) {
      // Up to 500 rates a reply (about 3 weeks hourly): page on from the last time + 1.
      const out: unknown[] = [];
      let from = startTime;
      for (let page = 0; page < 100; page++) {
        const list = await post({
          type: "fundingHistory",
          coin,
          startTime: from,
          ...(endTime !== undefined ? { endTime } : {}),
        });
        if (!Array.isArray(list)) throw new HlcopyError("fundingHistory did not return a list");
        out.push(...list);
        const last = (list.at(-1) as { time?: unknown } | undefined)?.time;
        if (list.length < 500 || typeof last !== "number" || last < from) break;
        from = last + 1;
      }
      return out;
    },
  };
}
