// How planned orders are carried out, behind one interface: live (the exchange, exactly
// once), paper (filled locally against the book we see, no key) — dry-run never executes.
// The engine journals intents before calling an executor and results after.

import { UncertainOutcomeError } from "../core/errors.js";
import type { Markets, PlannedAction } from "../core/types.js";
import type { OrderResult, SendOptions } from "./ports.js";

export interface Executor {
  readonly mode: "live" | "paper";
  /** One result per action, in order; never "uncertain" unless lookups themselves keep failing. */
  execute(actions: PlannedAction[], markets: Markets, options?: SendOptions): Promise<OrderResult[]>;
}

/** What the live executor needs from the adapter (HlClient satisfies it). */
export interface OrderSender {
  placeOrders(actions: PlannedAction[], markets: Markets, options?: SendOptions): Promise<OrderResult[]>;
  resolveUncertain(results: OrderResult[]): Promise<OrderResult[]>;
}

/**
 * Live: one batched request, then every uncertain result resolved by cloid lookup before
 * anything else happens. Nothing is ever re-sent here: the next plan sees the real position.
 */
export function liveExecutor(sender: OrderSender): Executor {
  return {
    mode: "live",
    async execute(actions, markets, options) {
      const results = await sender.placeOrders(actions, markets, options);
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

/** Taker fee the paper account pays (bps of notional), as on the exchange's base tier. */
export const PAPER_TAKER_FEE_BPS = 4.5;

/**
 * Paper: an IOC fills in full at the best price on its side (the mid when no book is known)
 * when that price is within its limit, otherwise it is cancelled as the exchange would.
 */
export function paperExecutor(): Executor {
  return {
    mode: "paper",
    async execute(actions, markets) {
      return actions.map((a): OrderResult => {
        const m = markets[a.coin];
        if (!m)
          return { cloid: a.cloid, status: "rejected", filledSize: 0, avgPx: null, error: "unknown market" };
        const px = a.side === "buy" ? (m.bestAsk ?? m.mid) : (m.bestBid ?? m.mid);
        const marketable = a.side === "buy" ? px <= a.limitPx : px >= a.limitPx;
        if (!marketable) {
          return {
            cloid: a.cloid,
            status: "rejected",
            filledSize: 0,
            avgPx: null,
            error: "Order could not immediately match against any resting orders.",
          };
        }
        return { cloid: a.cloid, status: "filled", filledSize: a.size, avgPx: px };
      });
    },
  };
}
