// What a flatten does with a plan made under its halt (every target 0): the reduce-only closes
// it sends and the positions it leaves. `hlcopy flatten` reports its outcome with it and
// `hlcopy flatten --dry-run` shows it before anything is sent, from the same plan, so the
// preview cannot say other than what the flatten does.

import type { Plan, ReasonCode } from "./types.js";

/** One close a flatten sends: an IOC, reduce-only, at the plan's price bound. */
export interface FlattenClose {
  coin: string;
  side: "buy" | "sell";
  size: number;
  /** The IOC's limit: the worst price the close may fill at (best ± exec.slippageBps). */
  limitPx: number;
  /** size × the coin's mid: what the close takes off, in USD (est.: it fills at the book). */
  notionalUsd: number;
  reduceOnly: boolean;
  /** "flatten" under the flatten's own halt; "kill-switch" when that halt stood already. */
  reason: ReasonCode;
}

/** A position the flatten's plan does not close, and why (its skip). */
export interface FlattenLeft {
  coin: string;
  size: number;
  reason: ReasonCode | null;
  detail: string;
}

export interface FlattenPreview {
  closes: FlattenClose[];
  left: FlattenLeft[];
  /** Resting passive entries the plan cancels first. */
  cancels: { coin: string; detail: string }[];
}

/** The closes and what remains of a plan made under a flatten's halt (pure). */
export function flattenPreview(plan: Plan): FlattenPreview {
  const mid = new Map(plan.targets.map((t) => [t.coin, t.mid]));
  const closes = plan.actions.map(
    (a): FlattenClose => ({
      coin: a.coin,
      side: a.side,
      size: a.size,
      limitPx: a.limitPx,
      notionalUsd: a.size * (mid.get(a.coin) || a.limitPx),
      reduceOnly: a.reduceOnly,
      reason: a.reason,
    }),
  );
  const closing = new Set(closes.map((c) => c.coin));
  const left = positionsLeft(plan)
    .filter((p) => !closing.has(p.coin))
    .map((p): FlattenLeft => {
      const skip = plan.skipped.find((s) => s.coin === p.coin);
      return {
        ...p,
        reason: skip?.reason ?? null,
        detail: skip?.detail ?? "no close planned",
      };
    });
  return {
    closes,
    left,
    cancels: (plan.cancels ?? []).map((c) => ({ coin: c.coin, detail: c.detail })),
  };
}

/** The account's positions as the plan read them (a flatten's "left" once its closes are back). */
export function positionsLeft(plan: Plan): { coin: string; size: number }[] {
  return plan.targets.filter((t) => t.ourSize !== 0).map((t) => ({ coin: t.coin, size: t.ourSize }));
}
