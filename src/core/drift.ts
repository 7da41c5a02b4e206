// Drift: one meaning everywhere — the dashboard's header and rows, "in sync", the sweep event,
// `status`, `reconcile`'s report and exit code, the run summary, alerts and metrics all read it
// from driftReport().
//
// A coin's drift is (target − ours) × mid, signed: what the copy still has to buy (+) or sell
// (−). Each coin the plan looked at gets one status:
// * `in-sync`     |drift| under a cent;
// * `tolerated`   drift the copy leaves on purpose: inside the deadband (max($10, deadbandPct %
//                 of the target)), under the $10 minimum, a cap's cut, stopped-out;
// * `drift`       an order is planned for it (outside the deadband, or a full close);
// * `blocked`     a gate keeps drift the copy wants to trade (entry-drift, backoff, an order in
//                 flight, a halt, a stale leader, a delisted coin, leverage not set);
// * `left-alone`  a position hlcopy does not size — a denied or not-allowed coin, not joined
//                 (new-only), kept by entry-only, or changed outside hlcopy (not-ours). It has
//                 no copy target, so no drift figure (null, never 0: 0 would read "in sync")
//                 and it is outside the total.
//                 Settings leave the first four alone on purpose (in sync); a not-ours position
//                 is an anomaly a human must settle (--adopt it or --deny-coins it), so the copy
//                 is not in sync while one is there.
//                 A coin blocked because there is nothing to size from (NO_TARGET_REASONS: the
//                 leader's equity net of cash flows ≤ 0, or ours ≤ 0) has no target either: its target and
//                 drift are null (shown "-"), never our own size and $0 — and it is not in sync.
// The copy is in sync when no coin is `drift` or `blocked` and no position is not-ours (the
// planner's `inSync` says the same: no action and no drift-keeping skip). The total is
// Σ|drift| over the coins hlcopy sizes, each coin's to the cent as its row shows it (the total
// is the sum of the rows as shown); `outsideUsd` is the part in `drift` and `blocked` coins.
//
// Drift % is the drift over the target's notional (|target| × mid). At a target of 0 (we hold
// what the copy closes) it is undefined — the whole position is drift — and shown as "closing",
// never ±100 %: the USD drift says how much. Every view asks driftPct() and shows it the same.

import { fmtAge, fmtUsd, listed, roundHalfAway } from "./format.js";
import { CAP_REASONS, keepsDrift } from "./reasons.js";
import type { CoinTarget, ReasonCode, SkippedAction } from "./types.js";

export type DriftStatus = "in-sync" | "tolerated" | "drift" | "blocked" | "left-alone";

/** Skips that mean "hlcopy does not manage this position" (its drift is not the copy's). */
export const LEFT_ALONE_REASONS: ReadonlySet<ReasonCode> = new Set<ReasonCode>([
  "not-ours",
  "coin-denied",
  "coin-not-allowed",
  "not-joined",
  "entry-only",
]);

/**
 * Skips that mean "no target can be computed" (nothing to size from): blocked — the copy is not
 * in sync — but with no target and no drift figure (null, shown "-"). The planner keeps such a
 * coin's targetSize at our own size (caps still count the position); shown, that read as
 * "hlcopy wants what it holds", even against the leader's side.
 */
export const NO_TARGET_REASONS: ReadonlySet<ReasonCode> = new Set<ReasonCode>([
  "leader-no-equity",
  "no-equity",
]);

export interface CoinDrift {
  coin: string;
  /** (target − ours) × mid, signed (USD); null for a position left alone or a coin with no target. */
  driftUsd: number | null;
  status: DriftStatus;
  /** The skip behind `tolerated`, `blocked` or `left-alone` (null for in-sync / drift without one). */
  reason: ReasonCode | null;
}

export interface DriftReport {
  /** One entry per target, in the targets' order. */
  coins: CoinDrift[];
  /** Σ |drift| over the coins hlcopy sizes (left-alone excluded), USD, each coin's to the cent. */
  driftUsd: number;
  /** Σ |drift| over the `drift` and `blocked` coins, USD, each coin's to the cent (as the rows show it). */
  outsideUsd: number;
  /** No coin in `drift` or `blocked`, and no not-ours position. */
  inSync: boolean;
}

/** The exchange's minimum order value (USD): no order below it, so no deadband below it either. */
export const MIN_ORDER_USD = 10;

/**
 * The deadband of a coin in USD: max($10, deadbandPct % of the target's notional). The planner
 * puts it on every target (CoinTarget.deadbandUsd); views read it there, never recompute it.
 */
export function deadbandUsd(targetSize: number, mid: number, deadbandPct: number): number {
  const band = (deadbandPct / 100) * Math.abs(targetSize) * (Number.isFinite(mid) ? mid : 0);
  return Math.max(MIN_ORDER_USD, Number.isFinite(band) ? band : 0);
}

/** Under a cent: nothing to see. */
const CENT = 0.005;

export interface DriftInput {
  targets: readonly CoinTarget[];
  skipped: readonly Pick<SkippedAction, "coin" | "reason">[];
  /** Coins the plan has an order for. */
  actionCoins: Iterable<string>;
}

/** The status of every coin and the copy's drift, from a plan (or the engine's merged view of its plans). */
export function driftReport(input: DriftInput): DriftReport {
  const skips = new Map<string, ReasonCode[]>();
  for (const s of input.skipped) {
    const list = skips.get(s.coin) ?? [];
    list.push(s.reason);
    skips.set(s.coin, list);
  }
  const acting = new Set(input.actionCoins);
  const coins: CoinDrift[] = [];
  let total = 0;
  let outside = 0;
  let inSync = true;
  const seen = new Set<string>();
  const judge = (coin: string, driftUsd: number): CoinDrift => {
    const reasons = skips.get(coin) ?? [];
    const leave = reasons.find((r) => LEFT_ALONE_REASONS.has(r));
    const block = reasons.find((r) => keepsDrift(r));
    if (leave && !acting.has(coin)) return { coin, driftUsd: null, status: "left-alone", reason: leave };
    if (block)
      return {
        coin,
        driftUsd: NO_TARGET_REASONS.has(block) ? null : driftUsd,
        status: "blocked",
        reason: block,
      };
    if (acting.has(coin)) return { coin, driftUsd, status: "drift", reason: null };
    if (Math.abs(driftUsd) < CENT) return { coin, driftUsd, status: "in-sync", reason: null };
    return { coin, driftUsd, status: "tolerated", reason: reasons[0] ?? "inside-deadband" };
  };
  const add = (c: CoinDrift) => {
    coins.push(c);
    seen.add(c.coin);
    if (c.status === "left-alone") {
      if (c.reason !== null && keepsDrift(c.reason)) inSync = false;
      return;
    }
    // Each coin's |drift| as the views show it, to the cent: the totals are the sums of the
    // rows' figures as shown. Summed unrounded, three rows of $10.01 (10.005 each) read beside
    // a header of `drift $30.02`.
    const abs = roundHalfAway(Math.abs(c.driftUsd !== null && Number.isFinite(c.driftUsd) ? c.driftUsd : 0));
    total += abs;
    if (c.status === "drift" || c.status === "blocked") {
      outside += abs;
      inSync = false;
    }
  };
  for (const t of input.targets) add(judge(t.coin, t.driftUsd));
  // A coin with an order or a blocking skip but no target (should not happen): still not in sync.
  for (const coin of new Set([...acting, ...skips.keys()])) {
    if (seen.has(coin)) continue;
    const c = judge(coin, 0);
    if (c.status === "drift" || c.status === "blocked") add(c);
  }
  return { coins, driftUsd: total, outsideUsd: outside, inSync };
}

/**
 * A coin a halt keeps flat: the planner's target under a halt is 0, so a coin we do not hold
 * (a flatten closed it) but the leader does is `blocked` by `halted` with $0.00 of drift. Its
 * gate holds no drift — it keeps the leader's position from being opened — so the verdict says
 * that ("halted · not opened: ETH, SOL"), never "drift $0.00 · blocked: ETH halted, SOL halted"
 * (a drift of nothing held by a gate read as a contradiction beside zero targets).
 */
function haltedFlat(c: CoinDrift): boolean {
  return (
    c.status === "blocked" &&
    c.reason === "halted" &&
    c.driftUsd !== null &&
    roundHalfAway(Math.abs(c.driftUsd)) < 0.01
  );
}

/**
 * The verdict's parts, shared by its line and its compact form: the drift figure (or "not in
 * sync" / "halted" when no dollar is outside), the gates that hold drift, the coins a halt keeps
 * from being opened, the positions left alone. `names`: every coin's name, or counts.
 */
function verdictParts(r: DriftReport, names: boolean): string[] {
  const drifting = r.coins.filter((c) => c.status === "drift").map((c) => c.coin);
  const flat = r.coins.filter(haltedFlat).map((c) => c.coin);
  const blocked = r.coins.filter((c) => c.status === "blocked" && !haltedFlat(c));
  const alone = leftAlone(r);
  const parts: string[] = [];
  // A blocked coin with no target (nothing to size from) has no drift figure to say, nor has a
  // coin a halt keeps flat ($0.00: its gate holds nothing).
  const figured = blocked.some((c) => c.driftUsd !== null && roundHalfAway(Math.abs(c.driftUsd)) >= 0.01);
  const coinsText = names
    ? ` (${drifting.join(", ")})`
    : ` (${drifting.length} coin${drifting.length === 1 ? "" : "s"})`;
  if (drifting.length > 0 || figured || roundHalfAway(r.outsideUsd) >= 0.01) {
    parts.push(`drift ${fmtUsd(r.outsideUsd)}${drifting.length > 0 ? coinsText : ""}`);
  } else if (flat.length === 0) parts.push("not in sync");
  if (blocked.length > 0)
    parts.push(
      names
        ? `blocked: ${blocked.map((c) => `${c.coin} ${c.reason}`).join(", ")}`
        : `${blocked.length} blocked`,
    );
  if (flat.length > 0)
    parts.push(names ? `halted · not opened: ${flat.join(", ")}` : `halted · ${flat.length} not opened`);
  if (alone.length > 0)
    parts.push(
      names
        ? `left alone: ${alone.map((c) => `${c.coin} ${c.reason}`).join(", ")}`
        : `${alone.length} left alone`,
    );
  return parts;
}

/**
 * One line for a header or `status`: "in sync", "in sync · $12.30 tolerated inside the deadband",
 * "drift $73.77 (BTC, ETH)", "… · blocked: ETH backoff", "not in sync · left alone: DOGE not-ours,
 * ETH coin-denied", "halted · not opened: ETH, SOL" (a halt keeping flat coins the leader
 * holds: after a flatten). Its "left alone" names every position the rows show as left alone
 * (the not-ours among them are what keeps the copy out of sync), never a part of them.
 */
export function driftText(r: DriftReport): string {
  const tolerated = r.driftUsd - r.outsideUsd;
  if (r.inSync)
    return roundHalfAway(tolerated) >= 0.01
      ? `in sync · ${fmtUsd(tolerated)} tolerated ${toleratedWhy(r)}`
      : "in sync";
  return verdictParts(r, true).join(" · ");
}

/**
 * The drift of a report without its coins — a sweep's line, the header before any state, a
 * status from the last sweep alone: "in sync", "in sync ($3.37 tolerated)", "drift $73.77". The
 * figure is driftText's (the part in `drift` and `blocked` coins), never the total with the
 * tolerated part in it: "drift $X" says one figure wherever it is shown.
 */
export function driftFigureText(r: Pick<DriftReport, "inSync" | "driftUsd" | "outsideUsd">): string {
  // Out of sync with no dollars outside (a position changed outside hlcopy, a coin with nothing
  // to size from): said as driftText says it, never "drift $0.00".
  if (!r.inSync) return roundHalfAway(r.outsideUsd) >= 0.01 ? `drift ${fmtUsd(r.outsideUsd)}` : "not in sync";
  const tolerated = r.driftUsd - r.outsideUsd;
  return roundHalfAway(tolerated) >= 0.01 ? `in sync (${fmtUsd(tolerated)} tolerated)` : "in sync";
}

/**
 * Why the tolerated drift is left, in words: "inside the deadband", "under the exchange's $10
 * minimum order", "cut by a cap", … — each cause among the tolerated coins once, in the order
 * below. The header said "inside the deadband" for all of it, while most of a small copy's
 * tolerated drift is orders under the minimum, which no deadband setting changes.
 */
function toleratedWhy(r: DriftReport): string {
  const causes = new Set<string>();
  for (const c of r.coins) {
    if (c.status !== "tolerated" || c.driftUsd === null || roundHalfAway(Math.abs(c.driftUsd)) < 0.01)
      continue;
    const reason = c.reason ?? "inside-deadband";
    causes.add(TOLERATED_WORDS.get(reason) ?? (CAP_REASONS.has(reason) ? CUT_BY_CAP : reason));
  }
  const order = [...TOLERATED_WORDS.values(), CUT_BY_CAP];
  const said = [...causes].sort((a, b) => rank(order, a) - rank(order, b));
  return said.length > 0 ? listed(said) : "inside the deadband";
}

const CUT_BY_CAP = "cut by a cap";
/** The words of each tolerated cause (a cap's, CAP_REASONS, are one: CUT_BY_CAP). */
const TOLERATED_WORDS: ReadonlyMap<ReasonCode, string> = new Map<ReasonCode, string>([
  ["inside-deadband", "inside the deadband"],
  ["below-min-notional", `under the exchange's $${MIN_ORDER_USD} minimum order`],
  ["below-min-order", "under exec.minOrderUsd"],
  ["stopped-out", "stopped out"],
  ["max-positions", "at risk.maxPositions"],
  ["copy-delay", "waiting out the copy delay"],
  ["reversed-after-delay", "reversed within the copy delay"],
  ["outside-trading-hours", "outside exec.tradingHours"],
  ["leader-leverage", "over risk.leaderMaxLeverage"],
  ["leader-new-coin", "a coin new to the leader"],
  ["negative-edge", "not copied by kelly"],
  ["paused", "paused"],
  ["stopping", "stopping"],
]);
const rank = (order: readonly string[], words: string): number => {
  const i = order.indexOf(words);
  return i < 0 ? order.length : i;
};

/** The coins a view shows as left alone (status `left-alone`), in the report's order. */
function leftAlone(r: DriftReport): CoinDrift[] {
  return r.coins.filter((c) => c.status === "left-alone");
}

/**
 * How fresh the data behind a drift report is, as the engine judges it: the last moment a
 * stream message or a sweep brought the exchange's state (`freshAt`), the engine's staleness
 * window (`staleMs`: the one that blocks a stale leader's increases), and when the copy was last
 * in sync on fresh data (null: not in this run).
 */
export interface Freshness {
  freshAt: number;
  staleMs: number;
  lastInSyncAt: number | null;
}

/** The copy's verdict: in sync or not, in words (a line and its compact form). */
export interface SyncVerdict {
  inSync: boolean;
  text: string;
  short: string;
}

/**
 * THE verdict every view says (dashboard header, state line, event records): the drift
 * report's, unless the data behind it is older than the staleness window — the exchange
 * unreachable, a stream reconnecting, the sweeps failing. Then it is not "in sync" (nobody
 * knows): "stale 1m · last in sync 34s ago", or "stale 1m · not in sync at the last read".
 */
export function syncVerdict(r: DriftReport, now: number, freshness?: Freshness | null): SyncVerdict {
  if (freshness && now - freshness.freshAt > freshness.staleMs) {
    const stale = `stale ${fmtAge(now - freshness.freshAt)}`;
    const last =
      freshness.lastInSyncAt !== null
        ? `last in sync ${fmtAge(now - freshness.lastInSyncAt)} ago`
        : "not in sync at the last read";
    return { inSync: false, text: `${stale} · ${last}`, short: `${stale} · ${last}` };
  }
  return { inSync: r.inSync, text: driftText(r), short: driftTextShort(r) };
}

/**
 * driftText's compact form, for a line too narrow for every coin's name and block: the same
 * figure, counts instead of names — "in sync", "drift $278.83 (3 coins)", "drift $278.83 ·
 * 3 blocked", "halted · 3 not opened", "… · 2 left alone" (as many as the rows show left alone).
 */
export function driftTextShort(r: DriftReport): string {
  if (r.inSync) return "in sync";
  return verdictParts(r, false).join(" · ");
}

/**
 * The leader's position in USD as every view shows it (the dashboard's `leader $`, status and
 * --json `leaderUsd`): its size valued at the mid — the mid of the view's moment, the one our
 * uPnL is valued at. With several leaders, their net position's (CoinTarget.leaderSize). Null
 * when no leader holds the coin (shown "-", as the size is: nothing held is no figure) or no mid
 * is known; 0 when several hold it and their sizes net to 0 (`held`: leadersHold).
 */
export function leaderValueUsd(
  leaderSize: number,
  mid: number | null | undefined,
  held = false,
): number | null {
  if ((leaderSize === 0 && !held) || !Number.isFinite(leaderSize)) return null;
  if (mid === null || mid === undefined || !Number.isFinite(mid) || mid <= 0) return null;
  return leaderSize * mid;
}

/**
 * A leader holds the coin: its net size is not 0, or (several leaders) one holds it though
 * their sizes net to 0 — shown "0", not "-" (which says none holds it).
 */
export function leadersHold(t: { leaderSize: number; byLeader?: readonly { size: number }[] }): boolean {
  return t.leaderSize !== 0 || (t.byLeader?.length ?? 0) > 0;
}

/**
 * The targets valued at one price snapshot (`mids`: coin → mid, the moment a view shows): each
 * coin's `mid` the snapshot's, its drift (target − ours) × that mid and its deadband at that mid
 * (max($10, deadbandPct % of the target's notional)). A plan values its targets at the mids it
 * was made at, which may be a sweep old by the time a view shows them beside the leader $ and
 * uPnL of now: shown together, every figure of a row is of the one mid. Sizes and the plan's
 * judgement (status, reason) are the plan's; a coin with no mid in the snapshot keeps its own.
 */
export function valueTargetsAt(
  targets: readonly CoinTarget[],
  mids: Readonly<Record<string, number>>,
  deadbandPct: number,
): CoinTarget[] {
  return targets.map((t) => {
    const mid = mids[t.coin];
    if (mid === undefined || !Number.isFinite(mid) || mid <= 0 || mid === t.mid) return t;
    return {
      ...t,
      mid,
      driftUsd: (t.targetSize - t.ourSize) * mid,
      deadbandUsd: deadbandUsd(t.targetSize, mid, deadbandPct),
    };
  });
}

/** A coin's judgement as views keep it (a journal's older records may have no reason). */
export type Judged = { status: DriftStatus; reason?: ReasonCode | string | null } | null | undefined;

/** The coin has no copy target: a position left alone, or nothing to size from (NO_TARGET_REASONS). */
function noTarget(judged: Judged): boolean {
  if (!judged) return false;
  return (
    judged.status === "left-alone" ||
    (judged.status === "blocked" && NO_TARGET_REASONS.has(judged.reason as ReasonCode))
  );
}

/**
 * The copy target a view shows for a coin: null (no target) for a position left alone or a
 * coin with nothing to size from. The planner keeps such a coin's targetSize at our own size,
 * so caps still count the position; shown under "target" it would read as "hlcopy wants this".
 * Every view (dashboard, status, reconcile, the state event) asks here; no judgement (an older
 * journal) shows the target.
 */
export function shownTarget(targetSize: number, judged: Judged): number | null {
  return noTarget(judged) ? null : targetSize;
}

/**
 * The drift figure a view shows for a coin: null (no figure) where shownTarget has none. The
 * planner's target for it is our own size, so its driftUsd is 0 — shown, that reads "in sync".
 * Every view and JSON document asks here, as for shownTarget.
 */
export function shownDrift(driftUsd: number, judged: Judged): number | null {
  return noTarget(judged) ? null : driftUsd;
}

/**
 * The target is 0 and we hold some: the copy closes what the leader closed (or no longer
 * copies). Its drift % is undefined — the whole position is drift — and views say "closing".
 */
export function driftClosing(driftUsd: number | null, targetSize: number | null): boolean {
  return targetSize === 0 && driftUsd !== null && Number.isFinite(driftUsd) && Math.abs(driftUsd) >= CENT;
}

/**
 * Drift as a percentage of the target's notional (|target| × mid). Null when undefined: at a
 * target of 0 (a % of nothing: "closing" while we hold some, "-" when neither holds any —
 * 0.0 % beside a halted row's $0.00 read as a measured figure), without a drift figure (left alone)
 * or a mid. One definition for the dashboard, `status` and --json.
 */
export function driftPct(
  driftUsd: number | null,
  targetSize: number | null,
  mid: number | null,
): number | null {
  if (driftUsd === null || targetSize === null || !Number.isFinite(driftUsd)) return null;
  if (targetSize === 0) return null;
  if (mid === null || !(mid > 0)) return null;
  return (driftUsd / (Math.abs(targetSize) * mid)) * 100;
}

/** "left alone: BTC not-ours, ETH coin-denied" or "" when none. */
export function leftAloneText(r: DriftReport): string {
  const coins = leftAlone(r);
  return coins.length === 0 ? "" : `left alone: ${coins.map((c) => `${c.coin} ${c.reason}`).join(", ")}`;
}

/** leftAloneText's compact form: "2 left alone", or "" when none. */
export function leftAloneShort(r: DriftReport): string {
  const n = leftAlone(r).length;
  return n === 0 ? "" : `${n} left alone`;
}

/** A plan's view, merged over hot-path plans of some coins (the engine keeps one). */
export interface PlanView {
  targets: CoinTarget[];
  skipped: SkippedAction[];
  actionCoins: string[];
}

export function emptyPlanView(): PlanView {
  return { targets: [], skipped: [], actionCoins: [] };
}

/**
 * The view after a plan: a full plan (no `coins`) replaces it; a hot-path plan of `coins`
 * replaces only those coins' targets, skips and orders.
 */
export function mergePlanView(
  prev: PlanView,
  plan: {
    targets: readonly CoinTarget[];
    skipped: readonly SkippedAction[];
    actions: readonly { coin: string }[];
  },
  coins?: readonly string[],
): PlanView {
  const fresh: PlanView = {
    targets: [...plan.targets],
    skipped: [...plan.skipped],
    actionCoins: [...new Set(plan.actions.map((a) => a.coin))],
  };
  if (!coins) return fresh;
  const replaced = new Set<string>([...coins, ...plan.targets.map((t) => t.coin)]);
  const targets = [...prev.targets.filter((t) => !replaced.has(t.coin)), ...fresh.targets].sort((a, b) =>
    a.coin < b.coin ? -1 : a.coin > b.coin ? 1 : 0,
  );
  return {
    targets,
    skipped: [...prev.skipped.filter((s) => !replaced.has(s.coin)), ...fresh.skipped],
    actionCoins: [...prev.actionCoins.filter((c) => !replaced.has(c)), ...fresh.actionCoins],
  };
}
