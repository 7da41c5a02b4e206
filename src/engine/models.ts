// In-memory models of the leader(s), our account and the markets, fed by websocket events
// and REST sweeps. They hold the latest known state and when it was last confirmed; the
// planner reads them. No I/O here.

import { addSize, applyFillStep, type TrackedPosition } from "../core/fills.js";
import type {
  AccountState,
  Address,
  Fill,
  LeaderState,
  Markets,
  PlannedAction,
  Position,
} from "../core/types.js";

/** The part of a Fill (core's one Fill type) the models read. */
export type FillFact = Pick<Fill, "coin" | "px" | "sz" | "side" | "startPosition" | "time" | "tid"> &
  Partial<Pick<Fill, "liquidation" | "closedPnl" | "fee" | "feeToken">>;

/**
 * A change of a leader's cash (account value less unrealised P&L) between two stream snapshots
 * that its fills do not explain, below which it is taken for funding or rounding: dollars, or
 * this fraction of its account value when that is more.
 */
const UNEXPLAINED_CASH_USD = 1;
const UNEXPLAINED_CASH_FRACTION = 1e-5;
/**
 * A pending cash flow this large a fraction of the leader's account value moves the copy ratio
 * enough to read the ledger at once; a smaller one (funding, a fee the fills do not carry) is
 * held out until the regular sweep, without a request per leader trade.
 */
const SWEEP_NOW_FRACTION = 1e-3;

function emptyState(address: Address): AccountState {
  return { address, accountValue: 0, positions: {}, openOrders: [], time: 0 };
}

function signed(f: FillFact): number {
  return f.side === "buy" ? f.sz : -f.sz;
}

export class LeaderModel {
  readonly address: Address;
  readonly weight: number;
  state: AccountState;
  /** Exchange time of the newest fact applied per coin: older snapshots must not roll it back. */
  readonly #coinTime = new Map<string, number>();
  /** Per coin, the applier's state (the positions before each fill of the last millisecond). */
  readonly #tracks = new Map<string, TrackedPosition>();
  readonly lastFillPx: Record<string, number> = {};
  /** Local time (ms) the leader's data was last confirmed by a stream message or a sweep. */
  lastConfirmedAt = 0;
  /** Net deposits − withdrawals since the copy ratio was set (subtracted from equity). */
  netCashFlow = 0;
  /**
   * A change of the leader's cash its stream showed since the last sweep's read that its fills
   * do not explain: a deposit or withdrawal the ledger (read by sweeps only) has not netted yet.
   * Subtracted from equity like netCashFlow until the next sweep reads the account and its ledger
   * together; without it a withdrawal made the copy ratio jump until then, and the leader's next
   * fill was copied at that ratio (a buy of 1 BTC after withdrawing half: 2 BTC of ours).
   */
  get pendingCashFlow(): number {
    return this.#pending.reduce((sum, p) => sum + p.usd, 0);
  }
  /** What makes up pendingCashFlow: each part with the exchange time of the snapshot that showed it. */
  #pending: { time: number; usd: number }[] = [];
  /** The cash of the newest snapshot taken in, and its exchange time (the reference for the next). */
  #cashRef: { cash: number; time: number } | null = null;
  /** Exchange time of the last sweep's read: its cash holds every fill up to then. */
  #sweptAt = -1;
  /** Cash effects (closed P&L − fee) of the fills applied since #cashRef, with their times. */
  #fillCash: { time: number; usd: number }[] = [];
  snapshotLoaded = false;

  constructor(address: Address, weight: number) {
    this.address = address;
    this.weight = weight;
    this.state = emptyState(address);
  }

  /**
   * Apply a full account snapshot (REST sweep or stream). A coin whose newest applied fill
   * is younger than the snapshot keeps the fill's view: fills are newer truth than a
   * snapshot taken before them.
   */
  applySnapshot(snapshot: AccountState, receivedAt: number, sweep = false): boolean {
    // A sweep's read is applied once all its reads are in: a stream snapshot newer than it may
    // have been taken in meanwhile.
    const older = sweep && this.snapshotLoaded && snapshot.time < this.state.time;
    const unexplained = this.#takeCash(snapshot, sweep, older);
    const positions: Record<string, Position> = {};
    for (const [coin, p] of Object.entries(snapshot.positions)) positions[coin] = { ...p };
    for (const [coin, t] of this.#coinTime) {
      if (t > snapshot.time) {
        const mine = this.state.positions[coin];
        if (mine) positions[coin] = mine;
        else delete positions[coin];
      }
    }
    // A sweep's read older than the stream's newest snapshot: the account value and cash stay the
    // newer ones, as a position a newer fill moved does — its ledger netted the flows to its read,
    // pendingCashFlow holds those after, and the equity is the newer value less both.
    this.state = older
      ? {
          ...snapshot,
          positions,
          accountValue: this.state.accountValue,
          time: this.state.time,
          ...(this.state.cash === undefined ? {} : { cash: this.state.cash }),
        }
      : { ...snapshot, positions };
    this.lastConfirmedAt = receivedAt;
    this.snapshotLoaded = true;
    return unexplained;
  }

  /**
   * The cash of a snapshot against the last one's: a sweep's read is the new reference (the ledger
   * read after it nets its flows to then: what the stream showed after it stays pending) unless a
   * newer stream snapshot is; a stream's change its fills do not explain is a cash flow pending
   * the ledger. True when what is pending is large enough that a sweep should read the ledger now.
   */
  #takeCash(snapshot: AccountState, sweep: boolean, older: boolean): boolean {
    const cash = snapshot.cash;
    if (cash === undefined || !Number.isFinite(cash)) return false;
    const ref = this.#cashRef;
    if (sweep) {
      // The sweep's ledger nets every flow up to its account read: what the stream showed by then
      // is no longer pending; what it showed after stays so.
      this.#sweptAt = snapshot.time;
      this.#pending = this.#pending.filter((p) => p.time > snapshot.time);
      // Older than the stream's newest snapshot: that one's cash stays the reference — taking the
      // older read's would have the next snapshot count the closed P&L of the fills between the
      // two as a cash flow.
      if (older) return false;
    }
    const explained = this.#fillCash.filter((f) => f.time <= snapshot.time).reduce((s, f) => s + f.usd, 0);
    this.#fillCash = this.#fillCash.filter((f) => f.time > snapshot.time);
    this.#cashRef = { cash, time: snapshot.time };
    if (sweep || !ref) return false;
    const unexplained = cash - ref.cash - explained;
    const tolerance = Math.max(
      UNEXPLAINED_CASH_USD,
      UNEXPLAINED_CASH_FRACTION * Math.abs(snapshot.accountValue),
    );
    if (!(Math.abs(unexplained) > tolerance)) return false;
    this.#pending.push({ time: snapshot.time, usd: unexplained });
    return (
      Math.abs(this.pendingCashFlow) >=
      Math.max(tolerance, SWEEP_NOW_FRACTION * Math.abs(snapshot.accountValue))
    );
  }

  /**
   * Apply one fill (delivered once: the engine de-duplicates every source, core/fills.ts) with
   * the one leader-position applier (core's applyFillStep: the model's position checked against
   * the fill's startPosition, a self-cross built on, a missed fill resynced); returns false
   * for a fill older than what we know. `live`: false for a (re)subscription's replayed history.
   */
  applyFill(fill: FillFact, receivedAt: number, live = true): boolean {
    // What the fill moved the cash by, for the next snapshot's (fills are delivered once).
    if (this.#cashRef) {
      const fee = fill.feeToken === undefined || fill.feeToken === "USDC" ? (fill.fee ?? 0) : 0;
      const usd = (fill.closedPnl ?? 0) - fee;
      if (Number.isFinite(usd) && usd !== 0) {
        if (fill.time > this.#cashRef.time) this.#fillCash.push({ time: fill.time, usd });
        // A fill that came after a stream snapshot holding it: that snapshot took it for a cash
        // flow. Not a replayed one (a (re)subscription's history): no snapshot took those.
        else if (live && fill.time > this.#sweptAt)
          this.#pending.push({ time: this.#cashRef.time, usd: -usd });
      }
    }
    const known = this.#coinTime.get(fill.coin) ?? 0;
    this.lastConfirmedAt = receivedAt;
    if (fill.time < known) return false;
    this.#coinTime.set(fill.coin, fill.time);
    const prev = this.state.positions[fill.coin];
    // The model is the truth to check against (a snapshot may have moved it since the last fill).
    const track = this.#tracks.get(fill.coin) ?? { size: 0, entryPx: 0, lastTime: -1, startsAtTime: [] };
    track.size = prev?.size ?? 0;
    track.entryPx = prev?.entryPx ?? fill.px;
    this.#tracks.set(fill.coin, track);
    const { after } = applyFillStep(track, {
      px: fill.px,
      delta: signed(fill),
      startPosition: fill.startPosition,
      time: fill.time,
    });
    const positions = { ...this.state.positions };
    if (after === 0) delete positions[fill.coin];
    else
      positions[fill.coin] = {
        coin: fill.coin,
        size: after,
        entryPx: track.entryPx,
        ...(prev?.leverage === undefined ? {} : { leverage: prev.leverage }),
      };
    this.state = { ...this.state, positions };
    this.lastFillPx[fill.coin] = fill.px;
    return true;
  }

  /** The leader as the planner sees it. */
  view(): LeaderState {
    const equityBase = this.state.accountValue - this.netCashFlow - this.pendingCashFlow;
    return { ...this.state, weight: this.weight, equityBase, lastFillPx: { ...this.lastFillPx } };
  }
}

export class OurModel {
  state: AccountState;
  /** Counts our own fills applied; per coin, the count at its latest one. */
  #seq = 0;
  readonly #touched = new Map<string, number>();

  constructor(address: Address) {
    this.state = emptyState(address);
  }

  /** Taken before a read of our account is sent: `applySnapshot(read, mark)` keeps what came later. */
  mark(): number {
    return this.#seq;
  }

  /**
   * Apply a snapshot of our account. With `since` (the mark taken before the read was sent),
   * a coin one of our own fills changed after that keeps the model's position: the read may
   * have left before the fill, and taking it would undo a trade (and send it again).
   */
  applySnapshot(snapshot: AccountState, since?: number): void {
    const positions: Record<string, Position> = {};
    for (const [c, p] of Object.entries(snapshot.positions)) positions[c] = { ...p };
    if (since !== undefined) {
      for (const [coin, seq] of this.#touched) {
        if (seq <= since) {
          this.#touched.delete(coin); // the read saw it
          continue;
        }
        const mine = this.state.positions[coin];
        if (mine) positions[coin] = mine;
        else delete positions[coin];
      }
    }
    this.state = { ...snapshot, positions };
  }

  /**
   * Apply the filled part of one of our orders as soon as the exchange confirms it, so the
   * next plan (before any fill event or sweep arrives) never orders the same size again.
   * `leverage`: what the exchange holds for the coin, for a position that does not say it yet.
   */
  applyOwnFill(
    action: Pick<PlannedAction, "coin" | "side">,
    filledSize: number,
    avgPx: number | null,
    leverage?: { leverage: number; marginMode: "cross" | "isolated" },
  ): void {
    if (!(filledSize > 0)) return;
    const prev = this.state.positions[action.coin];
    const before = prev?.size ?? 0;
    const size = addSize(before, action.side === "buy" ? filledSize : -filledSize);
    const positions = { ...this.state.positions };
    if (size === 0) delete positions[action.coin];
    else
      positions[action.coin] = {
        coin: action.coin,
        size,
        entryPx: entryAfterFill(prev, size, filledSize, avgPx),
        ...(prev?.leverage !== undefined
          ? { leverage: prev.leverage, ...(prev.marginMode ? { marginMode: prev.marginMode } : {}) }
          : leverage
            ? { leverage: leverage.leverage, marginMode: leverage.marginMode }
            : {}),
      };
    this.state = { ...this.state, positions };
    this.#touched.set(action.coin, ++this.#seq);
  }
}

/**
 * Entry price after one of our fills, as the exchange keeps it: an increase averages in at the
 * fill price, a reduction keeps it, a new or flipped position starts at the fill price.
 */
function entryAfterFill(
  prev: Position | undefined,
  size: number,
  filled: number,
  avgPx: number | null,
): number {
  if (!prev || Math.sign(prev.size) !== Math.sign(size)) return avgPx ?? prev?.entryPx ?? 0;
  if (Math.abs(size) <= Math.abs(prev.size) || avgPx === null) return prev.entryPx;
  return (prev.entryPx * Math.abs(prev.size) + avgPx * filled) / Math.abs(size);
}

export class MarketModel {
  markets: Markets = {};
  /** Counts price updates from the streams; per coin, the count at its latest one. */
  #seq = 0;
  readonly #touched = new Map<string, number>();

  /** Taken before a read of the markets is sent: `setMarkets(read, mark)` keeps fresher prices. */
  mark(): number {
    return this.#seq;
  }

  /**
   * Take a read of the markets. With `since` (the mark taken before the read was sent), a
   * coin whose price the streams updated after that keeps its streamed mid and top of book.
   */
  setMarkets(markets: Markets, since?: number): void {
    if (since !== undefined) {
      for (const [coin, seq] of this.#touched) {
        const old = this.markets[coin];
        const m = markets[coin];
        if (seq <= since || !old || !m) continue;
        m.mid = old.mid;
        if (old.bestBid === undefined) delete m.bestBid;
        else m.bestBid = old.bestBid;
        if (old.bestAsk === undefined) delete m.bestAsk;
        else m.bestAsk = old.bestAsk;
      }
      this.#touched.clear();
    }
    this.markets = markets;
  }

  #touch(coin: string): void {
    this.#touched.set(coin, ++this.#seq);
  }

  applyMids(mids: Record<string, number>): void {
    for (const [coin, mid] of Object.entries(mids)) {
      const m = this.markets[coin];
      if (!m || !Number.isFinite(mid) || mid <= 0) continue;
      this.#touch(coin);
      m.mid = mid;
      // A top of book the mid has left is stale: fall back to mid ± slippage.
      if ((m.bestBid !== undefined && mid < m.bestBid) || (m.bestAsk !== undefined && mid > m.bestAsk)) {
        delete m.bestBid;
        delete m.bestAsk;
      }
    }
  }

  /**
   * A trade just printed at `px` (a leader fill): fresher than a mid or book it lies outside,
   * so it becomes the mid, and the side of the book it went through is dropped (unknown until
   * the next book). The other side stays: a buy sweeping the asks takes no bid, so a passive
   * buy planned on this fill still rests at the bid instead of at the sweep's last price,
   * which would cross the refilled asks. Inside the book it changes nothing.
   */
  applyTradePrice(coin: string, px: number): void {
    const m = this.markets[coin];
    if (!m || !Number.isFinite(px) || px <= 0) return;
    const inside = m.bestBid !== undefined && m.bestAsk !== undefined && px >= m.bestBid && px <= m.bestAsk;
    if (inside) return;
    this.#touch(coin);
    m.mid = px;
    // A side stays only where the trade did not reach it.
    if (!(m.bestBid !== undefined && px > m.bestBid)) delete m.bestBid;
    if (!(m.bestAsk !== undefined && px < m.bestAsk)) delete m.bestAsk;
  }

  applyBook(coin: string, bestBid: number | undefined, bestAsk: number | undefined): void {
    const m = this.markets[coin];
    if (!m) return;
    this.#touch(coin);
    if (bestBid !== undefined) m.bestBid = bestBid;
    else delete m.bestBid;
    if (bestAsk !== undefined) m.bestAsk = bestAsk;
    else delete m.bestAsk;
    if (bestBid !== undefined && bestAsk !== undefined) m.mid = (bestBid + bestAsk) / 2;
  }
}
