// The run's figures beside the copy engine: the copy's P&L (src/core/pnl.ts) kept current as
// fills and funding payments are journaled, the exchange's funding records read when the stream
// cannot be relied on, our fills read back when there is no stream (a cron reconcile), and the
// execution-slippage budget. The engine calls these from a few hooks; the arithmetic is core's.

import type { ManagedPositions } from "../core/ownership.js";
import {
  addFill,
  addFunding,
  type CopyPnl,
  copyFill,
  copyFills,
  copyFunding,
  copyFundingShare,
  copyPnl,
  copyPositions,
  foldPnl,
  type LeaderShares,
  leaderShares,
  type MarkedPosition,
  mergeShares,
  type PnlTotals,
} from "../core/pnl.js";
import type { OrderKind } from "../core/slippage.js";
import { BUDGET_MIN_SAMPLES, budgetVerdict, type SlippageBudget, slippageBudget } from "../core/slippage.js";
import { lowerBound, quantileSorted } from "../core/stats.js";
import type { Address, Fill, Markets, Positions } from "../core/types.js";
import type { CopyStart, Journal } from "../store/journal.js";
import type { EngineEvent, RunMode } from "./events.js";
import { type RunPolicy, runPolicy } from "./run-mode.js";

/** A funding payment as the reader and the stream deliver it. */
export interface FundingFact {
  time: number;
  coin: string;
  usdc: number;
  szi: number;
  fundingRate: number;
  hash: string | null;
}

/** The copy-state key of the leaders' shares per coin (survive restarts; `status` reads them). */
export const SHARES_KEY = "pnl:shares";
/** With a live stream, the funding records are still read this often (and at start, after a reconnect). */
const FUNDING_READ_EVERY_MS = 3_600_000;

export interface PnlKeeperOptions {
  journal: Journal;
  account: Address;
  mode: RunMode;
  leaders: readonly { address: Address; weight: number }[];
  getFunding?: (user: Address, startTime: number) => Promise<FundingFact[]>;
  /** What hlcopy managed at a past moment (engine/copy-state.ts managedAt): funding's copy part. */
  managedAt: (ts: number) => ManagedPositions;
  emit: (e: EngineEvent) => void;
  now: () => number;
  runId: () => number | null;
  countRequest: () => void;
}

export class PnlKeeper {
  readonly #o: PnlKeeperOptions;
  /** What the run's mode lets it do (run-mode.ts). */
  readonly #can: RunPolicy;
  #start: CopyStart | null = null;
  #totals: PnlTotals = {};
  #shares: LeaderShares = {};
  #fundingReadAt = 0;
  #fundingStale = true;
  /**
   * Funding payments not known to be journaled (null: none): from `from` (exclusive of what the
   * journal held then) to `until`, the oldest payment of a stream snapshot that did not reach
   * back to `from` (fundingSnapshot). The next read goes on from `from`.
   */
  #gap: { from: number; until: number } | null = null;

  constructor(options: PnlKeeperOptions) {
    this.#o = options;
    this.#can = runPolicy(options.mode);
  }

  /**
   * After the run is journaled: where the copy began and its totals so far (one read of every
   * fill since — not for a dry run, whose P&L is its own from its first read: startModel). A
   * paper run's account is new: its copy begins with the run (Journal.copyStart), and the
   * leaders' shares an earlier paper account left are set aside (cleared in the journal too,
   * held with the run's start as the rest of that account's copy state).
   */
  begin(): void {
    const j = this.#o.journal;
    this.#start = j.copyStart();
    if (this.#can.newAccountEachRun) {
      this.#shares = {};
      if (this.#can.journals && j.getCopyState<LeaderShares>(SHARES_KEY) !== null)
        j.setCopyState(SHARES_KEY, null, this.#o.now());
    } else this.#shares = j.getCopyState<LeaderShares>(SHARES_KEY) ?? {};
    const since = this.#start?.since;
    this.#totals =
      since === undefined || this.#can.previewsLive
        ? {}
        : foldPnl(
            copyFills(j.pnlFillsSince(since)),
            j.fundingSince(since).flatMap((f) => copyFunding(f) ?? []),
          );
  }

  /**
   * A dry run's P&L is its own: from `since`, when its account model started at `startEquity`
   * (engine: dryRunExecutor), over the fills it models — not the real copy's history.
   */
  startModel(since: number, startEquity: number): void {
    this.#start = { since, startEquity };
    this.#totals = {};
  }

  /** When the copy began (ms), or null (a dry run on a fresh journal). */
  get since(): number | null {
    return this.#start?.since ?? null;
  }

  /**
   * A fill was journaled (fresh) with `kind` (null: hlcopy did not place it) and `copySz` (as
   * journaled with it: Journal.recordFill's); the copy's P&L counts its part that is the copy's
   * (copyFill).
   */
  onFill(
    f: Pick<Fill, "time" | "coin" | "px" | "sz" | "fee" | "closedPnl">,
    kind: OrderKind | null,
    copySz: number | null,
  ): void {
    const since = this.since;
    const part = since !== null && f.time >= since ? copyFill({ ...f, kind, copySz }) : null;
    if (part) this.#totals = addFill(this.#totals, part);
  }

  /** Funding payments from the stream or a read: journaled once each, counted from the copy's start. */
  onFunding(payments: readonly FundingFact[]): void {
    const o = this.#o;
    // Funding is paid on our account on the exchange: an account of the run's own pays none.
    if (this.#can.modelsAccount) return;
    const since = this.since;
    for (const p of payments) {
      // The copy's part, by what hlcopy managed when it was paid (copyFundingShare), journaled
      // with the payment: every view then reads the same figure.
      const share = copyFundingShare(o.managedAt(p.time)[p.coin] ?? 0, p.szi);
      const copyUsdc = share === 0 ? 0 : p.usdc * share;
      const fresh = o.journal.recordFunding({
        runId: o.runId(),
        ts: p.time,
        coin: p.coin,
        usdc: p.usdc,
        szi: p.szi,
        rate: p.fundingRate,
        hash: p.hash,
        copyUsdc,
      });
      if (!fresh || since === null || p.time < since) continue;
      const part = copyFunding({ coin: p.coin, usdc: p.usdc, copyUsdc });
      if (part) this.#totals = addFunding(this.#totals, part);
      o.emit({
        type: "funding",
        ts: o.now(),
        coin: p.coin,
        usdc: p.usdc,
        copyUsdc,
        szi: p.szi,
        fundingRate: p.fundingRate,
        time: p.time,
      });
    }
  }

  /**
   * The stream's snapshot of our funding (on subscribe and each resubscribe), before its payments
   * are journaled. It holds only the account's newest payments (the exchange does not say how
   * many: the simulator's 2,000): when all of them are newer than where the journal's payments
   * end (its last, or the copy's start), those made between — while no run watched, or while the
   * stream was down — may be in neither; the snapshot's newest, journaled, would move the next
   * read's start past them, and the copy P&L would miss them silently. So the next sweep reads
   * them back from there (one read, only when the snapshot does not reach back).
   */
  fundingSnapshot(payments: readonly FundingFact[]): void {
    const since = this.since;
    if (this.#can.modelsAccount || payments.length === 0 || since === null) return;
    let from: number;
    try {
      from = Math.max(since, this.#o.journal.lastFundingTime() ?? 0);
    } catch {
      return; // an unreadable journal: nothing to compare with (its writes warn on their own)
    }
    let oldest = Number.POSITIVE_INFINITY;
    for (const p of payments) if (p.time < oldest) oldest = p.time;
    if (oldest <= from) return;
    this.#gap = {
      from: Math.min(this.#gap?.from ?? from, from),
      until: Math.max(this.#gap?.until ?? oldest, oldest),
    };
    this.#fundingStale = true;
  }

  /** The stream may have missed payments: the next sweep reads the records. */
  reconnected(): void {
    this.#fundingStale = true;
  }

  /**
   * Read the exchange's funding records since the last one journaled: at a run's first sweep
   * (a cron reconcile reads them once), after a reconnect (the stream may have missed some) and
   * hourly (funding is paid hourly). Failures only warn; the next sweep tries again.
   */
  async readFunding(): Promise<void> {
    const o = this.#o;
    const since = this.since;
    if (this.#can.modelsAccount || !o.getFunding || since === null) return;
    const now = o.now();
    if (!this.#fundingStale && now - this.#fundingReadAt < FUNDING_READ_EVERY_MS) return;
    // After a stream's snapshot that did not reach back: from where the journal's payments ended.
    const gap = this.#gap;
    const from = Math.max(since, gap?.from ?? o.journal.lastFundingTime() ?? 0);
    try {
      o.countRequest();
      const payments = await o.getFunding(o.account, from);
      this.onFunding(payments);
      this.#fundingReadAt = now;
      this.#fundingStale = false;
      if (gap !== null && this.#gap === gap) {
        // A read reaches the snapshot's payments unless it stopped at its page cap first: then
        // the next sweep reads on from the newest it got.
        let newest = Number.NEGATIVE_INFINITY;
        for (const p of payments) if (p.time > newest) newest = p.time;
        if (newest === Number.NEGATIVE_INFINITY || newest >= gap.until) this.#gap = null;
        else {
          this.#gap = { from: newest, until: gap.until };
          this.#fundingStale = true;
        }
      }
    } catch (error) {
      o.emit({
        type: "warning",
        ts: o.now(),
        message: `funding records could not be read (the P&L misses them until the next sweep): ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  }

  /** The leaders' current shares of each coin's target (coins nobody holds keep their last). */
  updateShares(
    leaders: readonly { address: Address; positions: Readonly<Record<string, { size: number }>> }[],
    ratios: Readonly<Record<string, number>>,
  ): void {
    this.#shares = mergeShares(this.#shares, leaderShares(leaders, ratios));
  }

  /** Keep the shares for the next run and for `status`. */
  persist(): void {
    if (!this.#can.journals) return;
    this.#o.journal.setCopyState(SHARES_KEY, this.#shares, this.#o.now());
  }

  /**
   * The copy's P&L now, our positions valued at the markets' mids: of each, the part hlcopy
   * manages (`managed`; null: the account is the copy's own — paper, a dry run's model).
   */
  report(positions: Positions, markets: Markets, managed: ManagedPositions | null): CopyPnl {
    if (this.#start && this.#start.startEquity === null) this.#start = this.#o.journal.copyStart();
    const marked = markedPositions(positions, markets);
    return copyPnl({
      totals: this.#totals,
      positions: managed === null ? marked : copyPositions(marked, managed),
      since: this.#start?.since ?? null,
      startEquity: this.#start?.startEquity ?? null,
      leaders: this.#o.leaders,
      shares: this.#shares,
    });
  }
}

/** Our positions with the mid each is valued at. */
export function markedPositions(positions: Positions, markets: Markets): MarkedPosition[] {
  return Object.values(positions)
    .filter((p) => p.size !== 0)
    .map((p) => ({
      coin: p.coin,
      size: p.size,
      entryPx: p.entryPx,
      markPx: markets[p.coin]?.mid ?? null,
    }))
    .sort((a, b) => (a.coin < b.coin ? -1 : 1));
}

/** Samples of the run's execution slippage kept for the budget's p95 (the dashboard keeps as many). */
export const BUDGET_WINDOW = 500;

/**
 * exec.slippageBudgetBps: the p95 of this run's last BUDGET_WINDOW execution slippages, checked
 * after every fill; a `slippageBudget` event when it crosses the budget either way.
 */
export class SlippageWatch {
  /** The window in arrival order, and the same values kept sorted (a fill costs a binary search, not a sort). */
  readonly #samples: number[] = [];
  readonly #sorted: number[] = [];
  #exceeded = false;
  readonly #budget: number | null;
  readonly #emit: (e: EngineEvent) => void;

  constructor(budgetBps: number | null, emit: (e: EngineEvent) => void) {
    this.#budget = budgetBps;
    this.#emit = emit;
  }

  add(bps: number | null, ts: number): void {
    if (bps === null || !Number.isFinite(bps) || this.#budget === null) return;
    this.#samples.push(bps);
    this.#sorted.splice(lowerBound(this.#sorted, bps), 0, bps);
    if (this.#samples.length > BUDGET_WINDOW) {
      const old = this.#samples.shift() as number;
      this.#sorted.splice(lowerBound(this.#sorted, old), 1);
    }
    const n = this.#sorted.length;
    if (n < BUDGET_MIN_SAMPLES) return;
    // The same figure slippageBudget() gives (type-7 p95), from the sorted window, and the
    // same verdict: on the p95 as shown.
    const { p95Bps, exceeded } = budgetVerdict(quantileSorted(this.#sorted, 0.95), this.#budget);
    if (exceeded === this.#exceeded || p95Bps === null) return;
    this.#exceeded = exceeded;
    this.#emit({ type: "slippageBudget", ts, exceeded, p95Bps, budgetBps: this.#budget, n });
  }

  get state(): SlippageBudget {
    return slippageBudget(this.#samples, this.#budget);
  }
}
