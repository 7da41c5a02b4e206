// The trader's review of a live run's plan (core/review.ts decides when one is needed): asked
// once a run before its first orders, asked again while the plan grew past what the trader said
// yes to, refused (exit 2) on a no; what else the yes lets the run do (an earlier run's triggers
// and passive entries it cancels); a dry run's preview of those triggers; and the warning that this run sizes the
// copy otherwise than the last one of the same leaders (the input of the review's sizing reason).

import { entryParams } from "../core/entry.js";
import { UsageError } from "../core/errors.js";
import { utcMinute } from "../core/format.js";
import { protectionOn } from "../core/protection.js";
import { planChanges, reviewKey, reviewReasons, type SizingChange, sizingChange } from "../core/review.js";
import type { Settings } from "../core/settings.js";
import type { Address, Plan } from "../core/types.js";
import type { Journal, RunRow } from "../store/journal.js";
import type { CopyState } from "./copy-state.js";
import type { OurModel } from "./models.js";
import type { OwnershipWatch } from "./ownership-watch.js";
import type { PartBase, ReviewPlan } from "./ports.js";
import { leftoversAhead } from "./protection.js";

/** The trader said no at a review: exit 2, nothing sent. */
const notConfirmed = (): UsageError =>
  new UsageError("not confirmed: nothing was sent", {
    hint: "see the plan with --dry-run; pass --yes to confirm it without a prompt",
  });
export interface PlanReviewOptions extends Pick<PartBase, "emit" | "now"> {
  /** Shows a plan and asks for a yes (EngineOptions.review; none: nothing is asked). */
  review: ReviewPlan | undefined;
  settings: Settings;
  journal: Journal;
  /** The run's leaders as the command gave them (the last run's sizing is compared for the same set). */
  leaders: readonly { address: Address }[];
  /** The leaders' models (the review's key). */
  models: readonly { address: Address }[];
  ours: Pick<OurModel, "state">;
  copyState: Pick<CopyState, "isReviewed" | "markReviewed">;
  ownership: Pick<OwnershipWatch, "adopted">;
  /** The run keeps protection in step (a keeper): only then does it cancel anything. */
  keepsProtection: boolean;
  /** Aborts when the run is stopped: a question waiting is abandoned. */
  signal: AbortSignal;
  /** Fresh reads applied, then a plan of every coin (on the engine's queue). */
  replan: () => Promise<Plan>;
}

export class PlanReview {
  readonly #o: PlanReviewOptions;
  /** A live plan was reviewed (or needed none) in this run. */
  #reviewed = false;
  /** A question ended with no yes (see declined). */
  #declined = false;
  /** A dry run said what its live run would cancel of an earlier run's triggers (once, at its first plan). */
  #previewed = false;
  /** This run's sizing against the last run's of the same leaders (begin), when it differs. */
  #sizingChange: SizingChange | null = null;
  /** The sizing change's warning, not said yet: a run that reviews says it at its review (once). */
  #sizingWarning: string | null = null;
  /** The sizing change, said as the reason of a review the trader saw rather than as a warning. */
  #toldAtReview: string | null = null;

  constructor(options: PlanReviewOptions) {
    this.#o = options;
  }

  /** A live plan was reviewed (or needed none) in this run. */
  get reviewed(): boolean {
    return this.#reviewed;
  }

  /**
   * A question of this run ended with no yes (a no, or interrupted): the run never sends, and
   * asks nothing again — a sweep queued behind the question (hlcopy flatten at the review) asked
   * it a second time, and a yes there sent, before the caller's stop came.
   */
  get declined(): boolean {
    return this.#declined;
  }

  /** `ReviewPlan` asked; anything but a yes (false, a throw) is the run's no. */
  async #ask(...args: Parameters<ReviewPlan>): Promise<void> {
    const review = this.#o.review;
    let yes = false;
    try {
      yes = review !== undefined && (await review(...args));
    } finally {
      if (!yes) this.#declined = true;
    }
    if (!yes) throw notConfirmed();
  }

  /** A dry run's preview of an earlier run's triggers was said. */
  get previewed(): boolean {
    return this.#previewed;
  }

  /**
   * The last run that traded these leaders into this account sized the copy otherwise (flags
   * of a follow are not stored: a cron reconcile without them sizes by the config file):
   * this run would trade its positions to another size. Told, not refused — a new size can
   * be the trader's intent. Told once: a run that reviews its plan says it at the review — as
   * the review's reason when the review shows it (a large change, asked at the prompt), else
   * as this warning (sayPendingSizing for a run that skips its review); a run with no review
   * (a dry run, paper) says it now.
   */
  warnSizingChanged(before: RunRow | null): void {
    if (!before) return;
    const set = (ls: readonly { address: Address }[]) => reviewKey(ls.map((l) => l.address));
    if (set(before.leaders) !== set(this.#o.leaders)) return;
    // The one decision (core/review.ts): this warning for any change, the review for a large one.
    const change = sizingChange(before, this.#o.settings);
    this.#sizingChange = change;
    if (!change) return;
    this.#sizingWarning = `the last ${before.command} of these leaders (started ${utcMinute(before.startedAt)}) sized by ${change.last}; this run sizes by ${change.now} — its positions will be traded to this size (flags are not stored: hlcopy config set keeps a size for every run)`;
    if (!this.#o.review) this.sayPendingSizing();
  }

  /** The sizing change's warning, if not said yet (a run whose review was skipped: paused). */
  sayPendingSizing(): void {
    const message = this.#sizingWarning;
    this.#sizingWarning = null;
    if (message !== null) this.#o.emit({ type: "warning", ts: this.#o.now(), message });
  }

  /**
   * The sizing change's warning, not said because the review's prompt showed its reason: for a
   * document that lists the run's warnings (reconcile --json), which the prompt did not reach.
   */
  get toldAtReview(): string | null {
    return this.#toldAtReview;
  }

  /**
   * The trader's review of a live plan that needs it; refused (exit 2) when not confirmed.
   * @returns the plan the trader said yes to at a prompt, or null when none was asked.
   */
  async review(plan: Plan): Promise<Plan | null> {
    const o = this.#o;
    const key = reviewKey(this.#o.models.map((l) => l.address));
    const reasons = reviewReasons({
      plan,
      accountValue: this.#o.ours.state.accountValue,
      firstRun: !this.#o.copyState.isReviewed(key),
      adopted: this.#o.ownership.adopted,
      confirmAbovePct: o.settings.exec.confirmAbovePct,
      sizing: this.#sizingChange,
    });
    let confirmed: Plan | null = null;
    // The sizing change once: the reason of a review the trader sees, else its warning.
    const sizingReason = this.#sizingChange?.review ? this.#sizingChange.reason : null;
    const shown = o.review !== undefined && o.review.unseen !== true && sizingReason !== null;
    if (shown && reasons.includes(sizingReason) && this.#sizingWarning !== null) {
      this.#toldAtReview = this.#sizingWarning;
      this.#sizingWarning = null;
    }
    this.sayPendingSizing();
    if (reasons.length > 0 && o.review) {
      await this.#ask(plan, reasons, this.#o.signal, this.#reviewAlso(plan));
      this.#o.copyState.markReviewed(key, this.#o.now());
      confirmed = plan;
    }
    this.#reviewed = true;
    return confirmed;
  }

  /**
   * What the review says beside `plan`: the triggers of an earlier run this one cancels (the dry
   * run's words), and the passive entries an earlier run left resting that a run keeping none
   * cancels first (its plan's cancels: engine/passive.ts leftCancels).
   */
  #reviewAlso(plan: Plan): string[] {
    // Only a run that keeps protection in step (a keeper) cancels anything.
    const ahead = this.#o.keepsProtection ? this.#leftoversAhead(plan, "review") : null;
    const entries = entryParams(this.#o.settings).passive
      ? []
      : (plan.cancels ?? []).map((c) => `${c.coin}: this run will ${c.detail}`);
    return [...(ahead ? [ahead] : []), ...entries];
  }

  /**
   * A dry run's first plan: what the live run's first sweep would cancel of an earlier run's
   * triggers, said once — the count and coins its review and its notice name on this state.
   */
  previewLeftovers(plan: Plan): void {
    this.#previewed = true;
    const message = this.#leftoversAhead(plan, "dry-run");
    if (message) this.#o.emit({ type: "notice", ts: this.#o.now(), kind: "protection", message });
  }

  /** Without protection settings: the earlier run's triggers resting now that `plan`'s sweep cancels. */
  #leftoversAhead(plan: Plan, when: "dry-run" | "review"): string | null {
    if (protectionOn(this.#o.settings)) return null;
    return leftoversAhead({
      journal: this.#o.journal,
      openOrders: this.#o.ours.state.openOrders,
      positions: this.#o.ours.state.positions,
      plan,
      when,
    });
  }

  /**
   * After the trader's answer at the start: that answer was about the plan of its moment, and
   * it may have taken a while (the leader trades meanwhile). A fresh plan beyond the scale the
   * trader said yes to (core/review.ts planChanges: more USD, a larger order, positions hlcopy
   * did not open) is shown and asked for again with what changed, and planned afresh on new
   * reads after each answer, until a fresh plan is covered by the last yes. The first sweep
   * follows within moments.
   */
  async confirmAgain(confirmed: Plan, fresh: Plan): Promise<Plan> {
    const review = this.#o.review;
    let agreed = confirmed;
    let plan = fresh;
    for (;;) {
      const slackUsd =
        (Math.max(0, this.#o.ours.state.accountValue) * this.#o.settings.exec.confirmAbovePct) / 100;
      const changes = planChanges(agreed, plan, this.#o.ownership.adopted, slackUsd);
      if (changes.length === 0 || !review) return plan;
      const reason = `the plan changed while you were deciding: ${changes.join("; ")}`;
      await this.#ask(plan, [reason], this.#o.signal, this.#reviewAlso(plan));
      agreed = plan;
      plan = await this.#o.replan();
    }
  }
}
