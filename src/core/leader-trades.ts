// The leader's trades a run saw, each counted once, in exactly one bucket: what every view
// (dashboard header, follow's summary line and --json, the demo's summary) shows of them.
//
// A leader trade is one order of the leader that filled, as the exchange reports it: its fills
// (same leader, same oid) — an order that crossed three price levels is three fills and one
// trade. The run sees the trades whose first fill reached it live (a stream's snapshot is
// history, not a trade the run saw). Each trade lands in one bucket:
//   copied   — an order of ours for its coin, from the decision that first planned on it, filled
//              (fully, in part, or on paper). A burst of trades merged into one plan is copied
//              together: every trade in it is copied when that plan's order fills. A post-only
//              entry the exchange refused as crossing is sent again as IOC: that order copies it.
//   in line  — no order was needed: our position is already at its target, or inside the deadband.
//   skipped  — not copied, by reason (the plan's skip for its coin: $10 minimum, a gate, a cap, a
//              pause holding the order, …; `stopping`: the run stopped before deciding on it, or
//              before its order, waiting for its turn, was sent — the trader stopped it).
//   missed   — our order for it was planned but did not fill: the IOC found no price within its
//              bound, the exchange refused it, or it could not be sent (a failure, not a stop).
//   planned  — a dry run's: an order was planned (a dry run sends nothing, so fills nothing).
//   in flight — decided on, result not in yet (or not decided on yet). Never after the run's stop.
//   unknown  — our order for it was left uncertain (the reply lost) and nothing resolved it yet:
//              recovery's look-up by cloid (before each sweep) or a fill of it moves it on; or,
//              at the stop, it still rests on the exchange (a passive entry left there).
// leaderTrades = copied + inLine + skipped + missed + planned + inFlight + unknown, always.
//
// Fed in the order the engine tells it: a leader fill, a decision (with the number of leader
// fills told before its plan was made: `seen`), an order's result, and the run's stop last.
// Pure: no clock, no I/O.
// Follow's views feed it the engine's events; `report` replays a run's journal through it (the
// leader fills, decisions and orders a run journals: src/cli/report/leader-trades.ts).

import { keptByStop, type OrderStatus } from "./orders.js";
import { isHaltClose } from "./safety.js";
import type { ReasonCode } from "./types.js";

/** The parts of a plan (core/types.ts Plan) the tally reads. */
export interface PlanOutcome {
  actions: readonly { coin: string; cloid: string; reduceOnly: boolean; reason: ReasonCode }[];
  skipped: readonly { coin: string; reason: string }[];
}

/** The buckets of the leader's trades (LeaderTradeTally). They always add up to `leaderTrades`. */
export interface LeaderTradeCounts {
  /** Every leader trade the run saw (one leader order's fills). */
  leaderTrades: number;
  copied: number;
  inLine: number;
  skipped: number;
  missed: number;
  /** A dry run's trades an order was planned for (0 in live and paper runs). */
  planned: number;
  /** Waiting: not decided on yet, or decided with its order's result not in yet. */
  inFlight: number;
  /**
   * Our order for it was left uncertain (its outcome not known: the reply lost) and nothing has
   * resolved it since — recovery's look-up before each sweep, or a fill of it, moves the trade to
   * copied or missed. A run that ends with one says so; it is not "in flight".
   */
  unknown: number;
  /** `skipped` by reason (sums to `skipped`). */
  skippedBy: Record<string, number>;
}

/** The numbers of LeaderTradeFigures: the names follow's summary, its --json and report's days use. */
export const TRADE_FIGURE_FIELDS = [
  "leaderTrades",
  "copiedTrades",
  "inLineTrades",
  "skippedTrades",
  "missedTrades",
  "plannedTrades",
  "inFlightTrades",
  "unknownTrades",
] as const;

/** A tally's counts under the names every view and document uses (the dashboard, follow --json, report). */
export type LeaderTradeFigures = Record<(typeof TRADE_FIGURE_FIELDS)[number], number> & {
  /** The trades skipped, by reason (sums to skippedTrades). */
  skipped: Record<string, number>;
};

/** LeaderTradeCounts under the figures' names (one mapping for the views and report). */
export function tradeFigures(c: LeaderTradeCounts): LeaderTradeFigures {
  return {
    leaderTrades: c.leaderTrades,
    copiedTrades: c.copied,
    inLineTrades: c.inLine,
    skippedTrades: c.skipped,
    missedTrades: c.missed,
    plannedTrades: c.planned,
    inFlightTrades: c.inFlight,
    unknownTrades: c.unknown,
    skipped: { ...c.skippedBy },
  };
}

/** What a decision did about one coin: its orders (cloids), a skip, or nothing needed. */
export type CoinOutcome =
  | { kind: "orders"; cloids: string[] }
  | { kind: "skipped"; reason: string }
  | { kind: "in-line" };

/**
 * What kept a decision's orders from being sent (the decision event's `held`): a pause (p, hlcopy
 * pause), or the run's stop (its plan was made as the run stopped: nothing is sent after a stop).
 * A trade it decided on is skipped by that name.
 */
export type HeldBy = "paused" | "stopping";

/** Skips that mean no order was needed: the copy is at its target, or inside the deadband. */
const IN_LINE_REASONS: ReadonlySet<string> = new Set(["in-sync", "inside-deadband"]);

/**
 * What a plan did about one coin. Orders a pause held back (`held`) are not sent — a halt's
 * closes still go (core/safety.ts sentWhilePaused) —, so a coin whose orders were all held is
 * skipped `paused`; a stop holds them all (`stopping`). With no order: the coin's first skip that is not "in line" (in-sync,
 * inside-deadband) names the reason; none: in line.
 */
export function coinOutcome(plan: PlanOutcome, coin: string, held?: HeldBy | null): CoinOutcome {
  const cloids: string[] = [];
  let heldBack = false;
  for (const a of plan.actions) {
    if (a.coin !== coin) continue;
    // A stop holds every order (a halt's closes go through a pause, never past a stop).
    if ((held === "paused" && !isHaltClose(a)) || held === "stopping") heldBack = true;
    else cloids.push(a.cloid);
  }
  if (cloids.length > 0) return { kind: "orders", cloids };
  if (heldBack) return { kind: "skipped", reason: held ?? "paused" };
  // No order of this coin went: a cap's note here is a skip (no room left), not a cut beside an order.
  for (const s of plan.skipped) {
    if (s.coin !== coin || IN_LINE_REASONS.has(s.reason)) continue;
    return { kind: "skipped", reason: s.reason };
  }
  return { kind: "in-line" };
}

/** A decision as the tally takes it. */
export interface TradeDecision {
  /** The coins whose trades it decides; "all": a full plan (a sweep's), every coin. */
  coins: readonly string[] | "all";
  /** Leader fills told before its plan was made: the trades it decided on are among them. */
  seen: number;
  plan: PlanOutcome;
  held?: HeldBy | null;
  /**
   * The coins its plan planned on (default `coins`): a trade whose post-only entry the exchange
   * refused as crossing waits for the next plan of its coin — the re-plan that sends it as IOC,
   * which decides no new trade (a re-plan of a few coins has `coins` []).
   */
  planned?: readonly string[];
}

/** An order's status as the tally takes it: every status an order of ours is shown with. */
export type TradeOrderStatus = OrderStatus;

/** Statuses after which an order may still fill. */
const OPEN_STATUSES: ReadonlySet<TradeOrderStatus> = new Set(["sent", "resting", "uncertain"]);

/** The exchange's refusal of a post-only (Alo) order that would have crossed the book (sim and mainnet). */
const CROSSED = "Post only order would have immediately matched";

/** Whether an order's error is the refusal of a post-only entry that would have crossed the book. */
export function refusedAsCrossing(error: string | null | undefined): boolean {
  return (error ?? "").startsWith(CROSSED);
}

/** The buckets a trade can be in (LeaderTradeCounts, without the totals). */
type Bucket = "copied" | "inLine" | "skipped" | "missed" | "planned" | "inFlight" | "unknown";

/** Trades counted together (a decision's of one coin), by the key each was told with ("" when none). */
class Lot {
  n = 0;
  readonly keys = new Map<string, number>();
  add(key: string, n = 1): void {
    this.n += n;
    this.keys.set(key, (this.keys.get(key) ?? 0) + n);
  }
  merge(other: Lot): void {
    for (const [k, n] of other.keys) this.add(k, n);
  }
}

interface Group {
  coin: string;
  lot: Lot;
  /** Where its trades are counted while they wait: in flight, or unknown (an order's outcome not known). */
  where: "inFlight" | "unknown";
  /** Its orders not yet heard of for good. */
  open: Set<string>;
  /** Of `open`, those whose outcome is not known (uncertain) until recovery or a fill resolves it. */
  uncertain: Set<string>;
  /** Of `open`, those told sent or resting: on the exchange, they may still fill. */
  placed: Set<string>;
  heard: boolean;
  /** An order of it was a post-only entry refused as crossing: its coin's re-plan decides the trades. */
  crossed: boolean;
  /**
   * An order of it was told with an outcome other than "kept from being sent by the stop"
   * (orders.ts keptByStop): with none filled, its trades are missed; else the stop held them all.
   */
  reached: boolean;
}

/** Trades' first fills remembered to know a later fill of the same order (its fills come together). */
const SEEN_ORDERS = 10_000;

const zero = (): LeaderTradeCounts => ({
  leaderTrades: 0,
  copied: 0,
  inLine: 0,
  skipped: 0,
  missed: 0,
  planned: 0,
  inFlight: 0,
  unknown: 0,
  skippedBy: {},
});

/** See the module's head: the leader's trades, each in one bucket. Mutated in place (a view's state). */
export class LeaderTradeTally {
  readonly #ordersHeard: boolean;
  readonly #keyed: boolean;
  #fills = 0;
  readonly #orders = new Map<string, true>();
  /** Trades not decided on yet: per coin, each trade's first fill's number and key. */
  readonly #pending = new Map<string, { seq: number; key: string }[]>();
  /** Trades waiting for their orders' results, by cloid. */
  readonly #groups = new Map<string, Group>();
  /** Groups none of whose orders was heard of yet. */
  readonly #unheard = new Set<Group>();
  /** Trades whose post-only entry was refused as crossing, by coin: the coin's next plan decides them. */
  readonly #replan = new Map<string, Group>();
  readonly #counts: LeaderTradeCounts = zero();
  /** The buckets by the key each trade was told with (leaderFill's `key`): report's days. */
  readonly #byKey = new Map<string, LeaderTradeCounts>();

  /**
   * @param ordersHeard false for a dry run: nothing is sent, so no order result comes; a trade
   *   with an order planned is counted `planned`.
   * @param keyed the buckets are kept by each trade's key too (countsBy: report's days).
   */
  constructor(options: { ordersHeard: boolean; keyed?: boolean } = { ordersHeard: true }) {
    this.#ordersHeard = options.ordersHeard;
    this.#keyed = options.keyed === true;
  }

  /**
   * One leader fill, as told (every one, in order: it numbers them). `key` (report: the day of
   * the fill) counts the trade apart too (countsBy, a keyed tally); `seq`: the fill's number in the run, when
   * the fills before it are not told (a journal pruned up to it).
   */
  leaderFill(leader: string, oid: number, coin: string, key = "", seq?: number): void {
    this.#fills = seq ?? this.#fills + 1;
    const at = this.#fills;
    const id = `${leader.toLowerCase()}:${oid}`;
    if (this.#orders.has(id)) return;
    this.#orders.set(id, true);
    if (this.#orders.size > SEEN_ORDERS) {
      const oldest = this.#orders.keys().next();
      if (!oldest.done) this.#orders.delete(oldest.value);
    }
    const list = this.#pending.get(coin);
    if (list) list.push({ seq: at, key });
    else this.#pending.set(coin, [{ seq: at, key }]);
    this.#counts.leaderTrades++;
    this.#counts.inFlight++;
    if (this.#keyed) {
      const k = this.#keyCounts(key);
      k.leaderTrades++;
      k.inFlight++;
    }
  }

  /**
   * A decision: the trades of its coins it saw land in their bucket (or wait for its orders).
   * Orders of earlier decisions never heard of were not sent (a later decision comes after
   * every result of the one before): their trades are missed. Trades whose entry was refused as
   * crossing are decided by it when it plans their coin (the re-plan that sends it as IOC).
   */
  decision(d: TradeDecision): void {
    for (const g of this.#unheard) this.#settle(g, "missed");
    this.#unheard.clear();
    if (this.#replan.size > 0) {
      const planned = d.coins === "all" ? [...this.#replan.keys()] : (d.planned ?? d.coins);
      for (const coin of planned) {
        const g = this.#replan.get(coin);
        if (!g) continue;
        this.#replan.delete(coin);
        this.#decide(coin, coinOutcome(d.plan, coin, d.held), g.lot);
      }
    }
    const coins = d.coins === "all" ? [...this.#pending.keys()] : d.coins;
    for (const coin of coins) {
      const list = this.#pending.get(coin);
      if (!list) continue;
      let n = 0;
      while (n < list.length && (list[n] as { seq: number }).seq <= d.seen) n++;
      if (n === 0) continue;
      const lot = new Lot();
      for (let i = 0; i < n; i++) lot.add((list[i] as { key: string }).key);
      if (n === list.length) this.#pending.delete(coin);
      else list.splice(0, n);
      this.#decide(coin, coinOutcome(d.plan, coin, d.held), lot);
    }
  }

  /**
   * An order's result: the trades it was for are copied at its first fill, missed when none of
   * their orders filled — skipped `stopping` when the stop kept every one of them from being sent
   * (a batch still waiting for its turn: orders.ts keptByStop); while an order's outcome is not known (uncertain) its trades are
   * `unknown`, until a later result (recovery's look-up, a fill) settles them. A post-only entry
   * refused as crossing is re-planned as IOC: its trades wait for that plan.
   */
  order(cloid: string, status: TradeOrderStatus, filledSize: number, error?: string | null): void {
    const g = this.#groups.get(cloid);
    if (!g) return;
    if (!g.heard) {
      g.heard = true;
      this.#unheard.delete(g);
    }
    if (!keptByStop(status, error)) g.reached = true;
    // Filled in part and the rest cancelled (an IOC's remainder): copied all the same.
    if (filledSize > 0) {
      this.#settle(g, "copied");
      return;
    }
    if (status === "uncertain") g.uncertain.add(cloid);
    else g.uncertain.delete(cloid);
    if (status === "sent" || status === "resting") g.placed.add(cloid);
    else g.placed.delete(cloid);
    if (!OPEN_STATUSES.has(status)) {
      g.open.delete(cloid);
      this.#groups.delete(cloid);
      if (status === "rejected" && refusedAsCrossing(error)) g.crossed = true;
      if (g.open.size === 0) {
        if (!g.crossed) {
          this.#settle(g, g.reached ? "missed" : "skipped");
          return;
        }
        // Its coin goes as IOC at its next plan: the trades wait for it (in flight meanwhile).
        const waiting = this.#replan.get(g.coin);
        if (waiting) {
          this.#move(g.lot, g.where, "inFlight");
          waiting.lot.merge(g.lot);
          g.lot = new Lot();
        } else this.#replan.set(g.coin, g);
      }
    }
    this.#place(g);
  }

  /** One of our fills, of order `cloid`: the trades it was for are copied (an order left uncertain filled after all). */
  ourFill(cloid: string): boolean {
    const g = this.#groups.get(cloid);
    if (!g) return false;
    this.order(cloid, "filled", 1);
    return true;
  }

  /**
   * The run stopped (follow's `stop` event; report: a run that ended in order): no decision comes
   * any more, so the trades not decided on — the leader traded as the run stopped, or before the
   * copy of its fill was planned — and those waiting for their coin's re-plan are skipped
   * `stopping` (nothing is sent after a stop). A stop awaits every order on its way, so no trade
   * is in flight after it: one whose orders were never heard of — never sent (the journal held by
   * another program, a request refused whole, the agent refused) — is missed (its order could not
   * be sent); one whose order still rests on the exchange (a passive entry left there) is
   * `unknown` (whether it fills, this run will not know), as is one left uncertain.
   */
  stopped(): void {
    for (const g of this.#replan.values()) {
      const lot = g.lot;
      g.lot = new Lot();
      for (const cloid of g.open) this.#groups.delete(cloid);
      this.#unheard.delete(g);
      this.#move(lot, g.where, "skipped", "stopping");
    }
    this.#replan.clear();
    for (const list of this.#pending.values()) {
      const lot = new Lot();
      for (const t of list) lot.add(t.key);
      this.#move(lot, "inFlight", "skipped", "stopping");
    }
    this.#pending.clear();
    for (const g of new Set(this.#groups.values())) {
      if ([...g.open].some((cloid) => g.placed.has(cloid) || g.uncertain.has(cloid))) {
        this.#move(g.lot, g.where, "unknown");
        g.where = "unknown";
      } else this.#settle(g, "missed");
    }
    this.#unheard.clear();
  }

  /** Trades a later decision may decide: not decided on yet, or waiting for their coin's re-plan. */
  undecided(): boolean {
    return this.#pending.size > 0 || this.#replan.size > 0;
  }

  /** The buckets now (a copy). */
  counts(): LeaderTradeCounts {
    return copyOf(this.#counts);
  }

  /** The buckets of the trades told with each key (leaderFill's `key`), copies. */
  countsBy(): Map<string, LeaderTradeCounts> {
    return new Map([...this.#byKey].map(([k, c]) => [k, copyOf(c)]));
  }

  #keyCounts(key: string): LeaderTradeCounts {
    let c = this.#byKey.get(key);
    if (!c) {
      c = zero();
      this.#byKey.set(key, c);
    }
    return c;
  }

  /** `lot` (in flight) decided by `outcome`: in its bucket, or waiting for the orders. */
  #decide(coin: string, outcome: CoinOutcome, lot: Lot): void {
    if (lot.n === 0) return;
    if (outcome.kind === "orders") {
      if (!this.#ordersHeard) {
        this.#move(lot, "inFlight", "planned");
        return;
      }
      // The same order again (a plan made on the same state gives the same cloid): its trades join it.
      for (const cloid of outcome.cloids) {
        const known = this.#groups.get(cloid);
        if (known) {
          this.#move(lot, "inFlight", known.where);
          known.lot.merge(lot);
          return;
        }
      }
      const g: Group = {
        coin,
        lot,
        where: "inFlight",
        open: new Set(outcome.cloids),
        uncertain: new Set(),
        placed: new Set(),
        heard: false,
        crossed: false,
        reached: false,
      };
      for (const cloid of outcome.cloids) this.#groups.set(cloid, g);
      this.#unheard.add(g);
      return;
    }
    if (outcome.kind === "in-line") this.#move(lot, "inFlight", "inLine");
    else this.#move(lot, "inFlight", "skipped", outcome.reason);
  }

  /** The group's trades where they wait: unknown while an order of it is uncertain, else in flight. */
  #place(g: Group): void {
    const where = g.uncertain.size > 0 ? "unknown" : "inFlight";
    if (where === g.where) return;
    this.#move(g.lot, g.where, where);
    g.where = where;
  }

  /** The group's trades settled: copied, missed, or skipped `stopping` (the stop kept its orders unsent). */
  #settle(g: Group, bucket: "copied" | "missed" | "skipped"): void {
    for (const cloid of g.open) this.#groups.delete(cloid);
    g.open.clear();
    g.uncertain.clear();
    this.#unheard.delete(g);
    if (this.#replan.get(g.coin) === g) this.#replan.delete(g.coin);
    this.#move(g.lot, g.where, bucket, bucket === "skipped" ? "stopping" : undefined);
    g.lot = new Lot();
    g.where = "inFlight";
  }

  #move(lot: Lot, from: Bucket, to: Bucket, reason?: string): void {
    if (lot.n === 0 || from === to) return;
    const shift = (c: LeaderTradeCounts, n: number) => {
      c[from] -= n;
      c[to] += n;
      if (to === "skipped" && reason !== undefined) c.skippedBy[reason] = (c.skippedBy[reason] ?? 0) + n;
    };
    shift(this.#counts, lot.n);
    if (this.#keyed) for (const [k, n] of lot.keys) shift(this.#keyCounts(k), n);
  }
}

function copyOf(c: LeaderTradeCounts): LeaderTradeCounts {
  return { ...c, skippedBy: { ...c.skippedBy } };
}

/** The buckets of `counts` add up to its `leaderTrades` (the invariant every view relies on). */
export function tradesAddUp(counts: LeaderTradeCounts): boolean {
  const skippedBy = Object.values(counts.skippedBy).reduce((s, n) => s + n, 0);
  return (
    skippedBy === counts.skipped &&
    counts.copied +
      counts.inLine +
      counts.skipped +
      counts.missed +
      counts.planned +
      counts.inFlight +
      counts.unknown ===
      counts.leaderTrades
  );
}
