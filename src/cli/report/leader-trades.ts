// `report`'s leader trades: each run's journal replayed through the tally follow's views use
// (core/leader-trades.ts LeaderTradeTally) — its leader fills, its decisions (with how many of
// those fills each plan was made after) and its orders' outcomes — so a run's trades land in the
// same buckets, under the same words, as its closing summary said. Runs journaled before hlcopy
// kept the leader's fills (schema 13) are not replayed: on their days the figures are the other
// runs', and those runs are named as not known.

import { type LeaderTradeCounts, LeaderTradeTally, type TradeOrderStatus } from "../../core/leader-trades.js";
import { dayOf } from "../../core/report.js";
import type { Plan } from "../../core/types.js";
import type { Journal } from "../../store/journal.js";

export interface ReportTrades {
  /** The window's leader trades, by the UTC day of each one's first fill. */
  byDay: Map<string, LeaderTradeCounts>;
  /** Days a run whose leader trades are known overlaps (its count there may be 0). */
  knownDays: Set<string>;
  /** Each day's runs whose leader trades are not known (journaled before schema 13), by id. */
  notKnownByDay: Map<string, number[]>;
  /** Those runs' ids. */
  notKnownRuns: number[];
}

const DAY_MS = 86_400_000;
const NO_PLAN: Pick<Plan, "actions" | "skipped"> = { actions: [], skipped: [] };

/**
 * The leader trades of the runs overlapping [since, until], each counted in the UTC day of its
 * first fill (those first told outside the window: in none).
 */
export function replayLeaderTrades(journal: Journal, since: number, until: number): ReportTrades {
  const out: ReportTrades = {
    byDay: new Map(),
    knownDays: new Set(),
    notKnownByDay: new Map(),
    notKnownRuns: [],
  };
  for (const run of journal.tradeRuns(since, until)) {
    const from = Math.max(run.startedAt, since);
    const to = Math.min(run.endedAt ?? until, until);
    const days: string[] = [];
    for (let t = Math.floor(from / DAY_MS) * DAY_MS; t <= to; t += DAY_MS) days.push(dayOf(t));
    if (!run.leaderTradesKept) {
      out.notKnownRuns.push(run.id);
      for (const day of days) out.notKnownByDay.set(day, [...(out.notKnownByDay.get(day) ?? []), run.id]);
      continue;
    }
    for (const day of days) out.knownDays.add(day);
    const counts = replayRun(journal, run.id, since, until, run.endedAt !== null);
    for (const [day, c] of counts) {
      if (day === "") continue;
      out.byDay.set(day, add(out.byDay.get(day), c));
    }
  }
  return out;
}

/** One run's leader trades by day ("": first told outside the window). */
function replayRun(
  journal: Journal,
  runId: number,
  since: number,
  until: number,
  ended: boolean,
): Map<string, LeaderTradeCounts> {
  const tally = new LeaderTradeTally({ ordersHeard: true, keyed: true });
  const fills = journal.leaderFillsOf(runId);
  let next = 0;
  const feed = (upTo: number) => {
    while (next < fills.length && (fills[next]?.seq ?? 0) <= upTo) {
      const f = fills[next++];
      if (!f) break;
      tally.leaderFill(f.leader, f.oid, f.coin, f.ts >= since && f.ts <= until ? dayOf(f.ts) : "", f.seq);
    }
  };
  for (const d of journal.tradeDecisionsOf(runId)) {
    if (d.leaderSeen !== null) feed(d.leaderSeen);
    // A plan is read only when it may decide a trade: a busy follow's sweeps mostly decide none.
    const plan = tally.undecided() ? journal.planOf(d.id) : null;
    const decides = d.leaderSeen !== null && plan !== null;
    tally.decision({
      coins: !decides ? [] : d.trigger === "fill" ? d.coins : "all",
      seen: d.leaderSeen ?? 0,
      plan: plan ?? NO_PLAN,
      held: d.held,
      // A sweep journals no coins: its plan's targets are the coins it planned on.
      planned: d.coins.length > 0 ? d.coins : (plan?.targets.map((t) => t.coin) ?? []),
    });
    // Its orders' outcomes as the journal has them now (the last word the run, or a later
    // run's recovery, wrote): an intent never sent is `pending` — its outcome not known.
    for (const a of plan?.actions ?? []) {
      const o = journal.orderOutcome(a.cloid);
      if (!o) continue;
      const status: TradeOrderStatus = o.status === "pending" ? "uncertain" : o.status;
      tally.order(a.cloid, status, o.filledSize, o.error);
    }
  }
  feed(Number.POSITIVE_INFINITY);
  // A run that ended in order told its views its stop (the trades it had not decided on are
  // skipped `stopping`); one that never ended (it crashed, or runs still) leaves them in flight.
  if (ended) tally.stopped();
  return tally.countsBy();
}

function add(a: LeaderTradeCounts | undefined, b: LeaderTradeCounts): LeaderTradeCounts {
  if (!a) return b;
  const skippedBy = { ...a.skippedBy };
  for (const [r, n] of Object.entries(b.skippedBy)) skippedBy[r] = (skippedBy[r] ?? 0) + n;
  return {
    leaderTrades: a.leaderTrades + b.leaderTrades,
    copied: a.copied + b.copied,
    inLine: a.inLine + b.inLine,
    skipped: a.skipped + b.skipped,
    missed: a.missed + b.missed,
    planned: a.planned + b.planned,
    inFlight: a.inFlight + b.inFlight,
    unknown: a.unknown + b.unknown,
    skippedBy,
  };
}
