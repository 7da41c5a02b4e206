// A copy too small to hold anything: every position the leaders hold that the copy sizes is
// under the exchange's $10 minimum order at this run's size (or under exec.minOrderUsd), and
// the account holds none of them. Each coin is skipped as routine (`below-min-notional`: drift
// tolerated), so the plan read "in sync: nothing to do" — run after run, the copy holding
// nothing while the leader held thousands. Pure: the engine refuses such a run at its start
// (engine/start-checks.ts tooSmallRefusal), before a key is opened or an order sent.

import { LEFT_ALONE_REASONS, MIN_ORDER_USD } from "./drift.js";
import { entryParams } from "./entry.js";
import { detailNumber, fmtUsd } from "./format.js";
import { SCALE_KEY } from "./review.js";
import { lotsToSize } from "./rounding.js";
import { flagName, type Settings, settingSpec, sizingText } from "./settings.js";
import type { CoinTarget, Markets, Plan, ReasonCode } from "./types.js";

/** The skips that say "under the minimum order at this size" and nothing else. */
const BELOW_MIN: ReadonlySet<ReasonCode> = new Set<ReasonCode>(["below-min-notional", "below-min-order"]);
/** Coins the settings leave out: not the copy's to hold (a not-ours position is one we hold). */
const NOT_THE_COPYS: ReadonlySet<ReasonCode> = new Set<ReasonCode>([
  ...LEFT_ALONE_REASONS,
  "unknown-market",
  "negative-edge",
]);

export interface TooSmallCopy {
  /** The coins the leaders hold that the copy sizes, each with its target's value (USD), largest first. */
  coins: { coin: string; targetUsd: number }[];
  /** The smallest order the coins are held to: the exchange's $10, or exec.minOrderUsd when above it. */
  minOrderUsd: number;
  /** How many leaders the plan sized from. */
  leaders: number;
  /**
   * How many times larger the copy's sizing must be for one of its targets to reach
   * `minOrderUsd` in whole lots at the order's limit price (the coin that needs the least).
   */
  scaleUp: number;
}

/**
 * The copy `plan` holds nothing of, and can open nothing of, because every target is under the
 * minimum order; else null.
 *
 * Only positions a larger copy could take count: a leader's own position worth less than the
 * minimum (dust left after a close) is copied as flat at any size, and a run with nothing else
 * is a flat leader's run. Coins the settings leave out (the coin lists, not joined, kelly not
 * copying) are not the copy's. Any other reason on a coin (a cap, a gate, a halt, a backoff), a
 * position we hold, an order or a cancel: the copy is doing something, and null.
 */
export function tooSmallCopy(plan: Plan, settings: Settings, markets: Markets): TooSmallCopy | null {
  if (plan.actions.length > 0 || (plan.cancels?.length ?? 0) > 0) return null;
  const reasons = new Map<string, ReasonCode[]>();
  for (const s of plan.skipped) reasons.set(s.coin, [...(reasons.get(s.coin) ?? []), s.reason]);
  const minOrderUsd = entryParams(settings).minOrderUsd;
  // An order's value is taken at its worst price: a sell's limit, under the bid (planner.ts limitPrice).
  const worst = 1 - settings.exec.slippageBps / 10_000;
  const coins: TooSmallCopy["coins"] = [];
  let scaleUp = Number.POSITIVE_INFINITY;
  for (const t of plan.targets) {
    if (t.ourSize !== 0) return null;
    const why = reasons.get(t.coin) ?? [];
    if (why.length === 0 || why.every((r) => NOT_THE_COPYS.has(r))) continue;
    if (!why.every((r) => BELOW_MIN.has(r))) return null;
    const market = markets[t.coin];
    if (!market || !(leaderSize(t) * t.mid >= MIN_ORDER_USD)) continue;
    const raw = rawTargetSize(t, plan);
    coins.push({ coin: t.coin, targetUsd: raw * t.mid });
    const lot = lotsToSize(1, market.szDecimals);
    const px = Math.min(t.mid, market.bestBid ?? t.mid) * worst;
    const needed = Math.ceil(minOrderUsd / (lot * px) - 1e-9) * lot;
    if (raw > 0) scaleUp = Math.min(scaleUp, needed / raw);
  }
  if (coins.length === 0) return null;
  coins.sort((a, b) => b.targetUsd - a.targetUsd);
  const leaders = Math.max(1, Object.keys(plan.leaderRatios ?? {}).length);
  return { coins, minOrderUsd, leaders, scaleUp };
}

/** The largest position one leader holds in the coin (several: each its own, not what they net to). */
function leaderSize(t: CoinTarget): number {
  if (!t.byLeader) return Math.abs(t.leaderSize);
  return t.byLeader.reduce((max, l) => Math.max(max, Math.abs(l.size)), 0);
}

/**
 * A coin's target before rounding to its lot, as a size: its rounded target when it is at least
 * a lot (rounding cut it by less than a lot: the scale from it is at most a lot's worth high),
 * else the leaders' positions at the run's ratios.
 */
function rawTargetSize(t: CoinTarget, plan: Plan): number {
  if (t.targetSize !== 0) return Math.abs(t.targetSize);
  const ratios = plan.leaderRatios ?? {};
  const sized = t.byLeader
    ? t.byLeader.reduce((sum, l) => sum + (ratios[l.leader] ?? 0) * l.size, 0)
    : t.leaderSize * plan.effectiveRatio;
  return Math.abs(sized);
}

/** The refusal's words: what the copy would hold, and the way forward for this sizing mode. */
export function tooSmallText(
  found: TooSmallCopy,
  settings: Settings,
  paper = false,
): { message: string; hint: string } {
  const shown = found.coins.slice(0, 3).map((c) => `${c.coin} ${fmtUsd(c.targetUsd)}`);
  const more = found.coins.length > 3 ? ` and ${found.coins.length - 3} more` : "";
  const min =
    found.minOrderUsd > MIN_ORDER_USD
      ? `exec.minOrderUsd ($${detailNumber(found.minOrderUsd)})`
      : `the exchange's $${MIN_ORDER_USD} minimum order`;
  const who = found.leaders > 1 ? "the leaders hold" : "the leader holds";
  const message = `at ${sizingText(settings) ?? "this size"}, every position ${who} is under ${min} (targets ${shown.join(", ")}${more}), and the account holds none of them: the copy would hold nothing`;
  const mode = settings.sizing.mode;
  const key = SCALE_KEY[mode];
  const factor = found.scaleUp;
  const times = detailNumber(roundUp(factor));
  const ways: string[] = [];
  if (key && Number.isFinite(factor)) {
    const spec = settingSpec(key);
    const now = Number(
      settings.sizing[key.slice("sizing.".length) as keyof Settings["sizing"]] ?? spec.default,
    );
    const wanted = roundUp(now * factor);
    const max = spec.kind.type === "number" ? spec.kind.max : undefined;
    if (Number.isFinite(wanted) && (max === undefined || wanted <= max))
      ways.push(`size the copy about ${times}× larger (--${flagName(key)} ${detailNumber(wanted)})`);
  }
  // The modes sized from our equity grow with it; fixed-ratio and fixed-notional do not.
  if (mode !== "fixed-ratio" && mode !== "fixed-notional" && Number.isFinite(factor))
    ways.push(
      paper
        ? `a larger --paper-equity (about ${times}× this one)`
        : `fund the account (about ${times}× its equity)`,
    );
  if (found.minOrderUsd > MIN_ORDER_USD) ways.push(`lower --${flagName("exec.minOrderUsd")}`);
  ways.push("copy a leader whose positions are larger");
  return { message, hint: ways.join(", or ") };
}

/** Up to two significant figures, rounded up: a suggestion that reaches the minimum, not one a cent under. */
function roundUp(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return x;
  const step = 10 ** (Math.floor(Math.log10(x)) - 1);
  return Number((Math.ceil(x / step - 1e-9) * step).toPrecision(2));
}
