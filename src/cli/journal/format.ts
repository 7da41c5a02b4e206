// Pure parsing and formatting for `hlcopy journal`: flag values in, table rows out. No I/O.

import { type DriftReport, driftReport, driftText, type Freshness, syncVerdict } from "../../core/drift.js";
import { UsageError } from "../../core/errors.js";
import {
  detailNumber,
  FIGURE_DECIMALS,
  fmtAge,
  fmtMs,
  fmtUsd,
  fmtUsdSigned,
  shortAddress,
} from "../../core/format.js";
import { foreignText } from "../../core/ownership.js";
import type { FillOrigin } from "../../core/pnl.js";
import { leftoverTriggersText } from "../../core/protection.js";
import { isCappedOrder } from "../../core/reasons.js";
import { isHaltClose } from "../../core/safety.js";
import type { Plan } from "../../core/types.js";
import {
  JOURNAL_TABLES,
  type JournalEntry,
  type JournalTable,
  WARNING_EVENT_TYPES,
} from "../../store/journal.js";
import { fmtExact, fmtFixed, fmtPctSigned, fmtSlippage, notSentText } from "../../ui/format.js";
import { parseSince as parseSinceFlag } from "../span.js";

/**
 * `--since` (cli/span.ts parseSince, every command's grammar): the window's start.
 * @throws {UsageError} for anything else.
 */
export function parseSince(value: string, now: number): number {
  return parseSinceFlag(value, now, "hlcopy journal --since 1h").from;
}

/**
 * `--type`: a table name; the singular is accepted too (order → orders).
 * @throws {UsageError} naming the allowed values.
 */
export function parseJournalType(value: string): JournalTable {
  const v = value.trim().toLowerCase();
  const match = JOURNAL_TABLES.find((t) => t === v || t === `${v}s`);
  if (match) return match;
  throw new UsageError(
    `invalid --type "${value}": expected one of ${JOURNAL_TABLES.join(", ")} or warnings`,
    {
      hint: "e.g. hlcopy journal --type orders; leave it out to see every kind of entry",
    },
  );
}

/**
 * `--type`: a table (parseJournalType), or `warnings` — the run's warnings, of the events those
 * that are warnings (store/journal.ts WARNING_EVENT_TYPES).
 * @throws {UsageError} naming the allowed values.
 */
export function parseJournalKind(value: string): { table: JournalTable; eventTypes?: readonly string[] } {
  const v = value.trim().toLowerCase();
  if (v === "warnings" || v === "warning") return { table: "events", eventTypes: WARNING_EVENT_TYPES };
  return { table: parseJournalType(value) };
}

/**
 * `--limit`: a whole number of entries, 0 = no limit.
 * @throws {UsageError} otherwise.
 */
export function parseLimit(value: string | number): number {
  const text = String(value).trim();
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) return badLimit(value);
  return n === 0 ? Number.POSITIVE_INFINITY : n;
}

function badLimit(value: string | number): never {
  throw new UsageError(`invalid --limit "${value}": expected a whole number of entries (0 = all)`, {
    hint: "e.g. hlcopy journal --limit 200",
  });
}

/** UTC, to the millisecond: "2025-01-02 12:00:00.123Z". */
export function formatTime(ts: number): string {
  return new Date(ts).toISOString().replace("T", " ");
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function describePlan(plan: Plan): string {
  const parts: string[] = [];
  if (plan.actions.length > 0) {
    const list = plan.actions.map((a) => `${a.coin} ${a.side} ${a.size} (${a.reason})`).join(", ");
    parts.push(`${plural(plan.actions.length, "action")}: ${list}`);
  } else {
    parts.push("no action");
  }
  // A cap's note beside the coin's order is no skip: the order went, cut.
  const acting = new Set(plan.actions.map((a) => a.coin));
  const capped = plan.skipped.filter((s) => isCappedOrder(s, acting));
  const skipped = plan.skipped.filter((s) => !isCappedOrder(s, acting));
  if (capped.length > 0) parts.push(`capped: ${capped.map((s) => `${s.coin} ${s.reason}`).join(", ")}`);
  if (skipped.length > 0) parts.push(`skipped: ${skipped.map((s) => `${s.coin} ${s.reason}`).join(", ")}`);
  // The drift the plan saw, in status's words ("drift $73.77 (BTC, ETH)", "in sync").
  parts.push(
    driftText(
      driftReport({
        targets: plan.targets ?? [],
        skipped: plan.skipped,
        actionCoins: plan.actions.map((a) => a.coin),
      }),
    ),
  );
  return parts.join(" · ");
}

// ─── Events: one readable line per kind (--json keeps the raw data) ─────────────────────────

type Data = Record<string, unknown>;

function record(v: unknown): Data {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Data) : {};
}
function num(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}
function str(v: unknown): string | null {
  return typeof v === "string" && v !== "" ? v : null;
}
function signedSize(size: number): string {
  return `${size > 0 ? "+" : ""}${detailNumber(size)}`;
}
function leaderOf(d: Data): string {
  const leader = str(d.leader);
  return leader ? `leader ${shortAddress(leader)}` : "the leader";
}
function isDriftReport(v: unknown): v is DriftReport {
  const r = record(v);
  return Array.isArray(r.coins) && num(r.driftUsd) !== null && num(r.outsideUsd) !== null;
}

/** How fresh a record's data was (core/drift.ts Freshness), when it says. */
function freshnessOf(v: unknown): Freshness | null {
  const f = record(v);
  const freshAt = num(f.freshAt);
  const staleMs = num(f.staleMs);
  return freshAt === null || staleMs === null
    ? null
    : { freshAt, staleMs, lastInSyncAt: num(f.lastInSyncAt) };
}

/**
 * The copy's drift as a sweep or a run's end left it, in status's words — the dashboard's
 * verdict at the record's moment `ts` ("stale 1m · last in sync 34s ago" on stale data).
 */
function driftOf(d: Data, ts?: number): string {
  if (isDriftReport(d.drift))
    return ts === undefined ? driftText(d.drift) : syncVerdict(d.drift, ts, freshnessOf(d.freshness)).text;
  const usd = num(d.driftUsd);
  if (d.inSync === true) return "in sync";
  return usd === null ? "drift unknown" : `drift ${fmtUsd(usd)}`;
}

/** "BTC +0.00057, ETH -0.2" from targets (their ourSize), or "none". */
function positionsOf(d: Data): string {
  const held = (Array.isArray(d.targets) ? d.targets : [])
    .map(record)
    .filter((t) => typeof t.coin === "string" && (num(t.ourSize) ?? 0) !== 0)
    .map((t) => `${String(t.coin)} ${signedSize(num(t.ourSize) ?? 0)}`);
  return held.length > 0 ? held.join(", ") : "none";
}

function pnlOf(d: Data): string | null {
  const p = record(d.pnl);
  const net = num(p.netUsd);
  if (net === null) return null;
  const roi = num(p.roiPct);
  return `P&L net ${fmtUsdSigned(net)}${roi === null ? "" : ` (${fmtPctSigned(roi)})`}`;
}

/**
 * "BTC +0.1, ETH +0.5 (of +1.5; hlcopy's +1)" from a list of {coin, size, managed}: what was made
 * outside hlcopy, as the run said it (core/ownership.ts foreignText).
 */
function foreignOf(v: unknown): string {
  const list = (Array.isArray(v) ? v : []).map(record).filter((p) => typeof p.coin === "string");
  return list.length > 0
    ? list
        .map((p) =>
          foreignText({ coin: String(p.coin), size: num(p.size) ?? 0, managed: num(p.managed) ?? 0 }),
        )
        .join(", ")
    : "none";
}

/** Any other event: its plain fields as key=value; nested data is left to --json. */
function plainFields(data: unknown): string {
  if (data === null || data === undefined) return "";
  if (typeof data !== "object") return String(data);
  if (Array.isArray(data)) return `${plural(data.length, "item")} (--json shows them)`;
  const parts = Object.entries(data as Data).map(([k, v]) =>
    v !== null && typeof v === "object" ? `${k}=… (--json)` : `${k}=${String(v)}`,
  );
  return parts.join(" ");
}

/**
 * The orders a pause or the run's stop kept a decision from sending ("" when none): a stop holds
 * them all; a pause all but a halt's closes, which go through it (core/safety.ts sentWhilePaused).
 */
function heldText(held: "paused" | "stopping" | null | undefined, plan: Plan): string {
  if (!held || plan.actions.length === 0) return "";
  const kept = held === "stopping" ? plan.actions : plan.actions.filter((a) => !isHaltClose(a));
  if (kept.length === plan.actions.length) return ` · ${notSentText(held)}`;
  return ` · ${held}: ${kept.length} not sent (${kept.map((a) => a.coin).join(", ")}; the halt's closes went)`;
}

/** One journal event (its `type` and `data`) as a line a person reads. */
export function describeJournalEvent(type: string, data: unknown, ts?: number): string {
  const d = record(data);
  switch (type) {
    case "stopping":
      // A reconcile's stop signal once it could send: what went before it is in the orders.
      return `${str(d.reason) ?? "stopped"}: nothing more sent (an order request already out was awaited)`;
    case "sweep": {
      const trigger = str(d.trigger);
      const requests = num(d.requests);
      const ms = num(d.durationMs);
      const cost =
        requests === null ? "" : ` · ${plural(requests, "request")}${ms === null ? "" : ` in ${ms} ms`}`;
      // The drift it found before its orders, then what it did about it (engine.ts #sweepStep).
      const orders = num(d.orders);
      const did =
        orders !== null && orders > 0
          ? ` · ${plural(orders, "order")} sent`
          : d.held === "paused" || d.held === "stopping"
            ? ` · ${notSentText(d.held)}`
            : "";
      // The row's type says "sweep": the text names only a trigger other than the sweep's own
      // ("start: …", "manual: …"), never "sweep sweep: …".
      const kind = trigger && trigger !== "sweep" ? `${trigger}: ` : "";
      return `${kind}${driftOf(d, ts)}${did}${cost}`;
    }
    case "state": {
      const pnl = pnlOf(d);
      const copy = `${driftOf(d, ts)} · positions ${positionsOf(d)}${pnl ? ` · ${pnl}` : ""}`;
      if (d.moment !== "change") return `as the run left it: ${copy}`;
      // A running follow's record of a minute's changes (the last of them; engine.ts CHANGE_SPAN_MS).
      // The peak in the figure the line's verdict says (the header's `drift $X`); a record from
      // before it was kept has only the total's peak, which is not said beside it.
      const peak = num(d.outsideMaxUsd);
      const last = isDriftReport(d.drift) ? d.drift.outsideUsd : null;
      const higher = peak !== null && last !== null && fmtUsd(peak) !== fmtUsd(last);
      return `while running, the minute's last change${higher ? ` (drift up to ${fmtUsd(peak)} in it)` : ""}: ${copy}`;
    }
    case "freshness": {
      // The run's data went stale (nothing from the exchange within its window) or is fresh again.
      const f = freshnessOf(d);
      if (d.stale !== true) return "data fresh again: the exchange is heard from";
      return `data stale: nothing from the exchange for ${f && ts !== undefined ? fmtAge(ts - f.freshAt) : "a while"} — not in sync until a good read`;
    }
    case "leverage": {
      const lev = num(d.leverage);
      const set = `${lev === null ? "?" : `${lev}×`} ${str(d.marginMode) ?? ""}`.trim();
      const error = str(d.error);
      return error ? `could not set ${set}: ${error}` : `set to ${set} before the first increase`;
    }
    case "onExit":
      return str(d.message) ?? `on exit: ${str(d.mode) ?? "?"}`;
    case "leaderEmpty":
      return `${leaderOf(d)} has no equity left (${fmtUsd(num(d.accountValue))}): its coins are left alone`;
    case "cashFlow": {
      const usd = num(d.usd) ?? 0;
      const since = num(d.since);
      return `${leaderOf(d)} moved ${fmtUsdSigned(usd)} in or out${since === null ? "" : ` since ${formatTime(since)}`}: netted out of its equity, not copied`;
    }
    case "adopted":
      return `adopted position(s) hlcopy did not open: ${foreignOf(d.positions)}`;
    case "foreign":
      return `position(s) changed outside hlcopy: ${foreignOf(d.positions)} (left alone)`;
    case "warning": {
      // A warning the run said (engine/warning-log.ts): the same words again are this row, counted.
      const count = num(d.count) ?? 1;
      const last = num(d.last);
      // The last time as the row's first is said (its time column): the day only when another.
      const lastText =
        last === null
          ? ""
          : ts !== undefined && formatTime(last).slice(0, 10) === formatTime(ts).slice(0, 10)
            ? ` (last ${formatTime(last).slice(11)})`
            : ` (last ${formatTime(last)})`;
      const again = count > 1 ? `×${count}${lastText}: ` : "";
      return `${again}${str(d.message) ?? "warning"}`;
    }
    case "foreignOrders":
      // An order placed outside hlcopy during a follow: the warning's own words, said then.
      return str(d.message) ?? `order(s) placed outside hlcopy: ${plainFields(d.orders)}`;
    case "halt":
      return `${str(d.kind) ?? "halt"}: ${str(d.reason) ?? "no reason recorded"}`;
    case "resume": {
      if (str(d.kind) === "agent-expired") return "the agent is approved again: sending resumed";
      const cleared = num(d.cleared);
      const hwm = num(d.hwm);
      return `hlcopy resume: ${cleared === null ? "halt" : plural(cleared, "halt")} cleared${hwm === null ? "" : ` · high-water mark reset to ${fmtUsd(hwm)}`}`;
    }
    case "leaderLiquidated": {
      const side = str(d.side);
      const sz = num(d.sz);
      const px = num(d.px);
      const fill =
        side && sz !== null && px !== null ? `: ${side} ${detailNumber(sz)} @ ${detailNumber(px)}` : "";
      return `the leader was liquidated${fill}; our copy of the coin is closed`;
    }
    case "reconnect": {
      const stream = str(d.stream);
      return `websocket reconnected${stream ? ` (${stream})` : ""}: a sweep repaired what was missed`;
    }
    case "leaderUnfollowed": {
      const until = num(d.until);
      return `stopped following ${leaderOf(d)} (${str(d.kind) ?? "?"}): ${str(d.reason) ?? "no reason recorded"}${until === null ? "; until hlcopy resume --leader" : `; until ${formatTime(until)}`}`;
    }
    case "leaderResumed":
      return `following ${leaderOf(d)} again (${str(d.how) === "expired" ? "its pause ended" : "hlcopy resume --leader"})`;
    case "protectionFired": {
      const tier = num(d.tier);
      const size = num(d.size);
      const px = num(d.px);
      return `our ${str(d.kind) ?? "protection"}${tier === null ? "" : ` tier ${tier + 1}`} fired: closed ${size === null ? "?" : detailNumber(size)}${px === null ? "" : ` @ ${detailNumber(px)}`}`;
    }
    case "protectionCancelled": {
      // The notice's words without its advice (what to pass): the run that said it is over.
      const coins = (Array.isArray(d.coins) ? d.coins : []).filter((c): c is string => typeof c === "string");
      const n = num(d.count) ?? (Array.isArray(d.cloids) ? d.cloids.length : 0);
      return `cancelled ${leftoverTriggersText(n, coins)}: the run had no protection settings`;
    }
    case "paused":
      return d.paused === true
        ? `paused${d.atStart === true ? " from its start" : ""}: no leader trade copied (a halt's closes still go) until hlcopy resume`
        : "resumed: copying again";
    case "timeStop": {
      const size = num(d.size);
      const px = num(d.px);
      const held = num(d.heldHours);
      const max = num(d.maxHoldHours);
      return `closed ${size === null ? "?" : detailNumber(size)}${px === null ? "" : ` @ ${detailNumber(px)}`} after ${held === null ? "?" : fmtFixed(held, 1)} h (risk.maxHoldHours ${max ?? "?"})`;
    }
    case "paperAccount": {
      const parts = (Array.isArray(d.setAside) ? d.setAside : []).filter(
        (p): p is string => typeof p === "string",
      );
      return `new paper account: set aside the earlier paper account's ${parts.length > 0 ? parts.join(", ") : "copy state"}`;
    }
    default:
      return plainFields(data);
  }
}

export interface EntryRow {
  time: string;
  /** The table, or for an event its own type ("reconnect", "sweep", …). */
  type: string;
  coin: string;
  summary: string;
}

/** One entry as a row of the human table. */
export function entryRow(e: JournalEntry): EntryRow {
  const time = formatTime(e.ts);
  switch (e.table) {
    case "runs": {
      const leaders = e.leaders
        .map((l) =>
          e.leaders.length > 1 ? `${shortAddress(l.address)}×${l.weight}` : shortAddress(l.address),
        )
        .join(", ");
      const end =
        e.endedAt === null
          ? "running or interrupted"
          : `ended ${formatTime(e.endedAt)}, exit ${e.exitCode ?? "-"}`;
      return { time, type: "run", coin: "", summary: `${e.command} ${leaders} on ${e.network} · ${end}` };
    }
    case "decisions":
      return {
        time,
        type: "decision",
        coin: e.coins.join(","),
        summary: `${e.trigger}: ${describePlan(e.plan)}${heldText(e.held, e.plan)}`,
      };
    case "orders": {
      let outcome = e.status as string;
      if (e.filledSize > 0) outcome += ` ${e.filledSize} @ ${fmtExact(e.avgPx)}`;
      if (e.error) outcome += `: ${e.error}`;
      const ro = e.reduceOnly ? " reduce-only" : "";
      const kind = e.kind ? ` ${e.kind}` : "";
      return {
        time,
        type: "order",
        coin: e.coin,
        summary: `${e.side} ${e.size} @ ${e.limitPx}${ro} (${e.reason}${kind}) → ${outcome} · cloid ${e.cloid}`,
      };
    }
    case "fills": {
      // Dollars in the one form (fmtUsd), to USDC's micro-dollar as the funding rows: a fill's
      // fee is often under a cent.
      const parts = [`${e.side} ${e.sz} @ ${e.px}`, `fee ${fmtUsd(e.fee, FIGURE_DECIMALS.pnl)}`];
      if (e.kind) parts.push(e.kind);
      // Not placed by hlcopy: where it came from, as status counts it (null: journaled before it was kept).
      else if (e.origin) parts.push(FILL_ORIGIN_TEXT[e.origin]);
      if (e.execSlippageBps !== null) parts.push(`exec ${fmtSlippage(e.execSlippageBps)} bps`);
      if (e.slippageBps !== null) parts.push(`vs leader ${fmtSlippage(e.slippageBps)} bps`);
      if (e.lagMs !== null) parts.push(`lag ${fmtMs(e.lagMs)}`);
      if (e.closedPnl !== null && e.closedPnl !== 0) parts.push(`realized ${fmtUsdSigned(e.closedPnl)}`);
      // Not hlcopy's order, yet partly the copy's: it closed hlcopy's position (a liquidation, an
      // ADL, a close by hand); or hlcopy's close of more than it opened (a flatten of a position
      // held by hand): only its part is.
      if (
        e.kind === null
          ? e.copySz !== null && e.copySz > 0
          : (e.kind === "safety" || e.kind === "flatten") && e.copySz !== null && e.copySz < e.sz
      )
        parts.push(`the copy's ${fmtExact(e.copySz)}`);
      return { time, type: "fill", coin: e.coin, summary: parts.join(" · ") };
    }
    case "funding":
      return {
        time,
        type: "funding",
        coin: e.coin,
        summary: `${e.usdc >= 0 ? "received" : "paid"} ${fmtUsd(Math.abs(e.usdc), FIGURE_DECIMALS.pnl)} on ${fmtExact(e.szi)} at rate ${fmtExact(e.rate)}${
          // The part on hlcopy's share of the position, when it is not all of it.
          e.copyUsdc !== null && e.copyUsdc !== e.usdc
            ? ` · the copy's ${fmtUsd(Math.abs(e.copyUsdc), FIGURE_DECIMALS.pnl)}`
            : ""
        }`,
      };
    case "halts": {
      const state = e.clearedAt === null ? "active" : `cleared ${formatTime(e.clearedAt)}`;
      return { time, type: "halt", coin: "", summary: `${e.kind}: ${e.reason} (${state})` };
    }
    case "events":
      return { time, type: e.type, coin: e.coin ?? "", summary: describeJournalEvent(e.type, e.data, e.ts) };
  }
}

/** A fill hlcopy did not place, as `journal` and `status` name its origin. */
const FILL_ORIGIN_TEXT: Record<FillOrigin, string> = {
  liquidation: "liquidation",
  adl: "ADL",
  outside: "outside hlcopy",
};
