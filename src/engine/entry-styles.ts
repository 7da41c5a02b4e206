// Issue 21 on the engine's side, behind one object so the engine keeps a few one-line hooks:
// the sizing inputs (sizing-inputs.ts), the copy delay's view of the leaders (copy-delay.ts)
// and our resting passive entries (passive.ts). Each is built only when its setting is on —
// but the passive entries' keeper of a live run that sends: one whose exec.entry is not passive
// cancels the entries an earlier run left resting (and its dry run says it would).

import { entryParams } from "../core/entry.js";
import {
  leftEntriesOnBook,
  leftEntryCancelDetail,
  leftEntryWouldCancelText,
  restingEntriesToCancel,
} from "../core/flatten.js";
import { detailNumber } from "../core/format.js";
import type { OrderResult } from "../core/orders.js";
import type { PlanContext } from "../core/planner.js";
import type { Settings } from "../core/settings.js";
import type { SizingInputs } from "../core/sizing.js";
import type {
  Address,
  LeaderState,
  Markets,
  OpenOrder,
  Plan,
  PlannedAction,
  PlannedCancel,
  Positions,
  Side,
} from "../core/types.js";
import type { Journal } from "../store/journal.js";
import { CopyDelay, type DelayFill, readDelayFills } from "./copy-delay.js";
import type { EngineEvent, RunMode } from "./events.js";
import { PassiveEntries, type PassiveFill, type PassiveSender } from "./passive.js";
import { runPolicy } from "./run-mode.js";
import { SizingInputsKeeper, type SizingInputsReader } from "./sizing-inputs.js";
import type { StartupReads } from "./startup-waits.js";

export interface EntryStylesOptions {
  settings: Settings;
  mode: RunMode;
  reader: SizingInputsReader & {
    getFillsByTime?(
      user: Address,
      startTime: number,
    ): Promise<(DelayFill & import("../core/kelly.js").EdgeFill)[]>;
  };
  journal: Journal;
  account: Address;
  /** Live runs that send: cancels and lookups of passive entries. Absent: passive entries go as IOC. */
  passive?: PassiveSender;
  now: () => number;
  emit: (event: EngineEvent) => void;
  countRequest: () => void;
  /** Run a job on the engine's queue (one job at a time). */
  enqueue: (job: () => Promise<void>) => void;
  /** Re-plan these coins soon (hot path). */
  replan: (coins: string[]) => void;
  markets: () => Markets;
  applyOwnFill: (fill: { coin: string; side: Side; size: number; px: number | null }) => void;
  signal: () => AbortSignal | undefined;
  /** The run may send: past its checks, the review's yes and the key's unlock (PassiveEntriesOptions.acting). */
  acting: () => boolean;
}

export class EntryStyles {
  /** The run's settings as the planner must see them (paper runs place passive entries as IOC). */
  readonly settings: Settings;
  readonly #o: EntryStylesOptions;
  readonly #inputs: SizingInputsKeeper | null;
  readonly #delay: CopyDelay | null;
  readonly #passive: PassiveEntries | null;
  /**
   * A dry run whose exec.entry is not passive: the entries an earlier run left resting that its
   * live run would cancel (found at its first read, gone once its plan "sent" their cancel);
   * null before that read, and in every other run.
   */
  #wouldCancel: PlannedCancel[] | null = null;
  readonly #previewsLeft: boolean;
  /**
   * A dry run whose exec.entry is passive: the entries an earlier run left resting that its live
   * run would adopt (found at its first read; one past its timeout its plan cancels, then the
   * coin goes as IOC: #wouldTaker); null before that read, and in every other run.
   */
  #wouldAdopt: Map<
    string,
    { cloid: `0x${string}`; side: Side; size: number; limitPx: number; placedAt: number }
  > | null = null;
  readonly #wouldTaker = new Set<string>();
  readonly #previewsAdopt: boolean;
  readonly #timers = new Set<NodeJS.Timeout>();
  #fetching = false;
  #closed = false;

  constructor(o: EntryStylesOptions) {
    this.#o = o;
    const entry = entryParams(o.settings);
    let settings = o.settings;
    if (entry.passive && !o.passive) {
      // Nothing can rest (dry-run shows the passive orders; paper fills locally as IOC).
      if (o.mode === "paper") {
        settings = { ...settings, exec: { ...settings.exec, entry: "ioc" } };
        o.emit({
          type: "notice",
          ts: o.now(),
          kind: "entry",
          message:
            "exec.entry passive: a paper run fills locally and cannot rest orders: its entries go as IOC",
        });
      }
    }
    this.settings = settings;
    this.#inputs = SizingInputsKeeper.needed(o.settings)
      ? new SizingInputsKeeper({
          settings: o.settings,
          reader: o.reader,
          now: o.now,
          emit: o.emit,
          countRequest: o.countRequest,
        })
      : null;
    this.#delay =
      entry.copyDelayMs > 0
        ? new CopyDelay({
            delayMs: entry.copyDelayMs,
            now: o.now,
            emit: o.emit,
            countRequest: o.countRequest,
            schedule: (coin, at) => this.#later(at, () => o.replan([coin])),
          })
        : null;
    const policy = runPolicy(o.mode);
    this.#previewsLeft = policy.previewsLive && !entry.passive;
    this.#previewsAdopt = policy.previewsLive && entry.passive;
    // A live run that sends keeps its entries (exec.entry passive), or cancels an earlier run's.
    this.#passive =
      o.passive && policy.restsOrders
        ? new PassiveEntries({
            journal: o.journal,
            sender: o.passive,
            account: o.account,
            entry: o.settings.exec.entry ?? "ioc",
            timeoutMs: entry.passiveTimeoutMs,
            now: o.now,
            emit: o.emit,
            countRequest: o.countRequest,
            onDue: (coin) => {
              // Before the run may send (its review, the key's unlock) nothing is expired nor
              // planned for it: the run's first plan cancels a due entry (PassiveEntries.context).
              if (this.#closed || !o.acting()) return;
              o.enqueue(async () => {
                await this.#passive?.expire(coin, o.markets());
                o.replan([coin]);
              });
            },
            applyFill: o.applyOwnFill,
            signal: o.signal,
            acting: o.acting,
          })
        : null;
  }

  /**
   * A sweep read the leaders: the copy delay's histories (built at the first sweep from each
   * leader's fills of the window, then kept in step), and the sizing inputs due for the coins
   * either side holds. At the start (`startup`, no sweep yet) the reads are start-up reads, and
   * kelly's history is checked.
   * @throws at the start only: a start-up read's error once retried, kelly's refusal (SizingInputsKeeper.refresh).
   */
  async afterLeaderRead(
    leaders: { address: Address; positions: Positions }[],
    ourCoins: string[],
    startup?: StartupReads,
  ): Promise<void> {
    const now = this.#o.now();
    const delay = this.#delay;
    if (delay) {
      for (const l of leaders) {
        if (!delay.has(l.address)) {
          const reader: ((user: Address, startTime: number) => Promise<DelayFill[]>) | undefined =
            this.#o.reader.getFillsByTime?.bind(this.#o.reader);
          const read =
            reader &&
            ((user: Address, startTime: number) => {
              this.#o.countRequest();
              return reader(user, startTime);
            });
          const since = now - delay.delayMs;
          // At the start a start-up read: one 5xx must not make every position wait the full
          // delay (a cron reconcile held back every increase on it).
          const fills =
            read && startup && !startup.swept
              ? await startup.read(`the leader's fills (copy delay, ${l.address})`, () =>
                  read(l.address, since),
                )
              : await readDelayFills(read, l.address, since, () => {});
          delay.init(l.address, l.positions, fills, now);
        } else delay.recordSnapshot(l.address, l.positions, now);
      }
    }
    if (this.#inputs) {
      const coins = new Set(ourCoins);
      for (const l of leaders) for (const c of Object.keys(l.positions)) coins.add(c);
      await this.#inputs.refresh(
        [...coins],
        leaders.map((l) => l.address),
        startup,
      );
    }
  }

  /** A sweep read our account: resting passive entries against the open orders. */
  async afterOurRead(openOrders: readonly OpenOrder[]): Promise<void> {
    await this.#passive?.fromSweep(openOrders, this.#o.markets());
    if (this.#previewsLeft && this.#wouldCancel === null) this.#previewLeft(openOrders);
    if (this.#previewsAdopt && this.#wouldAdopt === null) this.#previewAdopt(openOrders);
  }

  /**
   * A passive dry run's first read: the left entries its live run would adopt (still on the
   * book), said one line each; its plans wait for them or, past their timeout, cancel them
   * first — as the live run's do (engine/passive.ts context).
   */
  #previewAdopt(openOrders: readonly OpenOrder[]): void {
    this.#wouldAdopt = new Map();
    for (const { row: r, size } of leftEntriesOnBook(
      this.#o.journal.ordersInState(["resting"]),
      openOrders,
    )) {
      this.#wouldAdopt.set(r.coin, {
        cloid: r.cloid as `0x${string}`,
        side: r.side,
        size,
        limitPx: r.limitPx,
        placedAt: r.ts,
      });
      this.#o.emit({
        type: "notice",
        ts: this.#o.now(),
        kind: "entry",
        message: `${r.coin}: a live run would adopt the passive entry ${r.side} ${detailNumber(size)} @ ${detailNumber(r.limitPx)} an earlier run left resting`,
      });
    }
  }

  /**
   * The cancels of the passive entries an earlier run left resting that a run keeping no entries
   * sends first (its sweeps' plans), or that its dry run's live run would send.
   */
  leftCancels(): PlannedCancel[] {
    return this.#wouldCancel ?? this.#passive?.leftCancels() ?? [];
  }

  /** A dry run's first read: the left entries its live run would cancel, said one line each. */
  #previewLeft(openOrders: readonly OpenOrder[]): void {
    const entry = this.#o.settings.exec.entry ?? "ioc";
    const left = restingEntriesToCancel(this.#o.journal.ordersInState(["resting"]), openOrders);
    this.#wouldCancel = left.map((e) => ({
      coin: e.coin,
      cloid: e.cloid as `0x${string}`,
      reason: "passive-cancel" as const,
      detail: leftEntryCancelDetail(e, entry),
    }));
    for (const e of left)
      this.#o.emit({
        type: "notice",
        ts: this.#o.now(),
        kind: "entry",
        message: leftEntryWouldCancelText(e, entry),
      });
  }

  /** The sizing inputs as known now (risk-parity's volatilities, kelly's edges), if the mode has any. */
  get sizingInputs(): SizingInputs | undefined {
    return this.#inputs?.inputs;
  }

  /** The leaders, context and inputs the planner gets from these styles. */
  planInput(
    leaders: LeaderState[],
    now: number,
    coins: string[] | undefined,
  ): { leaders: LeaderState[]; context: Partial<PlanContext>; sizingInputs?: SizingInputs } {
    const context: Partial<PlanContext> = {};
    const view = leaders;
    if (this.#delay) {
      const d = this.#delay.apply(leaders, now);
      if (Object.keys(d.held).length > 0) context.delayHeld = d.held;
      if (Object.keys(d.copyDelay).length > 0) context.copyDelay = d.copyDelay;
      if (Object.keys(d.reversed).length > 0) context.reversedAfterDelay = d.reversed;
    }
    if (this.#passive) {
      const p = this.#passive.context();
      if (Object.keys(p.restingEntries).length > 0) context.restingEntries = p.restingEntries;
      if (p.takerCoins.length > 0) context.takerCoins = p.takerCoins;
    }
    if (this.#wouldAdopt && this.#wouldAdopt.size > 0) {
      const timeoutMs = entryParams(this.#o.settings).passiveTimeoutMs;
      context.restingEntries = Object.fromEntries(
        [...this.#wouldAdopt].map(([coin, e]) => [
          coin,
          {
            cloid: e.cloid,
            side: e.side,
            size: e.size,
            limitPx: e.limitPx,
            ...(now >= e.placedAt + timeoutMs ? { due: true } : {}),
          },
        ]),
      );
    }
    if (this.#wouldTaker.size > 0) context.takerCoins = [...this.#wouldTaker].sort();
    if (!this.#inputs) return { leaders: view, context };
    // A coin the hot path meets without its volatility: read it off the hot path, then re-plan.
    if (coins) {
      const held = coins.filter((c) => leaders.some((l) => (l.positions[c]?.size ?? 0) !== 0));
      const missing = this.#inputs.missing(held);
      if (missing.length > 0 && !this.#fetching) {
        this.#fetching = true;
        this.#o.enqueue(async () => {
          try {
            const learned = await this.#inputs?.refresh(missing, []);
            if (learned && learned.length > 0) this.#o.replan(learned);
          } finally {
            this.#fetching = false;
          }
        });
      }
    }
    return { leaders: view, context, sizingInputs: this.#inputs.inputs };
  }

  /** A plan's cancels; returns the coins whose timed-out entry is off the book: their IOC is re-planned now. */
  async cancel(cancels: readonly PlannedCancel[]): Promise<string[]> {
    const replan = (await this.#passive?.cancel(cancels, this.#o.markets())) ?? [];
    // A dry run's plan "sent" them: its live run would have cancelled them by now.
    if (this.#wouldCancel)
      this.#wouldCancel = this.#wouldCancel.filter((w) => !cancels.some((c) => c.cloid === w.cloid));
    const timeoutMs = entryParams(this.#o.settings).passiveTimeoutMs;
    for (const c of cancels) {
      const e = this.#wouldAdopt?.get(c.coin);
      if (!e || e.cloid.toLowerCase() !== c.cloid.toLowerCase()) continue;
      this.#wouldAdopt?.delete(c.coin);
      if (this.#o.now() < e.placedAt + timeoutMs) continue;
      this.#wouldTaker.add(c.coin);
      replan.push(c.coin);
    }
    return replan;
  }

  async cancelAll(why: string): Promise<void> {
    await this.#passive?.cancelAll(this.#o.markets(), why);
  }

  /** A plan was made at `now`: the copy delay learns which increases it held back. */
  planned(plan: Plan, now: number): void {
    if (!this.#delay) return;
    const held = plan.skipped.filter((s) => s.reason === "copy-delay").map((s) => s.coin);
    if (held.length > 0) this.#delay.heldBack(held, now);
  }

  willSend(actions: readonly PlannedAction[]): void {
    this.#passive?.willSend(actions);
  }

  /**
   * A sent batch's results: returns the coins whose passive entry the exchange refused as
   * crossing — their increase goes as IOC now (the engine re-plans them, with no backoff).
   */
  fromResults(actions: readonly PlannedAction[], results: readonly OrderResult[]): string[] {
    return this.#passive?.fromResults(actions, results) ?? [];
  }

  /** A leader fill (not a snapshot's): its size now, for the copy delay; passive again for the coin. */
  leaderFill(leader: Address, coin: string, size: number): void {
    this.#delay?.record(leader, coin, size, this.#o.now());
    this.#passive?.leaderTraded(coin);
    this.#wouldTaker.delete(coin);
  }

  /** A leader's account stream snapshot. */
  leaderSnapshot(leader: Address, positions: Positions): void {
    this.#delay?.recordSnapshot(leader, positions, this.#o.now());
  }

  /** One of our fills (not a snapshot's). */
  ourFill(f: PassiveFill): void {
    this.#passive?.onFill(f);
  }

  close(): void {
    this.#closed = true;
    this.#passive?.close();
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }

  #later(at: number, fn: () => void): void {
    if (this.#closed) return;
    const t = setTimeout(
      () => {
        this.#timers.delete(t);
        if (!this.#closed) fn();
      },
      Math.max(0, at - this.#o.now()) + 5,
    );
    t.unref?.();
    this.#timers.add(t);
  }
}
