// Our fills and what each is measured against: the reference an order leaves when it is sent
// (its kind, why it was sent, the touch, the leader's fill price and time), each fill journaled
// with its slippage, lag and the copy's part of it, then told to the safety rules, the P&L and
// the execution-slippage budget. Also the reads of our fills where no stream brings them (a
// reconcile, a stop's last read, a dry run's first read) and whether a cloid is one of ours.

import { toHlcopyError } from "../core/errors.js";
import { type HistoryCut, ownFillsCutText } from "../core/history.js";
import { closesBeyondCopy, copySizeOfFill, forcedCloseKind } from "../core/pnl.js";
import { protectionKind } from "../core/protection.js";
import { type OrderKind, orderKind, slippageBps } from "../core/slippage.js";
import type { Address, Fill, ReasonCode } from "../core/types.js";
import type { FillRow, Journal } from "../store/journal.js";
import type { CopyState } from "./copy-state.js";
import { type PnlKeeper, SlippageWatch } from "./figures.js";
import { fillHistoryRead } from "./fill-history.js";
import type { EngineReader, PartBase } from "./ports.js";
import type { SafetyWatch } from "./safety-watch.js";

/** What one of our orders' fills are measured against (src/core/slippage.ts). */
export interface FillRef {
  kind: OrderKind;
  /** Why it was sent (what it may close: core/pnl.ts closesBeyondCopy). */
  reason: ReasonCode;
  /** The touch when it was decided: execution slippage. */
  touchPx: number | null;
  /** The leader's fill price and time: copy slippage and lag (hot-path copies only). */
  leaderPx: number | null;
  leaderTime: number | null;
}

/** cloid → slippage/lag reference kept for the fills still to come. */
const MAX_REFS = 10_000;

export interface OurFillsOptions extends Pick<PartBase, "emit" | "now" | "runId" | "countRequest"> {
  journal: Pick<Journal, "recordFill" | "getOrder" | "latestEquity" | "fillsSince" | "lastFillTime">;
  reader: Pick<EngineReader, "getFillsByTime" | "getFillHistory">;
  account: Address;
  /** The run keeps an account of its own (paper, a dry run): all its fills are the copy's. */
  modelsAccount: boolean;
  copyState: Pick<CopyState, "managedAt">;
  safety: Pick<SafetyWatch, "fill">;
  pnl: Pick<PnlKeeper, "onFill" | "since">;
  /** exec.slippageBudgetBps (null: no budget). */
  slippageBudgetBps: number | null;
  /** Our fills come on a stream (else they are read back). */
  streaming: () => boolean;
  /** The account hlcopy keeps itself (paper's, a seeded dry run's) is the run's. */
  ownAccount: () => boolean;
  /** A fill was journaled: the next account reading is its equity, the run's state is due. */
  /** A fill of ours was journaled; `time` is the exchange's time of it (ms). */
  recorded: (time: number) => void;
}

export class OurFills {
  readonly #o: OurFillsOptions;
  /** cloid → what our fill is measured against (leader price and time: hot-path copies only). */
  readonly #refs = new Map<string, FillRef>();
  readonly #slippage: SlippageWatch;
  /** A trade-id clash in the journal was warned about (once a run). */
  #fillConflictWarned = false;
  /**
   * Where our fills are read back from though a stream brings them (null: nowhere): a stream's
   * snapshot did not reach back to the journal's last fill (snapshot).
   */
  #gapFrom: number | null = null;

  constructor(options: OurFillsOptions) {
    this.#o = options;
    this.#slippage = new SlippageWatch(options.slippageBudgetBps, (e) => options.emit(e));
  }

  /** What an order of this run sent with `cloid` is measured against (kept for its fills to come). */
  remember(cloid: string, ref: FillRef): void {
    this.#refs.set(cloid, ref);
    // Bounded: a fill arrives within seconds of its order; weeks of orders need not stay.
    if (this.#refs.size > MAX_REFS) this.#refs.delete(this.#refs.keys().next().value as string);
  }

  /** The reference of this run's order `cloid` (undefined: not one this run sent). */
  ref(cloid: string): FillRef | undefined {
    return this.#refs.get(cloid);
  }

  /**
   * Journal and count one of our account's fills; true when it is new and the run's model has
   * not taken it from an order's result: of no order of ours, or a resting stop or take-profit
   * of ours that fired.
   */
  record(f: Fill, known: FillRef | undefined): boolean {
    // A fill of an order another run (or process) placed: its references are the journal's.
    const ref = known ?? (f.cloid ? this.#refFromJournal(f.cloid) : undefined);
    const lagMs = ref?.leaderTime != null ? Math.max(0, f.time - ref.leaderTime) : null;
    const slip = ref ? slippageBps(f.side, f.px, ref.leaderPx) : null;
    const exec = ref ? slippageBps(f.side, f.px, ref.touchPx) : null;
    // A fill of no order of ours (a liquidation, an ADL, the trader's close by hand) may close
    // what hlcopy opened: that part is the copy's, by what hlcopy managed just before it (not by
    // what a sweep since has saved) — the position's P&L stays in the copy P&L, realised. A
    // safety close of ours (a flatten, the kill switch, the on-exit flatten) closes every
    // position, those hlcopy did not open too — as does risk.closeDenied a denied coin's: by the
    // same rule only hlcopy's part of what it closed is the copy's, the rest stays outside
    // hlcopy. (Other orders of ours trade only what hlcopy manages: all theirs.) A paper or dry
    // run's account is all its own.
    const forced = forcedCloseKind(f);
    const split = !ref || (!this.#o.modelsAccount && closesBeyondCopy(ref.kind, ref.reason));
    const copySz = split
      ? copySizeOfFill(this.#o.copyState.managedAt(f.time)[f.coin] ?? 0, f, ref !== undefined)
      : undefined;
    const { recorded, conflict, kind, ...journaled } = this.#o.journal.recordFill({
      runId: this.#o.runId(),
      tid: f.tid,
      ts: f.time,
      coin: f.coin,
      side: f.side,
      px: f.px,
      sz: f.sz,
      fee: f.fee,
      cloid: f.cloid,
      oid: f.oid,
      closedPnl: f.closedPnl,
      ...(ref ? { leaderPx: ref.leaderPx, touchPx: ref.touchPx, kind: ref.kind } : {}),
      lagMs,
      ...(copySz !== undefined ? { copySz } : {}),
      forced,
    });
    if (conflict) this.#warnFillConflict(f, conflict, recorded);
    if (!recorded) return false;
    this.#o.recorded(f.time);
    this.#o.safety.fill({ closedPnl: f.closedPnl, fee: f.fee, time: f.time });
    this.#o.pnl.onFill(f, kind, journaled.copySz);
    this.#o.emit({
      type: "fill",
      ts: this.#o.now(),
      coin: f.coin,
      side: f.side,
      px: f.px,
      sz: f.sz,
      fee: f.fee,
      cloid: f.cloid,
      kind: ref?.kind ?? null,
      copySz: journaled.copySz,
      execSlippageBps: exec,
      slippageBps: slip,
      lagMs,
    });
    this.#slippage.add(exec, this.#o.now());
    return ref === undefined || protectionKind(ref.reason) !== null;
  }

  /**
   * A fill under a trade id the journal already holds for another fill: the exchange handed the
   * id out twice (a simulator restarted on the same port did). Said once a run, loudly — the
   * journal keeps both unless they share time and order too, and then P&L and fees miss one.
   */
  #warnFillConflict(f: Fill, earlier: FillRow, kept: boolean): void {
    if (this.#fillConflictWarned) return;
    this.#fillConflictWarned = true;
    const at = (ms: number) => new Date(ms).toISOString().replace("T", " ").slice(0, 23);
    this.#o.emit({
      type: "warning",
      ts: this.#o.now(),
      message:
        `fill ${f.coin} ${f.side} ${f.sz} @ ${f.px} (${at(f.time)} UTC, oid ${f.oid}) has trade id ${f.tid}, which the ` +
        `journal already holds for another fill, ${earlier.coin} ${earlier.side} ${earlier.sz} @ ${earlier.px} ` +
        `(${at(earlier.ts)} UTC, oid ${earlier.oid ?? "none"}): the exchange reused its trade ids (a restarted simulator?); ` +
        (kept ? "both are kept" : "this one could not be journaled, so P&L and fees miss it") +
        ". Said once a run",
    });
  }

  /** What a journaled order's fills are measured against (it was placed by an earlier run). */
  #refFromJournal(cloid: string): FillRef | undefined {
    const row = this.#o.journal.getOrder(cloid);
    if (!row) return undefined;
    return {
      kind: row.kind ?? orderKind("sweep", row.reason, false),
      reason: row.reason as ReasonCode,
      touchPx: row.touchPx,
      leaderPx: row.kind === "copy" ? row.leaderPx : null,
      leaderTime: null,
    };
  }

  /**
   * A dry run's first read: the account's fills since the journal's last reading of it (a trade
   * by hand while no run watched). A live run journals them as it starts (the fills stream's
   * snapshot, a reconcile's read of our fills) and they explain the change of the cash since
   * that reading (SafetyWatch.fill): a loss by hand is a loss, not a cash flow waiting for the
   * ledger. A dry run journals nothing, so it reads them to come to the live run's verdict.
   */
  async readDryRunFills(): Promise<Fill[] | null> {
    const o = this.#o;
    const read = fillHistoryRead(o.reader, o.now, true);
    if (!read || this.#o.ownAccount()) return null;
    const from = o.journal.latestEquity()?.ts;
    if (from === undefined) return null;
    try {
      this.#o.countRequest();
      const { fills, cut } = await read(o.account, from);
      // Fills the read could not reach leave their part of the cash change unexplained.
      if (cut) this.#warnCut(cut, "a change of your account's cash they made stays unexplained");
      const key = (tid: number | null, oid: number | null, ts: number) => `${tid}|${oid}|${ts}`;
      const known = new Set(o.journal.fillsSince(from).map((f) => key(f.tid, f.oid, f.ts)));
      return fills.filter((f) => !known.has(key(f.tid, f.oid, f.time)));
    } catch (error) {
      this.#o.emit({
        type: "warning",
        ts: this.#o.now(),
        message: `your account's fills could not be read (a change of its cash since the last run stays unexplained): ${toHlcopyError(error).message}`,
      });
      return null;
    }
  }

  /**
   * A stream's snapshot of our fills (on subscribe and each resubscribe), before its fills are
   * journaled. It holds only the account's newest fills (userFills: at most 2,000): when all of
   * them are newer than the journal's last fill, the fills made between — while no run watched,
   * or while the stream was down — may be in neither, and the journal, fees and the copy P&L
   * would miss them silently. The next read of our fills (the next sweep's, else the stop's)
   * then reads them back from the journal's last fill, with a stream too: one request, only when
   * the snapshot does not reach that fill.
   */
  snapshot(fills: readonly Fill[]): void {
    if (fills.length === 0) return;
    let last: number | null;
    try {
      last = this.#o.journal.lastFillTime();
    } catch {
      return; // an unreadable journal: nothing to compare with (its writes warn on their own)
    }
    if (last === null) return;
    let oldest = Number.POSITIVE_INFINITY;
    for (const f of fills) if (f.time < oldest) oldest = f.time;
    if (oldest > last) this.#gapFrom = Math.min(this.#gapFrom ?? last, last);
  }

  /**
   * Without a stream (a cron reconcile) our fills are read back: those of this run's orders,
   * and whatever filled since the last journaled fill (a resting stop, a liquidation, a manual
   * trade), so fees and P&L count every fill; `always`: with a stream too (at stop). Failures
   * only warn; the next run reads again.
   * @returns whether a fill new to the journal changed the account outside the run's model (of
   *   no order of ours, or a resting trigger of ours that fired).
   */
  async readOwnFills(always = false): Promise<boolean> {
    const o = this.#o;
    const since = this.#o.pnl.since;
    const gap = this.#gapFrom;
    if (
      (this.#o.streaming() && !always && gap === null) ||
      this.#o.modelsAccount ||
      !(o.reader.getFillsByTime || o.reader.getFillHistory) ||
      since === null
    )
      return false;
    const read = fillHistoryRead(o.reader, o.now, true);
    if (!read) return false;
    try {
      // Inside the try: at stop, a journal that cannot be read only warns (this read is best-effort).
      // After a stream's snapshot that did not reach the journal's last fill: from that fill.
      const from = Math.max(since, gap ?? o.journal.lastFillTime() ?? 0);
      this.#o.countRequest();
      const { fills, cut } = await read(o.account, from);
      // Read: a page cap leaves the newest for the next read (the journal's newest fill is the
      // snapshot's by now, so the gap's read resumes where this one stopped).
      if (gap !== null) this.#gapFrom = cut?.reason === "page-cap" ? cut.end : null;
      // Cut by the exchange's limit: the oldest fills since the journal's last are gone from the
      // exchange, and the journal, fees and the copy P&L miss them for good — said, not silent.
      // Cut by the page cap: the newest wait, read from the last journaled fill at the next read.
      if (cut)
        this.#warnCut(
          cut,
          cut.reason === "exchange-limit"
            ? "the journal, fees and the copy P&L miss those fills for good"
            : "the rest are read at the next read",
        );
      let outside = false;
      for (const f of fills)
        if (this.record(f, f.cloid ? this.#refs.get(f.cloid) : undefined)) outside = true;
      return outside;
    } catch (error) {
      this.#o.emit({
        type: "warning",
        ts: this.#o.now(),
        message: `our fills could not be read (fees and P&L miss them until the next run): ${toHlcopyError(error).message}`,
      });
      return false;
    }
  }

  /** A read of our fills did not cover the span asked (core/history.ts): said as a warning, journaled. */
  #warnCut(cut: HistoryCut, meaning: string): void {
    this.#o.emit({ type: "warning", ts: this.#o.now(), message: `${ownFillsCutText(cut)}: ${meaning}` });
  }

  /** Whether a cloid is one of our orders (this run's, or any the journal holds). */
  sentByUs(cloid: string | null | undefined): boolean {
    if (!cloid) return false;
    try {
      return this.#o.journal.getOrder(cloid.toLowerCase()) !== null;
    } catch {
      return true; // unreadable journal: no extra sweep on a guess (the periodic one still runs)
    }
  }
}
