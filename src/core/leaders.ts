// Per-leader rules of a copy (pure): each leader's allocation cap, the leader-behaviour
// breakers (leverage above a limit, a coin new to the leader), and the per-leader P&L of the
// copy that the leader drawdown limit watches. The engine keeps the state (journal) and the
// clock; everything here is plain data in, plain data out.
//
// How the copy of one leader is valued (risk.leaderMaxDrawdownPct), kept simple on purpose:
// * Attribution: our position in a coin belongs to the leaders in proportion to what each one
//   contributes to its target (ratio × the leader's size, on our side). When no followed leader
//   contributes any more (entry-only keeps a position the leader closed), the last shares stay.
// * Value: weight × our equity when the leader's book began, plus the mark-to-market of its
//   share: Σ attributed size × (mid now − mid at the previous mark). Fees, funding and slippage
//   are not in it (they are in the account's own equity and the kill switch).
// * Drawdown: (high-water mark − value) / high-water mark, in %, of that value.
// A leader that is not followed (drawdown, liquidation) keeps its book as it was then; its share
// of each position is closed reduce-only ("shed"), tracked until our position shrank by it.

import { detailNumber, shortAddress } from "./format.js";
import { grossLeverage } from "./leverage.js";
import type { Settings } from "./settings.js";
import { type LeaderRatio, leaderRatio, type SizingInputs } from "./sizing.js";
import type { AccountState, Address, LeaderState, Markets, ReasonCode } from "./types.js";

// ---------------------------------------------------------------------------------------
// Allocation cap

export interface AllocationScale {
  leader: Address;
  /** The one factor in (0, 1) applied to this leader's copy ratio. */
  scale: number;
  /** Gross notional of its targets before the scale (USD, at mid). */
  grossUsd: number;
  /** risk.maxAllocationPct × our equity (USD). */
  limitUsd: number;
}

/** Σ |ratio × size| × mid over the leader's coins that have a market with a mid. */
export function leaderShareGross(leader: LeaderState, ratio: number, markets: Markets): number {
  let gross = 0;
  for (const coin in leader.positions) {
    const size = leader.positions[coin]?.size ?? 0;
    const mid = markets[coin]?.mid ?? 0;
    if (Number.isFinite(size) && mid > 0 && Number.isFinite(mid)) gross += Math.abs(ratio * size) * mid;
  }
  return gross;
}

export interface CopyRatios {
  /** One per leader, in order: the sizing mode's ratio, times its allocation scale; 0 when not followed. */
  ratios: LeaderRatio[];
  /** The leaders whose share the allocation cap scaled down. */
  allocation: AllocationScale[];
}

/**
 * The copy ratio of every leader (sizing.ts), with risk.maxAllocationPct applied: a leader
 * whose share of the copy would carry more gross notional than that % of our equity has its
 * ratio scaled by one factor, so its targets keep their proportions. A leader not followed
 * (`unfollowed`) gets ratio 0. Pure.
 */
export function copyRatios(
  leaders: readonly LeaderState[],
  ours: AccountState,
  markets: Markets,
  settings: Settings,
  inputs: SizingInputs = {},
): CopyRatios {
  const pct = settings.risk.maxAllocationPct ?? null;
  const limitUsd = pct == null ? Number.POSITIVE_INFINITY : (pct / 100) * Math.max(0, ours.accountValue);
  const allocation: AllocationScale[] = [];
  const ratios = leaders.map((l) => {
    if (l.unfollowed) return { address: l.address, ratio: 0, inputs: {}, detail: "" };
    const r = leaderRatio(l, ours, markets, settings, inputs);
    if (r.problem || !Number.isFinite(limitUsd) || r.ratio <= 0) return r;
    const grossUsd = leaderShareGross(l, r.ratio, markets);
    if (grossUsd <= limitUsd * (1 + 1e-12)) return r;
    const scale = grossUsd > 0 ? Math.max(0, limitUsd / grossUsd) : 1;
    allocation.push({ leader: l.address, scale, grossUsd, limitUsd });
    return { ...r, ratio: r.ratio * scale };
  });
  return { ratios, allocation };
}

// ---------------------------------------------------------------------------------------
// Breakers: gates on a leader's increases

export type LeaderGateReason = Extract<ReasonCode, "leader-leverage" | "leader-new-coin">;

/** Increases that come from this leader (in these coins, or all when null) are not copied. */
export interface LeaderGate {
  leader: Address;
  coins: string[] | null;
  reason: LeaderGateReason;
  detail: string;
}

/** The leader's leverage (core/leverage.ts grossLeverage): gross notional at mid ÷ account value. */
export function leaderLeverage(leader: LeaderState, markets: Markets): number | null {
  return grossLeverage(Object.values(leader.positions), leader.accountValue, (coin) => markets[coin]?.mid);
}

/** risk.leaderMaxLeverage: a gate on every coin of each followed leader above it. Pure. */
export function leverageGates(
  leaders: readonly LeaderState[],
  markets: Markets,
  maxLeverage: number | null | undefined,
): LeaderGate[] {
  if (maxLeverage == null) return [];
  const out: LeaderGate[] = [];
  for (const l of leaders) {
    if (l.unfollowed) continue;
    const lev = leaderLeverage(l, markets);
    if (lev === null || lev <= maxLeverage) continue;
    out.push({
      leader: l.address,
      coins: null,
      reason: "leader-leverage",
      detail: `leader ${shortAddress(l.address)} is at ${detailNumber(Number(lev.toFixed(2)))}x leverage (risk.leaderMaxLeverage ${detailNumber(maxLeverage)}x): no increases from it until it is back under`,
    });
  }
  return out;
}

/** A coin is new to a leader when it had no fill in it this long before opening it. */
export const NEW_COIN_WINDOW_MS = 30 * 86_400_000;

/** A leader fill as the new-coin breaker needs it. */
export interface LeaderFillFact {
  coin: string;
  time: number;
  side: "buy" | "sell";
  sz: number;
  startPosition: number;
}

/** True when the fill opens a position: from flat, or across zero (a flip). */
export function opensPosition(f: Pick<LeaderFillFact, "side" | "sz" | "startPosition">): boolean {
  const end = f.startPosition + (f.side === "buy" ? f.sz : -f.sz);
  if (Math.abs(end) < 1e-12) return false;
  return f.startPosition === 0 || Math.sign(end) !== Math.sign(f.startPosition);
}

/**
 * True when an open at `openTime` is of a coin new to the leader: `lastFillBefore` (the
 * leader's latest earlier fill in it, or null when none is known) is more than `windowMs` old.
 */
export function isNewCoin(
  lastFillBefore: number | null,
  openTime: number,
  windowMs = NEW_COIN_WINDOW_MS,
): boolean {
  return lastFillBefore === null || openTime - lastFillBefore > windowMs;
}

/**
 * The coins of `held` whose current position a leader opened as a new coin, judged from its
 * fills (oldest first; enough history to see the window before each open): the latest fill
 * that opened the position is found, and the coin is new when no earlier fill of it lies in
 * the window before. A position opened before the history begins is not judged new. Pure.
 */
export function newCoinsFromHistory(
  fills: readonly LeaderFillFact[],
  held: readonly string[],
  windowMs = NEW_COIN_WINDOW_MS,
): string[] {
  const out: string[] = [];
  for (const coin of held) {
    const mine = fills.filter((f) => f.coin === coin);
    let openIdx = -1;
    for (let i = mine.length - 1; i >= 0; i--) {
      const f = mine[i];
      if (f && opensPosition(f)) {
        openIdx = i;
        break;
      }
    }
    const open = mine[openIdx];
    if (!open) continue;
    const before = openIdx > 0 ? (mine[openIdx - 1]?.time ?? null) : null;
    if (isNewCoin(before, open.time, windowMs)) out.push(coin);
  }
  return out.sort();
}

/** Gates on the coins a leader opened new: one entry per leader with such coins. */
export function newCoinGates(newCoins: Readonly<Record<string, readonly string[]>>): LeaderGate[] {
  const out: LeaderGate[] = [];
  for (const [leader, coins] of Object.entries(newCoins)) {
    if (coins.length === 0) continue;
    out.push({
      leader: leader as Address,
      coins: [...coins].sort(),
      reason: "leader-new-coin",
      detail: `leader ${shortAddress(leader)} opened a coin it had not traded in the 30 days before (risk.skipLeaderNewCoins): not copied while it holds it`,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Attribution and the per-leader book

/** coin → leader → share of our position in (0, 1]; the shares of a coin sum to 1. */
export type Shares = Record<string, Record<string, number>>;

/** Signed contribution of each leader to each coin's target: ratio × size, flipped when inverse. */
export function contributions(
  leaders: readonly LeaderState[],
  ratios: readonly LeaderRatio[],
  settings: Settings,
): Record<string, Record<string, number>> {
  const sign = settings.sizing.direction === "inverse" ? -1 : 1;
  const out: Record<string, Record<string, number>> = {};
  leaders.forEach((l, i) => {
    const ratio = ratios[i]?.ratio ?? 0;
    if (l.unfollowed || !(ratio > 0)) return;
    for (const coin in l.positions) {
      const size = l.positions[coin]?.size ?? 0;
      if (!Number.isFinite(size) || size === 0) continue;
      const byLeader = out[coin] ?? {};
      byLeader[l.address] = sign * ratio * size;
      out[coin] = byLeader;
    }
  });
  return out;
}

/**
 * The leaders' side of each coin, as the copy weighs them: Σ ratio × size over the leaders (one
 * leader: its own side). What the stops' "not re-entered while the leaders hold the side it was
 * stopped on" compares. Not Σ weight × size: a weight is a share of the copy, a size is in its
 * leader's own scale — A short 10 SOL on $1M and B long 2 on $100k at 0.5/0.5 read short while
 * the copy is long. A leader not copied (unfollowed, kelly's negative edge: ratio 0) counts for
 * nothing; when a followed leader's ratio is not known (an input missing, a problem, a mode that
 * sizes each coin apart) the weights stand in for every leader, as before there was a ratio.
 * Pure.
 */
export function leaderSides(
  leaders: readonly LeaderState[],
  ratios: readonly LeaderRatio[],
): Record<string, number> {
  const known = leaders.every((l, i) => {
    const r = ratios[i];
    return l.unfollowed === true || (r !== undefined && (r.notCopied !== undefined || r.ratio > 0));
  });
  const sides: Record<string, number> = {};
  leaders.forEach((l, i) => {
    const scale = !known ? l.weight : l.unfollowed ? 0 : (ratios[i]?.ratio ?? 0);
    for (const p of Object.values(l.positions)) {
      if (!p || !Number.isFinite(p.size) || p.size === 0) continue;
      sides[p.coin] = (sides[p.coin] ?? 0) + p.size * scale;
    }
  });
  return sides;
}

/**
 * Each followed leader's share of our positions: by its contribution on our side; a coin no
 * followed leader contributes to keeps its previous shares (without leaders in `exclude`,
 * renormalised), else it belongs to nobody. Returns the shares and the attributed signed
 * sizes per leader. Pure.
 */
export function attribute(
  contrib: Readonly<Record<string, Readonly<Record<string, number>>>>,
  ours: AccountState["positions"],
  prev: Readonly<Shares>,
  exclude: ReadonlySet<string> = new Set(),
): { shares: Shares; sizes: Record<string, Record<string, number>> } {
  const shares: Shares = {};
  const sizes: Record<string, Record<string, number>> = {};
  for (const coin of Object.keys(ours).sort()) {
    const size = ours[coin]?.size ?? 0;
    if (!Number.isFinite(size) || size === 0) continue;
    const dir = Math.sign(size);
    const on: Record<string, number> = {};
    let sum = 0;
    for (const [leader, k] of Object.entries(contrib[coin] ?? {})) {
      if (exclude.has(leader)) continue;
      const v = Math.max(0, dir * k);
      if (v > 0) {
        on[leader] = v;
        sum += v;
      }
    }
    let share: Record<string, number> = {};
    if (sum > 0) for (const [leader, v] of Object.entries(on)) share[leader] = v / sum;
    else {
      const old = Object.entries(prev[coin] ?? {}).filter(([l, v]) => !exclude.has(l) && v > 0);
      const total = old.reduce((acc, [, v]) => acc + v, 0);
      if (total > 0) share = Object.fromEntries(old.map(([l, v]) => [l, v / total]));
    }
    if (Object.keys(share).length === 0) continue;
    shares[coin] = share;
    for (const [leader, s] of Object.entries(share)) {
      const mine = sizes[leader] ?? {};
      mine[coin] = s * size;
      sizes[leader] = mine;
    }
  }
  return { shares, sizes };
}

/** One leader's copy, valued mark-to-market (see the file's head). */
export interface LeaderBook {
  /** weight × our equity when the book began (USD). */
  base: number;
  /** Mark-to-market P&L of its share since then (USD). */
  pnl: number;
  /** Highest base + pnl seen (USD). */
  hwm: number;
  /** Its attributed signed size per coin at the last mark. */
  sizes: Record<string, number>;
  /** The mid per coin at the last mark. */
  marks: Record<string, number>;
  since: number;
}

export function newBook(base: number, now: number): LeaderBook {
  const b = Math.max(0, base);
  return { base: b, pnl: 0, hwm: b, sizes: {}, marks: {}, since: now };
}

/**
 * Mark a book: the P&L gains Σ size at the last mark × (mid now − mid then); a coin new to the
 * book gains its size × (mid now − our entry price in it) when `entries` knows it (a position
 * opened between two marks is valued from its fill, not from the next mark). Then the sizes
 * become `sizes` at today's mids. A coin without a mid keeps its last mark. Pure.
 */
export function markBook(
  book: LeaderBook,
  sizes: Readonly<Record<string, number>>,
  mids: Readonly<Record<string, number>>,
  entries: Readonly<Record<string, number>> = {},
): LeaderBook {
  let pnl = book.pnl;
  for (const [coin, size] of Object.entries(book.sizes)) {
    const then = book.marks[coin];
    const now = mids[coin];
    if (then !== undefined && now !== undefined && now > 0 && Number.isFinite(now))
      pnl += size * (now - then);
  }
  for (const [coin, size] of Object.entries(sizes)) {
    if (book.sizes[coin] !== undefined || !Number.isFinite(size) || size === 0) continue;
    const entry = entries[coin];
    const now = mids[coin];
    if (entry !== undefined && entry > 0 && now !== undefined && now > 0 && Number.isFinite(now))
      pnl += size * (now - entry);
  }
  const marks: Record<string, number> = {};
  const kept: Record<string, number> = {};
  for (const [coin, size] of Object.entries(sizes)) {
    if (!Number.isFinite(size) || size === 0) continue;
    const mid = mids[coin];
    const mark = mid !== undefined && mid > 0 && Number.isFinite(mid) ? mid : book.marks[coin];
    if (mark === undefined) continue;
    kept[coin] = size;
    marks[coin] = mark;
  }
  const value = book.base + pnl;
  return { ...book, pnl, hwm: Math.max(book.hwm, value), sizes: kept, marks };
}

/** The book's value (USD). */
export function bookValue(book: LeaderBook): number {
  return book.base + book.pnl;
}

/** Drawdown of the book from its high-water mark, % (0 when the mark is ≤ 0). */
export function bookDrawdownPct(book: LeaderBook): number {
  if (!(book.hwm > 0)) return 0;
  return Math.max(0, ((book.hwm - bookValue(book)) / book.hwm) * 100);
}

/**
 * What is left to close of an unfollowed leader's share of a coin: `shed` (signed, our side)
 * less how much our position shrank since (`from` → `now`). 0 once we shrank by it, closed or
 * flipped; never more than `shed`. Pure.
 */
export function remainingShed(shed: number, from: number, now: number): number {
  if (shed === 0 || from === 0 || now === 0 || Math.sign(now) !== Math.sign(from)) return 0;
  const shrunk = Math.max(0, Math.abs(from) - Math.abs(now));
  const left = Math.max(0, Math.abs(shed) - shrunk);
  return left <= 1e-12 ? 0 : Math.sign(shed) * Math.min(Math.abs(shed), left);
}
