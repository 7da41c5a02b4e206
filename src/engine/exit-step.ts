// The end of a clean stop, after the last job: the on-exit step (EngineOptions.onExit: hold
// leaves everything, flatten closes every position reduce-only, protect makes sure each one has
// its resting stop), said and journaled; and the last reading of our account, so the equity the
// journal keeps — what `status` shows — is the one our last fills left.

import { OperationalError, toHlcopyError } from "../core/errors.js";
import { emptyPlan, flattenActions } from "../core/protection.js";
import type { Settings } from "../core/settings.js";
import type { Address, Plan } from "../core/types.js";
import type { Journal } from "../store/journal.js";
import type { EntryStyles } from "./entry-styles.js";
import type { MarketModel, OurModel } from "./models.js";
import type { EngineReader, ExecutedAction, OnExit, PartBase } from "./ports.js";
import type { ProtectionKeeper } from "./protection.js";
import type { SafetyWatch } from "./safety-watch.js";

/** The run's error when its on-exit step could not be taken (the exchange unreachable as it stops). */
function notDoneMessage(mode: string, why: string): string {
  return `on exit: ${mode} not done — ${why}`;
}

/** Whether a run's on-exit message (RunSummary.onExit) says its step was not taken (notDoneMessage). */
export function exitStepNotDone(onExit: string | null | undefined): boolean {
  return /^on exit: \S+ not done — /.test(onExit ?? "");
}

export interface ExitStepOptions extends Pick<PartBase, "emit" | "now" | "runId" | "countRequest"> {
  settings: Pick<Settings, "exec" | "risk">;
  journal: Pick<Journal, "recordEvent">;
  reader: Pick<EngineReader, "getAccountState">;
  account: Address;
  ours: Pick<OurModel, "state">;
  market: Pick<MarketModel, "markets">;
  protection: Pick<ProtectionKeeper, "fromSweep" | "view"> | null;
  styles: Pick<EntryStyles, "cancelAll">;
  safety: Pick<SafetyWatch, "check">;
  /** A sweep's reads, applied at once (nothing else runs). */
  readState: () => Promise<void>;
  /** The leaders' combined size per coin, as the last plan saw it. */
  leaderSizes: () => Record<string, number>;
  /** A new seed for the cloids of this step's orders. */
  seed: () => string;
  /** Send the step's orders (although the run is stopping). */
  execute: (plan: Plan) => Promise<ExecutedAction[]>;
  /** Keep our resting triggers in step with our positions. */
  protect: () => Promise<void>;
  /** The account hlcopy keeps itself (paper's, a seeded dry run's) is the run's. */
  ownAccount: () => boolean;
  /** Our account is read now, after every fill journaled so far: its equity is theirs. */
  readingAccount: () => void;
}

export class ExitStep {
  readonly #o: ExitStepOptions;
  /** The on-exit step is running: its orders go out although the run is stopping. */
  #running = false;

  constructor(options: ExitStepOptions) {
    this.#o = options;
  }

  /** The on-exit step is running: its orders go out although the run is stopping. */
  get running(): boolean {
    return this.#running;
  }

  /** Whether the step `mode` reads the account before it acts (flatten; protect with a stop to place). */
  readsAccount(mode: OnExit): boolean {
    const r = this.#o.settings.risk;
    return mode === "flatten" || (mode === "protect" && (r.stopLossPct != null || r.trailingStopPct != null));
  }

  /** The clean stop's last step (see EngineOptions.onExit); nothing else runs meanwhile. */
  async run(mode: OnExit): Promise<void> {
    const say = (message: string) => {
      this.#o.emit({ type: "notice", ts: this.#o.now(), kind: "on-exit", message });
      this.#o.journal.recordEvent({
        ts: this.#o.now(),
        type: "onExit",
        runId: this.#o.runId(),
        data: { mode, message },
      });
    };
    if (mode === "hold") {
      say("on exit: hold — positions and resting orders left as they are");
      return;
    }
    /** The coins the run's model holds a position in (after the step's read, when it made one). */
    const heldCoins = () => Object.keys(this.#o.ours.state.positions).sort();
    const noPositions = "on exit: protect — no open positions";
    if (!this.readsAccount(mode)) {
      // No stop to place: nothing to read or send. The positions are named as the run holds
      // them (its streams and order results; a change outside the run the stop has just read,
      // engine.ts #accountUnreadSince); a sweep's reads here waited out the request budget
      // after a short run (~1–2 s at q) to say the same.
      const coins = heldCoins();
      say(
        coins.length === 0
          ? noPositions
          : `on exit: protect — no resting stop: risk.stopLossPct and risk.trailingStopPct are off; ${coins.join(", ")} left without one (set --stop-loss-pct, or use --on-exit flatten)`,
      );
      return;
    }
    this.#running = true;
    try {
      await this.#o.readState();
      if (this.#o.protection)
        await this.#o.protection.fromSweep(this.#o.ours.state.openOrders, this.#o.leaderSizes());
      if (mode === "flatten") {
        await this.#o.styles.cancelAll("on exit: flatten");
        const actions = flattenActions({
          positions: this.#o.ours.state.positions,
          markets: this.#o.market.markets,
          slippageBps: this.#o.settings.exec.slippageBps,
          seed: `${this.#o.seed()}|exit`,
        });
        const results = await this.#o.execute({ ...emptyPlan(), actions });
        const left = results.filter((r) => r.status !== "filled").map((r) => r.coin);
        await this.#o.protect();
        say(
          actions.length === 0
            ? "on exit: flatten — nothing to close"
            : `on exit: flatten — closed ${results.filter((r) => r.status === "filled").length} position(s) reduce-only${left.length > 0 ? `; not closed: ${left.join(", ")}` : ""}`,
        );
        return;
      }
      const coins = heldCoins();
      await this.#o.protect();
      const stops = new Set(
        (this.#o.protection?.view() ?? []).filter((p) => p.stopPx !== null).map((p) => p.coin),
      );
      const missing = coins.filter((c) => !stops.has(c));
      say(
        coins.length === 0
          ? noPositions
          : missing.length === 0
            ? `on exit: protect — every position has its resting stop (${coins.join(", ")})`
            : `on exit: protect — no resting stop for ${missing.join(", ")}: check them on the exchange`,
      );
    } catch (error) {
      // The step could not be taken (the exchange unreachable as the run stops): not a transient
      // warning of a run that "goes on" — the run is ending with the positions as they are.
      const e = toHlcopyError(error);
      const coins = heldCoins();
      const held = coins.length > 0 ? ` (${coins.join(", ")} at the last reading)` : "";
      const message = notDoneMessage(mode, e.message);
      this.#o.journal.recordEvent({
        ts: this.#o.now(),
        type: "onExit",
        runId: this.#o.runId(),
        data: { mode, message },
      });
      throw new OperationalError(message, {
        hint:
          mode === "flatten"
            ? `positions may still be open${held}: hlcopy status shows them; close them with hlcopy flatten once the exchange answers`
            : `positions may have no resting stop${held}: check them on the exchange (hlcopy status), or close them with hlcopy flatten`,
      });
    } finally {
      this.#running = false;
    }
  }

  /** Our account read once (the run's end), its equity through the safety rules and journaled. */
  async readFinalEquity(): Promise<void> {
    if (this.#o.ownAccount()) return;
    try {
      this.#o.countRequest();
      const ours = await this.#o.reader.getAccountState(this.#o.account, { openOrders: false });
      this.#o.readingAccount();
      this.#o.safety.check(
        { accountValue: ours.accountValue, cash: ours.cash ?? null, time: ours.time },
        false,
        true,
      );
    } catch (error) {
      this.#o.emit({
        type: "warning",
        ts: this.#o.now(),
        message: `the account could not be read at the end (the equity status shows is the last one read): ${toHlcopyError(error).message}`,
      });
    }
  }
}
