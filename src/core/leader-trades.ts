// The leader's trades a run saw, each counted once, in exactly one bucket: what every view
// (dashboard header, follow's summary line and --json, the demo's summary) shows of them.
//
// A leader trade is one order of the leader that filled, as the exchange reports it: its fills
// (same leader, same oid) — an order that crossed three price levels is three fills and one
// trade. The run sees the trades whose first fill reached it live (a stream's snapshot is
// history, not a trade the run saw). Each trade lands in one bucket:
//   copied   — an order of ours for its coin, from the decision that first planned on it, filled
//              (fully, in part, or on paper). A burst of trades merged into one plan is copied
//              together: every trade in it is copied when that plan's order fills.
//   in line  — no order was needed: our position is already at its target, or inside the deadband.
//   skipped  — not copied, by reason (the plan's skip for its coin: $10 minimum, a gate, a cap, a
//              pause holding the order, …).
//   missed   — our order for it was planned but did not fill: the IOC found no price within its
//              bound, the exchange refused it, or it could not be sent.
//   planned  — a dry run's: an order was planned (a dry run sends nothing, so fills nothing).
//   in flight — decided on, result not known yet (or not decided on yet).
// leaderTrades = copied + inLine + skipped + missed + planned + inFlight, always.
//
// Fed in the order the engine tells it: a leader fill, a decision (with the number of leader
// fills told before its plan was made: `seen`), an order's result. Pure: no clock, no I/O.

import type { OrderStatus } from "./orders.js";
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
  inFlight: number;
  /** `skipped` by reason (sums to `skipped`). */
  skippedBy: Record<string, number>;
}

/** What a decision did about one coin: its orders (cloids), a skip, or nothing needed. */
export type CoinOutcome =
  | { kind: "orders"; cloids: string[] }
  | { kind: "skipped"; reason: string }
  | { kind: "in-line" };

/** Skips that mean no order was needed: the copy is at its target, or inside the deadband. */
const IN_LINE_REASONS: ReadonlySet<string> = new Set(["in-sync", "inside-deadband"]);

/**
 * What a plan did about one coin. Orders a pause held back (`held`) are not sent — a halt's
 * closes still go (core/safety.ts sentWhilePaused) —, so a coin whose orders were all held is
 * skipped `paused`. With no order: the coin's first skip that is not "in line" (in-sync,
 * inside-deadband) names the reason; none: in line.
 */
export function coinOutcome(plan: PlanOutcome, coin: string, held?: "paused" | null): CoinOutcome {
  const cloids: string[] = [];
  let heldBack = false;
  for (const a of plan.actions) {
    if (a.coin !== coin) continue;
    if (held === "paused" && !isHaltClose(a)) heldBack = true;
    else cloids.push(a.cloid);
  }
  if (cloids.length > 0) return { kind: "orders", cloids };
  if (heldBack) return { kind: "skipped", reason: "paused" };
  // No order of this coin went: a cap's note here is a skip (no room left), not a cut beside an order.
  for (const s of plan.skipped) {
    if (s.coin !== coin || IN_LINE_REASONS.has(s.reason)) continue;
    return { kind: "skipped", reason: s.reason };
  }
  return { kind: "in-line" };
}

/**
 * The skips of a decision a leader's fill triggered, one per coin, by the tally's rule
 * (coinOutcome): what `report` counts from the journal, which keeps each decision but not the
 * leader's fills — so a burst merged into one plan is one skip there, where the tally counts
 * each leader trade in it. Other triggers (sweeps) decide no trade of the journal's: none.
 * @param coins the coins the decision planned on.
 */
export function decisionSkips(
  trigger: string,
  coins: readonly string[],
  plan: PlanOutcome,
  held?: "paused" | null,
): string[] {
  if (trigger !== "fill") return [];
  const out: string[] = [];
  for (const coin of coins) {
    const o = coinOutcome(plan, coin, held);
    if (o.kind === "skipped") out.push(o.reason);
  }
  return out;
}

/** A decision as the tally takes it. */
export interface TradeDecision {
  /** The coins it planned on; "all": a full plan (a sweep's), every coin. */
  coins: readonly string[] | "all";
  /** Leader fills told before its plan was made: the trades it decided on are among them. */
  seen: number;
  plan: PlanOutcome;
  held?: "paused" | null;
}

/** An order's status as the tally takes it: every status an order of ours is shown with. */
export type TradeOrderStatus = OrderStatus;

/** Statuses after which an order may still fill. */
const OPEN_STATUSES: ReadonlySet<TradeOrderStatus> = new Set(["sent", "resting", "uncertain"]);

interface Group {
  trades: number;
  /** Its orders not yet heard of for good. */
  open: Set<string>;
  heard: boolean;
}

/** Trades' first fills remembered to know a later fill of the same order (its fills come together). */
const SEEN_ORDERS = 10_000;

/** See the module's head: the leader's trades, each in one bucket. Mutated in place (a view's state). */
export class LeaderTradeTally {
  readonly #ordersHeard: boolean;
  #fills = 0;
  readonly #orders = new Map<string, true>();
  /** Trades not decided on yet: per coin, the fill number of each trade's first fill. */
  readonly #pending = new Map<string, number[]>();
  /** Trades waiting for their orders' results, by cloid. */
  readonly #groups = new Map<string, Group>();
  /** Groups none of whose orders was heard of yet. */
  readonly #unheard = new Set<Group>();
  readonly #counts: LeaderTradeCounts = {
    leaderTrades: 0,
    copied: 0,
    inLine: 0,
    skipped: 0,
    missed: 0,
    planned: 0,
    inFlight: 0,
    skippedBy: {},
  };

  /**
   * @param ordersHeard false for a dry run: nothing is sent, so no order result comes; a trade
   *   with an order planned is counted `planned`.
   */
  constructor(options: { ordersHeard: boolean } = { ordersHeard: true }) {
    this.#ordersHeard = options.ordersHeard;
  }

  /** One leader fill, as told (every one, in order: it numbers them). */
  leaderFill(leader: string, oid: number, coin: string): void {
    const seq = ++this.#fills;
    const key = `${leader.toLowerCase()}:${oid}`;
    if (this.#orders.has(key)) return;
    this.#orders.set(key, true);
    if (this.#orders.size > SEEN_ORDERS) {
      const oldest = this.#orders.keys().next();
      if (!oldest.done) this.#orders.delete(oldest.value);
    }
    const list = this.#pending.get(coin);
    if (list) list.push(seq);
    else this.#pending.set(coin, [seq]);
    this.#counts.leaderTrades++;
    this.#counts.inFlight++;
  }

  /**
   * A decision: the trades of its coins it saw land in their bucket (or wait for its orders).
   * Orders of earlier decisions never heard of were not sent (a later decision comes after
   * every result of the one before): their trades are missed.
   */
  decision(d: TradeDecision): void {
    for (const g of this.#unheard) this.#settle(g, "missed");
    this.#unheard.clear();
    const coins = d.coins === "all" ? [...this.#pending.keys()] : d.coins;
    for (const coin of coins) {
      const list = this.#pending.get(coin);
      if (!list) continue;
      let n = 0;
      while (n < list.length && (list[n] as number) <= d.seen) n++;
      if (n === 0) continue;
      if (n === list.length) this.#pending.delete(coin);
      else list.splice(0, n);
      this.#decide(coinOutcome(d.plan, coin, d.held), n);
    }
  }

  /** An order's result: the trades it was for are copied at its first fill, missed when none of their orders filled. */
  order(cloid: string, status: TradeOrderStatus, filledSize: number): void {
    const g = this.#groups.get(cloid);
    if (!g) return;
    if (!g.heard) {
      g.heard = true;
      this.#unheard.delete(g);
    }
    // Filled in part and the rest cancelled (an IOC's remainder): copied all the same.
    if (filledSize > 0) {
      this.#settle(g, "copied");
      return;
    }
    if (OPEN_STATUSES.has(status)) return;
    g.open.delete(cloid);
    this.#groups.delete(cloid);
    if (g.open.size === 0) this.#settle(g, "missed");
  }

  /** The buckets now (a copy). */
  counts(): LeaderTradeCounts {
    return { ...this.#counts, skippedBy: { ...this.#counts.skippedBy } };
  }

  #decide(outcome: CoinOutcome, n: number): void {
    const c = this.#counts;
    if (outcome.kind === "orders") {
      if (!this.#ordersHeard) {
        c.inFlight -= n;
        c.planned += n;
        return;
      }
      // The same order again (a plan made on the same state gives the same cloid): its trades join it.
      for (const cloid of outcome.cloids) {
        const known = this.#groups.get(cloid);
        if (known) {
          known.trades += n;
          return;
        }
      }
      const g: Group = { trades: n, open: new Set(outcome.cloids), heard: false };
      for (const cloid of outcome.cloids) this.#groups.set(cloid, g);
      this.#unheard.add(g);
      return;
    }
    c.inFlight -= n;
    if (outcome.kind === "in-line") c.inLine += n;
    else {
      c.skipped += n;
      c.skippedBy[outcome.reason] = (c.skippedBy[outcome.reason] ?? 0) + n;
    }
  }

  #settle(g: Group, bucket: "copied" | "missed"): void {
    for (const cloid of g.open) this.#groups.delete(cloid);
    g.open.clear();
    this.#unheard.delete(g);
    if (g.trades === 0) return;
    this.#counts.inFlight -= g.trades;
    this.#counts[bucket] += g.trades;
    g.trades = 0;
  }
}

/** The buckets of `counts` add up to its `leaderTrades` (the invariant every view relies on). */
export function tradesAddUp(counts: LeaderTradeCounts): boolean {
  const skippedBy = Object.values(counts.skippedBy).reduce((s, n) => s + n, 0);
  return (
    skippedBy === counts.skipped &&
    counts.copied + counts.inLine + counts.skipped + counts.missed + counts.planned + counts.inFlight ===
      counts.leaderTrades
  );
}
