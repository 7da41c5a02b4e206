// Pure width arithmetic for the panels: which segments of a status line and which table
// columns fit a terminal width. Narrow terminals lose the least important pieces whole,
// never wrap a half.

import type { LogLevel } from "./describe.js";
import type { ModeLabel } from "./model.js";

/** A piece of a status line; higher priority survives a narrow terminal longer. */
export interface Segment {
  text: string;
  /**
   * A compact form said when the full text does not fit (`drift $278.83 (3 coins)` for a drift
   * line naming every coin and its block): the piece is shortened before anything of lower
   * priority is shown.
   */
  short?: string;
  priority: number;
  /**
   * A detail of the piece before it (the skips' reasons after their count): shown only in the
   * room left once every other piece has its full text — never at the cost of another's full form.
   */
  detail?: boolean;
  color?: string;
  bold?: boolean;
  dim?: boolean;
  inverse?: boolean;
}

/**
 * The segments that fit `width` when joined by `gap` spaces, in their original order, each in
 * the form that fits (its full text, else its `short`). Priority is honoured: taken highest
 * first (ties: earlier first), each piece in its compact form when it has one; once a piece
 * fits in no form, nothing of lower priority is shown (a short "sweep 4s ago" never stands
 * where the drift that did not fit should be). Then the room left gives pieces back their full
 * text, highest priority first. A lone segment wider than the line is cut by the renderer's
 * truncation. `strict: false` (table columns, fixed widths with no compact form) lets a narrower
 * piece of lower priority take the room a wider one did not fit in. A `detail` piece comes last,
 * in whatever room is left, and only beside the piece before it (one space after it).
 */
export function fitSegments<S extends { text: string; short?: string; priority: number; detail?: boolean }>(
  segments: readonly S[],
  width: number,
  gap = 2,
  { strict = true }: { strict?: boolean } = {},
): S[] {
  const sorted = segments.map((s, i) => ({ s, i })).sort((a, b) => b.s.priority - a.s.priority || a.i - b.i);
  const order = sorted.filter((x) => !x.s.detail);
  const compact = (s: S) => (s.short !== undefined && s.short.length < s.text.length ? s.short : s.text);
  const kept = new Map<number, string>();
  let used = 0;
  let droppedAt: number | null = null;
  for (const { s, i } of order) {
    if (droppedAt !== null && s.priority < droppedAt) break;
    const text = compact(s);
    const cost = text.length + (kept.size > 0 ? gap : 0);
    if (used + cost <= width || kept.size === 0) {
      kept.set(i, text);
      used += cost;
    } else if (strict) droppedAt ??= s.priority;
  }
  // The room left: full texts back, highest priority first.
  for (const { s, i } of order) {
    const text = kept.get(i);
    if (text === undefined || text === s.text) continue;
    const extra = s.text.length - text.length;
    if (used + extra <= width) {
      kept.set(i, s.text);
      used += extra;
    }
  }
  // Details last, in the room that is left (each only beside the piece it details, one space
  // after it: Segments).
  for (const { s, i } of sorted) {
    if (!s.detail || !kept.has(i - 1)) continue;
    const cost = s.text.length + 1;
    if (used + cost <= width) {
      kept.set(i, s.text);
      used += cost;
    }
  }
  return segments.flatMap((s, i) => {
    const text = kept.get(i);
    return text === undefined ? [] : [text === s.text ? s : { ...s, text }];
  });
}

export interface Column<Row> {
  key: string;
  title: string;
  width: number;
  priority: number;
  align: "left" | "right";
  text: (row: Row) => string;
  color?: (row: Row) => string | undefined;
  bold?: (row: Row) => boolean;
}

/** The columns that fit `width` with one space between them, in their original order. */
export function fitColumns<Row>(columns: readonly Column<Row>[], width: number): Column<Row>[] {
  const probes = columns.map((c) => ({ text: " ".repeat(c.width), priority: c.priority, column: c }));
  return fitSegments(probes, width, 1, { strict: false }).map((p) => p.column);
}

export const MODE_COLOR: Record<ModeLabel, string> = {
  LIVE: "green",
  "DRY-RUN": "yellow",
  PAPER: "cyan",
  HALTED: "red",
  STOPPED: "gray",
};

export const LEVEL_COLOR: Record<LogLevel, string | undefined> = {
  info: undefined,
  good: "green",
  warn: "yellow",
  error: "red",
  dim: "gray",
};
