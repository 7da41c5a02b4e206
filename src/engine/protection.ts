// Keeps our resting protection (reduce-only stop / take-profit trigger orders) in step with
// our positions: core/protection.ts says what should rest, this reads what does (the sweep's
// open orders, our own send results, our fills), journals every intent before sending it
// (exactly-once by cloid, like every order) and sends only the difference. It also notices
// when one of our triggers fired — while running (our fill carries its cloid) or while
// hlcopy was down (a journaled resting trigger missing from the open orders, looked up by
// cloid) — journals it, and keeps the coin "stopped-out" so the copy does not buy it back.
//
// Protection settings are the run's (a flag lasts one run, `config set` keeps one for every
// run): what they leave out is not kept. A run with no protection setting at all still reads
// the triggers an earlier run placed (ours by journaled cloid, never one placed by hand) and
// cancels them at its first sweep, saying so once: left resting, they would stay sized for
// positions that moved on, and `status` would show protection that is not there.

import { toHlcopyError } from "../core/errors.js";
import { detailNumber } from "../core/format.js";
import {
  type CancelResult,
  type CloidLookup,
  keptByStop,
  type OrderResult,
  type SendOptions,
  UNRESOLVED_ORDER_STATUSES,
} from "../core/orders.js";
import {
  type BestPrices,
  type DesiredTrigger,
  desiredProtection,
  diffProtection,
  keepStoppedOut,
  leftoverTriggersText,
  markTierFired,
  type ProtectionKind,
  protectionKind,
  protectionOn,
  type RestingTrigger,
  sizesAfter,
  type TiersFired,
  triggerAction,
  triggerCloses,
  updateBestPrices,
  updateTiersFired,
} from "../core/protection.js";
import { type Settings, tiersText } from "../core/settings.js";
import type { Address, Markets, OpenOrder, Plan, PlannedAction, Positions } from "../core/types.js";
import type { Journal } from "../store/journal.js";
import type { EngineEvent } from "./events.js";

/** What the keeper sends through (HlClient satisfies it). */
export interface ProtectionSender {
  placeOrders(actions: PlannedAction[], markets: Markets, options?: SendOptions): Promise<OrderResult[]>;
  modifyOrders(
    modifies: { oid: number; action: PlannedAction }[],
    markets: Markets,
    options?: SendOptions,
  ): Promise<OrderResult[]>;
  cancelOrders(
    cancels: { coin: string; oid: number }[],
    markets: Markets,
    options?: SendOptions,
  ): Promise<CancelResult[]>;
  resolveUncertain(results: OrderResult[]): Promise<OrderResult[]>;
  lookupOrderByCloid(user: Address, cloid: string): Promise<CloidLookup>;
}

export interface ProtectionKeeperOptions {
  journal: Journal;
  sender: ProtectionSender;
  /** Where our orders live (the sub-account when trading one): cloid lookups read it. */
  account: Address;
  settings: Settings;
  emit: (event: EngineEvent) => void;
  now: () => number;
  runId: () => number | null;
  /** Counted once per request sent or read. */
  countRequest: () => void;
  /** Aborted when the run stops (a batch not yet on the wire stays unsent). */
  signal?: () => AbortSignal | undefined;
}

/** What `status` and the dashboard show per coin. */
export interface CoinProtection {
  coin: string;
  stopPx: number | null;
  /** The nearest resting take-profit (the next to fire), or null. */
  takeProfitPx: number | null;
  /** With take-profit tiers: every resting take-profit, nearest first (absent with one or none). */
  takeProfits?: { px: number; size: number }[];
}

const BEST_KEY = "protection:best";
const STOPPED_KEY = "protection:stopped";
const TIERS_KEY = "protection:tiers";

export class ProtectionKeeper {
  readonly #o: ProtectionKeeperOptions;
  /** The run's settings keep some protection; false: only an earlier run's triggers are cancelled. */
  readonly #on: boolean;
  /** Our triggers resting on the exchange, as last read or sent; null until the first sweep read. */
  #resting: RestingTrigger[] | null = null;
  #best: BestPrices;
  /** coin → the leaders' sign when our trigger closed the copy. */
  #stopped: Record<string, number>;
  /** Take-profit tiers that fired for each open position (not placed again). */
  #tiers: TiersFired;
  /** Fired triggers already journaled (by cloid), so a fill and a later sweep record one event. */
  readonly #fired = new Set<string>();
  #seq = 0;
  /** Counts what the keeper learnt itself (sent, moved, cancelled, fired); per cloid, its latest. */
  #changes = 0;
  readonly #changedAt = new Map<string, number>();

  constructor(options: ProtectionKeeperOptions) {
    this.#o = options;
    this.#on = protectionOn(options.settings);
    this.#best = options.journal.getCopyState<BestPrices>(BEST_KEY) ?? {};
    this.#stopped = options.journal.getCopyState<Record<string, number>>(STOPPED_KEY) ?? {};
    this.#tiers = options.journal.getCopyState<TiersFired>(TIERS_KEY) ?? {};
  }

  /**
   * Coins our own trigger closed and the leaders still hold as then: increases skipped
   * "stopped-out". None in a run without protection settings: it copies as a plain copy does.
   */
  get stoppedOut(): string[] {
    return this.#on ? Object.keys(this.#stopped).sort() : [];
  }

  /** Whether the views show protection: the run keeps some, or something of ours still rests. */
  get shown(): boolean {
    return this.#on || (this.#resting?.length ?? 0) > 0;
  }

  /** Each coin's resting stop and take-profit, as known. */
  view(): CoinProtection[] {
    return protectionView(this.#resting ?? []);
  }

  /** Taken before a sweep reads our open orders: `fromSweep(…, mark)` keeps what came later. */
  mark(): number {
    return this.#changes;
  }

  #changed(cloid: string): void {
    this.#changedAt.set(cloid.toLowerCase(), ++this.#changes);
  }

  /**
   * A sweep read our open orders: our triggers are those whose cloid the journal holds as
   * protection. A journaled resting trigger missing from them fired or was cancelled while we
   * were not looking: it is looked up by cloid, and a fill is journaled as fired. With `since`
   * (the mark taken before the read was sent), a trigger the keeper sent, moved, cancelled or
   * saw fire after that keeps the keeper's own view: the read may predate it.
   */
  async fromSweep(
    openOrders: readonly OpenOrder[],
    leaderSizes: Record<string, number>,
    since?: number,
  ): Promise<void> {
    const j = this.#o.journal;
    const later = (cloid: string) =>
      since !== undefined && (this.#changedAt.get(cloid.toLowerCase()) ?? 0) > since;
    const resting: RestingTrigger[] = (this.#resting ?? []).filter((r) => later(r.cloid));
    const open = new Set<string>();
    for (const r of ownTriggers(j, openOrders)) {
      open.add(r.cloid.toLowerCase());
      if (!later(r.cloid)) resting.push(r);
    }
    if (since !== undefined) {
      for (const [cloid, at] of this.#changedAt) if (at <= since) this.#changedAt.delete(cloid);
    }
    for (const row of j.ordersInState(["resting"])) {
      const kind = protectionKind(row.reason);
      if (!kind || open.has(row.cloid.toLowerCase()) || later(row.cloid)) continue;
      this.#o.countRequest();
      const lookup = await this.#o.sender.lookupOrderByCloid(this.#o.account, row.cloid);
      const now = this.#o.now();
      if (lookup.found && lookup.filledSize > 0) {
        j.updateOrder(row.cloid, {
          ts: now,
          status: "filled",
          filledSize: lookup.filledSize,
          avgPx: lookup.avgPx,
        });
        this.#recordFired(row.coin, kind, row.cloid, lookup.filledSize, lookup.avgPx, leaderSizes, row);
      } else if (lookup.found && (lookup.status === "open" || lookup.status === "triggered")) {
        // Still live (between our read and the lookup): the next read sees it.
      } else {
        j.updateOrder(row.cloid, {
          ts: now,
          status: "cancelled",
          ...(lookup.found ? { error: lookup.status } : {}),
        });
      }
    }
    this.#resting = resting;
  }

  /** One of our fills: when it is a trigger of ours, that trigger fired. Returns true if so. */
  onFill(
    fill: { coin: string; cloid: string | null; sz: number; px: number },
    leaderSizes: Record<string, number>,
  ): boolean {
    if (!fill.cloid) return false;
    const row = this.#o.journal.getOrder(fill.cloid);
    const kind = row ? protectionKind(row.reason) : null;
    if (!row || !kind) return false;
    this.#o.journal.updateOrder(fill.cloid, { ts: this.#o.now(), status: "filled" });
    this.#changed(fill.cloid);
    this.#recordFired(fill.coin, kind, fill.cloid, fill.sz, fill.px, leaderSizes, row);
    if (this.#resting)
      this.#resting = this.#resting.filter((r) => r.cloid.toLowerCase() !== fill.cloid?.toLowerCase());
    return true;
  }

  #recordFired(
    coin: string,
    kind: ProtectionKind,
    cloid: string,
    size: number,
    px: number | null,
    leaderSizes: Record<string, number>,
    row: { side: "buy" | "sell"; request: unknown },
  ): void {
    const key = cloid.toLowerCase();
    if (this.#fired.has(key)) return;
    this.#fired.add(key);
    const now = this.#o.now();
    const tier = requestTier(row.request);
    if (kind === "take-profit" && tier !== undefined) {
      // The position it closed: a sell closes a long.
      this.#tiers = markTierFired(this.#tiers, coin, row.side === "sell" ? 1 : -1, tier);
      this.#o.journal.setCopyState(TIERS_KEY, this.#tiers, now);
    }
    // Without protection settings the run copies as a plain copy does: no stopped-out coin.
    const sign = this.#on ? Math.sign(leaderSizes[coin] ?? 0) : 0;
    if (sign !== 0) {
      this.#stopped = { ...this.#stopped, [coin]: sign };
      this.#o.journal.setCopyState(STOPPED_KEY, this.#stopped, now);
    }
    this.#o.journal.recordEvent({
      ts: now,
      type: "protectionFired",
      runId: this.#o.runId(),
      coin,
      data: { kind, cloid, size, px, ...(tier === undefined ? {} : { tier }) },
    });
    this.#o.emit({
      type: "protection",
      ts: now,
      coin,
      kind,
      action: "fired",
      size,
      triggerPx: px,
      detail: `${kind}${tier === undefined ? "" : ` tier ${tier + 1}`} fired: ${detailNumber(size)} ${coin} closed${px === null ? "" : ` at ${detailNumber(px)}`}${sign !== 0 ? "; not re-entered until the leader closes or flips it" : ""}`,
    });
  }

  /**
   * A leader's fill: one that opens the coin from flat or crosses zero is a new trade, so a
   * coin our stop closed is copied again (even when a close and re-open arrive in one burst).
   */
  leaderTraded(coin: string, startPosition: number, endPosition: number): void {
    if (this.#stopped[coin] === undefined) return;
    if (startPosition !== 0 && Math.sign(startPosition) === Math.sign(endPosition)) return;
    const { [coin]: _gone, ...rest } = this.#stopped;
    this.#stopped = rest;
    this.#o.journal.setCopyState(STOPPED_KEY, rest, this.#o.now());
  }

  /** Drop coins from stopped-out once the leaders closed or flipped them. */
  updateStopped(leaderSizes: Record<string, number>): void {
    this.#updateStopped(leaderSizes);
  }

  #updateStopped(leaderSizes: Record<string, number>): void {
    const next = keepStoppedOut(this.#stopped, leaderSizes);
    if (Object.keys(next).length !== Object.keys(this.#stopped).length) {
      this.#stopped = next;
      this.#o.journal.setCopyState(STOPPED_KEY, next, this.#o.now());
    }
  }

  /**
   * Bring the resting triggers in step with `positions`: nothing is sent when they already
   * match (a price tick costs nothing; a trailing stop moves once per step). Returns the
   * number of requests sent. Does nothing before the first sweep read.
   */
  async sync(p: {
    positions: Positions;
    markets: Markets;
    marks: Record<string, number>;
    leaderSizes: Record<string, number>;
    seed: string;
  }): Promise<number> {
    if (!this.#on) return this.#cancelLeftovers(p.markets);
    this.#updateStopped(p.leaderSizes);
    const best = updateBestPrices(this.#best, p.positions, p.marks);
    if (JSON.stringify(best) !== JSON.stringify(this.#best)) {
      this.#best = best;
      this.#o.journal.setCopyState(BEST_KEY, best, this.#o.now());
    }
    const tiers = updateTiersFired(this.#tiers, p.positions);
    if (JSON.stringify(tiers) !== JSON.stringify(this.#tiers)) {
      this.#tiers = tiers;
      this.#o.journal.setCopyState(TIERS_KEY, tiers, this.#o.now());
    }
    if (this.#resting === null) return 0;
    const desired = desiredProtection({
      positions: p.positions,
      markets: p.markets,
      settings: this.#o.settings,
      best: this.#best,
      tiersFired: this.#tiers,
    });
    const diff = diffProtection(desired, this.#resting, p.markets, this.#o.settings);
    // A flip: the exchange cancels a reduce-only order once its position is closed or flipped, so
    // a modify of the old side's trigger would fail and leave the new position bare. The new one
    // is placed, and what may be left of the old one cancelled (gone: journaled so).
    for (const m of diff.modify.filter((x) => x.from.side !== x.to.side)) {
      diff.modify.splice(diff.modify.indexOf(m), 1);
      diff.place.push(m.to);
      diff.cancel.push(m.from);
    }
    let requests = 0;
    const seed = `${p.seed}|p${++this.#seq}`;
    try {
      if (diff.place.length > 0) {
        requests++;
        await this.#place(diff.place, p.markets, seed);
      }
      if (diff.modify.length > 0) {
        requests++;
        await this.#modify(diff.modify, p.markets, seed);
      }
      if (diff.cancel.length > 0) {
        requests++;
        await this.#cancel(diff.cancel, p.markets, (r) => cancelReason(r, desired, p.positions));
      }
    } catch (error) {
      const e = toHlcopyError(error);
      this.#o.emit({ type: "warning", ts: this.#o.now(), message: `protection: ${e.message}` });
      // What is resting is unknown now: the next sweep reads it again before anything is sent.
      this.#resting = null;
    }
    return requests;
  }

  /**
   * A run with no protection setting: the triggers an earlier run placed (ours by cloid) are
   * cancelled, in one request, and said in one line with the flags that would have kept them.
   * Nothing is sent once none rests (or before the first sweep read).
   */
  async #cancelLeftovers(markets: Markets): Promise<number> {
    const list = this.#resting;
    if (list === null || list.length === 0) return 0;
    let cancelled: RestingTrigger[] = [];
    try {
      cancelled = await this.#cancel(list, markets, null);
    } catch (error) {
      const e = toHlcopyError(error);
      this.#o.emit({ type: "warning", ts: this.#o.now(), message: `protection: ${e.message}` });
      this.#resting = null;
    }
    if (cancelled.length > 0) {
      const now = this.#o.now();
      const cloids = cancelled.map((r) => r.cloid);
      const message = leftoversText(this.#o.journal, cloids, "done");
      this.#o.emit({ type: "notice", ts: now, kind: "protection", message });
      this.#o.journal.recordEvent({
        ts: now,
        type: "protectionCancelled",
        runId: this.#o.runId(),
        data: {
          count: cloids.length,
          coins: [...new Set(cancelled.map((r) => r.coin))].sort(),
          cloids,
          message,
        },
      });
    }
    return 1;
  }

  /** Journal the intents (a cloid already journaled is never sent again); the ones to send. */
  #intents(items: { a: PlannedAction; t: DesiredTrigger }[]): PlannedAction[] {
    const now = this.#o.now();
    const out: PlannedAction[] = [];
    for (const { a, t } of items) {
      if (
        !this.#o.journal.recordOrderIntent({
          runId: this.#o.runId(),
          ts: now,
          action: a,
          // The tier is how a restart knows which take-profit a resting trigger is.
          request: { trigger: a.trigger, ...(t.tier === undefined ? {} : { tier: t.tier }) },
        })
      )
        continue;
      this.#o.journal.updateOrder(a.cloid, { ts: now, status: "sent" });
      out.push(a);
    }
    return out;
  }

  async #resolve(results: OrderResult[]): Promise<OrderResult[]> {
    if (!results.some((r) => r.status === "uncertain")) return results;
    this.#o.countRequest();
    return this.#o.sender.resolveUncertain(results);
  }

  /**
   * Journal a sent trigger's outcome and tell it. `from`: the trigger a modify was to replace
   * (given when a stop kept the modify from going out: it stays).
   */
  #record(
    a: PlannedAction,
    r: OrderResult,
    t: DesiredTrigger,
    action: "placed" | "moved",
    from?: RestingTrigger,
  ): void {
    const now = this.#o.now();
    // An outcome still unknown is the sweep's to find (a read after the send shows it).
    if (r.status !== "uncertain") this.#changed(a.cloid);
    this.#o.journal.updateOrder(a.cloid, {
      ts: now,
      status: r.status,
      filledSize: r.filledSize,
      avgPx: r.avgPx,
      ...(r.oid === undefined ? {} : { oid: r.oid }),
      ...(r.error ? { error: r.error } : {}),
    });
    if (r.status === "resting" && r.oid !== undefined) {
      this.#resting?.push({
        coin: t.coin,
        kind: t.kind,
        oid: r.oid,
        cloid: a.cloid,
        side: t.side,
        size: t.size,
        triggerPx: t.triggerPx,
        ...(t.tier === undefined ? {} : { tier: t.tier }),
      });
      this.#o.emit({
        type: "protection",
        ts: now,
        coin: t.coin,
        kind: t.kind,
        action,
        size: t.size,
        triggerPx: t.triggerPx,
        detail: `${t.kind === "stop-loss" ? (t.trailing ? "trailing stop" : "stop") : `take-profit${t.tier === undefined ? "" : ` tier ${t.tier + 1}`}`} ${action === "placed" ? "placed" : "moved"}: ${t.side} ${detailNumber(t.size)} ${t.coin} when the mark crosses ${detailNumber(t.triggerPx)}`,
      });
    } else if (keptByStop(r.status, r.error)) {
      // Not sent, known: no failure (the trader stopped the run), told as what stays.
      this.#o.emit({
        type: "protection",
        ts: now,
        coin: t.coin,
        kind: t.kind,
        action: "not-sent",
        size: t.size,
        triggerPx: t.triggerPx,
        detail: `${t.kind} for ${t.coin} not ${action}: ${r.error}${
          from ? ` (the one for ${detailNumber(from.size)} at ${detailNumber(from.triggerPx)} stays)` : ""
        }`,
      });
    } else if (r.status === "rejected" || r.status === "uncertain") {
      this.#o.emit({
        type: "protection",
        ts: now,
        coin: t.coin,
        kind: t.kind,
        action: "failed",
        size: t.size,
        triggerPx: t.triggerPx,
        detail: `${t.kind} for ${t.coin} not placed: ${r.error ?? r.status}`,
      });
    }
  }

  async #place(triggers: DesiredTrigger[], markets: Markets, seed: string): Promise<void> {
    const pairs = triggers.map((t) => ({ t, a: triggerAction(t, markets[t.coin]?.szDecimals ?? 0, seed) }));
    const send = this.#intents(pairs);
    if (send.length === 0) return;
    const results = await this.#resolve(await this.#o.sender.placeOrders(send, markets, this.#signal()));
    send.forEach((a, i) => {
      const t = pairs.find((x) => x.a === a)?.t;
      const r = results[i];
      if (t && r) this.#record(a, r, t, "placed");
    });
  }

  async #modify(
    mods: { from: RestingTrigger; to: DesiredTrigger }[],
    markets: Markets,
    seed: string,
  ): Promise<void> {
    const items = mods.map((m) => ({
      ...m,
      a: triggerAction(m.to, markets[m.to.coin]?.szDecimals ?? 0, seed),
    }));
    const send = new Set(this.#intents(items.map((x) => ({ a: x.a, t: x.to }))));
    const go = items.filter((x) => send.has(x.a));
    if (go.length === 0) return;
    const results = await this.#resolve(
      await this.#o.sender.modifyOrders(
        go.map((x) => ({ oid: x.from.oid, action: x.a })),
        markets,
        this.#signal(),
      ),
    );
    const now = this.#o.now();
    go.forEach((x, i) => {
      const r = results[i];
      if (!r) return;
      // A modify a stop kept from going out: the old trigger rests as it did (known: nothing was
      // sent), and the new one was never placed — journaled so, not as a failed placement.
      if (keptByStop(r.status, r.error)) {
        this.#record(x.a, r, x.to, "moved", x.from);
        return;
      }
      // The old order is gone once the modify ran (the exchange replaced it by a new oid).
      if (r.status !== "uncertain") {
        this.#changed(x.from.cloid);
        this.#o.journal.updateOrder(x.from.cloid, { ts: now, status: "cancelled", error: "replaced" });
        if (this.#resting) this.#resting = this.#resting.filter((q) => q.oid !== x.from.oid);
      }
      this.#record(x.a, r, x.to, "moved");
    });
  }

  /**
   * Cancel `list`; each cancelled one is told with `why` (null: the caller says it once).
   * Returns those the exchange cancelled (not those already gone).
   */
  async #cancel(
    list: RestingTrigger[],
    markets: Markets,
    why: ((r: RestingTrigger) => string) | null,
  ): Promise<RestingTrigger[]> {
    const done: RestingTrigger[] = [];
    const results = await this.#o.sender.cancelOrders(
      list.map((r) => ({ coin: r.coin, oid: r.oid })),
      markets,
      this.#signal(),
    );
    const now = this.#o.now();
    list.forEach((r, i) => {
      const c = results[i];
      // A stop kept it from going out: it rests as it did (nothing to journal, nothing unknown).
      if (c?.status === "not-sent") return;
      if (!c || c.status === "uncertain") {
        this.#resting = null;
        return;
      }
      this.#changed(r.cloid);
      this.#o.journal.updateOrder(r.cloid, {
        ts: now,
        status: "cancelled",
        ...(c.error ? { error: c.error } : {}),
      });
      if (this.#resting) this.#resting = this.#resting.filter((q) => q.oid !== r.oid);
      if (c.status === "cancelled") done.push(r);
      if (c.status === "cancelled" && why) {
        this.#o.emit({
          type: "protection",
          ts: now,
          coin: r.coin,
          kind: r.kind,
          action: "cancelled",
          size: r.size,
          triggerPx: r.triggerPx,
          detail: `${r.kind} for ${r.coin} at ${detailNumber(r.triggerPx)} cancelled (${why(r)})`,
        });
      }
    });
    return done;
  }

  #signal(): SendOptions {
    const signal = this.#o.signal?.();
    return signal ? { signal } : {};
  }
}

/** Why a resting trigger is cancelled while protection is on (the event's detail). */
function cancelReason(r: RestingTrigger, desired: readonly DesiredTrigger[], positions: Positions): string {
  if (!triggerCloses(r.side, positions[r.coin]?.size ?? 0)) return "no position to protect";
  const wanted = desired.some((d) => d.coin === r.coin && d.kind === r.kind && d.tier === r.tier);
  return wanted ? "a duplicate" : "not in this run's protection settings";
}

/** The flags that give a run `settings`' resting protection (as journaled with a run). */
export function protectionFlags(settings: unknown): string[] {
  const r = (settings as { risk?: Record<string, unknown> } | null)?.risk;
  if (!r) return [];
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);
  const out: string[] = [];
  // Whole percents (core/settings.ts WHOLE_PCT_KEYS): one below 1 is given with its sign, as
  // the flag takes it (a bare 0.5 is refused as a likely fraction).
  const pct = (v: number) => `${detailNumber(v)}${v < 1 ? "%" : ""}`;
  const stop = num(r.stopLossPct);
  if (stop !== null) out.push(`--stop-loss-pct ${pct(stop)}`);
  const trailing = num(r.trailingStopPct);
  if (trailing !== null) out.push(`--trailing-stop-pct ${pct(trailing)}`);
  const tiers = Array.isArray(r.takeProfitTiers) ? r.takeProfitTiers : [];
  const valid = tiers.filter(
    (t): t is { pct: number; fraction: number } =>
      num((t as { pct?: unknown })?.pct) !== null && num((t as { fraction?: unknown })?.fraction) !== null,
  );
  if (valid.length > 0) out.push(`--take-profit-tiers ${tiersText(valid)}`);
  else {
    const tp = num(r.takeProfitPct);
    if (tp !== null) out.push(`--take-profit-pct ${pct(tp)}`);
  }
  return out;
}

/** Our triggers the journal holds as resting, or not yet settled: they may rest on the exchange. */
function ownTriggersJournaled(journal: Journal): string[] {
  return journal
    .ordersInState(["resting", ...UNRESOLVED_ORDER_STATUSES])
    .filter((o) => protectionKind(o.reason) !== null)
    .map((o) => o.cloid);
}

/** True when the journal holds a trigger of ours that may still rest on the exchange. */
export function ownTriggersMayRest(journal: Journal): boolean {
  return ownTriggersJournaled(journal).length > 0;
}

/**
 * Our triggers among `openOrders` (the exchange's, as read): those whose cloid the journal
 * holds as protection — never an order placed by hand. The one matching the sweep, the live
 * run's review and the dry run's preview use.
 */
export function ownTriggers(journal: Journal, openOrders: readonly OpenOrder[]): RestingTrigger[] {
  return openOrders.flatMap((o) => {
    const row = o.cloid ? journal.getOrder(o.cloid) : null;
    const kind = row ? protectionKind(row.reason) : null;
    if (!o.cloid || !row || !kind) return [];
    const tier = requestTier(row.request);
    return [
      {
        coin: o.coin,
        kind,
        oid: o.oid,
        cloid: o.cloid,
        side: o.side,
        size: o.size,
        triggerPx: o.trigger?.triggerPx ?? requestTriggerPx(row.request) ?? 0,
        ...(tier === undefined ? {} : { tier }),
      },
    ];
  });
}

/**
 * A run with no protection settings, before its first sweep sends anything: what that sweep
 * will cancel, said before it — the live run's review and the dry run's preview, in
 * `leftoversText`'s words — or null when it cancels nothing. That is our triggers resting
 * now (`openOrders`, the exchange's as read) on a position the sweep's orders leave open on
 * their side (`plan`): the exchange itself cancels a reduce-only trigger whose position
 * closes or flips, so the run's own cancel — and its notice — never counts those.
 */
export function leftoversAhead(p: {
  journal: Journal;
  openOrders: readonly OpenOrder[];
  positions: Positions;
  plan: Plan;
  when: "dry-run" | "review";
}): string | null {
  const after = sizesAfter(p.positions, p.plan.actions);
  const cloids = ownTriggers(p.journal, p.openOrders)
    .filter((r) => triggerCloses(r.side, after[r.coin] ?? 0))
    .map((r) => r.cloid);
  return cloids.length > 0 ? leftoversText(p.journal, cloids, p.when) : null;
}

/**
 * THE words for the triggers `cloids` (ours, an earlier run's) that a run with no protection
 * settings cancels: before it in the dry run's preview and the live run's review, then the
 * live run's notice once cancelled.
 */
function leftoversText(
  journal: Journal,
  cloids: readonly string[],
  when: "dry-run" | "review" | "done",
): string {
  const coins = cloids.flatMap((c) => {
    const coin = journal.getOrder(c)?.coin;
    return coin ? [coin] : [];
  });
  const what = leftoverTriggersText(cloids.length, coins);
  const keep = `pass ${keepFlags(journal, cloids)} to keep them`;
  if (when === "done") return `cancelled ${what}: this run has no protection settings; ${keep}`;
  const who = when === "dry-run" ? "a live run would" : "this run will";
  return `with no protection settings, ${who} cancel the ${what}; ${keep}`;
}

/**
 * The flags that keep the triggers `cloids`: the protection settings of the run that placed
 * the newest of them, as journaled with that run; the flags' names when those are unknown.
 */
function keepFlags(journal: Journal, cloids: readonly string[]): string {
  const runIds = cloids
    .map((c) => journal.getOrder(c)?.runId ?? null)
    .filter((id): id is number => id !== null);
  const placedBy = runIds.length > 0 ? Math.max(...runIds) : null;
  const run =
    placedBy === null
      ? undefined
      : journal
          .listEntries({ table: "runs", limit: Number.POSITIVE_INFINITY })
          .find((e) => e.table === "runs" && e.id === placedBy);
  const flags = run?.table === "runs" ? protectionFlags(run.settings) : [];
  return flags.length > 0
    ? flags.join(" ")
    : "--stop-loss-pct, --take-profit-pct, --take-profit-tiers or --trailing-stop-pct";
}

/** A trigger as the views need it: journal rows and the keeper's own list alike. */
export interface ShownTrigger {
  coin: string;
  kind: ProtectionKind;
  side: "buy" | "sell";
  size: number;
  triggerPx: number;
}

/**
 * Each coin's resting stop and take-profits, from the triggers resting now: the one view the
 * dashboard, the run summary and `status` show (the keeper's list while running, the journal's
 * resting rows after). With `positions` (coin → our signed size), a trigger that closes no
 * position we hold — the coin is flat or flipped, so the exchange cancelled it — is left out.
 */
export function protectionView(
  triggers: readonly ShownTrigger[],
  positions?: Record<string, number>,
): CoinProtection[] {
  const out = new Map<string, CoinProtection>();
  const tps = new Map<string, ShownTrigger[]>();
  for (const r of triggers) {
    if (positions && !triggerCloses(r.side, positions[r.coin] ?? 0)) continue;
    const p = out.get(r.coin) ?? { coin: r.coin, stopPx: null, takeProfitPx: null };
    if (r.kind === "stop-loss") p.stopPx = r.triggerPx;
    else tps.set(r.coin, [...(tps.get(r.coin) ?? []), r]);
    out.set(r.coin, p);
  }
  for (const [coin, list] of tps) {
    const p = out.get(coin);
    if (!p) continue;
    // Nearest first: a long's take-profits are sells above (lowest first), a short's buys below.
    list.sort((a, b) => (a.side === "sell" ? a.triggerPx - b.triggerPx : b.triggerPx - a.triggerPx));
    p.takeProfitPx = list[0]?.triggerPx ?? null;
    if (list.length > 1) p.takeProfits = list.map((r) => ({ px: r.triggerPx, size: r.size }));
  }
  return [...out.values()].sort((a, b) => a.coin.localeCompare(b.coin));
}

function requestTier(request: unknown): number | undefined {
  const t = (request as { tier?: unknown } | null)?.tier;
  return typeof t === "number" && Number.isInteger(t) && t >= 0 ? t : undefined;
}

function requestTriggerPx(request: unknown): number | undefined {
  const t = (request as { trigger?: { triggerPx?: unknown } } | null)?.trigger?.triggerPx;
  return typeof t === "number" ? t : undefined;
}
