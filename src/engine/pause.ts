// The run's pause (the dashboard's p, hlcopy pause / resume): whether it holds a plan's orders —
// everything but a halt's closes, which go through a pause (reducing risk is always allowed) and
// are said once per halt —, and the pause as the journal keeps it for the next run's sizing
// reference. The engine flips it and asks it; a sweep after resuming catches up.

import type { HeldBy } from "../core/leader-trades.js";
import { sentWhilePaused } from "../core/safety.js";
import type { Plan, PlannedAction } from "../core/types.js";
import type { Journal } from "../store/journal.js";
import type { PartBase } from "./ports.js";
import type { SafetyWatch } from "./safety-watch.js";

export interface PauseOptions extends Pick<PartBase, "emit" | "now" | "runId"> {
  journal: Pick<Journal, "recordEvent">;
  /** The run journals (a dry run does not). */
  journals: boolean;
  safety: Pick<SafetyWatch, "halt">;
  stopping: () => boolean;
}

export class Pause {
  readonly #o: PauseOptions;
  #paused = false;
  /** The halt's reason whose paused closes were told (once per halt). */
  #pausedCloseTold: string | null = null;

  constructor(options: PauseOptions) {
    this.#o = options;
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** Paused becomes running and back, said (a `paused` event). */
  toggle(): void {
    this.#paused = !this.#paused;
    this.#o.emit({ type: "paused", ts: this.#o.now(), paused: this.#paused });
  }

  /**
   * A decision whose orders a pause keeps from being sent says so (its event's `held`); a
   * halt's closes go through a pause (the engine's #execute), so a plan of them alone is not held.
   */
  heldBy(plan: Plan, execute: boolean): { held?: HeldBy } {
    // A plan made as the run stops sends nothing (#execute holds it all: closing() is false).
    const stopping = this.#o.stopping();
    if (!execute || (!this.#paused && !stopping)) return {};
    const sent = sentWhilePaused(plan.actions, this.closing()).length;
    return plan.actions.length > sent ? { held: stopping ? "stopping" : "paused" } : {};
  }

  /** Paused (not stopping) under a halt: its closes go all the same. */
  closing(): boolean {
    return this.#paused && !this.#o.stopping() && this.#o.safety.halt !== null;
  }

  /** Say once per halt that its closes go although the run is paused, and that the pause holds the rest. */
  sayClosing(actions: readonly PlannedAction[]): void {
    const halt = this.#o.safety.halt;
    if (!halt || this.#pausedCloseTold === halt.reason) return;
    this.#pausedCloseTold = halt.reason;
    const what = halt.kind === "manual" ? "flatten's" : `${halt.kind}'s`;
    this.#o.emit({
      type: "notice",
      ts: this.#o.now(),
      kind: "paused-closes",
      message: `paused, but the ${what} closes go (${actions.map((a) => a.coin).join(", ")}: reduce-only, reason ${actions[0]?.reason ?? "kill-switch"}): reducing risk is always allowed; the pause holds everything else — hlcopy resume lifts it (the halt stays until hlcopy resume clears it too)`,
    });
  }

  /**
   * A pause as the journal keeps it for the next run's sizing reference (journal lastRun
   * `sizedBy`): a run that begins to act paused and is never unpaused — a paused reconcile (exit
   * 4), a follow that runs paused to its end — sent nothing at its sizing (a halt's closes at
   * most), so its sizing is not what the positions are at. A dry run journals nothing.
   */
  journal(atStart: boolean): void {
    const o = this.#o;
    const runId = this.#o.runId();
    if (!this.#o.journals || runId === null) return;
    o.journal.recordEvent({
      ts: this.#o.now(),
      type: "paused",
      runId,
      data: { paused: this.#paused, ...(atStart ? { atStart: true } : {}) },
    });
  }
}
