// What a run mode lets a run do (issue 16): each question the engine and its parts ask of the
// mode — does this run send real orders, write the journal, keep an account of its own … — as
// one named capability, computed once from the mode. The parts test the capability that says
// why, not the mode; the mode itself is only shown (the start event, messages).

import type { RunMode } from "./events.js";

/** The capabilities of a run, by its mode (see runPolicy). */
export interface RunPolicy {
  /**
   * Orders reach the exchange, signed with the trader's key: the run unlocks the key, has its
   * first plan reviewed, sets leverage and may take the on-exit step. Live only: a paper run
   * fills on its own model, a dry run sends nothing — neither leaves anything on the exchange.
   */
  readonly sendsOrders: boolean;
  /**
   * Writes the journal: its run, orders, fills, equity, halts, pauses and the copy's state. Not
   * a dry run: it writes nothing, so status, report and the journal only show runs that could
   * trade, and its halt (in memory only) never stops the trader's real runs.
   */
  readonly journals: boolean;
  /**
   * The run keeps an account of its own, all of it the run's (paper: from its starting equity;
   * a dry run: a model of ours from its first read), instead of ours on the exchange: our
   * account's fills, funding, equity and positions hlcopy did not open are not the run's, and
   * are not read or counted after the start.
   */
  readonly modelsAccount: boolean;
  /**
   * Places orders that rest on the book: resting stops / take-profits and passive entries.
   * Live only: paper and dry runs fill every order at once on a model of the book, and do not
   * simulate orders that rest.
   */
  readonly restsOrders: boolean;
  /**
   * Looks up orders whose outcome is unknown (pending, sent, uncertain) by cloid and journals
   * what the exchange says. Live only: only an order sent to the exchange can be unknown.
   */
  readonly recoversOrders: boolean;
  /**
   * Shows what a live run on our account would do, sending and writing nothing (a dry run): the
   * engine fills its plans on a model of our account taken at its first read — which brings
   * that account's cash flows and fills with it, never read again — and it says once what the
   * live run's first sweep would cancel of an earlier run's triggers.
   */
  readonly previewsLive: boolean;
  /**
   * Each run trades a new account of its own (paper: flat, from its starting equity): the
   * journal's high-water mark, day's start, daily loss stop and halts from before the run were
   * an earlier account's, and a new account is never a drawdown of the old one. A dry run's
   * model is our account as it is: what the journal holds of it is its own.
   */
  readonly newAccountEachRun: boolean;
}

const POLICIES: Readonly<Record<RunMode, RunPolicy>> = Object.freeze({
  live: Object.freeze({
    sendsOrders: true,
    journals: true,
    modelsAccount: false,
    restsOrders: true,
    recoversOrders: true,
    previewsLive: false,
    newAccountEachRun: false,
  }),
  paper: Object.freeze({
    sendsOrders: false,
    journals: true,
    modelsAccount: true,
    restsOrders: false,
    recoversOrders: false,
    previewsLive: false,
    newAccountEachRun: true,
  }),
  "dry-run": Object.freeze({
    sendsOrders: false,
    journals: false,
    modelsAccount: true,
    restsOrders: false,
    recoversOrders: false,
    previewsLive: true,
    newAccountEachRun: false,
  }),
});

/** The capabilities of a run in `mode` (pure: the same object for the same mode). */
export function runPolicy(mode: RunMode): RunPolicy {
  return POLICIES[mode];
}
