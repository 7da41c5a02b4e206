// One leader, assessed once: the span it really traded over, its metrics, its equity, the
// cost of copying it at the user's size and its scan row. `inspect` and `scan` both show this.

import type { Settings } from "../core/settings.js";
import { assessCopyability, type Copyability } from "./copyability.js";
import { type LeaderData, leaderEquityAt } from "./fetch.js";
import type { FrictionModel } from "./friction.js";
import { computeMetrics, type LeaderMetrics } from "./metrics.js";
import { estimateLeaderEquity } from "./replay.js";
import { type ScanRow, scanRow } from "./scan.js";

/**
 * The span the leader really traded over, within the asked window: the span its fills cover
 * when the read was cut (LeaderData.cut); else from its first fill when
 * nothing shows earlier history (every coin's first fill opens from flat, no funding paid
 * before it), else the whole window. A leader with 4 minutes of history is not "30 days" —
 * orders per day, the style and the daily figures would be diluted 10,000-fold.
 */
export function observedWindow(
  data: Pick<LeaderData, "window" | "fills" | "funding"> & Partial<Pick<LeaderData, "cut">>,
): {
  start: number;
  end: number;
} {
  // A history the exchange (or the page cap) cut covers its own span, never the window asked:
  // 10,000 fills of 3 days are not 30 days' (orders per day, P&L per day, drawdown over it).
  if (data.cut) return { start: data.cut.start, end: data.cut.end };
  const first = data.fills[0];
  if (first === undefined) return data.window;
  const seen = new Set<string>();
  for (const f of data.fills) {
    if (seen.has(f.coin)) continue;
    seen.add(f.coin);
    if (f.startPosition !== 0) return data.window;
  }
  if ((data.funding ?? []).some((p) => p.time < first.time)) return data.window;
  return { start: Math.max(data.window.start, first.time), end: data.window.end };
}

export interface LeaderAssessment {
  metrics: LeaderMetrics;
  /** The leader's equity at its first fill (portfolio or state), else estimated from its fills. */
  leaderEquity: number;
  leaderEquitySource: "portfolio-or-state" | "estimated";
  /** Null when there is nothing to copy (no fills, or no equity to scale by). */
  copyability: Copyability | null;
  row: ScanRow;
}

export function assessLeader(
  data: LeaderData,
  p: { address: string; equity: number; settings: Settings; friction: FrictionModel },
): LeaderAssessment {
  const metrics = computeMetrics({
    fills: data.fills,
    window: observedWindow(data),
    ...(data.funding ? { funding: data.funding } : {}),
    ...(data.portfolio ? { portfolio: data.portfolio } : {}),
    ...(data.state ? { state: data.state } : {}),
  });
  const first = data.fills[0]?.time ?? data.window.start;
  const known = leaderEquityAt(data, first);
  const leaderEquity = known ?? estimateLeaderEquity(data.fills);
  const copyability =
    data.fills.length > 0 && leaderEquity > 0
      ? assessCopyability({
          fills: data.fills,
          equity: p.equity,
          leaderEquity,
          settings: p.settings,
          edgeBps: metrics.edgeBps,
          friction: p.friction,
          ...(data.meta ? { meta: data.meta } : {}),
        })
      : null;
  const row = scanRow({
    address: p.address,
    fills: data.fills,
    metrics,
    copyability,
    leaderEquity,
    equity: p.equity,
    takerFee: p.friction.takerFee,
    historyCut: data.cut,
  });
  const leaderEquitySource = known === null ? "estimated" : "portfolio-or-state";
  return { metrics, leaderEquity, leaderEquitySource, copyability, row };
}
