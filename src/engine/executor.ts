// How planned orders are carried out, behind one interface: live (the exchange, exactly
// once), paper (filled locally against the book we see, no key, with its own account) and
// dry-run (filled the same way, on a model of the real account: nothing is sent). Paper and
// dry-run share one fill model (fillAgainstBook: an IOC walking the exchange's l2Book up to its
// limit) and one account (localAccount). The engine journals intents before calling a sending
// executor and results after; it has no paper or dry-run model of its own: they live here.

import { TAKER_FEE_BPS } from "../core/caps.js";
import { UncertainOutcomeError } from "../core/errors.js";
import { applyFillStep, type TrackedPosition } from "../core/fills.js";
import type { OrderResult, RateLimitResend, SendOptions } from "../core/orders.js";
import { closedPnlOf } from "../core/pnl.js";
import type { AccountState, Fill, Markets, PlannedAction, Positions } from "../core/types.js";

/**
 * An account hlcopy keeps itself (paper's, a dry run's): what it is worth at these positions and
 * marks, and the fills its executions made (taken once).
 */
export interface OwnAccount {
  value(positions: Positions, markets: Markets): number;
  takeFills(): Fill[];
  /**
   * A dry run's account starts as the real account was at the run's first read (`seed`); until
   * then it is not the account (false), and the exchange's is read. Absent: it starts flat with
   * its own equity (paper).
   */
  readonly seeded?: boolean;
  /** Start from the real account as read: returns it with its positions' entries at the mids. */
  seed?(real: AccountState, markets: Markets): AccountState;
}

/**
 * A book reader on a reader that has the exchange's `l2Book` (HlClient's getTopOfBook), each
 * read told to `onRead` (the engine counts requests); undefined without one.
 */
export function bookReaderOf(
  reader: { getTopOfBook?(coin: string): Promise<{ levels?: PaperBook }> },
  onRead: () => void = () => {},
): PaperBookReader | undefined {
  const read = reader.getTopOfBook?.bind(reader);
  if (!read) return undefined;
  return async (coin) => {
    onRead();
    return (await read(coin)).levels;
  };
}

export interface Executor {
  /** dry-run: sends nothing, and nothing of it is journaled (its fills move the model only). */
  readonly mode: "live" | "paper" | "dry-run";
  /** One result per action, in order; never "uncertain" unless lookups themselves keep failing. */
  execute(actions: PlannedAction[], markets: Markets, options?: SendOptions): Promise<OrderResult[]>;
  /** An account of its own (paper, dry-run). Absent: the exchange holds it (live), our fills come by its stream. */
  readonly account?: OwnAccount;
}

/** What the live executor needs from the adapter (HlClient satisfies it). */
export interface OrderSender {
  placeOrders(actions: PlannedAction[], markets: Markets, options?: SendOptions): Promise<OrderResult[]>;
  resolveUncertain(results: OrderResult[]): Promise<OrderResult[]>;
}

/**
 * Live: one batched request, then every uncertain result resolved by cloid lookup before
 * anything else happens. An order whose outcome is unknown is never re-sent here: the next plan
 * sees the real position. `resendOnRateLimit` (one-shot commands: reconcile, flatten, which have
 * no next plan): a batch the exchange refused with HTTP 429 — nothing ran — is sent again, the
 * same cloids, after each backoff (the adapter's placeOrders); follow leaves it out and re-plans.
 */
export function liveExecutor(
  sender: OrderSender,
  own: { resendOnRateLimit?: RateLimitResend } = {},
): Executor {
  return {
    mode: "live",
    async execute(actions, markets, options) {
      // follow's copies (no resend) pass their options on as they came: no object per batch.
      const resend = own.resendOnRateLimit;
      const results = await sender.placeOrders(
        actions,
        markets,
        resend ? { ...options, resendOnRateLimit: resend } : options,
      );
      if (!results.some((r) => r.status === "uncertain")) return results;
      try {
        return await sender.resolveUncertain(results);
      } catch (error) {
        // Lookups kept failing: keep what was learnt; the rest stay uncertain in the journal
        // and are looked up again before the next plan.
        if (error instanceof UncertainOutcomeError && Array.isArray(error.details.results)) {
          return error.details.results as OrderResult[];
        }
        throw error;
      }
    },
  };
}

/** Taker fee the paper account pays (bps of notional): the exchange's base tier (core/caps.ts). */
export const PAPER_TAKER_FEE_BPS = TAKER_FEE_BPS;

/** One price level of a book: price and size in coin units. */
export interface PaperBookLevel {
  px: number;
  sz: number;
}

/** A coin's book as the exchange shows it (`l2Book`: up to 20 levels a side, best first). */
export interface PaperBook {
  bids: PaperBookLevel[];
  asks: PaperBookLevel[];
}

/** Reads the exchange's current book of a coin (undefined when it has none). */
export type PaperBookReader = (coin: string) => Promise<PaperBook | undefined>;

const NO_MATCH = "Order could not immediately match against any resting orders.";

/**
 * Walk `levels` (best first) as an IOC would: take each level's size up to the order's size
 * while its price is within the limit. Consumes what it takes from `levels`, so orders of one
 * batch on one coin do not use the same depth twice.
 */
function walk(
  levels: PaperBookLevel[],
  side: "buy" | "sell",
  size: number,
  limitPx: number,
  szDecimals: number,
): { filled: number; avgPx: number | null } {
  const lot = 10 ** szDecimals;
  let remaining = Math.round(size * lot);
  let filledLots = 0;
  let notional = 0;
  for (const level of levels) {
    if (remaining <= 0) break;
    if (side === "buy" ? level.px > limitPx : level.px < limitPx) break;
    const lots = Math.min(remaining, Math.round(level.sz * lot));
    if (lots <= 0) continue;
    filledLots += lots;
    notional += (lots / lot) * level.px;
    remaining -= lots;
    level.sz = Math.max(0, (Math.round(level.sz * lot) - lots) / lot);
  }
  const filled = filledLots / lot;
  return { filled, avgPx: filledLots > 0 ? notional / filled : null };
}

/**
 * The one fill model of paper and dry runs: each IOC walks the exchange's book as the exchange
 * would match it — the `l2Book` read (20 levels a side) when the batch is executed, level by
 * level up to its limit — and fills what that book holds: in full, partly (the rest cancelled,
 * as an IOC), or not at all. The orders are not on the exchange, so they do not deplete its
 * book; orders of one batch on one coin do consume what the earlier ones took. Without a reader,
 * or when the read fails, it falls back to the best price hlcopy knows (the streamed top of book,
 * else the mid) for the whole size, if that is within the limit.
 */
export async function fillAgainstBook(
  actions: readonly PlannedAction[],
  markets: Markets,
  readBook?: PaperBookReader,
): Promise<OrderResult[]> {
  const coins = [...new Set(actions.map((a) => a.coin))];
  const books = new Map<string, PaperBook>();
  if (readBook) {
    await Promise.all(
      coins.map(async (coin) => {
        try {
          const book = await readBook(coin);
          if (book)
            books.set(coin, {
              bids: book.bids.map((l) => ({ ...l })),
              asks: book.asks.map((l) => ({ ...l })),
            });
        } catch {
          // No book this time: the top of book hlcopy knows stands in for it.
        }
      }),
    );
  }
  return actions.map((a): OrderResult => {
    const m = markets[a.coin];
    if (!m)
      return { cloid: a.cloid, status: "rejected", filledSize: 0, avgPx: null, error: "unknown market" };
    const book = books.get(a.coin);
    if (book) {
      const { filled, avgPx } = walk(
        a.side === "buy" ? book.asks : book.bids,
        a.side,
        a.size,
        a.limitPx,
        m.szDecimals,
      );
      if (filled <= 0 || avgPx === null) {
        return { cloid: a.cloid, status: "rejected", filledSize: 0, avgPx: null, error: NO_MATCH };
      }
      const full = filled >= a.size - 0.5 / 10 ** m.szDecimals;
      return { cloid: a.cloid, status: full ? "filled" : "partial", filledSize: filled, avgPx };
    }
    const px = a.side === "buy" ? (m.bestAsk ?? m.mid) : (m.bestBid ?? m.mid);
    const marketable = a.side === "buy" ? px <= a.limitPx : px >= a.limitPx;
    if (!marketable) {
      return { cloid: a.cloid, status: "rejected", filledSize: 0, avgPx: null, error: NO_MATCH };
    }
    return { cloid: a.cloid, status: "filled", filledSize: a.size, avgPx: px };
  });
}

/**
 * The cash of an account hlcopy keeps itself (paper's, a dry run's): each fill moves it by its
 * notional and pays the paper taker fee; the account is worth the cash plus its positions at
 * the mids (entry price without one).
 */
function cashLedger(start: number) {
  let cash = start;
  return {
    /** A fill at `px`; returns the fee it paid. */
    fill(side: PlannedAction["side"], size: number, px: number): number {
      const notional = size * px;
      const fee = (notional * PAPER_TAKER_FEE_BPS) / 1e4;
      cash += (side === "buy" ? -notional : notional) - fee;
      return fee;
    },
    value(positions: Positions, markets: Markets): number {
      let v = cash;
      for (const p of Object.values(positions)) v += p.size * (markets[p.coin]?.mid ?? p.entryPx);
      return v;
    },
    /** Cash such that the account is worth `value` with these positions. */
    worth(value: number, positions: Positions, markets: Markets): void {
      cash = 0;
      cash = value - this.value(positions, markets);
    },
  };
}

/**
 * The account of paper and dry runs: its cash (cashLedger), its positions (what each fill
 * closes is its closedPnl, as the exchange reports on a real fill) and the fills it made.
 */
function localAccount(equity: number) {
  const ledger = cashLedger(equity);
  let fills: Fill[] = [];
  let tid = 0;
  const held = new Map<string, TrackedPosition>();
  /** A local fill: cash moves by its notional and pays the taker fee. */
  const book = (a: PlannedAction, size: number, px: number): void => {
    const fee = ledger.fill(a.side, size, px);
    const time = Date.now();
    const pos = held.get(a.coin) ?? { size: 0, entryPx: 0, lastTime: 0, startsAtTime: [] };
    const closedPnl = closedPnlOf(pos, a.side, size, px);
    // The fill's own time: the applier keeps the positions before each fill of one millisecond,
    // so a constant time would grow that list for the whole run.
    applyFillStep(pos, { px, delta: a.side === "buy" ? size : -size, startPosition: pos.size, time });
    held.set(a.coin, pos);
    fills.push({
      coin: a.coin,
      px,
      sz: size,
      side: a.side,
      startPosition: 0,
      time,
      // Negative, so never an exchange trade id, and unique across runs (the journal keeps each
      // tid once): the time in µs-sized steps plus a counter.
      tid: -(time * 1000 + (tid++ % 1000)),
      hash: "",
      oid: 0,
      cloid: a.cloid,
      fee,
      feeToken: "USDC",
      closedPnl,
      dir: "",
      crossed: true,
      liquidation: false,
    });
  };
  return {
    /** The fills of these results booked; the results returned as they are. */
    settle(actions: readonly PlannedAction[], markets: Markets, out: OrderResult[]): OrderResult[] {
      out.forEach((r, i) => {
        const a = actions[i];
        if (a && r.filledSize > 0 && r.avgPx !== null && markets[a.coin]) book(a, r.filledSize, r.avgPx);
      });
      return out;
    },
    value: (positions: Positions, markets: Markets) => ledger.value(positions, markets),
    takeFills(): Fill[] {
      const out = fills;
      fills = [];
      return out;
    },
    /** Start from another account: worth `value` with these positions (entry prices as given). */
    seed(value: number, positions: Positions, markets: Markets): void {
      held.clear();
      for (const p of Object.values(positions))
        held.set(p.coin, { size: p.size, entryPx: p.entryPx, lastTime: 0, startsAtTime: [] });
      ledger.worth(value, positions, markets);
    },
  };
}

/** Paper: fillAgainstBook on a paper account that starts flat with `equity` (default $10 000). */
export function paperExecutor(readBook?: PaperBookReader, options: { equity?: number } = {}): Executor {
  const account = localAccount(options.equity ?? 10_000);
  return {
    mode: "paper",
    account: { value: account.value, takeFills: account.takeFills },
    async execute(actions, markets) {
      return account.settle(actions, markets, await fillAgainstBook(actions, markets, readBook));
    },
  };
}

/**
 * A dry run's executor. Nothing is sent, yet each plan should answer "what would you do now?"
 * as a live run would: after its earlier orders. So, as a paper account does, it keeps its own
 * cash and positions: it starts as the real account was at the run's first read (equity and
 * positions: the start checks ran on them; `seed`), and each planned order fills as paper's do
 * (fillAgainstBook: the book's prices up to the limit, the part the book does not hold at or
 * inside the limit not filled), paying the paper taker fee. The next plan starts from there, so
 * an order is planned once, not again at every leader event while the real position stays where
 * it was. Before it is seeded it fills nothing.
 */
export function dryRunExecutor(readBook?: PaperBookReader): Executor {
  const account = localAccount(0);
  let seeded = false;
  return {
    mode: "dry-run",
    account: {
      get seeded() {
        return seeded;
      },
      seed(real, markets) {
        // Its P&L is what the dry run does, not history: the positions it starts with are
        // valued from the mids of its first read.
        const positions: Positions = {};
        for (const [coin, p] of Object.entries(real.positions))
          positions[coin] = { ...p, entryPx: markets[coin]?.mid ?? p.entryPx };
        account.seed(real.accountValue, positions, markets);
        seeded = true;
        return { ...real, positions };
      },
      value: account.value,
      takeFills: account.takeFills,
    },
    async execute(actions, markets) {
      if (!seeded) return [];
      return account.settle(actions, markets, await fillAgainstBook(actions, markets, readBook));
    },
  };
}
