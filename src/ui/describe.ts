// One engine event → what a view says about it: a one-line human text with a level (the
// dashboard's event log and the plain line output) and a plain JSON record (the --json
// lines). Both views call these, so the dashboard and the log lines never disagree.

import {
  driftFigureText,
  driftPct,
  leadersHold,
  leaderValueUsd,
  shownDrift,
  shownTarget,
  syncVerdict,
} from "../core/drift.js";
import { roundHalfAway, roundOrNull, shortAddress } from "../core/format.js";
import { TRADE_FIGURE_FIELDS } from "../core/leader-trades.js";
import { leverageAt } from "../core/leverage.js";
import { orderFields } from "../core/orders.js";
import { isCappedOrder, reasonText } from "../core/reasons.js";
import type { Plan, PlannedAction, SkippedAction } from "../core/types.js";
import type { EngineEvent, EngineEventType } from "../engine/events.js";
import {
  fmtAge,
  fmtBps,
  fmtLev,
  fmtMs,
  fmtNum,
  fmtPct,
  fmtPctSigned,
  fmtUsd,
  fmtUsdSigned,
  notSentText,
  shownDrawdownPct,
} from "./format.js";

/** info: plain; good: a copy landed; warn: look at it; error: something failed or halted; dim: routine. */
export type LogLevel = "info" | "good" | "warn" | "error" | "dim";

export interface EventLine {
  level: LogLevel;
  /** The coin the event is about, when there is exactly one. */
  coin: string | null;
  text: string;
}

/** JSON-safe plain data. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonRecord = { [key: string]: JsonValue };

/** The `type` of every --json line of follow, demo and reconcile: the engine's events but the heartbeat, and the summary. */
export type JsonLineType = Exclude<EngineEventType, "heartbeat"> | "summary";

/**
 * The fields of each JSON line, in order (`name?` = only when it applies). docs/events.md is
 * the reference a user reads; a test keeps it, this table and eventRecord() in step.
 */
export const JSON_LINE_FIELDS = {
  start: ["ts", "type", "mode", "leaders", "account", "network"],
  connection: ["ts", "type", "state", "detail?"],
  reconnect: ["ts", "type"],
  leaderFill: ["ts", "type", "coin", "leader", "side", "px", "sz", "dir", "time", "liquidation", "oid"],
  decision: [
    "ts",
    "type",
    "coin?",
    "trigger",
    "coins",
    "inSync",
    "effectiveRatio",
    "leaderRatios?",
    "actions",
    "skipped",
    "cancels?",
    "held?",
  ],
  order: [
    "ts",
    "type",
    "coin",
    "side",
    "size",
    "limitPx",
    "reduceOnly",
    "cloid",
    "reason",
    "kind",
    "status",
    "filledSize",
    "avgPx",
    "error?",
  ],
  fill: [
    "ts",
    "type",
    "coin",
    "side",
    "px",
    "sz",
    "fee",
    "cloid",
    "kind",
    "copySz",
    "execSlippageBps",
    "slippageBps",
    "lagMs",
  ],
  funding: ["ts", "type", "coin", "usdc", "copyUsdc", "szi", "fundingRate", "time"],
  slippageBudget: ["ts", "type", "exceeded", "p95Bps", "budgetBps", "n"],
  sweep: ["ts", "type", "durationMs", "inSync", "driftUsd", "outsideUsd", "requests"],
  state: [
    "ts",
    "type",
    "equity",
    "hwm",
    "drawdownPct",
    "leverage",
    "dailyLossStop?",
    "positions",
    "targets",
    "inSync?",
    "driftUsd?",
    "pnl?",
    "protection?",
    "leaders?",
    "timeStops?",
    "agent?",
  ],
  halt: ["ts", "type", "kind", "reason", "recorded?", "since?"],
  resume: ["ts", "type"],
  paused: ["ts", "type", "paused"],
  rateLimit: ["ts", "type", "waitMs", "detail"],
  warning: ["ts", "type", "message"],
  notice: ["ts", "type", "kind", "message"],
  protection: ["ts", "type", "coin", "kind", "action", "size", "triggerPx", "detail"],
  leader: ["ts", "type", "leader", "action", "kind", "detail", "coins?", "until?"],
  error: ["ts", "type", "message", "hint?", "fatal?"],
  // began/signal/ordersSent: only on the one line of a follow stopped before its run began (cli/signals.ts).
  stop: ["ts", "type", "reason", "began?", "signal?", "ordersSent?"],
  summary: [
    "ts",
    "type",
    "ordersFilled",
    ...TRADE_FIGURE_FIELDS,
    "planned",
    "skipped",
    "finalDriftUsd",
    "finalOutsideUsd",
    "inSync",
    "driftCurrent",
    "driftVerdict",
    "slippageBps",
    "execSlippageBps",
    "copyLagMs",
    "pnl",
    "onExit",
    "closesNotSent",
    "positions",
  ],
} as const satisfies Record<JsonLineType, readonly string[]>;

/** Skip reasons that are the copy working as intended, not something to look at. */
const ROUTINE_SKIPS = new Set<string>(["in-sync", "inside-deadband", "below-min-notional", "order-pending"]);

function describeAction(a: PlannedAction): string {
  return `${a.coin} ${a.side} ${fmtNum(a.size)} @ ${fmtNum(a.limitPx)} ${a.reason}${a.reduceOnly ? " ro" : ""}`;
}

/** A skip, or a cap's note beside the coin's order (`capped`: the order goes, cut; core/reasons.ts). */
function describeSkip(s: SkippedAction, capped: boolean): string {
  return `${s.coin} ${capped ? "capped" : "skip"} ${s.reason} (${s.detail || reasonText(s.reason)})`;
}

/** The human line for an event, or null for events that are state, not news (heartbeat, state). */
export function describeEvent(e: EngineEvent): EventLine | null {
  switch (e.type) {
    case "heartbeat":
    case "state":
      return null;
    case "start": {
      const leaders = e.leaders
        .map(
          (l) => `${shortAddress(l.address)}${e.leaders.length > 1 ? ` ${Math.round(l.weight * 100)}%` : ""}`,
        )
        .join(", ");
      const mode = e.mode.toUpperCase();
      return {
        level: "info",
        coin: null,
        // Several: "leaders A 60%, B 40%", as the header's "leaders A 60% +1".
        text: `start ${mode} ${e.network} ${e.leaders.length > 1 ? "leaders" : "leader"} ${leaders} account ${shortAddress(e.account)}`,
      };
    }
    case "connection": {
      const level: LogLevel = e.state === "open" ? "info" : e.state === "connecting" ? "dim" : "warn";
      return { level, coin: null, text: `ws ${e.state}${e.detail ? `: ${e.detail}` : ""}` };
    }
    case "reconnect":
      return { level: "warn", coin: null, text: "ws reconnected: sweeping" };
    case "leaderFill":
      return {
        level: e.liquidation ? "error" : "info",
        coin: e.coin,
        text: `leader ${shortAddress(e.leader)} ${e.coin} ${e.side} ${fmtNum(e.sz)} @ ${fmtNum(e.px)} ${e.dir}${
          e.liquidation ? " LIQUIDATION" : ""
        }`,
      };
    case "decision": {
      const { actions, skipped } = e.plan;
      const notable = skipped.filter((s) => s.reason !== "in-sync");
      const acting = new Set(actions.map((a) => a.coin));
      const parts = [
        ...actions.map(describeAction),
        ...notable.map((s) => describeSkip(s, isCappedOrder(s, acting))),
      ];
      // A cap that cut an order still sent blocks nothing.
      const blocked = notable.some((s) => !ROUTINE_SKIPS.has(s.reason) && !isCappedOrder(s, acting));
      const level: LogLevel = blocked ? "warn" : actions.length > 0 ? "info" : "dim";
      const what = parts.length > 0 ? parts.join("; ") : e.plan.inSync ? "in sync" : "nothing to do";
      return {
        level,
        coin: e.coins.length === 1 ? (e.coins[0] ?? null) : null,
        text: `decision ${e.trigger}: ${what}${e.held ? ` (${notSentText(e.held)})` : ""}`,
      };
    }
    case "order": {
      const base = `order ${e.coin} ${e.side} ${fmtNum(e.size)} @ ${fmtNum(e.limitPx)} ${e.reason}${
        e.reduceOnly ? " ro" : ""
      }${e.kind === "copy" ? "" : ` (${e.kind})`}`;
      switch (e.status) {
        case "rejected":
          return { level: "error", coin: e.coin, text: `${base} rejected: ${e.error ?? "no reason given"}` };
        case "uncertain":
          return {
            level: "warn",
            coin: e.coin,
            text: `${base} uncertain${e.error ? `: ${e.error}` : ""}; checking cloid ${e.cloid}`,
          };
        case "sent":
          return { level: "dim", coin: e.coin, text: `${base} sent` };
        case "resting":
        case "cancelled":
          return { level: "warn", coin: e.coin, text: `${base} ${e.status}${e.error ? `: ${e.error}` : ""}` };
        default: {
          const avg = e.avgPx === null ? "" : ` avg ${fmtNum(e.avgPx)}`;
          return { level: "good", coin: e.coin, text: `${base} ${e.status} ${fmtNum(e.filledSize)}${avg}` };
        }
      }
    }
    case "fill": {
      // A hot-path copy is the usual fill: only the other kinds are named. A fill of no order of
      // hlcopy's (a trade by hand, another bot's, a liquidation) says so, and what of it the copy
      // P&L counts: the part that closed hlcopy's position.
      const kind = e.kind === null ? " (not placed by hlcopy)" : e.kind !== "copy" ? ` ${e.kind}` : "";
      // hlcopy's own close of a position held (partly) by hand — a flatten, the kill switch —
      // says its part too: the rest is outside the copy P&L.
      const part = (
        e.kind === null
          ? e.copySz !== null && e.copySz > 0
          : (e.kind === "safety" || e.kind === "flatten") && e.copySz !== null && e.copySz < e.sz
      )
        ? `, the copy's ${fmtNum(e.copySz)}`
        : "";
      const exec = e.execSlippageBps === null ? "" : ` exec ${fmtBps(e.execSlippageBps)}`;
      const slip = e.slippageBps === null ? "" : ` vs leader ${fmtBps(e.slippageBps)}`;
      const lag = e.lagMs === null ? "" : ` lag ${fmtMs(e.lagMs)}`;
      return {
        level: "good",
        coin: e.coin,
        text: `fill${kind} ${e.coin} ${e.side} ${fmtNum(e.sz)} @ ${fmtNum(e.px)}${exec}${slip}${lag}${part}`,
      };
    }
    case "funding":
      return {
        level: "info",
        coin: e.coin,
        // The account's payment; the copy P&L counts its part on hlcopy's share (said when less).
        text: `funding ${e.coin} ${e.usdc >= 0 ? "received" : "paid"} ${fmtUsd(Math.abs(e.usdc))} on ${fmtNum(e.szi)} (rate ${fmtNum(e.fundingRate * 100)}%)${
          e.copyUsdc === e.usdc ? "" : `, the copy's part ${fmtUsd(Math.abs(e.copyUsdc))}`
        }`,
      };
    case "slippageBudget":
      return e.exceeded
        ? {
            level: "warn",
            coin: null,
            text: `slippage budget exceeded: execution p95 ${fmtBps(e.p95Bps)} > ${e.budgetBps} bps over the last ${e.n} fills (exec.slippageBudgetBps)`,
          }
        : {
            level: "info",
            coin: null,
            text: `slippage back within budget: execution p95 ${fmtBps(e.p95Bps)} ≤ ${e.budgetBps} bps`,
          };
    case "sweep":
      return {
        // Drift found by a sweep is the repair working (partial fills, missed messages), not a fault.
        level: e.inSync ? "dim" : "info",
        coin: null,
        // "drift $X" is the header's figure (core/drift.ts): the part orders are planned for or a
        // gate holds, never the total with what the deadband tolerates (said apart, as the header does).
        text: `sweep ${driftFigureText(e)} in ${fmtMs(e.durationMs)}, ${e.requests} req`,
      };
    case "halt":
      // One standing from before the run is not a new halt: said as still in force since then.
      return {
        level: "error",
        coin: null,
        text:
          e.since === undefined
            ? `HALT ${e.kind}: ${e.reason}`
            : // The daily loss limit's stop is no halt (it holds increases only): "in force".
              `HALT ${e.kind} (still ${e.kind === "daily-loss" ? "in force" : "halted"} since ${new Date(e.since).toISOString().replace("T", " ").slice(0, 19)} UTC, ${fmtAge(e.ts - e.since)} ago — not a new halt): ${e.reason}`,
      };
    case "resume":
      return { level: "info", coin: null, text: "resumed: halt cleared" };
    case "paused":
      return {
        level: e.paused ? "warn" : "info",
        coin: null,
        // The same words in every mode: "no orders will be sent" said nothing in a dry run, which never sends.
        text: e.paused
          ? "paused: the leader's trades are not copied until resumed"
          : "unpaused: copying again",
      };
    case "rateLimit":
      return { level: "warn", coin: null, text: `rate limit: waiting ${fmtMs(e.waitMs)} (${e.detail})` };
    case "warning":
      return { level: "warn", coin: null, text: `warning: ${e.message}` };
    case "notice":
      return { level: "info", coin: null, text: e.message };
    case "error":
      return { level: "error", coin: null, text: `error: ${e.message}${e.hint ? ` hint: ${e.hint}` : ""}` };
    case "stop":
      return { level: "info", coin: null, text: `stop: ${e.reason}` };
    case "protection":
      return {
        level: e.action === "failed" ? "error" : e.action === "fired" ? "warn" : "info",
        coin: e.coin,
        text: `protection ${e.detail}`,
      };
    case "leader":
      return {
        level: e.action === "unfollowed" ? "error" : e.action === "gated" ? "warn" : "info",
        coin: e.coins?.length === 1 ? (e.coins[0] ?? null) : null,
        text: `leader ${e.detail}`,
      };
  }
}

/** Compact state line for the non-TTY output (state events are too frequent to print each). */
export function describeState(e: Extract<EngineEvent, { type: "state" }>, ageMs?: number): string {
  const open = e.account.positions.filter((p) => p.size !== 0).length;
  // The engine's drift report when it sent one (core/drift.ts), in the dashboard's words.
  const drift = e.drift
    ? syncVerdict(e.drift, e.ts, e.freshness).text
    : `drift ${fmtUsd(e.targets.reduce((sum, t) => sum + roundHalfAway(Math.abs(t.driftUsd)), 0))}`;
  const pnl = e.pnl
    ? ` P&L ${fmtUsdSigned(e.pnl.netUsd)}${e.pnl.roiPct === null ? "" : ` (${fmtPctSigned(e.pnl.roiPct)})`}`
    : "";
  const age = ageMs === undefined ? "" : ` (${fmtAge(ageMs)} since last)`;
  return `state equity ${fmtUsd(e.account.accountValue)}${pnl} hwm ${fmtUsd(e.hwm)} dd ${fmtPct(shownDrawdownPct(e.account.accountValue, e.hwm, e.drawdownPct))} lev ${fmtLev(leverageAt(e))} positions ${open} ${drift}${age}`;
}

/**
 * With several leaders, each one's copy ratio (weight included) after the portfolio scale, as
 * `effectiveRatio` is: they add up to it (0 each when halted). effectiveRatio alone is then a sum
 * of unlike ratios — A's ours/A's equity plus B's — and no coin's size ÷ any leader's.
 */
function leaderRatiosRecord(plan: Plan): { leaderRatios?: Record<string, number> } {
  const ratios = Object.entries(plan.leaderRatios ?? {});
  if (ratios.length < 2) return {};
  const scale = plan.effectiveRatio === 0 ? 0 : plan.portfolioScale;
  return { leaderRatios: Object.fromEntries(ratios.map(([a, r]) => [a, r * scale])) };
}

/**
 * The JSON record for an event: `{ts, type, coin?, …}`, plain data. Decisions drop the plan's
 * targets and reference prices (the journal keeps the whole plan) but keep every reason.
 * Returns null for heartbeats.
 */
export function eventRecord(e: EngineEvent): JsonRecord | null {
  switch (e.type) {
    case "heartbeat":
      return null;
    case "decision": {
      const acting = new Set(e.plan.actions.map((a) => a.coin));
      return {
        ts: e.ts,
        type: e.type,
        ...(e.coins.length === 1 ? { coin: e.coins[0] ?? null } : {}),
        trigger: e.trigger,
        coins: e.coins,
        inSync: e.plan.inSync,
        effectiveRatio: e.plan.effectiveRatio,
        ...leaderRatiosRecord(e.plan),
        actions: e.plan.actions.map((a) => ({
          ...orderFields(a),
          ...(a.passive ? { passive: true } : {}),
        })),
        // `capped`: a cap's note beside the coin's order, which goes cut — no skip.
        skipped: e.plan.skipped.map((s) => ({
          coin: s.coin,
          reason: s.reason,
          detail: s.detail,
          capped: isCappedOrder(s, acting),
        })),
        ...(e.plan.cancels
          ? {
              cancels: e.plan.cancels.map((c) => ({
                coin: c.coin,
                cloid: c.cloid,
                reason: c.reason,
                detail: c.detail,
              })),
            }
          : {}),
        ...(e.held ? { held: e.held } : {}),
      };
    }
    case "state":
      return {
        ts: e.ts,
        type: e.type,
        equity: e.account.accountValue,
        hwm: e.hwm,
        // Of the equity and hwm beside it, as the dashboard's dd (the safety check's may be older).
        drawdownPct: shownDrawdownPct(e.account.accountValue, e.hwm, e.drawdownPct),
        // Gross notional ÷ equity, as the dashboard's and the state line's lev (4 decimals).
        leverage: roundOrNull(leverageAt(e), 4),
        ...(e.dailyLossStop !== undefined ? { dailyLossStop: e.dailyLossStop } : {}),
        positions: e.account.positions
          .filter((p) => p.size !== 0)
          .map((p) => ({ coin: p.coin, size: p.size, entryPx: p.entryPx })),
        targets: e.targets.map((t) => {
          const d = e.drift?.coins.find((c) => c.coin === t.coin);
          // A position left alone has no target and no drift figure: null, never 0 ("in sync").
          const driftUsd = shownDrift(t.driftUsd, d);
          const targetSize = shownTarget(t.targetSize, d);
          return {
            coin: t.coin,
            // The leaders' net position (one leader: its position) and, with several, each one's.
            leaderSize: t.leaderSize,
            ...(t.byLeader ? { byLeader: t.byLeader } : {}),
            // The dashboard's leader $ to the cent (core/drift.ts leaderValueUsd): at this state's mid.
            leaderUsd: roundOrNull(
              leaderValueUsd(t.leaderSize, e.mids?.[t.coin] ?? (t.mid > 0 ? t.mid : null), leadersHold(t)),
              2,
            ),
            targetSize,
            ourSize: t.ourSize,
            driftUsd,
            driftPct: driftPct(driftUsd, targetSize, t.mid > 0 ? t.mid : null),
            deadbandUsd: t.deadbandUsd,
            ...(d ? { status: d.status, reason: d.reason } : {}),
            ...(t.held ? { held: true } : {}),
          };
        }),
        // The one verdict (core/drift.ts): stale data is never "in sync".
        ...(e.drift
          ? { inSync: syncVerdict(e.drift, e.ts, e.freshness).inSync, driftUsd: e.drift.driftUsd }
          : {}),
        ...(e.pnl ? { pnl: e.pnl as unknown as JsonRecord } : {}),
        ...(e.protection ? { protection: e.protection as unknown as JsonValue } : {}),
        ...(e.leaderCopy ? { leaders: e.leaderCopy as unknown as JsonValue } : {}),
        ...(e.timeStops ? { timeStops: e.timeStops } : {}),
        ...(e.agent ? { agent: e.agent } : {}),
      };
    default: {
      // Every other event is small plain data already: copy it with ts, type (and coin) first.
      const { ts, type, ...rest } = e;
      const head: JsonRecord = { ts, type };
      if ("coin" in rest) head.coin = rest.coin;
      return { ...head, ...(rest as unknown as JsonRecord) };
    }
  }
}
