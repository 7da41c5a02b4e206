// Per-leader limits and breakers around the planner (the rules are pure, in core/leaders.ts):
// * risk.leaderMaxDrawdownPct — each leader's copy is valued mark-to-market (its share of our
//   positions) in a book kept in the journal; past the limit from its own high-water mark the
//   leader is no longer followed: its share is closed reduce-only, the others are still copied.
// * risk.leaderLiquidationPauseDays — a leader liquidated is not followed for that many days.
// * risk.leaderMaxLeverage — no increases from a leader while its leverage is above the limit.
// * risk.skipLeaderNewCoins — a leader's open of a coin it had not traded in 30 days is not
//   copied while it holds it (judged from its fills: 60 days read once per run, then live).
// An unfollow lasts until `hlcopy resume --leader <addr>` deletes its record from the journal
// (read again before every sweep, so a running follow takes it up) or its pause ends.

import { toHlcopyError } from "../core/errors.js";
import { detailNumber, fmtUsd, shortAddress, utcMinute } from "../core/format.js";
import { type FillHistory, historyCutText } from "../core/history.js";
import {
  attribute,
  bookDrawdownPct,
  bookValue,
  contributions,
  copyRatios,
  isNewCoin,
  type LeaderBook,
  type LeaderFillFact,
  type LeaderGate,
  leverageGates,
  markBook,
  NEW_COIN_WINDOW_MS,
  newBook,
  newCoinGates,
  newCoinsFromHistory,
  opensPosition,
  remainingShed,
  type Shares,
} from "../core/leaders.js";
import type { Settings } from "../core/settings.js";
import type { AccountState, Address, LeaderState, Markets } from "../core/types.js";
import type { Journal } from "../store/journal.js";
import type { EngineEvent, LeaderAction, LeaderStopKind } from "./events.js";
import type { StartupReads } from "./startup-waits.js";

/** A leader no longer followed, as the journal keeps it (copy state `leader-stop:<address>`). */
export interface LeaderStop {
  kind: LeaderStopKind;
  since: number;
  /** When following starts again by itself (liquidation pause); null = until `resume --leader`. */
  until: number | null;
  reason: string;
  /** coin → its share still to close (signed, our side) and our size it is measured from. */
  shed: Record<string, { shed: number; from: number }>;
}

/** What the dashboard, --json and status show per leader. */
export interface LeaderStatusView {
  address: Address;
  /** Followed, or why not (and until when). */
  following: boolean;
  stop: { kind: LeaderStopKind; since: number; until: number | null; reason: string } | null;
  /** Its copy's value and drawdown (with risk.leaderMaxDrawdownPct on), else null. */
  copyValueUsd: number | null;
  copyPnlUsd: number | null;
  drawdownPct: number | null;
  /** Breakers holding back its increases: "leverage", or the new coins. */
  gated: { leverage: boolean; coins: string[] };
}

interface Books {
  books: Record<string, LeaderBook>;
  shares: Shares;
}

export interface LeaderGuardOptions {
  journal: Journal;
  settings: Settings;
  leaders: readonly { address: Address; weight: number }[];
  /** False in a dry run: it reads the journal but never writes it. */
  persist: boolean;
  emit: (event: EngineEvent) => void;
  now: () => number;
  runId: () => number | null;
}

/** What the planner needs from the guard. */
export interface LeaderPlanInputs {
  leaders: LeaderState[];
  gates: LeaderGate[];
  shed: Record<string, number>;
}

const BOOKS_KEY = "leaders:books";
const NEW_COINS_KEY = "leaders:new-coins";
export const leaderStopKey = (address: string) => `leader-stop:${address.toLowerCase()}`;
/** Fills read once per run per leader for the new-coin breaker: the 30-day window before any open in the last 30 days. */
const HISTORY_MS = 2 * NEW_COIN_WINDOW_MS;

export class LeaderGuard {
  readonly #o: LeaderGuardOptions;
  readonly #stops = new Map<string, LeaderStop>();
  #books: Books;
  #newCoins: Record<string, string[]>;
  /** leader → coin → time of its latest fill seen. */
  readonly #lastFill = new Map<string, Map<string, number>>();
  readonly #historyRead = new Set<string>();
  /** leader → the coins it held at the last look (a coin new since is judged at the sweep). */
  readonly #heldSeen = new Map<string, Set<string>>();
  #leverageGated = new Set<string>();

  constructor(options: LeaderGuardOptions) {
    this.#o = options;
    for (const l of options.leaders) {
      const stop = options.journal.getCopyState<LeaderStop>(leaderStopKey(l.address));
      if (stop) this.#stops.set(l.address.toLowerCase(), stop);
    }
    this.#books = options.journal.getCopyState<Books>(BOOKS_KEY) ?? { books: {}, shares: {} };
    this.#newCoins = options.journal.getCopyState<Record<string, string[]>>(NEW_COINS_KEY) ?? {};
  }

  /**
   * A new account (a paper run's, each run: run-mode.ts newAccountEachRun): the unfollows of this
   * run's leaders and the copy books (each leader's mark and drawdown, its shares of our
   * positions) the journal holds were an earlier account's — a leader that account stopped
   * following is followed by this one, and its copy's drawdown counts from this account's start.
   * Cleared here and in the journal; returns what was set aside that would have acted (said
   * once by the caller). The new-coin gates stay: they are the leader's history, not the account's.
   */
  newAccount(now: number): string[] {
    const parts: string[] = [];
    for (const l of this.#o.leaders) {
      const key = l.address.toLowerCase();
      const stop = this.#stops.get(key);
      if (!stop) continue;
      this.#stops.delete(key);
      if (this.#o.persist) this.#o.journal.setCopyState(leaderStopKey(l.address), null, now);
      parts.push(`unfollow of leader ${shortAddress(l.address)} (${stop.kind})`);
    }
    const { books, shares } = this.#books;
    for (const l of this.#o.leaders) {
      const book = books[l.address.toLowerCase()];
      const dd = book ? bookDrawdownPct(book) : 0;
      if (dd > 0)
        parts.push(
          `leader ${shortAddress(l.address)}'s copy drawdown ${detailNumber(Number(dd.toFixed(2)))}%`,
        );
    }
    if (Object.keys(books).length > 0 || Object.keys(shares).length > 0) {
      this.#books = { books: {}, shares: {} };
      if (this.#o.persist) this.#o.journal.setCopyState(BOOKS_KEY, this.#books, now);
    }
    return parts;
  }

  /** Leaders not followed now. */
  get unfollowed(): Address[] {
    return this.#o.leaders.filter((l) => this.#stops.has(l.address.toLowerCase())).map((l) => l.address);
  }

  /**
   * Before a sweep plans: take up `resume --leader` (a record gone from the journal) and ended
   * pauses; value each leader's copy and unfollow one past risk.leaderMaxDrawdownPct; drop
   * new-coin gates of coins the leader no longer holds.
   */
  update(leaders: readonly LeaderState[], ours: AccountState, markets: Markets): void {
    const now = this.#o.now();
    for (const l of this.#o.leaders) {
      const key = l.address.toLowerCase();
      const held = this.#stops.get(key);
      if (!held) continue;
      // (A dry run writes nothing, so it has no record to look for: it sees pauses end only.)
      if (this.#o.persist && !this.#o.journal.getCopyState<LeaderStop>(leaderStopKey(l.address))) {
        this.#resumed(l.address, held, "resume", ours, now);
      } else if (held.until !== null && now >= held.until) {
        this.#deleteStop(l.address, now);
        this.#resumed(l.address, held, "expired", ours, now);
      }
    }
    this.#dropClosedNewCoins(leaders);
    this.#judgeUnseenOpens(leaders, now);
    const r = this.#o.settings.risk;
    // The shares are what an unfollow closes: kept with the drawdown limit or the liquidation pause on.
    if (r.leaderMaxDrawdownPct == null && r.leaderLiquidationPauseDays == null) return;
    const views = this.#views(leaders);
    const { ratios } = copyRatios(views, ours, markets, this.#o.settings);
    const exclude = this.#excluded();
    const a = attribute(
      contributions(views, ratios, this.#o.settings),
      ours.positions,
      this.#books.shares,
      exclude,
    );
    const mids: Record<string, number> = {};
    for (const [coin, m] of Object.entries(markets)) mids[coin] = m.mid;
    const entries: Record<string, number> = {};
    for (const [coin, p] of Object.entries(ours.positions)) entries[coin] = p.entryPx;
    const books: Record<string, LeaderBook> = { ...this.#books.books };
    const limit = r.leaderMaxDrawdownPct;
    if (limit == null) {
      this.#books = { books, shares: a.shares };
      if (this.#o.persist) this.#o.journal.setCopyState(BOOKS_KEY, this.#books, now);
      return;
    }
    for (const l of this.#o.leaders) {
      const key = l.address.toLowerCase();
      if (exclude.has(key)) continue;
      const book = books[key] ?? newBook(l.weight * Math.max(0, ours.accountValue), now);
      books[key] = markBook(book, a.sizes[l.address] ?? a.sizes[key] ?? {}, mids, entries);
    }
    this.#books = { books, shares: a.shares };
    if (this.#o.persist) this.#o.journal.setCopyState(BOOKS_KEY, this.#books, now);
    for (const l of this.#o.leaders) {
      const key = l.address.toLowerCase();
      const book = books[key];
      if (!book || exclude.has(key)) continue;
      const dd = bookDrawdownPct(book);
      if (dd < limit) continue;
      this.#unfollow(
        l.address,
        "drawdown",
        null,
        `its copy lost ${detailNumber(Number(dd.toFixed(2)))}% from its high-water mark (${fmtUsd(bookValue(book))} from ${fmtUsd(book.hwm)}; risk.leaderMaxDrawdownPct ${detailNumber(limit)}%)`,
        a.sizes[l.address] ?? a.sizes[key] ?? {},
        ours,
        now,
      );
    }
  }

  /**
   * A leader fill (not a snapshot): its liquidation starts the pause (when on); an open of a
   * coin it had not traded in 30 days is gated (when on). Returns true when a leader was
   * unfollowed (the caller sweeps soon).
   */
  onLeaderFill(
    leader: LeaderState,
    fill: LeaderFillFact & { liquidation: boolean },
    all: readonly LeaderState[],
    ours: AccountState,
    markets: Markets,
  ): boolean {
    const key = leader.address.toLowerCase();
    const s = this.#o.settings.risk;
    const times = this.#lastFill.get(key) ?? new Map<string, number>();
    const before = times.get(fill.coin) ?? null;
    times.set(fill.coin, Math.max(before ?? 0, fill.time));
    this.#lastFill.set(key, times);
    if (s.skipLeaderNewCoins && this.#historyRead.has(key) && opensPosition(fill)) {
      this.#heldSeen.get(key)?.add(fill.coin);
      const known = this.#newCoins[key] ?? [];
      if (isNewCoin(before, fill.time) && !known.includes(fill.coin)) {
        this.#setNewCoins(key, [...known, fill.coin].sort());
        this.#event(
          leader.address,
          "gated",
          "new-coin",
          `leader ${shortAddress(leader.address)} opened ${fill.coin}, a coin it had not traded in the 30 days before: not copied while it holds it (leader-new-coin)`,
          {
            coins: [fill.coin],
          },
        );
      }
    }
    if (!fill.liquidation || s.leaderLiquidationPauseDays == null || this.#stops.has(key)) return false;
    const now = this.#o.now();
    const days = s.leaderLiquidationPauseDays;
    const views = this.#views(all);
    const { ratios } = copyRatios(views, ours, markets, this.#o.settings);
    const a = attribute(
      contributions(views, ratios, this.#o.settings),
      ours.positions,
      this.#books.shares,
      this.#excluded(),
    );
    this.#unfollow(
      leader.address,
      "liquidated",
      now + days * 86_400_000,
      `it was liquidated on ${fill.coin} (risk.leaderLiquidationPauseDays ${detailNumber(days)})`,
      a.sizes[leader.address] ?? a.sizes[key] ?? {},
      ours,
      now,
    );
    return true;
  }

  /**
   * Once per run per leader, with risk.skipLeaderNewCoins on: its last 60 days of fills say
   * when it last traded each coin, and whether a coin it holds now was new when it opened it.
   * Until it is read no open is judged new, so the start's read is one of the start's (`startup`:
   * a 5xx or a timeout retried until exec.startupTimeoutSeconds, then the start fails) — a
   * hiccup there let the first plan copy the very coins the setting holds back (a cron
   * reconcile's one sweep opened them). A later failed read is told and tried again next sweep.
   * @throws what the start's read throws once retried (`startup` before the first good sweep).
   */
  async readHistory(
    leaders: readonly LeaderState[],
    /** A leader's fills from `startTime` to now, with the span they cover (HlClient.getFillHistory). */
    read: ((user: Address, startTime: number) => Promise<FillHistory<LeaderFillFact>>) | undefined,
    countRequest: () => void,
    /** The start-up read (the engine's StartupWaits): retried while no sweep has succeeded. */
    startup?: StartupReads,
  ): Promise<void> {
    if (!this.#o.settings.risk.skipLeaderNewCoins || !read) return;
    const now = this.#o.now();
    for (const l of leaders) {
      const key = l.address.toLowerCase();
      if (this.#historyRead.has(key)) continue;
      try {
        const once = () => {
          countRequest();
          return read(l.address, now - HISTORY_MS);
        };
        const { fills, cut } = startup
          ? await startup.read(`the leader's fills (risk.skipLeaderNewCoins, ${l.address})`, once)
          : await once();
        // A leader busier than the exchange's history (its 10,000 most recent fills): a coin it
        // opened before the history begins is not judged, one opened since is judged on what the
        // history holds — said, for the setting then acts on less than its window.
        if (cut)
          this.#o.emit({
            type: "warning",
            ts: this.#o.now(),
            message: `leader ${shortAddress(l.address)}: risk.skipLeaderNewCoins reads ${historyCutText(cut)}: a coin it opened before then is not judged new, one opened since is judged on that history alone`,
          });
        const times = this.#lastFill.get(key) ?? new Map<string, number>();
        for (const f of fills) times.set(f.coin, Math.max(times.get(f.coin) ?? 0, f.time));
        this.#lastFill.set(key, times);
        this.#historyRead.add(key);
        const held = Object.keys(l.positions).filter((c) => (l.positions[c]?.size ?? 0) !== 0);
        this.#heldSeen.set(key, new Set(held));
        const known = this.#newCoins[key] ?? [];
        const fresh = newCoinsFromHistory(fills, held).filter((c) => !known.includes(c));
        if (fresh.length > 0) {
          this.#setNewCoins(key, [...known, ...fresh].sort());
          this.#event(
            l.address,
            "gated",
            "new-coin",
            `leader ${shortAddress(l.address)} holds ${fresh.join(", ")}, opened with no trade in the 30 days before: not copied while it holds ${fresh.length > 1 ? "them" : "it"} (leader-new-coin)`,
            { coins: fresh },
          );
        }
      } catch (error) {
        if (startup && !startup.swept) throw error;
        this.#o.emit({
          type: "warning",
          ts: this.#o.now(),
          message: `leader ${shortAddress(l.address)}: its fills could not be read for risk.skipLeaderNewCoins (${toHlcopyError(error).message}); tried again next sweep`,
        });
      }
    }
  }

  /** The planner's inputs: leaders with their unfollowed flag, the breakers' gates, the shares to close. */
  planInputs(leaders: readonly LeaderState[], ours: AccountState, markets: Markets): LeaderPlanInputs {
    const views = this.#views(leaders);
    const gates = [
      ...leverageGates(views, markets, this.#o.settings.risk.leaderMaxLeverage),
      ...newCoinGates(
        Object.fromEntries(
          Object.entries(this.#newCoins).filter(([k]) => !this.#stops.has(k) && this.#isLeader(k)),
        ),
      ),
    ];
    this.#leverageTransitions(gates);
    const shed: Record<string, number> = {};
    const now = this.#o.now();
    for (const [key, stop] of this.#stops) {
      let changed = false;
      const next: LeaderStop["shed"] = {};
      for (const [coin, s] of Object.entries(stop.shed)) {
        const size = ours.positions[coin]?.size ?? 0;
        // Growth (another leader added) is not progress: measure from the larger size.
        const from =
          Math.sign(size) === Math.sign(s.from) && Math.abs(size) > Math.abs(s.from) ? size : s.from;
        const left = remainingShed(s.shed, from, size);
        if (left === 0) {
          changed = true;
          continue;
        }
        if (from !== s.from) changed = true;
        next[coin] = { shed: s.shed, from };
        shed[coin] = (shed[coin] ?? 0) + left;
      }
      if (changed) {
        const updated = { ...stop, shed: next };
        this.#stops.set(key, updated);
        if (this.#o.persist && this.#o.journal.getCopyState<LeaderStop>(leaderStopKey(key)))
          this.#o.journal.setCopyState(leaderStopKey(key), updated, now);
      }
    }
    return { leaders: views, gates, shed };
  }

  /** Per leader: followed or not, its copy's value and drawdown, its breakers. */
  view(leaders: readonly LeaderState[], markets: Markets): LeaderStatusView[] {
    const onDrawdown = this.#o.settings.risk.leaderMaxDrawdownPct != null;
    const lev = new Set(
      leverageGates(this.#views(leaders), markets, this.#o.settings.risk.leaderMaxLeverage).map((g) =>
        g.leader.toLowerCase(),
      ),
    );
    return this.#o.leaders.map((l) => {
      const key = l.address.toLowerCase();
      const stop = this.#stops.get(key) ?? null;
      const book = this.#books.books[key];
      return {
        address: l.address,
        following: stop === null,
        stop: stop ? { kind: stop.kind, since: stop.since, until: stop.until, reason: stop.reason } : null,
        copyValueUsd: onDrawdown && book ? round2(bookValue(book)) : null,
        copyPnlUsd: onDrawdown && book ? round2(book.pnl) : null,
        drawdownPct: onDrawdown && book ? round2(bookDrawdownPct(book)) : null,
        gated: { leverage: lev.has(key), coins: stop ? [] : (this.#newCoins[key] ?? []) },
      };
    });
  }

  /** Leader fills matter (new-coin breaker, liquidation pause): off, the hot path skips the guard. */
  get watchesFills(): boolean {
    const r = this.#o.settings.risk;
    return r.skipLeaderNewCoins === true || r.leaderLiquidationPauseDays != null;
  }

  /** Whether there is anything per leader worth showing (a setting on, or a leader not followed). */
  get shown(): boolean {
    const r = this.#o.settings.risk;
    return (
      this.#o.leaders.length > 1 ||
      this.#stops.size > 0 ||
      r.leaderMaxDrawdownPct != null ||
      r.leaderMaxLeverage != null ||
      r.skipLeaderNewCoins === true ||
      r.leaderLiquidationPauseDays != null
    );
  }

  // ---- internals --------------------------------------------------------------------------

  /** Leaders not followed, by their address as given and lower-cased (attribution keys). */
  #excluded(): Set<string> {
    const out = new Set(this.#stops.keys());
    for (const l of this.#o.leaders) if (this.#stops.has(l.address.toLowerCase())) out.add(l.address);
    return out;
  }

  #isLeader(key: string): boolean {
    return this.#o.leaders.some((l) => l.address.toLowerCase() === key);
  }

  /** The leaders as the planner sees them: those no longer followed say so (`unfollowed`). */
  followedViews(leaders: readonly LeaderState[]): LeaderState[] {
    return this.#views(leaders);
  }

  #views(leaders: readonly LeaderState[]): LeaderState[] {
    return leaders.map((l) => (this.#stops.has(l.address.toLowerCase()) ? { ...l, unfollowed: true } : l));
  }

  #unfollow(
    address: Address,
    kind: LeaderStopKind,
    until: number | null,
    why: string,
    sizes: Record<string, number>,
    ours: AccountState,
    now: number,
  ): void {
    const shed: LeaderStop["shed"] = {};
    for (const [coin, size] of Object.entries(sizes)) {
      const from = ours.positions[coin]?.size ?? 0;
      if (size !== 0 && from !== 0 && Math.sign(size) === Math.sign(from)) shed[coin] = { shed: size, from };
    }
    const stop: LeaderStop = { kind, since: now, until, reason: why, shed };
    this.#stops.set(address.toLowerCase(), stop);
    if (this.#o.persist) {
      this.#o.journal.setCopyState(leaderStopKey(address), stop, now);
      this.#o.journal.recordEvent({
        ts: now,
        type: "leaderUnfollowed",
        runId: this.#o.runId(),
        data: { leader: address, ...stop },
      });
    }
    const closing = Object.entries(shed).map(
      ([coin, s]) => `${detailNumber(Number(Math.abs(s.shed).toPrecision(6)))} ${coin}`,
    );
    this.#event(
      address,
      "unfollowed",
      kind,
      `stopped following leader ${shortAddress(address)}: ${why}; ${closing.length > 0 ? `its share is closed reduce-only (${closing.join(", ")})` : "it has no share of our positions"}; the other leaders are still copied${until === null ? "; hlcopy resume --leader clears it" : ` until ${utcMinute(until)} (or hlcopy resume --leader)`}`,
      { until },
    );
  }

  #resumed(
    address: Address,
    was: LeaderStop,
    how: "resume" | "expired",
    ours: AccountState,
    now: number,
  ): void {
    const key = address.toLowerCase();
    this.#stops.delete(key);
    // Its copy starts a new book: the old high-water mark would unfollow it again at once.
    const weight = this.#o.leaders.find((l) => l.address.toLowerCase() === key)?.weight ?? 0;
    this.#books = {
      ...this.#books,
      books: { ...this.#books.books, [key]: newBook(weight * Math.max(0, ours.accountValue), now) },
    };
    if (this.#o.persist) {
      this.#o.journal.setCopyState(BOOKS_KEY, this.#books, now);
      this.#o.journal.recordEvent({
        ts: now,
        type: "leaderResumed",
        runId: this.#o.runId(),
        data: { leader: address, kind: was.kind, how },
      });
    }
    this.#event(
      address,
      "resumed",
      was.kind,
      `following leader ${shortAddress(address)} again (${how === "resume" ? "hlcopy resume --leader" : "its pause ended"})`,
      {},
    );
  }

  #deleteStop(address: Address, now: number): void {
    // The journal has no delete: an expired record is overwritten by null-like absence.
    if (this.#o.persist) this.#o.journal.setCopyState(leaderStopKey(address), null, now);
  }

  /**
   * A coin a leader holds now but did not at the last look, whose opening fill was not seen
   * (a sweep-only run, a fill the stream missed): judged by the last fill known in it.
   */
  #judgeUnseenOpens(leaders: readonly LeaderState[], now: number): void {
    if (!this.#o.settings.risk.skipLeaderNewCoins) return;
    for (const l of leaders) {
      const key = l.address.toLowerCase();
      const seen = this.#heldSeen.get(key);
      if (!seen || !this.#historyRead.has(key)) continue;
      const held = Object.keys(l.positions).filter((c) => (l.positions[c]?.size ?? 0) !== 0);
      const known = this.#newCoins[key] ?? [];
      const fresh = held.filter(
        (c) => !seen.has(c) && !known.includes(c) && isNewCoin(this.#lastFill.get(key)?.get(c) ?? null, now),
      );
      this.#heldSeen.set(key, new Set(held));
      if (fresh.length === 0) continue;
      this.#setNewCoins(key, [...known, ...fresh].sort());
      this.#event(
        l.address,
        "gated",
        "new-coin",
        `leader ${shortAddress(l.address)} opened ${fresh.join(", ")} with no trade in the 30 days before that hlcopy knows of: not copied while it holds ${fresh.length > 1 ? "them" : "it"} (leader-new-coin)`,
        { coins: fresh },
      );
    }
  }

  #dropClosedNewCoins(leaders: readonly LeaderState[]): void {
    for (const l of leaders) {
      const key = l.address.toLowerCase();
      const coins = this.#newCoins[key];
      if (!coins || coins.length === 0) continue;
      const still = coins.filter((c) => (l.positions[c]?.size ?? 0) !== 0);
      if (still.length === coins.length) continue;
      const gone = coins.filter((c) => !still.includes(c));
      this.#setNewCoins(key, still);
      this.#event(
        l.address,
        "ungated",
        "new-coin",
        `leader ${shortAddress(l.address)} closed ${gone.join(", ")}: its next open is judged again`,
        {
          coins: gone,
        },
      );
    }
  }

  #setNewCoins(key: string, coins: string[]): void {
    const next = { ...this.#newCoins };
    if (coins.length > 0) next[key] = coins;
    else delete next[key];
    this.#newCoins = next;
    if (this.#o.persist) this.#o.journal.setCopyState(NEW_COINS_KEY, next, this.#o.now());
  }

  #leverageTransitions(gates: readonly LeaderGate[]): void {
    const now = new Set(
      gates.filter((g) => g.reason === "leader-leverage").map((g) => g.leader.toLowerCase()),
    );
    for (const key of now) {
      if (this.#leverageGated.has(key)) continue;
      const g = gates.find((x) => x.reason === "leader-leverage" && x.leader.toLowerCase() === key);
      if (g) this.#event(g.leader, "gated", "leverage", g.detail, {});
    }
    for (const key of this.#leverageGated) {
      if (now.has(key)) continue;
      const address = this.#o.leaders.find((l) => l.address.toLowerCase() === key)?.address;
      if (address)
        this.#event(
          address,
          "ungated",
          "leverage",
          `leader ${shortAddress(address)} is back under risk.leaderMaxLeverage: its increases are copied again`,
          {},
        );
    }
    this.#leverageGated = now;
  }

  #event(
    leader: Address,
    action: LeaderAction,
    kind: LeaderStopKind | "leverage" | "new-coin",
    detail: string,
    extra: { coins?: string[]; until?: number | null },
  ): void {
    this.#o.emit({ type: "leader", ts: this.#o.now(), leader, action, kind, detail, ...extra });
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
