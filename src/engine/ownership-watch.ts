// Whose positions are whose (design §6): positions hlcopy did not open are refused at the start
// of a run (unless adopted) and left alone when they appear during it; what hlcopy manages is
// snapshotted after each live sweep. And join new-only: the coins each leader held when its copy
// began are not copied until the leader closes them. The rules are pure (core/ownership.ts,
// core/join.ts); this keeps their state in the journal (CopyState) and tells what it decided.

import { UsageError } from "../core/errors.js";
import { detailNumber, shortAddress as short } from "../core/format.js";
import { dropClosedByFills, initialJoinBaseline, keepHeldSince, withoutJoinedByCopy } from "../core/join.js";
import {
  type ForeignPosition,
  foreignOrders,
  foreignOrderText,
  foreignPositions,
  foreignText,
  isCoinLeftAlone,
  keptManaged,
  keptOrdersText,
  leaveOutFlags,
  type ManagedPositions,
  signedSizes,
} from "../core/ownership.js";
import type { Settings } from "../core/settings.js";
import type { AccountState, Address, Fill, Markets, Positions } from "../core/types.js";
import type { Journal } from "../store/journal.js";
import type { CopyState } from "./copy-state.js";
import type { EngineEvent, RunMode } from "./events.js";
import { type RunPolicy, runPolicy } from "./run-mode.js";

/** The notice of an --adopt the start found nothing for (kind `unneeded-flag`). */
export const UNNEEDED_ADOPT =
  "--adopt: nothing to adopt — the account holds no position this run copies that hlcopy did not open (the flag permits, it changed nothing)";

export interface OwnershipWatchOptions {
  journal: Journal;
  copyState: CopyState;
  account: Address;
  mode: RunMode;
  /** --adopt: positions hlcopy did not open are managed as part of the copy. */
  adopt: boolean;
  /** `adopt` is the trader's flag: with nothing to adopt at the start, said (EngineOptions.sayUnneededPermits). */
  sayUnneeded?: boolean;
  /**
   * Positions hlcopy did not open are neither refused at the start nor adopted: left as not the
   * copy's (`hlcopy flatten` with no follow running closes them under its halt, outside the
   * copy P&L). `adopt` wins.
   */
  leaveForeign?: boolean;
  join: Settings["join"];
  /** The next warning of these words is journaled as an event of its own (engine/warning-log.ts). */
  journaledElsewhere?: (message: string) => void;
  emit: (event: EngineEvent) => void;
  now: () => number;
  runId: () => number | null;
}

export class OwnershipWatch {
  readonly #o: OwnershipWatchOptions;
  /** What the run's mode lets it do (run-mode.ts). */
  readonly #can: RunPolicy;
  /**
   * The positions this run adopted (hlcopy did not open them, in whole or in part), as found at
   * its start with hlcopy's part of each: the review says whose part is whose (core/review.ts).
   */
  #adopted: readonly ForeignPosition[] = [];
  /** Coins whose position changed outside hlcopy during the run: left alone. */
  #foreign: string[] = [];
  /** Those positions, with what hlcopy manages of each (what was made outside it is said). */
  #foreignPositions: ForeignPosition[] = [];
  #managedBefore: ManagedPositions = {};
  /** What a live run adopted, said once it is recorded (see kept()). */
  #adoptedNotice: string | null = null;
  /** The oids of the account's resting orders already looked at (an order is warned of once). */
  #ordersSeen = new Set<number>();

  constructor(options: OwnershipWatchOptions) {
    this.#o = options;
    this.#can = runPolicy(options.mode);
  }

  get adopted(): readonly ForeignPosition[] {
    return this.#adopted;
  }
  get foreignPositions(): readonly ForeignPosition[] {
    return this.#foreignPositions;
  }

  /**
   * Positions hlcopy did not open, against what it manages. At the start of a run (`atStart`)
   * they are refused unless the trader adopts them; during a run a position changed outside
   * hlcopy is left alone (told once per coin).
   * @throws {UsageError} at the start, for positions hlcopy did not open without --adopt.
   */
  check(ours: AccountState, markets: Markets, settings: Settings, atStart: boolean): void {
    const o = this.#o;
    // A dry run works on a copy of the journal taken when it started, before the account was
    // read: a follow running beside it may have traded since. Checked against the journal as it
    // is now (refresh: nothing to do for a journal on disk), its trades count as hlcopy's.
    if (atStart) o.journal.refresh();
    const managed = o.copyState.managed();
    this.#managedBefore = managed ?? {};
    const foreign = foreignPositions(ours, managed, markets, settings, o.copyState.unresolvedRemainder());
    // The part made outside hlcopy, not the whole position (hlcopy's part of it is said beside).
    const list = foreign.map(foreignText).join(", ");
    if (atStart) {
      this.#foreign = [];
      this.#foreignPositions = [];
      if (foreign.length > 0 && !o.adopt && o.leaveForeign !== true)
        throw this.#refusal(list, foreign, settings);
      // Orders hlcopy did not place, once the positions pass: one that may open or grow a
      // position in a coin this run copies is refused, the rest named. A run that leaves what
      // is not hlcopy's alone (a flatten: it only closes) leaves them alone too.
      if (o.leaveForeign !== true) this.#checkOrders(ours, settings);
      if (foreign.length === 0) {
        // A first live run owns the account from here: what it fills before its first sweep
        // saves a snapshot (a hot-path copy right after start-up) counts as its own, never
        // "not-ours".
        if (managed === null && !this.#can.modelsAccount) o.copyState.setManaged({}, o.now());
        // --adopt permits; with nothing to adopt it did nothing — said, not refused (cron passes it always).
        if (o.adopt && o.sayUnneeded === true)
          o.emit({ type: "notice", ts: o.now(), kind: "unneeded-flag", message: UNNEEDED_ADOPT });
        return;
      }
      if (!o.adopt && o.leaveForeign === true) {
        this.#foreign = foreign.map((f) => f.coin);
        this.#foreignPositions = foreign;
        if (managed === null && !this.#can.modelsAccount) o.copyState.setManaged({}, o.now());
        return;
      }
      if (!o.adopt) throw this.#refusal(list, foreign, settings);
      this.#adopted = foreign;
      // Managed from now on, at once: a follow's next sweep checks ownership again (not at the
      // start), and found them still unmanaged — left alone, "changed outside hlcopy", for the
      // whole run, though the trader had said --adopt. (Reconcile's one sweep saved them.)
      const adopted: ManagedPositions = { ...(managed ?? {}) };
      for (const f of foreign) adopted[f.coin] = ours.positions[f.coin]?.size ?? 0;
      o.copyState.setManaged(adopted, o.now());
      this.#managedBefore = adopted;
      o.journal.recordEvent({ ts: o.now(), type: "adopted", runId: o.runId(), data: { positions: foreign } });
      // Recorded with what the run holds until it may send (past its passphrase and review):
      // "adopted" is said then (kept()), never before a wrong passphrase or a no drops it all. A
      // dry run records nothing: it says what a live run would do.
      if (this.#can.journals)
        this.#adoptedNotice = `adopted position(s) hlcopy did not open: ${list} (managed as part of the copy from now on)`;
      else
        o.emit({
          type: "notice",
          ts: o.now(),
          kind: "adopted",
          message: `would adopt position(s) hlcopy did not open: ${list} (a live run manages them as part of the copy; a dry run records nothing)`,
        });
      return;
    }
    this.#newOrders(ours, settings);
    const coins = foreign.map((f) => f.coin);
    if (coins.some((c) => !this.#foreign.includes(c))) {
      const message = `position(s) changed outside hlcopy: ${list}: left alone (restart with --adopt to manage them)`;
      // Journaled as "foreign" with the positions (and the words said): no "warning" row of its own.
      if (this.#can.journals) o.journaledElsewhere?.(message);
      o.emit({ type: "warning", ts: o.now(), message });
      o.journal.recordEvent({
        ts: o.now(),
        type: "foreign",
        runId: o.runId(),
        data: { positions: foreign, message },
      });
    }
    this.#foreign = coins;
    this.#foreignPositions = foreign;
  }

  /** The start's refusal of positions hlcopy did not open (`list`: their foreignText). */
  #refusal(list: string, foreign: readonly ForeignPosition[], settings: Settings): UsageError {
    const leaveOut = leaveOutFlags(
      foreign.map((f) => f.coin),
      settings,
    );
    return new UsageError(`${this.#o.account} holds position(s) hlcopy did not open: ${list}`, {
      hint: `manage them as part of the copy with --adopt, ${leaveOut === null ? "" : `leave them out with ${leaveOut}, `}or copy into a dedicated sub-account (README: Before you copy with real money)`,
    });
  }

  /** Whether hlcopy placed the order of `cloid` (lower case): the journal holds it. */
  readonly #placed = (cloid: string): boolean => this.#o.journal.getOrder(cloid) !== null;

  /**
   * At the start: the orders resting on the account that hlcopy did not place (core/ownership.ts
   * foreignOrders). One in a coin this run copies that may open or grow a position is refused —
   * when it fills, the coin changes outside hlcopy and the copy leaves it alone for the rest of
   * the run, in silence as far as the leader's trades go; --adopt takes positions, not orders
   * (hlcopy cannot keep an order it did not place in step with the copy). Reduce-only ones (a
   * take-profit or stop set in the app) and orders in coins the run leaves alone are said, once.
   * @throws {UsageError} naming each refused order, with the ways forward.
   */
  #checkOrders(ours: AccountState, settings: Settings): void {
    const o = this.#o;
    const { refused, kept } = foreignOrders(ours.openOrders, this.#placed, settings);
    this.#ordersSeen = new Set(ours.openOrders.map((x) => x.oid));
    if (refused.length > 0) {
      const coins = [...new Set(refused.map((x) => x.coin))];
      const leaveOut = leaveOutFlags(coins, settings);
      throw new UsageError(
        `${o.account} has order(s) resting that hlcopy did not place: ${refused.map(foreignOrderText).join(", ")} — a fill would open or grow a position outside hlcopy, and the copy would leave ${coins.join(", ")} alone (not-ours) from then on`,
        {
          hint: `cancel them (in the app, or the bot that placed them), ${leaveOut === null ? "" : `leave the coin(s) out with ${leaveOut}, `}or copy into a dedicated sub-account (README: Before you copy with real money)${o.adopt ? "; --adopt takes positions hlcopy did not open, not orders: hlcopy cannot keep an order it did not place in step with the copy" : ""}; reduce-only orders (take-profit, stop) may stay`,
        },
      );
    }
    const text = keptOrdersText(kept, settings);
    if (text !== null) o.emit({ type: "notice", ts: o.now(), kind: "foreign-orders", message: text });
  }

  /**
   * During a run: an order placed outside hlcopy since (by hand, another bot) that may open or
   * grow a position in a coin the run copies is warned of once — its fill would leave the coin
   * alone for the rest of the run, so the trader may cancel it first.
   */
  #newOrders(ours: AccountState, settings: Settings): void {
    const o = this.#o;
    if (o.leaveForeign === true && !o.adopt) return;
    const fresh = ours.openOrders.filter((x) => !this.#ordersSeen.has(x.oid));
    for (const x of ours.openOrders) this.#ordersSeen.add(x.oid);
    if (fresh.length === 0) return;
    const { refused } = foreignOrders(fresh, this.#placed, settings);
    if (refused.length === 0) return;
    const coins = [...new Set(refused.map((x) => x.coin))];
    const message = `order(s) placed outside hlcopy: ${refused.map(foreignOrderText).join(", ")}: a fill would change ${coins.join(", ")} outside hlcopy, and the copy would leave it alone from then on — cancel it to keep ${coins.join(", ")} copied`;
    // Journaled as "foreignOrders" with the orders: no "warning" row of its own.
    if (this.#can.journals) o.journaledElsewhere?.(message);
    o.emit({ type: "warning", ts: o.now(), message });
    // Journaled as the positions changed outside hlcopy are ("foreign"): hlcopy journal shows it
    // after the run, when the line on the screen is long gone.
    o.journal.recordEvent({
      ts: o.now(),
      type: "foreignOrders",
      runId: o.runId(),
      coin: coins.length === 1 ? (coins[0] ?? null) : null,
      data: {
        message,
        orders: refused.map((x) => ({
          oid: x.oid,
          coin: x.coin,
          side: x.side,
          size: x.size,
          limitPx: x.limitPx,
          reduceOnly: x.reduceOnly,
          ...(x.trigger ? { trigger: x.trigger } : {}),
        })),
      },
    });
  }

  /**
   * What hlcopy manages of the account now (the copy's P&L values only that part); null when
   * the run's account is its own (paper, a dry run's model: every position in it is the run's).
   */
  managedNow(): ManagedPositions | null {
    if (this.#can.modelsAccount) return null;
    return this.#o.copyState.managed() ?? {};
  }

  /** The run may send: what it held is recorded, so what it adopted is said now (once). */
  kept(): void {
    const message = this.#adoptedNotice;
    if (message === null) return;
    this.#adoptedNotice = null;
    this.#o.emit({ type: "notice", ts: this.#o.now(), kind: "adopted", message });
  }

  /**
   * After a live sweep: what hlcopy manages now. Positions changed outside it keep their old
   * value, and so do coins the settings leave alone (--deny-coins, --allow-coins): the check
   * skips them, so a position hlcopy did not open there would otherwise become its own and a
   * later run without the flag would close it with no --adopt.
   */
  save(positions: Positions, settings: Settings): void {
    const o = this.#o;
    if (this.#can.modelsAccount) return;
    const managed: ManagedPositions = signedSizes(positions);
    const known = o.copyState.managed() ?? {};
    for (const coin of new Set([...Object.keys(managed), ...Object.keys(known)])) {
      if (!isCoinLeftAlone(coin, settings)) continue;
      const kept = keptManaged(known[coin] ?? 0, managed[coin] ?? 0);
      if (kept === 0) delete managed[coin];
      else managed[coin] = kept;
    }
    for (const coin of this.#foreign) {
      // What hlcopy managed, but no more than the account holds on that side: a position closed
      // since (a flatten, the trader) leaves no claim on what they open there next.
      const before = keptManaged(this.#managedBefore[coin] ?? 0, managed[coin] ?? 0);
      if (before === 0) delete managed[coin];
      else managed[coin] = before;
    }
    // A coin with an order of unknown outcome: the account read may or may not hold its fill,
    // so the snapshot takes what the journal knows hlcopy filled; the order's own fill is
    // added once it resolves (the snapshot lists it with what it had filled then).
    const unresolved = Object.keys(o.copyState.unresolvedRemainder());
    if (unresolved.length > 0) {
      for (const coin of unresolved) {
        if (this.#foreign.includes(coin)) continue;
        const size = known[coin];
        if (size === undefined || size === 0) delete managed[coin];
        else managed[coin] = size;
      }
    }
    o.copyState.setManaged(managed, o.now());
  }

  // ---- join new-only ---------------------------------------------------------------------

  /**
   * Without streams (a cron run): from when a leader's fills must be read to know whether it
   * closed and re-opened a coin of its join baseline; null when it has no such coin.
   */
  joinFillsFrom(leader: Address): number | null {
    if (this.#o.join !== "new-only") return null;
    const b = this.#o.copyState.leader(leader, this.#o.now());
    if (!b.join || Object.keys(b.join).length === 0) return null;
    return b.joinCheckedAt ?? b.since;
  }

  /**
   * Each leader's baseline of held coins, taken the first time and journaled; a coin the leader
   * has since closed or flipped leaves it. `joinFills`: the leader fills since the last check
   * (cron runs, see joinFillsFrom).
   */
  updateJoinBaselines(
    leaders: readonly { address: Address; positions: Positions }[],
    readAt: number,
    joinFills: Map<Address, Fill[]>,
  ): void {
    const o = this.#o;
    if (o.join !== "new-only") return;
    // What hlcopy holds of the copy (the journal's, a dry run's too): a coin it holds was joined.
    const managed = o.copyState.managed() ?? {};
    for (const l of leaders) {
      const b = o.copyState.leader(l.address, readAt);
      let join = b.join;
      const first = !join;
      if (!join) {
        join = initialJoinBaseline(l.positions);
      } else {
        const fills = joinFills.get(l.address);
        if (fills) join = dropClosedByFills(join, fills);
        join = keepHeldSince(join, l.positions);
      }
      const split = withoutJoinedByCopy(join, managed);
      join = split.baseline;
      if (first && Object.keys(join).length > 0) {
        o.emit({
          type: "notice",
          ts: o.now(),
          kind: "join-baseline",
          message: `join new-only: leader ${short(l.address)} already holds ${Object.keys(join).join(", ")}: not copied until it closes them`,
        });
      }
      if (split.joined.length > 0) {
        const held = split.joined.map((j) => `${j.coin} ${j.size > 0 ? "+" : ""}${detailNumber(j.size)}`);
        o.emit({
          type: "notice",
          ts: o.now(),
          kind: "join-baseline",
          message: `join new-only: leader ${short(l.address)} holds ${split.joined.map((j) => j.coin).join(", ")}, and hlcopy already holds ${held.join(", ")} from this copy (opened before new-only applied): copied, not left out — a position hlcopy opened is kept in step with the leader`,
        });
      }
      o.copyState.setLeader(l.address, { ...b, join, joinCheckedAt: readAt }, readAt);
    }
  }

  /** A leader fill that closes or flips a coin held since the start makes its next open new. */
  onLeaderFill(leader: Address, fill: Fill): void {
    const o = this.#o;
    if (o.join !== "new-only") return;
    const now = o.now();
    const b = o.copyState.leader(leader, now);
    if (!b.join || b.join[fill.coin] === undefined) return;
    o.copyState.setLeader(leader, { ...b, join: dropClosedByFills(b.join, [fill]) }, now);
  }

  /** Coins the leaders held before the copy began and still hold (join new-only). */
  notJoined(leaders: readonly Address[]): string[] {
    const o = this.#o;
    if (o.join !== "new-only") return [];
    const coins = new Set<string>();
    for (const l of leaders)
      for (const c of Object.keys(o.copyState.leader(l, o.now()).join ?? {})) coins.add(c);
    return [...coins];
  }
}
