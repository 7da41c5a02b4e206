// Pure parsing and formatting for `hlcopy journal`: flag values in, table rows out. No I/O.

import { UsageError } from "../../core/errors.js";
import { shortAddress } from "../../core/format.js";
import type { Plan } from "../../core/types.js";
import { JOURNAL_TABLES, type JournalEntry, type JournalTable } from "../../store/journal.js";
import { fmtExact, fmtFixed } from "../../ui/format.js";

const UNIT_MS: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * `--since`: a duration back from `now` (30s, 15m, 1h, 2d, 1w) or an ISO time.
 * @throws {UsageError} for anything else.
 */
export function parseSince(value: string, now: number): number {
  const v = value.trim();
  const rel = /^(\d+(?:\.\d+)?)\s*([smhdw])$/i.exec(v);
  if (rel) return now - Number(rel[1]) * (UNIT_MS[(rel[2] as string).toLowerCase()] as number);
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.test(v)) {
    const ts = Date.parse(v);
    if (Number.isFinite(ts)) return ts;
  }
  throw new UsageError(
    `invalid --since "${value}": expected a duration (30s, 15m, 1h, 2d, 1w) or an ISO time (2025-01-02T15:04:05Z)`,
    { hint: "e.g. hlcopy journal --since 1h, or --since 2025-01-02" },
  );
}

/**
 * `--type`: a table name; the singular is accepted too (order → orders).
 * @throws {UsageError} naming the allowed values.
 */
export function parseJournalType(value: string): JournalTable {
  const v = value.trim().toLowerCase();
  const match = JOURNAL_TABLES.find((t) => t === v || t === `${v}s`);
  if (match) return match;
  throw new UsageError(`invalid --type "${value}": expected one of ${JOURNAL_TABLES.join(", ")}`, {
    hint: "e.g. hlcopy journal --type orders; leave it out to see every kind of entry",
  });
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
  if (plan.skipped.length > 0) {
    const list = plan.skipped.map((s) => `${s.coin} ${s.reason}`).join(", ");
    parts.push(`skipped: ${list}`);
  }
  parts.push(plan.inSync ? "in sync" : "drift");
  return parts.join(" · ");
}

function keyValues(data: unknown): string {
  if (data === null || data === undefined) return "";
  if (typeof data !== "object" || Array.isArray(data)) return JSON.stringify(data);
  return Object.entries(data as Record<string, unknown>)
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ");
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
        summary: `${e.trigger}: ${describePlan(e.plan)}`,
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
      const parts = [`${e.side} ${e.sz} @ ${e.px}`, `fee ${fmtExact(e.fee)}`];
      if (e.kind) parts.push(e.kind);
      if (e.execSlippageBps !== null) parts.push(`exec ${fmtFixed(e.execSlippageBps, 1)} bps`);
      if (e.slippageBps !== null) parts.push(`vs leader ${fmtFixed(e.slippageBps, 1)} bps`);
      if (e.lagMs !== null) parts.push(`lag ${e.lagMs} ms`);
      if (e.closedPnl !== null && e.closedPnl !== 0) parts.push(`pnl ${fmtFixed(e.closedPnl, 2)}`);
      return { time, type: "fill", coin: e.coin, summary: parts.join(" · ") };
    }
    case "funding":
      return {
        time,
        type: "funding",
        coin: e.coin,
        summary: `${e.usdc >= 0 ? "received" : "paid"} ${fmtFixed(Math.abs(e.usdc), 6)} USD on ${fmtExact(e.szi)} at rate ${fmtExact(e.rate)}`,
      };
    case "halts": {
      const state = e.clearedAt === null ? "active" : `cleared ${formatTime(e.clearedAt)}`;
      return { time, type: "halt", coin: "", summary: `${e.kind}: ${e.reason} (${state})` };
    }
    case "events":
      return { time, type: e.type, coin: e.coin ?? "", summary: keyValues(e.data) };
  }
}
