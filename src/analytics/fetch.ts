// The network side of `inspect` and `backtest <address>`: read a leader's fills (paginated),
// account state, portfolio, funding and the market list through a small interface, so the
// analytics stay pure and testable on fixtures. The CLI implements it over the exchange
// adapter (src/cli/analytics/source.ts): one HTTP client, one budget, one retry rule.

import { HlcopyError, UsageError } from "../core/errors.js";
import { windowText } from "../core/format.js";
import { fillHistoryCut, type HistoryCut } from "../core/history.js";
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
  /**
   * The same read with what it covers (the adapter's getFillHistory): preferred when present.
   * Without it a read of FILL_HISTORY_LIMIT fills or more is taken as cut by the exchange's limit.
   */
  getFillHistory?(
    user: Address,
    startTime: number,
    endTime?: number,
    /** After each full page (2,000 fills) when more follow: the fills read so far. */
    onPage?: (fills: number) => void,
  ): Promise<RawFillHistory>;
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

/** Fills as a source read them (wire or normalized), with the span they cover. */
export interface RawFillHistory {
  fills: readonly unknown[];
  cut: HistoryCut | null;
}

export interface LeaderData {
  user: Address;
  /** The window asked for. */
  window: { start: number; end: number };
  fills: Fill[];
  /**
   * The fills do not cover the window asked (core/history.ts): the exchange keeps a user's
   * 10,000 most recent fills, or the read hit its page cap. `cut.start`–`cut.end` is the span
   * covered; every figure is to be made over it. Null: the fills cover the whole window.
   */
  cut: HistoryCut | null;
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
  /**
   * No fill in the window is the caller's refusal (inspect, backtest: an address that never
   * traded, a typo of one): nothing more is read — the optional reads' lines came before it.
   */
  fillsRequired?: boolean;
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

  progress(`fetching fills of ${user} for the last ${windowText(options.days * DAY_MS, "words")}…`);
  const read: RawFillHistory = source.getFillHistory
    ? // A busy leader's history is pages read under the request budget (~30 s for 10,000
      // fills): each page said, so a long read is seen to move.
      await source.getFillHistory(user, window.start, window.end, (n) =>
        progress(`fills: ${n.toLocaleString("en-US")}…`),
      )
    : { fills: await source.getFillsByTime(user, window.start, window.end), cut: null };
  const fills = sortFills(parseFills(read.fills, "userFillsByTime"));
  // A source that cannot say what it covers: judged by the count (the exchange's limit).
  const cut =
    read.cut ??
    (source.getFillHistory ? null : fillHistoryCut({ startTime: window.start, endTime: window.end, fills }));
  progress(`fills: ${fills.length.toLocaleString("en-US")}`);
  if (options.fillsRequired && fills.length === 0) return { user, window, fills, cut, warnings: [] };

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

  const data: LeaderData = { user, window, fills, cut, warnings };
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
