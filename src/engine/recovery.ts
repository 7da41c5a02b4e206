// Our orders whose outcome is unknown (journaled pending, sent or uncertain: a process that
// stopped between intent and reply, a reply lost, a send that threw) are looked up by cloid and
// take their real outcome in the journal, fills included — at start-up (waiting out an order not
// on the exchange yet before anything is planned) and before each sweep (never waiting, never
// blocking the sweep). Nothing is ever re-sent.
//
// How a look-up is read is core/orders.ts resolveByLookup: the one reading, the adapter's
// resolveUncertain (right after an uncertain send) uses it too, so one order never gets two
// statuses. This part is the I/O around it: which rows, the reads, the waits, what a failure
// leaves. It reaches the engine only through RecoveryPort.

import { toHlcopyError } from "../core/errors.js";
import { detailNumber } from "../core/format.js";
import { historyCutWhy } from "../core/history.js";
import { type OrderResult, resolveByLookup, UNRESOLVED_ORDER_STATUSES } from "../core/orders.js";
import { kindOfReason } from "../core/slippage.js";
import type { Address, Fill } from "../core/types.js";
import type { Journal, OrderRow } from "../store/journal.js";
import type { EngineEvent } from "./events.js";
import { fillHistoryRead } from "./fill-history.js";
import type { EngineReader } from "./ports.js";

/** What the recovery needs from the engine, and nothing else. */
export interface RecoveryPort {
  /** The orders left unresolved, and where their outcome is written. */
  journal: Pick<Journal, "ordersInState" | "updateOrder">;
  /** The look-up by cloid; our fills since a time (absent: a resolved order's fills come by the stream only). */
  reader: Pick<EngineReader, "lookupOrderByCloid" | "getFillsByTime" | "getFillHistory">;
  /** Our account (the orders' and fills' owner). */
  account: Address;
  /**
   * How long after its journal time an order not found counts as never placed: its expiry
   * (expiresAfter, the send + the adapter's TTL) plus clock skew.
   */
  settleMs: number;
  now: () => number;
  emit: (event: EngineEvent) => void;
  /**
   * A read before the run's first sweep succeeded: transient failures retried with backoff
   * until the start-up deadline (later: one try). The engine's start-up read.
   */
  startupRead: <T>(what: string, read: () => Promise<T>) => Promise<T>;
  /** One request to the exchange was made. */
  countRequest: () => void;
  /** Whether the order is being sent right now (its own result is coming: not looked up). */
  inFlight: (cloid: string) => boolean;
  /** Journal one of our fills of the order `cloid` (with what the engine measures its fills against). */
  recordOurFill: (fill: Fill, cloid: string) => void;
  /** The order `cloid` took its real outcome in the journal (the engine then reads our account again before planning its coin). */
  resolved?: (cloid: string) => void;
}

export class OrderRecovery {
  readonly #p: RecoveryPort;

  constructor(port: RecoveryPort) {
    this.#p = port;
  }

  /**
   * The start-up pass: every order an earlier run left unresolved is looked up by cloid (each
   * look-up retried as a start-up read) and journaled with its real outcome, so the next plan
   * sees it and nothing is sent twice. An order not found is waited for until its expiry window
   * has passed (it may still arrive), then closed as never placed. Returns how many were looked up.
   */
  async recoverOrders(): Promise<number> {
    const p = this.#p;
    const rows = p.journal.ordersInState(UNRESOLVED_ORDER_STATUSES);
    const settleMs = p.settleMs;
    for (const row of rows) {
      let told = false;
      for (;;) {
        const lookup = await p.startupRead(`the lookup of order ${row.cloid} (${row.coin})`, () => {
          p.countRequest();
          return p.reader.lookupOrderByCloid(p.account, row.cloid);
        });
        const now = p.now();
        const resolved = resolveByLookup(row.cloid, lookup, now, row.ts + settleMs);
        if (resolved) {
          await this.#applyResolved(row, resolved);
          break;
        }
        if (!told) {
          told = true;
          p.emit({
            type: "warning",
            ts: now,
            message: `order ${row.cloid} (${row.coin}) from an earlier run is not on the exchange yet: waiting up to ${Math.ceil((settleMs - (now - row.ts)) / 1000)}s for its expiry before planning`,
          });
        }
        await new Promise((r) => setTimeout(r, Math.min(1_000, settleMs - (now - row.ts))));
      }
    }
    if (rows.length > 0) {
      p.emit({
        type: "warning",
        ts: p.now(),
        message: `${rows.length} order(s) left unresolved by an earlier run were looked up by cloid`,
      });
    }
    return rows.length;
  }

  /**
   * Before each sweep plans: every order still unresolved (uncertain after its look-ups kept
   * failing, or left sent by a send that threw) is looked up again by cloid, so its status,
   * fills and P&L become right within the run. A look-up that fails leaves it for the next
   * sweep (with a warning); one not found is "never placed" only once its expiry has passed.
   * An order being sent right now is skipped. Never waits, never re-sends.
   */
  async resolveUnresolved(): Promise<void> {
    const p = this.#p;
    const rows = p.journal.ordersInState(UNRESOLVED_ORDER_STATUSES);
    for (const row of rows) {
      // Being sent right now (a hot-path plan while this sweep reads): its own result comes.
      if (p.inFlight(row.cloid)) continue;
      try {
        p.countRequest();
        const lookup = await p.reader.lookupOrderByCloid(p.account, row.cloid);
        const resolved = resolveByLookup(row.cloid, lookup, p.now(), row.ts + p.settleMs);
        if (resolved) await this.#applyResolved(row, resolved, true);
      } catch (error) {
        p.emit({
          type: "warning",
          ts: p.now(),
          message: `order ${row.cloid} (${row.coin}) is still uncertain: ${toHlcopyError(error).message}; looked up again next sweep`,
        });
      }
    }
  }

  /**
   * A resolved order takes its real outcome in the journal (one reading: core/orders.ts), fills
   * included. `tell`: an order of this run, whose `uncertain` the views showed — its outcome is
   * told as an order event too (the leader's trades it was for leave "outcome unknown" for
   * copied or missed: core/leader-trades.ts); an earlier run's, resolved at start, is not.
   */
  async #applyResolved(row: OrderRow, r: OrderResult, tell = false): Promise<void> {
    const p = this.#p;
    p.journal.updateOrder(row.cloid, {
      ts: p.now(),
      status: r.status,
      filledSize: r.filledSize,
      avgPx: r.avgPx,
      ...(r.oid === undefined ? {} : { oid: r.oid }),
      ...(r.error ? { error: r.error } : {}),
    });
    p.resolved?.(row.cloid);
    if (tell)
      p.emit({
        type: "order",
        ts: p.now(),
        coin: row.coin,
        side: row.side,
        size: row.size,
        limitPx: row.limitPx,
        reduceOnly: row.reduceOnly,
        cloid: row.cloid,
        reason: row.reason,
        kind: row.kind ?? kindOfReason(row.reason) ?? "copy",
        status: r.status,
        filledSize: r.filledSize,
        avgPx: r.avgPx,
        ...(r.error ? { error: r.error } : {}),
      });
    // Its fills may never have come by the stream (the stream was down, or the process was
    // not running): read them, so fills and P&L are right (the journal keeps each tid once).
    const read = fillHistoryRead(p.reader, p.now, true);
    if (r.filledSize > 0 && read) {
      try {
        p.countRequest();
        const { fills, cut } = await read(p.account, row.ts - 1_000);
        let found = 0;
        for (const f of fills) {
          if (f.cloid?.toLowerCase() !== row.cloid.toLowerCase()) continue;
          p.recordOurFill(f, row.cloid);
          found += f.sz;
        }
        // The read could not reach all of the order's fills (an order an earlier run left
        // unresolved, looked up after more than the exchange's 10,000 most recent fills of the
        // account, or a read stopped at its page cap): the look-up says how much filled, and
        // the fills missing from the journal are said — fees and the copy P&L miss them.
        if (cut && found < r.filledSize * (1 - 1e-9))
          p.emit({
            type: "warning",
            ts: p.now(),
            message: `order ${row.cloid} (${row.coin}) filled ${detailNumber(r.filledSize)}, but only ${detailNumber(found)} of its fills could be read (${historyCutWhy(cut)}): the journal, fees and the copy P&L miss the rest`,
          });
      } catch (error) {
        p.emit({
          type: "warning",
          ts: p.now(),
          message: `the fills of order ${row.cloid} (${row.coin}) could not be read: ${toHlcopyError(error).message}`,
        });
      }
    }
  }
}
