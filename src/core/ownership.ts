// Which positions are hlcopy's own. hlcopy manages what it opened (or what the trader told
// it to adopt); anything else in the account — a manual trade, another bot — is refused
// before a single order, instead of being "repaired" as drift (design §6).
//
// The journal keeps a snapshot of the positions hlcopy managed at the end of its last
// sweep; what it traded since then is added from its own journaled fills. The exchange may
// shrink a position on its own (liquidation, a resting stop, a manual close): that is never
// foreign. Growing it, flipping it or opening a coin hlcopy does not manage is.

import { detailNumber } from "./format.js";
import type { Settings } from "./settings.js";
import type { AccountState, Markets, OpenOrder, Positions } from "./types.js";

/** coin → signed size hlcopy manages. */
export type ManagedPositions = Record<string, number>;

export interface ForeignPosition {
  coin: string;
  /** The account's signed size now. */
  size: number;
  /** The signed size hlcopy manages in that coin (0 = none). */
  managed: number;
}

/**
 * What of a position was made outside hlcopy (by hand, another bot), as every message says it —
 * the start's refusal, the warning during a run, adoption, the journal: the part by hand
 * (size − managed, signed), not the whole position. "SOL +0.5 (of +1.5; hlcopy's +1)" when
 * hlcopy holds part of it, "DOGE +100" when it holds none.
 */
export function foreignText(f: { coin: string; size: number; managed: number }): string {
  return `${f.coin} ${foreignPart(f)}`;
}

/** foreignText without the coin: "+0.5 (of +1.5; hlcopy's +1)", "+100". */
export function foreignPart(f: { size: number; managed: number }): string {
  const signed = (x: number) => `${x > 0 ? "+" : ""}${detailNumber(x)}`;
  // Sizes have at most 8 decimals; a float difference (or a sum of fills) leaves dust: what
  // hlcopy manages of a position it opened and closed read "hlcopy's +1.735e-18".
  const dust = (x: number) => Math.round(x * 1e8) / 1e8;
  const hand = dust(f.size - f.managed);
  const managed = dust(f.managed);
  if (managed === 0) return signed(f.size);
  return `${signed(hand)} (of ${signed(f.size)}; hlcopy's ${signed(managed)})`;
}

/**
 * The not-ours reason in words (core/reasons.ts REASON_TEXT, the dashboard's help), true of every
 * such position: one hlcopy never opened, and one it opened that the trader grew or flipped —
 * part of that one is hlcopy's. Where a position is named, its skip says whose part is whose
 * (notOursDetail).
 */
export const NOT_OURS_TEXT =
  "position not hlcopy's, in whole or in part (opened, grown or flipped outside hlcopy): left alone";

/**
 * The skip detail of a position left alone as not-ours: the part made outside hlcopy and, when
 * hlcopy holds some of it, hlcopy's part — "our ETH position changed outside hlcopy by +0.5 (of
 * +1.5; hlcopy's +1): left alone (…)"; "our DOGE position changed outside hlcopy by +100 …"
 * when none of it is hlcopy's. Always sized: the planner learns a not-ours coin only with its
 * sizes (PlanContext.foreignPositions).
 */
export function notOursDetail(f: ForeignPosition): string {
  return `our ${f.coin} position changed outside hlcopy by ${foreignPart(f)}: left alone (restart with --adopt to manage it)`;
}

/**
 * The way to leave `coins` (positions hlcopy did not open) out of the copy under `settings`, as
 * the start's refusal offers it: the coin lists the run would need, whole — a flag replaces the
 * stored list for the run, so `--deny-coins BTC` beside a stored deny list SOL would copy SOL.
 * With an allow list (every refused coin is in it: isCoinLeftAlone) they come out of it (a deny
 * list naming them would be refused as "in both lists"); otherwise they join the deny list.
 * Under risk.closeDenied a left-out coin is closed, not left alone: closeDenied goes off too.
 * Null when no list can leave them out: an allow list of those coins alone (an empty one copies
 * every coin).
 */
export function leaveOutFlags(coins: readonly string[], settings: Settings): string | null {
  const { allowCoins, denyCoins, closeDenied } = settings.risk;
  const off = closeDenied ? " --close-denied false" : "";
  if (allowCoins.length > 0) {
    const rest = allowCoins.filter((c) => !coins.includes(c));
    return rest.length === 0 ? null : `--allow-coins ${rest.join(",")}${off}`;
  }
  const deny = [...denyCoins, ...coins.filter((c) => !denyCoins.includes(c))];
  return `--deny-coins ${deny.join(",")}${off}`;
}

/** A coin the settings tell us to leave alone (denied or not allowed, and not closed). */
export function isCoinLeftAlone(coin: string, settings: Settings): boolean {
  if (settings.risk.closeDenied) return false;
  const { allowCoins, denyCoins } = settings.risk;
  return denyCoins.includes(coin) || (allowCoins.length > 0 && !allowCoins.includes(coin));
}

/** The managed snapshot plus the signed fills hlcopy made since it was taken. */
export function managedNow(snapshot: ManagedPositions, filledSince: ManagedPositions): ManagedPositions {
  const out: ManagedPositions = { ...snapshot };
  for (const [coin, d] of Object.entries(filledSince)) out[coin] = (out[coin] ?? 0) + d;
  return out;
}

/**
 * Positions in `account` that hlcopy did not open: a coin it does not manage, more than it
 * manages on the same side, or the other side. `managed` null means hlcopy never ran live on
 * this account: every position is foreign. Coins the settings leave alone are not checked.
 * `unresolved`: what hlcopy's orders of unknown outcome may have filled on top of `managed`.
 */
export function foreignPositions(
  account: AccountState,
  managed: ManagedPositions | null,
  markets: Markets,
  settings: Settings,
  unresolved: ManagedPositions = {},
): ForeignPosition[] {
  const out: ForeignPosition[] = [];
  for (const p of Object.values(account.positions)) {
    if (!p || p.size === 0 || isCoinLeftAlone(p.coin, settings)) continue;
    const m = managed?.[p.coin] ?? 0;
    // Half a lot: sizes are multiples of the lot, float sums are not exact.
    const d = markets[p.coin]?.szDecimals;
    const tolerance = d === undefined ? 1e-9 : 0.5 * 10 ** -d;
    const within = (x: number) =>
      Math.sign(p.size) === Math.sign(x) && Math.abs(p.size) <= Math.abs(x) + tolerance;
    // Orders of unknown outcome (`unresolved`: coin → signed size they may still have filled)
    // may explain the position: it is ours against what hlcopy manages with or without them.
    if (!within(m) && !within(m + (unresolved[p.coin] ?? 0))) {
      out.push({ coin: p.coin, size: p.size, managed: m });
    }
  }
  return out.sort((a, b) => a.coin.localeCompare(b.coin));
}

/**
 * What hlcopy still manages of a coin it did not check (one the settings leave alone): what it
 * managed, but no more than the account holds on that side — a position the trader shrank or
 * closed by hand does not leave a claim on what they open there next.
 */
export function keptManaged(managed: number, size: number): number {
  if (Math.sign(managed) !== Math.sign(size)) return 0;
  return Math.sign(size) * Math.min(Math.abs(managed), Math.abs(size));
}

/** coin → signed size of every open position (a managed snapshot, a join baseline). */
export function signedSizes(positions: Positions): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of Object.values(positions)) if (p && p.size !== 0) out[p.coin] = p.size;
  return out;
}

// ---- orders hlcopy did not place ---------------------------------------------------------

/**
 * The orders resting on the account that hlcopy did not place (a limit or trigger placed in the
 * app, another bot's), by what they can do to the copy:
 * * `refused`: in a coin this run copies, one that may open or grow a position (not reduce-only,
 *   a trigger's included). Its fill changes the position outside hlcopy, and the copy leaves
 *   that coin alone (not-ours) for the rest of the run: the start refuses it, before any order.
 * * `kept`: a reduce-only one (a take-profit or stop the trader set, a reduce-only limit) — its
 *   fill only shrinks the position, which is never "outside hlcopy" (the next sweep brings it
 *   back to its target) —, and any order in a coin the settings leave alone. Said at the start.
 * `ours(cloid)`: whether hlcopy placed the order of that cloid (the journal knows it); an order
 * with no cloid is never hlcopy's. Each list in coin order.
 */
export function foreignOrders(
  openOrders: readonly OpenOrder[],
  ours: (cloid: string) => boolean,
  settings: Settings,
): { refused: OpenOrder[]; kept: OpenOrder[] } {
  const refused: OpenOrder[] = [];
  const kept: OpenOrder[] = [];
  for (const o of openOrders) {
    if (o.cloid && ours(o.cloid.toLowerCase())) continue;
    if (o.reduceOnly || isCoinLeftAlone(o.coin, settings)) kept.push(o);
    else refused.push(o);
  }
  const byCoin = (a: OpenOrder, b: OpenOrder) => a.coin.localeCompare(b.coin) || a.oid - b.oid;
  return { refused: refused.sort(byCoin), kept: kept.sort(byCoin) };
}

/**
 * An order hlcopy did not place, as every message names it: "BTC buy 0.01 @ 95000",
 * "ETH sell 0.5 @ 2900 reduce-only, stop-loss trigger at 3000".
 */
export function foreignOrderText(o: OpenOrder): string {
  const trigger = o.trigger
    ? `, ${o.trigger.tpsl === "tp" ? "take-profit" : "stop-loss"} trigger at ${detailNumber(o.trigger.triggerPx)}`
    : "";
  return `${o.coin} ${o.side} ${detailNumber(o.size)} @ ${detailNumber(o.limitPx)}${o.reduceOnly ? " reduce-only" : ""}${trigger}`;
}

/**
 * What the start says of the orders hlcopy did not place and leaves resting (foreignOrders'
 * `kept`), or null when there are none: reduce-only ones in coins it copies, then those in coins
 * the settings leave alone.
 */
export function keptOrdersText(kept: readonly OpenOrder[], settings: Settings): string | null {
  if (kept.length === 0) return null;
  const alone = kept.filter((o) => isCoinLeftAlone(o.coin, settings));
  const reducing = kept.filter((o) => !isCoinLeftAlone(o.coin, settings));
  const parts: string[] = [];
  if (reducing.length > 0)
    parts.push(
      `${reducing.map(foreignOrderText).join(", ")} (reduce-only: a fill only shrinks the position, and the copy brings it back to the leader's at its next sweep — hlcopy's own stops: --stop-loss-pct)`,
    );
  if (alone.length > 0) {
    // The planner counts the margin a resting order that may open holds (not a trigger's).
    const margin = alone.some((o) => !o.reduceOnly && !o.trigger)
      ? ": the margin they hold is not the copy's to use"
      : "";
    parts.push(`${alone.map(foreignOrderText).join(", ")} (in coins this run leaves alone${margin})`);
  }
  return `order(s) hlcopy did not place, left resting: ${parts.join("; ")}`;
}
