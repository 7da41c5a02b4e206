// Copy P&L: what the copy made since it began, for the whole copy, per coin and per leader.
// Pure: the engine folds each fill and funding payment in as it comes; `status` and `report`
// read the journal's snapshots of the same function's result — every view shows one figure.
//
// Definitions (USD):
// * realised   — the exchange's closed P&L of the copy's fills (gross of fees), summed;
// * unrealised — open positions at the mark: (mark − entry) × signed size;
// * fees       — what the copy's fills paid (positive = paid);
// * funding    — the copy's part of the exchange's funding records (positive = received);
// * net        — realised + unrealised − fees + funding;
// * ROI %      — net ÷ the account's equity when the copy began (its first equity snapshot);
//   per coin and per leader it is that part's net over the same equity, so the parts add up
//   to the copy's. Our own deposits and withdrawals are not P&L and do not move the base.
// Whose: the copy's P&L is hlcopy's own — the fills it placed, the part of its position a fill
// it did not place closed (a liquidation, an ADL, a close by hand: copyShareOfFill), the
// funding paid on its share of each position (copyFundingShare) and the part of each position
// it manages (copyPositions). What a hand trade or another bot's opens or adds, a position on a
// coin the settings leave alone are not the copy's and are not blamed on its leaders. The account's own figures (equity, the funding records as paid) have
// it all.
// Per leader: each coin's figures are split by the leaders' shares of that coin's target (the
// size each contributes × its copy ratio, gross) as last seen; a coin no leader holds any more
// keeps its last shares, one never seen is split by the leaders' weights. With one leader
// everything is its own; with several it is an attribution, not a ledger.

import { keptManaged, type ManagedPositions } from "./ownership.js";
import type { OrderKind } from "./slippage.js";
import type { Address, Side } from "./types.js";

/**
 * How much of a fill is the copy's, 0…1 — THE rule for every P&L view (the engine's, and so the
 * dashboard's and /metrics', status, report): the part `copySz` the journal kept with it
 * (copySizeOfFill) over its size. A fill of hlcopy's orders is all the copy's (the journal gives
 * it the order's kind: copy, repair, join, safety, flatten) unless it closed what hlcopy did not open (a
 * flatten or the kill switch closing a position held by hand); of a fill it did not place, what
 * it closed of the position hlcopy managed — a liquidation, an ADL, the trader's own close by
 * hand —; nothing of a trade that opens or adds. `copySz` null: a fill journaled before hlcopy
 * kept parts — by its kind, as it was counted then.
 */
export function copyShareOfFill(f: { kind: OrderKind | null; sz: number; copySz: number | null }): number {
  if (f.copySz === null) return f.kind !== null ? 1 : 0;
  if (!(f.sz > 0)) return 0;
  return Math.max(0, Math.min(1, f.copySz / f.sz));
}

/**
 * The copy's part of a journaled fill — its size, fee and closed P&L times copyShareOfFill (a
 * forced close only reduces, so its closed P&L is over its whole size) — or null when none of
 * it is the copy's.
 */
export function copyFill<
  T extends Pick<PnlFill, "sz" | "fee" | "closedPnl"> & { kind: OrderKind | null; copySz: number | null },
>(f: T): T | null {
  const share = copyShareOfFill(f);
  if (share === 0) return null;
  if (share === 1) return f;
  return {
    ...f,
    sz: f.sz * share,
    fee: f.fee * share,
    closedPnl: f.closedPnl === null ? null : f.closedPnl * share,
  };
}

/**
 * Which forced close a fill is — a fill the exchange made on its own to reduce the position: a
 * liquidation of the account (the fill carries `liquidation`; its `dir` may say "Liquidated …"),
 * an auto-deleveraging ("Auto-Deleveraging"), or neither (null). Neither has a cloid of ours, yet
 * each may close a position hlcopy opened.
 */
export function forcedCloseKind(f: { liquidation: boolean; dir: string }): ForcedCloseKind | null {
  if (f.dir === "Auto-Deleveraging") return "adl";
  return f.liquidation || f.dir.startsWith("Liquidated") ? "liquidation" : null;
}

/** A fill the exchange made on its own: a liquidation of the account, or an auto-deleveraging. */
export type ForcedCloseKind = "liquidation" | "adl";

/**
 * Where a fill hlcopy did not place comes from: the exchange forced it (ForcedCloseKind), or it
 * is a trade made outside hlcopy (by hand, by another bot).
 */
export type FillOrigin = ForcedCloseKind | "outside";

/**
 * The part of a fill hlcopy did not place that is the copy's: what it took off the part of the
 * position hlcopy managed just before (`managed`, signed). A liquidation or an ADL (forcedCloseKind)
 * closes what hlcopy opened; so may the trader, by hand: either way the position's P&L so far was
 * the copy's, and it stays in the copy P&L as the close's realised part instead of vanishing with
 * the position's unrealised. As everywhere (keptManaged), the part held by hand goes first: what
 * hlcopy manages after the fill is its part of what is left, so the copy's realised P&L and its
 * unrealised P&L before and after are of the same size. A fill that opens or adds is none of it.
 */
export function closedCopySize(
  managed: number,
  f: { side: Side; sz: number; startPosition: number },
): number {
  const before = keptManaged(managed, f.startPosition);
  const after = keptManaged(before, f.startPosition + (f.side === "buy" ? f.sz : -f.sz));
  const part = Math.max(0, Math.min(f.sz, Math.abs(before) - Math.abs(after)));
  // Sizes have at most 8 decimals; float sums leave dust.
  return Math.round(part * 1e10) / 1e10;
}

/**
 * The part of a fill that is the copy's (a size, journaled with the fill as its `copySz`) — one
 * rule for what hlcopy placed and what it did not: what the fill took off the part of the
 * position hlcopy managed just before (`managed`, signed; closedCopySize: the part held by hand
 * goes first), and, of hlcopy's own order (`placed`), what it opened or added (hlcopy's from the
 * start). So a flatten or the kill switch closing a position the trader holds wholly or partly
 * by hand counts hlcopy's part as the copy's and the rest as outside hlcopy, as the trader's own
 * close of it would; a trade by hand or another bot's that opens or adds is none of it.
 */
export function copySizeOfFill(
  managed: number,
  f: { side: Side; sz: number; startPosition: number },
  placed: boolean,
): number {
  const closed = closedCopySize(managed, f);
  if (!placed) return closed;
  // What the fill took off the position (the rest, past zero or on its side, opened or added).
  const against = f.startPosition !== 0 && (f.side === "buy") !== f.startPosition > 0;
  const reduced = against ? Math.min(f.sz, Math.abs(f.startPosition)) : 0;
  return Math.round((closed + f.sz - reduced) * 1e10) / 1e10;
}

/**
 * Whether an order of hlcopy's may close what hlcopy did not open, so that its fills are split by
 * copySizeOfFill: a safety close (flatten, the kill switch, the on-exit flatten close every
 * position) or risk.closeDenied's close of a denied coin. Every other order trades only what
 * hlcopy manages: all of it the copy's.
 */
export function closesBeyondCopy(kind: OrderKind, reason: string): boolean {
  return kind === "safety" || kind === "flatten" || reason === "coin-denied" || reason === "coin-not-allowed";
}

/**
 * The copy's share of a funding payment on a position of signed size `szi`, hlcopy managing
 * `managed` of that coin then: |its part| ÷ |szi|. The exchange pays funding on a coin's whole
 * position, size × price × rate, so every unit of it earns or pays alike: the part the trader
 * holds by hand (a coin the settings leave alone, a position changed outside hlcopy) is theirs,
 * pro rata, and none of a payment on a position hlcopy has no part of is the copy's. The
 * account's figures (the funding records, equity) keep the whole payment.
 */
export function copyFundingShare(managed: number, szi: number | null): number {
  if (szi === null || !Number.isFinite(szi) || szi === 0) return managed !== 0 ? 1 : 0;
  const share = Math.abs(keptManaged(managed, szi)) / Math.abs(szi);
  // A managed size summed from fills (0.1 + 0.2 …) sits a rounding error off the position's:
  // it is the whole position, not 0.9999999999999998 of it ("the copy's part" of all of it).
  return Math.abs(1 - share) < SHARE_EPSILON ? 1 : share;
}

/** Far below any lot (sizes have at most 5 decimals), far above a double's rounding error. */
const SHARE_EPSILON = 1e-9;

/**
 * The copy's part of a journaled funding payment, or null when none of it is: `copyUsdc` as
 * journaled with it; null there — a payment journaled before hlcopy kept parts — whole, as it
 * was counted then.
 */
export function copyFunding<T extends { usdc: number; copyUsdc: number | null }>(f: T): T | null {
  if (f.copyUsdc === null) return f;
  return f.copyUsdc === 0 ? null : { ...f, usdc: f.copyUsdc };
}

/** What a fill contributes. */
export interface PnlFill {
  coin: string;
  px: number;
  sz: number;
  /** Fee paid (USD; negative = a rebate). */
  fee: number;
  /** The exchange's closed P&L of the fill (gross of fees); null counts as 0. */
  closedPnl: number | null;
}

/** The copy's part of a funding payment (copyFunding). */
export interface PnlFunding {
  coin: string;
  /** USD received (+) or paid (−). */
  usdc: number;
}

/** Running sums of one coin since the copy began. */
export interface CoinTotals {
  realisedUsd: number;
  feesUsd: number;
  fundingUsd: number;
  fills: number;
  volumeUsd: number;
  fundingPayments: number;
}

/** coin → running sums. Plain data: folded, journaled, compared. */
export type PnlTotals = Readonly<Record<string, CoinTotals>>;

const ZERO: CoinTotals = {
  realisedUsd: 0,
  feesUsd: 0,
  fundingUsd: 0,
  fills: 0,
  volumeUsd: 0,
  fundingPayments: 0,
};

const finite = (x: number | null | undefined): number =>
  x !== null && x !== undefined && Number.isFinite(x) ? x : 0;

/** The totals with one more fill. */
export function addFill(totals: PnlTotals, f: PnlFill): PnlTotals {
  const c = totals[f.coin] ?? ZERO;
  return {
    ...totals,
    [f.coin]: {
      ...c,
      realisedUsd: c.realisedUsd + finite(f.closedPnl),
      feesUsd: c.feesUsd + finite(f.fee),
      fills: c.fills + 1,
      volumeUsd: c.volumeUsd + Math.abs(finite(f.sz) * finite(f.px)),
    },
  };
}

/** The totals with one more funding payment. */
export function addFunding(totals: PnlTotals, f: PnlFunding): PnlTotals {
  const c = totals[f.coin] ?? ZERO;
  return {
    ...totals,
    [f.coin]: { ...c, fundingUsd: c.fundingUsd + finite(f.usdc), fundingPayments: c.fundingPayments + 1 },
  };
}

/** The copy's parts of `fills` (copyFill), in their order, as they are read. */
export function* copyFills<T extends Parameters<typeof copyFill>[0]>(fills: Iterable<T>): Generator<T> {
  for (const f of fills) {
    const part = copyFill(f);
    if (part) yield part;
  }
}

/** Fold fills and funding payments (in journal order) into totals. */
export function foldPnl(fills: Iterable<PnlFill>, funding: Iterable<PnlFunding>): PnlTotals {
  const acc: Record<string, CoinTotals> = {};
  for (const f of fills) {
    const c = acc[f.coin] ?? { ...ZERO };
    c.realisedUsd += finite(f.closedPnl);
    c.feesUsd += finite(f.fee);
    c.fills += 1;
    c.volumeUsd += Math.abs(finite(f.sz) * finite(f.px));
    acc[f.coin] = c;
  }
  for (const f of funding) {
    const c = acc[f.coin] ?? { ...ZERO };
    c.fundingUsd += finite(f.usdc);
    c.fundingPayments += 1;
    acc[f.coin] = c;
  }
  return acc;
}

/** An open position of ours and its mark. */
export interface MarkedPosition {
  coin: string;
  /** Signed size (long > 0). */
  size: number;
  entryPx: number;
  /** The price it is valued at (mid); null = unknown, valued at entry (no unrealised P&L). */
  markPx: number | null;
}

/**
 * The part of each position hlcopy manages (`managed`: coin → signed size, core/ownership.ts),
 * at the position's entry: all of a coin it manages whole, none of one it never opened (a hand
 * trade on a coin the settings leave alone), its own share of one the trader added to.
 */
export function copyPositions(
  positions: readonly MarkedPosition[],
  managed: ManagedPositions,
): MarkedPosition[] {
  return positions.flatMap((p) => {
    const size = keptManaged(managed[p.coin] ?? 0, p.size);
    return size === 0 ? [] : [{ ...p, size }];
  });
}

export interface PnlFigures {
  realisedUsd: number;
  unrealisedUsd: number;
  feesUsd: number;
  fundingUsd: number;
  netUsd: number;
  /** net ÷ the equity the copy began with × 100; null before that equity is known. */
  roiPct: number | null;
}

export interface CoinPnl extends PnlFigures {
  coin: string;
  fills: number;
  volumeUsd: number;
}

export interface LeaderPnl extends PnlFigures {
  leader: Address;
}

export interface CopyPnl extends PnlFigures {
  /** When the copy began (the account's first trading run in this journal), ms; null = none yet. */
  since: number | null;
  /** The account's equity when the copy began (USD). */
  startEquity: number | null;
  fills: number;
  volumeUsd: number;
  /** Biggest |net| first. */
  byCoin: CoinPnl[];
  /** In the leaders' order. */
  byLeader: LeaderPnl[];
}

const isNum = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);
const isNumOrNull = (x: unknown): x is number | null => x === null || isNum(x);
const hasFigures = (x: Record<string, unknown>): boolean =>
  isNum(x.realisedUsd) &&
  isNum(x.unrealisedUsd) &&
  isNum(x.feesUsd) &&
  isNum(x.fundingUsd) &&
  isNum(x.netUsd);
const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null;

/**
 * Whether a journaled value is a CopyPnl whole: what status and report restate and show of a
 * record is read from JSON a damaged journal (or a hand) may have changed, and a P&L without its
 * `since` or its coins was a failed read of the whole journal ("cannot be bound to SQLite").
 */
export function isCopyPnl(x: unknown): x is CopyPnl {
  return (
    isRecord(x) &&
    hasFigures(x) &&
    isNumOrNull(x.since) &&
    isNumOrNull(x.startEquity) &&
    isNum(x.fills) &&
    Array.isArray(x.byCoin) &&
    x.byCoin.every((c) => isRecord(c) && typeof c.coin === "string" && hasFigures(c) && isNum(c.fills)) &&
    Array.isArray(x.byLeader) &&
    x.byLeader.every((l) => isRecord(l) && typeof l.leader === "string" && hasFigures(l))
  );
}

/** coin → leader → share (the shares of a coin sum to 1). */
export type LeaderShares = Readonly<Record<string, Readonly<Record<string, number>>>>;

export interface CopyPnlParameters {
  totals: PnlTotals;
  positions: readonly MarkedPosition[];
  since: number | null;
  startEquity: number | null;
  /** The run's leaders and weights (weights split a coin with no known shares). */
  leaders: readonly { address: Address; weight: number }[];
  shares: LeaderShares;
  /**
   * Each coin's unrealised P&L as already valued (a journaled snapshot's), instead of valuing
   * `positions` (restatePnl).
   */
  unrealisedByCoin?: ReadonlyMap<string, number>;
}

/** USDC has 6 decimals: round sums there so folding order never shows as a different figure. */
export function round6(x: number): number {
  const r = Math.round(x * 1e6) / 1e6;
  return Object.is(r, -0) ? 0 : r;
}

function roi(net: number, startEquity: number | null): number | null {
  return startEquity !== null && startEquity > 0 ? round6((net / startEquity) * 100) : null;
}

function figures(
  realised: number,
  unrealised: number,
  fees: number,
  funding: number,
  startEquity: number | null,
): PnlFigures {
  const net = round6(realised + unrealised - fees + funding);
  return {
    realisedUsd: round6(realised),
    unrealisedUsd: round6(unrealised),
    feesUsd: round6(fees),
    fundingUsd: round6(funding),
    netUsd: net,
    roiPct: roi(net, startEquity),
  };
}

/** Unrealised P&L of one position at its mark (0 without a usable mark). */
export function unrealisedOf(p: MarkedPosition): number {
  if (!Number.isFinite(p.size) || p.size === 0) return 0;
  const mark = p.markPx !== null && Number.isFinite(p.markPx) && p.markPx > 0 ? p.markPx : p.entryPx;
  return (mark - p.entryPx) * p.size;
}

/** The copy's P&L: whole copy, per coin, per leader. */
export function copyPnl(p: CopyPnlParameters): CopyPnl {
  const coins = new Set<string>([
    ...Object.keys(p.totals),
    ...p.positions.filter((x) => x.size !== 0).map((x) => x.coin),
    ...(p.unrealisedByCoin?.keys() ?? []),
  ]);
  const unrealised = new Map<string, number>(p.unrealisedByCoin ?? []);
  for (const pos of p.positions)
    unrealised.set(pos.coin, (unrealised.get(pos.coin) ?? 0) + unrealisedOf(pos));
  const byCoin: CoinPnl[] = [];
  const raw = new Map<string, { r: number; u: number; f: number; fu: number }>();
  let r = 0;
  let u = 0;
  let fees = 0;
  let funding = 0;
  let fills = 0;
  let volume = 0;
  for (const coin of coins) {
    const t = p.totals[coin] ?? ZERO;
    const cu = unrealised.get(coin) ?? 0;
    raw.set(coin, { r: t.realisedUsd, u: cu, f: t.feesUsd, fu: t.fundingUsd });
    r += t.realisedUsd;
    u += cu;
    fees += t.feesUsd;
    funding += t.fundingUsd;
    fills += t.fills;
    volume += t.volumeUsd;
    byCoin.push({
      coin,
      ...figures(t.realisedUsd, cu, t.feesUsd, t.fundingUsd, p.startEquity),
      fills: t.fills,
      volumeUsd: round6(t.volumeUsd),
    });
  }
  byCoin.sort((a, b) => Math.abs(b.netUsd) - Math.abs(a.netUsd) || (a.coin < b.coin ? -1 : 1));

  // Per leader: each coin split by its shares (or the weights).
  const leaders: Address[] = p.leaders.map((l) => l.address.toLowerCase() as Address);
  for (const s of Object.values(p.shares)) {
    for (const l of Object.keys(s)) if (!leaders.includes(l as Address)) leaders.push(l as Address);
  }
  const weightSum = p.leaders.reduce((s, l) => s + (l.weight > 0 ? l.weight : 0), 0);
  const acc = new Map<Address, { r: number; u: number; f: number; fu: number }>(
    leaders.map((l) => [l, { r: 0, u: 0, f: 0, fu: 0 }]),
  );
  for (const [coin, v] of raw) {
    const split = coinShares(p.shares[coin], p.leaders, weightSum);
    for (const [leader, share] of split) {
      const a = acc.get(leader);
      if (!a) continue;
      a.r += v.r * share;
      a.u += v.u * share;
      a.f += v.f * share;
      a.fu += v.fu * share;
    }
  }
  const byLeader: LeaderPnl[] = leaders.map((leader) => {
    const a = acc.get(leader) ?? { r: 0, u: 0, f: 0, fu: 0 };
    return { leader, ...figures(a.r, a.u, a.f, a.fu, p.startEquity) };
  });

  return {
    since: p.since,
    startEquity: p.startEquity,
    ...figures(r, u, fees, funding, p.startEquity),
    fills,
    volumeUsd: round6(volume),
    byCoin,
    byLeader,
  };
}

/** A coin's split: its known shares normalised, else the leaders' weights. */
function coinShares(
  shares: Readonly<Record<string, number>> | undefined,
  leaders: readonly { address: Address; weight: number }[],
  weightSum: number,
): [Address, number][] {
  if (shares) {
    const entries = Object.entries(shares).filter(([, v]) => Number.isFinite(v) && v > 0);
    const sum = entries.reduce((s, [, v]) => s + v, 0);
    if (sum > 0) return entries.map(([l, v]) => [l.toLowerCase() as Address, v / sum]);
  }
  if (weightSum > 0) {
    return leaders
      .filter((l) => l.weight > 0)
      .map((l) => [l.address.toLowerCase() as Address, l.weight / weightSum]);
  }
  return [];
}

/**
 * Each leader's share of each coin's target now: |its size × its copy ratio| over the sum.
 * Coins no leader holds are absent (the caller keeps their last shares: mergeShares).
 */
export function leaderShares(
  leaders: readonly { address: Address; positions: Readonly<Record<string, { size: number }>> }[],
  ratios: Readonly<Record<string, number>>,
): LeaderShares {
  const out: Record<string, Record<string, number>> = {};
  for (const l of leaders) {
    const address = l.address.toLowerCase();
    const ratio = ratios[l.address] ?? ratios[address] ?? 0;
    for (const [coin, pos] of Object.entries(l.positions)) {
      const w = Math.abs(finite(pos.size) * finite(ratio));
      if (w === 0) continue;
      const c = out[coin] ?? {};
      c[address] = (c[address] ?? 0) + w;
      out[coin] = c;
    }
  }
  for (const [coin, c] of Object.entries(out)) {
    const sum = Object.values(c).reduce((s, v) => s + v, 0);
    out[coin] = Object.fromEntries(Object.entries(c).map(([l, v]) => [l, round6(v / sum)]));
  }
  return out;
}

/** The latest shares per coin, keeping the last known shares of coins no leader holds now. */
export function mergeShares(prev: LeaderShares, next: LeaderShares): LeaderShares {
  return { ...prev, ...next };
}

/**
 * The closed P&L of one fill against the position before it (what the exchange reports as
 * `closedPnl`; paper runs compute it): the part that reduces the position, at (px − entry).
 */
export function closedPnlOf(
  before: { size: number; entryPx: number } | undefined,
  side: Side,
  sz: number,
  px: number,
): number {
  if (!before || before.size === 0) return 0;
  const reducing = (before.size > 0 && side === "sell") || (before.size < 0 && side === "buy");
  if (!reducing) return 0;
  const closed = Math.min(Math.abs(before.size), sz);
  return (px - before.entryPx) * closed * Math.sign(before.size);
}

/** A journaled fill, in journal order, with its exchange time. */
export interface TimedPnlFill extends PnlFill {
  ts: number;
}

export interface RestatePnlParameters {
  /** The P&L journaled with a sweep or a run's end. */
  snapshot: CopyPnl;
  /** Its moment (ms): the positions and unrealised P&L it values are the exchange's then. */
  asOf: number;
  /** The copy's parts of the journal's fills since the copy began (copyFill), in journal order. */
  fills: Iterable<TimedPnlFill>;
  /** The copy's parts of the journal's funding payments since the copy began (copyFunding). */
  funding: readonly (PnlFunding & { ts: number })[];
  leaders: readonly { address: Address; weight: number }[];
  shares: LeaderShares;
}

/**
 * A journaled P&L made whole at its own moment. The engine folds a fill in when its report
 * arrives, which can be after a sweep that already read the position it made: the first
 * sweep's snapshot valued the join's positions (unrealised) without their fills (fees,
 * realised) — `net −0.02 … fees 0.01`, 1 fill, beside an equity already $0.80 down. Each coin
 * whose journal holds more fills at that moment (made by then, or folded into the snapshot)
 * than the snapshot counted is summed again from the journal, its unrealised P&L kept; every
 * other coin is the snapshot's as it is (the snapshot itself when nothing was missing, or when
 * its coins do not add up to it: an older journal's). `fillsAfter`: the journal's fills made
 * after the moment, in none of its figures.
 */
export function restatePnl(p: RestatePnlParameters): { pnl: CopyPnl; fillsAfter: number } {
  const counted = new Map(p.snapshot.byCoin.map((c) => [c.coin, c.fills]));
  const atMoment = new Map<string, TimedPnlFill[]>();
  const seen = new Map<string, number>();
  let fillsAfter = 0;
  for (const f of p.fills) {
    const i = seen.get(f.coin) ?? 0;
    seen.set(f.coin, i + 1);
    // The first fills the snapshot counted are in it whatever their time (journal order is fold order).
    if (i < (counted.get(f.coin) ?? 0) || f.ts <= p.asOf) {
      const kept = atMoment.get(f.coin);
      if (kept) kept.push(f);
      else atMoment.set(f.coin, [f]);
    } else fillsAfter++;
  }
  const missing = [...atMoment].filter(([coin, fills]) => fills.length > (counted.get(coin) ?? 0));
  const partsUnrealised = p.snapshot.byCoin.reduce((sum, c) => sum + c.unrealisedUsd, 0);
  const whole = Math.abs(partsUnrealised - p.snapshot.unrealisedUsd) < 1e-5;
  if (missing.length === 0 || !whole) return { pnl: p.snapshot, fillsAfter };
  const restated = new Set(missing.map(([coin]) => coin));
  const folded = foldPnl(
    missing.flatMap(([, fills]) => fills),
    p.funding.filter((f) => restated.has(f.coin) && f.ts <= p.asOf),
  );
  const totals: Record<string, CoinTotals> = {};
  for (const c of p.snapshot.byCoin) {
    if (restated.has(c.coin)) continue;
    totals[c.coin] = {
      realisedUsd: c.realisedUsd,
      feesUsd: c.feesUsd,
      fundingUsd: c.fundingUsd,
      fills: c.fills,
      volumeUsd: c.volumeUsd,
      fundingPayments: 0,
    };
  }
  for (const [coin, t] of Object.entries(folded)) totals[coin] = t;
  const pnl = copyPnl({
    totals,
    positions: [],
    unrealisedByCoin: new Map(p.snapshot.byCoin.map((c) => [c.coin, c.unrealisedUsd])),
    since: p.snapshot.since,
    startEquity: p.snapshot.startEquity,
    leaders: p.leaders,
    shares: p.shares,
  });
  return { pnl, fillsAfter };
}
